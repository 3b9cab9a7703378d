//! A local fake of the X API v2 endpoints the connector uses (shared brief section 3):
//! `GET /2/users/:id/mentions` with `since_id` and `pagination_token` paging backwards through a
//! newest-first timeline (and a 400 for the `next_token` parameter, which only search accepts),
//! `POST /2/tweets`, `PUT /2/tweets/:id/hidden`, `DELETE /2/tweets/:id`, bearer checks, the
//! `x-rate-limit-*` headers on every answer, and scripted failures.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A failure served instead of the next request's normal answer.
#[derive(Clone, Debug)]
pub enum Failure {
    /// A 5xx problem.
    Status(u16),
    /// 429 with `x-rate-limit-remaining: 0` and a reset `secs` from now.
    RateLimited { reset_in_secs: i64 },
    /// The legacy 429 body `{"errors":[{"code":88,...}]}`.
    LegacyRateLimit { reset_in_secs: i64 },
    /// 200 with this raw body.
    Body(&'static str),
}

/// One request as the fake saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub authorization: Option<String>,
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

/// What the fake holds; tests change it between calls.
#[derive(Debug)]
pub struct XState {
    pub user_id: String,
    pub token: String,
    /// Raw post objects (any shape, to test malformed items).
    pub mentions: Vec<Value>,
    pub users: Vec<Value>,
    /// Partial errors added beside `data` on each mentions page.
    pub partial_errors: Vec<Value>,
    pub failures: VecDeque<Failure>,
    pub seen: Vec<Seen>,
    /// Parent ids X refuses replies to (anti reply-spam rule).
    pub refuse_replies_to: HashSet<String>,
    /// Posts we created: id → body.
    pub posted: BTreeMap<String, Value>,
    pub hidden: HashMap<String, bool>,
    pub deleted: Vec<String>,
    /// Refresh tokens `POST /2/oauth2/token` accepts (each once: X rotates them).
    pub refresh_tokens: HashSet<String>,
    pub refresh_calls: u32,
    /// Delay before every answer.
    pub latency: std::time::Duration,
    tokens: HashMap<String, usize>,
    next_id: u64,
}

#[derive(Clone)]
pub struct FakeX {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<XState>>,
}

impl FakeX {
    pub async fn start(user_id: &str, token: &str) -> Self {
        let state = Arc::new(Mutex::new(XState {
            user_id: user_id.to_owned(),
            token: token.to_owned(),
            mentions: Vec::new(),
            users: Vec::new(),
            partial_errors: Vec::new(),
            failures: VecDeque::new(),
            seen: Vec::new(),
            refuse_replies_to: HashSet::new(),
            posted: BTreeMap::new(),
            hidden: HashMap::new(),
            deleted: Vec::new(),
            refresh_tokens: HashSet::new(),
            refresh_calls: 0,
            latency: std::time::Duration::ZERO,
            tokens: HashMap::new(),
            next_id: 1_900_000_000_000_000_000,
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

    pub fn with<R>(&self, f: impl FnOnce(&mut XState) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.with(|s| s.seen.clone())
    }

    /// Adds a mention by `user` (`(id, username, name)`), registering the user.
    pub fn add_mention(
        &self,
        id: &str,
        text: &str,
        user: (&str, &str, &str),
        replied_to: Option<&str>,
    ) {
        self.with(|s| {
            let mut tweet = json!({
                "id": id, "text": text, "author_id": user.0,
                "created_at": "2025-01-15T10:30:00.000Z", "conversation_id": replied_to.unwrap_or(id),
                "in_reply_to_user_id": s.user_id, "lang": "in", "edit_history_tweet_ids": [id],
            });
            if let Some(parent) = replied_to {
                tweet["referenced_tweets"] = json!([{"type": "replied_to", "id": parent}]);
            }
            s.mentions.push(tweet);
            if !s.users.iter().any(|u| u["id"] == user.0) {
                s.users.push(json!({"id": user.0, "username": user.1, "name": user.2, "verified": false}));
            }
        });
    }
}

fn id_key(v: &Value) -> (usize, String) {
    let id = v
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    (id.len(), id)
}

fn problem(status: u16, title: &str, detail: &str) -> Response {
    let code = StatusCode::from_u16(status).unwrap();
    (
        code,
        axum::Json(
            json!({"title": title, "detail": detail, "type": "about:blank", "status": status}),
        ),
    )
        .into_response()
}

fn with_rate_headers(mut response: Response, remaining: u32, reset: i64) -> Response {
    let h = response.headers_mut();
    h.insert("x-rate-limit-limit", "450".parse().unwrap());
    h.insert(
        "x-rate-limit-remaining",
        remaining.to_string().parse().unwrap(),
    );
    h.insert("x-rate-limit-reset", reset.to_string().parse().unwrap());
    response
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

async fn handle(
    State(state): State<Arc<Mutex<XState>>>,
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
    let authorization = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let json_body: Option<Value> = serde_json::from_slice(&body).ok();
    s.seen.push(Seen {
        method: method.clone(),
        path: uri.path().to_owned(),
        query: query.clone(),
        authorization: authorization.clone(),
        body: json_body.clone(),
    });
    let reset = now() + 900;
    if method == Method::POST && uri.path() == "/2/oauth2/token" {
        return token(&mut s, &body);
    }
    if authorization.as_deref() != Some(&format!("Bearer {}", s.token)) {
        return problem(401, "Unauthorized", "Unauthorized");
    }
    if let Some(failure) = s.failures.pop_front() {
        return match failure {
            Failure::Status(code) => problem(code, "Service Unavailable", "Service Unavailable"),
            Failure::RateLimited { reset_in_secs } => with_rate_headers(
                problem(429, "Too Many Requests", "Too Many Requests"),
                0,
                now() + reset_in_secs,
            ),
            Failure::LegacyRateLimit { reset_in_secs } => with_rate_headers(
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    axum::Json(json!({"errors": [{"code": 88, "message": "Rate limit exceeded"}]})),
                )
                    .into_response(),
                0,
                now() + reset_in_secs,
            ),
            Failure::Body(raw) => {
                (StatusCode::OK, [("content-type", "application/json")], raw).into_response()
            }
        };
    }
    let segments: Vec<&str> = uri.path().trim_start_matches('/').split('/').collect();
    let response = match (method.clone(), segments.as_slice()) {
        (Method::GET, ["2", "users", id, "mentions"]) => mentions(&mut s, id, &query),
        (Method::POST, ["2", "tweets"]) => create(&mut s, json_body),
        (Method::PUT, ["2", "tweets", id, "hidden"]) => {
            let Some(hidden) = json_body.as_ref().and_then(|b| b["hidden"].as_bool()) else {
                return problem(400, "Invalid Request", "hidden must be a boolean");
            };
            s.hidden.insert((*id).to_owned(), hidden);
            axum::Json(json!({"data": {"hidden": hidden}})).into_response()
        }
        (Method::DELETE, ["2", "tweets", id]) => {
            if s.posted.remove(*id).is_some() {
                s.deleted.push((*id).to_owned());
                axum::Json(json!({"data": {"deleted": true}})).into_response()
            } else {
                problem(
                    403,
                    "Forbidden",
                    "You are not allowed to delete a Tweet you did not create.",
                )
            }
        }
        _ => problem(404, "Not Found Error", "no such endpoint"),
    };
    with_rate_headers(response, 449, reset)
}

fn mentions(s: &mut XState, id: &str, query: &[(String, String)]) -> Response {
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    if id != s.user_id {
        return problem(404, "Not Found Error", "Could not find user");
    }
    if param("next_token").is_some() {
        return problem(
            400,
            "Invalid Request",
            "The query parameter [next_token] is not one of [id,since_id,until_id,max_results,pagination_token,...]",
        );
    }
    let max: usize = param("max_results")
        .and_then(|m| m.parse().ok())
        .unwrap_or(10);
    if !(5..=100).contains(&max) {
        return problem(
            400,
            "Invalid Request",
            &format!("The `max_results` query parameter value [{max}] is not between 5 and 100"),
        );
    }
    let since = param("since_id").map(|v| (v.len(), v));
    let offset = match param("pagination_token") {
        None => 0,
        Some(t) => match s.tokens.get(&t) {
            Some(o) => *o,
            None => {
                return problem(
                    400,
                    "Invalid Request",
                    "The `pagination_token` query parameter value is not valid",
                );
            }
        },
    };
    let mut all: Vec<Value> = s
        .mentions
        .iter()
        .filter(|t| since.as_ref().is_none_or(|since| id_key(t) > *since))
        .cloned()
        .collect();
    all.sort_by_key(|t| std::cmp::Reverse(id_key(t)));
    let page: Vec<Value> = all.iter().skip(offset).take(max).cloned().collect();
    let mut meta = json!({"result_count": page.len()});
    if let (Some(first), Some(last)) = (page.first(), page.last()) {
        meta["newest_id"] = first["id"].clone();
        meta["oldest_id"] = last["id"].clone();
    }
    if offset + page.len() < all.len() {
        let token = format!("7140dibdnow9c7btw4{}", s.tokens.len() + 1);
        s.tokens.insert(token.clone(), offset + page.len());
        meta["next_token"] = json!(token);
    }
    let mut body = json!({"meta": meta});
    if !page.is_empty() {
        let authors: HashSet<&str> = page
            .iter()
            .filter_map(|t| t["author_id"].as_str())
            .collect();
        let users: Vec<&Value> = s
            .users
            .iter()
            .filter(|u| u["id"].as_str().is_some_and(|i| authors.contains(i)))
            .collect();
        body["includes"] = json!({"users": users});
        body["data"] = json!(page);
        if !s.partial_errors.is_empty() {
            body["errors"] = json!(s.partial_errors);
        }
    }
    axum::Json(body).into_response()
}

fn create(s: &mut XState, body: Option<Value>) -> Response {
    let Some(body) = body else {
        return problem(400, "Invalid Request", "body is not JSON");
    };
    let Some(text) = body["text"].as_str() else {
        return problem(400, "Invalid Request", "text is required");
    };
    if let Some(parent) = body["reply"]["in_reply_to_tweet_id"].as_str()
        && s.refuse_replies_to.contains(parent)
    {
        return problem(
            403,
            "Forbidden",
            "Reply to this conversation is not allowed because you have not been mentioned or otherwise engaged by the author of the post you are replying to.",
        );
    }
    if s.posted.values().any(|p| p["text"] == text) {
        return problem(
            403,
            "Forbidden",
            "You are not allowed to create a Tweet with duplicate content.",
        );
    }
    s.next_id += 1;
    let id = s.next_id.to_string();
    s.posted.insert(id.clone(), body.clone());
    (
        StatusCode::CREATED,
        axum::Json(json!({"data": {"id": id, "text": text, "edit_history_tweet_ids": [id]}})),
    )
        .into_response()
}

/// `POST /2/oauth2/token` with `grant_type=refresh_token`: rotates both tokens.
fn token(s: &mut XState, body: &[u8]) -> Response {
    s.refresh_calls += 1;
    let form: HashMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    if form.get("grant_type").map(String::as_str) != Some("refresh_token")
        || !form.contains_key("client_id")
    {
        return (StatusCode::BAD_REQUEST, axum::Json(json!({"error": "invalid_request", "error_description": "Missing required parameter [grant_type]."}))).into_response();
    }
    let Some(old) = form
        .get("refresh_token")
        .filter(|t| s.refresh_tokens.contains(*t))
        .cloned()
    else {
        return (StatusCode::BAD_REQUEST, axum::Json(json!({"error": "invalid_request", "error_description": "Value passed for the token was invalid."}))).into_response();
    };
    s.refresh_tokens.remove(&old);
    let n = s.refresh_calls;
    let (access, refresh) = (format!("x-access-{n}"), format!("x-refresh-{n}"));
    s.token = access.clone();
    s.refresh_tokens.insert(refresh.clone());
    axum::Json(json!({"token_type": "bearer", "expires_in": 7200, "access_token": access, "scope": "tweet.read tweet.write users.read offline.access", "refresh_token": refresh})).into_response()
}
