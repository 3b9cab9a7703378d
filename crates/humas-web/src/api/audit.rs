//! `/api/v1/audit`: the audit log, newest first, filtered and paged by sequence number.

use axum::Json;
use axum::extract::State;
use axum::http::Uri;
use humas_app::SessionContext;
use humas_domain::AuditEntry;
use humas_store::AuditQuery;
use jiff::Timestamp;

use super::dto::AuditEntryDto;
use super::query::{Page, Params};
use crate::AppState;
use crate::error::Failure;
use crate::extract::ApiCaller;

/// Entries per page unless `?limit=` says otherwise.
pub(super) const DEFAULT_LIMIT: usize = 50;

const PARAMS: [&str; 7] = [
    "actor", "action", "opd", "since", "until", "cursor", "limit",
];

const TIME_FORMAT: &str = "an RFC 3339 time such as `2026-11-28T00:00:00Z` (encode `+` as `%2B`)";

pub(super) async fn query(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    uri: Uri,
) -> Result<Json<Page<AuditEntryDto>>, Failure> {
    let query = audit_query(&Params::read(&uri, &PARAMS)?)?;
    let entries = state.app.query_audit(&ctx.actor, &query).await?;
    let next_cursor = next_cursor(&state, &ctx, &query, &entries).await?;
    Ok(Json(Page {
        items: entries.iter().map(AuditEntryDto::from).collect(),
        next_cursor,
    }))
}

/// The store query the parameters ask for.
fn audit_query(p: &Params) -> Result<AuditQuery, Failure> {
    let limit = u32::try_from(p.limit(DEFAULT_LIMIT)?).unwrap_or(AuditQuery::MAX_LIMIT);
    Ok(AuditQuery {
        actor: p.text("actor").map(str::to_owned),
        action_prefix: p.text("action").map(str::to_owned),
        opd: p.parse("opd", "an OPD id")?,
        since_us: micros(p.parse("since", TIME_FORMAT)?),
        until_us: micros(p.parse("until", TIME_FORMAT)?),
        before_seq: p.parse("cursor", "a `next_cursor` from an earlier page")?,
        limit,
    })
}

fn micros(t: Option<Timestamp>) -> Option<i64> {
    t.map(Timestamp::as_microsecond)
}

/// The sequence number to continue from, when older matching entries exist. A full page does
/// not prove there is more, so one more entry is looked for; the last page then says `null`.
async fn next_cursor(
    state: &AppState,
    ctx: &SessionContext,
    query: &AuditQuery,
    entries: &[AuditEntry],
) -> Result<Option<String>, Failure> {
    let Some(last) = entries.last() else {
        return Ok(None);
    };
    if entries.len() < query.effective_limit() as usize {
        return Ok(None);
    }
    let probe = AuditQuery {
        before_seq: Some(last.seq),
        limit: 1,
        ..query.clone()
    };
    let more = state.app.query_audit(&ctx.actor, &probe).await?;
    Ok((!more.is_empty()).then(|| last.seq.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(q: &str) -> Result<AuditQuery, Failure> {
        let uri: Uri = format!("/api/v1/audit?{q}").parse().unwrap();
        audit_query(&Params::read(&uri, &PARAMS)?)
    }

    #[test]
    fn filters_become_a_store_query() {
        let q = query(concat!(
            "actor=supervisor&action=opd.&since=2026-01-01T00:00:00Z",
            "&until=2026-01-01T07:00:00%2B07:00&cursor=40&limit=10",
        ))
        .unwrap();
        assert_eq!(q.actor.as_deref(), Some("supervisor"));
        assert_eq!(q.action_prefix.as_deref(), Some("opd."));
        assert_eq!(q.since_us, q.until_us, "the same instant written two ways");
        assert_eq!(q.since_us, Some(1_767_225_600_000_000));
        assert_eq!((q.before_seq, q.limit), (Some(40), 10));
    }

    #[test]
    fn defaults_and_refusals() {
        let q = query("").unwrap();
        assert_eq!((q.limit, q.before_seq, q.since_us), (50, None, None));
        for bad in [
            "since=yesterday",
            "until=2026-01-01",
            "cursor=abc",
            "limit=5000",
            "opd=dinkes",
        ] {
            let f = query(bad).unwrap_err();
            assert_eq!(f.code, "malformed_body", "{bad}");
        }
    }
}
