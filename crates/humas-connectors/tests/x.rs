//! The X connector against a local fake of X API v2.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

#[path = "fakes/x.rs"]
mod fake;

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fake::{Failure, FakeX};
use humas_connectors::http::Http;
use humas_connectors::renewal::{RenewedTokens, TokenKeeper};
use humas_connectors::x::{XClient, XConfig, XRefresh};
use humas_connectors::{ConnectorError, Poller, Responder};
use humas_domain::inbox::{ExternalId, MessageKind};
use humas_feeds::fetch::FetchOptions;
use secrecy::{ExposeSecret, SecretString};

const ME: &str = "2244994945";
const TOKEN: &str = "x-user-token";

fn loopback_http() -> Http {
    Http::new(FetchOptions {
        allowed_addresses: vec!["127.0.0.1".parse::<IpAddr>().unwrap()],
        ..Default::default()
    })
    .unwrap()
}

fn client(fake: &FakeX, page_size: u8) -> XClient {
    let mut config = XConfig::new(&fake.base(), ME, SecretString::from(TOKEN));
    config.page_size = page_size;
    XClient::new(loopback_http(), config)
}

fn warga() -> (&'static str, &'static str, &'static str) {
    ("1234567890", "warga_bdg", "Warga Bandung")
}

fn ids(page: &humas_connectors::Page) -> Vec<String> {
    page.messages
        .iter()
        .map(|m| m.external_id.to_string())
        .collect()
}

fn id(s: &str) -> ExternalId {
    ExternalId::parse(s).unwrap()
}

#[tokio::test]
async fn mentions_are_mapped_with_author_thread_and_time() {
    let fake = FakeX::start(ME, TOKEN).await;
    fake.add_mention(
        "1578516295611748353",
        "@HumasKota lampu jalan mati di Jl. Merdeka",
        warga(),
        None,
    );
    fake.add_mention(
        "1578516295611748360",
        "@HumasKota sudah diperbaiki?",
        warga(),
        Some("1578516295611748353"),
    );
    let page = client(&fake, 100).poll(None).await.unwrap();
    assert_eq!(
        ids(&page),
        ["1578516295611748353", "1578516295611748360"],
        "oldest first"
    );
    assert!(page.rejected.is_empty());
    let first = &page.messages[0];
    assert_eq!(first.kind, MessageKind::Mention);
    assert_eq!(first.author.handle, "@warga_bdg");
    assert_eq!(first.author.display_name.as_deref(), Some("Warga Bandung"));
    assert_eq!(first.text, "@HumasKota lampu jalan mati di Jl. Merdeka");
    assert_eq!(first.published_at.to_string(), "2025-01-15T10:30:00Z");
    assert_eq!(
        first.permalink.as_deref(),
        Some("https://x.com/warga_bdg/status/1578516295611748353")
    );
    let reply = &page.messages[1];
    assert_eq!(reply.kind, MessageKind::Reply);
    assert_eq!(reply.parent_external_id, Some(id("1578516295611748353")));
    assert_eq!(reply.thread_external_id, Some(id("1578516295611748353")));

    let seen = fake.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, format!("/2/users/{ME}/mentions"));
    assert_eq!(
        seen[0].authorization.as_deref(),
        Some("Bearer x-user-token")
    );
    assert_eq!(seen[0].param("max_results"), Some("100"));
    assert!(seen[0].param("expansions").unwrap().contains("author_id"));
    assert!(
        seen[0]
            .param("tweet.fields")
            .unwrap()
            .contains("referenced_tweets")
    );
    assert_eq!(seen[0].param("since_id"), None);
    assert!(!page.more);
}

