//! The Meta connector against a fake Graph API on 127.0.0.1 (platform notes sections 2 and 11),
//! and the webhook functions against the documented test vectors and a signing sender.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

#[path = "fakes/meta.rs"]
mod fake;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use fake::{Fake, graph_error, meta_time};
use humas_connectors::http::Http;
use humas_connectors::meta::{
    self, IgnoredChange, MetaClient, MetaConfig, Surface, UNKNOWN_AUTHOR, WebhookError,
};
use humas_connectors::{ConnectorError, Page, Poller, Responder};
use humas_domain::inbox::{ExternalId, MessageKind};
use humas_domain::org::Platform;
use humas_feeds::FetchOptions;
use jiff::Timestamp;
use secrecy::SecretString;
use serde_json::{Value, json};

const TOKEN: &str = "EAAB-test-page-token";
const PAGE: &str = "112233445566";
const IG: &str = "17841400000000000";

fn now() -> i64 {
    Timestamp::now().as_second()
}

fn http() -> Http {
    Http::new(FetchOptions {
        allowed_addresses: vec!["127.0.0.1".parse().unwrap()],
        ..FetchOptions::default()
    })
    .unwrap()
}

fn client(fake: &Fake, surface: Surface, page_size: u32) -> MetaClient {
    let object = if surface == Surface::FacebookPage {
        PAGE
    } else {
        IG
    };
    let mut config = MetaConfig::new(fake.base(), surface, object, SecretString::from(TOKEN));
    config.page_size = page_size;
    MetaClient::new(http(), config)
}

fn fb_comment(id: &str, text: &str, at: i64, parent: Option<&str>) -> Value {
    let mut c = json!({"id": id, "message": text, "from": {"id": format!("u{id}"), "name": format!("Warga {id}")},
        "created_time": meta_time(at), "is_hidden": false,
        "permalink_url": format!("https://www.facebook.com/{PAGE}/posts/1?comment_id={id}")});
    if let Some(p) = parent {
        c["parent"] = json!({ "id": p });
    }
    c
}

fn post(owner: &str, id: &str, created: i64, comments: Vec<Value>) -> fake::Post {
    fake::Post {
        owner: owner.into(),
        id: id.into(),
        created,
        permalink: format!("https://example.com/p/{id}"),
        comments,
    }
}

/// Polls until the sweep ends, returning every page.
async fn sweep(client: &MetaClient, mut cursor: Option<String>) -> (Vec<Page>, Option<String>) {
    let mut pages = Vec::new();
    for _ in 0..50 {
        let page = client.poll(cursor.as_deref()).await.unwrap();
        cursor = page.cursor.clone();
        let more = page.more;
        pages.push(page);
        if !more {
            return (pages, cursor);
        }
    }
    panic!("sweep did not end");
}

fn ids(pages: &[Page]) -> Vec<String> {
    pages
        .iter()
        .flat_map(|p| &p.messages)
        .map(|m| m.external_id.to_string())
        .collect()
}

async fn facebook_fixture() -> Fake {
    let fake = Fake::start(TOKEN, PAGE, IG).await;
    let t = now();
    let p1 = format!("{PAGE}_1001");
    let p2 = format!("{PAGE}_1002");
    let mut no_from = fb_comment("1002_9", "Siapa yang bertanggung jawab?", t - 100, None);
    no_from.as_object_mut().unwrap().remove("from");
    let no_text = json!({"id": "1002_10", "from": {"id": "u10", "name": "Stiker"}, "created_time": meta_time(t - 90)});
    let bad_date =
        json!({"id": "1002_11", "message": "x", "from": {"id": "u11"}, "created_time": "kemarin"});
    fake.with(|s| {
        s.posts = vec![
            post(
                PAGE,
                &p1,
                t - 3_600,
                vec![
                    fb_comment("1001_1", "Kapan jalan diperbaiki?", t - 3_000, None),
                    fb_comment("1001_2", "Sudah dilaporkan", t - 2_000, Some("1001_1")),
                    fb_comment("1001_3", "Lampu mati juga", t - 1_000, None),
                ],
            ),
            post(PAGE, &p2, t - 600, vec![no_from, no_text, bad_date]),
            // Older than the lookback window: never listed.
            post(
                PAGE,
                &format!("{PAGE}_900"),
                t - 30 * 86_400,
                vec![fb_comment("900_1", "lama", t - 30 * 86_400, None)],
            ),
        ];
    });
    fake
}

#[tokio::test]
async fn a_facebook_sweep_reads_every_comment_of_recent_posts_across_pages() {
    let fake = facebook_fixture().await;
    let client = client(&fake, Surface::FacebookPage, 2);
    let (pages, cursor) = sweep(&client, None).await;

    let mut got = ids(&pages);
    got.sort();
    assert_eq!(got, ["1001_1", "1001_2", "1001_3", "1002_9"]);
    assert!(cursor.is_some());

    let all: Vec<_> = pages.iter().flat_map(|p| &p.messages).collect();
    let reply = all
        .iter()
        .find(|m| m.external_id.as_ref() == "1001_2")
        .unwrap();
    assert_eq!(reply.platform, Platform::Facebook);
    assert_eq!(reply.kind, MessageKind::Reply);
    assert_eq!(
        reply.parent_external_id.as_ref().unwrap().as_ref(),
        "1001_1"
    );
    assert_eq!(
        reply.thread_external_id.as_ref().unwrap().as_ref(),
        format!("{PAGE}_1001")
    );
    assert_eq!(reply.author.handle, "u1001_2");
    assert_eq!(reply.author.display_name.as_deref(), Some("Warga 1001_2"));
    assert_eq!(reply.text, "Sudah dilaporkan");
    assert!(
        reply
            .permalink
            .as_deref()
            .unwrap()
            .ends_with("comment_id=1001_2")
    );
    let top = all
        .iter()
        .find(|m| m.external_id.as_ref() == "1001_1")
        .unwrap();
    assert_eq!(top.kind, MessageKind::Comment);
    assert_eq!(
        top.parent_external_id.as_ref().unwrap().as_ref(),
        format!("{PAGE}_1001")
    );
    assert_eq!(
        top.published_at.as_second(),
        now() - 3_000,
        "+0000 offset parsed"
    );
    let anonymous = all
        .iter()
        .find(|m| m.external_id.as_ref() == "1002_9")
        .unwrap();
    assert_eq!(anonymous.author.handle, UNKNOWN_AUTHOR);

    let mut rejected: Vec<_> = pages.iter().flat_map(|p| &p.rejected).collect();
    rejected.sort_by_key(|r| r.external_id.clone());
    assert_eq!(rejected.len(), 2);
    assert_eq!(rejected[0].external_id.as_deref(), Some("1002_10"));
    assert!(
        rejected[0].reason.contains("empty") || rejected[0].reason.contains("text"),
        "{}",
        rejected[0].reason
    );
    assert_eq!(rejected[1].external_id.as_deref(), Some("1002_11"));
    assert!(
        rejected[1].reason.contains("format"),
        "{}",
        rejected[1].reason
    );

    // Two posts listed in pages of 2; post 1001 has 3 comments → 2 pages, 1002 → 2 pages.
    assert_eq!(fake.count("GET", "/published_posts"), 1);
    assert_eq!(fake.count("GET", &format!("{PAGE}_1001/comments")), 2);
    assert_eq!(fake.count("GET", &format!("{PAGE}_1002/comments")), 2);
    fake.with(|s| {
        let listing = s
            .seen
            .iter()
            .find(|r| r.path.ends_with("/published_posts"))
            .unwrap();
        let since: i64 = listing.query["since"].parse().unwrap();
        assert!(
            (now() - 7 * 86_400 - since).abs() < 60,
            "since is the lookback window"
        );
        assert!(listing.path.starts_with("/v23.0/"));
        let second = s
            .seen
            .iter()
            .filter(|r| r.path.ends_with("_1001/comments"))
            .nth(1)
            .unwrap();
        assert_eq!(second.query["after"], "QVFI2");
        assert_eq!(second.query["order"], "reverse_chronological");
        assert_eq!(second.query["filter"], "stream");
        assert!(
            !second.query.contains_key("access_token"),
            "token goes in the header only"
        );
    });
}

