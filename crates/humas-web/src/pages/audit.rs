//! The audit log for supervisors: filter, page back in time, export as CSV.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use humas_app::AppError;
use humas_domain::{OpdId, UserZone};
use humas_store::AuditQuery;

use crate::AppState;
use crate::error::PageFailure;
use crate::extract::{Signed, query_params};
use crate::format;
use crate::pages::opds::{Choice, opd_choices};
use crate::pages::{Layout, fail, layout, opd_name, render};
use crate::routes::Routes;

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", "/audit", get(list))
        .add("GET", "/audit/export.csv", get(export))
}

const PAGE_SIZE: u32 = 50;

/// Turns the filter form's fields into a query. Dates are whole days in the reader's zone.
fn query_from(q: &HashMap<String, String>, zone: UserZone) -> Result<AuditQuery, AppError> {
    let text = |k: &str| {
        q.get(k)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let day_start_us = |k: &str, plus_days: i64| -> Result<Option<i64>, AppError> {
        let Some(raw) = text(k) else { return Ok(None) };
        let date = humas_domain::parse_date(&raw)?;
        let tz = jiff::tz::TimeZone::get(zone.iana()).unwrap_or(jiff::tz::TimeZone::UTC);
        let day = date
            .checked_add(jiff::Span::new().days(plus_days))
            .map_err(|_| humas_domain::ValueError::Date)?;
        let z = day
            .to_zoned(tz)
            .map_err(|_| humas_domain::ValueError::Date)?;
        Ok(Some(z.timestamp().as_microsecond()))
    };
    Ok(AuditQuery {
        actor: text("actor"),
        action_prefix: text("action"),
        opd: text("opd").and_then(|v| v.parse::<OpdId>().ok()),
        since_us: day_start_us("from", 0)?,
        until_us: day_start_us("to", 1)?,
        before_seq: text("before").and_then(|v| v.parse().ok()),
        limit: PAGE_SIZE,
    })
}

struct Row {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    target: String,
    opd: String,
    before: String,
    after: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    l: Layout,
    rows: Vec<Row>,
    opds: Vec<Choice>,
    f_actor: String,
    f_action: String,
    f_opd: String,
    f_from: String,
    f_to: String,
    older: Option<String>,
    export: String,
}

/// What a person recognises: the OPD's name or the username, else the kind and the id.
fn target_label(
    kind: &str,
    id: &str,
    opds: &[humas_domain::Opd],
    people: &[humas_domain::User],
) -> String {
    let named = match kind {
        "opd" => opds
            .iter()
            .find(|o| o.id.to_string() == id)
            .map(|o| o.name.to_string()),
        "user" => people
            .iter()
            .find(|u| u.id.to_string() == id)
            .map(|u| u.username.to_string()),
        _ => None,
    };
    named.map_or_else(|| format!("{kind} {id}"), |name| format!("{kind}: {name}"))
}

fn filters_without_cursor(q: &HashMap<String, String>) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for k in ["actor", "action", "opd", "from", "to"] {
        if let Some(v) = q.get(k).filter(|v| !v.is_empty()) {
            ser.append_pair(k, v);
        }
    }
    ser.finish()
}

async fn list(State(state): State<AppState>, s: Signed, uri: Uri) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let q = query_params(&uri);
    let mut l = layout(&state, &s, "audit", "audit-title");
    let (query, status) = match query_from(&q, s.ctx.user.zone) {
        Ok(query) => (query, StatusCode::OK),
        Err(e) => {
            let (status, msg) = crate::pages::form_error(e, s.tr);
            l.error = Some(msg);
            (
                AuditQuery {
                    limit: PAGE_SIZE,
                    ..AuditQuery::default()
                },
                status,
            )
        }
    };
    let entries = state
        .app
        .query_audit(&s.ctx.actor, &query)
        .await
        .map_err(&f)?;
    let opds = state.app.list_opds(&s.ctx.actor).await.map_err(&f)?;
    let people = state.app.list_users(&s.ctx.actor, None).await.map_err(&f)?;
    let filters = filters_without_cursor(&q);
    let older = (entries.len() == PAGE_SIZE as usize)
        .then(|| {
            entries
                .last()
                .map(|e| format!("/audit?{filters}&before={}", e.seq))
        })
        .flatten();
    let rows = entries
        .iter()
        .map(|e| Row {
            seq: e.seq,
            at: format::time_us(e.at_us, s.ctx.user.zone, s.tr.locale),
            actor: e.actor.clone(),
            action: e.action.clone(),
            target: target_label(&e.target_kind, &e.target_id, &opds, &people),
            opd: e.opd.map(|o| opd_name(&opds, Some(o))).unwrap_or_default(),
            before: e.before.clone().unwrap_or_default(),
            after: e.after.clone().unwrap_or_default(),
        })
        .collect();
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    let page = AuditPage {
        rows,
        opds: opd_choices(&opds),
        f_actor: get("actor"),
        f_action: get("action"),
        f_opd: get("opd"),
        f_from: get("from"),
        f_to: get("to"),
        older,
        export: format!("/audit/export.csv?{filters}"),
        l,
    };
    Ok(render(status, &page, s.tr))
}

async fn export(
    State(state): State<AppState>,
    s: Signed,
    uri: Uri,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let q = query_params(&uri);
    let mut query = query_from(&q, s.ctx.user.zone).map_err(&f)?;
    query.before_seq = None;
    let csv = state
        .app
        .export_audit_csv(&s.ctx.actor, &query)
        .await
        .map_err(&f)?;
    let mut resp = (StatusCode::OK, csv).into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"humas-audit.csv\""),
    );
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use humas_domain::{Opd, OpdId, OpdKind, OpdName, Slug};

    use super::target_label;

    #[test]
    fn targets_are_named_when_known() {
        let o = Opd {
            id: OpdId::generate(),
            slug: Slug::parse("dinkes").unwrap(),
            name: OpdName::parse("Dinas Kesehatan").unwrap(),
            kind: OpdKind::Dinas,
            parent: None,
        };
        let opds = [o.clone()];
        assert_eq!(
            target_label("opd", &o.id.to_string(), &opds, &[]),
            "opd: Dinas Kesehatan"
        );
        assert_eq!(target_label("opd", "gone", &opds, &[]), "opd gone");
        assert_eq!(target_label("account", "a1", &opds, &[]), "account a1");
    }
}
