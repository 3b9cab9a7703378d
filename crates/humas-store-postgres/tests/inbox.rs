//! PostgreSQL-specific checks of the inbox storage, beyond the shared conformance suite:
//! batch deduplication, whole-word search, deadline columns, compare-and-set replies, erasure
//! and compliance figures, each against a fresh database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use humas_domain::inbox::{
    Author, Category, ExternalId, Flags, HateCategory, Inbound, Message, MessageAnalysis,
    MessageKind, Sentiment, Status, Workflow,
};
use humas_domain::{
    Account, AccountHandle, AccountId, AccountStatus, MessageId, NoteId, Opd, OpdId, OpdKind,
    OpdName, Platform, Slug, UserId, verify_chain,
};
use humas_store::{
    AssigneeFilter, AuditActor, AuditQuery, ComplianceQuery, Cursor, DeadlineFilter, MessageQuery,
    Note, Reply, ReplyId, ReplyState, Store, StoreError,
};
use humas_store_postgres::PgStore;
use humas_store_postgres::testing::TestDatabase;
use jiff::{Timestamp, ToSpan};

struct Env {
    store: PgStore,
    db: TestDatabase,
    opd: OpdId,
    account: AccountId,
}

impl Env {
    async fn new() -> Self {
        let db = TestDatabase::create().await;
        let store = PgStore::connect(&db.url, 4).await.unwrap();
        store.migrate().await.unwrap();
        let opd = Opd {
            id: OpdId::generate(),
            slug: Slug::parse("dinkes").unwrap(),
            name: OpdName::parse("Dinas Kesehatan").unwrap(),
            kind: OpdKind::Dinas,
            parent: None,
        };
        store.create_opd(&by(), &opd).await.unwrap();
        let account = Account {
            id: AccountId::generate(),
            opd: opd.id,
            platform: Platform::X,
            handle: AccountHandle::parse("@dinkesjatim").unwrap(),
            api_base_url: None,
            status: AccountStatus::Active,
        };
        store.create_account(&by(), &account).await.unwrap();
        Self {
            store,
            db,
            opd: opd.id,
            account: account.id,
        }
    }

    async fn finish(self) {
        self.store.close().await;
        self.db.drop_now().await;
    }

    fn message(&self, external_id: &str, text: &str, published: Timestamp) -> Message {
        Message {
            id: MessageId::generate(),
            account: self.account,
            opd: self.opd,
            routed_by: None,
            inbound: Inbound {
                platform: Platform::X,
                external_id: ExternalId::parse(external_id).unwrap(),
                kind: MessageKind::Mention,
                author: Author::parse("@Warga_Sby", Some("Warga")).unwrap(),
                text: text.to_owned(),
                title: None,
                permalink: Some(format!("https://x.com/i/{external_id}")),
                parent_external_id: None,
                thread_external_id: None,
                published_at: published,
            },
            author_key: "k1".to_owned(),
            received_at: published,
            erased_at: None,
            analysis: MessageAnalysis {
                sentiment: Some(Sentiment::Negative),
                sentiment_score: 0.75,
                fingerprint: u64::MAX - 7,
                search_terms: text.to_owned(),
                ..MessageAnalysis::default()
            },
            workflow: Workflow::default(),
        }
    }
}

fn by() -> AuditActor {
    AuditActor::user(UserId::generate(), "operator.test")
}

fn t0() -> Timestamp {
    "2026-11-20T03:00:00Z".parse().unwrap()
}

fn at(minutes: i64) -> Timestamp {
    t0().checked_add(minutes.minutes()).unwrap()
}

fn ids(found: &[Message]) -> Vec<String> {
    found
        .iter()
        .map(|m| m.inbound.external_id.to_string())
        .collect()
}

async fn page(store: &PgStore, q: MessageQuery) -> Vec<String> {
    ids(&store.list_messages(&q).await.unwrap())
}

