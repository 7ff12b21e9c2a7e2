//! What `bmsdesk doctor` measured on a tenant, kept per profile in `capabilities.json` in the
//! profile's state folder, and used by the client in place of its guesses.
//!
//! Every field is optional: `None` means "not measured" (or measured and inconclusive), and
//! the client then falls back to its guess (`api::guesses`). The file is the tenant's, not the user's: it is
//! only used while the profile still points at the server and tenant it was measured on
//! ([`Capabilities::applies_to`]), so changing `api_base` does not carry one tenant's answers
//! to another.
//!
//! The file is bmsdesk's own and is written atomically and privately (`store::fsutil`); one
//! that is missing is simply "nothing measured", one that cannot be read or decoded is set
//! aside as `capabilities.json.corrupt`, with a warning, and nothing measured is assumed.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::Id;
use crate::tenant_time::TenantZone;

/// The file name in a profile's state folder.
pub const FILE_NAME: &str = "capabilities.json";

/// Which lookup tables the tenant answers (a table that answered with no rows is `Some(true)`
/// here: present but empty is the caller's decision).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LookupTables {
    /// The note-type table (`LookupKind::NoteTypes`: no documented endpoint).
    pub note_types: Option<bool>,
    /// The ticket-type table (`LookupKind::Types`: no documented endpoint).
    pub ticket_types: Option<bool>,
    /// Ticket sources as a table (the client uses a fixed list: no documented endpoint).
    pub sources: Option<bool>,
}

/// What one `doctor` run learnt about a tenant.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Capabilities {
    /// When `doctor` measured this (the local clock).
    pub measured_at: Option<DateTime<Utc>>,
    /// The API base URL measured (as the client resolved it).
    pub api_base: Option<String>,
    /// The tenant signed in to when measured.
    pub tenant: Option<String>,
    /// The server's page cap: the largest `PageSize` it serves whole, when it serves fewer
    /// rows than asked for bigger ones. `None`: no cap found up to
    /// [`page_size_tried`](Capabilities::page_size_tried), or not measured.
    pub max_page_size: Option<u32>,
    /// The largest `PageSize` `doctor` asked for. Together with `max_page_size` it says which
    /// sizes are served whole, so a short page of such a size is the end of a list.
    pub page_size_tried: Option<u32>,
    /// Whether a comma-joined name filter (`Status=New,In Progress`) is split into names by
    /// the server. `Some(false)`: it is taken as one name, so the client sends one search per
    /// name.
    pub splits_commas: Option<bool>,
    /// Whether the ticket search accepts a `Sort` parameter.
    pub sort_accepted: Option<bool>,
    /// The zone naive server times are in, as `TenantZone` writes it (`America/New_York`,
    /// `+05:30`).
    pub tenant_zone: Option<String>,
    /// The signed-in user's id (`userinfo`'s `UserId`).
    pub user_id: Option<Id>,
    /// How long an access token lasted, in seconds.
    pub token_lifetime_secs: Option<i64>,
    /// Which lookup tables exist.
    pub lookups: LookupTables,
    /// Why the file could not be used (set by [`Capabilities::load`], never stored): shown to
    /// the user once as a notice by the client that receives these capabilities.
    #[serde(skip)]
    pub load_warning: Option<String>,
}

impl Capabilities {
    /// Where a profile's capabilities live.
    pub fn path_in(state_dir: &Path) -> PathBuf {
        state_dir.join(FILE_NAME)
    }

    /// The capabilities stored at `path`; nothing measured when the file is missing. A file
    /// that cannot be read or decoded is set aside (`.corrupt`) and yields nothing measured,
    /// with [`load_warning`](Capabilities::load_warning) saying why.
    pub fn load(path: &Path) -> Capabilities {
        use crate::store::fsutil;
        let warn = |why: String| {
            tracing::warn!(path = %path.display(), %why, "capabilities not used");
            Capabilities {
                load_warning: Some(format!(
                    "{}: {why}; the tenant's capabilities are unknown until `bmsdesk doctor` runs again",
                    path.display()
                )),
                ..Capabilities::default()
            }
        };
        let bytes = match fsutil::read_private(path) {
            Ok(Some(b)) => b,
            Ok(None) => return Capabilities::default(),
            Err(e) => return warn(format!("cannot be read ({e})")),
        };
        match serde_json::from_slice::<Capabilities>(&bytes) {
            Ok(c) => c,
            Err(e) => {
                let moved = match fsutil::set_aside_corrupt(path) {
                    Ok(to) => format!("; moved to {}", to.display()),
                    Err(_) => String::new(),
                };
                warn(format!("is not valid ({e}){moved}"))
            }
        }
    }

