//! The conformance suite: one set of behaviours every [`Store`] backend must show.
//!
//! A backend crate runs it with [`conformance_tests!`], giving a function that builds a fresh,
//! migrated, empty store per test (SQLite: a temporary file; PostgreSQL: a new database).

#![expect(
    clippy::unwrap_used,
    reason = "a conformance failure should stop the test at the failing line"
)]

use std::future::Future;
use std::sync::Arc;

use humas_domain::{
    Account, AccountHandle, AccountId, AccountStatus, ApiBaseUrl, Delegation, DelegationId,
    DelegationKind, DisplayName, Locale, Opd, OpdId, OpdKind, OpdName, Platform, Role, Slug, User,
    UserId, UserZone, Username, verify_chain,
};
use uuid::Uuid;

use crate::{ApiToken, ApiTokenId, AuditActor, AuditQuery, SessionRecord, Store, StoreError};

/// A fresh store for one test, and how to clean it up afterwards.
pub trait Fixture: Send {
    /// The store under test.
    fn store(&self) -> Arc<dyn Store>;
    /// Releases what the fixture made (drops the test database).
    fn finish(self) -> impl Future<Output = ()> + Send;
}

/// Generates one `#[tokio::test]` per conformance case, each with its own fixture.
#[macro_export]
macro_rules! conformance_tests {
    ($make:path) => {
        $crate::conformance_tests!(@cases $make;
            opd_create_get_list,
            opd_slug_conflict_writes_nothing,
            opd_update_records_before_and_after,
            accounts_unique_per_platform_and_scoped_by_opd,
            account_update_and_delete,
            account_needs_existing_opd,
            users_credentials_and_conflicts,
            password_change_is_audited_without_the_hash,
            delegations_lifecycle,
            sessions_lifecycle,
            api_tokens_lifecycle,
            audit_query_filters_and_pages,
            audit_chain_survives_concurrent_writers,
            missing_things_are_not_found,
        );
    };
    (@cases $make:path; $($case:ident),+ $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                use $crate::conformance::Fixture as _;
                let fixture = $make().await;
                $crate::conformance::$case(fixture.store()).await;
                fixture.finish().await;
            }
        )+
    };
}

fn actor() -> AuditActor {
    AuditActor::user(UserId::generate(), "supervisor.test")
}

fn opd(slug: &str, name: &str) -> Opd {
    Opd {
        id: OpdId::generate(),
        slug: Slug::parse(slug).unwrap(),
        name: OpdName::parse(name).unwrap(),
        kind: OpdKind::Dinas,
        parent: None,
    }
}

fn account(opd: OpdId, platform: Platform, handle: &str) -> Account {
    Account {
        id: AccountId::generate(),
        opd,
        platform,
        handle: AccountHandle::parse(handle).unwrap(),
        api_base_url: None,
        status: AccountStatus::Active,
    }
}

fn user(name: &str, role: Role, opd: Option<OpdId>) -> User {
    User {
        id: UserId::generate(),
        username: Username::parse(name).unwrap(),
        display_name: DisplayName::parse(name).unwrap(),
        role,
        opd,
        locale: Locale::Id,
        zone: UserZone::Wib,
        active: true,
    }
}

async fn audit_count(store: &dyn Store) -> usize {
    store.audit_chain_page(0, 10_000).await.unwrap().len()
}

async fn assert_chain_ok(store: &dyn Store) {
    let entries = store.audit_chain_page(0, 10_000).await.unwrap();
    verify_chain(&entries).unwrap();
}

/// OPDs come back as stored, sorted by name, and findable by slug.
pub async fn opd_create_get_list(store: Arc<dyn Store>) {
    let by = actor();
    let mut kes = opd("dinkes", "Dinas Kesehatan");
    let setda = opd("setda", "Sekretariat Daerah");
    kes.parent = None;
    let mut biro = opd("biro-hukum", "Biro Hukum");
    biro.kind = OpdKind::Biro;
    biro.parent = Some(setda.id);
    store.create_opd(&by, &kes).await.unwrap();
    store.create_opd(&by, &setda).await.unwrap();
    store.create_opd(&by, &biro).await.unwrap();

    assert_eq!(store.get_opd(biro.id).await.unwrap(), biro);
    assert_eq!(store.opd_by_slug(&kes.slug).await.unwrap(), kes);
    let names: Vec<String> = store
        .list_opds()
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.name.to_string())
        .collect();
    assert_eq!(
        names,
        ["Biro Hukum", "Dinas Kesehatan", "Sekretariat Daerah"]
    );

    let log = store
        .query_audit(&AuditQuery {
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].action, "opd.create");
    assert_eq!(log[0].target_id, biro.id.to_string());
    assert_eq!(log[0].actor, "supervisor.test");
    assert_eq!(log[0].opd, Some(biro.id));
    assert!(log[0].before.is_none());
    assert!(log[0].after.as_deref().unwrap_or("").contains("Biro Hukum"));
    assert_chain_ok(&*store).await;
}

