//! `update` tests: each flow driven by keys and worker replies, asserting on the model and
//! on the commands it emits.

use crossterm::event::KeyCode;

use super::app::{Focus, Layer, Model};
use super::forms::NoteMode;
use super::picker::{Field, PickKey, Purpose};
use super::protocol::{Changes, Cmd, DetailData, Msg, Reply, Request};
use super::settings::{Column, Settings};
use super::testkit::*;
use bmsdesk_core::actions::{WriteOp, WriteResult};
use bmsdesk_core::model::{Location, Note, Ticket, TicketTemplate};
use bmsdesk_core::store::drafts::NoteDraft;
use std::sync::Arc;

mod contact;
mod draft_saves;
mod list_props;
mod note_type;
mod offline;
mod outbox;
mod paste;
mod triage;
mod typeahead;

fn numbers(m: &Model) -> Vec<String> {
    m.list
        .visible()
        .iter()
        .map(|&i| m.list.rows[i as usize].ticket_number.clone())
        .collect()
}

fn top_picker(m: &Model) -> &super::picker::Picker {
    match m.layers.last() {
        Some(Layer::Picker(p)) => p,
        _ => panic!("no picker on top"),
    }
}

fn labels(p: &super::picker::Picker) -> Vec<String> {
    p.matches
        .iter()
        .map(|&i| p.items[i as usize].label.clone())
        .collect()
}

fn apis(cmds: &[Cmd]) -> Vec<&Request> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Api(r) => Some(r),
            _ => None,
        })
        .collect()
}

/// The writes among `cmds`: their request numbers and (first) ops.
fn writes(cmds: &[Cmd]) -> Vec<(u64, &WriteOp)> {
    cmds.iter()
        .filter_map(|c| match c {
            Cmd::Api(Request::Write { req, op, .. }) => Some((*req, op)),
            _ => None,
        })
        .collect()
}

/// The server's answer to `op` of write `req`.
fn written(req: u64, op: &WriteOp, result: Result<WriteResult, String>) -> Msg {
    api(Reply::Written {
        req,
        op: Box::new(op.clone()),
        result,
    })
}

#[test]
fn view_one_is_mine_and_unassigned_view_filters_locally() {
    let mut m = loaded(sample_rows());
    // Before "who am I" answers, "My tickets" trusts the server.
    assert_eq!(m.list.visible_len(), 5);
    m.update(api(Reply::Me(bmsdesk_core::model::UserInfo {
        user_id: 7,
        full_name: "Alice Smith".into(),
        ..Default::default()
    })));
    assert_eq!(numbers(&m), vec!["T20250001", "T20250005"]);
    // Queue lookup made the default views: 1 mine, 2 open, 3 unassigned, 4+ queues.
    let names: Vec<_> = m.views.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "My tickets",
            "Open",
            "Unassigned",
            "Breaching < 60m",
            "Help Desk",
            "Projects"
        ]
    );

    let cmds = m.update(key('3'));
    let seq = search_seq(&cmds).expect("switching view searches");
    assert_eq!(m.list.visible_len(), 0, "old rows are gone at once");
    let Some(Request::Search { view, .. }) = apis(&cmds).into_iter().next() else {
        panic!()
    };
    assert!(view.unassigned);
    m.update(api(Reply::Page {
        search_gen: seq,
        rows: sample_rows(),
        total: Some(5),
    }));
    m.prepare();
    assert_eq!(numbers(&m), vec!["T20250002", "T20250004"]);
}

#[test]
fn navigation_and_selection_survive_resort() {
    let mut m = loaded(sample_rows());
    // Default sort: newest first (smallest age).
    assert_eq!(numbers(&m)[0], "T20250001");
    send(&mut m, [key('j'), key('j')]);
    assert_eq!(m.list.sel_id, Some(3));
    send(&mut m, [key('G')]);
    assert_eq!(m.list.sel_id, Some(5));
    send(&mut m, [key('g'), code(KeyCode::Down)]);
    assert_eq!(m.list.sel_id, Some(2));
    // Sort by time to breach next, then by number, then reversed: the selection follows
    // ticket 2.
    send(&mut m, [key('o')]);
    assert_eq!(m.list.sort.column, Column::Due);
    send(&mut m, [key('o')]);
    assert_eq!(m.list.sort.column, Column::Number);
    send(&mut m, [key('O')]);
    assert!(m.list.sort.desc);
    assert_eq!(m.list.sel_id, Some(2));
    assert_eq!(numbers(&m)[m.list.sel], "T20250002");
    // Priority sorts by lookup order, not by name.
    for _ in 0..4 {
        m.update(key('o'));
    }
    assert_eq!(m.list.sort.column, Column::Priority);
    assert_eq!(numbers(&m)[0], "T20250004", "Critical first");
}

