//! Keys typed while an editor is still opening (its ticket not loaded yet) go to it, never to
//! the list; `q` asks before quitting while something would be left behind.

use crossterm::event::KeyCode;

use super::super::app::{ConfirmAction, Layer, Model};
use super::super::protocol::{Cmd, Msg, Reply};
use super::super::testkit::*;
use bmsdesk_core::store::drafts::NoteDraft;

fn note_text(m: &Model) -> Option<(i64, String)> {
    match m.layers.last() {
        Some(Layer::Note(e)) => Some((e.ticket_id, e.text())),
        _ => None,
    }
}

fn quits(cmds: &[Cmd]) -> bool {
    cmds.iter().any(|c| matches!(c, Cmd::Quit))
}

/// The view's one page, then the end of its load.
fn load_whole(m: &mut Model, seq: u64) {
    m.update(api(Reply::Page {
        search_gen: seq,
        rows: sample_rows(),
        total: Some(5),
    }));
    m.update(api(Reply::SearchDone {
        search_gen: seq,
        result: Ok(5),
        at: now(),
    }));
}

/// `2` then `a` at once: the view is loading, no row yet. Returns the search's seq.
fn switch_and_add(m: &mut Model) -> u64 {
    let cmds = m.update(key('2'));
    let seq = search_seq(&cmds).expect("the view searches");
    assert!(m.list.sel_id.is_none() && m.list.loading);
    m.update(key('a'));
    seq
}

#[test]
fn keys_typed_while_the_note_editor_waits_for_its_ticket_go_to_it() {
    let mut m = loaded(sample_rows());
    let seq = switch_and_add(&mut m);
    // A sentence with letters that are list commands: T timer, n new ticket, q quit.
    let cmds = send(&mut m, typed("Took a Quick look, need the quote"));
    assert!(!quits(&cmds) && !m.quit, "q must not quit");
    assert!(m.timer.is_none(), "T must not start a timer");
    assert!(m.new_ticket.is_none(), "n must not open a form");
    assert!(m.layers.is_empty(), "nothing opened on the list yet");
    let line = m.status.info.clone().unwrap_or_default();
    assert!(line.contains("note"), "the wait is shown: {line:?}");
    // The view loads: the editor opens on the row at the cursor with everything typed.
    load_whole(&mut m, seq);
    let (id, text) = note_text(&m).expect("the note editor is open");
    assert_eq!(text, "Took a Quick look, need the quote");
    assert_eq!(Some(id), m.list.sel_id);
    // Keys now go straight to the editor.
    send(&mut m, typed("!"));
    assert_eq!(
        note_text(&m).unwrap().1,
        "Took a Quick look, need the quote!"
    );
}

#[test]
fn a_paste_while_the_editor_waits_goes_to_it_too() {
    let mut m = loaded(sample_rows());
    let seq = switch_and_add(&mut m);
    send(&mut m, typed("a"));
    m.update(Msg::Paste("b\rc".into()));
    load_whole(&mut m, seq);
    assert_eq!(note_text(&m).unwrap().1, "ab\nc");
}

#[test]
fn an_editor_whose_view_loads_empty_is_refused_and_the_keys_typed_do_nothing() {
    let mut m = loaded(sample_rows());
    let seq = switch_and_add(&mut m);
    let cmds = send(&mut m, typed("Tnq"));
    assert!(!quits(&cmds));
    m.update(api(Reply::SearchDone {
        search_gen: seq,
        result: Ok(0),
        at: now(),
    }));
    assert!(m.layers.is_empty() && !m.quit && m.timer.is_none());
    let e = m.status.error.clone().unwrap_or_default();
    assert!(e.contains("no ticket") && e.contains("3 keys"), "{e:?}");
    // And the list has the keyboard again.
    m.update(key('/'));
    assert!(m.filter_input);
}

#[test]
fn a_failed_load_refuses_the_waiting_editor_too() {
    let mut m = loaded(sample_rows());
    let seq = switch_and_add(&mut m);
    send(&mut m, typed("hello"));
    m.update(api(Reply::SearchDone {
        search_gen: seq,
        result: Err("HTTP 503".into()),
        at: now(),
    }));
    assert!(m.layers.is_empty());
    assert!(
        m.status
            .error
            .as_deref()
            .unwrap_or_default()
            .contains("5 keys")
    );
}

#[test]
fn esc_gives_up_the_waiting_editor_and_ctrl_s_is_not_replayed() {
    let mut m = loaded(sample_rows());
    let seq = switch_and_add(&mut m);
    send(&mut m, typed("blind"));
    let cmds = m.update(ctrl('s'));
    assert!(cmds.iter().all(|c| !matches!(c, Cmd::Api(_))));
    load_whole(&mut m, seq);
    let Some(Layer::Note(e)) = m.layers.last() else {
        panic!("editor open")
    };
    assert_eq!(e.text(), "blind");
    assert!(
        e.sending().is_none(),
        "a note typed blind is not sent unseen"
    );

    let mut m = loaded(sample_rows());
    let seq = switch_and_add(&mut m);
    send(&mut m, typed("x"));
    m.update(code(KeyCode::Esc));
    load_whole(&mut m, seq);
    assert!(m.layers.is_empty(), "given up");
    send(&mut m, [key('j')]);
    assert_eq!(m.list.sel, 1, "keys act on the list again");
}

