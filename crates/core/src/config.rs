//! Configuration: a TOML file, `BMS_*` environment overrides and named profiles (one per
//! tenant). See `config.example.toml` for every key.
//!
//! The environment is read through an injected lookup ([`EnvLookup`]) so that tests never touch
//! the process environment, and the standard directories are injected the same way ([`Dirs`]).
//! Nothing here writes a password anywhere: it comes from `BMS_PASSWORD`, a `password_command`
//! or a prompt, and lives only in memory.

pub mod child_env;
mod profile;
mod secret_command;

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::secret::Secret;

pub use profile::Profile;
pub use secret_command::{prompt_password, stdin_is_tty};

/// Reads one environment variable. At the edge this is [`process_env`]; tests pass a map.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The real process environment, for [`EnvLookup`].
pub fn process_env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

/// The name a configuration without `[profiles]` gets.
pub const DEFAULT_PROFILE: &str = "default";
pub const DEFAULT_CACHE_TTL_HOURS: u64 = 24;
/// Where openclaw-bms keeps its audit log too, so both tools' writes end up in one place.
pub const DEFAULT_AUDIT_DIR: &str = "~/.bms-actions";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("{}:{line}:{column}: {message}", path.display())]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// A problem found after parsing (no position known). `origin` names the file.
    #[error("{origin}: {message}")]
    Invalid { origin: String, message: String },
    #[error("unknown profile {name:?} (known: {})", known.join(", "))]
    UnknownProfile { name: String, known: Vec<String> },
    #[error(
        "several profiles are configured ({}) and none is chosen: pass --profile, set BMS_PROFILE or set default_profile",
        known.join(", ")
    )]
    NoProfileChosen { known: Vec<String> },
    #[error("profile {profile:?}: {key}: {message}")]
    BadValue {
        profile: String,
        key: String,
        message: String,
    },
    #[error("profile {profile:?} has no {what}: set it in the config or in {env}")]
    Missing {
        profile: String,
        what: &'static str,
        env: &'static str,
    },
    #[error("profile {profile:?}: {key} failed: {message}")]
    Command {
        profile: String,
        key: &'static str,
        message: String,
    },
    #[error(
        "cannot find the home directory; set BMS_CONFIG, BMS_STATE_DIR, BMS_TOKEN_FILE, BMS_CACHE_FILE and BMS_AUDIT_DIR"
    )]
    NoHome,
}

/// What a profile gets for a key it does not set (and what a client built without a profile
/// uses).
pub mod defaults {
    use std::time::Duration;

    pub const PAGE_SIZE: u32 = crate::guesses::DEFAULT_PAGE_SIZE;
    pub const CONCURRENCY: usize = 4;
    pub const TIMEOUT: Duration = Duration::from_secs(30);
    pub const MAX_RETRIES: u32 = 3;
    /// `max_reply_mb = 64`.
    pub const MAX_REPLY_BYTES: u64 = 64 * 1024 * 1024;
    /// `max_rows`: far above any tenant a technician lists, far below what exhausts memory.
    pub const MAX_ROWS: u64 = 500_000;
}

/// The base directories everything defaults into.
#[derive(Debug, Clone, PartialEq)]
pub struct Dirs {
    /// For `~` in paths.
    pub home: Option<PathBuf>,
    /// Holds `config.toml`.
    pub config: PathBuf,
    /// Tokens, drafts, outbox and the log file.
    pub data: PathBuf,
    pub cache: PathBuf,
}

impl Dirs {
    /// The platform's directories for "bmsdesk" (XDG on Linux).
    pub fn system() -> Option<Dirs> {
        let project = directories::ProjectDirs::from("", "", "bmsdesk")?;
        let home = directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf());
        Some(Dirs {
            home,
            config: project.config_dir().to_path_buf(),
            data: project.data_dir().to_path_buf(),
            cache: project.cache_dir().to_path_buf(),
        })
    }

    /// Everything under one root (tests, portable setups): `root/{home,config,data,cache}`.
    pub fn under(root: &Path) -> Dirs {
        Dirs {
            home: Some(root.join("home")),
            config: root.join("config"),
            data: root.join("data"),
            cache: root.join("cache"),
        }
    }
}