#[test]
fn fuzzy_filter_narrows_and_clears() {
    let mut m = loaded(sample_rows());
    send(&mut m, [key('/')]);
    assert!(m.filter_input);
    send(&mut m, typed("printer"));
    assert_eq!(numbers(&m), vec!["T20250001", "T20250005"]);
    // Account and assignee are searched too.
    send(&mut m, (0..7).map(|_| code(KeyCode::Backspace)));
    send(&mut m, typed("contoso"));
    assert_eq!(numbers(&m), vec!["T20250002", "T20250005"]);
    send(&mut m, [code(KeyCode::Enter)]);
    assert!(!m.filter_input);
    assert_eq!(m.list.visible_len(), 2, "filter stays after enter");
    // j/k work on the filtered list; esc clears the filter.
    send(&mut m, [key('j')]);
    assert_eq!(m.list.sel_id, Some(5));
    send(&mut m, [code(KeyCode::Esc)]);
    assert_eq!(m.list.visible_len(), 5);
    assert_eq!(
        m.list.sel_id,
        Some(5),
        "selection kept when the filter clears"
    );
}

#[test]
fn an_exact_match_prefix_typed_first_is_kept() {
    let mut m = loaded(sample_rows());
    send(&mut m, [key('/'), key('\'')]);
    assert_eq!(
        m.list.query, "'",
        "the lone quote stays while it matches everything"
    );
    assert_eq!(m.list.visible_len(), 5);
    send(&mut m, typed("T20250005"));
    assert_eq!(m.list.query, "'T20250005");
    assert_eq!(numbers(&m), vec!["T20250005"], "exact: only that number");
    // Without the quote the same text is fuzzy.
    send(&mut m, [code(KeyCode::Esc), key('/'), key('^')]);
    send(&mut m, typed("T2025000"));
    assert_eq!(m.list.query, "^T2025000");
    assert_eq!(m.list.visible_len(), 5, "a prefix shared by all");
}

#[test]
fn large_lists_filter_off_the_key_path() {
    let mut m = loaded(sample_rows());
    m.list.sync_limit = 0;
    let cmds = send(&mut m, [key('/'), key('v'), key('p')]);
    let jobs: Vec<_> = cmds
        .into_iter()
        .filter_map(|c| match c {
            Cmd::Filter(j) => Some(j),
            _ => None,
        })
        .collect();
    // One job in flight; the second key only marks it dirty.
    assert_eq!(jobs.len(), 1);
    assert!(m.list.filter_pending());
    let first = &jobs[0];
    let rows = first.run();
    let cmds = m.update(Msg::Filtered {
        filter_gen: first.filter_gen,
        rows,
    });
    // The result is for an older query: a new job for "vp" is started.
    let job = cmds
        .into_iter()
        .find_map(|c| match c {
            Cmd::Filter(j) => Some(j),
            _ => None,
        })
        .expect("refilter for the latest query");
    let rows = job.run();
    m.update(Msg::Filtered {
        filter_gen: job.filter_gen,
        rows,
    });
    assert!(!m.list.filter_pending());
    assert_eq!(numbers(&m), vec!["T20250002"]);
}

#[test]
fn stale_replies_are_dropped() {
    let mut m = loaded(sample_rows());
    let old = m.search_gen;
    let cmds = m.update(key('2'));
    let new = search_seq(&cmds).unwrap();
    assert!(new > old);
    m.update(api(Reply::Page {
        search_gen: old,
        rows: vec![row(99, "stale", "X", (1, "New"), (1, "Critical"), None)],
        total: None,
    }));
    m.update(api(Reply::SearchDone {
        search_gen: old,
        result: Ok(1),
        at: now(),
    }));
    assert_eq!(m.list.len_loaded(), 0);
    assert!(m.list.loading, "the new search is still loading");
    m.update(api(Reply::Page {
        search_gen: new,
        rows: sample_rows(),
        total: Some(5),
    }));
    m.prepare();
    assert_eq!(m.list.len_loaded(), 5);

    // Detail: an answer for an older request does not land.
    let cmds = m.update(code(KeyCode::Enter));
    let Some(Request::Detail {
        detail_gen: seq,
        id,
    }) = apis(&cmds).into_iter().next().cloned()
    else {
        panic!("enter fetches the detail: {cmds:?}")
    };
    assert_eq!(m.focus, Focus::Detail);
    let detail = |title: &str| {
        Arc::new(DetailData {
            ticket: Ticket {
                row: row(id, title, "Acme Corp", (1, "New"), (1, "Critical"), None),
                ..Default::default()
            },
            fetched_at: now(),
            ..Default::default()
        })
    };
    m.update(api(Reply::Detail {
        detail_gen: seq - 1,
        id,
        result: Ok(detail("old")),
    }));
    assert!(!m.detail.cache.contains_key(&id));
    m.update(api(Reply::Detail {
        detail_gen: seq,
        id,
        result: Ok(detail("fresh")),
    }));
    assert_eq!(m.detail.cache[&id].ticket.row.title, "fresh");
}

