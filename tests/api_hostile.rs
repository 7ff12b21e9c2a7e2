//! A hostile server: lying totals, pages that never end, oversized replies, `null` where a
//! name belongs. The client must end every listing on its own terms, say why, and never let
//! one bad field or one huge reply take it down.

use crate::common;

use std::time::Duration;

use bmsdesk_bms::client::Client;
use bmsdesk_core::model::{TicketFilter, TicketRow};
use bmsdesk_core::{error::ApiError, lookups::LookupKind};
use bmsdesk_sim::{Faults, SimHandle};
use common::*;

const SEARCH: &str = "POST /v2/servicedesk/tickets/search";
const ACCOUNTS: &str = "GET /v2/crm/accounts/lookup";
const STATUSES: &str = "GET /v2/system/statuses/lookup";

/// Faults on one path only.
fn on(path: &str, f: Faults) -> Faults {
    Faults {
        path_contains: Some(path.into()),
        ..f
    }
}

/// Every ticket of the tenant, bounded in time: a client that follows a lying server would
/// run for hours, so it fails here instead of hanging the suite.
async fn all_tickets(c: &Client) -> Result<Vec<TicketRow>, ApiError> {
    tokio::time::timeout(
        Duration::from_secs(60),
        c.search_tickets(&TicketFilter::default()),
    )
    .await
    .expect("the listing ends on its own")
}

async fn signed_in(
    h: &SimHandle,
    tweak: impl FnOnce(&mut bmsdesk_bms::client::ClientOptions),
) -> Client {
    let mut o = options(h, bmsdesk_sim::DEMO_USER);
    tweak(&mut o);
    let c = Client::new(o).unwrap();
    c.login().await.unwrap();
    c
}

fn tenant_tickets(h: &SimHandle) -> usize {
    h.state().read(|t| t.tickets.len())
}

/// Every ticket, listed by a signed-in client while `f` applies to the search.
async fn search_under(f: Faults) -> (SimHandle, Client, Result<Vec<TicketRow>, ApiError>) {
    let h = start(small()).await;
    let c = signed_in(&h, |_| {}).await;
    h.state().set_faults(on("tickets/search", f));
    let listed = all_tickets(&c).await;
    (h, c, listed)
}

fn notices(c: &Client) -> String {
    c.take_notices().join("\n")
}

#[tokio::test]
async fn a_lying_total_is_followed_only_as_far_as_the_data_goes() {
    let (h, c, listed) = search_under(Faults {
        total_records: Some(1_000_000_000_000),
        ..Default::default()
    })
    .await;
    assert_eq!(listed.unwrap().len(), tenant_tickets(&h));
    // 3 pages of data, then at most one round of pages in flight past the end.
    let sent = h.state().stats().count(SEARCH);
    assert!(sent <= 3 + 4, "{sent} search requests");
    let said = notices(&c);
    assert!(
        said.contains("announced 1000000000000 rows but sent 300"),
        "{said}"
    );
}

#[tokio::test]
async fn endless_identical_pages_without_a_total_end_at_the_first_repeat() {
    let (h, c, listed) = search_under(Faults {
        repeat_pages: true,
        hide_total: true,
        ..Default::default()
    })
    .await;
    assert_eq!(listed.unwrap().len(), 100, "page 1 only, once");
    assert_eq!(h.state().stats().count(SEARCH), 2);
    let said = notices(&c);
    assert!(
        said.contains("page 2 brought only rows already read"),
        "{said}"
    );
}

