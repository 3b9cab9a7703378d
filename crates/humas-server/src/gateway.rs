//! The platforms behind the inbox: builds the right connector for an account from its sealed
//! credentials, for polling (workers) and for replies, hiding and deleting (the app's
//! [`PlatformGateway`]).

use std::sync::Arc;

use async_trait::async_trait;
use humas_app::App;
use humas_app::inbox::{GatewayError, PlatformGateway};
use humas_app::sealed::Credentials;
use humas_connectors::http::Http;
use humas_connectors::mastodon::{MastodonClient, MastodonConfig};
use humas_connectors::meta::{MetaClient, MetaConfig, Surface};
use humas_connectors::x::{XClient, XConfig};
use humas_connectors::{ConnectorError, Poller, Responder};
use humas_domain::inbox::{ExternalId, Message};
use humas_domain::{Account, Platform};
use secrecy::SecretString;

/// A connector for one account.
pub enum Connector {
    /// Facebook Page or Instagram.
    Meta(MetaClient),
    /// X.
    X(XClient),
    /// Mastodon.
    Mastodon(MastodonClient),
}

impl Connector {
    /// The reading side.
    #[must_use]
    pub fn poller(&self) -> &dyn Poller {
        match self {
            Self::Meta(c) => c,
            Self::X(c) => c,
            Self::Mastodon(c) => c,
        }
    }

    /// The answering side.
    #[must_use]
    pub fn responder(&self) -> &dyn Responder {
        match self {
            Self::Meta(c) => c,
            Self::X(c) => c,
            Self::Mastodon(c) => c,
        }
    }
}

/// Why no connector could be built.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// Nothing stored for the account.
    #[error("the account has no credentials yet; connect it on its account page")]
    NoCredentials,
    /// A field the platform needs is missing.
    #[error("the account's credentials lack the {0}; add it on the account page")]
    Missing(&'static str),
    /// Humas cannot talk to this platform yet.
    #[error("Humas has no connector for {0} yet")]
    Unsupported(Platform),
    /// Reading the credentials failed.
    #[error("{0}")]
    App(#[from] humas_app::AppError),
}

fn required<'a>(value: Option<&'a String>, what: &'static str) -> Result<&'a str, ConnectError> {
    value
        .map(String::as_str)
        .filter(|v| !v.trim().is_empty())
        .ok_or(ConnectError::Missing(what))
}

/// Builds the connector for an account from its credentials.
///
/// # Errors
/// [`ConnectError`].
pub fn connector(
    http: &Http,
    account: &Account,
    creds: &Credentials,
) -> Result<Connector, ConnectError> {
    let base = account.effective_api_base();
    let token = || -> Result<SecretString, ConnectError> {
        Ok(SecretString::from(
            required(creds.access_token.as_ref(), "access token")?.to_owned(),
        ))
    };
    let user_id = || {
        required(
            creds.platform_user_id.as_ref(),
            "account id on the platform",
        )
    };
    match account.platform {
        Platform::Facebook | Platform::Instagram => {
            let surface = if account.platform == Platform::Facebook {
                Surface::FacebookPage
            } else {
                Surface::Instagram
            };
            Ok(Connector::Meta(MetaClient::new(
                http.clone(),
                MetaConfig::new(base, surface, user_id()?, token()?),
            )))
        }
        Platform::X => Ok(Connector::X(XClient::new(
            http.clone(),
            XConfig::new(base, user_id()?, token()?),
        ))),
        Platform::Mastodon => Ok(Connector::Mastodon(MastodonClient::new(
            http.clone(),
            MastodonConfig::new(base, user_id()?, token()?),
        ))),
        other => Err(ConnectError::Unsupported(other)),
    }
}

/// The app's gateway over the real connectors.
pub struct ConnectorGateway {
    app: App,
    http: Http,
}

impl ConnectorGateway {
    /// A gateway that reads credentials through `app`.
    #[must_use]
    pub fn new(app: App, http: Http) -> Arc<Self> {
        Arc::new(Self { app, http })
    }

    async fn connector(&self, account: &Account) -> Result<Connector, GatewayError> {
        let creds = self
            .app
            .account_credentials(account.id)
            .await
            .map_err(|e| permanent(&e.to_string()))?
            .ok_or_else(|| permanent(&ConnectError::NoCredentials.to_string()))?;
        connector(&self.http, account, &creds).map_err(|e| permanent(&e.to_string()))
    }
}

fn permanent(message: &str) -> GatewayError {
    GatewayError {
        transient: false,
        message: message.to_owned(),
    }
}

fn gateway_error(e: &ConnectorError) -> GatewayError {
    GatewayError {
        transient: e.is_transient(),
        message: e.to_string(),
    }
}

#[async_trait]
impl PlatformGateway for ConnectorGateway {
    async fn reply(
        &self,
        account: &Account,
        message: &Message,
        text: &str,
        idempotency_key: &str,
    ) -> Result<String, GatewayError> {
        let connector = self.connector(account).await?;
        let parent = &message.inbound.external_id;
        let thread = message.inbound.thread_external_id.as_ref();
        let sent: Result<ExternalId, ConnectorError> = match &connector {
            Connector::Mastodon(c) => c.reply_with_key(parent, text, idempotency_key).await,
            other => other.responder().reply(parent, thread, text).await,
        };
        sent.map(String::from).map_err(|e| gateway_error(&e))
    }

    async fn set_hidden(
        &self,
        account: &Account,
        message: &Message,
        hidden: bool,
    ) -> Result<(), GatewayError> {
        let connector = self.connector(account).await?;
        connector
            .responder()
            .set_hidden(&message.inbound.external_id, hidden)
            .await
            .map_err(|e| gateway_error(&e))
    }

    async fn delete(&self, account: &Account, message: &Message) -> Result<(), GatewayError> {
        let connector = self.connector(account).await?;
        connector
            .responder()
            .delete(&message.inbound.external_id)
            .await
            .map_err(|e| gateway_error(&e))
    }
}
