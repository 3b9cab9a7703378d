//! How fast the PostgreSQL store ingests messages, and how fast it then serves inbox pages.
//!
//! ```text
//! cargo run --release -p humas-store-postgres --example ingest_speed -- [N] [--queries] [--keep]
//! ```
//!
//! Creates a throwaway database (see `humas_store_postgres::testing`), stores `N` generated
//! messages (default 100,000) in batches of 1,000 through `Store::ingest_messages`, and prints
//! messages per second. With `--queries` it then times `Store::list_messages` for a set of
//! inbox pages (filters, search, deep keyset pages) and prints p50/p95 per kind and overall.
//! `--keep` leaves the database for `EXPLAIN`. The analysis is not part of this figure: the
//! messages arrive already analysed, so this is the storage share of the end-to-end budget.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::{Duration, Instant};

use humas_domain::inbox::{
    Author, Category, ExternalId, Flags, HateCategory, Inbound, Message, MessageAnalysis,
    MessageKind, Sentiment, Status, Workflow,
};
use humas_domain::{
    Account, AccountHandle, AccountId, AccountStatus, MessageId, Opd, OpdId, OpdKind, OpdName,
    Platform, Slug, UserId,
};
use humas_store::{AssigneeFilter, AuditActor, DeadlineFilter, MessageQuery, Store};
use humas_store_postgres::PgStore;
use humas_store_postgres::testing::TestDatabase;
use jiff::{SignedDuration, Timestamp};

const BATCH: usize = 1_000;
const OPDS: usize = 12;
const ACCOUNTS_PER_OPD: usize = 3;
const OPERATORS: usize = 40;
const VOCABULARY: usize = 20_000;

/// A small deterministic generator (xorshift64*), so every run stores the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap()
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    /// Word ranks skewed towards the front, like word frequencies in real text.
    fn word(&mut self) -> usize {
        let a = self.below(VOCABULARY);
        let b = self.below(VOCABULARY);
        a.min(b).min(self.below(VOCABULARY))
    }
}

/// The `i`-th word of the made-up vocabulary: lowercase letters and digits only.
fn word(i: usize) -> String {
    const SYLLABLES: [&str; 16] = [
        "ba", "ka", "ja", "la", "ma", "na", "pa", "ra", "sa", "ta", "wi", "du", "go", "ri", "se",
        "tu",
    ];
    let mut out = String::new();
    let mut n = i + 16;
    while n > 0 {
        out.push_str(SYLLABLES[n % 16]);
        n /= 16;
    }
    out
}

struct Setup {
    opds: Vec<OpdId>,
    accounts: Vec<Account>,
    operators: Vec<UserId>,
}

async fn setup(store: &PgStore, by: &AuditActor) -> Setup {
    let mut opds = Vec::new();
    let mut accounts = Vec::new();
    let platforms = [Platform::X, Platform::Instagram, Platform::Facebook];
    for o in 0..OPDS {
        let opd = Opd {
            id: OpdId::generate(),
            slug: Slug::parse(&format!("opd-{o}")).unwrap(),
            name: OpdName::parse(&format!("Dinas {o}")).unwrap(),
            kind: OpdKind::Dinas,
            parent: None,
        };
        store.create_opd(by, &opd).await.unwrap();
        for (a, platform) in platforms.iter().enumerate().take(ACCOUNTS_PER_OPD) {
            let account = Account {
                id: AccountId::generate(),
                opd: opd.id,
                platform: *platform,
                handle: AccountHandle::parse(&format!("@opd{o}x{a}")).unwrap(),
                api_base_url: None,
                status: AccountStatus::Active,
            };
            store.create_account(by, &account).await.unwrap();
            accounts.push(account);
        }
        opds.push(opd.id);
    }
    Setup {
        opds,
        accounts,
        operators: (0..OPERATORS).map(|_| UserId::generate()).collect(),
    }
}