#[test]
fn detail_fetch_is_debounced_and_tab_switches_focus() {
    let mut m = loaded(sample_rows());
    m.size = (160, 40); // wide: detail pane beside the list
    let cmds = m.prepare();
    let due: Vec<_> = cmds
        .iter()
        .filter_map(|c| match c {
            Cmd::After(_, Msg::DetailDue(id)) => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(due, vec![1]);
    // Moving on before the timer fires: the old timer does nothing.
    m.update(key('j'));
    assert!(apis(&m.update(Msg::DetailDue(1))).is_empty());
    let cmds = m.update(Msg::DetailDue(2));
    assert!(matches!(apis(&cmds)[..], [Request::Detail { id: 2, .. }]));
    m.update(code(KeyCode::Tab));
    assert_eq!(m.focus, Focus::Detail);
    let seq = m.detail.generation; // Tab asked again (nothing cached yet): answer the newest.
    let mut d = DetailData {
        ticket: Ticket {
            row: sample_rows()[1].clone(),
            ..Default::default()
        },
        fetched_at: now(),
        ..Default::default()
    };
    d.details_text = (0..80)
        .map(|i| format!("line {i}"))
        .collect::<Vec<_>>()
        .join("\n");
    m.update(api(Reply::Detail {
        detail_gen: seq,
        id: 2,
        result: Ok(Arc::new(d)),
    }));
    m.update(key('j'));
    assert_eq!(m.detail.scroll, 1, "j scrolls the detail when it has focus");
    m.update(key('G'));
    let max = m.detail_max_scroll();
    assert!(
        max > 40 && m.detail.scroll == max,
        "G goes to the end, not past it"
    );
    m.update(key('j'));
    assert_eq!(m.detail.scroll, max);
    assert_eq!(m.list.sel_id, Some(2));
    m.update(code(KeyCode::Tab));
    assert_eq!(m.focus, Focus::List);
}

#[test]
fn new_ticket_from_template_through_the_picker_chain() {
    let mut m = loaded(sample_rows());
    m.update(key('n'));
    let p = top_picker(&m);
    assert_eq!(
        labels(p),
        vec!["(blank ticket)", "Printer problem", "New starter"]
    );
    // Typing narrows at once.
    send(&mut m, typed("prin"));
    assert_eq!(labels(top_picker(&m)), vec!["Printer problem"]);
    let cmds = m.update(code(KeyCode::Enter));
    assert!(matches!(
        apis(&cmds)[..],
        [Request::TicketTemplate { id: 50 }]
    ));
    let tpl = TicketTemplate {
        id: 50,
        name: "Printer problem".into(),
        title: Some("Printer offline".into()),
        details: Some("<p>Printer shows <b>offline</b></p>".into()),
        priority_id: Some(2),
        queue_id: Some(1),
        ticket_type_id: Some(3),
        account_id: Some(101),
        ..Default::default()
    };
    m.update(api(Reply::TicketTemplate {
        id: 50,
        result: Ok(tpl),
    }));
    // Account picker, on the template's account.
    let p = top_picker(&m);
    assert!(matches!(
        p.purpose,
        Purpose::NewTicket {
            field: Field::Account,
            chain: true
        }
    ));
    assert_eq!(p.selected().unwrap().label, "Contoso");
    send(&mut m, typed("acme"));
    let cmds = m.update(code(KeyCode::Enter));
    // Its contacts are fetched ahead too, for the optional contact field.
    assert!(matches!(
        apis(&cmds)[..],
        [
            Request::Contacts { account_id: 100 },
            Request::Locations { account_id: 100 }
        ]
    ));
    assert!(top_picker(&m).loading());
    m.update(api(Reply::Locations {
        account_id: 100,
        result: Ok(vec![
            Location {
                id: 11,
                name: "Head office".into(),
                account_id: 100,
                is_main: Some(true),
            },
            Location {
                id: 12,
                name: "Warehouse".into(),
                account_id: 100,
                is_main: None,
            },
        ]),
    }));
    let p = top_picker(&m);
    assert_eq!(
        p.selected().unwrap().label,
        "Head office",
        "main location first choice"
    );
    send(&mut m, typed("ware"));
    m.update(code(KeyCode::Enter));
    // Template gave priority, type and queue: only status and source are asked.
    let p = top_picker(&m);
    assert!(matches!(
        p.purpose,
        Purpose::NewTicket {
            field: Field::Status,
            ..
        }
    ));
    // Esc backs out to the location picker, and forward again.
    m.update(code(KeyCode::Esc));
    assert!(matches!(
        top_picker(&m).purpose,
        Purpose::NewTicket {
            field: Field::Location,
            ..
        }
    ));
    m.update(code(KeyCode::Enter));
    m.update(code(KeyCode::Enter)); // status: New
    assert!(matches!(
        top_picker(&m).purpose,
        Purpose::NewTicket {
            field: Field::Source,
            ..
        }
    ));
    send(&mut m, typed("phone"));
    m.update(code(KeyCode::Enter));
    // The form, prefilled from the template.
    assert!(matches!(m.layers.last(), Some(Layer::Form)));
    assert_eq!(m.layers.len(), 1, "chain pickers are gone");
    let nt = m.new_ticket.as_ref().unwrap();
    assert_eq!(super::forms::text_of(&nt.title), "Printer offline");
    assert_eq!(super::forms::text_of(&nt.details), "Printer shows offline");
    assert_eq!(nt.draft.account_id, Some(100));
    assert_eq!(nt.draft.location_id, Some(12));
    assert_eq!(nt.draft.status_id, Some(1));
    assert_eq!(nt.draft.source_id, Some(1));
    assert!(nt.missing().is_empty());
    // Edit the title, review, create.
    assert_eq!(
        nt.focus,
        super::forms::FormFocus::Details,
        "title came from the template"
    );
    send(&mut m, [code(KeyCode::BackTab)]);
    send(&mut m, typed(" (2F)"));
    send(&mut m, [ctrl('s')]);
    assert!(m.new_ticket.as_ref().unwrap().review);
    let cmds = m.update(code(KeyCode::Enter));
    // Sent as a create the draft validated into.
    let [(req, op @ WriteOp::CreateTicket { input })] = writes(&cmds)[..] else {
        panic!("{cmds:?}")
    };
    assert_eq!(input.title, "Printer offline (2F)");
    assert_eq!(input.details, "Printer shows offline");
    assert_eq!(
        (
            input.account_id,
            input.location_id,
            input.priority_id,
            input.queue_id
        ),
        (100, 12, 2, Some(1))
    );
    // Created: in the list without a reload, selected.
    let mut created = Ticket {
        row: row(
            77,
            "Printer offline (2F)",
            "Acme Corp",
            (1, "New"),
            (2, "High"),
            None,
        ),
        ..Default::default()
    };
    created.row.ticket_number = "T20250077".into();
    let cmds = m.update(written(req, op, Ok(WriteResult::Ticket(Box::new(created)))));
    assert!(m.new_ticket.is_none() && m.layers.is_empty());
    assert_eq!(m.list.sel_id, Some(77));
    assert_eq!(m.selected().unwrap().ticket_number, "T20250077");
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::SaveRecent(v) if v == &vec![100]))
    );
    assert!(
        m.status
            .info
            .as_deref()
            .unwrap()
            .contains("created T20250077")
    );
}

