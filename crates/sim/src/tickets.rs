//! Ticket endpoints: search/list, get, create, replace, JSON-Patch, delete, assign, SLA info.

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::auth::CurrentUser;
use super::envelope::{
    Fields, SimError, SimResult, empty, ok, ok_record, page_of, page_params, paged, parse_json,
    path_id,
};
use super::filter::TicketQuery;
use super::notes::push_note;
use super::refdata::Refs;
use super::shape;
use super::state::{LagKind, SimState};
use super::tenant::{Tenant, TicketRec, business_deadline};
use super::view;

/// Runs a search and answers one page with `totalRecords`.
fn search_page(st: &SimState, filter: &Fields, page: usize, size: usize) -> SimResult<Response> {
    let t = st.tenant();
    let matching = st.cached_search(filter.cache_key(), st.version(), || {
        let q = TicketQuery::parse_with(filter, &t, st.shared().splits_commas)?;
        Ok::<_, SimError>(
            t.order
                .iter()
                .copied()
                .filter(|&i| q.matches(&t, &t.tickets[i as usize]))
                .collect(),
        )
    })?;
    let hidden = st.hidden(LagKind::Ticket);
    let visible: Vec<u32> = if hidden.is_empty() {
        Vec::new()
    } else {
        matching
            .iter()
            .copied()
            .filter(|&i| !hidden.contains(&t.tickets[i as usize].id))
            .collect()
    };
    let matching: &[u32] = if hidden.is_empty() {
        &matching
    } else {
        &visible
    };
    let start = (page - 1).saturating_mul(size);
    let rows = matching
        .iter()
        .skip(start)
        .take(size)
        .map(|&i| shape::record(&view::ticket_row(&t, &t.tickets[i as usize])))
        .collect();
    paged(rows, matching.len())
}

/// `POST /v2/servicedesk/tickets/search` with `{PageSize, PageNumber, Filter{…}}`.
pub async fn search(State(st): State<SimState>, body: Bytes) -> SimResult<Response> {
    let f = Fields::from_json_bytes(&body)?;
    let sh = st.shared();
    refuse_sort(&f, sh.sort_accepted)?;
    let (page, size) = page_params(&f, sh.default_page_size, sh.max_page_size)?;
    search_page(&st, &f.section("Filter"), page, size)
}

/// A tenant that does not accept `Sort` (`SimConfig::sort_accepted`) refuses one.
fn refuse_sort(f: &Fields, accepted: bool) -> SimResult<()> {
    match f.text("Sort")? {
        Some(s) if !accepted && !s.trim().is_empty() => Err(SimError::bad_request(format!(
            "Sort '{s}' is not supported"
        ))),
        _ => Ok(()),
    }
}

/// `GET /v2/servicedesk/tickets?Filter.X=…&PageSize=…`.
pub async fn list(State(st): State<SimState>, RawQuery(q): RawQuery) -> SimResult<Response> {
    let f = Fields::from_query(q.as_deref());
    let sh = st.shared();
    refuse_sort(&f, sh.sort_accepted)?;
    let (page, size) = page_params(&f, sh.default_page_size, sh.max_page_size)?;
    search_page(&st, &f.section("Filter"), page, size)
}

pub fn not_found(id: i64) -> SimError {
    SimError::not_found(format!("Ticket {id} was not found"))
}

/// `GET …/{ticketId}/notes` and `…/timelogs`: one page (`PageNumber`, `PageSize`) of what
/// `of` lists for the ticket, each item as `to_json` shows it.
/// Records still held back by a read lag (`lag`: their kind and id) are left out.
pub fn children_page<T>(
    st: &SimState,
    ticket: &str,
    query: Option<&str>,
    lag: (LagKind, fn(&T) -> i64),
    of: impl FnOnce(&Tenant, &TicketRec) -> Vec<T>,
    to_json: impl Fn(&Tenant, &T) -> Value,
) -> SimResult<Response> {
    let ticket = path_id(ticket, "ticket")?;
    let f = Fields::from_query(query);
    let sh = st.shared();
    let (page, size) = page_params(&f, sh.default_page_size, sh.max_page_size)?;
    let t = st.tenant();
    // Asked with the tenant locked: a record written meanwhile is either absent or held back.
    let hidden = st.hidden(lag.0);
    let r = t.ticket(ticket).ok_or_else(|| not_found(ticket))?;
    let mut all = of(&t, r);
    if !hidden.is_empty() {
        all.retain(|x| !hidden.contains(&lag.1(x)));
    }
    let rows: Vec<Value> = page_of(all, page, size)
        .iter()
        .map(|x| to_json(&t, x))
        .collect();
    ok(rows)
}

