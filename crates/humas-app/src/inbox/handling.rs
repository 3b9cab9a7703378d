//! Handling a message: assign, move through the workflow, categorise (which sets the
//! SP4N-LAPOR! deadlines), note, reply with approval, hide or delete with a reason.

use async_trait::async_trait;
use humas_domain::inbox::{Category, Message, Status};
use humas_domain::sla::schedule;
use humas_domain::{Account, Actor, MessageId, NoteId, OpdId, UserId, ValueError};
use humas_store::{Note, Reply, ReplyId, ReplyState, SavedReply, SavedReplyId, StoreError};
use uuid::Uuid;

use crate::{App, AppError, AppResult, audit_actor};

/// Why the platform did not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct GatewayError {
    /// Whether trying again later may work (network, rate limit, outage).
    pub transient: bool,
    /// What happened, for the operator.
    pub message: String,
}

/// The platforms as the inbox needs them: answer, hide, delete. The server wires the real
/// connectors behind this; the application never speaks HTTP.
#[async_trait]
pub trait PlatformGateway: Send + Sync {
    /// Publishes a reply to `message` from `account`; `idempotency_key` is the same for every
    /// attempt at the same reply. Returns the platform's id for the reply.
    async fn reply(
        &self,
        account: &Account,
        message: &Message,
        text: &str,
        idempotency_key: &str,
    ) -> Result<String, GatewayError>;
    /// Hides or shows a message on the platform.
    async fn set_hidden(
        &self,
        account: &Account,
        message: &Message,
        hidden: bool,
    ) -> Result<(), GatewayError>;
    /// Deletes a message on the platform.
    async fn delete(&self, account: &Account, message: &Message) -> Result<(), GatewayError>;
}

/// What an approver may do to a message on the platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moderation {
    /// Hide from the public.
    Hide,
    /// Show again.
    Unhide,
    /// Delete.
    Delete,
}

impl Moderation {
    /// Parses `hide`, `unhide`, `delete`.
    ///
    /// # Errors
    /// `Invalid` naming the choices.
    pub fn parse(raw: &str) -> AppResult<Self> {
        match raw.trim() {
            "hide" => Ok(Self::Hide),
            "unhide" => Ok(Self::Unhide),
            "delete" => Ok(Self::Delete),
            other => Err(ValueError::unknown("moderation", other, "hide, unhide, delete").into()),
        }
    }

    const fn action(self) -> &'static str {
        match self {
            Self::Hide => "message.hide",
            Self::Unhide => "message.unhide",
            Self::Delete => "message.delete_on_platform",
        }
    }
}

fn checked_text(raw: &str, what: &'static str, max_chars: usize) -> AppResult<String> {
    let t = raw.trim();
    if t.is_empty() || t.chars().count() > max_chars {
        return Err(ValueError::Note(what).into());
    }
    Ok(t.to_owned())
}

/// Longest reply accepted here; platforms check their own, shorter limits when sending.
const MAX_REPLY_CHARS: usize = 10_000;

impl App {
    /// Loads a message the actor may handle (not only see).
    async fn handled_message(&self, actor: &Actor, id: MessageId) -> AppResult<Message> {
        let m = self.store.get_message(id).await?;
        if !actor.can_view_opd(m.opd) || !actor.can_handle_messages_of(m.opd) {
            return Err(AppError::Forbidden);
        }
        Ok(m)
    }

