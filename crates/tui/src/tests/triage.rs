//! SLA-first triage: due column, breach order, the breaching view, the dashboard, status
//! changes checked before sending, escalation, the timer and its time log, call mode.
//! The clock is fixed: Monday 10 March 2025 12:00 UTC (office hours 08-18 by default), and
//! sample ticket N opened N hours earlier.

use crossterm::event::KeyCode;

use super::{apis, numbers, top_picker, writes, written};
use crate::app::{Layer, Model};
use crate::forms::{LogFocus, NoteMode};
use crate::picker::{Field, Purpose};
use crate::protocol::{Cmd, Msg, Reply, Request};
use crate::settings::{Column, Settings};
use crate::testkit::*;
use crate::timer::Timer;
use crate::views::status_bar::timer_text;
use bmsdesk_core::actions::{WriteOp, WriteResult};
use bmsdesk_core::domain::workflow::NoteKind;
use bmsdesk_core::model::{Note, TimeLog};

fn due(m: &Model, id: i64) -> String {
    let i = m.list.by_id[&id] as usize;
    m.list.sla[i].column()
}

fn open_view_model() -> Model {
    let mut m = loaded(sample_rows());
    open_view(&mut m, '2', sample_rows());
    m
}

fn note_mode(m: &Model) -> &NoteMode {
    match m.layers.last() {
        Some(Layer::Note(e)) => &e.mode,
        _ => panic!("no note editor on top"),
    }
}

fn saved_timer(cmds: &[Cmd]) -> Option<Option<Timer>> {
    cmds.iter().rev().find_map(|c| match c {
        Cmd::SaveTimer(t) => Some(t.clone()),
        _ => None,
    })
}

#[test]
fn due_column_counts_down_on_the_clock_tick() {
    let mut m = open_view_model();
    // First response targets (High 2 h, Medium 4 h, Low 8 h, Critical 1 h), business time
    // from 08:00: ticket 5 opened 07:00 starts counting at 08:00.
    assert_eq!(due(&m, 1), "1h00m");
    assert_eq!(due(&m, 2), "2h00m");
    assert_eq!(due(&m, 3), "5h00m");
    assert_eq!(due(&m, 4), "-3h00m", "critical, an hour's target, 3 h late");
    assert_eq!(due(&m, 5), "4h00m");
    // Keys between ticks do not recompute (cheap)...
    m.now = now() + chrono::Duration::minutes(30);
    m.update(key('j'));
    assert_eq!(due(&m, 1), "1h00m");
    // ...the coarse tick does.
    m.update(Msg::Tick);
    assert_eq!(due(&m, 1), "30m");
    assert_eq!(due(&m, 4), "-3h30m");
    // A paused ticket (waiting status) shows the pause marker and frozen time.
    let mut waiting = row(
        6,
        "Waiting on the client",
        "Contoso",
        (3, "Waiting Customer"),
        (3, "Medium"),
        Some("Bob Jones"),
    );
    waiting.open_date = Some(now() - chrono::Duration::hours(2));
    waiting.last_status_update = Some(now() - chrono::Duration::minutes(30));
    let seq = m.search_gen;
    m.update(api(Reply::Page {
        search_gen: seq,
        rows: vec![waiting],
        total: None,
    }));
    m.prepare();
    // Opened 10:00, 4 h target, paused at 11:30 with 2 h 30 left.
    assert_eq!(due(&m, 6), "⏸ 2h");
    let i = m.list.by_id[&6] as usize;
    assert!(m.list.sla[i].paused);
}

#[test]
fn open_view_sorts_by_time_to_breach() {
    let mut m = open_view_model();
    assert_eq!(m.current_view().name, "Open");
    assert_eq!(m.list.sort.column, Column::Due);
    assert_eq!(
        numbers(&m),
        vec![
            "T20250004",
            "T20250001",
            "T20250002",
            "T20250005",
            "T20250003"
        ],
        "breached first, then least time left"
    );
    // Reversed: most time left first.
    m.update(key('O'));
    assert_eq!(numbers(&m)[0], "T20250003");
}

