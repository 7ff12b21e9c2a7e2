//! Time-log entries: the input the server wants from a span, a work type and role, and an
//! optional time-log template. Shared by `bmsdesk time add` and the TUI's timer.

use chrono::{NaiveDate, NaiveTime, Timelike};

use crate::api::model::{Id, LookupItem, TimeLogInput, TimeLogTemplate};

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
    #[error("the end must be after the start (split entries that cross midnight)")]
    EndNotAfterStart,
    #[error("a time log needs a work type and a role")]
    MissingWorkTypeOrRole,
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
    /// Hours between start and end, rounded to hundredths (whole seconds are dropped).
    pub fn hours(&self) -> f64 {
        let mins = (trim(self.end) - trim(self.start)).num_minutes() as f64;
        (mins / 60.0 * 100.0).round() / 100.0
    }

    pub fn input(&self) -> Result<TimeLogInput, EntryError> {
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
