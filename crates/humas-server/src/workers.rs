//! Background work of `humas serve`: polling news feeds into the inbox, applying retention and
//! raising deadline warnings.
//!
//! Each poll fetches with the validators saved last time (conditional GET), turns the items into
//! inbound messages and hands them to [`App::ingest`] together with the new validators, so the
//! messages and the cursor are stored in one transaction: a crash between fetch and store just
//! means the same items are fetched again, and deduplication by item id stores them once.

use std::collections::HashMap;
use std::time::Duration;

use humas_app::App;
use humas_domain::inbox::{Author, ExternalId, Inbound, MessageKind};
use humas_domain::{Account, AccountId, AccountStatus, Platform};
use humas_feeds::fetch::{FetchError, FetchOptions, FetchOutcome, Fetcher, Validators};
use humas_feeds::parse::{Feed, Item, parse_feed_at};
use humas_store::{AuditActor, Cursor};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// The shortest poll interval accepted: platforms rate-limit, and feeds change slowly.
pub const MIN_POLL_INTERVAL: Duration = Duration::from_secs(10);

/// How often retention runs.
pub const RETENTION_EVERY: Duration = Duration::from_secs(24 * 60 * 60);

/// The cursor key under which a feed's validators are saved.
pub const VALIDATORS_KEY: &str = "feed_validators";

/// What one poll of one feed did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FeedPollReport {
    /// The server said nothing changed (HTTP 304).
    pub not_modified: bool,
    /// Items in the feed.
    pub items: usize,
    /// New messages stored.
    pub inserted: usize,
    /// Items already stored.
    pub duplicates: u64,
    /// Items that could not become messages, with the reason.
    pub rejected: Vec<String>,
}

