//! The inbox conformance suite: what every [`Store`] backend must do with messages, search,
//! workflow, notes, replies, saved replies, privacy erasure, retention, routing rules, holidays,
//! response standards and compliance figures.
//!
//! A backend crate runs it with [`inbox_conformance_tests!`], giving the same fixture function
//! as for [`conformance_tests!`](crate::conformance_tests). Every case starts from an empty,
//! migrated store and asserts only what the doc comments of [`Store`] promise, so SQLite and
//! PostgreSQL must give identical answers.

#![expect(
    clippy::unwrap_used,
    reason = "a conformance failure should stop the test at the failing line"
)]

use std::sync::Arc;

use humas_domain::inbox::{
    Author, Category, ExternalId, Flags, HateCategory, HateStrength, HateTarget, Inbound, Message,
    MessageAnalysis, MessageKind, PiiKind, Sentiment, Status, Workflow,
};
use humas_domain::routing::RoutingRule;
use humas_domain::sla::{ClockPolicy, Holiday, HolidayKind};
use humas_domain::{
    Account, AccountHandle, AccountId, AccountStatus, DisplayName, Locale, MessageId, NoteId, Opd,
    OpdId, OpdKind, OpdName, Platform, Role, RoutingRuleId, Slug, User, UserId, UserZone, Username,
    verify_chain,
};
use jiff::{SignedDuration, Timestamp};
use uuid::Uuid;

use crate::{
    AssigneeFilter, AuditActor, AuditQuery, ComplianceQuery, ComplianceRow, Cursor, DeadlineFilter,
    MessageQuery, Note, Reply, ReplyId, ReplyState, SavedReply, SavedReplyId, Store, StoreError,
};

/// Generates one `#[tokio::test]` per inbox conformance case, each with its own fixture
/// (the same [`Fixture`](crate::conformance::Fixture) as [`conformance_tests!`](crate::conformance_tests)).
#[macro_export]
macro_rules! inbox_conformance_tests {
    ($make:path) => {
        $crate::inbox_conformance_tests!(@cases $make;
            inbox_ingest_dedupes_saves_cursor_and_audits,
            inbox_ingest_refuses_unknown_references_atomically,
            inbox_message_round_trips_every_field,
            inbox_list_filters_alone_and_combined,
            inbox_keyset_pages_have_no_gaps_or_repeats,
            inbox_search_matches_whole_tokens,
            inbox_thread_lists_root_and_replies,
            inbox_workflow_update_is_audited_and_moves_next_due,
            inbox_reroute_moves_message_to_other_opd,
            inbox_notes_are_listed_oldest_first,
            inbox_replies_change_state_by_compare_and_set,
            inbox_saved_replies_per_opd_and_province,
            inbox_erase_texts_keeps_figures_and_leaves_search,
            inbox_erase_author_deletes_messages_notes_and_replies,
            inbox_retention_settings_round_trip,
            inbox_routing_rules_crud_and_order,
            inbox_holidays_put_replace_delete_and_range,
            inbox_clock_policies_set_and_replace,
            inbox_compliance_counts_per_opd_and_assignee,
        );
    };
    (@cases $make:path; $($case:ident),+ $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                use $crate::conformance::Fixture as _;
                let fixture = $make().await;
                $crate::conformance_inbox::$case(fixture.store()).await;
                fixture.finish().await;
            }
        )+
    };
}

// --- Helpers ---------------------------------------------------------------------------------

/// A fixed point in time the cases count from: 2026-11-28 00:00 UTC.
#[must_use]
pub fn t0() -> Timestamp {
    "2026-11-28T00:00:00Z".parse().unwrap()
}

/// `t0()` plus (or minus) whole minutes.
#[must_use]
pub fn at_minute(minutes: i64) -> Timestamp {
    t0() + SignedDuration::from_mins(minutes)
}

/// `t0()` plus (or minus) whole hours.
#[must_use]
pub fn at_hour(hours: i64) -> Timestamp {
    t0() + SignedDuration::from_hours(hours)
}

/// A test OPD (kind Dinas, no parent).
#[must_use]
pub fn test_opd(slug: &str, name: &str) -> Opd {
    Opd {
        id: OpdId::generate(),
        slug: Slug::parse(slug).unwrap(),
        name: OpdName::parse(name).unwrap(),
        kind: OpdKind::Dinas,
        parent: None,
    }
}

/// A test account, active.
#[must_use]
pub fn test_account(opd: OpdId, platform: Platform, handle: &str) -> Account {
    Account {
        id: AccountId::generate(),
        opd,
        platform,
        handle: AccountHandle::parse(handle).unwrap(),
        api_base_url: None,
        status: AccountStatus::Active,
    }
}

/// A test operator of `opd`.
#[must_use]
pub fn test_user(name: &str, opd: Option<OpdId>) -> User {
    User {
        id: UserId::generate(),
        username: Username::parse(name).unwrap(),
        display_name: DisplayName::parse(name).unwrap(),
        role: if opd.is_some() {
            Role::Operator
        } else {
            Role::Supervisor
        },
        opd,
        locale: Locale::Id,
        zone: UserZone::Wib,
        active: true,
    }
}

/// A plain message on `account`: a comment by `@warga`, neutral, no workflow, published and
/// received at `published_at`, with search terms `teks`.
#[must_use]
pub fn test_message(account: &Account, external_id: &str, published_at: Timestamp) -> Message {
    Message {
        id: MessageId::generate(),
        account: account.id,
        opd: account.opd,
        routed_by: None,
        inbound: Inbound {
            platform: account.platform,
            external_id: ExternalId::parse(external_id).unwrap(),
            kind: MessageKind::Comment,
            author: Author::parse("@warga", Some("Warga")).unwrap(),
            text: format!("pesan {external_id}"),
            title: None,
            permalink: None,
            parent_external_id: None,
            thread_external_id: None,
            published_at,
        },
        author_key: "kunci-penulis".into(),
        received_at: published_at,
        erased_at: None,
        analysis: MessageAnalysis {
            sentiment: Some(Sentiment::Neutral),
            search_terms: "teks".into(),
            ..MessageAnalysis::default()
        },
        workflow: Workflow::default(),
    }
}

/// Two OPDs, an account on each (X for `a`, Instagram for `b`), two operators of `a` and the
/// actor that makes the changes; all stored.
pub struct World {
    /// Who makes the changes.
    pub by: AuditActor,
    /// First OPD (created first, so its id sorts first).
    pub opd_a: Opd,
    /// Second OPD.
    pub opd_b: Opd,
    /// An X account of `opd_a`.
    pub acc_a: Account,
    /// An Instagram account of `opd_b`.
    pub acc_b: Account,
    /// An operator of `opd_a`.
    pub op: User,
    /// Another operator of `opd_a`.
    pub op2: User,
}

/// Stores a [`World`].
pub async fn world(store: &dyn Store) -> World {
    let by = AuditActor::user(UserId::generate(), "supervisor.test");
    let opd_a = test_opd("dinkes", "Dinas Kesehatan");
    let opd_b = test_opd("dinsos", "Dinas Sosial");
    store.create_opd(&by, &opd_a).await.unwrap();
    store.create_opd(&by, &opd_b).await.unwrap();
    let acc_a = test_account(opd_a.id, Platform::X, "@dinkesjatim");
    let acc_b = test_account(opd_b.id, Platform::Instagram, "@dinsosjatim");
    store.create_account(&by, &acc_a).await.unwrap();
    store.create_account(&by, &acc_b).await.unwrap();
    let op = test_user("operator.satu", Some(opd_a.id));
    let op2 = test_user("operator.dua", Some(opd_a.id));
    store.create_user(&by, &op, "h").await.unwrap();
    store.create_user(&by, &op2, "h").await.unwrap();
    World {
        by,
        opd_a,
        opd_b,
        acc_a,
        acc_b,
        op,
        op2,
    }
}

async fn ingest_all(store: &dyn Store, w: &World, batch: &[Message]) {
    let out = store.ingest_messages(&w.by, batch, None).await.unwrap();
    assert_eq!(out.inserted.len(), batch.len(), "test data has duplicates");
}

async fn audit_count(store: &dyn Store) -> usize {
    store.audit_chain_page(0, 100_000).await.unwrap().len()
}

