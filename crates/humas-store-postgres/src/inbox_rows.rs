//! Turning inbox rows into domain values. Anything that does not parse is `Corrupt`.

use humas_domain::inbox::{
    Author, Category, ExternalId, Flags, HateCategory, HateStrength, HateTarget, Inbound, Message,
    MessageAnalysis, MessageKind, Sentiment, Status, Workflow,
};
use humas_domain::routing::RoutingRule;
use humas_domain::sla::{ClockPolicy, Holiday, HolidayKind, OpdClockPolicy};
use humas_domain::{
    AccountId, MessageId, NoteId, OpdId, Platform, RoutingRuleId, UserId, ValueError,
};
use humas_store::StoreResult;
use humas_store::{Note, Reply, ReplyId, ReplyState, SavedReply, SavedReplyId, StoreError};
use jiff::Timestamp;
use sqlx::Row;
use sqlx::postgres::PgRow;
use uuid::Uuid;

/// Columns of `messages` (without the generated `search_tsv`), in the order [`message`] reads
/// them and [`crate::messages`] inserts them.
pub(crate) const MESSAGE_COLUMNS: &str = "id, account_id, opd_id, routed_by, platform, \
     external_id, kind, author_handle, author_name, body, title, permalink, parent_external_id, \
     thread_external_id, published_at_us, author_key, received_at_us, erased_at_us, sentiment, \
     sentiment_score, abusive, abusive_score, hate_speech, hate_score, hate_target, \
     hate_categories, hate_strength, threat, pii, fingerprint, search_terms, status, \
     assignee_id, category, suggested_category, first_response_due_us, resolution_due_us, \
     first_response_at_us, resolved_at_us, next_due_us";
/// Columns of `message_notes`.
pub(crate) const NOTE_COLUMNS: &str = "id, message_id, author_id, author_name, body, created_at_us";
/// Columns of `message_replies`.
pub(crate) const REPLY_COLUMNS: &str = "id, message_id, body, state, drafted_by, approved_by, \
     external_id, error, created_at_us, updated_at_us";
/// Columns of `saved_replies`.
pub(crate) const SAVED_REPLY_COLUMNS: &str = "id, opd_id, title, body";
/// Columns of `routing_rules`.
pub(crate) const ROUTING_RULE_COLUMNS: &str = "id, name, opd_id, expression, priority, enabled";
/// Columns of `holidays`.
pub(crate) const HOLIDAY_COLUMNS: &str = "day, name, kind";
/// Columns of `clock_policies`.
pub(crate) const CLOCK_POLICY_COLUMNS: &str = "opd_id, first_response_days, \
     information_request_days, complaint_days, dispute_days, field_check_days, working_days";

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn get<'r, T>(row: &'r PgRow, col: &str) -> StoreResult<T>
where
    T: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
{
    row.try_get(col).map_err(|e| corrupt(col, e))
}

fn parsed<T>(col: &str, r: Result<T, ValueError>) -> StoreResult<T> {
    r.map_err(|e| corrupt(col, e))
}

/// A required text column parsed by a domain `parse`.
fn choice<T>(row: &PgRow, col: &str, parse: fn(&str) -> Result<T, ValueError>) -> StoreResult<T> {
    parsed(col, parse(&get::<String>(row, col)?))
}

/// An optional text column parsed by a domain `parse`.
fn opt_choice<T>(
    row: &PgRow,
    col: &str,
    parse: fn(&str) -> Result<T, ValueError>,
) -> StoreResult<Option<T>> {
    get::<Option<String>>(row, col)?
        .map(|raw| parsed(col, parse(&raw)))
        .transpose()
}

/// Microseconds since the epoch, as stored.
pub(crate) fn micros(t: Timestamp) -> i64 {
    t.as_microsecond()
}

fn time(col: &str, us: i64) -> StoreResult<Timestamp> {
    Timestamp::from_microsecond(us).map_err(|e| corrupt(col, e))
}

fn timestamp(row: &PgRow, col: &str) -> StoreResult<Timestamp> {
    time(col, get(row, col)?)
}

fn opt_timestamp(row: &PgRow, col: &str) -> StoreResult<Option<Timestamp>> {
    get::<Option<i64>>(row, col)?
        .map(|us| time(col, us))
        .transpose()
}

fn external_id(row: &PgRow, col: &str) -> StoreResult<ExternalId> {
    parsed(col, ExternalId::parse(&get::<String>(row, col)?))
}

fn opt_external_id(row: &PgRow, col: &str) -> StoreResult<Option<ExternalId>> {
    get::<Option<String>>(row, col)?
        .map(|raw| parsed(col, ExternalId::parse(&raw)))
        .transpose()
}

/// A flag mask: stored as `smallint`, only the low 8 bits are meaningful.
fn flags(row: &PgRow, col: &str) -> StoreResult<Flags> {
    let raw: i16 = get(row, col)?;
    u8::try_from(raw)
        .map(Flags::from_bits)
        .map_err(|_| corrupt(col, format!("{raw} is not an 8-bit mask")))
}

fn days(row: &PgRow, col: &str) -> StoreResult<u16> {
    let raw: i32 = get(row, col)?;
    u16::try_from(raw).map_err(|_| corrupt(col, format!("{raw} days is out of range")))
}

pub(crate) fn message(row: &PgRow) -> StoreResult<Message> {
    Ok(Message {
        id: MessageId::from_uuid(get(row, "id")?),
        account: AccountId::from_uuid(get(row, "account_id")?),
        opd: OpdId::from_uuid(get(row, "opd_id")?),
        routed_by: get::<Option<Uuid>>(row, "routed_by")?.map(RoutingRuleId::from_uuid),
        inbound: inbound(row)?,
        author_key: get(row, "author_key")?,
        received_at: timestamp(row, "received_at_us")?,
        erased_at: opt_timestamp(row, "erased_at_us")?,
        analysis: analysis(row)?,
        workflow: workflow(row)?,
    })
}

