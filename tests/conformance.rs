//! Conformance to the spec (`tests/data/bms-openapi.json`): the checker in `tests/spec` on
//! hand-made exchanges (it catches what it should, and lets through what the spec allows),
//! then the real client through every operation it has against a recording simulator, each
//! request and reply checked. (Every other test that starts a simulator through
//! `tests/common` or `tests/cli_support` is checked the same way when its simulator goes;
//! this test makes sure each operation is covered at least once, whatever the others do.)

use crate::common;

use std::collections::BTreeSet;

use bmsdesk_bms::client::Client;
use bmsdesk_core::model::{AssignInput, NoteInput, PatchOp, TicketFilter, TimeLogInput};
use bmsdesk_core::{draft::TicketDraft, lookups::LookupKind, secret::Secret};
use bmsdesk_sim::{self as sim, Exchange};
use chrono::NaiveDate;
use common::spec::{self, Report, Side};
use common::*;
use serde_json::{Value, json};

fn exchange(method: &str, path: &str, query: Option<&str>, status: u16, reply: Value) -> Exchange {
    Exchange {
        method: method.into(),
        path: path.into(),
        query: query.map(str::to_string),
        request_content_type: None,
        request_body: Vec::new(),
        status,
        reply_content_type: Some("application/json; charset=utf-8".into()),
        reply_body: if reply.is_null() {
            Vec::new()
        } else {
            reply.to_string().into_bytes()
        },
        injected: None,
        no_check: None,
        truncated: false,
    }
}

fn with_body(mut ex: Exchange, content_type: &str, body: &str) -> Exchange {
    ex.request_content_type = Some(content_type.into());
    ex.request_body = body.as_bytes().to_vec();
    ex
}

/// The keys of the divergences the checker finds in `ex`.
fn found(ex: &Exchange) -> Vec<String> {
    spec::spec().check(ex).iter().map(|d| d.key()).collect()
}

fn priority_reply(row: Value) -> Value {
    json!({"success": true, "error": null, "result": [row]})
}

#[test]
fn the_spec_uses_only_what_the_checker_understands() {
    // A spec update that brings composition keywords must teach the checker first.
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/bms-openapi.json"
    ))
    .unwrap();
    for kw in [
        "\"allOf\"",
        "\"oneOf\"",
        "\"anyOf\"",
        "\"not\"",
        "\"discriminator\"",
    ] {
        assert!(!text.contains(kw), "the spec now uses {kw}");
    }
    assert!(spec::spec().ops.len() > 400, "{}", spec::spec().ops.len());
}

#[test]
fn checker_accepts_a_conforming_reply_in_either_casing_with_nulls_where_nullable() {
    let camel = priority_reply(json!({"id": 3, "name": null, "isDefault": true}));
    let pascal = json!({"Success": true, "Error": null, "Result": [{"Id": 3, "Name": "Low", "IsDefault": false}]});
    for body in [camel, pascal] {
        let ex = exchange("GET", "/v2/system/priorities/lookup", None, 200, body);
        assert_eq!(found(&ex), Vec::<String>::new());
    }
}

#[test]
fn checker_knows_the_servers_camel_case() {
    use spec::schema::camel_case;
    for (pascal, camel) in [
        ("SLAId", "slaId"),
        ("IsSLAPaused", "isSLAPaused"),
        ("MFACode", "mfaCode"),
        ("ID", "id"),
        ("TicketNumber", "ticketNumber"),
        ("ticketNumber", "ticketNumber"),
        ("", ""),
    ] {
        assert_eq!(camel_case(pascal), camel, "{pascal}");
    }
    // In a reply, a key in some third spelling is a divergence (a client that reads the
    // server's camelCase would miss it); in a request the server binds any casing.
    let ex = exchange(
        "GET",
        "/v2/servicedesk/tickets/5",
        None,
        200,
        json!({"success": true, "result": {"id": 5, "isSlaPaused": 1, "TicketNumber": "T1"}}),
    );
    assert_eq!(
        found(&ex),
        vec![
            "GET /v2/servicedesk/tickets/{ticketId} reply $.result.isSlaPaused: spelled neither IsSLAPaused nor isSLAPaused"
        ]
    );
}

