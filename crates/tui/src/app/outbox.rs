//! Writes that wait in the outbox, the link and the request budget, as the model sees them:
//! queued writes show as pending (a marker on the ticket row, the note in the detail pane, a
//! placeholder row for a new ticket, "N pending" in the status bar); deliveries merge the
//! server's data; conflicts are shown and listed (`W`) to retry or drop; an unreachable
//! server shows "offline" while the list stays usable from the cache.

use std::time::Duration;

use super::{Cmd, Layer, Model};
use crate::picker::{PickItem, PickKey, Picker, Purpose, Source};
use crate::protocol::{BudgetLow, Reply, Request};
use crate::text::truncate;
use bmsdesk_core::actions::{WriteOp, WriteResult};
use bmsdesk_core::model::{Id, NoteInput, TicketRow};
use bmsdesk_core::name::Name;
use bmsdesk_core::store::drafts::DraftKey;
use bmsdesk_core::store::outbox::{ItemState, OutboxItem};

/// Outbox, link and budget state (filled by the worker's replies).
#[derive(Debug, Default)]
pub struct OutboxState {
    /// Every outbox item (pending and conflicts), oldest first.
    pub items: Vec<OutboxItem>,
    /// `Some(reason)` while the server cannot be reached.
    pub offline: Option<String>,
    /// The tightest endpoint while less than half of its budget is left.
    pub budget: Option<BudgetLow>,
    /// How often background refreshes run now.
    pub refresh_every: Option<Duration>,
}

/// The id of the placeholder row of a ticket created while offline (outbox item `item`).
pub fn placeholder_id(item: u64) -> Id {
    -(item as Id)
}

impl OutboxState {
    pub fn pending(&self) -> usize {
        self.items.iter().filter(|i| i.is_pending()).count()
    }

    pub fn conflicts(&self) -> usize {
        self.items.len() - self.pending()
    }

    /// The outbox state of a ticket row: `Some(Pending)` while a write for it waits,
    /// `Some(Conflict)` when one was refused (a conflict wins).
    pub fn ticket_state(&self, id: Id) -> Option<ItemState> {
        let mut out = None;
        for i in &self.items {
            let about = match &i.op {
                WriteOp::CreateTicket { .. } => placeholder_id(i.seq) == id,
                op => op.ticket_id() == Some(id),
            };
            if about {
                if i.state == ItemState::Conflict {
                    return Some(ItemState::Conflict);
                }
                out = Some(ItemState::Pending);
            }
        }
        out
    }

    /// Notes waiting for `ticket_id`, oldest first.
    pub fn notes_for(&self, ticket_id: Id) -> impl Iterator<Item = (&OutboxItem, &NoteInput)> {
        self.items.iter().filter_map(move |i| match &i.op {
            WriteOp::AddNote {
                ticket_id: t,
                input,
            } if *t == ticket_id => Some((i, input)),
            _ => None,
        })
    }

    /// "2 pending · 1 conflict" (empty when the outbox is).
    pub fn summary(&self) -> Option<String> {
        let (p, c) = (self.pending(), self.conflicts());
        let mut parts = Vec::new();
        if p > 0 {
            parts.push(format!("{p} pending"));
        }
        if c > 0 {
            parts.push(format!("{c} conflict{}", if c == 1 { "" } else { "s" }));
        }
        (!parts.is_empty()).then(|| parts.join(" · "))
    }

    /// "API 412/1500" while the budget is low.
    pub fn budget_text(&self) -> Option<String> {
        self.budget
            .as_ref()
            .map(|b| format!("API {}/{}", b.remaining, b.limit))
    }
}

impl Model {
    /// The worker's outbox, link and budget replies.
    pub(super) fn on_outbox_reply(&mut self, r: Reply) -> Vec<Cmd> {
        match r {
            Reply::Queued {
                req,
                item,
                op,
                reason,
                needs_sign_in,
            } => return self.on_queued(req, item, *op, &reason, needs_sign_in),
            Reply::Outbox(items) => {
                // A note just queued for the open ticket is scrolled into view: the technician
                // sees it wait, however long the ticket's details are.
                let open = self.detail.id;
                let queued_here = items.iter().any(|i| {
                    matches!(&i.op, WriteOp::AddNote { ticket_id, .. } if Some(*ticket_id) == open)
                        && !self.outbox.items.iter().any(|o| o.seq == i.seq)
                });
                self.outbox.items = items;
                if queued_here {
                    self.detail.scroll = self.detail_notes_scroll();
                }
                self.sync_placeholders();
                return self.forget_queued_drafts();
            }
            Reply::Delivered { item, op, result } => {
                let mut cmds = self.forget_sent_draft(item);
                cmds.extend(self.on_delivered(item, *op, *result));
                return cmds;
            }
            Reply::Conflict { op, error, .. } => {
                self.error(format!(
                    "refused by the server: {} — {error} ({} to retry or drop)",
                    op.summary(),
                    self.keymap.hint(super::Action::Outbox)
                ));
            }
            Reply::OutboxFailed { item, error } => {
                self.error(format!("outbox item {item}: {error}"));
            }
            Reply::Dropped { item } => self.info(format!("outbox item {item} dropped")),
            Reply::Link { online, reason } => {
                if online {
                    let was = self.outbox.offline.take();
                    if was.is_some() {
                        self.info("back online");
                        return self.refresh_after_outage();
                    }
                } else {
                    self.outbox.offline = Some(reason.unwrap_or_default());
                }
            }
            Reply::Budget { low, refresh_every } => {
                self.outbox.budget = low;
                self.outbox.refresh_every = Some(refresh_every);
            }
            Reply::RefreshDue
                if self.outbox.offline.is_none()
                    && !self.list.loading
                    && self.layers.is_empty() =>
            {
                return self.refresh_list();
            }
            _ => {}
        }
        Vec::new()
    }

