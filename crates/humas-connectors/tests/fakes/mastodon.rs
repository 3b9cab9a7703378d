//! A local fake of the Mastodon endpoints the connector uses (shared brief section 6):
//! `GET /api/v1/notifications` with `types[]`, `limit`, `max_id`/`since_id`/`min_id` and `Link`
//! headers, `GET /api/v1/statuses/:id`, `POST /api/v1/statuses` honouring `Idempotency-Key`
//! (a replayed key returns the first status) and refusing media still processing,
//! `DELETE /api/v1/statuses/:id`, `POST /api/v2/media` (multipart; 200, or 202 then 206 on
//! `GET /api/v1/media/:id` a set number of times, then 200), `GET /api/v1/accounts/:id/statuses`,
//! bearer checks, `X-RateLimit-*` headers with an ISO 8601 reset, scripted failures (in order,
//! or on one endpoint) and lost answers (the request is carried out, the answer comes too late).

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

/// One part of a multipart request.
#[derive(Clone, Debug)]
pub struct SeenPart {
    pub name: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

impl SeenPart {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub authorization: Option<String>,
    pub idempotency_key: Option<String>,
    pub content_type: Option<String>,
    pub body: Option<Value>,
    /// Multipart parts, in order.
    pub parts: Vec<SeenPart>,
}

impl Seen {
    pub fn part(&self, name: &str) -> Option<&SeenPart> {
        self.parts.iter().find(|p| p.name == name)
    }

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
    /// A failure served once, on the first request to `"METHOD /path"` (exact path).
    pub fail_on: HashMap<String, Failure>,
    pub seen: Vec<Seen>,
    /// Delay before every answer.
    pub latency: std::time::Duration,
    /// Uploaded media attachments, by id.
    pub media: BTreeMap<String, Value>,
    /// How many times `GET /api/v1/media/:id` answers 206 before 200 for each new upload;
    /// 0 answers the upload itself with 200.
    pub media_processing_polls: u32,
    /// 206 answers left per medium.
    pub media_polls_left: HashMap<String, u32>,
    /// The next request to `"METHOD /path"` is carried out but answered only after
    /// `lost_answer_delay` (the client has given up by then).
    pub lose_answer_on: Option<String>,
    pub lost_answer_delay: std::time::Duration,
    /// `X-RateLimit-Remaining` on normal answers (299 unless set).
    pub rate_remaining: u32,
    /// A failure served for the request with this number (1 = the first request seen).
    pub fail_request: Option<(usize, Failure)>,
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
            fail_on: HashMap::new(),
            seen: Vec::new(),
            latency: std::time::Duration::ZERO,
            media: BTreeMap::new(),
            media_processing_polls: 0,
            media_polls_left: HashMap::new(),
            lose_answer_on: None,
            lost_answer_delay: std::time::Duration::from_secs(5),
            rate_remaining: 299,
            fail_request: None,
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

    /// Requests received for `method` on exactly `path`.
    pub fn calls(&self, method: &str, path: &str) -> usize {
        self.with(|s| {
            s.seen
                .iter()
                .filter(|x| x.method == method && x.path == path)
                .count()
        })
    }

    /// Requests received for `method` on `path`, in order.
    pub fn requests(&self, method: &str, path: &str) -> Vec<Seen> {
        self.with(|s| {
            s.seen
                .iter()
                .filter(|x| x.method == method && x.path == path)
                .cloned()
                .collect()
        })
    }

