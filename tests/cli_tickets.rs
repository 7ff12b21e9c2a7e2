//! `bmsdesk tickets …` through the real binary against the simulator.

use crate::cli_support;

use cli_support::Env;
use serde_json::Value;

#[test]
fn list_filters_by_status_and_limits() {
    let env = Env::new();
    let all = env.run(&["tickets", "list", "--json"]).ok().json();
    let all = all.as_array().expect("array");
    assert!(
        all.len() > 50,
        "demo tenant has open tickets: {}",
        all.len()
    );
    let ids: std::collections::HashSet<i64> = all.iter().filter_map(|t| t["id"].as_i64()).collect();
    assert_eq!(
        ids.len(),
        all.len(),
        "every ticket exactly once across pages"
    );

    let new = env
        .run(&["tickets", "list", "--json", "--status", "new"])
        .ok()
        .json();
    let new = new.as_array().expect("array");
    assert!(!new.is_empty());
    // Name resolved case-insensitively (a name the server sends as null is not shown).
    for t in new {
        let id = t["id"].as_i64().expect("id");
        if env.sim.state().nulled("TicketListDto", id, "StatusName") {
            assert!(t["statusName"].is_null(), "{t}");
        } else {
            assert_eq!(t["statusName"], "New", "{t}");
        }
    }

    let five = env
        .run(&["tickets", "list", "--json", "--limit", "5"])
        .ok()
        .json();
    assert_eq!(five.as_array().map(Vec::len), Some(5));

    let table = env.run(&["tickets", "list", "--limit", "3"]).ok();
    assert!(table.stdout.starts_with("ID"), "{}", table.stdout);
    assert_eq!(table.stdout.lines().count(), 4);

    let bad = env.run(&["tickets", "list", "--status", "Nonexistent"]);
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    assert!(bad.stderr.contains("no status matches"), "{}", bad.stderr);
}

#[test]
fn list_by_assignee_me_and_account() {
    let env = Env::new();
    let mine = env
        .run(&[
            "tickets",
            "list",
            "--json",
            "--assignee",
            "me",
            "--include-completed",
        ])
        .ok()
        .json();
    let me = env.run(&["whoami", "--json"]).ok().json();
    let my_name = me["user"]["fullName"].as_str().expect("name").to_string();
    let mine = mine.as_array().expect("array");
    assert!(!mine.is_empty(), "the demo user has tickets");
    for t in mine {
        let id = t["id"].as_i64().expect("id");
        if env.sim.state().nulled("TicketListDto", id, "AssigneeName") {
            assert!(t["assigneeName"].is_null(), "{t}");
        } else {
            assert_eq!(t["assigneeName"].as_str(), Some(my_name.as_str()), "{t}");
        }
    }

    let (account_id, account_name) = env.first_account();
    let by_account = env
        .run(&["tickets", "list", "--json", "--account", &account_name])
        .ok()
        .json();
    assert!(
        by_account
            .as_array()
            .expect("array")
            .iter()
            .all(|t| t["accountId"].as_i64() == Some(account_id))
    );
}

#[test]
fn get_shows_fields_and_text_not_html() {
    let env = Env::new();
    let created = env.create_ticket("Printer on fire");
    let id = created["id"].as_i64().expect("id").to_string();
    let out = env.run(&["tickets", "get", &id]).ok().stdout;
    assert!(out.contains("Printer on fire"), "{out}");
    assert!(
        out.contains("Line <two> & more"),
        "details converted back to text: {out}"
    );
    assert!(!out.contains("<br"), "{out}");
    let missing = env.run(&["tickets", "get", "99999999"]);
    assert_eq!(missing.code, 1, "{}", missing.stderr);
    assert!(missing.stderr.contains("not found"), "{}", missing.stderr);
}

#[test]
fn create_writes_the_ticket_and_an_audit_line() {
    let env = Env::new();
    let created = env.create_ticket("New laptop for Sam");
    let id = created["id"].as_i64().expect("id");
    let (account_id, _) = env.first_account();
    let t = env
        .block_on(env.client().ticket(id))
        .expect("ticket exists on the server");
    assert_eq!(t.row.title, "New laptop for Sam");
    assert_eq!(t.row.account_id, Some(account_id));
    assert!(
        t.row.location_id.is_some(),
        "main location chosen by default"
    );
    assert_eq!(t.row.priority_name.as_deref(), Some("High"));
    assert_eq!(t.row.status_name.as_deref(), Some("New"), "default status");
    let details = t.details.unwrap_or_default();
    assert!(
        details.contains("&lt;two&gt; &amp; more"),
        "plain text escaped to HTML: {details}"
    );

    let audit = env.audit_lines();
    let line = audit
        .iter()
        .find(|l| l["command"] == "tickets.create")
        .expect("audited");
    assert_eq!(line["status"], "ok");
    assert!(line["timestamp"].is_string());
    assert_eq!(line["args_sanitized"]["Title"], "New laptop for Sam");
}