#[test]
fn new_ticket_refuses_missing_fields_with_the_reason() {
    let mut m = loaded(sample_rows());
    m.update(key('n'));
    m.update(code(KeyCode::Enter)); // blank
    // Account has a single known location: it is picked by itself.
    m.update(code(KeyCode::Enter)); // Acme Corp
    m.update(api(Reply::Locations {
        account_id: 100,
        result: Ok(vec![Location {
            id: 11,
            name: "Head office".into(),
            account_id: 100,
            is_main: None,
        }]),
    }));
    assert!(matches!(
        top_picker(&m).purpose,
        Purpose::NewTicket {
            field: Field::Status,
            ..
        }
    ));
    assert_eq!(m.new_ticket.as_ref().unwrap().draft.location_id, Some(11));
    // Priority picker starts on the default priority.
    m.update(code(KeyCode::Enter));
    assert_eq!(top_picker(&m).selected().unwrap().label, "Medium");
    send(
        &mut m,
        [
            code(KeyCode::Enter),
            code(KeyCode::Enter),
            code(KeyCode::Enter),
        ],
    );
    // Queue or assignee: queues and people in one picker.
    let p = top_picker(&m);
    assert!(matches!(
        p.purpose,
        Purpose::NewTicket {
            field: Field::QueueOrAssignee,
            ..
        }
    ));
    assert_eq!(
        labels(p),
        vec!["Help Desk", "Projects", "Alice Smith", "Bob Jones"]
    );
    send(&mut m, typed("bob"));
    m.update(code(KeyCode::Enter));
    assert!(matches!(m.layers.last(), Some(Layer::Form)));
    assert_eq!(m.new_ticket.as_ref().unwrap().draft.assignee_id, Some(8));
    send(&mut m, typed("Only a title"));
    send(&mut m, [ctrl('s')]);
    let cmds = m.update(code(KeyCode::Enter));
    assert!(apis(&cmds).is_empty(), "nothing is sent");
    let err = m
        .new_ticket
        .as_ref()
        .unwrap()
        .state
        .error()
        .map(str::to_string)
        .unwrap();
    assert_eq!(err, "cannot create the ticket: missing details");
    // Back to the form, add details, create.
    m.update(code(KeyCode::Esc));
    send(&mut m, [code(KeyCode::Tab)]);
    send(&mut m, typed("It broke"));
    send(&mut m, [ctrl('s')]);
    let cmds = m.update(code(KeyCode::Enter));
    assert!(matches!(
        writes(&cmds)[..],
        [(_, WriteOp::CreateTicket { .. })]
    ));
}

