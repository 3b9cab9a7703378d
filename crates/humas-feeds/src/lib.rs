//! Online news monitoring from RSS 2.0 and Atom 1.0 feeds.
//!
//! * [`parse`] is pure: [`parse::parse_feed`] turns feed bytes into [`parse::Feed`] items with
//!   plain-text titles and summaries, stable ids and UTC dates, coping with the quirks of
//!   Indonesian news sites (WIB/WITA/WIT, Indonesian month names, windows-1252, HTML in CDATA)
//!   and refusing XML bombs and oversized input.
//! * [`fetch`] is the HTTP side: conditional GET (ETag/Last-Modified), `Retry-After` on 429/503,
//!   size and redirect caps, timeouts, and SSRF protection that checks every address a host
//!   resolves to, at connect time and after each redirect.

pub mod fetch;
pub mod parse;

pub use fetch::{FetchError, FetchOptions, FetchOutcome, Fetched, Fetcher, Validators};
pub use parse::{Feed, FeedError, Item, parse_feed};
