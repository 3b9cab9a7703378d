//! The publisher: takes due jobs from the durable queue and publishes each channel once.
//!
//! **Exactly once.** Taking a job records the intent to send (`in_doubt`) in the same statement
//! that leases it, before any request leaves. If the worker dies, the lease runs out and the
//! next worker gets the job with `needs_reconcile`: it first asks the platform whether the post
//! is already there ([`PublishGateway::find_published`], or the platform's own idempotency key
//! makes the resend harmless). Where a platform offers no way to look, the job becomes
//! `uncertain` and a person checks the account: Humas never guesses and posts twice.
//!
//! **Retries.** Transient failures (network, time-outs, rate limits, 5xx) are retried with
//! exponential backoff, never sooner than the platform asked; permanent ones (refused text,
//! revoked token) fail at once with the platform's reason.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use humas_domain::publish::{DeliveryState, Post};
use humas_domain::{Account, PostId};
use humas_store::{AuditActor, JobOutcome, PublishJob, StoreError};
use jiff::SignedDuration;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use super::gateway::{
    OutgoingMedia, OutgoingPost, PublishGateway, SendError, SendErrorKind, SendOutcome,
};
use super::media::MediaStore;
use crate::{App, AppError, AppResult};

/// How a worker behaves.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// Its name in leases and logs (unique per process).
    pub name: String,
    /// How long a taken job belongs to this worker before another may take it over.
    pub lease: SignedDuration,
    /// Jobs taken per round.
    pub batch: u32,
    /// Jobs sent at the same time.
    pub concurrency: usize,
    /// Attempts before a job that keeps failing transiently fails for good.
    pub max_attempts: u32,
    /// Longest sleep when nothing is due (so a post due at T leaves within this of T).
    pub idle_poll: Duration,
    /// How often a pending publication (TikTok moderation) is checked.
    pub pending_poll: SignedDuration,
    /// First retry delay; doubled per attempt.
    pub backoff_base: SignedDuration,
    /// Longest retry delay.
    pub backoff_cap: SignedDuration,
    /// Humas's public address (`https://humas.example.go.id`), from which platforms that fetch
    /// media themselves (Instagram, TikTok) read `/media/{id}/{token}`; `None` when Humas is
    /// not reachable from the internet.
    pub public_base_url: Option<String>,
    /// How often engagement of recent posts is read (when the queue is idle).
    pub engagement_every: SignedDuration,
    /// Posts older than this are no longer read.
    pub engagement_window: SignedDuration,
}

impl WorkerConfig {
    /// Defaults for `name`: 2-minute leases, 100 jobs a round, 32 at once, 8 attempts, 200 ms
    /// polling, backoff from 10 s to 30 min.
    #[must_use]
    pub fn named(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            lease: SignedDuration::from_secs(120),
            batch: 100,
            concurrency: 32,
            max_attempts: 8,
            idle_poll: Duration::from_millis(200),
            pending_poll: SignedDuration::from_secs(15),
            backoff_base: SignedDuration::from_secs(10),
            backoff_cap: SignedDuration::from_mins(30),
            public_base_url: None,
            engagement_every: SignedDuration::from_mins(15),
            engagement_window: SignedDuration::from_hours(24 * 7),
        }
    }

    /// The delay before attempt `attempts + 1`, at least what the platform asked.
    #[must_use]
    pub fn backoff(&self, attempts: u32, asked: Option<Duration>) -> SignedDuration {
        let exp = attempts.saturating_sub(1).min(20);
        let base = self.backoff_base.as_secs().max(1);
        let secs = base
            .saturating_mul(1_i64 << exp)
            .min(self.backoff_cap.as_secs());
        let asked = asked
            .and_then(|d| i64::try_from(d.as_secs()).ok())
            .unwrap_or(0);
        SignedDuration::from_secs(secs.max(asked))
    }
}

/// Publishes due jobs until told to stop.
#[derive(Clone)]
pub struct PublishWorker {
    app: App,
    gateway: Arc<dyn PublishGateway>,
    media: Arc<dyn MediaStore>,
    config: WorkerConfig,
}

/// A post's media as read once in a round: the facts and bytes, or why they could not be read.
type MediaLoad = Result<Arc<Vec<OutgoingMedia>>, String>;
/// Filled by the first channel of a post that needs its media; the others wait and share it.
type MediaCell = tokio::sync::OnceCell<MediaLoad>;

/// What one job's attempt decided.
enum Decision {
    Published {
        external_id: Option<String>,
        url: Option<String>,
    },
    Pending(String),
    Retry {
        error: String,
        after: Option<Duration>,
        maybe_sent: bool,
    },
    Fail(String),
    /// Failed because the account must be connected again (its token died).
    Reconnect(String),
    Uncertain(String),
}

