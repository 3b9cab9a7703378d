//! The JSON API under `/api/v1`.
//!
//! Every route except `/api/v1/openapi.json` authenticates with `Authorization: Bearer <token>`
//! ([`ApiCaller`](crate::extract::ApiCaller)); request bodies are JSON
//! ([`ApiJson`](crate::extract::ApiJson)) and every failure is
//! `{"error": {"code", "message"}}` with a code from [`crate::error::ALL_CODES`].
//!
//! Handlers only translate: query strings and bodies ([`query`], [`body`]) into the inputs of
//! the `humas_app` use cases, and their results into the wire shapes of [`dto`]. They never
//! decide who may do what; the application does.
//!
//! Lists answer `{"items": [...], "next_cursor": ...}`; pass `next_cursor` back as `?cursor=`
//! until it is `null`.
//!
//! **Invariant:** `/api/v1/openapi.json` ([`openapi`]) describes exactly the routes registered
//! here; a unit test compares it with [`crate::route_table`].

mod audit;
mod body;
mod calendar;
mod dto;
pub(crate) mod events;
pub(crate) mod import;
pub(crate) mod inbox;
mod narratives;
mod openapi;
mod org;
mod people;
pub(crate) mod posts;
mod query;

use std::str::FromStr;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use serde::Serialize;

use crate::AppState;
use crate::error::Failure;
use crate::routes::Routes;

/// Where the API lives; used for `Location` headers.
const BASE: &str = "/api/v1";

pub(crate) fn routes(r: Routes) -> Routes {
    let r = r
        .add("GET", "/api/v1/openapi.json", get(openapi::serve))
        .add("GET", "/api/v1/me", get(people::me));
    let r = org_routes(r);
    let r = people_routes(r);
    let r = inbox::routes(r);
    let r = events::routes(r);
    let r = import::routes(r);
    let r = posts::routes(r);
    let r = narratives::routes(calendar::routes(r));
    r.add("GET", "/api/v1/audit", get(audit::query))
}

fn org_routes(r: Routes) -> Routes {
    r.add("GET", "/api/v1/opds", get(org::list_opds))
        .add("POST", "/api/v1/opds", post(org::create_opd))
        .add("GET", "/api/v1/opds/{id}", get(org::get_opd))
        .add("PUT", "/api/v1/opds/{id}", put(org::update_opd))
        .add("GET", "/api/v1/accounts", get(org::list_accounts))
        .add("POST", "/api/v1/accounts", post(org::create_account))
        .add("GET", "/api/v1/accounts/{id}", get(org::get_account))
        .add("PUT", "/api/v1/accounts/{id}", put(org::update_account))
        .add(
            "DELETE",
            "/api/v1/accounts/{id}",
            delete(org::delete_account),
        )
}

fn people_routes(r: Routes) -> Routes {
    r.add("GET", "/api/v1/users", get(people::list_users))
        .add("POST", "/api/v1/users", post(people::create_user))
        .add("GET", "/api/v1/users/{id}", get(people::get_user))
        .add("PUT", "/api/v1/users/{id}", put(people::update_user))
        .add("GET", "/api/v1/delegations", get(people::list_delegations))
        .add(
            "POST",
            "/api/v1/delegations",
            post(people::create_delegation),
        )
        .add(
            "POST",
            "/api/v1/delegations/{id}/revoke",
            post(people::revoke_delegation),
        )
}

/// An identifier from the `{id}` path segment. Text that is not an identifier names nothing,
/// so it answers 404 `not_found` as JSON instead of the framework's plain-text rejection.
pub(crate) struct IdPath<T>(pub T);

impl<T: FromStr + Send> FromRequestParts<AppState> for IdPath<T> {
    type Rejection = Failure;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Failure> {
        let raw = Path::<String>::from_request_parts(parts, state).await;
        raw.ok()
            .and_then(|Path(raw)| raw.parse().ok())
            .map(Self)
            .ok_or_else(|| nothing_at(parts.uri.path()))
    }
}

fn nothing_at(path: &str) -> Failure {
    Failure::new(
        StatusCode::NOT_FOUND,
        "not_found",
        format!("nothing at {path}"),
    )
}

/// 201 Created with the new resource and where it lives.
pub(crate) fn created<T: Serialize>(location: String, body: T) -> Response {
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        axum::Json(body),
    )
        .into_response()
}