#[test]
fn breaching_view_shows_breached_or_due_within_an_hour() {
    let mut m = loaded(sample_rows());
    let v = m.views.iter().find(|v| v.key == 4).unwrap();
    assert_eq!(v.name, "Breaching < 60m");
    open_view(&mut m, '4', sample_rows());
    // Ticket 1 has exactly 60 minutes left: not yet under the hour.
    assert_eq!(numbers(&m), vec!["T20250004"]);
    m.now = now() + chrono::Duration::minutes(1);
    m.update(Msg::Tick);
    assert_eq!(numbers(&m), vec!["T20250004", "T20250001"]);
}

#[test]
fn dashboard_toggles_and_counts_the_view() {
    let mut m = open_view_model();
    m.update(key('D'));
    let x = m
        .dashboard
        .as_ref()
        .and_then(|d| d.metrics.clone())
        .expect("figures computed");
    assert_eq!((x.total, x.open, x.breached, x.escalated), (5, 5, 1, 1));
    assert_eq!(x.pulse_total.breached, 1);
    assert_eq!(x.pulse_total.within_4h, 2, "1 h and 2 h left");
    let low = x.by_priority.iter().find(|c| c.name == "Low").unwrap();
    assert_eq!(low.count, 2);
    assert!(
        !m.detail_visible(),
        "the dashboard replaces list and detail"
    );
    // It follows the view's filter.
    send(&mut m, [key('/')]);
    send(&mut m, typed("printer"));
    let x = m.dashboard.as_ref().unwrap().metrics.clone().unwrap();
    assert_eq!(x.total, 2);
    send(&mut m, [code(KeyCode::Enter), code(KeyCode::Esc)]);
    assert!(m.dashboard.is_none(), "esc closes it");
    m.update(key('D'));
    m.update(key('D'));
    assert!(m.dashboard.is_none(), "D toggles");
}

#[test]
fn refused_status_change_sends_nothing_and_says_why() {
    let t: toml::Table = toml::from_str(
        r#"
        [rules]
        deny = [{ from = "New", to = "Waiting", message = "answer the client first" }]
        "#,
    )
    .unwrap();
    let mut m = model_with(Settings {
        sla: t,
        ..Default::default()
    });
    let cmds = m.init(Vec::new());
    let seq = search_seq(&cmds).unwrap();
    warm(&mut m);
    m.update(api(Reply::Page {
        search_gen: seq,
        rows: sample_rows(),
        total: None,
    }));
    // Ticket 1 is New: "Waiting" is denied by the rule.
    m.update(key('s'));
    send(&mut m, typed("waiting"));
    let cmds = m.update(code(KeyCode::Enter));
    assert!(apis(&cmds).is_empty(), "{cmds:?}");
    assert_eq!(m.status.error.as_deref(), Some("answer the client first"));
    // The same status again is refused too.
    m.update(key('s'));
    send(&mut m, typed("new"));
    let cmds = m.update(code(KeyCode::Enter));
    assert!(apis(&cmds).is_empty());
    assert!(
        m.status
            .error
            .as_deref()
            .is_some_and(|e| e.contains("already \"New\"")),
        "{:?}",
        m.status.error
    );
}

