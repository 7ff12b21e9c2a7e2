//! The retry policy, in one place: which failed requests may be sent again, how long to wait
//! (exponential backoff with jitter, or the server's `Retry-After`), and how many times.
//!
//! BMS has no idempotency keys (bms-api.md §5), so the rule for writes is strict: a write is
//! sent again by the client only when the server cannot have acted on it (the connection was
//! never made, or the server refused it with 429/503). When a write was sent and no usable
//! answer came back, its outcome is unknown: the caller (`actions`) re-reads to find out
//! before anything is sent again.

use std::time::Duration;

use chrono::{DateTime, Utc};
use http::Method;

use crate::error::ApiError;

#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Extra attempts after a failure worth retrying (transport error; 5xx on a read).
    pub max_retries: u32,
    /// Extra attempts after an explicit refusal (429 or 503): always safe, but bounded so a
    /// rate-limit storm ends in an error (and the outbox) rather than an endless wait.
    pub max_refusals: u32,
    /// First backoff step; doubles with every attempt.
    pub base: Duration,
    /// Longest computed backoff step.
    pub max_backoff: Duration,
    /// Longest `Retry-After` honoured; a longer one is cut to this.
    pub max_retry_after: Duration,
    /// For a write whose outcome is unknown: rounds of "re-read to check, then send again".
    pub write_rounds: u32,
    /// Longest total time one request may spend waiting between attempts.
    pub max_total_wait: Duration,
    /// How long after a write whose outcome is unknown the server's reads may still not show
    /// it (a lagging replica or search index): "not there" counts only once asked this long
    /// after the attempt; until then the check is repeated with backoff.
    pub check_window: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: crate::config::defaults::MAX_RETRIES,
            max_refusals: 4,
            base: Duration::from_millis(300),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(60),
            write_rounds: 2,
            max_total_wait: Duration::from_secs(90),
            check_window: Duration::from_secs(20),
        }
    }
}

/// How far a failed attempt got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    /// The connection was never made: the server saw nothing.
    No,
    /// The server answered 429/503 and did nothing.
    Refused,
    /// Sent, but the reply was lost, cut off, a 5xx, or unreadable: the server may have acted.
    Unknown,
}

impl RetryPolicy {
    /// Whether the client itself may send a request again after a failure of kind `sent`.
    /// Reads always; writes only when the server cannot have acted.
    pub fn may_resend(&self, method: &Method, sent: Sent) -> bool {
        match sent {
            Sent::No | Sent::Refused => true,
            Sent::Unknown => *method == Method::GET || *method == Method::HEAD,
        }
    }

    /// [`RetryPolicy::may_resend`] knowing the path: a `POST …/search` only reads (the ticket
    /// search takes its filter as a body), so it is resent like a GET.
    pub fn may_resend_to(&self, method: &Method, path: &str, sent: Sent) -> bool {
        let read_by_post =
            *method == Method::POST && path.trim_end_matches('/').ends_with("/search");
        self.may_resend(if read_by_post { &Method::GET } else { method }, sent)
    }

    /// The wait before attempt `attempt + 1` (`attempt` counts from 0). With a `Retry-After`
    /// the server's wish is honoured (capped at `max_retry_after`) plus a little jitter so
    /// several clients do not come back at the same instant; without one, exponential backoff
    /// with "equal jitter": half the step fixed, half random, never close to zero.
    pub fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let base = self.base.as_millis().min(u64::MAX as u128) as u64;
        match retry_after {
            Some(ra) => {
                let jitter = fastrand::u64(0..=(base / 2).min(250));
                ra.min(self.max_retry_after) + Duration::from_millis(jitter)
            }
            None => {
                let cap = self.max_backoff.as_millis().min(u64::MAX as u128) as u64;
                let step = base.saturating_mul(1u64 << attempt.min(20)).min(cap);
                let half = step / 2;
                Duration::from_millis(half + fastrand::u64(0..=step - half))
            }
        }
    }
}

/// A `Retry-After` header value: delay-seconds or an HTTP date (RFC 9110 §10.2.3). A date in
/// the past means "now".
pub fn parse_retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = parse_http_date(v)?;
    Some((when - now).to_std().unwrap_or(Duration::ZERO))
}

/// An HTTP date (`Date`, `Retry-After`): IMF-fixdate or another RFC 2822 form.
pub fn parse_http_date(value: &str) -> Option<DateTime<Utc>> {
    let v = value.trim();
    DateTime::parse_from_rfc2822(v)
        .ok()
        .map(|d| d.with_timezone(&Utc))
        .or_else(|| {
            // RFC 850 and asctime forms are obsolete; IMF-fixdate with "GMT" parses above.
            chrono::NaiveDateTime::parse_from_str(v, "%a, %d %b %Y %H:%M:%S GMT")
                .ok()
                .map(|n| n.and_utc())
        })
}

/// What a failed write means for the data on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The server did not act (refused with 429/503, or sign-in failed before sending):
    /// sending it again is safe.
    NotApplied,
    /// The server may have acted: check before sending again.
    Unknown,
    /// The server answered and refused the request itself (400, 404...): sending it again
    /// will not help.
    Rejected,
}

