//! Sign-in, sessions and CSRF as an attacker would probe them, over real HTTP.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failure should stop the test at that line"
)]

mod support;

use std::time::Duration;

use support::{PASSWORD, TestApp, hidden_field};

fn session_cookie(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("humas_session=") && !v.starts_with("humas_session=;"))
        .map(str::to_owned)
}

#[tokio::test]
async fn state_changes_need_the_sessions_csrf_token() {
    let t = TestApp::spawn().await;
    let c = t.signed_in("supervisor").await;
    let good = t.csrf(&c).await;
    let form = |token: Option<&str>| {
        let mut f = vec![
            ("name", "Dinas Uji CSRF".to_owned()),
            ("slug", "uji-csrf".to_owned()),
            ("kind", "dinas".to_owned()),
        ];
        if let Some(tok) = token {
            f.push(("_csrf", tok.to_owned()));
        }
        f
    };

    let missing = c
        .post(t.url("/opds"))
        .form(&form(None))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 403);
    assert!(
        missing
            .text()
            .await
            .unwrap()
            .contains("Token keamanan formulir"),
        "translated page expected"
    );

    let wrong = c
        .post(t.url("/opds"))
        .form(&form(Some("forged")))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);

    let cross_site = c
        .post(t.url("/opds"))
        .header("origin", "https://evil.example")
        .form(&form(Some(&good)))
        .send()
        .await
        .unwrap();
    assert_eq!(cross_site.status(), 403);
    let slug = humas_domain::Slug::parse("uji-csrf").unwrap();
    assert!(
        t.store().opd_by_slug(&slug).await.is_err(),
        "nothing may be written by a refused request"
    );

    let ok = c
        .post(t.url("/opds"))
        .form(&form(Some(&good)))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
    assert!(t.store().opd_by_slug(&slug).await.is_ok());

    // The header works too, for our own scripts.
    let header = c
        .post(t.url("/profile/tokens"))
        .header("x-csrf-token", &good)
        .form(&[("name", "via-header")])
        .send()
        .await
        .unwrap();
    assert_eq!(header.status(), 200);
}