    /// The link is back: reload reference data that failed and the list.
    fn refresh_after_outage(&mut self) -> Vec<Cmd> {
        let mut cmds = vec![Cmd::Api(Request::Warmup {
            recent_accounts: self.recent_accounts.clone(),
            refresh: false,
        })];
        self.data.failed.clear();
        if !self.list.loading {
            cmds.extend(self.refresh_list());
        }
        if let Some(id) = self.detail.id.filter(|id| *id > 0) {
            cmds.extend(self.request_detail(id, true));
        }
        cmds
    }

    fn on_queued(
        &mut self,
        req: u64,
        item: u64,
        op: WriteOp,
        reason: &str,
        needs_sign_in: bool,
    ) -> Vec<Cmd> {
        // Held by the outbox now: no longer in flight (a time log's later days may still be).
        let done = self.answered(req);
        let mut cmds = Vec::new();
        match &op {
            WriteOp::AddNote { ticket_id, .. } => {
                // The outbox holds the note durably now: the draft has done its job.
                self.close_editor_for(req);
                if self.drafts.remove(ticket_id).is_some() {
                    cmds.push(Cmd::RemoveDraft(*ticket_id));
                }
            }
            WriteOp::AssignTicket { .. } => {
                self.close_editor_for(req);
            }
            WriteOp::CreateTicket { .. } => {
                if self.new_ticket.as_ref().and_then(|n| n.state.sending()) == Some(req) {
                    self.new_ticket = None;
                    self.layers.retain(|l| !matches!(l, Layer::Form));
                }
                self.list.sel_id = Some(placeholder_id(item));
            }
            WriteOp::AddTimeLog { ticket_id, .. } => {
                self.layers
                    .retain(|l| !matches!(l, Layer::TimeLog(f) if f.state.sending() == Some(req)));
                if self
                    .timer
                    .as_ref()
                    .is_some_and(|t| t.ticket_id == Some(*ticket_id) && !t.running())
                {
                    self.timer = None;
                    cmds.push(Cmd::SaveTimer(None));
                }
            }
            _ => {}
        }
        let why = if needs_sign_in {
            "waits for a sign-in".to_string()
        } else {
            format!("will be sent when the server answers ({reason})")
        };
        self.warn(format!("queued: {} — {why}", op.summary()));
        // The last day of a time log queued after earlier days went through: those are logged.
        if let (WriteOp::AddTimeLog { ticket_id, .. }, Some(f)) = (&op, done)
            && !f.logged.is_empty()
        {
            cmds.extend(self.on_time_logged(req, *ticket_id, Ok(f.logged), None));
        }
        cmds
    }

    /// A draft whose note is in the outbox (queued by a process that died while sending it,
    /// say) is no draft any more: the outbox item holds the text and delivers it once. Left
    /// alone while an editor is open on the ticket (its own send is under way, or the user
    /// is typing).
    fn forget_queued_drafts(&mut self) -> Vec<Cmd> {
        let editing = |k: &DraftKey| {
            self.layers
                .iter()
                .any(|l| matches!(l, Layer::Note(e) if e.ticket_id == k.ticket_id))
        };
        let keys: Vec<DraftKey> = self
            .outbox
            .items
            .iter()
            .filter_map(|i| i.draft)
            .filter(|k| !editing(k))
            .collect();
        keys.iter()
            .filter_map(|k| self.drop_draft_sent_as(k))
            .collect()
    }

    /// Outbox item `item` was delivered: the draft it was sent from goes.
    fn forget_sent_draft(&mut self, item: u64) -> Vec<Cmd> {
        let key = self
            .outbox
            .items
            .iter()
            .find(|i| i.seq == item)
            .and_then(|i| i.draft);
        key.and_then(|k| self.drop_draft_sent_as(&k))
            .into_iter()
            .collect()
    }

