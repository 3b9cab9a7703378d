//! Uploaded media in an S3-compatible object store (AWS S3, MinIO, Ceph, Wasabi…) instead of
//! the data folder, chosen with the `media_store` setting.
//!
//! Objects are addressed path-style, `{endpoint}/{bucket}/{prefix}{key}`, which every
//! S3-compatible service understands (virtual-hosted buckets need DNS that a local MinIO
//! rarely has). Each request is signed with AWS Signature Version 4, written here: the
//! canonical request, the string to sign, and the signing key derived from the secret key by an
//! HMAC chain over date, region, service and `aws4_request`.
//!
//! **Invariants:** the secret key never appears in an error, a log line or `Debug` output; a
//! `PUT` is atomic by the service's own guarantee (an object appears whole or not at all);
//! redirects are not followed, since a signature is valid for one host only.

use std::fmt;
use std::io;
use std::time::Duration;

use async_trait::async_trait;
use hmac::{Hmac, Mac as _};
use humas_app::publish::MediaStore;
use humas_app::publish::media::MAX_UPLOAD_BYTES;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use reqwest::StatusCode;
use secrecy::{ExposeSecret as _, SecretString};
use sha2::{Digest as _, Sha256};

/// The shape of a `media_store` URL, as error messages name it.
pub const URL_SHAPE: &str =
    "s3://ACCESS_KEY:SECRET_KEY@HOST[:PORT]/BUCKET[/PREFIX][?region=REGION&tls=true|false]";

/// The region signed for when the URL names none (AWS's first region, and MinIO's default).
pub const DEFAULT_REGION: &str = "us-east-1";

/// How long connecting to the service may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest silence while an answer is read: a stalled connection fails instead of hanging.
const READ_TIMEOUT: Duration = Duration::from_secs(60);
/// A whole request's base allowance; uploads get more time per byte ([`put_timeout`]).
const BASE_TIMEOUT: Duration = Duration::from_secs(60);
/// The whole download of the largest medium at a slow 1 MiB/s, with room to spare.
const GET_TIMEOUT: Duration = Duration::from_secs(15 * 60);
/// How much of an error answer is read to find the service's error code.
const ERROR_BODY_LIMIT: usize = 16 * 1024;

/// Characters S3 leaves as they are in a path segment; everything else is `%XX` (uppercase).
const UNRESERVED_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// What is wrong with a `media_store` URL. No variant carries the secret key.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum S3UrlError {
    /// Not an `s3://` URL.
    #[error("media_store must start with s3://; expected {URL_SHAPE}")]
    Scheme,
    /// No `ACCESS_KEY:SECRET_KEY@` before the host, or one of them is empty.
    #[error(
        "media_store needs the access key and the secret key before the host \
         (ACCESS_KEY:SECRET_KEY@, with `@`, `:` and `/` in them percent-encoded as %40, %3A and %2F); \
         expected {URL_SHAPE}"
    )]
    Credentials,
    /// The access key or secret key is not valid percent-encoded UTF-8.
    #[error(
        "the access key or secret key in media_store is not valid percent-encoded UTF-8; \
         expected {URL_SHAPE}"
    )]
    CredentialEncoding,
    /// The host is missing or malformed.
    #[error("media_store has no usable host ({reason}); expected {URL_SHAPE}")]
    Host {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The port is not a number from 1 to 65535.
    #[error(
        "the port `{port}` in media_store is not a number from 1 to 65535; expected {URL_SHAPE}"
    )]
    Port {
        /// The port as written.
        port: String,
    },
    /// The bucket is missing or not a valid bucket name.
    #[error(
        "media_store needs a bucket after the host: 3–63 characters of letters, digits, dots, \
         hyphens and underscores; expected {URL_SHAPE}"
    )]
    Bucket,
    /// The prefix has an empty, `.` or `..` folder, or is not valid percent-encoded UTF-8.
    #[error(
        "the prefix in media_store must be folder names separated by single `/` (no `.` or `..`); \
         expected {URL_SHAPE}"
    )]
    Prefix,
    /// A query parameter other than `region` and `tls`.
    #[error("media_store has an unknown option `{option}`: only region and tls are understood")]
    UnknownOption {
        /// The option's name.
        option: String,
    },
    /// `tls=` with a value other than `true` or `false`.
    #[error("tls in media_store must be true or false, not `{value}`")]
    Tls {
        /// The value as written.
        value: String,
    },
    /// An empty region or one with characters no region has.
    #[error("region in media_store must be a region name such as ap-southeast-3, not `{value}`")]
    Region {
        /// The value as written.
        value: String,
    },
}

