//! The CLI on tenants whose lookup tables differ from the standard simulated tenant's: no
//! `NoteType` table, other note types, other ticket sources. Whatever the client cannot
//! know, it must not guess silently: a note or ticket either goes out with the tenant's own
//! ids or is refused with a message that says what is wrong.

use crate::cli_support;

use bmsdesk_sim::{Named, SimConfig};
use cli_support::{Env, config};

fn named(id: i64, name: &'static str, is_default: bool) -> Named {
    Named {
        id,
        name,
        is_default,
    }
}

fn some_ticket(env: &Env) -> i64 {
    env.sim.state().read(|t| t.tickets[3].id)
}

fn notes_with(env: &Env, ticket: i64, text: &str) -> Vec<bmsdesk_core::model::Note> {
    env.sim
        .state()
        .notes(ticket)
        .into_iter()
        .filter(|n| n.details.contains(text))
        .collect()
}

#[test]
fn a_tenant_without_a_note_type_table_gets_no_guessed_type() {
    let env = Env::with(SimConfig {
        note_types: None,
        ..config()
    });
    let t = some_ticket(&env);
    let id = t.to_string();
    let r = env.run(&["notes", "add", &id, "-m", "untyped n1"]);
    assert_ne!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr.to_lowercase().contains("note type"),
        "the message names the note type: {}",
        r.stderr
    );
    assert!(
        notes_with(&env, t, "untyped n1").is_empty(),
        "nothing landed"
    );
    // The type given by id goes out as given.
    env.run(&["notes", "add", &id, "-m", "typed n2", "--type", "3"])
        .ok();
    let n = notes_with(&env, t, "typed n2");
    assert_eq!(n.len(), 1);
    assert_eq!(n[0].type_id, Some(3));
    // A name cannot be looked up: said so, nothing sent.
    let r = env.run(&["notes", "add", &id, "-m", "named n3", "--type", "Email"]);
    assert_ne!(r.code, 0);
    assert!(!r.stderr.is_empty());
    assert!(notes_with(&env, t, "named n3").is_empty());
}

#[test]
fn a_tenant_with_its_own_note_types_gets_them() {
    let env = Env::with(SimConfig {
        note_types: Some(vec![
            named(71, "Call", false),
            named(72, "Internal update", true),
        ]),
        ..config()
    });
    let t = some_ticket(&env);
    let id = t.to_string();
    env.run(&["notes", "add", &id, "-m", "default d1"]).ok();
    let n = notes_with(&env, t, "default d1");
    assert_eq!(n[0].type_id, Some(72), "the tenant's default type");
    env.run(&["notes", "add", &id, "-m", "call d2", "--type", "call"])
        .ok();
    assert_eq!(notes_with(&env, t, "call d2")[0].type_id, Some(71));
    // The standard tenant's type 1 is not this tenant's: refused before sending.
    let r = env.run(&["notes", "add", &id, "-m", "std d3", "--type", "1"]);
    assert_eq!(r.code, 2, "a usage error: {}", r.stderr);
    assert!(r.stderr.contains("Call"), "says what exists: {}", r.stderr);
    assert!(notes_with(&env, t, "std d3").is_empty());
}

#[test]
fn a_tenant_with_other_sources_refuses_a_guessed_one_with_its_message() {
    let env = Env::with(SimConfig {
        sources: Some(vec![named(11, "Web", false), named(12, "Phone line", true)]),
        ..config()
    });
    let before = env.sim.state().ticket_count();
    let (account, _) = env.first_account();
    let r = env.run(&[
        "tickets",
        "create",
        "--title",
        "source s1",
        "--details",
        "x",
        "--account",
        &account.to_string(),
        "--priority",
        "High",
        "--type",
        "Incident",
        "--source",
        "Phone",
        "--queue",
        "Help Desk",
    ]);
    // The client's built-in source list says Phone is 1; this tenant has no source 1.
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(r.stderr.contains("SourceId 1"), "{}", r.stderr);
    assert_eq!(env.sim.state().ticket_count(), before, "nothing created");
    // The tenant's own id goes through, and the ticket shows the tenant's name for it.
    let v = env
        .run(&[
            "tickets",
            "create",
            "--json",
            "--title",
            "source s2",
            "--details",
            "x",
            "--account",
            &account.to_string(),
            "--priority",
            "High",
            "--type",
            "Incident",
            "--source",
            "12",
            "--queue",
            "Help Desk",
        ])
        .ok()
        .json();
    let id = v["id"].as_i64().expect("created");
    let t = env.sim.state().ticket(id).expect("on the server");
    assert_eq!(t.source_name.as_deref(), Some("Phone line"));
}