#[test]
fn completing_needs_a_resolution_note_sent_with_the_change() {
    let mut m = loaded(sample_rows());
    m.update(key('s'));
    send(&mut m, typed("clos"));
    let cmds = m.update(code(KeyCode::Enter));
    assert!(apis(&cmds).is_empty(), "nothing sent without the note");
    assert_eq!(
        note_mode(&m),
        &NoteMode::Status {
            ticket_ids: vec![1],
            status_id: 4,
            status_name: "Closed".into(),
            kind: NoteKind::Resolution,
        }
    );
    // An empty note is not a resolution.
    let cmds = m.update(ctrl('s'));
    assert!(apis(&cmds).is_empty());
    send(&mut m, typed("Replaced the fuser; test page prints."));
    let cmds = m.update(ctrl('s'));
    let [
        (
            req,
            op @ WriteOp::AddNote {
                ticket_id: 1,
                input,
            },
        ),
    ] = writes(&cmds)[..]
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(
        input.status_id,
        Some(4),
        "one write: the note carries the status"
    );
    assert!(input.details.contains("Replaced the fuser"));
    m.update(written(
        req,
        op,
        Ok(WriteResult::Note(Box::new(Note {
            id: 77,
            details: input.details.clone(),
            ..Default::default()
        }))),
    ));
    assert!(m.layers.is_empty());
    let r = m.list.get(1).unwrap();
    assert_eq!(r.status_name.as_deref(), Some("Closed"));
    assert_eq!(
        m.list.sel_id,
        Some(2),
        "the cursor stays put, on the next ticket"
    );
    assert!(m.status.info.as_deref().unwrap().contains("Closed"));
    let i = m.list.by_id[&1] as usize;
    assert!(m.list.sla[i].stopped, "the SLA clock stops at once");
}

#[test]
fn warned_status_change_goes_ahead_and_shows_the_warning() {
    let mut m = loaded(sample_rows());
    // Ticket 4 (unassigned, Waiting) to In Progress: allowed with a warning.
    let pos = m
        .list
        .visible()
        .iter()
        .position(|&i| m.list.rows[i as usize].id == 4);
    m.list.select(pos.unwrap());
    m.update(key('s'));
    send(&mut m, typed("progr"));
    let cmds = m.update(code(KeyCode::Enter));
    let [(req, op @ WriteOp::PatchTicket { ticket_id: 4, .. })] = writes(&cmds)[..] else {
        panic!("{cmds:?}")
    };
    let warn = m.status.warn.clone().unwrap();
    assert!(warn.contains("has no assignee"), "{warn}");
    let mut t = bmsdesk_core::model::Ticket {
        row: sample_rows()[3].clone(),
        ..Default::default()
    };
    t.row.status_id = Some(2);
    t.row.status_name = Some("In Progress".into());
    m.update(written(req, op, Ok(WriteResult::Ticket(Box::new(t)))));
    let shown = m.status.warn.clone().unwrap();
    assert!(
        shown.contains("no assignee") && shown.contains("anyway"),
        "{shown}"
    );
    assert_eq!(
        m.list.get(4).unwrap().status_name.as_deref(),
        Some("In Progress")
    );
}

#[test]
fn escalate_asks_for_the_reason_and_moves_to_the_escalation_status() {
    let mut m = loaded(sample_rows());
    // The sample statuses have no escalation status.
    let cmds = m.update(key('e'));
    assert!(apis(&cmds).is_empty() && m.layers.is_empty());
    assert!(
        m.status
            .error
            .as_deref()
            .unwrap()
            .contains("no escalation status")
    );

    statuses_with_escalation(&mut m);
    m.update(key('e'));
    assert_eq!(
        note_mode(&m),
        &NoteMode::Status {
            ticket_ids: vec![1],
            status_id: 5,
            status_name: "Escalated".into(),
            kind: NoteKind::Escalation,
        }
    );
    send(&mut m, typed("Needs a tier 2 network engineer"));
    let cmds = m.update(ctrl('s'));
    let [
        (
            req,
            op @ WriteOp::AddNote {
                ticket_id: 1,
                input,
            },
        ),
    ] = writes(&cmds)[..]
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(input.status_id, Some(5));
    assert!(input.is_internal, "the reason is internal");
    m.update(written(req, op, Ok(WriteResult::Note(Box::default()))));
    assert_eq!(
        m.list.get(1).unwrap().status_name.as_deref(),
        Some("Escalated")
    );
    // Escalating again is refused: it is escalated already.
    let cmds = m.update(key('e'));
    assert!(apis(&cmds).is_empty() && m.layers.is_empty());
    assert!(m.status.error.as_deref().unwrap().contains("already"));
    // The palette offers it too.
    let names: Vec<_> = m.palette_actions().into_iter().map(|(_, l)| l).collect();
    assert!(names.iter().any(|l| l.starts_with("escalate")));
}

