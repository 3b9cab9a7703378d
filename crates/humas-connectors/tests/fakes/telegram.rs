//! A local fake of the Telegram Bot API methods the connector uses (shared brief section 9.1):
//! `POST /bot<token>/sendMessage` (JSON), `sendPhoto` and `sendVideo` (multipart), with the
//! token checked (401 `Unauthorized`), unknown chats refused (400 `chat not found`), messages
//! numbered per chat, scripted failures in Telegram's own shape (429 with
//! `parameters.retry_after`, 400 with `parameters.migrate_to_chat_id`, 403, 5xx, broken JSON),
//! latency, and lost answers (the message is sent, the answer comes too late).

#![allow(dead_code)]

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub const TOKEN: &str = "7000000001:AAHumasTestToken-secret_part";
/// A public channel: its `@name` and its numeric id reach it.
pub const PUBLIC: &str = "@humas_kota";
pub const PUBLIC_ID: i64 = -1_001_234_567_890;
/// A private channel, numeric id only.
pub const PRIVATE_ID: i64 = -1_009_876_543_210;

#[derive(Clone, Debug)]
pub enum Failure {
    /// `{"ok":false,"error_code":code,"description":…}` with that HTTP status.
    Status(u16, &'static str),
    /// 429 with `parameters.retry_after`.
    RateLimited { retry_after: u64 },
    /// 400: the group became a supergroup with this id.
    Migrated { to: i64 },
    /// 200 with this raw body.
    Body(&'static str),
}

#[derive(Clone, Debug)]
pub struct SeenPart {
    pub name: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub bytes: Vec<u8>,
}

impl SeenPart {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.bytes).into_owned()
    }
}

#[derive(Clone, Debug)]
pub struct Seen {
    /// The Bot API method, e.g. `sendMessage`.
    pub method: String,
    /// The path exactly as requested (it holds the token).
    pub path: String,
    pub http_method: Method,
    pub content_type: Option<String>,
    pub body: Option<Value>,
    pub parts: Vec<SeenPart>,
}

impl Seen {
    pub fn part(&self, name: &str) -> Option<&SeenPart> {
        self.parts.iter().find(|p| p.name == name)
    }

    pub fn part_names(&self) -> Vec<&str> {
        self.parts.iter().map(|p| p.name.as_str()).collect()
    }
}

#[derive(Debug)]
pub struct TelegramState {
    pub token: String,
    /// Chats by every id that reaches them (`@name` and the number as text).
    pub chats: HashMap<String, Value>,
    /// Messages sent, in order, as Telegram answered them.
    pub messages: Vec<Value>,
    pub failures: VecDeque<Failure>,
    pub seen: Vec<Seen>,
    pub latency: std::time::Duration,
    /// The next call of this method is carried out but answered only after
    /// `lost_answer_delay`.
    pub lose_answer_on: Option<String>,
    pub lost_answer_delay: std::time::Duration,
    next_message_id: i64,
}

#[derive(Clone)]
pub struct FakeTelegram {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<TelegramState>>,
}

impl FakeTelegram {
    pub async fn start() -> Self {
        let public = json!({"id": PUBLIC_ID, "title": "Humas Kota", "username": "humas_kota", "type": "channel"});
        let private = json!({"id": PRIVATE_ID, "title": "Humas Internal", "type": "channel"});
        let chats = HashMap::from([
            (PUBLIC.to_owned(), public.clone()),
            (PUBLIC_ID.to_string(), public),
            (PRIVATE_ID.to_string(), private),
        ]);
        let state = Arc::new(Mutex::new(TelegramState {
            token: TOKEN.to_owned(),
            chats,
            messages: Vec::new(),
            failures: VecDeque::new(),
            seen: Vec::new(),
            latency: std::time::Duration::ZERO,
            lose_answer_on: None,
            lost_answer_delay: std::time::Duration::from_secs(5),
            next_message_id: 1,
        }));
        let app = Router::new().fallback(handle).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { addr, state }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut TelegramState) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.with(|s| s.seen.clone())
    }

    pub fn calls(&self, method: &str) -> usize {
        self.with(|s| s.seen.iter().filter(|x| x.method == method).count())
    }

    pub fn messages(&self) -> Vec<Value> {
        self.with(|s| s.messages.clone())
    }
}

fn answer(status: u16, body: Value) -> Response {
    (StatusCode::from_u16(status).unwrap(), axum::Json(body)).into_response()
}

fn error(code: u16, description: &str) -> Response {
    answer(
        code,
        json!({"ok": false, "error_code": code, "description": description}),
    )
}

