//! State of the two editors: the new-ticket form and the note editor.

use chrono::{DateTime, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::{TextArea, WrapMode};

use super::picker::{Field, PickKey};
use bmsdesk_core::domain::workflow::NoteKind;
use bmsdesk_core::draft::TicketDraft;
use bmsdesk_core::model::Id;
use bmsdesk_core::store::drafts::NoteDraft;
use bmsdesk_core::text::html;

pub fn textarea(text: &str) -> TextArea<'static> {
    let lines: Vec<String> = if text.is_empty() {
        vec![String::new()]
    } else {
        text.lines().map(str::to_string).collect()
    };
    let mut t = TextArea::new(lines);
    t.set_wrap_mode(WrapMode::WordOrGlyph);
    t.set_cursor_line_style(ratatui::style::Style::default());
    t.move_cursor(ratatui_textarea::CursorMove::Bottom);
    t.move_cursor(ratatui_textarea::CursorMove::End);
    t
}

pub fn text_of(t: &TextArea<'_>) -> String {
    t.lines().join("\n")
}

/// Pasted text for a multi-line editor: terminals paste line breaks as `\r` (some as `\r\n`
/// or `\n`), and the text area only splits lines on `\n`, so each form becomes `\n`. Other
/// control characters (an escape sequence in the clipboard) are dropped; tabs stay.
pub fn pasted_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push('\n');
            }
            '\n' | '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Pasted text for a one-line field: its line breaks become spaces, then the line is
/// sanitized like any other.
pub fn pasted_line(s: &str) -> String {
    bmsdesk_core::text::sanitize_line(&pasted_text(s).replace(['\n', '\t'], " "))
}

/// A key that means "new line" in a multi-line editor. An unbracketed paste arrives as keys:
/// CR is `Enter`, but LF in raw mode is `Ctrl-J` (which the text area would take as "delete
/// to the start of the line", losing the pasted text); `Ctrl-M` is CR.
pub fn is_newline_key(ev: &KeyEvent) -> bool {
    let ctrl = ev.modifiers.contains(KeyModifiers::CONTROL);
    match ev.code {
        KeyCode::Enter => true,
        KeyCode::Char('\r' | '\n') => true,
        KeyCode::Char('j' | 'm') => ctrl,
        _ => false,
    }
}

/// A key into a multi-line editor: line breaks however they arrive (see [`is_newline_key`]),
/// everything else as the text area does it. True when the text changed.
pub fn multiline_input(t: &mut TextArea<'_>, ev: KeyEvent) -> bool {
    if is_newline_key(&ev) {
        t.insert_newline();
        return true;
    }
    t.input(ev)
}

/// A paste into a multi-line editor (see [`pasted_text`]).
pub fn multiline_paste(t: &mut TextArea<'_>, s: &str) -> bool {
    t.insert_str(pasted_text(s))
}

/// Which part of the form has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormFocus {
    Title,
    Details,
    Field(Field),
}

pub const FORM_ORDER: [FormFocus; 11] = [
    FormFocus::Title,
    FormFocus::Details,
    FormFocus::Field(Field::Account),
    FormFocus::Field(Field::Location),
    FormFocus::Field(Field::Contact),
    FormFocus::Field(Field::Status),
    FormFocus::Field(Field::Priority),
    FormFocus::Field(Field::Type),
    FormFocus::Field(Field::Source),
    FormFocus::Field(Field::Queue),
    FormFocus::Field(Field::Assignee),
];

pub struct NewTicket {
    pub template: Option<(Id, String)>,
    /// A template is being fetched.
    pub template_loading: Option<Id>,
    pub draft: TicketDraft,
    pub title: TextArea<'static>,
    pub details: TextArea<'static>,
    pub focus: FormFocus,
    /// The initial chain of pickers is over: the form is showing.
    pub form_open: bool,
    pub review: bool,
    /// Being created, or why the last try failed: one at a time.
    pub state: EditorState,
    /// Started by a call on a new ticket (`C`): the call timer binds to it once created.
    pub call: bool,
}

impl Default for NewTicket {
    fn default() -> Self {
        NewTicket::new()
    }
}

impl NewTicket {
    pub fn new() -> NewTicket {
        NewTicket {
            template: None,
            template_loading: None,
            draft: TicketDraft::default(),
            title: textarea(""),
            details: textarea(""),
            focus: FormFocus::Title,
            form_open: false,
            review: false,
            state: EditorState::Editing,
            call: false,
        }
    }

    /// Fills title and details from the draft (after a template is applied).
    pub fn load_text(&mut self) {
        self.title = textarea(self.draft.title.as_deref().unwrap_or(""));
        self.details = textarea(&html::to_text(self.draft.details.as_deref().unwrap_or("")));
    }

