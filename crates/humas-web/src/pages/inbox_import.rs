//! The import page: a file of messages (NDJSON or CSV) uploaded into one account's inbox, and
//! what became of each line. The file is streamed into `App::import_messages` (see
//! [`crate::import_stream`]); the CSRF guard reads the form's `_csrf` part, which comes before
//! the file, without reading the file.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use humas_app::AppError;
use humas_app::inbox::import::{ImportFormat, ImportReport, RejectedLine};
use humas_domain::{Account, AccountId};

use crate::AppState;
use crate::error::{Failure, PageFailure};
use crate::extract::{Signed, query_params};
use crate::i18n::Tr;
use crate::import_stream::{IMPORT_UPLOAD_LIMIT, PAGE, Upload, import_upload};
use crate::pages::opds::Choice;
use crate::pages::posts::account_label;
use crate::pages::{Layout, fail, layout, render};
use crate::routes::Routes;

/// Rejected lines shown on the page; the rest are counted.
const SHOWN_REJECTED: usize = 200;

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", PAGE, get(form)).add(
        "POST",
        PAGE,
        post(upload).layer(DefaultBodyLimit::max(IMPORT_UPLOAD_LIMIT)),
    )
}

struct RejectedRow {
    line: String,
    reason: String,
}

struct ResultView {
    account: String,
    account_id: String,
    file_name: String,
    format: &'static str,
    inserted: String,
    duplicates: String,
    rejected: String,
    rows: Vec<RejectedRow>,
    more: Option<String>,
}

#[derive(Template)]
#[template(path = "inbox_import.html")]
struct ImportPage {
    l: Layout,
    accounts: Vec<Choice>,
    chosen: String,
    limit: String,
    result: Option<ResultView>,
}

async fn page(
    state: &AppState,
    s: &Signed,
    chosen: &str,
    result: Option<ResultView>,
    error: Option<(StatusCode, String)>,
) -> Result<Response, PageFailure> {
    let accounts = state
        .app
        .import_accounts(&s.ctx.actor)
        .await
        .map_err(fail(s.tr))?;
    let mut l = layout(state, s, "inbox", "inbox-import-title");
    let status = l.show_outcome(None, error);
    let page = ImportPage {
        accounts: accounts
            .iter()
            .map(|a| Choice {
                value: a.id.to_string(),
                label: account_label(s.tr, a),
            })
            .collect(),
        chosen: chosen.to_owned(),
        limit: s.tr.t1(
            "inbox-import-limit",
            "mib",
            &(IMPORT_UPLOAD_LIMIT / (1024 * 1024)).to_string(),
        ),
        result,
        l,
    };
    Ok(render(status, &page, s.tr))
}

async fn form(State(state): State<AppState>, s: Signed, uri: Uri) -> Result<Response, PageFailure> {
    let q = query_params(&uri);
    let chosen = q.get("account").map_or("", String::as_str);
    page(&state, &s, chosen, None, None).await
}

fn result_view(
    s: &Signed,
    account: &Account,
    file_name: &str,
    format: ImportFormat,
    report: &ImportReport,
) -> ResultView {
    let int = |n: u64| crate::format::int(i64::try_from(n).unwrap_or(i64::MAX), s.tr.locale);
    let rows = report
        .rejected
        .iter()
        .take(SHOWN_REJECTED)
        .map(|r| RejectedRow {
            line: int(r.line),
            reason: reason_text(s.tr, r),
        })
        .collect::<Vec<_>>();
    let rest = report.rejected_count.saturating_sub(rows.len() as u64);
    ResultView {
        account: account_label(s.tr, account),
        account_id: account.id.to_string(),
        file_name: file_name.to_owned(),
        format: match format {
            ImportFormat::Ndjson => "NDJSON",
            ImportFormat::Csv => "CSV",
        },
        inserted: int(report.inserted),
        duplicates: int(report.duplicates),
        rejected: int(report.rejected_count),
        more: (rest > 0).then(|| s.tr.t1("inbox-import-more", "count", &int(rest))),
        rows,
    }
}

