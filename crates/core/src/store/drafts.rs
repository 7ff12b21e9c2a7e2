//! Note drafts that survive a crash, a closed terminal or an outage: one small JSON file per
//! ticket (`<dir>/<ticket id>.json`, mode 0600), replaced atomically on every save.
//!
//! A damaged draft is never deleted: it is renamed to `<name>.corrupt` (kept for a human to
//! rescue the text) and skipped.

use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::fsutil;
use crate::model::Id;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteDraft {
    pub ticket_id: Id,
    /// Plain text as typed (converted to HTML only when sent).
    pub text: String,
    #[serde(default)]
    pub is_internal: bool,
    #[serde(default)]
    pub type_id: Option<i64>,
    #[serde(default)]
    pub template_id: Option<i64>,
    /// A status to set together with the note.
    #[serde(default)]
    pub status_id: Option<Id>,
    /// Editing an existing note rather than adding one.
    #[serde(default)]
    pub note_id: Option<Id>,
    pub updated_at: DateTime<Utc>,
}

/// Names one version of a ticket's draft: the one last edited at `saved_at`. An outbox item
/// sent from a draft carries its key; delivering the item clears that draft unless it was
/// edited since (a new note begun on the same ticket).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DraftKey {
    pub ticket_id: Id,
    pub saved_at: DateTime<Utc>,
}

impl NoteDraft {
    pub fn key(&self) -> DraftKey {
        DraftKey {
            ticket_id: self.ticket_id,
            saved_at: self.updated_at,
        }
    }

    /// Whether this is the text that went out as `key` (or an earlier save of it), not a
    /// newer note.
    pub fn was_sent_as(&self, key: &DraftKey) -> bool {
        self.ticket_id == key.ticket_id && self.updated_at <= key.saved_at
    }