#[test]
fn create_from_template_with_overrides() {
    let env = Env::new();
    let templates = env
        .run(&["templates", "tickets", "list", "--json"])
        .ok()
        .json();
    let tpl = &templates[0];
    let tpl_id = tpl["id"].as_i64().expect("template id");
    let full = env
        .run(&["templates", "tickets", "get", &tpl_id.to_string(), "--json"])
        .ok()
        .json();
    let (account, _) = env.first_account();
    let created = env
        .run(&[
            "tickets",
            "create",
            "--json",
            "--template-id",
            &tpl_id.to_string(),
            "--account",
            &account.to_string(),
            "--source",
            "Email",
            "--priority",
            "Low",
        ])
        .ok()
        .json();
    assert_eq!(created["title"], full["title"], "title from the template");
    assert_eq!(
        created["priorityName"], "Low",
        "flag overrides the template"
    );
    assert_eq!(created["sourceId"], 4);
}

#[test]
fn create_with_missing_fields_is_refused_before_sending() {
    let env = Env::new();
    let before = env.audit_lines().len();
    let run = env.run(&["tickets", "create", "--title", "Only a title"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("missing details, account, location"),
        "{}",
        run.stderr
    );
    assert_eq!(
        env.audit_lines().len(),
        before,
        "nothing sent, nothing audited"
    );
}

#[test]
fn patch_by_name_records_the_previous_value() {
    let env = Env::new();
    let created = env.create_ticket("Patch me");
    let id = created["id"].as_i64().expect("id");
    let old_status = created["statusId"].as_i64().expect("status");
    let out = env
        .run(&[
            "tickets",
            "patch",
            &id.to_string(),
            "/StatusId",
            "In Progress",
            "/Title",
            "Patched",
        ])
        .ok();
    assert!(out.stdout.contains("In Progress"), "{}", out.stdout);
    let t = env.block_on(env.client().ticket(id)).expect("ticket");
    assert_eq!(t.row.status_name.as_deref(), Some("In Progress"));
    assert_eq!(t.row.title, "Patched");
    let audit = env.audit_lines();
    let line = audit
        .iter()
        .rev()
        .find(|l| l["command"] == "tickets.patch")
        .expect("audited");
    assert_eq!(
        line["revert_info"]["previous"]["/StatusId"].as_i64(),
        Some(old_status)
    );

    let odd = env.run(&["tickets", "patch", &id.to_string(), "/StatusId"]);
    assert_eq!(
        odd.code, 2,
        "odd pair count is a usage error: {}",
        odd.stderr
    );
    let bad = env.run(&["tickets", "patch", &id.to_string(), "/NoSuchField", "1"]);
    assert_eq!(
        bad.code, 1,
        "server refusal is an API error: {}",
        bad.stderr
    );
}

#[test]
fn assign_sets_the_assignee_and_writes_the_note() {
    let env = Env::new();
    let created = env.create_ticket("Assign me");
    let id = created["id"].as_i64().expect("id");
    let assignees = env.run(&["lookup", "assignees", "--json"]).ok().json();
    let tech = assignees[1]["name"].as_str().expect("name").to_string();
    env.run(&[
        "tickets",
        "assign",
        &id.to_string(),
        "--assignee",
        &tech,
        "--details",
        "Over to you",
    ])
    .ok();
    let c = env.client();
    let t = env.block_on(c.ticket(id)).expect("ticket");
    assert_eq!(t.row.assignee_name.as_deref(), Some(tech.as_str()));
    let notes = env.block_on(c.notes(id)).expect("notes");
    assert!(
        notes.iter().any(|n| n.details.contains("Over to you")),
        "{notes:?}"
    );
    let missing = env.run(&["tickets", "assign", &id.to_string(), "--details", "x"]);
    assert_eq!(missing.code, 2);
}

#[test]
fn delete_needs_yes_without_a_terminal_and_keeps_revert_info() {
    let env = Env::new();
    let created = env.create_ticket("Delete me");
    let id = created["id"].as_i64().expect("id").to_string();
    let refused = env.run(&["tickets", "delete", &id]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(refused.stderr.contains("--yes"));
    env.run(&["tickets", "delete", &id, "--yes"]).ok();
    assert_eq!(env.run(&["tickets", "get", &id]).code, 1);
    let audit = env.audit_lines();
    let line = audit
        .iter()
        .find(|l| l["command"] == "tickets.delete")
        .expect("audited");
    assert_eq!(line["revert_info"]["title"], "Delete me");
}

#[test]
fn corrupt_cache_is_ignored_and_rebuilt() {
    let env = Env::new();
    env.run(&["accounts"]).ok();
    let cache_files = env.files_named("cache.json");
    assert_eq!(cache_files.len(), 1, "one cache file written");
    std::fs::write(&cache_files[0], "{\"accounts\": [garbage").expect("corrupt it");
    let accounts = env.run(&["accounts", "--json"]).ok().json();
    assert!(accounts.as_array().is_some_and(|a| !a.is_empty()));
    let text = std::fs::read_to_string(&cache_files[0]).expect("rebuilt");
    assert!(
        serde_json::from_str::<Value>(&text).is_ok(),
        "cache rewritten as valid JSON"
    );
}

#[test]
fn workflow_rules_are_enforced_before_sending() {
    let env = Env::new();
    let created = env.create_ticket("Workflow");
    let id = created["id"].as_i64().expect("id").to_string();
    let before = env.audit_lines().len();
    let refused = env.run(&["tickets", "patch", &id, "/StatusId", "Completed"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("resolution note"),
        "{}",
        refused.stderr
    );
    assert!(
        refused.stderr.contains("notes add"),
        "says how: {}",
        refused.stderr
    );
    let refused = env.run(&["tickets", "patch", &id, "/StatusId", "Escalated"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert_eq!(env.audit_lines().len(), before, "nothing was sent");

    let esc = env
        .run(&[
            "tickets",
            "escalate",
            &id,
            "--reason",
            "Needs the network team",
            "--json",
        ])
        .ok()
        .json();
    assert_eq!(esc["ticket"]["statusName"], "Escalated");
    assert!(
        esc["note"]["details"]
            .as_str()
            .is_some_and(|d| d.contains("Needs the network team"))
    );

    env.run(&[
        "notes",
        "add",
        &id,
        "--status",
        "Completed",
        "-m",
        "Replaced the switch",
    ])
    .ok();
    let t = env
        .block_on(env.client().ticket(id.parse().expect("id")))
        .expect("ticket");
    assert_eq!(t.row.status_name.as_deref(), Some("Completed"));
}

#[test]
fn list_sorted_by_due_and_metrics_agree_with_the_list() {
    let env = Env::new();
    let table = env
        .run(&["tickets", "list", "--sort", "due", "--limit", "5"])
        .ok()
        .stdout;
    assert!(
        table
            .lines()
            .next()
            .is_some_and(|h| h.trim_end().ends_with("DUE")),
        "{table}"
    );
    let first_due = table
        .lines()
        .nth(1)
        .and_then(|l| l.split_whitespace().last())
        .expect("a due cell")
        .to_string();
    assert!(first_due.starts_with('-'), "most overdue first: {table}");
    let all = env.run(&["tickets", "list", "--json"]).ok().json();
    let m = env.run(&["metrics", "--json"]).ok().json();
    assert_eq!(m["total"].as_u64(), all.as_array().map(|a| a.len() as u64));
    let by_status: u64 = m["by_status"]
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| c["count"].as_u64())
        .sum();
    assert_eq!(Some(by_status), m["total"].as_u64());
    let human = env.run(&["metrics"]).ok().stdout;
    assert!(
        human.contains("SLA compliance") && human.contains("QUEUE"),
        "{human}"
    );
}

#[test]
fn several_statuses_list_every_ticket_of_each_on_a_server_that_does_not_split_commas() {
    let env = Env::with(bmsdesk_sim::SimConfig {
        splits_commas: false,
        ..bmsdesk_sim::SimConfig::default()
    });
    let expected: std::collections::BTreeSet<i64> = env.sim.state().read(|t| {
        let ids = [t.refs.status_id("New"), t.refs.status_id("In Progress")];
        t.tickets
            .iter()
            .filter(|r| !r.deleted && ids.contains(&r.status_id))
            .map(|r| r.id)
            .collect()
    });
    assert!(!expected.is_empty());
    let rows = env
        .run(&["tickets", "list", "--status", "new,In Progress", "--json"])
        .ok()
        .json();
    let got: Vec<i64> = rows
        .as_array()
        .expect("array")
        .iter()
        .map(|r| r["id"].as_i64().expect("id"))
        .collect();
    let set: std::collections::BTreeSet<i64> = got.iter().copied().collect();
    assert_eq!(set.len(), got.len(), "each ticket once");
    assert_eq!(set, expected);
    // `--limit` takes the first of the merged searches.
    let few = env
        .run(&[
            "tickets",
            "list",
            "--status",
            "New,In Progress",
            "--limit",
            "3",
            "--json",
        ])
        .ok()
        .json();
    let few = few.as_array().expect("array");
    assert_eq!(few.len(), 3);
    assert!(
        few.iter()
            .all(|r| expected.contains(&r["id"].as_i64().unwrap()))
    );
}
