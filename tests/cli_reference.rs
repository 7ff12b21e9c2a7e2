//! Read-only CLI commands: accounts, locations, contacts, lookups, templates, help.

use crate::cli_support;

use cli_support::Env;

#[test]
fn accounts_locations_and_contacts() {
    let env = Env::new();
    let accounts = env.run(&["accounts", "--json"]).ok().json();
    let accounts = accounts.as_array().expect("array");
    assert!(accounts.len() >= 10);
    let name = accounts[0]["name"].as_str().expect("name");
    let locs = env
        .run(&["locations", "--account", name, "--json"])
        .ok()
        .json();
    let locs = locs.as_array().expect("array");
    assert!(!locs.is_empty());
    assert!(
        locs.iter().all(|l| l["accountId"] == accounts[0]["id"]),
        "locations are account-scoped"
    );
    let table = env
        .run(&["locations", "--account", &accounts[0]["id"].to_string()])
        .ok();
    assert!(table.stdout.starts_with("ID"));
    let contacts = env
        .run(&["contacts", "--account", name, "--json"])
        .ok()
        .json();
    assert!(contacts.as_array().is_some_and(|c| !c.is_empty()));
    let search = env
        .run(&["accounts", "--search", &name[..3], "--json"])
        .ok()
        .json();
    assert!(
        search
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x["name"] == name))
    );
    let nope = env.run(&["locations", "--account", "zzzz-no-such-account"]);
    assert_eq!(nope.code, 2);
}

#[test]
fn every_lookup_lists_something() {
    let env = Env::new();
    for kind in [
        "statuses",
        "priorities",
        "types",
        "sources",
        "queues",
        "assignees",
        "employees",
        "notetypes",
        "worktypes",
        "roles",
    ] {
        let v = env.run(&["lookup", kind, "--json"]).ok().json();
        assert!(v.as_array().is_some_and(|a| !a.is_empty()), "{kind}: {v}");
    }
    let sources = env.run(&["lookup", "sources"]).ok().stdout;
    assert!(sources.contains("Phone") && sources.contains("Email"));
    let bad = env.run(&["lookup", "colours"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr.contains("statuses"),
        "lists the valid kinds: {}",
        bad.stderr
    );
}

#[test]
fn templates_lists() {
    let env = Env::new();
    for args in [
        ["templates", "tickets", "list"],
        ["templates", "notes", "list"],
        ["templates", "timelogs", "list"],
    ] {
        let mut a = args.to_vec();
        a.push("--json");
        let v = env.run(&a).ok().json();
        assert!(v.as_array().is_some_and(|x| !x.is_empty()), "{args:?}");
    }
    let missing = env.run(&["templates", "tickets", "get", "987654"]);
    assert_eq!(missing.code, 1);
}

#[test]
fn help_and_usage_errors() {
    let env = Env::new();
    let help = env.run(&["tickets", "create", "--help"]).ok().stdout;
    for flag in [
        "--template",
        "--account",
        "--location",
        "--status",
        "--queue",
        "--assignee",
    ] {
        assert!(help.contains(flag), "help mentions {flag}");
    }
    let bad = env.run(&["tickets", "frobnicate"]);
    assert_eq!(bad.code, 2);
    let bad = env.run(&["tickets", "get", "not-a-number"]);
    assert_eq!(bad.code, 2);
}
