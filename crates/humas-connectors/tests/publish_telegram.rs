//! Posting to a Telegram channel through the Bot API against a local fake.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

#[path = "fakes/telegram.rs"]
mod fake;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use fake::{Failure, FakeTelegram, PRIVATE_ID, PUBLIC, PUBLIC_ID, TOKEN};
use humas_connectors::ConnectorError;
use humas_connectors::http::Http;
use humas_connectors::outbound::{
    MediaKind, OutboundMedia, OutboundPost, PublishOutcome, Published, Publisher,
};
use humas_connectors::telegram::{TelegramClient, TelegramConfig};
use humas_feeds::fetch::FetchOptions;
use jiff::Timestamp;
use secrecy::SecretString;
use serde_json::json;

fn http(timeout: Duration) -> Http {
    Http::new(FetchOptions {
        allowed_addresses: vec!["127.0.0.1".parse::<IpAddr>().unwrap()],
        timeout,
        ..Default::default()
    })
    .unwrap()
}

fn config(base: &str, chat_id: &str) -> TelegramConfig {
    TelegramConfig {
        api_base: base.to_owned(),
        bot_token: SecretString::from(TOKEN),
        chat_id: chat_id.to_owned(),
    }
}

fn client(fake: &FakeTelegram, chat_id: &str) -> TelegramClient {
    TelegramClient::new(http(Duration::from_secs(5)), config(&fake.base(), chat_id))
}

fn post(text: &str, media: Vec<OutboundMedia>) -> OutboundPost {
    OutboundPost {
        text: text.into(),
        media,
        idempotency_key: "0194f1c2-7d4e-7c1a-9b1e-5d2a3c4b5e6f".into(),
        intent_at: Timestamp::now(),
    }
}

fn medium(kind: MediaKind, name: &str, mime: &str) -> OutboundMedia {
    OutboundMedia {
        kind,
        mime: mime.into(),
        file_name: name.into(),
        bytes: Arc::new(format!("bytes of {name}").into_bytes()),
        public_url: None,
        alt_text: Some("Air setinggi lutut".into()),
        width: None,
        height: None,
        duration_ms: None,
    }
}

fn published(outcome: PublishOutcome) -> Published {
    match outcome {
        PublishOutcome::Published(p) => p,
        PublishOutcome::Pending { handle } => panic!("pending {handle}"),
    }
}

/// Every form of the token that must never show in an error.
fn assert_no_token(err: &ConnectorError) {
    let text = format!("{err} {err:?}");
    let secret = TOKEN.split(':').nth(1).unwrap();
    assert!(!text.contains(secret), "the token leaked: {text}");
}

#[tokio::test]
async fn text_goes_out_as_plain_text_with_a_link_preview() {
    let fake = FakeTelegram::start().await;
    // Characters that HTML or MarkdownV2 would need escaped stay as written.
    let text = "Info <b>banjir</b> & pompa_air: cek https://bpbd.example.go.id/peta (v1.2)!";
    let result = published(
        client(&fake, PUBLIC)
            .publish(&post(text, vec![]))
            .await
            .unwrap(),
    );
    assert_eq!(
        result,
        Published {
            external_id: "1".into(),
            url: Some("https://t.me/humas_kota/1".into())
        }
    );
    let seen = fake.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].path, format!("/bot{TOKEN}/sendMessage"));
    assert_eq!(seen[0].content_type.as_deref(), Some("application/json"));
    assert_eq!(
        seen[0].body,
        Some(json!({
            "chat_id": "@humas_kota",
            "text": text,
            "link_preview_options": {"is_disabled": false},
        })),
        "no parse_mode"
    );
    assert_eq!(fake.messages()[0]["text"], text);
}

