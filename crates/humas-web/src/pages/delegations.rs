//! Acting officials (Plt/Plh): who approves for whom, when; recording and ending them.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use humas_app::AppError;
use humas_app::people::DelegationInput;
use humas_domain::{DelegationId, Role};
use serde::Deserialize;

use crate::AppState;
use crate::error::PageFailure;
use crate::extract::{FormBody, Signed};
use crate::format;
use crate::pages::opds::Choice;
use crate::pages::{Layout, done, fail, form_error, layout, opd_name, render};
use crate::routes::Routes;

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", "/delegations", get(list))
        .add("POST", "/delegations", post(create))
        .add("POST", "/delegations/{id}/revoke", post(revoke))
}

struct Row {
    id: String,
    opd: String,
    from: String,
    to: String,
    kind: String,
    period: String,
    state: String,
    state_key: &'static str,
    reason: String,
    can_revoke: bool,
}

#[derive(Deserialize, Default, Clone)]
struct DelegationForm {
    #[serde(default)]
    from_user: String,
    #[serde(default)]
    to_user: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
    #[serde(default)]
    reason: String,
}

#[derive(Template)]
#[template(path = "delegations.html")]
struct DelegationsPage {
    l: Layout,
    rows: Vec<Row>,
    approvers: Vec<Choice>,
    candidates: Vec<Choice>,
    form: DelegationForm,
}

async fn page(
    state: &AppState,
    s: &Signed,
    uri: Option<&Uri>,
    form: DelegationForm,
    error: Option<(StatusCode, String)>,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let actor = &s.ctx.actor;
    let delegations = state.app.list_delegations(actor, None).await.map_err(&f)?;
    let names = state
        .app
        .delegation_names(actor, &delegations)
        .await
        .map_err(&f)?;
    let opds = state.app.list_opds(actor).await.map_err(&f)?;
    // Who could be chosen: only people the actor may see, and only approvers it may delegate for.
    let people = match state.app.list_users(actor, None).await {
        Ok(p) => p,
        Err(AppError::Forbidden) => Vec::new(),
        Err(e) => return Err(f(e)),
    };
    let mut l = layout(state, s, "delegations", "delegations-title");
    let status = l.show_outcome(uri, error);
    let today = state.app.today(&s.ctx.user);
    let name = |id| names.get(&id).cloned().unwrap_or_else(|| "—".to_owned());
    let rows = delegations
        .iter()
        .map(|d| {
            let state_key = if d.revoked {
                "delegation-revoked"
            } else if d.covers(today) {
                "delegation-in-force"
            } else if today < d.starts_on {
                "delegation-upcoming"
            } else {
                "delegation-ended"
            };
            Row {
                id: d.id.to_string(),
                opd: opd_name(&opds, Some(d.opd)),
                from: name(d.from_user),
                to: name(d.to_user),
                kind: l.t(&format!("delegation-kind-{}", d.kind.as_str())),
                period: format!(
                    "{} – {}",
                    format::date(d.starts_on, s.tr.locale),
                    format::date(d.ends_on, s.tr.locale)
                ),
                state: l.t(state_key),
                state_key,
                reason: d.reason.clone(),
                can_revoke: !d.revoked
                    && d.ends_on >= today
                    && actor.can_manage_delegations_of(d.opd),
            }
        })
        .collect();
    let label = |u: &humas_domain::User| {
        format!(
            "{} ({}, {})",
            u.display_name,
            u.username,
            opd_name(&opds, u.opd)
        )
    };
    let approvers = people
        .iter()
        .filter(|u| {
            u.role == Role::Approver && u.opd.is_some_and(|o| actor.can_manage_delegations_of(o))
        })
        .map(|u| Choice {
            value: u.id.to_string(),
            label: label(u),
        })
        .collect();
    let candidates = people
        .iter()
        .filter(|u| u.active && !matches!(u.role, Role::Trainee | Role::Leadership))
        .map(|u| Choice {
            value: u.id.to_string(),
            label: label(u),
        })
        .collect();
    let page = DelegationsPage {
        rows,
        approvers,
        candidates,
        form,
        l,
    };
    Ok(render(status, &page, s.tr))
}

async fn list(State(state): State<AppState>, s: Signed, uri: Uri) -> Result<Response, PageFailure> {
    let form = DelegationForm {
        kind: "plh".into(),
        ..DelegationForm::default()
    };
    page(&state, &s, Some(&uri), form, None).await
}

async fn create(
    State(state): State<AppState>,
    s: Signed,
    FormBody(form): FormBody<DelegationForm>,
) -> Result<Response, PageFailure> {
    let input = DelegationInput {
        from_user: form.from_user.clone(),
        to_user: form.to_user.clone(),
        kind: form.kind.clone(),
        starts_on: form.starts_on.clone(),
        ends_on: form.ends_on.clone(),
        reason: form.reason.clone(),
    };
    match state.app.create_delegation(&s.ctx.actor, &input).await {
        Ok(_) => Ok(done("/delegations", "created")),
        Err(AppError::Forbidden) => Err(fail(s.tr)(AppError::Forbidden)),
        Err(e) => page(&state, &s, None, form, Some(form_error(e, s.tr))).await,
    }
}

async fn revoke(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let id: DelegationId = id
        .parse()
        .map_err(|_| f(AppError::NotFound("delegation")))?;
    state
        .app
        .revoke_delegation(&s.ctx.actor, id)
        .await
        .map_err(&f)?;
    Ok(done("/delegations", "revoked"))
}