#[test]
fn new_ticket_form_fields_can_be_repicked_and_discarded() {
    let mut m = loaded(sample_rows());
    m.data.locations.insert(
        100,
        Ok(vec![Location {
            id: 11,
            name: "HQ".into(),
            account_id: 100,
            is_main: None,
        }]),
    );
    m.data.locations.insert(
        102,
        Ok(vec![
            Location {
                id: 21,
                name: "North".into(),
                account_id: 102,
                is_main: None,
            },
            Location {
                id: 22,
                name: "South".into(),
                account_id: 102,
                is_main: None,
            },
        ]),
    );
    send(
        &mut m,
        [key('n'), code(KeyCode::Enter), code(KeyCode::Enter)],
    );
    for _ in 0..5 {
        m.update(code(KeyCode::Enter));
    }
    assert!(matches!(m.layers.last(), Some(Layer::Form)));
    // Tab to the account field and pick another account: its location is asked next.
    send(
        &mut m,
        [code(KeyCode::Tab), code(KeyCode::Tab), code(KeyCode::Enter)],
    );
    send(&mut m, typed("north"));
    m.update(code(KeyCode::Enter));
    let p = top_picker(&m);
    assert!(matches!(
        p.purpose,
        Purpose::NewTicket {
            field: Field::Location,
            chain: false
        }
    ));
    assert_eq!(m.new_ticket.as_ref().unwrap().draft.location_id, None);
    send(&mut m, typed("south"));
    m.update(code(KeyCode::Enter));
    assert!(matches!(m.layers.last(), Some(Layer::Form)));
    assert_eq!(m.new_ticket.as_ref().unwrap().draft.location_id, Some(22));
    // Esc asks before throwing the ticket away.
    m.update(code(KeyCode::Esc));
    assert!(matches!(m.layers.last(), Some(Layer::Confirm(_))));
    m.update(key('n'));
    assert!(m.new_ticket.is_some());
    send(&mut m, [code(KeyCode::Esc), key('y')]);
    assert!(m.new_ticket.is_none() && m.layers.is_empty());
}

#[test]
fn note_editor_saves_drafts_and_sends() {
    let mut m = loaded(sample_rows());
    m.update(key('a'));
    assert!(matches!(m.layers.last(), Some(Layer::Note(_))));
    let cmds = send(&mut m, typed("Rebooted"));
    // One debounced save is scheduled, not one per key.
    let timers = cmds
        .iter()
        .filter(|c| matches!(c, Cmd::After(_, Msg::DraftDue)))
        .count();
    assert_eq!(timers, 1);
    let cmds = m.update(Msg::DraftDue);
    let saved: Vec<_> = cmds
        .iter()
        .filter_map(|c| match c {
            Cmd::SaveDraft(d) => Some(d.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(saved.len(), 1);
    assert_eq!(
        (
            saved[0].ticket_id,
            saved[0].text.as_str(),
            saved[0].is_internal
        ),
        (1, "Rebooted", true)
    );
    assert!(m.drafts.contains_key(&1));
    // Nothing new typed: the next timer saves nothing.
    assert!(m.update(Msg::DraftDue).is_empty());
    // Switch to external, send.
    m.update(ctrl('t'));
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
    assert_eq!(input.details, "Rebooted");
    assert!(!input.is_internal);
    assert_eq!(input.type_id, 5);
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::SaveDraft(d) if !d.is_internal)),
        "saved before sending"
    );
    // The server refuses: editor stays with the reason, draft kept.
    let cmds = m.update(written(req, op, Err("HTTP 503: busy".into())));
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::RemoveDraft(_))));
    let Some(Layer::Note(e)) = m.layers.last() else {
        panic!()
    };
    assert!(e.error().unwrap().contains("HTTP 503"));
    assert!(e.sending().is_none());
    // Try again: success removes the draft and closes the editor.
    let cmds = m.update(ctrl('s'));
    let [(req, op @ WriteOp::AddNote { .. })] = writes(&cmds)[..] else {
        panic!()
    };
    let note = Note {
        id: 9,
        details: "<p>Rebooted</p>".into(),
        is_internal: Some(false),
        ..Default::default()
    };
    let cmds = m.update(written(req, op, Ok(WriteResult::Note(Box::new(note)))));
    assert!(cmds.iter().any(|c| matches!(c, Cmd::RemoveDraft(1))));
    assert!(m.layers.is_empty());
    assert!(m.drafts.is_empty());
}

#[test]
fn closing_the_note_editor_keeps_the_draft_and_a_resumes_it() {
    let mut m = loaded(sample_rows());
    m.update(key('a'));
    send(&mut m, typed("half a thought"));
    let cmds = m.update(code(KeyCode::Esc));
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::SaveDraft(d) if d.text == "half a thought"))
    );
    assert!(m.layers.is_empty());
    m.update(key('a'));
    let Some(Layer::Note(e)) = m.layers.last() else {
        panic!()
    };
    assert_eq!(e.text(), "half a thought");
    assert!(e.notice.as_deref().unwrap().starts_with("resumed"));
    // Clearing the text and closing removes the draft.
    m.update(ctrl('u'));
    let mut m2 = loaded(sample_rows());
    m2.update(key('a'));
    m2.update(key('x'));
    m2.update(code(KeyCode::Backspace));
    let cmds = m2.update(code(KeyCode::Esc));
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::SaveDraft(_))));
}

#[test]
fn drafts_from_a_previous_run_are_offered() {
    let mut m = model();
    m.init(vec![NoteDraft {
        ticket_id: 3,
        text: "from before the crash".into(),
        is_internal: false,
        type_id: Some(5),
        template_id: None,
        status_id: None,
        note_id: None,
        updated_at: now() - chrono::Duration::minutes(5),
    }]);
    assert!(
        m.status
            .info
            .as_deref()
            .unwrap()
            .contains("1 unsent note draft")
    );
    warm(&mut m);
    m.update(key('d'));
    let p = top_picker(&m);
    assert_eq!(p.items.len(), 1);
    m.update(code(KeyCode::Enter));
    let Some(Layer::Note(e)) = m.layers.last() else {
        panic!()
    };
    assert_eq!(
        (e.ticket_id, e.text(), e.is_internal),
        (3, "from before the crash".to_string(), false)
    );
}

