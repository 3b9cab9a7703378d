//! The inbox through the web: pages and API over a real store (SQLite by default, PostgreSQL
//! with `HUMAS_TEST_WEB_BACKEND=postgres`), messages seeded through `App::ingest` as a
//! connector would, and a fake platform that counts what it was asked to do.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failure should stop the test at that line"
)]

mod support;

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use humas_app::inbox::{GatewayError, PlatformGateway};
use humas_app::{App, AuthSettings, ManualClock};
use humas_domain::inbox::{Author, ExternalId, Inbound, Message, MessageKind};
use humas_domain::{Account, MessageId, Slug, Username};
use humas_store::{AuditActor, Store};
use humas_store_sqlite::SqliteStore;
use humas_web::{AppState, WebSettings, router};
use support::{PASSWORD, hidden_field};

/// A platform that accepts everything and counts the calls.
#[derive(Default)]
struct FakePlatform {
    replies: AtomicUsize,
    hides: AtomicUsize,
}

/// What `#[async_trait]` methods return; written out so the test needs no macro crate.
type Answer<'t, T> = Pin<Box<dyn Future<Output = Result<T, GatewayError>> + Send + 't>>;

impl PlatformGateway for FakePlatform {
    fn reply<'s, 'a, 'm, 'x, 'k, 't>(
        &'s self,
        _account: &'a Account,
        _message: &'m Message,
        _text: &'x str,
        idempotency_key: &'k str,
    ) -> Answer<'t, String>
    where
        's: 't,
        'a: 't,
        'm: 't,
        'x: 't,
        'k: 't,
        Self: 't,
    {
        Box::pin(async move {
            // Long enough that a second, concurrent approval would overlap the first.
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            self.replies.fetch_add(1, Ordering::SeqCst);
            Ok(format!("platform-{idempotency_key}"))
        })
    }

