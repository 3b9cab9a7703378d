//! A fake Instagram Graph API for one professional account: `POST /{ig}/media` makes a
//! container and, as Instagram does, fetches the image from `image_url` itself (real HTTP, to
//! Humas's public media address); `GET /{container}?fields=status_code,status` says
//! `FINISHED` only when that fetch got the JPEG bytes; `GET /{ig}/content_publishing_limit`
//! reads the quota; `POST /{ig}/media_publish` publishes a finished container once; and
//! `GET /{media}?fields=permalink` gives the post's link. Any Graph version prefix is taken.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use jiff::Timestamp;
use serde_json::json;

use super::{Journal, bearer_is, serve};

/// The image fetch Instagram made for a container.
#[derive(Clone, Debug)]
pub struct ImageFetch {
    pub url: String,
    pub status: u16,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

/// One published Instagram post.
#[derive(Clone, Debug)]
pub struct IgPost {
    pub at: Timestamp,
    pub media_id: String,
    pub container: String,
    pub caption: String,
    pub alt_text: Option<String>,
    pub image_url: String,
    pub permalink: String,
}

#[derive(Clone, Debug)]
struct Container {
    caption: String,
    alt_text: Option<String>,
    image_url: String,
    /// `FINISHED` when the image was fetched and is the JPEG expected, else `ERROR`.
    status_code: &'static str,
    published_as: Option<String>,
}

#[derive(Debug, Default)]
struct IgState {
    token: String,
    user_id: String,
    expected_image: Vec<u8>,
    containers: HashMap<String, Container>,
    fetches: Vec<ImageFetch>,
    posts: Vec<IgPost>,
    next_id: u64,
}

impl IgState {
    fn new_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        format!("{prefix}{:010}", self.next_id)
    }
}

#[derive(Clone)]
struct Shared {
    state: Arc<Mutex<IgState>>,
    journal: Journal,
    /// Instagram's own client for fetching `image_url`.
    fetcher: reqwest::Client,
}

/// The fake, on its own port.
pub struct FakeInstagram {
    pub base: String,
    shared: Shared,
}

