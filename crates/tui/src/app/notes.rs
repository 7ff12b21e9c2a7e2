//! Notes: the note editor (`a`, resumed from a draft), `$EDITOR` (`E`), note templates,
//! drafts saved as you type (at most `DRAFT_DEBOUNCE` after a keystroke) and listed under
//! `d`, and sending — a plain note, a note that carries a status change (see `triage`), or
//! the note of an assignment.

use std::collections::HashMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::writes::Write;
use super::{DRAFT_DEBOUNCE, Layer, Model, triage};
use crate::forms::{EditorState, NoteEditor, NoteMode, textarea};
use crate::keymap::{Action, Key};
use crate::picker::{PickItem, PickKey, Picker, Purpose, Source};
use crate::protocol::{Cmd, Msg, Request};
use crate::text::truncate;
use bmsdesk_core::actions::{WriteOp, WriteResult};
use bmsdesk_core::lookups::LookupKind;
use bmsdesk_core::model::{AssignInput, Id, NoteInput};
use bmsdesk_core::store::drafts::{DraftKey, NoteDraft};
use bmsdesk_core::text::html;

/// What sending the note on top sends.
enum Send {
    /// A note (that may carry a status).
    Note(Box<Write>),
    /// The same note with a status change to each ticket.
    Status {
        ticket_ids: Vec<Id>,
        status_id: Id,
        status_name: String,
        input: NoteInput,
        draft: Option<DraftKey>,
    },
    /// An assignment, with its note, per ticket.
    Assign(Vec<(Id, AssignInput)>),
}

impl Model {
    /// `E` (the note in `$EDITOR`) and `d` (the unsent drafts).
    pub(super) fn note_action(&mut self, a: Action) -> Vec<Cmd> {
        match a {
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
            _ => {}
        }
        Vec::new()
    }

    /// A note template or a draft picked.
    pub(super) fn picked_note(&mut self, purpose: Purpose, key: PickKey) -> Vec<Cmd> {
        match purpose {
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
            Purpose::Drafts => {
                self.layers.pop();
                let PickKey::Id(id) = key else {
                    return Vec::new();
                };
                self.open_note_for(id)
            }
            _ => Vec::new(),
        }
    }

    /// A note template's text arrived: into the editor it was asked for.
    pub(super) fn on_note_template_body(
        &mut self,
        template_id: Id,
        ticket_id: Id,
        result: Result<String, String>,
    ) -> Vec<Cmd> {
        let editor = self.layers.iter_mut().rev().find_map(|l| match l {
            Layer::Note(e) if e.ticket_id == ticket_id && e.template_id == Some(template_id) => {
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
                    e.fail(format!("template: {err}"));
                }
            }
            return self.note_changed();
        }
        Vec::new()
    }

