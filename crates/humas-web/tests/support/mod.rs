//! A real Humas on a real socket for tests: a fresh database with demo data, cheap password
//! hashing, and a clock the test can move. SQLite in a temporary folder by default; set
//! `HUMAS_TEST_WEB_BACKEND=postgres` to run the same tests on a fresh PostgreSQL database.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of the harness"
)]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test harness: a failure should stop the test here"
)]

use std::net::SocketAddr;
use std::sync::Arc;

use humas_app::{App, AuthSettings, ManualClock};
use humas_domain::{OpdId, Slug, UserId, Username};
use humas_store::Store;
use humas_store_sqlite::SqliteStore;
use humas_web::{AppState, WebSettings, router};

pub struct TestApp {
    pub base: String,
    pub app: App,
    pub clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
    // The server task still holds connections when a test ends, so PostgreSQL test databases
    // are not dropped here; `.ci/run` sweeps `humas_test_*` databases before and after a run.
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

pub const PASSWORD: &str = humas_app::demo::DEMO_PASSWORD;

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(AuthSettings::for_tests()).await
    }

    pub async fn spawn_with(auth: AuthSettings) -> Self {
        Self::spawn_configured(auth, WebSettings::default()).await
    }

    pub async fn spawn_configured(auth: AuthSettings, web: WebSettings) -> Self {
        Self::spawn_customized(auth, web, |app| app).await
    }

    /// Like [`Self::spawn_configured`], with the application adjusted first (e.g. an OAuth
    /// gateway wired in).
    pub async fn spawn_customized(
        auth: AuthSettings,
        web: WebSettings,
        customize: impl FnOnce(App) -> App,
    ) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (store, pg) = fresh_store(dir.path()).await;
        let clock = Arc::new(ManualClock::starting_now());
        let app = customize(App::new(store, clock.clone(), auth));
        app.seed_demo_if_empty().await.unwrap().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let service = router(AppState::new(app.clone(), web))
            .into_make_service_with_connect_info::<SocketAddr>();
        tokio::spawn(async move {
            axum::serve(listener, service).await.unwrap();
        });
        Self {
            base: format!("http://{addr}"),
            app,
            clock,
            _dir: dir,
            _pg: pg,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        self.app.store()
    }

    pub async fn opd(&self, slug: &str) -> OpdId {
        self.store()
            .opd_by_slug(&Slug::parse(slug).unwrap())
            .await
            .unwrap()
            .id
    }

    pub async fn user_id(&self, username: &str) -> UserId {
        self.store()
            .credentials(&Username::parse(username).unwrap())
            .await
            .unwrap()
            .user
            .id
    }

    /// A browser-like client (cookies, no automatic redirects).
    pub fn browser() -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// Signs in through the real form and returns the client.
    pub async fn signed_in(&self, username: &str) -> reqwest::Client {
        let c = Self::browser();
        let resp = self.login(&c, username, PASSWORD).await;
        assert_eq!(
            resp.status(),
            303,
            "sign-in of {username} failed: {}",
            resp.text().await.unwrap_or_default()
        );
        c
    }

    /// Posts the sign-in form with the token from the sign-in page.
    pub async fn login(
        &self,
        c: &reqwest::Client,
        username: &str,
        password: &str,
    ) -> reqwest::Response {
        let page = c
            .get(self.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let token = hidden_field(&page, "_csrf").expect("sign-in page has a CSRF field");
        c.post(self.url("/login"))
            .form(&[
                ("_csrf", token.as_str()),
                ("username", username),
                ("password", password),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap()
    }

    /// The CSRF token of the client's session, read from a page as a browser would.
    pub async fn csrf(&self, c: &reqwest::Client) -> String {
        let page = c
            .get(self.url("/profile"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        hidden_field(&page, "_csrf").expect("signed-in pages carry a CSRF field")
    }

    /// An API token for a demo person.
    pub async fn token(&self, username: &str) -> String {
        let id = self.user_id(username).await;
        self.app
            .create_api_token(&App::cli_actor(), id, "test")
            .await
            .unwrap()
            .1
    }
}

/// The value of the first hidden input with this name.
pub fn hidden_field(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}
