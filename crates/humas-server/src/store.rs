//! Opening the backend the settings select. The only place that names both store crates.

use std::sync::Arc;

use anyhow::Context as _;
use humas_store::Store;
use humas_store_postgres::PgStore;
use humas_store_sqlite::SqliteStore;

use crate::settings::{Database, Settings};

/// An open store of either kind.
#[derive(Clone, Debug)]
pub enum OpenStore {
    /// The embedded database.
    Sqlite(SqliteStore),
    /// A PostgreSQL server.
    Postgres(PgStore),
}

impl OpenStore {
    /// Connects to the database the settings select (creating the SQLite file and its folder if
    /// missing). Does not migrate.
    pub async fn connect(settings: &Settings) -> anyhow::Result<Self> {
        let database = settings.database()?;
        let what = database.describe();
        tracing::debug!(database = %what, "opening database");
        match database {
            Database::Sqlite { url, file } => {
                if let Some(dir) = file.as_deref().and_then(std::path::Path::parent)
                    && !dir.as_os_str().is_empty()
                {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("cannot create folder {}", dir.display()))?;
                }
                let store = SqliteStore::connect(&url)
                    .await
                    .with_context(|| format!("cannot open {what}"))?;
                Ok(Self::Sqlite(store))
            }
            Database::Postgres { url } => {
                let store = PgStore::connect(url.expose(), settings.database_max_connections)
                    .await
                    .with_context(|| format!("cannot connect to {what}"))?;
                Ok(Self::Postgres(store))
            }
        }
    }

    /// Connects, then brings the schema up to date.
    pub async fn connect_and_migrate(settings: &Settings) -> anyhow::Result<Self> {
        let store = Self::connect(settings).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// Applies the migrations that have not run yet.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        match self {
            Self::Sqlite(s) => s.migrate().await,
            Self::Postgres(s) => s.migrate().await,
        }
        .with_context(|| format!("cannot migrate the {} database", self.backend()))
    }

    /// The backend's name: `SQLite` or `PostgreSQL`.
    #[must_use]
    pub const fn backend(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => "SQLite",
            Self::Postgres(_) => "PostgreSQL",
        }
    }

    /// The store as the app uses it.
    #[must_use]
    pub fn shared(&self) -> Arc<dyn Store> {
        match self {
            Self::Sqlite(s) => Arc::new(s.clone()),
            Self::Postgres(s) => Arc::new(s.clone()),
        }
    }

    /// Closes the connections, waiting for those in use.
    pub async fn close(&self) {
        match self {
            Self::Sqlite(s) => s.close().await,
            Self::Postgres(s) => s.close().await,
        }
    }
}
