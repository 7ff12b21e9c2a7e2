//! Note drafts on disk. Stand-in with the interface of `store::drafts` (being written in
//! parallel); switching over is a change of the `use` in `tui`.

use std::io;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::api::model::Id;
use crate::store::fsutil;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteDraft {
    pub ticket_id: Id,
    pub text: String,
    pub is_internal: bool,
    pub type_id: Option<i64>,
    pub template_id: Option<i64>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct DraftStore {
    dir: PathBuf,
}

impl DraftStore {
    pub fn new(dir: impl Into<PathBuf>) -> DraftStore {
        DraftStore { dir: dir.into() }
    }

    fn path(&self, ticket_id: Id) -> PathBuf {
        self.dir.join(format!("note-{ticket_id}.json"))
    }

    pub fn save(&self, draft: &NoteDraft) -> io::Result<()> {
        let bytes = serde_json::to_vec_pretty(draft).map_err(io::Error::other)?;
        fsutil::write_private_atomic(&self.path(draft.ticket_id), &bytes)
    }

    pub fn load(&self, ticket_id: Id) -> Option<NoteDraft> {
        let bytes = std::fs::read(self.path(ticket_id)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    pub fn list(&self) -> Vec<NoteDraft> {
        let Ok(rd) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut out: Vec<NoteDraft> = rd
            .flatten()
            .filter(|e| {
                let n = e.file_name();
                let n = n.to_string_lossy();
                n.starts_with("note-") && n.ends_with(".json")
            })
            .filter_map(|e| serde_json::from_slice(&std::fs::read(e.path()).ok()?).ok())
            .collect();
        out.sort_by_key(|d: &NoteDraft| std::cmp::Reverse(d.updated_at));
        out
    }

    pub fn remove(&self, ticket_id: Id) -> io::Result<()> {
        match std::fs::remove_file(self.path(ticket_id)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}
