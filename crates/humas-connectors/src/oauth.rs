//! OAuth 2.0 authorisation-code flows (RFC 6749 section 4.1, PKCE from RFC 7636) for connecting
//! accounts: the URL the browser is sent to, the callback Humas receives, the code exchange,
//! refreshes, Meta's long-lived and Page tokens, and how healthy a stored token is.
//!
//! # Flow
//!
//! 1. The caller makes a random `state` and (where used) a random PKCE verifier, stores both
//!    with the pending connection and sends the browser to [`authorize_url`].
//! 2. The platform redirects to Humas; [`parse_callback`] checks `state` and gives the code.
//! 3. [`exchange_code`] trades the code for a [`TokenSet`]; [`refresh`] renews it later
//!    (Meta has no refresh grant: [`meta_long_lived`] once, then [`meta_page_tokens`]).
//! 4. [`TokenSet::dies_at`] says when someone must reconnect (the application judges the
//!    token's health from the expiries it keeps with the sealed credentials).
//!
//! Randomness comes from the caller, so this module is deterministic and testable.
//!
//! # Platforms ([`Provider`] constructors, shared brief sections 2.1, 3.1, 4, 5.2 and 6)
//!
//! | Platform | Client credentials | Scope separator | PKCE | Token request |
//! |---|---|---|---|---|
//! | X | HTTP Basic (confidential) or `client_id` in the body (public) | space | S256, required | `POST` form |
//! | TikTok | `client_key` and `client_secret` in the body | comma | no (web) | `POST` form |
//! | Meta | `client_id` and `client_secret` in the query | comma | no | `GET` query |
//! | Mastodon | `client_id` and `client_secret` in the body | space | optional | `POST` form |
//! | YouTube (Google) | `client_id` and `client_secret` in the body | space | optional | `POST` form |
//!
//! # Errors
//!
//! Token endpoints answer RFC 6749 bodies (`{"error":"invalid_grant","error_description":…}`;
//! TikTok adds `log_id` and may send them with HTTP 200) or, on Meta, Graph error objects
//! (`{"error":{"message":…,"type":"OAuthException","code":100}}`). `invalid_grant` (code expired
//! or used, refresh token revoked) and Meta code 190 are [`ConnectorError::TokenExpired`];
//! `invalid_client` and `unauthorized_client` are [`ConnectorError::Forbidden`]; 429 and 5xx are
//! [`ConnectorError::RateLimited`] and [`ConnectorError::Unavailable`]. Mistakes made before
//! anything is sent (a bad verifier or redirect URI) are [`OAuthError`]; the async functions
//! return them as [`ConnectorError::Target`] with the same message.
//!
//! **Invariant:** no secret (client secret, code, verifier, token) appears in an error message
//! or in `Debug` output: secrets are [`SecretString`], transport errors drop the URL (Meta's
//! carries the client secret in its query), and any echo of a secret in a platform's error text
//! is replaced by `[redacted]`.

use std::fmt::Write as _;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use humas_domain::org::Platform;
use jiff::{SignedDuration, Timestamp};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::header::{AUTHORIZATION, HeaderValue};
use reqwest::{RequestBuilder, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use url::Url;

use crate::ConnectorError;
use crate::http::{Http, parse_json, read_body, retry_after, transport_error};

/// Where X's consent page lives (`{base}/i/oauth2/authorize`).
pub const X_AUTHORIZE_BASE: &str = "https://x.com";
/// Where TikTok's consent page lives (`{base}/v2/auth/authorize/`).
pub const TIKTOK_AUTHORIZE_BASE: &str = "https://www.tiktok.com";
/// Where Meta's login dialog lives (`{base}/{version}/dialog/oauth`).
pub const META_AUTHORIZE_BASE: &str = "https://www.facebook.com";
/// The Graph API version the Meta connector speaks by default.
pub const META_API_VERSION: &str = "v23.0";
/// Where Google's consent page lives (`{base}/o/oauth2/v2/auth`).
pub const GOOGLE_AUTHORIZE_BASE: &str = "https://accounts.google.com";
/// Google's token host (`{base}/token`).
pub const GOOGLE_TOKEN_BASE: &str = "https://oauth2.googleapis.com";

/// Shortest and longest PKCE verifier (RFC 7636 section 4.1).
const VERIFIER_LENGTH: std::ops::RangeInclusive<usize> = 43..=128;

/// Platform error text kept in an error message.
const MAX_DETAIL_CHARS: usize = 300;

/// Pages of `/me/accounts` read before giving up (100 Pages each).
const MAX_PAGE_LISTING_PAGES: usize = 50;

/// RFC 3986 unreserved characters stay; everything else is percent-encoded, so spaces become
/// `%20` (not `+`, which not every authorisation server decodes in a query).
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A mistake found before anything was sent to the platform.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum OAuthError {
    /// The PKCE verifier breaks RFC 7636 section 4.1.
    #[error(
        "the PKCE code verifier {0}; use 43 to 128 characters of A-Z, a-z, 0-9, '-', '.', '_', '~'"
    )]
    InvalidVerifier(&'static str),
    /// The platform requires PKCE and no verifier was given.
    #[error("this platform requires PKCE: pass the code verifier made for this connection")]
    PkceRequired,
    /// The redirect URI cannot be used.
    #[error(
        "the redirect URI {uri:?} {reason}; configure Humas's public address as an absolute http(s) URL"
    )]
    InvalidRedirectUri {
        /// The URI as given.
        uri: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A configured platform endpoint is not a usable URL.
    #[error("the OAuth endpoint {url:?} {reason}; check the platform's configured address")]
    InvalidEndpoint {
        /// The URL as configured.
        url: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The `state` value is empty (it is what ties the callback to this connection).
    #[error("the OAuth state must not be empty; generate a random value per connection")]
    EmptyState,
    /// The platform needs the app's client secret for this call.
    #[error("this call needs the app's client secret; add it to the platform's configuration")]
    MissingClientSecret,
    /// The callback's `state` is not the one sent: a forged or stale callback.
    #[error(
        "the callback's state does not match this connection; start connecting the account again"
    )]
    StateMismatch,
    /// The person declined, or the platform refused the authorisation.
    #[error("the platform did not grant access ({error}{}); start connecting the account again", .description.as_deref().map(|d| format!(": {d}")).unwrap_or_default())]
    Denied {
        /// The `error` code, e.g. `access_denied`.
        error: String,
        /// The platform's `error_description`, when sent.
        description: Option<String>,
    },
    /// The callback has no authorisation code.
    #[error("the callback carries no authorisation code; start connecting the account again")]
    MissingCode,
    /// The Graph API version does not look like `v23.0`.
    #[error("the Graph API version {0:?} must look like v23.0")]
    InvalidApiVersion(String),
}

