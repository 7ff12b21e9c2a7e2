//! What real servers do that a simulator built from the client's guesses never did, through
//! the real client: PascalCase replies, `null` in nullable fields, empty 200 bodies where the
//! spec documents none, replies with exactly the spec's fields, and tenants whose lookup
//! tables (note types, ticket types, sources) are absent or different.

use crate::common;

use std::collections::BTreeSet;

use bmsdesk_bms::client::Client;
use bmsdesk_core::model::{NoteInput, TicketFilter};
use bmsdesk_core::{error::ApiError, lookups::LookupKind};
use bmsdesk_sim::{self as sim, Named, SimConfig, SimHandle};
use common::*;
use reqwest::Method;
use serde_json::{Value, json};

fn spec() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/bms-openapi.json"
    ))
    .expect("the spec copy");
    serde_json::from_str(&text).expect("json")
}

/// The property names of the schema the spec gives `result` of `method path` (a path
/// template of the spec), and whether `result` is an array.
fn result_schema(spec: &Value, method: &str, path: &str) -> (BTreeSet<String>, bool) {
    let name = |r: &str| r.rsplit('/').next().unwrap_or_default().to_string();
    let content = &spec["paths"][path][method]["responses"]["200"]["content"];
    let env = content
        .as_object()
        .and_then(|c| c.values().next())
        .and_then(|c| c["schema"]["$ref"].as_str())
        .unwrap_or_else(|| panic!("{method} {path}: no documented body"));
    let result = &spec["components"]["schemas"][name(env)]["properties"]["Result"];
    let (r, array) = match result["$ref"].as_str() {
        Some(r) => (r, false),
        None => (result["items"]["$ref"].as_str().unwrap_or_default(), true),
    };
    let props = spec["components"]["schemas"][name(r)]["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .cloned()
        .collect();
    (props, array)
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

/// Every object key in `v`, at any depth.
fn all_keys(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                out.push(k.clone());
                all_keys(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| all_keys(v, out)),
        _ => {}
    }
}

async fn pascal_token(h: &SimHandle) -> String {
    let resp = reqwest::Client::new()
        .post(format!("{}/v2/security/authenticate", h.base_url()))
        .form(&[
            ("GrantType", "password"),
            ("UserName", sim::DEMO_USER),
            ("Password", sim::DEMO_PASSWORD),
            ("Tenant", sim::DEMO_TENANT),
        ])
        .send()
        .await
        .unwrap();
    let v: Value = resp.json().await.unwrap();
    v["Result"]["AccessToken"].as_str().unwrap().to_string()
}

fn worked_ticket(h: &SimHandle) -> i64 {
    h.state().read(|t| {
        t.tickets
            .iter()
            .find(|r| {
                r.completed.is_some() && t.notes_of(r).len() >= 3 && !t.timelogs_of(r).is_empty()
            })
            .map(|r| r.id)
            .expect("a worked ticket")
    })
}

/// Every reply of the PascalCase server is read as the camelCase one is: the same tenant
/// through both gives the same values everywhere the client reads.
#[tokio::test]
async fn a_pascal_case_server_reads_like_a_camel_case_one() {
    let camel = start(small()).await;
    let pascal = start(SimConfig {
        pascal_case: true,
        ..small()
    })
    .await;
    let (a, b) = (client(&camel), client(&pascal));
    let filter = TicketFilter::default();
    let rows_a = a.search_tickets(&filter).await.unwrap();
    let rows_b = b.search_tickets(&filter).await.unwrap();
    assert_eq!(rows_a.len(), 300);
    assert_eq!(rows_a, rows_b, "list");
    let id = worked_ticket(&camel);
    assert_eq!(a.ticket(id).await.unwrap(), b.ticket(id).await.unwrap());
    let notes = b.notes(id).await.unwrap();
    assert!(notes.len() >= 3);
    assert_eq!(a.notes(id).await.unwrap(), notes, "notes");
    let logs = b.time_logs(id).await.unwrap();
    assert!(!logs.is_empty());
    assert_eq!(a.time_logs(id).await.unwrap(), logs, "time logs");
    assert_eq!(a.sla_info(id).await.unwrap(), b.sla_info(id).await.unwrap());
    for kind in LookupKind::ALL {
        let items = b.lookup(kind).await.unwrap();
        assert!(!items.is_empty(), "{kind:?}");
        assert_eq!(a.lookup(kind).await.unwrap(), items, "{kind:?}");
    }
    let accounts = b.accounts().await.unwrap();
    assert_eq!(a.accounts().await.unwrap(), accounts);
    let acc = accounts[0].id;
    assert_eq!(
        a.locations(acc).await.unwrap(),
        b.locations(acc).await.unwrap()
    );
    assert_eq!(
        a.contacts(acc, None).await.unwrap(),
        b.contacts(acc, None).await.unwrap()
    );
    assert_eq!(a.user_info().await.unwrap(), b.user_info().await.unwrap());
    assert_eq!(
        a.ticket_templates().await.unwrap(),
        b.ticket_templates().await.unwrap()
    );
    // A write's reply too.
    let note = b
        .add_note(
            id,
            &NoteInput {
                details: "<p>pascal</p>".into(),
                is_internal: true,
                type_id: 1,
                note_date: bmsdesk_core::clock::now(),
                status_id: None,
            },
        )
        .await
        .unwrap();
    assert!(note.id > 0 && note.details.contains("pascal"));
    assert_eq!(note.is_internal, Some(true));

    // And on the wire every key, envelope and nested, starts with a capital.
    let token = pascal_token(&pascal).await;
    for path in [
        format!("/v2/servicedesk/tickets/{id}"),
        format!("/v2/servicedesk/tickets/{id}/notes"),
        "/v2/security/userinfo".to_string(),
        "/v2/servicedesk/tickets/999999999".to_string(),
    ] {
        let (_, v) = raw_json(&pascal, &token, Method::GET, &path, None).await;
        let mut ks = Vec::new();
        all_keys(&v, &mut ks);
        assert!(ks.len() > 3, "{path}: {v}");
        let lower: Vec<_> = ks
            .iter()
            .filter(|k| !k.starts_with(|c: char| c.is_ascii_uppercase()))
            .collect();
        assert!(lower.is_empty(), "{path}: {lower:?}");
    }
}

/// Each reply carries exactly its schema's properties (no `isDefault` on queues, no
/// `tenantName` on a single ticket...), spelt as the spec spells them (PascalCase mode), with
/// `TimeZoneValue` a number.
#[tokio::test]
async fn replies_carry_exactly_the_fields_of_their_schema() {
    let s = spec();
    let h = start(SimConfig {
        pascal_case: true,
        ..small()
    })
    .await;
    let token = pascal_token(&h).await;
    let id = worked_ticket(&h);
    let (account, template, note_template, log_template) = h.state().read(|t| {
        (
            t.accounts[0].id,
            t.refs.ticket_templates[0].id,
            t.refs.note_templates[0].id,
            t.refs.timelog_templates[0].id,
        )
    });
    let t = "/v2/servicedesk/tickets/{ticketId}";
    let gets: Vec<(String, String)> = vec![
        (
            "/v2/security/userinfo".into(),
            "/v2/security/userinfo".into(),
        ),
        (
            "/v2/crm/accounts/lookup".into(),
            "/v2/crm/accounts/lookup".into(),
        ),
        (
            format!("/v2/crm/accounts/{account}/locations/lookup"),
            "/v2/crm/accounts/{accountId}/locations/lookup".into(),
        ),
        (
            format!("/v2/crm/accounts/{account}/contacts/lookup"),
            "/v2/crm/accounts/{accountId}/contacts/lookup".into(),
        ),
        (
            "/v2/servicedesk/tickets?PageSize=5".into(),
            "/v2/servicedesk/tickets".into(),
        ),
        (format!("/v2/servicedesk/tickets/{id}"), t.into()),
        (
            format!("/v2/servicedesk/tickets/{id}/slainfo"),
            format!("{t}/slainfo"),
        ),
        (
            format!("/v2/servicedesk/tickets/{id}/notes"),
            format!("{t}/notes"),
        ),
        (
            format!("/v2/servicedesk/tickets/{id}/timelogs"),
            format!("{t}/timelogs"),
        ),
        (
            "/v2/system/statuses/lookup".into(),
            "/v2/system/statuses/lookup".into(),
        ),
        (
            "/v2/system/priorities/lookup".into(),
            "/v2/system/priorities/lookup".into(),
        ),
        (
            "/v2/system/queues/lookup".into(),
            "/v2/system/queues/lookup".into(),
        ),
        (
            "/v2/system/issuetypes/lookup".into(),
            "/v2/system/issuetypes/lookup".into(),
        ),
        (
            "/v2/system/worktypes/lookup".into(),
            "/v2/system/worktypes/lookup".into(),
        ),
        (
            "/v2/system/roles/lookup".into(),
            "/v2/system/roles/lookup".into(),
        ),
        (
            "/v2/system/slas/lookup".into(),
            "/v2/system/slas/lookup".into(),
        ),
        (
            "/v2/system/lookup/NoteType".into(),
            "/v2/system/lookup/{tableName}".into(),
        ),
        (
            "/v2/hr/assignees/lookup".into(),
            "/v2/hr/assignees/lookup".into(),
        ),
        (
            "/v2/hr/employees/lookup".into(),
            "/v2/hr/employees/lookup".into(),
        ),
        (
            "/v2/servicedesk/templates/tickets/lookup".into(),
            "/v2/servicedesk/templates/tickets/lookup".into(),
        ),
        (
            format!("/v2/servicedesk/templates/tickets/{template}"),
            "/v2/servicedesk/templates/tickets/{templateId}".into(),
        ),
        (
            "/v2/servicedesk/templates/notes/lookup".into(),
            "/v2/servicedesk/templates/notes/lookup".into(),
        ),
        (
            format!("/v2/servicedesk/templates/notes/{note_template}/{id}"),
            "/v2/servicedesk/templates/notes/{templateId}/{ticketId}".into(),
        ),
        (
            "/v2/servicedesk/templates/timelogs/lookup".into(),
            "/v2/servicedesk/templates/timelogs/lookup".into(),
        ),
        (
            format!("/v2/servicedesk/templates/timelogs/{log_template}/{id}"),
            "/v2/servicedesk/templates/timelogs/{templateId}/{ticketId}".into(),
        ),
    ];
    for (url, template) in &gets {
        let (status, v) = raw_json(&h, &token, Method::GET, url, None).await;
        assert_eq!(status, 200, "{url}: {v}");
        let (props, array) = result_schema(&s, "get", template);
        let result = &v["Result"];
        let items: Vec<&Value> = if array {
            let rows = result.as_array().expect("an array");
            assert!(!rows.is_empty(), "{url}");
            rows.iter().collect()
        } else {
            vec![result]
        };
        for item in items {
            assert_eq!(keys(item), props, "{url}");
        }
    }
    // The search rows are `TicketListDto`, `Details` included.
    let (_, v) = raw_json(
        &h,
        &token,
        Method::POST,
        "/v2/servicedesk/tickets/search",
        Some(json!({"PageSize": 3})),
    )
    .await;
    let (props, _) = result_schema(&s, "post", "/v2/servicedesk/tickets/search");
    assert!(props.contains("Details"));
    for row in v["Result"].as_array().unwrap() {
        assert_eq!(keys(row), props);
        assert!(row["Details"].as_str().is_some_and(|d| d.contains("<p>")));
    }
    let (_, v) = raw_json(&h, &token, Method::GET, "/v2/security/userinfo", None).await;
    assert!(v["Result"]["TimeZoneValue"].is_number(), "{v}");
}

/// Deletes and `assignticket` answer 200 with no body, as the spec documents; the client
/// takes that as done.
#[tokio::test]
async fn writes_the_spec_gives_no_body_answer_an_empty_200() {
    let h = start(small()).await;
    let token = raw_token(&h).await;
    let (a, b, c) = h
        .state()
        .read(|t| (t.tickets[0].id, t.tickets[1].id, t.tickets[2].id));
    let (queue, status) = h
        .state()
        .read(|t| (t.refs.queue_id("Tier 2"), t.refs.status_id("In Progress")));
    let raw = |method: Method, path: String, body: Option<Value>| {
        let mut req = reqwest::Client::new()
            .request(method, format!("{}{path}", h.base_url()))
            .bearer_auth(&token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        async move {
            let resp = req.send().await.unwrap();
            (resp.status().as_u16(), resp.bytes().await.unwrap())
        }
    };
    let note_id = h.state().notes(a)[0].id;
    let (st, body) = raw(
        Method::DELETE,
        format!("/v2/servicedesk/tickets/{a}/notes/{note_id}"),
        None,
    )
    .await;
    assert_eq!((st, body.len()), (200, 0));
    let (st, body) = raw(
        Method::POST,
        format!("/v2/servicedesk/tickets/{a}/assignticket"),
        Some(
            json!({"Details": "<p>to tier 2</p>", "IsInternal": true, "TypeId": 1,
                    "StatusId": status, "NoteDate": "2025-01-15T10:00:00", "QueueId": queue}),
        ),
    )
    .await;
    assert_eq!((st, body.len()), (200, 0));
    let (st, body) = raw(Method::DELETE, format!("/v2/servicedesk/tickets/{a}"), None).await;
    assert_eq!((st, body.len()), (200, 0));
    assert!(h.state().ticket(a).is_none());

    // Through the client: done, and done on the server.
    let cl = client(&h);
    cl.assign_ticket(
        b,
        &bmsdesk_core::model::AssignInput {
            details: "<p>assigned</p>".into(),
            is_internal: true,
            type_id: 1,
            status_id: status,
            note_date: bmsdesk_core::clock::now(),
            assignee_id: None,
            queue_id: Some(queue),
        },
    )
    .await
    .unwrap();
    assert_eq!(h.state().ticket(b).unwrap().row.queue_id, Some(queue));
    let n = h.state().notes(c)[0].id;
    cl.delete_note(c, n).await.unwrap();
    assert!(h.state().notes(c).iter().all(|x| x.id != n));
    cl.delete_ticket(c).await.unwrap();
    assert!(h.state().ticket(c).is_none());
}

/// The null rate: drawn per record and field, only in nullable fields, never in the fields a
/// record cannot lack, the same on every read; and the client reads `null` as absent.
#[tokio::test]
async fn nullable_fields_come_back_null_at_the_rate_and_the_client_reads_them_as_absent() {
    let s = spec();
    let nullable: BTreeSet<String> = s["components"]["schemas"]["TicketListDto"]["properties"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, p)| p["nullable"] == true)
        .map(|(k, _)| {
            // camelCase, as the server sends them
            let mut c = k.chars();
            let first: String = c.next().unwrap().to_lowercase().collect();
            let rest: String = c.collect();
            first + &rest
        })
        .collect();
    let h = start(SimConfig {
        null_rate: 0.2,
        ..small()
    })
    .await;
    let token = raw_token(&h).await;
    let page = || async {
        raw_json(
            &h,
            &token,
            Method::POST,
            "/v2/servicedesk/tickets/search",
            Some(json!({"PageSize": 200})),
        )
        .await
        .1
    };
    let v = page().await;
    assert_eq!(v, page().await, "the same nulls on every read");
    let rows = v["result"].as_array().unwrap();
    let (mut nulls, mut values) = (0, 0);
    for row in rows {
        for (k, x) in row.as_object().unwrap() {
            if x.is_null() {
                nulls += 1;
                // `slaName` & co. camelCase differently; the spec's nullable names are what
                // may be null (compare lower-cased).
                assert!(
                    nullable.iter().any(|n| n.eq_ignore_ascii_case(k)),
                    "{k} is not nullable"
                );
            } else {
                values += 1;
            }
            assert!(
                !(x.is_null()
                    && ["title", "ticketNumber", "accountId", "openDate"].contains(&k.as_str())),
                "{k} is never null"
            );
        }
    }
    // About a fifth of the nullable fields that had a value (plus those already empty).
    assert!(
        nulls > (nulls + values) / 8,
        "{nulls} of {}",
        nulls + values
    );
    // The client reads each as absent.
    let got = client(&h)
        .search_tickets(&TicketFilter::default())
        .await
        .unwrap();
    assert_eq!(got.len(), 300);
    let mut seen = 0;
    for r in &got {
        let truth = h.state().ticket(r.id).unwrap().row;
        for (field, ours, theirs) in [
            ("AssigneeName", &r.assignee_name, &truth.assignee_name),
            ("QueueName", &r.queue_name, &truth.queue_name),
            ("StatusName", &r.status_name, &truth.status_name),
            ("AccountName", &r.account_name, &truth.account_name),
        ] {
            if h.state().nulled("TicketListDto", r.id, field) {
                seen += 1;
                assert_eq!(ours, &None, "{field} of {}", r.id);
            } else {
                assert_eq!(ours, theirs, "{field} of {}", r.id);
            }
        }
        assert_eq!(r.title, truth.title);
        assert_eq!(r.open_date, truth.open_date);
    }
    assert!(seen > 100, "{seen}");
}

fn named(id: i64, name: &'static str, is_default: bool) -> Named {
    Named {
        id,
        name,
        is_default,
    }
}

/// A tenant without the `NoteType` and `TicketType` tables answers their lookups 404; its
/// notes still have types (checked by the server), and `0` is not one of them.
#[tokio::test]
async fn a_tenant_without_type_tables_answers_404_and_refuses_a_guessed_type() {
    let h = start(SimConfig {
        note_types: None,
        ticket_types: None,
        ..small()
    })
    .await;
    let c = client(&h);
    for kind in [LookupKind::NoteTypes, LookupKind::Types] {
        let err = c.lookup(kind).await.unwrap_err();
        assert!(matches!(err, ApiError::NotFound(_)), "{kind:?}: {err:?}");
        assert!(err.to_string().contains("was not found"), "{err}");
    }
    // The other lookups are unaffected.
    assert!(!c.lookup(LookupKind::Statuses).await.unwrap().is_empty());
    let id = h.state().read(|t| t.tickets[0].id);
    let input = |type_id| NoteInput {
        details: "<p>typed</p>".into(),
        is_internal: true,
        type_id,
        note_date: bmsdesk_core::clock::now(),
        status_id: None,
    };
    let before = h.state().note_count(id);
    let err = c.add_note(id, &input(0)).await.unwrap_err();
    assert!(
        matches!(&err, ApiError::Api { status: 400, message, .. } if message.contains("Note type 0")),
        "{err:?}"
    );
    assert_eq!(h.state().note_count(id), before);
    let note = c.add_note(id, &input(1)).await.unwrap();
    assert_eq!(note.type_name.as_deref(), Some("General"));
}

/// A tenant with its own note types, ticket types and sources: the lookups list them, the
/// server checks ids against them, generated data uses them, and `0` is an ordinary id
/// where the tenant has it.
#[tokio::test]
async fn a_tenant_with_other_tables_lists_checks_and_uses_them() {
    let h = start(SimConfig {
        note_types: Some(vec![
            named(0, "Update", false),
            named(71, "Call", false),
            named(72, "Internal", true),
        ]),
        ticket_types: Some(vec![
            named(501, "Fault", true),
            named(502, "Request", false),
        ]),
        sources: Some(vec![named(11, "Web", false), named(12, "Phone line", true)]),
        ..small()
    })
    .await;
    let c = client(&h);
    let types: Vec<(i64, String)> = c
        .lookup(LookupKind::NoteTypes)
        .await
        .unwrap()
        .into_iter()
        .map(|i| (i.id, i.name))
        .collect();
    assert_eq!(
        types,
        vec![
            (0, "Update".to_string()),
            (71, "Call".to_string()),
            (72, "Internal".to_string())
        ]
    );
    let default = c.lookup(LookupKind::NoteTypes).await.unwrap();
    assert_eq!(
        default
            .iter()
            .find(|t| t.is_default == Some(true))
            .map(|t| t.id),
        Some(72)
    );
    let ticket_types: BTreeSet<i64> = c
        .lookup(LookupKind::Types)
        .await
        .unwrap()
        .iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(ticket_types, BTreeSet::from([501, 502]));
    // Generated tickets and notes use the tenant's ids.
    let rows = c.search_tickets(&TicketFilter::default()).await.unwrap();
    assert!(rows.iter().all(|r| matches!(r.type_id, Some(501 | 502))));
    assert!(rows.iter().all(|r| matches!(r.source_id, Some(11 | 12))));
    let id = h.state().read(|t| {
        t.tickets
            .iter()
            .find(|r| t.notes_of(r).len() >= 3)
            .map(|r| r.id)
            .unwrap()
    });
    let notes = h.state().notes(id);
    assert!(notes.iter().all(|n| matches!(n.type_id, Some(0 | 71 | 72))));
    // 0 is just an id here; 1 (the standard tenant's) is not one.
    let add = |type_id| {
        let c = c.clone();
        async move {
            c.add_note(
                id,
                &NoteInput {
                    details: format!("<p>type {type_id}</p>"),
                    is_internal: true,
                    type_id,
                    note_date: bmsdesk_core::clock::now(),
                    status_id: None,
                },
            )
            .await
        }
    };
    assert_eq!(add(0).await.unwrap().type_name.as_deref(), Some("Update"));
    assert!(
        add(1)
            .await
            .unwrap_err()
            .to_string()
            .contains("Note type 1")
    );
    // A source outside the tenant's list is refused with the id named.
    let ticket = c.ticket(rows[0].id).await.unwrap();
    assert!(matches!(
        ticket.source_name.as_deref(),
        Some("Web" | "Phone line")
    ));
    let token = raw_token(&h).await;
    let (account, location) = h
        .state()
        .read(|t| (t.accounts[0].id, t.accounts[0].locations[0]));
    let (queue, status, priority) = h.state().read(|t| {
        (
            t.refs.queue_id("Help Desk"),
            t.refs.status_id("New"),
            t.refs.priority_id("Low"),
        )
    });
    let body = |source: i64| {
        json!({"Title": "src", "Details": "<p>x</p>", "AccountId": account,
               "LocationId": location, "StatusId": status, "PriorityId": priority,
               "TypeId": 501, "SourceId": source, "OpenDate": "2025-01-15T10:00:00",
               "QueueId": queue})
    };
    let (st, v) = raw_json(
        &h,
        &token,
        Method::POST,
        "/v2/servicedesk/tickets",
        Some(body(1)),
    )
    .await;
    assert_eq!(st, 400, "{v}");
    assert!(message(&v).contains("SourceId 1"), "{v}");
    let (st, v) = raw_json(
        &h,
        &token,
        Method::POST,
        "/v2/servicedesk/tickets",
        Some(body(12)),
    )
    .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["result"]["sourceName"], "Phone line");
}

/// A tenant with no source list takes any source id and names none.
#[tokio::test]
async fn a_tenant_without_a_source_list_names_no_source() {
    let h = start(SimConfig {
        sources: None,
        ..small()
    })
    .await;
    let c: Client = client(&h);
    let id = h.state().read(|t| t.tickets[0].id);
    let t = c.ticket(id).await.unwrap();
    assert!(t.row.source_id.is_some());
    assert_eq!(t.source_name, None);
}
