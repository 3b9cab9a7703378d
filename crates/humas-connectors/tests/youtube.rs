//! The YouTube connector against a fake Data API v3 on 127.0.0.1 (platform notes sections 4
//! and 11): paging, replies beyond those inline, disabled comments, quota, token refresh,
//! errors, replies and moderation.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

#[path = "fakes/youtube.rs"]
mod fake;

use std::sync::Arc;
use std::time::Duration;

use fake::{Fake, Video, comment, thread, yt_error};
use humas_connectors::http::Http;
use humas_connectors::youtube::{
    ApiMethod, HideAs, OAuthRefresh, QuotaMeter, YouTubeClient, YouTubeConfig,
};
use humas_connectors::{ConnectorError, Page, Poller, Responder};
use humas_domain::inbox::{ExternalId, MessageKind};
use humas_domain::org::Platform;
use humas_feeds::FetchOptions;
use jiff::Timestamp;
use secrecy::SecretString;
use serde_json::json;

const CHANNEL: &str = "UCabc";
const TOKEN: &str = "ya29.valid";

fn ago(seconds: i64) -> String {
    Timestamp::from_second(Timestamp::now().as_second() - seconds)
        .unwrap()
        .to_string()
}

fn http() -> Http {
    Http::new(FetchOptions {
        allowed_addresses: vec!["127.0.0.1".parse().unwrap()],
        ..FetchOptions::default()
    })
    .unwrap()
}

fn config(fake: &Fake, max_results: u32) -> YouTubeConfig {
    let mut c = YouTubeConfig::new(fake.base(), CHANNEL, SecretString::from(TOKEN));
    c.max_results = max_results;
    c
}

fn client(fake: &Fake, max_results: u32) -> YouTubeClient {
    YouTubeClient::new(http(), config(fake, max_results))
}