#[test]
fn checker_catches_extra_fields_wrong_types_and_nulls_the_spec_forbids() {
    let ex = exchange(
        "GET",
        "/v2/system/priorities/lookup",
        None,
        200,
        priority_reply(json!({"id": 3.5, "name": 7, "isDefault": null, "colour": "red"})),
    );
    let got = found(&ex);
    let e = "GET /v2/system/priorities/lookup reply";
    for want in [
        format!("{e} $.result[].id: number where the schema says integer"),
        format!("{e} $.result[].name: integer where the schema says string"),
        format!("{e} $.result[].isDefault: null where the schema is not nullable"),
        format!("{e} $.result[].colour: field not in the schema"),
    ] {
        assert!(got.contains(&want), "{want}\nnot in {got:#?}");
    }
    assert_eq!(got.len(), 4, "{got:#?}");
    // int32 is a range, not only a type.
    let ex = exchange(
        "GET",
        "/v2/system/priorities/lookup",
        None,
        200,
        priority_reply(json!({"id": 3_000_000_000u64})),
    );
    assert_eq!(
        found(&ex),
        vec![format!("{e} $.result[].id: outside int32")]
    );
}

#[test]
fn checker_reads_dates_naive_or_with_an_offset_and_nothing_else() {
    let ticket = |open: &str| {
        exchange(
            "GET",
            "/v2/servicedesk/tickets/5",
            None,
            200,
            json!({"success": true, "result": {"id": 5, "openDate": open}}),
        )
    };
    for ok in [
        "2025-01-15T14:00:00",
        "2025-01-15T14:00:00.1234567",
        "2025-01-15T14:00:00Z",
        "2025-01-15T15:00:00+01:00",
    ] {
        assert_eq!(found(&ticket(ok)), Vec::<String>::new(), "{ok}");
    }
    for bad in ["15/01/2025 14:00", "2025-01-15", "yesterday"] {
        assert_eq!(
            found(&ticket(bad)),
            vec!["GET /v2/servicedesk/tickets/{ticketId} reply $.result.openDate: not a date-time"],
            "{bad}"
        );
    }
}

#[test]
fn checker_wants_an_empty_body_where_the_spec_documents_none() {
    let del = |body: Value| exchange("DELETE", "/v2/servicedesk/tickets/5", None, 200, body);
    assert_eq!(found(&del(Value::Null)), Vec::<String>::new());
    assert_eq!(
        found(&del(json!({"success": true, "result": null}))),
        vec![
            "DELETE /v2/servicedesk/tickets/{ticketId} reply body: body where the spec documents none"
        ]
    );
}

#[test]
fn checker_takes_error_statuses_as_the_error_envelope() {
    let missing = exchange(
        "GET",
        "/v2/servicedesk/tickets/5",
        None,
        404,
        json!({"success": false, "error": {"code": 404, "message": "no ticket 5"}, "result": null}),
    );
    assert_eq!(found(&missing), Vec::<String>::new());
    let odd = exchange(
        "GET",
        "/v2/servicedesk/tickets/5",
        None,
        404,
        json!({"message": "no"}),
    );
    let got = found(&odd);
    assert!(
        got.iter()
            .any(|k| k.ends_with("$.message: field not in the schema")),
        "{got:#?}"
    );
    // A success status the spec does not list is a divergence.
    let created = exchange("POST", "/v2/servicedesk/tickets", None, 201, json!({}));
    assert!(found(&created).contains(
        &"POST /v2/servicedesk/tickets reply status: status 201 not documented".to_string()
    ));
}