/// `GET /v2/servicedesk/tickets/{ticketId}`.
pub async fn get(State(st): State<SimState>, Path(id): Path<String>) -> SimResult<Response> {
    let id = path_id(&id, "ticket")?;
    let t = st.tenant();
    let r = t.ticket(id).ok_or_else(|| not_found(id))?;
    ok_record(&view::ticket_full(&t, r))
}

/// `TicketInputDto`, validated against the tenant.
struct TicketInput {
    title: String,
    details: String,
    account_id: i64,
    location_id: i64,
    contact_id: Option<i64>,
    status_id: i64,
    priority_id: i64,
    type_id: i64,
    source_id: i64,
    open_date: DateTime<Utc>,
    queue_id: Option<i64>,
    assignee_id: Option<i64>,
    issue_type_id: Option<i64>,
    work_type_id: Option<i64>,
    sla_id: Option<i64>,
    due_date: Option<DateTime<Utc>>,
}

/// A source of the tenant's list; any id when the tenant has none.
fn check_source(refs: &Refs, id: i64) -> SimResult<()> {
    if refs.sources.is_some() && refs.source(id).is_none() {
        return Err(SimError::bad_request(format!(
            "SourceId {id} is not a valid ticket source"
        )));
    }
    Ok(())
}

/// Every reference must exist; the location and contact must belong to the account.
fn check_refs(t: &Tenant, i: &TicketInput) -> SimResult<()> {
    let refs = &t.refs;
    let missing =
        |what: &str, id: i64| SimError::bad_request(format!("{what} {id} does not exist"));
    t.account(i.account_id)
        .ok_or_else(|| missing("Account", i.account_id))?;
    let loc = t
        .location(i.location_id)
        .ok_or_else(|| missing("Location", i.location_id))?;
    if loc.account_id != i.account_id {
        return Err(SimError::bad_request(format!(
            "Location {} does not belong to account {}",
            i.location_id, i.account_id
        )));
    }
    if let Some(c) = i.contact_id {
        let contact = t.contact(c).ok_or_else(|| missing("Contact", c))?;
        if contact.account_id != i.account_id {
            return Err(SimError::bad_request(format!(
                "Contact {c} does not belong to account {}",
                i.account_id
            )));
        }
    }
    refs.status(i.status_id)
        .ok_or_else(|| missing("Status", i.status_id))?;
    refs.priority(i.priority_id)
        .ok_or_else(|| missing("Priority", i.priority_id))?;
    refs.ticket_type(i.type_id)
        .ok_or_else(|| missing("Ticket type", i.type_id))?;
    check_source(refs, i.source_id)?;
    if i.queue_id.is_none() && i.assignee_id.is_none() {
        return Err(SimError::bad_request(
            "Either a queue or an assignee is required",
        ));
    }
    if let Some(q) = i.queue_id {
        refs.queue(q).ok_or_else(|| missing("Queue", q))?;
    }
    if let Some(a) = i.assignee_id {
        refs.assignee(a).ok_or_else(|| missing("Assignee", a))?;
    }
    if let Some(x) = i.issue_type_id {
        refs.issue_type(x).ok_or_else(|| missing("Issue type", x))?;
    }
    if let Some(x) = i.work_type_id {
        refs.work_type(x).ok_or_else(|| missing("Work type", x))?;
    }
    if let Some(x) = i.sla_id {
        refs.sla(x).ok_or_else(|| missing("SLA", x))?;
    }
    Ok(())
}

