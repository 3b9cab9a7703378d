//! `humas serve`: the web server, the session purger, and graceful shutdown.

use std::future::IntoFuture as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use humas_app::App;
use humas_app::demo::{DEMO_PASSWORD, DemoLogin};
use humas_web::{AppState, WebSettings};
use tokio::net::TcpListener;
use tokio::time::MissedTickBehavior;
use tokio_util::sync::CancellationToken;

use crate::settings::Settings;
use crate::store::OpenStore;

/// How often expired sessions are deleted.
pub const PURGE_EVERY: Duration = Duration::from_secs(10 * 60);

/// How long open connections may take to finish after a shutdown signal.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// The web layer's settings from ours; the rest stay at the web crate's defaults. The Meta
/// webhook secrets come only from the environment (`HUMAS_META_APP_SECRET`,
/// `HUMAS_META_VERIFY_TOKEN`), never from a config file that might be shared or committed.
#[must_use]
pub fn web_settings(settings: &Settings) -> WebSettings {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    WebSettings {
        province_name: settings.province_name.clone(),
        secure_cookies: settings.secure_cookies,
        trust_forwarded_for: settings.trust_forwarded_for,
        meta_app_secret: env("HUMAS_META_APP_SECRET"),
        meta_verify_token: env("HUMAS_META_VERIFY_TOKEN"),
        // The folder kept when `media_store` names no bucket; `serve` passes the store itself
        // (`publisher::media_store`) to the web layer, so both share one either way.
        media_dir: settings.data_dir.join("media"),
        public_url: Some(settings.public_url.trim().to_owned()).filter(|u| !u.is_empty()),
        ..WebSettings::default()
    }
}

/// What [`prepare`] opened.
struct Prepared {
    store: OpenStore,
    listener: TcpListener,
    addr: SocketAddr,
}

/// Creates the data folder, binds the address (so a port in use fails fast), then opens and
/// migrates the database.
async fn prepare(settings: &Settings) -> anyhow::Result<Prepared> {
    std::fs::create_dir_all(&settings.data_dir).with_context(|| {
        format!(
            "cannot create the data folder {}",
            settings.data_dir.display()
        )
    })?;
    let listener = TcpListener::bind(settings.bind)
        .await
        .with_context(|| format!("cannot listen on {}", settings.bind))?;
    let addr = listener
        .local_addr()
        .context("cannot read the listening address")?;
    let store = OpenStore::connect_and_migrate(settings).await?;
    tracing::info!(database = %settings.database()?.describe(), "database ready");
    Ok(Prepared {
        store,
        listener,
        addr,
    })
}

/// Seeds the demo data when asked and the database is empty.
async fn seed_demo(app: &App, settings: &Settings) -> anyhow::Result<Option<Vec<DemoLogin>>> {
    if !settings.demo {
        return Ok(None);
    }
    let seeded = app
        .seed_demo_if_empty()
        .await
        .context("cannot create the demo data")?;
    if seeded.is_none() {
        tracing::info!("demo: the database already has data, nothing was added");
    }
    Ok(seeded)
}