/// Where an S3-compatible store is and how to sign for it, read from a `media_store` URL.
#[derive(Clone)]
pub struct S3Config {
    /// `https://host[:port]` or `http://host[:port]`.
    endpoint: String,
    bucket: String,
    /// Empty, or folder names each followed by `/`.
    prefix: String,
    region: String,
    access_key: String,
    secret_key: SecretString,
}

impl fmt::Debug for S3Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("prefix", &self.prefix)
            .field("region", &self.region)
            .field("access_key", &self.access_key)
            .field("secret_key", &"***")
            .finish()
    }
}

impl S3Config {
    /// Reads `s3://ACCESS_KEY:SECRET_KEY@HOST[:PORT]/BUCKET[/PREFIX][?region=R&tls=true|false]`.
    ///
    /// The keys are percent-decoded (a secret key with `/` may be written as is or as `%2F`;
    /// everything up to the last `@` counts as the keys). `tls` defaults to true and `region`
    /// to [`DEFAULT_REGION`].
    ///
    /// # Errors
    /// An [`S3UrlError`] naming what is wrong and the expected shape.
    pub fn from_url(url: &str) -> Result<Self, S3UrlError> {
        let url = url.trim();
        let rest = strip_prefix_ignore_case(url, "s3://").ok_or(S3UrlError::Scheme)?;
        let (userinfo, location) = rest.rsplit_once('@').ok_or(S3UrlError::Credentials)?;
        let (access_key, secret_key) = parse_credentials(userinfo)?;
        let (location, query) = location.split_once('?').unwrap_or((location, ""));
        let (authority, path) = location.split_once('/').unwrap_or((location, ""));
        let (host, port) = parse_authority(authority)?;
        let (bucket, prefix) = parse_path(path)?;
        let options = parse_options(query)?;
        let scheme = if options.tls { "https" } else { "http" };
        let endpoint = match port {
            Some(port) => format!("{scheme}://{host}:{port}"),
            None => format!("{scheme}://{host}"),
        };
        Ok(Self {
            endpoint,
            bucket,
            prefix,
            region: options.region,
            access_key,
            secret_key: SecretString::from(secret_key),
        })
    }

    /// The service's address, `https://host[:port]`.
    #[must_use]
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The bucket's name.
    #[must_use]
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// What every key is prefixed with: empty, or folder names each followed by `/`.
    #[must_use]
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The region requests are signed for.
    #[must_use]
    pub fn region(&self) -> &str {
        &self.region
    }

    /// The access key id (not a secret: it names the key, as a user name does).
    #[must_use]
    pub fn access_key(&self) -> &str {
        &self.access_key
    }

    /// "S3 bucket humas-media at https://s3.example (prefix media/, region ap-southeast-3)", for
    /// logs; no key in it.
    #[must_use]
    pub fn describe(&self) -> String {
        let prefix = if self.prefix.is_empty() {
            String::new()
        } else {
            format!("prefix {}, ", self.prefix)
        };
        format!(
            "S3 bucket {} at {} ({prefix}region {})",
            self.bucket, self.endpoint, self.region
        )
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s.get(prefix.len()..))
        .flatten()
}

