//! The publishing calendar through the web: posts on the right day in each reader's zone,
//! moving a post by form (no JavaScript) and by the drag script's header-token request, an
//! account's weekly slots, and who may do what — over a real store (SQLite by default,
//! PostgreSQL with `HUMAS_TEST_WEB_BACKEND=postgres`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failure should stop the test at that line"
)]

mod support;

use humas_app::publish::{ChannelInput, PostInput};
use humas_domain::publish::slots::Slot;
use humas_domain::publish::zone;
use humas_domain::{AccountId, Actor, OpdId, Platform, PostId, UserZone};
use humas_store::{AuditActor, AuditQuery};
use jiff::civil::Date;
use serde_json::{Value, json};
use support::TestApp;

/// The actor a demo person acts as.
async fn actor(t: &TestApp, username: &str) -> Actor {
    let token = t.token(username).await;
    t.app.bearer(&token).await.unwrap().actor
}

/// Sets a person's time zone, as their profile page would.
async fn set_zone(t: &TestApp, username: &str, z: UserZone) {
    let id = t.user_id(username).await;
    let mut user = t.store().get_user(id).await.unwrap();
    user.zone = z;
    t.store()
        .update_user(&AuditActor::system(), &user)
        .await
        .unwrap();
}

/// A new operator of an OPD.
async fn new_operator(t: &TestApp, username: &str, opd: OpdId) {
    let input = humas_app::people::NewUserInput {
        username: username.into(),
        display_name: String::new(),
        role: "operator".into(),
        opd: Some(opd.to_string()),
        password: support::PASSWORD.into(),
    };
    t.app
        .create_user(&humas_app::App::cli_actor(), &input)
        .await
        .unwrap();
}

async fn facebook_of(t: &TestApp, opd: OpdId) -> AccountId {
    t.store()
        .list_accounts(Some(opd))
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.platform == Platform::Facebook)
        .unwrap()
        .id
}

/// Today in WIB by the test clock, plus `days`.
fn wib_day(t: &TestApp, days: i64) -> Date {
    zone::to_local(t.app.clock().now(), UserZone::Wib)
        .date()
        .checked_add(jiff::Span::new().days(days))
        .unwrap()
}

/// A draft of dinkes by its operator, scheduled at `local` WIB.
async fn draft_at(t: &TestApp, title: &str, local: &str) -> PostId {
    let dinkes = t.opd("dinkes").await;
    let input = PostInput {
        title: title.into(),
        body: "Vaksinasi gratis di Balai Desa Sukodono.".into(),
        channels: vec![ChannelInput {
            account: facebook_of(t, dinkes).await,
            text: None,
        }],
        media: Vec::new(),
        schedule: Some(local.into()),
        zone: UserZone::Wib,
    };
    t.app
        .create_post(&actor(t, "operator.dinkes").await, dinkes, &input)
        .await
        .unwrap()
        .id
}

