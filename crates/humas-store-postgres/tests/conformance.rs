//! Runs the shared conformance suite against a real PostgreSQL server, one fresh database per
//! test (see `humas_store_postgres::testing` for the server it uses and how to keep databases).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use humas_store::Store;
use humas_store::conformance::Fixture;
use humas_store_postgres::PgStore;
use humas_store_postgres::testing::TestDatabase;

struct PgFixture {
    store: Arc<PgStore>,
    db: TestDatabase,
}

async fn fresh_store() -> PgFixture {
    let db = TestDatabase::create().await;
    let store = PgStore::connect(&db.url, 8)
        .await
        .unwrap_or_else(|e| panic!("connecting to test database {}: {e}", db.name));
    store.migrate().await.unwrap();
    PgFixture {
        store: Arc::new(store),
        db,
    }
}

impl Fixture for PgFixture {
    fn store(&self) -> Arc<dyn Store> {
        self.store.clone()
    }

    async fn finish(self) {
        self.store.close().await;
        self.db.drop_now().await;
    }
}

humas_store::conformance_tests!(fresh_store);
humas_store::inbox_conformance_tests!(fresh_store);
humas_store::publish_conformance_tests!(fresh_store);
humas_store::events_conformance_tests!(fresh_store);
