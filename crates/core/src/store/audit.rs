//! The audit log: one JSON line per write to BMS, in `<dir>/YYYY-MM-DD.jsonl` (local date),
//! the same layout openclaw-bms uses. Reads are not logged.
//!
//! Each line says what was done, with which (redacted) arguments, what came of it, and what is
//! needed to undo it. Secrets never reach the file: keys that name a secret are masked at any
//! depth, and any string equal to (or containing) a known secret value is masked too, as a whole
//! (so the mask never shows where in a value the secret was).

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::fsutil;
use crate::secret::Secret;

pub const MASK: &str = "***";

/// Secrets shorter than this are only masked where a whole value equals them: masking every
/// occurrence of, say, "12" would garble the log while protecting nothing.
const MIN_SUBSTRING_SECRET: usize = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditStatus {
    Ok,
    Error,
}

/// One line of the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// RFC 3339 with the local offset; its date picks the file.
    pub timestamp: DateTime<FixedOffset>,
    /// What was done, e.g. "tickets.create", "notes.delete".
    pub command: String,
    /// Which profile (tenant) it was done in; set by [`AuditLog::with_profile`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// The arguments. Redacted when recorded, whatever is passed in.
    pub args_sanitized: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub status: AuditStatus,
    /// What undoing needs: previous field values of a patch, a deleted note's text...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revert_info: Option<Value>,
}

impl AuditEntry {
    pub fn ok(command: impl Into<String>, args: Value, result: Value) -> Self {
        AuditEntry {
            timestamp: crate::clock::local_now(),
            command: command.into(),
            profile: None,
            args_sanitized: args,
            result: Some(result),
            error: None,
            status: AuditStatus::Ok,
            revert_info: None,
        }
    }

    pub fn failed(command: impl Into<String>, args: Value, error: impl Into<String>) -> Self {
        AuditEntry {
            timestamp: crate::clock::local_now(),
            command: command.into(),
            profile: None,
            args_sanitized: args,
            result: None,
            error: Some(error.into()),
            status: AuditStatus::Error,
            revert_info: None,
        }
    }

    pub fn with_revert(mut self, revert_info: Value) -> Self {
        self.revert_info = Some(revert_info);
        self
    }

    pub fn at(mut self, timestamp: DateTime<FixedOffset>) -> Self {
        self.timestamp = timestamp;
        self
    }
}

/// Appends entries to the day's file. Cheap to share (`Arc`); every call opens, appends with a
/// single `write` (O_APPEND, so concurrent writers never interleave) and syncs.
#[derive(Debug, Clone)]
pub struct AuditLog {
    dir: PathBuf,
    secrets: Vec<Secret>,
    profile: Option<String>,
}

impl AuditLog {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        AuditLog {
            dir: dir.into(),
            secrets: Vec::new(),
            profile: None,
        }
    }

    /// Values to mask wherever they appear (password, MFA code, tokens).
    pub fn with_secrets(mut self, secrets: Vec<Secret>) -> Self {
        self.secrets
            .extend(secrets.into_iter().filter(|s| !s.is_empty()));
        self
    }

    /// Stamps every entry with the profile it was made in.
    pub fn with_profile(mut self, profile: impl Into<String>) -> Self {
        self.profile = Some(profile.into());
        self
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn path_for(&self, date: NaiveDate) -> PathBuf {
        self.dir.join(format!("{}.jsonl", date.format("%Y-%m-%d")))
    }

    /// The entry as it will be written: arguments, result, revert info and error redacted.
    pub fn sanitized(&self, entry: &AuditEntry) -> AuditEntry {
        AuditEntry {
            timestamp: entry.timestamp,
            command: mask_text(&entry.command, &self.secrets),
            profile: entry.profile.clone().or_else(|| self.profile.clone()),
            args_sanitized: redact(&entry.args_sanitized, &self.secrets),
            result: entry.result.as_ref().map(|v| redact(v, &self.secrets)),
            error: entry.error.as_deref().map(|e| mask_text(e, &self.secrets)),
            status: entry.status,
            revert_info: entry.revert_info.as_ref().map(|v| redact(v, &self.secrets)),
        }
    }

    pub fn record(&self, entry: &AuditEntry) -> io::Result<()> {
        let clean = self.sanitized(entry);
        let mut line = serde_json::to_vec(&clean).map_err(io::Error::other)?;
        line.push(b'\n');

        fsutil::ensure_private_dir(&self.dir)?;
        let path = self.path_for(clean.timestamp.date_naive());
        let is_new = !path.exists();
        let mut file = fsutil::open_private_append(&path)?;
        file.write_all(&line)?;
        file.sync_data()?;
        if is_new {
            // The new file's name must survive a crash too, not only its content.
            if let Ok(d) = std::fs::File::open(&self.dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }

    /// Every readable entry of one day, in order; a damaged line is skipped with a warning.
    pub fn read_day(&self, date: NaiveDate) -> io::Result<Vec<AuditEntry>> {
        let path = self.path_for(date);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut out = Vec::new();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<AuditEntry>(line) {
                Ok(e) => out.push(e),
                Err(e) => {
                    tracing::warn!(path = %path.display(), line = n + 1, error = %e, "skipping unreadable audit line")
                }
            }
        }
        Ok(out)
    }
}

/// Whether a JSON key names something secret. Matching is on the key's letters and digits,
/// case-insensitive, so `AccessToken`, `access_token` and `X-Auth-Token` all count.
pub fn is_secret_key(key: &str) -> bool {
    const PARTS: [&str; 10] = [
        "password",
        "passwd",
        "pwd",
        "secret",
        "token",
        "authorization",
        "cookie",
        "mfa",
        "apikey",
        "credential",
    ];
    let k: String = key
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    // "otp" only at either end: inside a word it is too common ("footprint").
    PARTS.iter().any(|p| k.contains(p))
        || k.starts_with("otp")
        || k.ends_with("otp")
        || k.contains("onetime")
}

/// A copy of `v` with secret keys and known secret values masked, at any depth.
pub fn redact(v: &Value, secrets: &[Secret]) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if is_secret_key(k) && !v.is_null() {
                        Value::String(MASK.into())
                    } else {
                        redact(v, secrets)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(|i| redact(i, secrets)).collect()),
        Value::String(s) => Value::String(mask_text(s, secrets)),
        Value::Number(n) if secrets.iter().any(|s| s.expose() == n.to_string()) => {
            Value::String(MASK.into())
        }
        other => other.clone(),
    }
}

