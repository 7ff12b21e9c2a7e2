//! The optional contact of a new ticket: fetched with the account, picked from the form.

use super::*;
use crate::forms::{FormFocus, NewTicket};
use crate::worker::clean_contact;
use bmsdesk_core::actions::WriteOp;
use bmsdesk_core::model::Contact;

fn location(id: i64, name: &str, account_id: i64) -> Location {
    Location {
        id,
        name: name.into(),
        account_id,
        is_main: None,
    }
}

fn contact(id: i64, name: &str, location: Option<(i64, &str)>, phone: Option<&str>) -> Contact {
    Contact {
        id,
        name: name.into(),
        location_id: location.map(|l| l.0),
        location_name: location.map(|l| l.1.into()),
        phone: phone.map(str::to_string),
        email_address: name
            .split(' ')
            .next()
            .map(|first| format!("{}@client.example", first.to_lowercase())),
    }
}

fn contacts_of(account_id: i64, list: Vec<Contact>) -> Msg {
    api(Reply::Contacts {
        account_id,
        result: Ok(list),
    })
}

fn asks_contacts(cmds: &[Cmd], account: i64) -> bool {
    apis(cmds)
        .iter()
        .any(|r| matches!(r, Request::Contacts { account_id } if *account_id == account))
}

fn draft(m: &Model) -> &bmsdesk_core::draft::TicketDraft {
    &m.new_ticket.as_ref().unwrap().draft
}

fn focus(m: &Model) -> FormFocus {
    m.new_ticket.as_ref().unwrap().focus
}

fn screen(m: &mut Model) -> String {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap();
    m.size = (100, 30);
    t.draw(|f| crate::views::render(m, f)).unwrap();
    t.backend().to_string()
}

/// `n`, a blank ticket on Acme Corp (one location, so it picks itself), the first choice of
/// every other picker: the form. Returns what the account pick asked for.
fn form_on_acme(m: &mut Model) -> Vec<Cmd> {
    m.data
        .locations
        .insert(100, Ok(vec![location(11, "Head office", 100)]));
    m.data.locations.insert(
        101,
        Ok(vec![location(21, "Main", 101), location(22, "Depot", 101)]),
    );
    let cmds = send(m, [key('n'), code(KeyCode::Enter), code(KeyCode::Enter)]);
    for _ in 0..5 {
        m.update(code(KeyCode::Enter));
    }
    assert!(matches!(m.layers.last(), Some(Layer::Form)));
    assert_eq!(draft(m).location_id, Some(11));
    cmds
}

#[test]
fn the_contact_is_picked_from_the_form_and_sent_with_the_ticket() {
    let mut m = loaded(sample_rows());
    let cmds = form_on_acme(&mut m);
    assert!(asks_contacts(&cmds, 100), "fetched with the account");
    assert_eq!(
        draft(&m).contact_id,
        None,
        "optional: never asked in the chain"
    );
    assert!(screen(&mut m).contains("Contact  —"));

    // Title, details, account, location, contact.
    send(&mut m, (0..4).map(|_| code(KeyCode::Tab)));
    assert_eq!(focus(&m), FormFocus::Field(Field::Contact));
    // Opened before the contacts arrived: it waits for them.
    let cmds = m.update(code(KeyCode::Enter));
    assert!(asks_contacts(&cmds, 100));
    let p = top_picker(&m);
    assert!(p.loading() && p.title == "Contact at Acme Corp");
    m.update(contacts_of(
        100,
        vec![
            contact(
                31,
                "Ann Lee",
                Some((12, "Warehouse")),
                Some("+1 555-100-0001"),
            ),
            contact(32, "Bo Park", None, None),
        ],
    ));
    let p = top_picker(&m);
    assert!(!p.loading());
    assert_eq!(labels(p), vec!["(no contact)", "Ann Lee", "Bo Park"]);
    assert_eq!(p.items[1].hint, "+1 555-100-0001 · Warehouse");
    assert_eq!(p.items[2].hint, "bo@client.example", "no phone: the e-mail");
    send(&mut m, typed("ann"));
    m.update(code(KeyCode::Enter));
    assert!(matches!(m.layers.last(), Some(Layer::Form)));
    assert_eq!(draft(&m).contact_id, Some(31));
    assert_eq!(
        draft(&m).location_id,
        Some(11),
        "a location already chosen stays"
    );
    let s = screen(&mut m);
    assert!(s.contains("Contact  Ann Lee"), "{s}");

    // "(no contact)" clears it; so does backspace.
    m.update(code(KeyCode::Enter));
    assert_eq!(top_picker(&m).selected().unwrap().label, "Ann Lee");
    send(&mut m, [code(KeyCode::Up), code(KeyCode::Enter)]);
    assert_eq!(draft(&m).contact_id, None);
    send(&mut m, [code(KeyCode::Enter), code(KeyCode::Down)]);
    m.update(code(KeyCode::Enter));
    assert_eq!(draft(&m).contact_id, Some(31));
    m.update(code(KeyCode::Backspace));
    assert_eq!(draft(&m).contact_id, None);
    send(&mut m, [code(KeyCode::Enter), code(KeyCode::Down)]);
    m.update(code(KeyCode::Enter));
    assert_eq!(draft(&m).contact_id, Some(31));

    // Title, details, review: the contact is shown and sent.
    send(&mut m, (0..7).map(|_| code(KeyCode::Tab)));
    assert_eq!(focus(&m), FormFocus::Title);
    send(&mut m, typed("Outlook keeps crashing"));
    m.update(code(KeyCode::Tab));
    send(&mut m, typed("Since this morning"));
    m.update(ctrl('s'));
    let s = screen(&mut m);
    assert!(
        s.contains("Review") && s.contains("Contact  Ann Lee"),
        "{s}"
    );
    let cmds = m.update(code(KeyCode::Enter));
    // Sent as a create the draft validated into.
    let [(_, WriteOp::CreateTicket { input })] = writes(&cmds)[..] else {
        panic!("{cmds:?}")
    };
    assert_eq!(input.contact_id, Some(31));
}

