//! The Bluesky connector against a local fake PDS.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

#[path = "fakes/bluesky.rs"]
mod fake;

use std::net::IpAddr;
use std::time::Duration;

use fake::{DID, Failure, FakeBluesky, HANDLE, PASSWORD, cid_of};
use humas_connectors::bluesky::{BlueskyClient, BlueskyConfig};
use humas_connectors::http::Http;
use humas_connectors::{Backfill, ConnectorError, Page, Poller, Responder};
use humas_domain::inbox::{ExternalId, MessageKind};
use humas_feeds::fetch::FetchOptions;
use secrecy::SecretString;

const LIST: &str = "app.bsky.notification.listNotifications";
const CREATE_SESSION: &str = "com.atproto.server.createSession";

fn loopback_http() -> Http {
    Http::new(FetchOptions {
        allowed_addresses: vec!["127.0.0.1".parse::<IpAddr>().unwrap()],
        ..Default::default()
    })
    .unwrap()
}

/// A client whose first poll reads only the newest page (the fake's items are from 2025).
fn client(fake: &FakeBluesky, page_size: u8) -> BlueskyClient {
    let mut config = BlueskyConfig::new(&fake.base(), HANDLE, SecretString::from(PASSWORD));
    config.page_size = page_size;
    config.backfill = None;
    BlueskyClient::new(loopback_http(), config)
}

/// A client with the default backfill (7 days or 1,000 notifications) unless `bound` is given.
fn backfilling(fake: &FakeBluesky, page_size: u8, bound: Option<Backfill>) -> BlueskyClient {
    let mut config = BlueskyConfig::new(&fake.base(), HANDLE, SecretString::from(PASSWORD));
    config.page_size = page_size;
    config.backfill = Some(bound.unwrap_or_default());
    BlueskyClient::new(loopback_http(), config)
}

/// `indexedAt` `hours` ago, in the PDS's fixed-width form.
fn hours_ago(hours: i64) -> String {
    (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(hours))
        .strftime("%Y-%m-%dT%H:%M:%S.000Z")
        .to_string()
}

/// Eight notifications of the last week (`w0`…`w7`, `w7` the newest) and two older (`old8`
/// eight days, `old30` thirty days).
fn history(fake: &FakeBluesky) {
    fake.add_notification(
        &theirs("old30"),
        "mention",
        "lama",
        &hours_ago(24 * 30),
        None,
    );
    fake.add_notification(&theirs("old8"), "mention", "lama", &hours_ago(24 * 8), None);
    for n in 0..8_i64 {
        let name = format!("w{n}");
        fake.add_notification(&theirs(&name), "mention", &name, &hours_ago(10 - n), None);
    }
}

fn week(range: std::ops::RangeInclusive<i64>) -> Vec<String> {
    range.map(|n| theirs(&format!("w{n}"))).collect()
}

fn ours(rkey: &str) -> String {
    format!("at://{DID}/app.bsky.feed.post/{rkey}")
}