#[tokio::test]
async fn pages_walk_back_with_pagination_token_then_resume_from_since_id() {
    let fake = FakeX::start(ME, TOKEN).await;
    for n in 1..=12 {
        fake.add_mention(&format!("10{n:02}"), &format!("laporan {n}"), warga(), None);
    }
    let x = client(&fake, 5);
    // First run: no since_id, so the walk goes back through every page X keeps.
    let first = x.poll(None).await.unwrap();
    assert_eq!(ids(&first), ["1008", "1009", "1010", "1011", "1012"]);
    assert!(first.more, "X said there is a next_token");
    let c1 = first.cursor.clone().unwrap();
    let second = x.poll(Some(&c1)).await.unwrap();
    assert_eq!(ids(&second), ["1003", "1004", "1005", "1006", "1007"]);
    // Crash after the second page was fetched but before its cursor was saved: polling the
    // same cursor again gives the same page.
    let again = x.poll(Some(&c1)).await.unwrap();
    assert_eq!(ids(&again), ids(&second));
    let c2 = second.cursor.clone().unwrap();
    let third = x.poll(Some(&c2)).await.unwrap();
    assert_eq!(ids(&third), ["1001", "1002"]);
    assert!(!third.more);
    let c3 = third.cursor.clone().unwrap();

    // New mentions arrive (some more than a page): the next walk stops at since_id=1012.
    for n in 13..=18 {
        fake.add_mention(&format!("10{n:02}"), &format!("laporan {n}"), warga(), None);
    }
    let fourth = x.poll(Some(&c3)).await.unwrap();
    assert_eq!(ids(&fourth), ["1014", "1015", "1016", "1017", "1018"]);
    assert!(fourth.more);
    let fifth = x.poll(fourth.cursor.as_deref()).await.unwrap();
    assert_eq!(ids(&fifth), ["1013"]);
    assert!(!fifth.more);
    let idle = x.poll(fifth.cursor.as_deref()).await.unwrap();
    assert!(idle.messages.is_empty() && idle.rejected.is_empty());
    assert_eq!(idle.cursor, None, "an empty page keeps the saved cursor");

    let seen = fake.seen();
    // The token travels as pagination_token (never next_token, which the fake refuses).
    assert_eq!(
        seen[1].param("pagination_token"),
        Some("7140dibdnow9c7btw41")
    );
    assert!(seen.iter().all(|s| s.param("next_token").is_none()));
    assert_eq!(
        seen[3].param("since_id"),
        None,
        "first walk has no since_id"
    );
    assert_eq!(seen[4].param("since_id"), Some("1012"));
    assert_eq!(seen[5].param("since_id"), Some("1012"));
    assert_eq!(seen[6].param("since_id"), Some("1018"));
    assert_eq!(seen.len(), 7);
}

