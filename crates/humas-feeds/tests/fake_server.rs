//! The fetcher against a fake feed server on 127.0.0.1: every behaviour a real news site shows
//! that the fetcher must handle (see platform notes, section 11).
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use humas_feeds::parse::{FeedError, IdSource};
use humas_feeds::{FetchError, FetchOptions, FetchOutcome, Fetcher, Validators, parse_feed};

const RSS: &[u8] = include_bytes!("fixtures/rss.xml");
const ATOM: &[u8] = include_bytes!("fixtures/atom.xml");
const INDONESIAN: &[u8] = include_bytes!("fixtures/indonesian.xml");
const WINDOWS_1252: &[u8] = include_bytes!("fixtures/windows-1252.xml");
const BOMB: &[u8] = include_bytes!("fixtures/bomb.xml");
const ETAG: &str = "\"berita-v7\"";
const LAST_MODIFIED: &str = "Sat, 28 Nov 2026 03:00:00 GMT";

fn xml(body: &'static [u8], content_type: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], body).into_response()
}

/// Answers 304 when the client sends back either validator.
async fn conditional(headers: HeaderMap) -> Response {
    let matches = |name, value: &str| {
        headers
            .get(name)
            .is_some_and(|v| v.to_str().unwrap_or_default() == value)
    };
    let validators = [(header::ETAG, ETAG), (header::LAST_MODIFIED, LAST_MODIFIED)];
    if matches(header::IF_NONE_MATCH, ETAG) || matches(header::IF_MODIFIED_SINCE, LAST_MODIFIED) {
        return (StatusCode::NOT_MODIFIED, validators).into_response();
    }
    (validators, xml(RSS, "application/rss+xml")).into_response()
}

/// `/hop/3` → `/hop/2` → … → `/hop/0` → the RSS feed.
async fn hop(Path(n): Path<u32>) -> Redirect {
    match n {
        0 => Redirect::temporary("/rss.xml"),
        n => Redirect::temporary(&format!("/hop/{}", n - 1)),
    }
}

fn router() -> Router {
    Router::new()
        .route(
            "/rss.xml",
            get(|| async { xml(RSS, "application/rss+xml") }),
        )
        .route(
            "/atom.xml",
            get(|| async { xml(ATOM, "application/atom+xml") }),
        )
        .route(
            "/indonesian.xml",
            get(|| async { xml(INDONESIAN, "text/xml") }),
        )
        .route(
            "/cp1252.xml",
            get(|| async { xml(WINDOWS_1252, "application/rss+xml; charset=windows-1252") }),
        )
        .route("/bomb.xml", get(|| async { xml(BOMB, "text/xml") }))
        .route("/conditional.xml", get(conditional))
        .route(
            "/limited",
            get(|| async {
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::RETRY_AFTER, "120")],
                )
            }),
        )
        .route(
            "/down",
            get(|| async {
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(header::RETRY_AFTER, "30")],
                )
            }),
        )
        .route("/gone", get(|| async { StatusCode::NOT_FOUND }))
        .route("/hop/{n}", get(hop))
        .route(
            "/to-private",
            get(|| async { Redirect::temporary("http://10.0.0.1/feed/") }),
        )
        .route(
            "/to-metadata",
            get(|| async { Redirect::temporary("http://169.254.169.254/latest/meta-data/") }),
        )
        .route(
            "/not-xml",
            get(|| async { "Situs sedang dalam perbaikan. Silakan kembali nanti." }),
        )
        .route(
            "/huge.xml",
            get(|| async { ([(header::CONTENT_TYPE, "text/xml")], vec![b' '; 11 << 20]) }),
        )
        .route(
            "/slow.xml",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                xml(RSS, "text/xml")
            }),
        )
}

async fn start() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router()).await.unwrap() });
    addr
}

/// A fetcher allowed to reach the loopback test server and nothing else internal.
fn fetcher_for(addr: SocketAddr) -> Fetcher {
    Fetcher::new(FetchOptions {
        allowed_addresses: vec![addr.ip()],
        timeout: Duration::from_secs(2),
        ..FetchOptions::default()
    })
    .unwrap()
}

async fn get_ok(addr: SocketAddr, path: &str) -> humas_feeds::Fetched {
    let url = format!("http://{addr}{path}");
    match fetcher_for(addr).fetch(&url, &Validators::default()).await {
        Ok(FetchOutcome::Fetched(f)) => f,
        other => panic!("{path}: {other:?}"),
    }
}

async fn get_err(addr: SocketAddr, path: &str) -> FetchError {
    let url = format!("http://{addr}{path}");
    fetcher_for(addr)
        .fetch(&url, &Validators::default())
        .await
        .expect_err(path)
}

#[tokio::test]
async fn rss_and_atom_feeds_are_fetched_and_parsed() {
    let addr = start().await;
    let rss = get_ok(addr, "/rss.xml").await;
    let feed = parse_feed(&rss.body, rss.content_type.as_deref()).unwrap();
    assert_eq!(feed.items.len(), 2);
    assert_eq!(feed.items[0].id, "wj-10231");
    let atom = get_ok(addr, "/atom.xml").await;
    let feed = parse_feed(&atom.body, atom.content_type.as_deref()).unwrap();
    assert_eq!(feed.items[1].id_source, IdSource::AtomId);
}

