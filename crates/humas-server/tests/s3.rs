//! The S3 media store against an in-process fake S3 that checks every request's Signature
//! Version 4 the way the real service does, with the algorithm written again here (HMAC and
//! path encoding included) so a mistake in the store's signer cannot hide behind the same
//! mistake in the check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::future::IntoFuture as _;
use std::io::ErrorKind;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse as _, Response};
use humas_app::publish::MediaStore;
use humas_server::s3::{S3Config, S3MediaStore, S3UrlError};
use humas_server::settings::{MediaStoreUrl, Settings};
use sha2::{Digest as _, Sha256};

const ACCESS_KEY: &str = "HUMASTESTACCESSKEY";
/// With `/` and `+`, as real secret keys have.
const SECRET_KEY: &str = "rahasia/Sekali+42xYz";
const REGION: &str = "ap-southeast-3";
const BUCKET: &str = "humas-media";

// ---------------------------------------------------------------------------------------
// SigV4, written independently of `humas_server::s3`.
// ---------------------------------------------------------------------------------------

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// HMAC-SHA256 from its definition (RFC 2104), block size 64.
fn hmac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let inner_pad: Vec<u8> = block.iter().map(|b| b ^ 0x36).collect();
    let outer_pad: Vec<u8> = block.iter().map(|b| b ^ 0x5c).collect();
    let inner = Sha256::new()
        .chain_update(&inner_pad)
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(&outer_pad)
        .chain_update(inner)
        .finalize()
        .to_vec()
}

/// S3's URI encoding of one path segment: unreserved characters kept, every other byte `%XX`.
fn encode(segment: &str) -> String {
    let mut out = String::new();
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Undoes `%XX`; `None` for a broken escape or bytes that are not UTF-8.
fn decode(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

struct AuthHeader {
    access_key: String,
    date: String,
    region: String,
    signed_headers: Vec<String>,
    signature: String,
}

fn parse_authorization(value: &str) -> Option<AuthHeader> {
    let rest = value.strip_prefix("AWS4-HMAC-SHA256 ")?;
    let mut credential = None;
    let mut signed = None;
    let mut signature = None;
    for part in rest.split(',').map(str::trim) {
        let (name, value) = part.split_once('=')?;
        match name {
            "Credential" => credential = Some(value),
            "SignedHeaders" => signed = Some(value),
            "Signature" => signature = Some(value),
            _ => return None,
        }
    }
    let scope: Vec<&str> = credential?.split('/').collect();
    let [access_key, date, region, "s3", "aws4_request"] = scope.as_slice() else {
        return None;
    };
    Some(AuthHeader {
        access_key: (*access_key).to_owned(),
        date: (*date).to_owned(),
        region: (*region).to_owned(),
        signed_headers: signed?.split(';').map(str::to_owned).collect(),
        signature: signature?.to_owned(),
    })
}

/// What the fake service expects the signature to be, or why the request is malformed.
fn expected_signature(
    secret: &str,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    auth: &AuthHeader,
) -> Result<String, &'static str> {
    // The path as the service canonicalises it: decoded, then encoded once per segment.
    let mut canonical_uri = String::new();
    for segment in uri.path().split('/').skip(1) {
        canonical_uri.push('/');
        canonical_uri.push_str(&encode(&decode(segment).ok_or("bad escape in the path")?));
    }
    let mut query: Vec<(String, String)> = uri
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (
                encode(&decode(k).unwrap_or_default()),
                encode(&decode(v).unwrap_or_default()),
            )
        })
        .collect();
    query.sort();
    let canonical_query = query
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&");
    let mut sorted = auth.signed_headers.clone();
    sorted.sort();
    if sorted != auth.signed_headers {
        return Err("SignedHeaders not sorted");
    }
    for required in ["host", "x-amz-content-sha256", "x-amz-date"] {
        if !sorted.iter().any(|h| h == required) {
            return Err("a required header is not signed");
        }
    }
    let mut canonical_headers = String::new();
    for name in &auth.signed_headers {
        let value = headers
            .get(name.as_str())
            .and_then(|v| v.to_str().ok())
            .ok_or("a signed header is missing")?;
        let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
        canonical_headers.push_str(&format!("{name}:{value}\n"));
    }
    let payload = headers
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok())
        .ok_or("no x-amz-content-sha256")?;
    let amz_date = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .ok_or("no x-amz-date")?;
    let canonical = format!(
        "{method}\n{canonical_uri}\n{canonical_query}\n{canonical_headers}\n{}\n{payload}",
        auth.signed_headers.join(";")
    );
    let scope = format!("{}/{}/s3/aws4_request", auth.date, auth.region);
    let to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        sha256_hex(canonical.as_bytes())
    );
    let mut key = hmac(format!("AWS4{secret}").as_bytes(), auth.date.as_bytes());
    for part in [auth.region.as_str(), "s3", "aws4_request"] {
        key = hmac(&key, part.as_bytes());
    }
    Ok(hex::encode(hmac(&key, to_sign.as_bytes())))
}

