//! The inbox in a real browser: an operator filters to abusive complaints, opens one, picks a
//! saved reply, the approver approves, the (fake) platform receives exactly one reply, and the
//! deadline shows as met.
//!
//! Starts the real application in-process on `127.0.0.1:0` (SQLite in a temporary folder, demo
//! data, platform connectors behind the server's gateway), a fake Mastodon instance on another
//! local port, `/usr/bin/chromedriver` on a free port, and drives headless `/usr/bin/chromium`
//! through WebDriver. Every wait polls for an element or a condition for up to [`WAIT`];
//! nothing sleeps for a fixed time.

// clippy.toml allows these inside `#[test]` functions only; the helpers below are test code too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a failing unwrap is a failing test with a line number"
)]

mod support;

use std::collections::{BTreeSet, HashMap};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{Chromedriver, WAIT, artifacts_dir, browser_installed, eventually};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path as UrlPath, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use humas_app::org::AccountInput;
use humas_app::sealed::Credentials;
use humas_app::{App, AuthSettings, SystemClock};
use humas_domain::inbox::{Author, Category, ExternalId, Inbound, MessageKind};
use humas_domain::{MessageId, Platform, Slug};
use humas_server::gateway::{ConnectorGateway, Connectors};
use humas_store::{AuditActor, ReplyState};
use humas_store_sqlite::SqliteStore;
use humas_web::{AppState, WebSettings, router};
use serde_json::{Value, json};

/// The longest the whole scenario may take, so a stuck browser fails the test instead of
/// hanging it.
const SCENARIO_LIMIT: Duration = Duration::from_secs(180);

const DEMO_PASSWORD: &str = humas_app::demo::DEMO_PASSWORD;
const OPERATOR: &str = "operator.dinkes";
const APPROVER: &str = "approver.dinkes";
const OPD_SLUG: &str = "dinkes";
const OPD_NAME: &str = "Dinas Kesehatan";

/// Seals the account's credentials; fixed so the test is the same every run.
const SERVER_SECRET: &[u8] = b"humas-e2e-inbox-browser-server-secret";
/// The Mastodon access token of the OPD's account; the fake refuses any other.
const TOKEN: &str = "token-uji-dinkes-mastodon";
const ACCOUNT_HANDLE: &str = "@dinkesjatim@social.example";

/// The status being answered, and its author as Mastodon names them.
const PARENT_ID: &str = "109999";
const AUTHOR_HANDLE: &str = "@warga@social.example";
const AUTHOR_ACCT: &str = "warga@social.example";
const AUTHOR_NAME: &str = "Budi Santoso";
/// Rude, but a real complaint about a service: the kind of message an operator must answer.
const COMPLAINT: &str =
    "pelayanan puskesmas lemot banget anjing, antri 5 jam gak dipanggil2, tolong diperbaiki";
/// The demo's saved reply for the OPD (see `humas-app/src/demo_inbox.rs`).
const SAVED_TITLE: &str = "Informasi layanan puskesmas";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn operator_answers_an_abusive_complaint_with_a_saved_reply_and_the_approver_sends_it() {
    if !browser_installed() {
        return;
    }
    let started = Instant::now();
    let mastodon = FakeMastodon::start(TOKEN).await;
    let humas = Humas::start(&mastodon.base).await;
    eprintln!(
        "[{:>5.1?}] humas at {}, fake mastodon at {}",
        started.elapsed(),
        humas.base,
        mastodon.base
    );
    let driver = Chromedriver::start().await;
    let client = driver.connect().await;
    eprintln!("[{:>5.1?}] chromium started", started.elapsed());
    let browser = Browser {
        client: client.clone(),
        base: humas.base.clone(),
        started,
        keys: TranslationKeys::load(),
    };

    let outcome = tokio::time::timeout(SCENARIO_LIMIT, scenario(&browser, &humas, &mastodon)).await;
    // End the browser session before judging, so chromium exits cleanly either way; the guard
    // kills whatever is left when `driver` goes out of scope.
    let _ = tokio::time::timeout(WAIT, client.close()).await;
    drop(driver);
    assert!(
        outcome.is_ok(),
        "the browser scenario took longer than {SCENARIO_LIMIT:?}"
    );
    eprintln!("inbox browser scenario passed in {:.1?}", started.elapsed());
}

