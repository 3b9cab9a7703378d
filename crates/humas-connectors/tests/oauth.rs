//! OAuth 2.0 authorisation-code flows against a local fake authorisation server.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

#[path = "fakes/oauth.rs"]
mod fake;

use std::collections::HashMap;
use std::net::IpAddr;
use std::time::Duration;

use fake::{Auth, Client, ErrorStyle, FakeOAuth};
use humas_connectors::ConnectorError;
use humas_connectors::http::Http;
use humas_connectors::oauth::{
    self, ClientAuth, OAuthError, Provider, TokenRequest, authorize_url, check_verifier,
    exchange_code, meta_long_lived, meta_page_tokens, parse_callback, pkce_challenge,
};
use humas_domain::org::Platform;
use humas_feeds::fetch::FetchOptions;
use jiff::{SignedDuration, Timestamp};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

/// RFC 7636 appendix B.
const RFC_VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const RFC_CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
const REDIRECT: &str = "https://humas.bandung.go.id/oauth/callback";
const STATE: &str = "st4te-7f3a";
/// Has characters that RFC 6749's Basic scheme form-encodes.
const SECRET: &str = "s3cret~/+=:x";

fn loopback_http() -> Http {
    Http::new(FetchOptions {
        allowed_addresses: vec!["127.0.0.1".parse::<IpAddr>().unwrap()],
        ..Default::default()
    })
    .unwrap()
}

fn now() -> Timestamp {
    "2026-03-01T00:00:00Z".parse().unwrap()
}

fn query_of(url: &str) -> HashMap<String, String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

fn client(id: &str, auth: Auth, id_param: &'static str) -> Client {
    Client {
        id: id.to_owned(),
        secret: (auth != Auth::Public).then(|| SECRET.to_owned()),
        id_param,
        auth,
    }
}

fn secret() -> SecretString {
    SecretString::from(SECRET)
}

/// Consent page → callback → code, as the web layer will do it.
fn consent(fake: &FakeOAuth, p: &Provider, verifier: Option<&str>) -> String {
    let url = authorize_url(p, REDIRECT, STATE, verifier).unwrap();
    let location = fake.authorize(&url);
    let query = url::Url::parse(&location)
        .unwrap()
        .query()
        .unwrap()
        .to_owned();
    parse_callback(&query, STATE).unwrap()
}

// --- PKCE and the consent URL ---------------------------------------------------------------

#[test]
fn pkce_challenge_matches_rfc_7636_appendix_b() {
    assert_eq!(pkce_challenge(RFC_VERIFIER), RFC_CHALLENGE);
}

#[test]
fn verifiers_are_checked_for_length_and_alphabet() {
    assert!(check_verifier(&"a".repeat(43)).is_ok());
    assert!(
        check_verifier(&"Az09-._~".repeat(16)).is_ok(),
        "128 characters"
    );
    assert!(check_verifier(RFC_VERIFIER).is_ok());
    for bad in [
        "a".repeat(42),
        "a".repeat(129),
        format!("{}+", "a".repeat(42)),
        format!("{}é", "a".repeat(41)),
    ] {
        assert!(
            matches!(check_verifier(&bad), Err(OAuthError::InvalidVerifier(_))),
            "{bad}"
        );
    }
}

#[test]
fn x_consent_url_has_pkce_s256_and_space_separated_scopes() {
    let p = Provider::x(
        "https://api.x.com",
        oauth::X_AUTHORIZE_BASE,
        "x-client",
        Some(secret()),
    );
    let url = authorize_url(&p, REDIRECT, STATE, Some(RFC_VERIFIER)).unwrap();
    assert!(
        url.starts_with("https://x.com/i/oauth2/authorize?"),
        "{url}"
    );
    let q = query_of(&url);
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["client_id"], "x-client");
    assert_eq!(q["redirect_uri"], REDIRECT);
    assert_eq!(q["state"], STATE);
    assert_eq!(
        q["scope"],
        "tweet.read tweet.write users.read offline.access media.write"
    );
    assert_eq!(q["code_challenge"], RFC_CHALLENGE);
    assert_eq!(q["code_challenge_method"], "S256");
    assert!(
        url.contains("scope=tweet.read%20tweet.write") && !url.contains('+'),
        "spaces are %20: {url}"
    );
    assert!(
        url.contains("redirect_uri=https%3A%2F%2Fhumas.bandung.go.id%2Foauth%2Fcallback"),
        "{url}"
    );
    assert_eq!(p.client_auth, ClientAuth::Basic);
    assert_eq!(p.token_url, "https://api.x.com/2/oauth2/token");
}

