//! The publishing part of the SQLite store: media, posts, approvals, approval chains and the
//! publication queue. Every write runs on the single writer connection, so claiming jobs needs
//! no row locks: one `UPDATE … RETURNING` takes them.

use humas_domain::publish::chain::ApprovalChain;
use humas_domain::publish::limits::MediaKind;
use humas_domain::publish::slots::Slot;
use humas_domain::publish::{Channel, DeliveryState, Post, PostState, PostText};
use humas_domain::{AccountId, MediaId, OpdId, Platform, PostId, PublishJobId, UserId};
use humas_store::{
    AuditActor, EngagementFigures, JobOutcome, MediaAsset, PostApproval, PostChange, PostQuery,
    PublishJob, Rejection, StoreError, StoreResult,
};
use jiff::Timestamp;
use serde_json::json;
use sqlx::sqlite::SqliteRow;
use sqlx::{QueryBuilder, Row, Sqlite};
use uuid::Uuid;

use crate::inbox_rows::timestamp_of;
use crate::{SqliteStore, Tx, append, backend, commit, map_err};

const MEDIA_COLS: &str = "SELECT id, opd_id, uploaded_by, file_name, mime, kind, bytes, width, \
    height, duration_ms, sha256, storage_key, alt_text, created_us FROM media_assets";
const POST_COLS: &str = "SELECT id, opd_id, author_id, title, body, scheduled_us, state, \
    emergency, narrative_id, review_round, created_us, updated_us FROM posts";
const JOB_COLS: &str = "id, post_id, account_id, opd_id, due_us, state, attempts, \
    next_attempt_us, lease_until_us, worker, idempotency_key, intent_us, in_doubt, prior_doubt, \
    external_id, url, last_error, pending_handle, published_us, updated_us";

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn get<'r, T>(row: &'r SqliteRow, col: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite>,
{
    row.try_get(col).map_err(|e| corrupt(col, e))
}

fn time(row: &SqliteRow, col: &str) -> StoreResult<Timestamp> {
    timestamp_of(col, get(row, col)?)
}

fn opt_time(row: &SqliteRow, col: &str) -> StoreResult<Option<Timestamp>> {
    get::<Option<i64>>(row, col)?
        .map(|us| timestamp_of(col, us))
        .transpose()
}

fn us(t: Timestamp) -> i64 {
    t.as_microsecond()
}

fn count(row: &SqliteRow, col: &str) -> StoreResult<u32> {
    u32::try_from(get::<i64>(row, col)?).map_err(|e| corrupt(col, e))
}

fn opt_u32(row: &SqliteRow, col: &str) -> StoreResult<Option<u32>> {
    get::<Option<i64>>(row, col)?
        .map(|v| u32::try_from(v).map_err(|e| corrupt(col, e)))
        .transpose()
}

pub(crate) const fn kind_str(kind: MediaKind) -> &'static str {
    match kind {
        MediaKind::Image => "image",
        MediaKind::Video => "video",
    }
}

fn kind_of(raw: &str) -> StoreResult<MediaKind> {
    match raw {
        "image" => Ok(MediaKind::Image),
        "video" => Ok(MediaKind::Video),
        other => Err(corrupt("kind", other)),
    }
}

fn media(row: &SqliteRow) -> StoreResult<MediaAsset> {
    Ok(MediaAsset {
        id: MediaId::from_uuid(get(row, "id")?),
        opd: OpdId::from_uuid(get(row, "opd_id")?),
        uploaded_by: UserId::from_uuid(get(row, "uploaded_by")?),
        file_name: get(row, "file_name")?,
        mime: get(row, "mime")?,
        kind: kind_of(&get::<String>(row, "kind")?)?,
        bytes: u64::try_from(get::<i64>(row, "bytes")?).map_err(|e| corrupt("bytes", e))?,
        width: opt_u32(row, "width")?,
        height: opt_u32(row, "height")?,
        duration_ms: get::<Option<i64>>(row, "duration_ms")?
            .map(|v| u64::try_from(v).map_err(|e| corrupt("duration_ms", e)))
            .transpose()?,
        sha256: get(row, "sha256")?,
        storage_key: get(row, "storage_key")?,
        alt_text: get(row, "alt_text")?,
        created_at: time(row, "created_us")?,
    })
}

fn post_head(row: &SqliteRow) -> StoreResult<Post> {
    let body: String = get(row, "body")?;
    Ok(Post {
        id: PostId::from_uuid(get(row, "id")?),
        opd: OpdId::from_uuid(get(row, "opd_id")?),
        author: UserId::from_uuid(get(row, "author_id")?),
        title: get(row, "title")?,
        body: PostText::parse(&body).map_err(|e| corrupt("body", e))?,
        channels: Vec::new(),
        media: Vec::new(),
        scheduled_at: opt_time(row, "scheduled_us")?,
        state: PostState::parse(&get::<String>(row, "state")?).map_err(|e| corrupt("state", e))?,
        emergency: get(row, "emergency")?,
        narrative: get::<Option<Uuid>>(row, "narrative_id")?
            .map(humas_domain::NarrativeId::from_uuid),
        review_round: count(row, "review_round")?,
        created_at: time(row, "created_us")?,
        updated_at: time(row, "updated_us")?,
    })
}