    /// Assigns a message to a person of its OPD (or the province), or unassigns it (`None`).
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`, `UnknownReference("user")` for someone who cannot handle it.
    pub async fn assign(
        &self,
        actor: &Actor,
        id: MessageId,
        assignee: Option<UserId>,
    ) -> AppResult<()> {
        let m = self.handled_message(actor, id).await?;
        if let Some(user) = assignee {
            let u = self
                .store
                .get_user(user)
                .await
                .map_err(|_| AppError::UnknownReference("user"))?;
            let delegations = self.store.delegations_to(u.id).await?;
            let who = humas_domain::Actor::new(&u, &delegations, self.today(&u));
            if !u.active || !who.can_handle_messages_of(m.opd) {
                return Err(AppError::UnknownReference("user"));
            }
        }
        let mut w = m.workflow.clone();
        w.assignee = assignee;
        if assignee.is_some() && w.status == Status::New {
            w.status = Status::Assigned;
        }
        if assignee.is_none() && w.status == Status::Assigned {
            w.status = Status::New;
        }
        self.store
            .update_workflow(&audit_actor(actor), id, "message.assign", &w)
            .await?;
        Ok(())
    }

    /// Moves a message to another status when the workflow allows it.
    ///
    /// # Errors
    /// `Invalid` for a move the workflow does not allow (`awaiting_approval` is entered only by
    /// drafting a reply, `replied` only by sending one).
    pub async fn set_status(&self, actor: &Actor, id: MessageId, status: Status) -> AppResult<()> {
        let m = self.handled_message(actor, id).await?;
        let from = m.workflow.status;
        if matches!(status, Status::AwaitingApproval | Status::Replied) || !from.can_move_to(status)
        {
            return Err(AppError::Invalid(ValueError::unknown(
                "status change",
                &format!("{from} → {status}"),
                "new, assigned, closed (reopen a closed message to new or assigned)",
            )));
        }
        let mut w = m.workflow.clone();
        if status == Status::Closed && w.resolved_at.is_none() {
            w.resolved_at = Some(self.clock.now());
        }
        if from == Status::Closed {
            w.resolved_at = None;
        }
        w.status = status;
        let action = if from == Status::Closed {
            "message.reopen"
        } else {
            "message.status"
        };
        self.store
            .update_workflow(&audit_actor(actor), id, action, &w)
            .await?;
        Ok(())
    }

    /// Sets the SP4N-LAPOR! category, which (re)starts the resolution clock from the time the
    /// message was received, by the OPD's standard and calendar.
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`.
    pub async fn set_category(
        &self,
        actor: &Actor,
        id: MessageId,
        category: Category,
    ) -> AppResult<()> {
        let m = self.handled_message(actor, id).await?;
        let ctx = self.inbox_context().await?;
        let mut w = m.workflow.clone();
        w.category = Some(category);
        schedule(
            &mut w,
            m.received_at,
            &ctx.policy(m.opd),
            ctx.calendar(),
            ctx.zone(),
        );
        self.store
            .update_workflow(&audit_actor(actor), id, "message.categorise", &w)
            .await?;
        Ok(())
    }

    /// Adds an internal note.
    ///
    /// # Errors
    /// `Invalid` for an empty or over-long note.
    pub async fn add_note(&self, actor: &Actor, id: MessageId, text: &str) -> AppResult<Note> {
        self.handled_message(actor, id).await?;
        let note = Note {
            id: NoteId::generate(),
            message: id,
            author: actor.user_id,
            author_name: actor.username.as_ref().to_owned(),
            text: checked_text(text, "a note", 2_000)?,
            created_at: self.clock.now(),
        };
        self.store.add_note(&audit_actor(actor), &note).await?;
        Ok(note)
    }

    /// Writes a reply. An approver (or the province) sends it at once; an operator's reply
    /// waits for the OPD's approver and the message shows "awaiting approval".
    ///
    /// # Errors
    /// `Invalid` for empty text; sending errors as in [`Self::approve_reply`].
    pub async fn draft_reply(&self, actor: &Actor, id: MessageId, text: &str) -> AppResult<Reply> {
        let m = self.handled_message(actor, id).await?;
        let now = self.clock.now();
        let needs_approval = !actor.can_approve_replies_of(m.opd);
        let reply = Reply {
            id: ReplyId(Uuid::now_v7()),
            message: id,
            text: checked_text(text, "a reply", MAX_REPLY_CHARS)?,
            state: if needs_approval {
                ReplyState::AwaitingApproval
            } else {
                ReplyState::Approved
            },
            drafted_by: actor.user_id,
            approved_by: (!needs_approval).then_some(actor.user_id),
            external_id: None,
            error: None,
            created_at: now,
            updated_at: now,
        };
        let by = audit_actor(actor);
        self.store.create_reply(&by, &reply).await?;
        if needs_approval {
            let mut w = m.workflow.clone();
            w.status = Status::AwaitingApproval;
            if w.assignee.is_none() {
                w.assignee = Some(actor.user_id);
            }
            self.store
                .update_workflow(&by, id, "message.awaiting_approval", &w)
                .await?;
            return Ok(reply);
        }
        self.send_reply(actor, reply).await
    }