#[tokio::test]
async fn polling_again_with_a_saved_cursor_repeats_never_skips() {
    let fake = facebook_fixture().await;
    let client = client(&fake, Surface::FacebookPage, 2);
    let first = client.poll(None).await.unwrap();
    let second = client.poll(first.cursor.as_deref()).await.unwrap();
    // A crash before the second cursor was saved: the same cursor again.
    let again = client.poll(first.cursor.as_deref()).await.unwrap();
    assert_eq!(second.messages, again.messages);
    assert_eq!(second.cursor, again.cursor);
    assert!(!second.messages.is_empty());
}

#[tokio::test]
async fn a_second_sweep_stops_paging_at_comments_already_seen() {
    let fake = facebook_fixture().await;
    let client = client(&fake, Surface::FacebookPage, 2);
    let (_, cursor) = sweep(&client, None).await;
    let t = now();
    fake.with(|s| {
        s.posts[0]
            .comments
            .push(fb_comment("1001_4", "Baru", t, None));
        s.seen.clear();
    });
    let (pages, _) = sweep(&client, cursor).await;
    let got = ids(&pages);
    assert!(got.contains(&"1001_4".to_owned()));
    // The first page (newest first) already reaches comments older than the previous sweep.
    assert_eq!(fake.count("GET", &format!("{PAGE}_1001/comments")), 1);
}

#[tokio::test]
async fn an_empty_page_ends_the_sweep_at_once() {
    let fake = Fake::start(TOKEN, PAGE, IG).await;
    let client = client(&fake, Surface::FacebookPage, 25);
    let page = client.poll(None).await.unwrap();
    assert!(page.messages.is_empty() && page.rejected.is_empty());
    assert!(!page.more);
    let cursor: Value = serde_json::from_str(page.cursor.as_deref().unwrap()).unwrap();
    assert!(cursor["last_sweep"].as_i64().unwrap() >= now() - 5);
    assert_eq!(fake.count("GET", "/published_posts"), 1);
}

#[tokio::test]
async fn a_post_deleted_after_listing_is_skipped() {
    let fake = facebook_fixture().await;
    let client = client(&fake, Surface::FacebookPage, 25);
    // Newest post first: the first poll lists both posts and reads post 1002.
    let first = client.poll(None).await.unwrap();
    assert_eq!(ids(std::slice::from_ref(&first)), ["1002_9"]);
    assert!(first.more);
    fake.with(|s| s.posts.retain(|p| p.id != format!("{PAGE}_1001")));
    let second = client.poll(first.cursor.as_deref()).await.unwrap();
    assert!(second.messages.is_empty());
    assert!(
        !second.more,
        "the deleted post is dropped and the sweep ends"
    );
    assert_eq!(fake.count("GET", &format!("{PAGE}_1001/comments")), 1);
}

#[tokio::test]
async fn a_server_error_once_then_the_same_cursor_succeeds() {
    let fake = facebook_fixture().await;
    let client = client(&fake, Surface::FacebookPage, 25);
    fake.inject(500, json!({"error": {"message": "An unexpected error has occurred.", "code": 2, "is_transient": true}}), vec![]);
    let err = client.poll(None).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Unavailable { .. }), "{err:?}");
    assert!(err.is_transient());
    fake.inject_raw(502, "<html>Bad Gateway</html>");
    assert!(matches!(
        client.poll(None).await.unwrap_err(),
        ConnectorError::Unavailable { .. }
    ));
    let page = client.poll(None).await.unwrap();
    assert_eq!(ids(std::slice::from_ref(&page)), ["1002_9"]);
    assert_eq!(page.rejected.len(), 2);
}

#[tokio::test]
async fn meta_rate_limit_codes_with_http_400_are_rate_limits() {
    let fake = facebook_fixture().await;
    let client = client(&fake, Surface::FacebookPage, 25);
    let buc = format!(
        r#"{{"{PAGE}":[{{"type":"pages","call_count":100,"total_cputime":25,"total_time":25,"estimated_time_to_regain_access":7}}]}}"#
    );
    fake.inject(
        400,
        graph_error(
            80001,
            None,
            "There have been too many calls to this Page account.",
        ),
        vec![("x-business-use-case-usage", buc)],
    );
    match client.poll(None).await.unwrap_err() {
        ConnectorError::RateLimited {
            retry_after,
            detail,
        } => {
            assert_eq!(retry_after, Some(Duration::from_secs(7 * 60)));
            assert!(
                detail.contains("code 80001") && detail.contains("X-Business-Use-Case-Usage"),
                "{detail}"
            );
        }
        other => panic!("{other:?}"),
    }
    for code in [4, 17, 32, 613, 80002] {
        fake.inject(
            400,
            graph_error(code, None, "Application request limit reached"),
            vec![(
                "x-app-usage",
                r#"{"call_count":100,"total_cputime":25,"total_time":25}"#.into(),
            )],
        );
        match client.poll(None).await.unwrap_err() {
            ConnectorError::RateLimited {
                retry_after,
                detail,
            } => {
                assert_eq!(retry_after, None, "no time in X-App-Usage");
                assert!(
                    detail.contains(&format!("code {code}")) && detail.contains("X-App-Usage"),
                    "{detail}"
                );
            }
            other => panic!("code {code}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn token_and_permission_errors_are_told_apart() {
    let fake = facebook_fixture().await;
    let mut config = MetaConfig::new(
        fake.base(),
        Surface::FacebookPage,
        PAGE,
        SecretString::from("EAAB-expired"),
    );
    config.page_size = 25;
    let expired = MetaClient::new(http(), config);
    let err = expired.poll(None).await.unwrap_err();
    assert!(
        matches!(&err, ConnectorError::TokenExpired(d) if d.contains("190/463")),
        "{err:?}"
    );
    assert!(!err.is_transient());

    let client = client(&fake, Surface::FacebookPage, 25);
    for code in [10, 200, 283] {
        fake.inject(
            403,
            graph_error(
                code,
                None,
                "(#200) Requires pages_read_engagement permission",
            ),
            vec![],
        );
        let err = client.poll(None).await.unwrap_err();
        assert!(
            matches!(err, ConnectorError::Forbidden(_)),
            "{code}: {err:?}"
        );
    }
}

#[tokio::test]
async fn malformed_answers_are_errors_not_panics() {
    let fake = facebook_fixture().await;
    let client = client(&fake, Surface::FacebookPage, 25);
    for body in [
        "not json",
        r#"{"foo":1}"#,
        r#"{"data":"x"}"#,
        r#"{"data":[],"paging":{"next":"http://x/?limit=2"}}"#,
    ] {
        fake.inject_raw(200, body);
        let err = client.poll(None).await.unwrap_err();
        assert!(
            matches!(err, ConnectorError::Malformed(_)),
            "{body}: {err:?}"
        );
    }
    // Items that are not objects are skipped or rejected; the rest of the page is kept.
    fake.inject_raw(
        200,
        &format!(
            r#"{{"data":[{{"id":"{PAGE}_1001","created_time":"{}"}}, 7, "x"]}}"#,
            meta_time(now())
        ),
    );
    let page = client.poll(None).await.unwrap();
    assert_eq!(page.messages.len(), 3);
}

#[tokio::test]
async fn an_outage_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let config = MetaConfig::new(
        format!("http://{addr}"),
        Surface::FacebookPage,
        PAGE,
        SecretString::from(TOKEN),
    );
    let err = MetaClient::new(http(), config)
        .poll(None)
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Transport(_)), "{err:?}");
}

