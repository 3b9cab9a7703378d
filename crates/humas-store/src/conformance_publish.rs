//! The publishing conformance suite: media, posts, approvals, approval chains and the durable
//! publication queue, with identical answers required from SQLite and PostgreSQL.
//!
//! A backend crate runs it with [`publish_conformance_tests!`], giving the same fixture function
//! as for [`conformance_tests!`](crate::conformance_tests).

#![expect(
    clippy::unwrap_used,
    reason = "a conformance failure should stop the test at the failing line"
)]

use std::collections::HashSet;
use std::sync::Arc;

use humas_domain::publish::chain::ApprovalChain;
use humas_domain::publish::limits::MediaKind;
use humas_domain::publish::{Channel, DeliveryState, Post, PostState, PostText};
use humas_domain::{MediaId, Platform, PostId, PublishJobId};
use jiff::{SignedDuration, Timestamp};

use crate::conformance_inbox::{World, at_minute, t0, test_account, world};
use crate::{
    AuditQuery, JobOutcome, MediaAsset, Narrative, PostApproval, PostChange, PostQuery, PublishJob,
    Store, StoreError,
};

/// Generates one `#[tokio::test]` per publishing conformance case.
#[macro_export]
macro_rules! publish_conformance_tests {
    ($make:path) => {
        $crate::publish_conformance_tests!(@cases $make;
            publish_post_round_trips_with_channels_and_media,
            publish_change_post_is_compare_and_set_with_approvals_and_jobs,
            publish_claim_takes_due_jobs_once_and_recovers_expired_leases,
            publish_concurrent_claims_never_share_a_job,
            publish_finish_needs_the_lease_and_closes_the_post,
            publish_settle_reopens_a_done_post,
            publish_approval_chain_set_and_removed,
            publish_narrative_with_drafts_and_media_copies,
            publish_slots_and_rescheduling_move_waiting_jobs,
            publish_engagement_is_kept_per_channel_and_read_oldest_first,
        );
    };
    (@cases $make:path; $($case:ident),+ $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn $case() {
                use $crate::conformance::Fixture as _;
                let fixture = $make().await;
                $crate::conformance_publish::$case(fixture.store()).await;
                fixture.finish().await;
            }
        )+
    };
}

fn media(w: &World, name: &str) -> MediaAsset {
    MediaAsset {
        id: MediaId::generate(),
        opd: w.opd_a.id,
        uploaded_by: w.op.id,
        file_name: name.to_owned(),
        mime: "image/jpeg".into(),
        kind: MediaKind::Image,
        bytes: 123_456,
        width: Some(1080),
        height: Some(1350),
        duration_ms: None,
        sha256: "ab".repeat(32),
        storage_key: format!("ab/{name}"),
        alt_text: Some("Petugas posyandu".into()),
        created_at: t0(),
    }
}

fn post(w: &World, scheduled_at: Option<Timestamp>) -> Post {
    Post {
        id: PostId::generate(),
        opd: w.opd_a.id,
        author: w.op.id,
        title: "Jadwal posyandu".into(),
        body: PostText::parse("Posyandu buka Sabtu 08.00 WIB #sehat").unwrap(),
        channels: vec![Channel {
            account: w.acc_a.id,
            platform: Platform::X,
            text: Some(PostText::parse("Posyandu Sabtu 08.00").unwrap()),
        }],
        media: Vec::new(),
        scheduled_at,
        state: PostState::Draft,
        emergency: false,
        narrative: None,
        review_round: 0,
        created_at: t0(),
        updated_at: t0(),
    }
}

fn job(post: &Post, account: humas_domain::AccountId, due: Timestamp) -> PublishJob {
    PublishJob {
        id: PublishJobId::generate(),
        post: post.id,
        account,
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
        updated_at: due,
    }
}

