//! A local fake of the Mastodon endpoints the connector uses (shared brief section 6):
//! `GET /api/v1/notifications` with `types[]`, `limit`, `max_id`/`since_id`/`min_id` and `Link`
//! headers, `GET /api/v1/statuses/:id`, `POST /api/v1/statuses` honouring `Idempotency-Key`
//! (a replayed key returns the first status), `DELETE /api/v1/statuses/:id`, bearer checks,
//! `X-RateLimit-*` headers with an ISO 8601 reset, and scripted failures.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

#[derive(Clone, Debug)]
pub enum Failure {
    Status(u16),
    /// 429 with `X-RateLimit-Reset` `secs` from now, in Mastodon's ISO 8601 form.
    RateLimited {
        reset_in_secs: i64,
    },
    Body(&'static str),
}

#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub authorization: Option<String>,
    pub idempotency_key: Option<String>,
    pub body: Option<Value>,
}

impl Seen {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug)]
pub struct MastodonState {
    pub token: String,
    pub notifications: Vec<Value>,
    /// Every status the instance knows, by id (mentions' statuses are added here too).
    pub statuses: BTreeMap<String, Value>,
    /// Statuses we created, by id.
    pub created: Vec<String>,
    pub deleted: Vec<String>,
    pub idempotency: HashMap<String, String>,
    pub failures: VecDeque<Failure>,
    pub seen: Vec<Seen>,
    /// Delay before every answer.
    pub latency: std::time::Duration,
    next_id: u64,
}

#[derive(Clone)]
pub struct FakeMastodon {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<MastodonState>>,
}

fn key(id: &str) -> (usize, String) {
    (id.len(), id.to_owned())
}

fn id_of(v: &Value) -> (usize, String) {
    key(v["id"].as_str().unwrap_or_default())
}

impl FakeMastodon {
    pub async fn start(token: &str) -> Self {
        let state = Arc::new(Mutex::new(MastodonState {
            token: token.to_owned(),
            notifications: Vec::new(),
            statuses: BTreeMap::new(),
            created: Vec::new(),
            deleted: Vec::new(),
            idempotency: HashMap::new(),
            failures: VecDeque::new(),
            seen: Vec::new(),
            latency: std::time::Duration::ZERO,
            next_id: 103_254_962_155_278_000,
        }));
        let app = Router::new().fallback(handle).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { addr, state }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut MastodonState) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.with(|s| s.seen.clone())
    }

    /// Adds a `mention` notification `nid` for a status `sid` by `acct`.
    pub fn add_mention(
        &self,
        nid: &str,
        sid: &str,
        acct: &str,
        content: &str,
        in_reply_to: Option<&str>,
        visibility: &str,
    ) {
        let account = json!({"id": format!("acc-{acct}"), "username": acct.split('@').next().unwrap(), "acct": acct, "display_name": "Warga"});
        let status = json!({
            "id": sid, "created_at": "2019-11-23T07:49:02.064Z", "in_reply_to_id": in_reply_to,
            "in_reply_to_account_id": in_reply_to.map(|_| "14715"), "visibility": visibility, "language": "id",
            "uri": format!("https://other.example/users/warga/statuses/{sid}"),
            "url": format!("https://other.example/@warga/{sid}"), "content": content, "account": account,
            "mentions": [{"id": "14715", "username": "humas", "acct": "humas", "url": "https://social.example/@humas"}],
        });
        self.with(|s| {
            s.statuses.insert(sid.to_owned(), status.clone());
            s.notifications.push(json!({"id": nid, "type": "mention", "created_at": "2019-11-23T07:49:02.064Z", "account": account, "status": status}));
        });
    }

    /// Adds a notification of another type (the filter must keep it out).
    pub fn add_other(&self, nid: &str, kind: &str) {
        self.with(|s| {
            s.notifications.push(
                json!({"id": nid, "type": kind, "created_at": "2019-11-23T07:49:02.064Z",
                "account": {"id": "9", "username": "fan", "acct": "fan"}}),
            );
        });
    }
}

fn error(status: u16, message: &str) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        axum::Json(json!({"error": message})),
    )
        .into_response()
}

fn iso_in(secs: i64) -> String {
    let t = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(secs);
    // Mastodon's shape: microseconds and a Z.
    t.strftime("%Y-%m-%dT%H:%M:%S.%6fZ").to_string()
}

fn with_rate_headers(mut response: Response, remaining: u32, reset_in_secs: i64) -> Response {
    let h = response.headers_mut();
    h.insert("x-ratelimit-limit", "300".parse().unwrap());
    h.insert(
        "x-ratelimit-remaining",
        remaining.to_string().parse().unwrap(),
    );
    h.insert("x-ratelimit-reset", iso_in(reset_in_secs).parse().unwrap());
    response
}