/// A duplicate slug is a conflict and leaves neither a row nor an audit entry.
pub async fn opd_slug_conflict_writes_nothing(store: Arc<dyn Store>) {
    let by = actor();
    store
        .create_opd(&by, &opd("dinkes", "Dinas Kesehatan"))
        .await
        .unwrap();
    let before = audit_count(&*store).await;
    let err = store
        .create_opd(&by, &opd("dinkes", "Dinas Lain"))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict("opd_slug")), "{err:?}");
    assert_eq!(store.list_opds().await.unwrap().len(), 1);
    assert_eq!(audit_count(&*store).await, before);

    // Renaming onto a taken slug is refused the same way.
    let other = opd("dinsos", "Dinas Sosial");
    store.create_opd(&by, &other).await.unwrap();
    let renamed = Opd {
        slug: Slug::parse("dinkes").unwrap(),
        ..other.clone()
    };
    let err = store.update_opd(&by, &renamed).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict("opd_slug")), "{err:?}");
    assert_eq!(store.get_opd(other.id).await.unwrap(), other);
}

/// An update records the state before and after.
pub async fn opd_update_records_before_and_after(store: Arc<dyn Store>) {
    let by = actor();
    let o = opd("dinkes", "Dinas Kesehatan");
    store.create_opd(&by, &o).await.unwrap();
    let changed = Opd {
        name: OpdName::parse("Dinas Kesehatan Provinsi").unwrap(),
        ..o.clone()
    };
    store.update_opd(&by, &changed).await.unwrap();
    assert_eq!(store.get_opd(o.id).await.unwrap(), changed);

    let log = store
        .query_audit(&AuditQuery {
            action_prefix: Some("opd.update".into()),
            limit: 5,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(log.len(), 1);
    let e = &log[0];
    assert!(e.before.as_deref().unwrap().contains("\"Dinas Kesehatan\""));
    assert!(
        e.after
            .as_deref()
            .unwrap()
            .contains("Dinas Kesehatan Provinsi")
    );

    let missing = Opd {
        id: OpdId::generate(),
        ..changed
    };
    assert!(matches!(
        store.update_opd(&by, &missing).await,
        Err(StoreError::NotFound("opd"))
    ));
    assert_chain_ok(&*store).await;
}

/// A handle is unique per platform; the same handle on two platforms is fine.
pub async fn accounts_unique_per_platform_and_scoped_by_opd(store: Arc<dyn Store>) {
    let by = actor();
    let kes = opd("dinkes", "Dinas Kesehatan");
    let sos = opd("dinsos", "Dinas Sosial");
    store.create_opd(&by, &kes).await.unwrap();
    store.create_opd(&by, &sos).await.unwrap();
    let ig = account(kes.id, Platform::Instagram, "@dinkesjatim");
    let x = account(kes.id, Platform::X, "@dinkesjatim");
    let mut masto = account(sos.id, Platform::Mastodon, "@dinsos");
    masto.api_base_url = Some(ApiBaseUrl::parse("https://mastodon.jatimprov.go.id").unwrap());
    for a in [&ig, &x, &masto] {
        store.create_account(&by, a).await.unwrap();
    }
    let dup = account(sos.id, Platform::Instagram, "@dinkesjatim");
    let err = store.create_account(&by, &dup).await.unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict("account_handle")),
        "{err:?}"
    );

    assert_eq!(store.list_accounts(Some(kes.id)).await.unwrap().len(), 2);
    assert_eq!(
        store.list_accounts(Some(sos.id)).await.unwrap(),
        vec![masto.clone()]
    );
    assert_eq!(store.list_accounts(None).await.unwrap().len(), 3);
    assert_eq!(store.get_account(masto.id).await.unwrap(), masto);
}