#[test]
fn timer_starts_stops_and_logs_time_from_a_template() {
    let mut m = loaded(sample_rows());
    timelog_refdata(&mut m);
    m.data.me = Some(bmsdesk_core::model::UserInfo {
        user_id: 7,
        full_name: "Alice Smith".into(),
        ..Default::default()
    });
    let cmds = m.update(key('T'));
    let t = saved_timer(&cmds).flatten().expect("timer saved");
    assert_eq!((t.ticket_id, t.started_at, t.call), (Some(1), now(), false));
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::After(_, Msg::TimerTick(_))))
    );
    assert_eq!(timer_text(&m).unwrap(), " TIMER T20250001 0:00 ");
    // Navigating keeps it; 12 minutes later it shows.
    m.now = now() + chrono::Duration::minutes(12);
    m.update(key('j'));
    assert_eq!(timer_text(&m).unwrap(), " TIMER T20250001 0:12 ");

    // Stop: the timer is kept (stopped) until logged; the form opens with the template picker.
    let cmds = m.update(key('T'));
    let t = saved_timer(&cmds).flatten().unwrap();
    assert_eq!(t.stopped_at, Some(now() + chrono::Duration::minutes(12)));
    assert!(matches!(
        top_picker(&m).purpose,
        Purpose::TimeLog(LogFocus::Template)
    ));
    send(&mut m, typed("remote"));
    m.update(code(KeyCode::Enter));
    let Some(Layer::TimeLog(f)) = m.layers.last() else {
        panic!("the form is on top")
    };
    assert_eq!((f.work_type_id, f.role_id), (Some(31), Some(41)));
    assert_eq!(f.minutes, "12");
    assert_eq!(f.notes.lines()[0], "Remote session with the user.");
    let cmds = m.update(ctrl('s'));
    let [
        Request::Write {
            req,
            op:
                op @ WriteOp::AddTimeLog {
                    ticket_id: 1,
                    input,
                },
            then,
            ..
        },
    ] = apis(&cmds)[..]
    else {
        panic!("{cmds:?}")
    };
    assert!(then.is_empty(), "one entry: {then:?}");
    assert_eq!(input.start_time, "12:00:00");
    assert_eq!(input.end_time, "12:12:00");
    assert_eq!(input.timespent, Some(0.2));
    assert_eq!((input.work_type_id, input.role_id), (31, 41));
    assert_eq!(input.user_id, Some(7));
    let cmds = m.update(written(
        *req,
        op,
        Ok(WriteResult::TimeLog(Box::new(TimeLog {
            id: 5,
            timespent: Some(0.2),
            ..Default::default()
        }))),
    ));
    assert_eq!(saved_timer(&cmds), Some(None), "the timer file goes");
    assert!(m.timer.is_none() && m.layers.is_empty());
    assert!(
        m.status
            .info
            .as_deref()
            .unwrap()
            .contains("logged 0.20 h on T20250001")
    );
}

/// Stops a 35-minute timer across midnight on ticket 1 and sends its log: the request and
/// its two days' ops.
fn send_overnight_log(m: &mut Model) -> (u64, Vec<WriteOp>) {
    timelog_refdata(m);
    let late = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 5, 23, 40, 0).unwrap();
    m.now = late;
    m.update(key('T'));
    m.now = late + chrono::Duration::minutes(35);
    m.update(key('T'));
    m.update(code(KeyCode::Esc)); // no template
    let cmds = m.update(ctrl('s'));
    let [Request::Write { req, op, then, .. }] = apis(&cmds)[..] else {
        panic!("{cmds:?}")
    };
    (*req, std::iter::once(op).chain(then).cloned().collect())
}

