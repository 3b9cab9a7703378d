//! The inbox page query: every filter of [`MessageQuery`] AND-ed, newest first, keyset paged.
//! Built with binds only; the indexes it relies on are in the inbox migration.

use humas_domain::inbox::Message;
use humas_store::{AssigneeFilter, DeadlineFilter, MessageQuery, StoreResult};
use jiff::{SignedDuration, Timestamp};
use sqlx::postgres::PgPool;
use sqlx::{Postgres, QueryBuilder};

use crate::error::db;
use crate::inbox_rows::{MESSAGE_COLUMNS, hate_bit, micros};
use crate::messages::decode_all;

/// The largest page.
const MAX_LIMIT: u32 = 200;

/// How far back a search looks first. A term found in a few thousand messages is cheap to find
/// but expensive to order: every match's row must be read to sort by time. Within a recent
/// window the GIN matches are intersected with the BRIN time index first, so only the recent
/// matches are read; older ones only when the window does not fill the page.
const SEARCH_WINDOW: SignedDuration = SignedDuration::from_hours(30 * 24);

/// Runs a page query. Searches look in the recent window first (see [`SEARCH_WINDOW`]): every
/// message inside it is newer than every message outside, so a full page from the window is
/// the page; otherwise the rest comes from before the window.
pub(crate) async fn list(pool: &PgPool, q: &MessageQuery) -> StoreResult<Vec<Message>> {
    if q.terms.is_empty() {
        return run(pool, q).await;
    }
    let Some(window_start) = window_start(pool, q).await? else {
        return run(pool, q).await;
    };
    let recent = MessageQuery {
        published_from: Some(
            q.published_from
                .map_or(window_start, |f| f.max(window_start)),
        ),
        ..q.clone()
    };
    let mut found = run(pool, &recent).await?;
    let limit = usize::try_from(q.limit.clamp(1, MAX_LIMIT)).unwrap_or(usize::MAX);
    if found.len() >= limit {
        return Ok(found);
    }
    let older = MessageQuery {
        published_to: Some(q.published_to.map_or(window_start, |t| t.min(window_start))),
        limit: u32::try_from(limit - found.len()).unwrap_or(1),
        ..q.clone()
    };
    found.extend(run(pool, &older).await?);
    Ok(found)
}

/// Where the search window starts, or `None` when a window would not narrow the query (it
/// already asks for a short period, or there are no messages).
async fn window_start(pool: &PgPool, q: &MessageQuery) -> StoreResult<Option<Timestamp>> {
    let newest = match (q.before, q.published_to) {
        (Some((at, _)), Some(to)) => Some(at.min(to)),
        (Some((at, _)), None) => Some(at),
        (None, Some(to)) => Some(to),
        (None, None) => {
            let max: Option<i64> = sqlx::query_scalar("SELECT max(published_at_us) FROM messages")
                .fetch_one(pool)
                .await
                .map_err(db)?;
            max.and_then(|us| Timestamp::from_microsecond(us).ok())
        }
    };
    let start = newest.and_then(|n| n.checked_sub(SEARCH_WINDOW).ok());
    Ok(start.filter(|s| q.published_from.is_none_or(|from| from < *s)))
}

/// One query, as built.
async fn run(pool: &PgPool, q: &MessageQuery) -> StoreResult<Vec<Message>> {
    let Some(mut page) = build(q) else {
        return Ok(Vec::new());
    };
    let found = page.build().fetch_all(pool).await.map_err(db)?;
    decode_all(&found)
}

/// What the search terms ask of full text.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Search {
    /// No terms: no full-text condition.
    Everything,
    /// A term that cannot be a whole token of `search_terms` (which holds `[a-z0-9]` stems
    /// only): nothing matches, as in FTS5.
    Nothing,
    /// The `tsquery` text: every term as a quoted lexeme, AND-ed.
    All(String),
}