    fn drop_draft_sent_as(&mut self, key: &DraftKey) -> Option<Cmd> {
        let sent = self
            .drafts
            .get(&key.ticket_id)
            .is_some_and(|d| d.was_sent_as(key));
        sent.then(|| {
            self.drafts.remove(&key.ticket_id);
            Cmd::RemoveDraft(key.ticket_id)
        })
    }

    /// Outbox item `item` reached the server: its data merged as a direct answer's would be
    /// (a created ticket takes its placeholder row's place, and the cursor with it).
    fn on_delivered(&mut self, item: u64, op: WriteOp, result: WriteResult) -> Vec<Cmd> {
        self.outbox.items.retain(|i| i.seq != item);
        if let (WriteOp::CreateTicket { .. }, WriteResult::Ticket(t)) = (&op, &result) {
            let old = placeholder_id(item);
            self.list.remove(old);
            self.list.pinned.remove(&old);
            if self.list.sel_id == Some(old) {
                self.list.sel_id = Some(t.row.id);
            }
        }
        if !self.apply_written(&op, &result) {
            // Assign and the like answer without data: read the ticket again.
            if let Some(id) = op.ticket_id() {
                self.detail.cache.remove(&id);
                if self.detail.id == Some(id) {
                    return self.request_detail(id, true);
                }
            }
        }
        self.info(format!("delivered: {}", op.summary()));
        Vec::new()
    }

    /// Placeholder rows for tickets created while offline, in step with the outbox.
    fn sync_placeholders(&mut self) {
        let want: Vec<(Id, TicketRow)> = self
            .outbox
            .items
            .iter()
            .filter_map(|i| match &i.op {
                WriteOp::CreateTicket { input } => {
                    let id = placeholder_id(i.seq);
                    let status = self.data.lookup_name(
                        bmsdesk_core::lookups::LookupKind::Statuses,
                        Some(input.status_id),
                    );
                    Some((
                        id,
                        TicketRow {
                            id,
                            ticket_number: "(new)".into(),
                            title: bmsdesk_core::text::sanitize_line(&input.title),
                            account_id: Some(input.account_id),
                            account_name: self
                                .data
                                .account_name(Some(input.account_id))
                                .map(Name::from),
                            status_id: Some(input.status_id),
                            status_name: status.map(Name::from),
                            priority_id: Some(input.priority_id),
                            open_date: Some(input.open_date),
                            ..Default::default()
                        },
                    ))
                }
                _ => None,
            })
            .collect();
        let stale: Vec<Id> = self
            .list
            .rows
            .iter()
            .map(|r| r.id)
            .filter(|id| *id < 0 && !want.iter().any(|(w, _)| w == id))
            .collect();
        for id in stale {
            self.list.remove(id);
            self.list.pinned.remove(&id);
        }
        for (id, row) in want {
            if self.list.get(id).is_none() {
                self.list.pinned.insert(id);
                self.list.upsert_one(row);
            }
        }
        self.list.invalidate();
    }

    /// The outbox overlay: every item with its state and error; Enter retries or drops.
    pub(super) fn open_outbox(&mut self) -> Vec<Cmd> {
        if self.outbox.items.is_empty() {
            self.info("the outbox is empty: every write was delivered");
            return Vec::new();
        }
        let mut items = Vec::new();
        for i in &self.outbox.items {
            let state = match i.state {
                ItemState::Pending => "pending",
                ItemState::Conflict => "CONFLICT",
            };
            let err = i.last_error.as_deref().unwrap_or("");
            let label = format!("#{} {state}: {}", i.seq, i.op.summary());
            items.push(
                PickItem::new(PickKey::Id(i.seq as Id), format!("retry {label}"))
                    .hint(truncate(err, 40)),
            );
            items.push(
                PickItem::new(PickKey::Id(-(i.seq as Id)), format!("drop  {label}"))
                    .hint("give up (the audit log keeps it)"),
            );
        }
        let p = Picker::new(
            "Outbox: writes not delivered yet",
            Purpose::Outbox,
            Source::Static,
        )
        .with_items(Some(items));
        self.layers.push(Layer::Picker(p));
        Vec::new()
    }

    /// Enter on an outbox entry: `Id(item)` retries, `Id(-item)` drops.
    pub(super) fn pick_outbox(&mut self, key: PickKey) -> Vec<Cmd> {
        self.layers.pop();
        let PickKey::Id(k) = key else {
            return Vec::new();
        };
        let item = k.unsigned_abs();
        if k > 0 {
            self.info(format!("sending outbox item {item}…"));
            vec![Cmd::Api(Request::OutboxRetry { item })]
        } else {
            vec![Cmd::Api(Request::OutboxDrop { item })]
        }
    }
}
