//! Audited writes, shared by the CLI and the TUI worker: each one calls the API and appends
//! one line to the audit log with what is needed to undo it (`revert_info`).
//!
//! Two ways to write:
//! * the typed methods ([`Actions::add_note`], [`Actions::patch_ticket`]...) send now and
//!   return the result or the error (a write whose outcome is unknown is checked before it is
//!   sent again, see [`reconcile`]);
//! * [`Actions::submit`] does the same through the outbox when one is attached
//!   ([`Actions::with_outbox`]): the write is stored on disk before it is sent and removed
//!   once the server confirms it, so an outage or a crash never loses it. When it cannot be
//!   delivered now it stays queued ([`Outcome::Queued`]) and [`Actions::flush_outbox`] sends
//!   the queue later, in order.

pub mod reconcile;

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::model::{AssignInput, Id, Note, NoteInput, PatchOp, Ticket, TimeLog, TimeLogInput};
pub use crate::ops::{WriteOp, WriteResult};
use crate::psa::{Psa, SharedPsa};
use crate::retry::worth_keeping;
use crate::store::audit::{AuditEntry, AuditLog};
use crate::store::drafts::{DraftKey, DraftStore};
use crate::store::outbox::{ItemState, Outbox, OutboxItem, OutboxLock, Receipt};
use crate::wire::dotnet_camel;
use crate::{draft::TicketDraft, error::ApiError, error::ApiResult};
use reconcile::{Scope, SendState};

/// What became of a submitted write.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The server confirmed it.
    Done(WriteResult),
    /// Not delivered yet; stored as outbox item number `item` (shown as "pending"), for
    /// [`Actions::flush_outbox`] or `bmsdesk outbox retry`. `reason` says why;
    /// `needs_sign_in`: it waits for a fresh sign-in rather than for the link or the server.
    Queued {
        item: u64,
        reason: String,
        needs_sign_in: bool,
    },
}

#[derive(Clone)]
pub struct Actions {
    client: SharedPsa,
    audit: Option<Arc<AuditLog>>,
    outbox: Option<Arc<OutboxSlot>>,
    /// Note drafts: the one a delivered outbox item was sent from is cleared.
    drafts: Option<DraftStore>,
}

struct OutboxSlot {
    store: Outbox,
    /// One sender per process (the file lock covers other processes).
    gate: tokio::sync::Mutex<()>,
    /// How long a write waits for another sender before it is just queued.
    lock_wait: Duration,
}

impl std::fmt::Debug for Actions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Actions")
            .field("outbox", &self.outbox.as_ref().map(|o| o.store.dir()))
            .finish()
    }
}

/// How sending one outbox item ended.
enum ItemOutcome {
    Done(WriteResult),
    /// Not delivered, for a reason that may pass (link, load, sign-in): still pending.
    Kept(ApiError),
    /// The server refused it (404, 400...): sending it again as is will not help.
    Refused(ApiError),
}

impl Actions {
    pub fn new(psa: impl Psa + 'static, audit: Option<AuditLog>) -> Self {
        Self::on(Arc::new(psa), audit)
    }

    /// [`Actions::new`] on a PSA connection shared with others (the TUI's worker).
    pub fn on(client: SharedPsa, audit: Option<AuditLog>) -> Self {
        Actions {
            client,
            audit: audit.map(Arc::new),
            outbox: None,
            drafts: None,
        }
    }

    /// Clears the note draft an outbox item was sent from once the item is delivered, by
    /// this process whoever queued it (the profile's `drafts_dir()`).
    pub fn with_drafts(mut self, drafts: DraftStore) -> Self {
        self.drafts = Some(drafts);
        self
    }

    /// Routes [`Actions::submit`] through `outbox` (the profile's `outbox_dir()`).
    pub fn with_outbox(mut self, outbox: Outbox) -> Self {
        self.outbox = Some(Arc::new(OutboxSlot {
            store: outbox,
            gate: tokio::sync::Mutex::new(()),
            lock_wait: Duration::from_secs(10),
        }));
        self
    }

    /// How long a write waits while another sender (this process or another) is busy with
    /// the outbox before it is simply queued behind it. Default 10 s.
    pub fn with_outbox_lock_wait(mut self, wait: Duration) -> Self {
        if let Some(slot) = self.outbox.take() {
            let store = slot.store.clone();
            self.outbox = Some(Arc::new(OutboxSlot {
                store,
                gate: tokio::sync::Mutex::new(()),
                lock_wait: wait,
            }));
        }
        self
    }

