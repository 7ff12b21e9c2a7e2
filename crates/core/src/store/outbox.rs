//! The outbox: writes that are not (yet) known to have reached BMS, kept on disk so an outage,
//! a closed laptop or a `kill -9` never costs a note or a ticket change.
//!
//! One JSON file per item (`<dir>/<seq>.json`, mode 0600, folder 0700). An item is written
//! before its write is sent, is updated (atomically) before every attempt, and is removed only
//! once the server has confirmed it. Items are sent in sequence order. One the server refuses
//! (the ticket was deleted or changed meanwhile) is kept as a `conflict` with the server's
//! message until the user retries or drops it: nothing leaves the outbox silently.
//!
//! When a sender delivers (or the user drops) an item that another process is waiting for, it
//! leaves a receipt (`<dir>/<seq>.receipt`) saying what became of it, so the waiting process can
//! report the server's answer instead of guessing; receipts are taken by their reader and any
//! left over are removed after an hour (by [`Outbox::list`], which every flush calls).
//!
//! Sending is `actions`' job; this module only stores. Whoever sends holds [`Outbox::try_lock`]
//! (an advisory lock on `<dir>/.lock`, released by the OS if the process dies), so two
//! processes (the TUI and a script) never send the same item at once.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::drafts::DraftKey;
use super::fsutil;
use crate::model::Id;
use crate::ops::WriteOp;
use crate::send_state::{Baseline, SendState};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemState {
    /// Waiting to be sent (or being sent).
    Pending,
    /// The server refused it (404/400); kept for the user to see, retry or drop.
    Conflict,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutboxItem {
    pub seq: u64,
    pub op: WriteOp,
    pub created_at: DateTime<Utc>,
    pub state: ItemState,
    /// Times it was sent (or tried to be).
    #[serde(default)]
    pub attempts: u32,
    /// Why the last attempt did not go through (the server's message for a conflict).
    #[serde(default)]
    pub last_error: Option<String>,
    #[serde(default)]
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// An attempt may have reached the server: check whether it was carried out before
    /// sending it again.
    #[serde(default)]
    pub maybe_sent: bool,
    /// When the first such attempt started (where that check looks from).
    #[serde(default)]
    pub sent_at: Option<DateTime<Utc>>,
    /// What the server held before the first attempt (see [`SendState::baseline`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Baseline>,
    /// See [`SendState::unsure_since`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unsure_since: Option<DateTime<Utc>>,
    /// The note draft this write was sent from: it is cleared once the write is delivered,
    /// by whichever process delivers it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub draft: Option<DraftKey>,
}

impl OutboxItem {
    pub fn new(seq: u64, op: WriteOp) -> Self {
        OutboxItem {
            seq,
            op,
            created_at: crate::clock::now(),
            state: ItemState::Pending,
            attempts: 0,
            last_error: None,
            last_attempt_at: None,
            maybe_sent: false,
            sent_at: None,
            baseline: None,
            unsure_since: None,
            draft: None,
        }
    }

    pub fn is_pending(&self) -> bool {
        self.state == ItemState::Pending
    }

    /// How far sending it got.
    pub fn send_state(&self) -> SendState {
        SendState {
            attempts: self.attempts,
            maybe_sent: self.maybe_sent,
            sent_at: self.sent_at,
            baseline: self.baseline.clone(),
            unsure_since: self.unsure_since,
        }
    }

    /// Takes over how far sending it got (to be saved).
    pub fn set_send_state(&mut self, s: &SendState) {
        self.attempts = s.attempts;
        self.maybe_sent = s.maybe_sent;
        self.sent_at = s.sent_at;
        self.baseline = s.baseline.clone();
        self.unsure_since = s.unsure_since;
    }
}

/// What became of an item that left the outbox (see [`Outbox::finish`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "lowercase")]
pub enum Receipt {
    /// The server confirmed it; `result` is what it gave back (a ticket, a note...).
    Delivered {
        #[serde(default)]
        result: serde_json::Value,
    },
    /// The user dropped it without sending it.
    Dropped,
}

/// How long a receipt nobody took is kept.
const RECEIPT_TTL_SECS: u64 = 3600;

/// What this profile's writes created lately (`<dir>/created.ledger`, JSON; not an item file): a later write's check
/// must not take one of them for its own, even while the server's lists do not show them yet
/// (read lag) and so the later write's baseline missed them.
const CREATED: &str = "created.ledger";
/// How long, and how many, such ids are remembered.
const CREATED_TTL_SECS: i64 = 3600;
const CREATED_MAX: usize = 5000;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Created {
    scope: String,
    id: Id,
    at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Outbox {
    dir: PathBuf,
}

/// Held while sending; dropping it (or the process dying) releases it.
#[derive(Debug)]
pub struct OutboxLock {
    _file: File,
}

const HIGH_WATER: &str = "last_seq";

impl Outbox {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Outbox { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, seq: u64) -> PathBuf {
        self.dir.join(format!("{seq:012}.json"))
    }

    fn ensure_dir(&self) -> io::Result<()> {
        fsutil::ensure_private_dir(&self.dir)?;
        Ok(())
    }

    fn sync_dir(&self) {
        if let Ok(d) = File::open(&self.dir) {
            let _ = d.sync_all();
        }
    }

    /// Stores `op` as a new pending item and returns it. The file is complete and synced
    /// before it appears under its name (no other process can see half an item), and a
    /// sequence number is never given twice, even to two processes at once.
    pub fn enqueue(&self, op: WriteOp) -> io::Result<OutboxItem> {
        self.enqueue_from(op, None)
    }

    /// [`Outbox::enqueue`] for a write sent from a note draft: the item names the draft, so
    /// that whoever delivers it can clear it.
    pub fn enqueue_from(&self, op: WriteOp, draft: Option<DraftKey>) -> io::Result<OutboxItem> {
        self.ensure_dir()?;
        let mut item = OutboxItem::new(self.next_seq(), op);
        item.draft = draft;
        let tmp = self.dir.join(format!(
            ".new.{}.{}.tmp",
            std::process::id(),
            fastrand::u64(..)
        ));
        let result = (|| {
            for _ in 0..10_000 {
                write_synced(
                    &tmp,
                    &serde_json::to_vec_pretty(&item).map_err(io::Error::other)?,
                )?;
                // A hard link fails if the name exists: the number is ours alone.
                match fs::hard_link(&tmp, self.path(item.seq)) {
                    Ok(()) => {
                        self.sync_dir();
                        let _ = fsutil::write_private_atomic(
                            &self.dir.join(HIGH_WATER),
                            item.seq.to_string().as_bytes(),
                        );
                        return Ok(());
                    }
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                        let _ = fs::remove_file(&tmp);
                        item.seq += 1;
                    }
                    Err(e) => return Err(e),
                }
            }
            Err(io::Error::other("no free outbox sequence number"))
        })();
        let _ = fs::remove_file(&tmp);
        result.map(|()| item)
    }

    fn next_seq(&self) -> u64 {
        let high = fs::read_to_string(self.dir.join(HIGH_WATER))
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok())
            .unwrap_or(0);
        let files = self.seqs().into_iter().max().unwrap_or(0);
        high.max(files) + 1
    }

    /// Sequence numbers of the item files present (readable or not).
    fn seqs(&self) -> Vec<u64> {
        let Ok(rd) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        // Set-aside copies (`N.json.corrupt`) keep their number taken too.
        rd.flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                let stem = name.find(".json").map(|i| &name[..i])?;
                seq_of(&format!("{stem}.json"))
            })
            .collect()
    }

    /// Every item, oldest first. A damaged file is set aside as `<name>.corrupt` (kept for a
    /// human, never deleted) and reported in the log.
    pub fn list(&self) -> Vec<OutboxItem> {
        let Ok(rd) = fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut items = Vec::new();
        for entry in rd.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            if name.starts_with('.') && name.ends_with(".tmp") {
                remove_if_stale(&path, 3600);
                continue;
            }
            if name.ends_with(".receipt") {
                remove_if_stale(&path, RECEIPT_TTL_SECS);
                continue;
            }
            let Some(seq) = seq_of(&name) else { continue };
            if let Some(item) = self.read(&path, seq) {
                items.push(item);
            }
        }
        items.sort_by_key(|i| i.seq);
        items
    }

    /// Pending items, oldest first.
    pub fn pending(&self) -> Vec<OutboxItem> {
        self.list().into_iter().filter(|i| i.is_pending()).collect()
    }

    pub fn get(&self, seq: u64) -> Option<OutboxItem> {
        self.read(&self.path(seq), seq)
    }

    fn read(&self, path: &Path, seq: u64) -> Option<OutboxItem> {
        let bytes = fsutil::read_if_present(path, "outbox item")?;
        match serde_json::from_slice::<OutboxItem>(&bytes) {
            Ok(item) if item.seq == seq => Some(item),
            Ok(item) => {
                set_aside(path, &format!("holds item {} instead", item.seq));
                None
            }
            Err(e) => {
                set_aside(path, &e.to_string());
                None
            }
        }
    }

    /// Replaces the stored item (atomically: the old or the new version, never a mix).
    pub fn save(&self, item: &OutboxItem) -> io::Result<()> {
        self.ensure_dir()?;
        let json = serde_json::to_vec_pretty(item).map_err(io::Error::other)?;
        fsutil::write_private_atomic(&self.path(item.seq), &json)
    }

    /// Removes an item (delivered, or dropped by the user). Returns whether it was there.
    pub fn remove(&self, seq: u64) -> io::Result<bool> {
        match fs::remove_file(self.path(seq)) {
            Ok(()) => {
                self.sync_dir();
                Ok(true)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn receipt_path(&self, seq: u64) -> PathBuf {
        self.dir.join(format!("{seq:012}.receipt"))
    }

    /// Removes an item that left the outbox for good, leaving `receipt` for a process that
    /// queued it and is waiting for its outcome ([`Outbox::take_receipt`]). The receipt is
    /// written first: a crash in between leaves the item, never an item gone without a word.
    pub fn finish(&self, seq: u64, receipt: &Receipt) -> io::Result<bool> {
        let json = serde_json::to_vec(receipt).map_err(io::Error::other)?;
        if let Err(e) = fsutil::write_private_atomic(&self.receipt_path(seq), &json) {
            // The waiting process then checks the server itself; removing still matters more.
            tracing::warn!(seq, error = %e, "cannot leave a receipt for the outbox item");
        }
        self.remove(seq)
    }

    /// What became of item `seq` after it left the outbox, if its sender left a receipt.
    /// Taking it removes it. An unreadable receipt counts as none.
    pub fn take_receipt(&self, seq: u64) -> Option<Receipt> {
        let path = self.receipt_path(seq);
        let bytes = fs::read(&path).ok()?;
        let _ = fs::remove_file(&path);
        serde_json::from_slice(&bytes).ok()
    }

    /// Remembers that one of this profile's writes created `id` in `scope` (see [`CREATED`]).
    /// Call it holding the sender's lock.
    pub fn remember_created(&self, scope: &str, id: Id, now: DateTime<Utc>) -> io::Result<()> {
        self.ensure_dir()?;
        let mut all = self.created_records(now);
        all.push(Created {
            scope: scope.to_string(),
            id,
            at: now,
        });
        let skip = all.len().saturating_sub(CREATED_MAX);
        let json = serde_json::to_vec(&all[skip..]).map_err(io::Error::other)?;
        fsutil::write_private_atomic(&self.dir.join(CREATED), &json)
    }

    /// Ids this profile's writes created in `scope` within the last hour.
    pub fn created_in(&self, scope: &str, now: DateTime<Utc>) -> Vec<Id> {
        self.created_records(now)
            .into_iter()
            .filter(|c| c.scope == scope)
            .map(|c| c.id)
            .collect()
    }

    fn created_records(&self, now: DateTime<Utc>) -> Vec<Created> {
        let Some(bytes) = fsutil::read_if_present(&self.dir.join(CREATED), "outbox record") else {
            return Vec::new();
        };
        let mut all: Vec<Created> = serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "unreadable record of created ids; starting afresh");
            Vec::new()
        });
        all.retain(|c| (now - c.at).num_seconds() < CREATED_TTL_SECS);
        all
    }

    /// The sender's lock, if no other process holds it.
    pub fn try_lock(&self) -> io::Result<Option<OutboxLock>> {
        self.ensure_dir()?;
        let mut opts = OpenOptions::new();
        opts.create(true).read(true).write(true).truncate(false);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let path = self.dir.join(".lock");
        // Name the path in the error: a directory or a socket planted there would otherwise
        // read as a bare "Is a directory" (or, before, as "another sender is busy").
        let file = opts.open(&path).map_err(|e| {
            let what = match fs::symlink_metadata(&path) {
                Ok(m) if m.is_dir() => {
                    " (a folder, where the outbox's lock file belongs: remove it)"
                }
                Ok(m) if !m.is_file() => " (not a regular file: remove it)",
                _ => "",
            };
            io::Error::new(e.kind(), format!("{}: {e}{what}", path.display()))
        })?;
        #[cfg(unix)]
        {
            use std::os::unix::io::AsRawFd;
            // SAFETY: flock on a descriptor we own; no memory is involved.
            let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
            if rc != 0 {
                let err = io::Error::last_os_error();
                return if err.kind() == io::ErrorKind::WouldBlock {
                    Ok(None)
                } else {
                    Err(err)
                };
            }
        }
        Ok(Some(OutboxLock { _file: file }))
    }
}

