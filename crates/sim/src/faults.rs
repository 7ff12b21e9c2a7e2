//! Fault injection and request counting, as middleware over the API routes (`/_sim/*` is
//! never faulted). Decisions come from a seeded RNG, so a test sees the same faults on every
//! run for the same sequence of requests.

use std::time::Duration;

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use fastrand::Rng;
use serde::{Deserialize, Serialize};

use super::envelope::SimError;
use super::record::Injected;
use super::rewrite::Rewrite;
use super::state::SimState;

/// What to break. Fractions are probabilities per eligible request and are drawn from one
/// number, so they add up (keep their sum <= 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Faults {
    /// Added to every eligible request.
    pub latency_ms: u64,
    /// Up to this much more, at random.
    pub jitter_ms: u64,
    /// Fraction answered 429 with `Retry-After`.
    pub rate_limit: f64,
    /// Every Nth eligible request is answered 429 (0 = off).
    pub rate_limit_every: u32,
    /// `Retry-After` seconds on 429 and 503 replies.
    pub retry_after_secs: u64,
    /// Fraction answered 500.
    pub server_error: f64,
    /// Fraction answered 503 (with `Retry-After`).
    pub unavailable: f64,
    /// Fraction whose reply is cut off mid-body and the connection closed. The request is
    /// carried out first (the server acted, the client cannot know).
    pub drop: f64,
    /// Fraction whose reply is 200 with a truncated (malformed) JSON body. The request is
    /// carried out first.
    pub malformed: f64,
    /// Fraction whose connection is cut before the request is carried out (the server did
    /// nothing; the client cannot tell this from `drop`).
    pub reset: f64,
    /// Fraction carried out and then held for `stall_ms` before the reply (a client with a
    /// shorter timeout gives up although the server acted).
    pub stall: f64,
    pub stall_ms: u64,
    /// Fraction answered 401 as if the access token had expired (nothing carried out).
    pub unauthorized: f64,
    /// Fraction answered HTTP 200 with `success: false` and an error message, nothing
    /// carried out: a server that refuses in the envelope, not in the status.
    pub soft_failure: f64,
    /// Send `Retry-After` as an HTTP date instead of seconds.
    pub retry_after_as_date: bool,
    /// A lying server: list replies announce this `totalRecords` (`None` = the truth). Like
    /// the other reply rewrites below, it applies to every eligible request, not to a
    /// fraction, and does not count against `limit` (see `sim::rewrite`).
    pub total_records: Option<u64>,
    /// List replies carry no `totalRecords`.
    pub hide_total: bool,
    /// A server that ignores `PageNumber`: every request is answered as page 1.
    pub repeat_pages: bool,
    /// These keys (any case) are `null` in every object of the `result`.
    pub null_fields: Vec<String>,
    /// The reply is replaced by a valid JSON body of about this many bytes (0 = off)...
    pub oversize_bytes: u64,
    /// ...sent chunked, with no `Content-Length` (else announced up front).
    pub oversize_chunked: bool,
    /// Only requests whose path contains this (case-insensitive); `None` = all.
    pub path_contains: Option<String>,
    /// Not requests whose path contains this (case-insensitive): `"/search"` keeps the ticket
    /// search (a read sent as POST) out of faults meant for writes.
    pub path_excludes: Option<String>,
    /// Only these methods (`["GET"]`); empty = all.
    pub methods: Vec<String>,
    /// Stop injecting after this many faults (latency continues); `None` = no limit.
    pub limit: Option<u64>,
    /// Restart the fault RNG with this seed when these faults are set.
    pub seed: Option<u64>,
    /// The server's clock runs this many seconds ahead of the real one (negative: behind): in
    /// its `Date` header and in every time it stamps (creation, modification, SLA). Not
    /// scoped or counted like the faults above: it is how the server is, for every request.
    pub clock_skew_secs: i64,
    /// Notes, tickets and time logs written while this is set stay out of lists and searches
    /// for this long (a lagging replica or search index); a read by id sees them at once. Not
    /// scoped or counted either.
    pub read_lag_ms: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            latency_ms: 0,
            jitter_ms: 0,
            rate_limit: 0.0,
            rate_limit_every: 0,
            retry_after_secs: 1,
            server_error: 0.0,
            unavailable: 0.0,
            drop: 0.0,
            malformed: 0.0,
            reset: 0.0,
            stall: 0.0,
            stall_ms: 0,
            unauthorized: 0.0,
            soft_failure: 0.0,
            retry_after_as_date: false,
            total_records: None,
            hide_total: false,
            repeat_pages: false,
            null_fields: Vec::new(),
            oversize_bytes: 0,
            oversize_chunked: false,
            path_contains: None,
            path_excludes: None,
            methods: Vec::new(),
            limit: None,
            seed: None,
            clock_skew_secs: 0,
            read_lag_ms: 0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    RateLimited,
    ServerError,
    Unavailable,
    Dropped,
    Malformed,
    Reset,
    Stalled,
    Unauthorized,
    SoftFailure,
}

