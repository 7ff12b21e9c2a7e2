//! The request budget: BMS allows about 1,500 requests per hour per endpoint (bms-api.md §5).
//! Every request the client sends is counted here per endpoint template
//! (`"GET /v2/servicedesk/tickets/{id}"`) over a sliding hour, so the TUI can show what is
//! left and slow its background refresh before the server starts refusing.
//!
//! Time is passed in (`Instant`) so the window can be tested without waiting an hour.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

pub use bmsdesk_core::budget::{BudgetSnapshot, EndpointBudget, WINDOW};
/// Requests per endpoint per hour the BMS v2 API documents (a guess: see `guesses`).
pub use bmsdesk_core::guesses::HOURLY_LIMIT;

#[derive(Debug, Clone)]
pub struct RequestBudget {
    limit: u32,
    window: Duration,
    endpoints: HashMap<String, Endpoint>,
}

#[derive(Debug, Clone, Default)]
struct Endpoint {
    /// Send times inside the window, oldest first (bounded, see [`RequestBudget::record`]).
    sent: VecDeque<Instant>,
    /// The server said "no more for now" (429) until then.
    throttled_until: Option<Instant>,
}

impl Default for RequestBudget {
    fn default() -> Self {
        RequestBudget::new(HOURLY_LIMIT, WINDOW)
    }
}

