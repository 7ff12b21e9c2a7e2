//! Sign-in through the real binary: login, whoami, logout, bad credentials, MFA, token expiry,
//! and that no secret ever lands in a file other than the token file.

mod cli_support;

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
    env.user = bmsdesk::sim::MFA_USER.into();
    let run = env.run(&["login"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.to_lowercase().contains("mfa"), "{}", run.stderr);
    let run = env.run(&["login", "--mfa-code", "000000"]);
    assert_eq!(run.code, 3, "wrong code refused: {}", run.stderr);
    env.run(&["login", "--mfa-code", bmsdesk::sim::MFA_CODE])
        .ok();
    let mut cmd = env.cmd(&["accounts", "--json"]);
    cmd.env("BMS_MFA_CODE", bmsdesk::sim::MFA_CODE);
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
    let token = bmsdesk::api::TokenStore::new(find_token_file(&env))
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