#[tokio::test]
async fn a_numeric_channel_id_is_sent_as_a_number_and_linked_by_its_internal_id() {
    let fake = FakeTelegram::start().await;
    let private = client(&fake, &PRIVATE_ID.to_string());
    let result = published(private.publish(&post("Internal", vec![])).await.unwrap());
    assert_eq!(result.url.as_deref(), Some("https://t.me/c/9876543210/1"));
    assert_eq!(
        fake.seen()[0].body.as_ref().unwrap()["chat_id"],
        json!(PRIVATE_ID)
    );

    // A public channel configured by number: Telegram names it, so the link is the public one.
    let public = client(&fake, &PUBLIC_ID.to_string());
    let result = published(public.publish(&post("Publik", vec![])).await.unwrap());
    assert_eq!(result.url.as_deref(), Some("https://t.me/humas_kota/2"));
}

#[tokio::test]
async fn one_photo_is_sent_with_the_text_as_caption() {
    let fake = FakeTelegram::start().await;
    let photo = medium(MediaKind::Image, "banjir.jpg", "image/jpeg");
    let p = post("Kondisi Jl. Merdeka pagi ini", vec![photo.clone()]);
    let result = published(client(&fake, PUBLIC).publish(&p).await.unwrap());
    assert_eq!(result.url.as_deref(), Some("https://t.me/humas_kota/1"));
    let seen = &fake.seen()[0];
    assert_eq!(seen.path, format!("/bot{TOKEN}/sendPhoto"));
    assert!(
        seen.content_type
            .as_deref()
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );
    assert_eq!(seen.part_names(), ["chat_id", "photo", "caption"]);
    assert_eq!(seen.part("chat_id").unwrap().text(), "@humas_kota");
    let file = seen.part("photo").unwrap();
    assert_eq!(file.file_name.as_deref(), Some("banjir.jpg"));
    assert_eq!(file.content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(file.bytes, *photo.bytes);
    assert_eq!(
        seen.part("caption").unwrap().text(),
        "Kondisi Jl. Merdeka pagi ini"
    );

    // Without text there is no caption part; a video goes through sendVideo.
    let clip = medium(MediaKind::Video, "banjir.mp4", "video/mp4");
    published(
        client(&fake, PUBLIC)
            .publish(&post(" ", vec![clip]))
            .await
            .unwrap(),
    );
    let seen = &fake.seen()[1];
    assert_eq!(seen.method, "sendVideo");
    assert_eq!(
        seen.part_names(),
        ["chat_id", "video", "supports_streaming"]
    );
}

#[tokio::test]
async fn more_than_one_medium_or_nothing_at_all_is_refused_before_sending() {
    let fake = FakeTelegram::start().await;
    let two = vec![
        medium(MediaKind::Image, "a.jpg", "image/jpeg"),
        medium(MediaKind::Image, "b.jpg", "image/jpeg"),
    ];
    let err = client(&fake, PUBLIC)
        .publish(&post("Dua foto", two))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Refused(d) if d.contains("2 media") && d.contains("one photo")),
        "{err:?}"
    );
    let err = client(&fake, PUBLIC)
        .publish(&post("  ", vec![]))
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Refused(_)), "{err:?}");
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn find_published_is_unsupported_and_asks_nothing() {
    let fake = FakeTelegram::start().await;
    let err = client(&fake, PUBLIC)
        .find_published(&post("x", vec![]))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ConnectorError::Unsupported("looking up channel posts with the Bot API")
        ),
        "{err:?}"
    );
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn a_lost_answer_is_a_timeout_and_only_a_person_can_tell_whether_it_went_out() {
    let fake = FakeTelegram::start().await;
    fake.with(|s| s.lose_answer_on = Some("sendMessage".into()));
    let t = TelegramClient::new(
        http(Duration::from_millis(400)),
        config(&fake.base(), PUBLIC),
    );
    let p = post("Pengumuman", vec![]);
    let err = t.publish(&p).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Timeout), "{err:?}");
    assert_eq!(fake.messages().len(), 1, "it did go out");
    let err = t.find_published(&p).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Unsupported(_)), "{err:?}");
}

