//! Key bindings as data: every action is declared once, in one table (`actions!`), with its
//! config name, a description and default keys; `[tui.keys]` remaps them (`status = "S"` or `status = ["S", "ctrl-s"]`).

use std::collections::HashMap;
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A key as the keymap sees it: shift is folded into the character for printable keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub const fn new(code: KeyCode, mods: KeyModifiers) -> Key {
        Key { code, mods }
    }
    pub const fn ch(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            mods: KeyModifiers::NONE,
        }
    }
    pub const fn code(code: KeyCode) -> Key {
        Key {
            code,
            mods: KeyModifiers::NONE,
        }
    }
    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            mods: KeyModifiers::CONTROL,
        }
    }

    pub fn from_event(ev: &KeyEvent) -> Key {
        let mut mods =
            ev.modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match ev.code {
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                if mods.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        Key { code, mods }
    }

    /// Parses "j", "G", "ctrl-s", "C-s", "alt+x", "enter", "space", "f5", "shift-tab", "?".
    pub fn parse(s: &str) -> Option<Key> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        if s.chars().count() == 1 {
            let c = s.chars().next()?;
            return Some(Key::ch(c));
        }
        let mut mods = KeyModifiers::NONE;
        let mut rest = s;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (m, len) = if lower.starts_with("ctrl-") || lower.starts_with("ctrl+") {
                (KeyModifiers::CONTROL, 5)
            } else if lower.starts_with("c-") && rest.len() > 2 {
                (KeyModifiers::CONTROL, 2)
            } else if lower.starts_with("alt-") || lower.starts_with("alt+") {
                (KeyModifiers::ALT, 4)
            } else if lower.starts_with("m-") && rest.len() > 2 {
                (KeyModifiers::ALT, 2)
            } else if lower.starts_with("shift-") || lower.starts_with("shift+") {
                (KeyModifiers::SHIFT, 6)
            } else {
                break;
            };
            mods |= m;
            rest = &rest[len..];
        }
        let code = if rest.chars().count() == 1 {
            let c = rest.chars().next()?;
            if mods.contains(KeyModifiers::SHIFT) {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::Char(c.to_ascii_uppercase())
            } else if mods.contains(KeyModifiers::CONTROL) {
                KeyCode::Char(c.to_ascii_lowercase())
            } else {
                KeyCode::Char(c)
            }
        } else {
            match rest.to_ascii_lowercase().as_str() {
                "enter" | "return" | "cr" => KeyCode::Enter,
                "esc" | "escape" => KeyCode::Esc,
                "tab" if mods.contains(KeyModifiers::SHIFT) => {
                    mods.remove(KeyModifiers::SHIFT);
                    KeyCode::BackTab
                }
                "tab" => KeyCode::Tab,
                "backtab" => KeyCode::BackTab,
                "space" | "spc" => KeyCode::Char(' '),
                "backspace" | "bs" => KeyCode::Backspace,
                "delete" | "del" => KeyCode::Delete,
                "insert" | "ins" => KeyCode::Insert,
                "up" => KeyCode::Up,
                "down" => KeyCode::Down,
                "left" => KeyCode::Left,
                "right" => KeyCode::Right,
                "home" => KeyCode::Home,
                "end" => KeyCode::End,
                "pageup" | "pgup" => KeyCode::PageUp,
                "pagedown" | "pgdn" => KeyCode::PageDown,
                f if f.starts_with('f') && f.len() <= 3 => KeyCode::F(f[1..].parse().ok()?),
                _ => return None,
            }
        };
        Some(Key { code, mods })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("enter"),
            KeyCode::Esc => f.write_str("esc"),
            KeyCode::Tab => f.write_str("tab"),
            KeyCode::BackTab => f.write_str("shift-tab"),
            KeyCode::Backspace => f.write_str("backspace"),
            KeyCode::Delete => f.write_str("del"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::Home => f.write_str("home"),
            KeyCode::End => f.write_str("end"),
            KeyCode::PageUp => f.write_str("pgup"),
            KeyCode::PageDown => f.write_str("pgdn"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// Declares [`Action`] from one table: each action's variant, config name (`[tui.keys]`,
/// `:name`), help text and default keys, in the order the palette and the help list them;
/// the saved views (`View(1)`..`View(9)`: `view_N`, keys `1`-`9`) come where `@views` stands.
macro_rules! actions {
    (
        $( $v:ident : $name:literal, $help:literal, [$($k:expr),* $(,)?]; )*
        @views
        $( $w:ident : $wname:literal, $whelp:literal, [$($wk:expr),* $(,)?]; )*
    ) => {
        /// Everything the list/detail screen can do; each is also a palette command.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $($v,)*
            $($w,)*
            /// Saved view `n` (1-9).
            View(u8),
        }

        impl Action {
            pub const ALL: &'static [Action] = &[
                $(Action::$v,)*
                Action::View(1),
                Action::View(2),
                Action::View(3),
                Action::View(4),
                Action::View(5),
                Action::View(6),
                Action::View(7),
                Action::View(8),
                Action::View(9),
                $(Action::$w,)*
            ];

            /// Name, help text and default keys (`None` for a saved view).
            fn def(self) -> Option<(&'static str, &'static str, &'static [Key])> {
                match self {
                    $(Action::$v => {
                        const KEYS: &[Key] = &[$($k),*];
                        Some(($name, $help, KEYS))
                    })*
                    $(Action::$w => {
                        const KEYS: &[Key] = &[$($wk),*];
                        Some(($wname, $whelp, KEYS))
                    })*
                    Action::View(_) => None,
                }
            }
        }
    };
}