fn parse_credentials(userinfo: &str) -> Result<(String, String), S3UrlError> {
    let (access, secret) = userinfo.split_once(':').ok_or(S3UrlError::Credentials)?;
    let decode = |s: &str| {
        percent_decode_str(s)
            .decode_utf8()
            .map(|d| d.into_owned())
            .map_err(|_| S3UrlError::CredentialEncoding)
    };
    let (access, secret) = (decode(access)?, decode(secret)?);
    if access.trim().is_empty() || secret.is_empty() {
        return Err(S3UrlError::Credentials);
    }
    Ok((access, secret))
}

/// The host (an IPv6 address keeps its brackets) and the port, if one is written.
fn parse_authority(authority: &str) -> Result<(String, Option<u16>), S3UrlError> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (addr, after) = v6.split_once(']').ok_or(S3UrlError::Host {
            reason: "an IPv6 address without its closing `]`",
        })?;
        if addr.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(S3UrlError::Host {
                reason: "not an IPv6 address between `[` and `]`",
            });
        }
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or(S3UrlError::Host {
                reason: "something other than `:PORT` after the IPv6 address",
            })?),
        };
        (format!("[{addr}]"), port)
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host.to_owned(), Some(port)),
            None => (authority.to_owned(), None),
        }
    };
    if host.is_empty() {
        return Err(S3UrlError::Host { reason: "empty" });
    }
    let host_chars_ok = host.starts_with('[')
        || host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if !host_chars_ok {
        return Err(S3UrlError::Host {
            reason: "only letters, digits, dots and hyphens are allowed in a host name",
        });
    }
    let port = port
        .map(|p| match p.parse::<u16>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(S3UrlError::Port { port: p.to_owned() }),
        })
        .transpose()?;
    Ok((host.to_ascii_lowercase(), port))
}

/// The bucket and the prefix (empty, or ending in `/`).
fn parse_path(path: &str) -> Result<(String, String), S3UrlError> {
    let path = path.trim_end_matches('/');
    let (bucket, prefix) = path.split_once('/').unwrap_or((path, ""));
    let bucket_ok = (3..=63).contains(&bucket.len())
        && bucket
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if !bucket_ok {
        return Err(S3UrlError::Bucket);
    }
    if prefix.is_empty() {
        return Ok((bucket.to_owned(), String::new()));
    }
    let prefix = percent_decode_str(prefix)
        .decode_utf8()
        .map_err(|_| S3UrlError::Prefix)?;
    if !key_segments_ok(&prefix) {
        return Err(S3UrlError::Prefix);
    }
    Ok((bucket.to_owned(), format!("{prefix}/")))
}

/// Whether `key` is folder names joined by single slashes, none of them `.` or `..`: the URL
/// parser would fold such segments away and the request would address another object than the
/// one signed.
fn key_segments_ok(key: &str) -> bool {
    !key.is_empty()
        && key
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
}

struct Options {
    tls: bool,
    region: String,
}

fn parse_options(query: &str) -> Result<Options, S3UrlError> {
    let mut options = Options {
        tls: true,
        region: DEFAULT_REGION.to_owned(),
    };
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        match name {
            "tls" => {
                options.tls = match value.to_ascii_lowercase().as_str() {
                    "true" => true,
                    "false" => false,
                    _ => {
                        return Err(S3UrlError::Tls {
                            value: value.to_owned(),
                        });
                    }
                };
            }
            "region" => {
                let ok = !value.is_empty()
                    && value.len() <= 64
                    && value
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'));
                if !ok {
                    return Err(S3UrlError::Region {
                        value: value.to_owned(),
                    });
                }
                value.clone_into(&mut options.region);
            }
            _ => {
                return Err(S3UrlError::UnknownOption {
                    option: name.to_owned(),
                });
            }
        }
    }
    Ok(options)
}

/// Media kept as objects in an S3-compatible bucket.
#[derive(Clone)]
pub struct S3MediaStore {
    config: S3Config,
    client: reqwest::Client,
}

impl fmt::Debug for S3MediaStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3MediaStore")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Which request failed, for the error message.
#[derive(Clone, Copy)]
enum Operation {
    Put,
    Get,
}