impl From<OAuthError> for ConnectorError {
    fn from(e: OAuthError) -> Self {
        Self::Target(e.to_string())
    }
}

/// How the client credentials reach the token endpoint (RFC 6749 section 2.3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientAuth {
    /// `Authorization: Basic` with the form-encoded id and secret (X confidential clients).
    Basic,
    /// The id (under [`Provider::client_id_param`]) and the secret, if any, as parameters.
    Body,
}

/// How the token request is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenRequest {
    /// `POST` with an `application/x-www-form-urlencoded` body (RFC 6749).
    Form,
    /// `GET` with the parameters in the query (what Meta documents).
    Query,
}

/// One platform's OAuth 2.0 settings for one app registration.
///
/// `Debug` prints the client secret redacted.
#[derive(Clone, Debug)]
pub struct Provider {
    /// The platform the connected account belongs to.
    pub platform: Platform,
    /// The consent page the browser is sent to.
    pub authorize_url: String,
    /// The token endpoint Humas calls.
    pub token_url: String,
    /// The app's client id (TikTok: client key; Meta: app id).
    pub client_id: String,
    /// The app's client secret; `None` for public clients (X without a secret).
    pub client_secret: Option<SecretString>,
    /// The parameter name of the client id: `client_id`, TikTok `client_key`.
    pub client_id_param: &'static str,
    /// Scopes requested.
    pub scopes: Vec<String>,
    /// How scopes are joined: `" "` (RFC 6749) or `","` (TikTok, Meta).
    pub scope_separator: &'static str,
    /// Whether the platform requires PKCE (S256); X does.
    pub pkce: bool,
    /// How the client credentials are sent.
    pub client_auth: ClientAuth,
    /// How the token request is sent.
    pub token_request: TokenRequest,
    /// Extra consent-page parameters (Google: `access_type=offline`, `prompt=consent`).
    pub extra_authorize_params: Vec<(String, String)>,
}

impl Provider {
    /// X (section 3.1): consent at `{authorize_base}/i/oauth2/authorize`, tokens at
    /// `{api_base}/2/oauth2/token`, PKCE required, scopes for reading, posting, media and
    /// refreshing (`offline.access`). A confidential client (with a secret) authenticates with
    /// HTTP Basic; a public one sends only `client_id`.
    #[must_use]
    pub fn x(
        api_base: &str,
        authorize_base: &str,
        client_id: &str,
        client_secret: Option<SecretString>,
    ) -> Self {
        let client_auth = if client_secret.is_some() {
            ClientAuth::Basic
        } else {
            ClientAuth::Body
        };
        Self {
            platform: Platform::X,
            authorize_url: join(authorize_base, "/i/oauth2/authorize"),
            token_url: join(api_base, "/2/oauth2/token"),
            client_id: client_id.to_owned(),
            client_secret,
            client_id_param: "client_id",
            scopes: strings(&[
                "tweet.read",
                "tweet.write",
                "users.read",
                "offline.access",
                "media.write",
            ]),
            scope_separator: " ",
            pkce: true,
            client_auth,
            token_request: TokenRequest::Form,
            extra_authorize_params: Vec::new(),
        }
    }

    /// TikTok (section 5.2): consent at `{authorize_base}/v2/auth/authorize/`, tokens at
    /// `{api_base}/v2/oauth/token/`, the id sent as `client_key`, comma-separated scopes for
    /// the profile and the Content Posting API. The web flow uses no PKCE (TikTok's desktop
    /// flow hashes the verifier to hex, not the RFC's base64url, so it is not offered here).
    #[must_use]
    pub fn tiktok(
        api_base: &str,
        authorize_base: &str,
        client_key: &str,
        client_secret: SecretString,
    ) -> Self {
        Self {
            platform: Platform::Tiktok,
            authorize_url: join(authorize_base, "/v2/auth/authorize/"),
            token_url: join(api_base, "/v2/oauth/token/"),
            client_id: client_key.to_owned(),
            client_secret: Some(client_secret),
            client_id_param: "client_key",
            scopes: strings(&["user.info.basic", "video.publish", "video.upload"]),
            scope_separator: ",",
            pkce: false,
            client_auth: ClientAuth::Body,
            token_request: TokenRequest::Form,
            extra_authorize_params: Vec::new(),
        }
    }

