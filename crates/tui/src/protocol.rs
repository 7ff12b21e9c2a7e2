//! The messages between the parts of the TUI, and nothing else: what comes into the model
//! ([`Msg`]), what the model asks for ([`Cmd`]), what the worker is asked ([`Request`]) and
//! answers ([`Reply`]), and the detail view's data the answers carry. The model (`app`) and
//! the worker both import this module and neither imports the other, so either can change
//! (or be replaced: another PSA's worker) without the other noticing.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use crossterm::event::KeyEvent;

use super::fuzzy::FilterJob;
use super::picker::RankJob;
use super::settings::ViewDef;
use super::timer::Timer;
use bmsdesk_core::actions::{WriteOp, WriteResult};
use bmsdesk_core::lookups::LookupKind;
use bmsdesk_core::model::{
    Account, Contact, Id, Location, LookupItem, Note, NoteTemplate, Ticket, TicketRow,
    TicketTemplate, TicketTemplateSummary, TimeLog, TimeLogTemplate, UserInfo,
};
use bmsdesk_core::store::drafts::{DraftKey, NoteDraft};
use bmsdesk_core::store::outbox::OutboxItem;
use bmsdesk_core::text::html;
use bmsdesk_core::text::sanitize_line;

#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Paste(String),
    Resize(u16, u16),
    /// Clock tick: relative times on screen may have changed.
    Tick,
    Api(Box<Reply>),
    Filtered {
        filter_gen: u64,
        rows: Vec<u32>,
    },
    /// Go on with the SLA pass over a long list (see `SlaBoard::refresh`).
    SlaStep,
    /// A large picker's background ranking finished.
    Ranked {
        rank_gen: u64,
        matches: Vec<u32>,
    },
    DetailDue(Id),
    DraftDue,
    EditorDone {
        ticket_id: Id,
        result: Result<String, String>,
    },
    /// A draft save (of the text as of `at`) finished.
    DraftIo {
        ticket_id: Id,
        at: DateTime<Utc>,
        result: Result<(), String>,
    },
    /// The running timer's display may have changed (generation of the timer).
    TimerTick(u64),
    TimerIo(Result<(), String>),
}

#[allow(clippy::large_enum_variant)]
pub enum Cmd {
    Api(Request),
    After(Duration, Msg),
    Filter(FilterJob),
    Rank(Arc<RankJob>),
    SaveDraft(NoteDraft),
    RemoveDraft(Id),
    /// Suspend the terminal and edit `text` in `$EDITOR`.
    Editor {
        ticket_id: Id,
        text: String,
    },
    SaveRecent(Vec<Id>),
    /// Persist the timer (or remove it).
    SaveTimer(Option<Timer>),
    Quit,
}

impl std::fmt::Debug for Cmd {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Cmd::Api(r) => write!(f, "Api({r:?})"),
            Cmd::After(d, m) => write!(f, "After({d:?}, {m:?})"),
            Cmd::Filter(j) => write!(f, "Filter(gen {})", j.filter_gen),
            Cmd::Rank(j) => write!(f, "Rank(gen {})", j.rank_gen),
            Cmd::SaveDraft(d) => write!(f, "SaveDraft({d:?})"),
            Cmd::RemoveDraft(id) => write!(f, "RemoveDraft({id})"),
            Cmd::Editor { ticket_id, .. } => write!(f, "Editor({ticket_id})"),
            Cmd::SaveRecent(v) => write!(f, "SaveRecent({v:?})"),
            Cmd::SaveTimer(t) => write!(f, "SaveTimer({t:?})"),
            Cmd::Quit => write!(f, "Quit"),
        }
    }
}
/// What the UI asks of the worker.
#[derive(Debug, Clone)]
pub enum Request {
    /// Who am I, accounts, lookups, templates, and locations and contacts of these accounts.
    Warmup {
        recent_accounts: Vec<Id>,
        refresh: bool,
    },
    Search {
        search_gen: u64,
        view: ViewDef,
    },
    /// Only what changed since `since` (server `LastActivityUpdate`): the view's changed
    /// tickets, the changed ones that left it, and the view's total to check the merge.
    Refresh {
        search_gen: u64,
        view: ViewDef,
        since: DateTime<Utc>,
    },
    Detail {
        detail_gen: u64,
        id: Id,
    },
    Locations {
        account_id: Id,
    },
    Contacts {
        account_id: Id,
    },
    TicketTemplate {
        id: Id,
    },
    NoteTemplateBody {
        template_id: Id,
        ticket_id: Id,
    },
    /// A write, through the outbox (every write the TUI makes is one of these). `op` is sent
    /// first; `then` (a time log across midnight: the server takes one day per entry) follow
    /// in order, each once the one before was delivered or queued; a refusal stops them.
    /// Each op the server answers is a [`Reply::Written`], each queued one a
    /// [`Reply::Queued`], all under `req`.
    Write {
        req: u64,
        op: WriteOp,
        then: Vec<WriteOp>,
        /// The draft a note was typed in: whoever delivers the note clears that draft.
        draft: Option<DraftKey>,
    },
    /// Send one outbox item now (a conflict included).
    OutboxRetry {
        item: u64,
    },
    /// Give up on one outbox item (the audit log keeps it).
    OutboxDrop {
        item: u64,
    },
    /// Send the pending outbox items now.
    OutboxFlush,
}