/// Reads the spec's required fields (all problems reported together) and the optional ones.
fn parse_input(f: &Fields, t: &Tenant) -> SimResult<TicketInput> {
    fn err<T>(r: &SimResult<T>) -> Option<String> {
        r.as_ref().err().map(|e| e.message.clone())
    }
    let title = f.req_str("Title");
    let details = f.req_str("Details");
    let account = f.req_id("AccountId", 1);
    let location = f.req_id("LocationId", 1);
    let status = f.req_id("StatusId", 1);
    let priority = f.req_id("PriorityId", 1);
    let type_id = f.req_id("TypeId", 1);
    let source = f
        .int("SourceId")
        .and_then(|v| v.ok_or_else(|| SimError::required("SourceId")));
    let open = f.req_datetime("OpenDate");
    let errors: Vec<String> = [err(&title), err(&details)]
        .into_iter()
        .chain([&account, &location, &status, &priority, &type_id, &source].map(err))
        .chain([err(&open)])
        .flatten()
        .collect();
    if !errors.is_empty() {
        return Err(SimError::bad_request(errors.join("; ")));
    }
    let input = TicketInput {
        title: title?.trim().to_string(),
        details: details?,
        account_id: account?,
        location_id: location?,
        contact_id: f.opt_id("ContactId")?,
        status_id: status?,
        priority_id: priority?,
        type_id: type_id?,
        source_id: source?,
        open_date: open?,
        queue_id: f.opt_id("QueueId")?,
        assignee_id: f.opt_id("AssigneeId")?,
        issue_type_id: f.opt_id("IssueTypeId")?,
        work_type_id: f.opt_id("WorkTypeId")?,
        sla_id: f.opt_id("SLAId")?,
        due_date: f.datetime("DueDate")?,
    };
    check_refs(t, &input)?;
    Ok(input)
}

/// SLA targets from the open date, priority and SLA (plus time spent paused).
fn retarget(t: &Tenant, r: &mut TicketRec) {
    let (respond, resolve) = t.refs.goals(r.priority_id, r.sla_id);
    r.fr_target = business_deadline(r.open_date, respond);
    r.res_target = business_deadline(r.open_date, resolve + r.paused_minutes);
}

/// `POST /v2/servicedesk/tickets`: returns the whole created ticket.
pub async fn create(
    State(st): State<SimState>,
    Extension(CurrentUser(user)): Extension<CurrentUser>,
    body: Bytes,
) -> SimResult<Response> {
    let f = Fields::from_json_bytes(&body)?;
    let now = st.now();
    let mut t = st.tenant_mut();
    let i = parse_input(&f, &t)?;
    let id = t.next_ticket_id();
    let number = t.next_ticket_number(i.open_date.date_naive());
    let sla_id = i
        .sla_id
        .or_else(|| t.account(i.account_id).map(|a| a.sla_id));
    let new_status = t.refs.status_id("New");
    let mut rec = TicketRec {
        id,
        number: number.into_boxed_str(),
        title: i.title.into_boxed_str(),
        details: Some(i.details.into_boxed_str()),
        seed: 0,
        scenario: 0,
        account_id: i.account_id,
        location_id: i.location_id,
        contact_id: i.contact_id,
        status_id: new_status,
        priority_id: i.priority_id,
        type_id: i.type_id,
        issue_type_id: i.issue_type_id,
        source_id: i.source_id,
        queue_id: i.queue_id,
        assignee_id: i.assignee_id,
        work_type_id: i.work_type_id,
        sla_id,
        created_by: user,
        modified_by: user,
        open_date: i.open_date,
        created_on: now,
        modified_on: now,
        last_activity: now,
        last_status_update: now,
        due_date: i.due_date,
        completed: None,
        reopened: None,
        fr_target: now,
        fr_actual: None,
        res_target: now,
        res_actual: None,
        paused_since: None,
        paused_minutes: 0,
        deleted: false,
    };
    retarget(&t, &mut rec);
    t.push_ticket(rec);
    t.notes.insert(id, Vec::new());
    t.timelogs.insert(id, Vec::new());
    t.set_status(id, i.status_id, now);
    st.hold_back(LagKind::Ticket, id);
    let r = t.ticket(id).ok_or_else(|| not_found(id))?;
    ok_record(&view::ticket_full(&t, r))
}

