//! CRM lookups: accounts (paged, `Filter.Name`), an account's locations, its contacts
//! (paged, `Filter.Name`, `Filter.LocationId`).

use axum::extract::{Path, RawQuery, State};
use axum::response::Response;

use super::envelope::{Fields, SimError, SimResult, ok_records, page_of, page_params, path_id};
use super::state::SimState;
use super::view::TENANT_NAME;
use super::wire::{AccountLocationLookupOutputDto, AccountLookupOutputDto, ContactLookupOutputDto};

fn account_not_found(id: i64) -> SimError {
    SimError::not_found(format!("Account {id} was not found"))
}

/// `GET /v2/crm/accounts/lookup`.
pub async fn accounts(State(st): State<SimState>, RawQuery(q): RawQuery) -> SimResult<Response> {
    let all = Fields::from_query(q.as_deref());
    let f = all.section("Filter");
    let sh = st.shared();
    let (page, size) = page_params(&all, sh.default_page_size, sh.max_page_size)?;
    let name = f.text("Name")?.map(|s| s.to_lowercase());
    let ids = f.id_list("Ids")?;
    let with_inactive = f.bool("WithInactiveAccounts")?.unwrap_or(false);
    let t = st.tenant();
    let rows: Vec<AccountLookupOutputDto> = t
        .accounts
        .iter()
        .filter(|a| with_inactive || a.active)
        .filter(|a| {
            name.as_deref()
                .is_none_or(|n| a.name.to_lowercase().contains(n))
        })
        .filter(|a| ids.as_ref().is_none_or(|ids| ids.contains(&a.id)))
        .map(|a| AccountLookupOutputDto {
            Id: a.id,
            Name: Some(a.name.clone()),
            TenantName: Some(TENANT_NAME.into()),
            IsActive: a.active,
        })
        .collect();
    ok_records(&page_of(rows, page, size))
}

/// `GET /v2/crm/accounts/{accountId}/locations/lookup`.
pub async fn locations(
    State(st): State<SimState>,
    Path(account): Path<String>,
) -> SimResult<Response> {
    let account = path_id(&account, "account")?;
    let t = st.tenant();
    let a = t
        .account(account)
        .ok_or_else(|| account_not_found(account))?;
    let rows: Vec<AccountLocationLookupOutputDto> = a
        .locations
        .iter()
        .filter_map(|l| t.location(*l))
        .map(|l| AccountLocationLookupOutputDto {
            Id: l.id,
            Name: Some(l.name.into()),
            AccountId: l.account_id,
            IsMain: l.is_main,
        })
        .collect();
    ok_records(&rows)
}

/// `GET /v2/crm/accounts/{accountId}/contacts/lookup`.
pub async fn contacts(
    State(st): State<SimState>,
    Path(account): Path<String>,
    RawQuery(q): RawQuery,
) -> SimResult<Response> {
    let account = path_id(&account, "account")?;
    let all = Fields::from_query(q.as_deref());
    let f = all.section("Filter");
    let sh = st.shared();
    let (page, size) = page_params(&all, sh.default_page_size, sh.max_page_size)?;
    let name = f.text("Name")?.map(|s| s.to_lowercase());
    let location = f.int("LocationId")?;
    let t = st.tenant();
    let a = t
        .account(account)
        .ok_or_else(|| account_not_found(account))?;
    let mut rows: Vec<ContactLookupOutputDto> = a
        .contacts
        .iter()
        .filter_map(|c| t.contact(*c))
        .filter(|c| location.is_none_or(|l| c.location_id == l))
        .filter(|c| {
            name.as_deref()
                .is_none_or(|n| c.name().to_lowercase().contains(n))
        })
        .map(|c| ContactLookupOutputDto {
            Id: c.id,
            Name: Some(c.name()),
            LocationId: c.location_id,
            LocationName: t.location(c.location_id).map(|l| l.name.into()),
            Phone: Some(c.phone.clone()),
            EmailAddress: Some(c.email.clone()),
        })
        .collect();
    rows.sort_by(|a, b| a.Name.cmp(&b.Name).then(a.Id.cmp(&b.Id)));
    ok_records(&page_of(rows, page, size))
}
