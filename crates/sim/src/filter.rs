//! The ticket search filter (`TicketFilterDto`), shared by `POST …/tickets/search` (a
//! `Filter` object) and `GET …/tickets` (`Filter.*` query keys). Names are resolved to id
//! sets once per query, so matching a row is cheap even over 100k tickets.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::envelope::{Fields, SimResult};
use super::tenant::{Tenant, TicketRec};

type Range = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

#[derive(Debug, Default)]
pub struct TicketQuery {
    statuses: Option<HashSet<i64>>,
    queues: Option<HashSet<i64>>,
    priorities: Option<HashSet<i64>>,
    types: Option<HashSet<i64>>,
    issue_types: Option<HashSet<i64>>,
    slas: Option<HashSet<i64>>,
    assignees: Option<HashSet<i64>>,
    created_by: Option<HashSet<i64>>,
    accounts: Option<HashSet<i64>>,
    contacts_named: Option<HashSet<i64>>,
    sources: Option<HashSet<i64>>,
    location_name: Option<String>,
    title: Option<String>,
    details: Option<String>,
    ticket_number: Option<String>,
    contact_id: Option<i64>,
    location_id: Option<i64>,
    exclude_completed: bool,
    completed_statuses: HashSet<i64>,
    scheduled: Option<bool>,
    scheduled_status: i64,
    open: Range,
    completed: Range,
    last_activity: Range,
    created_on: Range,
    last_status: Range,
    due: Range,
    resolution_target: Range,
}

/// Ids of `items` whose name is in the (lower-cased) list.
fn exact<'a>(
    list: Option<Vec<String>>,
    items: impl Iterator<Item = (i64, &'a str)>,
) -> Option<HashSet<i64>> {
    let list = list?;
    Some(
        items
            .filter(|(_, n)| list.iter().any(|w| *w == n.to_lowercase()))
            .map(|(id, _)| id)
            .collect(),
    )
}

/// Ids of `items` whose name contains `needle` (case-insensitive).
fn partial<I: Iterator<Item = (i64, String)>>(
    needle: Option<String>,
    items: impl FnOnce() -> I,
) -> Option<HashSet<i64>> {
    let needle = needle?.to_lowercase();
    Some(
        items()
            .filter(|(_, n)| n.to_lowercase().contains(&needle))
            .map(|(id, _)| id)
            .collect(),
    )
}

fn intersect(a: Option<HashSet<i64>>, b: Option<HashSet<i64>>) -> Option<HashSet<i64>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.intersection(&b).copied().collect()),
        (a, b) => a.or(b),
    }
}

fn range(f: &Fields, name: &str) -> SimResult<Range> {
    Ok((
        f.datetime(&format!("{name}From"))?,
        f.datetime_to(&format!("{name}To"))?,
    ))
}

fn in_range(r: &Range, v: Option<DateTime<Utc>>) -> bool {
    match (r, v) {
        ((None, None), _) => true,
        (_, None) => false,
        ((from, to), Some(v)) => from.is_none_or(|f| v >= f) && to.is_none_or(|t| v <= t),
    }
}

fn in_set(set: &Option<HashSet<i64>>, v: Option<i64>) -> bool {
    match set {
        None => true,
        Some(s) => v.is_some_and(|v| s.contains(&v)),
    }
}

impl TicketQuery {
    #[cfg(test)]
    pub fn parse(f: &Fields, t: &Tenant) -> SimResult<TicketQuery> {
        Self::parse_with(f, t, true)
    }