    /// A note was delivered (the editor closes, the draft goes, a status it carried shows on
    /// the row) or refused (the editor stays, with the text, and says why).
    pub(super) fn on_note_written(
        &mut self,
        req: u64,
        op: WriteOp,
        result: Result<WriteResult, String>,
    ) -> Vec<Cmd> {
        let WriteOp::AddNote { ticket_id, .. } = op else {
            return Vec::new();
        };
        let flight = self.in_flight.remove(&req).unwrap_or_default();
        let (desc, status, warning) = (Some(flight.desc), flight.status, flight.warn);
        let result = result.and_then(|r| {
            r.note()
                .ok_or_else(|| "adding the note returned no note".to_string())
        });
        match result {
            Ok(note) => {
                self.close_editor_for(req);
                self.drafts.remove(&ticket_id);
                self.apply_written(&op, &WriteResult::Note(Box::new(note)));
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
                    None => self.info(format!("note added to {}", self.ticket_label(ticket_id))),
                }
                return cmds;
            }
            Err(e) => {
                self.editor_failed(req, format!("note not sent: {e} — the draft is kept"));
            }
        }
        Vec::new()
    }

    /// The type a new note starts with: the profile's or the tenant's default, when known
    /// (a template may change it; `send_note` decides by the one rule).
    pub(super) fn default_note_type(&self) -> Option<i64> {
        self.note_type_for(None).ok()
    }

    /// The one rule (`domain::note_type`) with what the TUI knows of the tenant's note types.
    fn note_type_for(&self, chosen: Option<Id>) -> Result<Id, String> {
        use bmsdesk_core::domain::note_type::{NoteTypes, pick};
        let types = match self.data.lookups.get(&LookupKind::NoteTypes) {
            Some(items) => NoteTypes::Known(items),
            None if self.data.failed.contains(LookupKind::NoteTypes.name()) => {
                NoteTypes::Unknown("the note-type list could not be read")
            }
            None => NoteTypes::Unknown("the note-type list has not loaded yet; try again shortly"),
        };
        pick(chosen, self.note_type, types).map_err(|e| e.to_string())
    }

    pub(super) fn open_note_editor(&mut self) -> Vec<Cmd> {
        match self.list.sel_id {
            Some(id) => self.open_note_for(id),
            None => {
                self.error("no ticket selected");
                Vec::new()
            }
        }
    }

    pub(super) fn open_note_for(&mut self, id: Id) -> Vec<Cmd> {
        let label = self.ticket_label(id);
        let e = match self.drafts.get(&id) {
            Some(d) => {
                let mut e = NoteEditor::from_draft(d, label);
                e.notice = Some(format!(
                    "resumed the draft saved {}",
                    crate::text::ago(self.now, d.updated_at)
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

    pub(super) fn note_changed(&mut self) -> Vec<Cmd> {
        let now = self.now;
        if let Some(Layer::Note(e)) = self.layers.last_mut() {
            e.clear_error();
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

    pub(super) fn on_draft_due(&mut self) -> Vec<Cmd> {
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

    pub(super) fn key_note(&mut self, ev: KeyEvent, key: Key) -> Vec<Cmd> {
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
                if e.sending().is_some() {
                    return Vec::new();
                }
                if crate::forms::multiline_input(&mut e.text, ev) {
                    self.note_changed()
                } else {
                    Vec::new()
                }
            }
        }
    }

    pub(super) fn send_note(&mut self) -> Vec<Cmd> {
        let now = self.now;
        let statuses: HashMap<Id, Option<Id>> =
            self.list.rows.iter().map(|r| (r.id, r.status_id)).collect();
        let first_status = self
            .data
            .lookups
            .get(&LookupKind::Statuses)
            .and_then(|s| s.first())
            .map(|s| s.id);
        let chosen_type = match self.layers.last() {
            Some(Layer::Note(e)) => e.type_id,
            _ => None,
        };
        let type_id = self.note_type_for(chosen_type);
        // A note that changes a status passes the workflow rules first (with its text).
        let plan = self.note_status_plan();
        let Some(Layer::Note(e)) = self.layers.last_mut() else {
            return Vec::new();
        };
        if e.sending().is_some() {
            return Vec::new();
        }
        let text = e.text();
        if text.trim().is_empty() {
            e.fail("the note is empty");
            return Vec::new();
        }
        let warning = match plan {
            Err(msg) => {
                e.fail(msg);
                return Vec::new();
            }
            Ok(triage::StatusPlan::Unchanged) => {
                // Already in the template's status: just the note.
                e.status_id = None;
                None
            }
            Ok(triage::StatusPlan::Go(w)) => w,
        };
        let type_id = match type_id {
            Ok(id) => id,
            Err(msg) => {
                e.fail(msg);
                return Vec::new();
            }
        };
        let details = html::from_text(text.trim_end());
        let mut cmds = Vec::new();
        // What to send, taken from the editor (sent below, once the editor is let go).
        let send = match e.mode.clone() {
            NoteMode::Note => {
                e.clear_error();
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
                let status = e.status_id.map(|st| (ticket_id, st));
                let draft = Some(d.key());
                self.drafts.insert(ticket_id, d.clone());
                cmds.push(Cmd::SaveDraft(d));
                let w = Write::new(
                    format!("adding a note to {}", e.ticket_label),
                    WriteOp::AddNote { ticket_id, input },
                );
                Send::Note(Box::new(
                    w.status(status)
                        .warn(warning.clone().filter(|_| status.is_some()))
                        .draft(draft),
                ))
            }
            NoteMode::Status {
                ticket_ids,
                status_id,
                status_name,
                ..
            } => {
                e.clear_error();
                let mut draft = None;
                if e.keeps_draft() {
                    e.dirty = false;
                    e.saved_at = Some(now);
                    let d = e.draft(now);
                    draft = Some(d.key());
                    self.drafts.insert(d.ticket_id, d.clone());
                    cmds.push(Cmd::SaveDraft(d));
                }
                let input = NoteInput {
                    details,
                    is_internal: e.is_internal,
                    type_id,
                    note_date: now,
                    status_id: Some(status_id),
                };
                Send::Status {
                    ticket_ids,
                    status_id,
                    status_name,
                    input,
                    draft,
                }
            }
            NoteMode::Assign {
                ticket_ids, target, ..
            } => {
                let mut inputs = Vec::new();
                for id in ticket_ids {
                    let Some(status_id) = statuses.get(&id).copied().flatten().or(first_status)
                    else {
                        e.fail("no status known for the ticket yet; try again");
                        return Vec::new();
                    };
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
                    inputs.push((id, input));
                }
                Send::Assign(inputs)
            }
        };
        let (first, sent) = match send {
            Send::Note(w) => {
                let (req, cmd) = self.send_write(*w);
                (Some(req), vec![cmd])
            }
            Send::Status {
                ticket_ids,
                status_id,
                status_name,
                input,
                draft,
            } => self.write_each(ticket_ids, |m, id| {
                Write::new(
                    format!("{} → {status_name} with a note", m.targets_label(&[id])),
                    WriteOp::AddNote {
                        ticket_id: id,
                        input: input.clone(),
                    },
                )
                .status(Some((id, status_id)))
                .warn(warning.clone())
                // Only a single ticket's status note keeps a draft.
                .draft(draft.filter(|k| k.ticket_id == id))
            }),
            Send::Assign(inputs) => self.write_each(inputs, |_, (id, input)| {
                Write::new(
                    format!("assigning ticket {id}"),
                    WriteOp::AssignTicket {
                        ticket_id: id,
                        input,
                    },
                )
            }),
        };
        cmds.extend(sent);
        // The editor waits for the first write's answer.
        if let (Some(req), Some(Layer::Note(e))) = (first, self.layers.last_mut())
            && e.sending().is_none()
        {
            e.state = EditorState::Sending(req);
        }
        cmds
    }

    pub(super) fn on_editor_done(
        &mut self,
        ticket_id: Id,
        result: Result<String, String>,
    ) -> Vec<Cmd> {
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

    pub(super) fn close_editor_for(&mut self, req: u64) -> Option<Box<NoteEditor>> {
        let pos = self
            .layers
            .iter()
            .position(|l| matches!(l, Layer::Note(e) if e.sending() == Some(req)))?;
        match self.layers.remove(pos) {
            Layer::Note(e) => Some(e),
            _ => None,
        }
    }

    /// Write `req` from a note editor failed: the editor (still open, text kept) shows why
    /// and can send again; the status bar says it too.
    pub(super) fn editor_failed(&mut self, req: u64, msg: String) {
        let editor = self.layers.iter_mut().find_map(|l| match l {
            Layer::Note(e) if e.sending() == Some(req) => Some(e.as_mut()),
            _ => None,
        });
        if let Some(ed) = editor {
            ed.state = EditorState::Error(msg.clone());
        }
        self.error(msg);
    }
}
