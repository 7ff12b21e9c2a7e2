//! How far the sending of one write got, kept across attempts and (through the outbox) across
//! processes and crashes: whether it may have reached the server, and what the server held
//! before it did, so that a later check can only ever take something *this* write produced
//! for its result (see `actions::reconcile`).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::Id;
use crate::ops::WriteOp;

/// The server objects a write adds one of: where its check looks for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// A ticket's notes (a note, or the note an assignment writes).
    Notes(Id),
    /// A ticket's time logs.
    TimeLogs(Id),
    /// Tickets (a create).
    Tickets,
}

impl Scope {
    /// What `op` adds to; `None` for writes that change or remove something that exists.
    pub fn of(op: &WriteOp) -> Option<Scope> {
        match op {
            WriteOp::AddNote { ticket_id, .. } | WriteOp::AssignTicket { ticket_id, .. } => {
                Some(Scope::Notes(*ticket_id))
            }
            WriteOp::AddTimeLog { ticket_id, .. } => Some(Scope::TimeLogs(*ticket_id)),
            WriteOp::CreateTicket { .. } => Some(Scope::Tickets),
            _ => None,
        }
    }

    /// A stable name for it ("notes/123"), for records kept on disk.
    pub fn key(&self) -> String {
        match self {
            Scope::Notes(t) => format!("notes/{t}"),
            Scope::TimeLogs(t) => format!("timelogs/{t}"),
            Scope::Tickets => "tickets".into(),
        }
    }
}

/// What the server held in a write's [`Scope`] just before the write first went out: the ids
/// a later check must not take for the write's own result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    pub ids: BTreeSet<Id>,
    /// For a ticket create: the search's "created on or after" bound, by the server's clock,
    /// so that every later check asks the same question.
    #[serde(default)]
    pub created_from: Option<DateTime<Utc>>,
}

impl Baseline {
    /// Whether `id` was not there before the write: it may be the write's result.
    pub fn is_new(&self, id: Id) -> bool {
        !self.ids.contains(&id)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SendState {
    pub attempts: u32,
    /// An attempt may have reached the server.
    pub maybe_sent: bool,
    /// When the first such attempt started (local clock).
    pub sent_at: Option<DateTime<Utc>>,
    /// What the server held before the first attempt (`None`: not taken yet, or an item
    /// stored by an older bmsdesk).
    pub baseline: Option<Baseline>,
    /// When the latest attempt that may have reached the server ended, or started if its end
    /// is not known (local clock): the server's reads may not show it until
    /// `RetryPolicy::check_window` after this.
    pub unsure_since: Option<DateTime<Utc>>,
}
