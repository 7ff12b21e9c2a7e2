//! Making server strings safe to draw, and BMS HTML <-> terminal text.
//!
//! Every string that came from the server goes through [`sanitize_line`] or [`sanitize_text`]
//! before the model stores it, so no escape sequence, control character or bidi override can
//! reach the terminal. HTML conversion is `domain::html`'s.

use crate::api::name::{Name, intern};

/// Characters that must never reach the terminal: C0/C1 controls, DEL, bidi overrides.
fn is_forbidden(c: char) -> bool {
    let u = c as u32;
    u < 0x20
        || u == 0x7f
        || (0x80..=0x9f).contains(&u)
        || matches!(u, 0x202a..=0x202e | 0x2066..=0x2069 | 0x200e | 0x200f | 0x061c)
}

/// One line of server text made safe to draw (`domain::html::sanitize_line`).
pub fn sanitize_line(s: &str) -> String {
    crate::domain::html::sanitize_line(s)
}

/// Several lines: `\n` kept, `\r\n` folded, tabs expanded, other controls dropped.
pub fn sanitize_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' => out.push('\n'),
            '\r' => {}
            '\t' => out.push_str("    "),
            c if is_forbidden(c) => {}
            c => out.push(c),
        }
    }
    out
}

pub fn sanitize_opt(s: &mut Option<String>) {
    if let Some(v) = s.as_mut() {
        sanitize_in_place(v);
    }
}

/// Sanitizes `s` in place, without a new allocation when it is clean already (most are).
pub fn sanitize_in_place(s: &mut String) {
    if !crate::domain::html::is_clean_line(s) {
        *s = sanitize_line(s);
    }
}

/// A shared name made safe to draw. A clean one keeps its shared copy; a cleaned one is shared
/// again ([`intern`]), so 100k rows naming one account still hold one string.
pub fn sanitize_name(s: &mut Option<Name>) {
    if let Some(v) = s.as_mut()
        && !crate::domain::html::is_clean_line(v)
    {
        *v = intern(&sanitize_line(v));
    }
}

/// BMS HTML (ticket details, notes) to plain text for the terminal.
pub fn html_to_text(html: &str) -> String {
    crate::domain::html::to_text(html)
}

/// Plain text typed by the user to the HTML the API stores.
pub fn text_to_html(text: &str) -> String {
    crate::domain::html::from_text(text)
}

/// Display width-aware truncation with an ellipsis.
pub fn truncate(s: &str, width: usize) -> String {
    if width == 0 {
        return String::new();
    }
    if width_of(s) <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut w = 0;
    for c in s.chars() {
        let cw = unicode_width_shim::width(c);
        if w + cw + 1 > width {
            break;
        }
        out.push(c);
        w += cw;
    }
    out.push('…');
    out
}

pub fn width_of(s: &str) -> usize {
    s.chars().map(unicode_width_shim::width).sum()
}

/// Character width without pulling another crate: wide CJK/emoji ranges count 2.
mod unicode_width_shim {
    pub fn width(c: char) -> usize {
        let u = c as u32;
        if u < 0x1100 {
            return 1;
        }
        let wide = matches!(u,
            0x1100..=0x115f | 0x2e80..=0x303e | 0x3041..=0x33ff | 0x3400..=0x4dbf
            | 0x4e00..=0x9fff | 0xa000..=0xa4cf | 0xac00..=0xd7a3 | 0xf900..=0xfaff
            | 0xfe30..=0xfe4f | 0xff00..=0xff60 | 0xffe0..=0xffe6 | 0x1f300..=0x1f64f
            | 0x1f900..=0x1f9ff | 0x20000..=0x3fffd);
        if wide { 2 } else { 1 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            Some(Name::from(" Acme Corp\n")),
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
    fn strips_escapes_and_bidi() {
        assert_eq!(sanitize_line("a\x1b[31mb\u{202e}c\nd"), "abc d");
        assert_eq!(sanitize_text("x\r\ny\u{9b}"), "x\ny");
    }

    #[test]
    fn truncates_with_ellipsis() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}