async fn audit_with_action(store: &dyn Store, action: &str) -> Vec<humas_domain::AuditEntry> {
    store
        .query_audit(&AuditQuery {
            action_prefix: Some(action.into()),
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == action)
        .collect()
}

async fn assert_chain_ok(store: &dyn Store) {
    let entries = store.audit_chain_page(0, 100_000).await.unwrap();
    verify_chain(&entries).unwrap();
}

async fn page(store: &dyn Store, q: MessageQuery) -> Vec<MessageId> {
    store
        .list_messages(&q)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .collect()
}

fn ids(ms: &[&Message]) -> Vec<MessageId> {
    ms.iter().map(|m| m.id).collect()
}

/// Whether `needle` occurs anywhere in `haystack` (as the value itself, an array item or an
/// object value, at any depth).
fn json_contains(haystack: &serde_json::Value, needle: &serde_json::Value) -> bool {
    haystack == needle
        || match haystack {
            serde_json::Value::Array(items) => items.iter().any(|v| json_contains(v, needle)),
            serde_json::Value::Object(map) => map.values().any(|v| json_contains(v, needle)),
            _ => false,
        }
}

fn search(terms: &[&str]) -> MessageQuery {
    MessageQuery {
        terms: terms.iter().map(|t| (*t).to_owned()).collect(),
        ..MessageQuery::default()
    }
}

// --- Ingest ----------------------------------------------------------------------------------

/// Duplicates (stored and within the batch) are skipped and counted, the cursor is saved with
/// the batch, and one `message.ingest` entry is written only when something was inserted.
pub async fn inbox_ingest_dedupes_saves_cursor_and_audits(store: Arc<dyn Store>) {
    let w = world(&*store).await;
    let m1 = test_message(&w.acc_a, "1001", at_minute(1));
    let m2 = test_message(&w.acc_a, "1002", at_minute(2));
    let mut m1_again = test_message(&w.acc_a, "1001", at_minute(9));
    m1_again.inbound.text = "versi lain".into();
    let m3 = test_message(&w.acc_a, "1003", at_minute(3));
    let cursor = |value: &str| Cursor {
        account: w.acc_a.id,
        key: "since_id".into(),
        value: value.into(),
    };
    let audits_before = audit_count(&*store).await;

    let out = store
        .ingest_messages(
            &w.by,
            &[m1.clone(), m2.clone(), m1_again.clone(), m3.clone()],
            Some(&cursor("1003")),
        )
        .await
        .unwrap();
    assert_eq!(out.inserted, vec![m1.id, m2.id, m3.id]);
    assert_eq!(out.duplicates, 1);
    assert_eq!(
        store
            .cursor(w.acc_a.id, "since_id")
            .await
            .unwrap()
            .as_deref(),
        Some("1003")
    );
    assert_eq!(store.get_message(m1.id).await.unwrap(), m1);
    assert!(matches!(
        store.get_message(m1_again.id).await,
        Err(StoreError::NotFound("message"))
    ));

    let entries = audit_with_action(&*store, "message.ingest").await;
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert_eq!(e.target_kind, "ingest");
    assert_eq!(e.opd, None);
    assert!(e.before.is_none());
    let after = e.after.as_deref().unwrap();
    assert!(after.contains(&w.acc_a.id.to_string()), "{after}");
    assert!(!after.contains("versi lain") && !after.contains("pesan 1001"));
    assert_eq!(audit_count(&*store).await, audits_before + 1);

    // A stored duplicate with a different text leaves the stored message as it was.
    let m4 = test_message(&w.acc_a, "1004", at_minute(4));
    let out = store
        .ingest_messages(
            &w.by,
            &[m1_again.clone(), m4.clone()],
            Some(&cursor("1004")),
        )
        .await
        .unwrap();
    assert_eq!(out.inserted, vec![m4.id]);
    assert_eq!(out.duplicates, 1);
    assert_eq!(
        store.get_message(m1.id).await.unwrap().inbound.text,
        "pesan 1001"
    );
    assert_eq!(audit_count(&*store).await, audits_before + 2);

    // Nothing new: no audit entry, but the cursor still moves.
    let out = store
        .ingest_messages(&w.by, &[m2.clone(), m3.clone()], Some(&cursor("1005")))
        .await
        .unwrap();
    assert!(out.inserted.is_empty());
    assert_eq!(out.duplicates, 2);
    assert_eq!(audit_count(&*store).await, audits_before + 2);
    assert_eq!(
        store
            .cursor(w.acc_a.id, "since_id")
            .await
            .unwrap()
            .as_deref(),
        Some("1005")
    );

    // The same external id on another platform is another message.
    let other_platform = test_message(&w.acc_b, "1001", at_minute(5));
    let out = store
        .ingest_messages(&w.by, std::slice::from_ref(&other_platform), None)
        .await
        .unwrap();
    assert_eq!(out.inserted, vec![other_platform.id]);
    assert_eq!(
        store
            .message_by_external_id(Platform::Instagram, "1001")
            .await
            .unwrap(),
        other_platform
    );
    assert_eq!(
        store
            .message_by_external_id(Platform::X, "1001")
            .await
            .unwrap(),
        m1
    );
    assert!(matches!(
        store.message_by_external_id(Platform::X, "9999").await,
        Err(StoreError::NotFound("message"))
    ));

    // Cursors without messages: saved, replaced, per key and account, not audited.
    let audits = audit_count(&*store).await;
    store
        .set_cursor(&Cursor {
            account: w.acc_b.id,
            key: "etag".into(),
            value: "W/\"abc\"".into(),
        })
        .await
        .unwrap();
    store
        .set_cursor(&Cursor {
            account: w.acc_b.id,
            key: "etag".into(),
            value: "W/\"def\"".into(),
        })
        .await
        .unwrap();
    assert_eq!(
        store.cursor(w.acc_b.id, "etag").await.unwrap().as_deref(),
        Some("W/\"def\"")
    );
    assert_eq!(store.cursor(w.acc_a.id, "etag").await.unwrap(), None);
    assert_eq!(store.cursor(w.acc_b.id, "since_id").await.unwrap(), None);
    assert_eq!(audit_count(&*store).await, audits);

    // An empty batch with a cursor saves the cursor only.
    let out = store
        .ingest_messages(&w.by, &[], Some(&cursor("2000")))
        .await
        .unwrap();
    assert_eq!((out.inserted.len(), out.duplicates), (0, 0));
    assert_eq!(
        store
            .cursor(w.acc_a.id, "since_id")
            .await
            .unwrap()
            .as_deref(),
        Some("2000")
    );
    assert_eq!(audit_count(&*store).await, audits);
    assert_chain_ok(&*store).await;
}

/// A batch pointing at an unknown account or OPD is refused whole: no message, no cursor, no
/// audit entry.
pub async fn inbox_ingest_refuses_unknown_references_atomically(store: Arc<dyn Store>) {
    let w = world(&*store).await;
    let good = test_message(&w.acc_a, "2001", at_minute(1));
    let mut ghost_account = test_message(&w.acc_a, "2002", at_minute(2));
    ghost_account.account = AccountId::generate();
    let cursor = Cursor {
        account: w.acc_a.id,
        key: "since_id".into(),
        value: "2002".into(),
    };
    let audits = audit_count(&*store).await;
    let err = store
        .ingest_messages(&w.by, &[good.clone(), ghost_account], Some(&cursor))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::UnknownReference("account")),
        "{err:?}"
    );

    let mut ghost_opd = test_message(&w.acc_a, "2003", at_minute(3));
    ghost_opd.opd = OpdId::generate();
    let err = store
        .ingest_messages(&w.by, &[good.clone(), ghost_opd], Some(&cursor))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::UnknownReference("opd")),
        "{err:?}"
    );

    assert!(matches!(
        store.get_message(good.id).await,
        Err(StoreError::NotFound("message"))
    ));
    assert_eq!(store.cursor(w.acc_a.id, "since_id").await.unwrap(), None);
    assert_eq!(audit_count(&*store).await, audits);

    // The good message alone goes in.
    let out = store
        .ingest_messages(&w.by, std::slice::from_ref(&good), Some(&cursor))
        .await
        .unwrap();
    assert_eq!(out.inserted, vec![good.id]);
}

/// Every field of a message comes back as it was stored: `Some` and `None` everywhere, flags,
/// scores, microsecond times and a fingerprint with the top bit set.
pub async fn inbox_message_round_trips_every_field(store: Arc<dyn Store>) {
    let w = world(&*store).await;
    let rule = RoutingRule {
        id: RoutingRuleId::generate(),
        name: "Jalan rusak".into(),
        opd: w.opd_a.id,
        expression: "jalan AND rusak".into(),
        priority: 1,
        enabled: true,
    };
    store.create_routing_rule(&w.by, &rule).await.unwrap();
    let t = |s: &str| -> Timestamp { s.parse().unwrap() };

    let full = Message {
        id: MessageId::generate(),
        account: w.acc_a.id,
        opd: w.opd_b.id,
        routed_by: Some(rule.id),
        inbound: Inbound {
            platform: Platform::X,
            external_id: ExternalId::parse("1800000000000000001").unwrap(),
            kind: MessageKind::Reply,
            author: Author::parse("@Warga_SBY", Some("Warga Surabaya ✓")).unwrap(),
            text: "Jalan di Jl. Ahmad Yani rusak 😡 \"tolong\" 'segera'; -- DROP TABLE".into(),
            title: Some("Judul berita".into()),
            permalink: Some("https://x.com/warga_sby/status/1800000000000000001".into()),
            parent_external_id: Some(ExternalId::parse("1799999999999999999").unwrap()),
            thread_external_id: Some(ExternalId::parse("1799999999999999000").unwrap()),
            published_at: t("2026-11-27T23:59:58.123456Z"),
        },
        author_key: "a1b2c3d4e5f6".into(),
        received_at: t("2026-11-28T00:00:01.654321Z"),
        erased_at: Some(t("2026-11-29T01:02:03.000001Z")),
        analysis: MessageAnalysis {
            sentiment: Some(Sentiment::Negative),
            sentiment_score: 0.873_21,
            abusive: true,
            abusive_score: 0.612_5,
            hate_speech: true,
            hate_score: 0.999_999,
            hate_target: Some(HateTarget::Group),
            hate_categories: Flags::EMPTY
                .with(HateCategory::Religion.index())
                .with(HateCategory::Other.index()),
            hate_strength: Some(HateStrength::Strong),
            threat: true,
            pii: Flags::EMPTY
                .with(PiiKind::Nik.index())
                .with(PiiKind::Address.index()),
            fingerprint: 0xF00D_0000_DEAD_BEEF,
            search_terms: "jalan ahmad yani rusak tolong segera".into(),
        },
        workflow: Workflow {
            status: Status::AwaitingApproval,
            assignee: Some(w.op.id),
            category: Some(Category::Complaint),
            suggested_category: Some(Category::FieldCheck),
            first_response_due: Some(t("2026-12-03T16:59:59.999999Z")),
            resolution_due: Some(t("2026-12-07T17:00:00Z")),
            first_response_at: Some(t("2026-11-28T02:00:00.5Z")),
            resolved_at: Some(t("2026-11-30T08:00:00Z")),
        },
    };
    let sparse = Message {
        id: MessageId::generate(),
        account: w.acc_b.id,
        opd: w.opd_b.id,
        routed_by: None,
        inbound: Inbound {
            platform: Platform::Instagram,
            external_id: ExternalId::parse("17895695668004550").unwrap(),
            kind: MessageKind::Direct,
            author: Author::parse("warga2", None).unwrap(),
            text: String::new(),
            title: None,
            permalink: None,
            parent_external_id: None,
            thread_external_id: None,
            published_at: t("1999-01-01T00:00:00Z"),
        },
        author_key: String::new(),
        received_at: t("2026-11-28T00:00:00Z"),
        erased_at: None,
        analysis: MessageAnalysis {
            fingerprint: u64::MAX,
            ..MessageAnalysis::default()
        },
        workflow: Workflow::default(),
    };
    let mut zero = test_message(&w.acc_b, "zero-fp", at_minute(1));
    zero.analysis.fingerprint = 0;
    zero.analysis.sentiment = Some(Sentiment::Positive);
    zero.inbound.kind = MessageKind::News;
    zero.workflow.status = Status::Closed;
    ingest_all(&*store, &w, &[full.clone(), sparse.clone(), zero.clone()]).await;

    assert_eq!(store.get_message(full.id).await.unwrap(), full);
    assert_eq!(store.get_message(sparse.id).await.unwrap(), sparse);
    assert_eq!(store.get_message(zero.id).await.unwrap(), zero);
    assert_eq!(
        store
            .message_by_external_id(Platform::X, "1800000000000000001")
            .await
            .unwrap(),
        full
    );
    // Pages decode the same way.
    let listed = store.list_messages(&MessageQuery::default()).await.unwrap();
    assert_eq!(listed, vec![zero, full, sparse]);
    assert!(matches!(
        store.get_message(MessageId::generate()).await,
        Err(StoreError::NotFound("message"))
    ));
}