fn inbound(row: &PgRow) -> StoreResult<Inbound> {
    Ok(Inbound {
        platform: choice(row, "platform", Platform::parse)?,
        external_id: external_id(row, "external_id")?,
        kind: choice(row, "kind", MessageKind::parse)?,
        // Not re-validated: an erased message has an empty handle by design.
        author: Author {
            handle: get(row, "author_handle")?,
            display_name: get(row, "author_name")?,
        },
        text: get(row, "body")?,
        title: get(row, "title")?,
        permalink: get(row, "permalink")?,
        parent_external_id: opt_external_id(row, "parent_external_id")?,
        thread_external_id: opt_external_id(row, "thread_external_id")?,
        published_at: timestamp(row, "published_at_us")?,
    })
}

fn analysis(row: &PgRow) -> StoreResult<MessageAnalysis> {
    Ok(MessageAnalysis {
        sentiment: opt_choice(row, "sentiment", Sentiment::parse)?,
        sentiment_score: get(row, "sentiment_score")?,
        abusive: get(row, "abusive")?,
        abusive_score: get(row, "abusive_score")?,
        hate_speech: get(row, "hate_speech")?,
        hate_score: get(row, "hate_score")?,
        hate_target: opt_choice(row, "hate_target", HateTarget::parse)?,
        hate_categories: flags(row, "hate_categories")?,
        hate_strength: opt_choice(row, "hate_strength", HateStrength::parse)?,
        threat: get(row, "threat")?,
        pii: flags(row, "pii")?,
        // Stored as the same 64 bits in a signed column.
        fingerprint: u64::from_ne_bytes(get::<i64>(row, "fingerprint")?.to_ne_bytes()),
        search_terms: get(row, "search_terms")?,
    })
}

fn workflow(row: &PgRow) -> StoreResult<Workflow> {
    Ok(Workflow {
        status: choice(row, "status", Status::parse)?,
        assignee: get::<Option<Uuid>>(row, "assignee_id")?.map(UserId::from_uuid),
        category: opt_choice(row, "category", Category::parse)?,
        suggested_category: opt_choice(row, "suggested_category", Category::parse)?,
        first_response_due: opt_timestamp(row, "first_response_due_us")?,
        resolution_due: opt_timestamp(row, "resolution_due_us")?,
        first_response_at: opt_timestamp(row, "first_response_at_us")?,
        resolved_at: opt_timestamp(row, "resolved_at_us")?,
    })
}

pub(crate) fn note(row: &PgRow) -> StoreResult<Note> {
    Ok(Note {
        id: NoteId::from_uuid(get(row, "id")?),
        message: MessageId::from_uuid(get(row, "message_id")?),
        author: UserId::from_uuid(get(row, "author_id")?),
        author_name: get(row, "author_name")?,
        text: get(row, "body")?,
        created_at: timestamp(row, "created_at_us")?,
    })
}

fn reply_state(row: &PgRow) -> StoreResult<ReplyState> {
    let raw: String = get(row, "state")?;
    ReplyState::parse(&raw).ok_or_else(|| corrupt("state", format!("unknown reply state {raw:?}")))
}

pub(crate) fn reply(row: &PgRow) -> StoreResult<Reply> {
    Ok(Reply {
        id: ReplyId(get(row, "id")?),
        message: MessageId::from_uuid(get(row, "message_id")?),
        text: get(row, "body")?,
        state: reply_state(row)?,
        drafted_by: UserId::from_uuid(get(row, "drafted_by")?),
        approved_by: get::<Option<Uuid>>(row, "approved_by")?.map(UserId::from_uuid),
        external_id: get(row, "external_id")?,
        error: get(row, "error")?,
        created_at: timestamp(row, "created_at_us")?,
        updated_at: timestamp(row, "updated_at_us")?,
    })
}

pub(crate) fn saved_reply(row: &PgRow) -> StoreResult<SavedReply> {
    Ok(SavedReply {
        id: SavedReplyId(get(row, "id")?),
        opd: get::<Option<Uuid>>(row, "opd_id")?.map(OpdId::from_uuid),
        title: get(row, "title")?,
        body: get(row, "body")?,
    })
}

pub(crate) fn routing_rule(row: &PgRow) -> StoreResult<RoutingRule> {
    Ok(RoutingRule {
        id: RoutingRuleId::from_uuid(get(row, "id")?),
        name: get(row, "name")?,
        opd: OpdId::from_uuid(get(row, "opd_id")?),
        expression: get(row, "expression")?,
        priority: get(row, "priority")?,
        enabled: get(row, "enabled")?,
    })
}

pub(crate) fn holiday(row: &PgRow) -> StoreResult<Holiday> {
    Ok(Holiday {
        date: get::<String>(row, "day")?
            .parse()
            .map_err(|e| corrupt("day", e))?,
        name: get(row, "name")?,
        kind: choice(row, "kind", HolidayKind::parse)?,
    })
}

pub(crate) fn clock_policy(row: &PgRow) -> StoreResult<OpdClockPolicy> {
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

/// The hate-category bit as the `smallint` mask the filter tests.
pub(crate) fn hate_bit(category: HateCategory) -> i16 {
    Flags::EMPTY.with(category.index()).bits().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hate_bits_follow_the_domain_order() {
        assert_eq!(hate_bit(HateCategory::Religion), 1);
        assert_eq!(hate_bit(HateCategory::Other), 16);
    }
}
