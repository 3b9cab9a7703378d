//! Publishing to X against the fake X API v2 (platform notes sections 3.3, 3.5 and 11): the
//! chunked media upload, alt text, the post body, the refresh path in the middle of an upload,
//! error mapping, the duplicate-content refusal and reconciliation.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

#[path = "fakes/x.rs"]
mod fake;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::http::Method;
use fake::{Failure, FakeX};
use humas_connectors::ConnectorError;
use humas_connectors::http::Http;
use humas_connectors::outbound::{
    Engagement, MediaKind, OutboundMedia, OutboundPost, PublishOutcome, Published, Publisher,
};
use humas_connectors::x::{MEDIA_CHUNK_BYTES, MediaPoll, XClient, XConfig, XRefresh};
use humas_feeds::fetch::FetchOptions;
use jiff::{SignedDuration, Timestamp};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;

const ME: &str = "2244994945";
const TOKEN: &str = "x-user-token";
const UPLOAD: &str = "/2/media/upload";

fn loopback_http() -> Http {
    Http::new(FetchOptions {
        allowed_addresses: vec!["127.0.0.1".parse::<IpAddr>().unwrap()],
        ..Default::default()
    })
    .unwrap()
}

fn config(fake: &FakeX) -> XConfig {
    let mut config = XConfig::new(&fake.base(), ME, SecretString::from(TOKEN));
    config.media_poll = MediaPoll {
        interval: Duration::from_millis(2),
        attempts: 5,
    };
    config
}

fn client(fake: &FakeX) -> XClient {
    XClient::new(loopback_http(), config(fake))
}

fn media(
    kind: MediaKind,
    mime: &str,
    name: &str,
    bytes: Vec<u8>,
    alt: Option<&str>,
) -> OutboundMedia {
    OutboundMedia {
        kind,
        mime: mime.into(),
        file_name: name.into(),
        bytes: Arc::new(bytes),
        public_url: None,
        alt_text: alt.map(str::to_owned),
        width: None,
        height: None,
        duration_ms: None,
    }
}

fn jpeg(name: &str, alt: Option<&str>) -> OutboundMedia {
    media(
        MediaKind::Image,
        "image/jpeg",
        name,
        format!("JPEG {name}").into_bytes(),
        alt,
    )
}

fn post(text: &str, media: Vec<OutboundMedia>) -> OutboundPost {
    OutboundPost {
        text: text.into(),
        media,
        idempotency_key: "0195f3c2-7d1e-7c3a-9f00-000000000002".into(),
        intent_at: Timestamp::now(),
    }
}

fn published(outcome: PublishOutcome) -> Published {
    match outcome {
        PublishOutcome::Published(p) => p,
        PublishOutcome::Pending { handle } => panic!("expected published, got pending {handle}"),
    }
}

/// The upload requests with `command`, in order.
fn commands(fake: &FakeX, command: &str) -> Vec<fake::Seen> {
    fake.requests(Method::POST, UPLOAD)
        .into_iter()
        .filter(|r| r.command().as_deref() == Some(command))
        .collect()
}

#[tokio::test]
async fn a_text_post_sends_only_the_text() {
    let fake = FakeX::start(ME, TOKEN).await;
    let done = published(
        client(&fake)
            .publish(&post("Info layanan SIM keliling hari ini", vec![]))
            .await
            .unwrap(),
    );
    let tweets = fake.requests(Method::POST, "/2/tweets");
    assert_eq!(tweets.len(), 1);
    assert_eq!(
        tweets[0].body,
        Some(json!({"text": "Info layanan SIM keliling hari ini"})),
        "no media key without media"
    );
    assert_eq!(
        done.url,
        Some(format!("https://x.com/i/web/status/{}", done.external_id))
    );
    assert!(fake.with(|s| s.posted.contains_key(&done.external_id)));
    assert!(fake.requests(Method::POST, UPLOAD).is_empty());
}

