//! Business-time arithmetic: "add 4 business hours", "business minutes between two instants".
//!
//! Business time runs only inside the daily window (`start..end`, local wall clock in the
//! calendar's time zone) on business days that are not holidays. Windows are converted to UTC
//! instants once per local day, so DST changes are handled by the time-zone database: a
//! 00:00–24:00 window on a spring-forward day is 23 real hours long, an 08:00–18:00 window is
//! always 10.
//!
//! Speed: every local year gets a table (built lazily, once) of its daily windows as UTC
//! seconds with running totals. Converting an instant to a business position or back is then a
//! binary search; nothing loops per minute or per day at query time. Years outside 1971–2199
//! are clamped.

use std::fmt;
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

const MIN_YEAR: i32 = 1971;
const MAX_YEAR: i32 = 2199;
/// 1972-01-01T00:00:00Z and 2198-01-01T00:00:00Z: instants are clamped into this range so the
/// neighbouring years' tables always exist.
const MIN_TS: i64 = 63_072_000;
const MAX_TS: i64 = 7_195_046_400;
const DAY_SECS: u32 = 86_400;

/// The weekly shape of business time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusinessHours {
    /// Open days, indexed by `Weekday::num_days_from_monday()` (0 = Monday).
    pub days: [bool; 7],
    /// Window start, seconds after local midnight.
    pub start: u32,
    /// Window end, seconds after local midnight (up to 86 400 = "24:00"), after `start`.
    pub end: u32,
}

impl BusinessHours {
    /// Monday to Friday, 08:00–18:00.
    pub const OFFICE: BusinessHours = BusinessHours {
        days: [true, true, true, true, true, false, false],
        start: 8 * 3600,
        end: 18 * 3600,
    };
    /// Every day, all day (wall-clock time).
    pub const ALWAYS: BusinessHours = BusinessHours {
        days: [true; 7],
        start: 0,
        end: DAY_SECS,
    };

    /// True when this shape contains any business time at all.
    pub fn is_usable(&self) -> bool {
        self.days.iter().any(|d| *d) && self.end > self.start && self.end <= DAY_SECS
    }
}

impl Default for BusinessHours {
    fn default() -> Self {
        BusinessHours::OFFICE
    }
}

/// A point on the business-time axis: business seconds from the first window of `year`.
/// `c` may run past either end of the year; the arithmetic stays linear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BPos {
    year: i32,
    c: i64,
}

#[derive(Clone)]
struct YearTable {
    /// Per local day: the UTC second at which the business window opens (for closed days, the
    /// second at which it would have opened). Non-decreasing.
    start: Vec<i64>,
    /// Per local day: length of the window in seconds (0 on closed days).
    len: Vec<i64>,
    /// Per local day: business seconds from the year's start to the end of that day's window.
    cum_end: Vec<i64>,
    total: i64,
}

/// Business hours in one time zone, with holidays. Cheap to share (`&`), `Send + Sync`.
#[derive(Clone)]
pub struct BusinessCalendar {
    tz: Tz,
    hours: BusinessHours,
    holidays: Vec<NaiveDate>,
    years: Box<[OnceLock<YearTable>]>,
}

impl fmt::Debug for BusinessCalendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BusinessCalendar")
            .field("tz", &self.tz)
            .field("hours", &self.hours)
            .field("holidays", &self.holidays)
            .finish_non_exhaustive()
    }
}

impl BusinessCalendar {
    /// A calendar in `tz`. Hours that contain no business time (no day, or `end <= start`) make
    /// every deadline fall at the far end of the supported range instead of looping.
    pub fn new(
        tz: Tz,
        hours: BusinessHours,
        holidays: impl IntoIterator<Item = NaiveDate>,
    ) -> Self {
        let mut holidays: Vec<NaiveDate> = holidays.into_iter().collect();
        holidays.sort_unstable();
        holidays.dedup();
        let years = (MIN_YEAR..=MAX_YEAR).map(|_| OnceLock::new()).collect();
        BusinessCalendar {
            tz,
            hours,
            holidays,
            years,
        }
    }

    /// Every hour of every day counts (plain elapsed time).
    pub fn always_open(tz: Tz) -> Self {
        BusinessCalendar::new(tz, BusinessHours::ALWAYS, [])
    }

