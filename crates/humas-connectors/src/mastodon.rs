//! Mastodon (shared brief `platform-apis.md`, section 6): mention notifications, replies with an
//! `Idempotency-Key`, deleting our statuses.
//!
//! **Filter:** `GET /api/v1/notifications?types[]=mention&limit=…` — exactly the filter the brief
//! gives (section 6.2). Replies to our posts arrive as `mention` notifications too, so this one
//! type covers mentions, replies and direct messages (a `direct` status).
//!
//! **Cursor** (opaque to callers, JSON): `{"min_id": "<newest notification id read>"}`. With
//! `min_id`, Mastodon returns the notifications immediately newer than it, so polling forward
//! page by page reads every notification once, in order; the next `min_id` is taken from the
//! `Link: <…?min_id=…>; rel="prev"` header (falling back to the newest id on the page). Polling
//! the same cursor again returns the same page, so a crash skips nothing. The first poll (no
//! cursor) reads only the newest page: there is no backfill of history.
//!
//! Hiding is [`ConnectorError::Unsupported`]: Mastodon has no way to hide another account's
//! reply from our thread (only mute the conversation, block or report its author).

use std::time::Duration;

use async_trait::async_trait;
use humas_domain::inbox::{Author, ExternalId, Inbound, MessageKind};
use humas_domain::org::Platform;
use jiff::Timestamp;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::{Method, Response, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::http::{Http, parse_json, read_body, retry_after, transport_error};
use crate::{ConnectorError, Page, Poller, Rejected, Responder};

/// How to reach one Mastodon account.
#[derive(Clone, Debug)]
pub struct MastodonConfig {
    /// The instance, e.g. `https://social.example` (the account's effective base).
    pub api_base: String,
    /// Our account's id on that instance (replies to it are [`MessageKind::Reply`]).
    pub account_id: String,
    /// OAuth 2.0 user token (scopes `read:notifications read:statuses write:statuses`).
    /// `Debug` prints it redacted.
    pub access_token: SecretString,
    /// Notifications per page, 1–80 (Mastodon's bounds; clamped).
    pub page_size: u8,
}

impl MastodonConfig {
    /// A configuration with Mastodon's default page (40).
    #[must_use]
    pub fn new(api_base: &str, account_id: &str, access_token: SecretString) -> Self {
        Self {
            api_base: api_base.to_owned(),
            account_id: account_id.to_owned(),
            access_token,
            page_size: 40,
        }
    }
}

/// Reads mentions from and answers on one Mastodon account.
#[derive(Clone, Debug)]
pub struct MastodonClient {
    http: Http,
    config: MastodonConfig,
}

impl MastodonClient {
    /// A client over the guarded `http`.
    #[must_use]
    pub const fn new(http: Http, config: MastodonConfig) -> Self {
        Self { http, config }
    }

    /// Replies to `parent` with an explicit idempotency key (e.g. the outbox id of the reply):
    /// Mastodon keeps the key for an hour and answers a repeat with the first status, so a send
    /// retried after a lost answer cannot post twice.
    ///
    /// The reply starts with `@acct` of the parent's author (Mastodon does not add it) and keeps
    /// the parent's visibility, so an answer to a direct message stays direct.
    ///
    /// # Errors
    /// [`ConnectorError`]; 422 (text too long, parent gone) is [`ConnectorError::Refused`].
    pub async fn reply_with_key(
        &self,
        parent: &ExternalId,
        text: &str,
        idempotency_key: &str,
    ) -> Result<ExternalId, ConnectorError> {
        if text.trim().is_empty() {
            return Err(ConnectorError::Refused(
                "the reply is empty; Mastodon refuses a status without text".to_owned(),
            ));
        }
        let path = format!("/api/v1/statuses/{}", segment(parent.as_ref()));
        let (_, _, bytes) = self.send(Method::GET, &path, &[], None, None).await?;
        let parent_status: Status = parse_json(&bytes)?;
        let body = serde_json::json!({
            "status": addressed(text, parent_status.account.as_ref().map(|a| a.acct.as_str())),
            "in_reply_to_id": parent.as_ref(),
            "visibility": parent_status.visibility.as_deref().unwrap_or("public"),
            "language": "id",
        });
        let (_, _, bytes) = self
            .send(
                Method::POST,
                "/api/v1/statuses",
                &[],
                Some(&body),
                Some(idempotency_key),
            )
            .await?;
        let created: Status = parse_json(&bytes)?;
        ExternalId::parse(created.id.as_deref().unwrap_or_default()).map_err(|e| {
            ConnectorError::Malformed(format!(
                "POST /api/v1/statuses returned an unusable id: {e}"
            ))
        })
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&serde_json::Value>,
        idempotency_key: Option<&str>,
    ) -> Result<(StatusCode, Option<String>, Vec<u8>), ConnectorError> {
        let mut url = self.http.url(&self.config.api_base, path)?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let mut request = self
            .http
            .client()
            .request(method, url)
            .bearer_auth(self.config.access_token.expose_secret());
        if let Some(body) = body {
            request = request.json(body);
        }
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        let response = request.send().await.map_err(|e| transport_error(&e))?;
        let status = response.status();
        if !status.is_success() {
            return Err(error_from_response(response).await);
        }
        let link = response
            .headers()
            .get("link")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok((status, link, read_body(response).await?))
    }
}

#[async_trait]
impl Poller for MastodonClient {
    async fn poll(&self, cursor: Option<&str>) -> Result<Page, ConnectorError> {
        let state = Cursor::decode(cursor)?;
        let limit = self.config.page_size.clamp(1, 80);
        let limit_text = limit.to_string();
        let mut query = vec![("types[]", "mention"), ("limit", limit_text.as_str())];
        if let Some(min_id) = &state.min_id {
            query.push(("min_id", min_id));
        }
        let (_, link, body) = self
            .send(Method::GET, "/api/v1/notifications", &query, None, None)
            .await?;
        let items: Vec<serde_json::Value> = parse_json(&body)?;
        Ok(self.page_from_notifications(items, link.as_deref(), &state, usize::from(limit)))
    }
}

#[async_trait]
impl Responder for MastodonClient {
    /// The idempotency key is derived from the parent and the text, so the same reply retried
    /// within Mastodon's hour posts once. Callers with their own reply id should prefer
    /// [`MastodonClient::reply_with_key`].
    async fn reply(
        &self,
        parent: &ExternalId,
        _thread: Option<&ExternalId>,
        text: &str,
    ) -> Result<ExternalId, ConnectorError> {
        self.reply_with_key(parent, text, &idempotency_key(parent, text))
            .await
    }

    async fn set_hidden(&self, _id: &ExternalId, _hidden: bool) -> Result<(), ConnectorError> {
        Err(ConnectorError::Unsupported(
            "hiding a reply (Mastodon can only mute the conversation, block or report the author)",
        ))
    }

    async fn delete(&self, id: &ExternalId) -> Result<(), ConnectorError> {
        let path = format!("/api/v1/statuses/{}", segment(id.as_ref()));
        self.send(Method::DELETE, &path, &[], None, None).await?;
        Ok(())
    }
}

/// A stable key for one reply: the same parent and text give the same key.
#[must_use]
pub fn idempotency_key(parent: &ExternalId, text: &str) -> String {
    let mut hash = Sha256::new();
    hash.update(b"humas-mastodon-reply\0");
    hash.update(parent.as_ref().as_bytes());
    hash.update(b"\0");
    hash.update(text.as_bytes());
    hex::encode(&hash.finalize()[..16])
}

/// Prefixes `@acct` unless the text already names them.
fn addressed(text: &str, acct: Option<&str>) -> String {
    match acct.map(str::trim).filter(|a| !a.is_empty()) {
        Some(acct) if !text.contains(&format!("@{acct}")) => format!("@{acct} {text}"),
        _ => text.to_owned(),
    }
}

fn segment(id: &str) -> String {
    utf8_percent_encode(id, NON_ALPHANUMERIC).to_string()
}

// ---------------------------------------------------------------------------------------------
// Cursor and page mapping

/// The saved position; see the module documentation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Cursor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    min_id: Option<String>,
}

