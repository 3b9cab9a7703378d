//! The use cases of Humas: where business rules meet storage.
//!
//! [`App`] is the entry point. Every use case takes the [`Actor`] who asks, checks what that
//! person may do (the rules live in `humas_domain::Actor`), validates input into domain types and
//! calls the [`Store`]. The web layer and the command line both go through here, so a rule is
//! enforced once for every interface.
//!
//! **Invariants:**
//! - No use case changes data without an authorisation check on the actor (the CLI uses
//!   [`App::cli_actor`], which stands for the server's shell owner).
//! - Passwords are hashed with Argon2id on a blocking thread; secrets (session ids, API tokens)
//!   are stored only as SHA-256 hashes.
//! - This crate knows nothing of HTTP.

pub mod audit;
pub mod auth;
pub mod clock;
pub mod demo;
mod demo_inbox;
mod demo_publish;
mod error;
pub mod inbox;
pub mod oauth;
pub mod org;
pub mod people;
pub mod publish;
pub mod sealed;

use std::sync::Arc;

use humas_domain::{Actor, Role, UserId, Username};
use humas_store::{AuditActor, Store};

pub use auth::{AuthSettings, LoginThrottle, NewSession, SessionContext};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{AppError, AppResult};

/// The application: storage, clock and sign-in settings. Cheap to clone.
#[derive(Clone)]
pub struct App {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    auth: Arc<AuthSettings>,
    throttle: Arc<LoginThrottle>,
    inbox: Arc<inbox::InboxState>,
    gateway: Option<Arc<dyn inbox::PlatformGateway>>,
    oauth: Option<Arc<dyn oauth::OAuthGateway>>,
    sealer: sealed::Sealer,
    media_key: [u8; 32],
}

impl App {
    /// Builds the application over a store.
    #[must_use]
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, auth: AuthSettings) -> Self {
        let throttle = Arc::new(LoginThrottle::new(&auth));
        Self {
            store,
            clock,
            auth: Arc::new(auth),
            throttle,
            inbox: Arc::new(inbox::InboxState::default()),
            gateway: None,
            oauth: None,
            sealer: sealed::Sealer::new(&rand::random::<[u8; 32]>()),
            media_key: rand::random::<[u8; 32]>(),
        }
    }

    /// Wires the platforms' OAuth endpoints (the server builds them from its configuration).
    #[must_use]
    pub fn with_oauth(mut self, oauth: Arc<dyn oauth::OAuthGateway>) -> Self {
        self.oauth = Some(oauth);
        self
    }

    /// Connects the inbox to the platforms (replies, hiding, deleting).
    #[must_use]
    pub fn with_gateway(mut self, gateway: Arc<dyn inbox::PlatformGateway>) -> Self {
        self.gateway = Some(gateway);
        self
    }

    /// Sets the server secret that pseudonymous author keys (see [`inbox::author_key`]) and the
    /// key sealing platform credentials are derived from. Without it, a random secret is drawn
    /// at start: author keys are then stable only while the process runs, and credentials
    /// sealed by one run cannot be opened by the next.
    #[must_use]
    pub fn with_server_secret(mut self, secret: &[u8]) -> Self {
        let author = sealed::derive_key(secret, "author-key-v1");
        self.inbox = Arc::new(inbox::InboxState::with_secret(&author));
        self.sealer = sealed::Sealer::new(secret);
        self.media_key = sealed::derive_key(secret, "public-media-v1");
        self
    }

    /// The sealer for secrets at rest.
    #[must_use]
    pub const fn sealer(&self) -> &sealed::Sealer {
        &self.sealer
    }

    /// The store, for health checks and metrics.
    #[must_use]
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The clock.
    #[must_use]
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The sign-in settings.
    #[must_use]
    pub fn auth_settings(&self) -> &AuthSettings {
        &self.auth
    }

    /// The actor for `humas` subcommands: whoever runs them owns the server, so they act as a
    /// supervisor, recorded as `cli` in the audit log.
    #[must_use]
    pub fn cli_actor() -> Actor {
        Actor {
            user_id: UserId::from_uuid(uuid::Uuid::nil()),
            username: Username::cli(),
            role: Role::Supervisor,
            opd: None,
            acting_approver_for: Vec::new(),
        }
    }
}

/// How the audit log names an actor.
#[must_use]
pub fn audit_actor(actor: &Actor) -> AuditActor {
    if actor.user_id.as_uuid().is_nil() {
        AuditActor::cli()
    } else {
        AuditActor::user(actor.user_id, actor.username.as_ref())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_actor_is_a_supervisor_recorded_as_cli() {
        let a = super::App::cli_actor();
        assert!(a.can_manage_users());
        assert_eq!(super::audit_actor(&a).name, "cli");
    }
}
