//! Exactly-once publishing with the real `humas` binary (issue 5): `humas serve` and two
//! `humas worker` processes publish 1,000 posts due over a few seconds, each to one account on
//! two fake Mastodon instances, while they are killed with SIGKILL at random moments and
//! started again. At the end every post is on each fake exactly once, and every job is
//! `published` with the link of that status.
//!
//! One fake honours `Idempotency-Key` (a resend after a lost answer gets the first status
//! back); the other ignores it, so there only reconciliation — the next worker looking through
//! the account's statuses before sending again — prevents a duplicate.
//!
//! The kill schedule comes from a seeded RNG; the seed is printed, and `HUMAS_CRASH_SEED=<n>`
//! repeats a schedule. The PostgreSQL variant uses its own database (from
//! `HUMAS_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/postgres`) and passes
//! with a note when no server answers outside CI.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    reason = "tests: a failing unwrap is a failing test, and measurements go to the test log"
)]

#[allow(dead_code, reason = "shared with the ingest tests, which use the rest")]
mod support_ingest;
mod support_publish;

use std::collections::HashMap;
use std::path::Path;
use std::time::{Duration, Instant};

use humas_domain::publish::DeliveryState;
use humas_server::bench_publish::fake::{FakeMastodon, FakeOptions, FakeStatus};
use jiff::Timestamp;
use rand::rngs::StdRng;
use rand::{Rng as _, SeedableRng as _};
use support_ingest::{Db, PgDb, runtime, wait_for};
use support_publish::{JobCounter, Publishers, jobs_of, post_text, seed};

/// Accounts on each fake: at most 50 posts each, well inside the 200 statuses reconciliation
/// reads.
const ACCOUNTS_PER_FAKE: usize = 20;
const WORKERS: usize = 2;
const LEASE_SECONDS: u64 = 5;

/// What a run publishes, how fast the fakes answer, and how often the processes are killed.
struct Scenario {
    posts: usize,
    /// The jobs are due evenly over this long, from 3 s after setup.
    spread: Duration,
    /// How long a new status takes to be answered: long enough that a kill often lands
    /// between a status being created and its answer.
    latency: Duration,
    /// How long every other request takes.
    read_latency: Duration,
    kill_rounds: usize,
}

/// The crash test: 1,000 posts over 5 s, six rounds of kills.
const CRASH: Scenario = Scenario {
    posts: 1_000,
    spread: Duration::from_secs(5),
    latency: Duration::from_millis(80),
    read_latency: Duration::from_millis(80),
    kill_rounds: 6,
};

