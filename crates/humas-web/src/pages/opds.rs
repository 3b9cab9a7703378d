//! OPDs: the list, adding one, and each OPD's page with its accounts and people.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use humas_app::AppError;
use humas_app::org::OpdInput;
use humas_domain::{Opd, OpdId, OpdKind, Platform};
use serde::Deserialize;

use crate::AppState;
use crate::error::PageFailure;
use crate::extract::{FormBody, Signed};
use crate::pages::home::{AccountRow, account_rows};
use crate::pages::{Layout, done, fail, form_error, layout, opd_name, render};
use crate::routes::Routes;

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", "/opds", get(list))
        .add("POST", "/opds", post(create))
        .add("GET", "/opds/{id}", get(detail))
        .add("POST", "/opds/{id}", post(update))
}

pub(crate) struct Choice {
    pub value: String,
    pub label: String,
}

pub(crate) fn kind_choices(l: &Layout) -> Vec<Choice> {
    OpdKind::ALL
        .iter()
        .map(|k| Choice {
            value: k.as_str().into(),
            label: l.t(&format!("kind-{}", k.as_str())),
        })
        .collect()
}

pub(crate) fn platform_choices(l: &Layout) -> Vec<Choice> {
    Platform::ALL
        .iter()
        .map(|p| Choice {
            value: p.as_str().into(),
            label: l.t(&format!("platform-{}", p.as_str())),
        })
        .collect()
}

pub(crate) fn opd_choices(opds: &[Opd]) -> Vec<Choice> {
    opds.iter()
        .map(|o| Choice {
            value: o.id.to_string(),
            label: o.name.to_string(),
        })
        .collect()
}

struct OpdRow {
    id: String,
    name: String,
    slug: String,
    kind: String,
    parent: String,
    accounts: usize,
}

#[derive(Deserialize, Default, Clone)]
pub(crate) struct OpdForm {
    #[serde(default)]
    slug: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    parent: String,
}

impl OpdForm {
    fn input(&self) -> OpdInput {
        OpdInput {
            slug: self.slug.clone(),
            name: self.name.clone(),
            kind: self.kind.clone(),
            parent: Some(self.parent.clone()),
        }
    }
    fn from_opd(o: &Opd) -> Self {
        Self {
            slug: o.slug.to_string(),
            name: o.name.to_string(),
            kind: o.kind.as_str().to_owned(),
            parent: o.parent.map(|p| p.to_string()).unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "opds.html")]
struct OpdsPage {
    l: Layout,
    rows: Vec<OpdRow>,
    can_create: bool,
    form: OpdForm,
    kinds: Vec<Choice>,
    parents: Vec<Choice>,
}

async fn list_page(
    state: &AppState,
    s: &Signed,
    uri: Option<&Uri>,
    form: OpdForm,
    error: Option<(StatusCode, String)>,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let opds = state.app.list_opds(&s.ctx.actor).await.map_err(&f)?;
    let accounts = state
        .app
        .list_accounts(&s.ctx.actor, None)
        .await
        .map_err(&f)?;
    let mut l = layout(state, s, "opds", "opds-title");
    let status = l.show_outcome(uri, error);
    let rows = opds
        .iter()
        .map(|o| OpdRow {
            id: o.id.to_string(),
            name: o.name.to_string(),
            slug: o.slug.to_string(),
            kind: l.t(&format!("kind-{}", o.kind.as_str())),
            parent: o
                .parent
                .map(|p| opd_name(&opds, Some(p)))
                .unwrap_or_default(),
            accounts: accounts.iter().filter(|a| a.opd == o.id).count(),
        })
        .collect();
    let page = OpdsPage {
        kinds: kind_choices(&l),
        parents: opd_choices(&opds),
        can_create: s.ctx.actor.can_manage_opds(),
        rows,
        form,
        l,
    };
    Ok(render(status, &page, s.tr))
}

async fn list(State(state): State<AppState>, s: Signed, uri: Uri) -> Result<Response, PageFailure> {
    let form = OpdForm {
        kind: "dinas".into(),
        ..OpdForm::default()
    };
    list_page(&state, &s, Some(&uri), form, None).await
}

async fn create(
    State(state): State<AppState>,
    s: Signed,
    FormBody(form): FormBody<OpdForm>,
) -> Result<Response, PageFailure> {
    match state.app.create_opd(&s.ctx.actor, &form.input()).await {
        Ok(opd) => Ok(done(&format!("/opds/{}", opd.id), "created")),
        Err(AppError::Forbidden) => Err(fail(s.tr)(AppError::Forbidden)),
        Err(e) => list_page(&state, &s, None, form, Some(form_error(e, s.tr))).await,
    }
}

struct PersonRow {
    id: String,
    name: String,
    username: String,
    role: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "opd.html")]
