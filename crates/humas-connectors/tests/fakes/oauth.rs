//! A local fake OAuth 2.0 authorisation server (RFC 6749, RFC 7636) that can speak in each
//! platform's manner (shared brief sections 2.1, 3.1, 4, 5.2 and 6):
//!
//! * [`FakeOAuth::authorize`] plays the consent page in-process: it reads the URL the browser
//!   would be sent to, remembers the PKCE challenge and returns the redirect back to Humas.
//! * Token endpoints (any path ending in `/token`, `/token/` or `/oauth/access_token`, by
//!   `POST` form or `GET` query) check the client the way the registered client must
//!   authenticate (HTTP Basic with form-encoded parts, or body parameters under `client_id` /
//!   `client_key`), the redirect URI, single use of codes, and the PKCE verifier against the
//!   challenge, hashed here independently of the code under test. Grants:
//!   `authorization_code`, `refresh_token` (rotating or not) and Meta's `fb_exchange_token`.
//! * `GET /vNN.N/me/accounts` lists Pages, with `after` cursors and `appsecret_proof` checks.
//! * Errors come as RFC bodies, TikTok's (HTTP 200 with `log_id`) or Graph error objects, and
//!   scripted answers can be queued.

#![allow(dead_code)]

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// How a registered client must authenticate at the token endpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Auth {
    /// `Authorization: Basic`, secret never in the body.
    Basic,
    /// Id and secret as parameters.
    Body,
    /// Public client: id only, no secret anywhere.
    Public,
}

/// How errors are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorStyle {
    /// RFC 6749 body with HTTP 400 (401 for `invalid_client`).
    Rfc,
    /// TikTok: RFC fields plus `log_id`, HTTP 200.
    TikTok,
    /// Graph: `{"error":{"message","type":"OAuthException","code"}}`, HTTP 400.
    Meta,
}

#[derive(Clone, Debug)]
pub struct Client {
    pub id: String,
    pub secret: Option<String>,
    /// `client_id` or TikTok's `client_key`.
    pub id_param: &'static str,
    pub auth: Auth,
}

/// What the consent page granted.
#[derive(Clone, Debug)]
pub struct Grant {
    pub client_id: String,
    pub redirect_uri: String,
    pub challenge: Option<String>,
    pub scope: String,
}

/// One token or Graph request as the fake saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    pub path: String,
    /// Query parameters, then form body parameters.
    pub query: Vec<(String, String)>,
    pub form: Vec<(String, String)>,
    pub authorization: Option<String>,
}

