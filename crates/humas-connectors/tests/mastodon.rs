//! The Mastodon connector against a local fake instance.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

#[path = "fakes/mastodon.rs"]
mod fake;

use std::net::IpAddr;
use std::time::Duration;

use fake::{Failure, FakeMastodon};
use humas_connectors::http::Http;
use humas_connectors::mastodon::{MastodonClient, MastodonConfig};
use humas_connectors::{Backfill, ConnectorError, Page, Poller, Responder};
use humas_domain::inbox::{ExternalId, MessageKind};
use humas_feeds::fetch::FetchOptions;
use secrecy::SecretString;

const TOKEN: &str = "masto-token";
const HTML: &str = "<p><span class=\"h-card\"><a href=\"https://social.example/@humas\" class=\"u-url mention\">@<span>humas</span></a></span> lampu jalan mati<br>Jl. Merdeka &amp; sekitarnya</p><p>Mohon dicek</p>";

fn loopback_http() -> Http {
    Http::new(FetchOptions {
        allowed_addresses: vec!["127.0.0.1".parse::<IpAddr>().unwrap()],
        ..Default::default()
    })
    .unwrap()
}

/// A client whose first poll reads only the newest page (the fake's mentions are from 2019).
fn client(fake: &FakeMastodon, page_size: u8) -> MastodonClient {
    let mut config = MastodonConfig::new(&fake.base(), "14715", SecretString::from(TOKEN));
    config.page_size = page_size;
    config.backfill = None;
    MastodonClient::new(loopback_http(), config)
}

/// A client with the default backfill (7 days or 1,000 notifications) unless `bound` is given.
fn backfilling(fake: &FakeMastodon, page_size: u8, bound: Option<Backfill>) -> MastodonClient {
    let mut config = MastodonConfig::new(&fake.base(), "14715", SecretString::from(TOKEN));
    config.page_size = page_size;
    config.backfill = Some(bound.unwrap_or_default());
    MastodonClient::new(loopback_http(), config)
}

/// RFC 3339 time `hours` ago.
fn hours_ago(hours: i64) -> String {
    (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(hours)).to_string()
}

/// Eight mentions of the last week (notification ids 20–27, 27 the newest) and two older than
/// a week (ids 10 and 11).
fn history(fake: &FakeMastodon) {
    fake.add_mention_at("10", "9010", &hours_ago(24 * 30));
    fake.add_mention_at("11", "9011", &hours_ago(24 * 8));
    for n in 20..=27_i64 {
        fake.add_mention_at(&n.to_string(), &format!("90{n}"), &hours_ago(28 - n));
    }
}

fn ids(page: &Page) -> Vec<String> {
    page.messages
        .iter()
        .map(|m| m.external_id.to_string())
        .collect()
}

fn id(s: &str) -> ExternalId {
    ExternalId::parse(s).unwrap()
}

