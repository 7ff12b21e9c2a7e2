//! Fuzzy picker state: a list of items, a query, matches ranked by nucleo, a selection.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crossterm::event::{KeyCode, KeyModifiers};

use super::forms::LogFocus;
use super::fuzzy;
use super::keymap::Key;
use bmsdesk_core::lookups::LookupKind;
use bmsdesk_core::model::Id;

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
    /// "(no contact)", then the account's contacts.
    Contacts(Id),
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
    /// The caller; optional, so never a chain step.
    Contact,
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
            Field::Contact => "Contact",
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
    /// The outbox overlay: `Id(item)` retries, `Id(-item)` drops.
    Outbox,
    /// A field of the time-log form (template, work type, role).
    TimeLog(LogFocus),
}

/// The words of a label, lower-cased, for command matching.
fn label_words(label: &str) -> Vec<String> {
    label
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric() && c != '$')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Whether each of `words` starts some word of `label` (ignoring case).
fn starts_words(label: &str, words: &[&str]) -> bool {
    let label_words = label_words(label);
    words.iter().all(|w| {
        let w = w.to_lowercase();
        label_words.iter().any(|lw| lw.starts_with(&w))
    })
}

/// Index of the first word of `label` that `word` starts (`usize::MAX` if none).
fn first_word_at(label: &str, word: &str) -> usize {
    let word = word.to_lowercase();
    label_words(label)
        .iter()
        .position(|lw| lw.starts_with(&word))
        .unwrap_or(usize::MAX)
}

/// Byte offsets where each word of `s` ends, in order (none for a blank string).
fn word_ends(s: &str) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut in_word = false;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() {
            if in_word {
                ends.push(i);
            }
            in_word = false;
        } else {
            in_word = true;
        }
    }
    if in_word {
        ends.push(s.len());
    }
    ends
}

/// Pickers with at least this many items rank on a blocking thread: at 100k items a
/// ranking takes 10-20 ms, too long for the key path.
pub const BACKGROUND_FROM: usize = 20_000;

/// Ranking generations, unique across pickers (a late answer for a closed picker must not
/// land in the next one).
static RANK_GEN: AtomicU64 = AtomicU64::new(0);

/// A ranking for a large picker, run off the key path ([`RankJob::run`]); the answer goes
/// back through [`Picker::ranked`].
pub struct RankJob {
    pub rank_gen: u64,
    query: String,
    labels: Arc<Vec<String>>,
    candidates: Vec<u32>,
}

impl RankJob {
    pub fn run(&self) -> Vec<u32> {
        let p = fuzzy::pattern(&self.query);
        let labels: Vec<&str> = self.labels.iter().map(String::as_str).collect();
        fuzzy::rank_among(&labels, &self.candidates, &p)
    }
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
    /// Waiting for its items (or for what a pick asked for), ready, or failed to get that.
    pub state: PickerState,
    /// Item to put the cursor on when items arrive (template default, current value).
    pub preselect: Option<PickKey>,
    /// The query `matches` were ranked for (over the current items): typing on narrows
    /// from those matches instead of scoring every item again.
    ranked_for: String,
    /// The latest ranking asked for.
    rank_gen: u64,
    /// Large pickers only: their background ranking.
    bg: Option<Box<Background>>,
    /// Palette: the bytes of the query that name the command (the rest is its argument).
    command_len: usize,
}

/// The background ranking of a large picker: the labels shared with the jobs, the ranking
/// in flight (generation, query), whether another must follow it, the job to send.
#[derive(Debug, Clone)]
struct Background {
    labels: Arc<Vec<String>>,
    in_flight: Option<(u64, String)>,
    again: bool,
    job: Option<Arc<RankJob>>,
}

impl std::fmt::Debug for RankJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RankJob({}, {:?})", self.rank_gen, self.query)
    }
}

/// Whether a picker can be picked from: one flag for what were `loading` and `error`, which
/// never held together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickerState {
    Loading,
    Ready,
    /// What a pick asked for could not be had (the items stay: pick another).
    Failed(String),
}

