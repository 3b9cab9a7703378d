//! The platforms behind the inbox: builds the right connector for an account from its sealed
//! credentials, for polling (workers) and for replies, hiding and deleting (the app's
//! [`PlatformGateway`]).
//!
//! **Renewed tokens.** X access tokens live 2 hours, YouTube's one, TikTok's 24; with the platform's
//! OAuth client in `oauth_clients_file` and a refresh token stored, the connector renews them
//! itself, and [`StoredTokens`] writes the new pair into the account's sealed credentials at
//! once ([`App::store_renewed_tokens`], audited as a change by the system, no secret in the
//! entry), whichever path renewed (polling, a reply, publishing). X rotates the refresh token
//! on every renewal, so a pair that is not stored would leave a spent refresh token behind for
//! the next start. A failed store is tried three times, then logged as an error and the account
//! marked `token_expired` (the account pages then ask for a reconnect); the connector keeps the
//! pair and stores it on its next call. Meta (Page tokens do not expire; no refresh grant),
//! Mastodon (tokens do not expire) and Bluesky (an app-password session, created again after a
//! restart) have nothing to store. X and TikTok rotate the refresh token; Google does not.

use std::collections::HashMap;
use std::hash::{Hash as _, Hasher as _};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use humas_app::App;
use humas_app::inbox::connections::{Renewal, RenewedCredentials};
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
use humas_connectors::renewal::{RenewedTokens, TokenKeeper};
use humas_connectors::telegram::{TelegramClient, TelegramConfig};
use humas_connectors::tiktok::{TikTokClient, TikTokConfig};
use humas_connectors::x::{XClient, XConfig, XRefresh};
use humas_connectors::youtube::{OAuthRefresh, QuotaMeter, YouTubeClient, YouTubeConfig};
use humas_connectors::{Backfill, ConnectorError, Poller, Responder};
use humas_domain::inbox::{ExternalId, Message};
use humas_domain::{Account, AccountId, Platform};
use secrecy::{ExposeSecret as _, SecretString};

use crate::oauth::Clients;

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

/// What every connector shares beyond an account's own credentials.
#[derive(Clone, Default)]
pub struct ConnectOptions {
    /// The OAuth clients (`oauth_clients_file`): X and YouTube renew tokens with theirs.
    pub clients: Option<Arc<Clients>>,
    /// How far back the first poll of a Mastodon or Bluesky account reads; `None` reads only
    /// the newest page.
    pub backfill: Option<Backfill>,
    /// Where renewed tokens go (built per account by [`Connectors`]).
    pub keeper: Option<Arc<dyn TokenKeeper>>,
}

/// How often [`StoredTokens`] tries to store a renewed pair, and the wait before each try.
const STORE_TRIES: [std::time::Duration; 3] = [
    std::time::Duration::ZERO,
    std::time::Duration::from_millis(200),
    std::time::Duration::from_secs(1),
];

/// Keeps the tokens a connector renews in the account's sealed credentials.
pub struct StoredTokens {
    app: App,
    account: AccountId,
}

impl StoredTokens {
    /// A keeper for `account`.
    #[must_use]
    pub fn new(app: App, account: AccountId) -> Arc<Self> {
        Arc::new(Self { app, account })
    }
}

impl std::fmt::Debug for StoredTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredTokens")
            .field("account", &self.account)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl TokenKeeper for StoredTokens {
    async fn save(
        &self,
        tokens: &RenewedTokens,
        replaced: Option<&SecretString>,
    ) -> Result<(), String> {
        let renewed = RenewedCredentials {
            access_token: tokens.access_token.expose_secret().to_owned(),
            refresh_token: tokens
                .refresh_token
                .as_ref()
                .map(|t| t.expose_secret().to_owned()),
            expires_at: tokens.expires_at,
            refresh_expires_at: tokens.refresh_expires_at,
        };
        let replaced = replaced.map(|t| t.expose_secret().to_owned());
        let mut last = String::new();
        for wait in STORE_TRIES {
            tokio::time::sleep(wait).await;
            match self
                .app
                .store_renewed_tokens(self.account, renewed.clone(), replaced.as_deref())
                .await
            {
                Ok(Renewal::Stored) => {
                    tracing::info!(account = %self.account, expires_at = ?renewed.expires_at, "renewed platform tokens stored");
                    return Ok(());
                }
                Ok(Renewal::Superseded) => {
                    tracing::info!(account = %self.account, "renewed platform tokens not stored: newer ones were stored meanwhile");
                    return Ok(());
                }
                Err(e) => last = e.to_string(),
            }
        }
        tracing::error!(
            account = %self.account,
            error = %last,
            "the platform renewed this account's tokens but Humas could not store them: the \
             stored refresh token is spent, so the account stops working at the next restart \
             unless a later try succeeds; the account is marked token_expired"
        );
        if let Err(e) = self.app.mark_renewal_unsaved(self.account).await {
            tracing::error!(account = %self.account, error = %e, "cannot mark the account token_expired either");
        }
        Err(last)
    }

    async fn stored(&self) -> Option<RenewedTokens> {
        let creds = self.app.account_credentials(self.account).await.ok()??;
        Some(RenewedTokens {
            access_token: SecretString::from(creds.access_token?),
            refresh_token: creds.refresh_token.map(SecretString::from),
            expires_at: creds.expires_at,
            refresh_expires_at: creds.refresh_expires_at,
        })
    }
}

/// How an X account renews its token: with X's client and the stored refresh token.
fn x_refresh(options: &ConnectOptions, creds: &Credentials) -> Option<XRefresh> {
    let client = options.clients.as_ref()?.x.as_ref()?;
    let refresh_token = creds
        .refresh_token
        .as_ref()
        .filter(|t| !t.trim().is_empty())?;
    Some(XRefresh {
        client_id: client.client_id.clone()?,
        client_secret: client.client_secret.clone().map(SecretString::from),
        refresh_token: SecretString::from(refresh_token.clone()),
    })
}

