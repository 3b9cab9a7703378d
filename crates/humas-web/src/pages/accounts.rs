//! Official accounts across the OPDs the reader sees: list, add, change status, remove.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::post;
use humas_app::AppError;
use humas_app::org::AccountInput;
use humas_domain::{AccountId, AccountStatus, OpdId};
use serde::Deserialize;

use crate::AppState;
use crate::error::PageFailure;
use crate::extract::{FormBody, Signed, query_params};
use crate::pages::opds::{Choice, opd_choices, platform_choices};
use crate::pages::{Layout, done, fail, form_error, layout, opd_name, render};
use crate::routes::Routes;

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", "/accounts", axum::routing::get(list))
        .add("POST", "/accounts", post(create))
        .add("POST", "/accounts/{id}", post(update_status))
        .add("POST", "/accounts/{id}/delete", post(delete))
}

struct Row {
    id: String,
    opd: String,
    opd_id: String,
    platform: String,
    handle: String,
    api_base: String,
    status: String,
    status_label: String,
    can_manage: bool,
}

#[derive(Template)]
#[template(path = "accounts.html")]
struct AccountsPage {
    l: Layout,
    rows: Vec<Row>,
    opds: Vec<Choice>,
    manageable_opds: Vec<Choice>,
    filter: String,
    platforms: Vec<Choice>,
    statuses: Vec<Choice>,
}

fn status_choices(l: &Layout) -> Vec<Choice> {
    AccountStatus::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str().into(),
            label: l.t(&format!("status-{}", s.as_str())),
        })
        .collect()
}

async fn page(
    state: &AppState,
    s: &Signed,
    uri: &Uri,
    error: Option<(StatusCode, String)>,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let q = query_params(uri);
    let filter: Option<OpdId> = q.get("opd").and_then(|v| v.parse().ok());
    let opds = state.app.list_opds(&s.ctx.actor).await.map_err(&f)?;
    let accounts = state
        .app
        .list_accounts(&s.ctx.actor, filter)
        .await
        .map_err(&f)?;
    let mut l = layout(state, s, "accounts", "accounts-title");
    let status = l.show_outcome(Some(uri), error);
    let rows = accounts
        .iter()
        .map(|a| Row {
            id: a.id.to_string(),
            opd: opd_name(&opds, Some(a.opd)),
            opd_id: a.opd.to_string(),
            platform: l.t(&format!("platform-{}", a.platform.as_str())),
            handle: a.handle.to_string(),
            api_base: a.effective_api_base().to_owned(),
            status: a.status.as_str().to_owned(),
            status_label: l.t(&format!("status-{}", a.status.as_str())),
            can_manage: s.ctx.actor.can_manage_accounts_of(a.opd),
        })
        .collect();
    let manageable: Vec<_> = opds
        .iter()
        .filter(|o| s.ctx.actor.can_manage_accounts_of(o.id))
        .cloned()
        .collect();
    let page = AccountsPage {
        rows,
        opds: opd_choices(&opds),
        manageable_opds: opd_choices(&manageable),
        filter: filter.map(|f| f.to_string()).unwrap_or_default(),
        platforms: platform_choices(&l),
        statuses: status_choices(&l),
        l,
    };
    Ok(render(status, &page, s.tr))
}

async fn list(State(state): State<AppState>, s: Signed, uri: Uri) -> Result<Response, PageFailure> {
    page(&state, &s, &uri, None).await
}

#[derive(Deserialize)]
struct NewAccountForm {
    #[serde(default)]
    opd: String,
    #[serde(default)]
    platform: String,
    #[serde(default)]
    handle: String,
    #[serde(default)]
    api_base_url: String,
    #[serde(default)]
    back: String,
}

fn back_to(back: &str) -> String {
    if back.starts_with("/opds/") && !back.contains("//") {
        back.to_owned()
    } else {
        "/accounts".to_owned()
    }
}

async fn create(
    State(state): State<AppState>,
    s: Signed,
    FormBody(form): FormBody<NewAccountForm>,
) -> Result<Response, PageFailure> {
    let input = AccountInput {
        opd: form.opd.clone(),
        platform: form.platform.clone(),
        handle: form.handle.clone(),
        api_base_url: Some(form.api_base_url.clone()),
        status: None,
    };
    match state.app.create_account(&s.ctx.actor, &input).await {
        Ok(_) => Ok(done(&back_to(&form.back), "created")),
        Err(AppError::Forbidden) => Err(fail(s.tr)(AppError::Forbidden)),
        Err(e) => {
            let uri: Uri = "/accounts".parse().unwrap_or_default();
            page(&state, &s, &uri, Some(form_error(e, s.tr))).await
        }
    }
}

#[derive(Deserialize)]
struct StatusForm {
    #[serde(default)]
    status: String,
}

fn parse_account_id(raw: &str, s: &Signed) -> Result<AccountId, PageFailure> {
    raw.parse()
        .map_err(|_| fail(s.tr)(AppError::NotFound("account")))
}

async fn update_status(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    FormBody(form): FormBody<StatusForm>,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let id = parse_account_id(&id, &s)?;
    let old = state.app.get_account(&s.ctx.actor, id).await.map_err(&f)?;
    let input = AccountInput {
        opd: old.opd.to_string(),
        platform: old.platform.as_str().to_owned(),
        handle: old.handle.to_string(),
        api_base_url: old.api_base_url.as_ref().map(ToString::to_string),
        status: Some(form.status),
    };
    match state.app.update_account(&s.ctx.actor, id, &input).await {
        Ok(_) => Ok(done("/accounts", "saved")),
        Err(e @ (AppError::Forbidden | AppError::NotFound(_))) => Err(f(e)),
        Err(e) => {
            let uri: Uri = "/accounts".parse().unwrap_or_default();
            page(&state, &s, &uri, Some(form_error(e, s.tr))).await
        }
    }
}

async fn delete(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
) -> Result<Response, PageFailure> {
    let id = parse_account_id(&id, &s)?;
    state
        .app
        .delete_account(&s.ctx.actor, id)
        .await
        .map_err(fail(s.tr))?;
    Ok(done("/accounts", "deleted"))
}
