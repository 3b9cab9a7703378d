//! The platforms behind the inbox: builds the right connector for an account from its sealed
//! credentials, for polling (workers) and for replies, hiding and deleting (the app's
//! [`PlatformGateway`]).

use std::collections::HashMap;
use std::hash::{Hash as _, Hasher as _};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use humas_app::App;
use humas_app::inbox::{GatewayError, PlatformGateway};
use humas_app::sealed::Credentials;
use humas_connectors::bluesky::{BlueskyClient, BlueskyConfig};
use humas_connectors::http::Http;
use humas_connectors::mastodon::{MastodonClient, MastodonConfig};
use humas_connectors::meta::{MetaClient, MetaConfig, Surface};
use humas_connectors::x::{XClient, XConfig};
use humas_connectors::youtube::{QuotaMeter, YouTubeClient, YouTubeConfig};
use humas_connectors::{ConnectorError, Poller, Responder};
use humas_domain::inbox::{ExternalId, Message};
use humas_domain::{Account, AccountId, Platform};
use secrecy::SecretString;

/// A connector for one account.
pub enum Connector {
    /// Facebook Page or Instagram.
    Meta(MetaClient),
    /// X.
    X(XClient),
    /// Mastodon.
    Mastodon(MastodonClient),
    /// Bluesky.
    Bluesky(BlueskyClient),
    /// YouTube.
    Youtube(YouTubeClient),
}

impl Connector {
    /// The reading side.
    #[must_use]
    pub fn poller(&self) -> &dyn Poller {
        match self {
            Self::Meta(c) => c,
            Self::X(c) => c,
            Self::Mastodon(c) => c,
            Self::Bluesky(c) => c,
            Self::Youtube(c) => c,
        }
    }

    /// The answering side.
    #[must_use]
    pub fn responder(&self) -> &dyn Responder {
        match self {
            Self::Meta(c) => c,
            Self::X(c) => c,
            Self::Mastodon(c) => c,
            Self::Bluesky(c) => c,
            Self::Youtube(c) => c,
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

/// YouTube's default daily quota for one Google Cloud project.
pub const YOUTUBE_DAILY_UNITS: u32 = 10_000;

/// Builds the connector for an account from its credentials; YouTube accounts share `quota`
/// (one project's daily units).
///
/// # Errors
/// [`ConnectError`].
pub fn connector(
    http: &Http,
    account: &Account,
    creds: &Credentials,
    quota: &Arc<QuotaMeter>,
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
        Platform::Youtube => {
            let mut config = YouTubeConfig::new(base, user_id()?, token()?);
            config.quota = quota.clone();
            Ok(Connector::Youtube(YouTubeClient::new(http.clone(), config)))
        }
        Platform::Bluesky => Ok(Connector::Bluesky(BlueskyClient::new(
            http.clone(),
            BlueskyConfig::new(
                base,
                required(creds.identifier.as_ref(), "handle to sign in with")?,
                SecretString::from(required(creds.password.as_ref(), "app password")?.to_owned()),
            ),
        ))),
        other => Err(ConnectError::Unsupported(other)),
    }
}

/// Connectors kept between calls, one per account, rebuilt when the account's address or
/// credentials change. Keeping them matters: a Bluesky client holds its session, and creating
/// a session per call would run into the platform's session limit.
pub struct Connectors {
    http: Http,
    cache: Mutex<HashMap<AccountId, (u64, Arc<Connector>)>>,
    youtube_quota: Arc<QuotaMeter>,
}

impl Connectors {
    /// An empty cache over a guarded client.
    #[must_use]
    pub fn new(http: Http) -> Arc<Self> {
        Arc::new(Self {
            http,
            cache: Mutex::new(HashMap::new()),
            youtube_quota: Arc::new(QuotaMeter::new(YOUTUBE_DAILY_UNITS)),
        })
    }

    /// The connector for an account, built from its credentials on first use or after they
    /// changed.
    ///
    /// # Errors
    /// [`ConnectError`].
    pub async fn get(&self, app: &App, account: &Account) -> Result<Arc<Connector>, ConnectError> {
        let creds = app
            .account_credentials(account.id)
            .await?
            .ok_or(ConnectError::NoCredentials)?;
        let mut h = std::collections::hash_map::DefaultHasher::new();
        account.effective_api_base().hash(&mut h);
        account.platform.as_str().hash(&mut h);
        serde_json::to_string(&creds)
            .unwrap_or_default()
            .hash(&mut h);
        let fingerprint = h.finish();
        if let Ok(cache) = self.cache.lock()
            && let Some((f, c)) = cache.get(&account.id)
            && *f == fingerprint
        {
            return Ok(c.clone());
        }
        let built = Arc::new(connector(&self.http, account, &creds, &self.youtube_quota)?);
        if let Ok(mut cache) = self.cache.lock() {
            cache.insert(account.id, (fingerprint, built.clone()));
        }
        Ok(built)
    }
}

/// The app's gateway over the real connectors.
pub struct ConnectorGateway {
    app: App,
    connectors: Arc<Connectors>,
}

impl ConnectorGateway {
    /// A gateway that reads credentials through `app` and shares `connectors` with the pollers.
    #[must_use]
    pub fn new(app: App, connectors: Arc<Connectors>) -> Arc<Self> {
        Arc::new(Self { app, connectors })
    }

    async fn connector(&self, account: &Account) -> Result<Arc<Connector>, GatewayError> {
        self.connectors
            .get(&self.app, account)
            .await
            .map_err(|e| permanent(&e.to_string()))
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
        let sent: Result<ExternalId, ConnectorError> = match connector.as_ref() {
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
