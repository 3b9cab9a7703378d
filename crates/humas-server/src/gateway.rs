//! The platforms behind the inbox: builds the right connector for an account from its sealed
//! credentials, for polling (workers) and for replies, hiding and deleting (the app's
//! [`PlatformGateway`]).

use std::collections::HashMap;
use std::hash::{Hash as _, Hasher as _};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use humas_app::App;
use humas_app::inbox::{GatewayError, PlatformGateway};
use humas_app::publish::{
    OutgoingPost, PublishGateway, PublishedRef, SendError, SendErrorKind, SendOutcome,
};
use humas_app::sealed::Credentials;
use humas_connectors::bluesky::{BlueskyClient, BlueskyConfig};
use humas_connectors::http::Http;
use humas_connectors::mastodon::{MastodonClient, MastodonConfig};
use humas_connectors::meta::{MetaClient, MetaConfig, Surface};
use humas_connectors::outbound::{
    MediaKind, OutboundMedia, OutboundPost, PublishOutcome, Publisher,
};
use humas_connectors::telegram::{TelegramClient, TelegramConfig};
use humas_connectors::tiktok::{TikTokClient, TikTokConfig};
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
    /// A Telegram channel (publishing only).
    Telegram(TelegramClient),
    /// TikTok (publishing only).
    Tiktok(TikTokClient),
}

impl Connector {
    /// The reading side; `None` for platforms Humas only publishes to.
    #[must_use]
    pub fn poller(&self) -> Option<&dyn Poller> {
        match self {
            Self::Meta(c) => Some(c),
            Self::X(c) => Some(c),
            Self::Mastodon(c) => Some(c),
            Self::Bluesky(c) => Some(c),
            Self::Youtube(c) => Some(c),
            Self::Telegram(_) | Self::Tiktok(_) => None,
        }
    }

    /// The answering side; `None` for platforms Humas only publishes to.
    #[must_use]
    pub fn responder(&self) -> Option<&dyn Responder> {
        match self {
            Self::Meta(c) => Some(c),
            Self::X(c) => Some(c),
            Self::Mastodon(c) => Some(c),
            Self::Bluesky(c) => Some(c),
            Self::Youtube(c) => Some(c),
            Self::Telegram(_) | Self::Tiktok(_) => None,
        }
    }

