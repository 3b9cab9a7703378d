//! Publishing: compose once for many channels, approve along the OPD's chain, schedule, and let
//! the [`worker`] publish each channel exactly once.
//!
//! A post is written as a draft ([`App::create_post`], [`App::update_post`]), checked against
//! every channel's platform rules and the coach ([`App::check_post`]), submitted
//! ([`App::submit_post`]), approved step by step ([`App::approve_post`]) or sent back
//! ([`App::reject_post`]). The approval that completes the chain enqueues one job per channel
//! in the same transaction; a supervisor may skip the chain ([`App::emergency_publish`]), which
//! the audit log flags. A post whose time passes in review expires ([`App::expire_overdue_posts`]).

pub mod calendar;
pub mod coach;
pub mod gateway;
pub mod media;
pub mod narrative;
pub mod worker;

use std::collections::HashMap;

use humas_domain::publish::chain::{self, Approval, ApprovalChain, ApprovalStep, Progress};
use humas_domain::publish::limits::{self, Measure, MediaFacts, Problem, Severity};
use humas_domain::publish::{
    Channel, DeliveryState, MAX_CHANNELS, MAX_MEDIA, Post, PostState, PostText, parse_title, zone,
};
use humas_domain::{
    AccountId, AccountStatus, Actor, MediaId, OpdId, Platform, PostId, PublishJobId, Role, UserId,
    UserZone,
};
use humas_store::{MediaAsset, PostApproval, PostChange, PostQuery, PublishJob};
use jiff::Timestamp;

use crate::{App, AppError, AppResult, audit_actor};

pub use coach::Hint;
pub use gateway::{
    OutgoingMedia, OutgoingPost, PublishGateway, PublishedRef, SendError, SendErrorKind,
    SendOutcome,
};
pub use media::{FsMediaStore, MediaStore};
pub use narrative::{NarrativeInput, NarrativeTracking, TrackedChannel, TrackedOpd};

/// The label of the one-step chain an OPD without its own chain uses.
pub const DEFAULT_STEP_LABEL: &str = "Penanggung jawab";

/// One channel as a form or API gives it.
#[derive(Clone, Debug)]
pub struct ChannelInput {
    /// The account.
    pub account: AccountId,
    /// Its own text; `None` or empty inherits the base text.
    pub text: Option<String>,
}

/// A post as a form or API gives it.
#[derive(Clone, Debug)]
pub struct PostInput {
    /// Internal title.
    pub title: String,
    /// Base text.
    pub body: String,
    /// Channels.
    pub channels: Vec<ChannelInput>,
    /// Media, in order.
    pub media: Vec<MediaId>,
    /// Local date and time (`2026-12-01T09:30`), empty for "as soon as approved".
    pub schedule: Option<String>,
    /// The zone `schedule` is written in.
    pub zone: UserZone,
}

/// The rules one channel breaks (or nearly breaks).
#[derive(Clone, Debug)]
pub struct ChannelCheck {
    /// The account.
    pub account: AccountId,
    /// Its platform.
    pub platform: Platform,
    /// The live counter.
    pub measure: Option<Measure>,
    /// What is wrong (errors block submission; warnings are advice).
    pub problems: Vec<Problem>,
}

/// Everything the composer shows about a post.
#[derive(Clone, Debug, Default)]
pub struct PostCheck {
    /// Per channel.
    pub channels: Vec<ChannelCheck>,
    /// The coach's hints on the base text and variants.
    pub hints: Vec<Hint>,
}