// ---------------------------------------------------------------------------------------
// The fake service.
// ---------------------------------------------------------------------------------------

/// One request as the fake saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: Method,
    raw_path: String,
    content_length: Option<String>,
}

#[derive(Default)]
struct Fake {
    /// Object name (decoded, without the bucket) → bytes.
    objects: Mutex<HashMap<String, Vec<u8>>>,
    seen: Mutex<Vec<Seen>>,
}

fn s3_error(status: StatusCode, code: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code>\
         <Message>fake S3</Message></Error>"
    );
    (status, [("content-type", "application/xml")], body).into_response()
}

/// Checks the signature like S3: a bad or missing one is `403 SignatureDoesNotMatch` (or
/// `InvalidAccessKeyId`), before anything is looked up.
fn check_request(
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), (StatusCode, &'static str)> {
    let refused = |code| Err((StatusCode::FORBIDDEN, code));
    let Some(auth) = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(parse_authorization)
    else {
        return refused("AccessDenied");
    };
    if auth.access_key != ACCESS_KEY {
        return refused("InvalidAccessKeyId");
    }
    let amz_date = headers
        .get("x-amz-date")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    // As AWS does: a scope for another region is a malformed request, not a refusal.
    if auth.region != REGION || !amz_date.starts_with(&auth.date) {
        return Err((StatusCode::BAD_REQUEST, "AuthorizationHeaderMalformed"));
    }
    // The request time must be within 15 minutes of the service's clock.
    let when = jiff::civil::DateTime::strptime("%Y%m%dT%H%M%SZ", amz_date)
        .ok()
        .and_then(|dt| dt.to_zoned(jiff::tz::TimeZone::UTC).ok());
    let Some(when) = when else {
        return refused("AccessDenied");
    };
    let skew = (jiff::Timestamp::now().as_second() - when.timestamp().as_second()).abs();
    if skew > 15 * 60 {
        return refused("RequestTimeTooSkewed");
    }
    let claimed = headers
        .get("x-amz-content-sha256")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if claimed != sha256_hex(body) {
        return Err((StatusCode::BAD_REQUEST, "XAmzContentSHA256Mismatch"));
    }
    match expected_signature(SECRET_KEY, method, uri, headers, &auth) {
        Ok(expected) if expected == auth.signature => Ok(()),
        _ => refused("SignatureDoesNotMatch"),
    }
}

