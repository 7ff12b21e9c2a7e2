//! Every program bmsdesk starts (`$EDITOR`, `password_command`, `mfa_command`) is built here, so
//! none inherits a secret the user put in our environment. A source test checks that no other
//! file calls `Command::new`.

use std::ffi::OsStr;
use std::process::Command;

/// Variables that hold secrets for bmsdesk itself, removed from every child's environment.
pub const SECRET_ENV_VARS: &[&str] = &["BMS_PASSWORD", "BMS_MFA_CODE"];

/// `Command::new(program)` without [`SECRET_ENV_VARS`] (the rest of the environment is kept:
/// an editor or a password manager needs `HOME`, `PATH`, its agent sockets).
pub fn command(program: impl AsRef<OsStr>) -> Command {
    let mut c = Command::new(program);
    for key in SECRET_ENV_VARS {
        c.env_remove(key);
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_get_no_secret_variables() {
        let c = command("vi");
        let removed: Vec<_> = c
            .get_envs()
            .filter(|(_, v)| v.is_none())
            .map(|(k, _)| k.to_string_lossy().into_owned())
            .collect();
        for key in SECRET_ENV_VARS {
            assert!(removed.iter().any(|r| r == key), "{key}: {removed:?}");
        }
    }
}