#[test]
fn quitting_flushes_open_drafts() {
    let mut m = loaded(sample_rows());
    m.update(key('a'));
    send(&mut m, typed("unsaved"));
    let cmds = m.flush_drafts();
    assert!(matches!(&cmds[..], [Cmd::SaveDraft(d)] if d.text == "unsaved"));
}

#[test]
fn note_template_fills_the_editor() {
    let mut m = loaded(sample_rows());
    m.update(key('a'));
    m.update(ctrl('o'));
    assert_eq!(labels(top_picker(&m)), vec!["Called the client"]);
    let cmds = m.update(code(KeyCode::Enter));
    assert!(matches!(
        apis(&cmds)[..],
        [Request::NoteTemplateBody {
            template_id: 60,
            ticket_id: 1
        }]
    ));
    m.update(api(Reply::NoteTemplateBody {
        template_id: 60,
        ticket_id: 1,
        result: Ok("Called, no answer".into()),
    }));
    let Some(Layer::Note(e)) = m.layers.last() else {
        panic!()
    };
    assert_eq!(e.text(), "Called, no answer");
    assert!(!e.is_internal, "template visibility applied");
    assert_eq!(e.status_id, Some(2));
}

#[test]
fn editor_result_opens_the_note_and_saves_it() {
    let mut m = loaded(sample_rows());
    let cmds = m.update(key('E'));
    assert!(matches!(cmds[..], [Cmd::Editor { ticket_id: 1, .. }, ..]));
    let cmds = m.update(Msg::EditorDone {
        ticket_id: 1,
        result: Ok("long\ntext\n".into()),
    });
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::SaveDraft(d) if d.text == "long\ntext"))
    );
    let Some(Layer::Note(e)) = m.layers.last() else {
        panic!()
    };
    assert_eq!(e.text(), "long\ntext");
}

#[test]
fn status_and_priority_changes_patch_the_targets() {
    let mut m = loaded(sample_rows());
    m.update(key('s'));
    let p = top_picker(&m);
    assert_eq!(
        p.selected().unwrap().label,
        "New",
        "cursor on the current status"
    );
    send(&mut m, typed("progr"));
    let cmds = m.update(code(KeyCode::Enter));
    let [(req, op @ WriteOp::PatchTicket { ticket_id: 1, ops })] = writes(&cmds)[..] else {
        panic!("{cmds:?}")
    };
    assert_eq!(ops[0].path, "/StatusId");
    assert_eq!(ops[0].value, Some(serde_json::json!(2)));
    let mut t = Ticket {
        row: sample_rows()[0].clone(),
        ..Default::default()
    };
    t.row.status_id = Some(2);
    t.row.status_name = Some("In Progress".into());
    m.update(written(req, op, Ok(WriteResult::Ticket(Box::new(t)))));
    assert_eq!(
        m.list.get(1).unwrap().status_name.as_deref(),
        Some("In Progress")
    );
    assert!(m.in_flight.is_empty());

    // Marks: space marks and moves down; p applies to every marked ticket.
    send(&mut m, [key('g'), key(' '), key(' ')]);
    assert_eq!(m.list.marked.len(), 2);
    m.update(key('p'));
    assert!(top_picker(&m).title.contains("2 tickets"));
    send(&mut m, typed("crit"));
    let cmds = m.update(code(KeyCode::Enter));
    let ids: Vec<_> = writes(&cmds)
        .iter()
        .map(|(_, op)| match op {
            WriteOp::PatchTicket { ticket_id, ops } if ops[0].path == "/PriorityId" => *ticket_id,
            _ => 0,
        })
        .collect();
    assert_eq!(ids, vec![1, 2]);
    let (_, second) = writes(&cmds)[1];
    m.update(written(99, second, Err("not allowed".into())));
    assert!(m.status.error.as_deref().unwrap().contains("not allowed"));
}

#[test]
fn assign_requires_a_note_and_sends_status() {
    let mut m = loaded(sample_rows());
    send(&mut m, [key('j'), key('A')]);
    send(&mut m, typed("bob"));
    m.update(code(KeyCode::Enter));
    let Some(Layer::Note(e)) = m.layers.last() else {
        panic!()
    };
    assert!(matches!(
        e.mode,
        NoteMode::Assign {
            target: PickKey::Assignee(8),
            ..
        }
    ));
    let cmds = m.update(ctrl('s'));
    assert!(apis(&cmds).is_empty());
    let Some(Layer::Note(e)) = m.layers.last() else {
        panic!()
    };
    assert_eq!(e.error(), Some("the note is empty"));
    send(&mut m, typed("over to Bob"));
    let cmds = m.update(ctrl('s'));
    let [
        (
            req,
            op @ WriteOp::AssignTicket {
                ticket_id: 2,
                input,
            },
        ),
    ] = writes(&cmds)[..]
    else {
        panic!("{cmds:?}")
    };
    assert_eq!(input.assignee_id, Some(8));
    assert_eq!(input.queue_id, None);
    assert_eq!(input.status_id, 2, "keeps the current status");
    assert_eq!(input.details, "over to Bob");
    let mut t = Ticket {
        row: sample_rows()[1].clone(),
        ..Default::default()
    };
    t.row.assignee_name = Some("Bob Jones".into());
    m.update(written(req, op, Ok(WriteResult::Ticket(Box::new(t)))));
    assert!(m.layers.is_empty());
    assert_eq!(
        m.list.get(2).unwrap().assignee_name.as_deref(),
        Some("Bob Jones")
    );
}

