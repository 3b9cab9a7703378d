//! Publishing our own posts on Mastodon against a local fake instance.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

#[path = "fakes/mastodon.rs"]
mod fake;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use fake::{Failure, FakeMastodon, status_html};
use humas_connectors::ConnectorError;
use humas_connectors::http::Http;
use humas_connectors::mastodon::{MastodonClient, MastodonConfig};
use humas_connectors::outbound::{
    MediaKind, OutboundMedia, OutboundPost, PublishOutcome, Published, Publisher,
};
use humas_feeds::fetch::FetchOptions;
use jiff::{SignedDuration, Timestamp};
use secrecy::SecretString;
use serde_json::json;

const TOKEN: &str = "masto-token";
const STATUSES: &str = "/api/v1/statuses";
const MEDIA: &str = "/api/v2/media";

fn http(timeout: Duration) -> Http {
    Http::new(FetchOptions {
        allowed_addresses: vec!["127.0.0.1".parse::<IpAddr>().unwrap()],
        timeout,
        ..Default::default()
    })
    .unwrap()
}

fn config(fake: &FakeMastodon) -> MastodonConfig {
    let mut config = MastodonConfig::new(&fake.base(), "14715", SecretString::from(TOKEN));
    config.media_poll_interval = Duration::from_millis(10);
    config.media_wait_limit = Duration::from_secs(5);
    config
}

fn client(fake: &FakeMastodon) -> MastodonClient {
    MastodonClient::new(http(Duration::from_secs(5)), config(fake))
}

fn image(name: &str, alt: Option<&str>) -> OutboundMedia {
    OutboundMedia {
        kind: MediaKind::Image,
        mime: "image/jpeg".into(),
        file_name: name.into(),
        bytes: Arc::new(format!("\u{ff}\u{d8} bytes of {name}").into_bytes()),
        public_url: None,
        alt_text: alt.map(str::to_owned),
        width: Some(1200),
        height: Some(800),
        duration_ms: None,
    }
}

fn video(name: &str) -> OutboundMedia {
    OutboundMedia {
        kind: MediaKind::Video,
        mime: "video/mp4".into(),
        file_name: name.into(),
        bytes: Arc::new(b"....ftypmp42 video".to_vec()),
        public_url: None,
        alt_text: Some("Banjir di Kemayoran".into()),
        width: None,
        height: None,
        duration_ms: Some(12_000),
    }
}

fn post(text: &str, media: Vec<OutboundMedia>) -> OutboundPost {
    OutboundPost {
        text: text.into(),
        media,
        idempotency_key: "0194f1c2-7d4e-7c1a-9b1e-5d2a3c4b5e6f".into(),
        intent_at: Timestamp::now(),
    }
}

fn published(outcome: PublishOutcome) -> Published {
    match outcome {
        PublishOutcome::Published(p) => p,
        PublishOutcome::Pending { handle } => panic!("pending {handle}"),
    }
}