#[tokio::test]
async fn images_are_uploaded_in_order_with_alt_text_then_attached() {
    let fake = FakeX::start(ME, TOKEN).await;
    let images = vec![
        jpeg("peta.jpg", Some("Peta genangan di Jakarta Utara")),
        jpeg("foto.jpg", None),
    ];
    published(
        client(&fake)
            .publish(&post("Waspada banjir", images))
            .await
            .unwrap(),
    );

    let inits = commands(&fake, "INIT");
    assert_eq!(inits.len(), 2);
    assert_eq!(inits[0].field("media_type").as_deref(), Some("image/jpeg"));
    assert_eq!(
        inits[0].field("total_bytes").as_deref(),
        Some("JPEG peta.jpg".len().to_string().as_str())
    );
    assert_eq!(
        inits[0].field("media_category").as_deref(),
        Some("tweet_image")
    );
    let appends = commands(&fake, "APPEND");
    assert_eq!(appends.len(), 2);
    assert_eq!(appends[0].field("segment_index").as_deref(), Some("0"));
    let part = appends[0].parts.iter().find(|p| p.name == "media").unwrap();
    assert_eq!(part.bytes, b"JPEG peta.jpg");
    assert_eq!(commands(&fake, "FINALIZE").len(), 2);
    assert!(
        fake.requests(Method::GET, UPLOAD).is_empty(),
        "images need no STATUS"
    );

    let ids: Vec<String> = fake.with(|s| s.uploads.keys().cloned().collect());
    let metadata = fake.requests(Method::POST, "/2/media/metadata");
    assert_eq!(metadata.len(), 1, "only the image with alt text");
    assert_eq!(
        metadata[0].body,
        Some(
            json!({"id": ids[0], "metadata": {"alt_text": {"text": "Peta genangan di Jakarta Utara"}}})
        )
    );
    let tweet = &fake.requests(Method::POST, "/2/tweets")[0];
    assert_eq!(
        tweet.body,
        Some(json!({"text": "Waspada banjir", "media": {"media_ids": ids}}))
    );
}

#[tokio::test]
async fn a_video_goes_up_in_one_mebibyte_segments_and_is_waited_for() {
    let fake = FakeX::start(ME, TOKEN).await;
    fake.with(|s| s.processing_checks = 2);
    let bytes: Vec<u8> = (0..MEDIA_CHUNK_BYTES * 5 / 2)
        .map(|i| (i % 251) as u8)
        .collect();
    let video = media(
        MediaKind::Video,
        "video/mp4",
        "banjir.mp4",
        bytes.clone(),
        Some("ignored"),
    );
    published(
        client(&fake)
            .publish(&post("Video banjir", vec![video]))
            .await
            .unwrap(),
    );

    let init = &commands(&fake, "INIT")[0];
    assert_eq!(init.field("media_category").as_deref(), Some("tweet_video"));
    assert_eq!(init.field("total_bytes"), Some(bytes.len().to_string()));
    let appends = commands(&fake, "APPEND");
    let sizes: Vec<usize> = appends
        .iter()
        .map(|a| {
            a.parts
                .iter()
                .find(|p| p.name == "media")
                .unwrap()
                .bytes
                .len()
        })
        .collect();
    assert_eq!(
        sizes,
        [MEDIA_CHUNK_BYTES, MEDIA_CHUNK_BYTES, MEDIA_CHUNK_BYTES / 2]
    );
    let indexes: Vec<String> = appends
        .iter()
        .map(|a| a.field("segment_index").unwrap())
        .collect();
    assert_eq!(indexes, ["0", "1", "2"]);
    let upload = fake.with(|s| s.uploads.values().next().cloned().unwrap());
    assert_eq!(
        upload
            .segments
            .values()
            .flatten()
            .copied()
            .collect::<Vec<u8>>(),
        bytes
    );

    let status = fake.requests(Method::GET, UPLOAD);
    assert_eq!(status.len(), 2, "checked until succeeded");
    let id = fake.with(|s| s.uploads.keys().next().cloned().unwrap());
    assert_eq!(status[0].param("command"), Some("STATUS"));
    assert_eq!(status[0].param("media_id"), Some(id.as_str()));
    assert!(
        fake.requests(Method::POST, "/2/media/metadata").is_empty(),
        "no alt text call for a video"
    );
    assert_eq!(fake.with(|s| s.posted.len()), 1);
}