impl Cursor {
    fn decode(raw: Option<&str>) -> Result<Self, ConnectorError> {
        match raw {
            None => Ok(Self::default()),
            Some(raw) => serde_json::from_str(raw).map_err(|e| {
                ConnectorError::Target(format!(
                    "saved Mastodon cursor {raw:?} is not one this connector wrote ({e}); clear \
                     the account's cursor to start from the newest mentions"
                ))
            }),
        }
    }
}

/// Mastodon ids are decimal strings; a longer one is larger.
fn id_order(id: &str) -> (usize, &str) {
    (id.len(), id)
}

impl MastodonClient {
    fn page_from_notifications(
        &self,
        items: Vec<serde_json::Value>,
        link: Option<&str>,
        state: &Cursor,
        limit: usize,
    ) -> Page {
        let now = Timestamp::now();
        let count = items.len();
        let mut page = Page::default();
        let mut newest: Option<String> = None;
        let mut read: Vec<(String, Inbound)> = Vec::new();
        for value in items {
            let id = value
                .get("id")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned);
            if let Some(id) = &id
                && newest.as_deref().is_none_or(|n| id_order(id) > id_order(n))
            {
                newest = Some(id.clone());
            }
            let status_id = value
                .pointer("/status/id")
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned);
            match serde_json::from_value::<Notification>(value) {
                Ok(n) if n.kind != "mention" => {}
                Ok(n) => match self.inbound_from_notification(&n, now) {
                    Ok(message) => read.push((n.id.unwrap_or_default(), message)),
                    Err(reason) => page.rejected.push(Rejected {
                        external_id: status_id.or(n.id),
                        reason,
                    }),
                },
                Err(e) => page.rejected.push(Rejected {
                    external_id: status_id.or(id),
                    reason: format!("notification does not have the documented shape: {e}"),
                }),
            }
        }
        // Mastodon lists newest first; the inbox wants oldest first.
        read.sort_by(|a, b| id_order(&a.0).cmp(&id_order(&b.0)));
        page.messages = read.into_iter().map(|(_, m)| m).collect();
        let next_min = link.and_then(prev_min_id).or(newest);
        let next = Cursor {
            min_id: next_min.or_else(|| state.min_id.clone()),
        };
        page.more = count >= limit;
        page.cursor =
            (count > 0 && next != *state).then(|| serde_json::to_string(&next).unwrap_or_default());
        page
    }

    fn inbound_from_notification(
        &self,
        n: &Notification,
        now: Timestamp,
    ) -> Result<Inbound, String> {
        let status = n.status.as_ref().ok_or("mention without a status")?;
        let id = status.id.as_deref().ok_or("status has no id")?;
        let external_id = ExternalId::parse(id).map_err(|e| format!("status id: {e}"))?;
        let account = status
            .account
            .as_ref()
            .or(n.account.as_ref())
            .ok_or("mention without an account")?;
        let author = Author::parse(
            &format!("@{}", account.acct),
            account.display_name.as_deref(),
        )
        .map_err(|e| format!("author: {e}"))?;
        let created = status
            .created_at
            .as_deref()
            .or(n.created_at.as_deref())
            .ok_or("status has no created_at")?;
        let published_at: Timestamp = created
            .parse()
            .map_err(|e| format!("created_at {created:?} is not an ISO 8601 time: {e}"))?;
        let parent = status
            .in_reply_to_id
            .as_deref()
            .map(ExternalId::parse)
            .transpose()
            .map_err(|e| format!("in_reply_to_id: {e}"))?;
        let kind = if status.visibility.as_deref() == Some("direct") {
            MessageKind::Direct
        } else if parent.is_some() {
            MessageKind::Reply
        } else {
            MessageKind::Mention
        };
        Inbound {
            platform: Platform::Mastodon,
            external_id,
            kind,
            author,
            text: html_to_text(status.content.as_deref().unwrap_or_default()),
            title: None,
            permalink: status.url.clone().or_else(|| status.uri.clone()),
            parent_external_id: parent,
            // Mastodon names only the direct parent; the root needs `/context`.
            thread_external_id: None,
            published_at,
        }
        .checked(now)
        .map_err(|e| e.to_string())
    }
}

