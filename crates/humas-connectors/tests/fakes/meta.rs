//! A fake Meta Graph API on 127.0.0.1: Page posts, Instagram media, their comments with Graph
//! cursor paging, replies, hiding, deleting, token and `appsecret_proof` checks, and injected
//! failures (Meta's error codes with HTTP 400 and usage headers, 5xx, malformed bodies).
//!
//! Replies as Graph serves them: a Facebook comment with a `parent` is listed only with
//! `filter=stream` (the default `toplevel` leaves replies out); an Instagram comment keeps all
//! its replies in `replies.data`, and the comments edge nests only the first
//! `replies.limit(N)` of them (25 without a limit; none when `fields` does not ask for
//! `replies`) with cursor paging whose `next` points at `/{comment-id}/replies`, which pages
//! the rest.
//!
//! Publishing (sections 2.2, 2.5, 2.6): Page feed, photo (multipart `source`, unpublished
//! photos for `attached_media`) and video posts; Instagram containers with their state machine
//! (`IN_PROGRESS` for a set number of checks, then `FINISHED`, `ERROR` or `EXPIRED`), the
//! publishing quota, `media_publish` (counted; "media not ready" before `FINISHED`),
//! permalinks, the posts and media listings reconciliation reads, and engagement counts.

#![allow(dead_code)]

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Path, RawQuery, State as AxumState};
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
    /// Form fields, including the text fields of a multipart body.
    pub form: HashMap<String, String>,
    /// The parts of a multipart body, in order.
    pub parts: Vec<FilePart>,
}

/// One part of a multipart body.
#[derive(Clone, Debug)]
pub struct FilePart {
    pub name: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// A post or media made through the publishing endpoints.
#[derive(Clone, Debug)]
pub struct Made {
    pub owner: String,
    pub id: String,
    /// `status`, `photo`, `album`, `video` or `instagram`.
    pub kind: &'static str,
    /// Message, description or caption.
    pub text: String,
    pub created: i64,
    /// Photo ids attached to an album post; the container for Instagram.
    pub attached: Vec<String>,
}

/// An Instagram media container.
#[derive(Clone, Debug)]
pub struct Container {
    pub form: HashMap<String, String>,
    /// Status checks answered so far.
    pub checks: u32,
    /// `IN_PROGRESS` until `checks` reaches this.
    pub ready_after: u32,
    /// What it becomes then: `FINISHED`, `ERROR` or `EXPIRED`.
    pub outcome: String,
    pub published: bool,
}

impl Container {
    fn status_code(&self) -> &str {
        if self.published {
            "PUBLISHED"
        } else if self.checks < self.ready_after {
            "IN_PROGRESS"
        } else {
            &self.outcome
        }
    }
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
    /// Canned answers for the first request of `METHOD` whose path ends with the suffix
    /// (key `"METHOD /suffix"`).
    pub injected_for: Vec<(String, Injected)>,
    /// Posts and media made through the publishing endpoints.
    pub made: Vec<Made>,
    /// Photos uploaded with `published=false`, waiting to be attached.
    pub unpublished_photos: HashSet<String>,
    pub containers: HashMap<String, Container>,
    /// Checks a new video or carousel container answers `IN_PROGRESS` before its outcome
    /// (image containers are ready at once).
    pub container_ready_after: u32,
    /// What new containers become: `FINISHED`, `ERROR` or `EXPIRED`.
    pub container_outcome: String,
    /// Containers with a video become this instead (when set).
    pub video_container_outcome: Option<String>,
    pub quota_total: u64,
    pub quota_usage: u64,
    pub media_publish_calls: u32,
    /// `GET /{media-id}?fields=permalink` answers 500.
    pub permalink_fails: bool,
    /// Engagement answers by object id (the whole JSON answer).
    pub engagement: HashMap<String, Value>,
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
            container_outcome: "FINISHED".into(),
            quota_total: 50,
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

    /// Serves `body` with `status` to the first request matching `key` = `"METHOD /suffix"`
    /// (e.g. `"POST /media_publish"`: method and the end of the path), whatever comes before.
    pub fn inject_for(&self, key: &str, status: u16, body: Value) {
        self.with(|s| {
            s.injected_for.push((
                key.to_owned(),
                Injected {
                    status,
                    body: body.to_string(),
                    headers: vec![],
                },
            ))
        });
    }