fn theirs(rkey: &str) -> String {
    format!("at://did:plc:warga/app.bsky.feed.post/{rkey}")
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

fn at(minute: u32) -> String {
    format!("2025-01-15T03:{minute:02}:00.000Z")
}

#[tokio::test]
async fn notifications_map_to_messages_with_one_session() {
    let fake = FakeBluesky::start().await;
    let root = ours("3k4duaz5vfs2b");
    fake.add_post(&root, "Info banjir", None);
    fake.add_notification(
        &theirs("r1"),
        "reply",
        "Daerah Kemayoran aman?",
        &at(4),
        Some((&root, &root)),
    );
    fake.add_notification(
        &theirs("m1"),
        "mention",
        "@humas.example.go.id lampu mati",
        &at(5),
        None,
    );
    fake.add_notification(&theirs("q1"), "quote", "Penting!", &at(6), None);
    fake.add_notification(&theirs("l1"), "like", "", &at(7), None);
    let b = client(&fake, 50);
    let page = b.poll(None).await.unwrap();
    assert_eq!(
        ids(&page),
        [theirs("r1"), theirs("m1"), theirs("q1")],
        "oldest first, likes filtered"
    );
    assert!(page.rejected.is_empty(), "{:?}", page.rejected);
    let reply = &page.messages[0];
    assert_eq!(reply.kind, MessageKind::Reply);
    assert_eq!(reply.text, "Daerah Kemayoran aman?");
    assert_eq!(reply.parent_external_id, Some(id(&root)));
    assert_eq!(reply.thread_external_id, Some(id(&root)));
    assert_eq!(reply.author.handle, "@warga.bsky.social");
    assert_eq!(reply.author.display_name.as_deref(), Some("Warga"));
    assert_eq!(
        reply.published_at.to_string(),
        "2025-01-15T03:04:00Z",
        "createdAt"
    );
    assert_eq!(
        reply.permalink.as_deref(),
        Some("https://bsky.app/profile/did:plc:warga/post/r1")
    );
    assert_eq!(page.messages[1].kind, MessageKind::Mention);
    assert_eq!(page.messages[2].kind, MessageKind::Mention);

    b.poll(page.cursor.as_deref()).await.unwrap();
    let seen = fake.seen();
    assert_eq!(fake.calls(CREATE_SESSION), 1, "the session is reused");
    let session = &seen[0];
    assert_eq!(session.body.as_ref().unwrap()["identifier"], HANDLE);
    let list = seen.iter().find(|s| s.nsid == LIST).unwrap();
    assert_eq!(list.params("reasons"), ["mention", "reply", "quote"]);
    assert_eq!(list.param("limit"), Some("50"));
    assert_eq!(list.authorization.as_deref(), Some("Bearer acc-1"));
}

#[tokio::test]
async fn a_walk_pages_back_until_what_was_read_and_never_skips() {
    let fake = FakeBluesky::start().await;
    fake.add_notification(&theirs("a"), "mention", "a", &at(1), None);
    fake.add_notification(&theirs("b"), "mention", "b", &at(2), None);
    let b = client(&fake, 2);
    let first = b.poll(None).await.unwrap();
    assert_eq!(ids(&first), [theirs("a"), theirs("b")]);
    assert!(!first.more);
    let c0 = first.cursor.unwrap();

    // Five new ones, two of them indexed at the same instant across a page boundary.
    fake.add_notification(
        &theirs("c"),
        "reply",
        "c",
        &at(3),
        Some((&theirs("a"), &theirs("a"))),
    );
    fake.add_notification(&theirs("d"), "mention", "d", &at(4), None);
    fake.add_notification(&theirs("e"), "mention", "e", &at(4), None);
    fake.add_notification(&theirs("f"), "mention", "f", &at(5), None);
    fake.add_notification(&theirs("g"), "mention", "g", &at(6), None);
    let p1 = b.poll(Some(&c0)).await.unwrap();
    assert_eq!(ids(&p1), [theirs("f"), theirs("g")]);
    assert!(p1.more);
    let p2 = b.poll(p1.cursor.as_deref()).await.unwrap();
    assert_eq!(ids(&p2), [theirs("d"), theirs("e")]);
    // Crash before saving p2's cursor: the same cursor gives the same page.
    assert_eq!(ids(&b.poll(p1.cursor.as_deref()).await.unwrap()), ids(&p2));
    // A new one arrives mid-walk: it is after the walk's top, so the next walk finds it.
    fake.add_notification(&theirs("h"), "mention", "h", &at(7), None);
    let p3 = b.poll(p2.cursor.as_deref()).await.unwrap();
    assert_eq!(
        ids(&p3),
        [theirs("c")],
        "the page also holds b, already read: the walk ends"
    );
    assert!(!p3.more);
    let p4 = b.poll(p3.cursor.as_deref()).await.unwrap();
    assert_eq!(ids(&p4), [theirs("h")]);
    assert!(!p4.more);
    let idle = b.poll(p4.cursor.as_deref()).await.unwrap();
    assert!(idle.messages.is_empty());
    assert_eq!(idle.cursor, None);

    // A tie at the high-water mark: another item indexed at minute 7 is new, h is not repeated.
    fake.add_notification(&theirs("h2"), "mention", "h2", &at(7), None);
    let tie = b.poll(p4.cursor.as_deref()).await.unwrap();
    assert_eq!(ids(&tie), [theirs("h2")]);
    let seen = fake.seen();
    let cursors: Vec<Option<&str>> = seen
        .iter()
        .filter(|s| s.nsid == LIST)
        .map(|s| s.param("cursor"))
        .collect();
    assert_eq!(
        cursors.iter().filter(|c| c.is_some()).count(),
        3,
        "{cursors:?}"
    );
}

#[tokio::test]
async fn an_expired_token_is_refreshed_once_and_the_call_retried() {
    let fake = FakeBluesky::start().await;
    fake.add_notification(&theirs("a"), "mention", "halo", &at(1), None);
    let b = client(&fake, 50);
    b.poll(None).await.unwrap();
    fake.with(|s| s.expire_access());
    let page = b.poll(None).await.unwrap();
    assert_eq!(ids(&page), [theirs("a")]);
    fake.with(|s| {
        assert_eq!((s.create_calls, s.refresh_calls), (1, 1));
    });
    let seen = fake.seen();
    let refresh = seen
        .iter()
        .find(|s| s.nsid == "com.atproto.server.refreshSession")
        .unwrap();
    assert_eq!(
        refresh.authorization.as_deref(),
        Some("Bearer ref-1"),
        "refresh uses the refreshJwt"
    );
    let lists: Vec<Option<&str>> = seen
        .iter()
        .filter(|s| s.nsid == LIST)
        .map(|s| s.authorization.as_deref())
        .collect();
    assert_eq!(
        lists,
        [
            Some("Bearer acc-1"),
            Some("Bearer acc-1"),
            Some("Bearer acc-2")
        ]
    );
    // The new pair is kept: the next call needs no refresh.
    b.poll(None).await.unwrap();
    assert_eq!(fake.with(|s| s.refresh_calls), 1);
}

#[tokio::test]
async fn a_failed_refresh_creates_a_new_session() {
    let fake = FakeBluesky::start().await;
    let b = client(&fake, 50);
    b.poll(None).await.unwrap();
    fake.with(|s| {
        s.expire_access();
        s.refresh_broken = true;
    });
    b.poll(None).await.unwrap();
    assert_eq!(fake.with(|s| (s.create_calls, s.refresh_calls)), (2, 1));
    assert_eq!(
        fake.seen().last().unwrap().authorization.as_deref(),
        Some("Bearer acc-2")
    );
}

#[tokio::test]
async fn the_create_session_limit_is_respected() {
    let fake = FakeBluesky::start().await;
    fake.with(|s| s.create_budget = 0);
    let b = client(&fake, 50);
    for _ in 0..3 {
        match b.poll(None).await.unwrap_err() {
            ConnectorError::RateLimited {
                retry_after: Some(wait),
                ..
            } => {
                assert!(
                    wait > Duration::from_secs(290) && wait <= Duration::from_secs(300),
                    "{wait:?}"
                );
            }
            other => panic!("expected RateLimited, got {other:?}"),
        }
    }
    assert_eq!(
        fake.with(|s| s.create_calls),
        1,
        "no createSession until the reset"
    );
    assert_eq!(fake.calls(LIST), 0);
}

#[tokio::test]
async fn a_refused_app_password_asks_for_a_reconnect() {
    let fake = FakeBluesky::start().await;
    let config = BlueskyConfig::new(
        &fake.base(),
        HANDLE,
        SecretString::from("wrong-pass-word-here"),
    );
    let err = BlueskyClient::new(loopback_http(), config)
        .poll(None)
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConnectorError::TokenExpired(ref d) if d.contains("app password")),
        "{err:?}"
    );
}

