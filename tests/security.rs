//! No secret leaks: a whole CLI session (sign-in with password and MFA code, reads, every kind
//! of write, an outage and the outbox, a token refresh) run with `BMSDESK_LOG=trace`, then
//! every file under HOME and every byte printed is searched for the password, the MFA code
//! and each access/refresh token (tokens may be in the token file, nothing else). Also: files
//! 0600 and folders 0700, and TLS verification never turned off.

use crate::cli_support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use bmsdesk_bms::client::ClientOptions;
use bmsdesk_core::{secret::Credentials, secret::Secret};
use bmsdesk_sim::{self as sim, Faults, SimConfig};
use cli_support::{Env, Run};

const PASSWORD: &str = "Vault-PW-9c41e7d2-aard-wolf-leak-canary";
const MFA: &str = "mfa-7Y3K-5521-canary";

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p.clone());
            }
            out.push(p);
        }
    }
    out
}

fn token_file(home: &Path) -> Option<PathBuf> {
    files_under(home)
        .into_iter()
        .find(|p| p.file_name() == Some("token.json".as_ref()))
}

#[test]
fn a_full_cli_session_leaks_no_secret() {
    let mut env = Env::with(SimConfig {
        password: PASSWORD.into(),
        mfa_code: MFA.into(),
        tickets: 200,
        ..cli_support::config()
    });
    env.user = sim::MFA_USER.into();
    env.password = PASSWORD.into();

    let mut runs: Vec<(String, Run)> = Vec::new();
    let mut tokens: BTreeSet<String> = BTreeSet::new();
    let mut step = |env: &Env, args: &[&str], expect: i32| -> Run {
        let mut c = env.cmd(args);
        c.env("BMSDESK_LOG", "trace").env("BMS_MFA_CODE", MFA);
        let r = env.run_cmd(c);
        assert_eq!(
            r.code, expect,
            "{args:?}\nstdout:\n{}\nstderr:\n{}",
            r.stdout, r.stderr
        );
        if let Some(p) = token_file(env.home()) {
            let v: serde_json::Value = serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap();
            for k in ["access_token", "refresh_token"] {
                if let Some(t) = v[k].as_str().filter(|t| !t.is_empty()) {
                    tokens.insert(t.to_string());
                }
            }
        }
        let copy = Run {
            code: r.code,
            stdout: r.stdout.clone(),
            stderr: r.stderr.clone(),
        };
        runs.push((args.join(" "), copy));
        r
    };

    step(&env, &["login", "--mfa-code", MFA, "--json"], 0);
    step(&env, &["whoami", "--json"], 0);
    step(&env, &["tickets", "list", "--limit", "5", "--json"], 0);
    let account = env.sim.state().read(|t| t.accounts[0].id).to_string();
    let created = step(
        &env,
        &[
            "tickets",
            "create",
            "--json",
            "--title",
            "Leak scan",
            "--details",
            "Printer offline",
            "--account",
            &account,
            "--priority",
            "High",
            "--type",
            "Incident",
            "--source",
            "Phone",
            "--queue",
            "Help Desk",
        ],
        0,
    )
    .json();
    let id = created["id"].as_i64().unwrap().to_string();
    step(
        &env,
        &["notes", "add", &id, "-m", "Called the user", "--json"],
        0,
    );
    step(
        &env,
        &["tickets", "patch", &id, "/PriorityId", "Low", "--json"],
        0,
    );
    step(
        &env,
        &[
            "tickets",
            "assign",
            &id,
            "--assignee",
            "me",
            "--details",
            "Taking it",
            "--json",
        ],
        0,
    );
    step(
        &env,
        &[
            "time",
            "add",
            &id,
            "--minutes",
            "15",
            "-m",
            "Remote session",
            "--json",
        ],
        0,
    );
    // An outage: the write is queued, then delivered.
    env.sim.state().set_faults(Faults {
        reset: 1.0,
        ..Default::default()
    });
    step(&env, &["notes", "add", &id, "-m", "During the outage"], 1);
    step(&env, &["outbox", "list", "--json"], 0);
    env.sim.state().clear_faults();
    step(&env, &["outbox", "retry", "--json"], 0);
    // The server revokes the access token: the next call refreshes (new tokens).
    env.sim.state().expire_access_tokens();
    step(&env, &["tickets", "get", &id, "--notes", "--json"], 0);
    // Refresh refused too: a fresh sign-in with the password and the MFA code.
    env.sim.state().expire_all_tokens();
    step(&env, &["notes", "list", &id, "--json"], 0);
    step(&env, &["tickets", "delete", &id, "--yes", "--json"], 0);
    step(&env, &["outbox", "list"], 0);
    // A failing sign-in's message must not echo what was typed either.
    let mut bad = env.cmd(&["login"]);
    bad.env("BMSDESK_LOG", "trace")
        .env("BMS_MFA_CODE", "mfa-wrong-canary-0000");
    let refused = env.run_cmd(bad);
    assert_eq!(refused.code, 3, "{}", refused.stderr);
    assert!(!refused.stderr.contains("mfa-wrong-canary-0000"));
    runs.push(("login (wrong MFA)".into(), refused));

    assert!(
        tokens.len() >= 4,
        "the session saw sign-in, refresh and re-sign-in: {}",
        tokens.len()
    );
    let secrets: Vec<(&str, String)> = [
        ("password", PASSWORD.to_string()),
        ("MFA code", MFA.to_string()),
    ]
    .into_iter()
    .chain(tokens.iter().map(|t| ("token", t.clone())))
    .collect();

    for (what, r) in &runs {
        for (kind, s) in &secrets {
            assert!(
                !r.stdout.contains(s.as_str()),
                "{kind} in stdout of `{what}`"
            );
            assert!(
                !r.stderr.contains(s.as_str()),
                "{kind} in stderr of `{what}`"
            );
        }
    }

    let token_path = token_file(env.home()).expect("a token file");
    let mut scanned = 0;
    let mut saw_trace = false;
    for p in files_under(env.home()).into_iter().filter(|p| p.is_file()) {
        let bytes = std::fs::read(&p).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        scanned += 1;
        if p.file_name() == Some("bmsdesk.log".as_ref()) {
            saw_trace |= text.contains("TRACE");
        }
        for (kind, s) in &secrets {
            if *kind == "token" && p == token_path {
                continue;
            }
            assert!(
                !text.contains(s.as_str()),
                "{kind} found in {}",
                p.display()
            );
        }
    }
    assert!(scanned >= 5, "token, cache, audit, log files were written");
    assert!(saw_trace, "the log was written at trace level");

    // Everything bmsdesk wrote is private.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for p in files_under(env.home()) {
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            let want = if p.is_dir() { 0o700 } else { 0o600 };
            assert_eq!(mode, want, "{:o} on {}", mode, p.display());
        }
    }
}