#[tokio::test]
async fn mentions_become_plain_text_messages() {
    let fake = FakeMastodon::start(TOKEN).await;
    fake.add_mention(
        "34975861",
        "103186126728896492",
        "warga@other.example",
        HTML,
        Some("103186038209478945"),
        "public",
    );
    fake.add_mention(
        "34975862",
        "103186126728896500",
        "ani",
        "<p>@humas halo</p>",
        None,
        "public",
    );
    fake.add_mention(
        "34975863",
        "103186126728896510",
        "budi",
        "<p>@humas data saya NIK…</p>",
        None,
        "direct",
    );
    fake.add_other("34975864", "favourite");
    let page = client(&fake, 40).poll(None).await.unwrap();
    assert_eq!(
        ids(&page),
        [
            "103186126728896492",
            "103186126728896500",
            "103186126728896510"
        ]
    );
    assert!(page.rejected.is_empty());
    let reply = &page.messages[0];
    assert_eq!(
        reply.text,
        "@humas lampu jalan mati\nJl. Merdeka & sekitarnya\n\nMohon dicek"
    );
    assert_eq!(reply.kind, MessageKind::Reply);
    assert_eq!(reply.parent_external_id, Some(id("103186038209478945")));
    assert_eq!(reply.author.handle, "@warga@other.example");
    assert_eq!(reply.author.display_name.as_deref(), Some("Warga"));
    assert_eq!(
        reply.permalink.as_deref(),
        Some("https://other.example/@warga/103186126728896492")
    );
    assert_eq!(reply.published_at.to_string(), "2019-11-23T07:49:02.064Z");
    assert_eq!(page.messages[1].kind, MessageKind::Mention);
    assert_eq!(page.messages[2].kind, MessageKind::Direct);

    let seen = fake.seen();
    assert_eq!(seen[0].path, "/api/v1/notifications");
    assert_eq!(seen[0].param("types[]"), Some("mention"));
    assert_eq!(seen[0].param("limit"), Some("40"));
    assert_eq!(seen[0].param("min_id"), None);
    assert_eq!(seen[0].authorization.as_deref(), Some("Bearer masto-token"));
    assert_eq!(
        page.cursor.as_deref(),
        Some(r#"{"min_id":"34975863"}"#),
        "from the Link rel=prev"
    );
}

#[tokio::test]
async fn polling_forward_with_min_id_reads_every_page_once() {
    let fake = FakeMastodon::start(TOKEN).await;
    for n in 10..=14 {
        fake.add_mention(
            &format!("{n}"),
            &format!("90{n}"),
            "warga",
            &format!("<p>lapor {n}</p>"),
            None,
            "public",
        );
    }
    let m = client(&fake, 2);
    let first = m.poll(None).await.unwrap();
    assert_eq!(ids(&first), ["9013", "9014"], "first run: newest page");
    for n in 15..=19 {
        fake.add_mention(
            &format!("{n}"),
            &format!("90{n}"),
            "warga",
            &format!("<p>lapor {n}</p>"),
            None,
            "public",
        );
    }
    let second = m.poll(first.cursor.as_deref()).await.unwrap();
    assert_eq!(ids(&second), ["9015", "9016"]);
    assert!(second.more);
    // Crash before saving: the same cursor gives the same page.
    let again = m.poll(first.cursor.as_deref()).await.unwrap();
    assert_eq!(ids(&again), ids(&second));
    let third = m.poll(second.cursor.as_deref()).await.unwrap();
    assert_eq!(ids(&third), ["9017", "9018"]);
    let fourth = m.poll(third.cursor.as_deref()).await.unwrap();
    assert_eq!(ids(&fourth), ["9019"]);
    assert!(!fourth.more);
    let empty = m.poll(fourth.cursor.as_deref()).await.unwrap();
    assert!(empty.messages.is_empty() && !empty.more);
    assert_eq!(empty.cursor, None, "an empty page keeps the saved cursor");
    let seen = fake.seen();
    let min_ids: Vec<Option<&str>> = seen.iter().map(|s| s.param("min_id")).collect();
    assert_eq!(
        min_ids,
        [
            None,
            Some("14"),
            Some("14"),
            Some("16"),
            Some("18"),
            Some("19")
        ]
    );
}

#[tokio::test]
async fn bad_notifications_are_rejected_and_the_rest_kept() {
    let fake = FakeMastodon::start(TOKEN).await;
    fake.add_mention("1", "s1", "warga", "<p>baik</p>", None, "public");
    fake.add_mention("2", "s2", "warga", "<p><br></p>", None, "public");
    fake.with(|s| {
        s.notifications.push(serde_json::json!({"id": "3", "type": "mention", "account": {"acct": "x"}}));
        s.notifications.push(serde_json::json!({"id": "4", "type": "mention", "status": {"id": "s4", "content": "<p>hi</p>", "created_at": "kemarin", "account": {"acct": "x"}}}));
        s.notifications.push(serde_json::json!({"id": "5", "type": "mention", "status": {"id": "s5", "content": "<p>hi</p>", "created_at": "2019-11-23T07:49:02.064Z"}}));
        s.notifications.push(serde_json::json!({"id": "6", "type": "mention", "status": "gone"}));
    });
    let page = client(&fake, 40).poll(None).await.unwrap();
    assert_eq!(ids(&page), ["s1"]);
    let rejected: Vec<(Option<&str>, &str)> = page
        .rejected
        .iter()
        .map(|r| (r.external_id.as_deref(), r.reason.as_str()))
        .collect();
    assert_eq!(rejected.len(), 5, "{rejected:?}");
    let reason = |id: &str| rejected.iter().find(|r| r.0 == Some(id)).unwrap().1;
    assert!(
        reason("s2").contains("empty") || reason("s2").contains("text"),
        "{}",
        reason("s2")
    );
    assert!(reason("3").contains("without a status"));
    assert!(reason("s4").contains("created_at"));
    assert!(reason("s5").contains("account"));
    assert!(reason("6").contains("documented shape"));
    assert_eq!(page.cursor.as_deref(), Some(r#"{"min_id":"6"}"#));
}

#[tokio::test]
async fn a_5xx_once_then_success() {
    let fake = FakeMastodon::start(TOKEN).await;
    fake.add_mention("1", "s1", "warga", "<p>halo</p>", None, "public");
    fake.with(|s| s.failures.push_back(Failure::Status(502)));
    let m = client(&fake, 40);
    let err = m.poll(None).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Unavailable { ref detail, .. } if detail.contains("502")),
        "{err:?}"
    );
    assert_eq!(ids(&m.poll(None).await.unwrap()), ["s1"]);
}

#[tokio::test]
async fn a_429_waits_until_the_iso_reset() {
    let fake = FakeMastodon::start(TOKEN).await;
    fake.with(|s| {
        s.failures
            .push_back(Failure::RateLimited { reset_in_secs: 240 })
    });
    match client(&fake, 40).poll(None).await.unwrap_err() {
        ConnectorError::RateLimited {
            retry_after: Some(wait),
            detail,
        } => {
            assert!(
                wait >= Duration::from_secs(235) && wait <= Duration::from_secs(240),
                "{wait:?}"
            );
            assert!(detail.contains("Too many requests"), "{detail}");
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
}

#[tokio::test]
async fn expired_tokens_and_malformed_bodies() {
    let fake = FakeMastodon::start(TOKEN).await;
    fake.with(|s| {
        s.failures.push_back(Failure::Body("{\"id\": \"1\"}"));
        s.failures.push_back(Failure::Body("[{\"id\":"));
    });
    let m = client(&fake, 40);
    assert!(matches!(
        m.poll(None).await.unwrap_err(),
        ConnectorError::Malformed(_)
    ));
    assert!(matches!(
        m.poll(None).await.unwrap_err(),
        ConnectorError::Malformed(_)
    ));
    fake.with(|s| s.token = "revoked".into());
    let err = m.poll(None).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::TokenExpired(ref d) if d.contains("access token is invalid")),
        "{err:?}"
    );
    assert!(
        m.poll(Some("{\"min_id\": 5}")).await.is_err(),
        "a cursor we did not write"
    );
    assert_eq!(fake.seen().len(), 3);
}

#[tokio::test]
async fn the_default_client_refuses_loopback_and_an_outage_is_transport() {
    let fake = FakeMastodon::start(TOKEN).await;
    let config = MastodonConfig::new(&fake.base(), "14715", SecretString::from(TOKEN));
    let err = MastodonClient::new(Http::new(FetchOptions::default()).unwrap(), config)
        .poll(None)
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Target(_)), "{err:?}");
    assert!(fake.seen().is_empty());

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let config = MastodonConfig::new(
        &format!("http://{addr}"),
        "14715",
        SecretString::from(TOKEN),
    );
    let err = MastodonClient::new(loopback_http(), config)
        .poll(None)
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Transport(_)), "{err:?}");
}