#[tokio::test]
async fn ingest_dedupes_in_batch_and_against_stored_and_keeps_the_cursor() {
    let env = Env::new().await;
    let s = &env.store;
    let first = vec![env.message("1", "jalan rusak", at(0))];
    let out = s.ingest_messages(&by(), &first, None).await.unwrap();
    assert_eq!(out.inserted, vec![first[0].id]);

    let mut repeat = env.message("2", "banjir", at(1));
    repeat.inbound.text = "a second copy".into();
    let batch = vec![
        env.message("1", "already stored", at(0)),
        env.message("2", "banjir", at(1)),
        repeat,
        env.message("3", "macet", at(2)),
    ];
    let cursor = Cursor {
        account: env.account,
        key: "since_id".into(),
        value: "3".into(),
    };
    let out = s
        .ingest_messages(&by(), &batch, Some(&cursor))
        .await
        .unwrap();
    assert_eq!(out.inserted, vec![batch[1].id, batch[3].id]);
    assert_eq!(out.duplicates, 2);
    assert_eq!(
        s.cursor(env.account, "since_id").await.unwrap().as_deref(),
        Some("3")
    );
    // The stored copy is the first one, unchanged.
    let two = s.message_by_external_id(Platform::X, "2").await.unwrap();
    assert_eq!(two.inbound.text, "banjir");
    assert_eq!(s.get_message(batch[1].id).await.unwrap(), batch[1]);

    // Nothing new: no audit entry, but the cursor still moves.
    let before = s.audit_chain_page(0, 1000).await.unwrap().len();
    let cursor2 = Cursor {
        value: "4".into(),
        ..cursor
    };
    let out = s
        .ingest_messages(&by(), &batch, Some(&cursor2))
        .await
        .unwrap();
    assert!(out.inserted.is_empty());
    assert_eq!(out.duplicates, 4);
    assert_eq!(s.audit_chain_page(0, 1000).await.unwrap().len(), before);
    assert_eq!(
        s.cursor(env.account, "since_id").await.unwrap().as_deref(),
        Some("4")
    );
    let ingests = s
        .query_audit(&AuditQuery {
            action_prefix: Some("message.ingest".into()),
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(ingests.len(), 2);
    assert_eq!(ingests[0].target_kind, "ingest");
    assert!(ingests[0].opd.is_none());
    let after = ingests[0].after.as_ref().unwrap().to_string();
    assert!(after.contains(&env.account.to_string()), "{after}");
    assert!(!after.contains("banjir"), "{after}");
    verify_chain(&s.audit_chain_page(0, 1000).await.unwrap()).unwrap();
    env.finish().await;
}

#[tokio::test]
async fn ingest_refuses_unknown_accounts_and_opds_and_stores_nothing() {
    let env = Env::new().await;
    let s = &env.store;
    let mut stray = env.message("9", "x", at(0));
    stray.account = AccountId::generate();
    let batch = vec![env.message("8", "y", at(0)), stray];
    let err = s.ingest_messages(&by(), &batch, None).await.unwrap_err();
    assert!(
        matches!(err, StoreError::UnknownReference("account")),
        "{err:?}"
    );
    let mut orphan = env.message("7", "z", at(0));
    orphan.opd = OpdId::generate();
    let err = s.ingest_messages(&by(), &[orphan], None).await.unwrap_err();
    assert!(
        matches!(err, StoreError::UnknownReference("opd")),
        "{err:?}"
    );
    assert!(matches!(
        s.message_by_external_id(Platform::X, "8").await,
        Err(StoreError::NotFound("message"))
    ));
    let bad_cursor = Cursor {
        account: AccountId::generate(),
        key: "etag".into(),
        value: "v".into(),
    };
    assert!(matches!(
        s.set_cursor(&bad_cursor).await,
        Err(StoreError::UnknownReference("account"))
    ));
    env.finish().await;
}

#[tokio::test]
async fn search_matches_whole_terms_and_filters_combine() {
    let env = Env::new().await;
    let s = &env.store;
    let mut hate = env.message("h", "ujar benci agama", at(3));
    hate.analysis.hate_speech = true;
    hate.analysis.hate_categories = Flags::EMPTY.with(HateCategory::Religion.index());
    let mut suggested = env.message("s", "jalan rusak parah", at(2));
    suggested.workflow.suggested_category = Some(Category::Complaint);
    let mut overridden = env.message("o", "jalan rusak", at(1));
    overridden.workflow.suggested_category = Some(Category::Complaint);
    overridden.workflow.category = Some(Category::FieldCheck);
    let plain = env.message("p", "jalanan macet", at(0));
    s.ingest_messages(&by(), &[hate, suggested, overridden, plain], None)
        .await
        .unwrap();

    let terms = |t: &[&str]| MessageQuery {
        terms: t.iter().map(|s| (*s).to_owned()).collect(),
        ..MessageQuery::default()
    };
    assert_eq!(page(s, terms(&["jalan"])).await, ["s", "o"]);
    assert_eq!(page(s, terms(&["jalan", "parah"])).await, ["s"]);
    assert_eq!(page(s, terms(&["jal"])).await, Vec::<String>::new());
    assert_eq!(page(s, terms(&["jalan:*"])).await, Vec::<String>::new());
    assert_eq!(page(s, terms(&[])).await, ["h", "s", "o", "p"]);

    let q = MessageQuery {
        hate_category: Some(HateCategory::Religion),
        ..MessageQuery::default()
    };
    assert_eq!(page(s, q).await, ["h"]);
    let q = MessageQuery {
        hate_category: Some(HateCategory::Race),
        ..MessageQuery::default()
    };
    assert!(page(s, q).await.is_empty());
    let q = MessageQuery {
        category: Some(Category::Complaint),
        ..MessageQuery::default()
    };
    assert_eq!(page(s, q).await, ["s"]);
    let q = MessageQuery {
        opds: Some(vec![]),
        ..MessageQuery::default()
    };
    assert!(page(s, q).await.is_empty());
    let q = MessageQuery {
        opds: Some(vec![env.opd]),
        hate_speech: Some(false),
        published_from: Some(at(1)),
        published_to: Some(at(3)),
        ..MessageQuery::default()
    };
    assert_eq!(page(s, q).await, ["s", "o"]);

    // Keyset paging walks everything once, newest first.
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let found = s
            .list_messages(&MessageQuery {
                before,
                limit: 1,
                ..MessageQuery::default()
            })
            .await
            .unwrap();
        let Some(last) = found.last() else { break };
        before = Some((last.inbound.published_at, last.id));
        seen.extend(ids(&found));
    }
    assert_eq!(seen, ["h", "s", "o", "p"]);
    env.finish().await;
}

#[tokio::test]
async fn workflow_updates_keep_the_deadline_column_in_step() {
    let env = Env::new().await;
    let s = &env.store;
    let mut m = env.message("w", "izin usaha", at(0));
    m.workflow.first_response_due = Some(at(60));
    m.workflow.resolution_due = Some(at(600));
    let other = env.message("n", "terima kasih", at(1));
    s.ingest_messages(&by(), &[m.clone(), other], None)
        .await
        .unwrap();

    let overdue = |now| MessageQuery {
        deadline: Some(DeadlineFilter::Overdue { now }),
        ..MessageQuery::default()
    };
    assert_eq!(page(s, overdue(at(61))).await, ["w"]);
    assert!(page(s, overdue(at(59))).await.is_empty());
    let none_due = MessageQuery {
        deadline: Some(DeadlineFilter::NoneDue),
        ..MessageQuery::default()
    };
    assert_eq!(page(s, none_due.clone()).await, ["n"]);

    let assignee = UserId::generate();
    let mut w = m.workflow.clone();
    w.status = Status::Assigned;
    w.assignee = Some(assignee);
    w.first_response_at = Some(at(30));
    s.update_workflow(&by(), m.id, "message.assign", &w)
        .await
        .unwrap();
    assert!(page(s, overdue(at(61))).await.is_empty());
    let due_soon = MessageQuery {
        deadline: Some(DeadlineFilter::DueBefore {
            now: at(61),
            until: at(601),
        }),
        assignee: AssigneeFilter::User(assignee),
        status: Some(Status::Assigned),
        ..MessageQuery::default()
    };
    assert_eq!(page(s, due_soon).await, ["w"]);
    let nobody = MessageQuery {
        assignee: AssigneeFilter::Nobody,
        ..MessageQuery::default()
    };
    assert_eq!(page(s, nobody).await, ["n"]);
    assert_eq!(s.get_message(m.id).await.unwrap().workflow, w);

    w.status = Status::Closed;
    w.resolved_at = Some(at(90));
    s.update_workflow(&by(), m.id, "message.close", &w)
        .await
        .unwrap();
    assert_eq!(page(s, none_due).await, ["n", "w"]);
    let audit = s
        .query_audit(&AuditQuery {
            action_prefix: Some("message.close".into()),
            limit: 5,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].opd, Some(env.opd));
    assert!(matches!(
        s.update_workflow(&by(), MessageId::generate(), "message.close", &w)
            .await,
        Err(StoreError::NotFound("message"))
    ));

    let rows = s
        .compliance(&ComplianceQuery {
            opds: None,
            from: at(0),
            to: at(10),
            now: at(1000),
            per_assignee: false,
        })
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].opd, Some(env.opd));
    assert_eq!(rows[0].with_deadline, 1);
    assert_eq!(rows[0].first_response_met, 1);
    assert_eq!(rows[0].resolution_met, 1);
    assert_eq!(rows[0].first_response_breached + rows[0].pending, 0);
    env.finish().await;
}

