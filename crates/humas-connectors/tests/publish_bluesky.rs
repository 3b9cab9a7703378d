//! Publishing our own posts on Bluesky against a local fake PDS.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

#[path = "fakes/bluesky.rs"]
mod fake;

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use fake::{DID, DuplicateAnswer, Failure, FakeBluesky, HANDLE, PASSWORD, is_tid};
use humas_connectors::ConnectorError;
use humas_connectors::bluesky::{BlueskyClient, BlueskyConfig, record_key};
use humas_connectors::http::Http;
use humas_connectors::outbound::{
    MediaKind, OutboundMedia, OutboundPost, PublishOutcome, Published, Publisher,
};
use humas_feeds::fetch::FetchOptions;
use jiff::Timestamp;
use secrecy::SecretString;
use serde_json::json;

const CREATE: &str = "com.atproto.repo.createRecord";
const GET_RECORD: &str = "com.atproto.repo.getRecord";
const UPLOAD: &str = "com.atproto.repo.uploadBlob";
const KEY: &str = "0194f1c2-7d4e-7c1a-9b1e-5d2a3c4b5e6f";
/// The documented example (section 7.2): the rain emoji is 7 bytes.
const TEXT: &str =
    "Waspada banjir 🌧️ @bpbd.example.go.id cek https://bpbd.example.go.id/peta #BanjirJakarta";
const BPBD_DID: &str = "did:plc:ewvi7nxzyoun6zhxrhs64oiz";

fn client_with(fake: &FakeBluesky, timeout: Duration) -> BlueskyClient {
    let http = Http::new(FetchOptions {
        allowed_addresses: vec!["127.0.0.1".parse::<IpAddr>().unwrap()],
        timeout,
        ..Default::default()
    })
    .unwrap();
    BlueskyClient::new(
        http,
        BlueskyConfig::new(&fake.base(), HANDLE, SecretString::from(PASSWORD)),
    )
}

fn client(fake: &FakeBluesky) -> BlueskyClient {
    client_with(fake, Duration::from_secs(5))
}

fn intent() -> Timestamp {
    "2025-01-15T03:00:00.123456Z".parse().unwrap()
}

fn post(text: &str, media: Vec<OutboundMedia>) -> OutboundPost {
    OutboundPost {
        text: text.into(),
        media,
        idempotency_key: KEY.into(),
        intent_at: intent(),
    }
}

fn image(name: &str, alt: Option<&str>, size: Option<(u32, u32)>) -> OutboundMedia {
    OutboundMedia {
        kind: MediaKind::Image,
        mime: "image/jpeg".into(),
        file_name: name.into(),
        bytes: Arc::new(format!("jpeg bytes of {name}").into_bytes()),
        public_url: None,
        alt_text: alt.map(str::to_owned),
        width: size.map(|s| s.0),
        height: size.map(|s| s.1),
        duration_ms: None,
    }
}

fn video() -> OutboundMedia {
    OutboundMedia {
        kind: MediaKind::Video,
        mime: "video/mp4".into(),
        file_name: "banjir.mp4".into(),
        bytes: Arc::new(b"....ftypisom video bytes".to_vec()),
        public_url: None,
        alt_text: Some("Air naik di Kemayoran".into()),
        width: Some(1080),
        height: Some(1920),
        duration_ms: Some(15_000),
    }
}

fn published(outcome: PublishOutcome) -> Published {
    match outcome {
        PublishOutcome::Published(p) => p,
        PublishOutcome::Pending { handle } => panic!("pending {handle}"),
    }
}

fn expected(rkey: &str) -> Published {
    Published {
        external_id: format!("at://{DID}/app.bsky.feed.post/{rkey}"),
        url: Some(format!("https://bsky.app/profile/{HANDLE}/post/{rkey}")),
    }
}

