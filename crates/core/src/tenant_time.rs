//! The one rule for timestamps on the wire: a date-time without an offset ("naive") is a wall
//! clock time in the tenant's zone; one with `Z` or an offset is taken as given.
//!
//! What is a guess here (bms-api.md §2.4 says the zone of naive values is undocumented; the
//! list of every guess is `api::guesses`):
//! - GUESS 1: naive values the server sends and reads are in the tenant's zone, the zone
//!   `userinfo` reports for the signed-in user (`OlsonTimeZoneName`). The web UI shows times
//!   in that zone, and the spec's examples are naive.
//! - GUESS 2: when `OlsonTimeZoneName` is missing or unknown, `TimeZoneValue` (a number in
//!   the spec, no unit) is the offset from UTC in hours (`-5`, `5.5`). A fixed offset knows
//!   no DST, so it is a fallback only; the profile's `tenant_timezone` overrides both.
//! - GUESS 3: a naive wall time the zone skips (a DST gap) means the instant that the
//!   offset before the gap gives (02:30 on a spring-forward night is 03:30 after it), and one
//!   the zone repeats (a DST overlap) means the earlier instant. This is java.time's and
//!   Noda Time's lenient rule; .NET refuses such times, so a server should never send them.
//!
//! The zone is set per call with [`scoped`]: the client decodes each reply and encodes each
//! body inside a scope of its tenant's zone, so every `#[serde(with = "opt_datetime")]` field
//! of every DTO goes through [`to_instant`](TenantZone::to_instant) and
//! [`to_naive`](TenantZone::to_naive). Outside a scope the zone is UTC, which keeps the files
//! bmsdesk writes for itself (outbox, caches, `--json`) as they were. A scope is a
//! thread-local set around synchronous code: never hold one across an `.await`.

use std::cell::Cell;
use std::fmt;

use chrono::{DateTime, Duration, FixedOffset, LocalResult, NaiveDateTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// The zone naive server times are in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantZone {
    /// An IANA zone (DST-aware).
    Named(Tz),
    /// A fixed offset (from `TimeZoneValue` only).
    Fixed(FixedOffset),
}

impl Default for TenantZone {
    fn default() -> Self {
        TenantZone::UTC
    }
}

impl fmt::Display for TenantZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TenantZone::Named(tz) => f.write_str(tz.name()),
            TenantZone::Fixed(o) => write!(f, "{o}"),
        }
    }
}

impl TenantZone {
    pub const UTC: TenantZone = TenantZone::Named(Tz::UTC);

    /// An IANA name (`America/New_York`) or a fixed offset as [`Display`] writes it
    /// (`+05:30`): what a profile's `tenant_timezone` and the token cache hold.
    pub fn parse(s: &str) -> Option<TenantZone> {
        let s = s.trim();
        if let Ok(tz) = s.parse::<Tz>() {
            return Some(TenantZone::Named(tz));
        }
        s.parse::<FixedOffset>().ok().map(TenantZone::Fixed)
    }

    /// The zone `userinfo` describes (GUESS 1, GUESS 2): `None` when it says nothing usable.
    pub fn from_userinfo(olson: Option<&str>, hours: Option<f64>) -> Option<TenantZone> {
        if let Some(tz) = olson.and_then(|n| n.trim().parse::<Tz>().ok()) {
            return Some(TenantZone::Named(tz));
        }
        use crate::guesses::{TIME_ZONE_VALUE_MAX, TIME_ZONE_VALUE_SECS};
        let hours = hours.filter(|h| h.is_finite() && h.abs() <= TIME_ZONE_VALUE_MAX)?;
        let secs = (hours * TIME_ZONE_VALUE_SECS).round() as i32;
        FixedOffset::east_opt(secs).map(TenantZone::Fixed)
    }

    /// The IANA zone, when this is one.
    pub fn tz(&self) -> Option<Tz> {
        match self {
            TenantZone::Named(tz) => Some(*tz),
            TenantZone::Fixed(_) => None,
        }
    }

    pub fn is_utc(&self) -> bool {
        match self {
            TenantZone::Named(tz) => *tz == Tz::UTC || tz.name() == "Etc/UTC",
            TenantZone::Fixed(o) => o.local_minus_utc() == 0,
        }
    }

