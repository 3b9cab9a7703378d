//! The inbox use cases over a real SQLite store: ingest (analysis, routing, deadlines,
//! deduplication), finding messages with scope and masking, and handling them through the
//! approval chain to exactly one reply on the platform.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use humas_app::inbox::{GatewayError, InboxFilter, Moderation, PlatformGateway, RuleInput};
use humas_app::sealed::Credentials;
use humas_app::{App, AppError, AuthSettings, ManualClock};
use humas_domain::inbox::{Author, Category, ExternalId, Inbound, Message, MessageKind, Status};
use humas_domain::{
    Account, AccountHandle, AccountId, AccountStatus, Actor, DisplayName, Locale, Opd, OpdId,
    OpdKind, OpdName, Platform, Role, Slug, User, UserId, UserZone, Username,
};
use humas_store::{AuditActor, AuditQuery, ReplyState};
use humas_store_sqlite::SqliteStore;
use jiff::Timestamp;

#[derive(Default)]
struct CountingGateway {
    replies: AtomicUsize,
    fail_next: std::sync::atomic::AtomicBool,
}

#[async_trait]
impl PlatformGateway for CountingGateway {
    async fn reply(
        &self,
        _account: &Account,
        _message: &Message,
        _text: &str,
        key: &str,
    ) -> Result<String, GatewayError> {
        if self.fail_next.swap(false, Ordering::SeqCst) {
            return Err(GatewayError {
                transient: true,
                message: "platform unavailable (503)".into(),
            });
        }
        // Slow enough that two concurrent approvals would overlap if nothing stopped them.
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        self.replies.fetch_add(1, Ordering::SeqCst);
        Ok(format!("reply-{key}"))
    }
    async fn set_hidden(&self, _: &Account, _: &Message, _: bool) -> Result<(), GatewayError> {
        Ok(())
    }
    async fn delete(&self, _: &Account, _: &Message) -> Result<(), GatewayError> {
        Ok(())
    }
}

struct World {
    app: App,
    gateway: Arc<CountingGateway>,
    dinkes: OpdId,
    pu: OpdId,
    account: Account,
    _dir: tempfile::TempDir,
}

/// A person stored in the database (replies and notes refer to them), as an actor.
async fn actor(app: &App, role: Role, opd: Option<OpdId>, name: &str) -> Actor {
    let user = User {
        id: UserId::generate(),
        username: Username::parse(name).unwrap(),
        display_name: DisplayName::parse(name).unwrap(),
        role,
        opd,
        locale: Locale::Id,
        zone: UserZone::Wib,
        active: true,
    };
    app.store()
        .create_user(&AuditActor::cli(), &user, "not-a-real-hash")
        .await
        .unwrap();
    Actor::new(&user, &[], jiff::civil::date(2026, 11, 28))
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::connect(dir.path().join("humas.db").to_str().unwrap())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let gateway = Arc::new(CountingGateway::default());
    let app = App::new(
        Arc::new(store),
        Arc::new(ManualClock::starting_now()),
        AuthSettings::for_tests(),
    )
    .with_server_secret(b"test secret")
    .with_gateway(gateway.clone());
    let by = AuditActor::cli();
    let opd = |slug: &str, name: &str| Opd {
        id: OpdId::generate(),
        slug: Slug::parse(slug).unwrap(),
        name: OpdName::parse(name).unwrap(),
        kind: OpdKind::Dinas,
        parent: None,
    };
    let dinkes = opd("dinkes", "Dinas Kesehatan");
    let pu = opd("dpubm", "Dinas PU Bina Marga");
    app.store().create_opd(&by, &dinkes).await.unwrap();
    app.store().create_opd(&by, &pu).await.unwrap();
    let account = Account {
        id: AccountId::generate(),
        opd: dinkes.id,
        platform: Platform::X,
        handle: AccountHandle::parse("@dinkesjatim").unwrap(),
        api_base_url: None,
        status: AccountStatus::Active,
    };
    app.store().create_account(&by, &account).await.unwrap();
    World {
        app,
        gateway,
        dinkes: dinkes.id,
        pu: pu.id,
        account,
        _dir: dir,
    }
}

