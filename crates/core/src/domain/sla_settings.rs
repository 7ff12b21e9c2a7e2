//! SLA settings: the `[sla]` table of the config file, parsed and checked.
//!
//! The config loader hands over the table as an opaque `toml::Table`; [`SlaSettings::from_table`]
//! turns it into typed settings. An absent table (or an absent key) means the default; a bad
//! value is a [`SettingsError`] naming the key. Every key is documented in [`EXAMPLE_TOML`].

use chrono::NaiveDate;
use chrono_tz::Tz;
use toml::{Table, Value};

use super::calendar::{BusinessCalendar, BusinessHours};
use super::workflow::{DeniedTransition, WorkflowRules};

/// The `[sla]` section with every key at its default, documented. Paste into
/// `config.example.toml`.
pub const EXAMPLE_TOML: &str = r#"# SLA clock, triage and workflow rules. Every key is optional; the values shown are the defaults.
[sla]
# IANA time zone of the business hours. Default: the tenant's time zone (from the server's
# user info) when known, else UTC.
# timezone = "Europe/London"
# Days the SLA clock runs: names ("Mon", "Tuesday") or ranges ("Mon-Fri").
business_days = ["Mon-Fri"]
# Daily window of the SLA clock, local time, "HH:MM" (24-hour; the end may be "24:00").
# For round-the-clock SLAs use all seven days and "00:00" to "24:00".
business_start = "08:00"
business_end = "18:00"
# Dates on which the clock does not run, "YYYY-MM-DD".
holidays = []
# holidays = ["2025-12-25", "2025-12-26"]
# Statuses that pause the SLA clock (exact names, any case). The server's IsSLAPaused flag
# pauses it too.
waiting_statuses = ["Waiting Customer", "Waiting Materials"]
# Statuses that stop the clock (the ticket is done; met/missed is decided).
complete_statuses = ["Completed", "Closed", "Resolved"]
# Flag tickets in these statuses with no activity for more than `stale_waiting_days` days.
stale_waiting_statuses = ["Waiting Customer"]
stale_waiting_days = 7
# Priorities whose tickets are flagged when nobody is assigned.
critical_priorities = ["Critical"]
# Targets used for priorities not listed under [sla.targets].
default_priority = "Medium"

# Business hours to first response and to resolution, per priority name. Names match the
# ticket's priority in any case, exactly first, else as a part of it ("P1 - Critical" uses
# "Critical"). Used only when the server sends no SLA target times for a ticket.
[sla.targets]
Critical = { first_response_hours = 1, resolution_hours = 4 }
High = { first_response_hours = 2, resolution_hours = 8 }
Medium = { first_response_hours = 4, resolution_hours = 24 }
Low = { first_response_hours = 8, resolution_hours = 72 }

# Escalation level by business time overdue: level 1 as soon as a deadline is missed (and at
# least `level1_after_hours` overdue), level 2 from `level2_after_hours`, level 3 from
# `level3_after_hours`.
[sla.escalation]
level1_after_hours = 0
level2_after_hours = 4
level3_after_hours = 8

# Status transition rules, checked by the TUI and the CLI before anything is sent.
[sla.rules]
# Moving to a complete status needs a resolution note.
require_resolution_note = true
# Moving to an escalation status needs a note giving the reason.
require_escalation_note = true
# A status is an escalation status when its name contains one of these (any case, spaces and
# punctuation ignored).
escalation_statuses = ["Escalated", "Escalation"]
# Moving to an in-progress status with nobody assigned is allowed with a warning.
warn_unassigned_in_progress = true
in_progress_statuses = ["In Progress"]
# Reopening a completed ticket is allowed with a warning (its SLA clock restarts).
warn_reopen = true
# Shortest note, in characters after trimming, that satisfies a note rule.
min_note_chars = 1
# Transitions refused outright; status names, "*" for any.
deny = []
# deny = [{ from = "Closed", to = "*", message = "Closed tickets are final; open a new one" }]
"#;

/// A bad `[sla]` value. `key` is the dotted path (`sla.targets.High.resolution_hours`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid setting `{key}`: {message}")]
pub struct SettingsError {
    pub key: String,
    pub message: String,
}

fn err(key: &str, message: impl Into<String>) -> SettingsError {
    SettingsError {
        key: key.to_string(),
        message: message.into(),
    }
}

/// SLA targets of one priority, in business minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorityTarget {
    pub name: String,
    pub first_response_minutes: i64,
    pub resolution_minutes: i64,
}

/// Escalation thresholds, in business minutes overdue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EscalationThresholds {
    pub level1_minutes: i64,
    pub level2_minutes: i64,
    pub level3_minutes: i64,
}

