//! Helpers of the publishing crash tests: an OPD whose accounts live on fake Mastodon
//! instances (the fake of `humas bench publish`), posts approved for times a few seconds
//! ahead, the `humas serve` and `humas worker` processes that publish them, and what the
//! database says while they run.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use humas_app::sealed::Credentials;
use humas_app::{App, AuthSettings, SystemClock};
use humas_domain::publish::{Channel, DeliveryState, Post, PostState, PostText};
use humas_domain::{
    Account, AccountHandle, AccountId, AccountStatus, ApiBaseUrl, DisplayName, Locale, Opd, OpdId,
    OpdKind, OpdName, Platform, PostId, PublishJobId, Role, Slug, User, UserId, UserZone, Username,
};
use humas_server::bench_publish::fake::FakeMastodon;
use humas_store::{AuditActor, PostChange, PublishJob, Store};
use jiff::{SignedDuration, Timestamp};

use crate::support_ingest::{Db, Guard, humas};

/// The posts of a test, and which fake each account lives on.
pub struct Seeded {
    /// The approved posts, one channel per fake each.
    pub posts: Vec<Post>,
    /// `accounts[f]`: the accounts on fake `f`.
    pub accounts: Vec<Vec<Account>>,
    /// When the first job is due.
    pub first_due: Timestamp,
}

impl Seeded {
    /// The fake (its index in the list given to [`seed`]) an account lives on.
    pub fn fake_of(&self, account: AccountId) -> usize {
        self.accounts
            .iter()
            .position(|list| list.iter().any(|a| a.id == account))
            .expect("an account of the test")
    }
}

/// The text of post `i`: unique, so a status on a fake tells which post it is.
pub fn post_text(i: usize) -> String {
    format!(
        "Kabar Dinas Kesehatan no. {i}: posyandu balita dan lansia buka Sabtu pukul 08.00 WIB \
         di balai desa. Bawa KMS dan KTP."
    )
}

/// Creates the OPD, its author, `per_fake` accounts on each fake (credentials sealed with the
/// data folder's secret, as the binary will read them) and `posts` posts, each on one account
/// of every fake. The posts are written as drafts first, then approved with their jobs due
/// from `lead` after that, evenly over `spread`.
pub async fn seed(
    db: &Db,
    fakes: &[&FakeMastodon],
    per_fake: usize,
    posts: usize,
    lead: Duration,
    spread: Duration,
) -> Seeded {
    let store = db.open_store().await;
    let secret = humas_server::secret::load_or_create(&db.data_dir).unwrap();
    let app = App::new(
        Arc::clone(&store),
        Arc::new(SystemClock),
        AuthSettings::default(),
    )
    .with_server_secret(&secret);
    let by = AuditActor::cli();
    let opd = Opd {
        id: OpdId::generate(),
        slug: Slug::parse("dinkes").unwrap(),
        name: OpdName::parse("Dinas Kesehatan").unwrap(),
        kind: OpdKind::Dinas,
        parent: None,
    };
    store.create_opd(&by, &opd).await.unwrap();
    let author = User {
        id: UserId::generate(),
        username: Username::parse("operator.dinkes").unwrap(),
        display_name: DisplayName::parse("Operator Dinkes").unwrap(),
        role: Role::Operator,
        opd: Some(opd.id),
        locale: Locale::Id,
        zone: UserZone::Wib,
        active: true,
    };
    store.create_user(&by, &author, "!").await.unwrap();

    let mut accounts = Vec::with_capacity(fakes.len());
    for (f, fake) in fakes.iter().enumerate() {
        let mut list = Vec::with_capacity(per_fake);
        for i in 0..per_fake {
            let account = Account {
                id: AccountId::generate(),
                opd: opd.id,
                platform: Platform::Mastodon,
                handle: AccountHandle::parse(&format!("@dinkes_{f}_{i}")).unwrap(),
                api_base_url: Some(ApiBaseUrl::parse(&fake.base()).unwrap()),
                status: AccountStatus::Active,
            };
            store.create_account(&by, &account).await.unwrap();
            let token = format!("token-{f}-{i}");
            let platform_id = (7_000 + i).to_string();
            app.set_account_credentials(
                &App::cli_actor(),
                account.id,
                Credentials {
                    access_token: Some(token.clone()),
                    platform_user_id: Some(platform_id.clone()),
                    ..Credentials::default()
                },
            )
            .await
            .unwrap();
            fake.add_account(&platform_id, &token, &format!("dinkes_{f}_{i}"));
            list.push(account);
        }
        accounts.push(list);
    }

    let now = Timestamp::now();
    let drafts: Vec<Post> = (0..posts)
        .map(|i| Post {
            id: PostId::generate(),
            opd: opd.id,
            author: author.id,
            title: format!("Kabar {i}"),
            body: PostText::parse(&post_text(i)).unwrap(),
            channels: accounts
                .iter()
                .map(|list| Channel {
                    account: list[i % list.len()].id,
                    platform: Platform::Mastodon,
                    text: None,
                })
                .collect(),
            media: Vec::new(),
            scheduled_at: None,
            state: PostState::Draft,
            emergency: false,
            narrative: None,
            review_round: 1,
            created_at: now,
            updated_at: now,
        })
        .collect();
    for draft in &drafts {
        store.create_post(&by, draft).await.unwrap();
    }
    let first_due = Timestamp::now() + SignedDuration::try_from(lead).unwrap();
    let step = SignedDuration::try_from(spread).unwrap() / i32::try_from(posts.max(1)).unwrap();
    let mut approved = Vec::with_capacity(posts);
    for (i, draft) in drafts.into_iter().enumerate() {
        let due = first_due + step * i32::try_from(i).unwrap();
        let now = Timestamp::now();
        let post = Post {
            state: PostState::Approved,
            scheduled_at: Some(due),
            updated_at: now,
            ..draft
        };
        let jobs: Vec<PublishJob> = post
            .channels
            .iter()
            .map(|c| job(&post, c.account, due, now))
            .collect();
        store
            .change_post(
                &by,
                &PostChange {
                    action: "post.approve_final",
                    expected: PostState::Draft,
                    post: &post,
                    approval: None,
                    jobs: &jobs,
                    note: None,
                },
            )
            .await
            .unwrap();
        approved.push(post);
    }
    Seeded {
        posts: approved,
        accounts,
        first_due,
    }
}

