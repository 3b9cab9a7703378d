//! Publishing to TikTok against the fake Content Posting API (platform notes sections 5.3 and
//! 11): creator info and privacy, pulled and uploaded videos, photos, the status progression
//! through moderation, and error mapping.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

#[path = "fakes/tiktok.rs"]
mod fake;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use fake::{Failure, FakeTikTok, Step};
use humas_connectors::ConnectorError;
use humas_connectors::http::Http;
use humas_connectors::outbound::{
    MediaKind, OutboundMedia, OutboundPost, PublishOutcome, Published, Publisher,
};
use humas_connectors::tiktok::{TikTokClient, TikTokConfig};
use humas_feeds::fetch::FetchOptions;
use jiff::Timestamp;
use secrecy::SecretString;
use serde_json::json;

const TOKEN: &str = "act.example-token";
const PUBLIC: &str = "PUBLIC_TO_EVERYONE";

fn loopback_http() -> Http {
    Http::new(FetchOptions {
        allowed_addresses: vec!["127.0.0.1".parse::<IpAddr>().unwrap()],
        ..Default::default()
    })
    .unwrap()
}

fn client_with(fake: &FakeTikTok, privacy: &str) -> TikTokClient {
    let mut config = TikTokConfig::new(&fake.base(), SecretString::from(TOKEN), privacy);
    config.chunk_size = 10;
    TikTokClient::new(loopback_http(), config)
}

fn client(fake: &FakeTikTok) -> TikTokClient {
    client_with(fake, PUBLIC)
}

fn video(public_url: Option<&str>, bytes: usize, duration_s: u64) -> OutboundMedia {
    OutboundMedia {
        kind: MediaKind::Video,
        mime: "video/mp4".into(),
        file_name: "sosialisasi.mp4".into(),
        bytes: Arc::new((0..bytes).map(|i| (i % 200) as u8).collect()),
        public_url: public_url.map(str::to_owned),
        alt_text: None,
        width: Some(1080),
        height: Some(1920),
        duration_ms: Some(duration_s * 1000),
    }
}

fn photo(name: &str, mime: &str, public: bool) -> OutboundMedia {
    OutboundMedia {
        kind: MediaKind::Image,
        mime: mime.into(),
        file_name: name.into(),
        bytes: Arc::new(b"JPEG".to_vec()),
        public_url: public.then(|| format!("https://media.example.go.id/p/{name}")),
        alt_text: None,
        width: None,
        height: None,
        duration_ms: None,
    }
}

fn post(text: &str, media: Vec<OutboundMedia>) -> OutboundPost {
    OutboundPost {
        text: text.into(),
        media,
        idempotency_key: "0195f3c2-7d1e-7c3a-9f00-000000000003".into(),
        intent_at: Timestamp::now(),
    }
}

fn pending(outcome: PublishOutcome) -> String {
    match outcome {
        PublishOutcome::Pending { handle } => handle,
        PublishOutcome::Published(p) => panic!("expected pending, got {p:?}"),
    }
}

const PULLED: &str = "https://media.example.go.id/v/123.mp4";

#[tokio::test]
async fn a_video_with_a_public_address_is_pulled_and_left_pending() {
    let fake = FakeTikTok::start(TOKEN).await;
    let handle = pending(
        client(&fake)
            .publish(&post(
                "Sosialisasi pajak kendaraan #samsat",
                vec![video(Some(PULLED), 40, 30)],
            ))
            .await
            .unwrap(),
    );
    assert!(handle.starts_with("v_pub_url~"), "{handle}");

    let seen = fake.seen();
    let paths: Vec<&str> = seen.iter().map(|s| s.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/v2/post/publish/creator_info/query/",
            "/v2/post/publish/video/init/"
        ]
    );
    for request in &seen {
        assert_eq!(
            request.authorization.as_deref(),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert_eq!(
            request.content_type.as_deref(),
            Some("application/json; charset=UTF-8")
        );
    }
    assert_eq!(
        seen[1].body,
        Some(json!({
            "post_info": {"title": "Sosialisasi pajak kendaraan #samsat", "privacy_level": PUBLIC,
                          "disable_duet": false, "disable_comment": false,
                          // The creator turned stitches off; Humas never turns them back on.
                          "disable_stitch": true},
            "source_info": {"source": "PULL_FROM_URL", "video_url": PULLED},
        }))
    );
}