#[test]
fn x_refuses_a_consent_url_without_a_verifier() {
    let p = Provider::x("https://api.x.com", "https://x.com", "x-client", None);
    assert_eq!(p.client_auth, ClientAuth::Body, "public client");
    assert_eq!(
        authorize_url(&p, REDIRECT, STATE, None),
        Err(OAuthError::PkceRequired)
    );
    assert!(matches!(
        authorize_url(&p, REDIRECT, STATE, Some("too-short")),
        Err(OAuthError::InvalidVerifier(_))
    ));
}

#[test]
fn tiktok_consent_url_uses_client_key_and_commas() {
    let p = Provider::tiktok(
        "https://open.tiktokapis.com",
        oauth::TIKTOK_AUTHORIZE_BASE,
        "awkey123",
        secret(),
    );
    let url = authorize_url(&p, REDIRECT, STATE, None).unwrap();
    assert!(
        url.starts_with("https://www.tiktok.com/v2/auth/authorize/?"),
        "{url}"
    );
    let q = query_of(&url);
    assert_eq!(q["client_key"], "awkey123");
    assert!(!q.contains_key("client_id"));
    assert_eq!(q["scope"], "user.info.basic,video.publish,video.upload");
    assert!(!q.contains_key("code_challenge"), "TikTok web uses no PKCE");
    assert_eq!(p.token_url, "https://open.tiktokapis.com/v2/oauth/token/");
}

#[test]
fn meta_consent_url_is_the_versioned_dialog_with_comma_scopes() {
    let p = Provider::meta(
        "https://graph.facebook.com",
        oauth::META_AUTHORIZE_BASE,
        oauth::META_API_VERSION,
        "1234567890",
        secret(),
    )
    .unwrap();
    let url = authorize_url(&p, REDIRECT, STATE, None).unwrap();
    assert!(
        url.starts_with("https://www.facebook.com/v23.0/dialog/oauth?"),
        "{url}"
    );
    let q = query_of(&url);
    assert_eq!(q["client_id"], "1234567890");
    assert_eq!(
        q["scope"],
        "pages_manage_posts,pages_read_engagement,pages_manage_engagement,pages_read_user_content,\
         instagram_basic,instagram_content_publish,instagram_manage_comments"
    );
    assert_eq!(
        p.token_url,
        "https://graph.facebook.com/v23.0/oauth/access_token"
    );
    assert_eq!(p.token_request, TokenRequest::Query);
    assert!(matches!(
        Provider::meta("https://g", "https://f", "23", "1", secret()),
        Err(OAuthError::InvalidApiVersion(_))
    ));
}

#[test]
fn google_consent_url_asks_for_offline_access_every_time() {
    let p = Provider::youtube(
        oauth::GOOGLE_AUTHORIZE_BASE,
        oauth::GOOGLE_TOKEN_BASE,
        "123.apps.googleusercontent.com",
        secret(),
    );
    let url = authorize_url(&p, REDIRECT, STATE, None).unwrap();
    assert!(
        url.starts_with("https://accounts.google.com/o/oauth2/v2/auth?"),
        "{url}"
    );
    let q = query_of(&url);
    assert_eq!(
        q["scope"],
        "https://www.googleapis.com/auth/youtube.force-ssl"
    );
    assert_eq!(q["access_type"], "offline");
    assert_eq!(q["prompt"], "consent");
    assert_eq!(p.token_url, "https://oauth2.googleapis.com/token");
    assert_eq!(p.platform, Platform::Youtube);
}

#[test]
fn mastodon_consent_url_is_on_the_instance() {
    let p = Provider::mastodon("https://mastodon.jabarprov.go.id/", "mst-client", secret());
    let url = authorize_url(&p, REDIRECT, STATE, None).unwrap();
    assert!(
        url.starts_with("https://mastodon.jabarprov.go.id/oauth/authorize?"),
        "{url}"
    );
    assert_eq!(query_of(&url)["scope"], "read write");
    assert_eq!(p.token_url, "https://mastodon.jabarprov.go.id/oauth/token");
}

