//! The event-outbox conformance suite: deadline candidates from the next-due index, the queue of
//! changed deadlines, appends that raise each key once (also when several writers race) with
//! one audit entry, and reads by cursor, OPD and kind — identical on SQLite and PostgreSQL.
//!
//! A backend crate runs it with [`events_conformance_tests!`], giving the same fixture function
//! as for [`conformance_tests!`](crate::conformance_tests).

#![expect(
    clippy::unwrap_used,
    reason = "a conformance failure should stop the test at the failing line"
)]

use std::collections::HashSet;
use std::sync::Arc;

use humas_domain::inbox::{Message, Status, Workflow};
use humas_domain::{MessageId, OpdId, verify_chain};
use jiff::{SignedDuration, Timestamp};

use crate::conformance_inbox::{World, at_hour, at_minute, t0, test_message, world};
use crate::{
    AuditActor, AuditQuery, DeadlineKind, Event, EventKind, EventQuery, NewEvent, Store,
    SweepProgress,
};

/// Generates one `#[tokio::test]` per event conformance case.
#[macro_export]
macro_rules! events_conformance_tests {
    ($make:path) => {
        $crate::events_conformance_tests!(@cases $make;
            events_append_raises_each_key_once_with_one_audit_entry,
            events_read_after_cursor_by_opd_and_kind,
            events_due_between_is_a_range_of_running_deadlines,
            events_deadline_changes_follow_workflow_updates,
            events_sweep_mark_only_moves_forward,
            events_racing_writers_raise_each_key_once,
        );
    };
    (@cases $make:path; $($case:ident),+ $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                use $crate::conformance::Fixture as _;
                let fixture = $make().await;
                $crate::conformance_events::$case(fixture.store()).await;
                fixture.finish().await;
            }
        )+
    };
}

const SWEEP: &str = "event.deadline_sweep";

fn warning(kind: EventKind, m: MessageId, opd: OpdId, due: Timestamp) -> NewEvent {
    NewEvent::deadline(
        kind,
        m,
        opd,
        DeadlineKind::FirstResponse,
        due,
        None,
        t0(),
        serde_json::json!({"platform": "x"}),
    )
}

async fn sweep_entries(store: &dyn Store) -> Vec<humas_domain::AuditEntry> {
    store
        .query_audit(&AuditQuery {
            action_prefix: Some(SWEEP.into()),
            limit: 100,
            ..AuditQuery::default()
        })
        .await
        .unwrap()
}

async fn read(store: &dyn Store, q: EventQuery) -> Vec<i64> {
    store
        .events_after(&q)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect()
}

fn all_after(after: i64) -> EventQuery {
    EventQuery {
        after,
        opds: None,
        kinds: Vec::new(),
        limit: 1000,
    }
}

/// A message of `w`'s OPD A with a first response due at `due` (`None`: no deadline).
fn due_message(w: &World, ext: &str, due: Option<Timestamp>) -> Message {
    let mut m = test_message(&w.acc_a, ext, at_minute(-600));
    m.workflow.first_response_due = due;
    m
}

pub async fn events_append_raises_each_key_once_with_one_audit_entry(store: Arc<dyn Store>) {
    let w = world(&*store).await;
    let (m1, m2) = (MessageId::generate(), MessageId::generate());
    let a = warning(EventKind::DeadlineDueSoon, m1, w.opd_a.id, at_hour(3));
    let mut b = warning(EventKind::DeadlineOverdue, m2, w.opd_b.id, at_hour(-1));
    b.assignee = Some(w.op.id);
    let by = AuditActor::system();

    let first = store
        .append_events(&by, SWEEP, &[a.clone(), b.clone()], None)
        .await
        .unwrap();
    assert_eq!(first.len(), 2);
    assert!(first[0].id < first[1].id, "ids increase in append order");
    assert_eq!(first[0].event, a);
    // Read back field for field, payload included.
    let stored = store.events_after(&all_after(0)).await.unwrap();
    assert_eq!(stored, first);
    let entries = sweep_entries(&*store).await;
    assert_eq!(
        entries.len(),
        1,
        "one audit entry per append that raised any"
    );
    let after: serde_json::Value =
        serde_json::from_str(entries[0].after.as_deref().unwrap()).unwrap();
    assert_eq!(after["raised"]["deadline.due_soon"], 1);
    assert_eq!(after["raised"]["deadline.overdue"], 1);
    assert_eq!(entries[0].actor, "system");

    // The same keys again, with one new: only the new one is raised.
    let moved = warning(EventKind::DeadlineDueSoon, m1, w.opd_a.id, at_hour(30));
    let second = store
        .append_events(&by, SWEEP, &[a.clone(), moved.clone(), b.clone()], None)
        .await
        .unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].event, moved, "a moved deadline is a new warning");
    assert!(second[0].id > first[1].id);
    assert_eq!(sweep_entries(&*store).await.len(), 2);

    // Nothing new: no event and no audit entry.
    let third = store
        .append_events(&by, SWEEP, &[a, b, moved], None)
        .await
        .unwrap();
    assert!(third.is_empty());
    assert_eq!(sweep_entries(&*store).await.len(), 2);
    assert_eq!(store.events_after(&all_after(0)).await.unwrap().len(), 3);
    verify_chain(&store.audit_chain_page(0, 100_000).await.unwrap()).unwrap();
}

