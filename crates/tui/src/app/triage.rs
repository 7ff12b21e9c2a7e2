//! Triage of the selected or marked tickets: status (`s`) — checked against the workflow
//! rules before anything is sent: a warning goes ahead, a required note opens the editor and
//! goes with the change, a refusal says why — priority (`p`), assign with a note (`A`),
//! delete (`Del`, asked first) and escalate (`e`: a reason note, then the escalation status).
//! Pure like the rest of `update`: effects leave as [`Cmd`]s.

use std::sync::Arc;

use serde_json::json;

use super::writes::{Write, patch_what};
use super::{Confirm, ConfirmAction, Layer, Model};
use crate::forms::{NoteEditor, NoteMode};
use crate::keymap::Action;
use crate::picker::{PickKey, Picker, Purpose, Source};
use crate::protocol::Cmd;
use bmsdesk_core::actions::{WriteOp, WriteResult};
use bmsdesk_core::domain::workflow::{NoteKind, TransitionCheck, check_transition};
use bmsdesk_core::lookups::LookupKind;
use bmsdesk_core::model::{Id, LookupItem, PatchOp, TicketRow};

/// What sending a note does to the ticket's status.
pub(super) enum StatusPlan {
    /// The ticket is in that status already: send the note alone.
    Unchanged,
    /// Send it (with this warning to show).
    Go(Option<String>),
}

impl Model {
    // ---- status changes ----------------------------------------------------------------

    /// The row of a ticket as last seen (list, else the detail pane), else a bare one.
    pub(super) fn row_of(&self, id: Id) -> TicketRow {
        self.list
            .get(id)
            .or_else(|| self.detail.cache.get(&id).map(|d| &d.ticket.row))
            .cloned()
            .unwrap_or(TicketRow {
                id,
                ..Default::default()
            })
    }

    fn status_item(&self, id: Id) -> LookupItem {
        self.data
            .lookups
            .get(&LookupKind::Statuses)
            .and_then(|s| s.iter().find(|s| s.id == id))
            .cloned()
            .unwrap_or(LookupItem {
                id,
                name: format!("status {id}"),
                ..Default::default()
            })
    }

    /// A status picked for `ids`: each ticket is checked against the workflow rules first.
    /// Allowed and warned changes are sent; refused ones are not; those that need a note get
    /// the note editor, and the note goes with the change.
    pub(super) fn change_status(&mut self, ids: Vec<Id>, status_id: Id) -> Vec<Cmd> {
        let to = self.status_item(status_id);
        let mut go = Vec::new();
        let mut need_note = Vec::new();
        let mut kind = NoteKind::Resolution;
        let mut refused = Vec::new();
        let mut warnings = Vec::new();
        for id in ids {
            let row = self.row_of(id);
            match check_transition(&row, &to, None, self.sla.rules()) {
                TransitionCheck::Allowed => go.push((id, None)),
                TransitionCheck::Warn { message } => {
                    warnings.push(message.clone());
                    go.push((id, Some(message)));
                }
                TransitionCheck::NeedsNote { kind: k, .. } => {
                    kind = k;
                    need_note.push(id);
                }
                TransitionCheck::Refused { message } => refused.push(message),
            }
        }
        let (_, mut cmds) = self.write_each(go, |m, (id, warning)| {
            Write::new(
                format!("{} status → {}", m.targets_label(&[id]), to.name),
                WriteOp::PatchTicket {
                    ticket_id: id,
                    ops: vec![PatchOp::replace("StatusId", json!(status_id))],
                },
            )
            .warn(warning)
        });
        match (refused.first(), warnings.first()) {
            (Some(r), _) => {
                let more = refused.len() - 1;
                self.error(if more > 0 {
                    format!("{r} (and {more} more refused)")
                } else {
                    r.clone()
                });
            }
            (None, Some(w)) => self.warn(w.clone()),
            (None, None) => {}
        }
        if !need_note.is_empty() {
            cmds.extend(self.open_status_note(need_note, &to, kind));
        }
        cmds
    }

