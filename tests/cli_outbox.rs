//! The real binary during outages: writes are queued (exit 1, "queued as outbox item N"),
//! `outbox retry` delivers them exactly once, `kill -9` at any moment loses nothing, and
//! conflicts stay visible until dropped.

use crate::cli_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bmsdesk_sim::Faults;
use cli_support::{Env, Run};
use serde_json::Value;

const NOTES_POST: &str = "POST /v2/servicedesk/tickets/{id}/notes";

/// Short timeouts and few retries, so an outage is noticed quickly.
fn env_with(timeout_secs: u64) -> (Env, PathBuf) {
    let env = Env::new();
    let cfg = env.home().join("bmsdesk.toml");
    std::fs::write(
        &cfg,
        format!("timeout_secs = {timeout_secs}\nmax_retries = 1\n"),
    )
    .unwrap();
    (env, cfg)
}

fn cmd(env: &Env, cfg: &Path, args: &[&str]) -> Command {
    let mut c = env.cmd(args);
    c.env("BMS_CONFIG", cfg);
    c
}

fn run(env: &Env, cfg: &Path, args: &[&str]) -> Run {
    env.run_cmd(cmd(env, cfg, args))
}

fn ticket(env: &Env, n: usize) -> i64 {
    env.sim.state().read(|t| t.tickets[n].id)
}

fn copies(env: &Env, ticket: i64, marker: &str) -> usize {
    env.sim
        .state()
        .notes(ticket)
        .iter()
        .filter(|n| n.details.contains(marker))
        .count()
}

