//! Telegram Bot API (shared brief `platform-apis.md`, section 9.1): posting to a channel, and
//! alert messages to a chat.
//!
//! **Sending:** text alone is `sendMessage` (JSON, no `parse_mode`: plain text needs no
//! escaping); one photo is `sendPhoto` and one video `sendVideo` (multipart, the text as
//! `caption`). A post with more than one medium is refused with the reason; the channel limits
//! allow one photo anyway.
//!
//! **Exactly once:** the Bot API has no idempotency key and cannot read a channel's history, so
//! [`Publisher::find_published`] is [`ConnectorError::Unsupported`]: after a crash that left
//! the outcome unknown, the worker asks a person instead of risking a second post.
//!
//! **Secrets:** the bot token is part of every URL (`/bot<token>/<method>`). No error this module
//! returns contains it: URLs are stripped from transport errors and any text that still holds
//! the token has it replaced by `<bot token>`.

use async_trait::async_trait;
use reqwest::multipart::{Form, Part};
use reqwest::{RequestBuilder, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{Value, json};
use std::time::Duration;
use url::Url;

use crate::ConnectorError;
use crate::http::{Http, parse_json, read_body, retry_after, transport_error};
use crate::outbound::{
    MediaKind, OutboundMedia, OutboundPost, PublishOutcome, Published, Publisher,
};

/// How to reach one Telegram channel (or chat) through a bot.
#[derive(Clone, Debug)]
pub struct TelegramConfig {
    /// The Bot API server, `https://api.telegram.org` (a local fake in tests).
    pub api_base: String,
    /// The bot's token from `@BotFather`. `Debug` prints it redacted.
    pub bot_token: SecretString,
    /// `@channelusername` for a public channel, or the numeric id (`-100…` for channels and
    /// supergroups).
    pub chat_id: String,
}

/// Posts to one Telegram chat as a bot.
#[derive(Clone, Debug)]
pub struct TelegramClient {
    http: Http,
    config: TelegramConfig,
}

impl TelegramClient {
    /// A client over the guarded `http`; no request is made until the first send.
    #[must_use]
    pub const fn new(http: Http, config: TelegramConfig) -> Self {
        Self { http, config }
    }

    /// Sends an alert as plain text, without a link preview; returns the message id.
    ///
    /// # Errors
    /// [`ConnectorError`] as for [`Publisher::publish`].
    pub async fn send_alert(&self, text: &str) -> Result<i64, ConnectorError> {
        check_text(text)?;
        let body = json!({
            "chat_id": self.chat_id_value(),
            "text": text,
            "link_preview_options": {"is_disabled": true},
        });
        let request = self.request("sendMessage")?.json(&body);
        Ok(self.execute(request).await?.message_id)
    }

    /// `text` as its own message, with a link preview.
    async fn send_text(&self, text: &str) -> Result<Message, ConnectorError> {
        check_text(text)?;
        let body = json!({
            "chat_id": self.chat_id_value(),
            "text": text,
            "link_preview_options": {"is_disabled": false},
        });
        let request = self.request("sendMessage")?.json(&body);
        self.execute(request).await
    }

    /// One photo or video with `caption` (left out when empty).
    async fn send_medium(
        &self,
        medium: &OutboundMedia,
        caption: &str,
    ) -> Result<Message, ConnectorError> {
        let (method, field) = match medium.kind {
            MediaKind::Image => ("sendPhoto", "photo"),
            MediaKind::Video => ("sendVideo", "video"),
        };
        let part = Part::bytes(medium.bytes.as_ref().clone())
            .file_name(medium.file_name.clone())
            .mime_str(&medium.mime)
            .map_err(|_| {
                ConnectorError::Refused(format!(
                    "{:?} of {} is not a MIME type; give the file a type like image/jpeg",
                    medium.mime, medium.file_name
                ))
            })?;
        let mut form = Form::new()
            .text("chat_id", self.config.chat_id.trim().to_owned())
            .part(field, part);
        if !caption.trim().is_empty() {
            form = form.text("caption", caption.to_owned());
        }
        if medium.kind == MediaKind::Video {
            form = form.text("supports_streaming", "true");
        }
        let request = self.request(method)?.multipart(form);
        self.execute(request).await
    }

    /// `chat_id` as Telegram takes it: a number for numeric ids, the string for `@name`.
    fn chat_id_value(&self) -> Value {
        let chat = self.config.chat_id.trim();
        chat.parse::<i64>()
            .map_or_else(|_| json!(chat), |id| json!(id))
    }

    /// A POST to `{api_base}/bot<token>/<method>`. The URL is built from the base alone so
    /// that errors about it never show the token.
    fn request(&self, method: &str) -> Result<RequestBuilder, ConnectorError> {
        let mut url: Url = self.http.url(&self.config.api_base, "/")?;
        {
            let mut segments = url.path_segments_mut().map_err(|()| {
                ConnectorError::Target(format!(
                    "the Telegram API base {:?} cannot have a path",
                    self.config.api_base
                ))
            })?;
            segments
                .pop_if_empty()
                .push(&format!("bot{}", self.config.bot_token.expose_secret()))
                .push(method);
        }
        Ok(self.http.client().post(url))
    }

    /// Sends `request` and reads the message from the answer; every error is cleaned of the
    /// token.
    async fn execute(&self, request: RequestBuilder) -> Result<Message, ConnectorError> {
        self.execute_raw(request)
            .await
            .map_err(|e| redact(e, self.config.bot_token.expose_secret()))
    }

    async fn execute_raw(&self, request: RequestBuilder) -> Result<Message, ConnectorError> {
        let response = request
            .send()
            .await
            .map_err(|e| transport_error(&e.without_url()))?;
        let status = response.status();
        let header_wait = retry_after(&response);
        let body = read_body(response).await?;
        if !status.is_success() {
            return Err(error_from(status, header_wait, &body));
        }
        let answer: Answer = parse_json(&body)?;
        if !answer.ok {
            // `ok: false` with a 200 is not documented; treat it like the error it says it is.
            return Err(error_from(status, header_wait, &body));
        }
        answer.result.ok_or_else(|| {
            ConnectorError::Malformed("\"ok\": true without a result message".to_owned())
        })
    }

    /// A link to message `message_id`: `t.me/<username>/<id>` for a public channel (the name
    /// Telegram answered, else the configured `@name`), `t.me/c/<id>/<id>` for a numeric
    /// `-100…` channel id (opens for members), none for other chats.
    fn message_url(&self, message: &Message) -> Option<String> {
        let id = message.message_id;
        if let Some(username) = message.chat.as_ref().and_then(|c| c.username.as_deref()) {
            return Some(format!("https://t.me/{username}/{id}"));
        }
        let chat = self.config.chat_id.trim();
        if let Some(name) = chat.strip_prefix('@').filter(|n| !n.is_empty()) {
            return Some(format!("https://t.me/{name}/{id}"));
        }
        chat.strip_prefix("-100")
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .map(|internal| format!("https://t.me/c/{internal}/{id}"))
    }
}

#[async_trait]
impl Publisher for TelegramClient {
    async fn publish(&self, post: &OutboundPost) -> Result<PublishOutcome, ConnectorError> {
        let message = match post.media.as_slice() {
            [] => self.send_text(&post.text).await?,
            [medium] => self.send_medium(medium, &post.text).await?,
            more => {
                return Err(ConnectorError::Refused(format!(
                    "the post has {} media; the Telegram channel takes one photo or one video \
                     per post: remove {}",
                    more.len(),
                    more.len() - 1
                )));
            }
        };
        Ok(PublishOutcome::Published(Published {
            external_id: message.message_id.to_string(),
            url: self.message_url(&message),
        }))
    }

    async fn find_published(
        &self,
        _post: &OutboundPost,
    ) -> Result<Option<Published>, ConnectorError> {
        Err(ConnectorError::Unsupported(
            "looking up channel posts with the Bot API",
        ))
    }
}

/// A message's text: not empty (Telegram refuses it). Longer than 4,096 characters is left
/// to Telegram, which counts after its own parsing.
fn check_text(text: &str) -> Result<(), ConnectorError> {
    if text.trim().is_empty() {
        return Err(ConnectorError::Refused(
            "the message is empty; Telegram needs text or a photo".to_owned(),
        ));
    }
    Ok(())
}

/// Maps an error answer: `{"ok":false,"error_code":…,"description":…,"parameters":{…}}`.
fn error_from(status: StatusCode, header_wait: Option<Duration>, body: &[u8]) -> ConnectorError {
    let answer: Answer = serde_json::from_slice(body).unwrap_or_default();
    let code = answer
        .error_code
        .and_then(|c| u16::try_from(c).ok())
        .filter(|c| *c >= 400)
        .unwrap_or_else(|| status.as_u16());
    let description = answer
        .description
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned());
    let detail = format!("HTTP {code}: {description}");
    let parameters = answer.parameters.unwrap_or_default();
    let wait = parameters
        .retry_after
        .map(|s| Duration::from_secs(s.min(86_400)))
        .or(header_wait);
    match code {
        429 => ConnectorError::RateLimited {
            retry_after: wait,
            detail,
        },
        401 => ConnectorError::TokenExpired(format!(
            "{detail}; the bot token was revoked or is wrong: enter the token @BotFather gives"
        )),
        403 => ConnectorError::Forbidden(format!(
            "{detail}; make the bot an administrator of the channel who may post messages"
        )),
        400 if parameters.migrate_to_chat_id.is_some() => ConnectorError::Refused(format!(
            "{detail}; the group became a supergroup with chat id {}: change the channel's \
             chat id to it",
            parameters.migrate_to_chat_id.unwrap_or_default()
        )),
        404 => ConnectorError::Refused(format!(
            "{detail}; Telegram does not know this bot method or token: check the API base \
             URL and the bot token"
        )),
        500..=599 => ConnectorError::Unavailable {
            retry_after: wait,
            detail,
        },
        _ => ConnectorError::Refused(detail),
    }
}

