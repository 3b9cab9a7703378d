//! A local fake of TikTok's Content Posting API (shared brief section 5.3): creator info with
//! configurable privacy options (an unaudited app offered only `SELF_ONLY`, or refused at init),
//! video init by `PULL_FROM_URL` (only from verified URL prefixes) or `FILE_UPLOAD` with an
//! upload URL that checks every chunk's `Content-Range`, photo init, and a per-publication
//! status progression (processing, complete without an id during moderation, complete with the
//! id as a JSON number, or failed). Every answer is TikTok's `{"data","error"}` envelope;
//! failures can be scripted (5xx, 429 `rate_limit_exceeded`, any error code, malformed bodies).
//! `POST /v2/oauth/token/` renews with a refresh token, rotating it (a spent one is refused
//! with TikTok's 200 + `invalid_grant`).

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

/// A failure served instead of the next API request's answer (uploads excluded).
#[derive(Clone, Debug)]
pub enum Failure {
    /// This HTTP status with this envelope error code.
    Envelope(u16, &'static str),
    /// 200 with this raw body.
    Raw(&'static str),
}

/// One step of a publication's status, served once per status fetch (the last one repeats).
#[derive(Clone, Debug)]
pub struct Step {
    pub status: &'static str,
    /// `publicaly_available_post_id` entries (numbers or strings).
    pub post_ids: Vec<Value>,
    pub fail_reason: &'static str,
}

impl Step {
    pub fn of(status: &'static str) -> Self {
        Self {
            status,
            post_ids: vec![],
            fail_reason: "",
        }
    }
}

/// A request as the fake saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    pub path: String,
    pub authorization: Option<String>,
    pub content_type: Option<String>,
    pub content_range: Option<String>,
    pub body: Option<Value>,
    pub bytes: Vec<u8>,
}

/// A publication created by an init call.
#[derive(Clone, Debug)]
pub struct Publication {
    pub init: Value,
    /// For `FILE_UPLOAD`: the bytes received, by start offset.
    pub chunks: BTreeMap<u64, Vec<u8>>,
    pub video_size: u64,
    pub total_chunks: u64,
    /// Status fetches answered.
    pub fetches: usize,
}

impl Publication {
    fn uploaded(&self) -> bool {
        self.chunks.len() as u64 == self.total_chunks
    }

    /// The received bytes, in order.
    pub fn file(&self) -> Vec<u8> {
        self.chunks.values().flatten().copied().collect()
    }
}

#[derive(Debug)]
pub struct TikTokState {
    pub token: String,
    pub base: String,
    /// The creator-info `data`.
    pub creator: Value,
    /// Init refuses any privacy but `SELF_ONLY` with
    /// `unaudited_client_can_only_post_to_private_accounts`.
    pub unaudited: bool,
    /// URL prefixes verified for `PULL_FROM_URL`.
    pub verified_prefixes: Vec<String>,
    pub publications: BTreeMap<String, Publication>,
    /// The status progression every publication follows.
    pub steps: Vec<Step>,
    pub failures: VecDeque<Failure>,
    pub seen: Vec<Seen>,
    /// Refresh tokens `POST /v2/oauth/token/` accepts, each once.
    pub refresh_tokens: HashSet<String>,
    pub refresh_calls: u32,
    next_id: u64,
}

#[derive(Clone)]
pub struct FakeTikTok {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<TikTokState>>,
}

impl FakeTikTok {
    pub async fn start(token: &str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(Mutex::new(TikTokState {
            token: token.to_owned(),
            base: format!("http://{addr}"),
            creator: json!({
                "creator_avatar_url": "https://p16.tiktokcdn.example/avatar.jpeg",
                "creator_username": "humaskota",
                "creator_nickname": "Humas Kota",
                "privacy_level_options": ["PUBLIC_TO_EVERYONE", "MUTUAL_FOLLOW_FRIENDS", "SELF_ONLY"],
                "comment_disabled": false,
                "duet_disabled": false,
                "stitch_disabled": true,
                "max_video_post_duration_sec": 600,
            }),
            unaudited: false,
            verified_prefixes: vec!["https://media.example.go.id/".to_owned()],
            publications: BTreeMap::new(),
            steps: vec![
                Step::of("PROCESSING_DOWNLOAD"),
                Step::of("PUBLISH_COMPLETE"),
                Step {
                    status: "PUBLISH_COMPLETE",
                    post_ids: vec![json!(7_327_000_000_000_000_001_u64)],
                    fail_reason: "",
                },
            ],
            failures: VecDeque::new(),
            seen: Vec::new(),
            refresh_tokens: HashSet::new(),
            refresh_calls: 0,
            next_id: 7_327_000_000_000_000_000,
        }));
        let app = Router::new().fallback(handle).with_state(state.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { addr, state }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut TikTokState) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.with(|s| s.seen.clone())
    }