#[test]
fn checker_checks_paths_query_parameters_and_request_bodies() {
    let ok = priority_reply(json!({"id": 1}));
    assert_eq!(
        found(&exchange(
            "GET",
            "/v2/system/nothing/here",
            None,
            404,
            Value::Null
        )),
        vec!["GET /v2/system/nothing/here request path: path not in the spec"]
    );
    assert_eq!(
        found(&exchange(
            "DELETE",
            "/v2/system/priorities/lookup",
            None,
            200,
            ok.clone()
        )),
        vec![
            "DELETE /v2/system/priorities/lookup request path: method not documented for this path"
        ]
    );
    // `/tickets/search` is its own template, not `/tickets/{ticketId}`.
    let search = with_body(
        exchange(
            "POST",
            "/v2/servicedesk/tickets/search",
            None,
            200,
            json!({"success": true, "result": [], "totalRecords": 0}),
        ),
        "application/json",
        r#"{"PageSize": 50, "PageNumber": 1, "Filter": {"ExcludeCompleted": 1, "StatusNames": "New"}}"#,
    );
    assert_eq!(found(&search), Vec::<String>::new());
    let bad_filter = with_body(
        search.clone(),
        "application/json",
        r#"{"pageSize": "50", "Filter": {"StatusName": "New"}}"#,
    );
    let got = found(&bad_filter);
    let e = "POST /v2/servicedesk/tickets/search request";
    assert!(
        got.contains(&format!(
            "{e} $.pageSize: string where the schema says integer"
        )),
        "{got:#?}"
    );
    assert!(
        got.contains(&format!("{e} $.Filter.StatusName: field not in the schema")),
        "{got:#?}"
    );
    // Query names bind in any case, but the value must have the parameter's type and the
    // name must exist.
    let contacts = |q: &str| {
        exchange(
            "GET",
            "/v2/crm/accounts/7/contacts/lookup",
            Some(q),
            200,
            json!({"success": true, "result": []}),
        )
    };
    assert_eq!(
        found(&contacts("Filter.Name=Ann&PageSize=100&PageNumber=1")),
        Vec::<String>::new()
    );
    let got = found(&contacts("pagesize=ten&Colour=red"));
    let e = "GET /v2/crm/accounts/{accountId}/contacts/lookup request";
    assert!(
        got.contains(&format!("{e} query.pagesize: not an integer")),
        "{got:#?}"
    );
    assert!(
        got.contains(&format!("{e} query.Colour: query parameter not documented")),
        "{got:#?}"
    );
    assert!(
        got.contains(&format!(
            "{e} query.pagesize: spelled differently from PageSize"
        )),
        "{got:#?}"
    );
    let got = found(&exchange(
        "GET",
        "/v2/crm/accounts/x/contacts/lookup",
        None,
        200,
        json!({"success": true, "result": []}),
    ));
    assert_eq!(got, vec![format!("{e} path.accountId: not an integer")]);
    // A note without its required fields, and a body the operation does not take.
    let note = with_body(
        exchange(
            "POST",
            "/v2/servicedesk/tickets/5/notes",
            None,
            200,
            json!({"success": true, "result": {"id": 9}}),
        ),
        "application/json",
        r#"{"Details": "", "IsInternal": true}"#,
    );
    let got = found(&note);
    let e = "POST /v2/servicedesk/tickets/{ticketId}/notes request";
    assert!(
        got.contains(&format!("{e} $.Details: shorter than minLength 1")),
        "{got:#?}"
    );
    assert!(
        got.contains(&format!("{e} $.TypeId: required field missing")),
        "{got:#?}"
    );
    assert!(
        got.contains(&format!("{e} $.NoteDate: required field missing")),
        "{got:#?}"
    );
    let get_with_body = with_body(
        exchange(
            "GET",
            "/v2/servicedesk/tickets/5",
            None,
            200,
            json!({"success": true, "result": null}),
        ),
        "application/json",
        "{}",
    );
    assert_eq!(
        found(&get_with_body),
        vec![
            "GET /v2/servicedesk/tickets/{ticketId} request body: body sent to an operation that takes none"
        ]
    );
}