#[tokio::test]
async fn a_slow_platform_times_out() {
    let fake = facebook_fixture().await;
    fake.with(|s| s.latency = Duration::from_millis(800));
    let http = Http::new(FetchOptions {
        allowed_addresses: vec!["127.0.0.1".parse().unwrap()],
        timeout: Duration::from_millis(200),
        ..FetchOptions::default()
    })
    .unwrap();
    let config = MetaConfig::new(
        fake.base(),
        Surface::FacebookPage,
        PAGE,
        SecretString::from(TOKEN),
    );
    let err = MetaClient::new(http, config).poll(None).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Timeout), "{err:?}");
}

#[tokio::test]
async fn a_default_client_refuses_a_loopback_base_url() {
    let fake = facebook_fixture().await;
    let config = MetaConfig::new(
        fake.base(),
        Surface::FacebookPage,
        PAGE,
        SecretString::from(TOKEN),
    );
    let client = MetaClient::new(Http::new(FetchOptions::default()).unwrap(), config);
    let err = client.poll(None).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Target(_)), "{err:?}");
    let err = client
        .delete(&ExternalId::parse("1001_1").unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Target(_)), "{err:?}");
    assert_eq!(fake.with(|s| s.seen.len()), 0);
}

#[tokio::test]
async fn appsecret_proof_matches_the_vector_and_is_sent() {
    assert_eq!(
        meta::appsecret_proof("test_app_secret", TOKEN),
        "4db4f3d483a2a4be9b48f6a2df96de5a64c4774862d954593d12c1a5d3ba1e85"
    );
    let fake = facebook_fixture().await;
    fake.with(|s| {
        s.proof = Some("4db4f3d483a2a4be9b48f6a2df96de5a64c4774862d954593d12c1a5d3ba1e85".into())
    });
    let without = client(&fake, Surface::FacebookPage, 25);
    assert!(matches!(
        without.poll(None).await.unwrap_err(),
        ConnectorError::Refused(_)
    ));
    let mut config = MetaConfig::new(
        fake.base(),
        Surface::FacebookPage,
        PAGE,
        SecretString::from(TOKEN),
    );
    config.app_secret = Some(SecretString::from("test_app_secret"));
    let with = MetaClient::new(http(), config);
    let page = with.poll(None).await.unwrap();
    assert_eq!(ids(std::slice::from_ref(&page)), ["1002_9"]);
    fake.with(|s| {
        let last = s.seen.last().unwrap();
        assert_eq!(
            last.query["appsecret_proof"],
            "4db4f3d483a2a4be9b48f6a2df96de5a64c4774862d954593d12c1a5d3ba1e85"
        );
    });
}

#[tokio::test]
async fn secrets_stay_out_of_debug_output() {
    let mut config = MetaConfig::new(
        "https://graph.facebook.com",
        Surface::FacebookPage,
        PAGE,
        SecretString::from(TOKEN),
    );
    config.app_secret = Some(SecretString::from("test_app_secret"));
    let shown = format!("{:?}", MetaClient::new(http(), config));
    assert!(
        !shown.contains(TOKEN) && !shown.contains("test_app_secret"),
        "{shown}"
    );
    assert!(
        !shown.contains("4db4f3d483a2"),
        "the proof is derived from the token: {shown}"
    );
}

#[tokio::test]
async fn instagram_reads_media_comments_and_nested_replies() {
    let fake = Fake::start(TOKEN, PAGE, IG).await;
    let t = now();
    let ig_comment = |id: &str, text: &str, user: &str, at: i64| {
        json!({"id": id, "text": text, "timestamp": meta_time(at), "username": user,
               "from": {"id": format!("ig{id}"), "username": user}, "like_count": 1, "hidden": false})
    };
    let mut with_replies = ig_comment(
        "17870913679156914",
        "Jadwal vaksin di puskesmas mana?",
        "warga.jkt",
        t - 500,
    );
    with_replies["replies"] = json!({"data": [
        {"id": "17873440459141021", "text": "Puskesmas Menteng", "timestamp": meta_time(t - 400), "username": "dinkes"}]});
    fake.with(|s| {
        s.posts = vec![
            post(
                IG,
                "18000000000000001",
                t - 1_000,
                vec![
                    with_replies,
                    ig_comment("17870913679156915", "Terima kasih", "warga.bdg", t - 300),
                ],
            ),
            post(IG, "18000000000000002", t - 200, vec![]),
            post(
                IG,
                "18000000000000000",
                t - 40 * 86_400,
                vec![ig_comment(
                    "17000000000000001",
                    "lama",
                    "a",
                    t - 40 * 86_400,
                )],
            ),
        ];
    });
    let client = client(&fake, Surface::Instagram, 25);
    let (pages, _) = sweep(&client, None).await;
    let all: Vec<_> = pages.iter().flat_map(|p| &p.messages).collect();
    assert_eq!(
        all.iter()
            .map(|m| m.external_id.as_ref())
            .collect::<Vec<_>>(),
        [
            "17870913679156914",
            "17873440459141021",
            "17870913679156915"
        ]
    );
    assert!(all.iter().all(|m| m.platform == Platform::Instagram));
    assert_eq!(all[0].kind, MessageKind::Comment);
    assert_eq!(all[0].author.handle, "warga.jkt");
    assert_eq!(
        all[0].parent_external_id.as_ref().unwrap().as_ref(),
        "18000000000000001"
    );
    assert_eq!(
        all[0].permalink.as_deref(),
        Some("https://example.com/p/18000000000000001")
    );
    assert_eq!(all[1].kind, MessageKind::Reply);
    assert_eq!(
        all[1].parent_external_id.as_ref().unwrap().as_ref(),
        "17870913679156914"
    );
    assert_eq!(
        all[1].thread_external_id.as_ref().unwrap().as_ref(),
        "18000000000000001"
    );
    assert_eq!(all[1].author.handle, "dinkes");
    // The old media is past the window: its comments are not requested.
    assert_eq!(fake.count("GET", "18000000000000000/comments"), 0);
    assert_eq!(fake.count("GET", "18000000000000002/comments"), 1);
    fake.with(|s| {
        let c = s
            .seen
            .iter()
            .find(|r| r.path.ends_with("18000000000000001/comments"))
            .unwrap();
        assert!(c.query["fields"].contains("replies"));
        assert!(
            !s.seen
                .iter()
                .any(|r| r.path.ends_with("/media") && r.query.contains_key("since"))
        );
    });
}

