//! Ticket, note and time-log templates (read-only).

use axum::Extension;
use axum::extract::{Path, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::auth::CurrentUser;
use super::envelope::{SimError, SimResult, ok, path_id};
use super::state::SimState;
use super::tickets::not_found;
use super::view::expand_note_template;
use crate::api::model::{NoteTemplate, TicketTemplate, TicketTemplateSummary, TimeLogTemplate};

fn template_not_found(kind: &str, id: i64) -> SimError {
    SimError::not_found(format!("{kind} template {id} was not found"))
}

/// `GET /v2/servicedesk/templates/tickets/lookup`.
pub async fn ticket_lookup(State(st): State<SimState>) -> SimResult<Response> {
    let t = st.tenant();
    let rows: Vec<TicketTemplateSummary> = t
        .refs
        .ticket_templates
        .iter()
        .map(|x| TicketTemplateSummary {
            id: x.id,
            name: x.name.into(),
        })
        .collect();
    ok(rows)
}

/// `GET /v2/servicedesk/templates/tickets/{templateId}`: no account, status, location or
/// source (those come from the user).
pub async fn ticket_template(
    State(st): State<SimState>,
    Path(id): Path<String>,
) -> SimResult<Response> {
    let id = path_id(&id, "template")?;
    let t = st.tenant();
    let r = &t.refs;
    let x = r
        .ticket_templates
        .iter()
        .find(|x| x.id == id)
        .ok_or_else(|| template_not_found("Ticket", id))?;
    let dto = TicketTemplate {
        id: x.id,
        name: x.name.into(),
        title: Some(x.title.into()),
        details: Some(x.details.into()),
        issue_type_id: Some(r.issue_type_id(x.issue_type)),
        sub_issue_type_id: None,
        priority_id: Some(r.priority_id(x.priority)),
        queue_id: Some(r.queue_id(x.queue)),
        account_id: None,
        account_name: None,
        assignee_id: None,
        assignee_name: None,
        ticket_type_id: Some(r.ticket_type_id(x.ticket_type)),
        work_type_id: Some(r.work_type_id(x.work_type)),
        expected_time_to_resolve: Some(x.expected_hours),
    };
    let mut v = serde_json::to_value(dto).unwrap_or_default();
    if let Some(m) = v.as_object_mut() {
        m.insert("timeToResolveTypeId".into(), json!(1));
    }
    ok(v)
}

/// `GET /v2/servicedesk/templates/notes/lookup`.
pub async fn note_lookup(State(st): State<SimState>) -> SimResult<Response> {
    let t = st.tenant();
    let rows: Vec<NoteTemplate> = t
        .refs
        .note_templates
        .iter()
        .map(|x| NoteTemplate {
            id: x.id,
            name: x.name.into(),
            type_id: Some(x.type_id),
            status_id: x.status.map(|s| t.refs.status_id(s)),
            is_internal: Some(x.is_internal),
        })
        .collect();
    ok(rows)
}

/// `GET /v2/servicedesk/templates/notes/{templateId}/{ticketId}`: an array of one
/// `{id, details}` with the placeholders expanded for that ticket.
pub async fn note_body(
    State(st): State<SimState>,
    Extension(CurrentUser(user)): Extension<CurrentUser>,
    Path((template, ticket)): Path<(String, String)>,
) -> SimResult<Response> {
    let template = path_id(&template, "template")?;
    let ticket = path_id(&ticket, "ticket")?;
    let t = st.tenant();
    let x = t
        .refs
        .note_templates
        .iter()
        .find(|x| x.id == template)
        .ok_or_else(|| template_not_found("Note", template))?;
    let r = t.ticket(ticket).ok_or_else(|| not_found(ticket))?;
    let details = expand_note_template(&t, r, x.body, user);
    ok(vec![json!({"id": x.id, "details": details})])
}

/// `GET /v2/servicedesk/templates/timelogs/lookup`.
pub async fn timelog_lookup(State(st): State<SimState>) -> SimResult<Response> {
    let t = st.tenant();
    let r = &t.refs;
    let rows: Vec<TimeLogTemplate> = r
        .timelog_templates
        .iter()
        .map(|x| TimeLogTemplate {
            id: x.id,
            name: x.name.into(),
            notes: Some(x.notes.into()),
            internal_notes: Some(x.internal_notes.into()),
            role_id: Some(r.role_id(x.role)),
            work_type_id: Some(r.work_type_id(x.work_type)),
            status_id: x.status.map(|s| r.status_id(s)),
            timespent: Some(x.hours),
        })
        .collect();
    ok(rows)
}

/// `GET /v2/servicedesk/templates/timelogs/{templateId}/{ticketId}`.
pub async fn timelog_body(
    State(st): State<SimState>,
    Path((template, ticket)): Path<(String, String)>,
) -> SimResult<Response> {
    let template = path_id(&template, "template")?;
    let ticket = path_id(&ticket, "ticket")?;
    let t = st.tenant();
    let x = t
        .refs
        .timelog_templates
        .iter()
        .find(|x| x.id == template)
        .ok_or_else(|| template_not_found("Time log", template))?;
    let r = t.ticket(ticket).ok_or_else(|| not_found(ticket))?;
    let notes = format!("{} ({})", x.notes, r.number);
    let rows: Vec<Value> =
        vec![json!({"id": x.id, "notes": notes, "internalNotes": x.internal_notes})];
    ok(rows)
}
