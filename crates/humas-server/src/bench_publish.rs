//! `humas bench publish`: the publisher's speed bar (issue 5) — 10,000 posts due at the same
//! instant over 200 accounts, all dispatched within 60 s — measured with the real worker, the
//! real Mastodon connector and the configured database, against a fake Mastodon instance
//! started in the same process ([`fake::FakeMastodon`]).
//!
//! **Setup** goes through the store as approval does: each post is written as a draft, then
//! approved with its delivery job in one transaction. The drafts are written first and timed,
//! so the due time `T` can be chosen just after the approvals will have finished (or given with
//! `--lead-seconds`); the bench refuses to measure when setup overran `T`.
//!
//! **Measuring.** The workers ([`PublishWorker`] with [`ConnectorPublishGateway`], as
//! `humas worker` runs them) start before `T` and run until no job is left to do. Each job's
//! `published_at` is written by its worker when the platform has answered, so a post's lateness
//! is `published_at − due_at` as the queue view shows it, and the dispatch time is the last
//! `published_at − T`. The fake then says what it received: every post must be there exactly
//! once.
//!
//! Run it on a database of its own (`--data-dir /tmp/bench` or a fresh `--database-url`): it
//! refuses to start while other publications wait in the queue, since its workers would send
//! them too.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use humas_app::App;
use humas_app::publish::FsMediaStore;
use humas_app::publish::worker::{PublishWorker, WorkerConfig};
use humas_app::sealed::Credentials;
use humas_domain::publish::{Channel, DeliveryState, Post, PostState, PostText};
use humas_domain::{
    Account, AccountHandle, AccountId, AccountStatus, ApiBaseUrl, DisplayName, Locale, Opd, OpdId,
    OpdKind, OpdName, Platform, PostId, PublishJobId, Role, Slug, User, UserId, UserZone, Username,
};
use humas_store::{AuditActor, PostChange, PublishJob, Store};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use tokio::task::JoinSet;

use crate::gateway::{ConnectorPublishGateway, Connectors};
use fake::{FakeMastodon, FakeOptions};

/// The bar: every post dispatched within this long after its due time.
pub const BAR: Duration = Duration::from_secs(60);

/// Slug of the OPD the bench posts for (reused by later runs).
const BENCH_OPD: &str = "bench-publish";

/// Username of the (inactive) author of the bench posts.
const BENCH_AUTHOR: &str = "bench-publisher";

/// Posts written at the same time during setup (PostgreSQL takes them in parallel; SQLite
/// queues them behind its one writer).
const SETUP_TASKS: usize = 8;

/// What to run.
#[derive(Clone, Debug)]
pub struct PublishOptions {
    /// Posts, one channel each.
    pub posts: usize,
    /// Mastodon accounts the posts are spread over (round robin).
    pub accounts: usize,
    /// Publisher workers running at the same time.
    pub workers: usize,
    /// The fake platform's answer time.
    pub latency: Duration,
    /// Seconds from the end of the drafts to the due time; `None` chooses from the measured
    /// draft speed.
    pub lead_seconds: Option<u64>,
    /// Longest wait for the queue to empty after the due time.
    pub timeout: Duration,
}

/// What `bench publish` measured.
#[derive(Debug, Serialize)]
pub struct PublishResult {
    /// `sqlite` or `postgresql`.
    pub backend: &'static str,
    /// Posts (one channel each).
    pub posts: usize,
    /// Accounts.
    pub accounts: usize,
    /// Workers.
    pub workers: usize,
    /// The fake's latency per request, ms.
    pub latency_ms: u64,
    /// Writing the accounts, drafts and approvals, seconds.
    pub setup_seconds: f64,
    /// From the end of setup to the due time, seconds.
    pub idle_before_due_seconds: f64,
    /// From the due time to the first publication, ms.
    pub first_after_due_ms: Option<f64>,
    /// From the due time to the last publication, seconds.
    pub dispatch_seconds: Option<f64>,
    /// Published posts per second between the due time and the last publication.
    pub per_second: Option<f64>,
    /// Lateness (`published_at − due_at`) of the published posts: median, ms.
    pub lateness_p50_ms: Option<f64>,
    /// 95th percentile, ms.
    pub lateness_p95_ms: Option<f64>,
    /// 99th percentile, ms.
    pub lateness_p99_ms: Option<f64>,
    /// Worst, ms.
    pub lateness_max_ms: Option<f64>,
    /// Jobs published.
    pub published: usize,
    /// Jobs failed.
    pub failed: usize,
    /// Jobs uncertain (a person must check).
    pub uncertain: usize,
    /// Jobs not final when the bench stopped waiting.
    pub unfinished: usize,
    /// Statuses the fake holds for this run.
    pub statuses: u64,
    /// `POST /api/v1/statuses` the fake received.
    pub status_requests: u64,
    /// Requests of every kind the fake received.
    pub requests: u64,
    /// Posts the fake holds more than once (extra copies counted).
    pub duplicates: usize,
    /// Posts the fake does not hold.
    pub missing: usize,
    /// Published jobs whose recorded id is not the fake's status for that post.
    pub wrong_links: usize,
    /// Up to five distinct errors the workers recorded.
    pub errors: Vec<String>,
    /// Whether every post was published once, within [`BAR`] of its due time.
    pub bar_met: bool,
    /// Peak resident memory of the process, MiB (Linux `VmHWM`).
    pub peak_rss_mib: Option<f64>,
}

