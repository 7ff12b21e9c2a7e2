//! Lookups, CRM lists, templates and userinfo through the real client.

use crate::common;

use std::collections::{HashMap, HashSet};

use bmsdesk_bms::lookups::LookupSource;
use bmsdesk_core::{error::ApiError, lookups::LookupKind};
use bmsdesk_sim as sim;
use common::*;
use reqwest::Method;

#[tokio::test]
async fn every_lookup_kind_answers_on_the_path_the_client_uses() {
    let h = start(small()).await;
    let c = client(&h);
    for kind in LookupKind::ALL {
        let items = c.lookup(kind).await.unwrap();
        assert!(!items.is_empty(), "{kind:?} is empty");
        assert!(
            items.iter().all(|i| i.id >= 0 && !i.name.is_empty()),
            "{kind:?}"
        );
        let ids: HashSet<i64> = items.iter().map(|i| i.id).collect();
        assert_eq!(ids.len(), items.len(), "{kind:?} ids repeat");
        if let LookupSource::Path(path) = bmsdesk_bms::lookups::source(kind) {
            assert!(
                h.state().stats().count(&format!("GET {path}")) >= 1,
                "{kind:?} did not reach {path}"
            );
        }
    }
    let statuses = c.lookup(LookupKind::Statuses).await.unwrap();
    let names: Vec<&str> = statuses.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "New",
            "In Progress",
            "Waiting Customer",
            "Waiting Materials",
            "Escalated",
            "Scheduled",
            "Completed",
            "Closed"
        ]
    );
    assert!(statuses.iter().all(|s| s.id > 49_000
        && s.type_id.is_some()
        && s.status_order.is_some()
        && s.color.as_deref().is_some_and(|c| c.starts_with('#'))));
    let completed: Vec<&str> = statuses
        .iter()
        .filter(|s| s.type_id == Some(sim::status_type::COMPLETED))
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(completed, ["Completed", "Closed"]);

    let priorities = c.lookup(LookupKind::Priorities).await.unwrap();
    let names: Vec<&str> = priorities.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Critical", "High", "Medium", "Low"]);
    assert_eq!(
        priorities
            .iter()
            .filter(|p| p.is_default == Some(true))
            .count(),
        1
    );
    let types: Vec<String> = c
        .lookup(LookupKind::Types)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(types, ["Incident", "Service Request", "Problem", "Change"]);
    let assignees = c.lookup(LookupKind::Assignees).await.unwrap();
    assert!(assignees.len() >= 12);
    let me = assignees
        .iter()
        .find(|a| a.id == sim::DEMO_USER_ID)
        .unwrap();
    assert_eq!(me.name, sim::DEMO_USER_FULL_NAME);
    assert_eq!(me.email_address.as_deref(), Some(sim::DEMO_USER));
    let employees = c.lookup(LookupKind::Employees).await.unwrap();
    assert!(
        employees.len() > assignees.len(),
        "office staff are employees only"
    );
}

#[tokio::test]
async fn system_lookup_tables_and_unknown_table() {
    let h = start(small()).await;
    let token = raw_token(&h).await;
    for (table, first) in [
        ("TicketType", "Incident"),
        ("tickettype", "Incident"),
        ("NoteType", "General"),
        ("ContactType", "Primary"),
    ] {
        let (status, v) = raw_json(
            &h,
            &token,
            Method::GET,
            &format!("/v2/system/lookup/{table}"),
            None,
        )
        .await;
        assert_eq!(status, 200, "{table}");
        assert_eq!(v["result"][0]["name"], first);
        assert!(v["result"][0]["isActive"].is_boolean());
    }
    let (status, v) = raw_json(&h, &token, Method::GET, "/v2/system/lookup/Nope", None).await;
    assert_eq!(status, 404);
    assert!(message(&v).contains("Nope"));
    let (status, v) = raw_json(&h, &token, Method::GET, "/v2/no/such/path", None).await;
    assert_eq!(status, 404);
    assert_eq!(v["success"], false);
}

#[tokio::test]
async fn accounts_are_paged_and_locations_repeat_names_across_accounts() {
    let h = start(sim::SimConfig {
        accounts: 30,
        ..small()
    })
    .await;
    let mut o = options(&h, sim::DEMO_USER);
    o.page_size = 7;
    let c = bmsdesk_bms::Client::new(o).unwrap();
    let accounts = c.accounts().await.unwrap();
    let active = h
        .state()
        .read(|t| t.accounts.iter().filter(|a| a.active).count());
    assert_eq!(accounts.len(), active);
    // The tenant's name on every account, except where the server sends it as null.
    for a in &accounts {
        let sent_null = h
            .state()
            .nulled("AccountLookupOutputDto", a.id, "TenantName");
        let want = (!sent_null).then_some(sim::DEMO_TENANT);
        assert_eq!(a.tenant_name.as_deref(), want, "account {}", a.id);
    }
    assert!(h.state().stats().count("GET /v2/crm/accounts/lookup") >= 5);

    let mut by_name: HashMap<String, Vec<(i64, i64)>> = HashMap::new();
    for a in &accounts {
        let locations = c.locations(a.id).await.unwrap();
        assert!((1..=4).contains(&locations.len()), "{}", a.name);
        assert_eq!(
            locations.iter().filter(|l| l.is_main == Some(true)).count(),
            1
        );
        for l in locations {
            assert_eq!(l.account_id, a.id);
            by_name.entry(l.name).or_default().push((a.id, l.id));
        }
    }
    let main = &by_name["Main Office"];
    assert!(main.len() >= 5, "{main:?}");
    let ids: HashSet<i64> = main.iter().map(|(_, l)| *l).collect();
    assert_eq!(ids.len(), main.len(), "same name, different ids");

    let err = c.locations(1).await.unwrap_err();
    assert!(matches!(err, ApiError::NotFound(_)), "{err:?}");

    // Name filter on the accounts lookup (raw, any casing).
    let token = raw_token(&h).await;
    let word = accounts[0]
        .name
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let (status, v) = raw_json(
        &h,
        &token,
        Method::GET,
        &format!(
            "/v2/crm/accounts/lookup?filter.name={}",
            word.to_lowercase()
        ),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let rows = v["result"].as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| r["name"].as_str().unwrap().contains(&word))
    );
}

