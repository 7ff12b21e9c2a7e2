//! The outbox, the link and the budget as the model sees them.

use super::*;
use crate::app::placeholder_id;
use crate::protocol::BudgetLow;
use crate::views::status_bar;
use bmsdesk_core::actions::{WriteOp, WriteResult};
use bmsdesk_core::model::{NoteInput, TicketInput};
use bmsdesk_core::store::outbox::{ItemState, OutboxItem};

fn note_op(ticket_id: i64, text: &str) -> WriteOp {
    WriteOp::AddNote {
        ticket_id,
        input: NoteInput {
            details: format!("<p>{text}</p>"),
            is_internal: true,
            type_id: 1,
            note_date: now(),
            status_id: None,
        },
    }
}

fn item(seq: u64, op: WriteOp, state: ItemState, error: Option<&str>) -> OutboxItem {
    let mut i = OutboxItem::new(seq, op);
    i.state = state;
    i.last_error = error.map(str::to_string);
    i
}

/// Types a note on ticket 1 and sends it; returns the request key.
fn send_note(m: &mut Model, text: &str) -> u64 {
    m.update(key('a'));
    send(m, typed(text));
    let cmds = m.update(ctrl('s'));
    let [(req, WriteOp::AddNote { .. })] = writes(&cmds)[..] else {
        panic!("{cmds:?}")
    };
    req
}

fn status_line(m: &mut Model) -> String {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    m.size = (80, 24);
    t.draw(|f| crate::views::render(m, f)).unwrap();
    let s = t.backend().to_string();
    s.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap()
        .to_string()
}

#[test]
fn a_queued_note_is_pending_then_delivered() {
    let mut m = loaded(sample_rows());
    let req = send_note(&mut m, "Rebooted");
    assert!(m.drafts.contains_key(&1));
    let op = note_op(1, "Rebooted");
    let cmds = m.update(api(Reply::Queued {
        req,
        item: 4,
        op: Box::new(op.clone()),
        reason: "cannot reach the server".into(),
        needs_sign_in: false,
    }));
    // The outbox holds the note durably: the editor closes and the draft goes.
    assert!(m.layers.is_empty());
    assert!(cmds.iter().any(|c| matches!(c, Cmd::RemoveDraft(1))));
    assert!(!m.drafts.contains_key(&1));
    assert!(m.in_flight.is_empty(), "no longer in flight");
    assert!(
        m.status
            .warn
            .as_deref()
            .unwrap()
            .starts_with("queued: add note")
    );
    m.update(api(Reply::Outbox(vec![item(
        4,
        op.clone(),
        ItemState::Pending,
        Some("cannot reach the server"),
    )])));
    assert_eq!(m.outbox.pending(), 1);
    assert_eq!(m.outbox.ticket_state(1), Some(ItemState::Pending));
    assert_eq!(m.outbox.ticket_state(2), None);
    assert_eq!(m.outbox.notes_for(1).count(), 1);
    let line = status_line(&mut m);
    assert!(line.contains("1 pending"), "{line}");
    // The row of ticket 1 carries the pending marker.
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    t.draw(|f| crate::views::render(&m, f)).unwrap();
    let screen = t.backend().to_string();
    let row = screen.lines().find(|l| l.contains("T20250001")).unwrap();
    assert!(row.contains('⧗'), "{row}");

    // Delivered: the note is merged into the detail, the marker goes with the outbox.
    m.detail.cache.insert(
        1,
        Arc::new(DetailData {
            ticket: Ticket {
                row: sample_rows()[0].clone(),
                ..Default::default()
            },
            ..Default::default()
        }),
    );
    let note = Note {
        id: 77,
        details: "<p>Rebooted</p>".into(),
        ..Default::default()
    };
    m.update(api(Reply::Delivered {
        item: 4,
        op: Box::new(op),
        result: Box::new(WriteResult::Note(Box::new(note))),
    }));
    assert_eq!(m.outbox.pending(), 0);
    assert_eq!(m.outbox.ticket_state(1), None);
    assert_eq!(m.detail.cache[&1].notes.len(), 1);
    assert_eq!(m.detail.cache[&1].notes[0].id, 77);
    m.update(api(Reply::Outbox(Vec::new())));
    let line = status_line(&mut m);
    assert!(!line.contains("pending"), "{line}");
}