async fn handle(
    State(fake): State<Arc<Fake>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    fake.seen.lock().unwrap().push(Seen {
        method: method.clone(),
        raw_path: uri.path().to_owned(),
        content_length: headers
            .get("content-length")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    });
    if let Err((status, code)) = check_request(&method, &uri, &headers, &body) {
        return s3_error(status, code);
    }
    let decoded: Option<Vec<String>> = uri.path().split('/').skip(1).map(decode).collect();
    let Some(decoded) = decoded else {
        return s3_error(StatusCode::BAD_REQUEST, "InvalidURI");
    };
    let Some((bucket, key)) = decoded.split_first() else {
        return s3_error(StatusCode::BAD_REQUEST, "InvalidURI");
    };
    if bucket != BUCKET {
        return s3_error(StatusCode::NOT_FOUND, "NoSuchBucket");
    }
    let key = key.join("/");
    if key.starts_with("boom/") {
        return s3_error(StatusCode::SERVICE_UNAVAILABLE, "SlowDown");
    }
    let mut objects = fake.objects.lock().unwrap();
    match method {
        Method::PUT => {
            objects.insert(key, body.to_vec());
            StatusCode::OK.into_response()
        }
        Method::GET => match objects.get(&key) {
            Some(bytes) => bytes.clone().into_response(),
            None => s3_error(StatusCode::NOT_FOUND, "NoSuchKey"),
        },
        _ => s3_error(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed"),
    }
}

/// A fake S3 on a free loopback port, and its `host:port`.
async fn start_fake() -> (Arc<Fake>, String) {
    let fake = Arc::new(Fake::default());
    let router = Router::new()
        .fallback(handle)
        .layer(DefaultBodyLimit::max(64 * 1024 * 1024))
        .with_state(Arc::clone(&fake));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(axum::serve(listener, router).into_future());
    (fake, addr.to_string())
}

fn url(host: &str, secret: &str, path: &str) -> String {
    let secret = secret.replace('/', "%2F").replace('+', "%2B");
    format!("s3://{ACCESS_KEY}:{secret}@{host}/{path}?region={REGION}&tls=false")
}

fn store(host: &str, secret: &str, path: &str) -> S3MediaStore {
    S3MediaStore::new(S3Config::from_url(&url(host, secret, path)).unwrap()).unwrap()
}

// ---------------------------------------------------------------------------------------
// The store.
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn binary_bytes_go_in_and_come_back_unchanged() {
    let (fake, host) = start_fake().await;
    let s3 = store(&host, SECRET_KEY, "humas-media/uploads");
    // Every byte value, and more than one read's worth of data.
    let bytes: Vec<u8> = (0..3 * 1024 * 1024).map(|i| (i * 7 % 256) as u8).collect();
    s3.put("ab/0190a1b2-c3d4", &bytes).await.unwrap();
    assert_eq!(s3.get("ab/0190a1b2-c3d4").await.unwrap(), bytes);
    assert_eq!(
        fake.objects.lock().unwrap().get("uploads/ab/0190a1b2-c3d4"),
        Some(&bytes),
        "kept under the prefix, path-style in the bucket"
    );
    let seen = fake.seen.lock().unwrap().clone();
    let put = seen.iter().find(|s| s.method == Method::PUT).unwrap();
    assert_eq!(put.raw_path, "/humas-media/uploads/ab/0190a1b2-c3d4");
    assert_eq!(
        put.content_length.as_deref(),
        Some(bytes.len().to_string().as_str())
    );
}

#[tokio::test]
async fn keys_with_characters_that_need_encoding_are_signed_and_stored() {
    let (fake, host) = start_fake().await;
    let s3 = store(&host, SECRET_KEY, BUCKET);
    let key = "ab/foto banjir+Surabaya ü~(1)*=&.jpg";
    s3.put(key, b"\x89PNG\r\n\x1a\n").await.unwrap();
    assert_eq!(s3.get(key).await.unwrap(), b"\x89PNG\r\n\x1a\n");
    assert!(fake.objects.lock().unwrap().contains_key(key));
    let seen = fake.seen.lock().unwrap().clone();
    assert_eq!(
        seen[0].raw_path,
        "/humas-media/ab/foto%20banjir%2BSurabaya%20%C3%BC~%281%29%2A%3D%26.jpg"
    );
}

#[tokio::test]
async fn a_wrong_secret_key_is_refused_and_never_shown() {
    let (fake, host) = start_fake().await;
    let s3 = store(&host, "salah/Kunci+99", BUCKET);
    let err = s3.put("ab/x", b"data").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    let msg = err.to_string();
    assert!(msg.contains("refused"), "{msg}");
    assert!(msg.contains("SignatureDoesNotMatch"), "{msg}");
    assert!(!msg.contains("salah") && !msg.contains("Kunci"), "{msg}");
    assert!(fake.objects.lock().unwrap().is_empty());

    let err = s3.get("ab/x").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied);
    let debug = format!("{s3:?}");
    assert!(
        !debug.contains("salah") && !debug.contains("Kunci"),
        "{debug}"
    );
    assert!(debug.contains(ACCESS_KEY), "{debug}");
}

#[tokio::test]
async fn a_signature_for_another_region_is_refused() {
    let (_fake, host) = start_fake().await;
    let url = url(&host, SECRET_KEY, BUCKET).replace(REGION, "us-east-1");
    let s3 = S3MediaStore::new(S3Config::from_url(&url).unwrap()).unwrap();
    let err = s3.put("ab/x", b"data").await.unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("400") && msg.contains("AuthorizationHeaderMalformed"),
        "{msg}"
    );
    assert!(msg.contains("region in media_store"), "{msg}");
}

#[tokio::test]
async fn a_missing_object_is_not_found() {
    let (_fake, host) = start_fake().await;
    let s3 = store(&host, SECRET_KEY, BUCKET);
    let err = s3.get("ab/never-uploaded").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("ab/never-uploaded"), "{err}");
}

