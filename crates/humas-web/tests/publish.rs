//! Publishing through the web: the composer's check, submitting, approving along the chain,
//! rejecting, the emergency fast lane, media uploads and who may touch whose posts, over a real
//! store (SQLite by default, PostgreSQL with `HUMAS_TEST_WEB_BACKEND=postgres`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failure should stop the test at that line"
)]

mod support;

use humas_app::AuthSettings;
use humas_domain::publish::chain::{ApprovalStep, StepMode};
use humas_domain::publish::{DeliveryState, PostState};
use humas_domain::{Account, AccountHandle, AccountId, AccountStatus, OpdId, Platform, PostId};
use humas_store::{AuditActor, AuditQuery};
use humas_web::WebSettings;
use serde_json::{Value, json};
use support::{TestApp, hidden_field};

/// A Humas whose uploads go to a folder the test can look into.
struct Publishing {
    t: TestApp,
    media: tempfile::TempDir,
    dinkes: OpdId,
    x: AccountId,
    facebook: AccountId,
}

async fn spawn() -> Publishing {
    let media = tempfile::tempdir().unwrap();
    let t = TestApp::spawn_configured(
        AuthSettings::for_tests(),
        WebSettings {
            media_dir: media.path().to_path_buf(),
            ..WebSettings::default()
        },
    )
    .await;
    let dinkes = t.opd("dinkes").await;
    let x = Account {
        id: AccountId::generate(),
        opd: dinkes,
        platform: Platform::X,
        handle: AccountHandle::parse("@dinkesjatim_x").unwrap(),
        api_base_url: None,
        status: AccountStatus::Active,
    };
    t.store()
        .create_account(&AuditActor::system(), &x)
        .await
        .unwrap();
    let facebook = t
        .store()
        .list_accounts(Some(dinkes))
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.platform == Platform::Facebook)
        .unwrap()
        .id;
    Publishing {
        t,
        media,
        dinkes,
        x: x.id,
        facebook,
    }
}

/// Files kept in the media folder (the bytes of every upload that was accepted).
fn stored_files(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .map(|e| {
            let p = e.unwrap().path();
            if p.is_dir() { stored_files(&p) } else { 1 }
        })
        .sum()
}

/// A small PNG the media check accepts (width × height).
fn png(width: u32, height: u32) -> Vec<u8> {
    fn chunk(kind: &[u8; 4], data: &[u8]) -> Vec<u8> {
        let mut c = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
        c.extend(kind);
        c.extend(data);
        c.extend([0, 0, 0, 0]);
        c
    }
    let mut b = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    b.extend(chunk(b"IHDR", &ihdr));
    b.extend(chunk(b"IDAT", &[0x78, 0x9C, 0x03, 0x00]));
    b.extend(chunk(b"IEND", &[]));
    b
}

/// A PNG of about `bytes` bytes (one large data chunk), larger than the pages' usual body
/// limit.
fn big_png(bytes: usize) -> Vec<u8> {
    let mut b = png(2000, 2000);
    let iend = b.split_off(b.len() - 12);
    let data = vec![0x5A; bytes];
    b.extend(u32::try_from(data.len()).unwrap().to_be_bytes());
    b.extend(b"IDAT");
    b.extend(data);
    b.extend([0, 0, 0, 0]);
    b.extend(iend);
    b
}

/// A time two hours from the test clock's now, as the composer's `datetime-local` in WIB.
fn in_two_hours(t: &TestApp) -> String {
    let at = t.app.clock().now() + jiff::SignedDuration::from_hours(2);
    humas_domain::publish::zone::to_local(at, humas_domain::UserZone::Wib)
        .strftime("%Y-%m-%dT%H:%M")
        .to_string()
}

fn post_id_from(location: &str) -> PostId {
    location
        .trim_start_matches("/posts/")
        .split(['/', '?'])
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

async fn post_form(
    c: &reqwest::Client,
    url: String,
    csrf: &str,
    pairs: &[(String, String)],
) -> reqwest::Response {
    let mut all = pairs.to_vec();
    all.push(("_csrf".into(), csrf.to_owned()));
    c.post(url).form(&all).send().await.unwrap()
}

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// The items of a `<ul id="…">` list on a page.
fn list_of<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("no #{id} on the page"));
    let end = html[start..].find("</ul>").unwrap() + start;
    &html[start..end]
}

