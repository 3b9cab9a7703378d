//! Narasi tunggal through the web: a supervisor sends a central narrative, each chosen OPD
//! gets its own draft, OPD people see only their own part, and the tracking view marks who is
//! late once the deadline passes (moved with the test clock) — over a real store.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failure should stop the test at that line"
)]

mod support;

use std::time::Duration;

use humas_domain::publish::{PostState, zone};
use humas_domain::{NarrativeId, OpdId, UserZone};
use humas_store::PostQuery;
use serde_json::{Value, json};
use support::TestApp;

/// The test clock's now plus `hours`, as a `datetime-local` value in WIB.
fn wib_in_hours(t: &TestApp, hours: i64) -> String {
    let at = t.app.clock().now() + jiff::SignedDuration::from_hours(hours);
    zone::to_local(at, UserZone::Wib)
        .strftime("%Y-%m-%dT%H:%M")
        .to_string()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn page(c: &reqwest::Client, url: String) -> (u16, String) {
    let resp = c.get(url).send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

/// Sends a narrative to dinkes and bpbd through the supervisor's form.
async fn send_by_form(t: &TestApp, deadline: &str) -> reqwest::Response {
    let sup = t.signed_in("supervisor").await;
    let csrf = t.csrf(&sup).await;
    let dinkes = t.opd("dinkes").await.to_string();
    let bpbd = t.opd("bpbd").await.to_string();
    sup.post(t.url("/narratives"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("title", "Hari Kesehatan Nasional"),
            ("body", "Mari cek kesehatan gratis di puskesmas terdekat."),
            ("key_messages", "Gratis\nDi puskesmas terdekat\n"),
            ("deadline", deadline),
            ("opd", dinkes.as_str()),
            ("opd", bpbd.as_str()),
        ])
        .send()
        .await
        .unwrap()
}

async fn drafts_of(t: &TestApp, narrative: NarrativeId) -> Vec<humas_domain::publish::Post> {
    t.store()
        .list_posts(&PostQuery {
            narrative: Some(narrative),
            limit: 100,
            ..PostQuery::default()
        })
        .await
        .unwrap()
}

async fn tracking(t: &TestApp, who: &str, id: NarrativeId) -> Value {
    let token = t.token(who).await;
    let resp = reqwest::Client::new()
        .get(t.url(&format!("/api/v1/narratives/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    resp.json().await.unwrap()
}

#[tokio::test]
async fn each_chosen_opd_gets_a_draft_and_is_late_once_the_deadline_passes() {
    let t = TestApp::spawn().await;
    let dinkes = t.opd("dinkes").await;
    let bpbd = t.opd("bpbd").await;

    // The form lists every OPD to choose from.
    let sup = t.signed_in("supervisor").await;
    let (status, form) = page(&sup, t.url("/narratives/new")).await;
    assert_eq!(status, 200);
    assert!(form.contains(&format!("value=\"{dinkes}\"")));
    assert!(form.contains(&format!("value=\"{bpbd}\"")));

    let resp = send_by_form(&t, &wib_in_hours(&t, 2)).await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    let to = location(&resp);
    assert!(to.ends_with("?ok=created"), "{to}");
    let id: NarrativeId = to
        .trim_start_matches("/narratives/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();

    // One draft per OPD, on that OPD's accounts, carrying the narrative.
    let drafts = drafts_of(&t, id).await;
    assert_eq!(drafts.len(), 2);
    for d in &drafts {
        assert_eq!(d.state, PostState::Draft);
        assert_eq!(d.narrative, Some(id));
        assert_eq!(d.title, "Hari Kesehatan Nasional");
        assert!(!d.channels.is_empty());
        let accounts = t.store().list_accounts(Some(d.opd)).await.unwrap();
        assert!(
            d.channels
                .iter()
                .all(|c| accounts.iter().any(|a| a.id == c.account))
        );
    }
    let dinkes_draft = drafts.iter().find(|d| d.opd == dinkes).unwrap().id;
    let bpbd_draft = drafts.iter().find(|d| d.opd == bpbd).unwrap().id;

    // The supervisor's tracking page: both OPDs, their drafts, nobody late yet.
    let (status, html) = page(&sup, t.url(&format!("/narratives/{id}?ok=created"))).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(&format!("/posts/{dinkes_draft}")));
    assert!(html.contains(&format!("/posts/{bpbd_draft}")));
    assert!(html.contains("Di puskesmas terdekat"));
    assert!(!html.contains("narr-is-late"));

    // The OPD's operator sees the narrative, only their own row, and can open their draft.
    let op = t.signed_in("operator.dinkes").await;
    let (status, list) = page(&op, t.url("/narratives")).await;
    assert_eq!(status, 200);
    assert!(list.contains(&format!("/narratives/{id}")));
    let (status, html) = page(&op, t.url(&format!("/narratives/{id}"))).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("data-opd=\"{dinkes}\"")));
    assert!(!html.contains(&format!("data-opd=\"{bpbd}\"")));
    assert!(!html.contains(&bpbd_draft.to_string()));
    let (status, _) = page(&op, t.url(&format!("/posts/{dinkes_draft}"))).await;
    assert_eq!(status, 200, "the OPD's draft is theirs to open");
    let api = tracking(&t, "operator.dinkes", id).await;
    assert_eq!(api["opds"].as_array().unwrap().len(), 1);
    assert_eq!(api["opds"][0]["post_id"], dinkes_draft.to_string());
    assert_eq!(api["opds"][0]["late"], false);
    assert!(
        api["opds"][0]["channels"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["state"].is_null()),
        "nothing approved yet"
    );

    // An OPD that was not asked sees nothing of it.
    let trainee = t.signed_in("trainee.bpsdm").await;
    let (status, _) = page(&trainee, t.url(&format!("/narratives/{id}"))).await;
    assert_eq!(status, 403);
    let (_, list) = page(&trainee, t.url("/narratives")).await;
    assert!(!list.contains(&id.to_string()));

    // Three hours later the deadline has passed and neither OPD published.
    t.clock.advance(Duration::from_secs(3 * 3600));
    let api = tracking(&t, "supervisor", id).await;
    let opds = api["opds"].as_array().unwrap();
    assert_eq!(opds.len(), 2);
    assert!(
        opds.iter()
            .all(|o| o["late"] == true && o["published"] == false)
    );
    let (_, html) = page(&sup, t.url(&format!("/narratives/{id}"))).await;
    assert_eq!(html.matches("narr-is-late").count(), 2);
    assert!(html.contains("tenggat lewat"));
    let (_, list) = page(&sup, t.url("/narratives")).await;
    assert!(list.contains("2 terlambat"), "{list}");
}

#[tokio::test]
async fn only_supervisors_send_and_bad_input_is_explained() {
    let t = TestApp::spawn().await;
    let dinkes = t.opd("dinkes").await;

    // A deadline in the past: the translated reason, nothing sent.
    let resp = send_by_form(&t, &wib_in_hours(&t, -3)).await;
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Waktu itu sudah lewat"), "{html}");
    assert!(
        html.contains("Hari Kesehatan Nasional"),
        "what was typed stays"
    );
    // No OPD chosen.
    let sup = t.signed_in("supervisor").await;
    let csrf = t.csrf(&sup).await;
    let deadline = wib_in_hours(&t, 5);
    let resp = sup
        .post(t.url("/narratives"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("title", "Tanpa OPD"),
            ("body", "Isi."),
            ("deadline", deadline.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Pilih sedikitnya satu OPD")
    );
    let token = t.token("supervisor").await;
    let list: Value = reqwest::Client::new()
        .get(t.url("/api/v1/narratives"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // Nothing was stored: only the demo's own narrative is listed.
    let titles: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["title"].as_str())
        .collect();
    assert_eq!(titles, ["Waspada musim hujan"]);

    // Operators and approvers may not send.
    for who in ["operator.dinkes", "approver.dinkes"] {
        let c = t.signed_in(who).await;
        let csrf = t.csrf(&c).await;
        let (status, _) = page(&c, t.url("/narratives/new")).await;
        assert_eq!(status, 403, "{who}");
        let resp = c
            .post(t.url("/narratives"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("title", "x"),
                ("body", "y"),
                ("deadline", deadline.as_str()),
                ("opd", &dinkes.to_string()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 403, "{who}");
        let (_, list) = page(&c, t.url("/narratives")).await;
        assert!(
            !list.contains("/narratives/new"),
            "{who} is not offered the form"
        );
    }

    // Through the API, in the zone given.
    let body = json!({
        "title": "Siaga banjir",
        "body": "Waspada banjir di musim hujan.",
        "key_messages": ["Siapkan tas siaga"],
        "deadline": "2099-12-01T09:00",
        "zone": "wit",
        "opd_ids": [dinkes.to_string()],
    });
    let op_token = t.token("operator.dinkes").await;
    let resp = reqwest::Client::new()
        .post(t.url("/api/v1/narratives"))
        .bearer_auth(&op_token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let resp = reqwest::Client::new()
        .post(t.url("/api/v1/narratives"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    // More than a year ahead is refused as a schedule.
    assert_eq!(resp.status(), 422);
    let mut body = body;
    let deadline_wit = {
        let at = t.app.clock().now() + jiff::SignedDuration::from_hours(48);
        zone::to_local(at, UserZone::Wit)
            .strftime("%Y-%m-%dT%H:%M")
            .to_string()
    };
    body["deadline"] = json!(deadline_wit);
    let resp = reqwest::Client::new()
        .post(t.url("/api/v1/narratives"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let location = location(&resp);
    let n: Value = resp.json().await.unwrap();
    assert_eq!(
        location,
        format!("/api/v1/narratives/{}", n["id"].as_str().unwrap())
    );
    assert_eq!(
        n["deadline"],
        zone::parse_local(&deadline_wit, UserZone::Wit)
            .unwrap()
            .to_string()
    );
    assert_eq!(n["key_messages"], json!(["Siapkan tas siaga"]));
    let list: Value = reqwest::Client::new()
        .get(t.url("/api/v1/narratives"))
        .bearer_auth(&op_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"][0]["id"], n["id"]);
    let unknown: OpdId = OpdId::generate();
    body["opd_ids"] = json!([unknown.to_string()]);
    let resp = reqwest::Client::new()
        .post(t.url("/api/v1/narratives"))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let err: Value = resp.json().await.unwrap();
    assert_eq!(err["error"]["code"], "unknown_reference");
}