#[test]
fn parameters_already_in_the_authorize_url_are_kept() {
    let mut p = Provider::mastodon("https://social.example", "c", secret());
    p.authorize_url = "https://auth.example/authorize?tenant=kota%20bandung".to_owned();
    let q = query_of(&authorize_url(&p, REDIRECT, STATE, None).unwrap());
    assert_eq!(q["tenant"], "kota bandung");
    assert_eq!(q["client_id"], "c");
}

#[test]
fn bad_redirect_uris_and_empty_state_are_refused_before_anything_is_sent() {
    let p = Provider::mastodon("https://social.example", "c", secret());
    for bad in [
        "/oauth/callback",
        "ftp://humas.example/cb",
        "https://humas.example/cb#frag",
        "javascript:alert(1)",
    ] {
        assert!(
            matches!(
                authorize_url(&p, bad, STATE, None),
                Err(OAuthError::InvalidRedirectUri { .. })
            ),
            "{bad}"
        );
    }
    assert_eq!(
        authorize_url(&p, REDIRECT, "", None),
        Err(OAuthError::EmptyState)
    );
    let mut broken = p.clone();
    broken.authorize_url = "not a url".to_owned();
    assert!(matches!(
        authorize_url(&broken, REDIRECT, STATE, None),
        Err(OAuthError::InvalidEndpoint { .. })
    ));
}

// --- The callback ----------------------------------------------------------------------------

#[test]
fn callback_gives_the_code_only_with_the_right_state() {
    assert_eq!(
        parse_callback("?code=abc%2Fdef&state=st4te-7f3a", STATE).unwrap(),
        "abc/def"
    );
    assert_eq!(
        parse_callback("code=abc&state=other", STATE),
        Err(OAuthError::StateMismatch)
    );
    assert_eq!(
        parse_callback("code=abc", STATE),
        Err(OAuthError::StateMismatch)
    );
    assert_eq!(
        parse_callback("error=access_denied&state=forged", STATE),
        Err(OAuthError::StateMismatch),
        "an error with the wrong state is still a forged callback"
    );
    assert_eq!(
        parse_callback(
            "error=access_denied&error_description=Permissions+error&state=st4te-7f3a",
            STATE
        ),
        Err(OAuthError::Denied {
            error: "access_denied".to_owned(),
            description: Some("Permissions error".to_owned()),
        })
    );
    assert_eq!(
        parse_callback("state=st4te-7f3a&code=", STATE),
        Err(OAuthError::MissingCode)
    );
}

// --- Code exchange ---------------------------------------------------------------------------

#[tokio::test]
async fn x_confidential_client_exchanges_with_basic_auth_and_pkce() {
    let fake = FakeOAuth::start(
        client("x-client", Auth::Basic, "client_id"),
        ErrorStyle::Rfc,
    )
    .await;
    fake.with(|s| s.scope = Some("tweet.read users.read offline.access".to_owned()));
    let p = Provider::x(&fake.base(), &fake.base(), "x-client", Some(secret()));
    let code = consent(&fake, &p, Some(RFC_VERIFIER));
    assert_eq!(
        fake.with(|s| s.codes[&code].challenge.clone()).as_deref(),
        Some(RFC_CHALLENGE)
    );

    let tokens = exchange_code(
        &loopback_http(),
        &p,
        &code,
        REDIRECT,
        Some(RFC_VERIFIER),
        now(),
    )
    .await
    .unwrap();
    assert_eq!(tokens.access_token.expose_secret(), "access-2");
    assert_eq!(
        tokens.refresh_token.as_ref().unwrap().expose_secret(),
        "refresh-2"
    );
    assert_eq!(
        tokens.expires_at,
        Some(now() + SignedDuration::from_hours(2))
    );
    assert_eq!(tokens.refresh_expires_at, None);
    assert_eq!(tokens.dies_at(), None, "a refresh token without expiry");
    assert_eq!(
        tokens.missing_scopes(&p.scopes).unwrap(),
        ["tweet.write", "media.write"]
    );

    let seen = fake.seen();
    let call = &seen[0];
    assert_eq!(call.method, "POST");
    assert_eq!(call.path, "/2/oauth2/token");
    assert!(call.authorization.as_deref().unwrap().starts_with("Basic "));
    assert_eq!(
        call.param("client_secret"),
        None,
        "the secret goes only in Basic"
    );
    assert_eq!(call.param("code_verifier"), Some(RFC_VERIFIER));
    assert_eq!(call.param("grant_type"), Some("authorization_code"));
    assert_eq!(call.param("redirect_uri"), Some(REDIRECT));
}

