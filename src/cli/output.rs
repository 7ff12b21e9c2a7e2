//! Human tables and `--json` output.

use std::io::{IsTerminal, Write};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::error::{CliError, CliResult};
use bmsdesk_core::text::{is_forbidden, sanitize_line, sanitize_text};

/// Prints `value` as pretty JSON on stdout, terminal-safe (see [`to_json`]).
pub fn json<T: Serialize + ?Sized>(value: &T) -> CliResult<()> {
    print_out(&to_json(value)?)
}

/// Pretty JSON in which every character a terminal could act on is a `\u` escape: serde_json
/// escapes only C0 controls, so C1 controls, DEL, bidi and other format characters from the
/// server would reach the terminal raw when `--json` output is read on one. The value is
/// unchanged for a JSON reader.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> CliResult<String> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, SafeFormatter::default());
    value
        .serialize(&mut ser)
        .map_err(|e| CliError::Local(e.to_string()))?;
    String::from_utf8(out).map_err(|e| CliError::Local(e.to_string()))
}

/// serde_json's pretty formatter, with forbidden characters in strings written as `\uXXXX`
/// (a surrogate pair above U+FFFF).
#[derive(Default)]
struct SafeFormatter(serde_json::ser::PrettyFormatter<'static>);

impl serde_json::ser::Formatter for SafeFormatter {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if is_forbidden(c) {
                w.write_all(&fragment.as_bytes()[start..i])?;
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    write!(w, "\\u{u:04x}")?;
                }
                start = i + c.len_utf8();
            }
        }
        w.write_all(&fragment.as_bytes()[start..])
    }
    fn begin_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

fn print_out(text: &str) -> CliResult<()> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}") {
        Ok(()) => Ok(()),
        // `bmsdesk tickets list | head` closes the pipe early: not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::Local(e.to_string())),
    }
}

/// A plain text table: header row, aligned columns, long cells cut with "…" when stdout is a
/// terminal narrower than the table. Every cell is sanitized (server text is untrusted).
pub struct Table {
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
    /// The column that shrinks first when the terminal is narrow (usually the title).
    flex: Option<usize>,
}

impl Table {
    pub fn new(headers: Vec<&'static str>) -> Self {
        Table {
            headers,
            rows: Vec::new(),
            flex: None,
        }
    }

    pub fn flex(mut self, column: usize) -> Self {
        self.flex = Some(column);
        self
    }

    pub fn row(&mut self, cells: Vec<String>) {
        self.rows
            .push(cells.into_iter().map(|c| sanitize_line(&c)).collect());
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn render(&self, max_width: Option<usize>) -> String {
        let n = self.headers.len();
        let mut widths: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
        if let Some(max) = max_width {
            let total: usize = widths.iter().sum::<usize>() + 2 * n.saturating_sub(1);
            if total > max {
                let mut excess = total - max;
                let order: Vec<usize> = match self.flex {
                    Some(f) => std::iter::once(f)
                        .chain((0..n).rev().filter(|&i| i != f))
                        .collect(),
                    None => (0..n).rev().collect(),
                };
                for i in order {
                    if excess == 0 {
                        break;
                    }
                    let floor = self.headers[i].chars().count().max(6);
                    let cut = widths[i].saturating_sub(floor).min(excess);
                    widths[i] -= cut;
                    excess -= cut;
                }
            }
        }
        let mut out = String::new();
        let line = |cells: Vec<&str>, out: &mut String| {
            let mut parts = Vec::with_capacity(n);
            for (i, w) in widths.iter().enumerate() {
                let c = cells.get(i).copied().unwrap_or("");
                parts.push(fit(c, *w, i + 1 == n));
            }
            out.push_str(parts.join("  ").trim_end());
            out.push('\n');
        };
        line(self.headers.to_vec(), &mut out);
        for r in &self.rows {
            line(r.iter().map(String::as_str).collect(), &mut out);
        }
        out.pop();
        out
    }

    pub fn print(&self) -> CliResult<()> {
        let width = if std::io::stdout().is_terminal() {
            crossterm::terminal::size().ok().map(|(w, _)| w as usize)
        } else {
            None
        };
        print_out(&self.render(width))
    }
}

fn fit(cell: &str, width: usize, last: bool) -> String {
    let len = cell.chars().count();
    if len > width {
        let mut s: String = cell.chars().take(width.saturating_sub(1)).collect();
        s.push('…');
        s
    } else if last {
        cell.to_string()
    } else {
        format!("{cell}{}", " ".repeat(width - len))
    }
}

/// Key/value lines for a single object.
pub fn fields(pairs: &[(&str, String)]) -> CliResult<()> {
    let w = pairs.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    let text = pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k:>w$}  {}", sanitize_line(v)))
        .collect::<Vec<_>>()
        .join("\n");
    print_out(&text)
}

