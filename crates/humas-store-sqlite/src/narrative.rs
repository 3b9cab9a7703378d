//! Central narratives (narasi tunggal) in the SQLite store: the narrative, its media, the OPDs
//! asked, and the drafts made for them, written in one transaction.

use humas_domain::publish::{Post, PostText};
use humas_domain::{MediaId, NarrativeId, OpdId, UserId};
use humas_store::{AuditActor, MediaAsset, Narrative, StoreError, StoreResult};
use serde_json::json;
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, Sqlite};
use uuid::Uuid;

use crate::inbox_rows::timestamp_of;
use crate::publish::{insert_media, insert_post};
use crate::{SqliteStore, Tx, append, backend, commit, map_err};

const NARRATIVE_COLS: &str =
    "SELECT id, title, body, key_messages, deadline_us, created_by, created_us FROM narratives";

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn get<'r, T>(row: &'r SqliteRow, col: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, Sqlite> + sqlx::Type<Sqlite>,
{
    row.try_get(col).map_err(|e| corrupt(col, e))
}

fn head(row: &SqliteRow) -> StoreResult<Narrative> {
    let body: String = get(row, "body")?;
    let keys: String = get(row, "key_messages")?;
    Ok(Narrative {
        id: NarrativeId::from_uuid(get(row, "id")?),
        title: get(row, "title")?,
        body: PostText::parse(&body).map_err(|e| corrupt("body", e))?,
        key_messages: serde_json::from_str(&keys).map_err(|e| corrupt("key_messages", e))?,
        media: Vec::new(),
        deadline: timestamp_of("deadline_us", get(row, "deadline_us")?)?,
        opds: Vec::new(),
        created_by: UserId::from_uuid(get(row, "created_by")?),
        created_at: timestamp_of("created_us", get(row, "created_us")?)?,
    })
}

pub(crate) async fn create_narrative(
    store: &SqliteStore,
    by: &AuditActor,
    n: &Narrative,
    media_copies: &[MediaAsset],
    drafts: &[Post],
) -> StoreResult<()> {
    let mut tx = store.begin().await?;
    let keys = serde_json::to_string(&n.key_messages).map_err(|e| corrupt("key_messages", e))?;
    sqlx::query(
        "INSERT INTO narratives (id, title, body, key_messages, deadline_us, created_by, \
         created_us) VALUES (?,?,?,?,?,?,?)",
    )
    .bind(n.id.as_uuid())
    .bind(&n.title)
    .bind(n.body.as_str())
    .bind(keys)
    .bind(n.deadline.as_microsecond())
    .bind(n.created_by.as_uuid())
    .bind(n.created_at.as_microsecond())
    .execute(&mut *tx)
    .await
    .map_err(|e| map_err(e, "user"))?;
    for (position, media) in n.media.iter().enumerate() {
        sqlx::query(
            "INSERT INTO narrative_media (narrative_id, position, media_id) VALUES (?,?,?)",
        )
        .bind(n.id.as_uuid())
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(media.as_uuid())
        .execute(&mut *tx)
        .await
        .map_err(|e| map_err(e, "media"))?;
    }
    for opd in &n.opds {
        sqlx::query("INSERT INTO narrative_opds (narrative_id, opd_id) VALUES (?,?)")
            .bind(n.id.as_uuid())
            .bind(opd.as_uuid())
            .execute(&mut *tx)
            .await
            .map_err(|e| map_err(e, "opd"))?;
    }
    for m in media_copies {
        insert_media(&mut tx, m).await?;
    }
    for post in drafts {
        insert_post(&mut tx, post).await?;
    }
    let after = json!({
        "narrative": n,
        "drafts": drafts.iter().map(|p| json!({ "post": p.id, "opd": p.opd })).collect::<Vec<_>>(),
    });
    append(
        &mut tx,
        by.entry(
            "narrative.create",
            "narrative",
            &n.id.to_string(),
            None,
            None,
            Some(&after),
        ),
    )
    .await?;
    commit(tx).await
}

async fn parts(tx: &mut Tx, mut n: Narrative) -> StoreResult<Narrative> {
    let media = sqlx::query(
        "SELECT media_id FROM narrative_media WHERE narrative_id = ? ORDER BY position",
    )
    .bind(n.id.as_uuid())
    .fetch_all(&mut **tx)
    .await
    .map_err(backend)?;
    n.media = media
        .iter()
        .map(|r| get::<Uuid>(r, "media_id").map(MediaId::from_uuid))
        .collect::<StoreResult<_>>()?;
    let opds =
        sqlx::query("SELECT opd_id FROM narrative_opds WHERE narrative_id = ? ORDER BY opd_id")
            .bind(n.id.as_uuid())
            .fetch_all(&mut **tx)
            .await
            .map_err(backend)?;
    n.opds = opds
        .iter()
        .map(|r| get::<Uuid>(r, "opd_id").map(OpdId::from_uuid))
        .collect::<StoreResult<_>>()?;
    Ok(n)
}

pub(crate) async fn get_narrative(store: &SqliteStore, id: NarrativeId) -> StoreResult<Narrative> {
    let mut tx = store.reader.begin().await.map_err(backend)?;
    let row = sqlx::query(&format!("{NARRATIVE_COLS} WHERE id = ?"))
        .bind(id.as_uuid())
        .fetch_optional(&mut *tx)
        .await
        .map_err(backend)?
        .ok_or(StoreError::NotFound("narrative"))?;
    let n = parts(&mut tx, head(&row)?).await?;
    tx.rollback().await.map_err(backend)?;
    Ok(n)
}

pub(crate) async fn list_narratives(
    store: &SqliteStore,
    opd: Option<OpdId>,
    limit: u32,
) -> StoreResult<Vec<Narrative>> {
    let mut tx = store.reader.begin().await.map_err(backend)?;
    let limit = i64::from(limit.clamp(1, 500));
    let rows = match opd {
        Some(opd) => {
            sqlx::query(&format!(
                "{NARRATIVE_COLS} WHERE id IN (SELECT narrative_id FROM narrative_opds \
                 WHERE opd_id = ?) ORDER BY created_us DESC, id DESC LIMIT ?"
            ))
            .bind(opd.as_uuid())
            .bind(limit)
            .fetch_all(&mut *tx)
            .await
        }
        None => {
            sqlx::query(&format!(
                "{NARRATIVE_COLS} ORDER BY created_us DESC, id DESC LIMIT ?"
            ))
            .bind(limit)
            .fetch_all(&mut *tx)
            .await
        }
    }
    .map_err(backend)?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(parts(&mut tx, head(row)?).await?);
    }
    tx.rollback().await.map_err(backend)?;
    Ok(out)
}