#[cfg(unix)]
#[test]
fn a_token_file_readable_by_others_is_made_private() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    env.run(&["login"]).ok();
    let p = token_file(env.home()).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
    env.run(&["whoami"]).ok();
    let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let log = files_under(env.home())
        .into_iter()
        .find(|p| p.file_name() == Some("bmsdesk.log".as_ref()))
        .unwrap();
    let text = std::fs::read_to_string(log).unwrap();
    assert!(
        text.contains("readable by others"),
        "the fix is reported: {text}"
    );
}

#[test]
fn debug_output_of_sign_in_types_hides_secrets() {
    let creds = Credentials {
        tenant: "T".into(),
        username: "u".into(),
        password: Secret::new(PASSWORD),
        mfa_code: Some(Secret::new(MFA)),
    };
    let mut opts = ClientOptions::new("https://api.example.com");
    opts.credentials = Some(creds.clone());
    let env = |k: &str| match k {
        "BMS_PASSWORD" => Some(PASSWORD.to_string()),
        "BMS_MFA_CODE" => Some(MFA.to_string()),
        "BMS_TENANT" => Some("T".to_string()),
        "BMS_USERNAME" => Some("u".to_string()),
        _ => None,
    };
    let tmp = tempfile::tempdir().unwrap();
    let cfg = bmsdesk_core::config::Config::from_toml(
        "api_base = \"us\"\n",
        None,
        bmsdesk_core::config::Dirs::under(tmp.path()),
    )
    .unwrap();
    let profile = cfg.resolve(None, &env).unwrap();
    let client = bmsdesk_bms::Client::new(opts.clone()).unwrap();
    for text in [
        format!("{creds:?}"),
        format!("{opts:?}"),
        format!("{profile:?}"),
        format!("{client:?}"),
        format!("{:?}", profile.credentials(Secret::new(PASSWORD)).unwrap()),
    ] {
        assert!(!text.contains(PASSWORD) && !text.contains(MFA), "{text}");
    }
}