impl FaultKind {
    pub fn name(self) -> &'static str {
        match self {
            FaultKind::RateLimited => "rateLimited",
            FaultKind::ServerError => "serverError",
            FaultKind::Unavailable => "unavailable",
            FaultKind::Dropped => "dropped",
            FaultKind::Malformed => "malformed",
            FaultKind::Reset => "reset",
            FaultKind::Stalled => "stalled",
            FaultKind::Unauthorized => "unauthorized",
            FaultKind::SoftFailure => "softFailure",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Decision {
    pub latency: Duration,
    pub kind: Option<FaultKind>,
}

pub struct FaultState {
    pub faults: Faults,
    rng: Rng,
    eligible: u64,
    injected: u64,
}

impl FaultState {
    pub fn new(faults: Faults, seed: u64) -> Self {
        let rng = Rng::with_seed(faults.seed.unwrap_or(seed ^ 0xfa01_75ee_d000_0001));
        FaultState {
            faults,
            rng,
            eligible: 0,
            injected: 0,
        }
    }

    pub fn set(&mut self, faults: Faults) {
        if let Some(seed) = faults.seed {
            self.rng = Rng::with_seed(seed);
        }
        self.faults = faults;
        self.eligible = 0;
        self.injected = 0;
    }

    fn eligible(&self, method: &str, path: &str) -> bool {
        let f = &self.faults;
        let path_ok = f
            .path_contains
            .as_deref()
            .filter(|p| !p.is_empty())
            .is_none_or(|p| path.to_ascii_lowercase().contains(&p.to_ascii_lowercase()));
        let excluded = f
            .path_excludes
            .as_deref()
            .filter(|p| !p.is_empty())
            .is_some_and(|p| path.to_ascii_lowercase().contains(&p.to_ascii_lowercase()));
        let method_ok =
            f.methods.is_empty() || f.methods.iter().any(|m| m.eq_ignore_ascii_case(method));
        path_ok && !excluded && method_ok
    }

    /// The reply rewrites that apply to this request, if any.
    pub fn rewrite(&self, method: &str, path: &str) -> Option<Rewrite> {
        if !self.eligible(method, path) {
            return None;
        }
        Rewrite::of(&self.faults)
    }

    pub fn decide(&mut self, method: &str, path: &str) -> Decision {
        if !self.eligible(method, path) {
            return Decision::default();
        }
        self.eligible += 1;
        let f = &self.faults;
        let mut latency = Duration::from_millis(f.latency_ms);
        if f.jitter_ms > 0 {
            latency += Duration::from_millis(self.rng.u64(0..=f.jitter_ms));
        }
        let draw = self.rng.f64();
        if f.limit.is_some_and(|l| self.injected >= l) {
            return Decision {
                latency,
                kind: None,
            };
        }
        let kind =
            if f.rate_limit_every > 0 && self.eligible.is_multiple_of(f.rate_limit_every as u64) {
                Some(FaultKind::RateLimited)
            } else {
                let mut edge = 0.0;
                [
                    (f.rate_limit, FaultKind::RateLimited),
                    (f.server_error, FaultKind::ServerError),
                    (f.unavailable, FaultKind::Unavailable),
                    (f.drop, FaultKind::Dropped),
                    (f.malformed, FaultKind::Malformed),
                    (f.reset, FaultKind::Reset),
                    (f.stall, FaultKind::Stalled),
                    (f.unauthorized, FaultKind::Unauthorized),
                    (f.soft_failure, FaultKind::SoftFailure),
                ]
                .into_iter()
                .find_map(|(p, k)| {
                    edge += p.max(0.0);
                    (draw < edge).then_some(k)
                })
            };
        if kind.is_some() {
            self.injected += 1;
        }
        Decision { latency, kind }
    }
}

pub use bmsdesk_core::base_url::path_template;

/// Middleware: counts the request as `"METHOD /path/{id}"`.
pub async fn count_requests(State(st): State<SimState>, req: Request, next: Next) -> Response {
    let key = format!("{} {}", req.method(), path_template(req.uri().path()));
    {
        let mut stats = st.stats_mut();
        *stats.requests.entry(key).or_default() += 1;
        stats.total += 1;
    }
    next.run(req).await
}

/// IMF-fixdate, e.g. "Wed, 21 Oct 2015 07:28:00 GMT" (RFC 9110 §5.6.7).
fn http_date(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

fn retry_after(
    mut resp: Response,
    secs: u64,
    as_date: bool,
    now: chrono::DateTime<chrono::Utc>,
) -> Response {
    let value = if as_date {
        http_date(now + chrono::Duration::seconds(secs as i64))
    } else {
        secs.to_string()
    };
    if let Ok(v) = HeaderValue::from_str(&value) {
        resp.headers_mut().insert(header::RETRY_AFTER, v);
    }
    resp
}

/// Middleware: applies the active faults, shapes the reply (key case, `null`s: see
/// `sim::shape`), and dates it by the server's clock (which may be skewed).
pub async fn inject_faults(State(st): State<SimState>, req: Request, next: Next) -> Response {
    let shape = st.shared().shape;
    let mut resp = super::shape::scoped(shape, apply_faults(&st, req, next)).await;
    // hyper adds its own `Date` only when the reply has none.
    if let Ok(v) = HeaderValue::from_str(&http_date(st.now())) {
        resp.headers_mut().insert(header::DATE, v);
    }
    resp
}

async fn apply_faults(st: &SimState, req: Request, next: Next) -> Response {
    let (decision, rewrite) = {
        let mut fs = st.fault_state();
        let (method, path) = (req.method().as_str(), req.uri().path());
        (fs.decide(method, path), fs.rewrite(method, path))
    };
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    let Some(kind) = decision.kind else {
        return match rewrite {
            Some(rw) => injected(rw.apply(req, next).await, "rewrite".into()),
            None => next.run(req).await,
        };
    };
    *st.stats_mut()
        .faults
        .entry(kind.name().to_string())
        .or_default() += 1;
    let (secs, as_date, stall) = {
        let fs = st.fault_state();
        (
            fs.faults.retry_after_secs,
            fs.faults.retry_after_as_date,
            Duration::from_millis(fs.faults.stall_ms),
        )
    };
    let fail = |status: StatusCode, message: &str| SimError {
        status,
        code: status.as_u16() as i64,
        message: message.to_string(),
    };
    let resp = match kind {
        FaultKind::RateLimited => retry_after(
            fail(
                StatusCode::TOO_MANY_REQUESTS,
                "API calls quota exceeded: maximum admitted 1500 per hour per endpoint",
            )
            .into_response(),
            secs,
            as_date,
            st.now(),
        ),
        FaultKind::ServerError => fail(
            StatusCode::INTERNAL_SERVER_ERROR,
            "An unexpected error occurred (simulated)",
        )
        .into_response(),
        FaultKind::Unavailable => retry_after(
            fail(
                StatusCode::SERVICE_UNAVAILABLE,
                "The service is temporarily unavailable (simulated)",
            )
            .into_response(),
            secs,
            as_date,
            st.now(),
        ),
        FaultKind::Dropped => cut_reply(next.run(req).await, true).await,
        FaultKind::Malformed => cut_reply(next.run(req).await, false).await,
        FaultKind::Reset => {
            drop(req);
            reset_reply()
        }
        FaultKind::Stalled => {
            let resp = next.run(req).await;
            tokio::time::sleep(stall).await;
            resp
        }
        FaultKind::Unauthorized => SimError {
            status: StatusCode::UNAUTHORIZED,
            code: 978001,
            message: "Security Error: the access token has expired (simulated)".into(),
        }
        .into_response(),
        FaultKind::SoftFailure => {
            drop(req);
            SimError {
                status: StatusCode::OK,
                code: 500,
                message: "The operation could not be completed (simulated soft failure)".into(),
            }
            .into_response()
        }
    };
    injected(resp, format!("fault: {}", kind.name()))
}

/// Marks a reply broken on purpose, so a recording of it can be left out of conformance
/// checks (`sim::record`).
fn injected(mut resp: Response, what: String) -> Response {
    resp.extensions_mut().insert(Injected(what));
    resp
}

/// A reply whose body fails before its first byte: the connection closes with nothing
/// carried out.
fn reset_reply() -> Response {
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![Err(std::io::Error::new(
        std::io::ErrorKind::ConnectionReset,
        "simulated connection reset",
    ))];
    let mut resp = Response::new(Body::from_stream(futures_util::stream::iter(chunks)));
    resp.headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from_static("64"));
    resp
}

/// Keeps the first half of a reply. `drop`: announce the full length and then fail the body,
/// so the connection closes mid-reply; otherwise send the half as a complete (broken) body.
async fn cut_reply(resp: Response, drop: bool) -> Response {
    let (mut parts, body) = resp.into_parts();
    let full = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let full = if full.len() < 4 {
        Bytes::from_static(br#"{"success":true,"result":{"id":1}}"#)
    } else {
        full
    };
    let half = full.slice(0..full.len() / 2);
    parts.headers.remove(header::CONTENT_LENGTH);
    if drop {
        if let Ok(v) = HeaderValue::from_str(&full.len().to_string()) {
            parts.headers.insert(header::CONTENT_LENGTH, v);
        }
        let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
            Ok(half),
            Err(std::io::Error::new(
                std::io::ErrorKind::ConnectionAborted,
                "simulated dropped connection",
            )),
        ];
        Response::from_parts(parts, Body::from_stream(futures_util::stream::iter(chunks)))
    } else {
        Response::from_parts(parts, Body::from(half))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_nth_and_limits_and_scope() {
        let mut s = FaultState::new(
            Faults {
                rate_limit_every: 3,
                methods: vec!["get".into()],
                ..Default::default()
            },
            1,
        );
        let kinds: Vec<_> = (0..6).map(|_| s.decide("GET", "/v2/x").kind).collect();
        assert_eq!(
            kinds,
            vec![
                None,
                None,
                Some(FaultKind::RateLimited),
                None,
                None,
                Some(FaultKind::RateLimited)
            ]
        );
        assert_eq!(s.decide("POST", "/v2/x").kind, None);

        s.set(Faults {
            unavailable: 1.0,
            limit: Some(2),
            path_contains: Some("/TICKETS".into()),
            ..Default::default()
        });
        assert_eq!(s.decide("GET", "/v2/system/statuses/lookup").kind, None);
        s.set(Faults {
            unavailable: 1.0,
            path_contains: Some("/tickets".into()),
            path_excludes: Some("/SEARCH".into()),
            ..Default::default()
        });
        assert_eq!(
            s.decide("POST", "/v2/servicedesk/tickets/search").kind,
            None
        );
        assert_eq!(
            s.decide("POST", "/v2/servicedesk/tickets").kind,
            Some(FaultKind::Unavailable)
        );
        s.set(Faults {
            unavailable: 1.0,
            limit: Some(2),
            path_contains: Some("/TICKETS".into()),
            ..Default::default()
        });
        let kinds: Vec<_> = (0..4)
            .map(|_| s.decide("GET", "/v2/servicedesk/tickets/1").kind)
            .collect();
        assert_eq!(
            kinds,
            vec![
                Some(FaultKind::Unavailable),
                Some(FaultKind::Unavailable),
                None,
                None
            ]
        );
    }

    #[test]
    fn fractions_are_deterministic_for_a_seed() {
        let run = || {
            let mut s = FaultState::new(
                Faults {
                    server_error: 0.2,
                    drop: 0.1,
                    latency_ms: 5,
                    jitter_ms: 10,
                    seed: Some(99),
                    ..Default::default()
                },
                0,
            );
            (0..200).map(|_| s.decide("GET", "/a")).collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        let errors = a
            .iter()
            .filter(|d| d.kind == Some(FaultKind::ServerError))
            .count();
        assert!((20..=60).contains(&errors), "{errors}");
        assert!(a.iter().any(|d| d.kind == Some(FaultKind::Dropped)));
        assert!(
            a.iter()
                .all(|d| (5..=15).contains(&(d.latency.as_millis() as u64)))
        );
    }
}