/// `err` with every copy of the token (raw or percent-encoded) replaced.
fn redact(err: ConnectorError, token: &str) -> ConnectorError {
    if token.is_empty() {
        return err;
    }
    let encoded = percent_encoding::utf8_percent_encode(token, percent_encoding::NON_ALPHANUMERIC)
        .to_string();
    let clean = |text: String| {
        text.replace(token, "<bot token>")
            .replace(&encoded, "<bot token>")
    };
    match err {
        ConnectorError::Target(t) => ConnectorError::Target(clean(t)),
        ConnectorError::Transport(t) => ConnectorError::Transport(clean(t)),
        ConnectorError::RateLimited {
            retry_after,
            detail,
        } => ConnectorError::RateLimited {
            retry_after,
            detail: clean(detail),
        },
        ConnectorError::TokenExpired(t) => ConnectorError::TokenExpired(clean(t)),
        ConnectorError::Forbidden(t) => ConnectorError::Forbidden(clean(t)),
        ConnectorError::NotFound(t) => ConnectorError::NotFound(clean(t)),
        ConnectorError::Unavailable {
            retry_after,
            detail,
        } => ConnectorError::Unavailable {
            retry_after,
            detail: clean(detail),
        },
        ConnectorError::Refused(t) => ConnectorError::Refused(clean(t)),
        ConnectorError::Malformed(t) => ConnectorError::Malformed(clean(t)),
        other @ (ConnectorError::Timeout | ConnectorError::Unsupported(_)) => other,
    }
}