/// Creates a draft for dinkes through the API as `who`, returning its id.
async fn api_draft(p: &Publishing, who: &str, x_text: &str) -> PostId {
    let token = p.t.token(who).await;
    let resp = reqwest::Client::new()
        .post(p.t.url("/api/v1/posts"))
        .bearer_auth(&token)
        .json(&json!({
            "opd_id": p.dinkes.to_string(),
            "title": "Vaksinasi gratis",
            "body": "Vaksinasi gratis hari Sabtu pukul 08.00 WIB di Balai Desa Sukodono.",
            "channels": [
                {"account_id": p.x.to_string(), "text": x_text},
                {"account_id": p.facebook.to_string(), "text": null}
            ],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201, "{}", resp.text().await.unwrap());
    let body: Value = resp.json().await.unwrap();
    body["id"].as_str().unwrap().parse().unwrap()
}

async fn api_submit(p: &Publishing, who: &str, id: PostId) {
    let token = p.t.token(who).await;
    let resp = reqwest::Client::new()
        .post(p.t.url(&format!("/api/v1/posts/{id}/submit")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200, "{}", resp.text().await.unwrap());
}

#[tokio::test]
async fn an_operator_fixes_a_too_long_x_variant_and_the_approver_schedules_it() {
    let p = spawn().await;
    let t = &p.t;
    let op = t.signed_in("operator.dinkes").await;
    let csrf = t.csrf(&op).await;
    let long = format!("Info vaksinasi {}", "sangat panjang ".repeat(25));

    // The composer's live check: X is over its 280 weighted characters, Facebook is fine.
    let resp = op
        .post(t.url("/posts/check"))
        .header("x-csrf-token", &csrf)
        .json(&json!({
            "body": "Vaksinasi gratis hari Sabtu pukul 08.00 WIB di Balai Desa.",
            "channels": [{"account": p.x.to_string(), "text": long}, {"account": p.facebook.to_string(), "text": null}],
            "media": []
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let check: Value = resp.json().await.unwrap();
    let x = check["channels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["account_id"] == p.x.to_string())
        .unwrap();
    assert_eq!(x["problems"][0]["code"], "too_long", "{check}");
    assert_eq!(x["problems"][0]["severity"], "error");
    assert!(x["measure"]["over"].as_bool().unwrap());
    assert!(
        x["measure"]["text"]
            .as_str()
            .unwrap()
            .ends_with("/ 280 karakter berbobot"),
        "counter in Indonesian: {check}"
    );
    assert_eq!(check["has_errors"], true);

    // Saved without JavaScript, the composer shows the same problem under X.
    let schedule = in_two_hours(t);
    let mut fields: Vec<(String, String)> = vec![
        ("opd".into(), p.dinkes.to_string()),
        ("title".into(), "Vaksinasi gratis".into()),
        (
            "body".into(),
            "Vaksinasi gratis hari Sabtu pukul 08.00 WIB di Balai Desa Sukodono.".into(),
        ),
        ("channel".into(), p.x.to_string()),
        (format!("text_{}", p.x), long.clone()),
        ("channel".into(), p.facebook.to_string()),
        (format!("text_{}", p.facebook), String::new()),
        ("schedule".into(), schedule.clone()),
    ];
    let resp = post_form(&op, t.url("/posts"), &csrf, &fields).await;
    assert_eq!(resp.status(), 303);
    let to = location(&resp);
    assert!(to.ends_with("/edit?ok=created"), "{to}");
    let id = post_id_from(&to);
    let page = op
        .get(t.url(&to))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list_of(&page, &format!("problems-{}", p.x)).contains("data-severity=\"error\""),
        "X's problem is shown after saving"
    );
    assert!(
        !list_of(&page, &format!("problems-{}", p.facebook)).contains("data-severity=\"error\"")
    );

    // Submitting is refused with the translated reason; the post stays a draft.
    let resp = post_form(&op, t.url(&format!("/posts/{id}/submit")), &csrf, &[]).await;
    assert_eq!(resp.status(), 422);
    let page = resp.text().await.unwrap();
    assert!(page.contains("Unggahan belum dapat diajukan"), "{page}");
    assert_eq!(
        t.store().get_post(id).await.unwrap().state,
        PostState::Draft
    );

    // Fixed and submitted from the composer in one go.
    fields[4].1 = "Vaksinasi gratis Sabtu 08.00 WIB di Balai Desa Sukodono. #JatimSehat".into();
    fields.push(("action".into(), "submit".into()));
    let resp = post_form(&op, t.url(&format!("/posts/{id}/edit")), &csrf, &fields).await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    assert_eq!(location(&resp), format!("/posts/{id}?ok=submitted"));
    assert_eq!(
        t.store().get_post(id).await.unwrap().state,
        PostState::InReview
    );

    // The approver approves; one job per channel is queued and the pages say "scheduled".
    let ap = t.signed_in("approver.dinkes").await;
    let ap_csrf = t.csrf(&ap).await;
    let page = ap
        .get(t.url(&format!("/posts/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("action=\"/posts/{id}/approve\"")));
    let resp = post_form(&ap, t.url(&format!("/posts/{id}/approve")), &ap_csrf, &[]).await;
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), format!("/posts/{id}?ok=approved_final"));
    let jobs = t.store().post_jobs(id).await.unwrap();
    assert_eq!(jobs.len(), 2);
    assert!(jobs.iter().all(|j| j.state == DeliveryState::Scheduled));
    let page = op
        .get(t.url(&format!("/posts/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(page.matches("ds-scheduled").count(), 2, "{page}");
    assert!(page.contains("terjadwal"));
    assert!(page.contains(" WIB"), "times in the reader's zone");
    assert!(
        page.contains("disetujui Kepala Dinas Kesehatan"),
        "who approved is shown"
    );
    // Engagement the worker read from the platform shows on the channel's row.
    t.store()
        .record_engagement(
            jobs[0].id,
            &humas_store::EngagementFigures {
                likes: 1234,
                comments: 5,
                shares: 2,
                views: None,
            },
            t.app.clock().now(),
        )
        .await
        .unwrap();
    let page = op
        .get(t.url(&format!("/posts/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("1.234 suka · 5 komentar · 2 bagikan"),
        "{page}"
    );
    let queue = op
        .get(t.url("/posts"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(queue.contains("Vaksinasi gratis"));
    // Its two channels, besides the demo's own approved post.
    let row = &queue[queue.find("Vaksinasi gratis").unwrap()..];
    let row = &row[..row.find("</tr>").unwrap_or(row.len())];
    assert_eq!(row.matches("ds-scheduled").count(), 2, "{row}");
}

#[tokio::test]
async fn an_approver_cannot_approve_their_own_post() {
    let p = spawn().await;
    let t = &p.t;
    // Two may approve, so the post can be submitted; its author is one of them.
    let sup = t
        .app
        .bearer(&t.token("supervisor").await)
        .await
        .unwrap()
        .actor;
    let approvers = vec![
        t.user_id("approver.dinkes").await,
        t.user_id("supervisor").await,
    ];
    t.app
        .set_approval_chain(
            &sup,
            p.dinkes,
            vec![ApprovalStep {
                label: "Kepala Dinas".into(),
                mode: StepMode::AnyOf,
                approvers,
            }],
        )
        .await
        .unwrap();
    let id = api_draft(
        &p,
        "approver.dinkes",
        "Vaksinasi gratis Sabtu di Balai Desa",
    )
    .await;
    api_submit(&p, "approver.dinkes", id).await;
    let ap = t.signed_in("approver.dinkes").await;
    let csrf = t.csrf(&ap).await;
    let page = ap
        .get(t.url(&format!("/posts/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !page.contains(&format!("action=\"/posts/{id}/approve\"")),
        "no approve button"
    );

    let resp = post_form(&ap, t.url(&format!("/posts/{id}/approve")), &csrf, &[]).await;
    assert_eq!(resp.status(), 422);
    let page = resp.text().await.unwrap();
    let alert = page.split("id=\"form-error\">").nth(1).unwrap();
    let alert = &alert[..alert.find("</p>").unwrap()];
    assert!(!alert.is_empty());
    assert!(!alert.contains("you cannot approve"), "translated: {alert}");
    assert!(alert.contains("menyetujui"), "{alert}");
    assert_eq!(
        t.store().get_post(id).await.unwrap().state,
        PostState::InReview
    );
    assert!(t.store().post_jobs(id).await.unwrap().is_empty());

    // The API says the same with the stable code.
    let token = t.token("approver.dinkes").await;
    let resp = reqwest::Client::new()
        .post(t.url(&format!("/api/v1/posts/{id}/approve")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "self_approval");
}

#[tokio::test]
async fn a_rejection_with_a_note_returns_the_post_to_draft() {
    let p = spawn().await;
    let t = &p.t;
    let id = api_draft(&p, "operator.dinkes", "Vaksinasi gratis Sabtu").await;
    api_submit(&p, "operator.dinkes", id).await;
    let ap = t.signed_in("approver.dinkes").await;
    let csrf = t.csrf(&ap).await;

    // A rejection needs a note.
    let resp = post_form(
        &ap,
        t.url(&format!("/posts/{id}/reject")),
        &csrf,
        &[("note".into(), "  ".into())],
    )
    .await;
    assert_eq!(resp.status(), 422);
    assert_eq!(
        t.store().get_post(id).await.unwrap().state,
        PostState::InReview
    );

    let resp = post_form(
        &ap,
        t.url(&format!("/posts/{id}/reject")),
        &csrf,
        &[("note".into(), "Sebutkan lokasi puskesmasnya.".into())],
    )
    .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(location(&resp), format!("/posts/{id}?ok=rejected"));
    assert_eq!(
        t.store().get_post(id).await.unwrap().state,
        PostState::Draft
    );
    let audit = t
        .store()
        .query_audit(&AuditQuery {
            action_prefix: Some("post.reject".into()),
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert!(
        serde_json::to_string(&audit[0])
            .unwrap()
            .contains("Sebutkan lokasi puskesmasnya."),
        "the note is kept in the audit entry"
    );
    // The author can edit it again.
    let op = t.signed_in("operator.dinkes").await;
    let page = op
        .get(t.url(&format!("/posts/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("href=\"/posts/{id}/edit\"")));
    // ...and reads why it came back.
    assert!(
        page.contains("id=\"rejection-note\""),
        "the note is shown to the author"
    );
    assert!(page.contains("Sebutkan lokasi puskesmasnya."));
    // The author's home page lists it among the posts that need them.
    let home = op
        .get(t.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mine = &home[home.find("id=\"my-posts\"").expect("the section is shown")..];
    assert!(
        mine.contains(&format!("/posts/{id}")) && mine.contains("dikembalikan"),
        "{mine}"
    );
}

#[tokio::test]
async fn the_supervisors_emergency_lane_publishes_at_once_and_is_flagged() {
    let p = spawn().await;
    let t = &p.t;
    let id = api_draft(&p, "operator.dinkes", "Peringatan dini banjir di Sidoarjo").await;

    // Operators and approvers have no fast lane.
    for who in ["operator.dinkes", "approver.dinkes"] {
        let c = t.signed_in(who).await;
        let csrf = t.csrf(&c).await;
        let resp = post_form(
            &c,
            t.url(&format!("/posts/{id}/emergency")),
            &csrf,
            &[("reason".into(), "banjir".into())],
        )
        .await;
        assert_eq!(resp.status(), 403, "{who}");
    }

    let sup = t.signed_in("supervisor").await;
    let csrf = t.csrf(&sup).await;
    let page = sup
        .get(t.url(&format!("/posts/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("action=\"/posts/{id}/emergency\"")));
    let resp = post_form(
        &sup,
        t.url(&format!("/posts/{id}/emergency")),
        &csrf,
        &[(
            "reason".into(),
            "Banjir bandang, warga harus segera mengungsi".into(),
        )],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let post = t.store().get_post(id).await.unwrap();
    assert_eq!(post.state, PostState::Approved);
    assert!(post.emergency);
    assert_eq!(t.store().post_jobs(id).await.unwrap().len(), 2);
    let page = sup
        .get(t.url(&format!("/posts/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("id=\"emergency-flag\""));
    assert!(page.contains("DARURAT"));
    let queue = sup
        .get(t.url("/posts"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(queue.contains("DARURAT"), "flagged in the queue too");
    let audit = t
        .store()
        .query_audit(&AuditQuery {
            action_prefix: Some("post.emergency_publish".into()),
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
}

#[tokio::test]
async fn an_operator_of_another_opd_is_refused_on_every_post_route() {
    let p = spawn().await;
    let t = &p.t;
    let id = api_draft(&p, "operator.dinkes", "Vaksinasi gratis Sabtu").await;
    let token = t.token("operator.dinkes").await;
    let media: Value = reqwest::Client::new()
        .post(t.url("/api/v1/media"))
        .bearer_auth(&token)
        .multipart(
            reqwest::multipart::Form::new()
                .text("opd_id", p.dinkes.to_string())
                .text("alt_text", "Petugas menyuntik warga")
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(png(1080, 1080)).file_name("vaksin.png"),
                ),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let media_id = media["id"].as_str().unwrap().to_owned();
    // An emergency publication gives the post a job to retry and confirm.
    let sup = t
        .app
        .bearer(&t.token("supervisor").await)
        .await
        .unwrap()
        .actor;
    t.app.emergency_publish(&sup, id, "uji").await.unwrap();
    let job = t.store().post_jobs(id).await.unwrap()[0].id;
    let other_post = api_draft(&p, "operator.dinkes", "Draf kedua").await;
    let in_review = api_draft(&p, "operator.dinkes", "Draf ketiga").await;
    api_submit(&p, "operator.dinkes", in_review).await;

    let bpbd = t.signed_in("operator.bpbd").await;
    let csrf = t.csrf(&bpbd).await;
    let pages: Vec<(&str, String)> = vec![
        ("GET", format!("/posts/{id}")),
        ("GET", format!("/posts/{other_post}/edit")),
        ("POST", format!("/posts/{other_post}/edit")),
        ("POST", format!("/posts/{other_post}/submit")),
        ("POST", format!("/posts/{in_review}/approve")),
        ("POST", format!("/posts/{in_review}/reject")),
        ("POST", format!("/posts/{other_post}/emergency")),
        ("GET", format!("/posts/new?opd={}", p.dinkes)),
        ("GET", format!("/posts?opd={}", p.dinkes)),
        ("GET", format!("/posts/media/{media_id}")),
        ("POST", format!("/posts/media/{media_id}")),
        ("POST", format!("/deliveries/{job}/retry")),
        ("POST", format!("/deliveries/{job}/confirm")),
        ("POST", "/posts".to_owned()),
        ("POST", "/posts/check".to_owned()),
    ];
    for (method, path) in pages {
        let resp = if method == "GET" {
            bpbd.get(t.url(&path)).send().await.unwrap()
        } else if path == "/posts/check" {
            bpbd.post(t.url(&path))
                .header("x-csrf-token", &csrf)
                .json(
                    &json!({"body": "x", "channels": [{"account": p.x.to_string(), "text": null}]}),
                )
                .send()
                .await
                .unwrap()
        } else {
            post_form(
                &bpbd,
                t.url(&path),
                &csrf,
                &[
                    ("opd".into(), p.dinkes.to_string()),
                    ("title".into(), "Bukan milik saya".into()),
                    ("channel".into(), p.x.to_string()),
                    ("note".into(), "x".into()),
                    ("reason".into(), "x".into()),
                    ("url".into(), "https://x.com/a/1".into()),
                    ("alt_text".into(), "x".into()),
                ],
            )
            .await
        };
        assert_eq!(resp.status(), 403, "{method} {path}");
    }
    let upload = bpbd
        .post(t.url("/posts/media"))
        .header("x-csrf-token", &csrf)
        .multipart(
            reqwest::multipart::Form::new()
                .text("opd", p.dinkes.to_string())
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(png(10, 10)).file_name("a.png"),
                ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(upload.status(), 403);

    let bpbd_token = t.token("operator.bpbd").await;
    let api = reqwest::Client::new();
    let calls: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", format!("/api/v1/posts/{id}"), None),
        (
            "PUT",
            format!("/api/v1/posts/{other_post}"),
            Some(json!({"title": "x", "channels": [{"account_id": p.x.to_string()}]})),
        ),
        ("POST", format!("/api/v1/posts/{other_post}/submit"), None),
        ("POST", format!("/api/v1/posts/{in_review}/approve"), None),
        (
            "POST",
            format!("/api/v1/posts/{in_review}/reject"),
            Some(json!({"note": "x"})),
        ),
        (
            "POST",
            format!("/api/v1/posts/{other_post}/emergency"),
            Some(json!({"reason": "x"})),
        ),
        ("GET", format!("/api/v1/posts?opd={}", p.dinkes), None),
        (
            "POST",
            "/api/v1/posts".to_owned(),
            Some(
                json!({"opd_id": p.dinkes.to_string(), "title": "x", "channels": [{"account_id": p.x.to_string()}]}),
            ),
        ),
        (
            "POST",
            "/api/v1/posts/check".to_owned(),
            Some(json!({"body": "x", "channels": [{"account": p.x.to_string()}]})),
        ),
        ("GET", format!("/api/v1/media/{media_id}"), None),
        (
            "PATCH",
            format!("/api/v1/media/{media_id}"),
            Some(json!({"alt_text": "x"})),
        ),
        ("POST", format!("/api/v1/deliveries/{job}/retry"), None),
        (
            "POST",
            format!("/api/v1/deliveries/{job}/confirm"),
            Some(json!({"url": "https://x.com/a/1"})),
        ),
    ];
    for (method, path, body) in calls {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = api.request(m, t.url(&path)).bearer_auth(&bpbd_token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), 403, "{method} {path}");
    }
    // Nothing changed.
    assert_eq!(
        t.store().get_post(other_post).await.unwrap().state,
        PostState::Draft
    );
    assert_eq!(
        t.store().get_post(in_review).await.unwrap().state,
        PostState::InReview
    );
    assert_eq!(
        t.store()
            .get_media(media_id.parse().unwrap())
            .await
            .unwrap()
            .alt_text
            .as_deref(),
        Some("Petugas menyuntik warga")
    );
}

#[tokio::test]
async fn a_file_that_is_not_an_image_is_refused_clearly_and_nothing_is_kept() {
    let p = spawn().await;
    let t = &p.t;
    let token = t.token("operator.dinkes").await;
    let pdf = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF".to_vec();

    let resp = reqwest::Client::new()
        .post(t.url("/api/v1/media"))
        .bearer_auth(&token)
        .multipart(
            reqwest::multipart::Form::new()
                .text("opd_id", p.dinkes.to_string())
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(pdf.clone()).file_name("foto.jpg"),
                ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "media_unsupported");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("JPEG"),
        "says what to upload instead: {body}"
    );

    // The same through the composer, without JavaScript: a page in Indonesian.
    let op = t.signed_in("operator.dinkes").await;
    let csrf = t.csrf(&op).await;
    let resp = op
        .post(t.url("/posts/media"))
        .multipart(
            reqwest::multipart::Form::new()
                .text("_csrf", csrf.clone())
                .text("opd", p.dinkes.to_string())
                .text("post", "")
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(pdf.clone()).file_name("foto.jpg"),
                ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let page = resp.text().await.unwrap();
    let alert = page.split("id=\"form-error\">").nth(1).unwrap();
    let alert = &alert[..alert.find("</p>").unwrap()];
    assert!(alert.starts_with("Jenis berkas ini"), "{alert}");
    assert!(alert.contains("PDF"), "says what the file was: {alert}");
    // With the script: JSON, also translated.
    let resp = op
        .post(t.url("/posts/media"))
        .header("x-csrf-token", &csrf)
        .header("accept", "application/json")
        .multipart(
            reqwest::multipart::Form::new()
                .text("opd", p.dinkes.to_string())
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(pdf).file_name("foto.jpg"),
                ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("Jenis berkas")
    );
    assert_eq!(stored_files(p.media.path()), 0, "nothing was kept");

    // A real image goes through both ways and lands in the media folder.
    let resp = op
        .post(t.url("/posts/media"))
        .multipart(
            reqwest::multipart::Form::new()
                .text("_csrf", csrf.clone())
                .text("opd", p.dinkes.to_string())
                .text("alt_text", "Petugas menyuntik warga")
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(png(1080, 1350)).file_name("vaksin.png"),
                ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let to = location(&resp);
    assert!(
        to.starts_with(&format!("/posts/new?opd={}&media=", p.dinkes)),
        "{to}"
    );
    let page = op
        .get(t.url(&to))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("vaksin.png"));
    assert!(page.contains("1080×1350 px"));
    let resp = op
        .post(t.url("/posts/media"))
        .header("x-csrf-token", &csrf)
        .header("accept", "application/json")
        .multipart(
            reqwest::multipart::Form::new()
                .text("opd", p.dinkes.to_string())
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(png(800, 800)).file_name("b.png"),
                ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let uploaded: Value = resp.json().await.unwrap();
    assert_eq!(uploaded["file_name"], "b.png");
    assert_eq!(stored_files(p.media.path()), 2);
    // The preview serves the bytes with the sniffed type.
    let resp = op
        .get(t.url(&format!(
            "/posts/media/{}",
            uploaded["id"].as_str().unwrap()
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "image/png");
    assert_eq!(resp.bytes().await.unwrap().to_vec(), png(800, 800));
}

#[tokio::test]
async fn uploads_larger_than_a_form_go_through_on_their_own_route_only() {
    let p = spawn().await;
    let t = &p.t;
    let op = t.signed_in("operator.dinkes").await;
    let csrf = t.csrf(&op).await;
    let photo = big_png(3 * 1024 * 1024);
    // Without JavaScript: the token is a part of the multipart body, after the file.
    let resp = op
        .post(t.url("/posts/media"))
        .multipart(
            reqwest::multipart::Form::new()
                .text("opd", p.dinkes.to_string())
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(photo.clone()).file_name("besar.png"),
                )
                .text("_csrf", csrf.clone()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        303,
        "{}",
        resp.text().await.unwrap_or_default()
    );
    // With the script's header.
    let resp = op
        .post(t.url("/posts/media"))
        .header("x-csrf-token", &csrf)
        .header("accept", "application/json")
        .multipart(
            reqwest::multipart::Form::new()
                .text("opd", p.dinkes.to_string())
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(photo.clone()).file_name("besar.png"),
                ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    // And through the API.
    let resp = reqwest::Client::new()
        .post(t.url("/api/v1/media"))
        .bearer_auth(t.token("operator.dinkes").await)
        .multipart(reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(photo.clone()).file_name("besar.png"),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(
        body["opd_id"],
        p.dinkes.to_string(),
        "defaults to the caller's OPD"
    );
    assert_eq!(stored_files(p.media.path()), 3);
    // Any other form keeps the usual limit.
    let resp = op
        .post(t.url("/posts"))
        .form(&[
            ("_csrf", csrf.clone()),
            ("opd", p.dinkes.to_string()),
            ("title", "x".into()),
            ("body", "y".repeat(1024 * 1024)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
}

#[tokio::test]
async fn state_changes_without_the_csrf_token_are_refused() {
    let p = spawn().await;
    let t = &p.t;
    let op = t.signed_in("operator.dinkes").await;
    let id = api_draft(&p, "operator.dinkes", "Vaksinasi").await;
    let resp = op
        .post(t.url("/posts"))
        .form(&[("opd", p.dinkes.to_string()), ("title", "x".into())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let resp = op
        .post(t.url(&format!("/posts/{id}/submit")))
        .form(&[("x", "y")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let resp = op
        .post(t.url("/posts/check"))
        .json(&json!({"body": "x", "channels": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let resp = op
        .post(t.url("/posts/media"))
        .multipart(
            reqwest::multipart::Form::new()
                .text("_csrf", "wrong")
                .text("opd", p.dinkes.to_string())
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(png(10, 10)).file_name("a.png"),
                ),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    assert_eq!(stored_files(p.media.path()), 0);
    assert_eq!(
        t.store().get_post(id).await.unwrap().state,
        PostState::Draft
    );
}

#[tokio::test]
async fn the_supervisor_sets_and_removes_an_opds_approval_chain() {
    let p = spawn().await;
    let t = &p.t;
    let sup = t.signed_in("supervisor").await;
    let csrf = t.csrf(&sup).await;
    let approver = t.user_id("approver.dinkes").await.to_string();
    let supervisor = t.user_id("supervisor").await.to_string();
    // Writing for every OPD, the supervisor first says which one a new post speaks for.
    let picker = sup
        .get(t.url("/posts/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(picker.contains("id=\"pick-opd\""));
    assert!(picker.contains(&format!("value=\"{}\"", p.dinkes)));
    let queue = sup
        .get(t.url(&format!("/posts?opd={}", p.dinkes)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(queue.contains(&format!("href=\"/opds/{}/approval-chain\"", p.dinkes)));
    let url = t.url(&format!("/opds/{}/approval-chain", p.dinkes));
    let page = sup.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("belum punya rantai sendiri"));

    // A step without approvers is refused with its name in the message.
    let resp = post_form(
        &sup,
        url.clone(),
        &csrf,
        &[
            ("position_0".into(), "1".into()),
            ("label_0".into(), "Kabid".into()),
            ("mode_0".into(), "any_of".into()),
        ],
    )
    .await;
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("Kabid"));

    let resp = post_form(
        &sup,
        url.clone(),
        &csrf,
        &[
            ("position_0".into(), "2".into()),
            ("label_0".into(), "Kepala Dinas".into()),
            ("mode_0".into(), "any_of".into()),
            ("approver_0".into(), approver.clone()),
            ("position_1".into(), "1".into()),
            ("label_1".into(), "Sekretaris".into()),
            ("mode_1".into(), "all_of".into()),
            ("approver_1".into(), supervisor.clone()),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let chain = t.store().approval_chain(p.dinkes).await.unwrap().unwrap();
    let labels: Vec<&str> = chain.steps().iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels, ["Sekretaris", "Kepala Dinas"]);

    // Others may not.
    let ap = t.signed_in("approver.dinkes").await;
    assert_eq!(ap.get(&url).send().await.unwrap().status(), 403);

    let resp = post_form(&sup, format!("{url}/delete"), &csrf, &[]).await;
    assert_eq!(resp.status(), 303);
    assert!(t.store().approval_chain(p.dinkes).await.unwrap().is_none());
}

#[tokio::test]
async fn english_readers_get_english_publishing_pages() {
    let p = spawn().await;
    let t = &p.t;
    let op = t.signed_in("operator.dinkes").await;
    let resp = op.get(t.url("/lang?to=en")).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    let page = op
        .get(t.url("/posts/new"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("leave empty to use the base text"), "{page}");
    assert!(page.contains("@dinkesjatim_x"));
    assert!(hidden_field(&page, "_csrf").is_some());
    let csrf = t.csrf(&op).await;
    let check: Value = op
        .post(t.url("/posts/check"))
        .header("x-csrf-token", &csrf)
        .json(&json!({"body": "a".repeat(300), "channels": [{"account": p.x.to_string(), "text": null}]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        check["channels"][0]["measure"]["text"]
            .as_str()
            .unwrap()
            .ends_with("/ 280 weighted characters"),
        "{check}"
    );
}

#[tokio::test]
async fn the_post_page_previews_each_channel_folded_where_its_feed_folds() {
    let p = spawn().await;
    let t = &p.t;
    let long_fb = format!(
        "Jadwal vaksinasi gratis: Sabtu pukul 08.00 WIB di Balai Desa Sukodono. {}Pesan penutup.",
        "Bawa KTP dan kartu vaksin. ".repeat(20)
    );
    let token = t.token("operator.dinkes").await;
    let resp = reqwest::Client::new()
        .post(t.url("/api/v1/posts"))
        .bearer_auth(&token)
        .json(&json!({
            "opd_id": p.dinkes.to_string(),
            "title": "Pratinjau",
            "body": long_fb,
            "channels": [
                {"account_id": p.x.to_string(), "text": "Vaksinasi gratis Sabtu 08.00 WIB"},
                {"account_id": p.facebook.to_string(), "text": null}
            ],
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 201);
    let id = resp.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let op = t.signed_in("operator.dinkes").await;
    let page = op
        .get(t.url(&format!("/posts/{id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("class=\"preview pv-x\""));
    assert!(page.contains("class=\"preview pv-facebook\""));
    // Facebook folds the long text (the closing words are not in the shown part); X shows all.
    let fb = &page[page.find("pv-facebook").unwrap()..];
    let fb = &fb[..fb.find("</figure>").unwrap()];
    assert!(
        fb.contains("selengkapnya") && fb.contains("pv-fold-hint"),
        "{fb}"
    );
    assert!(!fb.contains("Pesan penutup."), "{fb}");
    let x = &page[page.find("pv-x\"").unwrap()..];
    let x = &x[..x.find("</figure>").unwrap()];
    assert!(
        x.contains("Vaksinasi gratis Sabtu 08.00 WIB") && !x.contains("pv-fold"),
        "{x}"
    );
    // The composer shows the same preview, and its script keeps it live while typing.
    let edit = op
        .get(t.url(&format!("/posts/{id}/edit")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let fb_preview = format!("id=\"preview-{}\"", p.facebook);
    let fb = &edit[edit.find(&fb_preview).expect("a preview per account")..];
    let fb = &fb[..fb.find("</figure>").unwrap()];
    assert!(
        fb.contains("data-fold=\"477\"") && fb.contains("pv-fold"),
        "{fb}"
    );
    assert!(edit.contains(&format!("id=\"preview-{}\" data-fold=\"0\"", p.x)));
}