async fn handle(
    State(state): State<Arc<Mutex<MastodonState>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let latency = state.lock().unwrap().latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let mut s = state.lock().unwrap();
    let query: Vec<(String, String)> =
        url::form_urlencoded::parse(uri.query().unwrap_or_default().as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let authorization = header("authorization");
    let idempotency_key = header("idempotency-key");
    let json_body: Option<Value> = serde_json::from_slice(&body).ok();
    s.seen.push(Seen {
        method: method.clone(),
        path: uri.path().to_owned(),
        query: query.clone(),
        authorization: authorization.clone(),
        idempotency_key: idempotency_key.clone(),
        body: json_body.clone(),
    });
    if authorization.as_deref() != Some(&format!("Bearer {}", s.token)) {
        return error(401, "The access token is invalid");
    }
    if let Some(failure) = s.failures.pop_front() {
        return match failure {
            Failure::Status(code) => error(code, "Service unavailable"),
            Failure::RateLimited { reset_in_secs } => {
                with_rate_headers(error(429, "Too many requests"), 0, reset_in_secs)
            }
            Failure::Body(raw) => {
                (StatusCode::OK, [("content-type", "application/json")], raw).into_response()
            }
        };
    }
    let segments: Vec<&str> = uri.path().trim_start_matches('/').split('/').collect();
    let base = format!(
        "http://{}",
        headers
            .get("host")
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost")
    );
    let response = match (method, segments.as_slice()) {
        (Method::GET, ["api", "v1", "notifications"]) => notifications(&s, &query, &base),
        (Method::GET, ["api", "v1", "statuses", id]) => match s.statuses.get(*id) {
            Some(status) => axum::Json(status.clone()).into_response(),
            None => error(404, "Record not found"),
        },
        (Method::POST, ["api", "v1", "statuses"]) => create(&mut s, json_body, idempotency_key),
        (Method::DELETE, ["api", "v1", "statuses", id]) => {
            if s.created.iter().any(|c| c == id) {
                s.created.retain(|c| c != id);
                s.deleted.push((*id).to_owned());
                let mut status = s.statuses.remove(*id).unwrap();
                status["text"] = status["content"].clone();
                axum::Json(status).into_response()
            } else if s.statuses.contains_key(*id) {
                error(403, "This action is not allowed")
            } else {
                error(404, "Record not found")
            }
        }
        _ => error(404, "Not found"),
    };
    with_rate_headers(response, 299, 300)
}

fn notifications(s: &MastodonState, query: &[(String, String)], base: &str) -> Response {
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let types: Vec<&str> = query
        .iter()
        .filter(|(k, _)| k == "types[]")
        .map(|(_, v)| v.as_str())
        .collect();
    let limit: usize = param("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(40)
        .clamp(1, 80);
    let mut all: Vec<&Value> = s
        .notifications
        .iter()
        .filter(|n| types.is_empty() || types.contains(&n["type"].as_str().unwrap_or_default()))
        .filter(|n| param("max_id").is_none_or(|m| id_of(n) < key(&m)))
        .filter(|n| param("since_id").is_none_or(|m| id_of(n) > key(&m)))
        .filter(|n| param("min_id").is_none_or(|m| id_of(n) > key(&m)))
        .collect();
    all.sort_by_key(|n| id_of(n));
    let page: Vec<&Value> = if param("min_id").is_some() {
        // min_id: the page just after it, oldest end first; returned newest first.
        all.iter().take(limit).rev().copied().collect()
    } else {
        all.iter().rev().take(limit).copied().collect()
    };
    let mut response = axum::Json(json!(page)).into_response();
    if let (Some(newest), Some(oldest)) = (page.first(), page.last()) {
        let link = format!(
            "<{base}/api/v1/notifications?types%5B%5D=mention&max_id={}>; rel=\"next\", <{base}/api/v1/notifications?types%5B%5D=mention&min_id={}>; rel=\"prev\"",
            oldest["id"].as_str().unwrap_or_default(),
            newest["id"].as_str().unwrap_or_default()
        );
        response.headers_mut().insert("link", link.parse().unwrap());
    }
    response
}

fn create(s: &mut MastodonState, body: Option<Value>, idempotency_key: Option<String>) -> Response {
    if let Some(existing) = idempotency_key.as_ref().and_then(|k| s.idempotency.get(k)) {
        return axum::Json(s.statuses[existing].clone()).into_response();
    }
    let Some(text) = body.as_ref().and_then(|b| b["status"].as_str()) else {
        return error(422, "Validation failed: Text can't be blank");
    };
    if text.chars().count() > 500 {
        return error(
            422,
            "Validation failed: Text character limit of 500 exceeded",
        );
    }
    let body = body.clone().unwrap();
    if let Some(parent) = body["in_reply_to_id"].as_str()
        && !s.statuses.contains_key(parent)
    {
        return error(404, "Record not found");
    }
    s.next_id += 1;
    let id = s.next_id.to_string();
    let status = json!({
        "id": id, "created_at": "2019-12-05T11:34:47.196Z", "in_reply_to_id": body["in_reply_to_id"],
        "visibility": body["visibility"].as_str().unwrap_or("public"), "language": body["language"],
        "uri": format!("https://social.example/users/humas/statuses/{id}"),
        "url": format!("https://social.example/@humas/{id}"),
        "content": format!("<p>{}</p>", text.replace('&', "&amp;").replace('<', "&lt;")),
        "account": {"id": "14715", "username": "humas", "acct": "humas"},
    });
    s.statuses.insert(id.clone(), status.clone());
    s.created.push(id.clone());
    if let Some(k) = idempotency_key {
        s.idempotency.insert(k, id);
    }
    axum::Json(status).into_response()
}