async fn scenario(b: &Browser, humas: &Humas, mastodon: &FakeMastodon) {
    let message = humas.message.to_string();
    let message_link = format!("a[href=\"/inbox/{message}\"]");

    // (1) The operator signs in and filters the inbox to abusive complaints.
    b.sign_in(OPERATOR, DEMO_PASSWORD).await;
    b.step("signed in as the operator");
    b.goto("/inbox").await;
    b.no_raw_keys().await;
    let form = "form.inbox-filters";
    b.choose(form, "abusive", "yes").await;
    b.choose(form, "category", "complaint").await;
    b.submit(form).await;
    let url = b.client.current_url().await.unwrap();
    let query: HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(url.path(), "/inbox", "the filter stays on the inbox");
    assert_eq!(
        (query.get("abusive"), query.get("category")),
        (Some(&"yes".to_owned()), Some(&"complaint".to_owned())),
        "the filter form sent abusive=yes and category=complaint: {url}"
    );
    b.no_raw_keys().await;
    let rows = b.list_rows().await;
    assert!(
        !rows.is_empty(),
        "the filtered inbox is empty:\n{}",
        b.main_text().await
    );
    for row in &rows {
        assert!(
            row.badges.iter().any(|c| c.contains("flag-abusive")),
            "a row of the abusive filter has no abusive mark: {row:?}"
        );
        assert!(
            row.text.contains("Pengaduan"),
            "a row of the complaint filter is not a complaint: {row:?}"
        );
    }
    let Some(ours) = rows.iter().find(|r| r.href == format!("/inbox/{message}")) else {
        panic!("the abusive complaint is not in the filtered inbox; rows: {rows:#?}");
    };
    assert!(
        ours.text.contains(COMPLAINT),
        "the row shows the complaint's text: {ours:?}"
    );
    let abusive_mark = b
        .text(&format!(
            "li.inbox-item:has({message_link}) .badge.flag-abusive"
        ))
        .await;
    assert_eq!(
        abusive_mark, "kasar",
        "the abusive mark is visible with its label"
    );
    b.screenshot_to(&artifacts_dir().join("inbox-abusive-complaints.png"))
        .await;
    b.step("the filter finds the abusive complaint");

    // Opens it.
    b.click_and_wait(&format!("li.inbox-item {message_link}"))
        .await;
    assert_eq!(
        b.path().await,
        format!("/inbox/{message}"),
        "the link opens the message"
    );
    assert_eq!(b.text("#message-text").await, COMPLAINT);
    b.no_raw_keys().await;
    b.step("opened the message");

    // (2) Picks the saved reply and uses it: the text box is filled, variables replaced.
    let reply_form = "form#reply-form";
    b.choose(reply_form, "saved", &humas.saved_reply).await;
    b.click_and_wait(&format!(
        "{reply_form} button[name=\"action\"][value=\"use\"]"
    ))
    .await;
    b.no_raw_keys().await;
    let draft = b
        .find("#reply-text")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        !draft.contains('{') && !draft.contains('}'),
        "the saved reply still has a variable after using it: {draft:?}"
    );
    assert!(
        draft.starts_with(&format!("Yth. {AUTHOR_NAME}, ")),
        "{{nama}} became the author's name: {draft:?}"
    );
    assert!(
        draft.contains(OPD_NAME),
        "{{opd}} became the OPD's name: {draft:?}"
    );
    b.step("the saved reply filled the reply box");

    b.click_and_wait(&format!(
        "{reply_form} button[name=\"action\"][value=\"send\"]"
    ))
    .await;
    assert_eq!(
        b.path().await,
        format!("/inbox/{message}"),
        "submitting the reply returns to the message:\n{}",
        b.main_text().await
    );
    assert_eq!(
        b.text("main [role=status]").await,
        "Balasan menunggu persetujuan penanggung jawab.",
        "the operator is told the reply waits for approval"
    );
    let waiting = b.text("ol.replies li.reply-awaiting_approval").await;
    assert!(
        waiting.contains(&draft) && waiting.contains("Menunggu persetujuan"),
        "the reply is listed as awaiting approval: {waiting:?}"
    );
    assert!(
        b.exists(".badge.st-awaiting_approval").await,
        "the message shows it awaits approval"
    );
    assert!(
        !b.exists("ol.replies form[action$=\"/approve\"]").await,
        "an operator gets no approve button"
    );
    b.no_raw_keys().await;
    assert_eq!(
        mastodon.requests(),
        0,
        "nothing reaches the platform before approval"
    );
    b.step("the reply awaits approval; the platform has heard nothing");

    // (3) The approver signs in, opens the message and approves the reply.
    b.sign_out().await;
    b.sign_in(APPROVER, DEMO_PASSWORD).await;
    b.step("signed in as the approver");
    b.goto(&format!("/inbox/{message}")).await;
    b.no_raw_keys().await;
    b.submit("ol.replies li.reply-awaiting_approval form[action$=\"/approve\"]")
        .await;
    assert_eq!(
        b.path().await,
        format!("/inbox/{message}"),
        "approving returns to the message:\n{}",
        b.main_text().await
    );
    assert!(
        !b.exists("[role=alert]").await,
        "approving failed:\n{}",
        b.main_text().await
    );
    assert_eq!(
        b.text("main [role=status]").await,
        "Balasan disetujui dan dikirim.",
        "the approver is told the reply was sent"
    );
    let sent = b.text("ol.replies li.reply-sent").await;
    assert!(
        sent.contains(&draft) && sent.contains("Terkirim"),
        "the reply is listed as sent: {sent:?}"
    );
    assert!(
        !b.exists("ol.replies li.reply-awaiting_approval").await,
        "no reply is left awaiting approval"
    );
    b.no_raw_keys().await;
    b.step("approved; the page shows the reply sent");

    // (4) The platform received exactly one reply, addressed to the author, with the text.
    let posted = mastodon.posted();
    assert_eq!(
        posted.len(),
        1,
        "the platform received exactly one reply: {posted:#?}"
    );
    let reply = &posted[0];
    assert_eq!(
        reply.authorization.as_deref(),
        Some(format!("Bearer {TOKEN}").as_str()),
        "the reply was sent with the account's token"
    );
    assert!(
        reply
            .idempotency_key
            .as_deref()
            .is_some_and(|k| !k.is_empty()),
        "the reply carries an Idempotency-Key: {reply:?}"
    );
    assert_eq!(
        reply.body["status"],
        json!(format!("@{AUTHOR_ACCT} {draft}")),
        "the reply is the saved reply, addressed to the author"
    );
    assert!(
        reply.body["status"]
            .as_str()
            .is_some_and(|s| s.starts_with(AUTHOR_HANDLE)),
        "the reply starts with the author's handle: {reply:?}"
    );
    assert_eq!(reply.body["in_reply_to_id"], json!(PARENT_ID));
    assert_eq!(reply.body["visibility"], json!("public"));
    let stored = humas.app.store().list_replies(humas.message).await.unwrap();
    assert_eq!(stored.len(), 1, "one reply is stored");
    assert_eq!(stored[0].state, ReplyState::Sent);
    assert_eq!(
        stored[0].external_id.as_deref(),
        Some(reply.created_id.as_str()),
        "the stored reply keeps the platform's id of the status it became"
    );
    b.step("the platform received exactly one reply");

    // The deadline shows as met, on the message and in the list.
    let deadline = b.find("#deadline-state").await;
    assert_eq!(
        deadline.text().await.unwrap().trim(),
        "Terpenuhi",
        "the message's deadline shows as met:\n{}",
        b.main_text().await
    );
    assert!(
        deadline
            .attr("class")
            .await
            .unwrap()
            .is_some_and(|c| c.split_whitespace().any(|c| c == "dl-met")),
        "the deadline badge is coloured as met"
    );
    assert!(
        b.exists(".badge.st-replied").await,
        "the message shows it was replied to"
    );
    b.screenshot_to(&artifacts_dir().join("inbox-reply-sent.png"))
        .await;
    b.goto("/inbox?abusive=yes&category=complaint").await;
    let row = b
        .text(&format!("li.inbox-item:has({message_link}) .badge.dl-met"))
        .await;
    assert!(
        row.starts_with("Terpenuhi"),
        "the list shows the deadline met: {row:?}"
    );
    b.no_raw_keys().await;
    assert_eq!(
        mastodon.posted().len(),
        1,
        "looking at the pages sends nothing more"
    );
    b.step("the deadline shows as met");
}

