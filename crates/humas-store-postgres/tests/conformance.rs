//! Runs the shared conformance suite against a real PostgreSQL server, one fresh database per
//! test.
//!
//! The server is taken from `HUMAS_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`); that user must be allowed to create
//! databases. Each test creates `humas_test_<uuid>`, migrates it and drops it afterwards,
//! unless `HUMAS_TEST_KEEP_DB` is set (to inspect it with `psql`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use humas_store::Store;
use humas_store::conformance::Fixture;
use humas_store_postgres::PgStore;
use sqlx::{Connection, PgConnection};

const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

struct PgFixture {
    store: Arc<PgStore>,
    admin_url: String,
    database: String,
}

fn admin_url() -> String {
    std::env::var("HUMAS_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned())
}

/// `url` with its database name replaced by `database`, keeping any `?query`.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_start..].find('/') {
        Some(slash) => &base[..authority_start + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{database}?{q}"),
        None => format!("{base}/{database}"),
    }
}

async fn admin(url: &str) -> PgConnection {
    PgConnection::connect(url).await.unwrap_or_else(|e| {
        panic!(
            "cannot reach the PostgreSQL server at {url}: {e}\n\
             Start the local server with\n    \
             pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n\
             or point HUMAS_TEST_POSTGRES_URL at a server whose user may create databases."
        )
    })
}

async fn fresh_store() -> PgFixture {
    let admin_url = admin_url();
    let database = format!("humas_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = admin(&admin_url).await;
    sqlx::query(&format!("CREATE DATABASE \"{database}\""))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("creating test database {database}: {e}"));
    conn.close().await.unwrap();

    let store = PgStore::connect(&with_database(&admin_url, &database), 8)
        .await
        .unwrap_or_else(|e| panic!("connecting to test database {database}: {e}"));
    store.migrate().await.unwrap();
    assert_eq!(store.backend_name(), "postgresql");
    PgFixture {
        store: Arc::new(store),
        admin_url,
        database,
    }
}

impl Fixture for PgFixture {
    fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    async fn finish(self) {
        self.store.close().await;
        if std::env::var_os("HUMAS_TEST_KEEP_DB").is_some() {
            eprintln!("kept test database {}", self.database);
            return;
        }
        let mut conn = admin(&self.admin_url).await;
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.database
        ))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("dropping test database {}: {e}", self.database));
        conn.close().await.unwrap();
    }
}

#[test]
fn database_names_are_replaced_in_urls() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
        "postgres://postgres@127.0.0.1:5432/t1"
    );
    assert_eq!(
        with_database("postgres://u:p@h/db?sslmode=disable", "t2"),
        "postgres://u:p@h/t2?sslmode=disable"
    );
    assert_eq!(
        with_database("postgres://h:5432", "t3"),
        "postgres://h:5432/t3"
    );
}

humas_store::conformance_tests!(fresh_store);