fn job(row: &SqliteRow) -> StoreResult<PublishJob> {
    Ok(PublishJob {
        id: PublishJobId::from_uuid(get(row, "id")?),
        post: PostId::from_uuid(get(row, "post_id")?),
        account: AccountId::from_uuid(get(row, "account_id")?),
        opd: OpdId::from_uuid(get(row, "opd_id")?),
        due_at: time(row, "due_us")?,
        state: DeliveryState::parse(&get::<String>(row, "state")?)
            .map_err(|e| corrupt("state", e))?,
        attempts: count(row, "attempts")?,
        next_attempt_at: time(row, "next_attempt_us")?,
        lease_until: opt_time(row, "lease_until_us")?,
        worker: get(row, "worker")?,
        idempotency_key: get(row, "idempotency_key")?,
        intent_at: opt_time(row, "intent_us")?,
        in_doubt: get(row, "in_doubt")?,
        needs_reconcile: get(row, "prior_doubt")?,
        external_id: get(row, "external_id")?,
        url: get(row, "url")?,
        last_error: get(row, "last_error")?,
        pending_handle: get(row, "pending_handle")?,
        published_at: opt_time(row, "published_us")?,
        updated_at: time(row, "updated_us")?,
    })
}

fn approval(row: &SqliteRow) -> StoreResult<PostApproval> {
    Ok(PostApproval {
        post: PostId::from_uuid(get(row, "post_id")?),
        round: count(row, "round")?,
        step: count(row, "step")?,
        approver: UserId::from_uuid(get(row, "approver_id")?),
        on_behalf_of: get::<Option<Uuid>>(row, "on_behalf_of")?.map(UserId::from_uuid),
        at: time(row, "at_us")?,
    })
}

/// Inserts a media row.
pub(crate) async fn insert_media(tx: &mut Tx, m: &MediaAsset) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO media_assets (id, opd_id, uploaded_by, file_name, mime, kind, bytes, width, \
         height, duration_ms, sha256, storage_key, alt_text, created_us) \
         VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    )
    .bind(m.id.as_uuid())
    .bind(m.opd.as_uuid())
    .bind(m.uploaded_by.as_uuid())
    .bind(&m.file_name)
    .bind(&m.mime)
    .bind(kind_str(m.kind))
    .bind(i64::try_from(m.bytes).unwrap_or(i64::MAX))
    .bind(m.width.map(i64::from))
    .bind(m.height.map(i64::from))
    .bind(m.duration_ms.map(|d| i64::try_from(d).unwrap_or(i64::MAX)))
    .bind(&m.sha256)
    .bind(&m.storage_key)
    .bind(&m.alt_text)
    .bind(us(m.created_at))
    .execute(&mut **tx)
    .await
    .map_err(|e| map_err(e, "opd"))?;
    Ok(())
}

pub(crate) async fn create_media(
    store: &SqliteStore,
    by: &AuditActor,
    m: &MediaAsset,
) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    insert_media(&mut tx, m).await?;
    append(
        &mut tx,
        by.entry(
            "media.upload",
            "media",
            &m.id.to_string(),
            Some(m.opd),
            None,
            Some(m),
        ),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn set_media_alt_text(
    store: &SqliteStore,
    by: &AuditActor,
    id: MediaId,
    alt: Option<&str>,
) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let before = fetch_media(&mut tx, id).await?;
    sqlx::query("UPDATE media_assets SET alt_text = ? WHERE id = ?")
        .bind(alt)
        .bind(id.as_uuid())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    let after = MediaAsset {
        alt_text: alt.map(str::to_owned),
        ..before.clone()
    };
    append(
        &mut tx,
        by.entry(
            "media.alt_text",
            "media",
            &id.to_string(),
            Some(before.opd),
            Some(&before),
            Some(&after),
        ),
    )
    .await?;
    commit(tx).await
}

async fn fetch_media(tx: &mut Tx, id: MediaId) -> StoreResult<MediaAsset> {
    let row = sqlx::query(&format!("{MEDIA_COLS} WHERE id = ?"))
        .bind(id.as_uuid())
        .fetch_optional(&mut **tx)
        .await
        .map_err(backend)?
        .ok_or(StoreError::NotFound("media"))?;
    media(&row)
}

pub(crate) async fn get_media(store: &SqliteStore, id: MediaId) -> StoreResult<MediaAsset> {
    let row = sqlx::query(&format!("{MEDIA_COLS} WHERE id = ?"))
        .bind(id.as_uuid())
        .fetch_optional(&store.reader)
        .await
        .map_err(backend)?
        .ok_or(StoreError::NotFound("media"))?;
    media(&row)
}