    /// The zone's offset from UTC at `t`.
    pub fn offset_at(&self, t: DateTime<Utc>) -> FixedOffset {
        match self {
            TenantZone::Named(tz) => tz.offset_from_utc_datetime(&t.naive_utc()).fix(),
            TenantZone::Fixed(o) => *o,
        }
    }

    /// The tenant's wall clock at `t`: what is sent for an instant.
    pub fn to_naive(&self, t: DateTime<Utc>) -> NaiveDateTime {
        t.naive_utc() + Duration::seconds(i64::from(self.offset_at(t).local_minus_utc()))
    }

    /// The instant a naive server time stands for (GUESS 3 for gaps and overlaps).
    pub fn to_instant(&self, n: NaiveDateTime) -> DateTime<Utc> {
        let tz = match self {
            TenantZone::Fixed(o) => return Utc.from_utc_datetime(&(n - offset(*o))),
            TenantZone::Named(tz) => *tz,
        };
        match tz.from_local_datetime(&n) {
            LocalResult::Single(t) => t.with_timezone(&Utc),
            LocalResult::Ambiguous(earlier, _) => earlier.with_timezone(&Utc),
            LocalResult::None => {
                // In a gap: the offset in force before it (a day earlier; zones do not change
                // twice within a day).
                let before = tz.offset_from_utc_datetime(&(n - Duration::days(1))).fix();
                Utc.from_utc_datetime(&(n - offset(before)))
            }
        }
    }

    /// The instant `t` stands for if its wall time had been read in this zone instead of in
    /// `read_in`: how a value decoded before the zone was known is corrected.
    pub fn reinterpret(&self, t: DateTime<Utc>, read_in: TenantZone) -> DateTime<Utc> {
        if *self == read_in {
            return t;
        }
        self.to_instant(read_in.to_naive(t))
    }
}

fn offset(o: FixedOffset) -> Duration {
    Duration::seconds(i64::from(o.local_minus_utc()))
}

thread_local! {
    static CURRENT: Cell<TenantZone> = const { Cell::new(TenantZone::UTC) };
}

/// The zone of the scope this runs in (UTC outside any).
pub fn current() -> TenantZone {
    CURRENT.with(Cell::get)
}

/// Runs `f` with naive wire times in `zone` (see the module comment).
pub fn scoped<R>(zone: TenantZone, f: impl FnOnce() -> R) -> R {
    let _guard = enter(zone);
    f()
}

/// Sets the zone until the guard drops (the previous one is restored). For a scope that
/// spans a borrow, like the simulator's tenant lock; must not live across an `.await`.
#[must_use]
pub fn enter(zone: TenantZone) -> ZoneGuard {
    ZoneGuard {
        previous: CURRENT.with(|c| c.replace(zone)),
        _not_send: std::marker::PhantomData,
    }
}

/// See [`enter`].
pub struct ZoneGuard {
    previous: TenantZone,
    /// A thread-local's guard must stay on its thread.
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Drop for ZoneGuard {
    fn drop(&mut self) {
        CURRENT.with(|c| c.set(self.previous));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use chrono_tz::{America, Australia};

    fn naive(y: i32, m: u32, d: u32, h: u32, min: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, m, d)
            .and_then(|d| d.and_hms_opt(h, min, 0))
            .unwrap()
    }

    fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Utc.from_utc_datetime(&naive(y, m, d, h, min))
    }

    const NY: TenantZone = TenantZone::Named(America::New_York);
    const BNE: TenantZone = TenantZone::Named(Australia::Brisbane);

    #[test]
    fn naive_times_are_wall_clock_in_the_zone() {
        // Winter in New York is UTC-5, summer UTC-4; Brisbane is UTC+10 all year.
        assert_eq!(
            NY.to_instant(naive(2026, 12, 2, 9, 0)),
            utc(2026, 12, 2, 14, 0)
        );
        assert_eq!(
            NY.to_instant(naive(2026, 7, 2, 9, 0)),
            utc(2026, 7, 2, 13, 0)
        );
        assert_eq!(
            BNE.to_instant(naive(2026, 12, 2, 9, 0)),
            utc(2026, 12, 1, 23, 0)
        );
        assert_eq!(
            BNE.to_instant(naive(2026, 7, 2, 9, 0)),
            utc(2026, 7, 1, 23, 0)
        );
        assert_eq!(
            NY.to_naive(utc(2026, 12, 2, 14, 0)),
            naive(2026, 12, 2, 9, 0)
        );
        assert_eq!(
            BNE.to_naive(utc(2026, 12, 1, 23, 0)),
            naive(2026, 12, 2, 9, 0)
        );
        assert_eq!(
            TenantZone::UTC.to_naive(utc(2026, 1, 1, 0, 0)),
            naive(2026, 1, 1, 0, 0)
        );
    }

