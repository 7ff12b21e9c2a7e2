//! Per-ticket SLA state: first-response and resolution deadlines, pause/stop, time to breach,
//! escalation level and triage flags.
//!
//! Where the deadlines come from, best first:
//! 1. `…/slainfo` remaining minutes, when the caller has them (with the time they were fetched);
//! 2. the target times on the ticket row (`firstResponseTargetTime`, `resolutionTargetTime`);
//! 3. computed: open date + the priority's target in business time (+ earlier pauses).
//!
//! All remaining/overdue amounts are **business** minutes (the SLA clock only runs in business
//! hours), so "45m" on Friday at 17:30 means 45 minutes of working time. A deadline whose instant
//! has passed counts as breached even while the business clock is closed.
//!
//! The clock pauses while the status is a waiting status (or the server says `isSLAPaused`):
//! remaining time is frozen at the pause start (`slaLastPausedTime`, else `lastStatusUpdate`,
//! else now). It stops when the status is a complete status; met/missed is then decided by the
//! actual times (`firstResponseActualTime`, `resolutionActualTime`, else `completedDate`), and
//! by the server's `hasMetSLA` when no time is known.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use super::calendar::{BPos, BusinessCalendar};
use super::sla_settings::SlaSettings;
use crate::model::{SlaInfo, TicketRow};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeadlineSource {
    /// From the server (target time on the row, or `slainfo`).
    Server,
    /// Computed here from the priority targets and business hours.
    Computed,
}

/// One SLA objective (first response or resolution).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Deadline {
    /// When it falls due. While paused: where it would fall if the clock resumed now.
    pub due: Option<DateTime<Utc>>,
    /// Business minutes left (negative = breached, rounded towards the past). Frozen while
    /// paused. Once decided, the margin at the actual time (negative = that late).
    pub remaining_minutes: Option<i64>,
    /// `Some` once decided: met or missed.
    pub met: Option<bool>,
    pub source: DeadlineSource,
}

impl Deadline {
    fn unknown(met: Option<bool>) -> Self {
        Deadline {
            due: None,
            remaining_minutes: None,
            met,
            source: DeadlineSource::Computed,
        }
    }

    /// Still running (or paused) with a known remaining time.
    pub fn is_pending(&self) -> bool {
        self.met.is_none() && self.remaining_minutes.is_some()
    }

    /// Missed, or pending and past due.
    pub fn is_breached(&self) -> bool {
        self.met == Some(false)
            || (self.met.is_none() && self.remaining_minutes.is_some_and(|r| r < 0))
    }

