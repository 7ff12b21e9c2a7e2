//! Logging through `tracing` to a file, never to the terminal: the TUI owns the screen, and the
//! CLI's stdout is for results. The filter comes from `BMSDESK_LOG` (EnvFilter syntax, e.g.
//! `debug` or `info,bmsdesk::api=debug`).

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

use crate::store::fsutil;

pub const LOG_ENV: &str = "BMSDESK_LOG";
pub const DEFAULT_LEVEL: &str = "info";
/// A log grown past this is moved to `<name>.old` (replacing the previous one) at start-up, so
/// the log cannot fill a disk over months of use.
pub const MAX_LOG_BYTES: u64 = 10 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("cannot open log file {}: {source}", path.display())]
    Open { path: PathBuf, source: io::Error },
    #[error("no place for the log file: the home directory is unknown")]
    NoLocation,
}

/// What [`init`] set up. Nothing is buffered, so there is nothing to flush on drop; keep it for
/// the path (to tell the user where the log is).
#[derive(Debug, Clone)]
#[must_use]
pub struct LogGuard {
    pub path: PathBuf,
    /// False when a global subscriber was already installed (a second call, or tests).
    pub installed: bool,
}

/// `<data dir>/bmsdesk.log`, the same place [`crate::config::Config::log_file`] picks when
/// neither `log_file` nor `BMS_STATE_DIR` is set.
pub fn default_log_file() -> Option<PathBuf> {
    crate::config::Dirs::system().map(|d| d.data.join("bmsdesk.log"))
}

/// Sends `tracing` events to `log_file` (default [`default_log_file`]), appended, mode 0600,
/// filtered by `BMSDESK_LOG` or else `default_level`. Calling it again is harmless.
pub fn init(log_file: Option<PathBuf>, default_level: &str) -> Result<LogGuard, LogError> {
    init_with(log_file, default_level, std::env::var(LOG_ENV).ok())
}

/// [`init`] with the filter given instead of read from `BMSDESK_LOG`.
pub fn init_with(
    log_file: Option<PathBuf>,
    default_level: &str,
    filter: Option<String>,
) -> Result<LogGuard, LogError> {
    let path = log_file
        .or_else(default_log_file)
        .ok_or(LogError::NoLocation)?;
    rotate_if_large(&path, MAX_LOG_BYTES);
    let file = fsutil::open_private_append(&path).map_err(|source| LogError::Open {
        path: path.clone(),
        source,
    })?;
    let (filter, bad_spec) = build_filter(filter.as_deref(), default_level);
    let subscriber = tracing_subscriber::fmt()
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .with_env_filter(filter)
        .finish();
    let installed = tracing::subscriber::set_global_default(subscriber).is_ok();
    if installed {
        tracing::info!(version = env!("CARGO_PKG_VERSION"), "bmsdesk started");
        if let Some(err) = bad_spec {
            tracing::warn!(error = %err, "ignoring the invalid {LOG_ENV} filter");
        }
    }
    Ok(LogGuard { path, installed })
}

/// The filter from `spec` (or `default_level` when unset or invalid, with the reason).
fn build_filter(spec: Option<&str>, default_level: &str) -> (EnvFilter, Option<String>) {
    let fallback = || EnvFilter::try_new(default_level).unwrap_or_else(|_| EnvFilter::new("info"));
    match spec.map(str::trim).filter(|s| !s.is_empty()) {
        None => (fallback(), None),
        Some(s) => match EnvFilter::try_new(s) {
            Ok(f) => (f, None),
            Err(e) => (fallback(), Some(format!("{s:?}: {e}"))),
        },
    }
}

fn rotate_if_large(path: &Path, max: u64) -> bool {
    let big = std::fs::metadata(path).is_ok_and(|m| m.len() > max);
    if big {
        let mut old = path.as_os_str().to_owned();
        old.push(".old");
        return std::fs::rename(path, PathBuf::from(old)).is_ok();
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_go_to_a_private_file_and_a_second_init_is_harmless() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("logs/bmsdesk.log");
        let guard = init_with(Some(path.clone()), "info", Some("debug".into())).unwrap();
        assert_eq!(guard.path, path);
        assert!(path.exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        if guard.installed {
            tracing::debug!("marker-7f3a");
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(text.contains("marker-7f3a"), "{text}");
            assert!(!text.contains('\x1b'), "no colour codes in the file");
        }
        let again = init_with(Some(tmp.path().join("second.log")), "info", None).unwrap();
        assert!(!again.installed);
    }

    #[test]
    fn filter_falls_back_when_invalid() {
        let (_, err) = build_filter(Some("info,bmsdesk=debug"), "info");
        assert!(err.is_none());
        let (_, err) = build_filter(Some("bmsdesk=notalevel"), "info");
        assert!(err.is_some());
        let (_, err) = build_filter(Some("  "), "warn");
        assert!(err.is_none());
    }

    #[test]
    fn large_logs_are_moved_aside() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("b.log");
        std::fs::write(&path, vec![b'x'; 100]).unwrap();
        assert!(!rotate_if_large(&path, 1000));
        assert!(rotate_if_large(&path, 10));
        assert!(!path.exists());
        assert_eq!(
            std::fs::read(tmp.path().join("b.log.old")).unwrap().len(),
            100
        );
        assert!(!rotate_if_large(&tmp.path().join("missing.log"), 10));
    }
}
