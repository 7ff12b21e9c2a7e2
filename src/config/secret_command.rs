//! Secrets that come from outside the config file: a shell command's output or a prompt.

use std::io::{self, IsTerminal};
use std::process::{Command, Stdio};

use crate::api::Secret;

/// Runs `cmd` with `sh -c` and returns its standard output minus the trailing newline.
///
/// The command gets no terminal on stdin (the TUI may own it) and its output is never shown,
/// not even on failure: error output from a password manager can quote the very secret.
pub(super) fn run(cmd: &str) -> Result<Secret, String> {
    let out = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot start `sh -c`: {e}"))?;
    if !out.status.success() {
        let how = match out.status.code() {
            Some(code) => format!("exited with status {code}"),
            None => "was killed by a signal".to_string(),
        };
        return Err(format!(
            "the command {how} (its output is not shown; run it in a shell to see why)"
        ));
    }
    let mut text = String::from_utf8(out.stdout)
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

/// Asks for a password on the terminal without echoing it. Only call it when
/// [`stdin_is_tty`] says a person is there.
pub fn prompt_password(prompt: &str) -> io::Result<Secret> {
    rpassword::prompt_password(prompt).map(Secret::new)
}

pub fn stdin_is_tty() -> bool {
    io::stdin().is_terminal()
}
