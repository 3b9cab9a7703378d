//! The tamper-evident audit log: every change is an entry whose hash covers its content and the
//! previous entry's hash, so editing, deleting or reordering any entry breaks the chain after it.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ids::{OpdId, UserId};

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A change about to be recorded, before the store gives it a place in the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewAuditEntry {
    /// Who did it; `None` for the command line or the system.
    pub actor_id: Option<UserId>,
    /// The actor's username, or `cli` / `system`.
    pub actor: String,
    /// What was done, as `noun.verb`, e.g. `opd.create`.
    pub action: String,
    /// Kind of thing changed, e.g. `opd`.
    pub target_kind: String,
    /// Identifier of the thing changed.
    pub target_id: String,
    /// The OPD the change belongs to, for filtering.
    pub opd: Option<OpdId>,
    /// State before the change (`None` for creations).
    pub before: Option<serde_json::Value>,
    /// State after the change (`None` for deletions).
    pub after: Option<serde_json::Value>,
}

impl NewAuditEntry {
    /// Gives the entry its place in the chain and computes its hash.
    #[must_use]
    pub fn seal(self, seq: i64, at_us: i64, prev_hash: &str) -> AuditEntry {
        // serde_json's map is ordered by key, so this text is canonical for a given value.
        let before = self.before.map(|v| v.to_string());
        let after = self.after.map(|v| v.to_string());
        let mut entry = AuditEntry {
            seq,
            at_us,
            actor_id: self.actor_id,
            actor: self.actor,
            action: self.action,
            target_kind: self.target_kind,
            target_id: self.target_id,
            opd: self.opd,
            before,
            after,
            prev_hash: prev_hash.to_owned(),
            hash: String::new(),
        };
        entry.hash = entry.compute_hash();
        entry
    }
}

/// A recorded change, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position in the chain, from 1 without gaps.
    pub seq: i64,
    /// When, in microseconds since the Unix epoch (UTC).
    pub at_us: i64,
    /// Who, if a person.
    pub actor_id: Option<UserId>,
    /// Username, `cli` or `system`.
    pub actor: String,
    /// `noun.verb`.
    pub action: String,
    /// Kind of thing changed.
    pub target_kind: String,
    /// Identifier of the thing changed.
    pub target_id: String,
    /// OPD the change belongs to.
    pub opd: Option<OpdId>,
    /// Canonical JSON of the state before.
    pub before: Option<String>,
    /// Canonical JSON of the state after.
    pub after: Option<String>,
    /// Hash of the previous entry, or [`GENESIS_HASH`].
    pub prev_hash: String,
    /// SHA-256 over this entry's fields and `prev_hash`, hex.
    pub hash: String,
}

impl AuditEntry {
    /// Recomputes the hash from the stored fields. Each field is length-prefixed so no two
    /// different entries can produce the same byte stream.
    #[must_use]
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        let mut field = |bytes: &[u8]| {
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(bytes);
        };
        field(self.prev_hash.as_bytes());
        field(&self.seq.to_le_bytes());
        field(&self.at_us.to_le_bytes());
        field(
            self.actor_id
                .map(|u| u.to_string())
                .unwrap_or_default()
                .as_bytes(),
        );
        field(self.actor.as_bytes());
        field(self.action.as_bytes());
        field(self.target_kind.as_bytes());
        field(self.target_id.as_bytes());
        field(
            self.opd
                .map(|o| o.to_string())
                .unwrap_or_default()
                .as_bytes(),
        );
        field(optional_text(self.before.as_deref()).as_bytes());
        field(optional_text(self.after.as_deref()).as_bytes());
        hex::encode(h.finalize())
    }
}

fn optional_text(v: Option<&str>) -> String {
    // A leading marker keeps `None` apart from `Some("")`.
    v.map_or_else(|| "-".to_owned(), |s| format!("+{s}"))
}

