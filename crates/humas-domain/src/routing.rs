//! Routing rules: which OPD must handle a message that is not simply its account's business.
//!
//! A message arriving on an OPD's own account goes to that OPD. A message on a shared account
//! (the governor's, Diskominfo's) or from news is matched against the supervisor's rules in
//! priority order; the first rule whose expression matches chooses the OPD.

use serde::{Deserialize, Serialize};

use crate::ids::{OpdId, RoutingRuleId};

/// A supervisor-maintained rule, as stored. `expression` is the source text; it is parsed
/// (and refused with a reason) before it is stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoutingRule {
    /// Identifier.
    pub id: RoutingRuleId,
    /// A name people recognise, e.g. `Jalan rusak → PU Bina Marga`.
    pub name: String,
    /// The OPD that receives matching messages.
    pub opd: OpdId,
    /// The boolean expression over words, phrases and regions.
    pub expression: String,
    /// Lower numbers are tried first.
    pub priority: i32,
    /// Disabled rules are kept but not applied.
    pub enabled: bool,
}
