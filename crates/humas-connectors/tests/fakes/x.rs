//! A local fake of the X API v2 endpoints the connector uses (shared brief section 3):
//! `GET /2/users/:id/mentions` with `since_id` and `pagination_token` paging backwards through a
//! newest-first timeline (and a 400 for the `next_token` parameter, which only search accepts),
//! `POST /2/tweets`, `PUT /2/tweets/:id/hidden`, `DELETE /2/tweets/:id`, bearer checks, the
//! `x-rate-limit-*` headers on every answer, and scripted failures.
//!
//! Publishing (sections 3.3, 3.5): the chunked `POST /2/media/upload` (`INIT`, `APPEND`,
//! `FINALIZE`, `GET … command=STATUS` with a processing state machine), `POST /2/media/metadata`
//! for alt text, posts with `media.media_ids` (only finished uploads), our own timeline
//! `GET /2/users/:id/tweets` with `start_time` (links rewritten to t.co and `&` escaped, as X
//! does), and `GET /2/tweets/:id` with `public_metrics`.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, State};
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
    /// 401 as for an expired access token (the refresh path).
    Unauthorized,
}

/// One part of a multipart body.
#[derive(Clone, Debug)]
pub struct FilePart {
    pub name: String,
    pub file_name: Option<String>,
    pub bytes: Vec<u8>,
}

/// A chunked upload.
#[derive(Clone, Debug)]
pub struct Upload {
    pub media_type: String,
    pub total_bytes: usize,
    pub category: String,
    /// Segments by index.
    pub segments: BTreeMap<u32, Vec<u8>>,
    pub finalized: bool,
    /// `STATUS` checks answered.
    pub checks: u32,
    pub alt_text: Option<String>,
}

/// One request as the fake saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub authorization: Option<String>,
    pub body: Option<Value>,
    /// Multipart parts (media upload).
    pub parts: Vec<FilePart>,
}

impl Seen {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A text field of a multipart body.
    pub fn field(&self, name: &str) -> Option<String> {
        self.parts
            .iter()
            .find(|p| p.name == name && p.file_name.is_none())
            .map(|p| String::from_utf8_lossy(&p.bytes).into_owned())
    }

