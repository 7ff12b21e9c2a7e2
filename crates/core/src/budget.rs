//! What is left of a PSA's request budget, per endpoint: the snapshot a status bar shows and
//! background refresh paces itself by. How requests are counted is the backend's (BMS:
//! `bmsdesk_bms::budget`).

use std::time::Duration;

/// The window a budget is counted over.
pub const WINDOW: Duration = Duration::from_secs(3600);

/// One endpoint's standing.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EndpointBudget {
    /// `"METHOD /path/{id}"`.
    pub endpoint: String,
    /// Requests sent in the last window.
    pub used: u32,
    pub limit: u32,
    /// `limit - used`, or 0 while the server is refusing (429).
    pub remaining: u32,
    /// Until the oldest counted request leaves the window (one more becomes available).
    #[serde(with = "opt_secs")]
    pub frees_in: Option<Duration>,
    /// The server refused with 429 and asked to wait this much longer.
    #[serde(with = "opt_secs")]
    pub throttled_for: Option<Duration>,
}

/// Every endpoint used in the window, tightest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct BudgetSnapshot {
    pub endpoints: Vec<EndpointBudget>,
}

impl BudgetSnapshot {
    /// The endpoint with the least left (what a status bar shows), if any was used.
    pub fn tightest(&self) -> Option<&EndpointBudget> {
        self.endpoints.first()
    }

    pub fn get(&self, endpoint: &str) -> Option<&EndpointBudget> {
        self.endpoints.iter().find(|e| e.endpoint == endpoint)
    }

    /// How often background refresh should run, given it would run every `base` with budget
    /// to spare: unchanged while more than half of the tightest endpoint's budget is left,
    /// then 2x, 4x and 8x slower as it runs down; when nothing is left (or the server is
    /// refusing) no sooner than the budget frees up. Never more than an hour.
    pub fn suggested_refresh_interval(&self, base: Duration) -> Duration {
        let Some(t) = self.tightest() else {
            return base;
        };
        let limit = t.limit.max(1) as f64;
        let left = t.remaining as f64 / limit;
        let factor = if left >= 0.5 {
            1
        } else if left >= 0.25 {
            2
        } else if left >= 0.10 {
            4
        } else {
            8
        };
        let mut wait = base.saturating_mul(factor);
        if t.used >= t.limit
            && let Some(f) = t.frees_in
        {
            wait = wait.max(f);
        }
        if let Some(th) = t.throttled_for {
            wait = wait.max(th);
        }
        wait.min(WINDOW)
    }
}

mod opt_secs {
    use serde::Serializer;
    use std::time::Duration;

    pub fn serialize<S: Serializer>(v: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(d) => s.serialize_f64(d.as_secs_f64()),
            None => s.serialize_none(),
        }
    }
}