/// One profile's keys as written. Every key is optional; top-level keys are defaults that each
/// `[profiles.NAME]` table can override.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProfileConfig {
    /// Region name (us, emea, apac, pulseway) or a full https URL.
    pub api_base: Option<String>,
    /// The company name shown under My Settings in BMS.
    pub tenant: Option<String>,
    pub username: Option<String>,
    /// Shell command whose standard output is the password.
    pub password_command: Option<String>,
    /// Shell command whose standard output is a current MFA code (e.g. `oathtool --totp ...`).
    pub mfa_command: Option<String>,
    /// Seconds `password_command`/`mfa_command` may take before they are stopped.
    pub secret_command_timeout_secs: Option<u64>,
    pub token_file: Option<PathBuf>,
    pub cache_file: Option<PathBuf>,
    pub page_size: Option<u32>,
    pub concurrency: Option<usize>,
    pub timeout_secs: Option<u64>,
    pub max_retries: Option<u32>,
    /// Largest reply body read, in MiB; a bigger one is refused (hostile or broken server).
    pub max_reply_mb: Option<u64>,
    /// Most rows one listing reads; more pages than this allows end it with an error.
    pub max_rows: Option<u64>,
    /// The zone naive server times are in (IANA name, or a fixed `+10:00`); unset, it is
    /// learnt from `userinfo` at sign-in (see `api::tenant_time`).
    pub tenant_timezone: Option<String>,
    /// The note type (`TypeId`) a note gets when none is chosen for it; unset, the tenant's
    /// note-type list decides (see `domain::note_type`).
    pub note_type: Option<i64>,
}

impl ProfileConfig {
    /// `self` with every key that `over` sets replaced.
    fn overlaid(&self, over: &ProfileConfig) -> ProfileConfig {
        fn pick<T: Clone>(a: &Option<T>, b: &Option<T>) -> Option<T> {
            b.clone().or_else(|| a.clone())
        }
        ProfileConfig {
            api_base: pick(&self.api_base, &over.api_base),
            tenant: pick(&self.tenant, &over.tenant),
            username: pick(&self.username, &over.username),
            password_command: pick(&self.password_command, &over.password_command),
            mfa_command: pick(&self.mfa_command, &over.mfa_command),
            secret_command_timeout_secs: pick(
                &self.secret_command_timeout_secs,
                &over.secret_command_timeout_secs,
            ),
            token_file: pick(&self.token_file, &over.token_file),
            cache_file: pick(&self.cache_file, &over.cache_file),
            page_size: pick(&self.page_size, &over.page_size),
            concurrency: pick(&self.concurrency, &over.concurrency),
            timeout_secs: pick(&self.timeout_secs, &over.timeout_secs),
            max_retries: pick(&self.max_retries, &over.max_retries),
            max_reply_mb: pick(&self.max_reply_mb, &over.max_reply_mb),
            max_rows: pick(&self.max_rows, &over.max_rows),
            tenant_timezone: pick(&self.tenant_timezone, &over.tenant_timezone),
            note_type: pick(&self.note_type, &over.note_type),
        }
    }