impl PublishWorker {
    /// A worker over `app`'s store.
    #[must_use]
    pub fn new(
        app: App,
        gateway: Arc<dyn PublishGateway>,
        media: Arc<dyn MediaStore>,
        config: WorkerConfig,
    ) -> Self {
        Self {
            app,
            gateway,
            media,
            config,
        }
    }

    /// Runs until `stop` turns true: takes due jobs, sends them, sleeps until the next is due
    /// (at most `idle_poll`). Storage errors are logged and retried after a pause.
    pub async fn run(&self, mut stop: watch::Receiver<bool>) {
        // Engagement is read beside the queue, never in its way: a slow platform answering
        // slowly about yesterday's likes must not delay a post due now, nor the shutdown.
        let engagement = {
            let worker = self.clone();
            let mut stop = stop.clone();
            tokio::spawn(async move {
                loop {
                    if *stop.borrow() {
                        return;
                    }
                    if let Err(e) = worker.refresh_engagement().await {
                        tracing::warn!(error = %e, "reading engagement failed");
                    }
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_secs(60)) => {}
                        _ = stop.changed() => {}
                    }
                }
            })
        };
        self.dispatch(&mut stop).await;
        engagement.abort();
    }

    async fn dispatch(&self, stop: &mut watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            let worked = match self.run_once().await {
                Ok(n) => n,
                Err(e) => {
                    tracing::warn!(worker = %self.config.name, error = %e, "publisher round failed");
                    0
                }
            };
            if worked > 0 {
                continue;
            }
            if let Err(e) = self.app.expire_overdue_posts().await {
                tracing::warn!(error = %e, "expiring overdue posts failed");
            }
            let sleep = self.idle_sleep().await;
            tokio::select! {
                () = tokio::time::sleep(sleep) => {}
                _ = stop.changed() => {}
            }
        }
    }

    async fn idle_sleep(&self) -> Duration {
        let now = self.app.clock.now();
        match self.app.store.next_job_at().await {
            Ok(Some(next)) if next > now => {
                let wait = now.duration_until(next).unsigned_abs();
                wait.min(self.config.idle_poll)
            }
            Ok(Some(_)) => Duration::from_millis(20),
            _ => self.config.idle_poll,
        }
    }

    /// Reads the engagement of up to 50 recent published channels whose figures are older than
    /// `engagement_every`; returns how many were read. A platform that cannot report engagement
    /// is skipped quietly; one that fails is tried again next round.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn refresh_engagement(&self) -> AppResult<usize> {
        let now = self.app.clock.now();
        let jobs = self
            .app
            .store
            .jobs_for_engagement(
                now - self.config.engagement_window,
                now - self.config.engagement_every,
                50,
            )
            .await?;
        let mut read = 0;
        for job in jobs {
            let Some(external) = job.external_id.as_deref() else {
                continue;
            };
            let account = match self.app.store.get_account(job.account).await {
                Ok(a) => a,
                Err(StoreError::NotFound(_)) => continue,
                Err(e) => return Err(e.into()),
            };
            match self.gateway.engagement(&account, external).await {
                Ok(figures) => {
                    self.app
                        .store
                        .record_engagement(job.id, &figures, now)
                        .await?;
                    read += 1;
                }
                Err(SendError {
                    kind: SendErrorKind::Unsupported,
                    ..
                }) => {
                    // Recorded as read (zeros are not written): the platform has no figures,
                    // so asking again every round would only cost requests.
                    self.app
                        .store
                        .record_engagement(job.id, &humas_store::EngagementFigures::default(), now)
                        .await?;
                }
                Err(e) => {
                    tracing::debug!(job = %job.id, error = %e, "engagement not read this round");
                }
            }
        }
        Ok(read)
    }

    /// Takes one round of due jobs and sends them; returns how many were taken.
    ///
    /// # Errors
    /// Storage errors taking the jobs.
    pub async fn run_once(&self) -> AppResult<usize> {
        let now = self.app.clock.now();
        let jobs = self
            .app
            .store
            .claim_jobs(&self.config.name, now, self.config.lease, self.config.batch)
            .await?;
        let n = jobs.len();
        let mut posts: HashMap<PostId, (Arc<Post>, Arc<MediaCell>)> = HashMap::new();
        for job in &jobs {
            if let std::collections::hash_map::Entry::Vacant(slot) = posts.entry(job.post) {
                let post = Arc::new(self.app.store.get_post(job.post).await?);
                slot.insert((post, Arc::new(MediaCell::new())));
            }
        }
        // Every job of the round starts at once, at most `concurrency` in flight: a slow
        // platform does not hold back the others.
        let permits = Arc::new(Semaphore::new(self.config.concurrency.max(1)));
        let mut set = JoinSet::new();
        for job in jobs {
            // The channels of one post share one read of its media: a video going to seven
            // accounts is read (and held) once, not seven times.
            let post = posts.get(&job.post).cloned();
            let worker = self.clone();
            let permits = Arc::clone(&permits);
            set.spawn(async move {
                let _permit = permits.acquire_owned().await;
                let id = job.id;
                if let Err(e) = worker.process(job, post).await {
                    tracing::warn!(job = %id, error = %e, "publishing a job failed");
                }
            });
        }
        while set.join_next().await.is_some() {}
        Ok(n)
    }

    async fn process(
        &self,
        job: PublishJob,
        post: Option<(Arc<Post>, Arc<MediaCell>)>,
    ) -> AppResult<()> {
        let Some((post, media)) = post else {
            return Err(AppError::NotFound("post"));
        };
        // The job may have waited for a free slot since it was taken: renew the lease now, and
        // send only if this worker still holds it (after the lease ran out another worker may
        // have taken it over and be sending it already).
        let until = self.app.clock.now() + self.config.lease;
        if !self
            .app
            .store
            .renew_lease(job.id, &self.config.name, until)
            .await?
        {
            tracing::info!(job = %job.id, "lease lost before sending; another worker has the job");
            return Ok(());
        }
        let decision = match self.app.store.get_account(job.account).await {
            Ok(account) => self.decide(&job, &post, &media, &account).await,
            Err(StoreError::NotFound(_)) => {
                Decision::Fail("the account was removed from Humas".to_owned())
            }
            Err(e) => return Err(e.into()),
        };
        self.record(job, decision).await
    }

    async fn outgoing(
        &self,
        job: &PublishJob,
        post: &Post,
        media: &MediaCell,
    ) -> Result<OutgoingPost, String> {
        let channel = post
            .channels
            .iter()
            .find(|c| c.account == job.account)
            .ok_or_else(|| "the channel is no longer part of the post".to_owned())?;
        let media = media.get_or_init(|| self.load_media(post)).await.clone()?;
        Ok(OutgoingPost {
            text: channel.effective_text(&post.body).as_str().to_owned(),
            media: media.as_ref().clone(),
            idempotency_key: job.idempotency_key.clone(),
            intent_at: job.intent_at.unwrap_or(job.updated_at),
        })
    }

    /// Reads a post's media (facts and bytes) once for all its channels.
    async fn load_media(&self, post: &Post) -> MediaLoad {
        let mut media = Vec::with_capacity(post.media.len());
        for id in &post.media {
            let asset = self
                .app
                .store
                .get_media(*id)
                .await
                .map_err(|e| format!("the medium {id} cannot be read: {e}"))?;
            let bytes = self
                .media
                .get(&asset.storage_key)
                .await
                .map_err(|e| format!("the file of {} cannot be read: {e}", asset.file_name))?;
            let public_url = self.config.public_base_url.as_deref().map(|base| {
                format!(
                    "{}/media/{}/{}",
                    base.trim_end_matches('/'),
                    asset.id,
                    self.app.public_media_token(asset.id)
                )
            });
            media.push(OutgoingMedia {
                asset,
                bytes: Arc::new(bytes),
                public_url,
            });
        }
        Ok(Arc::new(media))
    }

    async fn decide(
        &self,
        job: &PublishJob,
        post: &Post,
        media: &MediaCell,
        account: &Account,
    ) -> Decision {
        if job.state == DeliveryState::Processing {
            let handle = job.pending_handle.clone().unwrap_or_default();
            return match self.gateway.check_pending(account, &handle).await {
                Ok(outcome) => outcome_decision(outcome),
                Err(e) => error_decision(e),
            };
        }
        let out = match self.outgoing(job, post, media).await {
            Ok(out) => out,
            Err(reason) => return Decision::Fail(reason),
        };
        if job.needs_reconcile {
            match self.gateway.find_published(account, &out).await {
                Ok(Some(found)) => {
                    return Decision::Published {
                        external_id: Some(found.external_id),
                        url: found.url,
                    };
                }
                Ok(None) => {}
                Err(SendError {
                    kind: SendErrorKind::Unsupported,
                    ..
                }) => {
                    return Decision::Uncertain(format!(
                        "Humas stopped while sending and {} gives no way to check: look at the account and confirm the post or send it again",
                        account.platform
                    ));
                }
                Err(e) => return error_decision(e),
            }
        }
        match self.gateway.publish(account, &out).await {
            Ok(outcome) => outcome_decision(outcome),
            Err(e) => error_decision(e),
        }
    }

    async fn record(&self, job: PublishJob, decision: Decision) -> AppResult<()> {
        let now = self.app.clock.now();
        let mut reconnect = false;
        let account_id = job.account;
        let mut next = PublishJob {
            lease_until: None,
            updated_at: now,
            ..job
        };
        match decision {
            Decision::Published { external_id, url } => {
                next.state = DeliveryState::Published;
                next.external_id = external_id.or(next.external_id);
                next.url = url.or(next.url);
                next.published_at = Some(now);
                next.in_doubt = false;
                next.last_error = None;
            }
            Decision::Pending(handle) => {
                next.state = DeliveryState::Processing;
                next.pending_handle = Some(handle);
                next.in_doubt = false;
                next.next_attempt_at = now + self.config.pending_poll;
            }
            Decision::Retry {
                error,
                after,
                maybe_sent,
            } => {
                if next.attempts >= self.config.max_attempts {
                    next.state = if maybe_sent || next.in_doubt && next.needs_reconcile {
                        DeliveryState::Uncertain
                    } else {
                        DeliveryState::Failed
                    };
                    next.last_error = Some(format!(
                        "{error} (gave up after {} attempts)",
                        next.attempts
                    ));
                } else {
                    next.state = if next.state == DeliveryState::Processing {
                        DeliveryState::Processing
                    } else {
                        DeliveryState::Scheduled
                    };
                    next.in_doubt = maybe_sent;
                    next.last_error = Some(error);
                    next.next_attempt_at = now + self.config.backoff(next.attempts, after);
                }
            }
            Decision::Fail(reason) => {
                next.state = DeliveryState::Failed;
                next.in_doubt = false;
                next.last_error = Some(reason);
            }
            Decision::Reconnect(reason) => {
                next.state = DeliveryState::Failed;
                next.in_doubt = false;
                next.last_error = Some(reason);
                reconnect = true;
            }
            Decision::Uncertain(reason) => {
                next.state = DeliveryState::Uncertain;
                next.last_error = Some(reason);
            }
        }
        let by = AuditActor::system();
        if reconnect {
            self.mark_token_expired(&by, account_id).await?;
        }
        match self
            .app
            .store
            .finish_job(
                &by,
                &JobOutcome {
                    job: &next,
                    worker: &self.config.name,
                },
            )
            .await
        {
            Ok(()) => Ok(()),
            // Our lease ran out and another worker took the job: its outcome stands.
            Err(StoreError::Conflict(_)) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }
}