impl PublishResult {
    /// Whether the run published every post exactly once (speed aside).
    #[must_use]
    pub fn correct(&self) -> bool {
        self.published == self.posts
            && self.duplicates == 0
            && self.missing == 0
            && self.wrong_links == 0
    }

    /// The human-readable report.
    #[must_use]
    pub fn text(&self) -> String {
        let ms = |v: Option<f64>| v.map_or_else(|| "-".to_owned(), |v| format!("{v:.0} ms"));
        let mut out = format!(
            "backend            {}\n\
             posts              {} over {} Mastodon accounts, {} workers, fake latency {} ms\n\
             setup              {:.1} s (then {:.1} s idle until the due time)\n\
             first publication  {} after the due time\n\
             dispatch           {} (bar: all within {} s: {})\n\
             throughput         {}\n\
             lateness           p50 {}, p95 {}, p99 {}, max {}\n\
             jobs               {} published, {} failed, {} uncertain, {} unfinished\n\
             fake platform      {} statuses from {} status requests ({} requests in all); \
             {} duplicates, {} missing, {} wrong links\n\
             peak memory        {}\n",
            self.backend,
            self.posts,
            self.accounts,
            self.workers,
            self.latency_ms,
            self.setup_seconds,
            self.idle_before_due_seconds,
            ms(self.first_after_due_ms),
            self.dispatch_seconds
                .map_or_else(|| "-".to_owned(), |s| format!("{s:.2} s")),
            BAR.as_secs(),
            if self.bar_met { "met" } else { "NOT met" },
            self.per_second
                .map_or_else(|| "-".to_owned(), |p| format!("{p:.0} posts/s")),
            ms(self.lateness_p50_ms),
            ms(self.lateness_p95_ms),
            ms(self.lateness_p99_ms),
            ms(self.lateness_max_ms),
            self.published,
            self.failed,
            self.uncertain,
            self.unfinished,
            self.statuses,
            self.status_requests,
            self.requests,
            self.duplicates,
            self.missing,
            self.wrong_links,
            self.peak_rss_mib
                .map_or_else(|| "unknown".to_owned(), |m| format!("{m:.0} MiB")),
        );
        for e in &self.errors {
            out.push_str(&format!("error              {e}\n"));
        }
        out
    }
}

/// Runs the bench and says how the process should exit: failure when a post was not
/// published exactly once.
///
/// # Errors
/// Database errors, a queue that is not empty, a setup slower than the lead time.
pub async fn run(app: &App, options: &PublishOptions) -> anyhow::Result<PublishResult> {
    ensure_queue_is_empty(app.store().as_ref()).await?;
    let fake = FakeMastodon::start(FakeOptions {
        latency: options.latency,
        read_latency: options.latency,
        honour_idempotency_key: true,
    })
    .await
    .context("cannot start the fake Mastodon instance")?;
    let setup_started = Instant::now();
    let world = World::prepare(app, &fake, options.accounts.max(1)).await?;
    let run_tag = format!("{:x}", Timestamp::now().as_millisecond());
    let drafts_started = Instant::now();
    let posts = world.write_drafts(app, &run_tag, options.posts).await?;
    let drafts_took = drafts_started.elapsed();
    let due = due_time(options.lead_seconds, drafts_took)?;
    world.approve(app, &posts, due).await?;
    let setup_seconds = setup_started.elapsed().as_secs_f64();
    let now = Timestamp::now();
    if now >= due - SignedDuration::from_millis(500) {
        bail!(
            "setting up took until {} past the due time; give more --lead-seconds (drafts took \
             {:.1} s)",
            now.duration_since(due),
            drafts_took.as_secs_f64()
        );
    }
    let idle_before_due_seconds = now.duration_until(due).as_secs_f64();

    run_workers(app, options, due).await?;
    let jobs = world.jobs_of(app, &posts).await?;
    Ok(summarise(
        app,
        options,
        &fake,
        &posts,
        &jobs,
        due,
        setup_seconds,
        idle_before_due_seconds,
    ))
}

/// Refuses to run while real publications wait: the bench's workers would take them.
async fn ensure_queue_is_empty(store: &dyn Store) -> anyhow::Result<()> {
    if let Some(next) = store.next_job_at().await? {
        bail!(
            "this database has publications waiting in the queue (the next at {next}); the \
             bench's workers would send them too. Run it on a database of its own: \
             --data-dir /tmp/bench, or --database-url with a new PostgreSQL database"
        );
    }
    Ok(())
}