    /// An approver approves a waiting reply, which is then sent.
    ///
    /// # Errors
    /// `Forbidden` unless the actor approves for the message's OPD; `Conflict("reply_state")`
    /// when someone else already approved or rejected it.
    pub async fn approve_reply(&self, actor: &Actor, reply: ReplyId) -> AppResult<Reply> {
        let r = self.store.get_reply(reply).await?;
        let m = self.store.get_message(r.message).await?;
        if !actor.can_approve_replies_of(m.opd) {
            return Err(AppError::Forbidden);
        }
        let approved = Reply {
            state: ReplyState::Approved,
            approved_by: Some(actor.user_id),
            updated_at: self.clock.now(),
            ..r
        };
        self.store
            .update_reply(
                &audit_actor(actor),
                "reply.approve",
                ReplyState::AwaitingApproval,
                &approved,
            )
            .await?;
        self.send_reply(actor, approved).await
    }

    /// An approver sends a reply back with a reason; the message returns to its drafter.
    ///
    /// # Errors
    /// `Forbidden`, `Conflict("reply_state")`, `Invalid` without a reason.
    pub async fn reject_reply(&self, actor: &Actor, reply: ReplyId, reason: &str) -> AppResult<()> {
        let r = self.store.get_reply(reply).await?;
        let m = self.store.get_message(r.message).await?;
        if !actor.can_approve_replies_of(m.opd) {
            return Err(AppError::Forbidden);
        }
        let drafter = r.drafted_by;
        let rejected = Reply {
            state: ReplyState::Rejected,
            error: Some(checked_text(reason, "a reason", 2_000)?),
            updated_at: self.clock.now(),
            ..r
        };
        let by = audit_actor(actor);
        self.store
            .update_reply(&by, "reply.reject", ReplyState::AwaitingApproval, &rejected)
            .await?;
        let mut w = m.workflow.clone();
        w.status = Status::Assigned;
        w.assignee = Some(drafter);
        self.store
            .update_workflow(&by, m.id, "message.reply_rejected", &w)
            .await?;
        Ok(())
    }

    /// Sends a reply that failed before, again.
    ///
    /// # Errors
    /// `Forbidden`, `Conflict("reply_state")` unless it failed.
    pub async fn retry_reply(&self, actor: &Actor, reply: ReplyId) -> AppResult<Reply> {
        let r = self.store.get_reply(reply).await?;
        let m = self.store.get_message(r.message).await?;
        if !actor.can_approve_replies_of(m.opd) && r.drafted_by != actor.user_id {
            return Err(AppError::Forbidden);
        }
        if r.approved_by.is_none() {
            return Err(AppError::Conflict("reply_state"));
        }
        let again = Reply {
            state: ReplyState::Approved,
            error: None,
            updated_at: self.clock.now(),
            ..r
        };
        self.store
            .update_reply(
                &audit_actor(actor),
                "reply.retry",
                ReplyState::Failed,
                &again,
            )
            .await?;
        self.send_reply(actor, again).await
    }