// --- The fake Mastodon -------------------------------------------------------------------------

/// One `POST /api/v1/statuses` the fake received.
#[derive(Clone, Debug)]
struct Posted {
    authorization: Option<String>,
    idempotency_key: Option<String>,
    body: Value,
    /// The id of the status it created (or, for a replayed key, the first one).
    created_id: String,
}

#[derive(Debug, Default)]
struct FakeState {
    token: String,
    /// Every request, as `METHOD path`.
    requests: Vec<String>,
    posted: Vec<Posted>,
    /// Statuses created, by idempotency key: a replay answers with the first, as Mastodon does.
    by_key: HashMap<String, Value>,
    created: u64,
}

/// The two Mastodon endpoints the connector calls to reply: reading the parent status and
/// posting a status.
struct FakeMastodon {
    base: String,
    state: Arc<Mutex<FakeState>>,
}

impl FakeMastodon {
    async fn start(token: &str) -> Self {
        let state = Arc::new(Mutex::new(FakeState {
            token: token.to_owned(),
            ..FakeState::default()
        }));
        let app = Router::new()
            .route("/api/v1/statuses/{id}", get(fake_get_status))
            .route("/api/v1/statuses", post(fake_post_status))
            .fallback(fake_unknown)
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Self {
            base: format!("http://{addr}"),
            state,
        }
    }