#[tokio::test]
async fn repeated_pages_short_of_the_announced_total_are_an_error() {
    let (_h, _c, listed) = search_under(Faults {
        repeat_pages: true,
        ..Default::default()
    })
    .await;
    let err = listed.unwrap_err();
    assert!(
        matches!(&err, ApiError::Paging(m) if m.contains("ignore paging") && m.contains("100 of the 300")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_listing_past_max_rows_stops_with_an_error_naming_the_setting() {
    let h = start(small()).await;
    let c = signed_in(&h, |o| o.max_rows = 150).await;
    let err = all_tickets(&c).await.unwrap_err();
    assert!(
        matches!(&err, ApiError::Paging(m) if m.contains("max_rows = 150") && m.contains("200 of 300")),
        "{err:?}"
    );
    assert_eq!(h.state().stats().count(SEARCH), 2);
}

#[tokio::test]
async fn a_listing_never_spends_more_than_the_request_budget_left() {
    let h = start(small()).await;
    let c = signed_in(&h, |o| {
        o.page_size = 50;
        o.hourly_limit = 4;
    })
    .await;
    let err = all_tickets(&c).await.unwrap_err();
    assert!(
        matches!(&err, ApiError::Budget(m) if m.contains("request budget")),
        "{err:?}"
    );
    assert_eq!(
        h.state().stats().count(SEARCH),
        4,
        "the budget, not one more"
    );
}

#[tokio::test]
async fn get_lists_go_through_the_same_guards() {
    let h = start(small()).await;
    let c = signed_in(&h, |o| o.page_size = 5).await;
    let all = c.accounts().await.unwrap();
    assert_eq!(all.len(), 12);

    h.state().set_faults(on(
        "accounts/lookup",
        Faults {
            repeat_pages: true,
            ..Default::default()
        },
    ));
    let before = h.state().stats().count(ACCOUNTS);
    let got = c.accounts().await.unwrap();
    assert_eq!(got.len(), 5);
    assert_eq!(h.state().stats().count(ACCOUNTS) - before, 2);
    let said = notices(&c);
    assert!(
        said.contains(ACCOUNTS) && said.contains("ignore paging"),
        "{said}"
    );

    let capped = signed_in(&h, |o| {
        o.page_size = 5;
        o.max_rows = 6;
    })
    .await;
    h.state().clear_faults();
    let err = capped.accounts().await.unwrap_err();
    assert!(
        matches!(&err, ApiError::Paging(m) if m.contains("max_rows = 6")),
        "{err:?}"
    );
}

async fn oversized_statuses(chunked: bool) {
    let h = start(small()).await;
    let c = signed_in(&h, |o| o.max_reply_bytes = 1024 * 1024).await;
    h.state().set_faults(on(
        "statuses/lookup",
        Faults {
            oversize_bytes: 64 * 1024 * 1024,
            oversize_chunked: chunked,
            ..Default::default()
        },
    ));
    let err = c.lookup(LookupKind::Statuses).await.unwrap_err();
    assert!(
        matches!(&err, ApiError::TooLarge(m) if m.contains("1 MB") && m.contains("max_reply_mb")),
        "{err:?}"
    );
    assert_eq!(h.state().stats().count(STATUSES), 1, "not asked again");
    // Other replies are read as before.
    h.state().clear_faults();
    assert_eq!(c.lookup(LookupKind::Statuses).await.unwrap().len(), 8);
}

#[tokio::test]
async fn an_oversized_chunked_reply_is_refused_while_reading() {
    oversized_statuses(true).await;
}

#[tokio::test]
async fn an_oversized_announced_reply_is_refused_before_reading() {
    oversized_statuses(false).await;
}

#[tokio::test]
async fn nulls_in_nullable_fields_do_not_break_a_list() {
    let h = start(small()).await;
    let c = signed_in(&h, |_| {}).await;
    h.state().set_faults(Faults {
        null_fields: vec![
            "title".into(),
            "ticketNumber".into(),
            "accountName".into(),
            "name".into(),
            "details".into(),
            "fullName".into(),
        ],
        methods: vec!["GET".into(), "POST".into()],
        path_contains: Some("/v2/s".into()),
        ..Default::default()
    });
    let rows = all_tickets(&c).await.unwrap();
    assert_eq!(rows.len(), tenant_tickets(&h));
    assert!(
        rows.iter()
            .all(|r| r.title.is_empty() && r.account_name.is_none())
    );
    let statuses = c.lookup(LookupKind::Statuses).await.unwrap();
    assert_eq!(statuses.len(), 8);
    let notes = c.notes(rows[0].id).await.unwrap();
    assert!(notes.iter().all(|n| n.details.is_empty()));
    assert!(c.user_info().await.unwrap().full_name.is_empty());
}

#[tokio::test]
async fn a_sign_in_reply_with_a_null_access_token_is_an_auth_error() {
    let h = start(small()).await;
    let c = client(&h);
    h.state().set_faults(on(
        "security/authenticate",
        Faults {
            null_fields: vec!["accessToken".into()],
            ..Default::default()
        },
    ));
    let err = c.login().await.unwrap_err();
    assert!(
        matches!(&err, ApiError::AuthFailed(m) if m.contains("no access token")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_server_that_caps_pages_below_the_size_asked_does_not_cut_lists() {
    // The server serves at most 5 rows a page and tells no total for lookups.
    let h = start(bmsdesk_sim::SimConfig {
        max_page_size: 5,
        ..small()
    })
    .await;
    let c = signed_in(&h, |o| {
        o.page_size = 100;
        // Nothing measured: the cap is the server's secret.
        o.capabilities = Default::default();
    })
    .await;
    let expected = h
        .state()
        .read(|t| t.accounts.iter().filter(|a| a.active).count());
    assert!(
        expected > 5,
        "the tenant has more accounts than one capped page"
    );
    let accounts = c.accounts().await.unwrap();
    assert_eq!(accounts.len(), expected);
    let notices = c.take_notices();
    assert!(
        notices
            .iter()
            .any(|n| n.contains("at most 5 rows per page")),
        "{notices:?}"
    );
    // Measured by doctor: pages are asked by the cap from the start, and a short page ends.
    h.state().reset_stats();
    let c = signed_in(&h, |o| {
        o.page_size = 100;
        o.capabilities = Default::default();
        o.capabilities.max_page_size = Some(5);
    })
    .await;
    assert_eq!(c.page_size(), 5);
    assert_eq!(c.accounts().await.unwrap().len(), expected);
    assert_eq!(
        h.state().stats().count(ACCOUNTS) as usize,
        expected.div_ceil(5) + usize::from(expected % 5 == 0),
        "no request to check"
    );
    assert!(c.take_notices().is_empty());
}