const MEDIA: &str = "18000000000000001";
const VIRAL: &str = "17870913679150000";

fn ig_item(id: &str, text: &str, user: &str, at: i64) -> Value {
    json!({"id": id, "text": text, "timestamp": meta_time(at), "username": user,
           "from": {"id": format!("ig{id}"), "username": user}, "like_count": 1, "hidden": false})
}

fn reply_id(n: usize) -> String {
    format!("1787344045914{n:04}")
}

/// One media with a comment of `replies` replies (all stored; the fake nests and pages them as
/// Graph does) and a quiet comment after it, and a newer media with one comment.
async fn viral_fixture(replies: usize) -> Fake {
    let fake = Fake::start(TOKEN, PAGE, IG).await;
    let t = now();
    let mut viral = ig_item(VIRAL, "Kenapa bansos belum cair?", "warga.viral", t - 5_000);
    viral["replies"] = json!({"data": (1..=replies)
        .map(|n| ig_item(&reply_id(n), &format!("Sama, saya juga #{n}"), &format!("warga{n}"), t - 4_000 + n as i64))
        .collect::<Vec<_>>()});
    fake.with(|s| {
        s.posts = vec![
            post(
                IG,
                MEDIA,
                t - 6_000,
                vec![
                    viral,
                    ig_item("17870913679150001", "Terima kasih", "warga.bdg", t - 3_000),
                ],
            ),
            post(
                IG,
                "18000000000000002",
                t - 200,
                vec![ig_item(
                    "17870913679150002",
                    "Info banjir?",
                    "warga.dpk",
                    t - 100,
                )],
            ),
        ];
    });
    fake
}

fn ig_client(fake: &Fake, page_size: u32, reply_pages: u32) -> MetaClient {
    let mut config = MetaConfig::new(
        fake.base(),
        Surface::Instagram,
        IG,
        SecretString::from(TOKEN),
    );
    config.page_size = page_size;
    config.reply_pages = reply_pages;
    MetaClient::new(http(), config)
}