#[tokio::test]
async fn an_empty_page_omits_data_and_is_not_an_error() {
    let fake = FakeX::start(ME, TOKEN).await;
    let page = client(&fake, 10)
        .poll(Some(r#"{"since_id":"500"}"#))
        .await
        .unwrap();
    assert!(page.messages.is_empty());
    assert!(!page.more);
    assert_eq!(page.cursor, None);
    assert_eq!(fake.seen()[0].param("since_id"), Some("500"));
}

#[tokio::test]
async fn partial_errors_and_bad_items_are_rejected_and_the_rest_kept() {
    let fake = FakeX::start(ME, TOKEN).await;
    fake.add_mention("2001", "baik", warga(), None);
    fake.with(|s| {
        s.mentions.push(serde_json::json!({"id": "2002", "text": "tanpa penulis", "created_at": "2025-01-15T10:30:00.000Z"}));
        s.mentions.push(serde_json::json!({"id": "2003", "text": "tanggal rusak", "author_id": "1234567890", "created_at": "kemarin"}));
        s.mentions.push(serde_json::json!({"id": "2004", "text": "  ", "author_id": "1234567890", "created_at": "2025-01-15T10:30:00.000Z"}));
        s.mentions.push(serde_json::json!({"id": "2005", "text": 42, "author_id": "1234567890"}));
        s.partial_errors.push(serde_json::json!({"value": "123", "detail": "Could not find tweet with ids: [123].",
            "title": "Not Found Error", "resource_type": "tweet", "parameter": "ids", "resource_id": "123",
            "type": "https://api.twitter.com/2/problems/resource-not-found"}));
    });
    let page = client(&fake, 10).poll(None).await.unwrap();
    assert_eq!(ids(&page), ["2001"]);
    let reasons: Vec<(Option<&str>, &str)> = page
        .rejected
        .iter()
        .map(|r| (r.external_id.as_deref(), r.reason.as_str()))
        .collect();
    assert_eq!(reasons.len(), 5, "{reasons:?}");
    let reason_of = |id: &str| reasons.iter().find(|r| r.0 == Some(id)).unwrap().1;
    assert!(reason_of("2002").contains("author_id"));
    assert!(reason_of("2003").contains("created_at"));
    assert!(
        reason_of("2004").to_lowercase().contains("empty") || reason_of("2004").contains("text"),
        "{}",
        reason_of("2004")
    );
    assert!(reason_of("2005").contains("documented shape"));
    assert!(reason_of("123").contains("Could not find tweet"));
    // The bad items still move the cursor: they are reported, not retried forever.
    let cursor = page.cursor.unwrap();
    assert!(cursor.contains("\"since_id\":\"2005\""), "{cursor}");
}

#[tokio::test]
async fn an_author_missing_from_includes_is_named_by_id() {
    let fake = FakeX::start(ME, TOKEN).await;
    fake.with(|s| s.mentions.push(serde_json::json!({"id": "3001", "text": "akun terkunci", "author_id": "777", "created_at": "2025-01-15T10:30:00.000Z"})));
    let page = client(&fake, 10).poll(None).await.unwrap();
    assert_eq!(page.messages[0].author.handle, "777");
    assert_eq!(
        page.messages[0].permalink.as_deref(),
        Some("https://x.com/i/web/status/3001")
    );
}

#[tokio::test]
async fn a_5xx_once_then_success_loses_nothing() {
    let fake = FakeX::start(ME, TOKEN).await;
    fake.add_mention("4001", "halo", warga(), None);
    fake.with(|s| s.failures.push_back(Failure::Status(503)));
    let x = client(&fake, 10);
    let err = x.poll(Some(r#"{"since_id":"4000"}"#)).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Unavailable { .. }), "{err:?}");
    assert!(err.is_transient());
    let page = x.poll(Some(r#"{"since_id":"4000"}"#)).await.unwrap();
    assert_eq!(ids(&page), ["4001"]);
    assert_eq!(fake.seen().len(), 2);
}

#[tokio::test]
async fn rate_limits_wait_until_the_reset_header() {
    let fake = FakeX::start(ME, TOKEN).await;
    fake.with(|s| {
        s.failures
            .push_back(Failure::RateLimited { reset_in_secs: 600 });
        s.failures
            .push_back(Failure::LegacyRateLimit { reset_in_secs: 60 });
        s.failures
            .push_back(Failure::RateLimited { reset_in_secs: -30 });
    });
    let x = client(&fake, 10);
    for (low, high) in [(595, 600), (55, 60), (0, 0)] {
        match x.poll(None).await.unwrap_err() {
            ConnectorError::RateLimited {
                retry_after: Some(wait),
                detail,
            } => {
                assert!(
                    wait >= Duration::from_secs(low) && wait <= Duration::from_secs(high),
                    "{wait:?}"
                );
                assert!(detail.contains("429"), "{detail}");
            }
            other => panic!("expected RateLimited, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_expired_token_asks_for_a_reconnect() {
    let fake = FakeX::start(ME, TOKEN).await;
    fake.with(|s| s.token = "rotated".into());
    let err = client(&fake, 10).poll(None).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::TokenExpired(ref d) if d.contains("401")),
        "{err:?}"
    );
    assert!(!err.is_transient());
}

#[tokio::test]
async fn malformed_bodies_and_cursors_are_errors_not_panics() {
    let fake = FakeX::start(ME, TOKEN).await;
    fake.with(|s| {
        s.failures
            .push_back(Failure::Body("{\"data\": [ {\"id\": "));
        s.failures
            .push_back(Failure::Body("{\"data\": {\"id\": \"1\"}}"));
    });
    let x = client(&fake, 10);
    assert!(matches!(
        x.poll(None).await.unwrap_err(),
        ConnectorError::Malformed(_)
    ));
    assert!(matches!(
        x.poll(None).await.unwrap_err(),
        ConnectorError::Malformed(_)
    ));
    let err = x.poll(Some("not json")).await.unwrap_err();
    assert!(err.to_string().contains("cursor"), "{err}");
    assert_eq!(fake.seen().len(), 2, "a bad cursor sends nothing");
}

#[tokio::test]
async fn duplicates_across_pages_keep_their_ids_for_dedup() {
    // X can repeat a post when new ones shift the pages; the store dedups on the external id,
    // so the connector must hand it over with the same id, not drop or rename it.
    let fake = FakeX::start(ME, TOKEN).await;
    for n in 1..=6 {
        fake.add_mention(&format!("50{n:02}"), "sama", warga(), None);
    }
    let x = client(&fake, 5);
    let first = x.poll(None).await.unwrap();
    fake.add_mention("5007", "baru", warga(), None);
    let second = x.poll(first.cursor.as_deref()).await.unwrap();
    assert_eq!(ids(&first), ["5002", "5003", "5004", "5005", "5006"]);
    assert_eq!(
        ids(&second),
        ["5001", "5002"],
        "the shifted page repeats 5002"
    );
    let third = x.poll(second.cursor.as_deref()).await.unwrap();
    assert_eq!(
        ids(&third),
        ["5007"],
        "the walk ended at since_id=5006; the next one finds 5007"
    );
}

#[tokio::test]
async fn an_unreachable_platform_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let config = XConfig::new(&format!("http://{addr}"), ME, SecretString::from(TOKEN));
    let err = XClient::new(loopback_http(), config)
        .poll(None)
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Transport(_)), "{err:?}");
}

#[tokio::test]
async fn the_default_client_refuses_loopback() {
    let fake = FakeX::start(ME, TOKEN).await;
    let config = XConfig::new(&fake.base(), ME, SecretString::from(TOKEN));
    let err = XClient::new(Http::new(FetchOptions::default()).unwrap(), config)
        .poll(None)
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Target(_)), "{err:?}");
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn a_reply_reaches_x_once_with_its_parent() {
    let fake = FakeX::start(ME, TOKEN).await;
    let x = client(&fake, 10);
    let text = "Terima kasih, laporan lampu jalan sudah kami teruskan ke Dishub. https://example.go.id/lapor";
    let reply_id = x
        .reply(&id("1578516295611748353"), None, text)
        .await
        .unwrap();
    let posted = fake.with(|s| s.posted.clone());
    assert_eq!(posted.len(), 1);
    let body = &posted[reply_id.as_ref()];
    assert_eq!(body["text"], text);
    assert_eq!(body["reply"]["in_reply_to_tweet_id"], "1578516295611748353");
    let seen = fake.seen();
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("POST", "/2/tweets")
    );

    // Sending the same text again: X refuses duplicates with 403, which is a refusal.
    let err = x
        .reply(&id("1578516295611748353"), None, text)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Refused(ref m) if m.contains("duplicate")),
        "{err:?}"
    );
    assert_eq!(fake.with(|s| s.posted.len()), 1);
}