// --- Listing ---------------------------------------------------------------------------------

/// Six messages with different analysis and workflow, published at minutes 1–6 (m6 newest).
struct FilterSet {
    m1: Message,
    m2: Message,
    m3: Message,
    m4: Message,
    m5: Message,
    m6: Message,
}

fn filter_set(w: &World) -> FilterSet {
    let hate = |c: HateCategory| Flags::EMPTY.with(c.index());
    // m1: X, negative, abusive, suggested complaint, new, nobody.
    let mut m1 = test_message(&w.acc_a, "f1", at_minute(1));
    m1.analysis.sentiment = Some(Sentiment::Negative);
    m1.analysis.abusive = true;
    m1.workflow.suggested_category = Some(Category::Complaint);
    // m2: X, positive, hate (religion), information request set over suggested complaint,
    // assigned to op.
    let mut m2 = test_message(&w.acc_a, "f2", at_minute(2));
    m2.analysis.sentiment = Some(Sentiment::Positive);
    m2.analysis.hate_speech = true;
    m2.analysis.hate_categories = hate(HateCategory::Religion);
    m2.workflow.category = Some(Category::InformationRequest);
    m2.workflow.suggested_category = Some(Category::Complaint);
    m2.workflow.status = Status::Assigned;
    m2.workflow.assignee = Some(w.op.id);
    // m3: Instagram, neutral, hate (race), phone number, complaint, closed.
    let mut m3 = test_message(&w.acc_b, "f3", at_minute(3));
    m3.analysis.hate_speech = true;
    m3.analysis.hate_categories = hate(HateCategory::Race);
    m3.analysis.pii = Flags::EMPTY.with(PiiKind::Phone.index());
    m3.workflow.category = Some(Category::Complaint);
    m3.workflow.status = Status::Closed;
    // m4: Instagram, negative, NOT hate speech although the religion bit is set, suggested
    // dispute, new.
    let mut m4 = test_message(&w.acc_b, "f4", at_minute(4));
    m4.analysis.sentiment = Some(Sentiment::Negative);
    m4.analysis.hate_categories = hate(HateCategory::Religion);
    m4.workflow.suggested_category = Some(Category::Dispute);
    // m5: X, no sentiment, NIK, assigned to op2.
    let mut m5 = test_message(&w.acc_a, "f5", at_minute(5));
    m5.analysis.sentiment = None;
    m5.analysis.pii = Flags::EMPTY.with(PiiKind::Nik.index());
    m5.workflow.status = Status::Assigned;
    m5.workflow.assignee = Some(w.op2.id);
    // m6: Instagram, negative, abusive, not actionable set over suggested complaint, replied.
    let mut m6 = test_message(&w.acc_b, "f6", at_minute(6));
    m6.analysis.sentiment = Some(Sentiment::Negative);
    m6.analysis.abusive = true;
    m6.workflow.category = Some(Category::NotActionable);
    m6.workflow.suggested_category = Some(Category::Complaint);
    m6.workflow.status = Status::Replied;
    FilterSet {
        m1,
        m2,
        m3,
        m4,
        m5,
        m6,
    }
}

/// Every filter of [`MessageQuery`] on its own, then several combined (AND); newest first.
#[expect(
    clippy::too_many_lines,
    reason = "one case per filter, each a short query and its expected page"
)]
pub async fn inbox_list_filters_alone_and_combined(store: Arc<dyn Store>) {
    let w = world(&*store).await;
    let s = filter_set(&w);
    let (m1, m2, m3, m4, m5, m6) = (&s.m1, &s.m2, &s.m3, &s.m4, &s.m5, &s.m6);
    ingest_all(
        &*store,
        &w,
        &[
            m3.clone(),
            m1.clone(),
            m6.clone(),
            m2.clone(),
            m5.clone(),
            m4.clone(),
        ],
    )
    .await;
    let q = MessageQuery::default;
    let st = &*store;

    assert_eq!(page(st, q()).await, ids(&[m6, m5, m4, m3, m2, m1]));
    // OPDs.
    let only_a = MessageQuery {
        opds: Some(vec![w.opd_a.id]),
        ..q()
    };
    assert_eq!(page(st, only_a).await, ids(&[m5, m2, m1]));
    let both = MessageQuery {
        opds: Some(vec![w.opd_b.id, w.opd_a.id]),
        ..q()
    };
    assert_eq!(page(st, both).await.len(), 6);
    let none = MessageQuery {
        opds: Some(vec![]),
        ..q()
    };
    assert!(page(st, none).await.is_empty());
    let unknown = MessageQuery {
        opds: Some(vec![OpdId::generate()]),
        ..q()
    };
    assert!(page(st, unknown).await.is_empty());
    // Platform and account.
    let x = MessageQuery {
        platform: Some(Platform::X),
        ..q()
    };
    assert_eq!(page(st, x).await, ids(&[m5, m2, m1]));
    let acc_b = MessageQuery {
        account: Some(w.acc_b.id),
        ..q()
    };
    assert_eq!(page(st, acc_b).await, ids(&[m6, m4, m3]));
    // Analysis.
    let negative = MessageQuery {
        sentiment: Some(Sentiment::Negative),
        ..q()
    };
    assert_eq!(page(st, negative).await, ids(&[m6, m4, m1]));
    let neutral = MessageQuery {
        sentiment: Some(Sentiment::Neutral),
        ..q()
    };
    assert_eq!(page(st, neutral).await, ids(&[m3]));
    let abusive = MessageQuery {
        abusive: Some(true),
        ..q()
    };
    assert_eq!(page(st, abusive).await, ids(&[m6, m1]));
    let not_abusive = MessageQuery {
        abusive: Some(false),
        ..q()
    };
    assert_eq!(page(st, not_abusive).await, ids(&[m5, m4, m3, m2]));
    let hate = MessageQuery {
        hate_speech: Some(true),
        ..q()
    };
    assert_eq!(page(st, hate).await, ids(&[m3, m2]));
    let no_hate = MessageQuery {
        hate_speech: Some(false),
        ..q()
    };
    assert_eq!(page(st, no_hate).await, ids(&[m6, m5, m4, m1]));
    // The category bit alone is not enough: the message must be hate speech (m4 is not).
    let religion = MessageQuery {
        hate_category: Some(HateCategory::Religion),
        ..q()
    };
    assert_eq!(page(st, religion).await, ids(&[m2]));
    let race = MessageQuery {
        hate_category: Some(HateCategory::Race),
        ..q()
    };
    assert_eq!(page(st, race).await, ids(&[m3]));
    let gender = MessageQuery {
        hate_category: Some(HateCategory::Gender),
        ..q()
    };
    assert!(page(st, gender).await.is_empty());
    let pii = MessageQuery {
        has_pii: Some(true),
        ..q()
    };
    assert_eq!(page(st, pii).await, ids(&[m5, m3]));
    let no_pii = MessageQuery {
        has_pii: Some(false),
        ..q()
    };
    assert_eq!(page(st, no_pii).await, ids(&[m6, m4, m2, m1]));
    // Category: the operator's, else the suggested one.
    let complaint = MessageQuery {
        category: Some(Category::Complaint),
        ..q()
    };
    assert_eq!(page(st, complaint).await, ids(&[m3, m1]));
    let info = MessageQuery {
        category: Some(Category::InformationRequest),
        ..q()
    };
    assert_eq!(page(st, info).await, ids(&[m2]));
    let dispute = MessageQuery {
        category: Some(Category::Dispute),
        ..q()
    };
    assert_eq!(page(st, dispute).await, ids(&[m4]));
    let not_actionable = MessageQuery {
        category: Some(Category::NotActionable),
        ..q()
    };
    assert_eq!(page(st, not_actionable).await, ids(&[m6]));
    // Workflow.
    let assigned = MessageQuery {
        status: Some(Status::Assigned),
        ..q()
    };
    assert_eq!(page(st, assigned).await, ids(&[m5, m2]));
    let new = MessageQuery {
        status: Some(Status::New),
        ..q()
    };
    assert_eq!(page(st, new).await, ids(&[m4, m1]));
    let open = MessageQuery {
        open_only: true,
        ..q()
    };
    assert_eq!(page(st, open).await, ids(&[m5, m4, m2, m1]));
    let open_assigned = MessageQuery {
        open_only: true,
        status: Some(Status::Assigned),
        ..q()
    };
    assert_eq!(page(st, open_assigned).await, ids(&[m5, m2]));
    let nobody = MessageQuery {
        assignee: AssigneeFilter::Nobody,
        ..q()
    };
    assert_eq!(page(st, nobody).await, ids(&[m6, m4, m3, m1]));
    let to_op = MessageQuery {
        assignee: AssigneeFilter::User(w.op.id),
        ..q()
    };
    assert_eq!(page(st, to_op).await, ids(&[m2]));
    // Publication window: from is inclusive, to exclusive.
    let from = MessageQuery {
        published_from: Some(at_minute(3)),
        ..q()
    };
    assert_eq!(page(st, from).await, ids(&[m6, m5, m4, m3]));
    let to = MessageQuery {
        published_to: Some(at_minute(3)),
        ..q()
    };
    assert_eq!(page(st, to).await, ids(&[m2, m1]));
    let window = MessageQuery {
        published_from: Some(at_minute(2)),
        published_to: Some(at_minute(5)),
        ..q()
    };
    assert_eq!(page(st, window).await, ids(&[m4, m3, m2]));

    // Combined.
    let negative_new_instagram = MessageQuery {
        opds: Some(vec![w.opd_a.id, w.opd_b.id]),
        platform: Some(Platform::Instagram),
        sentiment: Some(Sentiment::Negative),
        status: Some(Status::New),
        ..q()
    };
    assert_eq!(page(st, negative_new_instagram).await, ids(&[m4]));
    let hate_on_a = MessageQuery {
        account: Some(w.acc_a.id),
        hate_speech: Some(true),
        assignee: AssigneeFilter::User(w.op.id),
        ..q()
    };
    assert_eq!(page(st, hate_on_a).await, ids(&[m2]));
    let abusive_without_pii_on_b = MessageQuery {
        opds: Some(vec![w.opd_b.id]),
        abusive: Some(true),
        has_pii: Some(false),
        category: Some(Category::Complaint),
        ..q()
    };
    assert!(page(st, abusive_without_pii_on_b).await.is_empty());
    let contradiction = MessageQuery {
        platform: Some(Platform::X),
        account: Some(w.acc_b.id),
        ..q()
    };
    assert!(page(st, contradiction).await.is_empty());

    // Page size is clamped to 1..=200.
    let zero = MessageQuery { limit: 0, ..q() };
    assert_eq!(page(st, zero).await, ids(&[m6]));
    let two = MessageQuery { limit: 2, ..q() };
    assert_eq!(page(st, two).await, ids(&[m6, m5]));
}

