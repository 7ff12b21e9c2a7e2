//! Private, crash-safe file writes shared by the token file, cache, drafts, outbox and audit log.
//!
//! The disk is not trusted either: a private file is never opened through a symbolic link
//! (`O_NOFOLLOW`: a planted link would make us write to, or chmod, whatever it points at), never
//! read unless it is a regular file (a FIFO would hang the read), and a folder holding private
//! files that others can open is tightened to 0700 (or refused when another user owns it).

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::Path;

/// Why a private file or folder was refused. Carried inside an [`io::Error`], so callers that
/// must stop (the token file) can tell it from "missing" or "unreadable" ([`is_refusal`]).
#[derive(Debug, thiserror::Error)]
#[error("{path}: {why}")]
pub struct Refused {
    path: String,
    why: String,
}

fn refused(path: &Path, why: impl Into<String>) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        Refused {
            path: path.display().to_string(),
            why: why.into(),
        },
    )
}

/// Whether `e` is a refusal of an unsafe file or folder (a link, a FIFO, another user's folder)
/// rather than an ordinary I/O failure.
pub fn is_refusal(e: &io::Error) -> bool {
    e.get_ref().is_some_and(|inner| inner.is::<Refused>())
}

const LINK_REFUSED: &str =
    "is a symbolic link; bmsdesk does not follow links for its private files (remove it)";

/// Opens `opts` at `path` without following a final symbolic link and without blocking on a
/// FIFO, then refuses anything that is not a regular file. The open file's mode is made 0600
/// (through the descriptor, so no link can redirect the chmod).
fn open_checked(path: &Path, opts: &mut OpenOptions) -> io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    let file = opts.open(path).map_err(|e| {
        #[cfg(unix)]
        if e.raw_os_error() == Some(libc::ELOOP) {
            return refused(path, LINK_REFUSED);
        }
        e
    })?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(refused(
            path,
            "is not a regular file (a FIFO, device or folder); bmsdesk will not read or write it (remove it)",
        ));
    }
    tighten_open_file(&file, &meta, path);
    Ok(file)
}

/// A private file others can read or write is made 0600 through its descriptor.
fn tighten_open_file(file: &File, meta: &fs::Metadata, path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode();
        if mode & 0o077 != 0 {
            tracing::warn!(path = %path.display(), mode = format!("{:o}", mode & 0o777), "file was readable by others; setting it to 0600");
            let _ = file.set_permissions(fs::Permissions::from_mode(0o600));
        }
    }
    #[cfg(not(unix))]
    let _ = (file, meta, path);
}

/// The bytes of a private file; `None` when it does not exist. A link or a non-regular file
/// is an error ([`is_refusal`]), and so is a file that cannot be read.
pub fn read_private(path: &Path) -> io::Result<Option<Vec<u8>>> {
    let mut file = match open_checked(path, OpenOptions::new().read(true)) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(Some(bytes))
}

/// A folder that holds private files, if it exists: it must be a folder we own, and is made
/// 0700 when others could open it. A shared sticky folder (`/tmp`) is left as it is: it is
/// meant to be shared, and its files are still private.
pub fn check_private_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let meta = match fs::metadata(dir) {
            Ok(m) => m,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        if !meta.is_dir() {
            let e = refused(dir, "is not a folder");
            // Its own kind, so a caller can tell "cannot hold files" from "not private".
            return Err(io::Error::new(io::ErrorKind::NotADirectory, e.to_string()));
        }
        let mode = meta.permissions().mode();
        if mode & 0o1000 != 0 {
            return Ok(());
        }
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if meta.uid() != me {
            return Err(refused(
                dir,
                format!(
                    "belongs to another user (uid {}); bmsdesk keeps private files only in folders you own",
                    meta.uid()
                ),
            ));
        }
        // A folder others can write to lets them plant links or swap files: tightened. One
        // they can only read is left alone: it may be a folder the user chose for other things
        // too (`[audit] dir = "~"`, a token file beside their dotfiles), the files in it are
        // 0600 anyway, and bmsdesk creates its own folders 0700.
        if mode & 0o022 != 0 {
            tracing::warn!(path = %dir.display(), mode = format!("{:o}", mode & 0o777), "folder was writable by others; setting it to 0700");
            fs::set_permissions(dir, fs::Permissions::from_mode(0o700))?;
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// [`create_private_dir`], then [`check_private_dir`]: the folder exists, is ours and is 0700.
pub fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    create_private_dir(dir)?;
    if dir.as_os_str().is_empty() {
        return Ok(());
    }
    check_private_dir(dir)
}

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

/// The bytes of a private file ([`read_private`]); `None` if it does not exist, or cannot be
/// read or was refused (logged, naming `what`: a local file we cannot read is treated as
/// missing rather than stopping the user; writing it again replaces it).
pub fn read_if_present(path: &Path, what: &str) -> Option<Vec<u8>> {
    match read_private(path) {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "cannot read the {what}");
            None
        }
    }
}

