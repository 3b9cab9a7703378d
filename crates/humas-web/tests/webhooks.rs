//! Inbound webhooks over real HTTP: the generic signed webhook and Meta's handshake and
//! deliveries. Forged, replayed and unknown deliveries are refused and store nothing; valid
//! ones are stored once, however often they are delivered.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use hmac::{Hmac, Mac};
use humas_app::sealed::Credentials;
use humas_app::{App, AuthSettings};
use humas_connectors::signed;
use humas_domain::{Account, AccountHandle, AccountId, AccountStatus, Platform};
use humas_store::AuditActor;
use humas_web::WebSettings;
use sha2::Sha256;
use support::TestApp;

const APP_SECRET: &str = "meta-app-secret-for-tests";
const VERIFY_TOKEN: &str = "verify-me-2026";

async fn app_with_meta() -> TestApp {
    TestApp::spawn_configured(
        AuthSettings::for_tests(),
        WebSettings {
            meta_app_secret: Some(APP_SECRET.into()),
            meta_verify_token: Some(VERIFY_TOKEN.into()),
            ..WebSettings::default()
        },
    )
    .await
}

async fn account(t: &TestApp, platform: Platform, handle: &str, creds: Credentials) -> Account {
    let a = Account {
        id: AccountId::generate(),
        opd: t.opd("dinkes").await,
        platform,
        handle: AccountHandle::parse(handle).unwrap(),
        api_base_url: None,
        status: AccountStatus::Active,
    };
    t.store()
        .create_account(&AuditActor::cli(), &a)
        .await
        .unwrap();
    t.app
        .set_account_credentials(&App::cli_actor(), a.id, creds)
        .await
        .unwrap();
    a
}

fn body(ids: &[&str]) -> Vec<u8> {
    let items: Vec<_> = ids
        .iter()
        .map(|id| {
            serde_json::json!({
                "id": id,
                "author": "@warga_sby",
                "text": format!("laporan {id}: lampu jalan mati di kenjeran"),
                "published_at": "2026-11-27T08:00:00+07:00",
            })
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({ "messages": items })).unwrap()
}

async fn deliver(
    t: &TestApp,
    account: AccountId,
    body: &[u8],
    secret: &str,
    at: i64,
) -> (u16, serde_json::Value) {
    let resp = reqwest::Client::new()
        .post(t.url(&format!("/webhooks/ingest/{account}")))
        .header(signed::TIMESTAMP_HEADER, at.to_string())
        .header(
            signed::SIGNATURE_HEADER,
            signed::sign(secret.as_bytes(), at, body),
        )
        .header("content-type", "application/json")
        .body(body.to_vec())
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(serde_json::Value::Null))
}

async fn stored(t: &TestApp, platform: Platform, id: &str) -> bool {
    t.store().message_by_external_id(platform, id).await.is_ok()
}