#[tokio::test]
async fn a_refused_reply_is_refused_and_a_long_one_never_sent() {
    let fake = FakeX::start(ME, TOKEN).await;
    fake.with(|s| {
        s.refuse_replies_to.insert("999".into());
    });
    let x = client(&fake, 10);
    let err = x
        .reply(&id("999"), None, "Mohon DM kami")
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Refused(ref m) if m.contains("mention")),
        "{err:?}"
    );

    let long = format!(
        "{} https://example.go.id/{}",
        "Informasi ".repeat(26),
        "a".repeat(200)
    );
    let err = x.reply(&id("1000"), None, &long).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Refused(ref m) if m.contains("284") && m.contains("280")),
        "{err:?}"
    );
    assert_eq!(fake.seen().len(), 1, "the long reply was never sent");
    assert!(fake.with(|s| s.posted.is_empty()));
}

#[tokio::test]
async fn hide_and_delete_use_the_documented_calls() {
    let fake = FakeX::start(ME, TOKEN).await;
    let x = client(&fake, 10);
    x.set_hidden(&id("1600"), true).await.unwrap();
    x.set_hidden(&id("1601"), false).await.unwrap();
    assert_eq!(
        fake.with(|s| (s.hidden.get("1600").copied(), s.hidden.get("1601").copied())),
        (Some(true), Some(false))
    );
    let mine = x
        .reply(&id("1600"), None, "Sudah kami tangani.")
        .await
        .unwrap();
    x.delete(&mine).await.unwrap();
    assert_eq!(fake.with(|s| s.deleted.clone()), [mine.to_string()]);
    let err = x.delete(&id("1600")).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Forbidden(_)), "{err:?}");
    // An id cannot change the path: it stays one segment.
    x.set_hidden(&id("1/../../users"), true).await.unwrap();
    assert!(fake.with(|s| s.hidden.contains_key("1%2F%2E%2E%2F%2E%2E%2Fusers")));
    let seen = fake.seen();
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("PUT", "/2/tweets/1600/hidden")
    );
    assert_eq!(seen[0].body.as_ref().unwrap()["hidden"], true);
    assert_eq!(seen[3].method.as_str(), "DELETE");
    assert_eq!(
        seen.last().unwrap().path,
        "/2/tweets/1%2F%2E%2E%2F%2E%2E%2Fusers/hidden"
    );
}