    fn pending_remaining(&self) -> Option<i64> {
        if self.met.is_none() {
            self.remaining_minutes
        } else {
            None
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SlaFlag {
    /// A critical-priority ticket with nobody assigned.
    CriticalUnassigned,
    /// In a customer-waiting status with no activity for more than `stale_waiting_days`.
    StaleWaiting,
}

/// Escalation level 0–3 from the business time the most overdue pending deadline is past.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Escalation {
    pub level: u8,
    pub overdue_minutes: i64,
}

/// How soon a ticket breaches, for colouring and for the per-queue pulse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DueBand {
    Breached,
    /// Due in under 1 business hour.
    Under1h,
    /// 1 to 4 business hours.
    Within4h,
    /// 4 to 24 business hours.
    Within24h,
    Later,
    Paused,
    /// Running, but no deadline is known.
    NoDeadline,
    Stopped,
}

/// Sort key: running tickets by time left (breached, most overdue, first), then running
/// tickets without a deadline, then paused tickets, then stopped ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BreachKey {
    group: u8,
    minutes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlaState {
    pub first_response: Deadline,
    pub resolution: Deadline,
    pub paused: bool,
    pub stopped: bool,
    pub escalation: Escalation,
    pub flags: Vec<SlaFlag>,
}

impl SlaState {
    /// Business minutes to the next pending deadline (negative = breached).
    pub fn next_remaining_minutes(&self) -> Option<i64> {
        match (
            self.first_response.pending_remaining(),
            self.resolution.pending_remaining(),
        ) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The key to sort a ticket list by "breaches next".
    pub fn time_to_breach(&self) -> BreachKey {
        let (group, minutes) = match (self.stopped, self.paused, self.next_remaining_minutes()) {
            (true, _, _) => (3, 0),
            (false, false, Some(m)) => (0, m),
            (false, false, None) => (1, 0),
            (false, true, m) => (2, m.unwrap_or(i64::MAX)),
        };
        BreachKey { group, minutes }
    }

    pub fn band(&self) -> DueBand {
        if self.stopped {
            return DueBand::Stopped;
        }
        if self.paused {
            return DueBand::Paused;
        }
        match self.next_remaining_minutes() {
            None => DueBand::NoDeadline,
            Some(m) if m < 0 => DueBand::Breached,
            Some(m) if m < 60 => DueBand::Under1h,
            Some(m) if m < 4 * 60 => DueBand::Within4h,
            Some(m) if m < 24 * 60 => DueBand::Within24h,
            Some(_) => DueBand::Later,
        }
    }

    /// The ticket's SLA verdict so far: `Some(false)` once any deadline is missed (decided, or
    /// pending and past due), `Some(true)` once stopped with the resolution met and the first
    /// response not missed, else `None` (undecided).
    pub fn verdict(&self) -> Option<bool> {
        if self.first_response.is_breached() || self.resolution.is_breached() {
            return Some(false);
        }
        if self.stopped && self.resolution.met == Some(true) {
            return Some(true);
        }
        None
    }

    /// Breached, or running with less than `minutes` business minutes to the next deadline
    /// (the "Breaching < 60 m" triage view). Paused tickets count only once past due; stopped
    /// ones never.
    pub fn breaching_within(&self, minutes: i64) -> bool {
        !self.stopped
            && self
                .next_remaining_minutes()
                .is_some_and(|r| r < 0 || (!self.paused && r < minutes))
    }

    pub fn has_flag(&self, flag: SlaFlag) -> bool {
        self.flags.contains(&flag)
    }

    /// The short list-column text (at most 7 characters); see [`format_column`].
    pub fn column(&self) -> String {
        format_column(self)
    }
}

/// List-column text: `"45m"`, `"2h10m"`, `"-1h05m"` (breached), `"⏸ 3h"` (paused), `"✓"` / `"✗"`
/// (stopped: met / missed), `"—"` (nothing known). Never more than 7 characters.
pub fn format_column(state: &SlaState) -> String {
    if state.stopped {
        return match state.verdict() {
            Some(true) => "✓".to_string(),
            Some(false) => "✗".to_string(),
            None => "—".to_string(),
        };
    }
    match (state.paused, state.next_remaining_minutes()) {
        (_, None) if state.paused => "⏸".to_string(),
        (_, None) => "—".to_string(),
        (true, Some(m)) => format!("⏸ {}", format_coarse(m)),
        (false, Some(m)) => format_remaining(m),
    }
}

/// One objective as list text: the time left while pending (`"45m"`, `"-1h05m"`, `"⏸ 3h"` while
/// `paused`), `"✓"` / `"✗"` once met / missed, `"—"` when unknown. At most 7 characters.
pub fn format_deadline(d: &Deadline, paused: bool) -> String {
    match (d.met, d.remaining_minutes) {
        (Some(true), _) => "✓".to_string(),
        (Some(false), _) => "✗".to_string(),
        (None, Some(m)) if paused => format!("⏸ {}", format_coarse(m)),
        (None, Some(m)) => format_remaining(m),
        (None, None) => "—".to_string(),
    }
}

/// Minutes as `"45m"`, `"2h10m"`, `"-1h05m"`; from 100 h `"123h"`, from 10 000 h `"417d"`
/// (days of 24 h). At most 7 characters.
pub fn format_remaining(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    let a = minutes.unsigned_abs();
    if a < 60 {
        format!("{sign}{a}m")
    } else if a < 100 * 60 {
        format!("{sign}{}h{:02}m", a / 60, a % 60)
    } else if a < 10_000 * 60 {
        format!("{sign}{}h", a / 60)
    } else {
        format!("{sign}{}d", (a / 1440).min(99_999))
    }
}

/// Minutes as `"45m"`, `"3h"`, `"41d"`: at most 5 characters.
fn format_coarse(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    let a = minutes.unsigned_abs();
    if a < 60 {
        format!("{sign}{a}m")
    } else if a < 1000 * 60 {
        format!("{sign}{}h", a / 60)
    } else {
        format!("{sign}{}d", (a / 1440).min(999))
    }
}

/// Computes [`SlaState`]s with one set of settings. Build once per settings change and share.
#[derive(Debug, Clone)]
pub struct SlaEngine {
    settings: SlaSettings,
    calendar: BusinessCalendar,
}

/// Inputs for one objective.
struct Objective {
    server_target: Option<DateTime<Utc>>,
    /// `slainfo` remaining minutes and when they were fetched.
    info_remaining: Option<(f64, DateTime<Utc>)>,
    target_minutes: i64,
    actual: Option<DateTime<Utc>>,
    /// Verdict to use when stopped without an actual time.
    fallback_met: Option<bool>,
}

/// What the settings say about one status name.
#[derive(Debug, Clone, Copy)]
struct StatusClass {
    complete: bool,
    waiting: bool,
    stale_waiting: bool,
}

/// What the settings say about one priority name.
#[derive(Debug, Clone, Copy)]
struct PriorityClass {
    target: usize,
    critical: bool,
}

/// FNV-1a: a fast hasher for the short name keys of per-call caches (not exposed to input
/// chosen to collide: the keys are the tenant's own status and priority names).
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub(crate) type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// Per-ticket clock context shared by both objectives.
struct Clock {
    start: Option<BPos>,
    past_pause_secs: i64,
    now_p: BPos,
    /// Where the clock stands: `now`, or the pause start while paused.
    at: DateTime<Utc>,
    at_p: BPos,
    paused: bool,
    stopped: bool,
}

impl SlaEngine {
    pub fn new(settings: SlaSettings) -> Self {
        let calendar = settings.calendar();
        SlaEngine { settings, calendar }
    }