#[tokio::test]
async fn rate_limits_5xx_and_malformed_bodies() {
    let fake = FakeBluesky::start().await;
    fake.add_notification(&theirs("a"), "mention", "halo", &at(1), None);
    fake.with(|s| {
        s.failures
            .push_back(Failure::RateLimited { reset_in_secs: 120 });
        s.failures.push_back(Failure::Status(502));
        s.failures
            .push_back(Failure::Body("{\"notifications\": 5}"));
        s.failures.push_back(Failure::Body("<html>"));
    });
    let b = client(&fake, 50);
    match b.poll(None).await.unwrap_err() {
        ConnectorError::RateLimited {
            retry_after: Some(wait),
            detail,
        } => {
            assert!(
                wait > Duration::from_secs(115) && wait <= Duration::from_secs(120),
                "{wait:?}"
            );
            assert!(detail.contains("RateLimitExceeded"), "{detail}");
        }
        other => panic!("expected RateLimited, got {other:?}"),
    }
    assert!(matches!(
        b.poll(None).await.unwrap_err(),
        ConnectorError::Unavailable { .. }
    ));
    assert!(matches!(
        b.poll(None).await.unwrap_err(),
        ConnectorError::Malformed(_)
    ));
    assert!(matches!(
        b.poll(None).await.unwrap_err(),
        ConnectorError::Malformed(_)
    ));
    assert_eq!(
        ids(&b.poll(None).await.unwrap()),
        [theirs("a")],
        "then it works again"
    );
    assert_eq!(
        fake.calls(CREATE_SESSION),
        1,
        "errors do not drop the session"
    );
}