/// Runs the server until SIGINT or SIGTERM, then finishes open requests and returns.
pub async fn serve(settings: Settings) -> anyhow::Result<ExitCode> {
    // Listen for signals first: one that arrives while the database is prepared stops the start
    // cleanly, and one sent by whoever reads the announcement is never missed.
    let shutdown = CancellationToken::new();
    let signal_task = tokio::spawn(Signals::install()?.cancel_on_signal(shutdown.clone()));
    let Prepared {
        store,
        listener,
        addr,
    } = tokio::select! {
        prepared = prepare(&settings) => prepared?,
        () = shutdown.cancelled() => {
            tracing::info!("shut down before the server started");
            return Ok(ExitCode::SUCCESS);
        }
    };
    let fetch_options = humas_feeds::FetchOptions {
        allow_private: settings.allow_private_targets,
        ..humas_feeds::FetchOptions::default()
    };
    let http = humas_connectors::http::Http::new(fetch_options.clone())
        .context("cannot start the HTTP client for the platforms")?;
    let connectors = crate::gateway::Connectors::from_settings(http, &settings)?;
    // One store for the web layer (uploads, public media addresses) and the publisher.
    let media = crate::publisher::media_store(&settings)?;
    let app = {
        let base = crate::build_app(&store, &settings)?;
        let gateway = crate::gateway::ConnectorGateway::new(base.clone(), connectors.clone());
        base.with_gateway(gateway)
    };
    // Not interrupted by a signal: the demo seeding is not one transaction, and a half-seeded
    // database would stay half-seeded (it is no longer empty).
    let demo_logins = seed_demo(&app, &settings).await?;
    if shutdown.is_cancelled() {
        store.close().await;
        tracing::info!("shut down before the server started");
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(logins) = &demo_logins {
        print_demo_logins(logins, addr);
    }
    announce(addr);

    match app.seed_holidays().await {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            days = n,
            "loaded the 2026 national holidays and joint leave days"
        ),
        Err(e) => tracing::warn!(error = %e, "cannot load the 2026 holidays"),
    }
    let purger = tokio::spawn(purge_expired_sessions(app.clone(), shutdown.clone()));
    let every = Duration::from_secs(settings.poll_interval_seconds);
    let workers = [
        tokio::spawn(crate::workers::run_retention(app.clone(), shutdown.clone())),
        tokio::spawn(crate::workers::run_reply_reconciler(
            app.clone(),
            shutdown.clone(),
        )),
        tokio::spawn(crate::workers::run_deadline_alerts(
            app.clone(),
            shutdown.clone(),
        )),
        tokio::spawn(crate::workers::run_platform_poller(
            crate::workers::PlatformPoller::new(app.clone(), connectors.clone()),
            every,
            shutdown.clone(),
        )),
        tokio::spawn(crate::publisher::run_publisher(
            app.clone(),
            connectors.clone(),
            std::sync::Arc::clone(&media),
            crate::publisher::worker_config(&settings, "serve"),
            shutdown.clone(),
        )),
        match crate::workers::FeedPoller::new(app.clone(), fetch_options) {
            Ok(poller) => tokio::spawn(crate::workers::run_feed_poller(
                poller,
                every,
                shutdown.clone(),
            )),
            Err(e) => {
                tracing::warn!(error = %e, "news feeds will not be polled");
                tokio::spawn(async {})
            }
        },
    ];
    let router =
        humas_web::router(AppState::new(app, web_settings(&settings)).with_media_store(media));
    let server = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown.clone().cancelled_owned())
    .into_future();
    let grace_over = {
        let shutdown = shutdown.clone();
        async move {
            shutdown.cancelled().await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        }
    };
    let served = tokio::select! {
        r = server => r.context("the web server failed"),
        () = grace_over => {
            tracing::warn!(grace_secs = SHUTDOWN_GRACE.as_secs(), "connections still open after the grace period; closing them");
            Ok(())
        }
    };

    shutdown.cancel();
    signal_task.abort();
    if let Err(e) = purger.await {
        tracing::warn!(error = %e, "the session purger ended abnormally");
    }
    for worker in workers {
        if let Err(e) = worker.await {
            tracing::warn!(error = %e, "a background worker ended abnormally");
        }
    }
    store.close().await;
    served?;
    tracing::info!("shut down");
    Ok(ExitCode::SUCCESS)
}

/// Deletes expired sessions now and every [`PURGE_EVERY`] until `stop` is cancelled.
async fn purge_expired_sessions(app: App, stop: CancellationToken) {
    let mut tick = tokio::time::interval(PURGE_EVERY);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = stop.cancelled() => break,
            _ = tick.tick() => {
                let now = app.clock().now_us();
                match app.store().purge_expired_sessions(now).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(sessions = n, "purged expired sessions"),
                    Err(e) => tracing::warn!(error = %e, "purging expired sessions failed"),
                }
            }
        }
    }
}

/// The shutdown signals: SIGINT (Ctrl-C) and, on Unix, SIGTERM.
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    /// Registers the handlers now, so a signal arriving from here on is seen.
    fn install() -> anyhow::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                interrupt: signal(SignalKind::interrupt()).context("cannot listen for SIGINT")?,
                terminate: signal(SignalKind::terminate()).context("cannot listen for SIGTERM")?,
            })
        }
        #[cfg(not(unix))]
        {
            Ok(Self {})
        }
    }

    /// Waits for the first signal, logs it and cancels `token`.
    async fn cancel_on_signal(mut self, token: CancellationToken) {
        let name = self.wait().await;
        tracing::info!(signal = name, "shutdown requested");
        token.cancel();
    }

    #[cfg(unix)]
    async fn wait(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }

    #[cfg(not(unix))]
    async fn wait(&mut self) -> &'static str {
        match tokio::signal::ctrl_c().await {
            Ok(()) => "Ctrl-C",
            Err(_) => std::future::pending().await,
        }
    }
}

