//! Fuzzy picker state: a list of items, a query, matches ranked by nucleo, a selection.

use crossterm::event::{KeyCode, KeyModifiers};

use super::forms::LogFocus;
use super::fuzzy;
use super::keymap::Key;
use crate::api::LookupKind;
use crate::api::model::Id;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PickKey {
    Id(Id),
    Queue(Id),
    Assignee(Id),
    /// "(blank ticket)" and similar.
    None,
    /// Palette entry `n`.
    Command(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct PickItem {
    pub key: PickKey,
    pub label: String,
    pub hint: String,
}

impl PickItem {
    pub fn new(key: PickKey, label: impl Into<String>) -> PickItem {
        PickItem {
            key,
            label: label.into(),
            hint: String::new(),
        }
    }
    pub fn hint(mut self, hint: impl Into<String>) -> PickItem {
        self.hint = hint.into();
        self
    }
}

/// Where a picker's items come from, so they can be filled in when data arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Static,
    Accounts,
    Locations(Id),
    Lookup(LookupKind),
    TicketTemplates,
    NoteTemplates,
    /// "(no template)", then the time-log templates.
    TimeLogTemplates,
    /// Assignees, then queues.
    AssignTargets,
}

/// A field of the new-ticket form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Template,
    Account,
    Location,
    Status,
    Priority,
    Type,
    Source,
    Queue,
    Assignee,
    /// Chain step: a queue, or a person.
    QueueOrAssignee,
}

impl Field {
    pub fn label(self) -> &'static str {
        match self {
            Field::Template => "Template",
            Field::Account => "Account",
            Field::Location => "Location",
            Field::Status => "Status",
            Field::Priority => "Priority",
            Field::Type => "Type",
            Field::Source => "Source",
            Field::Queue => "Queue",
            Field::Assignee => "Assignee",
            Field::QueueOrAssignee => "Queue or assignee",
        }
    }
}

/// What picking does.
#[derive(Debug, Clone, PartialEq)]
pub enum Purpose {
    /// A step of the new-ticket flow; `chain` = part of the initial sequence of pickers.
    NewTicket {
        field: Field,
        chain: bool,
    },
    SetStatus(Vec<Id>),
    SetPriority(Vec<Id>),
    Assign(Vec<Id>),
    NoteTemplate,
    Palette,
    Drafts,
    /// The outbox overlay: `Id(seq)` retries, `Id(-seq)` drops.
    Outbox,
    /// A field of the time-log form (template, work type, role).
    TimeLog(LogFocus),
}

#[derive(Debug, Clone)]
pub struct Picker {
    pub title: String,
    pub purpose: Purpose,
    pub source: Source,
    pub items: Vec<PickItem>,
    pub query: String,
    pub matches: Vec<u32>,
    pub sel: usize,
    pub loading: bool,
    pub error: Option<String>,
    /// Item to put the cursor on when items arrive (template default, current value).
    pub preselect: Option<PickKey>,
}

pub enum Outcome {
    None,
    Picked(PickKey),
    Cancel,
}

impl Picker {
    pub fn new(title: impl Into<String>, purpose: Purpose, source: Source) -> Picker {
        Picker {
            title: title.into(),
            purpose,
            source,
            items: Vec::new(),
            query: String::new(),
            matches: Vec::new(),
            sel: 0,
            loading: true,
            error: None,
            preselect: None,
        }
    }

    pub fn with_items(mut self, items: Option<Vec<PickItem>>) -> Picker {
        if let Some(items) = items {
            self.set_items(items);
        }
        self
    }

    pub fn set_items(&mut self, items: Vec<PickItem>) {
        self.items = items;
        self.loading = false;
        self.rematch();
        if let Some(k) = self.preselect
            && let Some(pos) = self
                .matches
                .iter()
                .position(|&i| self.items[i as usize].key == k)
        {
            self.sel = pos;
        }
    }

    pub fn rematch(&mut self) {
        self.matches = fuzzy::rank(self.items.iter().map(|i| i.label.as_str()), &self.query);
        self.sel = 0;
    }

    pub fn selected(&self) -> Option<&PickItem> {
        self.items.get(*self.matches.get(self.sel)? as usize)
    }

    pub fn key(&mut self, key: Key) -> Outcome {
        let ctrl = key.mods.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => return Outcome::Cancel,
            KeyCode::Enter => {
                return match self.selected() {
                    Some(i) => Outcome::Picked(i.key),
                    None => Outcome::None,
                };
            }
            KeyCode::Up => self.move_by(-1),
            KeyCode::Down | KeyCode::Tab => self.move_by(1),
            KeyCode::BackTab => self.move_by(-1),
            KeyCode::PageUp => self.move_by(-10),
            KeyCode::PageDown => self.move_by(10),
            KeyCode::Char('p' | 'k') if ctrl => self.move_by(-1),
            KeyCode::Char('n' | 'j') if ctrl => self.move_by(1),
            KeyCode::Char('u') if ctrl => {
                self.query.clear();
                self.rematch();
            }
            KeyCode::Char('w') if ctrl => {
                let t = self.query.trim_end();
                let cut = t.rfind(' ').map(|i| i + 1).unwrap_or(0);
                self.query.truncate(cut);
                self.rematch();
            }
            KeyCode::Backspace => {
                self.query.pop();
                self.rematch();
            }
            KeyCode::Char(c) if !ctrl => {
                self.query.push(c);
                self.rematch();
            }
            _ => {}
        }
        Outcome::None
    }

    pub fn move_by(&mut self, d: isize) {
        let n = self.matches.len() as isize;
        if n == 0 {
            return;
        }
        self.sel = (self.sel as isize + d).clamp(0, n - 1) as usize;
    }
}