#[tokio::test]
async fn a_video_without_a_public_address_is_uploaded_in_ranged_chunks() {
    let fake = FakeTikTok::start(TOKEN).await;
    let media = video(None, 25, 30);
    let bytes = media.bytes.clone();
    let handle = pending(
        client(&fake)
            .publish(&post("Upload langsung", vec![media]))
            .await
            .unwrap(),
    );

    let init = &fake.requests("/video/init/")[0];
    assert_eq!(
        init.body.as_ref().unwrap()["source_info"],
        json!({"source": "FILE_UPLOAD", "video_size": 25, "chunk_size": 10, "total_chunk_count": 2})
    );
    let puts = fake.requests(&format!("/upload/{handle}"));
    let ranges: Vec<&str> = puts
        .iter()
        .map(|p| p.content_range.as_deref().unwrap())
        .collect();
    assert_eq!(
        ranges,
        ["bytes 0-9/25", "bytes 10-24/25"],
        "the last chunk carries the remainder"
    );
    for put in &puts {
        assert_eq!(put.method, axum::http::Method::PUT);
        assert_eq!(put.content_type.as_deref(), Some("video/mp4"));
        assert_eq!(
            put.authorization, None,
            "the token never goes to the upload address"
        );
    }
    let received = fake.with(|s| s.publications[&handle].file());
    assert_eq!(received, *bytes);

    // A file smaller than one chunk goes whole.
    let handle = pending(
        client(&fake)
            .publish(&post("Kecil", vec![video(None, 7, 5)]))
            .await
            .unwrap(),
    );
    let puts = fake.requests(&format!("/upload/{handle}"));
    assert_eq!(puts.len(), 1);
    assert_eq!(puts[0].content_range.as_deref(), Some("bytes 0-6/7"));
}

#[tokio::test]
async fn an_unverified_address_falls_back_to_uploading_the_file() {
    let fake = FakeTikTok::start(TOKEN).await;
    let handle = pending(
        client(&fake)
            .publish(&post(
                "Domain belum diverifikasi",
                vec![video(Some("https://humas.example.org/v/1.mp4"), 12, 10)],
            ))
            .await
            .unwrap(),
    );
    let inits = fake.requests("/video/init/");
    assert_eq!(inits.len(), 2);
    assert_eq!(
        inits[0].body.as_ref().unwrap()["source_info"]["source"],
        "PULL_FROM_URL"
    );
    assert_eq!(
        inits[1].body.as_ref().unwrap()["source_info"]["source"],
        "FILE_UPLOAD"
    );
    assert!(handle.starts_with("v_pub_file~"));
    assert_eq!(
        fake.with(|s| s.publications.len()),
        1,
        "one publication only"
    );
}

#[tokio::test]
async fn photos_are_pulled_as_a_direct_photo_post() {
    let fake = FakeTikTok::start(TOKEN).await;
    let text = "Jadwal posyandu bulan ini\nSenin–Jumat 08.00 di balai desa";
    let handle = pending(
        client(&fake)
            .publish(&post(
                text,
                vec![
                    photo("1.jpg", "image/jpeg", true),
                    photo("2.webp", "image/webp", true),
                ],
            ))
            .await
            .unwrap(),
    );
    assert!(handle.starts_with("p_pub_url~"));
    let init = &fake.requests("/content/init/")[0];
    assert_eq!(
        init.body,
        Some(json!({
            "media_type": "PHOTO", "post_mode": "DIRECT_POST",
            "post_info": {"title": "Jadwal posyandu bulan ini", "description": text,
                          "privacy_level": PUBLIC, "disable_comment": false, "auto_add_music": true},
            "source_info": {"source": "PULL_FROM_URL", "photo_cover_index": 0,
                            "photo_images": ["https://media.example.go.id/p/1.jpg",
                                             "https://media.example.go.id/p/2.webp"]},
        }))
    );
}