    /// The draft with the typed title and details (details as HTML).
    pub fn current(&self) -> TicketDraft {
        let mut d = self.draft.clone();
        let title = text_of(&self.title).trim().to_string();
        d.title = (!title.is_empty()).then_some(title);
        let details = text_of(&self.details);
        d.details = (!details.trim().is_empty()).then(|| html::from_text(details.trim_end()));
        d
    }

    pub fn missing(&self) -> Vec<&'static str> {
        self.current().missing()
    }

    pub fn value(&self, f: Field) -> Option<Id> {
        let d = &self.draft;
        match f {
            Field::Account => d.account_id,
            Field::Location => d.location_id,
            Field::Contact => d.contact_id,
            Field::Status => d.status_id,
            Field::Priority => d.priority_id,
            Field::Type => d.type_id,
            Field::Source => d.source_id,
            Field::Queue => d.queue_id,
            Field::Assignee => d.assignee_id,
            Field::Template => self.template.as_ref().map(|t| t.0),
            Field::QueueOrAssignee => d.queue_id.or(d.assignee_id),
        }
    }

    pub fn set(&mut self, f: Field, key: PickKey) {
        let id = match key {
            PickKey::Id(i) | PickKey::Queue(i) | PickKey::Assignee(i) => Some(i),
            _ => None,
        };
        let d = &mut self.draft;
        match (f, key) {
            (Field::Account, _) => {
                if d.account_id != id {
                    d.location_id = None;
                    d.contact_id = None;
                }
                d.account_id = id;
            }
            (Field::Location, _) => d.location_id = id,
            (Field::Contact, _) => d.contact_id = id,
            (Field::Status, _) => d.status_id = id,
            (Field::Priority, _) => d.priority_id = id,
            (Field::Type, _) => d.type_id = id,
            (Field::Source, _) => d.source_id = id,
            (Field::Queue, _) => d.queue_id = id,
            (Field::Assignee, _) => d.assignee_id = id,
            (Field::QueueOrAssignee, PickKey::Assignee(i)) => d.assignee_id = Some(i),
            (Field::QueueOrAssignee, PickKey::Queue(i)) => d.queue_id = Some(i),
            _ => {}
        }
    }

    /// The next chain step still to ask for, after account and location.
    pub fn next_missing(&self) -> Option<Field> {
        let d = &self.draft;
        if d.account_id.is_none() {
            return Some(Field::Account);
        }
        if d.location_id.is_none() {
            return Some(Field::Location);
        }
        if d.status_id.is_none() {
            return Some(Field::Status);
        }
        if d.priority_id.is_none() {
            return Some(Field::Priority);
        }
        if d.type_id.is_none() {
            return Some(Field::Type);
        }
        if d.source_id.is_none() {
            return Some(Field::Source);
        }
        if d.queue_id.is_none() && d.assignee_id.is_none() {
            return Some(Field::QueueOrAssignee);
        }
        None
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum NoteMode {
    Note,
    /// The required note of an assignment.
    Assign {
        ticket_ids: Vec<Id>,
        target: PickKey,
        target_label: String,
    },
    /// The note a status change needs (resolution, escalation reason), sent with the change
    /// as one write per ticket.
    Status {
        ticket_ids: Vec<Id>,
        status_id: Id,
        status_name: String,
        kind: NoteKind,
    },
}

/// What a required note is for, in words ("Completing needs a resolution note").
pub fn note_kind_text(kind: NoteKind) -> &'static str {
    match kind {
        NoteKind::Resolution => "Completing needs a resolution note",
        NoteKind::Escalation => "Escalating needs a note giving the reason",
    }
}

pub struct NoteEditor {
    pub ticket_id: Id,
    pub ticket_label: String,
    pub mode: NoteMode,
    pub text: TextArea<'static>,
    pub is_internal: bool,
    pub type_id: Option<i64>,
    pub template_id: Option<i64>,
    pub status_id: Option<Id>,
    /// Changed since the last draft save.
    pub dirty: bool,
    pub save_scheduled: bool,
    pub saved_at: Option<DateTime<Utc>>,
    /// Being sent, or what last went wrong (shown in the editor): one at a time.
    pub state: EditorState,
    pub notice: Option<String>,
}

/// A form's input (a note, a new ticket, a time entry) is being edited, sent (the request
/// it waits for: its answer closes the form), or was refused (why, shown until the next edit
/// or send). One value for what were a `sending` and an `error` flag, so "sending and
/// failed" cannot be represented.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum EditorState {
    #[default]
    Editing,
    Sending(u64),
    Error(String),
}

