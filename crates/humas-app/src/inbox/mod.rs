//! The inbox: ingesting messages, finding them, handling them, answering them on time.

pub mod alerts;
pub mod analysis;
pub mod connections;
pub mod handling;
pub mod import;
pub mod ingest;
pub mod query;
pub mod settings;
pub mod web_support;

use std::sync::Arc;

use tokio::sync::RwLock;

pub use connections::CredentialsSummary;
pub use handling::{GatewayError, Moderation, PlatformGateway, fill_saved_reply};
pub use ingest::{InboxContext, IngestReport, author_key};
pub use query::{Conversation, InboxFilter, InboxPage};
pub use settings::{RuleInput, RuleInputError};

/// State the inbox keeps between calls.
pub struct InboxState {
    /// Routing rules, policies and calendar, reloaded after a change.
    pub(crate) context: RwLock<Option<Arc<InboxContext>>>,
    /// Secret behind pseudonymous author keys.
    pub(crate) author_secret: Arc<[u8]>,
}

impl InboxState {
    /// State with a known author secret.
    #[must_use]
    pub fn with_secret(secret: &[u8]) -> Self {
        Self {
            context: RwLock::new(None),
            author_secret: secret.into(),
        }
    }
}

impl Default for InboxState {
    fn default() -> Self {
        let secret: [u8; 32] = rand::random();
        Self::with_secret(&secret)
    }
}
