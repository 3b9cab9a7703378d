//! Sign-in, sessions, password changes, API tokens and login throttling.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use humas_domain::{Actor, Password, User, UserId, Username};
use humas_store::{ApiToken, ApiTokenId, AuditActor, SessionRecord, StoreError};
use rand::RngCore as _;
use sha2::{Digest, Sha256};

use crate::{App, AppError, AppResult, audit_actor};

/// How sign-in behaves. Defaults follow OWASP guidance.
#[derive(Clone, Debug)]
pub struct AuthSettings {
    /// A session ends after this long without a request.
    pub session_idle: Duration,
    /// A session ends this long after sign-in, however active.
    pub session_absolute: Duration,
    /// Failed sign-ins allowed per account within the window.
    pub max_failures_per_account: usize,
    /// Failed sign-ins allowed per client address within the window.
    pub max_failures_per_ip: usize,
    /// The throttling window.
    pub throttle_window: Duration,
    /// Argon2id memory cost in KiB.
    pub argon2_memory_kib: u32,
    /// Argon2id iterations.
    pub argon2_iterations: u32,
}

impl Default for AuthSettings {
    fn default() -> Self {
        Self {
            session_idle: Duration::from_secs(8 * 3600),
            session_absolute: Duration::from_secs(7 * 24 * 3600),
            max_failures_per_account: 5,
            max_failures_per_ip: 20,
            throttle_window: Duration::from_secs(15 * 60),
            argon2_memory_kib: 19 * 1024,
            argon2_iterations: 2,
        }
    }
}

impl AuthSettings {
    /// Cheap hashing for tests; never use in production.
    #[must_use]
    pub fn for_tests() -> Self {
        Self {
            argon2_memory_kib: 256,
            argon2_iterations: 1,
            ..Self::default()
        }
    }

    fn argon2(&self) -> AppResult<Argon2<'static>> {
        let params = Params::new(self.argon2_memory_kib, self.argon2_iterations, 1, None)
            .map_err(|e| AppError::Internal(format!("argon2 parameters: {e}")))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }
}

fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX)
}

/// A random secret, URL-safe.
#[must_use]
pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 hex of a secret, as stored.
#[must_use]
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Counts failed sign-ins per account and per client address in a sliding window.
///
/// Kept in memory: one `humas serve` process answers sign-ins. A restart forgets the counts,
/// which only helps an attacker who can restart the server, and such a person needs no login.
#[derive(Debug)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, VecDeque<i64>>>,
    per_account: usize,
    per_ip: usize,
    window_us: i64,
}

impl LoginThrottle {
    /// A throttle with the limits from the settings.
    #[must_use]
    pub fn new(s: &AuthSettings) -> Self {
        Self {
            failures: Mutex::new(HashMap::new()),
            per_account: s.max_failures_per_account,
            per_ip: s.max_failures_per_ip,
            window_us: micros(s.throttle_window),
        }
    }

    fn keys(username: &str, ip: IpAddr) -> [(String, bool); 2] {
        [
            (format!("u:{}", username.trim().to_ascii_lowercase()), true),
            (format!("ip:{ip}"), false),
        ]
    }

    /// Refuses when either the account or the address has too many recent failures.
    pub fn check(&self, username: &str, ip: IpAddr, now_us: i64) -> AppResult<()> {
        let mut map = self
            .failures
            .lock()
            .map_err(|_| AppError::Internal("throttle lock".into()))?;
        for (key, is_account) in Self::keys(username, ip) {
            let limit = if is_account {
                self.per_account
            } else {
                self.per_ip
            };
            if let Some(q) = map.get_mut(&key) {
                while q.front().is_some_and(|t| *t <= now_us - self.window_us) {
                    q.pop_front();
                }
                if q.len() >= limit {
                    let oldest = q.front().copied().unwrap_or(now_us);
                    let wait_us = (oldest + self.window_us - now_us).max(1_000_000);
                    return Err(AppError::Throttled {
                        retry_after_secs: u64::try_from(wait_us / 1_000_000).unwrap_or(1),
                    });
                }
            }
        }
        Ok(())
    }