/// Stores a post already approved with one job per channel due at `due`.
async fn approved_post_with_jobs(
    store: &dyn Store,
    w: &World,
    accounts: &[humas_domain::AccountId],
    due: Timestamp,
) -> (Post, Vec<PublishJob>) {
    let mut p = post(w, Some(due));
    p.channels = accounts
        .iter()
        .map(|a| Channel {
            account: *a,
            platform: Platform::X,
            text: None,
        })
        .collect();
    store.create_post(&w.by, &p).await.unwrap();
    let jobs: Vec<PublishJob> = accounts.iter().map(|a| job(&p, *a, due)).collect();
    let mut approved = p.clone();
    approved.state = PostState::Approved;
    store
        .change_post(
            &w.by,
            &PostChange {
                action: "post.emergency_publish",
                expected: PostState::Draft,
                post: &approved,
                approval: None,
                jobs: &jobs,
                note: None,
            },
        )
        .await
        .unwrap();
    (approved, jobs)
}

/// A post keeps its channels (with and without variants) and media in order; media keep every
/// field; listing filters by OPD, state, author and scheduled window.
pub async fn publish_post_round_trips_with_channels_and_media(store: Arc<dyn Store>) {
    let w = world(store.as_ref()).await;
    let m1 = media(&w, "satu.jpg");
    let m2 = media(&w, "dua.jpg");
    store.create_media(&w.by, &m1).await.unwrap();
    store.create_media(&w.by, &m2).await.unwrap();
    assert_eq!(store.get_media(m1.id).await.unwrap(), m1);
    store
        .set_media_alt_text(&w.by, m2.id, Some("Balai desa"))
        .await
        .unwrap();
    assert_eq!(
        store.get_media(m2.id).await.unwrap().alt_text.as_deref(),
        Some("Balai desa")
    );
    assert!(matches!(
        store.get_media(MediaId::generate()).await,
        Err(StoreError::NotFound("media"))
    ));

    let extra = test_account(w.opd_a.id, Platform::Mastodon, "@dinkes@sosial.example");
    store.create_account(&w.by, &extra).await.unwrap();
    let mut p = post(&w, Some(at_minute(90)));
    p.channels.push(Channel {
        account: extra.id,
        platform: Platform::Mastodon,
        text: None,
    });
    p.media = vec![m2.id, m1.id];
    store.create_post(&w.by, &p).await.unwrap();
    assert_eq!(store.get_post(p.id).await.unwrap(), p);

    let unscheduled = post(&w, None);
    store.create_post(&w.by, &unscheduled).await.unwrap();
    let all = store
        .list_posts(&PostQuery {
            opd: Some(w.opd_a.id),
            limit: 10,
            ..PostQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|x| x.id).collect::<Vec<_>>(),
        vec![p.id, unscheduled.id],
        "scheduled first, unscheduled last"
    );
    let window = store
        .list_posts(&PostQuery {
            from: Some(at_minute(60)),
            until: Some(at_minute(120)),
            limit: 10,
            ..PostQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(window.len(), 1);
    let other_opd = store
        .list_posts(&PostQuery {
            opd: Some(w.opd_b.id),
            limit: 10,
            ..PostQuery::default()
        })
        .await
        .unwrap();
    assert!(other_opd.is_empty());
    let in_review = store
        .list_posts(&PostQuery {
            states: vec![PostState::InReview],
            limit: 10,
            ..PostQuery::default()
        })
        .await
        .unwrap();
    assert!(in_review.is_empty());

    let mut bad = post(&w, None);
    bad.media = vec![MediaId::generate()];
    assert!(matches!(
        store.create_post(&w.by, &bad).await,
        Err(StoreError::UnknownReference(_))
    ));
    assert!(matches!(
        store.get_post(bad.id).await,
        Err(StoreError::NotFound("post"))
    ));
}

/// `change_post` applies only from the expected state, records an approval once per person and
/// step and round, enqueues jobs, and audits each change.
pub async fn publish_change_post_is_compare_and_set_with_approvals_and_jobs(store: Arc<dyn Store>) {
    let w = world(store.as_ref()).await;
    let p = post(&w, Some(at_minute(30)));
    store.create_post(&w.by, &p).await.unwrap();

    let mut submitted = p.clone();
    submitted.state = PostState::InReview;
    submitted.review_round = 1;
    submitted.body = PostText::parse("Teks yang diperbaiki").unwrap();
    let change = PostChange {
        action: "post.submit",
        expected: PostState::Draft,
        post: &submitted,
        approval: None,
        jobs: &[],
        note: None,
    };
    store.change_post(&w.by, &change).await.unwrap();
    assert!(matches!(
        store.change_post(&w.by, &change).await,
        Err(StoreError::Conflict("post_state"))
    ));
    assert_eq!(store.get_post(p.id).await.unwrap(), submitted);

    // Sent back with a note (kept as the round's rejection), then submitted again.
    let approver = crate::AuditActor::user(w.op2.id, "op2");
    let mut back = submitted.clone();
    back.state = PostState::Draft;
    store
        .change_post(
            &approver,
            &PostChange {
                action: "post.reject",
                expected: PostState::InReview,
                post: &back,
                approval: None,
                jobs: &[],
                note: Some("Sebutkan lokasi posko"),
            },
        )
        .await
        .unwrap();
    let rejections = store.rejections(p.id).await.unwrap();
    assert_eq!(rejections.len(), 1);
    assert_eq!(
        (
            rejections[0].round,
            rejections[0].by,
            rejections[0].note.as_str()
        ),
        (1, w.op2.id, "Sebutkan lokasi posko")
    );
    let mut submitted = back.clone();
    submitted.state = PostState::InReview;
    submitted.review_round = 2;
    store
        .change_post(
            &w.by,
            &PostChange {
                action: "post.submit",
                expected: PostState::Draft,
                post: &submitted,
                approval: None,
                jobs: &[],
                note: None,
            },
        )
        .await
        .unwrap();

    let approval = PostApproval {
        post: p.id,
        round: 2,
        step: 0,
        approver: w.op2.id,
        on_behalf_of: None,
        at: at_minute(5),
    };
    let jobs = vec![job(&submitted, w.acc_a.id, at_minute(30))];
    let mut approved = submitted.clone();
    approved.state = PostState::Approved;
    store
        .change_post(
            &w.by,
            &PostChange {
                action: "post.approve",
                expected: PostState::InReview,
                post: &approved,
                approval: Some(&approval),
                jobs: &jobs,
                note: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        store.list_approvals(p.id).await.unwrap(),
        vec![approval.clone()]
    );
    assert_eq!(store.post_jobs(p.id).await.unwrap(), jobs);
    assert_eq!(store.get_job(jobs[0].id).await.unwrap(), jobs[0]);

    // The same approval again (even on an unchanged state) is refused and changes nothing.
    let again = PostChange {
        action: "post.approve",
        expected: PostState::Approved,
        post: &approved,
        approval: Some(&approval),
        jobs: &[],
        note: None,
    };
    assert!(matches!(
        store.change_post(&w.by, &again).await,
        Err(StoreError::Conflict("approval"))
    ));
    assert_eq!(store.list_approvals(p.id).await.unwrap().len(), 1);

    let audit = store
        .query_audit(&AuditQuery {
            action_prefix: Some("post.".into()),
            limit: 50,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let target = p.id.to_string();
    let actions: Vec<&str> = audit
        .iter()
        .filter(|e| e.target_id == target)
        .map(|e| e.action.as_str())
        .collect();
    for expected in ["post.create", "post.submit", "post.approve"] {
        assert!(actions.contains(&expected), "{expected} in {actions:?}");
    }
}

/// Due jobs are taken once, future ones wait, and a job whose holder vanished is taken again
/// after its lease with `needs_reconcile` set.
pub async fn publish_claim_takes_due_jobs_once_and_recovers_expired_leases(store: Arc<dyn Store>) {
    let w = world(store.as_ref()).await;
    let (_, now_jobs) =
        approved_post_with_jobs(store.as_ref(), &w, &[w.acc_a.id], at_minute(0)).await;
    let (_, later) =
        approved_post_with_jobs(store.as_ref(), &w, &[w.acc_a.id], at_minute(10)).await;
    assert_eq!(store.next_job_at().await.unwrap(), Some(at_minute(0)));

    let lease = SignedDuration::from_secs(60);
    let taken = store
        .claim_jobs("w1", at_minute(1), lease, 10)
        .await
        .unwrap();
    assert_eq!(taken.len(), 1);
    let first = &taken[0];
    assert_eq!(first.id, now_jobs[0].id);
    assert_eq!(first.state, DeliveryState::Publishing);
    assert_eq!(first.worker.as_deref(), Some("w1"));
    assert_eq!(first.attempts, 1);
    assert_eq!(first.intent_at, Some(at_minute(1)));
    assert!(first.in_doubt);
    assert!(
        !first.needs_reconcile,
        "a fresh job has nothing to reconcile"
    );
    assert_eq!(first.lease_until, Some(at_minute(2)));

    // Held: nobody else takes it before the lease ends.
    assert!(
        store
            .claim_jobs("w2", at_minute(1), lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.next_job_at().await.unwrap(), Some(at_minute(2)));

    // w1 died: after the lease another worker takes it, told to look on the platform first.
    let recovered = store
        .claim_jobs("w2", at_minute(3), lease, 10)
        .await
        .unwrap();
    assert_eq!(recovered.len(), 1);
    assert_eq!(recovered[0].id, first.id);
    assert!(recovered[0].needs_reconcile);
    assert_eq!(recovered[0].attempts, 2);
    assert_eq!(
        recovered[0].intent_at,
        Some(at_minute(1)),
        "the first intent is kept"
    );
    assert!(matches!(
        store
            .finish_job(
                &w.by,
                &JobOutcome {
                    job: first,
                    worker: "w1"
                }
            )
            .await,
        Err(StoreError::Conflict("job_lease"))
    ));
    // The dead worker cannot renew a lease it lost; the holder can.
    assert!(
        !store
            .renew_lease(first.id, "w1", at_minute(9))
            .await
            .unwrap()
    );
    assert!(
        store
            .renew_lease(first.id, "w2", at_minute(9))
            .await
            .unwrap()
    );
    assert_eq!(
        store.get_job(first.id).await.unwrap().lease_until,
        Some(at_minute(9))
    );

    let mut done = recovered[0].clone();
    done.state = DeliveryState::Published;
    done.lease_until = None;
    done.in_doubt = false;
    store
        .finish_job(
            &w.by,
            &JobOutcome {
                job: &done,
                worker: "w2",
            },
        )
        .await
        .unwrap();
    let due_later = store
        .claim_jobs("w2", at_minute(10), lease, 10)
        .await
        .unwrap();
    assert_eq!(
        due_later.iter().map(|j| j.id).collect::<Vec<_>>(),
        vec![later[0].id]
    );
}

/// Four workers claiming at once over 120 due jobs take each exactly once.
pub async fn publish_concurrent_claims_never_share_a_job(store: Arc<dyn Store>) {
    let w = world(store.as_ref()).await;
    let mut accounts = Vec::new();
    for i in 0..4 {
        let a = test_account(
            w.opd_a.id,
            Platform::Mastodon,
            &format!("@akun{i}@sosial.example"),
        );
        store.create_account(&w.by, &a).await.unwrap();
        accounts.push(a.id);
    }
    let mut all = HashSet::new();
    for _ in 0..30 {
        let (_, jobs) = approved_post_with_jobs(store.as_ref(), &w, &accounts, at_minute(0)).await;
        all.extend(jobs.iter().map(|j| j.id));
    }
    assert_eq!(all.len(), 120);
    let mut tasks = Vec::new();
    for k in 0..4 {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let name = format!("w{k}");
            let mut mine = Vec::new();
            loop {
                let got = store
                    .claim_jobs(&name, at_minute(1), SignedDuration::from_secs(300), 7)
                    .await
                    .unwrap();
                if got.is_empty() {
                    break mine;
                }
                assert!(
                    got.iter()
                        .all(|j| j.worker.as_deref() == Some(name.as_str()))
                );
                mine.extend(got.into_iter().map(|j| j.id));
            }
        }));
    }
    let mut seen = HashSet::new();
    for t in tasks {
        for id in t.await.unwrap() {
            assert!(seen.insert(id), "job {id} taken twice");
        }
    }
    assert_eq!(seen, all);
}

/// Finishing needs the lease; final outcomes are audited, and the post is done when every
/// channel has its outcome.
pub async fn publish_finish_needs_the_lease_and_closes_the_post(store: Arc<dyn Store>) {
    let w = world(store.as_ref()).await;
    let extra = test_account(w.opd_a.id, Platform::Mastodon, "@dinkes@sosial.example");
    store.create_account(&w.by, &extra).await.unwrap();
    let (p, _) =
        approved_post_with_jobs(store.as_ref(), &w, &[w.acc_a.id, extra.id], at_minute(0)).await;
    let lease = SignedDuration::from_secs(60);
    let taken = store
        .claim_jobs("w1", at_minute(0), lease, 10)
        .await
        .unwrap();
    assert_eq!(taken.len(), 2);

    let mut published = taken[0].clone();
    published.state = DeliveryState::Published;
    published.external_id = Some("1456012973835788293".into());
    published.url = Some("https://x.com/i/web/status/1456012973835788293".into());
    published.published_at = Some(at_minute(0));
    published.in_doubt = false;
    published.lease_until = None;
    published.updated_at = at_minute(0);
    assert!(matches!(
        store
            .finish_job(
                &w.by,
                &JobOutcome {
                    job: &published,
                    worker: "w9"
                }
            )
            .await,
        Err(StoreError::Conflict("job_lease"))
    ));
    store
        .finish_job(
            &w.by,
            &JobOutcome {
                job: &published,
                worker: "w1",
            },
        )
        .await
        .unwrap();
    assert_eq!(
        store.get_job(published.id).await.unwrap().state,
        DeliveryState::Published
    );
    assert_eq!(
        store.get_post(p.id).await.unwrap().state,
        PostState::Approved
    );

    // A retry being scheduled is not final and not audited.
    let mut retry = taken[1].clone();
    retry.state = DeliveryState::Scheduled;
    retry.next_attempt_at = at_minute(2);
    retry.lease_until = None;
    retry.last_error = Some("the platform is unavailable (503)".into());
    store
        .finish_job(
            &w.by,
            &JobOutcome {
                job: &retry,
                worker: "w1",
            },
        )
        .await
        .unwrap();
    assert!(
        store
            .claim_jobs("w1", at_minute(1), lease, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let again = store
        .claim_jobs("w1", at_minute(2), lease, 10)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    let mut failed = again[0].clone();
    failed.state = DeliveryState::Failed;
    failed.last_error = Some("the platform refused the request: duplicate".into());
    failed.lease_until = None;
    failed.in_doubt = false;
    store
        .finish_job(
            &w.by,
            &JobOutcome {
                job: &failed,
                worker: "w1",
            },
        )
        .await
        .unwrap();
    assert_eq!(store.get_post(p.id).await.unwrap().state, PostState::Done);
    assert_eq!(store.next_job_at().await.unwrap(), None);

    let audit = store
        .query_audit(&AuditQuery {
            limit: 200,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    let count = |action: &str| audit.iter().filter(|e| e.action == action).count();
    assert_eq!(count("post.published"), 1);
    assert_eq!(count("post.publish_failed"), 1);
    let window = store
        .list_jobs(Some(w.opd_a.id), at_minute(-1), at_minute(1), 10)
        .await
        .unwrap();
    assert_eq!(window.len(), 2);
    assert!(
        store
            .list_jobs(Some(w.opd_b.id), at_minute(-1), at_minute(1), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// A person sending a failed job back to the queue reopens its post; the compare-and-set on
/// the job's state refuses a stale decision.
pub async fn publish_settle_reopens_a_done_post(store: Arc<dyn Store>) {
    let w = world(store.as_ref()).await;
    let (p, _) = approved_post_with_jobs(store.as_ref(), &w, &[w.acc_a.id], at_minute(0)).await;
    let taken = store
        .claim_jobs("w1", at_minute(0), SignedDuration::from_secs(60), 1)
        .await
        .unwrap();
    let mut uncertain = taken[0].clone();
    uncertain.state = DeliveryState::Uncertain;
    uncertain.lease_until = None;
    store
        .finish_job(
            &w.by,
            &JobOutcome {
                job: &uncertain,
                worker: "w1",
            },
        )
        .await
        .unwrap();
    assert_eq!(store.get_post(p.id).await.unwrap().state, PostState::Done);

    let mut retry = uncertain.clone();
    retry.state = DeliveryState::Scheduled;
    retry.in_doubt = false;
    retry.next_attempt_at = at_minute(5);
    store
        .settle_job(&w.by, "post.retry", DeliveryState::Uncertain, &retry)
        .await
        .unwrap();
    assert_eq!(
        store.get_post(p.id).await.unwrap().state,
        PostState::Approved
    );
    assert!(matches!(
        store
            .settle_job(&w.by, "post.retry", DeliveryState::Uncertain, &retry)
            .await,
        Err(StoreError::Conflict("job_state"))
    ));
    let again = store
        .claim_jobs("w2", at_minute(5), SignedDuration::from_secs(60), 1)
        .await
        .unwrap();
    assert_eq!(again.len(), 1);
    assert!(!again[0].needs_reconcile, "the person checked the platform");
}

/// An OPD's chain is stored whole, replaced, and removed; each change is audited.
pub async fn publish_approval_chain_set_and_removed(store: Arc<dyn Store>) {
    let w = world(store.as_ref()).await;
    assert_eq!(store.approval_chain(w.opd_a.id).await.unwrap(), None);
    let chain = ApprovalChain::single_step("Kepala Dinas", vec![w.op2.id]).unwrap();
    store
        .set_approval_chain(&w.by, w.opd_a.id, Some(&chain))
        .await
        .unwrap();
    assert_eq!(store.approval_chain(w.opd_a.id).await.unwrap(), Some(chain));
    let other = ApprovalChain::single_step("Sekretaris", vec![w.op.id, w.op2.id]).unwrap();
    store
        .set_approval_chain(&w.by, w.opd_a.id, Some(&other))
        .await
        .unwrap();
    assert_eq!(store.approval_chain(w.opd_a.id).await.unwrap(), Some(other));
    assert_eq!(store.approval_chain(w.opd_b.id).await.unwrap(), None);
    store
        .set_approval_chain(&w.by, w.opd_a.id, None)
        .await
        .unwrap();
    assert_eq!(store.approval_chain(w.opd_a.id).await.unwrap(), None);
    let audit = store
        .query_audit(&AuditQuery {
            limit: 50,
            ..AuditQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "approval_chain.set")
            .count(),
        3
    );
}

/// A narrative is stored with its media, OPDs and one draft per OPD (each with its own copy of
/// the media records) in one go; OPDs see only the narratives sent to them.
pub async fn publish_narrative_with_drafts_and_media_copies(store: Arc<dyn Store>) {
    let w = world(store.as_ref()).await;
    let original = media(&w, "poster.jpg");
    store.create_media(&w.by, &original).await.unwrap();
    let narrative = Narrative {
        id: humas_domain::NarrativeId::generate(),
        title: "Hari Pahlawan".into(),
        body: PostText::parse("Selamat Hari Pahlawan 10 November").unwrap(),
        key_messages: vec!["Semangat kepahlawanan".into(), "Tagar #HariPahlawan".into()],
        media: vec![original.id],
        deadline: at_minute(120),
        opds: vec![w.opd_a.id, w.opd_b.id],
        created_by: w.op.id,
        created_at: t0(),
    };
    let copy_b = MediaAsset {
        id: MediaId::generate(),
        opd: w.opd_b.id,
        ..original.clone()
    };
    let mut draft_a = post(&w, None);
    draft_a.narrative = Some(narrative.id);
    draft_a.media = vec![original.id];
    let mut draft_b = post(&w, None);
    draft_b.opd = w.opd_b.id;
    draft_b.narrative = Some(narrative.id);
    draft_b.channels = vec![Channel {
        account: w.acc_b.id,
        platform: Platform::Instagram,
        text: None,
    }];
    draft_b.media = vec![copy_b.id];
    store
        .create_narrative(
            &w.by,
            &narrative,
            std::slice::from_ref(&copy_b),
            &[draft_a.clone(), draft_b.clone()],
        )
        .await
        .unwrap();
    assert_eq!(
        store.get_narrative(narrative.id).await.unwrap(),
        Narrative {
            opds: {
                let mut o = narrative.opds.clone();
                o.sort();
                o
            },
            ..narrative.clone()
        }
    );
    assert_eq!(store.get_media(copy_b.id).await.unwrap().opd, w.opd_b.id);
    let drafts = store
        .list_posts(&PostQuery {
            narrative: Some(narrative.id),
            limit: 10,
            ..PostQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(drafts.len(), 2);
    assert!(drafts.contains(&draft_b));
    assert_eq!(
        store
            .list_narratives(Some(w.opd_b.id), 10)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(store.list_narratives(None, 10).await.unwrap().len(), 1);
    let other = crate::conformance_inbox::test_opd("bpbd", "BPBD Jawa Timur");
    store.create_opd(&w.by, &other).await.unwrap();
    assert!(
        store
            .list_narratives(Some(other.id), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(matches!(
        store
            .get_narrative(humas_domain::NarrativeId::generate())
            .await,
        Err(StoreError::NotFound("narrative"))
    ));

    // A draft pointing at an unknown account stores nothing at all.
    let mut broken = post(&w, None);
    broken.channels[0].account = humas_domain::AccountId::generate();
    let again = Narrative {
        id: humas_domain::NarrativeId::generate(),
        ..narrative.clone()
    };
    assert!(
        store
            .create_narrative(&w.by, &again, &[], &[broken])
            .await
            .is_err()
    );
    assert!(matches!(
        store.get_narrative(again.id).await,
        Err(StoreError::NotFound("narrative"))
    ));
}

/// Slots are replaced whole and read sorted; rescheduling moves the post and its untried
/// waiting jobs, and refuses a stale state.
pub async fn publish_slots_and_rescheduling_move_waiting_jobs(store: Arc<dyn Store>) {
    use humas_domain::publish::slots::Slot;
    let w = world(store.as_ref()).await;
    let slots = vec![
        Slot::parse("1 07:00").unwrap(),
        Slot::parse("5 12:30").unwrap(),
    ];
    store
        .set_account_slots(&w.by, w.acc_a.id, &slots)
        .await
        .unwrap();
    assert_eq!(store.account_slots(w.acc_a.id).await.unwrap(), slots);
    store
        .set_account_slots(&w.by, w.acc_a.id, &slots[1..])
        .await
        .unwrap();
    assert_eq!(
        store.account_slots(w.acc_a.id).await.unwrap(),
        slots[1..].to_vec()
    );
    assert!(matches!(
        store
            .set_account_slots(&w.by, humas_domain::AccountId::generate(), &slots)
            .await,
        Err(StoreError::UnknownReference("account"))
    ));

    let (mut p, jobs) =
        approved_post_with_jobs(store.as_ref(), &w, &[w.acc_a.id], at_minute(30)).await;
    p.scheduled_at = Some(at_minute(90));
    p.updated_at = at_minute(1);
    assert_eq!(
        store
            .reschedule_post(&w.by, &p, PostState::Approved)
            .await
            .unwrap(),
        1
    );
    let moved = store.get_job(jobs[0].id).await.unwrap();
    assert_eq!(
        (moved.due_at, moved.next_attempt_at),
        (at_minute(90), at_minute(90))
    );
    assert_eq!(
        store.get_post(p.id).await.unwrap().scheduled_at,
        Some(at_minute(90))
    );
    assert!(matches!(
        store.reschedule_post(&w.by, &p, PostState::Draft).await,
        Err(StoreError::Conflict("post_state"))
    ));
    // A job already tried stays where it is.
    store
        .claim_jobs("w1", at_minute(90), SignedDuration::from_secs(60), 10)
        .await
        .unwrap();
    p.scheduled_at = Some(at_minute(200));
    assert_eq!(
        store
            .reschedule_post(&w.by, &p, PostState::Approved)
            .await
            .unwrap(),
        0
    );
}

/// The latest figures replace the previous ones; channels never read come first, and fresh
/// ones wait.
pub async fn publish_engagement_is_kept_per_channel_and_read_oldest_first(store: Arc<dyn Store>) {
    use crate::EngagementFigures;
    let w = world(store.as_ref()).await;
    let extra = test_account(w.opd_a.id, Platform::Mastodon, "@dinkes@sosial.example");
    store.create_account(&w.by, &extra).await.unwrap();
    let (p, _) =
        approved_post_with_jobs(store.as_ref(), &w, &[w.acc_a.id, extra.id], at_minute(0)).await;
    let taken = store
        .claim_jobs("w1", at_minute(0), SignedDuration::from_secs(60), 10)
        .await
        .unwrap();
    for (i, job) in taken.iter().enumerate() {
        let mut done = job.clone();
        done.state = DeliveryState::Published;
        done.external_id = Some(format!("ext-{i}"));
        done.published_at = Some(at_minute(1));
        done.lease_until = None;
        store
            .finish_job(
                &w.by,
                &JobOutcome {
                    job: &done,
                    worker: "w1",
                },
            )
            .await
            .unwrap();
    }
    let due = store
        .jobs_for_engagement(at_minute(-60), at_minute(10), 10)
        .await
        .unwrap();
    assert_eq!(due.len(), 2, "never read: both due");
    let first = EngagementFigures {
        likes: 3,
        comments: 1,
        shares: 0,
        views: Some(120),
    };
    store
        .record_engagement(due[0].id, &first, at_minute(5))
        .await
        .unwrap();
    let later = EngagementFigures { likes: 10, ..first };
    store
        .record_engagement(due[0].id, &later, at_minute(20))
        .await
        .unwrap();
    let figures = store.post_engagement(p.id).await.unwrap();
    assert_eq!(figures, vec![(due[0].id, later, at_minute(20))]);
    let again = store
        .jobs_for_engagement(at_minute(-60), at_minute(10), 10)
        .await
        .unwrap();
    assert_eq!(
        again.iter().map(|j| j.id).collect::<Vec<_>>(),
        vec![due[1].id]
    );
    assert!(
        store
            .jobs_for_engagement(at_minute(2), at_minute(10), 10)
            .await
            .unwrap()
            .is_empty(),
        "published before `since`"
    );
}
