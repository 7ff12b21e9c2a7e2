//! The in-memory tenant: compact records, id indexes, and the mutations the endpoints make
//! (status changes keep the SLA fields consistent). Generated data (ticket details, notes,
//! time logs) is produced lazily from a per-ticket seed and only stored once written to.

use std::collections::HashMap;
use std::sync::LazyLock;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

use super::generate;
use super::refdata::Refs;
use bmsdesk_core::domain::calendar::{BusinessCalendar, BusinessHours};
use chrono_tz::Tz;

pub const ACCOUNT_ID_BASE: i64 = 3001;
pub const LOCATION_ID_BASE: i64 = 7001;
pub const CONTACT_ID_BASE: i64 = 20001;
pub const TICKET_ID_BASE: i64 = 100001;
/// Created notes and time logs get ids from here up (generated ones sit below).
pub const NEW_NOTE_ID_BASE: i64 = 50_000_001;
pub const NEW_TIMELOG_ID_BASE: i64 = 60_000_001;

#[derive(Debug, Clone)]
pub struct AccountRec {
    pub id: i64,
    pub name: String,
    pub code: String,
    pub domain: String,
    pub active: bool,
    pub sla_id: i64,
    pub locations: Vec<i64>,
    pub contacts: Vec<i64>,
}

#[derive(Debug, Clone)]
pub struct LocationRec {
    pub id: i64,
    pub account_id: i64,
    pub name: &'static str,
    pub is_main: bool,
    pub phone: String,
}

#[derive(Debug, Clone)]
pub struct ContactRec {
    pub id: i64,
    pub account_id: i64,
    pub location_id: i64,
    pub first: &'static str,
    pub last: &'static str,
    pub email: String,
    pub phone: String,
}

impl ContactRec {
    pub fn name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }
}