/// Pages follow `before` without gaps or repeats, also when many messages share a
/// publication time (ties break by id, newest id first); at most 200 per page.
pub async fn inbox_keyset_pages_have_no_gaps_or_repeats(store: Arc<dyn Store>) {
    let w = world(&*store).await;
    let mut all = Vec::new();
    for i in 0..230_i64 {
        let account = if i % 4 == 0 { &w.acc_b } else { &w.acc_a };
        // Three messages per minute: ties on published_at.
        all.push(test_message(account, &format!("k{i}"), at_minute(i / 3)));
    }
    // Stored in an order unrelated to time.
    let mut shuffled = all.clone();
    shuffled.reverse();
    shuffled.rotate_left(77);
    for chunk in shuffled.chunks(60) {
        ingest_all(&*store, &w, chunk).await;
    }
    let mut expected = all.clone();
    expected.sort_by_key(|m| std::cmp::Reverse((m.inbound.published_at, m.id)));
    let expected: Vec<MessageId> = expected.iter().map(|m| m.id).collect();

    let big = MessageQuery {
        limit: 1000,
        ..MessageQuery::default()
    };
    assert_eq!(page(&*store, big).await, expected[..200].to_vec());

    let collect_pages = |filter: MessageQuery| {
        let store = Arc::clone(&store);
        async move {
            let mut seen = Vec::new();
            let mut before = None;
            loop {
                let got = store
                    .list_messages(&MessageQuery {
                        before,
                        limit: 7,
                        ..filter.clone()
                    })
                    .await
                    .unwrap();
                assert!(got.len() <= 7);
                let Some(last) = got.last() else { break };
                before = Some((last.inbound.published_at, last.id));
                seen.extend(got.iter().map(|m| m.id));
            }
            seen
        }
    };
    assert_eq!(collect_pages(MessageQuery::default()).await, expected);

    let on_a: Vec<MessageId> = {
        let set: std::collections::HashSet<MessageId> = all
            .iter()
            .filter(|m| m.account == w.acc_a.id)
            .map(|m| m.id)
            .collect();
        expected
            .iter()
            .copied()
            .filter(|id| set.contains(id))
            .collect()
    };
    let filtered = MessageQuery {
        account: Some(w.acc_a.id),
        ..MessageQuery::default()
    };
    assert_eq!(collect_pages(filtered).await, on_a);

    // `before` is strict: the message it names is not on the next page.
    let first = store
        .list_messages(&MessageQuery {
            limit: 1,
            ..MessageQuery::default()
        })
        .await
        .unwrap();
    let next = store
        .list_messages(&MessageQuery {
            limit: 1,
            before: Some((first[0].inbound.published_at, first[0].id)),
            ..MessageQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(next[0].id, expected[1]);
}

// --- Search ----------------------------------------------------------------------------------

/// Search terms match whole tokens only, every term must occur (AND), digits are part of a
/// token: the semantics of PostgreSQL `to_tsvector('simple', …) @@ to_tsquery('simple', 'a & b')`
/// and of SQLite FTS5 on `[a-z0-9]` stems.
pub async fn inbox_search_matches_whole_tokens(store: Arc<dyn Store>) {
    let w = world(&*store).await;
    let with_terms = |ext: &str, minute: i64, terms: &str, account: &Account| {
        let mut m = test_message(account, ext, at_minute(minute));
        m.analysis.search_terms = terms.into();
        m
    };
    let s1 = with_terms("s1", 1, "banjir jalan rusak", &w.acc_a);
    let s2 = with_terms("s2", 2, "jalan tol macet", &w.acc_a);
    let s3 = with_terms("s3", 3, "covid19 vaksin", &w.acc_b);
    let s4 = with_terms("s4", 4, "banjirbandang surabaya", &w.acc_a);
    let s5 = with_terms("s5", 5, "covid vaksin 19", &w.acc_a);
    let s6 = with_terms("s6", 6, "", &w.acc_b);
    let s7 = with_terms("s7", 7, "rusak rusak jalan 2026", &w.acc_b);
    ingest_all(
        &*store,
        &w,
        &[
            s1.clone(),
            s2.clone(),
            s3.clone(),
            s4.clone(),
            s5.clone(),
            s6.clone(),
            s7.clone(),
        ],
    )
    .await;
    let st = &*store;

    assert_eq!(page(st, search(&["banjir"])).await, ids(&[&s1]));
    assert_eq!(page(st, search(&["jalan"])).await, ids(&[&s7, &s2, &s1]));
    assert_eq!(
        page(st, search(&["jalan", "rusak"])).await,
        ids(&[&s7, &s1])
    );
    assert_eq!(
        page(st, search(&["rusak", "jalan"])).await,
        ids(&[&s7, &s1])
    );
    assert_eq!(
        page(st, search(&["jalan", "rusak", "banjir"])).await,
        ids(&[&s1])
    );
    assert!(page(st, search(&["jalan", "vaksin"])).await.is_empty());
    // A prefix, a suffix or the middle of a stored word does not match.
    assert!(page(st, search(&["banj"])).await.is_empty());
    assert!(page(st, search(&["anjir"])).await.is_empty());
    assert!(page(st, search(&["bandang"])).await.is_empty());
    assert!(page(st, search(&["sura"])).await.is_empty());
    assert_eq!(page(st, search(&["banjirbandang"])).await, ids(&[&s4]));
    // Letters and digits together are one token.
    assert_eq!(page(st, search(&["covid19"])).await, ids(&[&s3]));
    assert_eq!(page(st, search(&["covid"])).await, ids(&[&s5]));
    assert_eq!(page(st, search(&["19"])).await, ids(&[&s5]));
    assert_eq!(page(st, search(&["2026"])).await, ids(&[&s7]));
    assert!(
        page(st, search(&["covid", "19", "covid19"]))
            .await
            .is_empty()
    );
    assert_eq!(page(st, search(&["vaksin"])).await, ids(&[&s5, &s3]));
    // A word nobody used.
    assert!(page(st, search(&["gempa"])).await.is_empty());
    // Search combines with the other filters and with pages.
    let on_b = MessageQuery {
        account: Some(w.acc_b.id),
        ..search(&["vaksin"])
    };
    assert_eq!(page(st, on_b).await, ids(&[&s3]));
    let first = MessageQuery {
        limit: 1,
        ..search(&["jalan"])
    };
    assert_eq!(page(st, first).await, ids(&[&s7]));
    let next = MessageQuery {
        limit: 2,
        before: Some((s7.inbound.published_at, s7.id)),
        ..search(&["jalan"])
    };
    assert_eq!(page(st, next).await, ids(&[&s2, &s1]));
    // A workflow change does not disturb the index.
    let assigned = Workflow {
        status: Status::Assigned,
        assignee: Some(w.op.id),
        ..Workflow::default()
    };
    store
        .update_workflow(&w.by, s1.id, "message.assign", &assigned)
        .await
        .unwrap();
    assert_eq!(page(st, search(&["banjir"])).await, ids(&[&s1]));
    let assigned_jalan = MessageQuery {
        status: Some(Status::Assigned),
        ..search(&["jalan"])
    };
    assert_eq!(page(st, assigned_jalan).await, ids(&[&s1]));
}

// --- Threads ---------------------------------------------------------------------------------

/// A thread is its root and every message naming it as thread, on the same platform, oldest
/// first, at most `limit`.
pub async fn inbox_thread_lists_root_and_replies(store: Arc<dyn Store>) {
    let w = world(&*store).await;
    let root = test_message(&w.acc_a, "post-1", at_minute(1));
    let in_thread = |ext: &str, minute: i64, thread: &str, account: &Account| {
        let mut m = test_message(account, ext, at_minute(minute));
        m.inbound.kind = MessageKind::Reply;
        m.inbound.thread_external_id = Some(ExternalId::parse(thread).unwrap());
        m.inbound.parent_external_id = Some(ExternalId::parse(thread).unwrap());
        m
    };
    let c2 = in_thread("c2", 3, "post-1", &w.acc_a);
    let c1 = in_thread("c1", 2, "post-1", &w.acc_a);
    let other_thread = in_thread("c3", 4, "post-2", &w.acc_a);
    let other_platform = in_thread("c4", 5, "post-1", &w.acc_b);
    ingest_all(
        &*store,
        &w,
        &[
            c2.clone(),
            other_thread,
            root.clone(),
            other_platform,
            c1.clone(),
        ],
    )
    .await;
    let thread = store
        .thread_messages(Platform::X, "post-1", 50)
        .await
        .unwrap();
    assert_eq!(thread, vec![root.clone(), c1.clone(), c2]);
    let first_two = store
        .thread_messages(Platform::X, "post-1", 2)
        .await
        .unwrap();
    assert_eq!(
        ids(&first_two.iter().collect::<Vec<_>>()),
        ids(&[&root, &c1])
    );
    assert!(
        store
            .thread_messages(Platform::X, "post-9", 50)
            .await
            .unwrap()
            .is_empty()
    );
    // A thread whose root was never fetched still lists its replies.
    let orphans = store
        .thread_messages(Platform::Instagram, "post-1", 50)
        .await
        .unwrap();
    assert_eq!(orphans.len(), 1);
}

// --- Workflow --------------------------------------------------------------------------------

/// A workflow update is stored, audited with before and after, and moves the next-due time
/// that the deadline filters use (overdue: before now; due: in `[now, until)`; none due).
#[expect(
    clippy::too_many_lines,
    reason = "one scenario: deadlines before and after two updates"
)]
pub async fn inbox_workflow_update_is_audited_and_moves_next_due(store: Arc<dyn Store>) {
    let w = world(&*store).await;
    let now = t0();
    let with_due = |ext: &str, minute: i64, first: Option<i64>, resolution: Option<i64>| {
        let mut m = test_message(&w.acc_a, ext, at_minute(minute));
        m.workflow.first_response_due = first.map(at_hour);
        m.workflow.resolution_due = resolution.map(at_hour);
        m
    };
    // Due in an hour; resolution in five days.
    let soon = with_due("w1", -60, Some(1), Some(120));
    // No deadline.
    let free = with_due("w2", -50, None, None);
    // First response an hour overdue.
    let late = with_due("w3", -40, Some(-1), Some(100));
    // Due exactly now: not yet overdue.
    let edge = with_due("w4", -30, Some(0), None);
    // Closed: deadlines no longer count.
    let mut closed = with_due("w5", -20, Some(-5), Some(-2));
    closed.workflow.status = Status::Closed;
    ingest_all(
        &*store,
        &w,
        &[
            soon.clone(),
            free.clone(),
            late.clone(),
            edge.clone(),
            closed.clone(),
        ],
    )
    .await;
    let st = &*store;
    let deadline = |d: DeadlineFilter| MessageQuery {
        deadline: Some(d),
        ..MessageQuery::default()
    };
    let overdue = || deadline(DeadlineFilter::Overdue { now });
    let due_within = |hours: i64| {
        deadline(DeadlineFilter::DueBefore {
            now,
            until: at_hour(hours),
        })
    };
    let none_due = || deadline(DeadlineFilter::NoneDue);

    assert_eq!(page(st, overdue()).await, ids(&[&late]));
    assert_eq!(page(st, due_within(2)).await, ids(&[&edge, &soon]));
    assert_eq!(page(st, due_within(1)).await, ids(&[&edge]));
    assert_eq!(page(st, none_due()).await, ids(&[&closed, &free]));

    // First response given: the resolution deadline becomes the next one.
    let answered = Workflow {
        status: Status::Assigned,
        assignee: Some(w.op.id),
        category: Some(Category::Complaint),
        first_response_at: Some(at_minute(30)),
        ..soon.workflow.clone()
    };
    store
        .update_workflow(&w.by, soon.id, "message.assign", &answered)
        .await
        .unwrap();
    assert_eq!(store.get_message(soon.id).await.unwrap().workflow, answered);
    assert_eq!(page(st, due_within(2)).await, ids(&[&edge]));
    assert_eq!(page(st, due_within(121)).await, ids(&[&edge, &soon]));
    assert_eq!(page(st, overdue()).await, ids(&[&late]));

    // Resolved and closed: nothing due any more.
    let done = Workflow {
        status: Status::Closed,
        first_response_at: Some(at_minute(10)),
        resolved_at: Some(at_minute(20)),
        ..late.workflow.clone()
    };
    store
        .update_workflow(&w.by, late.id, "message.close", &done)
        .await
        .unwrap();
    assert!(page(st, overdue()).await.is_empty());
    assert_eq!(page(st, none_due()).await, ids(&[&closed, &late, &free]));

    // Reopened without a first response: overdue again.
    let reopened = Workflow {
        status: Status::New,
        first_response_at: None,
        resolved_at: None,
        ..late.workflow.clone()
    };
    store
        .update_workflow(&w.by, late.id, "message.reopen", &reopened)
        .await
        .unwrap();
    assert_eq!(page(st, overdue()).await, ids(&[&late]));

    // Deadline filters combine with the others.
    let overdue_assigned = MessageQuery {
        status: Some(Status::Assigned),
        ..overdue()
    };
    assert!(page(st, overdue_assigned).await.is_empty());

    // The audit entries carry the action given, the OPD, and before/after workflows.
    let log = audit_with_action(st, "message.assign").await;
    assert_eq!(log.len(), 1);
    let e = &log[0];
    assert_eq!(e.target_kind, "message");
    assert_eq!(e.target_id, soon.id.to_string());
    assert_eq!(e.opd, Some(w.opd_a.id));
    let before: serde_json::Value = serde_json::from_str(e.before.as_deref().unwrap()).unwrap();
    let after: serde_json::Value = serde_json::from_str(e.after.as_deref().unwrap()).unwrap();
    assert_eq!(before, serde_json::to_value(&soon.workflow).unwrap());
    assert_eq!(after, serde_json::to_value(&answered).unwrap());
    assert_eq!(audit_with_action(st, "message.close").await.len(), 1);
    assert_eq!(audit_with_action(st, "message.reopen").await.len(), 1);

    let audits = audit_count(st).await;
    assert!(matches!(
        store
            .update_workflow(&w.by, MessageId::generate(), "message.assign", &answered)
            .await,
        Err(StoreError::NotFound("message"))
    ));
    assert_eq!(audit_count(st).await, audits);
    assert_chain_ok(st).await;
}