#[tokio::test]
async fn posts_tiktok_cannot_take_are_refused_before_any_request() {
    let fake = FakeTikTok::start(TOKEN).await;
    let cases = [
        (
            post("Tanpa alamat", vec![photo("1.jpg", "image/jpeg", false)]),
            "verified",
        ),
        (
            post("PNG", vec![photo("1.png", "image/png", true)]),
            "JPEG and WebP",
        ),
        (post("Kosong", vec![]), "video or photos"),
        (
            post(
                "Campur",
                vec![
                    photo("1.jpg", "image/jpeg", true),
                    video(Some(PULLED), 5, 5),
                ],
            ),
            "not both",
        ),
        (
            post(&"a".repeat(2201), vec![video(Some(PULLED), 5, 5)]),
            "2201",
        ),
    ];
    for (case, words) in &cases {
        let err = client(&fake).publish(case).await.unwrap_err();
        assert!(
            matches!(err, ConnectorError::Refused(ref m) if m.contains(words)),
            "{words}: {err}"
        );
    }
    assert!(fake.seen().is_empty());
}

#[tokio::test]
async fn an_unaudited_app_offered_only_self_only_is_refused_with_the_reason() {
    let fake = FakeTikTok::start(TOKEN).await;
    fake.with(|s| s.creator["privacy_level_options"] = json!(["SELF_ONLY"]));
    let err = client(&fake)
        .publish(&post("Publik", vec![video(Some(PULLED), 5, 5)]))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Refused(ref m) if m.contains("audit") && m.contains("SELF_ONLY")),
        "{err}"
    );
    assert!(fake.requests("/init/").is_empty(), "nothing was sent");

    // A channel set to SELF_ONLY posts.
    pending(
        client_with(&fake, "SELF_ONLY")
            .publish(&post("Privat", vec![video(Some(PULLED), 5, 5)]))
            .await
            .unwrap(),
    );

    // Offered publicly but refused at init (the account is not private): TikTok's code.
    fake.with(|s| {
        s.creator["privacy_level_options"] = json!([PUBLIC, "SELF_ONLY"]);
        s.unaudited = true;
    });
    let err = client(&fake)
        .publish(&post("Publik lagi", vec![video(Some(PULLED), 5, 5)]))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Refused(ref m)
            if m.contains("unaudited_client_can_only_post_to_private_accounts") && m.contains("audit")),
        "{err}"
    );
}

#[tokio::test]
async fn a_privacy_level_not_offered_or_a_video_too_long_is_refused() {
    let fake = FakeTikTok::start(TOKEN).await;
    let err = client_with(&fake, "FOLLOWER_OF_CREATOR")
        .publish(&post("Pengikut", vec![video(Some(PULLED), 5, 5)]))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Refused(ref m)
            if m.contains("FOLLOWER_OF_CREATOR") && m.contains("PUBLIC_TO_EVERYONE, MUTUAL_FOLLOW_FRIENDS, SELF_ONLY")),
        "{err}"
    );
    let err = client(&fake)
        .publish(&post("Panjang", vec![video(Some(PULLED), 5, 601)]))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Refused(ref m) if m.contains("601 s") && m.contains("600 s")),
        "{err}"
    );
    assert!(fake.requests("/init/").is_empty());
}