async fn page(c: &reqwest::Client, url: String) -> (u16, String) {
    let resp = c.get(url).send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

/// The day cell (`data-date`) of the grid that holds the post's card, if any.
fn day_of(html: &str, post: PostId) -> Option<String> {
    let grid = html.split("id=\"unscheduled\"").next().unwrap();
    let at = grid.find(&format!("data-post=\"{post}\""))?;
    let marker = "data-date=\"";
    let start = grid[..at].rfind(marker)? + marker.len();
    Some(grid[start..start + 10].to_owned())
}

/// The card of a post (its `<li>`), for looking at what it shows.
fn card_of(html: &str, post: PostId) -> &str {
    let at = html.find(&format!("data-post=\"{post}\"")).unwrap();
    let end = html[at..].find("</li>").unwrap() + at;
    &html[at..end]
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

async fn reschedule_audits(t: &TestApp) -> Vec<humas_domain::AuditEntry> {
    t.store()
        .query_audit(&AuditQuery {
            action_prefix: Some("post.reschedule".into()),
            limit: 50,
            ..AuditQuery::default()
        })
        .await
        .unwrap()
}

#[tokio::test]
async fn a_late_evening_post_is_on_the_next_day_for_a_reader_in_wit() {
    let t = TestApp::spawn().await;
    let dinkes = t.opd("dinkes").await;
    new_operator(&t, "operator.papua", dinkes).await;
    set_zone(&t, "operator.papua", UserZone::Wit).await;
    let day = wib_day(&t, 3);
    let next = day.tomorrow().unwrap();
    // 23:30 WIB is 01:30 WIT the next day.
    let post = draft_at(&t, "Vaksinasi malam", &format!("{day}T23:30")).await;

    let wib = t.signed_in("operator.dinkes").await;
    let (status, html) = page(&wib, t.url(&format!("/calendar?view=week&date={day}"))).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(
        day_of(&html, post).as_deref(),
        Some(day.to_string().as_str())
    );
    assert!(
        card_of(&html, post).contains("23.30"),
        "{}",
        card_of(&html, post)
    );
    assert!(html.contains("WIB"));
    // The month view puts it on the same day.
    let (_, month) = page(&wib, t.url(&format!("/calendar?view=month&date={day}"))).await;
    assert_eq!(
        day_of(&month, post).as_deref(),
        Some(day.to_string().as_str())
    );

    let wit = t.signed_in("operator.papua").await;
    let (status, html) = page(&wit, t.url(&format!("/calendar?view=week&date={next}"))).await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(
        day_of(&html, post).as_deref(),
        Some(next.to_string().as_str())
    );
    assert!(
        card_of(&html, post).contains("01.30"),
        "{}",
        card_of(&html, post)
    );
    assert!(html.contains("WIT"));

    // The API answers in the caller's zone unless asked for another.
    let token = t.token("operator.papua").await;
    let api: Value = reqwest::Client::new()
        .get(t.url(&format!("/api/v1/calendar?date={next}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(api["zone"], "wit");
    let holding: Vec<&Value> = api["days"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            d["posts"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["id"] == post.to_string())
        })
        .collect();
    assert_eq!(holding.len(), 1);
    assert_eq!(holding[0]["date"], next.to_string());
    let p = &holding[0]["posts"][0];
    assert_eq!(p["local_time"], format!("{next}T01:30"));
    assert_eq!(p["platforms"], json!(["facebook"]));
    assert_eq!(p["state"], "draft");
    let as_wib: Value = reqwest::Client::new()
        .get(t.url(&format!("/api/v1/calendar?date={day}&zone=wib&view=month")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let wib_day_posts = as_wib["days"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["date"] == day.to_string())
        .unwrap();
    assert_eq!(wib_day_posts["posts"][0]["id"], post.to_string());
    // A typo in the query is reported, not ignored.
    let resp = reqwest::Client::new()
        .get(t.url("/api/v1/calendar?veiw=month"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn posts_without_a_time_are_listed_apart_and_weeks_can_be_walked() {
    let t = TestApp::spawn().await;
    let dinkes = t.opd("dinkes").await;
    let input = PostInput {
        title: "Segera setelah disetujui".into(),
        body: "Info layanan.".into(),
        channels: vec![ChannelInput {
            account: facebook_of(&t, dinkes).await,
            text: None,
        }],
        media: Vec::new(),
        schedule: None,
        zone: UserZone::Wib,
    };
    let asap = t
        .app
        .create_post(&actor(&t, "operator.dinkes").await, dinkes, &input)
        .await
        .unwrap()
        .id;
    let op = t.signed_in("operator.dinkes").await;
    let (_, html) = page(&op, t.url("/calendar")).await;
    assert!(day_of(&html, asap).is_none(), "not on a day");
    let unscheduled = html.split("id=\"unscheduled\"").nth(1).unwrap();
    assert!(unscheduled.contains(&format!("data-post=\"{asap}\"")));
    // Its move form sets a first time.
    assert!(unscheduled.contains(&format!("action=\"/posts/{asap}/reschedule\"")));

    let today = wib_day(&t, 0);
    let next_week = today.checked_add(jiff::Span::new().days(7)).unwrap();
    assert!(
        html.contains(&format!("date={next_week}")),
        "a next-week link"
    );
    let (status, html) = page(&op, t.url(&format!("/calendar?view=week&date={next_week}"))).await;
    assert_eq!(status, 200);
    assert!(html.contains(&format!("data-date=\"{next_week}\"")));
    assert!(!html.contains(&format!("data-date=\"{today}\"")));
}

#[tokio::test]
async fn a_post_moves_by_form_and_by_header_and_each_move_is_audited() {
    let t = TestApp::spawn().await;
    let day = wib_day(&t, 3);
    let later = day.checked_add(jiff::Span::new().days(2)).unwrap();
    let post = draft_at(&t, "Posyandu", &format!("{day}T09:00")).await;
    let op = t.signed_in("operator.dinkes").await;
    let csrf = t.csrf(&op).await;

    // The calendar offers the move form (and dragging) on the card.
    let (_, html) = page(&op, t.url(&format!("/calendar?date={day}"))).await;
    let card = card_of(&html, post);
    assert!(card.contains("draggable=\"true\""), "{card}");
    assert!(card.contains("data-time=\"09:00\""), "{card}");
    assert!(card.contains(&format!("value=\"{day}T09:00\"")), "{card}");

    // Without JavaScript: the form, then back to the calendar page it came from.
    let back = format!("/calendar?view=week&date={later}");
    let resp = op
        .post(t.url(&format!("/posts/{post}/reschedule")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("at", &format!("{later}T10:15")),
            ("back", &back),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert!(location(&resp).starts_with(&back), "{}", location(&resp));
    let stored = t.store().get_post(post).await.unwrap();
    assert_eq!(
        stored.scheduled_at,
        Some(zone::parse_local(&format!("{later}T10:15"), UserZone::Wib).unwrap())
    );

    // The drag script: the token in a header, a JSON answer; the time of day is kept.
    let resp = op
        .post(t.url(&format!("/posts/{post}/reschedule")))
        .header("x-csrf-token", &csrf)
        .header("accept", "application/json")
        .form(&[("at", format!("{day}T10:15"))])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["ok"], true);
    assert_eq!(body["local"], format!("{day}T10:15"));
    let (_, html) = page(&op, t.url(&format!("/calendar?date={day}"))).await;
    assert_eq!(
        day_of(&html, post).as_deref(),
        Some(day.to_string().as_str())
    );

    let audits = reschedule_audits(&t).await;
    assert_eq!(audits.len(), 2, "{audits:?}");
    assert!(audits.iter().all(|a| a.actor == "operator.dinkes"));

    // A time in the past: a translated message, nothing moved, nothing audited.
    let past = format!("{}T08:00", wib_day(&t, -2));
    let resp = op
        .post(t.url(&format!("/posts/{post}/reschedule")))
        .form(&[("_csrf", csrf.as_str()), ("at", &past), ("back", &back)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Waktu itu sudah lewat"), "{html}");
    assert!(
        html.contains("id=\"calendar\""),
        "the calendar is shown again"
    );
    let resp = op
        .post(t.url(&format!("/posts/{post}/reschedule")))
        .header("x-csrf-token", &csrf)
        .header("accept", "application/json")
        .form(&[("at", past.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_schedule");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("sudah lewat"),
        "{body}"
    );
    // In English for someone who chose English.
    let switched = op.get(t.url("/lang?to=en")).send().await.unwrap();
    assert_eq!(switched.status(), 303);
    let resp = op
        .post(t.url(&format!("/posts/{post}/reschedule")))
        .header("x-csrf-token", &csrf)
        .header("accept", "application/json")
        .form(&[("at", "besok pagi")])
        .send()
        .await
        .unwrap();
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Write a full date and time"),
        "{body}"
    );
    assert_eq!(reschedule_audits(&t).await.len(), 2);
    assert_eq!(
        t.store().get_post(post).await.unwrap().scheduled_at,
        Some(zone::parse_local(&format!("{day}T10:15"), UserZone::Wib).unwrap())
    );

    // A wrong header token is refused before anything happens.
    let resp = op
        .post(t.url(&format!("/posts/{post}/reschedule")))
        .header("x-csrf-token", "not-the-token")
        .form(&[("at", format!("{later}T11:00"))])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);

    // The API reads the time in the zone it is given.
    let token = t.token("operator.dinkes").await;
    let resp = reqwest::Client::new()
        .post(t.url(&format!("/api/v1/posts/{post}/reschedule")))
        .bearer_auth(&token)
        .json(&json!({"at": format!("{later}T12:00"), "zone": "wit"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    let expected = zone::parse_local(&format!("{later}T12:00"), UserZone::Wit).unwrap();
    assert_eq!(body["scheduled_at"], expected.to_string());
    assert_eq!(body["local_time"], format!("{later}T12:00"));
    assert_eq!(reschedule_audits(&t).await.len(), 3);
    let resp = reqwest::Client::new()
        .post(t.url(&format!("/api/v1/posts/{post}/reschedule")))
        .bearer_auth(&token)
        .json(&json!({"at": past}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "invalid_schedule");
}

#[tokio::test]
async fn an_operator_of_another_opd_is_refused_everywhere() {
    let t = TestApp::spawn().await;
    let dinkes = t.opd("dinkes").await;
    let bpbd = t.opd("bpbd").await;
    new_operator(&t, "operator.lain", bpbd).await;
    let day = wib_day(&t, 3);
    let post = draft_at(&t, "Rahasia dinkes", &format!("{day}T09:00")).await;
    let account = facebook_of(&t, dinkes).await;
    let other = t.signed_in("operator.lain").await;
    let csrf = t.csrf(&other).await;

    let (status, _) = page(&other, t.url(&format!("/calendar?opd={dinkes}"))).await;
    assert_eq!(status, 403);
    // Their own calendar does not show dinkes' post.
    let (status, html) = page(&other, t.url(&format!("/calendar?date={day}"))).await;
    assert_eq!(status, 200);
    assert!(!html.contains(&post.to_string()));
    assert!(!html.contains("Rahasia dinkes"));
    let at = format!("{day}T11:00");
    let resp = other
        .post(t.url(&format!("/posts/{post}/reschedule")))
        .form(&[("_csrf", csrf.as_str()), ("at", at.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let resp = other
        .post(t.url(&format!("/posts/{post}/reschedule")))
        .header("x-csrf-token", &csrf)
        .header("accept", "application/json")
        .form(&[("at", at.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let (status, _) = page(&other, t.url(&format!("/accounts/{account}/slots"))).await;
    assert_eq!(status, 403);
    let resp = other
        .post(t.url(&format!("/accounts/{account}/slots")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("weekday", "1"),
            ("time", "07:00"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);

    let token = t.token("operator.lain").await;
    let api = reqwest::Client::new();
    let get = |path: String| api.get(t.url(&path)).bearer_auth(&token).send();
    assert_eq!(
        get(format!("/api/v1/calendar?opd={dinkes}"))
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        get(format!("/api/v1/accounts/{account}/slots"))
            .await
            .unwrap()
            .status(),
        403
    );
    assert_eq!(
        get(format!("/api/v1/accounts/{account}/next-slot"))
            .await
            .unwrap()
            .status(),
        403
    );
    let resp = api
        .put(t.url(&format!("/api/v1/accounts/{account}/slots")))
        .bearer_auth(&token)
        .json(&json!({"slots": ["1 07:00"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let resp = api
        .post(t.url(&format!("/api/v1/posts/{post}/reschedule")))
        .bearer_auth(&token)
        .json(&json!({"at": at}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    // Nothing moved, nothing changed.
    assert_eq!(reschedule_audits(&t).await.len(), 0);
    assert!(t.store().account_slots(account).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_approver_sets_slots_and_an_operator_only_reads_them() {
    let t = TestApp::spawn().await;
    let dinkes = t.opd("dinkes").await;
    let account = facebook_of(&t, dinkes).await;
    let approver = t.signed_in("approver.dinkes").await;
    let csrf = t.csrf(&approver).await;

    // The account list links to the slots.
    let (_, list) = page(&approver, t.url("/accounts")).await;
    assert!(list.contains(&format!("/accounts/{account}/slots")));
    let (status, html) = page(&approver, t.url(&format!("/accounts/{account}/slots"))).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("id=\"slots-form\""));
    assert!(html.contains("belum punya slot tayang"), "no slots yet");

    // Two rows filled, one left empty.
    let resp = approver
        .post(t.url(&format!("/accounts/{account}/slots")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("weekday", "3"),
            ("time", "12:30"),
            ("weekday", "1"),
            ("time", "07:00"),
            ("weekday", "1"),
            ("time", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(
        t.store().account_slots(account).await.unwrap(),
        vec![
            Slot::parse("1 07:00").unwrap(),
            Slot::parse("3 12:30").unwrap()
        ]
    );
    let (_, html) = page(&approver, t.url(&format!("/accounts/{account}/slots"))).await;
    assert!(html.contains("value=\"07:00\"") && html.contains("value=\"12:30\""));
    let next = t
        .app
        .next_free_slot(&actor(&t, "approver.dinkes").await, account)
        .await
        .unwrap();
    let shown = humas_web::format::time_us(
        next.as_microsecond(),
        UserZone::Wib,
        humas_domain::Locale::Id,
    );
    assert!(
        html.contains(&format!("id=\"next-free\"><strong>{shown}</strong>")),
        "{shown}"
    );

    // Removing the first row keeps the other.
    let resp = approver
        .post(t.url(&format!("/accounts/{account}/slots")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("weekday", "1"),
            ("time", "07:00"),
            ("remove", "0"),
            ("weekday", "3"),
            ("time", "12:30"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(
        t.store().account_slots(account).await.unwrap(),
        vec![Slot::parse("3 12:30").unwrap()]
    );

    // A weekday that does not exist: refused with the translated message, rows kept.
    let resp = approver
        .post(t.url(&format!("/accounts/{account}/slots")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("weekday", "9"),
            ("time", "08:45"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Slot tidak dapat disimpan"), "{html}");
    assert!(html.contains("value=\"08:45\""), "what was typed stays");
    assert_eq!(t.store().account_slots(account).await.unwrap().len(), 1);

    // The operator sees them but cannot change them.
    let op = t.signed_in("operator.dinkes").await;
    let op_csrf = t.csrf(&op).await;
    let (status, html) = page(&op, t.url(&format!("/accounts/{account}/slots"))).await;
    assert_eq!(status, 200);
    assert!(!html.contains("id=\"slots-form\""));
    assert!(html.contains("Rabu 12.30 WIB"), "{html}");
    let resp = op
        .post(t.url(&format!("/accounts/{account}/slots")))
        .form(&[
            ("_csrf", op_csrf.as_str()),
            ("weekday", "1"),
            ("time", "07:00"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let api = reqwest::Client::new();
    let op_token = t.token("operator.dinkes").await;
    let resp = api
        .put(t.url(&format!("/api/v1/accounts/{account}/slots")))
        .bearer_auth(&op_token)
        .json(&json!({"slots": ["1 07:00"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let slots: Value = api
        .get(t.url(&format!("/api/v1/accounts/{account}/slots")))
        .bearer_auth(&op_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(slots["slots"][0]["label"], "3 12:30");
    assert_eq!(slots["zone"], "wib");

    // The approver through the API.
    let token = t.token("approver.dinkes").await;
    let resp = api
        .put(t.url(&format!("/api/v1/accounts/{account}/slots")))
        .bearer_auth(&token)
        .json(&json!({"slots": ["5 16:00", "2 08:00", "5 16:00"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["slots"].as_array().unwrap().len(),
        2,
        "repeats dropped"
    );
    assert_eq!(body["slots"][0]["label"], "2 08:00");
    let resp = api
        .put(t.url(&format!("/api/v1/accounts/{account}/slots")))
        .bearer_auth(&token)
        .json(&json!({"slots": ["senin 07:00"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let next: Value = api
        .get(t.url(&format!("/api/v1/accounts/{account}/next-slot?zone=wita")))
        .bearer_auth(&op_token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(next["zone"], "wita");
    let at: jiff::Timestamp = next["at"].as_str().unwrap().parse().unwrap();
    let local = zone::to_local(at, UserZone::Wib);
    assert!(
        matches!(
            (local.date().weekday().to_monday_one_offset(), local.hour()),
            (2, 8) | (5, 16)
        ),
        "{local}"
    );
    // An account without slots says so (the demo gives the Instagram account some).
    let mut other = None;
    for a in t.store().list_accounts(Some(dinkes)).await.unwrap() {
        if a.id != account && t.store().account_slots(a.id).await.unwrap().is_empty() {
            other = Some(a.id);
            break;
        }
    }
    let other = other.unwrap();
    let resp = api
        .get(t.url(&format!("/api/v1/accounts/{other}/next-slot")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "no_slots");

    let audit = t
        .store()
        .query_audit(&AuditQuery {
            action_prefix: Some("account.slots".into()),
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let target = account.to_string();
    assert_eq!(
        audit.iter().filter(|e| e.target_id == target).count(),
        3,
        "two page saves and one API save"
    );
}
