//! Streaming an uploaded file into `App::import_messages`, for the import page
//! (`POST /inbox/import`, a multipart form) and the API (`POST /api/v1/accounts/{id}/import`,
//! the file as the body).
//!
//! The upload is read chunk by chunk on the request's task and handed over a small bounded
//! channel to the parser, which runs on a blocking thread (the readers of
//! `humas_connectors::import` are synchronous), so at most a few chunks, one line and one batch
//! of messages are in memory whatever the file's size, and nothing is held twice. The body is
//! counted as it comes: past [`IMPORT_UPLOAD_LIMIT`] reading stops (a declared
//! `Content-Length` over it is refused before anything is read).

use std::io::{BufReader, Read};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::multipart::Field;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};
use humas_app::App;
use humas_app::inbox::import::{
    ImportFormat, ImportLines, ImportReport, ImportSource, RejectedLine,
};
use humas_connectors::import::{LineError, csv, ndjson};
use humas_domain::{Account, Actor, Platform};
use jiff::Timestamp;
use tokio::sync::mpsc;

use crate::AppState;
use crate::error::Failure;

/// The import page.
pub(crate) const PAGE: &str = "/inbox/import";

/// The largest import request (the file and, for the page, the form around it). Larger files
/// are split, or imported with `humas import` on the server.
pub(crate) const IMPORT_UPLOAD_LIMIT: usize = 50 * 1024 * 1024;

/// How long an import request may take: a 50 MiB file is about 200,000 messages, which the
/// ingest pipeline stores in about 40 s on the reference machine (SQLite, `BENCHMARKS.md`);
/// slower disks and busier servers get room. Every other request has `request_timeout`.
pub(crate) const IMPORT_TIME_LIMIT: Duration = Duration::from_secs(15 * 60);

/// Whether a request is a bulk import (the page's upload or the API's).
fn is_import(method: &Method, path: &str) -> bool {
    method == Method::POST
        && (path == PAGE
            || path
                .strip_prefix("/api/v1/accounts/")
                .and_then(|rest| rest.strip_suffix("/import"))
                .is_some_and(|id| !id.is_empty() && !id.contains('/')))
}

/// The request time limit: [`IMPORT_TIME_LIMIT`] for imports, `request_timeout` for the rest;
/// past it the request is answered 408 and its work dropped.
pub(crate) async fn time_limit(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let limit = if is_import(req.method(), req.uri().path()) {
        IMPORT_TIME_LIMIT
    } else {
        state.settings.request_timeout
    };
    tokio::time::timeout(limit, next.run(req))
        .await
        .unwrap_or_else(|_| StatusCode::REQUEST_TIMEOUT.into_response())
}

/// Chunks in flight between the request and the parser.
const IN_FLIGHT: usize = 8;

/// Error codes of the import besides the shared ones.
pub(crate) const IMPORT_ERROR_CODES: &[&str] = &["import_unreadable", "import_too_large"];

/// A request over the limit.
pub(crate) fn too_large() -> Failure {
    too_large_after(0)
}

fn too_large_after(stored: u64) -> Failure {
    let mut message = format!(
        "the file is larger than {} MiB: split it and import the parts one by one (messages \
         already stored are skipped), or use `humas import` on the server",
        IMPORT_UPLOAD_LIMIT / (1024 * 1024)
    );
    if stored > 0 {
        message.push_str(&format!(
            "; the {stored} new messages read before the limit are stored"
        ));
    }
    Failure::new(StatusCode::PAYLOAD_TOO_LARGE, "import_too_large", message)
}

/// Where the file's bytes come from.
pub(crate) enum Upload<'a> {
    /// The `file` part of the import form.
    Field(Box<Field<'a>>),
    /// A request body (the API).
    Body(Body),
}

/// Why reading the upload stopped early.
enum ReadFailure {
    TooLarge,
    Broken(String),
}

