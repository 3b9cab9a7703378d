//! Publishing to a Facebook Page and an Instagram account against the fake Graph API
//! (platform notes sections 2.2, 2.5–2.7 and 11): the exact requests, the container state
//! machine, the publishing quota, error mapping and reconciliation.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

#[path = "fakes/meta.rs"]
mod fake;

use std::sync::Arc;
use std::time::Duration;

use fake::{Fake, graph_error};
use humas_connectors::ConnectorError;
use humas_connectors::http::Http;
use humas_connectors::meta::{
    ContainerPoll, INSTAGRAM_NEEDS_PUBLIC_URL, MetaClient, MetaConfig, Surface,
};
use humas_connectors::outbound::{
    Engagement, MediaKind, OutboundMedia, OutboundPost, PublishOutcome, Published, Publisher,
};
use humas_feeds::FetchOptions;
use jiff::{SignedDuration, Timestamp};
use secrecy::SecretString;
use serde_json::json;

const TOKEN: &str = "EAAB-test-page-token";
const PAGE: &str = "112233445566";
const IG: &str = "17841400000000000";

fn http() -> Http {
    Http::new(FetchOptions {
        allowed_addresses: vec!["127.0.0.1".parse().unwrap()],
        ..FetchOptions::default()
    })
    .unwrap()
}

fn config(fake: &Fake, surface: Surface) -> MetaConfig {
    let object = if surface == Surface::FacebookPage {
        PAGE
    } else {
        IG
    };
    let mut config = MetaConfig::new(fake.base(), surface, object, SecretString::from(TOKEN));
    config.container_poll = ContainerPoll {
        interval: Duration::from_millis(5),
        attempts: 5,
    };
    config
}

fn page(fake: &Fake) -> MetaClient {
    MetaClient::new(http(), config(fake, Surface::FacebookPage))
}

fn instagram(fake: &Fake) -> MetaClient {
    MetaClient::new(http(), config(fake, Surface::Instagram))
}

fn image(name: &str, public: bool, alt: Option<&str>) -> OutboundMedia {
    OutboundMedia {
        kind: MediaKind::Image,
        mime: "image/jpeg".into(),
        file_name: name.into(),
        bytes: Arc::new(format!("JPEG bytes of {name}").into_bytes()),
        public_url: public.then(|| format!("https://humas.example.go.id/media/{name}")),
        alt_text: alt.map(str::to_owned),
        width: Some(1080),
        height: Some(1080),
        duration_ms: None,
    }
}

fn video(name: &str, public: bool) -> OutboundMedia {
    OutboundMedia {
        kind: MediaKind::Video,
        mime: "video/mp4".into(),
        file_name: name.into(),
        bytes: Arc::new(vec![7_u8; 3000]),
        public_url: public.then(|| format!("https://humas.example.go.id/media/{name}")),
        alt_text: None,
        width: Some(1080),
        height: Some(1920),
        duration_ms: Some(30_000),
    }
}

fn post(text: &str, media: Vec<OutboundMedia>) -> OutboundPost {
    OutboundPost {
        text: text.into(),
        media,
        idempotency_key: "0195f3c2-7d1e-7c3a-9f00-000000000001".into(),
        intent_at: Timestamp::now(),
    }
}

