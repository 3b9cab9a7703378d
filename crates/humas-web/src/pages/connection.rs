//! Connecting an official account to its platform: which credentials are stored (never their
//! values), and a form to enter or clear them. Secrets are sealed at rest by the application.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use axum::routing::{get, post};
use humas_app::AppError;
use humas_app::inbox::CredentialsSummary;
use humas_app::oauth::{TokenHealth, token_health};
use humas_app::sealed::Credentials;
use humas_connectors::signed;
use humas_domain::{AccountId, Platform};
use serde::Deserialize;

use crate::AppState;
use crate::error::PageFailure;
use crate::extract::{FormBody, Signed, query_params};
use crate::pages::{Layout, done, fail, form_error, layout, opd_name, render};
use crate::routes::Routes;

pub(crate) fn routes(r: Routes) -> Routes {
    r.add("GET", "/accounts/{id}/connection", get(show)).add(
        "POST",
        "/accounts/{id}/connection",
        post(save),
    )
}

/// The longest value a field accepts; real tokens are far shorter.
const MAX_FIELD_CHARS: usize = 8192;

/// One stored credential: its label, whether it is set, and the value only when it is not
/// secret.
struct Stored {
    label: String,
    set: bool,
    shown: String,
}

#[derive(Template)]
#[template(path = "account_connection.html")]
struct ConnectionPage {
    l: Layout,
    id: String,
    opd: String,
    opd_id: String,
    platform: String,
    handle: String,
    api_base: String,
    /// Which fields this platform needs, in the reader's language.
    needs: String,
    /// Polling is not built for this platform yet.
    not_polled: bool,
    stored: Vec<Stored>,
    webhook_path: String,
    timestamp_header: &'static str,
    signature_header: &'static str,
    /// An OAuth client is configured for this platform: offer the consent page.
    oauth: bool,
    /// Token health, translated; `health_class` is `active`, `warn` or `danger`.
    health: String,
    health_class: &'static str,
}

fn health_of(
    l: &Layout,
    summary: &CredentialsSummary,
    now: jiff::Timestamp,
) -> (String, &'static str) {
    match token_health(summary, now) {
        TokenHealth::Healthy => (l.t("connection-health-ok"), "active"),
        TokenHealth::Missing => (l.t("connection-health-missing"), "warn"),
        TokenHealth::Expired => (l.t("connection-health-expired"), "danger"),
        TokenHealth::ExpiresSoon { hours_left } => (
            l.tr.t1("connection-health-soon", "hours", &hours_left.to_string()),
            "warn",
        ),
    }
}

fn needs_key(p: Platform) -> &'static str {
    match p {
        Platform::Facebook | Platform::Instagram => "connection-needs-meta",
        Platform::X => "connection-needs-x",
        Platform::Mastodon => "connection-needs-mastodon",
        Platform::Bluesky => "connection-needs-bluesky",
        Platform::Rss => "connection-needs-rss",
        Platform::Tiktok => "connection-needs-tiktok",
        Platform::Telegram => "connection-needs-telegram",
        Platform::Youtube => "connection-needs-later",
    }
}

fn stored_rows(l: &Layout, c: &CredentialsSummary) -> Vec<Stored> {
    let secret = |key: &str, set: bool| Stored {
        label: l.t(key),
        set,
        shown: String::new(),
    };
    let open = |key: &str, v: &Option<String>| Stored {
        label: l.t(key),
        set: v.is_some(),
        shown: v.clone().unwrap_or_default(),
    };
    vec![
        secret("connection-access-token", c.access_token),
        secret("connection-refresh-token", c.refresh_token),
        open("connection-platform-user-id", &c.platform_user_id),
        open("connection-identifier", &c.identifier),
        secret("connection-password", c.password),
        secret("connection-webhook-secret", c.webhook_secret),
    ]
}

fn parse_account_id(raw: &str, s: &Signed) -> Result<AccountId, PageFailure> {
    raw.parse()
        .map_err(|_| fail(s.tr)(AppError::NotFound("account")))
}