#[test]
fn the_sign_in_form_is_the_one_deliberate_divergence_and_its_fields_are_still_checked() {
    let sign_in = |body: &str| {
        with_body(
            exchange(
                "POST",
                "/v2/security/authenticate",
                None,
                200,
                json!({"success": true, "result": {"accessToken": "a", "refreshToken": "r", "accessTokenExpireOn": "2025-01-15T14:00:00"}}),
            ),
            "application/x-www-form-urlencoded",
            body,
        )
    };
    let ok = sign_in("GrantType=password&UserName=u&Password=p&Tenant=Demo+MSP");
    let all = spec::spec().check(&ok);
    assert_eq!(all.len(), 1, "{all:#?}");
    assert!(spec::divergences::explain(&all[0]).is_some(), "{all:#?}");
    assert_eq!(Report::of(&[ok]).unexplained.len(), 0);
    // Without GrantType, or with a field the form does not have: not explained.
    let bad = sign_in("UserName=u&Password=p&Colour=red");
    let r = Report::of(&[bad]);
    let keys: Vec<&String> = r.unexplained.keys().collect();
    assert_eq!(
        keys,
        vec![
            "POST /v2/security/authenticate request $.Colour: field not in the schema",
            "POST /v2/security/authenticate request $.GrantType: required field missing",
        ]
    );
    // Skipped on purpose: injected faults and a test's raw requests.
    let mut injected = sign_in("x=1");
    injected.injected = Some("fault: dropped".into());
    let mut raw = sign_in("x=1");
    raw.no_check = Some("a test's own".into());
    let r = Report::of(&[injected, raw]);
    assert_eq!((r.checked, r.skipped, r.unexplained.len()), (0, 2, 0));
    assert!(
        spec::divergences::DELIBERATE
            .iter()
            .all(|k| k.side == Side::Request)
    );
}

fn filter() -> TicketFilter {
    TicketFilter::default()
}

/// The endpoints a full session of the client covers (each must appear in the recording).
const ENDPOINTS: &[&str] = &[
    "POST /v2/security/authenticate",
    "POST /v2/security/refreshtoken",
    "GET /v2/security/userinfo",
    "POST /v2/servicedesk/tickets/search",
    "GET /v2/servicedesk/tickets/{ticketId}",
    "POST /v2/servicedesk/tickets",
    "PATCH /v2/servicedesk/tickets/{ticketId}",
    "POST /v2/servicedesk/tickets/{ticketId}/assignticket",
    "DELETE /v2/servicedesk/tickets/{ticketId}",
    "GET /v2/servicedesk/tickets/{ticketId}/slainfo",
    "GET /v2/servicedesk/tickets/{ticketId}/notes",
    "POST /v2/servicedesk/tickets/{ticketId}/notes",
    "GET /v2/servicedesk/tickets/{ticketId}/notes/{noteId}",
    "PUT /v2/servicedesk/tickets/{ticketId}/notes/{noteId}",
    "DELETE /v2/servicedesk/tickets/{ticketId}/notes/{noteId}",
    "GET /v2/servicedesk/tickets/{ticketId}/timelogs",
    "POST /v2/servicedesk/tickets/{ticketId}/timelogs",
    "GET /v2/crm/accounts/lookup",
    "GET /v2/crm/accounts/{accountId}/locations/lookup",
    "GET /v2/crm/accounts/{accountId}/contacts/lookup",
    "GET /v2/system/statuses/lookup",
    "GET /v2/system/priorities/lookup",
    "GET /v2/system/queues/lookup",
    "GET /v2/system/issuetypes/lookup",
    "GET /v2/system/worktypes/lookup",
    "GET /v2/system/roles/lookup",
    "GET /v2/system/lookup/{tableName}",
    "GET /v2/hr/assignees/lookup",
    "GET /v2/hr/employees/lookup",
    "GET /v2/servicedesk/templates/tickets/lookup",
    "GET /v2/servicedesk/templates/tickets/{templateId}",
    "GET /v2/servicedesk/templates/notes/lookup",
    "GET /v2/servicedesk/templates/notes/{templateId}/{ticketId}",
    "GET /v2/servicedesk/templates/timelogs/lookup",
];

