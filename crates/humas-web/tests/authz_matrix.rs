//! The authorisation matrix: every route × every role × own OPD / other OPD → the expected
//! outcome. A route registered in the router but missing here fails the test, and so does an
//! entry here that names no route.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failure should stop the test at that line"
)]

mod support;

use std::collections::BTreeSet;

use humas_app::App;
use humas_domain::{
    Account, AccountHandle, AccountId, AccountStatus, Delegation, DelegationId, DelegationKind,
    OpdId, Platform,
};
use humas_store::AuditActor;
use support::{TestApp, hidden_field};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// Did what was asked, or refused the input (validation), but never for lack of rights.
    Allowed,
    /// 403.
    Forbidden,
    /// Sent to sign in (303 to /login for pages, 401).
    SignIn,
}
use Outcome::{Allowed, Forbidden, SignIn};

/// Who asks. `own` is their OPD (dinkes for roles without one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Supervisor,
    Leadership,
    Approver,
    Operator,
    Trainer,
    Trainee,
}

const EVERYONE: [Who; 6] = [
    Who::Supervisor,
    Who::Leadership,
    Who::Approver,
    Who::Operator,
    Who::Trainer,
    Who::Trainee,
];

impl Who {
    fn username(self) -> &'static str {
        match self {
            Self::Supervisor => "supervisor",
            Self::Leadership => "pimpinan",
            Self::Approver => "approver.dinkes",
            Self::Operator => "operator.dinkes",
            Self::Trainer => "trainer.bpsdm",
            Self::Trainee => "trainee.bpsdm",
        }
    }
    fn own_slug(self) -> &'static str {
        if self == Self::Trainee {
            "bpsdm"
        } else {
            "dinkes"
        }
    }
    fn sees_all(self) -> bool {
        matches!(self, Self::Supervisor | Self::Leadership | Self::Trainer)
    }
}

/// Things in one OPD that requests can point at.
struct Scope {
    opd: OpdId,
    account: AccountId,
    staff: String,
    approver: String,
}

/// Routes anyone may use without signing in.
const PUBLIC: &[(&str, &str)] = &[
    ("GET", "/login"),
    ("POST", "/login"),
    ("GET", "/lang"),
    ("GET", "/healthz"),
    ("GET", "/metrics"),
    ("GET", "/assets/{file}"),
    ("GET", "/api/v1/openapi.json"),
];

/// The expected outcome for a signed-in person. `None`: the route is not in the matrix.
fn expected(method: &str, route: &str, who: Who, own: bool) -> Option<Outcome> {
    let sup = |w: Who| {
        if w == Who::Supervisor {
            Allowed
        } else {
            Forbidden
        }
    };
    let view_opd = |w: Who| {
        if w.sees_all() || own {
            Allowed
        } else {
            Forbidden
        }
    };
    let manage_accounts = |w: Who| match w {
        Who::Supervisor => Allowed,
        Who::Approver if own => Allowed,
        _ => Forbidden,
    };
    // Seeing an account of another OPD is already forbidden, whatever the role.
    let manage_account_in = |w: Who| {
        if view_opd(w) == Forbidden {
            Forbidden
        } else {
            manage_accounts(w)
        }
    };
    let view_users_of = |w: Who| match w {
        Who::Supervisor | Who::Leadership => Allowed,
        Who::Approver if own => Allowed,
        _ => Forbidden,
    };
    let list_users = |w: Who| match w {
        Who::Supervisor | Who::Leadership | Who::Approver => Allowed,
        _ => Forbidden,
    };
    let manage_delegations = manage_accounts;
    Some(match (method, route) {
        ("GET", "/") | ("GET", "/opds") | ("GET", "/accounts") | ("GET", "/delegations") => Allowed,
        ("GET", "/profile")
        | ("POST", "/profile")
        | ("POST", "/profile/password")
        | ("POST", "/profile/tokens") => Allowed,
        ("POST", "/logout") => Allowed,
        // The token revoked is always the supervisor's: only its owner may revoke it.
        ("POST", "/profile/tokens/{id}/revoke") => sup(who),
        ("POST", "/opds") | ("POST", "/opds/{id}") => sup(who),
        ("GET", "/opds/{id}") => view_opd(who),
        ("POST", "/accounts") => manage_accounts(who),
        ("POST", "/accounts/{id}") | ("POST", "/accounts/{id}/delete") => manage_account_in(who),
        ("GET", "/users") => list_users(who),
        ("POST", "/users") | ("POST", "/users/{id}") | ("POST", "/users/{id}/password") => sup(who),
        ("GET", "/users/{id}") => view_users_of(who),
        ("POST", "/delegations") | ("POST", "/delegations/{id}/revoke") => manage_delegations(who),
        ("GET", "/audit") | ("GET", "/audit/export.csv") => sup(who),

        ("GET", "/api/v1/me")
        | ("GET", "/api/v1/opds")
        | ("GET", "/api/v1/accounts")
        | ("GET", "/api/v1/delegations") => Allowed,
        ("POST", "/api/v1/opds") | ("PUT", "/api/v1/opds/{id}") => sup(who),
        ("GET", "/api/v1/opds/{id}") | ("GET", "/api/v1/accounts/{id}") => view_opd(who),
        ("POST", "/api/v1/accounts") => manage_accounts(who),
        ("PUT", "/api/v1/accounts/{id}") | ("DELETE", "/api/v1/accounts/{id}") => {
            manage_account_in(who)
        }
        ("GET", "/api/v1/users") => list_users(who),
        ("POST", "/api/v1/users") | ("PUT", "/api/v1/users/{id}") => sup(who),
        ("GET", "/api/v1/users/{id}") => view_users_of(who),
        ("POST", "/api/v1/delegations") | ("POST", "/api/v1/delegations/{id}/revoke") => {
            manage_delegations(who)
        }
        ("GET", "/api/v1/audit") => sup(who),
        _ => return None,
    })
}

