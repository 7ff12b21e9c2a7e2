//! Shared set-up for the `api_*` tests: a simulator on a random loopback port and the real
//! client pointed at it.
//!
//! Every simulator started here records its exchanges, and when its handle goes (the end of
//! the test) each one is checked against the spec (`tests/spec`): every request the client
//! sent and every reply it got. Left out: replies the simulator broke on purpose (faults and
//! hostile rewrites mark themselves), and the raw requests these helpers send on a test's
//! behalf (they carry `sim::NO_CHECK_HEADER`). Checking at the handle's drop, not in each
//! test, is what makes it cover every test, including ones written later.
#![allow(dead_code)]

pub(crate) use crate::spec;

use std::path::Path;
use std::time::Duration;

use bmsdesk_bms::{auth::TokenStore, client::Client, client::ClientOptions};
use bmsdesk_core::{secret::Credentials, secret::Secret};
use bmsdesk_sim::{self as sim, SimConfig, SimHandle};
use serde_json::Value;

/// The share of nullable reply fields the simulator sends as `null` in these tests: a real
/// server leaves fields empty, and the client must cope wherever the spec allows it.
pub const NULL_RATE: f64 = 0.02;

/// A small tenant: quick to generate, big enough for paging; some nullable fields `null`.
pub fn small() -> SimConfig {
    SimConfig {
        tickets: 300,
        accounts: 12,
        null_rate: NULL_RATE,
        ..SimConfig::default()
    }
}

pub async fn start(cfg: SimConfig) -> SimHandle {
    // Every test runs at a pinned instant (BMSDESK_NOW, else clock::TEST_INSTANT), never
    // at today's date.
    bmsdesk_core::clock::pin_for_tests();
    let mut h = sim::spawn(SimConfig {
        record: true,
        ..cfg
    })
    .await
    .expect("simulator starts");
    h.on_drop(spec::check_recording);
    h
}

/// A raw request builder marked as the test's own (left out of the spec check).
fn raw(method: reqwest::Method, url: String) -> reqwest::RequestBuilder {
    reqwest::Client::new()
        .request(method, url)
        .header(sim::NO_CHECK_HEADER, "raw request from a test helper")
}

pub fn creds(user: &str) -> Credentials {
    Credentials {
        tenant: sim::DEMO_TENANT.into(),
        username: user.into(),
        password: Secret::new(sim::DEMO_PASSWORD),
        mfa_code: None,
    }
}

pub fn options(h: &SimHandle, user: &str) -> ClientOptions {
    let mut o = ClientOptions::new(h.base_url());
    o.credentials = Some(creds(user));
    o.backoff = Duration::from_millis(10);
    o.timeout = Duration::from_secs(10);
    // The simulator's reads do not lag unless a test says so: no long wait before a resend.
    o.check_window = Duration::from_millis(300);
    // The simulator serves pages whole up to its `max_page_size`, as if `doctor` had
    // measured it: a short page ends a list without a request to check (what the request
    // counts here assume). Tests of an unmeasured or capping server clear this.
    o.capabilities.page_size_tried = Some(h.state().max_page_size());
    o
}

/// The demo technician's client, without a token file.
pub fn client(h: &SimHandle) -> Client {
    Client::new(options(h, sim::DEMO_USER)).expect("client")
}

/// The demo technician's client with its token file at `path`.
pub fn client_with_store(h: &SimHandle, path: &Path) -> Client {
    let mut o = options(h, sim::DEMO_USER);
    o.token_store = Some(TokenStore::new(path));
    Client::new(o).expect("client")
}

/// A bearer token from a raw sign-in (for requests made with plain reqwest).
pub async fn raw_token(h: &SimHandle) -> String {
    let resp = raw(
        reqwest::Method::POST,
        format!("{}/v2/security/authenticate", h.base_url()),
    )
    .form(&[
        ("GrantType", "password"),
        ("UserName", sim::DEMO_USER),
        ("Password", sim::DEMO_PASSWORD),
        ("Tenant", sim::DEMO_TENANT),
    ])
    .send()
    .await
    .expect("sign-in request");
    let v: Value = resp.json().await.expect("sign-in json");
    v["result"]["accessToken"]
        .as_str()
        .expect("access token")
        .to_string()
}

/// A raw request with a JSON body; returns status and parsed body.
pub async fn raw_json(
    h: &SimHandle,
    token: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = raw(method, format!("{}{}", h.base_url(), path)).bearer_auth(token);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await.expect("request");
    let status = resp.status().as_u16();
    let text = resp.text().await.expect("body");
    let v = if text.trim().is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, v)
}

