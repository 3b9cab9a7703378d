//! Ingest durability with the real `humas` binary: `humas import` reports bad lines and stores
//! the rest; an import or a platform poll killed with SIGKILL half way and started again ends
//! with every message stored exactly once.
//!
//! Each test has its own temporary folder; the PostgreSQL variant its own database (from
//! `HUMAS_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/postgres`, passing
//! with a note when no server answers outside CI).
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    reason = "tests: a failing unwrap is a failing test, and measurements go to the test log"
)]

mod support_ingest;

use std::collections::BTreeSet;
use std::fs::File;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use humas_app::sealed::Credentials;
use humas_app::{App, AuthSettings, SystemClock};
use humas_domain::{AccountId, Platform};
use humas_server::import::BATCH;
use humas_store::{MessageQuery, Store as _};
use humas_store_sqlite::SqliteStore;
use support_ingest::mastodon::FakeMastodon;
use support_ingest::{Db, Guard, PgDb, args, create_account, humas, run, runtime, wait_for};

// ---------------------------------------------------------------------------------------------
// 1. Rejected lines

const GOOD_1: &str = "1862000000000000001";
const GOOD_2: &str = "1862000000000000002";
const GOOD_6: &str = "1862000000000000006";

/// Three good lines, a broken JSON line, a line without text, a bad date, a blank line, a
/// repeated id and a good line with a WIB date.
fn mixed_ndjson() -> String {
    [
        format!(
            r#"{{"id":"{GOOD_1}","author":"@warga_sby","author_name":"Warga Surabaya","text":"Min, jalan di Jl. Ahmad Yani berlubang besar, mohon segera diperbaiki","published_at":"2026-11-20T08:00:00+07:00"}}"#
        ),
        format!(
            r#"{{"id":"{GOOD_2}","author":"@ibu_rt05","text":"Terima kasih Dinkes, vaksinasi di puskesmas lancar sekali","published_at":"2026-11-20T09:30:00Z"}}"#
        ),
        r#"{"id":"1862000000000000003","author":"@budi","text":"kok belum dibalas"#.to_owned(),
        r#"{"id":"1862000000000000004","author":"@sinta","published_at":"2026-11-20T10:00:00Z"}"#
            .to_owned(),
        r#"{"id":"1862000000000000005","author":"@andi","text":"Antrean BPJS panjang sekali","published_at":"kemarin sore"}"#
            .to_owned(),
        String::new(),
        format!(
            r#"{{"id":"{GOOD_1}","author":"@warga_sby","text":"Kiriman ulang dengan teks lain","published_at":"2026-11-20T08:00:00+07:00"}}"#
        ),
        format!(
            r#"{{"id":"{GOOD_6}","author":"@dewi","text":"Posyandu di desa kami butuh timbangan baru","published_at":"2026-11-21 10:15"}}"#
        ),
    ]
    .join("\n")
        + "\n"
}

fn import_args(db: &Db, file: &Path, account: &str, extra: &[&str]) -> Vec<String> {
    let mut a = args(&["import", &file.display().to_string(), "--account", account]);
    a.extend(args(extra));
    a.extend(db.flags());
    a
}