/// The due time: `--lead-seconds` after now, or (automatically) long enough for the approvals
/// — on SQLite they took up to 1.4 times as long as the drafts — plus a margin for a loaded
/// machine.
fn due_time(lead_seconds: Option<u64>, drafts_took: Duration) -> anyhow::Result<Timestamp> {
    let lead = match lead_seconds {
        Some(s) => Duration::from_secs(s),
        None => drafts_took.mul_f64(2.0) + Duration::from_secs(5),
    };
    let lead = SignedDuration::try_from(lead).context("the lead time is too long")?;
    Ok(Timestamp::now() + lead)
}

/// The OPD, author and accounts the posts go out from, pointed at the fake.
struct World {
    opd: OpdId,
    author: UserId,
    accounts: Vec<Account>,
}

impl World {
    async fn prepare(app: &App, fake: &FakeMastodon, accounts: usize) -> anyhow::Result<Self> {
        let store = app.store();
        let by = AuditActor::cli();
        let slug = Slug::parse(BENCH_OPD)?;
        let opd = match store.opd_by_slug(&slug).await {
            Ok(o) => o,
            Err(_) => {
                let o = Opd {
                    id: OpdId::generate(),
                    slug,
                    name: OpdName::parse("OPD uji kecepatan penerbitan")?,
                    kind: OpdKind::Dinas,
                    parent: None,
                };
                store.create_opd(&by, &o).await?;
                o
            }
        };
        let author = bench_author(store.as_ref(), opd.id).await?;
        let base = ApiBaseUrl::parse(&fake.base())?;
        let mut existing: HashMap<String, Account> = store
            .list_accounts(Some(opd.id))
            .await?
            .into_iter()
            .map(|a| (a.handle.to_string(), a))
            .collect();
        let mut out = Vec::with_capacity(accounts);
        for i in 0..accounts {
            let handle = AccountHandle::parse(&format!("@bench_pub_{i}"))?;
            let account = match existing.remove(&handle.to_string()) {
                Some(mut a) => {
                    // A new fake every run: point the account at this one.
                    a.api_base_url = Some(base.clone());
                    a.status = AccountStatus::Active;
                    store.update_account(&by, &a).await?;
                    a
                }
                None => {
                    let a = Account {
                        id: AccountId::generate(),
                        opd: opd.id,
                        platform: Platform::Mastodon,
                        handle,
                        api_base_url: Some(base.clone()),
                        status: AccountStatus::Active,
                    };
                    store.create_account(&by, &a).await?;
                    a
                }
            };
            let token = format!("bench-token-{i}-{:016x}", rand::random::<u64>());
            let platform_id = (100_000 + i).to_string();
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
            .with_context(|| format!("cannot store the credentials of {}", account.handle))?;
            fake.add_account(&platform_id, &token, &format!("bench_pub_{i}"));
            out.push(account);
        }
        Ok(Self {
            opd: opd.id,
            author,
            accounts: out,
        })
    }

    /// Writes `count` drafts, post `i` on account `i mod accounts`, several at a time.
    async fn write_drafts(
        &self,
        app: &App,
        run_tag: &str,
        count: usize,
    ) -> anyhow::Result<Vec<Post>> {
        let now = Timestamp::now();
        let drafts: Vec<Post> = (0..count)
            .map(|i| self.draft(run_tag, i, now))
            .collect::<anyhow::Result<_>>()?;
        let chunks = chunked(&drafts, SETUP_TASKS);
        let mut set = JoinSet::new();
        for chunk in chunks {
            let store = Arc::clone(app.store());
            set.spawn(async move {
                let by = AuditActor::cli();
                for post in &chunk {
                    store.create_post(&by, post).await?;
                }
                anyhow::Ok(())
            });
        }
        while let Some(done) = set.join_next().await {
            done.context("a setup task stopped")??;
        }
        Ok(drafts)
    }

    fn draft(&self, run_tag: &str, i: usize, now: Timestamp) -> anyhow::Result<Post> {
        let account = &self.accounts[i % self.accounts.len()];
        Ok(Post {
            id: PostId::generate(),
            opd: self.opd,
            author: self.author,
            title: format!("Uji penerbitan {run_tag} #{i}"),
            body: PostText::parse(&bench_text(run_tag, i))?,
            channels: vec![Channel {
                account: account.id,
                platform: Platform::Mastodon,
                text: None,
            }],
            media: Vec::new(),
            scheduled_at: None,
            state: PostState::Draft,
            emergency: false,
            narrative: None,
            review_round: 1,
            created_at: now,
            updated_at: now,
        })
    }

    /// Approves every draft for `due`, its job enqueued in the same transaction (what the
    /// approval completing a chain does).
    async fn approve(&self, app: &App, posts: &[Post], due: Timestamp) -> anyhow::Result<()> {
        let mut set = JoinSet::new();
        for chunk in chunked(posts, SETUP_TASKS) {
            let store = Arc::clone(app.store());
            set.spawn(async move {
                let by = AuditActor::cli();
                for draft in &chunk {
                    let now = Timestamp::now();
                    let post = Post {
                        state: PostState::Approved,
                        scheduled_at: Some(due),
                        updated_at: now,
                        ..draft.clone()
                    };
                    let jobs: Vec<PublishJob> = post
                        .channels
                        .iter()
                        .map(|c| job(&post, c, due, now))
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
                                note: Some("humas bench publish"),
                            },
                        )
                        .await?;
                }
                anyhow::Ok(())
            });
        }
        while let Some(done) = set.join_next().await {
            done.context("a setup task stopped")??;
        }
        Ok(())
    }

    /// Every job of the bench posts, as the workers left them.
    async fn jobs_of(&self, app: &App, posts: &[Post]) -> anyhow::Result<Vec<PublishJob>> {
        let mut out = Vec::with_capacity(posts.len());
        for post in posts {
            out.extend(app.store().post_jobs(post.id).await?);
        }
        Ok(out)
    }
}