#[test]
fn config_debug_never_shows_the_token() {
    let config = XConfig::new(
        "https://api.x.com",
        ME,
        SecretString::from("very-secret-token"),
    );
    assert!(!format!("{config:?}").contains("very-secret-token"));
}

fn refreshing_client(fake: &FakeX, secret: Option<&str>) -> XClient {
    let mut config = XConfig::new(&fake.base(), ME, SecretString::from(TOKEN));
    config.refresh = Some(XRefresh {
        client_id: "humas-client".into(),
        client_secret: secret.map(SecretString::from),
        refresh_token: SecretString::from("x-refresh-0"),
    });
    XClient::new(loopback_http(), config)
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_the_new_pair_handed_over() {
    let fake = FakeX::start(ME, TOKEN).await;
    fake.add_mention("6001", "halo", warga(), None);
    fake.with(|s| {
        s.token = "issued-elsewhere".into(); // our access token expired
        s.refresh_tokens.insert("x-refresh-0".into());
    });
    let x = refreshing_client(&fake, Some("client-secret"));
    let page = x.poll(None).await.unwrap();
    assert_eq!(ids(&page), ["6001"]);
    let tokens = x.take_refreshed_tokens().await.unwrap();
    assert_eq!(tokens.access_token.expose_secret(), "x-access-1");
    assert_eq!(
        tokens.refresh_token.as_ref().unwrap().expose_secret(),
        "x-refresh-1"
    );
    assert_eq!(tokens.expires_in, Some(7200));
    assert!(
        x.take_refreshed_tokens().await.is_none(),
        "handed over once"
    );

    let seen = fake.seen();
    let paths: Vec<&str> = seen.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            format!("/2/users/{ME}/mentions").as_str(),
            "/2/oauth2/token",
            &format!("/2/users/{ME}/mentions")
        ]
    );
    let basic = seen[1].authorization.as_deref().unwrap();
    assert!(basic.starts_with("Basic "), "confidential client: {basic}");
    assert_eq!(seen[2].authorization.as_deref(), Some("Bearer x-access-1"));

    // The rotated refresh token is the one used next time.
    fake.with(|s| s.token = "expired-again".into());
    x.poll(None).await.unwrap();
    assert_eq!(fake.with(|s| s.refresh_calls), 2);
    assert_eq!(
        x.take_refreshed_tokens()
            .await
            .unwrap()
            .access_token
            .expose_secret(),
        "x-access-2"
    );
}

