//! Mapping driver errors to [`StoreError`]. Constraint names come from the migrations, where
//! every constraint is named explicitly.

use humas_store::StoreError;
use sqlx::error::ErrorKind;

/// Which uniqueness rule a unique constraint stands for.
fn conflict_name(constraint: &str) -> Option<&'static str> {
    Some(match constraint {
        "opds_slug_key" => "opd_slug",
        "accounts_platform_handle_key" => "account_handle",
        "users_username_key" => "username",
        "sessions_pkey" => "session",
        "api_tokens_hash_key" | "api_tokens_pkey" => "api_token",
        // A reused identifier: the same word the SQLite backend uses.
        "opds_pkey"
        | "accounts_pkey"
        | "users_pkey"
        | "delegations_pkey"
        | "messages_pkey"
        | "message_notes_pkey"
        | "message_replies_pkey"
        | "routing_rules_pkey" => "record",
        _ => return None,
    })
}

/// What kind of thing a foreign key points at.
fn reference_name(constraint: &str) -> Option<&'static str> {
    Some(match constraint {
        "opds_parent_fkey"
        | "accounts_opd_fkey"
        | "users_opd_fkey"
        | "delegations_opd_fkey"
        | "messages_opd_fkey"
        | "saved_replies_opd_fkey"
        | "routing_rules_opd_fkey"
        | "clock_policies_opd_fkey" => "opd",
        "messages_account_fkey"
        | "ingest_cursors_account_fkey"
        | "account_retention_account_fkey" => "account",
        "message_notes_message_fkey" | "message_replies_message_fkey" => "message",
        "delegations_from_user_fkey"
        | "delegations_to_user_fkey"
        | "sessions_user_fkey"
        | "api_tokens_user_fkey" => "user",
        _ => return None,
    })
}

/// Maps a driver error: named unique and foreign-key violations become `Conflict` and
/// `UnknownReference`; everything else is `Backend`. `RowNotFound` is handled by the callers,
/// who know what was missing.
pub(crate) fn db(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(d) = &e {
        let mapped = match d.kind() {
            ErrorKind::UniqueViolation => d
                .constraint()
                .and_then(conflict_name)
                .map(StoreError::Conflict),
            ErrorKind::ForeignKeyViolation => d
                .constraint()
                .and_then(reference_name)
                .map(StoreError::UnknownReference),
            _ => None,
        };
        if let Some(mapped) = mapped {
            return mapped;
        }
    }
    StoreError::Backend(Box::new(e))
}

/// Turns "no row" into `NotFound(what)`.
pub(crate) fn found<T>(row: Option<T>, what: &'static str) -> Result<T, StoreError> {
    row.ok_or(StoreError::NotFound(what))
}
