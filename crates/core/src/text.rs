//! Untrusted text made safe for a terminal: the one sanitizer for every string that came from
//! a server (or from a file another program could have written) before the CLI or the TUI
//! shows it.
//!
//! Anyone who can email the service desk controls ticket text, and a hostile or broken server
//! controls every name and error message. What this module returns holds no C0 control (but
//! `\n` in multi-line text), no DEL, no C1 control, no escape sequence (with its parameters),
//! and no format character (Unicode general category Cf: bidi overrides and isolates, zero-width
//! spaces and joiners, BOM, soft hyphen, tags). So nothing can move the cursor, retitle the
//! window, rewrite the clipboard (OSC 52), make text read differently than it is, or take up no
//! column and shift a table's borders.
//!
//! Also [`thousands`]: the one way the CLI and the TUI write a count for people.

pub mod html;

use crate::name::{Name, intern};

/// Unicode general category Cf (format characters), Unicode 15.1. They are invisible or change
/// how the text around them is laid out: bidi controls, zero-width space/joiners, BOM, tags.
fn is_format(c: char) -> bool {
    matches!(c as u32,
        0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x890..=0x891 | 0x8e2 | 0x180e
        | 0x200b..=0x200f | 0x202a..=0x202e | 0x2060..=0x2064 | 0x2066..=0x206f | 0xfeff
        | 0xfff9..=0xfffb | 0x110bd | 0x110cd | 0x13430..=0x1343f | 0x1bca0..=0x1bca3
        | 0x1d173..=0x1d17a | 0xe0001 | 0xe0020..=0xe007f)
}