    fn expand_paths(&mut self, base: Option<&Path>, home: Option<&Path>) -> Result<(), String> {
        for p in [&mut self.token_file, &mut self.cache_file]
            .into_iter()
            .flatten()
        {
            *p = expand_path(p, base, home)?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct CacheSection {
    ttl_hours: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditSection {
    dir: Option<PathBuf>,
}

/// The file as written. The single-profile keys are repeated here rather than flattened: serde's
/// `flatten` would lose the line numbers in error messages and the unknown-key check. A test
/// keeps this list in step with [`ProfileConfig`].
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    default_profile: Option<String>,
    state_dir: Option<PathBuf>,
    log_file: Option<PathBuf>,
    #[serde(default)]
    profiles: BTreeMap<String, ProfileConfig>,
    #[serde(default)]
    cache: CacheSection,
    #[serde(default)]
    audit: AuditSection,
    #[serde(default)]
    tui: toml::Table,
    #[serde(default)]
    sla: toml::Table,

    api_base: Option<String>,
    tenant: Option<String>,
    username: Option<String>,
    password_command: Option<String>,
    mfa_command: Option<String>,
    secret_command_timeout_secs: Option<u64>,
    token_file: Option<PathBuf>,
    cache_file: Option<PathBuf>,
    page_size: Option<u32>,
    concurrency: Option<usize>,
    timeout_secs: Option<u64>,
    max_retries: Option<u32>,
    max_reply_mb: Option<u64>,
    max_rows: Option<u64>,
    tenant_timezone: Option<String>,
    note_type: Option<i64>,
}

impl RawFile {
    fn top_level_profile(&self) -> ProfileConfig {
        ProfileConfig {
            api_base: self.api_base.clone(),
            tenant: self.tenant.clone(),
            username: self.username.clone(),
            password_command: self.password_command.clone(),
            mfa_command: self.mfa_command.clone(),
            secret_command_timeout_secs: self.secret_command_timeout_secs,
            token_file: self.token_file.clone(),
            cache_file: self.cache_file.clone(),
            page_size: self.page_size,
            concurrency: self.concurrency,
            timeout_secs: self.timeout_secs,
            max_retries: self.max_retries,
            max_reply_mb: self.max_reply_mb,
            max_rows: self.max_rows,
            tenant_timezone: self.tenant_timezone.clone(),
            note_type: self.note_type,
        }
    }
}

/// The loaded configuration, paths already expanded (`~`, and relative to the file's folder).
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from; `None` when no file exists and defaults apply.
    pub source: Option<PathBuf>,
    pub dirs: Dirs,
    pub default_profile: Option<String>,
    /// Top-level profile keys: the only profile when there is no `[profiles]`, else defaults.
    pub base: ProfileConfig,
    pub profiles: BTreeMap<String, ProfileConfig>,
    pub cache_ttl_hours: u64,
    pub audit_dir: Option<PathBuf>,
    pub state_dir: Option<PathBuf>,
    pub log_file: Option<PathBuf>,
    /// `[tui]`, parsed by the TUI (keymap, saved views).
    pub tui: toml::Table,
    /// `[sla]`, parsed by the SLA code.
    pub sla: toml::Table,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            source: None,
            dirs: Dirs::under(Path::new(".")),
            default_profile: None,
            base: ProfileConfig::default(),
            profiles: BTreeMap::new(),
            cache_ttl_hours: DEFAULT_CACHE_TTL_HOURS,
            audit_dir: None,
            state_dir: None,
            log_file: None,
            tui: toml::Table::new(),
            sla: toml::Table::new(),
        }
    }
}

impl Config {
    /// Loads the config the usual way: `--config PATH`, else `BMS_CONFIG`, else
    /// `<config dir>/config.toml`. A file named explicitly must exist; the default one may be
    /// missing (defaults then apply).
    pub fn load(cli_path: Option<&Path>, env: EnvLookup) -> Result<Config, ConfigError> {
        let dirs = Dirs::system().ok_or(ConfigError::NoHome)?;
        Config::load_with(cli_path, env, dirs)
    }