#[tokio::test]
async fn a_post_carries_facets_at_byte_offsets_images_with_alt_and_our_record_key() {
    let fake = FakeBluesky::start().await;
    fake.with(|s| {
        s.handles
            .insert("bpbd.example.go.id".into(), BPBD_DID.into())
    });
    let text = format!("{TEXT} @nobody.example.org");
    let p = post(
        &text,
        vec![
            image("banjir.jpg", Some("Air setinggi lutut"), Some((1200, 800))),
            image("peta.jpg", None, None),
        ],
    );
    let result = published(client(&fake).publish(&p).await.unwrap());
    let rkey = record_key(KEY, intent());
    assert!(is_tid(&rkey), "{rkey}");
    assert_eq!(result, expected(&rkey));

    let uploads = fake.requests(UPLOAD);
    assert_eq!(uploads.len(), 2);
    assert_eq!(uploads[0].content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(uploads[0].raw, *p.media[0].bytes);
    assert_eq!(uploads[1].raw, *p.media[1].bytes);
    assert!(
        uploads[0]
            .authorization
            .as_deref()
            .unwrap()
            .starts_with("Bearer acc-")
    );
    // The fake's blob ref is a hash of the bytes.
    let blob = |n: usize| {
        let cid = format!(
            "bafkrei{}",
            &fake::cid_of(&String::from_utf8_lossy(&p.media[n].bytes))[7..]
        );
        assert!(fake.with(|s| s.blobs.contains_key(&cid)), "{cid} uploaded");
        json!({"$type": "blob", "ref": {"$link": cid}, "mimeType": "image/jpeg", "size": p.media[n].bytes.len()})
    };

    let creates = fake.requests(CREATE);
    assert_eq!(creates.len(), 1);
    let end = TEXT.len();
    assert_eq!(
        creates[0].body,
        Some(json!({
            "repo": DID,
            "collection": "app.bsky.feed.post",
            "rkey": rkey,
            "record": {
                "$type": "app.bsky.feed.post",
                "text": text,
                "createdAt": "2025-01-15T03:00:00.123Z",
                "langs": ["id"],
                "facets": [
                    {"index": {"byteStart": 23, "byteEnd": 42}, "features": [{"$type": "app.bsky.richtext.facet#mention", "did": BPBD_DID}]},
                    {"index": {"byteStart": 47, "byteEnd": 78}, "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://bpbd.example.go.id/peta"}]},
                    {"index": {"byteStart": 79, "byteEnd": end}, "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "BanjirJakarta"}]},
                ],
                "embed": {"$type": "app.bsky.embed.images", "images": [
                    {"alt": "Air setinggi lutut", "image": blob(0), "aspectRatio": {"width": 1200, "height": 800}},
                    {"alt": "", "image": blob(1)},
                ]},
            },
        }))
    );
    let resolved: Vec<String> = fake
        .requests("com.atproto.identity.resolveHandle")
        .iter()
        .map(|r| r.param("handle").unwrap().to_owned())
        .collect();
    assert_eq!(resolved, ["bpbd.example.go.id", "nobody.example.org"]);
}

#[tokio::test]
async fn one_video_goes_into_a_video_embed() {
    let fake = FakeBluesky::start().await;
    let result = published(
        client(&fake)
            .publish(&post("Video banjir", vec![video()]))
            .await
            .unwrap(),
    );
    let upload = &fake.requests(UPLOAD)[0];
    assert_eq!(upload.content_type.as_deref(), Some("video/mp4"));
    let record = fake.with(|s| s.created[&result.external_id].clone());
    assert_eq!(record["embed"]["$type"], "app.bsky.embed.video");
    assert_eq!(record["embed"]["alt"], "Air naik di Kemayoran");
    assert_eq!(
        record["embed"]["aspectRatio"],
        json!({"width": 1080, "height": 1920})
    );
    assert_eq!(record["embed"]["video"]["mimeType"], "video/mp4");
    assert!(record.get("facets").is_none(), "no links, tags or mentions");
}

#[tokio::test]
async fn a_retry_after_a_lost_answer_reads_the_record_instead_of_posting_twice() {
    for answer in [DuplicateAnswer::InvalidSwap, DuplicateAnswer::ServerError] {
        let fake = FakeBluesky::start().await;
        fake.with(|s| {
            s.duplicate_answer = answer;
            s.lose_answer_on = Some(CREATE.into());
        });
        let b = client_with(&fake, Duration::from_millis(500));
        let p = post("Jadwal pemadaman listrik", vec![]);
        let err = b.publish(&p).await.unwrap_err();
        assert!(matches!(err, ConnectorError::Timeout), "{err:?}");
        assert_eq!(fake.with(|s| s.created.len()), 1, "the PDS made it");

        let result = published(b.publish(&p).await.unwrap());
        let rkey = record_key(KEY, intent());
        assert_eq!(result, expected(&rkey), "{answer:?}");
        assert_eq!(fake.with(|s| s.created.len()), 1, "{answer:?}: one post");
        let creates = fake.requests(CREATE);
        assert_eq!(creates.len(), 2);
        assert_eq!(
            creates[0].body, creates[1].body,
            "the same record, the same key"
        );
        let reads = fake.requests(GET_RECORD);
        assert_eq!(reads.len(), 1, "{answer:?}");
        assert_eq!(reads[0].param("repo"), Some(DID));
        assert_eq!(reads[0].param("collection"), Some("app.bsky.feed.post"));
        assert_eq!(reads[0].param("rkey"), Some(rkey.as_str()));
    }
}

#[tokio::test]
async fn find_published_reads_the_record_under_our_key() {
    let fake = FakeBluesky::start().await;
    let b = client(&fake);
    let p = post("Pengumuman", vec![]);
    assert_eq!(b.find_published(&p).await.unwrap(), None);
    let made = published(b.publish(&p).await.unwrap());
    assert_eq!(b.find_published(&p).await.unwrap(), Some(made));
    let mut other = post("Pengumuman", vec![]);
    other.idempotency_key = "another-post".into();
    assert_eq!(b.find_published(&other).await.unwrap(), None);
    let mut later = post("Pengumuman", vec![]);
    later.intent_at = intent() + jiff::SignedDuration::from_secs(1);
    assert_eq!(b.find_published(&later).await.unwrap(), None);
    assert_eq!(fake.calls(GET_RECORD), 4);
    assert_eq!(fake.calls(CREATE), 1);
}

