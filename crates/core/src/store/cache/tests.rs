use super::*;

fn account(id: Id, name: &str) -> Account {
    Account {
        id,
        name: name.into(),
        ..Default::default()
    }
}

fn location(id: Id, name: &str) -> Location {
    Location {
        id,
        name: name.into(),
        ..Default::default()
    }
}

#[test]
fn freshness_follows_the_ttl() {
    let ttl = TimeDelta::hours(24);
    let now = crate::clock::now();
    let at = |t| Cached {
        fetched_at: t,
        value: (),
    };
    assert!(at(now - TimeDelta::hours(1)).is_fresh_at(ttl, now));
    assert!(!at(now - TimeDelta::hours(25)).is_fresh_at(ttl, now));
    assert!(
        !at(now + TimeDelta::hours(2)).is_fresh_at(ttl, now),
        "from the future"
    );
    assert!(!at(now).is_fresh_at(TimeDelta::zero(), now), "ttl 0");
    assert_eq!(
        at(now - TimeDelta::minutes(3)).age(now),
        TimeDelta::minutes(3)
    );
}

#[test]
fn the_cache_or_fetch_rule() {
    let ttl = TimeDelta::hours(1);
    let fresh = Cached::new(1);
    let old = Cached {
        fetched_at: crate::clock::now() - TimeDelta::hours(2),
        value: 2,
    };
    assert!(serve_cached(&fresh, ttl, false));
    assert!(
        !serve_cached(&fresh, ttl, true),
        "a refresh always asks the server"
    );
    assert!(!serve_cached(&old, ttl, false));

    let offline = || ApiError::Transport("connection refused".into());
    let gone = || ApiError::NotFound("account 4".into());
    let got = after_failed_fetch("x", Some(&old), false, offline()).unwrap();
    assert_eq!(got.value, 2, "offline: the stale copy");
    assert!(after_failed_fetch("x", Some(&old), true, offline()).is_err());
    assert!(after_failed_fetch("x", Some(&old), false, gone()).is_err());
    assert!(after_failed_fetch::<&Cached<i32>, i32>("x", None, false, offline()).is_err());
}

#[test]
fn everything_round_trips_through_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("p/cache.json");
    let mut c = Cache::load(&path).scoped("s");
    c.set_accounts(vec![account(1, "Acme"), account(2, "Globex")]);
    c.set_locations(1, vec![location(10, "Main Office")]);
    c.set_locations(2, vec![location(20, "Main Office")]);
    c.set_contacts(
        1,
        vec![Contact {
            id: 30,
            name: "Ann Lee".into(),
            location_id: Some(10),
            ..Default::default()
        }],
    );
    c.set_lookup(
        LookupKind::Statuses,
        vec![LookupItem {
            id: 5,
            name: "New".into(),
            status_order: Some(1),
            ..Default::default()
        }],
    );
    c.set_lookup(LookupKind::NoteTypes, vec![]);
    c.set_ticket_templates(vec![TicketTemplateSummary {
        id: 3,
        name: "Printer".into(),
    }]);
    c.set_note_templates(vec![NoteTemplate {
        id: 4,
        name: "Called".into(),
        is_internal: Some(true),
        ..Default::default()
    }]);
    c.set_timelog_templates(vec![TimeLogTemplate {
        id: 6,
        name: "Remote".into(),
        timespent: Some(0.25),
        ..Default::default()
    }]);
    c.save().unwrap();

    let back = Cache::load(&path).scoped("s");
    assert_eq!(
        back.cached_accounts().unwrap().value,
        c.cached_accounts().unwrap().value
    );
    assert_eq!(
        back.cached_accounts().unwrap().fetched_at,
        c.cached_accounts().unwrap().fetched_at
    );
    let l1 = &back.cached_locations(1).unwrap().value;
    let l2 = &back.cached_locations(2).unwrap().value;
    assert_eq!(
        (l1[0].id, l1[0].account_id, l2[0].id, l2[0].account_id),
        (10, 1, 20, 2),
        "same-named locations stay under their own account"
    );
    assert!(back.cached_locations(3).is_none());
    let cs = &back.cached_contacts(1).unwrap().value;
    assert_eq!((cs[0].id, cs[0].location_id), (30, Some(10)));
    assert!(back.cached_contacts(2).is_none());
    assert_eq!(
        back.cached_lookup(LookupKind::Statuses).unwrap().value[0].status_order,
        Some(1)
    );
    assert!(back.cached_lookup(LookupKind::NoteTypes).is_some());
    assert!(back.cached_lookup(LookupKind::Queues).is_none());
    assert_eq!(
        back.cached_ticket_templates().unwrap().value[0].name,
        "Printer"
    );
    assert_eq!(
        back.cached_note_templates().unwrap().value[0].is_internal,
        Some(true)
    );
    assert_eq!(
        back.cached_timelog_templates().unwrap().value[0].timespent,
        Some(0.25)
    );
}

#[cfg(unix)]
#[test]
fn cache_file_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("cache.json");
    let mut c = Cache::load(&path);
    c.set_accounts(vec![]);
    c.save().unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn damaged_or_foreign_files_give_an_empty_cache() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("cache.json");
    for junk in [
        &b"{not json"[..],
        b"",
        b"[]",
        b"null",
        b"{\"version\": 999, \"accounts\": {\"fetched_at\": \"2025-01-01T00:00:00Z\", \"value\": []}}",
        b"{\"accounts\": {\"fetched_at\": \"2025-01-01T00:00:00Z\", \"value\": []}}",
        b"\xff\xfe\x00garbage",
    ] {
        std::fs::write(&path, junk).unwrap();
        let mut c = Cache::load(&path);
        assert!(c.cached_accounts().is_none(), "{junk:?}");
        c.set_accounts(vec![account(1, "A")]);
        c.save().unwrap();
        assert!(Cache::load(&path).cached_accounts().is_some());
    }
}