#[tokio::test]
async fn a_signed_delivery_is_stored_once_and_forgeries_are_refused() {
    let t = TestApp::spawn().await;
    let a = account(
        &t,
        Platform::Telegram,
        "@laporjatim",
        Credentials {
            webhook_secret: Some("whsec-123".into()),
            ..Credentials::default()
        },
    )
    .await;
    let now = t.app.clock().now().as_second();

    let (status, json) = deliver(&t, a.id, &body(&["w1", "w2"]), "whsec-123", now).await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["accepted"], 2);
    assert!(stored(&t, Platform::Telegram, "w1").await);

    // Delivered again (the source did not see our answer): stored once.
    let (status, json) = deliver(&t, a.id, &body(&["w1", "w2"]), "whsec-123", now).await;
    assert_eq!(status, 200);
    assert_eq!(json["accepted"], 0);
    assert_eq!(json["duplicates"], 2);

    // Wrong secret, an old timestamp (a replay), an unknown account: refused, nothing stored.
    let (status, json) = deliver(&t, a.id, &body(&["w3"]), "guessed", now).await;
    assert_eq!(status, 401, "{json}");
    let (status, _) = deliver(&t, a.id, &body(&["w4"]), "whsec-123", now - 3600).await;
    assert_eq!(status, 401);
    let (status, _) = deliver(&t, AccountId::generate(), &body(&["w5"]), "whsec-123", now).await;
    assert_eq!(status, 401);
    for id in ["w3", "w4", "w5"] {
        assert!(
            !stored(&t, Platform::Telegram, id).await,
            "{id} must not be stored"
        );
    }

    // A body changed after signing does not verify.
    let signed_body = body(&["w6"]);
    let resp = reqwest::Client::new()
        .post(t.url(&format!("/webhooks/ingest/{}", a.id)))
        .header(signed::TIMESTAMP_HEADER, now.to_string())
        .header(
            signed::SIGNATURE_HEADER,
            signed::sign(b"whsec-123", now, &signed_body),
        )
        .body(body(&["w7"]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    assert!(!stored(&t, Platform::Telegram, "w7").await);
}

#[tokio::test]
async fn valid_items_are_stored_beside_rejected_ones() {
    let t = TestApp::spawn().await;
    let a = account(
        &t,
        Platform::Telegram,
        "@laporjatim",
        Credentials {
            webhook_secret: Some("whsec-123".into()),
            ..Credentials::default()
        },
    )
    .await;
    let now = t.app.clock().now().as_second();
    let mixed = serde_json::to_vec(&serde_json::json!({"messages": [
        {"id": "ok-1", "author": "@a", "text": "jalan rusak", "published_at": "2026-11-27T08:00:00Z"},
        {"id": "no-text", "author": "@b", "text": "  ", "published_at": "2026-11-27T08:00:00Z"},
        {"author": "@c", "text": "tanpa id", "published_at": "2026-11-27T08:00:00Z"},
    ]}))
    .unwrap();
    let (status, json) = deliver(&t, a.id, &mixed, "whsec-123", now).await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["accepted"], 1);
    assert_eq!(json["rejected"].as_array().unwrap().len(), 2, "{json}");
    assert!(stored(&t, Platform::Telegram, "ok-1").await);

    let (status, json) = deliver(&t, a.id, b"this is not json", "whsec-123", now).await;
    assert_eq!(status, 400, "{json}");
}

fn meta_signature(body: &[u8]) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(APP_SECRET.as_bytes()).unwrap();
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

#[tokio::test]
async fn meta_handshake_and_signed_deliveries() {
    let t = app_with_meta().await;
    let c = reqwest::Client::new();
    let ok = c
        .get(t.url(&format!(
            "/webhooks/meta?hub.mode=subscribe&hub.verify_token={VERIFY_TOKEN}&hub.challenge=1158201444"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 200);
    assert_eq!(ok.text().await.unwrap(), "1158201444");
    let wrong = c
        .get(t.url(
            "/webhooks/meta?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1158201444",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 403);

    let page = account(
        &t,
        Platform::Facebook,
        "dinkesjatim.page",
        Credentials {
            access_token: Some("page-token".into()),
            platform_user_id: Some("1122334455".into()),
            ..Credentials::default()
        },
    )
    .await;
    let delivery = serde_json::to_vec(&serde_json::json!({
        "object": "page",
        "entry": [
            {"id": "1122334455", "time": 1764300000, "changes": [{"field": "feed", "value": {
                "item": "comment", "verb": "add", "comment_id": "1122334455_99_501",
                "post_id": "1122334455_99", "parent_id": "1122334455_99",
                "from": {"id": "777", "name": "Warga Sidoarjo"},
                "message": "antrian puskesmas lama sekali, mohon ditambah petugas",
                "created_time": 1764300000
            }}]},
            {"id": "9999999999", "time": 1764300000, "changes": [{"field": "feed", "value": {
                "item": "comment", "verb": "add", "comment_id": "9999999999_1_2",
                "post_id": "9999999999_1", "parent_id": "9999999999_1",
                "from": {"id": "888", "name": "Orang Lain"},
                "message": "halaman yang tidak dikelola Humas",
                "created_time": 1764300000
            }}]}
        ]
    }))
    .unwrap();
    let forged = c
        .post(t.url("/webhooks/meta"))
        .header("x-hub-signature-256", format!("sha256={}", "0".repeat(64)))
        .body(delivery.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 401);
    assert!(!stored(&t, Platform::Facebook, "1122334455_99_501").await);

    for _ in 0..2 {
        let resp = c
            .post(t.url("/webhooks/meta"))
            .header("x-hub-signature-256", meta_signature(&delivery))
            .header("content-type", "application/json")
            .body(delivery.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
    }
    let m = t
        .store()
        .message_by_external_id(Platform::Facebook, "1122334455_99_501")
        .await
        .unwrap();
    assert_eq!(
        m.account, page.id,
        "routed to the Page whose id the entry names"
    );
    assert!(
        !stored(&t, Platform::Facebook, "9999999999_1_2").await,
        "a Page Humas does not manage is ignored"
    );
}