/// The `after` cursors of the `/{comment}/replies` requests, in order.
fn reply_afters(fake: &Fake) -> Vec<String> {
    fake.requests("GET", &format!("{VIRAL}/replies"))
        .iter()
        .map(|r| r.query.get("after").cloned().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn an_instagram_comment_with_120_replies_is_read_whole_and_once() {
    let fake = viral_fixture(120).await;
    let client = ig_client(&fake, 25, 20);
    let (pages, _) = sweep(&client, None).await;
    let got = ids(&pages);
    let unique: std::collections::HashSet<&String> = got.iter().collect();
    assert_eq!(unique.len(), got.len(), "no message twice: {got:?}");
    // The viral comment, its 120 replies, the quiet comment and the newer media's comment.
    assert_eq!(got.len(), 123);
    for n in 1..=120 {
        assert!(unique.contains(&reply_id(n)), "reply {n} missing");
    }
    let replies: Vec<_> = pages
        .iter()
        .flat_map(|p| &p.messages)
        .filter(|m| m.external_id.as_ref().starts_with("1787344045914"))
        .collect();
    assert_eq!(replies.len(), 120);
    assert!(replies.iter().all(|m| m.kind == MessageKind::Reply
        && m.parent_external_id.as_ref().map(AsRef::as_ref) == Some(VIRAL)
        && m.thread_external_id.as_ref().map(AsRef::as_ref) == Some(MEDIA)
        && m.permalink.as_deref() == Some("https://example.com/p/18000000000000001")));
    assert!(pages.iter().all(|p| p.rejected.is_empty()));
    // 50 nested, then 25 + 25 + 20 from the replies edge, continuing from the nested cursor.
    assert_eq!(reply_afters(&fake), ["QVFI50", "QVFI75", "QVFI100"]);
    let listed = fake.requests("GET", &format!("{VIRAL}/replies"));
    assert!(listed.iter().all(|r| r.query["limit"] == "25"
        && r.query["fields"].contains("parent_id")
        && r.query["fields"].contains("username")));
    let comments = fake.requests("GET", &format!("{MEDIA}/comments"));
    assert_eq!(comments.len(), 1);
    assert!(comments[0].query["fields"].contains("replies.limit(50){"));
    // Media come newest first: the quiet media, then the viral one and its further replies,
    // after which the sweep ends.
    let order: Vec<&str> = fake.with(|s| {
        s.seen
            .iter()
            .filter(|r| r.path.ends_with("/replies") || r.path.ends_with("/comments"))
            .map(|r| {
                if r.path.ends_with("/replies") {
                    "replies"
                } else {
                    "comments"
                }
            })
            .collect()
    });
    assert_eq!(
        order,
        ["comments", "comments", "replies", "replies", "replies"]
    );
    // The next sweep reads them all again (Instagram comments have no order); the store
    // deduplicates.
    let (again, _) = sweep(&client, pages.last().unwrap().cursor.clone()).await;
    assert_eq!(ids(&again).len(), 123);
}

#[tokio::test]
async fn a_rate_limit_on_the_second_replies_page_keeps_what_was_read() {
    for code in [4, 17, 32, 613] {
        let fake = viral_fixture(120).await;
        let client = ig_client(&fake, 25, 20);
        // Polls as the worker does: each page's messages are stored with its cursor; an error
        // ends the round and the next round starts from the last stored cursor.
        let mut saved: Option<String> = None;
        let mut stored: Vec<String> = Vec::new();
        let mut failed = false;
        for _ in 0..50 {
            if !failed && fake.count("GET", "/replies") == 1 {
                fake.inject_for(
                    "GET /replies",
                    400,
                    graph_error(code, None, "Application request limit reached"),
                );
            }
            match client.poll(saved.as_deref()).await {
                Ok(page) => {
                    stored.extend(page.messages.iter().map(|m| m.external_id.to_string()));
                    assert!(page.rejected.is_empty(), "{:?}", page.rejected);
                    saved = page.cursor.clone();
                    if !page.more {
                        break;
                    }
                }
                Err(ConnectorError::RateLimited { .. }) if !failed => {
                    failed = true;
                    // What was read before the error is stored: the comment, the 50 nested
                    // and the first listed page of replies.
                    assert!(stored.contains(&reply_id(75)), "code {code}");
                    assert!(!stored.contains(&reply_id(76)), "code {code}");
                }
                Err(e) => panic!("code {code}: {e:?}"),
            }
        }
        assert!(failed, "code {code}: the injected limit was not met");
        let unique: std::collections::HashSet<&String> = stored.iter().collect();
        assert_eq!(unique.len(), stored.len(), "code {code}: duplicates");
        assert_eq!(stored.len(), 123, "code {code}");
        // The refused page is asked for again, from the same cursor, and nothing else is.
        assert_eq!(
            reply_afters(&fake),
            ["QVFI50", "QVFI75", "QVFI75", "QVFI100"],
            "code {code}"
        );
    }
}

#[tokio::test]
async fn instagram_replies_stop_at_the_page_limit_per_comment_and_say_so() {
    let fake = viral_fixture(120).await;
    let client = ig_client(&fake, 25, 2);
    let (pages, _) = sweep(&client, None).await;
    let got = ids(&pages);
    assert!(got.contains(&reply_id(100)) && !got.contains(&reply_id(101)));
    assert_eq!(got.len(), 103, "100 replies, 3 comments");
    assert_eq!(reply_afters(&fake), ["QVFI50", "QVFI75"]);
    let rejected: Vec<_> = pages.iter().flat_map(|p| &p.rejected).collect();
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(rejected[0].external_id.as_deref(), Some(VIRAL));
    assert!(
        rejected[0].reason.contains("first 100"),
        "{}",
        rejected[0].reason
    );
    // The sweep went on to the newer media.
    assert!(got.contains(&"17870913679150002".to_owned()));

    // 0: only the nested replies, and the cut is reported.
    let fake = viral_fixture(120).await;
    let client = ig_client(&fake, 25, 0);
    let (pages, _) = sweep(&client, None).await;
    assert_eq!(ids(&pages).len(), 53);
    assert_eq!(fake.count("GET", "/replies"), 0);
    let rejected: Vec<_> = pages.iter().flat_map(|p| &p.rejected).collect();
    assert!(
        rejected.len() == 1 && rejected[0].reason.contains("first 50"),
        "{rejected:?}"
    );
}

#[tokio::test]
async fn instagram_replies_with_broken_paging_are_reported_not_panicked_on() {
    let t = now();
    // Nested replies: `next` without any `after`, and replies that are not a list.
    let fake = viral_fixture(0).await;
    let mut first = ig_item(VIRAL, "a", "u1", t - 50);
    first["replies"] = json!({"data": [ig_item(&reply_id(1), "b", "u2", t - 40)],
        "paging": {"next": "http://x/?limit=2"}});
    let mut second = ig_item("17870913679150001", "c", "u3", t - 30);
    second["replies"] = json!("x");
    fake.inject_for("GET /comments", 200, json!({"data": [first, second]}));
    let client = ig_client(&fake, 25, 20);
    let (pages, _) = sweep(&client, None).await;
    let got = ids(&pages);
    assert_eq!(
        got[..3],
        [
            VIRAL.to_owned(),
            reply_id(1),
            "17870913679150001".to_owned()
        ]
    );
    let rejected: Vec<_> = pages.iter().flat_map(|p| &p.rejected).collect();
    assert_eq!(rejected.len(), 2, "{rejected:?}");
    assert_eq!(rejected[0].external_id.as_deref(), Some(VIRAL));
    assert!(
        rejected[0]
            .reason
            .contains("paging.next without an after cursor"),
        "{}",
        rejected[0].reason
    );
    assert_eq!(
        rejected[1].external_id.as_deref(),
        Some("17870913679150001")
    );
    assert!(
        rejected[1].reason.contains("not a list"),
        "{}",
        rejected[1].reason
    );
    assert_eq!(fake.count("GET", "/replies"), 0);

    // A listed page of replies with broken paging (an empty cursor would restart the list):
    // its replies are kept, the rest of that comment's replies are reported, the sweep goes on.
    let fake = viral_fixture(120).await;
    fake.inject_for(
        "GET /replies",
        200,
        json!({"data": [ig_item(&reply_id(51), "d", "u4", t - 20)], "paging": {"cursors": {"after": ""}, "next": "http://x/?after=&limit=2"}}),
    );
    let client = ig_client(&fake, 25, 20);
    let (pages, _) = sweep(&client, None).await;
    let got = ids(&pages);
    assert_eq!(got.len(), 1 + 51 + 2);
    assert!(got.contains(&reply_id(51)) && !got.contains(&reply_id(52)));
    let rejected: Vec<_> = pages.iter().flat_map(|p| &p.rejected).collect();
    assert!(
        rejected.len() == 1
            && rejected[0].external_id.as_deref() == Some(VIRAL)
            && rejected[0].reason.contains("without an after cursor"),
        "{rejected:?}"
    );
    assert_eq!(fake.count("GET", "/replies"), 1);

    // A replies answer that is not a list at all: a clear error, and the same cursor then
    // reads the page.
    let fake = viral_fixture(120).await;
    let client = ig_client(&fake, 25, 20);
    let newer = client.poll(None).await.unwrap();
    let first = client.poll(newer.cursor.as_deref()).await.unwrap();
    assert_eq!(
        first.messages.len(),
        52,
        "the viral comment, 50 replies, the quiet one"
    );
    for body in [r#"{"foo":1}"#, r#"{"data":[],"paging":7}"#, "<html>"] {
        fake.inject_raw(200, body);
        match client.poll(first.cursor.as_deref()).await.unwrap_err() {
            ConnectorError::Malformed(d) => {
                assert!(
                    d.contains(&format!("replies of comment {VIRAL}")),
                    "{body}: {d}"
                );
            }
            other => panic!("{body}: {other:?}"),
        }
    }
    let page = client.poll(first.cursor.as_deref()).await.unwrap();
    assert_eq!(page.messages.len(), 25);
    assert_eq!(page.messages[0].external_id.as_ref(), reply_id(51));
}

#[tokio::test]
async fn instagram_replies_of_a_comment_deleted_meanwhile_are_skipped() {
    let fake = viral_fixture(120).await;
    let client = ig_client(&fake, 25, 20);
    let newer = client.poll(None).await.unwrap();
    let first = client.poll(newer.cursor.as_deref()).await.unwrap();
    assert!(first.more, "further replies are waiting");
    fake.with(|s| s.posts[0].comments.remove(0));
    let (rest, _) = sweep(&client, first.cursor).await;
    assert_eq!(rest.len(), 1, "the not-found replies end the sweep");
    assert!(ids(&rest).is_empty() && rest[0].rejected.is_empty());
    assert_eq!(fake.count("GET", "/replies"), 1);
}

#[tokio::test]
async fn a_cursor_from_before_reply_paging_is_still_read() {
    let fake = viral_fixture(120).await;
    let client = ig_client(&fake, 25, 20);
    // A mid-sweep cursor as the previous version wrote it: no reply fields.
    let old = format!(
        r#"{{"v":1,"last_sweep":null,"sweep":{{"started":{},"posts_after":null,"posts_done":true,"queue":[{{"id":"{MEDIA}","permalink":null}}],"comments_after":null}}}}"#,
        now()
    );
    let (pages, _) = sweep(&client, Some(old)).await;
    assert_eq!(
        ids(&pages).len(),
        122,
        "the old queue only had the viral media"
    );
    assert_eq!(
        fake.count("GET", "/media"),
        0,
        "the sweep was resumed, not restarted"
    );
}

#[tokio::test]
async fn facebook_replies_come_in_the_stream_listing_not_truncated() {
    let fake = Fake::start(TOKEN, PAGE, IG).await;
    let t = now();
    let post_id = format!("{PAGE}_2001");
    let mut comments = vec![fb_comment("2001_1", "Kapan bansos cair?", t - 5_000, None)];
    comments.extend((1..=120).map(|n| {
        fb_comment(
            &format!("2001_1_{n}"),
            "Sama",
            t - 4_000 + n,
            Some("2001_1"),
        )
    }));
    fake.with(|s| s.posts = vec![post(PAGE, &post_id, t - 6_000, comments)]);
    let client = client(&fake, Surface::FacebookPage, 25);
    let (pages, _) = sweep(&client, None).await;
    let got = ids(&pages);
    let unique: std::collections::HashSet<&String> = got.iter().collect();
    assert_eq!((got.len(), unique.len()), (121, 121));
    let all: Vec<_> = pages.iter().flat_map(|p| &p.messages).collect();
    assert_eq!(
        all.iter()
            .filter(|m| m.parent_external_id.as_ref().map(AsRef::as_ref) == Some("2001_1"))
            .count(),
        120
    );
    let listed = fake.requests("GET", &format!("{post_id}/comments"));
    assert_eq!(listed.len(), 5, "121 comments in pages of 25");
    assert!(listed.iter().all(|r| r.query["filter"] == "stream"));
    assert_eq!(fake.count("GET", "/replies"), 0);
}

#[tokio::test]
async fn a_facebook_reply_reaches_the_fake_once_with_parent_and_text() {
    let fake = facebook_fixture().await;
    let client = client(&fake, Surface::FacebookPage, 25);
    let parent = ExternalId::parse("1001_1").unwrap();
    let id = client
        .reply(
            &parent,
            Some(&ExternalId::parse(&format!("{PAGE}_1001")).unwrap()),
            "Sudah kami teruskan ke Dinas PU.",
        )
        .await
        .unwrap();
    assert_eq!(id.as_ref(), "1001_1_r1");
    fake.with(|s| {
        assert_eq!(
            s.replies,
            [(
                "1001_1".to_owned(),
                "comments".to_owned(),
                "Sudah kami teruskan ke Dinas PU.".to_owned()
            )]
        );
        assert_eq!(s.seen.len(), 1, "no retry, no extra call");
        assert_eq!(
            s.seen[0].form["message"],
            "Sudah kami teruskan ke Dinas PU."
        );
        assert_eq!(s.seen[0].path, "/v23.0/1001_1/comments");
    });
    assert!(matches!(
        client.reply(&parent, None, "  ").await.unwrap_err(),
        ConnectorError::Refused(_)
    ));
    assert_eq!(
        fake.with(|s| s.seen.len()),
        1,
        "an empty reply is refused before sending"
    );
}

#[tokio::test]
async fn a_failed_reply_is_not_retried_by_the_client() {
    let fake = facebook_fixture().await;
    let client = client(&fake, Surface::FacebookPage, 25);
    fake.inject(
        500,
        json!({"error": {"code": 1, "message": "An unknown error occurred"}}),
        vec![],
    );
    let err = client
        .reply(&ExternalId::parse("1001_1").unwrap(), None, "Halo")
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Unavailable { .. }), "{err:?}");
    assert_eq!(fake.count("POST", "1001_1/comments"), 1);
    assert!(fake.with(|s| s.replies.is_empty()));
}

