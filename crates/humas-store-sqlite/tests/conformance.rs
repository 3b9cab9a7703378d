//! The shared store conformance suite on SQLite: a fresh database file per test.

#![allow(
    clippy::unwrap_used,
    reason = "fixture setup: a failure should stop the test at that line"
)]

use std::sync::Arc;

use humas_store::Store;
use humas_store::conformance::Fixture;
use humas_store_sqlite::SqliteStore;

struct SqliteFixture {
    store: SqliteStore,
    _dir: tempfile::TempDir,
}

impl Fixture for SqliteFixture {
    fn store(&self) -> Arc<dyn Store> {
        Arc::new(self.store.clone())
    }

    async fn finish(self) {
        self.store.close().await;
    }
}

async fn fresh_store() -> SqliteFixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("humas.db");
    let store = SqliteStore::connect(path.to_str().unwrap()).await.unwrap();
    store.migrate().await.unwrap();
    SqliteFixture { store, _dir: dir }
}

humas_store::conformance_tests!(fresh_store);
humas_store::inbox_conformance_tests!(fresh_store);
humas_store::publish_conformance_tests!(fresh_store);
humas_store::events_conformance_tests!(fresh_store);
