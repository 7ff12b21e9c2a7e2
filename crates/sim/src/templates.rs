//! Ticket, note and time-log templates (read-only).

use super::auth::CurrentUser;
use super::envelope::{SimError, SimResult, ok_record, ok_records, path_id};
use super::state::SimState;
use super::tickets::not_found;
use super::view::expand_note_template;
use super::wire::{
    TicketNoteTemplateDetailsOutputDto, TicketNoteTemplateLookupOutputDto,
    TicketTemplateLookupOutputDto, TicketTemplateOutputDto,
    TicketTimeEntryTemplateDetailsOutputDto, TicketTimeEntryTemplateLookupOutputDto,
};
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::Response;

fn template_not_found(kind: &str, id: i64) -> SimError {
    SimError::not_found(format!("{kind} template {id} was not found"))
}

/// `GET /v2/servicedesk/templates/tickets/lookup`.
pub async fn ticket_lookup(State(st): State<SimState>) -> SimResult<Response> {
    let t = st.tenant();
    let rows: Vec<TicketTemplateLookupOutputDto> = t
        .refs
        .ticket_templates
        .iter()
        .map(|x| TicketTemplateLookupOutputDto {
            Id: x.id,
            Name: Some(x.name.into()),
        })
        .collect();
    ok_records(&rows)
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
    let dto = TicketTemplateOutputDto {
        Id: x.id,
        Name: Some(x.name.into()),
        Title: Some(x.title.into()),
        IssueTypeId: Some(r.issue_type_id(x.issue_type)),
        SubIssueTypeId: None,
        PriorityId: Some(r.priority_id(x.priority)),
        QueueId: Some(r.queue_id(x.queue)),
        AccountId: None,
        AccountName: None,
        AssigneeId: None,
        AssigneeName: None,
        TicketTypeId: Some(r.ticket_type_like(x.ticket_type)),
        ExpectedTimeToResolve: Some(x.expected_hours),
        Details: Some(x.details.into()),
        TimeToResolveTypeId: Some(1),
        WorkTypeId: Some(r.work_type_id(x.work_type)),
    };
    ok_record(&dto)
}

/// `GET /v2/servicedesk/templates/notes/lookup`.
pub async fn note_lookup(State(st): State<SimState>) -> SimResult<Response> {
    let t = st.tenant();
    let rows: Vec<TicketNoteTemplateLookupOutputDto> = t
        .refs
        .note_templates
        .iter()
        .map(|x| TicketNoteTemplateLookupOutputDto {
            Id: x.id,
            Name: Some(x.name.into()),
            TypeId: Some(t.refs.note_type_like(x.type_id)),
            StatusId: x.status.map(|s| t.refs.status_id(s)),
            IsInternal: x.is_internal,
        })
        .collect();
    ok_records(&rows)
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
    ok_records(&[TicketNoteTemplateDetailsOutputDto {
        Id: x.id,
        Details: Some(details),
    }])
}

/// `GET /v2/servicedesk/templates/timelogs/lookup`.
pub async fn timelog_lookup(State(st): State<SimState>) -> SimResult<Response> {
    let t = st.tenant();
    let r = &t.refs;
    let rows: Vec<TicketTimeEntryTemplateLookupOutputDto> = r
        .timelog_templates
        .iter()
        .map(|x| TicketTimeEntryTemplateLookupOutputDto {
            Id: x.id,
            Name: Some(x.name.into()),
            Notes: Some(x.notes.into()),
            InternalNotes: Some(x.internal_notes.into()),
            RoleId: Some(r.role_id(x.role)),
            WorkTypeId: Some(r.work_type_id(x.work_type)),
            StatusId: x.status.map(|s| r.status_id(s)),
            Timespent: x.hours,
        })
        .collect();
    ok_records(&rows)
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
    ok_records(&[TicketTimeEntryTemplateDetailsOutputDto {
        Id: x.id,
        Notes: Some(notes),
        InternalNotes: Some(x.internal_notes.into()),
    }])
}