    /// Meta (section 2.1) through Facebook Login: consent at
    /// `{authorize_base}/{api_version}/dialog/oauth`, tokens from
    /// `GET {api_base}/{api_version}/oauth/access_token`, comma-separated Page and Instagram
    /// permissions. One connection serves the Facebook Pages and their linked Instagram
    /// accounts ([`meta_page_tokens`]); `platform` is [`Platform::Facebook`].
    ///
    /// # Errors
    /// [`OAuthError::InvalidApiVersion`] when `api_version` does not look like `v23.0`.
    pub fn meta(
        api_base: &str,
        authorize_base: &str,
        api_version: &str,
        app_id: &str,
        app_secret: SecretString,
    ) -> Result<Self, OAuthError> {
        check_api_version(api_version)?;
        Ok(Self {
            platform: Platform::Facebook,
            authorize_url: join(authorize_base, &format!("/{api_version}/dialog/oauth")),
            token_url: join(api_base, &format!("/{api_version}/oauth/access_token")),
            client_id: app_id.to_owned(),
            client_secret: Some(app_secret),
            client_id_param: "client_id",
            scopes: strings(&[
                "pages_manage_posts",
                "pages_read_engagement",
                "pages_manage_engagement",
                "pages_read_user_content",
                "instagram_basic",
                "instagram_content_publish",
                "instagram_manage_comments",
            ]),
            scope_separator: ",",
            pkce: false,
            client_auth: ClientAuth::Body,
            token_request: TokenRequest::Query,
            extra_authorize_params: Vec::new(),
        })
    }

    /// Mastodon (section 6): `{instance}/oauth/authorize` and `{instance}/oauth/token` with the
    /// app registered on that instance (`POST /api/v1/apps`), scopes `read write`.
    #[must_use]
    pub fn mastodon(instance_base: &str, client_id: &str, client_secret: SecretString) -> Self {
        Self {
            platform: Platform::Mastodon,
            authorize_url: join(instance_base, "/oauth/authorize"),
            token_url: join(instance_base, "/oauth/token"),
            client_id: client_id.to_owned(),
            client_secret: Some(client_secret),
            client_id_param: "client_id",
            scopes: strings(&["read", "write"]),
            scope_separator: " ",
            pkce: false,
            client_auth: ClientAuth::Body,
            token_request: TokenRequest::Form,
            extra_authorize_params: Vec::new(),
        }
    }

    /// YouTube (section 4) through Google: consent at `{authorize_base}/o/oauth2/v2/auth`,
    /// tokens at `{token_base}/token`, scope `youtube.force-ssl` (comments, moderation and
    /// uploads). `access_type=offline` and `prompt=consent` make Google issue a refresh token
    /// on every connection, not only the first.
    #[must_use]
    pub fn youtube(
        authorize_base: &str,
        token_base: &str,
        client_id: &str,
        client_secret: SecretString,
    ) -> Self {
        Self {
            platform: Platform::Youtube,
            authorize_url: join(authorize_base, "/o/oauth2/v2/auth"),
            token_url: join(token_base, "/token"),
            client_id: client_id.to_owned(),
            client_secret: Some(client_secret),
            client_id_param: "client_id",
            scopes: strings(&["https://www.googleapis.com/auth/youtube.force-ssl"]),
            scope_separator: " ",
            pkce: false,
            client_auth: ClientAuth::Body,
            token_request: TokenRequest::Form,
            extra_authorize_params: vec![
                ("access_type".to_owned(), "offline".to_owned()),
                ("prompt".to_owned(), "consent".to_owned()),
            ],
        }
    }
}

