//! Approval chains.
