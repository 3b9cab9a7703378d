//! Secrets at rest: platform tokens and webhook secrets are sealed with AES-256-GCM under a key
//! derived from the server secret before they reach the database.
//!
//! The account id is the associated data, so a sealed blob copied onto another account's row
//! does not open. A blob starts with a version byte, then the 12-byte random nonce, then the
//! ciphertext with its tag. Version 2 is AES-256-GCM; version 1 (ChaCha20-Poly1305, written by
//! earlier releases) still opens, and is replaced by version 2 the next time the account's
//! credentials are saved. A leaked database alone reveals no token; the server secret file
//! (`<data_dir>/secret.key`) is needed too, so it is backed up separately.

use aes_gcm::Aes256Gcm;
use chacha20poly1305::ChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use hmac::{Hmac, Mac};
use humas_domain::AccountId;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

/// AES-256-GCM, written now.
const VERSION: u8 = 2;
/// ChaCha20-Poly1305, written by earlier releases; read only.
const VERSION_CHACHA: u8 = 1;
const NONCE_LEN: usize = 12;

/// Why a sealed value could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    /// Not produced by this version of Humas, or cut short.
    #[error("the stored credentials are damaged or from an unknown format")]
    Format,
    /// The tag does not match: another server secret, another account, or tampering.
    #[error(
        "the stored credentials cannot be decrypted: the server secret (secret.key) changed, or the row was altered; reconnect the account"
    )]
    Key,
    /// The plaintext is not the credentials JSON.
    #[error("the stored credentials are not readable")]
    Content,
}

