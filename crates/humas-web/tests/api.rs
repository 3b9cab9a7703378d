//! The JSON API end to end: the real router on a real socket over a fresh database filled with
//! the demo data, called with reqwest and per-person API tokens.

// All of this file is test code, helpers included: a failing unwrap is a failing test with a
// line number (clippy's allow-unwrap-in-tests only reaches `#[test]` functions).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::{HashMap, HashSet};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, LOCATION};
use reqwest::{Client, Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};

/// The demo people, each of whom gets a token.
const PEOPLE: [&str; 7] = [
    "supervisor",
    "pimpinan",
    "approver.dinkes",
    "operator.dinkes",
    "operator.bpbd",
    "trainer.bpsdm",
    "trainee.bpsdm",
];

/// How many OPDs the demo data has.
const DEMO_OPDS: usize = 24;

struct Api {
    base: String,
    http: Client,
    tokens: HashMap<&'static str, String>,
    user_ids: HashMap<&'static str, String>,
    _app: support::TestApp,
}

impl Api {
    /// The shared harness (SQLite, or PostgreSQL with `HUMAS_TEST_WEB_BACKEND=postgres`) plus a
    /// token for every demo person.
    async fn start() -> Self {
        let t = support::TestApp::spawn().await;
        let mut tokens = HashMap::new();
        let mut user_ids = HashMap::new();
        for name in PEOPLE {
            tokens.insert(name, t.token(name).await);
            user_ids.insert(name, t.user_id(name).await.to_string());
        }
        Self {
            base: t.base.clone(),
            http: Client::new(),
            tokens,
            user_ids,
            _app: t,
        }
    }

    fn request(&self, who: &str, method: Method, path: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.tokens[who])
    }

    async fn call(&self, req: RequestBuilder) -> (StatusCode, Value) {
        let resp = req.send().await.unwrap();
        let status = resp.status();
        let text = resp.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
        };
        (status, body)
    }

    async fn get(&self, who: &str, path: &str) -> (StatusCode, Value) {
        self.call(self.request(who, Method::GET, path)).await
    }

    async fn send(
        &self,
        who: &str,
        method: Method,
        path: &str,
        body: Value,
    ) -> (StatusCode, Value) {
        self.call(self.request(who, method, path).json(&body)).await
    }

    /// The id of a demo OPD, looked up as the supervisor.
    async fn opd_id(&self, slug: &str) -> String {
        let (_, page) = self.get("supervisor", "/api/v1/opds?limit=1000").await;
        let opd = items(&page).iter().find(|o| o["slug"] == slug).unwrap();
        opd["id"].as_str().unwrap().to_owned()
    }
}

fn items(page: &Value) -> &Vec<Value> {
    page["items"].as_array().unwrap()
}

fn code(body: &Value) -> &str {
    body["error"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("no error code in {body}"))
}

fn new_opd(slug: &str) -> Value {
    json!({ "slug": slug, "name": "Dinas Kelautan dan Perikanan", "kind": "dinas" })
}

