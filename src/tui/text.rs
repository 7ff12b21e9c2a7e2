//! Making server strings safe to draw, and BMS HTML <-> terminal text.
//!
//! Every string that came from the server goes through [`sanitize_line`] or [`sanitize_text`]
//! before the model stores it, so no escape sequence, control character or bidi override can
//! reach the terminal. `html_to_text` / `text_to_html` are small local versions of
//! `domain::html` kept here until that module lands.

/// Characters that must never reach the terminal: C0/C1 controls, DEL, bidi overrides.
fn is_forbidden(c: char) -> bool {
    let u = c as u32;
    u < 0x20
        || u == 0x7f
        || (0x80..=0x9f).contains(&u)
        || matches!(u, 0x202a..=0x202e | 0x2066..=0x2069 | 0x200e | 0x200f | 0x061c)
}

/// One line: newlines and tabs become spaces, every other control character is dropped.
pub fn sanitize_line(s: &str) -> String {
    if !s.chars().any(is_forbidden) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\t' | '\r' => out.push(' '),
            c if is_forbidden(c) => {}
            c => out.push(c),
        }
    }
    out
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
        *v = sanitize_line(v);
    }
}

/// BMS HTML (ticket details, notes) to plain text for the terminal.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    let mut skip_until: Option<&'static str> = None;
    while let Some(i) = rest.find('<') {
        if skip_until.is_none() {
            push_decoded(&mut out, &rest[..i]);
        }
        rest = &rest[i..];
        let Some(end) = rest.find('>') else {
            if skip_until.is_none() {
                push_decoded(&mut out, rest);
            }
            rest = "";
            break;
        };
        let tag = rest[1..end].trim().to_ascii_lowercase();
        rest = &rest[end + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if let Some(until) = skip_until {
            if closing && name == until {
                skip_until = None;
            }
            continue;
        }
        match name.as_str() {
            "script" if !closing => skip_until = Some("script"),
            "style" if !closing => skip_until = Some("style"),
            "br" => out.push('\n'),
            "p" | "div" | "tr" | "h1" | "h2" | "h3" | "h4" | "ul" | "ol" | "table"
            | "blockquote"
                if !out.is_empty() && !out.ends_with('\n') =>
            {
                out.push('\n');
            }
            "li" if !closing => {
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str("• ");
            }
            "td" | "th" if closing => out.push(' '),
            _ => {}
        }
    }
    if skip_until.is_none() {
        push_decoded(&mut out, rest);
    }
    // Collapse runs of blank lines and trailing spaces.
    let text = sanitize_text(&out);
    let mut lines: Vec<&str> = Vec::new();
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() && lines.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        lines.push(line);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines.join("\n")
}

fn push_decoded(out: &mut String, s: &str) {
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let semi = rest[..rest.len().min(12)].find(';');
        let Some(semi) = semi else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..semi];
        let decoded = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" | "#39" => Some('\''),
            "nbsp" => Some(' '),
            _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                u32::from_str_radix(&ent[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    // Whitespace in HTML source is not layout.
    let mut last_space = out.ends_with(' ') || out.ends_with('\n') || out.is_empty();
    for c in rest.chars() {
        if c.is_whitespace() {
            if !last_space {
                out.push(' ');
                last_space = true;
            }
        } else {
            out.push(c);
            last_space = false;
        }
    }
}

/// Plain text typed by the user to the HTML the API stores.
pub fn text_to_html(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let mut html = String::new();
    for para in text.split("\n\n") {
        let para = para.trim_matches('\n');
        if para.is_empty() {
            continue;
        }
        html.push_str("<p>");
        for (i, line) in para.lines().enumerate() {
            if i > 0 {
                html.push_str("<br>");
            }
            for c in line.chars() {
                match c {
                    '&' => html.push_str("&amp;"),
                    '<' => html.push_str("&lt;"),
                    '>' => html.push_str("&gt;"),
                    '"' => html.push_str("&quot;"),
                    c => html.push(c),
                }
            }
        }
        html.push_str("</p>");
    }
    html
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
    fn strips_escapes_and_bidi() {
        assert_eq!(sanitize_line("a\x1b[31mb\u{202e}c\nd"), "a[31mbc d");
        assert_eq!(sanitize_text("x\r\ny\u{9b}"), "x\ny");
    }

    #[test]
    fn html_round_trip_basics() {
        let t = html_to_text(
            "<p>Hello &amp; <b>bye</b></p><p>line<br>two</p><ul><li>a</li><li>b</li></ul>",
        );
        assert_eq!(t, "Hello & bye\nline\ntwo\n• a\n• b");
        assert_eq!(html_to_text("<script>x</script>ok\x1b"), "ok");
        assert_eq!(text_to_html("a<b\nc\n\nd"), "<p>a&lt;b<br>c</p><p>d</p>");
    }

    #[test]
    fn truncates_with_ellipsis() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}
