//! Deadline warnings through the web: `GET /api/v1/events` (cursor paging, the caller's OPD
//! scope, kind filter, refused parameters) and the home page's warning list, over the demo data
//! with messages ingested as a connector would and the clock moved past their deadlines.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failure should stop the test at that line"
)]

mod support;

use std::collections::{BTreeSet, HashSet};
use std::time::Duration;

use humas_domain::inbox::{Author, ExternalId, Inbound, MessageKind};
use humas_domain::{Account, MessageId};
use humas_store::AuditActor;
use serde_json::Value;
use support::TestApp;

/// An account of the demo OPD `slug`.
async fn account_of(t: &TestApp, slug: &str) -> Account {
    let opd = t.opd(slug).await;
    t.store()
        .list_accounts(Some(opd))
        .await
        .unwrap()
        .into_iter()
        .next()
        .unwrap()
}

/// A complaint received now on `account`.
async fn complaint(t: &TestApp, account: &Account, n: u32) -> MessageId {
    let inbound = Inbound {
        platform: account.platform,
        external_id: ExternalId::parse(&format!("events-test-{n}")).unwrap(),
        kind: MessageKind::Comment,
        author: Author::parse("@warga_events", Some("Warga Uji")).unwrap(),
        text: format!("pelayanan lambat sekali, sudah {n} jam antri, mohon diperbaiki"),
        title: None,
        permalink: None,
        parent_external_id: None,
        thread_external_id: None,
        published_at: t.app.clock().now(),
    };
    t.app
        .ingest(&AuditActor::system(), account, vec![inbound], None)
        .await
        .unwrap()
        .inserted[0]
}

async fn sweep(t: &TestApp) {
    let now = t.app.clock().now();
    t.app.raise_deadline_events(now).await.unwrap();
}

