//! Telegram Bot API (shared brief `platform-apis.md`, section 9.1): posting to a channel.
