//! Reading, exporting and verifying the audit log.

use humas_domain::{Actor, AuditChainError, AuditEntry, ChainVerifier};
use humas_store::AuditQuery;

use crate::{App, AppError, AppResult, audit_actor};

/// The largest export, in entries.
pub const MAX_EXPORT: usize = 100_000;

/// What `humas audit verify` found.
#[derive(Debug, PartialEq, Eq)]
pub enum ChainReport {
    /// Every entry checks out.
    Intact {
        /// How many entries.
        entries: i64,
    },
    /// The first broken entry.
    Broken(AuditChainError),
}

impl App {
    /// Entries matching a query, newest first (supervisors only).
    pub async fn query_audit(
        &self,
        actor: &Actor,
        query: &AuditQuery,
    ) -> AppResult<Vec<AuditEntry>> {
        if !actor.can_view_audit() {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.query_audit(query).await?)
    }

    /// The matching entries as CSV (supervisors only). The export itself is audited.
    pub async fn export_audit_csv(&self, actor: &Actor, query: &AuditQuery) -> AppResult<String> {
        if !actor.can_view_audit() {
            return Err(AppError::Forbidden);
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        let csv_err = |e: csv::Error| AppError::Internal(e.to_string());
        w.write_record([
            "seq",
            "at_utc",
            "actor",
            "action",
            "target_kind",
            "target_id",
            "opd_id",
            "before",
            "after",
            "hash",
        ])
        .map_err(csv_err)?;
        let mut page = AuditQuery {
            limit: AuditQuery::MAX_LIMIT,
            ..query.clone()
        };
        let mut written = 0usize;
        loop {
            let entries = self.store.query_audit(&page).await?;
            for e in &entries {
                let at = jiff::Timestamp::from_microsecond(e.at_us)
                    .map(|t| t.to_string())
                    .unwrap_or_default();
                w.write_record([
                    e.seq.to_string(),
                    at,
                    defuse_formula(&e.actor),
                    e.action.clone(),
                    e.target_kind.clone(),
                    e.target_id.clone(),
                    e.opd.map(|o| o.to_string()).unwrap_or_default(),
                    defuse_formula(e.before.as_deref().unwrap_or("")),
                    defuse_formula(e.after.as_deref().unwrap_or("")),
                    e.hash.clone(),
                ])
                .map_err(csv_err)?;
                written += 1;
            }
            match entries.last() {
                Some(last) if entries.len() == page.limit as usize && written < MAX_EXPORT => {
                    page.before_seq = Some(last.seq)
                }
                _ => break,
            }
        }
        let by = audit_actor(actor);
        let mut e = by.entry::<()>("audit.export", "audit_log", "-", None, None, None);
        e.after = Some(serde_json::json!({ "rows": written }));
        self.store.append_audit(e).await?;
        String::from_utf8(
            w.into_inner()
                .map_err(|e| AppError::Internal(e.to_string()))?,
        )
        .map_err(|e| AppError::Internal(e.to_string()))
    }

    /// Walks the whole chain in pages and reports the first broken link.
    pub async fn verify_audit_chain(&self) -> AppResult<ChainReport> {
        let mut v = ChainVerifier::default();
        let mut after = 0;
        loop {
            let page = self.store.audit_chain_page(after, 1000).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for e in &page {
                if let Err(broken) = v.push(e) {
                    return Ok(ChainReport::Broken(broken));
                }
            }
        }
        Ok(ChainReport::Intact {
            entries: v.verified(),
        })
    }
}

/// Spreadsheet programs run cells that start with `=`, `+`, `-` or `@`; a leading apostrophe
/// keeps a citizen's or operator's text from becoming a formula (CSV injection).
fn defuse_formula(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn formulas_are_defused() {
        assert_eq!(
            super::defuse_formula("=HYPERLINK(\"x\")"),
            "'=HYPERLINK(\"x\")"
        );
        assert_eq!(super::defuse_formula("budi"), "budi");
    }
}
