//! Turns tenant records into the wire DTOs of `api::model` (camelCase), plus the extra
//! fields the real server sends that the client does not model (colours, int flags...).

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::refdata::DEMO_USER_FULL_NAME;
use super::tenant::{NoteRec, Tenant, TicketRec, TimeLogRec};
use crate::api::lookups::TICKET_SOURCES;
use crate::api::model::{Note, SlaInfo, Ticket, TicketRow, TimeLog};
use crate::api::name::Name;
use crate::api::wire::format_datetime;

pub const TENANT_NAME: &str = "Demo MSP";

fn dt(v: Option<DateTime<Utc>>) -> Value {
    v.map_or(Value::Null, |d| Value::String(format_datetime(&d)))
}

fn merge(base: Value, extra: Value) -> Value {
    match (base, extra) {
        (Value::Object(mut a), Value::Object(b)) => {
            a.extend(b);
            Value::Object(a)
        }
        (a, _) => a,
    }
}

pub fn source_name(id: i64) -> Option<&'static str> {
    TICKET_SOURCES
        .iter()
        .find(|(i, _)| *i == id)
        .map(|(_, n)| *n)
}

fn user_name(t: &Tenant, id: i64) -> Option<String> {
    t.refs.user(id).map(|u| u.name.clone())
}

pub fn ticket_row(t: &Tenant, r: &TicketRec) -> TicketRow {
    let refs = &t.refs;
    let account = t.account(r.account_id);
    let contact = r.contact_id.and_then(|c| t.contact(c));
    TicketRow {
        id: r.id,
        ticket_number: r.number.to_string(),
        title: r.title.to_string(),
        account_id: Some(r.account_id),
        account_name: account.map(|a| Name::from(a.name.as_str())),
        account_code: account.map(|a| Name::from(a.code.as_str())),
        location_id: Some(r.location_id),
        location_name: t.location(r.location_id).map(|l| Name::from(l.name)),
        contact_id: r.contact_id,
        contact_name: contact.map(|c| c.name().into()),
        queue_id: r.queue_id,
        queue_name: r
            .queue_id
            .and_then(|q| refs.queue(q))
            .map(|q| q.name.into()),
        status_id: Some(r.status_id),
        status_name: refs.status(r.status_id).map(|s| s.name.into()),
        priority_id: Some(r.priority_id),
        priority_name: refs.priority(r.priority_id).map(|p| p.name.into()),
        type_id: Some(r.type_id),
        type_name: refs.ticket_type(r.type_id).map(|x| x.name.into()),
        issue_type_id: r.issue_type_id,
        issue_type_name: r
            .issue_type_id
            .and_then(|i| refs.issue_type(i))
            .map(|i| i.name.into()),
        source_id: Some(r.source_id),
        assignee_id: r.assignee_id,
        assignee_name: r.assignee_id.and_then(|a| user_name(t, a)).map(Name::from),
        sla_id: r.sla_id,
        sla_name: r.sla_id.and_then(|s| refs.sla(s)).map(|s| s.name.into()),
        has_met_sla: r.has_met_sla(),
        is_sla_paused: Some(r.paused_since.is_some()),
        sla_last_paused_time: r.paused_since,
        sla_last_resumed_time: None,
        actual_pause_minutes: Some(r.paused_minutes),
        last_status_update: Some(r.last_status_update),
        open_date: Some(r.open_date),
        due_date: r.due_date,
        completed_date: r.completed,
        last_activity_update: Some(r.last_activity),
        first_response_target_time: Some(r.fr_target),
        first_response_actual_time: r.fr_actual,
        resolution_target_time: Some(r.res_target),
        resolution_actual_time: r.res_actual,
        created_on: Some(r.created_on),
        modified_on: Some(r.modified_on),
        created_by_name: user_name(t, r.created_by).map(Name::from),
    }
}

