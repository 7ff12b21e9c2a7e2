//! Notes, note templates and time logs through the real client.

use crate::common;

use std::collections::HashSet;

use bmsdesk_core::error::ApiError;
use bmsdesk_core::model::{NoteInput, TimeLogInput};
use bmsdesk_sim as sim;
use chrono::NaiveDate;
use common::*;
use reqwest::Method;
use serde_json::{Value, json};

fn note(details: &str, internal: bool) -> NoteInput {
    NoteInput {
        details: details.into(),
        is_internal: internal,
        type_id: 1,
        note_date: bmsdesk_core::clock::now(),
        status_id: None,
    }
}

/// A ticket that has generated notes (worked and completed).
fn worked_ticket(h: &sim::SimHandle) -> i64 {
    h.state().read(|t| {
        t.tickets
            .iter()
            .find(|r| r.completed.is_some() && t.notes_of(r).len() >= 3)
            .map(|r| r.id)
            .unwrap()
    })
}

#[tokio::test]
async fn generated_notes_match_the_tenant_and_mix_internal_and_external() {
    let h = start(small()).await;
    let c = client(&h);
    let id = worked_ticket(&h);
    let notes = c.notes(id).await.unwrap();
    let sent: Vec<_> = h
        .state()
        .notes(id)
        .into_iter()
        .map(|n| sent_note(&h, n))
        .collect();
    assert_eq!(notes, sent);
    assert!(notes.len() >= 3);
    assert!(notes.iter().all(|n| n.id > 0 && !n.details.is_empty()));
    assert!(
        notes
            .iter()
            .all(|n| n.created_by_name.is_some() && n.type_name.is_some())
    );
    assert!(notes.windows(2).all(|w| w[0].created_on <= w[1].created_on));
    // Over the tenant both kinds exist, and the HTML has markup and entities.
    let all: Vec<_> = h.state().read(|t| {
        t.tickets
            .iter()
            .take(120)
            .flat_map(|r| t.notes_of(r))
            .collect()
    });
    assert!(all.iter().any(|n| n.is_internal));
    assert!(all.iter().any(|n| !n.is_internal));
    assert!(all.iter().any(|n| n.details.contains("&amp;")));
    assert!(all.iter().any(|n| n.details.contains("<li>")));
    let one = c.note(id, notes[1].id).await.unwrap();
    assert_eq!(one, notes[1]);
}

