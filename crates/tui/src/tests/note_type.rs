//! A note's type in the TUI: the one rule of `domain::note_type` (never a made-up id).

use super::*;
use bmsdesk_core::model::LookupItem;
use bmsdesk_core::{lookups::LookupKind, ops::WriteOp};

/// Types a note on the selected ticket and sends it; the `AddNote` type, or the editor's error.
fn send_note(m: &mut Model) -> Result<i64, String> {
    m.update(key('a'));
    send(m, typed("Rebooted"));
    let cmds = m.update(ctrl('s'));
    match apis(&cmds)[..] {
        [
            Request::Write {
                op: WriteOp::AddNote { input, .. },
                ..
            },
        ] => Ok(input.type_id),
        [] => match m.layers.last() {
            Some(Layer::Note(e)) => Err(e.error().unwrap_or_default().to_string()),
            _ => panic!("no editor open"),
        },
        ref other => panic!("{other:?}"),
    }
}

fn without_note_types(m: &mut Model) {
    m.data.lookups.remove(&LookupKind::NoteTypes);
    m.update(api(Reply::Failed {
        what: LookupKind::NoteTypes.name().into(),
        error: "HTTP 404: Lookup table 'NoteType' was not found".into(),
    }));
}

#[test]
fn a_tenant_without_note_types_refuses_the_note_with_what_to_do() {
    let mut m = loaded(sample_rows());
    without_note_types(&mut m);
    let error = send_note(&mut m).unwrap_err();
    assert!(error.contains("note types are unknown"), "{error}");
    assert!(error.contains("could not be read"), "{error}");
    assert!(error.contains("note_type = ID"), "{error}");
    // The text is still in the editor, for when a type is known.
    let Some(Layer::Note(e)) = m.layers.last() else {
        panic!()
    };
    assert_eq!(e.text(), "Rebooted");
}

#[test]
fn the_note_type_list_not_loaded_yet_is_said_so() {
    let mut m = loaded(sample_rows());
    m.data.lookups.remove(&LookupKind::NoteTypes);
    let error = send_note(&mut m).unwrap_err();
    assert!(error.contains("not loaded yet"), "{error}");
}

#[test]
fn the_profiles_note_type_is_used_when_the_tenant_has_none_and_wins_over_its_default() {
    let mut m = loaded(sample_rows());
    m.note_type = Some(9);
    assert_eq!(send_note(&mut m), Ok(9));

    let mut m = loaded(sample_rows());
    m.note_type = Some(9);
    without_note_types(&mut m);
    assert_eq!(send_note(&mut m), Ok(9));
}

#[test]
fn the_tenants_default_note_type_is_used_when_nothing_else_says() {
    let mut m = loaded(sample_rows());
    m.update(api(Reply::Lookup {
        kind: LookupKind::NoteTypes,
        items: vec![
            item(5, "General"),
            LookupItem {
                id: 6,
                name: "Resolution".into(),
                is_default: Some(true),
                ..Default::default()
            },
        ],
    }));
    assert_eq!(send_note(&mut m), Ok(6));
}