pub async fn events_read_after_cursor_by_opd_and_kind(store: Arc<dyn Store>) {
    let w = world(&*store).await;
    let mut batch = Vec::new();
    for i in 0..6 {
        let opd = if i % 2 == 0 { w.opd_a.id } else { w.opd_b.id };
        let kind = if i < 3 {
            EventKind::DeadlineDueSoon
        } else {
            EventKind::DeadlineOverdue
        };
        batch.push(warning(kind, MessageId::generate(), opd, at_hour(i)));
    }
    let added = store
        .append_events(&AuditActor::system(), SWEEP, &batch, None)
        .await
        .unwrap();
    let ids: Vec<i64> = added.iter().map(|e| e.id).collect();
    let st = &*store;

    assert_eq!(read(st, all_after(0)).await, ids);
    assert_eq!(read(st, all_after(ids[2])).await, ids[3..].to_vec());
    assert!(read(st, all_after(ids[5])).await.is_empty());
    // Paging: limit, then the last id seen as the next cursor.
    let mut q = all_after(0);
    q.limit = 4;
    let page1 = read(st, q.clone()).await;
    assert_eq!(page1, ids[..4].to_vec());
    q.after = page1[3];
    assert_eq!(read(st, q).await, ids[4..].to_vec());
    // OPD scope.
    let mut q = all_after(0);
    q.opds = Some(vec![w.opd_a.id]);
    assert_eq!(read(st, q.clone()).await, vec![ids[0], ids[2], ids[4]]);
    q.after = ids[2];
    assert_eq!(read(st, q).await, vec![ids[4]]);
    let mut q = all_after(0);
    q.opds = Some(Vec::new());
    assert!(read(st, q).await.is_empty(), "no OPD: nothing");
    let mut q = all_after(0);
    q.opds = Some(vec![w.opd_a.id, w.opd_b.id]);
    assert_eq!(read(st, q).await, ids);
    // Kinds, alone and with the scope.
    let mut q = all_after(0);
    q.kinds = vec![EventKind::DeadlineOverdue];
    assert_eq!(read(st, q.clone()).await, ids[3..].to_vec());
    q.opds = Some(vec![w.opd_b.id]);
    assert_eq!(read(st, q).await, vec![ids[3], ids[5]]);
    let mut q = all_after(0);
    q.kinds = EventKind::ALL.to_vec();
    assert_eq!(read(st, q).await, ids);
}