fn job(post: &Post, account: AccountId, due: Timestamp, now: Timestamp) -> PublishJob {
    PublishJob {
        id: PublishJobId::generate(),
        post: post.id,
        account,
        opd: post.opd,
        due_at: due,
        state: DeliveryState::Scheduled,
        attempts: 0,
        next_attempt_at: due,
        lease_until: None,
        worker: None,
        idempotency_key: uuid::Uuid::new_v4().to_string(),
        intent_at: None,
        in_doubt: false,
        needs_reconcile: false,
        external_id: None,
        url: None,
        last_error: None,
        pending_handle: None,
        published_at: None,
        updated_at: now,
    }
}

/// Every job of `posts`, read by the store after the processes ended.
pub async fn jobs_of(store: &dyn Store, posts: &[Post]) -> Vec<PublishJob> {
    let mut out = Vec::with_capacity(posts.len() * 2);
    for post in posts {
        out.extend(store.post_jobs(post.id).await.unwrap());
    }
    out
}

/// The publishing processes of a test: `humas serve` (slot 0) and `humas worker`s, each
/// restartable after a SIGKILL, each incarnation logging to its own file.
pub struct Publishers<'a> {
    root: &'a Path,
    db: &'a Db,
    lease_seconds: u64,
    slots: Vec<Slot>,
}

struct Slot {
    kind: &'static str,
    guard: Guard,
    incarnation: usize,
}

impl<'a> Publishers<'a> {
    /// Starts `humas serve` and `workers` × `humas worker` with `lease_seconds` leases.
    pub fn start(root: &'a Path, db: &'a Db, workers: usize, lease_seconds: u64) -> Self {
        let mut p = Self {
            root,
            db,
            lease_seconds,
            slots: Vec::new(),
        };
        let kinds = std::iter::once("serve").chain(std::iter::repeat_n("worker", workers));
        for kind in kinds {
            let guard = p.spawn(kind, p.slots.len(), 1);
            p.slots.push(Slot {
                kind,
                guard,
                incarnation: 1,
            });
        }
        p
    }