#[tokio::test]
async fn bad_items_are_rejected_and_the_rest_kept() {
    let fake = FakeBluesky::start().await;
    fake.add_notification(&theirs("ok"), "mention", "baik", &at(1), None);
    fake.add_notification(&theirs("empty"), "mention", "   ", &at(2), None);
    fake.with(|s| {
        let mut no_author = s.notifications[0].clone();
        no_author["uri"] = theirs("noauthor").into();
        no_author.as_object_mut().unwrap().remove("author");
        let mut bad_date = s.notifications[0].clone();
        bad_date["uri"] = theirs("baddate").into();
        bad_date["record"]["createdAt"] = "15/01/2025".into();
        let mut no_index = s.notifications[0].clone();
        no_index["uri"] = theirs("noindex").into();
        no_index["indexedAt"] = "kemarin".into();
        s.notifications.extend([no_author, bad_date, no_index]);
    });
    let page = client(&fake, 50).poll(None).await.unwrap();
    assert_eq!(ids(&page), [theirs("ok")]);
    let reason = |rkey: &str| {
        page.rejected
            .iter()
            .find(|r| r.external_id.as_deref() == Some(theirs(rkey).as_str()))
            .map(|r| r.reason.clone())
            .unwrap()
    };
    assert_eq!(page.rejected.len(), 4, "{:?}", page.rejected);
    assert!(reason("empty").contains("text"));
    assert!(reason("noauthor").contains("author"));
    assert!(reason("baddate").contains("createdAt"));
    assert!(reason("noindex").contains("indexedAt"));
}

