//! A minimal local Mastodon instance: only what the connector's poller calls.
//!
//! `GET /api/v1/notifications` with a bearer token, `types[]`, `limit` (1–80, default 40),
//! `max_id`, `since_id` and `min_id`; answers newest first, and with `min_id` the page just
//! after it (the oldest notifications newer than `min_id`); a `Link` header with `rel="next"`
//! (`max_id` = oldest on the page) and `rel="prev"` (`min_id` = newest on the page), as
//! Mastodon's API documentation describes. Every request is recorded when it arrives, before
//! the configured latency, so a request cut short by a killed client is still seen.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// One request as the fake saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub query: Vec<(String, String)>,
}

impl Seen {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

pub struct Inner {
    token: String,
    /// `(notification id, notification)`, in the order added (ascending ids).
    notifications: Vec<(u64, Value)>,
    pub seen: Vec<Seen>,
    pub latency: Duration,
}

pub struct FakeMastodon {
    pub addr: SocketAddr,
    state: Arc<Mutex<Inner>>,
}

impl FakeMastodon {
    /// Starts on a free loopback port, on the current tokio runtime.
    pub async fn start(token: &str, latency: Duration) -> Self {
        let state = Arc::new(Mutex::new(Inner {
            token: token.to_owned(),
            notifications: Vec::new(),
            seen: Vec::new(),
            latency,
        }));
        let app = Router::new()
            .route("/api/v1/notifications", axum::routing::get(notifications))
            .fallback(|| async { error(StatusCode::NOT_FOUND, "Not found") })
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fake");
        let addr = listener.local_addr().expect("fake address");
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { addr, state }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn lock(&self) -> MutexGuard<'_, Inner> {
        self.state.lock().expect("fake state")
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.lock().seen.clone()
    }

    /// Adds a public `mention` notification `nid` whose status is `sid`, written by `acct`.
    pub fn add_mention(&self, nid: u64, sid: &str, acct: &str, text: &str, created_at: &str) {
        let account = json!({
            "id": format!("acc-{acct}"), "username": acct, "acct": acct,
            "display_name": "Warga", "url": format!("https://warga.example/@{acct}"),
        });
        let notification = json!({
            "id": nid.to_string(),
            "type": "mention",
            "created_at": created_at,
            "account": account,
            "status": {
                "id": sid,
                "created_at": created_at,
                "in_reply_to_id": null,
                "in_reply_to_account_id": null,
                "visibility": "public",
                "language": "id",
                "uri": format!("https://warga.example/users/{acct}/statuses/{sid}"),
                "url": format!("https://warga.example/@{acct}/{sid}"),
                "content": format!("<p><span class=\"h-card\"><a href=\"https://social.example/@humas\" class=\"u-url mention\">@<span>humas</span></a></span> {text}</p>"),
                "account": account,
                "mentions": [{"id": "14715", "username": "humas", "acct": "humas"}],
            },
        });
        let mut inner = self.lock();
        assert!(
            inner
                .notifications
                .last()
                .is_none_or(|(last, _)| *last < nid),
            "add notifications in ascending id order"
        );
        inner.notifications.push((nid, notification));
    }
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "error": message }))).into_response()
}

async fn notifications(
    State(state): State<Arc<Mutex<Inner>>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    let (latency, token) = {
        let mut inner = state.lock().expect("fake state");
        inner.seen.push(Seen {
            query: query.clone(),
        });
        (inner.latency, inner.token.clone())
    };
    tokio::time::sleep(latency).await;
    let authorized = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {token}"));
    if !authorized {
        return error(StatusCode::UNAUTHORIZED, "The access token is invalid");
    }
    let param = |name: &str| -> Option<&str> {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    // An id that is not a number is refused, as Mastodon does.
    let id_param = |name: &str| -> Result<Option<u64>, std::num::ParseIntError> {
        param(name).map(str::parse::<u64>).transpose()
    };
    let (max_id, since_id, min_id) =
        match (id_param("max_id"), id_param("since_id"), id_param("min_id")) {
            (Ok(a), Ok(b), Ok(c)) => (a, b, c),
            _ => return error(StatusCode::UNPROCESSABLE_ENTITY, "Invalid id"),
        };
    let limit = param("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(40)
        .clamp(1, 80);
    let types: Vec<&str> = query
        .iter()
        .filter(|(k, _)| k == "types[]")
        .map(|(_, v)| v.as_str())
        .collect();
    let inner = state.lock().expect("fake state");
    let matching: Vec<&(u64, Value)> = inner
        .notifications
        .iter()
        .filter(|(_, n)| types.is_empty() || types.contains(&n["type"].as_str().unwrap_or("")))
        .filter(|(id, _)| max_id.is_none_or(|m| *id < m))
        .filter(|(id, _)| since_id.is_none_or(|m| *id > m))
        .filter(|(id, _)| min_id.is_none_or(|m| *id > m))
        .collect();
    // Ascending in `matching`; the answer is newest first.
    let page: Vec<&(u64, Value)> = if min_id.is_some() {
        matching.iter().take(limit).rev().copied().collect()
    } else {
        matching.iter().rev().take(limit).copied().collect()
    };
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_owned();
    let body: Vec<&Value> = page.iter().map(|(_, n)| n).collect();
    let mut response = axum::Json(json!(body)).into_response();
    if let (Some((newest, _)), Some((oldest, _))) = (page.first(), page.last()) {
        let link = format!(
            "<http://{host}/api/v1/notifications?types%5B%5D=mention&max_id={oldest}>; rel=\"next\", \
             <http://{host}/api/v1/notifications?types%5B%5D=mention&min_id={newest}>; rel=\"prev\""
        );
        if let Ok(value) = link.parse() {
            response.headers_mut().insert("link", value);
        }
    }
    response
}