fn entry(id: i64, hours: f64) -> Result<WriteResult, String> {
    Ok(WriteResult::TimeLog(Box::new(TimeLog {
        id,
        timespent: Some(hours),
        ..Default::default()
    })))
}

#[test]
fn a_later_day_refused_after_the_first_was_logged_says_which() {
    let mut m = loaded(sample_rows());
    let (req, ops) = send_overnight_log(&mut m);
    m.update(written(req, &ops[0], entry(8, 0.33)));
    assert!(
        matches!(m.layers.last(), Some(Layer::TimeLog(_))),
        "waits for the second day"
    );
    m.update(written(req, &ops[1], Err("HTTP 409: overlaps".into())));
    let err = m.status.error.clone().unwrap_or_default();
    assert!(
        err.contains("logged 0.33 h on T20250001")
            && err.contains("the entry for 2026-11-06 was not logged: HTTP 409: overlaps"),
        "{err}"
    );
    assert!(m.layers.is_empty() && m.in_flight.is_empty());
}

#[test]
fn a_later_day_queued_after_the_first_was_logged_ends_the_log() {
    let mut m = loaded(sample_rows());
    let (req, ops) = send_overnight_log(&mut m);
    m.update(written(req, &ops[0], entry(8, 0.33)));
    let cmds = m.update(api(Reply::Queued {
        req,
        item: 3,
        op: Box::new(ops[1].clone()),
        reason: "cannot reach the server".into(),
        needs_sign_in: false,
    }));
    assert_eq!(saved_timer(&cmds), Some(None), "the timer file goes");
    assert!(m.layers.is_empty() && m.in_flight.is_empty() && m.timer.is_none());
    let info = m.status.info.clone().unwrap_or_default();
    assert!(info.contains("logged 0.33 h on T20250001"), "{info}");
}

#[test]
fn time_across_midnight_is_logged_as_one_entry_per_day() {
    let mut m = loaded(sample_rows());
    timelog_refdata(&mut m);
    let late = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2026, 11, 5, 23, 40, 0).unwrap();
    m.now = late;
    m.update(key('T'));
    m.now = late + chrono::Duration::minutes(35);
    m.update(key('T'));
    m.update(code(KeyCode::Esc)); // no template
    let Some(Layer::TimeLog(f)) = m.layers.last() else {
        panic!("the form is on top")
    };
    assert_eq!(f.minutes, "35");
    let cmds = m.update(ctrl('s'));
    let [Request::Write { req, op, then, .. }] = apis(&cmds)[..] else {
        panic!("{cmds:?}")
    };
    let ops: Vec<&WriteOp> = std::iter::once(op).chain(then).collect();
    let parts: Vec<(String, &str, &str, Option<f64>)> = ops
        .iter()
        .map(|op| {
            let WriteOp::AddTimeLog { input: i, .. } = op else {
                panic!("{op:?}")
            };
            (
                i.start_date.to_string(),
                i.start_time.as_str(),
                i.end_time.as_str(),
                i.timespent,
            )
        })
        .collect();
    assert_eq!(
        parts,
        vec![
            ("2026-11-05".into(), "23:40:00", "23:59:59", Some(0.33)),
            ("2026-11-06".into(), "00:00:00", "00:15:00", Some(0.25)),
        ]
    );
    let req = *req;
    let log = |id, h| {
        Ok(WriteResult::TimeLog(Box::new(TimeLog {
            id,
            timespent: Some(h),
            ..Default::default()
        })))
    };
    // The server answers each day's entry.
    m.update(written(req, ops[0], log(8, 0.33)));
    m.update(written(req, ops[1], log(9, 0.25)));
    assert!(m.layers.is_empty() && m.timer.is_none());
    let info = m.status.info.clone().unwrap_or_default();
    assert!(
        info.contains("logged 0.58 h on T20250001 (2 entries, one per day)"),
        "{info}"
    );

    // A span longer than a working day is refused before anything is sent.
    m.update(key('T'));
    m.now = late + chrono::Duration::hours(17);
    m.update(key('T'));
    m.update(code(KeyCode::Esc));
    assert!(apis(&m.update(ctrl('s'))).is_empty());
    let Some(Layer::TimeLog(f)) = m.layers.last() else {
        panic!()
    };
    assert!(
        f.state.error().unwrap().contains("at most 16 h"),
        "{:?}",
        f.state
    );
}

