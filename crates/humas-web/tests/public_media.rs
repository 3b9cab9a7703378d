//! The public address of a post's medium (`/media/{id}/{token}`): the token opens that one
//! file without a session; a wrong token or an unknown id gets a plain 404.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failure should stop the test at that line"
)]

mod support;

use std::sync::Arc;

use humas_app::AuthSettings;
use humas_app::publish::{FsMediaStore, MediaStore};
use humas_web::WebSettings;
use support::TestApp;

fn png() -> Vec<u8> {
    let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    png.extend_from_slice(&13_u32.to_be_bytes());
    png.extend_from_slice(b"IHDR");
    png.extend_from_slice(&640_u32.to_be_bytes());
    png.extend_from_slice(&640_u32.to_be_bytes());
    png.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    png.extend_from_slice(&0_u32.to_be_bytes());
    png.extend_from_slice(b"IEND");
    png.extend_from_slice(&[0xAE, 0x42, 0x60, 0x82]);
    png
}

#[tokio::test]
async fn the_token_opens_one_file_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let t = TestApp::spawn_configured(
        AuthSettings::for_tests(),
        WebSettings {
            media_dir: dir.path().to_path_buf(),
            ..WebSettings::default()
        },
    )
    .await;
    let media: Arc<dyn MediaStore> = Arc::new(FsMediaStore::new(dir.path()));
    let dinkes = t.opd("dinkes").await;
    let user = t
        .store()
        .get_user(t.user_id("operator.dinkes").await)
        .await
        .unwrap();
    let actor = humas_domain::Actor::new(&user, &[], jiff::civil::date(2026, 11, 28));
    let asset = t
        .app
        .upload_media(&actor, &media, dinkes, "poster.png", &png(), "Poster")
        .await
        .unwrap();
    let token = t.app.public_media_token(asset.id);
    let client = reqwest::Client::new();

    let ok = client
        .get(t.url(&format!("/media/{}/{token}", asset.id)))
        .send()
        .await
        .unwrap();
    let status = ok.status();
    let headers = ok.headers().clone();
    let ok_bytes = ok.bytes().await.unwrap().to_vec();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&ok_bytes));
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(ok_bytes, png());

    let other = humas_domain::MediaId::generate();
    for path in [
        format!("/media/{}/{}", asset.id, "0".repeat(token.len())),
        format!("/media/{}/{}", other, t.app.public_media_token(other)),
        format!("/media/bukan-id/{token}"),
    ] {
        let resp = client.get(t.url(&path)).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{path}");
    }
}