pub async fn events_due_between_is_a_range_of_running_deadlines(store: Arc<dyn Store>) {
    let w = world(&*store).await;
    let early = due_message(&w, "d1", Some(at_hour(-2)));
    let at_zero = due_message(&w, "d2", Some(t0()));
    let also_zero = due_message(&w, "d3", Some(t0()));
    let later = due_message(&w, "d4", Some(at_hour(5)));
    let none = due_message(&w, "d5", None);
    let mut closed = due_message(&w, "d6", Some(at_hour(1)));
    closed.workflow.status = Status::Closed;
    // First response given: the resolution is what runs.
    let mut answered = due_message(&w, "d7", Some(at_hour(-30)));
    answered.workflow.first_response_at = Some(at_hour(-40));
    answered.workflow.resolution_due = Some(at_hour(2));
    answered.workflow.assignee = Some(w.op.id);
    answered.workflow.status = Status::Assigned;
    let mut other_opd = test_message(&w.acc_b, "d8", at_minute(-5));
    other_opd.workflow.first_response_due = Some(at_hour(3));
    let batch = [
        early.clone(),
        at_zero.clone(),
        also_zero.clone(),
        later.clone(),
        none,
        closed,
        answered.clone(),
        other_opd.clone(),
    ];
    store.ingest_messages(&w.by, &batch, None).await.unwrap();

    let due = |from, until, after, limit| store.messages_due_between(from, until, after, limit);
    let ids = |ms: Vec<crate::DueMessage>| ms.into_iter().map(|m| m.id).collect::<Vec<_>>();
    // [from, until): by due time then id; across OPDs; closed and deadline-free left out.
    let mut zeros = vec![at_zero.id, also_zero.id];
    zeros.sort_by_key(|id| id.as_uuid());
    let all = ids(due(at_hour(-10), at_hour(10), None, 100).await.unwrap());
    let mut expected = vec![early.id];
    expected.extend(&zeros);
    expected.extend([answered.id, other_opd.id, later.id]);
    assert_eq!(all, expected);
    assert_eq!(
        ids(due(t0(), at_hour(2), None, 100).await.unwrap()),
        zeros,
        "from is inclusive, until exclusive"
    );
    assert!(
        due(at_hour(6), at_hour(60), None, 100)
            .await
            .unwrap()
            .is_empty()
    );
    // Keyset pages over equal due times.
    let page1 = ids(due(at_hour(-10), at_hour(10), None, 2).await.unwrap());
    assert_eq!(page1, expected[..2].to_vec());
    let page2 = ids(due(at_hour(-10), at_hour(10), Some((t0(), page1[1])), 2)
        .await
        .unwrap());
    assert_eq!(page2, expected[2..4].to_vec());
    // What a judgement needs comes back exactly.
    let got = due(at_hour(1), at_hour(3), None, 10).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].id, answered.id);
    assert_eq!(got[0].opd, w.opd_a.id);
    assert_eq!(got[0].account, w.acc_a.id);
    assert_eq!(got[0].platform, w.acc_a.platform);
    assert_eq!(got[0].workflow, answered.workflow);
}

pub async fn events_deadline_changes_follow_workflow_updates(store: Arc<dyn Store>) {
    let w = world(&*store).await;
    let a = due_message(&w, "c1", Some(at_hour(48)));
    let b = due_message(&w, "c2", Some(at_hour(48)));
    store
        .ingest_messages(&w.by, &[a.clone(), b.clone()], None)
        .await
        .unwrap();
    let changes = store.deadline_changes(100).await.unwrap();
    assert!(
        changes.messages.is_empty() && changes.up_to.is_none(),
        "ingest queues nothing"
    );

    // Assigning keeps the deadline: not queued.
    let assigned = Workflow {
        assignee: Some(w.op.id),
        status: Status::Assigned,
        ..a.workflow.clone()
    };
    store
        .update_workflow(&w.by, a.id, "message.assign", &assigned)
        .await
        .unwrap();
    assert!(store.deadline_changes(100).await.unwrap().up_to.is_none());

    // A new deadline (a category change) and a closing are queued, as they are now.
    let moved = Workflow {
        first_response_due: Some(at_hour(-3)),
        ..assigned
    };
    store
        .update_workflow(&w.by, a.id, "message.category", &moved)
        .await
        .unwrap();
    let closed = Workflow {
        status: Status::Closed,
        resolved_at: Some(at_hour(1)),
        ..b.workflow.clone()
    };
    store
        .update_workflow(&w.by, b.id, "message.status", &closed)
        .await
        .unwrap();
    let changes = store.deadline_changes(100).await.unwrap();
    let mut got: Vec<_> = changes
        .messages
        .iter()
        .map(|m| (m.id, m.workflow.clone()))
        .collect();
    got.sort_by_key(|(id, _)| id.as_uuid());
    let mut want = vec![(a.id, moved.clone()), (b.id, closed)];
    want.sort_by_key(|(id, _)| id.as_uuid());
    assert_eq!(got, want);
    let up_to = changes.up_to.unwrap();

    // Forgotten with the sweep that judged them; a later change stays queued.
    let reopened = Workflow {
        first_response_due: Some(at_hour(-1)),
        ..moved
    };
    store
        .update_workflow(&w.by, a.id, "message.category", &reopened)
        .await
        .unwrap();
    store
        .append_events(
            &AuditActor::system(),
            SWEEP,
            &[],
            Some(SweepProgress {
                swept_until: t0(),
                changes_up_to: Some(up_to),
            }),
        )
        .await
        .unwrap();
    let left = store.deadline_changes(100).await.unwrap();
    assert_eq!(
        left.messages.iter().map(|m| m.id).collect::<Vec<_>>(),
        vec![a.id]
    );
    assert!(left.up_to.unwrap() > up_to);
    assert!(
        sweep_entries(&*store).await.is_empty(),
        "no event, no audit entry"
    );

    // A queued message erased since is simply left out.
    store
        .erase_author(&w.by, w.acc_a.platform, "@warga")
        .await
        .unwrap();
    let gone = store.deadline_changes(100).await.unwrap();
    assert!(gone.messages.is_empty());
    assert!(gone.up_to.is_some());
}