#[tokio::test]
async fn x_public_client_sends_only_its_id_in_the_body() {
    let fake = FakeOAuth::start(
        client("x-public", Auth::Public, "client_id"),
        ErrorStyle::Rfc,
    )
    .await;
    let p = Provider::x(&fake.base(), &fake.base(), "x-public", None);
    let code = consent(&fake, &p, Some(RFC_VERIFIER));
    exchange_code(
        &loopback_http(),
        &p,
        &code,
        REDIRECT,
        Some(RFC_VERIFIER),
        now(),
    )
    .await
    .unwrap();
    let call = &fake.seen()[0];
    assert_eq!(call.authorization, None);
    assert_eq!(call.param("client_id"), Some("x-public"));
    assert_eq!(call.param("client_secret"), None);
}

#[tokio::test]
async fn a_verifier_that_does_not_match_the_challenge_is_invalid_grant() {
    let fake = FakeOAuth::start(
        client("x-client", Auth::Basic, "client_id"),
        ErrorStyle::Rfc,
    )
    .await;
    let p = Provider::x(&fake.base(), &fake.base(), "x-client", Some(secret()));
    let code = consent(&fake, &p, Some(RFC_VERIFIER));
    let other = "b".repeat(43);
    let err = exchange_code(&loopback_http(), &p, &code, REDIRECT, Some(&other), now())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ConnectorError::TokenExpired(d) if d.contains("code_verifier does not match")),
        "{err:?}"
    );
    assert_eq!(
        fake.seen()[0].param("code_verifier"),
        Some(other.as_str()),
        "the verifier given is the one sent"
    );
}

#[tokio::test]
async fn a_used_code_is_token_expired_and_the_code_is_not_repeated_in_the_error() {
    let fake = FakeOAuth::start(client("mst", Auth::Body, "client_id"), ErrorStyle::Rfc).await;
    let p = Provider::mastodon(&fake.base(), "mst", secret());
    let code = consent(&fake, &p, None);
    let http = loopback_http();
    exchange_code(&http, &p, &code, REDIRECT, None, now())
        .await
        .unwrap();
    let err = exchange_code(&http, &p, &code, REDIRECT, None, now())
        .await
        .unwrap_err();
    let ConnectorError::TokenExpired(detail) = &err else {
        panic!("{err:?}")
    };
    assert!(
        detail.starts_with("invalid_grant: authorization code [redacted] is invalid"),
        "{detail}"
    );
    assert!(!err.to_string().contains(&code));
}

#[tokio::test]
async fn a_wrong_client_secret_is_forbidden() {
    let fake = FakeOAuth::start(client("mst", Auth::Body, "client_id"), ErrorStyle::Rfc).await;
    let p = Provider::mastodon(&fake.base(), "mst", SecretString::from("wrong-secret"));
    let code = consent(&fake, &p, None);
    let err = exchange_code(&loopback_http(), &p, &code, REDIRECT, None, now())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Forbidden(d) if d.starts_with("invalid_client")),
        "{err:?}"
    );
    assert!(!err.to_string().contains("wrong-secret"));
}

