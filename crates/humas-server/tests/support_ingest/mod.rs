//! Helpers of the ingest durability tests: the real `humas` binary with a clean environment,
//! the database behind it (SQLite file or a throwaway PostgreSQL database) and an OPD with one
//! account to ingest into.

pub mod mastodon;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use humas_domain::{
    Account, AccountHandle, AccountId, AccountStatus, ApiBaseUrl, Opd, OpdId, OpdKind, OpdName,
    Platform, Slug,
};
use humas_store::{AuditActor, Store};

pub const BIN: &str = env!("CARGO_BIN_EXE_humas");

/// `humas` in `dir`, with no `HUMAS_*` variable or `RUST_LOG` inherited from the test runner.
pub fn humas(dir: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.current_dir(dir).stdin(Stdio::null());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("HUMAS_") {
            c.env_remove(&key);
        }
    }
    c.env_remove("RUST_LOG").env("HUMAS_LOG_LEVEL", "warn");
    c
}

/// A finished run of the binary.
pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\nstdout:\n{}\nstderr:\n{}",
            self.status.code(),
            self.stdout,
            self.stderr
        )
    }
}

/// Runs `humas args...` in `dir` to completion.
pub fn run(dir: &Path, args: &[String]) -> Run {
    let out = humas(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .expect("the humas binary starts");
    Run {
        status: out.status,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Strings from string slices, for argument lists.
pub fn args(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

/// Kills a child still running when the test fails, so no `humas` outlives its test.
pub struct Guard(pub Option<Child>);

impl Guard {
    pub fn child(&mut self) -> &mut Child {
        self.0.as_mut().expect("a running child")
    }

    /// SIGKILL (what `Child::kill` sends on Unix), then reap it.
    pub fn kill(&mut self) -> ExitStatus {
        let mut child = self.0.take().expect("a running child");
        child.kill().expect("SIGKILL delivered");
        child.wait().expect("the killed child is reaped")
    }

    /// Waits for the child to exit by itself, at most `limit`.
    pub fn wait(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child().try_wait().expect("try_wait") {
                self.0 = None;
                return status;
            }
            assert!(Instant::now() < deadline, "still running after {limit:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A fresh PostgreSQL database for one test, dropped afterwards.
pub struct PgDb {
    admin_url: String,
    name: String,
    pub url: String,
}

impl PgDb {
    /// `None` (with a note) when no server answers at `HUMAS_TEST_POSTGRES_URL` or the default;
    /// in CI a missing server is a failure.
    pub fn create() -> Option<Self> {
        let admin_url = std::env::var("HUMAS_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        let name = format!("humas_test_{}", uuid::Uuid::new_v4().simple());
        let created = runtime().block_on(async {
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(3))
                .connect(&admin_url)
                .await?;
            sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                .execute(&pool)
                .await?;
            pool.close().await;
            Ok::<_, sqlx::Error>(())
        });
        if let Err(e) = created {
            assert!(
                std::env::var_os("CI").is_none(),
                "no PostgreSQL at HUMAS_TEST_POSTGRES_URL or the default: {e}"
            );
            eprintln!("skipping: no PostgreSQL at HUMAS_TEST_POSTGRES_URL or the default ({e})");
            return None;
        }
        let url = humas_store_postgres::testing::with_database(&admin_url, &name);
        Some(Self {
            admin_url,
            name,
            url,
        })
    }
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let dropped = runtime().block_on(async {
            let pool = sqlx::PgPool::connect(&self.admin_url).await?;
            sqlx::query(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .execute(&pool)
            .await?;
            pool.close().await;
            Ok::<_, sqlx::Error>(())
        });
        if let Err(e) = dropped {
            eprintln!("could not drop test database {}: {e}", self.name);
        }
    }
}

/// Where a test's data lives: the data folder (secret key, and the SQLite file unless a
/// PostgreSQL database is given).
pub struct Db {
    pub data_dir: PathBuf,
    pub pg: Option<PgDb>,
}

impl Db {
    pub fn sqlite(root: &Path) -> Self {
        Self {
            data_dir: root.join("data"),
            pg: None,
        }
    }

    pub fn postgres(root: &Path, pg: PgDb) -> Self {
        Self {
            data_dir: root.join("data"),
            pg: Some(pg),
        }
    }

    pub fn sqlite_file(&self) -> PathBuf {
        self.data_dir.join("humas.db")
    }

    /// The settings flags that select this database.
    pub fn flags(&self) -> Vec<String> {
        let mut flags = vec!["--data-dir".to_owned(), self.data_dir.display().to_string()];
        if let Some(pg) = &self.pg {
            flags.extend(["--database-url".to_owned(), pg.url.clone()]);
        }
        flags
    }

    /// Opens and migrates the store the binary will use.
    pub async fn open_store(&self) -> Arc<dyn Store> {
        std::fs::create_dir_all(&self.data_dir).expect("data folder");
        match &self.pg {
            None => {
                let store = humas_store_sqlite::SqliteStore::connect(
                    &self.sqlite_file().display().to_string(),
                )
                .await
                .expect("open SQLite");
                store.migrate().await.expect("migrate SQLite");
                Arc::new(store)
            }
            Some(pg) => {
                let store = humas_store_postgres::PgStore::connect(&pg.url, 2)
                    .await
                    .expect("connect PostgreSQL");
                store.migrate().await.expect("migrate PostgreSQL");
                Arc::new(store)
            }
        }
    }

    /// A read-only view for counting while `humas` writes.
    pub async fn reader(&self) -> Reader {
        match &self.pg {
            None => {
                let options = sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(self.sqlite_file())
                    .read_only(true)
                    .busy_timeout(Duration::from_secs(5));
                Reader::Sqlite(
                    sqlx::sqlite::SqlitePoolOptions::new()
                        .max_connections(1)
                        .connect_with(options)
                        .await
                        .expect("read-only SQLite"),
                )
            }
            Some(pg) => Reader::Postgres(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(1)
                    .connect(&pg.url)
                    .await
                    .expect("PostgreSQL reader"),
            ),
        }
    }
}

/// Counts what the binary stored, straight from the tables.
pub enum Reader {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl Reader {
    pub async fn count(&self) -> i64 {
        let sql = "SELECT COUNT(*) FROM messages";
        match self {
            Self::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await,
            Self::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await,
        }
        .expect("count messages")
    }

    /// Every stored platform id, one row per message (duplicates would show twice).
    pub async fn external_ids(&self) -> Vec<String> {
        let sql = "SELECT external_id FROM messages ORDER BY external_id";
        match self {
            Self::Sqlite(p) => sqlx::query_scalar(sql).fetch_all(p).await,
            Self::Postgres(p) => sqlx::query_scalar(sql).fetch_all(p).await,
        }
        .expect("list external ids")
    }

    pub async fn close(&self) {
        match self {
            Self::Sqlite(p) => p.close().await,
            Self::Postgres(p) => p.close().await,
        }
    }
}

/// Creates an OPD and one active account on `platform`.
pub async fn create_account(
    store: &dyn Store,
    platform: Platform,
    handle: &str,
    api_base: Option<&str>,
) -> Account {
    let by = AuditActor::cli();
    let opd = Opd {
        id: OpdId::generate(),
        slug: Slug::parse("dinkes").expect("slug"),
        name: OpdName::parse("Dinas Kesehatan").expect("name"),
        kind: OpdKind::Dinas,
        parent: None,
    };
    store.create_opd(&by, &opd).await.expect("create OPD");
    let account = Account {
        id: AccountId::generate(),
        opd: opd.id,
        platform,
        handle: AccountHandle::parse(handle).expect("handle"),
        api_base_url: api_base.map(|b| ApiBaseUrl::parse(b).expect("api base")),
        status: AccountStatus::Active,
    };
    store
        .create_account(&by, &account)
        .await
        .expect("create account");
    account
}

/// Polls `check` every few milliseconds until it returns `Some`, or panics with `what`.
pub fn wait_for<T>(limit: Duration, what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {limit:?}: {what}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}