#[tokio::test]
async fn errors_map_to_what_the_worker_does_next() {
    let fake = FakeTelegram::start().await;
    let t = client(&fake, PUBLIC);
    let p = post("Halo", vec![]);

    fake.with(|s| {
        s.failures
            .push_back(Failure::RateLimited { retry_after: 35 })
    });
    let err = t.publish(&p).await.unwrap_err();
    assert!(
        matches!(&err, ConnectorError::RateLimited { retry_after: Some(d), detail } if *d == Duration::from_secs(35) && detail.contains("retry after 35")),
        "{err:?}"
    );

    fake.with(|s| {
        s.failures.push_back(Failure::Status(
            403,
            "Forbidden: bot is not a member of the channel chat",
        ))
    });
    let err = t.publish(&p).await.unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Forbidden(d) if d.contains("not a member")),
        "{err:?}"
    );

    fake.with(|s| {
        s.failures.push_back(Failure::Migrated {
            to: -1_005_555_555_555,
        })
    });
    let err = t.publish(&p).await.unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Refused(d) if d.contains("-1005555555555")),
        "{err:?}"
    );

    let err = client(&fake, "@tidak_ada").publish(&p).await.unwrap_err();
    assert!(
        matches!(&err, ConnectorError::Refused(d) if d.contains("chat not found")),
        "{err:?}"
    );

    fake.with(|s| s.failures.push_back(Failure::Status(502, "Bad Gateway")));
    let err = t.publish(&p).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Unavailable { .. }), "{err:?}");
    assert!(err.is_transient());
    published(t.publish(&p).await.unwrap());
    assert_eq!(fake.messages().len(), 1, "502 once, then one message");

    fake.with(|s| {
        s.failures
            .push_back(Failure::Body("{\"ok\":true,\"result\":"))
    });
    let err = t.publish(&p).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Malformed(_)), "{err:?}");
    assert_no_token(&err);

    fake.with(|s| s.token = "7000000001:rotated".into());
    let err = t.publish(&p).await.unwrap_err();
    assert!(matches!(err, ConnectorError::TokenExpired(_)), "{err:?}");
    assert!(!err.is_transient());
    assert_no_token(&err);
}

#[tokio::test]
async fn a_hanging_server_is_a_timeout() {
    let fake = FakeTelegram::start().await;
    fake.with(|s| s.latency = Duration::from_millis(1500));
    let err = TelegramClient::new(
        http(Duration::from_millis(300)),
        config(&fake.base(), PUBLIC),
    )
    .publish(&post("Halo", vec![]))
    .await
    .unwrap_err();
    assert!(matches!(err, ConnectorError::Timeout), "{err:?}");
}

#[tokio::test]
async fn transport_and_address_errors_never_show_the_token() {
    // A port nobody listens on: the connection is refused.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let closed = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let err = TelegramClient::new(http(Duration::from_secs(2)), config(&closed, PUBLIC))
        .publish(&post("Halo", vec![]))
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Transport(_)), "{err:?}");
    assert_no_token(&err);

    // A private address not allowed by the SSRF rules.
    let err = TelegramClient::new(
        http(Duration::from_secs(2)),
        config("http://10.1.2.3:8081", PUBLIC),
    )
    .publish(&post("Halo", vec![]))
    .await
    .unwrap_err();
    assert!(matches!(err, ConnectorError::Target(_)), "{err:?}");
    assert_no_token(&err);

    let config = config("https://api.telegram.org", PUBLIC);
    assert!(!format!("{config:?}").contains(TOKEN.split(':').nth(1).unwrap()));
}

#[tokio::test]
async fn alerts_go_out_without_a_link_preview_and_return_the_message_id() {
    let fake = FakeTelegram::start().await;
    let t = client(&fake, &PRIVATE_ID.to_string());
    let id = t
        .send_alert("Lonjakan keluhan: 37 mention baru tentang banjir")
        .await
        .unwrap();
    assert_eq!(id, 1);
    assert_eq!(
        fake.seen()[0].body,
        Some(json!({
            "chat_id": PRIVATE_ID,
            "text": "Lonjakan keluhan: 37 mention baru tentang banjir",
            "link_preview_options": {"is_disabled": true},
        }))
    );
    let err = t.send_alert("").await.unwrap_err();
    assert!(matches!(err, ConnectorError::Refused(_)), "{err:?}");
}