impl PostCheck {
    /// Whether anything blocks submission.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.channels
            .iter()
            .flat_map(|c| &c.problems)
            .any(|p| p.severity == Severity::Error)
    }

    /// The blocking problems as one sentence per channel, for an error message.
    #[must_use]
    pub fn error_summary(&self) -> String {
        self.channels
            .iter()
            .flat_map(|c| {
                c.problems
                    .iter()
                    .filter(|p| p.severity == Severity::Error)
                    .map(move |p| format!("{}: {}", c.platform, p.message_en()))
            })
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A post with what its page shows.
#[derive(Clone, Debug)]
pub struct PostView {
    /// The post.
    pub post: Post,
    /// Its media.
    pub media: Vec<MediaAsset>,
    /// Per channel delivery (empty before approval).
    pub jobs: Vec<PublishJob>,
    /// Approvals of every round.
    pub approvals: Vec<PostApproval>,
    /// Why it was sent back, every round (the last one is what its author must fix now).
    pub rejections: Vec<humas_store::Rejection>,
    /// The latest engagement figures per published channel, with when they were read.
    pub engagement: Vec<(PublishJobId, humas_store::EngagementFigures, Timestamp)>,
    /// The chain that applies (`None` when the OPD has no approver yet).
    pub chain: Option<ApprovalChain>,
    /// Where the current round stands.
    pub progress: Option<Progress>,
    /// Platform rules and coach hints.
    pub check: PostCheck,
    /// Whether the viewer may approve now.
    pub can_approve: bool,
    /// Whether the viewer may edit (a draft of their OPD).
    pub can_edit: bool,
}

fn refused(code: &'static str, message: impl Into<String>) -> AppError {
    AppError::Refused {
        code,
        message: message.into(),
    }
}

fn chain_error(e: &chain::ChainError) -> AppError {
    refused(e.code(), e.to_string())
}

impl App {
    async fn channels_of(&self, opd: OpdId, inputs: &[ChannelInput]) -> AppResult<Vec<Channel>> {
        if inputs.is_empty() {
            return Err(refused(
                "no_channels",
                "choose at least one account to publish on",
            ));
        }
        if inputs.len() > MAX_CHANNELS {
            return Err(refused(
                "too_many_channels",
                format!("a post may go to at most {MAX_CHANNELS} accounts"),
            ));
        }
        let mut out: Vec<Channel> = Vec::with_capacity(inputs.len());
        for input in inputs {
            if out.iter().any(|c| c.account == input.account) {
                continue;
            }
            let account = self
                .store
                .get_account(input.account)
                .await
                .map_err(|e| match e {
                    humas_store::StoreError::NotFound(_) => AppError::UnknownReference("account"),
                    other => other.into(),
                })?;
            if account.opd != opd {
                return Err(refused(
                    "account_of_other_opd",
                    format!(
                        "the account {} belongs to another OPD; choose this OPD's accounts",
                        account.handle
                    ),
                ));
            }
            if !limits::is_publishable(account.platform) {
                return Err(refused(
                    "platform_not_publishable",
                    format!(
                        "Humas cannot publish on {} accounts; choose another account",
                        account.platform
                    ),
                ));
            }
            let text = input
                .text
                .as_deref()
                .filter(|t| !t.trim().is_empty())
                .map(PostText::parse)
                .transpose()?;
            out.push(Channel {
                account: account.id,
                platform: account.platform,
                text,
            });
        }
        Ok(out)
    }

    async fn media_of(&self, opd: OpdId, ids: &[MediaId]) -> AppResult<Vec<MediaAsset>> {
        if ids.len() > MAX_MEDIA {
            return Err(refused(
                "too_many_media",
                format!("a post may carry at most {MAX_MEDIA} images or videos"),
            ));
        }
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let asset = self.store.get_media(*id).await.map_err(|e| match e {
                humas_store::StoreError::NotFound(_) => AppError::UnknownReference("media"),
                other => other.into(),
            })?;
            if asset.opd != opd {
                return Err(AppError::Forbidden);
            }
            out.push(asset);
        }
        Ok(out)
    }

    fn schedule_of(&self, input: &PostInput) -> AppResult<Option<Timestamp>> {
        let Some(raw) = input.schedule.as_deref().filter(|s| !s.trim().is_empty()) else {
            return Ok(None);
        };
        let at = zone::parse_local(raw, input.zone)?;
        zone::check_schedule(at, self.clock.now())?;
        Ok(Some(at))
    }

    /// Writes a new draft for `opd`.
    ///
    /// # Errors
    /// `Forbidden` unless the actor writes posts for `opd`; `Invalid` for a bad title, text or
    /// time; `Refused` for channels of another OPD or platform Humas cannot publish on.
    pub async fn create_post(
        &self,
        actor: &Actor,
        opd: OpdId,
        input: &PostInput,
    ) -> AppResult<Post> {
        if !actor.can_compose_posts_of(opd) {
            return Err(AppError::Forbidden);
        }
        let now = self.clock.now();
        let post = Post {
            id: PostId::generate(),
            opd,
            author: actor.user_id,
            title: parse_title(&input.title)?,
            body: PostText::parse(&input.body)?,
            channels: self.channels_of(opd, &input.channels).await?,
            media: {
                self.media_of(opd, &input.media).await?;
                input.media.clone()
            },
            scheduled_at: self.schedule_of(input)?,
            state: PostState::Draft,
            emergency: false,
            narrative: None,
            review_round: 0,
            created_at: now,
            updated_at: now,
        };
        self.store.create_post(&audit_actor(actor), &post).await?;
        Ok(post)
    }

    /// Replaces a draft's content.
    ///
    /// # Errors
    /// `Forbidden`, `Conflict("post_state")` unless it is a draft, and the errors of
    /// [`App::create_post`].
    pub async fn update_post(
        &self,
        actor: &Actor,
        id: PostId,
        input: &PostInput,
    ) -> AppResult<Post> {
        let before = self.store.get_post(id).await?;
        if !actor.can_compose_posts_of(before.opd) {
            return Err(AppError::Forbidden);
        }
        if !before.state.is_editable() {
            return Err(AppError::Conflict("post_state"));
        }
        self.media_of(before.opd, &input.media).await?;
        let post = Post {
            title: parse_title(&input.title)?,
            body: PostText::parse(&input.body)?,
            channels: self.channels_of(before.opd, &input.channels).await?,
            media: input.media.clone(),
            scheduled_at: self.schedule_of(input)?,
            updated_at: self.clock.now(),
            ..before
        };
        self.store
            .change_post(
                &audit_actor(actor),
                &PostChange {
                    action: "post.update",
                    expected: PostState::Draft,
                    post: &post,
                    approval: None,
                    jobs: &[],
                    note: None,
                },
            )
            .await?;
        Ok(post)
    }

    /// Checks a post against each channel's platform rules and the coach.
    ///
    /// # Errors
    /// Storage errors reading its media.
    pub async fn check_post(&self, post: &Post) -> AppResult<PostCheck> {
        let media = self.media_of(post.opd, &post.media).await?;
        Ok(check_with(post, &media))
    }

    /// The approval chain that applies to an OPD: its own, or one step of every active
    /// approver of the OPD.
    ///
    /// # Errors
    /// `Refused("no_approver")` when the OPD has neither.
    pub async fn effective_chain(&self, opd: OpdId) -> AppResult<ApprovalChain> {
        if let Some(chain) = self.store.approval_chain(opd).await? {
            return Ok(chain);
        }
        let approvers: Vec<UserId> = self
            .store
            .list_users(Some(opd))
            .await?
            .into_iter()
            .filter(|u| u.active && u.role == Role::Approver)
            .map(|u| u.id)
            .collect();
        ApprovalChain::single_step(DEFAULT_STEP_LABEL, approvers).map_err(|_| {
            refused(
                "no_approver",
                "this OPD has no approver yet: ask the province to add one or set an approval chain",
            )
        })
    }

    /// Sets an OPD's approval chain (supervisors), or removes it with an empty list.
    ///
    /// # Errors
    /// `Forbidden`; `Refused` with the chain rule broken; `UnknownReference("user")` for an
    /// approver who is not an active person of that OPD or a supervisor.
    pub async fn set_approval_chain(
        &self,
        actor: &Actor,
        opd: OpdId,
        steps: Vec<ApprovalStep>,
    ) -> AppResult<Option<ApprovalChain>> {
        if !actor.can_use_fast_lane() {
            return Err(AppError::Forbidden);
        }
        self.store.get_opd(opd).await?;
        let chain = if steps.is_empty() {
            None
        } else {
            for step in &steps {
                for user in &step.approvers {
                    let u = self.store.get_user(*user).await.map_err(|e| match e {
                        humas_store::StoreError::NotFound(_) => AppError::UnknownReference("user"),
                        other => other.into(),
                    })?;
                    if !u.active || !(u.opd == Some(opd) || u.role == Role::Supervisor) {
                        return Err(refused(
                            "approver_of_other_opd",
                            format!(
                                "{} is not an active person of this OPD; choose someone of this OPD",
                                u.username
                            ),
                        ));
                    }
                }
            }
            Some(ApprovalChain::new(steps).map_err(|e| chain_error(&e))?)
        };
        self.store
            .set_approval_chain(&audit_actor(actor), opd, chain.as_ref())
            .await?;
        Ok(chain)
    }

    /// Submits a draft for review.
    ///
    /// # Errors
    /// `Forbidden`; `Conflict("post_state")` unless a draft; `Refused("post_problems")` when a
    /// channel breaks its platform's rules (the message lists them); `Invalid` when its time
    /// has passed.
    pub async fn submit_post(&self, actor: &Actor, id: PostId) -> AppResult<Post> {
        let before = self.store.get_post(id).await?;
        if !actor.can_compose_posts_of(before.opd) {
            return Err(AppError::Forbidden);
        }
        if before.state != PostState::Draft {
            return Err(AppError::Conflict("post_state"));
        }
        if before.channels.is_empty() {
            return Err(refused(
                "no_channels",
                "choose at least one account to publish on",
            ));
        }
        let check = self.check_post(&before).await?;
        if check.has_errors() {
            return Err(refused("post_problems", check.error_summary()));
        }
        let now = self.clock.now();
        if let Some(at) = before.scheduled_at {
            zone::check_schedule(at, now)?;
        }
        let chain = self.effective_chain(before.opd).await?;
        chain::check_submittable(&chain, before.author).map_err(|e| chain_error(&e))?;
        let post = Post {
            state: PostState::InReview,
            review_round: before.review_round + 1,
            updated_at: now,
            ..before
        };
        self.store
            .change_post(
                &audit_actor(actor),
                &PostChange {
                    action: "post.submit",
                    expected: PostState::Draft,
                    post: &post,
                    approval: None,
                    jobs: &[],
                    note: None,
                },
            )
            .await?;
        Ok(post)
    }

    /// The people whose approver role `actor` holds today for `opd` through a Plt/Plh.
    async fn acting_for(&self, actor: &Actor, opd: OpdId) -> AppResult<Vec<UserId>> {
        let today = self
            .clock
            .now()
            .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)))
            .date();
        Ok(self
            .store
            .delegations_to(actor.user_id)
            .await?
            .into_iter()
            .filter(|d| d.opd == opd && d.to_user == actor.user_id && d.covers(today))
            .map(|d| d.from_user)
            .collect())
    }

    fn round_approvals(approvals: &[PostApproval], round: u32) -> Vec<Approval> {
        approvals
            .iter()
            .filter(|a| a.round == round)
            .map(|a| Approval {
                step: a.step as usize,
                approver: a.approver,
                on_behalf_of: a.on_behalf_of,
            })
            .collect()
    }

    /// Approves the current step of a post in review. When that completes the chain, one job per
    /// channel is queued for the post's time (or now) in the same transaction.
    ///
    /// # Errors
    /// `Conflict("post_state")` unless in review; `Refused` with the chain rule (own post, not
    /// an approver of this step, already approved); `Refused("post_expired")` when its time
    /// passed (the post then expires).
    pub async fn approve_post(&self, actor: &Actor, id: PostId) -> AppResult<Post> {
        let before = self.store.get_post(id).await?;
        if !actor.can_view_opd(before.opd) && actor.role != Role::Supervisor {
            return Err(AppError::Forbidden);
        }
        if before.state != PostState::InReview {
            return Err(AppError::Conflict("post_state"));
        }
        let now = self.clock.now();
        if before.is_overdue(now) {
            self.expire_post(&before, now).await?;
            return Err(refused(
                "post_expired",
                "the post's time passed before it was approved; it has expired — copy it into a new draft with a new time",
            ));
        }
        let chain = self.effective_chain(before.opd).await?;
        let history = self.store.list_approvals(id).await?;
        let round = Self::round_approvals(&history, before.review_round);
        let acting_for = self.acting_for(actor, before.opd).await?;
        let approval =
            chain::check_approval(&chain, &round, before.author, actor.user_id, &acting_for)
                .map_err(|e| chain_error(&e))?;
        let record = PostApproval {
            post: id,
            round: before.review_round,
            step: u32::try_from(approval.step).unwrap_or(u32::MAX),
            approver: approval.approver,
            on_behalf_of: approval.on_behalf_of,
            at: now,
        };
        let mut after_round = round.clone();
        after_round.push(approval);
        let complete = matches!(chain::progress(&chain, &after_round), Progress::Complete);
        let post = Post {
            state: if complete {
                PostState::Approved
            } else {
                PostState::InReview
            },
            updated_at: now,
            ..before
        };
        let jobs = if complete {
            jobs_for(&post, now)
        } else {
            Vec::new()
        };
        self.store
            .change_post(
                &audit_actor(actor),
                &PostChange {
                    action: if complete {
                        "post.approve_final"
                    } else {
                        "post.approve"
                    },
                    expected: PostState::InReview,
                    post: &post,
                    approval: Some(&record),
                    jobs: &jobs,
                    note: None,
                },
            )
            .await?;
        Ok(post)
    }

    /// Sends a post in review back to its author as a draft, with a note; approvals so far stop
    /// counting (the next submission starts a new round).
    ///
    /// # Errors
    /// `Forbidden` unless the actor is an approver in the chain (or acting for one) or a
    /// supervisor; `Conflict("post_state")`; `Invalid` without a note.
    pub async fn reject_post(&self, actor: &Actor, id: PostId, note: &str) -> AppResult<Post> {
        let before = self.store.get_post(id).await?;
        if !actor.can_view_opd(before.opd) {
            return Err(AppError::Forbidden);
        }
        let chain = self.effective_chain(before.opd).await?;
        let acting_for = self.acting_for(actor, before.opd).await?;
        let in_chain = chain.steps().iter().any(|s| {
            s.approvers
                .iter()
                .any(|u| *u == actor.user_id || acting_for.contains(u))
        });
        // Who may send it back is decided before whether it can be sent back now.
        if !(in_chain || actor.role == Role::Supervisor) || actor.user_id == before.author {
            return Err(AppError::Forbidden);
        }
        if before.state != PostState::InReview {
            return Err(AppError::Conflict("post_state"));
        }
        let note = note.trim();
        if note.is_empty() || note.chars().count() > 2_000 {
            return Err(humas_domain::ValueError::Note("a rejection note").into());
        }
        let post = Post {
            state: PostState::Draft,
            updated_at: self.clock.now(),
            ..before
        };
        self.store
            .change_post(
                &audit_actor(actor),
                &PostChange {
                    action: "post.reject",
                    expected: PostState::InReview,
                    post: &post,
                    approval: None,
                    jobs: &[],
                    note: Some(note),
                },
            )
            .await?;
        Ok(post)
    }

    /// The supervisor's emergency fast lane: a draft or a post in review is published at once,
    /// without the chain; the audit entry (`post.emergency_publish`) carries the reason.
    ///
    /// # Errors
    /// `Forbidden` unless supervisor; `Conflict("post_state")`; `Invalid` without a reason;
    /// `Refused("post_problems")` when a channel breaks its platform's rules.
    pub async fn emergency_publish(
        &self,
        actor: &Actor,
        id: PostId,
        reason: &str,
    ) -> AppResult<Post> {
        if !actor.can_use_fast_lane() {
            return Err(AppError::Forbidden);
        }
        let before = self.store.get_post(id).await?;
        if !matches!(before.state, PostState::Draft | PostState::InReview) {
            return Err(AppError::Conflict("post_state"));
        }
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 2_000 {
            return Err(humas_domain::ValueError::Note("the emergency reason").into());
        }
        let check = self.check_post(&before).await?;
        if check.has_errors() {
            return Err(refused("post_problems", check.error_summary()));
        }
        let now = self.clock.now();
        let expected = before.state;
        let post = Post {
            state: PostState::Approved,
            emergency: true,
            scheduled_at: Some(now),
            updated_at: now,
            ..before
        };
        let jobs = jobs_for(&post, now);
        self.store
            .change_post(
                &audit_actor(actor),
                &PostChange {
                    action: "post.emergency_publish",
                    expected,
                    post: &post,
                    approval: None,
                    jobs: &jobs,
                    note: Some(reason),
                },
            )
            .await?;
        Ok(post)
    }

    async fn expire_post(&self, post: &Post, now: Timestamp) -> AppResult<()> {
        let expired = Post {
            state: PostState::Expired,
            updated_at: now,
            ..post.clone()
        };
        self.store
            .change_post(
                &humas_store::AuditActor::system(),
                &PostChange {
                    action: "post.expired",
                    expected: PostState::InReview,
                    post: &expired,
                    approval: None,
                    jobs: &[],
                    note: Some("the scheduled time passed before the chain approved it"),
                },
            )
            .await?;
        Ok(())
    }

    /// Expires every post still in review whose time has passed; returns how many.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn expire_overdue_posts(&self) -> AppResult<usize> {
        let now = self.clock.now();
        let overdue = self
            .store
            .list_posts(&PostQuery {
                states: vec![PostState::InReview],
                until: Some(now),
                limit: 500,
                ..PostQuery::default()
            })
            .await?;
        let mut n = 0;
        for post in overdue.iter().filter(|p| p.is_overdue(now)) {
            match self.expire_post(post, now).await {
                Ok(()) => n += 1,
                // Approved or sent back meanwhile: nothing to expire.
                Err(AppError::Conflict(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(n)
    }

    /// A post with its media, deliveries, approvals, chain and checks.
    ///
    /// # Errors
    /// `Forbidden` unless the actor sees the post's OPD; `NotFound("post")`.
    pub async fn post_view(&self, actor: &Actor, id: PostId) -> AppResult<PostView> {
        let post = self.store.get_post(id).await?;
        if !actor.can_view_opd(post.opd) {
            return Err(AppError::Forbidden);
        }
        let media = self.media_of(post.opd, &post.media).await?;
        let check = check_with(&post, &media);
        let jobs = self.store.post_jobs(id).await?;
        let approvals = self.store.list_approvals(id).await?;
        let rejections = self.store.rejections(id).await?;
        let engagement = self.store.post_engagement(id).await?;
        let chain = match self.effective_chain(post.opd).await {
            Ok(c) => Some(c),
            Err(AppError::Refused { .. }) => None,
            Err(e) => return Err(e),
        };
        let round = Self::round_approvals(&approvals, post.review_round);
        let progress = chain.as_ref().map(|c| chain::progress(c, &round));
        let acting_for = self.acting_for(actor, post.opd).await?;
        let can_approve = post.state == PostState::InReview
            && chain.as_ref().is_some_and(|c| {
                chain::check_approval(c, &round, post.author, actor.user_id, &acting_for).is_ok()
            });
        let can_edit = post.state.is_editable() && actor.can_compose_posts_of(post.opd);
        Ok(PostView {
            post,
            media,
            jobs,
            approvals,
            rejections,
            engagement,
            chain,
            progress,
            check,
            can_approve,
            can_edit,
        })
    }

    /// Posts an actor may see: their OPD's (everyone's for province roles), filtered.
    ///
    /// # Errors
    /// `Forbidden` when asking for an OPD the actor cannot see.
    pub async fn list_posts(&self, actor: &Actor, mut query: PostQuery) -> AppResult<Vec<Post>> {
        match query.opd {
            Some(opd) if !actor.can_view_opd(opd) => return Err(AppError::Forbidden),
            None if !actor.sees_all_opds() => query.opd = actor.opd,
            _ => {}
        }
        if query.opd.is_none() && !actor.sees_all_opds() {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.list_posts(&query).await?)
    }

    /// Sends a failed or uncertain channel again (after a person checked the platform).
    ///
    /// # Errors
    /// `Forbidden` unless the actor approves for the OPD; `Conflict("job_state")`.
    pub async fn retry_delivery(&self, actor: &Actor, job: PublishJobId) -> AppResult<PublishJob> {
        let before = self.store.get_job(job).await?;
        if !(actor.is_approver_of(before.opd) || actor.role == Role::Supervisor) {
            return Err(AppError::Forbidden);
        }
        if !matches!(
            before.state,
            DeliveryState::Failed | DeliveryState::Uncertain
        ) {
            return Err(AppError::Conflict("job_state"));
        }
        let now = self.clock.now();
        let expected = before.state;
        let after = PublishJob {
            state: DeliveryState::Scheduled,
            next_attempt_at: now,
            lease_until: None,
            worker: None,
            in_doubt: false,
            needs_reconcile: false,
            last_error: None,
            updated_at: now,
            ..before
        };
        self.store
            .settle_job(&audit_actor(actor), "post.retry", expected, &after)
            .await?;
        Ok(after)
    }

    /// Records that a person found an uncertain channel's post on the platform.
    ///
    /// # Errors
    /// `Forbidden`, `Conflict("job_state")` unless uncertain, `Invalid` for a bad link.
    pub async fn confirm_delivery(
        &self,
        actor: &Actor,
        job: PublishJobId,
        url: &str,
    ) -> AppResult<PublishJob> {
        let before = self.store.get_job(job).await?;
        if !(actor.is_approver_of(before.opd) || actor.role == Role::Supervisor) {
            return Err(AppError::Forbidden);
        }
        let url = url.trim();
        if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 2_000 {
            return Err(refused(
                "invalid_post_link",
                "paste the link of the post as the platform shows it (https://…)",
            ));
        }
        let now = self.clock.now();
        let after = PublishJob {
            state: DeliveryState::Published,
            url: Some(url.to_owned()),
            lease_until: None,
            worker: None,
            in_doubt: false,
            published_at: Some(now),
            updated_at: now,
            ..before
        };
        self.store
            .settle_job(
                &audit_actor(actor),
                "post.confirmed",
                DeliveryState::Uncertain,
                &after,
            )
            .await?;
        Ok(after)
    }

    /// The queue: deliveries due in `[from, until)`, for the actor's OPD or (province roles)
    /// one OPD or all.
    ///
    /// # Errors
    /// `Forbidden` for an OPD the actor cannot see.
    pub async fn delivery_queue(
        &self,
        actor: &Actor,
        opd: Option<OpdId>,
        from: Timestamp,
        until: Timestamp,
    ) -> AppResult<Vec<PublishJob>> {
        let opd = match opd {
            Some(o) if !actor.can_view_opd(o) => return Err(AppError::Forbidden),
            Some(o) => Some(o),
            None if actor.sees_all_opds() => None,
            None => Some(actor.opd.ok_or(AppError::Forbidden)?),
        };
        Ok(self.store.list_jobs(opd, from, until, 2_000).await?)
    }
}

/// Why one of a person's own posts needs them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PostAlertKind {
    /// Its time passed before the chain approved it.
    Expired,
    /// An approver sent it back, with this note.
    Rejected(String),
    /// This many channels failed or are uncertain.
    DeliveryFailed(usize),
}

/// One of a person's own posts that needs them.
#[derive(Clone, Debug)]
pub struct PostAlert {
    /// The post.
    pub post: Post,
    /// Why.
    pub kind: PostAlertKind,
}

/// How far back the home page looks for posts that need their author.
pub const ALERT_WINDOW: jiff::SignedDuration = jiff::SignedDuration::from_hours(24 * 14);

impl App {
    /// The actor's own posts of the last two weeks that need them: expired, sent back, or with
    /// a channel that failed. This is how an author is told.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn my_post_alerts(&self, actor: &Actor) -> AppResult<Vec<PostAlert>> {
        let since = self.clock.now() - ALERT_WINDOW;
        let posts = self
            .store
            .list_posts(&PostQuery {
                author: Some(actor.user_id),
                states: vec![PostState::Expired, PostState::Draft, PostState::Done],
                limit: 200,
                ..PostQuery::default()
            })
            .await?;
        let mut alerts = Vec::new();
        for post in posts.into_iter().filter(|p| p.updated_at >= since) {
            let kind = match post.state {
                PostState::Expired => Some(PostAlertKind::Expired),
                PostState::Draft if post.review_round > 0 => self
                    .store
                    .rejections(post.id)
                    .await?
                    .into_iter()
                    .rfind(|r| r.round == post.review_round)
                    .map(|r| PostAlertKind::Rejected(r.note)),
                PostState::Done => {
                    let failed = self
                        .store
                        .post_jobs(post.id)
                        .await?
                        .iter()
                        .filter(|j| {
                            matches!(j.state, DeliveryState::Failed | DeliveryState::Uncertain)
                        })
                        .count();
                    (failed > 0).then_some(PostAlertKind::DeliveryFailed(failed))
                }
                _ => None,
            };
            if let Some(kind) = kind {
                alerts.push(PostAlert { post, kind });
            }
        }
        Ok(alerts)
    }
}

