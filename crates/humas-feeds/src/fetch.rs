//! Fetching feeds over HTTP, politely and safely.
//!
//! Polite: conditional GET from the previous response's validators (a 304 is
//! [`FetchOutcome::NotModified`]), and `Retry-After` on 429/503 surfaced as a typed delay.
//! Safe: timeouts, a body cap, at most [`FetchOptions::max_redirects`] redirects, no proxy from
//! the environment, and SSRF protection: unless [`FetchOptions::allow_private`] is set, a host
//! that resolves to a loopback, private, shared, link-local, unique-local, unspecified or
//! multicast address is refused. The check sits in the DNS resolver the connector uses, so the
//! address checked is the address connected to (no DNS-rebinding gap), and IP-literal URLs are
//! checked before the request and on every redirect.

use std::error::Error as StdError;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{
    ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, ETAG, HeaderMap, HeaderValue, IF_MODIFIED_SINCE,
    IF_NONE_MATCH, LAST_MODIFIED, RETRY_AFTER,
};
use reqwest::redirect::{Attempt, Policy};
use url::{Host, Url};

use crate::parse::MAX_FEED_BYTES;

/// How the fetcher behaves.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Allow hosts on private and loopback networks. Only for administrators who watch an
    /// intranet feed, and for tests; off by default.
    pub allow_private: bool,
    /// Single addresses allowed even though they are internal (one intranet feed server),
    /// without opening every internal network as [`Self::allow_private`] does.
    pub allowed_addresses: Vec<IpAddr>,
    /// The whole request, body included.
    pub timeout: Duration,
    /// Establishing the connection.
    pub connect_timeout: Duration,
    /// The largest body read.
    pub max_bytes: usize,
    /// Redirects followed before giving up.
    pub max_redirects: usize,
    /// The `User-Agent` sent; some news sites refuse requests without one.
    pub user_agent: String,
}

impl Default for FetchOptions {
    fn default() -> Self {
        Self {
            allow_private: false,
            allowed_addresses: Vec::new(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            max_bytes: MAX_FEED_BYTES,
            max_redirects: 5,
            user_agent: concat!("Humas/", env!("CARGO_PKG_VERSION"), " (news monitoring)").into(),
        }
    }
}

/// The validators of a previous response, sent back to ask "changed since?".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    /// The `ETag` header value.
    pub etag: Option<String>,
    /// The `Last-Modified` header value.
    pub last_modified: Option<String>,
}

/// A feed body that was fetched.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The address after redirects.
    pub final_url: String,
    /// The `Content-Type` header, for [`crate::parse_feed`].
    pub content_type: Option<String>,
    /// The body, at most [`FetchOptions::max_bytes`].
    pub body: Vec<u8>,
    /// Validators to send next time.
    pub validators: Validators,
}

/// What a fetch found.
#[derive(Debug, Clone)]
pub enum FetchOutcome {
    /// 304: nothing new since the validators sent; keep (or update to) these validators.
    NotModified(Validators),
    /// A 2xx response with its body.
    Fetched(Fetched),
}

/// Why a fetch failed.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// Not a URL.
    #[error(
        "{url:?} is not a valid URL ({reason}); give a full address such as https://example.go.id/feed/"
    )]
    InvalidUrl {
        /// What was given.
        url: String,
        /// What the URL parser said.
        reason: String,
    },
    /// Not HTTP(S).
    #[error("only http and https feeds can be fetched, not {0:?}")]
    UnsupportedScheme(String),
    /// A validator from the previous poll cannot be sent as a header.
    #[error(
        "the {0} from the previous poll contains characters an HTTP header cannot carry; pass it exactly as the last run printed it, or leave it out"
    )]
    InvalidValidator(&'static str),
    /// SSRF protection refused the address.
    #[error(
        "refused to connect to {host} ({addr}): it is a {kind} address, and fetching from internal networks is off; an administrator can allow it with --allow-private"
    )]
    Blocked {
        /// The host name in the URL.
        host: String,
        /// The address it resolved to.
        addr: IpAddr,
        /// Which kind of address.
        kind: &'static str,
    },
    /// 429.
    #[error("the site is rate limiting us (HTTP 429); {}", retry_hint(*retry_after))]
    RateLimited {
        /// How long the site asked us to wait.
        retry_after: Option<Duration>,
    },
    /// 503.
    #[error("the site is temporarily unavailable (HTTP 503); {}", retry_hint(*retry_after))]
    Unavailable {
        /// How long the site asked us to wait.
        retry_after: Option<Duration>,
    },
    /// Another non-success status.
    #[error("the site answered HTTP {status}; {hint}")]
    Status {
        /// The status code.
        status: u16,
        /// What to do about it.
        hint: &'static str,
    },
    /// More redirects than allowed.
    #[error("more than {0} redirects; the feed URL is probably wrong or loops")]
    TooManyRedirects(usize),
    /// Body over the cap.
    #[error("the response is larger than {0} bytes; check the URL points at a feed")]
    TooLarge(usize),
    /// Timed out.
    #[error("the site did not answer in time; try again later")]
    Timeout,
    /// Could not connect or the transfer broke.
    #[error("could not fetch the feed: {0}; check the address and the network")]
    Transport(String),
}