struct OpdPage {
    l: Layout,
    id: String,
    slug: String,
    kind: String,
    parent: String,
    accounts: Vec<AccountRow>,
    people: Option<Vec<PersonRow>>,
    can_edit: bool,
    can_add_account: bool,
    form: OpdForm,
    kinds: Vec<Choice>,
    parents: Vec<Choice>,
    platforms: Vec<Choice>,
}

fn parse_opd_id(raw: &str, s: &Signed) -> Result<OpdId, PageFailure> {
    raw.parse()
        .map_err(|_| fail(s.tr)(AppError::NotFound("opd")))
}

async fn detail_page(
    state: &AppState,
    s: &Signed,
    id: OpdId,
    uri: Option<&Uri>,
    form: Option<OpdForm>,
    error: Option<(StatusCode, String)>,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let opd = state.app.get_opd(&s.ctx.actor, id).await.map_err(&f)?;
    let all = state.app.list_opds(&s.ctx.actor).await.map_err(&f)?;
    let accounts = state
        .app
        .list_accounts(&s.ctx.actor, Some(id))
        .await
        .map_err(&f)?;
    let people = match state.app.list_users(&s.ctx.actor, Some(id)).await {
        Ok(users) => Some(users),
        Err(AppError::Forbidden) => None,
        Err(e) => return Err(f(e)),
    };
    let mut l = layout(state, s, "opds", "opds-title");
    l.title = opd.name.to_string();
    let status = l.show_outcome(uri, error);
    let people = people.map(|users| {
        users
            .iter()
            .map(|u| PersonRow {
                id: u.id.to_string(),
                name: u.display_name.to_string(),
                username: u.username.to_string(),
                role: l.t(&format!("role-{}", u.role.as_str())),
                active: u.active,
            })
            .collect()
    });
    let page = OpdPage {
        id: opd.id.to_string(),
        slug: opd.slug.to_string(),
        kind: l.t(&format!("kind-{}", opd.kind.as_str())),
        parent: opd
            .parent
            .map(|p| opd_name(&all, Some(p)))
            .unwrap_or_default(),
        accounts: account_rows(&accounts, &all, &l),
        people,
        can_edit: s.ctx.actor.can_manage_opds(),
        can_add_account: s.ctx.actor.can_manage_accounts_of(opd.id),
        form: form.unwrap_or_else(|| OpdForm::from_opd(&opd)),
        kinds: kind_choices(&l),
        parents: opd_choices(
            &all.iter()
                .filter(|o| o.id != opd.id)
                .cloned()
                .collect::<Vec<_>>(),
        ),
        platforms: platform_choices(&l),
        l,
    };
    Ok(render(status, &page, s.tr))
}

async fn detail(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, PageFailure> {
    let id = parse_opd_id(&id, &s)?;
    detail_page(&state, &s, id, Some(&uri), None, None).await
}

async fn update(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    FormBody(form): FormBody<OpdForm>,
) -> Result<Response, PageFailure> {
    let id = parse_opd_id(&id, &s)?;
    match state.app.update_opd(&s.ctx.actor, id, &form.input()).await {
        Ok(_) => Ok(done(&format!("/opds/{id}"), "saved")),
        Err(e @ (AppError::Forbidden | AppError::NotFound(_))) => Err(fail(s.tr)(e)),
        Err(e) => detail_page(&state, &s, id, None, Some(form), Some(form_error(e, s.tr))).await,
    }
}
