//! Two processes (`humas serve` and a `humas worker`, or two servers) sharing one SQLite file
//! raise each deadline warning once: here two stores, each with its own writer connection, on
//! the same file append overlapping warnings at the same time.

#![allow(
    clippy::unwrap_used,
    reason = "test setup: a failure should stop the test at that line"
)]

use std::collections::HashSet;

use humas_domain::MessageId;
use humas_store::conformance_inbox::{t0, world};
use humas_store::{AuditActor, DeadlineKind, EventKind, EventQuery, NewEvent, Store};
use humas_store_sqlite::SqliteStore;
use jiff::SignedDuration;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_stores_on_one_file_raise_each_warning_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("humas.db");
    let path = path.to_str().unwrap();
    let one = SqliteStore::connect(path).await.unwrap();
    one.migrate().await.unwrap();
    let two = SqliteStore::connect(path).await.unwrap();
    let w = world(&one).await;
    let messages: Vec<MessageId> = (0..60).map(|_| MessageId::generate()).collect();
    let events: Vec<NewEvent> = messages
        .iter()
        .zip(0_i64..)
        .map(|(m, i)| {
            NewEvent::deadline(
                EventKind::DeadlineOverdue,
                *m,
                w.opd_a.id,
                DeadlineKind::Resolution,
                t0() + SignedDuration::from_mins(i),
                None,
                t0(),
                serde_json::json!({}),
            )
        })
        .collect();
    let mut tasks = Vec::new();
    for (n, store) in [one.clone(), two.clone(), one.clone(), two.clone()]
        .into_iter()
        .enumerate()
    {
        let mut mine = events.clone();
        if n % 2 == 1 {
            mine.reverse();
        }
        tasks.push(tokio::spawn(async move {
            let mut raised = Vec::new();
            for chunk in mine.chunks(5) {
                raised.extend(
                    store
                        .append_events(&AuditActor::system(), "event.deadline_sweep", chunk, None)
                        .await
                        .unwrap(),
                );
            }
            raised
        }));
    }
    let mut raised = Vec::new();
    for t in tasks {
        raised.extend(t.await.unwrap());
    }
    let keys: HashSet<String> = raised.iter().map(|e| e.event.key.clone()).collect();
    assert_eq!(
        raised.len(),
        60,
        "each warning raised by exactly one writer"
    );
    assert_eq!(keys.len(), 60);
    let stored = two
        .events_after(&EventQuery {
            after: 0,
            opds: None,
            kinds: Vec::new(),
            limit: 1000,
        })
        .await
        .unwrap();
    assert_eq!(stored.len(), 60);
    let chain = two.audit_chain_page(0, 100_000).await.unwrap();
    humas_domain::verify_chain(&chain).unwrap();
    one.close().await;
    two.close().await;
}