fn published(outcome: PublishOutcome) -> Published {
    match outcome {
        PublishOutcome::Published(p) => p,
        PublishOutcome::Pending { handle } => panic!("expected published, got pending {handle}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Facebook Page

#[tokio::test]
async fn a_text_post_goes_to_the_feed_with_its_first_link() {
    let fake = Fake::start(TOKEN, PAGE, IG).await;
    let text =
        "Pemadaman listrik Sabtu 08.00–12.00 WIB. Info: https://example.go.id/info, terima kasih";
    let done = published(page(&fake).publish(&post(text, vec![])).await.unwrap());

    let feed = fake.requests("POST", &format!("/v23.0/{PAGE}/feed"));
    assert_eq!(feed.len(), 1);
    assert_eq!(feed[0].form["message"], text);
    assert_eq!(feed[0].form["link"], "https://example.go.id/info");
    assert!(done.external_id.starts_with(&format!("{PAGE}_")));
    assert_eq!(
        done.url.as_deref(),
        Some(format!("https://www.facebook.com/{}", done.external_id).as_str())
    );
    let made = fake.with(|s| s.made.clone());
    assert_eq!(made.len(), 1);
    assert_eq!(made[0].kind, "status");

    // No link, no `link` parameter; an empty post is refused before any request.
    page(&fake)
        .publish(&post("Tanpa tautan", vec![]))
        .await
        .unwrap();
    assert!(!fake.requests("POST", "/feed")[1].form.contains_key("link"));
    let before = fake.with(|s| s.seen.len());
    let err = page(&fake).publish(&post("  ", vec![])).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Refused(_)), "{err}");
    assert_eq!(fake.with(|s| s.seen.len()), before);
}

#[tokio::test]
async fn one_photo_is_uploaded_as_multipart_source_with_caption_and_alt_text() {
    let fake = Fake::start(TOKEN, PAGE, IG).await;
    let media = vec![image(
        "banjir.jpg",
        false,
        Some("Genangan air di Jl. Sudirman"),
    )];
    let done = published(
        page(&fake)
            .publish(&post("Banjir di Jl. Sudirman", media))
            .await
            .unwrap(),
    );

    let photos = fake.requests("POST", &format!("/{PAGE}/photos"));
    assert_eq!(photos.len(), 1);
    let source = photos[0].parts.iter().find(|p| p.name == "source").unwrap();
    assert_eq!(source.file_name.as_deref(), Some("banjir.jpg"));
    assert_eq!(source.content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(source.bytes, b"JPEG bytes of banjir.jpg");
    assert_eq!(photos[0].form["message"], "Banjir di Jl. Sudirman");
    assert_eq!(
        photos[0].form["alt_text_custom"],
        "Genangan air di Jl. Sudirman"
    );
    assert!(!photos[0].form.contains_key("published"));
    // The feed post (post_id), not the photo, is what was published.
    let made = fake.with(|s| s.made.clone());
    assert_eq!(done.external_id, made[0].id);
    assert_eq!(made[0].kind, "photo");
    assert_eq!(fake.count("POST", "/feed"), 0);
}

#[tokio::test]
async fn several_photos_are_uploaded_unpublished_then_attached_in_order() {
    let fake = Fake::start(TOKEN, PAGE, IG).await;
    let media = vec![
        image("1.jpg", false, None),
        image("2.jpg", false, Some("Peta")),
        image("3.jpg", false, None),
    ];
    let done = published(
        page(&fake)
            .publish(&post("Tiga foto posyandu", media))
            .await
            .unwrap(),
    );

    let photos = fake.requests("POST", "/photos");
    assert_eq!(photos.len(), 3);
    for (photo, name) in photos.iter().zip(["1.jpg", "2.jpg", "3.jpg"]) {
        assert_eq!(photo.form["published"], "false");
        assert!(
            !photo.form.contains_key("message"),
            "the caption belongs to the post"
        );
        assert_eq!(photo.parts[0].file_name.as_deref(), Some(name));
    }
    assert_eq!(photos[1].form["alt_text_custom"], "Peta");
    let feed = fake.requests("POST", "/feed");
    assert_eq!(feed.len(), 1);
    assert_eq!(feed[0].form["message"], "Tiga foto posyandu");
    let made = fake.with(|s| s.made.clone());
    assert_eq!(made.len(), 1);
    assert_eq!(made[0].kind, "album");
    assert_eq!(made[0].id, done.external_id);
    for (i, photo_id) in made[0].attached.iter().enumerate() {
        let sent: serde_json::Value =
            serde_json::from_str(&feed[0].form[&format!("attached_media[{i}]")]).unwrap();
        assert_eq!(sent, json!({ "media_fbid": photo_id }));
    }
    assert_eq!(made[0].attached.len(), 3);
    assert!(fake.with(|s| s.unpublished_photos.is_empty()));
}

#[tokio::test]
async fn a_video_goes_to_the_video_host_with_its_description() {
    let fake = Fake::start(TOKEN, PAGE, IG).await;
    let video_host = Fake::start(TOKEN, PAGE, IG).await;
    let mut config = config(&fake, Surface::FacebookPage);
    config.video_api_base = Some(video_host.base());
    let client = MetaClient::new(http(), config);
    let done = published(
        client
            .publish(&post(
                "Sosialisasi pajak kendaraan",
                vec![video("samsat.mp4", false)],
            ))
            .await
            .unwrap(),
    );

    assert_eq!(fake.count("POST", "/videos"), 0);
    let videos = video_host.requests("POST", &format!("/v23.0/{PAGE}/videos"));
    assert_eq!(videos.len(), 1);
    let source = videos[0].parts.iter().find(|p| p.name == "source").unwrap();
    assert_eq!(source.file_name.as_deref(), Some("samsat.mp4"));
    assert_eq!(source.content_type.as_deref(), Some("video/mp4"));
    assert_eq!(source.bytes.len(), 3000);
    assert_eq!(videos[0].form["description"], "Sosialisasi pajak kendaraan");
    assert_eq!(
        done.url,
        Some(format!("https://www.facebook.com/{}", done.external_id))
    );

    // Without a video host configured, uploads go to the API base.
    page(&fake)
        .publish(&post("Video kedua", vec![video("b.mp4", false)]))
        .await
        .unwrap();
    assert_eq!(fake.count("POST", "/videos"), 1);
}

#[tokio::test]
async fn photos_and_a_video_do_not_mix_on_facebook() {
    let fake = Fake::start(TOKEN, PAGE, IG).await;
    let mixed = post(
        "Campur",
        vec![image("a.jpg", false, None), video("b.mp4", false)],
    );
    let err = page(&fake).publish(&mixed).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Refused(ref m) if m.contains("photos or one video")),
        "{err}"
    );
    let two_videos = post("Dua", vec![video("a.mp4", false), video("b.mp4", false)]);
    assert!(matches!(
        page(&fake).publish(&two_videos).await,
        Err(ConnectorError::Refused(_))
    ));
    assert!(fake.with(|s| s.seen.is_empty()));
}

