//! The process's clock: the wall clock, or a pinned instant that then runs on.
//!
//! Everything that asks "what time is it" for dates (SLA time left, ages, the simulator's
//! generated tenant and its server clock, audit stamps, time logs) asks here, never
//! `Utc::now()` / `Local::now()` directly. Why: the tests must mean the same thing on any
//! date, hour and zone — a tenant generated on a Friday night has other breaches than one
//! generated on a Monday morning, and a test that passed yesterday failed today.
//!
//! `BMSDESK_NOW` pins the clock for the whole process (and, passed on, for the binaries a test
//! starts): `2026-12-07T08:00:00Z`, optionally followed by an IANA zone that stands for the
//! laptop's zone (`2026-03-29T00:30:00Z Europe/London`; default UTC when pinned). A pinned
//! clock starts at that instant and runs on with the monotonic clock, so timeouts, token
//! lifetimes and "updated just now" still behave. Tests pin it with [`pin_for_tests`]; a user can
//! pin it to try the demo "as if it were Friday 23:59".
//!
//! Timing (timeouts, debounce, latency) is not a date and keeps using `Instant` directly.

use std::sync::OnceLock;
use std::time::Instant;

use chrono::{DateTime, FixedOffset, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// The variable that pins the clock (read once, at the first question).
pub const ENV: &str = "BMSDESK_NOW";

/// The instant the tests run at unless `BMSDESK_NOW` says otherwise: a Wednesday mid-morning,
/// chosen so that nothing about it is special (`.ci/run` also runs the suite at a Monday 08:00,
/// a Friday 23:59 and a DST change).
pub const TEST_INSTANT: &str = "2026-12-02T10:17:00Z";

#[derive(Debug, Clone, Copy)]
struct Pinned {
    at: DateTime<Utc>,
    since: Instant,
    zone: Tz,
}

/// `None` = the wall clock.
static CLOCK: OnceLock<Option<Pinned>> = OnceLock::new();

/// Parses `BMSDESK_NOW`'s value: an RFC 3339 instant, then optionally an IANA zone name.
pub fn parse(spec: &str) -> Result<(DateTime<Utc>, Tz), String> {
    let mut parts = spec.split_whitespace();
    let at = parts
        .next()
        .ok_or_else(|| format!("{ENV} is empty (expected e.g. 2026-12-07T08:00:00Z)"))?;
    let at = DateTime::parse_from_rfc3339(at)
        .map_err(|e| format!("{ENV}={spec:?}: not an RFC 3339 instant ({e})"))?
        .with_timezone(&Utc);
    let zone = match parts.next() {
        None => Tz::UTC,
        Some(z) => z
            .parse::<Tz>()
            .map_err(|_| format!("{ENV}={spec:?}: unknown time zone {z:?}"))?,
    };
    if parts.next().is_some() {
        return Err(format!(
            "{ENV}={spec:?}: expected an instant and at most one zone"
        ));
    }
    Ok((at, zone))
}

fn from_env() -> Option<Pinned> {
    let spec = std::env::var(ENV).ok()?;
    match parse(&spec) {
        Ok((at, zone)) => Some(Pinned {
            at,
            since: Instant::now(),
            zone,
        }),
        Err(e) => {
            // Read before logging or the terminal are set up: say it once on stderr, and run
            // on the wall clock rather than refuse to start.
            eprintln!("warning: {e}; using the real clock");
            None
        }
    }
}

fn pinned() -> Option<Pinned> {
    // The library's own unit tests run pinned without each having to ask.
    #[cfg(test)]
    pin_for_tests();
    *CLOCK.get_or_init(from_env)
}

/// Pins the clock for this process (tests): `BMSDESK_NOW` when set, else [`TEST_INSTANT`].
/// Idempotent; returns the instant the clock started at. Must run before anything asks the
/// time, which every test rig does first.
pub fn pin_for_tests() -> DateTime<Utc> {
    // The integration tests are one process (tests/runner.rs): a test that asked the time
    // unpinned would put every later test on the wall clock without a word. Say so instead.
    // (`BMSDESK_NOW` set but unreadable is not this case: it warned and chose the wall clock.)
    if let Some(None) = CLOCK.get()
        && std::env::var_os(ENV).is_none()
    {
        panic!(
            "crate::clock: this process asked the time before pin_for_tests(); \
             pin first in every test that reads the clock"
        );
    }
    let p = CLOCK.get_or_init(|| {
        from_env().or_else(|| {
            let (at, zone) = parse(TEST_INSTANT).ok()?;
            Some(Pinned {
                at,
                since: Instant::now(),
                zone,
            })
        })
    });
    match p {
        Some(p) => p.at,
        None => Utc::now(),
    }
}

/// The value to pass on as `BMSDESK_NOW` to a process this one starts (a test's binary), so
/// that it shares this process's clock: `None` when this process runs on the wall clock.
pub fn env_for_child() -> Option<String> {
    pinned().map(|p| format!("{} {}", now().to_rfc3339(), p.zone.name()))
}

/// What time it is.
pub fn now() -> DateTime<Utc> {
    match pinned() {
        Some(p) => {
            let run = chrono::Duration::from_std(p.since.elapsed()).unwrap_or_default();
            p.at + run
        }
        None => Utc::now(),
    }
}

/// The laptop's offset from UTC at `at` (the pinned zone when the clock is pinned).
pub fn local_offset_at(at: DateTime<Utc>) -> FixedOffset {
    match pinned() {
        Some(p) => p.zone.offset_from_utc_datetime(&at.naive_utc()).fix(),
        None => chrono::Local
            .offset_from_utc_datetime(&at.naive_utc())
            .fix(),
    }
}

/// The laptop's current offset from UTC.
pub fn local_offset() -> FixedOffset {
    local_offset_at(now())
}

/// The current time in the laptop's zone.
pub fn local_now() -> DateTime<FixedOffset> {
    let n = now();
    n.with_timezone(&local_offset_at(n))
}

/// The instant a wall-clock time in the laptop's zone stands for. A time the zone skips
/// (DST gap) takes the offset before the gap, a repeated one the earlier instant: the rule
/// `api::tenant_time` uses for server times.
pub fn from_local(n: chrono::NaiveDateTime) -> DateTime<Utc> {
    match pinned() {
        Some(p) => crate::tenant_time::TenantZone::Named(p.zone).to_instant(n),
        None => match chrono::Local.from_local_datetime(&n) {
            chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
            chrono::LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
            chrono::LocalResult::None => {
                let before =
                    local_offset_at(Utc.from_utc_datetime(&(n - chrono::Duration::days(1))));
                Utc.from_utc_datetime(
                    &(n - chrono::Duration::seconds(i64::from(before.local_minus_utc()))),
                )
            }
        },
    }
}

/// `t` in the laptop's zone.
pub fn to_local(t: DateTime<Utc>) -> DateTime<FixedOffset> {
    t.with_timezone(&local_offset_at(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_an_instant_and_an_optional_zone() {
        let (at, z) = parse("2026-12-07T08:00:00Z").unwrap();
        assert_eq!(at.to_rfc3339(), "2026-12-07T08:00:00+00:00");
        assert_eq!(z, Tz::UTC);
        let (at, z) = parse("2026-03-29T02:30:00+01:00 Europe/London").unwrap();
        assert_eq!(at.to_rfc3339(), "2026-03-29T01:30:00+00:00");
        assert_eq!(z, chrono_tz::Europe::London);
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        assert!(parse("").is_err());
        assert!(parse("monday").is_err());
        assert!(parse("2026-12-07T08:00:00Z Mars/Olympus").is_err());
        assert!(parse("2026-12-07T08:00:00Z UTC extra").is_err());
    }

    #[test]
    fn the_unit_tests_run_on_a_pinned_clock_that_runs_on() {
        let start = pin_for_tests();
        let a = now();
        let b = now();
        assert!(a >= start && b >= a);
        assert!(
            (a - start).num_seconds() < 3600,
            "the pinned clock starts at its instant, not the wall clock"
        );
    }
}