/// Message `i` of `n`, published in the year from `start`.
fn message(i: usize, n: usize, rng: &mut Rng, s: &Setup, start: Timestamp) -> Message {
    let account = &s.accounts[rng.below(s.accounts.len())];
    let words: Vec<String> = (0..8 + rng.below(20)).map(|_| word(rng.word())).collect();
    let text = words.join(" ");
    // Messages arrive roughly in the order they were written: a year spread over `n`, each
    // up to six hours late.
    let step = 365 * 86_400 * 1_000 / i64::try_from(n).unwrap();
    let late = i64::try_from(rng.below(6 * 3_600)).unwrap();
    let published = start + SignedDuration::from_millis(step * i64::try_from(i).unwrap())
        - SignedDuration::from_secs(late);
    let hate = rng.chance(2);
    let status = [
        Status::New,
        Status::Assigned,
        Status::Replied,
        Status::Closed,
    ][rng.below(4)];
    let category = [
        Category::InformationRequest,
        Category::Complaint,
        Category::Dispute,
        Category::FieldCheck,
        Category::NotActionable,
    ][rng.below(5)];
    let with_deadline = rng.chance(40);
    let due = published + SignedDuration::from_hours(72);
    Message {
        id: MessageId::generate(),
        account: account.id,
        opd: account.opd,
        routed_by: None,
        inbound: Inbound {
            platform: account.platform,
            external_id: ExternalId::parse(&format!("m{i}")).unwrap(),
            kind: MessageKind::Comment,
            author: Author::parse(&format!("@warga{}", rng.below(50_000)), None).unwrap(),
            text: text.clone(),
            title: None,
            permalink: Some(format!("https://example.invalid/p/{i}")),
            parent_external_id: None,
            thread_external_id: Some(ExternalId::parse(&format!("post{}", i / 50)).unwrap()),
            published_at: published,
        },
        author_key: format!("{:016x}", rng.next()),
        received_at: published,
        erased_at: None,
        analysis: MessageAnalysis {
            sentiment: Some(
                [Sentiment::Negative, Sentiment::Neutral, Sentiment::Positive][rng.below(3)],
            ),
            sentiment_score: 0.8,
            abusive: rng.chance(5),
            abusive_score: 0.1,
            hate_speech: hate,
            hate_score: if hate { 0.9 } else { 0.05 },
            hate_categories: if hate {
                Flags::EMPTY.with(rng.below(HateCategory::ALL.len()))
            } else {
                Flags::EMPTY
            },
            pii: if rng.chance(3) {
                Flags::EMPTY.with(1)
            } else {
                Flags::EMPTY
            },
            fingerprint: rng.next(),
            search_terms: text,
            ..MessageAnalysis::default()
        },
        workflow: Workflow {
            status,
            assignee: (status != Status::New).then(|| s.operators[rng.below(OPERATORS)]),
            category: rng.chance(50).then_some(category),
            suggested_category: Some(category),
            first_response_due: with_deadline.then_some(due),
            resolution_due: with_deadline.then_some(due + SignedDuration::from_hours(120)),
            first_response_at: (with_deadline && rng.chance(60))
                .then_some(published + SignedDuration::from_hours(5)),
            resolved_at: None,
        },
    }
}