#[tokio::test]
async fn tiktok_exchange_sends_client_key_and_reads_open_id_and_refresh_expiry() {
    let fake = FakeOAuth::start(
        client("awkey123", Auth::Body, "client_key"),
        ErrorStyle::TikTok,
    )
    .await;
    fake.with(|s| {
        s.expires_in = Some(json!(86_400));
        s.refresh_expires_in = Some(31_536_000);
        s.open_id = Some("-000abcOpenId".to_owned());
        s.scope = Some("user.info.basic,video.publish".to_owned());
        s.token_type = "Bearer";
    });
    let p = Provider::tiktok(&fake.base(), &fake.base(), "awkey123", secret());
    let code = consent(&fake, &p, None);
    let tokens = exchange_code(&loopback_http(), &p, &code, REDIRECT, None, now())
        .await
        .unwrap();
    assert_eq!(tokens.subject.as_deref(), Some("-000abcOpenId"));
    assert_eq!(
        tokens.expires_at,
        Some(now() + SignedDuration::from_hours(24))
    );
    let year = now() + SignedDuration::from_hours(24 * 365);
    assert_eq!(tokens.refresh_expires_at, Some(year));
    assert_eq!(
        tokens.dies_at(),
        Some(year),
        "the refresh token's end is the connection's"
    );
    assert_eq!(tokens.missing_scopes(&p.scopes).unwrap(), ["video.upload"]);

    let call = &fake.seen()[0];
    assert_eq!(call.path, "/v2/oauth/token/");
    assert_eq!(call.param("client_key"), Some("awkey123"));
    assert_eq!(call.param("client_secret"), Some(SECRET));
    assert_eq!(call.param("client_id"), None);
    assert_eq!(call.authorization, None);
}

#[tokio::test]
async fn tiktok_errors_sent_with_http_200_are_errors() {
    let fake = FakeOAuth::start(
        client("awkey123", Auth::Body, "client_key"),
        ErrorStyle::TikTok,
    )
    .await;
    let p = Provider::tiktok(&fake.base(), &fake.base(), "awkey123", secret());
    let http = loopback_http();
    let err = exchange_code(&http, &p, "never-issued", REDIRECT, None, now())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ConnectorError::TokenExpired(d) if d.contains("log_id 202603010000000A1B2C")),
        "{err:?}"
    );
    fake.script(
        200,
        &[],
        r#"{"error":"invalid_request","error_description":"The request parameters are malformed.","log_id":"L1"}"#,
    );
    let err = exchange_code(&http, &p, "c", REDIRECT, None, now())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Refused(d)
            if d == "invalid_request: The request parameters are malformed. (log_id L1)"),
        "{err:?}"
    );
}

// --- Refresh ---------------------------------------------------------------------------------

#[tokio::test]
async fn google_refresh_keeps_the_old_refresh_token_when_none_is_returned() {
    let fake = FakeOAuth::start(client("g.apps", Auth::Body, "client_id"), ErrorStyle::Rfc).await;
    fake.with(|s| {
        s.rotate_refresh = false;
        s.expires_in = Some(json!(3599));
    });
    let p = Provider::youtube(&fake.base(), &fake.base(), "g.apps", secret());
    let http = loopback_http();
    let code = consent(&fake, &p, None);
    let first = exchange_code(&http, &p, &code, REDIRECT, None, now())
        .await
        .unwrap();
    let old = first.refresh_token.unwrap();

    let later = now() + SignedDuration::from_hours(5);
    let renewed = oauth::refresh(&http, &p, &old, later).await.unwrap();
    assert_ne!(
        renewed.access_token.expose_secret(),
        first.access_token.expose_secret()
    );
    assert_eq!(
        renewed.refresh_token.unwrap().expose_secret(),
        old.expose_secret()
    );
    assert_eq!(
        renewed.expires_at,
        Some(later + SignedDuration::from_secs(3599))
    );

    let call = fake.seen().pop().unwrap();
    assert_eq!(call.path, "/token");
    assert_eq!(call.param("grant_type"), Some("refresh_token"));
    assert_eq!(call.param("refresh_token"), Some(old.expose_secret()));
    assert_eq!(call.param("client_id"), Some("g.apps"));
    assert_eq!(call.param("client_secret"), Some(SECRET));
}