/// A rejected line's reason in the reader's language: `import-reason-<code>`, or for a rule of
/// the domain its `error-<code>` message, followed by the technical detail; the parser's English
/// sentence when the code has no translation.
fn reason_text(tr: Tr, r: &RejectedLine) -> String {
    let text = [
        format!("import-reason-{}", r.code),
        format!("error-{}", r.code),
    ]
    .into_iter()
    .find(|key| tr.has(key))
    .map(|key| tr.t(&key));
    match text {
        None => r.reason.clone(),
        Some(text) if r.detail.is_empty() => text,
        Some(text) => format!("{text} ({})", r.detail),
    }
}

/// A refusal shown above the form, in the reader's language, with the detail when there is one.
fn form_error(f: &Failure, s: &Signed) -> (StatusCode, String) {
    let text = f.localised(s.tr);
    let detail = if text == f.message {
        text
    } else {
        format!("{text} ({})", f.message)
    };
    (f.status, detail)
}

async fn upload(
    State(state): State<AppState>,
    s: Signed,
    mut parts: Multipart,
) -> Result<Response, PageFailure> {
    let mut account = String::new();
    let mut format = String::new();
    loop {
        let field = match parts.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                let f = if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    crate::import_stream::too_large()
                } else {
                    Failure::malformed(e.body_text())
                };
                let error = form_error(&f, &s);
                return page(&state, &s, &account, None, Some(error)).await;
            }
        };
        match field.name().unwrap_or_default() {
            "file" => {
                let file_name = field
                    .file_name()
                    .map_or_else(String::new, |n| n.trim().to_owned());
                // Who may import here is decided before the file is read.
                let id = account
                    .trim()
                    .parse::<AccountId>()
                    .map_err(|_| fail(s.tr)(AppError::UnknownReference("account")))?;
                let target = state
                    .app
                    .import_account(&s.ctx.actor, id)
                    .await
                    .map_err(fail(s.tr))?;
                if file_name.is_empty() {
                    let error = (
                        StatusCode::UNPROCESSABLE_ENTITY,
                        s.tr.t("inbox-import-no-file"),
                    );
                    return page(&state, &s, &account, None, Some(error)).await;
                }
                let chosen = match format.as_str() {
                    "ndjson" => Some(ImportFormat::Ndjson),
                    "csv" => Some(ImportFormat::Csv),
                    _ => None,
                };
                let outcome = import_upload(
                    &state.app,
                    &s.ctx.actor,
                    &target,
                    &file_name,
                    chosen,
                    Upload::Field(Box::new(field)),
                )
                .await;
                return match outcome {
                    Ok(done) => {
                        let view = result_view(&s, &target, &file_name, done.format, &done.report);
                        page(&state, &s, &account, Some(view), None).await
                    }
                    Err(f) if matches!(f.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND) => {
                        Err(PageFailure(f, s.tr))
                    }
                    Err(f) => {
                        let error = form_error(&f, &s);
                        page(&state, &s, &account, None, Some(error)).await
                    }
                };
            }
            name => {
                let name = name.to_owned();
                let value = match field.text().await {
                    Ok(v) => v,
                    Err(e) => return Err(PageFailure(Failure::malformed(e.body_text()), s.tr)),
                };
                match name.as_str() {
                    "account" => account = value,
                    "format" => format = value,
                    _ => {}
                }
            }
        }
    }
    let error = (
        StatusCode::UNPROCESSABLE_ENTITY,
        s.tr.t("inbox-import-no-file"),
    );
    page(&state, &s, &account, None, Some(error)).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests")]

    use super::*;
    use humas_domain::Locale;

    #[test]
    fn every_line_problem_code_is_translated_in_both_languages() {
        for locale in [Locale::Id, Locale::En] {
            let tr = Tr::new(locale);
            for code in humas_connectors::import::LINE_PROBLEM_CODES {
                assert!(
                    tr.has(&format!("import-reason-{code}")),
                    "{locale:?} {code}"
                );
            }
        }
    }
}
