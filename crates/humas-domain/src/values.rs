//! Validated values. Every input from a form, the API, the command line or a file becomes one of
//! these before it reaches a use case; the inner value stays private.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why an input was refused. Each variant has a stable [`ValueError::code`] that the web layer
/// translates; the `Display` text is the English explanation used by the CLI and logs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    /// A slug that is not 2–40 lowercase letters, digits and hyphens.
    #[error(
        "slug must be 2–40 characters of lowercase letters (a-z), digits and hyphens, starting with a letter, e.g. `dinkes`"
    )]
    Slug,
    /// An OPD name of the wrong length.
    #[error("name must be 3–200 characters")]
    OpdName,
    /// A display name of the wrong length.
    #[error("display name must be 1–100 characters")]
    DisplayName,
    /// A username that breaks the pattern.
    #[error(
        "username must be 3–32 characters: lowercase letters, digits, dot, underscore or hyphen, starting with a letter"
    )]
    Username,
    /// A password that is too short or too long.
    #[error("password must be 10–128 characters")]
    Password,
    /// An account handle that is empty, too long or contains spaces.
    #[error("handle must be 1–200 characters without spaces, e.g. `@dinkesjatim`")]
    Handle,
    /// An API base URL that is not an absolute http(s) URL.
    #[error(
        "API base URL must be an absolute http:// or https:// address without user or password"
    )]
    ApiBaseUrl,
    /// A value that is not one of a fixed set.
    #[error("unknown {field} `{value}`; expected one of: {expected}")]
    UnknownChoice {
        /// The field that was being parsed.
        field: &'static str,
        /// What was given (trimmed, cut to 40 characters).
        value: String,
        /// The accepted values, comma separated.
        expected: &'static str,
    },
    /// A date range whose end precedes its start.
    #[error("the end date must not be before the start date")]
    DateRange,
    /// A date that is not `YYYY-MM-DD`.
    #[error("date must be written as YYYY-MM-DD, e.g. 2026-11-28")]
    Date,
    /// A role that needs an OPD was given none, or the reverse.
    #[error("{0}")]
    RoleScope(&'static str),
    /// A user cannot delegate to themselves.
    #[error("a delegation must go to another person")]
    SelfDelegation,
    /// A platform message id that is empty, too long or has control characters.
    #[error("a message id must be 1–256 characters without control characters")]
    ExternalId,
    /// A message author that is empty or too long.
    #[error("the author must be 1–200 characters")]
    Author,
    /// Message text over the limit.
    #[error("message text must be at most 65,536 bytes; split longer documents")]
    MessageText,
    /// A message with neither text nor title.
    #[error("a message needs text (or, for news, a title)")]
    EmptyMessage,
    /// A note or reason that is empty or too long.
    #[error("{0} must be 1–2,000 characters")]
    Note(&'static str),
    /// A response period (named by its field) outside 1–365 days.
    #[error("{0} must be between 1 and 365 days")]
    ClockDays(&'static str),
    /// A resolution period (named by its field) shorter than the first-response period.
    #[error(
        "{0} must not be shorter than first_response_days; lengthen it or shorten the first response period"
    )]
    ClockOrder(&'static str),
    /// A post text or title that cannot be used, with what to fix.
    #[error("{0}")]
    PostText(String),
    /// A publication time that cannot be used, with what to fix.
    #[error("{0}")]
    Schedule(String),
}

impl ValueError {
    /// A stable code, used as the translation key suffix (`error-<code>`) and in API errors.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        match self {
            Self::Slug => "invalid_slug",
            Self::OpdName => "invalid_opd_name",
            Self::DisplayName => "invalid_display_name",
            Self::Username => "invalid_username",
            Self::Password => "invalid_password",
            Self::Handle => "invalid_handle",
            Self::ApiBaseUrl => "invalid_api_base_url",
            Self::UnknownChoice { .. } => "invalid_choice",
            Self::DateRange => "invalid_date_range",
            Self::Date => "invalid_date",
            Self::RoleScope(_) => "invalid_role_scope",
            Self::SelfDelegation => "self_delegation",
            Self::ExternalId => "invalid_external_id",
            Self::Author => "invalid_author",
            Self::MessageText => "message_too_long",
            Self::EmptyMessage => "empty_message",
            Self::Note(_) => "invalid_note",
            Self::ClockDays(_) => "invalid_clock_days",
            Self::ClockOrder(_) => "invalid_clock_order",
            Self::PostText(_) => "invalid_post_text",
            Self::Schedule(_) => "invalid_schedule",
        }
    }

    /// A value that is not one of a fixed set: names the field, what was given (cut to 40
    /// characters) and what is accepted.
    #[must_use]
    pub fn unknown(field: &'static str, value: &str, expected: &'static str) -> Self {
        Self::UnknownChoice {
            field,
            value: value.trim().chars().take(40).collect(),
            expected: expected.trim_end_matches([',', ' ']),
        }
    }
}

fn char_len_between(s: &str, min: usize, max: usize) -> bool {
    let n = s.chars().count();
    (min..=max).contains(&n)
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

macro_rules! string_value {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValueError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.0
            }
        }
    };
}

string_value!(
    /// A URL-safe short name for an OPD, e.g. `dinkes`.
    Slug
);
impl Slug {
    /// Parses a slug: 2–40 of `a-z0-9-`, starting with a letter, no trailing or doubled hyphen.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        let ok = char_len_between(s, 2, 40)
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && !s.ends_with('-')
            && !s.contains("--")
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(ValueError::Slug)
        }
    }
}