    /// The publishing side; `None` for YouTube (video uploads are not part of Humas yet).
    #[must_use]
    pub fn publisher(&self) -> Option<&dyn Publisher> {
        match self {
            Self::Meta(c) => Some(c),
            Self::X(c) => Some(c),
            Self::Mastodon(c) => Some(c),
            Self::Bluesky(c) => Some(c),
            Self::Telegram(c) => Some(c),
            Self::Tiktok(c) => Some(c),
            Self::Youtube(_) => None,
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
        Platform::Telegram => Ok(Connector::Telegram(TelegramClient::new(
            http.clone(),
            TelegramConfig {
                api_base: base.to_owned(),
                bot_token: token()?,
                chat_id: user_id()?.to_owned(),
            },
        ))),
        // Unaudited TikTok apps may only post privately; the creator-info check refuses
        // (with TikTok's words) when the account does not allow public posts.
        Platform::Tiktok => Ok(Connector::Tiktok(TikTokClient::new(
            http.clone(),
            TikTokConfig::new(base, token()?, "PUBLIC_TO_EVERYONE"),
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
            other => match other.responder() {
                Some(r) => r.reply(parent, thread, text).await,
                None => Err(ConnectorError::Unsupported("replying")),
            },
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
        let Some(responder) = connector.responder() else {
            return Err(gateway_error(&ConnectorError::Unsupported("hiding")));
        };
        responder
            .set_hidden(&message.inbound.external_id, hidden)
            .await
            .map_err(|e| gateway_error(&e))
    }

    async fn delete(&self, account: &Account, message: &Message) -> Result<(), GatewayError> {
        let connector = self.connector(account).await?;
        let Some(responder) = connector.responder() else {
            return Err(gateway_error(&ConnectorError::Unsupported("deleting")));
        };
        responder
            .delete(&message.inbound.external_id)
            .await
            .map_err(|e| gateway_error(&e))
    }
}

/// The platforms behind the publisher ([`PublishGateway`]).
pub struct ConnectorPublishGateway {
    app: App,
    connectors: Arc<Connectors>,
}

impl ConnectorPublishGateway {
    /// A gateway sharing `connectors` with the inbox and the pollers.
    #[must_use]
    pub fn new(app: App, connectors: Arc<Connectors>) -> Arc<Self> {
        Arc::new(Self { app, connectors })
    }

    async fn publisher_of(&self, account: &Account) -> Result<Arc<Connector>, SendError> {
        let connector = self
            .connectors
            .get(&self.app, account)
            .await
            .map_err(|e| SendError {
                kind: SendErrorKind::Permanent,
                message: e.to_string(),
            })?;
        if connector.publisher().is_none() {
            return Err(SendError {
                kind: SendErrorKind::Permanent,
                message: format!("Humas cannot publish on {} yet", account.platform),
            });
        }
        Ok(connector)
    }
}

/// Maps a connector failure to what the publisher decides on. A time-out, a broken connection
/// or a 5xx may hide a post the platform accepted, so those leave the job in doubt.
#[must_use]
pub fn send_error(e: &ConnectorError) -> SendError {
    let kind = match e {
        ConnectorError::Timeout | ConnectorError::Transport(_) => SendErrorKind::Transient {
            retry_after: None,
            maybe_sent: true,
        },
        ConnectorError::Unavailable { retry_after, .. } => SendErrorKind::Transient {
            retry_after: *retry_after,
            maybe_sent: true,
        },
        ConnectorError::RateLimited { retry_after, .. } => SendErrorKind::Transient {
            retry_after: *retry_after,
            maybe_sent: false,
        },
        ConnectorError::Unsupported(_) => SendErrorKind::Unsupported,
        ConnectorError::TokenExpired(_) => SendErrorKind::Reconnect,
        _ => SendErrorKind::Permanent,
    };
    SendError {
        kind,
        message: e.to_string(),
    }
}

fn outbound(post: &OutgoingPost) -> OutboundPost {
    OutboundPost {
        text: post.text.clone(),
        media: post
            .media
            .iter()
            .map(|m| OutboundMedia {
                kind: match m.asset.kind {
                    humas_domain::publish::limits::MediaKind::Image => MediaKind::Image,
                    humas_domain::publish::limits::MediaKind::Video => MediaKind::Video,
                },
                mime: m.asset.mime.clone(),
                file_name: m.asset.file_name.clone(),
                bytes: Arc::clone(&m.bytes),
                public_url: m.public_url.clone(),
                alt_text: m.asset.alt_text.clone(),
                width: m.asset.width,
                height: m.asset.height,
                duration_ms: m.asset.duration_ms,
            })
            .collect(),
        idempotency_key: post.idempotency_key.clone(),
        intent_at: post.intent_at,
    }
}

fn outcome(o: PublishOutcome) -> SendOutcome {
    match o {
        PublishOutcome::Published(p) => SendOutcome::Published(PublishedRef {
            external_id: p.external_id,
            url: p.url,
        }),
        PublishOutcome::Pending { handle } => SendOutcome::Pending(handle),
    }
}

#[async_trait]
impl PublishGateway for ConnectorPublishGateway {
    async fn publish(
        &self,
        account: &Account,
        post: &OutgoingPost,
    ) -> Result<SendOutcome, SendError> {
        let connector = self.publisher_of(account).await?;
        let Some(publisher) = connector.publisher() else {
            return Err(send_error(&ConnectorError::Unsupported("publishing")));
        };
        publisher
            .publish(&outbound(post))
            .await
            .map(outcome)
            .map_err(|e| send_error(&e))
    }

    async fn find_published(
        &self,
        account: &Account,
        post: &OutgoingPost,
    ) -> Result<Option<PublishedRef>, SendError> {
        let connector = self.publisher_of(account).await?;
        let Some(publisher) = connector.publisher() else {
            return Err(send_error(&ConnectorError::Unsupported("publishing")));
        };
        publisher
            .find_published(&outbound(post))
            .await
            .map(|found| {
                found.map(|p| PublishedRef {
                    external_id: p.external_id,
                    url: p.url,
                })
            })
            .map_err(|e| send_error(&e))
    }

    async fn check_pending(
        &self,
        account: &Account,
        handle: &str,
    ) -> Result<SendOutcome, SendError> {
        let connector = self.publisher_of(account).await?;
        let Some(publisher) = connector.publisher() else {
            return Err(send_error(&ConnectorError::Unsupported("publishing")));
        };
        publisher
            .check_pending(handle)
            .await
            .map(outcome)
            .map_err(|e| send_error(&e))
    }

    async fn engagement(
        &self,
        account: &Account,
        external_id: &str,
    ) -> Result<humas_store::EngagementFigures, SendError> {
        let connector = self.publisher_of(account).await?;
        let Some(publisher) = connector.publisher() else {
            return Err(send_error(&ConnectorError::Unsupported("publishing")));
        };
        publisher
            .engagement(external_id)
            .await
            .map(|e| humas_store::EngagementFigures {
                likes: e.likes,
                comments: e.comments,
                shares: e.shares,
                views: e.views,
            })
            .map_err(|e| send_error(&e))
    }
}