#[tokio::test]
async fn a_missing_bucket_is_named_on_upload() {
    let (_fake, host) = start_fake().await;
    let s3 = store(&host, SECRET_KEY, "no-such-bucket");
    let err = s3.put("ab/x", b"data").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let msg = err.to_string();
    assert!(
        msg.contains("NoSuchBucket") && msg.contains("no-such-bucket"),
        "{msg}"
    );
}

#[tokio::test]
async fn a_server_error_carries_its_status() {
    let (_fake, host) = start_fake().await;
    let s3 = store(&host, SECRET_KEY, BUCKET);
    let err = s3.put("boom/x", b"data").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Other);
    let msg = err.to_string();
    assert!(msg.contains("503") && msg.contains("SlowDown"), "{msg}");
}

#[tokio::test]
async fn an_unreachable_service_fails_with_the_address() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let host = listener.local_addr().unwrap().to_string();
    drop(listener);
    let s3 = store(&host, SECRET_KEY, BUCKET);
    let err = s3.get("ab/x").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused, "{err}");
    let msg = err.to_string();
    assert!(msg.contains(&host), "{msg}");
    assert!(!msg.contains("rahasia"), "{msg}");
}

#[tokio::test]
async fn keys_that_could_address_another_object_are_refused_before_sending() {
    let (fake, host) = start_fake().await;
    let s3 = store(&host, SECRET_KEY, BUCKET);
    for key in ["", "/abs", "ab/../../other-bucket/x", "ab//x", "ab/./x"] {
        let err = s3.put(key, b"x").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{key:?}");
    }
    assert!(fake.seen.lock().unwrap().is_empty());
}

// ---------------------------------------------------------------------------------------
// The setting.
// ---------------------------------------------------------------------------------------

#[test]
fn the_url_parser_reads_every_part() {
    let c = S3Config::from_url(
        "s3://AKIA%2BX:wJal%2FK7MD%2Bq@s3.ap-southeast-3.amazonaws.com/humas-media/jatim/media?region=ap-southeast-3",
    )
    .unwrap();
    assert_eq!(c.endpoint(), "https://s3.ap-southeast-3.amazonaws.com");
    assert_eq!(c.bucket(), "humas-media");
    assert_eq!(c.prefix(), "jatim/media/");
    assert_eq!(c.region(), "ap-southeast-3");
    assert_eq!(c.access_key(), "AKIA+X");

    let minio = S3Config::from_url("S3://minio:minio123@127.0.0.1:9000/humas?tls=false").unwrap();
    assert_eq!(minio.endpoint(), "http://127.0.0.1:9000");
    assert_eq!(minio.prefix(), "");
    assert_eq!(minio.region(), "us-east-1");

    let v6 = S3Config::from_url("s3://a:b@[::1]:9000/humas/?tls=true").unwrap();
    assert_eq!(v6.endpoint(), "https://[::1]:9000");
    assert_eq!(v6.prefix(), "");

    // An unencoded `/` in the secret key is still read as part of the key.
    let raw = S3Config::from_url("s3://AK:wJal/K7MD@minio.local/humas").unwrap();
    assert_eq!(raw.endpoint(), "https://minio.local");
    assert_eq!(raw.bucket(), "humas");
}

#[test]
fn the_url_parser_refuses_wrong_shapes_without_showing_the_secret() {
    let cases: &[(&str, S3UrlError)] = &[
        ("https://a:b@host/bucket", S3UrlError::Scheme),
        ("s3://host/bucket", S3UrlError::Credentials),
        ("s3://onlyaccess@host/bucket", S3UrlError::Credentials),
        ("s3://:topsecret@host/bucket", S3UrlError::Credentials),
        (
            "s3://AK:%FFtopsecret@host/bucket",
            S3UrlError::CredentialEncoding,
        ),
        (
            "s3://AK:topsecret@/bucket",
            S3UrlError::Host { reason: "empty" },
        ),
        (
            "s3://AK:topsecret@host:99999/bucket",
            S3UrlError::Port {
                port: "99999".to_owned(),
            },
        ),
        ("s3://AK:topsecret@host", S3UrlError::Bucket),
        ("s3://AK:topsecret@host/b", S3UrlError::Bucket),
        ("s3://AK:topsecret@host/bad*bucket", S3UrlError::Bucket),
        ("s3://AK:topsecret@host/bucket/a//b", S3UrlError::Prefix),
        ("s3://AK:topsecret@host/bucket/a/../b", S3UrlError::Prefix),
        (
            "s3://AK:topsecret@host/bucket?tls=maybe",
            S3UrlError::Tls {
                value: "maybe".to_owned(),
            },
        ),
        (
            "s3://AK:topsecret@host/bucket?region=",
            S3UrlError::Region {
                value: String::new(),
            },
        ),
        (
            "s3://AK:topsecret@host/bucket?regoin=x",
            S3UrlError::UnknownOption {
                option: "regoin".to_owned(),
            },
        ),
    ];
    for (url, expected) in cases {
        let err = S3Config::from_url(url).unwrap_err();
        assert_eq!(&err, expected, "{url}");
        let msg = err.to_string();
        assert!(!msg.contains("topsecret"), "{url}: {msg}");
    }
    let msg = S3Config::from_url("s3://AK:topsecret@host")
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("s3://ACCESS_KEY:SECRET_KEY@HOST[:PORT]/BUCKET"),
        "{msg}"
    );
}