async fn get(t: &TestApp, token: &str, query: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .get(t.url(&format!("/api/v1/events{query}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Every event the token sees from `after` on, in pages of `limit`, checking that ids only grow
/// and that `next` is the last id of each page.
async fn drain(t: &TestApp, token: &str, after: i64, limit: u32, extra: &str) -> (Vec<Value>, i64) {
    let mut cursor = after;
    let mut all = Vec::new();
    loop {
        let (status, body) = get(t, token, &format!("?after={cursor}&limit={limit}{extra}")).await;
        assert_eq!(status, 200, "{body}");
        let items = body["items"].as_array().unwrap().clone();
        let next = body["next"].as_i64().unwrap();
        if items.is_empty() {
            assert_eq!(next, cursor, "an empty page keeps the cursor");
            return (all, cursor);
        }
        for item in &items {
            assert!(item["id"].as_i64().unwrap() > cursor, "ids only grow");
            cursor = item["id"].as_i64().unwrap();
        }
        assert_eq!(next, cursor, "next is the last id of the page");
        all.extend(items);
    }
}

fn subjects(events: &[Value]) -> BTreeSet<String> {
    events
        .iter()
        .map(|e| e["subject_id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn events_api_pages_by_cursor_in_the_callers_scope() {
    let t = TestApp::spawn().await;
    let supervisor = t.token("supervisor").await;
    let operator = t.token("operator.dinkes").await;
    let leadership = t.token("pimpinan").await;
    // Whatever the demo data raises first is not what this test is about.
    sweep(&t).await;
    let (_, start) = drain(&t, &supervisor, 0, 1000, "").await;

    let dinkes = account_of(&t, "dinkes").await;
    let dinsos = account_of(&t, "dinsos").await;
    let mut ours = Vec::new();
    for n in 0..3 {
        ours.push(complaint(&t, &dinkes, n).await);
    }
    let theirs = complaint(&t, &dinsos, 9).await;
    // Two weeks on: every first response is overdue, whatever the holidays.
    t.clock.advance(Duration::from_secs(14 * 24 * 3600));
    sweep(&t).await;
    sweep(&t).await;

    let (all, end) = drain(&t, &supervisor, start, 2, "").await;
    let mine: Vec<&Value> = all
        .iter()
        .filter(|e| {
            let s = e["subject_id"].as_str().unwrap();
            ours.iter().chain([&theirs]).any(|id| id.to_string() == s)
        })
        .collect();
    assert_eq!(mine.len(), 4, "one warning per message, {all:?}");
    for e in &mine {
        assert_eq!(e["kind"], "deadline.overdue");
        assert_eq!(e["deadline"], "first_response");
        assert!(e["due_at"].as_str().unwrap().ends_with('Z'));
        assert!(e["payload"]["platform"].is_string());
    }
    let ids: HashSet<i64> = all.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), all.len(), "no event twice across pages");
    // Polling again from the end: nothing, and the cursor stays.
    let (status, body) = get(&t, &supervisor, &format!("?after={end}")).await;
    assert_eq!(status, 200);
    assert!(body["items"].as_array().unwrap().is_empty());
    assert_eq!(body["next"], end);

    // The operator sees dinkes's events only, the other OPD's never.
    let dinkes_id = t.opd("dinkes").await.to_string();
    let (seen, _) = drain(&t, &operator, start, 3, "").await;
    assert!(seen.iter().all(|e| e["opd_id"] == dinkes_id.as_str()));
    let seen = subjects(&seen);
    assert!(ours.iter().all(|id| seen.contains(&id.to_string())));
    assert!(!seen.contains(&theirs.to_string()));
    // Leadership reads every OPD, and may narrow to one.
    let (everything, _) = drain(&t, &leadership, start, 1000, "").await;
    assert_eq!(subjects(&everything), subjects(&all));
    let dinsos_id = t.opd("dinsos").await;
    let (only, _) = drain(&t, &leadership, start, 1000, &format!("&opd={dinsos_id}")).await;
    assert!(subjects(&only).contains(&theirs.to_string()));
    assert!(
        only.iter()
            .all(|e| e["opd_id"] == dinsos_id.to_string().as_str())
    );
    // Kinds filter.
    let (soon, _) = drain(&t, &supervisor, start, 1000, "&kind=deadline.due_soon").await;
    assert!(soon.iter().all(|e| e["kind"] == "deadline.due_soon"));
    assert!(subjects(&soon).is_disjoint(&subjects(&mine.into_iter().cloned().collect::<Vec<_>>())));

    // Refusals: another OPD, bad parameters, no token.
    let (status, body) = get(&t, &operator, &format!("?opd={dinsos_id}")).await;
    assert_eq!(status, 403, "{body}");
    for bad in [
        "?kind=deadline.late",
        "?after=-1",
        "?after=x",
        "?limit=0",
        "?cursor=5",
    ] {
        let (status, body) = get(&t, &operator, bad).await;
        assert_eq!(status, 400, "{bad}: {body}");
        assert_eq!(body["error"]["code"], "malformed_body");
    }
    let anonymous = reqwest::get(t.url("/api/v1/events")).await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn home_lists_own_then_unassigned_deadline_warnings() {
    let t = TestApp::spawn().await;
    let dinkes = account_of(&t, "dinkes").await;
    let op = t
        .app
        .bearer(&t.token("operator.dinkes").await)
        .await
        .unwrap()
        .actor;
    let unassigned = complaint(&t, &dinkes, 1).await;
    let mine = complaint(&t, &dinkes, 2).await;
    t.app.assign(&op, mine, Some(op.user_id)).await.unwrap();
    t.clock.advance(Duration::from_secs(14 * 24 * 3600));
    // Signed in after the clock moved, or the session would have expired.
    let c = t.signed_in("operator.dinkes").await;
    let html = c
        .get(t.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Peringatan tenggat"), "{html}");
    let at = |id: MessageId| html.find(&format!("href=\"/inbox/{id}\"")).unwrap();
    assert!(at(mine) < at(unassigned), "own messages first");
    assert!(html.contains("Ditugaskan kepada Anda"));
    assert!(html.contains("Belum ditugaskan"));
    assert!(html.contains("Lewat tenggat"));
    assert!(html.contains("tanggapan pertama"));
    assert!(
        html.contains("23.59 WIB"),
        "due at the end of a day, Indonesian style"
    );
    assert!(html.contains("href=\"/inbox?assignee=me&amp;deadline=overdue\""));

    // In English, the same list.
    let switched = c.get(t.url("/lang?to=en")).send().await.unwrap();
    assert!(switched.status().is_redirection());
    let html = c
        .get(t.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Deadline warnings"));
    assert!(html.contains("Assigned to you"));
    assert!(html.contains("first response"));
    assert!(html.contains("23:59 WIB"));

    // Someone of another OPD does not see them.
    let other = t.signed_in("operator.bpbd").await;
    let html = other
        .get(t.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!html.contains(&mine.to_string()));
    assert!(!html.contains(&unassigned.to_string()));
}
