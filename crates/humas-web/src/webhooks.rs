//! Inbound webhooks: the generic signed webhook of any source, and Meta's (Facebook Page and
//! Instagram) subscription handshake and deliveries.
//!
//! A webhook is acknowledged (2xx) only after its messages are stored, so a source that got a
//! 2xx never has to send again, and a source that got anything else may send again safely:
//! deduplication by platform id stores a message once. Signatures are checked before the body
//! is parsed; a refused request says why in one line.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use humas_connectors::{meta, signed};
use humas_domain::{AccountId, AccountStatus, Platform};
use humas_store::AuditActor;
use serde::Deserialize;

use crate::AppState;
use crate::routes::Routes;

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("POST", "/webhooks/ingest/{account}", post(signed_delivery))
        .add("GET", "/webhooks/meta", get(meta_handshake))
        .add("POST", "/webhooks/meta", post(meta_delivery))
}

fn refuse(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        axum::Json(serde_json::json!({ "error": code, "message": message })),
    )
        .into_response()
}

fn header<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `POST /webhooks/ingest/{account}`: a source signs `<timestamp>.<body>` with the account's
/// webhook secret (see `humas_connectors::signed`).
async fn signed_delivery(
    State(state): State<AppState>,
    Path(account): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // Unknown account, no secret, bad signature: one answer, so the endpoint does not reveal
    // which accounts exist.
    let unauthorised = || {
        refuse(
            StatusCode::UNAUTHORIZED,
            "bad_signature",
            "the signature does not verify for this address: sign \"<timestamp>.<body>\" with the account's webhook secret",
        )
    };
    let Ok(id) = account.trim().parse::<AccountId>() else {
        return unauthorised();
    };
    let app = &state.app;
    let Ok(account) = app.store().get_account(id).await else {
        return unauthorised();
    };
    let secret = match app.account_credentials(id).await {
        Ok(Some(c)) => c.webhook_secret,
        Ok(None) => None,
        Err(e) => {
            tracing::warn!(account = %id, error = %e, "webhook: credentials unreadable");
            None
        }
    };
    let Some(secret) = secret else {
        return unauthorised();
    };
    let now = app.clock().now();
    if let Err(e) = signed::verify(
        secret.as_bytes(),
        header(&headers, signed::TIMESTAMP_HEADER),
        header(&headers, signed::SIGNATURE_HEADER),
        &body,
        now,
    ) {
        tracing::info!(account = %id, error = %e, "webhook refused");
        return refuse(StatusCode::UNAUTHORIZED, "bad_signature", &e.to_string());
    }
    if account.status == AccountStatus::Paused {
        return refuse(
            StatusCode::CONFLICT,
            "account_paused",
            "the account is paused in Humas; messages are not accepted until it is active again",
        );
    }
    let (messages, rejected) = match signed::parse(&body, account.platform, now) {
        Ok(parsed) => parsed,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, "bad_payload", &e.to_string()),
    };
    match app
        .ingest(&AuditActor::system(), &account, messages, None)
        .await
    {
        Ok(report) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({
                "accepted": report.inserted.len(),
                "duplicates": report.duplicates,
                "rejected": rejected.iter().map(|r| serde_json::json!({
                    "id": r.external_id, "reason": r.reason
                })).collect::<Vec<_>>(),
            })),
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(account = %id, error = %e, "webhook: storing failed");
            refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "try_again",
                "the messages could not be stored; send them again later",
            )
        }
    }
}

#[derive(Deserialize)]
struct Handshake {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

/// `GET /webhooks/meta`: Meta's subscription handshake.
async fn meta_handshake(State(state): State<AppState>, Query(q): Query<Handshake>) -> Response {
    let expected = state
        .settings
        .meta_verify_token
        .as_deref()
        .unwrap_or_default();
    match meta::handshake(
        q.mode.as_deref(),
        q.verify_token.as_deref(),
        q.challenge.as_deref(),
        expected,
    ) {
        Ok(challenge) => (StatusCode::OK, challenge).into_response(),
        Err(e) => refuse(StatusCode::FORBIDDEN, "handshake_refused", &e.to_string()),
    }
}

/// `POST /webhooks/meta`: comments and mentions for every connected Page and Instagram account.
async fn meta_delivery(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(app_secret) = state.settings.meta_app_secret.as_deref() else {
        // Nothing can verify without the secret: refused like a bad signature.
        return refuse(
            StatusCode::UNAUTHORIZED,
            "not_configured",
            "Meta webhooks are not configured on this server: set HUMAS_META_APP_SECRET",
        );
    };
    if let Err(e) = meta::verify_signature(
        app_secret.as_bytes(),
        &body,
        header(&headers, "x-hub-signature-256"),
    ) {
        tracing::info!(error = %e, "Meta webhook refused");
        return refuse(StatusCode::UNAUTHORIZED, "bad_signature", &e.to_string());
    }
    let app = &state.app;
    let batch = meta::parse_webhook(&body, app.clock().now());
    for r in &batch.rejected {
        tracing::info!(id = ?r.external_id, reason = %r.reason, "Meta webhook item rejected");
    }
    let accounts = match meta_accounts(&state).await {
        Ok(a) => a,
        Err(e) => {
            tracing::warn!(error = %e, "Meta webhook: cannot list accounts");
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "try_again",
                "send again later",
            );
        }
    };
    let mut by_entry: Vec<(String, Vec<humas_domain::inbox::Inbound>)> = Vec::new();
    for (message, entry_id) in batch.messages.into_iter().zip(batch.entry_ids) {
        match by_entry.iter_mut().find(|(id, _)| *id == entry_id) {
            Some((_, list)) => list.push(message),
            None => by_entry.push((entry_id, vec![message])),
        }
    }
    for (object_id, messages) in by_entry {
        let Some(account) = accounts
            .iter()
            .find(|(id, a)| *id == object_id && messages.iter().all(|m| m.platform == a.platform))
            .map(|(_, a)| a)
        else {
            tracing::info!(
                object_id,
                count = messages.len(),
                "Meta webhook for an account Humas does not know; ignored"
            );
            continue;
        };
        if let Err(e) = app
            .ingest(&AuditActor::system(), account, messages, None)
            .await
        {
            tracing::warn!(error = %e, "Meta webhook: storing failed");
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                "try_again",
                "send again later",
            );
        }
    }
    StatusCode::OK.into_response()
}

/// Connected Facebook and Instagram accounts with their platform ids.
async fn meta_accounts(
    state: &AppState,
) -> Result<Vec<(String, humas_domain::Account)>, humas_app::AppError> {
    let mut out = Vec::new();
    for a in state.app.store().list_accounts(None).await? {
        if !matches!(a.platform, Platform::Facebook | Platform::Instagram)
            || a.status == AccountStatus::Paused
        {
            continue;
        }
        if let Ok(Some(c)) = state.app.account_credentials(a.id).await
            && let Some(id) = c.platform_user_id
        {
            out.push((id, a));
        }
    }
    Ok(out)
}