/// Free text (already converted from HTML, or a message naming server text), sanitized: line
/// breaks kept, everything a terminal could act on removed.
pub fn text(body: &str) -> CliResult<()> {
    print_out(&sanitize_text(body))
}

pub fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(|x| x.to_string()).unwrap_or_default()
}

/// "3d", "5h", "12m": how long ago, for tables.
pub fn age(since: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    let Some(t) = since else { return String::new() };
    let mins = (now - t).num_minutes();
    if mins < 0 {
        return "future".into();
    }
    match mins {
        0..=59 => format!("{mins}m"),
        60..=2879 => format!("{}h", mins / 60),
        _ => format!("{}d", mins / 1440),
    }
}

pub fn when(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| {
        bmsdesk_core::clock::to_local(t)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    })
    .unwrap_or_default()
}

/// A message for the user on stderr (never stdout, which scripts read), sanitized: it may
/// quote the server.
pub fn note(msg: impl AsRef<str>) {
    let _ = writeln!(std::io::stderr(), "{}", sanitize_text(msg.as_ref()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_and_shrinks_the_flex_column() {
        let mut t = Table::new(vec!["ID", "TITLE", "STATUS"]).flex(1);
        t.row(vec![
            "1".into(),
            "A very long title that will not fit".into(),
            "Open".into(),
        ]);
        t.row(vec!["22".into(), "Short".into(), "In Progress".into()]);
        let full = t.render(None);
        assert!(full.starts_with("ID  TITLE"), "{full}");
        assert!(full.contains("A very long title that will not fit  Open"));
        let narrow = t.render(Some(30));
        for line in narrow.lines() {
            assert!(line.chars().count() <= 30, "{line:?}");
        }
        assert!(narrow.contains('…'));
        assert!(
            narrow.contains("In Progress"),
            "status column kept whole: {narrow}"
        );
    }

    #[test]
    fn table_cells_are_sanitized() {
        let mut t = Table::new(vec!["TITLE"]);
        t.row(vec!["evil\x1b[2Jtitle".into()]);
        assert!(!t.render(None).contains('\x1b'));
    }

    #[test]
    fn json_escapes_what_a_terminal_would_act_on_and_keeps_the_value() {
        let v = serde_json::json!({"name": "a\u{9b}b\u{202e}c\u{200d}d\u{7f}e\u{e0041}f\x1bg"});
        let text = to_json(&v).unwrap();
        assert!(
            text.chars().all(|c| c == '\n' || !is_forbidden(c)),
            "{text:?}"
        );
        assert!(
            text.contains("\\u009b") && text.contains("\\u202e") && text.contains("\\udb40\\udc41")
        );
        assert_eq!(serde_json::from_str::<serde_json::Value>(&text).unwrap(), v);
        assert_eq!(
            to_json(&serde_json::json!({"a": [1, "x"]})).unwrap(),
            serde_json::to_string_pretty(&serde_json::json!({"a": [1, "x"]})).unwrap(),
            "the same layout as serde_json's pretty printer"
        );
    }

    #[test]
    fn ages() {
        let now = bmsdesk_core::clock::now();
        assert_eq!(age(Some(now - chrono::Duration::minutes(5)), now), "5m");
        assert_eq!(age(Some(now - chrono::Duration::hours(5)), now), "5h");
        assert_eq!(age(Some(now - chrono::Duration::days(3)), now), "3d");
        assert_eq!(age(None, now), "");
    }
}
