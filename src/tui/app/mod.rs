//! The model and its pure `update`: keys, worker replies and timers come in as [`Msg`],
//! effects go out as [`Cmd`]. No I/O and no `.await` here.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use serde_json::json;

use super::drafts::NoteDraft;
use super::forms::{FORM_ORDER, FormFocus, NewTicket, NoteEditor, NoteMode, TimeLogForm, textarea};
use super::keymap::{Action, Key, Keymap};
use super::layout::{MainLayout, Panes, WIDE, main_layout};
use super::list::{LocalFilter, TicketList};
use super::picker::{Field, Outcome, PickItem, PickKey, Picker, Purpose, Source};
use super::protocol::{Cmd, DetailData, Msg, NoteView, Reply, Request};
use super::settings::{Settings, ViewDef, default_views};
use super::sla::{Dashboard, SlaBoard};
use super::text::{text_to_html, truncate};
use super::theme::Theme;
use super::timer::Timer;
use crate::api::LookupKind;
use crate::api::TicketDraft;
use crate::api::model::{
    Account, AssignInput, Contact, Id, Location, LookupItem, NoteInput, NoteTemplate, PatchOp,
    TicketRow, TicketTemplateSummary, TimeLogTemplate, UserInfo,
};

mod detail;
mod outbox;
mod triage;
mod typeahead;

pub use detail::lines as detail_lines;
pub use outbox::{OutboxState, placeholder_id};

/// Wait this long after the selection settles before fetching the detail.
pub const DETAIL_DEBOUNCE: Duration = Duration::from_millis(120);
/// While typing goes on, the note draft is saved at most this long after a keystroke (what
/// a `kill -9` can lose); the first keystroke after a pause is saved at once. A 65-key
/// sentence at 120 ms a key costs 23 small writes (off the loop task, see
/// `drafts::DraftWriter`), against 13 and up to 600 ms lost with the former 600 ms.
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

/// Reference data: accounts, locations, contacts, lookups, templates, who I am.
#[derive(Default)]
pub struct RefData {
    pub accounts: Option<Vec<Account>>,
    pub accounts_at: Option<DateTime<Utc>>,
    pub locations: HashMap<Id, Result<Vec<Location>, String>>,
    pub contacts: HashMap<Id, Result<Vec<Contact>, String>>,
    pub lookups: HashMap<LookupKind, Vec<LookupItem>>,
    pub failed: HashSet<String>,
    pub ticket_templates: Option<Vec<TicketTemplateSummary>>,
    pub note_templates: Option<Vec<NoteTemplate>>,
    pub timelog_templates: Option<Vec<TimeLogTemplate>>,
    pub me: Option<UserInfo>,
}

impl RefData {
    pub fn lookup_name(&self, kind: LookupKind, id: Option<Id>) -> Option<&str> {
        let id = id?;
        self.lookups
            .get(&kind)?
            .iter()
            .find(|i| i.id == id)
            .map(|i| i.name.as_str())
    }
    pub fn account_name(&self, id: Option<Id>) -> Option<&str> {
        let id = id?;
        self.accounts
            .as_ref()?
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.name.as_str())
    }
    pub fn location_name(&self, account: Option<Id>, id: Option<Id>) -> Option<&str> {
        let (account, id) = (account?, id?);
        self.locations
            .get(&account)?
            .as_ref()
            .ok()?
            .iter()
            .find(|l| l.id == id)
            .map(|l| l.name.as_str())
    }
    pub fn contact(&self, account: Option<Id>, id: Option<Id>) -> Option<&Contact> {
        let (account, id) = (account?, id?);
        let cs = self.contacts.get(&account)?.as_ref().ok()?;
        cs.iter().find(|c| c.id == id)
    }
}

#[derive(Default)]
pub struct DetailState {
    /// The ticket the pane shows (or wants to).
    pub id: Option<Id>,
    pub seq: u64,
    pub cache: HashMap<Id, Arc<DetailData>>,
    pub scroll: u16,
    pub loading: Option<Id>,
    pub error: Option<(Id, String)>,
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
    pub tenant_zone: Option<crate::api::TenantZone>,
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
    next_req: u64,
    /// In-flight writes: request → what it does (for the status bar).
    pub pending: BTreeMap<u64, String>,
    pub recent_accounts: Vec<Id>,
    pub quit: bool,
    /// SLA engine and states (see `tui::sla`).
    pub sla: SlaBoard,
    /// `Some` while the dashboard (`D`) replaces the list.
    pub dashboard: Option<Dashboard>,
    /// The work or call timer (persisted in the state dir).
    pub timer: Option<Timer>,
    timer_gen: u64,
    /// Notes that carry a status change: request → (ticket, status).
    pending_status: HashMap<u64, (Id, Id)>,
    /// Workflow warnings of changes in flight, shown with their result.
    pending_warn: HashMap<u64, String>,
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
            tz: crate::clock::local_offset(),
            tenant_zone: None,
            keymap: settings.keymap,
            config_views: settings.views,
            views,
            view: 0,
            profile: profile.to_string(),
            demo,
            size: (80, 24),
            now: crate::clock::now(),
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
            next_req: 0,
            pending: BTreeMap::new(),
            recent_accounts: Vec::new(),
            quit: false,
            sla,
            dashboard: None,
            timer: None,
            timer_gen: 0,
            pending_status: HashMap::new(),
            pending_warn: HashMap::new(),
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