#[tokio::test]
async fn every_operation_of_the_client_conforms() {
    let h = start(small()).await;
    let st = h.state().clone();
    let c = client(&h);

    // Sign-in with a password, then with MFA; refresh once the access token is gone.
    c.login().await.unwrap();
    let mut mfa = options(&h, sim::MFA_USER);
    if let Some(cr) = mfa.credentials.as_mut() {
        cr.username = sim::MFA_USER.into();
        cr.mfa_code = Some(Secret::new(sim::MFA_CODE));
    }
    let mfa = Client::new(mfa).unwrap();
    mfa.login().await.unwrap();
    c.user_info().await.unwrap();
    st.expire_access_tokens();
    c.user_info().await.unwrap();

    // Every lookup the client has.
    for kind in LookupKind::ALL {
        c.lookup(kind).await.unwrap();
    }
    let accounts = c.accounts().await.unwrap();
    let account = accounts[0].id;
    let locations = c.locations(account).await.unwrap();
    c.contacts(account, None).await.unwrap();
    c.contacts(account, Some("a")).await.unwrap();

    // Searches with each filter kind the client sends.
    let (worked, contact, status, queue, priority, kind) = st.read(|t| {
        let r = t
            .tickets
            .iter()
            .find(|r| r.completed.is_some() && t.notes_of(r).len() >= 2)
            .unwrap();
        let with_contact = t.tickets.iter().find_map(|r| r.contact_id).unwrap();
        (
            r.id,
            with_contact,
            t.refs.status_id("New"),
            t.refs.queue_id("Help Desk"),
            t.refs.priority_id("Low"),
            t.refs.ticket_type_id("Incident"),
        )
    });
    let row = c.ticket(worked).await.unwrap().row;
    let now = bmsdesk_core::clock::now();
    let searches = [
        filter(),
        TicketFilter {
            exclude_completed: 1,
            ..filter()
        },
        TicketFilter {
            title: Some("printer".into()),
            ..filter()
        },
        TicketFilter {
            ticket_number: Some(row.ticket_number.to_string()),
            ..filter()
        },
        TicketFilter {
            account: row.account_name.as_deref().map(str::to_string),
            ..filter()
        },
        TicketFilter {
            account_ids: Some(account.to_string()),
            ..filter()
        },
        TicketFilter {
            assignee_name: Some("a".into()),
            ..filter()
        },
        TicketFilter {
            status_names: Some("New,In Progress".into()),
            ..filter()
        },
        TicketFilter {
            queue_names: Some("Help Desk".into()),
            ..filter()
        },
        TicketFilter {
            priority_names: Some("High".into()),
            ..filter()
        },
        TicketFilter {
            ticket_type_names: Some("Incident".into()),
            ..filter()
        },
        TicketFilter {
            details: Some("server".into()),
            ..filter()
        },
        TicketFilter {
            contact_id: Some(contact),
            ..filter()
        },
        TicketFilter {
            last_activity_update_from: Some(now - chrono::Duration::days(3)),
            ..filter()
        },
        TicketFilter {
            created_on_from: Some(now - chrono::Duration::days(30)),
            created_on_to: Some(now),
            ..filter()
        },
    ];
    for f in &searches {
        c.search_tickets(f).await.unwrap();
    }
    c.sla_info(worked).await.unwrap();

    // Notes: list, one, add, update, delete.
    let notes = c.notes(worked).await.unwrap();
    c.note(worked, notes[0].id).await.unwrap();
    let input = NoteInput {
        details: "<p>Called back</p>".into(),
        is_internal: true,
        type_id: 1,
        note_date: now,
        status_id: None,
    };
    let added = c.add_note(worked, &input).await.unwrap();
    let edited = NoteInput {
        details: "<p>Called back twice</p>".into(),
        status_id: Some(status),
        ..input.clone()
    };
    c.update_note(worked, added.id, &edited).await.unwrap();
    c.delete_note(worked, added.id).await.unwrap();

    // Templates, and time logs from a time-log template.
    let tickets_t = c.ticket_templates().await.unwrap();
    let template = c.ticket_template(tickets_t[0].id).await.unwrap();
    let note_t = c.note_templates().await.unwrap();
    c.note_template_body(note_t[0].id, worked).await.unwrap();
    let time_t = c.timelog_templates().await.unwrap();
    let with_ids = time_t
        .iter()
        .find(|t| t.work_type_id.is_some() && t.role_id.is_some())
        .unwrap();
    c.time_logs(worked).await.unwrap();
    c.add_time_log(
        worked,
        &TimeLogInput {
            start_date: NaiveDate::from_ymd_opt(2025, 1, 15).unwrap(),
            start_time: "13:45:00".into(),
            end_time: "14:15:00".into(),
            work_type_id: with_ids.work_type_id.unwrap(),
            role_id: with_ids.role_id.unwrap(),
            timespent: Some(0.5),
            notes: Some("Fixed it".into()),
            internal_notes: Some("Cable".into()),
            user_id: Some(sim::DEMO_USER_ID),
            status_id: None,
        },
    )
    .await
    .unwrap();

    // A ticket's life: create (from the template), status change, assign, delete.
    let draft = TicketDraft::from_template(&template).overlay(&TicketDraft {
        title: Some("Conformance".into()),
        details: Some("<p>Checked against the spec</p>".into()),
        account_id: Some(account),
        location_id: Some(locations[0].id),
        contact_id: None,
        status_id: Some(status),
        priority_id: Some(priority),
        type_id: Some(kind),
        source_id: Some(0),
        queue_id: Some(queue),
        due_date: Some(now + chrono::Duration::days(2)),
        ..Default::default()
    });
    let created = c.create_ticket(&draft.validate().unwrap()).await.unwrap();
    let id = created.row.id;
    let in_progress = st.read(|t| t.refs.status_id("In Progress"));
    c.patch_ticket(id, &[PatchOp::replace("/StatusId", json!(in_progress))])
        .await
        .unwrap();
    c.assign_ticket(
        id,
        &AssignInput {
            details: "Taking it".into(),
            is_internal: true,
            type_id: 1,
            status_id: in_progress,
            note_date: now,
            assignee_id: Some(sim::DEMO_USER_ID),
            queue_id: Some(queue),
        },
    )
    .await
    .unwrap();
    c.delete_ticket(id).await.unwrap();

    let exchanges = st.take_exchanges();
    let report = Report::of(&exchanges);
    let covered: BTreeSet<&str> = report.endpoints.keys().map(String::as_str).collect();
    let missing: Vec<&&str> = ENDPOINTS
        .iter()
        .filter(|e| !covered.contains(**e))
        .collect();
    assert!(missing.is_empty(), "not exercised: {missing:#?}");
    assert_eq!(report.skipped, 0, "nothing was injected");
    report.assert_conforms();
    // Each deliberate divergence really occurs (else its entry is stale).
    for k in spec::divergences::DELIBERATE {
        let key = format!("{} {} {}: {}", k.endpoint, k.side, k.at, k.kind);
        assert!(
            report.explained.contains_key(&key),
            "{key} never happened: {:#?}",
            report.explained
        );
    }
}