fn crash_seed() -> u64 {
    std::env::var("HUMAS_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        })
}

/// Sleeps until `at` (at once when it has passed).
fn sleep_until(at: Timestamp) {
    let now = Timestamp::now();
    if at > now {
        std::thread::sleep(now.duration_until(at).unsigned_abs());
    }
}

/// The statuses of one fake by text; panics on a text that is no post of the test.
fn statuses_by_text(statuses: &[FakeStatus]) -> HashMap<&str, Vec<&FakeStatus>> {
    let mut out: HashMap<&str, Vec<&FakeStatus>> = HashMap::new();
    for s in statuses {
        out.entry(s.text.as_str()).or_default().push(s);
    }
    out
}

fn publish_each_post_once(root: &Path, db: &Db, scenario: &Scenario) {
    let posts = scenario.posts;
    let backend = if db.pg.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let seed_value = crash_seed();
    eprintln!(
        "{backend}: kill schedule seed {seed_value} (HUMAS_CRASH_SEED={seed_value} repeats it)"
    );
    let mut rng = StdRng::seed_from_u64(seed_value);
    let rt = runtime();
    let (keyed, forgetful) = rt.block_on(async {
        let keyed = FakeMastodon::start(FakeOptions {
            latency: scenario.latency,
            read_latency: scenario.read_latency,
            honour_idempotency_key: true,
        })
        .await
        .unwrap();
        let forgetful = FakeMastodon::start(FakeOptions {
            latency: scenario.latency,
            read_latency: scenario.read_latency,
            honour_idempotency_key: false,
        })
        .await
        .unwrap();
        (keyed, forgetful)
    });
    let fakes = [&keyed, &forgetful];
    let seeded = rt.block_on(seed(
        db,
        &fakes,
        ACCOUNTS_PER_FAKE,
        posts,
        Duration::from_secs(3),
        scenario.spread,
    ));
    let counter = rt.block_on(JobCounter::open(db));
    let deliveries = posts * fakes.len();

    let started = Instant::now();
    let mut publishers = Publishers::start(root, db, WORKERS, LEASE_SECONDS);
    // Kill while posts are going out: from the first due time on, every 0.2–1.2 s a random
    // non-empty set of the processes, each started again 0–0.4 s later.
    sleep_until(seeded.first_due);
    let mut kills = 0;
    let mut schedule = Vec::new();
    for _ in 0..scenario.kill_rounds {
        std::thread::sleep(Duration::from_millis(rng.random_range(200..1_200)));
        publishers.assert_running();
        let mask: u32 = rng.random_range(1..(1 << publishers.len()));
        let victims: Vec<usize> = (0..publishers.len())
            .filter(|i| mask & (1 << i) != 0)
            .collect();
        let left = rt.block_on(counter.unfinished());
        for &v in &victims {
            publishers.kill(v);
            kills += 1;
        }
        schedule.push(format!(
            "{:.1}s: killed {victims:?} with {left} jobs left",
            started.elapsed().as_secs_f64()
        ));
        std::thread::sleep(Duration::from_millis(rng.random_range(0..400)));
        for &v in &victims {
            publishers.restart(v);
        }
    }
    let last_kill_after = started.elapsed();
    wait_for(
        Duration::from_secs(90),
        "every job published, failed or uncertain",
        || {
            publishers.assert_running();
            std::thread::sleep(Duration::from_millis(100));
            (rt.block_on(counter.unfinished()) == 0).then_some(())
        },
    );
    let all_final_after = started.elapsed();
    publishers.stop();
    rt.block_on(counter.close());
    eprintln!("{backend}: kills: {}", schedule.join("; "));

    // What the processes recorded.
    let jobs = rt.block_on(async {
        let store = db.open_store().await;
        jobs_of(store.as_ref(), &seeded.posts).await
    });
    assert_eq!(jobs.len(), deliveries, "one job per post and fake");
    let state_count = |s: DeliveryState| jobs.iter().filter(|j| j.state == s).count();
    let uncertain = state_count(DeliveryState::Uncertain);
    let failed = state_count(DeliveryState::Failed);
    let problems: Vec<String> = jobs
        .iter()
        .filter(|j| j.state != DeliveryState::Published)
        .map(|j| format!("{} {}: {:?}", j.id, j.state.as_str(), j.last_error))
        .take(10)
        .collect();
    assert!(
        problems.is_empty(),
        "seed {seed_value}: {uncertain} uncertain, {failed} failed: {problems:#?}"
    );

    // What the fakes received: each post exactly once on each, and the recorded link is it.
    let statuses = [keyed.statuses(), forgetful.statuses()];
    let by_text = [
        statuses_by_text(&statuses[0]),
        statuses_by_text(&statuses[1]),
    ];
    let texts: Vec<String> = (0..posts).map(post_text).collect();
    let mut duplicates = [0usize; 2];
    let mut missing = [0usize; 2];
    for f in 0..2 {
        for text in &texts {
            match by_text[f].get(text.as_str()).map_or(0, Vec::len) {
                0 => missing[f] += 1,
                n => duplicates[f] += n - 1,
            }
        }
        assert_eq!(
            by_text[f].len(),
            posts,
            "fake {f} holds only the test's posts"
        );
    }
    let post_index: HashMap<_, usize> = seeded
        .posts
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id, i))
        .collect();
    for j in &jobs {
        let f = seeded.fake_of(j.account);
        let text = texts[post_index[&j.post]].as_str();
        let on_fake = by_text[f].get(text).and_then(|v| v.first()).unwrap();
        assert_eq!(
            j.external_id.as_deref(),
            Some(on_fake.id.as_str()),
            "job {} records the status that is on fake {f}",
            j.id
        );
        assert_eq!(j.url.as_deref(), Some(on_fake.url.as_str()), "job {}", j.id);
        assert!(j.published_at.is_some());
    }
    let counts = [keyed.counts(), forgetful.counts()];
    let retried = jobs.iter().filter(|j| j.attempts > 1).count();
    eprintln!(
        "measured ({backend}, seed {seed_value}): {posts} posts × 2 fakes; {kills} SIGKILLs in \
         {} rounds (the last {last_kill_after:.1?} after start); every job final \
         {all_final_after:.1?} after start; {retried} jobs taken more than once. \
         Idempotent fake: {} requests, {} status posts ({} answered from the key), {} lookups, \
         {} statuses, {} duplicates, {} missing. Key-ignoring fake: {} requests, {} status posts, \
         {} lookups, {} statuses, {} duplicates, {} missing. Jobs: {} published with a link, \
         {uncertain} uncertain, {failed} failed.",
        scenario.kill_rounds,
        counts[0].requests,
        counts[0].status_posts,
        counts[0].replayed,
        counts[0].lookups,
        counts[0].statuses,
        duplicates[0],
        missing[0],
        counts[1].requests,
        counts[1].status_posts,
        counts[1].lookups,
        counts[1].statuses,
        duplicates[1],
        missing[1],
        state_count(DeliveryState::Published),
    );
    assert_eq!(
        (duplicates, missing),
        ([0, 0], [0, 0]),
        "seed {seed_value}: every post exactly once on each fake"
    );
    assert_eq!(counts[0].statuses, posts as u64);
    assert_eq!(counts[1].statuses, posts as u64);
    assert!(
        scenario.kill_rounds == 0 || counts[1].lookups > 0,
        "seed {seed_value}: no kill left a job in doubt, so reconciliation was never tested"
    );
    let problems = publishers.problems();
    assert!(
        !problems.iter().any(|l| l.contains("panicked")),
        "a process panicked: {problems:#?}"
    );
    for (n, kind) in publishers.problem_kinds() {
        eprintln!("{backend}: logged {n} times: {kind}");
    }
}

