//! The TUI's incremental refresh against the simulator: only tickets whose activity is
//! newer than the mark come back, those that left the view are named, and the view's total
//! lets the merge be checked.

// Every exchange with the simulators here is checked against the spec when they go.
use crate::spec;

use bmsdesk_bms::{client::Client, client::ClientOptions};
use bmsdesk_core::model::{PatchOp, TicketFilter};
use bmsdesk_core::{secret::Credentials, secret::Secret};
use bmsdesk_sim::{self as sim, SimConfig};
use bmsdesk_tui::worker::changes_since;
use serde_json::json;

#[tokio::test]
async fn refresh_returns_only_what_changed() {
    bmsdesk_core::clock::pin_for_tests();
    let h = spec::spawn_checked(SimConfig {
        tickets: 1200,
        accounts: 10,
        null_rate: 0.02,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let mut o = ClientOptions::new(h.base_url());
    o.credentials = Some(Credentials {
        tenant: sim::DEMO_TENANT.into(),
        username: sim::DEMO_USER.into(),
        password: Secret::new(sim::DEMO_PASSWORD),
        mfa_code: None,
    });
    let c = Client::new(o).unwrap();
    // The "Open" view: everything not completed.
    let view = TicketFilter {
        exclude_completed: 1,
        ..TicketFilter::default()
    };
    let all = c.search_tickets(&view).await.unwrap();
    assert!(all.len() > 100, "{} open tickets", all.len());
    let mark = all
        .iter()
        .filter_map(|r| r.last_activity_update)
        .max()
        .unwrap();
    // Let the server clock pass the mark (it counts whole seconds).
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let since = sim::tenant::now();

    let (renamed, closed) = (all[5].id, all[7].id);
    c.patch_ticket(renamed, &[PatchOp::replace("Title", json!("Renamed"))])
        .await
        .unwrap();
    let completed = h.state().read(|t| t.refs.status_id("Completed"));
    c.patch_ticket(closed, &[PatchOp::replace("StatusId", json!(completed))])
        .await
        .unwrap();

    h.state().reset_stats();
    let ch = changes_since(&c, &view, since).await.unwrap();
    let ids: Vec<i64> = ch.rows.iter().map(|r| r.id).collect();
    assert_eq!(ids, vec![renamed], "only the changed ticket of the view");
    assert_eq!(ch.rows[0].title, "Renamed");
    assert_eq!(ch.left, vec![closed], "completed: it left the view");
    assert_eq!(ch.total, Some(all.len() as u64 - 1));
    let searches = h
        .state()
        .stats()
        .count("POST /v2/servicedesk/tickets/search");
    assert_eq!(
        searches, 3,
        "three one-page searches, not the whole list again"
    );
    assert!(mark <= since);
    h.shutdown().await;
}

/// A client signed in to `h`, with `caps` as what doctor measured.
fn client_for(h: &sim::SimHandle, caps: bmsdesk_core::capabilities::Capabilities) -> Client {
    let mut o = ClientOptions::new(h.base_url());
    o.credentials = Some(Credentials {
        tenant: sim::DEMO_TENANT.into(),
        username: sim::DEMO_USER.into(),
        password: Secret::new(sim::DEMO_PASSWORD),
        mfa_code: None,
    });
    o.page_size = 50;
    o.capabilities = caps;
    Client::new(o).unwrap()
}

/// The ids of tickets in `statuses`, as the tenant holds them.
fn in_statuses(h: &sim::SimHandle, statuses: &[&str]) -> std::collections::BTreeSet<i64> {
    h.state().read(|t| {
        let ids: Vec<i64> = statuses.iter().map(|s| t.refs.status_id(s)).collect();
        t.tickets
            .iter()
            .filter(|r| !r.deleted && ids.contains(&r.status_id))
            .map(|r| r.id)
            .collect()
    })
}

#[tokio::test]
async fn a_multi_status_view_is_whole_whether_or_not_the_server_splits_commas() {
    use bmsdesk_tui::settings::ViewDef;
    use bmsdesk_tui::worker::view_filter;
    bmsdesk_core::clock::pin_for_tests();
    let view = ViewDef {
        status: vec!["New".into(), "In Progress".into()],
        ..ViewDef::named("Active", 5)
    };
    let filter = view_filter(&view, None);
    assert_eq!(filter.status_names.as_deref(), Some("New,In Progress"));
    for splits in [false, true] {
        let h = sim::spawn(SimConfig {
            tickets: 400,
            accounts: 10,
            splits_commas: splits,
            ..SimConfig::default()
        })
        .await
        .unwrap();
        let expected = in_statuses(&h, &["New", "In Progress"]);
        assert!(expected.len() > 50, "more than a page: {}", expected.len());
        // Nothing measured: one search per status, whatever the server does.
        let c = client_for(&h, Default::default());
        let mut totals = Vec::new();
        let mut got = Vec::new();
        c.search_tickets_streamed(&filter, |rows, total| {
            totals.push(total);
            got.extend(rows.into_iter().map(|r| r.id));
        })
        .await
        .unwrap();
        let set: std::collections::BTreeSet<i64> = got.iter().copied().collect();
        assert_eq!(set.len(), got.len(), "each ticket once (splits: {splits})");
        assert_eq!(set, expected, "splits: {splits}");
        assert!(
            totals.iter().all(|t| *t == Some(expected.len() as u64)),
            "the view's total from the first page on: {totals:?}"
        );
        // The refresh's count of the view agrees.
        let ch = changes_since(&c, &filter, sim::tenant::now())
            .await
            .unwrap();
        assert_eq!(ch.total, Some(expected.len() as u64), "splits: {splits}");
    }
}

#[tokio::test]
async fn a_tenant_measured_to_split_commas_gets_one_search() {
    bmsdesk_core::clock::pin_for_tests();
    let h = sim::spawn(SimConfig {
        tickets: 200,
        accounts: 10,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let expected = in_statuses(&h, &["New", "Waiting Customer"]);
    let filter = TicketFilter {
        status_names: Some("New,Waiting Customer".into()),
        ..TicketFilter::default()
    };
    let c = client_for(
        &h,
        bmsdesk_core::capabilities::Capabilities {
            splits_commas: Some(true),
            page_size_tried: Some(1000),
            ..Default::default()
        },
    );
    c.login().await.unwrap();
    h.state().reset_stats();
    let rows = c.search_tickets_first(&filter, 1000).await.unwrap();
    let set: std::collections::BTreeSet<i64> = rows.result.iter().map(|r| r.id).collect();
    assert_eq!(set, expected);
    assert_eq!(
        h.state()
            .stats()
            .count("POST /v2/servicedesk/tickets/search"),
        1
    );
}