#[tokio::test]
async fn the_sign_in_form_is_protected_by_a_double_submit_token() {
    let t = TestApp::spawn().await;
    let c = TestApp::browser();
    let resp = c
        .post(t.url("/login"))
        .form(&[
            ("username", "supervisor"),
            ("password", PASSWORD),
            ("_csrf", "guess"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401, "no cookie, no sign-in");
    assert!(session_cookie(&resp).is_none());
}

#[tokio::test]
async fn sign_in_sets_a_fresh_hardened_session_and_sign_out_ends_it() {
    let t = TestApp::spawn().await;
    let c = TestApp::browser();
    let first = t.login(&c, "operator.dinkes", PASSWORD).await;
    assert_eq!(first.status(), 303);
    let cookie1 = session_cookie(&first).expect("a session cookie");
    assert!(
        cookie1.contains("HttpOnly")
            && cookie1.contains("SameSite=Lax")
            && cookie1.contains("Path=/"),
        "{cookie1}"
    );

    let c2 = TestApp::browser();
    let second = t.login(&c2, "operator.dinkes", PASSWORD).await;
    let cookie2 = session_cookie(&second).unwrap();
    assert_ne!(cookie1, cookie2, "every sign-in gets a new session id");

    let csrf = t.csrf(&c).await;
    let out = c
        .post(t.url("/logout"))
        .form(&[("_csrf", csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    // Replaying the old cookie by hand must not work either.
    let value = cookie1.split(';').next().unwrap().to_owned();
    let replay = TestApp::browser()
        .get(t.url("/"))
        .header("cookie", value)
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), 303);
    assert!(
        replay.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login")
    );
    // The other browser's session is untouched.
    assert_eq!(c2.get(t.url("/")).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn idle_sessions_expire() {
    let t = TestApp::spawn().await;
    let c = t.signed_in("pimpinan").await;
    assert_eq!(c.get(t.url("/opds")).send().await.unwrap().status(), 200);
    let csrf = t.csrf(&c).await;
    t.clock.advance(Duration::from_secs(8 * 3600 + 1));
    let page = c.get(t.url("/opds")).send().await.unwrap();
    assert_eq!(page.status(), 303, "expired session goes to sign-in");
    assert_eq!(page.headers()["location"], "/login?next=%2Fopds");
    let post = c
        .post(t.url("/profile"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("display_name", "x"),
            ("locale", "id"),
            ("zone", "wib"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(post.status(), 401);
    assert!(
        post.text()
            .await
            .unwrap()
            .contains("Sesi Anda telah berakhir")
    );
}

#[tokio::test]
async fn failed_sign_ins_are_throttled_per_account() {
    let t = TestApp::spawn().await;
    let c = TestApp::browser();
    for _ in 0..5 {
        let r = t.login(&c, "approver.dinkes", "not-the-password").await;
        assert_eq!(r.status(), 401);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("Nama pengguna atau kata sandi salah")
        );
    }
    let blocked = t.login(&c, "approver.dinkes", PASSWORD).await;
    assert_eq!(blocked.status(), 429, "even the right password waits");
    let retry: u64 = blocked.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry > 0);
    // Another account from elsewhere is not affected... (same address here, below its limit)
    assert_eq!(
        t.login(&TestApp::browser(), "operator.dinkes", PASSWORD)
            .await
            .status(),
        303
    );
    t.clock.advance(Duration::from_secs(15 * 60 + 1));
    assert_eq!(t.login(&c, "approver.dinkes", PASSWORD).await.status(), 303);
    let log = t
        .store()
        .query_audit(&humas_store::AuditQuery {
            action_prefix: Some("auth.login_failed".into()),
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(log.len(), 5, "each failure of a known account is audited");
}

#[tokio::test]
async fn password_change_ends_other_sessions() {
    let t = TestApp::spawn().await;
    let a = t.signed_in("operator.bpbd").await;
    let b = t.signed_in("operator.bpbd").await;
    let csrf = t.csrf(&a).await;
    let r = a
        .post(t.url("/profile/password"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("current", PASSWORD),
            ("new", "kata-sandi-baru-yang-panjang"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    assert_eq!(
        a.get(t.url("/profile")).send().await.unwrap().status(),
        200,
        "this browser continues"
    );
    assert_eq!(
        b.get(t.url("/profile")).send().await.unwrap().status(),
        303,
        "the other one is signed out"
    );
    assert_eq!(
        t.login(&TestApp::browser(), "operator.bpbd", PASSWORD)
            .await
            .status(),
        401
    );
    assert_eq!(
        t.login(
            &TestApp::browser(),
            "operator.bpbd",
            "kata-sandi-baru-yang-panjang"
        )
        .await
        .status(),
        303
    );
}

#[tokio::test]
async fn bad_bodies_get_clear_errors() {
    let t = TestApp::spawn().await;
    let c = t.signed_in("supervisor").await;
    let csrf = t.csrf(&c).await;
    let wrong_type = c
        .post(t.url("/opds"))
        .header("content-type", "text/plain")
        .header("x-csrf-token", &csrf)
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), 415);
    let huge = "x".repeat(300 * 1024);
    let too_big = c
        .post(t.url("/opds"))
        .form(&[("_csrf", csrf.as_str()), ("name", huge.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(too_big.status(), 413);
    let bad = c
        .post(t.url("/opds"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "Dinas Uji"),
            ("slug", "Bukan Slug"),
            ("kind", "dinas"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let page = bad.text().await.unwrap();
    assert!(
        page.contains("Slug harus 2–40 karakter"),
        "the message says what is wrong, in Indonesian"
    );
    assert!(
        page.contains("value=\"Dinas Uji\""),
        "what was typed is kept"
    );
    let dup = c
        .post(t.url("/opds"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "Dinas Kesehatan Lagi"),
            ("slug", "dinkes"),
            ("kind", "dinas"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(dup.status(), 409);
    assert!(dup.text().await.unwrap().contains("Slug itu sudah dipakai"));
    // The language switch is a cookie the browser keeps.
    assert_eq!(
        c.get(t.url("/lang?to=en")).send().await.unwrap().status(),
        303
    );
    let en = c
        .post(t.url("/opds"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "x"),
            ("slug", "ok-slug"),
            ("kind", "dinas"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(en.status(), 422);
    assert!(
        en.text()
            .await
            .unwrap()
            .contains("An agency name must be 3–200 characters")
    );
    let page = c.get(t.url("/opds/not-an-id")).send().await.unwrap();
    assert_eq!(page.status(), 404);
    let _ = hidden_field("", "x");
}

#[tokio::test]
async fn wrong_methods_and_paths_answer_in_the_callers_format() {
    let t = TestApp::spawn().await;
    let c = TestApp::browser();
    let api = c.patch(t.url("/api/v1/opds")).send().await.unwrap();
    assert_eq!(api.status(), 405);
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["error"]["code"], "method_not_allowed");
    let missing = c.get(t.url("/api/v1/nothing")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.json::<serde_json::Value>().await.unwrap()["error"]["code"],
        "not_found"
    );
    let page = c.get(t.url("/tidak-ada")).send().await.unwrap();
    assert_eq!(page.status(), 404);
    assert!(page.text().await.unwrap().contains("tidak ditemukan"));
}

#[tokio::test]
async fn api_tokens_are_shown_once_and_can_be_revoked_by_their_owner() {
    let t = TestApp::spawn().await;
    let c = t.signed_in("operator.dinkes").await;
    let csrf = t.csrf(&c).await;
    let page = c
        .post(t.url("/profile/tokens"))
        .form(&[("_csrf", csrf.as_str()), ("name", "dasbor")])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = page.find("id=\"new-token\">").unwrap() + "id=\"new-token\">".len();
    let secret = page[start..].split('<').next().unwrap().to_owned();
    assert!(secret.starts_with("humas_"), "{secret}");
    let me = TestApp::browser()
        .get(t.url("/api/v1/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200);
    let again = c
        .get(t.url("/profile"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!again.contains(&secret), "the secret is shown only once");

    let id = t
        .store()
        .list_api_tokens(t.user_id("operator.dinkes").await)
        .await
        .unwrap()[0]
        .id
        .0;
    let other = t.signed_in("operator.bpbd").await;
    let other_csrf = t.csrf(&other).await;
    let stolen = other
        .post(t.url(&format!("/profile/tokens/{id}/revoke")))
        .form(&[("_csrf", other_csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        stolen.status(),
        403,
        "someone else's token cannot be revoked"
    );
    let revoked = c
        .post(t.url(&format!("/profile/tokens/{id}/revoke")))
        .form(&[("_csrf", csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 303);
    let me = TestApp::browser()
        .get(t.url("/api/v1/me"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 401, "a revoked token no longer works");
}

#[tokio::test]
async fn static_files_and_health_do_not_look_up_sessions() {
    let t = TestApp::spawn().await;
    let c = TestApp::browser();
    let stale = "humas_session=no-such-session";
    let page = c
        .get(t.url("/"))
        .header("cookie", stale)
        .send()
        .await
        .unwrap();
    assert!(
        page.headers().get("set-cookie").is_some(),
        "a page clears a stale session cookie"
    );
    for path in ["/assets/humas.css", "/healthz", "/api/v1/openapi.json"] {
        let resp = c
            .get(t.url(path))
            .header("cookie", stale)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        assert!(
            resp.headers().get("set-cookie").is_none(),
            "{path} must not resolve the session"
        );
    }
}
