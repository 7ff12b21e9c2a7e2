//! The model and its pure `update`: keys, worker replies and timers come in as [`Msg`],
//! effects go out as [`Cmd`]. No I/O and no `.await` here.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};
use crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;

use super::forms::{FormFocus, NewTicket, NoteEditor, TimeLogForm};
use super::keymap::{Action, Key, Keymap};
use super::layout::{MainLayout, Panes, WIDE, main_layout};
use super::list::TicketList;
use super::picker::Picker;
use super::protocol::{Cmd, Msg, Reply, Request};
use super::settings::{Settings, ViewDef, default_views};
use super::sla::{Dashboard, SlaBoard};
use super::text::truncate;
use super::theme::Theme;
use super::timer::Timer;
use bmsdesk_core::model::{Id, TicketRow};
use bmsdesk_core::store::drafts::NoteDraft;

mod detail;
mod list;
mod new_ticket;
mod notes;
mod outbox;
mod pickers;
mod time;
mod time_log;
mod triage;
mod typeahead;
mod writes;

pub use detail::{DetailFetch, DetailState, lines as detail_lines};
pub use outbox::{OutboxState, placeholder_id};
pub use pickers::RefData;
pub use writes::InFlight;

/// Wait this long after the selection settles before fetching the detail.
pub const DETAIL_DEBOUNCE: Duration = Duration::from_millis(120);
/// While typing goes on, the note draft is saved at most this long after a keystroke (what
/// a `kill -9` can lose); the first keystroke after a pause is saved at once. A 65-key
/// sentence at 120 ms a key costs 23 small writes (off the loop task, see
/// `draft_writer::DraftWriter`), against 13 and up to 600 ms lost with the former 600 ms.
pub const DRAFT_DEBOUNCE: Duration = Duration::from_millis(250);
/// A cached detail younger than this is not fetched again on selection.
const DETAIL_FRESH_SECS: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Detail,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ConfirmAction {
    Delete(Vec<Id>),
    DiscardTicket,
    DiscardTimeLog,
    Quit,
}

#[derive(Debug, Clone)]
pub struct Confirm {
    pub prompt: String,
    pub action: ConfirmAction,
}

pub enum Layer {
    Picker(Picker),
    Help {
        scroll: u16,
    },
    Confirm(Confirm),
    Note(Box<NoteEditor>),
    /// The new-ticket form (state in `Model::new_ticket`).
    Form,
    /// The time-log form offered when a timer stops.
    TimeLog(Box<TimeLogForm>),
}

#[derive(Default)]
pub struct StatusLine {
    pub error: Option<String>,
    /// A workflow warning (the change went ahead).
    pub warn: Option<String>,
    pub info: Option<String>,
    pub warnings: Vec<String>,
}

pub struct Model {
    pub theme: Theme,
    /// Times are shown in this offset (the local one at start).
    pub tz: FixedOffset,
    /// The zone the server's wall-clock times are in (time logs are sent in it); `None`
    /// until the worker has learnt it.
    pub tenant_zone: Option<bmsdesk_core::tenant_time::TenantZone>,
    /// The profile's `note_type`: a note's type when none is chosen (`domain::note_type`).
    pub note_type: Option<Id>,
    pub keymap: Keymap,
    config_views: Vec<ViewDef>,
    pub views: Vec<ViewDef>,
    pub view: usize,
    pub profile: String,
    pub demo: bool,
    pub size: (u16, u16),
    pub now: DateTime<Utc>,
    pub list: TicketList,
    pub search_gen: u64,
    /// Keep the old rows until the first page of a refresh arrives.
    replace_on_page: bool,
    pub focus: Focus,
    pub detail: DetailState,
    /// The `/` prompt has the keyboard.
    pub filter_input: bool,
    pub layers: Vec<Layer>,
    pub new_ticket: Option<NewTicket>,
    pub data: RefData,
    pub drafts: BTreeMap<Id, NoteDraft>,
    pub status: StatusLine,
    /// The last request number given to a write (see `app/writes.rs`).
    last_req: u64,
    /// Writes sent and not answered yet, by request number.
    pub in_flight: BTreeMap<u64, InFlight>,
    pub recent_accounts: Vec<Id>,
    pub quit: bool,
    /// SLA engine and states (see `tui::sla`).
    pub sla: SlaBoard,
    /// `Some` while the dashboard (`D`) replaces the list.
    pub dashboard: Option<Dashboard>,
    /// The work or call timer (persisted in the state dir).
    pub timer: Option<Timer>,
    timer_gen: u64,
    /// `[tui] call_template`.
    pub call_template: Option<String>,
    /// Keep the cursor on the first row while a new view loads (its order settles only when
    /// every page is in), until a key is pressed.
    follow_top: bool,
    /// Writes waiting in the outbox, the link, the request budget (see `app/outbox.rs`).
    pub outbox: OutboxState,
    /// An editor waiting for its ticket, with the keys typed meanwhile (`app/typeahead.rs`).
    pub awaiting: Option<typeahead::Awaiting>,
    /// Drafts whose last save failed: only in memory (`q` warns).
    pub unsaved_drafts: typeahead::UnsavedDrafts,
}

