//! Rendering snapshots: the main screens at 80x24 (the smallest supported) and larger.
//! Regenerate with `INSTA_UPDATE=always cargo test --test it tui_render::`, then review the diff.

use std::sync::Arc;

use bmsdesk_core::model::{Note, Ticket, TimeLog, UserInfo};
use bmsdesk_tui::app::Model;
use bmsdesk_tui::protocol::{Cmd, Msg};
use bmsdesk_tui::protocol::{DetailData, NoteView, Reply, Request};
use bmsdesk_tui::testkit::*;
use bmsdesk_tui::views;
use bmsdesk_tui::worker::clean_row;
use crossterm::event::KeyCode;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn draw(m: &mut Model, w: u16, h: u16) -> String {
    m.update(Msg::Resize(w, h));
    m.prepare();
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| views::render(m, f)).unwrap();
    t.backend().to_string()
}

fn base() -> Model {
    let mut m = loaded(sample_rows());
    m.update(api(Reply::Me(UserInfo {
        user_id: 7,
        full_name: "Alice Smith".into(),
        ..Default::default()
    })));
    // Show every ticket: the "Open" view.
    let cmds = m.update(key('2'));
    let seq = search_seq(&cmds).unwrap();
    m.update(api(Reply::Page {
        search_gen: seq,
        rows: sample_rows(),
        total: Some(5),
    }));
    m.update(api(Reply::SearchDone {
        search_gen: seq,
        result: Ok(5),
        at: now() - chrono::Duration::minutes(3),
    }));
    m.status.info = None;
    // The Open view sorts by time to breach; put the cursor on ticket 1 (the detail fixture).
    select(&mut m, 1);
    m
}

fn detail_for(m: &Model, id: i64) -> Arc<DetailData> {
    let row = m.list.get(id).unwrap().clone();
    let notes = [
        Note {
            id: 1,
            details:
                "<p>Client reports the printer shows <b>offline</b>.</p><p>Tried power cycle.</p>"
                    .into(),
            is_internal: Some(false),
            created_by_name: Some("Alice Smith".into()),
            created_on: Some(now() - chrono::Duration::minutes(50)),
            type_name: Some("General".into()),
            ..Default::default()
        },
        Note {
            id: 2,
            details: "Driver looks corrupt; plan a reinstall.".into(),
            is_internal: Some(true),
            created_by_name: Some("Bob Jones".into()),
            created_on: Some(now() - chrono::Duration::minutes(20)),
            ..Default::default()
        },
    ];
    Arc::new(DetailData {
        ticket: Ticket {
            row,
            details: Some("<p>The 2nd floor printer is offline since this morning.</p>".into()),
            source_name: Some("Phone".into()),
            ..Default::default()
        },
        details_text: "The 2nd floor printer is offline since this morning.".into(),
        notes: notes.iter().map(NoteView::from_note).collect(),
        time_logs: vec![TimeLog {
            id: 1,
            start_date: Some((now() - chrono::Duration::minutes(45)).date_naive()),
            start_time: Some("11:15:00".into()),
            end_time: Some("11:45:00".into()),
            timespent: Some(0.5),
            employee_name: Some("Alice Smith".into()),
            work_type_name: Some("Remote support".into()),
            notes: Some("Remote session".into()),
            ..Default::default()
        }],
        fetched_at: now() - chrono::Duration::seconds(10),
        ..Default::default()
    })
}

fn open_detail(m: &mut Model) {
    let cmds = m.update(code(KeyCode::Enter));
    let seq = cmds
        .iter()
        .find_map(|c| match c {
            bmsdesk_tui::Cmd::Api(bmsdesk_tui::protocol::Request::Detail {
                detail_gen: seq,
                ..
            }) => Some(*seq),
            _ => None,
        })
        .expect("detail requested");
    let d = detail_for(m, 1);
    m.update(api(Reply::Detail {
        detail_gen: seq,
        id: 1,
        result: Ok(d),
    }));
}