    fn set_hidden<'s, 'a, 'm, 't>(
        &'s self,
        _account: &'a Account,
        _message: &'m Message,
        _hidden: bool,
    ) -> Answer<'t, ()>
    where
        's: 't,
        'a: 't,
        'm: 't,
        Self: 't,
    {
        Box::pin(async move {
            self.hides.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
    }

    fn delete<'s, 'a, 'm, 't>(
        &'s self,
        _account: &'a Account,
        _message: &'m Message,
    ) -> Answer<'t, ()>
    where
        's: 't,
        'a: 't,
        'm: 't,
        Self: 't,
    {
        Box::pin(async move { Ok(()) })
    }
}

/// A Humas on a socket with the fake platform wired in.
struct Inbox {
    base: String,
    app: App,
    platform: Arc<FakePlatform>,
    _dir: tempfile::TempDir,
    _pg: Option<humas_store_postgres::testing::TestDatabase>,
}

async fn fresh_store(
    dir: &std::path::Path,
) -> (
    Arc<dyn Store>,
    Option<humas_store_postgres::testing::TestDatabase>,
) {
    if std::env::var("HUMAS_TEST_WEB_BACKEND").is_ok_and(|b| b == "postgres") {
        let db = humas_store_postgres::testing::TestDatabase::create().await;
        let store = humas_store_postgres::PgStore::connect(&db.url, 8)
            .await
            .unwrap();
        store.migrate().await.unwrap();
        (Arc::new(store), Some(db))
    } else {
        let store = SqliteStore::connect(dir.join("humas.db").to_str().unwrap())
            .await
            .unwrap();
        store.migrate().await.unwrap();
        (Arc::new(store), None)
    }
}

impl Inbox {
    async fn spawn() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (store, pg) = fresh_store(dir.path()).await;
        let platform = Arc::new(FakePlatform::default());
        let app = App::new(
            store,
            Arc::new(ManualClock::starting_now()),
            AuthSettings::for_tests(),
        )
        .with_gateway(platform.clone());
        app.seed_demo_if_empty().await.unwrap().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let service = router(AppState::new(app.clone(), WebSettings::default()))
            .into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move {
            axum::serve(listener, service).await.unwrap();
        });
        Self {
            base: format!("http://{addr}"),
            app,
            platform,
            _dir: dir,
            _pg: pg,
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The first account of an OPD.
    async fn account(&self, slug: &str) -> Account {
        let opd = self
            .app
            .store()
            .opd_by_slug(&Slug::parse(slug).unwrap())
            .await
            .unwrap()
            .id;
        self.app.store().list_accounts(Some(opd)).await.unwrap()[0].clone()
    }

    /// Ingests one message on `slug`'s first account.
    async fn message(&self, slug: &str, handle: &str, text: &str) -> MessageId {
        let account = self.account(slug).await;
        let inbound = Inbound {
            platform: account.platform,
            external_id: ExternalId::parse(&uuid::Uuid::now_v7().simple().to_string()).unwrap(),
            kind: MessageKind::Comment,
            author: Author::parse(handle, Some("Warga Surabaya")).unwrap(),
            text: text.into(),
            title: None,
            permalink: None,
            parent_external_id: None,
            thread_external_id: None,
            published_at: self.app.clock().now(),
        };
        let report = self
            .app
            .ingest(&AuditActor::system(), &account, vec![inbound], None)
            .await
            .unwrap();
        report.inserted[0]
    }

    /// Ingests a message that belongs to the thread `thread` on `slug`'s first account.
    async fn in_thread(&self, slug: &str, thread: &str, text: &str) -> MessageId {
        let account = self.account(slug).await;
        let inbound = Inbound {
            platform: account.platform,
            external_id: ExternalId::parse(&uuid::Uuid::now_v7().simple().to_string()).unwrap(),
            kind: MessageKind::Reply,
            author: Author::parse("@warga_thread", None).unwrap(),
            text: text.into(),
            title: None,
            permalink: None,
            parent_external_id: Some(ExternalId::parse(thread).unwrap()),
            thread_external_id: Some(ExternalId::parse(thread).unwrap()),
            published_at: self.app.clock().now(),
        };
        self.app
            .ingest(&AuditActor::system(), &account, vec![inbound], None)
            .await
            .unwrap()
            .inserted[0]
    }

    async fn browser(&self, username: &str) -> (reqwest::Client, String) {
        let c = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let page = self.get_text(&c, "/login").await;
        let token = hidden_field(&page, "_csrf").unwrap();
        let resp = c
            .post(self.url("/login"))
            .form(&[
                ("_csrf", token.as_str()),
                ("username", username),
                ("password", PASSWORD),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 303, "sign-in of {username}");
        let csrf = hidden_field(&self.get_text(&c, "/profile").await, "_csrf").unwrap();
        (c, csrf)
    }

    async fn token(&self, username: &str) -> String {
        let id = self
            .app
            .store()
            .credentials(&Username::parse(username).unwrap())
            .await
            .unwrap()
            .user
            .id;
        self.app
            .create_api_token(&App::cli_actor(), id, "test")
            .await
            .unwrap()
            .1
    }

    async fn get_text(&self, c: &reqwest::Client, path: &str) -> String {
        c.get(self.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    async fn get(&self, c: &reqwest::Client, path: &str) -> (u16, String) {
        let r = c.get(self.url(path)).send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// Posts a form with the CSRF token; returns status, `Location` and body.
    async fn post(
        &self,
        c: &reqwest::Client,
        csrf: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> (u16, String, String) {
        let mut pairs: Vec<(&str, &str)> = fields.to_vec();
        pairs.push(("_csrf", csrf));
        let r = c.post(self.url(path)).form(&pairs).send().await.unwrap();
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        (r.status().as_u16(), location, r.text().await.unwrap())
    }

    async fn api_get(&self, token: &str, path: &str) -> (u16, serde_json::Value) {
        let r = reqwest::Client::new()
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    async fn api_post(
        &self,
        token: &str,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut req = reqwest::Client::new()
            .post(self.url(path))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }
}

const NIK: &str = "3578011209900003";

/// The textarea of the reply form, as the page shows it.
fn reply_box(html: &str) -> &str {
    let start = html.find("id=\"reply-text\"").expect("reply form");
    let open = html[start..].find('>').unwrap() + start + 1;
    let close = html[open..].find("</textarea>").unwrap() + open;
    &html[open..close]
}

#[tokio::test]
async fn the_list_filters_searches_and_refuses_bad_filters_by_name() {
    let t = Inbox::spawn().await;
    let road = t
        .message(
            "dinkes",
            "@warga1",
            "Jalan rusak parah di depan puskesmas, mohon diperbaiki",
        )
        .await;
    let thanks = t
        .message(
            "dinkes",
            "@warga2",
            "Terima kasih, petugas merawat quokka di taman dengan baik",
        )
        .await;
    let nik = t
        .message(
            "dinkes",
            "@warga3",
            &format!("NIK saya {NIK} tp blm terdaftar di kelurahan"),
        )
        .await;
    let elsewhere = t
        .message("bpbd", "@warga4", "Banjir di desa kami sejak pagi")
        .await;
    let (sup, _) = t.browser("supervisor").await;

    let (status, all) = t.get(&sup, "/inbox").await;
    assert_eq!(status, 200);
    for id in [road, thanks, nik, elsewhere] {
        assert!(
            all.contains(&format!("/inbox/{id}")),
            "supervisor sees {id}"
        );
    }

    let (_, found) = t.get(&sup, "/inbox?q=jalan+rusak").await;
    assert!(found.contains(&format!("/inbox/{road}")));
    assert!(!found.contains(&format!("/inbox/{thanks}")));
    assert!(
        found.contains("value=\"jalan rusak\""),
        "the search stays in the box, so the view can be bookmarked"
    );

    let (_, pii) = t.get(&sup, "/inbox?pii=yes").await;
    assert!(pii.contains(&format!("/inbox/{nik}")));
    assert!(!pii.contains(&format!("/inbox/{road}")));
    assert!(pii.contains("<option value=\"yes\" selected>"));

    // An operator of Dinkes never sees BPBD's messages, whatever the filter.
    let (op, _) = t.browser("operator.dinkes").await;
    let (_, mine) = t.get(&op, "/inbox?status=open").await;
    assert!(
        !mine.contains("href=\"/inbox/privacy\"") && !mine.contains("href=\"/inbox/rules\""),
        "no links to pages an operator may not open"
    );
    assert!(all.contains("href=\"/inbox/privacy\""));
    assert!(mine.contains(&format!("/inbox/{road}")));
    assert!(!mine.contains(&format!("/inbox/{elsewhere}")));
    let (status, _) = t.get(&op, &format!("/inbox/{elsewhere}")).await;
    assert_eq!(status, 403);

    let (status, bad) = t.get(&sup, "/inbox?sentiment=angry").await;
    assert_eq!(status, 422);
    assert!(bad.contains("angry"), "the refused value is named");
    let (status, _) = t.get(&sup, "/inbox?from=2026-11-30&to=2026-11-01").await;
    assert_eq!(status, 422);

    let token = t.token("supervisor").await;
    let (status, body) = t.api_get(&token, "/api/v1/messages?sentiment=angry").await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["code"], "invalid_choice");
    assert!(body["error"]["message"].as_str().unwrap().contains("angry"));
    let (status, body) = t
        .api_get(&token, "/api/v1/messages?sentimen=negative")
        .await;
    assert_eq!(status, 400, "a misspelt parameter is refused: {body}");
    let (status, body) = t.api_get(&token, "/api/v1/messages?q=quokka").await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [thanks.to_string()]);
    assert!(body["next_cursor"].is_null());
}

#[tokio::test]
async fn leadership_reads_a_nik_masked_and_the_operator_in_full() {
    let t = Inbox::spawn().await;
    let id = t
        .message(
            "dinkes",
            "@warga",
            &format!("NIK saya {NIK} tp blm terdaftar di kelurahan"),
        )
        .await;
    let (lead, _) = t.browser("pimpinan").await;
    let (status, page) = t.get(&lead, &format!("/inbox/{id}")).await;
    assert_eq!(status, 200);
    assert!(!page.contains(NIK), "leadership must not see the NIK");
    assert!(page.contains("[NIK]"));
    assert!(
        !page.contains("id=\"reply-form\""),
        "leadership cannot reply"
    );
    let (_, list) = t.get(&lead, "/inbox").await;
    assert!(!list.contains(NIK));

    let (op, _) = t.browser("operator.dinkes").await;
    let (_, page) = t.get(&op, &format!("/inbox/{id}")).await;
    assert!(page.contains(NIK), "the operator who answers sees it");

    let lead_token = t.token("pimpinan").await;
    let (status, body) = t
        .api_get(&lead_token, &format!("/api/v1/messages/{id}"))
        .await;
    assert_eq!(status, 200);
    let text = body["message"]["text"].as_str().unwrap();
    assert!(!text.contains(NIK) && text.contains("[NIK]"), "{text}");
    assert_eq!(body["message"]["analysis"]["personal_data"][0], "nik");
}

#[tokio::test]
async fn a_form_without_the_csrf_token_changes_nothing() {
    let t = Inbox::spawn().await;
    let id = t
        .message("dinkes", "@warga", "Mohon info jadwal posyandu")
        .await;
    let (op, _) = t.browser("operator.dinkes").await;
    let r = op
        .post(t.url(&format!("/inbox/{id}/notes")))
        .form(&[("text", "catatan tanpa token")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let notes = t.app.store().list_notes(id).await.unwrap();
    assert!(notes.is_empty());
}

#[tokio::test]
async fn an_operators_reply_waits_for_approval_and_is_sent_exactly_once() {
    let t = Inbox::spawn().await;
    let id = t
        .message("dinkes", "@warga", "Kapan vaksinasi booster dibuka lagi?")
        .await;
    let (op, op_csrf) = t.browser("operator.dinkes").await;
    let (status, location, _) = t
        .post(
            &op,
            &op_csrf,
            &format!("/inbox/{id}/replies"),
            &[
                ("text", "Mulai Senin di semua puskesmas."),
                ("action", "send"),
            ],
        )
        .await;
    assert_eq!(
        (status, location.as_str()),
        (303, format!("/inbox/{id}?ok=reply_waiting").as_str())
    );
    assert_eq!(
        t.platform.replies.load(Ordering::SeqCst),
        0,
        "nothing sent yet"
    );
    let (_, page) = t.get(&op, &format!("/inbox/{id}?ok=reply_waiting")).await;
    assert!(page.contains("Menunggu persetujuan"));
    assert!(!page.contains("/approve\""), "an operator cannot approve");

    let reply = t.app.store().list_replies(id).await.unwrap()[0].id;
    let (ap, ap_csrf) = t.browser("approver.dinkes").await;
    let path = format!("/inbox/replies/{}/approve", reply.0);
    let msg = id.to_string();
    let form = [("message", msg.as_str())];
    let (first, second) = tokio::join!(
        t.post(&ap, &ap_csrf, &path, &form),
        t.post(&ap, &ap_csrf, &path, &form),
    );
    let mut statuses = [first.0, second.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [303, 409], "one approval wins, the other is told");
    let (status, _, _) = t.post(&ap, &ap_csrf, &path, &form).await;
    assert_eq!(status, 409, "a third click sends nothing either");
    assert_eq!(
        t.platform.replies.load(Ordering::SeqCst),
        1,
        "sent exactly once"
    );
    let m = t.app.store().get_message(id).await.unwrap();
    assert_eq!(m.workflow.status.as_str(), "replied");

    // The same through the API: two approvals at once, one send.
    let id2 = t
        .message("dinkes", "@warga", "Apakah posyandu buka hari Sabtu?")
        .await;
    let op_token = t.token("operator.dinkes").await;
    let (status, body) = t
        .api_post(
            &op_token,
            &format!("/api/v1/messages/{id2}/replies"),
            Some(serde_json::json!({"text": "Ya, buka pukul 08.00."})),
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(body["state"], "awaiting_approval");
    let reply2 = body["id"].as_str().unwrap().to_owned();
    let (status, _) = t
        .api_post(
            &op_token,
            &format!("/api/v1/replies/{reply2}/approve"),
            None,
        )
        .await;
    assert_eq!(status, 403, "an operator cannot approve");
    let ap_token = t.token("approver.dinkes").await;
    let path = format!("/api/v1/replies/{reply2}/approve");
    let (a, b) = tokio::join!(
        t.api_post(&ap_token, &path, None),
        t.api_post(&ap_token, &path, None)
    );
    let mut statuses = [a.0, b.0];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409]);
    assert_eq!(t.platform.replies.load(Ordering::SeqCst), 2);
    let winner = if a.0 == 200 { a.1 } else { b.1 };
    assert_eq!(winner["state"], "sent");
}

#[tokio::test]
async fn a_rejected_reply_goes_back_with_its_reason() {
    let t = Inbox::spawn().await;
    let id = t
        .message("dinkes", "@warga", "Pelayanan di RSUD lambat sekali")
        .await;
    let op_token = t.token("operator.dinkes").await;
    let (_, body) = t
        .api_post(
            &op_token,
            &format!("/api/v1/messages/{id}/replies"),
            Some(serde_json::json!({"text": "Maaf."})),
        )
        .await;
    let reply = body["id"].as_str().unwrap().to_owned();
    let ap_token = t.token("approver.dinkes").await;
    let path = format!("/api/v1/replies/{reply}/reject");
    let (status, body) = t
        .api_post(&ap_token, &path, Some(serde_json::json!({"reason": ""})))
        .await;
    assert_eq!(status, 422, "a reason is required: {body}");
    let (status, _) = t
        .api_post(
            &ap_token,
            &path,
            Some(serde_json::json!({"reason": "Tambahkan nomor pengaduan"})),
        )
        .await;
    assert_eq!(status, 204);
    let (_, conv) = t
        .api_get(&op_token, &format!("/api/v1/messages/{id}"))
        .await;
    assert_eq!(conv["replies"][0]["state"], "rejected");
    assert_eq!(conv["replies"][0]["error"], "Tambahkan nomor pengaduan");
    assert_eq!(t.platform.replies.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn handling_forms_assign_categorise_note_and_fill_saved_replies() {
    let t = Inbox::spawn().await;
    let id = t
        .message(
            "dinkes",
            "@warga_sby",
            "Bagaimana cara daftar BPJS untuk bayi?",
        )
        .await;
    let (op, csrf) = t.browser("operator.dinkes").await;
    let at = format!("/inbox/{id}");

    let (status, location, _) = t
        .post(&op, &csrf, &format!("{at}/assign"), &[("assignee", "me")])
        .await;
    assert_eq!(
        (status, location.as_str()),
        (303, format!("{at}?ok=assigned").as_str())
    );
    let (status, _, _) = t
        .post(
            &op,
            &csrf,
            &format!("{at}/category"),
            &[("category", "information_request")],
        )
        .await;
    assert_eq!(status, 303);
    let (status, _, _) = t
        .post(
            &op,
            &csrf,
            &format!("{at}/notes"),
            &[("text", "Cek ke BPJS cabang Surabaya")],
        )
        .await;
    assert_eq!(status, 303);
    let (status, _, page) = t
        .post(&op, &csrf, &format!("{at}/notes"), &[("text", "  ")])
        .await;
    assert_eq!(status, 422, "an empty note is refused on the page");
    assert!(page.contains("role=\"alert\""));
    let (status, _, _) = t
        .post(
            &op,
            &csrf,
            &format!("{at}/status"),
            &[("status", "replied")],
        )
        .await;
    assert_eq!(status, 422, "replied is reached only by sending a reply");

    let (_, page) = t.get(&op, &format!("{at}?ok=assigned")).await;
    assert!(page.contains("Penugasan tersimpan."));
    assert!(page.contains("Cek ke BPJS cabang Surabaya"));
    assert!(page.contains("Permintaan informasi"));
    let m = t.app.store().get_message(id).await.unwrap();
    assert_eq!(m.workflow.status.as_str(), "assigned");
    assert!(
        m.workflow.resolution_due.is_some(),
        "the category starts the resolution clock"
    );

    // A saved reply of Dinkes, filled for this message on "Gunakan".
    let (ap, ap_csrf) = t.browser("approver.dinkes").await;
    let dinkes = t.account("dinkes").await.opd.to_string();
    let (status, _, _) = t
        .post(
            &ap,
            &ap_csrf,
            "/inbox/saved-replies",
            &[
                ("opd", dinkes.as_str()),
                ("title", "Salam"),
                ("body", "Halo {nama}, terima kasih telah menghubungi {opd}."),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (_, page) = t.get(&op, &at).await;
    let saved = hidden_option(&page, "Salam");
    let (status, _, page) = t
        .post(
            &op,
            &csrf,
            &format!("{at}/replies"),
            &[("saved", saved.as_str()), ("action", "use"), ("text", "")],
        )
        .await;
    assert_eq!(status, 200);
    let filled = reply_box(&page);
    assert!(
        filled.starts_with("Halo Warga Surabaya, terima kasih telah menghubungi Dinas"),
        "{filled}"
    );
    assert_eq!(
        t.platform.replies.load(Ordering::SeqCst),
        0,
        "using is not sending"
    );
}

/// The value of the `<option>` whose label is `label`.
fn hidden_option(html: &str, label: &str) -> String {
    let end = html.find(&format!(">{label}</option>")).expect("option");
    let start = html[..end].rfind("value=\"").unwrap() + 7;
    let close = html[start..].find('"').unwrap() + start;
    html[start..close].to_owned()
}

#[tokio::test]
async fn only_approvers_moderate_and_always_with_a_reason() {
    let t = Inbox::spawn().await;
    let id = t
        .message("dinkes", "@akun_spam", "Promo judi online klik link ini")
        .await;
    let at = format!("/inbox/{id}/moderate");
    let (op, op_csrf) = t.browser("operator.dinkes").await;
    let (status, _, _) = t
        .post(
            &op,
            &op_csrf,
            &at,
            &[("action", "hide"), ("reason", "spam")],
        )
        .await;
    assert_eq!(status, 403);
    let (ap, csrf) = t.browser("approver.dinkes").await;
    let (status, _, _) = t
        .post(&ap, &csrf, &at, &[("action", "hide"), ("reason", "")])
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        t.platform.hides.load(Ordering::SeqCst),
        0,
        "no reason, no action"
    );
    let (status, _, _) = t
        .post(
            &ap,
            &csrf,
            &at,
            &[("action", "hide"), ("reason", "Spam judi online")],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(t.platform.hides.load(Ordering::SeqCst), 1);
    let notes = t.app.store().list_notes(id).await.unwrap();
    assert!(notes[0].text.contains("Spam judi online"));
}

#[tokio::test]
async fn rule_errors_point_at_the_character_and_erasure_asks_first() {
    let t = Inbox::spawn().await;
    let (sup, csrf) = t.browser("supervisor").await;
    let dinkes = t.account("dinkes").await.opd.to_string();
    let (status, _, page) = t
        .post(
            &sup,
            &csrf,
            "/inbox/rules",
            &[
                ("name", "Jalan"),
                ("opd", dinkes.as_str()),
                ("expression", "jalan AND (rusak"),
                ("enabled", "yes"),
            ],
        )
        .await;
    assert_eq!(status, 422);
    assert!(page.contains("id=\"rule-expr-error\""));
    assert!(
        page.contains("karakter ke-11"),
        "the `(` is the 11th character"
    );
    assert!(page.contains("<mark>(</mark>"));
    assert!(
        page.contains("jalan AND (rusak</textarea>"),
        "what was typed stays"
    );
    let (status, _, _) = t
        .post(
            &sup,
            &csrf,
            "/inbox/rules",
            &[
                ("name", "Jalan"),
                ("opd", dinkes.as_str()),
                ("expression", "jalan AND (rusak OR berlubang)"),
                ("enabled", "yes"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    let (_, page) = t.get(&sup, "/inbox/rules").await;
    assert!(page.contains("berlubang"));

    let id = t
        .message(
            "dinkes",
            "@minta_hapus",
            "Tolong jalan rusak di depan rumah",
        )
        .await;
    let (status, _, page) = t
        .post(
            &sup,
            &csrf,
            "/inbox/privacy/erase",
            &[
                ("platform", t.account("dinkes").await.platform.as_str()),
                ("handle", "@minta_hapus"),
            ],
        )
        .await;
    assert_eq!(status, 200, "the first step only asks");
    assert!(page.contains("id=\"erase-confirm\""));
    assert!(
        t.app.store().get_message(id).await.is_ok(),
        "nothing erased yet"
    );
    let platform = t.account("dinkes").await.platform.as_str().to_owned();
    let (status, location, _) = t
        .post(
            &sup,
            &csrf,
            "/inbox/privacy/erase",
            &[
                ("platform", platform.as_str()),
                ("handle", "@minta_hapus"),
                ("confirm", "yes"),
            ],
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(location, "/inbox/privacy?count=1&ok=erased");
    let (_, page) = t.get(&sup, &location).await;
    assert!(page.contains("1 pesan dihapus."));
    assert!(t.app.store().get_message(id).await.is_err(), "erased");
}

#[tokio::test]
async fn compliance_counts_deadlines_the_indonesian_way() {
    let t = Inbox::spawn().await;
    let token = t.token("operator.dinkes").await;
    let (_, before) = t.api_get(&token, "/api/v1/compliance").await;
    t.message("dinkes", "@warga", "Mohon info jam buka kantor layanan")
        .await;
    let (status, after) = t.api_get(&token, "/api/v1/compliance").await;
    assert_eq!(status, 200);
    let items = after["items"].as_array().unwrap();
    assert_eq!(
        items.len(),
        1,
        "an operator sees their own OPD only: {after}"
    );
    let n = |v: &serde_json::Value, k: &str| v["items"][0][k].as_u64().unwrap_or(0);
    assert_eq!(n(&after, "with_deadline"), n(&before, "with_deadline") + 1);
    // Pending counts running clocks: the first response, and the resolution when the
    // suggested category already started one.
    assert!(n(&after, "pending") > n(&before, "pending"));
    let (status, _) = t.api_get(&token, "/api/v1/compliance?per=everyone").await;
    assert_eq!(status, 400);

    let (sup, _) = t.browser("supervisor").await;
    let (status, page) = t.get(&sup, "/inbox/compliance").await;
    assert_eq!(status, 200);
    assert!(page.contains("id=\"compliance\""));
    assert!(page.contains("Dinas Kesehatan"));
    assert!(
        page.contains(" %</td>"),
        "percentages are written the Indonesian way"
    );
    let (status, _) = t
        .get(&sup, "/inbox/compliance?from=2026-12-01&to=2026-11-01")
        .await;
    assert_eq!(status, 422);
}

/// `inbox-…` words in a page that are not our CSS classes: message keys left untranslated.
fn untranslated(html: &str) -> Vec<String> {
    const CLASSES: [&str; 5] = [
        "inbox-filters",
        "inbox-list",
        "inbox-item",
        "inbox-meta",
        "inbox-text",
    ];
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("inbox-") {
        let word: String = rest[i..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        if !CLASSES.contains(&word.as_str()) {
            out.push(word.clone());
        }
        rest = &rest[i + word.len()..];
    }
    out
}

#[tokio::test]
async fn every_inbox_page_speaks_both_languages() {
    let t = Inbox::spawn().await;
    let id = t
        .message("dinkes", "@warga", "Mohon info jam buka kantor layanan")
        .await;
    let (sup, _) = t.browser("supervisor").await;
    let pages = [
        "/inbox".to_owned(),
        "/inbox?status=open&deadline=overdue".to_owned(),
        format!("/inbox/{id}"),
        "/inbox/rules".to_owned(),
        "/inbox/holidays".to_owned(),
        "/inbox/policies".to_owned(),
        "/inbox/saved-replies".to_owned(),
        "/inbox/privacy".to_owned(),
        "/inbox/compliance?per=operator".to_owned(),
    ];
    for lang in ["id", "en"] {
        let r = sup
            .get(t.url(&format!("/lang?to={lang}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        for path in &pages {
            let (status, html) = t.get(&sup, path).await;
            assert_eq!(status, 200, "{lang} {path}");
            assert!(
                html.contains(&format!("<html lang=\"{lang}\"")),
                "{lang} {path}"
            );
            let missing = untranslated(&html);
            assert!(
                missing.is_empty(),
                "{lang} {path}: untranslated {missing:?}"
            );
        }
    }
    let (_, en) = t.get(&sup, "/inbox").await;
    assert!(en.contains("Search words") && en.contains("Information request"));
    let (_, holidays) = t.get(&sup, "/inbox/holidays?year=2026").await;
    assert!(
        holidays.contains("Joint leave day"),
        "the 2026 calendar is seeded with cuti bersama"
    );
}

#[tokio::test]
async fn the_next_page_link_keeps_filters_and_never_repeats_a_message() {
    let t = Inbox::spawn().await;
    let (sup, _) = t.browser("supervisor").await;
    let ids = |html: &str| -> Vec<String> {
        html.match_indices("<a href=\"/inbox/")
            .map(|(i, m)| html[i + m.len()..].chars().take(36).collect::<String>())
            .filter(|id| id.parse::<uuid::Uuid>().is_ok())
            .collect()
    };
    let (_, first) = t.get(&sup, "/inbox?q=&platform=").await;
    let first_ids = ids(&first);
    assert_eq!(first_ids.len(), 50, "a full first page of the demo inbox");
    let start = first.find("rel=\"next\"").expect("a next-page link");
    let href_at = first[..start].rfind("href=\"").unwrap() + 6;
    let href = first[href_at..]
        .split('"')
        .next()
        .unwrap()
        .replace("&amp;", "&");
    assert!(href.starts_with("/inbox?before="), "{href}");
    let (status, second) = t.get(&sup, &href).await;
    assert_eq!(status, 200);
    let second_ids = ids(&second);
    assert!(!second_ids.is_empty());
    assert!(second_ids.iter().all(|id| !first_ids.contains(id)));

    let (_, filtered) = t.get(&sup, "/inbox?status=open").await;
    if let Some(i) = filtered.find("rel=\"next\"") {
        let link = &filtered[filtered[..i].rfind("href=\"").unwrap()..i];
        assert!(link.contains("status=open"), "{link}");
    }
    let (status, _) = t.get(&sup, "/inbox?before=garbage").await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn the_message_page_shows_the_earlier_messages_of_its_thread() {
    let t = Inbox::spawn().await;
    let thread = format!("thread{}", uuid::Uuid::now_v7().simple());
    let first = t
        .in_thread("dinkes", &thread, "Kapan kantor layanan buka hari Sabtu?")
        .await;
    let second = t
        .in_thread("dinkes", &thread, "Sudah seminggu belum ada jawaban")
        .await;
    let (op, _) = t.browser("operator.dinkes").await;
    let (status, page) = t.get(&op, &format!("/inbox/{second}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Percakapan sebelumnya"));
    assert!(page.contains(&format!("href=\"/inbox/{first}\"")));
    assert!(page.contains("Kapan kantor layanan buka hari Sabtu?"));
}