#[test]
fn import_reports_rejected_lines_and_stores_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::sqlite(dir.path());
    let rt = runtime();
    let account = rt.block_on(async {
        let store = db.open_store().await;
        create_account(&*store, Platform::X, "@dinkesjatim", None).await
    });

    let file = dir.path().join("pesan.ndjson");
    std::fs::write(&file, mixed_ndjson()).unwrap();
    let out = run(dir.path(), &import_args(&db, &file, "x:@DinkesJatim", &[]));
    assert_eq!(out.status.code(), Some(1), "{out}");
    let rejected: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.starts_with("rejected "))
        .collect();
    assert_eq!(rejected.len(), 3, "{out}");
    assert!(
        rejected[0].starts_with("rejected line 3: invalid JSON: "),
        "{out}"
    );
    assert_eq!(
        rejected[1],
        "rejected line 4: a message needs text (or, for news, a title)"
    );
    assert!(
        rejected[2]
            .starts_with(r#"rejected line 5: published_at "kemarin sore" is neither RFC 3339"#),
        "{out}"
    );
    let summary = out.stderr.lines().last().unwrap();
    assert!(
        summary.starts_with("imported 3 new messages into ")
            && summary.ends_with("; 1 already stored; 3 lines rejected"),
        "{out}"
    );

    // What the process left in the file, read by the store itself after it ended.
    rt.block_on(async {
        let store = SqliteStore::connect(&db.sqlite_file().display().to_string())
            .await
            .unwrap();
        let page = store
            .list_messages(&MessageQuery {
                limit: 200,
                ..MessageQuery::default()
            })
            .await
            .unwrap();
        let mut ids: Vec<String> = page
            .iter()
            .map(|m| m.inbound.external_id.to_string())
            .collect();
        ids.sort();
        assert_eq!(ids, [GOOD_1, GOOD_2, GOOD_6]);
        assert!(page.iter().all(|m| m.account == account.id));

        let first = store
            .message_by_external_id(Platform::X, GOOD_1)
            .await
            .unwrap();
        assert_eq!(
            first.inbound.text,
            "Min, jalan di Jl. Ahmad Yani berlubang besar, mohon segera diperbaiki",
            "the repeated id did not overwrite the first message"
        );
        assert_eq!(first.inbound.author.handle, "@warga_sby");
        assert_eq!(
            first.inbound.published_at.to_string(),
            "2026-11-20T01:00:00Z"
        );
        let wib = store
            .message_by_external_id(Platform::X, GOOD_6)
            .await
            .unwrap();
        assert_eq!(
            wib.inbound.published_at.to_string(),
            "2026-11-21T03:15:00Z",
            "a date without offset is WIB"
        );
        for refused in [
            "1862000000000000003",
            "1862000000000000004",
            "1862000000000000005",
        ] {
            assert!(
                store
                    .message_by_external_id(Platform::X, refused)
                    .await
                    .is_err(),
                "{refused} must not be stored"
            );
        }
        store.close().await;
    });

    // CSV whose header has a typo or lacks a column: the whole file is refused, nothing stored.
    let count = || {
        rt.block_on(async {
            let reader = db.reader().await;
            let n = reader.count().await;
            reader.close().await;
            n
        })
    };
    for (name, csv, expected) in [
        (
            "typo.csv",
            "id,author,txt,published_at\n1862000000000000010,@ani,halo min,2026-11-22 07:00\n",
            r#"unknown column(s): "txt""#,
        ),
        (
            "kurang.csv",
            "id,author,text\n1862000000000000011,@ani,halo min\n",
            "lacks the required column(s): published_at",
        ),
    ] {
        let file = dir.path().join(name);
        std::fs::write(&file, csv).unwrap();
        let out = run(dir.path(), &import_args(&db, &file, "x:@dinkesjatim", &[]));
        assert_ne!(out.status.code(), Some(0), "{out}");
        assert!(out.stderr.starts_with("error: "), "{out}");
        assert!(out.stderr.contains(expected), "{name}: {out}");
        assert_eq!(count(), 3, "{name} stored nothing");
    }

    // A good CSV (columns in another order, a quoted cell with a comma and a line break), chosen
    // with --format although the name says otherwise, and the account given by id.
    let file = dir.path().join("ekspor.txt");
    std::fs::write(
        &file,
        "text,id,published_at,author\n\"Halo, min\nbaris kedua\",1862000000000000012,2026-11-22 07:00,@ani\n",
    )
    .unwrap();
    let out = run(
        dir.path(),
        &import_args(&db, &file, &account.id.to_string(), &["--format", "csv"]),
    );
    assert_eq!(out.status.code(), Some(0), "{out}");
    assert!(
        out.stderr.contains("imported 1 new messages into ")
            && out.stderr.contains("; 0 already stored; 0 lines rejected"),
        "{out}"
    );
    assert_eq!(count(), 4);
    rt.block_on(async {
        let store = SqliteStore::connect(&db.sqlite_file().display().to_string())
            .await
            .unwrap();
        let m = store
            .message_by_external_id(Platform::X, "1862000000000000012")
            .await
            .unwrap();
        assert_eq!(m.inbound.text, "Halo, min\nbaris kedua");
        store.close().await;
    });

    // Unknown accounts, in each form --account takes.
    let nobody = AccountId::generate().to_string();
    for (given, expected) in [
        (
            "x:@tidakada",
            "no x account has the handle @tidakada".to_owned(),
        ),
        (nobody.as_str(), format!("no account has the id {nobody}")),
        (
            "dinkesjatim",
            "--account takes an account id or platform:handle".to_owned(),
        ),
        ("friendster:@dinkes", "friendster".to_owned()),
    ] {
        let out = run(dir.path(), &import_args(&db, &file, given, &[]));
        assert_eq!(out.status.code(), Some(1), "{given}: {out}");
        assert!(out.stderr.starts_with("error: "), "{given}: {out}");
        assert!(out.stderr.contains(&expected), "{given}: {out}");
    }
    assert_eq!(count(), 4, "failed lookups stored nothing");
}

