//! `bmsdesk doctor` against simulator tenants that differ in each point it measures, and
//! the client's behaviour once it has: the report, its `--json` shape and exit code, the
//! stored capabilities, and what later commands do with them.

use crate::cli_support;

use bmsdesk_sim::{self as sim, Faults, SimConfig};
use cli_support::{Env, Run};
use serde_json::Value;

fn doctor(env: &Env, extra: &[&str]) -> Run {
    let mut args = vec!["doctor", "--json"];
    args.extend_from_slice(extra);
    env.run(&args)
}

/// The check named `name` in a `--json` report.
fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no check {name} in {report:#}"))
}

fn mark<'a>(report: &'a Value, name: &str) -> &'a str {
    check(report, name)["mark"].as_str().expect("mark")
}

fn found(report: &Value, name: &str) -> String {
    check(report, name)["found"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The capabilities file doctor saved, as JSON.
fn saved(env: &Env) -> Value {
    let files = env.files_named("capabilities.json");
    assert_eq!(files.len(), 1, "{files:?}");
    serde_json::from_slice(&std::fs::read(&files[0]).expect("read")).expect("json")
}

/// The profile config at `$HOME/config.toml` with `body`, for `args`.
fn with_config(env: &Env, body: &str, args: &[&str]) -> Run {
    let path = env.home().join("config.toml");
    std::fs::write(&path, body).expect("config written");
    let mut c = env.cmd(args);
    c.env("BMS_CONFIG", &path);
    env.run_cmd(c)
}

fn small() -> SimConfig {
    SimConfig {
        tickets: 200,
        accounts: 12,
        ..SimConfig::default()
    }
}

#[test]
fn the_json_report_has_every_check_and_its_capabilities_are_saved() {
    let env = Env::with(small());
    let r = doctor(&env, &[]).ok();
    let report = r.json();
    for key in [
        "profile",
        "api_base",
        "tenant",
        "ok",
        "blocking",
        "warnings",
        "checks",
        "capabilities",
        "capabilities_file",
    ] {
        assert!(report.get(key).is_some(), "no {key} in {report:#}");
    }
    assert_eq!(report["ok"], true);
    assert_eq!(report["blocking"], serde_json::json!([]));
    for c in report["checks"].as_array().unwrap() {
        for key in ["section", "name", "mark", "found"] {
            assert!(c[key].is_string(), "{key} in {c}");
        }
        assert!(
            ["ok", "warn", "fail", "info"].contains(&c["mark"].as_str().unwrap()),
            "{c}"
        );
    }
    for name in [
        "sign-in",
        "user",
        "api-access",
        "token-lifetime",
        "server-clock",
        "tenant-zone",
        "ticket-times",
        "note-types",
        "ticket-types",
        "sources",
        "page-size",
        "comma-filters",
        "sort",
        "this-run",
        "this-hour",
        "tui-polling",
    ] {
        assert_ne!(mark(&report, name), "fail", "{name}: {report:#}");
    }
    assert!(found(&report, "sign-in").contains("password only"));
    assert!(found(&report, "user").contains(&sim::DEMO_USER_ID.to_string()));
    // The note types come with their values.
    let types = check(&report, "note-types")["values"].as_array().unwrap();
    assert!(
        types
            .iter()
            .any(|t| t["name"] == "General" && t["default"] == true)
    );
    assert_eq!(
        check(&report, "sources")["values"]
            .as_array()
            .unwrap()
            .len(),
        10
    );
    // The TUI's polling names the search.
    assert!(found(&report, "tui-polling").contains("POST /v2/servicedesk/tickets/search"));

    // A small request count, and the report says it.
    let used = check(&report, "this-run")["values"].as_object().unwrap();
    let total: u64 = used.values().map(|v| v.as_u64().unwrap()).sum();
    assert!(total <= 14, "{used:?}");
    assert!(found(&report, "this-run").starts_with(&format!("{total} requests")));

    // What it measured is on disk, as reported.
    let caps = saved(&env);
    assert_eq!(caps, report["capabilities"]);
    assert_eq!(caps["user_id"], sim::DEMO_USER_ID);
    assert_eq!(caps["tenant_zone"], "UTC");
    assert_eq!(caps["splits_commas"], true);
    assert_eq!(caps["sort_accepted"], true);
    assert_eq!(caps["lookups"]["note_types"], true);
    assert_eq!(caps["max_page_size"], Value::Null, "no cap below 500");
    let lifetime = caps["token_lifetime_secs"].as_i64().unwrap();
    assert!((880..=900).contains(&lifetime), "{lifetime}");
    assert_eq!(
        report["capabilities_file"]
            .as_str()
            .map(std::path::PathBuf::from),
        Some(env.files_named("capabilities.json")[0].clone())
    );
    // Read-only: nothing was audited.
    assert!(env.audit_lines().is_empty());
    // The note types it read are cached: a note then needs no lookup.
    env.sim.state().reset_stats();
    let ticket = env.sim.state().read(|t| t.tickets[0].id).to_string();
    env.run(&["notes", "add", &ticket, "-m", "typed from the cache"])
        .ok();
    assert_eq!(
        env.sim
            .state()
            .stats()
            .count("GET /v2/system/lookup/NoteType"),
        0
    );
}

#[test]
fn the_text_report_marks_each_line_and_says_what_was_saved() {
    let env = Env::with(small());
    let r = env.run(&["doctor"]).ok();
    assert!(
        r.stdout.contains("Sign-in\n  ✓ sign-in: password only"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Paging and filters\n"), "{}", r.stdout);
    assert!(r.stdout.contains("  · this-run: "), "{}", r.stdout);
    assert!(
        r.stdout.contains("Saved what was measured to "),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.trim_end().ends_with("Result: ready (0 warnings)."),
        "{}",
        r.stdout
    );
}

#[test]
fn a_page_capped_tenant_is_measured_and_every_list_then_reads_all_rows() {
    let env = Env::with(SimConfig {
        tickets: 200,
        accounts: 40,
        max_page_size: 30,
        ..SimConfig::default()
    });
    // Before doctor the client finds the cap the hard way, and says so.
    let before = env.run(&["accounts", "--json", "--refresh"]).ok();
    assert!(
        before.stderr.contains("at most 30 rows per page"),
        "{}",
        before.stderr
    );

    let r = doctor(&env, &[]).ok();
    let report = r.json();
    assert_eq!(mark(&report, "page-size"), "warn");
    assert!(
        found(&report, "page-size").contains("at most 30 rows"),
        "{report:#}"
    );
    assert!(
        check(&report, "page-size")["action"]
            .as_str()
            .unwrap()
            .contains("asks for 30")
    );
    assert_eq!(saved(&env)["max_page_size"], 30);

    // Lists without a total (accounts) are read to the end by pages of 30...
    let active = env
        .sim
        .state()
        .read(|t| t.accounts.iter().filter(|a| a.active).count());
    assert!(active > 30, "{active}");
    env.sim.state().reset_stats();
    let after = env.run(&["accounts", "--json", "--refresh"]).ok();
    assert_eq!(after.json().as_array().unwrap().len(), active);
    assert!(!after.stderr.contains("rows per page"), "{}", after.stderr);
    assert_eq!(
        env.sim.state().stats().count("GET /v2/crm/accounts/lookup"),
        active.div_ceil(30) as u64
    );
    // ...and so is the ticket search.
    let tickets = env
        .run(&["tickets", "list", "--include-completed", "--json"])
        .ok()
        .json();
    assert_eq!(tickets.as_array().unwrap().len(), 200);
    // The searches after doctor asked for pages of 30.
    let stats = env.sim.state().stats();
    assert!(
        stats.count("POST /v2/servicedesk/tickets/search") >= 7,
        "{stats:?}"
    );
}

#[test]
fn a_tenant_that_does_not_split_commas_is_measured_and_multi_status_lists_still_find_both() {
    let env = Env::with(SimConfig {
        splits_commas: false,
        ..small()
    });
    let report = doctor(&env, &[]).ok().json();
    assert_eq!(mark(&report, "comma-filters"), "warn");
    assert!(
        found(&report, "comma-filters").starts_with("not split"),
        "{report:#}"
    );
    assert_eq!(saved(&env)["splits_commas"], false);

    let count = |status: &str| {
        env.run(&[
            "tickets",
            "list",
            "--status",
            status,
            "--include-completed",
            "--json",
        ])
        .ok()
        .json()
        .as_array()
        .unwrap()
        .len()
    };
    let (new, in_progress) = (count("New"), count("In Progress"));
    assert!(new > 0 && in_progress > 0, "{new} {in_progress}");
    assert_eq!(count("New,In Progress"), new + in_progress);
}

#[test]
fn on_a_tenant_that_splits_commas_doctor_lets_several_statuses_go_in_one_search() {
    let env = Env::with(small());
    let searches = |env: &Env| {
        env.sim.state().reset_stats();
        let rows = env
            .run(&["tickets", "list", "--status", "New,In Progress", "--json"])
            .ok()
            .json();
        let n = env
            .sim
            .state()
            .stats()
            .count("POST /v2/servicedesk/tickets/search");
        (rows.as_array().unwrap().len(), n)
    };
    // Unmeasured, bmsdesk assumes commas are not split: a search per status.
    let (rows_before, before) = searches(&env);
    assert_eq!(before, 2);
    let report = doctor(&env, &[]).ok().json();
    assert_eq!(mark(&report, "comma-filters"), "ok");
    assert_eq!(saved(&env)["splits_commas"], true);
    let (rows_after, after) = searches(&env);
    assert_eq!((rows_after, after), (rows_before, 1));
}

#[test]
fn a_tenant_that_refuses_sort_is_measured_and_lists_still_work() {
    let env = Env::with(SimConfig {
        sort_accepted: false,
        ..small()
    });
    let report = doctor(&env, &[]).ok().json();
    assert!(found(&report, "sort").contains("is refused"), "{report:#}");
    assert_eq!(saved(&env)["sort_accepted"], false);
    // bmsdesk never sends Sort: lists are unaffected, sorted here.
    let due = env
        .run(&["tickets", "list", "--sort", "due", "--json"])
        .ok()
        .json();
    assert!(!due.as_array().unwrap().is_empty());
}

#[test]
fn a_tenant_without_a_note_type_table_blocks_notes_until_the_profile_names_one() {
    let env = Env::with(SimConfig {
        note_types: None,
        ..small()
    });
    let r = doctor(&env, &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let report = r.json();
    assert_eq!(report["ok"], false);
    assert_eq!(report["blocking"], serde_json::json!(["note-types"]));
    let nt = check(&report, "note-types");
    assert!(
        nt["found"].as_str().unwrap().contains("no note-type table"),
        "{nt}"
    );
    assert!(
        nt["action"].as_str().unwrap().contains("note_type = ID"),
        "{nt}"
    );
    // The types the tenant's notes use are offered as a hint.
    assert!(
        nt["values"].as_array().is_some_and(|v| !v.is_empty()),
        "{nt}"
    );
    assert!(r.stderr.contains("blocked by note-types"), "{}", r.stderr);
    assert_eq!(saved(&env)["lookups"]["note_types"], false);

    // The client now knows: a note is refused without asking for the table again.
    let ticket = env.sim.state().read(|t| t.tickets[0].id).to_string();
    env.sim.state().reset_stats();
    let refused = env.run(&["notes", "add", &ticket, "-m", "typeless"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("doctor` found no note-type list"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        env.sim
            .state()
            .stats()
            .count("GET /v2/system/lookup/NoteType"),
        0
    );

    // With note_type in the profile, doctor is satisfied (a caveat, not a block).
    let ok = with_config(&env, "note_type = 3\n", &["doctor", "--json"])
        .ok()
        .json();
    assert_eq!(mark(&ok, "note-types"), "warn");
    assert!(
        check(&ok, "note-types")["action"]
            .as_str()
            .unwrap()
            .contains("note_type = 3")
    );
}

#[test]
fn tenants_at_utc_minus_5_and_plus_10_are_measured_and_the_zone_is_used_when_userinfo_is_down() {
    for zone in ["America/Bogota", "Australia/Brisbane"] {
        let tz: chrono_tz::Tz = zone.parse().unwrap();
        let env = Env::with(SimConfig {
            tenant_zone: tz,
            generated_at: Some(bmsdesk_core::clock::pin_for_tests()),
            ..small()
        });
        let c = env.cmd_in_zone(&["doctor", "--json"], "Europe/Berlin");
        let report = env.run_cmd(c).ok().json();
        assert_eq!(mark(&report, "tenant-zone"), "ok", "{zone}");
        assert!(
            found(&report, "tenant-zone").starts_with(zone),
            "{report:#}"
        );
        assert_eq!(mark(&report, "ticket-times"), "ok", "{zone}: {report:#}");
        assert_eq!(saved(&env)["tenant_zone"], zone);

        // A later command that cannot ask userinfo (it fails, the sign-in is new) still
        // writes in the tenant's zone: the one doctor measured.
        for token in env.files_named("token.json") {
            std::fs::remove_file(token).unwrap();
        }
        env.sim.state().set_faults(Faults {
            server_error: 1.0,
            path_contains: Some("/security/userinfo".into()),
            ..Faults::default()
        });
        let ticket = env.sim.state().read(|t| t.tickets[0].id);
        let ts = ticket.to_string();
        let config = env.home().join("config.toml");
        std::fs::write(&config, "max_retries = 0\n").unwrap();
        let note = |text: &str| {
            let mut c = env.cmd_in_zone(
                &["notes", "add", &ts, "-m", text, "--json"],
                "Europe/Berlin",
            );
            c.env("BMS_CONFIG", &config);
            env.run_cmd(c)
        };
        // Without what doctor measured, no time goes out in a guessed zone: refused.
        let caps = env.files_named("capabilities.json").remove(0);
        std::fs::rename(&caps, caps.with_extension("aside")).unwrap();
        let refused = note("zone unknown");
        assert_ne!(refused.code, 0, "{zone}: {}", refused.stdout);
        std::fs::rename(caps.with_extension("aside"), &caps).unwrap();
        let added = note("zone from doctor").ok().json();
        let id = added["id"].as_i64().unwrap();
        let stored = env
            .sim
            .state()
            .notes(ticket)
            .into_iter()
            .find(|n| n.id == id)
            .expect("stored");
        let now = bmsdesk_core::clock::now();
        let off = (stored.created_on.unwrap() - now).num_seconds().abs();
        assert!(off <= 5, "{zone}: the note's date is {off} s off");
    }
}

#[test]
fn a_profile_zone_that_is_not_the_tenants_is_reported() {
    let env = Env::with(SimConfig {
        tenant_zone: chrono_tz::Australia::Brisbane,
        generated_at: Some(bmsdesk_core::clock::pin_for_tests()),
        ..small()
    });
    let report = with_config(&env, "tenant_timezone = \"UTC\"\n", &["doctor", "--json"])
        .ok()
        .json();
    assert_eq!(mark(&report, "tenant-zone"), "warn");
    assert!(found(&report, "tenant-zone").contains("the server says Australia/Brisbane"));
    // Read as UTC, Brisbane's naive times land ten hours in the server's future.
    assert_eq!(mark(&report, "ticket-times"), "warn", "{report:#}");
    assert!(
        found(&report, "ticket-times").contains("future"),
        "{report:#}"
    );
}

#[test]
fn an_mfa_user_needs_a_code_and_doctor_says_how_to_give_it() {
    let mut env = Env::with(small());
    env.user = sim::MFA_USER.to_string();
    let r = doctor(&env, &[]);
    assert_eq!(r.code, 3, "{}\n{}", r.stdout, r.stderr);
    let report = r.json();
    assert_eq!(report["blocking"], serde_json::json!(["sign-in"]));
    assert!(
        check(&report, "sign-in")["action"]
            .as_str()
            .unwrap()
            .contains("--mfa-code")
    );
    assert_eq!(report["capabilities"], Value::Null);
    assert!(
        env.files_named("capabilities.json").is_empty(),
        "nothing measured, nothing saved"
    );

    let ok = doctor(&env, &["--mfa-code", sim::MFA_CODE]).ok().json();
    assert!(found(&ok, "sign-in").contains("MFA code"), "{ok:#}");
    assert_eq!(saved(&env)["user_id"], sim::MFA_USER_ID);
}

#[test]
fn a_skewed_server_clock_is_measured_and_the_write_test_still_reads_back_right() {
    let env = Env::with(SimConfig {
        faults: Faults {
            clock_skew_secs: 600,
            ..Faults::default()
        },
        ..small()
    });
    let ticket = env.sim.state().read(|t| t.tickets[0].id);
    let report = doctor(&env, &["--write-test", &ticket.to_string()])
        .ok()
        .json();
    assert_eq!(mark(&report, "server-clock"), "warn");
    let offset = check(&report, "server-clock")["values"]["offset_secs"]
        .as_i64()
        .unwrap();
    assert!((598..=602).contains(&offset), "{offset}");
    assert!(found(&report, "server-clock").contains("10 min ahead"));
    assert_eq!(mark(&report, "write-test.date"), "ok", "{report:#}");
}

#[test]
fn the_write_test_adds_reads_and_deletes_one_note_and_audits_both_writes() {
    let env = Env::with(small());
    let ticket = env.sim.state().read(|t| t.tickets[3].id);
    let before = env.sim.state().notes(ticket);
    let r = env
        .run(&["doctor", "--write-test", &ticket.to_string()])
        .ok();
    for step in ["ticket", "add", "read", "author", "date", "delete", "gone"] {
        assert!(
            r.stdout.contains(&format!("  ✓ write-test.{step}: ")),
            "{step}:\n{}",
            r.stdout
        );
    }
    // Gone afterwards: the ticket has the notes it had.
    assert_eq!(env.sim.state().notes(ticket), before);
    // Both writes are in the audit log, as every other write is.
    let audit = env.audit_lines();
    let commands: Vec<&str> = audit
        .iter()
        .map(|l| l["command"].as_str().unwrap())
        .collect();
    assert_eq!(commands, vec!["notes.add", "notes.delete"], "{audit:#?}");
    assert!(audit.iter().all(|l| l["status"] == "ok"), "{audit:#?}");
    let added = audit[0]["result"]["id"].as_i64().unwrap();
    assert_eq!(audit[1]["args_sanitized"]["note_id"], added, "{audit:#?}");
    // Not left in the outbox to be sent later.
    let outbox = env.run(&["outbox", "list", "--json"]).ok().json();
    assert_eq!(outbox.as_array().map(Vec::len), Some(0), "{outbox}");
}

#[test]
fn a_write_test_on_a_missing_ticket_blocks_and_writes_nothing() {
    let env = Env::with(small());
    let r = doctor(&env, &["--write-test", "99"]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report = r.json();
    assert_eq!(report["blocking"], serde_json::json!(["write-test.ticket"]));
    assert!(env.audit_lines().is_empty());
}

#[test]
fn a_user_whose_role_may_not_use_the_api_is_blocked() {
    let env = Env::with(SimConfig {
        faults: Faults {
            unauthorized: 1.0,
            path_contains: Some("/servicedesk/".into()),
            ..Faults::default()
        },
        ..small()
    });
    let r = doctor(&env, &[]);
    assert_eq!(r.code, 1, "{}\n{}", r.stdout, r.stderr);
    let report = r.json();
    assert_eq!(report["blocking"], serde_json::json!(["api-access"]));
    assert!(
        check(&report, "api-access")["action"]
            .as_str()
            .unwrap()
            .contains("Has API Access")
    );
}

#[test]
fn doctor_help_says_what_blocks() {
    let env = Env::with(small());
    let r = env.run(&["doctor", "--help"]).ok();
    for words in [
        "Blocking",
        "exit 1",
        "exit 3",
        "--write-test",
        "1,500 per hour",
    ] {
        assert!(r.stdout.contains(words), "{words}:\n{}", r.stdout);
    }
}

#[test]
fn without_a_password_doctor_uses_the_saved_sign_in_and_says_it_did_not_try_one() {
    let env = Env::with(small());
    env.run(&["login"]).ok();
    let mut c = env.cmd(&["doctor", "--json"]);
    c.env_remove("BMS_PASSWORD");
    let report = env.run_cmd(c).ok().json();
    assert_eq!(mark(&report, "sign-in"), "warn");
    assert!(
        found(&report, "sign-in").contains("saved sign-in"),
        "{report:#}"
    );
    // The rest is measured as usual; the token's lifetime is not (only what is left of it).
    assert_eq!(mark(&report, "page-size"), "ok");
    assert!(
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["name"] != "token-lifetime")
    );
    assert_eq!(saved(&env)["token_lifetime_secs"], Value::Null);

    // With neither, it cannot sign in: exit 3 and nothing saved over.
    let _ = std::fs::remove_file(env.files_named("token.json").remove(0));
    let mut c = env.cmd(&["doctor", "--json"]);
    c.env_remove("BMS_PASSWORD");
    let r = env.run_cmd(c);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert_eq!(r.json()["blocking"], serde_json::json!(["sign-in"]));
    assert_eq!(
        saved(&env)["user_id"],
        sim::DEMO_USER_ID,
        "the earlier measurement is kept"
    );
}