/// Turns search terms into a `tsquery` text (`'jalan' & 'rusak'`), bound as a parameter and
/// cast, not parsed: the stored vector holds the space-separated stems as they are (lower-cased),
/// so the query names the same lexemes directly. Terms are plain stems; anything else
/// (operators, quotes, spaces) could change the query's meaning, so such a term matches nothing
/// instead of being passed through. Upper-case letters are allowed: both sides fold case.
pub(crate) fn search(terms: &[String]) -> Search {
    let terms: Vec<&str> = terms
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .collect();
    if terms.is_empty() {
        return Search::Everything;
    }
    if terms
        .iter()
        .any(|t| !t.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return Search::Nothing;
    }
    let lexemes: Vec<String> = terms
        .iter()
        .map(|t| format!("'{}'", t.to_ascii_lowercase()))
        .collect();
    Search::All(lexemes.join(" & "))
}

/// The page query, or `None` when the query cannot match anything (no OPD allowed, or a
/// search term that is not a stem).
pub(crate) fn build(q: &MessageQuery) -> Option<QueryBuilder<'static, Postgres>> {
    let search = search(&q.terms);
    if search == Search::Nothing || q.opds.as_ref().is_some_and(Vec::is_empty) {
        return None;
    }
    let mut b = QueryBuilder::new(format!("SELECT {MESSAGE_COLUMNS} FROM messages WHERE TRUE"));
    scope(&mut b, q);
    analysis(&mut b, q);
    workflow(&mut b, q);
    if let Search::All(tsquery) = search {
        b.push(" AND search_tsv @@ ")
            .push_bind(tsquery)
            .push("::tsquery");
    }
    if let Some(from) = q.published_from {
        b.push(" AND published_at_us >= ").push_bind(micros(from));
    }
    if let Some(to) = q.published_to {
        b.push(" AND published_at_us < ").push_bind(micros(to));
    }
    if let Some((at, id)) = q.before {
        b.push(" AND (published_at_us, id) < (")
            .push_bind(micros(at))
            .push(", ")
            .push_bind(id.as_uuid())
            .push(")");
    }
    b.push(" ORDER BY published_at_us DESC, id DESC LIMIT ")
        .push_bind(i64::from(q.limit.clamp(1, MAX_LIMIT)));
    Some(b)
}

/// Where the message came from and who must handle it.
fn scope(b: &mut QueryBuilder<'static, Postgres>, q: &MessageQuery) {
    match q.opds.as_deref() {
        None | Some([]) => {}
        // One OPD (an operator's inbox) is an equality, so the (opd, published) index hands
        // rows over already in page order; `= ANY` over one value would make the planner
        // give that up for a scan of the whole inbox.
        Some([opd]) => {
            b.push(" AND opd_id = ").push_bind(opd.as_uuid());
        }
        Some(opds) => {
            let ids: Vec<uuid::Uuid> = opds.iter().map(|o| o.as_uuid()).collect();
            b.push(" AND opd_id = ANY(").push_bind(ids).push(")");
        }
    }
    if let Some(platform) = q.platform {
        b.push(" AND platform = ").push_bind(platform.as_str());
    }
    if let Some(account) = q.account {
        b.push(" AND account_id = ").push_bind(account.as_uuid());
    }
}

/// What the text engine found.
fn analysis(b: &mut QueryBuilder<'static, Postgres>, q: &MessageQuery) {
    if let Some(sentiment) = q.sentiment {
        b.push(" AND sentiment = ").push_bind(sentiment.as_str());
    }
    // Flags are compared with literals, not binds, so the planner can use the partial indexes
    // (`WHERE hate_speech` …) that a bound parameter would hide from a generic plan.
    if let Some(abusive) = q.abusive {
        b.push(if abusive {
            " AND abusive"
        } else {
            " AND NOT abusive"
        });
    }
    if let Some(hate) = q.hate_speech {
        b.push(if hate {
            " AND hate_speech"
        } else {
            " AND NOT hate_speech"
        });
    }
    if let Some(category) = q.hate_category {
        b.push(" AND hate_speech AND (hate_categories & ")
            .push_bind(hate_bit(category))
            .push(") <> 0");
    }
    if let Some(pii) = q.has_pii {
        b.push(if pii { " AND pii <> 0" } else { " AND pii = 0" });
    }
}

