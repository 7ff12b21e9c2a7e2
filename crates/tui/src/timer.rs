//! The work timer (`T`) and call timer (`c`): bound to one ticket, kept in the state dir so a
//! restart (or a crash) does not lose the time. Written atomically, private to the user.

use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use bmsdesk_core::model::Id;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timer {
    /// `None` while a call's new ticket is still being written.
    pub ticket_id: Option<Id>,
    pub ticket_number: String,
    pub title: String,
    pub started_at: DateTime<Utc>,
    /// Stopped and waiting for its time log to be sent (or discarded).
    #[serde(default)]
    pub stopped_at: Option<DateTime<Utc>>,
    /// A phone call (`c`): pinned in the status bar as one.
    #[serde(default)]
    pub call: bool,
}

impl Timer {
    pub fn elapsed_secs(&self, now: DateTime<Utc>) -> i64 {
        (self.stopped_at.unwrap_or(now) - self.started_at)
            .num_seconds()
            .max(0)
    }

    /// Whole minutes to log: at least one, seconds rounded up.
    pub fn minutes(&self, now: DateTime<Utc>) -> i64 {
        ((self.elapsed_secs(now) + 59) / 60).max(1)
    }

    pub fn running(&self) -> bool {
        self.stopped_at.is_none()
    }

    /// "T20250001", or "new ticket" while a call's ticket is not created yet.
    pub fn label(&self) -> &str {
        if self.ticket_id.is_some() {
            &self.ticket_number
        } else {
            "new ticket"
        }
    }
}

/// "0:07", "1:42", "12:05" (hours:minutes).
pub fn fmt_elapsed(secs: i64) -> String {
    let m = secs.max(0) / 60;
    format!("{}:{:02}", m / 60, m % 60)
}

pub fn path(state_dir: &Path) -> PathBuf {
    state_dir.join("tui-timer.json")
}

/// The timer left by the last run, if any (an unreadable file is ignored).
pub fn load(state_dir: &Path) -> Option<Timer> {
    let bytes = std::fs::read(path(state_dir)).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Saves the timer, or removes the file when there is none.
pub fn save(state_dir: &Path, timer: Option<&Timer>) -> io::Result<()> {
    let p = path(state_dir);
    match timer {
        Some(t) => {
            let bytes = serde_json::to_vec_pretty(t).map_err(io::Error::other)?;
            bmsdesk_core::store::fsutil::write_private_atomic(&p, &bytes)
        }
        None => match std::fs::remove_file(&p) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn saves_loads_and_removes() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(load(dir.path()), None);
        let t = Timer {
            ticket_id: Some(7),
            ticket_number: "T20250007".into(),
            title: "VPN".into(),
            started_at: Utc.with_ymd_and_hms(2025, 3, 10, 9, 0, 0).unwrap(),
            stopped_at: None,
            call: true,
        };
        save(dir.path(), Some(&t)).unwrap();
        assert_eq!(load(dir.path()), Some(t.clone()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(path(dir.path()))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "private to the user");
        }
        save(dir.path(), None).unwrap();
        assert_eq!(load(dir.path()), None);
        save(dir.path(), None).unwrap();
        let now = t.started_at + chrono::Duration::seconds(61);
        assert_eq!(t.minutes(now), 2);
        assert_eq!(fmt_elapsed(t.elapsed_secs(now)), "0:01");
        assert_eq!(fmt_elapsed(3 * 3600 + 5 * 60), "3:05");
    }
}