fn reply(message: MessageId, state: ReplyState) -> Reply {
    Reply {
        id: ReplyId(uuid::Uuid::now_v7()),
        message,
        text: "Terima kasih, laporan diteruskan.".into(),
        state,
        drafted_by: UserId::generate(),
        approved_by: None,
        external_id: None,
        error: None,
        created_at: at(5),
        updated_at: at(5),
    }
}

#[tokio::test]
async fn replies_change_state_only_from_the_expected_one() {
    let env = Env::new().await;
    let s = &env.store;
    let m = env.message("r", "tolong", at(0));
    s.ingest_messages(&by(), std::slice::from_ref(&m), None)
        .await
        .unwrap();
    let r = reply(m.id, ReplyState::AwaitingApproval);
    s.create_reply(&by(), &r).await.unwrap();
    let approved = Reply {
        state: ReplyState::Approved,
        approved_by: Some(UserId::generate()),
        updated_at: at(6),
        ..r.clone()
    };
    s.update_reply(
        &by(),
        "reply.approve",
        ReplyState::AwaitingApproval,
        &approved,
    )
    .await
    .unwrap();
    let again = s
        .update_reply(
            &by(),
            "reply.approve",
            ReplyState::AwaitingApproval,
            &approved,
        )
        .await;
    assert!(matches!(again, Err(StoreError::Conflict("reply_state"))));
    assert_eq!(s.get_reply(r.id).await.unwrap(), approved);
    assert_eq!(s.list_replies(m.id).await.unwrap(), vec![approved]);
    let stray = reply(MessageId::generate(), ReplyState::Approved);
    assert!(matches!(
        s.create_reply(&by(), &stray).await,
        Err(StoreError::UnknownReference("message"))
    ));
    assert!(matches!(
        s.update_reply(&by(), "reply.send", ReplyState::Approved, &stray)
            .await,
        Err(StoreError::NotFound("reply"))
    ));
    env.finish().await;
}