/// Accounts can change status and be removed, each audited.
pub async fn account_update_and_delete(store: Arc<dyn Store>) {
    let by = actor();
    let kes = opd("dinkes", "Dinas Kesehatan");
    store.create_opd(&by, &kes).await.unwrap();
    let a = account(kes.id, Platform::Telegram, "@dinkes_info");
    store.create_account(&by, &a).await.unwrap();
    let expired = Account {
        status: AccountStatus::TokenExpired,
        ..a.clone()
    };
    store.update_account(&by, &expired).await.unwrap();
    assert_eq!(
        store.get_account(a.id).await.unwrap().status,
        AccountStatus::TokenExpired
    );
    store.delete_account(&by, a.id).await.unwrap();
    assert!(matches!(
        store.get_account(a.id).await,
        Err(StoreError::NotFound("account"))
    ));
    assert!(matches!(
        store.delete_account(&by, a.id).await,
        Err(StoreError::NotFound("account"))
    ));

    let actions: Vec<String> = store
        .query_audit(&AuditQuery {
            action_prefix: Some("account.".into()),
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        ["account.delete", "account.update", "account.create"]
    );
    assert_chain_ok(&*store).await;
}

/// An account for an OPD that does not exist is refused.
pub async fn account_needs_existing_opd(store: Arc<dyn Store>) {
    let a = account(
        OpdId::generate(),
        Platform::Rss,
        "https://news.example.id/feed",
    );
    let err = store.create_account(&actor(), &a).await.unwrap_err();
    assert!(
        matches!(err, StoreError::UnknownReference("opd")),
        "{err:?}"
    );
    assert_eq!(audit_count(&*store).await, 0);
}

/// People are found by username with their hash; usernames are unique.
pub async fn users_credentials_and_conflicts(store: Arc<dyn Store>) {
    let by = actor();
    let kes = opd("dinkes", "Dinas Kesehatan");
    store.create_opd(&by, &kes).await.unwrap();
    let op = user("operator.dinkes", Role::Operator, Some(kes.id));
    let sup = user("supervisor", Role::Supervisor, None);
    store
        .create_user(&by, &op, "$argon2id$fake-hash-1")
        .await
        .unwrap();
    store
        .create_user(&by, &sup, "$argon2id$fake-hash-2")
        .await
        .unwrap();
    assert_eq!(store.count_users().await.unwrap(), 2);

    let c = store.credentials(&op.username).await.unwrap();
    assert_eq!(c.user, op);
    assert_eq!(c.password_hash, "$argon2id$fake-hash-1");

    let clash = user("operator.dinkes", Role::Operator, Some(kes.id));
    let err = store.create_user(&by, &clash, "x").await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict("username")), "{err:?}");

    assert_eq!(
        store.list_users(Some(kes.id)).await.unwrap(),
        vec![op.clone()]
    );
    assert_eq!(store.list_users(None).await.unwrap().len(), 2);

    let changed = User {
        active: false,
        locale: Locale::En,
        zone: UserZone::Wit,
        ..op.clone()
    };
    store.update_user(&by, &changed).await.unwrap();
    assert_eq!(store.get_user(op.id).await.unwrap(), changed);

    let ghost = user("ghost.user", Role::Operator, Some(OpdId::generate()));
    let err = store.create_user(&by, &ghost, "x").await.unwrap_err();
    assert!(
        matches!(err, StoreError::UnknownReference("opd")),
        "{err:?}"
    );
    assert_chain_ok(&*store).await;
}

/// A new password hash is stored and audited, and the hash never enters the log.
pub async fn password_change_is_audited_without_the_hash(store: Arc<dyn Store>) {
    let by = actor();
    let u = user("leader", Role::Leadership, None);
    store
        .create_user(&by, &u, "$argon2id$old-secret-hash")
        .await
        .unwrap();
    store
        .set_password_hash(&by, u.id, "$argon2id$new-secret-hash")
        .await
        .unwrap();
    assert_eq!(
        store.credentials(&u.username).await.unwrap().password_hash,
        "$argon2id$new-secret-hash"
    );
    let all = store.audit_chain_page(0, 100).await.unwrap();
    assert!(all.iter().any(|e| e.action == "user.password_change"));
    for e in &all {
        let text = format!("{:?}{:?}", e.before, e.after);
        assert!(
            !text.contains("secret-hash"),
            "hash leaked into audit: {text}"
        );
    }
    assert!(matches!(
        store.set_password_hash(&by, UserId::generate(), "h").await,
        Err(StoreError::NotFound("user"))
    ));
}