#[test]
fn a_conflict_is_shown_and_listed_for_retry_or_drop() {
    let mut m = loaded(sample_rows());
    let op = note_op(2, "Too late");
    m.update(api(Reply::Conflict {
        item: 3,
        op: Box::new(op.clone()),
        error: "not found: ticket 2".into(),
    }));
    let e = m.status.error.clone().unwrap();
    assert!(
        e.contains("refused by the server") && e.contains("not found"),
        "{e}"
    );
    m.update(api(Reply::Outbox(vec![item(
        3,
        op,
        ItemState::Conflict,
        Some("not found: ticket 2"),
    )])));
    assert_eq!((m.outbox.pending(), m.outbox.conflicts()), (0, 1));
    assert_eq!(m.outbox.ticket_state(2), Some(ItemState::Conflict));
    assert!(status_line(&mut m).contains("1 conflict"));
    // W lists it with its error; Enter on "retry" sends it again, on "drop" drops it.
    m.update(key('W'));
    let p = top_picker(&m);
    assert_eq!(p.purpose, Purpose::Outbox);
    let l = labels(p);
    assert!(
        l[0].starts_with("retry #3 CONFLICT: add note to ticket 2"),
        "{l:?}"
    );
    assert!(l[1].starts_with("drop  #3"), "{l:?}");
    assert!(p.items[0].hint.contains("not found"));
    let cmds = m.update(code(KeyCode::Enter));
    assert!(matches!(
        apis(&cmds)[..],
        [Request::OutboxRetry { item: 3 }]
    ));
    m.update(key('W'));
    m.update(code(KeyCode::Down));
    let cmds = m.update(code(KeyCode::Enter));
    assert!(matches!(apis(&cmds)[..], [Request::OutboxDrop { item: 3 }]));
}

#[test]
fn a_ticket_created_offline_shows_as_a_placeholder_until_delivered() {
    let mut m = loaded(sample_rows());
    let input = TicketInput {
        title: "Printer on fire".into(),
        account_id: 10,
        status_id: 1,
        priority_id: 2,
        open_date: now(),
        details: String::new(),
        location_id: 1,
        type_id: 1,
        source_id: 0,
        contact_id: None,
        queue_id: None,
        assignee_id: None,
        issue_type_id: None,
        sub_issue_type_id: None,
        work_type_id: None,
        due_date: None,
    };
    let op = WriteOp::CreateTicket { input };
    m.update(api(Reply::Outbox(vec![item(
        9,
        op.clone(),
        ItemState::Pending,
        None,
    )])));
    let ph = placeholder_id(9);
    let row = m.list.get(ph).expect("placeholder row");
    assert_eq!(row.title, "Printer on fire");
    assert_eq!(m.outbox.ticket_state(ph), Some(ItemState::Pending));
    // Selecting it asks nothing of the server.
    select(&mut m, ph);
    let cmds = m.update(Msg::DetailDue(ph));
    assert!(apis(&cmds).is_empty());
    let mut t = sample_rows()[0].clone();
    t.id = 500;
    t.ticket_number = "T20259999".into();
    t.title = "Printer on fire".into();
    m.update(api(Reply::Delivered {
        item: 9,
        op: Box::new(op),
        result: Box::new(WriteResult::Ticket(Box::new(Ticket {
            row: t,
            ..Default::default()
        }))),
    }));
    assert!(m.list.get(ph).is_none());
    assert!(m.list.get(500).is_some());
    assert_eq!(m.list.sel_id, Some(500));
}

#[test]
fn offline_banner_on_and_off_and_the_list_stays() {
    let mut m = loaded(sample_rows());
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
    assert!(m.outbox.offline.is_some());
    assert!(m.status.error.is_none(), "{:?}", m.status.error);
    assert_eq!(m.status.warn.as_deref(), Some("working from the cache"));
    assert_eq!(m.list.visible_len(), 5, "the cached rows stay");
    let line = status_line(&mut m);
    assert!(line.contains("OFFLINE"), "{line}");
    // No background refresh while offline.
    assert!(apis(&m.update(api(Reply::RefreshDue))).is_empty());
    // Back: the banner clears, lookups and the list are loaded again.
    let cmds = m.update(api(Reply::Link {
        online: true,
        reason: None,
    }));
    assert!(m.outbox.offline.is_none());
    assert!(
        apis(&cmds)
            .iter()
            .any(|r| matches!(r, Request::Warmup { .. }))
    );
    assert!(search_seq(&cmds).is_some());
    assert!(!status_line(&mut m).contains("OFFLINE"));
}