/// The error message inside a failure envelope.
pub fn message(v: &Value) -> String {
    v["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// A record the server holds (`SimState::ticket`, `notes`, `time_logs`) as a reply of
/// `schema` sends it: each field the simulator sends as `null` at [`NULL_RATE`] cleared. The
/// fields a record cannot lack are never `null` (see `sim::shape`) and not listed here.
pub fn sent_row(
    h: &SimHandle,
    schema: &str,
    mut r: bmsdesk_core::model::TicketRow,
) -> bmsdesk_core::model::TicketRow {
    let id = r.id;
    let st = h.state();
    let gone = |field: &str| st.nulled(schema, id, field);
    macro_rules! clear {
        ($($field:ident: $name:literal),* $(,)?) => {
            $(if gone($name) { r.$field = None; })*
        };
    }
    clear!(
        account_name: "AccountName", account_code: "AccountCode",
        location_name: "LocationName", contact_id: "ContactId", contact_name: "ContactName",
        queue_id: "QueueId", queue_name: "QueueName", status_name: "StatusName",
        priority_name: "PriorityName", type_name: "TypeName", issue_type_id: "IssueTypeId",
        issue_type_name: "IssueTypeName", assignee_id: "AssigneeId",
        assignee_name: "AssigneeName", sla_id: "SLAId", sla_name: "SLAName",
        has_met_sla: "HasMetSLA", is_sla_paused: "IsSLAPaused",
        sla_last_paused_time: "SLALastPausedTime", sla_last_resumed_time: "SLALastResumedTime",
        actual_pause_minutes: "ActualPauseMinutes", last_status_update: "LastStatusUpdate",
        due_date: "DueDate", completed_date: "CompletedDate",
        last_activity_update: "LastActivityUpdate",
        first_response_target_time: "FirstResponseTargetTime",
        first_response_actual_time: "FirstResponseActualTime",
        resolution_target_time: "ResolutionTargetTime",
        resolution_actual_time: "ResolutionActualTime", created_on: "CreatedOn",
        modified_on: "ModifiedOn", created_by_name: "CreatedByName",
    );
    r
}

/// [`sent_row`] for a whole ticket (`TicketOutputDto`).
pub fn sent_ticket(h: &SimHandle, t: bmsdesk_core::model::Ticket) -> bmsdesk_core::model::Ticket {
    const S: &str = "TicketOutputDto";
    let mut t = bmsdesk_core::model::Ticket {
        row: sent_row(h, S, t.row),
        ..t
    };
    let id = t.row.id;
    let st = h.state();
    let gone = |field: &str| st.nulled(S, id, field);
    macro_rules! clear {
        ($($field:ident: $name:literal),* $(,)?) => {
            $(if gone($name) { t.$field = None; })*
        };
    }
    clear!(
        source_name: "SourceName", contact_phone: "ContactPhone",
        contact_email: "ContactEmail", location_phone: "LocationPhone",
        work_type_id: "WorkTypeId", work_type_name: "WorkTypeName",
        total_time_spent: "TotalTimeSpent",
    );
    t
}

/// [`sent_row`] for a note (`TicketNoteOutputDto`).
pub fn sent_note(h: &SimHandle, mut n: bmsdesk_core::model::Note) -> bmsdesk_core::model::Note {
    let st = h.state();
    let gone = |field: &str| st.nulled("TicketNoteOutputDto", n.id, field);
    macro_rules! clear {
        ($($field:ident: $name:literal),* $(,)?) => {
            $(if gone($name) { n.$field = None; })*
        };
    }
    clear!(
        type_name: "TypeName", created_by_name: "CreatedByName",
        created_by_email: "CreatedByEmail", created_on: "CreatedOn", modified_on: "ModifiedOn",
    );
    n
}

/// [`sent_row`] for a time entry (`TicketTimeEntryOutputDto`).
pub fn sent_time_log(
    h: &SimHandle,
    mut l: bmsdesk_core::model::TimeLog,
) -> bmsdesk_core::model::TimeLog {
    let st = h.state();
    let gone = |field: &str| st.nulled("TicketTimeEntryOutputDto", l.id, field);
    macro_rules! clear {
        ($($field:ident: $name:literal),* $(,)?) => {
            $(if gone($name) { l.$field = None; })*
        };
    }
    clear!(
        timespent: "Timespent", notes: "Notes", internal_notes: "InternalNotes",
        employee_name: "EmployeeName", work_type_name: "WorkTypeName", role_name: "RoleName",
    );
    l
}