#[tokio::test]
async fn erasure_blanks_texts_or_deletes_an_authors_messages() {
    let env = Env::new().await;
    let s = &env.store;
    let old = env.message("old", "rumah saya banjir", at(0));
    let mut other_author = env.message("new", "banjir lagi", at(100));
    other_author.inbound.author = Author::parse("@lain", None).unwrap();
    s.ingest_messages(&by(), &[old.clone(), other_author.clone()], None)
        .await
        .unwrap();
    let note = Note {
        id: NoteId::generate(),
        message: old.id,
        author: UserId::generate(),
        author_name: "operator.test".into(),
        text: "cek lokasi".into(),
        created_at: at(1),
    };
    s.add_note(&by(), &note).await.unwrap();
    s.create_reply(&by(), &reply(old.id, ReplyState::Sent))
        .await
        .unwrap();

    let erased = s
        .erase_texts(&by(), env.account, at(50), at(200))
        .await
        .unwrap();
    assert_eq!(erased, 1);
    let m = s.get_message(old.id).await.unwrap();
    assert_eq!(m.inbound.text, "");
    assert_eq!(m.inbound.author.handle, "");
    assert_eq!(m.inbound.permalink, None);
    assert_eq!(m.analysis.search_terms, "");
    assert_eq!(m.analysis.fingerprint, old.analysis.fingerprint);
    assert_eq!(m.analysis.sentiment, old.analysis.sentiment);
    assert_eq!(m.erased_at, Some(at(200)));
    let search = MessageQuery {
        terms: vec!["banjir".into()],
        ..MessageQuery::default()
    };
    assert_eq!(page(s, search).await, ["new"]);
    // Already erased: not counted again.
    assert_eq!(
        s.erase_texts(&by(), env.account, at(50), at(300))
            .await
            .unwrap(),
        0
    );

    let fresh = env.message("again", "masih banjir", at(300));
    s.ingest_messages(&by(), &[fresh], None).await.unwrap();
    s.add_note(
        &by(),
        &Note {
            id: NoteId::generate(),
            message: s
                .message_by_external_id(Platform::X, "again")
                .await
                .unwrap()
                .id,
            ..note
        },
    )
    .await
    .unwrap();
    let deleted = s
        .erase_author(&by(), Platform::X, "@WARGA_SBY")
        .await
        .unwrap();
    assert_eq!(deleted, 1, "the erased message no longer has a handle");
    assert_eq!(page(s, MessageQuery::default()).await, ["new", "old"]);
    let audit = s
        .query_audit(&AuditQuery {
            action_prefix: Some("message.erase_author".into()),
            limit: 5,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    let text = format!("{:?}", audit[0]).to_lowercase();
    assert!(!text.contains("warga_sby"), "{text}");
    verify_chain(&s.audit_chain_page(0, 1000).await.unwrap()).unwrap();
    env.finish().await;
}

#[tokio::test]
async fn search_pages_cross_the_recent_window_in_order() {
    let env = Env::new().await;
    let s = &env.store;
    let day = |d: i64| t0().checked_add((d * 24).hours()).unwrap();
    let mut batch = Vec::new();
    for (ext, d, text) in [
        ("d0", 0, "banjir lama"),
        ("d50", 50, "banjir"),
        ("d90", 90, "jalan"),
        ("d100", 100, "banjir jalan"),
        ("d125", 125, "banjir"),
        ("d129", 129, "macet"),
        ("d130", 130, "banjir baru"),
    ] {
        batch.push(env.message(ext, text, day(d)));
    }
    s.ingest_messages(&by(), &batch, None).await.unwrap();
    let search = |before, limit| MessageQuery {
        terms: vec!["banjir".into()],
        before,
        limit,
        ..MessageQuery::default()
    };
    // One page: two from the last 30 days, the rest from before them.
    assert_eq!(
        page(s, search(None, 10)).await,
        ["d130", "d125", "d100", "d50", "d0"]
    );
    // Pages of two, each starting where the last ended.
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let found = s.list_messages(&search(before, 2)).await.unwrap();
        let Some(last) = found.last() else { break };
        before = Some((last.inbound.published_at, last.id));
        seen.extend(ids(&found));
    }
    assert_eq!(seen, ["d130", "d125", "d100", "d50", "d0"]);
    // A period and a window together.
    let q = MessageQuery {
        published_from: Some(day(40)),
        published_to: Some(day(126)),
        ..search(None, 10)
    };
    assert_eq!(page(s, q).await, ["d125", "d100", "d50"]);
    env.finish().await;
}
