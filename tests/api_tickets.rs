//! Tickets through the real client: search and paging, filters, get, create, patch, assign,
//! delete, SLA info; validation and key casing with raw requests.

use crate::common;

use std::collections::HashSet;

use bmsdesk_core::model::{AssignInput, PatchOp, TicketFilter};
use bmsdesk_core::{draft::TicketDraft, error::ApiError};
use bmsdesk_sim::{self as sim, SimConfig, Tenant};
use common::*;
use reqwest::Method;
use serde_json::{Value, json};

/// A valid create body for the first account (PascalCase keys).
fn create_body(t: &Tenant) -> Value {
    let a = &t.accounts[0];
    json!({
        "Title": "Scanner jammed",
        "Details": "<p>Paper stuck &amp; lights blinking</p>",
        "AccountId": a.id,
        "LocationId": a.locations[0],
        "StatusId": t.refs.status_id("New"),
        "PriorityId": t.refs.priority_id("Low"),
        "TypeId": t.refs.ticket_type_id("Incident"),
        "SourceId": 0,
        "QueueId": t.refs.queue_id("Help Desk"),
        "OpenDate": "2025-01-15T14:00:00",
    })
}

#[tokio::test]
async fn search_over_1500_tickets_returns_each_exactly_once() {
    let h = start(SimConfig {
        tickets: 1500,
        ..small()
    })
    .await;
    let mut o = options(&h, sim::DEMO_USER);
    o.page_size = 100;
    o.concurrency = 4;
    let c = bmsdesk_bms::Client::new(o).unwrap();
    let rows = c.search_tickets(&TicketFilter::default()).await.unwrap();
    assert_eq!(rows.len(), 1500);
    let ids: HashSet<i64> = rows.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), 1500, "no duplicates");
    assert_eq!(h.state().ticket_count(), 1500);
    // Stable order: newest open date first.
    assert!(
        rows.windows(2)
            .all(|w| (w[0].open_date, w[0].id) >= (w[1].open_date, w[1].id))
    );
    assert_eq!(
        h.state()
            .stats()
            .count("POST /v2/servicedesk/tickets/search"),
        15
    );
    // Every row carries the names the list shows, unless the server sent them as null.
    for r in &rows {
        let truth = h.state().ticket(r.id).unwrap().row;
        assert_eq!(r, &sent_row(&h, "TicketListDto", truth));
        assert!(!r.ticket_number.is_empty());
    }
    assert!(
        rows.iter()
            .filter(|r| r.status_name.is_some() && r.account_name.is_some())
            .count()
            > 1400
    );
}

#[tokio::test]
async fn page_size_is_capped_and_total_is_reported() {
    let h = start(SimConfig {
        max_page_size: 50,
        ..small()
    })
    .await;
    let c = client(&h);
    let page = c
        .search_tickets_page(&TicketFilter::default(), 2, 500)
        .await
        .unwrap();
    assert_eq!(page.result.len(), 50);
    assert_eq!(page.total, Some(300));
    let last = c
        .search_tickets_page(&TicketFilter::default(), 7, 50)
        .await
        .unwrap();
    assert!(last.result.is_empty());
    assert_eq!(last.total, Some(300));
}