    /// Writes these capabilities to `path` (atomically, mode 0600).
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        crate::store::fsutil::write_private_atomic(path, &json)
    }

    /// Whether these were measured on `base` (a resolved base URL) and `tenant`. A field
    /// left unrecorded matches anything (a hand-written file).
    pub fn applies_to(&self, base: &str, tenant: Option<&str>) -> bool {
        let same_base = self
            .api_base
            .as_deref()
            .is_none_or(|b| b.trim_end_matches('/') == base.trim_end_matches('/'));
        let same_tenant = match (self.tenant.as_deref(), tenant) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => true,
        };
        same_base && same_tenant
    }

    /// Whether pages of `size` rows are known to be served whole (a shorter page is then the
    /// end of the list): up to the cap when there is one, else up to the largest size tried.
    pub fn serves_whole(&self, size: u32) -> bool {
        match (self.max_page_size, self.page_size_tried) {
            (Some(cap), _) => size <= cap,
            (None, Some(tried)) => size <= tried,
            (None, None) => false,
        }
    }

    /// Nothing measured.
    pub fn is_empty(&self) -> bool {
        Capabilities {
            load_warning: None,
            ..self.clone()
        } == Capabilities::default()
    }

    /// The measured tenant zone, when it parses.
    pub fn zone(&self) -> Option<TenantZone> {
        self.tenant_zone.as_deref().and_then(TenantZone::parse)
    }

    /// The page size to ask for when `configured` is wanted: the honoured maximum when that
    /// is smaller (asking for more would make every full page look short).
    pub fn page_size(&self, configured: u32) -> u32 {
        match self.max_page_size {
            Some(max) if max > 0 => configured.min(max),
            _ => configured,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_nothing_measured() {
        let dir = tempfile::tempdir().unwrap();
        let c = Capabilities::load(&Capabilities::path_in(dir.path()));
        assert!(c.is_empty());
        assert!(c.load_warning.is_none());
    }

    #[test]
    fn saved_capabilities_read_back_and_unknown_fields_are_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = Capabilities::path_in(dir.path());
        let c = Capabilities {
            max_page_size: Some(50),
            splits_commas: Some(false),
            tenant_zone: Some("America/New_York".into()),
            user_id: Some(7),
            lookups: LookupTables {
                note_types: Some(false),
                ..Default::default()
            },
            ..Default::default()
        };
        c.save(&path).unwrap();
        assert_eq!(Capabilities::load(&path), c);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // A later bmsdesk's file (more fields) still reads.
        std::fs::write(&path, r#"{"max_page_size": 20, "new_thing": [1]}"#).unwrap();
        assert_eq!(Capabilities::load(&path).max_page_size, Some(20));
    }

    #[test]
    fn a_corrupt_file_is_set_aside_with_a_warning() {
        let dir = tempfile::tempdir().unwrap();
        let path = Capabilities::path_in(dir.path());
        std::fs::write(&path, b"{not json").unwrap();
        let c = Capabilities::load(&path);
        assert!(c.is_empty());
        let warning = c.load_warning.unwrap();
        assert!(warning.contains("doctor"), "{warning}");
        assert!(!path.exists());
        assert!(dir.path().join("capabilities.json.corrupt").exists());
    }

    #[test]
    fn page_size_and_zone_and_tenant_match() {
        let c = Capabilities {
            max_page_size: Some(50),
            tenant_zone: Some("+10:00".into()),
            api_base: Some("https://api.bms.kaseya.com".into()),
            tenant: Some("Acme".into()),
            ..Default::default()
        };
        assert_eq!((c.page_size(100), c.page_size(20)), (50, 20));
        assert!(c.serves_whole(50) && !c.serves_whole(51));
        let uncapped = Capabilities {
            page_size_tried: Some(1000),
            ..Default::default()
        };
        assert!(uncapped.serves_whole(1000) && !uncapped.serves_whole(1001));
        assert!(!Capabilities::default().serves_whole(1));
        assert_eq!(Capabilities::default().page_size(100), 100);
        assert_eq!(c.zone().unwrap().to_string(), "+10:00");
        assert!(c.applies_to("https://api.bms.kaseya.com/", Some("acme")));
        assert!(!c.applies_to("https://api.bmsemea.kaseya.com", Some("acme")));
        assert!(!c.applies_to("https://api.bms.kaseya.com", Some("other")));
    }
}