async fn ingest(store: &PgStore, by: &AuditActor, s: &Setup, n: usize, end: Timestamp) -> f64 {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut spent = Duration::ZERO;
    let mut batches = Vec::with_capacity(n / BATCH + 1);
    let mut done = 0;
    while done < n {
        let size = BATCH.min(n - done);
        let batch: Vec<Message> = (done..done + size)
            .map(|i| {
                message(
                    i,
                    n,
                    &mut rng,
                    s,
                    end - SignedDuration::from_hours(365 * 24),
                )
            })
            .collect();
        // Only the store call is timed: generating the data is not the store's work.
        let started = Instant::now();
        let out = store.ingest_messages(by, &batch, None).await.unwrap();
        let took = started.elapsed();
        spent += took;
        batches.push(took);
        assert_eq!(out.inserted.len(), size);
        done += size;
        if done % 100_000 == 0 {
            println!(
                "  {done} stored, {:.0} messages/s so far",
                done as f64 / spent.as_secs_f64()
            );
        }
    }
    batches.sort();
    println!(
        "batch of {BATCH}: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        percentile(&batches, 0.5).as_secs_f64() * 1e3,
        percentile(&batches, 0.95).as_secs_f64() * 1e3,
        batches.last().map_or(0.0, |d| d.as_secs_f64() * 1e3)
    );
    n as f64 / spent.as_secs_f64()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// The kinds of inbox pages people ask for, with a different parameter each round.
fn queries(round: usize, s: &Setup, end: Timestamp) -> Vec<(&'static str, MessageQuery)> {
    let mut rng = Rng(0x1234_5678_9abc_def0 + round as u64);
    let opd = s.opds[rng.below(s.opds.len())];
    let base = MessageQuery::default();
    // Deadlines are judged at the present: the newest message's time.
    let now = end;
    let common = word(rng.below(20));
    let mid = word(200 + rng.below(2_000));
    let rare = word(10_000 + rng.below(VOCABULARY - 10_000));
    let deep = end - SignedDuration::from_hours(24 * (30 + rng.below(300)) as i64);
    vec![
        ("newest", base.clone()),
        (
            "one opd",
            MessageQuery {
                opds: Some(vec![opd]),
                ..base.clone()
            },
        ),
        (
            "opd + status new",
            MessageQuery {
                opds: Some(vec![opd]),
                status: Some(Status::New),
                ..base.clone()
            },
        ),
        (
            "platform + negative",
            MessageQuery {
                platform: Some(Platform::Instagram),
                sentiment: Some(Sentiment::Negative),
                ..base.clone()
            },
        ),
        (
            "hate category",
            MessageQuery {
                hate_category: Some(HateCategory::ALL[rng.below(HateCategory::ALL.len())]),
                ..base.clone()
            },
        ),
        (
            "opd + pii",
            MessageQuery {
                opds: Some(vec![opd]),
                has_pii: Some(true),
                ..base.clone()
            },
        ),
        (
            "category",
            MessageQuery {
                category: Some(Category::FieldCheck),
                ..base.clone()
            },
        ),
        (
            "assignee",
            MessageQuery {
                assignee: AssigneeFilter::User(s.operators[rng.below(s.operators.len())]),
                ..base.clone()
            },
        ),
        (
            "opd + overdue",
            MessageQuery {
                opds: Some(vec![opd]),
                deadline: Some(DeadlineFilter::Overdue { now }),
                ..base.clone()
            },
        ),
        (
            "due in 3 days",
            MessageQuery {
                deadline: Some(DeadlineFilter::DueBefore {
                    now,
                    until: now + SignedDuration::from_hours(72),
                }),
                ..base.clone()
            },
        ),
        (
            "search common",
            MessageQuery {
                terms: vec![common.clone()],
                ..base.clone()
            },
        ),
        (
            "search mid",
            MessageQuery {
                terms: vec![mid.clone()],
                ..base.clone()
            },
        ),
        (
            "search rare",
            MessageQuery {
                terms: vec![rare.clone()],
                ..base.clone()
            },
        ),
        (
            "search 2 terms + opd",
            MessageQuery {
                opds: Some(vec![opd]),
                terms: vec![common, mid.clone()],
                ..base.clone()
            },
        ),
        (
            "search + negative + month",
            MessageQuery {
                terms: vec![mid],
                sentiment: Some(Sentiment::Negative),
                published_from: Some(deep - SignedDuration::from_hours(24 * 30)),
                published_to: Some(deep),
                ..base.clone()
            },
        ),
        (
            "deep keyset page",
            MessageQuery {
                before: Some((deep, MessageId::generate())),
                ..base.clone()
            },
        ),
        (
            "opd + deep page, 200",
            MessageQuery {
                opds: Some(vec![opd]),
                before: Some((deep, MessageId::generate())),
                limit: 200,
                ..base
            },
        ),
    ]
}

async fn time_queries(store: &PgStore, s: &Setup, end: Timestamp) {
    const ROUNDS: usize = 30;
    let mut per_kind: Vec<(&str, Vec<Duration>)> = Vec::new();
    let mut all = Vec::new();
    for round in 0..ROUNDS {
        for (i, (name, q)) in queries(round, s, end).into_iter().enumerate() {
            let started = Instant::now();
            let found = store.list_messages(&q).await.unwrap();
            let spent = started.elapsed();
            assert!(found.len() <= 200);
            if per_kind.len() <= i {
                per_kind.push((name, Vec::new()));
            }
            per_kind[i].1.push(spent);
            all.push(spent);
        }
    }
    println!("list_messages over {ROUNDS} rounds (p50 / p95 / max, ms):");
    for (name, mut times) in per_kind {
        times.sort();
        println!(
            "  {name:<28} {:>7.2} {:>7.2} {:>7.2}",
            percentile(&times, 0.5).as_secs_f64() * 1e3,
            percentile(&times, 0.95).as_secs_f64() * 1e3,
            times.last().unwrap().as_secs_f64() * 1e3
        );
    }
    all.sort();
    println!(
        "  {:<28} {:>7.2} {:>7.2} {:>7.2}",
        "ALL",
        percentile(&all, 0.5).as_secs_f64() * 1e3,
        percentile(&all, 0.95).as_secs_f64() * 1e3,
        all.last().unwrap().as_secs_f64() * 1e3
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let end: Timestamp = "2026-11-28T00:00:00Z".parse().unwrap();
    // `--reuse <database>`: time the queries again on a database an earlier `--keep` left.
    if let Some(name) = args
        .iter()
        .position(|a| a == "--reuse")
        .and_then(|i| args.get(i + 1))
    {
        let url = humas_store_postgres::testing::with_database(
            &humas_store_postgres::testing::admin_url(),
            name,
        );
        let store = PgStore::connect(&url, 4).await.unwrap();
        let s = stored_setup(&store, &url).await;
        time_queries(&store, &s, end).await;
        store.close().await;
        return;
    }
    let n: usize = args
        .iter()
        .find_map(|a| a.replace('_', "").parse().ok())
        .unwrap_or(100_000);
    let db = TestDatabase::create().await;
    let store = PgStore::connect(&db.url, 4).await.unwrap();
    store.migrate().await.unwrap();
    let by = AuditActor::system();
    let s = setup(&store, &by).await;
    println!(
        "ingesting {n} messages in batches of {BATCH} into {}",
        db.name
    );
    let rate = ingest(&store, &by, &s, n, end).await;
    println!("ingest: {rate:.0} messages/s");
    if args.iter().any(|a| a == "--queries") {
        sqlx_analyze(&db.url).await;
        time_queries(&store, &s, end).await;
    }
    store.close().await;
    if args.iter().any(|a| a == "--keep") {
        println!("kept database {}", db.name);
    } else {
        db.drop_now().await;
    }
}

/// The OPDs and operators of a database filled by an earlier run.
async fn stored_setup(store: &PgStore, url: &str) -> Setup {
    use sqlx::Connection as _;
    let opds = store
        .list_opds()
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.id)
        .collect();
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let operators: Vec<uuid::Uuid> = sqlx::query_scalar(
        "SELECT DISTINCT assignee_id FROM messages WHERE assignee_id IS NOT NULL LIMIT 40",
    )
    .fetch_all(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    Setup {
        opds,
        accounts: Vec::new(),
        operators: operators.into_iter().map(UserId::from_uuid).collect(),
    }
}

/// Refreshes planner statistics, as autovacuum would shortly after a bulk load.
async fn sqlx_analyze(url: &str) {
    use sqlx::Connection as _;
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    sqlx::query("VACUUM ANALYZE messages")
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}