actions! {
    Up: "up", "move up", [Key::ch('k'), Key::code(KeyCode::Up)];
    Down: "down", "move down", [Key::ch('j'), Key::code(KeyCode::Down)];
    PageUp: "page_up", "page up", [Key::code(KeyCode::PageUp), Key::ctrl('u')];
    PageDown: "page_down", "page down", [Key::code(KeyCode::PageDown), Key::ctrl('d')];
    Top: "top", "go to top", [Key::ch('g'), Key::code(KeyCode::Home)];
    Bottom: "bottom", "go to bottom", [Key::ch('G'), Key::code(KeyCode::End)];
    Open: "open", "open ticket", [Key::code(KeyCode::Enter)];
    SwitchPane: "switch_pane", "switch pane", [Key::code(KeyCode::Tab)];
    Back: "back", "back / clear filter", [Key::code(KeyCode::Esc)];
    Filter: "filter", "fuzzy filter the list", [Key::ch('/')];
    Palette: "palette", "command palette", [Key::ch(':')];
    Help: "help", "help", [Key::ch('?')];
    NewTicket: "new_ticket", "new ticket (template → account → location → fields)", [Key::ch('n')];
    AddNote: "add_note", "add a note", [Key::ch('a')];
    EditorNote: "editor_note", "write a note in $EDITOR", [Key::ch('E')];
    SetStatus: "status", "set status", [Key::ch('s')];
    SetPriority: "priority", "set priority", [Key::ch('p')];
    Assign: "assign", "assign (with note)", [Key::ch('A')];
    Delete: "delete", "delete ticket", [Key::code(KeyCode::Delete)];
    Refresh: "refresh", "refresh", [Key::ch('r'), Key::code(KeyCode::F(5))];
    Mark: "mark", "mark / unmark", [Key::ch(' ')];
    SortNext: "sort_next", "sort by next column", [Key::ch('o')];
    SortReverse: "sort_reverse", "reverse sort", [Key::ch('O')];
    Drafts: "drafts", "unsent note drafts", [Key::ch('d')];
    Outbox: "outbox", "outbox: writes not delivered yet (retry, drop)", [Key::ch('W')];
    Dashboard: "dashboard", "dashboard: SLA, status, priority, load", [Key::ch('D')];
    Escalate: "escalate", "escalate (reason note, escalation status)", [Key::ch('e')];
    Timer: "timer", "start / stop the timer on the ticket (then log time)", [Key::ch('T')];
    Call: "call", "call: note + timer on the ticket; again to end and log", [Key::ch('c')];
    CallNewTicket: "call_new_ticket", "call on a new ticket (account → ticket + timer)", [Key::ch('C')];
    @views
    Quit: "quit", "quit", [Key::ch('q'), Key::ctrl('c')];
}