#[test]
fn delete_asks_first() {
    let mut m = loaded(sample_rows());
    m.update(code(KeyCode::Delete));
    assert!(matches!(m.layers.last(), Some(Layer::Confirm(_))));
    let cmds = m.update(key('n'));
    assert!(apis(&cmds).is_empty() && m.layers.is_empty());
    m.update(code(KeyCode::Delete));
    let cmds = m.update(key('y'));
    let [(req, op @ WriteOp::DeleteTicket { ticket_id: 1 })] = writes(&cmds)[..] else {
        panic!()
    };
    m.update(written(req, op, Ok(WriteResult::Done)));
    assert!(m.list.get(1).is_none());
    assert_eq!(m.list.visible_len(), 4);
    assert_eq!(m.list.sel_id, Some(2), "selection moves to the next ticket");
}

#[test]
fn help_palette_and_remapped_keys() {
    let t: toml::Table = toml::from_str("[keys]\nstatus = \"S\"\nhelp = \"F1\"").unwrap();
    let mut m = model_with(Settings::parse(&t));
    let cmds = m.init(Vec::new());
    let seq = search_seq(&cmds).unwrap();
    warm(&mut m);
    m.update(api(Reply::Page {
        search_gen: seq,
        rows: sample_rows(),
        total: None,
    }));
    m.update(key('s'));
    assert!(m.layers.is_empty(), "s is no longer status");
    m.update(key('S'));
    assert!(matches!(top_picker(&m).purpose, Purpose::SetStatus(_)));
    m.update(code(KeyCode::Esc));
    m.update(key('?'));
    assert!(m.layers.is_empty());
    m.update(code(KeyCode::F(1)));
    assert!(matches!(m.layers.last(), Some(Layer::Help { .. })));
    m.update(code(KeyCode::Esc));
    // The palette lists every action with its current key and runs the pick.
    m.update(key(':'));
    let p = top_picker(&m);
    let status = p.items.iter().find(|i| i.label == "set status").unwrap();
    assert_eq!(status.hint, "S");
    send(&mut m, typed("set prio"));
    m.update(code(KeyCode::Enter));
    assert!(matches!(top_picker(&m).purpose, Purpose::SetPriority(_)));
}

#[test]
fn palette_arguments_go_to_the_picker_or_filter_the_command_opens() {
    let mut m = loaded(sample_rows());
    // `:status in prog` opens the status picker already narrowed to "In Progress".
    m.update(key(':'));
    send(&mut m, typed("status in prog"));
    m.update(code(KeyCode::Enter));
    let p = top_picker(&m);
    assert!(
        matches!(p.purpose, Purpose::SetStatus(_)),
        "{:?}",
        p.purpose
    );
    assert_eq!(p.query, "in prog");
    assert_eq!(p.selected().map(|i| i.label.as_str()), Some("In Progress"));
    m.update(code(KeyCode::Esc));
    // `:filter printer` filters the list.
    m.update(key(':'));
    send(&mut m, typed("filter printer"));
    m.update(code(KeyCode::Enter));
    assert!(m.layers.is_empty());
    assert_eq!(m.list.query, "printer");
    assert_eq!(numbers(&m), vec!["T20250001", "T20250005"]);
}

fn refresh_seq(cmds: &[Cmd]) -> Option<(u64, chrono::DateTime<chrono::Utc>)> {
    cmds.iter().find_map(|c| match c {
        Cmd::Api(Request::Refresh {
            search_gen: seq,
            since,
            ..
        }) => Some((*seq, *since)),
        _ => None,
    })
}

fn changed(seq: u64, changes: Changes) -> Msg {
    api(Reply::Changed {
        search_gen: seq,
        result: Ok(changes),
        at: now(),
    })
}

#[test]
fn refresh_keeps_rows_until_new_ones_arrive() {
    let mut m = loaded(sample_rows());
    let cmds = m.update(key('r'));
    let (seq, _) = refresh_seq(&cmds).expect("an incremental refresh");
    // The view holds fewer tickets than the list after the merge (some were deleted, which
    // no dated search shows): everything is loaded again.
    let cmds = m.update(changed(
        seq,
        Changes {
            total: Some(2),
            ..Default::default()
        },
    ));
    let seq = search_seq(&cmds).expect("a full reload");
    assert_eq!(m.list.visible_len(), 5, "no flash of an empty list");
    m.update(api(Reply::Page {
        search_gen: seq,
        rows: sample_rows()[..2].to_vec(),
        total: Some(2),
    }));
    m.update(api(Reply::SearchDone {
        search_gen: seq,
        result: Ok(2),
        at: now(),
    }));
    m.prepare();
    assert_eq!(m.list.visible_len(), 2);
    assert_eq!(m.list.loaded_at, Some(now()));
}

