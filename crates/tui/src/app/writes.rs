//! Writes as the model sends and completes them. Every write is a [`WriteOp`] (the data the
//! CLI and the outbox use too) sent as one [`Request::Write`], with one in-flight record
//! under its request number until the server has answered each of its ops or the outbox has
//! taken it. What the server gives back is merged by [`Model::apply_written`], the same for
//! a write answered at once ([`Reply::Written`]) and one the outbox delivered later
//! (`Reply::Delivered`, see `outbox.rs`); what the user sees of it (an editor closing, the
//! message) is the flow's own (`notes`, `triage`, `new_ticket`, `time`).

use std::sync::Arc;

use super::Model;
use crate::protocol::{Cmd, NoteView, Request};
use bmsdesk_core::actions::{WriteOp, WriteResult};
use bmsdesk_core::model::{Id, PatchOp, Ticket, TimeLog};
use bmsdesk_core::store::drafts::DraftKey;

/// A write sent and not answered yet (the status bar shows the oldest; `q` counts them).
#[derive(Debug, Default)]
pub struct InFlight {
    /// What it does: "adding a note to T20250001".
    pub desc: String,
    /// The status a note carries to its ticket (ticket, status): shown on the row once the
    /// note is in.
    pub(super) status: Option<(Id, Id)>,
    /// The workflow warning of a status change, shown with its result instead of `desc`.
    pub(super) warn: Option<String>,
    /// Ops not answered yet (a time log across midnight sends one per day).
    pub(super) left: usize,
    /// A time log's entries delivered so far.
    pub(super) logged: Vec<TimeLog>,
}

/// A write about to be sent: the op(s), and what its in-flight record says.
pub(super) struct Write {
    flight: InFlight,
    op: WriteOp,
    then: Vec<WriteOp>,
    draft: Option<DraftKey>,
}

impl Write {
    pub(super) fn new(desc: impl Into<String>, op: WriteOp) -> Write {
        Write {
            flight: InFlight {
                desc: desc.into(),
                ..Default::default()
            },
            op,
            then: Vec::new(),
            draft: None,
        }
    }

    /// Ops sent after the first, in order (see [`Request::Write`]).
    pub(super) fn then(mut self, ops: Vec<WriteOp>) -> Write {
        self.then = ops;
        self
    }

    pub(super) fn warn(mut self, w: Option<String>) -> Write {
        self.flight.warn = w;
        self
    }

    pub(super) fn status(mut self, s: Option<(Id, Id)>) -> Write {
        self.flight.status = s;
        self
    }

    pub(super) fn draft(mut self, d: Option<DraftKey>) -> Write {
        self.draft = d;
        self
    }
}

/// What a ticket update changes, in words ("status", "priority").
pub(super) fn patch_what(ops: &[PatchOp]) -> &'static str {
    match ops.first().map(|o| o.path.trim_start_matches('/')) {
        Some(p) if p.eq_ignore_ascii_case("StatusId") => "status",
        Some(p) if p.eq_ignore_ascii_case("PriorityId") => "priority",
        _ => "update",
    }
}

impl Model {
    /// A new request number.
    pub(super) fn req(&mut self) -> u64 {
        self.last_req += 1;
        self.last_req
    }

    /// Sends a write: a request number, its in-flight record, the request.
    pub(super) fn send_write(&mut self, w: Write) -> (u64, Cmd) {
        let req = self.req();
        let left = 1 + w.then.len();
        self.in_flight.insert(req, InFlight { left, ..w.flight });
        let cmd = Cmd::Api(Request::Write {
            req,
            op: w.op,
            then: w.then,
            draft: w.draft,
        });
        (req, cmd)
    }

    /// The same write for each of `items` (the marked tickets, or the selected one): a
    /// request and an in-flight record each. Returns the first request (an editor waits for
    /// it) and the requests.
    pub(super) fn write_each<T>(
        &mut self,
        items: impl IntoIterator<Item = T>,
        each: impl Fn(&Self, T) -> Write,
    ) -> (Option<u64>, Vec<Cmd>) {
        let mut first = None;
        let mut cmds = Vec::new();
        for item in items {
            let w = each(self, item);
            let (req, cmd) = self.send_write(w);
            first.get_or_insert(req);
            cmds.push(cmd);
        }
        (first, cmds)
    }

    /// The in-flight record of `req` once one of its ops was answered: taken when it was the
    /// last, else left with one op fewer to wait for.
    pub(super) fn answered(&mut self, req: u64) -> Option<InFlight> {
        let f = self.in_flight.get_mut(&req)?;
        f.left = f.left.saturating_sub(1);
        if f.left == 0 {
            self.in_flight.remove(&req)
        } else {
            None
        }
    }

    /// One op of write `req` answered by the server: to the flow that sent it.
    pub(super) fn on_written(
        &mut self,
        req: u64,
        op: WriteOp,
        result: Result<WriteResult, String>,
    ) -> Vec<Cmd> {
        match op {
            WriteOp::CreateTicket { .. } => self.on_created(req, op, result),
            WriteOp::AddNote { .. } => self.on_note_written(req, op, result),
            WriteOp::PatchTicket { .. }
            | WriteOp::AssignTicket { .. }
            | WriteOp::DeleteTicket { .. } => self.on_triage_written(req, op, result),
            WriteOp::AddTimeLog { .. } => self.on_time_written(req, op, result),
            WriteOp::UpdateNote { .. } | WriteOp::DeleteNote { .. } => {
                // Not sent from the TUI; merged all the same.
                self.in_flight.remove(&req);
                if let Ok(r) = &result {
                    self.apply_written(&op, r);
                }
                Vec::new()
            }
        }
    }

    /// What a delivered write gave back, merged into the list and the detail cache: the same
    /// for a write answered at once and for one the outbox delivered later. False when it
    /// gave nothing to merge (an assignment without the ticket read back): the ticket is
    /// best read again.
    pub(super) fn apply_written(&mut self, op: &WriteOp, result: &WriteResult) -> bool {
        match (op, result) {
            (WriteOp::CreateTicket { .. }, WriteResult::Ticket(t)) => {
                let id = t.row.id;
                self.list.pinned.insert(id);
                self.list.upsert_one(t.row.clone());
                self.list.invalidate();
            }
            (_, WriteResult::Ticket(t)) => self.update_row_from(t),
            (WriteOp::AddNote { ticket_id, .. }, WriteResult::Note(n)) => {
                if let Some(d) = self.detail.cache.get_mut(ticket_id) {
                    Arc::make_mut(d).notes.push(NoteView::from_note(n));
                }
            }
            (WriteOp::AddTimeLog { ticket_id, .. }, WriteResult::TimeLog(l)) => {
                if let Some(d) = self.detail.cache.get_mut(ticket_id) {
                    Arc::make_mut(d).time_logs.push((**l).clone());
                }
            }
            (WriteOp::DeleteTicket { ticket_id }, _) => {
                self.list.remove(*ticket_id);
                self.detail.cache.remove(ticket_id);
            }
            _ => return false,
        }
        true
    }

    /// The server's copy of a ticket replaces the row and the detail pane's ticket.
    pub(super) fn update_row_from(&mut self, t: &Ticket) {
        self.list.upsert_one(t.row.clone());
        if let Some(d) = self.detail.cache.get_mut(&t.row.id) {
            let d = Arc::make_mut(d);
            d.ticket.row = t.row.clone();
        }
    }
}