/// Fields of `TicketListDto` the client does not model; flags as int 0/1 like the server.
fn row_extras(t: &Tenant, r: &TicketRec) -> Value {
    let refs = &t.refs;
    let status = refs.status(r.status_id);
    let minutes = |a: Option<DateTime<Utc>>| a.map(|a| (a - r.open_date).num_minutes());
    json!({
        "createdBy": r.created_by,
        "modifiedBy": r.modified_by,
        "tenantName": TENANT_NAME,
        "statusColor": status.map(|s| s.color),
        "statusForeColor": status.map(|s| s.font_color),
        "statusOrder": status.map(|s| s.order),
        "priorityColor": refs.priority(r.priority_id).map(|p| p.color),
        "workTypeId": r.work_type_id,
        "workTypeName": r.work_type_id.and_then(|w| refs.work_type(w)).map(|w| w.name),
        "isScheduled": i32::from(status.is_some_and(|s| s.name == "Scheduled")),
        "hasMetSLA": r.has_met_sla().map(i32::from),
        "isSLAPaused": i32::from(r.paused_since.is_some()),
        "actualFirstResponseMinutes": minutes(r.fr_actual),
        "actualResolutionMinutes": minutes(r.res_actual),
        "actualPauseMinutes": r.paused_minutes,
        "reOpenedDate": dt(r.reopened),
        "lastStatusUpdate": dt(Some(r.last_status_update)),
        "slaLastPausedTime": dt(r.paused_since),
    })
}

/// A search/list row as JSON.
pub fn row_json(t: &Tenant, r: &TicketRec) -> Value {
    let base = serde_json::to_value(ticket_row(t, r)).unwrap_or(Value::Null);
    merge(base, row_extras(t, r))
}

pub fn ticket_full(t: &Tenant, r: &TicketRec) -> Ticket {
    let contact = r.contact_id.and_then(|c| t.contact(c));
    let hours = t.timelogs_of(r).iter().fold(0.0, |sum, l| sum + l.hours);
    Ticket {
        row: ticket_row(t, r),
        details: Some(t.details_of(r)),
        source_name: source_name(r.source_id).map(Into::into),
        contact_phone: contact.map(|c| c.phone.clone()),
        contact_email: contact.map(|c| c.email.clone()),
        location_phone: t.location(r.location_id).map(|l| l.phone.clone()),
        work_type_id: r.work_type_id,
        work_type_name: r
            .work_type_id
            .and_then(|w| t.refs.work_type(w))
            .map(|w| w.name.into()),
        total_time_spent: Some(hours),
    }
}

/// A whole ticket (`TicketOutputDto`) as JSON.
pub fn ticket_json(t: &Tenant, r: &TicketRec) -> Value {
    let base = serde_json::to_value(ticket_full(t, r)).unwrap_or(Value::Null);
    let extra = merge(
        row_extras(t, r),
        json!({
            "tenantId": super::refdata::TENANT_ID,
            "isReadOnly": false,
            "openDateLocked": false,
            "hasPostedEntries": false,
            "secondaryAssignees": [],
            "cCs": [],
        }),
    );
    merge(base, extra)
}

pub fn note_dto(t: &Tenant, n: &NoteRec) -> Note {
    Note {
        id: n.id,
        details: n.details.clone(),
        is_internal: Some(n.is_internal),
        type_id: Some(n.type_id),
        type_name: t.refs.note_type(n.type_id).map(|x| x.name.into()),
        created_by_name: Some(n.author_name.clone()),
        created_by_email: n.author_email.clone(),
        created_by: n.created_by,
        created_on: Some(n.created_on),
        modified_on: Some(n.modified_on),
    }
}

pub fn note_json(t: &Tenant, n: &NoteRec) -> Value {
    let base = serde_json::to_value(note_dto(t, n)).unwrap_or(Value::Null);
    merge(
        base,
        json!({
            "createdBy": n.created_by,
            "modifiedByName": n.modified_by_name,
            "attachments": [],
        }),
    )
}

pub fn timelog_dto(t: &Tenant, l: &TimeLogRec) -> TimeLog {
    TimeLog {
        id: l.id,
        start_date: Some(l.start_date),
        start_time: Some(l.start_time.format("%H:%M:%S").to_string()),
        end_time: Some(l.end_time.format("%H:%M:%S").to_string()),
        timespent: Some(l.hours),
        notes: l.notes.clone(),
        internal_notes: l.internal_notes.clone(),
        user_id: Some(l.user_id),
        employee_name: user_name(t, l.user_id),
        work_type_id: Some(l.work_type_id),
        work_type_name: t.refs.work_type(l.work_type_id).map(|w| w.name.into()),
        role_id: Some(l.role_id),
        role_name: t.refs.role(l.role_id).map(|r| r.name.into()),
    }
}