#[test]
fn list_80x24() {
    bmsdesk_core::clock::pin_for_tests();
    let mut m = base();
    let s = draw(&mut m, 80, 24);
    assert!(s.contains("T20250001"));
    assert!(s.contains("5 tickets"));
    assert!(s.contains("updated 3m ago"));
    insta::assert_snapshot!(s);
}

#[test]
fn list_filtered_and_marked_80x24() {
    bmsdesk_core::clock::pin_for_tests();
    let mut m = base();
    send(&mut m, [key(' ')]);
    send(&mut m, [key('/')]);
    send(&mut m, typed("printer"));
    let s = draw(&mut m, 80, 24);
    assert!(s.contains("/printer"));
    assert!(s.contains("2 matches"));
    insta::assert_snapshot!(s);
}

#[test]
fn detail_80x24() {
    bmsdesk_core::clock::pin_for_tests();
    let mut m = base();
    open_detail(&mut m);
    let s = draw(&mut m, 80, 24);
    assert!(s.contains("Phone"), "source by name");
    assert!(s.contains("Alice Smith"), "assignee by name");
    insta::assert_snapshot!("detail_80x24", s);
    // The pane scrolls on its own down to the notes.
    send(&mut m, (0..12).map(|_| key('j')));
    let s = draw(&mut m, 80, 24);
    assert!(s.contains("EXTERNAL"));
    assert!(s.contains("INTERNAL"));
    insta::assert_snapshot!("detail_scrolled_80x24", s);
}

#[test]
fn list_and_detail_side_by_side_160x40() {
    bmsdesk_core::clock::pin_for_tests();
    let mut m = base();
    m.update(Msg::Resize(160, 40));
    open_detail(&mut m);
    m.update(code(KeyCode::Tab)); // focus back to the list
    let s = draw(&mut m, 160, 40);
    assert!(s.contains("Time logs (1)"));
    insta::assert_snapshot!(s);
}

#[test]
fn status_picker_80x24() {
    bmsdesk_core::clock::pin_for_tests();
    let mut m = base();
    m.update(key('s'));
    let s = draw(&mut m, 80, 24);
    assert!(s.contains("Status of T20250001"));
    insta::assert_snapshot!(s);
}

#[test]
fn account_picker_narrowed_80x24() {
    bmsdesk_core::clock::pin_for_tests();
    let mut m = base();
    send(&mut m, [key('n'), code(KeyCode::Enter)]);
    send(&mut m, typed("cont"));
    let s = draw(&mut m, 80, 24);
    assert!(s.contains("│› Contoso"));
    assert!(s.contains(" 1/3 "), "one of three accounts matches");
    insta::assert_snapshot!(s);
}

#[test]
fn new_ticket_form_and_review_80x24() {
    bmsdesk_core::clock::pin_for_tests();
    let mut m = base();
    m.data.locations.insert(
        100,
        Ok(vec![bmsdesk_core::model::Location {
            id: 11,
            name: "Head office".into(),
            account_id: 100,
            is_main: Some(true),
        }]),
    );
    send(
        &mut m,
        [key('n'), code(KeyCode::Enter), code(KeyCode::Enter)],
    );
    for _ in 0..5 {
        m.update(code(KeyCode::Enter));
    }
    send(&mut m, typed("Scanner not scanning to email"));
    let form = draw(&mut m, 80, 24);
    assert!(form.contains("Head office"));
    assert!(form.contains("missing: details"));
    insta::assert_snapshot!("new_ticket_form_80x24", form);
    m.update(ctrl('s'));
    m.update(code(KeyCode::Enter));
    let review = draw(&mut m, 80, 24);
    assert!(review.contains("cannot create the ticket: missing details"));
    insta::assert_snapshot!("new_ticket_review_80x24", review);
    let big = draw(&mut m, 120, 40);
    insta::assert_snapshot!("new_ticket_review_120x40", big);
}