/// The `min_id` of the `rel="prev"` link: the position just past the newest item returned.
fn prev_min_id(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        let is_prev = params
            .split(';')
            .any(|p| p.trim().trim_start_matches("rel=").trim_matches('"') == "prev");
        if !is_prev {
            return None;
        }
        let target = target.trim().trim_start_matches('<').trim_end_matches('>');
        let url = url::Url::parse(target).ok()?;
        url.query_pairs()
            .find(|(k, _)| k == "min_id")
            .map(|(_, v)| v.into_owned())
            .filter(|v| !v.is_empty())
    })
}

// ---------------------------------------------------------------------------------------------
// HTML content to plain text

/// Mastodon's sanitised status HTML as plain text: tags removed, entities decoded, a line break
/// for `<br>` and a blank line between paragraphs (`</p>`).
#[must_use]
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find(['<', '&']) {
        out.push_str(&rest[..lt]);
        rest = &rest[lt..];
        if rest.starts_with('<') {
            let Some(gt) = rest.find('>') else {
                // An unclosed tag: the rest is not text.
                rest = "";
                break;
            };
            push_tag_break(&mut out, &rest[1..gt]);
            rest = &rest[gt + 1..];
        } else {
            let (decoded, used) = decode_entity(rest);
            out.push_str(&decoded);
            rest = &rest[used..];
        }
    }
    out.push_str(rest);
    out.trim_end().trim_start_matches('\n').to_owned()
}

