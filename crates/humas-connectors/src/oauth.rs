//! OAuth 2.0 authorisation-code flows.
