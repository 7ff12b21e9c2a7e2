//! Fixtures for tests of the TUI (unit, render and pty tests): sample tickets, reference
//! data as the warm-up delivers it, key helpers. Not used by the application itself.
#![allow(
    clippy::unwrap_used,
    reason = "test fixtures: a panic is a failed test"
)]

use chrono::{TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::Model;
use super::protocol::{Cmd, Msg, Reply, Request};
use super::settings::Settings;
use super::theme::Theme;
use bmsdesk_core::lookups::LookupKind;
use bmsdesk_core::model::{Account, LookupItem, NoteTemplate, TicketRow, TicketTemplateSummary};
use bmsdesk_core::name::Name;

pub fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 10, 12, 0, 0).unwrap()
}

pub fn row(
    id: i64,
    title: &str,
    account: &str,
    status: (i64, &str),
    prio: (i64, &str),
    assignee: Option<&str>,
) -> TicketRow {
    TicketRow {
        id,
        ticket_number: format!("T2025{id:04}"),
        title: title.into(),
        account_id: Some(100 + id % 3),
        account_name: Some(account.into()),
        status_id: Some(status.0),
        status_name: Some(status.1.into()),
        priority_id: Some(prio.0),
        priority_name: Some(prio.1.into()),
        assignee_id: assignee.map(|_| 7),
        assignee_name: assignee.map(Name::from),
        queue_id: Some(1),
        queue_name: Some("Help Desk".into()),
        type_id: Some(3),
        type_name: Some("Incident".into()),
        open_date: Some(now() - chrono::Duration::hours(id)),
        ..Default::default()
    }
}

pub fn sample_rows() -> Vec<TicketRow> {
    vec![
        row(
            1,
            "Printer offline on 2nd floor",
            "Acme Corp",
            (1, "New"),
            (2, "High"),
            Some("Alice Smith"),
        ),
        row(
            2,
            "VPN drops every hour",
            "Contoso",
            (2, "In Progress"),
            (3, "Medium"),
            None,
        ),
        row(
            3,
            "New starter laptop",
            "Northwind",
            (1, "New"),
            (4, "Low"),
            Some("Bob Jones"),
        ),
        row(
            4,
            "Email bounce for sales@",
            "Acme Corp",
            (3, "Waiting"),
            (1, "Critical"),
            None,
        ),
        row(
            5,
            "Printer toner low",
            "Contoso",
            (1, "New"),
            (4, "Low"),
            Some("Alice Smith"),
        ),
    ]
}

pub fn item(id: i64, name: &str) -> LookupItem {
    LookupItem {
        id,
        name: name.into(),
        ..Default::default()
    }
}

pub fn key(c: char) -> Msg {
    let mods = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    Msg::Key(KeyEvent::new(KeyCode::Char(c), mods))
}
pub fn code(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}
pub fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

pub fn send(m: &mut Model, msgs: impl IntoIterator<Item = Msg>) -> Vec<Cmd> {
    let mut out = Vec::new();
    for msg in msgs {
        out.extend(m.update(msg));
    }
    out
}

pub fn typed(s: &str) -> Vec<Msg> {
    s.chars().map(key).collect()
}

pub fn api(r: Reply) -> Msg {
    Msg::Api(Box::new(r))
}

/// Reference data as the warm-up would deliver it.
pub fn warm(m: &mut Model) {
    let statuses = vec![
        item(1, "New"),
        item(2, "In Progress"),
        item(3, "Waiting"),
        item(4, "Closed"),
    ];
    let mut prios = vec![
        item(1, "Critical"),
        item(2, "High"),
        item(3, "Medium"),
        item(4, "Low"),
    ];
    prios[2].is_default = Some(true);
    let mut people = vec![item(7, "Alice Smith"), item(8, "Bob Jones")];
    people[0].email_address = Some("alice@msp.example".into());
    let replies = vec![
        Reply::Lookup {
            kind: LookupKind::Statuses,
            items: statuses,
        },
        Reply::Lookup {
            kind: LookupKind::Priorities,
            items: prios,
        },
        Reply::Lookup {
            kind: LookupKind::Queues,
            items: vec![item(1, "Help Desk"), item(2, "Projects")],
        },
        Reply::Lookup {
            kind: LookupKind::Types,
            items: vec![item(3, "Incident"), item(4, "Service Request")],
        },
        Reply::Lookup {
            kind: LookupKind::Sources,
            items: vec![item(0, "Client Portal"), item(1, "Phone"), item(4, "Email")],
        },
        Reply::Lookup {
            kind: LookupKind::Assignees,
            items: people,
        },
        Reply::Lookup {
            kind: LookupKind::NoteTypes,
            items: vec![item(5, "General")],
        },
        Reply::Accounts {
            items: vec![
                Account {
                    id: 100,
                    name: "Acme Corp".into(),
                    ..Default::default()
                },
                Account {
                    id: 101,
                    name: "Contoso".into(),
                    ..Default::default()
                },
                Account {
                    id: 102,
                    name: "Northwind".into(),
                    ..Default::default()
                },
            ],
            fetched_at: now(),
        },
        Reply::TicketTemplates(vec![
            TicketTemplateSummary {
                id: 50,
                name: "Printer problem".into(),
            },
            TicketTemplateSummary {
                id: 51,
                name: "New starter".into(),
            },
        ]),
        Reply::NoteTemplates(vec![NoteTemplate {
            id: 60,
            name: "Called the client".into(),
            type_id: Some(5),
            status_id: Some(2),
            is_internal: Some(false),
        }]),
    ];
    for r in replies {
        m.update(api(r));
    }
}