    /// [`TicketQuery::parse`] on a tenant that splits comma-joined name filters or not
    /// (`SimConfig::splits_commas`): one that does not takes the whole string as one name.
    pub fn parse_with(f: &Fields, t: &Tenant, splits_commas: bool) -> SimResult<TicketQuery> {
        let names = |key: &str| -> SimResult<Option<Vec<String>>> {
            if splits_commas {
                f.name_list(key)
            } else {
                Ok(f.text(key)?.map(|s| vec![s.trim().to_lowercase()]))
            }
        };
        let refs = &t.refs;
        let statuses = exact(
            names("StatusNames")?,
            refs.statuses.iter().map(|s| (s.id, s.name)),
        );
        let queues = exact(
            names("QueueNames")?,
            refs.queues.iter().map(|s| (s.id, s.name)),
        );
        let priorities = exact(
            names("PriorityNames")?,
            refs.priorities.iter().map(|s| (s.id, s.name)),
        );
        let types = exact(
            names("TicketTypeNames")?,
            refs.ticket_types.iter().map(|s| (s.id, s.name)),
        );
        let issue_types = exact(
            names("IssueTypeNames")?,
            refs.issue_types.iter().map(|s| (s.id, s.name)),
        );
        let slas = exact(
            names("ServiceLevelAgreementNames")?,
            refs.slas.iter().map(|s| (s.id, s.name)),
        );
        let users = || refs.users.iter().map(|u| (u.id, u.name.clone()));
        let assignees = partial(f.text("AssigneeName")?, users);
        let created_by = partial(f.text("CreatedByName")?, users);
        let by_name = partial(f.text("Account")?, || {
            t.accounts.iter().map(|a| (a.id, a.name.clone()))
        });
        let by_code = partial(f.text("AccountCode")?, || {
            t.accounts.iter().map(|a| (a.id, a.code.clone()))
        });
        let by_ids = f
            .id_list("AccountIds")?
            .map(|ids| ids.into_iter().collect::<HashSet<i64>>());
        let accounts = intersect(intersect(by_name, by_code), by_ids);
        let contacts_named = partial(f.text("ContactName")?, || {
            t.contacts.iter().map(|c| (c.id, c.name()))
        });
        let sources = f.id_list("SourceIds")?.map(|ids| ids.into_iter().collect());
        let completed_statuses = refs
            .statuses
            .iter()
            .filter(|s| s.is_completed())
            .map(|s| s.id)
            .collect();
        Ok(TicketQuery {
            statuses,
            queues,
            priorities,
            types,
            issue_types,
            slas,
            assignees,
            created_by,
            accounts,
            contacts_named,
            sources,
            location_name: f.text("LocationName")?.map(|s| s.to_lowercase()),
            title: f.text("Title")?.map(|s| s.to_lowercase()),
            details: f.text("Details")?.map(|s| s.to_lowercase()),
            ticket_number: f.text("TicketNumber")?.map(|s| s.to_lowercase()),
            contact_id: f.int("ContactId")?,
            location_id: f.int("AccountLocationId")?,
            exclude_completed: f.int("ExcludeCompleted")?.unwrap_or(0) != 0,
            completed_statuses,
            scheduled: f.int("IsScheduled")?.map(|v| v != 0),
            scheduled_status: refs.status_id("Scheduled"),
            open: range(f, "OpenDate")?,
            completed: range(f, "CompletedDate")?,
            last_activity: range(f, "LastActivityUpdate")?,
            created_on: range(f, "CreatedOn")?,
            last_status: range(f, "LastStatusUpdate")?,
            due: range(f, "DueDate")?,
            resolution_target: range(f, "ResolutionTargetTime")?,
        })
    }

