//! The TUI's incremental refresh against the simulator: only tickets whose activity is
//! newer than the mark come back, those that left the view are named, and the view's total
//! lets the merge be checked.

// Every exchange with the simulators here is checked against the spec when they go.
#[path = "spec/mod.rs"]
mod spec;

use bmsdesk::api::model::{PatchOp, TicketFilter};
use bmsdesk::api::{Client, ClientOptions, Credentials, Secret};
use bmsdesk::sim::{self, SimConfig};
use bmsdesk::tui::worker::changes_since;
use serde_json::json;

#[tokio::test]
async fn refresh_returns_only_what_changed() {
    bmsdesk::clock::pin_for_tests();
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