    pub fn settings(&self) -> &SlaSettings {
        &self.settings
    }

    pub fn calendar(&self) -> &BusinessCalendar {
        &self.calendar
    }

    /// The SLA state of one ticket at `now`, from the row alone.
    pub fn state(&self, ticket: &TicketRow, now: DateTime<Utc>) -> SlaState {
        self.state_with_info(ticket, None, now)
    }

    /// The SLA state of one ticket, using `…/slainfo` when the caller has it: `(info, the time
    /// it was fetched)`. Its remaining minutes win over the row's target times for the time left.
    pub fn state_with_info(
        &self,
        ticket: &TicketRow,
        info: Option<(&SlaInfo, DateTime<Utc>)>,
        now: DateTime<Utc>,
    ) -> SlaState {
        let status = status_of(ticket).map(|st| self.classify_status(st));
        let priority = self.classify_priority(ticket.priority_name.as_deref());
        self.eval(ticket, status, priority, info, now, self.calendar.pos(now))
    }

    /// States of many tickets, in the same order. Names are classified once per distinct name.
    pub fn states(&self, tickets: &[TicketRow], now: DateTime<Utc>) -> Vec<SlaState> {
        let now_p = self.calendar.pos(now);
        let mut statuses: FnvMap<&str, StatusClass> = FnvMap::default();
        let mut priorities: FnvMap<&str, PriorityClass> = FnvMap::default();
        tickets
            .iter()
            .map(|t| {
                let status = status_of(t).map(|st| {
                    *statuses
                        .entry(st)
                        .or_insert_with(|| self.classify_status(st))
                });
                let p = t.priority_name.as_deref().unwrap_or("");
                let priority = *priorities
                    .entry(p)
                    .or_insert_with(|| self.classify_priority(Some(p)));
                self.eval(t, status, priority, None, now, now_p)
            })
            .collect()
    }

    fn classify_status(&self, status: &str) -> StatusClass {
        let s = &self.settings;
        StatusClass {
            complete: s.is_complete_status(status),
            waiting: s.is_waiting_status(status),
            stale_waiting: s.is_stale_waiting_status(status),
        }
    }

    fn classify_priority(&self, priority: Option<&str>) -> PriorityClass {
        let s = &self.settings;
        PriorityClass {
            target: s.target_index(priority),
            critical: priority.is_some_and(|p| s.is_critical_priority(p)),
        }
    }

    fn eval(
        &self,
        t: &TicketRow,
        status: Option<StatusClass>,
        priority: PriorityClass,
        info: Option<(&SlaInfo, DateTime<Utc>)>,
        now: DateTime<Utc>,
        now_p: BPos,
    ) -> SlaState {
        let s = &self.settings;
        let cal = &self.calendar;
        let stopped = match status {
            Some(st) => st.complete,
            None => t.completed_date.is_some() || t.resolution_actual_time.is_some(),
        };
        let paused =
            !stopped && (t.is_sla_paused == Some(true) || status.is_some_and(|st| st.waiting));
        let opened = t.open_date.or(t.created_on);
        let at = if paused {
            pause_start(t, now, opened)
        } else {
            now
        };
        let clock = Clock {
            start: opened.map(|o| cal.pos(o)),
            past_pause_secs: self.past_pause_secs(t),
            now_p,
            at,
            at_p: if paused { cal.pos(at) } else { now_p },
            paused,
            stopped,
        };
        let target = s.target_at(priority.target);
        let completion = if stopped {
            t.resolution_actual_time.or(t.completed_date)
        } else {
            None
        };

        let first_response = self.deadline(
            &clock,
            Objective {
                server_target: t.first_response_target_time,
                info_remaining: info.and_then(|(i, f)| i.respond_remaining.map(|r| (r, f))),
                target_minutes: target.first_response_minutes,
                // A resolution is a response too.
                actual: t.first_response_actual_time.or(completion),
                fallback_met: None,
            },
        );
        let resolution = self.deadline(
            &clock,
            Objective {
                server_target: t.resolution_target_time,
                info_remaining: info.and_then(|(i, f)| i.resolve_remaining.map(|r| (r, f))),
                target_minutes: target.resolution_minutes,
                actual: completion,
                fallback_met: if stopped { t.has_met_sla } else { None },
            },
        );

        let mut state = SlaState {
            first_response,
            resolution,
            paused,
            stopped,
            escalation: Escalation::default(),
            flags: Vec::new(),
        };
        if !stopped {
            if let Some(m) = state.next_remaining_minutes().filter(|m| *m < 0) {
                let overdue = m.saturating_neg();
                state.escalation = Escalation {
                    level: s.escalation.level(overdue),
                    overdue_minutes: overdue,
                };
            }
            let unassigned = t.assignee_id.is_none_or(|id| id <= 0)
                && t.assignee_name
                    .as_deref()
                    .is_none_or(|n| n.trim().is_empty());
            if unassigned && priority.critical {
                state.flags.push(SlaFlag::CriticalUnassigned);
            }
            if status.is_some_and(|st| st.stale_waiting) {
                let last = t
                    .last_activity_update
                    .or(t.last_status_update)
                    .or(t.modified_on)
                    .or(opened);
                if last.is_some_and(|l| now - l > Duration::days(i64::from(s.stale_waiting_days))) {
                    state.flags.push(SlaFlag::StaleWaiting);
                }
            }
        }
        state
    }

