//! A resolved profile: what the CLI and TUI use to sign in, build the client and find files.

use std::path::PathBuf;
use std::time::Duration;

use super::{ConfigError, secret_command};
use crate::{secret::Credentials, secret::Secret};

/// A profile ready to use: every path concrete, the API base validated.
#[derive(Debug, Clone)]
pub struct Profile {
    pub name: String,
    /// Validated base URL (`https://…`, or `http://` on loopback only).
    pub base_url: String,
    pub tenant: Option<String>,
    pub username: Option<String>,
    pub password_command: Option<String>,
    pub mfa_command: Option<String>,
    /// How long either command may run before it is stopped.
    pub secret_command_timeout: Duration,
    pub token_file: PathBuf,
    pub cache_file: PathBuf,
    pub cache_ttl: chrono::TimeDelta,
    /// Shared by all profiles.
    pub audit_dir: PathBuf,
    /// This profile's drafts, outbox and timers.
    pub state_dir: PathBuf,
    pub page_size: u32,
    pub concurrency: usize,
    pub timeout: Duration,
    pub max_retries: u32,
    /// Largest reply body read (`max_reply_mb`).
    pub max_reply_bytes: u64,
    /// Most rows one listing reads (`max_rows`).
    pub max_rows: u64,
    /// `tenant_timezone`: the zone naive server times are in, when the profile says.
    pub tenant_zone: Option<crate::tenant_time::TenantZone>,
    /// `note_type`: the note type a note gets when none is chosen (`domain::note_type`).
    pub note_type: Option<i64>,
    pub(super) env_password: Option<Secret>,
    pub(super) env_mfa_code: Option<Secret>,
}

impl Profile {
    pub fn drafts_dir(&self) -> PathBuf {
        self.state_dir.join("drafts")
    }

    pub fn outbox_dir(&self) -> PathBuf {
        self.state_dir.join("outbox")
    }

    /// What `bmsdesk doctor` measured on this profile's tenant.
    pub fn capabilities_file(&self) -> PathBuf {
        crate::capabilities::Capabilities::path_in(&self.state_dir)
    }

    /// The folders that hold this profile's private files (state, drafts, outbox, cache,
    /// token, audit), each made 0700 if it exists and others could open it; one that another
    /// user owns is refused. Called when a command opens the profile, so a folder left 0777
    /// does not stay that way until the next write into it.
    pub fn secure_folders(&self) -> std::io::Result<()> {
        let dirs = [
            Some(self.state_dir.as_path()),
            Some(&self.drafts_dir()),
            Some(&self.outbox_dir()),
            self.cache_file.parent(),
            self.token_file.parent(),
            Some(self.audit_dir.as_path()),
        ];
        for dir in dirs.into_iter().flatten() {
            match crate::store::fsutil::check_private_dir(dir) {
                // Not a privacy problem, and not every command's: a file where a folder
                // belongs only stops what would be saved there, and each such save says so
                // (a sign-in not saved is a warning, a write not queued is NOT saved).
                Err(e) if e.kind() == std::io::ErrorKind::NotADirectory => {
                    tracing::warn!(error = %e, "cannot keep files there");
                }
                r => r?,
            }
        }
        Ok(())
    }

    /// The password from `BMS_PASSWORD`, else from `password_command`, else `None` (the caller
    /// may then prompt with [`prompt_password`]). Runs the command each time it is called.
    pub fn password(&self) -> Result<Option<Secret>, ConfigError> {
        if let Some(p) = &self.env_password {
            return Ok(Some(p.clone()));
        }
        match &self.password_command {
            Some(cmd) => secret_command::run(cmd, self.secret_command_timeout)
                .map(Some)
                .map_err(|message| ConfigError::Command {
                    profile: self.name.clone(),
                    key: "password_command",
                    message,
                }),
            None => Ok(None),
        }
    }

    /// A current MFA code from `BMS_MFA_CODE`, else from `mfa_command`, else `None`.
    pub fn mfa_code(&self) -> Result<Option<Secret>, ConfigError> {
        if let Some(c) = &self.env_mfa_code {
            return Ok(Some(c.clone()));
        }
        match &self.mfa_command {
            Some(cmd) => secret_command::run(cmd, self.secret_command_timeout)
                .map(|s| Some(Secret::new(s.expose().trim())))
                .map_err(|message| ConfigError::Command {
                    profile: self.name.clone(),
                    key: "mfa_command",
                    message,
                }),
            None => Ok(None),
        }
    }

    /// Whether an MFA code comes with the sign-in (`BMS_MFA_CODE` or `mfa_command`), without
    /// running the command.
    pub fn has_mfa_source(&self) -> bool {
        self.env_mfa_code.is_some() || self.mfa_command.is_some()
    }

    /// Sign-in details with `password`; tenant and user name must be configured. The MFA code
    /// (if any source gives one) is fetched now, since codes expire within a minute.
    pub fn credentials(&self, password: Secret) -> Result<Credentials, ConfigError> {
        let missing = |what, env| ConfigError::Missing {
            profile: self.name.clone(),
            what,
            env,
        };
        let tenant = self
            .tenant
            .clone()
            .ok_or_else(|| missing("tenant", "BMS_TENANT"))?;
        let username = self
            .username
            .clone()
            .ok_or_else(|| missing("username", "BMS_USERNAME"))?;
        Ok(Credentials {
            tenant,
            username,
            password,
            mfa_code: self.mfa_code()?,
        })
    }

    /// Secrets the audit log must never contain.
    pub fn known_secrets(&self) -> Vec<Secret> {
        [&self.env_password, &self.env_mfa_code]
            .into_iter()
            .flatten()
            .cloned()
            .collect()
    }
}