#[test]
fn one_bad_part_does_not_lose_the_rest() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("cache.json");
    let now = crate::clock::now().to_rfc3339();
    let text = format!(
        r#"{{"version": {CACHE_VERSION}, "accounts": "oops",
            "locations": {{"7": {{"fetched_at": "{now}", "value": [{{"id": 1, "name": "HQ", "accountId": 7}}]}}}}}}"#
    );
    std::fs::write(&path, text).unwrap();
    let c = Cache::load(&path);
    assert!(c.cached_accounts().is_none());
    assert_eq!(c.cached_locations(7).unwrap().value[0].name, "HQ");
}

#[test]
fn another_tenants_cache_is_dropped() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("cache.json");
    let mut c = Cache::load(&path).scoped("https://a|acme");
    c.set_accounts(vec![account(1, "Acme client")]);
    c.save().unwrap();
    c.save_tickets(&TicketSnapshot {
        fetched_at: crate::clock::now(),
        view: Some("v".into()),
        total: Some(0),
        rows: vec![],
    })
    .unwrap();
    assert!(
        Cache::load(&path)
            .scoped("https://a|acme")
            .cached_accounts()
            .is_some()
    );
    let other = Cache::load(&path).scoped("https://a|globex");
    assert!(other.cached_accounts().is_none());
    assert!(other.load_tickets("v").is_none());
    assert!(other.all_tickets().is_empty());
}

#[test]
fn clear_forgets_everything() {
    let tmp = tempfile::tempdir().unwrap();
    let mut c = Cache::load(tmp.path().join("c.json")).scoped("x");
    c.set_accounts(vec![account(1, "A")]);
    c.set_locations(1, vec![location(1, "L")]);
    c.clear();
    assert!(c.cached_accounts().is_none() && c.cached_locations(1).is_none());
    c.save().unwrap();
    assert!(
        Cache::load(c.path())
            .scoped("x")
            .cached_accounts()
            .is_none()
    );
}

#[test]
fn ticket_snapshots_round_trip_beside_the_cache_one_per_view() {
    let tmp = tempfile::tempdir().unwrap();
    let c = Cache::load(tmp.path().join("acme/cache.json")).scoped("s");
    assert_eq!(c.tickets_dir(), tmp.path().join("acme/cache.tickets"));
    assert!(c.load_tickets("My open").is_none());
    let legacy = tmp.path().join("acme/cache.tickets.json");
    std::fs::create_dir_all(legacy.parent().unwrap()).unwrap();
    std::fs::write(&legacy, "{}").unwrap();
    let snap = TicketSnapshot {
        fetched_at: chrono::TimeZone::with_ymd_and_hms(&Utc, 2025, 5, 1, 8, 0, 0).unwrap(),
        view: Some("My open".into()),
        total: Some(1234),
        rows: vec![TicketRow {
            id: 9,
            ticket_number: "T20250009".into(),
            title: "Printer".into(),
            is_sla_paused: Some(true),
            open_date: Some(
                chrono::TimeZone::with_ymd_and_hms(&Utc, 2025, 4, 30, 9, 15, 0).unwrap(),
            ),
            ..Default::default()
        }],
    };
    c.save_tickets(&snap).unwrap();
    assert!(!legacy.exists(), "the old single snapshot goes");
    let other = TicketSnapshot {
        view: Some("Unassigned".into()),
        rows: Vec::new(),
        ..snap.clone()
    };
    c.save_tickets(&other).unwrap();
    assert_eq!(c.load_tickets("My open"), Some(snap.clone()));
    assert_eq!(c.load_tickets("Unassigned"), Some(other));
    assert_eq!(c.all_tickets().len(), 2);
    assert!(c.load_tickets("Projects").is_none());
    for e in std::fs::read_dir(c.tickets_dir()).unwrap() {
        std::fs::write(e.unwrap().path(), "{\"version\": 1, \"snapshot\": 3}").unwrap();
    }
    assert!(c.load_tickets("My open").is_none());
    assert!(c.all_tickets().is_empty());
}

#[test]
fn open_uses_the_profiles_file_ttl_and_tenant() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = crate::config::Config::from_toml(
        "[cache]\nttl_hours = 2\n[profiles.a]\ntenant = \"A\"\n[profiles.b]\ntenant = \"B\"\ncache_file = \"/dev/null/x\"\n",
        None,
        crate::config::Dirs::under(tmp.path()),
    )
    .unwrap();
    let a = cfg.resolve(Some("a"), &|_| None).unwrap();
    let mut c = Cache::open(&a);
    assert_eq!(c.path(), a.cache_file.as_path());
    assert_eq!(c.ttl(), TimeDelta::hours(2));
    c.set_accounts(vec![account(1, "A's client")]);
    c.save().unwrap();
    assert!(Cache::open(&a).cached_accounts().is_some());

    // Same file, another tenant (e.g. the profile was edited): nothing is reused.
    let mut b = cfg.resolve(Some("b"), &|_| None).unwrap();
    b.cache_file = a.cache_file.clone();
    assert!(Cache::open(&b).cached_accounts().is_none());
}

// ----- cache-or-fetch against a stub BMS server -----