async fn sweep(client: &YouTubeClient, mut cursor: Option<String>) -> (Vec<Page>, Option<String>) {
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

/// Two videos; thread A has 3 replies of which 1 is inline.
async fn fixture() -> Fake {
    let fake = Fake::start(CHANNEL, TOKEN).await;
    let a = comment(
        "UgzA",
        "vid1",
        "warga",
        "Kapan pendaftaran dibuka?",
        &ago(5_000),
        None,
    );
    let a1 = comment(
        "UgzA.r1",
        "vid1",
        "ani",
        "Saya juga tanya",
        &ago(4_000),
        Some("UgzA"),
    );
    let a2 = comment(
        "UgzA.r2",
        "vid1",
        "budi",
        "Katanya Februari",
        &ago(3_000),
        Some("UgzA"),
    );
    let a3 = comment(
        "UgzA.r3",
        "vid1",
        "HumasKota",
        "Pendaftaran dibuka 1 Februari",
        &ago(2_000),
        Some("UgzA"),
    );
    let b = comment(
        "UgzB",
        "vid1",
        "citra",
        "Link pendaftaran?",
        &ago(1_000),
        None,
    );
    let c = comment(
        "UgzC",
        "vid2",
        "dedi",
        "Jalan di Gresik rusak",
        &ago(500),
        None,
    );
    let mut no_author = comment("UgzD", "vid2", "x", "tanpa nama", &ago(400), None);
    no_author["snippet"]
        .as_object_mut()
        .unwrap()
        .remove("authorChannelId");
    no_author["snippet"]
        .as_object_mut()
        .unwrap()
        .remove("authorDisplayName");
    let bad_date = comment("UgzE", "vid2", "eka", "tanggal aneh", "kemarin", None);
    fake.with(|s| {
        s.videos = vec![
            Video {
                id: "vid1".into(),
                comments_disabled: false,
                threads: vec![thread(b, 0, vec![]), thread(a, 3, vec![a1.clone()])],
            },
            Video {
                id: "vid2".into(),
                comments_disabled: false,
                threads: vec![
                    thread(bad_date, 0, vec![]),
                    thread(no_author, 0, vec![]),
                    thread(c, 0, vec![]),
                ],
            },
        ];
        s.replies.insert("UgzA".into(), vec![a1, a2, a3]);
    });
    fake
}

#[tokio::test]
async fn a_channel_sweep_reads_threads_pages_and_all_replies() {
    let fake = fixture().await;
    let client = client(&fake, 2);
    let (pages, cursor) = sweep(&client, None).await;
    assert!(cursor.is_some());
    let mut got = ids(&pages);
    got.sort();
    assert_eq!(
        got,
        [
            "UgzA", "UgzA.r1", "UgzA.r1", "UgzA.r2", "UgzA.r3", "UgzB", "UgzC"
        ],
        "the inline reply comes again from comments.list; the store dedupes"
    );

    let all: Vec<_> = pages.iter().flat_map(|p| &p.messages).collect();
    let top = all
        .iter()
        .find(|m| m.external_id.as_ref() == "UgzA")
        .unwrap();
    assert_eq!(top.platform, Platform::Youtube);
    assert_eq!(top.kind, MessageKind::Comment);
    assert_eq!(top.author.handle, "UCwarga");
    assert_eq!(top.author.display_name.as_deref(), Some("@warga"));
    assert_eq!(top.text, "Kapan pendaftaran dibuka?");
    assert_eq!(top.parent_external_id.as_ref().unwrap().as_ref(), "vid1");
    assert_eq!(top.thread_external_id.as_ref().unwrap().as_ref(), "vid1");
    assert_eq!(
        top.permalink.as_deref(),
        Some("https://www.youtube.com/watch?v=vid1&lc=UgzA")
    );
    let reply = all
        .iter()
        .find(|m| m.external_id.as_ref() == "UgzA.r3")
        .unwrap();
    assert_eq!(reply.kind, MessageKind::Reply);
    assert_eq!(reply.parent_external_id.as_ref().unwrap().as_ref(), "UgzA");
    assert_eq!(reply.thread_external_id.as_ref().unwrap().as_ref(), "vid1");

    let mut rejected: Vec<_> = pages.iter().flat_map(|p| &p.rejected).collect();
    rejected.sort_by_key(|r| r.external_id.clone());
    assert_eq!(rejected.len(), 2);
    assert_eq!(rejected[0].external_id.as_deref(), Some("UgzD"));
    assert!(
        rejected[0].reason.starts_with("author"),
        "{}",
        rejected[0].reason
    );
    assert_eq!(rejected[1].external_id.as_deref(), Some("UgzE"));
    assert!(
        rejected[1].reason.contains("RFC 3339"),
        "{}",
        rejected[1].reason
    );

    // 6 threads in pages of 2 → 3 thread pages; thread A's 3 replies in pages of 2 → 2 pages.
    assert_eq!(fake.count("GET", "/youtube/v3/commentThreads"), 3);
    assert_eq!(fake.count("GET", "/youtube/v3/comments"), 2);
    assert_eq!(client_quota_used(&fake), 5);
    fake.with(|s| {
        let first = s
            .seen
            .iter()
            .find(|r| r.path == "/youtube/v3/commentThreads")
            .unwrap();
        assert_eq!(first.query["allThreadsRelatedToChannelId"], CHANNEL);
        assert_eq!(first.query["part"], "snippet,replies");
        assert_eq!(first.query["order"], "time");
        assert_eq!(first.query["textFormat"], "plainText");
        assert_eq!(first.query["maxResults"], "2");
        assert!(!first.query.contains_key("pageToken"));
        let second = s
            .seen
            .iter()
            .filter(|r| r.path == "/youtube/v3/commentThreads")
            .nth(1)
            .unwrap();
        assert_eq!(second.query["pageToken"], "QURTSl9p2");
        let replies = s
            .seen
            .iter()
            .find(|r| r.path == "/youtube/v3/comments")
            .unwrap();
        assert_eq!(replies.query["parentId"], "UgzA");
    });
}

fn client_quota_used(fake: &Fake) -> u32 {
    fake.with(|s| s.quota_used)
}

#[tokio::test]
async fn the_meter_counts_what_the_fake_charges() {
    let fake = fixture().await;
    let meter = Arc::new(QuotaMeter::new(10_000));
    let mut c = config(&fake, 2);
    c.quota = meter.clone();
    let client = YouTubeClient::new(http(), c);
    sweep(&client, None).await;
    client
        .reply(&ExternalId::parse("UgzB").unwrap(), None, "Terima kasih")
        .await
        .unwrap();
    assert_eq!(meter.used(Timestamp::now()), fake.with(|s| s.quota_used));
    assert_eq!(
        meter.used(Timestamp::now()),
        5 + ApiMethod::CommentsInsert.cost()
    );
}

#[tokio::test]
async fn polling_again_with_a_saved_cursor_repeats_never_skips() {
    let fake = fixture().await;
    let client = client(&fake, 2);
    let first = client.poll(None).await.unwrap();
    let second = client.poll(first.cursor.as_deref()).await.unwrap();
    let again = client.poll(first.cursor.as_deref()).await.unwrap();
    assert_eq!(second.messages, again.messages);
    assert_eq!(second.cursor, again.cursor);
    assert!(!second.messages.is_empty());
}

#[tokio::test]
async fn a_second_sweep_stops_at_threads_already_seen() {
    let fake = fixture().await;
    // Pages of 3: the first holds the bad-date thread, the new one and one older than the
    // previous sweep.
    let client = client(&fake, 3);
    let (_, cursor) = sweep(&client, None).await;
    fake.with(|s| {
        s.videos[1].threads.insert(
            0,
            thread(
                comment("UgzNew", "vid2", "fajar", "Baru", &ago(0), None),
                0,
                vec![],
            ),
        );
        s.seen.clear();
    });
    let (pages, _) = sweep(&client, cursor).await;
    assert!(ids(&pages).contains(&"UgzNew".to_owned()));
    assert_eq!(
        fake.count("GET", "/youtube/v3/commentThreads"),
        1,
        "the first page already reaches old threads"
    );
}

#[tokio::test]
async fn per_video_reading_skips_videos_with_comments_disabled() {
    let fake = fixture().await;
    fake.with(|s| {
        s.videos.insert(
            1,
            Video {
                id: "vidOff".into(),
                comments_disabled: true,
                threads: vec![],
            },
        );
    });
    let mut c = config(&fake, 100);
    c.video_ids = vec!["vid1".into(), "vidOff".into(), "gone".into(), "vid2".into()];
    let client = YouTubeClient::new(http(), c);
    let (pages, _) = sweep(&client, None).await;
    let mut got = ids(&pages);
    got.sort();
    got.dedup();
    assert_eq!(
        got,
        ["UgzA", "UgzA.r1", "UgzA.r2", "UgzA.r3", "UgzB", "UgzC"]
    );
    fake.with(|s| {
        let videos: Vec<&str> = s
            .seen
            .iter()
            .filter_map(|r| r.query.get("videoId").map(String::as_str))
            .collect();
        assert_eq!(videos, ["vid1", "vidOff", "gone", "vid2"]);
        assert!(
            s.seen
                .iter()
                .all(|r| !r.query.contains_key("allThreadsRelatedToChannelId"))
        );
    });
}

#[tokio::test]
async fn an_empty_channel_ends_the_sweep_at_once() {
    let fake = Fake::start(CHANNEL, TOKEN).await;
    let client = client(&fake, 100);
    let page = client.poll(None).await.unwrap();
    assert!(page.messages.is_empty() && page.rejected.is_empty() && !page.more);
    assert_eq!(fake.count("GET", "/youtube/v3/commentThreads"), 1);
}

#[tokio::test]
async fn a_server_error_once_then_the_same_cursor_succeeds() {
    let fake = fixture().await;
    let client = client(&fake, 100);
    fake.inject(
        503,
        yt_error(503, "backendError", "Backend Error"),
        vec![("retry-after", "30".into())],
    );
    match client.poll(None).await.unwrap_err() {
        ConnectorError::Unavailable {
            retry_after,
            detail,
        } => {
            assert_eq!(retry_after, Some(Duration::from_secs(30)));
            assert!(detail.contains("backendError"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
    let page = client.poll(None).await.unwrap();
    // Five threads (two of them rejected) and the inline reply.
    assert_eq!(page.messages.len(), 4);
    assert_eq!(page.rejected.len(), 2);
}

#[tokio::test]
async fn quota_exceeded_is_a_rate_limit_until_midnight_pacific_and_stops_further_calls() {
    let fake = fixture().await;
    fake.with(|s| s.quota_limit = 2);
    let client = client(&fake, 2);
    let first = client.poll(None).await.unwrap();
    let second = client.poll(first.cursor.as_deref()).await.unwrap();
    let err = client.poll(second.cursor.as_deref()).await.unwrap_err();
    let wait = match err {
        ConnectorError::RateLimited {
            retry_after: Some(w),
            detail,
        } => {
            assert!(detail.contains("quotaExceeded"), "{detail}");
            w
        }
        other => panic!("{other:?}"),
    };
    assert!(wait > Duration::ZERO && wait <= Duration::from_secs(25 * 3600));
    let calls = fake.with(|s| s.seen.len());
    // The meter now knows the day is spent: refused locally, the fake sees nothing.
    let err = client.poll(second.cursor.as_deref()).await.unwrap_err();
    assert!(matches!(err, ConnectorError::RateLimited { .. }), "{err:?}");
    assert_eq!(fake.with(|s| s.seen.len()), calls);
}

#[tokio::test]
async fn a_write_that_would_exceed_the_budget_is_refused_before_sending() {
    let fake = fixture().await;
    let mut c = config(&fake, 100);
    c.quota = Arc::new(QuotaMeter::new(60));
    let client = YouTubeClient::new(http(), c);
    client.poll(None).await.unwrap();
    client
        .delete(&ExternalId::parse("UgzB.mine").unwrap())
        .await
        .unwrap();
    let err = client
        .reply(&ExternalId::parse("UgzB").unwrap(), None, "Halo")
        .await
        .unwrap_err();
    match err {
        ConnectorError::RateLimited {
            retry_after,
            detail,
        } => {
            assert!(retry_after.is_some());
            assert!(detail.contains("51 of 60"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fake.count("POST", "/youtube/v3/comments"), 0);
}

#[tokio::test]
async fn rate_limit_reasons_carry_retry_after() {
    let fake = fixture().await;
    let client = client(&fake, 100);
    fake.inject(
        429,
        yt_error(429, "rateLimitExceeded", "Too many requests"),
        vec![("retry-after", "12".into())],
    );
    fake.inject(
        403,
        yt_error(403, "userRateLimitExceeded", "User rate limit"),
        vec![],
    );
    for expected in [Some(Duration::from_secs(12)), None] {
        match client.poll(None).await.unwrap_err() {
            ConnectorError::RateLimited { retry_after, .. } => assert_eq!(retry_after, expected),
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_the_call_repeated() {
    let fake = fixture().await;
    let mut c = config(&fake, 100);
    c.access_token = SecretString::from("ya29.expired");
    c.refresh = Some(OAuthRefresh {
        token_url: format!("{}/token", fake.base()),
        client_id: "client-1".into(),
        client_secret: SecretString::from("client-secret"),
        refresh_token: SecretString::from("1//refresh"),
    });
    let client = YouTubeClient::new(http(), c);
    let page = client.poll(None).await.unwrap();
    assert_eq!(page.messages.len(), 4);
    client
        .reply(&ExternalId::parse("UgzB").unwrap(), None, "Halo")
        .await
        .unwrap();
    assert_eq!(fake.count("POST", "/token"), 1, "the new token is kept");
    assert_eq!(
        fake.count("GET", "/youtube/v3/commentThreads"),
        2,
        "401 then the repeat"
    );
    assert_eq!(fake.with(|s| s.inserted.len()), 1);
    fake.with(|s| {
        let refresh = s.seen.iter().find(|r| r.path == "/token").unwrap();
        assert!(refresh.body.contains("grant_type=refresh_token"));
    });

    // The refresh token itself revoked: the account must be reconnected.
    fake.with(|s| {
        s.access_token = "ya29.rotated".into();
        s.refresh_token = "1//other".into();
    });
    let err = client.poll(None).await.unwrap_err();
    assert!(
        matches!(&err, ConnectorError::TokenExpired(d) if d.contains("invalid_grant")),
        "{err:?}"
    );
}

#[tokio::test]
async fn without_a_refresh_token_an_expired_token_needs_reconnecting() {
    let fake = fixture().await;
    let mut c = config(&fake, 100);
    c.access_token = SecretString::from("ya29.expired");
    let err = YouTubeClient::new(http(), c).poll(None).await.unwrap_err();
    assert!(
        matches!(&err, ConnectorError::TokenExpired(d) if d.contains("authError")),
        "{err:?}"
    );
    assert_eq!(fake.count("GET", "/youtube/v3/commentThreads"), 1);
}

#[tokio::test]
async fn permission_and_malformed_answers_are_mapped() {
    let fake = fixture().await;
    let client = client(&fake, 100);
    fake.inject(
        403,
        yt_error(
            403,
            "forbidden",
            "The comment thread could not be retrieved",
        ),
        vec![],
    );
    assert!(matches!(
        client.poll(None).await.unwrap_err(),
        ConnectorError::Forbidden(_)
    ));
    fake.with(|s| s.injected.push_back((200, "<html>".into(), vec![])));
    assert!(matches!(
        client.poll(None).await.unwrap_err(),
        ConnectorError::Malformed(_)
    ));
    fake.inject(
        200,
        json!({"kind": "youtube#commentThreadListResponse"}),
        vec![],
    );
    assert!(matches!(
        client.poll(None).await.unwrap_err(),
        ConnectorError::Malformed(_)
    ));
    // Items of the wrong shape are rejected one by one.
    fake.inject(
        200,
        json!({"items": [7, {"id": "T1"}, {"id": "T2", "snippet": {"topLevelComment": "x"}}]}),
        vec![],
    );
    let page = client.poll(None).await.unwrap();
    assert!(page.messages.is_empty());
    assert_eq!(page.rejected.len(), 3);
    assert!(!page.more);
}

#[tokio::test]
async fn an_outage_is_a_transport_error_and_loopback_is_refused_by_default() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let c = YouTubeConfig::new(format!("http://{addr}"), CHANNEL, SecretString::from(TOKEN));
    let err = YouTubeClient::new(http(), c.clone())
        .poll(None)
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Transport(_)), "{err:?}");
    let err = YouTubeClient::new(Http::new(FetchOptions::default()).unwrap(), c)
        .poll(None)
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Target(_)), "{err:?}");
}

#[tokio::test]
async fn a_reply_reaches_the_fake_once_under_the_thread() {
    let fake = fixture().await;
    let client = client(&fake, 100);
    let id = client
        .reply(
            &ExternalId::parse("UgzA.r2").unwrap(),
            None,
            "Pendaftaran dibuka 1 Februari. Info: https://example.go.id",
        )
        .await
        .unwrap();
    assert_eq!(id.as_ref(), "UgzA.9ZyX0");
    fake.with(|s| {
        assert_eq!(
            s.inserted,
            [(
                "UgzA".to_owned(),
                "Pendaftaran dibuka 1 Februari. Info: https://example.go.id".to_owned()
            )]
        );
        let post = s.seen.iter().find(|r| r.method == "POST").unwrap();
        assert_eq!(post.query["part"], "snippet");
        let body: serde_json::Value = serde_json::from_str(&post.body).unwrap();
        assert_eq!(body["snippet"]["parentId"], "UgzA");
    });
    assert_eq!(fake.count("POST", "/youtube/v3/comments"), 1);

    let long = "a".repeat(10_001);
    let err = client
        .reply(&ExternalId::parse("UgzA").unwrap(), None, &long)
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Refused(_)), "{err:?}");
    assert_eq!(
        fake.count("POST", "/youtube/v3/comments"),
        1,
        "refused before sending"
    );
    let err = client
        .reply(&ExternalId::parse("Ugz404").unwrap(), None, "Halo")
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn hiding_holds_for_review_and_showing_publishes() {
    let fake = fixture().await;
    let client = client(&fake, 100);
    let id = ExternalId::parse("UgzC").unwrap();
    client.set_hidden(&id, true).await.unwrap();
    client.set_hidden(&id, false).await.unwrap();
    client
        .delete(&ExternalId::parse("UgzA.9ZyX0").unwrap())
        .await
        .unwrap();

    let mut c = config(&fake, 100);
    c.hide_as = HideAs::Rejected;
    let strict = YouTubeClient::new(http(), c);
    strict.set_hidden(&id, true).await.unwrap();
    let err = strict.set_hidden(&id, false).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Refused(_)),
        "a rejected comment stays hidden: {err:?}"
    );
    fake.with(|s| {
        assert_eq!(
            s.moderated,
            [
                (
                    "UgzC".to_owned(),
                    "heldForReview".to_owned(),
                    "false".to_owned()
                ),
                (
                    "UgzC".to_owned(),
                    "published".to_owned(),
                    "false".to_owned()
                ),
                ("UgzC".to_owned(), "rejected".to_owned(), "false".to_owned()),
            ]
        );
        assert_eq!(s.deleted, ["UgzA.9ZyX0"]);
    });
}

#[tokio::test]
async fn tokens_stay_out_of_debug_output() {
    let mut c = YouTubeConfig::new(
        "https://www.googleapis.com",
        CHANNEL,
        SecretString::from(TOKEN),
    );
    c.refresh = Some(OAuthRefresh {
        token_url: "https://oauth2.googleapis.com/token".into(),
        client_id: "client-1".into(),
        client_secret: SecretString::from("client-secret"),
        refresh_token: SecretString::from("1//refresh"),
    });
    let shown = format!("{:?}", YouTubeClient::new(http(), c));
    for secret in [TOKEN, "client-secret", "1//refresh"] {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

#[tokio::test]
async fn a_slow_platform_times_out() {
    let fake = fixture().await;
    fake.with(|s| s.latency = Duration::from_millis(800));
    let http = Http::new(FetchOptions {
        allowed_addresses: vec!["127.0.0.1".parse().unwrap()],
        timeout: Duration::from_millis(200),
        ..FetchOptions::default()
    })
    .unwrap();
    let err = YouTubeClient::new(http, config(&fake, 100))
        .poll(None)
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Timeout), "{err:?}");
    assert!(err.is_transient());
}

/// Remembers what a refresh stored.
#[derive(Debug, Default)]
struct Kept(std::sync::Mutex<Vec<(String, Option<jiff::Timestamp>)>>);

#[async_trait::async_trait]
impl humas_connectors::renewal::TokenKeeper for Kept {
    async fn save(
        &self,
        tokens: &humas_connectors::renewal::RenewedTokens,
        replaced: Option<&SecretString>,
    ) -> Result<(), String> {
        use secrecy::ExposeSecret as _;
        assert!(
            replaced.is_none(),
            "Google does not rotate the refresh token"
        );
        self.0.lock().unwrap().push((
            tokens.access_token.expose_secret().to_owned(),
            tokens.expires_at,
        ));
        Ok(())
    }

    async fn stored(&self) -> Option<humas_connectors::renewal::RenewedTokens> {
        None
    }
}

#[tokio::test]
async fn a_refreshed_access_token_and_its_expiry_are_kept() {
    let fake = fixture().await;
    let mut c = config(&fake, 100);
    c.access_token = SecretString::from("ya29.expired");
    c.refresh = Some(OAuthRefresh {
        token_url: format!("{}/token", fake.base()),
        client_id: "client-1".into(),
        client_secret: SecretString::from("client-secret"),
        refresh_token: SecretString::from("1//refresh"),
    });
    let kept = std::sync::Arc::new(Kept::default());
    let client = YouTubeClient::new(http(), c).with_keeper(kept.clone());
    let before = jiff::Timestamp::now();
    client.poll(None).await.unwrap();
    let saved = kept.0.lock().unwrap().clone();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].0, "ya29.fresh-1");
    let expires = saved[0].1.unwrap();
    assert!(
        expires >= before + jiff::SignedDuration::from_secs(3599)
            && expires <= jiff::Timestamp::now() + jiff::SignedDuration::from_secs(3599),
        "{expires}"
    );
}