async fn handle(
    State(state): State<Arc<Mutex<TelegramState>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let latency = state.lock().unwrap().latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let parts = multipart_parts(&headers, body.clone()).await;
    let (response, lost) = {
        let mut s = state.lock().unwrap();
        let api_method = uri.path().rsplit('/').next().unwrap_or_default().to_owned();
        let response = respond(&mut s, method, &uri, &headers, &body, parts);
        let lost = s
            .lose_answer_on
            .take_if(|m| *m == api_method)
            .map(|_| s.lost_answer_delay);
        (response, lost)
    };
    if let Some(delay) = lost {
        tokio::time::sleep(delay).await;
    }
    response
}

async fn multipart_parts(headers: &HeaderMap, body: Bytes) -> Vec<SeenPart> {
    use axum::extract::FromRequest;
    let is_multipart = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_multipart {
        return Vec::new();
    }
    let mut request = axum::http::Request::new(axum::body::Body::from(body));
    *request.headers_mut() = headers.clone();
    let Ok(mut multipart) = axum::extract::Multipart::from_request(request, &()).await else {
        return Vec::new();
    };
    let mut parts = Vec::new();
    while let Ok(Some(field)) = multipart.next_field().await {
        let name = field.name().unwrap_or_default().to_owned();
        let file_name = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(str::to_owned);
        let bytes = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
        parts.push(SeenPart {
            name,
            file_name,
            content_type,
            bytes,
        });
    }
    parts
}

fn respond(
    s: &mut TelegramState,
    method: Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
    parts: Vec<SeenPart>,
) -> Response {
    let path = uri.path().to_owned();
    let mut segments = path.trim_start_matches('/').splitn(2, '/');
    let bot = segments.next().unwrap_or_default().to_owned();
    let api_method = segments.next().unwrap_or_default().to_owned();
    let json_body: Option<Value> = serde_json::from_slice(body).ok();
    s.seen.push(Seen {
        method: api_method.clone(),
        path: path.clone(),
        http_method: method.clone(),
        content_type: headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        body: json_body.clone(),
        parts: parts.clone(),
    });
    if bot != format!("bot{}", s.token) {
        return error(401, "Unauthorized");
    }
    if let Some(failure) = s.failures.pop_front() {
        return match failure {
            Failure::Status(code, description) => error(code, description),
            Failure::RateLimited { retry_after } => answer(
                429,
                json!({"ok": false, "error_code": 429,
                    "description": format!("Too Many Requests: retry after {retry_after}"),
                    "parameters": {"retry_after": retry_after}}),
            ),
            Failure::Migrated { to } => answer(
                400,
                json!({"ok": false, "error_code": 400,
                    "description": "Bad Request: group chat was upgraded to a supergroup chat",
                    "parameters": {"migrate_to_chat_id": to}}),
            ),
            Failure::Body(raw) => {
                (StatusCode::OK, [("content-type", "application/json")], raw).into_response()
            }
        };
    }
    if method != Method::POST {
        return error(404, "Not Found");
    }
    // Fields from JSON or from multipart text parts.
    let field = |name: &str| -> Option<String> {
        match &json_body {
            Some(b) => match &b[name] {
                Value::String(v) => Some(v.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            },
            None => parts
                .iter()
                .find(|p| p.name == name && p.file_name.is_none())
                .map(SeenPart::text),
        }
    };
    let Some(chat) = field("chat_id").and_then(|c| s.chats.get(&c).cloned()) else {
        return error(400, "Bad Request: chat not found");
    };
    let mut message = json!({
        "message_id": s.next_message_id,
        "sender_chat": chat, "chat": chat, "date": 1_735_689_600,
    });
    match api_method.as_str() {
        "sendMessage" => {
            let text = field("text").unwrap_or_default();
            if text.trim().is_empty() {
                return error(400, "Bad Request: message text is empty");
            }
            if text.chars().count() > 4096 {
                return error(400, "Bad Request: message is too long");
            }
            message["text"] = json!(text);
        }
        "sendPhoto" | "sendVideo" => {
            let file_field = if api_method == "sendPhoto" {
                "photo"
            } else {
                "video"
            };
            let Some(file) = parts
                .iter()
                .find(|p| p.name == file_field && p.file_name.is_some())
            else {
                return error(
                    400,
                    &format!("Bad Request: there is no {file_field} in the request"),
                );
            };
            if let Some(caption) = field("caption") {
                if caption.chars().count() > 1024 {
                    return error(400, "Bad Request: message caption is too long");
                }
                message["caption"] = json!(caption);
            }
            message[file_field] = json!({"file_id": format!("AgAC{}", s.next_message_id), "file_size": file.bytes.len()});
        }
        _ => return error(404, "Not Found"),
    }
    s.next_message_id += 1;
    s.messages.push(message.clone());
    answer(200, json!({"ok": true, "result": message}))
}