    fn deadline(&self, c: &Clock, o: Objective) -> Deadline {
        let cal = &self.calendar;
        let mut info_rem: Option<(BPos, i64)> = None;
        let (due_p, source) = if let Some((rem, fetched)) = o.info_remaining {
            let f_p = cal.pos(fetched);
            let rem_s = minutes_to_secs(rem);
            info_rem = Some((f_p, rem_s));
            let p = match o.server_target {
                Some(tt) => cal.pos(tt),
                None => cal.advance(f_p, rem_s),
            };
            (p, DeadlineSource::Server)
        } else if let Some(tt) = o.server_target {
            (cal.pos(tt), DeadlineSource::Server)
        } else if let Some(start) = c.start {
            let secs = o
                .target_minutes
                .saturating_mul(60)
                .saturating_add(c.past_pause_secs);
            (cal.advance(start, secs), DeadlineSource::Computed)
        } else {
            let met = if c.stopped && o.actual.is_none() {
                o.fallback_met
            } else {
                None
            };
            return Deadline::unknown(met);
        };
        let due = o.server_target.unwrap_or_else(|| cal.at(due_p));

        if let Some(actual) = o.actual {
            let margin = cal.diff(cal.pos(actual), due_p);
            return Deadline {
                due: Some(due),
                remaining_minutes: Some(margin.div_euclid(60)),
                met: Some(actual <= due),
                source,
            };
        }
        if c.stopped {
            return Deadline {
                due: Some(due),
                remaining_minutes: None,
                met: o.fallback_met,
                source,
            };
        }
        let mut rem_s = match info_rem {
            // The server's figure was right at fetch time; the clock has run since, unless it
            // was already paused then.
            Some((f_p, rem_s)) => rem_s.saturating_sub(cal.diff(f_p, c.at_p).max(0)),
            None => cal.diff(c.at_p, due_p),
        };
        if c.at > due {
            // Past the instant even if no business time has run since (due at 18:00 Friday,
            // now Saturday): breached.
            rem_s = rem_s.min(-1);
        }
        let due = if c.paused {
            cal.at(cal.advance(c.now_p, rem_s))
        } else {
            due
        };
        Deadline {
            due: Some(due),
            remaining_minutes: Some(rem_s.div_euclid(60)),
            met: None,
            source,
        }
    }

    /// Earlier, finished pauses: `actualPauseMinutes` (taken as business minutes), else the
    /// last paused..resumed span.
    fn past_pause_secs(&self, t: &TicketRow) -> i64 {
        if let Some(m) = t.actual_pause_minutes {
            return m.max(0).saturating_mul(60);
        }
        match (t.sla_last_paused_time, t.sla_last_resumed_time) {
            (Some(p), Some(r)) if r > p => self.calendar.seconds_between(p, r),
            _ => 0,
        }
    }
}

/// The trimmed status name, if any.
fn status_of(t: &TicketRow) -> Option<&str> {
    t.status_name
        .as_deref()
        .map(str::trim)
        .filter(|x| !x.is_empty())
}

/// When the current pause began: `slaLastPausedTime` (if not followed by a resume), else
/// `lastStatusUpdate`, else now; never in the future nor before the ticket opened.
fn pause_start(t: &TicketRow, now: DateTime<Utc>, opened: Option<DateTime<Utc>>) -> DateTime<Utc> {
    let last_pause = t
        .sla_last_paused_time
        .filter(|p| t.sla_last_resumed_time.is_none_or(|r| *p >= r));
    let start = [last_pause, t.last_status_update]
        .into_iter()
        .flatten()
        .find(|p| *p <= now)
        .unwrap_or(now);
    match opened {
        Some(o) if o > start && o <= now => o,
        _ => start,
    }
}

/// `slainfo` minutes (a double of undocumented unit: a guess, `guesses::SLA_INFO_SECS`) as
/// seconds.
fn minutes_to_secs(m: f64) -> i64 {
    if m.is_finite() {
        (m * crate::guesses::SLA_INFO_SECS)
            .round()
            .clamp(-1e12, 1e12) as i64
    } else {
        0
    }
}

/// Indices of `states` in "breaches next" order (stable for equal keys).
pub fn breach_order(states: &[SlaState]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..states.len()).collect();
    idx.sort_by_key(|&i| states[i].time_to_breach());
    idx
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::{Europe, Tz, US};