impl Operation {
    fn method(self) -> reqwest::Method {
        match self {
            Self::Put => reqwest::Method::PUT,
            Self::Get => reqwest::Method::GET,
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Self::Put => "store",
            Self::Get => "read",
        }
    }
}

impl S3MediaStore {
    /// A store for `config`, with its own HTTP client: no proxy from the environment (the
    /// operator names the endpoint), no redirects, and timeouts on connecting and reading.
    ///
    /// # Errors
    /// When the HTTP client cannot be built (the TLS roots cannot be loaded).
    pub fn new(config: S3Config) -> io::Result<Self> {
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            .user_agent(concat!("humas/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| io::Error::other(format!("cannot start the HTTP client for S3: {e}")))?;
        Ok(Self { config, client })
    }

    /// The configuration this store uses.
    #[must_use]
    pub fn config(&self) -> &S3Config {
        &self.config
    }

    /// The object's canonical path, `/{bucket}/{prefix}{key}` with each segment encoded.
    fn canonical_path(&self, key: &str) -> io::Result<String> {
        if !key_segments_ok(key) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "the media key `{key}` is not folder names joined by single `/` (no `.` or `..`)"
                ),
            ));
        }
        let full = format!("{}{key}", self.config.prefix);
        let mut path = format!("/{}", encode_segment(&self.config.bucket));
        for segment in full.split('/') {
            path.push('/');
            path.push_str(&encode_segment(segment));
        }
        Ok(path)
    }

    /// A signed request for `key`, with the body's hash in `x-amz-content-sha256`.
    fn signed(
        &self,
        op: Operation,
        key: &str,
        body: Option<Vec<u8>>,
    ) -> io::Result<reqwest::RequestBuilder> {
        let path = self.canonical_path(key)?;
        let url = reqwest::Url::parse(&format!("{}{path}", self.config.endpoint))
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, format!("bad S3 URL: {e}")))?;
        // The Host header as the HTTP client writes it: the port only when not the default.
        let host = match (url.host_str(), url.port()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_owned(),
            (None, _) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "the S3 endpoint has no host",
                ));
            }
        };
        let payload_sha256 = hex::encode(Sha256::digest(body.as_deref().unwrap_or_default()));
        let amz_date = amz_date(jiff::Timestamp::now());
        let method = op.method();
        let request = SigningRequest {
            method: method.as_str(),
            canonical_uri: &path,
            canonical_query: "",
            headers: &[
                ("host", &host),
                ("x-amz-content-sha256", &payload_sha256),
                ("x-amz-date", &amz_date),
            ],
            payload_sha256: &payload_sha256,
        };
        let credentials = Credentials {
            access_key: &self.config.access_key,
            secret_key: self.config.secret_key.expose_secret(),
            region: &self.config.region,
        };
        let authorization = authorization(&credentials, &amz_date, &request);
        let mut builder = self
            .client
            .request(method, url)
            .header("x-amz-content-sha256", payload_sha256)
            .header("x-amz-date", amz_date)
            .header(reqwest::header::AUTHORIZATION, authorization);
        if let Some(body) = body {
            builder = builder
                .header(reqwest::header::CONTENT_LENGTH, body.len())
                .timeout(put_timeout(body.len()))
                .body(body);
        } else {
            builder = builder.timeout(GET_TIMEOUT);
        }
        Ok(builder)
    }

    /// Where an object is, for messages: `https://host/bucket/prefix/key`.
    fn location(&self, key: &str) -> String {
        format!(
            "{}/{}/{}{key}",
            self.config.endpoint, self.config.bucket, self.config.prefix
        )
    }

    fn transport_error(&self, op: Operation, key: &str, e: reqwest::Error) -> io::Error {
        let kind = if e.is_timeout() {
            io::ErrorKind::TimedOut
        } else if e.is_connect() {
            io::ErrorKind::ConnectionRefused
        } else {
            io::ErrorKind::Other
        };
        // Without the URL: `location` already names it, and once is enough.
        let e = e.without_url();
        io::Error::new(
            kind,
            format!(
                "cannot {} {} in S3: {}",
                op.verb(),
                self.location(key),
                error_text(&e)
            ),
        )
    }

    /// The error for an answer that is not a success, with the service's error code.
    async fn answer_error(
        &self,
        op: Operation,
        key: &str,
        response: reqwest::Response,
    ) -> io::Error {
        let status = response.status();
        let code = read_limited(response, ERROR_BODY_LIMIT)
            .await
            .ok()
            .and_then(|body| error_code(&body));
        let code_note = code
            .as_deref()
            .map(|c| format!(" ({c})"))
            .unwrap_or_default();
        // AWS answers a signature scoped to another region with this code and a 400.
        let hint = if code.as_deref() == Some("AuthorizationHeaderMalformed") {
            "; the region in media_store is probably not the bucket's"
        } else {
            ""
        };
        let place = self.location(key);
        match status {
            StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED => io::Error::new(
                io::ErrorKind::PermissionDenied,
                format!(
                    "the S3 credentials were refused{code_note} when trying to {} {place}: check \
                     the access key, the secret key and the region in media_store, and that the \
                     key may read and write the bucket",
                    op.verb()
                ),
            ),
            StatusCode::NOT_FOUND => match op {
                Operation::Get => io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("no object {place} in S3{code_note}"),
                ),
                Operation::Put => io::Error::new(
                    io::ErrorKind::NotFound,
                    format!(
                        "cannot store {place}: S3 answered 404{code_note}; does the bucket {} exist?",
                        self.config.bucket
                    ),
                ),
            },
            s if s.is_redirection() => io::Error::other(format!(
                "cannot {} {place}: S3 answered {s}{code_note}, a redirect; the bucket is \
                 probably in another region or at another endpoint than media_store says",
                op.verb()
            )),
            s => io::Error::other(format!(
                "cannot {} {place}: S3 answered {s}{code_note}{hint}",
                op.verb()
            )),
        }
    }
}

