//! A fake Meta Graph API on 127.0.0.1: Page posts, Instagram media, their comments with Graph
//! cursor paging, replies, hiding, deleting, token and `appsecret_proof` checks, and injected
//! failures (Meta's error codes with HTTP 400 and usage headers, 5xx, malformed bodies).

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State as AxumState};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use jiff::Timestamp;
use serde_json::{Value, json};

/// A post (Facebook) or media (Instagram) with its comments, oldest first.
#[derive(Clone, Debug)]
pub struct Post {
    pub owner: String,
    pub id: String,
    pub created: i64,
    pub permalink: String,
    pub comments: Vec<Value>,
}

/// One canned answer served instead of the real one.
#[derive(Clone, Debug)]
pub struct Injected {
    pub status: u16,
    pub body: String,
    pub headers: Vec<(&'static str, String)>,
}

/// A request the fake saw.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: HashMap<String, String>,
    pub form: HashMap<String, String>,
}

#[derive(Debug, Default)]
pub struct State {
    pub token: String,
    pub proof: Option<String>,
    pub page_id: String,
    pub ig_id: String,
    pub posts: Vec<Post>,
    pub injected: VecDeque<Injected>,
    pub seen: Vec<Seen>,
    pub replies: Vec<(String, String, String)>,
    pub moderated: Vec<(String, String, String)>,
    pub deleted: Vec<String>,
    pub cannot_hide: HashSet<String>,
    pub latency: Duration,
    next_id: u64,
}

pub struct Fake {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<State>>,
}

