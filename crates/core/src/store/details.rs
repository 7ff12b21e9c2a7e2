//! The last copy of recently opened tickets (the ticket, its notes and time entries), so the
//! detail pane still shows them when the server cannot be reached (offline mode). One file per
//! ticket (`<cache>.details/<id>.json`, 0600 in a 0700 folder), bound to the tenant like the
//! rest of the cache; only the newest [`DEFAULT_KEEP`] are kept.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::cache::Cache;
use super::fsutil;
use crate::model::{Id, Note, Ticket, TimeLog};

/// Tickets kept on disk.
pub const DEFAULT_KEEP: usize = 300;

/// Bumped when the stored shape changes; other versions are ignored.
const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredDetail {
    pub ticket: Ticket,
    pub notes: Vec<Note>,
    pub time_logs: Vec<TimeLog>,
    pub fetched_at: DateTime<Utc>,
}

#[derive(Serialize, Deserialize)]
struct DetailFile {
    version: u32,
    scope: Option<String>,
    detail: StoredDetail,
}

#[derive(Debug, Clone)]
pub struct DetailStore {
    dir: PathBuf,
    scope: Option<String>,
    keep: usize,
}

impl DetailStore {
    pub fn new(dir: impl Into<PathBuf>, scope: Option<String>) -> Self {
        DetailStore {
            dir: dir.into(),
            scope,
            keep: DEFAULT_KEEP,
        }
    }

    /// The store beside `cache`'s file, for the same tenant.
    pub fn beside(cache: &Cache) -> Self {
        DetailStore::new(cache.beside(".details"), cache.scope().map(str::to_string))
    }

    pub fn with_keep(mut self, keep: usize) -> Self {
        self.keep = keep.max(1);
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, id: Id) -> PathBuf {
        self.dir.join(format!("{id}.json"))
    }

    /// Stores `detail` (replacing its older copy); a new ticket's copy drops the oldest files
    /// past the limit.
    pub fn save(&self, detail: &StoredDetail) -> io::Result<()> {
        let file = DetailFile {
            version: VERSION,
            scope: self.scope.clone(),
            detail: detail.clone(),
        };
        let json = serde_json::to_vec(&file).map_err(io::Error::other)?;
        let path = self.path(detail.ticket.row.id);
        // Replacing a copy does not change the count: only a new ticket can pass the limit.
        let added = !path.exists();
        fsutil::write_private_atomic(&path, &json)?;
        if added {
            self.prune();
        }
        Ok(())
    }

    /// The stored copy of ticket `id`, if there is a readable one for this tenant.
    pub fn load(&self, id: Id) -> Option<StoredDetail> {
        let path = self.path(id);
        let bytes = fsutil::read_if_present(&path, "stored ticket")?;
        match serde_json::from_slice::<DetailFile>(&bytes) {
            Ok(f)
                if f.version == VERSION
                    && f.scope == self.scope
                    && f.detail.ticket.row.id == id =>
            {
                Some(f.detail)
            }
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "ignoring a damaged stored ticket");
                let _ = fs::remove_file(&path);
                None
            }
        }
    }

    /// Every readable stored ticket of this tenant (what an offline list can still show).
    pub fn list(&self) -> Vec<StoredDetail> {
        let Ok(rd) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        rd.flatten()
            .filter_map(|e| {
                let name = e.file_name();
                let id = name.to_str()?.strip_suffix(".json")?.parse::<Id>().ok()?;
                self.load(id)
            })
            .collect()
    }

    fn prune(&self) {
        let Ok(rd) = fs::read_dir(&self.dir) else {
            return;
        };
        let mut files: Vec<(std::time::SystemTime, PathBuf)> = rd
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
            .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
            .collect();
        if files.len() <= self.keep {
            return;
        }
        files.sort();
        for (_, path) in &files[..files.len() - self.keep] {
            let _ = fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn detail(id: Id, note: &str) -> StoredDetail {
        let mut ticket = Ticket::default();
        ticket.row.id = id;
        ticket.row.ticket_number = format!("T{id}");
        ticket.row.account_name = Some("Acme".into());
        ticket.details = Some("<p>Printer</p>".into());
        StoredDetail {
            ticket,
            notes: vec![Note {
                id: 1,
                details: note.into(),
                ..Default::default()
            }],
            time_logs: Vec::new(),
            fetched_at: crate::clock::now(),
        }
    }

    #[test]
    fn saved_tickets_load_back_for_the_same_tenant_only() {
        let tmp = tempfile::tempdir().unwrap();
        let store = DetailStore::new(tmp.path().join("d"), Some("a".into()));
        let d = detail(7, "called back");
        store.save(&d).unwrap();
        assert_eq!(store.load(7), Some(d.clone()));
        assert_eq!(store.load(8), None);
        let other = DetailStore::new(tmp.path().join("d"), Some("b".into()));
        assert_eq!(other.load(7), None, "another tenant's copy is not shown");
        // A newer copy replaces it.
        let newer = detail(7, "fixed");
        store.save(&newer).unwrap();
        assert_eq!(store.load(7), Some(newer));
    }

    #[test]
    fn a_damaged_copy_is_ignored_and_only_the_newest_are_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let store = DetailStore::new(tmp.path(), None).with_keep(3);
        fs::write(tmp.path().join("5.json"), "{\"version\": 1, \"deta").unwrap();
        assert_eq!(store.load(5), None);
        for id in 1..=5 {
            store.save(&detail(id, "n")).unwrap();
            // Distinct modification times, so "oldest" is well defined.
            std::thread::sleep(std::time::Duration::from_millis(15));
        }
        let left: Vec<bool> = (1..=5).map(|id| store.load(id).is_some()).collect();
        assert_eq!(left, vec![false, false, true, true, true]);
        let mut listed: Vec<Id> = store.list().iter().map(|d| d.ticket.row.id).collect();
        listed.sort_unstable();
        assert_eq!(listed, vec![3, 4, 5]);
    }

    #[cfg(unix)]
    #[test]
    fn stored_tickets_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let store = DetailStore::new(tmp.path().join("details"), None);
        store.save(&detail(1, "n")).unwrap();
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&store.path(1)), 0o600);
        assert_eq!(mode(store.dir()), 0o700);
    }
}
