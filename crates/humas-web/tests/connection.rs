//! Connecting an account to its platform over real HTTP: tokens are stored sealed, never shown
//! back, and only the province or the OPD's approver may enter them.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failure should stop the test at that line"
)]

mod support;

use humas_domain::{AccountId, Platform};
use support::TestApp;

const TOKEN: &str = "EAAB-uji-rahasia-9f3c2d7e";

/// The dinkes Facebook account of the demo data.
async fn dinkes_facebook(t: &TestApp) -> AccountId {
    let opd = t.opd("dinkes").await;
    t.store()
        .list_accounts(Some(opd))
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.platform == Platform::Facebook)
        .expect("demo data has a Facebook account for dinkes")
        .id
}

async fn post(
    t: &TestApp,
    c: &reqwest::Client,
    id: AccountId,
    csrf: Option<&str>,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form: Vec<(&str, &str)> = fields.to_vec();
    if let Some(token) = csrf {
        form.push(("_csrf", token));
    }
    c.post(t.url(&format!("/accounts/{id}/connection")))
        .form(&form)
        .send()
        .await
        .unwrap()
}

async fn page(t: &TestApp, c: &reqwest::Client, path: &str) -> (u16, String) {
    let resp = c.get(t.url(path)).send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

/// The row of the stored-credentials table whose label is `label`.
fn stored_row<'h>(html: &'h str, label: &str) -> &'h str {
    let start = html
        .find(&format!("<th scope=\"row\">{label}</th>"))
        .unwrap_or_else(|| panic!("no row {label}"));
    let end = html[start..].find("</tr>").unwrap() + start;
    &html[start..end]
}

#[tokio::test]
async fn an_approver_connects_an_account_and_the_token_stays_secret() {
    let t = TestApp::spawn().await;
    let id = dinkes_facebook(&t).await;
    let c = t.signed_in("approver.dinkes").await;
    let csrf = t.csrf(&c).await;
    let path = format!("/accounts/{id}/connection");

    let (status, before) = page(&t, &c, &path).await;
    assert_eq!(status, 200);
    assert!(stored_row(&before, "Token akses").contains("Belum diisi"));
    assert!(before.contains(&format!("/webhooks/ingest/{id}")));
    assert!(before.contains("X-Humas-Signature") && before.contains("X-Humas-Timestamp"));
    assert!(
        before.contains("ID akun di platform"),
        "Facebook needs the page id"
    );

    let resp = post(
        &t,
        &c,
        id,
        Some(&csrf),
        &[("access_token", TOKEN), ("platform_user_id", "1234567890")],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&path), "{location}");

    let (status, after) = page(&t, &c, &location).await;
    assert_eq!(status, 200);
    assert!(after.contains("role=\"status\""), "a notice after saving");
    assert!(stored_row(&after, "Token akses").contains("Tersimpan"));
    assert!(stored_row(&after, "ID akun di platform").contains("1234567890"));
    assert!(stored_row(&after, "Kunci webhook").contains("Belum diisi"));
    assert!(!after.contains(TOKEN), "the page must never show the token");
    assert!(!after.contains("EAAB"), "not even a part of it");

    let blob = t
        .store()
        .account_credentials(id)
        .await
        .unwrap()
        .expect("credentials stored");
    assert!(
        !blob.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()),
        "the database holds the token sealed, not in clear"
    );
    let opened = t.app.account_credentials(id).await.unwrap().unwrap();
    assert_eq!(opened.access_token.as_deref(), Some(TOKEN));

    // The accounts list links to the page for rows the reader manages.
    let (_, list) = page(&t, &c, "/accounts").await;
    assert!(list.contains(&format!("href=\"{path}\"")));
}