fn inbound(id: &str, text: &str, minutes_ago: i64) -> Inbound {
    Inbound {
        platform: Platform::X,
        external_id: ExternalId::parse(id).unwrap(),
        kind: MessageKind::Mention,
        author: Author::parse("@warga_sby", Some("Warga Surabaya")).unwrap(),
        text: text.to_owned(),
        title: None,
        permalink: None,
        parent_external_id: None,
        thread_external_id: Some(ExternalId::parse("post-1").unwrap()),
        published_at: Timestamp::now() - jiff::SignedDuration::from_mins(minutes_ago),
    }
}

#[tokio::test]
async fn ingest_analyses_routes_schedules_and_dedupes() {
    let w = world().await;
    let supervisor = App::cli_actor();
    w.app
        .create_routing_rule(
            &supervisor,
            &RuleInput {
                name: "Jalan rusak ke PU".into(),
                opd: w.pu.to_string(),
                expression: "jalan AND (rusak OR berlubang)".into(),
                priority: None,
                enabled: true,
            },
        )
        .await
        .unwrap();
    let batch = vec![
        inbound(
            "m1",
            "jalan di depan puskesmas rusak parah dan berlubang, bahaya buat pengendara",
            30,
        ),
        inbound(
            "m2",
            "pelayanan puskesmas lemot bgt anjing, 3 jam antri",
            20,
        ),
        inbound("m3", "terima kasih dinkes, vaksinnya lancar 🙏", 10),
        inbound("m2", "the same id again inside the batch", 5),
    ];
    let report = w
        .app
        .ingest(&AuditActor::system(), &w.account, batch, None)
        .await
        .unwrap();
    assert_eq!(report.inserted.len(), 3);
    assert_eq!(report.duplicates, 1);
    // Sent again (a redelivered webhook, a repeated poll): nothing new.
    let again = w
        .app
        .ingest(
            &AuditActor::system(),
            &w.account,
            vec![inbound("m1", "jalan rusak", 30)],
            None,
        )
        .await
        .unwrap();
    assert!(again.inserted.is_empty());
    assert_eq!(again.duplicates, 1);

    let store = w.app.store();
    let road = store
        .message_by_external_id(Platform::X, "m1")
        .await
        .unwrap();
    assert_eq!(road.opd, w.pu, "the rule sends road damage to PU");
    assert!(road.routed_by.is_some());
    let rude = store
        .message_by_external_id(Platform::X, "m2")
        .await
        .unwrap();
    assert_eq!(rude.opd, w.dinkes, "no rule matches: the account's OPD");
    assert!(rude.analysis.abusive, "{:?}", rude.analysis);
    assert_eq!(rude.author_key.len(), 32);
    assert_eq!(rude.author_key, road.author_key, "same author, same key");
    assert!(!rude.author_key.contains("warga"));
    assert_eq!(road.workflow.suggested_category, Some(Category::FieldCheck));
    assert!(
        road.workflow.first_response_due.is_some(),
        "{:?}",
        road.workflow
    );
    assert!(road.workflow.resolution_due.unwrap() > road.workflow.first_response_due.unwrap());
    let thanks = store
        .message_by_external_id(Platform::X, "m3")
        .await
        .unwrap();
    assert_eq!(
        thanks.workflow.suggested_category,
        Some(Category::NotActionable)
    );
    assert_eq!(
        thanks.workflow.first_response_due, None,
        "praise starts no clock"
    );
}

