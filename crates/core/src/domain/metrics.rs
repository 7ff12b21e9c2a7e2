//! Service-desk metrics over a ticket set and its SLA states, serializable for
//! `bmsdesk metrics --json` and drawn by the TUI dashboard.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::Serialize;

use super::calendar::BusinessCalendar;
use super::sla::{DueBand, FnvMap, SlaState};
use crate::model::TicketRow;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NameCount {
    pub name: String,
    pub count: usize,
}

/// Open tickets by how soon they breach (business time; see [`DueBand`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Pulse {
    pub breached: usize,
    pub under_1h: usize,
    pub within_4h: usize,
    pub within_24h: usize,
    pub later: usize,
    pub paused: usize,
    pub no_deadline: usize,
}

impl Pulse {
    fn add(&mut self, band: DueBand) {
        match band {
            DueBand::Breached => self.breached += 1,
            DueBand::Under1h => self.under_1h += 1,
            DueBand::Within4h => self.within_4h += 1,
            DueBand::Within24h => self.within_24h += 1,
            DueBand::Later => self.later += 1,
            DueBand::Paused => self.paused += 1,
            DueBand::NoDeadline => self.no_deadline += 1,
            DueBand::Stopped => {}
        }
    }

    pub fn total(&self) -> usize {
        self.breached
            + self.under_1h
            + self.within_4h
            + self.within_24h
            + self.later
            + self.paused
            + self.no_deadline
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QueuePulse {
    pub queue: String,
    #[serde(flatten)]
    pub pulse: Pulse,
}

/// Names used for missing values.
pub const NO_STATUS: &str = "(none)";
pub const NO_PRIORITY: &str = "(none)";
pub const UNASSIGNED: &str = "(unassigned)";
pub const NO_QUEUE: &str = "(no queue)";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    pub total: usize,
    /// Not stopped (running or paused).
    pub open: usize,
    /// Stopped (in a complete status).
    pub completed: usize,
    pub paused: usize,
    /// Open tickets past a pending deadline (paused ones included: their overdue is frozen).
    pub breached: usize,
    /// Open tickets at escalation level 1 or more (paused ones included).
    pub escalated: usize,
    /// Open tickets at escalation level 1, 2 and 3.
    pub escalated_by_level: [usize; 3],
    /// All tickets, most frequent first (then by name).
    pub by_status: Vec<NameCount>,
    pub by_priority: Vec<NameCount>,
    /// Open tickets only.
    pub open_by_assignee: Vec<NameCount>,
    pub open_by_queue: Vec<NameCount>,
    /// Completed tickets with both an open and a completion time.
    pub resolved_with_times: usize,
    /// Mean open-to-completion time of those, wall clock.
    pub avg_resolution_minutes: Option<f64>,
    /// The same in business minutes.
    pub avg_resolution_business_minutes: Option<f64>,
    /// Tickets whose SLA is met (stopped, resolution met, first response not missed).
    pub sla_met: usize,
    /// Tickets with a missed deadline (decided, or open and already past due).
    pub sla_missed: usize,
    /// `sla_met / (sla_met + sla_missed)` in percent; `None` when nothing is decided or no
    /// ticket in the selection is stopped (only those can have met it).
    pub sla_compliance_pct: Option<f64>,
    /// Per queue (open tickets), sorted by queue name.
    pub pulse: Vec<QueuePulse>,
    pub pulse_total: Pulse,
}

fn name_or<'a>(v: Option<&'a str>, missing: &'static str) -> &'a str {
    match v.map(str::trim) {
        Some(s) if !s.is_empty() => s,
        _ => missing,
    }
}

fn sorted<K: AsRef<str>>(counts: FnvMap<K, usize>) -> Vec<NameCount> {
    let mut v: Vec<NameCount> = counts
        .into_iter()
        .map(|(name, count)| NameCount {
            name: name.as_ref().to_string(),
            count,
        })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    v
}

/// Metrics of `tickets` with their `states` (same order and length, as from
/// [`super::sla::SlaEngine::states`]; extra items of the longer slice are ignored).
impl Metrics {
    /// What the compliance rate rests on, in words: "(12 met, 3 missed)", or for a selection
    /// without a stopped ticket, where no rate is given, "(none closed here; 3 missed so far)".
    pub fn compliance_basis(&self) -> String {
        if self.completed == 0 {
            format!("(none closed here; {} missed so far)", self.sla_missed)
        } else {
            format!("({} met, {} missed)", self.sla_met, self.sla_missed)
        }
    }
}

pub fn compute(tickets: &[TicketRow], states: &[SlaState], calendar: &BusinessCalendar) -> Metrics {
    compute_pairs(tickets.iter().zip(states), calendar)
}

/// [`compute`] over `(ticket, state)` pairs: for callers that keep the states beside a
/// larger row store (the TUI's list) and must not copy the rows.
pub fn compute_pairs<'a>(
    pairs: impl IntoIterator<Item = (&'a TicketRow, &'a SlaState)>,
    calendar: &BusinessCalendar,
) -> Metrics {
    let mut by_status: FnvMap<&str, usize> = FnvMap::default();
    let mut by_priority: FnvMap<&str, usize> = FnvMap::default();
    let mut by_assignee: FnvMap<Cow<str>, usize> = FnvMap::default();
    let mut by_queue: FnvMap<&str, usize> = FnvMap::default();
    let mut pulse: FnvMap<&str, Pulse> = FnvMap::default();
    let mut pulse_total = Pulse::default();
    let (mut total, mut open, mut completed, mut paused, mut breached) = (0, 0, 0, 0, 0);
    let mut escalated_by_level = [0usize; 3];
    let (mut met, mut missed) = (0usize, 0usize);
    let (mut resolved, mut wall_sum, mut business_sum) = (0usize, 0f64, 0f64);

    for (t, s) in pairs {
        total += 1;
        *by_status
            .entry(name_or(t.status_name.as_deref(), NO_STATUS))
            .or_insert(0) += 1;
        *by_priority
            .entry(name_or(t.priority_name.as_deref(), NO_PRIORITY))
            .or_insert(0) += 1;
        match s.verdict() {
            Some(true) => met += 1,
            Some(false) => missed += 1,
            None => {}
        }
        if s.stopped {
            completed += 1;
            let start = t.open_date.or(t.created_on);
            let end = t.resolution_actual_time.or(t.completed_date);
            if let (Some(start), Some(end)) = (start, end)
                && end >= start
            {
                resolved += 1;
                wall_sum += (end - start).num_seconds() as f64 / 60.0;
                business_sum += calendar.seconds_between(start, end) as f64 / 60.0;
            }
            continue;
        }
        open += 1;
        if s.paused {
            paused += 1;
        }
        // Assigned by id only: named by id rather than lumped with the unassigned.
        let assignee = match (
            t.assignee_name
                .as_deref()
                .map(str::trim)
                .filter(|n| !n.is_empty()),
            t.assignee_id.filter(|id| *id > 0),
        ) {
            (Some(name), _) => Cow::Borrowed(name),
            (None, Some(id)) => Cow::Owned(format!("#{id}")),
            (None, None) => Cow::Borrowed(UNASSIGNED),
        };
        *by_assignee.entry(assignee).or_insert(0) += 1;
        let queue = name_or(t.queue_name.as_deref(), NO_QUEUE);
        *by_queue.entry(queue).or_insert(0) += 1;
        let band = s.band();
        if s.next_remaining_minutes().is_some_and(|m| m < 0) {
            breached += 1;
        }
        if (1..=3).contains(&s.escalation.level) {
            escalated_by_level[usize::from(s.escalation.level) - 1] += 1;
        }
        pulse.entry(queue).or_default().add(band);
        pulse_total.add(band);
    }

    let avg = |sum: f64| (resolved > 0).then(|| sum / resolved as f64);
    Metrics {
        total,
        open,
        completed,
        paused,
        breached,
        escalated: escalated_by_level.iter().sum(),
        escalated_by_level,
        by_status: sorted(by_status),
        by_priority: sorted(by_priority),
        open_by_assignee: sorted(by_assignee),
        open_by_queue: sorted(by_queue),
        resolved_with_times: resolved,
        avg_resolution_minutes: avg(wall_sum),
        avg_resolution_business_minutes: avg(business_sum),
        sla_met: met,
        sla_missed: missed,
        // Only stopped tickets can have met their SLA: without one in the selection (an open
        // view), a rate would read 0 % whatever the desk does.
        sla_compliance_pct: (met + missed > 0 && completed > 0)
            .then(|| met as f64 * 100.0 / (met + missed) as f64),
        pulse: pulse
            .into_iter()
            .collect::<BTreeMap<_, _>>()
            .into_iter()
            .map(|(queue, pulse)| QueuePulse {
                queue: queue.to_string(),
                pulse,
            })
            .collect(),
        pulse_total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sla::SlaEngine;
    use crate::domain::sla_settings::SlaSettings;
    use chrono::{DateTime, TimeZone, Utc};
    use chrono_tz::Europe;

    fn lon(d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Europe::London
            .with_ymd_and_hms(2025, 1, d, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[allow(clippy::too_many_arguments)]
    fn t(
        id: i64,
        priority: Option<&str>,
        status: Option<&str>,
        queue: Option<&str>,
        assignee: Option<&str>,
        opened: Option<DateTime<Utc>>,
    ) -> TicketRow {
        TicketRow {
            id,
            ticket_number: format!("T{id}"),
            priority_name: priority.map(Into::into),
            status_name: status.map(Into::into),
            queue_name: queue.map(Into::into),
            assignee_id: assignee.map(|_| id * 10),
            assignee_name: assignee.map(Into::into),
            open_date: opened,
            ..Default::default()
        }
    }

    /// Ten tickets, London business hours, evaluated Tuesday 14 January 2025 12:00.
    fn fixture() -> Vec<TicketRow> {
        let hd = Some("Help Desk");
        let net = Some("Network");
        let mut v = vec![
            t(
                1,
                Some("Critical"),
                Some("Completed"),
                hd,
                Some("Sam"),
                Some(lon(13, 9, 0)),
            ),
            t(
                2,
                Some("High"),
                Some("Closed"),
                hd,
                Some("Alex"),
                Some(lon(10, 16, 0)),
            ),
            t(
                3,
                Some("Medium"),
                Some("In Progress"),
                hd,
                Some("Sam"),
                Some(lon(14, 11, 30)),
            ),
            t(
                4,
                Some("Critical"),
                Some("New"),
                net,
                None,
                Some(lon(13, 9, 0)),
            ),
            t(
                5,
                Some("Low"),
                Some("Waiting Customer"),
                net,
                Some("Alex"),
                Some(lon(13, 9, 0)),
            ),
            t(
                6,
                Some("High"),
                Some("New"),
                net,
                Some("Sam"),
                Some(lon(14, 10, 30)),
            ),
            t(
                7,
                Some("Low"),
                Some("Resolved"),
                None,
                Some("Sam"),
                Some(lon(6, 9, 0)),
            ),
            t(
                8,
                Some("Medium"),
                Some("New"),
                hd,
                Some("Alex"),
                Some(lon(13, 9, 0)),
            ),
            t(
                9,
                Some("Low"),
                Some("In Progress"),
                hd,
                Some("Alex"),
                Some(lon(14, 11, 0)),
            ),
            t(10, None, None, net, None, None),
        ];
        v[0].first_response_actual_time = Some(lon(13, 9, 30));
        v[0].resolution_actual_time = Some(lon(13, 12, 0));
        v[1].completed_date = Some(lon(13, 12, 0));
        v[6].first_response_actual_time = Some(lon(6, 10, 0));
        v[6].resolution_actual_time = Some(lon(8, 9, 0));
        v[7].first_response_actual_time = Some(lon(13, 9, 10));
        v[8].first_response_actual_time = Some(lon(14, 11, 5));
        v
    }

    fn nc(pairs: &[(&str, usize)]) -> Vec<NameCount> {
        pairs
            .iter()
            .map(|(n, c)| NameCount {
                name: n.to_string(),
                count: *c,
            })
            .collect()
    }

    #[test]
    fn metrics_on_a_known_fixture() {
        let engine = SlaEngine::new(SlaSettings {
            timezone: Europe::London,
            ..SlaSettings::default()
        });
        let tickets = fixture();
        let states = engine.states(&tickets, lon(14, 12, 0));
        let m = compute(&tickets, &states, engine.calendar());

        assert_eq!((m.total, m.open, m.completed, m.paused), (10, 7, 3, 1));
        // T4 (12 h overdue) and T5, paused after missing its first response (5 h overdue).
        assert_eq!((m.breached, m.escalated), (2, 2));
        assert_eq!(m.escalated_by_level, [0, 1, 1]);
        assert_eq!(
            m.by_status,
            nc(&[
                ("New", 3),
                ("In Progress", 2),
                ("(none)", 1),
                ("Closed", 1),
                ("Completed", 1),
                ("Resolved", 1),
                ("Waiting Customer", 1)
            ])
        );
        assert_eq!(
            m.by_priority,
            nc(&[
                ("Low", 3),
                ("Critical", 2),
                ("High", 2),
                ("Medium", 2),
                ("(none)", 1)
            ])
        );
        assert_eq!(
            m.open_by_assignee,
            nc(&[("Alex", 3), ("(unassigned)", 2), ("Sam", 2)])
        );
        assert_eq!(m.open_by_queue, nc(&[("Network", 4), ("Help Desk", 3)]));
        // T1 3 h, T2 Friday 16:00 to Monday 12:00 (68 h; 6 business hours), T7 48 h (20).
        assert_eq!(m.resolved_with_times, 3);
        assert_eq!(
            m.avg_resolution_minutes,
            Some((180.0 + 4080.0 + 2880.0) / 3.0)
        );
        assert_eq!(
            m.avg_resolution_business_minutes,
            Some((180.0 + 360.0 + 1200.0) / 3.0)
        );
        // Met: T1, T7. Missed: T2 (late first response), T4 and T5 (open, overdue).
        assert_eq!((m.sla_met, m.sla_missed), (2, 3));
        assert_eq!(m.sla_compliance_pct, Some(40.0));
        assert_eq!(
            m.pulse,
            vec![
                QueuePulse {
                    queue: "Help Desk".into(),
                    pulse: Pulse {
                        within_4h: 1,
                        within_24h: 1,
                        later: 1,
                        ..Pulse::default()
                    }
                },
                QueuePulse {
                    queue: "Network".into(),
                    pulse: Pulse {
                        breached: 1,
                        under_1h: 1,
                        paused: 1,
                        no_deadline: 1,
                        ..Pulse::default()
                    }
                },
            ]
        );
        assert_eq!(m.pulse_total.total(), m.open);

        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["pulse"][1]["queue"], "Network");
        assert_eq!(json["pulse"][1]["breached"], 1);
        assert_eq!(json["sla_compliance_pct"], 40.0);
        assert_eq!(json["open_by_queue"][0]["name"], "Network");
    }

    #[test]
    fn an_open_only_selection_has_no_compliance_rate_but_counts_misses() {
        let engine = SlaEngine::new(SlaSettings {
            timezone: Europe::London,
            ..SlaSettings::default()
        });
        let all = fixture();
        let all_states = engine.states(&all, lon(14, 12, 0));
        let open: Vec<TicketRow> = all
            .iter()
            .zip(&all_states)
            .filter(|(_, s)| !s.stopped)
            .map(|(t, _)| t.clone())
            .collect();
        let states = engine.states(&open, lon(14, 12, 0));
        let m = compute(&open, &states, engine.calendar());
        assert_eq!(m.completed, 0);
        assert!(m.sla_missed > 0, "the breached open tickets still count");
        assert_eq!(m.sla_met, 0);
        assert_eq!(
            m.sla_compliance_pct, None,
            "not 0 %: nothing here could have met it"
        );
        assert_eq!(
            m.compliance_basis(),
            format!("(none closed here; {} missed so far)", m.sla_missed)
        );
    }

    #[test]
    fn empty_set_has_no_averages() {
        let engine = SlaEngine::new(SlaSettings::default());
        let m = compute(&[], &[], engine.calendar());
        assert_eq!(m.total, 0);
        assert_eq!(m.avg_resolution_minutes, None);
        assert_eq!(m.sla_compliance_pct, None);
        assert!(m.pulse.is_empty());
    }
}