fn sel_label(r: &TicketRow) -> String {
    format!("{} {}", r.ticket_number, truncate(&r.title, 40))
}

impl Model {
    pub fn new(settings: Settings, profile: &str, demo: bool) -> Model {
        let views = if settings.views.is_empty() {
            default_views(&[])
        } else {
            settings.views.clone()
        };
        let sla = SlaBoard::new(settings.sla.clone());
        let mut warnings = settings.warnings;
        if let Some(e) = &sla.error {
            warnings.push(e.clone());
        }
        let mut m = Model {
            theme: Theme::from_env(),
            tz: bmsdesk_core::clock::local_offset(),
            tenant_zone: None,
            note_type: None,
            keymap: settings.keymap,
            config_views: settings.views,
            views,
            view: 0,
            profile: profile.to_string(),
            demo,
            size: (80, 24),
            now: bmsdesk_core::clock::now(),
            list: TicketList::new(),
            search_gen: 0,
            replace_on_page: false,
            focus: Focus::List,
            detail: DetailState::default(),
            filter_input: false,
            layers: Vec::new(),
            new_ticket: None,
            data: RefData::default(),
            drafts: BTreeMap::new(),
            status: StatusLine {
                warnings,
                ..Default::default()
            },
            last_req: 0,
            in_flight: BTreeMap::new(),
            recent_accounts: Vec::new(),
            quit: false,
            sla,
            dashboard: None,
            timer: None,
            timer_gen: 0,
            call_template: settings.call_template,
            follow_top: false,
            outbox: OutboxState::default(),
            awaiting: None,
            unsaved_drafts: Default::default(),
        };
        m.apply_view_settings();
        m
    }

    /// What to do at start: warm the caches and load the first view.
    pub fn init(&mut self, drafts: Vec<NoteDraft>) -> Vec<Cmd> {
        for d in drafts {
            self.drafts.insert(d.ticket_id, d);
        }
        if !self.drafts.is_empty() {
            self.status.info = Some(format!(
                "{} unsent note draft{} kept — {} to list them",
                self.drafts.len(),
                if self.drafts.len() == 1 { "" } else { "s" },
                self.keymap.hint(Action::Drafts)
            ));
        }
        let mut cmds = vec![Cmd::Api(Request::Warmup {
            recent_accounts: self.recent_accounts.clone(),
            refresh: false,
        })];
        cmds.extend(self.start_search(false));
        cmds.extend(self.restore_timer());
        cmds
    }

    pub fn current_view(&self) -> &ViewDef {
        &self.views[self.view.min(self.views.len() - 1)]
    }

    pub fn wide(&self) -> bool {
        self.size.0 >= WIDE
    }

    /// What of the model decides the screen's layout (see `tui::layout`).
    pub fn panes(&self) -> Panes {
        Panes {
            prompt: self.filter_input || !self.list.query.is_empty(),
            dashboard: self.dashboard.is_some(),
            wide: self.wide(),
            detail_focus: self.focus == Focus::Detail,
        }
    }

    /// The main screen's areas at the terminal's size.
    pub fn screen(&self) -> MainLayout {
        main_layout(Rect::new(0, 0, self.size.0, self.size.1), self.panes())
    }

