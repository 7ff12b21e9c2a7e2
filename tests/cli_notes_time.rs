//! `bmsdesk notes …` and `bmsdesk time …`.

use crate::cli_support;

use std::io::Write;

use cli_support::Env;

fn some_ticket(env: &Env) -> i64 {
    let v = env
        .run(&["tickets", "list", "--json", "--limit", "1"])
        .ok()
        .json();
    v[0]["id"].as_i64().expect("a ticket")
}

#[test]
fn note_lifecycle_with_audit() {
    let env = Env::new();
    let t = some_ticket(&env).to_string();
    let added = env
        .run(&["notes", "add", &t, "-m", "Called the user <back>", "--json"])
        .ok()
        .json();
    let note_id = added["id"].as_i64().expect("note id");
    let list = env.run(&["notes", "list", &t, "--json"]).ok().json();
    let found = list
        .as_array()
        .expect("array")
        .iter()
        .find(|n| n["id"].as_i64() == Some(note_id))
        .cloned()
        .expect("listed");
    assert_eq!(found["isInternal"], true, "internal by default");
    assert!(
        found["details"]
            .as_str()
            .is_some_and(|d| d.contains("&lt;back&gt;"))
    );
    let shown = env
        .run(&["notes", "get", &t, &note_id.to_string()])
        .ok()
        .stdout;
    assert!(shown.contains("Called the user <back>"), "{shown}");

    env.run(&[
        "notes",
        "update",
        &t,
        "--note",
        &note_id.to_string(),
        "-m",
        "Called back, fixed",
        "--external",
    ])
    .ok();
    let n = env
        .block_on(env.client().note(t.parse().expect("id"), note_id))
        .expect("note");
    assert!(n.details.contains("Called back, fixed"));
    assert_eq!(n.is_internal, Some(false));

    env.run(&["notes", "delete", &t, &note_id.to_string(), "--yes"])
        .ok();
    assert_eq!(env.run(&["notes", "get", &t, &note_id.to_string()]).code, 1);
    let audit = env.audit_lines();
    let cmds: Vec<&str> = audit.iter().filter_map(|l| l["command"].as_str()).collect();
    assert_eq!(cmds, ["notes.add", "notes.update", "notes.delete"]);
    assert!(
        audit[2]["revert_info"]["details"]
            .as_str()
            .is_some_and(|d| d.contains("Called back, fixed"))
    );
    assert!(
        audit[1]["revert_info"]["details"]
            .as_str()
            .is_some_and(|d| d.contains("&lt;back&gt;"))
    );
}

#[test]
fn note_text_from_stdin_and_empty_text_refused() {
    let env = Env::new();
    let t = some_ticket(&env).to_string();
    let mut cmd = env.cmd(&["notes", "add", &t, "--json"]);
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"from a pipe\nsecond line\n")
        .expect("write");
    let out = child.wait_with_output().expect("wait");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(
        v["details"]
            .as_str()
            .is_some_and(|d| d.contains("from a pipe") && d.contains("second line"))
    );
    let empty = env.run(&["notes", "add", &t, "-m", "   "]);
    assert_eq!(empty.code, 2);
}

/// The UTC wall-clock time (`HH:MM:SS`) of the laptop's `hh_mm` today.
fn on_the_tenants_clock(hh_mm: &str) -> String {
    let day = bmsdesk_core::clock::local_now().date_naive();
    let time = chrono::NaiveTime::parse_from_str(hh_mm, "%H:%M").expect("a test time");
    bmsdesk_core::clock::from_local(day.and_time(time))
        .format("%H:%M:%S")
        .to_string()
}