#[tokio::test]
async fn contacts_are_paged_and_filtered_by_name() {
    let h = start(small()).await;
    let mut o = options(&h, sim::DEMO_USER);
    o.page_size = 2;
    let c = bmsdesk_bms::Client::new(o).unwrap();
    let (account, expected) = h.state().read(|t| {
        let a = t.accounts.iter().max_by_key(|a| a.contacts.len()).unwrap();
        (a.id, a.contacts.len())
    });
    let contacts = c.contacts(account, None).await.unwrap();
    assert_eq!(contacts.len(), expected);
    let ids: HashSet<i64> = contacts.iter().map(|c| c.id).collect();
    assert_eq!(ids.len(), expected);
    assert!(contacts.iter().all(|c| c.email_address.is_some()
        && c.location_id.is_some()
        && c.location_name.is_some()));
    let target = &contacts[1];
    let last = target.name.split_whitespace().last().unwrap();
    let found = c
        .contacts(account, Some(&last.to_uppercase()))
        .await
        .unwrap();
    assert!(found.iter().any(|x| x.id == target.id));
    assert!(found.iter().all(|x| x.name.contains(last)));
    let err = c.contacts(1, None).await.unwrap_err();
    assert!(matches!(err, ApiError::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn templates_through_the_client() {
    let h = start(small()).await;
    let c = client(&h);
    let list = c.ticket_templates().await.unwrap();
    let names: Vec<&str> = list.iter().map(|t| t.name.as_str()).collect();
    for expected in [
        "Password reset",
        "New starter onboarding",
        "Printer offline",
        "Backup failure",
        "VPN access request",
    ] {
        assert!(names.contains(&expected), "{names:?}");
    }
    let priorities = c.lookup(LookupKind::Priorities).await.unwrap();
    let queues = c.lookup(LookupKind::Queues).await.unwrap();
    for t in &list {
        let full = c.ticket_template(t.id).await.unwrap();
        // A field is missing exactly where the server sent null.
        let sent = |field: &str| !h.state().nulled("TicketTemplateOutputDto", t.id, field);
        assert_eq!(full.name, t.name);
        assert_eq!(full.title.is_some(), sent("Title"));
        assert_eq!(full.details.is_some(), sent("Details"));
        assert!(full.account_id.is_none());
        assert_eq!(
            priorities.iter().any(|p| Some(p.id) == full.priority_id),
            sent("PriorityId")
        );
        assert_eq!(
            queues.iter().any(|q| Some(q.id) == full.queue_id),
            sent("QueueId")
        );
        assert_eq!(full.ticket_type_id.is_some(), sent("TicketTypeId"));
    }
    let err = c.ticket_template(1).await.unwrap_err();
    assert!(matches!(err, ApiError::NotFound(_)), "{err:?}");
    let logs = c.timelog_templates().await.unwrap();
    assert!(!logs.is_empty());
    for l in &logs {
        let sent = |field: &str| {
            !h.state()
                .nulled("TicketTimeEntryTemplateLookupOutputDto", l.id, field)
        };
        assert_eq!(l.role_id.is_some(), sent("RoleId"));
        assert_eq!(l.work_type_id.is_some(), sent("WorkTypeId"));
        assert!(l.timespent.unwrap_or(0.0) > 0.0, "not nullable");
    }
    let token = raw_token(&h).await;
    let ticket = h.state().read(|t| t.tickets[0].clone());
    let (status, v) = raw_json(
        &h,
        &token,
        Method::GET,
        &format!(
            "/v2/servicedesk/templates/timelogs/{}/{}",
            logs[0].id, ticket.id
        ),
        None,
    )
    .await;
    assert_eq!(status, 200);
    let notes = &v["result"][0]["notes"];
    if h.state().nulled(
        "TicketTimeEntryTemplateDetailsOutputDto",
        logs[0].id,
        "Notes",
    ) {
        assert!(notes.is_null(), "{v}");
    } else {
        assert!(notes.as_str().unwrap().contains(&*ticket.number), "{v}");
    }
}
