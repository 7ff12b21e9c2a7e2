//! Sign-in through the real binary: login, whoami, logout, bad credentials, MFA, token expiry,
//! and that no secret ever lands in a file other than the token file.

use crate::cli_support;

use cli_support::{Env, short_ttl};

#[test]
fn login_stores_a_private_token_and_whoami_reports_the_user() {
    let env = Env::new();
    let run = env.run(&["login", "--json"]).ok();
    let v = run.json();
    assert_eq!(v["signed_in"], true);
    let token_file = std::path::PathBuf::from(v["token_file"].as_str().expect("token file path"));
    assert!(
        token_file.starts_with(env.home()),
        "token file under HOME: {token_file:?}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&token_file)
            .expect("token file exists")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // whoami without a password works from the saved token.
    let mut cmd = env.cmd(&["whoami", "--json"]);
    cmd.env_remove("BMS_PASSWORD");
    let who = env.run_cmd(cmd).ok().json();
    assert_eq!(
        who["user"]["fullName"].as_str().map(|s| !s.is_empty()),
        Some(true),
        "{who}"
    );

    let out = env.run(&["logout"]).ok();
    assert!(out.stdout.contains("signed out"));
    assert!(!token_file.exists());
}

#[test]
fn bad_password_exits_3_with_the_server_message() {
    let mut env = Env::new();
    env.password = "wrong".into();
    let run = env.run(&["accounts"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("sign-in refused"), "{}", run.stderr);
    assert!(
        !run.stderr.contains("wrong"),
        "password echoed: {}",
        run.stderr
    );
}

#[test]
fn no_credentials_and_no_token_is_an_auth_error_that_says_what_to_do() {
    let env = Env::new();
    let mut cmd = env.cmd(&["tickets", "list"]);
    cmd.env_remove("BMS_PASSWORD");
    let run = env.run_cmd(cmd);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("bmsdesk login"), "{}", run.stderr);
}

#[test]
fn mfa_user_needs_a_code() {
    let mut env = Env::new();
    env.user = bmsdesk_sim::MFA_USER.into();
    let run = env.run(&["login"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.to_lowercase().contains("mfa"), "{}", run.stderr);
    let run = env.run(&["login", "--mfa-code", "000000"]);
    assert_eq!(run.code, 3, "wrong code refused: {}", run.stderr);
    env.run(&["login", "--mfa-code", bmsdesk_sim::MFA_CODE])
        .ok();
    let mut cmd = env.cmd(&["accounts", "--json"]);
    cmd.env("BMS_MFA_CODE", bmsdesk_sim::MFA_CODE);
    env.run_cmd(cmd).ok();
}

#[test]
fn expired_access_token_is_refreshed_transparently() {
    let env = Env::with(short_ttl());
    env.run(&["login"]).ok();
    let token_path = env.home().join(".local/share");
    let before = env.all_files_text();
    std::thread::sleep(std::time::Duration::from_millis(2500));
    let mut cmd = env.cmd(&["lookup", "statuses", "--json"]);
    cmd.env_remove("BMS_PASSWORD");
    let run = env.run_cmd(cmd).ok();
    assert!(run.json().as_array().is_some_and(|a| !a.is_empty()));
    let after = env.all_files_text();
    assert_ne!(
        before, after,
        "the refreshed token was saved under {token_path:?}"
    );
}

#[test]
fn http_to_a_remote_host_is_refused() {
    let env = Env::new();
    let mut cmd = env.cmd(&["accounts"]);
    cmd.env("BMS_API_BASE", "http://bms.example.com");
    let run = env.run_cmd(cmd);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("https"), "{}", run.stderr);
}

#[test]
fn tokens_never_reach_audit_log_cache_or_output() {
    let env = Env::new();
    let login = env.run(&["login", "--json"]).ok();
    let created = env.run(&[
        "tickets",
        "create",
        "--json",
        "--title",
        "Secret scan",
        "--details",
        "checking",
        "--account",
        &env.first_account().0.to_string(),
        "--priority",
        "High",
        "--type",
        "Incident",
        "--source",
        "Phone",
        "--queue",
        "Help Desk",
    ]);
    let id = created.json()["id"]
        .as_i64()
        .expect("created id")
        .to_string();
    let note = env.run(&["notes", "add", &id, "-m", "note text"]).ok();
    let token = bmsdesk_bms::TokenStore::new(find_token_file(&env))
        .load()
        .expect("token saved");
    let everything_but_token: String = env
        .all_files_text()
        .split("== ")
        .filter(|f| !f.contains("token.json"))
        .collect();
    assert!(!env.audit_lines().is_empty(), "writes were audited");
    for secret in [token.access_token.as_str(), token.refresh_token.as_str()] {
        assert!(
            !everything_but_token.contains(secret),
            "a token leaked into a file"
        );
        for run in [&login, &created, &note] {
            assert!(
                !run.stdout.contains(secret) && !run.stderr.contains(secret),
                "a token was printed"
            );
        }
    }
}

fn find_token_file(env: &Env) -> std::path::PathBuf {
    env.files_named("token.json")
        .pop()
        .expect("a token.json under HOME")
}

// ----- secret commands: no inherited secrets, a timeout, bounded output -----

/// A config file with these keys.
fn commands_config(env: &Env, keys: &str) -> std::path::PathBuf {
    let cfg = env.home().join("commands.toml");
    std::fs::write(&cfg, keys).unwrap();
    cfg
}

fn shell_quote(p: &std::path::Path) -> String {
    format!("'{}'", p.display())
}

#[test]
fn secret_commands_do_not_inherit_bms_password_or_mfa_code() {
    let mut env = Env::new();
    env.user = bmsdesk_sim::MFA_USER.into();
    let seen = env.home().join("mfa-env.txt");
    // The MFA command runs while BMS_PASSWORD is set.
    let cfg = commands_config(
        &env,
        &format!(
            "mfa_command = \"env > {} ; echo {}\"\n",
            shell_quote(&seen),
            bmsdesk_sim::MFA_CODE
        ),
    );
    let mut c = env.cmd(&["login"]);
    c.env("BMS_CONFIG", &cfg);
    env.run_cmd(c).ok();
    let text = std::fs::read_to_string(&seen).unwrap();
    assert!(!text.contains("BMS_PASSWORD"), "{text}");
    assert!(
        text.contains("BMS_TENANT"),
        "other variables are kept: {text}"
    );

    // The password command runs while BMS_MFA_CODE is set.
    let seen = env.home().join("pw-env.txt");
    let cfg = commands_config(
        &env,
        &format!(
            "password_command = \"env > {} ; echo {}\"\n",
            shell_quote(&seen),
            bmsdesk_sim::DEMO_PASSWORD
        ),
    );
    let mut c = env.cmd(&["login"]);
    c.env("BMS_CONFIG", &cfg)
        .env_remove("BMS_PASSWORD")
        .env("BMS_MFA_CODE", bmsdesk_sim::MFA_CODE);
    env.run_cmd(c).ok();
    let text = std::fs::read_to_string(&seen).unwrap();
    assert!(!text.contains("BMS_MFA_CODE"), "{text}");
}

#[test]
fn login_reads_the_mfa_code_from_stdin_when_given_a_dash() {
    use std::io::Write;
    let mut env = Env::new();
    env.user = bmsdesk_sim::MFA_USER.into();
    let mut c = env.cmd(&["login", "--mfa-code", "-"]);
    c.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    writeln!(child.stdin.take().unwrap(), "{}", bmsdesk_sim::MFA_CODE).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs a login whose password comes from `command` under the 1 s limit.
fn login_with_password_command(env: &Env, command: &str) -> cli_support::Run {
    let cfg = commands_config(
        env,
        &format!("secret_command_timeout_secs = 1\npassword_command = {command:?}\n"),
    );
    let mut c = env.cmd(&["login"]);
    c.env("BMS_CONFIG", &cfg).env_remove("BMS_PASSWORD");
    env.run_cmd(c)
}

/// The run failed and its error names every one of `words`.
#[track_caller]
fn assert_fails_saying(r: &cli_support::Run, words: &[&str]) {
    assert_ne!(r.code, 0, "{}", r.stderr);
    for w in words {
        assert!(r.stderr.contains(w), "{w:?} missing: {}", r.stderr);
    }
}

#[test]
fn a_hanging_password_command_is_stopped_at_its_timeout() {
    let env = Env::new();
    let r = login_with_password_command(&env, "sleep 600");
    assert_fails_saying(&r, &["password_command", "did not finish within 1 s"]);
}

/// Whether `pid` is gone (or a zombie waiting for a parent that never reaps).
#[cfg(unix)]
fn process_gone(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => (unsafe { libc::kill(pid, 0) }) != 0,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
    }
}

#[cfg(unix)]
#[test]
fn a_password_command_whose_child_holds_stdout_is_killed_with_its_children() {
    let env = Env::new();
    let pidfile = env.home().join("daemon.pid");
    let r = login_with_password_command(
        &env,
        &format!(
            "sleep 600 & echo $! > {}; echo {}",
            shell_quote(&pidfile),
            bmsdesk_sim::DEMO_PASSWORD
        ),
    );
    assert_fails_saying(&r, &["did not finish within 1 s"]);
    let pid: i32 = std::fs::read_to_string(&pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !process_gone(pid) {
        assert!(
            std::time::Instant::now() < deadline,
            "the daemon child {pid} was left running"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn a_password_command_printing_without_end_is_cut_off() {
    let env = Env::new();
    let r = login_with_password_command(&env, "yes");
    assert_fails_saying(&r, &["password_command", "64 KiB"]);
}