fn join(base: &str, path: &str) -> String {
    format!("{}{path}", base.trim_end_matches('/'))
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn check_api_version(version: &str) -> Result<(), OAuthError> {
    let digits = version.strip_prefix('v').unwrap_or_default();
    let well_formed = !digits.is_empty()
        && digits.starts_with(|c: char| c.is_ascii_digit())
        && digits.chars().all(|c| c.is_ascii_digit() || c == '.');
    if well_formed {
        Ok(())
    } else {
        Err(OAuthError::InvalidApiVersion(version.to_owned()))
    }
}

/// The PKCE S256 challenge for `verifier`: `BASE64URL-NOPAD(SHA256(verifier))` (RFC 7636
/// section 4.2).
#[must_use]
pub fn pkce_challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// Checks a PKCE verifier: 43 to 128 characters of `[A-Za-z0-9-._~]` (RFC 7636 section 4.1).
///
/// # Errors
/// [`OAuthError::InvalidVerifier`] saying which rule is broken.
pub fn check_verifier(verifier: &str) -> Result<(), OAuthError> {
    if !VERIFIER_LENGTH.contains(&verifier.len()) {
        return Err(OAuthError::InvalidVerifier("has the wrong length"));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~');
    if !verifier.chars().all(allowed) {
        return Err(OAuthError::InvalidVerifier(
            "contains a character PKCE does not allow",
        ));
    }
    Ok(())
}

/// Checks the redirect URI: absolute `http` or `https` with a host and no fragment (RFC 6749
/// section 3.1.2). Plain `http` is allowed for installations reached on a local network.
///
/// # Errors
/// [`OAuthError::InvalidRedirectUri`].
pub fn check_redirect_uri(redirect_uri: &str) -> Result<(), OAuthError> {
    let refuse = |reason| OAuthError::InvalidRedirectUri {
        uri: redirect_uri.to_owned(),
        reason,
    };
    let url = Url::parse(redirect_uri).map_err(|_| refuse("is not an absolute URL"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(refuse("must use http or https"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(refuse("has no host"));
    }
    if url.fragment().is_some() {
        return Err(refuse("must not contain a fragment (#…)"));
    }
    Ok(())
}

/// The consent-page URL to send the browser to: `response_type=code`, the client id,
/// `redirect_uri`, the scopes, `state`, any [`Provider::extra_authorize_params`] and, with a
/// verifier, `code_challenge` and `code_challenge_method=S256`. Values are percent-encoded
/// (spaces as `%20`); parameters already in [`Provider::authorize_url`] are kept.
///
/// A verifier is used whenever one is given (any RFC 7636 server accepts it); it is required
/// when [`Provider::pkce`] is set. Pass the same verifier to [`exchange_code`].
///
/// # Errors
/// [`OAuthError`] for an empty state, a bad redirect URI or verifier, a missing verifier where
/// PKCE is required, or an unusable authorize URL.
pub fn authorize_url(
    p: &Provider,
    redirect_uri: &str,
    state: &str,
    pkce_verifier: Option<&str>,
) -> Result<String, OAuthError> {
    if state.is_empty() {
        return Err(OAuthError::EmptyState);
    }
    check_redirect_uri(redirect_uri)?;
    let challenge = checked_pkce(p, pkce_verifier)?.map(pkce_challenge);
    let mut url = Url::parse(&p.authorize_url).map_err(|_| OAuthError::InvalidEndpoint {
        url: p.authorize_url.clone(),
        reason: "is not an absolute URL",
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(OAuthError::InvalidEndpoint {
            url: p.authorize_url.clone(),
            reason: "must use http or https",
        });
    }
    let scope = p.scopes.join(p.scope_separator);
    let mut params: Vec<(&str, &str)> = vec![
        ("response_type", "code"),
        (p.client_id_param, &p.client_id),
        ("redirect_uri", redirect_uri),
        ("scope", &scope),
        ("state", state),
    ];
    if let Some(challenge) = &challenge {
        params.push(("code_challenge", challenge));
        params.push(("code_challenge_method", "S256"));
    }
    params.extend(
        p.extra_authorize_params
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let mut query = url.query().unwrap_or_default().to_owned();
    for (name, value) in params {
        if !query.is_empty() {
            query.push('&');
        }
        let _ = write!(
            query,
            "{}={}",
            utf8_percent_encode(name, QUERY_VALUE),
            utf8_percent_encode(value, QUERY_VALUE)
        );
    }
    url.set_query(Some(&query));
    Ok(url.into())
}

/// The verifier to use, checked; `None` when PKCE is not used.
fn checked_pkce<'v>(
    p: &Provider,
    verifier: Option<&'v str>,
) -> Result<Option<&'v str>, OAuthError> {
    match verifier {
        Some(v) => check_verifier(v).map(|()| Some(v)),
        None if p.pkce => Err(OAuthError::PkceRequired),
        None => Ok(None),
    }
}

/// Reads the query of the redirect back to Humas (`?code=…&state=…`, or `?error=…`) and
/// returns the authorisation code. `state` is compared in constant time, first, so a forged
/// callback is refused whatever else it says.
///
/// # Errors
/// [`OAuthError::StateMismatch`], [`OAuthError::Denied`] (the person declined, or the platform
/// refused), [`OAuthError::MissingCode`].
pub fn parse_callback(query: &str, expected_state: &str) -> Result<String, OAuthError> {
    if expected_state.is_empty() {
        return Err(OAuthError::EmptyState);
    }
    let query = query.strip_prefix('?').unwrap_or(query);
    let mut state = None;
    let mut code = None;
    let mut error = None;
    let mut description = None;
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        let slot = match name.as_ref() {
            "state" => &mut state,
            "code" => &mut code,
            "error" => &mut error,
            "error_description" => &mut description,
            _ => continue,
        };
        // A repeated parameter is ambiguous; the first one counts, as most servers read it.
        if slot.is_none() {
            *slot = Some(value.into_owned());
        }
    }
    let state_matches = state
        .as_deref()
        .is_some_and(|s| bool::from(s.as_bytes().ct_eq(expected_state.as_bytes())));
    if !state_matches {
        return Err(OAuthError::StateMismatch);
    }
    if let Some(error) = error {
        return Err(OAuthError::Denied {
            error: clip(&error),
            description: description.as_deref().map(clip),
        });
    }
    code.filter(|c| !c.is_empty())
        .ok_or(OAuthError::MissingCode)
}

/// Tokens a platform issued, with their lifetimes made absolute.
///
/// `Debug` prints the tokens redacted.
#[derive(Clone, Debug)]
pub struct TokenSet {
    /// The access token for API calls.
    pub access_token: SecretString,
    /// The refresh token, when the platform issues one.
    pub refresh_token: Option<SecretString>,
    /// When the access token stops working (`now + expires_in`); `None` when not said.
    pub expires_at: Option<Timestamp>,
    /// When the refresh token stops working (TikTok `refresh_expires_in`, Google
    /// `refresh_token_expires_in`); `None` when not said.
    pub refresh_expires_at: Option<Timestamp>,
    /// The scopes granted, as the platform wrote them (TikTok separates them by commas).
    pub scope: Option<String>,
    /// The account the tokens belong to, when the answer names it (TikTok `open_id`).
    pub subject: Option<String>,
}

impl TokenSet {
    /// When the connection dies unless someone reconnects: with a refresh token, when the
    /// refresh token expires (`None` if never said); without one, when the access token does.
    #[must_use]
    pub const fn dies_at(&self) -> Option<Timestamp> {
        if self.refresh_token.is_some() {
            self.refresh_expires_at
        } else {
            self.expires_at
        }
    }

    /// The `wanted` scopes the platform did not grant (people can untick permissions on some
    /// consent pages); `None` when the answer did not list the granted scopes.
    #[must_use]
    pub fn missing_scopes(&self, wanted: &[String]) -> Option<Vec<String>> {
        let granted: Vec<&str> = self
            .scope
            .as_deref()?
            .split([' ', ','])
            .filter(|s| !s.is_empty())
            .collect();
        Some(
            wanted
                .iter()
                .filter(|w| !granted.contains(&w.as_str()))
                .cloned()
                .collect(),
        )
    }
}

/// Trades an authorisation code for tokens (`grant_type=authorization_code`), with the same
/// redirect URI and PKCE verifier as the consent URL. Lifetimes are counted from `now`.
///
/// # Errors
/// [`ConnectorError::TokenExpired`] when the code expired, was used already or does not match
/// the verifier (`invalid_grant`); [`ConnectorError::Forbidden`] for refused client
/// credentials; [`ConnectorError::Target`] for a local mistake ([`OAuthError`]) or a refused
/// token URL; the rest as described in the module documentation.
pub async fn exchange_code(
    http: &Http,
    p: &Provider,
    code: &str,
    redirect_uri: &str,
    pkce_verifier: Option<&str>,
    now: Timestamp,
) -> Result<TokenSet, ConnectorError> {
    if code.is_empty() {
        return Err(OAuthError::MissingCode.into());
    }
    check_redirect_uri(redirect_uri)?;
    let verifier = checked_pkce(p, pkce_verifier)?;
    let mut params = vec![
        ("grant_type", "authorization_code"),
        ("code", code),
        ("redirect_uri", redirect_uri),
    ];
    if let Some(verifier) = verifier {
        params.push(("code_verifier", verifier));
    }
    let mut secrets = vec![code];
    secrets.extend(verifier);
    let answer = token_call(http, p, &p.token_url, params, &secrets).await?;
    answer.into_token_set(now, None)
}

/// Renews the access token (`grant_type=refresh_token`). Platforms that rotate the refresh
/// token (X, TikTok) return a new one, which replaces the old; when the answer has none
/// (Google), the old one is kept in the result.
///
/// # Errors
/// [`ConnectorError::TokenExpired`] when the refresh token expired or was revoked
/// (`invalid_grant`): reconnect. [`ConnectorError::Unsupported`] for Meta, which has no
/// refresh grant ([`meta_long_lived`] instead). The rest as for [`exchange_code`].
pub async fn refresh(
    http: &Http,
    p: &Provider,
    refresh_token: &SecretString,
    now: Timestamp,
) -> Result<TokenSet, ConnectorError> {
    if matches!(p.platform, Platform::Facebook | Platform::Instagram) {
        return Err(ConnectorError::Unsupported("refreshing a token"));
    }
    let token = refresh_token.expose_secret();
    let params = vec![("grant_type", "refresh_token"), ("refresh_token", token)];
    let answer = token_call(http, p, &p.token_url, params, &[token]).await?;
    answer.into_token_set(now, Some(refresh_token))
}

/// Trades a short-lived Meta user token (about 2 hours, from [`exchange_code`]) for a
/// long-lived one (about 60 days) with `grant_type=fb_exchange_token`. Page tokens read with
/// the long-lived token ([`meta_page_tokens`]) do not expire.
///
/// # Errors
/// [`ConnectorError::Target`] with [`OAuthError::MissingClientSecret`]'s message when the
/// provider has no app secret; Graph errors as described in the module documentation.
pub async fn meta_long_lived(
    http: &Http,
    p: &Provider,
    short_token: &SecretString,
    now: Timestamp,
) -> Result<TokenSet, ConnectorError> {
    if p.client_secret.is_none() {
        return Err(OAuthError::MissingClientSecret.into());
    }
    let token = short_token.expose_secret();
    let params = vec![
        ("grant_type", "fb_exchange_token"),
        ("fb_exchange_token", token),
    ];
    let answer = token_call(http, p, &p.token_url, params, &[token]).await?;
    answer.into_token_set(now, None)
}

/// A Facebook Page the person manages, with its Page token.
///
/// `Debug` prints the token redacted.
#[derive(Clone, Debug)]
pub struct PageToken {
    /// The Page id.
    pub page_id: String,
    /// The Page's name, for the operator to pick from.
    pub name: String,
    /// The Page access token (does not expire when read with a long-lived user token).
    pub access_token: SecretString,
    /// The id of the Instagram professional account linked to the Page, if any.
    pub instagram_business_account: Option<String>,
}

/// The Pages the user token may act for (`GET /{version}/me/accounts` with
/// `fields=id,name,access_token,instagram_business_account`), all pages of the listing. The
/// token goes in the `Authorization` header, never in the URL; with `app_secret` (apps with
/// "Require App Secret") each call carries `appsecret_proof`. Pages listed without an access
/// token (the person has no task on them that allows one) cannot be connected and are left
/// out.
///
/// # Errors
/// [`ConnectorError::TokenExpired`] (code 190) and the other Graph errors as described in the
/// module documentation; [`ConnectorError::Malformed`] for a Page without an id or name.
pub async fn meta_page_tokens(
    http: &Http,
    api_base: &str,
    api_version: &str,
    user_token: &SecretString,
    app_secret: Option<&SecretString>,
) -> Result<Vec<PageToken>, ConnectorError> {
    check_api_version(api_version)?;
    let base = http.url(api_base, &format!("/{api_version}/me/accounts"))?;
    let proof = app_secret.map(|s| appsecret_proof(s, user_token));
    let mut pages = Vec::new();
    let mut after: Option<String> = None;
    for _ in 0..MAX_PAGE_LISTING_PAGES {
        let mut url = base.clone();
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("fields", "id,name,access_token,instagram_business_account");
            query.append_pair("limit", "100");
            if let Some(after) = &after {
                query.append_pair("after", after);
            }
            if let Some(proof) = &proof {
                query.append_pair("appsecret_proof", proof.expose_secret());
            }
        }
        let request = http
            .client()
            .get(url)
            .header(AUTHORIZATION, bearer(user_token)?);
        let secrets = [user_token.expose_secret()];
        let listing: AccountsPage = parse_json(&send(request, &secrets).await?)?;
        for item in listing.data {
            pages.extend(item.into_page_token()?);
        }
        let next = listing
            .paging
            .filter(|paging| paging.next.is_some())
            .and_then(|paging| paging.cursors)
            .and_then(|cursors| cursors.after);
        match next {
            Some(cursor) if after.as_ref() != Some(&cursor) => after = Some(cursor),
            _ => return Ok(pages),
        }
    }
    Err(ConnectorError::Malformed(format!(
        "the Page listing did not end after {MAX_PAGE_LISTING_PAGES} pages"
    )))
}

/// `hex(HMAC-SHA256(key = app_secret, msg = access_token))`, as secret as the token.
fn appsecret_proof(app_secret: &SecretString, token: &SecretString) -> SecretString {
    // HMAC takes keys of any length, so this cannot fail; an empty proof would only make Meta
    // refuse the call.
    let proof = Hmac::<Sha256>::new_from_slice(app_secret.expose_secret().as_bytes())
        .map(|mut mac| {
            mac.update(token.expose_secret().as_bytes());
            hex::encode(mac.finalize().into_bytes())
        })
        .unwrap_or_default();
    SecretString::from(proof)
}

fn bearer(token: &SecretString) -> Result<HeaderValue, ConnectorError> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose_secret()))
        .map_err(|_| ConnectorError::Target("the access token contains characters not allowed in an HTTP header; reconnect the account".to_owned()))?;
    value.set_sensitive(true);
    Ok(value)
}