/// TLS certificates and host names are always checked: no code turns that off.
#[test]
fn tls_verification_is_never_disabled() {
    let mut offenders = Vec::new();
    for p in files_under(Path::new(env!("CARGO_MANIFEST_DIR")).join("src").as_path()) {
        if p.extension() != Some("rs".as_ref()) {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        for bad in [
            "danger_accept_invalid_certs",
            "danger_accept_invalid_hostnames",
            "dangerous_configuration",
            "tls_built_in_root_certs(false)",
            "NoCertificateVerification",
        ] {
            if text.contains(bad) {
                offenders.push(format!("{}: {bad}", p.display()));
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:?}");
    // And plain http is refused except on loopback.
    assert!(bmsdesk_core::base_url::resolve_base_url("http://bms.example.com").is_err());
    assert!(bmsdesk_core::base_url::resolve_base_url("http://127.0.0.1:9").is_ok());
    assert!(bmsdesk_core::base_url::resolve_base_url("https://bms.example.com").is_ok());
}

// ----- hostile server text never reaches the terminal raw -----

/// Server text built to move the cursor, hide text, reorder it or shift borders: CSI and OSC
/// escapes, C1 controls (CSI, NEL), bidi overrides and isolates, zero-width and other format
/// characters (ZWSP, ZWJ, BOM, soft hyphen, word joiner, a tag character).
const HOSTILE: &str = "Evil\x1b[2J\x1b]0;owned\x07 \u{9b}31m\u{85}Co\u{202e}rp\u{2066}x\u{2069}\u{200b}\u{200d}\u{feff}\u{ad}\u{2060}\u{e0041}\u{7f}end";

/// Format characters (Unicode general category Cf), as a test-side list independent of the
/// code under test.
fn is_format_char(c: char) -> bool {
    matches!(c as u32,
        0xad | 0x600..=0x605 | 0x61c | 0x6dd | 0x70f | 0x890..=0x891 | 0x8e2 | 0x180e
        | 0x200b..=0x200f | 0x202a..=0x202e | 0x2060..=0x2064 | 0x2066..=0x206f | 0xfeff
        | 0xfff9..=0xfffb | 0x110bd | 0x110cd | 0x13430..=0x1343f | 0x1bca0..=0x1bca3
        | 0x1d173..=0x1d17a | 0xe0001 | 0xe0020..=0xe007f)
}

/// Nothing a terminal would act on or that changes how text looks: no C0 (but `\n`), DEL,
/// C1, bidi control or other format character.
#[track_caller]
fn assert_terminal_safe(what: &str, text: &str) {
    let bad: Vec<String> = text
        .chars()
        .filter(|&c| (c != '\n' && c.is_control()) || is_format_char(c))
        .map(|c| format!("U+{:04X}", c as u32))
        .collect();
    assert!(bad.is_empty(), "{what}: {bad:?} in {text:?}");
}

fn hostile_tenant() -> Env {
    let env = Env::new();
    env.sim.state().write(|t| {
        t.accounts[0].name = HOSTILE.to_string();
        for u in t
            .refs
            .users
            .iter_mut()
            .filter(|u| u.email == sim::DEMO_USER)
        {
            u.name = HOSTILE.to_string();
        }
    });
    env
}

#[test]
fn hostile_names_are_sanitized_in_tables_login_and_json() {
    let env = hostile_tenant();
    for args in [
        &["login"][..],
        &["login", "--json"],
        &["whoami"],
        &["whoami", "--json"],
        &["accounts"],
        &["accounts", "--json"],
    ] {
        let r = env.run(args).ok();
        assert_terminal_safe(&format!("{args:?} stdout"), &r.stdout);
        assert_terminal_safe(&format!("{args:?} stderr"), &r.stderr);
        if args.contains(&"--json") {
            // Escaped, not lost: the JSON still carries what the server sent.
            let v = r.json();
            let text = v.to_string();
            assert!(
                text.contains('\u{202e}') && text.contains('\u{9b}'),
                "{args:?}: the value survives as \\u escapes: {}",
                r.stdout
            );
        }
    }
}

/// A server whose every error carries hostile text in `message`, `details` and `subErrors`,
/// and whose account list fails with a hostile 5xx page.
fn hostile_errors(env: &Env) -> cli_support::fake::FakeServer {
    use cli_support::fake::{Reply, spawn, token_reply};
    env.block_on(spawn(|hit| {
        if hit.path.starts_with("/v2/security/authenticate") {
            token_reply("hostile-access", "hostile-refresh")
        } else if hit.path.starts_with("/v2/crm/accounts") {
            Reply::text(502, HOSTILE)
        } else {
            Reply::json(
                400,
                serde_json::json!({"success": false, "error": {
                    "code": 7, "message": HOSTILE, "details": format!("d{HOSTILE}"),
                    "subErrors": [format!("s{HOSTILE}")],
                }}),
            )
        }
    }))
}

#[test]
fn hostile_server_errors_are_sanitized_on_stderr() {
    let env = Env::new();
    let server = hostile_errors(&env);
    for args in [
        &["accounts"][..],
        &["accounts", "--json"],
        &["tickets", "get", "100001"],
        &["lookup", "statuses"],
    ] {
        let mut c = env.cmd(args);
        c.env("BMS_API_BASE", server.base_url())
            .env("BMS_CONFIG", env.home().join("none.toml"));
        std::fs::write(env.home().join("none.toml"), "max_retries = 0\n").unwrap();
        let r = env.run_cmd(c);
        assert_ne!(r.code, 0, "{args:?}: {}", r.stderr);
        assert!(
            r.stderr.contains("Evil"),
            "{args:?}: the message is kept: {}",
            r.stderr
        );
        assert_terminal_safe(&format!("{args:?} stdout"), &r.stdout);
        assert_terminal_safe(&format!("{args:?} stderr"), &r.stderr);
    }
}

#[test]
fn outbox_retry_lines_are_sanitized() {
    let env = Env::new();
    let cfg = env.home().join("bmsdesk.toml");
    std::fs::write(&cfg, "timeout_secs = 3\nmax_retries = 0\n").unwrap();
    let run = |args: &[&str], base: Option<String>| {
        let mut c = env.cmd(args);
        c.env("BMS_CONFIG", &cfg);
        if let Some(b) = base {
            c.env("BMS_API_BASE", b);
        }
        env.run_cmd(c)
    };
    run(&["login"], None).ok();
    let ticket = env.sim.state().read(|t| t.tickets[0].id).to_string();
    env.sim.state().set_faults(Faults {
        reset: 1.0,
        ..Default::default()
    });
    let queued = run(&["notes", "add", &ticket, "-m", "hostile retry"], None);
    assert!(
        queued.stderr.contains("queued as outbox item"),
        "{}",
        queued.stderr
    );
    let server = hostile_errors(&env);
    for args in [
        &["outbox", "retry"][..],
        &["outbox", "retry", "--json"],
        &["outbox", "list"],
    ] {
        let r = run(args, Some(server.base_url()));
        assert_terminal_safe(&format!("{args:?} stdout"), &r.stdout);
        assert_terminal_safe(&format!("{args:?} stderr"), &r.stderr);
        assert!(
            args[1] != "retry" || format!("{}{}", r.stdout, r.stderr).contains("Evil"),
            "{args:?}: the server's message is shown: {} {}",
            r.stdout,
            r.stderr
        );
    }
}

// ----- private files and folders on a hostile disk -----

#[cfg(unix)]
fn mode_of(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
}

/// The command with state, cache, token and log files at known places under HOME.
fn pinned(env: &Env, args: &[&str]) -> std::process::Command {
    let h = env.home();
    let mut c = env.cmd(args);
    c.env("BMS_STATE_DIR", h.join("state"))
        .env("BMS_CACHE_FILE", h.join("cache/cache.json"))
        .env("BMS_TOKEN_FILE", h.join("tokens/token.json"))
        .env("BMS_AUDIT_DIR", h.join("audit"));
    c
}

#[cfg(unix)]
#[test]
fn folders_left_open_to_others_are_made_private_when_opened() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    let h = env.home();
    let open = [
        h.join("state/default"),
        h.join("state/default/drafts"),
        h.join("state/default/outbox"),
        h.join("cache"),
        h.join("tokens"),
    ];
    for d in &open {
        std::fs::create_dir_all(d).unwrap();
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    env.run_cmd(pinned(&env, &["accounts"])).ok();
    for d in &open {
        assert_eq!(mode_of(d), 0o700, "{}", d.display());
    }
}

/// A symbolic link planted at `rel` (under HOME) to a victim file the user owns, readable by
/// others, with known content. Returns the victim.
#[cfg(unix)]
fn plant_link(env: &Env, rel: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let v = env.home().join("victim.txt");
    std::fs::write(&v, "precious\n").unwrap();
    std::fs::set_permissions(&v, std::fs::Permissions::from_mode(0o644)).unwrap();
    let link = env.home().join(rel);
    std::fs::create_dir_all(link.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(&v, &link).unwrap();
    v
}

/// The victim of [`plant_link`] is as it was: not chmod-ed, not written.
#[cfg(unix)]
#[track_caller]
fn assert_untouched(victim: &Path) {
    assert_eq!(mode_of(victim), 0o644, "the link's target was not chmod-ed");
    assert_eq!(std::fs::read_to_string(victim).unwrap(), "precious\n");
}

#[cfg(unix)]
#[test]
fn a_token_file_planted_as_a_symlink_is_refused_not_followed() {
    let env = Env::new();
    let v = plant_link(&env, "tokens/token.json");
    let r = env.run_cmd(pinned(&env, &["accounts"]));
    assert_untouched(&v);
    assert_ne!(r.code, 0, "refused: {}", r.stderr);
    assert!(r.stderr.contains("symbolic link"), "{}", r.stderr);
}

#[cfg(unix)]
#[test]
fn a_log_file_planted_as_a_symlink_is_not_written_through() {
    let env = Env::new();
    let v = plant_link(&env, "logs/bmsdesk.log");
    let log = env.home().join("logs/bmsdesk.log");
    let cfg = env.home().join("bmsdesk.toml");
    std::fs::write(
        &cfg,
        format!("log_file = {:?}\n", log.display().to_string()),
    )
    .unwrap();
    let mut c = pinned(&env, &["accounts"]);
    c.env("BMS_CONFIG", &cfg).env("BMSDESK_LOG", "debug");
    let r = env.run_cmd(c).ok();
    assert_untouched(&v);
    assert!(
        r.stderr.contains("symbolic link"),
        "the user is told: {}",
        r.stderr
    );
}

/// Runs `c` and gives up (killing it) after `limit`: a hang is a failure, not a stuck suite.
#[cfg(unix)]
fn run_bounded(mut c: std::process::Command, limit: std::time::Duration) -> Option<Run> {
    use std::io::Read;
    c.stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    let deadline = std::time::Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let (mut out, mut err) = (String::new(), String::new());
            child
                .stdout
                .take()
                .unwrap()
                .read_to_string(&mut out)
                .unwrap();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            return Some(Run {
                code: status.code().unwrap_or(-1),
                stdout: out,
                stderr: err,
            });
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[cfg(unix)]
fn mkfifo(p: &Path) {
    use std::os::unix::ffi::OsStrExt;
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    let c = std::ffi::CString::new(p.as_os_str().as_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
}

#[cfg(unix)]
#[test]
fn a_fifo_at_the_token_or_cache_path_is_refused_without_hanging() {
    let limit = std::time::Duration::from_secs(30);
    let env = Env::new();
    mkfifo(&env.home().join("tokens/token.json"));
    let r = run_bounded(pinned(&env, &["accounts"]), limit).expect("no hang on a token FIFO");
    assert_ne!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("not a regular file"), "{}", r.stderr);

    let env = Env::new();
    mkfifo(&env.home().join("cache/cache.json"));
    let r = run_bounded(pinned(&env, &["accounts"]), limit).expect("no hang on a cache FIFO");
    assert_eq!(r.code, 0, "the cache is rebuilt: {}", r.stderr);
}

/// Every child process we start goes through the one helper that removes secrets from its
/// environment.
#[test]
fn every_child_process_is_started_without_secrets_in_its_environment() {
    let mut offenders = Vec::new();
    for p in files_under(Path::new(env!("CARGO_MANIFEST_DIR")).join("src").as_path()) {
        if p.extension() != Some("rs".as_ref()) || p.ends_with("child_env.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&p).unwrap();
        if text.contains("Command::new(") {
            offenders.push(p.display().to_string());
        }
    }
    assert!(offenders.is_empty(), "use config::child_env: {offenders:?}");
}