/// A body that passes authorisation questions but is refused as input, so allowed requests
/// change nothing (except where the route's whole point is a change, see `fresh_*`).
enum Body {
    None,
    Form(Vec<(&'static str, String)>),
    Json(serde_json::Value),
}

async fn fresh_account(t: &TestApp, opd: OpdId) -> AccountId {
    let a = Account {
        id: AccountId::generate(),
        opd,
        platform: Platform::Telegram,
        handle: AccountHandle::parse(&format!("@matrix{}", uuid::Uuid::now_v7().simple())).unwrap(),
        api_base_url: None,
        status: AccountStatus::Active,
    };
    t.store()
        .create_account(&AuditActor::system(), &a)
        .await
        .unwrap();
    a.id
}

async fn fresh_delegation(t: &TestApp, opd: OpdId, approver: &str, staff: &str) -> DelegationId {
    let d = Delegation {
        id: DelegationId::generate(),
        opd,
        from_user: approver.parse().unwrap(),
        to_user: staff.parse().unwrap(),
        kind: DelegationKind::Plh,
        starts_on: "2030-01-01".parse().unwrap(),
        ends_on: "2030-01-02".parse().unwrap(),
        reason: "matrix".into(),
        revoked: false,
    };
    t.store()
        .create_delegation(&AuditActor::system(), &d)
        .await
        .unwrap();
    d.id
}

async fn request_for(t: &TestApp, method: &str, route: &str, s: &Scope) -> (String, Body) {
    let id = |v: &dyn ToString| v.to_string();
    let form = |pairs: &[(&'static str, &str)]| {
        Body::Form(pairs.iter().map(|(k, v)| (*k, (*v).to_owned())).collect())
    };
    match (method, route) {
        ("GET", "/opds/{id}") | ("GET", "/api/v1/opds/{id}") => {
            (route.replace("{id}", &id(&s.opd)), Body::None)
        }
        ("POST", "/opds") => ("/opds".into(), form(&[("name", "")])),
        ("POST", "/opds/{id}") => (format!("/opds/{}", s.opd), form(&[("name", "")])),
        ("POST", "/accounts") => (
            "/accounts".into(),
            form(&[("opd", &id(&s.opd)), ("platform", "x"), ("handle", "")]),
        ),
        ("POST", "/accounts/{id}") => (
            format!("/accounts/{}", s.account),
            form(&[("status", "bogus")]),
        ),
        ("POST", "/accounts/{id}/delete") => (
            format!("/accounts/{}/delete", fresh_account(t, s.opd).await),
            form(&[]),
        ),
        ("GET", "/api/v1/accounts/{id}") => (format!("/api/v1/accounts/{}", s.account), Body::None),
        ("POST", "/users") => ("/users".into(), form(&[("username", "")])),
        ("GET", "/users/{id}") | ("GET", "/api/v1/users/{id}") => {
            (route.replace("{id}", &s.staff), Body::None)
        }
        ("POST", "/users/{id}") => (format!("/users/{}", s.staff), form(&[("display_name", "")])),
        ("POST", "/users/{id}/password") => (
            format!("/users/{}/password", s.staff),
            form(&[("password", "")]),
        ),
        ("POST", "/delegations") => (
            "/delegations".into(),
            form(&[("from_user", &s.approver), ("to_user", "")]),
        ),
        ("POST", "/delegations/{id}/revoke") | ("POST", "/api/v1/delegations/{id}/revoke") => {
            let d = fresh_delegation(t, s.opd, &s.approver, &s.staff).await;
            (
                route.replace("{id}", &d.to_string()),
                if route.starts_with("/api") {
                    Body::None
                } else {
                    form(&[])
                },
            )
        }
        ("POST", "/profile") => ("/profile".into(), form(&[("display_name", "")])),
        ("POST", "/profile/password") => (
            "/profile/password".into(),
            form(&[("current", "wrong"), ("new", "")]),
        ),
        ("POST", "/profile/tokens") => ("/profile/tokens".into(), form(&[("name", "")])),
        ("POST", "/logout") => ("/logout".into(), form(&[])),
        ("POST", "/profile/tokens/{id}/revoke") => {
            let owner = t.user_id("supervisor").await;
            let (token, _) = t
                .app
                .create_api_token(&App::cli_actor(), owner, "matrix")
                .await
                .unwrap();
            (format!("/profile/tokens/{}/revoke", token.id.0), form(&[]))
        }
        ("POST", "/api/v1/opds") => (
            route.into(),
            Body::Json(
                serde_json::json!({"slug": "Not A Slug", "name": "Matrix", "kind": "dinas"}),
            ),
        ),
        ("PUT", "/api/v1/opds/{id}") => (
            route.replace("{id}", &id(&s.opd)),
            Body::Json(
                serde_json::json!({"slug": "Not A Slug", "name": "Matrix", "kind": "dinas"}),
            ),
        ),
        ("POST", "/api/v1/accounts") => (
            route.into(),
            Body::Json(serde_json::json!({"opd_id": id(&s.opd), "platform": "x", "handle": ""})),
        ),
        ("PUT", "/api/v1/accounts/{id}") => (
            route.replace("{id}", &id(&s.account)),
            Body::Json(
                serde_json::json!({"opd_id": id(&s.opd), "platform": "x", "handle": "", "status": "active"}),
            ),
        ),
        ("DELETE", "/api/v1/accounts/{id}") => (
            route.replace("{id}", &fresh_account(t, s.opd).await.to_string()),
            Body::None,
        ),
        ("POST", "/api/v1/users") => (
            route.into(),
            Body::Json(serde_json::json!({"username": "", "role": "operator", "password": ""})),
        ),
        ("PUT", "/api/v1/users/{id}") => (
            route.replace("{id}", &s.staff),
            Body::Json(
                serde_json::json!({"display_name": "", "role": "operator", "opd_id": id(&s.opd), "active": true}),
            ),
        ),
        ("POST", "/api/v1/delegations") => (
            route.into(),
            Body::Json(
                serde_json::json!({"from_user_id": s.approver, "to_user_id": "", "kind": "plh", "starts_on": "", "ends_on": "", "reason": ""}),
            ),
        ),
        _ => (
            route.into(),
            if method == "GET" {
                Body::None
            } else {
                form(&[])
            },
        ),
    }
}

fn classify(route: &str, status: u16, location: Option<&str>) -> Outcome {
    match status {
        401 => SignIn,
        303 if location.is_some_and(|l| l.starts_with("/login")) && route != "/logout" => SignIn,
        403 => Forbidden,
        404 | 405 | 500.. => panic!(
            "{route}: unexpected status {status}: the matrix fixture is wrong or the server failed"
        ),
        _ => Allowed,
    }
}

async fn send(
    t: &TestApp,
    client: &reqwest::Client,
    method: &str,
    path: &str,
    body: Body,
    csrf: Option<&str>,
    token: Option<&str>,
) -> (u16, Option<String>, String) {
    let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = client.request(m, t.url(path));
    if let Some(tok) = token {
        req = req.bearer_auth(tok);
    }
    req = match body {
        Body::None => req,
        Body::Form(mut pairs) => {
            if let Some(c) = csrf {
                pairs.push(("_csrf", c.to_owned()));
            }
            req.form(&pairs)
        }
        Body::Json(v) => req.json(&v),
    };
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    (status, location, resp.text().await.unwrap_or_default())
}

async fn scope(t: &TestApp, slug: &str) -> Scope {
    let opd = t.opd(slug).await;
    let account = t.store().list_accounts(Some(opd)).await.unwrap()[0].id;
    let sup = humas_app::App::cli_actor();
    let mk = |username: String, role: &str| humas_app::people::NewUserInput {
        username,
        display_name: String::new(),
        role: role.into(),
        opd: Some(opd.to_string()),
        password: support::PASSWORD.into(),
    };
    let staff = t
        .app
        .create_user(&sup, &mk(format!("staff.{slug}"), "operator"))
        .await
        .unwrap()
        .id
        .to_string();
    let approver = match slug {
        "dinkes" => t.user_id("approver.dinkes").await.to_string(),
        _ => t
            .app
            .create_user(&sup, &mk(format!("approver.{slug}"), "approver"))
            .await
            .unwrap()
            .id
            .to_string(),
    };
    Scope {
        opd,
        account,
        staff,
        approver,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_every_role_every_scope() {
    let t = TestApp::spawn().await;
    let routes: BTreeSet<(String, String)> = humas_web::route_table().into_iter().collect();

    let unlisted: Vec<_> = routes
        .iter()
        .filter(|(m, r)| {
            !PUBLIC.contains(&(m.as_str(), r.as_str()))
                && expected(m, r, Who::Supervisor, true).is_none()
        })
        .collect();
    assert!(
        unlisted.is_empty(),
        "routes missing from the authorisation matrix: {unlisted:?}"
    );
    for (m, r) in PUBLIC {
        assert!(
            routes.contains(&((*m).to_owned(), (*r).to_owned())),
            "PUBLIC names a route that does not exist: {m} {r}"
        );
    }

    let dinkes = scope(&t, "dinkes").await;
    let bpsdm = scope(&t, "bpsdm").await;
    let bpbd = scope(&t, "bpbd").await;
    let mut checked = 0;
    let mut failures = Vec::new();

    for who in EVERYONE {
        let browser = t.signed_in(who.username()).await;
        let csrf = t.csrf(&browser).await;
        let token = t.token(who.username()).await;
        let own = if who.own_slug() == "bpsdm" {
            &bpsdm
        } else {
            &dinkes
        };
        for (method, route) in &routes {
            if PUBLIC.contains(&(method.as_str(), route.as_str())) {
                continue;
            }
            for (is_own, s) in [(true, own), (false, &bpbd)] {
                let want = expected(method, route, who, is_own).unwrap();
                // Signing out ends the session, so it gets a session of its own.
                let fresh;
                let (client, csrf) = if route == "/logout" {
                    fresh = t.signed_in(who.username()).await;
                    let c = t.csrf(&fresh).await;
                    (&fresh, c)
                } else {
                    (&browser, csrf.clone())
                };
                let (path, body) = request_for(&t, method, route, s).await;
                let api = route.starts_with("/api/");
                let (status, location, text) = send(
                    &t,
                    client,
                    method,
                    &path,
                    body,
                    (!api).then_some(csrf.as_str()),
                    api.then_some(token.as_str()),
                )
                .await;
                let got = classify(route, status, location.as_deref());
                checked += 1;
                if got != want {
                    failures.push(format!("{who:?} {method} {path} (own={is_own}): want {want:?}, got {got:?} ({status}) {}", text.chars().take(160).collect::<String>()));
                }
            }
        }
    }

    // Without signing in, nothing but the public routes answers.
    let anon = TestApp::browser();
    for (method, route) in &routes {
        let (path, body) = request_for(&t, method, route, &dinkes).await;
        let (status, location, _) = send(&t, &anon, method, &path, body, None, None).await;
        let public = PUBLIC.contains(&(method.as_str(), route.as_str()));
        if public {
            continue;
        }
        let got = classify(route, status, location.as_deref());
        checked += 1;
        if got != SignIn {
            failures.push(format!(
                "anonymous {method} {path}: want SignIn, got {got:?} ({status})"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} checks failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked > 300, "only {checked} checks ran");
}

#[tokio::test]
async fn public_routes_answer_without_signing_in() {
    let t = TestApp::spawn().await;
    let c = TestApp::browser();
    for path in [
        "/login",
        "/healthz",
        "/metrics",
        "/assets/humas.css",
        "/api/v1/openapi.json",
    ] {
        let status = c.get(t.url(path)).send().await.unwrap().status();
        assert_eq!(status, 200, "{path}");
    }
    assert_eq!(
        c.get(t.url("/lang?to=en")).send().await.unwrap().status(),
        303
    );
    let page = c
        .get(t.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = hidden_field(&page, "_csrf").unwrap();
    let resp = c
        .post(t.url("/login"))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "supervisor"),
            ("password", support::PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let _ = App::cli_actor();
}