// ---------------------------------------------------------------------------------------------
// The token endpoint.

/// Sends one token request with the client credentials and returns the parsed answer.
async fn token_call(
    http: &Http,
    p: &Provider,
    endpoint: &str,
    mut params: Vec<(&str, &str)>,
    call_secrets: &[&str],
) -> Result<TokenAnswer, ConnectorError> {
    let url = Url::parse(endpoint)
        .map_err(|e| ConnectorError::Target(format!("invalid token URL {endpoint:?}: {e}")))?;
    http.check(&url)?;
    let client_secret = p.client_secret.as_ref().map(ExposeSecret::expose_secret);
    let mut basic = None;
    match p.client_auth {
        ClientAuth::Basic => basic = Some(basic_credentials(&p.client_id, client_secret)?),
        ClientAuth::Body => {
            params.push((p.client_id_param, &p.client_id));
            params.extend(client_secret.map(|s| ("client_secret", s)));
        }
    }
    let mut request = match p.token_request {
        TokenRequest::Form => http.client().post(url).form(&params),
        TokenRequest::Query => http.client().get(url).query(&params),
    };
    if let Some(basic) = basic {
        request = request.header(AUTHORIZATION, basic);
    }
    let mut secrets = call_secrets.to_vec();
    secrets.extend(client_secret);
    let body = send(request, &secrets).await?;
    let value: Value = parse_json(&body)?;
    // TikTok answers some errors with HTTP 200.
    if value.get("error").is_some_and(|e| !e.is_null()) {
        return Err(error_from_body(StatusCode::OK, None, &body, &secrets));
    }
    let answer: TokenAnswer = serde_json::from_value(value).map_err(|e| {
        ConnectorError::Malformed(format!("token answer does not have the OAuth shape: {e}"))
    })?;
    answer.check()?;
    Ok(answer)
}