    fn requests(&self) -> usize {
        self.state.lock().unwrap().requests.len()
    }

    fn posted(&self) -> Vec<Posted> {
        self.state.lock().unwrap().posted.clone()
    }
}

type Shared = Arc<Mutex<FakeState>>;

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn mastodon_error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "error": message }))).into_response()
}

fn authorised(state: &FakeState, headers: &HeaderMap) -> bool {
    header(headers, "authorization").as_deref() == Some(format!("Bearer {}", state.token).as_str())
}

/// The author's status the inbox message came from.
fn parent_status() -> Value {
    json!({
        "id": PARENT_ID,
        "created_at": "2026-11-23T07:49:02.064Z",
        "in_reply_to_id": null,
        "visibility": "public",
        "language": "id",
        "uri": format!("https://social.example/users/warga/statuses/{PARENT_ID}"),
        "url": format!("https://social.example/@warga/{PARENT_ID}"),
        "content": format!("<p>{COMPLAINT}</p>"),
        "account": {
            "id": "7",
            "username": "warga",
            "acct": AUTHOR_ACCT,
            "display_name": AUTHOR_NAME,
        },
    })
}

async fn fake_get_status(
    State(state): State<Shared>,
    UrlPath(id): UrlPath<String>,
    headers: HeaderMap,
) -> Response {
    let mut s = state.lock().unwrap();
    s.requests.push(format!("GET /api/v1/statuses/{id}"));
    if !authorised(&s, &headers) {
        return mastodon_error(StatusCode::UNAUTHORIZED, "The access token is invalid");
    }
    if id != PARENT_ID {
        return mastodon_error(StatusCode::NOT_FOUND, "Record not found");
    }
    axum::Json(parent_status()).into_response()
}

async fn fake_post_status(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut s = state.lock().unwrap();
    s.requests.push("POST /api/v1/statuses".to_owned());
    let authorization = header(&headers, "authorization");
    let idempotency_key = header(&headers, "idempotency-key");
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let ok = authorised(&s, &headers);
    let replayed = idempotency_key
        .as_ref()
        .and_then(|k| s.by_key.get(k))
        .cloned();
    let status = match (ok, replayed) {
        (false, _) => None,
        (true, Some(first)) => Some(first),
        (true, None) => {
            s.created += 1;
            let id = format!("110{:015}", s.created);
            let status = json!({
                "id": id,
                "created_at": "2026-11-23T08:00:00.000Z",
                "in_reply_to_id": body["in_reply_to_id"],
                "visibility": body["visibility"],
                "language": body["language"],
                "uri": format!("https://social.example/users/dinkesjatim/statuses/{id}"),
                "url": format!("https://social.example/@dinkesjatim/{id}"),
                "content": format!("<p>{}</p>", body["status"].as_str().unwrap_or_default()),
                "account": {
                    "id": "1",
                    "username": "dinkesjatim",
                    "acct": "dinkesjatim",
                    "display_name": OPD_NAME,
                },
            });
            if let Some(k) = &idempotency_key {
                s.by_key.insert(k.clone(), status.clone());
            }
            Some(status)
        }
    };
    s.posted.push(Posted {
        authorization,
        idempotency_key,
        body,
        created_id: status
            .as_ref()
            .and_then(|v| v["id"].as_str())
            .unwrap_or_default()
            .to_owned(),
    });
    match status {
        Some(status) => axum::Json(status).into_response(),
        None => mastodon_error(StatusCode::UNAUTHORIZED, "The access token is invalid"),
    }
}