    fn engine(tz: Tz) -> SlaEngine {
        SlaEngine::new(SlaSettings {
            timezone: tz,
            ..SlaSettings::default()
        })
    }

    fn at(tz: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        tz.with_ymd_and_hms(y, m, d, h, min, 0)
            .earliest()
            .unwrap()
            .with_timezone(&Utc)
    }

    fn lon(d: u32, h: u32, min: u32) -> DateTime<Utc> {
        // January 2025: Monday the 6th, 13th, 20th, 27th.
        at(Europe::London, 2025, 1, d, h, min)
    }

    fn row(priority: &str, status: &str, opened: DateTime<Utc>) -> TicketRow {
        TicketRow {
            id: 1,
            ticket_number: "T1".into(),
            priority_name: Some(priority.into()),
            status_name: Some(status.into()),
            open_date: Some(opened),
            assignee_id: Some(7),
            assignee_name: Some("Sam".into()),
            ..Default::default()
        }
    }

    #[test]
    fn friday_1730_london_critical_first_response_due_monday_0830() {
        let e = engine(Europe::London);
        let t = row("Critical", "New", lon(10, 17, 30));
        let s = e.state(&t, lon(10, 17, 45));
        assert_eq!(s.first_response.due, Some(lon(13, 8, 30)));
        assert_eq!(s.first_response.remaining_minutes, Some(45));
        assert_eq!(s.first_response.source, DeadlineSource::Computed);
        // Resolution 4 h: 30 min Friday + 3.5 h Monday = Monday 11:30.
        assert_eq!(s.resolution.due, Some(lon(13, 11, 30)));
        assert_eq!(s.resolution.remaining_minutes, Some(225));
        assert_eq!(s.column(), "45m");
        assert_eq!(s.band(), DueBand::Under1h);
        // Over the weekend nothing is used up.
        let s = e.state(&t, lon(12, 12, 0));
        assert_eq!(s.first_response.remaining_minutes, Some(30));
        // Monday 09:00: 30 min late.
        let s = e.state(&t, lon(13, 9, 0));
        assert_eq!(s.first_response.remaining_minutes, Some(-30));
        assert_eq!(
            s.escalation,
            Escalation {
                level: 1,
                overdue_minutes: 30
            }
        );
        assert_eq!(s.column(), "-30m");
        assert_eq!(s.band(), DueBand::Breached);
    }

    #[test]
    fn us_eastern_ticket_across_march_dst_change() {
        let e = engine(US::Eastern);
        // High priority (8 h resolution) opened Friday 7 March 2025 14:00 EST.
        let t = row("High", "In Progress", at(US::Eastern, 2025, 3, 7, 14, 0));
        let s = e.state(&t, at(US::Eastern, 2025, 3, 7, 15, 0));
        // 4 h Friday, 4 h Monday (now EDT): Monday 12:00 local = 16:00Z, not 17:00Z.
        assert_eq!(s.resolution.due, Some(at(US::Eastern, 2025, 3, 10, 12, 0)));
        assert_eq!(
            s.resolution.due.unwrap().to_rfc3339(),
            "2025-03-10T16:00:00+00:00"
        );
        assert_eq!(s.resolution.remaining_minutes, Some(7 * 60));
        assert_eq!(
            s.first_response.due,
            Some(at(US::Eastern, 2025, 3, 7, 16, 0))
        );
    }

    #[test]
    fn holidays_push_computed_deadlines() {
        let e = SlaEngine::new(SlaSettings {
            timezone: Europe::London,
            holidays: vec![chrono::NaiveDate::from_ymd_opt(2025, 1, 13).unwrap()],
            ..SlaSettings::default()
        });
        let t = row("Critical", "New", lon(10, 17, 30));
        let s = e.state(&t, lon(10, 17, 45));
        assert_eq!(s.first_response.due, Some(lon(14, 8, 30)));
    }