#[tokio::test]
async fn a_pending_post_stays_pending_until_its_id_arrives() {
    let fake = FakeTikTok::start(TOKEN).await;
    let tiktok = client(&fake);
    let handle = pending(
        tiktok
            .publish(&post("Moderasi", vec![video(Some(PULLED), 5, 5)]))
            .await
            .unwrap(),
    );
    // Processing, then complete but still in moderation: pending both times.
    for _ in 0..2 {
        assert_eq!(
            tiktok.check_pending(&handle).await.unwrap(),
            PublishOutcome::Pending {
                handle: handle.clone()
            }
        );
    }
    // The id arrives as a JSON number.
    assert_eq!(
        tiktok.check_pending(&handle).await.unwrap(),
        PublishOutcome::Published(Published {
            external_id: "7327000000000000001".into(),
            url: Some("https://www.tiktok.com/@humaskota/video/7327000000000000001".into()),
        })
    );
    let fetch = fake.requests("/status/fetch/");
    assert_eq!(fetch[0].body, Some(json!({ "publish_id": handle })));

    // A client that never saw creator info (after a restart) asks for the username once.
    let fresh = client(&fake);
    let before = fake.requests("/creator_info/query/").len();
    let done = fresh.check_pending(&handle).await.unwrap();
    assert!(matches!(done, PublishOutcome::Published(ref p)
        if p.url.as_deref() == Some("https://www.tiktok.com/@humaskota/video/7327000000000000001")));
    assert_eq!(fake.requests("/creator_info/query/").len(), before + 1);

    // An id as a string, and a username TikTok does not give: no link.
    fake.with(|s| {
        s.steps = vec![Step {
            status: "PUBLISH_COMPLETE",
            post_ids: vec![json!("7327000000000000009")],
            fail_reason: "",
        }];
        s.creator
            .as_object_mut()
            .unwrap()
            .remove("creator_username");
    });
    let handle = pending(
        client(&fake)
            .publish(&post("Kedua", vec![video(Some(PULLED), 5, 5)]))
            .await
            .unwrap(),
    );
    assert_eq!(
        client(&fake).check_pending(&handle).await.unwrap(),
        PublishOutcome::Published(Published {
            external_id: "7327000000000000009".into(),
            url: None,
        })
    );
}

#[tokio::test]
async fn an_upload_not_finished_is_pending_and_a_failure_is_refused() {
    let fake = FakeTikTok::start(TOKEN).await;
    fake.with(|s| {
        s.steps = vec![Step {
            status: "FAILED",
            post_ids: vec![],
            fail_reason: "file_format_check_failed",
        }]
    });
    let handle = pending(
        client(&fake)
            .publish(&post("Gagal", vec![video(Some(PULLED), 5, 5)]))
            .await
            .unwrap(),
    );
    let err = client(&fake).check_pending(&handle).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Refused(ref m) if m.contains("file_format_check_failed")),
        "{err}"
    );
    assert!(!err.is_transient());
}

#[tokio::test]
async fn envelope_errors_map_by_code() {
    let fake = FakeTikTok::start(TOKEN).await;
    let tiktok = client(&fake);
    let publish = || post("Galat", vec![video(Some(PULLED), 5, 5)]);

    fake.with(|s| {
        s.failures
            .push_back(Failure::Envelope(500, "internal_error"))
    });
    let err = tiktok.publish(&publish()).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Unavailable { .. }) && err.is_transient(),
        "{err}"
    );
    pending(tiktok.publish(&publish()).await.unwrap());

    fake.with(|s| {
        s.failures
            .push_back(Failure::Envelope(429, "rate_limit_exceeded"))
    });
    match tiktok.publish(&publish()).await.unwrap_err() {
        ConnectorError::RateLimited {
            retry_after,
            detail,
        } => {
            assert_eq!(retry_after, Some(Duration::from_secs(60)));
            assert!(detail.contains("rate_limit_exceeded"), "{detail}");
        }
        other => panic!("expected a rate limit, got {other}"),
    }

    fake.with(|s| {
        s.failures
            .push_back(Failure::Envelope(403, "scope_not_authorized"))
    });
    assert!(matches!(
        tiktok.publish(&publish()).await,
        Err(ConnectorError::Forbidden(ref m)) if m.contains("video.publish")
    ));

    fake.with(|s| {
        s.failures
            .push_back(Failure::Envelope(403, "spam_risk_too_many_posts"))
    });
    assert!(matches!(
        tiktok.publish(&publish()).await,
        Err(ConnectorError::Refused(ref m)) if m.contains("spam_risk_too_many_posts")
    ));

    fake.with(|s| s.failures.push_back(Failure::Raw("{\"data\": ")));
    assert!(matches!(
        tiktok.publish(&publish()).await,
        Err(ConnectorError::Malformed(_))
    ));

    fake.with(|s| s.token = "act.rotated".into());
    assert!(matches!(
        tiktok.publish(&publish()).await,
        Err(ConnectorError::TokenExpired(ref m)) if m.contains("access_token_invalid")
    ));
}

#[tokio::test]
async fn tiktok_gives_no_way_to_find_a_post_after_a_crash() {
    let fake = FakeTikTok::start(TOKEN).await;
    let err = client(&fake)
        .find_published(&post("Cari", vec![video(Some(PULLED), 5, 5)]))
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Unsupported(_)), "{err}");
    assert!(fake.seen().is_empty());
}