#[tokio::test]
async fn conditional_get_yields_not_modified_with_either_validator() {
    let addr = start().await;
    let first = get_ok(addr, "/conditional.xml").await;
    assert_eq!(first.validators.etag.as_deref(), Some(ETAG));
    assert_eq!(
        first.validators.last_modified.as_deref(),
        Some(LAST_MODIFIED)
    );
    let url = format!("http://{addr}/conditional.xml");
    let fetcher = fetcher_for(addr);
    for validators in [
        first.validators.clone(),
        Validators {
            etag: None,
            last_modified: Some(LAST_MODIFIED.into()),
        },
    ] {
        match fetcher.fetch(&url, &validators).await.unwrap() {
            FetchOutcome::NotModified(v) => assert_eq!(v, first.validators),
            other => panic!("{other:?}"),
        }
    }
    let stale = Validators {
        etag: Some("\"old\"".into()),
        last_modified: None,
    };
    assert!(matches!(
        fetcher.fetch(&url, &stale).await.unwrap(),
        FetchOutcome::Fetched(_)
    ));
    let broken = Validators {
        etag: Some("\"a\"\nX-Injected: 1".into()),
        last_modified: None,
    };
    let err = fetcher.fetch(&url, &broken).await.unwrap_err();
    assert!(matches!(err, FetchError::InvalidValidator(_)), "{err:?}");
    assert!(err.to_string().contains("--etag"), "{err}");
}

#[tokio::test]
async fn rate_limits_and_outages_carry_retry_after() {
    let addr = start().await;
    let err = get_err(addr, "/limited").await;
    assert!(matches!(
        err,
        FetchError::RateLimited {
            retry_after: Some(d)
        } if d == Duration::from_secs(120)
    ));
    assert!(err.to_string().contains("retry after 120 s"), "{err}");
    let err = get_err(addr, "/down").await;
    assert!(matches!(err, FetchError::Unavailable { retry_after: Some(d) } if d.as_secs() == 30));
    let err = get_err(addr, "/gone").await;
    assert!(err.to_string().contains("404"), "{err}");
}

#[tokio::test]
async fn redirects_are_followed_up_to_five() {
    let addr = start().await;
    // Five redirects (hop/4 … hop/0) are fine; six are not.
    let fetched = get_ok(addr, "/hop/4").await;
    assert!(fetched.final_url.ends_with("/rss.xml"));
    let err = get_err(addr, "/hop/5").await;
    assert!(matches!(err, FetchError::TooManyRedirects(5)), "{err:?}");
}

#[tokio::test]
async fn redirects_to_internal_addresses_are_refused() {
    let addr = start().await;
    for path in ["/to-private", "/to-metadata"] {
        let err = get_err(addr, path).await;
        assert!(matches!(err, FetchError::Blocked { .. }), "{path}: {err:?}");
        assert!(err.to_string().contains("--allow-private"), "{err}");
    }
}

#[tokio::test]
async fn the_default_refuses_loopback() {
    let addr = start().await;
    let fetcher = Fetcher::new(FetchOptions::default()).unwrap();
    for url in [
        format!("http://{addr}/rss.xml"),
        format!("http://localhost:{}/rss.xml", addr.port()),
    ] {
        let err = fetcher
            .fetch(&url, &Validators::default())
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                FetchError::Blocked {
                    kind: "loopback",
                    ..
                }
            ),
            "{url}: {err:?}"
        );
        assert!(err.to_string().contains("refused to connect"), "{err}");
    }
    // The admin switch opens internal networks.
    let open = Fetcher::new(FetchOptions {
        allow_private: true,
        ..FetchOptions::default()
    })
    .unwrap();
    let url = format!("http://{addr}/rss.xml");
    assert!(open.fetch(&url, &Validators::default()).await.is_ok());
}

#[tokio::test]
async fn oversized_bodies_and_slow_sites_fail_cleanly() {
    let addr = start().await;
    assert!(matches!(
        get_err(addr, "/huge.xml").await,
        FetchError::TooLarge(_)
    ));
    let err = get_err(addr, "/slow.xml").await;
    assert!(matches!(err, FetchError::Timeout), "{err:?}");
}

/// A server that sends 11 MiB in chunks with no Content-Length, so only counting the bytes
/// as they arrive can stop it.
async fn start_chunked() -> SocketAddr {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                let head = "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nTransfer-Encoding: chunked\r\n\r\n";
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = vec![b' '; 1 << 20];
                for _ in 0..11 {
                    let size = format!("{:x}\r\n", chunk.len());
                    if socket.write_all(size.as_bytes()).await.is_err()
                        || socket.write_all(&chunk).await.is_err()
                        || socket.write_all(b"\r\n").await.is_err()
                    {
                        return;
                    }
                }
                let _ = socket.write_all(b"0\r\n\r\n").await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn a_chunked_body_is_capped_as_it_arrives() {
    let addr = start_chunked().await;
    let err = get_err(addr, "/feed.xml").await;
    assert!(matches!(err, FetchError::TooLarge(_)), "{err:?}");
}

#[tokio::test]
async fn bad_bodies_are_refused_by_the_parser() {
    let addr = start().await;
    let body = get_ok(addr, "/not-xml").await;
    let err = parse_feed(&body.body, body.content_type.as_deref()).unwrap_err();
    assert!(matches!(err, FeedError::NotXml { .. }), "{err:?}");
    let bomb = get_ok(addr, "/bomb.xml").await;
    assert_eq!(
        parse_feed(&bomb.body, bomb.content_type.as_deref()),
        Err(FeedError::EntityDeclarations)
    );
}

#[tokio::test]
async fn windows_1252_and_indonesian_feeds_over_http() {
    let addr = start().await;
    let f = get_ok(addr, "/cp1252.xml").await;
    let feed = parse_feed(&f.body, f.content_type.as_deref()).unwrap();
    assert_eq!(feed.title.as_deref(), Some("Café Berita"));
    let f = get_ok(addr, "/indonesian.xml").await;
    let feed = parse_feed(&f.body, f.content_type.as_deref()).unwrap();
    assert_eq!(feed.items.len(), 6);
    assert_eq!(feed.items[1].id_source, IdSource::Hash);
}