    #[test]
    fn a_time_in_a_dst_gap_takes_the_offset_before_the_gap() {
        // 2026-03-08 02:30 does not exist in New York (02:00 EST -> 03:00 EDT).
        let t = NY.to_instant(naive(2026, 3, 8, 2, 30));
        assert_eq!(t, utc(2026, 3, 8, 7, 30));
        assert_eq!(NY.to_naive(t), naive(2026, 3, 8, 3, 30));
    }

    #[test]
    fn a_repeated_time_in_a_dst_overlap_is_the_earlier_instant() {
        // 2026-11-01 01:30 happens twice in New York (EDT, then EST).
        let t = NY.to_instant(naive(2026, 11, 1, 1, 30));
        assert_eq!(t, utc(2026, 11, 1, 5, 30));
        // Both instants write back as the same wall time.
        assert_eq!(NY.to_naive(t), naive(2026, 11, 1, 1, 30));
        assert_eq!(
            NY.to_naive(utc(2026, 11, 1, 6, 30)),
            naive(2026, 11, 1, 1, 30)
        );
    }

    #[test]
    fn every_instant_round_trips_outside_the_overlap() {
        let mut t = utc(2026, 3, 7, 0, 0);
        while t < utc(2026, 3, 10, 0, 0) {
            assert_eq!(NY.to_instant(NY.to_naive(t)), t, "{t}");
            assert_eq!(BNE.to_instant(BNE.to_naive(t)), t, "{t}");
            t += Duration::minutes(15);
        }
    }

    #[test]
    fn userinfo_olson_name_wins_then_hours() {
        assert_eq!(
            TenantZone::from_userinfo(Some("America/New_York"), Some(0.0)),
            Some(NY)
        );
        assert_eq!(
            TenantZone::from_userinfo(Some("Not/AZone"), Some(5.5)),
            Some(TenantZone::Fixed(
                FixedOffset::east_opt(5 * 3600 + 1800).unwrap()
            ))
        );
        assert_eq!(
            TenantZone::from_userinfo(None, Some(-5.0)),
            Some(TenantZone::Fixed(FixedOffset::west_opt(5 * 3600).unwrap()))
        );
        assert_eq!(TenantZone::from_userinfo(None, Some(99.0)), None);
        assert_eq!(TenantZone::from_userinfo(None, Some(f64::NAN)), None);
        assert_eq!(TenantZone::from_userinfo(None, None), None);
    }

    #[test]
    fn names_round_trip_for_the_cache() {
        for z in [
            NY,
            BNE,
            TenantZone::Fixed(FixedOffset::east_opt(-16200).unwrap()),
        ] {
            assert_eq!(TenantZone::parse(&z.to_string()), Some(z));
        }
        assert_eq!(TenantZone::parse("Mars/Olympus"), None);
    }

    #[test]
    fn a_scope_sets_and_restores_the_zone() {
        assert!(current().is_utc());
        scoped(NY, || {
            assert_eq!(current(), NY);
            scoped(BNE, || assert_eq!(current(), BNE));
            assert_eq!(current(), NY);
        });
        assert!(current().is_utc());
    }

    #[test]
    fn reinterpret_moves_a_value_read_in_the_wrong_zone() {
        // "2026-12-02T09:00:00" read as UTC, but it was New York time.
        let wrong = utc(2026, 12, 2, 9, 0);
        assert_eq!(
            NY.reinterpret(wrong, TenantZone::UTC),
            utc(2026, 12, 2, 14, 0)
        );
        assert_eq!(NY.reinterpret(wrong, NY), wrong);
    }
}
