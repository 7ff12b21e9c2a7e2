//! The time log of a stopped timer (or call): the form (minutes, notes, template, work type,
//! role, the tenant's defaults), checked before anything is sent, sent as one entry per day
//! the span covers, and done when every day was delivered or queued — or a refusal says
//! which day was not logged.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::writes::Write;
use super::{Confirm, ConfirmAction, Layer, Model};
use crate::forms::{LOG_ORDER, LogFocus, TimeLogForm};
use crate::keymap::Key;
use crate::picker::{PickKey, Picker, Purpose, Source};
use crate::protocol::Cmd;
use crate::text::truncate;
use crate::timer::fmt_elapsed;
use bmsdesk_core::actions::{WriteOp, WriteResult};
use bmsdesk_core::domain::timelog::{MAX_ENTRY_MINUTES, TimeEntry, day_parts, default_item};
use bmsdesk_core::lookups::LookupKind;
use bmsdesk_core::model::{Id, TimeLog};

impl Model {
    // ---- time log -----------------------------------------------------------------------

    /// The time-log form for the stopped timer (once), then the template picker.
    pub(super) fn open_timelog(&mut self) -> Vec<Cmd> {
        if self.layers.iter().any(|l| matches!(l, Layer::TimeLog(_))) {
            return Vec::new();
        }
        let Some(t) = self.timer.clone() else {
            return Vec::new();
        };
        let (Some(id), Some(end)) = (t.ticket_id, t.stopped_at) else {
            return Vec::new();
        };
        let label = format!("{} {}", t.ticket_number, truncate(&t.title, 40));
        let f = TimeLogForm::new(id, label.trim_end().to_string(), end, t.minutes(end));
        self.layers.push(Layer::TimeLog(Box::new(f)));
        self.timelog_defaults();
        let no_templates = self
            .data
            .timelog_templates
            .as_ref()
            .is_some_and(|t| t.is_empty())
            || self.data.failed.contains("time-log templates");
        if no_templates {
            return Vec::new();
        }
        self.open_picker(Picker::new(
            "Time-log template",
            Purpose::TimeLog(LogFocus::Template),
            Source::TimeLogTemplates,
        ))
    }

    /// Fills an open time-log form's work type and role with the tenant defaults.
    pub(super) fn timelog_defaults(&mut self) {
        let wt = self
            .data
            .lookups
            .get(&LookupKind::WorkTypes)
            .and_then(|i| default_item(i));
        let role = self
            .data
            .lookups
            .get(&LookupKind::Roles)
            .and_then(|i| default_item(i));
        for l in &mut self.layers {
            if let Layer::TimeLog(f) = l {
                f.work_type_id = f.work_type_id.or(wt);
                f.role_id = f.role_id.or(role);
            }
        }
    }

    pub(super) fn timelog_form_mut(&mut self) -> Option<&mut TimeLogForm> {
        self.layers.iter_mut().rev().find_map(|l| match l {
            Layer::TimeLog(f) => Some(f.as_mut()),
            _ => None,
        })
    }

    pub(super) fn picked_timelog(&mut self, field: LogFocus, key: PickKey) -> Vec<Cmd> {
        let template = match key {
            PickKey::Id(id) if field == LogFocus::Template => self
                .data
                .timelog_templates
                .as_ref()
                .and_then(|ts| ts.iter().find(|t| t.id == id))
                .cloned(),
            _ => None,
        };
        let Some(f) = self.timelog_form_mut() else {
            return Vec::new();
        };
        match (field, key) {
            (LogFocus::Template, PickKey::Id(id)) => {
                f.template_id = Some(id);
                if let Some(t) = template {
                    f.work_type_id = t.work_type_id.or(f.work_type_id);
                    f.role_id = t.role_id.or(f.role_id);
                    let empty = f.notes.lines().iter().all(|l| l.trim().is_empty());
                    if empty && let Some(n) = t.notes.as_deref().filter(|n| !n.is_empty()) {
                        f.notes = crate::forms::textarea(n);
                    }
                    f.notice = Some(format!("from the template “{}”", t.name));
                }
                f.focus = LogFocus::Notes;
            }
            (LogFocus::Template, _) => {
                f.template_id = None;
                f.notice = None;
                f.focus = LogFocus::Notes;
            }
            (LogFocus::WorkType, PickKey::Id(id)) => f.work_type_id = Some(id),
            (LogFocus::Role, PickKey::Id(id)) => f.role_id = Some(id),
            _ => {}
        }
        f.state.clear_error();
        Vec::new()
    }

