//! Connecting an account: its platform credentials, sealed at rest (see [`crate::sealed`]).

use humas_domain::{AccountId, Actor};

use crate::sealed::Credentials;
use crate::{App, AppError, AppResult, audit_actor};

/// Which credential fields an account has, for pages that must never show the values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CredentialsSummary {
    /// An access token is stored.
    pub access_token: bool,
    /// A refresh token is stored.
    pub refresh_token: bool,
    /// The platform's id of the account (shown: it is not secret).
    pub platform_user_id: Option<String>,
    /// Login identifier (shown: not secret).
    pub identifier: Option<String>,
    /// A password is stored.
    pub password: bool,
    /// A webhook secret is stored.
    pub webhook_secret: bool,
    /// When the access token stops working, when known.
    pub expires_at: Option<jiff::Timestamp>,
    /// When the refresh token stops working, when known.
    pub refresh_expires_at: Option<jiff::Timestamp>,
}

fn keep_or_replace(old: Option<String>, new: Option<String>) -> Option<String> {
    match new.map(|v| v.trim().to_owned()) {
        Some(v) if v == "-" => None,
        Some(v) if !v.is_empty() => Some(v),
        _ => old,
    }
}

impl App {
    /// An account's credentials, opened. For the server's connectors and webhooks only: never
    /// hand the result to a page.
    ///
    /// # Errors
    /// Storage errors; `Internal` when the stored blob does not open (server secret changed).
    pub async fn account_credentials(&self, account: AccountId) -> AppResult<Option<Credentials>> {
        let Some(sealed) = self.store.account_credentials(account).await? else {
            return Ok(None);
        };
        Credentials::open(&self.sealer, account, &sealed)
            .map(Some)
            .map_err(|e| AppError::Internal(e.to_string()))
    }

    /// Stores credentials for an account: a field left empty keeps its stored value, `-` clears
    /// it. The province or the OPD's approver.
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`.
    pub async fn set_account_credentials(
        &self,
        actor: &Actor,
        account: AccountId,
        given: Credentials,
    ) -> AppResult<CredentialsSummary> {
        let a = self.store.get_account(account).await?;
        if !actor.can_manage_accounts_of(a.opd) {
            return Err(AppError::Forbidden);
        }
        // A blob that no longer opens (new server secret) is replaced, not merged.
        let old = self
            .account_credentials(account)
            .await
            .ok()
            .flatten()
            .unwrap_or_default();
        // A new access token brings its own expiry (unknown when pasted by hand).
        let token_replaced = given
            .access_token
            .as_deref()
            .is_some_and(|t| !t.trim().is_empty());
        let (expires_at, refresh_expires_at) = if token_replaced {
            (given.expires_at, given.refresh_expires_at)
        } else {
            (old.expires_at, old.refresh_expires_at)
        };
        let merged = Credentials {
            expires_at,
            refresh_expires_at,
            access_token: keep_or_replace(old.access_token, given.access_token),
            refresh_token: keep_or_replace(old.refresh_token, given.refresh_token),
            platform_user_id: keep_or_replace(old.platform_user_id, given.platform_user_id),
            identifier: keep_or_replace(old.identifier, given.identifier),
            password: keep_or_replace(old.password, given.password),
            webhook_secret: keep_or_replace(old.webhook_secret, given.webhook_secret),
        };
        let sealed = merged.seal(&self.sealer, account);
        self.store
            .put_account_credentials(&audit_actor(actor), account, &sealed)
            .await?;
        // A fresh token brings an account whose token had died back into use.
        if token_replaced && a.status == humas_domain::AccountStatus::TokenExpired {
            let active = humas_domain::Account {
                status: humas_domain::AccountStatus::Active,
                ..a
            };
            self.store
                .update_account(&audit_actor(actor), &active)
                .await?;
        }
        Ok(summary(&merged))
    }

    /// Which credentials an account has.
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`.
    pub async fn credentials_summary(
        &self,
        actor: &Actor,
        account: AccountId,
    ) -> AppResult<CredentialsSummary> {
        let a = self.store.get_account(account).await?;
        if !actor.can_manage_accounts_of(a.opd) {
            return Err(AppError::Forbidden);
        }
        Ok(self
            .account_credentials(account)
            .await?
            .as_ref()
            .map(summary)
            .unwrap_or_default())
    }
}

fn summary(c: &Credentials) -> CredentialsSummary {
    CredentialsSummary {
        access_token: c.access_token.is_some(),
        refresh_token: c.refresh_token.is_some(),
        platform_user_id: c.platform_user_id.clone(),
        identifier: c.identifier.clone(),
        password: c.password.is_some(),
        webhook_secret: c.webhook_secret.is_some(),
        expires_at: c.expires_at,
        refresh_expires_at: c.refresh_expires_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_keeps_dash_clears_text_replaces() {
        assert_eq!(keep_or_replace(Some("a".into()), None), Some("a".into()));
        assert_eq!(
            keep_or_replace(Some("a".into()), Some("  ".into())),
            Some("a".into())
        );
        assert_eq!(keep_or_replace(Some("a".into()), Some("-".into())), None);
        assert_eq!(
            keep_or_replace(Some("a".into()), Some(" b ".into())),
            Some("b".into())
        );
    }
}