    /// The requests whose path ends with `suffix`, in order.
    pub fn requests(&self, method: &str, suffix: &str) -> Vec<Seen> {
        self.with(|s| {
            s.seen
                .iter()
                .filter(|r| r.method == method && r.path.ends_with(suffix))
                .cloned()
                .collect()
        })
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
        let content_type = field.content_type().map(str::to_owned);
        let bytes = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        parts.push(FilePart {
            name,
            file_name,
            content_type,
            bytes,
        });
    }
    parts
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
    let multipart = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let (form, parts) = if multipart {
        let parts = multipart_parts(&headers, body).await;
        let fields = parts
            .iter()
            .filter(|p| p.file_name.is_none())
            .map(|p| {
                (
                    p.name.clone(),
                    String::from_utf8_lossy(&p.bytes).into_owned(),
                )
            })
            .collect();
        (fields, parts)
    } else {
        (parse_pairs(&String::from_utf8_lossy(&body)), Vec::new())
    };
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
        parts: parts.clone(),
    });
    let targeted = s.injected_for.iter().position(|(k, _)| {
        k.split_once(' ')
            .is_some_and(|(m, suffix)| m == method.as_str() && uri.path().ends_with(suffix))
    });
    let injected = match targeted {
        Some(i) => Some(s.injected_for.remove(i).1),
        None => s.injected.pop_front(),
    };
    if let Some(inj) = injected {
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
    if let Some(response) = publishing(
        &mut s,
        method.as_str(),
        &segments[1..],
        &query,
        &form,
        &parts,
    ) {
        return response;
    }
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
            let mut media: Vec<(i64, Value)> = s
                .posts
                .iter()
                .filter(|p| p.owner == s.ig_id)
                .map(|p| (p.created, json!({"id": p.id, "timestamp": meta_time(p.created), "permalink": p.permalink, "media_type": "IMAGE"})))
                .collect();
            media.extend(s.made.iter().filter(|m| m.owner == s.ig_id).map(|m| {
                (m.created, json!({"id": m.id, "caption": m.text, "timestamp": meta_time(m.created), "permalink": instagram_permalink(&m.id), "media_type": "IMAGE"}))
            }));
            media.sort_by_key(|(created, _)| -created);
            let items: Vec<Value> = media.into_iter().map(|(_, v)| v).collect();
            answer(
                200,
                paginate(&host, &full_path, &items, query.get("after"), limit),
            )
        }
        ("GET", [id, "comments"]) => {
            let Some(post) = s.posts.iter().find(|p| p.id == *id) else {
                return not_found();
            };
            let stream = query.get("filter").map(String::as_str) == Some("stream");
            let fields = query.get("fields").map_or("", String::as_str);
            let version = segments[0];
            let mut items: Vec<Value> = post
                .comments
                .iter()
                .filter(|c| stream || c.get("parent").is_none())
                .map(|c| nest_replies(&host, version, c, fields))
                .collect();
            if query.get("order").map(String::as_str) == Some("reverse_chronological") {
                items.reverse();
            }
            answer(
                200,
                paginate(&host, &full_path, &items, query.get("after"), limit),
            )
        }
        ("GET", [id, "replies"]) => {
            let comment = s
                .posts
                .iter()
                .flat_map(|p| &p.comments)
                .find(|c| c["id"] == *id);
            let Some(comment) = comment else {
                return not_found();
            };
            let replies = comment["replies"]["data"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            answer(
                200,
                paginate(&host, &full_path, &replies, query.get("after"), limit),
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

/// A comment as the comments edge shows it: its replies (all of them stored in
/// `replies.data`) cut to the first `replies.limit(N)` with Graph paging towards
/// `/{comment-id}/replies`, or left out when `fields` does not ask for them.
fn nest_replies(host: &str, version: &str, comment: &Value, fields: &str) -> Value {
    let mut comment = comment.clone();
    let Some(all) = comment["replies"]["data"].as_array().cloned() else {
        return comment;
    };
    let Some(at) = fields.find("replies") else {
        if let Some(o) = comment.as_object_mut() {
            o.remove("replies");
        }
        return comment;
    };
    let limit = fields[at..]
        .strip_prefix("replies.limit(")
        .and_then(|rest| rest.split(')').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(25);
    if all.is_empty() {
        // Graph leaves out an edge with nothing on it.
        if let Some(o) = comment.as_object_mut() {
            o.remove("replies");
        }
        return comment;
    }
    let id = comment["id"].as_str().unwrap_or_default().to_owned();
    let path = format!("/{version}/{id}/replies");
    comment["replies"] = paginate(host, &path, &all, None, limit);
    comment
}

fn instagram_permalink(id: &str) -> String {
    format!("https://www.instagram.com/p/{id}/")
}

fn missing(parameter: &str) -> Response {
    answer(
        400,
        graph_error(
            100,
            None,
            &format!("(#100) The parameter {parameter} is required"),
        ),
    )
}

fn file_part<'a>(parts: &'a [FilePart], name: &str) -> Option<&'a FilePart> {
    parts
        .iter()
        .find(|p| p.name == name && p.file_name.is_some() && !p.bytes.is_empty())
}

/// The publishing endpoints; `None` for every other request.
fn publishing(
    s: &mut State,
    method: &str,
    segments: &[&str],
    query: &HashMap<String, String>,
    form: &HashMap<String, String>,
    parts: &[FilePart],
) -> Option<Response> {
    let now = Timestamp::now().as_second();
    let page = s.page_id.clone();
    let ig = s.ig_id.clone();
    let response = match (method, segments) {
        ("POST", [id, "feed"]) if *id == page => {
            let mut attached: Vec<(usize, String)> = Vec::new();
            for (key, value) in form {
                let Some(index) = key
                    .strip_prefix("attached_media[")
                    .and_then(|k| k.strip_suffix(']'))
                    .and_then(|k| k.parse::<usize>().ok())
                else {
                    continue;
                };
                let fbid = serde_json::from_str::<Value>(value)
                    .ok()
                    .and_then(|v| v["media_fbid"].as_str().map(str::to_owned));
                match fbid {
                    Some(fbid) if s.unpublished_photos.remove(&fbid) => {
                        attached.push((index, fbid))
                    }
                    _ => {
                        return Some(answer(
                            400,
                            graph_error(
                                100,
                                None,
                                "(#100) attached_media is not a valid unpublished photo",
                            ),
                        ));
                    }
                }
            }
            attached.sort();
            let message = form.get("message").cloned().unwrap_or_default();
            if message.is_empty() && attached.is_empty() {
                return Some(missing("message"));
            }
            s.next_id += 1;
            let id = format!("{page}_{}", 987_000_000 + s.next_id);
            s.made.push(Made {
                owner: page,
                id: id.clone(),
                kind: if attached.is_empty() {
                    "status"
                } else {
                    "album"
                },
                text: message,
                created: now,
                attached: attached.into_iter().map(|(_, f)| f).collect(),
            });
            answer(200, json!({ "id": id }))
        }
        ("POST", [id, "photos"]) if *id == page => {
            if file_part(parts, "source").is_none() && !form.contains_key("url") {
                return Some(answer(
                    400,
                    graph_error(324, None, "(#324) Requires upload file"),
                ));
            }
            s.next_id += 1;
            let photo_id = (555_000_000 + s.next_id).to_string();
            if form.get("published").map(String::as_str) == Some("false") {
                s.unpublished_photos.insert(photo_id.clone());
                return Some(answer(200, json!({ "id": photo_id })));
            }
            let post_id = format!("{page}_{}", 987_000_000 + s.next_id);
            s.made.push(Made {
                owner: page,
                id: post_id.clone(),
                kind: "photo",
                text: form.get("message").cloned().unwrap_or_default(),
                created: now,
                attached: vec![photo_id.clone()],
            });
            answer(200, json!({ "id": photo_id, "post_id": post_id }))
        }
        ("POST", [id, "videos"]) if *id == page => {
            if file_part(parts, "source").is_none() && !form.contains_key("file_url") {
                return Some(missing("source"));
            }
            s.next_id += 1;
            let video_id = (777_000_000 + s.next_id).to_string();
            s.made.push(Made {
                owner: page,
                id: video_id.clone(),
                kind: "video",
                text: form.get("description").cloned().unwrap_or_default(),
                created: now,
                attached: vec![],
            });
            answer(200, json!({ "id": video_id }))
        }
        ("GET", [id, "posts"]) if *id == page => {
            let since: i64 = query.get("since").and_then(|v| v.parse().ok()).unwrap_or(0);
            let mut made: Vec<&Made> = s
                .made
                .iter()
                .filter(|m| m.owner == page && m.created >= since)
                .collect();
            made.sort_by_key(|m| -m.created);
            let items: Vec<Value> = made
                .iter()
                .map(|m| {
                    let mut item = json!({"id": m.id, "created_time": meta_time(m.created),
                        "permalink_url": format!("https://www.facebook.com/{}", m.id)});
                    // Meta leaves out `message` for a post without text.
                    if !m.text.is_empty() {
                        item["message"] = json!(m.text);
                    }
                    item
                })
                .collect();
            answer(200, json!({ "data": items }))
        }
        ("POST", [id, "media"]) if *id == ig => create_container(s, form),
        ("GET", [id, "content_publishing_limit"]) if *id == ig => answer(
            200,
            json!({"data": [{"config": {"quota_total": s.quota_total, "quota_duration": 86400},
                             "quota_usage": s.quota_usage}]}),
        ),
        ("POST", [id, "media_publish"]) if *id == ig => {
            s.media_publish_calls += 1;
            let Some(creation) = form.get("creation_id").cloned() else {
                return Some(missing("creation_id"));
            };
            if s.quota_usage >= s.quota_total {
                return Some(answer(
                    400,
                    graph_error(9, Some(2_207_042), "Application request limit reached"),
                ));
            }
            let ready = s.containers.get(&creation).map(|c| {
                (
                    c.status_code() == "FINISHED",
                    c.form.get("caption").cloned().unwrap_or_default(),
                )
            });
            let Some((true, caption)) = ready else {
                return Some(answer(
                    400,
                    graph_error(9007, Some(2_207_027), "Media ID is not available"),
                ));
            };
            if let Some(c) = s.containers.get_mut(&creation) {
                c.published = true;
            }
            s.quota_usage += 1;
            s.next_id += 1;
            let media_id = (17_920_238_000_000_000_u64 + s.next_id).to_string();
            s.made.push(Made {
                owner: ig,
                id: media_id.clone(),
                kind: "instagram",
                text: caption,
                created: now,
                attached: vec![creation],
            });
            answer(200, json!({ "id": media_id }))
        }
        ("GET", [id]) => {
            let fields = query.get("fields").cloned().unwrap_or_default();
            if let Some(container) = s.containers.get_mut(*id) {
                if !fields.contains("status_code") {
                    return None;
                }
                let code = container.status_code().to_owned();
                container.checks += 1;
                let status = match code.as_str() {
                    "FINISHED" => "Finished: Media has been uploaded and it is complete.",
                    "IN_PROGRESS" => "In Progress: Media is still being processed.",
                    "ERROR" => "Error: Media upload has failed with error code 2207026.",
                    "EXPIRED" => "Expired: The container was not published within 24 hours.",
                    _ => "Published",
                };
                answer(
                    200,
                    json!({"status_code": code, "status": status, "id": id}),
                )
            } else if let Some(made) = s.made.iter().find(|m| m.id == *id) {
                let mut body = s.engagement.get(*id).cloned().unwrap_or_else(|| json!({}));
                body["id"] = json!(id);
                if fields.contains("permalink") && s.permalink_fails {
                    return Some(answer(
                        500,
                        graph_error(2, None, "Service temporarily unavailable"),
                    ));
                }
                if fields.contains("permalink") && made.kind == "instagram" {
                    body["permalink"] = json!(instagram_permalink(id));
                }
                answer(200, body)
            } else {
                return None;
            }
        }
        _ => return None,
    };
    Some(response)
}

/// `POST /{ig-user-id}/media`: an image, a Reel, a carousel item or a carousel.
fn create_container(s: &mut State, form: &HashMap<String, String>) -> Response {
    let media_type = form.get("media_type").map(String::as_str);
    let item = form.get("is_carousel_item").map(String::as_str) == Some("true");
    let has_video = form.contains_key("video_url");
    let mut outcome = s.container_outcome.clone();
    match media_type {
        Some("CAROUSEL") => {
            let children: Vec<&str> = form
                .get("children")
                .map(|c| c.split(',').collect())
                .unwrap_or_default();
            let valid = !children.is_empty()
                && children.iter().all(|c| {
                    s.containers.get(*c).is_some_and(|c| {
                        c.form.get("is_carousel_item").map(String::as_str) == Some("true")
                            && c.status_code() == "FINISHED"
                    })
                });
            if !valid {
                return answer(
                    400,
                    graph_error(100, None, "(#100) children must be finished carousel items"),
                );
            }
        }
        Some("REELS") if has_video && !item => {}
        Some("VIDEO") if has_video && item => {}
        None if form.contains_key("image_url") => {}
        _ => {
            return answer(
                400,
                graph_error(
                    100,
                    None,
                    "(#100) Provide image_url, or video_url with media_type",
                ),
            );
        }
    }
    if has_video && let Some(video) = &s.video_container_outcome {
        outcome = video.clone();
    }
    s.next_id += 1;
    let id = (17_889_455_560_000_000_u64 + s.next_id).to_string();
    // Images are ready at once; videos and carousels take `container_ready_after` checks.
    let ready_after = if has_video || media_type == Some("CAROUSEL") {
        s.container_ready_after
    } else {
        0
    };
    s.containers.insert(
        id.clone(),
        Container {
            form: form.clone(),
            checks: 0,
            ready_after,
            outcome,
            published: false,
        },
    );
    answer(200, json!({ "id": id }))
}