#[tokio::test]
async fn scope_search_and_masking() {
    let w = world().await;
    w.app
        .ingest(
            &AuditActor::system(),
            &w.account,
            vec![
                inbound(
                    "n1",
                    "NIK saya 3578014501900001 tolong dicek bansos belum cair",
                    30,
                ),
                inbound("n2", "kami tidak dilayani di puskesmas kenjeran", 20),
            ],
            None,
        )
        .await
        .unwrap();
    let operator = actor(&w.app, Role::Operator, Some(w.dinkes), "operator.dinkes").await;
    let other = actor(&w.app, Role::Operator, Some(w.pu), "operator.pu").await;
    let leadership = actor(&w.app, Role::Leadership, None, "sekda").await;

    let page = w
        .app
        .inbox(&operator, &InboxFilter::default())
        .await
        .unwrap();
    assert_eq!(page.messages.len(), 2);
    let mine = page
        .messages
        .iter()
        .find(|m| m.inbound.external_id.as_ref() == "n1")
        .unwrap();
    assert!(
        mine.inbound.text.contains("3578014501900001"),
        "operators see what they must answer"
    );

    let page = w.app.inbox(&other, &InboxFilter::default()).await.unwrap();
    assert!(
        page.messages.is_empty(),
        "another OPD's operator sees nothing"
    );

    let page = w
        .app
        .inbox(&leadership, &InboxFilter::default())
        .await
        .unwrap();
    let masked = page
        .messages
        .iter()
        .find(|m| m.inbound.external_id.as_ref() == "n1")
        .unwrap();
    assert!(
        !masked.inbound.text.contains("3578014501900001"),
        "{}",
        masked.inbound.text
    );
    assert!(
        masked.inbound.text.contains("[NIK]"),
        "{}",
        masked.inbound.text
    );

    let search = InboxFilter {
        q: Some("pelayanan".into()),
        ..InboxFilter::default()
    };
    let page = w.app.inbox(&operator, &search).await.unwrap();
    assert_eq!(
        page.messages.len(),
        1,
        "`pelayanan` finds `dilayani` by its stem"
    );
    assert_eq!(page.messages[0].inbound.external_id.as_ref(), "n2");

    let pii = InboxFilter {
        pii: Some("yes".into()),
        ..InboxFilter::default()
    };
    let page = w.app.inbox(&operator, &pii).await.unwrap();
    assert_eq!(page.messages.len(), 1);

    let id = page.messages[0].id;
    assert!(matches!(
        w.app.conversation(&other, id).await,
        Err(AppError::Forbidden)
    ));
}