impl FakeInstagram {
    /// Starts a fake for the Instagram user `user_id` that accepts `token` and expects the
    /// containers' images to be exactly `expected_image`.
    pub async fn start(token: &str, user_id: &str, expected_image: Vec<u8>) -> Self {
        let shared = Shared {
            state: Arc::new(Mutex::new(IgState {
                token: token.to_owned(),
                user_id: user_id.to_owned(),
                expected_image,
                ..IgState::default()
            })),
            journal: Journal::default(),
            fetcher: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .unwrap(),
        };
        let app = Router::new()
            .route("/{version}/{id}", get(read_object))
            .route("/{version}/{id}/{edge}", get(read_edge).post(post_edge))
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

    /// Posts published (`media_publish` that made a post).
    pub fn posts(&self) -> Vec<IgPost> {
        self.shared.state.lock().unwrap().posts.clone()
    }

    /// Every fetch of an `image_url`.
    pub fn fetches(&self) -> Vec<ImageFetch> {
        self.shared.state.lock().unwrap().fetches.clone()
    }
}

fn graph_error(status: StatusCode, code: u32, message: &str) -> Response {
    let body = json!({"error": {"message": message, "type": "OAuthException", "code": code,
        "fbtrace_id": "FakeTrace"}});
    (status, axum::Json(body)).into_response()
}

fn unauthorised() -> Response {
    graph_error(
        StatusCode::UNAUTHORIZED,
        190,
        "Invalid OAuth access token - Cannot parse access token",
    )
}

fn no_object(id: &str) -> Response {
    graph_error(
        StatusCode::BAD_REQUEST,
        100,
        &format!("Unsupported get request. Object with ID '{id}' does not exist"),
    )
}

/// `GET /{container}?fields=status_code,status` or `GET /{media}?fields=permalink`.
async fn read_object(
    State(s): State<Shared>,
    Path((_version, id)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let fields = q.get("fields").cloned().unwrap_or_default();
    s.journal.note(format!("GET /{{id}}?fields={fields}"));
    let state = s.state.lock().unwrap();
    if !bearer_is(&headers, &state.token) {
        return unauthorised();
    }
    if let Some(c) = state.containers.get(&id) {
        let status = if c.status_code == "FINISHED" {
            "Finished: Media container has been processed"
        } else {
            "Error: The media could not be fetched from the URI"
        };
        return axum::Json(json!({"id": id, "status_code": c.status_code, "status": status}))
            .into_response();
    }
    match state.posts.iter().find(|p| p.media_id == id) {
        Some(p) => axum::Json(json!({"id": id, "permalink": p.permalink})).into_response(),
        None => no_object(&id),
    }
}

/// `GET /{ig}/content_publishing_limit`: plenty of quota left.
async fn read_edge(
    State(s): State<Shared>,
    Path((_version, id, edge)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> Response {
    s.journal.note(format!("GET /{{ig}}/{edge}"));
    let state = s.state.lock().unwrap();
    if !bearer_is(&headers, &state.token) {
        return unauthorised();
    }
    if id != state.user_id || edge != "content_publishing_limit" {
        return no_object(&id);
    }
    axum::Json(json!({"data": [{
        "config": {"quota_total": 100, "quota_duration": 86_400},
        "quota_usage": state.posts.len(),
    }]}))
    .into_response()
}

/// `POST /{ig}/media` (a container) and `POST /{ig}/media_publish`.
async fn post_edge(
    State(s): State<Shared>,
    Path((_version, id, edge)): Path<(String, String, String)>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    s.journal.note(format!("POST /{{ig}}/{edge}"));
    {
        let state = s.state.lock().unwrap();
        if !bearer_is(&headers, &state.token) {
            return unauthorised();
        }
        if id != state.user_id {
            return no_object(&id);
        }
    }
    match edge.as_str() {
        "media" => create_container(&s, form).await,
        "media_publish" => publish(&s, &form),
        _ => no_object(&edge),
    }
}

async fn create_container(s: &Shared, form: HashMap<String, String>) -> Response {
    let Some(image_url) = form.get("image_url").cloned() else {
        return graph_error(
            StatusCode::BAD_REQUEST,
            100,
            "The parameter image_url is required",
        );
    };
    // Instagram reads the image from the address itself, before the container is ready.
    let fetch = fetch_image(&s.fetcher, &image_url).await;
    let mut state = s.state.lock().unwrap();
    let ok = fetch.status == 200
        && fetch.content_type.as_deref() == Some("image/jpeg")
        && fetch.bytes == state.expected_image;
    state.fetches.push(fetch);
    let container = state.new_id("1790000");
    state.containers.insert(
        container.clone(),
        Container {
            caption: form.get("caption").cloned().unwrap_or_default(),
            alt_text: form.get("alt_text").cloned(),
            image_url,
            status_code: if ok { "FINISHED" } else { "ERROR" },
            published_as: None,
        },
    );
    axum::Json(json!({"id": container})).into_response()
}

async fn fetch_image(client: &reqwest::Client, url: &str) -> ImageFetch {
    match client.get(url).send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let content_type = response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            let bytes = response
                .bytes()
                .await
                .map(|b| b.to_vec())
                .unwrap_or_default();
            ImageFetch {
                url: url.to_owned(),
                status,
                content_type,
                bytes,
            }
        }
        Err(e) => ImageFetch {
            url: url.to_owned(),
            status: 0,
            content_type: Some(format!("fetch failed: {e}")),
            bytes: Vec::new(),
        },
    }
}

fn publish(s: &Shared, form: &HashMap<String, String>) -> Response {
    let mut state = s.state.lock().unwrap();
    let Some(creation_id) = form.get("creation_id").cloned() else {
        return graph_error(
            StatusCode::BAD_REQUEST,
            100,
            "The parameter creation_id is required",
        );
    };
    let Some(container) = state.containers.get(&creation_id).cloned() else {
        return no_object(&creation_id);
    };
    if container.status_code != "FINISHED" || container.published_as.is_some() {
        // Instagram's "media not ready" / already used container.
        return graph_error(
            StatusCode::BAD_REQUEST,
            9007,
            "The media is not ready for publishing, please wait for a moment",
        );
    }
    let media_id = state.new_id("1800000");
    let permalink = format!(
        "https://www.instagram.com/p/HUMAS{}/",
        state.posts.len() + 1
    );
    state.posts.push(IgPost {
        at: Timestamp::now(),
        media_id: media_id.clone(),
        container: creation_id.clone(),
        caption: container.caption.clone(),
        alt_text: container.alt_text.clone(),
        image_url: container.image_url.clone(),
        permalink,
    });
    if let Some(c) = state.containers.get_mut(&creation_id) {
        c.published_as = Some(media_id.clone());
    }
    axum::Json(json!({"id": media_id})).into_response()
}

async fn unknown(State(s): State<Shared>, uri: axum::http::Uri) -> Response {
    s.journal.note(format!("? {}", uri.path()));
    graph_error(StatusCode::NOT_FOUND, 803, "Unknown path components")
}
