//! The ingest pipeline: validated inbound messages → analysis → routing → deadlines → store.
//!
//! Connectors, webhooks and imports all end here. The CPU-bound part (text analysis, rules)
//! runs on blocking threads split across the cores; the store takes the batch in one
//! transaction together with the connector's cursor, so a batch is either wholly stored and its
//! cursor moved, or neither: a crash at any point loses nothing and stores nothing twice
//! (deduplication by platform id catches a batch that is fetched again).

use std::collections::HashMap;
use std::sync::Arc;

use hmac::{Hmac, Mac};
use humas_domain::inbox::{Category, Inbound, Message, MessageKind, Workflow};
use humas_domain::routing::{Expression, MatchInput, RoutingRule, route};
use humas_domain::sla::{Calendar, ClockPolicy, schedule};
use humas_domain::{Account, MessageId, OpdId, Platform};
use humas_nlp_id::analysis::{Analyzer, Options};
use humas_store::{AuditActor, Cursor, IngestOutcome};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use sha2::Sha256;

use super::analysis::{message_analysis, suggested_category};
use crate::{App, AppError, AppResult};

/// Everything the pipeline decides with besides the message: routing rules, response
/// standards, the holiday calendar. Loaded once and replaced whenever a supervisor changes one
/// of them through [`App`].
pub struct InboxContext {
    rules: Vec<(RoutingRule, Expression)>,
    policies: HashMap<OpdId, ClockPolicy>,
    calendar: Calendar,
    zone: TimeZone,
}

impl std::fmt::Debug for InboxContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InboxContext")
            .field("rules", &self.rules.len())
            .field("policies", &self.policies.len())
            .finish_non_exhaustive()
    }
}

impl InboxContext {
    /// The response standard of an OPD (its own, else the national default).
    #[must_use]
    pub fn policy(&self, opd: OpdId) -> ClockPolicy {
        self.policies.get(&opd).copied().unwrap_or_default()
    }

    /// The holiday calendar.
    #[must_use]
    pub const fn calendar(&self) -> &Calendar {
        &self.calendar
    }

    /// The zone deadlines are counted in (East Java: WIB).
    #[must_use]
    pub const fn zone(&self) -> &TimeZone {
        &self.zone
    }
}

/// The zone the province works in. Every OPD of East Java is in WIB; a province in WITA or WIT
/// would make this a setting.
pub(crate) fn province_zone() -> TimeZone {
    TimeZone::get("Asia/Jakarta").unwrap_or_else(|_| TimeZone::fixed(jiff::tz::offset(7)))
}

/// What one ingest call did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IngestReport {
    /// New messages stored.
    pub inserted: Vec<MessageId>,
    /// Already stored (same platform id), skipped.
    pub duplicates: u64,
}

/// The keyed hash that stands for an author in analytics: the same person on the same platform
/// always gets the same key, but the key does not reveal the handle without the server's secret.
#[must_use]
pub fn author_key(secret: &[u8], platform: Platform, handle: &str) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(platform.as_str().as_bytes());
    mac.update(b"\0");
    mac.update(handle.trim().to_lowercase().as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// Builds stored messages from inbound ones; pure CPU work.
struct Preparer<'a> {
    context: &'a InboxContext,
    account: &'a Account,
    author_secret: &'a [u8],
    received_at: Timestamp,
}

impl Preparer<'_> {
    fn prepare(&self, analyzer: &mut Analyzer<'_>, inbound: Inbound) -> Message {
        let text = analysed_text(&inbound);
        let analysis = analyzer.analyze(&text);
        let words: Vec<&str> = analysis.normalized.split_whitespace().collect();
        let stems: Vec<&str> = analysis.stems.split_whitespace().collect();
        let hashtags: Vec<&str> = analysis.hashtags.iter().map(String::as_str).collect();
        let mentions: Vec<&str> = analysis.mentions.iter().map(String::as_str).collect();
        let input = MatchInput {
            words: &words,
            stems: &stems,
            hashtags: &hashtags,
            mentions: &mentions,
        };
        // The account says whose message it is; a supervisor's rule may send it elsewhere.
        let routed = route(&self.context.rules, &input);
        let opd = routed.map_or(self.account.opd, |r| r.opd);
        let suggested = if inbound.kind == MessageKind::News {
            Category::NotActionable
        } else {
            suggested_category(&words)
        };
        let mut workflow = Workflow {
            suggested_category: Some(suggested),
            ..Workflow::default()
        };
        schedule(
            &mut workflow,
            self.received_at,
            &self.context.policy(opd),
            &self.context.calendar,
            &self.context.zone,
        );
        Message {
            id: MessageId::generate(),
            account: self.account.id,
            opd,
            routed_by: routed.map(|r| r.id),
            author_key: author_key(self.author_secret, inbound.platform, &inbound.author.handle),
            received_at: self.received_at,
            erased_at: None,
            analysis: message_analysis(&analysis),
            workflow,
            inbound,
        }
    }
}

/// What the text engine reads: the headline and the text for news, the text otherwise (not
/// copied: this runs for every message ingested).
fn analysed_text(inbound: &Inbound) -> std::borrow::Cow<'_, str> {
    match &inbound.title {
        Some(title) if !title.trim().is_empty() => format!("{title}\n{}", inbound.text).into(),
        _ => inbound.text.as_str().into(),
    }
}

/// Below this many messages a batch is analysed on one thread: splitting costs more than it
/// saves.
const PARALLEL_FROM: usize = 64;

