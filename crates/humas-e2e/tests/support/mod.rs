//! What both browser tests need: the browser binaries, a chromedriver started on a free port
//! in its own process group (ended with every chromium it started), polling waits, and where
//! screenshots go.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test support: a failing unwrap is a failing test with a line number"
)]

use std::future::Future;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

pub const CHROMIUM: &str = "/usr/bin/chromium";

pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The longest any single wait (an element, a page, chromedriver) may take.
pub const WAIT: Duration = Duration::from_secs(10);

/// Whether chromium and chromedriver are here. Missing on a laptop: a notice and a skip. Missing
/// in CI: a failure, so the browser test cannot quietly stop running.
pub fn browser_installed() -> bool {
    let missing: Vec<&str> = [CHROMIUM, CHROMEDRIVER]
        .into_iter()
        .filter(|p| !Path::new(p).exists())
        .collect();
    if missing.is_empty() {
        return true;
    }
    let ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty());
    assert!(
        !ci,
        "the browser test needs {} but it is missing: `.ci/run` must install the Debian packages \
         chromium and chromium-driver (apt-get install -y chromium chromium-driver)",
        missing.join(" and ")
    );
    eprintln!(
        "notice: skipping the browser test because {} is missing; install the Debian packages \
         chromium and chromium-driver to run it",
        missing.join(" and ")
    );
    false
}

/// Where the test leaves files for a human to look at: `target/e2e`.
pub fn artifacts_dir() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .unwrap();
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| workspace.join("target"), PathBuf::from);
    target.join("e2e")
}

/// Polls `check` until it yields a value, for at most [`WAIT`].
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + WAIT;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "gave up after {WAIT:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// chromedriver on a free port, with the chromium it starts. Dropping it kills both, also when
/// the test fails half-way.
pub struct Chromedriver {
    child: Child,
    port: u16,
    /// The browser profile; removed after the processes are gone.
    profile: tempfile::TempDir,
}

impl Chromedriver {
    pub async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let profile = tempfile::tempdir().unwrap();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Its own process group, so the guard can end chromium together with chromedriver.
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}"));
        let driver = Self {
            child,
            port,
            profile,
        };
        eventually("chromedriver to answer /status", || driver.ready()).await;
        driver
    }

    /// `Some(())` once chromedriver says it is ready for a session.
    async fn ready(&self) -> Option<()> {
        let probe = async {
            let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", self.port))
                .await
                .ok()?;
            let request = format!(
                "GET /status HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
                self.port
            );
            stream.write_all(request.as_bytes()).await.ok()?;
            // chromedriver may keep the connection open: stop as soon as the body is whole JSON.
            let mut response = Vec::new();
            let mut chunk = [0_u8; 4096];
            loop {
                let n = stream.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                response.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&response);
                if let Some((_, body)) = text.split_once("\r\n\r\n")
                    && let Ok(status) = serde_json::from_str::<Value>(body)
                {
                    return (status["value"]["ready"] == json!(true)).then_some(());
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(1), probe)
            .await
            .ok()
            .flatten()
    }

    pub async fn connect(&self) -> Client {
        let args = [
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            format!("--user-data-dir={}", self.profile.path().display()),
        ];
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": CHROMIUM, "args": args }),
        );
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await
            .unwrap_or_else(|e| panic!("chromedriver cannot start chromium: {e}"));
        client.set_window_size(1280, 900).await.unwrap();
        client
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        // The whole group: chromedriver and every chromium process it started.
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill")
            .args(["-KILL", "--", &group])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
