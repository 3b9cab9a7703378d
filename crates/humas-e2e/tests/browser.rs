//! The main path of Humas in a real browser: a supervisor adds an OPD and an operator for it,
//! the operator sees only that OPD, and the audit log records all of it.
//!
//! Starts the real application in-process on `127.0.0.1:0` (SQLite in a temporary folder, demo
//! data), starts `/usr/bin/chromedriver` on a free port, and drives headless
//! `/usr/bin/chromium` through WebDriver. Every wait polls for an element or a condition for up
//! to [`WAIT`]; nothing sleeps for a fixed time.

// clippy.toml allows these inside `#[test]` functions only; the helpers below are test code too.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test code: a failing unwrap is a failing test with a line number"
)]

mod support;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{Chromedriver, WAIT, artifacts_dir, browser_installed, eventually};

use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use humas_app::{App, AuthSettings, SystemClock};
use humas_domain::Slug;
use humas_store::Store;
use humas_store_sqlite::SqliteStore;
use humas_web::{AppState, WebSettings, router};
use serde_json::json;

/// The longest the whole scenario may take, so a stuck browser fails the test instead of
/// hanging it.
const SCENARIO_LIMIT: Duration = Duration::from_secs(180);

const SUPERVISOR: &str = "supervisor";
const DEMO_PASSWORD: &str = humas_app::demo::DEMO_PASSWORD;
const OPD_NAME: &str = "Dinas Uji Peramban";
const OPD_SLUG: &str = "uji-peramban";
const OPERATOR: &str = "operator.uji";
const OPERATOR_NAME: &str = "Operator Uji Peramban";
const OPERATOR_PASSWORD: &str = "Sandi-Uji-Peramban-2026";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supervisor_adds_an_opd_and_its_operator_sees_only_that_opd() {
    if !browser_installed() {
        return;
    }
    let started = Instant::now();
    let humas = Humas::start().await;
    eprintln!("[{:>5.1?}] humas at {}", started.elapsed(), humas.base);
    let driver = Chromedriver::start().await;
    let client = driver.connect().await;
    eprintln!("[{:>5.1?}] chromium started", started.elapsed());
    let browser = Browser {
        client: client.clone(),
        base: humas.base.clone(),
        started,
    };

    let outcome = tokio::time::timeout(SCENARIO_LIMIT, scenario(&browser, &humas)).await;
    // End the browser session before judging, so chromium exits cleanly either way; the guard
    // kills whatever is left when `driver` goes out of scope.
    let _ = tokio::time::timeout(WAIT, client.close()).await;
    drop(driver);
    assert!(
        outcome.is_ok(),
        "the browser scenario took longer than {SCENARIO_LIMIT:?}"
    );
    eprintln!("browser scenario passed in {:.1?}", started.elapsed());
}