async fn fake_unknown(State(state): State<Shared>, uri: axum::http::Uri) -> Response {
    state
        .lock()
        .unwrap()
        .requests
        .push(format!("? {}", uri.path()));
    mastodon_error(StatusCode::NOT_FOUND, "Not implemented by the fake")
}

// --- Humas ---------------------------------------------------------------------------------------

/// Humas itself, in this process, on a real socket, with one abusive complaint waiting on the
/// OPD's Mastodon account.
struct Humas {
    base: String,
    app: App,
    /// The abusive complaint.
    message: MessageId,
    /// The OPD's saved reply the operator picks.
    saved_reply: String,
    _dir: tempfile::TempDir,
}

impl Humas {
    async fn start(mastodon_base: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("humas.db");
        let store = SqliteStore::connect(db.to_str().unwrap()).await.unwrap();
        store.migrate().await.unwrap();
        let app = App::new(
            Arc::new(store),
            Arc::new(SystemClock),
            AuthSettings::for_tests(),
        )
        .with_server_secret(SERVER_SECRET);
        // The connectors may reach the fake on loopback, and nothing else internal.
        let http = humas_connectors::http::Http::new(humas_feeds::FetchOptions {
            allowed_addresses: vec!["127.0.0.1".parse().unwrap()],
            ..Default::default()
        })
        .unwrap();
        let app = app
            .clone()
            .with_gateway(ConnectorGateway::new(app, Connectors::new(http)));
        app.seed_demo_if_empty()
            .await
            .unwrap()
            .expect("a fresh database gets the demo data");

        let cli = App::cli_actor();
        let opd = app
            .store()
            .opd_by_slug(&Slug::parse(OPD_SLUG).unwrap())
            .await
            .unwrap()
            .id;
        let account = app
            .create_account(
                &cli,
                &AccountInput {
                    opd: opd.to_string(),
                    platform: Platform::Mastodon.as_str().into(),
                    handle: ACCOUNT_HANDLE.into(),
                    api_base_url: Some(mastodon_base.to_owned()),
                    status: Some("active".into()),
                },
            )
            .await
            .unwrap();
        app.set_account_credentials(
            &cli,
            account.id,
            Credentials {
                access_token: Some(TOKEN.to_owned()),
                platform_user_id: Some("1".to_owned()),
                ..Credentials::default()
            },
        )
        .await
        .unwrap();

        let now = app.clock().now();
        let inbound = Inbound {
            platform: Platform::Mastodon,
            external_id: ExternalId::parse(PARENT_ID).unwrap(),
            kind: MessageKind::Mention,
            author: Author::parse(AUTHOR_HANDLE, Some(AUTHOR_NAME)).unwrap(),
            text: COMPLAINT.to_owned(),
            title: None,
            permalink: Some(format!("https://social.example/@warga/{PARENT_ID}")),
            parent_external_id: None,
            thread_external_id: None,
            published_at: now,
        }
        .checked(now)
        .unwrap();
        let report = app
            .ingest(&AuditActor::system(), &account, vec![inbound], None)
            .await
            .unwrap();
        assert_eq!(report.inserted.len(), 1, "the complaint is stored once");
        let message = report.inserted[0];
        let stored = app.message(&cli, message).await.unwrap();
        assert_eq!(stored.opd, opd, "the complaint stays with {OPD_SLUG}");
        assert!(
            stored.analysis.abusive,
            "the text engine must mark the complaint abusive, or the filter cannot find it; \
             pick another wording: {:?}",
            stored.analysis
        );
        let category = stored
            .workflow
            .category
            .or(stored.workflow.suggested_category);
        if category != Some(Category::Complaint) {
            // The supervisor (here: the server's owner, a supervisor) files it as a complaint.
            app.set_category(&cli, message, Category::Complaint)
                .await
                .unwrap();
        }

        let saved_reply = app
            .saved_replies(&cli, opd)
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.opd == Some(opd) && r.title == SAVED_TITLE)
            .expect("the demo data has a saved reply for the OPD")
            .id
            .0
            .to_string();

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
            message,
            saved_reply,
            _dir: dir,
        }
    }
}

