//! The publishing use cases over a real SQLite store: composing with platform checks, the
//! approval chain with Plt/Plh delegation, the emergency lane, expiry, and the publisher
//! worker's exactly-once behaviour through retries, lost answers and crashed workers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use humas_app::publish::worker::{PublishWorker, WorkerConfig};
use humas_app::publish::{
    ChannelInput, FsMediaStore, MediaStore, OutgoingPost, PostInput, PublishGateway, PublishedRef,
    SendError, SendErrorKind, SendOutcome,
};
use humas_app::{App, AppError, AuthSettings, ManualClock};
use humas_domain::publish::chain::{ApprovalStep, StepMode};
use humas_domain::publish::{DeliveryState, PostState};
use humas_domain::{
    Account, AccountHandle, AccountId, AccountStatus, Actor, Delegation, DelegationId,
    DelegationKind, DisplayName, Locale, Opd, OpdId, OpdKind, OpdName, Platform, Role, Slug, User,
    UserId, UserZone, Username,
};
use humas_store::{AuditActor, AuditQuery};
use humas_store_sqlite::SqliteStore;

/// What the fake platform does with the next publish call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Next {
    /// Publish and answer.
    Ok,
    /// Refuse with a 503 before publishing.
    Unavailable,
    /// Publish, but the answer is lost (time-out).
    LoseAnswer,
    /// Refuse for good (text refused).
    Refuse,
    /// The token was revoked.
    Revoked,
}

/// A platform that records every post it publishes, by idempotency key.
struct FakePlatform {
    published: Mutex<HashMap<String, String>>,
    calls: AtomicUsize,
    script: Mutex<Vec<Next>>,
    /// Whether the platform lets us look for a post (Telegram does not).
    can_look: bool,
}

impl FakePlatform {
    fn new(can_look: bool) -> Arc<Self> {
        Arc::new(Self {
            published: Mutex::new(HashMap::new()),
            calls: AtomicUsize::new(0),
            script: Mutex::new(Vec::new()),
            can_look,
        })
    }

    fn then(&self, steps: &[Next]) {
        self.script.lock().unwrap().extend_from_slice(steps);
    }

    fn posts(&self) -> usize {
        self.published.lock().unwrap().len()
    }
}

#[async_trait]
impl PublishGateway for FakePlatform {
    async fn publish(
        &self,
        account: &Account,
        post: &OutgoingPost,
    ) -> Result<SendOutcome, SendError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let next = {
            let mut s = self.script.lock().unwrap();
            if s.is_empty() { Next::Ok } else { s.remove(0) }
        };
        let publish = || {
            let id = format!(
                "{}-{}",
                account.handle,
                self.published.lock().unwrap().len() + 1
            );
            self.published
                .lock()
                .unwrap()
                .entry(post.idempotency_key.clone())
                .or_insert(id)
                .clone()
        };
        match next {
            Next::Ok => {
                let id = publish();
                Ok(SendOutcome::Published(PublishedRef {
                    url: Some(format!("https://fake.example/{id}")),
                    external_id: id,
                }))
            }
            Next::Unavailable => Err(SendError {
                kind: SendErrorKind::Transient {
                    retry_after: None,
                    maybe_sent: false,
                },
                message: "the platform is unavailable (503)".into(),
            }),
            Next::LoseAnswer => {
                publish();
                Err(SendError {
                    kind: SendErrorKind::Transient {
                        retry_after: None,
                        maybe_sent: true,
                    },
                    message: "the platform did not answer in time".into(),
                })
            }
            Next::Refuse => Err(SendError {
                kind: SendErrorKind::Permanent,
                message: "the platform refused the request: duplicate content".into(),
            }),
            Next::Revoked => Err(SendError {
                kind: SendErrorKind::Reconnect,
                message: "the access token is no longer valid (revoked); reconnect the account"
                    .into(),
            }),
        }
    }

    async fn find_published(
        &self,
        _account: &Account,
        post: &OutgoingPost,
    ) -> Result<Option<PublishedRef>, SendError> {
        if !self.can_look {
            return Err(SendError {
                kind: SendErrorKind::Unsupported,
                message: "looking up channel posts is not possible".into(),
            });
        }
        Ok(self
            .published
            .lock()
            .unwrap()
            .get(&post.idempotency_key)
            .map(|id| PublishedRef {
                external_id: id.clone(),
                url: Some(format!("https://fake.example/{id}")),
            }))
    }

    async fn engagement(
        &self,
        _: &Account,
        external_id: &str,
    ) -> Result<humas_store::EngagementFigures, SendError> {
        Ok(humas_store::EngagementFigures {
            likes: 7,
            comments: 2,
            shares: u64::try_from(external_id.len()).unwrap(),
            views: None,
        })
    }

    async fn check_pending(&self, _: &Account, _: &str) -> Result<SendOutcome, SendError> {
        Err(SendError {
            kind: SendErrorKind::Unsupported,
            message: "no pending publications here".into(),
        })
    }
}

struct World {
    app: App,
    clock: Arc<ManualClock>,
    media: Arc<dyn MediaStore>,
    opd: OpdId,
    other_opd: OpdId,
    x: Account,
    mastodon: Account,
    operator: Actor,
    kabid: Actor,
    kadis: User,
    sekretaris: User,
    supervisor: Actor,
    _dir: tempfile::TempDir,
}

