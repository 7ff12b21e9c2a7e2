//! The server's clock as seen from here, measured from the `Date` header of its replies, so
//! that times the server stamps (a ticket's creation) can be compared with times taken on this
//! machine, and a search "created since" asks in the server's terms. A server whose clock is
//! minutes off must not make a write that landed look as if it had not.

use std::sync::Mutex;

use chrono::{DateTime, TimeDelta, Utc};

/// A `Date` this far from the local clock is not believed (a broken or hostile server); the
/// local clock is used instead.
const MAX_OFFSET: TimeDelta = TimeDelta::days(1);

#[derive(Debug, Default)]
pub struct ServerClock {
    /// Server time minus local time, from the latest reply that had a usable `Date`.
    offset: Mutex<Option<TimeDelta>>,
}

/// What a `Date` of `date` received at local time `received` says about the server's clock:
/// the header has whole seconds, so the server's time was somewhere in the second after it
/// (the middle is taken). `None` when it is too far off to believe.
pub fn offset_from(date: DateTime<Utc>, received: DateTime<Utc>) -> Option<TimeDelta> {
    let offset = date + TimeDelta::milliseconds(500) - received;
    (offset.abs() <= MAX_OFFSET).then_some(offset)
}

impl ServerClock {
    /// Takes note of a reply's `Date` header received at local time `received`.
    pub fn observe(&self, date: DateTime<Utc>, received: DateTime<Utc>) {
        match offset_from(date, received) {
            Some(o) => {
                if let Ok(mut cur) = self.offset.lock() {
                    *cur = Some(o);
                }
            }
            None => {
                tracing::warn!(%date, "the server's Date header is more than a day off; ignored")
            }
        }
    }

    /// Server time minus local time, once a reply told it.
    pub fn offset(&self) -> Option<TimeDelta> {
        self.offset.lock().ok().and_then(|o| *o)
    }

    /// The server's time at local time `local` (the local time while the offset is unknown).
    pub fn server_time(&self, local: DateTime<Utc>) -> DateTime<Utc> {
        local + self.offset().unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn offsets_are_measured_to_the_middle_of_the_second_and_bounded() {
        let local = Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).unwrap();
        let behind = local - TimeDelta::seconds(300);
        assert_eq!(
            offset_from(behind, local),
            Some(TimeDelta::milliseconds(-299_500))
        );
        assert_eq!(
            offset_from(local + TimeDelta::days(2), local),
            None,
            "not believed"
        );
        let clock = ServerClock::default();
        assert_eq!(clock.server_time(local), local, "unknown: the local clock");
        clock.observe(behind, local);
        assert_eq!(
            clock.server_time(local),
            local - TimeDelta::milliseconds(299_500)
        );
        clock.observe(local + TimeDelta::days(3), local);
        assert_eq!(
            clock.offset(),
            Some(TimeDelta::milliseconds(-299_500)),
            "a wild Date leaves the last good measure"
        );
    }
}