/// What a key did to an open picker: nothing to act on, an item picked, or closed. (Not
/// `actions::Outcome`, what became of a write.)
pub enum Reaction {
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
            state: PickerState::Loading,
            preselect: None,
            ranked_for: String::new(),
            rank_gen: 0,
            bg: None,
            command_len: 0,
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
        self.ranked_for.clear();
        // A ranking of the old items must not land on the new ones.
        self.bg = (self.items.len() >= BACKGROUND_FROM).then(|| {
            Box::new(Background {
                labels: Arc::new(self.items.iter().map(|i| i.label.clone()).collect()),
                in_flight: None,
                again: false,
                job: None,
            })
        });
        self.state = PickerState::Ready;
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

    /// The palette's argument: the words after the longest start of the query that still
    /// names a command ("set prio" is all command; "status resolved" is the command "status"
    /// and the argument "resolved"), handed to the picker or filter the command opens.
    pub fn argument(&self) -> Option<&str> {
        if self.purpose != Purpose::Palette {
            return None;
        }
        let rest = self.query.get(self.command_len..)?.trim();
        (!rest.is_empty()).then_some(rest)
    }

    /// Palette: the whole query matches commands fuzzily, as in any picker. When nothing
    /// matches, the command is the longest run of leading words that each start a word of a
    /// command's label, and the rest is its argument ("status in prog" → "set status" with
    /// "in prog"); labels where that first word comes earliest rank first ("filter" is
    /// "fuzzy filter the list" before "back / clear filter").
    fn rematch_command(&mut self) {
        let labels: Vec<&str> = self.items.iter().map(|i| i.label.as_str()).collect();
        let all: Vec<u32> = (0..labels.len() as u32).collect();
        self.sel = 0;
        self.command_len = self.query.len();
        self.matches = fuzzy::rank_among(&labels, &all, &fuzzy::pattern(&self.query));
        if !self.matches.is_empty() {
            return;
        }
        let words: Vec<&str> = self.query.split_whitespace().collect();
        let ends = word_ends(&self.query);
        for k in (1..words.len()).rev() {
            let found: Vec<u32> = all
                .iter()
                .copied()
                .filter(|&i| starts_words(labels[i as usize], &words[..k]))
                .collect();
            if !found.is_empty() {
                let command = fuzzy::pattern(&self.query[..ends[k - 1]]);
                let mut ranked = fuzzy::rank_among(&labels, &found, &command);
                ranked.sort_by_key(|&i| first_word_at(labels[i as usize], words[0]));
                self.matches = ranked;
                self.command_len = ends[k - 1];
                return;
            }
        }
    }

    /// Starts with `query` typed (the palette's argument).
    pub fn set_query(&mut self, query: &str) {
        self.query = query.to_string();
        self.rematch();
    }

    pub fn rematch(&mut self) {
        if self.purpose == Purpose::Palette {
            return self.rematch_command();
        }
        let query = self.query.clone();
        let p = fuzzy::pattern(&query);
        if fuzzy::is_empty(&p) {
            self.matches = (0..self.items.len() as u32).collect();
            self.ranked_for.clear();
            self.rank_gen = RANK_GEN.fetch_add(1, Ordering::Relaxed) + 1;
            if let Some(bg) = self.bg.as_mut() {
                bg.again = false;
            }
        } else if let Some(bg) = self.bg.as_mut() {
            // Large: rank in the background; the old matches stay on screen meanwhile.
            self.rank_gen = RANK_GEN.fetch_add(1, Ordering::Relaxed) + 1;
            if bg.in_flight.is_some() {
                bg.again = true;
            } else {
                self.issue();
            }
        } else {
            let labels: Vec<&str> = self.items.iter().map(|i| i.label.as_str()).collect();
            let narrowed = fuzzy::narrows(&self.ranked_for, &query);
            let all: Vec<u32>;
            let candidates = if narrowed {
                &self.matches
            } else {
                all = (0..labels.len() as u32).collect();
                &all
            };
            self.matches = fuzzy::rank_among(&labels, candidates, &p);
            self.ranked_for = query;
        }
        self.sel = 0;
    }