/// One ticket, kept compact: names are resolved from ids when a reply is built.
#[derive(Debug, Clone)]
pub struct TicketRec {
    pub id: i64,
    pub number: Box<str>,
    pub title: Box<str>,
    /// `None`: generated from `seed` on demand.
    pub details: Option<Box<str>>,
    pub seed: u64,
    /// Index into `words::SCENARIOS` (drives generated details and notes).
    pub scenario: u16,
    pub account_id: i64,
    pub location_id: i64,
    pub contact_id: Option<i64>,
    pub status_id: i64,
    pub priority_id: i64,
    pub type_id: i64,
    pub issue_type_id: Option<i64>,
    pub source_id: i64,
    pub queue_id: Option<i64>,
    pub assignee_id: Option<i64>,
    pub work_type_id: Option<i64>,
    pub sla_id: Option<i64>,
    pub created_by: i64,
    pub modified_by: i64,
    pub open_date: DateTime<Utc>,
    pub created_on: DateTime<Utc>,
    pub modified_on: DateTime<Utc>,
    pub last_activity: DateTime<Utc>,
    pub last_status_update: DateTime<Utc>,
    pub due_date: Option<DateTime<Utc>>,
    pub completed: Option<DateTime<Utc>>,
    pub reopened: Option<DateTime<Utc>>,
    pub fr_target: DateTime<Utc>,
    pub fr_actual: Option<DateTime<Utc>>,
    pub res_target: DateTime<Utc>,
    pub res_actual: Option<DateTime<Utc>>,
    /// Set while the status is a waiting one (SLA paused).
    pub paused_since: Option<DateTime<Utc>>,
    pub paused_minutes: i64,
    pub deleted: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NoteRec {
    pub id: i64,
    pub details: String,
    pub is_internal: bool,
    pub type_id: i64,
    /// The user who wrote it; `None` for a reply from the customer contact.
    pub created_by: Option<i64>,
    pub author_name: String,
    pub author_email: Option<String>,
    pub created_on: DateTime<Utc>,
    pub modified_on: DateTime<Utc>,
    pub modified_by_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TimeLogRec {
    pub id: i64,
    pub start_date: NaiveDate,
    pub start_time: NaiveTime,
    pub end_time: NaiveTime,
    pub hours: f64,
    pub notes: Option<String>,
    pub internal_notes: Option<String>,
    pub user_id: i64,
    pub work_type_id: i64,
    pub role_id: i64,
    pub created_on: DateTime<Utc>,
}

/// The whole simulated tenant.
pub struct Tenant {
    pub seed: u64,
    pub generated_at: DateTime<Utc>,
    pub refs: Refs,
    pub accounts: Vec<AccountRec>,
    pub locations: Vec<LocationRec>,
    pub contacts: Vec<ContactRec>,
    /// Index = id - `TICKET_ID_BASE`; deleted tickets stay as tombstones.
    pub tickets: Vec<TicketRec>,
    /// Ticket indexes, newest open date first (ties: higher id first).
    pub order: Vec<u32>,
    pub notes: HashMap<i64, Vec<NoteRec>>,
    pub timelogs: HashMap<i64, Vec<TimeLogRec>>,
    pub next_note_id: i64,
    pub next_timelog_id: i64,
    pub day_seq: HashMap<NaiveDate, u32>,
    /// The tenant's zone ([`super::SimConfig::tenant_zone`]): replies write their times as
    /// its wall clock.
    pub zone: Tz,
}

/// The server clock in whole seconds: what is stored is exactly what the wire shows.
pub fn now() -> DateTime<Utc> {
    let t = bmsdesk_core::clock::now();
    t - Duration::nanoseconds(i64::from(t.timestamp_subsec_nanos()))
}

/// The business calendar the simulated BMS counts SLA time in: Monday to Friday 08:00-18:00
/// in the tenant's zone (the zone of the current `tenant_time` scope, which the tenant lock
/// holds), no holidays; bmsdesk's `[sla]` defaults, so the targets the server sends and the
/// times the client computes agree.
pub fn sla_calendar() -> &'static BusinessCalendar {
    use std::collections::HashMap;
    use std::sync::Mutex;
    // One per zone, built once: a process runs a handful of simulated tenants.
    static CALS: LazyLock<Mutex<HashMap<Tz, &'static BusinessCalendar>>> =
        LazyLock::new(Default::default);
    let tz = bmsdesk_core::tenant_time::current().tz().unwrap_or(Tz::UTC);
    let mut cals = CALS.lock().unwrap_or_else(|e| e.into_inner());
    cals.entry(tz).or_insert_with(|| {
        Box::leak(Box::new(BusinessCalendar::new(
            tz,
            BusinessHours::OFFICE,
            [],
        )))
    })
}

/// When `minutes` of business time have passed since `from`.
pub fn business_deadline(from: DateTime<Utc>, minutes: i64) -> DateTime<Utc> {
    sla_calendar().add_seconds(from, minutes.saturating_mul(60))
}

/// Business minutes from `from` to `to`.
pub fn business_minutes(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    sla_calendar().minutes_between(from, to)
}

fn index(id: i64, base: i64, len: usize) -> Option<usize> {
    let i = id.checked_sub(base)?;
    (i >= 0 && (i as usize) < len).then_some(i as usize)
}

impl Tenant {
    /// An instant as a reply writes it: the tenant's wall clock, no offset.
    pub fn stamp(&self, at: DateTime<Utc>) -> super::wire::Stamp {
        super::wire::Stamp(at.with_timezone(&self.zone).naive_local())
    }

    pub fn stamp_opt(&self, at: Option<DateTime<Utc>>) -> Option<super::wire::Stamp> {
        at.map(|a| self.stamp(a))
    }

    pub fn account(&self, id: i64) -> Option<&AccountRec> {
        index(id, ACCOUNT_ID_BASE, self.accounts.len()).map(|i| &self.accounts[i])
    }
    pub fn location(&self, id: i64) -> Option<&LocationRec> {
        index(id, LOCATION_ID_BASE, self.locations.len()).map(|i| &self.locations[i])
    }
    pub fn contact(&self, id: i64) -> Option<&ContactRec> {
        index(id, CONTACT_ID_BASE, self.contacts.len()).map(|i| &self.contacts[i])
    }
    pub fn ticket(&self, id: i64) -> Option<&TicketRec> {
        index(id, TICKET_ID_BASE, self.tickets.len())
            .map(|i| &self.tickets[i])
            .filter(|t| !t.deleted)
    }
    pub fn ticket_mut(&mut self, id: i64) -> Option<&mut TicketRec> {
        index(id, TICKET_ID_BASE, self.tickets.len())
            .map(|i| &mut self.tickets[i])
            .filter(|t| !t.deleted)
    }

    /// Live (not deleted) tickets.
    pub fn ticket_count(&self) -> usize {
        self.tickets.iter().filter(|t| !t.deleted).count()
    }

    /// The next `T{yyyymmdd}.{nnnn}` number for a ticket opened on `date`.
    pub fn next_ticket_number(&mut self, date: NaiveDate) -> String {
        let seq = self.day_seq.entry(date).or_insert(0);
        *seq += 1;
        format!("T{}.{:04}", date.format("%Y%m%d"), seq)
    }

