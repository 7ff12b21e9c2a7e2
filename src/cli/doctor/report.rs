//! `doctor`'s report: one line per check with its mark and what bmsdesk will do about it,
//! printed as it goes (text) or once at the end (`--json`), and the rule for the exit code.

use serde::Serialize;
use serde_json::Value;

use crate::cli::output;

/// A check's outcome. `Fail` is exactly "blocks normal use" (see `DOCTOR_ABOUT` in `args`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mark {
    Ok,
    Warn,
    Fail,
    Info,
}

impl Mark {
    pub fn symbol(self) -> &'static str {
        match self {
            Mark::Ok => "✓",
            Mark::Warn => "!",
            Mark::Fail => "✗",
            Mark::Info => "·",
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub section: &'static str,
    /// A stable key for scripts (`sign-in`, `page-size`, `write-test.add`...).
    pub name: &'static str,
    pub mark: Mark,
    /// What was found (server text in it is sanitized when printed).
    pub found: String,
    /// What bmsdesk will do about it, or what the user should do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// Values behind the line, for scripts (a table's rows, counts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Value>,
}

impl Check {
    pub fn new(
        section: &'static str,
        name: &'static str,
        mark: Mark,
        found: impl Into<String>,
    ) -> Check {
        Check {
            section,
            name,
            mark,
            found: found.into(),
            action: None,
            values: None,
        }
    }

    pub fn action(mut self, action: impl Into<String>) -> Check {
        self.action = Some(action.into());
        self
    }

    pub fn values(mut self, values: Value) -> Check {
        self.values = Some(values);
        self
    }
}

/// The checks so far; in text mode each is printed when added, under its section's title.
pub struct Report {
    checks: Vec<Check>,
    stream: bool,
}

impl Report {
    /// `stream`: print each check as it is added (not with `--json`).
    pub fn new(stream: bool) -> Report {
        Report {
            checks: Vec::new(),
            stream,
        }
    }

    pub fn add(&mut self, check: Check) {
        if self.stream {
            let new_section = self
                .checks
                .last()
                .is_none_or(|c| c.section != check.section);
            let mut text = String::new();
            if new_section {
                if !self.checks.is_empty() {
                    text.push('\n');
                }
                text.push_str(check.section);
                text.push('\n');
            }
            text.push_str(&line(&check));
            // `output::text` sanitizes: the found text quotes the server.
            let _ = output::text(text.trim_end_matches('\n'));
        }
        self.checks.push(check);
    }

    /// Shorthands for [`Report::add`].
    pub fn ok(&mut self, section: &'static str, name: &'static str, found: impl Into<String>) {
        self.add(Check::new(section, name, Mark::Ok, found));
    }

    pub fn checks(&self) -> &[Check] {
        &self.checks
    }

    /// The names of the checks that block normal use.
    pub fn blocking(&self) -> Vec<&'static str> {
        self.checks
            .iter()
            .filter(|c| c.mark == Mark::Fail)
            .map(|c| c.name)
            .collect()
    }

    pub fn warnings(&self) -> usize {
        self.checks.iter().filter(|c| c.mark == Mark::Warn).count()
    }
}

/// `  ✓ name: found` and, indented under it, `→ action`.
fn line(c: &Check) -> String {
    let mut s = format!("  {} {}: {}\n", c.mark.symbol(), c.name, c.found);
    if let Some(a) = &c.action {
        s.push_str(&format!("      → {a}\n"));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_failures_block_and_lines_carry_the_action() {
        let mut r = Report::new(false);
        r.ok("Sign-in", "sign-in", "password");
        r.add(Check::new("Paging", "page-size", Mark::Warn, "30 served").action("ask for 30"));
        assert!(r.blocking().is_empty());
        r.add(Check::new("Lookups", "note-types", Mark::Fail, "none"));
        assert_eq!(r.blocking(), vec!["note-types"]);
        assert_eq!(r.warnings(), 1);
        assert_eq!(
            line(&r.checks()[1]),
            "  ! page-size: 30 served\n      → ask for 30\n"
        );
    }
}
