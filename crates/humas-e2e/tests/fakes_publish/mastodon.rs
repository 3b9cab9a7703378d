//! A fake Mastodon instance for one account: `POST /api/v2/media` accepts a file with its
//! description and answers 202 (still processing) as big instances do, `GET /api/v1/media/:id`
//! says it is ready, and `POST /api/v1/statuses` posts with attached media once per
//! `Idempotency-Key` (a replayed key gets the first status back, as Mastodon does).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Multipart, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use jiff::Timestamp;
use serde_json::{Value, json};

use super::{Journal, bearer_is, header, multipart_parts, part_text, serve};

/// One uploaded attachment.
#[derive(Clone, Debug)]
pub struct Attachment {
    pub bytes: Vec<u8>,
    pub file_name: Option<String>,
    pub description: Option<String>,
}

/// One status the instance created.
#[derive(Clone, Debug)]
pub struct Status {
    pub at: Timestamp,
    pub id: String,
    pub url: String,
    pub idempotency_key: Option<String>,
    pub body: Value,
}

#[derive(Debug, Default)]
struct MastodonState {
    token: String,
    media: HashMap<String, Attachment>,
    statuses: Vec<Status>,
    by_key: HashMap<String, Value>,
    next_id: u64,
}

impl MastodonState {
    fn new_id(&mut self) -> String {
        self.next_id += 1;
        format!("113{:015}", self.next_id)
    }
}

#[derive(Clone)]
struct Shared {
    state: Arc<Mutex<MastodonState>>,
    journal: Journal,
}

/// The fake, on its own port.
pub struct FakeMastodon {
    pub base: String,
    shared: Shared,
}

impl FakeMastodon {
    /// Starts a fake that accepts `token`.
    pub async fn start(token: &str) -> Self {
        let shared = Shared {
            state: Arc::new(Mutex::new(MastodonState {
                token: token.to_owned(),
                ..MastodonState::default()
            })),
            journal: Journal::default(),
        };
        let app = Router::new()
            .route("/api/v2/media", post(upload))
            .route("/api/v1/media/{id}", get(read_media))
            .route("/api/v1/statuses", post(create_status))
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

    pub fn statuses(&self) -> Vec<Status> {
        self.shared.state.lock().unwrap().statuses.clone()
    }

    pub fn attachment(&self, id: &str) -> Option<Attachment> {
        self.shared.state.lock().unwrap().media.get(id).cloned()
    }
}

fn error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "error": message }))).into_response()
}

fn unauthorised() -> Response {
    error(StatusCode::UNAUTHORIZED, "The access token is invalid")
}

fn attachment_json(id: &str, a: &Attachment, ready: bool) -> Value {
    let url = ready.then(|| format!("https://social.example/system/media/{id}.jpg"));
    json!({"id": id, "type": "image", "url": url, "preview_url": url,
        "description": a.description})
}

/// `POST /api/v2/media` (multipart `file`, optional `description`).
async fn upload(State(s): State<Shared>, headers: HeaderMap, parts: Multipart) -> Response {
    s.journal.note("POST /api/v2/media");
    let parts = match multipart_parts(parts).await {
        Ok(p) => p,
        Err(e) => return error(StatusCode::UNPROCESSABLE_ENTITY, &e),
    };
    let mut state = s.state.lock().unwrap();
    if !bearer_is(&headers, &state.token) {
        return unauthorised();
    }
    let Some((_, bytes, file_name)) = parts.iter().find(|(n, _, _)| n == "file").cloned() else {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: File can't be blank",
        );
    };
    let attachment = Attachment {
        bytes,
        file_name,
        description: part_text(&parts, "description"),
    };
    let id = state.new_id();
    let body = attachment_json(&id, &attachment, false);
    state.media.insert(id, attachment);
    (StatusCode::ACCEPTED, axum::Json(body)).into_response()
}

/// `GET /api/v1/media/:id`: processed by now.
async fn read_media(
    State(s): State<Shared>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    s.journal.note("GET /api/v1/media/:id");
    let state = s.state.lock().unwrap();
    if !bearer_is(&headers, &state.token) {
        return unauthorised();
    }
    match state.media.get(&id) {
        Some(a) => axum::Json(attachment_json(&id, a, true)).into_response(),
        None => error(StatusCode::NOT_FOUND, "Record not found"),
    }
}

/// `POST /api/v1/statuses`.
async fn create_status(
    State(s): State<Shared>,
    headers: HeaderMap,
    axum::Json(body): axum::Json<Value>,
) -> Response {
    s.journal.note("POST /api/v1/statuses");
    let mut state = s.state.lock().unwrap();
    if !bearer_is(&headers, &state.token) {
        return unauthorised();
    }
    let key = header(&headers, "idempotency-key");
    if let Some(first) = key.as_ref().and_then(|k| state.by_key.get(k)) {
        return axum::Json(first.clone()).into_response();
    }
    let media_ids: Vec<String> = body["media_ids"]
        .as_array()
        .map(|ids| {
            ids.iter()
                .filter_map(|i| i.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if media_ids.iter().any(|id| !state.media.contains_key(id)) {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: media not found",
        );
    }
    let text = body["status"].as_str().unwrap_or_default().to_owned();
    if text.chars().count() > 500 {
        return error(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation failed: Text character limit of 500 exceeded",
        );
    }
    let id = state.new_id();
    let url = format!("https://social.example/@dinkesjatim/{id}");
    let media: Vec<Value> = media_ids
        .iter()
        .filter_map(|m| state.media.get(m).map(|a| attachment_json(m, a, true)))
        .collect();
    let status = json!({
        "id": id,
        "created_at": Timestamp::now().to_string(),
        "visibility": body["visibility"],
        "language": body["language"],
        "uri": format!("https://social.example/users/dinkesjatim/statuses/{id}"),
        "url": url,
        "content": format!("<p>{text}</p>"),
        "media_attachments": media,
        "account": {"id": "1", "username": "dinkesjatim", "acct": "dinkesjatim"},
    });
    if let Some(k) = &key {
        state.by_key.insert(k.clone(), status.clone());
    }
    state.statuses.push(Status {
        at: Timestamp::now(),
        id,
        url,
        idempotency_key: key,
        body,
    });
    axum::Json(status).into_response()
}

async fn unknown(State(s): State<Shared>, uri: axum::http::Uri) -> Response {
    s.journal.note(format!("? {}", uri.path()));
    error(StatusCode::NOT_FOUND, "Not implemented by the fake")
}