#[async_trait]
impl MediaStore for S3MediaStore {
    async fn put(&self, key: &str, bytes: &[u8]) -> io::Result<()> {
        let request = self.signed(Operation::Put, key, Some(bytes.to_vec()))?;
        let response = request
            .send()
            .await
            .map_err(|e| self.transport_error(Operation::Put, key, e))?;
        if response.status().is_success() {
            return Ok(());
        }
        Err(self.answer_error(Operation::Put, key, response).await)
    }

    async fn get(&self, key: &str) -> io::Result<Vec<u8>> {
        let request = self.signed(Operation::Get, key, None)?;
        let response = request
            .send()
            .await
            .map_err(|e| self.transport_error(Operation::Get, key, e))?;
        if !response.status().is_success() {
            return Err(self.answer_error(Operation::Get, key, response).await);
        }
        let limit = MAX_UPLOAD_BYTES;
        if response.content_length().is_some_and(|n| n > limit as u64) {
            return Err(too_large(&self.location(key)));
        }
        match read_limited(response, limit + 1).await {
            Ok(body) if body.len() > limit => Err(too_large(&self.location(key))),
            Ok(body) => Ok(body),
            Err(e) => Err(self.transport_error(Operation::Get, key, e)),
        }
    }
}

fn too_large(place: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "the object {place} in S3 is larger than any upload Humas accepts ({} MiB)",
            MAX_UPLOAD_BYTES / (1024 * 1024)
        ),
    )
}

/// An error and its causes on one line (reqwest's own message alone says "error sending
/// request" and hides whether the host was unknown or the connection refused).
fn error_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// Reads at most `limit` bytes of the body (more is left unread).
async fn read_limited(
    mut response: reqwest::Response,
    limit: usize,
) -> Result<Vec<u8>, reqwest::Error> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let room = limit.saturating_sub(body.len());
        body.extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or_default());
        if body.len() >= limit {
            break;
        }
    }
    Ok(body)
}

/// The `<Code>` of an S3 error document, if it has a short, plain one.
fn error_code(body: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    let start = text.find("<Code>")? + "<Code>".len();
    let len = text.get(start..)?.find("</Code>")?;
    let code = text.get(start..start + len)?.trim();
    let plain = !code.is_empty()
        && code.len() <= 64
        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
    plain.then(|| code.to_owned())
}