    fn issue(&mut self) {
        let narrowed = fuzzy::narrows(&self.ranked_for, &self.query);
        let Some(bg) = self.bg.as_mut() else {
            return;
        };
        let candidates = if narrowed {
            self.matches.clone()
        } else {
            (0..bg.labels.len() as u32).collect()
        };
        bg.in_flight = Some((self.rank_gen, self.query.clone()));
        bg.job = Some(Arc::new(RankJob {
            rank_gen: self.rank_gen,
            query: self.query.clone(),
            labels: bg.labels.clone(),
            candidates,
        }));
    }

    /// The ranking to run off the key path, if one is due.
    pub fn take_job(&mut self) -> Option<Arc<RankJob>> {
        self.bg.as_mut()?.job.take()
    }

    /// A ranking is running or due: the matches shown are for an earlier query.
    pub fn ranking(&self) -> bool {
        self.bg
            .as_ref()
            .is_some_and(|bg| bg.in_flight.is_some() || bg.job.is_some())
    }

    /// Whether this picker waits for ranking `rank_gen`.
    pub fn awaits(&self, rank_gen: u64) -> bool {
        self.bg
            .as_ref()
            .and_then(|bg| bg.in_flight.as_ref())
            .is_some_and(|(g, _)| *g == rank_gen)
    }

    /// A background ranking finished. Returns whether it was this picker's.
    pub fn ranked(&mut self, rank_gen: u64, matches: Vec<u32>) -> bool {
        if !self.awaits(rank_gen) {
            return false;
        }
        let bg = self.bg.as_mut().expect("awaits");
        let (_, query) = bg.in_flight.take().expect("in flight");
        let again = std::mem::take(&mut bg.again);
        if rank_gen == self.rank_gen {
            self.matches = matches;
            self.ranked_for = query;
            self.sel = 0;
        } else {
            if fuzzy::narrows(&query, &self.query) {
                // Typed on meanwhile: show these (a superset) and narrow from them.
                self.matches = matches;
                self.ranked_for = query;
                self.sel = 0;
            }
            if again {
                self.issue();
            }
        }
        true
    }

    pub fn loading(&self) -> bool {
        self.state == PickerState::Loading
    }

    pub fn error(&self) -> Option<&str> {
        match &self.state {
            PickerState::Failed(e) => Some(e),
            _ => None,
        }
    }

    pub fn selected(&self) -> Option<&PickItem> {
        self.items.get(*self.matches.get(self.sel)? as usize)
    }