    #[test]
    fn server_target_times_take_precedence() {
        let e = engine(Europe::London);
        let mut t = row("Critical", "New", lon(13, 9, 0));
        t.first_response_target_time = Some(lon(13, 12, 0));
        t.resolution_target_time = Some(lon(14, 17, 0));
        let s = e.state(&t, lon(13, 10, 0));
        assert_eq!(s.first_response.due, Some(lon(13, 12, 0)));
        assert_eq!(s.first_response.remaining_minutes, Some(120));
        assert_eq!(s.first_response.source, DeadlineSource::Server);
        // Remaining is business time: 8 h Monday + 9 h Tuesday.
        assert_eq!(s.resolution.remaining_minutes, Some(17 * 60));
        assert_eq!(s.resolution.source, DeadlineSource::Server);
        assert_eq!(s.column(), "2h00m");
    }

    #[test]
    fn slainfo_remaining_wins_and_keeps_running_from_fetch_time() {
        let e = engine(Europe::London);
        let mut t = row("Low", "In Progress", lon(13, 9, 0));
        t.resolution_target_time = Some(lon(20, 9, 0));
        let info = SlaInfo {
            respond_remaining: Some(-15.0),
            resolve_remaining: Some(90.0),
            ..Default::default()
        };
        let s = e.state_with_info(&t, Some((&info, lon(13, 10, 0))), lon(13, 10, 30));
        assert_eq!(s.resolution.remaining_minutes, Some(60));
        assert_eq!(
            s.resolution.due,
            Some(lon(20, 9, 0)),
            "row target shown as the due time"
        );
        assert_eq!(s.resolution.source, DeadlineSource::Server);
        assert_eq!(s.first_response.remaining_minutes, Some(-45));
        assert_eq!(s.first_response.due, Some(lon(13, 9, 45)));
        assert_eq!(s.first_response.source, DeadlineSource::Server);
    }

    #[test]
    fn waiting_status_freezes_the_clock_at_the_pause_start() {
        let e = engine(Europe::London);
        let mut t = row("Medium", "Waiting Customer", lon(13, 9, 0));
        t.first_response_actual_time = Some(lon(13, 9, 30));
        // Paused Monday 11:00, 22 of the 24 resolution hours left.
        t.sla_last_paused_time = Some(lon(13, 11, 0));
        for now in [lon(13, 11, 0), lon(15, 16, 0), lon(27, 9, 0)] {
            let s = e.state(&t, now);
            assert!(s.paused && !s.stopped);
            assert_eq!(s.resolution.remaining_minutes, Some(22 * 60));
            assert_eq!(s.column(), "⏸ 22h");
            assert_eq!(s.band(), DueBand::Paused);
            assert_eq!(s.escalation.level, 0);
        }
        // `due` is where the deadline lands if resumed now: Wednesday 16:00 + 22 h (2 h Wednesday,
        // 10 h Thursday, 10 h Friday) = Friday 18:00.
        let s = e.state(&t, lon(15, 16, 0));
        assert_eq!(s.resolution.due, Some(lon(17, 18, 0)));
        // A resumed pause does not freeze; the server flag alone pauses, from lastStatusUpdate.
        let mut t2 = row("Medium", "In Progress", lon(13, 9, 0));
        t2.sla_last_paused_time = Some(lon(13, 10, 0));
        t2.sla_last_resumed_time = Some(lon(13, 12, 0));
        t2.is_sla_paused = Some(true);
        t2.last_status_update = Some(lon(13, 14, 0));
        let s = e.state(&t2, lon(14, 9, 0));
        assert!(s.paused);
        // 24 h + the finished 2 h pause - 5 h run before 14:00 = 21 h.
        assert_eq!(s.resolution.remaining_minutes, Some(21 * 60));
    }

    #[test]
    fn finished_pauses_extend_computed_deadlines() {
        let e = engine(Europe::London);
        let mut t = row("Critical", "In Progress", lon(13, 9, 0));
        t.actual_pause_minutes = Some(90);
        let s = e.state(&t, lon(13, 9, 0));
        assert_eq!(s.resolution.due, Some(lon(13, 14, 30)));
        // Without the minutes, the last paused..resumed span counts, in business time only:
        // Friday 17:00 to Monday 09:00 is 2 h.
        t.actual_pause_minutes = None;
        t.sla_last_paused_time = Some(lon(10, 17, 0));
        t.sla_last_resumed_time = Some(lon(13, 9, 0));
        let s = e.state(&t, lon(13, 9, 0));
        assert_eq!(s.resolution.due, Some(lon(13, 15, 0)));
        // Server targets are taken as already adjusted.
        t.resolution_target_time = Some(lon(13, 13, 0));
        assert_eq!(
            e.state(&t, lon(13, 9, 0)).resolution.due,
            Some(lon(13, 13, 0))
        );
    }

