//! A fake X API v2 for one user: the chunked `POST /2/media/upload` (`INIT`, `APPEND`,
//! `FINALIZE`; `GET …?command=STATUS`), `POST /2/media/metadata` for alt text, and
//! `POST /2/tweets`, which takes only finalized uploads and, like X, refuses text over 280
//! characters.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use jiff::Timestamp;
use serde_json::{Value, json};

use super::{Journal, bearer_is, multipart_parts, part_text, serve};

/// One chunked upload.
#[derive(Clone, Debug, Default)]
pub struct Upload {
    pub media_type: String,
    pub category: String,
    pub total_bytes: usize,
    pub segments: BTreeMap<usize, Vec<u8>>,
    pub finalized: bool,
    pub alt_text: Option<String>,
}

impl Upload {
    /// The file as put together from its segments.
    pub fn bytes(&self) -> Vec<u8> {
        self.segments.values().flatten().copied().collect()
    }
}

/// One post X created.
#[derive(Clone, Debug)]
pub struct Tweet {
    pub at: Timestamp,
    pub id: String,
    pub text: String,
    pub media_ids: Vec<String>,
}

#[derive(Debug, Default)]
struct XState {
    token: String,
    uploads: HashMap<String, Upload>,
    tweets: Vec<Tweet>,
    next_id: u64,
}

impl XState {
    fn new_id(&mut self) -> String {
        self.next_id += 1;
        format!("19{:017}", self.next_id)
    }
}

#[derive(Clone)]
struct Shared {
    state: Arc<Mutex<XState>>,
    journal: Journal,
}

/// The fake, on its own port.
pub struct FakeX {
    pub base: String,
    shared: Shared,
}

impl FakeX {
    /// Starts a fake that accepts `token`.
    pub async fn start(token: &str) -> Self {
        let shared = Shared {
            state: Arc::new(Mutex::new(XState {
                token: token.to_owned(),
                ..XState::default()
            })),
            journal: Journal::default(),
        };
        let app = Router::new()
            .route("/2/media/upload", post(upload).get(status))
            .route("/2/media/metadata", post(metadata))
            .route("/2/tweets", post(create_tweet))
            .fallback(unknown)
            .with_state(shared.clone());
        Self {
            base: serve(app).await,
            shared,
        }
    }

    pub fn journal(&self) -> &Journal {
        &self.shared.journal
    }

    pub fn tweets(&self) -> Vec<Tweet> {
        self.shared.state.lock().unwrap().tweets.clone()
    }

    pub fn upload(&self, id: &str) -> Option<Upload> {
        self.shared.state.lock().unwrap().uploads.get(id).cloned()
    }
}

/// X's problem document.
fn problem(status: StatusCode, title: &str, detail: &str) -> Response {
    let body = json!({
        "title": title,
        "detail": detail,
        "type": "https://api.x.com/2/problems/invalid-request",
        "status": status.as_u16(),
    });
    (status, axum::Json(body)).into_response()
}

fn unauthorised() -> Response {
    problem(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        "Unauthorized: the bearer token is not valid",
    )
}

fn invalid(detail: &str) -> Response {
    problem(StatusCode::BAD_REQUEST, "Invalid Request", detail)
}

/// `POST /2/media/upload` with a multipart `command`.
async fn upload(State(s): State<Shared>, headers: HeaderMap, parts: Multipart) -> Response {
    let parts = match multipart_parts(parts).await {
        Ok(p) => p,
        Err(e) => {
            s.journal.note("POST /2/media/upload (broken)");
            return invalid(&format!("the multipart body cannot be read: {e}"));
        }
    };
    let command = part_text(&parts, "command").unwrap_or_default();
    s.journal.note(format!("POST /2/media/upload {command}"));
    let mut state = s.state.lock().unwrap();
    if !bearer_is(&headers, &state.token) {
        return unauthorised();
    }
    let media_id = part_text(&parts, "media_id").unwrap_or_default();
    match command.as_str() {
        "INIT" => {
            let id = state.new_id();
            let total_bytes = part_text(&parts, "total_bytes")
                .and_then(|t| t.parse().ok())
                .unwrap_or(0);
            state.uploads.insert(
                id.clone(),
                Upload {
                    media_type: part_text(&parts, "media_type").unwrap_or_default(),
                    category: part_text(&parts, "media_category").unwrap_or_default(),
                    total_bytes,
                    ..Upload::default()
                },
            );
            axum::Json(json!({"data": {"id": id, "media_key": format!("3_{id}"),
                "expires_after_secs": 86_400}}))
            .into_response()
        }
        "APPEND" => {
            let index = part_text(&parts, "segment_index").and_then(|i| i.parse().ok());
            let chunk = parts
                .iter()
                .find(|(n, _, _)| n == "media")
                .map(|(_, b, _)| b.clone());
            match (state.uploads.get_mut(&media_id), index, chunk) {
                (Some(u), Some(i), Some(chunk)) if !u.finalized => {
                    u.segments.insert(i, chunk);
                    StatusCode::NO_CONTENT.into_response()
                }
                _ => invalid("APPEND needs a known, unfinished media_id, segment_index and media"),
            }
        }
        "FINALIZE" => match state.uploads.get_mut(&media_id) {
            Some(u) if u.bytes().len() == u.total_bytes && u.total_bytes > 0 => {
                u.finalized = true;
                // An image needs no processing: no processing_info.
                axum::Json(json!({"data": {"id": media_id, "size": u.total_bytes,
                    "expires_after_secs": 86_400}}))
                .into_response()
            }
            Some(_) => invalid("the segments do not add up to total_bytes"),
            None => invalid("unknown media_id"),
        },
        other => invalid(&format!("unknown command {other:?}")),
    }
}