    /// Counts a failure against the account and the address.
    pub fn record_failure(&self, username: &str, ip: IpAddr, now_us: i64) {
        if let Ok(mut map) = self.failures.lock() {
            // Bound memory under a spray of random usernames: forget stale keys when large.
            if map.len() > 100_000 {
                let cutoff = now_us - self.window_us;
                map.retain(|_, q| q.back().is_some_and(|t| *t > cutoff));
            }
            for (key, _) in Self::keys(username, ip) {
                map.entry(key).or_default().push_back(now_us);
            }
        }
    }

    /// Forgets an account's failures after a successful sign-in.
    pub fn clear_account(&self, username: &str) {
        if let Ok(mut map) = self.failures.lock() {
            map.remove(&format!("u:{}", username.trim().to_ascii_lowercase()));
        }
    }
}

/// A session just created: the cookie secret goes to the browser once, never stored.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The cookie value.
    pub secret: String,
    /// The CSRF token for forms.
    pub csrf_token: String,
    /// Who signed in.
    pub user: User,
    /// When it expires, µs.
    pub expires_at_us: i64,
}

/// A request's signed-in person, resolved from a session cookie or an API token.
#[derive(Debug, Clone)]
pub struct SessionContext {
    /// The person.
    pub user: User,
    /// What they may do today.
    pub actor: Actor,
    /// The session's CSRF token; `None` for API tokens (no cookies, so no CSRF).
    pub csrf_token: Option<String>,
    /// The session's id hash, for sign-out; `None` for API tokens.
    pub session_hash: Option<String>,
}

impl App {
    /// Hashes a new password with Argon2id on a blocking thread.
    pub async fn hash_password(&self, password: &Password) -> AppResult<String> {
        let argon = self.auth.argon2()?;
        let pw = password.expose().to_owned();
        tokio::task::spawn_blocking(move || {
            let mut salt = [0u8; 16];
            rand::rng().fill_bytes(&mut salt);
            let salt =
                SaltString::encode_b64(&salt).map_err(|e| AppError::Internal(e.to_string()))?;
            argon
                .hash_password(pw.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| AppError::Internal(format!("hashing: {e}")))
        })
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
    }