#[tokio::test]
async fn a_refused_refresh_asks_for_a_reconnect_without_looping() {
    let fake = FakeX::start(ME, TOKEN).await;
    fake.with(|s| s.token = "issued-elsewhere".into()); // and x-refresh-0 is unknown
    let x = refreshing_client(&fake, None);
    let err = x.poll(None).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::TokenExpired(ref d) if d.contains("refresh token was refused")),
        "{err:?}"
    );
    assert_eq!(fake.seen().len(), 2, "one call, one refresh, no retry");
    assert_eq!(
        fake.seen()[1].authorization,
        None,
        "a public client sends no Basic auth"
    );
    assert!(x.take_refreshed_tokens().await.is_none());
}

#[tokio::test]
async fn a_slow_platform_is_a_timeout() {
    let fake = FakeX::start(ME, TOKEN).await;
    fake.with(|s| s.latency = Duration::from_millis(1500));
    let http = Http::new(FetchOptions {
        allowed_addresses: vec!["127.0.0.1".parse::<IpAddr>().unwrap()],
        timeout: Duration::from_millis(300),
        ..Default::default()
    })
    .unwrap();
    let err = XClient::new(
        http,
        XConfig::new(&fake.base(), ME, SecretString::from(TOKEN)),
    )
    .poll(None)
    .await
    .unwrap_err();
    assert!(matches!(err, ConnectorError::Timeout), "{err:?}");
    assert!(err.is_transient());
}

#[tokio::test]
async fn a_page_token_x_no_longer_accepts_restarts_the_walk() {
    let fake = FakeX::start(ME, TOKEN).await;
    for n in 1..=7 {
        fake.add_mention(&format!("70{n:02}"), "lapor", warga(), None);
    }
    let x = client(&fake, 5);
    let stale = r#"{"since_id":"7001","pagination_token":"expired-token","newest_id":"7007"}"#;
    let page = x.poll(Some(stale)).await.unwrap();
    assert_eq!(ids(&page), ["7003", "7004", "7005", "7006", "7007"]);
    assert!(page.more);
    let seen = fake.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].param("pagination_token"), Some("expired-token"));
    assert_eq!(seen[1].param("pagination_token"), None);
    assert_eq!(seen[1].param("since_id"), Some("7001"));
    let rest = x.poll(page.cursor.as_deref()).await.unwrap();
    assert_eq!(ids(&rest), ["7002"]);
}

/// Keeps tokens in memory, as the server keeps them in the database; can be told to fail.
#[derive(Debug, Default)]
struct MemoryKeeper {
    stored: Mutex<Option<(String, Option<String>)>>,
    /// `(new access, spent refresh)` per save that succeeded.
    saves: Mutex<Vec<(String, Option<String>)>>,
    failing: Mutex<u32>,
}

#[async_trait::async_trait]
impl TokenKeeper for MemoryKeeper {
    async fn save(
        &self,
        tokens: &RenewedTokens,
        replaced: Option<&SecretString>,
    ) -> Result<(), String> {
        {
            let mut failing = self.failing.lock().unwrap();
            if *failing > 0 {
                *failing -= 1;
                return Err("database unavailable".into());
            }
        }
        assert!(tokens.expires_at.is_some(), "X gives a lifetime");
        let access = tokens.access_token.expose_secret().to_owned();
        let refresh = tokens
            .refresh_token
            .as_ref()
            .map(|r| r.expose_secret().to_owned());
        *self.stored.lock().unwrap() = Some((access.clone(), refresh));
        self.saves
            .lock()
            .unwrap()
            .push((access, replaced.map(|r| r.expose_secret().to_owned())));
        Ok(())
    }

