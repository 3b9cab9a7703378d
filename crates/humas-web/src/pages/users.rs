//! People: the list, adding someone, changing a role, OPD or access, resetting a password.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use humas_app::AppError;
use humas_app::people::{NewUserInput, UserUpdateInput};
use humas_domain::{OpdId, Role, User, UserId};
use serde::Deserialize;

use crate::AppState;
use crate::error::PageFailure;
use crate::extract::{FormBody, Signed, query_params};
use crate::pages::opds::{Choice, opd_choices};
use crate::pages::{Layout, done, fail, form_error, layout, opd_name, render};
use crate::routes::Routes;

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", "/users", get(list))
        .add("POST", "/users", post(create))
        .add("GET", "/users/{id}", get(detail))
        .add("POST", "/users/{id}", post(update))
        .add("POST", "/users/{id}/password", post(reset_password))
}

fn role_choices(l: &Layout) -> Vec<Choice> {
    Role::ALL
        .iter()
        .map(|r| Choice {
            value: r.as_str().into(),
            label: l.t(&format!("role-{}", r.as_str())),
        })
        .collect()
}

struct Row {
    id: String,
    name: String,
    username: String,
    role: String,
    opd: String,
    active: bool,
}

#[derive(Deserialize, Default, Clone)]
struct NewUserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    opd: String,
    #[serde(default)]
    password: String,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    l: Layout,
    rows: Vec<Row>,
    can_create: bool,
    form: NewUserForm,
    roles: Vec<Choice>,
    opds: Vec<Choice>,
}

async fn list_page(
    state: &AppState,
    s: &Signed,
    uri: &Uri,
    form: NewUserForm,
    error: Option<(StatusCode, String)>,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let filter: Option<OpdId> = query_params(uri).get("opd").and_then(|v| v.parse().ok());
    let users = state
        .app
        .list_users(&s.ctx.actor, filter)
        .await
        .map_err(&f)?;
    let opds = state.app.list_opds(&s.ctx.actor).await.map_err(&f)?;
    let mut l = layout(state, s, "users", "users-title");
    let status = l.show_outcome(Some(uri), error);
    let rows = users
        .iter()
        .map(|u| Row {
            id: u.id.to_string(),
            name: u.display_name.to_string(),
            username: u.username.to_string(),
            role: l.t(&format!("role-{}", u.role.as_str())),
            opd: opd_name(&opds, u.opd),
            active: u.active,
        })
        .collect();
    let page = UsersPage {
        rows,
        can_create: s.ctx.actor.can_manage_users(),
        form,
        roles: role_choices(&l),
        opds: opd_choices(&opds),
        l,
    };
    Ok(render(status, &page, s.tr))
}

async fn list(State(state): State<AppState>, s: Signed, uri: Uri) -> Result<Response, PageFailure> {
    let form = NewUserForm {
        role: "operator".into(),
        ..NewUserForm::default()
    };
    list_page(&state, &s, &uri, form, None).await
}

async fn create(
    State(state): State<AppState>,
    s: Signed,
    FormBody(form): FormBody<NewUserForm>,
) -> Result<Response, PageFailure> {
    let input = NewUserInput {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        role: form.role.clone(),
        opd: Some(form.opd.clone()),
        password: form.password.clone(),
    };
    match state.app.create_user(&s.ctx.actor, &input).await {
        Ok(u) => Ok(done(&format!("/users/{}", u.id), "created")),
        Err(AppError::Forbidden) => Err(fail(s.tr)(AppError::Forbidden)),
        Err(e) => {
            let uri: Uri = "/users".parse().unwrap_or_default();
            let form = NewUserForm {
                password: String::new(),
                ..form
            };
            list_page(&state, &s, &uri, form, Some(form_error(e, s.tr))).await
        }
    }
}

#[derive(Template)]
#[template(path = "user.html")]
struct UserPage {
    l: Layout,
    id: String,
    username: String,
    display_name: String,
    role: String,
    role_label: String,
    opd: String,
    opd_label: String,
    active: bool,
    can_edit: bool,
    roles: Vec<Choice>,
    opds: Vec<Choice>,
}

fn parse_user_id(raw: &str, s: &Signed) -> Result<UserId, PageFailure> {
    raw.parse()
        .map_err(|_| fail(s.tr)(AppError::NotFound("user")))
}

async fn detail_page(
    state: &AppState,
    s: &Signed,
    user: User,
    uri: Option<&Uri>,
    error: Option<(StatusCode, String)>,
) -> Result<Response, PageFailure> {
    let opds = state
        .app
        .list_opds(&s.ctx.actor)
        .await
        .map_err(fail(s.tr))?;
    let mut l = layout(state, s, "users", "users-title");
    l.title = user.display_name.to_string();
    let status = l.show_outcome(uri, error);
    let page = UserPage {
        id: user.id.to_string(),
        username: user.username.to_string(),
        display_name: user.display_name.to_string(),
        role: user.role.as_str().to_owned(),
        role_label: l.t(&format!("role-{}", user.role.as_str())),
        opd: user.opd.map(|o| o.to_string()).unwrap_or_default(),
        opd_label: opd_name(&opds, user.opd),
        active: user.active,
        can_edit: s.ctx.actor.can_manage_users(),
        roles: role_choices(&l),
        opds: opd_choices(&opds),
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
    let id = parse_user_id(&id, &s)?;
    let user = state
        .app
        .get_user(&s.ctx.actor, id)
        .await
        .map_err(fail(s.tr))?;
    detail_page(&state, &s, user, Some(&uri), None).await
}

#[derive(Deserialize)]
struct UpdateForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    opd: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    active: Option<String>,
}

async fn update(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    FormBody(form): FormBody<UpdateForm>,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let id = parse_user_id(&id, &s)?;
    let input = UserUpdateInput {
        display_name: form.display_name,
        role: form.role,
        opd: Some(form.opd),
        active: form.active.is_some(),
    };
    match state.app.update_user(&s.ctx.actor, id, &input).await {
        Ok(_) => Ok(done(&format!("/users/{id}"), "saved")),
        Err(e @ (AppError::Forbidden | AppError::NotFound(_))) => Err(f(e)),
        Err(e) => {
            let user = state.app.get_user(&s.ctx.actor, id).await.map_err(&f)?;
            detail_page(&state, &s, user, None, Some(form_error(e, s.tr))).await
        }
    }
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    password: String,
}

async fn reset_password(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    FormBody(form): FormBody<PasswordForm>,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let id = parse_user_id(&id, &s)?;
    match state
        .app
        .reset_password(&s.ctx.actor, id, &form.password)
        .await
    {
        Ok(()) => Ok(done(&format!("/users/{id}"), "password")),
        Err(e @ (AppError::Forbidden | AppError::NotFound(_))) => Err(f(e)),
        Err(e) => {
            let user = state.app.get_user(&s.ctx.actor, id).await.map_err(&f)?;
            detail_page(&state, &s, user, None, Some(form_error(e, s.tr))).await
        }
    }
}
