//! SLA state for the TUI: the engine built from `[sla]` (in the tenant's time zone once the
//! server has said which), the per-row states of the list kept current cheaply, and the
//! dashboard's metrics cache.
//!
//! Cost model: a state per row is computed when the row arrives or changes (a page of 1,000
//! is ~0.3 ms); every row again on the coarse clock tick (30 s; ~33 ms for 100k rows in
//! release) so the "due in" column counts down — a long list in steps of [`SWEEP_ROWS`] rows,
//! one per turn of the event loop, so no frame pays for the whole pass. Rendering only reads
//! the stored states.

use chrono::{DateTime, Utc};

use super::list::TicketList;
use bmsdesk_core::domain::metrics::{self, Metrics};
use bmsdesk_core::domain::sla::SlaEngine;
use bmsdesk_core::domain::sla_settings::SlaSettings;
use bmsdesk_core::domain::workflow::WorkflowRules;

/// A full pass over more rows than this is spread over several turns of the event loop
/// (10k rows: ~3 ms each).
pub const SWEEP_ROWS: usize = 10_000;

/// While pages stream in, rebuild the dashboard figures at most this often.
const DASHBOARD_EVERY_MS: i64 = 500;

pub struct SlaBoard {
    table: toml::Table,
    tenant_tz: Option<String>,
    pub engine: SlaEngine,
    /// The `[sla]` table could not be used (the defaults are in force).
    pub error: Option<String>,
    /// Bumped whenever any state changes.
    pub generation: u64,
    /// When every row was last evaluated.
    pub computed_at: Option<DateTime<Utc>>,
    /// Evaluate every row at the next [`SlaBoard::refresh`] (clock tick, new settings).
    pub all_due: bool,
    /// A full pass under way: the next row to evaluate.
    sweep: Option<usize>,
    /// A wake-up for the next step of the pass has been asked for.
    step_asked: bool,
}

impl SlaBoard {
    pub fn new(table: toml::Table) -> SlaBoard {
        let mut b = SlaBoard {
            table,
            tenant_tz: None,
            engine: SlaEngine::new(SlaSettings::default()),
            error: None,
            generation: 0,
            computed_at: None,
            all_due: true,
            sweep: None,
            step_asked: false,
        };
        b.rebuild();
        b
    }

    fn rebuild(&mut self) {
        let table = (!self.table.is_empty()).then_some(&self.table);
        let settings = match SlaSettings::from_table(table, self.tenant_tz.as_deref()) {
            Ok(s) => {
                self.error = None;
                s
            }
            Err(e) => {
                self.error = Some(format!("{e}; using the default SLA rules"));
                SlaSettings::from_table(None, self.tenant_tz.as_deref()).unwrap_or_default()
            }
        };
        self.engine = SlaEngine::new(settings);
        self.all_due = true;
    }

    /// The tenant's IANA time zone (from "who am I"); business hours are local to it unless
    /// `[sla] timezone` says otherwise. Returns true when the engine changed.
    pub fn set_tenant_tz(&mut self, tz: Option<&str>) -> bool {
        let tz = tz
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        if tz == self.tenant_tz {
            return false;
        }
        self.tenant_tz = tz;
        self.rebuild();
        true
    }

    pub fn rules(&self) -> &WorkflowRules {
        &self.engine.settings().rules
    }

