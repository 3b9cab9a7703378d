//! The first poll of a Mastodon account through the server's poller: history is paged back up
//! to the bound, each page stored with its cursor, a rate limit mid-walk resumes later without
//! loss, and the next poll brings only what is new. Runs against the fake instance of the
//! connector tests over a SQLite store.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

#[path = "../../humas-connectors/tests/fakes/mastodon.rs"]
mod fake_mastodon;

use std::net::IpAddr;
use std::sync::Arc;

use fake_mastodon::{Failure, FakeMastodon};
use humas_app::sealed::Credentials;
use humas_app::{App, AuthSettings, SystemClock};
use humas_connectors::Backfill;
use humas_connectors::http::Http;
use humas_domain::{
    Account, AccountHandle, AccountId, AccountStatus, ApiBaseUrl, Opd, OpdId, OpdKind, OpdName,
    Platform, Slug,
};
use humas_server::gateway::{ConnectOptions, Connectors};
use humas_server::workers::{POLL_KEY, PlatformPollError, PlatformPoller};
use humas_store::{AuditActor, MessageQuery, Store};
use jiff::{SignedDuration, Timestamp};

const TOKEN: &str = "masto-token";

fn hours_ago(hours: i64) -> String {
    (Timestamp::now() - SignedDuration::from_hours(hours)).to_string()
}

#[tokio::test]
async fn the_first_poll_backfills_a_week_then_polls_forward() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = humas_store_sqlite::SqliteStore::connect(
        &dir.path().join("humas.db").display().to_string(),
    )
    .await
    .unwrap();
    sqlite.migrate().await.unwrap();
    let store: Arc<dyn Store> = Arc::new(sqlite);
    let app = App::new(
        Arc::clone(&store),
        Arc::new(SystemClock),
        AuthSettings::default(),
    )
    .with_server_secret(b"a server secret for the backfill test");

    // 100 mentions of the last four days (ids 1000-1099, 1099 the newest), 5 older than a week.
    let fake = FakeMastodon::start(TOKEN).await;
    for n in 0..5_i64 {
        fake.add_mention_at(
            &(900 + n).to_string(),
            &format!("8{n}"),
            &hours_ago(24 * 8 + n),
        );
    }
    for n in 0..100_i64 {
        fake.add_mention_at(
            &(1000 + n).to_string(),
            &format!("9{}", 1000 + n),
            &hours_ago(100 - n),
        );
    }
    let by = AuditActor::cli();
    let opd = Opd {
        id: OpdId::generate(),
        slug: Slug::parse("dinkes").unwrap(),
        name: OpdName::parse("Dinas Kesehatan").unwrap(),
        kind: OpdKind::Dinas,
        parent: None,
    };
    store.create_opd(&by, &opd).await.unwrap();
    let account = Account {
        id: AccountId::generate(),
        opd: opd.id,
        platform: Platform::Mastodon,
        handle: AccountHandle::parse("@dinkes@sosial.example").unwrap(),
        api_base_url: Some(ApiBaseUrl::parse(&fake.base()).unwrap()),
        status: AccountStatus::Active,
    };
    store.create_account(&by, &account).await.unwrap();
    app.set_account_credentials(
        &App::cli_actor(),
        account.id,
        Credentials {
            access_token: Some(TOKEN.into()),
            platform_user_id: Some("14715".into()),
            ..Credentials::default()
        },
    )
    .await
    .unwrap();
    let http = Http::new(humas_feeds::FetchOptions {
        allowed_addresses: vec!["127.0.0.1".parse::<IpAddr>().unwrap()],
        ..Default::default()
    })
    .unwrap();
    let connectors = Connectors::with_options(
        http,
        ConnectOptions {
            backfill: Some(Backfill::default()),
            ..ConnectOptions::default()
        },
    );
    let poller = PlatformPoller::new(app.clone(), connectors);

    // Round one: the newest page arrives, then the instance says wait.
    fake.with(|s| s.fail_request = Some((2, Failure::RateLimited { reset_in_secs: 30 })));
    let first = poller.poll(&account).await;
    let stored_after_limit = count(&store, &account).await;
    match first {
        Err(PlatformPollError::Platform(humas_connectors::ConnectorError::RateLimited {
            ..
        })) => {}
        other => panic!("expected a rate limit, got {other:?}"),
    }
    assert_eq!(
        stored_after_limit, 40,
        "the first page is stored with its cursor"
    );
    let cursor = store.cursor(account.id, POLL_KEY).await.unwrap().unwrap();
    assert!(cursor.contains("\"max_id\":\"1060\""), "{cursor}");

    // Round two resumes at the second page and walks to the bound.
    let report = poller.poll(&account).await.unwrap();
    assert_eq!(report.pages, 2, "{report:?}");
    assert_eq!(
        count(&store, &account).await,
        100,
        "nothing older than a week"
    );
    let cursor = store.cursor(account.id, POLL_KEY).await.unwrap().unwrap();
    assert_eq!(cursor, "{\"min_id\":\"1099\"}");

    // Next poll: only what is new, no duplicates.
    fake.add_mention_at("1100", "92100", &hours_ago(0));
    let report = poller.poll(&account).await.unwrap();
    assert_eq!((report.inserted, report.duplicates), (1, 0));
    assert_eq!(count(&store, &account).await, 101);
    let notifications = fake.requests("GET", "/api/v1/notifications");
    let last = notifications.last().unwrap();
    assert_eq!(last.param("min_id"), Some("1099"));
}

async fn count(store: &Arc<dyn Store>, account: &Account) -> usize {
    let query = MessageQuery {
        account: Some(account.id),
        limit: 500,
        ..MessageQuery::default()
    };
    store.list_messages(&query).await.unwrap().len()
}
