//! Time-ordered identifiers (UUIDv7), one newtype per entity so they never mix.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

macro_rules! entity_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// A fresh, time-ordered identifier.
            #[must_use]
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            /// Wraps an identifier read back from storage.
            #[must_use]
            pub const fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            /// The inner UUID, for storage.
            #[must_use]
            pub const fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s.trim()).map(Self)
            }
        }
    };
}

entity_id!(
    /// Identifies an OPD (regional apparatus organisation).
    OpdId
);
entity_id!(
    /// Identifies an official social media account or news feed.
    AccountId
);
entity_id!(
    /// Identifies a person who signs in to Humas.
    UserId
);
entity_id!(
    /// Identifies an acting-official (Plt/Plh) delegation.
    DelegationId
);
entity_id!(
    /// Identifies a message in the inbox (comment, mention, reply, DM or news article).
    MessageId
);
entity_id!(
    /// Identifies a supervisor-maintained routing rule.
    RoutingRuleId
);
entity_id!(
    /// Identifies an internal note on a message.
    NoteId
);

entity_id!(
    /// Identifies a post to publish (one text, many channels).
    PostId
);
entity_id!(
    /// Identifies an uploaded image or video.
    MediaId
);
entity_id!(
    /// Identifies one channel's publication job in the durable queue.
    PublishJobId
);
entity_id!(
    /// Identifies a central narrative (narasi tunggal) cascaded to OPDs.
    NarrativeId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_then_parse_round_trips() {
        let id = OpdId::generate();
        let parsed: OpdId = id.to_string().parse().unwrap();
        assert_eq!(id, parsed);
    }

    #[test]
    fn later_ids_sort_after_earlier_ones() {
        let a = UserId::generate();
        let b = UserId::generate();
        assert!(a < b);
    }

    #[test]
    fn garbage_is_rejected() {
        assert!("not-an-id".parse::<AccountId>().is_err());
    }
}