#[tokio::test]
async fn a_reply_carries_strong_refs_and_byte_exact_facets() {
    let fake = FakeBluesky::start().await;
    let root = ours("3k4duaz5vfs2b");
    let parent = theirs("3k4dv2abc");
    fake.add_post(&root, "Info banjir", None);
    fake.add_notification(
        &parent,
        "reply",
        "Daerah Kemayoran aman?",
        &at(4),
        Some((&root, &root)),
    );
    fake.with(|s| {
        s.handles
            .insert("bpbd.example.go.id".into(), "did:plc:bpbd".into());
    });
    let b = client(&fake, 50);
    let text = "Terima kasih 🙏🏽 Pak/Bu, info dari @bpbd.example.go.id: cek peta genangan di https://bpbd.example.go.id/peta #BanjirJakarta (@tidak.ada.example)";
    let reply = b.reply(&id(&parent), None, text).await.unwrap();
    let created = fake.with(|s| s.created.clone());
    assert_eq!(
        created.len(),
        1,
        "fake accepted the record (it checks cids and facet offsets)"
    );
    let record = &created[reply.as_ref()];
    assert_eq!(record["text"], text);
    assert_eq!(record["reply"]["parent"]["uri"], parent.as_str());
    assert_eq!(record["reply"]["parent"]["cid"], cid_of(&parent));
    assert_eq!(
        record["reply"]["root"]["uri"],
        root.as_str(),
        "root comes from the parent's record"
    );
    assert_eq!(record["reply"]["root"]["cid"], cid_of(&root));
    assert_eq!(record["langs"][0], "id");
    let facets = record["facets"].as_array().unwrap();
    let ranges: Vec<(u64, u64, &str)> = facets
        .iter()
        .map(|f| {
            (
                f["index"]["byteStart"].as_u64().unwrap(),
                f["index"]["byteEnd"].as_u64().unwrap(),
                f["features"][0]["$type"].as_str().unwrap(),
            )
        })
        .collect();
    // "Terima kasih " is 13 bytes, 🙏🏽 8, so the mention starts at 13+8+" Pak/Bu, info dari ".len() = 40.
    assert_eq!(
        ranges,
        [
            (40, 59, "app.bsky.richtext.facet#mention"),
            (82, 113, "app.bsky.richtext.facet#link"),
            (114, 128, "app.bsky.richtext.facet#tag"),
        ],
        "the unresolvable @tidak.ada.example stays plain text"
    );
    assert_eq!(facets[0]["features"][0]["did"], "did:plc:bpbd");
    assert_eq!(&text[82..113], "https://bpbd.example.go.id/peta");
    let nsids: Vec<String> = fake.seen().into_iter().map(|s| s.nsid).collect();
    assert_eq!(
        nsids
            .iter()
            .filter(|n| *n == "app.bsky.feed.getPosts")
            .count(),
        1
    );
    assert_eq!(
        nsids
            .iter()
            .filter(|n| *n == "com.atproto.repo.createRecord")
            .count(),
        1
    );
    assert_eq!(
        nsids
            .iter()
            .filter(|n| *n == "com.atproto.identity.resolveHandle")
            .count(),
        2
    );
}

#[tokio::test]
async fn a_reply_to_a_top_level_post_uses_it_as_root() {
    let fake = FakeBluesky::start().await;
    let parent = theirs("top");
    fake.add_notification(
        &parent,
        "mention",
        "@humas.example.go.id tolong",
        &at(1),
        None,
    );
    let b = client(&fake, 50);
    let reply = b
        .reply(&id(&parent), None, "Baik, kami cek.")
        .await
        .unwrap();
    let record = fake.with(|s| s.created[reply.as_ref()].clone());
    assert_eq!(record["reply"]["root"], record["reply"]["parent"]);
    assert_eq!(record["reply"]["root"]["uri"], parent.as_str());
    assert!(record.get("facets").is_none());
    let err = b
        .reply(&id(&theirs("gone")), None, "Baik")
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::NotFound(_)), "{err:?}");
    let before = fake.seen().len();
    let err = b
        .reply(&id(&parent), None, &"kata ".repeat(70))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Refused(ref m) if m.contains("300")),
        "{err:?}"
    );
    assert_eq!(fake.seen().len(), before, "too long: nothing sent");
    assert_eq!(fake.with(|s| s.created.len()), 1);
}

#[tokio::test]
async fn delete_ours_refuse_theirs_and_hide_is_unsupported() {
    let fake = FakeBluesky::start().await;
    let parent = theirs("top");
    fake.add_notification(&parent, "mention", "halo", &at(1), None);
    let b = client(&fake, 50);
    let reply = b.reply(&id(&parent), None, "Terima kasih").await.unwrap();
    b.delete(&reply).await.unwrap();
    assert_eq!(fake.with(|s| s.deleted.clone()), [reply.to_string()]);
    let delete = fake
        .seen()
        .into_iter()
        .find(|s| s.nsid == "com.atproto.repo.deleteRecord")
        .unwrap();
    let body = delete.body.unwrap();
    assert_eq!(body["repo"], DID);
    assert_eq!(body["collection"], "app.bsky.feed.post");
    assert_eq!(body["rkey"], reply.as_ref().rsplit('/').next().unwrap());

    let before = fake.seen().len();
    let err = b.delete(&id(&parent)).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Refused(ref m) if m.contains("cannot delete")),
        "{err:?}"
    );
    let err = b
        .delete(&id("https://bsky.app/profile/x/post/y"))
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Refused(_)), "{err:?}");
    let err = b.set_hidden(&id(&parent), true).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Unsupported(_)), "{err:?}");
    assert_eq!(fake.seen().len(), before);
}