pub(crate) async fn write_post_parts(tx: &mut Tx, post: &Post) -> StoreResult<()> {
    sqlx::query("DELETE FROM post_channels WHERE post_id = ?")
        .bind(post.id.as_uuid())
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    sqlx::query("DELETE FROM post_media WHERE post_id = ?")
        .bind(post.id.as_uuid())
        .execute(&mut **tx)
        .await
        .map_err(backend)?;
    for (position, channel) in post.channels.iter().enumerate() {
        sqlx::query(
            "INSERT INTO post_channels (post_id, position, account_id, platform, body) \
             VALUES (?,?,?,?,?)",
        )
        .bind(post.id.as_uuid())
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(channel.account.as_uuid())
        .bind(channel.platform.as_str())
        .bind(channel.text.as_ref().map(PostText::as_str))
        .execute(&mut **tx)
        .await
        .map_err(|e| map_err(e, "account"))?;
    }
    for (position, media) in post.media.iter().enumerate() {
        sqlx::query("INSERT INTO post_media (post_id, position, media_id) VALUES (?,?,?)")
            .bind(post.id.as_uuid())
            .bind(i64::try_from(position).unwrap_or(i64::MAX))
            .bind(media.as_uuid())
            .execute(&mut **tx)
            .await
            .map_err(|e| map_err(e, "media"))?;
    }
    Ok(())
}

/// Inserts a post row with its channels and media.
pub(crate) async fn insert_post(tx: &mut Tx, post: &Post) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO posts (id, opd_id, author_id, title, body, scheduled_us, state, emergency, \
         narrative_id, review_round, created_us, updated_us) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
    )
    .bind(post.id.as_uuid())
    .bind(post.opd.as_uuid())
    .bind(post.author.as_uuid())
    .bind(&post.title)
    .bind(post.body.as_str())
    .bind(post.scheduled_at.map(us))
    .bind(post.state.as_str())
    .bind(post.emergency)
    .bind(post.narrative.map(|n| n.as_uuid()))
    .bind(i64::from(post.review_round))
    .bind(us(post.created_at))
    .bind(us(post.updated_at))
    .execute(&mut **tx)
    .await
    .map_err(|e| map_err(e, "opd"))?;
    write_post_parts(tx, post).await
}

pub(crate) async fn create_post(
    store: &SqliteStore,
    by: &AuditActor,
    post: &Post,
) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    insert_post(&mut tx, post).await?;
    append(
        &mut tx,
        by.entry(
            "post.create",
            "post",
            &post.id.to_string(),
            Some(post.opd),
            None,
            Some(post),
        ),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn change_post(
    store: &SqliteStore,
    by: &AuditActor,
    change: &PostChange<'_>,
) -> StoreResult<()> {
    let post = change.post;
    let mut tx = store.begin().await?;
    let before = fetch_post(&mut tx, post.id).await?;
    if before.state != change.expected {
        return Err(StoreError::Conflict("post_state"));
    }
    sqlx::query(
        "UPDATE posts SET title = ?, body = ?, scheduled_us = ?, state = ?, emergency = ?, \
         review_round = ?, updated_us = ? WHERE id = ? AND state = ?",
    )
    .bind(&post.title)
    .bind(post.body.as_str())
    .bind(post.scheduled_at.map(us))
    .bind(post.state.as_str())
    .bind(post.emergency)
    .bind(i64::from(post.review_round))
    .bind(us(post.updated_at))
    .bind(post.id.as_uuid())
    .bind(change.expected.as_str())
    .execute(&mut *tx)
    .await
    .map_err(backend)?;
    if before.channels != post.channels || before.media != post.media {
        write_post_parts(&mut tx, post).await?;
    }
    if let Some(a) = change.approval {
        sqlx::query(
            "INSERT INTO post_approvals (post_id, round, step, approver_id, on_behalf_of, at_us) \
             VALUES (?,?,?,?,?,?)",
        )
        .bind(a.post.as_uuid())
        .bind(i64::from(a.round))
        .bind(i64::from(a.step))
        .bind(a.approver.as_uuid())
        .bind(a.on_behalf_of.map(|u| u.as_uuid()))
        .bind(us(a.at))
        .execute(&mut *tx)
        .await
        .map_err(|e| match map_err(e, "user") {
            StoreError::Conflict(_) => StoreError::Conflict("approval"),
            other => other,
        })?;
    }
    if let (Some(note), "post.reject") = (change.note, change.action) {
        let by_user = by.user_id.ok_or(StoreError::UnknownReference("user"))?;
        sqlx::query(
            "INSERT INTO post_rejections (post_id, round, rejected_by, note, at_us) \
             VALUES (?,?,?,?,?)",
        )
        .bind(post.id.as_uuid())
        .bind(i64::from(before.review_round))
        .bind(by_user.as_uuid())
        .bind(note)
        .bind(us(post.updated_at))
        .execute(&mut *tx)
        .await
        .map_err(|e| map_err(e, "user"))?;
    }
    for j in change.jobs {
        insert_job(&mut tx, j).await?;
    }
    let after = json!({
        "post": post,
        "approval": change.approval,
        "jobs": change.jobs.len(),
        "note": change.note,
    });
    append(
        &mut tx,
        by.entry(
            change.action,
            "post",
            &post.id.to_string(),
            Some(post.opd),
            Some(&json!({ "post": before })),
            Some(&after),
        ),
    )
    .await?;
    commit(tx).await
}

async fn insert_job(tx: &mut Tx, j: &PublishJob) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO publish_jobs (id, post_id, account_id, opd_id, due_us, state, attempts, \
         next_attempt_us, lease_until_us, worker, idempotency_key, intent_us, in_doubt, \
         prior_doubt, external_id, url, last_error, pending_handle, published_us, updated_us) \
         VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
    )
    .bind(j.id.as_uuid())
    .bind(j.post.as_uuid())
    .bind(j.account.as_uuid())
    .bind(j.opd.as_uuid())
    .bind(us(j.due_at))
    .bind(j.state.as_str())
    .bind(i64::from(j.attempts))
    .bind(us(j.next_attempt_at))
    .bind(j.lease_until.map(us))
    .bind(&j.worker)
    .bind(&j.idempotency_key)
    .bind(j.intent_at.map(us))
    .bind(j.in_doubt)
    .bind(j.needs_reconcile)
    .bind(&j.external_id)
    .bind(&j.url)
    .bind(&j.last_error)
    .bind(&j.pending_handle)
    .bind(j.published_at.map(us))
    .bind(us(j.updated_at))
    .execute(&mut **tx)
    .await
    .map_err(|e| match map_err(e, "account") {
        StoreError::Conflict(_) => StoreError::Conflict("publish_job"),
        other => other,
    })?;
    Ok(())
}