/// `PUT /v2/servicedesk/tickets/{ticketId}`: replaces every field of the input DTO.
pub async fn replace(
    State(st): State<SimState>,
    Extension(CurrentUser(user)): Extension<CurrentUser>,
    Path(id): Path<String>,
    body: Bytes,
) -> SimResult<Response> {
    let id = path_id(&id, "ticket")?;
    let f = Fields::from_json_bytes(&body)?;
    let now = st.now();
    let mut t = st.tenant_mut();
    let mut rec = t.ticket(id).ok_or_else(|| not_found(id))?.clone();
    let i = parse_input(&f, &t)?;
    if rec.details.is_none() {
        rec.details = Some(t.details_of(&rec).into_boxed_str());
    }
    rec.title = i.title.into_boxed_str();
    rec.details = Some(i.details.into_boxed_str());
    rec.account_id = i.account_id;
    rec.location_id = i.location_id;
    rec.contact_id = i.contact_id;
    rec.priority_id = i.priority_id;
    rec.type_id = i.type_id;
    rec.source_id = i.source_id;
    rec.open_date = i.open_date;
    rec.queue_id = i.queue_id;
    rec.assignee_id = i.assignee_id;
    rec.issue_type_id = i.issue_type_id;
    rec.work_type_id = i.work_type_id;
    rec.sla_id = i.sla_id.or(rec.sla_id);
    rec.due_date = i.due_date;
    retarget(&t, &mut rec);
    commit(&mut t, rec, Some(i.status_id), user, now)?;
    let r = t.ticket(id).ok_or_else(|| not_found(id))?;
    ok_record(&view::ticket_full(&t, r))
}

/// Stores an edited ticket, then applies a status change and marks the activity.
fn commit(
    t: &mut Tenant,
    rec: TicketRec,
    status: Option<i64>,
    user: i64,
    now: DateTime<Utc>,
) -> SimResult<()> {
    let id = rec.id;
    let reorder = t
        .ticket(id)
        .is_some_and(|old| old.open_date != rec.open_date);
    let slot = t.ticket_mut(id).ok_or_else(|| not_found(id))?;
    *slot = rec;
    if reorder {
        let tickets = &t.tickets;
        t.order.sort_by(|&a, &b| {
            let (a, b) = (&tickets[a as usize], &tickets[b as usize]);
            (b.open_date, b.id).cmp(&(a.open_date, a.id))
        });
    }
    if let Some(s) = status {
        t.set_status(id, s, now);
    }
    t.touch(id, user, now);
    Ok(())
}

fn patch_id(v: &Value, path: &str, nullable: bool) -> SimResult<Option<i64>> {
    match v {
        Value::Null if nullable => Ok(None),
        Value::Number(n) => n
            .as_i64()
            .filter(|i| *i >= 0)
            .map(Some)
            .ok_or_else(|| SimError::bad_request(format!("{path}: expected an id"))),
        Value::String(s) => s
            .trim()
            .parse::<i64>()
            .map(Some)
            .map_err(|_| SimError::bad_request(format!("{path}: expected an id"))),
        _ => Err(SimError::bad_request(format!("{path}: expected an id"))),
    }
}

fn patch_text(v: &Value, path: &str) -> SimResult<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Ok(s.clone()),
        _ => Err(SimError::bad_request(format!(
            "{path}: expected a non-empty string"
        ))),
    }
}