#[tokio::test]
async fn without_a_valid_token_the_answer_is_401_json() {
    let api = Api::start().await;
    let url = format!("{}/api/v1/opds", api.base);
    for auth in [
        None,
        Some("Bearer humas_not-a-real-token"),
        Some("Basic c3VwZXJ2aXNvcg=="),
    ] {
        let mut req = api.http.get(&url);
        if let Some(value) = auth {
            req = req.header(AUTHORIZATION, value);
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::UNAUTHORIZED, "{auth:?}");
        let ct = resp.headers()[CONTENT_TYPE].to_str().unwrap().to_owned();
        assert!(ct.starts_with("application/json"), "{ct}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(code(&body), "unauthenticated");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    let resp = api
        .http
        .post(&url)
        .json(&new_opd("tanpa-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        StatusCode::UNAUTHORIZED,
        "auth comes before the body"
    );
}

#[tokio::test]
async fn me_describes_the_caller() {
    let api = Api::start().await;
    let (status, me) = api.get("operator.dinkes", "/api/v1/me").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["username"], "operator.dinkes");
    assert_eq!(me["role"], "operator");
    assert_eq!(me["opd_id"], api.opd_id("dinkes").await.as_str());
    assert_eq!(me["acting_approver_for"], json!([]));
    assert!(me.get("password_hash").is_none());
}

#[tokio::test]
async fn supervisor_creates_and_changes_an_opd_and_a_taken_slug_conflicts() {
    let api = Api::start().await;
    let resp = api
        .request("supervisor", Method::POST, "/api/v1/opds")
        .json(&new_opd("dkp"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let location = resp.headers()[LOCATION].to_str().unwrap().to_owned();
    let created: Value = resp.json().await.unwrap();
    assert_eq!(created["slug"], "dkp");
    assert_eq!(created["kind"], "dinas");
    assert_eq!(created["parent_id"], Value::Null);
    let id = created["id"].as_str().unwrap();
    assert_eq!(location, format!("/api/v1/opds/{id}"));

    let (status, fetched) = api.get("supervisor", &location).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched, created);

    let (status, body) = api
        .send("supervisor", Method::POST, "/api/v1/opds", new_opd("dkp"))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(code(&body), "slug_taken");

    let setda = api.opd_id("setda").await;
    let change =
        json!({ "slug": "dkp", "name": "Dinas Kelautan", "kind": "other", "parent_id": setda });
    let (status, updated) = api.send("supervisor", Method::PUT, &location, change).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(updated["name"], "Dinas Kelautan");
    assert_eq!(updated["parent_id"], setda.as_str());

    let (status, body) = api
        .send(
            "supervisor",
            Method::PUT,
            "/api/v1/opds/no-such-id",
            new_opd("dkp"),
        )
        .await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"));
}

#[tokio::test]
async fn bodies_are_refused_with_clear_codes() {
    let api = Api::start().await;
    let post = || api.request("supervisor", Method::POST, "/api/v1/opds");

    let malformed = post()
        .header(CONTENT_TYPE, "application/json")
        .body(r#"{"slug": "dkp", "#);
    let (status, body) = api.call(malformed).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "malformed_body")
    );

    let wrong_type = post()
        .header(CONTENT_TYPE, "text/plain")
        .body(new_opd("dkp").to_string());
    let (status, body) = api.call(wrong_type).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
    );

    let mut typo = new_opd("dkp");
    typo["colour"] = json!("blue");
    let (status, body) = api.call(post().json(&typo)).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "malformed_body")
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("colour"),
        "{body}"
    );

    let (status, body) = api.call(post().json(&json!({ "slug": "dkp" }))).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "malformed_body")
    );

    let mut huge = new_opd("dkp");
    huge["name"] = json!("x".repeat(300 * 1024));
    let (status, body) = api.call(post().json(&huge)).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large")
    );

    let (status, body) = api.call(post().json(&new_opd("Not A Slug"))).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_slug")
    );

    let (_, page) = api.get("supervisor", "/api/v1/opds?limit=1000").await;
    assert_eq!(items(&page).len(), DEMO_OPDS, "nothing was created");
}

#[tokio::test]
async fn an_operator_sees_only_their_own_opd() {
    let api = Api::start().await;
    let dinkes = api.opd_id("dinkes").await;
    let bpbd = api.opd_id("bpbd").await;

    let (status, page) = api.get("operator.dinkes", "/api/v1/opds").await;
    assert_eq!(status, StatusCode::OK);
    let slugs: Vec<&Value> = items(&page).iter().map(|o| &o["slug"]).collect();
    assert_eq!(slugs, [&json!("dinkes")]);
    assert_eq!(page["next_cursor"], Value::Null);

    let (status, body) = api
        .get("operator.dinkes", &format!("/api/v1/opds/{bpbd}"))
        .await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "forbidden"));
    let (status, _) = api
        .get("operator.dinkes", &format!("/api/v1/opds/{dinkes}"))
        .await;
    assert_eq!(status, StatusCode::OK);

    let (status, page) = api.get("operator.dinkes", "/api/v1/accounts").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!items(&page).is_empty());
    assert!(items(&page).iter().all(|a| a["opd_id"] == dinkes.as_str()));
    let (status, _) = api
        .get("operator.dinkes", &format!("/api/v1/accounts?opd={bpbd}"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, body) = api.get("operator.dinkes", "/api/v1/users").await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "forbidden"));
}

