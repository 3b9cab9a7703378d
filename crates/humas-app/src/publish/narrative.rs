//! Narasi tunggal: the province sends one narrative (text, key messages, media, deadline) to
//! chosen OPDs; each receives a draft post for its own publishable accounts, adapts it and
//! sends it through its own approval chain. The tracking view shows, per OPD and account, who
//! published, when, with the link, and who is late.

use humas_domain::publish::limits;
use humas_domain::publish::{Channel, DeliveryState, Post, PostState, PostText, parse_title, zone};
use humas_domain::{Account, AccountStatus, Actor, MediaId, NarrativeId, OpdId, PostId, UserZone};
use humas_store::{MediaAsset, Narrative, PostQuery, PublishJob};
use jiff::Timestamp;

use crate::{App, AppError, AppResult, audit_actor};

/// Most key messages a narrative carries.
pub const MAX_KEY_MESSAGES: usize = 10;
/// Most OPDs one narrative goes to (the province has about fifty).
pub const MAX_NARRATIVE_OPDS: usize = 100;

/// A narrative as a form or API gives it.
#[derive(Clone, Debug)]
pub struct NarrativeInput {
    /// Title.
    pub title: String,
    /// The text to adapt.
    pub body: String,
    /// Key messages, one per entry (empty entries are dropped).
    pub key_messages: Vec<String>,
    /// Media uploaded by the supervisor.
    pub media: Vec<MediaId>,
    /// Deadline, local (`2026-12-01T12:00`).
    pub deadline: String,
    /// The zone the deadline is written in.
    pub zone: UserZone,
    /// The OPDs asked to publish.
    pub opds: Vec<OpdId>,
}

/// One account of one OPD in the tracking view.
#[derive(Clone, Debug)]
pub struct TrackedChannel {
    /// The account.
    pub account: Account,
    /// Its delivery, once approved.
    pub job: Option<PublishJob>,
}

/// One OPD in the tracking view.
#[derive(Clone, Debug)]
pub struct TrackedOpd {
    /// The OPD.
    pub opd: OpdId,
    /// Its draft (or what became of it).
    pub post: Option<Post>,
    /// Its channels.
    pub channels: Vec<TrackedChannel>,
    /// Every channel published (on time or not).
    pub published: bool,
    /// The deadline passed before every channel was published, or a channel went out after it.
    pub late: bool,
}

/// The tracking view.
#[derive(Clone, Debug)]
pub struct NarrativeTracking {
    /// The narrative.
    pub narrative: Narrative,
    /// Per OPD, in the narrative's order.
    pub opds: Vec<TrackedOpd>,
}

fn refused(code: &'static str, message: impl Into<String>) -> AppError {
    AppError::Refused {
        code,
        message: message.into(),
    }
}

fn clean_key_messages(raw: &[String]) -> AppResult<Vec<String>> {
    let keys: Vec<String> = raw
        .iter()
        .map(|k| k.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|k| !k.is_empty())
        .collect();
    if keys.len() > MAX_KEY_MESSAGES {
        return Err(refused(
            "too_many_key_messages",
            format!("a narrative has at most {MAX_KEY_MESSAGES} key messages"),
        ));
    }
    if keys.iter().any(|k| k.chars().count() > 300) {
        return Err(refused(
            "key_message_too_long",
            "a key message is at most 300 characters; shorten it",
        ));
    }
    Ok(keys)
}