impl Fake {
    pub async fn start(token: &str, page_id: &str, ig_id: &str) -> Self {
        let state = Arc::new(Mutex::new(State {
            token: token.into(),
            page_id: page_id.into(),
            ig_id: ig_id.into(),
            ..State::default()
        }));
        let app = Router::new()
            .route("/{*path}", any(handle))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { addr, state }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn with<T>(&self, f: impl FnOnce(&mut State) -> T) -> T {
        f(&mut self.state.lock().unwrap())
    }

    pub fn inject(&self, status: u16, body: Value, headers: Vec<(&'static str, String)>) {
        self.with(|s| {
            s.injected.push_back(Injected {
                status,
                body: body.to_string(),
                headers,
            })
        });
    }

    pub fn inject_raw(&self, status: u16, body: &str) {
        self.with(|s| {
            s.injected.push_back(Injected {
                status,
                body: body.into(),
                headers: vec![],
            })
        });
    }

    /// Requests whose path ends with `suffix`.
    pub fn count(&self, method: &str, suffix: &str) -> usize {
        self.with(|s| {
            s.seen
                .iter()
                .filter(|r| r.method == method && r.path.ends_with(suffix))
                .count()
        })
    }
}

/// Meta's timestamp format: offset without a colon.
pub fn meta_time(unix: i64) -> String {
    Timestamp::from_second(unix)
        .unwrap()
        .strftime("%Y-%m-%dT%H:%M:%S%z")
        .to_string()
}

pub fn graph_error(code: i64, subcode: Option<i64>, message: &str) -> Value {
    let mut e = json!({"message": message, "type": "OAuthException", "code": code, "fbtrace_id": "AbCdEfGhIjK"});
    if let Some(s) = subcode {
        e["error_subcode"] = json!(s);
    }
    json!({ "error": e })
}

fn answer(status: u16, body: Value) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn parse_pairs(raw: &str) -> HashMap<String, String> {
    url::form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect()
}

/// Graph cursor paging over `items`: `after` is an opaque position, `next` only when more.
fn paginate(
    addr: &str,
    path: &str,
    items: &[Value],
    after: Option<&String>,
    limit: usize,
) -> Value {
    let start = after
        .and_then(|a| a.strip_prefix("QVFI"))
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(0)
        .min(items.len());
    let end = (start + limit.max(1)).min(items.len());
    let mut body = json!({ "data": items[start..end].to_vec() });
    if end > start {
        body["paging"] =
            json!({"cursors": {"before": format!("QVFI{start}"), "after": format!("QVFI{end}")}});
        if end < items.len() {
            body["paging"]["next"] = json!(format!(
                "http://{addr}{path}?after=QVFI{end}&limit={limit}&access_token=secret"
            ));
        }
    }
    body
}

async fn handle(
    AxumState(state): AxumState<Arc<Mutex<State>>>,
    method: Method,
    uri: Uri,
    Path(path): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let latency = state.lock().unwrap().latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let query = parse_pairs(query.as_deref().unwrap_or_default());
    let form = parse_pairs(&String::from_utf8_lossy(&body));
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let mut s = state.lock().unwrap();
    s.seen.push(Seen {
        method: method.to_string(),
        path: uri.path().to_owned(),
        query: query.clone(),
        form: form.clone(),
    });
    if let Some(inj) = s.injected.pop_front() {
        let mut r = (StatusCode::from_u16(inj.status).unwrap(), inj.body).into_response();
        for (k, v) in inj.headers {
            r.headers_mut().insert(k, v.parse().unwrap());
        }
        return r;
    }
    // Token as `Authorization: Bearer` or `access_token`, both documented.
    let bearer = headers
        .get("authorization")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::to_owned);
    let token = bearer
        .or_else(|| query.get("access_token").cloned())
        .or_else(|| form.get("access_token").cloned());
    if token.as_deref() != Some(s.token.as_str()) {
        return answer(
            400,
            graph_error(
                190,
                Some(463),
                "Error validating access token: Session has expired",
            ),
        );
    }
    if let Some(proof) = &s.proof
        && query.get("appsecret_proof") != Some(proof)
    {
        let message = "Invalid appsecret_proof provided in the API argument";
        return answer(400, graph_error(100, None, message));
    }
    let segments: Vec<&str> = path.split('/').collect();
    let version_ok = segments.first().is_some_and(|v| {
        v.strip_prefix('v').is_some_and(|n| {
            n.split('.').count() == 2
                && n.split('.')
                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
        })
    });
    if !version_ok {
        return answer(400, graph_error(2500, None, "Unknown path components"));
    }
    let limit: usize = query
        .get("limit")
        .and_then(|l| l.parse().ok())
        .unwrap_or(25);
    let full_path = format!("/{path}");
    let not_found = || {
        answer(
            400,
            graph_error(
                100,
                Some(33),
                "Unsupported get request. Object does not exist",
            ),
        )
    };
    match (method.as_str(), &segments[1..]) {
        ("GET", [id, "published_posts"]) if *id == s.page_id => {
            let since: i64 = query.get("since").and_then(|v| v.parse().ok()).unwrap_or(0);
            let mut posts: Vec<&Post> = s
                .posts
                .iter()
                .filter(|p| p.owner == s.page_id && p.created >= since)
                .collect();
            posts.sort_by_key(|p| -p.created);
            let items: Vec<Value> = posts
                .iter()
                .map(|p| json!({"id": p.id, "created_time": meta_time(p.created), "permalink_url": p.permalink}))
                .collect();
            answer(
                200,
                paginate(&host, &full_path, &items, query.get("after"), limit),
            )
        }
        ("GET", [id, "media"]) if *id == s.ig_id => {
            let mut media: Vec<&Post> = s.posts.iter().filter(|p| p.owner == s.ig_id).collect();
            media.sort_by_key(|p| -p.created);
            let items: Vec<Value> = media
                .iter()
                .map(|p| json!({"id": p.id, "timestamp": meta_time(p.created), "permalink": p.permalink, "media_type": "IMAGE"}))
                .collect();
            answer(
                200,
                paginate(&host, &full_path, &items, query.get("after"), limit),
            )
        }
        ("GET", [id, "comments"]) => {
            let Some(post) = s.posts.iter().find(|p| p.id == *id) else {
                return not_found();
            };
            let mut items = post.comments.clone();
            if query.get("order").map(String::as_str) == Some("reverse_chronological") {
                items.reverse();
            }
            answer(
                200,
                paginate(&host, &full_path, &items, query.get("after"), limit),
            )
        }
        ("GET", [id]) => {
            let exists = s
                .posts
                .iter()
                .flat_map(|p| &p.comments)
                .any(|c| c["id"] == *id);
            if !exists {
                return not_found();
            }
            answer(
                200,
                json!({"id": id, "can_hide": !s.cannot_hide.contains(*id)}),
            )
        }
        ("POST", [id, edge @ ("comments" | "replies")]) => {
            let Some(message) = form
                .get("message")
                .or_else(|| query.get("message"))
                .cloned()
            else {
                return answer(
                    400,
                    graph_error(100, None, "(#100) The parameter message is required"),
                );
            };
            s.next_id += 1;
            let new_id = format!("{id}_r{}", s.next_id);
            s.replies.push((id.to_string(), edge.to_string(), message));
            answer(200, json!({ "id": new_id }))
        }
        ("POST", [id]) => {
            let field = ["is_hidden", "hide"]
                .into_iter()
                .find(|f| form.contains_key(*f) || query.contains_key(*f));
            let Some(field) = field else {
                return answer(400, graph_error(100, None, "(#100) nothing to update"));
            };
            let value = form
                .get(field)
                .or_else(|| query.get(field))
                .cloned()
                .unwrap_or_default();
            if value == "true" && s.cannot_hide.contains(*id) {
                return answer(
                    400,
                    graph_error(100, None, "(#100) This comment cannot be hidden"),
                );
            }
            s.moderated.push((id.to_string(), field.to_owned(), value));
            answer(200, json!({"success": true}))
        }
        ("DELETE", [id]) => {
            s.deleted.push(id.to_string());
            answer(200, json!({"success": true}))
        }
        _ => answer(400, graph_error(100, None, "Unsupported request")),
    }
}
