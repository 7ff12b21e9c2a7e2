//! The one rule for a note's `TypeId`, used by the CLI and the TUI.
//!
//! `TypeId` is required on every note (spec: an int, minimum 0), the spec names no note-type
//! list and no document says what any value means, `0` included (see `api::guesses`). So a
//! note's type is, in this order:
//! 1. the one chosen for this note (`--type`, a note template's type);
//! 2. the profile's `note_type`;
//! 3. the tenant's note-type list (live or cached): its default entry, else its first;
//!
//! and otherwise there is none: the note is refused with a message saying how to name one,
//! rather than sent with an id that means something unknown (or nothing) on this tenant.

use crate::guesses::NOTE_TYPE_FALLBACK;
use crate::model::{Id, LookupItem};

/// What is known of the tenant's note types.
#[derive(Debug, Clone, Copy)]
pub enum NoteTypes<'a> {
    /// The tenant's list (possibly empty).
    Known(&'a [LookupItem]),
    /// Not known, and why (cannot be read now, the tenant has no such list, not loaded yet).
    Unknown(&'a str),
}

/// The note's type could not be decided; the text says why and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NoteTypeUnknown(pub String);

/// The note type for a note (see the module notes).
pub fn pick(
    chosen: Option<Id>,
    profile: Option<Id>,
    types: NoteTypes<'_>,
) -> Result<Id, NoteTypeUnknown> {
    if let Some(id) = chosen.or(profile) {
        return Ok(id);
    }
    let why = match types {
        NoteTypes::Known(items) => {
            if let Some(t) = items
                .iter()
                .find(|t| t.is_default == Some(true))
                .or(items.first())
            {
                return Ok(t.id);
            }
            "the tenant's note-type list is empty"
        }
        NoteTypes::Unknown(why) => why,
    };
    if let Some(id) = NOTE_TYPE_FALLBACK {
        return Ok(id);
    }
    Err(NoteTypeUnknown(format!(
        "this tenant's note types are unknown ({why}), and a note needs one: set `note_type = ID` \
         in the profile (`bmsdesk doctor` shows whether the tenant has a note-type list), or \
         choose a type for this note (`--type` on the command line, a note template in the TUI)"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: Id, default: bool) -> LookupItem {
        LookupItem {
            id,
            name: format!("type {id}"),
            is_default: Some(default),
            ..Default::default()
        }
    }

    #[test]
    fn chosen_then_profile_then_the_tenants_default_then_its_first() {
        let list = [item(4, false), item(7, true)];
        let known = NoteTypes::Known(&list);
        assert_eq!(pick(Some(2), Some(3), known), Ok(2));
        assert_eq!(pick(None, Some(3), known), Ok(3));
        assert_eq!(pick(None, None, known), Ok(7));
        let no_default = [item(4, false), item(9, false)];
        assert_eq!(pick(None, None, NoteTypes::Known(&no_default)), Ok(4));
        // The profile's type works when the list cannot be read.
        assert_eq!(pick(None, Some(3), NoteTypes::Unknown("offline")), Ok(3));
    }

    #[test]
    fn unknown_note_types_are_refused_with_what_to_do() {
        for (types, why) in [
            (NoteTypes::Known(&[]), "list is empty"),
            (
                NoteTypes::Unknown("cannot be read now"),
                "cannot be read now",
            ),
        ] {
            let e = pick(None, None, types).unwrap_err().to_string();
            assert!(e.contains(why), "{e}");
            assert!(e.contains("note_type = ID"), "{e}");
            assert!(e.contains("--type"), "{e}");
        }
    }
}
