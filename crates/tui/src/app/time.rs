//! Time on tickets: the work timer (`T`) and call mode (`c`, `C`: a note and a timer on the
//! ticket, or on a new one); stopping either offers its time log (`time_log.rs`). The timer
//! is persisted (`tui::timer`) so a restart keeps it running, or offers the time log of one
//! stopped but not logged.
//! Pure like the rest of `update`: effects leave as [`Cmd`]s.

use std::time::Duration;

use super::Model;
use crate::forms::NewTicket;
use crate::keymap::Action;
use crate::picker::{Field, PickKey};
use crate::protocol::{Cmd, Msg};
use crate::timer::{Timer, fmt_elapsed};
use bmsdesk_core::lookups::LookupKind;
use bmsdesk_core::model::{Id, TicketRow};

impl Model {
    // ---- timer ------------------------------------------------------------------------

    fn schedule_timer_tick(&self) -> Vec<Cmd> {
        match &self.timer {
            Some(t) if t.running() => {
                let wait = 60 - t.elapsed_secs(self.now) % 60;
                vec![Cmd::After(
                    Duration::from_secs(wait as u64),
                    Msg::TimerTick(self.timer_gen),
                )]
            }
            _ => Vec::new(),
        }
    }

    pub(super) fn on_timer_tick(&mut self, generation: u64) -> Vec<Cmd> {
        if generation == self.timer_gen {
            self.schedule_timer_tick()
        } else {
            Vec::new()
        }
    }

    /// At start: a timer left running keeps running; one stopped but not logged offers its
    /// time log again.
    pub(super) fn restore_timer(&mut self) -> Vec<Cmd> {
        let Some(t) = self.timer.clone() else {
            return Vec::new();
        };
        if t.ticket_id.is_none() {
            // A call whose ticket was never created: nothing to log against.
            self.timer = None;
            return vec![Cmd::SaveTimer(None)];
        }
        if t.running() {
            self.info(format!(
                "{} on {} running since {} — {} stops it",
                if t.call { "call" } else { "timer" },
                t.label(),
                self.fmt_time(Some(t.started_at)),
                self.keymap
                    .hint(if t.call { Action::Call } else { Action::Timer })
            ));
            self.timer_gen += 1;
            return self.schedule_timer_tick();
        }
        self.info(format!(
            "{} on {} is not logged yet",
            fmt_elapsed(t.elapsed_secs(self.now)),
            t.label()
        ));
        self.open_timelog()
    }

    fn start_timer(&mut self, ticket_id: Option<Id>, call: bool) -> Vec<Cmd> {
        let (number, title) = match ticket_id {
            Some(id) => {
                let r = self.row_of(id);
                let n = if r.ticket_number.is_empty() {
                    format!("ticket {id}")
                } else {
                    r.ticket_number
                };
                (n, r.title)
            }
            None => (String::new(), String::new()),
        };
        let t = Timer {
            ticket_id,
            ticket_number: number,
            title,
            started_at: self.now,
            stopped_at: None,
            call,
        };
        self.timer = Some(t.clone());
        self.timer_gen += 1;
        let mut cmds = vec![Cmd::SaveTimer(Some(t))];
        cmds.extend(self.schedule_timer_tick());
        cmds
    }

    /// Stops the running timer and offers its time log.
    fn stop_timer(&mut self) -> Vec<Cmd> {
        let now = self.now;
        let Some(t) = self.timer.as_mut() else {
            return Vec::new();
        };
        if t.ticket_id.is_none() {
            return self.drop_unbound_call();
        }
        t.stopped_at = Some(now);
        let t = t.clone();
        self.timer_gen += 1;
        self.info(format!(
            "{} on {} stopped at {}",
            if t.call { "call" } else { "timer" },
            t.label(),
            fmt_elapsed(t.elapsed_secs(now))
        ));
        let mut cmds = vec![Cmd::SaveTimer(Some(t))];
        cmds.extend(self.open_timelog());
        cmds
    }

    /// `T`: start a timer on the selected ticket, or stop the running one (and log it).
    pub(super) fn toggle_timer(&mut self) -> Vec<Cmd> {
        match &self.timer {
            Some(t) if t.running() => self.stop_timer(),
            Some(_) => self.open_timelog(),
            None => match self.list.sel_id {
                Some(id) => {
                    let cmds = self.start_timer(Some(id), false);
                    self.info(format!(
                        "timer started on {} — {} stops it",
                        self.targets_label(&[id]),
                        self.keymap.hint(Action::Timer)
                    ));
                    cmds
                }
                None => {
                    self.error("no ticket selected");
                    Vec::new()
                }
            },
        }
    }