/// Classifies the error a write ended with (after the client's own retries).
pub fn delivery(err: &ApiError) -> Delivery {
    match err {
        // Our own budget guard stopped a read before the write went out.
        ApiError::Http {
            status: 429 | 503, ..
        }
        | ApiError::Budget(_) => Delivery::NotApplied,
        // A connection error may have happened after the request left; a 5xx may come after
        // the work was done; a garbled 2xx reply means it was done.
        // A reply too big to read came after the server acted on the request.
        ApiError::Transport(_)
        | ApiError::Http { .. }
        | ApiError::Decode(_)
        | ApiError::TooLarge(_) => Delivery::Unknown,
        ApiError::Unauthorized(_)
        | ApiError::MfaRequired
        | ApiError::AuthFailed(_)
        | ApiError::Config(_) => Delivery::NotApplied,
        ApiError::NotFound(_)
        | ApiError::Api { .. }
        | ApiError::Invalid(_)
        | ApiError::Paging(_)
        | ApiError::NotSaved(_) => Delivery::Rejected,
    }
}

/// Whether a write that failed with `err` should wait for a better moment (kept in the
/// outbox as pending) rather than be shown to the user as refused by the server.
pub fn worth_keeping(err: &ApiError) -> bool {
    err.is_transient() || err.is_auth() || matches!(err, ApiError::Config(_) | ApiError::Decode(_))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            base: Duration::from_millis(100),
            max_backoff: Duration::from_secs(2),
            max_retry_after: Duration::from_secs(60),
            ..RetryPolicy::default()
        }
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let p = policy();
        for _ in 0..200 {
            let b0 = p.backoff(0, None).as_millis();
            assert!((50..=100).contains(&b0), "{b0}");
            let b3 = p.backoff(3, None).as_millis();
            assert!((400..=800).contains(&b3), "{b3}");
            let big = p.backoff(40, None).as_millis();
            assert!((1000..=2000).contains(&big), "{big}");
        }
        // Jitter: not all the same.
        let samples: std::collections::HashSet<u128> =
            (0..50).map(|_| p.backoff(4, None).as_millis()).collect();
        assert!(samples.len() > 5);
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let p = policy();
        for _ in 0..100 {
            let w = p.backoff(0, Some(Duration::from_secs(7)));
            assert!(
                w >= Duration::from_secs(7) && w <= Duration::from_millis(7050),
                "{w:?}"
            );
            let w = p.backoff(5, Some(Duration::from_secs(3600)));
            assert!(w >= Duration::from_secs(60) && w <= Duration::from_millis(60_050));
            // "Retry-After: 0" still waits a moment, never longer than the jitter.
            assert!(p.backoff(0, Some(Duration::ZERO)) <= Duration::from_millis(50));
        }
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = Utc.with_ymd_and_hms(2025, 1, 15, 14, 0, 0).unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 0 ", now), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Wed, 15 Jan 2025 14:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 15 Jan 2025 13:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }

    #[test]
    fn writes_are_resent_only_when_the_server_cannot_have_acted() {
        let p = policy();
        for m in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
            assert!(p.may_resend(&m, Sent::No));
            assert!(p.may_resend(&m, Sent::Refused));
            assert!(!p.may_resend(&m, Sent::Unknown), "{m}");
        }
        assert!(p.may_resend(&Method::GET, Sent::Unknown));
        assert!(p.may_resend_to(
            &Method::POST,
            "/v2/servicedesk/tickets/search",
            Sent::Unknown
        ));
        assert!(!p.may_resend_to(&Method::POST, "/v2/servicedesk/tickets", Sent::Unknown));
    }

    #[test]
    fn delivery_of_errors() {
        let http = |status| ApiError::Http {
            status,
            message: String::new(),
            retry_after: None,
        };
        assert_eq!(delivery(&http(429)), Delivery::NotApplied);
        // Our own budget guard stopped a read before the write went out: kept for later (the
        // soak found such writes taken for refused by the server, kept as conflicts).
        let out_of_budget = ApiError::Budget("GET /v2/x: request budget used up".into());
        assert_eq!(delivery(&out_of_budget), Delivery::NotApplied);
        assert!(worth_keeping(&out_of_budget));
        assert!(!worth_keeping(&ApiError::Paging("max_rows".into())));
        assert_eq!(delivery(&http(503)), Delivery::NotApplied);
        assert_eq!(delivery(&http(500)), Delivery::Unknown);
        assert_eq!(delivery(&http(504)), Delivery::Unknown);
        assert_eq!(
            delivery(&ApiError::Transport("x".into())),
            Delivery::Unknown
        );
        assert_eq!(delivery(&ApiError::Decode("x".into())), Delivery::Unknown);
        assert_eq!(
            delivery(&ApiError::NotFound("x".into())),
            Delivery::Rejected
        );
        assert_eq!(
            delivery(&ApiError::Unauthorized("x".into())),
            Delivery::NotApplied
        );
        assert!(worth_keeping(&http(502)));
        assert!(worth_keeping(&ApiError::Unauthorized("x".into())));
        assert!(!worth_keeping(&ApiError::NotFound("x".into())));
        assert!(!worth_keeping(&ApiError::Api {
            status: 400,
            code: None,
            message: String::new()
        }));
    }
}