impl Default for EscalationThresholds {
    fn default() -> Self {
        EscalationThresholds {
            level1_minutes: 0,
            level2_minutes: 4 * 60,
            level3_minutes: 8 * 60,
        }
    }
}

impl EscalationThresholds {
    /// Level 0–3 for a deadline `overdue_minutes` past (≤ 0 = not overdue = level 0).
    pub fn level(&self, overdue_minutes: i64) -> u8 {
        if overdue_minutes <= 0 || overdue_minutes < self.level1_minutes {
            0
        } else if overdue_minutes < self.level2_minutes {
            1
        } else if overdue_minutes < self.level3_minutes {
            2
        } else {
            3
        }
    }
}

/// Typed `[sla]` settings.
#[derive(Debug, Clone, PartialEq)]
pub struct SlaSettings {
    pub timezone: Tz,
    pub hours: BusinessHours,
    pub holidays: Vec<NaiveDate>,
    pub waiting_statuses: Vec<String>,
    pub complete_statuses: Vec<String>,
    pub stale_waiting_statuses: Vec<String>,
    pub stale_waiting_days: u32,
    pub critical_priorities: Vec<String>,
    pub targets: Vec<PriorityTarget>,
    /// Name (as in `targets`) of the targets used for unknown priorities.
    pub default_priority: String,
    pub escalation: EscalationThresholds,
    pub rules: WorkflowRules,
}

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn default_targets() -> Vec<PriorityTarget> {
    [
        ("Critical", 1, 4),
        ("High", 2, 8),
        ("Medium", 4, 24),
        ("Low", 8, 72),
    ]
    .into_iter()
    .map(|(name, fr, res)| PriorityTarget {
        name: name.to_string(),
        first_response_minutes: fr * 60,
        resolution_minutes: res * 60,
    })
    .collect()
}

impl Default for SlaSettings {
    /// The documented defaults, in UTC.
    fn default() -> Self {
        let complete_statuses = strings(&["Completed", "Closed", "Resolved"]);
        SlaSettings {
            timezone: Tz::UTC,
            hours: BusinessHours::OFFICE,
            holidays: Vec::new(),
            waiting_statuses: strings(&["Waiting Customer", "Waiting Materials"]),
            stale_waiting_statuses: strings(&["Waiting Customer"]),
            stale_waiting_days: 7,
            critical_priorities: strings(&["Critical"]),
            targets: default_targets(),
            default_priority: "Medium".to_string(),
            escalation: EscalationThresholds::default(),
            rules: WorkflowRules::with_complete_statuses(complete_statuses.clone()),
            complete_statuses,
        }
    }
}

/// Case-insensitive, whitespace-trimmed equality (no allocation: called per ticket).
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    a.eq_ignore_ascii_case(b)
        || (!a.is_ascii() || !b.is_ascii())
            && a.chars()
                .flat_map(char::to_lowercase)
                .eq(b.chars().flat_map(char::to_lowercase))
}

/// Lower-case letters and digits only: "In-Progress" and "in progress" both read "inprogress".
fn squashed(s: &str) -> impl Iterator<Item = char> + Clone + '_ {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
}

/// True when the squashed `needle` (non-empty) occurs in the squashed `hay`.
pub(crate) fn squashed_contains(hay: &str, needle: &str) -> bool {
    let n = squashed(needle);
    if n.clone().next().is_none() {
        return false;
    }
    hay.char_indices()
        .filter(|(_, c)| c.is_alphanumeric())
        .any(|(i, _)| {
            let mut h = squashed(&hay[i..]);
            n.clone().all(|c| h.next() == Some(c))
        })
}

/// Index of the name in `names` matching `wanted`: an exact (case-insensitive) match first,
/// else the longest name contained in `wanted` (ignoring case, spaces and punctuation).
pub(crate) fn match_name<'a>(
    names: impl Iterator<Item = &'a str> + Clone,
    wanted: &str,
) -> Option<usize> {
    if let Some(i) = names.clone().position(|n| same_name(n, wanted)) {
        return Some(i);
    }
    names
        .enumerate()
        .filter(|(_, n)| squashed_contains(wanted, n))
        .max_by_key(|(i, n)| (squashed(n).count(), usize::MAX - i))
        .map(|(i, _)| i)
}