/// Applies one JSON-Patch operation to `rec`. Returns a new status when the path is
/// `/StatusId` (applied last, so completion and SLA follow the other changes).
fn apply_op(t: &Tenant, rec: &mut TicketRec, op: &Value) -> SimResult<Option<i64>> {
    let obj = op
        .as_object()
        .ok_or_else(|| SimError::bad_request("Each patch operation must be an object"))?;
    let kind = obj
        .get("op")
        .and_then(Value::as_str)
        .ok_or_else(|| SimError::bad_request("op is required"))?
        .to_ascii_lowercase();
    let raw_path = obj
        .get("path")
        .and_then(Value::as_str)
        .ok_or_else(|| SimError::bad_request("path is required"))?;
    let path = raw_path.trim().trim_start_matches('/').to_ascii_lowercase();
    let value = match kind.as_str() {
        "replace" | "add" => obj.get("value").cloned().unwrap_or(Value::Null),
        "remove" => Value::Null,
        other => {
            return Err(SimError::bad_request(format!(
                "The patch operation '{other}' is not supported"
            )));
        }
    };
    let refs = &t.refs;
    let missing =
        |what: &str, id: i64| SimError::bad_request(format!("{what} {id} does not exist"));
    let required =
        |v: Option<i64>| v.ok_or_else(|| SimError::required(raw_path.trim_start_matches('/')));
    match path.as_str() {
        "statusid" => {
            let id = required(patch_id(&value, raw_path, false)?)?;
            refs.status(id).ok_or_else(|| missing("Status", id))?;
            return Ok(Some(id));
        }
        "priorityid" => {
            let id = required(patch_id(&value, raw_path, false)?)?;
            refs.priority(id).ok_or_else(|| missing("Priority", id))?;
            rec.priority_id = id;
            retarget(t, rec);
        }
        "typeid" => {
            let id = required(patch_id(&value, raw_path, false)?)?;
            refs.ticket_type(id)
                .ok_or_else(|| missing("Ticket type", id))?;
            rec.type_id = id;
        }
        "sourceid" => {
            let id = required(patch_id(&value, raw_path, false)?)?;
            check_source(refs, id)?;
            rec.source_id = id;
        }
        "queueid" => {
            rec.queue_id = patch_id(&value, raw_path, true)?;
            if let Some(q) = rec.queue_id {
                refs.queue(q).ok_or_else(|| missing("Queue", q))?;
            }
        }
        "assigneeid" => {
            rec.assignee_id = patch_id(&value, raw_path, true)?;
            if let Some(a) = rec.assignee_id {
                refs.assignee(a).ok_or_else(|| missing("Assignee", a))?;
            }
        }
        "issuetypeid" => {
            rec.issue_type_id = patch_id(&value, raw_path, true)?;
            if let Some(x) = rec.issue_type_id {
                refs.issue_type(x).ok_or_else(|| missing("Issue type", x))?;
            }
        }
        "worktypeid" => {
            rec.work_type_id = patch_id(&value, raw_path, true)?;
            if let Some(x) = rec.work_type_id {
                refs.work_type(x).ok_or_else(|| missing("Work type", x))?;
            }
        }
        "accountid" => {
            let id = required(patch_id(&value, raw_path, false)?)?;
            t.account(id).ok_or_else(|| missing("Account", id))?;
            rec.account_id = id;
        }
        "locationid" => {
            let id = required(patch_id(&value, raw_path, false)?)?;
            t.location(id).ok_or_else(|| missing("Location", id))?;
            rec.location_id = id;
        }
        "contactid" => {
            rec.contact_id = patch_id(&value, raw_path, true)?;
            if let Some(c) = rec.contact_id {
                t.contact(c).ok_or_else(|| missing("Contact", c))?;
            }
        }
        "title" => rec.title = patch_text(&value, raw_path)?.trim().into(),
        "details" => rec.details = Some(patch_text(&value, raw_path)?.into_boxed_str()),
        "duedate" => {
            rec.due_date = match &value {
                Value::Null => None,
                Value::String(s) => Some(super::envelope::parse_wire_datetime(s, raw_path)?),
                _ => {
                    return Err(SimError::bad_request(format!(
                        "{raw_path}: expected a date-time"
                    )));
                }
            }
        }
        _ => {
            return Err(SimError::bad_request(format!(
                "The path '{raw_path}' cannot be patched"
            )));
        }
    }
    Ok(None)
}

