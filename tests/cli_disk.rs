//! The real binary on a broken disk and with out-of-range input: a sign-in that cannot be
//! saved is a warning, a write that can neither be queued nor sent says it was NOT saved, a
//! folder planted where the outbox's lock file belongs is named, and far-off dates are refused.
//! Tests run as root, so paths are broken by planting a regular file where a folder belongs
//! (or a folder where a file belongs), never by permissions.

use crate::cli_support;

use std::path::{Path, PathBuf};

use bmsdesk_sim::{Faults, SimConfig};
use cli_support::{Env, Run};

fn small_env() -> Env {
    Env::with(SimConfig {
        tickets: 300,
        accounts: 12,
        ..cli_support::config()
    })
}

/// Short timeouts and one retry, so an outage is noticed quickly.
fn config(env: &Env) -> PathBuf {
    let cfg = env.home().join("bmsdesk.toml");
    std::fs::write(&cfg, "timeout_secs = 3\nmax_retries = 1\n").unwrap();
    cfg
}

fn run(env: &Env, state: &Path, args: &[&str]) -> Run {
    let mut c = env.cmd(args);
    c.env("BMS_CONFIG", config(env)).env("BMS_STATE_DIR", state);
    env.run_cmd(c)
}

fn ticket(env: &Env) -> String {
    env.sim.state().read(|t| t.tickets[0].id).to_string()
}

#[test]
fn a_sign_in_that_cannot_be_saved_is_a_warning_and_the_read_goes_on() {
    let env = small_env();
    let blocker = env.home().join("blocker");
    std::fs::write(&blocker, "a file where the token's folder belongs").unwrap();
    let mut c = env.cmd(&["lookup", "statuses", "--json"]);
    c.env("BMS_TOKEN_FILE", blocker.join("token.json"));
    let r = env.run_cmd(c);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.json().as_array().map(Vec::len), Some(8));
    assert!(
        r.stderr.contains("warning:") && r.stderr.contains("could not be saved"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_write_that_can_neither_be_queued_nor_sent_says_it_was_not_saved() {
    let env = small_env();
    let state = env.home().join("state");
    run(&env, &state, &["login"]).ok();
    let t = ticket(&env);
    // The outbox folder cannot be made: a regular file holds its name.
    std::fs::create_dir_all(state.join("default")).unwrap();
    std::fs::write(state.join("default/outbox"), "not a folder").unwrap();
    env.sim.state().set_faults(Faults {
        reset: 1.0,
        ..Default::default()
    });
    let r = run(
        &env,
        &state,
        &["notes", "add", &t, "-m", "lost on a full disk"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("NOT") && r.stderr.contains("saved"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("could NOT be queued") && r.stderr.contains("outbox"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("queued as outbox item"), "{}", r.stderr);
}

#[test]
fn a_folder_where_the_outbox_lock_belongs_is_named_not_taken_for_a_busy_sender() {
    let env = small_env();
    let state = env.home().join("state");
    run(&env, &state, &["login"]).ok();
    let t = ticket(&env);
    let lock = state.join("default/outbox/.lock");
    std::fs::create_dir_all(&lock).unwrap();
    let r = run(
        &env,
        &state,
        &["notes", "add", &t, "-m", "behind a planted lock"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        !r.stderr.contains("another bmsdesk is sending"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&lock.display().to_string()) && r.stderr.contains("remove it"),
        "{}",
        r.stderr
    );
    // `outbox retry` names it too, and keeps the write.
    let r = run(&env, &state, &["outbox", "retry"]);
    assert!(
        r.stdout.contains(&lock.display().to_string()) && r.stdout.contains("still pending"),
        "{}\n{}",
        r.stdout,
        r.stderr
    );
    assert!(!r.stderr.contains("another bmsdesk"), "{}", r.stderr);
    // Kept, not lost: once the path is fixed, retry delivers it.
    std::fs::remove_dir(&lock).unwrap();
    run(&env, &state, &["outbox", "retry"]).ok();
    let id: i64 = t.parse().unwrap();
    let landed = env
        .sim
        .state()
        .notes(id)
        .iter()
        .filter(|n| n.details.contains("behind a planted lock"))
        .count();
    assert_eq!(landed, 1);
}

#[test]
fn time_logs_in_year_9999_or_year_1_are_refused() {
    let env = small_env();
    let t = ticket(&env);
    let id: i64 = t.parse().unwrap();
    let logs = || env.block_on(env.client().time_logs(id)).unwrap().len();
    let before = logs();
    for date in ["9999-12-31", "0001-01-01"] {
        let r = env.run(&[
            "time", "add", &t, "--date", date, "--start", "09:00", "--end", "09:30",
        ]);
        assert_eq!(r.code, 2, "{date}: {}", r.stderr);
        assert!(r.stderr.contains("out of range"), "{date}: {}", r.stderr);
    }
    let after = logs();
    assert_eq!(before, after, "nothing was logged");
}

#[test]
fn a_list_cut_short_by_its_server_is_a_warning_on_stderr() {
    // The default tenant: more open tickets than one page holds.
    let env = Env::new();
    env.sim.state().set_faults(Faults {
        repeat_pages: true,
        hide_total: true,
        path_contains: Some("tickets/search".into()),
        ..Default::default()
    });
    let r = env.run(&["tickets", "list", "--json"]).ok();
    assert_eq!(r.json().as_array().map(Vec::len), Some(100));
    assert!(
        r.stderr.contains("warning:") && r.stderr.contains("ignore paging"),
        "{}",
        r.stderr
    );
}