#[tokio::test]
async fn instagram_replies_go_to_the_replies_edge_and_hide_uses_hide() {
    let fake = Fake::start(TOKEN, PAGE, IG).await;
    let client = client(&fake, Surface::Instagram, 25);
    let comment = ExternalId::parse("17870913679156914").unwrap();
    let id = client
        .reply(&comment, None, "Di Puskesmas Menteng")
        .await
        .unwrap();
    assert_eq!(id.as_ref(), "17870913679156914_r1");
    client.set_hidden(&comment, true).await.unwrap();
    client.set_hidden(&comment, false).await.unwrap();
    client.delete(&comment).await.unwrap();
    fake.with(|s| {
        assert_eq!(
            s.replies,
            [(
                "17870913679156914".to_owned(),
                "replies".to_owned(),
                "Di Puskesmas Menteng".to_owned()
            )]
        );
        assert_eq!(
            s.moderated,
            [
                (
                    "17870913679156914".to_owned(),
                    "hide".to_owned(),
                    "true".to_owned()
                ),
                (
                    "17870913679156914".to_owned(),
                    "hide".to_owned(),
                    "false".to_owned()
                ),
            ]
        );
        assert_eq!(s.deleted, ["17870913679156914"]);
    });
}

#[tokio::test]
async fn facebook_hiding_checks_can_hide_first() {
    let fake = facebook_fixture().await;
    fake.with(|s| {
        s.cannot_hide.insert("1001_3".into());
    });
    let client = client(&fake, Surface::FacebookPage, 25);
    client
        .set_hidden(&ExternalId::parse("1001_1").unwrap(), true)
        .await
        .unwrap();
    let err = client
        .set_hidden(&ExternalId::parse("1001_3").unwrap(), true)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Refused(d) if d.contains("can_hide=false")),
        "{err:?}"
    );
    client
        .set_hidden(&ExternalId::parse("1001_1").unwrap(), false)
        .await
        .unwrap();
    let err = client
        .set_hidden(&ExternalId::parse("404_404").unwrap(), true)
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::NotFound(_)), "{err:?}");
    fake.with(|s| {
        assert_eq!(
            s.moderated,
            [
                (
                    "1001_1".to_owned(),
                    "is_hidden".to_owned(),
                    "true".to_owned()
                ),
                (
                    "1001_1".to_owned(),
                    "is_hidden".to_owned(),
                    "false".to_owned()
                ),
            ]
        );
    });
    assert_eq!(
        fake.count("POST", "1001_3"),
        0,
        "no hide attempt when can_hide is false"
    );
    client
        .delete(&ExternalId::parse("1001_2").unwrap())
        .await
        .unwrap();
    assert_eq!(fake.with(|s| s.deleted.clone()), ["1001_2"]);
    fake.inject_raw(200, r#"{"success":false}"#);
    assert!(matches!(
        client
            .delete(&ExternalId::parse("1001_2").unwrap())
            .await
            .unwrap_err(),
        ConnectorError::Malformed(_)
    ));
}

#[tokio::test]
async fn ids_cannot_climb_to_other_paths() {
    let fake = facebook_fixture().await;
    let client = client(&fake, Surface::FacebookPage, 25);
    let _ = client
        .delete(&ExternalId::parse("../me/accounts").unwrap())
        .await;
    fake.with(|s| {
        assert_eq!(s.seen.len(), 1);
        assert_eq!(s.seen[0].path, "/v23.0/%2E%2E%2Fme%2Faccounts");
    });
}