/// Where and how the chain is broken.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuditChainError {
    /// An entry's content no longer matches its hash: it was edited.
    #[error("entry {seq}: content does not match its hash (edited)")]
    HashMismatch {
        /// The entry.
        seq: i64,
    },
    /// An entry does not point at the previous entry's hash: one was removed or replaced.
    #[error(
        "entry {seq}: does not follow the previous entry's hash (removed, inserted or replaced)"
    )]
    BrokenLink {
        /// The entry.
        seq: i64,
    },
    /// Sequence numbers skip or repeat.
    #[error("entry {seq}: expected sequence number {expected} (entries missing or reordered)")]
    Gap {
        /// The entry found.
        seq: i64,
        /// The number expected.
        expected: i64,
    },
}

/// Checks a chain entry by entry, so a large log can be verified page by page.
#[derive(Debug)]
pub struct ChainVerifier {
    prev_hash: String,
    next_seq: i64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self {
            prev_hash: GENESIS_HASH.to_owned(),
            next_seq: 1,
        }
    }
}

impl ChainVerifier {
    /// Checks the next entry in sequence order.
    pub fn push(&mut self, e: &AuditEntry) -> Result<(), AuditChainError> {
        if e.seq != self.next_seq {
            return Err(AuditChainError::Gap {
                seq: e.seq,
                expected: self.next_seq,
            });
        }
        if e.prev_hash != self.prev_hash {
            return Err(AuditChainError::BrokenLink { seq: e.seq });
        }
        if e.compute_hash() != e.hash {
            return Err(AuditChainError::HashMismatch { seq: e.seq });
        }
        self.prev_hash.clone_from(&e.hash);
        self.next_seq += 1;
        Ok(())
    }

    /// How many entries were verified.
    #[must_use]
    pub const fn verified(&self) -> i64 {
        self.next_seq - 1
    }
}

/// Verifies a whole chain in memory; returns the number of entries.
pub fn verify_chain<'a>(
    entries: impl IntoIterator<Item = &'a AuditEntry>,
) -> Result<i64, AuditChainError> {
    let mut v = ChainVerifier::default();
    for e in entries {
        v.push(e)?;
    }
    Ok(v.verified())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut out: Vec<AuditEntry> = Vec::new();
        for seq in 1..=n {
            let prev = out
                .last()
                .map_or(GENESIS_HASH.to_owned(), |e| e.hash.clone());
            let e = NewAuditEntry {
                actor_id: None,
                actor: "cli".into(),
                action: "opd.create".into(),
                target_kind: "opd".into(),
                target_id: format!("t{seq}"),
                opd: None,
                before: None,
                after: Some(json!({"name": format!("OPD {seq}"), "a": 1})),
            }
            .seal(seq, 1_700_000_000_000_000 + seq, &prev);
            out.push(e);
        }
        out
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify_chain(&chain(5)), Ok(5));
        assert_eq!(verify_chain(&[]), Ok(0));
    }

    #[test]
    fn edited_entry_is_found() {
        let mut c = chain(5);
        c[2].after = Some(r#"{"name":"forged"}"#.into());
        assert_eq!(
            verify_chain(&c),
            Err(AuditChainError::HashMismatch { seq: 3 })
        );
    }

    #[test]
    fn removed_entry_is_found() {
        let mut c = chain(5);
        c.remove(1);
        assert_eq!(
            verify_chain(&c),
            Err(AuditChainError::Gap {
                seq: 3,
                expected: 2
            })
        );
    }

    #[test]
    fn rehashed_forgery_breaks_the_next_link() {
        let mut c = chain(4);
        c[1].actor = "mallory".into();
        c[1].hash = c[1].compute_hash();
        assert_eq!(
            verify_chain(&c),
            Err(AuditChainError::BrokenLink { seq: 3 })
        );
    }

    #[test]
    fn none_and_empty_differ() {
        let mut a = chain(1).remove(0);
        let h1 = a.compute_hash();
        a.before = Some(String::new());
        assert_ne!(h1, a.compute_hash());
    }
}
