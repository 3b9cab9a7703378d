//! Small fakes of the three platforms the publishing browser test posts to, speaking exactly
//! the endpoints Humas's connectors call to publish (see `humas-connectors`' `meta.rs`, `x.rs`
//! and `mastodon.rs`). Each fake checks the bearer token, keeps every request it saw with the
//! time it arrived, and counts the posts it created, so the test can prove that each platform
//! received exactly one post, with the right text, image and alt text, and nothing before the
//! scheduled minute.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test fakes: a failing unwrap is a failing test with a line number"
)]

pub mod instagram;
pub mod mastodon;
pub mod x;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::http::HeaderMap;
use jiff::Timestamp;

/// One request a fake received.
#[derive(Clone, Debug)]
pub struct Hit {
    /// When it arrived.
    pub at: Timestamp,
    /// `METHOD path` and, where it matters, the command (`POST /2/media/upload INIT`).
    pub what: String,
}

/// Every request of one fake, in arrival order.
#[derive(Clone, Debug, Default)]
pub struct Journal(Arc<Mutex<Vec<Hit>>>);

impl Journal {
    /// Notes a request now.
    pub fn note(&self, what: impl Into<String>) {
        self.0.lock().unwrap().push(Hit {
            at: Timestamp::now(),
            what: what.into(),
        });
    }

    /// Every request so far.
    pub fn hits(&self) -> Vec<Hit> {
        self.0.lock().unwrap().clone()
    }

    /// How many requests so far were exactly `what`.
    pub fn count(&self, what: &str) -> usize {
        self.0
            .lock()
            .unwrap()
            .iter()
            .filter(|h| h.what == what)
            .count()
    }
}

/// Serves `app` on a free loopback port; returns its base address (`http://127.0.0.1:port`).
pub async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    format!("http://{addr}")
}

/// Whether the request carries `Authorization: Bearer <token>`.
pub fn bearer_is(headers: &HeaderMap, token: &str) -> bool {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == format!("Bearer {token}"))
}

/// A header's value as text.
pub fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The text fields and file parts of a multipart body, in order: `(name, bytes, file name)`.
pub async fn multipart_parts(
    mut parts: axum::extract::Multipart,
) -> Result<Vec<(String, Vec<u8>, Option<String>)>, String> {
    let mut out = Vec::new();
    loop {
        match parts.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_owned();
                let file = field.file_name().map(str::to_owned);
                let bytes = field.bytes().await.map_err(|e| e.to_string())?;
                out.push((name, bytes.to_vec(), file));
            }
            Ok(None) => return Ok(out),
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// The text of the multipart field `name`, if sent.
pub fn part_text(parts: &[(String, Vec<u8>, Option<String>)], name: &str) -> Option<String> {
    parts
        .iter()
        .find(|(n, _, _)| n == name)
        .map(|(_, b, _)| String::from_utf8_lossy(b).into_owned())
}