    #[test]
    fn completed_tickets_stop_with_met_or_missed() {
        let e = engine(Europe::London);
        let mut t = row("High", "Completed", lon(13, 9, 0));
        t.first_response_actual_time = Some(lon(13, 10, 0));
        t.resolution_actual_time = Some(lon(13, 16, 0));
        let s = e.state(&t, lon(20, 9, 0));
        assert!(s.stopped && !s.paused);
        assert_eq!(s.first_response.met, Some(true));
        assert_eq!(s.first_response.remaining_minutes, Some(60));
        assert_eq!(s.resolution.met, Some(true));
        assert_eq!(s.resolution.remaining_minutes, Some(60));
        assert_eq!(s.verdict(), Some(true));
        assert_eq!(s.column(), "✓");
        assert_eq!(s.escalation.level, 0);
        assert_eq!(s.band(), DueBand::Stopped);
        // Completed late, known only by completedDate; a resolution also answers the first
        // response.
        let mut late = row("High", "closed", lon(13, 9, 0));
        late.completed_date = Some(lon(14, 12, 0));
        let s = e.state(&late, lon(20, 9, 0));
        assert_eq!(s.resolution.met, Some(false));
        // Due Monday 17:00: 1 h Monday + 4 h Tuesday late.
        assert_eq!(s.resolution.remaining_minutes, Some(-5 * 60));
        assert_eq!(s.first_response.met, Some(false));
        assert_eq!(s.column(), "✗");
        // No times at all: the server's hasMetSLA decides.
        let mut bare = row("High", "Resolved", lon(13, 9, 0));
        bare.has_met_sla = Some(true);
        let s = e.state(&bare, lon(20, 9, 0));
        assert_eq!(
            (s.resolution.met, s.verdict(), s.column().as_str()),
            (Some(true), Some(true), "✓")
        );
        bare.has_met_sla = None;
        assert_eq!(e.state(&bare, lon(20, 9, 0)).column(), "—");
    }

    #[test]
    fn first_response_is_decided_while_resolution_runs() {
        let e = engine(Europe::London);
        let mut t = row("High", "In Progress", lon(13, 9, 0));
        t.first_response_actual_time = Some(lon(13, 12, 0));
        let s = e.state(&t, lon(13, 13, 0));
        assert_eq!(s.first_response.met, Some(false));
        assert_eq!(s.first_response.remaining_minutes, Some(-60));
        assert!(!s.first_response.is_pending());
        assert_eq!(s.resolution.remaining_minutes, Some(4 * 60));
        assert_eq!(s.next_remaining_minutes(), Some(240));
        // Missed already, though the ticket is still open.
        assert_eq!(s.verdict(), Some(false));
        assert_eq!(s.escalation.level, 0);
        assert_eq!(s.column(), "4h00m");
    }

    #[test]
    fn escalation_levels_at_band_edges() {
        let e = engine(Europe::London);
        let mut t = row("High", "In Progress", lon(13, 8, 0));
        t.first_response_actual_time = Some(lon(13, 8, 5));
        // Resolution due Monday 16:00 (8 h).
        let cases = [
            (lon(13, 16, 0), 0, 0),
            (lon(13, 16, 1), 1, 1),
            // 2 h Monday evening + Tuesday morning.
            (lon(14, 9, 59), 1, 239),
            (lon(14, 10, 0), 2, 240),
            (lon(14, 13, 59), 2, 479),
            (lon(14, 14, 0), 3, 480),
        ];
        for (now, level, overdue) in cases {
            let s = e.state(&t, now);
            assert_eq!(s.escalation.level, level, "at {now}");
            assert_eq!(s.escalation.overdue_minutes, overdue, "at {now}");
        }
        // Thirty seconds late is one minute overdue.
        let s = e.state(&t, lon(13, 16, 0) + Duration::seconds(30));
        assert_eq!(s.resolution.remaining_minutes, Some(-1));
        assert_eq!(s.escalation.level, 1);
    }

    #[test]
    fn due_at_close_is_breached_overnight() {
        let e = engine(Europe::London);
        let t = row("Critical", "New", lon(10, 17, 0));
        let s = e.state(&t, lon(11, 10, 0));
        assert_eq!(s.first_response.due, Some(lon(10, 18, 0)));
        assert_eq!(s.first_response.remaining_minutes, Some(-1));
        assert!(s.first_response.is_breached());
    }

