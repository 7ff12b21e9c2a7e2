//! The detail pane as the model sees it: which ticket it shows, when to fetch it, how far it
//! scrolls. Its text (fields, details, the notes thread, time logs) is built here, from the
//! model, because the model needs its height to scroll it (the bottom, the notes a queued note
//! went to); `views::detail` draws these lines and nothing else.

use std::collections::HashMap;
use std::sync::Arc;

use ratatui::text::{Line, Span};

use super::{DETAIL_DEBOUNCE, DETAIL_FRESH_SECS, Focus, Model};
use crate::keymap::Action;
use crate::layout::wrapped_height;
use crate::protocol::{Cmd, DetailData, Msg, Request};
use crate::text::ago;
use bmsdesk_core::domain::sla::{Deadline, SlaState, format_remaining};
use bmsdesk_core::lookups::LookupKind;
use bmsdesk_core::model::Id;
use bmsdesk_core::name::Name;

#[derive(Default)]
pub struct DetailState {
    /// The ticket the pane shows (or wants to).
    pub id: Option<Id>,
    /// The generation of the latest request (older answers are dropped).
    pub generation: u64,
    pub cache: HashMap<Id, Arc<DetailData>>,
    pub scroll: u16,
    /// Where the latest request stands.
    pub fetch: DetailFetch,
}

/// The pane's latest request: one at a time, so it is loading a ticket or has failed to,
/// never both.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum DetailFetch {
    #[default]
    Idle,
    Loading(Id),
    Failed(Id, String),
}

impl DetailFetch {
    /// The ticket being loaded.
    pub fn loading(&self) -> Option<Id> {
        match self {
            DetailFetch::Loading(id) => Some(*id),
            _ => None,
        }
    }

    /// Why loading `id` failed, if it did.
    pub fn error_for(&self, id: Id) -> Option<&str> {
        match self {
            DetailFetch::Failed(f, e) if *f == id => Some(e),
            _ => None,
        }
    }
}

impl Model {
    pub(super) fn sync_detail(&mut self) -> Vec<Cmd> {
        if !self.detail_visible() {
            return Vec::new();
        }
        let sel = self.list.sel_id;
        if sel == self.detail.id {
            return Vec::new();
        }
        self.detail.id = sel;
        self.detail.scroll = 0;
        match sel {
            Some(id) => vec![Cmd::After(DETAIL_DEBOUNCE, Msg::DetailDue(id))],
            None => Vec::new(),
        }
    }

    pub(super) fn request_detail(&mut self, id: Id, force: bool) -> Vec<Cmd> {
        if id < 0 {
            // A ticket created offline: nothing on the server to read yet.
            return Vec::new();
        }
        if !force
            && let Some(d) = self.detail.cache.get(&id)
            && (self.now - d.fetched_at).num_seconds() < DETAIL_FRESH_SECS
        {
            return Vec::new();
        }
        self.detail.generation += 1;
        self.detail.fetch = DetailFetch::Loading(id);
        vec![Cmd::Api(Request::Detail {
            detail_gen: self.detail.generation,
            id,
        })]
    }

    /// How far the detail pane can scroll with what it shows now.
    pub fn detail_max_scroll(&self) -> u16 {
        let l = self.screen();
        let (Some(area), Some(d)) = (
            l.detail,
            self.detail.id.and_then(|id| self.detail.cache.get(&id)),
        ) else {
            return 0;
        };
        let inner_w = area.width.saturating_sub(2);
        let inner_h = area.height.saturating_sub(2) as usize;
        let lines = lines(self, d);
        wrapped_height(&lines, inner_w).saturating_sub(inner_h) as u16
    }

    /// The scroll that brings the notes thread (pending notes on top) to the top of the pane,
    /// or as near as the pane's length allows.
    pub fn detail_notes_scroll(&self) -> u16 {
        let l = self.screen();
        let (Some(area), Some(d)) = (
            l.detail,
            self.detail.id.and_then(|id| self.detail.cache.get(&id)),
        ) else {
            return 0;
        };
        let head = head_lines(self, d);
        let to_notes = wrapped_height(&head, area.width.saturating_sub(2));
        (to_notes as u16).min(self.detail_max_scroll())
    }

    /// The detail pane's keys: scroll it, open it (Enter), switch to it (Tab).
    pub(super) fn detail_action(&mut self, a: Action) -> Vec<Cmd> {
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
            _ => {}
        }
        Vec::new()
    }

    /// A ticket's details arrived (an older request's answer is dropped).
    pub(super) fn on_detail_reply(
        &mut self,
        detail_gen: u64,
        id: Id,
        result: Result<Arc<DetailData>, String>,
    ) -> Vec<Cmd> {
        if detail_gen != self.detail.generation {
            return Vec::new();
        }
        match result {
            Ok(d) => {
                self.detail.fetch = DetailFetch::Idle;
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
            Err(e) => self.detail.fetch = DetailFetch::Failed(id, e),
        }
        Vec::new()
    }
}

