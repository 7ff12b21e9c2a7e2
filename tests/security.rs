//! No secret leaks: a whole CLI session (sign-in with password and MFA code, reads, every kind
//! of write, an outage and the outbox, a token refresh) run with `BMSDESK_LOG=trace`, then
//! every file under HOME and every byte printed is searched for the password, the MFA code
//! and each access/refresh token (tokens may be in the token file, nothing else). Also: files
//! 0600 and folders 0700, and TLS verification never turned off.

mod cli_support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use bmsdesk::api::{ClientOptions, Credentials, Secret};
use bmsdesk::sim::{self, Faults, SimConfig};
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
        ..SimConfig::default()
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
    let cfg = bmsdesk::config::Config::from_toml(
        "api_base = \"us\"\n",
        None,
        bmsdesk::config::Dirs::under(tmp.path()),
    )
    .unwrap();
    let profile = cfg.resolve(None, &env).unwrap();
    let client = bmsdesk::api::Client::new(opts.clone()).unwrap();
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
    assert!(bmsdesk::api::resolve_base_url("http://bms.example.com").is_err());
    assert!(bmsdesk::api::resolve_base_url("http://127.0.0.1:9").is_ok());
    assert!(bmsdesk::api::resolve_base_url("https://bms.example.com").is_ok());
}