    pub(super) fn timelog_picker(&self, field: LogFocus) -> Option<Picker> {
        let Some(Layer::TimeLog(f)) = self.layers.last() else {
            return None;
        };
        let (title, source, cur) = match field {
            LogFocus::Template => (
                "Time-log template",
                Source::TimeLogTemplates,
                f.template_id.map(PickKey::Id).or(Some(PickKey::None)),
            ),
            LogFocus::WorkType => (
                "Work type",
                Source::Lookup(LookupKind::WorkTypes),
                f.work_type_id.map(PickKey::Id),
            ),
            LogFocus::Role => (
                "Role",
                Source::Lookup(LookupKind::Roles),
                f.role_id.map(PickKey::Id),
            ),
            _ => return None,
        };
        let mut p = Picker::new(title, Purpose::TimeLog(field), source);
        p.preselect = cur;
        Some(p)
    }

    pub(super) fn key_timelog(&mut self, ev: KeyEvent, key: Key) -> Vec<Cmd> {
        let ctrl = key.mods.contains(KeyModifiers::CONTROL);
        let Some(Layer::TimeLog(f)) = self.layers.last_mut() else {
            return Vec::new();
        };
        if f.state.sending().is_some() {
            return Vec::new();
        }
        let step = |f: &mut TimeLogForm, d: isize| {
            let i = LOG_ORDER.iter().position(|x| *x == f.focus).unwrap_or(0) as isize;
            let n = LOG_ORDER.len() as isize;
            f.focus = LOG_ORDER[((i + d).rem_euclid(n)) as usize];
        };
        match (key.code, ctrl) {
            (KeyCode::Char('s'), true) | (KeyCode::F(2), _) => return self.send_timelog(),
            (KeyCode::Esc, _) => {
                let prompt = format!(
                    "Discard {} min on {} without logging it? (y/n)",
                    f.minutes.trim(),
                    f.ticket_label.split(' ').next().unwrap_or("")
                );
                self.layers.push(Layer::Confirm(Confirm {
                    prompt,
                    action: ConfirmAction::DiscardTimeLog,
                }));
                return Vec::new();
            }
            (KeyCode::Tab, _) => {
                step(f, 1);
                return Vec::new();
            }
            (KeyCode::BackTab, _) => {
                step(f, -1);
                return Vec::new();
            }
            _ => {}
        }
        f.state.clear_error();
        match f.focus {
            LogFocus::Notes => {
                crate::forms::multiline_input(&mut f.notes, ev);
            }
            LogFocus::Minutes => match key.code {
                KeyCode::Char(c) if c.is_ascii_digit() && !ctrl && f.minutes.len() < 4 => {
                    f.minutes.push(c)
                }
                KeyCode::Backspace => {
                    f.minutes.pop();
                }
                KeyCode::Up => step(f, -1),
                KeyCode::Down | KeyCode::Enter => step(f, 1),
                _ => {}
            },
            field => match key.code {
                KeyCode::Enter | KeyCode::Char(' ') => {
                    if let Some(p) = self.timelog_picker(field) {
                        return self.open_picker(p);
                    }
                }
                KeyCode::Up | KeyCode::Char('k') => step(f, -1),
                KeyCode::Down | KeyCode::Char('j') => step(f, 1),
                _ => {}
            },
        }
        Vec::new()
    }

    pub(super) fn send_timelog(&mut self) -> Vec<Cmd> {
        let zone = self.tenant_zone;
        let user_id = self.data.me.as_ref().map(|m| m.user_id);
        let templates = self.data.timelog_templates.clone().unwrap_or_default();
        let Some(Layer::TimeLog(f)) = self.layers.last_mut() else {
            return Vec::new();
        };
        let Some(minutes) = f.minutes() else {
            f.state.fail("minutes must be a whole number above 0");
            f.focus = LogFocus::Minutes;
            return Vec::new();
        };
        if minutes > MAX_ENTRY_MINUTES {
            f.state.fail(format!(
                "at most {} h at once; log longer work in parts",
                MAX_ENTRY_MINUTES / 60
            ));
            f.focus = LogFocus::Minutes;
            return Vec::new();
        }
        // The server takes the tenant's wall clock: without its zone the entry would be hours
        // off, so it waits until the zone is known.
        let Some(zone) = zone else {
            f.state.fail(
                "the tenant's time zone is not known yet (signing in); try again in a moment",
            );
            return Vec::new();
        };
        let end = zone.to_naive(f.end);
        let start = zone.to_naive(f.end - chrono::Duration::minutes(minutes));
        let notes = f.notes.lines().join("\n").trim().to_string();
        let template = f
            .template_id
            .and_then(|id| templates.iter().find(|t| t.id == id));
        // The server takes one day per entry: a span across midnight is one per day.
        let inputs: Result<Vec<_>, _> = day_parts(start, end)
            .into_iter()
            .map(|(date, start, end)| {
                TimeEntry {
                    date,
                    start,
                    end,
                    work_type_id: f.work_type_id,
                    role_id: f.role_id,
                    notes: (!notes.is_empty()).then(|| notes.clone()),
                    internal_notes: None,
                    user_id,
                    template,
                }
                .input()
            })
            .collect();
        let inputs = match inputs {
            Ok(i) => i,
            Err(e) => {
                f.state.fail(e.to_string());
                return Vec::new();
            }
        };
        f.state.clear_error();
        let ticket_id = f.ticket_id;
        let desc = format!(
            "logging {} on {}",
            fmt_elapsed(minutes * 60),
            f.ticket_label.split(' ').next().unwrap_or("")
        );
        let mut ops = inputs
            .into_iter()
            .map(|input| WriteOp::AddTimeLog { ticket_id, input });
        let Some(first) = ops.next() else {
            return Vec::new();
        };
        let (req, cmd) = self.send_write(Write::new(desc, first).then(ops.collect()));
        if let Some(f) = self.timelog_form_mut() {
            f.state = crate::forms::EditorState::Sending(req);
        }
        vec![cmd]
    }