#[tokio::test]
async fn a_gif_is_its_own_category() {
    let fake = FakeX::start(ME, TOKEN).await;
    let gif = media(
        MediaKind::Image,
        "image/gif",
        "a.gif",
        b"GIF89a".to_vec(),
        None,
    );
    published(
        client(&fake)
            .publish(&post("Animasi", vec![gif]))
            .await
            .unwrap(),
    );
    assert_eq!(
        commands(&fake, "INIT")[0]
            .field("media_category")
            .as_deref(),
        Some("tweet_gif")
    );
}

#[tokio::test]
async fn failed_or_endless_processing_posts_nothing() {
    let fake = FakeX::start(ME, TOKEN).await;
    fake.with(|s| {
        s.processing_checks = 1;
        s.processing_fails = true;
    });
    let video = || media(MediaKind::Video, "video/mp4", "v.mp4", vec![1; 100], None);
    let err = client(&fake)
        .publish(&post("Gagal", vec![video()]))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Refused(ref m) if m.contains("Unsupported video format")),
        "{err}"
    );

    fake.with(|s| {
        s.processing_checks = 1000;
        s.processing_fails = false;
    });
    let err = client(&fake)
        .publish(&post("Lama", vec![video()]))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Unavailable { .. }) && err.is_transient(),
        "{err}"
    );
    let status = fake.requests(Method::GET, UPLOAD);
    assert_eq!(
        status.len(),
        1 + 5,
        "one check for the failure, then the configured five"
    );
    assert!(fake.with(|s| s.posted.is_empty()));
}

#[tokio::test]
async fn posts_x_cannot_take_are_refused_before_any_request() {
    let fake = FakeX::start(ME, TOKEN).await;
    let video = media(MediaKind::Video, "video/mp4", "v.mp4", vec![1; 10], None);
    let cases = [
        post("Campur", vec![jpeg("a.jpg", None), video]),
        post(
            "Lima",
            (0..5).map(|i| jpeg(&format!("{i}.jpg"), None)).collect(),
        ),
        post(&"a".repeat(281), vec![]),
        post("   ", vec![]),
    ];
    for case in &cases {
        let err = client(&fake).publish(case).await.unwrap_err();
        assert!(matches!(err, ConnectorError::Refused(_)), "{err}");
    }
    let err = client(&fake).publish(&cases[2]).await.unwrap_err();
    assert!(err.to_string().contains("281"), "{err}");
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn a_token_expiring_mid_upload_is_refreshed_and_the_segment_sent_again() {
    let fake = FakeX::start(ME, TOKEN).await;
    fake.with(|s| {
        s.refresh_tokens.insert("x-refresh-0".into());
        s.failures_for
            .push(("POST /2/media/upload APPEND".into(), Failure::Unauthorized));
    });
    let mut config = config(&fake);
    config.refresh = Some(XRefresh {
        client_id: "humas-client".into(),
        client_secret: None,
        refresh_token: SecretString::from("x-refresh-0"),
    });
    let x = XClient::new(loopback_http(), config);
    published(
        x.publish(&post("Setelah refresh", vec![jpeg("a.jpg", None)]))
            .await
            .unwrap(),
    );

    assert_eq!(fake.with(|s| s.refresh_calls), 1);
    let appends = commands(&fake, "APPEND");
    assert_eq!(appends.len(), 2);
    assert_eq!(
        appends[1].authorization.as_deref(),
        Some("Bearer x-access-1")
    );
    // The repeated request carries the whole multipart body again.
    let part = appends[1].parts.iter().find(|p| p.name == "media").unwrap();
    assert_eq!(part.bytes, b"JPEG a.jpg");
    assert_eq!(
        x.take_refreshed_tokens()
            .await
            .unwrap()
            .access_token
            .expose_secret(),
        "x-access-1"
    );
    assert_eq!(fake.with(|s| s.posted.len()), 1);
}

#[tokio::test]
async fn post_errors_map_to_x_signals() {
    let fake = FakeX::start(ME, TOKEN).await;
    let x = client(&fake);
    let text = |t: &str| post(t, vec![]);

    fake.with(|s| {
        s.failures_for
            .push(("POST /2/tweets".into(), Failure::Status(503)))
    });
    let err = x.publish(&text("Satu")).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Unavailable { .. }) && err.is_transient(),
        "{err}"
    );
    published(x.publish(&text("Satu")).await.unwrap());

    fake.with(|s| {
        s.failures_for.push((
            "POST /2/tweets".into(),
            Failure::RateLimited { reset_in_secs: 600 },
        ))
    });
    match x.publish(&text("Dua")).await.unwrap_err() {
        ConnectorError::RateLimited { retry_after, .. } => {
            let wait = retry_after.unwrap();
            assert!(
                wait <= Duration::from_secs(600) && wait >= Duration::from_secs(590),
                "{wait:?}"
            );
        }
        other => panic!("expected a rate limit, got {other}"),
    }

    fake.with(|s| {
        s.failures_for
            .push(("POST /2/tweets".into(), Failure::Body("{\"data\": ")))
    });
    assert!(matches!(
        x.publish(&text("Tiga")).await,
        Err(ConnectorError::Malformed(_))
    ));

    fake.with(|s| s.token = "revoked".into());
    assert!(matches!(
        x.publish(&text("Empat")).await,
        Err(ConnectorError::TokenExpired(_))
    ));
}

