//! How fast the SQLite store takes messages, and how fast it serves inbox pages afterwards.
//!
//! ```text
//! cargo run --release -p humas-store-sqlite --example ingest_speed -- [N] [--pages] [--db PATH]
//! ```
//!
//! Inserts `N` generated messages (default 200,000) in batches of 1,000 through
//! `Store::ingest_messages` (FTS index, audit entry and cursor included) and prints messages per
//! second and the batch times. With `--pages` it then times typical inbox pages (filters,
//! search, deadlines, keyset pages) and prints their median and p95. `--db PATH` keeps the
//! database at PATH instead of a temporary directory; with `N` = 0 an existing database is only
//! queried.
//!
//! The generated text is synthetic: search terms are drawn from a 5,000-word vocabulary with a
//! Zipf-like skew, so common words match many messages, as in real inboxes.

#![expect(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a benchmark program: it prints its results and stops on the first failure"
)]

use std::time::{Duration, Instant};

use humas_domain::inbox::{
    Author, Category, ExternalId, Flags, HateCategory, Inbound, Message, MessageAnalysis,
    MessageKind, PiiKind, Sentiment, Status, Workflow,
};
use humas_domain::{
    Account, AccountHandle, AccountId, AccountStatus, MessageId, Opd, OpdId, OpdKind, OpdName,
    Platform, Slug,
};
use humas_store::{AuditActor, Cursor, DeadlineFilter, MessageQuery, Store};
use humas_store_sqlite::SqliteStore;
use jiff::{SignedDuration, Timestamp};

const BATCH: usize = 1_000;
/// When the first generated message was published; each next one 3 s later.
const START: &str = "2026-01-01T00:00:00Z";
const VOCABULARY: u64 = 5_000;
const OPDS: usize = 20;

/// xorshift64*: deterministic and dependency-free; quality is irrelevant here.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// A word index skewed towards small numbers (roughly Zipf).
    fn word(&mut self) -> u64 {
        let a = self.below(VOCABULARY) + 1;
        let b = self.below(a) + 1;
        self.below(b)
    }
}

/// A pronounceable pseudo-word for index `i`, `[a-z]` only, unique per index.
fn word(i: u64) -> String {
    const SYLLABLES: [&str; 20] = [
        "ba", "ka", "ma", "ri", "tu", "lo", "se", "ja", "na", "pu", "di", "go", "ha", "we", "yo",
        "ce", "fi", "zu", "sa", "le",
    ];
    let mut n = i;
    let mut w = String::new();
    loop {
        let idx = usize::try_from(n % 20).unwrap();
        w.push_str(SYLLABLES[idx]);
        n /= 20;
        if n == 0 {
            break;
        }
    }
    w
}

struct Setup {
    accounts: Vec<Account>,
    by: AuditActor,
}

async fn setup(store: &SqliteStore) -> Setup {
    let by = AuditActor::system();
    let mut accounts = Vec::new();
    let existing = store.list_accounts(None).await.unwrap();
    if !existing.is_empty() {
        return Setup {
            accounts: existing,
            by,
        };
    }
    for i in 0..OPDS {
        let opd = Opd {
            id: OpdId::generate(),
            slug: Slug::parse(&format!("opd-{i}")).unwrap(),
            name: OpdName::parse(&format!("Dinas Uji {i}")).unwrap(),
            kind: OpdKind::Dinas,
            parent: None,
        };
        store.create_opd(&by, &opd).await.unwrap();
        let account = Account {
            id: AccountId::generate(),
            opd: opd.id,
            platform: Platform::ALL[i % Platform::ALL.len()],
            handle: AccountHandle::parse(&format!("@akun_uji_{i}")).unwrap(),
            api_base_url: None,
            status: AccountStatus::Active,
        };
        store.create_account(&by, &account).await.unwrap();
        accounts.push(account);
    }
    Setup { accounts, by }
}