    #[test]
    fn flags() {
        let e = engine(Europe::London);
        let mut t = row("P1 - Critical", "New", lon(13, 9, 0));
        t.assignee_id = None;
        t.assignee_name = None;
        assert_eq!(
            e.state(&t, lon(13, 9, 10)).flags,
            vec![SlaFlag::CriticalUnassigned]
        );
        t.assignee_id = Some(0);
        t.assignee_name = Some(" ".into());
        assert!(
            e.state(&t, lon(13, 9, 10))
                .has_flag(SlaFlag::CriticalUnassigned)
        );
        t.assignee_id = Some(3);
        assert!(e.state(&t, lon(13, 9, 10)).flags.is_empty());
        let mut low = row("Low", "New", lon(13, 9, 0));
        low.assignee_id = None;
        assert!(e.state(&low, lon(13, 9, 10)).flags.is_empty());

        let mut w = row("Medium", "Waiting Customer", lon(6, 9, 0));
        w.last_activity_update = Some(lon(13, 9, 0));
        assert!(
            e.state(&w, lon(20, 9, 0)).flags.is_empty(),
            "exactly 7 days is not stale"
        );
        let s = e.state(&w, lon(20, 9, 1));
        assert_eq!(s.flags, vec![SlaFlag::StaleWaiting]);
        // Waiting on materials is not waiting on the customer.
        w.status_name = Some("Waiting Materials".into());
        assert!(e.state(&w, lon(27, 9, 0)).flags.is_empty());
        // Completed tickets carry no flags.
        let mut done = row("Critical", "Completed", lon(13, 9, 0));
        done.assignee_id = None;
        done.assignee_name = None;
        assert!(e.state(&done, lon(13, 10, 0)).flags.is_empty());
    }

    #[test]
    fn time_to_breach_orders_breached_first_then_paused_then_stopped() {
        let e = engine(Europe::London);
        let now = lon(14, 12, 0);
        let tickets = vec![
            row("Low", "Completed", lon(13, 9, 0)),        // 0 stopped
            row("Low", "Waiting Customer", lon(13, 9, 0)), // 1 paused
            row("Low", "New", lon(14, 11, 0)),             // 2 7 h left
            row("Critical", "New", lon(13, 9, 0)),         // 3 very late
            row("Critical", "New", lon(14, 11, 30)),       // 4 30 min left
            TicketRow {
                status_name: Some("New".into()),
                ..Default::default()
            }, // 5 no deadline
            row("High", "New", lon(14, 10, 0)),            // 6 due right now
        ];
        let states = e.states(&tickets, now);
        assert_eq!(breach_order(&states), vec![3, 6, 4, 2, 5, 1, 0]);
        assert!(states[3].time_to_breach() < states[6].time_to_breach());
        assert_eq!(states[5].column(), "—");
        assert_eq!(states[5].band(), DueBand::NoDeadline);
    }

    #[test]
    fn formatter_outputs() {
        let cases = [
            (0, "0m"),
            (45, "45m"),
            (59, "59m"),
            (60, "1h00m"),
            (130, "2h10m"),
            (-65, "-1h05m"),
            (-1, "-1m"),
            (5999, "99h59m"),
            (-5999, "-99h59m"),
            (6000, "100h"),
            (-599_999, "-9999h"),
            (600_000, "416d"),
            (i64::MIN, "-99999d"),
        ];
        for (m, want) in cases {
            assert_eq!(format_remaining(m), want);
            assert!(format_remaining(m).chars().count() <= 7);
        }
        assert_eq!(format_coarse(180), "3h");
        assert_eq!(format_coarse(-45), "-45m");
        assert_eq!(format_coarse(59_999), "999h");
        assert_eq!(format_coarse(i64::MAX), "999d");
        for m in [0, -59, 179, -59_999, i64::MIN, i64::MAX] {
            assert!(
                format!("⏸ {}", format_coarse(m)).chars().count() <= 7,
                "{m}"
            );
        }
    }

    #[test]
    fn many_tickets_get_states() {
        let e = engine(Europe::London);
        let base = lon(6, 8, 0);
        let prios = ["Critical", "High", "Medium", "Low", "Other"];
        let statuses = ["New", "In Progress", "Waiting Customer", "Completed"];
        let n: i64 = if cfg!(debug_assertions) {
            10_000
        } else {
            100_000
        };
        let tickets: Vec<TicketRow> = (0..n)
            .map(|i| {
                let mut t = row(
                    prios[(i % 5) as usize],
                    statuses[(i % 4) as usize],
                    base - Duration::minutes(i * 37),
                );
                if i % 3 == 0 {
                    t.resolution_target_time = Some(base + Duration::minutes(i % 5000));
                }
                t
            })
            .collect();
        // Speed is measured in benches/perf.rs (sla states), not asserted here.
        let states = e.states(&tickets, lon(27, 12, 0));
        assert_eq!(states.len(), n as usize);
        assert!(states.iter().any(|s| s.escalation.level == 3));
    }
}