async fn fetch_post(tx: &mut Tx, id: PostId) -> StoreResult<Post> {
    let row = sqlx::query(&format!("{POST_COLS} WHERE id = ?"))
        .bind(id.as_uuid())
        .fetch_optional(&mut **tx)
        .await
        .map_err(backend)?
        .ok_or(StoreError::NotFound("post"))?;
    let mut post = post_head(&row)?;
    let channels = sqlx::query(
        "SELECT account_id, platform, body FROM post_channels WHERE post_id = ? ORDER BY position",
    )
    .bind(id.as_uuid())
    .fetch_all(&mut **tx)
    .await
    .map_err(backend)?;
    post.channels = channels.iter().map(channel).collect::<StoreResult<_>>()?;
    let media = sqlx::query("SELECT media_id FROM post_media WHERE post_id = ? ORDER BY position")
        .bind(id.as_uuid())
        .fetch_all(&mut **tx)
        .await
        .map_err(backend)?;
    post.media = media
        .iter()
        .map(|r| get::<Uuid>(r, "media_id").map(MediaId::from_uuid))
        .collect::<StoreResult<_>>()?;
    Ok(post)
}

fn channel(row: &SqliteRow) -> StoreResult<Channel> {
    Ok(Channel {
        account: AccountId::from_uuid(get(row, "account_id")?),
        platform: Platform::parse(&get::<String>(row, "platform")?)
            .map_err(|e| corrupt("platform", e))?,
        text: get::<Option<String>>(row, "body")?
            .map(|b| PostText::parse(&b).map_err(|e| corrupt("body", e)))
            .transpose()?,
    })
}

pub(crate) async fn get_post(store: &SqliteStore, id: PostId) -> StoreResult<Post> {
    // The parts are read in one read transaction so a post is never seen half-changed.
    let mut tx = store.reader.begin().await.map_err(backend)?;
    let post = fetch_post(&mut tx, id).await;
    tx.rollback().await.map_err(backend)?;
    post
}

pub(crate) async fn list_posts(store: &SqliteStore, q: &PostQuery) -> StoreResult<Vec<Post>> {
    let mut b = QueryBuilder::<Sqlite>::new("SELECT id FROM posts WHERE 1 = 1");
    if let Some(opd) = q.opd {
        b.push(" AND opd_id = ").push_bind(opd.as_uuid());
    }
    if let Some(author) = q.author {
        b.push(" AND author_id = ").push_bind(author.as_uuid());
    }
    if let Some(narrative) = q.narrative {
        b.push(" AND narrative_id = ")
            .push_bind(narrative.as_uuid());
    }
    if !q.states.is_empty() {
        b.push(" AND state IN (");
        let mut sep = b.separated(", ");
        for s in &q.states {
            sep.push_bind(s.as_str());
        }
        b.push(")");
    }
    if let Some(from) = q.from {
        b.push(" AND scheduled_us >= ").push_bind(us(from));
    }
    if let Some(until) = q.until {
        b.push(" AND scheduled_us < ").push_bind(us(until));
    }
    b.push(" ORDER BY scheduled_us IS NULL, scheduled_us, created_us DESC LIMIT ")
        .push_bind(i64::from(q.limit.clamp(1, 1000)));
    let ids = b.build().fetch_all(&store.reader).await.map_err(backend)?;
    let mut tx = store.reader.begin().await.map_err(backend)?;
    let mut posts = Vec::with_capacity(ids.len());
    for row in &ids {
        posts.push(fetch_post(&mut tx, PostId::from_uuid(get(row, "id")?)).await?);
    }
    tx.rollback().await.map_err(backend)?;
    Ok(posts)
}