/// Why a poll failed.
#[derive(Debug, thiserror::Error)]
pub enum PollError {
    /// Fetching failed (refused address, HTTP error, rate limit…).
    #[error("{0}")]
    Fetch(#[from] FetchError),
    /// The body is not a feed.
    #[error("{0}")]
    Feed(#[from] humas_feeds::FeedError),
    /// Storing failed.
    #[error("{0}")]
    App(#[from] humas_app::AppError),
}

#[derive(Serialize, Deserialize, Default)]
struct SavedValidators {
    etag: Option<String>,
    last_modified: Option<String>,
}

/// Polls RSS/Atom accounts.
#[derive(Clone)]
pub struct FeedPoller {
    app: App,
    fetcher: Fetcher,
}

impl FeedPoller {
    /// A poller with the given fetch options (SSRF rules, timeouts).
    ///
    /// # Errors
    /// When the HTTP client cannot start.
    pub fn new(app: App, options: FetchOptions) -> Result<Self, FetchError> {
        Ok(Self {
            app,
            fetcher: Fetcher::new(options)?,
        })
    }

    /// Polls one feed account once.
    ///
    /// # Errors
    /// [`PollError`]; the saved validators are left as they were, so the next poll repeats.
    pub async fn poll(&self, account: &Account) -> Result<FeedPollReport, PollError> {
        let store = self.app.store();
        let saved: SavedValidators = store
            .cursor(account.id, VALIDATORS_KEY)
            .await
            .map_err(humas_app::AppError::from)?
            .and_then(|raw| serde_json::from_str(&raw).ok())
            .unwrap_or_default();
        let previous = Validators {
            etag: saved.etag,
            last_modified: saved.last_modified,
        };
        let url = account.handle.as_ref();
        let fetched = match self.fetcher.fetch(url, &previous).await? {
            FetchOutcome::NotModified(_) => {
                return Ok(FeedPollReport {
                    not_modified: true,
                    ..FeedPollReport::default()
                });
            }
            FetchOutcome::Fetched(f) => f,
        };
        let now = self.app.clock().now();
        let feed = parse_feed_at(&fetched.body, fetched.content_type.as_deref(), now)?;
        let cursor = Cursor {
            account: account.id,
            key: VALIDATORS_KEY.to_owned(),
            value: serde_json::json!({
                "etag": fetched.validators.etag,
                "last_modified": fetched.validators.last_modified,
            })
            .to_string(),
        };
        let mut report = FeedPollReport {
            items: feed.items.len(),
            ..FeedPollReport::default()
        };
        let mut inbound = Vec::with_capacity(feed.items.len());
        for item in &feed.items {
            match item_to_inbound(&feed, item, url, now) {
                Ok(m) => inbound.push(m),
                Err(reason) => report.rejected.push(format!("{}: {reason}", item.id)),
            }
        }
        let stored = self
            .app
            .ingest(&AuditActor::system(), account, inbound, Some(cursor))
            .await?;
        report.inserted = stored.inserted.len();
        report.duplicates = stored.duplicates;
        Ok(report)
    }
}

/// A feed item as an inbound news message.
///
/// # Errors
/// The reason an item cannot be a message (no title and no text, say).
pub fn item_to_inbound(
    feed: &Feed,
    item: &Item,
    feed_url: &str,
    now: Timestamp,
) -> Result<Inbound, String> {
    // Item ids are usually URLs; a very long one is replaced by its hash so it fits the
    // platform-id limit and stays stable.
    let external_id = ExternalId::parse(&item.id)
        .or_else(|_| ExternalId::parse(&hex::encode(Sha256::digest(item.id.as_bytes()))))
        .map_err(|e| e.to_string())?;
    let outlet = item
        .author
        .as_deref()
        .filter(|a| !a.trim().is_empty())
        .or(feed.title.as_deref())
        .unwrap_or(feed_url);
    let outlet: String = outlet.chars().take(200).collect();
    let author = Author::parse(
        &outlet,
        feed.title.as_deref().map(|t| {
            let end = t.char_indices().nth(200).map_or(t.len(), |(i, _)| i);
            &t[..end]
        }),
    )
    .map_err(|e| e.to_string())?;
    Inbound {
        platform: Platform::Rss,
        external_id,
        kind: MessageKind::News,
        author,
        text: item.summary_text.clone().unwrap_or_default(),
        title: item.title.clone(),
        permalink: item.url.clone(),
        parent_external_id: None,
        thread_external_id: None,
        published_at: item.published.unwrap_or(now),
    }
    .checked(now)
    .map_err(|e| e.to_string())
}

/// Polls every active feed account every `every` (after a failure where the site asked us to
/// retry later, never sooner than it asked) until shutdown.
pub async fn run_feed_poller(poller: FeedPoller, every: Duration, shutdown: CancellationToken) {
    let every = every.max(MIN_POLL_INTERVAL);
    let mut not_before: HashMap<AccountId, Instant> = HashMap::new();
    loop {
        match poller.app.store().list_accounts(None).await {
            Ok(accounts) => {
                for account in accounts
                    .iter()
                    .filter(|a| a.platform == Platform::Rss && a.status == AccountStatus::Active)
                {
                    if shutdown.is_cancelled() {
                        return;
                    }
                    if not_before
                        .get(&account.id)
                        .is_some_and(|t| *t > Instant::now())
                    {
                        continue;
                    }
                    poll_and_log(&poller, account, &mut not_before).await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "feed poller: cannot list accounts"),
        }
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            () = shutdown.cancelled() => return,
        }
    }
}

async fn poll_and_log(
    poller: &FeedPoller,
    account: &Account,
    not_before: &mut HashMap<AccountId, Instant>,
) {
    match poller.poll(account).await {
        Ok(r) => {
            for reason in &r.rejected {
                tracing::info!(account = %account.id, reason, "feed item rejected");
            }
            tracing::info!(
                account = %account.id,
                not_modified = r.not_modified,
                items = r.items,
                inserted = r.inserted,
                duplicates = r.duplicates,
                "feed polled"
            );
        }
        Err(e) => {
            let wait = match &e {
                PollError::Fetch(
                    FetchError::RateLimited { retry_after }
                    | FetchError::Unavailable { retry_after },
                ) => *retry_after,
                _ => None,
            };
            if let Some(wait) = wait {
                not_before.insert(account.id, Instant::now() + wait);
            }
            tracing::warn!(account = %account.id, error = %e, "feed poll failed");
        }
    }
}

/// Applies retention once a day until shutdown.
pub async fn run_retention(app: App, shutdown: CancellationToken) {
    loop {
        match app.apply_retention().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(erased = n, "retention: message texts erased"),
            Err(e) => tracing::warn!(error = %e, "retention failed"),
        }
        tokio::select! {
            () = tokio::time::sleep(RETENTION_EVERY) => {}
            () = shutdown.cancelled() => return,
        }
    }
}

/// How long a reply may stay `sending` before it counts as interrupted (a send takes seconds;
/// the platform clients give up long before this).
pub const REPLY_SEND_LIMIT: jiff::SignedDuration = jiff::SignedDuration::from_mins(10);

/// Every minute, hands replies left `sending` by a crash to a person (see
/// `App::settle_stuck_replies`), until `shutdown` is cancelled.
pub async fn run_reply_reconciler(app: App, shutdown: CancellationToken) {
    loop {
        match app.settle_stuck_replies(REPLY_SEND_LIMIT).await {
            Ok(0) => {}
            Ok(n) => tracing::warn!(
                replies = n,
                "replies interrupted while sending: marked failed for a person to check"
            ),
            Err(e) => tracing::warn!(error = %e, "checking replies left sending failed"),
        }
        tokio::select! {
            () = tokio::time::sleep(Duration::from_secs(60)) => {}
            () = shutdown.cancelled() => return,
        }
    }
}

/// How often deadline warnings are raised.
pub const DEADLINE_ALERTS_EVERY: Duration = Duration::from_secs(60);

/// Raises deadline warnings as events every minute (see `App::raise_deadline_events`). Any
/// number of `humas serve` processes may run it against one database: each warning is raised
/// once, and a sweep that fails is repeated over the same range by the next.
pub async fn run_deadline_alerts(app: App, shutdown: CancellationToken) {
    loop {
        let now = app.clock().now();
        match app.raise_deadline_events(now).await {
            Ok(r) if r.due_soon + r.overdue > 0 => tracing::info!(
                due_soon = r.due_soon,
                overdue = r.overdue,
                judged = r.judged,
                "deadline warnings raised"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "raising deadline warnings failed"),
        }
        tokio::select! {
            () = tokio::time::sleep(DEADLINE_ALERTS_EVERY) => {}
            () = shutdown.cancelled() => return,
        }
    }
}

/// Pages read from one account in one round, so one busy account cannot starve the rest.
pub const MAX_PAGES_PER_ROUND: usize = 20;

/// The cursor key of platform polling.
pub const POLL_KEY: &str = "poll";

/// What one round on one platform account did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlatformPollReport {
    /// Pages read.
    pub pages: usize,
    /// New messages stored.
    pub inserted: usize,
    /// Already stored.
    pub duplicates: u64,
    /// Items refused, with the reason.
    pub rejected: Vec<String>,
}

/// Why a platform round failed.
#[derive(Debug, thiserror::Error)]
pub enum PlatformPollError {
    /// No connector could be built (no credentials, unsupported platform).
    #[error("{0}")]
    Connect(#[from] crate::gateway::ConnectError),
    /// The platform refused or failed.
    #[error("{0}")]
    Platform(#[from] humas_connectors::ConnectorError),
    /// Storing failed.
    #[error("{0}")]
    App(#[from] humas_app::AppError),
}

/// Polls connected social-media accounts.
#[derive(Clone)]
pub struct PlatformPoller {
    app: App,
    connectors: std::sync::Arc<crate::gateway::Connectors>,
}

impl PlatformPoller {
    /// A poller sharing its connectors (and their sessions) with the reply gateway.
    #[must_use]
    pub const fn new(app: App, connectors: std::sync::Arc<crate::gateway::Connectors>) -> Self {
        Self { app, connectors }
    }

    /// Reads what is new on one account, page by page; each page is stored with its cursor in
    /// one transaction, so an interruption resumes from the last stored page.
    ///
    /// # Errors
    /// [`PlatformPollError`]; pages stored before the error stay stored.
    pub async fn poll(&self, account: &Account) -> Result<PlatformPollReport, PlatformPollError> {
        let connector = self.connectors.get(&self.app, account).await?;
        let store = self.app.store();
        let mut cursor = store
            .cursor(account.id, POLL_KEY)
            .await
            .map_err(humas_app::AppError::from)?;
        let mut report = PlatformPollReport::default();
        for _ in 0..MAX_PAGES_PER_ROUND {
            let Some(poller) = connector.poller() else {
                return Err(PlatformPollError::Platform(
                    humas_connectors::ConnectorError::Unsupported("reading messages"),
                ));
            };
            let page = poller.poll(cursor.as_deref()).await?;
            report.pages += 1;
            report.rejected.extend(
                page.rejected
                    .iter()
                    .map(|r| format!("{}: {}", r.external_id.as_deref().unwrap_or("?"), r.reason)),
            );
            let saved = page.cursor.clone().map(|value| Cursor {
                account: account.id,
                key: POLL_KEY.to_owned(),
                value,
            });
            if page.messages.is_empty() {
                if let Some(c) = &saved {
                    store
                        .set_cursor(c)
                        .await
                        .map_err(humas_app::AppError::from)?;
                }
            } else {
                let stored = self
                    .app
                    .ingest(&AuditActor::system(), account, page.messages, saved)
                    .await?;
                report.inserted += stored.inserted.len();
                report.duplicates += stored.duplicates;
            }
            if let Some(c) = page.cursor {
                cursor = Some(c);
            }
            if !page.more {
                break;
            }
        }
        Ok(report)
    }

    /// Marks an account whose token expired, so the OPD sees it must reconnect.
    async fn mark_token_expired(&self, account: &Account) {
        let mut changed = account.clone();
        changed.status = AccountStatus::TokenExpired;
        if let Err(e) = self
            .app
            .store()
            .update_account(&AuditActor::system(), &changed)
            .await
        {
            tracing::warn!(account = %account.id, error = %e, "cannot mark the account's token as expired");
        }
    }
}

/// Polls every active, connected platform account every `every` until shutdown (webhooks
/// deliver sooner; polling is the catch-up that makes a missed webhook harmless).
pub async fn run_platform_poller(
    poller: PlatformPoller,
    every: Duration,
    shutdown: CancellationToken,
) {
    let every = every.max(MIN_POLL_INTERVAL);
    let mut not_before: HashMap<AccountId, Instant> = HashMap::new();
    loop {
        match poller.app.store().list_accounts(None).await {
            Ok(accounts) => {
                for account in accounts
                    .iter()
                    .filter(|a| a.platform != Platform::Rss && a.status == AccountStatus::Active)
                {
                    if shutdown.is_cancelled() {
                        return;
                    }
                    if not_before
                        .get(&account.id)
                        .is_some_and(|t| *t > Instant::now())
                    {
                        continue;
                    }
                    match poller.poll(account).await {
                        Ok(r) => {
                            for reason in &r.rejected {
                                tracing::info!(account = %account.id, reason, "platform item rejected");
                            }
                            if r.inserted > 0 {
                                tracing::info!(account = %account.id, pages = r.pages, inserted = r.inserted, duplicates = r.duplicates, "platform polled");
                            }
                        }
                        Err(PlatformPollError::Platform(
                            humas_connectors::ConnectorError::TokenExpired(why),
                        )) => {
                            tracing::warn!(account = %account.id, why, "access token expired");
                            poller.mark_token_expired(account).await;
                        }
                        Err(PlatformPollError::Platform(
                            humas_connectors::ConnectorError::RateLimited { retry_after, .. }
                            | humas_connectors::ConnectorError::Unavailable { retry_after, .. },
                        )) => {
                            let wait = retry_after.unwrap_or(every);
                            not_before.insert(account.id, Instant::now() + wait);
                            tracing::info!(account = %account.id, wait_secs = wait.as_secs(), "platform asked us to wait");
                        }
                        Err(PlatformPollError::Connect(e)) => {
                            tracing::debug!(account = %account.id, error = %e, "account not connected");
                        }
                        Err(e) => {
                            tracing::warn!(account = %account.id, error = %e, "platform poll failed")
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "platform poller: cannot list accounts"),
        }
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            () = shutdown.cancelled() => return,
        }
    }
}