#[tokio::test]
async fn facebook_errors_map_by_code_and_a_5xx_once_is_retryable() {
    let fake = Fake::start(TOKEN, PAGE, IG).await;
    let client = page(&fake);
    let text = post("Pengumuman", vec![]);

    fake.inject(
        500,
        graph_error(2, None, "Service temporarily unavailable"),
        vec![],
    );
    let err = client.publish(&text).await.unwrap_err();
    assert!(
        matches!(err, ConnectorError::Unavailable { .. }) && err.is_transient(),
        "{err}"
    );
    assert!(fake.with(|s| s.made.is_empty()));
    published(client.publish(&text).await.unwrap());
    assert_eq!(fake.with(|s| s.made.len()), 1);

    let usage = r#"{"112233445566":[{"type":"pages","call_count":100,"estimated_time_to_regain_access":19}]}"#;
    fake.inject(
        400,
        graph_error(32, None, "Page request limit reached"),
        vec![("x-business-use-case-usage", usage.into())],
    );
    match client.publish(&text).await.unwrap_err() {
        ConnectorError::RateLimited {
            retry_after,
            detail,
        } => {
            assert_eq!(retry_after, Some(Duration::from_secs(19 * 60)));
            assert!(detail.contains("code 32"), "{detail}");
        }
        other => panic!("expected a rate limit, got {other}"),
    }

    fake.inject_raw(200, "{\"id\": ");
    assert!(matches!(
        client.publish(&text).await,
        Err(ConnectorError::Malformed(_))
    ));

    fake.with(|s| s.token = "rotated".into());
    let err = client.publish(&text).await.unwrap_err();
    assert!(matches!(err, ConnectorError::TokenExpired(_)), "{err}");
}

#[tokio::test]
async fn facebook_reconciliation_finds_the_post_by_its_text_since_the_intent() {
    let fake = Fake::start(TOKEN, PAGE, IG).await;
    let mut sent = post("Jadwal  vaksin\n di puskesmas   Senin", vec![]);
    sent.intent_at = Timestamp::now() - SignedDuration::from_secs(2);
    let done = published(page(&fake).publish(&sent).await.unwrap());

    // A fresh client (after a crash) finds it; Meta's whitespace may differ.
    fake.with(|s| s.made[0].text = "Jadwal vaksin di puskesmas Senin".into());
    let found = page(&fake).find_published(&sent).await.unwrap().unwrap();
    assert_eq!(found.external_id, done.external_id);
    assert_eq!(
        found.url.as_deref(),
        Some(format!("https://www.facebook.com/{}", done.external_id).as_str())
    );
    let listing = fake.requests("GET", &format!("/{PAGE}/posts"));
    assert_eq!(
        listing[0].query["fields"],
        "id,message,created_time,permalink_url"
    );
    assert_eq!(
        listing[0].query["since"],
        (sent.intent_at.as_second() - 5).to_string()
    );

    // Other text, or an intent after the post: not ours.
    let other = post("Jadwal vaksin di puskesmas Selasa", vec![]);
    assert_eq!(page(&fake).find_published(&other).await.unwrap(), None);
    let mut later = sent.clone();
    later.intent_at = Timestamp::now() + SignedDuration::from_secs(60);
    assert_eq!(page(&fake).find_published(&later).await.unwrap(), None);
}