// --- Translation keys --------------------------------------------------------------------------

/// What a raw translation key looks like, from the message files: the keys themselves and their
/// first segments (`inbox`, `nav`, …). A page that shows `inbox-deadline-met` instead of
/// "Terpenuhi" has a key with no translation.
struct TranslationKeys {
    keys: BTreeSet<String>,
    prefixes: BTreeSet<String>,
}

impl TranslationKeys {
    fn load() -> Self {
        let locales = Path::new(env!("CARGO_MANIFEST_DIR")).join("../humas-web/locales");
        let mut keys = BTreeSet::new();
        for lang in std::fs::read_dir(&locales).unwrap() {
            for file in std::fs::read_dir(lang.unwrap().path()).unwrap() {
                let path = file.unwrap().path();
                if path.extension().is_none_or(|e| e != "ftl") {
                    continue;
                }
                for line in std::fs::read_to_string(&path).unwrap().lines() {
                    if let Some((key, _)) = line.split_once('=') {
                        let key = key.trim();
                        if is_key_like(key) && line.starts_with(key) {
                            keys.insert(key.to_owned());
                        }
                    }
                }
            }
        }
        assert!(
            keys.len() > 100,
            "found only {} translation keys under {}",
            keys.len(),
            locales.display()
        );
        let prefixes = keys
            .iter()
            .filter_map(|k| k.split('-').next())
            .map(str::to_owned)
            .collect();
        Self { keys, prefixes }
    }

    /// The words of `text` that look like untranslated keys.
    fn raw_in(&self, text: &str) -> Vec<String> {
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .filter(|w| {
                self.keys.contains(*w)
                    || (w.contains('-')
                        && is_key_like(w)
                        && w.split('-')
                            .next()
                            .is_some_and(|p| self.prefixes.contains(p)))
            })
            .map(str::to_owned)
            .collect()
    }
}

/// The detector itself: it must catch a key and leave Indonesian text alone, or the browser
/// checks above prove nothing.
#[test]
fn raw_translation_keys_are_recognised() {
    let keys = TranslationKeys::load();
    assert_eq!(
        keys.raw_in("Tenggat: inbox-deadline-met · Terpenuhi"),
        vec!["inbox-deadline-met"]
    );
    assert_eq!(
        keys.raw_in("Tombol inbox-no-such-key-yet di sini"),
        vec!["inbox-no-such-key-yet"]
    );
    assert!(
        keys.raw_in(
            "Sesuai standar SP4N-LAPOR!, masing-masing puskesmas; kabupaten/kota. \
             @warga@social.example dipanggil2"
        )
        .is_empty()
    );
}

