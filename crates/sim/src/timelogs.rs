//! Time logs on a ticket: list (paged, no total) and add.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use chrono::NaiveTime;

use super::auth::CurrentUser;
use super::envelope::{Fields, SimError, SimResult, ok_record, path_id};
use super::shape;
use super::state::{LagKind, SimState};
use super::tenant::{Tenant, TimeLogRec};
use super::tickets::{children_page, not_found};
use super::view;

/// A .NET TimeSpan of the day: `HH:MM[:SS[.fffffff]]`.
pub fn parse_timespan(f: &Fields, name: &str) -> SimResult<NaiveTime> {
    let s = f.text(name)?.ok_or_else(|| SimError::required(name))?;
    let trimmed = s.split('.').next().unwrap_or_default();
    NaiveTime::parse_from_str(trimmed, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(trimmed, "%H:%M"))
        .map_err(|_| SimError::bad_request(format!("{name} must be a time of day (HH:MM:SS)")))
}

/// `GET …/{ticketId}/timelogs`.
pub async fn list(
    State(st): State<SimState>,
    Path(ticket): Path<String>,
    RawQuery(q): RawQuery,
) -> SimResult<Response> {
    children_page(
        &st,
        &ticket,
        q.as_deref(),
        (LagKind::TimeLog, |l: &TimeLogRec| l.id),
        Tenant::timelogs_of,
        |t, l| shape::record(&view::timelog(t, l)),
    )
}

/// `POST …/{ticketId}/timelogs`: returns the created entry.
pub async fn create(
    State(st): State<SimState>,
    Extension(CurrentUser(user)): Extension<CurrentUser>,
    Path(ticket): Path<String>,
    body: Bytes,
) -> SimResult<Response> {
    let ticket = path_id(&ticket, "ticket")?;
    let f = Fields::from_json_bytes(&body)?;
    let _zone = st.enter_zone();
    let start_date = f.req_date("StartDate")?;
    let start_time = parse_timespan(&f, "StartTime")?;
    let end_time = parse_timespan(&f, "EndTime")?;
    let work_type = f.req_id("WorkTypeId", 1)?;
    let role = f.req_id("RoleId", 1)?;
    if end_time <= start_time {
        return Err(SimError::bad_request("EndTime must be after StartTime"));
    }
    let hours = match f.float("Timespent")? {
        Some(h) if h < 0.0 => return Err(SimError::bad_request("Timespent must not be negative")),
        Some(h) => h,
        None => (end_time - start_time).num_minutes() as f64 / 60.0,
    };
    let now = st.now();
    let mut t = st.tenant_mut();
    t.ticket(ticket).ok_or_else(|| not_found(ticket))?;
    t.refs
        .work_type(work_type)
        .ok_or_else(|| SimError::bad_request(format!("Work type {work_type} does not exist")))?;
    t.refs
        .role(role)
        .ok_or_else(|| SimError::bad_request(format!("Role {role} does not exist")))?;
    let user_id = match f.opt_id("UserId")? {
        Some(u) => {
            t.refs
                .user(u)
                .ok_or_else(|| SimError::bad_request(format!("User {u} does not exist")))?;
            u
        }
        None => user,
    };
    let status = f.opt_id("StatusId")?;
    if let Some(s) = status {
        t.refs
            .status(s)
            .ok_or_else(|| SimError::bad_request(format!("Status {s} does not exist")))?;
    }
    let id = t.new_timelog_id();
    let rec = TimeLogRec {
        id,
        start_date,
        start_time,
        end_time,
        hours,
        notes: f.text("Notes")?,
        internal_notes: f.text("InternalNotes")?,
        user_id,
        work_type_id: work_type,
        role_id: role,
        created_on: now,
    };
    t.timelogs_mut(ticket).push(rec.clone());
    if let Some(s) = status {
        t.set_status(ticket, s, now);
    }
    t.touch(ticket, user, now);
    st.hold_back(LagKind::TimeLog, id);
    ok_record(&view::timelog(&t, &rec))
}