impl SlaSettings {
    /// Parses the config's `[sla]` table. `tenant_tz` is the tenant's IANA zone from the
    /// server (used when `timezone` is not set; ignored when it is not a valid IANA name).
    pub fn from_table(
        table: Option<&Table>,
        tenant_tz: Option<&str>,
    ) -> Result<Self, SettingsError> {
        let mut s = SlaSettings::default();
        if let Some(tz) = tenant_tz.and_then(|n| n.trim().parse::<Tz>().ok()) {
            s.timezone = tz;
        }
        let Some(table) = table else {
            return Ok(s);
        };
        let mut rules_table = None;
        for (key, value) in table {
            let path = format!("sla.{key}");
            let path = path.as_str();
            match key.as_str() {
                "timezone" => {
                    let name = as_str(value, path)?;
                    s.timezone = name.trim().parse::<Tz>().map_err(|_| {
                        err(path, format!("unknown time zone {name:?} (expected an IANA name such as \"Europe/London\")"))
                    })?;
                }
                "business_days" => s.hours.days = as_days(value, path)?,
                "business_start" => s.hours.start = as_time(value, path, false)?,
                "business_end" => s.hours.end = as_time(value, path, true)?,
                "holidays" => s.holidays = as_dates(value, path)?,
                "waiting_statuses" => s.waiting_statuses = as_strings(value, path)?,
                "complete_statuses" => s.complete_statuses = as_strings(value, path)?,
                "stale_waiting_statuses" => s.stale_waiting_statuses = as_strings(value, path)?,
                "stale_waiting_days" => {
                    s.stale_waiting_days = u32::try_from(as_int(value, path, 1, 3650)?)
                        .map_err(|_| err(path, "out of range"))?;
                }
                "critical_priorities" => s.critical_priorities = as_strings(value, path)?,
                "default_priority" => s.default_priority = as_str(value, path)?.trim().to_string(),
                "targets" => parse_targets(as_table(value, path)?, &mut s.targets)?,
                "escalation" => parse_escalation(as_table(value, path)?, &mut s.escalation)?,
                "rules" => rules_table = Some(as_table(value, path)?),
                other => {
                    return Err(err(
                        path,
                        format!(
                            "unknown key {other:?} (known: timezone, business_days, business_start, business_end, holidays, waiting_statuses, complete_statuses, stale_waiting_statuses, stale_waiting_days, critical_priorities, default_priority, targets, escalation, rules)"
                        ),
                    ));
                }
            }
        }
        if s.hours.end <= s.hours.start {
            return Err(err(
                "sla.business_end",
                format!(
                    "must be later than business_start ({} is not after {})",
                    fmt_time(s.hours.end),
                    fmt_time(s.hours.start)
                ),
            ));
        }
        if !s
            .targets
            .iter()
            .any(|t| same_name(&t.name, &s.default_priority))
        {
            return Err(err(
                "sla.default_priority",
                format!(
                    "{:?} is not one of the priorities under [sla.targets]",
                    s.default_priority
                ),
            ));
        }
        s.rules = WorkflowRules::with_complete_statuses(s.complete_statuses.clone());
        if let Some(rt) = rules_table {
            parse_rules(rt, &mut s.rules)?;
        }
        Ok(s)
    }

    /// The business calendar these settings describe.
    pub fn calendar(&self) -> BusinessCalendar {
        BusinessCalendar::new(self.timezone, self.hours, self.holidays.iter().copied())
    }

    /// Targets for a ticket priority name (see [`EXAMPLE_TOML`] for the matching rules);
    /// unknown or missing priorities get the `default_priority` targets.
    pub fn targets_for(&self, priority: Option<&str>) -> &PriorityTarget {
        self.target_at(self.target_index(priority))
    }

    /// `targets[i]`, or the Medium defaults if `targets` was emptied by hand.
    pub(crate) fn target_at(&self, i: usize) -> &PriorityTarget {
        static FALLBACK: PriorityTarget = PriorityTarget {
            name: String::new(),
            first_response_minutes: 4 * 60,
            resolution_minutes: 24 * 60,
        };
        self.targets.get(i).unwrap_or(&FALLBACK)
    }

    /// Index into `targets` of [`Self::targets_for`].
    pub fn target_index(&self, priority: Option<&str>) -> usize {
        priority
            .and_then(|p| match_name(self.targets.iter().map(|t| t.name.as_str()), p))
            .or_else(|| {
                self.targets
                    .iter()
                    .position(|t| same_name(&t.name, &self.default_priority))
            })
            .unwrap_or(0)
    }

    pub fn is_waiting_status(&self, status: &str) -> bool {
        self.waiting_statuses.iter().any(|w| same_name(w, status))
    }

    pub fn is_complete_status(&self, status: &str) -> bool {
        self.complete_statuses.iter().any(|c| same_name(c, status))
    }

    pub fn is_stale_waiting_status(&self, status: &str) -> bool {
        self.stale_waiting_statuses
            .iter()
            .any(|c| same_name(c, status))
    }

    pub fn is_critical_priority(&self, priority: &str) -> bool {
        match_name(
            self.critical_priorities.iter().map(String::as_str),
            priority,
        )
        .is_some()
    }
}