// ---------------------------------------------------------------------------------------------
// Webhooks.

const VECTOR_BODY: &str = r#"{"object":"page","entry":[{"id":"1234567890","time":1735689600,"changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"111_222","post_id":"1234567890_111","message":"Kapan jalan diperbaiki?","from":{"id":"987","name":"Warga"},"created_time":1735689590}}]}]}"#;
const VECTOR_SIG: &str = "sha256=1d954a244d983322b5499e4782c5310f20298ad5f0c19e7dd841cbe7e69b6984";

fn received() -> Timestamp {
    Timestamp::from_second(1_735_689_700).unwrap()
}

#[test]
fn the_documented_signature_vector_verifies() {
    assert_eq!(VECTOR_BODY.len(), 281);
    assert_eq!(
        meta::verify_signature(b"test_app_secret", VECTOR_BODY.as_bytes(), Some(VECTOR_SIG)),
        Ok(())
    );
    assert_eq!(
        meta::verify_signature(
            b"test_app_secret",
            VECTOR_BODY.as_bytes(),
            Some(&VECTOR_SIG.to_uppercase().replace("SHA256=", "sha256="))
        ),
        Ok(())
    );
    let altered = VECTOR_BODY.replace("Kapan", "kapan");
    assert_eq!(
        meta::verify_signature(b"test_app_secret", altered.as_bytes(), Some(VECTOR_SIG)),
        Err(WebhookError::Mismatch)
    );
    assert_eq!(
        meta::verify_signature(b"other", VECTOR_BODY.as_bytes(), Some(VECTOR_SIG)),
        Err(WebhookError::Mismatch)
    );
    assert_eq!(
        meta::verify_signature(b"test_app_secret", VECTOR_BODY.as_bytes(), None),
        Err(WebhookError::MissingSignature)
    );
    for bad in [
        "sha1=abc",
        "sha256=xyz",
        "1d954a244d983322b5499e4782c5310f20298ad5f0c19e7dd841cbe7e69b6984",
    ] {
        assert_eq!(
            meta::verify_signature(b"test_app_secret", VECTOR_BODY.as_bytes(), Some(bad)),
            Err(WebhookError::BadSignatureFormat)
        );
    }
}

#[test]
fn the_vector_body_parses_into_one_comment() {
    let batch = meta::parse_webhook(VECTOR_BODY.as_bytes(), received());
    assert!(
        batch.rejected.is_empty() && batch.ignored.is_empty(),
        "{batch:?}"
    );
    let m = &batch.messages[0];
    assert_eq!(m.platform, Platform::Facebook);
    assert_eq!(m.external_id.as_ref(), "111_222");
    assert_eq!(m.kind, MessageKind::Comment, "no parent_id: top-level");
    assert_eq!(m.author.handle, "987");
    assert_eq!(m.author.display_name.as_deref(), Some("Warga"));
    assert_eq!(m.text, "Kapan jalan diperbaiki?");
    assert_eq!(
        m.parent_external_id.as_ref().unwrap().as_ref(),
        "1234567890_111"
    );
    assert_eq!(
        m.thread_external_id.as_ref().unwrap().as_ref(),
        "1234567890_111"
    );
    assert_eq!(m.published_at.as_second(), 1_735_689_590);
}

#[test]
fn the_handshake_echoes_the_challenge_only_for_our_token() {
    assert_eq!(
        meta::handshake(
            Some("subscribe"),
            Some("rahasia"),
            Some("1158201444"),
            "rahasia"
        ),
        Ok("1158201444".into())
    );
    assert_eq!(
        meta::handshake(
            Some("subscribe"),
            Some("salah"),
            Some("1158201444"),
            "rahasia"
        ),
        Err(WebhookError::WrongVerifyToken)
    );
    assert_eq!(
        meta::handshake(Some("subscribe"), None, Some("1158201444"), "rahasia"),
        Err(WebhookError::WrongVerifyToken)
    );
    assert_eq!(
        meta::handshake(Some("subscribe"), Some(""), Some("1"), ""),
        Err(WebhookError::WrongVerifyToken)
    );
    assert_eq!(
        meta::handshake(Some("unsubscribe"), Some("rahasia"), Some("1"), "rahasia"),
        Err(WebhookError::NotSubscribe)
    );
    assert_eq!(
        meta::handshake(None, Some("rahasia"), Some("1"), "rahasia"),
        Err(WebhookError::NotSubscribe)
    );
    for bad in ["", "<script>", &"9".repeat(129)] {
        assert_eq!(
            meta::handshake(Some("subscribe"), Some("rahasia"), Some(bad), "rahasia"),
            Err(WebhookError::BadChallenge)
        );
    }
}

#[test]
fn batched_entries_keep_additions_and_report_the_rest() {
    let body = json!({"object": "page", "entry": [
        {"id": "448242228374517", "time": 1742667607, "changes": [
            {"field": "feed", "value": {
                "from": {"id": "7000111222333", "name": "Budi S"},
                "post": {"id": "448242228374517_122131676912594941", "status_type": "mobile_status_update"},
                "message": "Kapan jalan diperbaiki?", "post_id": "448242228374517_122131676912594941",
                "comment_id": "122131676912594941_1213590066982748", "parent_id": "122131676912594941_542072878449250",
                "created_time": 1742667604, "item": "comment", "verb": "add"}},
            {"field": "feed", "value": {"item": "comment", "verb": "edited", "comment_id": "1_2", "post_id": "1", "message": "x", "created_time": 1}},
            {"field": "feed", "value": {"item": "comment", "verb": "remove", "comment_id": "1_3", "post_id": "1", "created_time": 1}},
            {"field": "feed", "value": {"item": "reaction", "verb": "add", "post_id": "1", "reaction_type": "like"}},
            {"field": "feed", "value": {"item": "comment", "verb": "add", "post_id": "1", "message": "no id", "created_time": 1}},
            {"field": "feed", "value": {"item": "comment", "verb": "add", "comment_id": "1_5", "post_id": "1", "parent_id": "1", "message": "tanpa pengirim", "created_time": 1742667000}}
        ]},
        {"id": "448242228374517", "time": 1742667700, "changes": [
            {"field": "mention", "value": {"item": "post", "verb": "add", "post_id": "99_1"}},
            {"field": "mention", "value": {"item": "comment", "verb": "add", "post_id": "99_1", "comment_id": "99_7", "sender_id": "555", "sender_name": "Ani", "message": "@Pemprov tolong", "created_time": 1742667650}},
            {"field": "ratings", "value": {}}
        ]}
    ]});
    let batch = meta::parse_webhook(
        body.to_string().as_bytes(),
        Timestamp::from_second(1_742_670_000).unwrap(),
    );
    let ids: Vec<_> = batch
        .messages
        .iter()
        .map(|m| m.external_id.as_ref())
        .collect();
    assert_eq!(ids, ["122131676912594941_1213590066982748", "1_5", "99_7"]);
    assert_eq!(
        batch.messages[0].kind,
        MessageKind::Reply,
        "parent_id differs from post_id"
    );
    assert_eq!(
        batch.messages[0]
            .parent_external_id
            .as_ref()
            .unwrap()
            .as_ref(),
        "122131676912594941_542072878449250"
    );
    assert_eq!(batch.messages[1].kind, MessageKind::Comment);
    assert_eq!(batch.messages[1].author.handle, UNKNOWN_AUTHOR);
    assert_eq!(batch.messages[2].kind, MessageKind::Mention);
    assert_eq!(
        batch.messages[2].author.display_name.as_deref(),
        Some("Ani")
    );
    let ignored: Vec<(&str, Option<&str>, Option<&str>)> = batch
        .ignored
        .iter()
        .map(|i: &IgnoredChange| (i.field.as_str(), i.verb.as_deref(), i.object_id.as_deref()))
        .collect();
    assert_eq!(
        ignored,
        [
            ("feed", Some("edited"), Some("1_2")),
            ("feed", Some("remove"), Some("1_3")),
            ("feed", Some("add"), Some("1")),
            ("mention", Some("add"), Some("99_1")),
            ("ratings", None, None),
        ]
    );
    assert_eq!(batch.rejected.len(), 1);
    assert!(
        batch.rejected[0].reason.starts_with("id"),
        "{:?}",
        batch.rejected
    );
}