#[test]
fn note_editor_80x24() {
    bmsdesk_core::clock::pin_for_tests();
    let mut m = base();
    m.update(key('a'));
    send(&mut m, typed("Called the client, printer back online."));
    m.update(Msg::DraftDue);
    let s = draw(&mut m, 80, 24);
    assert!(s.contains("INTERNAL"));
    assert!(s.contains("draft saved 2025-03-10 12:00"));
    insta::assert_snapshot!(s);
}

#[test]
fn help_80x24_and_120x40() {
    bmsdesk_core::clock::pin_for_tests();
    let mut m = base();
    m.update(key('?'));
    let small = draw(&mut m, 80, 24);
    assert!(small.contains("set status"));
    insta::assert_snapshot!("help_80x24", small);
    let big = draw(&mut m, 120, 40);
    insta::assert_snapshot!("help_120x40", big);
}

#[test]
fn palette_80x24() {
    bmsdesk_core::clock::pin_for_tests();
    let mut m = base();
    m.update(key(':'));
    send(&mut m, typed("note"));
    let s = draw(&mut m, 80, 24);
    assert!(s.contains("add a note"));
    insta::assert_snapshot!(s);
}

/// The Open view (sorted by time to breach) with [`triage_rows`].
fn triage(long_numbers: bool) -> Model {
    let mut m = loaded(triage_rows(long_numbers));
    open_view(&mut m, '2', triage_rows(long_numbers));
    m.status.info = None;
    m
}

#[test]
fn list_with_due_column_80x24_120x40_200x50() {
    bmsdesk_core::clock::pin_for_tests();
    let mut m = triage(true);
    let s = draw(&mut m, 80, 24);
    assert!(s.contains("T20250310.0008"), "numbers in full");
    assert!(s.contains("Due in▲"));
    assert!(s.contains("-1d") || s.contains("h"), "{s}");
    assert!(s.contains("⏸ 2h"), "paused marker");
    assert!(s.contains("✓"), "closed within target");
    insta::assert_snapshot!("due_list_80x24", s);
    // Detail pane beside the list: the number stays whole, the title gets the room.
    m.update(Msg::Resize(120, 40));
    let cmds = m.update(Msg::DetailDue(8));
    let seq = cmds
        .iter()
        .find_map(|c| match c {
            bmsdesk_tui::Cmd::Api(bmsdesk_tui::protocol::Request::Detail {
                detail_gen: seq,
                ..
            }) => Some(*seq),
            _ => None,
        })
        .expect("detail requested");
    let d = detail_for(&m, 8);
    m.update(api(Reply::Detail {
        detail_gen: seq,
        id: 8,
        result: Ok(d),
    }));
    let s = draw(&mut m, 120, 40);
    assert!(s.contains("T20250310.0008 Server room temperature"), "{s}");
    assert!(s.contains("Respond") && s.contains("Resolve"));
    insta::assert_snapshot!("due_list_120x40", s);
    let s = draw(&mut m, 200, 50);
    assert!(s.contains("Assignee") && s.contains("Account"));
    insta::assert_snapshot!("due_list_200x50", s);
}

#[test]
fn dashboard_80x24_and_200x50() {
    bmsdesk_core::clock::pin_for_tests();
    let mut m = triage(false);
    m.update(key('D'));
    let s = draw(&mut m, 80, 24);
    assert!(s.contains("Dashboard · Open · 8 tickets"), "{s}");
    assert!(s.contains("SLA pulse"));
    assert!(s.contains("Help Desk") && s.contains("Projects"));
    assert!(s.contains("Status") && s.contains("Priority") && s.contains("Load"));
    insta::assert_snapshot!("dashboard_80x24", s);
    let s = draw(&mut m, 200, 50);
    insta::assert_snapshot!("dashboard_200x50", s);
}

