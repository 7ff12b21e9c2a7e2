//! Human tables and `--json` output.

use std::io::{IsTerminal, Write};

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::error::{CliError, CliResult};
use crate::domain::html::sanitize_line;

/// Prints `value` as pretty JSON on stdout.
pub fn json<T: Serialize + ?Sized>(value: &T) -> CliResult<()> {
    let text = serde_json::to_string_pretty(value).map_err(|e| CliError::Local(e.to_string()))?;
    print_out(&text)
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

/// Free text (already converted from HTML), sanitized line by line.
pub fn text(body: &str) -> CliResult<()> {
    print_out(body)
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
        crate::clock::to_local(t)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    })
    .unwrap_or_default()
}

/// A message for the user on stderr (never stdout, which scripts read).
pub fn note(msg: impl AsRef<str>) {
    let _ = writeln!(std::io::stderr(), "{}", msg.as_ref());
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
    fn ages() {
        let now = crate::clock::now();
        assert_eq!(age(Some(now - chrono::Duration::minutes(5)), now), "5m");
        assert_eq!(age(Some(now - chrono::Duration::hours(5)), now), "5h");
        assert_eq!(age(Some(now - chrono::Duration::days(3)), now), "3d");
        assert_eq!(age(None, now), "");
    }
}
