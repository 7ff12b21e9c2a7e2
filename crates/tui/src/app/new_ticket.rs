//! A new ticket (`n`): a chain of pickers (template → account → location → whatever the
//! template leaves open), then the form (title, details, every field, the optional
//! contact), a review, and the create — or, while offline, a placeholder row until the
//! outbox delivers it.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::writes::Write;
use super::{Confirm, ConfirmAction, Layer, Model};
use crate::forms::{FORM_ORDER, FormFocus, NewTicket};
use crate::keymap::Key;
use crate::picker::{Field, PickKey, Picker, PickerState, Purpose, Source};
use crate::protocol::{Cmd, DetailData, Request};
use crate::text::truncate;
use bmsdesk_core::actions::{WriteOp, WriteResult};
use bmsdesk_core::draft::TicketDraft;
use bmsdesk_core::lookups::LookupKind;
use bmsdesk_core::model::{Id, TicketTemplate};
use bmsdesk_core::text::sanitize_line;

impl Model {
    pub(super) fn start_new_ticket(&mut self) -> Vec<Cmd> {
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

    pub(super) fn field_picker(&self, field: Field, chain: bool) -> Picker {
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

    pub(super) fn picked_new_ticket(
        &mut self,
        field: Field,
        chain: bool,
        key: PickKey,
    ) -> Vec<Cmd> {
        let Some(nt) = self.new_ticket.as_mut() else {
            return Vec::new();
        };
        if field == Field::Template {
            match key {
                PickKey::Id(id) => {
                    nt.template_loading = Some(id);
                    if let Some(Layer::Picker(p)) = self.layers.last_mut() {
                        p.state = PickerState::Loading;
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
    pub(super) fn chain_next(&mut self, done: Field) -> Vec<Cmd> {
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
                    nt.focus = if nt.title.is_empty() || crate::forms::text_of(&nt.title).is_empty()
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

    pub(super) fn key_form(&mut self, ev: KeyEvent, key: Key) -> Vec<Cmd> {
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
                nt.state.clear_error();
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
                crate::forms::multiline_input(&mut nt.details, ev);
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

    pub(super) fn submit_ticket(&mut self) -> Vec<Cmd> {
        let Some(nt) = self.new_ticket.as_mut() else {
            return Vec::new();
        };
        if nt.state.sending().is_some() {
            return Vec::new();
        }
        let missing = nt.missing();
        if !missing.is_empty() {
            nt.state.fail(format!(
                "cannot create the ticket: missing {}",
                missing.join(", ")
            ));
            return Vec::new();
        }
        let mut draft = nt.current();
        draft.open_date = Some(self.now);
        let input = match draft.validate() {
            Ok(input) => input,
            Err(e) => {
                nt.state.fail(format!(
                    "the server refused the ticket: {}",
                    sanitize_line(&e.to_string())
                ));
                nt.review = true;
                return Vec::new();
            }
        };
        let (req, cmd) = self.send_write(Write::new(
            "creating ticket",
            WriteOp::CreateTicket { input },
        ));
        let nt = self.new_ticket.as_mut().expect("new ticket");
        nt.state = crate::forms::EditorState::Sending(req);
        nt.state.clear_error();
        vec![cmd]
    }

    /// A field of the new ticket picked (a step of the chain, or from the form).
    pub(super) fn picked_for_new_ticket(&mut self, purpose: Purpose, key: PickKey) -> Vec<Cmd> {
        match purpose {
            Purpose::NewTicket { field, chain } => {
                if !chain {
                    self.layers.pop();
                }
                self.picked_new_ticket(field, chain, key)
            }
            _ => Vec::new(),
        }
    }

    /// A picker was closed without a pick: giving up the template drops the new ticket, and
    /// a call's new ticket given up before its form ends the call unlogged.
    pub(super) fn new_ticket_picker_closed(&mut self, purpose: &Purpose) -> Vec<Cmd> {
        if let Purpose::NewTicket {
            field: Field::Template,
            ..
        } = purpose
        {
            self.new_ticket = None;
        }
        // A call's new ticket given up before its form: the call ends unlogged.
        if let Purpose::NewTicket { chain: true, .. } = purpose
            && self.new_ticket.as_ref().is_some_and(|nt| nt.call)
            && !self.layers.iter().any(|l| matches!(l, Layer::Form))
        {
            self.new_ticket = None;
            return self.drop_unbound_call();
        }
        Vec::new()
    }

    /// Discarding the form confirmed (a call on it ends unlogged).
    pub(super) fn discard_new_ticket(&mut self) -> Vec<Cmd> {
        self.layers.retain(|l| !matches!(l, Layer::Form));
        let call = self.new_ticket.take().is_some_and(|nt| nt.call);
        self.info("new ticket discarded");
        if call {
            return self.drop_unbound_call();
        }
        Vec::new()
    }

    /// The template asked for arrived: its fields fill the draft, the chain goes on.
    pub(super) fn on_ticket_template(
        &mut self,
        id: Id,
        result: Result<TicketTemplate, String>,
    ) -> Vec<Cmd> {
        let Some(nt) = self.new_ticket.as_mut() else {
            return Vec::new();
        };
        if nt.template_loading != Some(id) {
            return Vec::new();
        }
        nt.template_loading = None;
        match result {
            Ok(mut t) => {
                t.name = sanitize_line(&t.name);
                t.title = t.title.as_deref().map(sanitize_line);
                nt.draft = TicketDraft::from_template(&t);
                nt.template = Some((id, t.name.clone()));
                nt.load_text();
                if nt.call {
                    self.call_defaults();
                }
                if let Some(Layer::Picker(p)) = self.layers.last_mut() {
                    p.state = PickerState::Ready;
                }
                return self.chain_next(Field::Template);
            }
            Err(e) => {
                if let Some(Layer::Picker(p)) = self.layers.last_mut() {
                    p.state = PickerState::Failed(format!("cannot load the template: {e}"));
                }
            }
        }
        Vec::new()
    }

    /// The create answered: the new ticket selected, shown and (a call's) timed, or the form
    /// back with the server's refusal.
    pub(super) fn on_created(
        &mut self,
        req: u64,
        op: WriteOp,
        result: Result<WriteResult, String>,
    ) -> Vec<Cmd> {
        self.in_flight.remove(&req);
        let result = result.and_then(|r| {
            r.ticket()
                .ok_or_else(|| "create returned no ticket".to_string())
        });
        let Some(nt) = self.new_ticket.as_mut() else {
            return Vec::new();
        };
        if nt.state.sending() != Some(req) {
            return Vec::new();
        }
        nt.state = crate::forms::EditorState::Editing;
        match result {
            Ok(t) => {
                let account = nt.draft.account_id;
                let call = nt.call;
                self.new_ticket = None;
                self.layers.retain(|l| !matches!(l, Layer::Form));
                let id = t.row.id;
                self.apply_written(&op, &WriteResult::Ticket(Box::new(t.clone())));
                self.list.sel_id = Some(id);
                self.detail.cache.insert(
                    id,
                    Arc::new(DetailData {
                        details_text: bmsdesk_core::text::html::to_text(
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
                nt.state.fail(format!("the server refused the ticket: {e}"));
                nt.review = true;
            }
        }
        Vec::new()
    }
}