#[tokio::test]
async fn a_retried_reply_posts_once() {
    let fake = FakeMastodon::start(TOKEN).await;
    fake.add_mention(
        "1",
        "103186126728896492",
        "warga@other.example",
        HTML,
        None,
        "public",
    );
    let m = client(&fake, 40);
    let text = "Terima kasih laporannya, sudah kami teruskan ke dinas terkait.";
    let first = m
        .reply(&id("103186126728896492"), None, text)
        .await
        .unwrap();
    // The answer was lost and the scheduler sends again: the same key, the same status.
    let second = m
        .reply(&id("103186126728896492"), None, text)
        .await
        .unwrap();
    assert_eq!(first, second);
    assert_eq!(fake.with(|s| s.created.clone()), [first.to_string()]);
    let posts: Vec<_> = fake
        .seen()
        .into_iter()
        .filter(|s| s.method == "POST")
        .collect();
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0].path, "/api/v1/statuses");
    let key = posts[0].idempotency_key.clone().unwrap();
    assert_eq!(posts[1].idempotency_key.as_deref(), Some(key.as_str()));
    let body = posts[0].body.as_ref().unwrap();
    assert_eq!(body["in_reply_to_id"], "103186126728896492");
    assert_eq!(body["status"], format!("@warga@other.example {text}"));
    assert_eq!(body["visibility"], "public");

    // A different text is a different reply.
    let third = m
        .reply(
            &id("103186126728896492"),
            None,
            "Sudah diperbaiki hari ini.",
        )
        .await
        .unwrap();
    assert_ne!(third, first);
    assert_eq!(fake.with(|s| s.created.len()), 2);
}