fn kind(v: &Value) -> String {
    match v {
        Value::String(s) => format!("the string {s:?}"),
        Value::Integer(i) => format!("the integer {i}"),
        Value::Float(f) => format!("the number {f}"),
        Value::Boolean(b) => format!("the boolean {b}"),
        Value::Datetime(d) => format!("the date-time {d}"),
        Value::Array(_) => "a list".to_string(),
        Value::Table(_) => "a table".to_string(),
    }
}

fn as_str<'a>(v: &'a Value, key: &str) -> Result<&'a str, SettingsError> {
    v.as_str()
        .ok_or_else(|| err(key, format!("expected a string, found {}", kind(v))))
}

fn as_bool(v: &Value, key: &str) -> Result<bool, SettingsError> {
    v.as_bool()
        .ok_or_else(|| err(key, format!("expected true or false, found {}", kind(v))))
}

fn as_table<'a>(v: &'a Value, key: &str) -> Result<&'a Table, SettingsError> {
    v.as_table()
        .ok_or_else(|| err(key, format!("expected a table, found {}", kind(v))))
}

fn as_array<'a>(v: &'a Value, key: &str) -> Result<&'a [Value], SettingsError> {
    v.as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| err(key, format!("expected a list, found {}", kind(v))))
}

fn as_int(v: &Value, key: &str, min: i64, max: i64) -> Result<i64, SettingsError> {
    match v.as_integer() {
        Some(i) if (min..=max).contains(&i) => Ok(i),
        Some(i) => Err(err(
            key,
            format!("expected a whole number from {min} to {max}, found {i}"),
        )),
        None => Err(err(
            key,
            format!("expected a whole number, found {}", kind(v)),
        )),
    }
}

fn as_strings(v: &Value, key: &str) -> Result<Vec<String>, SettingsError> {
    as_array(v, key)?
        .iter()
        .enumerate()
        .map(|(i, item)| {
            item.as_str().map(|s| s.trim().to_string()).ok_or_else(|| {
                err(
                    &format!("{key}[{i}]"),
                    format!("expected a string, found {}", kind(item)),
                )
            })
        })
        .collect()
}

/// Hours (integer or decimal, 0 to ten years) as whole minutes.
fn as_hours(v: &Value, key: &str) -> Result<i64, SettingsError> {
    let h = match v {
        Value::Integer(i) => *i as f64,
        Value::Float(f) => *f,
        other => {
            return Err(err(
                key,
                format!("expected a number of hours, found {}", kind(other)),
            ));
        }
    };
    if !h.is_finite() || !(0.0..=87_600.0).contains(&h) {
        return Err(err(
            key,
            format!("expected hours from 0 to 87600, found {h}"),
        ));
    }
    Ok((h * 60.0).round() as i64)
}

fn fmt_time(secs: u32) -> String {
    format!("{:02}:{:02}", secs / 3600, secs % 3600 / 60)
}

/// "HH:MM" (or "HH:MM:SS") as seconds after midnight; "24:00" only when `allow_24`.
fn as_time(v: &Value, key: &str, allow_24: bool) -> Result<u32, SettingsError> {
    let bad = |found: String| {
        err(
            key,
            format!(
                "expected a time \"HH:MM\" (24-hour{}), found {found}",
                if allow_24 { ", up to \"24:00\"" } else { "" }
            ),
        )
    };
    let s = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Datetime(d) if d.date.is_none() && d.time.is_some() => d.to_string(),
        other => return Err(bad(kind(other))),
    };
    let parts: Vec<&str> = s.split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad(format!("{s:?}")));
    }
    let n: Vec<u32> = parts.iter().map(|p| p.parse().unwrap_or(99)).collect();
    let (h, m, sec) = (n[0], n[1], n.get(2).copied().unwrap_or(0));
    if m > 59 || sec > 59 {
        return Err(bad(format!("{s:?}")));
    }
    let total = h * 3600 + m * 60 + sec;
    if h > 24 || total > 86_400 || (total == 86_400 && !allow_24) {
        return Err(bad(format!("{s:?}")));
    }
    Ok(total)
}

/// Monday = 0. Full names or prefixes of at least three letters ("Mon", "Tues"), any case.
fn weekday_index(name: &str) -> Option<usize> {
    const NAMES: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let n = name.trim().to_lowercase();
    if n.len() < 3 {
        return None;
    }
    NAMES.iter().position(|full| full.starts_with(&n))
}