impl Upload<'_> {
    async fn chunk(&mut self) -> Result<Option<Bytes>, ReadFailure> {
        match self {
            Self::Field(field) => field.chunk().await.map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ReadFailure::TooLarge
                } else {
                    ReadFailure::Broken(e.body_text())
                }
            }),
            Self::Body(body) => crate::csrf::next_chunk(body)
                .await
                .map_err(|e| ReadFailure::Broken(e.to_string())),
        }
    }
}

/// What an import did, and in which format it read the file.
pub(crate) struct Imported {
    pub report: ImportReport,
    pub format: ImportFormat,
}

/// Reads the upload into `account`'s inbox as `actor`. `format` `None` tells it from the name
/// and the first bytes. Who may import is checked by the application before the file is read.
pub(crate) async fn import_upload(
    app: &App,
    actor: &Actor,
    account: &Account,
    name: &str,
    format: Option<ImportFormat>,
    mut upload: Upload<'_>,
) -> Result<Imported, Failure> {
    // The first bytes that say something, to tell the format by.
    let mut head: Vec<Bytes> = Vec::new();
    let mut total = 0_usize;
    let mut early = None;
    while format.is_none() && !head.iter().flatten().any(|b| !b.is_ascii_whitespace()) {
        match upload.chunk().await {
            Ok(Some(chunk)) => {
                total += chunk.len();
                head.push(chunk);
                if total > IMPORT_UPLOAD_LIMIT {
                    early = Some(ReadFailure::TooLarge);
                    break;
                }
            }
            Ok(None) => break,
            Err(e) => {
                early = Some(e);
                break;
            }
        }
    }
    match early {
        Some(ReadFailure::TooLarge) => {
            return Err(too_large());
        }
        Some(ReadFailure::Broken(detail)) => {
            return Err(Failure::malformed(detail));
        }
        None => {}
    }
    let format = format.unwrap_or_else(|| {
        let first: Vec<u8> = head.iter().flatten().take(64).copied().collect();
        ImportFormat::detect(name, &first)
    });
    let source = ImportSource {
        name: name.to_owned(),
        format,
    };
    let (tx, rx) = mpsc::channel::<std::io::Result<Bytes>>(IN_FLIGHT);
    let reader = BufReader::with_capacity(
        64 * 1024,
        ChannelReader {
            rx,
            current: Bytes::new(),
        },
    );
    let import = app.import_messages(actor, account, &source, move |platform, at| {
        open_lines(reader, format, platform, at)
    });
    let feed = async move {
        let mut failure = None;
        let mut open = true;
        for chunk in head {
            open = open && tx.send(Ok(chunk)).await.is_ok();
        }
        let mut drain_until = None;
        loop {
            let next = match drain_until {
                None => upload.chunk().await,
                Some(until) => match tokio::time::timeout_at(until, upload.chunk()).await {
                    Ok(next) => next,
                    Err(_) => break,
                },
            };
            match next {
                Ok(Some(chunk)) => {
                    total += chunk.len();
                    if total > IMPORT_UPLOAD_LIMIT.saturating_mul(2) {
                        break;
                    }
                    if total > IMPORT_UPLOAD_LIMIT && failure.is_none() {
                        failure = Some(ReadFailure::TooLarge);
                        let _ = tx.send(Err(std::io::Error::other("over the limit"))).await;
                        open = false;
                    } else if open {
                        open = tx.send(Ok(chunk)).await.is_ok();
                    }
                    // Once the parser has stopped (a refused header, a storage failure, the
                    // limit) the rest is still read for a while, so the client gets the answer
                    // rather than a connection reset half way through its upload.
                    if !open && drain_until.is_none() {
                        drain_until = Some(tokio::time::Instant::now() + crate::csrf::DRAIN_TIME);
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    if failure.is_none() {
                        failure = Some(e);
                        let _ = tx
                            .send(Err(std::io::Error::other("the upload broke off")))
                            .await;
                    }
                    break;
                }
            }
        }
        failure
    };
    let (imported, failure) = tokio::join!(import, feed);
    match failure {
        Some(ReadFailure::TooLarge) => {
            let stored = imported.as_ref().map_or(0, |r| r.inserted);
            Err(too_large_after(stored))
        }
        Some(ReadFailure::Broken(detail)) => {
            let stored = imported.as_ref().map_or(0, |r| r.inserted);
            Err(Failure::malformed(format!(
                "{detail}; the upload broke off after {stored} new messages were stored: send it \
                 again (stored messages are skipped)"
            )))
        }
        None => Ok(Imported {
            report: imported.map_err(Failure::from)?,
            format,
        }),
    }
}

/// The parser of `format` over `reader`: the lines, or why the file cannot be read at all.
fn open_lines<R: std::io::BufRead + Send + 'static>(
    reader: R,
    format: ImportFormat,
    platform: Platform,
    received_at: Timestamp,
) -> Result<ImportLines, String> {
    let rejected = |e: LineError| RejectedLine {
        line: e.line,
        reason: e.reason,
        code: e.code,
        detail: e.detail,
    };
    Ok(match format {
        ImportFormat::Ndjson => {
            Box::new(ndjson(reader, platform, received_at).map(move |l| l.map_err(rejected)))
        }
        ImportFormat::Csv => Box::new(
            csv(reader, platform, received_at)
                .map_err(|e| e.to_string())?
                .map(move |l| l.map_err(rejected)),
        ),
    })
}