impl PublishWorker {
    /// Shows on the account that its token died, so the account pages and the queue say why
    /// and who must act (audited as an account change by the system).
    async fn mark_token_expired(
        &self,
        by: &AuditActor,
        id: humas_domain::AccountId,
    ) -> AppResult<()> {
        let account = self.app.store.get_account(id).await?;
        if account.status == humas_domain::AccountStatus::TokenExpired {
            return Ok(());
        }
        let expired = Account {
            status: humas_domain::AccountStatus::TokenExpired,
            ..account
        };
        self.app.store.update_account(by, &expired).await?;
        Ok(())
    }
}

fn outcome_decision(outcome: SendOutcome) -> Decision {
    match outcome {
        SendOutcome::Published(p) => Decision::Published {
            external_id: Some(p.external_id),
            url: p.url,
        },
        SendOutcome::Pending(handle) => Decision::Pending(handle),
    }
}

fn error_decision(e: SendError) -> Decision {
    match e.kind {
        SendErrorKind::Transient {
            retry_after,
            maybe_sent,
        } => Decision::Retry {
            error: e.message,
            after: retry_after,
            maybe_sent,
        },
        SendErrorKind::Permanent | SendErrorKind::Unsupported => Decision::Fail(e.message),
        SendErrorKind::Reconnect => Decision::Reconnect(e.message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_honours_the_platform() {
        let c = WorkerConfig::named("t");
        assert_eq!(c.backoff(1, None).as_secs(), 10);
        assert_eq!(c.backoff(2, None).as_secs(), 20);
        assert_eq!(c.backoff(4, None).as_secs(), 80);
        assert_eq!(c.backoff(30, None).as_secs(), 1_800);
        assert_eq!(c.backoff(1, Some(Duration::from_secs(35))).as_secs(), 35);
    }
}
