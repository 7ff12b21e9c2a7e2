//! What a TUI session asks the server on its own, without a key pressed: the endpoints, how
//! often, and what that costs of the request budget. `bmsdesk doctor` prints it; the numbers
//! come from the worker's own timings ([`WorkerOptions`]) so they cannot drift from it.

use std::time::Duration;

use serde::Serialize;

use super::worker::{SEARCHES_PER_REFRESH, WorkerOptions};

/// One endpoint a session polls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Polled {
    /// `"METHOD /path"`, as the budget counts it.
    pub endpoint: &'static str,
    /// Requests per hour at the base pace (the worker slows down as the budget runs low).
    pub per_hour: u32,
    /// When.
    pub when: String,
}

fn per_hour(every: Duration, requests: u32) -> u32 {
    let secs = every.as_secs().max(1);
    u32::try_from(3600 / secs)
        .unwrap_or(u32::MAX)
        .saturating_mul(requests)
}

/// The polling of a session with `opts` (the TUI's defaults: `WorkerOptions::default()`).
pub fn plan(opts: &WorkerOptions) -> Vec<Polled> {
    let mut out = Vec::new();
    if let Some(base) = opts.refresh_base {
        out.push(Polled {
            endpoint: "POST /v2/servicedesk/tickets/search",
            per_hour: per_hour(base, SEARCHES_PER_REFRESH),
            when: format!(
                "the open view's refresh: {SEARCHES_PER_REFRESH} searches every {} s (slower once half the hour's budget is used)",
                base.as_secs()
            ),
        });
    }
    out.push(Polled {
        endpoint: "GET /v2/security/userinfo",
        per_hour: per_hour(opts.flush_every, 1),
        when: format!(
            "only while the server cannot be reached: a probe every {} s",
            opts.flush_every.as_secs()
        ),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_session_polls_the_search_and_probes_only_offline() {
        let p = plan(&WorkerOptions::default());
        assert_eq!(p[0].endpoint, "POST /v2/servicedesk/tickets/search");
        assert_eq!(p[0].per_hour, 90, "3 searches every 120 s");
        assert_eq!(p[1].per_hour, 300);
        let none = WorkerOptions {
            refresh_base: None,
            ..WorkerOptions::default()
        };
        assert_eq!(plan(&none).len(), 1);
    }
}
