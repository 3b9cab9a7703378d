//! Runs the real `humas` binary, each test in its own temporary folder (and, for the PostgreSQL
//! tests, its own database, created and dropped here).
//!
//! The PostgreSQL tests use `HUMAS_TEST_POSTGRES_URL` (an admin URL, default
//! `postgres://postgres@127.0.0.1:5432/postgres`) and pass with a note when no server answers.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers outside #[test] functions: a failing unwrap is a failing test"
)]

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_humas");
const PASSWORD: &str = "sangat-rahasia-2026";

/// `humas` in `dir`, with no `HUMAS_*` variable or `RUST_LOG` inherited from the test runner.
fn humas(dir: &Path) -> Command {
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

struct Run {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Run {
    fn ok(self) -> Self {
        assert!(
            self.status.success(),
            "exit {:?}\nstdout:\n{}\nstderr:\n{}",
            self.status.code(),
            self.stdout,
            self.stderr
        );
        self
    }
}

/// Runs `humas args...` in `dir`, feeding `stdin` if given.
fn run(dir: &Path, args: &[&str], stdin: Option<&str>) -> Run {
    let mut cmd = humas(dir);
    cmd.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    if stdin.is_some() {
        cmd.stdin(Stdio::piped());
    }
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(input.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    Run {
        status: out.status,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn user_add(dir: &Path, db: &[&str], username: &str, role: &str) -> Run {
    let mut args = vec![
        "user",
        "add",
        "--username",
        username,
        "--role",
        role,
        "--password-stdin",
    ];
    args.extend_from_slice(db);
    run(dir, &args, Some(&format!("{PASSWORD}\n")))
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Runtime::new().unwrap()
}

#[test]
fn config_example_parses_back_to_the_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let example = run(dir.path(), &["config", "example"], None).ok().stdout;
    for key in [
        "bind",
        "data_dir",
        "database_url",
        "database_max_connections",
        "province_name",
        "secure_cookies",
        "log_format",
        "log_level",
        "session_idle_minutes",
        "session_absolute_hours",
        "demo",
    ] {
        assert!(example.contains(&format!("{key} = ")), "{key}:\n{example}");
    }
    let file = dir.path().join("humas.toml");
    std::fs::write(&file, &example).unwrap();
    let file_arg = file.to_str().unwrap();

    let from_file = run(dir.path(), &["--config", file_arg, "config", "check"], None).ok();
    let defaults = run(dir.path(), &["config", "check"], None).ok();
    let body = |s: &str| s.lines().skip(1).map(str::to_owned).collect::<Vec<_>>();
    assert!(from_file.stdout.starts_with("configuration ok (file "));
    assert_eq!(body(&from_file.stdout), body(&defaults.stdout));
    assert!(defaults.stdout.contains("127.0.0.1:8080"));
    assert!(
        !dir.path().join("humas-data").exists(),
        "config check touches nothing"
    );

    // The variable names the file too, and flags win over it.
    let via_env = humas(dir.path())
        .env("HUMAS_CONFIG", &file)
        .args(["--province-name", "Provinsi Uji", "config", "check"])
        .output()
        .unwrap();
    let via_env = String::from_utf8_lossy(&via_env.stdout);
    assert!(via_env.contains("Provinsi Uji"), "{via_env}");
}

#[test]
fn config_check_names_a_mistyped_key_and_hides_passwords() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("humas.toml");
    std::fs::write(&file, "bind = \"127.0.0.1:9000\"\nbnid = \"x\"\n").unwrap();
    let bad = run(
        dir.path(),
        &["--config", file.to_str().unwrap(), "config", "check"],
        None,
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(bad.stderr.starts_with("error: "), "{}", bad.stderr);
    assert!(
        bad.stderr.contains("bnid") && bad.stderr.contains("unknown field"),
        "{}",
        bad.stderr
    );

    let url = "postgres://humas:hunter2-secret@db.internal:5432/humas";
    let check = run(
        dir.path(),
        &["config", "check", "--database-url", url],
        None,
    )
    .ok();
    assert!(!check.stdout.contains("hunter2-secret"), "{}", check.stdout);
    assert!(
        check
            .stdout
            .contains("postgres://humas:***@db.internal:5432/humas")
    );

    let missing = run(
        dir.path(),
        &["--config", "nope.toml", "config", "check"],
        None,
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(missing.stderr.contains("nope.toml"), "{}", missing.stderr);
}

#[test]
fn user_add_then_token_create_prints_a_token_once() {
    let dir = tempfile::tempdir().unwrap();
    let added = user_add(dir.path(), &[], "budi.santoso", "supervisor").ok();
    assert!(
        added.stdout.contains("added budi.santoso (supervisor)"),
        "{}",
        added.stdout
    );

    let token = run(
        dir.path(),
        &["user", "token", "create", "budi.santoso", "--name", "ci"],
        None,
    )
    .ok();
    let lines: Vec<&str> = token.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", token.stdout);
    assert!(
        lines[0].starts_with("humas_") && lines[0].len() > 30,
        "{}",
        token.stdout
    );
    assert!(
        !token.stderr.contains(lines[0]),
        "the secret appears only once"
    );

    let nobody = run(dir.path(), &["user", "token", "create", "nobody"], None);
    assert_eq!(nobody.status.code(), Some(1));
    assert!(nobody.stderr.contains("nobody"), "{}", nobody.stderr);
}

#[test]
fn user_add_refuses_bad_input_with_a_helpful_message() {
    let dir = tempfile::tempdir().unwrap();
    let bad_role = user_add(dir.path(), &[], "ani", "boss");
    assert_eq!(bad_role.status.code(), Some(1), "{}", bad_role.stderr);
    for role in [
        "supervisor",
        "approver",
        "operator",
        "leadership",
        "trainer",
        "trainee",
    ] {
        assert!(bad_role.stderr.contains(role), "{}", bad_role.stderr);
    }
    assert_eq!(
        bad_role.stderr.matches("unknown role").count(),
        1,
        "said once: {}",
        bad_role.stderr
    );

    let bad_name = user_add(dir.path(), &[], "x", "supervisor");
    assert_eq!(bad_name.status.code(), Some(1));
    assert!(
        bad_name.stderr.contains("username must be"),
        "{}",
        bad_name.stderr
    );

    let short = run(
        dir.path(),
        &[
            "user",
            "add",
            "--username",
            "ani",
            "--role",
            "supervisor",
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert_eq!(short.status.code(), Some(1));
    assert!(
        short.stderr.contains("password must be"),
        "{}",
        short.stderr
    );

    let no_stdin_flag = run(
        dir.path(),
        &["user", "add", "--username", "ani", "--role", "supervisor"],
        None,
    );
    assert_eq!(no_stdin_flag.status.code(), Some(1));
    assert!(no_stdin_flag.stderr.contains("--password-stdin"));

    let no_opd = user_add(dir.path(), &["--opd", "dinkes"], "ani", "operator");
    assert_eq!(no_opd.status.code(), Some(1));
    assert!(no_opd.stderr.contains("dinkes"), "{}", no_opd.stderr);
}

/// `audit verify` is ok after `user add`, then names entry 1 once `tamper` edits it.
fn audit_verify_detects_tampering(dir: &Path, db: &[&str], tamper: impl FnOnce()) {
    user_add(dir, db, "auditor.satu", "supervisor").ok();
    let mut verify = vec!["audit", "verify"];
    verify.extend_from_slice(db);
    let ok = run(dir, &verify, None).ok();
    let line = ok.stdout.trim();
    let n: i64 = line
        .strip_prefix("ok ")
        .and_then(|s| s.strip_suffix(" entries"))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("unexpected: {line}"));
    assert!(n >= 1, "{line}");

    tamper();

    let broken = run(dir, &verify, None);
    assert_eq!(
        broken.status.code(),
        Some(1),
        "{}{}",
        broken.stdout,
        broken.stderr
    );
    assert!(broken.stdout.starts_with("broken: "), "{}", broken.stdout);
    assert!(broken.stdout.contains("entry 1"), "{}", broken.stdout);
}

#[test]
fn audit_verify_detects_tampering_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db_file: PathBuf = dir.path().join("humas-data").join("humas.db");
    audit_verify_detects_tampering(dir.path(), &[], || {
        runtime().block_on(async {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", db_file.display()))
                .await
                .unwrap();
            sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1")
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        });
    });
}

/// Reads the child's standard output on a thread, line by line.
fn line_reader(stdout: std::process::ChildStdout) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

#[test]
fn serve_with_demo_answers_health_checks_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("stderr.log");
    let mut child = humas(dir.path())
        .args(["serve", "--demo", "--bind", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let lines = line_reader(child.stdout.take().unwrap());
    let stderr = || std::fs::read_to_string(&log).unwrap_or_default();

    let deadline = Instant::now() + Duration::from_secs(180);
    let mut seen = Vec::new();
    let addr = loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => {
                if let Some(addr) = line.strip_prefix("listening on http://") {
                    break addr.trim().to_owned();
                }
                seen.push(line);
            }
            Err(e) => {
                let _ = child.kill();
                panic!(
                    "no listening line ({e}); stdout: {seen:#?}\nstderr:\n{}",
                    stderr()
                );
            }
        }
    };
    let block = seen.join("\n");
    assert!(block.contains("humas-demo-2026"), "{block}");
    assert!(
        block.contains("supervisor") && block.contains("operator.dinkes"),
        "{block}"
    );
    assert!(block.contains(&format!("http://{addr}/")), "{block}");

    let status = runtime().block_on(async {
        let client = reqwest::Client::new();
        client
            .get(format!("http://{addr}/healthz"))
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .map(|r| r.status())
    });
    let status = status.unwrap_or_else(|e| {
        let _ = child.kill();
        panic!("GET /healthz failed: {e}\nstderr:\n{}", stderr())
    });
    assert_eq!(status, reqwest::StatusCode::OK);

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("still running 10 s after SIGTERM\nstderr:\n{}", stderr());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "exit {exit:?}\nstderr:\n{}", stderr());

    // The demo OPDs are there for the command line too.
    let added = user_add(
        dir.path(),
        &["--opd", "dinkes"],
        "operator.baru",
        "operator",
    )
    .ok();
    assert!(added.stdout.contains("OPD dinkes"), "{}", added.stdout);
}

/// A fresh PostgreSQL database for one test, dropped afterwards.
struct PgDb {
    admin_url: String,
    name: String,
    url: String,
}

impl PgDb {
    /// `None` (with a note) when no server answers at the admin URL.
    fn create() -> Option<Self> {
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
            // In CI a missing server is a failure, never a silent skip.
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

    async fn pool(&self) -> sqlx::PgPool {
        sqlx::PgPool::connect(&self.url).await.unwrap()
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

#[test]
fn migrate_user_add_and_audit_verify_on_postgres() {
    let Some(db) = PgDb::create() else { return };
    let dir = tempfile::tempdir().unwrap();
    let args = ["--database-url", db.url.as_str()];

    let migrated = run(dir.path(), &["migrate", args[0], args[1]], None).ok();
    assert!(
        migrated.stdout.contains("PostgreSQL"),
        "{}",
        migrated.stdout
    );
    assert!(
        !dir.path().join("humas-data").exists(),
        "no SQLite file when PostgreSQL is chosen"
    );

    audit_verify_detects_tampering(dir.path(), &args, || {
        runtime().block_on(async {
            let pool = db.pool().await;
            sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1")
                .execute(&pool)
                .await
                .unwrap();
            pool.close().await;
        });
    });
}

#[test]
fn text_analyze_reads_lines_and_ndjson_and_survives_bad_input() {
    use std::io::Write as _;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_humas"))
        .args(["text", "analyze"])
        .env_remove("RUST_LOG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = b"pelayanan dinkes lemot bgt anjirr, 3 hari ga dibales!!!\n".to_vec();
    input.extend_from_slice(
        b"{\"id\": \"k1\", \"text\": \"NIK saya 3578011209900003, wa 0812-3456-7890\"}\n",
    );
    input.extend_from_slice(b"\xff\xfe\n{\"id\": 9}\n");
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[0]["analysis"]["normalized"],
        "pelayanan dinkes lemot banget anjirr 3 hari tidak dibalas !"
    );
    assert_eq!(lines[1]["id"], "k1");
    let kinds: Vec<&str> = lines[1]["analysis"]["pii"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["nik", "phone"]);
    assert!(lines[2]["error"].as_str().unwrap().contains("UTF-8"));
    assert_eq!(lines[3]["id"], 9);
    let first = &lines[0]["analysis"];
    assert!(first["sentiment"]["label"].is_string(), "{first}");
    assert!(first["abusive"]["score"].is_number(), "{first}");
    assert!(first["hate_speech"]["label"].is_boolean(), "{first}");
    assert_eq!(first["threat"]["label"], false, "{first}");
    assert!(
        first["stems"].as_str().unwrap().contains("layan"),
        "{first}"
    );
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("analysed 2 lines, refused 2")
    );
}

#[test]
fn text_bench_reports_its_measurement() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(
        dir.path(),
        &["text", "bench", "--messages", "2000", "--json"],
        None,
    )
    .ok();
    let report: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    assert_eq!(report["messages"], 2000);
    let mean = report["mean_chars"].as_f64().unwrap();
    assert!((100.0..200.0).contains(&mean), "{report}");
    assert!(report["messages_per_second"].as_f64().unwrap() > 0.0);
    let refused = run(dir.path(), &["text", "bench", "--messages", "0"], None);
    assert!(!refused.status.success());
    assert!(refused.stderr.contains("--messages"), "{}", refused.stderr);
}

#[test]
fn text_eval_names_the_missing_data() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(
        dir.path(),
        &["text", "eval", "--data", "no-such-folder"],
        None,
    );
    assert!(!r.status.success());
    assert!(r.stderr.contains("no-such-folder"), "{}", r.stderr);
    assert!(r.stderr.contains("smsa"), "{}", r.stderr);
}

/// A tiny dataset in the real layout, written by the test (no real data needed).
fn write_toy_data(root: &Path) {
    let positive = [
        "enak sekali makanannya",
        "pelayanan ramah dan cepat",
        "mantap, puas sekali",
        "terima kasih, bagus",
    ];
    let negative = [
        "kecewa, pelayanan lambat",
        "makanannya tidak enak",
        "mahal dan kotor",
        "buruk sekali, jangan ke sini",
    ];
    let neutral = [
        "buka jam berapa ya",
        "alamatnya di mana",
        "ada menu apa saja",
        "besok libur tidak",
    ];
    let mut smsa = String::new();
    for i in 0..8 {
        for (texts, label) in [
            (&positive, "positive"),
            (&negative, "negative"),
            (&neutral, "neutral"),
        ] {
            smsa.push_str(&format!("{} {i}\t{label}\n", texts[i % texts.len()]));
        }
    }
    std::fs::create_dir_all(root.join("smsa")).unwrap();
    for split in ["train", "valid", "test"] {
        std::fs::write(
            root.join("smsa").join(format!("{split}_preprocess.tsv")),
            &smsa,
        )
        .unwrap();
    }
    for lang in ["javanese", "madurese"] {
        let dir = root.join("nusax").join("sentiment").join(lang);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("test.csv"), "id,text,label\n1,\"apik tenan\",positive\n2,\"elek\",negative\n3,\"nang endi\",neutral\n").unwrap();
    }
    let mut csv = String::from(
        "Tweet,HS,Abusive,HS_Individual,HS_Group,HS_Religion,HS_Race,HS_Physical,HS_Gender,HS_Other,HS_Weak,HS_Moderate,HS_Strong\n",
    );
    let rows = [
        ("dasar bodoh kau, goblok", "1,1,1,0,0,0,0,0,1,1,0,0"),
        ("kaum itu sesat semua, usir", "1,0,0,1,1,0,0,0,0,0,1,0"),
        ("anjing lu, brengsek", "0,1,0,0,0,0,0,0,0,0,0,0"),
        ("selamat pagi semua, semangat", "0,0,0,0,0,0,0,0,0,0,0,0"),
        (
            "info jadwal vaksin \\xf0\\x9f\\x98\\x82 dong",
            "0,0,0,0,0,0,0,0,0,0,0,0",
        ),
    ];
    for i in 0..12 {
        for (text, labels) in rows {
            csv.push_str(&format!("\"{text} {i}\",{labels}\n"));
        }
    }
    std::fs::create_dir_all(root.join("ibrohim2019-hs-abusive")).unwrap();
    std::fs::write(
        root.join("ibrohim2019-hs-abusive").join("re_dataset.csv"),
        csv,
    )
    .unwrap();
    std::fs::create_dir_all(root.join("sastrawi-kata-dasar")).unwrap();
    std::fs::write(
        root.join("sastrawi-kata-dasar").join("kata-dasar.txt"),
        "makan\nlayan\nbaik\n",
    )
    .unwrap();
}

#[test]
fn text_train_then_eval_on_a_toy_dataset() {
    let dir = tempfile::tempdir().unwrap();
    write_toy_data(&dir.path().join("data"));
    let r = run(
        dir.path(),
        &[
            "text", "train", "--data", "data", "--out", "models", "--seed", "3",
        ],
        None,
    )
    .ok();
    assert!(
        r.stdout.contains("sentiment.hlm") && r.stdout.contains("abuse.hlm"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("hate_speech.religion"), "{}", r.stdout);
    let first = std::fs::read(dir.path().join("models").join("abuse.hlm")).unwrap();
    run(
        dir.path(),
        &[
            "text", "train", "--data", "data", "--out", "again", "--seed", "3",
        ],
        None,
    )
    .ok();
    assert_eq!(
        first,
        std::fs::read(dir.path().join("again").join("abuse.hlm")).unwrap(),
        "same seed, same bytes"
    );

    let r = run(
        dir.path(),
        &[
            "text", "eval", "--data", "data", "--models", "models", "--json",
        ],
        None,
    )
    .ok();
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(report["counts"]["smsa_test"], 24);
    let smsa = report["sentiment_smsa_test"]["macro_f1"].as_f64().unwrap();
    assert!(
        smsa > 0.9,
        "a model evaluated on its own training texts should fit them: {smsa}"
    );
    assert_eq!(report["ibrohim"].as_array().unwrap().len(), 12);
    assert_eq!(
        report["stemmer"]["roots_unchanged"],
        serde_json::json!([3, 3])
    );

    let table = run(
        dir.path(),
        &["text", "eval", "--data", "data", "--models", "models"],
        None,
    )
    .ok();
    assert!(
        table.stdout.contains("sentiment (SmSA test)"),
        "{}",
        table.stdout
    );

    std::fs::write(dir.path().join("models").join("abuse.hlm"), b"not a model").unwrap();
    let broken = run(
        dir.path(),
        &["text", "eval", "--data", "data", "--models", "models"],
        None,
    );
    assert!(!broken.status.success());
    assert!(
        broken.stderr.contains("abuse.hlm") && broken.stderr.contains("not a Humas text model"),
        "{}",
        broken.stderr
    );
}

/// A tiny news site on 127.0.0.1: `/feed/` is an RSS feed with an ETag that answers 304 when
/// the ETag comes back. The server runs as long as the returned runtime lives.
fn start_feed_server() -> (tokio::runtime::Runtime, std::net::SocketAddr) {
    use axum::http::{HeaderMap, StatusCode, header};
    use axum::response::IntoResponse as _;
    const FEED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Warta Rekaan</title><link>https://warta.example/</link>
<item><title>Pelayanan Samsat lemot banget, petugas tidak becus</title>
<link>https://warta.example/samsat</link><pubDate>Sen, 23 Nov 2026 10:00:00 WIB</pubDate>
<description><![CDATA[<p>Warga mengeluh, hubungi <b>0812-3456-7890</b>.</p>]]></description></item>
<item><title>Dinas Kominfo gelar pelatihan literasi digital</title>
<description>Pelatihan berjalan lancar dan bermanfaat.</description></item>
</channel></rss>"#;
    async fn feed(headers: HeaderMap) -> axum::response::Response {
        let etag = [(header::ETAG, "\"v1\"")];
        if headers
            .get(header::IF_NONE_MATCH)
            .is_some_and(|v| v == "\"v1\"")
        {
            return (StatusCode::NOT_MODIFIED, etag).into_response();
        }
        (etag, [(header::CONTENT_TYPE, "application/rss+xml")], FEED).into_response()
    }
    let rt = runtime();
    let addr = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = axum::Router::new().route("/feed/", axum::routing::get(feed));
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        addr
    });
    (rt, addr)
}

#[test]
fn feed_fetch_prints_ndjson_with_analysis_and_polls_with_validators() {
    let (_server, addr) = start_feed_server();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://{addr}/feed/");
    let out = run(
        dir.path(),
        &["feed", "fetch", &url, "--allow-private"],
        None,
    )
    .ok();
    let lines: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2, "{}", out.stdout);
    let first = &lines[0];
    assert_eq!(first["id"], "https://warta.example/samsat");
    assert_eq!(first["id_source"], "link");
    assert_eq!(first["published"], "2026-11-23T03:00:00Z");
    assert_eq!(
        first["summary_text"],
        "Warga mengeluh, hubungi 0812-3456-7890."
    );
    assert_eq!(
        first["analysis"]["sentiment"]["label"], "negative",
        "{first}"
    );
    assert!(
        first["analysis"]["pii"].to_string().contains("phone"),
        "{first}"
    );
    assert_eq!(lines[1]["id_source"], "hash");
    assert!(out.stderr.contains("2 items from"), "{}", out.stderr);
    assert!(out.stderr.contains("etag: \"v1\""), "{}", out.stderr);

    let again = run(
        dir.path(),
        &["feed", "fetch", &url, "--allow-private", "--etag", "\"v1\""],
        None,
    )
    .ok();
    assert_eq!(again.stdout, "");
    assert!(
        again.stderr.contains("0 items, not modified"),
        "{}",
        again.stderr
    );
}

#[test]
fn feed_fetch_refuses_loopback_by_default() {
    let (_server, addr) = start_feed_server();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("http://{addr}/feed/");
    let out = run(dir.path(), &["feed", "fetch", &url], None);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.contains("loopback") && out.stderr.contains("--allow-private"),
        "{}",
        out.stderr
    );
}