async fn person(app: &App, role: Role, opd: Option<OpdId>, name: &str) -> User {
    let user = User {
        id: UserId::generate(),
        username: Username::parse(name).unwrap(),
        display_name: DisplayName::parse(name).unwrap(),
        role,
        opd,
        locale: Locale::Id,
        zone: UserZone::Wib,
        active: true,
    };
    app.store()
        .create_user(&AuditActor::cli(), &user, "not-a-real-hash")
        .await
        .unwrap();
    user
}

fn today() -> jiff::civil::Date {
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(7)))
        .date()
}

fn as_actor(user: &User, delegations: &[Delegation]) -> Actor {
    Actor::new(user, delegations, today())
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::connect(dir.path().join("humas.db").to_str().unwrap())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let clock = Arc::new(ManualClock::starting_now());
    let app = App::new(Arc::new(store), clock.clone(), AuthSettings::for_tests())
        .with_server_secret(b"test secret");
    let by = AuditActor::cli();
    let opd = |slug: &str, name: &str| Opd {
        id: OpdId::generate(),
        slug: Slug::parse(slug).unwrap(),
        name: OpdName::parse(name).unwrap(),
        kind: OpdKind::Dinas,
        parent: None,
    };
    let dinkes = opd("dinkes", "Dinas Kesehatan");
    let pu = opd("dpubm", "Dinas PU Bina Marga");
    app.store().create_opd(&by, &dinkes).await.unwrap();
    app.store().create_opd(&by, &pu).await.unwrap();
    let account = |platform, handle: &str| Account {
        id: AccountId::generate(),
        opd: dinkes.id,
        platform,
        handle: AccountHandle::parse(handle).unwrap(),
        api_base_url: None,
        status: AccountStatus::Active,
    };
    let x = account(Platform::X, "@dinkesjatim");
    let mastodon = account(Platform::Mastodon, "@dinkes@sosial.example");
    app.store().create_account(&by, &x).await.unwrap();
    app.store().create_account(&by, &mastodon).await.unwrap();
    let operator = person(&app, Role::Operator, Some(dinkes.id), "operator.dinkes").await;
    let kabid = person(&app, Role::Approver, Some(dinkes.id), "kabid.dinkes").await;
    let kadis = person(&app, Role::Approver, Some(dinkes.id), "kadis.dinkes").await;
    let sekretaris = person(&app, Role::Operator, Some(dinkes.id), "sekretaris.dinkes").await;
    let supervisor = person(&app, Role::Supervisor, None, "kominfo.jatim").await;
    let media: Arc<dyn MediaStore> = Arc::new(FsMediaStore::new(&dir.path().join("media")));
    World {
        opd: dinkes.id,
        other_opd: pu.id,
        operator: as_actor(&operator, &[]),
        kabid: as_actor(&kabid, &[]),
        supervisor: as_actor(&supervisor, &[]),
        kadis,
        sekretaris,
        x,
        mastodon,
        app,
        clock,
        media,
        _dir: dir,
    }
}

impl World {
    fn input(&self, x_text: Option<&str>) -> PostInput {
        PostInput {
            title: "Vaksinasi gratis".into(),
            body: "Vaksinasi gratis hari Sabtu pukul 08.00 WIB di Balai Desa Sukodono.".into(),
            channels: vec![
                ChannelInput {
                    account: self.x.id,
                    text: x_text.map(str::to_owned),
                },
                ChannelInput {
                    account: self.mastodon.id,
                    text: None,
                },
            ],
            media: Vec::new(),
            schedule: None,
            zone: UserZone::Wib,
        }
    }

    /// Kabid (any of) → Kepala Dinas (all of).
    async fn two_step_chain(&self) {
        self.app
            .set_approval_chain(
                &self.supervisor,
                self.opd,
                vec![
                    ApprovalStep {
                        label: "Kabid".into(),
                        mode: StepMode::AnyOf,
                        approvers: vec![self.kabid.user_id],
                    },
                    ApprovalStep {
                        label: "Kepala Dinas".into(),
                        mode: StepMode::AllOf,
                        approvers: vec![self.kadis.id],
                    },
                ],
            )
            .await
            .unwrap();
    }

    fn worker(&self, name: &str, gateway: Arc<FakePlatform>) -> PublishWorker {
        let mut config = WorkerConfig::named(name);
        config.backoff_base = jiff::SignedDuration::from_secs(10);
        PublishWorker::new(self.app.clone(), gateway, self.media.clone(), config)
    }

    fn advance(&self, secs: u64) {
        self.clock.advance(Duration::from_secs(secs));
    }

    async fn approved_post(&self) -> humas_domain::PostId {
        let post = self
            .app
            .create_post(&self.operator, self.opd, &self.input(None))
            .await
            .unwrap();
        self.app.submit_post(&self.operator, post.id).await.unwrap();
        self.app.approve_post(&self.kabid, post.id).await.unwrap();
        post.id
    }
}