/// `PATCH /v2/servicedesk/tickets/{ticketId}` with `[{op, path, value}]`. All or nothing.
pub async fn patch(
    State(st): State<SimState>,
    Extension(CurrentUser(user)): Extension<CurrentUser>,
    Path(id): Path<String>,
    body: Bytes,
) -> SimResult<Response> {
    let id = path_id(&id, "ticket")?;
    let ops = match parse_json(&body)? {
        Value::Array(ops) if !ops.is_empty() => ops,
        Value::Array(_) => return Err(SimError::bad_request("The patch document is empty")),
        _ => {
            return Err(SimError::bad_request(
                "The body must be a JSON-Patch array of operations",
            ));
        }
    };
    let now = st.now();
    let mut t = st.tenant_mut();
    let mut rec = t.ticket(id).ok_or_else(|| not_found(id))?.clone();
    let mut status = None;
    for op in &ops {
        if let Some(s) = apply_op(&t, &mut rec, op)? {
            status = Some(s);
        }
    }
    let loc_ok = t
        .location(rec.location_id)
        .is_some_and(|l| l.account_id == rec.account_id);
    if !loc_ok {
        return Err(SimError::bad_request(format!(
            "Location {} does not belong to account {}",
            rec.location_id, rec.account_id
        )));
    }
    if let Some(c) = rec.contact_id.and_then(|c| t.contact(c))
        && c.account_id != rec.account_id
    {
        return Err(SimError::bad_request(format!(
            "Contact {} does not belong to account {}",
            c.id, rec.account_id
        )));
    }
    if rec.queue_id.is_none() && rec.assignee_id.is_none() {
        return Err(SimError::bad_request(
            "Either a queue or an assignee is required",
        ));
    }
    commit(&mut t, rec, status, user, now)?;
    let r = t.ticket(id).ok_or_else(|| not_found(id))?;
    ok_record(&view::ticket_full(&t, r))
}

/// `DELETE /v2/servicedesk/tickets/{ticketId}`.
pub async fn delete(State(st): State<SimState>, Path(id): Path<String>) -> SimResult<Response> {
    let id = path_id(&id, "ticket")?;
    let mut t = st.tenant_mut();
    let r = t.ticket_mut(id).ok_or_else(|| not_found(id))?;
    r.deleted = true;
    t.notes.remove(&id);
    t.timelogs.remove(&id);
    empty()
}

/// `POST …/{ticketId}/assignticket`: sets assignee/queue and status, and writes the note.
pub async fn assign(
    State(st): State<SimState>,
    Extension(CurrentUser(user)): Extension<CurrentUser>,
    Path(id): Path<String>,
    body: Bytes,
) -> SimResult<Response> {
    let id = path_id(&id, "ticket")?;
    let f = Fields::from_json_bytes(&body)?;
    let _zone = st.enter_zone();
    let details = f.req_str("Details")?;
    let internal = f.req_bool("IsInternal")?;
    let type_id = f.req_id("TypeId", 0)?;
    let status_id = f.req_id("StatusId", 1)?;
    let note_date = f.req_datetime("NoteDate")?;
    let assignee = f.opt_id("AssigneeId")?;
    let queue = f.opt_id("QueueId")?;
    let now = st.now();
    let mut t = st.tenant_mut();
    t.ticket(id).ok_or_else(|| not_found(id))?;
    let refs = &t.refs;
    refs.status(status_id)
        .ok_or_else(|| SimError::bad_request(format!("Status {status_id} does not exist")))?;
    if let Some(a) = assignee {
        refs.assignee(a)
            .ok_or_else(|| SimError::bad_request(format!("Assignee {a} does not exist")))?;
    }
    if let Some(q) = queue {
        refs.queue(q)
            .ok_or_else(|| SimError::bad_request(format!("Queue {q} does not exist")))?;
    }
    let type_id = super::notes::note_type(&t, type_id)?;
    if let Some(r) = t.ticket_mut(id) {
        if assignee.is_some() {
            r.assignee_id = assignee;
        }
        if queue.is_some() {
            r.queue_id = queue;
        }
    }
    let note = push_note(&mut t, id, user, details, internal, type_id, note_date, now);
    t.set_status(id, status_id, now);
    t.touch(id, user, now);
    st.hold_back(LagKind::Note, note);
    empty()
}

/// `GET …/{ticketId}/slainfo`.
pub async fn sla_info(State(st): State<SimState>, Path(id): Path<String>) -> SimResult<Response> {
    let id = path_id(&id, "ticket")?;
    let t = st.tenant();
    let r = t.ticket(id).ok_or_else(|| not_found(id))?;
    ok(shape::record_keyed(&view::sla_info(&t, r, st.now()), r.id))
}