/// The bench's author: an inactive operator of the bench OPD who cannot sign in.
async fn bench_author(store: &dyn Store, opd: OpdId) -> anyhow::Result<UserId> {
    let username = Username::parse(BENCH_AUTHOR)?;
    if let Some(user) = store
        .list_users(Some(opd))
        .await?
        .into_iter()
        .find(|u| u.username == username)
    {
        return Ok(user.id);
    }
    let user = User {
        id: UserId::generate(),
        username,
        display_name: DisplayName::parse("Uji kecepatan penerbitan")?,
        role: Role::Operator,
        opd: Some(opd),
        locale: Locale::Id,
        zone: UserZone::Wib,
        active: false,
    };
    // "!" is no password hash: nobody can sign in as the bench author.
    store.create_user(&AuditActor::cli(), &user, "!").await?;
    Ok(user.id)
}

/// The text of post `i` of a run: unique, so the fake can tell the posts apart.
#[must_use]
pub fn bench_text(run_tag: &str, i: usize) -> String {
    format!(
        "Posyandu Desa Sumberejo buka Sabtu pukul 08.00 WIB: timbang balita, imunisasi dan \
         konsultasi gizi gratis. Bawa buku KIA. (uji {run_tag} no. {i})"
    )
}

fn job(post: &Post, channel: &Channel, due: Timestamp, now: Timestamp) -> PublishJob {
    PublishJob {
        id: PublishJobId::generate(),
        post: post.id,
        account: channel.account,
        opd: post.opd,
        due_at: due,
        state: DeliveryState::Scheduled,
        attempts: 0,
        next_attempt_at: due,
        lease_until: None,
        worker: None,
        // Unique per job, as the approval's UUID is.
        idempotency_key: PublishJobId::generate().to_string(),
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

/// `items` split into `parts` owned chunks of nearly equal size.
fn chunked<T: Clone>(items: &[T], parts: usize) -> Vec<Vec<T>> {
    let size = items.len().div_ceil(parts.max(1)).max(1);
    items.chunks(size).map(<[T]>::to_vec).collect()
}

/// Starts the workers, waits until no job is left to do (or the timeout after `due`), stops
/// them.
async fn run_workers(app: &App, options: &PublishOptions, due: Timestamp) -> anyhow::Result<()> {
    let fetch = humas_feeds::FetchOptions {
        // The fake listens on loopback.
        allow_private: true,
        ..humas_feeds::FetchOptions::default()
    };
    let http = humas_connectors::http::Http::new(fetch)
        .context("cannot start the HTTP client for the fake platform")?;
    let gateway = ConnectorPublishGateway::new(app.clone(), Connectors::new(http));
    // The bench posts carry no media, so nothing is ever read from here.
    let media = Arc::new(FsMediaStore::new(
        &std::env::temp_dir().join("humas-bench-media"),
    ));
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut workers = JoinSet::new();
    for i in 0..options.workers.max(1) {
        let config = WorkerConfig::named(&format!("bench-{}-{i}", std::process::id()));
        let worker = PublishWorker::new(app.clone(), gateway.clone(), media.clone(), config);
        let stopped = stopped.clone();
        workers.spawn(async move { worker.run(stopped).await });
    }
    let deadline = due + SignedDuration::try_from(options.timeout)?;
    loop {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if Timestamp::now() < due {
            continue;
        }
        if app.store().next_job_at().await?.is_none() || Timestamp::now() > deadline {
            break;
        }
    }
    let _ = stop.send(true);
    while workers.join_next().await.is_some() {}
    Ok(())
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((sorted.len() as f64) * q).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

#[expect(
    clippy::too_many_arguments,
    reason = "one call site; the numbers of one run"
)]
fn summarise(
    app: &App,
    options: &PublishOptions,
    fake: &FakeMastodon,
    posts: &[Post],
    jobs: &[PublishJob],
    due: Timestamp,
    setup_seconds: f64,
    idle_before_due_seconds: f64,
) -> PublishResult {
    let count = |s: DeliveryState| jobs.iter().filter(|j| j.state == s).count();
    let published: Vec<&PublishJob> = jobs
        .iter()
        .filter(|j| j.state == DeliveryState::Published)
        .collect();
    let mut lateness: Vec<f64> = published
        .iter()
        .filter_map(|j| j.published_at)
        .map(|at| at.duration_since(due).as_secs_f64() * 1000.0)
        .collect();
    lateness.sort_by(f64::total_cmp);
    let last = lateness.last().copied();
    let dispatch_seconds = last.map(|ms| ms / 1000.0);

    // What the fake holds, per post text.
    let statuses = fake.statuses();
    let mut by_text: HashMap<&str, Vec<&fake::FakeStatus>> = HashMap::new();
    for s in &statuses {
        by_text.entry(s.text.as_str()).or_default().push(s);
    }
    let mut duplicates = 0;
    let mut missing = 0;
    let mut wrong_links = 0;
    let job_of: HashMap<PostId, &PublishJob> = jobs.iter().map(|j| (j.post, j)).collect();
    for post in posts {
        match by_text.get(post.body.as_str()).map(Vec::as_slice) {
            None | Some([]) => missing += 1,
            Some(found) => {
                duplicates += found.len() - 1;
                let recorded = job_of
                    .get(&post.id)
                    .filter(|j| j.state == DeliveryState::Published)
                    .and_then(|j| j.external_id.as_deref());
                if recorded.is_some_and(|id| found[0].id != id) {
                    wrong_links += 1;
                }
            }
        }
    }
    let mut errors: Vec<String> = Vec::new();
    for e in jobs.iter().filter_map(|j| j.last_error.as_deref()) {
        if errors.len() < 5 && !errors.iter().any(|x| x == e) {
            errors.push(e.to_owned());
        }
    }
    let counts = fake.counts();
    let unfinished = jobs.iter().filter(|j| !j.state.is_final()).count();
    let mut result = PublishResult {
        backend: app.store().backend_name(),
        posts: posts.len(),
        accounts: options.accounts.max(1),
        workers: options.workers.max(1),
        latency_ms: u64::try_from(options.latency.as_millis()).unwrap_or(u64::MAX),
        setup_seconds,
        idle_before_due_seconds,
        first_after_due_ms: lateness.first().copied(),
        dispatch_seconds,
        per_second: dispatch_seconds
            .filter(|s| *s > 0.0)
            .map(|s| published.len() as f64 / s),
        lateness_p50_ms: percentile(&lateness, 0.50),
        lateness_p95_ms: percentile(&lateness, 0.95),
        lateness_p99_ms: percentile(&lateness, 0.99),
        lateness_max_ms: last,
        published: published.len(),
        failed: count(DeliveryState::Failed),
        uncertain: count(DeliveryState::Uncertain),
        unfinished,
        statuses: counts.statuses,
        status_requests: counts.status_posts,
        requests: counts.requests,
        duplicates,
        missing,
        wrong_links,
        errors,
        bar_met: false,
        peak_rss_mib: crate::bench::peak_rss_mib(),
    };
    result.bar_met = result.correct() && last.is_some_and(|ms| ms <= BAR.as_secs_f64() * 1000.0);
    result
}

/// `humas bench publish` as the command line runs it.
///
/// # Errors
/// See [`run`].
pub async fn command(app: &App, options: &PublishOptions, json: bool) -> anyhow::Result<ExitCode> {
    let result = run(app, options).await?;
    crate::bench::print(&result, json, &result.text())?;
    Ok(if result.correct() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 0.5), Some(50.0));
        assert_eq!(percentile(&v, 0.99), Some(99.0));
        assert_eq!(percentile(&v, 1.0), Some(100.0));
        assert_eq!(percentile(&[7.0], 0.99), Some(7.0));
        assert_eq!(percentile(&[], 0.5), None);
    }

    #[test]
    fn chunks_cover_every_item_once() {
        let items: Vec<usize> = (0..10).collect();
        let parts = chunked(&items, 3);
        assert_eq!(parts.len(), 3);
        assert_eq!(parts.concat(), items);
        assert_eq!(chunked(&items, 0).concat(), items);
        assert!(chunked::<usize>(&[], 8).is_empty());
    }

    #[test]
    fn bench_texts_are_unique_and_fit_mastodon() {
        let a = bench_text("abc", 1);
        assert_ne!(a, bench_text("abc", 2));
        assert_ne!(a, bench_text("abd", 1));
        assert!(a.chars().count() <= humas_domain::publish::limits::MASTODON_MAX_CHARS);
    }
}