fn retry_hint(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!("retry after {} s", d.as_secs()),
        None => "retry later".into(),
    }
}

/// The kind of address that SSRF protection refuses, or `None` for a public address.
#[must_use]
pub fn forbidden_kind(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => match embedded_v4(v6) {
            Some(v4) => forbidden_v4(v4),
            None => forbidden_v6(v6),
        },
    }
}

/// The IPv4 address an IPv6 address carries and routes to: IPv4-mapped (`::ffff:a.b.c.d`),
/// IPv4-compatible (`::a.b.c.d`), NAT64 (`64:ff9b::a.b.c.d`) and 6to4 (`2002:aabb:ccdd::`).
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let from = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    if let Some(v4) = ip.to_ipv4_mapped() {
        return Some(v4);
    }
    match s {
        [0, 0, 0, 0, 0, 0, hi, lo] if !(hi == 0 && lo <= 1) => Some(from(hi, lo)),
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => Some(from(hi, lo)),
        [0x2002, hi, lo, ..] => Some(from(hi, lo)),
        _ => None,
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_private() {
        Some("private")
    } else if a == 100 && (64..128).contains(&b) {
        Some("shared (carrier-grade NAT)")
    } else if ip.is_link_local() {
        Some("link-local")
    } else if ip.is_unspecified() || a == 0 {
        Some("unspecified")
    } else if ip.is_multicast() || ip.is_broadcast() {
        Some("multicast or broadcast")
    } else if a >= 240
        || (a == 198 && (18..20).contains(&b))
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
    {
        Some("reserved")
    } else {
        None
    }
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        Some("loopback")
    } else if ip.is_unspecified() {
        Some("unspecified")
    } else if first & 0xffc0 == 0xfe80 {
        Some("link-local")
    } else if first & 0xfe00 == 0xfc00 {
        Some("unique-local")
    } else if first & 0xffc0 == 0xfec0 {
        Some("site-local")
    } else if ip.is_multicast() {
        Some("multicast")
    } else {
        None
    }
}

/// Which internal addresses may be reached: the one rule used by the resolver, the URL check
/// and the redirect policy.
#[derive(Debug, Clone)]
struct AddressGuard {
    allow_private: bool,
    allowed: Arc<[IpAddr]>,
}

impl AddressGuard {
    fn from_options(options: &FetchOptions) -> Self {
        Self {
            allow_private: options.allow_private,
            allowed: options.allowed_addresses.clone().into(),
        }
    }

    /// The kind of a refused address, or `None` when it may be reached.
    fn refuses(&self, ip: IpAddr) -> Option<&'static str> {
        if self.allow_private || self.allowed.contains(&ip) {
            return None;
        }
        forbidden_kind(ip)
    }
}

/// The refusal a resolver or redirect check raises; found again in reqwest's error chain.
#[derive(Debug)]
struct BlockedAddress {
    host: String,
    addr: IpAddr,
    kind: &'static str,
}

impl std::fmt::Display for BlockedAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} resolves to a {} address {}",
            self.host, self.kind, self.addr
        )
    }
}

impl StdError for BlockedAddress {}