#[tokio::test]
async fn a_reply_to_a_direct_message_stays_direct_and_explicit_keys_work() {
    let fake = FakeMastodon::start(TOKEN).await;
    fake.add_mention("1", "555", "budi", "<p>@humas rahasia</p>", None, "direct");
    let m = client(&fake, 40);
    let a = m
        .reply_with_key(&id("555"), "@budi baik, kami cek", "outbox-42")
        .await
        .unwrap();
    let b = m
        .reply_with_key(&id("555"), "@budi baik, kami cek", "outbox-42")
        .await
        .unwrap();
    assert_eq!(a, b);
    let post = fake
        .seen()
        .into_iter()
        .find(|s| s.method == "POST")
        .unwrap();
    assert_eq!(post.idempotency_key.as_deref(), Some("outbox-42"));
    let body = post.body.unwrap();
    assert_eq!(body["visibility"], "direct");
    assert_eq!(
        body["status"], "@budi baik, kami cek",
        "already addressed: no second @budi"
    );
}

#[tokio::test]
async fn refusals_delete_and_hide() {
    let fake = FakeMastodon::start(TOKEN).await;
    fake.add_mention("1", "777", "warga", "<p>halo</p>", None, "public");
    let m = client(&fake, 40);
    let err = m
        .reply(&id("777"), None, &"a".repeat(600))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Refused(ref d) if d.contains("500")),
        "{err:?}"
    );
    let err = m.reply(&id("404404"), None, "halo").await.unwrap_err();
    assert!(matches!(err, ConnectorError::NotFound(_)), "{err:?}");

    let mine = m.reply(&id("777"), None, "Sudah kami catat").await.unwrap();
    m.delete(&mine).await.unwrap();
    assert_eq!(fake.with(|s| s.deleted.clone()), [mine.to_string()]);
    let err = m.delete(&id("777")).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Forbidden(_)),
        "not ours: {err:?}"
    );
    let before = fake.seen().len();
    let err = m.set_hidden(&id("777"), true).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Unsupported(_)), "{err:?}");
    assert_eq!(fake.seen().len(), before, "hide sends nothing");
    let delete = fake
        .seen()
        .into_iter()
        .find(|s| s.method == "DELETE")
        .unwrap();
    assert_eq!(delete.path, format!("/api/v1/statuses/{mine}"));
}

#[test]
fn config_debug_never_shows_the_token() {
    let config = MastodonConfig::new(
        "https://social.example",
        "1",
        SecretString::from("very-secret-token"),
    );
    assert!(!format!("{config:?}").contains("very-secret-token"));
}

#[tokio::test]
async fn a_slow_instance_is_a_timeout() {
    let fake = FakeMastodon::start(TOKEN).await;
    fake.with(|s| s.latency = Duration::from_millis(1500));
    let http = Http::new(FetchOptions {
        allowed_addresses: vec!["127.0.0.1".parse::<IpAddr>().unwrap()],
        timeout: Duration::from_millis(300),
        ..Default::default()
    })
    .unwrap();
    let config = MastodonConfig::new(&fake.base(), "14715", SecretString::from(TOKEN));
    let err = MastodonClient::new(http, config)
        .poll(None)
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Timeout), "{err:?}");
}