pub async fn events_sweep_mark_only_moves_forward(store: Arc<dyn Store>) {
    assert_eq!(store.swept_until().await.unwrap(), None);
    let mark = |t| {
        let store = store.clone();
        async move {
            store
                .append_events(
                    &AuditActor::system(),
                    SWEEP,
                    &[],
                    Some(SweepProgress {
                        swept_until: t,
                        changes_up_to: None,
                    }),
                )
                .await
                .unwrap();
        }
    };
    mark(at_minute(10)).await;
    assert_eq!(store.swept_until().await.unwrap(), Some(at_minute(10)));
    mark(at_minute(5)).await;
    assert_eq!(
        store.swept_until().await.unwrap(),
        Some(at_minute(10)),
        "a slower process does not move it back"
    );
    mark(at_minute(11)).await;
    assert_eq!(store.swept_until().await.unwrap(), Some(at_minute(11)));
}

pub async fn events_racing_writers_raise_each_key_once(store: Arc<dyn Store>) {
    let w = world(&*store).await;
    let messages: Vec<MessageId> = (0..40).map(|_| MessageId::generate()).collect();
    // Eight writers, each raising an overlapping half of the warnings, in different orders.
    let mut tasks = Vec::new();
    for writer in 0..8_usize {
        let store = store.clone();
        let batch: Vec<NewEvent> = messages
            .iter()
            .enumerate()
            .filter(|(i, _)| (i + writer) % 2 == 0 || i % 5 == writer % 5)
            .map(|(i, m)| {
                let kind = if i % 3 == 0 {
                    EventKind::DeadlineOverdue
                } else {
                    EventKind::DeadlineDueSoon
                };
                let due = t0() + SignedDuration::from_mins(i64::try_from(i).unwrap());
                warning(kind, *m, w.opd_a.id, due)
            })
            .collect();
        tasks.push(tokio::spawn(async move {
            let mut raised = Vec::new();
            for chunk in batch.chunks(7) {
                raised.extend(
                    store
                        .append_events(&AuditActor::system(), SWEEP, chunk, None)
                        .await
                        .unwrap(),
                );
            }
            raised
        }));
    }
    let mut raised: Vec<Event> = Vec::new();
    for t in tasks {
        raised.extend(t.await.unwrap());
    }
    let keys: HashSet<&str> = raised.iter().map(|e| e.event.key.as_str()).collect();
    assert_eq!(keys.len(), raised.len(), "no key raised twice");
    assert_eq!(raised.len(), messages.len(), "every warning raised once");
    let stored = store.events_after(&all_after(0)).await.unwrap();
    assert_eq!(stored.len(), messages.len());
    let mut sorted: Vec<i64> = raised.iter().map(|e| e.id).collect();
    sorted.sort_unstable();
    assert_eq!(stored.iter().map(|e| e.id).collect::<Vec<_>>(), sorted);
    // The audit entries count exactly the events raised.
    let counted: u64 = sweep_entries(&*store)
        .await
        .iter()
        .flat_map(|e| {
            let after: serde_json::Value =
                serde_json::from_str(e.after.as_deref().unwrap()).unwrap();
            let raised = after["raised"].clone();
            EventKind::ALL.map(move |k| raised[k.as_str()].as_u64().unwrap_or(0))
        })
        .sum();
    assert_eq!(counted, 40);
    verify_chain(&store.audit_chain_page(0, 100_000).await.unwrap()).unwrap();
}