fn refused_code(e: &AppError) -> &'static str {
    match e {
        AppError::Refused { code, .. } => code,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_too_long_x_variant_blocks_submission_until_fixed() {
    let w = world().await;
    let long = format!(
        "{} #vaksin",
        "Info vaksinasi gratis untuk warga. ".repeat(9)
    );
    let post = w
        .app
        .create_post(&w.operator, w.opd, &w.input(Some(&long)))
        .await
        .unwrap();
    let check = w.app.check_post(&post).await.unwrap();
    let x = check
        .channels
        .iter()
        .find(|c| c.platform == Platform::X)
        .unwrap();
    assert!(
        x.problems.iter().any(|p| p.code == "too_long"),
        "{:?}",
        x.problems
    );
    assert!(x.measure.as_ref().unwrap().used > 280);
    let mastodon = check
        .channels
        .iter()
        .find(|c| c.platform == Platform::Mastodon)
        .unwrap();
    assert!(mastodon.problems.iter().all(|p| !p.is_error()));
    let err = w.app.submit_post(&w.operator, post.id).await.unwrap_err();
    assert_eq!(refused_code(&err), "post_problems");
    assert!(err.to_string().contains("x:"), "{err}");
    assert_eq!(
        w.app.store().get_post(post.id).await.unwrap().state,
        PostState::Draft
    );

    let fixed = w
        .app
        .update_post(
            &w.operator,
            post.id,
            &w.input(Some(
                "Vaksinasi gratis Sabtu 08.00 WIB di Balai Desa Sukodono",
            )),
        )
        .await
        .unwrap();
    assert!(!w.app.check_post(&fixed).await.unwrap().has_errors());
    let submitted = w.app.submit_post(&w.operator, post.id).await.unwrap();
    assert_eq!(submitted.state, PostState::InReview);
    assert_eq!(submitted.review_round, 1);
}

#[tokio::test]
async fn the_chain_runs_in_order_with_a_plt_approving_for_the_head() {
    let w = world().await;
    w.two_step_chain().await;
    let post = w
        .app
        .create_post(&w.operator, w.opd, &w.input(None))
        .await
        .unwrap();
    w.app.submit_post(&w.operator, post.id).await.unwrap();

    // The head cannot skip the Kabid's step; the operator is not an approver at all.
    let kadis_today = as_actor(&w.kadis, &[]);
    assert_eq!(
        refused_code(&w.app.approve_post(&kadis_today, post.id).await.unwrap_err()),
        "not_an_approver"
    );
    assert_eq!(
        refused_code(&w.app.approve_post(&w.operator, post.id).await.unwrap_err()),
        "self_approval"
    );

    let after_kabid = w.app.approve_post(&w.kabid, post.id).await.unwrap();
    assert_eq!(after_kabid.state, PostState::InReview);
    assert!(w.app.store().post_jobs(post.id).await.unwrap().is_empty());
    assert_eq!(
        refused_code(&w.app.approve_post(&w.kabid, post.id).await.unwrap_err()),
        "not_an_approver"
    );

    // The Kepala Dinas is away: the Sekretaris is Plh and approves in the head's place.
    let plh = Delegation {
        id: DelegationId::generate(),
        opd: w.opd,
        from_user: w.kadis.id,
        to_user: w.sekretaris.id,
        kind: DelegationKind::Plh,
        starts_on: today(),
        ends_on: today(),
        reason: "SPT Plh 800/123/2026".into(),
        revoked: false,
    };
    w.app
        .store()
        .create_delegation(&AuditActor::cli(), &plh)
        .await
        .unwrap();
    let sekretaris = as_actor(&w.sekretaris, std::slice::from_ref(&plh));
    let approved = w.app.approve_post(&sekretaris, post.id).await.unwrap();
    assert_eq!(approved.state, PostState::Approved);
    let approvals = w.app.store().list_approvals(post.id).await.unwrap();
    assert_eq!(approvals.len(), 2);
    assert_eq!(approvals[1].approver, w.sekretaris.id);
    assert_eq!(approvals[1].on_behalf_of, Some(w.kadis.id));
    let jobs = w.app.store().post_jobs(post.id).await.unwrap();
    assert_eq!(jobs.len(), 2, "one job per channel");
    assert!(jobs.iter().all(|j| j.state == DeliveryState::Scheduled));
}

#[tokio::test]
async fn nobody_approves_their_own_post_not_even_through_a_delegate() {
    let w = world().await;
    // The Kabid writes; Kabid → Kepala Dinas cannot complete (Kabid is the only approver of
    // step one), so submission is refused with the step named.
    w.two_step_chain().await;
    let own = w
        .app
        .create_post(&w.kabid, w.opd, &w.input(None))
        .await
        .unwrap();
    let err = w.app.submit_post(&w.kabid, own.id).await.unwrap_err();
    assert_eq!(refused_code(&err), "author_is_only_approver");

    // With the default chain (any approver of the OPD), the Kepala Dinas writes and the Kabid
    // approves; a Plh of the Kepala Dinas may not approve the Kepala Dinas's own post.
    w.app
        .set_approval_chain(&w.supervisor, w.opd, Vec::new())
        .await
        .unwrap();
    let kadis = as_actor(&w.kadis, &[]);
    let post = w
        .app
        .create_post(&kadis, w.opd, &w.input(None))
        .await
        .unwrap();
    w.app.submit_post(&kadis, post.id).await.unwrap();
    assert_eq!(
        refused_code(&w.app.approve_post(&kadis, post.id).await.unwrap_err()),
        "self_approval"
    );
    let plh = Delegation {
        id: DelegationId::generate(),
        opd: w.opd,
        from_user: w.kadis.id,
        to_user: w.sekretaris.id,
        kind: DelegationKind::Plh,
        starts_on: today(),
        ends_on: today(),
        reason: "Plh".into(),
        revoked: false,
    };
    w.app
        .store()
        .create_delegation(&AuditActor::cli(), &plh)
        .await
        .unwrap();
    let sekretaris = as_actor(&w.sekretaris, std::slice::from_ref(&plh));
    assert_eq!(
        refused_code(&w.app.approve_post(&sekretaris, post.id).await.unwrap_err()),
        "self_approval"
    );
    assert_eq!(
        w.app.approve_post(&w.kabid, post.id).await.unwrap().state,
        PostState::Approved
    );
}

#[tokio::test]
async fn a_rejection_returns_the_post_to_draft_and_starts_a_new_round() {
    let w = world().await;
    w.two_step_chain().await;
    let post = w
        .app
        .create_post(&w.operator, w.opd, &w.input(None))
        .await
        .unwrap();
    w.app.submit_post(&w.operator, post.id).await.unwrap();
    w.app.approve_post(&w.kabid, post.id).await.unwrap();
    assert!(matches!(
        w.app.reject_post(&w.kabid, post.id, "  ").await,
        Err(AppError::Invalid(_))
    ));
    assert!(matches!(
        w.app.reject_post(&w.operator, post.id, "tidak").await,
        Err(AppError::Forbidden)
    ));
    let kadis = as_actor(&w.kadis, &[]);
    let back = w
        .app
        .reject_post(&kadis, post.id, "Sebutkan lokasi posko")
        .await
        .unwrap();
    assert_eq!(back.state, PostState::Draft);
    let again = w.app.submit_post(&w.operator, post.id).await.unwrap();
    assert_eq!(again.review_round, 2);
    // The Kabid's approval of round one no longer counts: the Kabid must approve again.
    assert_eq!(
        refused_code(&w.app.approve_post(&kadis, post.id).await.unwrap_err()),
        "not_an_approver"
    );
    w.app.approve_post(&w.kabid, post.id).await.unwrap();
    assert_eq!(
        w.app.approve_post(&kadis, post.id).await.unwrap().state,
        PostState::Approved
    );
}

#[tokio::test]
async fn only_a_supervisor_uses_the_fast_lane_and_the_audit_log_flags_it() {
    let w = world().await;
    let post = w
        .app
        .create_post(&w.operator, w.opd, &w.input(None))
        .await
        .unwrap();
    assert!(matches!(
        w.app.emergency_publish(&w.kabid, post.id, "banjir").await,
        Err(AppError::Forbidden)
    ));
    let fast = w
        .app
        .emergency_publish(&w.supervisor, post.id, "Peringatan dini banjir")
        .await
        .unwrap();
    assert!(fast.emergency);
    assert_eq!(fast.state, PostState::Approved);
    assert_eq!(w.app.store().post_jobs(post.id).await.unwrap().len(), 2);
    let audit = w
        .app
        .store()
        .query_audit(&AuditQuery {
            action_prefix: Some("post.emergency".into()),
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(audit.len(), 1);
    assert!(
        audit[0]
            .after
            .as_ref()
            .unwrap()
            .to_string()
            .contains("Peringatan dini banjir")
    );
}

#[tokio::test]
async fn a_post_whose_time_passes_in_review_expires() {
    let w = world().await;
    let mut input = w.input(None);
    let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_mins(10);
    input.schedule = Some(
        humas_domain::publish::zone::to_local(soon, UserZone::Wib)
            .strftime("%Y-%m-%dT%H:%M")
            .to_string(),
    );
    let post = w.app.create_post(&w.operator, w.opd, &input).await.unwrap();
    w.app.submit_post(&w.operator, post.id).await.unwrap();
    w.advance(15 * 60);
    assert_eq!(w.app.expire_overdue_posts().await.unwrap(), 1);
    // Its author is told (on their home page).
    let alerts = w.app.my_post_alerts(&w.operator).await.unwrap();
    assert!(
        alerts
            .iter()
            .any(|a| a.post.id == post.id && a.kind == humas_app::publish::PostAlertKind::Expired)
    );
    assert!(
        w.app.my_post_alerts(&w.kabid).await.unwrap().is_empty(),
        "only the author"
    );
    assert_eq!(
        w.app.store().get_post(post.id).await.unwrap().state,
        PostState::Expired
    );
    assert!(matches!(
        w.app.approve_post(&w.kabid, post.id).await,
        Err(AppError::Conflict("post_state"))
    ));

    // A time in the past is refused when writing.
    let mut past = w.input(None);
    past.schedule = Some("2020-01-01T08:00".into());
    assert!(matches!(
        w.app.create_post(&w.operator, w.opd, &past).await,
        Err(AppError::Invalid(_))
    ));
}

#[tokio::test]
async fn channels_must_belong_to_the_opd_and_strangers_are_forbidden() {
    let w = world().await;
    let pu_operator = as_actor(
        &person(&w.app, Role::Operator, Some(w.other_opd), "operator.pu").await,
        &[],
    );
    assert!(matches!(
        w.app.create_post(&pu_operator, w.opd, &w.input(None)).await,
        Err(AppError::Forbidden)
    ));
    let err = w
        .app
        .create_post(&pu_operator, w.other_opd, &w.input(None))
        .await
        .unwrap_err();
    assert_eq!(refused_code(&err), "account_of_other_opd");
    let post = w
        .app
        .create_post(&w.operator, w.opd, &w.input(None))
        .await
        .unwrap();
    assert!(matches!(
        w.app.post_view(&pu_operator, post.id).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        w.app.submit_post(&pu_operator, post.id).await,
        Err(AppError::Forbidden)
    ));
}

#[tokio::test]
async fn the_worker_publishes_each_channel_once_through_a_transient_failure() {
    let w = world().await;
    let platform = FakePlatform::new(true);
    platform.then(&[Next::Unavailable]);
    let post = w.approved_post().await;
    let worker = w.worker("w1", platform.clone());
    assert_eq!(worker.run_once().await.unwrap(), 2);
    assert_eq!(
        platform.posts(),
        1,
        "one channel went out, the other met a 503"
    );
    let jobs = w.app.store().post_jobs(post).await.unwrap();
    let waiting = jobs
        .iter()
        .find(|j| j.state == DeliveryState::Scheduled)
        .unwrap();
    assert!(waiting.last_error.as_deref().unwrap().contains("503"));
    assert_eq!(
        worker.run_once().await.unwrap(),
        0,
        "not before its backoff"
    );
    w.advance(11);
    assert_eq!(worker.run_once().await.unwrap(), 1);
    assert_eq!(platform.posts(), 2);
    let jobs = w.app.store().post_jobs(post).await.unwrap();
    assert!(
        jobs.iter()
            .all(|j| j.state == DeliveryState::Published && j.url.is_some())
    );
    assert_eq!(
        w.app.store().get_post(post).await.unwrap().state,
        PostState::Done
    );

    // Engagement: read at once for channels never read, then again only once the figures are
    // older than the period.
    assert_eq!(worker.refresh_engagement().await.unwrap(), 2);
    assert_eq!(
        worker.refresh_engagement().await.unwrap(),
        0,
        "fresh figures wait"
    );
    w.advance(16 * 60);
    assert_eq!(worker.refresh_engagement().await.unwrap(), 2);
    let view = w.app.post_view(&w.operator, post).await.unwrap();
    assert_eq!(view.engagement.len(), 2);
    assert!(
        view.engagement
            .iter()
            .all(|(_, f, _)| f.likes == 7 && f.comments == 2)
    );
}

#[tokio::test]
async fn a_lost_answer_is_reconciled_instead_of_sent_again() {
    let w = world().await;
    let platform = FakePlatform::new(true);
    platform.then(&[Next::LoseAnswer, Next::LoseAnswer]);
    let post = w.approved_post().await;
    let worker = w.worker("w1", platform.clone());
    worker.run_once().await.unwrap();
    assert_eq!(platform.posts(), 2, "the platform has both posts");
    let jobs = w.app.store().post_jobs(post).await.unwrap();
    assert!(
        jobs.iter()
            .all(|j| j.state == DeliveryState::Scheduled && j.in_doubt)
    );
    w.advance(11);
    worker.run_once().await.unwrap();
    assert_eq!(
        platform.calls.load(Ordering::SeqCst),
        2,
        "found on the platform: not sent again"
    );
    let jobs = w.app.store().post_jobs(post).await.unwrap();
    assert!(jobs.iter().all(|j| j.state == DeliveryState::Published));
}

#[tokio::test]
async fn a_crashed_worker_is_taken_over_after_its_lease_without_a_double_post() {
    let w = world().await;
    let platform = FakePlatform::new(true);
    let post = w.approved_post().await;
    // Worker A takes both jobs, publishes one, and dies before recording anything.
    let taken = w
        .app
        .store()
        .claim_jobs(
            "dead",
            w.app.clock().now(),
            jiff::SignedDuration::from_secs(120),
            10,
        )
        .await
        .unwrap();
    assert_eq!(taken.len(), 2);
    let first = &taken[0];
    platform
        .published
        .lock()
        .unwrap()
        .insert(first.idempotency_key.clone(), "sent-before-crash".into());

    let worker = w.worker("w2", platform.clone());
    assert_eq!(worker.run_once().await.unwrap(), 0, "the lease still holds");
    w.advance(121);
    assert_eq!(worker.run_once().await.unwrap(), 2);
    assert_eq!(platform.posts(), 2);
    assert_eq!(
        platform.calls.load(Ordering::SeqCst),
        1,
        "only the unsent channel was sent"
    );
    let jobs = w.app.store().post_jobs(post).await.unwrap();
    let recovered = jobs.iter().find(|j| j.id == first.id).unwrap();
    assert_eq!(recovered.external_id.as_deref(), Some("sent-before-crash"));
    assert!(jobs.iter().all(|j| j.state == DeliveryState::Published));
}

#[tokio::test]
async fn without_a_way_to_look_a_crash_leaves_the_channel_to_a_person() {
    let w = world().await;
    let platform = FakePlatform::new(false);
    let post = w.approved_post().await;
    w.app
        .store()
        .claim_jobs(
            "dead",
            w.app.clock().now(),
            jiff::SignedDuration::from_secs(120),
            10,
        )
        .await
        .unwrap();
    w.advance(121);
    w.worker("w2", platform.clone()).run_once().await.unwrap();
    assert_eq!(
        platform.calls.load(Ordering::SeqCst),
        0,
        "nothing sent blindly"
    );
    let jobs = w.app.store().post_jobs(post).await.unwrap();
    assert!(jobs.iter().all(|j| j.state == DeliveryState::Uncertain));
    assert_eq!(
        w.app.store().get_post(post).await.unwrap().state,
        PostState::Done
    );

    // A person checks: one was published (confirm with its link), the other was not (retry).
    assert!(matches!(
        w.app
            .confirm_delivery(&w.operator, jobs[0].id, "https://x.com/i/web/status/1")
            .await,
        Err(AppError::Forbidden)
    ));
    w.app
        .confirm_delivery(&w.kabid, jobs[0].id, "https://x.com/i/web/status/1")
        .await
        .unwrap();
    w.app.retry_delivery(&w.kabid, jobs[1].id).await.unwrap();
    assert_eq!(
        w.app.store().get_post(post).await.unwrap().state,
        PostState::Approved
    );
    w.worker("w3", platform.clone()).run_once().await.unwrap();
    assert_eq!(platform.calls.load(Ordering::SeqCst), 1);
    let jobs = w.app.store().post_jobs(post).await.unwrap();
    assert!(jobs.iter().all(|j| j.state == DeliveryState::Published));
}

#[tokio::test]
async fn a_refusal_fails_at_once_with_the_platforms_reason() {
    let w = world().await;
    let platform = FakePlatform::new(true);
    platform.then(&[Next::Refuse, Next::Refuse]);
    let post = w.approved_post().await;
    w.worker("w1", platform.clone()).run_once().await.unwrap();
    let jobs = w.app.store().post_jobs(post).await.unwrap();
    assert!(jobs.iter().all(|j| j.state == DeliveryState::Failed));
    assert!(
        jobs[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("duplicate content")
    );
    assert_eq!(jobs[0].attempts, 1);
}

fn tiny_png() -> Vec<u8> {
    let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    png.extend_from_slice(&13_u32.to_be_bytes());
    png.extend_from_slice(b"IHDR");
    png.extend_from_slice(&1080_u32.to_be_bytes());
    png.extend_from_slice(&1080_u32.to_be_bytes());
    png.extend_from_slice(&[8, 2, 0, 0, 0]);
    png.extend_from_slice(&[0, 0, 0, 0]);
    png.extend_from_slice(&0_u32.to_be_bytes());
    png.extend_from_slice(b"IEND");
    png.extend_from_slice(&[0xAE, 0x42, 0x60, 0x82]);
    png
}

#[tokio::test]
async fn uploads_are_sniffed_and_refused_clearly_when_not_media() {
    let w = world().await;
    let err = w
        .app
        .upload_media(
            &w.operator,
            &w.media,
            w.opd,
            "surat.pdf",
            b"%PDF-1.7 not an image",
            "",
        )
        .await
        .unwrap_err();
    assert_eq!(refused_code(&err), "media_unsupported");
    let asset = w
        .app
        .upload_media(
            &w.operator,
            &w.media,
            w.opd,
            "../poster.png",
            &tiny_png(),
            " Poster vaksinasi ",
        )
        .await
        .unwrap();
    assert_eq!(asset.mime, "image/png");
    assert_eq!((asset.width, asset.height), (Some(1080), Some(1080)));
    assert_eq!(asset.file_name, "poster.png");
    assert_eq!(asset.alt_text.as_deref(), Some("Poster vaksinasi"));
    assert_eq!(w.media.get(&asset.storage_key).await.unwrap(), tiny_png());
    // The public address platforms fetch from: the right token opens it, any other does not.
    let token = w.app.public_media_token(asset.id);
    let (found, bytes) = w
        .app
        .public_media(&w.media, asset.id, &token)
        .await
        .unwrap();
    assert_eq!((found.id, bytes), (asset.id, tiny_png()));
    let mut wrong = token.clone();
    wrong.replace_range(0..1, if token.starts_with('0') { "1" } else { "0" });
    assert!(matches!(
        w.app.public_media(&w.media, asset.id, &wrong).await,
        Err(AppError::NotFound("media"))
    ));
    assert!(matches!(
        w.app
            .public_media(&w.media, humas_domain::MediaId::generate(), &token)
            .await,
        Err(AppError::NotFound("media"))
    ));
    let pu_operator = as_actor(
        &person(&w.app, Role::Operator, Some(w.other_opd), "operator.pu").await,
        &[],
    );
    assert!(matches!(
        w.app.set_media_alt_text(&pu_operator, asset.id, "x").await,
        Err(AppError::Forbidden)
    ));

    // The post carries it; Instagram would need JPEG, X takes PNG.
    let mut input = w.input(None);
    input.media = vec![asset.id];
    let post = w.app.create_post(&w.operator, w.opd, &input).await.unwrap();
    assert!(!w.app.check_post(&post).await.unwrap().has_errors());
}

#[tokio::test]
async fn a_narrative_reaches_each_opd_as_a_draft_and_tracking_shows_who_is_late() {
    let w = world().await;
    let poster = w
        .app
        .upload_media(
            &w.supervisor,
            &w.media,
            w.opd,
            "poster.png",
            &tiny_png(),
            "Poster Hari Pahlawan",
        )
        .await
        .unwrap();
    let deadline = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(2);
    let input = humas_app::publish::NarrativeInput {
        title: "Hari Pahlawan".into(),
        body: "Selamat Hari Pahlawan, 10 November 2026. Mari teladani semangat para pahlawan di Surabaya.".into(),
        key_messages: vec!["Semangat kepahlawanan".into(), "  ".into(), "#HariPahlawan".into()],
        media: vec![poster.id],
        deadline: humas_domain::publish::zone::to_local(deadline, UserZone::Wib)
            .strftime("%Y-%m-%dT%H:%M")
            .to_string(),
        zone: UserZone::Wib,
        opds: vec![w.opd, w.other_opd],
    };
    assert!(matches!(
        w.app.send_narrative(&w.kabid, &input).await,
        Err(AppError::Forbidden)
    ));
    let narrative = w.app.send_narrative(&w.supervisor, &input).await.unwrap();
    assert_eq!(
        narrative.key_messages,
        vec!["Semangat kepahlawanan", "#HariPahlawan"]
    );

    let drafts = w
        .app
        .list_posts(
            &w.operator,
            humas_store::PostQuery {
                narrative: Some(narrative.id),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(drafts.len(), 1, "the operator sees only their OPD's draft");
    let draft = &drafts[0];
    assert_eq!(draft.state, PostState::Draft);
    assert_eq!(
        draft.channels.len(),
        2,
        "every active publishable account of the OPD"
    );
    assert_eq!(draft.media, vec![poster.id]);

    // The operator adapts and submits; the OPD's own approver approves; the worker publishes.
    let mut adapted = w.input(None);
    adapted.body = "Selamat Hari Pahlawan dari Dinas Kesehatan, Surabaya 10 November 2026.".into();
    adapted.media = draft.media.clone();
    w.app
        .update_post(&w.operator, draft.id, &adapted)
        .await
        .unwrap();
    w.app.submit_post(&w.operator, draft.id).await.unwrap();
    w.app.approve_post(&w.kabid, draft.id).await.unwrap();
    let platform = FakePlatform::new(true);
    w.worker("w1", platform.clone()).run_once().await.unwrap();
    assert_eq!(platform.posts(), 2);

    w.advance(3 * 3600);
    let tracking = w
        .app
        .narrative_tracking(&w.supervisor, narrative.id)
        .await
        .unwrap();
    assert_eq!(tracking.opds.len(), 2);
    let dinkes = tracking.opds.iter().find(|o| o.opd == w.opd).unwrap();
    assert!(dinkes.published && !dinkes.late);
    assert!(
        dinkes
            .channels
            .iter()
            .all(|c| c.job.as_ref().unwrap().url.is_some())
    );
    let pu = tracking.opds.iter().find(|o| o.opd == w.other_opd).unwrap();
    assert!(
        !pu.published && pu.late,
        "the PU draft has no accounts and the deadline passed"
    );
    // The PU copy of the poster is its own record, usable by PU.
    let pu_media = pu.post.as_ref().unwrap().media[0];
    assert_ne!(pu_media, poster.id);
    assert_eq!(
        w.app.store().get_media(pu_media).await.unwrap().opd,
        w.other_opd
    );

    let operator_view = w
        .app
        .narrative_tracking(&w.operator, narrative.id)
        .await
        .unwrap();
    assert_eq!(operator_view.opds.len(), 1, "an OPD sees its own row");
}

#[tokio::test]
async fn moving_an_approved_post_moves_its_channels_and_slots_offer_the_next_free_time() {
    let w = world().await;
    let post = w.approved_post().await;
    let later = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(5);
    let local = humas_domain::publish::zone::to_local(later, UserZone::Wita)
        .strftime("%Y-%m-%dT%H:%M")
        .to_string();
    assert!(
        matches!(
            w.app
                .reschedule_post(&w.operator, post, &local, UserZone::Wita)
                .await,
            Err(AppError::Forbidden)
        ),
        "an operator cannot move what the approver approved"
    );
    let moved = w
        .app
        .reschedule_post(&w.kabid, post, &local, UserZone::Wita)
        .await
        .unwrap();
    let at = moved.scheduled_at.unwrap();
    assert!(at.duration_since(later).abs() < jiff::SignedDuration::from_mins(1));
    for job in w.app.store().post_jobs(post).await.unwrap() {
        assert_eq!(job.due_at, at);
    }
    let platform = FakePlatform::new(true);
    assert_eq!(
        w.worker("w1", platform.clone()).run_once().await.unwrap(),
        0,
        "not due any more"
    );
    assert!(matches!(
        w.app
            .reschedule_post(&w.kabid, post, "2020-01-01T08:00", UserZone::Wib)
            .await,
        Err(AppError::Invalid(_))
    ));

    assert!(matches!(
        w.app
            .set_account_slots(&w.operator, w.x.id, &["1 07:00".into()])
            .await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        w.app
            .set_account_slots(&w.kabid, w.x.id, &["senin pagi".into()])
            .await,
        Err(AppError::Invalid(_))
    ));
    let slots = w
        .app
        .set_account_slots(
            &w.kabid,
            w.x.id,
            &["5 12:00".into(), "1 07:00".into(), "".into()],
        )
        .await
        .unwrap();
    assert_eq!(slots.len(), 2);
    let next = w.app.next_free_slot(&w.operator, w.x.id).await.unwrap();
    let local = humas_domain::publish::zone::to_local(next, UserZone::Wib);
    assert!(
        matches!((local.hour(), local.minute()), (7, 0) | (12, 0)),
        "{local}"
    );
    assert!(next > jiff::Timestamp::now());
}

#[tokio::test]
async fn the_demo_shows_every_state_of_the_queue() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::connect(dir.path().join("humas.db").to_str().unwrap())
        .await
        .unwrap();
    store.migrate().await.unwrap();
    let app = App::new(
        Arc::new(store),
        Arc::new(ManualClock::starting_now()),
        AuthSettings::for_tests(),
    );
    app.seed_demo_if_empty().await.unwrap().unwrap();
    let posts = app
        .store()
        .list_posts(&humas_store::PostQuery {
            limit: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    for state in [
        PostState::Done,
        PostState::InReview,
        PostState::Draft,
        PostState::Approved,
    ] {
        assert!(
            posts.iter().any(|p| p.state == state),
            "a demo post in state {state}"
        );
    }
    let done = posts.iter().find(|p| p.state == PostState::Done).unwrap();
    let jobs = app.store().post_jobs(done.id).await.unwrap();
    assert!(!jobs.is_empty() && jobs.iter().all(|j| j.url.is_some()));
    let narratives = app.store().list_narratives(None, 10).await.unwrap();
    assert_eq!(narratives.len(), 1);
    assert_eq!(narratives[0].opds.len(), 3);
    assert!(posts.iter().filter(|p| p.narrative.is_some()).count() >= 3);
}

#[tokio::test]
async fn a_revoked_token_fails_the_channel_and_marks_the_account_until_reconnected() {
    let w = world().await;
    let platform = FakePlatform::new(true);
    platform.then(&[Next::Revoked, Next::Ok]);
    let post = w.approved_post().await;
    w.worker("w1", platform.clone()).run_once().await.unwrap();
    let jobs = w.app.store().post_jobs(post).await.unwrap();
    let failed: Vec<_> = jobs
        .iter()
        .filter(|j| j.state == DeliveryState::Failed)
        .collect();
    assert_eq!(failed.len(), 1);
    assert!(
        failed[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("reconnect")
    );
    assert_eq!(
        failed[0].attempts, 1,
        "not retried: a person must reconnect first"
    );
    let account = w.app.store().get_account(failed[0].account).await.unwrap();
    assert_eq!(account.status, humas_domain::AccountStatus::TokenExpired);

    // The approver pastes a new token: the account is in use again, and the channel can be
    // sent again.
    w.app
        .set_account_credentials(
            &w.kabid,
            account.id,
            humas_app::sealed::Credentials {
                access_token: Some("token-baru".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        w.app.store().get_account(account.id).await.unwrap().status,
        humas_domain::AccountStatus::Active
    );
    w.app.retry_delivery(&w.kabid, failed[0].id).await.unwrap();
    w.worker("w2", platform.clone()).run_once().await.unwrap();
    assert_eq!(
        w.app.store().get_job(failed[0].id).await.unwrap().state,
        DeliveryState::Published
    );
}

/// Counts reads, to show a post's media are read once for all its channels.
struct CountingMedia {
    inner: Arc<dyn MediaStore>,
    reads: AtomicUsize,
}

#[async_trait]
impl MediaStore for CountingMedia {
    async fn put(&self, key: &str, bytes: &[u8]) -> std::io::Result<()> {
        self.inner.put(key, bytes).await
    }
    async fn get(&self, key: &str) -> std::io::Result<Vec<u8>> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        self.inner.get(key).await
    }
}

#[tokio::test]
async fn a_posts_media_are_read_once_for_all_its_channels() {
    let w = world().await;
    let asset = w
        .app
        .upload_media(
            &w.operator,
            &w.media,
            w.opd,
            "poster.png",
            &tiny_png(),
            "Poster",
        )
        .await
        .unwrap();
    let mut input = w.input(None);
    input.media = vec![asset.id];
    let post = w.app.create_post(&w.operator, w.opd, &input).await.unwrap();
    w.app.submit_post(&w.operator, post.id).await.unwrap();
    w.app.approve_post(&w.kabid, post.id).await.unwrap();
    let counting = Arc::new(CountingMedia {
        inner: w.media.clone(),
        reads: AtomicUsize::new(0),
    });
    let platform = FakePlatform::new(true);
    let worker = PublishWorker::new(
        w.app.clone(),
        platform.clone(),
        counting.clone(),
        WorkerConfig::named("w1"),
    );
    assert_eq!(worker.run_once().await.unwrap(), 2);
    assert_eq!(platform.posts(), 2, "both channels went out with the image");
    assert_eq!(
        counting.reads.load(Ordering::SeqCst),
        1,
        "one read for two channels"
    );
}