#[test]
fn another_account_drops_the_contact_and_its_contact_can_fill_the_location() {
    let mut m = loaded(sample_rows());
    form_on_acme(&mut m);
    m.update(contacts_of(
        100,
        vec![contact(31, "Ann Lee", Some((11, "Head office")), None)],
    ));
    send(&mut m, (0..4).map(|_| code(KeyCode::Tab)));
    send(&mut m, [code(KeyCode::Enter), code(KeyCode::Down)]);
    m.update(code(KeyCode::Enter));
    assert_eq!(draft(&m).contact_id, Some(31));

    // Up to the account, Contoso instead: contact and location go, its contacts are fetched.
    send(&mut m, [key('k'), key('k'), code(KeyCode::Enter)]);
    send(&mut m, typed("contoso"));
    let cmds = m.update(code(KeyCode::Enter));
    assert!(asks_contacts(&cmds, 101));
    assert_eq!(
        (
            draft(&m).account_id,
            draft(&m).contact_id,
            draft(&m).location_id
        ),
        (Some(101), None, None)
    );
    // Its location is asked; left unanswered.
    assert!(matches!(
        top_picker(&m).purpose,
        Purpose::NewTicket {
            field: Field::Location,
            chain: false
        }
    ));
    m.update(code(KeyCode::Esc));
    assert!(matches!(m.layers.last(), Some(Layer::Form)));
    m.update(contacts_of(
        101,
        vec![
            contact(41, "Cara Diaz", Some((22, "Depot")), None),
            contact(42, "Dan Eng", None, None),
        ],
    ));
    // A contact without a location leaves it empty; the next one's location fills it.
    send(&mut m, [key('j'), key('j')]);
    assert_eq!(focus(&m), FormFocus::Field(Field::Contact));
    m.update(code(KeyCode::Enter));
    assert!(!top_picker(&m).loading(), "prefetched: no wait");
    send(&mut m, typed("dan"));
    m.update(code(KeyCode::Enter));
    assert_eq!(
        (draft(&m).contact_id, draft(&m).location_id),
        (Some(42), None)
    );
    m.update(code(KeyCode::Enter));
    send(&mut m, typed("cara"));
    m.update(code(KeyCode::Enter));
    assert_eq!(
        (draft(&m).contact_id, draft(&m).location_id),
        (Some(41), Some(22))
    );
    let s = screen(&mut m);
    assert!(
        s.contains("Location Depot") && s.contains("Contact  Cara Diaz"),
        "{s}"
    );
    // Back to Acme, whose contacts are known: nothing is fetched again.
    send(&mut m, [key('k'), key('k'), code(KeyCode::Enter)]);
    send(&mut m, typed("acme"));
    let cmds = m.update(code(KeyCode::Enter));
    assert!(!asks_contacts(&cmds, 100));
}

#[test]
fn no_contact_picker_without_an_account() {
    let mut m = loaded(sample_rows());
    let mut nt = NewTicket::new();
    nt.form_open = true;
    nt.focus = FormFocus::Field(Field::Contact);
    m.new_ticket = Some(nt);
    m.layers.push(Layer::Form);
    let cmds = m.update(code(KeyCode::Enter));
    assert!(cmds.is_empty());
    assert!(matches!(m.layers.last(), Some(Layer::Form)));
    assert_eq!(m.status.error.as_deref(), Some("pick an account first"));
}

#[test]
fn a_contact_with_escape_sequences_is_drawn_clean() {
    let mut m = loaded(sample_rows());
    form_on_acme(&mut m);
    let mut evil = contact(
        31,
        "Eve\x1b]0;owned\x07\x1b[2J Mal\u{202e}lory",
        Some((11, "Head\r\noffice")),
        Some("\x1b[31m+1 555-666"),
    );
    clean_contact(&mut evil);
    m.update(contacts_of(100, vec![evil]));
    send(&mut m, (0..4).map(|_| code(KeyCode::Tab)));
    m.update(code(KeyCode::Enter));
    let s = screen(&mut m);
    let clean = |s: &str| {
        !s.chars()
            .any(|c| (c.is_control() && c != '\n') || c == '\u{202e}')
    };
    assert!(clean(&s), "{s:?}");
    assert!(s.contains("Eve Mallory") && !s.contains("owned"), "{s}");
    assert!(s.contains("+1 555-666 · Head office"), "{s}");
    m.update(code(KeyCode::Down));
    m.update(code(KeyCode::Enter));
    let s = screen(&mut m);
    assert!(clean(&s), "{s:?}");
    assert!(s.contains("Contact  Eve Mallory"), "{s}");
}