#[tokio::test]
async fn leadership_reads_everything_and_changes_nothing() {
    let api = Api::start().await;
    let (status, page) = api.get("pimpinan", "/api/v1/opds").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(items(&page).len(), DEMO_OPDS);

    let (status, body) = api
        .send("pimpinan", Method::POST, "/api/v1/opds", new_opd("dkp"))
        .await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "forbidden"));

    let account =
        json!({ "opd_id": api.opd_id("dinkes").await, "platform": "x", "handle": "@pimpinan" });
    let (status, _) = api
        .send("pimpinan", Method::POST, "/api/v1/accounts", account)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn pages_of_opds_cover_the_list_exactly_once() {
    let api = Api::start().await;
    let (_, all) = api.get("supervisor", "/api/v1/opds?limit=1000").await;
    let all_ids: Vec<Value> = items(&all).iter().map(|o| o["id"].clone()).collect();
    assert_eq!(all_ids.len(), DEMO_OPDS);

    let mut seen = Vec::new();
    let mut pages = 0;
    let mut path = "/api/v1/opds?limit=5".to_owned();
    loop {
        let (status, page) = api.get("supervisor", &path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(items(&page).len() <= 5);
        seen.extend(items(&page).iter().map(|o| o["id"].clone()));
        pages += 1;
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/opds?limit=5&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(pages, DEMO_OPDS.div_ceil(5));
    let unique: HashSet<String> = seen.iter().map(ToString::to_string).collect();
    assert_eq!(unique.len(), seen.len(), "no duplicates");
    assert_eq!(seen, all_ids, "same items in the same order");

    for bad in ["limit=0", "limit=1001", "limit=five", "cursor=-1", "limt=5"] {
        let (status, body) = api.get("supervisor", &format!("/api/v1/opds?{bad}")).await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::BAD_REQUEST, "malformed_body"),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn the_audit_log_is_newest_first_filtered_and_paged() {
    let api = Api::start().await;
    let (status, _) = api
        .send("supervisor", Method::POST, "/api/v1/opds", new_opd("dkp"))
        .await;
    assert_eq!(status, StatusCode::CREATED);

    let (status, page) = api.get("supervisor", "/api/v1/audit?limit=1000").await;
    assert_eq!(status, StatusCode::OK);
    let all = items(&page);
    let seqs: Vec<i64> = all.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(seqs.len() > 100, "the demo data is audited");
    assert!(seqs.windows(2).all(|w| w[0] > w[1]), "newest first");
    assert_eq!(page["next_cursor"], Value::Null);
    let newest = &all[0];
    assert_eq!(newest["action"], "opd.create");
    assert_eq!(newest["actor"], "supervisor");
    assert_eq!(newest["after"]["slug"], "dkp");
    assert_eq!(newest["before"], Value::Null);
    assert!(newest["at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(newest["prev_hash"], all[1]["hash"]);

    let (_, opd_changes) = api
        .get("supervisor", "/api/v1/audit?action=opd.&limit=1000")
        .await;
    let actions: Vec<&str> = items(&opd_changes)
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions.len(), DEMO_OPDS + 1);
    assert!(actions.iter().all(|a| a.starts_with("opd.")));

    let (_, mine) = api
        .get(
            "supervisor",
            "/api/v1/audit?actor=supervisor&action=opd.create",
        )
        .await;
    assert_eq!(items(&mine).len(), 1);

    let mut walked = Vec::new();
    let mut path = "/api/v1/audit?limit=7".to_owned();
    loop {
        let (_, page) = api.get("supervisor", &path).await;
        walked.extend(items(&page).iter().map(|e| e["seq"].as_i64().unwrap()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/audit?limit=7&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(walked, seqs, "pages join up without gaps or repeats");

    let (_, future) = api
        .get("supervisor", "/api/v1/audit?since=2999-01-01T00:00:00Z")
        .await;
    assert!(items(&future).is_empty());
    let (status, body) = api.get("supervisor", "/api/v1/audit?since=yesterday").await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "malformed_body")
    );

    let (status, body) = api.get("operator.dinkes", "/api/v1/audit").await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "forbidden"));
}

#[tokio::test]
async fn accounts_are_managed_by_their_opd_approver() {
    let api = Api::start().await;
    let dinkes = api.opd_id("dinkes").await;
    let bpbd = api.opd_id("bpbd").await;
    let account = json!({
        "opd_id": dinkes,
        "platform": "mastodon",
        "handle": "@dinkes",
        "api_base_url": "https://mastodon.jatimprov.go.id/",
    });
    let resp = api
        .request("approver.dinkes", Method::POST, "/api/v1/accounts")
        .json(&account)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let location = resp.headers()[LOCATION].to_str().unwrap().to_owned();
    let created: Value = resp.json().await.unwrap();
    assert_eq!(created["api_base_url"], "https://mastodon.jatimprov.go.id");
    assert_eq!(created["status"], "disconnected");

    let mut change = account.clone();
    change["status"] = json!("active");
    let (status, updated) = api
        .send("approver.dinkes", Method::PUT, &location, change)
        .await;
    assert_eq!(
        (status, &updated["status"]),
        (StatusCode::OK, &json!("active"))
    );

    let (status, body) = api
        .send(
            "approver.dinkes",
            Method::POST,
            "/api/v1/accounts",
            account.clone(),
        )
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "handle_taken")
    );

    let mut elsewhere = account.clone();
    elsewhere["opd_id"] = json!(bpbd);
    elsewhere["handle"] = json!("@bpbd-by-dinkes");
    let (status, _) = api
        .send(
            "approver.dinkes",
            Method::POST,
            "/api/v1/accounts",
            elsewhere,
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (status, body) = api
        .call(api.request("operator.dinkes", Method::DELETE, &location))
        .await;
    assert_eq!((status, code(&body)), (StatusCode::FORBIDDEN, "forbidden"));
    let (status, body) = api
        .call(api.request("approver.dinkes", Method::DELETE, &location))
        .await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    let (status, body) = api.get("approver.dinkes", &location).await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"));

    let (status, body) = api.get("approver.dinkes", "/api/v1/accounts/42").await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"));
}

#[tokio::test]
async fn people_are_created_without_exposing_passwords() {
    let api = Api::start().await;
    let dinkes = api.opd_id("dinkes").await;
    let person = json!({
        "username": "humas.dinkes",
        "role": "operator",
        "opd_id": dinkes,
        "password": "rahasia-sekali-2026",
    });
    let resp = api
        .request("supervisor", Method::POST, "/api/v1/users")
        .json(&person)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    let location = resp.headers()[LOCATION].to_str().unwrap().to_owned();
    let text = resp.text().await.unwrap();
    assert!(
        !text.contains("password") && !text.contains("argon2"),
        "{text}"
    );
    let created: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(created["display_name"], "humas.dinkes");
    assert_eq!(created["active"], true);

    let (status, body) = api
        .send("supervisor", Method::POST, "/api/v1/users", person.clone())
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::CONFLICT, "username_taken")
    );
    let (status, _) = api
        .send("approver.dinkes", Method::POST, "/api/v1/users", person)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let change = json!({
        "display_name": "Humas Dinkes",
        "role": "operator",
        "opd_id": dinkes,
        "active": false,
    });
    let (status, updated) = api.send("supervisor", Method::PUT, &location, change).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (&updated["display_name"], &updated["active"]),
        (&json!("Humas Dinkes"), &json!(false))
    );

    let (status, page) = api
        .get("approver.dinkes", &format!("/api/v1/users?opd={dinkes}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(items(&page).iter().all(|u| u["opd_id"] == dinkes.as_str()));
    assert!(items(&page).iter().any(|u| u["username"] == "humas.dinkes"));

    let own = format!("/api/v1/users/{}", api.user_ids["trainee.bpsdm"]);
    let (status, me) = api.get("trainee.bpsdm", &own).await;
    assert_eq!(
        (status, &me["username"]),
        (StatusCode::OK, &json!("trainee.bpsdm"))
    );
}

#[tokio::test]
async fn delegations_are_recorded_and_revoked() {
    let api = Api::start().await;
    let dinkes = api.opd_id("dinkes").await;
    let delegation = json!({
        "from_user_id": api.user_ids["approver.dinkes"],
        "to_user_id": api.user_ids["operator.dinkes"],
        "kind": "plt",
        "starts_on": "2030-01-06",
        "ends_on": "2030-01-10",
        "reason": "SK Gubernur 800/1/2030",
    });
    let resp = api
        .request("approver.dinkes", Method::POST, "/api/v1/delegations")
        .json(&delegation)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    assert!(resp.headers().contains_key(LOCATION));
    let created: Value = resp.json().await.unwrap();
    assert_eq!(created["opd_id"], dinkes.as_str());
    assert_eq!(created["starts_on"], "2030-01-06");
    assert_eq!(created["revoked"], false);
    let id = created["id"].as_str().unwrap();

    let mut backwards = delegation.clone();
    backwards["ends_on"] = json!("2030-01-01");
    let (status, body) = api
        .send("supervisor", Method::POST, "/api/v1/delegations", backwards)
        .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "invalid_date_range")
    );

    let revoke = format!("/api/v1/delegations/{id}/revoke");
    let (status, _) = api
        .call(api.request("operator.bpbd", Method::POST, &revoke))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, revoked) = api
        .call(api.request("supervisor", Method::POST, &revoke))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (&revoked["id"], &revoked["revoked"]),
        (&json!(id), &json!(true))
    );

    let (_, page) = api
        .get("supervisor", &format!("/api/v1/delegations?opd={dinkes}"))
        .await;
    let listed = items(&page).iter().find(|d| d["id"] == id).unwrap();
    assert_eq!(listed["revoked"], true);

    let missing = format!("/api/v1/delegations/{}/revoke", uuid_like());
    let (status, body) = api
        .call(api.request("supervisor", Method::POST, &missing))
        .await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "not_found"));
}

/// A well-formed identifier that names nothing.
fn uuid_like() -> &'static str {
    "01900000-0000-7000-8000-000000000000"
}

#[tokio::test]
async fn the_openapi_document_needs_no_token() {
    let api = Api::start().await;
    let resp = api
        .http
        .get(format!("{}/api/v1/openapi.json", api.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let doc: Value = resp.json().await.unwrap();
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    assert!(doc["paths"]["/api/v1/opds"]["get"].is_object());
}
