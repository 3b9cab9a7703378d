//! Indonesian text analysis for Humas.
//!
//! Reads public comments the way an experienced operator would: in slang, leetspeak, Javanese
//! (Suroboyoan) or Madurese. This crate owns normalisation ([`normalize`]), typed tokens with
//! spans ([`tokenize`]), personal-data detection and redaction ([`pii`]), and near-duplicate
//! fingerprints ([`fingerprint`]).
//!
//! **Invariants:** pure functions only: no I/O, no async, no global mutable state, and no
//! dependency on the rest of Humas, so it can be published and fuzzed on its own. Any string,
//! of any length and content, gets an answer; nothing here panics.
//!
//! ```
//! use humas_nlp_id::{normalize, fingerprint};
//! assert_eq!(normalize("pelayanan lemot bgt!!!"), "pelayanan lemot banget !");
//! let a = fingerprint::simhash("hoaks vaksin isinya chip, sebarkan!");
//! let b = fingerprint::simhash("HOAKS vaksin isinya chip,  sebarkan!!!");
//! assert!(fingerprint::distance(a, b) <= fingerprint::NEAR_DUPLICATE_BITS);
//! ```

#![warn(missing_docs)]

pub mod analysis;
pub mod classify;
pub mod corpus;
pub mod fingerprint;
pub mod intent;
mod lexicon;
pub mod normalize;
pub mod pii;
pub mod stem;
pub mod threat;
pub mod tokens;

pub use analysis::{Analysis, analyze, analyze_batch};
pub use lexicon::standard_form;
pub use normalize::normalize;
pub use tokens::{Token, TokenKind, tokenize};
