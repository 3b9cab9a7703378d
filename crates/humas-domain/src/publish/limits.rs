//! Platform limits.
