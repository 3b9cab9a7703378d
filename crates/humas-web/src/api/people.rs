//! `/api/v1/me`, `/api/v1/users` and `/api/v1/delegations`.

use axum::Json;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use humas_app::AppError;
use humas_app::people::{DelegationInput, NewUserInput, UserUpdateInput};
use humas_domain::{DelegationId, UserId};

use super::body::{DelegationBody, NewUserBody, UserUpdateBody};
use super::dto::{DelegationDto, MeDto, UserDto};
use super::org::{OPD_LIST_PARAMS, opd_filter};
use super::query::{Page, Params, Window};
use super::{BASE, IdPath, created};
use crate::AppState;
use crate::error::Failure;
use crate::extract::{ApiCaller, ApiJson};

pub(super) async fn me(ApiCaller(ctx): ApiCaller) -> Json<MeDto> {
    Json(MeDto::new(&ctx.user, &ctx.actor))
}

pub(super) async fn list_users(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    uri: Uri,
) -> Result<Json<Page<UserDto>>, Failure> {
    let params = Params::read(&uri, &OPD_LIST_PARAMS)?;
    let window = Window::read(&params)?;
    let users = state
        .app
        .list_users(&ctx.actor, opd_filter(&params)?)
        .await?;
    Ok(Json(window.page(&users, |x| UserDto::from(x))))
}

pub(super) async fn get_user(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<UserId>,
) -> Result<Json<UserDto>, Failure> {
    let user = state.app.get_user(&ctx.actor, id).await?;
    Ok(Json(UserDto::from(&user)))
}

pub(super) async fn create_user(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<NewUserBody>,
) -> Result<Response, Failure> {
    let user = state
        .app
        .create_user(&ctx.actor, &NewUserInput::from(body))
        .await?;
    Ok(created(
        format!("{BASE}/users/{}", user.id),
        UserDto::from(&user),
    ))
}

pub(super) async fn update_user(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<UserId>,
    ApiJson(body): ApiJson<UserUpdateBody>,
) -> Result<Json<UserDto>, Failure> {
    let user = state
        .app
        .update_user(&ctx.actor, id, &UserUpdateInput::from(body))
        .await?;
    Ok(Json(UserDto::from(&user)))
}

pub(super) async fn list_delegations(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    uri: Uri,
) -> Result<Json<Page<DelegationDto>>, Failure> {
    let params = Params::read(&uri, &OPD_LIST_PARAMS)?;
    let window = Window::read(&params)?;
    let delegations = state
        .app
        .list_delegations(&ctx.actor, opd_filter(&params)?)
        .await?;
    Ok(Json(window.page(&delegations, |x| DelegationDto::from(x))))
}

/// Records a delegation. There is no single-delegation resource, so `Location` points at the
/// OPD's delegation list, where the new one comes first.
pub(super) async fn create_delegation(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<DelegationBody>,
) -> Result<Response, Failure> {
    let d = state
        .app
        .create_delegation(&ctx.actor, &DelegationInput::from(body))
        .await?;
    let location = format!("{BASE}/delegations?opd={}", d.opd);
    Ok(created(location, DelegationDto::from(&d)))
}

/// Ends a delegation early and answers it as it now stands.
pub(super) async fn revoke_delegation(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<DelegationId>,
) -> Result<Json<DelegationDto>, Failure> {
    state.app.revoke_delegation(&ctx.actor, id).await?;
    let revoked = state
        .app
        .list_delegations(&ctx.actor, None)
        .await?
        .into_iter()
        .find(|d| d.id == id)
        .ok_or(AppError::NotFound("delegation"))?;
    Ok(Json(DelegationDto::from(&revoked)))
}