/// `Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 section 2.3.1).
fn basic_credentials(client_id: &str, secret: Option<&str>) -> Result<HeaderValue, ConnectorError> {
    let Some(secret) = secret else {
        return Err(OAuthError::MissingClientSecret.into());
    };
    let encode = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let credentials = STANDARD.encode(format!("{}:{}", encode(client_id), encode(secret)));
    let mut value = HeaderValue::from_str(&format!("Basic {credentials}"))
        .map_err(|_| ConnectorError::Target("could not build the Basic credentials".to_owned()))?;
    value.set_sensitive(true);
    Ok(value)
}

/// Sends a request and returns the body of a success; anything else becomes the error.
async fn send(request: RequestBuilder, secrets: &[&str]) -> Result<Vec<u8>, ConnectorError> {
    // The URL may carry secrets (Meta's query), so transport errors drop it.
    let response = request
        .send()
        .await
        .map_err(|e| transport_error(&e.without_url()))?;
    let status = response.status();
    let retry = retry_after(&response);
    let body = read_body(response).await.map_err(|e| match e {
        ConnectorError::Transport(m) => ConnectorError::Transport(redact(&m, secrets)),
        other => other,
    })?;
    if status.is_success() {
        Ok(body)
    } else {
        Err(error_from_body(status, retry, &body, secrets))
    }
}