/// One SLA objective in words: "13:00 · 1h00m left", "3h00m overdue", "met", "missed by 20m".
fn deadline_line<'a>(m: &Model, label: &str, d: &Deadline, s: &SlaState) -> Line<'a> {
    let t = &m.theme;
    let when = d
        .due
        .map(|at| format!("{} · ", m.fmt_time(Some(at))))
        .unwrap_or_default();
    let (text, style) = match (d.met, d.remaining_minutes) {
        (Some(true), _) => ("met".to_string(), t.ok),
        (Some(false), Some(r)) if r < 0 => (format!("missed by {}", format_remaining(-r)), t.error),
        (Some(false), _) => ("missed".to_string(), t.error),
        (None, Some(r)) if r < 0 => (format!("{when}{} overdue", format_remaining(-r)), t.error),
        (None, Some(r)) => (
            format!(
                "{when}{} left{}",
                format_remaining(r),
                if s.paused { " (paused)" } else { "" }
            ),
            if s.paused {
                t.dim
            } else if r < 60 {
                t.warn
            } else {
                t.base
            },
        ),
        (None, None) => ("—".to_string(), t.dim),
    };
    Line::from(vec![
        Span::styled(format!("{label:<11}"), t.label),
        Span::styled(text, style),
    ])
}

fn field<'a>(m: &Model, label: &str, value: Option<String>) -> Line<'a> {
    let t = &m.theme;
    Line::from(vec![
        Span::styled(format!("{label:<11}"), t.label),
        match value.filter(|v| !v.is_empty()) {
            Some(v) => Span::raw(v),
            None => Span::styled("—", t.dim),
        },
    ])
}

fn hhmm(s: Option<&str>) -> String {
    s.unwrap_or("").chars().take(5).collect()
}

pub fn lines<'a>(m: &Model, d: &DetailData) -> Vec<Line<'a>> {
    let mut out = head_lines(m, d);
    out.extend(thread_lines(m, d));
    out
}

/// The ticket's fields and details: everything above the notes thread (the model scrolls past
/// them to show a note just queued).
pub fn head_lines<'a>(m: &Model, d: &DetailData) -> Vec<Line<'a>> {
    let t = &m.theme;
    let r = &d.ticket.row;
    let data = &m.data;
    let name = |n: &Option<Name>, kind: LookupKind, id: Option<i64>| {
        n.as_deref()
            .map(str::to_string)
            .or_else(|| data.lookup_name(kind, id).map(str::to_string))
    };
    let mut out = vec![
        Line::from(Span::styled(r.title.clone(), t.title)),
        Line::raw(""),
        field(
            m,
            "Account",
            r.account_name
                .as_deref()
                .map(str::to_string)
                .or_else(|| data.account_name(r.account_id).map(str::to_string)),
        ),
        field(
            m,
            "Location",
            r.location_name.as_deref().map(str::to_string).or_else(|| {
                data.location_name(r.account_id, r.location_id)
                    .map(str::to_string)
            }),
        ),
        field(
            m,
            "Contact",
            r.contact_name.as_deref().map(str::to_string).map(|c| {
                let mut s = c;
                if let Some(p) = &d.ticket.contact_phone {
                    s.push_str(&format!(" · {p}"));
                }
                if let Some(e) = &d.ticket.contact_email {
                    s.push_str(&format!(" · {e}"));
                }
                s
            }),
        ),
        field(
            m,
            "Status",
            name(&r.status_name, LookupKind::Statuses, r.status_id),
        ),
        field(
            m,
            "Priority",
            name(&r.priority_name, LookupKind::Priorities, r.priority_id),
        ),
        field(m, "Type", name(&r.type_name, LookupKind::Types, r.type_id)),
        field(
            m,
            "Issue type",
            r.issue_type_name.as_deref().map(str::to_string),
        ),
        field(
            m,
            "Source",
            d.ticket.source_name.clone().or_else(|| {
                data.lookup_name(LookupKind::Sources, r.source_id)
                    .map(str::to_string)
            }),
        ),
        field(
            m,
            "Queue",
            name(&r.queue_name, LookupKind::Queues, r.queue_id),
        ),
        field(
            m,
            "Assignee",
            name(&r.assignee_name, LookupKind::Assignees, r.assignee_id),
        ),
        field(
            m,
            "SLA",
            r.sla_name.as_deref().map(str::to_string).map(|s| {
                match (r.is_sla_paused, r.has_met_sla) {
                    (Some(true), _) => format!("{s} (paused)"),
                    (_, Some(false)) => format!("{s} (missed)"),
                    _ => s,
                }
            }),
        ),
    ];
    let state = m
        .list
        .by_id
        .get(&r.id)
        .and_then(|&i| m.list.sla.get(i as usize))
        .cloned()
        .unwrap_or_else(|| m.sla.engine.state(r, m.now));
    out.push(deadline_line(m, "Respond", &state.first_response, &state));
    out.push(deadline_line(m, "Resolve", &state.resolution, &state));
    if state.escalation.level > 0 {
        out.push(Line::from(vec![
            Span::styled(format!("{:<11}", "Escalation"), t.label),
            Span::styled(format!("level {}", state.escalation.level), t.error),
        ]));
    }
    out.extend([
        field(m, "Opened", Some(m.fmt_time(r.open_date))),
        field(m, "Due", r.due_date.map(|d| m.fmt_time(Some(d)))),
        field(
            m,
            "Activity",
            r.last_activity_update
                .map(|d| format!("{} ({})", m.fmt_time(Some(d)), ago(m.now, d))),
        ),
        field(
            m,
            "Created by",
            r.created_by_name.as_deref().map(str::to_string),
        ),
    ]);
    if let Some(h) = d.ticket.total_time_spent.filter(|h| *h > 0.0) {
        out.push(field(m, "Time spent", Some(format!("{h:.2} h"))));
    }
    out.push(Line::raw(""));
    out.push(Line::from(Span::styled("Details", t.header)));
    if d.details_text.is_empty() {
        out.push(Line::from(Span::styled("(none)", t.dim)));
    } else {
        out.extend(d.details_text.lines().map(|l| Line::raw(l.to_string())));
    }
    out.push(Line::raw(""));
    out
}