impl Action {
    pub fn name(self) -> String {
        match (self, self.def()) {
            (Action::View(n), _) => format!("view_{n}"),
            (_, Some((name, _, _))) => name.to_string(),
            (_, None) => String::new(),
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        let s = s.trim().to_ascii_lowercase().replace('-', "_");
        if let Some(n) = s.strip_prefix("view_") {
            let n: u8 = n.parse().ok()?;
            return (1..=9).contains(&n).then_some(Action::View(n));
        }
        Action::ALL.iter().copied().find(|a| a.name() == s)
    }

    pub fn describe(self) -> String {
        match (self, self.def()) {
            (Action::View(n), _) => format!("saved view {n}"),
            (_, Some((_, help, _))) => help.to_string(),
            (_, None) => String::new(),
        }
    }

    fn default_keys(self) -> Vec<Key> {
        match (self, self.def()) {
            (Action::View(n), _) => vec![Key::ch((b'0' + n) as char)],
            (_, Some((_, _, keys))) => keys.to_vec(),
            (_, None) => Vec::new(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Keymap {
    by_key: HashMap<Key, Action>,
    keys: HashMap<Action, Vec<Key>>,
}

impl Default for Keymap {
    fn default() -> Self {
        Keymap::with_overrides(&[]).0
    }
}

impl Keymap {
    /// Defaults, then each override replaces the keys of its action (and takes the key away
    /// from any other action). Returns warnings for what could not be parsed.
    pub fn with_overrides(overrides: &[(String, Vec<String>)]) -> (Keymap, Vec<String>) {
        let mut keys: HashMap<Action, Vec<Key>> =
            Action::ALL.iter().map(|a| (*a, a.default_keys())).collect();
        let mut warnings = Vec::new();
        for (name, specs) in overrides {
            let Some(action) = Action::parse(name) else {
                warnings.push(format!("[tui.keys]: unknown action {name:?}"));
                continue;
            };
            let mut parsed = Vec::new();
            for spec in specs {
                match Key::parse(spec) {
                    Some(k) => parsed.push(k),
                    None => warnings.push(format!("[tui.keys] {name}: cannot read key {spec:?}")),
                }
            }
            if parsed.is_empty() {
                continue;
            }
            for (other, ks) in keys.iter_mut() {
                if *other != action {
                    ks.retain(|k| !parsed.contains(k));
                }
            }
            keys.insert(action, parsed);
        }
        let mut by_key = HashMap::new();
        for a in Action::ALL {
            for k in &keys[a] {
                by_key.entry(*k).or_insert(*a);
            }
        }
        (Keymap { by_key, keys }, warnings)
    }

    pub fn action(&self, key: &Key) -> Option<Action> {
        self.by_key.get(key).copied()
    }

    pub fn keys(&self, action: Action) -> &[Key] {
        self.keys.get(&action).map(Vec::as_slice).unwrap_or(&[])
    }

    /// "s" or "D/del": what help and the palette show.
    pub fn label(&self, action: Action) -> String {
        self.keys(action)
            .iter()
            .map(|k| k.to_string())
            .collect::<Vec<_>>()
            .join("/")
    }

    /// First key of an action, for hints in the status bar.
    pub fn hint(&self, action: Action) -> String {
        self.keys(action)
            .first()
            .map(|k| k.to_string())
            .unwrap_or_else(|| format!(":{}", action.name()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_display_keys() {
        assert_eq!(Key::parse("ctrl-s"), Some(Key::ctrl('s')));
        assert_eq!(Key::parse("C-S"), Some(Key::ctrl('s')));
        assert_eq!(Key::parse("G"), Some(Key::ch('G')));
        assert_eq!(Key::parse("shift-g"), Some(Key::ch('G')));
        assert_eq!(Key::parse("space"), Some(Key::ch(' ')));
        assert_eq!(Key::parse("f5"), Some(Key::code(KeyCode::F(5))));
        assert_eq!(Key::parse("shift-tab"), Some(Key::code(KeyCode::BackTab)));
        assert_eq!(Key::parse("nonsense"), None);
        assert_eq!(Key::ctrl('s').to_string(), "ctrl-s");
    }

    #[test]
    fn shift_folds_into_char() {
        let ev = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(Key::from_event(&ev), Key::ch('G'));
    }

    #[test]
    fn remap_moves_key_between_actions() {
        let (km, warn) = Keymap::with_overrides(&[
            ("status".into(), vec!["S".into()]),
            ("refresh".into(), vec!["s".into()]),
            ("bogus".into(), vec!["x".into()]),
        ]);
        assert_eq!(km.action(&Key::ch('S')), Some(Action::SetStatus));
        assert_eq!(km.action(&Key::ch('s')), Some(Action::Refresh));
        assert_eq!(km.action(&Key::ch('r')), None);
        assert_eq!(km.label(Action::SetStatus), "S");
        assert_eq!(warn.len(), 1);
    }

    #[test]
    fn default_keys_are_unique_and_every_action_is_named() {
        let mut seen = HashMap::new();
        for &a in Action::ALL {
            assert_eq!(Action::parse(&a.name()), Some(a));
            for k in a.default_keys() {
                if let Some(other) = seen.insert(k, a) {
                    panic!("{k} is bound to both {other:?} and {a:?}");
                }
            }
        }
        let km = Keymap::default();
        assert_eq!(km.action(&Key::ch('D')), Some(Action::Dashboard));
        assert_eq!(km.action(&Key::ch('e')), Some(Action::Escalate));
        assert_eq!(km.action(&Key::ch('T')), Some(Action::Timer));
        assert_eq!(km.action(&Key::ch('c')), Some(Action::Call));
        assert_eq!(km.action(&Key::code(KeyCode::Delete)), Some(Action::Delete));
    }
}
