//! Connecting an account with the platform's OAuth 2.0 authorisation-code flow: Humas sends the
//! person to the platform's consent page and handles the redirect back, so nobody copies tokens
//! by hand. The server wires the real protocol (`humas-connectors::oauth`) behind
//! [`OAuthGateway`]; this module decides who may connect what and keeps the result sealed.
//!
//! Token health: [`token_health`] tells the account pages whether a token is fine, dies soon
//! (a warning a week ahead by default) or is dead.

use async_trait::async_trait;
use base64::Engine as _;
use humas_domain::{Account, AccountId, Actor, Platform};
use jiff::{SignedDuration, Timestamp};

use crate::inbox::CredentialsSummary;
use crate::sealed::Credentials;
use crate::{App, AppError, AppResult};

/// What a successful code exchange gives.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenGrant {
    /// The access token.
    pub access_token: String,
    /// The refresh token, when the platform issues one.
    pub refresh_token: Option<String>,
    /// When the access token dies.
    pub expires_at: Option<Timestamp>,
    /// When the refresh token dies.
    pub refresh_expires_at: Option<Timestamp>,
    /// The account's id on the platform, when the exchange tells it (TikTok `open_id`).
    pub platform_user_id: Option<String>,
}

impl std::fmt::Debug for TokenGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenGrant")
            .field("expires_at", &self.expires_at)
            .field("platform_user_id", &self.platform_user_id)
            .finish_non_exhaustive()
    }
}

/// The platforms' OAuth endpoints, as the server configures them.
#[async_trait]
pub trait OAuthGateway: Send + Sync {
    /// Whether an OAuth client is configured for this platform.
    fn supports(&self, platform: Platform) -> bool;
    /// The consent page address for `account`.
    ///
    /// # Errors
    /// Why no address can be made (no client configured, bad redirect address).
    fn authorize_url(
        &self,
        account: &Account,
        redirect_uri: &str,
        state: &str,
        verifier: &str,
    ) -> Result<String, String>;
    /// Exchanges the code the platform returned.
    ///
    /// # Errors
    /// The platform's reason.
    async fn exchange(
        &self,
        account: &Account,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> Result<TokenGrant, String>;
}

/// The start of a connection: where to send the browser, and what to keep (in a sealed,
/// short-lived cookie) until it comes back.
#[derive(Clone, PartialEq, Eq)]
pub struct OAuthStart {
    /// The consent page.
    pub url: String,
    /// The `state` value the callback must bring back.
    pub state: String,
    /// The PKCE verifier (secret until the exchange).
    pub verifier: String,
}

impl std::fmt::Debug for OAuthStart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthStart")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// Whether a token still works.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenHealth {
    /// Works, and will for longer than the warning period (or never expires).
    Healthy,
    /// Dies within the warning period.
    ExpiresSoon {
        /// Hours left (at least 0).
        hours_left: i64,
    },
    /// Dead: someone must reconnect the account.
    Expired,
    /// No token stored.
    Missing,
}

/// How long before a token dies the account pages warn.
pub const WARN_BEFORE: SignedDuration = SignedDuration::from_hours(24 * 7);

/// The health of an account's credentials at `now`: the refresh token's life counts when there
/// is one (Humas renews the access token with it), else the access token's.
#[must_use]
pub fn token_health(summary: &CredentialsSummary, now: Timestamp) -> TokenHealth {
    if !summary.access_token {
        return TokenHealth::Missing;
    }
    let dies = if summary.refresh_token {
        summary.refresh_expires_at
    } else {
        summary.expires_at
    };
    match dies {
        None => TokenHealth::Healthy,
        Some(at) if at <= now => TokenHealth::Expired,
        Some(at) if at - WARN_BEFORE <= now => TokenHealth::ExpiresSoon {
            hours_left: now.duration_until(at).as_hours().max(0),
        },
        Some(_) => TokenHealth::Healthy,
    }
}