fn push_tag_break(out: &mut String, tag: &str) {
    let name: String = tag
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
        .collect::<String>()
        .to_ascii_lowercase();
    match name.as_str() {
        "br" | "br/" => out.push('\n'),
        "/p" => out.push_str("\n\n"),
        _ => {}
    }
}

/// Decodes one entity at the start of `s` (which starts with `&`); returns the text and the
/// bytes consumed. Anything unrecognised stays as written.
fn decode_entity(s: &str) -> (String, usize) {
    let Some(end) = s[1..].find(';').map(|i| i + 1).filter(|e| *e <= 12) else {
        return ("&".to_owned(), 1);
    };
    let name = &s[1..end];
    let named = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" | "#39" => Some('\''),
        "nbsp" => Some(' '),
        _ => None,
    };
    let numeric = || {
        let digits = name.strip_prefix('#')?;
        let code = match digits.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => digits.parse().ok()?,
        };
        char::from_u32(code).filter(|c| !c.is_control() || *c == '\n')
    };
    match named.or_else(numeric) {
        Some(c) => (c.to_string(), end + 1),
        None => ("&".to_owned(), 1),
    }
}

// ---------------------------------------------------------------------------------------------
// Wire shapes (section 6.2)

#[derive(Deserialize)]
struct Notification {
    id: Option<String>,
    #[serde(rename = "type")]
    kind: String,
    created_at: Option<String>,
    account: Option<Account>,
    status: Option<Status>,
}

#[derive(Deserialize)]
struct Account {
    acct: String,
    display_name: Option<String>,
}

