//! X rotates its refresh token on every renewal: the pair a connector renews must land in the
//! account's sealed credentials at once, whichever path renewed (polling, publishing), so a
//! restart finds the live refresh token. Runs the server's connectors against the fake X of
//! the connector tests (which refuses a spent refresh token, as X does) over a SQLite store.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests")]

#[path = "../../humas-connectors/tests/fakes/x.rs"]
mod fake_x;

use std::net::IpAddr;
use std::sync::Arc;

use fake_x::FakeX;
use humas_app::inbox::connections::{Renewal, RenewedCredentials};
use humas_app::publish::{OutgoingPost, PublishGateway, SendOutcome};
use humas_app::sealed::Credentials;
use humas_app::{App, AuthSettings, SystemClock};
use humas_connectors::http::Http;
use humas_connectors::renewal::{RenewedTokens, TokenKeeper};
use humas_domain::{
    Account, AccountHandle, AccountId, AccountStatus, ApiBaseUrl, Opd, OpdId, OpdKind, OpdName,
    Platform, Slug,
};
use humas_server::gateway::{ConnectOptions, ConnectorPublishGateway, Connectors, StoredTokens};
use humas_server::oauth::Clients;
use humas_server::workers::PlatformPoller;
use humas_store::{AuditActor, AuditQuery, Store};
use jiff::{SignedDuration, Timestamp};
use secrecy::SecretString;

const ME: &str = "2244994945";

struct World {
    _dir: tempfile::TempDir,
    store: Arc<dyn Store>,
    clients: Arc<Clients>,
    account: Account,
    fake: FakeX,
}

fn http() -> Http {
    Http::new(humas_feeds::FetchOptions {
        allowed_addresses: vec!["127.0.0.1".parse::<IpAddr>().unwrap()],
        ..Default::default()
    })
    .unwrap()
}

fn app(store: &Arc<dyn Store>) -> App {
    App::new(
        Arc::clone(store),
        Arc::new(SystemClock),
        AuthSettings::default(),
    )
    .with_server_secret(b"a server secret for the renewal tests")
}

/// A new process: a fresh connector cache over the same database.
fn process(world: &World) -> (App, Arc<Connectors>) {
    let app = app(&world.store);
    let connectors = Connectors::with_options(
        http(),
        ConnectOptions {
            clients: Some(Arc::clone(&world.clients)),
            ..ConnectOptions::default()
        },
    );
    (app, connectors)
}

/// An X account connected with OAuth (access token, refresh token `x-refresh-0`), whose
/// access token X no longer accepts.
async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = humas_store_sqlite::SqliteStore::connect(
        &dir.path().join("humas.db").display().to_string(),
    )
    .await
    .unwrap();
    sqlite.migrate().await.unwrap();
    let store: Arc<dyn Store> = Arc::new(sqlite);
    let fake = FakeX::start(ME, "x-access-0").await;
    fake.add_mention("6001", "@humas lampu mati", ("1", "warga", "Warga"), None);
    fake.with(|s| {
        s.token = "issued-later".into();
        s.refresh_tokens.insert("x-refresh-0".into());
    });
    let by = AuditActor::cli();
    let opd = Opd {
        id: OpdId::generate(),
        slug: Slug::parse("diskominfo").unwrap(),
        name: OpdName::parse("Dinas Kominfo").unwrap(),
        kind: OpdKind::Dinas,
        parent: None,
    };
    store.create_opd(&by, &opd).await.unwrap();
    let account = Account {
        id: AccountId::generate(),
        opd: opd.id,
        platform: Platform::X,
        handle: AccountHandle::parse("@kominfojatim").unwrap(),
        api_base_url: Some(ApiBaseUrl::parse(&fake.base()).unwrap()),
        status: AccountStatus::Active,
    };
    store.create_account(&by, &account).await.unwrap();
    app(&store)
        .set_account_credentials(
            &App::cli_actor(),
            account.id,
            Credentials {
                access_token: Some("x-access-0".into()),
                refresh_token: Some("x-refresh-0".into()),
                platform_user_id: Some(ME.into()),
                expires_at: Some(Timestamp::now() - SignedDuration::from_mins(1)),
                ..Credentials::default()
            },
        )
        .await
        .unwrap();
    let file = dir.path().join("oauth-clients.toml");
    std::fs::write(&file, "[x]\nclient_id = \"humas-app\"\n").unwrap();
    let clients = Arc::new(Clients::load(&file).unwrap());
    World {
        _dir: dir,
        store,
        clients,
        account,
        fake,
    }
}

