//! The organisation: the province's OPDs and their official accounts.

use serde::{Deserialize, Serialize};

use crate::ids::{AccountId, OpdId};
use crate::values::{AccountHandle, ApiBaseUrl, OpdName, Slug, ValueError};

/// Declares a closed set of choices with a stable lowercase name for storage, forms and the API.
macro_rules! choice_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            /// Every choice, in display order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The stable lowercase name.
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            /// Parses the stable name (case-insensitive).
            pub fn parse(raw: &str) -> Result<Self, ValueError> {
                let s = raw.trim().to_ascii_lowercase();
                match s.as_str() {
                    $($text => Ok(Self::$variant),)+
                    _ => Err(ValueError::unknown($field, raw, concat!($($text, ", "),+))),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use choice_enum;

choice_enum!(
    /// What kind of agency an OPD is.
    OpdKind, "OPD kind" {
        /// A service office (Dinas).
        Dinas => "dinas",
        /// An agency (Badan).
        Badan => "badan",
        /// A bureau of the regional secretariat (Biro).
        Biro => "biro",
        /// A regional public hospital (RSUD).
        Rsud => "rsud",
        /// Secretariats, the inspectorate, Satpol PP and the rest.
        Other => "other",
    }
);

choice_enum!(
    /// A platform an official account lives on.
    Platform, "platform" {
        /// Instagram (Meta Graph API).
        Instagram => "instagram",
        /// Facebook Pages (Meta Graph API).
        Facebook => "facebook",
        /// X (formerly Twitter).
        X => "x",
        /// TikTok.
        Tiktok => "tiktok",
        /// YouTube.
        Youtube => "youtube",
        /// Mastodon (any instance).
        Mastodon => "mastodon",
        /// Bluesky (AT Protocol).
        Bluesky => "bluesky",
        /// Telegram channel.
        Telegram => "telegram",
        /// An online news feed (RSS or Atom).
        Rss => "rss",
    }
);

impl Platform {
    /// The documented public API address, used when an account has no override.
    #[must_use]
    pub const fn default_api_base(self) -> &'static str {
        match self {
            Self::Instagram | Self::Facebook => "https://graph.facebook.com",
            Self::X => "https://api.x.com",
            Self::Tiktok => "https://open.tiktokapis.com",
            Self::Youtube => "https://www.googleapis.com",
            Self::Mastodon => "https://mastodon.social",
            Self::Bluesky => "https://bsky.social",
            Self::Telegram => "https://api.telegram.org",
            Self::Rss => "",
        }
    }
}

choice_enum!(
    /// Whether Humas can use an account right now.
    AccountStatus, "account status" {
        /// Connected and in use.
        Active => "active",
        /// Deliberately paused by the OPD.
        Paused => "paused",
        /// The platform token expired; someone must reconnect it.
        TokenExpired => "token_expired",
        /// Not connected yet, or disconnected.
        Disconnected => "disconnected",
    }
);

/// An OPD as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Opd {
    /// Identifier.
    pub id: OpdId,
    /// Short URL name, unique.
    pub slug: Slug,
    /// Official name.
    pub name: OpdName,
    /// Kind of agency.
    pub kind: OpdKind,
    /// The parent OPD, e.g. Sekretariat Daerah for its bureaus.
    pub parent: Option<OpdId>,
}

/// An official account as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// Identifier.
    pub id: AccountId,
    /// Owning OPD.
    pub opd: OpdId,
    /// Platform.
    pub platform: Platform,
    /// Handle or feed address; unique per platform.
    pub handle: AccountHandle,
    /// API address override; `None` means the platform's documented default.
    pub api_base_url: Option<ApiBaseUrl>,
    /// Connection status.
    pub status: AccountStatus,
}

impl Account {
    /// The API address to talk to: the override, else the platform default.
    #[must_use]
    pub fn effective_api_base(&self) -> &str {
        self.api_base_url
            .as_ref()
            .map_or(self.platform.default_api_base(), AsRef::as_ref)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_round_trip() {
        for p in Platform::ALL {
            assert_eq!(Platform::parse(p.as_str()).unwrap(), *p);
        }
        for k in OpdKind::ALL {
            assert_eq!(OpdKind::parse(&k.as_str().to_uppercase()).unwrap(), *k);
        }
    }

    #[test]
    fn unknown_choice_names_the_options() {
        let err = Platform::parse("myspace").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("myspace") && msg.contains("mastodon"), "{msg}");
    }

    #[test]
    fn effective_api_base_prefers_override() {
        let mut a = Account {
            id: AccountId::generate(),
            opd: OpdId::generate(),
            platform: Platform::Mastodon,
            handle: AccountHandle::parse("@diskominfo").unwrap(),
            api_base_url: None,
            status: AccountStatus::Active,
        };
        assert_eq!(a.effective_api_base(), "https://mastodon.social");
        a.api_base_url = Some(ApiBaseUrl::parse("http://127.0.0.1:4000").unwrap());
        assert_eq!(a.effective_api_base(), "http://127.0.0.1:4000");
    }
}