/// Lower-case ASCII words joined by `-` (underscores allowed): the shape of a Fluent key here.
fn is_key_like(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

// --- chromedriver and the browser ------------------------------------------------------------

/// One message of the inbox list, as the browser shows it.
#[derive(Debug)]
struct ListRow {
    href: String,
    text: String,
    /// The classes of its badges.
    badges: Vec<String>,
}

/// The WebDriver session plus the address of Humas, with the few gestures the scenario needs.
struct Browser {
    client: Client,
    base: String,
    started: Instant,
    keys: TranslationKeys,
}

impl Browser {
    /// Notes progress on stderr (shown when the test fails, or with `--nocapture`).
    fn step(&self, what: &str) {
        eprintln!("[{:>5.1?}] {what}", self.started.elapsed());
    }

    /// Opens a page and waits until it has loaded.
    async fn goto(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
        self.loaded().await;
    }

    /// The path of the current page.
    async fn path(&self) -> String {
        self.client.current_url().await.unwrap().path().to_owned()
    }

    /// Waits for an element to appear.
    async fn find(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => panic!(
                "no {css} on {} after {WAIT:?}: {e}\n{}",
                self.path_or_unknown().await,
                self.main_text().await
            ),
        }
    }

    async fn exists(&self, css: &str) -> bool {
        !self
            .client
            .find_all(Locator::Css(css))
            .await
            .unwrap()
            .is_empty()
    }

    /// The visible text of an element, trimmed.
    async fn text(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap().trim().to_owned()
    }

    async fn main_text(&self) -> String {
        match self.client.find(Locator::Css("main")).await {
            Ok(main) => main.text().await.unwrap_or_default(),
            Err(_) => self.client.source().await.unwrap_or_default(),
        }
    }

    async fn path_or_unknown(&self) -> String {
        self.client
            .current_url()
            .await
            .map_or_else(|_| "an unknown page".to_owned(), |u| u.to_string())
    }

    /// Types into a text field of a form, as a person would.
    async fn type_into(&self, form: &str, name: &str, value: &str) {
        let field = self.find(&format!("{form} [name=\"{name}\"]")).await;
        field.clear().await.unwrap();
        field.send_keys(value).await.unwrap();
    }

    /// Picks an option of a select by its value.
    async fn choose(&self, form: &str, name: &str, value: &str) {
        let select = self.find(&format!("{form} select[name=\"{name}\"]")).await;
        select
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("{form} {name} has no option {value:?}: {e}"));
    }

    /// Clicks the submit button of a form and waits for the next page.
    async fn submit(&self, form: &str) {
        self.click_and_wait(&format!("{form} button[type=submit]"))
            .await;
    }

    /// Clicks a link or button that leads to another page and waits for that page.
    async fn click_and_wait(&self, css: &str) {
        let old_page = self.find("html").await;
        self.find(css).await.click().await.unwrap();
        // The old document is gone once its root element is stale.
        eventually(&format!("the page after clicking {css}"), || async {
            old_page.tag_name().await.is_err().then_some(())
        })
        .await;
        self.loaded().await;
    }

    /// Waits until the current document has finished loading.
    async fn loaded(&self) {
        eventually("the page to finish loading", || async {
            let state = self
                .client
                .execute("return document.readyState", vec![])
                .await
                .ok()?;
            (state == json!("complete")).then_some(())
        })
        .await;
    }

    async fn sign_in(&self, username: &str, password: &str) {
        self.goto("/login").await;
        let form = "form[action=\"/login\"]";
        self.type_into(form, "username", username).await;
        self.type_into(form, "password", password).await;
        self.submit(form).await;
        let path = self.path().await;
        assert_ne!(
            path,
            "/login",
            "signing in as {username} failed:\n{}",
            self.main_text().await
        );
        let me = self.text("header .me a[href=\"/profile\"]").await;
        assert!(!me.is_empty(), "the header names the signed-in person");
    }

    async fn sign_out(&self) {
        self.submit("header form[action=\"/logout\"]").await;
        assert_eq!(
            self.path().await,
            "/login",
            "signing out leads to the sign-in page"
        );
        assert!(
            !self.exists("header form[action=\"/logout\"]").await,
            "signed out, no sign-out button"
        );
    }

    /// The messages of the inbox list on the current page.
    async fn list_rows(&self) -> Vec<ListRow> {
        let script = "return Array.from(document.querySelectorAll('ol.inbox-list li.inbox-item'))
            .map(li => {
                const a = li.querySelector('.inbox-text a');
                return {
                    href: a ? a.getAttribute('href') : '',
                    text: li.innerText,
                    badges: Array.from(li.querySelectorAll('.badge')).map(b => b.className),
                };
            });";
        let rows = self.client.execute(script, vec![]).await.unwrap();
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| ListRow {
                href: text(&r["href"]),
                text: text(&r["text"]),
                badges: r["badges"].as_array().unwrap().iter().map(text).collect(),
            })
            .collect()
    }

    /// Fails when the page shows a translation key instead of its text: in the visible text,
    /// the title, option labels, or the attributes people read (labels for screen readers,
    /// tooltips, placeholders, confirmations).
    async fn no_raw_keys(&self) {
        let script = "const out = [document.title, document.body.innerText];
            const attrs = ['aria-label', 'title', 'placeholder', 'alt', 'data-confirm'];
            document.querySelectorAll('*').forEach(e => attrs.forEach(a => {
                const v = e.getAttribute(a);
                if (v) out.push(v);
            }));
            document.querySelectorAll('option').forEach(o => out.push(o.text));
            return out.join('\\n');";
        let text = self.client.execute(script, vec![]).await.unwrap();
        let raw = self.keys.raw_in(text.as_str().unwrap_or_default());
        assert!(
            raw.is_empty(),
            "{} shows untranslated keys {raw:?}:\n{}",
            self.path_or_unknown().await,
            self.main_text().await
        );
    }

    async fn screenshot_to(&self, file: &Path) {
        let png = self.client.screenshot().await.unwrap();
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, png).unwrap();
        eprintln!("screenshot: {}", file.display());
    }
}