string_value!(
    /// The official name of an OPD, e.g. `Dinas Kesehatan`.
    OpdName
);
impl OpdName {
    /// Parses a name of 3–200 characters after trimming, without control characters.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        if char_len_between(s, 3, 200) && !has_control(s) {
            Ok(Self(s.to_owned()))
        } else {
            Err(ValueError::OpdName)
        }
    }
}

string_value!(
    /// A person's name as shown in the UI.
    DisplayName
);
impl DisplayName {
    /// Parses a name of 1–100 characters after trimming, without control characters.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        if char_len_between(s, 1, 100) && !has_control(s) {
            Ok(Self(s.to_owned()))
        } else {
            Err(ValueError::DisplayName)
        }
    }
}

string_value!(
    /// The name a person signs in with.
    Username
);
impl Username {
    /// Parses a username: 3–32 of `a-z0-9._-`, starting with a letter. Upper case is folded.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim().to_ascii_lowercase();
        let ok = char_len_between(&s, 3, 32)
            && s.starts_with(|c: char| c.is_ascii_lowercase())
            && s.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-')
            });
        if ok {
            Ok(Self(s))
        } else {
            Err(ValueError::Username)
        }
    }

    /// The name the audit log gives the `humas` command line.
    #[must_use]
    pub fn cli() -> Self {
        Self("cli".to_owned())
    }
}

string_value!(
    /// A handle on a platform (`@dinkesjatim`) or, for news feeds, the feed address.
    AccountHandle
);
impl AccountHandle {
    /// Parses a handle: 1–200 characters without whitespace or control characters.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        let ok =
            char_len_between(s, 1, 200) && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(ValueError::Handle)
        }
    }
}

string_value!(
    /// Where a platform's API lives, so self-hosted instances (Mastodon) and test fakes work.
    ApiBaseUrl
);
impl ApiBaseUrl {
    /// Parses an absolute `http` or `https` URL with a host and no credentials. A trailing
    /// slash is removed so paths can be appended uniformly.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        let s = raw.trim();
        let url = url::Url::parse(s).map_err(|_| ValueError::ApiBaseUrl)?;
        let ok = matches!(url.scheme(), "http" | "https")
            && url.host_str().is_some_and(|h| !h.is_empty())
            && url.username().is_empty()
            && url.password().is_none()
            && s.len() <= 500;
        if ok {
            Ok(Self(s.trim_end_matches('/').to_owned()))
        } else {
            Err(ValueError::ApiBaseUrl)
        }
    }
}

/// A new password in clear text, checked for length only (NIST 800-63B: no composition rules).
/// It never implements `Display` or `Serialize`, and its `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Accepts 10–128 characters. Surrounding whitespace is kept: it is part of the secret.
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        if char_len_between(raw, 10, 128) {
            Ok(Self(raw.to_owned()))
        } else {
            Err(ValueError::Password)
        }
    }

    /// The secret, for hashing only.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// Parses a civil date written `YYYY-MM-DD`.
pub fn parse_date(raw: &str) -> Result<jiff::civil::Date, ValueError> {
    raw.trim().parse().map_err(|_| ValueError::Date)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(Slug::parse(" dinkes ").unwrap().as_ref(), "dinkes");
        assert!(Slug::parse("rsud-soetomo").is_ok());
        for bad in [
            "", "a", "Dinkes", "1abc", "din kes", "din--kes", "dinkes-", "dinkés",
        ] {
            assert_eq!(Slug::parse(bad), Err(ValueError::Slug), "{bad:?}");
        }
    }

    #[test]
    fn usernames_fold_case() {
        assert_eq!(
            Username::parse("Admin.Jatim").unwrap().as_ref(),
            "admin.jatim"
        );
        assert!(Username::parse("ab").is_err());
        assert!(Username::parse("9lives").is_err());
        assert!(Username::parse("a b c").is_err());
    }

    #[test]
    fn names_trim_and_bound() {
        assert_eq!(
            OpdName::parse("  Dinas Kesehatan ").unwrap().as_ref(),
            "Dinas Kesehatan"
        );
        assert!(OpdName::parse("ab").is_err());
        assert!(OpdName::parse(&"x".repeat(201)).is_err());
        assert!(OpdName::parse("Dinas\u{0}Kes").is_err());
        assert!(DisplayName::parse("").is_err());
    }

    #[test]
    fn passwords_hide_in_debug() {
        let p = Password::parse("sangat-rahasia-123").unwrap();
        assert_eq!(format!("{p:?}"), "Password(***)");
        assert!(Password::parse("short").is_err());
    }

    #[test]
    fn api_base_urls() {
        assert_eq!(
            ApiBaseUrl::parse("https://mastodon.jatimprov.go.id/")
                .unwrap()
                .as_ref(),
            "https://mastodon.jatimprov.go.id"
        );
        assert!(ApiBaseUrl::parse("http://127.0.0.1:9000").is_ok());
        for bad in [
            "ftp://x.id",
            "not a url",
            "https://user:pw@x.id",
            "file:///etc/passwd",
        ] {
            assert_eq!(ApiBaseUrl::parse(bad), Err(ValueError::ApiBaseUrl), "{bad}");
        }
    }

    #[test]
    fn handles() {
        assert!(AccountHandle::parse("@dinkesjatim").is_ok());
        assert!(AccountHandle::parse("has space").is_err());
        assert!(AccountHandle::parse("").is_err());
    }

    #[test]
    fn serde_goes_through_parse() {
        let bad: Result<Slug, _> = serde_json::from_str("\"Bad Slug\"");
        assert!(bad.is_err());
        let good: Slug = serde_json::from_str("\"bpbd\"").unwrap();
        assert_eq!(good.as_ref(), "bpbd");
    }
}