#[tokio::test]
async fn engagement_counts_likes_replies_reposts_and_quotes() {
    let fake = FakeBluesky::start().await;
    let b = client(&fake);
    let made = published(b.publish(&post("Info", vec![])).await.unwrap());
    fake.with(|s| {
        let view = s.posts.get_mut(&made.external_id).unwrap();
        view["likeCount"] = json!(20);
        view["replyCount"] = json!(4);
        view["repostCount"] = json!(3);
        view["quoteCount"] = json!(2);
    });
    let e = b.engagement(&made.external_id).await.unwrap();
    assert_eq!((e.likes, e.comments, e.shares, e.views), (20, 4, 5, None));
    let asked = &fake.requests("app.bsky.feed.getPosts")[0];
    assert_eq!(asked.param("uris"), Some(made.external_id.as_str()));
    let err = b
        .engagement(&format!("at://{DID}/app.bsky.feed.post/3zzzzzzzzzzzz"))
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn a_server_error_once_then_success_makes_one_post() {
    let fake = FakeBluesky::start().await;
    fake.with(|s| s.fail_on.insert(CREATE.into(), Failure::Status(502)));
    let b = client(&fake);
    let p = post("Halo", vec![]);
    let err = b.publish(&p).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Unavailable { .. }), "{err:?}");
    assert!(err.is_transient());
    assert_eq!(
        fake.calls(GET_RECORD),
        1,
        "looked whether it was made anyway"
    );
    published(b.publish(&p).await.unwrap());
    assert_eq!(fake.with(|s| s.created.len()), 1);
}

#[tokio::test]
async fn failures_map_to_what_the_worker_does_next() {
    let fake = FakeBluesky::start().await;
    let b = client(&fake);
    let p = post("Halo", vec![]);

    fake.with(|s| {
        s.fail_on
            .insert(CREATE.into(), Failure::RateLimited { reset_in_secs: 90 })
    });
    let err = b.publish(&p).await.unwrap_err();
    let ConnectorError::RateLimited {
        retry_after: Some(wait),
        ..
    } = err
    else {
        panic!("{err:?}");
    };
    assert!((85..=90).contains(&wait.as_secs()), "{wait:?}");
    assert_eq!(fake.calls(GET_RECORD), 0, "a rate limit made nothing");

    fake.with(|s| s.fail_on.insert(CREATE.into(), Failure::Status(400)));
    let err = b.publish(&p).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Refused(_)), "{err:?}");
    assert!(!err.is_transient());

    fake.with(|s| s.fail_on.insert(CREATE.into(), Failure::Body("{\"uri\": ")));
    let err = b.publish(&p).await.unwrap_err();
    assert!(matches!(err, ConnectorError::Malformed(_)), "{err:?}");

    // An expired access token is refreshed once and the post goes out.
    fake.with(|s| s.expire_access());
    let made = published(b.publish(&p).await.unwrap());
    assert_eq!(fake.with(|s| s.refresh_calls), 1);
    assert_eq!(made, expected(&record_key(KEY, intent())));

    fake.with(|s| s.latency = Duration::from_millis(1500));
    let err = client_with(&fake, Duration::from_millis(300))
        .publish(&p)
        .await
        .unwrap_err();
    assert!(matches!(err, ConnectorError::Timeout), "{err:?}");
}

#[tokio::test]
async fn posts_bluesky_would_refuse_are_refused_before_any_write() {
    let fake = FakeBluesky::start().await;
    let b = client(&fake);
    let five = (0..5)
        .map(|n| image(&format!("{n}.jpg"), None, None))
        .collect();
    let cases: Vec<(OutboundPost, &str)> = vec![
        (post("Lima foto", five), "at most 4"),
        (
            post("Campur", vec![video(), image("a.jpg", None, None)]),
            "one video alone",
        ),
        (post("", vec![]), "neither text nor media"),
        (post(&"a".repeat(301), vec![]), "301 characters"),
        (
            post("Besar", {
                let mut big = image("besar.jpg", None, None);
                big.bytes = Arc::new(vec![0; 1_000_001]);
                vec![big]
            }),
            "1000001 bytes",
        ),
        (
            post("PNG?", {
                let mut odd = image("a.heic", None, None);
                odd.mime = "application/octet-stream".into();
                vec![odd]
            }),
            "image/",
        ),
    ];
    for (p, words) in cases {
        let err = b.publish(&p).await.unwrap_err();
        assert!(
            matches!(&err, ConnectorError::Refused(d) if d.contains(words)),
            "{words}: {err:?}"
        );
    }
    assert_eq!(fake.calls(UPLOAD), 0);
    assert_eq!(fake.calls(CREATE), 0);
    // Media without text is a post.
    published(
        b.publish(&post("", vec![image("a.jpg", Some("Foto"), None)]))
            .await
            .unwrap(),
    );
}
