//! Connecting an account through the platform's consent page: the start sets a sealed,
//! short-lived cookie and sends the browser to the platform; the callback must bring back the
//! same state before the code is exchanged; the tokens end up sealed with their expiry, and the
//! connection page shows the token's health. The platform side is a recording fake
//! `OAuthGateway` (the HTTP protocol is tested in `humas-connectors/tests/oauth.rs`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failure should stop the test at that line"
)]

mod support;

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use humas_app::AuthSettings;
use humas_app::oauth::{OAuthGateway, TokenGrant};
use humas_domain::{Account, AccountHandle, AccountId, AccountStatus, Platform};
use humas_store::AuditActor;
use humas_web::WebSettings;
use support::{TestApp, hidden_field};

#[derive(Default)]
struct FakeConsent {
    /// The verifier given when the consent address was made, and the one at the exchange.
    verifiers: Mutex<Vec<String>>,
    codes: Mutex<Vec<String>>,
}

#[async_trait]
impl OAuthGateway for FakeConsent {
    fn supports(&self, platform: Platform) -> bool {
        platform == Platform::X
    }

    fn authorize_url(
        &self,
        _account: &Account,
        redirect_uri: &str,
        state: &str,
        verifier: &str,
    ) -> Result<String, String> {
        self.verifiers.lock().unwrap().push(verifier.to_owned());
        Ok(format!(
            "https://x.example/i/oauth2/authorize?state={state}&redirect_uri={redirect_uri}"
        ))
    }

    async fn exchange(
        &self,
        _account: &Account,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> Result<TokenGrant, String> {
        assert!(redirect_uri.ends_with("/oauth/callback"), "{redirect_uri}");
        self.codes.lock().unwrap().push(code.to_owned());
        self.verifiers.lock().unwrap().push(verifier.to_owned());
        if code == "ditolak" {
            return Err("invalid_grant: the code was already used".to_owned());
        }
        Ok(TokenGrant {
            access_token: "x-access-token".into(),
            refresh_token: None,
            expires_at: Some(jiff::Timestamp::now() + jiff::SignedDuration::from_hours(48)),
            refresh_expires_at: None,
            platform_user_id: Some("1234567890".into()),
        })
    }
}

async fn spawn() -> (TestApp, Arc<FakeConsent>, AccountId) {
    let consent = Arc::new(FakeConsent::default());
    let gateway = consent.clone();
    let t = TestApp::spawn_customized(
        AuthSettings::for_tests(),
        WebSettings::default(),
        move |app| app.with_oauth(gateway),
    )
    .await;
    let account = Account {
        id: AccountId::generate(),
        opd: t.opd("dinkes").await,
        platform: Platform::X,
        handle: AccountHandle::parse("@dinkes_oauth").unwrap(),
        api_base_url: None,
        status: AccountStatus::Active,
    };
    t.store()
        .create_account(&AuditActor::cli(), &account)
        .await
        .unwrap();
    (t, consent, account.id)
}

fn query_value(url: &str, name: &str) -> String {
    url.split(['?', '&'])
        .find_map(|p| p.strip_prefix(&format!("{name}=")))
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn an_approver_connects_through_the_consent_page_and_sees_the_tokens_health() {
    let (t, consent, account) = spawn().await;
    let ap = t.signed_in("approver.dinkes").await;
    let page = ap
        .get(t.url(&format!("/accounts/{account}/connection")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("id=\"oauth-form\""),
        "the consent button is offered"
    );
    assert!(page.contains("Belum ada token"), "health before connecting");
    let csrf = hidden_field(&page, "_csrf").unwrap();

    let started = ap
        .post(t.url(&format!("/accounts/{account}/oauth/start")))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), 303);
    let location = started.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("https://x.example/i/oauth2/authorize?"),
        "{location}"
    );
    let set_cookie = started.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        set_cookie.starts_with("humas_oauth=") && set_cookie.contains("HttpOnly"),
        "{set_cookie}"
    );
    assert!(
        !set_cookie.contains(&consent.verifiers.lock().unwrap()[0]),
        "the verifier is sealed"
    );
    let state = query_value(&location, "state");

    // A callback with another state is refused and nothing is stored.
    let forged = ap
        .get(t.url(&format!("/oauth/callback?code=abc&state={}x", state)))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 422);
    assert!(forged.text().await.unwrap().contains("tidak cocok"));
    assert!(consent.codes.lock().unwrap().is_empty());

    // The forged attempt cleared nothing it should not have: start again and finish properly.
    let page = ap
        .get(t.url(&format!("/accounts/{account}/connection")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = hidden_field(&page, "_csrf").unwrap();
    let started = ap
        .post(t.url(&format!("/accounts/{account}/oauth/start")))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    let state = query_value(started.headers()["location"].to_str().unwrap(), "state");
    let back = ap
        .get(t.url(&format!("/oauth/callback?code=kode-izin&state={state}")))
        .send()
        .await
        .unwrap();
    assert_eq!(back.status(), 303);
    assert_eq!(
        back.headers()["location"],
        format!("/accounts/{account}/connection?ok=connected").as_str()
    );
    assert_eq!(consent.codes.lock().unwrap().as_slice(), ["kode-izin"]);
    let verifiers = consent.verifiers.lock().unwrap().clone();
    assert_eq!(
        verifiers[1], verifiers[2],
        "the exchange gets the verifier the consent was made with"
    );

    let creds = t.app.account_credentials(account).await.unwrap().unwrap();
    assert_eq!(creds.access_token.as_deref(), Some("x-access-token"));
    assert_eq!(creds.platform_user_id.as_deref(), Some("1234567890"));
    assert!(creds.expires_at.is_some());
    let page = ap
        .get(t.url(&format!("/accounts/{account}/connection?ok=connected")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Berakhir dalam 4"),
        "expires within the warning week: {}",
        &page[page.find("token-health").unwrap_or(0)..][..200.min(page.len())]
    );

    // The callback cannot be replayed: the cookie is gone.
    let replay = ap
        .get(t.url(&format!("/oauth/callback?code=kode-izin&state={state}")))
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 422);
}

#[tokio::test]
async fn operators_cannot_connect_and_unsupported_platforms_say_so() {
    let (t, _consent, account) = spawn().await;
    let op = t.signed_in("operator.dinkes").await;
    let csrf = t.csrf(&op).await;
    let refused = op
        .post(t.url(&format!("/accounts/{account}/oauth/start")))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);

    let mastodon = Account {
        id: AccountId::generate(),
        opd: t.opd("dinkes").await,
        platform: Platform::Mastodon,
        handle: AccountHandle::parse("@dinkes@sosial.example").unwrap(),
        api_base_url: None,
        status: AccountStatus::Active,
    };
    t.store()
        .create_account(&AuditActor::cli(), &mastodon)
        .await
        .unwrap();
    let ap = t.signed_in("approver.dinkes").await;
    let csrf = t.csrf(&ap).await;
    let unsupported = ap
        .post(t.url(&format!("/accounts/{}/oauth/start", mastodon.id)))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(unsupported.status(), 422);
    assert!(
        unsupported
            .text()
            .await
            .unwrap()
            .contains("oauth_clients_file")
    );
}