    /// Adds a ticket (its id must be the next one) and keeps `order` sorted.
    pub fn push_ticket(&mut self, rec: TicketRec) {
        let idx = self.tickets.len() as u32;
        let key = (rec.open_date, rec.id);
        let tickets = &self.tickets;
        let pos = self.order.partition_point(|&i| {
            let t = &tickets[i as usize];
            (t.open_date, t.id) > key
        });
        self.tickets.push(rec);
        self.order.insert(pos, idx);
    }

    pub fn next_ticket_id(&self) -> i64 {
        TICKET_ID_BASE + self.tickets.len() as i64
    }

    /// The ticket's details HTML (stored or generated).
    pub fn details_of(&self, t: &TicketRec) -> String {
        match &t.details {
            Some(d) => d.to_string(),
            None => generate::ticket_details(self, t),
        }
    }

    /// The ticket's notes, oldest first (stored or generated).
    pub fn notes_of(&self, t: &TicketRec) -> Vec<NoteRec> {
        match self.notes.get(&t.id) {
            Some(n) => n.clone(),
            None => generate::ticket_notes(self, t),
        }
    }

    /// The stored notes of a ticket, generating them first if they were never written.
    pub fn notes_mut(&mut self, ticket_id: i64) -> &mut Vec<NoteRec> {
        if !self.notes.contains_key(&ticket_id) {
            let generated = self
                .ticket(ticket_id)
                .map(|t| generate::ticket_notes(self, t))
                .unwrap_or_default();
            self.notes.insert(ticket_id, generated);
        }
        self.notes.entry(ticket_id).or_default()
    }

    pub fn timelogs_of(&self, t: &TicketRec) -> Vec<TimeLogRec> {
        match self.timelogs.get(&t.id) {
            Some(l) => l.clone(),
            None => generate::ticket_timelogs(self, t),
        }
    }

    pub fn timelogs_mut(&mut self, ticket_id: i64) -> &mut Vec<TimeLogRec> {
        if !self.timelogs.contains_key(&ticket_id) {
            let generated = self
                .ticket(ticket_id)
                .map(|t| generate::ticket_timelogs(self, t))
                .unwrap_or_default();
            self.timelogs.insert(ticket_id, generated);
        }
        self.timelogs.entry(ticket_id).or_default()
    }

    pub fn new_note_id(&mut self) -> i64 {
        let id = self.next_note_id;
        self.next_note_id += 1;
        id
    }

    pub fn new_timelog_id(&mut self) -> i64 {
        let id = self.next_timelog_id;
        self.next_timelog_id += 1;
        id
    }

    /// Sets a ticket's status at `now`, keeping completion, reopen and SLA pause consistent.
    pub fn set_status(&mut self, ticket_id: i64, status_id: i64, now: DateTime<Utc>) {
        let (completed, waiting) = match self.refs.status(status_id) {
            Some(s) => (s.is_completed(), s.is_waiting()),
            None => return,
        };
        let new_status = self.refs.status_id("New");
        let Some(t) = self.ticket_mut(ticket_id) else {
            return;
        };
        if t.status_id == status_id {
            return;
        }
        t.status_id = status_id;
        t.last_status_update = now;
        // Leaving a waiting status resumes the clock: the resolution target moves out.
        if !waiting {
            if let Some(since) = t.paused_since.take() {
                let paused = business_minutes(since, now).max(0);
                t.paused_minutes += paused;
                t.res_target = business_deadline(t.res_target, paused);
            }
        } else if t.paused_since.is_none() && !completed {
            t.paused_since = Some(now);
        }
        if completed {
            if t.completed.is_none() {
                t.completed = Some(now);
                t.res_actual = Some(now);
            }
            t.paused_since = None;
        } else if t.completed.is_some() {
            t.completed = None;
            t.res_actual = None;
            t.reopened = Some(now);
        }
        // Moving a new ticket along counts as the first response.
        if t.fr_actual.is_none() && status_id != new_status {
            t.fr_actual = Some(now);
        }
    }

    /// Marks a change by `user` at `now`.
    pub fn touch(&mut self, ticket_id: i64, user: i64, now: DateTime<Utc>) {
        if let Some(t) = self.ticket_mut(ticket_id) {
            t.modified_on = now;
            t.modified_by = user;
            t.last_activity = now;
        }
    }
}

impl TicketRec {
    /// Met the resolution target (`None` while open).
    pub fn has_met_sla(&self) -> Option<bool> {
        self.res_actual.map(|a| a <= self.res_target)
    }
}
