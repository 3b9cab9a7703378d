//! The web layer: server-rendered pages (askama, Fluent translations in Bahasa Indonesia and
//! English), the JSON API under `/api/v1`, sessions, CSRF protection, `/healthz` and `/metrics`.
//!
//! Entry points: [`AppState::new`] and [`router`]. Every route is registered through
//! [`routes::Routes`], which records it, so the authorisation matrix test can fail when a route
//! is added without being listed there.
//!
//! **Invariants:**
//! - Only this crate knows HTTP: status codes, cookies, headers.
//! - Handlers never decide who may do what; they ask `humas_app`, which asks the domain `Actor`.
//!   The web layer only decides *whether someone is signed in*.
//! - Every state-changing request to a page passes the CSRF guard (synchronizer token
//!   from the session, or the double-submit cookie on the sign-in form) and a Fetch-Metadata /
//!   Origin check. `/api/v1` accepts only bearer tokens, never cookies, so it needs no CSRF token.
//! - No panic is reachable from a request: inputs are parsed into domain types and every failure
//!   becomes a [`error::Failure`] with a stable code.

pub mod api;
mod assets;
mod csrf;
pub mod error;
mod extract;
pub mod format;
pub mod i18n;
mod import_stream;
mod metrics;
mod ops;
mod pages;
mod public_media;
pub mod routes;
mod session;
mod webhooks;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use humas_app::App;
use humas_app::publish::{FsMediaStore, MediaStore};

pub use metrics::Metrics;

/// Settings of the web layer.
#[derive(Clone, Debug)]
pub struct WebSettings {
    /// Shown in the header, e.g. "Pemerintah Provinsi Jawa Timur".
    pub province_name: String,
    /// Mark cookies `Secure` (set when served over TLS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// Longest a request may take.
    pub request_timeout: Duration,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy), for
    /// login throttling.
    pub trust_forwarded_for: bool,
    /// The Meta app secret that signs webhook deliveries (`X-Hub-Signature-256`); without it
    /// `/webhooks/meta` refuses deliveries.
    pub meta_app_secret: Option<String>,
    /// The token Meta must echo in the subscription handshake; without it the handshake fails.
    pub meta_verify_token: Option<String>,
    /// Where uploaded images and videos are kept (`<data_dir>/media`); used by
    /// [`AppState::new`] unless [`AppState::with_media_store`] replaces the store.
    pub media_dir: PathBuf,
    /// The address people and platforms reach Humas at (`https://humas.example.go.id`), for
    /// OAuth redirects; `None` uses the address each request came to.
    pub public_url: Option<String>,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self {
            province_name: "Pemerintah Provinsi Jawa Timur".to_owned(),
            secure_cookies: false,
            max_body_bytes: 256 * 1024,
            request_timeout: Duration::from_secs(30),
            trust_forwarded_for: false,
            meta_app_secret: None,
            meta_verify_token: None,
            // The server's default data folder is `./humas-data`; the server sets its own.
            media_dir: PathBuf::from("./humas-data/media"),
            public_url: None,
        }
    }
}

/// Shared by every handler. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub(crate) app: App,
    pub(crate) settings: Arc<WebSettings>,
    pub(crate) metrics: Arc<Metrics>,
    /// Where uploaded media bytes live.
    pub(crate) media: Arc<dyn MediaStore>,
}

impl AppState {
    /// Wraps the application for the web.
    #[must_use]
    pub fn new(app: App, settings: WebSettings) -> Self {
        let media: Arc<dyn MediaStore> = Arc::new(FsMediaStore::new(&settings.media_dir));
        Self {
            app,
            settings: Arc::new(settings),
            metrics: Arc::new(Metrics::default()),
            media,
        }
    }

    /// Keeps uploaded media somewhere else than [`WebSettings::media_dir`] (an object store, or
    /// the same store the publishing worker reads).
    #[must_use]
    pub fn with_media_store(mut self, media: Arc<dyn MediaStore>) -> Self {
        self.media = media;
        self
    }
}

/// The complete application with every layer. Serve it with
/// `into_make_service_with_connect_info::<SocketAddr>()` so throttling sees client addresses.
pub fn router(state: AppState) -> Router {
    let limit = state.settings.max_body_bytes;
    let r = routes::all();
    // Innermost first: CSRF needs the session.
    let pages = r
        .pages
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            csrf::guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            session::resolve,
        ));
    pages
        .merge(r.sessionless)
        .fallback(ops::not_found)
        .method_not_allowed_fallback(ops::method_not_allowed)
        // Metrics see every answer.
        .layer(axum::middleware::from_fn(ops::security_headers))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::record,
        ))
        .layer(DefaultBodyLimit::max(limit))
        // `request_timeout` for everything but a bulk import, which may take minutes.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            import_stream::time_limit,
        ))
        .with_state(state)
}

/// Every registered route as (method, path), for the authorisation matrix test.
#[must_use]
pub fn route_table() -> Vec<(String, String)> {
    routes::all().table
}