/// The redirect limit, raised from the redirect policy.
#[derive(Debug)]
struct RedirectLimit(usize);

impl std::fmt::Display for RedirectLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "more than {} redirects", self.0)
    }
}

impl StdError for RedirectLimit {}

/// Resolves with the system resolver, then drops nothing silently: one forbidden address
/// refuses the host, since an attacker controls which address is tried first.
#[derive(Debug)]
struct GuardedResolver {
    guard: AddressGuard,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let guard = self.guard.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let forbidden = addrs
                .iter()
                .find_map(|a| guard.refuses(a.ip()).map(|k| (a.ip(), k)));
            if let Some((addr, kind)) = forbidden {
                return Err(Box::new(BlockedAddress { host, addr, kind })
                    as Box<dyn StdError + Send + Sync>);
            }
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// Checks what can be checked without DNS: the scheme and an IP-literal host.
fn check_url(url: &Url, guard: &AddressGuard) -> Result<(), FetchError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(FetchError::UnsupportedScheme(url.scheme().to_owned()));
    }
    let addr = match url.host() {
        Some(Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(Host::Ipv6(v6)) => IpAddr::V6(v6),
        Some(Host::Domain(_)) => return Ok(()),
        None => {
            return Err(FetchError::InvalidUrl {
                url: url.to_string(),
                reason: "no host".into(),
            });
        }
    };
    match guard.refuses(addr) {
        Some(kind) => Err(FetchError::Blocked {
            host: addr.to_string(),
            addr,
            kind,
        }),
        None => Ok(()),
    }
}

/// Follows a redirect only within the limit and only to an address we would fetch directly.
fn redirect_policy(max_redirects: usize, guard: AddressGuard) -> Policy {
    Policy::custom(move |attempt: Attempt<'_>| {
        if attempt.previous().len() > max_redirects {
            return attempt.error(RedirectLimit(max_redirects));
        }
        match check_url(attempt.url(), &guard) {
            Ok(()) => attempt.follow(),
            Err(FetchError::Blocked { host, addr, kind }) => {
                attempt.error(BlockedAddress { host, addr, kind })
            }
            Err(other) => attempt.error(other),
        }
    })
}

/// Finds our own error types in reqwest's error chain, else describes it.
fn classify(error: &reqwest::Error) -> FetchError {
    let mut source: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(b) = e.downcast_ref::<BlockedAddress>() {
            return FetchError::Blocked {
                host: b.host.clone(),
                addr: b.addr,
                kind: b.kind,
            };
        }
        if let Some(r) = e.downcast_ref::<RedirectLimit>() {
            return FetchError::TooManyRedirects(r.0);
        }
        if let Some(f) = e.downcast_ref::<FetchError>() {
            return FetchError::Transport(f.to_string());
        }
        source = e.source();
    }
    if error.is_timeout() {
        return FetchError::Timeout;
    }
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        message.push_str(": ");
        message.push_str(&e.to_string());
        source = e.source();
    }
    FetchError::Transport(message)
}

/// Longest wait a site may ask for: a feed asking for more is polled again after a day.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// `Retry-After` as a delay: seconds, or an HTTP date (a date in the past means now), at most
/// a day.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER));
    }
    let when = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let wait = when.duration_since(jiff::Timestamp::now());
    Some(
        Duration::try_from(wait)
            .unwrap_or(Duration::ZERO)
            .min(MAX_RETRY_AFTER),
    )
}