impl Seen {
    /// A parameter from the query or the body.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .chain(&self.form)
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A scripted answer served instead of the next request's normal one.
#[derive(Clone, Debug)]
pub struct Scripted {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
}

#[derive(Debug)]
pub struct OAuthState {
    pub client: Client,
    pub error_style: ErrorStyle,
    /// Codes issued and not yet used.
    pub codes: HashMap<String, Grant>,
    /// Refresh tokens accepted.
    pub refresh_tokens: HashSet<String>,
    /// Whether a refresh issues a new refresh token (X, TikTok) or none (Google).
    pub rotate_refresh: bool,
    /// Whether a code exchange issues a refresh token at all.
    pub issue_refresh: bool,
    /// `expires_in` as sent (a number, a string, or absent).
    pub expires_in: Option<Value>,
    pub refresh_expires_in: Option<u64>,
    pub open_id: Option<String>,
    /// The scope reported; `None` omits it.
    pub scope: Option<String>,
    pub token_type: &'static str,
    pub scripted: VecDeque<Scripted>,
    pub seen: Vec<Seen>,
    /// Meta: user tokens accepted by `fb_exchange_token` and `/me/accounts`.
    pub user_tokens: HashSet<String>,
    /// Meta: pages of `/me/accounts`.
    pub page_listing: Vec<Vec<Value>>,
    /// Meta: when set, `/me/accounts` requires this `appsecret_proof` key.
    pub app_secret_for_proof: Option<String>,
    /// Access tokens issued.
    pub issued: Vec<String>,
    next: u64,
}

#[derive(Clone)]
pub struct FakeOAuth {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<OAuthState>>,
}

impl FakeOAuth {
    pub async fn start(client: Client, error_style: ErrorStyle) -> Self {
        let state = Arc::new(Mutex::new(OAuthState {
            client,
            error_style,
            codes: HashMap::new(),
            refresh_tokens: HashSet::new(),
            rotate_refresh: true,
            issue_refresh: true,
            expires_in: Some(json!(7200)),
            refresh_expires_in: None,
            open_id: None,
            scope: None,
            token_type: "bearer",
            scripted: VecDeque::new(),
            seen: Vec::new(),
            user_tokens: HashSet::new(),
            page_listing: Vec::new(),
            app_secret_for_proof: None,
            issued: Vec::new(),
            next: 1,
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

    pub fn with<R>(&self, f: impl FnOnce(&mut OAuthState) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.with(|s| s.seen.clone())
    }

    pub fn script(&self, status: u16, headers: &[(&'static str, &str)], body: &str) {
        let headers = headers.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
        self.with(|s| {
            s.scripted.push_back(Scripted {
                status,
                headers,
                body: body.to_owned(),
            })
        });
    }

    /// The consent page: reads the authorize URL, grants it and returns the redirect location
    /// (`{redirect_uri}?code=…&state=…`, or `?error=…` when the request is wrong).
    pub fn authorize(&self, authorize_url: &str) -> String {
        let url = url::Url::parse(authorize_url).unwrap();
        let params: HashMap<String, String> = url.query_pairs().into_owned().collect();
        let get = |k: &str| params.get(k).cloned();
        let redirect_uri = get("redirect_uri").unwrap();
        let state = get("state").unwrap_or_default();
        self.with(|s| {
            let client_ok = get(s.client.id_param).as_deref() == Some(s.client.id.as_str());
            let method_ok = match (get("code_challenge"), get("code_challenge_method")) {
                (Some(_), Some(m)) => m == "S256",
                (None, None) => true,
                _ => false,
            };
            let mut redirect = url::Url::parse(&redirect_uri).unwrap();
            if get("response_type").as_deref() != Some("code") || !client_ok || !method_ok {
                redirect
                    .query_pairs_mut()
                    .append_pair("error", "invalid_request")
                    .append_pair("state", &state);
                return redirect.into();
            }
            let code = format!("code-{}", s.next);
            s.next += 1;
            s.codes.insert(
                code.clone(),
                Grant {
                    client_id: s.client.id.clone(),
                    redirect_uri: redirect_uri.clone(),
                    challenge: get("code_challenge"),
                    scope: get("scope").unwrap_or_default(),
                },
            );
            redirect
                .query_pairs_mut()
                .append_pair("code", &code)
                .append_pair("state", &state);
            redirect.into()
        })
    }
}

fn pairs(raw: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.as_bytes())
        .into_owned()
        .collect()
}

async fn handle(
    State(state): State<Arc<Mutex<OAuthState>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut s = state.lock().unwrap();
    let seen = Seen {
        method: method.clone(),
        path: uri.path().to_owned(),
        query: pairs(uri.query().unwrap_or_default()),
        form: pairs(std::str::from_utf8(&body).unwrap_or_default()),
        authorization: headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    s.seen.push(seen.clone());
    if let Some(scripted) = s.scripted.pop_front() {
        let mut response = (
            StatusCode::from_u16(scripted.status).unwrap(),
            scripted.body,
        )
            .into_response();
        for (name, value) in scripted.headers {
            response.headers_mut().insert(name, value.parse().unwrap());
        }
        return response;
    }
    let path = seen.path.as_str();
    if path.ends_with("/me/accounts") && method == Method::GET {
        return me_accounts(&mut s, &seen);
    }
    let is_token = path.ends_with("/token")
        || path.ends_with("/token/")
        || path.ends_with("/oauth/access_token");
    if !is_token {
        return (StatusCode::NOT_FOUND, "no such endpoint").into_response();
    }
    token(&mut s, &seen)
}

fn error(s: &OAuthState, status: u16, code: &str, description: &str) -> Response {
    match s.error_style {
        ErrorStyle::Rfc => (
            StatusCode::from_u16(status).unwrap(),
            axum::Json(json!({"error": code, "error_description": description})),
        )
            .into_response(),
        ErrorStyle::TikTok => (
            StatusCode::OK,
            axum::Json(json!({"error": code, "error_description": description, "log_id": "202603010000000A1B2C"})),
        )
            .into_response(),
        ErrorStyle::Meta => (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({"error": {"message": description, "type": "OAuthException",
                                         "code": meta_code(description),
                                         "fbtrace_id": "AbCdEf"}})),
        )
            .into_response(),
    }
}

/// Graph codes: 190 for a dead user token, 100 (invalid parameter) for everything else,
/// including a used or expired authorisation code.
fn meta_code(description: &str) -> i64 {
    if description.starts_with("Error validating access token") {
        190
    } else {
        100
    }
}

/// Checks the client the way it must authenticate; `Some` is the refusal to send.
fn client_refusal(s: &OAuthState, seen: &Seen) -> Option<Response> {
    let client = &s.client;
    let body_secret = seen.param("client_secret");
    match client.auth {
        Auth::Basic => {
            if body_secret.is_some() {
                return Some(error(
                    s,
                    400,
                    "invalid_request",
                    "use one authentication method",
                ));
            }
            let Some(header) = seen.authorization.as_deref() else {
                return Some(error(
                    s,
                    401,
                    "invalid_client",
                    "Missing valid authorization header",
                ));
            };
            let decoded = header
                .strip_prefix("Basic ")
                .and_then(|b| STANDARD.decode(b).ok())
                .and_then(|b| String::from_utf8(b).ok())
                .unwrap_or_default();
            let (id, secret) = decoded.split_once(':').unwrap_or_default();
            let unescape = |v: &str| -> String {
                url::form_urlencoded::parse(format!("v={v}").as_bytes())
                    .next()
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default()
            };
            if unescape(id) != client.id || Some(unescape(secret)) != client.secret {
                return Some(error(
                    s,
                    401,
                    "invalid_client",
                    "client authentication failed",
                ));
            }
        }
        Auth::Body | Auth::Public => {
            if seen.authorization.is_some() {
                return Some(error(
                    s,
                    400,
                    "invalid_request",
                    "unexpected Authorization header",
                ));
            }
            if seen.param(client.id_param) != Some(client.id.as_str()) {
                return Some(error(s, 401, "invalid_client", "unknown client"));
            }
            let expected = if client.auth == Auth::Public {
                None
            } else {
                client.secret.as_deref()
            };
            if body_secret != expected {
                return Some(error(
                    s,
                    401,
                    "invalid_client",
                    "client authentication failed",
                ));
            }
        }
    }
    None
}

fn token(s: &mut OAuthState, seen: &Seen) -> Response {
    if let Some(refusal) = client_refusal(s, seen) {
        return refusal;
    }
    match seen.param("grant_type") {
        Some("authorization_code") => {
            let code = seen.param("code").unwrap_or_default();
            let Some(grant) = s.codes.remove(code) else {
                return error(
                    s,
                    400,
                    "invalid_grant",
                    &format!("authorization code {code} is invalid, expired or already used"),
                );
            };
            if seen.param("redirect_uri") != Some(grant.redirect_uri.as_str()) {
                return error(s, 400, "invalid_grant", "redirect_uri does not match");
            }
            if let Some(challenge) = &grant.challenge {
                let verifier = seen.param("code_verifier").unwrap_or_default();
                let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
                if &computed != challenge {
                    return error(
                        s,
                        400,
                        "invalid_grant",
                        "code_verifier does not match the challenge",
                    );
                }
            }
            issue(s, true)
        }
        Some("refresh_token") => {
            let presented = seen.param("refresh_token").unwrap_or_default().to_owned();
            if !s.refresh_tokens.contains(&presented) {
                return error(
                    s,
                    400,
                    "invalid_grant",
                    &format!("refresh token {presented} was revoked"),
                );
            }
            if s.rotate_refresh {
                s.refresh_tokens.remove(&presented);
            }
            let rotate = s.rotate_refresh;
            issue(s, rotate)
        }
        Some("fb_exchange_token") => {
            let short = seen.param("fb_exchange_token").unwrap_or_default();
            if !s.user_tokens.contains(short) {
                return error(
                    s,
                    400,
                    "invalid_grant",
                    "Error validating access token: Session has expired",
                );
            }
            let long = format!("long-lived-{}", s.next);
            s.next += 1;
            s.user_tokens.insert(long.clone());
            axum::Json(
                json!({"access_token": long, "token_type": "bearer", "expires_in": 5_184_000}),
            )
            .into_response()
        }
        _ => error(s, 400, "unsupported_grant_type", "grant type not supported"),
    }
}

fn issue(s: &mut OAuthState, with_refresh: bool) -> Response {
    let n = s.next;
    s.next += 1;
    let access = format!("access-{n}");
    s.issued.push(access.clone());
    s.user_tokens.insert(access.clone());
    let mut answer = json!({"access_token": access, "token_type": s.token_type});
    if let Some(expires_in) = &s.expires_in {
        answer["expires_in"] = expires_in.clone();
    }
    if with_refresh && s.issue_refresh {
        let refresh = format!("refresh-{n}");
        s.refresh_tokens.insert(refresh.clone());
        answer["refresh_token"] = json!(refresh);
        if let Some(secs) = s.refresh_expires_in {
            answer["refresh_expires_in"] = json!(secs);
        }
    }
    if let Some(scope) = &s.scope {
        answer["scope"] = json!(scope);
    }
    if let Some(open_id) = &s.open_id {
        answer["open_id"] = json!(open_id);
    }
    axum::Json(answer).into_response()
}

fn me_accounts(s: &mut OAuthState, seen: &Seen) -> Response {
    let graph_error = |code: i64, message: &str| {
        (
            StatusCode::BAD_REQUEST,
            axum::Json(
                json!({"error": {"message": message, "type": "OAuthException", "code": code}}),
            ),
        )
            .into_response()
    };
    let token = seen
        .authorization
        .as_deref()
        .and_then(|h| h.strip_prefix("Bearer "))
        .unwrap_or_default()
        .to_owned();
    if !s.user_tokens.contains(&token) {
        return graph_error(190, "Error validating access token: Session has expired");
    }
    if let Some(secret) = &s.app_secret_for_proof {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(token.as_bytes());
        let expected = hex::encode(mac.finalize().into_bytes());
        if seen.param("appsecret_proof") != Some(expected.as_str()) {
            return graph_error(100, "Invalid appsecret_proof provided in the API argument");
        }
    }
    let index: usize = seen
        .param("after")
        .and_then(|a| a.strip_prefix("cursor-"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let data = s.page_listing.get(index).cloned().unwrap_or_default();
    let mut answer = json!({"data": data});
    if !s.page_listing.is_empty() {
        let mut paging = json!({"cursors": {"before": format!("cursor-{index}"), "after": format!("cursor-{}", index + 1)}});
        if index + 1 < s.page_listing.len() {
            paging["next"] = json!(format!(
                "https://graph.facebook.com/v23.0/me/accounts?after=cursor-{}",
                index + 1
            ));
        }
        answer["paging"] = paging;
    }
    axum::Json(answer).into_response()
}