#[tokio::test]
async fn a_duplicate_refusal_after_a_crash_is_the_earlier_success() {
    let fake = FakeX::start(ME, TOKEN).await;
    let mut sent = post("Jalan tol ditutup sementara", vec![]);
    sent.intent_at = Timestamp::now() - SignedDuration::from_secs(1);
    let first = published(client(&fake).publish(&sent).await.unwrap());

    // The answer was lost; the worker sends again and X refuses the duplicate.
    let again = published(client(&fake).publish(&sent).await.unwrap());
    assert_eq!(again, first);
    assert_eq!(fake.with(|s| s.posted.len()), 1);

    // The same text as an older post of ours, for a new intent: a real refusal.
    let mut new_intent = sent.clone();
    new_intent.intent_at = Timestamp::now() + SignedDuration::from_secs(30);
    let err = client(&fake).publish(&new_intent).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Refused(ref m) if m.contains("X refuses a post identical to a recent one")),
        "{err}"
    );
}

#[tokio::test]
async fn reconciliation_matches_text_with_links_rewritten_by_x() {
    let fake = FakeX::start(ME, TOKEN).await;
    let mut sent = post(
        "Info SIM keliling & layanan: https://example.go.id/sim hari ini",
        vec![jpeg("sim.jpg", None)],
    );
    sent.intent_at = Timestamp::now() - SignedDuration::from_millis(1500);
    let done = published(client(&fake).publish(&sent).await.unwrap());

    let found = client(&fake).find_published(&sent).await.unwrap();
    assert_eq!(found, Some(done));
    let asked = fake.requests(Method::GET, &format!("/2/users/{ME}/tweets"));
    let start = Timestamp::from_second(sent.intent_at.as_second() - 5).unwrap();
    assert_eq!(
        asked[0].param("start_time"),
        Some(start.to_string().as_str())
    );
    assert!(
        !asked[0].param("start_time").unwrap().contains('.'),
        "whole seconds, as X expects"
    );
    assert_eq!(asked[0].param("max_results"), Some("20"));
    assert_eq!(asked[0].param("tweet.fields"), Some("created_at,text"));

    let other = post("Info SIM keliling besok", vec![]);
    assert_eq!(client(&fake).find_published(&other).await.unwrap(), None);
    let mut later = sent.clone();
    later.intent_at = Timestamp::now() + SignedDuration::from_secs(60);
    assert_eq!(client(&fake).find_published(&later).await.unwrap(), None);
}

#[tokio::test]
async fn engagement_reads_public_metrics() {
    let fake = FakeX::start(ME, TOKEN).await;
    fake.with(|s| {
        s.metrics.insert(
            "1456012973835788293".into(),
            json!({"retweet_count": 4, "reply_count": 7, "like_count": 31, "quote_count": 2,
                   "bookmark_count": 1, "impression_count": 980}),
        )
    });
    let figures = client(&fake)
        .engagement("1456012973835788293")
        .await
        .unwrap();
    assert_eq!(
        figures,
        Engagement {
            likes: 31,
            comments: 7,
            shares: 6,
            views: Some(980)
        }
    );
    let asked = fake.requests(Method::GET, "/2/tweets/1456012973835788293");
    assert_eq!(asked[0].param("tweet.fields"), Some("public_metrics"));

    let err = client(&fake).engagement("999").await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::NotFound(ref m) if m.contains("Could not find tweet")),
        "{err}"
    );
}
