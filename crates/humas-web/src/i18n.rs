//! Translations. Bahasa Indonesia is the default; English the second language. Messages live
//! in `locales/<lang>/*.ftl` (one file per area) and are compiled into the binary.

use std::borrow::Cow;
use std::collections::HashMap;

use axum::http::HeaderMap;
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{Loader, static_loader};
use humas_domain::{Locale, User};
use unic_langid::{LanguageIdentifier, langid};

static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "id",
        // Unicode isolation marks would show up in titles and confuse tests of plain text.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The cookie set by the language switch.
pub const LANG_COOKIE: &str = "humas_lang";

static ID: LanguageIdentifier = langid!("id");
static EN: LanguageIdentifier = langid!("en");

/// A translator for one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tr {
    /// The language in use.
    pub locale: Locale,
}

impl Tr {
    /// A translator for a language.
    #[must_use]
    pub const fn new(locale: Locale) -> Self {
        Self { locale }
    }

    fn langid(self) -> &'static LanguageIdentifier {
        match self.locale {
            Locale::Id => &ID,
            Locale::En => &EN,
        }
    }

    /// The message for `key`, or the key itself when missing (a test keeps that from shipping).
    #[must_use]
    pub fn t(&self, key: &str) -> String {
        LOCALES
            .try_lookup(self.langid(), key)
            .unwrap_or_else(|| key.to_owned())
    }

    /// The message for `key` with one argument.
    #[must_use]
    pub fn t1(&self, key: &str, name: &'static str, value: &str) -> String {
        let mut args: HashMap<Cow<'static, str>, FluentValue<'_>> = HashMap::new();
        args.insert(Cow::Borrowed(name), FluentValue::from(value.to_owned()));
        LOCALES
            .try_lookup_with_args(self.langid(), key, &args)
            .unwrap_or_else(|| key.to_owned())
    }

    /// The message for `key` with named arguments (e.g. a platform rule's `platform`, `used`
    /// and `limit`), or `None` when this language has no such message or the message needs an
    /// argument that was not given (so the caller can fall back to a complete sentence).
    #[must_use]
    pub fn t_args(&self, key: &str, args: &[(&'static str, String)]) -> Option<String> {
        let mut map: HashMap<Cow<'static, str>, FluentValue<'_>> = HashMap::new();
        for (name, value) in args {
            map.insert(Cow::Borrowed(*name), FluentValue::from(value.clone()));
        }
        LOCALES
            .lookup_single_language(self.langid(), key, Some(&map))
            .ok()
    }

    /// Whether a message exists in this language (not via the fallback).
    #[must_use]
    pub fn has(&self, key: &str) -> bool {
        LOCALES.locales().any(|l| l == self.langid())
            && LOCALES.try_lookup(self.langid(), key).is_some()
    }

    /// The language code, for `<html lang>`.
    #[must_use]
    pub const fn code(&self) -> &'static str {
        self.locale.as_str()
    }

    /// The other language, for the switch.
    #[must_use]
    pub const fn other(&self) -> Locale {
        match self.locale {
            Locale::Id => Locale::En,
            Locale::En => Locale::Id,
        }
    }
}

/// Chooses the language: the switch cookie, then the person's profile, then Bahasa Indonesia.
/// The browser's `Accept-Language` is deliberately not used: many officers run English browsers
/// but the service speaks Indonesian unless someone chooses otherwise.
#[must_use]
pub fn pick(headers: &HeaderMap, user: Option<&User>) -> Tr {
    if let Some(l) =
        crate::session::cookie(headers, LANG_COOKIE).and_then(|v| Locale::parse(&v).ok())
    {
        return Tr::new(l);
    }
    Tr::new(user.map_or(Locale::Id, |u| u.locale))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn keys(lang: &str) -> BTreeSet<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("locales")
            .join(lang);
        let mut out = BTreeSet::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            for line in text.lines() {
                if let Some((k, _)) = line.split_once(" =")
                    && !k.starts_with([' ', '#', '.', '*', '['])
                    && !k.is_empty()
                {
                    out.insert(k.trim().to_owned());
                }
            }
        }
        out
    }

    #[test]
    fn both_locales_have_the_same_keys() {
        let id = keys("id");
        let en = keys("en");
        let only_id: Vec<_> = id.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&id).collect();
        assert!(
            only_id.is_empty() && only_en.is_empty(),
            "only in id: {only_id:?}; only in en: {only_en:?}"
        );
        assert!(
            id.len() > 50,
            "expected a real message set, found {}",
            id.len()
        );
    }

    #[test]
    fn messages_differ_by_language() {
        assert_eq!(Tr::new(Locale::Id).t("nav-home"), "Beranda");
        assert_eq!(Tr::new(Locale::En).t("nav-home"), "Home");
        assert_eq!(Tr::new(Locale::En).t("no-such-key"), "no-such-key");
    }

    #[test]
    fn indonesian_unless_chosen() {
        let mut h = HeaderMap::new();
        h.insert("accept-language", "en-US,en;q=0.9".parse().unwrap());
        assert_eq!(
            pick(&h, None).locale,
            Locale::Id,
            "browser language does not switch"
        );
        h.insert("cookie", "humas_lang=en".parse().unwrap());
        assert_eq!(pick(&h, None).locale, Locale::En, "the switch does");
    }
}