    /// How many processes.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    fn log_path(&self, slot: usize, incarnation: usize) -> PathBuf {
        self.root
            .join(format!("publisher-{slot}-{incarnation}.log"))
    }

    fn spawn(&self, kind: &str, slot: usize, incarnation: usize) -> Guard {
        let lease = self.lease_seconds.to_string();
        let mut args: Vec<String> = vec![kind.to_owned()];
        if kind == "serve" {
            args.extend(["--bind".to_owned(), "127.0.0.1:0".to_owned()]);
        }
        args.extend([
            "--allow-private-targets=true".to_owned(),
            "--publish-lease-seconds".to_owned(),
            lease,
        ]);
        args.extend(self.db.flags());
        let log = File::create(self.log_path(slot, incarnation)).unwrap();
        Guard(Some(
            humas(self.root)
                .args(&args)
                .stdout(log.try_clone().unwrap())
                .stderr(log)
                .spawn()
                .unwrap(),
        ))
    }

    /// Panics (with its log) if a process ended by itself.
    pub fn assert_running(&mut self) {
        for i in 0..self.slots.len() {
            let ended = self.slots[i].guard.child().try_wait().unwrap();
            if let Some(status) = ended {
                let slot = &self.slots[i];
                panic!(
                    "{} (slot {i}) ended by itself ({status}):\n{}",
                    slot.kind,
                    std::fs::read_to_string(self.log_path(i, slot.incarnation)).unwrap_or_default()
                );
            }
        }
    }

    /// SIGKILL to the process in `slot`.
    pub fn kill(&mut self, slot: usize) {
        let status = self.slots[slot].guard.kill();
        assert!(!status.success(), "killed, not finished: {status}");
    }

    /// Starts the process of `slot` again (after [`Self::kill`]).
    pub fn restart(&mut self, slot: usize) {
        let incarnation = self.slots[slot].incarnation + 1;
        let guard = self.spawn(self.slots[slot].kind, slot, incarnation);
        self.slots[slot].guard = guard;
        self.slots[slot].incarnation = incarnation;
    }

    /// SIGTERM to every process; each must exit 0 within 15 s.
    pub fn stop(&mut self) {
        for slot in &mut self.slots {
            let term = std::process::Command::new("kill")
                .args(["-TERM", &slot.guard.child().id().to_string()])
                .stdout(Stdio::null())
                .status()
                .unwrap();
            assert!(term.success());
        }
        for i in 0..self.slots.len() {
            let exit = self.slots[i].guard.wait(Duration::from_secs(15));
            assert!(
                exit.success(),
                "{} (slot {i}) exit {exit}:\n{}",
                self.slots[i].kind,
                std::fs::read_to_string(self.log_path(i, self.slots[i].incarnation))
                    .unwrap_or_default()
            );
        }
    }

    /// The problems in the logs grouped by kind — the event and the start of its error,
    /// without times and ids — with how often each occurred, most frequent first.
    pub fn problem_kinds(&self) -> Vec<(usize, String)> {
        let mut kinds: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for line in self.problems() {
            *kinds.entry(problem_kind(&line)).or_default() += 1;
        }
        let mut out: Vec<(usize, String)> = kinds.into_iter().map(|(k, n)| (n, k)).collect();
        out.sort_by(|a, b| b.cmp(a));
        out
    }

    /// Every log line of every incarnation that reports a problem (`WARN`, `ERROR`, a panic).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (i, slot) in self.slots.iter().enumerate() {
            for n in 1..=slot.incarnation {
                let text = std::fs::read_to_string(self.log_path(i, n)).unwrap_or_default();
                out.extend(
                    text.lines()
                        .filter(|l| {
                            l.contains("WARN") || l.contains("ERROR") || l.contains("panicked")
                        })
                        .map(|l| format!("{}-{n}: {l}", slot.kind)),
                );
            }
        }
        out
    }
}

/// `WARN target: message` and the first 90 characters of its `error=` field.
fn problem_kind(line: &str) -> String {
    let words: Vec<&str> = line.split_whitespace().collect();
    let level = words
        .iter()
        .position(|w| matches!(*w, "WARN" | "ERROR"))
        .map_or(0, |i| i);
    let message: Vec<&str> = words[level..]
        .iter()
        .take_while(|w| !w.contains('='))
        .copied()
        .collect();
    let error = line
        .split_once(" error=")
        .map(|(_, e)| e.chars().take(90).collect::<String>())
        .unwrap_or_default();
    format!("{} {error}", message.join(" "))
}

/// Counts jobs straight from the table while the processes write.
pub enum JobCounter {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

impl JobCounter {
    pub async fn open(db: &Db) -> Self {
        match &db.pg {
            None => {
                let options = sqlx::sqlite::SqliteConnectOptions::new()
                    .filename(db.sqlite_file())
                    .read_only(true)
                    .busy_timeout(Duration::from_secs(5));
                Self::Sqlite(
                    sqlx::sqlite::SqlitePoolOptions::new()
                        .max_connections(1)
                        .connect_with(options)
                        .await
                        .unwrap(),
                )
            }
            Some(pg) => Self::Postgres(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(1)
                    .connect(&pg.url)
                    .await
                    .unwrap(),
            ),
        }
    }

    /// Jobs not yet published, failed or uncertain.
    pub async fn unfinished(&self) -> i64 {
        let sql = "SELECT COUNT(*) FROM publish_jobs \
                   WHERE state NOT IN ('published', 'failed', 'uncertain')";
        match self {
            Self::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await,
            Self::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await,
        }
        .unwrap()
    }

    pub async fn close(&self) {
        match self {
            Self::Sqlite(p) => p.close().await,
            Self::Postgres(p) => p.close().await,
        }
    }
}