pub mod fake {
    //! A Mastodon instance in the process, with only what publishing calls, for the publish
    //! bench and the exactly-once crash tests.
    //!
    //! - `POST /api/v1/statuses` (JSON body with `status`) creates a status as soon as the
    //!   request arrives, then answers after the configured latency — so a client killed while
    //!   waiting leaves a status it never heard of, as a real instance would. With
    //!   [`FakeOptions::honour_idempotency_key`] a repeated `Idempotency-Key` from the same
    //!   account is answered with the first status (Mastodon keeps keys for an hour); without
    //!   it every request makes a new status, so only reconciliation prevents a duplicate.
    //! - `GET /api/v1/accounts/:id/statuses` with `limit` (default 20, at most 40), `max_id`,
    //!   `since_id` and `min_id`, newest first: what the connector's `find_published` reads.
    //! - `GET /api/v1/statuses/:id` (engagement, always zero), `GET
    //!   /api/v1/accounts/verify_credentials` and `GET /api/v1/notifications` (always empty), so
    //!   a server reading the accounts sees a quiet instance.
    //!
    //! Every request needs `Authorization: Bearer <token>` of an account added with
    //! [`FakeMastodon::add_account`]. Status ids are increasing numbers like Mastodon's; the
    //! content is the text as Mastodon's sanitised HTML (`<p>`, `<br />`, entities).