#[derive(Deserialize)]
struct Status {
    id: Option<String>,
    created_at: Option<String>,
    in_reply_to_id: Option<String>,
    visibility: Option<String>,
    content: Option<String>,
    url: Option<String>,
    uri: Option<String>,
    account: Option<Account>,
}

#[derive(Default, Deserialize)]
struct ErrorBody {
    error: Option<String>,
    error_description: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Errors

async fn error_from_response(response: Response) -> ConnectorError {
    let status = response.status();
    let wait = reset_in(&response, Timestamp::now()).or_else(|| retry_after(&response));
    let body = read_body(response).await.unwrap_or_default();
    let error: ErrorBody = serde_json::from_slice(&body).unwrap_or_default();
    let mut detail = format!("HTTP {}", status.as_u16());
    for part in [error.error, error.error_description].into_iter().flatten() {
        detail.push_str(": ");
        detail.push_str(&part);
    }
    match status.as_u16() {
        401 => ConnectorError::TokenExpired(detail),
        403 => ConnectorError::Forbidden(detail),
        404 | 410 => ConnectorError::NotFound(detail),
        429 => ConnectorError::RateLimited {
            retry_after: wait,
            detail,
        },
        500..=599 => ConnectorError::Unavailable {
            retry_after: wait,
            detail,
        },
        _ => ConnectorError::Refused(detail),
    }
}

/// The wait until `X-RateLimit-Reset`, an ISO 8601 time (`2025-01-01T03:05:00.000000Z`
/// \[verify\]), at most a day; zero once it passed.
fn reset_in(response: &Response, now: Timestamp) -> Option<Duration> {
    let raw = response.headers().get("x-ratelimit-reset")?.to_str().ok()?;
    let reset: Timestamp = raw.trim().parse().ok()?;
    let wait = reset
        .as_second()
        .saturating_sub(now.as_second())
        .clamp(0, 86_400);
    Some(Duration::from_secs(wait.unsigned_abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_text_with_line_breaks() {
        let html = "<p><span class=\"h-card\"><a href=\"https://social.example/@humas\" \
                    class=\"u-url mention\">@<span>humas</span></a></span> lampu jalan mati<br>\
                    di Jl. Merdeka &amp; Jl. Sudirman</p><p>Sejak &quot;kemarin&quot; &#8212; \
                    &lt;3 &#x1F64F;&nbsp;ok &bogus; a&b</p>";
        assert_eq!(
            html_to_text(html),
            "@humas lampu jalan mati\ndi Jl. Merdeka & Jl. Sudirman\n\nSejak \"kemarin\" — <3 🙏 ok &bogus; a&b"
        );
        assert_eq!(html_to_text("<p>a<br/>b<br />c</p>"), "a\nb\nc");
        assert_eq!(html_to_text("teks <unclosed"), "teks");
        assert_eq!(html_to_text("&#0; &#x110000; &"), "&#0; &#x110000; &");
    }

    #[test]
    fn the_prev_link_gives_the_next_min_id() {
        let link = "<https://social.example/api/v1/notifications?max_id=34975535>; rel=\"next\", \
                    <https://social.example/api/v1/notifications?min_id=34975861>; rel=\"prev\"";
        assert_eq!(prev_min_id(link).as_deref(), Some("34975861"));
        assert_eq!(prev_min_id("<https://x/?max_id=1>; rel=\"next\""), None);
        assert_eq!(prev_min_id("garbage"), None);
    }

    #[test]
    fn replies_are_addressed_and_keys_stable() {
        assert_eq!(
            addressed("Terima kasih", Some("warga@other.example")),
            "@warga@other.example Terima kasih"
        );
        assert_eq!(
            addressed("@warga terima kasih", Some("warga")),
            "@warga terima kasih"
        );
        let parent = ExternalId::parse("1").unwrap();
        assert_eq!(idempotency_key(&parent, "a"), idempotency_key(&parent, "a"));
        assert_ne!(idempotency_key(&parent, "a"), idempotency_key(&parent, "b"));
    }
}