#[tokio::test]
async fn x_refresh_rotates_and_a_revoked_refresh_token_is_token_expired() {
    let fake = FakeOAuth::start(
        client("x-client", Auth::Basic, "client_id"),
        ErrorStyle::Rfc,
    )
    .await;
    let p = Provider::x(&fake.base(), &fake.base(), "x-client", Some(secret()));
    let http = loopback_http();
    let code = consent(&fake, &p, Some(RFC_VERIFIER));
    let first = exchange_code(&http, &p, &code, REDIRECT, Some(RFC_VERIFIER), now())
        .await
        .unwrap();
    let old = first.refresh_token.unwrap();
    let renewed = oauth::refresh(&http, &p, &old, now()).await.unwrap();
    let rotated = renewed.refresh_token.unwrap();
    assert_ne!(rotated.expose_secret(), old.expose_secret());
    assert!(
        fake.seen()
            .last()
            .unwrap()
            .authorization
            .as_deref()
            .unwrap()
            .starts_with("Basic ")
    );

    let err = oauth::refresh(&http, &p, &old, now()).await.unwrap_err();
    let ConnectorError::TokenExpired(detail) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(
        detail,
        "invalid_grant: refresh token [redacted] was revoked"
    );
    assert!(!format!("{err:?}").contains(old.expose_secret()));
}

#[tokio::test]
async fn meta_has_no_refresh_grant() {
    let p = Provider::meta(
        "https://graph.facebook.com",
        "https://www.facebook.com",
        "v23.0",
        "1",
        secret(),
    )
    .unwrap();
    let err = oauth::refresh(&loopback_http(), &p, &SecretString::from("r"), now())
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Unsupported(_)), "{err:?}");
}

// --- Answers that are not tokens -------------------------------------------------------------