    use std::collections::HashMap;
    use std::net::SocketAddr;
    use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
    use std::time::Duration;

    use axum::Router;
    use axum::body::Bytes;
    use axum::extract::{Path, Query, State};
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::{IntoResponse, Response};
    use jiff::Timestamp;
    use serde::{Deserialize, Serialize};
    use serde_json::{Value, json};

    /// The first status id (Mastodon's ids are large increasing numbers).
    const FIRST_ID: u64 = 113_500_000_000_000_000;

    /// How the fake behaves.
    #[derive(Clone, Debug)]
    pub struct FakeOptions {
        /// Time between a `POST /api/v1/statuses` and its answer.
        pub latency: Duration,
        /// Time between any other request and its answer.
        pub read_latency: Duration,
        /// Whether a repeated `Idempotency-Key` gets the first status back.
        pub honour_idempotency_key: bool,
    }

    /// What the fake received.
    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
    pub struct FakeCounts {
        /// Requests of every kind, refused ones included.
        pub requests: u64,
        /// `POST /api/v1/statuses`.
        pub status_posts: u64,
        /// Of those, answered with an earlier status through the idempotency key.
        pub replayed: u64,
        /// `GET /api/v1/accounts/:id/statuses` (reconciliation).
        pub lookups: u64,
        /// Statuses created.
        pub statuses: u64,
        /// Requests refused (bad token, bad body, unknown path).
        pub refused: u64,
    }

