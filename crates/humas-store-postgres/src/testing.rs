//! Throwaway databases for tests (feature `testing`): each test gets `humas_test_<uuid>` on the
//! server named by `HUMAS_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`), dropped afterwards unless
//! `HUMAS_TEST_KEEP_DB` is set.

use sqlx::{Connection, PgConnection};

/// The server used when `HUMAS_TEST_POSTGRES_URL` is not set.
pub const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A database created for one test.
#[derive(Debug)]
pub struct TestDatabase {
    /// Connection URL of the new database.
    pub url: String,
    /// Its name.
    pub name: String,
    admin_url: String,
}

/// The administrative URL tests create databases with.
#[must_use]
pub fn admin_url() -> String {
    std::env::var("HUMAS_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned())
}

/// `url` with its database name replaced by `database`, keeping any `?query`.
#[must_use]
pub fn with_database(url: &str, database: &str) -> String {
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

impl TestDatabase {
    /// Creates an empty database (not migrated).
    pub async fn create() -> Self {
        let admin_url = admin_url();
        let name = format!("humas_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = admin(&admin_url).await;
        sqlx::query(&format!("CREATE DATABASE \"{name}\""))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("creating test database {name}: {e}"));
        let _ = conn.close().await;
        Self {
            url: with_database(&admin_url, &name),
            name,
            admin_url,
        }
    }

    /// Drops the database (close every pool on it first), unless `HUMAS_TEST_KEEP_DB` is set.
    pub async fn drop_now(self) {
        if std::env::var_os("HUMAS_TEST_KEEP_DB").is_some() {
            eprintln!("kept test database {}", self.name);
            return;
        }
        let mut conn = admin(&self.admin_url).await;
        sqlx::query(&format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.name
        ))
        .execute(&mut conn)
        .await
        .unwrap_or_else(|e| panic!("dropping test database {}: {e}", self.name));
        let _ = conn.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

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
}
