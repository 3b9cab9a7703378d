//! The pure domain model of Humas.
//!
//! Owns identifiers, validated values (parse, don't validate), roles and what each role may do,
//! acting-official delegations and the audit hash chain.
//!
//! **Invariant:** this crate does no I/O: no async, no database, no HTTP, no clock reads. Callers
//! pass the current time in. Everything here is deterministic and unit-tested in place.

pub mod audit;
pub mod ids;
pub mod inbox;
pub mod org;
pub mod people;
pub mod publish;
pub mod routing;
pub mod sla;
pub mod values;

pub use values::parse_date;

pub use audit::{
    AuditChainError, AuditEntry, ChainVerifier, GENESIS_HASH, NewAuditEntry, verify_chain,
};
pub use ids::{
    AccountId, DelegationId, MediaId, MessageId, NarrativeId, NoteId, OpdId, PostId, PublishJobId,
    RoutingRuleId, UserId,
};
pub use org::{Account, AccountStatus, Opd, OpdKind, Platform};
pub use people::{Actor, Delegation, DelegationKind, Locale, Role, User, UserZone};
pub use values::{
    AccountHandle, ApiBaseUrl, DisplayName, OpdName, Password, Slug, Username, ValueError,
};