    /// The PSA this desk writes to.
    pub fn client(&self) -> &SharedPsa {
        &self.client
    }

    pub fn outbox(&self) -> Option<&Outbox> {
        self.outbox.as_ref().map(|s| &s.store)
    }

    /// Every outbox item (pending and conflicts), oldest first: what the TUI shows as
    /// "pending". Empty without an outbox.
    pub fn outbox_items(&self) -> Vec<OutboxItem> {
        self.outbox().map(Outbox::list).unwrap_or_default()
    }

    // ----- audit -----

    fn record(
        &self,
        op: &WriteOp,
        outcome: Result<&WriteResult, String>,
        revert: Option<Value>,
        outbox_item: Option<u64>,
    ) {
        let Some(log) = &self.audit else { return };
        let mut args = op.audit_args();
        if let (Some(seq), Some(map)) = (outbox_item, args.as_object_mut()) {
            map.insert("outbox_item".into(), json!(seq));
        }
        let mut entry = match outcome {
            Ok(v) => AuditEntry::ok(
                op.command(),
                args,
                serde_json::to_value(v).unwrap_or(Value::Null),
            ),
            Err(e) => AuditEntry::failed(op.command(), args, e),
        };
        if let Some(r) = revert {
            entry = entry.with_revert(r);
        }
        if let Err(e) = log.record(&entry) {
            // The write itself happened (or failed) already; report, don't pretend otherwise.
            tracing::error!(command = op.command(), error = %e, "could not append to the audit log");
        }
    }

    /// What undoing `op` needs, read before it is sent. A delete or note update whose
    /// "before" cannot be read for a passing reason is not sent now (the undo information
    /// would be lost); for other writes the read is best effort.
    async fn revert_info(&self, op: &WriteOp) -> ApiResult<Option<Value>> {
        let keep_or_skip = |e: ApiError| if worth_keeping(&e) { Err(e) } else { Ok(None) };
        match op {
            WriteOp::PatchTicket { ticket_id, ops } => Ok(self
                .client
                .ticket(*ticket_id)
                .await
                .ok()
                .map(|t| previous_values(&t, ops))),
            WriteOp::AssignTicket { ticket_id, .. } => Ok(self.client.ticket(*ticket_id).await.ok().map(|t| {
                json!({"ticket_id": ticket_id, "assignee_id": t.row.assignee_id, "queue_id": t.row.queue_id, "status_id": t.row.status_id})
            })),
            WriteOp::DeleteTicket { ticket_id } => match self.client.ticket(*ticket_id).await {
                Ok(t) => Ok(serde_json::to_value(&t).ok()),
                Err(e) => keep_or_skip(e),
            },
            WriteOp::UpdateNote {
                ticket_id, note_id, ..
            } => match self.client.note(*ticket_id, *note_id).await {
                Ok(before) => Ok(Some(
                    json!({"ticket_id": ticket_id, "note_id": note_id, "details": before.details, "is_internal": before.is_internal, "type_id": before.type_id}),
                )),
                Err(e) => keep_or_skip(e),
            },
            WriteOp::DeleteNote { ticket_id, note_id } => {
                match self.client.note(*ticket_id, *note_id).await {
                    Ok(before) => Ok(Some(
                        json!({"ticket_id": ticket_id, "note_id": note_id, "details": before.details, "is_internal": before.is_internal, "type_id": before.type_id, "created_on": before.created_on}),
                    )),
                    Err(e) => keep_or_skip(e),
                }
            }
            WriteOp::CreateTicket { .. } | WriteOp::AddNote { .. } | WriteOp::AddTimeLog { .. } => {
                Ok(None)
            }
        }
    }

    // ----- sending now -----

    /// Sends `op` now (no outbox), checking before any resend, and audits the outcome.
    pub async fn run(&self, op: WriteOp) -> ApiResult<WriteResult> {
        let revert = self.revert_info(&op).await?;
        let mut state = SendState::default();
        let result =
            reconcile::perform(self.client.as_ref(), &op, &mut state, &[], |_| Ok(())).await;
        self.record(
            &op,
            result.as_ref().map_err(|e| e.to_string()),
            revert,
            None,
        );
        result
    }

    // ----- the outbox -----