fn seq_of(name: &str) -> Option<u64> {
    let digits = name.strip_suffix(".json")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn write_synced(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut opts = OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Removes `path` if it is older than `max_age_secs`: a temp file left over from a crash
/// before its item was stored (after an hour), a receipt nobody came for.
fn remove_if_stale(path: &Path, max_age_secs: u64) {
    let old = fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age.as_secs() > max_age_secs);
    if old {
        let _ = fs::remove_file(path);
    }
}

/// Renames a damaged item to `<name>.corrupt` (or `.N.corrupt`) so it is out of the way but
/// its text is not lost.
fn set_aside(path: &Path, why: &str) {
    match super::fsutil::set_aside_corrupt(path) {
        Ok(target) => {
            tracing::error!(path = %path.display(), moved_to = %target.display(), reason = why, "damaged outbox item set aside")
        }
        Err(e) => {
            tracing::error!(path = %path.display(), error = %e, reason = why, "damaged outbox item could not be set aside")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PatchOp;
    use serde_json::json;

    fn op(n: i64) -> WriteOp {
        WriteOp::PatchTicket {
            ticket_id: n,
            ops: vec![PatchOp::replace("/StatusId", json!(n))],
        }
    }

    #[test]
    fn enqueue_list_save_remove_in_order() {
        let tmp = tempfile::tempdir().unwrap();
        let ob = Outbox::new(tmp.path().join("outbox"));
        assert!(ob.list().is_empty());
        let a = ob.enqueue(op(1)).unwrap();
        let b = ob.enqueue(op(2)).unwrap();
        let c = ob.enqueue(op(3)).unwrap();
        assert_eq!((a.seq, b.seq, c.seq), (1, 2, 3));
        let seqs: Vec<u64> = ob.list().iter().map(|i| i.seq).collect();
        assert_eq!(seqs, vec![1, 2, 3]);

        let mut b2 = ob.get(2).unwrap();
        b2.state = ItemState::Conflict;
        b2.last_error = Some("Ticket 2 was not found".into());
        b2.attempts = 1;
        ob.save(&b2).unwrap();
        assert_eq!(ob.get(2).unwrap(), b2);
        let pending: Vec<u64> = ob.pending().iter().map(|i| i.seq).collect();
        assert_eq!(pending, vec![1, 3]);

        assert!(ob.remove(1).unwrap());
        assert!(!ob.remove(1).unwrap());
        // Numbers are not reused after removals, even of the newest item.
        assert!(ob.remove(3).unwrap());
        assert_eq!(ob.enqueue(op(4)).unwrap().seq, 4);
        let names: Vec<String> = fs::read_dir(ob.dir())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".tmp"))
            .collect();
        assert!(names.is_empty(), "no temp files left: {names:?}");
    }

    #[test]
    fn a_finished_item_leaves_one_receipt_for_its_waiter() {
        let tmp = tempfile::tempdir().unwrap();
        let ob = Outbox::new(tmp.path());
        let a = ob.enqueue(op(1)).unwrap();
        let b = ob.enqueue(op(2)).unwrap();
        let delivered = Receipt::Delivered {
            result: json!({"id": 7, "details": "x"}),
        };
        assert!(ob.finish(a.seq, &delivered).unwrap());
        assert!(ob.finish(b.seq, &Receipt::Dropped).unwrap());
        assert!(ob.list().is_empty(), "receipts are not items");
        assert_eq!(ob.take_receipt(a.seq), Some(delivered));
        assert_eq!(ob.take_receipt(a.seq), None, "taken once");
        assert_eq!(ob.take_receipt(b.seq), Some(Receipt::Dropped));
        // Receipts do not hold sequence numbers back or forward.
        assert_eq!(ob.enqueue(op(3)).unwrap().seq, 3);
        fs::write(ob.receipt_path(9), "not json").unwrap();
        assert_eq!(ob.take_receipt(9), None);
    }

    #[test]
    fn receipts_nobody_took_are_removed_after_an_hour() {
        let tmp = tempfile::tempdir().unwrap();
        let ob = Outbox::new(tmp.path());
        for seq in [1, 2] {
            let item = ob.enqueue(op(seq as i64)).unwrap();
            ob.finish(item.seq, &Receipt::Dropped).unwrap();
        }
        let old = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 3600);
        fs::File::options()
            .write(true)
            .open(ob.receipt_path(1))
            .unwrap()
            .set_modified(old)
            .unwrap();
        assert!(ob.list().is_empty());
        assert!(!ob.receipt_path(1).exists(), "an old one goes");
        assert_eq!(
            ob.take_receipt(2),
            Some(Receipt::Dropped),
            "a recent one stays"
        );
    }

    #[test]
    fn what_our_writes_created_is_remembered_for_an_hour_and_is_no_item() {
        let tmp = tempfile::tempdir().unwrap();
        let ob = Outbox::new(tmp.path());
        let t0 = chrono::DateTime::parse_from_rfc3339("2026-10-25T00:30:00Z")
            .unwrap()
            .with_timezone(&Utc);
        ob.remember_created("notes/7", 70, t0).unwrap();
        ob.remember_created("notes/8", 80, t0).unwrap();
        let later = t0 + chrono::TimeDelta::minutes(50);
        ob.remember_created("notes/7", 71, later).unwrap();
        assert_eq!(ob.created_in("notes/7", later), vec![70, 71]);
        assert_eq!(ob.created_in("timelogs/7", later), Vec::<Id>::new());
        let much_later = t0 + chrono::TimeDelta::minutes(70);
        assert_eq!(ob.created_in("notes/7", much_later), vec![71]);
        assert!(ob.list().is_empty(), "not an outbox item");
        assert_eq!(ob.enqueue(op(1)).unwrap().seq, 1);
    }

    #[test]
    fn concurrent_enqueues_get_distinct_numbers() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("o");
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let ob = Outbox::new(&dir);
                std::thread::spawn(move || {
                    (0..10)
                        .map(|i| ob.enqueue(op(t * 100 + i)).unwrap().seq)
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut all: Vec<u64> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), 80);
        assert_eq!(Outbox::new(&dir).list().len(), 80);
    }

    #[test]
    fn damaged_items_are_set_aside_not_lost() {
        let tmp = tempfile::tempdir().unwrap();
        let ob = Outbox::new(tmp.path());
        ob.enqueue(op(1)).unwrap();
        fs::write(
            tmp.path().join("000000000002.json"),
            "{\"seq\": 2, \"op\": {\"ki",
        )
        .unwrap();
        assert_eq!(ob.list().len(), 1);
        assert!(tmp.path().join("000000000002.json.corrupt").exists());
        // The damaged number is not handed out again.
        assert_eq!(ob.enqueue(op(3)).unwrap().seq, 3);
    }

    #[test]
    fn the_lock_is_exclusive_and_released_on_drop() {
        let tmp = tempfile::tempdir().unwrap();
        let ob = Outbox::new(tmp.path());
        let held = ob.try_lock().unwrap();
        assert!(held.is_some());
        #[cfg(unix)]
        assert!(
            ob.try_lock().unwrap().is_none(),
            "a second holder is refused"
        );
        drop(held);
        assert!(ob.try_lock().unwrap().is_some());
    }

    #[cfg(unix)]
    #[test]
    fn outbox_files_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let ob = Outbox::new(tmp.path().join("state/outbox"));
        let item = ob.enqueue(op(1)).unwrap();
        ob.save(&item).unwrap();
        let _lock = ob.try_lock().unwrap();
        for entry in fs::read_dir(ob.dir()).unwrap().flatten() {
            let mode = entry.metadata().unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", entry.path().display());
        }
        for d in [tmp.path().join("state"), ob.dir().to_path_buf()] {
            let mode = fs::metadata(&d).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o700, "{}", d.display());
        }
    }
}