    /// Brings the list's SLA states up to date: rows added or replaced since the last call, or
    /// every row when a full pass is due. Returns true when a full pass ended or a replaced
    /// row's state changed (orders and filters that depend on time left must be rebuilt).
    pub fn refresh(&mut self, list: &mut TicketList, now: DateTime<Utc>) -> bool {
        let n = list.rows.len();
        if self.all_due {
            self.all_due = false;
            if n <= SWEEP_ROWS || list.sla.len() < n {
                self.sweep = None;
                list.sla = self.engine.states(&list.rows, now);
                list.sla_stale.clear();
                self.computed_at = Some(now);
                self.generation += 1;
                return true;
            }
            self.sweep = Some(0);
        }
        let mut swept = false;
        if let Some(from) = self.sweep {
            let to = (from + SWEEP_ROWS).min(list.sla.len()).min(n);
            if from < to {
                let fresh = self.engine.states(&list.rows[from..to], now);
                list.sla[from..to].clone_from_slice(&fresh);
            }
            if to >= list.sla.len().min(n) {
                // Done: one generation for the whole pass (the dashboard recomputes once).
                self.sweep = None;
                self.computed_at = Some(now);
                self.generation += 1;
                swept = true;
            } else {
                self.sweep = Some(to);
            }
        }
        let have = list.sla.len().min(n);
        if list.sla_stale.is_empty() && have == n {
            return swept;
        }
        list.sla.truncate(have);
        // As of the last full pass, like every other row: a fresh copy of an unchanged ticket
        // then gets the very same state, and nothing needs re-sorting for it.
        let at = self.computed_at.unwrap_or(now);
        let mut changed = false;
        for &i in &list.sla_stale {
            let i = i as usize;
            if i < have {
                let state = self.engine.state(&list.rows[i], at);
                if list.sla[i] != state {
                    list.sla[i] = state;
                    changed = true;
                }
            }
        }
        list.sla_stale.clear();
        if have < n {
            let more = self.engine.states(&list.rows[have..], at);
            list.sla.extend(more);
        }
        self.generation += 1;
        swept || changed
    }

    /// A full pass is under way and nobody has asked for its next step yet: the caller
    /// schedules one (answered by [`SlaBoard::stepped`]).
    pub fn wants_step(&mut self) -> bool {
        if self.sweep.is_some() && !self.step_asked {
            self.step_asked = true;
            return true;
        }
        false
    }

    /// The wake-up for the next step arrived (the step itself runs in `refresh`).
    pub fn stepped(&mut self) {
        self.step_asked = false;
    }

    pub fn sweeping(&self) -> bool {
        self.sweep.is_some()
    }
}

/// The dashboard (`D`): open or not, and its figures for the current view.
#[derive(Default)]
pub struct Dashboard {
    pub metrics: Option<Metrics>,
    /// (list order version, rows shown, SLA generation) the figures were computed for.
    key: Option<(u64, usize, u64)>,
    at: Option<DateTime<Utc>>,
}

impl Dashboard {
    /// Recomputes the figures over the tickets the list shows when they changed.
    pub fn refresh(&mut self, list: &TicketList, sla: &SlaBoard, now: DateTime<Utc>) {
        let key = (list.version(), list.visible_len(), sla.generation);
        if self.key == Some(key) {
            return;
        }
        let throttled = list.loading
            && self.metrics.is_some()
            && self
                .at
                .is_some_and(|t| (now - t).num_milliseconds() < DASHBOARD_EVERY_MS);
        if throttled {
            return;
        }
        let pairs = list.visible().iter().filter_map(|&i| {
            let i = i as usize;
            Some((list.rows.get(i)?, list.sla.get(i)?))
        });
        self.metrics = Some(metrics::compute_pairs(pairs, sla.engine.calendar()));
        self.key = Some(key);
        self.at = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_list_is_swept_in_steps_and_ends_like_a_full_pass() {
        let now = crate::testkit::now();
        let rows = bmsdesk_sim::generated_rows(7, SWEEP_ROWS * 2 + 500, now);
        let mut list = TicketList::new();
        list.upsert(rows);
        let mut b = SlaBoard::new(toml::Table::new());
        assert!(b.refresh(&mut list, now), "the first pass is whole");
        let later = now + chrono::Duration::hours(5);
        b.all_due = true;
        let mut steps = 0;
        let mut done = b.refresh(&mut list, later);
        while !done {
            assert!(b.sweeping());
            assert!(b.wants_step());
            assert!(!b.wants_step(), "one wake-up at a time");
            b.stepped();
            done = b.refresh(&mut list, later);
            steps += 1;
        }
        assert_eq!(steps, 2, "three steps of at most {SWEEP_ROWS} rows");
        assert!(!b.sweeping() && !b.wants_step());
        assert_eq!(list.sla, b.engine.states(&list.rows, later));
    }
}