    /// `Ok(None)`: another sender holds the lock. `Err`: the lock cannot be taken at all
    /// (its file cannot be opened), which waiting will not fix: the error names the path.
    async fn lock_outbox<'a>(
        &self,
        slot: &'a OutboxSlot,
    ) -> ApiResult<Option<(tokio::sync::MutexGuard<'a, ()>, OutboxLock)>> {
        let deadline = tokio::time::Instant::now() + slot.lock_wait;
        let Ok(gate) = tokio::time::timeout_at(deadline, slot.gate.lock()).await else {
            return Ok(None);
        };
        loop {
            match slot.store.try_lock() {
                Ok(Some(lock)) => return Ok(Some((gate, lock))),
                Ok(None) if tokio::time::Instant::now() < deadline => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Ok(None) => return Ok(None),
                Err(e) => {
                    tracing::error!(dir = %slot.store.dir().display(), error = %e, "cannot lock the outbox");
                    return Err(ApiError::Config(format!("cannot lock the outbox: {e}")));
                }
            }
        }
    }

    /// Writes `op` through the outbox: stored durably first, then sent after any earlier
    /// pending items (order is kept). Returns [`Outcome::Done`] once the server confirmed it,
    /// [`Outcome::Queued`] when it could not be delivered for a reason that may pass (no
    /// connection, server overloaded or failing, sign-in needed) — it is then in the outbox,
    /// and an error when the server refused it (bad input, ticket gone): nothing is kept then,
    /// the caller shows the error. Without an outbox this is [`Actions::run`].
    pub async fn submit(&self, op: WriteOp) -> ApiResult<Outcome> {
        self.submit_from(op, None).await
    }

    /// [`Actions::submit`] for a note typed in a draft: the outbox item names the draft (`key`),
    /// so whichever process delivers it clears the draft (see [`Actions::with_drafts`]).
    pub async fn submit_from_draft(&self, op: WriteOp, key: DraftKey) -> ApiResult<Outcome> {
        self.submit_from(op, Some(key)).await
    }

    async fn submit_from(&self, op: WriteOp, draft: Option<DraftKey>) -> ApiResult<Outcome> {
        let Some(slot) = self.outbox.clone() else {
            return self.run(op).await.map(Outcome::Done);
        };
        // Durable first: from here on a crash or a kill loses nothing.
        let mut item = match slot.store.enqueue_from(op.clone(), draft) {
            Ok(item) => item,
            Err(e) => {
                // Refusing the write would cost the user more than sending it unprotected.
                tracing::error!(dir = %slot.store.dir().display(), error = %e, "cannot store the write in the outbox; sending it directly");
                return match self.run(op).await {
                    Ok(r) => Ok(Outcome::Done(r)),
                    Err(sent) => Err(not_saved(sent, slot.store.dir(), &e)),
                };
            }
        };
        let record_queued = |item: &OutboxItem, reason: &str| {
            self.record(
                &item.op,
                Err(format!("queued as outbox item {}: {reason}", item.seq)),
                None,
                Some(item.seq),
            );
        };
        let locked = match self.lock_outbox(&slot).await {
            Ok(locked) => locked,
            Err(e) => {
                // Kept (the item is on disk) until the lock's path is fixed; the reason says how.
                let reason = e.to_string();
                record_queued(&item, &reason);
                return Ok(Outcome::Queued {
                    item: item.seq,
                    reason,
                    needs_sign_in: false,
                });
            }
        };
        let Some(_locks) = locked else {
            // Another sender owns the outbox (and may send this item): leave the file alone.
            let reason = "another bmsdesk is sending the outbox; queued behind it".to_string();
            record_queued(&item, &reason);
            return Ok(Outcome::Queued {
                item: item.seq,
                reason,
                needs_sign_in: false,
            });
        };
        // While this waited for the lock, another sender may have dealt with the item.
        match slot.store.get(item.seq) {
            Some(current) if current.is_pending() => item = current,
            Some(conflict) => {
                return Err(ApiError::Invalid(format!(
                    "refused by the server (kept as outbox item {}): {}",
                    conflict.seq,
                    conflict.last_error.unwrap_or_default()
                )));
            }
            None => return self.left_while_waiting(&slot, op, &item).await,
        }
        let queued = |item: &mut OutboxItem, reason: String, needs_sign_in: bool| {
            item.last_error = Some(reason.clone());
            if let Err(e) = slot.store.save(item) {
                tracing::error!(seq = item.seq, error = %e, "cannot update the outbox item");
            }
            record_queued(item, &reason);
            Outcome::Queued {
                item: item.seq,
                reason,
                needs_sign_in,
            }
        };
        let earlier: Vec<OutboxItem> = slot
            .store
            .pending()
            .into_iter()
            .filter(|i| i.seq < item.seq)
            .collect();
        if !earlier.is_empty() {
            let (_, stopped) = self.flush_items(&slot, earlier).await;
            if let Some((blocker, e)) = stopped {
                return Ok(queued(
                    &mut item,
                    format!("waiting for outbox item {blocker} ({e})"),
                    e.is_auth(),
                ));
            }
        }
        match self.send_item(&slot, &mut item, false).await {
            ItemOutcome::Done(r) => Ok(Outcome::Done(r)),
            ItemOutcome::Kept(e) => Ok(queued(&mut item, e.to_string(), e.is_auth())),
            ItemOutcome::Refused(e) => {
                if let Err(err) = slot.store.remove(item.seq) {
                    tracing::error!(seq = item.seq, error = %err, "cannot remove a refused write from the outbox");
                }
                self.record(&item.op, Err(e.to_string()), None, None);
                Err(e)
            }
        }
    }

    /// What became of our item that another sender dealt with while this one waited for the
    /// lock: its receipt says (delivered, with the server's answer, or dropped by the user).
    /// Without one (the receipt could not be written), the server is asked, riding out a
    /// passing outage rather than reporting a write that went through as failed.
    async fn left_while_waiting(
        &self,
        slot: &OutboxSlot,
        op: WriteOp,
        item: &OutboxItem,
    ) -> ApiResult<Outcome> {
        match slot.store.take_receipt(item.seq) {
            Some(Receipt::Delivered { result }) => {
                return match WriteResult::from_stored(&op, result) {
                    Ok(r) => Ok(Outcome::Done(r)),
                    // Delivered for sure; only the copy of the answer is unreadable.
                    Err(e) => {
                        tracing::warn!(seq = item.seq, error = %e, "unreadable outbox receipt; asking the server");
                        self.confirm_delivered(op, item).await
                    }
                };
            }
            Some(Receipt::Dropped) => {
                return Err(ApiError::Invalid(format!(
                    "outbox item {} was dropped (bmsdesk outbox drop) before it was sent",
                    item.seq
                )));
            }
            None => {}
        }
        self.confirm_delivered(op, item).await
    }

    /// Finds on the server a write that another sender delivered, retrying while the server
    /// cannot be reached. A replace cannot be recognised on the server, but it is idempotent:
    /// sending it again is how to confirm it.
    async fn confirm_delivered(&self, op: WriteOp, item: &OutboxItem) -> ApiResult<Outcome> {
        if matches!(op, WriteOp::PatchTicket { .. } | WriteOp::UpdateNote { .. }) {
            return self.run(op).await.map(Outcome::Done);
        }
        const CHECKS: u32 = 6;
        let mut last = None;
        for attempt in 0..CHECKS {
            // Its sender's baseline left with the item: what is dated since it was stored.
            match reconcile::find_applied(self.client.as_ref(), &op, None, item.created_at).await {
                Ok(Some(r)) => return Ok(Outcome::Done(r)),
                Ok(None) => break,
                Err(e) if worth_keeping(&e) && !e.is_auth() => {
                    if attempt + 1 < CHECKS {
                        // The client's own backoff (jitter, the server's Retry-After).
                        let wait = self.client.retry_policy().backoff(attempt, e.retry_after());
                        tokio::time::sleep(wait).await;
                    }
                    last = Some(e);
                }
                Err(e) => {
                    last = Some(e);
                    break;
                }
            }
        }
        Err(ApiError::Config(format!(
            "outbox item {} was sent by another bmsdesk meanwhile, but its outcome cannot be confirmed{}; see the audit log",
            item.seq,
            last.map(|e| format!(" ({e})")).unwrap_or_default()
        )))
    }

    /// Sends one item (the caller holds the outbox lock) and keeps its file up to date.
    /// `was_queued`: it waited in the outbox (its audit line then names the item).
    async fn send_item(
        &self,
        slot: &OutboxSlot,
        item: &mut OutboxItem,
        was_queued: bool,
    ) -> ItemOutcome {
        let op = item.op.clone();
        let store = &slot.store;
        let revert = match self.revert_info(&op).await {
            Ok(r) => r,
            Err(e) => {
                item.last_error = Some(e.to_string());
                item.last_attempt_at = Some(crate::clock::now());
                let _ = store.save(item);
                return ItemOutcome::Kept(e);
            }
        };
        let scope = Scope::of(&op);
        // What this profile's writes created lately is never this one's result.
        let ours = scope
            .map(|s| store.created_in(&s.key(), crate::clock::now()))
            .unwrap_or_default();
        let mut state = item.send_state();
        let result = reconcile::perform(self.client.as_ref(), &op, &mut state, &ours, |s| {
            item.set_send_state(s);
            item.last_attempt_at = Some(crate::clock::now());
            store.save(item)
        })
        .await;
        item.set_send_state(&state);
        match result {
            Ok(r) => {
                if let (Some(scope), Some(id)) = (scope, r.created_id())
                    && let Err(e) = store.remember_created(&scope.key(), id, crate::clock::now())
                {
                    tracing::warn!(seq = item.seq, error = %e, "cannot record what the write created");
                }
                self.clear_sent_draft(item);
                // A queued item may have a process waiting for its outcome (`submit`).
                let removed = if was_queued {
                    let result = serde_json::to_value(&r).unwrap_or(Value::Null);
                    store.finish(item.seq, &Receipt::Delivered { result })
                } else {
                    store.remove(item.seq)
                };
                if let Err(e) = removed {
                    // Still marked "maybe sent": the next flush finds it landed, no resend.
                    tracing::error!(seq = item.seq, error = %e, "delivered, but cannot remove it from the outbox");
                }
                self.record(&op, Ok(&r), revert, was_queued.then_some(item.seq));
                ItemOutcome::Done(r)
            }
            Err(e) if worth_keeping(&e) => {
                item.last_error = Some(e.to_string());
                item.last_attempt_at = Some(crate::clock::now());
                if let Err(err) = store.save(item) {
                    tracing::error!(seq = item.seq, error = %err, "cannot update the outbox item");
                }
                ItemOutcome::Kept(e)
            }
            Err(e) => ItemOutcome::Refused(e),
        }
    }

    /// The draft a delivered item was sent from has done its job.
    fn clear_sent_draft(&self, item: &OutboxItem) {
        if let (Some(key), Some(drafts)) = (&item.draft, &self.drafts)
            && let Err(e) = drafts.remove_sent(key)
        {
            tracing::warn!(seq = item.seq, error = %e, "cannot remove the delivered note's draft");
        }
    }

    /// Sends `items` in order; a refused one becomes a conflict and the rest go on, one that
    /// cannot be delivered now stops the run (later items must not overtake it). Returns the
    /// results and, if it stopped, which item stopped it and why.
    async fn flush_items(
        &self,
        slot: &OutboxSlot,
        items: Vec<OutboxItem>,
    ) -> (Vec<(u64, ApiResult<WriteResult>)>, Option<(u64, ApiError)>) {
        let mut results = Vec::new();
        for mut item in items {
            let seq = item.seq;
            match self.send_item(slot, &mut item, true).await {
                ItemOutcome::Done(r) => results.push((seq, Ok(r))),
                ItemOutcome::Kept(e) => {
                    results.push((seq, Err(e.clone())));
                    return (results, Some((seq, e)));
                }
                ItemOutcome::Refused(e) => {
                    self.mark_conflict(slot, &mut item, &e);
                    results.push((seq, Err(e)));
                }
            }
        }
        (results, None)
    }

    fn mark_conflict(&self, slot: &OutboxSlot, item: &mut OutboxItem, e: &ApiError) {
        item.state = ItemState::Conflict;
        item.last_error = Some(e.to_string());
        item.last_attempt_at = Some(crate::clock::now());
        if let Err(err) = slot.store.save(item) {
            tracing::error!(seq = item.seq, error = %err, "cannot mark the outbox item as a conflict");
        }
        tracing::warn!(seq = item.seq, command = item.op.command(), error = %e, "outbox item refused by the server; kept as a conflict");
        self.record(
            &item.op,
            Err(format!("conflict (kept as outbox item {}): {e}", item.seq)),
            None,
            Some(item.seq),
        );
    }

    /// Sends every pending outbox item, oldest first, and returns what became of each one
    /// that was tried: `Ok` = delivered (removed from the outbox); `Err` with an error for
    /// which [`crate::retry::worth_keeping`] holds = still pending (the run stopped
    /// there, to keep the order); any other `Err` = now a conflict, kept for the user. Empty
    /// when there is nothing to send, no outbox, or another sender is busy.
    pub async fn flush_outbox(&self) -> Vec<(u64, ApiResult<WriteResult>)> {
        let Some(slot) = self.outbox.clone() else {
            return Vec::new();
        };
        let _locks = match self.lock_outbox(&slot).await {
            Ok(Some(locks)) => locks,
            Ok(None) => {
                tracing::info!("outbox busy (another sender); not flushing now");
                return Vec::new();
            }
            // Not a busy sender: the first item in line says why nothing can go (it stays
            // pending: the error is one `worth_keeping`).
            Err(e) => {
                return slot
                    .store
                    .pending()
                    .first()
                    .map(|i| vec![(i.seq, Err(e))])
                    .unwrap_or_default();
            }
        };
        let pending = slot.store.pending();
        if pending.is_empty() {
            return Vec::new();
        }
        self.flush_items(&slot, pending).await.0
    }

    /// Sends one item now, a conflict included (after the user fixed the cause).
    pub async fn retry_outbox_item(&self, seq: u64) -> ApiResult<WriteResult> {
        let slot = self.outbox.clone().ok_or_else(no_outbox)?;
        let Some(_locks) = self.lock_outbox(&slot).await? else {
            return Err(busy());
        };
        let mut item = slot
            .store
            .get(seq)
            .ok_or_else(|| ApiError::Invalid(format!("there is no outbox item {seq}")))?;
        item.state = ItemState::Pending;
        match self.send_item(&slot, &mut item, true).await {
            ItemOutcome::Done(r) => Ok(r),
            ItemOutcome::Kept(e) => Err(e),
            ItemOutcome::Refused(e) => {
                self.mark_conflict(&slot, &mut item, &e);
                Err(e)
            }
        }
    }

    /// Removes an item without sending it (the user gave up on it); the audit log keeps
    /// what it was. Returns the removed item.
    pub async fn drop_outbox_item(&self, seq: u64) -> ApiResult<OutboxItem> {
        let slot = self.outbox.clone().ok_or_else(no_outbox)?;
        let Some(_locks) = self.lock_outbox(&slot).await? else {
            return Err(busy());
        };
        let item = slot
            .store
            .get(seq)
            .ok_or_else(|| ApiError::Invalid(format!("there is no outbox item {seq}")))?;
        slot.store
            .finish(seq, &Receipt::Dropped)
            .map_err(|e| ApiError::Config(format!("cannot remove outbox item {seq}: {e}")))?;
        if let Some(log) = &self.audit {
            let args = json!({
                "outbox_item": seq,
                "command": item.op.command(),
                "args": item.op.audit_args(),
                "state": item.state,
                "maybe_sent": item.maybe_sent,
                "last_error": item.last_error,
            });
            if let Err(e) = log.record(&AuditEntry::ok("outbox.drop", args, Value::Null)) {
                tracing::error!(error = %e, "could not append to the audit log");
            }
        }
        Ok(item)
    }

    // ----- typed writes (send now) -----

    /// Validates the draft (nothing is sent or logged when fields are missing), then creates.
    pub async fn create_ticket(&self, draft: &TicketDraft) -> ApiResult<Ticket> {
        let input = draft.validate()?;
        self.run(WriteOp::CreateTicket { input })
            .await?
            .ticket()
            .ok_or_else(|| ApiError::Decode("create returned no ticket".into()))
    }

    /// JSON-Patch a ticket; the previous values of the patched fields go to `revert_info`.
    pub async fn patch_ticket(&self, id: Id, ops: &[PatchOp]) -> ApiResult<Ticket> {
        self.run(WriteOp::PatchTicket {
            ticket_id: id,
            ops: ops.to_vec(),
        })
        .await?
        .ticket()
        .ok_or_else(|| ApiError::Decode("the update returned no ticket".into()))
    }

    pub async fn set_status(&self, id: Id, status_id: Id) -> ApiResult<Ticket> {
        self.patch_ticket(id, &[PatchOp::replace("/StatusId", json!(status_id))])
            .await
    }

    pub async fn set_priority(&self, id: Id, priority_id: Id) -> ApiResult<Ticket> {
        self.patch_ticket(id, &[PatchOp::replace("/PriorityId", json!(priority_id))])
            .await
    }

    pub async fn assign(&self, id: Id, input: &AssignInput) -> ApiResult<()> {
        self.run(WriteOp::AssignTicket {
            ticket_id: id,
            input: input.clone(),
        })
        .await
        .map(|_| ())
    }

    /// Deletes a ticket; the whole ticket as it was goes to `revert_info`.
    pub async fn delete_ticket(&self, id: Id) -> ApiResult<()> {
        self.run(WriteOp::DeleteTicket { ticket_id: id })
            .await
            .map(|_| ())
    }

    pub async fn add_note(&self, ticket_id: Id, input: &NoteInput) -> ApiResult<Note> {
        self.run(WriteOp::AddNote {
            ticket_id,
            input: input.clone(),
        })
        .await?
        .note()
        .ok_or_else(|| ApiError::Decode("adding the note returned no note".into()))
    }

    pub async fn update_note(
        &self,
        ticket_id: Id,
        note_id: Id,
        input: &NoteInput,
    ) -> ApiResult<Note> {
        self.run(WriteOp::UpdateNote {
            ticket_id,
            note_id,
            input: input.clone(),
        })
        .await?
        .note()
        .ok_or_else(|| ApiError::Decode("the update returned no note".into()))
    }

    /// Deletes a note; its text goes to `revert_info`.
    pub async fn delete_note(&self, ticket_id: Id, note_id: Id) -> ApiResult<()> {
        self.run(WriteOp::DeleteNote { ticket_id, note_id })
            .await
            .map(|_| ())
    }

    pub async fn add_time_log(&self, ticket_id: Id, input: &TimeLogInput) -> ApiResult<TimeLog> {
        self.run(WriteOp::AddTimeLog {
            ticket_id,
            input: input.clone(),
        })
        .await?
        .time_log()
        .ok_or_else(|| ApiError::Decode("logging time returned no entry".into()))
    }
}

