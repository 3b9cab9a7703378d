//! Connecting an account: its platform credentials, sealed at rest (see [`crate::sealed`]),
//! and the tokens Humas renews by itself ([`App::store_renewed_tokens`]).

use humas_domain::{AccountId, AccountStatus, Actor};
use humas_store::AuditActor;

use crate::sealed::Credentials;
use crate::{App, AppError, AppResult, audit_actor};

/// Tokens a platform issued when Humas renewed an account's access with its refresh token (no
/// person involved). `Debug` never shows them.
#[derive(Clone, PartialEq, Eq)]
pub struct RenewedCredentials {
    /// The new access token.
    pub access_token: String,
    /// The new refresh token; `None` keeps the stored one (the platform did not rotate it).
    pub refresh_token: Option<String>,
    /// When the new access token dies, when the platform said.
    pub expires_at: Option<jiff::Timestamp>,
    /// When the refresh token dies; `None` keeps what is stored.
    pub refresh_expires_at: Option<jiff::Timestamp>,
}

impl std::fmt::Debug for RenewedCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RenewedCredentials")
            .field("rotated", &self.refresh_token.is_some())
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// What [`App::store_renewed_tokens`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Renewal {
    /// The renewed tokens replace the stored ones.
    Stored,
    /// The stored refresh token is not the one the renewal spent: a person reconnected the
    /// account, or another process stored newer tokens meanwhile. Nothing was overwritten.
    Superseded,
}

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

    /// Stores tokens Humas renewed by itself with the account's refresh token, over the stored
    /// ones (platform id, webhook secret and the rest are kept). Audited as a change by the
    /// system; the audit entry says that the credentials changed, never what they are.
    /// `replaced` is the refresh token the renewal spent: when the stored one is another, the
    /// stored tokens are newer and stay ([`Renewal::Superseded`]). An account marked
    /// `token_expired` comes back into use: its tokens work again.
    ///
    /// # Errors
    /// `NotFound`; storage errors.
    pub async fn store_renewed_tokens(
        &self,
        account: AccountId,
        renewed: RenewedCredentials,
        replaced: Option<&str>,
    ) -> AppResult<Renewal> {
        let a = self.store.get_account(account).await?;
        let old = self.account_credentials(account).await?.unwrap_or_default();
        if let Some(spent) = replaced
            && old.refresh_token.as_deref().is_some_and(|r| r != spent)
        {
            return Ok(Renewal::Superseded);
        }
        let merged = Credentials {
            access_token: Some(renewed.access_token),
            refresh_token: renewed.refresh_token.or(old.refresh_token),
            expires_at: renewed.expires_at,
            refresh_expires_at: renewed.refresh_expires_at.or(old.refresh_expires_at),
            ..old
        };
        let by = AuditActor::system();
        self.store
            .put_account_credentials(&by, account, &merged.seal(&self.sealer, account))
            .await?;
        if a.status == AccountStatus::TokenExpired {
            let active = humas_domain::Account {
                status: AccountStatus::Active,
                ..a
            };
            self.store.update_account(&by, &active).await?;
        }
        Ok(Renewal::Stored)
    }

    /// Marks an account whose renewed tokens could not be stored: the stored refresh token is
    /// spent, so the account dies at the next restart. `token_expired` makes the account pages
    /// say someone must reconnect it (audited as a change by the system); storing renewed
    /// tokens later brings it back.
    ///
    /// # Errors
    /// `NotFound`; storage errors.
    pub async fn mark_renewal_unsaved(&self, account: AccountId) -> AppResult<()> {
        let a = self.store.get_account(account).await?;
        if a.status != AccountStatus::Active {
            return Ok(());
        }
        let expired = humas_domain::Account {
            status: AccountStatus::TokenExpired,
            ..a
        };
        self.store
            .update_account(&AuditActor::system(), &expired)
            .await?;
        Ok(())
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