fn as_days(v: &Value, key: &str) -> Result<[bool; 7], SettingsError> {
    let items: Vec<(String, String)> = match v {
        Value::String(s) => vec![(key.to_string(), s.clone())],
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let k = format!("{key}[{i}]");
                item.as_str()
                    .map(|s| (k.clone(), s.to_string()))
                    .ok_or_else(|| {
                        err(
                            &k,
                            format!("expected a day name such as \"Mon\", found {}", kind(item)),
                        )
                    })
            })
            .collect::<Result<_, _>>()?,
        other => {
            return Err(err(
                key,
                format!(
                    "expected a list of day names such as [\"Mon-Fri\"], found {}",
                    kind(other)
                ),
            ));
        }
    };
    let mut days = [false; 7];
    for (k, item) in items {
        let bad = || {
            err(
                &k,
                format!(
                    "expected a day name (\"Mon\", \"Tuesday\") or a range (\"Mon-Fri\"), found {item:?}"
                ),
            )
        };
        match item.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (
                    weekday_index(a).ok_or_else(bad)?,
                    weekday_index(b).ok_or_else(bad)?,
                );
                let mut d = a;
                loop {
                    days[d] = true;
                    if d == b {
                        break;
                    }
                    d = (d + 1) % 7;
                }
            }
            None => days[weekday_index(&item).ok_or_else(bad)?] = true,
        }
    }
    if !days.iter().any(|d| *d) {
        return Err(err(key, "needs at least one business day"));
    }
    Ok(days)
}

fn as_dates(v: &Value, key: &str) -> Result<Vec<NaiveDate>, SettingsError> {
    as_array(v, key)?
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let k = format!("{key}[{i}]");
            let text = match item {
                Value::String(s) => s.trim().to_string(),
                Value::Datetime(d) if d.time.is_none() && d.date.is_some() => d.to_string(),
                other => {
                    return Err(err(
                        &k,
                        format!("expected a date \"YYYY-MM-DD\", found {}", kind(other)),
                    ));
                }
            };
            NaiveDate::parse_from_str(&text, "%Y-%m-%d").map_err(|_| {
                err(
                    &k,
                    format!("expected a date \"YYYY-MM-DD\", found {text:?}"),
                )
            })
        })
        .collect()
}

fn parse_targets(t: &Table, targets: &mut Vec<PriorityTarget>) -> Result<(), SettingsError> {
    for (name, value) in t {
        let path = format!("sla.targets.{name}");
        if name.trim().is_empty() {
            return Err(err(&path, "priority name is empty"));
        }
        let entry = as_table(value, &path)?;
        let existing = targets.iter().position(|p| same_name(&p.name, name));
        // New names inherit what they leave out from the Medium defaults.
        let mut target = match existing {
            Some(i) => targets[i].clone(),
            None => PriorityTarget {
                name: name.trim().to_string(),
                ..default_targets()[2].clone()
            },
        };
        for (k, v) in entry {
            let kp = format!("{path}.{k}");
            match k.as_str() {
                "first_response_hours" => target.first_response_minutes = as_hours(v, &kp)?,
                "resolution_hours" => target.resolution_minutes = as_hours(v, &kp)?,
                other => {
                    return Err(err(
                        &kp,
                        format!(
                            "unknown key {other:?} (known: first_response_hours, resolution_hours)"
                        ),
                    ));
                }
            }
        }
        match existing {
            Some(i) => targets[i] = target,
            None => targets.push(target),
        }
    }
    Ok(())
}

fn parse_escalation(t: &Table, e: &mut EscalationThresholds) -> Result<(), SettingsError> {
    for (k, v) in t {
        let kp = format!("sla.escalation.{k}");
        match k.as_str() {
            "level1_after_hours" => e.level1_minutes = as_hours(v, &kp)?,
            "level2_after_hours" => e.level2_minutes = as_hours(v, &kp)?,
            "level3_after_hours" => e.level3_minutes = as_hours(v, &kp)?,
            other => {
                return Err(err(
                    &kp,
                    format!(
                        "unknown key {other:?} (known: level1_after_hours, level2_after_hours, level3_after_hours)"
                    ),
                ));
            }
        }
    }
    if e.level2_minutes < e.level1_minutes {
        return Err(err(
            "sla.escalation.level2_after_hours",
            "must not be less than level1_after_hours",
        ));
    }
    if e.level3_minutes < e.level2_minutes {
        return Err(err(
            "sla.escalation.level3_after_hours",
            "must not be less than level2_after_hours",
        ));
    }
    Ok(())
}