/// Opens `path` for appending, creating it with mode 0600 (missing folders are created 0700).
/// A symbolic link or a non-regular file there is refused ([`is_refusal`]).
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
    open_checked(path, &mut opts)
}

/// Replaces `path` with `bytes` atomically: a private temp file beside it is written, synced
/// and renamed over the target, so a crash leaves the old or the new content, never a mix.
pub fn write_private_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    ensure_private_dir(dir)?;
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
    fn loose_permissions_are_tightened_on_read() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("t");
        fs::write(&p, "x").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(read_private(&p).unwrap().unwrap(), b"x");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert!(read_private(&dir.path().join("missing")).unwrap().is_none());
    }

    #[cfg(unix)]
    #[test]
    fn links_and_fifos_are_refused_and_their_targets_untouched() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, "keep").unwrap();
        fs::set_permissions(&victim, fs::Permissions::from_mode(0o644)).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        for e in [
            read_private(&link).unwrap_err(),
            open_private_append(&link).unwrap_err(),
        ] {
            assert!(
                is_refusal(&e) && e.to_string().contains("symbolic link"),
                "{e}"
            );
        }
        assert_eq!(fs::read_to_string(&victim).unwrap(), "keep");
        assert_eq!(
            fs::metadata(&victim).unwrap().permissions().mode() & 0o777,
            0o644
        );
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = read_private(&fifo).unwrap_err();
        assert!(
            is_refusal(&e) && e.to_string().contains("not a regular file"),
            "{e}"
        );
        assert!(open_private_append(&fifo).is_err());
        assert!(read_if_present(&fifo, "test").is_none());
    }

    #[cfg(unix)]
    #[test]
    fn open_folders_are_tightened_and_sticky_ones_left_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let open = dir.path().join("open");
        fs::create_dir(&open).unwrap();
        fs::set_permissions(&open, fs::Permissions::from_mode(0o777)).unwrap();
        write_private_atomic(&open.join("f"), b"x").unwrap();
        assert_eq!(
            fs::metadata(&open).unwrap().permissions().mode() & 0o777,
            0o700
        );
        let sticky = dir.path().join("sticky");
        fs::create_dir(&sticky).unwrap();
        fs::set_permissions(&sticky, fs::Permissions::from_mode(0o1777)).unwrap();
        check_private_dir(&sticky).unwrap();
        assert_eq!(
            fs::metadata(&sticky).unwrap().permissions().mode() & 0o7777,
            0o1777
        );
        check_private_dir(&dir.path().join("missing")).unwrap();
        // Readable but not writable by others (a home folder, say): not bmsdesk's to change.
        let home = dir.path().join("home");
        fs::create_dir(&home).unwrap();
        fs::set_permissions(&home, fs::Permissions::from_mode(0o755)).unwrap();
        check_private_dir(&home).unwrap();
        assert_eq!(
            fs::metadata(&home).unwrap().permissions().mode() & 0o777,
            0o755
        );
    }

    /// A folder another user owns is refused, not chmod-ed. As root a temp folder is given to
    /// another uid; otherwise `/` (root's) is such a folder already.
    #[cfg(unix)]
    #[test]
    fn a_folder_owned_by_another_user_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let theirs = if unsafe { libc::geteuid() } == 0 {
            let d = tmp.path().join("theirs");
            fs::create_dir(&d).unwrap();
            fs::set_permissions(&d, fs::Permissions::from_mode(0o755)).unwrap();
            std::os::unix::fs::chown(&d, Some(4242), Some(4242)).unwrap();
            d
        } else {
            std::path::PathBuf::from("/")
        };
        let before = fs::metadata(&theirs).unwrap().permissions().mode();
        let e = check_private_dir(&theirs).unwrap_err();
        assert!(
            is_refusal(&e) && e.to_string().contains("another user"),
            "{e}"
        );
        assert_eq!(fs::metadata(&theirs).unwrap().permissions().mode(), before);
    }
}