/// Maps an error answer: the status for 429 and 5xx, otherwise the body's error code.
fn error_from_body(
    status: StatusCode,
    retry: Option<Duration>,
    body: &[u8],
    secrets: &[&str],
) -> ConnectorError {
    let parsed = serde_json::from_slice::<Value>(body).ok();
    let error = parsed.as_ref().and_then(|v| v.get("error"));
    let (kind, detail) = match error {
        Some(Value::String(code)) => rfc_error(code, parsed.as_ref()),
        Some(Value::Object(graph)) => graph_error(graph),
        _ => (
            status_kind(status),
            format!(
                "HTTP {}: {}",
                status.as_u16(),
                String::from_utf8_lossy(body).trim()
            ),
        ),
    };
    let detail = clip(&redact(&detail, secrets));
    let kind = match status.as_u16() {
        429 => ErrorKind::RateLimited,
        500..=599 => ErrorKind::Unavailable,
        _ => kind,
    };
    kind.into_error(detail, retry)
}

/// What an error means, before its detail is attached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ErrorKind {
    TokenExpired,
    Forbidden,
    RateLimited,
    Unavailable,
    NotFound,
    Refused,
}

impl ErrorKind {
    fn into_error(self, detail: String, retry_after: Option<Duration>) -> ConnectorError {
        match self {
            Self::TokenExpired => ConnectorError::TokenExpired(detail),
            Self::Forbidden => ConnectorError::Forbidden(detail),
            Self::RateLimited => ConnectorError::RateLimited {
                retry_after,
                detail,
            },
            Self::Unavailable => ConnectorError::Unavailable {
                retry_after,
                detail,
            },
            Self::NotFound => ConnectorError::NotFound(detail),
            Self::Refused => ConnectorError::Refused(detail),
        }
    }
}

/// An RFC 6749 section 5.2 error (`error`, `error_description`; TikTok adds `log_id`).
fn rfc_error(code: &str, body: Option<&Value>) -> (ErrorKind, String) {
    let field = |name| body.and_then(|v| v.get(name)).and_then(Value::as_str);
    let mut detail = code.to_owned();
    if let Some(description) = field("error_description").filter(|d| !d.is_empty()) {
        let _ = write!(detail, ": {description}");
    }
    if let Some(log_id) = field("log_id") {
        let _ = write!(detail, " (log_id {log_id})");
    }
    let kind = match code {
        // The code expired, was used, or does not match the verifier; or the refresh token
        // was revoked: only a new consent helps.
        "invalid_grant" => ErrorKind::TokenExpired,
        "invalid_client" | "unauthorized_client" | "access_denied" => ErrorKind::Forbidden,
        "temporarily_unavailable" | "server_error" => ErrorKind::Unavailable,
        "rate_limit_exceeded" | "slow_down" => ErrorKind::RateLimited,
        _ => ErrorKind::Refused,
    };
    (kind, detail)
}

/// A Graph API error object (section 2.1): the code decides, not the HTTP status.
fn graph_error(error: &serde_json::Map<String, Value>) -> (ErrorKind, String) {
    let code = error.get("code").and_then(Value::as_i64);
    let subcode = error.get("error_subcode").and_then(Value::as_i64);
    let oauth_exception = error.get("type").and_then(Value::as_str) == Some("OAuthException");
    let transient = error.get("is_transient").and_then(Value::as_bool);
    let mut detail = error
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("no message")
        .to_owned();
    if let Some(code) = code {
        let _ = write!(detail, " (code {code}");
        if let Some(subcode) = subcode {
            let _ = write!(detail, ", subcode {subcode}");
        }
        detail.push(')');
    }
    let kind = match code {
        Some(190 | 102) => ErrorKind::TokenExpired,
        Some(4 | 17 | 32 | 613 | 80001 | 80002) => ErrorKind::RateLimited,
        Some(10 | 101 | 200..=299) => ErrorKind::Forbidden,
        // "Error validating client secret" comes as an OAuthException with code 1 [verify]:
        // a configuration problem, not Meta being down.
        Some(1) if oauth_exception => ErrorKind::Forbidden,
        _ if transient == Some(true) => ErrorKind::Unavailable,
        Some(1 | 2) if transient.is_none() => ErrorKind::Unavailable,
        _ => ErrorKind::Refused,
    };
    (kind, detail)
}

fn status_kind(status: StatusCode) -> ErrorKind {
    match status.as_u16() {
        // At a token endpoint 401 means the client credentials, not a user token.
        401 | 403 => ErrorKind::Forbidden,
        404 | 410 => ErrorKind::NotFound,
        429 => ErrorKind::RateLimited,
        500..=599 => ErrorKind::Unavailable,
        _ => ErrorKind::Refused,
    }
}

/// Replaces every occurrence of a secret (a server may echo what it was sent).
fn redact(text: &str, secrets: &[&str]) -> String {
    secrets
        .iter()
        .filter(|s| !s.is_empty())
        .fold(text.to_owned(), |text, secret| {
            text.replace(secret, "[redacted]")
        })
}

fn clip(text: &str) -> String {
    let mut clipped: String = text.chars().take(MAX_DETAIL_CHARS).collect();
    if clipped.len() < text.len() {
        clipped.push('…');
    }
    clipped
}