#[test]
fn low_budget_shows_and_a_due_refresh_searches() {
    let mut m = loaded(sample_rows());
    assert!(!status_line(&mut m).contains("API "));
    m.update(api(Reply::Budget {
        low: Some(BudgetLow {
            endpoint: "GET /v2/servicedesk/tickets/search".into(),
            remaining: 412,
            limit: 1500,
        }),
        refresh_every: std::time::Duration::from_secs(240),
    }));
    let line = status_line(&mut m);
    assert!(line.contains("API 412/1500"), "{line}");
    assert_eq!(status_bar::link_text(&m).unwrap().trim(), "API 412/1500");
    // The loaded list is refreshed by what changed, not loaded again (the budget!).
    let cmds = m.update(api(Reply::RefreshDue));
    assert!(refresh_seq(&cmds).is_some());
    assert!(search_seq(&cmds).is_none());
}

#[test]
fn a_draft_whose_note_waits_in_the_outbox_is_no_draft_any_more() {
    // What a restart after `kill -9` mid-send finds: the draft, and the outbox item that was
    // sent from it.
    let mut m = loaded(sample_rows());
    let sent = bmsdesk_core::store::drafts::NoteDraft::new(1, "Rebooted");
    let newer = {
        let mut d = bmsdesk_core::store::drafts::NoteDraft::new(2, "A new note");
        d.updated_at = sent.updated_at + chrono::TimeDelta::seconds(5);
        d
    };
    m.init(vec![sent.clone(), newer.clone()]);
    let mut a = item(3, note_op(1, "Rebooted"), ItemState::Pending, None);
    a.draft = Some(sent.key());
    // Item 4 went out from an earlier version of ticket 2's draft: the newer text stays.
    let mut b = item(4, note_op(2, "old"), ItemState::Pending, None);
    b.draft = Some(bmsdesk_core::store::drafts::DraftKey {
        ticket_id: 2,
        saved_at: sent.updated_at,
    });
    let cmds = m.update(api(Reply::Outbox(vec![a.clone(), b])));
    assert!(
        cmds.iter().any(|c| matches!(c, Cmd::RemoveDraft(1))),
        "{cmds:?}"
    );
    assert!(
        !m.drafts.contains_key(&1),
        "`a` starts afresh: no second copy"
    );
    assert_eq!(m.drafts.get(&2), Some(&newer));

    // Delivered without the model having seen the item listed: the same.
    let mut m = loaded(sample_rows());
    m.init(vec![sent.clone()]);
    m.outbox.items = vec![a];
    let cmds = m.update(api(Reply::Delivered {
        item: 3,
        op: Box::new(note_op(1, "Rebooted")),
        result: Box::new(WriteResult::Done),
    }));
    assert!(cmds.iter().any(|c| matches!(c, Cmd::RemoveDraft(1))));
    assert!(m.drafts.is_empty());
}

#[test]
fn a_note_being_sent_keeps_its_draft_while_its_item_is_listed() {
    let mut m = loaded(sample_rows());
    let _req = send_note(&mut m, "Rebooted");
    let d = m.drafts.get(&1).cloned().expect("saved at send");
    let mut i = item(1, note_op(1, "Rebooted"), ItemState::Pending, None);
    i.draft = Some(d.key());
    // The editor is still open, waiting for the answer: if the server refuses, the text
    // must still be there.
    m.update(api(Reply::Outbox(vec![i])));
    assert!(m.drafts.contains_key(&1));
}

#[test]
fn a_client_notice_is_shown_as_a_warning() {
    let mut m = loaded(sample_rows());
    let said = "POST /v2/servicedesk/tickets/search: page 2 brought only rows already read";
    send(&mut m, [api(Reply::Notice(said.into()))]);
    assert_eq!(m.status.warn.as_deref(), Some(said));
}