    /// Sends an approved reply exactly once: the state moves `approved → sending` by
    /// compare-and-set before the platform is called, so two clicks or two approvers cannot send
    /// it twice; the platform call carries the reply id as its idempotency key.
    /// Replies left in `sending` for longer than `older_than`: Humas stopped between handing
    /// them to the platform and recording the answer, so whether they arrived is unknown. Each
    /// becomes `failed` with a reason that asks a person to look on the platform before sending
    /// it again (never resent blindly); returns how many. Audited as `reply.send_interrupted`.
    ///
    /// # Errors
    /// Storage errors.
    pub async fn settle_stuck_replies(&self, older_than: jiff::SignedDuration) -> AppResult<usize> {
        let now = self.clock.now();
        let stuck = self.store.stuck_replies(now - older_than, 100).await?;
        let by = humas_store::AuditActor::system();
        let mut settled = 0;
        for reply in stuck {
            let failed = Reply {
                state: ReplyState::Failed,
                error: Some(
                    "Humas stopped while sending this reply: check on the platform whether it arrived before sending it again"
                        .to_owned(),
                ),
                updated_at: now,
                ..reply
            };
            match self
                .store
                .update_reply(&by, "reply.send_interrupted", ReplyState::Sending, &failed)
                .await
            {
                Ok(()) => settled += 1,
                // The sender recorded its answer meanwhile.
                Err(StoreError::Conflict(_)) => {}
                Err(e) => return Err(e.into()),
            }
        }
        Ok(settled)
    }

    async fn send_reply(&self, actor: &Actor, reply: Reply) -> AppResult<Reply> {
        let by = audit_actor(actor);
        let m = self.store.get_message(reply.message).await?;
        let account = self.store.get_account(m.account).await?;
        let sending = Reply {
            state: ReplyState::Sending,
            updated_at: self.clock.now(),
            ..reply
        };
        self.store
            .update_reply(&by, "reply.send", ReplyState::Approved, &sending)
            .await?;
        let outcome = match &self.gateway {
            Some(g) => {
                g.reply(
                    &account,
                    &m,
                    &sending.text,
                    &sending.id.0.simple().to_string(),
                )
                .await
            }
            None => Err(GatewayError {
                transient: false,
                message: "this Humas has no platform connections configured".into(),
            }),
        };
        let now = self.clock.now();
        match outcome {
            Ok(external_id) => {
                let sent = Reply {
                    state: ReplyState::Sent,
                    external_id: Some(external_id),
                    updated_at: now,
                    ..sending
                };
                self.store
                    .update_reply(&by, "reply.sent", ReplyState::Sending, &sent)
                    .await?;
                let mut w = m.workflow.clone();
                w.status = Status::Replied;
                if w.first_response_at.is_none() {
                    w.first_response_at = Some(now);
                }
                // A reply to an information request or a complaint answers it; disputes and
                // field checks stay open until someone closes them after the work is done.
                let effective = w.category.or(w.suggested_category);
                if matches!(
                    effective,
                    Some(Category::InformationRequest | Category::Complaint)
                ) && w.resolved_at.is_none()
                {
                    w.resolved_at = Some(now);
                }
                self.store
                    .update_workflow(&by, m.id, "message.replied", &w)
                    .await?;
                Ok(sent)
            }
            Err(e) => {
                let failed = Reply {
                    state: ReplyState::Failed,
                    error: Some(e.message),
                    updated_at: now,
                    ..sending
                };
                self.store
                    .update_reply(&by, "reply.failed", ReplyState::Sending, &failed)
                    .await?;
                Ok(failed)
            }
        }
    }

    /// Hides, shows again or deletes a message on the platform. Only approvers and the
    /// province; a reason is mandatory and recorded in the audit log and as a note.
    ///
    /// # Errors
    /// `Forbidden`, `Invalid` without a reason, `Internal` with the platform's words when it
    /// refused.
    pub async fn moderate(
        &self,
        actor: &Actor,
        id: MessageId,
        action: Moderation,
        reason: &str,
    ) -> AppResult<()> {
        let m = self.handled_message(actor, id).await?;
        if !actor.can_approve_replies_of(m.opd) {
            return Err(AppError::Forbidden);
        }
        let reason = checked_text(reason, "a reason", 2_000)?;
        let account = self.store.get_account(m.account).await?;
        let gateway = self.gateway.as_ref().ok_or_else(|| {
            AppError::Platform("this Humas has no platform connections configured".into())
        })?;
        let outcome = match action {
            Moderation::Hide => gateway.set_hidden(&account, &m, true).await,
            Moderation::Unhide => gateway.set_hidden(&account, &m, false).await,
            Moderation::Delete => gateway.delete(&account, &m).await,
        };
        let by = audit_actor(actor);
        let mut entry = by.entry::<()>(
            action.action(),
            "message",
            &id.to_string(),
            Some(m.opd),
            None,
            None,
        );
        entry.after = Some(serde_json::json!({
            "reason": reason,
            "platform": m.inbound.platform.as_str(),
            "external_id": m.inbound.external_id.as_ref(),
            "result": outcome.as_ref().map_or_else(|e| e.message.clone(), |()| "ok".to_owned()),
        }));
        self.store.append_audit(entry).await?;
        outcome.map_err(|e| AppError::Platform(e.message))?;
        let label = match action {
            Moderation::Hide => "Disembunyikan di platform",
            Moderation::Unhide => "Ditampilkan kembali di platform",
            Moderation::Delete => "Dihapus dari platform",
        };
        let note = Note {
            id: NoteId::generate(),
            message: id,
            author: actor.user_id,
            author_name: actor.username.as_ref().to_owned(),
            text: format!("{label}: {reason}"),
            created_at: self.clock.now(),
        };
        self.store.add_note(&by, &note).await?;
        Ok(())
    }