/// The notes thread (pending ones first, then the server's newest first) and the time logs.
fn thread_lines<'a>(m: &Model, d: &DetailData) -> Vec<Line<'a>> {
    let t = &m.theme;
    let mut out = Vec::new();
    out.push(Line::from(Span::styled(
        format!("Notes ({}) · newest first", d.notes.len()),
        t.header,
    )));
    if let Some(e) = &d.notes_error {
        out.push(Line::from(Span::styled(
            format!("cannot load notes: {e}"),
            t.error,
        )));
    }
    // Notes waiting in the outbox come first (they are the newest), marked as not sent yet:
    // the note just written is visible without scrolling, however long the thread.
    for (item, n) in m.outbox.notes_for(d.ticket.row.id) {
        let (mark, style) = match item.state {
            bmsdesk_core::store::outbox::ItemState::Pending => ("⧗ PENDING", t.warn),
            bmsdesk_core::store::outbox::ItemState::Conflict => ("✗ REFUSED", t.error),
        };
        let vis = if n.is_internal {
            "internal"
        } else {
            "external"
        };
        out.push(Line::from(vec![
            Span::styled("── ", t.dim),
            Span::styled(mark, style),
            Span::styled(
                format!(" · {vis} · not sent yet (outbox #{})", item.seq),
                t.label,
            ),
        ]));
        for l in bmsdesk_core::text::html::to_text(&n.details).lines() {
            out.push(Line::raw(format!("  {l}")));
        }
    }
    for n in &d.notes {
        let (vis, style) = match n.is_internal {
            Some(true) => ("INTERNAL", t.internal),
            Some(false) => ("EXTERNAL", t.external),
            None => ("NOTE", t.label),
        };
        let mut head = vec![
            Span::styled("── ", t.dim),
            Span::styled(vis, style),
            Span::styled(
                format!(" · {} · {}", m.fmt_time(n.created_on), n.author),
                t.label,
            ),
        ];
        if let Some(ty) = &n.type_name {
            head.push(Span::styled(format!(" · {ty}"), t.dim));
        }
        out.push(Line::from(head));
        for l in n.text.lines() {
            out.push(Line::raw(format!("  {l}")));
        }
    }
    if !d.time_logs.is_empty() || d.time_error.is_some() {
        out.push(Line::raw(""));
        out.push(Line::from(Span::styled(
            format!("Time logs ({})", d.time_logs.len()),
            t.header,
        )));
        if let Some(e) = &d.time_error {
            out.push(Line::from(Span::styled(
                format!("cannot load time logs: {e}"),
                t.error,
            )));
        }
        for l in &d.time_logs {
            let when = l
                .start_date
                .map(|s| s.format("%Y-%m-%d").to_string())
                .unwrap_or_default();
            let mut s = format!(
                "{when} {}-{} {:.2}h {}",
                hhmm(l.start_time.as_deref()),
                hhmm(l.end_time.as_deref()),
                l.timespent.unwrap_or(0.0),
                l.employee_name.as_deref().unwrap_or("")
            );
            if let Some(w) = &l.work_type_name {
                s.push_str(&format!(" · {w}"));
            }
            out.push(Line::raw(s));
            if let Some(n) = l.notes.as_deref().filter(|n| !n.trim().is_empty()) {
                for nl in n.lines() {
                    out.push(Line::from(Span::styled(format!("  {nl}"), t.dim)));
                }
            }
        }
    }
    out
}