// ---------------------------------------------------------------------------------------------
// Wire shapes (section 9.1)

#[derive(Default, Deserialize)]
struct Answer {
    #[serde(default)]
    ok: bool,
    result: Option<Message>,
    error_code: Option<i64>,
    description: Option<String>,
    parameters: Option<Parameters>,
}

#[derive(Default, Deserialize)]
struct Parameters {
    retry_after: Option<u64>,
    migrate_to_chat_id: Option<i64>,
}

#[derive(Deserialize)]
struct Message {
    message_id: i64,
    chat: Option<Chat>,
}

#[derive(Deserialize)]
struct Chat {
    username: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_lose_the_token() {
        let token = "123456:ABC-def_ghi";
        let err = redact(
            ConnectorError::Transport(
                "error for https://api.telegram.org/bot123456:ABC-def_ghi/sendMessage and \
                 bot123456%3AABC%2Ddef%5Fghi"
                    .to_owned(),
            ),
            token,
        );
        let text = err.to_string();
        assert!(!text.contains("ABC-def"), "{text}");
        assert!(!text.contains("ABC%2Ddef"), "{text}");
        assert!(text.contains("bot<bot token>/sendMessage"), "{text}");
    }

    #[test]
    fn error_answers_map_to_what_a_person_can_do() {
        let map = |status: u16, body: &str| {
            error_from(StatusCode::from_u16(status).unwrap(), None, body.as_bytes())
        };
        let err = map(
            429,
            r#"{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 35","parameters":{"retry_after":35}}"#,
        );
        assert!(
            matches!(err, ConnectorError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(35)),
            "{err:?}"
        );
        let err = map(
            400,
            r#"{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1001234567890}}"#,
        );
        assert!(
            matches!(&err, ConnectorError::Refused(d) if d.contains("-1001234567890")),
            "{err:?}"
        );
        let err = map(502, "<html>Bad Gateway</html>");
        assert!(
            matches!(&err, ConnectorError::Unavailable { detail, .. } if detail.contains("502")),
            "{err:?}"
        );
    }
}
