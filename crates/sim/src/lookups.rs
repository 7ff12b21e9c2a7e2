//! Lookup lists. The spec gives the system lookups no paging, so they return everything
//! whatever `PageSize` says (exercising the client's repeated-page guard); the HR lookups
//! are paged.

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;

use super::envelope::{Fields, SimError, SimResult, ok, ok_records, page_of, page_params};
use super::refdata::{Named, named};
use super::shape;
use super::state::SimState;
use super::wire::{
    AssigneeLookupOutputDto, EmployeeLookupOutputDto, IssueTypeLookupOutputDto, LookupOutputDto,
    PriorityLookupOutputDto, QueueLookupOutputDto, RoleLookupOutputDto, SLALookupOutputDto,
    StatusLookupOutputDto, WorkTypeLookupOutputDto,
};

fn matching<'a>(items: &'a [Named], name_filter: Option<&str>) -> impl Iterator<Item = &'a Named> {
    let needle = name_filter.map(str::to_lowercase);
    items.iter().filter(move |n| {
        needle
            .as_deref()
            .is_none_or(|f| n.name.to_lowercase().contains(f))
    })
}

/// `GET /v2/system/statuses/lookup`.
pub async fn statuses(State(st): State<SimState>) -> SimResult<Response> {
    let t = st.tenant();
    let rows: Vec<StatusLookupOutputDto> = t
        .refs
        .statuses
        .iter()
        .map(|s| StatusLookupOutputDto {
            Id: s.id,
            Name: Some(s.name.into()),
            FontColor: Some(s.font_color.into()),
            Color: Some(s.color.into()),
            StatusOrder: s.order,
            TypeId: s.type_id,
            IsSystemStatus: i64::from(s.name == "New" || s.name == "Completed"),
            SlaEventId: None,
            IsActive: true,
        })
        .collect();
    ok_records(&rows)
}

/// `GET /v2/system/priorities/lookup`.
pub async fn priorities(State(st): State<SimState>) -> SimResult<Response> {
    let t = st.tenant();
    let rows: Vec<PriorityLookupOutputDto> = t
        .refs
        .priorities
        .iter()
        .map(|p| PriorityLookupOutputDto {
            Id: p.id,
            Name: Some(p.name.into()),
            Color: Some(p.color.into()),
            IsDefault: p.is_default,
        })
        .collect();
    ok_records(&rows)
}

/// `GET /v2/system/queues/lookup`: `{Id, Name, IsActive}` (no default in the spec).
pub async fn queues(State(st): State<SimState>) -> SimResult<Response> {
    let t = st.tenant();
    let rows: Vec<QueueLookupOutputDto> = matching(&t.refs.queues, None)
        .map(|n| QueueLookupOutputDto {
            Id: n.id,
            Name: Some(n.name.into()),
            IsActive: true,
        })
        .collect();
    ok_records(&rows)
}

/// `GET /v2/system/issuetypes/lookup` (`Filter.Name`).
pub async fn issue_types(State(st): State<SimState>, RawQuery(q): RawQuery) -> SimResult<Response> {
    let f = Fields::from_query(q.as_deref()).section("Filter");
    let name = f.text("Name")?;
    let t = st.tenant();
    let rows: Vec<IssueTypeLookupOutputDto> = matching(&t.refs.issue_types, name.as_deref())
        .map(|n| IssueTypeLookupOutputDto {
            Id: n.id,
            Name: Some(n.name.into()),
            IsActive: true,
        })
        .collect();
    ok_records(&rows)
}

pub async fn work_types(State(st): State<SimState>) -> SimResult<Response> {
    let t = st.tenant();
    let rows: Vec<WorkTypeLookupOutputDto> = matching(&t.refs.work_types, None)
        .map(|n| WorkTypeLookupOutputDto {
            Id: n.id,
            Name: Some(n.name.into()),
            IsDefault: n.is_default,
            IsActive: true,
        })
        .collect();
    ok_records(&rows)
}