/// Where the handling stands.
fn workflow(b: &mut QueryBuilder<'static, Postgres>, q: &MessageQuery) {
    if let Some(category) = q.category {
        b.push(" AND COALESCE(category, suggested_category) = ")
            .push_bind(category.as_str());
    }
    // Literals from a closed set (never user text), so the planner can match the partial
    // status index.
    if let Some(status) = q.status {
        b.push(format!(" AND status = '{}'", status.as_str()));
    }
    if q.open_only {
        b.push(" AND status IN ('new', 'assigned', 'awaiting_approval')");
    }
    match q.assignee {
        AssigneeFilter::Any => {}
        AssigneeFilter::Nobody => {
            b.push(" AND assignee_id IS NULL");
        }
        AssigneeFilter::User(user) => {
            b.push(" AND assignee_id = ").push_bind(user.as_uuid());
        }
    }
    match q.deadline {
        None => {}
        Some(DeadlineFilter::Overdue { now }) => {
            b.push(" AND next_due_us < ").push_bind(micros(now));
        }
        Some(DeadlineFilter::DueBefore { now, until }) => {
            b.push(" AND next_due_us >= ")
                .push_bind(micros(now))
                .push(" AND next_due_us < ")
                .push_bind(micros(until));
        }
        Some(DeadlineFilter::NoneDue) => {
            b.push(" AND next_due_us IS NULL");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use humas_domain::OpdId;

    fn terms(t: &[&str]) -> Vec<String> {
        t.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn terms_become_a_conjunction_of_whole_words() {
        assert_eq!(search(&[]), Search::Everything);
        assert_eq!(search(&terms(&[" ", ""])), Search::Everything);
        assert_eq!(
            search(&terms(&["jalan", "Rusak", "2026"])),
            Search::All("'jalan' & 'rusak' & '2026'".into())
        );
    }

    #[test]
    fn operators_in_terms_match_nothing() {
        for bad in ["a|b", "a:*", "!a", "a b", "'a'", "jalan&", "ä"] {
            assert_eq!(search(&terms(&[bad])), Search::Nothing, "{bad}");
        }
    }

    #[test]
    fn impossible_queries_are_not_run() {
        let none = MessageQuery {
            opds: Some(vec![]),
            ..MessageQuery::default()
        };
        assert!(build(&none).is_none());
        let bad = MessageQuery {
            terms: terms(&["a:*"]),
            ..MessageQuery::default()
        };
        assert!(build(&bad).is_none());
    }

    #[test]
    fn several_opds_are_one_array_parameter() {
        let q = MessageQuery {
            opds: Some(vec![OpdId::generate(), OpdId::generate()]),
            ..MessageQuery::default()
        };
        let sql = build(&q).unwrap().into_sql();
        assert!(sql.contains("opd_id = ANY($1)"), "{sql}");
    }

    #[test]
    fn filters_are_bound_and_the_limit_clamped() {
        let q = MessageQuery {
            opds: Some(vec![OpdId::generate()]),
            terms: terms(&["banjir"]),
            hate_speech: Some(true),
            limit: 10_000,
            ..MessageQuery::default()
        };
        let sql = build(&q).unwrap().into_sql();
        assert!(sql.contains("opd_id = $1"), "{sql}");
        assert!(sql.contains("AND hate_speech"), "{sql}");
        assert!(sql.contains("search_tsv @@ $2::tsquery"), "{sql}");
        assert!(
            sql.ends_with("ORDER BY published_at_us DESC, id DESC LIMIT $3"),
            "{sql}"
        );
    }
}