#[tokio::test]
async fn an_operators_reply_waits_for_approval_and_is_sent_once() {
    let w = world().await;
    let report = w
        .app
        .ingest(
            &AuditActor::system(),
            &w.account,
            vec![inbound(
                "r1",
                "kapan jadwal vaksin booster di puskesmas kenjeran?",
                30,
            )],
            None,
        )
        .await
        .unwrap();
    let id = report.inserted[0];
    let operator = actor(&w.app, Role::Operator, Some(w.dinkes), "operator.dinkes").await;
    let approver = actor(&w.app, Role::Approver, Some(w.dinkes), "approver.dinkes").await;
    let other_approver = actor(&w.app, Role::Approver, Some(w.pu), "approver.pu").await;

    w.app
        .set_category(&operator, id, Category::InformationRequest)
        .await
        .unwrap();
    let draft = w
        .app
        .draft_reply(
            &operator,
            id,
            "Jadwal booster setiap Senin pukul 08.00 WIB.",
        )
        .await
        .unwrap();
    assert_eq!(draft.state, ReplyState::AwaitingApproval);
    assert_eq!(w.gateway.replies.load(Ordering::SeqCst), 0);
    let m = w.app.store().get_message(id).await.unwrap();
    assert_eq!(m.workflow.status, Status::AwaitingApproval);

    assert!(matches!(
        w.app.approve_reply(&other_approver, draft.id).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        w.app.approve_reply(&operator, draft.id).await,
        Err(AppError::Forbidden)
    ));

    // Two approvals at once (a double click, two approvers): one send.
    let (a, b) = tokio::join!(
        w.app.approve_reply(&approver, draft.id),
        w.app.approve_reply(&approver, draft.id)
    );
    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{a:?} {b:?}"
    );
    assert_eq!(w.gateway.replies.load(Ordering::SeqCst), 1);
    let sent = w.app.store().get_reply(draft.id).await.unwrap();
    assert_eq!(sent.state, ReplyState::Sent);
    assert!(sent.external_id.is_some());
    let m = w.app.store().get_message(id).await.unwrap();
    assert_eq!(m.workflow.status, Status::Replied);
    let first = m.workflow.first_response_at.unwrap();
    assert!(
        first <= m.workflow.first_response_due.unwrap(),
        "answered on time"
    );
    assert!(
        m.workflow.resolved_at.is_some(),
        "an answered information request is resolved"
    );

    let audit = w
        .app
        .store()
        .query_audit(&AuditQuery {
            limit: 1000,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    for action in [
        "reply.approve",
        "reply.send",
        "reply.sent",
        "message.replied",
    ] {
        assert!(audit.iter().any(|e| e.action == action), "{action} audited");
    }
}

#[tokio::test]
async fn a_failed_send_can_be_retried_and_rejection_returns_the_message() {
    let w = world().await;
    let ids = w
        .app
        .ingest(
            &AuditActor::system(),
            &w.account,
            vec![
                inbound("f1", "ambulans lama sekali datangnya", 30),
                inbound("f2", "antrian bpjs panjang", 20),
            ],
            None,
        )
        .await
        .unwrap()
        .inserted;
    let approver = actor(&w.app, Role::Approver, Some(w.dinkes), "approver.dinkes").await;
    let operator = actor(&w.app, Role::Operator, Some(w.dinkes), "operator.dinkes").await;

    w.gateway.fail_next.store(true, Ordering::SeqCst);
    let failed = w
        .app
        .draft_reply(&approver, ids[0], "Mohon maaf, kami cek.")
        .await
        .unwrap();
    assert_eq!(failed.state, ReplyState::Failed);
    assert!(failed.error.as_deref().unwrap().contains("503"));
    let retried = w.app.retry_reply(&approver, failed.id).await.unwrap();
    assert_eq!(retried.state, ReplyState::Sent);
    assert_eq!(w.gateway.replies.load(Ordering::SeqCst), 1);

    let draft = w.app.draft_reply(&operator, ids[1], "ok").await.unwrap();
    assert!(matches!(
        w.app.reject_reply(&approver, draft.id, "  ").await,
        Err(AppError::Invalid(_))
    ));
    w.app
        .reject_reply(&approver, draft.id, "Sebutkan nomor pengaduan BPJS.")
        .await
        .unwrap();
    let m = w.app.store().get_message(ids[1]).await.unwrap();
    assert_eq!(m.workflow.status, Status::Assigned);
    assert_eq!(m.workflow.assignee, Some(operator.user_id));
    assert!(matches!(
        w.app.approve_reply(&approver, draft.id).await,
        Err(AppError::Conflict("reply_state"))
    ));
}

#[tokio::test]
async fn moderation_needs_an_approver_and_a_reason() {
    let w = world().await;
    let id = w
        .app
        .ingest(
            &AuditActor::system(),
            &w.account,
            vec![inbound("h1", "dasar pejabat goblok semua", 30)],
            None,
        )
        .await
        .unwrap()
        .inserted[0];
    let operator = actor(&w.app, Role::Operator, Some(w.dinkes), "operator.dinkes").await;
    let approver = actor(&w.app, Role::Approver, Some(w.dinkes), "approver.dinkes").await;
    assert!(matches!(
        w.app
            .moderate(&operator, id, Moderation::Hide, "kasar")
            .await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        w.app.moderate(&approver, id, Moderation::Hide, " ").await,
        Err(AppError::Invalid(_))
    ));
    w.app
        .moderate(&approver, id, Moderation::Hide, "Ujaran kasar tanpa aduan")
        .await
        .unwrap();
    let audit = w
        .app
        .store()
        .query_audit(&AuditQuery {
            limit: 1000,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let hide = audit.iter().find(|e| e.action == "message.hide").unwrap();
    assert!(
        hide.after
            .as_ref()
            .unwrap()
            .to_string()
            .contains("Ujaran kasar")
    );
    let notes = w.app.store().list_notes(id).await.unwrap();
    assert!(notes[0].text.contains("Ujaran kasar"));
}

#[tokio::test]
async fn credentials_are_sealed_at_rest_and_never_shown() {
    let w = world().await;
    let supervisor = App::cli_actor();
    let operator = actor(&w.app, Role::Operator, Some(w.dinkes), "operator.dinkes").await;
    let given = Credentials {
        access_token: Some("secret-token-123".into()),
        platform_user_id: Some("12345".into()),
        ..Credentials::default()
    };
    assert!(matches!(
        w.app
            .set_account_credentials(&operator, w.account.id, given.clone())
            .await,
        Err(AppError::Forbidden)
    ));
    let summary = w
        .app
        .set_account_credentials(&supervisor, w.account.id, given)
        .await
        .unwrap();
    assert!(summary.access_token);
    let raw = w
        .app
        .store()
        .account_credentials(w.account.id)
        .await
        .unwrap()
        .unwrap();
    assert!(!raw.windows(16).any(|b| b == b"secret-token-123"));
    // An empty field keeps the stored value.
    w.app
        .set_account_credentials(
            &supervisor,
            w.account.id,
            Credentials {
                webhook_secret: Some("whsec".into()),
                ..Credentials::default()
            },
        )
        .await
        .unwrap();
    let opened = w
        .app
        .account_credentials(w.account.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(opened.access_token.as_deref(), Some("secret-token-123"));
    assert_eq!(opened.webhook_secret.as_deref(), Some("whsec"));
    let audit = w
        .app
        .store()
        .query_audit(&AuditQuery {
            limit: 1000,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert!(
        audit
            .iter()
            .all(|e| !format!("{:?}", e.after).contains("secret-token"))
    );
}

#[tokio::test]
async fn a_reply_left_sending_by_a_crash_is_handed_to_a_person_not_resent() {
    let w = world().await;
    let report = w
        .app
        .ingest(
            &AuditActor::system(),
            &w.account,
            vec![inbound("stuck1", "jadwal posyandu bulan ini kapan ya?", 30)],
            None,
        )
        .await
        .unwrap();
    let operator = actor(&w.app, Role::Operator, Some(w.dinkes), "operator.dinkes").await;
    let now = w.app.clock().now();
    let reply = |minutes_ago: i64| humas_store::Reply {
        id: humas_store::ReplyId(uuid::Uuid::now_v7()),
        message: report.inserted[0],
        text: "Posyandu dibuka Sabtu pukul 08.00 WIB.".into(),
        state: ReplyState::Sending,
        drafted_by: operator.user_id,
        approved_by: None,
        external_id: None,
        error: None,
        created_at: now - jiff::SignedDuration::from_mins(minutes_ago),
        updated_at: now - jiff::SignedDuration::from_mins(minutes_ago),
    };
    let old = reply(30);
    let fresh = reply(1);
    for r in [&old, &fresh] {
        w.app
            .store()
            .create_reply(&AuditActor::system(), r)
            .await
            .unwrap();
    }
    let sends_before = w.gateway.replies.load(Ordering::SeqCst);
    let settled = w
        .app
        .settle_stuck_replies(jiff::SignedDuration::from_mins(10))
        .await
        .unwrap();
    assert_eq!(settled, 1, "only the one stuck for longer than ten minutes");
    let stored = w.app.store().get_reply(old.id).await.unwrap();
    assert_eq!(stored.state, ReplyState::Failed);
    assert!(
        stored
            .error
            .as_deref()
            .unwrap()
            .contains("check on the platform")
    );
    assert_eq!(
        w.app.store().get_reply(fresh.id).await.unwrap().state,
        ReplyState::Sending,
        "a send still under way is left alone"
    );
    assert_eq!(
        w.gateway.replies.load(Ordering::SeqCst),
        sends_before,
        "nothing is sent again by itself"
    );
}