#[tokio::test]
async fn ssrf_guard_and_outage() {
    let fake = FakeBluesky::start().await;
    let config = BlueskyConfig::new(&fake.base(), HANDLE, SecretString::from(PASSWORD));
    let err = BlueskyClient::new(Http::new(FetchOptions::default()).unwrap(), config)
        .poll(None)
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Target(_)), "{err:?}");
    assert!(fake.seen().is_empty());

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let config = BlueskyConfig::new(
        &format!("http://{addr}"),
        HANDLE,
        SecretString::from(PASSWORD),
    );
    let err = BlueskyClient::new(loopback_http(), config)
        .poll(None)
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Transport(_)), "{err:?}");
}

#[test]
fn config_debug_never_shows_the_password() {
    let config = BlueskyConfig::new("https://bsky.social", HANDLE, SecretString::from(PASSWORD));
    assert!(!format!("{config:?}").contains(PASSWORD));
}

#[tokio::test]
async fn a_slow_pds_is_a_timeout() {
    let fake = FakeBluesky::start().await;
    fake.with(|s| s.latency = Duration::from_millis(1500));
    let http = Http::new(FetchOptions {
        allowed_addresses: vec!["127.0.0.1".parse::<IpAddr>().unwrap()],
        timeout: Duration::from_millis(300),
        ..Default::default()
    })
    .unwrap();
    let config = BlueskyConfig::new(&fake.base(), HANDLE, SecretString::from(PASSWORD));
    let err = BlueskyClient::new(http, config)
        .poll(None)
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Timeout), "{err:?}");
}

/// The fake's facet check is what makes the reply test meaningful: offsets counted in
/// characters instead of UTF-8 bytes must be refused.
#[tokio::test]
async fn the_fake_refuses_character_offsets() {
    let fake = FakeBluesky::start().await;
    let b = client(&fake, 50);
    b.did().await.unwrap(); // creates session acc-1
    let text = "Hujan 🌧️ cek https://bpbd.example.go.id/peta";
    let chars_start = text.chars().position(|c| c == 'h').unwrap();
    let bytes_start = text.find("https").unwrap();
    assert_ne!(chars_start, bytes_start);
    let post = |start: usize| {
        let record = serde_json::json!({
            "repo": DID, "collection": "app.bsky.feed.post",
            "record": {"$type": "app.bsky.feed.post", "text": text, "createdAt": "2025-01-15T03:00:00.000Z",
                "facets": [{"index": {"byteStart": start, "byteEnd": start + 31},
                    "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://bpbd.example.go.id/peta"}]}]}
        });
        let url = format!("{}/xrpc/com.atproto.repo.createRecord", fake.base());
        async move {
            reqwest::Client::new()
                .post(url)
                .bearer_auth("acc-1")
                .json(&record)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(post(chars_start).await, 400);
    assert_eq!(post(bytes_start).await, 200);
}

#[tokio::test]
async fn a_handle_lookup_outage_stops_the_reply_instead_of_dropping_the_link() {
    let fake = FakeBluesky::start().await;
    let parent = theirs("top");
    fake.add_notification(&parent, "mention", "halo", &at(1), None);
    fake.with(|s| {
        s.fail_on.insert(
            "com.atproto.identity.resolveHandle".into(),
            Failure::Status(503),
        );
    });
    let b = client(&fake, 50);
    let text = "Info dari @humas.example.go.id";
    let err = b.reply(&id(&parent), None, text).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Unavailable { .. }), "{err:?}");
    assert!(fake.with(|s| s.created.is_empty()));
    // Retried once the PDS is back: the mention gets its facet.
    let reply = b.reply(&id(&parent), None, text).await.unwrap();
    let record = fake.with(|s| s.created[reply.as_ref()].clone());
    assert_eq!(record["facets"][0]["features"][0]["did"], DID);
    assert_eq!(record["facets"][0]["index"]["byteStart"], 10);
    assert_eq!(record["facets"][0]["index"]["byteEnd"], 30);
}