    /// A time on screen: in the laptop's offset, to the minute ("—" when unknown).
    pub fn fmt_time(&self, t: Option<DateTime<Utc>>) -> String {
        t.map(|t| {
            t.with_timezone(&self.tz)
                .format("%Y-%m-%d %H:%M")
                .to_string()
        })
        .unwrap_or_else(|| "—".into())
    }

    pub fn detail_visible(&self) -> bool {
        self.dashboard.is_none() && (self.wide() || self.focus == Focus::Detail)
    }

    /// Rows of the list viewport.
    pub fn list_height(&self) -> usize {
        self.screen().list.height.saturating_sub(1) as usize
    }

    /// Deferred work before drawing: re-sort/re-filter, keep the selection visible, fetch
    /// the detail of the selection when it settles.
    pub fn prepare(&mut self) -> Vec<Cmd> {
        let mut cmds = Vec::new();
        if self.sla.refresh(&mut self.list, self.now) {
            // Time left changed (a pass ended, or a row changed): orders and filters by it follow.
            if self.list.sort.column == super::settings::Column::Due || self.list.local.uses_sla() {
                self.list.invalidate();
            }
        }
        if self.sla.wants_step() {
            // The 30 s pass over a long list goes on at the next turn of the loop.
            cmds.push(Cmd::After(Duration::ZERO, Msg::SlaStep));
        }
        if let Some(job) = self.list.prepare(self.now) {
            cmds.push(Cmd::Filter(job));
        }
        if self.follow_top {
            self.list.select(0);
            self.follow_top = self.list.loading;
        }
        let h = self.list_height();
        self.list.scroll_into_view(h);
        cmds.extend(self.sync_detail());
        if let Some(d) = self.dashboard.as_mut() {
            d.refresh(&self.list, &self.sla, self.now);
        }
        for l in &mut self.layers {
            if let Layer::Picker(p) = l
                && let Some(job) = p.take_job()
            {
                cmds.push(Cmd::Rank(job));
            }
        }
        cmds.extend(self.settle_awaiting());
        cmds
    }

    pub fn selected(&self) -> Option<&TicketRow> {
        self.list.selected_row()
    }

    fn ticket_label(&self, id: Id) -> String {
        match self.list.get(id) {
            Some(r) => sel_label(r),
            None => match self.detail.cache.get(&id) {
                Some(d) => sel_label(&d.ticket.row),
                None => format!("ticket {id}"),
            },
        }
    }

    fn error(&mut self, e: impl Into<String>) {
        self.status.error = Some(e.into());
        self.status.info = None;
        self.status.warn = None;
    }

    fn info(&mut self, s: impl Into<String>) {
        self.status.info = Some(s.into());
        self.status.error = None;
        self.status.warn = None;
    }

    fn warn(&mut self, s: impl Into<String>) {
        self.status.warn = Some(s.into());
        self.status.error = None;
        self.status.info = None;
    }

    // ---- picker items ----------------------------------------------------------------

    // ---- update ---------------------------------------------------------------------