fn iso(at: Timestamp) -> String {
    at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[tokio::test]
async fn a_post_with_images_uploads_each_with_alt_text_then_posts_once_with_the_key() {
    let fake = FakeMastodon::start(TOKEN).await;
    let p = post(
        "Info banjir hari ini 🌧️ #BanjirJakarta",
        vec![
            image("banjir.jpg", Some("Air setinggi lutut di Jl. Merdeka")),
            image("peta.jpg", None),
        ],
    );
    let result = published(client(&fake).publish(&p).await.unwrap());

    let uploads = fake.requests("POST", MEDIA);
    assert_eq!(uploads.len(), 2);
    let first = &uploads[0];
    assert!(
        first
            .content_type
            .as_deref()
            .unwrap()
            .starts_with("multipart/form-data; boundary="),
        "{:?}",
        first.content_type
    );
    assert_eq!(first.authorization.as_deref(), Some("Bearer masto-token"));
    let file = first.part("file").unwrap();
    assert_eq!(file.file_name.as_deref(), Some("banjir.jpg"));
    assert_eq!(file.content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(file.bytes, *p.media[0].bytes);
    assert_eq!(
        first.part("description").unwrap().text(),
        "Air setinggi lutut di Jl. Merdeka"
    );
    assert!(
        uploads[1].part("description").is_none(),
        "no alt text, no description part"
    );
    assert_eq!(
        uploads[1].part("file").unwrap().file_name.as_deref(),
        Some("peta.jpg")
    );

    let media_ids: Vec<String> = fake.with(|s| s.media.keys().cloned().collect());
    let statuses = fake.requests("POST", STATUSES);
    assert_eq!(statuses.len(), 1);
    assert_eq!(
        statuses[0].body,
        Some(json!({
            "status": "Info banjir hari ini 🌧️ #BanjirJakarta",
            "media_ids": media_ids,
            "visibility": "public",
            "language": "id",
        }))
    );
    assert_eq!(
        statuses[0].idempotency_key.as_deref(),
        Some("0194f1c2-7d4e-7c1a-9b1e-5d2a3c4b5e6f")
    );
    let created = fake.with(|s| s.created.clone());
    assert_eq!(created.len(), 1);
    assert_eq!(result.external_id, created[0]);
    assert_eq!(
        result.url,
        Some(format!("https://social.example/@humas/{}", created[0]))
    );
    let attached = fake.with(|s| s.statuses[&created[0]]["media_attachments"].clone());
    assert_eq!(
        attached[0]["description"],
        "Air setinggi lutut di Jl. Merdeka"
    );
}

#[tokio::test]
async fn a_medium_still_processing_is_polled_until_ready_before_the_status() {
    let fake = FakeMastodon::start(TOKEN).await;
    fake.with(|s| s.media_processing_polls = 2);
    let result = published(
        client(&fake)
            .publish(&post("Video banjir", vec![video("banjir.mp4")]))
            .await
            .unwrap(),
    );
    let id: String = fake.with(|s| s.media.keys().next().cloned().unwrap());
    let path = format!("/api/v1/media/{id}");
    assert_eq!(fake.calls("GET", &path), 3, "206, 206, then 200");
    let order: Vec<String> = fake
        .seen()
        .iter()
        .map(|s| format!("{} {}", s.method, s.path))
        .collect();
    assert_eq!(
        order,
        [
            format!("POST {MEDIA}"),
            format!("GET {path}"),
            format!("GET {path}"),
            format!("GET {path}"),
            format!("POST {STATUSES}"),
        ]
    );
    let attached = fake.with(|s| s.statuses[&result.external_id]["media_attachments"].clone());
    assert_eq!(attached[0]["id"], json!(id));
    assert_eq!(attached[0]["type"], "video");
}

#[tokio::test]
async fn a_medium_that_never_finishes_is_a_transient_failure_and_no_status() {
    let fake = FakeMastodon::start(TOKEN).await;
    fake.with(|s| s.media_processing_polls = 10_000);
    let mut config = config(&fake);
    config.media_wait_limit = Duration::from_millis(200);
    config.media_poll_interval = Duration::from_millis(30);
    let started = std::time::Instant::now();
    let err = MastodonClient::new(http(Duration::from_secs(5)), config)
        .publish(&post("Video", vec![video("v.mp4")]))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Unavailable { detail, .. } if detail.contains("processing")),
        "{err:?}"
    );
    assert!(err.is_transient());
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "the wait is bounded"
    );
    let polls = fake
        .seen()
        .iter()
        .filter(|s| s.path.starts_with("/api/v1/media/"))
        .count();
    assert!(
        (3..=10).contains(&polls),
        "polled about every 30 ms: {polls}"
    );
    assert_eq!(fake.calls("POST", STATUSES), 0);
}

#[tokio::test]
async fn a_retry_after_a_lost_answer_posts_once() {
    let fake = FakeMastodon::start(TOKEN).await;
    fake.with(|s| s.lose_answer_on = Some(format!("POST {STATUSES}")));
    let m = MastodonClient::new(http(Duration::from_millis(500)), config(&fake));
    let p = post("Jadwal pemadaman listrik", vec![]);
    let err = m.publish(&p).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Timeout), "{err:?}");
    assert!(err.is_transient());
    assert_eq!(fake.with(|s| s.created.len()), 1, "the instance made it");

    let result = published(m.publish(&p).await.unwrap());
    let created = fake.with(|s| s.created.clone());
    assert_eq!(
        created.len(),
        1,
        "the replayed key returned the first status"
    );
    assert_eq!(result.external_id, created[0]);
    let keys: Vec<Option<String>> = fake
        .requests("POST", STATUSES)
        .into_iter()
        .map(|s| s.idempotency_key)
        .collect();
    assert_eq!(
        keys,
        [Some(p.idempotency_key.clone()), Some(p.idempotency_key)]
    );
}