fn confirm_prompt(m: &Model) -> Option<String> {
    match m.layers.last() {
        Some(Layer::Confirm(c)) if c.action == ConfirmAction::Quit => Some(c.prompt.clone()),
        _ => None,
    }
}

#[test]
fn q_quits_at_once_when_nothing_would_be_left_behind() {
    let mut m = loaded(sample_rows());
    assert!(quits(&m.update(key('q'))));
}

#[test]
fn q_asks_before_quitting_with_an_unsent_draft() {
    let mut m = loaded(sample_rows());
    m.init(vec![NoteDraft::new(1, "half a note")]);
    let cmds = m.update(key('q'));
    assert!(!quits(&cmds) && !m.quit);
    let p = confirm_prompt(&m).expect("asks");
    assert!(p.contains("1 unsent note draft"), "{p}");
    // Anything but y stays.
    m.update(key('n'));
    assert!(!m.quit && m.layers.is_empty());
    send(&mut m, [key('q')]);
    assert!(quits(&m.update(key('y'))));
}

#[test]
fn q_asks_before_quitting_with_a_running_timer() {
    let mut m = loaded(sample_rows());
    m.update(key('T'));
    assert!(m.timer.is_some());
    assert!(!quits(&m.update(key('q'))));
    let p = confirm_prompt(&m).expect("asks");
    assert!(p.contains("timer"), "{p}");
}

#[test]
fn q_asks_before_quitting_with_queued_writes() {
    let mut m = loaded(sample_rows());
    let op = bmsdesk_core::actions::WriteOp::AddNote {
        ticket_id: 1,
        input: bmsdesk_core::model::NoteInput {
            details: "<p>x</p>".into(),
            is_internal: true,
            type_id: 1,
            note_date: now(),
            status_id: None,
        },
    };
    m.update(api(Reply::Outbox(vec![
        bmsdesk_core::store::outbox::OutboxItem::new(4, op),
    ])));
    assert!(!quits(&m.update(key('q'))));
    let p = confirm_prompt(&m).expect("asks");
    assert!(p.contains("1 write"), "{p}");
}

#[test]
fn q_warns_that_a_draft_only_in_memory_is_lost() {
    // The draft file cannot be written (disk full): the text lives only in memory.
    let mut m = loaded(sample_rows());
    m.update(key('a'));
    send(&mut m, typed("only copy"));
    let cmds = m.update(code(KeyCode::Esc));
    let d = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::SaveDraft(d) => Some(d.clone()),
            _ => None,
        })
        .expect("a save");
    m.update(Msg::DraftIo {
        ticket_id: d.ticket_id,
        at: d.updated_at,
        result: Err("No space left on device".into()),
    });
    assert!(!quits(&m.update(key('q'))));
    let p = confirm_prompt(&m).expect("asks");
    assert!(
        p.contains("NOT saved") && p.contains("No space left"),
        "{p}"
    );
    // A later save that works clears the warning.
    m.layers.clear();
    m.update(Msg::DraftIo {
        ticket_id: d.ticket_id,
        at: d.updated_at,
        result: Ok(()),
    });
    m.update(key('q'));
    let p = confirm_prompt(&m).expect("still a draft");
    assert!(!p.contains("NOT saved"), "{p}");
}

#[test]
fn the_quit_question_shows_whole_however_much_is_left_behind() {
    let mut m = loaded(sample_rows());
    for d in [NoteDraft::new(1, "a"), NoteDraft::new(2, "b")] {
        m.drafts.insert(d.ticket_id, d);
    }
    m.update(Msg::DraftIo {
        ticket_id: 1,
        at: now(),
        result: Err("No space left on device (os error 28)".into()),
    });
    m.update(key('T'));
    assert!(m.timer.is_some());
    m.update(key('q'));
    let p = confirm_prompt(&m).expect("asks");
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(80, 24)).unwrap();
    t.draw(|f| super::super::views::render(&m, f)).unwrap();
    let screen: String = t
        .backend()
        .to_string()
        .lines()
        .map(|l| l.trim_matches('"').trim_matches('│').trim())
        .collect::<Vec<_>>()
        .join(" ");
    for word in p.split_whitespace() {
        assert!(screen.contains(word), "{word:?} not shown: {screen}");
    }
    assert!(screen.contains("(y/n)"), "{screen}");
}

/// A first page is not the view: the editor waits for the whole load, so it opens on the
/// ticket at the cursor once later pages have re-sorted the list (on an 800 ms link the note
/// opened on a first page's top row, which was no longer selected when the list settled).
#[test]
fn the_waiting_editor_opens_on_the_ticket_selected_once_the_view_has_loaded() {
    let mut m = loaded(sample_rows());
    let seq = switch_and_add(&mut m);
    send(&mut m, typed("called"));
    let rows = sample_rows();
    m.update(api(Reply::Page {
        search_gen: seq,
        rows: rows[..2].to_vec(),
        total: Some(5),
    }));
    assert!(m.layers.is_empty(), "not on a first page's top row");
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
    let (id, text) = note_text(&m).expect("the note editor is open");
    assert_eq!(text, "called");
    assert_eq!(Some(id), m.list.sel_id, "on the ticket the cursor is on");
}