    pub fn matches(&self, t: &Tenant, r: &TicketRec) -> bool {
        if r.deleted {
            return false;
        }
        if self.exclude_completed && self.completed_statuses.contains(&r.status_id) {
            return false;
        }
        let ids_ok = in_set(&self.statuses, Some(r.status_id))
            && in_set(&self.queues, r.queue_id)
            && in_set(&self.priorities, Some(r.priority_id))
            && in_set(&self.types, Some(r.type_id))
            && in_set(&self.issue_types, r.issue_type_id)
            && in_set(&self.slas, r.sla_id)
            && in_set(&self.assignees, r.assignee_id)
            && in_set(&self.created_by, Some(r.created_by))
            && in_set(&self.accounts, Some(r.account_id))
            && in_set(&self.contacts_named, r.contact_id)
            && in_set(&self.sources, Some(r.source_id))
            && self.contact_id.is_none_or(|c| r.contact_id == Some(c))
            && self.location_id.is_none_or(|l| r.location_id == l)
            && self
                .scheduled
                .is_none_or(|s| s == (r.status_id == self.scheduled_status));
        if !ids_ok {
            return false;
        }
        let dates_ok = in_range(&self.open, Some(r.open_date))
            && in_range(&self.completed, r.completed)
            && in_range(&self.last_activity, Some(r.last_activity))
            && in_range(&self.created_on, Some(r.created_on))
            && in_range(&self.last_status, Some(r.last_status_update))
            && in_range(&self.due, r.due_date)
            && in_range(&self.resolution_target, Some(r.res_target));
        if !dates_ok {
            return false;
        }
        let contains = |needle: &Option<String>, hay: &str| {
            needle
                .as_deref()
                .is_none_or(|n| hay.to_lowercase().contains(n))
        };
        contains(&self.title, &r.title)
            && contains(&self.ticket_number, &r.number)
            && contains(
                &self.location_name,
                t.location(r.location_id).map_or("", |l| l.name),
            )
            && (self.details.is_none() || contains(&self.details, &t.details_of(r)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::generate;
    use chrono::TimeZone;

    fn tenant() -> Tenant {
        let now = Utc.with_ymd_and_hms(2025, 6, 2, 10, 0, 0).unwrap();
        generate(
            3,
            600,
            20,
            now,
            "tech@demo.example",
            "mfa@demo.example",
            &super::super::refdata::TenantTables::standard(),
        )
    }

    fn run(t: &Tenant, json: &str) -> Vec<i64> {
        let f = Fields::from_json_bytes(json.as_bytes()).unwrap();
        let q = TicketQuery::parse(&f, t).unwrap();
        t.order
            .iter()
            .map(|&i| &t.tickets[i as usize])
            .filter(|r| q.matches(t, r))
            .map(|r| r.id)
            .collect()
    }

    #[test]
    fn empty_filter_matches_everything() {
        let t = tenant();
        assert_eq!(run(&t, "{}").len(), 600);
        assert_eq!(run(&t, r#"{"StatusNames":"","Title":"  "}"#).len(), 600);
    }

    #[test]
    fn name_lists_are_case_insensitive_exact() {
        let t = tenant();
        let ids = run(&t, r#"{"statusNames":"new, IN PROGRESS"}"#);
        assert!(!ids.is_empty());
        for id in &ids {
            let s = t.refs.status(t.ticket(*id).unwrap().status_id).unwrap();
            assert!(s.name == "New" || s.name == "In Progress");
        }
        // "Progress" alone is not a status name: exact match finds nothing.
        assert!(run(&t, r#"{"StatusNames":"Progress"}"#).is_empty());
        let high = run(&t, r#"{"PriorityNames":"high","QueueNames":"Help Desk"}"#);
        assert!(high.iter().all(|id| {
            let r = t.ticket(*id).unwrap();
            r.priority_id == 40482 && r.queue_id == Some(38401)
        }));
    }

    #[test]
    fn a_tenant_that_does_not_split_commas_takes_the_whole_string_as_one_name() {
        let t = tenant();
        let f = Fields::from_json_bytes(br#"{"StatusNames":"New,In Progress"}"#).unwrap();
        let q = TicketQuery::parse_with(&f, &t, false).unwrap();
        assert!(!t.tickets.iter().any(|r| q.matches(&t, r)));
        let one = Fields::from_json_bytes(br#"{"StatusNames":" new "}"#).unwrap();
        let q = TicketQuery::parse_with(&one, &t, false).unwrap();
        assert!(t.tickets.iter().any(|r| q.matches(&t, r)));
    }

    #[test]
    fn partial_filters_and_exclusions() {
        let t = tenant();
        let mine = run(&t, r#"{"AssigneeName":"jordan"}"#);
        assert!(!mine.is_empty());
        assert!(
            mine.iter()
                .all(|id| t.ticket(*id).unwrap().assignee_id == Some(51085))
        );
        let open = run(&t, r#"{"ExcludeCompleted":1}"#);
        assert!(open.len() < 600 && !open.is_empty());
        assert!(
            open.iter()
                .all(|id| t.ticket(*id).unwrap().completed.is_none())
        );
        let acc = &t.accounts[2];
        let word = acc.name.split_whitespace().next().unwrap().to_uppercase();
        let by_name = run(&t, &format!(r#"{{"Account":"{word}"}}"#));
        assert!(by_name.iter().all(|id| {
            t.account(t.ticket(*id).unwrap().account_id)
                .unwrap()
                .name
                .to_uppercase()
                .contains(&word)
        }));
        let by_ids = run(
            &t,
            &format!(r#"{{"AccountIds":"{},{}"}}"#, acc.id, acc.id + 1),
        );
        assert!(by_ids.iter().all(|id| {
            let a = t.ticket(*id).unwrap().account_id;
            a == acc.id || a == acc.id + 1
        }));
        let first = &t.tickets[5];
        let word = first
            .title
            .split_whitespace()
            .next()
            .unwrap()
            .to_lowercase();
        assert!(run(&t, &format!(r#"{{"Title":"{word}"}}"#)).contains(&first.id));
        assert_eq!(
            run(&t, &format!(r#"{{"TicketNumber":"{}"}}"#, first.number)),
            vec![first.id]
        );
        if let Some(c) = first.contact_id {
            assert!(run(&t, &format!(r#"{{"ContactId":{c}}}"#)).contains(&first.id));
        }
    }

    #[test]
    fn date_ranges() {
        let t = tenant();
        let cut = Utc.with_ymd_and_hms(2025, 6, 1, 0, 0, 0).unwrap();
        let recent = run(&t, r#"{"LastActivityUpdateFrom":"2025-06-01T00:00:00"}"#);
        assert!(!recent.is_empty());
        assert!(
            recent
                .iter()
                .all(|id| t.ticket(*id).unwrap().last_activity >= cut)
        );
        let created = run(
            &t,
            r#"{"CreatedOnFrom":"2025-05-01","CreatedOnTo":"2025-05-31"}"#,
        );
        assert!(created.iter().all(|id| {
            let c = t.ticket(*id).unwrap().created_on;
            c >= Utc.with_ymd_and_hms(2025, 5, 1, 0, 0, 0).unwrap() && c < cut
        }));
        let f = Fields::from_json_bytes(br#"{"CreatedOnFrom":"yesterday"}"#).unwrap();
        let err = TicketQuery::parse(&f, &t).unwrap_err();
        assert!(err.message.contains("CreatedOnFrom"), "{}", err.message);
    }
}