#[test]
fn escalation_note_and_time_log_80x24() {
    bmsdesk_core::clock::pin_for_tests();
    let mut m = triage(false);
    statuses_with_escalation(&mut m);
    select(&mut m, 1);
    m.update(key('e'));
    send(&mut m, typed("Printer needs an on-site engineer"));
    let s = draw(&mut m, 80, 24);
    assert!(s.contains("Escalate T20250001"));
    assert!(s.contains("Escalating needs a note giving the reason"));
    insta::assert_snapshot!("escalate_note_80x24", s);
    m.update(code(KeyCode::Esc));
    // A timer: pinned in the status bar, then its time-log form.
    timelog_refdata(&mut m);
    m.update(key('T'));
    m.now = now() + chrono::Duration::minutes(25);
    m.update(key('j'));
    let s = draw(&mut m, 80, 24);
    assert!(s.contains("TIMER T20250001 0:25"), "{s}");
    m.update(key('T'));
    m.update(code(KeyCode::Esc)); // no template
    let s = draw(&mut m, 80, 24);
    assert!(s.contains("Log time on T20250001"));
    assert!(s.contains("Remote Support") && s.contains("Service Desk"));
    assert!(s.contains("UNLOGGED T20250001 0:25"));
    insta::assert_snapshot!("time_log_80x24", s);
}

#[test]
fn server_strings_cannot_reach_the_terminal() {
    bmsdesk_core::clock::pin_for_tests();
    let mut m = base();
    let mut evil = sample_rows()[0].clone();
    evil.id = 42;
    evil.title = "pwn\x1b]0;owned\x07\x1b[2J\u{202e}gnp.exe".into();
    evil.account_name = Some("Acme\r\nInjected".into());
    clean_row(&mut evil);
    let seq = m.search_gen;
    m.update(api(Reply::Page {
        search_gen: seq,
        rows: vec![evil],
        total: None,
    }));
    let s = draw(&mut m, 100, 24);
    assert!(!s.chars().any(|c| c.is_control() && c != '\n'), "{s:?}");
    assert!(
        s.contains("pwngnp.exe") && !s.contains("owned"),
        "escape sequences are removed whole"
    );
    assert!(s.contains("Acme Inj"), "CR LF became a space");
}

#[test]
fn errors_show_in_the_status_bar() {
    bmsdesk_core::clock::pin_for_tests();
    let mut m = base();
    let cmds = m.update(key('r'));
    // `r` on a loaded list asks only for what changed.
    let seq = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::Api(Request::Refresh {
                search_gen: seq, ..
            }) => Some(*seq),
            _ => None,
        })
        .unwrap();
    m.update(api(Reply::Changed {
        search_gen: seq,
        result: Err("HTTP 503: Service Unavailable".into()),
        at: now(),
    }));
    let s = draw(&mut m, 80, 24);
    assert!(s.contains("loading tickets failed: HTTP 503"));
}

#[test]
fn frames_only_build_visible_rows() {
    bmsdesk_core::clock::pin_for_tests();
    // 100k tickets: the frame draws the viewport, not the list.
    let mut m = base();
    let rows: Vec<_> = (1000..101_000)
        .map(|i| {
            row(
                i,
                &format!("Ticket number {i}"),
                "Big Account",
                (1, "New"),
                (3, "Medium"),
                None,
            )
        })
        .collect();
    let seq = m.search_gen;
    m.update(api(Reply::Page {
        search_gen: seq,
        rows,
        total: Some(100_000),
    }));
    // Newest first, so the last rows are known.
    m.list.sort = bmsdesk_tui::settings::Sort::default();
    m.list.invalidate();
    m.prepare();
    let mut t = Terminal::new(TestBackend::new(200, 50)).unwrap();
    m.update(Msg::Resize(200, 50));
    m.update(key('G'));
    t.draw(|f| views::render(&m, f)).unwrap();
    let start = std::time::Instant::now();
    for _ in 0..20 {
        m.update(key('k'));
        t.draw(|f| views::render(&m, f)).unwrap();
    }
    let per_frame = start.elapsed() / 20;
    // Generous bound for a debug build on a busy machine; the benchmark has the real target.
    assert!(per_frame.as_millis() < 250, "{per_frame:?} per key+frame");
    assert!(t.backend().to_string().contains("Ticket number 100979"));
}