async fn scripted_exchange(
    status: u16,
    headers: &[(&'static str, &str)],
    body: &str,
) -> ConnectorError {
    let fake = FakeOAuth::start(client("mst", Auth::Body, "client_id"), ErrorStyle::Rfc).await;
    fake.script(status, headers, body);
    let p = Provider::mastodon(&fake.base(), "mst", secret());
    exchange_code(&loopback_http(), &p, "code-x", REDIRECT, None, now())
        .await
        .unwrap_err()
}

#[tokio::test]
async fn rate_limits_and_outages_are_transient() {
    let err = scripted_exchange(
        429,
        &[("retry-after", "30")],
        r#"{"error":"rate_limit_exceeded"}"#,
    )
    .await;
    assert!(
        matches!(&err, ConnectorError::RateLimited { retry_after: Some(d), .. } if *d == Duration::from_secs(30)),
        "{err:?}"
    );
    let err = scripted_exchange(503, &[], "<html>Service Unavailable</html>").await;
    assert!(
        matches!(&err, ConnectorError::Unavailable { detail, .. } if detail.contains("HTTP 503")),
        "{err:?}"
    );
    assert!(err.is_transient());
    let err = scripted_exchange(400, &[], r#"{"error":"temporarily_unavailable"}"#).await;
    assert!(matches!(err, ConnectorError::Unavailable { .. }), "{err:?}");
}

#[tokio::test]
async fn answers_without_a_usable_token_are_malformed() {
    for body in [
        "not json",
        r#"{"token_type":"bearer"}"#,
        r#"{"access_token":"a","token_type":"mac"}"#,
        r#"{"access_token":"a","expires_in":-5}"#,
        r#"{"access_token":"a","expires_in":"soon"}"#,
        r#"{"access_token":"a","expires_in":18446744073709551615}"#,
    ] {
        let err = scripted_exchange(200, &[], body).await;
        assert!(
            matches!(err, ConnectorError::Malformed(_)),
            "{body}: {err:?}"
        );
    }
}

#[tokio::test]
async fn expires_in_as_a_string_and_no_expiry_are_both_understood() {
    let fake = FakeOAuth::start(client("mst", Auth::Body, "client_id"), ErrorStyle::Rfc).await;
    fake.script(
        200,
        &[],
        r#"{"access_token":"a","token_type":"Bearer","expires_in":"3600"}"#,
    );
    fake.script(200, &[], r#"{"access_token":"b","token_type":"Bearer","scope":"read write","created_at":1735689600}"#);
    let p = Provider::mastodon(&fake.base(), "mst", secret());
    let http = loopback_http();
    let a = exchange_code(&http, &p, "c1", REDIRECT, None, now())
        .await
        .unwrap();
    assert_eq!(a.expires_at, Some(now() + SignedDuration::from_hours(1)));
    let b = exchange_code(&http, &p, "c2", REDIRECT, None, now())
        .await
        .unwrap();
    assert_eq!(b.expires_at, None);
    assert!(b.refresh_token.is_none());
    assert_eq!(
        b.dies_at(),
        None,
        "no expiry said: the connection does not die by itself"
    );
    assert_eq!(b.missing_scopes(&p.scopes).unwrap(), Vec::<String>::new());
}

#[tokio::test]
async fn the_token_url_is_ssrf_guarded() {
    let fake = FakeOAuth::start(client("mst", Auth::Body, "client_id"), ErrorStyle::Rfc).await;
    let p = Provider::mastodon(&fake.base(), "mst", secret());
    let guarded = Http::new(FetchOptions::default()).unwrap();
    let err = exchange_code(&guarded, &p, "c", REDIRECT, None, now())
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Target(_)), "{err:?}");
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn local_mistakes_are_refused_before_sending() {
    let fake = FakeOAuth::start(
        client("x-client", Auth::Basic, "client_id"),
        ErrorStyle::Rfc,
    )
    .await;
    let p = Provider::x(&fake.base(), &fake.base(), "x-client", Some(secret()));
    let http = loopback_http();
    for (code, redirect, verifier) in [
        ("c", REDIRECT, None),
        ("c", "relative/cb", Some(RFC_VERIFIER)),
        ("", REDIRECT, Some(RFC_VERIFIER)),
        ("c", REDIRECT, Some("short")),
    ] {
        let err = exchange_code(&http, &p, code, redirect, verifier, now())
            .await
            .unwrap_err();
        assert!(matches!(err, ConnectorError::Target(_)), "{err:?}");
    }
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn transport_errors_do_not_carry_the_client_secret_from_metas_query() {
    // Nothing listens on this port once the listener is dropped.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let p = Provider::meta(&base, &base, "v23.0", "app", secret()).unwrap();
    let err = exchange_code(&loopback_http(), &p, "the-code", REDIRECT, None, now())
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Transport(_)), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains(SECRET) && !shown.contains("s3cret"),
        "{shown}"
    );
    assert!(!shown.contains("the-code"), "{shown}");
}

#[test]
fn debug_output_hides_secrets() {
    let p = Provider::x(
        "https://api.x.com",
        "https://x.com",
        "x-client",
        Some(secret()),
    );
    assert!(!format!("{p:?}").contains("s3cret"));
}

// --- Meta ------------------------------------------------------------------------------------

async fn meta_fake() -> (FakeOAuth, Provider) {
    let fake = FakeOAuth::start(
        client("1234567890", Auth::Body, "client_id"),
        ErrorStyle::Meta,
    )
    .await;
    fake.with(|s| {
        s.issue_refresh = false;
        s.expires_in = Some(json!(5183));
    });
    let p = Provider::meta(&fake.base(), &fake.base(), "v23.0", "1234567890", secret()).unwrap();
    (fake, p)
}

#[tokio::test]
async fn meta_exchanges_by_get_then_for_a_long_lived_token() {
    let (fake, p) = meta_fake().await;
    let http = loopback_http();
    let code = consent(&fake, &p, None);
    let short = exchange_code(&http, &p, &code, REDIRECT, None, now())
        .await
        .unwrap();
    assert!(short.refresh_token.is_none());
    assert_eq!(
        short.expires_at,
        Some(now() + SignedDuration::from_secs(5183))
    );
    let call = &fake.seen()[0];
    assert_eq!(call.method, "GET");
    assert_eq!(call.path, "/v23.0/oauth/access_token");
    assert!(call.form.is_empty());
    for (k, v) in [
        ("client_id", "1234567890"),
        ("client_secret", SECRET),
        ("code", code.as_str()),
        ("redirect_uri", REDIRECT),
    ] {
        assert_eq!(
            call.query
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str()),
            Some(v),
            "{k}"
        );
    }

    let long = meta_long_lived(&http, &p, &short.access_token, now())
        .await
        .unwrap();
    assert!(long.access_token.expose_secret().starts_with("long-lived-"));
    assert_eq!(
        long.expires_at,
        Some(now() + SignedDuration::from_hours(24 * 60))
    );
    assert_eq!(
        long.dies_at(),
        Some(now() + SignedDuration::from_hours(24 * 60)),
        "without a refresh token the connection dies with the long-lived token"
    );
    let call = fake.seen().pop().unwrap();
    assert_eq!(call.param("grant_type"), Some("fb_exchange_token"));
    assert_eq!(
        call.param("fb_exchange_token"),
        Some(short.access_token.expose_secret())
    );
    assert_eq!(call.param("client_secret"), Some(SECRET));
}

#[tokio::test]
async fn meta_errors_follow_the_graph_code() {
    let (fake, p) = meta_fake().await;
    let http = loopback_http();
    let err = exchange_code(&http, &p, "used-code", REDIRECT, None, now())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Refused(d) if d.contains("(code 100)") && d.contains("[redacted]")),
        "{err:?}"
    );
    let err = meta_long_lived(&http, &p, &SecretString::from("dead-token"), now())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ConnectorError::TokenExpired(d) if d.contains("Session has expired (code 190)")),
        "{err:?}"
    );
    let err = meta_page_tokens(
        &http,
        &fake.base(),
        "v23.0",
        &SecretString::from("dead-token"),
        None,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ConnectorError::TokenExpired(_)), "{err:?}");
}