    /// One status the fake holds.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub struct FakeStatus {
        /// Its id.
        pub id: String,
        /// The platform id of the account that posted it.
        pub account_id: String,
        /// The text as sent.
        pub text: String,
        /// Its public link.
        pub url: String,
        /// When it was created.
        pub created_at: Timestamp,
    }

    struct FakeAccount {
        id: String,
        username: String,
    }

    struct Inner {
        options: FakeOptions,
        base: String,
        /// By bearer token.
        accounts: HashMap<String, FakeAccount>,
        statuses: Vec<FakeStatus>,
        /// Indexes into `statuses`, per account id, oldest first.
        by_account: HashMap<String, Vec<usize>>,
        /// `(account id, idempotency key)` → index into `statuses`.
        keys: HashMap<(String, String), usize>,
        counts: FakeCounts,
    }

    type Shared = Arc<Mutex<Inner>>;

    fn lock(state: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
        // A panic elsewhere cannot leave the counters half-written: keep serving.
        state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A running fake; it stops when dropped.
    pub struct FakeMastodon {
        addr: SocketAddr,
        state: Shared,
        server: tokio::task::JoinHandle<()>,
    }

    impl Drop for FakeMastodon {
        fn drop(&mut self) {
            self.server.abort();
        }
    }

    impl FakeMastodon {
        /// Starts on a free loopback port, on the current tokio runtime.
        ///
        /// # Errors
        /// When no loopback port can be bound.
        pub async fn start(options: FakeOptions) -> std::io::Result<Self> {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?;
            let state = Arc::new(Mutex::new(Inner {
                options,
                base: format!("http://{addr}"),
                accounts: HashMap::new(),
                statuses: Vec::new(),
                by_account: HashMap::new(),
                keys: HashMap::new(),
                counts: FakeCounts::default(),
            }));
            let app = Router::new()
                .route("/api/v1/statuses", axum::routing::post(post_status))
                .route("/api/v1/statuses/{id}", axum::routing::get(one_status))
                .route(
                    "/api/v1/accounts/verify_credentials",
                    axum::routing::get(verify_credentials),
                )
                .route(
                    "/api/v1/accounts/{id}/statuses",
                    axum::routing::get(account_statuses),
                )
                .route("/api/v1/notifications", axum::routing::get(notifications))
                .fallback(not_found)
                .with_state(state.clone());
            let server = tokio::spawn(async move {
                if let Err(e) = axum::serve(listener, app).await {
                    tracing::warn!(error = %e, "the fake Mastodon instance stopped");
                }
            });
            Ok(Self {
                addr,
                state,
                server,
            })
        }

        /// Its address, `http://127.0.0.1:PORT`.
        #[must_use]
        pub fn base(&self) -> String {
            format!("http://{}", self.addr)
        }

        /// Adds an account with the platform id `id`, reached with `token`.
        pub fn add_account(&self, id: &str, token: &str, username: &str) {
            lock(&self.state).accounts.insert(
                token.to_owned(),
                FakeAccount {
                    id: id.to_owned(),
                    username: username.to_owned(),
                },
            );
        }

        /// What it received so far.
        #[must_use]
        pub fn counts(&self) -> FakeCounts {
            lock(&self.state).counts.clone()
        }

        /// Every status it holds, oldest first.
        #[must_use]
        pub fn statuses(&self) -> Vec<FakeStatus> {
            lock(&self.state).statuses.clone()
        }
    }

    fn error(status: StatusCode, message: &str) -> Response {
        (status, axum::Json(json!({ "error": message }))).into_response()
    }

    /// A refusal in Mastodon's error shape, kept small until it becomes a response.
    struct Refusal {
        status: StatusCode,
        message: &'static str,
    }

    impl IntoResponse for Refusal {
        fn into_response(self) -> Response {
            error(self.status, self.message)
        }
    }

    async fn not_found(State(state): State<Shared>) -> Response {
        let mut inner = lock(&state);
        inner.counts.requests += 1;
        inner.counts.refused += 1;
        error(StatusCode::NOT_FOUND, "Record not found")
    }

    /// The account id and username of the bearer token, or the 401 Mastodon answers.
    fn authorised(inner: &Inner, headers: &HeaderMap) -> Result<(String, String), Refusal> {
        headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .and_then(|token| inner.accounts.get(token))
            .map(|a| (a.id.clone(), a.username.clone()))
            .ok_or(Refusal {
                status: StatusCode::UNAUTHORIZED,
                message: "The access token is invalid",
            })
    }

    /// Counts the request and checks its token; the latency to wait before answering (that of
    /// a new status when `write`).
    fn arrive(
        state: &Shared,
        headers: &HeaderMap,
        write: bool,
        count: impl FnOnce(&mut FakeCounts),
    ) -> Result<((String, String), Duration), Refusal> {
        let mut inner = lock(state);
        inner.counts.requests += 1;
        count(&mut inner.counts);
        match authorised(&inner, headers) {
            Ok(who) => Ok((
                who,
                if write {
                    inner.options.latency
                } else {
                    inner.options.read_latency
                },
            )),
            Err(refusal) => {
                inner.counts.refused += 1;
                Err(refusal)
            }
        }
    }

    #[derive(Deserialize)]
    struct NewStatus {
        status: String,
    }

    async fn post_status(State(state): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
        let ((account_id, username), latency) =
            match arrive(&state, &headers, true, |c| c.status_posts += 1) {
                Ok(ok) => ok,
                Err(refusal) => return refusal.into_response(),
            };
        let Ok(new) = serde_json::from_slice::<NewStatus>(&body) else {
            lock(&state).counts.refused += 1;
            return error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Validation failed: Text can't be blank",
            );
        };
        let key = headers
            .get("idempotency-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let answer = {
            let mut inner = lock(&state);
            let earlier = key
                .as_ref()
                .filter(|_| inner.options.honour_idempotency_key)
                .and_then(|k| inner.keys.get(&(account_id.clone(), k.clone())).copied());
            let index = match earlier {
                Some(index) => {
                    inner.counts.replayed += 1;
                    index
                }
                None => create(&mut inner, &account_id, &username, &new.status, key),
            };
            status_json(&inner.base, &username, &inner.statuses[index])
        };
        tokio::time::sleep(latency).await;
        axum::Json(answer).into_response()
    }

    fn create(
        inner: &mut Inner,
        account_id: &str,
        username: &str,
        text: &str,
        key: Option<String>,
    ) -> usize {
        let index = inner.statuses.len();
        let id = (FIRST_ID + index as u64).to_string();
        inner.statuses.push(FakeStatus {
            url: format!("{}/@{username}/{id}", inner.base),
            id,
            account_id: account_id.to_owned(),
            text: text.to_owned(),
            created_at: Timestamp::now(),
        });
        inner
            .by_account
            .entry(account_id.to_owned())
            .or_default()
            .push(index);
        if let Some(key) = key {
            inner.keys.insert((account_id.to_owned(), key), index);
        }
        inner.counts.statuses += 1;
        index
    }

    /// `GET /api/v1/statuses/:id`, which the worker reads engagement with.
    async fn one_status(
        State(state): State<Shared>,
        Path(id): Path<String>,
        headers: HeaderMap,
    ) -> Response {
        let latency = match arrive(&state, &headers, false, |_| {}) {
            Ok((_, latency)) => latency,
            Err(refusal) => return refusal.into_response(),
        };
        let found = {
            let inner = lock(&state);
            inner.statuses.iter().find(|s| s.id == id).map(|s| {
                let username = inner
                    .accounts
                    .values()
                    .find(|a| a.id == s.account_id)
                    .map_or_else(String::new, |a| a.username.clone());
                status_json(&inner.base, &username, s)
            })
        };
        tokio::time::sleep(latency).await;
        match found {
            Some(status) => axum::Json(status).into_response(),
            None => Refusal {
                status: StatusCode::NOT_FOUND,
                message: "Record not found",
            }
            .into_response(),
        }
    }

    async fn verify_credentials(State(state): State<Shared>, headers: HeaderMap) -> Response {
        match arrive(&state, &headers, false, |_| {}) {
            Ok(((id, username), latency)) => {
                tokio::time::sleep(latency).await;
                axum::Json(json!({
                    "id": id, "username": username, "acct": username,
                    "display_name": username, "locked": false, "bot": false,
                }))
                .into_response()
            }
            Err(refusal) => refusal.into_response(),
        }
    }

    async fn notifications(State(state): State<Shared>, headers: HeaderMap) -> Response {
        match arrive(&state, &headers, false, |_| {}) {
            Ok((_, latency)) => {
                tokio::time::sleep(latency).await;
                axum::Json(json!([])).into_response()
            }
            Err(refusal) => refusal.into_response(),
        }
    }

    #[derive(Deserialize)]
    struct Window {
        limit: Option<String>,
        max_id: Option<String>,
        since_id: Option<String>,
        min_id: Option<String>,
    }

    async fn account_statuses(
        State(state): State<Shared>,
        Path(wanted): Path<String>,
        Query(window): Query<Window>,
        headers: HeaderMap,
    ) -> Response {
        let latency = match arrive(&state, &headers, false, |c| c.lookups += 1) {
            Ok((_, latency)) => latency,
            Err(refusal) => return refusal.into_response(),
        };
        // The page is what the instance holds when the request arrives; the latency is the
        // answer's way back (as for a new status, which exists before its answer leaves).
        let page = statuses_page(&lock(&state), &wanted, &window);
        tokio::time::sleep(latency).await;
        match page {
            Ok(page) => axum::Json(page).into_response(),
            Err(refusal) => refusal.into_response(),
        }
    }

    /// One page of an account's statuses, newest first.
    fn statuses_page(inner: &Inner, wanted: &str, window: &Window) -> Result<Value, Refusal> {
        let id = |v: &Option<String>| -> Result<Option<u64>, Refusal> {
            v.as_deref()
                .map(|s| {
                    s.parse::<u64>().map_err(|_| Refusal {
                        status: StatusCode::UNPROCESSABLE_ENTITY,
                        message: "Invalid id",
                    })
                })
                .transpose()
        };
        let max_id = id(&window.max_id)?;
        let since_id = id(&window.since_id)?;
        let min_id = id(&window.min_id)?;
        let limit = window
            .limit
            .as_deref()
            .and_then(|l| l.parse::<usize>().ok())
            .unwrap_or(20)
            .clamp(1, 40);
        let username = inner
            .accounts
            .values()
            .find(|a| a.id == wanted)
            .map(|a| a.username.clone())
            .ok_or(Refusal {
                status: StatusCode::NOT_FOUND,
                message: "Record not found",
            })?;
        let numeric = |s: &FakeStatus| s.id.parse::<u64>().unwrap_or(0);
        // Oldest first here; the answer is newest first.
        let matching: Vec<&FakeStatus> = inner
            .by_account
            .get(wanted)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter_map(|i| inner.statuses.get(*i))
            .filter(|s| max_id.is_none_or(|m| numeric(s) < m))
            .filter(|s| since_id.is_none_or(|m| numeric(s) > m))
            .filter(|s| min_id.is_none_or(|m| numeric(s) > m))
            .collect();
        let json = |s: &&FakeStatus| status_json(&inner.base, &username, s);
        let page: Vec<Value> = if min_id.is_some() {
            matching.iter().take(limit).rev().map(json).collect()
        } else {
            matching.iter().rev().take(limit).map(json).collect()
        };
        Ok(Value::Array(page))
    }

    /// A status as Mastodon's API shows it.
    fn status_json(base: &str, username: &str, s: &FakeStatus) -> Value {
        let account = json!({
            "id": s.account_id, "username": username, "acct": username,
            "display_name": username, "url": format!("{base}/@{username}"),
        });
        json!({
            "id": s.id,
            "created_at": s.created_at.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
            "in_reply_to_id": null,
            "in_reply_to_account_id": null,
            "sensitive": false,
            "spoiler_text": "",
            "visibility": "public",
            "language": "id",
            "uri": format!("{base}/users/{username}/statuses/{}", s.id),
            "url": s.url,
            "replies_count": 0,
            "reblogs_count": 0,
            "favourites_count": 0,
            "content": content_html(&s.text),
            "reblog": null,
            "account": account,
            "media_attachments": [],
            "mentions": [],
            "tags": [],
        })
    }

    /// Text as Mastodon's sanitised HTML: a paragraph per blank-line block, `<br />` for a
    /// line break, HTML characters escaped.
    #[must_use]
    pub fn content_html(text: &str) -> String {
        let escape = |s: &str| {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&#39;")
        };
        text.split("\n\n")
            .filter(|p| !p.trim().is_empty())
            .map(|p| {
                let lines: Vec<String> = p.lines().map(escape).collect();
                format!("<p>{}</p>", lines.join("<br />"))
            })
            .collect()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn content_reads_back_as_the_text() {
            let text = "Jadwal <posyandu> & \"imunisasi\"\nhari Sabtu\n\nBawa buku KIA";
            let html = content_html(text);
            assert_eq!(
                html,
                "<p>Jadwal &lt;posyandu&gt; &amp; &quot;imunisasi&quot;<br />hari Sabtu</p>\
                 <p>Bawa buku KIA</p>"
            );
            assert_eq!(
                humas_connectors::mastodon::html_to_text(&html),
                "Jadwal <posyandu> & \"imunisasi\"\nhari Sabtu\n\nBawa buku KIA"
            );
        }
    }
}