fn with_media_store(url: &str) -> Settings {
    Settings {
        media_store: MediaStoreUrl::from(url.to_owned()),
        ..Settings::default()
    }
}

#[test]
fn settings_validate_the_url_and_hide_the_secret_key() {
    let good = with_media_store("s3://AK:topsecret@minio.local:9000/humas/media?tls=false");
    good.validate().unwrap();
    assert!(!format!("{good:?}").contains("topsecret"));
    let summary = good.summary().unwrap();
    assert!(!summary.contains("topsecret"), "{summary}");
    assert!(
        summary.contains("\"s3://AK:***@minio.local:9000/humas/media?tls=false\""),
        "{summary}"
    );
    assert_eq!(
        good.s3_media().unwrap().unwrap().endpoint(),
        "http://minio.local:9000"
    );

    let bad = with_media_store("s3://AK:topsecret@minio.local:9000");
    let msg = format!("{:#}", bad.validate().unwrap_err());
    assert!(
        msg.contains("media_store") && msg.contains("BUCKET"),
        "{msg}"
    );
    assert!(!msg.contains("topsecret"), "{msg}");

    let unset = Settings::default();
    assert!(unset.s3_media().unwrap().is_none());
    assert!(
        unset
            .summary()
            .unwrap()
            .contains("media folder of data_dir")
    );
}

#[tokio::test]
async fn the_server_keeps_media_where_the_setting_says() {
    let (fake, host) = start_fake().await;
    let dir = tempfile::tempdir().unwrap();
    let in_s3 = Settings {
        data_dir: dir.path().to_path_buf(),
        ..with_media_store(&url(&host, SECRET_KEY, "humas-media/srv"))
    };
    let media = humas_server::publisher::media_store(&in_s3).unwrap();
    media.put("cd/0190-id", b"gambar").await.unwrap();
    assert!(fake.objects.lock().unwrap().contains_key("srv/cd/0190-id"));
    assert!(!dir.path().join("media").exists());

    let on_disk = Settings {
        data_dir: dir.path().to_path_buf(),
        ..Settings::default()
    };
    let media = humas_server::publisher::media_store(&on_disk).unwrap();
    media.put("cd/0190-id", b"gambar").await.unwrap();
    assert_eq!(
        std::fs::read(dir.path().join("media/cd/0190-id")).unwrap(),
        b"gambar"
    );
}

// ---------------------------------------------------------------------------------------
// `humas config check`.
// ---------------------------------------------------------------------------------------

fn config_check(dir: &Path, media_store: &str) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_humas"));
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("HUMAS_") {
            cmd.env_remove(&key);
        }
    }
    cmd.current_dir(dir)
        .stdin(Stdio::null())
        .env("HUMAS_MEDIA_STORE", media_store)
        .args(["config", "check"])
        .output()
        .unwrap()
}

#[test]
fn config_check_shows_the_store_without_its_secret_key() {
    let dir = tempfile::tempdir().unwrap();
    let ok = config_check(dir.path(), "s3://AK:topsecret@s3.example.go.id/humas-media");
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success(), "{stdout}");
    assert!(
        stdout.contains("s3://AK:***@s3.example.go.id/humas-media"),
        "{stdout}"
    );
    assert!(!stdout.contains("topsecret"), "{stdout}");

    let bad = config_check(dir.path(), "s3://AK:topsecret@s3.example.go.id");
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(!bad.status.success());
    assert!(
        stderr.contains("media_store") && stderr.contains("BUCKET"),
        "{stderr}"
    );
    assert!(!stderr.contains("topsecret"), "{stderr}");
}