async fn stored(world: &World) -> Credentials {
    app(&world.store)
        .account_credentials(world.account.id)
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn a_poll_with_an_expired_token_stores_the_rotated_pair_and_a_restart_keeps_working() {
    let world = world().await;
    let (app1, connectors) = process(&world);
    let poller = PlatformPoller::new(app1.clone(), Arc::clone(&connectors));
    let before = Timestamp::now();
    let report = poller.poll(&world.account).await.unwrap();
    assert_eq!(report.inserted, 1);

    // Read back through the store: the rotated pair, with X's two hours.
    let creds = stored(&world).await;
    assert_eq!(creds.access_token.as_deref(), Some("x-access-1"));
    assert_eq!(creds.refresh_token.as_deref(), Some("x-refresh-1"));
    assert_eq!(
        creds.platform_user_id.as_deref(),
        Some(ME),
        "the rest is kept"
    );
    let expires = creds.expires_at.unwrap();
    assert!(
        expires >= before + SignedDuration::from_secs(7200)
            && expires <= Timestamp::now() + SignedDuration::from_secs(7200),
        "{expires}"
    );
    // Audited as the system's change, without any token in the entry.
    let entries = world
        .store
        .query_audit(&AuditQuery {
            action_prefix: Some("account.credentials".into()),
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let by_system: Vec<_> = entries.iter().filter(|e| e.actor == "system").collect();
    assert_eq!(by_system.len(), 1, "{entries:?}");
    let text = format!("{entries:?}");
    assert!(
        !text.contains("x-access-") && !text.contains("x-refresh-"),
        "{text}"
    );

    // A second renewal spends the rotated token (the fake refuses x-refresh-0 now, as X does).
    world.fake.with(|s| s.token = "expired-again".into());
    world
        .fake
        .add_mention("6002", "@humas jalan rusak", ("1", "warga", "Warga"), None);
    assert_eq!(poller.poll(&world.account).await.unwrap().inserted, 1);
    assert_eq!(
        stored(&world).await.refresh_token.as_deref(),
        Some("x-refresh-2")
    );
    assert_eq!(world.fake.with(|s| s.refresh_calls), 2);

    // A restart: a new process builds its connector from what is stored and keeps working,
    // first with the stored access token, then renewing with the stored refresh token.
    let (app2, connectors2) = process(&world);
    let poller2 = PlatformPoller::new(app2, connectors2);
    world
        .fake
        .add_mention("6003", "@humas terima kasih", ("1", "warga", "Warga"), None);
    assert_eq!(poller2.poll(&world.account).await.unwrap().inserted, 1);
    assert_eq!(
        world.fake.with(|s| s.refresh_calls),
        2,
        "x-access-2 still works"
    );
    world
        .fake
        .with(|s| s.token = "expired-after-restart".into());
    world
        .fake
        .add_mention("6004", "@humas info banjir", ("1", "warga", "Warga"), None);
    assert_eq!(poller2.poll(&world.account).await.unwrap().inserted, 1);
    assert_eq!(world.fake.with(|s| s.refresh_calls), 3);
    let creds = stored(&world).await;
    assert_eq!(creds.refresh_token.as_deref(), Some("x-refresh-3"));
    assert_eq!(
        app(&world.store)
            .store()
            .get_account(world.account.id)
            .await
            .unwrap()
            .status,
        AccountStatus::Active
    );
}

#[tokio::test]
async fn publishing_renews_and_stores_too_and_an_older_process_follows_the_stored_pair() {
    let world = world().await;
    let (app1, connectors1) = process(&world);
    let (app2, connectors2) = process(&world);
    // Both processes hold a connector built from the same stored pair.
    let gateway1 = ConnectorPublishGateway::new(app1, connectors1);
    let poller2 = PlatformPoller::new(app2, connectors2);
    let post = OutgoingPost {
        text: "Pemadaman listrik terjadwal Sabtu 08.00-12.00 WIB.".into(),
        media: Vec::new(),
        idempotency_key: "post-1".into(),
        intent_at: Timestamp::now(),
    };
    // Publishing meets the expired token first: it renews and stores the pair.
    match gateway1.publish(&world.account, &post).await.unwrap() {
        SendOutcome::Published(p) => assert!(!p.external_id.is_empty()),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        stored(&world).await.refresh_token.as_deref(),
        Some("x-refresh-1")
    );
    // The other process's connector was built before: its access token is refused and its
    // refresh token spent. It takes the stored pair instead of failing the account.
    let report = poller2.poll(&world.account).await.unwrap();
    assert_eq!(report.inserted, 1);
    assert_eq!(world.fake.with(|s| s.refresh_calls), 1, "no second renewal");
    assert_eq!(
        stored(&world).await.refresh_token.as_deref(),
        Some("x-refresh-1")
    );
}

#[tokio::test]
async fn renewed_tokens_never_overwrite_a_newer_connection() {
    let world = world().await;
    let app = app(&world.store);
    // A person reconnected the account while a connector still renewed with the old token.
    app.set_account_credentials(
        &App::cli_actor(),
        world.account.id,
        Credentials {
            access_token: Some("from-consent".into()),
            refresh_token: Some("from-consent-refresh".into()),
            ..Credentials::default()
        },
    )
    .await
    .unwrap();
    let late = RenewedCredentials {
        access_token: "x-access-late".into(),
        refresh_token: Some("x-refresh-late".into()),
        expires_at: None,
        refresh_expires_at: None,
    };
    assert!(!format!("{late:?}").contains("x-access-late"));
    assert_eq!(
        app.store_renewed_tokens(world.account.id, late, Some("x-refresh-0"))
            .await
            .unwrap(),
        Renewal::Superseded
    );
    assert_eq!(
        stored(&world).await.refresh_token.as_deref(),
        Some("from-consent-refresh")
    );

    // Through the keeper: a refresh token that is not rotated keeps the stored one, and an
    // account marked token_expired because a store failed comes back once the pair is stored.
    app.mark_renewal_unsaved(world.account.id).await.unwrap();
    assert_eq!(
        app.store()
            .get_account(world.account.id)
            .await
            .unwrap()
            .status,
        AccountStatus::TokenExpired
    );
    let keeper = StoredTokens::new(app.clone(), world.account.id);
    keeper
        .save(
            &RenewedTokens {
                access_token: SecretString::from("google-style".to_owned()),
                refresh_token: None,
                expires_at: Some(Timestamp::now() + SignedDuration::from_hours(1)),
                refresh_expires_at: None,
            },
            None,
        )
        .await
        .unwrap();
    let creds = stored(&world).await;
    assert_eq!(creds.access_token.as_deref(), Some("google-style"));
    assert_eq!(creds.refresh_token.as_deref(), Some("from-consent-refresh"));
    assert_eq!(
        app.store()
            .get_account(world.account.id)
            .await
            .unwrap()
            .status,
        AccountStatus::Active
    );
    let back = keeper.stored().await.unwrap();
    assert!(back.expires_at.is_some());
}