    /// [`Config::load`] with the base directories given.
    pub fn load_with(
        cli_path: Option<&Path>,
        env: EnvLookup,
        dirs: Dirs,
    ) -> Result<Config, ConfigError> {
        let explicit = cli_path
            .map(Path::to_path_buf)
            .or_else(|| env_value(env, "BMS_CONFIG").map(PathBuf::from));
        let (path, required) = match explicit {
            Some(p) => (
                expand_path(&p, None, dirs.home.as_deref()).map_err(|message| {
                    ConfigError::Invalid {
                        origin: "BMS_CONFIG/--config".into(),
                        message,
                    }
                })?,
                true,
            ),
            None => (dirs.config.join("config.toml"), false),
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => Config::from_toml(&text, Some(&path), dirs),
            Err(e) if e.kind() == io::ErrorKind::NotFound && !required => Ok(Config {
                dirs,
                ..Config::default()
            }),
            Err(source) => Err(ConfigError::Read { path, source }),
        }
    }

    /// Parses config text. `origin` (the file) is used in messages and as the base of relative
    /// paths.
    pub fn from_toml(text: &str, origin: Option<&Path>, dirs: Dirs) -> Result<Config, ConfigError> {
        let shown = origin
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("<config>"));
        let raw: RawFile = toml::from_str(text).map_err(|e| parse_error(&shown, text, &e))?;
        let invalid = |message: String| ConfigError::Invalid {
            origin: shown.display().to_string(),
            message,
        };
        let file_dir = origin.and_then(Path::parent);
        let home = dirs.home.as_deref();