    async fn stored(&self) -> Option<RenewedTokens> {
        self.stored
            .lock()
            .unwrap()
            .clone()
            .map(|(access, refresh)| RenewedTokens {
                access_token: SecretString::from(access),
                refresh_token: refresh.map(SecretString::from),
                expires_at: None,
                refresh_expires_at: None,
            })
    }
}

#[tokio::test]
async fn a_refreshed_pair_goes_to_the_keeper_at_once_and_a_failed_save_is_retried() {
    let fake = FakeX::start(ME, TOKEN).await;
    fake.add_mention("6001", "halo", warga(), None);
    fake.with(|s| {
        s.token = "issued-elsewhere".into();
        s.refresh_tokens.insert("x-refresh-0".into());
    });
    let keeper = Arc::new(MemoryKeeper::default());
    *keeper.stored.lock().unwrap() = Some((TOKEN.into(), Some("x-refresh-0".into())));
    let x = refreshing_client(&fake, None).with_keeper(keeper.clone());
    assert_eq!(ids(&x.poll(None).await.unwrap()), ["6001"]);
    assert_eq!(
        *keeper.saves.lock().unwrap(),
        [("x-access-1".to_owned(), Some("x-refresh-0".to_owned()))],
        "the rotated pair is stored, naming the refresh token it replaced"
    );
    assert_eq!(
        keeper.stored.lock().unwrap().clone().unwrap().1.as_deref(),
        Some("x-refresh-1")
    );
    assert!(
        x.take_refreshed_tokens().await.is_none(),
        "nothing left for the caller"
    );

    // The store is down when X rotates again: the client keeps the pair and stores it on its
    // next call.
    *keeper.failing.lock().unwrap() = 1;
    fake.with(|s| s.token = "expired-again".into());
    x.poll(None).await.unwrap();
    assert_eq!(keeper.saves.lock().unwrap().len(), 1, "the save failed");
    x.poll(None).await.unwrap();
    assert_eq!(
        keeper.saves.lock().unwrap().last().unwrap(),
        &("x-access-2".to_owned(), Some("x-refresh-1".to_owned()))
    );
    assert_eq!(
        keeper.stored.lock().unwrap().clone().unwrap().1.as_deref(),
        Some("x-refresh-2")
    );
}

#[tokio::test]
async fn a_client_follows_a_pair_another_process_refreshed_instead_of_racing_it() {
    let fake = FakeX::start(ME, TOKEN).await;
    fake.add_mention("6001", "halo", warga(), None);
    fake.with(|s| {
        s.token = "issued-elsewhere".into();
        s.refresh_tokens.insert("x-refresh-0".into());
    });
    let keeper = Arc::new(MemoryKeeper::default());
    *keeper.stored.lock().unwrap() = Some((TOKEN.into(), Some("x-refresh-0".into())));
    // Two processes built their clients from the same stored pair.
    let serve = refreshing_client(&fake, None).with_keeper(keeper.clone());
    let worker = refreshing_client(&fake, None).with_keeper(keeper.clone());
    serve.poll(None).await.unwrap();
    assert_eq!(fake.with(|s| s.refresh_calls), 1);
    // The worker's access token is refused too; its refresh token x-refresh-0 is spent.
    assert_eq!(ids(&worker.poll(None).await.unwrap()), ["6001"]);
    assert_eq!(
        fake.with(|s| s.refresh_calls),
        1,
        "the worker took the stored pair rather than spend a dead refresh token"
    );
    let last = fake.seen().last().unwrap().authorization.clone();
    assert_eq!(last.as_deref(), Some("Bearer x-access-1"));
    // And when that one expires, the worker refreshes with the rotated token it adopted.
    fake.with(|s| s.token = "expired-again".into());
    worker.poll(None).await.unwrap();
    assert_eq!(
        keeper.saves.lock().unwrap().last().unwrap().1.as_deref(),
        Some("x-refresh-1")
    );
}