#[test]
fn config_debug_never_shows_the_token() {
    let config = TikTokConfig::new(
        "https://open.tiktokapis.com",
        SecretString::from("act.very-secret"),
        PUBLIC,
    );
    assert!(!format!("{config:?}").contains("act.very-secret"));
    assert_eq!(config.status_poll, Duration::from_secs(60));
}

/// One save: the access token, the new refresh token, the refresh token it replaced.
type Save = (String, Option<String>, Option<String>);

/// Keeps renewed tokens in memory, as the server keeps them sealed in the database.
#[derive(Debug, Default)]
struct Kept {
    saves: std::sync::Mutex<Vec<Save>>,
}

#[async_trait::async_trait]
impl humas_connectors::renewal::TokenKeeper for Kept {
    async fn save(
        &self,
        tokens: &humas_connectors::renewal::RenewedTokens,
        replaced: Option<&SecretString>,
    ) -> Result<(), String> {
        use secrecy::ExposeSecret as _;
        assert!(tokens.expires_at.is_some() && tokens.refresh_expires_at.is_some());
        self.saves.lock().unwrap().push((
            tokens.access_token.expose_secret().to_owned(),
            tokens
                .refresh_token
                .as_ref()
                .map(|r| r.expose_secret().to_owned()),
            replaced.map(|r| r.expose_secret().to_owned()),
        ));
        Ok(())
    }

    async fn stored(&self) -> Option<humas_connectors::renewal::RenewedTokens> {
        None
    }
}

fn renewing(fake: &FakeTikTok, kept: &Arc<Kept>) -> TikTokClient {
    let provider = humas_connectors::oauth::Provider::tiktok(
        &fake.base(),
        "https://www.tiktok.com",
        "tiktok-app",
        SecretString::from("tiktok-secret"),
    );
    client(fake).with_renewal(
        provider,
        SecretString::from("rft.first"),
        Arc::clone(kept) as Arc<dyn humas_connectors::renewal::TokenKeeper>,
    )
}

#[tokio::test]
async fn an_invalid_token_is_renewed_once_the_rotated_pair_kept_and_the_call_repeated() {
    let fake = FakeTikTok::start(TOKEN).await;
    fake.with(|s| {
        s.token = "act.issued-later".into(); // our 24-hour token died
        s.refresh_tokens.insert("rft.first".into());
    });
    let kept = Arc::new(Kept::default());
    let tiktok = renewing(&fake, &kept);
    let handle = pending(
        tiktok
            .publish(&post("Sosialisasi", vec![video(Some(PULLED), 40, 30)]))
            .await
            .unwrap(),
    );
    assert!(handle.starts_with("v_pub_url~"), "{handle}");
    assert_eq!(
        *kept.saves.lock().unwrap(),
        [(
            "act.renewed-1".to_owned(),
            Some("rft.renewed-1".to_owned()),
            Some("rft.first".to_owned())
        )]
    );
    let paths: Vec<String> = fake.seen().iter().map(|s| s.path.clone()).collect();
    assert_eq!(
        paths,
        [
            "/v2/post/publish/creator_info/query/",
            "/v2/oauth/token/",
            "/v2/post/publish/creator_info/query/",
            "/v2/post/publish/video/init/"
        ]
    );
    // The next renewal spends the rotated refresh token (the fake refuses rft.first now).
    fake.with(|s| s.token = "act.issued-even-later".into());
    tiktok
        .publish(&post("Lagi", vec![video(Some(PULLED), 40, 30)]))
        .await
        .unwrap();
    assert_eq!(
        kept.saves.lock().unwrap().last().unwrap().2.as_deref(),
        Some("rft.renewed-1")
    );

    // A refresh token TikTok refuses: reconnect, once, no loop.
    let dead = FakeTikTok::start(TOKEN).await;
    dead.with(|s| s.token = "act.other".into());
    let err = renewing(&dead, &Arc::new(Kept::default()))
        .publish(&post("x", vec![video(Some(PULLED), 40, 30)]))
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::TokenExpired(_)), "{err:?}");
    assert_eq!(dead.seen().len(), 2, "one call, one refused renewal");
}
