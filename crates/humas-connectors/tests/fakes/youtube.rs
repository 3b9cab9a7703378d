//! A fake YouTube Data API v3 on 127.0.0.1: `commentThreads.list`, `comments.list`,
//! `comments.insert`, `comments.setModerationStatus`, `comments.delete`, an OAuth token
//! endpoint, its own quota counter per method cost, and injected failures.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State as AxumState};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use serde_json::{Value, json};

/// A video's comment threads (newest first) and whether comments are on.
#[derive(Clone, Debug, Default)]
pub struct Video {
    pub id: String,
    pub comments_disabled: bool,
    pub threads: Vec<Value>,
}

#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: HashMap<String, String>,
    pub body: String,
}

/// A canned answer: status, body, headers.
pub type Injected = (u16, String, Vec<(&'static str, String)>);

#[derive(Debug, Default)]
pub struct State {
    pub channel_id: String,
    pub access_token: String,
    pub refresh_token: String,
    pub videos: Vec<Video>,
    /// Replies by thread id, oldest first, in `comments.list` shape.
    pub replies: HashMap<String, Vec<Value>>,
    pub injected: VecDeque<Injected>,
    pub seen: Vec<Seen>,
    pub inserted: Vec<(String, String)>,
    pub moderated: Vec<(String, String, String)>,
    pub deleted: Vec<String>,
    pub rejected_ids: HashSet<String>,
    pub quota_limit: u32,
    pub quota_used: u32,
    pub tokens_issued: u32,
    pub latency: std::time::Duration,
}

pub struct Fake {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<State>>,
}

impl Fake {
    pub async fn start(channel_id: &str, access_token: &str) -> Self {
        let state = Arc::new(Mutex::new(State {
            channel_id: channel_id.into(),
            access_token: access_token.into(),
            refresh_token: "1//refresh".into(),
            quota_limit: 10_000,
            ..State::default()
        }));
        let app = Router::new()
            .route("/token", post(token))
            .route("/youtube/v3/{*rest}", any(api))
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
        self.with(|s| s.injected.push_back((status, body.to_string(), headers)));
    }

    pub fn count(&self, method: &str, path: &str) -> usize {
        self.with(|s| {
            s.seen
                .iter()
                .filter(|r| r.method == method && r.path == path)
                .count()
        })
    }
}

/// YouTube's error body.
pub fn yt_error(code: u16, reason: &str, message: &str) -> Value {
    json!({"error": {"code": code, "message": message,
        "errors": [{"message": message, "domain": "youtube.commentThread", "reason": reason}]}})
}

fn answer(status: u16, body: Value) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// A comment resource as the API returns it.
pub fn comment(
    id: &str,
    video: &str,
    author: &str,
    text: &str,
    at: &str,
    parent: Option<&str>,
) -> Value {
    let mut snippet = json!({"channelId": "UCabc", "videoId": video, "textDisplay": text, "textOriginal": text,
        "authorDisplayName": format!("@{author}"), "authorProfileImageUrl": "https://yt3.ggpht.com/x",
        "authorChannelUrl": format!("http://www.youtube.com/@{author}"), "authorChannelId": {"value": format!("UC{author}")},
        "canRate": true, "viewerRating": "none", "likeCount": 3, "publishedAt": at, "updatedAt": at});
    if let Some(p) = parent {
        snippet["parentId"] = json!(p);
    }
    json!({"kind": "youtube#comment", "etag": "x3", "id": id, "snippet": snippet})
}

/// A thread with its top-level comment and the replies shown inline.
pub fn thread(top: Value, total_replies: u64, inline: Vec<Value>) -> Value {
    let id = top["id"].clone();
    let video = top["snippet"]["videoId"].clone();
    let mut t = json!({"kind": "youtube#commentThread", "etag": "x2", "id": id,
        "snippet": {"channelId": "UCabc", "videoId": video, "canReply": true, "totalReplyCount": total_replies,
                    "isPublic": true, "topLevelComment": top}});
    if !inline.is_empty() {
        t["replies"] = json!({ "comments": inline });
    }
    t
}

fn page_of(items: &[Value], token: Option<&String>, max: usize, kind: &str) -> Value {
    let start = token
        .and_then(|t| t.strip_prefix("QURTSl9p"))
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(0)
        .min(items.len());
    let end = (start + max).min(items.len());
    let mut body = json!({"kind": kind, "etag": "x1",
        "pageInfo": {"totalResults": items.len(), "resultsPerPage": max},
        "items": items[start..end].to_vec()});
    if end < items.len() {
        body["nextPageToken"] = json!(format!("QURTSl9p{end}"));
    }
    body
}

async fn token(AxumState(state): AxumState<Arc<Mutex<State>>>, body: Bytes) -> Response {
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let mut s = state.lock().unwrap();
    s.seen.push(Seen {
        method: "POST".into(),
        path: "/token".into(),
        query: HashMap::new(),
        body: String::from_utf8_lossy(&body).into(),
    });
    let ok = form.get("grant_type").map(String::as_str) == Some("refresh_token")
        && form.get("refresh_token") == Some(&s.refresh_token)
        && form.get("client_id").map(String::as_str) == Some("client-1")
        && form.get("client_secret").map(String::as_str) == Some("client-secret");
    if !ok {
        return answer(
            400,
            json!({"error": "invalid_grant", "error_description": "Token has been expired or revoked."}),
        );
    }
    s.tokens_issued += 1;
    s.access_token = format!("ya29.fresh-{}", s.tokens_issued);
    answer(
        200,
        json!({"access_token": s.access_token, "expires_in": 3599, "token_type": "Bearer",
        "scope": "https://www.googleapis.com/auth/youtube.force-ssl"}),
    )
}

fn cost(method: &Method, path: &str) -> u32 {
    match (method.as_str(), path) {
        ("GET", _) => 1,
        _ => 50,
    }
}

async fn api(
    AxumState(state): AxumState<Arc<Mutex<State>>>,
    method: Method,
    uri: Uri,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let query: HashMap<String, String> =
        url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
    let path = uri.path().to_owned();
    let latency = state.lock().unwrap().latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let mut s = state.lock().unwrap();
    s.seen.push(Seen {
        method: method.to_string(),
        path: path.clone(),
        query: query.clone(),
        body: String::from_utf8_lossy(&body).into(),
    });
    if let Some((status, body, headers)) = s.injected.pop_front() {
        let mut r = (StatusCode::from_u16(status).unwrap(), body).into_response();
        for (k, v) in headers {
            r.headers_mut().insert(k, v.parse().unwrap());
        }
        return r;
    }
    let bearer = headers
        .get("authorization")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "));
    if bearer != Some(s.access_token.as_str()) {
        return answer(
            401,
            json!({"error": {"code": 401, "message": "Request had invalid authentication credentials.",
            "errors": [{"message": "Invalid Credentials", "domain": "global", "reason": "authError", "location": "Authorization", "locationType": "header"}]}}),
        );
    }
    // Quota: every authenticated call costs, invalid ones too.
    let c = cost(&method, &path);
    if s.quota_used + c > s.quota_limit {
        return answer(
            403,
            json!({"error": {"code": 403, "message": "The request cannot be completed because you have exceeded your quota.",
            "errors": [{"message": "The request cannot be completed because you have exceeded your quota.", "domain": "youtube.quota", "reason": "quotaExceeded"}]}}),
        );
    }
    s.quota_used += c;
    let max: usize = match query.get("maxResults").map(|m| m.parse::<usize>()) {
        None => 20,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        Some(_) => {
            return answer(
                400,
                yt_error(400, "invalidParameter", "maxResults must be 1-100"),
            );
        }
    };
    match (method.as_str(), path.as_str()) {
        ("GET", "/youtube/v3/commentThreads") => {
            let filters = ["allThreadsRelatedToChannelId", "videoId", "id"]
                .iter()
                .filter(|f| query.contains_key(**f))
                .count();
            if filters != 1
                || !query
                    .get("part")
                    .is_some_and(|p| p.split(',').any(|x| x == "snippet"))
            {
                return answer(
                    400,
                    yt_error(
                        400,
                        "invalidParameter",
                        "exactly one filter and part=snippet are required",
                    ),
                );
            }
            let items: Vec<Value> = if let Some(channel) = query.get("allThreadsRelatedToChannelId")
            {
                if *channel != s.channel_id {
                    return answer(404, yt_error(404, "channelNotFound", "channel not found"));
                }
                let mut all: Vec<Value> = s.videos.iter().flat_map(|v| v.threads.clone()).collect();
                all.sort_by(|a, b| {
                    let t = |v: &Value| {
                        v["snippet"]["topLevelComment"]["snippet"]["publishedAt"]
                            .as_str()
                            .unwrap_or_default()
                            .to_owned()
                    };
                    t(b).cmp(&t(a))
                });
                all
            } else if let Some(video) = query.get("videoId") {
                match s.videos.iter().find(|v| v.id == *video) {
                    None => {
                        return answer(
                            404,
                            yt_error(
                                404,
                                "videoNotFound",
                                "The video identified by the videoId parameter could not be found.",
                            ),
                        );
                    }
                    Some(v) if v.comments_disabled => {
                        return answer(
                            403,
                            yt_error(
                                403,
                                "commentsDisabled",
                                "The video identified by the videoId parameter has disabled comments.",
                            ),
                        );
                    }
                    Some(v) => v.threads.clone(),
                }
            } else {
                vec![]
            };
            answer(
                200,
                page_of(
                    &items,
                    query.get("pageToken"),
                    max,
                    "youtube#commentThreadListResponse",
                ),
            )
        }
        ("GET", "/youtube/v3/comments") => {
            let Some(parent) = query.get("parentId") else {
                return answer(
                    400,
                    yt_error(400, "invalidParameter", "parentId or id is required"),
                );
            };
            let Some(replies) = s.replies.get(parent) else {
                return answer(
                    404,
                    yt_error(404, "commentNotFound", "The comment could not be found."),
                );
            };
            answer(
                200,
                page_of(
                    replies,
                    query.get("pageToken"),
                    max,
                    "youtube#commentListResponse",
                ),
            )
        }
        ("POST", "/youtube/v3/comments") => {
            let Ok(value) = serde_json::from_slice::<Value>(&body) else {
                return answer(400, yt_error(400, "parseError", "bad JSON"));
            };
            let parent = value["snippet"]["parentId"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let text = value["snippet"]["textOriginal"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            if text.chars().count() > 10_000 {
                return answer(
                    400,
                    yt_error(400, "commentTextTooLong", "The comment is too long."),
                );
            }
            let exists = s
                .videos
                .iter()
                .flat_map(|v| &v.threads)
                .any(|t| t["id"] == parent.as_str());
            if !exists {
                return answer(
                    404,
                    yt_error(
                        404,
                        "commentNotFound",
                        "The parent comment could not be found.",
                    ),
                );
            }
            let id = format!("{parent}.9ZyX{}", s.inserted.len());
            s.inserted.push((parent.clone(), text.clone()));
            answer(
                200,
                json!({"kind": "youtube#comment", "etag": "x4", "id": id,
                "snippet": {"channelId": "UCabc", "textOriginal": text, "parentId": parent, "authorDisplayName": "@HumasKota",
                            "authorChannelId": {"value": "UCabc"}, "likeCount": 0,
                            "publishedAt": "2025-01-01T04:00:00Z", "updatedAt": "2025-01-01T04:00:00Z"}}),
            )
        }
        ("POST", "/youtube/v3/comments/setModerationStatus") => {
            let id = query.get("id").cloned().unwrap_or_default();
            let status = query.get("moderationStatus").cloned().unwrap_or_default();
            if !["published", "heldForReview", "rejected"].contains(&status.as_str()) {
                return answer(400, yt_error(400, "invalidModerationStatus", "bad status"));
            }
            if status == "published" && s.rejected_ids.contains(&id) {
                return answer(
                    400,
                    yt_error(
                        400,
                        "operationNotSupported",
                        "A rejected comment cannot be published again.",
                    ),
                );
            }
            if status == "rejected" {
                s.rejected_ids.insert(id.clone());
            }
            let ban = query.get("banAuthor").cloned().unwrap_or_default();
            s.moderated.push((id, status, ban));
            StatusCode::NO_CONTENT.into_response()
        }
        ("DELETE", "/youtube/v3/comments") => {
            let id = query.get("id").cloned().unwrap_or_default();
            s.deleted.push(id);
            StatusCode::NO_CONTENT.into_response()
        }
        _ => answer(404, yt_error(404, "notFound", "no such method")),
    }
}
