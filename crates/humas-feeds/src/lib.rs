//! Online news monitoring from RSS 2.0 and Atom 1.0 feeds.
//!
//! * [`parse`] is pure: [`parse::parse_feed`] turns feed bytes into [`parse::Feed`] items with
//!   plain-text titles and summaries, stable ids and UTC dates, coping with the quirks of
//!   Indonesian news sites (WIB/WITA/WIT, Indonesian month names, windows-1252, HTML in CDATA)
//!   and refusing XML bombs and oversized input.
//! * [`fetch`] is the HTTP side: conditional GET (ETag/Last-Modified), `Retry-After` on 429/503,
//!   size and redirect caps, timeouts, and SSRF protection that checks every address a host
//!   resolves to, at connect time and after each redirect.
//!
//! **Invariants:**
//! - No XML entity is ever expanded from a DTD; a DOCTYPE with entity declarations is refused.
//!   Input is capped at [`parse::MAX_FEED_BYTES`] and [`parse::MAX_DEPTH`]; no input panics.
//! - A bad date never drops an item: it is flagged ([`parse::ItemFlag`]). Dates more than
//!   [`parse::FUTURE_TOLERANCE`] ahead are clamped to the parse time and flagged. The only
//!   clock read in [`parse`] is [`parse_feed`]'s `now`; [`parse::parse_feed_at`] takes it.
//! - Internal addresses are refused unless [`FetchOptions::allow_private`] or
//!   [`FetchOptions::allowed_addresses`] says otherwise, on every connection and redirect.
//!
//! **Entry points:** [`parse_feed`], [`Fetcher::fetch`]; `humas feed fetch` on the command line.

pub mod fetch;
pub mod parse;

pub use fetch::{FetchError, FetchOptions, FetchOutcome, Fetched, Fetcher, Validators};
pub use parse::{Feed, FeedError, Item, parse_feed};