#[test]
fn list_offline_with_pending_writes_80x24() {
    bmsdesk_core::clock::pin_for_tests();
    use bmsdesk_core::actions::WriteOp;
    use bmsdesk_core::model::NoteInput;
    use bmsdesk_core::store::outbox::OutboxItem;
    let mut m = base();
    m.list.from_cache = true;
    let cmds = m.update(key('r'));
    let seq = search_seq(&cmds).unwrap();
    m.update(api(Reply::Link {
        online: false,
        reason: Some("cannot reach the server".into()),
    }));
    m.update(api(Reply::SearchDone {
        search_gen: seq,
        result: Err("cannot reach the server".into()),
        at: now(),
    }));
    let note = WriteOp::AddNote {
        ticket_id: 2,
        input: NoteInput {
            details: "<p>Called back</p>".into(),
            is_internal: true,
            type_id: 1,
            note_date: now(),
            status_id: None,
        },
    };
    m.update(api(Reply::Outbox(vec![OutboxItem::new(4, note)])));
    let s = draw(&mut m, 80, 24);
    assert!(s.contains("OFFLINE · 1 pending"), "{s}");
    assert!(s.contains("working from the cache"), "{s}");
    assert!(s.contains("cached 3m ago"), "{s}");
    let row = s.lines().find(|l| l.contains("T20250002")).unwrap();
    assert!(row.contains('⧗'), "{row}");
    insta::assert_snapshot!(s);
}

/// A note queued while the link is down shows at once in the detail pane, above a long thread
/// (it used to sit below the server's notes, out of sight on a busy ticket).
#[test]
fn a_pending_note_is_visible_above_a_long_thread_120x40() {
    bmsdesk_core::clock::pin_for_tests();
    use bmsdesk_core::actions::WriteOp;
    use bmsdesk_core::model::NoteInput;
    use bmsdesk_core::store::outbox::OutboxItem;
    let mut m = base();
    let cmds = m.update(code(KeyCode::Enter));
    let seq = cmds
        .iter()
        .find_map(|c| match c {
            bmsdesk_tui::Cmd::Api(bmsdesk_tui::protocol::Request::Detail {
                detail_gen: seq,
                ..
            }) => Some(*seq),
            _ => None,
        })
        .expect("detail requested");
    let mut d = (*detail_for(&m, 1)).clone();
    let first = d.notes[0].clone();
    d.notes = (0..30)
        .map(|i| {
            let mut n = first.clone();
            n.text = format!("history note {i}\nsecond line\nthird line");
            n
        })
        .collect();
    m.update(api(Reply::Detail {
        detail_gen: seq,
        id: 1,
        result: Ok(Arc::new(d)),
    }));
    let note = WriteOp::AddNote {
        ticket_id: 1,
        input: NoteInput {
            details: "<p>rebooted the switch</p>".into(),
            is_internal: true,
            type_id: 1,
            note_date: now(),
            status_id: None,
        },
    };
    m.update(Msg::Resize(80, 24));
    m.update(api(Reply::Outbox(vec![OutboxItem::new(4, note)])));
    // Small terminal: the pane scrolls down to the thread, where the pending note is first.
    let s = draw(&mut m, 80, 24);
    assert!(s.contains("⧗ PENDING"), "{s}");
    assert!(s.contains("rebooted the switch"), "{s}");
    let s = draw(&mut m, 120, 40);
    assert!(s.contains("⧗ PENDING"), "{s}");
    assert!(s.contains("rebooted the switch"), "{s}");
    let pending = s.find("⧗ PENDING").unwrap();
    let history = s.find("history note 0").unwrap_or(usize::MAX);
    assert!(pending < history, "the pending note comes first: {s}");
}