    /// Shows the list saved at the end of the last run until the fresh one arrives (rows
    /// made safe to draw by whoever read them from the disk: `worker::load_snapshot`).
    pub fn show_cached(
        &mut self,
        rows: Vec<TicketRow>,
        at: DateTime<Utc>,
        total: Option<u64>,
    ) -> Vec<Cmd> {
        self.list.upsert(rows);
        self.list.total = total;
        self.list.from_cache = true;
        self.list.loaded_at = Some(at);
        self.replace_on_page = true;
        self.prepare()
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

    fn req(&mut self) -> u64 {
        self.next_req += 1;
        self.next_req
    }

    /// Rows of the list viewport.
    pub fn list_height(&self) -> usize {
        self.screen().list.height.saturating_sub(1) as usize
    }

    fn apply_view_settings(&mut self) {
        let v = self.current_view().clone();
        self.list.local = LocalFilter::from_view(&v);
        if let Some(s) = v.sort {
            self.list.sort = s;
        }
        self.list.invalidate();
    }

    fn start_search(&mut self, refresh: bool) -> Vec<Cmd> {
        self.search_gen += 1;
        self.list.loading = true;
        if refresh {
            self.replace_on_page = true;
        } else {
            self.replace_on_page = false;
            self.list.clear();
        }
        self.list.begin_sync(self.now);
        vec![Cmd::Api(Request::Search {
            seq: self.search_gen,
            view: self.current_view().clone(),
        })]
    }

    /// `r`, the background refresh and the return from an outage: only what changed since
    /// the last load when that load is known to be complete
    /// (see `TicketList::refresh_since`), else everything again.
    fn refresh_list(&mut self) -> Vec<Cmd> {
        let Some(since) = self.list.refresh_since() else {
            return self.start_search(true);
        };
        self.search_gen += 1;
        self.list.begin_sync(self.now);
        vec![Cmd::Api(Request::Refresh {
            seq: self.search_gen,
            view: self.current_view().clone(),
            since,
        })]
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

    /// Items of a picker source, `None` while the data is not loaded yet.
    pub fn items_for(&self, source: &Source) -> Option<Vec<PickItem>> {
        let lookup = |kind: LookupKind| -> Option<Vec<PickItem>> {
            let items = self.data.lookups.get(&kind).filter(|v| !v.is_empty());
            match items {
                Some(items) => Some(
                    items
                        .iter()
                        .filter(|i| i.is_active != Some(false))
                        .map(|i| {
                            let item = PickItem::new(PickKey::Id(i.id), i.name.clone());
                            match (&i.email_address, i.is_default) {
                                (Some(e), _) => item.hint(e.clone()),
                                (None, Some(true)) => item.hint("default"),
                                _ => item,
                            }
                        })
                        .collect(),
                ),
                None if kind == LookupKind::Types => {
                    // No documented endpoint: fall back to the types seen on tickets.
                    let mut seen = BTreeMap::new();
                    for r in &self.list.rows {
                        if let (Some(id), Some(n)) = (r.type_id, r.type_name.as_ref()) {
                            seen.entry(id).or_insert_with(|| n.to_string());
                        }
                    }
                    (!seen.is_empty() || self.data.failed.contains(kind.name())).then(|| {
                        seen.into_iter()
                            .map(|(id, n)| {
                                PickItem::new(PickKey::Id(id), n).hint("seen on tickets")
                            })
                            .collect()
                    })
                }
                None if self.data.failed.contains(kind.name()) => Some(Vec::new()),
                None => None,
            }
        };
        match source {
            Source::Static => None,
            Source::Accounts => self.data.accounts.as_ref().map(|a| {
                a.iter()
                    .filter(|a| a.is_active != Some(false))
                    .map(|a| PickItem::new(PickKey::Id(a.id), a.name.clone()))
                    .collect()
            }),
            Source::Locations(acc) => match self.data.locations.get(acc)? {
                Ok(ls) => Some(
                    ls.iter()
                        .map(|l| {
                            let i = PickItem::new(PickKey::Id(l.id), l.name.clone());
                            if l.is_main == Some(true) {
                                i.hint("main")
                            } else {
                                i
                            }
                        })
                        .collect(),
                ),
                Err(_) => Some(Vec::new()),
            },
            Source::Contacts(acc) => {
                let mut v = vec![PickItem::new(PickKey::None, "(no contact)")];
                // A failed load still offers "(no contact)": the error is in the status bar.
                if let Ok(cs) = self.data.contacts.get(acc)? {
                    v.extend(cs.iter().map(|c| {
                        let reach = c.phone.as_deref().or(c.email_address.as_deref());
                        let hint: Vec<&str> = reach
                            .into_iter()
                            .chain(c.location_name.as_deref())
                            .filter(|s| !s.is_empty())
                            .collect();
                        PickItem::new(PickKey::Id(c.id), c.name.clone()).hint(hint.join(" · "))
                    }));
                }
                Some(v)
            }
            Source::Lookup(kind) => lookup(*kind),
            Source::TicketTemplates => self.data.ticket_templates.as_ref().map(|ts| {
                let mut v = vec![PickItem::new(PickKey::None, "(blank ticket)")];
                v.extend(
                    ts.iter()
                        .map(|t| PickItem::new(PickKey::Id(t.id), t.name.clone())),
                );
                v
            }),
            Source::NoteTemplates => self.data.note_templates.as_ref().map(|ts| {
                ts.iter()
                    .map(|t| {
                        let vis = match t.is_internal {
                            Some(true) => "internal",
                            Some(false) => "external",
                            None => "",
                        };
                        PickItem::new(PickKey::Id(t.id), t.name.clone()).hint(vis)
                    })
                    .collect()
            }),
            Source::TimeLogTemplates => self.data.timelog_templates.as_ref().map(|ts| {
                let mut v = vec![PickItem::new(PickKey::None, "(no template)")];
                v.extend(ts.iter().map(|t| {
                    let item = PickItem::new(PickKey::Id(t.id), t.name.clone());
                    match t.timespent {
                        Some(h) if h > 0.0 => item.hint(format!("{h:.2} h")),
                        _ => item,
                    }
                }));
                v
            }),
            Source::AssignTargets => {
                let people = self.data.lookups.get(&LookupKind::Assignees);
                let queues = self.data.lookups.get(&LookupKind::Queues);
                if people.is_none() && queues.is_none() {
                    return None;
                }
                let mut v: Vec<PickItem> = queues
                    .into_iter()
                    .flatten()
                    .filter(|q| q.is_active != Some(false))
                    .map(|q| PickItem::new(PickKey::Queue(q.id), q.name.clone()).hint("queue"))
                    .collect();
                v.extend(people.into_iter().flatten().map(|p| {
                    PickItem::new(PickKey::Assignee(p.id), p.name.clone()).hint("person")
                }));
                Some(v)
            }
        }
    }

    fn open_picker(&mut self, mut p: Picker) -> Vec<Cmd> {
        let mut cmds = Vec::new();
        if p.source != Source::Static {
            match self.items_for(&p.source) {
                Some(items) => p.set_items(items),
                None => match p.source {
                    Source::Locations(acc) => {
                        cmds.push(Cmd::Api(Request::Locations { account_id: acc }));
                    }
                    Source::Contacts(acc) => {
                        cmds.push(Cmd::Api(Request::Contacts { account_id: acc }));
                    }
                    _ => {}
                },
            }
        }
        self.layers.push(Layer::Picker(p));
        cmds
    }

    /// Data arrived: fill the pickers that were waiting for it.
    fn refresh_pickers(&mut self) -> Vec<Cmd> {
        let mut updates = Vec::new();
        for (i, l) in self.layers.iter().enumerate() {
            if let Layer::Picker(p) = l
                && p.loading
                && p.source != Source::Static
                && let Some(items) = self.items_for(&p.source)
            {
                updates.push((i, items));
            }
        }
        for (i, items) in updates {
            if let Some(Layer::Picker(p)) = self.layers.get_mut(i) {
                p.set_items(items);
            }
        }
        // A chain location picker with a single choice picks itself.
        if let Some(Layer::Picker(p)) = self.layers.last()
            && matches!(
                p.purpose,
                Purpose::NewTicket {
                    field: Field::Location,
                    chain: true
                }
            )
            && !p.loading
            && p.items.len() == 1
        {
            let key = p.items[0].key;
            let label = p.items[0].label.clone();
            self.layers.pop();
            self.info(format!("location: {label} (the only one)"));
            return self.picked_new_ticket(Field::Location, true, key);
        }
        Vec::new()
    }

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
            Msg::Filtered { seq, rows } => self
                .list
                .filtered(seq, rows)
                .map(Cmd::Filter)
                .into_iter()
                .collect(),
            Msg::Ranked { seq, matches } => {
                let picker = self.layers.iter_mut().rev().find_map(|l| match l {
                    Layer::Picker(p) if p.awaits(seq) => Some(p),
                    _ => None,
                });
                if let Some(p) = picker {
                    p.ranked(seq, matches);
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

    fn key_filter(&mut self, key: Key) -> Vec<Cmd> {
        let ctrl = key.mods.contains(KeyModifiers::CONTROL);
        let mut q = self.list.query.clone();
        match key.code {
            KeyCode::Esc => {
                self.filter_input = false;
                q.clear();
            }
            KeyCode::Enter => {
                self.filter_input = false;
                return Vec::new();
            }
            KeyCode::Up => {
                self.list.move_by(-1);
                return Vec::new();
            }
            KeyCode::Down => {
                self.list.move_by(1);
                return Vec::new();
            }
            KeyCode::Backspace => {
                q.pop();
            }
            KeyCode::Char('u') if ctrl => q.clear(),
            KeyCode::Char('w') if ctrl => {
                let t = q.trim_end().to_string();
                q.truncate(t.rfind(' ').map(|i| i + 1).unwrap_or(0));
            }
            KeyCode::Char(c) if !ctrl => q.push(c),
            _ => return Vec::new(),
        }
        self.list
            .set_query(&q)
            .map(Cmd::Filter)
            .into_iter()
            .collect()
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
        let page = self.list_height().max(1) as isize;
        let detail_keys = self.focus == Focus::Detail && self.detail_visible();
        match a {
            Action::Up | Action::Down | Action::PageUp | Action::PageDown if detail_keys => {
                let d: i32 = match a {
                    Action::Up => -1,
                    Action::Down => 1,
                    Action::PageUp => -(page as i32),
                    _ => page as i32,
                };
                let max = self.detail_max_scroll() as i32;
                self.detail.scroll = (self.detail.scroll as i32 + d).clamp(0, max) as u16;
            }
            Action::Top if detail_keys => self.detail.scroll = 0,
            Action::Bottom if detail_keys => self.detail.scroll = self.detail_max_scroll(),
            Action::Up => self.list.move_by(-1),
            Action::Down => self.list.move_by(1),
            Action::PageUp => self.list.move_by(-page),
            Action::PageDown => self.list.move_by(page),
            Action::Top => self.list.select(0),
            Action::Bottom => self.list.select(usize::MAX),
            Action::Open => {
                if let Some(id) = self.list.sel_id {
                    self.focus = Focus::Detail;
                    self.detail.id = Some(id);
                    self.detail.scroll = 0;
                    return self.request_detail(id, false);
                }
            }
            Action::SwitchPane => {
                self.focus = match self.focus {
                    Focus::List => Focus::Detail,
                    Focus::Detail => Focus::List,
                };
                if self.focus == Focus::Detail
                    && let Some(id) = self.list.sel_id
                {
                    self.detail.id = Some(id);
                    return self.request_detail(id, false);
                }
            }
            Action::Back => {
                if self.dashboard.is_some() {
                    self.dashboard = None;
                } else if self.focus == Focus::Detail {
                    self.focus = Focus::List;
                } else if !self.list.query.is_empty() {
                    return self
                        .list
                        .set_query("")
                        .map(Cmd::Filter)
                        .into_iter()
                        .collect();
                } else if !self.list.marked.is_empty() {
                    self.list.marked.clear();
                } else {
                    self.status.error = None;
                    self.status.info = None;
                    self.status.warn = None;
                }
            }
            Action::Filter => {
                self.filter_input = true;
                self.focus = Focus::List;
            }
            Action::Palette => {
                let items = self
                    .palette_actions()
                    .into_iter()
                    .enumerate()
                    .map(|(i, (a, label))| {
                        PickItem::new(PickKey::Command(i), label).hint(self.keymap.label(a))
                    })
                    .collect();
                let p = Picker::new(
                    "Command · then an argument: status resolved",
                    Purpose::Palette,
                    Source::Static,
                )
                .with_items(Some(items));
                self.layers.push(Layer::Picker(p));
            }
            Action::Help => self.layers.push(Layer::Help { scroll: 0 }),
            Action::Quit => return self.quit_or_ask(),
            Action::NewTicket => return self.start_new_ticket(),
            Action::AddNote => return self.open_note_editor(),
            Action::EditorNote => {
                if let Some(id) = self.list.sel_id {
                    let text = self
                        .drafts
                        .get(&id)
                        .map(|d| d.text.clone())
                        .unwrap_or_default();
                    return vec![Cmd::Editor {
                        ticket_id: id,
                        text,
                    }];
                }
                self.error("no ticket selected");
            }
            Action::SetStatus | Action::SetPriority => {
                let targets = self.list.targets();
                if targets.is_empty() {
                    self.error("no ticket selected");
                    return Vec::new();
                }
                let (kind, purpose, cur) = if a == Action::SetStatus {
                    (
                        LookupKind::Statuses,
                        Purpose::SetStatus(targets.clone()),
                        self.selected().and_then(|r| r.status_id),
                    )
                } else {
                    (
                        LookupKind::Priorities,
                        Purpose::SetPriority(targets.clone()),
                        self.selected().and_then(|r| r.priority_id),
                    )
                };
                let title = format!(
                    "{} of {}",
                    if a == Action::SetStatus {
                        "Status"
                    } else {
                        "Priority"
                    },
                    self.targets_label(&targets)
                );
                let mut p = Picker::new(title, purpose, Source::Lookup(kind));
                p.preselect = cur.map(PickKey::Id);
                return self.open_picker(p);
            }
            Action::Assign => {
                let targets = self.list.targets();
                if targets.is_empty() {
                    self.error("no ticket selected");
                    return Vec::new();
                }
                let title = format!("Assign {} to", self.targets_label(&targets));
                return self.open_picker(Picker::new(
                    title,
                    Purpose::Assign(targets),
                    Source::AssignTargets,
                ));
            }
            Action::Delete => {
                let targets = self.list.targets();
                if targets.is_empty() {
                    self.error("no ticket selected");
                    return Vec::new();
                }
                let prompt = format!(
                    "Delete {}? This cannot be undone. (y/n)",
                    self.targets_label(&targets)
                );
                self.layers.push(Layer::Confirm(Confirm {
                    prompt,
                    action: ConfirmAction::Delete(targets),
                }));
            }
            Action::Refresh => {
                let mut cmds = self.refresh_list();
                cmds.push(Cmd::Api(Request::Warmup {
                    recent_accounts: self.recent_accounts.clone(),
                    refresh: true,
                }));
                if self.detail_visible()
                    && let Some(id) = self.list.sel_id
                {
                    cmds.extend(self.request_detail(id, true));
                }
                self.info("refreshing…");
                return cmds;
            }
            Action::Mark => {
                self.list.toggle_mark();
                self.list.move_by(1);
            }
            Action::SortNext => {
                self.list.sort.column = self.list.sort.column.next();
                self.list.sort.desc = false;
                self.list.invalidate();
            }
            Action::SortReverse => {
                self.list.sort.desc = !self.list.sort.desc;
                self.list.invalidate();
            }
            Action::Drafts => {
                if self.drafts.is_empty() {
                    self.info("no unsent note drafts");
                    return Vec::new();
                }
                let mut ds: Vec<&NoteDraft> = self.drafts.values().collect();
                ds.sort_by_key(|d| std::cmp::Reverse(d.updated_at));
                let items = ds
                    .iter()
                    .map(|d| {
                        let first = d.text.lines().next().unwrap_or("").to_string();
                        PickItem::new(PickKey::Id(d.ticket_id), self.ticket_label(d.ticket_id))
                            .hint(truncate(&first, 30))
                    })
                    .collect();
                let p = Picker::new("Unsent note drafts", Purpose::Drafts, Source::Static)
                    .with_items(Some(items));
                self.layers.push(Layer::Picker(p));
            }
            Action::Dashboard => {
                self.dashboard = match self.dashboard {
                    Some(_) => None,
                    None => Some(Dashboard::default()),
                };
            }
            Action::Outbox => return self.open_outbox(),
            Action::Escalate => return self.escalate(),
            Action::Timer => return self.toggle_timer(),
            Action::Call => return self.toggle_call(),
            Action::CallNewTicket => return self.call_new_ticket(),
            Action::View(n) => {
                if let Some(i) = self.views.iter().position(|v| v.key == n) {
                    self.view = i;
                    self.focus = Focus::List;
                    self.apply_view_settings();
                    let search = self.current_view().search.clone().unwrap_or_default();
                    let mut cmds = self.start_search(false);
                    cmds.extend(self.list.set_query(&search).map(Cmd::Filter));
                    self.list.select(0);
                    self.follow_top = true;
                    return cmds;
                }
            }
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

    /// Every action the palette offers, with its label.
    pub fn palette_actions(&self) -> Vec<(Action, String)> {
        Action::ALL
            .iter()
            .filter_map(|&a| match a {
                Action::View(n) => self
                    .views
                    .iter()
                    .find(|v| v.key == n)
                    .map(|v| (a, format!("view: {}", v.name))),
                _ => Some((a, a.describe())),
            })
            .collect()
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
            ConfirmAction::Delete(ids) => {
                let mut cmds = Vec::new();
                for id in ids {
                    let req = self.req();
                    self.pending
                        .insert(req, format!("deleting {}", self.targets_label(&[id])));
                    cmds.push(Cmd::Api(Request::Delete { req, ticket_id: id }));
                }
                cmds
            }
            ConfirmAction::DiscardTicket => {
                self.layers.retain(|l| !matches!(l, Layer::Form));
                let call = self.new_ticket.take().is_some_and(|nt| nt.call);
                self.info("new ticket discarded");
                if call {
                    return self.drop_unbound_call();
                }
                Vec::new()
            }
            ConfirmAction::DiscardTimeLog => self.discard_timelog(),
            ConfirmAction::Quit => {
                self.quit = true;
                vec![Cmd::Quit]
            }
        }
    }

    fn key_picker(&mut self, key: Key) -> Vec<Cmd> {
        let Some(Layer::Picker(p)) = self.layers.last_mut() else {
            return Vec::new();
        };
        match p.key(key) {
            Outcome::None => Vec::new(),
            Outcome::Cancel => {
                let Some(Layer::Picker(p)) = self.layers.pop() else {
                    return Vec::new();
                };
                if let Purpose::NewTicket {
                    field: Field::Template,
                    ..
                } = p.purpose
                {
                    self.new_ticket = None;
                }
                // A call's new ticket given up before its form: the call ends unlogged.
                if let Purpose::NewTicket { chain: true, .. } = p.purpose
                    && self.new_ticket.as_ref().is_some_and(|nt| nt.call)
                    && !self.layers.iter().any(|l| matches!(l, Layer::Form))
                {
                    self.new_ticket = None;
                    return self.drop_unbound_call();
                }
                Vec::new()
            }
            Outcome::Picked(k) => {
                let purpose = p.purpose.clone();
                self.picked(purpose, k)
            }
        }
    }

    fn picked(&mut self, purpose: Purpose, key: PickKey) -> Vec<Cmd> {
        match purpose {
            Purpose::NewTicket { field, chain } => {
                if !chain {
                    self.layers.pop();
                }
                self.picked_new_ticket(field, chain, key)
            }
            Purpose::SetStatus(ids) => {
                self.layers.pop();
                let PickKey::Id(value) = key else {
                    return Vec::new();
                };
                self.change_status(ids, value)
            }
            Purpose::SetPriority(ids) => {
                self.layers.pop();
                let PickKey::Id(value) = key else {
                    return Vec::new();
                };
                let name = self
                    .data
                    .lookup_name(LookupKind::Priorities, Some(value))
                    .unwrap_or("?")
                    .to_string();
                let mut cmds = Vec::new();
                for id in ids {
                    let req = self.req();
                    self.pending.insert(
                        req,
                        format!("{} priority → {name}", self.targets_label(&[id])),
                    );
                    cmds.push(Cmd::Api(Request::Patch {
                        req,
                        ticket_id: id,
                        what: "priority",
                        ops: vec![PatchOp::replace("PriorityId", json!(value))],
                    }));
                }
                cmds
            }
            Purpose::TimeLog(field) => {
                self.layers.pop();
                self.picked_timelog(field, key)
            }
            Purpose::Assign(ids) => {
                let label = match self.layers.last() {
                    Some(Layer::Picker(p)) => {
                        p.selected().map(|i| i.label.clone()).unwrap_or_default()
                    }
                    _ => String::new(),
                };
                self.layers.pop();
                let Some(&first) = ids.first() else {
                    return Vec::new();
                };
                let mut e = NoteEditor::new(
                    first,
                    self.targets_label(&ids),
                    NoteMode::Assign {
                        ticket_ids: ids,
                        target: key,
                        target_label: label,
                    },
                );
                e.type_id = self.default_note_type();
                self.layers.push(Layer::Note(Box::new(e)));
                Vec::new()
            }
            Purpose::NoteTemplate => {
                self.layers.pop();
                let PickKey::Id(tid) = key else {
                    return Vec::new();
                };
                let tpl = self
                    .data
                    .note_templates
                    .as_ref()
                    .and_then(|ts| ts.iter().find(|t| t.id == tid))
                    .cloned();
                if let Some(Layer::Note(e)) = self.layers.last_mut() {
                    e.template_id = Some(tid);
                    if let Some(t) = tpl {
                        if let Some(i) = t.is_internal {
                            e.is_internal = i;
                        }
                        if t.type_id.is_some() {
                            e.type_id = t.type_id;
                        }
                        e.status_id = t.status_id.filter(|s| *s > 0);
                    }
                    e.notice = Some("loading template…".into());
                    return vec![Cmd::Api(Request::NoteTemplateBody {
                        template_id: tid,
                        ticket_id: e.ticket_id,
                    })];
                }
                Vec::new()
            }
            Purpose::Palette => {
                let argument = match self.layers.pop() {
                    Some(Layer::Picker(p)) => p.argument().map(str::to_string),
                    _ => None,
                };
                let PickKey::Command(i) = key else {
                    return Vec::new();
                };
                let Some(&(action, _)) = self.palette_actions().get(i) else {
                    return Vec::new();
                };
                let depth = self.layers.len();
                let mut cmds = self.on_action(action);
                // The argument goes to what the command opened: its picker's query
                // (`:status resolved`), or the list filter (`:filter printer`).
                if let Some(arg) = argument {
                    if action == Action::Filter {
                        cmds.extend(self.list.set_query(&arg).map(Cmd::Filter));
                    } else if self.layers.len() > depth
                        && let Some(Layer::Picker(p)) = self.layers.last_mut()
                    {
                        p.set_query(&arg);
                    }
                }
                cmds
            }
            Purpose::Outbox => self.pick_outbox(key),
            Purpose::Drafts => {
                self.layers.pop();
                let PickKey::Id(id) = key else {
                    return Vec::new();
                };
                self.open_note_for(id)
            }
        }
    }

    // ---- new ticket -----------------------------------------------------------------

    fn start_new_ticket(&mut self) -> Vec<Cmd> {
        self.new_ticket = Some(NewTicket::new());
        self.open_picker(Picker::new(
            "New ticket: template",
            Purpose::NewTicket {
                field: Field::Template,
                chain: true,
            },
            Source::TicketTemplates,
        ))
    }

    fn field_picker(&self, field: Field, chain: bool) -> Picker {
        let nt = self.new_ticket.as_ref();
        let draft = nt.map(|n| n.draft.clone()).unwrap_or_default();
        let source = match field {
            Field::Template => Source::TicketTemplates,
            Field::Account => Source::Accounts,
            Field::Location => Source::Locations(draft.account_id.unwrap_or_default()),
            Field::Contact => Source::Contacts(draft.account_id.unwrap_or_default()),
            Field::Status => Source::Lookup(LookupKind::Statuses),
            Field::Priority => Source::Lookup(LookupKind::Priorities),
            Field::Type => Source::Lookup(LookupKind::Types),
            Field::Source => Source::Lookup(LookupKind::Sources),
            Field::Queue => Source::Lookup(LookupKind::Queues),
            Field::Assignee => Source::Lookup(LookupKind::Assignees),
            Field::QueueOrAssignee => Source::AssignTargets,
        };
        let account = self
            .data
            .account_name(draft.account_id)
            .unwrap_or("the account");
        let title = match field {
            Field::Location => format!("Location of {account}"),
            Field::Contact => format!("Contact at {account}"),
            f => format!("New ticket: {}", f.label().to_lowercase()),
        };
        let mut p = Picker::new(title, Purpose::NewTicket { field, chain }, source);
        p.preselect = match field {
            Field::QueueOrAssignee => draft
                .queue_id
                .map(PickKey::Queue)
                .or(draft.assignee_id.map(PickKey::Assignee)),
            Field::Location => nt
                .and_then(|n| n.value(field))
                .map(PickKey::Id)
                .or_else(|| {
                    let acc = draft.account_id?;
                    let ls = self.data.locations.get(&acc)?.as_ref().ok()?;
                    ls.iter()
                        .find(|l| l.is_main == Some(true))
                        .map(|l| PickKey::Id(l.id))
                }),
            Field::Priority => nt
                .and_then(|n| n.value(field))
                .map(PickKey::Id)
                .or_else(|| {
                    self.data
                        .lookups
                        .get(&LookupKind::Priorities)?
                        .iter()
                        .find(|i| i.is_default == Some(true))
                        .map(|i| PickKey::Id(i.id))
                }),
            f => nt.and_then(|n| n.value(f)).map(PickKey::Id),
        };
        p
    }

    fn picked_new_ticket(&mut self, field: Field, chain: bool, key: PickKey) -> Vec<Cmd> {
        let Some(nt) = self.new_ticket.as_mut() else {
            return Vec::new();
        };
        if field == Field::Template {
            match key {
                PickKey::Id(id) => {
                    nt.template_loading = Some(id);
                    if let Some(Layer::Picker(p)) = self.layers.last_mut() {
                        p.error = None;
                        p.loading = true;
                    }
                    return vec![Cmd::Api(Request::TicketTemplate { id })];
                }
                _ => {
                    nt.template = None;
                    nt.template_loading = None;
                    nt.draft = TicketDraft::default();
                    nt.load_text();
                }
            }
            return self.chain_next(Field::Template);
        }
        nt.set(field, key);
        if field == Field::Contact
            && nt.draft.location_id.is_none()
            && let Some(c) = self.data.contact(nt.draft.account_id, nt.draft.contact_id)
        {
            nt.draft.location_id = c.location_id;
        }
        let mut cmds = Vec::new();
        if field == Field::Account
            && let Some(acc) = nt.draft.account_id
            && !matches!(self.data.contacts.get(&acc), Some(Ok(_)))
        {
            // Asked now so that the contact picker, if wanted, opens at once.
            cmds.push(Cmd::Api(Request::Contacts { account_id: acc }));
        }
        if chain {
            cmds.extend(self.chain_next(field));
        } else if field == Field::Account && nt.draft.location_id.is_none() {
            // Picked from the form: changing the account asks for its location.
            let p = self.field_picker(Field::Location, false);
            cmds.extend(self.open_picker(p));
        }
        cmds
    }

    /// The step after `done` in the initial chain of pickers, or the form.
    fn chain_next(&mut self, done: Field) -> Vec<Cmd> {
        let Some(nt) = self.new_ticket.as_ref() else {
            return Vec::new();
        };
        let next = match done {
            Field::Template => Some(Field::Account),
            Field::Account => Some(Field::Location),
            _ => nt.next_missing(),
        };
        match next {
            Some(Field::Location) => {
                let acc = nt.draft.account_id.unwrap_or_default();
                if let Some(Ok(ls)) = self.data.locations.get(&acc)
                    && ls.len() == 1
                {
                    let (id, name) = (ls[0].id, ls[0].name.clone());
                    self.info(format!("location: {name} (the only one)"));
                    return self.picked_new_ticket(Field::Location, true, PickKey::Id(id));
                }
                let p = self.field_picker(Field::Location, true);
                let mut cmds = self.open_picker(p);
                cmds.extend(self.refresh_pickers());
                cmds
            }
            Some(f) => {
                let p = self.field_picker(f, true);
                self.open_picker(p)
            }
            None => {
                // Chain done: replace its pickers with the form.
                self.layers.retain(|l| {
                    !matches!(l, Layer::Picker(p) if matches!(p.purpose, Purpose::NewTicket { chain: true, .. }))
                });
                if let Some(nt) = self.new_ticket.as_mut() {
                    nt.form_open = true;
                    nt.focus = if nt.title.is_empty() || super::forms::text_of(&nt.title).is_empty()
                    {
                        FormFocus::Title
                    } else {
                        FormFocus::Details
                    };
                }
                self.layers.push(Layer::Form);
                Vec::new()
            }
        }
    }

    fn key_form(&mut self, ev: KeyEvent, key: Key) -> Vec<Cmd> {
        let Some(nt) = self.new_ticket.as_mut() else {
            self.layers.pop();
            return Vec::new();
        };
        let ctrl = key.mods.contains(KeyModifiers::CONTROL);
        if nt.review {
            match key.code {
                KeyCode::Esc => nt.review = false,
                KeyCode::Enter | KeyCode::Char('y') => return self.submit_ticket(),
                KeyCode::Char('s') if ctrl => return self.submit_ticket(),
                _ => {}
            }
            return Vec::new();
        }
        match (key.code, ctrl) {
            (KeyCode::Char('s'), true) | (KeyCode::F(2), _) => {
                nt.review = true;
                nt.error = None;
                return Vec::new();
            }
            (KeyCode::Esc, _) => {
                self.layers.push(Layer::Confirm(Confirm {
                    prompt: "Discard this new ticket? (y/n)".into(),
                    action: ConfirmAction::DiscardTicket,
                }));
                return Vec::new();
            }
            (KeyCode::Tab, _) | (KeyCode::BackTab, _) => {
                let i = FORM_ORDER.iter().position(|f| *f == nt.focus).unwrap_or(0);
                let n = FORM_ORDER.len();
                let j = if key.code == KeyCode::Tab {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                nt.focus = FORM_ORDER[j];
                return Vec::new();
            }
            _ => {}
        }
        match nt.focus {
            FormFocus::Title => {
                if matches!(key.code, KeyCode::Enter | KeyCode::Down) {
                    nt.focus = FormFocus::Details;
                } else if !(ctrl && matches!(key.code, KeyCode::Char('m' | 'j'))) {
                    nt.title.input(ev);
                }
            }
            FormFocus::Details => {
                super::forms::multiline_input(&mut nt.details, ev);
            }
            FormFocus::Field(f) => match key.code {
                KeyCode::Enter | KeyCode::Char(' ') => {
                    if f == Field::Contact && nt.draft.account_id.is_none() {
                        self.error("pick an account first");
                        return Vec::new();
                    }
                    let p = self.field_picker(f, false);
                    return self.open_picker(p);
                }
                KeyCode::Up | KeyCode::Char('k') => {
                    let i = FORM_ORDER.iter().position(|x| *x == nt.focus).unwrap_or(0);
                    nt.focus = FORM_ORDER[i.saturating_sub(1)];
                }
                KeyCode::Down | KeyCode::Char('j') => {
                    let i = FORM_ORDER.iter().position(|x| *x == nt.focus).unwrap_or(0);
                    nt.focus = FORM_ORDER[(i + 1).min(FORM_ORDER.len() - 1)];
                }
                KeyCode::Backspace | KeyCode::Delete => match f {
                    Field::Queue => nt.draft.queue_id = None,
                    Field::Assignee => nt.draft.assignee_id = None,
                    Field::Contact => nt.draft.contact_id = None,
                    _ => {}
                },
                _ => {}
            },
        }
        Vec::new()
    }

    fn submit_ticket(&mut self) -> Vec<Cmd> {
        let Some(nt) = self.new_ticket.as_mut() else {
            return Vec::new();
        };
        if nt.sending.is_some() {
            return Vec::new();
        }
        let missing = nt.missing();
        if !missing.is_empty() {
            nt.error = Some(format!(
                "cannot create the ticket: missing {}",
                missing.join(", ")
            ));
            return Vec::new();
        }
        let mut draft = nt.current();
        draft.open_date = Some(self.now);
        self.next_req += 1;
        let req = self.next_req;
        let nt = self.new_ticket.as_mut().expect("new ticket");
        nt.sending = Some(req);
        nt.error = None;
        self.pending.insert(req, "creating ticket".into());
        vec![Cmd::Api(Request::Create { req, draft })]
    }

    // ---- notes ----------------------------------------------------------------------

    fn default_note_type(&self) -> Option<i64> {
        let types = self.data.lookups.get(&LookupKind::NoteTypes)?;
        types
            .iter()
            .find(|t| t.is_default == Some(true))
            .or(types.first())
            .map(|t| t.id)
    }

    fn open_note_editor(&mut self) -> Vec<Cmd> {
        match self.list.sel_id {
            Some(id) => self.open_note_for(id),
            None => {
                self.error("no ticket selected");
                Vec::new()
            }
        }
    }

    fn open_note_for(&mut self, id: Id) -> Vec<Cmd> {
        let label = self.ticket_label(id);
        let e = match self.drafts.get(&id) {
            Some(d) => {
                let mut e = NoteEditor::from_draft(d, label);
                e.notice = Some(format!(
                    "resumed the draft saved {}",
                    super::text::ago(self.now, d.updated_at)
                ));
                e
            }
            None => {
                let mut e = NoteEditor::new(id, label, NoteMode::Note);
                e.type_id = self.default_note_type();
                e
            }
        };
        self.layers.push(Layer::Note(Box::new(e)));
        Vec::new()
    }

    fn note_changed(&mut self) -> Vec<Cmd> {
        let now = self.now;
        if let Some(Layer::Note(e)) = self.layers.last_mut() {
            e.error = None;
            if !e.keeps_draft() {
                return Vec::new();
            }
            e.dirty = true;
            if e.save_scheduled {
                return Vec::new();
            }
            let debounce = chrono::Duration::from_std(DRAFT_DEBOUNCE).unwrap_or_default();
            if e.saved_at.is_none_or(|t| now - t >= debounce) {
                // The first keystroke after a pause goes to disk now.
                return self.on_draft_due();
            }
            e.save_scheduled = true;
            return vec![Cmd::After(DRAFT_DEBOUNCE, Msg::DraftDue)];
        }
        Vec::new()
    }

    fn on_draft_due(&mut self) -> Vec<Cmd> {
        let now = self.now;
        let mut cmds = Vec::new();
        for l in &mut self.layers {
            if let Layer::Note(e) = l {
                e.save_scheduled = false;
                if e.dirty && e.keeps_draft() {
                    e.dirty = false;
                    e.saved_at = Some(now);
                    let d = e.draft(now);
                    self.drafts.insert(d.ticket_id, d.clone());
                    cmds.push(Cmd::SaveDraft(d));
                }
            }
        }
        cmds
    }

    /// Saves every open note editor's text now (before quitting or suspending).
    pub fn flush_drafts(&mut self) -> Vec<Cmd> {
        let now = self.now;
        let mut cmds = Vec::new();
        for l in &mut self.layers {
            if let Layer::Note(e) = l
                && e.keeps_draft()
                && (e.dirty || e.saved_at.is_none())
                && !e.text().trim().is_empty()
            {
                e.dirty = false;
                e.saved_at = Some(now);
                let d = e.draft(now);
                self.drafts.insert(d.ticket_id, d.clone());
                cmds.push(Cmd::SaveDraft(d));
            }
        }
        cmds
    }

    fn key_note(&mut self, ev: KeyEvent, key: Key) -> Vec<Cmd> {
        let ctrl = key.mods.contains(KeyModifiers::CONTROL);
        let now = self.now;
        let Some(Layer::Note(e)) = self.layers.last_mut() else {
            return Vec::new();
        };
        match (key.code, ctrl) {
            (KeyCode::Esc, _) => {
                let Some(Layer::Note(e)) = self.layers.pop() else {
                    return Vec::new();
                };
                if !e.keeps_draft() {
                    return Vec::new();
                }
                let text = e.text();
                if text.trim().is_empty() {
                    if self.drafts.remove(&e.ticket_id).is_some() {
                        return vec![Cmd::RemoveDraft(e.ticket_id)];
                    }
                    return Vec::new();
                }
                let d = e.draft(now);
                self.drafts.insert(d.ticket_id, d.clone());
                self.info(format!(
                    "note draft for {} kept — {} on it to resume",
                    e.ticket_label,
                    self.keymap.hint(Action::AddNote)
                ));
                vec![Cmd::SaveDraft(d)]
            }
            (KeyCode::Char('s'), true) => self.send_note(),
            (KeyCode::Char('t'), true) => {
                e.is_internal = !e.is_internal;
                self.note_changed()
            }
            (KeyCode::Char('o'), true) => self.open_picker(Picker::new(
                "Note template",
                Purpose::NoteTemplate,
                Source::NoteTemplates,
            )),
            (KeyCode::Char('g'), true) => {
                if !e.keeps_draft() {
                    return Vec::new();
                }
                vec![Cmd::Editor {
                    ticket_id: e.ticket_id,
                    text: e.text(),
                }]
            }
            _ => {
                if e.sending.is_some() {
                    return Vec::new();
                }
                if super::forms::multiline_input(&mut e.text, ev) {
                    self.note_changed()
                } else {
                    Vec::new()
                }
            }
        }
    }

    fn send_note(&mut self) -> Vec<Cmd> {
        let now = self.now;
        let statuses: HashMap<Id, Option<Id>> =
            self.list.rows.iter().map(|r| (r.id, r.status_id)).collect();
        let first_status = self
            .data
            .lookups
            .get(&LookupKind::Statuses)
            .and_then(|s| s.first())
            .map(|s| s.id);
        let default_type = self.default_note_type();
        // A note that changes a status passes the workflow rules first (with its text).
        let plan = self.note_status_plan();
        let mut reqs = Vec::new();
        let mut status_reqs = Vec::new();
        let mut status_descs = Vec::new();
        let Some(Layer::Note(e)) = self.layers.last_mut() else {
            return Vec::new();
        };
        if e.sending.is_some() {
            return Vec::new();
        }
        let text = e.text();
        if text.trim().is_empty() {
            e.error = Some("the note is empty".into());
            return Vec::new();
        }
        let warning = match plan {
            Err(msg) => {
                e.error = Some(msg);
                return Vec::new();
            }
            Ok(triage::StatusPlan::Unchanged) => {
                // Already in the template's status: just the note.
                e.status_id = None;
                None
            }
            Ok(triage::StatusPlan::Go(w)) => w,
        };
        let details = text_to_html(text.trim_end());
        let type_id = e.type_id.or(default_type).unwrap_or(1);
        let mut cmds = Vec::new();
        match e.mode.clone() {
            NoteMode::Note => {
                self.next_req += 1;
                let req = self.next_req;
                e.sending = Some(req);
                e.error = None;
                e.dirty = false;
                e.saved_at = Some(now);
                let d = e.draft(now);
                let input = NoteInput {
                    details,
                    is_internal: e.is_internal,
                    type_id,
                    note_date: now,
                    status_id: e.status_id,
                };
                let ticket_id = e.ticket_id;
                if let Some(st) = e.status_id {
                    status_reqs.push((req, ticket_id, st));
                }
                let draft = Some(d.key());
                self.drafts.insert(ticket_id, d.clone());
                cmds.push(Cmd::SaveDraft(d));
                reqs.push((req, format!("adding a note to {}", e.ticket_label)));
                cmds.push(Cmd::Api(Request::AddNote {
                    req,
                    ticket_id,
                    input,
                    draft,
                }));
            }
            NoteMode::Status {
                ticket_ids,
                status_id,
                status_name,
                ..
            } => {
                e.error = None;
                let mut draft = None;
                if e.keeps_draft() {
                    e.dirty = false;
                    e.saved_at = Some(now);
                    let d = e.draft(now);
                    draft = Some(d.key());
                    self.drafts.insert(d.ticket_id, d.clone());
                    cmds.push(Cmd::SaveDraft(d));
                }
                for id in ticket_ids {
                    self.next_req += 1;
                    let req = self.next_req;
                    e.sending.get_or_insert(req);
                    let input = NoteInput {
                        details: details.clone(),
                        is_internal: e.is_internal,
                        type_id,
                        note_date: now,
                        status_id: Some(status_id),
                    };
                    status_reqs.push((req, id, status_id));
                    status_descs.push((req, id, status_name.clone()));
                    cmds.push(Cmd::Api(Request::AddNote {
                        req,
                        ticket_id: id,
                        input,
                        // Only a single ticket's status note keeps a draft.
                        draft: draft.filter(|k| k.ticket_id == id),
                    }));
                }
            }
            NoteMode::Assign {
                ticket_ids, target, ..
            } => {
                for id in ticket_ids {
                    let Some(status_id) = statuses.get(&id).copied().flatten().or(first_status)
                    else {
                        e.error = Some("no status known for the ticket yet; try again".into());
                        return Vec::new();
                    };
                    self.next_req += 1;
                    let req = self.next_req;
                    e.sending.get_or_insert(req);
                    let input = AssignInput {
                        details: details.clone(),
                        is_internal: e.is_internal,
                        type_id,
                        status_id,
                        note_date: now,
                        assignee_id: match target {
                            PickKey::Assignee(a) => Some(a),
                            _ => None,
                        },
                        queue_id: match target {
                            PickKey::Queue(q) => Some(q),
                            _ => None,
                        },
                    };
                    reqs.push((req, format!("assigning ticket {id}")));
                    cmds.push(Cmd::Api(Request::Assign {
                        req,
                        ticket_id: id,
                        input,
                    }));
                }
            }
        }
        for (r, s) in reqs {
            self.pending.insert(r, s);
        }
        for (r, id, name) in status_descs {
            let d = format!("{} → {name} with a note", self.targets_label(&[id]));
            self.pending.insert(r, d);
        }
        for (req, id, st) in status_reqs {
            self.pending_status.insert(req, (id, st));
            if let Some(w) = &warning {
                self.pending_warn.insert(req, w.clone());
            }
        }
        cmds
    }

    fn on_editor_done(&mut self, ticket_id: Id, result: Result<String, String>) -> Vec<Cmd> {
        let text = match result {
            Ok(t) => t,
            Err(e) => {
                self.error(format!("editor: {e}"));
                return Vec::new();
            }
        };
        let text = text.trim_end_matches('\n').to_string();
        let on_top = matches!(self.layers.last(), Some(Layer::Note(e)) if e.ticket_id == ticket_id && e.keeps_draft());
        if !on_top {
            self.open_note_for(ticket_id);
        }
        if let Some(Layer::Note(e)) = self.layers.last_mut() {
            e.text = textarea(&text);
            e.notice = Some("text from $EDITOR — ctrl-s to send".into());
            e.dirty = true;
        }
        let mut cmds = self.on_draft_due();
        cmds.retain(|c| matches!(c, Cmd::SaveDraft(_)));
        cmds
    }

    // ---- replies --------------------------------------------------------------------

    fn close_editor_for(&mut self, req: u64) -> Option<Box<NoteEditor>> {
        let pos = self
            .layers
            .iter()
            .position(|l| matches!(l, Layer::Note(e) if e.sending == Some(req)))?;
        match self.layers.remove(pos) {
            Layer::Note(e) => Some(e),
            _ => None,
        }
    }

    /// Write `req` from a note editor failed: the editor (still open, text kept) shows why
    /// and can send again; the status bar says it too.
    fn editor_failed(&mut self, req: u64, msg: String) {
        let editor = self.layers.iter_mut().find_map(|l| match l {
            Layer::Note(e) if e.sending == Some(req) => Some(e.as_mut()),
            _ => None,
        });
        if let Some(ed) = editor {
            ed.sending = None;
            ed.error = Some(msg.clone());
        }
        self.error(msg);
    }

    fn update_row_from(&mut self, t: &crate::api::model::Ticket) {
        self.list.upsert_one(t.row.clone());
        if let Some(d) = self.detail.cache.get_mut(&t.row.id) {
            let d = Arc::make_mut(d);
            d.ticket.row = t.row.clone();
        }
    }

    fn on_reply(&mut self, r: Reply) -> Vec<Cmd> {
        match r {
            Reply::Me(me) => {
                self.list.me = Some(me.full_name.clone());
                self.list.invalidate();
                self.data.me = Some(me);
            }
            Reply::TenantZone(z) => {
                self.tenant_zone = Some(z);
                self.sla.set_tenant_tz(z.tz().map(|t| t.name()));
                self.list.invalidate();
            }
            Reply::Accounts { items, fetched_at } => {
                self.data.accounts = Some(items);
                self.data.accounts_at = Some(fetched_at);
                return self.refresh_pickers();
            }
            Reply::Locations { account_id, result } => {
                if let Err(e) = &result {
                    self.error(format!("locations: {e}"));
                }
                self.data.locations.insert(account_id, result);
                return self.refresh_pickers();
            }
            Reply::Contacts { account_id, result } => {
                if let Err(e) = &result {
                    self.error(format!("contacts: {e}"));
                }
                self.data.contacts.insert(account_id, result);
                return self.refresh_pickers();
            }
            Reply::Lookup { kind, items } => {
                match kind {
                    LookupKind::Statuses => {
                        self.list.status_rank = items
                            .iter()
                            .enumerate()
                            .map(|(i, s)| (s.id, i as u32))
                            .collect();
                        self.list.invalidate();
                    }
                    LookupKind::Priorities => {
                        // Priorities usually come most urgent first.
                        self.list.priority_rank = items
                            .iter()
                            .enumerate()
                            .map(|(i, s)| (s.id, i as u32))
                            .collect();
                        self.list.invalidate();
                    }
                    _ => {}
                }
                let queues: Vec<String> = if kind == LookupKind::Queues {
                    items
                        .iter()
                        .filter(|q| q.is_active != Some(false))
                        .map(|q| q.name.clone())
                        .collect()
                } else {
                    Vec::new()
                };
                self.data.lookups.insert(kind, items);
                if matches!(kind, LookupKind::WorkTypes | LookupKind::Roles) {
                    self.timelog_defaults();
                }
                if kind == LookupKind::Queues && self.config_views.is_empty() {
                    let key = self.current_view().key;
                    self.views = default_views(&queues);
                    self.view = self.views.iter().position(|v| v.key == key).unwrap_or(0);
                }
                return self.refresh_pickers();
            }
            Reply::TicketTemplates(t) => {
                self.data.ticket_templates = Some(t);
                return self.refresh_pickers();
            }
            Reply::NoteTemplates(t) => {
                self.data.note_templates = Some(t);
                return self.refresh_pickers();
            }
            Reply::TimeLogTemplates(t) => {
                self.data.timelog_templates = Some(t);
                return self.refresh_pickers();
            }
            Reply::TimeLogged {
                req,
                ticket_id,
                result,
                missed,
            } => return self.on_time_logged(req, ticket_id, result, missed),
            Reply::TicketTemplate { id, result } => {
                let Some(nt) = self.new_ticket.as_mut() else {
                    return Vec::new();
                };
                if nt.template_loading != Some(id) {
                    return Vec::new();
                }
                nt.template_loading = None;
                match result {
                    Ok(mut t) => {
                        t.name = super::text::sanitize_line(&t.name);
                        t.title = t.title.as_deref().map(super::text::sanitize_line);
                        nt.draft = TicketDraft::from_template(&t);
                        nt.template = Some((id, t.name.clone()));
                        nt.load_text();
                        if nt.call {
                            self.call_defaults();
                        }
                        if let Some(Layer::Picker(p)) = self.layers.last_mut() {
                            p.loading = false;
                        }
                        return self.chain_next(Field::Template);
                    }
                    Err(e) => {
                        if let Some(Layer::Picker(p)) = self.layers.last_mut() {
                            p.loading = false;
                            p.error = Some(format!("cannot load the template: {e}"));
                        }
                    }
                }
            }
            Reply::NoteTemplateBody {
                template_id,
                ticket_id,
                result,
            } => {
                let editor = self.layers.iter_mut().rev().find_map(|l| match l {
                    Layer::Note(e)
                        if e.ticket_id == ticket_id && e.template_id == Some(template_id) =>
                    {
                        Some(e)
                    }
                    _ => None,
                });
                if let Some(e) = editor {
                    match result {
                        Ok(body) => {
                            e.text.insert_str(&body);
                            e.notice = Some("template inserted".into());
                        }
                        Err(err) => {
                            e.notice = None;
                            e.error = Some(format!("template: {err}"));
                        }
                    }
                    return self.note_changed();
                }
            }
            Reply::Page { seq, rows, total } => {
                if seq != self.search_gen {
                    return Vec::new();
                }
                if self.replace_on_page {
                    self.replace_on_page = false;
                    let marked = std::mem::take(&mut self.list.marked);
                    self.list.clear();
                    self.list.marked = marked;
                }
                self.list.upsert(rows);
                self.list.total = total;
            }
            Reply::Cached { seq, list } => {
                // Only while nothing fresher is shown for this load.
                if seq != self.search_gen
                    || (self.list.len_from_server() > 0 && !self.list.from_cache)
                {
                    return Vec::new();
                }
                let cmds = self.show_cached(list.rows, list.fetched_at, list.total);
                self.list.cache_partial = list.partial;
                return cmds;
            }
            Reply::SearchDone { seq, result, at } => {
                if seq != self.search_gen {
                    return Vec::new();
                }
                self.list.loading = false;
                self.list.end_sync(result.is_ok());
                match result {
                    Ok(_) => {
                        if self.replace_on_page {
                            // The refresh found nothing.
                            self.replace_on_page = false;
                            self.list.clear();
                        }
                        self.list.loaded_at = Some(at);
                        self.list.from_cache = false;
                        self.list.cache_partial = false;
                        if self.status.info.as_deref() == Some("refreshing…") {
                            self.status.info = None;
                        }
                    }
                    Err(e) => {
                        self.replace_on_page = false;
                        if self.outbox.offline.is_some() {
                            self.warn(if self.list.cache_partial {
                                "offline — the cached tickets that fit this view (some may be missing)"
                                    .to_string()
                            } else if self.list.from_cache {
                                "working from the cache".to_string()
                            } else {
                                format!("offline — {e}")
                            });
                        } else {
                            self.error(format!("loading tickets failed: {e}"));
                        }
                    }
                }
            }
            Reply::Changed { seq, result, at } => {
                if seq != self.search_gen {
                    return Vec::new();
                }
                match result {
                    Ok(c) => {
                        self.list.merge_changes(c.rows, &c.left);
                        if c.total
                            .is_some_and(|t| t != self.list.len_from_server() as u64)
                        {
                            // Something went that no dated search shows (deleted): reload.
                            self.list.end_sync(false);
                            return self.start_search(true);
                        }
                        self.list.end_sync(true);
                        self.list.total = c.total.or(self.list.total);
                        self.list.loaded_at = Some(at);
                        if self.status.info.as_deref() == Some("refreshing…") {
                            self.status.info = None;
                        }
                    }
                    Err(e) => {
                        self.list.end_sync(false);
                        self.error(format!("loading tickets failed: {e}"));
                    }
                }
            }
            Reply::Detail { seq, id, result } => {
                if seq != self.detail.seq {
                    return Vec::new();
                }
                self.detail.loading = None;
                match result {
                    Ok(d) => {
                        self.detail.error = None;
                        // An offline copy may be older than the list's row: it must not win.
                        if !d.offline_copy && self.list.get(id).is_some() {
                            self.list.upsert_one(d.ticket.row.clone());
                        }
                        self.detail.cache.insert(id, d);
                        if self.detail.cache.len() > 256 {
                            let keep = self.detail.id;
                            let victim = self
                                .detail
                                .cache
                                .iter()
                                .filter(|(k, _)| Some(**k) != keep)
                                .min_by_key(|(_, v)| v.fetched_at)
                                .map(|(k, _)| *k);
                            if let Some(v) = victim {
                                self.detail.cache.remove(&v);
                            }
                        }
                    }
                    Err(e) => self.detail.error = Some((id, e)),
                }
            }
            Reply::Created { req, result } => {
                self.pending.remove(&req);
                let Some(nt) = self.new_ticket.as_mut() else {
                    return Vec::new();
                };
                if nt.sending != Some(req) {
                    return Vec::new();
                }
                nt.sending = None;
                match result {
                    Ok(t) => {
                        let account = nt.draft.account_id;
                        let call = nt.call;
                        self.new_ticket = None;
                        self.layers.retain(|l| !matches!(l, Layer::Form));
                        let id = t.row.id;
                        self.list.pinned.insert(id);
                        self.list.upsert_one(t.row.clone());
                        self.list.sel_id = Some(id);
                        self.list.invalidate();
                        self.detail.cache.insert(
                            id,
                            Arc::new(DetailData {
                                details_text: super::text::html_to_text(
                                    t.details.as_deref().unwrap_or(""),
                                ),
                                ticket: t.clone(),
                                fetched_at: self.now,
                                ..Default::default()
                            }),
                        );
                        self.info(format!(
                            "created {} {}",
                            t.row.ticket_number,
                            truncate(&t.row.title, 40)
                        ));
                        let mut cmds = Vec::new();
                        if call {
                            cmds.extend(self.bind_call(&t.row));
                        }
                        if let Some(a) = account {
                            self.recent_accounts.retain(|x| *x != a);
                            self.recent_accounts.insert(0, a);
                            self.recent_accounts.truncate(10);
                            cmds.push(Cmd::SaveRecent(self.recent_accounts.clone()));
                        }
                        return cmds;
                    }
                    Err(e) => {
                        nt.error = Some(format!("the server refused the ticket: {e}"));
                        nt.review = true;
                    }
                }
            }
            Reply::NoteAdded {
                req,
                ticket_id,
                result,
            } => {
                let desc = self.pending.remove(&req);
                let status = self.pending_status.remove(&req);
                let warning = self.pending_warn.remove(&req);
                match result {
                    Ok(note) => {
                        self.close_editor_for(req);
                        self.drafts.remove(&ticket_id);
                        if let Some(d) = self.detail.cache.get_mut(&ticket_id) {
                            Arc::make_mut(d).notes.push(NoteView::from_note(&note));
                        }
                        let mut cmds = vec![Cmd::RemoveDraft(ticket_id)];
                        match status {
                            Some((id, status_id)) => {
                                cmds.extend(self.status_changed(id, status_id));
                                let done = desc.unwrap_or_default();
                                match warning {
                                    Some(w) => self.warn(w),
                                    None => self.info(done),
                                }
                            }
                            None => {
                                self.info(format!("note added to {}", self.ticket_label(ticket_id)))
                            }
                        }
                        return cmds;
                    }
                    Err(e) => {
                        self.editor_failed(req, format!("note not sent: {e} — the draft is kept"));
                    }
                }
            }
            Reply::Patched {
                req,
                ticket_id,
                what,
                result,
            } => {
                let desc = self.pending.remove(&req).unwrap_or_default();
                let warning = self.pending_warn.remove(&req);
                match result {
                    Ok(t) => {
                        if what == "status" {
                            self.step_off_if_done(&t.row);
                        }
                        self.update_row_from(&t);
                        match warning {
                            // Worded as done anyway ("… moving it to X anyway").
                            Some(w) => self.warn(w),
                            None => self.info(desc),
                        }
                    }
                    Err(e) => {
                        self.error(format!("{} {what}: {e}", self.targets_label(&[ticket_id])))
                    }
                }
            }
            Reply::Assigned {
                req,
                ticket_id,
                result,
            } => {
                self.pending.remove(&req);
                match result {
                    Ok(t) => {
                        if let Some(t) = t {
                            self.update_row_from(&t);
                        }
                        self.close_editor_for(req);
                        self.detail.cache.remove(&ticket_id);
                        self.detail.id = None;
                        self.info(format!("assigned {}", self.targets_label(&[ticket_id])));
                    }
                    Err(e) => {
                        self.editor_failed(req, format!("assigning failed: {e}"));
                    }
                }
            }
            Reply::Deleted {
                req,
                ticket_id,
                result,
            } => {
                self.pending.remove(&req);
                match result {
                    Ok(()) => {
                        let label = self.targets_label(&[ticket_id]);
                        self.list.remove(ticket_id);
                        self.detail.cache.remove(&ticket_id);
                        self.info(format!("deleted {label}"));
                    }
                    Err(e) => self.error(format!("deleting failed: {e}")),
                }
            }
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
            Reply::Failed { what, error } => {
                self.data.failed.insert(what.clone());
                let quiet = [
                    LookupKind::Types.name(),
                    LookupKind::NoteTypes.name(),
                    LookupKind::WorkTypes.name(),
                    LookupKind::Roles.name(),
                    "time-log templates",
                ];
                if !quiet.contains(&what.as_str()) && self.outbox.offline.is_none() {
                    self.error(format!("{what}: {error}"));
                }
                return self.refresh_pickers();
            }
        }
        Vec::new()
    }
}