impl RequestBudget {
    pub fn new(limit: u32, window: Duration) -> Self {
        RequestBudget {
            limit: limit.max(1),
            window,
            endpoints: HashMap::new(),
        }
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    /// Counts one request to `endpoint` sent at `now`.
    pub fn record(&mut self, endpoint: &str, now: Instant) {
        let (window, cap) = (self.window, self.cap());
        let e = self.endpoints.entry(endpoint.to_string()).or_default();
        prune(&mut e.sent, now, window);
        // Far past the limit the exact count stops mattering; memory stays bounded.
        if e.sent.len() >= cap {
            e.sent.pop_front();
        }
        e.sent.push_back(now);
    }

    /// The server refused `endpoint` with 429; it asked to wait `retry_after` (or a minute).
    pub fn throttled(&mut self, endpoint: &str, retry_after: Option<Duration>, now: Instant) {
        let until = now + retry_after.unwrap_or(Duration::from_secs(60));
        let e = self.endpoints.entry(endpoint.to_string()).or_default();
        e.throttled_until = Some(e.throttled_until.map_or(until, |t| t.max(until)));
    }

    fn cap(&self) -> usize {
        (self.limit as usize).saturating_mul(2).max(4096)
    }

    /// Each endpoint's standing at `now`, tightest (least remaining) first; endpoints with
    /// nothing in the window and no refusal pending are forgotten.
    pub fn snapshot(&mut self, now: Instant) -> BudgetSnapshot {
        let window = self.window;
        let limit = self.limit;
        self.endpoints.retain(|_, e| {
            prune(&mut e.sent, now, window);
            if e.throttled_until.is_some_and(|t| t <= now) {
                e.throttled_until = None;
            }
            !e.sent.is_empty() || e.throttled_until.is_some()
        });
        let mut endpoints: Vec<EndpointBudget> = self
            .endpoints
            .iter()
            .map(|(name, e)| {
                let used = e.sent.len().min(u32::MAX as usize) as u32;
                let throttled_for = e.throttled_until.map(|t| t - now);
                EndpointBudget {
                    endpoint: name.clone(),
                    used,
                    limit,
                    remaining: if throttled_for.is_some() {
                        0
                    } else {
                        limit.saturating_sub(used)
                    },
                    frees_in: e
                        .sent
                        .front()
                        .map(|&first| (first + window).saturating_duration_since(now)),
                    throttled_for,
                }
            })
            .collect();
        endpoints.sort_by(|a, b| {
            a.remaining
                .cmp(&b.remaining)
                .then(b.used.cmp(&a.used))
                .then(a.endpoint.cmp(&b.endpoint))
        });
        BudgetSnapshot { endpoints }
    }
}

fn prune(sent: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while let Some(&first) = sent.front() {
        if now.saturating_duration_since(first) >= window {
            sent.pop_front();
        } else {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: &str = "GET /v2/servicedesk/tickets/{id}";
    const S: &str = "POST /v2/servicedesk/tickets/search";

    #[test]
    fn requests_leave_the_window_after_an_hour() {
        let t0 = Instant::now();
        let mut b = RequestBudget::new(10, Duration::from_secs(3600));
        for i in 0..4 {
            b.record(T, t0 + Duration::from_secs(i * 600));
        }
        let at = |s| t0 + Duration::from_secs(s);
        let snap = b.snapshot(at(1800));
        assert_eq!(snap.get(T).unwrap().used, 4);
        assert_eq!(snap.get(T).unwrap().remaining, 6);
        assert_eq!(
            snap.get(T).unwrap().frees_in,
            Some(Duration::from_secs(1800))
        );
        // The first leaves exactly one hour after it was sent.
        assert_eq!(b.snapshot(at(3599)).get(T).unwrap().used, 4);
        assert_eq!(b.snapshot(at(3600)).get(T).unwrap().used, 3);
        assert_eq!(b.snapshot(at(5399)).get(T).unwrap().used, 1);
        // All gone: the endpoint is forgotten.
        assert!(b.snapshot(at(5400)).endpoints.is_empty());
    }

    #[test]
    fn endpoints_are_counted_apart_and_the_tightest_comes_first() {
        let t0 = Instant::now();
        let mut b = RequestBudget::new(100, WINDOW);
        for _ in 0..30 {
            b.record(S, t0);
        }
        for _ in 0..70 {
            b.record(T, t0);
        }
        let snap = b.snapshot(t0 + Duration::from_secs(1));
        assert_eq!(snap.endpoints.len(), 2);
        let tight = snap.tightest().unwrap();
        assert_eq!(tight.endpoint, T);
        assert_eq!((tight.used, tight.remaining), (70, 30));
        assert_eq!(snap.get(S).unwrap().remaining, 70);
    }

    #[test]
    fn a_429_empties_the_endpoint_until_retry_after() {
        let t0 = Instant::now();
        let mut b = RequestBudget::new(1500, WINDOW);
        b.record(T, t0);
        b.throttled(T, Some(Duration::from_secs(30)), t0);
        let snap = b.snapshot(t0 + Duration::from_secs(10));
        let e = snap.get(T).unwrap();
        assert_eq!(e.remaining, 0);
        assert_eq!(e.throttled_for, Some(Duration::from_secs(20)));
        assert_eq!(
            snap.suggested_refresh_interval(Duration::from_secs(1)),
            Duration::from_secs(20)
        );
        let later = b.snapshot(t0 + Duration::from_secs(31));
        assert_eq!(later.get(T).unwrap().remaining, 1499);
        assert_eq!(later.get(T).unwrap().throttled_for, None);
    }

    #[test]
    fn refresh_slows_down_as_the_budget_runs_low() {
        let base = Duration::from_secs(30);
        let t0 = Instant::now();
        let interval_after = |n: u32| {
            let mut b = RequestBudget::new(100, WINDOW);
            for _ in 0..n {
                b.record(T, t0);
            }
            b.snapshot(t0 + Duration::from_secs(60))
                .suggested_refresh_interval(base)
        };
        assert_eq!(interval_after(0), base);
        assert_eq!(interval_after(50), base);
        assert_eq!(interval_after(51), base * 2);
        assert_eq!(interval_after(75), base * 2);
        assert_eq!(interval_after(76), base * 4);
        assert_eq!(interval_after(91), base * 8);
        // Nothing left: wait until the oldest request leaves the window (59 min here).
        assert_eq!(interval_after(100), Duration::from_secs(3540));
        assert_eq!(interval_after(250), Duration::from_secs(3540));
    }

    #[test]
    fn memory_stays_bounded() {
        let t0 = Instant::now();
        let mut b = RequestBudget::new(10, WINDOW);
        for i in 0..20_000u64 {
            b.record(T, t0 + Duration::from_millis(i));
        }
        let snap = b.snapshot(t0 + Duration::from_secs(30));
        assert_eq!(snap.get(T).unwrap().used, 4096);
        assert_eq!(snap.get(T).unwrap().remaining, 0);
    }
}
