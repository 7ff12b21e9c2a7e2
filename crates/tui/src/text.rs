//! Text helpers of the TUI: width-aware truncation, ages ("3m ago").
//!
//! Sanitizing server strings is [`bmsdesk_core::text`]'s (the one sanitizer the CLI uses too); every
//! string that came from the server goes through it before the model stores it. HTML
//! conversion (BMS HTML <-> terminal text) is [`bmsdesk_core::text::html`]'s.

use chrono::{DateTime, Utc};

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

/// "just now", "3m ago", "2h ago", "5d ago".
pub fn ago(now: DateTime<Utc>, t: DateTime<Utc>) -> String {
    let s = (now - t).num_seconds();
    if s < 45 {
        "just now".into()
    } else {
        format!("{} ago", age_secs(s))
    }
}

/// An age in its largest unit: "45s", "3m", "2h", "5d", "2w", "1y".
pub fn age_secs(s: i64) -> String {
    let s = s.max(0);
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        3600..=86_399 => format!("{}h", s / 3600),
        86_400..=1_209_599 => format!("{}d", s / 86_400),
        1_209_600..=31_535_999 => format!("{}w", s / 604_800),
        _ => format!("{}y", s / 31_536_000),
    }
}

/// How old `t` is (empty when unknown).
pub fn age(now: DateTime<Utc>, t: Option<DateTime<Utc>>) -> String {
    t.map(|t| age_secs((now - t).num_seconds()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_with_ellipsis() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}