#[tokio::test]
async fn find_published_matches_text_after_the_intent_only() {
    let fake = FakeMastodon::start(TOKEN).await;
    let intent = Timestamp::now() - SignedDuration::from_mins(10);
    let text = "Waspada banjir\ncek https://bpbd.example.go.id/peta/terbaru-hari-ini @warga@other.example\n\n#Siaga";
    let html = "<p>Waspada banjir<br />cek <a href=\"https://bpbd.example.go.id/peta/terbaru-hari-ini\" \
                rel=\"nofollow noopener\" target=\"_blank\"><span class=\"invisible\">https://</span>\
                <span class=\"ellipsis\">bpbd.example.go.id/peta/terbar</span><span class=\"invisible\">\
                u-hari-ini</span></a> <span class=\"h-card\"><a href=\"https://other.example/@warga\" \
                class=\"u-url mention\">@<span>warga</span></a></span></p><p><a href=\"https://social.example/tags/Siaga\" \
                class=\"mention hashtag\" rel=\"tag\">#<span>Siaga</span></a></p>";
    // Same text, but an hour before the intent: an older post, not this one.
    fake.add_own_status("100", &iso(intent - SignedDuration::from_hours(1)), html);
    // Within the 5 s allowance for clock skew: this is it.
    fake.add_own_status("101", &iso(intent - SignedDuration::from_secs(3)), html);
    // Another text after the intent.
    fake.add_own_status(
        "102",
        &iso(intent + SignedDuration::from_secs(30)),
        "<p>Lain</p>",
    );
    let m = client(&fake);
    let mut p = post(text, vec![]);
    p.intent_at = intent;
    let found = m.find_published(&p).await.unwrap();
    assert_eq!(
        found,
        Some(Published {
            external_id: "101".into(),
            url: Some("https://social.example/@humas/101".into())
        })
    );
    let list = fake.requests("GET", "/api/v1/accounts/14715/statuses");
    assert_eq!(list[0].param("limit"), Some("40"));
    assert_eq!(list[0].authorization.as_deref(), Some("Bearer masto-token"));

    p.text = "Waspada banjir susulan".into();
    assert_eq!(m.find_published(&p).await.unwrap(), None);
    let mut late = post(text, vec![]);
    late.intent_at = intent + SignedDuration::from_mins(1);
    assert_eq!(
        m.find_published(&late).await.unwrap(),
        None,
        "posted before this intent"
    );
}

#[tokio::test]
async fn find_published_pages_back_to_the_intent() {
    let fake = FakeMastodon::start(TOKEN).await;
    let intent = Timestamp::now() - SignedDuration::from_hours(2);
    fake.add_own_status(
        "1000",
        &iso(intent - SignedDuration::from_mins(5)),
        "<p>lama</p>",
    );
    fake.add_own_status(
        "1001",
        &iso(intent + SignedDuration::from_secs(1)),
        &status_html("Pengumuman"),
    );
    for n in 0..45 {
        fake.add_own_status(
            &format!("{}", 1100 + n),
            &iso(intent + SignedDuration::from_mins(n + 1)),
            &format!("<p>kabar {n}</p>"),
        );
    }
    let mut p = post("Pengumuman", vec![]);
    p.intent_at = intent;
    let found = client(&fake).find_published(&p).await.unwrap();
    assert_eq!(found.map(|f| f.external_id).as_deref(), Some("1001"));
    let pages = fake.requests("GET", "/api/v1/accounts/14715/statuses");
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0].param("max_id"), None);
    assert_eq!(
        pages[1].param("max_id"),
        Some("1105"),
        "the oldest of the first page"
    );
}