/// A whole upload's time limit: the base allowance plus a second per MiB (1 MiB/s is slow for
/// a server, so only a stalled transfer runs into it).
fn put_timeout(bytes: usize) -> Duration {
    BASE_TIMEOUT + Duration::from_secs((bytes / (1024 * 1024)) as u64)
}

/// One path segment encoded the way S3 canonicalises it.
fn encode_segment(segment: &str) -> String {
    utf8_percent_encode(segment, UNRESERVED_SEGMENT).to_string()
}

/// `20130524T000000Z`.
fn amz_date(at: jiff::Timestamp) -> String {
    at.to_zoned(jiff::tz::TimeZone::UTC)
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string()
}

/// Who signs, and for which region.
struct Credentials<'a> {
    access_key: &'a str,
    secret_key: &'a str,
    region: &'a str,
}

/// The parts of a request that the signature covers.
struct SigningRequest<'a> {
    method: &'a str,
    /// The path, already encoded once (`/bucket/a%20b`).
    canonical_uri: &'a str,
    /// The query, already sorted and encoded; empty when there is none.
    canonical_query: &'a str,
    /// The signed headers, names in lowercase.
    headers: &'a [(&'a str, &'a str)],
    /// The hex SHA-256 of the body, as sent in `x-amz-content-sha256`.
    payload_sha256: &'a str,
}

/// The canonical request and the `SignedHeaders` list: headers sorted by name, values trimmed
/// with inner runs of spaces folded to one.
fn canonical_request(request: &SigningRequest<'_>) -> (String, String) {
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(name, value)| {
            let folded = value.split_whitespace().collect::<Vec<_>>().join(" ");
            (name.to_ascii_lowercase(), folded)
        })
        .collect();
    headers.sort();
    let canonical_headers: String = headers
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();
    let signed_headers = headers
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let canonical = format!(
        "{}\n{}\n{}\n{canonical_headers}\n{signed_headers}\n{}",
        request.method, request.canonical_uri, request.canonical_query, request.payload_sha256
    );
    (canonical, signed_headers)
}

/// The `Authorization` header value for `request` at `amz_date` (`YYYYMMDDTHHMMSSZ`).
fn authorization(
    credentials: &Credentials<'_>,
    amz_date: &str,
    request: &SigningRequest<'_>,
) -> String {
    let (signature, signed_headers, scope) = signature(credentials, amz_date, request);
    format!(
        "AWS4-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
        credentials.access_key
    )
}

/// The hex signature, the signed header names and the credential scope.
fn signature(
    credentials: &Credentials<'_>,
    amz_date: &str,
    request: &SigningRequest<'_>,
) -> (String, String, String) {
    let date = amz_date.get(..8).unwrap_or(amz_date);
    let scope = format!("{date}/{}/s3/aws4_request", credentials.region);
    let (canonical, signed_headers) = canonical_request(request);
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
        hex::encode(Sha256::digest(canonical.as_bytes()))
    );
    let key = signing_key(credentials.secret_key, date, credentials.region);
    let signature = hex::encode(hmac_sha256(&key, string_to_sign.as_bytes()));
    (signature, signed_headers, scope)
}

/// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), "s3"), "aws4_request")`.
fn signing_key(secret_key: &str, date: &str, region: &str) -> [u8; 32] {
    let k_date = hmac_sha256(format!("AWS4{secret_key}").as_bytes(), date.as_bytes());
    let k_region = hmac_sha256(&k_date, region.as_bytes());
    let k_service = hmac_sha256(&k_region, b"s3");
    hmac_sha256(&k_service, b"aws4_request")
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC takes keys of any length, so this cannot fail; were it to, the zero tag would only
    // make the service refuse the request.
    let Ok(mut mac) = <Hmac<Sha256> as hmac::digest::KeyInit>::new_from_slice(key) else {
        return [0; 32];
    };
    mac.update(data);
    mac.finalize().into_bytes().into()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    /// AWS's published example "GET Object" (Signature Version 4, header authentication).
    #[test]
    fn the_signer_reproduces_the_aws_get_object_example() {
        let credentials = Credentials {
            access_key: "AKIAIOSFODNN7EXAMPLE",
            secret_key: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            region: "us-east-1",
        };
        let request = SigningRequest {
            method: "GET",
            canonical_uri: "/test.txt",
            canonical_query: "",
            headers: &[
                ("Host", "examplebucket.s3.amazonaws.com"),
                ("Range", "bytes=0-9"),
                ("x-amz-content-sha256", EMPTY_SHA256),
                ("x-amz-date", "20130524T000000Z"),
            ],
            payload_sha256: EMPTY_SHA256,
        };
        let (canonical, signed) = canonical_request(&request);
        assert_eq!(
            canonical,
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n\
             x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
             x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(signed, "host;range;x-amz-content-sha256;x-amz-date");
        let (sig, _, scope) = signature(&credentials, "20130524T000000Z", &request);
        assert_eq!(
            sig,
            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
        assert_eq!(scope, "20130524/us-east-1/s3/aws4_request");
        assert_eq!(
            authorization(&credentials, "20130524T000000Z", &request),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, \
             SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, \
             Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        );
    }

    #[test]
    fn a_different_secret_or_region_changes_the_signature() {
        let request = SigningRequest {
            method: "GET",
            canonical_uri: "/test.txt",
            canonical_query: "",
            headers: &[("host", "h")],
            payload_sha256: EMPTY_SHA256,
        };
        let sign = |secret, region| {
            signature(
                &Credentials {
                    access_key: "AK",
                    secret_key: secret,
                    region,
                },
                "20260101T000000Z",
                &request,
            )
            .0
        };
        let base = sign("s1", "us-east-1");
        assert_ne!(base, sign("s2", "us-east-1"));
        assert_ne!(base, sign("s1", "ap-southeast-3"));
        assert_eq!(base, sign("s1", "us-east-1"));
    }

    #[test]
    fn segments_are_encoded_as_s3_expects() {
        assert_eq!(encode_segment("a-b_c.d~e"), "a-b_c.d~e");
        assert_eq!(encode_segment("foto banjir+1.jpg"), "foto%20banjir%2B1.jpg");
        assert_eq!(encode_segment("ü*="), "%C3%BC%2A%3D");
    }

    #[test]
    fn the_date_is_written_in_utc_basic_format() {
        let at: jiff::Timestamp = "2013-05-24T07:08:09+07:00".parse().unwrap();
        assert_eq!(amz_date(at), "20130524T000809Z");
    }

    #[test]
    fn the_object_path_has_bucket_prefix_and_encoded_key() {
        let config =
            S3Config::from_url("s3://AK:SK@minio.local:9000/humas/media/2026?tls=false").unwrap();
        let store = S3MediaStore::new(config).unwrap();
        assert_eq!(
            store.canonical_path("ab/foto 1.jpg").unwrap(),
            "/humas/media/2026/ab/foto%201.jpg"
        );
        for bad in ["", "/ab", "ab//c", "ab/../c", "./x", "ab/"] {
            assert_eq!(
                store.canonical_path(bad).unwrap_err().kind(),
                io::ErrorKind::InvalidInput,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn error_codes_are_read_from_s3_error_documents() {
        let body = b"<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code>\
                     <Message>no</Message></Error>";
        assert_eq!(error_code(body).as_deref(), Some("SignatureDoesNotMatch"));
        assert_eq!(error_code(b"<Code><script></Code>"), None);
        assert_eq!(error_code(b"not xml"), None);
    }

    #[test]
    fn uploads_get_more_time_when_larger() {
        assert_eq!(put_timeout(10), BASE_TIMEOUT);
        assert_eq!(
            put_timeout(512 * 1024 * 1024),
            BASE_TIMEOUT + Duration::from_secs(512)
        );
    }
}