impl App {
    /// The routing rules, response standards and calendar in force, loaded on first use.
    ///
    /// # Errors
    /// A storage error, or a stored rule that no longer parses (`Internal`).
    pub async fn inbox_context(&self) -> AppResult<Arc<InboxContext>> {
        if let Some(ctx) = self.inbox.context.read().await.as_ref() {
            return Ok(ctx.clone());
        }
        let mut slot = self.inbox.context.write().await;
        if let Some(ctx) = slot.as_ref() {
            return Ok(ctx.clone());
        }
        let ctx = Arc::new(self.load_inbox_context().await?);
        *slot = Some(ctx.clone());
        Ok(ctx)
    }

    /// Forgets the loaded context; the next ingest reloads it. Called after every change to
    /// rules, policies or holidays.
    pub(crate) async fn invalidate_inbox_context(&self) {
        *self.inbox.context.write().await = None;
    }

    async fn load_inbox_context(&self) -> AppResult<InboxContext> {
        let mut rules = Vec::new();
        for rule in self.store.list_routing_rules().await? {
            let expr = Expression::parse(&rule.expression).map_err(|e| {
                AppError::Internal(format!(
                    "stored routing rule {} does not parse: {e}",
                    rule.id
                ))
            })?;
            rules.push((rule, expr));
        }
        let policies = self
            .store
            .clock_policies()
            .await?
            .into_iter()
            .map(|p| (p.opd, p.policy))
            .collect();
        let year = self.clock.now().to_zoned(province_zone()).year();
        let from = jiff::civil::date(year - 1, 1, 1);
        let to = jiff::civil::date(year + 2, 12, 31);
        let holidays = self.store.list_holidays(from, to).await?;
        Ok(InboxContext {
            rules,
            policies,
            calendar: Calendar::new(holidays.iter().map(|h| h.date)),
            zone: province_zone(),
        })
    }

    /// Analyses, routes and stores a batch that arrived on `account`, saving `cursor` with it.
    /// `inbound` must already be validated (connectors, webhooks and imports do that and report
    /// what they refused). Messages whose platform differs from the account's are refused as a
    /// whole: that is a wiring error, not bad data.
    ///
    /// # Errors
    /// `Invalid` for a platform mismatch; storage errors.
    pub async fn ingest(
        &self,
        by: &AuditActor,
        account: &Account,
        inbound: Vec<Inbound>,
        cursor: Option<Cursor>,
    ) -> AppResult<IngestReport> {
        if inbound.iter().any(|m| m.platform != account.platform) {
            return Err(AppError::Internal(format!(
                "messages for {} were sent to {} account {}",
                inbound
                    .iter()
                    .find(|m| m.platform != account.platform)
                    .map_or("?", |m| m.platform.as_str()),
                account.platform,
                account.id
            )));
        }
        let messages = self.prepare_messages(account, inbound).await?;
        self.store_prepared(by, &messages, cursor.as_ref()).await
    }

    /// The CPU half of [`Self::ingest`]: analysis, routing, deadlines. Public so the ingest
    /// benchmark can overlap it with storing the previous batch.
    ///
    /// # Errors
    /// Loading the context, or a blocking task that failed.
    pub async fn prepare_messages(
        &self,
        account: &Account,
        inbound: Vec<Inbound>,
    ) -> AppResult<Vec<Message>> {
        let context = self.inbox_context().await?;
        let account = account.clone();
        let secret = self.inbox.author_secret.clone();
        let received_at = self.clock.now();
        tokio::task::spawn_blocking(move || {
            let preparer = Preparer {
                context: &context,
                account: &account,
                author_secret: &secret,
                received_at,
            };
            prepare_all(&preparer, inbound)
        })
        .await
        .map_err(|e| AppError::Internal(format!("message analysis stopped: {e}")))?
        .map_err(|e| AppError::Internal(e.to_owned()))
    }

    /// The storage half of [`Self::ingest`].
    ///
    /// # Errors
    /// Storage errors.
    pub async fn store_prepared(
        &self,
        by: &AuditActor,
        messages: &[Message],
        cursor: Option<&Cursor>,
    ) -> AppResult<IngestReport> {
        let IngestOutcome {
            inserted,
            duplicates,
        } = self.store.ingest_messages(by, messages, cursor).await?;
        Ok(IngestReport {
            inserted,
            duplicates,
        })
    }
}

/// Prepares a batch, on two threads when it is large enough (the target machine has two cores).
fn prepare_all(
    preparer: &Preparer<'_>,
    inbound: Vec<Inbound>,
) -> Result<Vec<Message>, &'static str> {
    let threads = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .min(4);
    if inbound.len() < PARALLEL_FROM || threads < 2 {
        let mut analyzer = Analyzer::new(Options::default());
        return Ok(inbound
            .into_iter()
            .map(|m| preparer.prepare(&mut analyzer, m))
            .collect());
    }
    let chunk = inbound.len().div_ceil(threads);
    let mut parts: Vec<Vec<Inbound>> = Vec::with_capacity(threads);
    let mut rest = inbound;
    while rest.len() > chunk {
        let tail = rest.split_off(chunk);
        parts.push(rest);
        rest = tail;
    }
    parts.push(rest);
    std::thread::scope(|scope| {
        let handles: Vec<_> = parts
            .into_iter()
            .map(|part| {
                scope.spawn(move || {
                    let mut analyzer = Analyzer::new(Options::default());
                    part.into_iter()
                        .map(|m| preparer.prepare(&mut analyzer, m))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        // A panicking analysis thread would be a bug in the text engine (its fuzz and property
        // tests say it does not panic). The whole batch then fails and nothing is stored, so
        // the source keeps it and sends it again; dropping part of it would lose messages.
        let mut out = Vec::new();
        for h in handles {
            out.extend(
                h.join()
                    .map_err(|_| "the text engine panicked on this batch")?,
            );
        }
        Ok(out)
    })
}