pub(crate) async fn list_approvals(
    store: &SqliteStore,
    post: PostId,
) -> StoreResult<Vec<PostApproval>> {
    let rows = sqlx::query(
        "SELECT post_id, round, step, approver_id, on_behalf_of, at_us FROM post_approvals \
         WHERE post_id = ? ORDER BY at_us, round, step",
    )
    .bind(post.as_uuid())
    .fetch_all(&store.reader)
    .await
    .map_err(backend)?;
    rows.iter().map(approval).collect()
}

pub(crate) async fn set_approval_chain(
    store: &SqliteStore,
    by: &AuditActor,
    opd: OpdId,
    chain: Option<&ApprovalChain>,
) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let before = read_chain(&mut tx, opd).await?;
    match chain {
        Some(chain) => {
            let text = serde_json::to_string(chain).map_err(|e| corrupt("chain_json", e))?;
            sqlx::query(
                "INSERT INTO approval_chains (opd_id, chain_json, updated_us) VALUES (?,?,?) \
                 ON CONFLICT (opd_id) DO UPDATE SET chain_json = excluded.chain_json, \
                 updated_us = excluded.updated_us",
            )
            .bind(opd.as_uuid())
            .bind(text)
            .bind(Timestamp::now().as_microsecond())
            .execute(&mut *tx)
            .await
            .map_err(|e| map_err(e, "opd"))?;
        }
        None => {
            sqlx::query("DELETE FROM approval_chains WHERE opd_id = ?")
                .bind(opd.as_uuid())
                .execute(&mut *tx)
                .await
                .map_err(backend)?;
        }
    }
    append(
        &mut tx,
        by.entry(
            "approval_chain.set",
            "opd",
            &opd.to_string(),
            Some(opd),
            before.as_ref(),
            chain,
        ),
    )
    .await?;
    commit(tx).await
}

async fn read_chain(tx: &mut Tx, opd: OpdId) -> StoreResult<Option<ApprovalChain>> {
    let text: Option<String> =
        sqlx::query_scalar("SELECT chain_json FROM approval_chains WHERE opd_id = ?")
            .bind(opd.as_uuid())
            .fetch_optional(&mut **tx)
            .await
            .map_err(backend)?;
    text.map(|t| serde_json::from_str(&t).map_err(|e| corrupt("chain_json", e)))
        .transpose()
}

pub(crate) async fn approval_chain(
    store: &SqliteStore,
    opd: OpdId,
) -> StoreResult<Option<ApprovalChain>> {
    let text: Option<String> =
        sqlx::query_scalar("SELECT chain_json FROM approval_chains WHERE opd_id = ?")
            .bind(opd.as_uuid())
            .fetch_optional(&store.reader)
            .await
            .map_err(backend)?;
    text.map(|t| serde_json::from_str(&t).map_err(|e| corrupt("chain_json", e)))
        .transpose()
}

pub(crate) async fn claim_jobs(
    store: &SqliteStore,
    worker: &str,
    now: Timestamp,
    lease: jiff::SignedDuration,
    limit: u32,
) -> StoreResult<Vec<PublishJob>> {
    let now_us = us(now);
    let until = us(now.saturating_add(lease).unwrap_or(now));
    // SQLite evaluates every SET expression against the row as it was, so `prior_doubt` keeps
    // whether the job was already in doubt before this claim.
    let rows = sqlx::query(&format!(
        "UPDATE publish_jobs SET \
           state = CASE state WHEN 'scheduled' THEN 'publishing' ELSE state END, \
           prior_doubt = in_doubt, \
           in_doubt = CASE state WHEN 'processing' THEN in_doubt ELSE 1 END, \
           intent_us = COALESCE(intent_us, ?1), \
           attempts = attempts + CASE state WHEN 'processing' THEN 0 ELSE 1 END, \
           lease_until_us = ?2, worker = ?3, updated_us = ?1 \
         WHERE id IN (SELECT id FROM publish_jobs \
           WHERE state IN ('scheduled', 'publishing', 'processing') AND next_attempt_us <= ?1 \
             AND (lease_until_us IS NULL OR lease_until_us < ?1) \
           ORDER BY next_attempt_us LIMIT ?4) \
         RETURNING {JOB_COLS}"
    ))
    .bind(now_us)
    .bind(until)
    .bind(worker)
    .bind(i64::from(limit.clamp(1, 1000)))
    .fetch_all(&store.writer)
    .await
    .map_err(backend)?;
    let mut jobs = rows.iter().map(job).collect::<StoreResult<Vec<_>>>()?;
    jobs.sort_by_key(|j| j.next_attempt_at);
    Ok(jobs)
}