#[tokio::test]
async fn engagement_reads_the_counts() {
    let fake = FakeMastodon::start(TOKEN).await;
    fake.add_own_status("555", "2026-01-01T00:00:00.000Z", "<p>x</p>");
    fake.with(|s| {
        let st = s.statuses.get_mut("555").unwrap();
        st["favourites_count"] = json!(12);
        st["replies_count"] = json!(3);
        st["reblogs_count"] = json!(4);
        st["quotes_count"] = json!(1);
    });
    let e = client(&fake).engagement("555").await.unwrap();
    assert_eq!((e.likes, e.comments, e.shares, e.views), (12, 3, 5, None));
    assert_eq!(fake.calls("GET", "/api/v1/statuses/555"), 1);
    let err = client(&fake).engagement("404").await.unwrap_err();
    assert!(matches!(err, ConnectorError::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn failures_map_to_what_the_worker_does_next() {
    let fake = FakeMastodon::start(TOKEN).await;
    let m = client(&fake);
    let p = post("Halo", vec![]);

    fake.with(|s| {
        s.failures
            .push_back(Failure::RateLimited { reset_in_secs: 120 })
    });
    let err = m.publish(&p).await.unwrap_err();
    let ConnectorError::RateLimited {
        retry_after: Some(wait),
        ..
    } = err
    else {
        panic!("{err:?}");
    };
    assert!((115..=120).contains(&wait.as_secs()), "{wait:?}");

    fake.with(|s| {
        s.fail_on
            .insert(format!("POST {STATUSES}"), Failure::Status(503))
    });
    let err = m.publish(&p).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Unavailable { .. }), "{err:?}");
    assert!(err.is_transient());
    published(m.publish(&p).await.unwrap());
    assert_eq!(fake.with(|s| s.created.len()), 1, "503 once, then one post");

    // A new post (its own key: the same key would replay the first status).
    let mut long = post(&"a".repeat(501), vec![]);
    long.idempotency_key = "0194f1c2-0000-7000-8000-000000000501".into();
    let err = m.publish(&long).await.unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Refused(d) if d.contains("422") && d.contains("500 exceeded")),
        "{err:?}"
    );
    assert!(!err.is_transient());

    fake.with(|s| s.failures.push_back(Failure::Body("{\"id\": 12, \"url\":")));
    let err = m.publish(&post("Lain", vec![])).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Malformed(_)), "{err:?}");

    fake.with(|s| s.token = "rotated".into());
    let err = m.publish(&p).await.unwrap_err();
    assert!(matches!(err, ConnectorError::TokenExpired(_)), "{err:?}");
    assert!(!err.is_transient());
}

#[tokio::test]
async fn an_upload_failure_stops_before_the_status() {
    let fake = FakeMastodon::start(TOKEN).await;
    fake.with(|s| {
        s.fail_on
            .insert(format!("POST {MEDIA}"), Failure::Status(500))
    });
    let err = client(&fake)
        .publish(&post("Foto", vec![image("a.jpg", None)]))
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Unavailable { .. }), "{err:?}");
    assert_eq!(fake.calls("POST", STATUSES), 0);
}

#[tokio::test]
async fn posts_mastodon_would_refuse_are_refused_before_any_request() {
    let fake = FakeMastodon::start(TOKEN).await;
    let m = client(&fake);
    let five = (0..5).map(|n| image(&format!("{n}.jpg"), None)).collect();
    let err = m.publish(&post("Lima foto", five)).await.unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Refused(d) if d.contains("at most 4")),
        "{err:?}"
    );
    let err = m.publish(&post("  ", vec![])).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Refused(_)), "{err:?}");
    let mut bad = image("x.jpg", None);
    bad.mime = "not a mime".into();
    let err = m.publish(&post("x", vec![bad])).await.unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Refused(d) if d.contains("MIME")),
        "{err:?}"
    );
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn a_hanging_instance_is_a_timeout() {
    let fake = FakeMastodon::start(TOKEN).await;
    fake.with(|s| s.latency = Duration::from_millis(1500));
    let err = MastodonClient::new(http(Duration::from_millis(300)), config(&fake))
        .publish(&post("Halo", vec![]))
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Timeout), "{err:?}");
}
