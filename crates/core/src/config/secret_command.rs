//! Secrets that come from outside the config file: a shell command's output or a prompt.

use std::io::{self, IsTerminal, Read};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use super::child_env;
use crate::secret::Secret;

/// How long a command may take when the profile does not say (`secret_command_timeout_secs`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// More output than this is not a password: the command is stopped.
pub const MAX_OUTPUT: usize = 64 * 1024;

/// Runs `cmd` with `sh -c` and returns its standard output minus the trailing newline.
///
/// The command gets no terminal on stdin (the TUI may own it), no secret of ours in its
/// environment, and its output is never shown, not even on failure: error output from a
/// password manager can quote the very secret. It runs in its own process group: when it is
/// not done within `timeout` (a `sleep`, a prompt nobody sees, a child left holding its
/// output) or prints more than [`MAX_OUTPUT`], the whole group is killed and that is the error.
pub(super) fn run(cmd: &str, timeout: Duration) -> Result<Secret, String> {
    let mut c = child_env::command("sh");
    c.arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        c.process_group(0);
    }
    let mut child = c
        .spawn()
        .map_err(|e| format!("cannot start `sh -c`: {e}"))?;
    let deadline = Instant::now() + timeout;
    let too_slow = format!(
        "the command did not finish within {} s (secret_command_timeout_secs); it was stopped together with every process it started",
        timeout.as_secs()
    );
    let Some(mut stdout) = child.stdout.take() else {
        kill_group(&mut child);
        return Err("cannot read the command's output".into());
    };
    // The pipe is read on a thread so the wait can be bounded; killing the group closes the
    // pipe, which ends the thread.
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let read = (&mut stdout)
            .take(MAX_OUTPUT as u64 + 1)
            .read_to_end(&mut buf);
        let _ = tx.send(read.map(|_| buf));
    });
    let out = match rx.recv_timeout(timeout) {
        Ok(Ok(buf)) if buf.len() > MAX_OUTPUT => {
            kill_group(&mut child);
            return Err(format!(
                "the command printed more than {} KiB; it was stopped",
                MAX_OUTPUT / 1024
            ));
        }
        Ok(Ok(buf)) => buf,
        Ok(Err(e)) => {
            kill_group(&mut child);
            return Err(format!("cannot read the command's output: {e}"));
        }
        Err(_) => {
            kill_group(&mut child);
            return Err(too_slow);
        }
    };
    let Some(status) = wait_until(&mut child, deadline) else {
        kill_group(&mut child);
        return Err(too_slow);
    };
    if !status.success() {
        let how = match status.code() {
            Some(code) => format!("exited with status {code}"),
            None => "was killed by a signal".to_string(),
        };
        return Err(format!(
            "the command {how} (its output is not shown; run it in a shell to see why)"
        ));
    }
    let mut text = String::from_utf8(out)
        .map_err(|_| "the command printed something that is not UTF-8".to_string())?;
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    if text.is_empty() {
        return Err("the command printed nothing".into());
    }
    Ok(Secret::new(text))
}

/// The child's exit status once it has exited, or `None` at `deadline`. Its output is closed
/// already, so this is a short wait in practice; polled, since std has no timed wait.
fn wait_until(child: &mut Child, deadline: Instant) -> Option<std::process::ExitStatus> {
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            _ => return None,
        }
    }
}

/// Kills the command's process group (it and everything it started that did not leave the
/// group), then reaps the command. The group id is the child's pid, still reserved because
/// the child is not reaped before this.
fn kill_group(child: &mut Child) {
    #[cfg(unix)]
    if let Ok(pid) = i32::try_from(child.id()) {
        // SAFETY: kill(2) with a negative pid signals that process group; no memory involved.
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Asks for a password on the terminal without echoing it. Only call it when
/// [`stdin_is_tty`] says a person is there.
pub fn prompt_password(prompt: &str) -> io::Result<Secret> {
    rpassword::prompt_password(prompt).map(Secret::new)
}

pub fn stdin_is_tty() -> bool {
    io::stdin().is_terminal()
}