/// Re-routing moves a message to another OPD's inbox, audited; unknown messages are
/// `NotFound`.
pub async fn inbox_reroute_moves_message_to_other_opd(store: Arc<dyn Store>) {
    let w = world(&*store).await;
    let m = test_message(&w.acc_a, "r1", at_minute(1));
    ingest_all(&*store, &w, std::slice::from_ref(&m)).await;
    store
        .reroute_message(&w.by, m.id, w.opd_b.id)
        .await
        .unwrap();
    assert_eq!(store.get_message(m.id).await.unwrap().opd, w.opd_b.id);
    let in_b = MessageQuery {
        opds: Some(vec![w.opd_b.id]),
        ..MessageQuery::default()
    };
    assert_eq!(page(&*store, in_b).await, vec![m.id]);
    let in_a = MessageQuery {
        opds: Some(vec![w.opd_a.id]),
        ..MessageQuery::default()
    };
    assert!(page(&*store, in_a).await.is_empty());
    let log = store
        .query_audit(&AuditQuery {
            limit: 1,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(log[0].target_id, m.id.to_string());
    assert!(matches!(
        store
            .reroute_message(&w.by, MessageId::generate(), w.opd_b.id)
            .await,
        Err(StoreError::NotFound("message"))
    ));
    // An OPD that does not exist is refused and nothing moves.
    assert!(
        store
            .reroute_message(&w.by, m.id, OpdId::generate())
            .await
            .is_err()
    );
    assert_eq!(store.get_message(m.id).await.unwrap().opd, w.opd_b.id);
    assert_chain_ok(&*store).await;
}

// --- Notes, replies, saved replies -----------------------------------------------------------

/// Notes are stored, listed per message oldest first and audited.
pub async fn inbox_notes_are_listed_oldest_first(store: Arc<dyn Store>) {
    let w = world(&*store).await;
    let m = test_message(&w.acc_a, "n1", at_minute(1));
    let other = test_message(&w.acc_a, "n2", at_minute(2));
    ingest_all(&*store, &w, &[m.clone(), other.clone()]).await;
    let note = |text: &str, minute: i64| Note {
        id: NoteId::generate(),
        message: m.id,
        author: w.op.id,
        author_name: w.op.username.to_string(),
        text: text.into(),
        created_at: at_minute(minute),
    };
    let later = note("Sudah diteruskan ke UPT", 20);
    let earlier = note("Cek lokasi dulu", 10);
    let audits = audit_count(&*store).await;
    store.add_note(&w.by, &later).await.unwrap();
    store.add_note(&w.by, &earlier).await.unwrap();
    assert_eq!(
        store.list_notes(m.id).await.unwrap(),
        vec![earlier.clone(), later]
    );
    assert!(store.list_notes(other.id).await.unwrap().is_empty());
    assert_eq!(audit_count(&*store).await, audits + 2);

    let orphan = Note {
        id: NoteId::generate(),
        message: MessageId::generate(),
        ..earlier
    };
    let err = store.add_note(&w.by, &orphan).await.unwrap_err();
    assert!(
        matches!(err, StoreError::UnknownReference("message")),
        "{err:?}"
    );
    assert_eq!(audit_count(&*store).await, audits + 2);
    assert_chain_ok(&*store).await;
}

/// Replies move from state to state only from the state the caller expects; a stale second
/// approver gets `Conflict("reply_state")` and changes nothing.
#[expect(
    clippy::too_many_lines,
    reason = "one reply's whole life, then a failed one"
)]
pub async fn inbox_replies_change_state_by_compare_and_set(store: Arc<dyn Store>) {
    let w = world(&*store).await;
    let approver = test_user("kabid.ikp", Some(w.opd_a.id));
    store.create_user(&w.by, &approver, "h").await.unwrap();
    let m = test_message(&w.acc_a, "rp1", at_minute(1));
    ingest_all(&*store, &w, std::slice::from_ref(&m)).await;
    let draft = Reply {
        id: ReplyId(Uuid::now_v7()),
        message: m.id,
        text: "Terima kasih, laporan sudah kami teruskan.".into(),
        state: ReplyState::AwaitingApproval,
        drafted_by: w.op.id,
        approved_by: None,
        external_id: None,
        error: None,
        created_at: at_minute(10),
        updated_at: at_minute(10),
    };
    store.create_reply(&w.by, &draft).await.unwrap();
    assert_eq!(store.get_reply(draft.id).await.unwrap(), draft);

    let approved = Reply {
        state: ReplyState::Approved,
        approved_by: Some(approver.id),
        updated_at: at_minute(11),
        ..draft.clone()
    };
    store
        .update_reply(
            &w.by,
            "reply.approve",
            ReplyState::AwaitingApproval,
            &approved,
        )
        .await
        .unwrap();
    let stored = store.get_reply(draft.id).await.unwrap();
    assert_eq!(stored.state, ReplyState::Approved);
    assert_eq!(stored.approved_by, Some(approver.id));

    // A second approver working from the old state loses.
    let audits = audit_count(&*store).await;
    let rejected = Reply {
        state: ReplyState::Rejected,
        error: Some("bahasa kurang sopan".into()),
        ..draft.clone()
    };
    let err = store
        .update_reply(
            &w.by,
            "reply.reject",
            ReplyState::AwaitingApproval,
            &rejected,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict("reply_state")),
        "{err:?}"
    );
    let stored = store.get_reply(draft.id).await.unwrap();
    assert_eq!(stored.state, ReplyState::Approved);
    assert_eq!(stored.error, None);
    assert_eq!(audit_count(&*store).await, audits);

    let sending = Reply {
        state: ReplyState::Sending,
        updated_at: at_minute(12),
        ..approved.clone()
    };
    store
        .update_reply(&w.by, "reply.send", ReplyState::Approved, &sending)
        .await
        .unwrap();
    // Left in `sending` since minute 12: found when asked about anything older than minute 13,
    // not when asked about older than minute 12.
    let stuck = store.stuck_replies(at_minute(13), 10).await.unwrap();
    assert_eq!(
        stuck.iter().map(|r| r.id).collect::<Vec<_>>(),
        vec![draft.id]
    );
    assert!(
        store
            .stuck_replies(at_minute(12), 10)
            .await
            .unwrap()
            .is_empty()
    );
    // Two senders racing: only one may hand it to the platform.
    let err = store
        .update_reply(&w.by, "reply.send", ReplyState::Approved, &sending)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict("reply_state")),
        "{err:?}"
    );
    let sent = Reply {
        state: ReplyState::Sent,
        external_id: Some("1800000000000000999".into()),
        updated_at: at_minute(13),
        ..sending.clone()
    };
    store
        .update_reply(&w.by, "reply.sent", ReplyState::Sending, &sent)
        .await
        .unwrap();
    let stored = store.get_reply(draft.id).await.unwrap();
    assert_eq!(stored.state, ReplyState::Sent);
    assert_eq!(stored.approved_by, Some(approver.id));
    assert_eq!(stored.external_id.as_deref(), Some("1800000000000000999"));
    assert_eq!(stored.text, draft.text);
    assert_eq!(stored.drafted_by, w.op.id);
    assert_eq!(stored.created_at, draft.created_at);

    let log = audit_with_action(&*store, "reply.sent").await;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].opd, Some(w.opd_a.id));
    assert!(log[0].before.as_deref().unwrap().contains("sending"));
    assert!(
        log[0]
            .after
            .as_deref()
            .unwrap()
            .contains("1800000000000000999")
    );

    // A failed send keeps its error.
    let second = Reply {
        id: ReplyId(Uuid::now_v7()),
        state: ReplyState::Approved,
        created_at: at_minute(5),
        updated_at: at_minute(5),
        ..draft.clone()
    };
    store.create_reply(&w.by, &second).await.unwrap();
    let failed = Reply {
        state: ReplyState::Failed,
        error: Some("rate limited (HTTP 429)".into()),
        updated_at: at_minute(6),
        ..second.clone()
    };
    store
        .update_reply(&w.by, "reply.fail", ReplyState::Approved, &failed)
        .await
        .unwrap();
    let stored = store.get_reply(second.id).await.unwrap();
    assert_eq!(stored.state, ReplyState::Failed);
    assert_eq!(stored.error.as_deref(), Some("rate limited (HTTP 429)"));

    // Oldest first.
    let listed: Vec<ReplyId> = store
        .list_replies(m.id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(listed, vec![second.id, draft.id]);

    assert!(matches!(
        store.get_reply(ReplyId(Uuid::now_v7())).await,
        Err(StoreError::NotFound("reply"))
    ));
    let orphan = Reply {
        id: ReplyId(Uuid::now_v7()),
        message: MessageId::generate(),
        ..draft
    };
    let err = store.create_reply(&w.by, &orphan).await.unwrap_err();
    assert!(
        matches!(err, StoreError::UnknownReference("message")),
        "{err:?}"
    );
    assert_chain_ok(&*store).await;
}