fn header_string(headers: &HeaderMap, name: reqwest::header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn validators_of(headers: &HeaderMap) -> Validators {
    Validators {
        etag: header_string(headers, ETAG),
        last_modified: header_string(headers, LAST_MODIFIED),
    }
}

/// A client builder with the SSRF guard in place (resolver, redirect policy, no proxy) for
/// other outbound HTTP (platform connectors): the caller adds timeouts and headers.
/// Check each request URL with [`check_target`] first: IP-literal hosts skip the resolver.
pub fn guarded_client_builder(options: &FetchOptions) -> reqwest::ClientBuilder {
    let guard = AddressGuard::from_options(options);
    reqwest::Client::builder()
        .no_proxy()
        .dns_resolver(Arc::new(GuardedResolver {
            guard: guard.clone(),
        }))
        .redirect(redirect_policy(options.max_redirects, guard))
        .timeout(options.timeout)
        .connect_timeout(options.connect_timeout)
        .user_agent(options.user_agent.clone())
}

/// Checks a URL before a request: http(s) only, and an IP-literal host must pass the same SSRF
/// rules as resolved names.
///
/// # Errors
/// [`FetchError::UnsupportedScheme`] or [`FetchError::Blocked`].
pub fn check_target(url: &Url, options: &FetchOptions) -> Result<(), FetchError> {
    check_url(url, &AddressGuard::from_options(options))
}

/// A feed fetcher; cheap to clone, reuse it for connection pooling.
#[derive(Debug, Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    options: Arc<FetchOptions>,
    guard: AddressGuard,
}

impl Fetcher {
    /// Builds the HTTP client.
    ///
    /// # Errors
    /// [`FetchError::Transport`] when the TLS stack cannot be initialised.
    pub fn new(options: FetchOptions) -> Result<Self, FetchError> {
        let guard = AddressGuard::from_options(&options);
        let client = reqwest::Client::builder()
            // A proxy would resolve the host itself, past our resolver's checks.
            .no_proxy()
            .dns_resolver(Arc::new(GuardedResolver {
                guard: guard.clone(),
            }))
            .redirect(redirect_policy(options.max_redirects, guard.clone()))
            .timeout(options.timeout)
            .connect_timeout(options.connect_timeout)
            .user_agent(options.user_agent.clone())
            .build()
            .map_err(|e| FetchError::Transport(e.to_string()))?;
        Ok(Self {
            client,
            options: Arc::new(options),
            guard,
        })
    }

    /// Fetches `url`, sending `previous` validators for a conditional GET.
    ///
    /// # Errors
    /// [`FetchError`] for a bad URL, a refused address, a non-success status (429 and 503 with
    /// their `Retry-After`), too many redirects, an oversized body, a timeout or a network error.
    pub async fn fetch(
        &self,
        url: &str,
        previous: &Validators,
    ) -> Result<FetchOutcome, FetchError> {
        let parsed = Url::parse(url).map_err(|e| FetchError::InvalidUrl {
            url: url.to_owned(),
            reason: e.to_string(),
        })?;
        check_url(&parsed, &self.guard)?;
        let mut request = self.client.get(parsed).header(
            ACCEPT,
            "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
        );
        if let Some(etag) = &previous.etag {
            let value = HeaderValue::from_str(etag)
                .map_err(|_| FetchError::InvalidValidator("ETag (--etag)"))?;
            request = request.header(IF_NONE_MATCH, value);
        }
        if let Some(date) = &previous.last_modified {
            let value = HeaderValue::from_str(date)
                .map_err(|_| FetchError::InvalidValidator("Last-Modified (--last-modified)"))?;
            request = request.header(IF_MODIFIED_SINCE, value);
        }
        let response = request.send().await.map_err(|e| classify(&e))?;
        let headers = response.headers().clone();
        match response.status() {
            StatusCode::NOT_MODIFIED => {
                let fresh = validators_of(&headers);
                Ok(FetchOutcome::NotModified(Validators {
                    etag: fresh.etag.or_else(|| previous.etag.clone()),
                    last_modified: fresh
                        .last_modified
                        .or_else(|| previous.last_modified.clone()),
                }))
            }
            StatusCode::TOO_MANY_REQUESTS => Err(FetchError::RateLimited {
                retry_after: retry_after(&headers),
            }),
            StatusCode::SERVICE_UNAVAILABLE => Err(FetchError::Unavailable {
                retry_after: retry_after(&headers),
            }),
            s if s.is_success() => {
                let final_url = response.url().to_string();
                let body = self.read_capped(response).await?;
                Ok(FetchOutcome::Fetched(Fetched {
                    final_url,
                    content_type: header_string(&headers, CONTENT_TYPE),
                    body,
                    validators: validators_of(&headers),
                }))
            }
            s => Err(FetchError::Status {
                status: s.as_u16(),
                hint: status_hint(s),
            }),
        }
    }