    pub fn tz(&self) -> Tz {
        self.tz
    }

    pub fn hours(&self) -> &BusinessHours {
        &self.hours
    }

    pub fn holidays(&self) -> &[NaiveDate] {
        &self.holidays
    }

    /// True while the business clock is running at `at`.
    pub fn is_open(&self, at: DateTime<Utc>) -> bool {
        let t = clamp_ts(at.timestamp());
        let (year, _) = self.pos_ts(t);
        let tab = self.table(year);
        let i = tab.start.partition_point(|&s| s <= t).saturating_sub(1);
        tab.len[i] > 0 && t >= tab.start[i] && t < tab.start[i] + tab.len[i]
    }

    /// Business seconds from `from` to `to`; negative when `to` is earlier.
    pub fn seconds_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        self.diff(self.pos(from), self.pos(to))
    }

    /// Business minutes from `from` to `to`, rounded towards the past (30 s late is `-1`).
    pub fn minutes_between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
        self.seconds_between(from, to).div_euclid(60)
    }

    /// The earliest instant at which `secs` business seconds have elapsed since `from`
    /// (negative `secs` go back). Adding 0 returns `from` itself (clamped
    /// to the supported range). Monotonic in both arguments.
    pub fn add_seconds(&self, from: DateTime<Utc>, secs: i64) -> DateTime<Utc> {
        if secs == 0 {
            let t = from.timestamp();
            if (MIN_TS..=MAX_TS).contains(&t) {
                return from;
            }
            return DateTime::from_timestamp(clamp_ts(t), 0).unwrap_or(from);
        }
        let p = self.pos(from);
        self.at(self.advance(p, secs))
    }

    /// [`Self::add_seconds`] in minutes.
    pub fn add_minutes(&self, from: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
        self.add_seconds(from, minutes.saturating_mul(60))
    }

    pub(crate) fn pos(&self, t: DateTime<Utc>) -> BPos {
        let (year, c) = self.pos_ts(clamp_ts(t.timestamp()));
        BPos { year, c }
    }

    pub(crate) fn advance(&self, p: BPos, secs: i64) -> BPos {
        BPos {
            year: p.year,
            c: p.c.saturating_add(secs),
        }
    }

    /// Business seconds from `a` to `b`.
    pub(crate) fn diff(&self, a: BPos, b: BPos) -> i64 {
        use std::cmp::Ordering;
        match a.year.cmp(&b.year) {
            Ordering::Equal => b.c.saturating_sub(a.c),
            Ordering::Greater => self.diff(b, a).saturating_neg(),
            Ordering::Less => {
                let mut s = self.table(a.year).total.saturating_sub(a.c);
                for y in a.year + 1..b.year {
                    s = s.saturating_add(self.table(y).total);
                }
                s.saturating_add(b.c)
            }
        }
    }

    /// The earliest instant at business position `p`.
    pub(crate) fn at(&self, p: BPos) -> DateTime<Utc> {
        let ts = self.instant(p.year, p.c);
        DateTime::from_timestamp(ts, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    fn pos_ts(&self, t: i64) -> (i32, i64) {
        let y = DateTime::from_timestamp(t, 0).map_or(2000, |d| d.year());
        for year in [y + 1, y, y - 1] {
            if !(MIN_YEAR..=MAX_YEAR).contains(&year) {
                continue;
            }
            let tab = self.table(year);
            if tab.start[0] <= t {
                let i = tab.start.partition_point(|&s| s <= t) - 1;
                let before = tab.cum_end[i] - tab.len[i];
                return (year, before + (t - tab.start[i]).clamp(0, tab.len[i]));
            }
        }
        (y.clamp(MIN_YEAR, MAX_YEAR), 0)
    }

    fn instant(&self, mut year: i32, mut c: i64) -> i64 {
        let usable = self.hours.is_usable();
        loop {
            let tab = self.table(year);
            if c < 0 {
                if year <= MIN_YEAR || !usable {
                    return tab.start[0];
                }
                year -= 1;
                c = c.saturating_add(self.table(year).total);
                continue;
            }
            if c > tab.total {
                if year >= MAX_YEAR || !usable {
                    return MAX_TS;
                }
                c -= tab.total;
                year += 1;
                continue;
            }
            let i = tab
                .cum_end
                .partition_point(|&e| e < c)
                .min(tab.cum_end.len() - 1);
            let before = tab.cum_end[i] - tab.len[i];
            return tab.start[i] + (c - before);
        }
    }

    fn table(&self, year: i32) -> &YearTable {
        let year = year.clamp(MIN_YEAR, MAX_YEAR);
        self.years[(year - MIN_YEAR) as usize].get_or_init(|| self.build_year(year))
    }

    fn build_year(&self, year: i32) -> YearTable {
        let first = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default();
        let n = if first.leap_year() { 366 } else { 365 };
        let mut start = Vec::with_capacity(n);
        let mut len = Vec::with_capacity(n);
        let mut cum_end = Vec::with_capacity(n);
        let mut total = 0i64;
        let mut last_start = i64::MIN;
        for date in first.iter_days().take(n) {
            // Keep starts non-decreasing even across odd zone histories (skipped days).
            let s = self.local_to_utc(date, self.hours.start).max(last_start);
            last_start = s;
            let open = self.hours.days[date.weekday().num_days_from_monday() as usize]
                && self.holidays.binary_search(&date).is_err();
            let l = if open && self.hours.end > self.hours.start {
                (self.local_to_utc(date, self.hours.end) - s).max(0)
            } else {
                0
            };
            total += l;
            start.push(s);
            len.push(l);
            cum_end.push(total);
        }
        YearTable {
            start,
            len,
            cum_end,
            total,
        }
    }

    /// Local wall-clock `secs` after midnight of `date` as a UTC second. Ambiguous times (DST
    /// fall-back) take the earlier instant; skipped times (spring-forward gap) take the first
    /// instant after the gap.
    fn local_to_utc(&self, date: NaiveDate, secs: u32) -> i64 {
        let (date, secs) = if secs >= DAY_SECS {
            (date.succ_opt().unwrap_or(date), secs - DAY_SECS)
        } else {
            (date, secs)
        };
        let time = NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).unwrap_or_default();
        let local = date.and_time(time);
        for step in 0..=(2 * 24 * 4) {
            let probe = local + Duration::minutes(15 * step);
            match self.tz.from_local_datetime(&probe) {
                LocalResult::Single(t) => return t.timestamp(),
                LocalResult::Ambiguous(a, _) => return a.timestamp(),
                LocalResult::None => {}
            }
        }
        local.and_utc().timestamp()
    }
}

