//! Private, crash-safe file writes shared by the token file, cache, drafts, outbox and audit log.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;

/// Creates `dir` (and parents) readable by the owner only.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    if dir.as_os_str().is_empty() {
        return Ok(());
    }
    if !dir.exists() {
        // Every folder created on the way is private, not only the last one.
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(dir)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(())
}

/// The bytes of `path`; `None` if it does not exist, or cannot be read (logged, naming `what`:
/// a local file we cannot read is treated as missing rather than stopping the user).
pub fn read_if_present(path: &Path, what: &str) -> Option<Vec<u8>> {
    match fs::read(path) {
        Ok(b) => Some(b),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "cannot read the {what}");
            None
        }
    }
}

/// Opens `path` for appending, creating it with mode 0600.
pub fn open_private_append(path: &Path) -> io::Result<File> {
    if let Some(dir) = path.parent() {
        create_private_dir(dir)?;
    }
    let mut opts = OpenOptions::new();
    opts.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let file = opts.open(path)?;
    tighten_permissions(path);
    Ok(file)
}

/// Replaces `path` with `bytes` atomically: a private temp file beside it is written, synced
/// and renamed over the target, so a crash leaves the old or the new content, never a mix.
pub fn write_private_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    create_private_dir(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let tmp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        fastrand::u64(..)
    ));
    let result = (|| {
        let mut opts = OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)?;
        if let Ok(d) = File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// A private file that others can read is made private again, with a warning in the log.
/// Returns true when the permissions had to be changed.
pub fn tighten_permissions(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = fs::metadata(path) {
            let mode = meta.permissions().mode();
            if mode & 0o077 != 0 {
                tracing::warn!(path = %path.display(), mode = format!("{:o}", mode & 0o777), "file was readable by others; setting it to 0600");
                let _ = fs::set_permissions(path, fs::Permissions::from_mode(0o600));
                return true;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    false
}

/// Like [`tighten_permissions`] for a folder holding private files (mode 0700).
pub fn tighten_dir_permissions(dir: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = fs::metadata(dir) {
            let mode = meta.permissions().mode();
            if meta.is_dir() && mode & 0o077 != 0 {
                tracing::warn!(path = %dir.display(), mode = format!("{:o}", mode & 0o777), "folder was open to others; setting it to 0700");
                let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o700));
                return true;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    false
}

/// Moves a damaged file out of the way as `<name>.corrupt` (or `<name>.N.corrupt` when an
/// earlier damaged copy is there), so it is neither read again nor lost. Returns where it went.
pub fn set_aside_corrupt(path: &Path) -> io::Result<std::path::PathBuf> {
    let named = |n: u32| {
        let mut t = path.as_os_str().to_owned();
        if n > 0 {
            t.push(format!(".{n}"));
        }
        t.push(".corrupt");
        std::path::PathBuf::from(t)
    };
    let target = (0..1000)
        .map(named)
        .find(|t| !t.exists())
        .unwrap_or_else(|| named(0));
    fs::rename(path, &target)?;
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b/c.json");
        write_private_atomic(&p, b"one").unwrap();
        write_private_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        let leftovers: Vec<_> = fs::read_dir(p.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temp files left behind");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                fs::metadata(&p).unwrap().permissions().mode() & 0o777,
                0o600
            );
            for d in ["a", "a/b"] {
                assert_eq!(
                    fs::metadata(dir.path().join(d))
                        .unwrap()
                        .permissions()
                        .mode()
                        & 0o777,
                    0o700,
                    "{d}"
                );
            }
        }
    }

    #[cfg(unix)]
    #[test]
    fn loose_permissions_are_tightened() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t");
        fs::write(&p, "x").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
        assert!(tighten_permissions(&p));
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert!(!tighten_permissions(&p));
    }
}
