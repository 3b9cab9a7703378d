//! `humas bench ingest` and `humas bench inbox`: the inbox's speed bars, measured on the
//! configured database (SQLite by default, PostgreSQL with `--database-url`). `humas bench
//! publish` (the publisher's bar) lives in [`crate::bench_publish`].
//!
//! Ingest runs the real pipeline — generate → analyse → route → schedule → store → index — in
//! two overlapping stages (the next batch is analysed while the previous one is stored), as the
//! import command does. It then measures the raw ceiling: the same kind of rows, already
//! prepared, stored with nothing else to do, so ingest can be reported as a fraction of it.

use std::io::Write as _;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use humas_app::App;
use humas_app::inbox::InboxFilter;
use humas_domain::inbox::{Author, ExternalId, Inbound, Message, MessageKind};
use humas_domain::{
    Account, AccountHandle, AccountId, AccountStatus, Opd, OpdId, OpdKind, OpdName, Platform, Slug,
};
use humas_nlp_id::corpus;
use humas_store::AuditActor;
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use tokio::sync::mpsc;

use crate::cli::BenchCommand;
use crate::store::OpenStore;

/// OPDs (and one X account each) the generated messages are spread over.
const BENCH_OPDS: usize = 8;

/// Batches being stored at the same time (each its own transaction).
const WRITERS: usize = 2;

/// Batches kept for the raw-ceiling measurement (memory stays bounded).
const CEILING_BATCHES: usize = 50;

/// Runs a benchmark command.
///
/// # Errors
/// Database errors.
pub async fn run(app: &App, store: &OpenStore, cmd: BenchCommand) -> anyhow::Result<ExitCode> {
    let _ = store;
    match cmd {
        BenchCommand::Ingest {
            messages,
            batch,
            arrival,
            json,
        } => {
            let r = ingest(app, messages, batch.clamp(1, 10_000), arrival).await?;
            print(&r, json, &r.text())?;
        }
        BenchCommand::Inbox { pages, json } => {
            let r = inbox(app, pages.max(1)).await?;
            print(&r, json, &r.text())?;
        }
        BenchCommand::Publish {
            posts,
            accounts,
            workers,
            latency_ms,
            lead_seconds,
            timeout_seconds,
            json,
        } => {
            let options = crate::bench_publish::PublishOptions {
                posts: posts.max(1),
                accounts: accounts.max(1),
                workers: workers.max(1),
                latency: Duration::from_millis(latency_ms),
                lead_seconds,
                timeout: Duration::from_secs(timeout_seconds),
            };
            return crate::bench_publish::command(app, &options, json).await;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Writes a result as JSON or as its text.
pub(crate) fn print<T: Serialize>(value: &T, json: bool, text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string(value)?)?;
    } else {
        write!(out, "{text}")?;
    }
    Ok(())
}

/// What `bench ingest` measured.
#[derive(Debug, Serialize)]
pub struct IngestResult {
    /// `sqlite` or `postgresql`.
    pub backend: &'static str,
    /// In what order the messages arrived.
    pub arrival: Arrival,
    /// Messages pushed through.
    pub messages: usize,
    /// Of which stored as new.
    pub inserted: usize,
    /// Messages per batch.
    pub batch: usize,
    /// Wall time, seconds.
    pub seconds: f64,
    /// End-to-end messages per second.
    pub per_second: f64,
    /// Bare batched inserts of prepared rows, messages per second.
    pub ceiling_per_second: f64,
    /// `per_second / ceiling_per_second`.
    pub fraction_of_ceiling: f64,
    /// Peak resident memory of the process, MiB (Linux `VmHWM`).
    pub peak_rss_mib: Option<f64>,
}

impl IngestResult {
    fn text(&self) -> String {
        format!(
            "backend            {}\narrival            {:?}\nmessages           {} ({} new), batches of {}\ntime               {:.1} s\ningest             {:.0} messages/s\nraw insert ceiling {:.0} messages/s\ningest / ceiling   {:.0} %\npeak memory        {}\n",
            self.backend,
            self.arrival,
            self.messages,
            self.inserted,
            self.batch,
            self.seconds,
            self.per_second,
            self.ceiling_per_second,
            self.fraction_of_ceiling * 100.0,
            self.peak_rss_mib
                .map_or_else(|| "unknown".to_owned(), |m| format!("{m:.0} MiB")),
        )
    }
}

/// Peak resident set size from `/proc/self/status`.
#[must_use]
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Makes (or finds) the bench OPDs and their accounts.
async fn bench_accounts(app: &App) -> anyhow::Result<Vec<Account>> {
    let store = app.store();
    let by = AuditActor::cli();
    let mut accounts = Vec::new();
    for i in 0..BENCH_OPDS {
        let slug = Slug::parse(&format!("bench-{i}"))?;
        let opd = match store.opd_by_slug(&slug).await {
            Ok(o) => o,
            Err(_) => {
                let o = Opd {
                    id: OpdId::generate(),
                    slug,
                    name: OpdName::parse(&format!("OPD uji kecepatan {i}"))?,
                    kind: OpdKind::Dinas,
                    parent: None,
                };
                store.create_opd(&by, &o).await?;
                o
            }
        };
        let handle = AccountHandle::parse(&format!("@bench_{i}"))?;
        let existing = store
            .list_accounts(Some(opd.id))
            .await?
            .into_iter()
            .find(|a| a.handle == handle);
        let account = match existing {
            Some(a) => a,
            None => {
                let a = Account {
                    id: AccountId::generate(),
                    opd: opd.id,
                    platform: Platform::X,
                    handle,
                    api_base_url: None,
                    status: AccountStatus::Paused,
                };
                store.create_account(&by, &a).await?;
                a
            }
        };
        accounts.push(account);
    }
    Ok(accounts)
}

/// In what order generated messages arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Arrival {
    /// Roughly in publication order, as polling and webhooks deliver them: each message was
    /// published up to 15 minutes before the one after it would suggest, and answers a post of
    /// the last few days. Indexes keyed by time mostly grow at their end.
    Live,
    /// Every batch spread over all 90 days, each reply to any of 5,000 posts: the worst case,
    /// like an unsorted import of old history. Every index takes rows all over.
    Scattered,
}