fn parse_rules(t: &Table, r: &mut WorkflowRules) -> Result<(), SettingsError> {
    for (k, v) in t {
        let kp = format!("sla.rules.{k}");
        let kp = kp.as_str();
        match k.as_str() {
            "require_resolution_note" => r.require_resolution_note = as_bool(v, kp)?,
            "require_escalation_note" => r.require_escalation_note = as_bool(v, kp)?,
            "escalation_statuses" => r.escalation_statuses = as_strings(v, kp)?,
            "warn_unassigned_in_progress" => r.warn_unassigned_in_progress = as_bool(v, kp)?,
            "in_progress_statuses" => r.in_progress_statuses = as_strings(v, kp)?,
            "warn_reopen" => r.warn_reopen = as_bool(v, kp)?,
            "min_note_chars" => r.min_note_chars = as_int(v, kp, 1, 10_000)? as usize,
            "deny" => {
                r.deny = as_array(v, kp)?
                    .iter()
                    .enumerate()
                    .map(|(i, item)| parse_deny(item, &format!("{kp}[{i}]")))
                    .collect::<Result<_, _>>()?;
            }
            other => {
                return Err(err(
                    kp,
                    format!(
                        "unknown key {other:?} (known: require_resolution_note, require_escalation_note, escalation_statuses, warn_unassigned_in_progress, in_progress_statuses, warn_reopen, min_note_chars, deny)"
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn parse_deny(v: &Value, key: &str) -> Result<DeniedTransition, SettingsError> {
    let t = as_table(v, key)?;
    let mut d = DeniedTransition {
        from: "*".to_string(),
        to: "*".to_string(),
        message: None,
    };
    for (k, v) in t {
        let kp = format!("{key}.{k}");
        match k.as_str() {
            "from" => d.from = as_str(v, &kp)?.trim().to_string(),
            "to" => d.to = as_str(v, &kp)?.trim().to_string(),
            "message" => d.message = Some(as_str(v, &kp)?.trim().to_string()),
            other => {
                return Err(err(
                    &kp,
                    format!("unknown key {other:?} (known: from, to, message)"),
                ));
            }
        }
    }
    if d.from == "*" && d.to == "*" {
        return Err(err(
            key,
            "refusing every transition makes no sense; give `from` or `to`",
        ));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> Result<SlaSettings, SettingsError> {
        let root: Table = src.parse().expect("test TOML parses");
        SlaSettings::from_table(root.get("sla").and_then(Value::as_table), None)
    }

    #[test]
    fn absent_table_gives_defaults() {
        let s = SlaSettings::from_table(None, None).unwrap();
        assert_eq!(s, SlaSettings::default());
        assert_eq!(s.timezone, Tz::UTC);
        assert_eq!(s.hours, BusinessHours::OFFICE);
        assert_eq!(s.targets_for(Some("Critical")).first_response_minutes, 60);
        assert_eq!(s.targets_for(Some("critical")).resolution_minutes, 240);
        assert_eq!(s.targets_for(Some("HIGH")).resolution_minutes, 8 * 60);
        assert_eq!(s.targets_for(Some("Low")).resolution_minutes, 72 * 60);
        // Unknown and missing priorities fall back to Medium.
        assert_eq!(s.targets_for(Some("Whenever")).name, "Medium");
        assert_eq!(s.targets_for(None).first_response_minutes, 240);
        // "P1 - Critical" contains "Critical".
        assert_eq!(s.targets_for(Some("P1 - Critical")).name, "Critical");
    }

    #[test]
    fn tenant_time_zone_is_the_default_and_config_overrides_it() {
        let s = SlaSettings::from_table(None, Some("America/New_York")).unwrap();
        assert_eq!(s.timezone, chrono_tz::America::New_York);
        // A Windows zone name from the server is ignored, not an error.
        let s = SlaSettings::from_table(None, Some("GMT Standard Time")).unwrap();
        assert_eq!(s.timezone, Tz::UTC);
        let t: Table = "timezone = \"Europe/London\"".parse().unwrap();
        let s = SlaSettings::from_table(Some(&t), Some("America/New_York")).unwrap();
        assert_eq!(s.timezone, chrono_tz::Europe::London);
    }

    #[test]
    fn example_toml_parses_to_the_defaults() {
        let s = parse(EXAMPLE_TOML).unwrap();
        assert_eq!(s, SlaSettings::default());
        // The commented-out alternatives are valid too.
        let uncommented = EXAMPLE_TOML
            .replace("# timezone = ", "timezone = ")
            .replace("holidays = []\n# holidays = ", "holidays = ")
            .replace("deny = []\n# deny = ", "deny = ");
        let s = parse(&uncommented).unwrap();
        assert_eq!(s.timezone, chrono_tz::Europe::London);
        assert_eq!(s.holidays.len(), 2);
        assert_eq!(s.rules.deny.len(), 1);
        assert_eq!(s.rules.deny[0].from, "Closed");
    }

    #[test]
    fn every_key_is_read() {
        let s = parse(
            r#"
            [sla]
            timezone = "America/Chicago"
            business_days = ["Sat-Mon", "Wed"]
            business_start = "07:30"
            business_end = "24:00"
            holidays = ["2025-07-04", 2025-12-25]
            waiting_statuses = ["On Hold"]
            complete_statuses = ["Done"]
            stale_waiting_statuses = ["On Hold"]
            stale_waiting_days = 3
            critical_priorities = ["P1"]
            default_priority = "Normal"
            [sla.targets]
            P1 = { first_response_hours = 0.5, resolution_hours = 2 }
            Normal = { resolution_hours = 48 }
            high = { first_response_hours = 3 }
            [sla.escalation]
            level1_after_hours = 0.25
            level2_after_hours = 2
            level3_after_hours = 6
            [sla.rules]
            require_resolution_note = false
            require_escalation_note = false
            escalation_statuses = ["Tier 2"]
            warn_unassigned_in_progress = false
            in_progress_statuses = ["Working"]
            warn_reopen = false
            min_note_chars = 10
            deny = [{ to = "New" }]
            "#,
        )
        .unwrap();
        assert_eq!(s.timezone, chrono_tz::America::Chicago);
        assert_eq!(s.hours.days, [true, false, true, false, false, true, true]);
        assert_eq!((s.hours.start, s.hours.end), (7 * 3600 + 1800, 86_400));
        assert_eq!(
            s.holidays,
            vec![
                NaiveDate::from_ymd_opt(2025, 7, 4).unwrap(),
                NaiveDate::from_ymd_opt(2025, 12, 25).unwrap()
            ]
        );
        assert!(s.is_waiting_status("on hold"));
        assert!(!s.is_waiting_status("Waiting Customer"));
        assert!(s.is_complete_status("DONE"));
        assert_eq!(s.stale_waiting_days, 3);
        assert!(s.is_critical_priority("P1 urgent"));
        assert_eq!(s.targets_for(Some("p1")).first_response_minutes, 30);
        let normal = s.targets_for(Some("something else"));
        assert_eq!(
            (
                normal.name.as_str(),
                normal.first_response_minutes,
                normal.resolution_minutes
            ),
            ("Normal", 240, 48 * 60)
        );
        // Overriding one value of a default priority keeps the other.
        let high = s.targets_for(Some("High"));
        assert_eq!(
            (high.first_response_minutes, high.resolution_minutes),
            (180, 8 * 60)
        );
        assert_eq!(
            s.escalation,
            EscalationThresholds {
                level1_minutes: 15,
                level2_minutes: 120,
                level3_minutes: 360
            }
        );
        let r = &s.rules;
        assert!(
            !r.require_resolution_note
                && !r.require_escalation_note
                && !r.warn_unassigned_in_progress
                && !r.warn_reopen
        );
        assert_eq!(r.escalation_statuses, vec!["Tier 2"]);
        assert_eq!(r.in_progress_statuses, vec!["Working"]);
        assert_eq!(r.min_note_chars, 10);
        assert_eq!(r.complete_statuses, vec!["Done"]);
        assert_eq!(
            r.deny,
            vec![DeniedTransition {
                from: "*".into(),
                to: "New".into(),
                message: None
            }]
        );
    }

    #[test]
    fn bad_values_name_the_key() {
        let cases: &[(&str, &str, &str)] = &[
            (
                "timezone = \"Europe/Londn\"",
                "sla.timezone",
                "unknown time zone",
            ),
            ("timezone = 5", "sla.timezone", "expected a string"),
            ("business_start = \"8am\"", "sla.business_start", "HH:MM"),
            ("business_start = \"24:00\"", "sla.business_start", "HH:MM"),
            ("business_end = \"18:60\"", "sla.business_end", "HH:MM"),
            (
                "business_start = \"18:00\"\nbusiness_end = \"08:00\"",
                "sla.business_end",
                "later than",
            ),
            ("business_days = []", "sla.business_days", "at least one"),
            (
                "business_days = [\"Mon\", \"Funday\"]",
                "sla.business_days[1]",
                "Funday",
            ),
            (
                "holidays = [\"25/12/2025\"]",
                "sla.holidays[0]",
                "YYYY-MM-DD",
            ),
            (
                "holidays = \"2025-12-25\"",
                "sla.holidays",
                "expected a list",
            ),
            (
                "waiting_statuses = [1]",
                "sla.waiting_statuses[0]",
                "expected a string",
            ),
            (
                "stale_waiting_days = 0",
                "sla.stale_waiting_days",
                "from 1 to 3650",
            ),
            (
                "stale_waiting_days = \"7\"",
                "sla.stale_waiting_days",
                "whole number",
            ),
            (
                "default_priority = \"Urgent\"",
                "sla.default_priority",
                "not one of",
            ),
            ("bogus = 1", "sla.bogus", "unknown key"),
            ("targets = 3", "sla.targets", "expected a table"),
            (
                "[sla.targets.High]\nresolution_hours = -1",
                "sla.targets.High.resolution_hours",
                "from 0",
            ),
            (
                "[sla.targets.High]\nresolution_hours = \"8h\"",
                "sla.targets.High.resolution_hours",
                "number of hours",
            ),
            (
                "[sla.targets.High]\nresponse = 1",
                "sla.targets.High.response",
                "unknown key",
            ),
            (
                "[sla.escalation]\nlevel2_after_hours = 10",
                "sla.escalation.level3_after_hours",
                "not be less",
            ),
            (
                "[sla.escalation]\nlevel4_after_hours = 10",
                "sla.escalation.level4_after_hours",
                "unknown key",
            ),
            (
                "[sla.rules]\nwarn_reopen = \"yes\"",
                "sla.rules.warn_reopen",
                "true or false",
            ),
            (
                "[sla.rules]\nmin_note_chars = 0",
                "sla.rules.min_note_chars",
                "from 1",
            ),
            (
                "[sla.rules]\ndeny = [{ from = \"*\" }]",
                "sla.rules.deny[0]",
                "makes no sense",
            ),
            (
                "[sla.rules]\ndeny = [{ form = \"Closed\" }]",
                "sla.rules.deny[0].form",
                "unknown key",
            ),
            ("[sla.rules]\nnope = true", "sla.rules.nope", "unknown key"),
        ];
        for (body, key, needle) in cases {
            let e = parse(&format!("[sla]\n{body}\n")).expect_err(body);
            assert_eq!(&e.key, key, "{body}");
            assert!(e.to_string().contains(needle), "{body}: {e}");
            assert!(e.to_string().contains(key), "{body}: {e}");
        }
    }

    #[test]
    fn times_accept_seconds_and_24_00_end() {
        let s = parse("[sla]\nbusiness_start = \"00:00\"\nbusiness_end = \"24:00\"\nbusiness_days = \"Mon-Sun\"").unwrap();
        assert_eq!(s.hours, BusinessHours::ALWAYS);
        let s = parse("[sla]\nbusiness_start = \"08:30:15\"").unwrap();
        assert_eq!(s.hours.start, 8 * 3600 + 30 * 60 + 15);
    }

    #[test]
    fn escalation_levels_at_band_edges() {
        let e = EscalationThresholds::default();
        assert_eq!(e.level(-5), 0);
        assert_eq!(e.level(0), 0);
        assert_eq!(e.level(1), 1);
        assert_eq!(e.level(239), 1);
        assert_eq!(e.level(240), 2);
        assert_eq!(e.level(479), 2);
        assert_eq!(e.level(480), 3);
        assert_eq!(e.level(100_000), 3);
        let e = EscalationThresholds {
            level1_minutes: 30,
            level2_minutes: 60,
            level3_minutes: 60,
        };
        assert_eq!(e.level(29), 0);
        assert_eq!(e.level(30), 1);
        assert_eq!(e.level(60), 3);
    }

    #[test]
    fn name_matching_prefers_exact_then_longest() {
        let names = ["High", "Very High", "Low"];
        assert_eq!(match_name(names.iter().copied(), "very high"), Some(1));
        assert_eq!(match_name(names.iter().copied(), "P0 Very-High"), Some(1));
        assert_eq!(match_name(names.iter().copied(), "2 - High"), Some(0));
        assert_eq!(match_name(names.iter().copied(), "Medium"), None);
        assert_eq!(match_name(names.iter().copied(), "  "), None);
    }
}

#[cfg(test)]
mod example_config_tests {
    use super::*;

    /// The `[sla]` block of `config.example.toml`, uncommented, is valid and gives the defaults.
    #[test]
    fn config_example_sla_block_parses() {
        let text = include_str!("../../../../config.example.toml");
        let block: String = text
            .lines()
            .skip_while(|l| *l != "# example-begin sla")
            .skip(1)
            .take_while(|l| *l != "# example-end sla")
            .map(|l| l.strip_prefix("# ").unwrap_or(l.trim_start_matches('#')))
            .collect::<Vec<_>>()
            .join("\n");
        let table: Table = toml::from_str(&block).expect("sla block is TOML");
        let sla = table
            .get("sla")
            .and_then(Value::as_table)
            .expect("[sla] table");
        let parsed = SlaSettings::from_table(Some(sla), None).expect("valid settings");
        let defaults = SlaSettings::from_table(None, None).expect("defaults");
        assert_eq!(format!("{parsed:?}"), format!("{defaults:?}"));
    }
}
