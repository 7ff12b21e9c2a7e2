//! Time-log entries: the input the server wants from a span, a work type and role, and an
//! optional time-log template. Shared by `bmsdesk time add` and the TUI's timer.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike};

use crate::wire::DATE_YEARS;

use crate::model::{Id, LookupItem, TimeLogInput, TimeLogTemplate};

/// The lookup item marked default, else the first one.
pub fn default_item(items: &[LookupItem]) -> Option<Id> {
    items
        .iter()
        .find(|i| i.is_default == Some(true))
        .or(items.first())
        .map(|i| i.id)
}

/// Why an entry cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("the end must be after the start")]
    EndNotAfterStart,
    #[error("a time log needs a work type and a role")]
    MissingWorkTypeOrRole,
    #[error("the date {0} is out of range (years {first}-{last})", first = DATE_YEARS.start(), last = DATE_YEARS.end())]
    DateOutOfRange(NaiveDate),
}

/// One time entry before it becomes a [`TimeLogInput`]. Unset notes, work type and role come
/// from the template when there is one.
#[derive(Debug, Clone, Default)]
pub struct TimeEntry<'a> {
    pub date: NaiveDate,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub work_type_id: Option<Id>,
    pub role_id: Option<Id>,
    pub notes: Option<String>,
    pub internal_notes: Option<String>,
    pub user_id: Option<Id>,
    pub template: Option<&'a TimeLogTemplate>,
}

impl TimeEntry<'_> {
    /// Hours between start and end to the nearest minute, rounded to hundredths (a day's part
    /// that ends at [`END_OF_DAY`] counts to midnight).
    pub fn hours(&self) -> f64 {
        let secs = (trim(self.end) - trim(self.start)).num_seconds();
        let mins = ((secs + 30) / 60) as f64;
        (mins / 60.0 * 100.0).round() / 100.0
    }

    pub fn input(&self) -> Result<TimeLogInput, EntryError> {
        if !DATE_YEARS.contains(&self.date.year()) {
            return Err(EntryError::DateOutOfRange(self.date));
        }
        let (start, end) = (trim(self.start), trim(self.end));
        if end <= start {
            return Err(EntryError::EndNotAfterStart);
        }
        let t = self.template;
        let work_type_id = self.work_type_id.or_else(|| t.and_then(|t| t.work_type_id));
        let role_id = self.role_id.or_else(|| t.and_then(|t| t.role_id));
        let (Some(work_type_id), Some(role_id)) = (work_type_id, role_id) else {
            return Err(EntryError::MissingWorkTypeOrRole);
        };
        Ok(TimeLogInput {
            start_date: self.date,
            start_time: start.format("%H:%M:%S").to_string(),
            end_time: end.format("%H:%M:%S").to_string(),
            work_type_id,
            role_id,
            timespent: Some(self.hours()),
            notes: self
                .notes
                .clone()
                .or_else(|| t.and_then(|t| t.notes.clone())),
            internal_notes: self
                .internal_notes
                .clone()
                .or_else(|| t.and_then(|t| t.internal_notes.clone())),
            user_id: self.user_id,
            status_id: t.and_then(|t| t.status_id),
        })
    }
}

/// The longest span logged at once (CLI and TUI): past this, a typo is likelier than work.
pub const MAX_ENTRY_MINUTES: i64 = 16 * 60;

/// Where a day's part of an entry that runs past midnight ends: the API takes a time of day,
/// and has no "24:00".
pub const END_OF_DAY: NaiveTime = match NaiveTime::from_hms_opt(23, 59, 59) {
    Some(t) => t,
    None => NaiveTime::MIN,
};