/// How a YouTube account renews its token: at Google's token endpoint with the client.
fn youtube_refresh(options: &ConnectOptions, creds: &Credentials) -> Option<OAuthRefresh> {
    let client = options.clients.as_ref()?.youtube.as_ref()?;
    let refresh_token = creds
        .refresh_token
        .as_ref()
        .filter(|t| !t.trim().is_empty())?;
    let base = client
        .token_url
        .as_deref()
        .unwrap_or(humas_connectors::oauth::GOOGLE_TOKEN_BASE);
    Some(OAuthRefresh {
        token_url: format!("{}/token", base.trim_end_matches('/')),
        client_id: client.client_id.clone()?,
        client_secret: SecretString::from(client.client_secret.clone()?),
        refresh_token: SecretString::from(refresh_token.clone()),
    })
}

/// How a TikTok account renews its token: TikTok's client and the stored refresh token.
fn tiktok_renewal(
    options: &ConnectOptions,
    creds: &Credentials,
    base: &str,
) -> Option<(humas_connectors::oauth::Provider, SecretString)> {
    let client = options.clients.as_ref()?.tiktok.as_ref()?;
    let refresh_token = creds
        .refresh_token
        .as_ref()
        .filter(|t| !t.trim().is_empty())?;
    let provider = humas_connectors::oauth::Provider::tiktok(
        base,
        client
            .authorize_url
            .as_deref()
            .unwrap_or(humas_connectors::oauth::TIKTOK_AUTHORIZE_BASE),
        client.client_key.as_deref()?,
        SecretString::from(client.client_secret.clone()?),
    );
    Some((provider, SecretString::from(refresh_token.clone())))
}

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
    options: &ConnectOptions,
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
        Platform::X => {
            let mut config = XConfig::new(base, user_id()?, token()?);
            config.refresh = x_refresh(options, creds);
            let mut client = XClient::new(http.clone(), config);
            if let Some(keeper) = &options.keeper {
                client = client.with_keeper(Arc::clone(keeper));
            }
            Ok(Connector::X(client))
        }
        Platform::Mastodon => {
            let mut config = MastodonConfig::new(base, user_id()?, token()?);
            config.backfill = options.backfill;
            Ok(Connector::Mastodon(MastodonClient::new(
                http.clone(),
                config,
            )))
        }
        Platform::Youtube => {
            let mut config = YouTubeConfig::new(base, user_id()?, token()?);
            config.quota = quota.clone();
            config.refresh = youtube_refresh(options, creds);
            let mut client = YouTubeClient::new(http.clone(), config);
            if let Some(keeper) = &options.keeper {
                client = client.with_keeper(Arc::clone(keeper));
            }
            Ok(Connector::Youtube(client))
        }
        Platform::Bluesky => {
            let mut config = BlueskyConfig::new(
                base,
                required(creds.identifier.as_ref(), "handle to sign in with")?,
                SecretString::from(required(creds.password.as_ref(), "app password")?.to_owned()),
            );
            config.backfill = options.backfill;
            Ok(Connector::Bluesky(BlueskyClient::new(http.clone(), config)))
        }
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
        Platform::Tiktok => {
            let mut client = TikTokClient::new(
                http.clone(),
                TikTokConfig::new(base, token()?, "PUBLIC_TO_EVERYONE"),
            );
            if let Some((provider, refresh_token)) = tiktok_renewal(options, creds, base)
                && let Some(keeper) = &options.keeper
            {
                client = client.with_renewal(provider, refresh_token, Arc::clone(keeper));
            }
            Ok(Connector::Tiktok(client))
        }
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
    options: ConnectOptions,
}

impl Connectors {
    /// An empty cache over a guarded client, without OAuth clients (no token renewal) and with
    /// the default first-poll backfill.
    #[must_use]
    pub fn new(http: Http) -> Arc<Self> {
        Self::with_options(
            http,
            ConnectOptions {
                backfill: Some(Backfill::default()),
                ..ConnectOptions::default()
            },
        )
    }

    /// An empty cache whose connectors share `options` (each gets its own token keeper).
    #[must_use]
    pub fn with_options(http: Http, options: ConnectOptions) -> Arc<Self> {
        Arc::new(Self {
            http,
            cache: Mutex::new(HashMap::new()),
            youtube_quota: Arc::new(QuotaMeter::new(YOUTUBE_DAILY_UNITS)),
            options,
        })
    }

    /// The connectors `humas serve` and `humas worker` use: the OAuth clients of
    /// `oauth_clients_file` (so X and YouTube tokens are renewed and stored) and the first-poll
    /// backfill of the settings.
    ///
    /// # Errors
    /// When the OAuth clients file cannot be read.
    pub fn from_settings(
        http: Http,
        settings: &crate::settings::Settings,
    ) -> anyhow::Result<Arc<Self>> {
        let clients = settings
            .oauth_clients_file
            .as_deref()
            .map(Clients::load)
            .transpose()?
            .map(Arc::new);
        Ok(Self::with_options(
            http,
            ConnectOptions {
                clients,
                backfill: settings.backfill(),
                keeper: None,
            },
        ))
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
        let options = ConnectOptions {
            keeper: Some(StoredTokens::new(app.clone(), account.id) as Arc<dyn TokenKeeper>),
            ..self.options.clone()
        };
        let built = Arc::new(connector(
            &self.http,
            account,
            &creds,
            &self.youtube_quota,
            &options,
        )?);
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
