//! The generic signed webhook: how a source without its own connector (a complaint form, a
//! WhatsApp bridge, a partner agency's system) pushes messages into Humas.
//!
//! # Wire format (our design)
//!
//! ```text
//! POST <humas>/webhooks/signed/<account>
//! Content-Type: application/json
//! X-Humas-Timestamp: 1735689600
//! X-Humas-Signature: sha256=<lowercase hex HMAC-SHA256(key = secret, msg = "<timestamp>.<raw body>")>
//!
//! {"messages":[{"id":"lapor-8812","author":"@warga_sby","author_name":"Warga Surabaya",
//!               "text":"Lampu jalan di Jl. Darmo mati","published_at":"2026-11-28T03:00:00Z",
//!               "permalink":"https://example.go.id/l/8812","kind":"direct"}]}
//! ```
//!
//! * The signature covers the timestamp and the exact body bytes, so a captured request cannot
//!   be replayed later with a new timestamp, nor its body altered. Uppercase hex is accepted.
//! * The timestamp is Unix seconds; requests more than [`REPLAY_WINDOW`] (5 minutes) from our
//!   clock, either way, are refused. Senders must retry with a fresh timestamp and signature.
//! * The body is at most [`MAX_BODY_BYTES`] (5 MiB).
//! * Each message: `id` (string or number, unique per platform: it is the deduplication key, so
//!   a retried delivery is harmless), `author` (handle or user id), `text`, `published_at`
//!   (RFC 3339) are required; `author_name`, `title`, `permalink`, `parent_id`, `thread_id`
//!   and `kind` (`comment`, `reply`, `mention`, `direct`, `news`) are optional. Without `kind`
//!   a message with a `parent_id` is a `reply`, any other a `mention`. Unknown fields are
//!   ignored so senders can add their own.
//! * Invalid messages are reported one by one; the valid ones beside them are accepted.
//!
//! The same item shape is read by the bulk import ([`crate::import`]).

use hmac::{Hmac, Mac};
use humas_domain::ValueError;
use humas_domain::inbox::{Author, ExternalId, Inbound, MessageKind};
use humas_domain::org::Platform;
use jiff::{SignedDuration, Timestamp};
use serde::Deserialize;
use sha2::Sha256;

use crate::Rejected;
use crate::import::{DateError, Problem};

/// Largest body accepted.
pub const MAX_BODY_BYTES: usize = 5 * 1024 * 1024;

/// How far a request's timestamp may be from our clock, either way.
pub const REPLAY_WINDOW: SignedDuration = SignedDuration::from_secs(300);

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "X-Humas-Signature";

/// The header carrying the Unix timestamp.
pub const TIMESTAMP_HEADER: &str = "X-Humas-Timestamp";

/// Why a signed delivery was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignedError {
    /// No timestamp header.
    #[error("missing {TIMESTAMP_HEADER} header: send the Unix time in seconds")]
    MissingTimestamp,
    /// The timestamp is not a number of seconds.
    #[error("{TIMESTAMP_HEADER} must be Unix seconds, e.g. 1735689600")]
    BadTimestamp,
    /// The timestamp is outside the replay window.
    #[error(
        "{TIMESTAMP_HEADER} is {0} seconds away from our clock (more than 300): sign again with the current time and check the sender's clock"
    )]
    Stale(i64),
    /// No signature header.
    #[error("missing {SIGNATURE_HEADER} header: send sha256=<hex HMAC of \"<timestamp>.<body>\">")]
    MissingSignature,
    /// The header is not `sha256=<64 hex digits>`.
    #[error("{SIGNATURE_HEADER} must be sha256= followed by 64 hex digits")]
    BadSignatureFormat,
    /// The signature does not match.
    #[error(
        "signature does not match: sign \"<timestamp>.<exact body bytes>\" with the shared secret"
    )]
    Mismatch,
    /// The body is over [`MAX_BODY_BYTES`].
    #[error("body is larger than 5 MiB: split the messages into several requests")]
    TooLarge,
    /// The body is not `{"messages":[…]}`.
    #[error("body must be a JSON object with a \"messages\" array: {0}")]
    Malformed(String),
}

/// Computes the `X-Humas-Signature` value for a delivery (senders and tests).
#[must_use]
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex::encode(mac(secret, timestamp, body).finalize().into_bytes())
    )
}

fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length; the error branch cannot happen, an empty key is used
    // then only to keep this function total.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret)
        .unwrap_or_else(|_| <Hmac<Sha256> as Mac>::new(&Default::default()));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Checks a delivery's timestamp and signature against `secret` at time `now`.
///
/// The comparison is constant-time (HMAC verification), and the timestamp is checked before
/// the body is hashed so stale replays cost nothing.
///
/// # Errors
/// A [`SignedError`] saying what to fix.
pub fn verify(
    secret: &[u8],
    timestamp_header: Option<&str>,
    signature_header: Option<&str>,
    body: &[u8],
    now: Timestamp,
) -> Result<(), SignedError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(SignedError::TooLarge);
    }
    let raw_ts = timestamp_header.ok_or(SignedError::MissingTimestamp)?;
    let timestamp: i64 = raw_ts
        .trim()
        .parse()
        .map_err(|_| SignedError::BadTimestamp)?;
    let skew = now.as_second().saturating_sub(timestamp);
    if skew.unsigned_abs() > REPLAY_WINDOW.as_secs().unsigned_abs() {
        return Err(SignedError::Stale(skew));
    }
    let raw_sig = signature_header.ok_or(SignedError::MissingSignature)?;
    let expected = raw_sig
        .trim()
        .strip_prefix("sha256=")
        .filter(|h| h.len() == 64)
        .and_then(|h| hex::decode(h).ok())
        .ok_or(SignedError::BadSignatureFormat)?;
    mac(secret, timestamp, body)
        .verify_slice(&expected)
        .map_err(|_| SignedError::Mismatch)
}

#[derive(Deserialize)]
struct Envelope {
    messages: Vec<serde_json::Value>,
}

/// Parses a verified body into messages for `platform`, received at `received_at`.
///
/// # Errors
/// [`SignedError::TooLarge`] or [`SignedError::Malformed`] when the body as a whole is unusable;
/// a bad message is only [`Rejected`].
pub fn parse(
    body: &[u8],
    platform: Platform,
    received_at: Timestamp,
) -> Result<(Vec<Inbound>, Vec<Rejected>), SignedError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(SignedError::TooLarge);
    }
    let envelope: Envelope =
        serde_json::from_slice(body).map_err(|e| SignedError::Malformed(e.to_string()))?;
    let mut messages = Vec::with_capacity(envelope.messages.len());
    let mut rejected = Vec::new();
    for value in envelope.messages {
        match WireMessage::from_value(value) {
            Ok(wire) => match wire.into_inbound(platform, received_at, parse_rfc3339) {
                Ok(m) => messages.push(m),
                Err(bad) => rejected.push(bad.into()),
            },
            Err(bad) => rejected.push(bad.into()),
        }
    }
    Ok((messages, rejected))
}

impl From<ItemError> for Rejected {
    fn from(e: ItemError) -> Self {
        Self {
            external_id: e.id,
            reason: e.problem.reason,
        }
    }
}

/// Why one item could not become a message, with its id when it had one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ItemError {
    pub(crate) id: Option<String>,
    /// What is wrong, with its code for translations (see [`crate::import::LineError`]).
    pub(crate) problem: Problem,
}

/// One message as a webhook or an import line carries it.
#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct WireMessage {
    #[serde(default, deserialize_with = "string_or_number")]
    pub(crate) id: Option<String>,
    #[serde(default)]
    pub(crate) author: Option<String>,
    #[serde(default)]
    pub(crate) author_name: Option<String>,
    #[serde(default)]
    pub(crate) text: Option<String>,
    #[serde(default)]
    pub(crate) title: Option<String>,
    #[serde(default)]
    pub(crate) published_at: Option<String>,
    #[serde(default)]
    pub(crate) permalink: Option<String>,
    #[serde(default, deserialize_with = "string_or_number")]
    pub(crate) parent_id: Option<String>,
    #[serde(default, deserialize_with = "string_or_number")]
    pub(crate) thread_id: Option<String>,
    #[serde(default)]
    pub(crate) kind: Option<String>,
}

/// Ids arrive as strings or, from some systems, as JSON numbers; both are kept as text.
fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let value = Option::<serde_json::Value>::deserialize(d)?;
    match value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s)),
        Some(serde_json::Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(serde::de::Error::custom(format!(
            "an id must be a string or a number, not {other}"
        ))),
    }
}

