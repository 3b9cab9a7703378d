//! Turning SQLite rows of the inbox tables into records. Anything that does not parse is
//! `Corrupt`: the database was changed outside Humas.

use humas_domain::inbox::{
    Author, Category, ExternalId, Flags, HateCategory, HateStrength, HateTarget, Inbound, Message,
    MessageAnalysis, MessageKind, Sentiment, Status, Workflow,
};
use humas_domain::routing::RoutingRule;
use humas_domain::sla::{ClockPolicy, Holiday, HolidayKind, OpdClockPolicy};
use humas_domain::{
    AccountId, MessageId, NoteId, OpdId, Platform, RoutingRuleId, UserId, ValueError,
};
use humas_store::{
    Note, Reply, ReplyId, ReplyState, SavedReply, SavedReplyId, StoreError, StoreResult,
};
use jiff::Timestamp;
use sqlx::Row;
use sqlx::sqlite::SqliteRow;
use uuid::Uuid;

/// The columns [`message`] reads, in a `SELECT` over `messages m`.
pub(crate) const MESSAGE_COLS: &str = "SELECT m.id, m.account_id, m.opd_id, m.routed_by, \
    m.platform, m.external_id, m.kind, m.author_handle, m.author_name, m.body, m.title, \
    m.permalink, m.parent_external_id, m.thread_external_id, m.published_us, m.author_key, \
    m.received_us, m.erased_us, m.sentiment, m.sentiment_score, m.abusive, m.abusive_score, \
    m.hate_speech, m.hate_score, m.hate_target, m.hate_categories, m.hate_strength, m.threat, \
    m.pii, m.fingerprint, m.search_terms, m.status, m.assignee, m.category, \
    m.suggested_category, m.first_response_due_us, m.resolution_due_us, \
    m.first_response_at_us, m.resolved_at_us FROM messages m";

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn get<'r, T>(row: &'r SqliteRow, col: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
{
    row.try_get(col).map_err(|e| corrupt(col, e))
}

fn parsed<T>(col: &str, r: Result<T, ValueError>) -> StoreResult<T> {
    r.map_err(|e| corrupt(col, e))
}

/// A `choice_enum` column that may be NULL.
fn opt_choice<T>(
    row: &SqliteRow,
    col: &str,
    parse: fn(&str) -> Result<T, ValueError>,
) -> StoreResult<Option<T>> {
    get::<Option<String>>(row, col)?
        .map(|s| parsed(col, parse(&s)))
        .transpose()
}

fn choice<T>(
    row: &SqliteRow,
    col: &str,
    parse: fn(&str) -> Result<T, ValueError>,
) -> StoreResult<T> {
    parsed(col, parse(&get::<String>(row, col)?))
}

/// Microseconds since the epoch, checked to be a time jiff can represent.
pub(crate) fn timestamp_of(col: &str, us: i64) -> StoreResult<Timestamp> {
    Timestamp::from_microsecond(us).map_err(|e| corrupt(col, e))
}

fn time(row: &SqliteRow, col: &str) -> StoreResult<Timestamp> {
    timestamp_of(col, get(row, col)?)
}

fn opt_time(row: &SqliteRow, col: &str) -> StoreResult<Option<Timestamp>> {
    get::<Option<i64>>(row, col)?
        .map(|us| timestamp_of(col, us))
        .transpose()
}

fn flags(row: &SqliteRow, col: &str) -> StoreResult<Flags> {
    let raw: i64 = get(row, col)?;
    u8::try_from(raw)
        .map(Flags::from_bits)
        .map_err(|_| corrupt(col, format!("{raw} is not an 8-bit mask")))
}

fn external_id(row: &SqliteRow, col: &str) -> StoreResult<ExternalId> {
    parsed(col, ExternalId::parse(&get::<String>(row, col)?))
}

fn opt_external_id(row: &SqliteRow, col: &str) -> StoreResult<Option<ExternalId>> {
    get::<Option<String>>(row, col)?
        .map(|s| parsed(col, ExternalId::parse(&s)))
        .transpose()
}

fn opt_user(row: &SqliteRow, col: &str) -> StoreResult<Option<UserId>> {
    Ok(get::<Option<Uuid>>(row, col)?.map(UserId::from_uuid))
}

/// A score was stored from an `f32`, so narrowing it back is exact.
#[expect(
    clippy::cast_possible_truncation,
    reason = "the value was widened from f32 when stored"
)]
fn score(row: &SqliteRow, col: &str) -> StoreResult<f32> {
    Ok(get::<f64>(row, col)? as f32)
}