    fn open_status_note(&mut self, ids: Vec<Id>, to: &LookupItem, kind: NoteKind) -> Vec<Cmd> {
        let Some(&first) = ids.first() else {
            return Vec::new();
        };
        let label = if ids.len() == 1 {
            self.ticket_label(first)
        } else {
            self.targets_label(&ids)
        };
        let single = ids.len() == 1;
        let mut e = match self.drafts.get(&first).filter(|_| single) {
            Some(d) => {
                let mut e = NoteEditor::from_draft(d, label);
                e.notice = Some("your draft is in the editor".into());
                e
            }
            None => {
                let mut e = NoteEditor::new(first, label, NoteMode::Note);
                e.type_id = self.default_note_type();
                e
            }
        };
        e.mode = NoteMode::Status {
            ticket_ids: ids,
            status_id: to.id,
            status_name: to.name.clone(),
            kind,
        };
        e.status_id = Some(to.id);
        self.layers.push(Layer::Note(Box::new(e)));
        Vec::new()
    }

    /// Checks the status change a note on top carries, with the note's text.
    pub(super) fn note_status_plan(&self) -> Result<StatusPlan, String> {
        let Some(Layer::Note(e)) = self.layers.last() else {
            return Ok(StatusPlan::Go(None));
        };
        let (ids, status_id) = match &e.mode {
            NoteMode::Assign { .. } => return Ok(StatusPlan::Go(None)),
            NoteMode::Note => match e.status_id {
                Some(s) => (vec![e.ticket_id], s),
                None => return Ok(StatusPlan::Go(None)),
            },
            NoteMode::Status {
                ticket_ids,
                status_id,
                ..
            } => (ticket_ids.clone(), *status_id),
        };
        let text = e.text();
        let to = self.status_item(status_id);
        let mut warning = None;
        for id in ids {
            let row = self.row_of(id);
            if e.mode == NoteMode::Note && row.status_id == Some(status_id) {
                return Ok(StatusPlan::Unchanged);
            }
            match check_transition(&row, &to, Some(&text), self.sla.rules()) {
                TransitionCheck::Allowed => {}
                TransitionCheck::Warn { message } => {
                    warning.get_or_insert(message);
                }
                TransitionCheck::NeedsNote { message, .. }
                | TransitionCheck::Refused { message } => return Err(message),
            }
        }
        Ok(StatusPlan::Go(warning))
    }

    /// A status change went through with a note: show it on the row at once (the server's
    /// copy follows with the next detail load or refresh).
    pub(super) fn status_changed(&mut self, id: Id, status_id: Id) -> Vec<Cmd> {
        let name = self
            .data
            .lookup_name(LookupKind::Statuses, Some(status_id))
            .map(bmsdesk_core::name::intern);
        let complete = name
            .as_deref()
            .is_some_and(|n| self.sla.rules().is_complete(n));
        let now = self.now;
        let apply = |r: &mut TicketRow| {
            r.status_id = Some(status_id);
            if name.is_some() {
                r.status_name = name.clone();
            }
            r.last_status_update = Some(now);
            if complete && r.completed_date.is_none() {
                r.completed_date = Some(now);
            }
        };
        if let Some(mut row) = self.list.get(id).cloned() {
            apply(&mut row);
            self.step_off_if_done(&row);
            self.list.upsert_one(row);
        }
        if let Some(d) = self.detail.cache.get_mut(&id) {
            apply(&mut Arc::make_mut(d).ticket.row);
        }
        if self.detail_visible() && self.detail.id == Some(id) {
            return self.request_detail(id, true);
        }
        Vec::new()
    }

    /// A selected ticket that was just completed sinks to the end of a list sorted by time to
    /// breach: the cursor stays where it was (on the next ticket) instead of following it.
    pub(super) fn step_off_if_done(&mut self, row: &TicketRow) {
        let done = row
            .status_name
            .as_deref()
            .is_some_and(|n| self.sla.rules().is_complete(n));
        if !done || self.list.sel_id != Some(row.id) {
            return;
        }
        let vis = self.list.visible();
        let Some(pos) = vis
            .iter()
            .position(|&i| self.list.rows[i as usize].id == row.id)
        else {
            return;
        };
        let next = vis
            .get(pos + 1)
            .or(pos.checked_sub(1).and_then(|p| vis.get(p)));
        if let Some(&i) = next {
            self.list.sel_id = Some(self.list.rows[i as usize].id);
        }
    }

