//! Browser end-to-end tests of Humas, and nothing else.
//!
//! This crate has no code of its own: `tests/browser.rs` starts the real application in-process
//! on a real socket (SQLite in a temporary folder, demo data), starts `chromedriver`, and drives
//! Debian's `chromium` through WebDriver (`fantoccini`) the way a person would: signing in,
//! filling forms, signing out.
//!
//! Needs the Debian packages `chromium` and `chromium-driver` (`/usr/bin/chromium`,
//! `/usr/bin/chromedriver`). Without them the test prints a notice and passes, unless the
//! environment variable `CI` is set, where it fails so the browser test cannot silently vanish.
//!
//! Run with `cargo test -p humas-e2e`. A screenshot of the OPD list as an operator sees it is
//! written to `target/e2e/operator-opds.png`.