#[tokio::test]
async fn add_update_delete_a_note() {
    let h = start(small()).await;
    let c = client(&h);
    let id = worked_ticket(&h);
    let before = h.state().note_count(id);

    let added = c
        .add_note(id, &note("<p>Rebooted the router &amp; tested</p>", true))
        .await
        .unwrap();
    assert!(added.id > 0);
    assert_eq!(added.is_internal, Some(true));
    assert_eq!(added.type_name.as_deref(), Some("General"));
    assert_eq!(
        added.created_by_name.as_deref(),
        Some(sim::DEMO_USER_FULL_NAME)
    );
    assert_eq!(added.created_by_email.as_deref(), Some(sim::DEMO_USER));
    assert_eq!(h.state().note_count(id), before + 1);
    assert!(c.notes(id).await.unwrap().contains(&added));

    let mut edit = note("<p>Rebooted twice</p>", false);
    edit.type_id = 3;
    let updated = c.update_note(id, added.id, &edit).await.unwrap();
    assert_eq!(updated.id, added.id);
    assert_eq!(updated.details, "<p>Rebooted twice</p>");
    assert_eq!(updated.is_internal, Some(false));
    assert_eq!(updated.type_name.as_deref(), Some("Phone Call"));

    c.delete_note(id, added.id).await.unwrap();
    assert_eq!(h.state().note_count(id), before);
    let err = c.note(id, added.id).await.unwrap_err();
    assert!(matches!(err, ApiError::NotFound(_)), "{err:?}");
    let err = c.delete_note(id, added.id).await.unwrap_err();
    assert!(matches!(err, ApiError::NotFound(_)), "{err:?}");
    let err = c.add_note(77, &note("x", true)).await.unwrap_err();
    assert!(matches!(err, ApiError::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn a_note_with_a_status_moves_the_ticket() {
    let h = start(small()).await;
    let c = client(&h);
    let (id, waiting) = h.state().read(|t| {
        let r = t
            .tickets
            .iter()
            .find(|r| r.completed.is_none() && r.paused_since.is_none())
            .unwrap();
        (r.id, t.refs.status_id("Waiting Customer"))
    });
    let mut n = note("<p>Asked the customer to test</p>", false);
    n.status_id = Some(waiting);
    c.add_note(id, &n).await.unwrap();
    let t = c.ticket(id).await.unwrap();
    assert_eq!(t.row.status_name.as_deref(), Some("Waiting Customer"));
    assert_eq!(t.row.is_sla_paused, Some(true));
    assert!(t.row.first_response_actual_time.is_some());
}

#[tokio::test]
async fn notes_are_paged_without_a_total() {
    let h = start(small()).await;
    let id = worked_ticket(&h);
    let mut o = options(&h, sim::DEMO_USER);
    o.page_size = 2;
    let c = bmsdesk_bms::Client::new(o).unwrap();
    for i in 0..5 {
        c.add_note(id, &note(&format!("<p>n{i}</p>"), true))
            .await
            .unwrap();
    }
    let notes = c.notes(id).await.unwrap();
    assert_eq!(notes.len(), h.state().note_count(id));
    let ids: HashSet<i64> = notes.iter().map(|n| n.id).collect();
    assert_eq!(ids.len(), notes.len());
    assert!(
        h.state()
            .stats()
            .count("GET /v2/servicedesk/tickets/{id}/notes")
            >= 4
    );
    let token = raw_token(&h).await;
    let (status, v) = raw_json(
        &h,
        &token,
        Method::GET,
        &format!("/v2/servicedesk/tickets/{id}/notes?PageSize=2&PageNumber=1"),
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(v["result"].as_array().unwrap().len(), 2);
    assert!(v.get("totalRecords").is_none());
}

#[tokio::test]
async fn note_validation_names_the_field() {
    let h = start(small()).await;
    let token = raw_token(&h).await;
    let id = worked_ticket(&h);
    let path = format!("/v2/servicedesk/tickets/{id}/notes");
    let full =
        json!({"Details": "x", "IsInternal": true, "TypeId": 1, "NoteDate": "2025-01-15T12:00:00"});
    for (drop, expect) in [
        ("Details", "Details is required"),
        ("IsInternal", "IsInternal is required"),
        ("TypeId", "TypeId is required"),
        ("NoteDate", "NoteDate is required"),
    ] {
        let mut b = full.clone();
        b.as_object_mut().unwrap().remove(drop);
        let (status, v) = raw_json(&h, &token, Method::POST, &path, Some(b)).await;
        assert_eq!(status, 400, "{v}");
        assert_eq!(message(&v), expect);
    }
    let mut b = full.clone();
    b["TypeId"] = json!(999);
    let (status, v) = raw_json(&h, &token, Method::POST, &path, Some(b)).await;
    assert_eq!(status, 400);
    assert!(message(&v).contains("Note type 999"));
    // Type 0 means nothing special: this tenant has no type 0, so it is refused like 999.
    let mut b = full.clone();
    b["TypeId"] = json!(0);
    let (status, v) = raw_json(&h, &token, Method::POST, &path, Some(b)).await;
    assert_eq!(status, 400, "{v}");
    assert!(message(&v).contains("Note type 0"), "{v}");
    // Lower-case keys bind too.
    let b = json!({"details": "x", "isInternal": "true", "typeId": 1, "noteDate": "2025-01-15"});
    let (status, v) = raw_json(&h, &token, Method::POST, &path, Some(b)).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["result"]["typeName"], "General");
    let (status, _) = raw_json(
        &h,
        &token,
        Method::POST,
        &path,
        Some(Value::String("{".into())),
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn note_template_is_rendered_for_the_ticket() {
    let h = start(small()).await;
    let c = client(&h);
    let templates = c.note_templates().await.unwrap();
    assert!(templates.len() >= 3);
    let ack = templates.iter().find(|t| t.name == "Acknowledge").unwrap();
    assert_eq!(ack.is_internal, Some(false));
    assert!(ack.status_id.is_some());
    let (id, number, first) = h.state().read(|t| {
        let r = t.tickets.iter().find(|r| r.contact_id.is_some()).unwrap();
        let c = t.contact(r.contact_id.unwrap()).unwrap();
        (r.id, r.number.to_string(), c.first.to_string())
    });
    let body = c.note_template_body(ack.id, id).await.unwrap();
    assert!(body.contains(&number), "{body}");
    assert!(body.contains(&format!("Hi {first}")), "{body}");
    assert!(body.contains(sim::DEMO_USER_FULL_NAME), "{body}");
    assert!(!body.contains("{{"), "{body}");
    let err = c.note_template_body(1, id).await.unwrap_err();
    assert!(matches!(err, ApiError::NotFound(_)), "{err:?}");
    let err = c.note_template_body(ack.id, 1).await.unwrap_err();
    assert!(matches!(err, ApiError::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn time_logs_list_and_add() {
    let h = start(small()).await;
    let c = client(&h);
    let id = h.state().read(|t| {
        t.tickets
            .iter()
            .find(|r| !t.timelogs_of(r).is_empty())
            .unwrap()
            .id
    });
    let logs = c.time_logs(id).await.unwrap();
    let sent: Vec<_> = h
        .state()
        .time_logs(id)
        .into_iter()
        .map(|l| sent_time_log(&h, l))
        .collect();
    assert_eq!(logs, sent);
    assert!(logs.iter().all(|l| l.employee_name.is_some()
        && l.work_type_name.is_some()
        && l.role_name.is_some()
        && l.timespent.unwrap() > 0.0));

    let templates = c.timelog_templates().await.unwrap();
    let quick = &templates[0];
    let input = TimeLogInput {
        start_date: NaiveDate::from_ymd_opt(2025, 1, 15).unwrap(),
        start_time: "13:45:00".into(),
        end_time: "14:15:00".into(),
        work_type_id: quick.work_type_id.unwrap(),
        role_id: quick.role_id.unwrap(),
        timespent: None,
        notes: Some("Fixed it".into()),
        internal_notes: None,
        user_id: None,
        status_id: None,
    };
    let added = c.add_time_log(id, &input).await.unwrap();
    assert!(added.id > 0);
    assert_eq!(added.timespent, Some(0.5));
    assert_eq!(added.start_time.as_deref(), Some("13:45:00"));
    assert_eq!(
        added.employee_name.as_deref(),
        Some(sim::DEMO_USER_FULL_NAME)
    );
    assert_eq!(c.time_logs(id).await.unwrap().len(), logs.len() + 1);
    let total = c.ticket(id).await.unwrap().total_time_spent.unwrap();
    let expect: f64 = logs.iter().map(|l| l.timespent.unwrap()).sum::<f64>() + 0.5;
    assert!((total - expect).abs() < 1e-9, "{total} vs {expect}");

    let token = raw_token(&h).await;
    let path = format!("/v2/servicedesk/tickets/{id}/timelogs");
    let good = json!({"StartDate": "2025-01-15", "StartTime": "09:00:00", "EndTime": "10:00:00",
                      "WorkTypeId": input.work_type_id, "RoleId": input.role_id});
    let mut b = good.clone();
    b.as_object_mut().unwrap().remove("RoleId");
    let (status, v) = raw_json(&h, &token, Method::POST, &path, Some(b)).await;
    assert_eq!((status, message(&v).as_str()), (400, "RoleId is required"));
    let mut b = good.clone();
    b["EndTime"] = json!("08:00:00");
    let (status, v) = raw_json(&h, &token, Method::POST, &path, Some(b)).await;
    assert_eq!(status, 400);
    assert!(message(&v).contains("EndTime"));
    let mut b = good.clone();
    b["StartTime"] = json!("9 o'clock");
    let (status, v) = raw_json(&h, &token, Method::POST, &path, Some(b)).await;
    assert_eq!(status, 400);
    assert!(message(&v).contains("StartTime"));
    let (status, v) = raw_json(&h, &token, Method::POST, &path, Some(good)).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["result"]["timespent"], 1.0);
}