async fn fetch_job(tx: &mut Tx, id: PublishJobId) -> StoreResult<PublishJob> {
    let row = sqlx::query(&format!("SELECT {JOB_COLS} FROM publish_jobs WHERE id = ?"))
        .bind(id.as_uuid())
        .fetch_optional(&mut **tx)
        .await
        .map_err(backend)?
        .ok_or(StoreError::NotFound("publish_job"))?;
    job(&row)
}

async fn write_job_result(tx: &mut Tx, j: &PublishJob) -> StoreResult<()> {
    sqlx::query(
        "UPDATE publish_jobs SET state = ?, attempts = ?, next_attempt_us = ?, \
         lease_until_us = ?, worker = ?, intent_us = ?, in_doubt = ?, external_id = ?, url = ?, \
         last_error = ?, pending_handle = ?, published_us = ?, updated_us = ? WHERE id = ?",
    )
    .bind(j.state.as_str())
    .bind(i64::from(j.attempts))
    .bind(us(j.next_attempt_at))
    .bind(j.lease_until.map(us))
    .bind(&j.worker)
    .bind(j.intent_at.map(us))
    .bind(j.in_doubt)
    .bind(&j.external_id)
    .bind(&j.url)
    .bind(&j.last_error)
    .bind(&j.pending_handle)
    .bind(j.published_at.map(us))
    .bind(us(j.updated_at))
    .bind(j.id.as_uuid())
    .execute(&mut **tx)
    .await
    .map_err(backend)?;
    Ok(())
}

/// The audit action of a final outcome; `None` for a retry being scheduled.
pub(crate) const fn outcome_action(state: DeliveryState) -> Option<&'static str> {
    match state {
        DeliveryState::Published => Some("post.published"),
        DeliveryState::Failed => Some("post.publish_failed"),
        DeliveryState::Uncertain => Some("post.publish_uncertain"),
        _ => None,
    }
}

/// Marks the post done when every one of its jobs is final.
async fn close_post_if_done(tx: &mut Tx, post: PostId, now: Timestamp) -> StoreResult<()> {
    sqlx::query(
        "UPDATE posts SET state = 'done', updated_us = ? WHERE id = ? AND state = 'approved' \
         AND NOT EXISTS (SELECT 1 FROM publish_jobs WHERE post_id = ? \
           AND state NOT IN ('published', 'failed', 'uncertain'))",
    )
    .bind(us(now))
    .bind(post.as_uuid())
    .bind(post.as_uuid())
    .execute(&mut **tx)
    .await
    .map_err(backend)?;
    Ok(())
}

pub(crate) async fn finish_job(
    store: &SqliteStore,
    by: &AuditActor,
    outcome: &JobOutcome<'_>,
) -> StoreResult<()> {
    let j = outcome.job;
    let mut tx = store.begin().await?;
    let before = fetch_job(&mut tx, j.id).await?;
    if before.worker.as_deref() != Some(outcome.worker) || before.state.is_final() {
        return Err(StoreError::Conflict("job_lease"));
    }
    write_job_result(&mut tx, j).await?;
    if let Some(action) = outcome_action(j.state) {
        close_post_if_done(&mut tx, j.post, j.updated_at).await?;
        append(
            &mut tx,
            by.entry(
                action,
                "publish_job",
                &j.id.to_string(),
                Some(j.opd),
                Some(&before),
                Some(j),
            ),
        )
        .await?;
    }
    commit(tx).await
}