/// A ticket with everything the detail pane shows, already made safe to draw.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DetailData {
    pub ticket: Ticket,
    pub details_text: String,
    pub notes: Vec<NoteView>,
    pub notes_error: Option<String>,
    pub time_logs: Vec<TimeLog>,
    pub time_error: Option<String>,
    pub fetched_at: DateTime<Utc>,
    /// The copy kept on disk, shown because the server cannot be reached (`fetched_at` says
    /// how old it is).
    pub offline_copy: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NoteView {
    pub id: Id,
    pub text: String,
    pub is_internal: Option<bool>,
    pub author: String,
    pub type_name: Option<String>,
    pub created_on: Option<DateTime<Utc>>,
}

impl NoteView {
    pub fn from_note(n: &Note) -> NoteView {
        NoteView {
            id: n.id,
            text: html::to_text(&n.details),
            is_internal: n.is_internal,
            author: sanitize_line(
                n.created_by_name
                    .as_deref()
                    .or(n.created_by_email.as_deref())
                    .unwrap_or("?"),
            ),
            type_name: n.type_name.as_deref().map(sanitize_line),
            created_on: n.created_on,
        }
    }
}

/// Answers from the worker. `Err` strings are sanitized and safe to show.
#[derive(Debug, Clone)]
pub enum Reply {
    Me(UserInfo),
    /// The zone naive server times are in (the client's, see `api::tenant_time`).
    TenantZone(bmsdesk_core::tenant_time::TenantZone),
    Accounts {
        items: Vec<Account>,
        fetched_at: DateTime<Utc>,
    },
    Locations {
        account_id: Id,
        result: Result<Vec<Location>, String>,
    },
    Contacts {
        account_id: Id,
        result: Result<Vec<Contact>, String>,
    },
    Lookup {
        kind: LookupKind,
        items: Vec<LookupItem>,
    },
    TicketTemplates(Vec<TicketTemplateSummary>),
    NoteTemplates(Vec<NoteTemplate>),
    TimeLogTemplates(Vec<TimeLogTemplate>),
    TicketTemplate {
        id: Id,
        result: Result<TicketTemplate, String>,
    },
    NoteTemplateBody {
        template_id: Id,
        ticket_id: Id,
        result: Result<String, String>,
    },
    Page {
        search_gen: u64,
        rows: Vec<TicketRow>,
        total: Option<u64>,
    },
    SearchDone {
        search_gen: u64,
        result: Result<u64, String>,
        at: DateTime<Utc>,
    },
    /// What the disk holds for the view of search `search_gen`, sent (before its `SearchDone`) when
    /// the server cannot be reached: shown marked as cached until live pages replace it.
    Cached {
        search_gen: u64,
        list: super::offline_list::OfflineList,
    },
    /// Answer to [`Request::Refresh`].
    Changed {
        search_gen: u64,
        result: Result<Changes, String>,
        at: DateTime<Utc>,
    },
    Detail {
        detail_gen: u64,
        id: Id,
        result: Result<Arc<DetailData>, String>,
    },
    /// One op of write `req` answered by the server: what it gave back (an assignment, which
    /// answers without a body, with the ticket read back when that worked), or why it was
    /// refused. The same data as a [`Reply::Delivered`] of the outbox, merged the same way.
    Written {
        req: u64,
        op: Box<WriteOp>,
        result: Result<WriteResult, String>,
    },
    /// A warning from the client that did not fail a request (a list cut short by its
    /// server, a sign-in that could not be saved): shown in the status bar.
    Notice(String),
    /// A background load failed (warm-up, lookups).
    Failed {
        what: String,
        error: String,
    },
    /// Write `req` could not be delivered now; it is stored as outbox item `item` and will be
    /// sent later (a note's draft may go: the outbox holds it durably).
    Queued {
        req: u64,
        item: u64,
        op: Box<WriteOp>,
        reason: String,
        needs_sign_in: bool,
    },
    /// The outbox as it is now (pending and conflicts, oldest first); sent when it changes.
    Outbox(Vec<OutboxItem>),
    /// A queued write reached the server (from a flush or a retry).
    Delivered {
        item: u64,
        op: Box<WriteOp>,
        result: Box<WriteResult>,
    },
    /// A queued write was refused by the server: kept as a conflict for the user.
    Conflict {
        item: u64,
        op: Box<WriteOp>,
        error: String,
    },
    /// Retrying or dropping an outbox item did not happen (busy, gone...).
    OutboxFailed {
        item: u64,
        error: String,
    },
    Dropped {
        item: u64,
    },
    /// The server became unreachable (`online: false`) or answers again.
    Link {
        online: bool,
        reason: Option<String>,
    },
    /// The request budget: the tightest endpoint when less than half of its hourly budget
    /// is left (`None` otherwise), and how often background refreshes should run.
    Budget {
        low: Option<BudgetLow>,
        refresh_every: Duration,
    },
    /// Time for a background refresh of the list (paced by the request budget).
    RefreshDue,
}

/// What the status bar shows of the request budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetLow {
    pub endpoint: String,
    pub remaining: u32,
    pub limit: u32,
}

/// What an incremental refresh found.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    /// Tickets of the view changed since the mark (new ones included).
    pub rows: Vec<TicketRow>,
    /// Tickets changed since the mark that the view no longer holds.
    pub left: Vec<Id>,
    /// How many tickets the view holds now (`totalRecords`), when the server says.
    pub total: Option<u64>,
}