#[tokio::test]
async fn facebook_engagement_reads_reactions_comments_and_shares() {
    let fake = Fake::start(TOKEN, PAGE, IG).await;
    let done = published(
        page(&fake)
            .publish(&post("Terima kasih warga", vec![]))
            .await
            .unwrap(),
    );
    fake.with(|s| {
        s.engagement.insert(
            done.external_id.clone(),
            json!({"shares": {"count": 12},
                   "reactions": {"data": [], "summary": {"total_count": 340, "viewer_reaction": "NONE"}},
                   "comments": {"data": [], "summary": {"order": "ranked", "total_count": 56, "can_comment": true}}}),
        );
    });
    let figures = page(&fake).engagement(&done.external_id).await.unwrap();
    assert_eq!(
        figures,
        Engagement {
            likes: 340,
            comments: 56,
            shares: 12,
            views: None
        }
    );
    let asked = fake.requests("GET", &format!("/v23.0/{}", done.external_id));
    let fields = &asked[0].query["fields"];
    assert!(fields.starts_with("shares,"), "{fields}");
    assert!(fields.contains("comments.summary(total_count)"), "{fields}");
    assert!(
        fields.contains("reactions.summary(total_count)"),
        "{fields}"
    );

    // Meta omits `shares` for a post nobody shared.
    fake.with(|s| {
        s.engagement.insert(
            done.external_id.clone(),
            json!({"reactions": {"data": [], "summary": {"total_count": 1}},
                   "comments": {"data": [], "summary": {"total_count": 0}}}),
        );
    });
    let figures = page(&fake).engagement(&done.external_id).await.unwrap();
    assert_eq!((figures.likes, figures.shares), (1, 0));
}

// ---------------------------------------------------------------------------------------------
// Instagram

#[tokio::test]
async fn an_instagram_image_is_a_container_then_one_media_publish() {
    let fake = Fake::start(TOKEN, PAGE, IG).await;
    let media = vec![image(
        "posyandu.jpg",
        true,
        Some("Kader posyandu menimbang bayi"),
    )];
    let done = published(
        instagram(&fake)
            .publish(&post("Jadwal posyandu #sehat", media))
            .await
            .unwrap(),
    );

    let create = fake.requests("POST", &format!("/{IG}/media"));
    assert_eq!(create.len(), 1);
    let form = &create[0].form;
    assert_eq!(
        form["image_url"],
        "https://humas.example.go.id/media/posyandu.jpg"
    );
    assert_eq!(form["caption"], "Jadwal posyandu #sehat");
    assert_eq!(form["alt_text"], "Kader posyandu menimbang bayi");
    assert!(!form.contains_key("media_type"));
    let (container, calls) = fake.with(|s| {
        (
            s.containers.keys().next().cloned().unwrap(),
            s.media_publish_calls,
        )
    });
    let status = fake.requests("GET", &format!("/{container}"));
    assert_eq!(status[0].query["fields"], "status_code,status");
    let quota = fake.requests("GET", "/content_publishing_limit");
    assert_eq!(quota.len(), 1);
    assert_eq!(quota[0].query["fields"], "config,quota_usage");
    assert_eq!(calls, 1);
    let publish = fake.requests("POST", &format!("/{IG}/media_publish"));
    assert_eq!(publish[0].form["creation_id"], container);
    assert_eq!(
        done.url,
        Some(format!("https://www.instagram.com/p/{}/", done.external_id))
    );
    assert_eq!(fake.with(|s| s.quota_usage), 1);
}

