//! TikTok Content Posting API (shared brief `platform-apis.md`, section 5).