#[tokio::test]
async fn meta_page_tokens_walk_every_page_with_the_proof() {
    let (fake, _) = meta_fake().await;
    let app_secret = SecretString::from("app-secret-xyz");
    fake.with(|s| {
        s.user_tokens.insert("long-user".to_owned());
        s.app_secret_for_proof = Some("app-secret-xyz".to_owned());
        s.page_listing = vec![
            vec![
                json!({"id": "101", "name": "Diskominfo Kota Bandung", "access_token": "page-101",
                       "instagram_business_account": {"id": "17841400000000101"}}),
                json!({"id": "102", "name": "Dinas Perhubungan", "access_token": "page-102"}),
            ],
            vec![json!({"id": "103", "name": "Halaman tanpa peran"})],
            vec![json!({"id": "104", "name": "RSUD Kota", "access_token": "page-104"})],
        ];
    });
    let user = SecretString::from("long-user");
    let pages = meta_page_tokens(
        &loopback_http(),
        &fake.base(),
        "v23.0",
        &user,
        Some(&app_secret),
    )
    .await
    .unwrap();
    let ids: Vec<&str> = pages.iter().map(|p| p.page_id.as_str()).collect();
    assert_eq!(
        ids,
        ["101", "102", "104"],
        "Pages without a token are left out"
    );
    assert_eq!(pages[0].name, "Diskominfo Kota Bandung");
    assert_eq!(pages[0].access_token.expose_secret(), "page-101");
    assert_eq!(
        pages[0].instagram_business_account.as_deref(),
        Some("17841400000000101")
    );
    assert_eq!(pages[1].instagram_business_account, None);

    let seen = fake.seen();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0].path, "/v23.0/me/accounts");
    assert_eq!(
        seen[0].param("fields"),
        Some("id,name,access_token,instagram_business_account")
    );
    assert_eq!(seen[0].param("after"), None);
    assert_eq!(seen[2].param("after"), Some("cursor-2"));
    assert_eq!(seen[0].authorization.as_deref(), Some("Bearer long-user"));
    assert_eq!(
        seen[0].param("access_token"),
        None,
        "the token stays out of the URL"
    );

    // Without the proof an app that requires it is refused.
    let err = meta_page_tokens(&loopback_http(), &fake.base(), "v23.0", &user, None)
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Refused(_)), "{err:?}");
}

#[tokio::test]
async fn a_page_without_an_id_is_malformed() {
    let (fake, _) = meta_fake().await;
    fake.with(|s| {
        s.user_tokens.insert("u".to_owned());
        s.page_listing = vec![vec![json!({"name": "no id", "access_token": "t"})]];
    });
    let err = meta_page_tokens(
        &loopback_http(),
        &fake.base(),
        "v23.0",
        &SecretString::from("u"),
        None,
    )
    .await
    .unwrap_err();
    assert!(matches!(err, ConnectorError::Malformed(_)), "{err:?}");
}