/// Item files in every `outbox` folder under HOME.
fn outbox_files(home: &Path) -> Vec<PathBuf> {
    fn walk(p: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(p).into_iter().flatten().flatten() {
            let path = e.path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.parent().and_then(|d| d.file_name()) == Some("outbox".as_ref())
                && path.extension() == Some("json".as_ref())
            {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(home, &mut out);
    out
}

fn list(env: &Env, cfg: &Path) -> Vec<Value> {
    run(env, cfg, &["outbox", "list", "--json"])
        .ok()
        .json()
        .as_array()
        .cloned()
        .unwrap()
}

fn outage() -> Faults {
    Faults {
        reset: 1.0,
        ..Default::default()
    }
}

#[test]
fn a_write_during_an_outage_is_queued_and_retry_delivers_it_once() {
    let (env, cfg) = env_with(3);
    run(&env, &cfg, &["login"]).ok();
    let t = ticket(&env, 0).to_string();
    assert!(list(&env, &cfg).is_empty());

    env.sim.state().set_faults(outage());
    // The tenant's note types cannot be looked up during the outage, so the notes name their
    // type by id: a guessed type (the client's old `0`) is refused by a tenant without it.
    let r = run(
        &env,
        &cfg,
        &["notes", "add", &t, "-m", "outage note q1", "--type", "1"],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("queued as outbox item 1") && r.stderr.contains("bmsdesk outbox retry"),
        "{}",
        r.stderr
    );
    let r = run(
        &env,
        &cfg,
        &[
            "notes",
            "add",
            &t,
            "-m",
            "outage note q2",
            "--json",
            "--type",
            "1",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    let v = r.json();
    assert_eq!(v["queued"], true);
    assert_eq!(v["outbox_item"], 2);

    let items = list(&env, &cfg);
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["state"], "pending");
    assert_eq!(items[0]["command"], "notes.add");
    assert!(
        items[0]["operation"]
            .as_str()
            .unwrap()
            .contains("outage note q1")
    );
    assert!(
        items[0]["last_error"]
            .as_str()
            .unwrap()
            .contains("cannot reach")
    );
    let shown = run(&env, &cfg, &["outbox", "list"]).ok().stdout;
    assert!(
        shown.contains("outage note q1") && shown.contains("pending"),
        "{shown}"
    );

    // Still down: retry keeps them and says so.
    let r = run(&env, &cfg, &["outbox", "retry"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("still pending"), "{}", r.stdout);
    assert_eq!(list(&env, &cfg).len(), 2);

    env.sim.state().clear_faults();
    let r = run(&env, &cfg, &["outbox", "retry"]).ok();
    assert!(r.stdout.contains("outbox item 1 delivered"), "{}", r.stdout);
    assert!(r.stdout.contains("outbox item 2 delivered"), "{}", r.stdout);
    assert!(list(&env, &cfg).is_empty());
    let t: i64 = t.parse().unwrap();
    assert_eq!(copies(&env, t, "outage note q1"), 1);
    assert_eq!(copies(&env, t, "outage note q2"), 1);
    assert!(outbox_files(env.home()).is_empty());
    // Nothing left: retry is a no-op.
    assert!(
        run(&env, &cfg, &["outbox", "retry"])
            .ok()
            .stderr
            .contains("nothing pending")
    );
}

#[test]
fn a_ticket_created_during_an_outage_is_created_once() {
    let (env, cfg) = env_with(3);
    let account = env.sim.state().read(|t| t.accounts[2].id).to_string();
    let create = |title: &str| {
        run(
            &env,
            &cfg,
            &[
                "tickets",
                "create",
                "--title",
                title,
                "--details",
                "Scanner jammed",
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
        )
    };
    // Warm the name caches while the server is up.
    create("Before the outage").ok();
    env.sim.state().set_faults(outage());
    let r = create("Made during the outage");
    assert_eq!(r.code, 1, "{}", r.stderr);
    // Item 1 was the first create, delivered at once: numbers are never given twice.
    assert!(r.stderr.contains("queued as outbox item 2"), "{}", r.stderr);
    env.sim.state().clear_faults();
    run(&env, &cfg, &["outbox", "retry"]).ok();
    let n = env.sim.state().read(|t| {
        t.tickets
            .iter()
            .filter(|r| !r.deleted && &*r.title == "Made during the outage")
            .count()
    });
    assert_eq!(n, 1);
}

/// Spawns the binary, waits for `ready`, then `kill -9`s it.
fn kill_when(env: &Env, cfg: &Path, args: &[&str], ready: impl Fn() -> bool) {
    let mut child = cmd(env, cfg, args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while !ready() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the write never got under way"
        );
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the command finished before it could be killed: {status}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
}

#[test]
fn kill_9_while_the_reply_is_awaited_loses_and_duplicates_nothing() {
    let (env, cfg) = env_with(30);
    run(&env, &cfg, &["login"]).ok();
    let t = ticket(&env, 1);
    // The server adds the note and then holds the reply: the process is killed while it
    // waits, after the server acted.
    env.sim.state().set_faults(Faults {
        stall: 1.0,
        stall_ms: 60_000,
        methods: vec!["POST".into()],
        path_contains: Some("/notes".into()),
        ..Default::default()
    });
    let home = env.home().to_path_buf();
    kill_when(
        &env,
        &cfg,
        &["notes", "add", &t.to_string(), "-m", "killed k1"],
        || copies(&env, t, "killed k1") == 1 && outbox_files(&home).len() == 1,
    );
    let items = list(&env, &cfg);
    assert_eq!(items.len(), 1, "the write survived the kill");
    assert_eq!(items[0]["maybe_sent"], true);
    env.sim.state().clear_faults();
    env.sim.state().reset_stats();
    run(&env, &cfg, &["outbox", "retry"]).ok();
    assert_eq!(copies(&env, t, "killed k1"), 1, "not duplicated");
    assert_eq!(
        env.sim.state().stats().count(NOTES_POST),
        0,
        "found on the server, not sent again"
    );
    assert!(list(&env, &cfg).is_empty());
}

#[test]
fn kill_9_while_waiting_out_refusals_loses_nothing() {
    let (env, cfg) = env_with(30);
    run(&env, &cfg, &["login"]).ok();
    let t = ticket(&env, 2);
    // The server refuses (503, Retry-After 5 s): the process sleeps between attempts.
    env.sim.state().set_faults(Faults {
        unavailable: 1.0,
        retry_after_secs: 5,
        methods: vec!["POST".into()],
        path_contains: Some("/notes".into()),
        ..Default::default()
    });
    let home = env.home().to_path_buf();
    kill_when(
        &env,
        &cfg,
        &["notes", "add", &t.to_string(), "-m", "killed k2"],
        || env.sim.state().stats().count(NOTES_POST) >= 1 && outbox_files(&home).len() == 1,
    );
    assert_eq!(copies(&env, t, "killed k2"), 0);
    assert_eq!(list(&env, &cfg).len(), 1, "the write survived the kill");
    env.sim.state().clear_faults();
    run(&env, &cfg, &["outbox", "retry"]).ok();
    assert_eq!(copies(&env, t, "killed k2"), 1);
    assert!(list(&env, &cfg).is_empty());
}

#[test]
fn a_conflict_stays_listed_until_dropped() {
    let (env, cfg) = env_with(3);
    run(&env, &cfg, &["login"]).ok();
    let t = ticket(&env, 3);
    env.sim.state().set_faults(outage());
    let r = run(
        &env,
        &cfg,
        &["notes", "add", &t.to_string(), "-m", "for a gone ticket"],
    );
    assert_eq!(r.code, 1);
    env.sim.state().clear_faults();
    env.block_on(async {
        let c = env.client();
        c.delete_ticket(t).await.unwrap();
    });

    let r = run(&env, &cfg, &["outbox", "retry"]);
    assert_eq!(r.code, 1);
    assert!(r.stdout.contains("kept as a conflict"), "{}", r.stdout);
    let items = list(&env, &cfg);
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["state"], "conflict");
    let msg = items[0]["last_error"].as_str().unwrap().to_lowercase();
    assert!(msg.contains("not found"), "{msg}");

    let dropped = run(&env, &cfg, &["outbox", "drop", "1", "--json"])
        .ok()
        .json();
    assert_eq!(dropped["dropped"]["id"], 1);
    assert!(list(&env, &cfg).is_empty());
    assert_eq!(run(&env, &cfg, &["outbox", "drop", "1"]).code, 2);
    let audit = env.audit_lines();
    let cmds: Vec<&str> = audit.iter().filter_map(|l| l["command"].as_str()).collect();
    assert_eq!(
        cmds,
        ["notes.add", "notes.add", "outbox.drop"],
        "queued, conflict, dropped"
    );
}

#[test]
fn kill_9_while_waiting_for_another_sender_loses_nothing() {
    let (env, cfg) = env_with(3);
    let state = env.home().join("state");
    let run_in = |args: &[&str]| {
        let mut c = cmd(&env, &cfg, args);
        c.env("BMS_STATE_DIR", &state);
        env.run_cmd(c)
    };
    run_in(&["login"]).ok();
    let t = ticket(&env, 4);
    // Another bmsdesk (here: this test) is busy sending the outbox.
    let outbox = bmsdesk_core::store::outbox::Outbox::new(state.join("default/outbox"));
    let held = outbox.try_lock().unwrap().expect("the lock is free");
    let mut c = cmd(
        &env,
        &cfg,
        &["notes", "add", &t.to_string(), "-m", "killed k3"],
    );
    c.env("BMS_STATE_DIR", &state)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = c.spawn().unwrap();
    let started = Instant::now();
    while outbox.list().is_empty() {
        assert!(started.elapsed() < Duration::from_secs(20), "never stored");
        assert!(child.try_wait().unwrap().is_none(), "finished too early");
        std::thread::sleep(Duration::from_millis(10));
    }
    // Stored before waiting for the lock: killed while it waits, the write is still there.
    child.kill().unwrap();
    child.wait().unwrap();
    drop(held);
    assert_eq!(outbox.list().len(), 1);
    assert_eq!(copies(&env, t, "killed k3"), 0);
    run_in(&["outbox", "retry"]).ok();
    assert_eq!(copies(&env, t, "killed k3"), 1);
    assert!(outbox.list().is_empty());
}

#[test]
fn a_status_change_during_an_outage_is_queued_with_a_warning_and_delivered_later() {
    let (env, cfg) = env_with(3);
    run(&env, &cfg, &["login"]).ok();
    let (t, in_progress) = env.sim.state().read(|tn| {
        let to = tn.refs.status_id("In Progress");
        let rec = tn
            .tickets
            .iter()
            .find(|r| !r.deleted && r.status_id != to && r.completed.is_none())
            .expect("an open ticket not in progress");
        (rec.id, to)
    });
    let (id, to) = (t.to_string(), in_progress.to_string());

    env.sim.state().set_faults(outage());
    let r = run(&env, &cfg, &["tickets", "patch", &id, "/StatusId", &to]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("warning: cannot read") && r.stderr.contains(&format!("ticket {t} now")),
        "the unchecked rules are named: {}",
        r.stderr
    );
    assert!(r.stderr.contains("queued as outbox item 1"), "{}", r.stderr);

    // An assignment needs the current status: without it, say how to queue it anyway.
    let assign = |extra: &[&str]| {
        let mut args = vec!["tickets", "assign", id.as_str()];
        args.extend_from_slice(extra);
        run(&env, &cfg, &args)
    };
    let r = assign(&["--queue", "1", "--details", "over"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("pass --status"), "{}", r.stderr);
    assert_eq!(list(&env, &cfg).len(), 1, "nothing half-queued");
    // With ids for everything, it is queued although nothing can be looked up.
    let queue = env.sim.state().read(|tn| tn.refs.queue_id("Projects"));
    let queue_id = queue.to_string();
    let r = assign(&[
        "--queue",
        &queue_id,
        "--status",
        &to,
        "--details",
        "over",
        "--type",
        "1",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("queued as outbox item 2"), "{}", r.stderr);
    let r = assign(&["--queue", "Projects", "--status", &to, "--details", "x"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("give the queue id instead"),
        "{}",
        r.stderr
    );

    env.sim.state().clear_faults();
    let r = run(&env, &cfg, &["outbox", "retry"]).ok();
    assert!(r.stdout.contains("outbox item 1 delivered"), "{}", r.stdout);
    assert!(r.stdout.contains("outbox item 2 delivered"), "{}", r.stdout);
    let now = env.sim.state().read(|tn| {
        tn.tickets
            .iter()
            .find(|r| r.id == t)
            .map(|r| (r.status_id, r.queue_id))
    });
    assert_eq!(now, Some((in_progress, Some(queue))));
}

#[test]
fn outbox_retry_clears_the_draft_a_delivered_note_was_sent_from() {
    use bmsdesk_core::store::drafts::{DraftStore, NoteDraft};
    use bmsdesk_core::store::outbox::Outbox;
    let (env, cfg) = env_with(3);
    run(&env, &cfg, &["login"]).ok();
    let t = ticket(&env, 4);
    env.sim.state().set_faults(outage());
    let r = run(
        &env,
        &cfg,
        // The note type by id: it cannot be looked up during the outage.
        &[
            "notes",
            "add",
            &t.to_string(),
            "-m",
            "typed d1",
            "--type",
            "1",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    // What a TUI killed mid-send leaves: the item names the draft it was typed in.
    let files = outbox_files(env.home());
    let outbox_dir = files[0].parent().unwrap();
    let drafts = DraftStore::new(outbox_dir.parent().unwrap().join("drafts"));
    let draft = NoteDraft::new(t, "typed d1");
    drafts.save(&draft).unwrap();
    let outbox = Outbox::new(outbox_dir);
    let mut item = outbox.get(1).unwrap();
    item.draft = Some(draft.key());
    outbox.save(&item).unwrap();

    env.sim.state().clear_faults();
    let r = run(&env, &cfg, &["outbox", "retry"]).ok();
    assert!(r.stdout.contains("outbox item 1 delivered"), "{}", r.stdout);
    assert_eq!(copies(&env, t, "typed d1"), 1);
    assert!(
        drafts.load(t).is_none(),
        "the next TUI start shows no unsent draft"
    );
}