fn clamp_ts(t: i64) -> i64 {
    t.clamp(MIN_TS, MAX_TS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::{Europe, US};
    use proptest::prelude::*;

    fn london() -> BusinessCalendar {
        BusinessCalendar::new(Europe::London, BusinessHours::OFFICE, [])
    }

    fn local(tz: Tz, y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        tz.with_ymd_and_hms(y, m, d, h, min, 0)
            .earliest()
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn clamp_constants_are_the_documented_instants() {
        assert_eq!(
            DateTime::from_timestamp(MIN_TS, 0).unwrap().to_rfc3339(),
            "1972-01-01T00:00:00+00:00"
        );
        assert_eq!(
            DateTime::from_timestamp(MAX_TS, 0).unwrap().to_rfc3339(),
            "2198-01-01T00:00:00+00:00"
        );
    }

    #[test]
    fn friday_evening_rolls_to_monday_morning_london() {
        let cal = london();
        // 2025-01-10 is a Friday (GMT, UTC+0).
        let open = local(Europe::London, 2025, 1, 10, 17, 30);
        let due = cal.add_minutes(open, 60);
        assert_eq!(due, local(Europe::London, 2025, 1, 13, 8, 30));
        // Same in summer time (BST, UTC+1): 2025-07-11 is a Friday.
        let open = local(Europe::London, 2025, 7, 11, 17, 30);
        let due = cal.add_minutes(open, 60);
        assert_eq!(due, local(Europe::London, 2025, 7, 14, 8, 30));
        assert_eq!(due.to_rfc3339(), "2025-07-14T07:30:00+00:00");
    }

    #[test]
    fn adding_lands_on_window_end_not_next_morning() {
        let cal = london();
        let open = local(Europe::London, 2025, 1, 10, 17, 0);
        assert_eq!(
            cal.add_minutes(open, 60),
            local(Europe::London, 2025, 1, 10, 18, 0)
        );
        assert_eq!(cal.add_minutes(open, 0), open);
    }

    #[test]
    fn opened_out_of_hours_starts_at_next_window() {
        let cal = london();
        // Saturday 10:00 -> the clock starts Monday 08:00.
        let sat = local(Europe::London, 2025, 1, 11, 10, 0);
        assert_eq!(
            cal.add_minutes(sat, 60),
            local(Europe::London, 2025, 1, 13, 9, 0)
        );
        // Tuesday 06:00 -> Tuesday 08:00 + 4 h.
        let early = local(Europe::London, 2025, 1, 14, 6, 0);
        assert_eq!(
            cal.add_minutes(early, 240),
            local(Europe::London, 2025, 1, 14, 12, 0)
        );
        assert!(!cal.is_open(sat));
        assert!(cal.is_open(local(Europe::London, 2025, 1, 14, 8, 0)));
        assert!(!cal.is_open(local(Europe::London, 2025, 1, 14, 18, 0)));
    }

    #[test]
    fn multi_day_targets_walk_whole_days() {
        let cal = london();
        // Monday 09:00 + 24 business hours = 2 days 4 h later: Wednesday 13:00.
        let mon = local(Europe::London, 2025, 1, 13, 9, 0);
        assert_eq!(
            cal.add_minutes(mon, 24 * 60),
            local(Europe::London, 2025, 1, 15, 13, 0)
        );
        // 72 h = 7.2 business days: Monday 09:00 -> Wednesday of the next week 11:00.
        assert_eq!(
            cal.add_minutes(mon, 72 * 60),
            local(Europe::London, 2025, 1, 22, 11, 0)
        );
    }

    #[test]
    fn holidays_are_skipped() {
        let xmas = [
            NaiveDate::from_ymd_opt(2024, 12, 25).unwrap(),
            NaiveDate::from_ymd_opt(2024, 12, 26).unwrap(),
        ];
        let cal = BusinessCalendar::new(Europe::London, BusinessHours::OFFICE, xmas);
        // Tuesday 24 Dec 17:00 + 2 h -> 1 h on the 24th, then Friday 27th 09:00.
        let t = local(Europe::London, 2024, 12, 24, 17, 0);
        assert_eq!(
            cal.add_minutes(t, 120),
            local(Europe::London, 2024, 12, 27, 9, 0)
        );
        assert_eq!(
            cal.minutes_between(t, local(Europe::London, 2024, 12, 27, 9, 0)),
            120
        );
    }

    #[test]
    fn across_new_year() {
        let cal = london();
        // Tuesday 31 Dec 2024 17:00 + 3 h -> Wednesday 1 Jan 2025 10:00 (no holidays set).
        let t = local(Europe::London, 2024, 12, 31, 17, 0);
        let due = cal.add_minutes(t, 180);
        assert_eq!(due, local(Europe::London, 2025, 1, 1, 10, 0));
        assert_eq!(cal.minutes_between(t, due), 180);
        assert_eq!(cal.minutes_between(due, t), -180);
        // A whole year of business time: 2025 has 261 weekdays.
        let a = local(Europe::London, 2025, 1, 1, 0, 0);
        let b = local(Europe::London, 2026, 1, 1, 0, 0);
        assert_eq!(cal.minutes_between(a, b), 261 * 600);
        // Two years span three tables.
        let c = local(Europe::London, 2027, 1, 1, 0, 0);
        assert_eq!(cal.minutes_between(a, c), (261 + 261) * 600);
        assert_eq!(
            cal.add_minutes(a, (261 + 261) * 600),
            local(Europe::London, 2026, 12, 31, 18, 0)
        );
    }

    #[test]
    fn us_eastern_across_march_dst_change() {
        let cal = BusinessCalendar::new(US::Eastern, BusinessHours::OFFICE, []);
        // DST starts Sunday 2025-03-09. Friday 7 March 16:00 EST (21:00Z) + 4 h
        // -> 2 h Friday, 2 h Monday: Monday 10 March 10:00 EDT (14:00Z).
        let fri = local(US::Eastern, 2025, 3, 7, 16, 0);
        assert_eq!(fri.to_rfc3339(), "2025-03-07T21:00:00+00:00");
        let due = cal.add_minutes(fri, 240);
        assert_eq!(due.to_rfc3339(), "2025-03-10T14:00:00+00:00");
        assert_eq!(cal.minutes_between(fri, due), 240);
        // Elapsed wall time is 3 days minus the lost hour.
        assert_eq!((due - fri).num_hours(), 65);
    }

    #[test]
    fn always_open_counts_real_elapsed_time_across_dst() {
        let cal = BusinessCalendar::always_open(US::Eastern);
        let a = local(US::Eastern, 2025, 3, 8, 12, 0);
        let b = local(US::Eastern, 2025, 3, 9, 12, 0);
        // 24 wall-clock hours of local time are only 23 real hours on the spring-forward day.
        assert_eq!(cal.minutes_between(a, b), 23 * 60);
        assert_eq!(cal.add_minutes(a, 23 * 60), b);
        // Fall back: 25 real hours.
        let c = local(US::Eastern, 2025, 11, 1, 12, 0);
        let d = local(US::Eastern, 2025, 11, 2, 12, 0);
        assert_eq!(cal.minutes_between(c, d), 25 * 60);
    }

    #[test]
    fn window_inside_the_dst_gap_is_dst_safe() {
        // A 01:00–04:00 window on the spring-forward day loses the skipped hour.
        let hours = BusinessHours {
            days: [true; 7],
            start: 3600,
            end: 4 * 3600,
        };
        let cal = BusinessCalendar::new(US::Eastern, hours, []);
        let a = local(US::Eastern, 2025, 3, 9, 0, 0);
        let b = local(US::Eastern, 2025, 3, 9, 12, 0);
        assert_eq!(cal.minutes_between(a, b), 2 * 60);
    }

    #[test]
    fn unusable_hours_never_hang() {
        let hours = BusinessHours {
            days: [false; 7],
            start: 0,
            end: 3600,
        };
        let cal = BusinessCalendar::new(Tz::UTC, hours, []);
        let a = local(Tz::UTC, 2025, 1, 1, 0, 0);
        let far = cal.add_minutes(a, 60);
        assert!(far > a);
        assert_eq!(cal.minutes_between(a, far), 0);
    }

    proptest! {
        #[test]
        fn add_is_monotonic_and_consistent(
            t1 in -10_000_000_000i64..10_000_000_000i64,
            dt in 0i64..100_000_000i64,
            s1 in -5_000_000i64..5_000_000i64,
            ds in 0i64..5_000_000i64,
            tz_pick in 0usize..4,
        ) {
            let tz = [Tz::UTC, Europe::London, US::Eastern, chrono_tz::Pacific::Apia][tz_pick];
            let cal = BusinessCalendar::new(tz, BusinessHours::OFFICE, [NaiveDate::from_ymd_opt(2025, 12, 25).unwrap()]);
            let a = DateTime::from_timestamp(t1, 0).unwrap();
            let b = DateTime::from_timestamp(t1 + dt, 0).unwrap();
            // Monotonic in the start instant and in the amount.
            prop_assert!(cal.add_seconds(a, s1) <= cal.add_seconds(b, s1));
            prop_assert!(cal.add_seconds(a, s1) <= cal.add_seconds(a, s1 + ds));
            // Adding forward never goes back; backward never goes forward.
            let fwd = cal.add_seconds(a, ds);
            let lo = DateTime::from_timestamp(MIN_TS, 0).unwrap();
            let hi = DateTime::from_timestamp(MAX_TS, 0).unwrap();
            prop_assert!(fwd >= a.clamp(lo, hi));
            prop_assert!(cal.add_seconds(a, -ds) <= a.clamp(lo, hi) || ds == 0);
            prop_assert!(cal.seconds_between(a, b) >= 0);
            // Inside the supported range, adding then measuring returns the amount.
            if (MIN_TS + 400 * 86_400..MAX_TS - 400 * 86_400).contains(&t1) {
                prop_assert_eq!(cal.seconds_between(a, fwd), ds);
                let back = cal.add_seconds(a, -ds);
                prop_assert_eq!(cal.seconds_between(back, a), ds);
            }
        }
    }
}