/// `s`, or [`MASK`] in its place when it holds a known secret. The whole value goes, not only
/// the secret inside it: "tech@***.example" would tell a reader who knows the address that the
/// password is "demo".
fn mask_text(s: &str, secrets: &[Secret]) -> String {
    let holds_secret = secrets.iter().map(Secret::expose).any(|raw| {
        !raw.is_empty()
            && (s == raw || (raw.chars().count() >= MIN_SUBSTRING_SECRET && s.contains(raw)))
    });
    if holds_secret {
        MASK.into()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use serde_json::json;

    fn day(y: i32, m: u32, d: u32) -> DateTime<FixedOffset> {
        FixedOffset::east_opt(3600)
            .unwrap()
            .with_ymd_and_hms(y, m, d, 23, 30, 0)
            .unwrap()
    }

    #[test]
    fn entries_round_trip_into_the_days_file() {
        let tmp = tempfile::tempdir().unwrap();
        let log = AuditLog::new(tmp.path().join("audit")).with_profile("acme");
        let ok = AuditEntry::ok(
            "tickets.patch",
            json!({"ticket_id": 5, "ops": [{"op": "replace", "path": "/StatusId", "value": 7}]}),
            json!({"id": 5}),
        )
        .with_revert(json!({"StatusId": 3}))
        .at(day(2025, 3, 9));
        let failed = AuditEntry::failed("notes.add", json!({"ticket_id": 5}), "HTTP 500: boom")
            .at(day(2025, 3, 9));
        log.record(&ok).unwrap();
        log.record(&failed).unwrap();
        log.record(&AuditEntry::ok("x", json!({}), json!(null)).at(day(2025, 3, 10)))
            .unwrap();

        let path = tmp.path().join("audit/2025-03-09.jsonl");
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        let first: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
        assert_eq!(first["timestamp"], "2025-03-09T23:30:00+01:00");
        assert_eq!(first["command"], "tickets.patch");
        assert_eq!(first["status"], "ok");
        assert_eq!(first["profile"], "acme");
        assert_eq!(first["revert_info"]["StatusId"], 3);
        assert_eq!(first["args_sanitized"]["ops"][0]["value"], 7);

        let back = log.read_day(day(2025, 3, 9).date_naive()).unwrap();
        assert_eq!(back.len(), 2);
        assert_eq!(back[1].status, AuditStatus::Error);
        assert_eq!(back[1].error.as_deref(), Some("HTTP 500: boom"));
        assert_eq!(back[1].result, None);
        assert!(
            log.read_day(day(2024, 1, 1).date_naive())
                .unwrap()
                .is_empty()
        );
    }

    #[cfg(unix)]
    #[test]
    fn files_are_private_even_in_an_open_folder() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("audit");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        let log = AuditLog::new(&dir);
        log.record(&AuditEntry::ok("x", json!({}), json!(1)).at(day(2025, 1, 1)))
            .unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("2025-01-01.jsonl")), 0o600);
    }

    #[test]
    fn secret_keys_are_masked_at_any_depth() {
        let args = json!({
            "Password": "pw1",
            "nested": {"accessToken": "tok", "list": [{"MFACode": 123456}, {"otp": "1"}]},
            "X-Authorization": "Bearer abc",
            "session_cookie": "c",
            "client_secret": {"deep": "s"},
            "footprint": "visible",
            "details": "visible too",
            "refresh_token": null,
        });
        let out = redact(&args, &[]);
        assert_eq!(out["Password"], MASK);
        assert_eq!(out["nested"]["accessToken"], MASK);
        assert_eq!(out["nested"]["list"][0]["MFACode"], MASK);
        assert_eq!(out["nested"]["list"][1]["otp"], MASK);
        assert_eq!(out["X-Authorization"], MASK);
        assert_eq!(out["session_cookie"], MASK);
        assert_eq!(out["client_secret"], MASK);
        assert_eq!(out["footprint"], "visible");
        assert_eq!(out["details"], "visible too");
        assert_eq!(out["refresh_token"], Value::Null);
    }

    #[test]
    fn known_secrets_never_reach_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        let password = "Tr0ub4dor&3";
        let token = "eyJhbGciOiJIUzI1NiJ9.payload.sig";
        let mfa = "492039";
        let log = AuditLog::new(tmp.path()).with_secrets(vec![
            Secret::new(password),
            Secret::new(token),
            Secret::new(mfa),
            Secret::new(""),
        ]);
        let entry = AuditEntry::failed(
            "auth.login",
            json!({
                "user": "me",
                "note": format!("typed my password {password} by mistake"),
                "code": mfa.parse::<i64>().unwrap(),
                "code_text": mfa,
                "headers": [format!("Bearer {token}")],
            }),
            format!("server echoed {password} and {token}"),
        )
        .with_revert(json!({"previous": password}))
        .at(day(2025, 6, 1));
        log.record(&entry).unwrap();
        let text = std::fs::read_to_string(tmp.path().join("2025-06-01.jsonl")).unwrap();
        for s in [password, token, mfa] {
            assert!(!text.contains(s), "{s} leaked: {text}");
        }
        assert!(text.contains("\"note\":\"***\""), "{text}");
        assert!(text.contains("\"user\":\"me\""));
    }

    #[test]
    fn masking_never_shows_where_a_secret_was() {
        // With the password "demo", "tech@***.example" would tell a reader the password.
        let secrets = [Secret::new("demo")];
        let out = redact(
            &json!({"user": "tech@demo.example", "note": "demo day", "n": 7}),
            &secrets,
        );
        assert_eq!(out, json!({"user": MASK, "note": MASK, "n": 7}));
        assert_eq!(mask_text("server said tech@demo.example", &secrets), MASK);
    }

    /// A link planted at the day's file is refused: nothing is appended to, or chmod-ed on,
    /// what it points at.
    #[cfg(unix)]
    #[test]
    fn an_audit_file_planted_as_a_symlink_is_not_written_through() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let victim = tmp.path().join("victim");
        std::fs::write(&victim, "precious\n").unwrap();
        std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
        let log = AuditLog::new(tmp.path().join("audit"));
        std::fs::create_dir_all(tmp.path().join("audit")).unwrap();
        std::os::unix::fs::symlink(&victim, log.path_for(day(2025, 6, 1).date_naive())).unwrap();
        let entry = AuditEntry::failed("x", json!({}), "e".to_string()).at(day(2025, 6, 1));
        let err = log.record(&entry).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
        let mode = std::fs::metadata(&victim).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o644);
    }

    #[test]
    fn short_secrets_are_masked_only_as_whole_values() {
        let out = redact(&json!({"a": "42", "b": "room 42"}), &[Secret::new("42")]);
        assert_eq!(out, json!({"a": MASK, "b": "room 42"}));
    }

    #[test]
    fn concurrent_writers_never_interleave() {
        let tmp = tempfile::tempdir().unwrap();
        let log = std::sync::Arc::new(AuditLog::new(tmp.path()));
        let big = "x".repeat(20_000);
        let handles: Vec<_> = (0..6)
            .map(|t| {
                let log = log.clone();
                let big = big.clone();
                std::thread::spawn(move || {
                    for i in 0..25 {
                        let e = AuditEntry::ok(
                            "notes.add",
                            json!({"t": t, "i": i, "pad": big}),
                            json!(null),
                        )
                        .at(day(2025, 2, 2));
                        log.record(&e).unwrap();
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let entries = log.read_day(day(2025, 2, 2).date_naive()).unwrap();
        assert_eq!(entries.len(), 150);
    }

    #[test]
    fn damaged_lines_are_skipped_when_reading() {
        let tmp = tempfile::tempdir().unwrap();
        let log = AuditLog::new(tmp.path());
        let e = AuditEntry::ok("a", json!({}), json!(1)).at(day(2025, 4, 4));
        log.record(&e).unwrap();
        let path = log.path_for(day(2025, 4, 4).date_naive());
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(b"{\"half\": \n").unwrap();
        log.record(&e).unwrap();
        assert_eq!(log.read_day(day(2025, 4, 4).date_naive()).unwrap().len(), 2);
    }

    #[test]
    fn secret_key_detection() {
        for k in [
            "password",
            "Passwd",
            "newPwd",
            "AccessToken",
            "MFACode",
            "mfa_code",
            "OTP",
            "totp",
            "otpCode",
            "Cookie",
            "api_key",
            "ClientSecret",
            "Authorization",
            "oneTimeCode",
        ] {
            assert!(is_secret_key(k), "{k}");
        }
        for k in [
            "footprint",
            "details",
            "statusId",
            "title",
            "isInternal",
            "notes",
        ] {
            assert!(!is_secret_key(k), "{k}");
        }
    }
}