    // ---- call mode ----------------------------------------------------------------------

    /// `c`: start a call on the selected ticket (quick note + timer), or end the call and
    /// offer its time log. With nothing selected, a call on a new ticket.
    pub(super) fn toggle_call(&mut self) -> Vec<Cmd> {
        match &self.timer {
            Some(t) if t.running() && t.call => self.stop_timer(),
            Some(t) if t.running() => {
                let msg = format!(
                    "a timer runs on {} — {} stops it first",
                    t.label(),
                    self.keymap.hint(Action::Timer)
                );
                self.error(msg);
                Vec::new()
            }
            Some(_) => self.open_timelog(),
            None => match self.list.sel_id {
                Some(id) => {
                    let mut cmds = self.start_timer(Some(id), true);
                    cmds.extend(self.open_note_for(id));
                    self.info(format!(
                        "call on {} — {} ends it",
                        self.targets_label(&[id]),
                        self.keymap.hint(Action::Call)
                    ));
                    cmds
                }
                None => self.call_new_ticket(),
            },
        }
    }

    /// `C` (and `c` with nothing selected): the call timer starts now, then a new ticket from
    /// the call template (`[tui] call_template`, else blank) for an account picked next.
    pub(super) fn call_new_ticket(&mut self) -> Vec<Cmd> {
        if let Some(t) = &self.timer {
            let msg = format!(
                "a timer runs on {} — stop it first ({})",
                t.label(),
                self.keymap
                    .hint(if t.call { Action::Call } else { Action::Timer })
            );
            self.error(msg);
            return Vec::new();
        }
        let mut cmds = self.start_timer(None, true);
        let mut nt = NewTicket::new();
        nt.call = true;
        self.new_ticket = Some(nt);
        let template = self.call_template.as_deref().and_then(|name| {
            self.data
                .ticket_templates
                .as_ref()?
                .iter()
                .find(|t| t.name.trim().eq_ignore_ascii_case(name))
                .map(|t| t.id)
        });
        self.info(format!(
            "call on a new ticket — {} ends it",
            self.keymap.hint(Action::Call)
        ));
        match template {
            Some(id) => cmds.extend(self.picked_new_ticket(Field::Template, true, PickKey::Id(id))),
            None => {
                self.call_defaults();
                cmds.extend(self.chain_next(Field::Template));
            }
        }
        cmds
    }

    /// A call's ticket comes in by phone.
    pub(super) fn call_defaults(&mut self) {
        let phone = self
            .data
            .lookups
            .get(&LookupKind::Sources)
            .and_then(|s| {
                s.iter()
                    .find(|s| s.name.trim().eq_ignore_ascii_case("phone"))
            })
            .map(|s| s.id);
        if let Some(nt) = self.new_ticket.as_mut()
            && nt.draft.source_id.is_none()
        {
            nt.draft.source_id = phone;
        }
    }

    /// The call's new ticket was created: the running call timer is now its.
    pub(super) fn bind_call(&mut self, row: &TicketRow) -> Vec<Cmd> {
        let Some(t) = self
            .timer
            .as_mut()
            .filter(|t| t.call && t.ticket_id.is_none())
        else {
            return Vec::new();
        };
        t.ticket_id = Some(row.id);
        t.ticket_number = row.ticket_number.clone();
        t.title = row.title.clone();
        let t = t.clone();
        self.info(format!(
            "created {} — call running, {} ends it",
            row.ticket_number,
            self.keymap.hint(Action::Call)
        ));
        vec![Cmd::SaveTimer(Some(t))]
    }

    /// A call on a new ticket whose ticket was not created ends without a time log.
    pub(super) fn drop_unbound_call(&mut self) -> Vec<Cmd> {
        if self.timer.as_ref().is_none_or(|t| t.ticket_id.is_some()) {
            return Vec::new();
        }
        self.timer = None;
        self.timer_gen += 1;
        self.info("call ended: no ticket was created, no time logged");
        vec![Cmd::SaveTimer(None)]
    }
}