#[test]
fn time_log_form_needs_a_work_type_and_asks_before_discarding() {
    let mut m = loaded(sample_rows());
    m.update(key('T'));
    m.now = now() + chrono::Duration::minutes(5);
    m.update(key('T'));
    // No templates or work types known: the picker waits; esc leaves the form.
    m.update(code(KeyCode::Esc));
    let cmds = m.update(ctrl('s'));
    assert!(apis(&cmds).is_empty());
    let Some(Layer::TimeLog(f)) = m.layers.last() else {
        panic!()
    };
    assert!(f.state.error().unwrap().contains("work type and a role"));
    // Work types arrive: the defaults fill in.
    timelog_refdata(&mut m);
    let Some(Layer::TimeLog(f)) = m.layers.last() else {
        panic!()
    };
    assert_eq!((f.work_type_id, f.role_id), (Some(31), Some(40)));
    m.update(code(KeyCode::Esc));
    assert!(matches!(m.layers.last(), Some(Layer::Confirm(_))));
    m.update(key('n'));
    assert!(matches!(m.layers.last(), Some(Layer::TimeLog(_))), "kept");
    m.update(code(KeyCode::Esc));
    let cmds = m.update(key('y'));
    assert_eq!(saved_timer(&cmds), Some(None));
    assert!(m.timer.is_none() && m.layers.is_empty());
}

#[test]
fn timer_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let running = Timer {
        ticket_id: Some(2),
        ticket_number: "T20250002".into(),
        title: "VPN drops every hour".into(),
        started_at: now() - chrono::Duration::minutes(42),
        stopped_at: None,
        call: false,
    };
    crate::timer::save(dir.path(), Some(&running)).unwrap();
    let mut m = model();
    m.timer = crate::timer::load(dir.path());
    let cmds = m.init(Vec::new());
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::After(_, Msg::TimerTick(_))))
    );
    assert_eq!(timer_text(&m).unwrap(), " TIMER T20250002 0:42 ");
    assert!(m.status.info.as_deref().unwrap().contains("running since"));
    // Stopped but not logged: the form comes back.
    let stopped = Timer {
        stopped_at: Some(now() - chrono::Duration::minutes(2)),
        ..running
    };
    crate::timer::save(dir.path(), Some(&stopped)).unwrap();
    let mut m = model();
    m.timer = crate::timer::load(dir.path());
    m.init(Vec::new());
    assert!(
        m.layers
            .iter()
            .any(|l| matches!(l, Layer::TimeLog(f) if f.minutes == "40"))
    );
    assert_eq!(timer_text(&m).unwrap(), " UNLOGGED T20250002 0:40 ");
}

#[test]
fn call_on_the_selected_ticket_pins_and_ends_with_a_time_log() {
    let mut m = loaded(sample_rows());
    timelog_refdata(&mut m);
    m.update(key('j'));
    let cmds = m.update(key('c'));
    let t = saved_timer(&cmds).flatten().unwrap();
    assert_eq!((t.ticket_id, t.call), (Some(2), true));
    assert_eq!(note_mode(&m), &NoteMode::Note, "a quick note opens");
    send(&mut m, typed("User rang: VPN dropped again"));
    m.update(code(KeyCode::Esc));
    // Pinned while navigating elsewhere.
    m.now = now() + chrono::Duration::minutes(3);
    send(&mut m, [key('G'), key('2')]);
    assert_eq!(timer_text(&m).unwrap(), " CALL T20250002 0:03 ");
    // c again ends the call and offers its time log.
    m.update(key('c'));
    assert!(matches!(
        top_picker(&m).purpose,
        Purpose::TimeLog(LogFocus::Template)
    ));
    let Some(Layer::TimeLog(f)) = m.layers.iter().find(|l| matches!(l, Layer::TimeLog(_))) else {
        panic!()
    };
    assert_eq!((f.ticket_id, f.minutes.as_str()), (2, "3"));
}

