//! Ticket notes: list (paged, no total), get, add, update, delete.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use chrono::{DateTime, Utc};

use super::auth::CurrentUser;
use super::envelope::{Fields, SimError, SimResult, empty, ok_record, path_id};
use super::shape;
use super::state::{LagKind, SimState};
use super::tenant::{NoteRec, Tenant};
use super::tickets::{children_page, not_found};
use super::view;

fn note_not_found(ticket: i64, note: i64) -> SimError {
    SimError::not_found(format!("Note {note} was not found on ticket {ticket}"))
}

/// A note type of the tenant. `0` means nothing special: the spec allows it and clients
/// guess it stands for the default type, but a tenant whose types do not include `0`
/// refuses it like any other id it lacks.
pub fn note_type(t: &Tenant, id: i64) -> SimResult<i64> {
    t.refs
        .note_type(id)
        .map(|n| n.id)
        .ok_or_else(|| SimError::bad_request(format!("Note type {id} does not exist")))
}

/// Stores a note written by `user` and returns its id. An external note from a technician
/// counts as the first response.
#[allow(clippy::too_many_arguments)]
pub fn push_note(
    t: &mut Tenant,
    ticket_id: i64,
    user: i64,
    details: String,
    internal: bool,
    type_id: i64,
    note_date: DateTime<Utc>,
    now: DateTime<Utc>,
) -> i64 {
    let id = t.new_note_id();
    let (name, email) = t
        .refs
        .user(user)
        .map(|u| (u.name.clone(), Some(u.email.clone())))
        .unwrap_or_else(|| ("API User".into(), None));
    // A date far in the future is not a real note date: keep it at "now".
    let created_on = if note_date > now + chrono::Duration::days(1) {
        now
    } else {
        note_date
    };
    let note = NoteRec {
        id,
        details,
        is_internal: internal,
        type_id,
        created_by: Some(user),
        author_name: name,
        author_email: email,
        created_on,
        modified_on: now,
        modified_by_name: None,
    };
    let notes = t.notes_mut(ticket_id);
    notes.push(note);
    notes.sort_by_key(|n| (n.created_on, n.id));
    if let Some(r) = t.ticket_mut(ticket_id)
        && !internal
        && r.fr_actual.is_none()
    {
        r.fr_actual = Some(now);
    }
    id
}

struct NoteInput {
    details: String,
    internal: bool,
    type_id: i64,
    note_date: DateTime<Utc>,
    status_id: Option<i64>,
}

fn parse_note(f: &Fields, t: &Tenant) -> SimResult<NoteInput> {
    let details = f.req_str("Details")?;
    let internal = f.req_bool("IsInternal")?;
    let type_id = note_type(t, f.req_id("TypeId", 0)?)?;
    let note_date = f.req_datetime("NoteDate")?;
    let status_id = f.opt_id("StatusId")?;
    if let Some(s) = status_id {
        t.refs
            .status(s)
            .ok_or_else(|| SimError::bad_request(format!("Status {s} does not exist")))?;
    }
    Ok(NoteInput {
        details,
        internal,
        type_id,
        note_date,
        status_id,
    })
}

/// `GET …/{ticketId}/notes`: oldest first, paged without a total.
pub async fn list(
    State(st): State<SimState>,
    Path(ticket): Path<String>,
    RawQuery(q): RawQuery,
) -> SimResult<Response> {
    children_page(
        &st,
        &ticket,
        q.as_deref(),
        (LagKind::Note, |n: &NoteRec| n.id),
        Tenant::notes_of,
        |t, n| shape::record(&view::note(t, n)),
    )
}

/// `GET …/{ticketId}/notes/{noteId}`.
pub async fn get(
    State(st): State<SimState>,
    Path((ticket, note)): Path<(String, String)>,
) -> SimResult<Response> {
    let ticket = path_id(&ticket, "ticket")?;
    let note = path_id(&note, "note")?;
    let t = st.tenant();
    let r = t.ticket(ticket).ok_or_else(|| not_found(ticket))?;
    let n = t
        .notes_of(r)
        .into_iter()
        .find(|n| n.id == note)
        .ok_or_else(|| note_not_found(ticket, note))?;
    ok_record(&view::note(&t, &n))
}

/// `POST …/{ticketId}/notes`: returns the created note.
pub async fn create(
    State(st): State<SimState>,
    Extension(CurrentUser(user)): Extension<CurrentUser>,
    Path(ticket): Path<String>,
    body: Bytes,
) -> SimResult<Response> {
    let ticket = path_id(&ticket, "ticket")?;
    let f = Fields::from_json_bytes(&body)?;
    let now = st.now();
    let mut t = st.tenant_mut();
    t.ticket(ticket).ok_or_else(|| not_found(ticket))?;
    let i = parse_note(&f, &t)?;
    let id = push_note(
        &mut t,
        ticket,
        user,
        i.details,
        i.internal,
        i.type_id,
        i.note_date,
        now,
    );
    if let Some(s) = i.status_id {
        t.set_status(ticket, s, now);
    }
    t.touch(ticket, user, now);
    // Registered while the tenant is still locked: no list can see it in between.
    st.hold_back(LagKind::Note, id);
    let n = t
        .notes_mut(ticket)
        .iter()
        .find(|n| n.id == id)
        .cloned()
        .ok_or_else(|| note_not_found(ticket, id))?;
    ok_record(&view::note(&t, &n))
}

/// `PUT …/{ticketId}/notes/{noteId}`.
pub async fn update(
    State(st): State<SimState>,
    Extension(CurrentUser(user)): Extension<CurrentUser>,
    Path((ticket, note)): Path<(String, String)>,
    body: Bytes,
) -> SimResult<Response> {
    let ticket = path_id(&ticket, "ticket")?;
    let note = path_id(&note, "note")?;
    let f = Fields::from_json_bytes(&body)?;
    let now = st.now();
    let mut t = st.tenant_mut();
    t.ticket(ticket).ok_or_else(|| not_found(ticket))?;
    let i = parse_note(&f, &t)?;
    let editor = t.refs.user(user).map(|u| u.name.clone());
    let n = {
        let n = t
            .notes_mut(ticket)
            .iter_mut()
            .find(|n| n.id == note)
            .ok_or_else(|| note_not_found(ticket, note))?;
        n.details = i.details;
        n.is_internal = i.internal;
        n.type_id = i.type_id;
        n.modified_on = now;
        n.modified_by_name = editor;
        n.clone()
    };
    if let Some(s) = i.status_id {
        t.set_status(ticket, s, now);
    }
    t.touch(ticket, user, now);
    ok_record(&view::note(&t, &n))
}

/// `DELETE …/{ticketId}/notes/{noteId}`.
pub async fn delete(
    State(st): State<SimState>,
    Extension(CurrentUser(user)): Extension<CurrentUser>,
    Path((ticket, note)): Path<(String, String)>,
) -> SimResult<Response> {
    let ticket = path_id(&ticket, "ticket")?;
    let note = path_id(&note, "note")?;
    let now = st.now();
    let mut t = st.tenant_mut();
    t.ticket(ticket).ok_or_else(|| not_found(ticket))?;
    let notes = t.notes_mut(ticket);
    let before = notes.len();
    notes.retain(|n| n.id != note);
    if notes.len() == before {
        return Err(note_not_found(ticket, note));
    }
    t.touch(ticket, user, now);
    empty()
}