/// An OPD sees its own saved replies and the province-wide ones, by title; `None` lists all.
pub async fn inbox_saved_replies_per_opd_and_province(store: Arc<dyn Store>) {
    let w = world(&*store).await;
    let saved = |opd: Option<OpdId>, title: &str| SavedReply {
        id: SavedReplyId(Uuid::now_v7()),
        opd,
        title: title.into(),
        body: format!("Yth. {{nama}}, {title} dari {{opd}}."),
    };
    let own = saved(Some(w.opd_a.id), "Jawaban banjir");
    let theirs = saved(Some(w.opd_b.id), "Balasan bansos");
    let province = saved(None, "Terima kasih");
    let audits = audit_count(&*store).await;
    for s in [&own, &theirs, &province] {
        store.put_saved_reply(&w.by, s).await.unwrap();
    }
    assert_eq!(
        store.list_saved_replies(Some(w.opd_a.id)).await.unwrap(),
        vec![own.clone(), province.clone()]
    );
    assert_eq!(
        store.list_saved_replies(Some(w.opd_b.id)).await.unwrap(),
        vec![theirs.clone(), province.clone()]
    );
    assert_eq!(
        store.list_saved_replies(None).await.unwrap(),
        vec![theirs.clone(), own.clone(), province.clone()]
    );

    // Putting an existing id replaces it.
    let renamed = SavedReply {
        title: "Aduan banjir".into(),
        body: "Baru".into(),
        ..own.clone()
    };
    store.put_saved_reply(&w.by, &renamed).await.unwrap();
    assert_eq!(
        store.list_saved_replies(Some(w.opd_a.id)).await.unwrap(),
        vec![renamed, province.clone()]
    );

    store.delete_saved_reply(&w.by, theirs.id).await.unwrap();
    assert_eq!(
        store.list_saved_replies(Some(w.opd_b.id)).await.unwrap(),
        vec![province]
    );
    assert!(matches!(
        store.delete_saved_reply(&w.by, theirs.id).await,
        Err(StoreError::NotFound("saved_reply"))
    ));
    assert_eq!(audit_count(&*store).await, audits + 5);
    assert_chain_ok(&*store).await;
}

// --- Privacy ---------------------------------------------------------------------------------