#[tokio::test]
async fn an_instagram_carousel_waits_for_its_video_child_and_its_parent() {
    let fake = Fake::start(TOKEN, PAGE, IG).await;
    fake.with(|s| s.container_ready_after = 2);
    let media = vec![
        image("1.jpg", true, Some("Foto pertama")),
        video("2.mp4", true),
        image("3.jpg", true, None),
    ];
    published(
        instagram(&fake)
            .publish(&post("Tiga kegiatan minggu ini", media))
            .await
            .unwrap(),
    );

    let create = fake.requests("POST", &format!("/{IG}/media"));
    assert_eq!(create.len(), 4, "three children and the parent");
    for child in &create[..3] {
        assert_eq!(child.form["is_carousel_item"], "true");
        assert!(
            !child.form.contains_key("caption"),
            "the parent carries the caption"
        );
    }
    assert_eq!(
        create[0].form["image_url"],
        "https://humas.example.go.id/media/1.jpg"
    );
    assert_eq!(create[0].form["alt_text"], "Foto pertama");
    assert_eq!(create[1].form["media_type"], "VIDEO");
    assert_eq!(
        create[1].form["video_url"],
        "https://humas.example.go.id/media/2.mp4"
    );
    let parent = &create[3].form;
    assert_eq!(parent["media_type"], "CAROUSEL");
    assert_eq!(parent["caption"], "Tiga kegiatan minggu ini");
    let children: Vec<String> = parent["children"].split(',').map(str::to_owned).collect();
    assert_eq!(children.len(), 3);
    let checks = fake.with(|s| {
        children
            .iter()
            .map(|c| s.containers[c].checks)
            .collect::<Vec<_>>()
    });
    assert_eq!(
        checks,
        [0, 3, 0],
        "only the video child is checked, until FINISHED"
    );
    assert_eq!(fake.with(|s| s.media_publish_calls), 1);
}

#[tokio::test]
async fn an_instagram_video_is_a_reel_checked_until_finished() {
    let fake = Fake::start(TOKEN, PAGE, IG).await;
    fake.with(|s| s.container_ready_after = 3);
    published(
        instagram(&fake)
            .publish(&post("Reel sosialisasi", vec![video("reel.mp4", true)]))
            .await
            .unwrap(),
    );
    let create = fake.requests("POST", "/media");
    assert_eq!(create[0].form["media_type"], "REELS");
    assert_eq!(
        create[0].form["video_url"],
        "https://humas.example.go.id/media/reel.mp4"
    );
    assert_eq!(create[0].form["caption"], "Reel sosialisasi");
    let container = fake.with(|s| s.containers.keys().next().cloned().unwrap());
    assert_eq!(fake.count("GET", &format!("/{container}")), 4);
    assert_eq!(fake.with(|s| s.media_publish_calls), 1);
}

#[tokio::test]
async fn instagram_needs_a_public_address_for_every_file() {
    let fake = Fake::start(TOKEN, PAGE, IG).await;
    let media = vec![image("a.jpg", true, None), image("b.jpg", false, None)];
    let err = instagram(&fake)
        .publish(&post("Dua foto", media))
        .await
        .unwrap_err();
    match err {
        ConnectorError::Refused(message) => assert_eq!(message, INSTAGRAM_NEEDS_PUBLIC_URL),
        other => panic!("expected a refusal, got {other}"),
    }
    assert!(
        fake.with(|s| s.seen.is_empty()),
        "nothing is sent when one file cannot be fetched"
    );
    assert!(matches!(
        instagram(&fake).publish(&post("Tanpa media", vec![])).await,
        Err(ConnectorError::Refused(_))
    ));
}

#[tokio::test]
async fn a_container_in_error_or_expired_is_refused_and_never_published() {
    let fake = Fake::start(TOKEN, PAGE, IG).await;
    fake.with(|s| {
        s.container_ready_after = 1;
        s.video_container_outcome = Some("ERROR".into());
    });
    let err = instagram(&fake)
        .publish(&post("Video rusak", vec![video("rusak.mp4", true)]))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Refused(ref m) if m.contains("2207026")),
        "{err}"
    );

    fake.with(|s| s.video_container_outcome = Some("EXPIRED".into()));
    let err = instagram(&fake)
        .publish(&post("Video lama", vec![video("lama.mp4", true)]))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Refused(ref m) if m.contains("expired")),
        "{err}"
    );
    assert!(!err.is_transient());
    assert_eq!(fake.with(|s| s.media_publish_calls), 0);
    assert_eq!(fake.count("GET", "/content_publishing_limit"), 0);
}