pub(crate) async fn settle_job(
    store: &SqliteStore,
    by: &AuditActor,
    action: &str,
    expected: DeliveryState,
    j: &PublishJob,
) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let before = fetch_job(&mut tx, j.id).await?;
    if before.state != expected {
        return Err(StoreError::Conflict("job_state"));
    }
    write_job_result(&mut tx, j).await?;
    if j.state.is_final() {
        close_post_if_done(&mut tx, j.post, j.updated_at).await?;
    } else {
        // A job sent back to the queue reopens its post.
        sqlx::query(
            "UPDATE posts SET state = 'approved', updated_us = ? WHERE id = ? AND state = 'done'",
        )
        .bind(us(j.updated_at))
        .bind(j.post.as_uuid())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    }
    append(
        &mut tx,
        by.entry(
            action,
            "publish_job",
            &j.id.to_string(),
            Some(j.opd),
            Some(&before),
            Some(j),
        ),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn get_job(store: &SqliteStore, id: PublishJobId) -> StoreResult<PublishJob> {
    let row = sqlx::query(&format!("SELECT {JOB_COLS} FROM publish_jobs WHERE id = ?"))
        .bind(id.as_uuid())
        .fetch_optional(&store.reader)
        .await
        .map_err(backend)?
        .ok_or(StoreError::NotFound("publish_job"))?;
    job(&row)
}

pub(crate) async fn post_jobs(store: &SqliteStore, post: PostId) -> StoreResult<Vec<PublishJob>> {
    let rows = sqlx::query(&format!(
        "SELECT {JOB_COLS} FROM publish_jobs j WHERE post_id = ? ORDER BY \
         (SELECT position FROM post_channels c WHERE c.post_id = j.post_id \
          AND c.account_id = j.account_id), id"
    ))
    .bind(post.as_uuid())
    .fetch_all(&store.reader)
    .await
    .map_err(backend)?;
    rows.iter().map(job).collect()
}

pub(crate) async fn list_jobs(
    store: &SqliteStore,
    opd: Option<OpdId>,
    from: Timestamp,
    until: Timestamp,
    limit: u32,
) -> StoreResult<Vec<PublishJob>> {
    let mut b = QueryBuilder::<Sqlite>::new(format!(
        "SELECT {JOB_COLS} FROM publish_jobs WHERE due_us >= "
    ));
    b.push_bind(us(from))
        .push(" AND due_us < ")
        .push_bind(us(until));
    if let Some(opd) = opd {
        b.push(" AND opd_id = ").push_bind(opd.as_uuid());
    }
    b.push(" ORDER BY due_us, id LIMIT ")
        .push_bind(i64::from(limit.clamp(1, 5000)));
    let rows = b.build().fetch_all(&store.reader).await.map_err(backend)?;
    rows.iter().map(job).collect()
}

pub(crate) async fn next_job_at(store: &SqliteStore) -> StoreResult<Option<Timestamp>> {
    let next: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(MAX(next_attempt_us, COALESCE(lease_until_us, 0))) FROM publish_jobs \
         WHERE state IN ('scheduled', 'publishing', 'processing')",
    )
    .fetch_one(&store.reader)
    .await
    .map_err(backend)?;
    next.map(|us| timestamp_of("next_attempt_us", us))
        .transpose()
}

pub(crate) async fn set_account_slots(
    store: &SqliteStore,
    by: &AuditActor,
    account: AccountId,
    slots: &[Slot],
) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let opd: Option<Uuid> = sqlx::query_scalar("SELECT opd_id FROM accounts WHERE id = ?")
        .bind(account.as_uuid())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?;
    let opd = opd.ok_or(StoreError::UnknownReference("account"))?;
    sqlx::query("DELETE FROM account_slots WHERE account_id = ?")
        .bind(account.as_uuid())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    for slot in slots {
        sqlx::query("INSERT INTO account_slots (account_id, weekday, minute) VALUES (?,?,?)")
            .bind(account.as_uuid())
            .bind(i64::from(slot.weekday))
            .bind(i64::from(slot.minute))
            .execute(&mut *tx)
            .await
            .map_err(|e| map_err(e, "account"))?;
    }
    let labels: Vec<String> = slots.iter().map(Slot::label).collect();
    append(
        &mut tx,
        by.entry(
            "account.slots",
            "account",
            &account.to_string(),
            Some(OpdId::from_uuid(opd)),
            None,
            Some(&labels),
        ),
    )
    .await?;
    commit(tx).await
}

pub(crate) async fn account_slots(
    store: &SqliteStore,
    account: AccountId,
) -> StoreResult<Vec<Slot>> {
    let rows = sqlx::query(
        "SELECT weekday, minute FROM account_slots WHERE account_id = ? ORDER BY weekday, minute",
    )
    .bind(account.as_uuid())
    .fetch_all(&store.reader)
    .await
    .map_err(backend)?;
    rows.iter()
        .map(|r| {
            Ok(Slot {
                weekday: u8::try_from(get::<i64>(r, "weekday")?)
                    .map_err(|e| corrupt("weekday", e))?,
                minute: u16::try_from(get::<i64>(r, "minute")?)
                    .map_err(|e| corrupt("minute", e))?,
            })
        })
        .collect()
}

pub(crate) async fn reschedule_post(
    store: &SqliteStore,
    by: &AuditActor,
    post: &Post,
    expected: PostState,
) -> StoreResult<u64> {
    let mut tx = store.begin().await?;
    let before = fetch_post(&mut tx, post.id).await?;
    if before.state != expected {
        return Err(StoreError::Conflict("post_state"));
    }
    sqlx::query("UPDATE posts SET scheduled_us = ?, updated_us = ? WHERE id = ? AND state = ?")
        .bind(post.scheduled_at.map(us))
        .bind(us(post.updated_at))
        .bind(post.id.as_uuid())
        .bind(expected.as_str())
        .execute(&mut *tx)
        .await
        .map_err(backend)?;
    let moved = match post.scheduled_at {
        Some(at) => sqlx::query(
            "UPDATE publish_jobs SET due_us = ?, next_attempt_us = ?, updated_us = ? \
             WHERE post_id = ? AND state = 'scheduled' AND attempts = 0",
        )
        .bind(us(at))
        .bind(us(at))
        .bind(us(post.updated_at))
        .bind(post.id.as_uuid())
        .execute(&mut *tx)
        .await
        .map_err(backend)?
        .rows_affected(),
        None => 0,
    };
    append(
        &mut tx,
        by.entry(
            "post.reschedule",
            "post",
            &post.id.to_string(),
            Some(before.opd),
            Some(&json!({ "scheduled_at": before.scheduled_at })),
            Some(&json!({ "scheduled_at": post.scheduled_at, "jobs_moved": moved })),
        ),
    )
    .await?;
    commit(tx).await?;
    Ok(moved)
}