pub fn model() -> Model {
    model_with(Settings::default())
}

pub fn model_with(settings: Settings) -> Model {
    let mut m = Model::new(settings, "test", false);
    m.theme = Theme::mono();
    m.tz = chrono::FixedOffset::east_opt(0).unwrap();
    m.now = now();
    m.size = (80, 24);
    m
}

/// A model with the warm-up done and the first view loaded with `rows`.
pub fn loaded(rows: Vec<TicketRow>) -> Model {
    let mut m = model();
    let cmds = m.init(Vec::new());
    assert!(matches!(cmds[0], Cmd::Api(Request::Warmup { .. })));
    let seq = search_seq(&cmds).expect("a search");
    warm(&mut m);
    m.update(api(Reply::TenantZone(
        bmsdesk_core::tenant_time::TenantZone::UTC,
    )));
    let n = rows.len() as u64;
    m.update(api(Reply::Page {
        search_gen: seq,
        rows,
        total: Some(n),
    }));
    m.update(api(Reply::SearchDone {
        search_gen: seq,
        result: Ok(n),
        at: now(),
    }));
    m
}

pub fn search_seq(cmds: &[Cmd]) -> Option<u64> {
    cmds.iter().find_map(|c| match c {
        Cmd::Api(Request::Search {
            search_gen: seq, ..
        }) => Some(*seq),
        _ => None,
    })
}

/// Switches to saved view `key` and loads `rows` into it.
pub fn open_view(m: &mut Model, key_char: char, rows: Vec<TicketRow>) {
    let cmds = m.update(key(key_char));
    let seq = search_seq(&cmds).expect("the view searches");
    let n = rows.len() as u64;
    m.update(api(Reply::Page {
        search_gen: seq,
        rows,
        total: Some(n),
    }));
    m.update(api(Reply::SearchDone {
        search_gen: seq,
        result: Ok(n),
        at: now(),
    }));
}

/// The statuses of [`warm`] plus an escalation status and "Completed".
pub fn statuses_with_escalation(m: &mut Model) {
    m.update(api(Reply::Lookup {
        kind: LookupKind::Statuses,
        items: vec![
            item(1, "New"),
            item(2, "In Progress"),
            item(3, "Waiting"),
            item(4, "Closed"),
            item(5, "Escalated"),
        ],
    }));
}

/// Work types, roles and time-log templates as the warm-up delivers them.
pub fn timelog_refdata(m: &mut Model) {
    let mut remote = item(31, "Remote Support");
    remote.is_default = Some(true);
    m.update(api(Reply::Lookup {
        kind: LookupKind::WorkTypes,
        items: vec![item(30, "On-Site Support"), remote],
    }));
    m.update(api(Reply::Lookup {
        kind: LookupKind::Roles,
        items: vec![item(40, "Service Desk"), item(41, "Engineer")],
    }));
    m.update(api(Reply::TimeLogTemplates(vec![
        bmsdesk_core::model::TimeLogTemplate {
            id: 972,
            name: "Remote session (1 h)".into(),
            notes: Some("Remote session with the user.".into()),
            role_id: Some(41),
            work_type_id: Some(31),
            timespent: Some(1.0),
            ..Default::default()
        },
    ])));
}

/// Puts the cursor on ticket `id` (it must be shown).
pub fn select(m: &mut Model, id: i64) {
    m.prepare();
    let pos = m
        .list
        .visible()
        .iter()
        .position(|&i| m.list.rows[i as usize].id == id)
        .expect("the ticket is shown");
    m.list.select(pos);
    m.prepare();
}

/// [`sample_rows`] plus tickets in every SLA situation: paused (waiting on the client),
/// closed within target, long overdue at escalation level 3, and a second queue. With
/// `long_numbers`, numbers look like the real tenant's ("T20250310.0001").
pub fn triage_rows(long_numbers: bool) -> Vec<TicketRow> {
    let mut rows = sample_rows();
    let mut waiting = row(
        6,
        "Waiting on the client for logs",
        "Contoso",
        (3, "Waiting Customer"),
        (3, "Medium"),
        Some("Bob Jones"),
    );
    waiting.open_date = Some(now() - chrono::Duration::hours(2));
    waiting.last_status_update = Some(now() - chrono::Duration::minutes(30));
    rows.push(waiting);
    let mut closed = row(
        7,
        "Mailbox full",
        "Northwind",
        (4, "Closed"),
        (2, "High"),
        Some("Alice Smith"),
    );
    closed.open_date = Some(now() - chrono::Duration::hours(3));
    closed.completed_date = Some(now() - chrono::Duration::hours(1));
    closed.queue_id = Some(2);
    closed.queue_name = Some("Projects".into());
    rows.push(closed);
    let mut overdue = row(
        8,
        "Server room temperature alarm",
        "Fabrikam Manufacturing Ltd",
        (2, "In Progress"),
        (1, "Critical"),
        Some("Bob Jones"),
    );
    overdue.open_date = Some(now() - chrono::Duration::hours(28));
    overdue.queue_id = Some(2);
    overdue.queue_name = Some("Projects".into());
    rows.push(overdue);
    if long_numbers {
        for r in &mut rows {
            r.ticket_number = format!("T20250310.{:04}", r.id);
        }
    }
    rows
}