/// Delegations are stored, listed per OPD and per delegate, and revocable.
pub async fn delegations_lifecycle(store: Arc<dyn Store>) {
    let by = actor();
    let kes = opd("dinkes", "Dinas Kesehatan");
    store.create_opd(&by, &kes).await.unwrap();
    let kadis = user("kadis.dinkes", Role::Approver, Some(kes.id));
    let sekdin = user("sekdin.dinkes", Role::Operator, Some(kes.id));
    store.create_user(&by, &kadis, "h").await.unwrap();
    store.create_user(&by, &sekdin, "h").await.unwrap();
    let d = Delegation {
        id: DelegationId::generate(),
        opd: kes.id,
        from_user: kadis.id,
        to_user: sekdin.id,
        kind: DelegationKind::Plh,
        starts_on: "2026-12-01".parse().unwrap(),
        ends_on: "2026-12-10".parse().unwrap(),
        reason: "Dinas luar, SPT 800/123/2026".into(),
        revoked: false,
    };
    store.create_delegation(&by, &d).await.unwrap();
    assert_eq!(store.get_delegation(d.id).await.unwrap(), d);
    assert_eq!(
        store.list_delegations(Some(kes.id)).await.unwrap(),
        vec![d.clone()]
    );
    assert_eq!(
        store.delegations_to(sekdin.id).await.unwrap(),
        vec![d.clone()]
    );
    assert!(store.delegations_to(kadis.id).await.unwrap().is_empty());

    store.revoke_delegation(&by, d.id).await.unwrap();
    assert!(store.get_delegation(d.id).await.unwrap().revoked);
    assert!(store.delegations_to(sekdin.id).await.unwrap().is_empty());
    assert!(
        store
            .query_audit(&AuditQuery {
                action_prefix: Some("delegation.revoke".into()),
                limit: 1,
                ..AuditQuery::default()
            })
            .await
            .unwrap()
            .len()
            == 1
    );

    let to_ghost = Delegation {
        id: DelegationId::generate(),
        to_user: UserId::generate(),
        ..d
    };
    let err = store.create_delegation(&by, &to_ghost).await.unwrap_err();
    assert!(matches!(err, StoreError::UnknownReference(_)), "{err:?}");
}

/// Sessions are found by hash, touched, ended one by one or all at once, and purged.
pub async fn sessions_lifecycle(store: Arc<dyn Store>) {
    let by = actor();
    let u = user("leader", Role::Leadership, None);
    store.create_user(&by, &u, "h").await.unwrap();
    let s = |hash: &str, expires: i64| SessionRecord {
        id_hash: hash.into(),
        user_id: u.id,
        csrf_token: format!("csrf-{hash}"),
        created_at_us: 1_000,
        last_seen_us: 1_000,
        expires_at_us: expires,
    };
    store.create_session(&s("a", 5_000)).await.unwrap();
    store.create_session(&s("b", 9_000)).await.unwrap();
    store.create_session(&s("c", 9_000)).await.unwrap();
    assert_eq!(store.get_session("a").await.unwrap(), s("a", 5_000));

    store.touch_session("b", 2_000, 20_000).await.unwrap();
    let b = store.get_session("b").await.unwrap();
    assert_eq!((b.last_seen_us, b.expires_at_us), (2_000, 20_000));

    assert_eq!(store.purge_expired_sessions(6_000).await.unwrap(), 1);
    assert!(matches!(
        store.get_session("a").await,
        Err(StoreError::NotFound("session"))
    ));
    store.delete_session("c").await.unwrap();
    store.delete_session("c").await.unwrap();
    assert_eq!(store.delete_user_sessions(u.id).await.unwrap(), 1);
    assert!(matches!(
        store.get_session("b").await,
        Err(StoreError::NotFound("session"))
    ));
}

/// API tokens are found by hash, listed, touched and revoked with an audit entry.
pub async fn api_tokens_lifecycle(store: Arc<dyn Store>) {
    let by = actor();
    let u = user("leader", Role::Leadership, None);
    store.create_user(&by, &u, "h").await.unwrap();
    let t = ApiToken {
        id: ApiTokenId(Uuid::now_v7()),
        user_id: u.id,
        name: "dasbor".into(),
        token_hash: "abc123".into(),
        created_at_us: 10,
        last_used_us: None,
    };
    store.create_api_token(&by, &t).await.unwrap();
    assert_eq!(store.api_token_by_hash("abc123").await.unwrap(), t);
    store.touch_api_token(t.id, 99).await.unwrap();
    assert_eq!(
        store.list_api_tokens(u.id).await.unwrap()[0].last_used_us,
        Some(99)
    );
    store.delete_api_token(&by, t.id).await.unwrap();
    assert!(matches!(
        store.api_token_by_hash("abc123").await,
        Err(StoreError::NotFound("api_token"))
    ));
    let all = store.audit_chain_page(0, 100).await.unwrap();
    assert!(all.iter().any(|e| e.action == "api_token.create"));
    assert!(all.iter().any(|e| e.action == "api_token.delete"));
    assert!(
        all.iter()
            .all(|e| !format!("{:?}", e.after).contains("abc123")),
        "token hash leaked"
    );
}