#[tokio::test]
async fn empty_keeps_and_a_dash_clears() {
    let t = TestApp::spawn().await;
    let id = dinkes_facebook(&t).await;
    let c = t.signed_in("supervisor").await;
    let csrf = t.csrf(&c).await;

    let resp = post(
        &t,
        &c,
        id,
        Some(&csrf),
        &[
            ("access_token", TOKEN),
            ("platform_user_id", "1234567890"),
            ("webhook_secret", "rahasia-webhook-panjang"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303);

    // Everything empty: nothing changes.
    let resp = post(
        &t,
        &c,
        id,
        Some(&csrf),
        &[
            ("access_token", ""),
            ("platform_user_id", ""),
            ("webhook_secret", ""),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let kept = t.app.account_credentials(id).await.unwrap().unwrap();
    assert_eq!(kept.access_token.as_deref(), Some(TOKEN));
    assert_eq!(kept.platform_user_id.as_deref(), Some("1234567890"));
    assert_eq!(
        kept.webhook_secret.as_deref(),
        Some("rahasia-webhook-panjang")
    );

    // A dash clears one field and leaves the others.
    let resp = post(&t, &c, id, Some(&csrf), &[("access_token", "-")]).await;
    assert_eq!(resp.status(), 303);
    let cleared = t.app.account_credentials(id).await.unwrap().unwrap();
    assert_eq!(cleared.access_token, None);
    assert_eq!(cleared.platform_user_id.as_deref(), Some("1234567890"));
    assert!(cleared.webhook_secret.is_some());
    let (_, html) = page(&t, &c, &format!("/accounts/{id}/connection")).await;
    assert!(stored_row(&html, "Token akses").contains("Belum diisi"));
    assert!(stored_row(&html, "Kunci webhook").contains("Tersimpan"));
    assert!(!html.contains("rahasia-webhook-panjang"));

    // A refused value is explained on the page and nothing changes.
    let long = "x".repeat(9000);
    let resp = post(&t, &c, id, Some(&csrf), &[("access_token", &long)]).await;
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("role=\"alert\"") && html.contains("8192"),
        "{html}"
    );
    assert!(!html.contains(&long), "the refused value is not echoed");
    let unchanged = t.app.account_credentials(id).await.unwrap().unwrap();
    assert_eq!(unchanged.access_token, None);
}

#[tokio::test]
async fn an_operator_and_a_forged_form_are_refused() {
    let t = TestApp::spawn().await;
    let id = dinkes_facebook(&t).await;
    let path = format!("/accounts/{id}/connection");

    let operator = t.signed_in("operator.dinkes").await;
    let csrf = t.csrf(&operator).await;
    let (status, _) = page(&t, &operator, &path).await;
    assert_eq!(status, 403);
    let resp = post(&t, &operator, id, Some(&csrf), &[("access_token", TOKEN)]).await;
    assert_eq!(resp.status(), 403);

    let approver = t.signed_in("approver.dinkes").await;
    let resp = post(&t, &approver, id, None, &[("access_token", TOKEN)]).await;
    assert_eq!(resp.status(), 403, "a form without the CSRF token");

    assert!(
        t.store().account_credentials(id).await.unwrap().is_none(),
        "nothing may be written by a refused request"
    );
}

#[tokio::test]
async fn platforms_without_polling_say_so_in_both_languages() {
    let t = TestApp::spawn().await;
    let opd = t.opd("dinkes").await;
    let accounts = t.store().list_accounts(Some(opd)).await.unwrap();
    let c = t.signed_in("approver.dinkes").await;
    for a in &accounts {
        let (status, html) = page(&t, &c, &format!("/accounts/{}/connection", a.id)).await;
        assert_eq!(status, 200);
        let later = matches!(
            a.platform,
            Platform::Youtube | Platform::Tiktok | Platform::Telegram
        );
        assert_eq!(
            html.contains("id=\"not-polled\""),
            later,
            "{:?}",
            a.platform
        );
        assert!(!html.contains("connection-"), "a missing translation");
    }
    let (_, indonesian) = page(&t, &c, &format!("/accounts/{}/connection", accounts[0].id)).await;
    assert!(indonesian.contains("Sambungan akun"));
    let resp = c.get(t.url("/lang?to=en")).send().await.unwrap();
    assert_eq!(resp.status(), 303);
    let (_, english) = page(&t, &c, &format!("/accounts/{}/connection", accounts[0].id)).await;
    assert!(english.contains("Account connection"), "English on request");
    assert!(!english.contains("connection-"), "a missing translation");
}