fn generate(rng: &mut Rng, account: &Account, seq: u64, start: Timestamp) -> Message {
    let terms: Vec<String> = (0..8 + rng.below(10)).map(|_| word(rng.word())).collect();
    let published = start + SignedDuration::from_secs(i64::try_from(seq).unwrap() * 3);
    let negative = rng.chance(35);
    let hate = rng.chance(3);
    let actionable = rng.chance(40);
    let due = |days: i64| published + SignedDuration::from_hours(24 * days);
    let workflow = Workflow {
        status: [
            Status::New,
            Status::Assigned,
            Status::Replied,
            Status::Closed,
        ][usize::try_from(rng.below(4)).unwrap()],
        assignee: None,
        category: None,
        suggested_category: actionable.then_some(Category::Complaint),
        first_response_due: actionable.then(|| due(3)),
        resolution_due: actionable.then(|| due(7)),
        first_response_at: None,
        resolved_at: None,
    };
    Message {
        id: MessageId::generate(),
        account: account.id,
        opd: account.opd,
        routed_by: None,
        inbound: Inbound {
            platform: account.platform,
            external_id: ExternalId::parse(&format!("msg-{seq}")).unwrap(),
            kind: MessageKind::Comment,
            author: Author::parse(&format!("@warga_{}", rng.below(50_000)), Some("Warga")).unwrap(),
            text: terms.join(" "),
            title: None,
            permalink: Some(format!("https://example.id/p/{seq}")),
            parent_external_id: None,
            thread_external_id: Some(ExternalId::parse(&format!("post-{}", seq / 50)).unwrap()),
            published_at: published,
        },
        author_key: format!("{:016x}", rng.next()),
        received_at: published,
        erased_at: None,
        analysis: MessageAnalysis {
            sentiment: Some(if negative {
                Sentiment::Negative
            } else if rng.chance(50) {
                Sentiment::Neutral
            } else {
                Sentiment::Positive
            }),
            sentiment_score: 0.8,
            abusive: rng.chance(8),
            abusive_score: 0.1,
            hate_speech: hate,
            hate_score: if hate { 0.9 } else { 0.05 },
            hate_target: None,
            hate_categories: if hate {
                Flags::EMPTY.with(usize::try_from(rng.below(5)).unwrap())
            } else {
                Flags::EMPTY
            },
            hate_strength: None,
            threat: false,
            pii: if rng.chance(2) {
                Flags::EMPTY.with(PiiKind::Phone.index())
            } else {
                Flags::EMPTY
            },
            fingerprint: rng.next(),
            search_terms: terms.join(" "),
        },
        workflow,
    }
}

/// CPU time of the whole process so far (all threads), from `/proc/self/stat`; zero where
/// that file does not exist. Wall time on a shared machine says little; CPU time is stable.
fn cpu_time() -> Duration {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return Duration::ZERO;
    };
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // utime and stime are fields 14 and 15 of the file, indexes 11 and 12 after the name; the
    // clock tick is 100 Hz on Linux.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    sorted[(sorted.len() - 1) * p / 100]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1_000.0
}

async fn ingest(store: &SqliteStore, setup: &Setup, n: u64) {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let empty = store
        .list_messages(&MessageQuery {
            limit: 1,
            ..MessageQuery::default()
        })
        .await
        .unwrap()
        .is_empty();
    assert!(
        empty,
        "the database already holds messages: give a new --db path, or N = 0 to time pages only"
    );
    let start: Timestamp = START.parse().unwrap();
    let mut batch_times = Vec::new();
    let cpu_before = cpu_time();
    let mut generating = Duration::ZERO;
    let mut total = Duration::ZERO;
    let mut seq = 0_u64;
    let mut done = 0_u64;
    while done < n {
        let size = usize::try_from((n - done).min(BATCH as u64)).unwrap();
        let g = Instant::now();
        let batch: Vec<Message> = (0..size)
            .map(|i| {
                let account = &setup.accounts[(usize::try_from(seq).unwrap() + i) % OPDS];
                generate(&mut rng, account, seq + i as u64, start)
            })
            .collect();
        generating += g.elapsed();
        let cursor = Cursor {
            account: setup.accounts[0].id,
            key: "since_id".into(),
            value: format!("msg-{}", seq + size as u64),
        };
        let t = Instant::now();
        let out = store
            .ingest_messages(&setup.by, &batch, Some(&cursor))
            .await
            .unwrap();
        let took = t.elapsed();
        assert_eq!(out.inserted.len(), size);
        batch_times.push(took);
        total += took;
        seq += size as u64;
        done += size as u64;
    }
    let cpu = cpu_time()
        .saturating_sub(cpu_before)
        .saturating_sub(generating);
    batch_times.sort();
    println!(
        "CPU time of the store (all threads, generation subtracted): {:.1} µs per message, i.e. {:.0} messages per CPU-second",
        cpu.as_secs_f64() * 1e6 / n as f64,
        n as f64 / cpu.as_secs_f64()
    );
    println!(
        "ingested {n} messages in {:.2} s (store only): {:.0} messages/s",
        total.as_secs_f64(),
        n as f64 / total.as_secs_f64()
    );
    println!(
        "batch of {BATCH}: median {:.1} ms, p95 {:.1} ms, max {:.1} ms (generating the data took {:.2} s, not counted)",
        ms(percentile(&batch_times, 50)),
        ms(percentile(&batch_times, 95)),
        ms(percentile(&batch_times, 100)),
        generating.as_secs_f64()
    );
}

async fn time_query(store: &SqliteStore, name: &str, queries: &[MessageQuery]) {
    let mut times = Vec::new();
    let mut rows = 0;
    for q in queries {
        let t = Instant::now();
        rows += store.list_messages(q).await.unwrap().len();
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "{name:<44} median {:>6.2} ms  p95 {:>6.2} ms  max {:>6.2} ms  ({:.0} rows/page)",
        ms(percentile(&times, 50)),
        ms(percentile(&times, 95)),
        ms(percentile(&times, 100)),
        rows as f64 / queries.len() as f64
    );
}