/// Characters that must never reach a terminal as they are: C0 and C1 controls, DEL, format
/// characters, and the Unicode line/paragraph separators (which some terminals and most JSON
/// readers treat as line breaks).
pub fn is_forbidden(c: char) -> bool {
    c.is_control() || is_format(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Keep `\n`; tabs become spaces up to the next 4-column stop.
    Multiline,
    /// Everything becomes one line: `\n` and `\t` become spaces.
    Line,
}

const TAB_WIDTH: usize = 4;

/// One line of untrusted text (a title, an account or person name, an error message) safe to
/// print: escape sequences and forbidden characters removed, line breaks and tabs turned into
/// spaces, runs of whitespace collapsed, ends trimmed.
pub fn sanitize_line(s: &str) -> String {
    let stripped = strip_controls(s, Mode::Line);
    let mut out = String::with_capacity(stripped.len());
    for word in stripped.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Several lines of untrusted text: `\n` kept (`\r\n` folded, a lone `\r` dropped), tabs
/// expanded to 4-column stops, escape sequences and every other forbidden character removed.
pub fn sanitize_text(s: &str) -> String {
    strip_controls(s, Mode::Multiline)
}

/// Whether `s` is already what [`sanitize_line`] makes of it, so it can be kept as is (and
/// a shared name stays shared). Exact: plain ASCII is checked in place, anything else by
/// sanitizing a copy.
pub fn is_clean_line(s: &str) -> bool {
    if s.is_ascii() {
        let b = s.as_bytes();
        b.iter().all(|c| (0x20..0x7f).contains(c))
            && b.first() != Some(&b' ')
            && b.last() != Some(&b' ')
            && !s.contains("  ")
    } else {
        sanitize_line(s) == s
    }
}

/// Sanitizes `s` in place, without a new allocation when it is clean already (most are).
pub fn sanitize_in_place(s: &mut String) {
    if !is_clean_line(s) {
        *s = sanitize_line(s);
    }
}

pub fn sanitize_opt(s: &mut Option<String>) {
    if let Some(v) = s.as_mut() {
        sanitize_in_place(v);
    }
}

/// A shared name made safe to draw. A clean one keeps its shared copy; a cleaned one is shared
/// again ([`intern`]), so 100k rows naming one account still hold one string.
pub fn sanitize_name(s: &mut Option<Name>) {
    if let Some(v) = s.as_mut()
        && !is_clean_line(v)
    {
        *v = intern(&sanitize_line(v));
    }
}

/// Removes terminal escape sequences (with their parameters) and every forbidden character.
fn strip_controls(s: &str, mode: Mode) -> String {
    let mut out = String::with_capacity(s.len());
    let mut col = 0usize;
    let mut it = s.chars().peekable();
    let newline = |out: &mut String, col: &mut usize| {
        if mode == Mode::Multiline {
            out.push('\n');
            *col = 0;
        } else {
            out.push(' ');
            *col += 1;
        }
    };
    while let Some(c) = it.next() {
        match c {
            '\n' | '\u{85}' | '\u{2028}' | '\u{2029}' => newline(&mut out, &mut col),
            '\t' => {
                let n = if mode == Mode::Multiline {
                    TAB_WIDTH - col % TAB_WIDTH
                } else {
                    1
                };
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
            }
            '\u{a0}' => {
                out.push(' ');
                col += 1;
            }
            '\x1b' => match it.peek().copied() {
                Some('[') => {
                    it.next();
                    skip_csi(&mut it);
                }
                Some(']' | 'P' | 'X' | '^' | '_') => {
                    it.next();
                    skip_string(&mut it);
                }
                Some(' '..='/') => {
                    // ESC, intermediates, one final byte (charset designations and the like).
                    while matches!(it.peek(), Some(' '..='/')) {
                        it.next();
                    }
                    if matches!(it.peek(), Some('0'..='~')) {
                        it.next();
                    }
                }
                Some('0'..='~') => {
                    it.next();
                }
                _ => {}
            },
            '\u{9b}' => skip_csi(&mut it),
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut it),
            c if is_forbidden(c) => {}
            c => {
                out.push(c);
                col += 1;
            }
        }
    }
    out
}

/// After `ESC [` (or CSI): parameter and intermediate bytes, then one final byte.
fn skip_csi(it: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while matches!(it.peek(), Some(' '..='?')) {
        it.next();
    }
    if matches!(it.peek(), Some('@'..='~')) {
        it.next();
    }
}

/// After an OSC/DCS/SOS/PM/APC introducer: everything up to BEL, ST (`ESC \` or U+009C).
/// An unterminated string ends at the line break, so one stray introducer cannot swallow the
/// rest of a ticket.
fn skip_string(it: &mut std::iter::Peekable<std::str::Chars<'_>>) {
    while let Some(&c) = it.peek() {
        match c {
            '\x07' | '\u{9c}' => {
                it.next();
                return;
            }
            '\x1b' => {
                it.next();
                if it.peek() == Some(&'\\') {
                    it.next();
                }
                return;
            }
            '\n' => return,
            _ => {
                it.next();
            }
        }
    }
}

/// `1500` as `1,500` (a count written for people, CLI and TUI alike).
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sanitize_line_flattens() {
        assert_eq!(
            sanitize_line("  Printer\n\tbroken \x1b[2J now "),
            "Printer broken now"
        );
        assert_eq!(
            sanitize_line("\x1b]8;;http://evil\x07link\x1b]8;;\x07"),
            "link"
        );
        assert_eq!(sanitize_line("plain"), "plain");
        assert_eq!(sanitize_line("\u{2000}wide\u{3000}gap\u{a0}"), "wide gap");
        assert_eq!(sanitize_line("a\x1b[31mb\u{202e}c\nd"), "abc d");
    }

    #[test]
    fn clean_names_stay_shared_and_dirty_ones_are_shared_once_cleaned() {
        let acme = intern("Acme Corp");
        let mut a = Some(acme.clone());
        sanitize_name(&mut a);
        assert!(
            std::sync::Arc::ptr_eq(a.as_ref().unwrap(), &acme),
            "kept as is"
        );
        let (mut b, mut c) = (
            Some(Name::from("Acme\x1b[2J  Corp")),
            Some(Name::from(" Acme\u{200d} Corp\n")),
        );
        sanitize_name(&mut b);
        sanitize_name(&mut c);
        assert!(std::sync::Arc::ptr_eq(b.as_ref().unwrap(), &acme));
        assert!(std::sync::Arc::ptr_eq(c.as_ref().unwrap(), &acme));
        let mut title = String::from("Printer\x07 down");
        sanitize_in_place(&mut title);
        assert_eq!(title, "Printer down");
    }

    #[test]
    fn multi_line_text_keeps_breaks_only() {
        assert_eq!(sanitize_text("x\r\ny\u{9b}"), "x\ny");
        assert_eq!(sanitize_text("a\tb"), "a   b");
    }

    #[test]
    fn format_characters_are_stripped() {
        // Zero-width joiners, BOM, soft hyphen, word joiner, bidi isolates, tags: all Cf, all
        // invisible, all able to shift a border or reorder what is read.
        let s = "A\u{200b}\u{200c}\u{200d}\u{feff}\u{ad}\u{2060}\u{2066}\u{2069}\u{e0041}\u{600}B";
        assert_eq!(sanitize_line(s), "AB");
        assert_eq!(sanitize_text(s), "AB");
        assert!(!is_clean_line("A\u{200d}B"));
    }

    #[test]
    fn every_control_character_is_forbidden() {
        for c in (0..=0x10ffff_u32).filter_map(char::from_u32) {
            if c.is_control() {
                assert!(is_forbidden(c), "U+{:04X}", c as u32);
            }
        }
        assert!(!is_forbidden('é') && !is_forbidden('漢') && !is_forbidden(' '));
    }

    proptest! {
        #[test]
        fn sanitized_text_never_holds_a_forbidden_character(s in any::<String>()) {
            let line = sanitize_line(&s);
            prop_assert!(line.chars().all(|c| !is_forbidden(c)), "{line:?}");
            prop_assert_eq!(line.trim(), line.as_str());
            prop_assert!(is_clean_line(&line));
            let text = sanitize_text(&s);
            prop_assert!(text.chars().all(|c| c == '\n' || !is_forbidden(c)), "{text:?}");
        }

        #[test]
        fn hostile_mixes_are_cleaned(parts in prop::collection::vec(prop_oneof![
            Just("\x1b[".to_string()), Just("\x1b]0;".to_string()), Just("\u{9b}".to_string()),
            Just("\u{9d}".to_string()), Just("\u{202e}".to_string()), Just("\u{200d}".to_string()),
            Just("\u{feff}".to_string()), Just("\u{e0020}".to_string()), Just("\r".to_string()),
            "[a-z \n\t]{0,4}",
        ], 0..30)) {
            let s: String = parts.concat();
            prop_assert!(sanitize_line(&s).chars().all(|c| !is_forbidden(c)));
            prop_assert!(sanitize_text(&s).chars().all(|c| c == '\n' || !is_forbidden(c)));
        }
    }
}