async fn scenario(b: &Browser, humas: &Humas) {
    // (1) The supervisor signs in.
    b.sign_in(SUPERVISOR, DEMO_PASSWORD).await;
    b.step("signed in as the supervisor");

    // (2) Adds an OPD and lands on its page.
    b.goto("/opds").await;
    let form = "form#new-opd";
    b.type_into(form, "name", OPD_NAME).await;
    b.type_into(form, "slug", OPD_SLUG).await;
    b.choose(form, "kind", "dinas").await;
    b.choose(form, "parent", "").await;
    b.submit(form).await;
    let path = b.path().await;
    let Some(opd_id) = path.strip_prefix("/opds/").map(str::to_owned) else {
        panic!(
            "after adding an OPD the browser is at {path}, not /opds/<id>:\n{}",
            b.main_text().await
        );
    };
    assert_eq!(
        b.text("main h1").await,
        OPD_NAME,
        "the new OPD's page is titled with its name"
    );
    assert!(
        b.text("main").await.contains(OPD_SLUG),
        "the new OPD's page shows its slug"
    );
    let stored = humas.opd(OPD_SLUG).await;
    assert_eq!(
        stored, opd_id,
        "the OPD page is the one stored under {OPD_SLUG}"
    );
    b.step("added the OPD");

    // (3) Adds an operator for it.
    b.goto("/users").await;
    let form = "form#new-user";
    b.type_into(form, "username", OPERATOR).await;
    b.type_into(form, "display_name", OPERATOR_NAME).await;
    b.choose(form, "role", "operator").await;
    b.choose(form, "opd", &opd_id).await;
    b.type_into(form, "password", OPERATOR_PASSWORD).await;
    b.submit(form).await;
    let path = b.path().await;
    assert!(
        path.starts_with("/users/"),
        "after adding a person the browser is at {path}, not /users/<id>:\n{}",
        b.main_text().await
    );
    let page = b.main_text().await;
    assert!(
        page.contains(OPERATOR_NAME),
        "the new person's page shows their name:\n{page}"
    );
    b.step("added the operator");

    // (4) Signs out; the operator signs in and sees only their OPD.
    b.sign_out().await;
    b.sign_in(OPERATOR, OPERATOR_PASSWORD).await;
    b.goto("/opds").await;
    let rows = b.table_rows("main table").await;
    assert_eq!(
        rows.len(),
        1,
        "the operator sees exactly one OPD, got {rows:?}"
    );
    assert_eq!(
        rows[0][0], OPD_NAME,
        "the operator's one OPD is the new one: {rows:?}"
    );
    assert_eq!(
        rows[0][1], OPD_SLUG,
        "the operator's one OPD is the new one: {rows:?}"
    );
    assert!(
        !b.exists("form#new-opd").await,
        "an operator gets no form to add OPDs"
    );
    b.screenshot_to(&artifacts_dir().join("operator-opds.png"))
        .await;
    b.step("the operator sees only their OPD");

    let dinkes = humas.opd("dinkes").await;
    b.goto(&format!("/opds/{dinkes}")).await;
    let alert = b.text("[role=alert]").await;
    assert!(
        alert.contains("Anda tidak berwenang"),
        "another OPD's page tells the operator they are not allowed, got {alert:?}:\n{}",
        b.main_text().await
    );
    assert!(
        !b.main_text().await.contains("Dinas Kesehatan"),
        "the refusal does not leak the other OPD's name"
    );
    b.step("another OPD's page is refused");

    // (5) The supervisor finds all of it in the audit log. (The refusal page has no header, so
    // go home for the sign-out button first.)
    b.goto("/").await;
    b.sign_out().await;
    b.sign_in(SUPERVISOR, DEMO_PASSWORD).await;
    b.goto("/audit").await;
    let rows = b.table_rows("table#audit-log").await;
    // Columns: #, time, actor, action, target, OPD, change.
    let has = |actor: &str, action: &str| {
        rows.iter()
            .any(|r| r.len() > 3 && r[2] == actor && r[3] == action)
    };
    for (actor, action) in [
        (SUPERVISOR, "opd.create"),
        (SUPERVISOR, "user.create"),
        (OPERATOR, "auth.login"),
    ] {
        assert!(
            has(actor, action),
            "the audit log has no {action} by {actor}; its rows (actor, action): {:?}",
            summary(&rows)
        );
    }
    b.step("the audit log shows it all");
}

/// (actor, action) of every audit row, for failure messages.
fn summary(rows: &[Vec<String>]) -> Vec<(String, String)> {
    rows.iter()
        .filter(|r| r.len() > 3)
        .map(|r| (r[2].clone(), r[3].clone()))
        .collect()
}

/// Humas itself, in this process, on a real socket.
struct Humas {
    base: String,
    app: App,
    _dir: tempfile::TempDir,
}

impl Humas {
    async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("humas.db");
        let store = SqliteStore::connect(db.to_str().unwrap()).await.unwrap();
        store.migrate().await.unwrap();
        let app = App::new(
            Arc::new(store),
            Arc::new(SystemClock),
            AuthSettings::for_tests(),
        );
        app.seed_demo_if_empty()
            .await
            .unwrap()
            .expect("a fresh database gets the demo data");
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
            _dir: dir,
        }
    }

    /// The id of the OPD with this slug, from the store.
    async fn opd(&self, slug: &str) -> String {
        let store: &Arc<dyn Store> = self.app.store();
        store
            .opd_by_slug(&Slug::parse(slug).unwrap())
            .await
            .unwrap()
            .id
            .to_string()
    }
}

/// The WebDriver session plus the address of Humas, with the few gestures the scenario needs.
struct Browser {
    client: Client,
    base: String,
    started: Instant,
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
                "no {css} on {} after {WAIT:?}: {e}",
                self.path_or_unknown().await
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
        let old_page = self.find("html").await;
        self.find(&format!("{form} button[type=submit]"))
            .await
            .click()
            .await
            .unwrap();
        // The old document is gone once its root element is stale.
        eventually(&format!("the page after submitting {form}"), || async {
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

    /// The cell texts of every body row of a table.
    async fn table_rows(&self, table: &str) -> Vec<Vec<String>> {
        self.find(table).await;
        let script = "return Array.from(document.querySelectorAll(arguments[0] + ' tbody tr'))
            .map(tr => Array.from(tr.cells).map(td => td.innerText.trim()));";
        let rows = self
            .client
            .execute(script, vec![json!(table)])
            .await
            .unwrap();
        serde_json::from_value(rows).unwrap()
    }

    async fn screenshot_to(&self, file: &Path) {
        let png = self.client.screenshot().await.unwrap();
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(file, png).unwrap();
        eprintln!("screenshot: {}", file.display());
    }
}