/// Cancels `token` on the first SIGINT or SIGTERM (for commands other than `serve`).
///
/// # Errors
/// When the signal handlers cannot be installed.
pub async fn cancel_on_signal(token: CancellationToken) -> anyhow::Result<()> {
    Signals::install()?.cancel_on_signal(token).await;
    Ok(())
}

/// The address to type into a browser: a wildcard bind is reachable on loopback.
#[must_use]
pub fn browse_url(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}/", SocketAddr::new(ip, addr.port()))
}

/// Logs the address and prints it on standard output as `listening on http://ADDR`, the line
/// scripts and tests wait for.
#[expect(
    clippy::print_stdout,
    reason = "the listening line is part of the command's output"
)]
fn announce(addr: SocketAddr) {
    tracing::info!(%addr, "listening on http://{addr}");
    println!("listening on http://{addr}");
}

/// Prints the demo sign-ins in a block that stands out from the log.
#[expect(
    clippy::print_stdout,
    reason = "the demo sign-ins are meant for the person who started the server"
)]
fn print_demo_logins(logins: &[DemoLogin], addr: SocketAddr) {
    println!("{}", demo_block(logins, &browse_url(addr)));
}

/// The text of the demo block.
#[must_use]
pub fn demo_block(logins: &[DemoLogin], url: &str) -> String {
    use std::fmt::Write as _;
    let rule = "=".repeat(72);
    let mut out = String::new();
    let _ = writeln!(out, "{rule}");
    let _ = writeln!(
        out,
        "  Humas demo data was created. Do not use this database for real work."
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "  Open:      {url}");
    let _ = writeln!(
        out,
        "  Password:  {DEMO_PASSWORD}   (the same for every demo account)"
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "  {:<20} {:<12} OPD", "USERNAME", "ROLE");
    for l in logins {
        let _ = writeln!(
            out,
            "  {:<20} {:<12} {}",
            l.username,
            l.role.as_str(),
            l.opd.as_deref().unwrap_or("-")
        );
    }
    let _ = write!(out, "{rule}");
    out
}

#[cfg(test)]
mod tests {
    use humas_domain::Role;

    use super::*;

    #[test]
    fn wildcard_binds_are_browsed_on_loopback() {
        assert_eq!(
            browse_url("0.0.0.0:8080".parse().unwrap()),
            "http://127.0.0.1:8080/"
        );
        assert_eq!(browse_url("[::]:80".parse().unwrap()), "http://[::1]:80/");
        assert_eq!(
            browse_url("192.0.2.7:8080".parse().unwrap()),
            "http://192.0.2.7:8080/"
        );
    }

    #[test]
    fn the_demo_block_lists_every_login_and_the_password() {
        let logins = vec![
            DemoLogin {
                username: "supervisor".into(),
                role: Role::Supervisor,
                opd: None,
            },
            DemoLogin {
                username: "operator.dinkes".into(),
                role: Role::Operator,
                opd: Some("dinkes".into()),
            },
        ];
        let block = demo_block(&logins, "http://127.0.0.1:8080/");
        assert!(block.contains(DEMO_PASSWORD));
        assert!(block.contains("http://127.0.0.1:8080/"));
        assert!(
            block.contains("operator.dinkes")
                && block.contains("operator")
                && block.contains("dinkes")
        );
        assert!(
            block
                .lines()
                .any(|l| l.contains("supervisor") && l.trim_end().ends_with('-'))
        );
    }

    #[test]
    fn web_settings_follow_ours() {
        let s = Settings {
            province_name: "Provinsi X".into(),
            secure_cookies: true,
            ..Settings::default()
        };
        let w = web_settings(&s);
        assert_eq!(w.province_name, "Provinsi X");
        assert!(w.secure_cookies);
    }
}