        let mut base = raw.top_level_profile();
        base.expand_paths(file_dir, home).map_err(&invalid)?;
        let mut profiles = raw.profiles;
        for (name, p) in profiles.iter_mut() {
            check_profile_name(name).map_err(&invalid)?;
            p.expand_paths(file_dir, home)
                .map_err(|m| invalid(format!("profiles.{name}: {m}")))?;
        }
        let expand = |p: Option<PathBuf>| -> Result<Option<PathBuf>, ConfigError> {
            p.map(|p| expand_path(&p, file_dir, home))
                .transpose()
                .map_err(&invalid)
        };
        Ok(Config {
            source: origin.map(Path::to_path_buf),
            default_profile: raw.default_profile.filter(|s| !s.trim().is_empty()),
            base,
            profiles,
            cache_ttl_hours: raw.cache.ttl_hours.unwrap_or(DEFAULT_CACHE_TTL_HOURS),
            audit_dir: expand(raw.audit.dir)?,
            state_dir: expand(raw.state_dir)?,
            log_file: expand(raw.log_file)?,
            tui: raw.tui,
            sla: raw.sla,
            dirs,
        })
    }

    /// Profile names a user may pick.
    pub fn profile_names(&self) -> Vec<String> {
        if self.profiles.is_empty() {
            vec![DEFAULT_PROFILE.to_string()]
        } else {
            self.profiles.keys().cloned().collect()
        }
    }

    /// Which profile is meant: `--profile`, else `BMS_PROFILE`, else `default_profile`, else
    /// the only one there is.
    pub fn chosen_profile(
        &self,
        profile: Option<&str>,
        env: EnvLookup,
    ) -> Result<String, ConfigError> {
        let named = profile
            .map(str::to_string)
            .filter(|s| !s.trim().is_empty())
            .or_else(|| env_value(env, "BMS_PROFILE"))
            .or_else(|| self.default_profile.clone());
        let known = self.profile_names();
        match named {
            Some(name) if known.contains(&name) => Ok(name),
            Some(name) => Err(ConfigError::UnknownProfile { name, known }),
            None if known.len() == 1 => Ok(known[0].clone()),
            None => Err(ConfigError::NoProfileChosen { known }),
        }
    }

    /// Where drafts, outbox and timers live (each profile gets a folder inside) and the log.
    pub fn state_base(&self, env: EnvLookup) -> Result<PathBuf, ConfigError> {
        match env_path(env, "BMS_STATE_DIR", &self.dirs)? {
            Some(p) => Ok(p),
            None => Ok(self
                .state_dir
                .clone()
                .unwrap_or_else(|| self.dirs.data.clone())),
        }
    }

    /// The log file: `log_file` in the config, else `<state dir>/bmsdesk.log`.
    pub fn log_file(&self, env: EnvLookup) -> Result<PathBuf, ConfigError> {
        match &self.log_file {
            Some(p) => Ok(p.clone()),
            None => Ok(self.state_base(env)?.join("bmsdesk.log")),
        }
    }

    /// The audit folder (shared by all profiles; each entry names its profile).
    pub fn audit_dir(&self, env: EnvLookup) -> Result<PathBuf, ConfigError> {
        if let Some(p) = env_path(env, "BMS_AUDIT_DIR", &self.dirs)? {
            return Ok(p);
        }
        match &self.audit_dir {
            Some(p) => Ok(p.clone()),
            None => expand_path(
                Path::new(DEFAULT_AUDIT_DIR),
                None,
                self.dirs.home.as_deref(),
            )
            .map_err(|_| ConfigError::NoHome),
        }
    }

    /// A profile with every value decided: file, then environment on top, then defaults.
    pub fn resolve(&self, profile: Option<&str>, env: EnvLookup) -> Result<Profile, ConfigError> {
        let name = self.chosen_profile(profile, env)?;
        let written = match self.profiles.get(&name) {
            Some(p) => self.base.overlaid(p),
            None => self.base.clone(),
        };
        let bad = |key: &str, message: String| ConfigError::BadValue {
            profile: name.clone(),
            key: key.to_string(),
            message,
        };

        let api_base = env_value(env, "BMS_API_BASE")
            .or(written.api_base)
            .unwrap_or_else(|| "us".to_string());
        let base_url = crate::base_url::resolve_base_url(&api_base)
            .map_err(|e| bad("api_base", e.to_string()))?;
        let text = |env_key: &str, v: Option<String>| {
            env_value(env, env_key)
                .or(v)
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
        };
        let tenant = text("BMS_TENANT", written.tenant);
        let username = text("BMS_USERNAME", written.username);

        let token_file = match env_path(env, "BMS_TOKEN_FILE", &self.dirs)? {
            Some(p) => p,
            None => written
                .token_file
                .unwrap_or_else(|| self.dirs.data.join(&name).join("token.json")),
        };
        let cache_file = match env_path(env, "BMS_CACHE_FILE", &self.dirs)? {
            Some(p) => p,
            None => written
                .cache_file
                .unwrap_or_else(|| self.dirs.cache.join(&name).join("cache.json")),
        };

        let page_size = in_range(written.page_size, 1..=crate::guesses::MAX_PAGE_SIZE)
            .map_err(|m| bad("page_size", m))?
            .unwrap_or(defaults::PAGE_SIZE);
        let concurrency = in_range(written.concurrency, 1..=16)
            .map_err(|m| bad("concurrency", m))?
            .unwrap_or(defaults::CONCURRENCY);
        let timeout = in_range(written.timeout_secs, 1..=3600)
            .map_err(|m| bad("timeout_secs", m))?
            .map(Duration::from_secs)
            .unwrap_or(defaults::TIMEOUT);
        let max_retries = in_range(written.max_retries, 0..=10)
            .map_err(|m| bad("max_retries", m))?
            .unwrap_or(defaults::MAX_RETRIES);
        let max_reply_bytes = in_range(written.max_reply_mb, 1..=4096)
            .map_err(|m| bad("max_reply_mb", m))?
            .map(|mb| mb * 1024 * 1024)
            .unwrap_or(defaults::MAX_REPLY_BYTES);
        let max_rows = in_range(written.max_rows, 1..=10_000_000)
            .map_err(|m| bad("max_rows", m))?
            .unwrap_or(defaults::MAX_ROWS);
        // A zone name that is not known would put every time sent and read hours off: refused
        // with the key named rather than ignored.
        let tenant_zone = match written.tenant_timezone.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(z) => Some(crate::tenant_time::TenantZone::parse(z).ok_or_else(|| {
                bad(
                    "tenant_timezone",
                    format!("unknown time zone {z:?} (an IANA name like \"America/New_York\", or an offset like \"+10:00\")"),
                )
            })?),
        };
        let note_type = in_range(written.note_type, 0..=i64::from(i32::MAX))
            .map_err(|m| bad("note_type", m))?;
        let secret_command_timeout = in_range(written.secret_command_timeout_secs, 1..=600)
            .map_err(|m| bad("secret_command_timeout_secs", m))?
            .map(Duration::from_secs)
            .unwrap_or(secret_command::DEFAULT_TIMEOUT);
        let ttl_hours = in_range(Some(self.cache_ttl_hours), 0..=24 * 366)
            .map_err(|m| bad("cache.ttl_hours", m))?
            .unwrap_or(DEFAULT_CACHE_TTL_HOURS);

        Ok(Profile {
            state_dir: self.state_base(env)?.join(&name),
            audit_dir: self.audit_dir(env)?,
            name,
            base_url,
            tenant,
            username,
            password_command: written.password_command.filter(|c| !c.trim().is_empty()),
            mfa_command: written.mfa_command.filter(|c| !c.trim().is_empty()),
            secret_command_timeout,
            token_file,
            cache_file,
            cache_ttl: chrono::TimeDelta::hours(ttl_hours as i64),
            page_size,
            concurrency,
            timeout,
            max_retries,
            max_reply_bytes,
            max_rows,
            tenant_zone,
            note_type,
            env_password: env_value(env, "BMS_PASSWORD").map(Secret::new),
            env_mfa_code: env_value(env, "BMS_MFA_CODE").map(Secret::new),
        })
    }
}

