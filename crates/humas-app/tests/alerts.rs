//! Deadline warnings as events, over a real SQLite store and a clock the test sets: a message
//! crossing into due-soon raises one event, ticking again none; answering or closing in time
//! raises no overdue; working days and holidays decide when; a moved deadline warns again;
//! readers see their OPDs' events by cursor; one audit entry per sweep.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use humas_app::inbox::alerts::{EventsRequest, SWEEP_ACTION};
use humas_app::{App, AppError, AuthSettings, Clock};
use humas_domain::inbox::{Author, Category, ExternalId, Inbound, MessageKind, Status};
use humas_domain::sla::DeadlineState;
use humas_domain::{
    Account, AccountHandle, AccountId, AccountStatus, Actor, DisplayName, Locale, MessageId, Opd,
    OpdId, OpdKind, OpdName, Platform, Role, Slug, User, UserId, UserZone, Username,
};
use humas_store::{AuditActor, AuditQuery, DeadlineKind, EventKind};
use humas_store_sqlite::SqliteStore;
use jiff::Timestamp;
use jiff::tz::TimeZone;

/// A clock the test moves to exact times.
struct SetClock(AtomicI64);

impl SetClock {
    fn set(&self, t: Timestamp) {
        self.0.store(t.as_microsecond(), Ordering::SeqCst);
    }
}

impl Clock for SetClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_microsecond(self.0.load(Ordering::SeqCst)).unwrap()
    }
}

struct World {
    app: App,
    clock: Arc<SetClock>,
    dinkes: OpdId,
    pu: OpdId,
    account: Account,
    pu_account: Account,
    _dir: tempfile::TempDir,
}

/// A local time in WIB.
fn wib(local: &str) -> Timestamp {
    local
        .parse::<jiff::civil::DateTime>()
        .unwrap()
        .to_zoned(TimeZone::get("Asia/Jakarta").unwrap())
        .unwrap()
        .timestamp()
}

async fn person(app: &App, role: Role, opd: Option<OpdId>, name: &str) -> Actor {
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
    Actor::new(&user, &[], jiff::civil::date(2026, 12, 1))
}

async fn world(start: Timestamp) -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::connect(dir.path().join("humas.db").to_str().unwrap())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let clock = Arc::new(SetClock(AtomicI64::new(start.as_microsecond())));
    let app = App::new(Arc::new(store), clock.clone(), AuthSettings::for_tests())
        .with_server_secret(b"test secret");
    app.seed_holidays().await.unwrap();
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
    let account = |opd: OpdId, handle: &str| Account {
        id: AccountId::generate(),
        opd,
        platform: Platform::X,
        handle: AccountHandle::parse(handle).unwrap(),
        api_base_url: None,
        status: AccountStatus::Active,
    };
    let (a, b) = (
        account(dinkes.id, "@dinkesjatim"),
        account(pu.id, "@dpubmjatim"),
    );
    app.store().create_account(&by, &a).await.unwrap();
    app.store().create_account(&by, &b).await.unwrap();
    World {
        app,
        clock,
        dinkes: dinkes.id,
        pu: pu.id,
        account: a,
        pu_account: b,
        _dir: dir,
    }
}

/// A complaint received now on `account`.
async fn complaint(w: &World, account: &Account, id: &str) -> MessageId {
    let inbound = Inbound {
        platform: Platform::X,
        external_id: ExternalId::parse(id).unwrap(),
        kind: MessageKind::Mention,
        author: Author::parse("@warga_sby", Some("Warga Surabaya")).unwrap(),
        text: "pelayanan puskesmas lambat sekali, sudah 3 jam antri, mohon diperbaiki".into(),
        title: None,
        permalink: None,
        parent_external_id: None,
        thread_external_id: None,
        published_at: w.clock.now(),
    };
    let report = w
        .app
        .ingest(&AuditActor::system(), account, vec![inbound], None)
        .await
        .unwrap();
    report.inserted[0]
}

