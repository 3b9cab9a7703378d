//! The OAuth clients Humas is registered as on each platform, read from the file named by the
//! `oauth_clients_file` setting, and the [`OAuthGateway`] that runs the code flow with them.
//!
//! ```toml
//! [x]
//! client_id = "…"
//! client_secret = "…"          # optional (public clients use PKCE only)
//! [tiktok]
//! client_key = "…"
//! client_secret = "…"
//! [meta]                        # Facebook Pages and Instagram
//! app_id = "…"
//! app_secret = "…"
//! [youtube]
//! client_id = "…"
//! client_secret = "…"
//! [mastodon]                    # the app registered on one instance (POST /api/v1/apps)
//! instance = "https://mastodon.social"
//! client_id = "…"
//! client_secret = "…"
//! ```
//! Each table may also set `authorize_url` (the consent host, e.g. for a test platform) and
//! YouTube `token_url`. Token endpoints are the account's own API address.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use async_trait::async_trait;
use humas_app::oauth::{OAuthGateway, TokenGrant};
use humas_connectors::http::Http;
use humas_connectors::oauth::{self, Provider, TokenSet};
use humas_domain::{Account, Platform};
use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;

/// One platform's client.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Client {
    /// Client id (X, YouTube).
    #[serde(default)]
    pub client_id: Option<String>,
    /// Client key (TikTok).
    #[serde(default)]
    pub client_key: Option<String>,
    /// App id (Meta).
    #[serde(default)]
    pub app_id: Option<String>,
    /// Client secret (X optional, TikTok, YouTube).
    #[serde(default)]
    pub client_secret: Option<String>,
    /// App secret (Meta).
    #[serde(default)]
    pub app_secret: Option<String>,
    /// Consent host override.
    #[serde(default)]
    pub authorize_url: Option<String>,
    /// Token host override (YouTube).
    #[serde(default)]
    pub token_url: Option<String>,
    /// The instance the app is registered on (Mastodon: one registration per instance).
    #[serde(default)]
    pub instance: Option<String>,
}

/// The clients file.
#[derive(Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Clients {
    /// X.
    #[serde(default)]
    pub x: Option<Client>,
    /// TikTok.
    #[serde(default)]
    pub tiktok: Option<Client>,
    /// Facebook Pages and Instagram.
    #[serde(default)]
    pub meta: Option<Client>,
    /// YouTube.
    #[serde(default)]
    pub youtube: Option<Client>,
    /// Mastodon, for accounts on the registered instance.
    #[serde(default)]
    pub mastodon: Option<Client>,
}

impl std::fmt::Debug for Clients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Which platforms are configured, never the secrets.
        f.debug_struct("Clients")
            .field("x", &self.x.is_some())
            .field("tiktok", &self.tiktok.is_some())
            .field("meta", &self.meta.is_some())
            .field("youtube", &self.youtube.is_some())
            .field("mastodon", &self.mastodon.is_some())
            .finish()
    }
}

impl Clients {
    /// Reads and checks the file.
    ///
    /// # Errors
    /// When it cannot be read, is not valid TOML, or a table lacks its id or secret.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the OAuth clients file {}", path.display()))?;
        let clients: Self = toml::from_str(&text)
            .with_context(|| format!("the OAuth clients file {} is not valid", path.display()))?;
        for (name, client, id, secret_needed) in [
            ("x", &clients.x, "client_id", false),
            ("tiktok", &clients.tiktok, "client_key", true),
            ("meta", &clients.meta, "app_id", true),
            ("youtube", &clients.youtube, "client_id", true),
            ("mastodon", &clients.mastodon, "client_id", true),
        ] {
            let Some(c) = client else { continue };
            let id_given = match id {
                "client_key" => c.client_key.is_some(),
                "app_id" => c.app_id.is_some(),
                _ => c.client_id.is_some(),
            };
            let secret_given = c.client_secret.is_some() || c.app_secret.is_some();
            if name == "mastodon" && c.instance.as_deref().is_none_or(|i| i.trim().is_empty()) {
                anyhow::bail!(
                    "[mastodon] in {} needs instance (the address the app is registered on, e.g. https://mastodon.social)",
                    path.display()
                );
            }
            if !id_given || (secret_needed && !secret_given) {
                anyhow::bail!(
                    "[{name}] in {} needs {id}{}",
                    path.display(),
                    if secret_needed { " and its secret" } else { "" }
                );
            }
        }
        Ok(clients)
    }
}

/// Runs the code flow with the configured clients.
pub struct ConfiguredOAuth {
    http: Http,
    clients: Clients,
}