/// A set, non-empty environment variable (an empty one counts as unset).
fn env_value(env: EnvLookup, key: &str) -> Option<String> {
    env(key).filter(|v| !v.is_empty())
}

fn env_path(env: EnvLookup, key: &str, dirs: &Dirs) -> Result<Option<PathBuf>, ConfigError> {
    env_value(env, key)
        .map(|v| {
            expand_path(Path::new(&v), None, dirs.home.as_deref()).map_err(|message| {
                ConfigError::Invalid {
                    origin: key.to_string(),
                    message,
                }
            })
        })
        .transpose()
}

/// `~` means the home directory; a relative path is taken relative to `base` (the config
/// file's folder) when there is one.
fn expand_path(p: &Path, base: Option<&Path>, home: Option<&Path>) -> Result<PathBuf, String> {
    let s = p.to_string_lossy();
    let tilde_rest = if s == "~" {
        Some("")
    } else {
        s.strip_prefix("~/")
    };
    if let Some(rest) = tilde_rest {
        let home = home.ok_or_else(|| format!("cannot expand {s:?}: no home directory"))?;
        return Ok(if rest.is_empty() {
            home.to_path_buf()
        } else {
            home.join(rest)
        });
    }
    match base {
        Some(base) if p.is_relative() => Ok(base.join(p)),
        _ => Ok(p.to_path_buf()),
    }
}

fn in_range<T: PartialOrd + std::fmt::Display + Copy>(
    v: Option<T>,
    range: std::ops::RangeInclusive<T>,
) -> Result<Option<T>, String> {
    match v {
        Some(x) if !range.contains(&x) => Err(format!(
            "{x} is out of range ({}..={})",
            range.start(),
            range.end()
        )),
        other => Ok(other),
    }
}

/// Profile names become folder names, so they are kept to a safe alphabet.
fn check_profile_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "profile name {name:?} may only use letters, digits, '-', '_' and '.'"
        ))
    }
}

fn parse_error(path: &Path, text: &str, e: &toml::de::Error) -> ConfigError {
    let (line, column) = match e.span() {
        Some(span) => line_col(text, span.start),
        None => (0, 0),
    };
    ConfigError::Parse {
        path: path.to_path_buf(),
        line,
        column,
        message: e.message().trim().to_string(),
    }
}

/// 1-based line and column (in characters) of byte offset `at`.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests;