/// `GET /v2/system/roles/lookup`: `{Id, Name, IsDefault}` (no active flag in the spec).
pub async fn roles(State(st): State<SimState>) -> SimResult<Response> {
    let t = st.tenant();
    let rows: Vec<RoleLookupOutputDto> = matching(&t.refs.roles, None)
        .map(|n| RoleLookupOutputDto {
            Id: n.id,
            Name: Some(n.name.into()),
            IsDefault: n.is_default,
        })
        .collect();
    ok_records(&rows)
}

pub async fn slas(State(st): State<SimState>) -> SimResult<Response> {
    let t = st.tenant();
    let rows: Vec<SLALookupOutputDto> = t
        .refs
        .slas
        .iter()
        .map(|s| SLALookupOutputDto {
            Id: s.id,
            Name: Some(s.name.into()),
            IsDefault: s.id == 601,
            IsActive: true,
        })
        .collect();
    ok_records(&rows)
}

fn lookup_rows(items: &[Named]) -> Vec<LookupOutputDto> {
    items
        .iter()
        .map(|n| LookupOutputDto {
            Id: n.id,
            Name: Some(n.name.into()),
            IsDefault: n.is_default,
            IsActive: true,
        })
        .collect()
}

/// `GET /v2/system/lookup/{tableName}`: `ContactType` (the one name a vendor doc confirms),
/// and `TicketType` / `NoteType` (names the client guesses) only for a tenant configured to
/// have them ([`super::SimConfig::note_types`], [`super::SimConfig::ticket_types`]).
///
/// A table the tenant lacks is a 404 with a message, like any unknown table: the route exists
/// for every name, and "not found" is what a server that looks a name up and finds nothing
/// says. (An empty 200 list would be the other plausible answer; it would hide the difference
/// between "no such table" and "a table without rows", so the client must treat both as
/// "unknown" anyway.)
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
        named(2, "Billing"),
        named(3, "Technical"),
    ];
    let refs = &t.refs;
    let rows = match table.to_ascii_lowercase().as_str() {
        "tickettype" if refs.ticket_type_table => lookup_rows(&refs.ticket_types),
        "notetype" if refs.note_type_table => lookup_rows(&refs.note_types),
        "contacttype" => lookup_rows(&contact_types),
        _ => {
            return Err(SimError::not_found(format!(
                "Lookup table '{table}' was not found"
            )));
        }
    };
    ok_records(&rows)
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
    let users: Vec<_> = t
        .refs
        .users
        .iter()
        .filter(|u| !assignees_only || u.assignee)
        .filter(|u| {
            name.as_deref()
                .is_none_or(|n| u.name.to_lowercase().contains(n))
        })
        .filter(|u| ids.as_ref().is_none_or(|ids| ids.contains(&u.id)))
        .collect();
    let users = page_of(users, page, size);
    let rows: Vec<serde_json::Value> = if assignees_only {
        users
            .iter()
            .map(|u| {
                shape::record(&AssigneeLookupOutputDto {
                    Id: u.id,
                    Name: Some(u.name.clone()),
                    Url: None,
                    EmailAddress: Some(u.email.clone()),
                    JobTitle: Some(u.job_title.to_string()),
                    PictureName: None,
                    PictureURL: None,
                })
            })
            .collect()
    } else {
        users
            .iter()
            .map(|u| {
                shape::record(&EmployeeLookupOutputDto {
                    Id: u.id,
                    Name: Some(u.name.clone()),
                })
            })
            .collect()
    };
    ok(rows)
}

/// `GET /v2/hr/assignees/lookup`.
pub async fn assignees(State(st): State<SimState>, RawQuery(q): RawQuery) -> SimResult<Response> {
    people(&st, q.as_deref(), true)
}

/// `GET /v2/hr/employees/lookup`.
pub async fn employees(State(st): State<SimState>, RawQuery(q): RawQuery) -> SimResult<Response> {
    people(&st, q.as_deref(), false)
}
