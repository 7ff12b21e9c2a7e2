//! Keys typed ahead of an editor, and the question before quitting.
//!
//! An action that opens an editor on the selected ticket (`a`, `E`, `c`, `e`) may be pressed
//! before the list has a row: right after a view switch on a slow link. Rather than failing
//! and letting the sentence typed next run as list commands (`T` timer, `n` new ticket, `q`
//! quit), the action waits for the view to load (its first row may move as later pages
//! arrive) with every key and paste typed meanwhile, then runs and gets them. When the load ends without a row the action is refused, visibly, and
//! the keys are dropped — never run on the list.

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{Cmd, Confirm, ConfirmAction, Layer, Model};
use crate::keymap::Action;
use bmsdesk_core::model::Id;

/// At most this many keys are held for a waiting editor (a paste counts as one).
const MAX_HELD: usize = 10_000;

/// Input held for an editor that waits for its ticket.
#[derive(Debug, Clone)]
pub enum Held {
    Key(KeyEvent),
    Paste(String),
}

/// An action that opens an editor, pressed while the list had no row yet.
#[derive(Debug, Clone)]
pub struct Awaiting {
    pub action: Action,
    pub held: Vec<Held>,
    /// Ctrl-S was pressed while waiting: not replayed (a note typed blind is never sent to a
    /// ticket the user has not seen), but said.
    pub send_refused: bool,
}

/// Draft saves that failed: the text lives only in memory (ticket → (draft time, error)).
pub type UnsavedDrafts = std::collections::BTreeMap<Id, (DateTime<Utc>, String)>;

impl Model {
    /// Actions that open an editor on the selected ticket (a call does when none runs yet;
    /// `c` during one ends it, whatever is selected).
    fn opens_editor(&self, a: Action) -> bool {
        match a {
            Action::AddNote | Action::EditorNote | Action::Escalate => true,
            Action::Call => self.timer.is_none(),
            _ => false,
        }
    }

    /// `a` with no row while the view loads: wait for the row (see the module's doc).
    /// True when the action was held.
    pub(super) fn hold_for_row(&mut self, a: Action) -> bool {
        if !self.opens_editor(a) || self.list.sel_id.is_some() || !self.list.loading {
            return false;
        }
        self.awaiting = Some(Awaiting {
            action: a,
            held: Vec::new(),
            send_refused: false,
        });
        self.info(format!(
            "{} opens when the ticket arrives — keep typing, Esc gives up",
            a.describe()
        ));
        true
    }

    /// Input while an editor waits: kept for it. Esc gives up. True when taken.
    pub(super) fn hold_input(&mut self, input: Held) -> bool {
        let Some(w) = self.awaiting.as_mut() else {
            return false;
        };
        if let Held::Key(k) = &input {
            let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
            match k.code {
                KeyCode::Esc => {
                    let n = w.held.len();
                    self.awaiting = None;
                    self.info(format!("gave up waiting for the ticket ({n} keys dropped)"));
                    return true;
                }
                KeyCode::Char('s') if ctrl => {
                    w.send_refused = true;
                    self.warn("the ticket is not loaded yet: check it, then ctrl-s to send");
                    return true;
                }
                _ => {}
            }
        }
        if w.held.len() < MAX_HELD {
            w.held.push(input);
        }
        true
    }