#[tokio::test]
async fn the_first_poll_pages_back_through_a_week_of_history() {
    let fake = FakeMastodon::start(TOKEN).await;
    history(&fake);
    let m = backfilling(&fake, 3, None);
    let p1 = m.poll(None).await.unwrap();
    assert_eq!(ids(&p1), ["9025", "9026", "9027"]);
    assert!(p1.more, "the walk goes on");
    let p2 = m.poll(p1.cursor.as_deref()).await.unwrap();
    assert_eq!(ids(&p2), ["9022", "9023", "9024"]);
    assert!(p2.more);
    let p3 = m.poll(p2.cursor.as_deref()).await.unwrap();
    assert_eq!(
        ids(&p3),
        ["9020", "9021"],
        "11 is eight days old: past the bound, and so is everything after it"
    );
    assert!(!p3.more, "the walk ended at the bound");
    let max_ids: Vec<Option<String>> = fake
        .requests("GET", "/api/v1/notifications")
        .iter()
        .map(|r| r.param("max_id").map(str::to_owned))
        .collect();
    assert_eq!(max_ids, [None, Some("25".into()), Some("22".into())]);
    assert!(
        fake.requests("GET", "/api/v1/notifications")
            .iter()
            .all(|r| r.param("min_id").is_none())
    );

    // Then forward from the newest of the walk: only what is new, nothing twice.
    let idle = m.poll(p3.cursor.as_deref()).await.unwrap();
    assert!(idle.messages.is_empty() && idle.cursor.is_none());
    fake.add_mention_at("28", "9028", &hours_ago(0));
    let next = m.poll(p3.cursor.as_deref()).await.unwrap();
    assert_eq!(ids(&next), ["9028"]);
    let last = fake.requests("GET", "/api/v1/notifications");
    assert_eq!(last.last().unwrap().param("min_id"), Some("27"));
    assert_eq!(last.last().unwrap().param("max_id"), None);
}

#[tokio::test]
async fn the_backfill_stops_at_its_count_and_an_old_account_starts_forward() {
    let fake = FakeMastodon::start(TOKEN).await;
    history(&fake);
    let bound = Backfill {
        max_items: 4,
        ..Backfill::default()
    };
    let m = backfilling(&fake, 3, Some(bound));
    let p1 = m.poll(None).await.unwrap();
    let p2 = m.poll(p1.cursor.as_deref()).await.unwrap();
    assert_eq!(ids(&p2), ["9024"], "four in all, the newest four");
    assert!(!p2.more);
    fake.add_mention_at("28", "9028", &hours_ago(0));
    let next = m.poll(p2.cursor.as_deref()).await.unwrap();
    assert_eq!(ids(&next), ["9028"]);

    // An account whose newest mention is older than the bound: nothing read, and the next
    // poll goes forward from it.
    let quiet = FakeMastodon::start(TOKEN).await;
    quiet.add_mention_at("5", "905", &hours_ago(24 * 9));
    let q = backfilling(&quiet, 3, None);
    let first = q.poll(None).await.unwrap();
    assert!(first.messages.is_empty() && !first.more);
    quiet.add_mention_at("6", "906", &hours_ago(0));
    assert_eq!(
        ids(&q.poll(first.cursor.as_deref()).await.unwrap()),
        ["906"]
    );
}

#[tokio::test]
async fn a_rate_limit_mid_backfill_resumes_later_without_loss() {
    let fake = FakeMastodon::start(TOKEN).await;
    history(&fake);
    let m = backfilling(&fake, 3, None);
    let mut read: Vec<String> = Vec::new();
    let p1 = m.poll(None).await.unwrap();
    read.extend(ids(&p1));
    fake.with(|s| {
        s.failures
            .push_back(Failure::RateLimited { reset_in_secs: 60 })
    });
    // The poller saved p1's cursor with p1's messages; the next page is refused.
    match m.poll(p1.cursor.as_deref()).await.unwrap_err() {
        ConnectorError::RateLimited { retry_after, .. } => {
            assert!(retry_after.unwrap() > Duration::from_secs(50));
        }
        other => panic!("{other:?}"),
    }
    // Later: the same saved cursor resumes the walk where it stopped.
    let mut cursor = p1.cursor.clone();
    loop {
        let page = m.poll(cursor.as_deref()).await.unwrap();
        read.extend(ids(&page));
        if page.cursor.is_some() {
            cursor = page.cursor;
        }
        if !page.more {
            break;
        }
    }
    read.sort();
    let expected: Vec<String> = (20..=27).map(|n| format!("90{n}")).collect();
    assert_eq!(read, expected, "every one once, none older than a week");

    // Close to the instance's limit the walk pauses for the round (more: false) but keeps
    // its place.
    let busy = FakeMastodon::start(TOKEN).await;
    history(&busy);
    busy.with(|s| s.rate_remaining = 10);
    let b = backfilling(&busy, 3, None);
    let first = b.poll(None).await.unwrap();
    assert_eq!(ids(&first), ["9025", "9026", "9027"]);
    assert!(!first.more, "ten requests left: the round stops");
    busy.with(|s| s.rate_remaining = 299);
    let second = b.poll(first.cursor.as_deref()).await.unwrap();
    assert_eq!(ids(&second), ["9022", "9023", "9024"]);
    assert!(second.more);
}