pub(crate) fn message(row: &SqliteRow) -> StoreResult<Message> {
    let inbound = Inbound {
        platform: choice(row, "platform", Platform::parse)?,
        external_id: external_id(row, "external_id")?,
        kind: choice(row, "kind", MessageKind::parse)?,
        author: Author {
            handle: get(row, "author_handle")?,
            display_name: get(row, "author_name")?,
        },
        text: get(row, "body")?,
        title: get(row, "title")?,
        permalink: get(row, "permalink")?,
        parent_external_id: opt_external_id(row, "parent_external_id")?,
        thread_external_id: opt_external_id(row, "thread_external_id")?,
        published_at: time(row, "published_us")?,
    };
    let analysis = MessageAnalysis {
        sentiment: opt_choice(row, "sentiment", Sentiment::parse)?,
        sentiment_score: score(row, "sentiment_score")?,
        abusive: get(row, "abusive")?,
        abusive_score: score(row, "abusive_score")?,
        hate_speech: get(row, "hate_speech")?,
        hate_score: score(row, "hate_score")?,
        hate_target: opt_choice(row, "hate_target", HateTarget::parse)?,
        hate_categories: flags(row, "hate_categories")?,
        hate_strength: opt_choice(row, "hate_strength", HateStrength::parse)?,
        threat: get(row, "threat")?,
        pii: flags(row, "pii")?,
        fingerprint: u64::from_ne_bytes(get::<i64>(row, "fingerprint")?.to_ne_bytes()),
        search_terms: get(row, "search_terms")?,
    };
    Ok(Message {
        id: MessageId::from_uuid(get(row, "id")?),
        account: AccountId::from_uuid(get(row, "account_id")?),
        opd: OpdId::from_uuid(get(row, "opd_id")?),
        routed_by: get::<Option<Uuid>>(row, "routed_by")?.map(RoutingRuleId::from_uuid),
        inbound,
        author_key: get(row, "author_key")?,
        received_at: time(row, "received_us")?,
        erased_at: opt_time(row, "erased_us")?,
        analysis,
        workflow: workflow(row)?,
    })
}

pub(crate) fn workflow(row: &SqliteRow) -> StoreResult<Workflow> {
    Ok(Workflow {
        status: choice(row, "status", Status::parse)?,
        assignee: opt_user(row, "assignee")?,
        category: opt_choice(row, "category", Category::parse)?,
        suggested_category: opt_choice(row, "suggested_category", Category::parse)?,
        first_response_due: opt_time(row, "first_response_due_us")?,
        resolution_due: opt_time(row, "resolution_due_us")?,
        first_response_at: opt_time(row, "first_response_at_us")?,
        resolved_at: opt_time(row, "resolved_at_us")?,
    })
}

pub(crate) fn note(row: &SqliteRow) -> StoreResult<Note> {
    Ok(Note {
        id: NoteId::from_uuid(get(row, "id")?),
        message: MessageId::from_uuid(get(row, "message_id")?),
        author: UserId::from_uuid(get(row, "author_id")?),
        author_name: get(row, "author_name")?,
        text: get(row, "body")?,
        created_at: time(row, "created_us")?,
    })
}

pub(crate) fn reply(row: &SqliteRow) -> StoreResult<Reply> {
    let state: String = get(row, "state")?;
    Ok(Reply {
        id: ReplyId(get(row, "id")?),
        message: MessageId::from_uuid(get(row, "message_id")?),
        text: get(row, "body")?,
        state: ReplyState::parse(&state)
            .ok_or_else(|| corrupt("state", format!("unknown reply state {state:?}")))?,
        drafted_by: UserId::from_uuid(get(row, "drafted_by")?),
        approved_by: opt_user(row, "approved_by")?,
        external_id: get(row, "external_id")?,
        error: get(row, "error")?,
        created_at: time(row, "created_us")?,
        updated_at: time(row, "updated_us")?,
    })
}

pub(crate) fn saved_reply(row: &SqliteRow) -> StoreResult<SavedReply> {
    Ok(SavedReply {
        id: SavedReplyId(get(row, "id")?),
        opd: get::<Option<Uuid>>(row, "opd_id")?.map(OpdId::from_uuid),
        title: get(row, "title")?,
        body: get(row, "body")?,
    })
}

pub(crate) fn routing_rule(row: &SqliteRow) -> StoreResult<RoutingRule> {
    let priority: i64 = get(row, "priority")?;
    Ok(RoutingRule {
        id: RoutingRuleId::from_uuid(get(row, "id")?),
        name: get(row, "name")?,
        opd: OpdId::from_uuid(get(row, "opd_id")?),
        expression: get(row, "expression")?,
        priority: i32::try_from(priority).map_err(|e| corrupt("priority", e))?,
        enabled: get(row, "enabled")?,
    })
}

pub(crate) fn holiday(row: &SqliteRow) -> StoreResult<Holiday> {
    let day: String = get(row, "day")?;
    Ok(Holiday {
        date: day.parse().map_err(|e| corrupt("day", e))?,
        name: get(row, "name")?,
        kind: choice(row, "kind", HolidayKind::parse)?,
    })
}

fn days(row: &SqliteRow, col: &str) -> StoreResult<u16> {
    let raw: i64 = get(row, col)?;
    u16::try_from(raw).map_err(|e| corrupt(col, e))
}

pub(crate) fn clock_policy(row: &SqliteRow) -> StoreResult<OpdClockPolicy> {
    Ok(OpdClockPolicy {
        opd: OpdId::from_uuid(get(row, "opd_id")?),
        policy: ClockPolicy {
            first_response_days: days(row, "first_response_days")?,
            information_request_days: days(row, "information_request_days")?,
            complaint_days: days(row, "complaint_days")?,
            dispute_days: days(row, "dispute_days")?,
            field_check_days: days(row, "field_check_days")?,
            working_days: get(row, "working_days")?,
        },
    })
}

/// A `SUM` of a compliance group (NULL when the group had no rows).
pub(crate) fn count(row: &SqliteRow, col: &str) -> StoreResult<u64> {
    let raw: Option<i64> = get(row, col)?;
    u64::try_from(raw.unwrap_or(0)).map_err(|e| corrupt(col, e))
}

/// The bit of a hate category in the stored `hate_categories` mask.
pub(crate) fn hate_bit(category: HateCategory) -> i64 {
    1_i64 << category.index()
}