impl App {
    /// Sends a narrative: stores it and, in the same transaction, one draft per OPD on that
    /// OPD's active publishable accounts, with the narrative's media copied to the OPD.
    ///
    /// # Errors
    /// `Forbidden` unless supervisor; `Invalid`/`Refused` for bad input (no OPD, a deadline in
    /// the past, unknown media).
    pub async fn send_narrative(
        &self,
        actor: &Actor,
        input: &NarrativeInput,
    ) -> AppResult<Narrative> {
        if !actor.can_use_fast_lane() {
            return Err(AppError::Forbidden);
        }
        let now = self.clock.now();
        let title = parse_title(&input.title)?;
        let body = PostText::parse(&input.body)?;
        if body.is_empty() {
            return Err(refused("empty_narrative", "write the narrative's text"));
        }
        let key_messages = clean_key_messages(&input.key_messages)?;
        let deadline = zone::parse_local(&input.deadline, input.zone)?;
        zone::check_schedule(deadline, now)?;
        let mut opds: Vec<OpdId> = Vec::new();
        for opd in &input.opds {
            if !opds.contains(opd) {
                self.store.get_opd(*opd).await.map_err(|e| match e {
                    humas_store::StoreError::NotFound(_) => AppError::UnknownReference("opd"),
                    other => other.into(),
                })?;
                opds.push(*opd);
            }
        }
        if opds.is_empty() || opds.len() > MAX_NARRATIVE_OPDS {
            return Err(refused(
                "narrative_opds",
                format!("choose between 1 and {MAX_NARRATIVE_OPDS} OPDs"),
            ));
        }
        let mut originals: Vec<MediaAsset> = Vec::with_capacity(input.media.len());
        for id in &input.media {
            originals.push(self.store.get_media(*id).await.map_err(|e| match e {
                humas_store::StoreError::NotFound(_) => AppError::UnknownReference("media"),
                other => other.into(),
            })?);
        }
        let narrative = Narrative {
            id: NarrativeId::generate(),
            title: title.clone(),
            body: body.clone(),
            key_messages,
            media: input.media.clone(),
            deadline,
            opds: opds.clone(),
            created_by: actor.user_id,
            created_at: now,
        };
        let mut copies = Vec::new();
        let mut drafts = Vec::with_capacity(opds.len());
        for opd in &opds {
            let media: Vec<MediaId> = originals
                .iter()
                .map(|m| {
                    if m.opd == *opd {
                        m.id
                    } else {
                        let copy = MediaAsset {
                            id: MediaId::generate(),
                            opd: *opd,
                            created_at: now,
                            ..m.clone()
                        };
                        let id = copy.id;
                        copies.push(copy);
                        id
                    }
                })
                .collect();
            let channels = self
                .store
                .list_accounts(Some(*opd))
                .await?
                .into_iter()
                .filter(|a| a.status == AccountStatus::Active && limits::is_publishable(a.platform))
                .map(|a| Channel {
                    account: a.id,
                    platform: a.platform,
                    text: None,
                })
                .collect();
            drafts.push(Post {
                id: PostId::generate(),
                opd: *opd,
                author: actor.user_id,
                title: title.clone(),
                body: body.clone(),
                channels,
                media,
                scheduled_at: None,
                state: PostState::Draft,
                emergency: false,
                narrative: Some(narrative.id),
                review_round: 0,
                created_at: now,
                updated_at: now,
            });
        }
        self.store
            .create_narrative(&audit_actor(actor), &narrative, &copies, &drafts)
            .await?;
        Ok(narrative)
    }

    /// Narratives the actor may see: all for province roles, those sent to their OPD otherwise.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn list_narratives(&self, actor: &Actor) -> AppResult<Vec<Narrative>> {
        let opd = if actor.sees_all_opds() {
            None
        } else {
            Some(actor.opd.ok_or(AppError::Forbidden)?)
        };
        Ok(self.store.list_narratives(opd, 200).await?)
    }

    /// Who published the narrative, when, where, and who is late. OPD people see their own
    /// row only; province roles see every OPD.
    ///
    /// # Errors
    /// `Forbidden` unless the narrative went to the actor's OPD (or the actor sees all).
    pub async fn narrative_tracking(
        &self,
        actor: &Actor,
        id: NarrativeId,
    ) -> AppResult<NarrativeTracking> {
        let narrative = self.store.get_narrative(id).await?;
        let visible: Vec<OpdId> = narrative
            .opds
            .iter()
            .copied()
            .filter(|o| actor.can_view_opd(*o))
            .collect();
        if visible.is_empty() {
            return Err(AppError::Forbidden);
        }
        let posts = self
            .store
            .list_posts(&PostQuery {
                narrative: Some(id),
                limit: 1000,
                ..PostQuery::default()
            })
            .await?;
        let now = self.clock.now();
        let mut opds = Vec::with_capacity(visible.len());
        for opd in visible {
            let post = posts.iter().find(|p| p.opd == opd).cloned();
            let jobs = match &post {
                Some(p) => self.store.post_jobs(p.id).await?,
                None => Vec::new(),
            };
            let mut channels = Vec::new();
            if let Some(p) = &post {
                for c in &p.channels {
                    let account = self.store.get_account(c.account).await?;
                    let job = jobs.iter().find(|j| j.account == c.account).cloned();
                    channels.push(TrackedChannel { account, job });
                }
            }
            let published = !channels.is_empty()
                && channels.iter().all(|c| {
                    c.job
                        .as_ref()
                        .is_some_and(|j| j.state == DeliveryState::Published)
                });
            let late = is_late(&channels, published, narrative.deadline, now);
            opds.push(TrackedOpd {
                opd,
                post,
                channels,
                published,
                late,
            });
        }
        Ok(NarrativeTracking { narrative, opds })
    }
}

/// Late: the deadline passed and not everything is out, or something went out after it.
fn is_late(
    channels: &[TrackedChannel],
    published: bool,
    deadline: Timestamp,
    now: Timestamp,
) -> bool {
    let after_deadline = channels.iter().any(|c| {
        c.job
            .as_ref()
            .and_then(|j| j.published_at)
            .is_some_and(|at| at > deadline)
    });
    after_deadline || (!published && now > deadline)
}