#[tokio::test]
async fn filters_match_what_the_tenant_holds() {
    let h = start(small()).await;
    let c = client(&h);
    let st = h.state().clone();

    // "My tickets": assignee name, open only.
    let mine = c
        .search_tickets(&TicketFilter {
            assignee_name: Some("jordan".into()),
            exclude_completed: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    let expected = st.read(|t| {
        t.tickets
            .iter()
            .filter(|r| r.assignee_id == Some(sim::DEMO_USER_ID) && r.completed.is_none())
            .count()
    });
    assert!(expected > 0);
    assert_eq!(mine.len(), expected);
    // Each row names the assignee, unless the server sent that field as null (the rigs' 2 %).
    assert!(mine.iter().all(|r| {
        r.assignee_name.as_deref() == Some(sim::DEMO_USER_FULL_NAME)
            || (r.assignee_name.is_none() && st.nulled("TicketListDto", r.id, "AssigneeName"))
    }));

    // Status and priority lists, any casing.
    let rows = c
        .search_tickets(&TicketFilter {
            status_names: Some("new,waiting customer".into()),
            priority_names: Some("HIGH, Critical".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let expected = st.read(|t| {
        let s = [
            t.refs.status_id("New"),
            t.refs.status_id("Waiting Customer"),
        ];
        let p = [t.refs.priority_id("High"), t.refs.priority_id("Critical")];
        t.tickets
            .iter()
            .filter(|r| s.contains(&r.status_id) && p.contains(&r.priority_id))
            .count()
    });
    assert_eq!(rows.len(), expected);

    // Account ids, queue and type names.
    let (a, b) = st.read(|t| (t.accounts[0].id, t.accounts[1].id));
    let rows = c
        .search_tickets(&TicketFilter {
            account_ids: Some(format!("{a},{b}")),
            queue_names: Some("Help Desk".into()),
            ticket_type_names: Some("incident".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let expected = st.read(|t| {
        t.tickets
            .iter()
            .filter(|r| {
                (r.account_id == a || r.account_id == b)
                    && r.queue_id == Some(t.refs.queue_id("Help Desk"))
                    && r.type_id == t.refs.ticket_type_id("Incident")
            })
            .count()
    });
    assert_eq!(rows.len(), expected);
    assert!(
        rows.iter()
            .all(|r| r.account_id == Some(a) || r.account_id == Some(b))
    );

    // Ticket number, title and account name (partial), contact.
    let probe = st.read(|t| t.tickets[10].clone());
    let by_number = c
        .search_tickets(&TicketFilter {
            ticket_number: Some(probe.number.to_string()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(by_number.len(), 1);
    assert_eq!(by_number[0].id, probe.id);
    let word = probe
        .title
        .split_whitespace()
        .next()
        .unwrap()
        .to_uppercase();
    let by_title = c
        .search_tickets(&TicketFilter {
            title: Some(word.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(by_title.iter().any(|r| r.id == probe.id));
    assert!(
        by_title
            .iter()
            .all(|r| r.title.to_uppercase().contains(&word))
    );
    let acc_name = st.read(|t| t.account(probe.account_id).unwrap().name.clone());
    let by_account = c
        .search_tickets(&TicketFilter {
            account: Some(acc_name.to_lowercase()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(by_account.iter().any(|r| r.id == probe.id));
    if let Some(contact) = probe.contact_id {
        let by_contact = c
            .search_tickets(&TicketFilter {
                contact_id: Some(contact),
                ..Default::default()
            })
            .await
            .unwrap();
        assert!(by_contact.iter().all(|r| r.contact_id == Some(contact)));
        assert!(by_contact.iter().any(|r| r.id == probe.id));
    }

    // Dates: recent activity only.
    let since = bmsdesk_core::clock::now() - chrono::Duration::days(2);
    let recent = c
        .search_tickets(&TicketFilter {
            last_activity_update_from: Some(since),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(!recent.is_empty());
    for r in &recent {
        match r.last_activity_update {
            Some(t) => assert!(t >= since - chrono::Duration::seconds(1), "{}", r.id),
            // The server matched on its value and sent it as null.
            None => assert!(
                h.state()
                    .nulled("TicketListDto", r.id, "LastActivityUpdate")
            ),
        }
    }
}

#[tokio::test]
async fn get_list_takes_filter_query_keys_in_any_casing() {
    let h = start(small()).await;
    let token = raw_token(&h).await;
    let (s1, a) = raw_json(
        &h,
        &token,
        Method::GET,
        "/v2/servicedesk/tickets?Filter.StatusNames=New&Filter.ExcludeCompleted=1&PageSize=5&PageNumber=1",
        None,
    )
    .await;
    let (s2, b) = raw_json(
        &h,
        &token,
        Method::GET,
        "/v2/servicedesk/tickets?filter.statusNames=new&FILTER.EXCLUDECOMPLETED=1&pagesize=5",
        None,
    )
    .await;
    assert_eq!((s1, s2), (200, 200));
    assert_eq!(a["totalRecords"], b["totalRecords"]);
    assert!(a["totalRecords"].as_u64().unwrap() > 0);
    assert_eq!(a["result"].as_array().unwrap().len(), 5);
    for r in a["result"].as_array().unwrap() {
        let id = r["id"].as_i64().unwrap();
        if h.state().nulled("TicketListDto", id, "StatusName") {
            assert!(r["statusName"].is_null());
        } else {
            assert_eq!(r["statusName"], "New");
        }
    }
    // Wire details the client relies on: camelCase keys and int flags.
    let row = &a["result"][0];
    for key in [
        "id",
        "ticketNumber",
        "statusId",
        "openDate",
        "isSLAPaused",
        "slaId",
    ] {
        assert!(row.get(key).is_some(), "missing {key} in {row}");
    }
    assert!(row["isSLAPaused"].is_i64());
}

#[tokio::test]
async fn create_from_a_template_returns_the_full_ticket() {
    let h = start(small()).await;
    let c = client(&h);
    let templates = c.ticket_templates().await.unwrap();
    let vpn = templates
        .iter()
        .find(|t| t.name == "VPN access request")
        .unwrap();
    let tpl = c.ticket_template(vpn.id).await.unwrap();
    assert!(tpl.account_id.is_none(), "templates carry no account");
    let accounts = c.accounts().await.unwrap();
    let account = &accounts[3];
    let locations = c.locations(account.id).await.unwrap();
    let main = locations.iter().find(|l| l.is_main == Some(true)).unwrap();
    let contacts = c.contacts(account.id, None).await.unwrap();
    let statuses = c
        .lookup(bmsdesk_core::lookups::LookupKind::Statuses)
        .await
        .unwrap();
    let new = statuses.iter().find(|s| s.name == "New").unwrap();
    let over = TicketDraft {
        account_id: Some(account.id),
        location_id: Some(main.id),
        contact_id: contacts.first().map(|x| x.id),
        status_id: Some(new.id),
        source_id: Some(1),
        ..Default::default()
    };
    let input = TicketDraft::from_template(&tpl)
        .overlay(&over)
        .validate()
        .unwrap();
    let before = h.state().ticket_count();
    let t = c.create_ticket(&input).await.unwrap();
    assert_eq!(h.state().ticket_count(), before + 1);
    assert!(t.row.id > 0);
    assert!(
        t.row.ticket_number.starts_with("T") && t.row.ticket_number.contains('.'),
        "{}",
        t.row.ticket_number
    );
    assert_eq!(t.row.title, "VPN access request");
    assert_eq!(t.row.account_name.as_deref(), Some(account.name.as_str()));
    assert_eq!(t.row.location_name.as_deref(), Some(main.name.as_str()));
    assert_eq!(t.row.status_name.as_deref(), Some("New"));
    assert_eq!(t.row.priority_name.as_deref(), Some("Low"));
    assert_eq!(t.row.queue_name.as_deref(), Some("Help Desk"));
    assert_eq!(t.row.type_name.as_deref(), Some("Service Request"));
    assert_eq!(t.source_name.as_deref(), Some("Phone"));
    assert_eq!(
        t.row.created_by_name.as_deref(),
        Some(sim::DEMO_USER_FULL_NAME)
    );
    assert!(t.details.as_deref().unwrap().contains("VPN"));
    assert!(t.row.resolution_target_time.is_some());
    // Visible to get and search; no generated notes.
    let again = c.ticket(t.row.id).await.unwrap();
    assert_eq!(again, t);
    assert!(c.notes(t.row.id).await.unwrap().is_empty());
    let found = c
        .search_tickets(&TicketFilter {
            ticket_number: Some(t.row.ticket_number.clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
}

#[tokio::test]
async fn create_validation_names_the_field() {
    let h = start(small()).await;
    let token = raw_token(&h).await;
    let body = h.state().read(create_body);
    let post = |b: Value| {
        let (h, token) = (&h, token.clone());
        async move { raw_json(h, &token, Method::POST, "/v2/servicedesk/tickets", Some(b)).await }
    };

    let mut b = body.clone();
    b.as_object_mut().unwrap().remove("Title");
    let (status, v) = post(b).await;
    assert_eq!(status, 400);
    assert_eq!(v["success"], Value::Bool(false));
    assert_eq!(message(&v), "Title is required");

    let mut b = body.clone();
    b["Details"] = json!("   ");
    b.as_object_mut().unwrap().remove("OpenDate");
    let (status, v) = post(b).await;
    assert_eq!(status, 400);
    assert!(message(&v).contains("Details is required"), "{v}");
    assert!(message(&v).contains("OpenDate is required"), "{v}");

    let mut b = body.clone();
    b.as_object_mut().unwrap().remove("QueueId");
    let (status, v) = post(b).await;
    assert_eq!(status, 400);
    assert_eq!(message(&v), "Either a queue or an assignee is required");

    let mut b = body.clone();
    b["LocationId"] = json!(h.state().read(|t| t.accounts[1].locations[0]));
    let (status, v) = post(b).await;
    assert_eq!(status, 400);
    assert!(message(&v).contains("does not belong to account"), "{v}");

    let mut b = body.clone();
    b["PriorityId"] = json!(999_999);
    let (status, v) = post(b).await;
    assert_eq!(status, 400);
    assert!(message(&v).contains("Priority 999999"), "{v}");

    let mut b = body.clone();
    b["AccountId"] = json!("abc");
    let (status, v) = post(b).await;
    assert_eq!(status, 400);
    assert!(message(&v).contains("AccountId"), "{v}");

    let (status, v) = raw_json(
        &h,
        &token,
        Method::POST,
        "/v2/servicedesk/tickets",
        Some(json!([1, 2])),
    )
    .await;
    assert_eq!(status, 400, "{v}");

    // SourceId 0 (Client Portal) is valid; assignee instead of queue is enough.
    let mut b = body.clone();
    b.as_object_mut().unwrap().remove("QueueId");
    b["AssigneeId"] = json!(sim::DEMO_USER_ID);
    let (status, v) = post(b).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["result"]["sourceId"], 0);
    assert_eq!(v["result"]["assigneeName"], sim::DEMO_USER_FULL_NAME);

    // Through the client, a refused create is an API error carrying the message.
    let c = client(&h);
    let mut input = TicketDraft {
        title: Some("x".into()),
        details: Some("y".into()),
        account_id: Some(999_999),
        location_id: Some(1),
        status_id: Some(1),
        priority_id: Some(1),
        type_id: Some(1),
        source_id: Some(0),
        queue_id: Some(1),
        ..Default::default()
    }
    .validate()
    .unwrap();
    input.account_id = 999_999;
    let err = c.create_ticket(&input).await.unwrap_err();
    assert!(
        matches!(&err, ApiError::Api { status: 400, message, .. } if message.contains("Account 999999")),
        "{err:?}"
    );
}

#[tokio::test]
async fn camel_and_pascal_case_requests_both_work() {
    let h = start(small()).await;
    let token = raw_token(&h).await;
    let pascal = h.state().read(create_body);
    let camel: Value = pascal
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let mut c = k.clone();
            c[..1].make_ascii_lowercase();
            (c, v.clone())
        })
        .collect::<serde_json::Map<_, _>>()
        .into();
    assert!(camel.get("accountId").is_some());
    for body in [pascal, camel] {
        let (status, v) = raw_json(
            &h,
            &token,
            Method::POST,
            "/v2/servicedesk/tickets",
            Some(body),
        )
        .await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["result"]["title"], "Scanner jammed");
        assert_eq!(v["result"]["priorityName"], "Low");
    }
    for body in [
        json!({"PageSize": 3, "PageNumber": 1, "Filter": {"StatusNames": "New"}}),
        json!({"pageSize": 3, "pageNumber": 1, "filter": {"statusNames": "New"}}),
    ] {
        let (status, v) = raw_json(
            &h,
            &token,
            Method::POST,
            "/v2/servicedesk/tickets/search",
            Some(body),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(v["result"].as_array().unwrap().len(), 3);
        assert!(v["totalRecords"].as_u64().unwrap() > 3);
    }
    // JSON-Patch paths in any casing.
    let id = h.state().read(|t| t.tickets[0].id);
    let (status, v) = raw_json(
        &h,
        &token,
        Method::PATCH,
        &format!("/v2/servicedesk/tickets/{id}"),
        Some(
            json!([{"op": "replace", "path": "/title", "value": "Lower path"},
                     {"OP": "Replace", "PATH": "/TITLE", "VALUE": "Upper path"}]),
        ),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["result"]["title"], "Upper path");
}

#[tokio::test]
async fn patch_keeps_the_ticket_consistent() {
    let h = start(small()).await;
    let c = client(&h);
    let st = h.state().clone();
    let (id, completed, waiting, in_progress, high) = st.read(|t| {
        let open = t
            .tickets
            .iter()
            .find(|r| {
                r.completed.is_none()
                    && r.paused_since.is_none()
                    && r.queue_id.is_some()
                    && r.assignee_id.is_some()
            })
            .unwrap();
        (
            open.id,
            t.refs.status_id("Completed"),
            t.refs.status_id("Waiting Customer"),
            t.refs.status_id("In Progress"),
            t.refs.priority_id("High"),
        )
    });
    let before = c.ticket(id).await.unwrap();

    let t = c
        .patch_ticket(id, &[PatchOp::replace("StatusId", json!(completed))])
        .await
        .unwrap();
    assert_eq!(t.row.status_name.as_deref(), Some("Completed"));
    assert!(t.row.completed_date.is_some());
    assert!(t.row.resolution_actual_time.is_some());
    assert!(t.row.has_met_sla.is_some());
    assert!(t.row.modified_on > before.row.modified_on);

    let t = c
        .patch_ticket(id, &[PatchOp::replace("/statusid", json!(waiting))])
        .await
        .unwrap();
    assert!(t.row.completed_date.is_none(), "reopened");
    assert_eq!(t.row.is_sla_paused, Some(true));

    let t = c
        .patch_ticket(
            id,
            &[
                PatchOp::replace("StatusId", json!(in_progress)),
                PatchOp::replace("PriorityId", json!(high)),
                PatchOp::replace("AssigneeId", json!(sim::DEMO_USER_ID)),
                PatchOp::replace("Title", json!("Renamed & patched")),
            ],
        )
        .await
        .unwrap();
    assert_eq!(t.row.is_sla_paused, Some(false));
    assert_eq!(t.row.priority_name.as_deref(), Some("High"));
    assert_eq!(
        t.row.assignee_name.as_deref(),
        Some(sim::DEMO_USER_FULL_NAME)
    );
    assert_eq!(t.row.title, "Renamed & patched");
    assert_eq!(sent_ticket(&h, st.ticket(id).unwrap()), t);

    // Refusals leave the ticket untouched.
    for ops in [
        vec![PatchOp::replace("/Nope", json!(1))],
        vec![PatchOp {
            op: "move".into(),
            path: "/Title".into(),
            value: None,
        }],
        vec![PatchOp::replace("StatusId", json!(123))],
        vec![
            PatchOp::replace("Title", json!("half applied?")),
            PatchOp::replace(
                "LocationId",
                json!(st.read(|t| {
                    let acc = t.ticket(id).unwrap().account_id;
                    t.locations.iter().find(|l| l.account_id != acc).unwrap().id
                })),
            ),
        ],
    ] {
        let err = c.patch_ticket(id, &ops).await.unwrap_err();
        assert!(matches!(err, ApiError::Api { status: 400, .. }), "{err:?}");
    }
    assert_eq!(st.ticket(id).unwrap().row.title, "Renamed & patched");

    // Removing both queue and assignee is refused.
    let err = c
        .patch_ticket(
            id,
            &[
                PatchOp {
                    op: "remove".into(),
                    path: "/QueueId".into(),
                    value: None,
                },
                PatchOp::replace("AssigneeId", Value::Null),
            ],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ApiError::Api { message, .. } if message.contains("queue or an assignee")),
        "{err:?}"
    );
}

#[tokio::test]
async fn assign_sets_fields_and_writes_the_note() {
    let h = start(small()).await;
    let c = client(&h);
    let st = h.state().clone();
    let (id, escalated, tier2) = st.read(|t| {
        (
            t.tickets[20].id,
            t.refs.status_id("Escalated"),
            t.refs.queue_id("Tier 2"),
        )
    });
    let notes_before = st.note_count(id);
    c.assign_ticket(
        id,
        &AssignInput {
            details: "Routing to tier 2".into(),
            is_internal: true,
            type_id: 1,
            status_id: escalated,
            note_date: bmsdesk_core::clock::now(),
            assignee_id: Some(sim::DEMO_USER_ID),
            queue_id: Some(tier2),
        },
    )
    .await
    .unwrap();
    let t = c.ticket(id).await.unwrap();
    assert_eq!(t.row.status_name.as_deref(), Some("Escalated"));
    assert_eq!(t.row.queue_name.as_deref(), Some("Tier 2"));
    assert_eq!(t.row.assignee_id, Some(sim::DEMO_USER_ID));
    assert_eq!(st.note_count(id), notes_before + 1);
    let notes = c.notes(id).await.unwrap();
    let last = notes
        .iter()
        .find(|n| n.details == "Routing to tier 2")
        .unwrap();
    assert_eq!(last.is_internal, Some(true));
    assert_eq!(
        last.created_by_name.as_deref(),
        Some(sim::DEMO_USER_FULL_NAME)
    );

    // Missing required fields name themselves.
    let token = raw_token(&h).await;
    let (status, v) = raw_json(
        &h,
        &token,
        Method::POST,
        &format!("/v2/servicedesk/tickets/{id}/assignticket"),
        Some(json!({"Details": "x", "IsInternal": true, "TypeId": 1, "NoteDate": "2025-01-01T00:00:00"})),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(message(&v), "StatusId is required");
}

#[tokio::test]
async fn unknown_and_deleted_tickets_are_not_found() {
    let h = start(small()).await;
    let c = client(&h);
    let err = c.ticket(42).await.unwrap_err();
    assert!(matches!(err, ApiError::NotFound(_)), "{err:?}");
    let id = h.state().read(|t| t.tickets[3].id);
    c.ticket(id).await.unwrap();
    c.delete_ticket(id).await.unwrap();
    assert!(h.state().ticket(id).is_none());
    for err in [
        c.ticket(id).await.unwrap_err(),
        c.sla_info(id).await.unwrap_err(),
        c.notes(id).await.map(|_| ()).unwrap_err(),
        c.delete_ticket(id).await.unwrap_err(),
        c.patch_ticket(id, &[PatchOp::replace("Title", json!("x"))])
            .await
            .map(|_| ())
            .unwrap_err(),
    ] {
        assert!(matches!(err, ApiError::NotFound(_)), "{err:?}");
    }
    let total = c
        .search_tickets_page(&TicketFilter::default(), 1, 1)
        .await
        .unwrap()
        .total;
    assert_eq!(total, Some(299));
    // A non-numeric id is a 400, not a crash.
    let token = raw_token(&h).await;
    let (status, _) = raw_json(&h, &token, Method::GET, "/v2/servicedesk/tickets/abc", None).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn sla_info_is_in_minutes_and_matches_the_ticket() {
    let h = start(small()).await;
    let c = client(&h);
    let (id, priority) = h.state().read(|t| {
        let r = t
            .tickets
            .iter()
            .find(|r| r.completed.is_none() && r.paused_since.is_none() && r.fr_actual.is_some())
            .unwrap();
        (r.id, t.refs.priority(r.priority_id).unwrap().name)
    });
    let sla = c.sla_info(id).await.unwrap();
    assert_eq!(sla.ticket_priority_name.as_deref(), Some(priority));
    assert_eq!(sla.sla_stage, Some(1));
    let goal = sla.resolve_goal.unwrap();
    assert!(goal >= 120.0, "{goal}");
    let remaining = sla.resolve_remaining.unwrap();
    assert!((goal - sla.resolve_actual.unwrap() - remaining).abs() < 0.001);
}

#[tokio::test]
async fn tenant_has_breached_soon_and_paused_open_tickets() {
    let h = start(SimConfig {
        tickets: 800,
        ..small()
    })
    .await;
    let c = client(&h);
    let open = c
        .search_tickets(&TicketFilter {
            exclude_completed: 1,
            ..Default::default()
        })
        .await
        .unwrap();
    let now = bmsdesk_core::clock::now();
    // A target the server sent as null is unknown to the client.
    let breached = open
        .iter()
        .filter(|r| r.resolution_target_time.is_some_and(|t| t < now))
        .count();
    // Targets are in business time: "soon" is within 4 business hours, whatever the hour.
    let soon = open
        .iter()
        .filter(|r| {
            r.resolution_target_time
                .is_some_and(|t| t >= now && sim::tenant::business_minutes(now, t) < 4 * 60)
        })
        .count();
    let paused = open
        .iter()
        .filter(|r| r.is_sla_paused == Some(true))
        .count();
    assert!(
        breached > 0 && soon > 0 && paused > 0,
        "{breached} {soon} {paused}"
    );
    assert!(open.iter().all(|r| r.completed_date.is_none()));
}

#[tokio::test]
async fn repeated_searches_see_writes_at_once() {
    let h = start(small()).await;
    let c = client(&h);
    let token = raw_token(&h).await;
    let filter = TicketFilter {
        title: Some("scanner jammed".into()),
        ..Default::default()
    };
    let count = || async {
        c.search_tickets_page(&filter, 1, 50)
            .await
            .unwrap()
            .total
            .unwrap()
    };
    assert_eq!(count().await, 0);
    let body = h.state().read(create_body);
    let (status, v) = raw_json(
        &h,
        &token,
        Method::POST,
        "/v2/servicedesk/tickets",
        Some(body),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(count().await, 1);
    let id = v["result"]["id"].as_i64().unwrap();
    c.patch_ticket(id, &[PatchOp::replace("Title", json!("Something else"))])
        .await
        .unwrap();
    assert_eq!(count().await, 0);
    c.patch_ticket(
        id,
        &[PatchOp::replace("Title", json!("Scanner jammed again"))],
    )
    .await
    .unwrap();
    assert_eq!(count().await, 1);
    c.delete_ticket(id).await.unwrap();
    assert_eq!(count().await, 0);
}

#[tokio::test]
async fn garbage_input_is_a_400_never_a_crash() {
    let h = start(small()).await;
    let token = raw_token(&h).await;
    let id = h.state().read(|t| t.tickets[0].id);
    let note_id = h.state().notes(id).first().map_or(1, |n| n.id);
    let mut far = h.state().read(create_body);
    far["OpenDate"] = json!("9999-12-31T23:59:59");
    let bodies = [
        json!(null),
        json!("text"),
        json!(42),
        json!([{"op": "replace"}]),
        json!([{"op": 1, "path": 2}]),
        json!({"Title": {"nested": true}, "AccountId": [1], "OpenDate": "soon"}),
        json!({"PageSize": -1, "PageNumber": "x", "Filter": {"AccountIds": "1,a"}}),
        json!({"Filter": {"CreatedOnFrom": "99999-01-01"}}),
        json!({"StartDate": "2025-13-45", "StartTime": "25:61", "EndTime": 3}),
        far,
    ];
    let paths = [
        (Method::POST, "/v2/servicedesk/tickets".to_string()),
        (Method::POST, "/v2/servicedesk/tickets/search".to_string()),
        (Method::PUT, format!("/v2/servicedesk/tickets/{id}")),
        (Method::PATCH, format!("/v2/servicedesk/tickets/{id}")),
        (
            Method::POST,
            format!("/v2/servicedesk/tickets/{id}/assignticket"),
        ),
        (Method::POST, format!("/v2/servicedesk/tickets/{id}/notes")),
        (
            Method::PUT,
            format!("/v2/servicedesk/tickets/{id}/notes/{note_id}"),
        ),
        (
            Method::POST,
            format!("/v2/servicedesk/tickets/{id}/timelogs"),
        ),
    ];
    for (method, path) in &paths {
        for body in &bodies {
            let (status, v) = raw_json(&h, &token, method.clone(), path, Some(body.clone())).await;
            assert!(
                status == 400 || status == 200,
                "{method} {path} {body} -> {status} {v}"
            );
            if status == 400 {
                assert_eq!(v["success"], false, "{v}");
                assert!(!message(&v).is_empty());
            }
        }
        // Not JSON at all.
        let resp = reqwest::Client::new()
            .request(method.clone(), format!("{}{}", h.base_url(), path))
            .bearer_auth(&token)
            .header(sim::NO_CHECK_HEADER, "a body that is not JSON, on purpose")
            .header("Content-Type", "application/json")
            .body("{\"Title\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 400, "{method} {path}");
    }
    let (status, v) = raw_json(
        &h,
        &token,
        Method::GET,
        "/v2/servicedesk/tickets?PageSize=abc&Filter.OpenDateTo=9999-12-31",
        None,
    )
    .await;
    assert_eq!(status, 400, "{v}");
    // The server is still serving.
    let (status, _) = raw_json(
        &h,
        &token,
        Method::GET,
        &format!("/v2/servicedesk/tickets/{id}"),
        None,
    )
    .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_server_capping_the_page_size_still_yields_every_ticket() {
    let h = start(SimConfig {
        tickets: 2500,
        max_page_size: 1000,
        ..small()
    })
    .await;
    let mut o = options(&h, sim::DEMO_USER);
    o.page_size = 2000;
    let c = bmsdesk_bms::Client::new(o).unwrap();
    let rows = c.search_tickets(&TicketFilter::default()).await.unwrap();
    let ids: HashSet<i64> = rows.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), 2500, "rows lost to the server's page-size cap");
    assert_eq!(rows.len(), 2500);
}