/// Retention erases the text, title, author, permalink and search terms of one account's
/// messages received before the cut-off, keeps the figures and workflow, and search no longer
/// finds them.
pub async fn inbox_erase_texts_keeps_figures_and_leaves_search(store: Arc<dyn Store>) {
    let w = world(&*store).await;
    let received = |account: &Account, ext: &str, hours: i64| {
        let mut m = test_message(account, ext, at_hour(hours - 1));
        m.received_at = at_hour(hours);
        m.inbound.title = Some("Judul".into());
        m.inbound.permalink = Some(format!("https://x.com/warga/status/{ext}"));
        m.analysis.search_terms = "banjir sidoarjo".into();
        m.analysis.sentiment = Some(Sentiment::Negative);
        m.analysis.hate_score = 0.25;
        m.analysis.fingerprint = 0x8000_0000_0000_0042;
        m.workflow.status = Status::Assigned;
        m.workflow.assignee = Some(w.op.id);
        m
    };
    let old = received(&w.acc_a, "e1", -240);
    let at_cutoff = received(&w.acc_a, "e2", -120);
    let recent = received(&w.acc_a, "e3", -24);
    let old_elsewhere = received(&w.acc_b, "e4", -240);
    ingest_all(
        &*store,
        &w,
        &[
            old.clone(),
            at_cutoff.clone(),
            recent.clone(),
            old_elsewhere.clone(),
        ],
    )
    .await;
    let audits = audit_count(&*store).await;
    let erased = store
        .erase_texts(&w.by, w.acc_a.id, at_hour(-120), t0())
        .await
        .unwrap();
    assert_eq!(erased, 1);
    assert_eq!(audit_count(&*store).await, audits + 1);

    let got = store.get_message(old.id).await.unwrap();
    assert_eq!(got.erased_at, Some(t0()));
    assert!(got.inbound.text.is_empty());
    assert!(got.inbound.title.as_deref().unwrap_or("").is_empty());
    assert!(got.inbound.author.handle.is_empty());
    assert!(
        got.inbound
            .author
            .display_name
            .as_deref()
            .unwrap_or("")
            .is_empty()
    );
    assert!(got.inbound.permalink.as_deref().unwrap_or("").is_empty());
    assert!(got.analysis.search_terms.is_empty());
    // Figures, key, ids and workflow stay.
    assert_eq!(got.analysis.sentiment, old.analysis.sentiment);
    assert_eq!(got.analysis.hate_score, old.analysis.hate_score);
    assert_eq!(got.analysis.fingerprint, old.analysis.fingerprint);
    assert_eq!(got.author_key, old.author_key);
    assert_eq!(got.workflow, old.workflow);
    assert_eq!(got.inbound.external_id, old.inbound.external_id);
    assert_eq!(got.inbound.published_at, old.inbound.published_at);
    assert_eq!(got.received_at, old.received_at);
    // The cut-off is exclusive, and other accounts are untouched.
    assert_eq!(store.get_message(at_cutoff.id).await.unwrap(), at_cutoff);
    assert_eq!(store.get_message(recent.id).await.unwrap(), recent);
    assert_eq!(
        store.get_message(old_elsewhere.id).await.unwrap(),
        old_elsewhere
    );
    assert_eq!(
        page(&*store, search(&["banjir"])).await,
        ids(&[&recent, &at_cutoff, &old_elsewhere])
    );
    assert_eq!(
        page(&*store, search(&["sidoarjo", "banjir"])).await.len(),
        3
    );

    // Erased messages are not erased again (their erased_at stays).
    let later: Timestamp = at_hour(24);
    let erased = store
        .erase_texts(&w.by, w.acc_a.id, at_hour(-23), later)
        .await
        .unwrap();
    assert_eq!(erased, 2);
    assert_eq!(
        store.get_message(old.id).await.unwrap().erased_at,
        Some(t0())
    );
    assert_eq!(
        store.get_message(recent.id).await.unwrap().erased_at,
        Some(later)
    );
    assert_eq!(
        page(&*store, search(&["banjir"])).await,
        ids(&[&old_elsewhere])
    );
    // Still listed by the other filters.
    let on_a = MessageQuery {
        account: Some(w.acc_a.id),
        sentiment: Some(Sentiment::Negative),
        ..MessageQuery::default()
    };
    assert_eq!(page(&*store, on_a).await.len(), 3);
    assert_chain_ok(&*store).await;
}

/// An erasure request deletes every message of the handle on that platform (case-insensitive)
/// with its notes and replies; the audit entry names the platform and count, not the handle.
#[expect(
    clippy::too_many_lines,
    reason = "one request and everything it must reach"
)]
pub async fn inbox_erase_author_deletes_messages_notes_and_replies(store: Arc<dyn Store>) {
    let w = world(&*store).await;
    let by_author = |account: &Account, ext: &str, handle: &str| {
        let mut m = test_message(account, ext, at_minute(1));
        m.inbound.author = Author::parse(handle, Some("Budi")).unwrap();
        m.analysis.search_terms = "lapor pungli".into();
        m
    };
    let a1 = by_author(&w.acc_a, "a1", "@Warga_SBY");
    let a2 = by_author(&w.acc_a, "a2", "@warga_sby");
    let same_handle_elsewhere = by_author(&w.acc_b, "a3", "@warga_sby");
    let someone_else = by_author(&w.acc_a, "a4", "@warga_sby2");
    ingest_all(
        &*store,
        &w,
        &[
            a1.clone(),
            a2.clone(),
            same_handle_elsewhere.clone(),
            someone_else.clone(),
        ],
    )
    .await;
    let note = Note {
        id: NoteId::generate(),
        message: a1.id,
        author: w.op.id,
        author_name: w.op.username.to_string(),
        text: "Pelapor minta identitas dirahasiakan".into(),
        created_at: at_minute(2),
    };
    store.add_note(&w.by, &note).await.unwrap();
    let reply = Reply {
        id: ReplyId(Uuid::now_v7()),
        message: a2.id,
        text: "Terima kasih atas laporannya.".into(),
        state: ReplyState::Sent,
        drafted_by: w.op.id,
        approved_by: None,
        external_id: Some("r-1".into()),
        error: None,
        created_at: at_minute(3),
        updated_at: at_minute(3),
    };
    store.create_reply(&w.by, &reply).await.unwrap();
    let audits = audit_count(&*store).await;

    let deleted = store
        .erase_author(&w.by, Platform::X, "@WARGA_sby")
        .await
        .unwrap();
    assert_eq!(deleted, 2);
    for id in [a1.id, a2.id] {
        assert!(matches!(
            store.get_message(id).await,
            Err(StoreError::NotFound("message"))
        ));
    }
    assert!(store.list_notes(a1.id).await.unwrap().is_empty());
    assert!(store.list_replies(a2.id).await.unwrap().is_empty());
    assert!(matches!(
        store.get_reply(reply.id).await,
        Err(StoreError::NotFound("reply"))
    ));
    assert_eq!(
        store.get_message(same_handle_elsewhere.id).await.unwrap(),
        same_handle_elsewhere
    );
    assert_eq!(
        store.get_message(someone_else.id).await.unwrap(),
        someone_else
    );
    assert_eq!(
        page(&*store, search(&["pungli"])).await.len(),
        2,
        "deleted messages must leave the search index"
    );
    // Their external ids are free again: a re-fetch is a new message, not a duplicate.
    let refetched = by_author(&w.acc_a, "a1", "@warga_sby");
    let out = store
        .ingest_messages(&w.by, std::slice::from_ref(&refetched), None)
        .await
        .unwrap();
    assert_eq!(out.inserted, vec![refetched.id]);

    let entries = store.audit_chain_page(0, 100_000).await.unwrap();
    assert_eq!(entries.len(), audits + 2);
    for e in &entries {
        let text = format!("{} {:?} {:?}", e.target_id, e.before, e.after).to_lowercase();
        assert!(
            !text.contains("warga_sby"),
            "handle leaked into audit: {text}"
        );
    }
    let erasure = &entries[audits];
    let after: serde_json::Value =
        serde_json::from_str(erasure.after.as_deref().unwrap_or("null")).unwrap();
    assert!(
        json_contains(&after, &serde_json::json!(2)),
        "the count is missing from the audit entry: {after}"
    );
    assert!(
        json_contains(&after, &serde_json::json!("x")) || erasure.target_id == "x",
        "the platform is missing from the audit entry: {after}"
    );

    // Nobody by that handle: nothing deleted, still one audit entry.
    let deleted = store
        .erase_author(&w.by, Platform::Mastodon, "@warga_sby")
        .await
        .unwrap();
    assert_eq!(deleted, 0);
    assert_eq!(audit_count(&*store).await, audits + 3);
    assert_chain_ok(&*store).await;
}

/// Retention periods per account: set, replaced, removed; each change audited.
pub async fn inbox_retention_settings_round_trip(store: Arc<dyn Store>) {
    let w = world(&*store).await;
    assert!(store.retention_settings().await.unwrap().is_empty());
    let audits = audit_count(&*store).await;
    store
        .set_retention(&w.by, w.acc_a.id, Some(30))
        .await
        .unwrap();
    store
        .set_retention(&w.by, w.acc_b.id, Some(365))
        .await
        .unwrap();
    let sorted = |mut v: Vec<(AccountId, u32)>| {
        v.sort();
        v
    };
    assert_eq!(
        sorted(store.retention_settings().await.unwrap()),
        sorted(vec![(w.acc_a.id, 30), (w.acc_b.id, 365)])
    );
    store
        .set_retention(&w.by, w.acc_b.id, Some(90))
        .await
        .unwrap();
    store.set_retention(&w.by, w.acc_a.id, None).await.unwrap();
    assert_eq!(
        store.retention_settings().await.unwrap(),
        vec![(w.acc_b.id, 90)]
    );
    assert_eq!(audit_count(&*store).await, audits + 4);
    assert_chain_ok(&*store).await;
}

// --- Routing, calendar, response clock -------------------------------------------------------

/// Routing rules are created, listed by priority then name, replaced and removed, each audited.
pub async fn inbox_routing_rules_crud_and_order(store: Arc<dyn Store>) {
    let w = world(&*store).await;
    let rule = |name: &str, priority: i32, opd: OpdId| RoutingRule {
        id: RoutingRuleId::generate(),
        name: name.into(),
        opd,
        expression: format!("\"{name}\""),
        priority,
        enabled: true,
    };
    let b = rule("B jalan", 20, w.opd_a.id);
    let z = rule("Z bansos", 10, w.opd_b.id);
    let a = rule("A banjir", 20, w.opd_a.id);
    let audits = audit_count(&*store).await;
    for r in [&b, &z, &a] {
        store.create_routing_rule(&w.by, r).await.unwrap();
    }
    assert_eq!(
        store.list_routing_rules().await.unwrap(),
        vec![z.clone(), a.clone(), b.clone()]
    );

    let b2 = RoutingRule {
        priority: -5,
        enabled: false,
        opd: w.opd_b.id,
        expression: "jalan AND (rusak OR berlubang)".into(),
        ..b.clone()
    };
    store.update_routing_rule(&w.by, &b2).await.unwrap();
    assert_eq!(
        store.list_routing_rules().await.unwrap(),
        vec![b2.clone(), z.clone(), a.clone()]
    );
    store.delete_routing_rule(&w.by, z.id).await.unwrap();
    assert_eq!(
        store.list_routing_rules().await.unwrap(),
        vec![b2, a.clone()]
    );
    assert_eq!(audit_count(&*store).await, audits + 5);

    assert!(matches!(
        store.delete_routing_rule(&w.by, z.id).await,
        Err(StoreError::NotFound("routing_rule"))
    ));
    assert!(matches!(
        store.update_routing_rule(&w.by, &z).await,
        Err(StoreError::NotFound("routing_rule"))
    ));
    let ghost = rule("Ghost", 1, OpdId::generate());
    let err = store.create_routing_rule(&w.by, &ghost).await.unwrap_err();
    assert!(
        matches!(err, StoreError::UnknownReference("opd")),
        "{err:?}"
    );
    assert_eq!(audit_count(&*store).await, audits + 5);
    assert_chain_ok(&*store).await;
}