/// One job per channel, due at the post's time or `now`.
fn jobs_for(post: &Post, now: Timestamp) -> Vec<PublishJob> {
    let due = post.scheduled_at.map_or(now, |at| at.max(now));
    post.channels
        .iter()
        .map(|c| PublishJob {
            id: PublishJobId::generate(),
            post: post.id,
            account: c.account,
            opd: post.opd,
            due_at: due,
            state: DeliveryState::Scheduled,
            attempts: 0,
            next_attempt_at: due,
            lease_until: None,
            worker: None,
            idempotency_key: uuid::Uuid::new_v4().to_string(),
            intent_at: None,
            in_doubt: false,
            needs_reconcile: false,
            external_id: None,
            url: None,
            last_error: None,
            pending_handle: None,
            published_at: None,
            updated_at: now,
        })
        .collect()
}

/// The facts of a stored medium as the platform rules read them.
#[must_use]
pub fn media_facts(asset: &MediaAsset) -> MediaFacts {
    MediaFacts {
        kind: asset.kind,
        mime: asset.mime.clone(),
        bytes: asset.bytes,
        width: asset.width,
        height: asset.height,
        duration_ms: asset.duration_ms,
        has_alt_text: asset.alt_text.is_some(),
    }
}

/// Checks every channel with the post's media, and runs the coach.
#[must_use]
pub fn check_with(post: &Post, media: &[MediaAsset]) -> PostCheck {
    let facts: Vec<MediaFacts> = media.iter().map(media_facts).collect();
    let channels = post
        .channels
        .iter()
        .map(|c| {
            let text = c.effective_text(&post.body).as_str();
            ChannelCheck {
                account: c.account,
                platform: c.platform,
                measure: limits::measure_with_media(c.platform, text, &facts),
                problems: limits::check(c.platform, text, &facts),
            }
        })
        .collect();
    let mut texts: HashMap<&str, ()> = HashMap::new();
    texts.insert(post.body.as_str(), ());
    for c in &post.channels {
        if let Some(t) = &c.text {
            texts.insert(t.as_str(), ());
        }
    }
    let mut hints = Vec::new();
    for text in texts.keys() {
        for hint in coach::hints(text) {
            if !hints.contains(&hint) {
                hints.push(hint);
            }
        }
    }
    PostCheck { channels, hints }
}

/// Whether the account can be published on now.
#[must_use]
pub const fn account_usable(status: AccountStatus) -> bool {
    matches!(status, AccountStatus::Active)
}