impl ConfiguredOAuth {
    /// A gateway over `clients`.
    #[must_use]
    pub fn new(http: Http, clients: Clients) -> Arc<Self> {
        Arc::new(Self { http, clients })
    }

    fn client(&self, platform: Platform) -> Option<&Client> {
        self.client_for(platform, None)
    }

    /// The client for an account: for Mastodon only when the account lives on the instance the
    /// app is registered on (another instance would not know the client).
    fn client_for(&self, platform: Platform, base: Option<&str>) -> Option<&Client> {
        if platform == Platform::Mastodon {
            let client = self.clients.mastodon.as_ref()?;
            let instance = client.instance.as_deref()?.trim_end_matches('/');
            return match base {
                Some(b) if b.trim_end_matches('/') != instance => None,
                _ => Some(client),
            };
        }
        match platform {
            Platform::X => self.clients.x.as_ref(),
            Platform::Tiktok => self.clients.tiktok.as_ref(),
            Platform::Facebook | Platform::Instagram => self.clients.meta.as_ref(),
            Platform::Youtube => self.clients.youtube.as_ref(),
            _ => None,
        }
    }

    fn provider(&self, account: &Account) -> Result<Provider, String> {
        let client = self
            .client_for(account.platform, Some(account.effective_api_base()))
            .ok_or_else(|| {
                format!(
                    "no OAuth client is configured for {} at {}",
                    account.platform,
                    account.effective_api_base()
                )
            })?;
        let base = account.effective_api_base();
        let secret = || {
            client
                .client_secret
                .clone()
                .or_else(|| client.app_secret.clone())
                .map(SecretString::from)
        };
        let need_secret = || secret().ok_or_else(|| "the OAuth client has no secret".to_owned());
        let id = |v: &Option<String>| v.clone().unwrap_or_default();
        match account.platform {
            Platform::X => Ok(Provider::x(
                base,
                client
                    .authorize_url
                    .as_deref()
                    .unwrap_or(oauth::X_AUTHORIZE_BASE),
                &id(&client.client_id),
                secret(),
            )),
            Platform::Tiktok => Ok(Provider::tiktok(
                base,
                client
                    .authorize_url
                    .as_deref()
                    .unwrap_or(oauth::TIKTOK_AUTHORIZE_BASE),
                &id(&client.client_key),
                need_secret()?,
            )),
            Platform::Facebook | Platform::Instagram => Provider::meta(
                base,
                client
                    .authorize_url
                    .as_deref()
                    .unwrap_or(oauth::META_AUTHORIZE_BASE),
                oauth::META_API_VERSION,
                &id(&client.app_id),
                need_secret()?,
            )
            .map_err(|e| e.to_string()),
            Platform::Youtube => Ok(Provider::youtube(
                client
                    .authorize_url
                    .as_deref()
                    .unwrap_or(oauth::GOOGLE_AUTHORIZE_BASE),
                client
                    .token_url
                    .as_deref()
                    .unwrap_or(oauth::GOOGLE_TOKEN_BASE),
                &id(&client.client_id),
                need_secret()?,
            )),
            Platform::Mastodon => Ok(Provider::mastodon(
                base,
                &id(&client.client_id),
                need_secret()?,
            )),
            other => Err(format!(
                "{other} accounts are connected with a token or app password"
            )),
        }
    }
}

impl ConfiguredOAuth {
    /// `GET /api/v1/accounts/verify_credentials`: the id of the account the token acts for.
    async fn mastodon_account_id(
        &self,
        base: &str,
        token: &SecretString,
    ) -> Result<String, String> {
        #[derive(Deserialize)]
        struct Me {
            id: String,
        }
        let url = self
            .http
            .url(base, "/api/v1/accounts/verify_credentials")
            .map_err(|e| e.to_string())?;
        let response = self
            .http
            .client()
            .get(url)
            .bearer_auth(token.expose_secret())
            .send()
            .await
            .map_err(|e| humas_connectors::http::transport_error(&e).to_string())?;
        let status = response.status();
        let body = humas_connectors::http::read_body(response)
            .await
            .map_err(|e| e.to_string())?;
        if !status.is_success() {
            return Err(format!(
                "the instance did not confirm the new token ({status}); try connecting again"
            ));
        }
        humas_connectors::http::parse_json::<Me>(&body)
            .map(|me| me.id)
            .map_err(|e| e.to_string())
    }
}