fn no_outbox() -> ApiError {
    ApiError::Config("no outbox is configured".into())
}

/// The error for a write that could be neither kept in the outbox (`stored`, in `dir`) nor
/// delivered (`sent`): it must say plainly that nothing was kept. A refusal by the server is
/// passed on as it is (keeping it would not have helped).
fn not_saved(sent: ApiError, dir: &std::path::Path, stored: &std::io::Error) -> ApiError {
    let queue = format!(
        "it could NOT be queued in the outbox ({}: {stored})",
        dir.display()
    );
    match crate::retry::delivery(&sent) {
        crate::retry::Delivery::Rejected => sent,
        crate::retry::Delivery::NotApplied => ApiError::NotSaved(format!(
            "the change was NOT saved: it could not be sent ({sent}) and {queue}; write it again once that is fixed"
        )),
        crate::retry::Delivery::Unknown => ApiError::NotSaved(format!(
            "the change may NOT have been saved: the server did not confirm it ({sent}) and {queue}; check before writing it again"
        )),
    }
}

fn busy() -> ApiError {
    ApiError::Config(
        "another bmsdesk is sending the outbox right now; try again in a moment".into(),
    )
}

/// `{"ticket_id": …, "previous": {"/StatusId": 49951, …}}` for the paths a patch touches.
fn previous_values(ticket: &Ticket, ops: &[PatchOp]) -> Value {
    let current = serde_json::to_value(ticket).unwrap_or(Value::Null);
    let mut previous = serde_json::Map::new();
    for op in ops {
        let key = op.path.trim_start_matches('/');
        let value = current
            .get(dotnet_camel(key))
            .cloned()
            .or_else(|| {
                current.as_object().and_then(|m| {
                    m.iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(key))
                        .map(|(_, v)| v.clone())
                })
            })
            .unwrap_or(Value::Null);
        previous.insert(op.path.clone(), value);
    }
    json!({"ticket_id": ticket.row.id, "previous": previous})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TicketRow;

    #[test]
    fn previous_values_reads_patched_fields() {
        let t = Ticket {
            row: TicketRow {
                id: 7,
                status_id: Some(49951),
                priority_id: Some(3),
                ..Default::default()
            },
            ..Default::default()
        };
        let ops = [
            PatchOp::replace("/StatusId", json!(1)),
            PatchOp::replace("/priorityid", json!(2)),
        ];
        let v = previous_values(&t, &ops);
        assert_eq!(v["previous"]["/StatusId"], json!(49951));
        assert_eq!(v["previous"]["/priorityid"], json!(3));
        assert_eq!(v["ticket_id"], json!(7));
    }
}