#[test]
fn refresh_fetches_only_changes_and_merges_them() {
    let mut m = loaded(sample_rows());
    let cmds = m.update(key('r'));
    let (seq, since) = refresh_seq(&cmds).expect("an incremental refresh");
    assert!(search_seq(&cmds).is_none(), "no full reload");
    assert_eq!(
        since,
        now() - chrono::Duration::seconds(crate::list::REFRESH_OVERLAP_SECS)
    );
    let mut renamed = sample_rows()[1].clone();
    renamed.title = "VPN fixed, watching".into();
    let new = row(
        9,
        "Scanner jammed",
        "Contoso",
        (1, "New"),
        (3, "Medium"),
        None,
    );
    let cmds = m.update(changed(
        seq,
        Changes {
            rows: vec![renamed, new],
            left: vec![3],
            total: Some(5),
        },
    ));
    assert!(search_seq(&cmds).is_none(), "the merge adds up: no reload");
    m.prepare();
    let ids: Vec<i64> = m
        .list
        .visible()
        .iter()
        .map(|&i| m.list.rows[i as usize].id)
        .collect();
    assert_eq!(ids.len(), 5);
    assert!(ids.contains(&9) && !ids.contains(&3), "{ids:?}");
    assert_eq!(m.list.get(2).unwrap().title, "VPN fixed, watching");
    // The next refresh starts from this one.
    let (_, since2) = refresh_seq(&m.update(key('r'))).expect("incremental again");
    assert!(since2 >= since);
}

#[test]
fn server_errors_reach_the_status_bar() {
    let mut m = loaded(sample_rows());
    let cmds = m.update(key('r'));
    let (seq, _) = refresh_seq(&cmds).unwrap();
    m.update(api(Reply::Changed {
        search_gen: seq,
        result: Err("HTTP 500: boom".into()),
        at: now(),
    }));
    assert_eq!(
        m.status.error.as_deref(),
        Some("loading tickets failed: HTTP 500: boom")
    );
    assert!(!m.list.loading);
    assert_eq!(
        m.list.visible_len(),
        5,
        "old rows stay after a failed refresh"
    );
}

#[test]
fn a_large_account_picker_ranks_off_the_key_path() {
    let mut m = loaded(sample_rows());
    let many: Vec<bmsdesk_core::model::Account> = (0..25_000)
        .map(|i| bmsdesk_core::model::Account {
            id: 1000 + i,
            name: format!("Client {i:05}"),
            ..Default::default()
        })
        .collect();
    m.update(api(Reply::Accounts {
        items: many,
        fetched_at: now(),
    }));
    m.update(key('n'));
    m.update(code(KeyCode::Enter)); // (blank ticket)
    assert!(matches!(
        top_picker(&m).purpose,
        Purpose::NewTicket {
            field: Field::Account,
            ..
        }
    ));
    let rank_jobs = |cmds: Vec<Cmd>| -> Vec<_> {
        cmds.into_iter()
            .filter_map(|c| match c {
                Cmd::Rank(j) => Some(j),
                _ => None,
            })
            .collect()
    };
    let mut jobs = Vec::new();
    for c in "12345".chars() {
        jobs.extend(rank_jobs(m.update(key(c))));
    }
    assert_eq!(jobs.len(), 1, "one ranking in flight at a time");
    assert!(top_picker(&m).ranking());
    let j = &jobs[0];
    let next = rank_jobs(m.update(Msg::Ranked {
        rank_gen: j.rank_gen,
        matches: j.run(),
    }));
    let j = next.first().expect("the newer query follows");
    m.update(Msg::Ranked {
        rank_gen: j.rank_gen,
        matches: j.run(),
    });
    let p = top_picker(&m);
    assert!(!p.ranking());
    assert_eq!(p.selected().unwrap().label, "Client 12345");
}

#[test]
fn a_fresh_copy_of_a_row_does_not_resort_but_a_changed_deadline_does() {
    let mut m = loaded(sample_rows());
    m.list.sort = crate::settings::Sort {
        column: Column::Due,
        desc: false,
    };
    m.list.invalidate();
    m.prepare();
    let v = m.list.version();
    let cmds = m.update(code(KeyCode::Enter));
    let Some(Request::Detail {
        detail_gen: seq,
        id,
    }) = apis(&cmds).into_iter().next().cloned()
    else {
        panic!("enter fetches the detail: {cmds:?}")
    };
    let same = m.list.get(id).unwrap().clone();
    let with_row = |row: bmsdesk_core::model::TicketRow| {
        api(Reply::Detail {
            detail_gen: seq,
            id,
            result: Ok(Arc::new(DetailData {
                ticket: Ticket {
                    row,
                    ..Default::default()
                },
                fetched_at: now(),
                ..Default::default()
            })),
        })
    };
    m.update(with_row(same.clone()));
    assert_eq!(m.list.version(), v, "same ticket: the order stands");
    let mut due_soon = same;
    due_soon.resolution_target_time = Some(now() - chrono::Duration::hours(1));
    m.detail.generation = seq;
    m.update(with_row(due_soon));
    assert_ne!(m.list.version(), v, "its deadline moved: sorted again");
}