/// The span of publication times the generated messages cover.
const SPAN_SECONDS: i64 = 90 * 86_400;

/// Posts the scattered messages answer; live messages answer one of the `LIVE_THREADS` newest.
const SCATTERED_THREADS: usize = 5_000;
const LIVE_THREADS: usize = 40;

/// A cheap, fixed mix of `n` (splitmix64's finaliser) for jitter that repeats between runs.
fn mix(n: usize) -> u64 {
    let mut z = (n as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// When message `n` of `total` was published (seconds before `now`) and which post it answers.
fn placement(arrival: Arrival, n: usize, total: usize) -> (i64, usize) {
    match arrival {
        Arrival::Scattered => (
            ((n * 7_919) % SPAN_SECONDS as usize) as i64,
            n % SCATTERED_THREADS,
        ),
        Arrival::Live => {
            let total = total.max(1) as i64;
            let step = SPAN_SECONDS as f64 / total as f64;
            let on_time = SPAN_SECONDS - (n as f64 * step) as i64;
            let late = (mix(n) % 900) as i64;
            // About one new post per 200 messages; a comment answers one of the newest.
            let newest = n / 200;
            let thread = newest.saturating_sub((mix(n) >> 20) as usize % LIVE_THREADS);
            ((on_time + late).clamp(0, SPAN_SECONDS), thread)
        }
    }
}

/// One generated batch: corpus texts as mentions with unique ids from `run`.
fn generated_batch(
    run: &str,
    arrival: Arrival,
    start: usize,
    count: usize,
    total: usize,
    now: Timestamp,
) -> Vec<Inbound> {
    let texts = corpus::generate(count, corpus::DEFAULT_SEED ^ (start as u64));
    texts
        .into_iter()
        .enumerate()
        .filter_map(|(i, text)| {
            let n = start + i;
            let (ago, thread) = placement(arrival, n, total);
            Some(Inbound {
                platform: Platform::X,
                external_id: ExternalId::parse(&format!("{run}-{n}")).ok()?,
                kind: MessageKind::Mention,
                author: Author::parse(&format!("@warga{}", n % 50_000), None).ok()?,
                text,
                title: None,
                permalink: None,
                parent_external_id: None,
                thread_external_id: Some(ExternalId::parse(&format!("{run}-post-{thread}")).ok()?),
                // Over the last 90 days so date filters and pages have work to do.
                published_at: now - SignedDuration::from_secs(ago),
            })
        })
        .collect()
}

async fn ingest(
    app: &App,
    total: usize,
    batch: usize,
    arrival: Arrival,
) -> anyhow::Result<IngestResult> {
    let accounts = bench_accounts(app).await?;
    let run = format!("b{}", Timestamp::now().as_millisecond());
    let now = app.clock().now();
    let (tx, mut rx) = mpsc::channel::<Vec<Message>>(2);
    let producer = {
        let app = app.clone();
        let accounts = accounts.clone();
        let run = run.clone();
        tokio::spawn(async move {
            let mut start = 0;
            let mut i = 0;
            while start < total {
                let count = batch.min(total - start);
                let inbound = generated_batch(&run, arrival, start, count, total, now);
                let account = &accounts[i % accounts.len()];
                let prepared = app.prepare_messages(account, inbound).await?;
                if tx.send(prepared).await.is_err() {
                    break;
                }
                start += count;
                i += 1;
            }
            anyhow::Ok(())
        })
    };
    let by = AuditActor::cli();
    let started = Instant::now();
    let mut inserted = 0;
    let mut kept: Vec<Vec<Message>> = Vec::new();
    // Two batches are stored at once, each in its own transaction, as two connectors' batches
    // are in `serve`: on PostgreSQL one batch's commit (the WAL flush) and index work overlap
    // the other's; SQLite's single writer connection takes them one after the other.
    let mut storing = tokio::task::JoinSet::new();
    while let Some(messages) = rx.recv().await {
        if storing.len() >= WRITERS
            && let Some(done) = storing.join_next().await
        {
            inserted += done.context("a store task stopped")??;
        }
        if kept.len() < CEILING_BATCHES {
            kept.push(messages.clone());
        }
        let app = app.clone();
        let by = by.clone();
        storing.spawn(async move {
            let r = app.store_prepared(&by, &messages, None).await?;
            anyhow::Ok(r.inserted.len())
        });
    }
    while let Some(done) = storing.join_next().await {
        inserted += done.context("a store task stopped")??;
    }
    producer.await.context("the generator stopped")??;
    let elapsed = started.elapsed();
    let ceiling = raw_ceiling(app, kept).await?;
    let per_second = total as f64 / elapsed.as_secs_f64().max(1e-9);
    Ok(IngestResult {
        backend: app.store().backend_name(),
        arrival,
        messages: total,
        inserted,
        batch,
        seconds: elapsed.as_secs_f64(),
        per_second,
        ceiling_per_second: ceiling,
        fraction_of_ceiling: if ceiling > 0.0 {
            per_second / ceiling
        } else {
            0.0
        },
        peak_rss_mib: peak_rss_mib(),
    })
}

/// Stores already-prepared rows again under new ids: the store's own speed, nothing else
/// (with the same number of writers as ingest).
async fn raw_ceiling(app: &App, batches: Vec<Vec<Message>>) -> anyhow::Result<f64> {
    let by = AuditActor::cli();
    let mut count = 0;
    let mut prepared = Vec::with_capacity(batches.len());
    for mut messages in batches {
        for m in &mut messages {
            m.id = humas_domain::MessageId::generate();
            m.inbound.external_id = ExternalId::parse(&format!("raw-{}", m.id))?;
        }
        count += messages.len();
        prepared.push(messages);
    }
    let started = Instant::now();
    let mut storing = tokio::task::JoinSet::new();
    for messages in prepared {
        if storing.len() >= WRITERS
            && let Some(done) = storing.join_next().await
        {
            done.context("a store task stopped")??;
        }
        let app = app.clone();
        let by = by.clone();
        storing.spawn(async move {
            app.store_prepared(&by, &messages, None).await?;
            anyhow::Ok(())
        });
    }
    while let Some(done) = storing.join_next().await {
        done.context("a store task stopped")??;
    }
    let spent = started.elapsed();
    Ok(if spent.is_zero() {
        0.0
    } else {
        count as f64 / spent.as_secs_f64()
    })
}

/// What `bench inbox` measured, per kind of page.
#[derive(Debug, Serialize)]
pub struct InboxResult {
    /// `sqlite` or `postgresql`.
    pub backend: &'static str,
    /// One row per filter set.
    pub rows: Vec<InboxRow>,
}

/// Latencies of one filter set.
#[derive(Debug, Serialize)]
pub struct InboxRow {
    /// What was asked.
    pub filter: &'static str,
    /// Pages asked.
    pub pages: usize,
    /// Median, ms.
    pub p50_ms: f64,
    /// 95th percentile, ms.
    pub p95_ms: f64,
    /// Worst, ms.
    pub max_ms: f64,
}

impl InboxResult {
    fn text(&self) -> String {
        let mut out = format!(
            "backend {}\n{:<34} {:>6} {:>8} {:>8} {:>8}\n",
            self.backend, "filter", "pages", "p50 ms", "p95 ms", "max ms"
        );
        for r in &self.rows {
            out.push_str(&format!(
                "{:<34} {:>6} {:>8.1} {:>8.1} {:>8.1}\n",
                r.filter, r.pages, r.p50_ms, r.p95_ms, r.max_ms
            ));
        }
        out
    }
}

fn filters() -> Vec<(&'static str, InboxFilter)> {
    let f = |set: &dyn Fn(&mut InboxFilter)| {
        let mut x = InboxFilter::default();
        set(&mut x);
        x
    };
    vec![
        ("newest (no filter)", InboxFilter::default()),
        ("open", f(&|x| x.status = Some("open".into()))),
        ("negative", f(&|x| x.sentiment = Some("negative".into()))),
        ("abusive", f(&|x| x.abusive = Some("yes".into()))),
        ("hate speech", f(&|x| x.hate = Some("any".into()))),
        ("personal data", f(&|x| x.pii = Some("yes".into()))),
        ("complaints", f(&|x| x.category = Some("complaint".into()))),
        ("overdue", f(&|x| x.deadline = Some("overdue".into()))),
        ("search: jalan", f(&|x| x.q = Some("jalan".into()))),
        (
            "search: pelayanan lambat",
            f(&|x| x.q = Some("pelayanan lambat".into())),
        ),
        (
            "abusive + negative + search",
            f(&|x| {
                x.abusive = Some("yes".into());
                x.sentiment = Some("negative".into());
                x.q = Some("jalan".into());
            }),
        ),
        (
            "last 7 days, open",
            f(&|x| {
                x.status = Some("open".into());
                x.from = Some(
                    (Timestamp::now() - SignedDuration::from_hours(24 * 7))
                        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)))
                        .date()
                        .to_string(),
                );
            }),
        ),
    ]
}

async fn inbox(app: &App, pages: usize) -> anyhow::Result<InboxResult> {
    let actor = App::cli_actor();
    let mut rows = Vec::new();
    for (name, filter) in filters() {
        let mut times = Vec::with_capacity(pages);
        let mut f = filter.clone();
        for _ in 0..pages {
            let t = Instant::now();
            let page = app.inbox(&actor, &f).await?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            // Walk a few pages deep, then start again from the top.
            f.before = match page.next {
                Some(next) if times.len() % 10 != 0 => Some(next),
                _ => None,
            };
        }
        times.sort_by(f64::total_cmp);
        let pick = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
        rows.push(InboxRow {
            filter: name,
            pages,
            p50_ms: pick(0.5),
            p95_ms: pick(0.95),
            max_ms: pick(1.0),
        });
    }
    Ok(InboxResult {
        backend: app.store().backend_name(),
        rows,
    })
}