#[test]
fn instagram_comment_events_use_the_entry_time() {
    let body = json!({"object": "instagram", "entry": [{"id": "17841474524784050", "time": 1755779280, "changes": [
        {"field": "comments", "value": {"id": "17919697626119712", "text": "Info lowongan CPNS?", "parent_id": "17900000000000001",
            "from": {"id": "2105722729836161", "username": "warga.bdg"}, "media": {"id": "18172143295349192", "media_product_type": "FEED"}}},
        {"field": "comments", "value": {"id": "17919697626119713", "text": "Top-level",
            "from": {"id": "2105722729836161", "username": "warga.bdg"}, "media": {"id": "18172143295349192"}}},
        {"field": "mentions", "value": {"media_id": "18000000000000009", "comment_id": "17000000000000009"}}
    ]}]});
    let batch = meta::parse_webhook(
        body.to_string().as_bytes(),
        Timestamp::from_second(1_755_779_300).unwrap(),
    );
    assert_eq!(batch.messages.len(), 2);
    let reply = &batch.messages[0];
    assert_eq!(reply.platform, Platform::Instagram);
    assert_eq!(reply.kind, MessageKind::Reply);
    assert_eq!(reply.author.handle, "warga.bdg");
    assert_eq!(
        reply.parent_external_id.as_ref().unwrap().as_ref(),
        "17900000000000001"
    );
    assert_eq!(
        reply.thread_external_id.as_ref().unwrap().as_ref(),
        "18172143295349192"
    );
    assert_eq!(reply.published_at.as_second(), 1_755_779_280);
    assert_eq!(batch.messages[1].kind, MessageKind::Comment);
    assert_eq!(
        batch.messages[1]
            .parent_external_id
            .as_ref()
            .unwrap()
            .as_ref(),
        "18172143295349192"
    );
    assert_eq!(batch.ignored.len(), 1);
    assert_eq!(batch.ignored[0].field, "mentions");
}

#[test]
fn unusable_bodies_are_reported_not_panicked_on() {
    for body in [
        &b"not json"[..],
        b"{}",
        b"{\"object\":\"user\"}",
        b"[]",
        b"{\"object\":\"page\",\"entry\":7}",
    ] {
        let batch = meta::parse_webhook(body, received());
        assert!(batch.messages.is_empty());
    }
    assert_eq!(
        meta::parse_webhook(b"not json", received()).rejected.len(),
        1
    );
    assert_eq!(
        meta::parse_webhook(b"{\"object\":\"page\",\"entry\":7}", received())
            .rejected
            .len(),
        0
    );
}

/// A receiver built only from the module's functions, the way the web layer will use them.
#[derive(Clone, Default)]
struct Receiver {
    messages: Arc<Mutex<Vec<String>>>,
    refused: Arc<Mutex<u32>>,
}

async fn receive(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let sig = headers
        .get("x-hub-signature-256")
        .and_then(|h| h.to_str().ok());
    if meta::verify_signature(b"test_app_secret", &body, sig).is_err() {
        *r.refused.lock().unwrap() += 1;
        return StatusCode::FORBIDDEN;
    }
    let batch = meta::parse_webhook(&body, received());
    r.messages
        .lock()
        .unwrap()
        .extend(batch.messages.iter().map(|m| m.external_id.to_string()));
    StatusCode::OK
}

async fn verify(Query(q): Query<HashMap<String, String>>) -> Result<String, StatusCode> {
    meta::handshake(
        q.get("hub.mode").map(String::as_str),
        q.get("hub.verify_token").map(String::as_str),
        q.get("hub.challenge").map(String::as_str),
        "rahasia",
    )
    .map_err(|_| StatusCode::FORBIDDEN)
}

#[tokio::test]
async fn a_signing_sender_delivers_batches_and_duplicates_through_http() {
    let receiver = Receiver::default();
    let app = Router::new()
        .route("/webhooks/meta", get(verify).post(receive))
        .with_state(receiver.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let url = format!("http://{addr}/webhooks/meta");
    let client = reqwest::Client::new();

    let challenge = client
        .get(format!(
            "{url}?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=rahasia"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(challenge.status(), 200);
    assert_eq!(challenge.text().await.unwrap(), "1158201444");
    let wrong = client
        .get(format!(
            "{url}?hub.mode=subscribe&hub.challenge=1&hub.verify_token=salah"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);

    // Meta's escaped-unicode JSON: the bytes signed are the bytes sent.
    let batched = r#"{"object":"page","entry":[{"id":"1","time":1735689600,"changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"1_a","post_id":"1_p","message":"Caf\u00e9 tutup","from":{"id":"9"},"created_time":1735689590}}]},{"id":"1","time":1735689601,"changes":[{"field":"feed","value":{"item":"comment","verb":"add","comment_id":"1_b","post_id":"1_p","message":"Jalan","from":{"id":"8"},"created_time":1735689591}}]}]}"#;
    let sign = |body: &str| {
        use hmac::Mac;
        let mut mac =
            <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(b"test_app_secret").unwrap();
        mac.update(body.as_bytes());
        format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
    };
    for _ in 0..2 {
        let r = client
            .post(&url)
            .header("content-type", "application/json")
            .header("x-hub-signature-256", sign(batched))
            .body(batched)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let r = client
        .post(&url)
        .header("x-hub-signature-256", sign(VECTOR_BODY))
        .body(VECTOR_BODY.replace("Kapan", "KAPAN"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    let got = receiver.messages.lock().unwrap().clone();
    assert_eq!(
        got,
        ["1_a", "1_b", "1_a", "1_b"],
        "duplicates arrive; the store dedupes by id"
    );
    assert_eq!(*receiver.refused.lock().unwrap(), 1);
}