async fn sweep_at(w: &World, t: Timestamp) -> (usize, usize) {
    w.clock.set(t);
    let r = w.app.raise_deadline_events(t).await.unwrap();
    (r.due_soon, r.overdue)
}

async fn all_events(w: &World) -> Vec<humas_store::Event> {
    w.app
        .events_for(
            &App::cli_actor(),
            &EventsRequest {
                after: 0,
                limit: 1000,
                ..EventsRequest::default()
            },
        )
        .await
        .unwrap()
        .events
}

#[tokio::test]
async fn crossing_into_due_soon_raises_once_and_overdue_once() {
    // Monday 30 November 2026, 09.00 WIB: first response due at the end of Thursday 3 December.
    let w = world(wib("2026-11-30T09:00")).await;
    let id = complaint(&w, &w.account, "c1").await;
    let due = w
        .app
        .store()
        .get_message(id)
        .await
        .unwrap()
        .workflow
        .first_response_due
        .unwrap();
    assert_eq!(due, wib("2026-12-03T23:59:59.999999"));

    assert_eq!(sweep_at(&w, wib("2026-11-30T09:01")).await, (0, 0));
    // One minute before the warning period starts: nothing; inside it: one event.
    assert_eq!(sweep_at(&w, wib("2026-12-02T23:58")).await, (0, 0));
    assert_eq!(sweep_at(&w, wib("2026-12-03T00:00")).await, (1, 0));
    // Ticking again, and again later while still due soon: nothing new.
    assert_eq!(sweep_at(&w, wib("2026-12-03T00:01")).await, (0, 0));
    assert_eq!(sweep_at(&w, wib("2026-12-03T18:00")).await, (0, 0));
    // Past the deadline: one overdue, then quiet.
    assert_eq!(sweep_at(&w, wib("2026-12-04T00:00")).await, (0, 1));
    assert_eq!(sweep_at(&w, wib("2026-12-04T00:01")).await, (0, 0));
    assert_eq!(sweep_at(&w, wib("2026-12-07T09:00")).await, (0, 0));

    let events = all_events(&w).await;
    assert_eq!(events.len(), 2);
    let (soon, late) = (&events[0].event, &events[1].event);
    assert_eq!(soon.kind, EventKind::DeadlineDueSoon);
    assert_eq!(late.kind, EventKind::DeadlineOverdue);
    assert!(events[0].id < events[1].id);
    for e in [soon, late] {
        assert_eq!(e.subject, id.as_uuid());
        assert_eq!(e.opd, w.dinkes);
        assert_eq!(e.deadline, Some(DeadlineKind::FirstResponse));
        assert_eq!(e.due_at, Some(due));
        assert_eq!(e.payload["platform"], "x");
        assert!(
            e.payload.get("text").is_none(),
            "no message text is sent on"
        );
    }

    // One audit entry per sweep that raised any, with the counts; none for quiet sweeps.
    let entries = w
        .app
        .store()
        .query_audit(&AuditQuery {
            action_prefix: Some(SWEEP_ACTION.into()),
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(entries.len(), 2);
    assert!(entries.iter().all(|e| e.actor == "system"));
    let after: serde_json::Value =
        serde_json::from_str(entries[0].after.as_deref().unwrap()).unwrap();
    assert_eq!(after["raised"]["deadline.overdue"], 1);
}

#[tokio::test]
async fn answering_or_closing_in_time_raises_no_overdue() {
    let w = world(wib("2026-11-30T09:00")).await;
    let replied = complaint(&w, &w.account, "r1").await;
    let closed = complaint(&w, &w.account, "r2").await;
    assert_eq!(sweep_at(&w, wib("2026-12-03T08:00")).await, (2, 0));
    let staff = person(&w.app, Role::Approver, Some(w.dinkes), "approver.dinkes").await;
    // An approver's reply goes out at once; with no platform connected the send fails, so the
    // first response is recorded by moving the workflow the way a sent reply does.
    let mut m = w.app.store().get_message(replied).await.unwrap();
    m.workflow.status = Status::Replied;
    m.workflow.first_response_at = Some(w.clock.now());
    w.app
        .store()
        .update_workflow(
            &AuditActor::user(staff.user_id, "approver.dinkes"),
            replied,
            "message.reply",
            &m.workflow,
        )
        .await
        .unwrap();
    w.app
        .set_status(&staff, closed, Status::Closed)
        .await
        .unwrap();
    // Both first-response deadlines pass: no overdue for either. The replied one now runs
    // against its resolution deadline, days away.
    assert_eq!(sweep_at(&w, wib("2026-12-04T00:01")).await, (0, 0));
    assert_eq!(sweep_at(&w, wib("2026-12-04T12:00")).await, (0, 0));
    let events = all_events(&w).await;
    assert!(
        events
            .iter()
            .all(|e| e.event.kind == EventKind::DeadlineDueSoon),
        "{events:?}"
    );
}

#[tokio::test]
async fn working_days_and_holidays_decide_when_it_warns() {
    // Wednesday 23 December 2026: the 24th is cuti bersama, the 25th Christmas, then a weekend.
    // Three working days end on Wednesday the 30th, not Monday the 28th.
    let w = world(wib("2026-12-23T10:00")).await;
    let id = complaint(&w, &w.account, "h1").await;
    let m = w.app.store().get_message(id).await.unwrap();
    assert_eq!(
        m.workflow.first_response_due,
        Some(wib("2026-12-30T23:59:59.999999"))
    );
    // Where a weekend-only calendar would already warn (and then breach): nothing.
    assert_eq!(sweep_at(&w, wib("2026-12-28T00:00")).await, (0, 0));
    assert_eq!(sweep_at(&w, wib("2026-12-29T00:00")).await, (0, 0));
    assert_eq!(sweep_at(&w, wib("2026-12-29T23:59")).await, (0, 0));
    assert_eq!(sweep_at(&w, wib("2026-12-30T00:00")).await, (1, 0));
    assert_eq!(sweep_at(&w, wib("2026-12-31T00:00")).await, (0, 1));
}

#[tokio::test]
async fn a_moved_deadline_warns_again_even_when_already_near() {
    let w = world(wib("2026-11-23T09:00")).await;
    let id = complaint(&w, &w.account, "m1").await;
    let staff = person(&w.app, Role::Operator, Some(w.dinkes), "operator.dinkes").await;
    // The first response is given in time; the resolution (5 working days, a complaint) runs.
    let mut m = w.app.store().get_message(id).await.unwrap();
    m.workflow.first_response_at = Some(w.clock.now());
    m.workflow.status = Status::Replied;
    w.app
        .store()
        .update_workflow(&AuditActor::system(), id, "message.reply", &m.workflow)
        .await
        .unwrap();
    assert_eq!(sweep_at(&w, wib("2026-11-27T09:00")).await, (0, 0));
    // As a field check: 60 days, no warning. Back to a complaint: due at the end of 30 Nov,
    // already within a day at the next sweep, although that sweep's range alone would not
    // reach it (the database queued the change).
    w.app
        .set_category(&staff, id, Category::FieldCheck)
        .await
        .unwrap();
    assert_eq!(sweep_at(&w, wib("2026-11-27T09:01")).await, (0, 0));
    assert_eq!(sweep_at(&w, wib("2026-11-30T01:00")).await, (0, 0));
    w.app
        .set_category(&staff, id, Category::Complaint)
        .await
        .unwrap();
    assert_eq!(sweep_at(&w, wib("2026-11-30T01:01")).await, (1, 0));
    let events = all_events(&w).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event.deadline, Some(DeadlineKind::Resolution));
    assert_eq!(
        events[0].event.due_at,
        Some(wib("2026-11-30T23:59:59.999999"))
    );
    // A different deadline is a different warning: as a dispute (14 working days, due at the
    // end of 11 December) it warns again when that one comes near.
    w.app
        .set_category(&staff, id, Category::Dispute)
        .await
        .unwrap();
    assert_eq!(sweep_at(&w, wib("2026-12-10T00:00")).await, (0, 0));
    assert_eq!(sweep_at(&w, wib("2026-12-11T00:00")).await, (1, 0));
    assert_eq!(all_events(&w).await.len(), 2);
}

#[tokio::test]
async fn readers_see_their_opds_events_by_cursor() {
    let w = world(wib("2026-11-30T09:00")).await;
    for i in 0..3 {
        complaint(&w, &w.account, &format!("k{i}")).await;
    }
    complaint(&w, &w.pu_account, "p1").await;
    assert_eq!(sweep_at(&w, wib("2026-12-03T09:00")).await, (4, 0));
    let op = person(&w.app, Role::Operator, Some(w.dinkes), "operator.dinkes").await;
    let lead = person(&w.app, Role::Leadership, None, "pimpinan").await;
    let req = |after, limit| EventsRequest {
        after,
        limit,
        ..EventsRequest::default()
    };

    let page = w.app.events_for(&op, &req(0, 2)).await.unwrap();
    assert_eq!(page.events.len(), 2);
    assert!(page.events.iter().all(|e| e.event.opd == w.dinkes));
    let rest = w.app.events_for(&op, &req(page.next, 10)).await.unwrap();
    assert_eq!(rest.events.len(), 1);
    assert!(rest.events[0].id > page.next);
    let done = w.app.events_for(&op, &req(rest.next, 10)).await.unwrap();
    assert!(done.events.is_empty());
    assert_eq!(done.next, rest.next, "an empty page keeps the cursor");

    assert_eq!(
        w.app
            .events_for(&lead, &req(0, 10))
            .await
            .unwrap()
            .events
            .len(),
        4
    );
    let only_pu = EventsRequest {
        opd: Some(w.pu),
        ..req(0, 10)
    };
    assert_eq!(
        w.app
            .events_for(&lead, &only_pu)
            .await
            .unwrap()
            .events
            .len(),
        1
    );
    assert!(matches!(
        w.app.events_for(&op, &only_pu).await,
        Err(AppError::Forbidden)
    ));
    let overdue_only = EventsRequest {
        kinds: vec![EventKind::DeadlineOverdue],
        ..req(0, 10)
    };
    assert!(
        w.app
            .events_for(&lead, &overdue_only)
            .await
            .unwrap()
            .events
            .is_empty()
    );
}

#[tokio::test]
async fn the_home_list_puts_own_messages_first() {
    let w = world(wib("2026-11-30T09:00")).await;
    let op = person(&w.app, Role::Operator, Some(w.dinkes), "operator.dinkes").await;
    let other = person(&w.app, Role::Operator, Some(w.dinkes), "operator.lain").await;
    let unassigned = complaint(&w, &w.account, "u1").await;
    w.clock.set(wib("2026-11-30T10:00"));
    let mine = complaint(&w, &w.account, "u2").await;
    let theirs = complaint(&w, &w.account, "u3").await;
    let elsewhere = complaint(&w, &w.pu_account, "u4").await;
    w.app.assign(&op, mine, Some(op.user_id)).await.unwrap();
    w.app
        .assign(&op, theirs, Some(other.user_id))
        .await
        .unwrap();

    w.clock.set(wib("2026-12-01T09:00"));
    assert!(w.app.deadline_warnings(&op).await.unwrap().is_empty());
    w.clock.set(wib("2026-12-03T12:00"));
    let list = w.app.deadline_warnings(&op).await.unwrap();
    let ids: Vec<(MessageId, bool)> = list.iter().map(|x| (x.message.id, x.mine)).collect();
    assert_eq!(ids, vec![(mine, true), (unassigned, false)]);
    assert!(list.iter().all(|x| x.state == DeadlineState::DueSoon));
    assert!(!ids.iter().any(|(id, _)| *id == theirs || *id == elsewhere));
    w.clock.set(wib("2026-12-04T12:00"));
    let list = w.app.deadline_warnings(&op).await.unwrap();
    assert!(list.iter().all(|x| x.state == DeadlineState::Overdue));
    assert_eq!(list.len(), 2);
}