#[test]
fn time_add_and_list() {
    let env = Env::new();
    let t = some_ticket(&env).to_string();
    let added = env
        .run(&[
            "time",
            "add",
            &t,
            "--start",
            "09:00",
            "--end",
            "09:45",
            "-m",
            "Remote session",
            "--json",
        ])
        .ok()
        .json();
    assert!(added["id"].as_i64().is_some_and(|i| i > 0));
    let logs = env.run(&["time", "list", &t, "--json"]).ok().json();
    let log = logs
        .as_array()
        .expect("array")
        .iter()
        .find(|l| l["id"] == added["id"])
        .cloned()
        .expect("listed");
    // `--start 09:00` is the laptop's 09:00 today; the server keeps it on its tenant's wall
    // clock (the simulator's tenant is at UTC): the same unless the laptop is elsewhere.
    assert_eq!(log["startTime"], on_the_tenants_clock("09:00"));
    assert_eq!(log["endTime"], on_the_tenants_clock("09:45"));
    assert!((log["timespent"].as_f64().unwrap_or(0.0) - 0.75).abs() < 1e-9);
    // 10:00 to 09:00 would be 23 hours: a swapped pair, refused with the reason.
    let bad = env.run(&["time", "add", &t, "--start", "10:00", "--end", "09:00"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("check --start and --end"),
        "{}",
        bad.stderr
    );
    assert!(env.audit_lines().iter().any(|l| l["command"] == "time.add"));
}

#[test]
fn time_across_midnight_is_one_entry_per_day() {
    let env = Env::new();
    let t = some_ticket(&env).to_string();
    let args = [
        "time",
        "add",
        &t,
        "--date",
        "2026-11-05",
        "--start",
        "23:30",
        "--end",
        "00:45",
        "-m",
        "Overnight outage",
    ];
    // Midnight is the tenant's (UTC in the simulator): the laptop is put in the same zone, so
    // 23:30–00:45 crosses it whatever zone the run is pinned to.
    let in_utc = |args: &[&str]| env.run_cmd(env.cmd_in_zone(args, "UTC"));
    let text = in_utc(&args).ok();
    assert_eq!(text.stdout.lines().count(), 2, "{}", text.stdout);
    assert!(
        text.stdout.contains("2026-11-05 23:30:00–23:59:59"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains("2026-11-06 00:00:00–00:45:00"),
        "{}",
        text.stdout
    );
    let mut json_args = args.to_vec();
    json_args[4] = "2026-11-06";
    json_args.push("--json");
    let added = in_utc(&json_args).ok().json();
    assert_eq!(added.as_array().map(Vec::len), Some(2), "{added}");

    let logs = env.run(&["time", "list", &t, "--json"]).ok().json();
    let overnight: Vec<(String, String, String, f64)> = logs
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["notes"].as_str().is_some_and(|n| n.contains("Overnight")))
        .map(|l| {
            (
                l["startDate"].as_str().unwrap_or("")[..10].to_string(),
                l["startTime"].as_str().unwrap_or("").to_string(),
                l["endTime"].as_str().unwrap_or("").to_string(),
                l["timespent"].as_f64().unwrap_or(0.0),
            )
        })
        .collect();
    let total: f64 = overnight.iter().map(|o| o.3).sum();
    assert_eq!(overnight.len(), 4, "{overnight:?}");
    assert!(
        (total - 2.5).abs() < 1e-9,
        "75 minutes twice: {overnight:?}"
    );
    assert!(overnight.contains(&(
        "2026-11-06".into(),
        "00:00:00".into(),
        "00:45:00".into(),
        0.75
    )));
    assert!(overnight.contains(&(
        "2026-11-05".into(),
        "23:30:00".into(),
        "23:59:59".into(),
        0.5
    )));
}

/// `time add --start 09:00 --end 10:00` is 09:00 on the laptop (Berlin, UTC+1 in December):
/// the server (New York, UTC-5; Brisbane, UTC+10) stores its own wall clock for that
/// instant, on its own day.
#[test]
fn time_add_lands_at_the_laptops_instant_on_a_tenant_in_another_zone() {
    for (zone, morning, afternoon) in [
        // 08:00Z: 03:00 in New York. 14:30Z: 09:30 in New York.
        (
            chrono_tz::America::New_York,
            ("2026-12-02", "03:00:00", "04:00:00"),
            ("2026-12-02", "09:30:00", "10:30:00"),
        ),
        // 08:00Z: 18:00 in Brisbane. 14:30Z: 00:30 the next day in Brisbane.
        (
            chrono_tz::Australia::Brisbane,
            ("2026-12-02", "18:00:00", "19:00:00"),
            ("2026-12-03", "00:30:00", "01:30:00"),
        ),
    ] {
        let env = Env::with(bmsdesk_sim::SimConfig {
            tenant_zone: zone,
            ..cli_support::config()
        });
        let t = some_ticket(&env).to_string();
        for ((day, start, end), (from, to)) in [
            (morning, ("09:00", "10:00")),
            (afternoon, ("15:30", "16:30")),
        ] {
            let c = env.cmd_in_zone(
                &[
                    "time",
                    "add",
                    &t,
                    "--date",
                    "2026-12-02",
                    "--start",
                    from,
                    "--end",
                    to,
                    "--json",
                ],
                "Europe/Berlin",
            );
            let added = env.run_cmd(c).ok().json();
            let id = added["id"].as_i64().expect("a time log");
            let logs = env.sim.state().time_logs(t.parse().unwrap());
            let log = logs.iter().find(|l| l.id == id).expect("stored");
            assert_eq!(
                (
                    log.start_date.map(|d| d.to_string()),
                    log.start_time.as_deref(),
                    log.end_time.as_deref()
                ),
                (Some(day.to_string()), Some(start), Some(end)),
                "{zone}: {from}-{to} in Berlin"
            );
        }
    }
}

/// The profile config at `$HOME/config.toml` with `body`, for commands run with [`with_config`].
fn with_config(env: &Env, body: &str, args: &[&str]) -> cli_support::Run {
    let path = env.home().join("config.toml");
    std::fs::write(&path, body).expect("config written");
    let mut c = env.cmd(args);
    c.env("BMS_CONFIG", &path);
    env.run_cmd(c)
}

#[test]
fn a_tenant_without_note_types_refuses_a_note_until_one_is_named() {
    let env = Env::new();
    let t = some_ticket(&env);
    let before = env.sim.state().note_count(t);
    env.sim
        .state()
        .write(|tenant| tenant.refs.note_types.clear());
    let ts = t.to_string();
    let r = env.run(&["notes", "add", &ts, "-m", "no type known", "--refresh"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("note types are unknown"), "{}", r.stderr);
    assert!(r.stderr.contains("list is empty"), "{}", r.stderr);
    assert!(r.stderr.contains("note_type = ID"), "{}", r.stderr);
    assert_eq!(env.sim.state().note_count(t), before, "nothing sent");
}

#[test]
fn the_profiles_note_type_stands_in_when_the_note_type_list_cannot_be_read() {
    let env = Env::new();
    let t = some_ticket(&env);
    let ts = t.to_string();
    // The note-type list is down (and not cached): no made-up type goes out.
    env.sim.state().set_faults(bmsdesk_sim::Faults {
        server_error: 1.0,
        path_contains: Some("/lookup/notetype".into()),
        ..Default::default()
    });
    let r = with_config(
        &env,
        "max_retries = 0\n",
        &["notes", "add", &ts, "-m", "offline type", "--refresh"],
    );
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("cannot be read now"), "{}", r.stderr);

    // With `note_type` in the profile, the list is not needed.
    let added = with_config(
        &env,
        "max_retries = 0\nnote_type = 3\n",
        &["notes", "add", &ts, "-m", "typed by the profile", "--json"],
    )
    .ok()
    .json();
    assert_eq!(added["typeId"], 3);
    // `--type` still wins over the profile.
    env.sim.state().clear_faults();
    let added = with_config(
        &env,
        "note_type = 3\n",
        &[
            "notes",
            "add",
            &ts,
            "-m",
            "typed here",
            "--type",
            "Email",
            "--json",
        ],
    )
    .ok()
    .json();
    assert_eq!(added["typeId"], 2);
}
