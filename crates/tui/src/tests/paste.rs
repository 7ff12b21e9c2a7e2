//! Line breaks typed or pasted into the multi-line editors (note, new-ticket details,
//! time-log notes) are kept, whichever way the terminal delivers them: a bracketed paste with
//! `\r`, `\r\n` or `\n`, or an unbracketed paste that arrives as a burst of keys (CR is
//! `Enter`, LF in raw mode is `Ctrl-J`).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::super::app::{Layer, Model};
use super::super::forms::{FormFocus, NewTicket, text_of};
use super::super::protocol::Msg;
use super::super::testkit::*;

fn note_text(m: &Model) -> String {
    match m.layers.last() {
        Some(Layer::Note(e)) => e.text(),
        _ => panic!("no note editor on top"),
    }
}

fn details_text(m: &Model) -> String {
    text_of(&m.new_ticket.as_ref().expect("a new ticket").details)
}

fn open_details(m: &mut Model) {
    let mut nt = NewTicket::new();
    nt.form_open = true;
    nt.focus = FormFocus::Details;
    m.new_ticket = Some(nt);
    m.layers.push(Layer::Form);
}

const PASTES: [&str; 4] = ["A\rB\rC", "A\r\nB\r\nC", "A\nB\nC", "A\r\nB\rC"];

/// An unbracketed paste of `A⏎B⏎C` as the terminal's keys: `newline` is the key each line
/// break arrives as.
fn burst(newline: KeyEvent) -> Vec<Msg> {
    let mut v = typed("A");
    v.push(Msg::Key(newline));
    v.extend(typed("B"));
    v.push(Msg::Key(newline));
    v.extend(typed("C"));
    v
}

fn newline_keys() -> [KeyEvent; 5] {
    [
        KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Char('\r'), KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Char('\n'), KeyModifiers::NONE),
        KeyEvent::new(KeyCode::Char('j'), KeyModifiers::CONTROL),
        KeyEvent::new(KeyCode::Char('m'), KeyModifiers::CONTROL),
    ]
}

#[test]
fn a_bracketed_paste_keeps_its_line_breaks_in_the_note_editor() {
    for p in PASTES {
        let mut m = loaded(sample_rows());
        m.update(key('a'));
        m.update(Msg::Paste(p.into()));
        assert_eq!(note_text(&m), "A\nB\nC", "{p:?}");
    }
}

#[test]
fn a_bracketed_paste_keeps_its_line_breaks_in_the_ticket_details() {
    for p in PASTES {
        let mut m = loaded(sample_rows());
        open_details(&mut m);
        m.update(Msg::Paste(p.into()));
        assert_eq!(details_text(&m), "A\nB\nC", "{p:?}");
        let sent = m.new_ticket.as_ref().unwrap().current().details.unwrap();
        assert_eq!(
            bmsdesk_core::text::html::to_text(&sent),
            "A\nB\nC",
            "{p:?} as sent: {sent}"
        );
    }
}

#[test]
fn an_unbracketed_paste_keeps_its_line_breaks_in_the_note_editor() {
    for nl in newline_keys() {
        let mut m = loaded(sample_rows());
        m.update(key('a'));
        send(&mut m, burst(nl));
        assert_eq!(note_text(&m), "A\nB\nC", "{nl:?}");
    }
}

#[test]
fn an_unbracketed_paste_keeps_its_line_breaks_in_the_ticket_details() {
    for nl in newline_keys() {
        let mut m = loaded(sample_rows());
        open_details(&mut m);
        send(&mut m, burst(nl));
        assert_eq!(details_text(&m), "A\nB\nC", "{nl:?}");
    }
}

#[test]
fn a_paste_into_a_one_line_field_turns_line_breaks_into_spaces() {
    let mut m = loaded(sample_rows());
    open_details(&mut m);
    m.new_ticket.as_mut().unwrap().focus = FormFocus::Title;
    m.update(Msg::Paste("Printer\roffline".into()));
    let title = text_of(&m.new_ticket.as_ref().unwrap().title);
    assert_eq!(title, "Printer offline");
}
