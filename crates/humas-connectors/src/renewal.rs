//! Tokens a connector renewed, handed to whoever keeps the account's credentials.
//!
//! Some platforms issue short-lived access tokens and renew them with a refresh token; X
//! (and TikTok) *rotate* the refresh token on every renewal, so the old one stops working
//! at once. A connector that renews therefore hands the new tokens to a [`TokenKeeper`] right
//! after the platform issued them, before it uses them: if they lived only in memory, the next
//! start would hold a refresh token the platform has already invalidated, and the account
//! would silently die.
//!
//! Several processes (`humas serve`, `humas worker`s) may hold a client for the same account.
//! Before renewing, a client asks the keeper for the stored tokens: when another process
//! renewed in the meantime, the stored pair is newer than the client's and is used instead of
//! spending the (now invalid) refresh token.

use std::fmt::Debug;

use async_trait::async_trait;
use jiff::Timestamp;
use secrecy::SecretString;

/// Tokens a renewal issued (or that are stored now).
#[derive(Clone, Debug)]
pub struct RenewedTokens {
    /// The access token. `Debug` prints it redacted.
    pub access_token: SecretString,
    /// The refresh token to use next time; `None` when the platform did not send one (the old
    /// one stays valid then).
    pub refresh_token: Option<SecretString>,
    /// When the access token stops working, when the platform said.
    pub expires_at: Option<Timestamp>,
    /// When the refresh token stops working, when the platform said.
    pub refresh_expires_at: Option<Timestamp>,
}

/// Where a connector keeps the tokens it renews (the server stores them sealed with the
/// account).
#[async_trait]
pub trait TokenKeeper: Send + Sync + Debug {
    /// Stores tokens a renewal just issued; `replaced` is the refresh token the renewal spent
    /// (so a keeper can tell whether someone stored newer tokens meanwhile).
    ///
    /// # Errors
    /// Why they could not be stored; the connector keeps them and tries again on its next
    /// call.
    async fn save(
        &self,
        tokens: &RenewedTokens,
        replaced: Option<&SecretString>,
    ) -> Result<(), String>;

    /// The tokens stored now, when any (they may be newer than the client's own).
    async fn stored(&self) -> Option<RenewedTokens>;
}

/// Seconds from now as a time, when the platform gave a lifetime.
#[must_use]
pub fn expiry(now: Timestamp, seconds: Option<u64>) -> Option<Timestamp> {
    let secs = i64::try_from(seconds?).ok()?;
    now.checked_add(jiff::SignedDuration::from_secs(secs)).ok()
}