/// `start..end` cut at each midnight into (date, start time, end time) parts, one entry per
/// day as the API wants them: 23:30-00:45 is 23:30-23:59:59 on the first day and 00:00-00:45
/// on the next. Empty when `end` is not after `start`.
pub fn day_parts(
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> Vec<(NaiveDate, NaiveTime, NaiveTime)> {
    let mut parts = Vec::new();
    let mut from = start;
    while from < end {
        let next_midnight = (from.date() + TimeDelta::days(1)).and_time(NaiveTime::MIN);
        if end <= next_midnight {
            if end == next_midnight {
                parts.push((from.date(), from.time(), END_OF_DAY));
            } else {
                parts.push((from.date(), from.time(), end.time()));
            }
            break;
        }
        parts.push((from.date(), from.time(), END_OF_DAY));
        from = next_midnight;
    }
    parts
}

fn trim(t: NaiveTime) -> NaiveTime {
    t.with_nanosecond(0).unwrap_or(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn an_entry_past_midnight_is_one_part_per_day() {
        let d = |day: u32, h: u32, m: u32| {
            NaiveDate::from_ymd_opt(2026, 11, day)
                .unwrap()
                .and_time(t(h, m))
        };
        let day = |n: u32| NaiveDate::from_ymd_opt(2026, 11, n).unwrap();
        assert_eq!(
            day_parts(d(5, 9, 0), d(5, 9, 30)),
            vec![(day(5), t(9, 0), t(9, 30))]
        );
        assert_eq!(
            day_parts(d(5, 23, 30), d(6, 0, 45)),
            vec![(day(5), t(23, 30), END_OF_DAY), (day(6), t(0, 0), t(0, 45))]
        );
        assert_eq!(
            day_parts(d(5, 23, 0), d(6, 0, 0)),
            vec![(day(5), t(23, 0), END_OF_DAY)]
        );
        assert_eq!(day_parts(d(5, 22, 0), d(7, 1, 0)).len(), 3);
        assert!(day_parts(d(5, 9, 0), d(5, 9, 0)).is_empty());
        assert!(day_parts(d(5, 9, 0), d(5, 8, 0)).is_empty());
        // The part to midnight counts whole minutes.
        let evening = TimeEntry {
            start: t(23, 30),
            end: END_OF_DAY,
            ..Default::default()
        };
        assert_eq!(evening.hours(), 0.5);
    }

    #[test]
    fn defaults_and_template_fill_the_gaps() {
        let items = vec![
            LookupItem {
                id: 1,
                name: "A".into(),
                ..Default::default()
            },
            LookupItem {
                id: 2,
                name: "B".into(),
                is_default: Some(true),
                ..Default::default()
            },
        ];
        assert_eq!(default_item(&items), Some(2));
        assert_eq!(default_item(&items[..1]), Some(1));
        assert_eq!(default_item(&[]), None);

        let tpl = TimeLogTemplate {
            id: 9,
            name: "Remote".into(),
            notes: Some("Remote session.".into()),
            role_id: Some(5),
            work_type_id: Some(6),
            status_id: Some(7),
            ..Default::default()
        };
        let e = TimeEntry {
            date: NaiveDate::from_ymd_opt(2025, 3, 10).unwrap(),
            start: t(9, 0),
            end: t(9, 20),
            role_id: Some(4),
            template: Some(&tpl),
            ..Default::default()
        };
        let i = e.input().unwrap();
        assert_eq!((i.work_type_id, i.role_id), (6, 4), "explicit role wins");
        assert_eq!(i.notes.as_deref(), Some("Remote session."));
        assert_eq!(i.status_id, Some(7));
        assert_eq!(i.timespent, Some(0.33));
        assert_eq!(
            (i.start_time.as_str(), i.end_time.as_str()),
            ("09:00:00", "09:20:00")
        );

        let none = TimeEntry {
            end: t(1, 0),
            ..Default::default()
        };
        assert_eq!(none.input(), Err(EntryError::MissingWorkTypeOrRole));
        let backwards = TimeEntry {
            start: t(2, 0),
            end: t(1, 0),
            ..Default::default()
        };
        assert_eq!(backwards.input(), Err(EntryError::EndNotAfterStart));
    }
}