/// Days off: put, renamed by putting the same date, removed, listed by date within an
/// inclusive range.
pub async fn inbox_holidays_put_replace_delete_and_range(store: Arc<dyn Store>) {
    let by = AuditActor::user(UserId::generate(), "supervisor.test");
    let day = |d: &str, name: &str, kind: HolidayKind| Holiday {
        date: d.parse().unwrap(),
        name: name.into(),
        kind,
    };
    let christmas = day("2026-12-25", "Hari Raya Natal", HolidayKind::National);
    let eve = day("2026-12-24", "Cuti bersama Natal", HolidayKind::JointLeave);
    let new_year = day(
        "2027-01-01",
        "Tahun Baru 2027 Masehi",
        HolidayKind::National,
    );
    let early = day(
        "2026-01-01",
        "Tahun Baru 2026 Masehi",
        HolidayKind::National,
    );
    for h in [&christmas, &new_year, &eve, &early] {
        store.put_holiday(&by, h).await.unwrap();
    }
    let range = |from: &str, to: &str| {
        let store = Arc::clone(&store);
        let (from, to) = (from.parse().unwrap(), to.parse().unwrap());
        async move { store.list_holidays(from, to).await.unwrap() }
    };
    assert_eq!(
        range("2026-12-01", "2026-12-31").await,
        vec![eve.clone(), christmas.clone()]
    );
    assert_eq!(
        range("2026-12-25", "2027-01-01").await,
        vec![christmas.clone(), new_year.clone()]
    );
    assert!(range("2026-02-01", "2026-11-30").await.is_empty());
    assert_eq!(range("2026-01-01", "2027-12-31").await.len(), 4);

    let renamed = Holiday {
        name: "Cuti bersama Hari Raya Natal".into(),
        kind: HolidayKind::Regional,
        ..eve.clone()
    };
    store.put_holiday(&by, &renamed).await.unwrap();
    assert_eq!(
        range("2026-12-24", "2026-12-24").await,
        vec![renamed.clone()]
    );
    assert_eq!(range("2026-01-01", "2027-12-31").await.len(), 4);

    store.delete_holiday(&by, eve.date).await.unwrap();
    assert_eq!(
        range("2026-12-01", "2026-12-31").await,
        vec![christmas.clone()]
    );
    assert!(matches!(
        store.delete_holiday(&by, eve.date).await,
        Err(StoreError::NotFound("holiday"))
    ));
    assert_eq!(audit_count(&*store).await, 6);
    assert_chain_ok(&*store).await;
}

/// Response standards per OPD: set, replaced, listed; unknown OPDs refused.
pub async fn inbox_clock_policies_set_and_replace(store: Arc<dyn Store>) {
    let w = world(&*store).await;
    assert!(store.clock_policies().await.unwrap().is_empty());
    let strict = ClockPolicy {
        first_response_days: 1,
        information_request_days: 3,
        complaint_days: 4,
        dispute_days: 10,
        field_check_days: 30,
        working_days: false,
    };
    let audits = audit_count(&*store).await;
    store
        .set_clock_policy(&w.by, w.opd_a.id, &strict)
        .await
        .unwrap();
    store
        .set_clock_policy(&w.by, w.opd_b.id, &ClockPolicy::default())
        .await
        .unwrap();
    let sorted = |v: Vec<humas_domain::sla::OpdClockPolicy>| {
        let mut v: Vec<(OpdId, ClockPolicy)> = v.into_iter().map(|p| (p.opd, p.policy)).collect();
        v.sort_by_key(|(o, _)| *o);
        v
    };
    assert_eq!(
        sorted(store.clock_policies().await.unwrap()),
        vec![(w.opd_a.id, strict), (w.opd_b.id, ClockPolicy::default())]
    );
    let relaxed = ClockPolicy {
        field_check_days: 90,
        working_days: true,
        ..strict
    };
    store
        .set_clock_policy(&w.by, w.opd_a.id, &relaxed)
        .await
        .unwrap();
    assert_eq!(
        sorted(store.clock_policies().await.unwrap()),
        vec![(w.opd_a.id, relaxed), (w.opd_b.id, ClockPolicy::default())]
    );
    assert_eq!(audit_count(&*store).await, audits + 3);
    let err = store
        .set_clock_policy(&w.by, OpdId::generate(), &strict)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::UnknownReference("opd")),
        "{err:?}"
    );
    assert_eq!(audit_count(&*store).await, audits + 3);
}

/// Compliance over messages received in `[from, to)`: met, breached late, breached overdue and
/// unanswered, and still-running deadlines; per OPD and per (OPD, assignee).
#[expect(clippy::too_many_lines, reason = "one scenario with every outcome")]
pub async fn inbox_compliance_counts_per_opd_and_assignee(store: Arc<dyn Store>) {
    let w = world(&*store).await;
    let day = |d: i64| at_hour(24 * d);
    let now = t0();
    // (account, ext, received day, assignee, first due, first at, resolution due, resolved)
    type Spec<'a> = (
        &'a Account,
        &'a str,
        i64,
        Option<UserId>,
        Option<Timestamp>,
        Option<Timestamp>,
        Option<Timestamp>,
        Option<Timestamp>,
    );
    let op = Some(w.op.id);
    let op2 = Some(w.op2.id);
    let specs: Vec<Spec<'_>> = vec![
        // Both met.
        (
            &w.acc_a,
            "c1",
            -7,
            op,
            Some(day(-5)),
            Some(day(-6)),
            Some(day(-2)),
            Some(day(-3)),
        ),
        // First response late.
        (
            &w.acc_a,
            "c2",
            -6,
            op,
            Some(day(-5)),
            Some(day(-4)),
            None,
            None,
        ),
        // First response overdue, never given.
        (&w.acc_a, "c3", -3, op2, Some(day(-1)), None, None, None),
        // First response still running.
        (&w.acc_a, "c4", -1, op2, Some(day(1)), None, None, None),
        // First response late; resolution overdue and unresolved.
        (
            &w.acc_a,
            "c5",
            -4,
            None,
            Some(day(-3)),
            Some(day(-3) + SignedDuration::from_hours(1)),
            Some(day(-1)),
            None,
        ),
        // Received before the period: not counted.
        (&w.acc_a, "c6", -8, op, Some(day(-6)), None, None, None),
        // OPD b: answered exactly at the deadline (met); resolution still running.
        (
            &w.acc_b,
            "d1",
            -2,
            None,
            Some(day(-1)),
            Some(day(-1)),
            Some(day(3)),
            None,
        ),
        // Received at the end of the period: not counted.
        (&w.acc_b, "d2", 0, None, Some(day(1)), None, None, None),
    ];
    let batch: Vec<Message> = specs
        .iter()
        .map(|(account, ext, received, assignee, fd, fa, rd, ra)| {
            let mut m = test_message(account, ext, day(*received));
            m.workflow = Workflow {
                status: if ra.is_some() {
                    Status::Closed
                } else if fa.is_some() {
                    Status::Replied
                } else {
                    Status::Assigned
                },
                assignee: *assignee,
                category: Some(Category::Complaint),
                suggested_category: None,
                first_response_due: *fd,
                resolution_due: *rd,
                first_response_at: *fa,
                resolved_at: *ra,
            };
            m
        })
        .collect();
    ingest_all(&*store, &w, &batch).await;

    let query = |opds: Option<Vec<OpdId>>, per_assignee: bool| ComplianceQuery {
        opds,
        from: day(-7),
        to: day(0),
        now,
        per_assignee,
    };
    let row = |opd: &Opd, assignee: Option<UserId>, n: [u64; 6]| ComplianceRow {
        opd: Some(opd.id),
        assignee,
        with_deadline: n[0],
        first_response_met: n[1],
        first_response_breached: n[2],
        resolution_met: n[3],
        resolution_breached: n[4],
        pending: n[5],
    };
    let per_opd = store.compliance(&query(None, false)).await.unwrap();
    assert_eq!(
        per_opd,
        vec![
            row(&w.opd_a, None, [5, 1, 3, 1, 1, 1]),
            row(&w.opd_b, None, [1, 1, 0, 0, 0, 1]),
        ]
    );
    let only_b = store
        .compliance(&query(Some(vec![w.opd_b.id]), false))
        .await
        .unwrap();
    assert_eq!(only_b, vec![row(&w.opd_b, None, [1, 1, 0, 0, 0, 1])]);

    let per_person = store.compliance(&query(None, true)).await.unwrap();
    let mut expected = vec![
        row(&w.opd_a, op, [2, 1, 1, 1, 0, 0]),
        row(&w.opd_a, op2, [2, 0, 1, 0, 0, 1]),
        row(&w.opd_a, None, [1, 0, 1, 0, 1, 0]),
        row(&w.opd_b, None, [1, 1, 0, 0, 0, 1]),
    ];
    for e in &expected {
        assert!(per_person.contains(e), "missing {e:?} in {per_person:?}");
    }
    assert_eq!(per_person.len(), expected.len());
    // Ordered by OPD, then assignee (where the unassigned row goes is not specified).
    let assigned: Vec<_> = per_person.iter().filter(|r| r.assignee.is_some()).collect();
    expected.retain(|r| r.assignee.is_some());
    expected.sort_by_key(|r| (r.opd, r.assignee));
    assert_eq!(assigned, expected.iter().collect::<Vec<_>>());
    let opds: Vec<_> = per_person.iter().map(|r| r.opd).collect();
    let mut sorted_opds = opds.clone();
    sorted_opds.sort();
    assert_eq!(opds, sorted_opds);

    let empty = store
        .compliance(&ComplianceQuery {
            from: day(-30),
            to: day(-20),
            ..query(None, false)
        })
        .await
        .unwrap();
    assert!(empty.is_empty());
}