    async fn verify_password(&self, hash: String, password: &str) -> bool {
        let argon = match self.auth.argon2() {
            Ok(a) => a,
            Err(_) => return false,
        };
        let pw = password.to_owned();
        tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash)
                .is_ok_and(|parsed| argon.verify_password(pw.as_bytes(), &parsed).is_ok())
        })
        .await
        .unwrap_or(false)
    }

    /// A hash of nothing in particular, so an unknown username costs the same time as a known one.
    async fn dummy_hash(&self) -> String {
        static DUMMY: OnceLock<String> = OnceLock::new();
        if let Some(h) = DUMMY.get() {
            return h.clone();
        }
        let pw = Password::parse(&random_secret()).ok();
        let h = match pw {
            Some(pw) => self.hash_password(&pw).await.unwrap_or_default(),
            None => String::new(),
        };
        DUMMY.get_or_init(|| h).clone()
    }

    /// Signs a person in and starts a fresh session (a new id every time: the id rotates at
    /// sign-in). Throttled per account and per client address.
    pub async fn login(&self, username: &str, password: &str, ip: IpAddr) -> AppResult<NewSession> {
        let now = self.clock.now_us();
        self.throttle.check(username, ip, now)?;
        let creds = match Username::parse(username) {
            Ok(name) => match self.store.credentials(&name).await {
                Ok(c) => Some(c),
                Err(StoreError::NotFound(_)) => None,
                Err(e) => return Err(e.into()),
            },
            Err(_) => None,
        };
        let hash = match &creds {
            Some(c) => c.password_hash.clone(),
            None => self.dummy_hash().await,
        };
        let password_ok = self.verify_password(hash, password).await;
        let user = match creds {
            Some(c) if password_ok && c.user.active => c.user,
            other => {
                self.throttle.record_failure(username, ip, now);
                if let Some(c) = other {
                    let by = AuditActor::user(c.user.id, c.user.username.as_ref());
                    let mut e = by.entry::<()>(
                        "auth.login_failed",
                        "user",
                        &c.user.id.to_string(),
                        c.user.opd,
                        None,
                        None,
                    );
                    e.after = Some(serde_json::json!({ "ip": ip.to_string() }));
                    self.store.append_audit(e).await?;
                }
                return Err(AppError::Unauthenticated);
            }
        };
        self.throttle.clear_account(username);
        let session = self.start_session(&user, now).await?;
        let by = AuditActor::user(user.id, user.username.as_ref());
        let mut e = by.entry::<()>(
            "auth.login",
            "user",
            &user.id.to_string(),
            user.opd,
            None,
            None,
        );
        e.after = Some(serde_json::json!({ "ip": ip.to_string() }));
        self.store.append_audit(e).await?;
        Ok(session)
    }

    async fn start_session(&self, user: &User, now: i64) -> AppResult<NewSession> {
        let secret = random_secret();
        let record = SessionRecord {
            id_hash: secret_hash(&secret),
            user_id: user.id,
            csrf_token: random_secret(),
            created_at_us: now,
            last_seen_us: now,
            expires_at_us: now.saturating_add(micros(self.auth.session_idle)),
        };
        self.store.create_session(&record).await?;
        Ok(NewSession {
            secret,
            csrf_token: record.csrf_token,
            user: user.clone(),
            expires_at_us: record.expires_at_us,
        })
    }

    /// Resolves a session cookie. Expired sessions are removed and answer `Unauthenticated`.
    pub async fn session(&self, secret: &str) -> AppResult<SessionContext> {
        let now = self.clock.now_us();
        let hash = secret_hash(secret);
        let s = match self.store.get_session(&hash).await {
            Ok(s) => s,
            Err(StoreError::NotFound(_)) => return Err(AppError::Unauthenticated),
            Err(e) => return Err(e.into()),
        };
        let absolute_end = s
            .created_at_us
            .saturating_add(micros(self.auth.session_absolute));
        if now >= s.expires_at_us || now >= absolute_end {
            self.store.delete_session(&hash).await?;
            return Err(AppError::Unauthenticated);
        }
        let user = self.store.get_user(s.user_id).await?;
        if !user.active {
            self.store.delete_session(&hash).await?;
            return Err(AppError::Unauthenticated);
        }
        // Write at most once a minute per session, not on every request.
        if now - s.last_seen_us > 60_000_000 {
            let expires = now
                .saturating_add(micros(self.auth.session_idle))
                .min(absolute_end);
            self.store.touch_session(&hash, now, expires).await?;
        }
        let actor = self.actor_for(&user).await?;
        Ok(SessionContext {
            user,
            actor,
            csrf_token: Some(s.csrf_token),
            session_hash: Some(hash),
        })
    }

    /// What a person may do today, with any Plt/Plh delegation in force.
    pub async fn actor_for(&self, user: &User) -> AppResult<Actor> {
        let delegations = self.store.delegations_to(user.id).await?;
        Ok(Actor::new(user, &delegations, self.today(user)))
    }

    /// Today's date in the person's time zone.
    #[must_use]
    pub fn today(&self, user: &User) -> jiff::civil::Date {
        let tz = jiff::tz::TimeZone::get(user.zone.iana()).unwrap_or(jiff::tz::TimeZone::UTC);
        self.clock.now().to_zoned(tz).date()
    }

    /// Ends a session.
    pub async fn logout(&self, ctx: &SessionContext) -> AppResult<()> {
        if let Some(hash) = &ctx.session_hash {
            self.store.delete_session(hash).await?;
            let by = audit_actor(&ctx.actor);
            let e = by.entry::<()>(
                "auth.logout",
                "user",
                &ctx.user.id.to_string(),
                ctx.user.opd,
                None,
                None,
            );
            self.store.append_audit(e).await?;
        }
        Ok(())
    }

    /// Changes one's own password: checks the current one, ends every session of the person and
    /// starts a new one.
    pub async fn change_own_password(
        &self,
        ctx: &SessionContext,
        current: &str,
        new: &str,
    ) -> AppResult<NewSession> {
        let creds = self.store.credentials(&ctx.user.username).await?;
        if !self.verify_password(creds.password_hash, current).await {
            return Err(AppError::Unauthenticated);
        }
        let new = Password::parse(new)?;
        let hash = self.hash_password(&new).await?;
        self.store
            .set_password_hash(&audit_actor(&ctx.actor), ctx.user.id, &hash)
            .await?;
        self.store.delete_user_sessions(ctx.user.id).await?;
        self.start_session(&ctx.user, self.clock.now_us()).await
    }

    /// Creates an API token for a person. One's own, or anyone's for a supervisor. The secret is
    /// returned once and stored only as a hash.
    pub async fn create_api_token(
        &self,
        actor: &Actor,
        for_user: UserId,
        name: &str,
    ) -> AppResult<(ApiToken, String)> {
        if actor.user_id != for_user && !actor.can_manage_users() {
            return Err(AppError::Forbidden);
        }
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(humas_domain::ValueError::DisplayName.into());
        }
        let secret = format!("humas_{}", random_secret());
        let token = ApiToken {
            id: ApiTokenId(uuid::Uuid::now_v7()),
            user_id: for_user,
            name: name.to_owned(),
            token_hash: secret_hash(&secret),
            created_at_us: self.clock.now_us(),
            last_used_us: None,
        };
        self.store
            .create_api_token(&audit_actor(actor), &token)
            .await?;
        Ok((token, secret))
    }

    /// One's own API tokens, newest first (never their secrets).
    pub async fn own_api_tokens(&self, actor: &Actor) -> AppResult<Vec<ApiToken>> {
        Ok(self.store.list_api_tokens(actor.user_id).await?)
    }

    /// Revokes one of one's own API tokens. Someone else's token, or one that does not exist,
    /// is `Forbidden` alike, so ids cannot be probed.
    pub async fn revoke_own_api_token(&self, actor: &Actor, id: ApiTokenId) -> AppResult<()> {
        let own = self.store.list_api_tokens(actor.user_id).await?;
        if !own.iter().any(|t| t.id == id) {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.delete_api_token(&audit_actor(actor), id).await?)
    }

    /// Resolves an `Authorization: Bearer` token.
    pub async fn bearer(&self, secret: &str) -> AppResult<SessionContext> {
        let token = match self.store.api_token_by_hash(&secret_hash(secret)).await {
            Ok(t) => t,
            Err(StoreError::NotFound(_)) => return Err(AppError::Unauthenticated),
            Err(e) => return Err(e.into()),
        };
        let user = self.store.get_user(token.user_id).await?;
        if !user.active {
            return Err(AppError::Unauthenticated);
        }
        let now = self.clock.now_us();
        if token.last_used_us.is_none_or(|t| now - t > 60_000_000) {
            self.store.touch_api_token(token.id, now).await?;
        }
        let actor = self.actor_for(&user).await?;
        Ok(SessionContext {
            user,
            actor,
            csrf_token: None,
            session_hash: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, n])
    }

    #[test]
    fn throttle_blocks_an_account_after_its_limit_then_forgives() {
        let s = AuthSettings::for_tests();
        let t = LoginThrottle::new(&s);
        let now = 1_000_000_000;
        for i in 0..5 {
            assert!(t.check("Budi", ip(i), now).is_ok());
            t.record_failure("budi", ip(i), now);
        }
        let err = t.check("budi", ip(99), now).unwrap_err();
        assert!(
            matches!(err, AppError::Throttled { retry_after_secs } if retry_after_secs >= 899),
            "{err:?}"
        );
        assert!(
            t.check("ani", ip(99), now).is_ok(),
            "other accounts unaffected"
        );
        let later = now + micros(s.throttle_window) + 1;
        assert!(t.check("budi", ip(99), later).is_ok(), "window passed");
    }

    #[test]
    fn throttle_blocks_an_address_spraying_accounts() {
        let t = LoginThrottle::new(&AuthSettings::for_tests());
        for i in 0..20 {
            t.record_failure(&format!("user{i}"), ip(1), 0);
        }
        assert!(matches!(
            t.check("fresh", ip(1), 1),
            Err(AppError::Throttled { .. })
        ));
        assert!(t.check("fresh", ip(2), 1).is_ok());
    }

    #[test]
    fn secrets_are_random_and_hashed() {
        let a = random_secret();
        assert_ne!(a, random_secret());
        assert_eq!(secret_hash(&a).len(), 64);
        assert_ne!(secret_hash(&a), a);
    }
}