    /// Requests whose path ends with `suffix`, in order.
    pub fn requests(&self, suffix: &str) -> Vec<Seen> {
        self.with(|s| {
            s.seen
                .iter()
                .filter(|r| r.path.ends_with(suffix))
                .cloned()
                .collect()
        })
    }
}

fn ok(data: Value) -> Response {
    (
        StatusCode::OK,
        axum::Json(json!({"data": data, "error": {"code": "ok", "message": "", "log_id": "20250101000000ABC"}})),
    )
        .into_response()
}

pub fn envelope_error(status: u16, code: &str, message: &str) -> Response {
    (
        StatusCode::from_u16(status).unwrap(),
        axum::Json(json!({"data": {}, "error": {"code": code, "message": message, "log_id": "20250101000000XYZ"}})),
    )
        .into_response()
}

async fn handle(
    State(state): State<Arc<Mutex<TikTokState>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut s = state.lock().unwrap();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let json_body: Option<Value> = serde_json::from_slice(&body).ok();
    s.seen.push(Seen {
        method: method.clone(),
        path: uri.path().to_owned(),
        authorization: header("authorization"),
        content_type: header("content-type"),
        content_range: header("content-range"),
        body: json_body.clone(),
        bytes: body.to_vec(),
    });
    if method == Method::PUT
        && let Some(id) = uri.path().strip_prefix("/upload/")
    {
        return put_chunk(&mut s, id, header("content-range"), &body);
    }
    if method == Method::POST && uri.path() == "/v2/oauth/token/" {
        return renew(&mut s, &body);
    }
    if header("authorization").as_deref() != Some(&format!("Bearer {}", s.token)) {
        return envelope_error(
            401,
            "access_token_invalid",
            "The access token is invalid or not found in the request.",
        );
    }
    if let Some(failure) = s.failures.pop_front() {
        return match failure {
            Failure::Envelope(status, code) => envelope_error(status, code, "scripted failure"),
            Failure::Raw(raw) => {
                (StatusCode::OK, [("content-type", "application/json")], raw).into_response()
            }
        };
    }
    if !header("content-type").is_some_and(|c| c.starts_with("application/json")) {
        return envelope_error(
            400,
            "invalid_param",
            "Content-Type must be application/json",
        );
    }
    let body = json_body.unwrap_or_default();
    match (method, uri.path()) {
        (Method::POST, "/v2/post/publish/creator_info/query/") => ok(s.creator.clone()),
        (Method::POST, "/v2/post/publish/video/init/") => video_init(&mut s, &body),
        (Method::POST, "/v2/post/publish/content/init/") => content_init(&mut s, &body),
        (Method::POST, "/v2/post/publish/status/fetch/") => status_fetch(&mut s, &body),
        _ => envelope_error(404, "invalid_param", "no such endpoint"),
    }
}

/// Privacy and audit checks every init makes.
fn check_post_info(s: &TikTokState, post_info: &Value) -> Option<Response> {
    let privacy = post_info["privacy_level"].as_str().unwrap_or_default();
    let offered = s.creator["privacy_level_options"]
        .as_array()
        .is_some_and(|o| o.iter().any(|p| p == privacy));
    if !offered {
        return Some(envelope_error(
            400,
            "privacy_level_option_mismatch",
            "privacy_level is not one of the creator's options",
        ));
    }
    if s.unaudited && privacy != "SELF_ONLY" {
        return Some(envelope_error(
            403,
            "unaudited_client_can_only_post_to_private_accounts",
            "Please review our integration guidelines",
        ));
    }
    None
}

fn verified(s: &TikTokState, url: &str) -> bool {
    s.verified_prefixes.iter().any(|p| url.starts_with(p))
}

fn video_init(s: &mut TikTokState, body: &Value) -> Response {
    if let Some(refused) = check_post_info(s, &body["post_info"]) {
        return refused;
    }
    let source = &body["source_info"];
    s.next_id += 1;
    match source["source"].as_str() {
        Some("PULL_FROM_URL") => {
            let url = source["video_url"].as_str().unwrap_or_default();
            if !verified(s, url) {
                return envelope_error(
                    403,
                    "url_ownership_unverified",
                    "The domain or URL prefix of video_url is not verified",
                );
            }
            let id = format!("v_pub_url~v2.{}", s.next_id);
            s.publications.insert(
                id.clone(),
                Publication {
                    init: body.clone(),
                    chunks: BTreeMap::new(),
                    video_size: 0,
                    total_chunks: 0,
                    fetches: 0,
                },
            );
            ok(json!({ "publish_id": id }))
        }
        Some("FILE_UPLOAD") => {
            let (Some(size), Some(chunk), Some(count)) = (
                source["video_size"].as_u64(),
                source["chunk_size"].as_u64(),
                source["total_chunk_count"].as_u64(),
            ) else {
                return envelope_error(
                    400,
                    "invalid_param",
                    "video_size, chunk_size and total_chunk_count are required",
                );
            };
            // TikTok: the count is the size divided by the chunk size, rounded down.
            if chunk == 0 || chunk > size || count != (size / chunk).max(1) {
                return envelope_error(
                    400,
                    "invalid_param",
                    "total_chunk_count must be floor(video_size / chunk_size)",
                );
            }
            let id = format!("v_pub_file~v2.{}", s.next_id);
            s.publications.insert(
                id.clone(),
                Publication {
                    init: body.clone(),
                    chunks: BTreeMap::new(),
                    video_size: size,
                    total_chunks: count,
                    fetches: 0,
                },
            );
            let upload_url = format!("{}/upload/{id}", s.base);
            ok(json!({ "publish_id": id, "upload_url": upload_url }))
        }
        _ => envelope_error(400, "invalid_param", "unknown source"),
    }
}

fn content_init(s: &mut TikTokState, body: &Value) -> Response {
    if body["media_type"] != "PHOTO" || body["post_mode"] != "DIRECT_POST" {
        return envelope_error(
            400,
            "invalid_param",
            "media_type PHOTO and post_mode DIRECT_POST",
        );
    }
    if let Some(refused) = check_post_info(s, &body["post_info"]) {
        return refused;
    }
    let source = &body["source_info"];
    let images = source["photo_images"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if source["source"] != "PULL_FROM_URL" || images.is_empty() {
        return envelope_error(400, "invalid_param", "photos are pulled from photo_images");
    }
    if images
        .iter()
        .any(|u| !verified(s, u.as_str().unwrap_or_default()))
    {
        return envelope_error(
            403,
            "url_ownership_unverified",
            "photo_images are not on a verified prefix",
        );
    }
    s.next_id += 1;
    let id = format!("p_pub_url~v2.{}", s.next_id);
    s.publications.insert(
        id.clone(),
        Publication {
            init: body.clone(),
            chunks: BTreeMap::new(),
            video_size: 0,
            total_chunks: 0,
            fetches: 0,
        },
    );
    ok(json!({ "publish_id": id }))
}

fn status_fetch(s: &mut TikTokState, body: &Value) -> Response {
    let id = body["publish_id"].as_str().unwrap_or_default().to_owned();
    let steps = s.steps.clone();
    let Some(publication) = s.publications.get_mut(&id) else {
        return envelope_error(400, "invalid_param", "publish_id not found");
    };
    if !publication.uploaded() {
        return ok(json!({"status": "PROCESSING_UPLOAD", "uploaded_bytes": 0, "fail_reason": ""}));
    }
    let step = steps
        .get(publication.fetches)
        .or(steps.last())
        .cloned()
        .unwrap_or(Step::of("PROCESSING_DOWNLOAD"));
    publication.fetches += 1;
    let mut data = json!({"status": step.status, "uploaded_bytes": publication.video_size,
        "downloaded_bytes": 5_123_456, "fail_reason": step.fail_reason});
    if !step.post_ids.is_empty() {
        data["publicaly_available_post_id"] = json!(step.post_ids);
    }
    ok(data)
}

/// `PUT upload_url` with `Content-Range: bytes a-b/total`: chunks in order, sizes as planned.
fn put_chunk(s: &mut TikTokState, id: &str, range: Option<String>, body: &[u8]) -> Response {
    let Some(publication) = s.publications.get_mut(id) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let parsed = range.as_deref().and_then(|r| {
        let (span, total) = r.strip_prefix("bytes ")?.split_once('/')?;
        let (a, b) = span.split_once('-')?;
        Some((
            a.parse::<u64>().ok()?,
            b.parse::<u64>().ok()?,
            total.parse::<u64>().ok()?,
        ))
    });
    let Some((start, end, total)) = parsed else {
        return (StatusCode::BAD_REQUEST, "Content-Range required").into_response();
    };
    let expected_start: u64 = publication.chunks.values().map(|c| c.len() as u64).sum();
    if total != publication.video_size
        || start != expected_start
        || end + 1 - start != body.len() as u64
        || end >= total
    {
        return (StatusCode::RANGE_NOT_SATISFIABLE, "bad Content-Range").into_response();
    }
    publication.chunks.insert(start, body.to_vec());
    if end + 1 == total {
        StatusCode::CREATED.into_response()
    } else {
        StatusCode::PARTIAL_CONTENT.into_response()
    }
}

/// `POST /v2/oauth/token/` with `grant_type=refresh_token`: a new pair, the old refresh token
/// spent.
fn renew(s: &mut TikTokState, body: &[u8]) -> Response {
    s.refresh_calls += 1;
    let form: HashMap<String, String> = url::form_urlencoded::parse(body).into_owned().collect();
    let presented = form.get("refresh_token").cloned().unwrap_or_default();
    if form.get("grant_type").map(String::as_str) != Some("refresh_token")
        || form.get("client_key").map(String::as_str) != Some("tiktok-app")
        || !s.refresh_tokens.remove(&presented)
    {
        return axum::Json(json!({"error": "invalid_grant", "error_description": "Refresh token is invalid or expired.", "log_id": "20250101000000RFR"})).into_response();
    }
    let n = s.refresh_calls;
    s.token = format!("act.renewed-{n}");
    let refresh = format!("rft.renewed-{n}");
    s.refresh_tokens.insert(refresh.clone());
    axum::Json(json!({"access_token": s.token, "expires_in": 86400, "open_id": "-000abc", "refresh_expires_in": 31536000, "refresh_token": refresh, "scope": "user.info.basic,video.publish", "token_type": "Bearer"})).into_response()
}
