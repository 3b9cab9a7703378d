//! Query strings and pagination.
//!
//! Each endpoint names the parameters it knows; any other is refused, so a typo such as
//! `?limt=5` is reported instead of silently ignored. Failures are 400 `malformed_body`.
//!
//! The small collections (OPDs, accounts, people, delegations) are paged over the list the
//! application returns: the cursor is the decimal offset of the next item.

use std::collections::HashMap;
use std::str::FromStr;

use axum::http::{StatusCode, Uri};
use serde::Serialize;

use crate::error::Failure;

/// Items per page of the small collections, unless `?limit=` says otherwise.
pub(crate) const DEFAULT_LIMIT: usize = 100;
/// The largest `?limit=` accepted anywhere.
pub(crate) const MAX_LIMIT: usize = 1000;

/// A refused query parameter.
pub(crate) fn bad_query(message: impl Into<String>) -> Failure {
    Failure::new(StatusCode::BAD_REQUEST, "malformed_body", message)
}

/// The parameters of one request, checked against what the endpoint accepts.
#[derive(Debug)]
pub(crate) struct Params(HashMap<String, String>);

impl Params {
    /// Reads the query string; refuses parameters not in `known`.
    pub(crate) fn read(uri: &Uri, known: &[&str]) -> Result<Self, Failure> {
        let map = crate::extract::query_params(uri);
        if let Some(unknown) = map.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(bad_query(format!(
                "unknown query parameter `{unknown}`; this endpoint accepts: {}",
                known.join(", ")
            )));
        }
        Ok(Self(map))
    }

    /// A parameter's text, trimmed; empty counts as absent.
    pub(crate) fn text(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    /// A parameter parsed into `T`; `expected` says what it should look like.
    pub(crate) fn parse<T: FromStr>(
        &self,
        key: &str,
        expected: &str,
    ) -> Result<Option<T>, Failure> {
        self.text(key)
            .map(|raw| {
                raw.parse()
                    .map_err(|_| bad_query(format!("`{key}` must be {expected}, got `{raw}`")))
            })
            .transpose()
    }

    /// `?limit=`: 1 to [`MAX_LIMIT`], `default` when absent.
    pub(crate) fn limit(&self, default: usize) -> Result<usize, Failure> {
        let expected = "a whole number from 1 to 1000";
        match self.parse::<usize>("limit", expected)? {
            None => Ok(default),
            Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            Some(n) => Err(bad_query(format!("`limit` must be {expected}, got `{n}`"))),
        }
    }
}

/// One page of a list, as every list endpoint answers.
#[derive(Debug, Serialize)]
pub(crate) struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Pass as `?cursor=` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Which slice of a small collection to answer: `?cursor=` (an offset) and `?limit=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Window {
    offset: usize,
    limit: usize,
}

impl Window {
    /// The parameters every small-collection list accepts besides its own filters.
    pub(crate) const PARAMS: [&'static str; 2] = ["limit", "cursor"];

    /// Reads `?limit=` and `?cursor=`.
    pub(crate) fn read(params: &Params) -> Result<Self, Failure> {
        let offset = params
            .parse::<usize>("cursor", "a `next_cursor` from an earlier page")?
            .unwrap_or(0);
        Ok(Self {
            offset,
            limit: params.limit(DEFAULT_LIMIT)?,
        })
    }

    /// Cuts this window out of the whole list and converts each item.
    pub(crate) fn page<S, T>(self, all: &[S], convert: impl Fn(&S) -> T) -> Page<T> {
        let items: Vec<T> = all
            .iter()
            .skip(self.offset)
            .take(self.limit)
            .map(convert)
            .collect();
        let end = self.offset.saturating_add(items.len());
        let next_cursor = (!items.is_empty() && end < all.len()).then(|| end.to_string());
        Page { items, next_cursor }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(q: &str, known: &[&str]) -> Result<Params, Failure> {
        let uri: Uri = format!("/x?{q}").parse().unwrap();
        Params::read(&uri, known)
    }

    fn window(q: &str) -> Result<Window, Failure> {
        Window::read(&params(q, &Window::PARAMS)?)
    }

    #[test]
    fn unknown_parameters_are_refused() {
        let f = params("limt=5", &["limit"]).unwrap_err();
        assert_eq!(
            (f.status, f.code),
            (StatusCode::BAD_REQUEST, "malformed_body")
        );
        assert!(f.message.contains("limt"), "{}", f.message);
    }

    #[test]
    fn limits_are_bounded() {
        assert_eq!(
            window("").unwrap(),
            Window {
                offset: 0,
                limit: DEFAULT_LIMIT
            }
        );
        assert_eq!(
            window("limit=1000&cursor=7").unwrap(),
            Window {
                offset: 7,
                limit: 1000
            }
        );
        for bad in [
            "limit=0",
            "limit=1001",
            "limit=-1",
            "limit=ten",
            "cursor=-3",
            "cursor=x",
        ] {
            assert!(window(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pages_walk_the_whole_list_once() {
        let all: Vec<u32> = (0..12).collect();
        let mut seen = Vec::new();
        let mut w = Window {
            offset: 0,
            limit: 5,
        };
        loop {
            let page = w.page(&all, |n| *n);
            seen.extend(page.items);
            match page.next_cursor {
                Some(c) => w.offset = c.parse().unwrap(),
                None => break,
            }
        }
        assert_eq!(seen, all);
    }

    #[test]
    fn the_last_full_page_has_no_cursor() {
        let all = [1, 2, 3, 4];
        let page = Window {
            offset: 2,
            limit: 2,
        }
        .page(&all, |n| *n);
        assert_eq!((page.items, page.next_cursor), (vec![3, 4], None));
        let past_end = Window {
            offset: 9,
            limit: 2,
        }
        .page(&all, |n| *n);
        assert!(past_end.items.is_empty() && past_end.next_cursor.is_none());
    }
}