    /// Runs the waiting action once a row is selected (and gives it the held input), or
    /// refuses it when the load ended without one. Called from `prepare`.
    pub(super) fn settle_awaiting(&mut self) -> Vec<Cmd> {
        let Some(w) = self.awaiting.as_ref() else {
            return Vec::new();
        };
        // Wait for the whole load, not just its first row: later pages re-sort the view and
        // move the cursor, and the editor must open on the ticket the technician then sees at
        // the cursor, not on one a first page happened to put on top (tried on an 800 ms link:
        // the note went to a ticket no longer selected).
        if self.list.loading {
            return Vec::new();
        }
        if self.list.sel_id.is_none() {
            let n = w.held.len();
            let what = w.action.describe();
            self.awaiting = None;
            self.error(format!(
                "no ticket for \"{what}\": the view has none ({n} keys typed meanwhile dropped)"
            ));
            return Vec::new();
        }
        let Some(w) = self.awaiting.take() else {
            return Vec::new();
        };
        let mut cmds = self.on_action(w.action);
        let editor = matches!(self.layers.last(), Some(Layer::Note(_)));
        if editor {
            for h in w.held {
                cmds.extend(match h {
                    Held::Key(k) => self.on_key(k),
                    Held::Paste(s) => self.on_paste(&s),
                });
            }
            if w.send_refused
                && let Some(Layer::Note(e)) = self.layers.last_mut()
            {
                e.notice = Some("typed before the ticket loaded: check it, then ctrl-s".into());
            }
        } else if !w.held.is_empty() {
            // `$EDITOR`, or an action that refused (its reason stays): the keys have no
            // editor to go to.
            let dropped = format!(
                "{} keys typed before the ticket loaded were dropped",
                w.held.len()
            );
            match self.status.error.take() {
                Some(e) => self.error(format!("{e} ({dropped})")),
                None => self.warn(dropped),
            }
        }
        cmds
    }

    /// What quitting now would leave behind, one phrase each (empty: nothing).
    pub fn left_behind(&self) -> Vec<String> {
        let mut out = Vec::new();
        // Only drafts still kept: one sent or thrown away since is nothing to lose.
        let unsaved: Vec<&String> = self
            .unsaved_drafts
            .iter()
            .filter(|(id, _)| self.drafts.contains_key(id))
            .map(|(_, (_, e))| e)
            .collect();
        if let Some(e) = unsaved.first() {
            let n = unsaved.len();
            out.push(format!(
                "{n} note draft{} NOT saved to disk ({e}) — quitting loses {}",
                plural(n),
                if n == 1 { "it" } else { "them" }
            ));
        }
        let open = self.layers.iter().any(|l| {
            matches!(l, Layer::Note(e) if !e.text().trim().is_empty()
                && !self.drafts.contains_key(&e.ticket_id))
        });
        let drafts = self.drafts.len() + usize::from(open);
        if drafts > 0 {
            out.push(format!("{drafts} unsent note draft{}", plural(drafts)));
        }
        if let Some(t) = self.timer.as_ref().filter(|t| t.running()) {
            out.push(format!("a timer running on {}", t.label()));
        }
        let queued = self.outbox.pending();
        if queued > 0 {
            out.push(format!(
                "{queued} write{} queued, not sent yet",
                plural(queued)
            ));
        }
        if !self.in_flight.is_empty() {
            let n = self.in_flight.len();
            out.push(format!("{n} write{} in flight", plural(n)));
        }
        out
    }

    /// `q`: quits, or asks first when something would be left behind.
    pub(super) fn quit_or_ask(&mut self) -> Vec<Cmd> {
        let behind = self.left_behind();
        if behind.is_empty() {
            self.quit = true;
            return vec![Cmd::Quit];
        }
        self.layers.push(Layer::Confirm(Confirm {
            prompt: format!("Quit with {}? (y/n)", behind.join(", ")),
            action: ConfirmAction::Quit,
        }));
        Vec::new()
    }

    /// A draft save finished: a failure keeps the ticket listed as "only in memory".
    pub(super) fn draft_saved(&mut self, ticket_id: Id, at: DateTime<Utc>, r: Result<(), String>) {
        match r {
            Ok(()) => {
                // An older save's success says nothing about a newer text that failed.
                if self
                    .unsaved_drafts
                    .get(&ticket_id)
                    .is_some_and(|(t, _)| *t <= at)
                {
                    self.unsaved_drafts.remove(&ticket_id);
                }
            }
            Err(e) => {
                self.error(format!(
                    "cannot save the note draft: {e} — it is only in memory"
                ));
                let newer = self
                    .unsaved_drafts
                    .get(&ticket_id)
                    .is_some_and(|(t, _)| *t > at);
                if !newer {
                    self.unsaved_drafts.insert(ticket_id, (at, e));
                }
            }
        }
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