/// `GET /2/media/upload?command=STATUS&media_id=…`.
async fn status(
    State(s): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    s.journal.note("GET /2/media/upload STATUS");
    let state = s.state.lock().unwrap();
    if !bearer_is(&headers, &state.token) {
        return unauthorised();
    }
    let id = q.get("media_id").cloned().unwrap_or_default();
    match state.uploads.get(&id) {
        Some(u) if u.finalized => axum::Json(json!({"data": {"id": id,
            "processing_info": {"state": "succeeded", "progress_percent": 100}}}))
        .into_response(),
        _ => invalid("unknown or unfinished media_id"),
    }
}

/// `POST /2/media/metadata` with `{"id", "metadata": {"alt_text": {"text"}}}`.
async fn metadata(
    State(s): State<Shared>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    s.journal.note("POST /2/media/metadata");
    let mut state = s.state.lock().unwrap();
    if !bearer_is(&headers, &state.token) {
        return unauthorised();
    }
    let id = body["id"].as_str().unwrap_or_default().to_owned();
    let alt = body["metadata"]["alt_text"]["text"]
        .as_str()
        .map(str::to_owned);
    match (state.uploads.get_mut(&id), alt) {
        (Some(u), Some(alt)) if u.finalized => {
            u.alt_text = Some(alt.clone());
            axum::Json(json!({"data": {"id": id, "associated_metadata": {
                "alt_text": {"text": alt}}}}))
            .into_response()
        }
        _ => invalid("metadata needs a finalized media id and alt_text.text"),
    }
}

/// `POST /2/tweets` with `{"text", "media": {"media_ids"}}`.
async fn create_tweet(
    State(s): State<Shared>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    s.journal.note("POST /2/tweets");
    let mut state = s.state.lock().unwrap();
    if !bearer_is(&headers, &state.token) {
        return unauthorised();
    }
    let text = body["text"].as_str().unwrap_or_default().to_owned();
    let media_ids: Vec<String> = body["media"]["media_ids"]
        .as_array()
        .map(|ids| {
            ids.iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if weighted_length(&text) > 280 {
        return problem(
            StatusCode::BAD_REQUEST,
            "Invalid Request",
            "One or more parameters to your request was invalid: text is too long",
        );
    }
    if media_ids
        .iter()
        .any(|id| !state.uploads.get(id).is_some_and(|u| u.finalized))
    {
        return invalid("media_ids must name finalized uploads");
    }
    let id = state.new_id();
    state.tweets.push(Tweet {
        at: Timestamp::now(),
        id: id.clone(),
        text: text.clone(),
        media_ids,
    });
    (
        StatusCode::CREATED,
        axum::Json(json!({"data": {"id": id, "text": text, "edit_history_tweet_ids": [id]}})),
    )
        .into_response()
}

/// X's weighted length for plain Latin text: one per character, 23 per link.
pub fn weighted_length(text: &str) -> usize {
    let links: Vec<&str> = text
        .split_whitespace()
        .filter(|w| w.starts_with("https://") || w.starts_with("http://"))
        .collect();
    let link_chars: usize = links.iter().map(|l| l.chars().count()).sum();
    text.chars().count() - link_chars + 23 * links.len()
}

async fn unknown(State(s): State<Shared>, uri: axum::http::Uri) -> Response {
    s.journal.note(format!("? {}", uri.path()));
    problem(StatusCode::NOT_FOUND, "Not Found Error", "no such endpoint")
}