/// A successful token answer (RFC 6749 section 5.1 plus the platforms' additions).
#[derive(Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    access_token: String,
    token_type: Option<String>,
    refresh_token: Option<String>,
    expires_in: Option<Seconds>,
    /// TikTok.
    refresh_expires_in: Option<Seconds>,
    /// Google, for apps in testing and time-limited grants.
    refresh_token_expires_in: Option<Seconds>,
    scope: Option<String>,
    /// TikTok.
    open_id: Option<String>,
}

/// Seconds as a JSON number or a numeric string (some Graph versions send strings).
#[derive(Deserialize)]
#[serde(untagged)]
enum Seconds {
    Number(u64),
    Text(String),
}

impl Seconds {
    fn after(&self, now: Timestamp, what: &str) -> Result<Timestamp, ConnectorError> {
        let secs = match self {
            Self::Number(n) => Some(*n),
            Self::Text(t) => t.trim().parse().ok(),
        };
        secs.and_then(|s| i64::try_from(s).ok())
            .and_then(|s| now.checked_add(SignedDuration::from_secs(s)).ok())
            .ok_or_else(|| {
                ConnectorError::Malformed(format!("{what} is not a usable number of seconds"))
            })
    }
}

impl TokenAnswer {
    fn check(&self) -> Result<(), ConnectorError> {
        if self.access_token.is_empty() {
            return Err(ConnectorError::Malformed(
                "the token answer has no access_token".to_owned(),
            ));
        }
        if let Some(kind) = &self.token_type
            && !kind.eq_ignore_ascii_case("bearer")
        {
            return Err(ConnectorError::Malformed(format!(
                "token_type {:?} is not bearer, the only kind Humas can use",
                clip(kind)
            )));
        }
        Ok(())
    }

    /// The token set; `previous_refresh` is kept when the answer has no refresh token.
    fn into_token_set(
        self,
        now: Timestamp,
        previous_refresh: Option<&SecretString>,
    ) -> Result<TokenSet, ConnectorError> {
        let expires_at = self
            .expires_in
            .map(|s| s.after(now, "expires_in"))
            .transpose()?;
        let refresh_expires_at = self
            .refresh_expires_in
            .or(self.refresh_token_expires_in)
            .map(|s| s.after(now, "refresh_expires_in"))
            .transpose()?;
        let refresh_token = self
            .refresh_token
            .filter(|t| !t.is_empty())
            .map(SecretString::from)
            .or_else(|| previous_refresh.cloned());
        Ok(TokenSet {
            access_token: SecretString::from(self.access_token),
            refresh_token,
            expires_at,
            refresh_expires_at,
            scope: self.scope.filter(|s| !s.is_empty()),
            subject: self.open_id.filter(|s| !s.is_empty()),
        })
    }
}

#[derive(Deserialize)]
struct AccountsPage {
    #[serde(default)]
    data: Vec<AccountItem>,
    paging: Option<Paging>,
}

#[derive(Deserialize)]
struct Paging {
    cursors: Option<Cursors>,
    next: Option<String>,
}

#[derive(Deserialize)]
struct Cursors {
    after: Option<String>,
}

#[derive(Deserialize)]
struct AccountItem {
    id: Option<String>,
    name: Option<String>,
    access_token: Option<String>,
    instagram_business_account: Option<IdOnly>,
}

#[derive(Deserialize)]
struct IdOnly {
    id: String,
}

impl AccountItem {
    fn into_page_token(self) -> Result<Option<PageToken>, ConnectorError> {
        let (Some(page_id), Some(name)) = (self.id, self.name) else {
            return Err(ConnectorError::Malformed(
                "a Page in /me/accounts has no id or name".to_owned(),
            ));
        };
        let Some(token) = self.access_token.filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        Ok(Some(PageToken {
            page_id,
            name,
            access_token: SecretString::from(token),
            instagram_business_account: self.instagram_business_account.map(|a| a.id),
        }))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn graph_codes_decide_the_kind() {
        let kind = |v: Value| graph_error(v.as_object().unwrap()).0;
        assert_eq!(
            kind(serde_json::json!({"code": 190})),
            ErrorKind::TokenExpired
        );
        assert_eq!(
            kind(serde_json::json!({"code": 17})),
            ErrorKind::RateLimited
        );
        assert_eq!(kind(serde_json::json!({"code": 200})), ErrorKind::Forbidden);
        assert_eq!(kind(serde_json::json!({"code": 100})), ErrorKind::Refused);
        assert_eq!(kind(serde_json::json!({"code": 2})), ErrorKind::Unavailable);
        assert_eq!(
            kind(serde_json::json!({"code": 1, "type": "OAuthException"})),
            ErrorKind::Forbidden
        );
        assert_eq!(
            kind(serde_json::json!({"code": 100, "is_transient": true})),
            ErrorKind::Unavailable
        );
    }

    #[test]
    fn redaction_covers_every_secret_and_clipping_marks_the_cut() {
        assert_eq!(
            redact("code abc used with s3cret", &["abc", "s3cret", ""]),
            "code [redacted] used with [redacted]"
        );
        let long = "x".repeat(MAX_DETAIL_CHARS + 5);
        assert_eq!(clip(&long).chars().count(), MAX_DETAIL_CHARS + 1);
        assert_eq!(clip("short"), "short");
    }

    #[test]
    fn api_versions_are_checked() {
        assert!(check_api_version("v23.0").is_ok());
        for bad in ["23.0", "v", "v.1", "v23/../x", ""] {
            assert!(check_api_version(bad).is_err(), "{bad}");
        }
    }
}
