//! Lookup lists. The spec gives the system lookups no paging, so they return everything
//! whatever `PageSize` says (exercising the client's repeated-page guard); the HR lookups
//! are paged.

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use serde_json::{Value, json};

use super::envelope::{Fields, SimError, SimResult, ok, page_of, page_params};
use super::refdata::Named;
use super::state::SimState;
use crate::api::model::LookupItem;

fn named_items(items: &[Named], name_filter: Option<&str>) -> Vec<LookupItem> {
    let needle = name_filter.map(str::to_lowercase);
    items
        .iter()
        .filter(|n| {
            needle
                .as_deref()
                .is_none_or(|f| n.name.to_lowercase().contains(f))
        })
        .map(|n| LookupItem {
            id: n.id,
            name: n.name.into(),
            is_active: Some(true),
            is_default: Some(n.is_default),
            ..Default::default()
        })
        .collect()
}

/// `GET /v2/system/statuses/lookup`.
pub async fn statuses(State(st): State<SimState>) -> SimResult<Response> {
    let t = st.tenant();
    let rows: Vec<Value> = t
        .refs
        .statuses
        .iter()
        .map(|s| {
            json!({
                "id": s.id,
                "name": s.name,
                "fontColor": s.font_color,
                "color": s.color,
                "statusOrder": s.order,
                "typeId": s.type_id,
                "isSystemStatus": i32::from(s.name == "New" || s.name == "Completed"),
                "slaEventId": null,
                "isActive": true,
            })
        })
        .collect();
    ok(rows)
}

/// `GET /v2/system/priorities/lookup`.
pub async fn priorities(State(st): State<SimState>) -> SimResult<Response> {
    let t = st.tenant();
    let rows: Vec<LookupItem> = t
        .refs
        .priorities
        .iter()
        .map(|p| LookupItem {
            id: p.id,
            name: p.name.into(),
            is_default: Some(p.is_default),
            color: Some(p.color.into()),
            ..Default::default()
        })
        .collect();
    ok(rows)
}

pub async fn queues(State(st): State<SimState>) -> SimResult<Response> {
    ok(named_items(&st.tenant().refs.queues, None))
}

/// `GET /v2/system/issuetypes/lookup` (`Filter.Name`).
pub async fn issue_types(State(st): State<SimState>, RawQuery(q): RawQuery) -> SimResult<Response> {
    let f = Fields::from_query(q.as_deref()).section("Filter");
    let name = f.text("Name")?;
    ok(named_items(&st.tenant().refs.issue_types, name.as_deref()))
}

pub async fn work_types(State(st): State<SimState>) -> SimResult<Response> {
    ok(named_items(&st.tenant().refs.work_types, None))
}

pub async fn roles(State(st): State<SimState>) -> SimResult<Response> {
    ok(named_items(&st.tenant().refs.roles, None))
}

pub async fn slas(State(st): State<SimState>) -> SimResult<Response> {
    let t = st.tenant();
    let rows: Vec<LookupItem> = t
        .refs
        .slas
        .iter()
        .map(|s| LookupItem {
            id: s.id,
            name: s.name.into(),
            is_active: Some(true),
            is_default: Some(s.id == 601),
            ..Default::default()
        })
        .collect();
    ok(rows)
}

/// `GET /v2/system/lookup/{tableName}`: `TicketType` and `NoteType` (the client's guesses)
/// and `ContactType` (the one name a vendor doc confirms).
pub async fn system_table(
    State(st): State<SimState>,
    Path(table): Path<String>,
) -> SimResult<Response> {
    let t = st.tenant();
    let contact_types = [
        Named {
            id: 1,
            name: "Primary",
            is_default: true,
        },
        Named {
            id: 2,
            name: "Billing",
            is_default: false,
        },
        Named {
            id: 3,
            name: "Technical",
            is_default: false,
        },
    ];
    let sh = st.shared();
    let items = match table.to_ascii_lowercase().as_str() {
        "tickettype" if sh.ticket_type_table => named_items(&t.refs.ticket_types, None),
        "notetype" if sh.note_type_table => named_items(&t.refs.note_types, None),
        "contacttype" => named_items(&contact_types, None),
        _ => {
            return Err(SimError::not_found(format!(
                "Lookup table '{table}' was not found"
            )));
        }
    };
    ok(items)
}

/// Users for the HR lookups, filtered (`Filter.Name`, `Filter.Ids`) and paged.
fn people(st: &SimState, q: Option<&str>, assignees_only: bool) -> SimResult<Response> {
    let all = Fields::from_query(q);
    let f = all.section("Filter");
    let sh = st.shared();
    let (page, size) = page_params(&all, sh.default_page_size, sh.max_page_size)?;
    let name = f.text("Name")?.map(|s| s.to_lowercase());
    let ids: Option<Vec<i64>> = f.id_list("Ids")?;
    let t = st.tenant();
    let rows: Vec<LookupItem> = t
        .refs
        .users
        .iter()
        .filter(|u| !assignees_only || u.assignee)
        .filter(|u| {
            name.as_deref()
                .is_none_or(|n| u.name.to_lowercase().contains(n))
        })
        .filter(|u| ids.as_ref().is_none_or(|ids| ids.contains(&u.id)))
        .map(|u| LookupItem {
            id: u.id,
            name: u.name.clone(),
            email_address: assignees_only.then(|| u.email.clone()),
            job_title: assignees_only.then(|| u.job_title.to_string()),
            ..Default::default()
        })
        .collect();
    ok(page_of(rows, page, size))
}

/// `GET /v2/hr/assignees/lookup`.
pub async fn assignees(State(st): State<SimState>, RawQuery(q): RawQuery) -> SimResult<Response> {
    people(&st, q.as_deref(), true)
}

/// `GET /v2/hr/employees/lookup`.
pub async fn employees(State(st): State<SimState>, RawQuery(q): RawQuery) -> SimResult<Response> {
    people(&st, q.as_deref(), false)
}