impl WireMessage {
    /// Reads one item from JSON, keeping its id for the report when the rest does not fit.
    pub(crate) fn from_value(value: serde_json::Value) -> Result<Self, ItemError> {
        let id = match value.get("id") {
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            Some(serde_json::Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        if !value.is_object() {
            return Err(ItemError {
                id,
                problem: Problem::new("not_object", "each message must be a JSON object", ""),
            });
        }
        serde_json::from_value(value).map_err(|e| ItemError {
            id,
            problem: Problem::new(
                "wrong_fields",
                format!("message does not have the documented fields: {e}"),
                e.to_string(),
            ),
        })
    }

    /// Validates the item into an [`Inbound`], reading `published_at` with `parse_date`.
    pub(crate) fn into_inbound(
        self,
        platform: Platform,
        received_at: Timestamp,
        parse_date: fn(&str) -> Result<Timestamp, DateError>,
    ) -> Result<Inbound, ItemError> {
        let id = self.id.clone();
        let fail = |problem: Problem| ItemError {
            id: id.clone(),
            problem,
        };
        // A rule of the domain: its code is `ValueError::code()`, whose message is translated.
        let invalid = |field: &str, e: &ValueError| {
            let reason = format!("{field}: {e}");
            fail(Problem::new(e.code(), reason.clone(), reason))
        };
        let external_id = ExternalId::parse(self.id.as_deref().unwrap_or_default())
            .map_err(|e| invalid("id", &e))?;
        let author = Author::parse(
            self.author.as_deref().unwrap_or_default(),
            self.author_name.as_deref(),
        )
        .map_err(|e| invalid("author", &e))?;
        let published = self
            .published_at
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| {
                fail(Problem::new(
                    "missing_published_at",
                    "published_at is required",
                    "",
                ))
            })?;
        let published_at = parse_date(published.trim())
            .map_err(|e| fail(Problem::new(e.code, e.reason, e.detail)))?;
        let optional_id =
            |raw: Option<&str>, field: &str| -> Result<Option<ExternalId>, ItemError> {
                match raw.map(str::trim).filter(|s| !s.is_empty()) {
                    None => Ok(None),
                    Some(s) => ExternalId::parse(s)
                        .map(Some)
                        .map_err(|e| invalid(field, &e)),
                }
            };
        let parent_external_id = optional_id(self.parent_id.as_deref(), "parent_id")?;
        let thread_external_id = optional_id(self.thread_id.as_deref(), "thread_id")?;
        let kind = match self
            .kind
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(k) => MessageKind::parse(k).map_err(|e| invalid("kind", &e))?,
            None if parent_external_id.is_some() => MessageKind::Reply,
            None => MessageKind::Mention,
        };
        let non_empty = |s: Option<String>| s.filter(|v| !v.trim().is_empty());
        Inbound {
            platform,
            external_id,
            kind,
            author,
            text: self.text.unwrap_or_default(),
            title: non_empty(self.title),
            permalink: non_empty(self.permalink),
            parent_external_id,
            thread_external_id,
            published_at,
        }
        .checked(received_at)
        .map_err(|e| fail(Problem::new(e.code(), e.to_string(), String::new())))
    }
}

/// RFC 3339 (`2026-11-28T03:00:00Z`, `2026-11-28T10:00:00+07:00`).
pub(crate) fn parse_rfc3339(raw: &str) -> Result<Timestamp, DateError> {
    raw.parse::<Timestamp>().map_err(|e| DateError {
        code: "invalid_published_at",
        reason: format!(
            "published_at {raw:?} is not an RFC 3339 time like 2026-11-28T10:00:00+07:00: {e}"
        ),
        detail: format!("{raw:?}: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_id_is_kept_as_text() {
        let w =
            WireMessage::from_value(serde_json::json!({"id": 1234567890123456789_u64})).unwrap();
        assert_eq!(w.id.as_deref(), Some("1234567890123456789"));
    }

    #[test]
    fn an_object_id_is_refused_with_the_reason() {
        let e = WireMessage::from_value(serde_json::json!({"id": {"x": 1}})).unwrap_err();
        assert_eq!(e.id, None);
        assert_eq!(e.problem.code, "wrong_fields");
        assert!(
            e.problem.reason.contains("string or a number"),
            "{}",
            e.problem.reason
        );
    }
}