async fn page(
    state: &AppState,
    s: &Signed,
    id: AccountId,
    uri: Option<&Uri>,
    error: Option<(StatusCode, String)>,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let account = state.app.get_account(&s.ctx.actor, id).await.map_err(&f)?;
    let summary = state
        .app
        .credentials_summary(&s.ctx.actor, id)
        .await
        .map_err(&f)?;
    let opds = state.app.list_opds(&s.ctx.actor).await.map_err(&f)?;
    let mut l = layout(state, s, "accounts", "connection-title");
    let status = l.show_outcome(uri, error);
    if uri.is_some_and(|u| query_params(u).get("ok").is_some_and(|k| k == "connected")) {
        l.notice = Some(l.t("connection-notice-saved"));
    }
    let health = health_of(&l, &summary, state.app.clock().now());
    let page = ConnectionPage {
        id: id.to_string(),
        opd: opd_name(&opds, Some(account.opd)),
        opd_id: account.opd.to_string(),
        platform: l.t(&format!("platform-{}", account.platform.as_str())),
        handle: account.handle.to_string(),
        api_base: account.effective_api_base().to_owned(),
        needs: l.t(needs_key(account.platform)),
        not_polled: matches!(
            account.platform,
            Platform::Youtube | Platform::Tiktok | Platform::Telegram
        ),
        stored: stored_rows(&l, &summary),
        webhook_path: format!("/webhooks/ingest/{id}"),
        timestamp_header: signed::TIMESTAMP_HEADER,
        signature_header: signed::SIGNATURE_HEADER,
        oauth: state.app.oauth_supported(account.platform),
        health: health.0,
        health_class: health.1,
        l,
    };
    Ok(render(status, &page, s.tr))
}

async fn show(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    uri: Uri,
) -> Result<Response, PageFailure> {
    let id = parse_account_id(&id, &s)?;
    page(&state, &s, id, Some(&uri), None).await
}

/// Every field is optional: empty keeps what is stored, `-` clears it.
#[derive(Deserialize)]
struct ConnectionForm {
    #[serde(default)]
    access_token: String,
    #[serde(default)]
    refresh_token: String,
    #[serde(default)]
    platform_user_id: String,
    #[serde(default)]
    identifier: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    webhook_secret: String,
}

impl ConnectionForm {
    fn too_long(&self) -> bool {
        [
            &self.access_token,
            &self.refresh_token,
            &self.platform_user_id,
            &self.identifier,
            &self.password,
            &self.webhook_secret,
        ]
        .iter()
        .any(|v| v.chars().count() > MAX_FIELD_CHARS)
    }

    fn into_credentials(self) -> Credentials {
        Credentials {
            access_token: Some(self.access_token),
            refresh_token: Some(self.refresh_token),
            platform_user_id: Some(self.platform_user_id),
            identifier: Some(self.identifier),
            password: Some(self.password),
            webhook_secret: Some(self.webhook_secret),
            ..Credentials::default()
        }
    }
}

async fn save(
    State(state): State<AppState>,
    s: Signed,
    Path(id): Path<String>,
    FormBody(form): FormBody<ConnectionForm>,
) -> Result<Response, PageFailure> {
    let f = fail(s.tr);
    let id = parse_account_id(&id, &s)?;
    // Seeing the account comes first, so another OPD's account answers like elsewhere.
    state.app.get_account(&s.ctx.actor, id).await.map_err(&f)?;
    if form.too_long() {
        let msg = s.tr.t("connection-too-long");
        return page(
            &state,
            &s,
            id,
            None,
            Some((StatusCode::UNPROCESSABLE_ENTITY, msg)),
        )
        .await;
    }
    match state
        .app
        .set_account_credentials(&s.ctx.actor, id, form.into_credentials())
        .await
    {
        Ok(_) => Ok(done(&format!("/accounts/{id}/connection"), "connected")),
        Err(e @ (AppError::Forbidden | AppError::NotFound(_))) => Err(f(e)),
        Err(e) => page(&state, &s, id, None, Some(form_error(e, s.tr))).await,
    }
}