/// The fakes answer the real Mastodon connector as an instance would: a status per post, the
/// same status again for a repeated key only where keys are honoured, and the account's
/// statuses page by page for reconciliation (which finds the first copy, and nothing for a post
/// never sent).
#[test]
fn the_fakes_answer_the_mastodon_connector_as_mastodon_does() {
    use humas_connectors::ConnectorError;
    use humas_connectors::mastodon::{MastodonClient, MastodonConfig};
    use humas_connectors::outbound::{OutboundPost, PublishOutcome, Publisher as _};

    let rt = runtime();
    rt.block_on(async {
        for honour in [true, false] {
            let fake = FakeMastodon::start(FakeOptions {
                latency: Duration::ZERO,
                read_latency: Duration::ZERO,
                honour_idempotency_key: honour,
            })
            .await
            .unwrap();
            fake.add_account("7001", "token-a", "dinkes");
            let http = humas_connectors::http::Http::new(humas_feeds::FetchOptions {
                allow_private: true,
                ..humas_feeds::FetchOptions::default()
            })
            .unwrap();
            let client = |token: &str| {
                MastodonClient::new(
                    http.clone(),
                    MastodonConfig::new(&fake.base(), "7001", token.to_owned().into()),
                )
            };
            let ours = client("token-a");
            let post = |text: &str, key: &str| OutboundPost {
                text: text.to_owned(),
                media: Vec::new(),
                idempotency_key: key.to_owned(),
                intent_at: Timestamp::now(),
            };
            let first = post("Vaksinasi <gratis> & cepat\nSabtu 08.00", "key-1");
            let sent = |o: PublishOutcome| match o {
                PublishOutcome::Published(p) => p,
                PublishOutcome::Pending { .. } => panic!("Mastodon publishes at once"),
            };
            let a = sent(ours.publish(&first).await.unwrap());
            let b = sent(ours.publish(&first).await.unwrap());
            assert_eq!(a.external_id == b.external_id, honour, "honour={honour}");
            assert_eq!(
                fake.counts().statuses,
                if honour { 1 } else { 2 },
                "honour={honour}"
            );
            assert_eq!(fake.counts().replayed, u64::from(honour));
            assert!(
                a.url
                    .unwrap()
                    .starts_with(&format!("{}/@dinkes/", fake.base()))
            );
            // 45 later statuses: finding the first one needs a second page of 40.
            for i in 0..45 {
                ours.publish(&post(&format!("kabar {i}"), &format!("k{i}")))
                    .await
                    .unwrap();
            }
            let found = ours.find_published(&first).await.unwrap().unwrap();
            assert_eq!(found.external_id, a.external_id, "the oldest copy");
            let figures = ours.engagement(&a.external_id).await.unwrap();
            assert_eq!((figures.likes, figures.comments, figures.shares), (0, 0, 0));
            let never = post("belum pernah dikirim", "key-x");
            assert_eq!(ours.find_published(&never).await.unwrap(), None);
            assert!(fake.counts().lookups >= 4, "{:?}", fake.counts());
            // A wrong token is refused as Mastodon refuses it, and makes nothing.
            let before = fake.counts().statuses;
            let refused = client("token-b")
                .publish(&post("x", "k"))
                .await
                .unwrap_err();
            assert!(
                matches!(&refused, ConnectorError::TokenExpired(m) if m.contains("The access token is invalid")),
                "{refused:?}"
            );
            assert_eq!(fake.counts().statuses, before);
            assert_eq!(fake.counts().refused, 1);
        }
    });
}

#[test]
fn killed_and_restarted_publishers_publish_each_post_once_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    publish_each_post_once(dir.path(), &Db::sqlite(dir.path()), &CRASH);
}

#[test]
fn killed_and_restarted_publishers_publish_each_post_once_on_postgres() {
    let Some(pg) = PgDb::create() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = Db::postgres(dir.path(), pg);
    publish_each_post_once(dir.path(), &db, &CRASH);
}

/// A platform slower than the lease: the first process to look takes 100 of the 120 due jobs
/// (a round's batch) but sends 32 at a time, so with 4 s answers its later jobs wait 8–12 s for
/// their turn — past the 5 s lease. An idle process then takes them over. Each worker renews
/// the lease right before it sends and sends only if it still holds the job, so the first
/// skips what the second took: every post once (before that check, 17–19 went out twice).
#[test]
fn a_platform_slower_than_the_lease_gets_each_post_once() {
    let dir = tempfile::tempdir().unwrap();
    let slow = Scenario {
        posts: 60,
        spread: Duration::ZERO,
        latency: Duration::from_secs(4),
        // Reads answer at once, so an idle process is free to take jobs over (engagement reads
        // are made in the publishing loop, between rounds).
        read_latency: Duration::ZERO,
        kill_rounds: 0,
    };
    publish_each_post_once(dir.path(), &Db::sqlite(dir.path()), &slow);
}