pub fn timelog_json(t: &Tenant, l: &TimeLogRec) -> Value {
    let base = serde_json::to_value(timelog_dto(t, l)).unwrap_or(Value::Null);
    merge(
        base,
        json!({
            "createdOn": dt(Some(l.created_on)),
            "timeSpentBy": user_name(t, l.user_id),
            "approved": false,
            "billed": false,
            "posted": false,
        }),
    )
}

/// `GET …/slainfo`, in minutes. Stage: 0 awaiting first response, 1 awaiting resolution,
/// 2 paused (waiting), 3 resolved.
pub fn sla_info(t: &Tenant, r: &TicketRec, now: DateTime<Utc>) -> Value {
    let (respond_goal, resolve_goal) = t.refs.goals(r.priority_id, r.sla_id);
    let paused_now = r.paused_since.map_or(0, |p| (now - p).num_minutes().max(0));
    let respond_actual = (r.fr_actual.unwrap_or(now) - r.open_date).num_minutes();
    let resolve_actual =
        (r.res_actual.unwrap_or(now) - r.open_date).num_minutes() - r.paused_minutes - paused_now;
    let stage = if r.completed.is_some() {
        3
    } else if r.paused_since.is_some() {
        2
    } else if r.fr_actual.is_none() {
        0
    } else {
        1
    };
    let info = SlaInfo {
        sla_stage: Some(stage),
        sla_name: r
            .sla_id
            .and_then(|s| t.refs.sla(s))
            .map(|s| s.name.to_string()),
        ticket_priority_name: t.refs.priority(r.priority_id).map(|p| p.name.to_string()),
        respond_goal: Some(respond_goal as f64),
        respond_actual: Some(respond_actual as f64),
        respond_remaining: Some((respond_goal - respond_actual) as f64),
        resolve_goal: Some(resolve_goal as f64),
        resolve_actual: Some(resolve_actual as f64),
        resolve_remaining: Some((resolve_goal - resolve_actual) as f64),
    };
    let base = serde_json::to_value(info).unwrap_or(Value::Null);
    merge(
        base,
        json!({
            "ticketPriorityColor": t.refs.priority(r.priority_id).map(|p| p.color),
            "waitingActual": (r.paused_minutes + paused_now) as f64,
            "reopenActual": 0.0,
            "timeTotalGoal": resolve_goal as f64,
            "timeTotalActual": resolve_actual as f64,
            "timeTotalRemaining": (resolve_goal - resolve_actual) as f64,
        }),
    )
}

/// Placeholders of note templates, expanded for one ticket.
pub fn expand_note_template(t: &Tenant, r: &TicketRec, body: &str, user_id: i64) -> String {
    use super::generate::html_escape;
    let contact = r.contact_id.and_then(|c| t.contact(c));
    let pairs = [
        ("{{TicketNumber}}", r.number.to_string()),
        ("{{TicketTitle}}", html_escape(&r.title)),
        (
            "{{ContactName}}",
            html_escape(&contact.map_or_else(|| "Customer".into(), |c| c.name())),
        ),
        (
            "{{ContactFirstName}}",
            html_escape(contact.map_or("there", |c| c.first)),
        ),
        (
            "{{AccountName}}",
            html_escape(t.account(r.account_id).map_or("", |a| a.name.as_str())),
        ),
        (
            "{{AssigneeName}}",
            html_escape(
                &r.assignee_id
                    .and_then(|a| user_name(t, a))
                    .unwrap_or_else(|| "Unassigned".into()),
            ),
        ),
        (
            "{{UserName}}",
            html_escape(&user_name(t, user_id).unwrap_or_else(|| DEMO_USER_FULL_NAME.into())),
        ),
    ];
    let mut out = body.to_string();
    for (k, v) in pairs {
        out = out.replace(k, &v);
    }
    out
}