    /// Reads the body, stopping as soon as it passes the cap.
    async fn read_capped(&self, mut response: reqwest::Response) -> Result<Vec<u8>, FetchError> {
        let max = self.options.max_bytes;
        let declared = response
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|n| n > max as u64) {
            return Err(FetchError::TooLarge(max));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| classify(&e))? {
            if body.len() + chunk.len() > max {
                return Err(FetchError::TooLarge(max));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

fn status_hint(status: StatusCode) -> &'static str {
    match status.as_u16() {
        401 | 403 => "the site refuses us; it may block bots or need a browser User-Agent",
        404 | 410 => "the feed is not there; check the URL (often /feed/ or /?feed=rss2)",
        500..=599 => "the site has a problem; try again later",
        _ => "check the URL",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_addresses() {
        for (ip, kind) in [
            ("127.0.0.1", "loopback"),
            ("10.1.2.3", "private"),
            ("172.16.0.1", "private"),
            ("172.31.255.255", "private"),
            ("192.168.1.1", "private"),
            ("100.64.0.1", "shared (carrier-grade NAT)"),
            ("169.254.169.254", "link-local"),
            ("0.0.0.0", "unspecified"),
            ("224.0.0.1", "multicast or broadcast"),
            ("::1", "loopback"),
            ("::", "unspecified"),
            ("fe80::1", "link-local"),
            ("fd00::1", "unique-local"),
            ("ff02::1", "multicast"),
            ("::ffff:127.0.0.1", "loopback"),
            ("::127.0.0.1", "loopback"),
            ("64:ff9b::7f00:1", "loopback"),
            ("64:ff9b::a9fe:a9fe", "link-local"),
            ("2002:7f00:1::1", "loopback"),
            ("fec0::1", "site-local"),
            ("198.18.0.1", "reserved"),
            ("240.0.0.1", "reserved"),
            ("192.0.0.8", "reserved"),
        ] {
            assert_eq!(forbidden_kind(ip.parse().unwrap()), Some(kind), "{ip}");
        }
        for ip in [
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "2001:4860:4860::8888",
        ] {
            assert_eq!(forbidden_kind(ip.parse().unwrap()), None, "{ip}");
        }
    }

    #[tokio::test]
    async fn the_resolver_refuses_names_that_resolve_inside() {
        let resolver = GuardedResolver {
            guard: AddressGuard::from_options(&FetchOptions::default()),
        };
        let err = resolver
            .resolve("localhost".parse().unwrap())
            .await
            .err()
            .unwrap();
        assert!(err.to_string().contains("loopback"), "{err}");
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "120".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(120)));
        h.insert(RETRY_AFTER, "99999999999".parse().unwrap());
        assert_eq!(retry_after(&h), Some(MAX_RETRY_AFTER));
        h.insert(RETRY_AFTER, "120".parse().unwrap());
        h.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
        h.insert(RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn urls_checked_before_dns() {
        let u = |s: &str| Url::parse(s).unwrap();
        let strict = AddressGuard::from_options(&FetchOptions::default());
        let open = AddressGuard::from_options(&FetchOptions {
            allow_private: true,
            ..FetchOptions::default()
        });
        let one = AddressGuard::from_options(&FetchOptions {
            allowed_addresses: vec!["127.0.0.1".parse().unwrap()],
            ..FetchOptions::default()
        });
        assert!(check_url(&u("http://127.0.0.1:8080/feed"), &one).is_ok());
        assert!(check_url(&u("http://10.0.0.1/feed"), &one).is_err());
        assert!(matches!(
            check_url(&u("http://127.0.0.1:8080/feed"), &strict),
            Err(FetchError::Blocked { .. })
        ));
        assert!(check_url(&u("http://127.0.0.1:8080/feed"), &open).is_ok());
        assert!(matches!(
            check_url(&u("http://[::1]/"), &strict),
            Err(FetchError::Blocked { .. })
        ));
        assert!(matches!(
            check_url(&u("file:///etc/passwd"), &open),
            Err(FetchError::UnsupportedScheme(_))
        ));
        assert!(check_url(&u("https://berita.example.go.id/feed/"), &strict).is_ok());
    }
}