    /// The upload command of a `POST /2/media/upload` (or the `command` query parameter).
    pub fn command(&self) -> Option<String> {
        self.field("command")
            .or_else(|| self.param("command").map(str::to_owned))
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
    /// Failures for the first request whose `"METHOD /path COMMAND"` starts with the key,
    /// e.g. `"POST /2/media/upload APPEND"` or `"POST /2/tweets"`.
    pub failures_for: Vec<(String, Failure)>,
    /// Uploads by media id.
    pub uploads: BTreeMap<String, Upload>,
    /// `STATUS` checks that answer `in_progress` before the outcome.
    pub processing_checks: u32,
    /// Whether processing ends in `failed`.
    pub processing_fails: bool,
    /// `check_after_secs` in processing answers.
    pub check_after_secs: u64,
    /// When each post we created was made (Unix seconds).
    pub created_at: HashMap<String, i64>,
    /// `public_metrics` by post id.
    pub metrics: HashMap<String, Value>,
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
            failures_for: Vec::new(),
            uploads: BTreeMap::new(),
            processing_checks: 0,
            processing_fails: false,
            check_after_secs: 0,
            created_at: HashMap::new(),
            metrics: HashMap::new(),
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

    /// Requests to `path` with `method`, in order.
    pub fn requests(&self, method: Method, path: &str) -> Vec<Seen> {
        self.with(|s| {
            s.seen
                .iter()
                .filter(|r| r.method == method && r.path == path)
                .cloned()
                .collect()
        })
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

/// The parts of a multipart body, read with axum's own extractor.
async fn multipart_parts(headers: &HeaderMap, body: Bytes) -> Vec<FilePart> {
    let mut request = axum::http::Request::new(axum::body::Body::from(body));
    *request.headers_mut() = headers.clone();
    let Ok(mut multipart) = Multipart::from_request(request, &()).await else {
        return Vec::new();
    };
    let mut parts = Vec::new();
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let bytes = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        parts.push(FilePart {
            name,
            file_name,
            bytes,
        });
    }
    parts
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
    let multipart = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let parts = if multipart {
        multipart_parts(&headers, body.clone()).await
    } else {
        Vec::new()
    };
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
        parts: parts.clone(),
    });
    let reset = now() + 900;
    if method == Method::POST && uri.path() == "/2/oauth2/token" {
        return token(&mut s, &body);
    }
    if authorization.as_deref() != Some(&format!("Bearer {}", s.token)) {
        return problem(401, "Unauthorized", "Unauthorized");
    }
    let seen = s.seen.last().cloned().unwrap();
    let key = format!(
        "{method} {} {}",
        uri.path(),
        seen.command().unwrap_or_default()
    );
    let targeted = s
        .failures_for
        .iter()
        .position(|(k, _)| key.starts_with(k.as_str()));
    let failure = match targeted {
        Some(i) => Some(s.failures_for.remove(i).1),
        None => s.failures.pop_front(),
    };
    if let Some(failure) = failure {
        return match failure {
            Failure::Unauthorized => problem(401, "Unauthorized", "Unauthorized"),
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
        (Method::POST, ["2", "media", "upload"]) => upload(&mut s, &seen),
        (Method::GET, ["2", "media", "upload"]) => status(&mut s, &seen),
        (Method::POST, ["2", "media", "metadata"]) => metadata(&mut s, json_body),
        (Method::GET, ["2", "users", id, "tweets"]) => own_timeline(&s, id, &seen),
        (Method::GET, ["2", "tweets", id]) => metrics(&s, id),
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
    let media_ids: Vec<String> = body["media"]["media_ids"]
        .as_array()
        .map(|ids| {
            ids.iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    for id in &media_ids {
        let ready = s.uploads.get(id).is_some_and(|u| {
            u.finalized && (!needs_processing(u) || u.checks >= s.processing_checks)
        });
        if !ready {
            return problem(400, "Invalid Request", "Your media IDs are invalid.");
        }
    }
    let text = match body["text"].as_str() {
        Some(text) => text,
        None if !media_ids.is_empty() => "",
        None => return problem(400, "Invalid Request", "text is required"),
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
    s.created_at.insert(id.clone(), now());
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

fn needs_processing(upload: &Upload) -> bool {
    upload.category != "tweet_image"
}

fn processing_info(s: &XState, upload: &Upload) -> Option<Value> {
    if !needs_processing(upload) {
        return None;
    }
    if upload.checks < s.processing_checks {
        let state = if upload.checks == 0 {
            "pending"
        } else {
            "in_progress"
        };
        return Some(json!({"state": state, "check_after_secs": s.check_after_secs}));
    }
    if s.processing_fails {
        return Some(json!({"state": "failed", "progress_percent": 100,
            "error": {"code": 1, "name": "InvalidMedia", "message": "Unsupported video format"}}));
    }
    Some(json!({"state": "succeeded", "progress_percent": 100}))
}

/// `POST /2/media/upload` with a multipart `command`.
fn upload(s: &mut XState, seen: &Seen) -> Response {
    let Some(command) = seen.field("command") else {
        return problem(400, "Invalid Request", "command is required");
    };
    if command == "INIT" {
        let (Some(media_type), Some(total), Some(category)) = (
            seen.field("media_type"),
            seen.field("total_bytes")
                .and_then(|t| t.parse::<usize>().ok()),
            seen.field("media_category"),
        ) else {
            return problem(
                400,
                "Invalid Request",
                "INIT needs media_type, total_bytes and media_category",
            );
        };
        if !["tweet_image", "tweet_gif", "tweet_video"].contains(&category.as_str()) {
            return problem(400, "Invalid Request", "unknown media_category");
        }
        s.next_id += 1;
        let id = (1_880_028_106_020_515_840_u64 + s.next_id).to_string();
        s.uploads.insert(
            id.clone(),
            Upload {
                media_type,
                total_bytes: total,
                category,
                segments: BTreeMap::new(),
                finalized: false,
                checks: 0,
                alt_text: None,
            },
        );
        return axum::Json(json!({"data": {"id": id, "media_key": format!("3_{id}"), "expires_after_secs": 86400}}))
            .into_response();
    }
    let Some(id) = seen.field("media_id") else {
        return problem(400, "Invalid Request", "media_id is required");
    };
    let Some(upload) = s.uploads.get_mut(&id) else {
        return problem(400, "Invalid Request", "media_id is not a known upload");
    };
    match command.as_str() {
        "APPEND" => {
            let index = seen
                .field("segment_index")
                .and_then(|i| i.parse::<u32>().ok());
            let media = seen
                .parts
                .iter()
                .find(|p| p.name == "media" && p.file_name.is_some());
            let (Some(index), Some(media)) = (index, media) else {
                return problem(
                    400,
                    "Invalid Request",
                    "APPEND needs segment_index and a media part",
                );
            };
            upload.segments.insert(index, media.bytes.clone());
            StatusCode::NO_CONTENT.into_response()
        }
        "FINALIZE" => {
            let received: usize = upload.segments.values().map(Vec::len).sum();
            let contiguous = upload
                .segments
                .keys()
                .enumerate()
                .all(|(i, k)| *k as usize == i);
            if received != upload.total_bytes || !contiguous {
                return problem(
                    400,
                    "Invalid Request",
                    "segments do not add up to total_bytes",
                );
            }
            upload.finalized = true;
            let upload = upload.clone();
            let mut data = json!({"id": id, "media_key": format!("3_{id}"), "size": upload.total_bytes, "expires_after_secs": 86400});
            if let Some(info) = processing_info(s, &upload) {
                data["processing_info"] = info;
            }
            axum::Json(json!({ "data": data })).into_response()
        }
        _ => problem(400, "Invalid Request", "unknown command"),
    }
}

/// `GET /2/media/upload?command=STATUS&media_id=…`.
fn status(s: &mut XState, seen: &Seen) -> Response {
    if seen.param("command") != Some("STATUS") {
        return problem(400, "Invalid Request", "only STATUS is a GET");
    }
    let id = seen.param("media_id").unwrap_or_default().to_owned();
    let Some(upload) = s.uploads.get_mut(&id) else {
        return problem(400, "Invalid Request", "media_id is not a known upload");
    };
    upload.checks += 1;
    let upload = upload.clone();
    let mut data = json!({"id": id, "media_key": format!("3_{id}")});
    if let Some(info) = processing_info(s, &upload) {
        data["processing_info"] = info;
    }
    axum::Json(json!({ "data": data })).into_response()
}

/// `POST /2/media/metadata` with alt text.
fn metadata(s: &mut XState, body: Option<Value>) -> Response {
    let body = body.unwrap_or_default();
    let (Some(id), Some(text)) = (
        body["id"].as_str(),
        body["metadata"]["alt_text"]["text"].as_str(),
    ) else {
        return problem(
            400,
            "Invalid Request",
            "id and metadata.alt_text.text are required",
        );
    };
    if text.chars().count() > 1000 {
        return problem(400, "Invalid Request", "alt text is longer than 1000");
    }
    let Some(upload) = s.uploads.get_mut(id) else {
        return problem(400, "Invalid Request", "unknown media id");
    };
    upload.alt_text = Some(text.to_owned());
    axum::Json(json!({"data": {"id": id, "associated_metadata": {"alt_text": {"text": text}}}}))
        .into_response()
}

/// What X shows as a post's text: links (and attached media) as t.co, `&<>` escaped.
fn as_x_shows(text: &str, with_media: bool) -> String {
    let mut words: Vec<String> = text
        .split(' ')
        .enumerate()
        .map(|(i, w)| {
            if w.starts_with("http://") || w.starts_with("https://") {
                format!("https://t.co/l{i}")
            } else {
                w.replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
            }
        })
        .collect();
    if with_media {
        words.push("https://t.co/media".to_owned());
    }
    words.join(" ")
}

/// `GET /2/users/:id/tweets` with `start_time` and `max_results` (5–100).
fn own_timeline(s: &XState, id: &str, seen: &Seen) -> Response {
    if id != s.user_id {
        return problem(404, "Not Found Error", "Could not find user");
    }
    let max: usize = seen
        .param("max_results")
        .and_then(|m| m.parse().ok())
        .unwrap_or(10);
    if !(5..=100).contains(&max) {
        return problem(
            400,
            "Invalid Request",
            "max_results must be between 5 and 100",
        );
    }
    let start = match seen.param("start_time") {
        None => 0,
        Some(t) => match t.parse::<jiff::Timestamp>() {
            Ok(t) => t.as_second(),
            Err(_) => return problem(400, "Invalid Request", "start_time is not RFC 3339"),
        },
    };
    let mut tweets: Vec<Value> = s
        .posted
        .iter()
        .filter(|(id, _)| s.created_at.get(*id).is_some_and(|c| *c >= start))
        .map(|(id, body)| {
            let created = jiff::Timestamp::from_second(s.created_at[id]).unwrap();
            let text = as_x_shows(
                body["text"].as_str().unwrap_or_default(),
                body.get("media").is_some(),
            );
            json!({"id": id, "text": text, "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.000Z").to_string(), "edit_history_tweet_ids": [id]})
        })
        .collect();
    tweets.sort_by_key(|t| std::cmp::Reverse(id_key(t)));
    tweets.truncate(max);
    let mut body = json!({"meta": {"result_count": tweets.len()}});
    if !tweets.is_empty() {
        body["data"] = json!(tweets);
    }
    axum::Json(body).into_response()
}

/// `GET /2/tweets/:id?tweet.fields=public_metrics`; an unknown id is a 200 with `errors`.
fn metrics(s: &XState, id: &str) -> Response {
    if !s.posted.contains_key(id) && !s.metrics.contains_key(id) {
        return axum::Json(json!({"errors": [{"value": id, "detail": format!("Could not find tweet with id: [{id}]."),
            "title": "Not Found Error", "resource_type": "tweet", "parameter": "id", "resource_id": id,
            "type": "https://api.twitter.com/2/problems/resource-not-found"}]}))
            .into_response();
    }
    let metrics = s.metrics.get(id).cloned().unwrap_or_else(|| {
        json!({"retweet_count": 0, "reply_count": 0, "like_count": 0, "quote_count": 0, "bookmark_count": 0, "impression_count": 0})
    });
    axum::Json(json!({"data": {"id": id, "text": "…", "edit_history_tweet_ids": [id], "public_metrics": metrics}}))
        .into_response()
}
