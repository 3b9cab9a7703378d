//! The publisher as a background task of `humas serve`, and as its own process
//! (`humas worker`): several workers may run against one PostgreSQL database, each taking
//! different jobs (`FOR UPDATE SKIP LOCKED`), so publishing scales past one machine.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use humas_app::App;
use humas_app::publish::worker::{PublishWorker, WorkerConfig};
use humas_app::publish::{FsMediaStore, MediaStore};
use tokio_util::sync::CancellationToken;

use crate::gateway::{ConnectorPublishGateway, Connectors};
use crate::settings::Settings;

/// Where uploaded media live: the S3-compatible bucket `media_store` names, else
/// `<data_dir>/media`. The web layer and every publisher must share it (uploads are written by
/// one and read by the other).
///
/// # Errors
/// When `media_store` is not a valid `s3://` URL, or the HTTP client for it cannot start.
pub fn media_store(settings: &Settings) -> anyhow::Result<Arc<dyn MediaStore>> {
    let Some(config) = settings.s3_media()? else {
        return Ok(Arc::new(FsMediaStore::new(
            &settings.data_dir.join("media"),
        )));
    };
    let description = config.describe();
    let store = crate::s3::S3MediaStore::new(config)
        .with_context(|| format!("cannot use the media store: {description}"))?;
    tracing::info!(media = %description, "media are kept in an S3-compatible store");
    Ok(Arc::new(store))
}

/// The publisher's configuration from the settings, under a name unique to this process
/// (readable in leases and logs).
#[must_use]
pub fn worker_config(settings: &Settings, kind: &str) -> WorkerConfig {
    let name = format!(
        "{kind}-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    );
    let mut config = WorkerConfig::named(&name);
    let public = settings.public_url.trim();
    config.public_base_url = (!public.is_empty()).then(|| public.to_owned());
    config.lease = jiff::SignedDuration::from_secs(
        i64::try_from(settings.publish_lease_seconds).unwrap_or(i64::MAX),
    );
    config
}

/// Runs a publisher until `stop` is cancelled.
pub async fn run_publisher(
    app: App,
    connectors: Arc<Connectors>,
    media: Arc<dyn MediaStore>,
    config: WorkerConfig,
    stop: CancellationToken,
) {
    let name = config.name.clone();
    let gateway = ConnectorPublishGateway::new(app.clone(), connectors);
    let worker = PublishWorker::new(app, gateway, media, config);
    let (tx, rx) = tokio::sync::watch::channel(false);
    let bridge = tokio::spawn(async move {
        stop.cancelled().await;
        let _ = tx.send(true);
    });
    tracing::info!(worker = %name, "publisher started");
    worker.run(rx).await;
    bridge.abort();
    tracing::info!(worker = %name, "publisher stopped");
}

/// `humas worker`: only the publisher, until SIGINT or SIGTERM.
///
/// # Errors
/// When the database, the media store or the HTTP client cannot be opened.
pub async fn worker_command(settings: &Settings) -> anyhow::Result<ExitCode> {
    let media = media_store(settings)?;
    let store = crate::store::OpenStore::connect_and_migrate(settings).await?;
    let app = crate::build_app(&store, settings)?;
    let fetch_options = humas_feeds::FetchOptions {
        allow_private: settings.allow_private_targets,
        ..humas_feeds::FetchOptions::default()
    };
    let http = humas_connectors::http::Http::new(fetch_options)
        .context("cannot start the HTTP client for the platforms")?;
    let connectors = Connectors::from_settings(http, settings)?;
    let stop = CancellationToken::new();
    let signals = tokio::spawn(crate::serve::cancel_on_signal(stop.clone()));
    run_publisher(
        app,
        connectors,
        media,
        worker_config(settings, "worker"),
        stop,
    )
    .await;
    signals.abort();
    store.close().await;
    Ok(ExitCode::SUCCESS)
}