    /// Adds a status of ours (as if posted earlier) at `created_at` with HTML `content`.
    pub fn add_own_status(&self, id: &str, created_at: &str, content: &str) {
        self.with(|s| {
            s.statuses
                .insert(id.to_owned(), own_status(id, created_at, content, &[]));
            s.created.push(id.to_owned());
        });
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

    /// Adds a `mention` notification `nid` for status `sid`, both made at `created_at`
    /// (RFC 3339).
    pub fn add_mention_at(&self, nid: &str, sid: &str, created_at: &str) {
        self.add_mention(
            nid,
            sid,
            "warga",
            &format!("<p>lapor {nid}</p>"),
            None,
            "public",
        );
        self.with(|s| {
            let n = s.notifications.last_mut().unwrap();
            n["created_at"] = json!(created_at);
            n["status"]["created_at"] = json!(created_at);
            s.statuses.get_mut(sid).unwrap()["created_at"] = json!(created_at);
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
    let parts = multipart_parts(&headers, body.clone()).await;
    let (response, lost) = {
        let mut s = state.lock().unwrap();
        let key = format!("{method} {}", uri.path());
        let response = respond(&mut s, method, &uri, &headers, &body, parts);
        let lost = s
            .lose_answer_on
            .take_if(|k| *k == key)
            .map(|_| s.lost_answer_delay);
        (response, lost)
    };
    if let Some(delay) = lost {
        tokio::time::sleep(delay).await;
    }
    response
}

/// The parts of a `multipart/form-data` body; empty for any other body.
async fn multipart_parts(headers: &HeaderMap, body: Bytes) -> Vec<SeenPart> {
    use axum::extract::FromRequest;
    let is_multipart = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_multipart {
        return Vec::new();
    }
    let mut request = axum::http::Request::new(axum::body::Body::from(body));
    *request.headers_mut() = headers.clone();
    let Ok(mut multipart) = axum::extract::Multipart::from_request(request, &()).await else {
        return Vec::new();
    };
    let mut parts = Vec::new();
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(str::to_owned);
        let bytes = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        parts.push(SeenPart {
            name,
            file_name,
            content_type,
            bytes,
        });
    }
    parts
}

fn respond(
    s: &mut MastodonState,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
    parts: Vec<SeenPart>,
) -> Response {
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
    let json_body: Option<Value> = serde_json::from_slice(body).ok();
    s.seen.push(Seen {
        method: method.clone(),
        path: uri.path().to_owned(),
        query: query.clone(),
        authorization: authorization.clone(),
        idempotency_key: idempotency_key.clone(),
        content_type: header("content-type"),
        body: json_body.clone(),
        parts: parts.clone(),
    });
    if authorization.as_deref() != Some(&format!("Bearer {}", s.token)) {
        return error(401, "The access token is invalid");
    }
    let numbered = match s.fail_request.take() {
        Some((n, failure)) if n == s.seen.len() => Some(failure),
        other => {
            s.fail_request = other;
            None
        }
    };
    let targeted = numbered.or_else(|| s.fail_on.remove(&format!("{method} {}", uri.path())));
    if let Some(failure) = targeted.or_else(|| s.failures.pop_front()) {
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
        (Method::GET, ["api", "v1", "notifications"]) => notifications(s, &query, &base),
        (Method::POST, ["api", "v2", "media"]) => upload(s, &parts),
        (Method::GET, ["api", "v1", "media", id]) => media_state(s, id),
        (Method::GET, ["api", "v1", "accounts", _, "statuses"]) => own_statuses(s, &query),
        (Method::GET, ["api", "v1", "statuses", id]) => match s.statuses.get(*id) {
            Some(status) => axum::Json(status.clone()).into_response(),
            None => error(404, "Record not found"),
        },
        (Method::POST, ["api", "v1", "statuses"]) => create(s, json_body, idempotency_key),
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
    with_rate_headers(response, s.rate_remaining, 300)
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
    let media_ids: Vec<String> = body["media_ids"]
        .as_array()
        .map(|ids| {
            ids.iter()
                .map(|i| i.as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default();
    let mut attachments = Vec::new();
    for id in &media_ids {
        let Some(attachment) = s.media.get(id) else {
            return error(422, "Validation failed: media_ids refer to unknown media");
        };
        if attachment["url"].is_null() {
            return error(
                422,
                "Cannot attach files that have not finished processing. Try again in a moment!",
            );
        }
        attachments.push(attachment.clone());
    }
    s.next_id += 1;
    let id = s.next_id.to_string();
    let now = jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    let mut status = own_status(&id, &now, &status_html(text), &attachments);
    status["in_reply_to_id"] = body["in_reply_to_id"].clone();
    status["visibility"] = json!(body["visibility"].as_str().unwrap_or("public"));
    status["language"] = body["language"].clone();
    s.statuses.insert(id.clone(), status.clone());
    s.created.push(id.clone());
    if let Some(k) = idempotency_key {
        s.idempotency.insert(k, id);
    }
    axum::Json(status).into_response()
}

/// Mastodon's rendering of plain status text: escaped, paragraphs for blank lines, `<br>`
/// for single line breaks.
pub fn status_html(text: &str) -> String {
    let escaped = text
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;");
    escaped
        .split("\n\n")
        .map(|p| format!("<p>{}</p>", p.replace('\n', "<br />")))
        .collect()
}

fn own_status(id: &str, created_at: &str, content: &str, media: &[Value]) -> Value {
    json!({
        "id": id, "created_at": created_at, "in_reply_to_id": null,
        "visibility": "public", "language": "id",
        "uri": format!("https://social.example/users/humas/statuses/{id}"),
        "url": format!("https://social.example/@humas/{id}"),
        "content": content, "reblog": null, "media_attachments": media,
        "replies_count": 0, "reblogs_count": 0, "favourites_count": 0,
        "account": {"id": "14715", "username": "humas", "acct": "humas"},
    })
}

fn upload(s: &mut MastodonState, parts: &[SeenPart]) -> Response {
    let Some(file) = parts
        .iter()
        .find(|p| p.name == "file" && p.file_name.is_some())
    else {
        return error(422, "Validation failed: File can't be blank");
    };
    let kind = match file.content_type.as_deref().unwrap_or_default() {
        t if t.starts_with("image/") => "image",
        t if t.starts_with("video/") => "video",
        _ => return error(422, "Validation failed: File content type is invalid"),
    };
    let description = parts
        .iter()
        .find(|p| p.name == "description")
        .map(SeenPart::text);
    s.next_id += 1;
    let id = s.next_id.to_string();
    let url = format!(
        "https://files.social.example/media_attachments/{id}/original/{}",
        file.file_name.as_deref().unwrap_or("file")
    );
    let processing = s.media_processing_polls > 0;
    let attachment = json!({
        "id": id, "type": kind, "url": if processing { Value::Null } else { json!(url) },
        "preview_url": url, "remote_url": null, "description": description,
        "blurhash": "UFBWY:8_0Jxv4mx]t8t64.%M-:IUWGWAt6M}",
        "meta": {"size_bytes": file.bytes.len()},
    });
    if processing {
        s.media_polls_left
            .insert(id.clone(), s.media_processing_polls);
    }
    s.media.insert(id, attachment.clone());
    let status = if processing {
        StatusCode::ACCEPTED
    } else {
        StatusCode::OK
    };
    (status, axum::Json(attachment)).into_response()
}

fn media_state(s: &mut MastodonState, id: &str) -> Response {
    let Some(mut attachment) = s.media.get(id).cloned() else {
        return error(404, "Record not found");
    };
    let left = s.media_polls_left.get(id).copied().unwrap_or(0);
    if left > 0 {
        s.media_polls_left.insert(id.to_owned(), left - 1);
        return (StatusCode::PARTIAL_CONTENT, axum::Json(attachment)).into_response();
    }
    // Processing done: the file now has its URL (the preview's, in this fake).
    attachment["url"] = attachment["preview_url"].clone();
    s.media.insert(id.to_owned(), attachment.clone());
    axum::Json(attachment).into_response()
}

/// Our statuses, newest first; `limit` (default 20, max 40) and `max_id`.
fn own_statuses(s: &MastodonState, query: &[(String, String)]) -> Response {
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let limit: usize = param("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(20)
        .clamp(1, 40);
    let mut ours: Vec<&Value> = s
        .created
        .iter()
        .filter_map(|id| s.statuses.get(id))
        .filter(|st| param("max_id").is_none_or(|m| id_of(st) < key(&m)))
        .collect();
    ours.sort_by_key(|st| std::cmp::Reverse(id_of(st)));
    let page: Vec<&Value> = ours.into_iter().take(limit).collect();
    axum::Json(json!(page)).into_response()
}