    /// Saved replies the actor may use for an OPD's messages.
    ///
    /// # Errors
    /// `Forbidden` for an OPD the actor does not see.
    pub async fn saved_replies(&self, actor: &Actor, opd: OpdId) -> AppResult<Vec<SavedReply>> {
        if !actor.can_view_opd(opd) {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.list_saved_replies(Some(opd)).await?)
    }

    /// Stores a saved reply: OPD templates by that OPD's approver, province-wide ones by a
    /// supervisor.
    ///
    /// # Errors
    /// `Forbidden`, `Invalid`.
    pub async fn put_saved_reply(
        &self,
        actor: &Actor,
        id: Option<SavedReplyId>,
        opd: Option<OpdId>,
        title: &str,
        body: &str,
    ) -> AppResult<SavedReply> {
        let allowed = match opd {
            Some(o) => actor.can_approve_replies_of(o),
            None => actor.can_manage_inbox_settings(),
        };
        if !allowed {
            return Err(AppError::Forbidden);
        }
        let reply = SavedReply {
            id: id.unwrap_or(SavedReplyId(Uuid::now_v7())),
            opd,
            title: checked_text(title, "a title", 100)?,
            body: checked_text(body, "a saved reply", MAX_REPLY_CHARS)?,
        };
        self.store
            .put_saved_reply(&audit_actor(actor), &reply)
            .await?;
        Ok(reply)
    }

    /// Removes a saved reply.
    ///
    /// # Errors
    /// `Forbidden`, `NotFound`.
    pub async fn delete_saved_reply(&self, actor: &Actor, id: SavedReplyId) -> AppResult<()> {
        let all = self.store.list_saved_replies(None).await?;
        let r = all
            .iter()
            .find(|r| r.id == id)
            .ok_or(AppError::NotFound("saved_reply"))?;
        let allowed = match r.opd {
            Some(o) => actor.can_approve_replies_of(o),
            None => actor.can_manage_inbox_settings(),
        };
        if !allowed {
            return Err(AppError::Forbidden);
        }
        self.store
            .delete_saved_reply(&audit_actor(actor), id)
            .await
            .map_err(|e| match e {
                StoreError::NotFound(_) => AppError::NotFound("saved_reply"),
                other => other.into(),
            })
    }
}

/// Fills a saved reply's variables: `{nama}` (the author's name or handle), `{opd}`,
/// `{tanggal}` (today, e.g. `28 November 2026`) and `{tenggat}` (the resolution deadline, or
/// the first-response one). Unknown `{…}` stay as typed so a typo is visible, not silently
/// dropped.
#[must_use]
pub fn fill_saved_reply(
    body: &str,
    message: &Message,
    opd_name: &str,
    today: &str,
    deadline: Option<&str>,
) -> String {
    let name = message
        .inbound
        .author
        .display_name
        .as_deref()
        .unwrap_or(&message.inbound.author.handle);
    body.replace("{nama}", name)
        .replace("{opd}", opd_name)
        .replace("{tanggal}", today)
        .replace("{tenggat}", deadline.unwrap_or("-"))
}