    /// `e`: the reason for escalating (note editor), then the escalation status with it.
    pub(super) fn escalate(&mut self) -> Vec<Cmd> {
        let targets = self.list.targets();
        if targets.is_empty() {
            self.error("no ticket selected");
            return Vec::new();
        }
        let Some(statuses) = self.data.lookups.get(&LookupKind::Statuses) else {
            self.error("statuses are still loading; try again in a moment");
            return Vec::new();
        };
        let rules = self.sla.rules();
        let Some(to) = statuses
            .iter()
            .find(|s| s.is_active != Some(false) && rules.is_escalation(&s.name))
            .cloned()
        else {
            self.error(format!(
                "no escalation status: none of the statuses matches sla.rules.escalation_statuses ({})",
                rules.escalation_statuses.join(", ")
            ));
            return Vec::new();
        };
        let mut ok = Vec::new();
        let mut refused = Vec::new();
        for id in targets {
            let row = self.row_of(id);
            match check_transition(&row, &to, None, rules) {
                TransitionCheck::Refused { message } => refused.push(message),
                _ => ok.push(id),
            }
        }
        if ok.is_empty() {
            self.error(refused.join("; "));
            return Vec::new();
        }
        if let Some(r) = refused.first() {
            self.warn(format!("skipped: {r}"));
        }
        self.open_status_note(ok, &to, NoteKind::Escalation)
    }

    /// `s`, `p`, `A`, `Del` on the selected or marked tickets: their picker or question.
    pub(super) fn triage_action(&mut self, a: Action) -> Vec<Cmd> {
        match a {
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
            _ => {}
        }
        Vec::new()
    }

    /// A status, priority or assignee picked for the tickets.
    pub(super) fn picked_triage(&mut self, purpose: Purpose, key: PickKey) -> Vec<Cmd> {
        match purpose {
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
                self.write_each(ids, |m, id| {
                    Write::new(
                        format!("{} priority → {name}", m.targets_label(&[id])),
                        WriteOp::PatchTicket {
                            ticket_id: id,
                            ops: vec![PatchOp::replace("PriorityId", json!(value))],
                        },
                    )
                })
                .1
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
            _ => Vec::new(),
        }
    }

    /// Deleting confirmed: one write per ticket.
    pub(super) fn delete_tickets(&mut self, ids: Vec<Id>) -> Vec<Cmd> {
        self.write_each(ids, |m, id| {
            Write::new(
                format!("deleting {}", m.targets_label(&[id])),
                WriteOp::DeleteTicket { ticket_id: id },
            )
        })
        .1
    }

    /// A status or priority change, an assignment or a deletion answered.
    pub(super) fn on_triage_written(
        &mut self,
        req: u64,
        op: WriteOp,
        result: Result<WriteResult, String>,
    ) -> Vec<Cmd> {
        let flight = self.in_flight.remove(&req).unwrap_or_default();
        match &op {
            WriteOp::PatchTicket { ticket_id, ops } => {
                let (ticket_id, what) = (*ticket_id, patch_what(ops));
                let (desc, warning) = (flight.desc, flight.warn);
                let result = result.and_then(|r| {
                    r.ticket()
                        .ok_or_else(|| "the update returned no ticket".to_string())
                });
                match result {
                    Ok(t) => {
                        if what == "status" {
                            self.step_off_if_done(&t.row);
                        }
                        self.apply_written(&op, &WriteResult::Ticket(Box::new(t)));
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
            WriteOp::AssignTicket { ticket_id, .. } => {
                let ticket_id = *ticket_id;
                match result {
                    Ok(t) => {
                        // With the ticket read back, when that worked.
                        self.apply_written(&op, &t);
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
            WriteOp::DeleteTicket { ticket_id } => {
                let ticket_id = *ticket_id;
                match result {
                    Ok(r) => {
                        let label = self.targets_label(&[ticket_id]);
                        self.apply_written(&op, &r);
                        self.info(format!("deleted {label}"));
                    }
                    Err(e) => self.error(format!("deleting failed: {e}")),
                }
            }
            _ => {}
        }
        Vec::new()
    }
}
