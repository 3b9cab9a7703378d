//! `/api/v1/opds` and `/api/v1/accounts`.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use humas_app::org::{AccountInput, OpdInput};
use humas_domain::{AccountId, OpdId};

use super::body::{AccountBody, OpdBody};
use super::dto::{AccountDto, OpdDto};
use super::query::{Page, Params, Window};
use super::{BASE, IdPath, created};
use crate::AppState;
use crate::error::Failure;
use crate::extract::{ApiCaller, ApiJson};

/// The `?opd=` filter of the lists that have one.
pub(super) fn opd_filter(params: &Params) -> Result<Option<OpdId>, Failure> {
    params.parse("opd", "an OPD id")
}

/// The parameters of a list filtered by OPD.
pub(super) const OPD_LIST_PARAMS: [&str; 3] = ["opd", Window::PARAMS[0], Window::PARAMS[1]];

pub(super) async fn list_opds(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    uri: Uri,
) -> Result<Json<Page<OpdDto>>, Failure> {
    let window = Window::read(&Params::read(&uri, &Window::PARAMS)?)?;
    let opds = state.app.list_opds(&ctx.actor).await?;
    Ok(Json(window.page(&opds, |x| OpdDto::from(x))))
}

pub(super) async fn get_opd(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<OpdId>,
) -> Result<Json<OpdDto>, Failure> {
    let opd = state.app.get_opd(&ctx.actor, id).await?;
    Ok(Json(OpdDto::from(&opd)))
}

pub(super) async fn create_opd(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<OpdBody>,
) -> Result<Response, Failure> {
    let opd = state
        .app
        .create_opd(&ctx.actor, &OpdInput::from(body))
        .await?;
    Ok(created(
        format!("{BASE}/opds/{}", opd.id),
        OpdDto::from(&opd),
    ))
}

pub(super) async fn update_opd(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<OpdId>,
    ApiJson(body): ApiJson<OpdBody>,
) -> Result<Json<OpdDto>, Failure> {
    let opd = state
        .app
        .update_opd(&ctx.actor, id, &OpdInput::from(body))
        .await?;
    Ok(Json(OpdDto::from(&opd)))
}

pub(super) async fn list_accounts(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    uri: Uri,
) -> Result<Json<Page<AccountDto>>, Failure> {
    let params = Params::read(&uri, &OPD_LIST_PARAMS)?;
    let window = Window::read(&params)?;
    let accounts = state
        .app
        .list_accounts(&ctx.actor, opd_filter(&params)?)
        .await?;
    Ok(Json(window.page(&accounts, |x| AccountDto::from(x))))
}

pub(super) async fn get_account(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<AccountId>,
) -> Result<Json<AccountDto>, Failure> {
    let account = state.app.get_account(&ctx.actor, id).await?;
    Ok(Json(AccountDto::from(&account)))
}

pub(super) async fn create_account(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    ApiJson(body): ApiJson<AccountBody>,
) -> Result<Response, Failure> {
    let account = state
        .app
        .create_account(&ctx.actor, &AccountInput::from(body))
        .await?;
    let location = format!("{BASE}/accounts/{}", account.id);
    Ok(created(location, AccountDto::from(&account)))
}

pub(super) async fn update_account(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<AccountId>,
    ApiJson(body): ApiJson<AccountBody>,
) -> Result<Json<AccountDto>, Failure> {
    let account = state
        .app
        .update_account(&ctx.actor, id, &AccountInput::from(body))
        .await?;
    Ok(Json(AccountDto::from(&account)))
}

pub(super) async fn delete_account(
    State(state): State<AppState>,
    ApiCaller(ctx): ApiCaller,
    IdPath(id): IdPath<AccountId>,
) -> Result<StatusCode, Failure> {
    state.app.delete_account(&ctx.actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