#[tokio::test]
async fn the_first_poll_pages_back_through_a_week_of_history() {
    let fake = FakeBluesky::start().await;
    history(&fake);
    let b = backfilling(&fake, 3, None);
    let p1 = b.poll(None).await.unwrap();
    assert_eq!(ids(&p1), week(5..=7));
    assert!(p1.more, "the walk goes on");
    let p2 = b.poll(p1.cursor.as_deref()).await.unwrap();
    assert_eq!(ids(&p2), week(2..=4));
    assert!(p2.more);
    let p3 = b.poll(p2.cursor.as_deref()).await.unwrap();
    assert_eq!(
        ids(&p3),
        week(0..=1),
        "old8 is eight days old: past the bound, and so is everything after it"
    );
    assert!(!p3.more, "the walk ended at the bound");
    assert_eq!(
        fake.calls(LIST),
        3,
        "three pages, nothing read past the bound"
    );

    // Then the usual walks from the newest: only what is new, nothing twice.
    let idle = b.poll(p3.cursor.as_deref()).await.unwrap();
    assert!(idle.messages.is_empty());
    fake.add_notification(&theirs("new"), "reply", "baru", &hours_ago(0), None);
    let next = b.poll(p3.cursor.as_deref()).await.unwrap();
    assert_eq!(ids(&next), [theirs("new")]);
    assert!(!next.more);
}

#[tokio::test]
async fn the_backfill_stops_at_its_count() {
    let fake = FakeBluesky::start().await;
    history(&fake);
    let bound = Backfill {
        max_items: 4,
        ..Backfill::default()
    };
    let b = backfilling(&fake, 3, Some(bound));
    let p1 = b.poll(None).await.unwrap();
    let p2 = b.poll(p1.cursor.as_deref()).await.unwrap();
    assert_eq!(ids(&p2), week(4..=4), "four in all, the newest four");
    assert!(!p2.more);
    fake.add_notification(&theirs("new"), "mention", "baru", &hours_ago(0), None);
    let next = b.poll(p2.cursor.as_deref()).await.unwrap();
    assert_eq!(ids(&next), [theirs("new")]);
}

#[tokio::test]
async fn a_rate_limit_mid_backfill_resumes_later_without_loss() {
    let fake = FakeBluesky::start().await;
    history(&fake);
    let b = backfilling(&fake, 3, None);
    let mut read: Vec<String> = Vec::new();
    let p1 = b.poll(None).await.unwrap();
    read.extend(ids(&p1));
    fake.with(|s| {
        s.failures
            .push_back(Failure::RateLimited { reset_in_secs: 60 });
    });
    assert!(matches!(
        b.poll(p1.cursor.as_deref()).await.unwrap_err(),
        ConnectorError::RateLimited { .. }
    ));
    // A new one arrives while the walk waits: the walk started below it, so it comes after.
    fake.add_notification(&theirs("new"), "mention", "baru", &hours_ago(0), None);
    let mut cursor = p1.cursor.clone();
    loop {
        let page = b.poll(cursor.as_deref()).await.unwrap();
        read.extend(ids(&page));
        if page.cursor.is_some() {
            cursor = page.cursor;
        }
        if !page.more {
            break;
        }
    }
    let next = b.poll(cursor.as_deref()).await.unwrap();
    read.extend(ids(&next));
    read.sort();
    let mut expected = week(0..=7);
    expected.push(theirs("new"));
    expected.sort();
    assert_eq!(read, expected, "every one once, none older than a week");
}