/// Derives a purpose-bound key from the server secret.
#[must_use]
pub fn derive_key(server_secret: &[u8], purpose: &str) -> [u8; 32] {
    let Ok(mut mac) = <Hmac<Sha256> as Mac>::new_from_slice(server_secret) else {
        return [0; 32];
    };
    mac.update(b"humas:");
    mac.update(purpose.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Seals and opens values for one server.
#[derive(Clone)]
pub struct Sealer {
    cipher: Aes256Gcm,
    legacy: ChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(..)")
    }
}

impl Sealer {
    /// A sealer whose key is derived from the server secret.
    #[must_use]
    pub fn new(server_secret: &[u8]) -> Self {
        let legacy_key = derive_key(server_secret, "account-credentials-v1");
        let key = derive_key(server_secret, "account-credentials-v2-aes256gcm");
        Self {
            cipher: Aes256Gcm::new(&key.into()),
            legacy: ChaCha20Poly1305::new(&legacy_key.into()),
        }
    }

    /// Seals `plaintext` for `account`.
    #[must_use]
    pub fn seal(&self, account: AccountId, plaintext: &[u8]) -> Vec<u8> {
        let nonce: [u8; NONCE_LEN] = rand::random();
        let aad = account.as_uuid();
        let sealed = self
            .cipher
            .encrypt(
                &nonce.into(),
                Payload {
                    msg: plaintext,
                    aad: aad.as_bytes(),
                },
            )
            // Encryption fails only for messages beyond 256 GiB.
            .unwrap_or_default();
        let mut out = Vec::with_capacity(1 + NONCE_LEN + sealed.len());
        out.push(VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Opens what [`Self::seal`] made for the same account.
    ///
    /// # Errors
    /// [`SealError`].
    pub fn open(&self, account: AccountId, sealed: &[u8]) -> Result<Vec<u8>, SealError> {
        let (&version, rest) = sealed.split_first().ok_or(SealError::Format)?;
        if rest.len() < NONCE_LEN + 16 {
            return Err(SealError::Format);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| SealError::Format)?;
        let aad = account.as_uuid();
        let payload = Payload {
            msg: ciphertext,
            aad: aad.as_bytes(),
        };
        match version {
            VERSION => self.cipher.decrypt(&nonce.into(), payload),
            VERSION_CHACHA => self.legacy.decrypt(&nonce.into(), payload),
            _ => return Err(SealError::Format),
        }
        .map_err(|_| SealError::Key)
    }
}

/// What Humas needs to act on an account's behalf. Which fields matter depends on the platform:
/// Meta and X use `access_token` and `platform_user_id` (page, IG user or X user id), Bluesky
/// `identifier` + `password` (an app password), Mastodon `access_token`, YouTube
/// `access_token` + `platform_user_id` (channel id), the generic webhook `webhook_secret`.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credentials {
    /// OAuth access token or API token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    /// OAuth refresh token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// The account's id on the platform (page id, user id, channel id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_user_id: Option<String>,
    /// Login identifier (Bluesky handle or DID).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// App password (Bluesky).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// Secret that signs incoming webhooks for this account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook_secret: Option<String>,
    /// When the access token stops working (none: it does not expire, or we were not told).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<jiff::Timestamp>,
    /// When the refresh token stops working; after that someone must connect the account again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_expires_at: Option<jiff::Timestamp>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = |v: &Option<String>| if v.is_some() { "set" } else { "-" };
        f.debug_struct("Credentials")
            .field("access_token", &set(&self.access_token))
            .field("refresh_token", &set(&self.refresh_token))
            .field("platform_user_id", &self.platform_user_id)
            .field("identifier", &self.identifier)
            .field("password", &set(&self.password))
            .field("webhook_secret", &set(&self.webhook_secret))
            .finish()
    }
}

impl Credentials {
    /// Seals the credentials for an account.
    #[must_use]
    pub fn seal(&self, sealer: &Sealer, account: AccountId) -> Vec<u8> {
        let json = serde_json::to_vec(self).unwrap_or_default();
        sealer.seal(account, &json)
    }

    /// Opens sealed credentials.
    ///
    /// # Errors
    /// [`SealError`].
    pub fn open(sealer: &Sealer, account: AccountId, sealed: &[u8]) -> Result<Self, SealError> {
        let json = sealer.open(account, sealed)?;
        serde_json::from_slice(&json).map_err(|_| SealError::Content)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_credentials_open_only_for_their_account_and_key() {
        let sealer = Sealer::new(b"server secret one");
        let account = AccountId::generate();
        let creds = Credentials {
            access_token: Some("EAAB-token".into()),
            webhook_secret: Some("whsec".into()),
            ..Credentials::default()
        };
        let blob = creds.seal(&sealer, account);
        assert!(!blob.windows(10).any(|w| w == b"EAAB-token"));
        assert_eq!(Credentials::open(&sealer, account, &blob).unwrap(), creds);
        assert_eq!(
            Credentials::open(&sealer, AccountId::generate(), &blob).unwrap_err(),
            SealError::Key
        );
        let other = Sealer::new(b"server secret two");
        assert_eq!(
            Credentials::open(&other, account, &blob).unwrap_err(),
            SealError::Key
        );
        let mut tampered = blob.clone();
        if let Some(b) = tampered.last_mut() {
            *b ^= 1;
        }
        assert_eq!(
            Credentials::open(&sealer, account, &tampered).unwrap_err(),
            SealError::Key
        );
        assert_eq!(
            Credentials::open(&sealer, account, &blob[..5]).unwrap_err(),
            SealError::Format
        );
    }

    #[test]
    fn new_blobs_are_aes_gcm_and_old_chacha_blobs_still_open() {
        let sealer = Sealer::new(b"server secret one");
        let account = AccountId::generate();
        let blob = sealer.seal(account, b"token");
        assert_eq!(blob[0], VERSION);
        // A blob written by the previous release (version 1, ChaCha20-Poly1305).
        let nonce = [7_u8; NONCE_LEN];
        let aad = account.as_uuid();
        let old = sealer
            .legacy
            .encrypt(
                &nonce.into(),
                Payload {
                    msg: b"old token",
                    aad: aad.as_bytes(),
                },
            )
            .unwrap();
        let mut legacy_blob = vec![VERSION_CHACHA];
        legacy_blob.extend_from_slice(&nonce);
        legacy_blob.extend_from_slice(&old);
        assert_eq!(sealer.open(account, &legacy_blob).unwrap(), b"old token");
        // The same bytes labelled as AES-GCM do not open: the version byte picks the cipher.
        legacy_blob[0] = VERSION;
        assert_eq!(
            sealer.open(account, &legacy_blob).unwrap_err(),
            SealError::Key
        );
        legacy_blob[0] = 9;
        assert_eq!(
            sealer.open(account, &legacy_blob).unwrap_err(),
            SealError::Format
        );
    }

    #[test]
    fn debug_never_prints_a_secret() {
        let creds = Credentials {
            access_token: Some("EAAB-token".into()),
            password: Some("app-pass".into()),
            ..Credentials::default()
        };
        let shown = format!("{creds:?}");
        assert!(
            !shown.contains("EAAB") && !shown.contains("app-pass"),
            "{shown}"
        );
    }
}