#[tokio::test]
async fn a_container_still_processing_after_every_check_is_retryable() {
    let fake = Fake::start(TOKEN, PAGE, IG).await;
    fake.with(|s| s.container_ready_after = 100);
    let err = instagram(&fake)
        .publish(&post("Video panjang", vec![video("panjang.mp4", true)]))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ConnectorError::Unavailable { .. }) && err.is_transient(),
        "{err}"
    );
    let container = fake.with(|s| s.containers.keys().next().cloned().unwrap());
    assert_eq!(
        fake.count("GET", &format!("/{container}")),
        5,
        "the configured number of checks"
    );
    assert_eq!(fake.with(|s| s.media_publish_calls), 0);
}

#[tokio::test]
async fn a_used_up_quota_is_a_rate_limit_before_media_publish() {
    let fake = Fake::start(TOKEN, PAGE, IG).await;
    fake.with(|s| {
        s.quota_total = 50;
        s.quota_usage = 50;
    });
    let err = instagram(&fake)
        .publish(&post("Kuota habis", vec![image("a.jpg", true, None)]))
        .await
        .unwrap_err();
    match err {
        ConnectorError::RateLimited {
            retry_after,
            detail,
        } => {
            assert_eq!(retry_after, Some(Duration::from_secs(86_400)));
            assert!(detail.contains("50 of 50"), "{detail}");
        }
        other => panic!("expected a rate limit, got {other}"),
    }
    assert_eq!(fake.with(|s| s.media_publish_calls), 0);
}

#[tokio::test]
async fn media_not_ready_is_transient() {
    let fake = Fake::start(TOKEN, PAGE, IG).await;
    fake.inject_for(
        "POST /media_publish",
        400,
        graph_error(9007, Some(2_207_027), "Media ID is not available"),
    );
    let err = instagram(&fake)
        .publish(&post("Belum siap", vec![image("a.jpg", true, None)]))
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert!(err.to_string().contains("9007"), "{err}");
    assert!(fake.with(|s| s.made.is_empty()));
}

#[tokio::test]
async fn a_missing_permalink_does_not_fail_the_publish() {
    let fake = Fake::start(TOKEN, PAGE, IG).await;
    fake.with(|s| s.permalink_fails = true);
    let done = published(
        instagram(&fake)
            .publish(&post("Tetap terbit", vec![image("a.jpg", true, None)]))
            .await
            .unwrap(),
    );
    assert_eq!(done.url, None);
    assert_eq!(done.external_id, fake.with(|s| s.made[0].id.clone()));
    assert_eq!(fake.count("GET", &format!("/{}", done.external_id)), 1);
}

#[tokio::test]
async fn instagram_reconciliation_matches_caption_and_time() {
    let fake = Fake::start(TOKEN, PAGE, IG).await;
    let mut sent = post("Info  CPNS\n2026", vec![image("a.jpg", true, None)]);
    sent.intent_at = Timestamp::now() - SignedDuration::from_secs(1);
    let done = published(instagram(&fake).publish(&sent).await.unwrap());

    let found = instagram(&fake)
        .find_published(&sent)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.external_id, done.external_id);
    assert_eq!(
        found.url,
        Some(format!("https://www.instagram.com/p/{}/", done.external_id))
    );
    let listing = fake.requests("GET", &format!("/{IG}/media"));
    assert_eq!(listing[0].query["fields"], "id,caption,timestamp,permalink");

    let other = post("Info CPNS 2027", vec![image("a.jpg", true, None)]);
    assert_eq!(instagram(&fake).find_published(&other).await.unwrap(), None);
    let mut later = sent.clone();
    later.intent_at = Timestamp::now() + SignedDuration::from_secs(60);
    assert_eq!(instagram(&fake).find_published(&later).await.unwrap(), None);
}

#[tokio::test]
async fn instagram_engagement_reads_likes_and_comments() {
    let fake = Fake::start(TOKEN, PAGE, IG).await;
    let done = published(
        instagram(&fake)
            .publish(&post("Suka?", vec![image("a.jpg", true, None)]))
            .await
            .unwrap(),
    );
    fake.with(|s| {
        s.engagement.insert(
            done.external_id.clone(),
            json!({"like_count": 120, "comments_count": 8}),
        )
    });
    let figures = instagram(&fake)
        .engagement(&done.external_id)
        .await
        .unwrap();
    assert_eq!(
        figures,
        Engagement {
            likes: 120,
            comments: 8,
            shares: 0,
            views: None
        }
    );
    let asked = fake.requests("GET", &format!("/{}", done.external_id));
    assert_eq!(
        asked.last().unwrap().query["fields"],
        "like_count,comments_count"
    );
}