/// The upload as a blocking reader, for the parser's thread.
struct ChannelReader {
    rx: mpsc::Receiver<std::io::Result<Bytes>>,
    current: Bytes,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(e)) => return Err(e),
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        self.current = self.current.slice(n..);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use std::io::Read as _;

    use super::*;

    #[test]
    fn the_channel_reads_as_one_stream_and_ends_with_an_error_when_told() {
        let (tx, rx) = mpsc::channel(4);
        let mut r = ChannelReader {
            rx,
            current: Bytes::new(),
        };
        tx.try_send(Ok(Bytes::from_static(b"ab"))).unwrap();
        tx.try_send(Ok(Bytes::new())).unwrap();
        tx.try_send(Ok(Bytes::from_static(b"cde"))).unwrap();
        drop(tx);
        let mut all = String::new();
        r.read_to_string(&mut all).unwrap();
        assert_eq!(all, "abcde");

        let (tx, rx) = mpsc::channel(4);
        let mut r = ChannelReader {
            rx,
            current: Bytes::new(),
        };
        tx.try_send(Ok(Bytes::from_static(b"x"))).unwrap();
        tx.try_send(Err(std::io::Error::other("stop"))).unwrap();
        let mut all = Vec::new();
        assert!(r.read_to_end(&mut all).is_err());
        assert_eq!(all, b"x");
    }

    #[test]
    fn only_imports_get_the_long_time_limit() {
        assert!(is_import(&Method::POST, "/inbox/import"));
        assert!(is_import(&Method::POST, "/api/v1/accounts/0190/import"));
        assert!(!is_import(&Method::GET, "/inbox/import"));
        assert!(!is_import(&Method::POST, "/api/v1/accounts//import"));
        assert!(!is_import(&Method::POST, "/api/v1/accounts/a/b/import"));
        assert!(!is_import(&Method::POST, "/api/v1/accounts/0190/slots"));
        assert!(!is_import(&Method::POST, "/posts/media"));
    }

    #[test]
    fn the_import_codes_are_translated() {
        use humas_domain::Locale;
        for lang in [Locale::Id, Locale::En] {
            let tr = crate::i18n::Tr::new(lang);
            for code in IMPORT_ERROR_CODES {
                assert!(tr.has(&format!("error-{code}")), "error-{code} in {lang}");
            }
        }
    }
}