    /// One day's entry of time log `req` answered. Each is merged at once; the log is done
    /// once every day was answered or queued, or one was refused (the days after it are not
    /// sent).
    pub(super) fn on_time_written(
        &mut self,
        req: u64,
        op: WriteOp,
        result: Result<WriteResult, String>,
    ) -> Vec<Cmd> {
        let WriteOp::AddTimeLog { ticket_id, input } = &op else {
            return Vec::new();
        };
        let ticket_id = *ticket_id;
        let result = result.and_then(|r| {
            r.time_log()
                .ok_or_else(|| "logging time returned no entry".to_string())
        });
        match result {
            Ok(log) => {
                self.apply_written(&op, &WriteResult::TimeLog(Box::new(log.clone())));
                if let Some(f) = self.in_flight.get_mut(&req) {
                    f.logged.push(log);
                }
                match self.answered(req) {
                    Some(f) => self.on_time_logged(req, ticket_id, Ok(f.logged), None),
                    None => Vec::new(),
                }
            }
            Err(e) => {
                let f = self.in_flight.remove(&req).unwrap_or_default();
                if f.logged.is_empty() {
                    return self.on_time_logged(req, ticket_id, Err(e), None);
                }
                let missed = format!("the entry for {} was not logged: {e}", input.start_date);
                self.on_time_logged(req, ticket_id, Ok(f.logged), Some(missed))
            }
        }
    }

    /// The time log is done: the entries delivered (`missed`: a later day's was refused), or
    /// the refusal of the first.
    pub(super) fn on_time_logged(
        &mut self,
        req: u64,
        ticket_id: Id,
        result: Result<Vec<TimeLog>, String>,
        missed: Option<String>,
    ) -> Vec<Cmd> {
        let pos = self
            .layers
            .iter()
            .position(|l| matches!(l, Layer::TimeLog(f) if f.state.sending() == Some(req)));
        match result {
            Ok(logs) => {
                let label = match pos.map(|p| self.layers.remove(p)) {
                    Some(Layer::TimeLog(f)) => f.ticket_label.clone(),
                    _ => self.ticket_label(ticket_id),
                };
                let hours: f64 = logs.iter().filter_map(|l| l.timespent).sum();
                let days = if logs.len() > 1 {
                    format!(" ({} entries, one per day)", logs.len())
                } else {
                    String::new()
                };
                let done = format!(
                    "logged {hours:.2} h on {}{days}",
                    label.split(' ').next().unwrap_or("")
                );
                match missed {
                    Some(m) => self.error(format!("{done}; {m}")),
                    None => self.info(done),
                }
                let mut cmds = Vec::new();
                if self
                    .timer
                    .as_ref()
                    .is_some_and(|t| t.ticket_id == Some(ticket_id) && !t.running())
                {
                    self.timer = None;
                    cmds.push(Cmd::SaveTimer(None));
                }
                cmds
            }
            Err(e) => {
                let msg = format!("time not logged: {e} — ctrl-s tries again");
                if let Some(Layer::TimeLog(f)) = pos.and_then(|p| self.layers.get_mut(p)) {
                    f.state = crate::forms::EditorState::Editing;
                    f.state.fail(msg.clone());
                }
                self.error(msg);
                Vec::new()
            }
        }
    }

    pub(super) fn discard_timelog(&mut self) -> Vec<Cmd> {
        self.layers.retain(|l| !matches!(l, Layer::TimeLog(_)));
        let label = self.timer.as_ref().map(|t| t.label().to_string());
        self.timer = None;
        self.info(format!(
            "time on {} discarded, not logged",
            label.as_deref().unwrap_or("the ticket")
        ));
        vec![Cmd::SaveTimer(None)]
    }

    /// A time-log template, work type or role picked.
    pub(super) fn picked_time(&mut self, purpose: Purpose, key: PickKey) -> Vec<Cmd> {
        match purpose {
            Purpose::TimeLog(field) => {
                self.layers.pop();
                self.picked_timelog(field, key)
            }
            _ => Vec::new(),
        }
    }
}