// ---------------------------------------------------------------------------------------------
// 2. An import killed half way

const IMPORT_TOTAL: usize = 30_000;

fn import_id(i: usize) -> String {
    format!("19{i:017}")
}

/// One Indonesian-looking complaint, praise or question per line, each with its own id.
fn big_ndjson() -> String {
    const GREETINGS: [&str; 4] = ["Min,", "Pak,", "Assalamualaikum,", "Selamat pagi,"];
    const TOPICS: [&str; 6] = [
        "jalan berlubang",
        "lampu PJU mati",
        "sampah menumpuk",
        "antrean vaksin panjang",
        "air PDAM keruh",
        "banjir setinggi lutut",
    ];
    const PLACES: [&str; 5] = [
        "Kecamatan Wonokromo",
        "Desa Sumberejo",
        "Kelurahan Ketintang",
        "Jl. Diponegoro",
        "Pasar Turi",
    ];
    const ENDINGS: [&str; 5] = [
        "mohon segera ditindaklanjuti",
        "sudah 3 hari belum ada respon",
        "terima kasih atas perhatiannya",
        "tolong dicek pak",
        "kapan diperbaiki min?",
    ];
    let mut out = String::with_capacity(IMPORT_TOTAL * 220);
    for i in 0..IMPORT_TOTAL {
        let text = format!(
            "{} {} di {}, {} (laporan {i})",
            GREETINGS[i % 4],
            TOPICS[i % 6],
            PLACES[(i / 6) % 5],
            ENDINGS[(i / 30) % 5]
        );
        let line = serde_json::json!({
            "id": import_id(i),
            "author": format!("@warga{}", i % 500),
            "text": text,
            "published_at": format!(
                "2026-11-{:02}T{:02}:{:02}:00+07:00",
                1 + i / 1440,
                (i / 60) % 24,
                i % 60
            ),
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    out
}

/// Numbers from `imported N new messages into …; D already stored; R lines rejected`.
fn summary_numbers(stderr: &str) -> (u64, u64, u64) {
    let line = stderr
        .lines()
        .find(|l| l.starts_with("imported "))
        .unwrap_or_else(|| panic!("no summary in:\n{stderr}"));
    let number_before = |suffix: &str| -> u64 {
        let end = line.find(suffix).unwrap();
        let start = line[..end].rfind(' ').map_or(0, |i| i + 1);
        line[start..end].parse().unwrap()
    };
    let inserted: u64 = line["imported ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    (
        inserted,
        number_before(" already stored"),
        number_before(" lines rejected"),
    )
}

fn import_killed_midway_then_rerun(root: &Path, db: &Db) {
    let rt = runtime();
    let account = rt.block_on(async {
        let store = db.open_store().await;
        create_account(&*store, Platform::X, "@dinkesjatim", None).await
    });
    let file = root.join("ekspor-besar.ndjson");
    std::fs::write(&file, big_ndjson()).unwrap();
    let import = import_args(db, &file, &account.id.to_string(), &[]);
    let reader = rt.block_on(db.reader());

    let log = root.join("import-1.log");
    let started = Instant::now();
    let mut child = Guard(Some(
        humas(root)
            .args(&import)
            .stdout(Stdio::null())
            .stderr(File::create(&log).unwrap())
            .spawn()
            .unwrap(),
    ));
    // Kill as soon as the first batch is visible.
    wait_for(Duration::from_secs(30), "a first batch is stored", || {
        if let Some(status) = child.child().try_wait().unwrap() {
            panic!(
                "the import ended ({status}) before it could be killed:\n{}",
                std::fs::read_to_string(&log).unwrap_or_default()
            );
        }
        (rt.block_on(reader.count()) > 0).then_some(())
    });
    let first_batch_after = started.elapsed();
    let killed = child.kill();
    assert!(!killed.success(), "killed, not finished: {killed}");
    let kept = rt.block_on(reader.count());
    let kept_ids = rt.block_on(reader.external_ids());
    assert!(
        kept > 0 && kept < IMPORT_TOTAL as i64,
        "{kept} messages after SIGKILL"
    );
    assert_eq!(
        kept % BATCH as i64,
        0,
        "whole transactions of {BATCH} survive a SIGKILL, never part of one"
    );
    let expected_kept: Vec<String> = (0..kept as usize).map(import_id).collect();
    assert_eq!(
        kept_ids, expected_kept,
        "the first {kept} lines, in file order"
    );

    let started = Instant::now();
    let again = run(root, &import);
    let rerun_took = started.elapsed();
    assert_eq!(again.status.code(), Some(0), "{again}");
    let (inserted, duplicates, rejected) = summary_numbers(&again.stderr);
    assert_eq!(
        (inserted, duplicates, rejected),
        (IMPORT_TOTAL as u64 - kept as u64, kept as u64, 0),
        "{again}"
    );
    assert_eq!(rt.block_on(reader.count()), IMPORT_TOTAL as i64);
    let ids = rt.block_on(reader.external_ids());
    let expected: Vec<String> = (0..IMPORT_TOTAL).map(import_id).collect();
    assert_eq!(ids.len(), IMPORT_TOTAL);
    assert!(ids == expected, "every id exactly once");
    rt.block_on(reader.close());
    eprintln!(
        "measured ({}): first batch of {BATCH} visible after {first_batch_after:?}; killed with \
         {kept} stored; the rerun stored {inserted} and skipped {duplicates} in {rerun_took:?}",
        if db.pg.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    );
}

#[test]
fn import_killed_midway_then_rerun_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    import_killed_midway_then_rerun(dir.path(), &Db::sqlite(dir.path()));
}

#[test]
fn import_killed_midway_then_rerun_loses_and_duplicates_nothing_on_postgres() {
    let Some(pg) = PgDb::create() else { return };
    let dir = tempfile::tempdir().unwrap();
    let db = Db::postgres(dir.path(), pg);
    import_killed_midway_then_rerun(dir.path(), &db);
    assert!(
        !db.sqlite_file().exists(),
        "no SQLite file when PostgreSQL is chosen"
    );
}

// ---------------------------------------------------------------------------------------------
// 3. Platform polling killed half way

const TOKEN: &str = "masto-token-uji";
const MENTIONS: usize = 400;
const PAGE: usize = 40;

fn nid(i: usize) -> u64 {
    35_000_000 + i as u64
}

fn sid(i: usize) -> String {
    (113_000_000_000_000_000_u64 + i as u64).to_string()
}

fn add_mention(fake: &FakeMastodon, i: usize) {
    const TEXTS: [&str; 4] = [
        "lampu jalan di depan SDN 3 mati sejak minggu lalu",
        "kapan pendaftaran posyandu lansia dibuka?",
        "terima kasih, pelayanan puskesmas cepat sekali",
        "tolong saluran air di Gang Melati dibersihkan",
    ];
    fake.add_mention(
        nid(i),
        &sid(i),
        &format!("warga{}", i % 37),
        &format!("{} (no. {i})", TEXTS[i % 4]),
        &published(i),
    );
}

/// Mention `i` was published `i` minutes after a start two days ago: recent enough for the
/// first poll's backfill window (7 days), in the order the mentions are added.
fn published(i: usize) -> String {
    let start = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(48);
    let at = start + jiff::SignedDuration::from_mins(i as i64);
    at.strftime("%Y-%m-%dT%H:%M:%S.000Z").to_string()
}

/// `humas serve` polling every 10 s, its output in `<root>/<name>.log`.
fn start_server(root: &Path, db: &Db, name: &str) -> Guard {
    let mut a = args(&[
        "serve",
        "--bind",
        "127.0.0.1:0",
        "--allow-private-targets",
        "--poll-interval-seconds",
        "10",
    ]);
    a.extend(db.flags());
    let log = File::create(root.join(format!("{name}.log"))).unwrap();
    Guard(Some(
        humas(root)
            .args(&a)
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap(),
    ))
}

#[test]
fn polling_killed_midway_then_restarted_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let db = Db::sqlite(root);
    let rt = runtime();
    let fake = rt.block_on(FakeMastodon::start(TOKEN, Duration::from_millis(150)));
    // One mention is there before Humas first looks (the first poll pages back through the
    // last week and saves the cursor); the other 399 arrive later.
    add_mention(&fake, 0);

    rt.block_on(async {
        let store = db.open_store().await;
        let account =
            create_account(&*store, Platform::Mastodon, "@humas", Some(&fake.base())).await;
        let secret = humas_server::secret::load_or_create(&db.data_dir).unwrap();
        let app = App::new(
            Arc::clone(&store),
            Arc::new(SystemClock),
            AuthSettings::default(),
        )
        .with_server_secret(&secret);
        app.set_account_credentials(
            &App::cli_actor(),
            account.id,
            Credentials {
                access_token: Some(TOKEN.to_owned()),
                platform_user_id: Some("14715".to_owned()),
                ..Credentials::default()
            },
        )
        .await
        .unwrap();
    });
    let reader = rt.block_on(db.reader());
    let count = || rt.block_on(reader.count());
    let log =
        |name: &str| std::fs::read_to_string(root.join(format!("{name}.log"))).unwrap_or_default();

    let started = Instant::now();
    let mut server = start_server(root, &db, "serve-1");
    wait_for(
        Duration::from_secs(30),
        "the first mention is stored",
        || {
            assert!(
                server.child().try_wait().unwrap().is_none(),
                "serve ended:\n{}",
                log("serve-1")
            );
            (count() == 1).then_some(())
        },
    );
    let first_poll_after = started.elapsed();
    for i in 1..MENTIONS {
        add_mention(&fake, i);
    }
    // The next round (≤ 10 s later) reads page after page; kill it after the first one.
    wait_for(
        Duration::from_secs(20),
        "the next round stores a page",
        || {
            assert!(
                server.child().try_wait().unwrap().is_none(),
                "serve ended:\n{}",
                log("serve-1")
            );
            (count() > 1).then_some(())
        },
    );
    server.kill();
    let kept = usize::try_from(count()).unwrap();
    assert!(
        kept > 1 && kept < MENTIONS,
        "{kept} stored after SIGKILL:\n{}",
        log("serve-1")
    );
    assert_eq!(
        (kept - 1) % PAGE,
        0,
        "each page is stored whole or not at all"
    );
    let before = fake.seen();
    assert_eq!(
        before[0].param("min_id"),
        None,
        "the first poll has no cursor"
    );
    assert_eq!(before[0].param("types[]"), Some("mention"));
    let expected_first_round: Vec<Option<String>> = (0..before.len())
        .map(|j| Some(nid(j.saturating_sub(1) * PAGE).to_string()).filter(|_| j > 0))
        .collect();
    let first_round: Vec<Option<String>> = before
        .iter()
        .map(|s| s.param("min_id").map(str::to_owned))
        .collect();
    assert_eq!(
        first_round, expected_first_round,
        "the killed server read forward page by page"
    );

    let restarted = Instant::now();
    let mut server = start_server(root, &db, "serve-2");
    let mut most = 0;
    wait_for(Duration::from_secs(60), "all 400 mentions stored", || {
        assert!(
            server.child().try_wait().unwrap().is_none(),
            "serve ended:\n{}",
            log("serve-2")
        );
        let n = count();
        most = most.max(n);
        (n >= MENTIONS as i64).then_some(())
    });
    let caught_up_after = restarted.elapsed();
    // Stop it the polite way: it must finish and exit 0.
    let term = Command::new("kill")
        .args(["-TERM", &server.child().id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let exit = server.wait(Duration::from_secs(15));
    assert!(exit.success(), "exit {exit}:\n{}", log("serve-2"));

    assert!(
        most <= MENTIONS as i64,
        "at most {MENTIONS} ever, saw {most}"
    );
    assert_eq!(count(), MENTIONS as i64);
    let ids = rt.block_on(reader.external_ids());
    let expected: BTreeSet<String> = (0..MENTIONS).map(sid).collect();
    assert_eq!(ids.len(), MENTIONS, "one row per mention");
    assert_eq!(ids.into_iter().collect::<BTreeSet<_>>(), expected);
    rt.block_on(reader.close());

    // The restarted poller went on from the saved cursor: its first request starts after the
    // newest stored notification, and it walked forward from there, page by page.
    let after: Vec<Option<String>> = fake.seen()[before.len()..]
        .iter()
        .map(|s| s.param("min_id").map(str::to_owned))
        .collect();
    let pages_left = (MENTIONS - kept).div_ceil(PAGE);
    let expected_after: Vec<Option<String>> = (0..pages_left)
        .map(|j| Some(nid(kept - 1 + j * PAGE).to_string()))
        .collect();
    assert_eq!(after, expected_after, "resumed from the saved cursor");
    eprintln!(
        "measured: first poll stored after {first_poll_after:?}; killed with {kept} of \
         {MENTIONS} stored after {} requests; the restarted server caught up in \
         {caught_up_after:?} with {} requests",
        before.len(),
        after.len()
    );
    for name in ["serve-1", "serve-2"] {
        let text = log(name);
        assert!(
            !text.contains("WARN") && !text.contains("ERROR"),
            "{name} logged a problem:\n{text}"
        );
    }
}