fn grant(tokens: TokenSet, platform_user_id: Option<String>) -> TokenGrant {
    TokenGrant {
        access_token: tokens.access_token.expose_secret().to_owned(),
        refresh_token: tokens
            .refresh_token
            .as_ref()
            .map(|t| t.expose_secret().to_owned()),
        expires_at: tokens.expires_at,
        refresh_expires_at: tokens.refresh_expires_at,
        platform_user_id: platform_user_id.or(tokens.subject),
    }
}

#[async_trait]
impl OAuthGateway for ConfiguredOAuth {
    fn supports(&self, platform: Platform) -> bool {
        self.client(platform).is_some()
    }

    fn authorize_url(
        &self,
        account: &Account,
        redirect_uri: &str,
        state: &str,
        verifier: &str,
    ) -> Result<String, String> {
        let provider = self.provider(account)?;
        let pkce = provider.pkce.then_some(verifier);
        oauth::authorize_url(&provider, redirect_uri, state, pkce).map_err(|e| e.to_string())
    }

    async fn exchange(
        &self,
        account: &Account,
        code: &str,
        redirect_uri: &str,
        verifier: &str,
    ) -> Result<TokenGrant, String> {
        let provider = self.provider(account)?;
        let now = jiff::Timestamp::now();
        let pkce = provider.pkce.then_some(verifier);
        let tokens = oauth::exchange_code(&self.http, &provider, code, redirect_uri, pkce, now)
            .await
            .map_err(|e| e.to_string())?;
        if account.platform == Platform::Mastodon {
            // The token answer does not name the account; publishing needs its id.
            let id = self
                .mastodon_account_id(account.effective_api_base(), &tokens.access_token)
                .await?;
            return Ok(grant(tokens, Some(id)));
        }
        if !matches!(account.platform, Platform::Facebook | Platform::Instagram) {
            return Ok(grant(tokens, None));
        }
        // Meta: the user token becomes long-lived, then the Page's own token is what publishes
        // (it does not expire while the long-lived user token was used to read it).
        let long = oauth::meta_long_lived(&self.http, &provider, &tokens.access_token, now)
            .await
            .map_err(|e| e.to_string())?;
        let secret = provider.client_secret.clone();
        let pages = oauth::meta_page_tokens(
            &self.http,
            account.effective_api_base(),
            oauth::META_API_VERSION,
            &long.access_token,
            secret.as_ref(),
        )
        .await
        .map_err(|e| e.to_string())?;
        let handle = account
            .handle
            .as_ref()
            .trim_start_matches('@')
            .to_lowercase();
        let chosen = pages.iter().find(|p| {
            p.page_id == handle
                || p.name.to_lowercase() == handle
                || p.instagram_business_account.as_deref() == Some(handle.as_str())
        });
        let page = match (chosen, pages.as_slice()) {
            (Some(p), _) => p,
            (None, [only]) => only,
            (None, []) => return Err("the Facebook login manages no Page".to_owned()),
            (None, _) => {
                return Err(format!(
                    "the login manages {} Pages; set the account's handle to the Page id to choose one",
                    pages.len()
                ));
            }
        };
        let platform_user_id = if account.platform == Platform::Instagram {
            Some(page.instagram_business_account.clone().ok_or_else(|| {
                format!(
                    "the Page {} has no Instagram professional account linked",
                    page.name
                )
            })?)
        } else {
            Some(page.page_id.clone())
        };
        Ok(TokenGrant {
            access_token: page.access_token.expose_secret().to_owned(),
            refresh_token: None,
            expires_at: None,
            refresh_expires_at: None,
            platform_user_id,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn write(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    #[test]
    fn a_clients_file_is_checked_table_by_table() {
        let ok = write(
            "[x]\nclient_id = \"abc\"\n[tiktok]\nclient_key = \"k\"\nclient_secret = \"s\"\n",
        );
        let clients = Clients::load(ok.path()).unwrap();
        let http = Http::new(humas_feeds::FetchOptions::default()).unwrap();
        let gateway = ConfiguredOAuth::new(http, clients);
        assert!(gateway.supports(Platform::X));
        assert!(gateway.supports(Platform::Tiktok));
        assert!(!gateway.supports(Platform::Instagram));

        let missing_secret = write("[meta]\napp_id = \"1\"\n");
        let err = Clients::load(missing_secret.path())
            .unwrap_err()
            .to_string();
        assert!(err.contains("[meta]") && err.contains("secret"), "{err}");
        let typo = write("[x]\nclient_idd = \"abc\"\n");
        assert!(Clients::load(typo.path()).is_err());
        let no_instance = write("[mastodon]\nclient_id = \"a\"\nclient_secret = \"b\"\n");
        let err = Clients::load(no_instance.path()).unwrap_err().to_string();
        assert!(err.contains("instance"), "{err}");
    }

    #[test]
    fn the_consent_address_carries_pkce_for_x() {
        let f = write("[x]\nclient_id = \"humas-app\"\n");
        let gateway = ConfiguredOAuth::new(
            Http::new(humas_feeds::FetchOptions::default()).unwrap(),
            Clients::load(f.path()).unwrap(),
        );
        let account = Account {
            id: humas_domain::AccountId::generate(),
            opd: humas_domain::OpdId::generate(),
            platform: Platform::X,
            handle: humas_domain::AccountHandle::parse("@dinkesjatim").unwrap(),
            api_base_url: None,
            status: humas_domain::AccountStatus::Active,
        };
        let verifier = "a".repeat(43);
        let url = gateway
            .authorize_url(
                &account,
                "https://humas.jatimprov.go.id/oauth/callback",
                "st4te",
                &verifier,
            )
            .unwrap();
        assert!(
            url.starts_with("https://x.com/i/oauth2/authorize?"),
            "{url}"
        );
        assert!(
            url.contains("code_challenge_method=S256") && url.contains("state=st4te"),
            "{url}"
        );
        assert!(!url.contains(&verifier), "the verifier itself never leaves");
    }
}

#[cfg(test)]
mod mastodon_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn mastodon_accounts_use_the_client_only_on_its_instance() {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(
            f.path(),
            "[mastodon]\ninstance = \"https://sosial.example\"\nclient_id = \"humas\"\nclient_secret = \"s\"\n",
        )
        .unwrap();
        let gateway = ConfiguredOAuth::new(
            Http::new(humas_feeds::FetchOptions::default()).unwrap(),
            Clients::load(f.path()).unwrap(),
        );
        let account = |base: &str| Account {
            id: humas_domain::AccountId::generate(),
            opd: humas_domain::OpdId::generate(),
            platform: Platform::Mastodon,
            handle: humas_domain::AccountHandle::parse("@dinkes@sosial.example").unwrap(),
            api_base_url: Some(humas_domain::ApiBaseUrl::parse(base).unwrap()),
            status: humas_domain::AccountStatus::Active,
        };
        let url = gateway
            .authorize_url(
                &account("https://sosial.example"),
                "https://humas.example/oauth/callback",
                "st",
                &"v".repeat(43),
            )
            .unwrap();
        assert!(
            url.starts_with("https://sosial.example/oauth/authorize?"),
            "{url}"
        );
        let other = gateway
            .authorize_url(
                &account("https://mastodon.social"),
                "https://humas.example/oauth/callback",
                "st",
                &"v".repeat(43),
            )
            .unwrap_err();
        assert!(other.contains("mastodon.social"), "{other}");
    }

    #[tokio::test]
    async fn a_mastodon_exchange_learns_the_account_id() {
        use axum::Json;
        use axum::routing::{get, post};
        let app = axum::Router::new()
            .route(
                "/oauth/token",
                post(|body: String| async move {
                    assert!(body.contains("code=kode") && body.contains("client_id=humas"), "{body}");
                    Json(serde_json::json!({"access_token": "tok-123", "token_type": "Bearer", "scope": "read write"}))
                }),
            )
            .route(
                "/api/v1/accounts/verify_credentials",
                get(|headers: axum::http::HeaderMap| async move {
                    assert_eq!(headers["authorization"], "Bearer tok-123");
                    Json(serde_json::json!({"id": "109876", "username": "dinkes"}))
                }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(
            f.path(),
            format!(
                "[mastodon]\ninstance = \"{base}\"\nclient_id = \"humas\"\nclient_secret = \"s\"\n"
            ),
        )
        .unwrap();
        let http = Http::new(humas_feeds::FetchOptions {
            allow_private: true,
            ..humas_feeds::FetchOptions::default()
        })
        .unwrap();
        let gateway = ConfiguredOAuth::new(http, Clients::load(f.path()).unwrap());
        let account = Account {
            id: humas_domain::AccountId::generate(),
            opd: humas_domain::OpdId::generate(),
            platform: Platform::Mastodon,
            handle: humas_domain::AccountHandle::parse("@dinkes@sosial.example").unwrap(),
            api_base_url: Some(humas_domain::ApiBaseUrl::parse(&base).unwrap()),
            status: humas_domain::AccountStatus::Active,
        };
        let grant = gateway
            .exchange(
                &account,
                "kode",
                "https://humas.example/oauth/callback",
                &"v".repeat(43),
            )
            .await
            .unwrap();
        assert_eq!(grant.access_token, "tok-123");
        assert_eq!(grant.platform_user_id.as_deref(), Some("109876"));
    }
}