    pub fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        let mut cmds = match msg {
            Msg::Key(k) => self.on_key(k),
            Msg::Paste(s) => self.on_paste(&s),
            Msg::Resize(w, h) => {
                self.size = (w, h);
                Vec::new()
            }
            Msg::Tick => {
                self.sla.all_due = true;
                Vec::new()
            }
            Msg::SlaStep => {
                self.sla.stepped();
                Vec::new()
            }
            Msg::TimerTick(generation) => self.on_timer_tick(generation),
            Msg::TimerIo(r) => {
                if let Err(e) = r {
                    self.error(format!("cannot save the timer: {e}"));
                }
                Vec::new()
            }
            Msg::Api(r) => self.on_reply(*r),
            Msg::Filtered { filter_gen, rows } => self
                .list
                .filtered(filter_gen, rows)
                .map(Cmd::Filter)
                .into_iter()
                .collect(),
            Msg::Ranked { rank_gen, matches } => {
                let picker = self.layers.iter_mut().rev().find_map(|l| match l {
                    Layer::Picker(p) if p.awaits(rank_gen) => Some(p),
                    _ => None,
                });
                if let Some(p) = picker {
                    p.ranked(rank_gen, matches);
                }
                Vec::new()
            }
            Msg::DetailDue(id) => {
                if self.list.sel_id == Some(id) && self.detail_visible() {
                    self.request_detail(id, false)
                } else {
                    Vec::new()
                }
            }
            Msg::DraftDue => self.on_draft_due(),
            Msg::EditorDone { ticket_id, result } => self.on_editor_done(ticket_id, result),
            Msg::DraftIo {
                ticket_id,
                at,
                result,
            } => {
                self.draft_saved(ticket_id, at, result);
                Vec::new()
            }
        };
        cmds.extend(self.prepare());
        cmds
    }

    /// Like [`update`](Self::update) but leaves the list rebuild to the next `prepare`
    /// (the event loop calls it once per frame): used for bursts of search pages.
    pub fn update_deferred(&mut self, msg: Msg) -> Vec<Cmd> {
        match msg {
            Msg::Api(r) if matches!(*r, Reply::Page { .. }) => self.on_reply(*r),
            other => self.update(other),
        }
    }

    fn on_paste(&mut self, s: &str) -> Vec<Cmd> {
        if self.hold_input(typeahead::Held::Paste(s.to_string())) {
            return Vec::new();
        }
        match self.layers.last_mut() {
            Some(Layer::Note(e)) => {
                super::forms::multiline_paste(&mut e.text, s);
                return self.note_changed();
            }
            Some(Layer::TimeLog(f)) => match f.focus {
                super::forms::LogFocus::Notes => {
                    super::forms::multiline_paste(&mut f.notes, s);
                }
                super::forms::LogFocus::Minutes => {
                    f.minutes
                        .extend(s.chars().filter(|c| c.is_ascii_digit()).take(4));
                }
                _ => {}
            },
            Some(Layer::Picker(p)) => {
                p.query.push_str(&super::forms::pasted_line(s));
                p.rematch();
            }
            Some(Layer::Form) => {
                if let Some(nt) = self.new_ticket.as_mut() {
                    match nt.focus {
                        FormFocus::Title => {
                            nt.title.insert_str(super::forms::pasted_line(s));
                        }
                        FormFocus::Details => {
                            super::forms::multiline_paste(&mut nt.details, s);
                        }
                        _ => {}
                    }
                }
            }
            None if self.filter_input => {
                let q = format!("{}{}", self.list.query, super::forms::pasted_line(s));
                return self
                    .list
                    .set_query(&q)
                    .map(Cmd::Filter)
                    .into_iter()
                    .collect();
            }
            _ => {}
        }
        Vec::new()
    }

    fn on_key(&mut self, ev: KeyEvent) -> Vec<Cmd> {
        let key = Key::from_event(&ev);
        // Make sure the list is current before acting on the selection.
        let mut cmds = self.prepare();
        if self.hold_input(typeahead::Held::Key(ev)) {
            return cmds;
        }
        let more = match self.layers.last() {
            Some(Layer::Picker(_)) => self.key_picker(key),
            Some(Layer::Help { .. }) => self.key_help(key),
            Some(Layer::Confirm(_)) => self.key_confirm(key),
            Some(Layer::Note(_)) => self.key_note(ev, key),
            Some(Layer::Form) => self.key_form(ev, key),
            Some(Layer::TimeLog(_)) => self.key_timelog(ev, key),
            None if self.filter_input => self.key_filter(key),
            None => match self.keymap.action(&key) {
                Some(a) => self.on_action(a),
                None => Vec::new(),
            },
        };
        cmds.extend(more);
        cmds
    }

    pub fn on_action(&mut self, a: Action) -> Vec<Cmd> {
        if self.hold_for_row(a) {
            return Vec::new();
        }
        if matches!(
            a,
            Action::Up
                | Action::Down
                | Action::PageUp
                | Action::PageDown
                | Action::Top
                | Action::Bottom
                | Action::Mark
                | Action::Open
                | Action::SwitchPane
                | Action::Filter
        ) {
            // The user has taken the cursor.
            self.follow_top = false;
        }
        let detail_keys = self.focus == Focus::Detail && self.detail_visible();
        match a {
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
                if detail_keys =>
            {
                return self.detail_action(a);
            }
            Action::Open | Action::SwitchPane => return self.detail_action(a),
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom
            | Action::Back
            | Action::Filter
            | Action::Refresh
            | Action::Mark
            | Action::SortNext
            | Action::SortReverse
            | Action::Dashboard
            | Action::View(_) => return self.list_action(a),
            Action::Palette => return self.open_palette(),
            Action::SetStatus | Action::SetPriority | Action::Assign | Action::Delete => {
                return self.triage_action(a);
            }
            Action::EditorNote | Action::Drafts => return self.note_action(a),
            Action::Help => self.layers.push(Layer::Help { scroll: 0 }),
            Action::Quit => return self.quit_or_ask(),
            Action::NewTicket => return self.start_new_ticket(),
            Action::AddNote => return self.open_note_editor(),
            Action::Outbox => return self.open_outbox(),
            Action::Escalate => return self.escalate(),
            Action::Timer => return self.toggle_timer(),
            Action::Call => return self.toggle_call(),
            Action::CallNewTicket => return self.call_new_ticket(),
        }
        Vec::new()
    }

    fn targets_label(&self, targets: &[Id]) -> String {
        match targets {
            [one] => self
                .list
                .get(*one)
                .map(|r| r.ticket_number.clone())
                .unwrap_or_else(|| format!("ticket {one}")),
            many => format!("{} tickets", many.len()),
        }
    }

    // ---- layers ---------------------------------------------------------------------

    fn key_help(&mut self, key: Key) -> Vec<Cmd> {
        if let Some(Layer::Help { scroll }) = self.layers.last_mut() {
            match key.code {
                KeyCode::Char('j') | KeyCode::Down => *scroll = scroll.saturating_add(1),
                KeyCode::Char('k') | KeyCode::Up => *scroll = scroll.saturating_sub(1),
                KeyCode::PageDown => *scroll = scroll.saturating_add(10),
                KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
                _ => {
                    self.layers.pop();
                }
            }
        }
        Vec::new()
    }

    fn key_confirm(&mut self, key: Key) -> Vec<Cmd> {
        let Some(Layer::Confirm(c)) = self.layers.pop() else {
            return Vec::new();
        };
        let yes = matches!(key.code, KeyCode::Char('y' | 'Y'));
        if !yes {
            if c.action == ConfirmAction::DiscardTicket {
                // Back to the form.
            }
            return Vec::new();
        }
        match c.action {
            ConfirmAction::Delete(ids) => self.delete_tickets(ids),
            ConfirmAction::DiscardTicket => self.discard_new_ticket(),
            ConfirmAction::DiscardTimeLog => self.discard_timelog(),
            ConfirmAction::Quit => {
                self.quit = true;
                vec![Cmd::Quit]
            }
        }
    }

    // ---- new ticket -----------------------------------------------------------------

    // ---- notes ----------------------------------------------------------------------

    // ---- replies --------------------------------------------------------------------

    fn on_reply(&mut self, r: Reply) -> Vec<Cmd> {
        match r {
            r @ (Reply::Me(_)
            | Reply::TenantZone(_)
            | Reply::Accounts { .. }
            | Reply::Locations { .. }
            | Reply::Contacts { .. }
            | Reply::Lookup { .. }
            | Reply::TicketTemplates(_)
            | Reply::NoteTemplates(_)
            | Reply::TimeLogTemplates(_)
            | Reply::Failed { .. }) => return self.on_data_reply(r),
            r @ (Reply::Page { .. }
            | Reply::Cached { .. }
            | Reply::SearchDone { .. }
            | Reply::Changed { .. }) => return self.on_list_reply(r),
            Reply::Detail {
                detail_gen,
                id,
                result,
            } => return self.on_detail_reply(detail_gen, id, result),
            Reply::TicketTemplate { id, result } => return self.on_ticket_template(id, result),
            Reply::NoteTemplateBody {
                template_id,
                ticket_id,
                result,
            } => return self.on_note_template_body(template_id, ticket_id, result),
            Reply::Written { req, op, result } => return self.on_written(req, *op, result),
            r @ (Reply::Queued { .. }
            | Reply::Outbox(_)
            | Reply::Delivered { .. }
            | Reply::Conflict { .. }
            | Reply::OutboxFailed { .. }
            | Reply::Dropped { .. }
            | Reply::Link { .. }
            | Reply::Budget { .. }
            | Reply::RefreshDue) => return self.on_outbox_reply(r),
            Reply::Notice(n) => self.warn(n),
        }
        Vec::new()
    }
}