    pub fn key(&mut self, key: Key) -> Reaction {
        let ctrl = key.mods.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => return Reaction::Cancel,
            KeyCode::Enter => {
                return match self.selected() {
                    Some(i) => Reaction::Picked(i.key),
                    None => Reaction::None,
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
        Reaction::None
    }

    pub fn move_by(&mut self, d: isize) {
        let n = self.matches.len() as isize;
        if n == 0 {
            return;
        }
        self.sel = (self.sel as isize + d).clamp(0, n - 1) as usize;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn palette() -> Picker {
        let items = [
            "set status",
            "set priority",
            "assign",
            "filter the list",
            "view: Open",
        ]
        .iter()
        .enumerate()
        .map(|(i, l)| PickItem::new(PickKey::Command(i), *l))
        .collect();
        Picker::new("Command", Purpose::Palette, Source::Static).with_items(Some(items))
    }

    fn label(p: &Picker) -> &str {
        &p.selected().expect("a match").label
    }

    #[test]
    fn the_palette_takes_the_longest_command_and_leaves_the_rest_as_argument() {
        let mut p = palette();
        p.set_query("set prio");
        assert_eq!((label(&p), p.argument()), ("set priority", None));
        p.set_query("status resolved");
        assert_eq!((label(&p), p.argument()), ("set status", Some("resolved")));
        p.set_query("  assign  Bob Jones ");
        assert_eq!((label(&p), p.argument()), ("assign", Some("Bob Jones")));
        p.set_query("filter printer on 2nd");
        assert_eq!(
            (label(&p), p.argument()),
            ("filter the list", Some("printer on 2nd"))
        );
        p.set_query("");
        assert_eq!((p.matches.len(), p.argument()), (5, None));
        p.set_query("zzz qqq");
        assert!(p.matches.is_empty() && p.selected().is_none());
        // Fuzzy over the whole query first, as in any picker: no argument.
        p.set_query("stpr");
        assert_eq!((label(&p), p.argument()), ("set priority", None));
        // The plain command before labels that only mention the word.
        p.items.push(PickItem::new(
            PickKey::Command(9),
            "escalate (escalation status)",
        ));
        p.set_query("status in prog");
        assert_eq!((label(&p), p.argument()), ("set status", Some("in prog")));
        // Other pickers have no argument: the whole query filters.
        let mut other = Picker::new("Status", Purpose::SetStatus(vec![1]), Source::Static)
            .with_items(Some(vec![PickItem::new(PickKey::Id(1), "In Progress")]));
        other.set_query("in prog");
        assert_eq!((other.matches.len(), other.argument()), (1, None));
    }

    fn big() -> Picker {
        let items = (0..BACKGROUND_FROM as i64)
            .map(|i| PickItem::new(PickKey::Id(i), format!("account {i} printer")))
            .collect();
        Picker::new("Account", Purpose::NoteTemplate, Source::Static).with_items(Some(items))
    }

    fn typed(p: &mut Picker, c: char) {
        p.query.push(c);
        p.rematch();
    }

    #[test]
    fn small_pickers_rank_inline() {
        let items = vec![
            PickItem::new(PickKey::Id(1), "Contoso"),
            PickItem::new(PickKey::Id(2), "Acme"),
        ];
        let mut p = Picker::new("A", Purpose::NoteTemplate, Source::Static).with_items(Some(items));
        typed(&mut p, 'a');
        assert!(p.take_job().is_none() && !p.ranking());
        assert_eq!(p.selected().unwrap().label, "Acme");
    }

    #[test]
    fn large_pickers_rank_off_the_key_path() {
        let mut p = big();
        assert_eq!(p.matches.len(), BACKGROUND_FROM);
        typed(&mut p, '7');
        assert!(p.ranking());
        assert_eq!(
            p.matches.len(),
            BACKGROUND_FROM,
            "old matches shown meanwhile"
        );
        let j1 = p.take_job().expect("a job");
        // Typed on while it runs: no second job until the first answers.
        typed(&mut p, '7');
        assert!(p.take_job().is_none());
        let m1 = j1.run();
        assert!(p.ranked(j1.rank_gen, m1.clone()));
        assert_eq!(p.matches, m1, "a superset of \"77\" is shown");
        let j2 = p.take_job().expect("the newer query follows");
        assert!(
            j2.candidates.len() == m1.len(),
            "narrowed from the first answer"
        );
        let m2 = j2.run();
        assert!(p.ranked(j2.rank_gen, m2.clone()));
        assert!(!p.ranking());
        assert_eq!(p.matches, m2);
        assert!(p.matches.len() < m1.len());
        let labels: Vec<&str> = p.items.iter().map(|i| i.label.as_str()).collect();
        assert_eq!(p.matches, fuzzy::rank(labels.into_iter(), "77"));
    }

    #[test]
    fn a_late_ranking_does_not_land_on_new_items_or_an_empty_query() {
        let mut p = big();
        typed(&mut p, '7');
        let j = p.take_job().unwrap();
        p.query.clear();
        p.rematch();
        assert!(p.ranked(j.rank_gen, j.run()));
        assert_eq!(
            p.matches.len(),
            BACKGROUND_FROM,
            "cleared query: everything"
        );
        typed(&mut p, '9');
        let j = p.take_job().unwrap();
        p.set_items(vec![PickItem::new(PickKey::Id(1), "x")]);
        assert!(!p.awaits(j.rank_gen));
        assert!(!p.ranked(j.rank_gen, j.run()));
    }
}
