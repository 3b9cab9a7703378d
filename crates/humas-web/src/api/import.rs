//! `POST /api/v1/accounts/{id}/import`: a file of messages as the request body
//! (`Content-Type: application/x-ndjson` or `text/csv`), streamed into the account's inbox; the
//! answer counts what was stored and lists the rejected lines with their numbers and reasons.

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use humas_app::inbox::import::{ImportFormat, KEEP_REJECTED};
use humas_domain::AccountId;
use serde::Serialize;

use super::IdPath;
use super::query::Params;
use crate::AppState;
use crate::csrf::{declared_length, drain};
use crate::error::Failure;
use crate::extract::ApiCaller;
use crate::import_stream::{IMPORT_UPLOAD_LIMIT, Upload, import_upload, too_large};
use crate::routes::Routes;

pub(crate) use crate::import_stream::IMPORT_ERROR_CODES;

/// The path.
pub(crate) const PATH: &str = "/api/v1/accounts/{id}/import";

/// The body types accepted, and the format each means.
pub(crate) const MEDIA_TYPES: [(&str, ImportFormat); 4] = [
    ("application/x-ndjson", ImportFormat::Ndjson),
    ("application/ndjson", ImportFormat::Ndjson),
    ("application/jsonl", ImportFormat::Ndjson),
    ("text/csv", ImportFormat::Csv),
];

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("POST", PATH, axum::routing::post(import))
}

/// One refused line.
#[derive(Debug, Serialize)]
pub(crate) struct RejectedDto {
    line: u64,
    /// A stable code for the problem (the same codes name the page's translations).
    code: &'static str,
    /// In English.
    reason: String,
}

/// What the import did.
#[derive(Debug, Serialize)]
pub(crate) struct ImportDto {
    account_id: String,
    file_name: String,
    format: &'static str,
    inserted: u64,
    duplicates: u64,
    rejected_count: u64,
    /// The first [`KEEP_REJECTED`] rejected lines.
    rejected: Vec<RejectedDto>,
}

fn format_of(headers: &HeaderMap) -> Result<ImportFormat, Failure> {
    let given = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .unwrap_or_default();
    MEDIA_TYPES
        .iter()
        .find(|(t, _)| t.eq_ignore_ascii_case(given))
        .map(|(_, f)| *f)
        .ok_or_else(|| {
            Failure::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "send the file as the body with `Content-Type: application/x-ndjson` (one JSON \
                 object per line) or `text/csv` (a header row first)",
            )
        })
}

async fn import(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<AccountId>,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<ImportDto>, Failure> {
    let params = Params::read(&uri, &["file_name"])?;
    // Who may import here is decided first; then the body is judged.
    let account = state.app.import_account(&ctx.actor, id).await?;
    let format = format_of(&headers)?;
    if declared_length(&headers).is_some_and(|n| n > IMPORT_UPLOAD_LIMIT as u64) {
        drain(body, IMPORT_UPLOAD_LIMIT).await;
        return Err(too_large());
    }
    let file_name = params
        .text("file_name")
        .unwrap_or("(request body)")
        .to_owned();
    let done = import_upload(
        &state.app,
        &ctx.actor,
        &account,
        &file_name,
        Some(format),
        Upload::Body(body),
    )
    .await?;
    let report = done.report;
    Ok(Json(ImportDto {
        account_id: account.id.to_string(),
        file_name,
        format: done.format.as_str(),
        inserted: report.inserted,
        duplicates: report.duplicates,
        rejected_count: report.rejected_count,
        rejected: report
            .rejected
            .into_iter()
            .take(KEEP_REJECTED)
            .map(|r| RejectedDto {
                line: r.line,
                code: r.code,
                reason: r.reason,
            })
            .collect(),
    }))
}