pub(crate) async fn rejections(store: &SqliteStore, post: PostId) -> StoreResult<Vec<Rejection>> {
    let rows = sqlx::query(
        "SELECT post_id, round, rejected_by, note, at_us FROM post_rejections \
         WHERE post_id = ? ORDER BY round",
    )
    .bind(post.as_uuid())
    .fetch_all(&store.reader)
    .await
    .map_err(backend)?;
    rows.iter()
        .map(|r| {
            Ok(Rejection {
                post: PostId::from_uuid(get(r, "post_id")?),
                round: count(r, "round")?,
                by: UserId::from_uuid(get(r, "rejected_by")?),
                note: get(r, "note")?,
                at: time(r, "at_us")?,
            })
        })
        .collect()
}

fn figure(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

fn unfigure(row: &SqliteRow, col: &str) -> StoreResult<u64> {
    u64::try_from(get::<i64>(row, col)?).map_err(|e| corrupt(col, e))
}

pub(crate) async fn record_engagement(
    store: &SqliteStore,
    job: PublishJobId,
    f: &EngagementFigures,
    at: Timestamp,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO job_engagement (job_id, likes, comments, shares, views, at_us) \
         VALUES (?,?,?,?,?,?) ON CONFLICT (job_id) DO UPDATE SET likes = excluded.likes, \
         comments = excluded.comments, shares = excluded.shares, views = excluded.views, \
         at_us = excluded.at_us",
    )
    .bind(job.as_uuid())
    .bind(figure(f.likes))
    .bind(figure(f.comments))
    .bind(figure(f.shares))
    .bind(f.views.map(figure))
    .bind(us(at))
    .execute(&store.writer)
    .await
    .map_err(|e| map_err(e, "publish_job"))?;
    Ok(())
}

pub(crate) async fn post_engagement(
    store: &SqliteStore,
    post: PostId,
) -> StoreResult<Vec<(PublishJobId, EngagementFigures, Timestamp)>> {
    let rows = sqlx::query(
        "SELECT e.job_id, e.likes, e.comments, e.shares, e.views, e.at_us FROM job_engagement e \
         JOIN publish_jobs j ON j.id = e.job_id WHERE j.post_id = ? ORDER BY e.job_id",
    )
    .bind(post.as_uuid())
    .fetch_all(&store.reader)
    .await
    .map_err(backend)?;
    rows.iter()
        .map(|r| {
            Ok((
                PublishJobId::from_uuid(get(r, "job_id")?),
                EngagementFigures {
                    likes: unfigure(r, "likes")?,
                    comments: unfigure(r, "comments")?,
                    shares: unfigure(r, "shares")?,
                    views: get::<Option<i64>>(r, "views")?
                        .map(|v| u64::try_from(v).map_err(|e| corrupt("views", e)))
                        .transpose()?,
                },
                time(r, "at_us")?,
            ))
        })
        .collect()
}

pub(crate) async fn jobs_for_engagement(
    store: &SqliteStore,
    since: Timestamp,
    stale_before: Timestamp,
    limit: u32,
) -> StoreResult<Vec<PublishJob>> {
    let cols = JOB_COLS
        .split(", ")
        .map(|c| format!("j.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = sqlx::query(&format!(
        "SELECT {cols} FROM publish_jobs j LEFT JOIN job_engagement e ON e.job_id = j.id \
         WHERE j.state = 'published' AND j.published_us >= ? AND j.external_id IS NOT NULL \
         AND (e.at_us IS NULL OR e.at_us < ?) ORDER BY COALESCE(e.at_us, 0), j.published_us \
         LIMIT ?"
    ))
    .bind(us(since))
    .bind(us(stale_before))
    .bind(i64::from(limit.clamp(1, 1000)))
    .fetch_all(&store.reader)
    .await
    .map_err(backend)?;
    rows.iter().map(job).collect()
}

pub(crate) async fn renew_lease(
    store: &SqliteStore,
    job: PublishJobId,
    worker: &str,
    until: Timestamp,
) -> StoreResult<bool> {
    let done = sqlx::query(
        "UPDATE publish_jobs SET lease_until_us = ? WHERE id = ? AND worker = ? \
         AND state IN ('publishing', 'processing')",
    )
    .bind(us(until))
    .bind(job.as_uuid())
    .bind(worker)
    .execute(&store.writer)
    .await
    .map_err(backend)?;
    Ok(done.rows_affected() == 1)
}