/// Filters combine; pages follow `before_seq` without overlap.
pub async fn audit_query_filters_and_pages(store: Arc<dyn Store>) {
    let alice = AuditActor::user(UserId::generate(), "alice");
    let bob = AuditActor::user(UserId::generate(), "bob");
    let kes = opd("dinkes", "Dinas Kesehatan");
    store.create_opd(&alice, &kes).await.unwrap();
    for i in 0..7 {
        let by = if i % 2 == 0 { &alice } else { &bob };
        store
            .create_account(
                by,
                &account(kes.id, Platform::Instagram, &format!("@akun{i}")),
            )
            .await
            .unwrap();
    }
    let by_bob = store
        .query_audit(&AuditQuery {
            actor: Some("bob".into()),
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(by_bob.len(), 3);
    assert!(by_bob.iter().all(|e| e.actor == "bob"));

    let in_opd = store
        .query_audit(&AuditQuery {
            opd: Some(kes.id),
            action_prefix: Some("account.".into()),
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(in_opd.len(), 7);

    let page1 = store
        .query_audit(&AuditQuery {
            limit: 3,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let page2 = store
        .query_audit(&AuditQuery {
            limit: 3,
            before_seq: page1.last().map(|e| e.seq),
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let seqs: Vec<i64> = page1.iter().chain(&page2).map(|e| e.seq).collect();
    assert_eq!(seqs, [8, 7, 6, 5, 4, 3]);

    let first = store.audit_chain_page(0, 1).await.unwrap();
    let t = first[0].at_us;
    let none_after = store
        .query_audit(&AuditQuery {
            until_us: Some(t),
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert!(none_after.iter().all(|e| e.at_us < t));
    let since = store
        .query_audit(&AuditQuery {
            since_us: Some(t),
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(since.len(), 8);
    let page = store.audit_chain_page(3, 2).await.unwrap();
    assert_eq!(page.iter().map(|e| e.seq).collect::<Vec<_>>(), [4, 5]);
}

/// Many writers at once still produce one unbroken chain without gaps.
pub async fn audit_chain_survives_concurrent_writers(store: Arc<dyn Store>) {
    let by = actor();
    let kes = opd("dinkes", "Dinas Kesehatan");
    store.create_opd(&by, &kes).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..24 {
        let store = Arc::clone(&store);
        let by = by.clone();
        let opd = kes.id;
        tasks.push(tokio::spawn(async move {
            let a = account(opd, Platform::X, &format!("@serentak{i}"));
            store.create_account(&by, &a).await
        }));
    }
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let entries = store.audit_chain_page(0, 1000).await.unwrap();
    assert_eq!(entries.len(), 25);
    assert_eq!(verify_chain(&entries).unwrap(), 25);
}

/// Lookups of missing things say `NotFound` with the kind of thing.
pub async fn missing_things_are_not_found(store: Arc<dyn Store>) {
    assert!(matches!(
        store.get_opd(OpdId::generate()).await,
        Err(StoreError::NotFound("opd"))
    ));
    assert!(matches!(
        store.opd_by_slug(&Slug::parse("nothing").unwrap()).await,
        Err(StoreError::NotFound("opd"))
    ));
    assert!(matches!(
        store.get_user(UserId::generate()).await,
        Err(StoreError::NotFound("user"))
    ));
    assert!(matches!(
        store.credentials(&Username::parse("nobody").unwrap()).await,
        Err(StoreError::NotFound("user"))
    ));
    assert!(matches!(
        store.get_delegation(DelegationId::generate()).await,
        Err(StoreError::NotFound("delegation"))
    ));
    assert!(matches!(
        store
            .revoke_delegation(&actor(), DelegationId::generate())
            .await,
        Err(StoreError::NotFound("delegation"))
    ));
    store.ping().await.unwrap();
}