fn random_token(bytes: usize) -> String {
    let raw: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

impl App {
    /// Whether accounts on `platform` can be connected with OAuth here.
    #[must_use]
    pub fn oauth_supported(&self, platform: Platform) -> bool {
        self.oauth.as_ref().is_some_and(|g| g.supports(platform))
    }

    /// Starts connecting `account`: a fresh state and PKCE verifier and the consent address.
    ///
    /// # Errors
    /// `Forbidden` unless the actor manages the account's OPD; `Refused("oauth_unavailable")`
    /// when no OAuth client is configured for the platform.
    pub async fn oauth_start(
        &self,
        actor: &Actor,
        account: AccountId,
        redirect_uri: &str,
    ) -> AppResult<OAuthStart> {
        let a = self.store.get_account(account).await?;
        if !actor.can_manage_accounts_of(a.opd) {
            return Err(AppError::Forbidden);
        }
        let gateway = self.oauth_for(a.platform)?;
        let state = random_token(24);
        // 32 random bytes make a 43-character verifier, the shortest RFC 7636 allows.
        let verifier = random_token(32);
        let url = gateway
            .authorize_url(&a, redirect_uri, &state, &verifier)
            .map_err(|reason| AppError::Refused {
                code: "oauth_unavailable",
                message: reason,
            })?;
        Ok(OAuthStart {
            url,
            state,
            verifier,
        })
    }

    /// Finishes connecting `account` with the code the platform sent back: the tokens are
    /// sealed and stored (audited without them), replacing the old ones.
    ///
    /// # Errors
    /// `Forbidden`; `Platform` with the platform's reason when the exchange fails.
    pub async fn oauth_finish(
        &self,
        actor: &Actor,
        account: AccountId,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> AppResult<CredentialsSummary> {
        let a = self.store.get_account(account).await?;
        if !actor.can_manage_accounts_of(a.opd) {
            return Err(AppError::Forbidden);
        }
        let gateway = self.oauth_for(a.platform)?;
        let grant = gateway
            .exchange(&a, code, redirect_uri, verifier)
            .await
            .map_err(AppError::Platform)?;
        let given = Credentials {
            access_token: Some(grant.access_token),
            // "-" clears a refresh token the platform no longer issues.
            refresh_token: Some(grant.refresh_token.unwrap_or_else(|| "-".to_owned())),
            platform_user_id: grant.platform_user_id,
            expires_at: grant.expires_at,
            refresh_expires_at: grant.refresh_expires_at,
            ..Credentials::default()
        };
        self.set_account_credentials(actor, account, given).await
    }

    fn oauth_for(&self, platform: Platform) -> AppResult<&std::sync::Arc<dyn OAuthGateway>> {
        match &self.oauth {
            Some(g) if g.supports(platform) => Ok(g),
            _ => Err(AppError::Refused {
                code: "oauth_unavailable",
                message: format!(
                    "no OAuth client is configured for {platform}; ask the administrator to add one (oauth_clients_file), or paste a token"
                ),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(
        refresh: bool,
        expires: Option<Timestamp>,
        refresh_expires: Option<Timestamp>,
    ) -> CredentialsSummary {
        CredentialsSummary {
            access_token: true,
            refresh_token: refresh,
            expires_at: expires,
            refresh_expires_at: refresh_expires,
            ..CredentialsSummary::default()
        }
    }

    #[test]
    fn health_warns_a_week_ahead_and_follows_the_refresh_token() {
        let now: Timestamp = "2026-11-28T00:00:00Z".parse().unwrap();
        let days = |d: i64| now + SignedDuration::from_hours(24 * d);
        assert_eq!(
            token_health(&CredentialsSummary::default(), now),
            TokenHealth::Missing
        );
        assert_eq!(
            token_health(&summary(false, None, None), now),
            TokenHealth::Healthy
        );
        assert_eq!(
            token_health(&summary(false, Some(days(30)), None), now),
            TokenHealth::Healthy
        );
        assert_eq!(
            token_health(&summary(false, Some(days(2)), None), now),
            TokenHealth::ExpiresSoon { hours_left: 48 }
        );
        assert_eq!(
            token_health(&summary(false, Some(days(-1)), None), now),
            TokenHealth::Expired
        );
        // A dead access token with a living refresh token is fine: Humas renews it.
        assert_eq!(
            token_health(&summary(true, Some(days(-1)), Some(days(300))), now),
            TokenHealth::Healthy
        );
        assert_eq!(
            token_health(&summary(true, Some(days(1)), Some(days(-1))), now),
            TokenHealth::Expired
        );
        // Boundaries: dead from the instant it expires; exactly a week left still warns.
        let secs = |n: i64| now + SignedDuration::from_secs(n);
        let access_only = |at| token_health(&summary(false, Some(at), None), now);
        assert_eq!(access_only(now), TokenHealth::Expired);
        assert_eq!(
            access_only(secs(1)),
            TokenHealth::ExpiresSoon { hours_left: 0 }
        );
        assert_eq!(
            access_only(secs(7 * 24 * 3600)),
            TokenHealth::ExpiresSoon { hours_left: 168 }
        );
        assert_eq!(access_only(secs(7 * 24 * 3600 + 1)), TokenHealth::Healthy);
    }

    #[test]
    fn verifiers_are_long_enough_and_url_safe() {
        let v = random_token(32);
        assert_eq!(v.len(), 43);
        assert!(
            v.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_ne!(v, random_token(32));
    }
}