#[test]
fn call_on_a_new_ticket_binds_when_created_and_ends_if_abandoned() {
    let mut m = loaded(sample_rows());
    let cmds = m.update(key('C'));
    let t = saved_timer(&cmds).flatten().unwrap();
    assert_eq!((t.ticket_id, t.call), (None, true));
    assert_eq!(timer_text(&m).unwrap(), " CALL new ticket 0:00 ");
    // No call template: straight to the account.
    assert!(matches!(
        top_picker(&m).purpose,
        Purpose::NewTicket {
            field: Field::Account,
            chain: true
        }
    ));
    let nt = m.new_ticket.as_ref().unwrap();
    assert!(nt.call);
    assert_eq!(nt.draft.source_id, Some(1), "the source is Phone");
    // Given up at the account: the call ends, nothing to log.
    let cmds = m.update(code(KeyCode::Esc));
    assert_eq!(saved_timer(&cmds), Some(None));
    assert!(m.timer.is_none() && m.new_ticket.is_none());

    // Again, and this time the ticket is created: the call timer binds to it.
    m.update(key('C'));
    let req = 99;
    let nt = m.new_ticket.as_mut().unwrap();
    nt.state = crate::forms::EditorState::Sending(req);
    let mut created = bmsdesk_core::model::Ticket {
        row: row(
            42,
            "Caller cannot print",
            "Acme Corp",
            (1, "New"),
            (3, "Medium"),
            None,
        ),
        ..Default::default()
    };
    created.row.ticket_number = "T20250042".into();
    let draft = bmsdesk_core::draft::TicketDraft {
        title: Some("Caller cannot print".into()),
        details: Some("By phone".into()),
        account_id: Some(100),
        location_id: Some(1),
        status_id: Some(1),
        priority_id: Some(3),
        type_id: Some(1),
        source_id: Some(1),
        queue_id: Some(1),
        ..Default::default()
    };
    let create = WriteOp::CreateTicket {
        input: draft.validate().unwrap(),
    };
    let cmds = m.update(written(
        req,
        &create,
        Ok(WriteResult::Ticket(Box::new(created))),
    ));
    let t = saved_timer(&cmds).flatten().unwrap();
    assert_eq!(
        (t.ticket_id, t.ticket_number.as_str()),
        (Some(42), "T20250042")
    );
    assert_eq!(timer_text(&m).unwrap(), " CALL T20250042 0:00 ");
    assert_eq!(m.list.sel_id, Some(42));
}

#[test]
fn cursor_stays_on_top_while_a_view_loads_page_by_page() {
    let mut m = loaded(sample_rows());
    let cmds = m.update(key('2'));
    let seq = search_seq(&cmds).unwrap();
    let rows = sample_rows();
    m.update(api(Reply::Page {
        search_gen: seq,
        rows: rows[..2].to_vec(),
        total: Some(5),
    }));
    m.prepare();
    assert_eq!(m.list.sel_id, Some(1));
    // Looking at the dashboard meanwhile does not take the cursor.
    send(&mut m, [key('D'), key('D')]);
    // Ticket 4 breaches first and arrives later: the cursor follows the top...
    m.update(api(Reply::Page {
        search_gen: seq,
        rows: rows[2..].to_vec(),
        total: Some(5),
    }));
    m.update(api(Reply::SearchDone {
        search_gen: seq,
        result: Ok(5),
        at: now(),
    }));
    assert_eq!(m.list.sel_id, Some(4));
    // ...until a key moves it.
    m.update(key('j'));
    assert_eq!(m.list.sel_id, Some(1));
}