impl EditorState {
    /// The request the form waits for.
    pub fn sending(&self) -> Option<u64> {
        match self {
            EditorState::Sending(req) => Some(*req),
            _ => None,
        }
    }

    pub fn error(&self) -> Option<&str> {
        match self {
            EditorState::Error(e) => Some(e),
            _ => None,
        }
    }

    /// Something went wrong: said in the form (a send under way is not forgotten).
    pub fn fail(&mut self, msg: impl Into<String>) {
        if self.sending().is_none() {
            *self = EditorState::Error(msg.into());
        }
    }

    /// The problem shown is no longer news (the input changed, or it is sent again).
    pub fn clear_error(&mut self) {
        if self.error().is_some() {
            *self = EditorState::Editing;
        }
    }
}

impl NoteEditor {
    pub fn new(ticket_id: Id, ticket_label: String, mode: NoteMode) -> NoteEditor {
        NoteEditor {
            ticket_id,
            ticket_label,
            mode,
            text: textarea(""),
            is_internal: true,
            type_id: None,
            template_id: None,
            status_id: None,
            dirty: false,
            save_scheduled: false,
            saved_at: None,
            state: EditorState::Editing,
            notice: None,
        }
    }

    pub fn from_draft(d: &NoteDraft, ticket_label: String) -> NoteEditor {
        let mut e = NoteEditor::new(d.ticket_id, ticket_label, NoteMode::Note);
        e.text = textarea(&d.text);
        e.is_internal = d.is_internal;
        e.type_id = d.type_id;
        e.template_id = d.template_id;
        e.status_id = d.status_id;
        e.saved_at = Some(d.updated_at);
        e
    }

    pub fn text(&self) -> String {
        text_of(&self.text)
    }

    /// The request the editor waits for.
    pub fn sending(&self) -> Option<u64> {
        self.state.sending()
    }

    pub fn error(&self) -> Option<&str> {
        self.state.error()
    }

    /// Something went wrong: said in the editor (a send under way is not forgotten).
    pub fn fail(&mut self, msg: impl Into<String>) {
        self.state.fail(msg)
    }

    /// The problem shown is no longer news (the text changed, or it is sent again).
    pub fn clear_error(&mut self) {
        self.state.clear_error()
    }

    pub fn draft(&self, now: DateTime<Utc>) -> NoteDraft {
        NoteDraft {
            ticket_id: self.ticket_id,
            text: self.text(),
            is_internal: self.is_internal,
            type_id: self.type_id,
            template_id: self.template_id,
            status_id: self.status_id,
            note_id: None,
            updated_at: now,
        }
    }

    /// Drafts are kept for plain notes and a single ticket's status note; an assignment note
    /// (or one for several tickets) lives only in the editor.
    pub fn keeps_draft(&self) -> bool {
        match &self.mode {
            NoteMode::Note => true,
            NoteMode::Status { ticket_ids, .. } => ticket_ids.len() == 1,
            NoteMode::Assign { .. } => false,
        }
    }
}

/// Which part of the time-log form has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFocus {
    Template,
    WorkType,
    Role,
    Minutes,
    Notes,
}

pub const LOG_ORDER: [LogFocus; 5] = [
    LogFocus::Template,
    LogFocus::WorkType,
    LogFocus::Role,
    LogFocus::Minutes,
    LogFocus::Notes,
];

/// The time-log form offered when a timer stops.
pub struct TimeLogForm {
    pub ticket_id: Id,
    pub ticket_label: String,
    /// When the timer stopped: the entry ends here.
    pub end: DateTime<Utc>,
    /// Whole minutes to log (edited as text).
    pub minutes: String,
    pub template_id: Option<Id>,
    pub work_type_id: Option<Id>,
    pub role_id: Option<Id>,
    pub notes: TextArea<'static>,
    pub focus: LogFocus,
    /// Being sent, or why the last try failed: one at a time.
    pub state: EditorState,
    pub notice: Option<String>,
}

impl TimeLogForm {
    pub fn new(ticket_id: Id, ticket_label: String, end: DateTime<Utc>, minutes: i64) -> Self {
        TimeLogForm {
            ticket_id,
            ticket_label,
            end,
            minutes: minutes.to_string(),
            template_id: None,
            work_type_id: None,
            role_id: None,
            notes: textarea(""),
            focus: LogFocus::Notes,
            state: EditorState::Editing,
            notice: None,
        }
    }

    pub fn minutes(&self) -> Option<i64> {
        self.minutes.trim().parse().ok().filter(|m| *m > 0)
    }
}