    pub fn new(ticket_id: Id, text: impl Into<String>) -> Self {
        NoteDraft {
            ticket_id,
            text: text.into(),
            is_internal: false,
            type_id: None,
            template_id: None,
            status_id: None,
            note_id: None,
            updated_at: crate::clock::now(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct DraftStore {
    dir: PathBuf,
}

impl DraftStore {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        DraftStore { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, ticket_id: Id) -> PathBuf {
        self.dir.join(format!("{ticket_id}.json"))
    }

    /// Saves the draft, replacing the ticket's previous one. A draft with no text is no draft:
    /// saving one removes the file.
    pub fn save(&self, draft: &NoteDraft) -> io::Result<()> {
        if draft.text.trim().is_empty() {
            return self.remove(draft.ticket_id);
        }
        let json = serde_json::to_vec(draft).map_err(io::Error::other)?;
        fsutil::write_private_atomic(&self.path(draft.ticket_id), &json)
    }

    /// The ticket's draft, if there is a readable one.
    pub fn load(&self, ticket_id: Id) -> Option<NoteDraft> {
        self.read(&self.path(ticket_id), Some(ticket_id))
    }

    /// Every readable draft, most recently edited first.
    pub fn list(&self) -> Vec<NoteDraft> {
        let entries = match std::fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Vec::new(),
            Err(e) => {
                tracing::warn!(dir = %self.dir.display(), error = %e, "cannot list drafts");
                return Vec::new();
            }
        };
        let mut drafts: Vec<NoteDraft> = entries
            .flatten()
            .filter_map(|entry| {
                let path = entry.path();
                let id = path
                    .file_name()?
                    .to_str()?
                    .strip_suffix(".json")?
                    .parse::<Id>()
                    .ok()?;
                self.read(&path, Some(id))
            })
            .collect();
        drafts.sort_by(|a, b| {
            b.updated_at
                .cmp(&a.updated_at)
                .then(a.ticket_id.cmp(&b.ticket_id))
        });
        drafts
    }

    /// Removes the ticket's draft if it is the one sent as `key` ([`NoteDraft::was_sent_as`]).
    /// Returns whether one was removed.
    pub fn remove_sent(&self, key: &DraftKey) -> io::Result<bool> {
        match self.load(key.ticket_id) {
            Some(d) if d.was_sent_as(key) => self.remove(key.ticket_id).map(|()| true),
            _ => Ok(false),
        }
    }

    pub fn remove(&self, ticket_id: Id) -> io::Result<()> {
        match std::fs::remove_file(self.path(ticket_id)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    fn read(&self, path: &Path, expect_id: Option<Id>) -> Option<NoteDraft> {
        let bytes = fsutil::read_if_present(path, "draft")?;
        match serde_json::from_slice::<NoteDraft>(&bytes) {
            Ok(d) if expect_id.is_none_or(|id| id == d.ticket_id) => Some(d),
            Ok(d) => {
                set_aside(path, &format!("holds ticket {} instead", d.ticket_id));
                None
            }
            Err(e) => {
                set_aside(path, &e.to_string());
                None
            }
        }
    }
}

/// Renames a damaged draft to `<name>.corrupt` so it is out of the way but not lost.
fn set_aside(path: &Path, why: &str) {
    match super::fsutil::set_aside_corrupt(path) {
        Ok(target) => {
            tracing::warn!(path = %path.display(), moved_to = %target.display(), reason = why, "damaged note draft set aside")
        }
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, reason = why, "damaged note draft could not be set aside")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn save_load_list_remove() {
        let tmp = tempfile::tempdir().unwrap();
        let store = DraftStore::new(tmp.path().join("drafts"));
        assert!(store.load(1).is_none());
        assert!(store.list().is_empty());

        let mut a = NoteDraft::new(1, "called the user");
        a.is_internal = true;
        a.type_id = Some(3);
        a.template_id = Some(9);
        a.updated_at = crate::clock::now() - TimeDelta::minutes(5);
        store.save(&a).unwrap();
        let b = NoteDraft::new(2, "second");
        store.save(&b).unwrap();

        assert_eq!(store.load(1), Some(a.clone()));
        let ids: Vec<Id> = store.list().iter().map(|d| d.ticket_id).collect();
        assert_eq!(ids, vec![2, 1], "newest first");

        a.text = "called the user again".into();
        store.save(&a).unwrap();
        assert_eq!(store.load(1).unwrap().text, "called the user again");

        store.remove(1).unwrap();
        store.remove(1).unwrap();
        assert!(store.load(1).is_none());
        assert_eq!(store.list().len(), 1);
    }

    #[test]
    fn a_sent_draft_is_removed_but_a_newer_one_stays() {
        let tmp = tempfile::tempdir().unwrap();
        let store = DraftStore::new(tmp.path());
        let sent = NoteDraft::new(7, "rebooted the router");
        store.save(&sent).unwrap();
        let key = sent.key();
        // An earlier save of the same text counts as sent too.
        let mut older = sent.clone();
        older.updated_at = sent.updated_at - TimeDelta::seconds(2);
        assert!(older.was_sent_as(&key));
        assert!(store.remove_sent(&key).unwrap());
        assert!(store.load(7).is_none());
        assert!(!store.remove_sent(&key).unwrap(), "nothing left to remove");
        // A new note begun after the send is not touched.
        let mut newer = NoteDraft::new(7, "second call");
        newer.updated_at = sent.updated_at + TimeDelta::seconds(30);
        store.save(&newer).unwrap();
        assert!(!store.remove_sent(&key).unwrap());
        assert_eq!(store.load(7).unwrap().text, "second call");
        let other = DraftKey {
            ticket_id: 8,
            ..key
        };
        assert!(!newer.was_sent_as(&other));
    }

    #[test]
    fn empty_text_removes_the_draft() {
        let tmp = tempfile::tempdir().unwrap();
        let store = DraftStore::new(tmp.path());
        store.save(&NoteDraft::new(4, "x")).unwrap();
        store.save(&NoteDraft::new(4, "  \n")).unwrap();
        assert!(store.load(4).is_none());
        assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
    }

    #[test]
    fn corrupt_drafts_are_set_aside_not_deleted() {
        let tmp = tempfile::tempdir().unwrap();
        let store = DraftStore::new(tmp.path());
        store.save(&NoteDraft::new(1, "good")).unwrap();
        std::fs::write(
            tmp.path().join("2.json"),
            "{\"ticket_id\": 2, \"text\": \"half",
        )
        .unwrap();
        let other = serde_json::to_vec(&NoteDraft::new(99, "misfiled")).unwrap();
        std::fs::write(tmp.path().join("3.json"), other).unwrap();
        std::fs::write(tmp.path().join("notes.txt"), "not a draft").unwrap();

        let listed: Vec<Id> = store.list().iter().map(|d| d.ticket_id).collect();
        assert_eq!(listed, vec![1]);
        assert!(store.load(2).is_none());
        let kept = std::fs::read_to_string(tmp.path().join("2.json.corrupt")).unwrap();
        assert!(kept.contains("half"), "the text is still there to rescue");
        assert!(tmp.path().join("3.json.corrupt").exists());
        assert!(tmp.path().join("notes.txt").exists());
        // A new draft for the same ticket still works.
        store.save(&NoteDraft::new(2, "again")).unwrap();
        assert_eq!(store.load(2).unwrap().text, "again");
        // A second damaged copy does not replace the first.
        std::fs::write(tmp.path().join("2.json"), "garbage").unwrap();
        assert!(store.load(2).is_none());
        assert!(tmp.path().join("2.json.1.corrupt").exists());
        assert!(tmp.path().join("2.json.corrupt").exists());
    }

    #[cfg(unix)]
    #[test]
    fn drafts_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let store = DraftStore::new(tmp.path().join("d"));
        store.save(&NoteDraft::new(5, "x")).unwrap();
        let mode = std::fs::metadata(tmp.path().join("d/5.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