async fn pages(store: &SqliteStore, setup: &Setup) {
    const RUNS: u64 = 40;
    let mut rng = Rng(7);
    let q = MessageQuery::default;
    let opd = |i: u64| setup.accounts[usize::try_from(i).unwrap() % OPDS].opd;
    let newest = store.list_messages(&q()).await.unwrap();
    let latest = newest
        .first()
        .map_or_else(Timestamp::now, |m| m.inbound.published_at);
    let start: Timestamp = START.parse().unwrap();
    let span_hours = u64::try_from((latest.as_second() - start.as_second()) / 3_600)
        .unwrap_or(1)
        .max(1);
    let spread = |rng: &mut Rng| {
        latest - SignedDuration::from_hours(i64::try_from(rng.below(span_hours)).unwrap())
    };
    // Deadlines are judged at the present: within a day after the newest message.
    let present = |rng: &mut Rng| {
        latest + SignedDuration::from_mins(i64::try_from(rng.below(24 * 60)).unwrap())
    };
    let mut run = |make: &dyn Fn(&mut Rng) -> MessageQuery| -> Vec<MessageQuery> {
        (0..RUNS).map(|_| make(&mut rng)).collect()
    };

    let sets: Vec<(&str, Vec<MessageQuery>)> = vec![
        ("newest, all OPDs", run(&|_| q())),
        (
            "one OPD",
            run(&|r| MessageQuery {
                opds: Some(vec![opd(r.below(20))]),
                ..q()
            }),
        ),
        (
            "three OPDs, negative, new",
            run(&|r| MessageQuery {
                opds: Some(vec![opd(r.below(20)), opd(r.below(20)), opd(r.below(20))]),
                sentiment: Some(Sentiment::Negative),
                status: Some(Status::New),
                ..q()
            }),
        ),
        (
            "hate speech, religion",
            run(&|_| MessageQuery {
                hate_category: Some(HateCategory::Religion),
                ..q()
            }),
        ),
        (
            "personal data, one OPD",
            run(&|r| MessageQuery {
                has_pii: Some(true),
                opds: Some(vec![opd(r.below(20))]),
                ..q()
            }),
        ),
        (
            "category complaint, unassigned",
            run(&|_| MessageQuery {
                category: Some(Category::Complaint),
                assignee: humas_store::AssigneeFilter::Nobody,
                ..q()
            }),
        ),
        (
            "overdue",
            run(&|r| MessageQuery {
                deadline: Some(DeadlineFilter::Overdue { now: present(r) }),
                ..q()
            }),
        ),
        (
            "due within a day",
            run(&|r| {
                let now = present(r);
                MessageQuery {
                    deadline: Some(DeadlineFilter::DueBefore {
                        now,
                        until: now + SignedDuration::from_hours(24),
                    }),
                    ..q()
                }
            }),
        ),
        (
            "search: one common word",
            run(&|r| MessageQuery {
                terms: vec![word(r.below(5))],
                ..q()
            }),
        ),
        (
            "search: one mid-frequency word",
            run(&|r| MessageQuery {
                terms: vec![word(50 + r.below(200))],
                ..q()
            }),
        ),
        (
            "search: one rare word",
            run(&|r| MessageQuery {
                terms: vec![word(3_000 + r.below(1_999))],
                ..q()
            }),
        ),
        (
            "search: two common words",
            run(&|r| MessageQuery {
                terms: vec![word(r.below(10)), word(10 + r.below(40))],
                ..q()
            }),
        ),
        (
            "search + one OPD + negative",
            run(&|r| MessageQuery {
                terms: vec![word(r.below(30))],
                opds: Some(vec![opd(r.below(20))]),
                sentiment: Some(Sentiment::Negative),
                ..q()
            }),
        ),
        (
            "deep page (before a random time)",
            run(&|r| MessageQuery {
                before: Some((spread(r), MessageId::generate())),
                ..q()
            }),
        ),
        (
            "deep page, one OPD, window",
            run(&|r| {
                let to = spread(r);
                MessageQuery {
                    opds: Some(vec![opd(r.below(20))]),
                    published_from: Some(to - SignedDuration::from_hours(24 * 7)),
                    published_to: Some(to),
                    ..q()
                }
            }),
        ),
    ];
    for (name, queries) in &sets {
        time_query(store, name, queries).await;
    }
}

#[tokio::main]
async fn main() {
    let mut n: u64 = 200_000;
    let mut with_pages = false;
    let mut db: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--pages" => with_pages = true,
            "--db" => db = args.next(),
            other => n = other.replace('_', "").parse().expect("N must be a number"),
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = db.unwrap_or_else(|| dir.path().join("bench.db").display().to_string());
    let store = SqliteStore::connect(&path).await.unwrap();
    store.migrate().await.unwrap();
    let setup = setup(&store).await;
    if n > 0 {
        ingest(&store, &setup, n).await;
    }
    if with_pages {
        pages(&store, &setup).await;
    }
    store.close().await;
}
