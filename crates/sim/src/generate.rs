//! Deterministic tenant generation from a seed. Rows are generated eagerly and kept compact;
//! ticket details, notes and time logs are produced on demand from each ticket's own seed, so
//! 100k tickets build in well under a second and cost little memory.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveTime, Timelike, Utc};
use fastrand::Rng;

use super::refdata::{DEMO_USER_ID, MFA_USER_ID, Refs, TenantTables, status_type};
use super::tenant::*;
use super::words::{self, SCENARIOS};

const NOTE_GEN_BASE: i64 = 1_000_001;
const NOTES_PER_TICKET_MAX: i64 = 8;
const TIMELOG_GEN_BASE: i64 = 30_000_001;
const TIMELOGS_PER_TICKET_MAX: i64 = 4;

/// Escapes text for inclusion in HTML (`&`, `<`, `>`).
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

fn weighted(rng: &mut Rng, weights: &[u32]) -> usize {
    let total: u32 = weights.iter().sum();
    if total == 0 {
        return 0;
    }
    let mut pick = rng.u32(0..total);
    for (i, w) in weights.iter().enumerate() {
        if pick < *w {
            return i;
        }
        pick -= w;
    }
    weights.len() - 1
}

fn pick<'a, T>(rng: &mut Rng, items: &'a [T]) -> &'a T {
    &items[rng.usize(0..items.len())]
}

fn upper_letters(s: &str, n: usize) -> String {
    s.chars()
        .filter(char::is_ascii_alphabetic)
        .take(n)
        .collect::<String>()
        .to_ascii_uppercase()
}

/// Builds the tenant. The same `seed`, sizes and `now` always give the same tenant.
pub fn generate(
    seed: u64,
    n_tickets: usize,
    n_accounts: usize,
    now: DateTime<Utc>,
    demo_email: &str,
    mfa_email: &str,
    tables: &TenantTables,
) -> Tenant {
    let mut rng = Rng::with_seed(seed);
    let refs = Refs::standard(demo_email, mfa_email).with_tables(tables);
    let now = now.with_nanosecond(0).unwrap_or(now);
    let (accounts, locations, contacts) = gen_accounts(&mut rng, n_accounts.max(1));
    let mut tenant = Tenant {
        seed,
        generated_at: now,
        refs,
        accounts,
        locations,
        contacts,
        tickets: Vec::with_capacity(n_tickets),
        order: Vec::with_capacity(n_tickets),
        notes: HashMap::new(),
        timelogs: HashMap::new(),
        next_note_id: NEW_NOTE_ID_BASE,
        next_timelog_id: NEW_TIMELOG_ID_BASE,
        day_seq: HashMap::new(),
        zone: chrono_tz::Tz::UTC,
    };
    gen_tickets(&mut tenant, &mut rng, n_tickets, now);
    tenant
}

fn gen_accounts(rng: &mut Rng, n: usize) -> (Vec<AccountRec>, Vec<LocationRec>, Vec<ContactRec>) {
    let mut pairs: Vec<(usize, usize)> = (0..words::COMPANY_PREFIXES.len())
        .flat_map(|p| (0..words::COMPANY_SUFFIXES.len()).map(move |s| (p, s)))
        .collect();
    rng.shuffle(&mut pairs);
    let mut used_prefix: HashSet<usize> = HashSet::new();
    // Prefer one account per prefix first, so names read as distinct companies.
    let mut chosen: Vec<(usize, usize)> = Vec::with_capacity(n);
    for &(p, s) in &pairs {
        if chosen.len() == n {
            break;
        }
        if used_prefix.insert(p) {
            chosen.push((p, s));
        }
    }
    for &(p, s) in &pairs {
        if chosen.len() == n {
            break;
        }
        if !chosen.contains(&(p, s)) {
            chosen.push((p, s));
        }
    }
    let mut accounts = Vec::with_capacity(n);
    let mut locations = Vec::new();
    let mut contacts = Vec::new();
    let mut codes: HashSet<String> = HashSet::new();
    for i in 0..n {
        let (p, s) = chosen[i % chosen.len()];
        let prefix = words::COMPANY_PREFIXES[p];
        let suffix = words::COMPANY_SUFFIXES[s];
        let mut name = format!("{prefix} {suffix}");
        if i >= chosen.len() {
            name = format!("{name} {}", i / chosen.len() + 1);
        }
        let mut code = format!("{}{}", upper_letters(prefix, 4), upper_letters(suffix, 3));
        if !codes.insert(code.clone()) {
            code = format!("{code}{}", i + 1);
            codes.insert(code.clone());
        }
        let domain = format!(
            "{}{}.example",
            prefix
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase(),
            suffix
                .split_whitespace()
                .find(|w| w.chars().all(char::is_alphanumeric))
                .unwrap_or("co")
                .to_ascii_lowercase()
        );
        let id = ACCOUNT_ID_BASE + i as i64;
        let n_loc = 1 + weighted(rng, &[40, 30, 20, 10]);
        let mut loc_ids = Vec::with_capacity(n_loc);
        let main = if rng.u32(0..100) < 80 {
            words::MAIN_LOCATIONS[0]
        } else {
            words::MAIN_LOCATIONS[1]
        };
        let mut others: Vec<&'static str> = words::OTHER_LOCATIONS.to_vec();
        rng.shuffle(&mut others);
        for (k, loc_name) in std::iter::once(main).chain(others).take(n_loc).enumerate() {
            let lid = LOCATION_ID_BASE + locations.len() as i64;
            loc_ids.push(lid);
            locations.push(LocationRec {
                id: lid,
                account_id: id,
                name: loc_name,
                is_main: k == 0,
                phone: format!("+1 555-{:03}-{:04}", rng.u32(100..999), rng.u32(0..9999)),
            });
        }
        let n_contacts = rng.usize(3..=12);
        let mut contact_ids = Vec::with_capacity(n_contacts);
        for _ in 0..n_contacts {
            let first = *pick(rng, words::FIRST_NAMES);
            let last = *pick(rng, words::LAST_NAMES);
            let location_id = if rng.u32(0..100) < 60 {
                loc_ids[0]
            } else {
                *pick(rng, &loc_ids)
            };
            let local: String = format!("{first}.{last}")
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
                .collect::<String>()
                .to_ascii_lowercase();
            let cid = CONTACT_ID_BASE + contacts.len() as i64;
            contact_ids.push(cid);
            contacts.push(ContactRec {
                id: cid,
                account_id: id,
                location_id,
                first,
                last,
                email: format!("{local}@{domain}"),
                phone: format!("+1 555-{:03}-{:04}", rng.u32(100..999), rng.u32(0..9999)),
            });
        }
        accounts.push(AccountRec {
            id,
            name,
            code,
            domain,
            active: rng.u32(0..100) < 95,
            sla_id: if rng.u32(0..100) < 20 { 602 } else { 601 },
            locations: loc_ids,
            contacts: contact_ids,
        });
    }
    (accounts, locations, contacts)
}

/// The plan of one ticket before it gets an id: when it opened and how long it took.
struct Plan {
    open: DateTime<Utc>,
    /// `None` for a ticket still open.
    took: Option<Duration>,
}

fn gen_tickets(tenant: &mut Tenant, rng: &mut Rng, n: usize, now: DateTime<Utc>) {
    let span_days = (n as i64 / 15).clamp(60, 1500);
    let mut plans: Vec<Plan> = (0..n)
        .map(|_| {
            if rng.u32(0..100) < 30 {
                // Open: skewed to recent, so some are fresh, some about to breach, some late.
                // The age is business time (up to ~6 working days), so that mix is the same
                // whenever the demo starts, a Monday morning or a Saturday night.
                let u = rng.f64();
                let age = 5 + (u.powi(5) * 60.0 * 60.0) as i64;
                Plan {
                    open: business_deadline(now, -age).min(now - Duration::minutes(5)),
                    took: None,
                }
            } else {
                let age = rng.i64(60..span_days * 24 * 60);
                let u = rng.f64();
                let took = Duration::minutes(10 + (u * u * 5.0 * 24.0 * 60.0) as i64);
                let open = now - Duration::minutes(age);
                let took = took.min(now - open - Duration::minutes(1));
                Plan {
                    open,
                    took: Some(took),
                }
            }
        })
        .collect();
    plans.sort_by_key(|p| p.open);

    let weights: Vec<u32> = tenant
        .accounts
        .iter()
        .map(|_| {
            if rng.u32(0..100) < 15 {
                rng.u32(20..40)
            } else {
                rng.u32(2..12)
            }
        })
        .collect();
    let techs: Vec<i64> = tenant
        .refs
        .users
        .iter()
        .filter(|u| u.assignee && u.id != DEMO_USER_ID && u.id != MFA_USER_ID)
        .map(|u| u.id)
        .collect();
    for plan in plans {
        let rec = gen_ticket(tenant, rng, &plan, now, &weights, &techs);
        tenant.push_ticket(rec);
    }
}

fn gen_ticket(
    tenant: &mut Tenant,
    rng: &mut Rng,
    plan: &Plan,
    now: DateTime<Utc>,
    account_weights: &[u32],
    techs: &[i64],
) -> TicketRec {
    let refs = &tenant.refs;
    let account = &tenant.accounts[weighted(rng, account_weights)];
    let location_id = if account.locations.len() > 1 && rng.u32(0..100) >= 60 {
        *pick(rng, &account.locations)
    } else {
        account.locations[0]
    };
    let scenario_idx = rng.usize(0..SCENARIOS.len());
    let sc = &SCENARIOS[scenario_idx];
    let contact_chance = if sc.monitoring { 30 } else { 94 };
    let contact_id = if rng.u32(0..100) < contact_chance {
        let here: Vec<i64> = account
            .contacts
            .iter()
            .copied()
            .filter(|c| {
                tenant
                    .contact(*c)
                    .is_some_and(|c| c.location_id == location_id)
            })
            .collect();
        if !here.is_empty() && rng.u32(0..100) < 70 {
            Some(*pick(rng, &here))
        } else {
            account
                .contacts
                .first()
                .map(|_| *pick(rng, &account.contacts))
        }
    } else {
        None
    };
    let priority_id = refs.priorities[weighted(rng, &sc.priority)].id;
    // Drawn among the standard sources, then put in the tenant's own (the draws, and so the
    // rest of the tenant, stay the same whatever its source list).
    let std_source = if sc.monitoring && rng.u32(0..100) < 85 {
        5
    } else {
        [4, 1, 0, 2, 3, 6, 8][weighted(rng, &[45, 25, 18, 4, 3, 3, 2])]
    };
    let source_id = refs.source_like(std_source);
    let age_mins = (now - plan.open).num_minutes();
    let status_name = match plan.took {
        Some(_) => ["Completed", "Closed"][weighted(rng, &[35, 65])],
        None if age_mins < 90 && rng.u32(0..100) < 60 => "New",
        None => [
            "New",
            "In Progress",
            "Waiting Customer",
            "Waiting Materials",
            "Escalated",
            "Scheduled",
        ][weighted(rng, &[12, 38, 16, 6, 10, 8])],
    };
    let status_id = refs.status_id(status_name);
    let status_type = refs.status(status_id).map_or(0, |s| s.type_id);
    let assigned = if status_type == status_type::NEW {
        rng.u32(0..100) < 40
    } else {
        rng.u32(0..100) < 95
    };
    let assignee_id = assigned.then(|| match rng.u32(0..100) {
        0..12 => DEMO_USER_ID,
        12..15 => MFA_USER_ID,
        _ => *pick(rng, techs),
    });
    let queue_id = refs.queue_id(sc.queue);
    let work_type_id = if std_source == 3 {
        refs.work_type_id("On-Site Support")
    } else if sc.queue == "Projects" {
        refs.work_type_id("Project Work")
    } else if rng.u32(0..100) < 10 {
        refs.work_type_id("After Hours")
    } else {
        refs.work_type_id("Remote Support")
    };
    let sla_id = account.sla_id;
    let (respond, resolve) = refs.goals(priority_id, Some(sla_id));
    let open = plan.open;
    let fr_target = business_deadline(open, respond);
    let res_target = business_deadline(open, resolve);
    let completed = plan.took.map(|d| open + d);
    let latest = completed.unwrap_or(now);
    let fr_actual = (status_type != status_type::NEW).then(|| {
        let m = rng.i64(2..=(respond * 14 / 10).max(3));
        (open + Duration::minutes(m)).min(latest)
    });
    let since_fr = fr_actual.unwrap_or(open);
    let span = (latest - since_fr).num_minutes().max(0);
    let last_status_update = match completed {
        Some(c) => c,
        None => since_fr + Duration::minutes(rng.i64(0..=span)),
    };
    let last_activity = match completed {
        Some(c) => c,
        None => {
            let rest = (now - last_status_update).num_minutes().max(0);
            last_status_update + Duration::minutes(rng.i64(0..=rest))
        }
    };
    let due_date = if status_name == "Scheduled" {
        Some(now + Duration::hours(rng.i64(4..240)))
    } else if rng.u32(0..100) < 15 {
        Some(open + Duration::hours(rng.i64(24..168)))
    } else {
        None
    };
    let created_by = assignee_id.unwrap_or_else(|| *pick(rng, techs));
    let seed = rng.u64(..);
    let id = tenant.next_ticket_id();
    let location_name = tenant.location(location_id).map_or("", |l| l.name);
    let title = fill(sc.title, &|key| match key {
        "person" => person_name(tenant, contact_id, seed),
        "device" => device_name(seed),
        "server" => server_name(seed),
        "location" => location_name.to_string(),
        _ => String::new(),
    });
    let rec = TicketRec {
        id,
        number: Box::from(""),
        title: title.into_boxed_str(),
        details: None,
        seed,
        scenario: scenario_idx as u16,
        account_id: account.id,
        location_id,
        contact_id,
        status_id,
        priority_id,
        type_id: refs.ticket_type_like(sc.ticket_type),
        issue_type_id: Some(refs.issue_type_id(sc.issue_type)),
        source_id,
        queue_id: Some(queue_id),
        assignee_id,
        work_type_id: Some(work_type_id),
        sla_id: Some(sla_id),
        created_by,
        modified_by: assignee_id.unwrap_or(created_by),
        open_date: open,
        created_on: open,
        modified_on: last_activity,
        last_activity,
        last_status_update,
        due_date,
        completed,
        reopened: None,
        fr_target,
        fr_actual,
        res_target,
        res_actual: completed,
        paused_since: (status_type == status_type::WAITING).then_some(last_status_update),
        paused_minutes: 0,
        deleted: false,
    };
    let number = tenant.next_ticket_number(open.date_naive());
    TicketRec {
        number: number.into_boxed_str(),
        ..rec
    }
}

/// Replaces `{key}` placeholders.
fn fill(template: &str, value: &dyn Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        match rest[start..].find('}') {
            Some(end) => {
                out.push_str(&value(&rest[start + 1..start + end]));
                rest = &rest[start + end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn device_name(seed: u64) -> String {
    let kind = ["LAPTOP", "DESKTOP", "LAPTOP", "WS"][(seed % 4) as usize];
    format!("{kind}-{:04}", (seed >> 8) % 10_000)
}

fn server_name(seed: u64) -> String {
    let names = [
        "SRV-DC01",
        "SRV-FS01",
        "SRV-APP02",
        "SRV-SQL01",
        "SRV-RDS01",
        "NAS01",
    ];
    names[((seed >> 20) % names.len() as u64) as usize].to_string()
}

fn person_name(tenant: &Tenant, contact_id: Option<i64>, seed: u64) -> String {
    match contact_id.and_then(|c| tenant.contact(c)) {
        Some(c) if !(seed >> 30).is_multiple_of(3) => c.name(),
        _ => {
            let f = words::FIRST_NAMES[((seed >> 33) % words::FIRST_NAMES.len() as u64) as usize];
            let l = words::LAST_NAMES[((seed >> 40) % words::LAST_NAMES.len() as u64) as usize];
            format!("{f} {l}")
        }
    }
}

/// Generated details HTML of a ticket (escaped, with `<p>`, `<ul><li>` and `<br>`).
pub fn ticket_details(tenant: &Tenant, t: &TicketRec) -> String {
    let sc = &SCENARIOS[t.scenario as usize % SCENARIOS.len()];
    let location = tenant.location(t.location_id).map_or("", |l| l.name);
    let value = |key: &str| match key {
        "person" => person_name(tenant, t.contact_id, t.seed),
        "device" => device_name(t.seed),
        "server" => server_name(t.seed),
        "location" => location.to_string(),
        _ => String::new(),
    };
    let account = tenant.account(t.account_id).map_or("", |a| a.name.as_str());
    let mut html = String::with_capacity(400);
    let contact = t.contact_id.and_then(|c| tenant.contact(c));
    if sc.monitoring && contact.is_none() {
        html.push_str(&format!(
            "<p>Alert raised by the RMM agent for {}.</p>",
            html_escape(account)
        ));
    } else {
        html.push_str("<p>Hi team,</p>");
    }
    html.push_str(&format!("<p>{}</p>", html_escape(&fill(sc.body, &value))));
    if !sc.bullets.is_empty() {
        html.push_str("<ul>");
        for b in sc.bullets {
            html.push_str(&format!("<li>{}</li>", html_escape(&fill(b, &value))));
        }
        html.push_str("</ul>");
    }
    if let Some(c) = contact {
        html.push_str(&format!(
            "<p>Thanks,<br>{}<br>{}<br>{}</p>",
            html_escape(&c.name()),
            html_escape(account),
            html_escape(&c.phone)
        ));
    }
    html
}

/// Generated notes of a ticket, oldest first. Ids are stable: derived from the ticket id.
pub fn ticket_notes(tenant: &Tenant, t: &TicketRec) -> Vec<NoteRec> {
    let mut rng = Rng::with_seed(t.seed ^ 0x9e37_79b9_7f4a_7c15);
    let st = tenant.refs.status(t.status_id).map_or(0, |s| s.type_id);
    let count = match st {
        status_type::NEW => rng.i64(0..=1),
        status_type::ACTIVE => rng.i64(1..=4),
        status_type::WAITING => rng.i64(2..=5),
        _ => rng.i64(2..=6),
    }
    .min(NOTES_PER_TICKET_MAX);
    let base = NOTE_GEN_BASE + (t.id - TICKET_ID_BASE) * NOTES_PER_TICKET_MAX;
    let contact = t.contact_id.and_then(|c| tenant.contact(c));
    let first = contact.map_or("there", |c| c.first);
    let tech = t
        .assignee_id
        .or(Some(t.created_by))
        .and_then(|u| tenant.refs.user(u));
    let start = t.fr_actual.unwrap_or(t.open_date + Duration::minutes(3));
    let end = t.completed.unwrap_or(t.last_activity).max(start);
    let span = (end - start).num_minutes().max(1);
    let mut notes = Vec::with_capacity(count as usize);
    for k in 0..count {
        let at = if k == 0 {
            start
        } else if k == count - 1 && t.completed.is_some() {
            end
        } else {
            start + Duration::minutes(span * k / count.max(1) + rng.i64(0..=span / count.max(1)))
        };
        let kind = if k == 0 && t.fr_actual.is_some() {
            0
        } else if k == count - 1 && t.completed.is_some() {
            3
        } else if contact.is_some() {
            // Internal note, update to the customer, reply from the customer.
            [1, 4, 2][weighted(&mut rng, &[35, 40, 25])]
        } else {
            [1, 4][weighted(&mut rng, &[45, 55])]
        };
        let num = rng.u32(100_000..999_999).to_string();
        let tech_name = tech.map_or("Service Desk", |u| u.name.as_str());
        let value = |key: &str| match key {
            "first" => html_escape(first),
            "tech" => html_escape(tech_name),
            "device" => device_name(t.seed),
            "num" => num.clone(),
            _ => String::new(),
        };
        let (details, internal, type_id, by_contact) = match kind {
            0 => (fill(words::EXTERNAL_NOTES[0], &value), false, 2, false),
            1 => (
                fill(pick::<&str>(&mut rng, words::INTERNAL_NOTES), &value),
                true,
                *pick(&mut rng, &[1, 4]),
                false,
            ),
            2 => (
                fill(pick::<&str>(&mut rng, words::CONTACT_REPLIES), &value),
                false,
                2,
                true,
            ),
            3 => (fill(words::EXTERNAL_NOTES[5], &value), false, 5, false),
            _ => (
                fill(pick::<&str>(&mut rng, &words::EXTERNAL_NOTES[1..5]), &value),
                false,
                *pick(&mut rng, &[2, 3]),
                false,
            ),
        };
        let (created_by, author_name, author_email) = match (by_contact, contact, tech) {
            (true, Some(c), _) => (None, c.name(), Some(c.email.clone())),
            (_, _, Some(u)) => (Some(u.id), u.name.clone(), Some(u.email.clone())),
            _ => (None, "Service Desk".to_string(), None),
        };
        notes.push(NoteRec {
            id: base + k,
            details,
            is_internal: internal,
            type_id: tenant.refs.note_type_like(type_id),
            created_by,
            author_name,
            author_email,
            created_on: at,
            modified_on: at,
            modified_by_name: None,
        });
    }
    notes.sort_by_key(|n| (n.created_on, n.id));
    notes
}

/// Generated time logs of a ticket (worked tickets only).
pub fn ticket_timelogs(tenant: &Tenant, t: &TicketRec) -> Vec<TimeLogRec> {
    let mut rng = Rng::with_seed(t.seed ^ 0x5851_f42d_4c95_7f2d);
    let st = tenant.refs.status(t.status_id).map_or(0, |s| s.type_id);
    if st == status_type::NEW || rng.u32(0..100) >= 60 {
        return Vec::new();
    }
    // Work happens between the first response and completion (or now), never later.
    let from = t.fr_actual.unwrap_or(t.open_date);
    let until = t.completed.unwrap_or(tenant.generated_at);
    let span = (until - from).num_minutes();
    if span < 30 {
        return Vec::new();
    }
    let user = t.assignee_id.unwrap_or(t.created_by);
    let count = rng.i64(1..=2).min(TIMELOGS_PER_TICKET_MAX);
    let base = TIMELOG_GEN_BASE + (t.id - TICKET_ID_BASE) * TIMELOGS_PER_TICKET_MAX;
    let mut logs: Vec<TimeLogRec> = (0..count)
        .map(|k| {
            let dur = rng.i64(1..=8).min(span / 15) * 15;
            let offset = rng.i64(0..=(span - dur).max(0));
            let start = from + Duration::minutes(offset);
            let start_time = NaiveTime::from_hms_opt(start.hour(), start.minute() / 15 * 15, 0)
                .unwrap_or(NaiveTime::MIN);
            // A log stays within its day.
            let dur = dur.min(
                (NaiveTime::from_hms_opt(23, 59, 0).unwrap_or(NaiveTime::MIN) - start_time)
                    .num_minutes(),
            );
            let end_time = start_time + Duration::minutes(dur);
            let date = start.date_naive();
            TimeLogRec {
                id: base + k,
                start_date: date,
                start_time,
                end_time,
                hours: dur as f64 / 60.0,
                notes: Some("Worked on the issue remotely.".into()),
                internal_notes: (rng.u32(0..100) < 40).then(|| "Checked logs and settings.".into()),
                user_id: user,
                work_type_id: t
                    .work_type_id
                    .unwrap_or_else(|| tenant.refs.work_type_id("Remote Support")),
                role_id: *pick(&mut rng, &[15324, 15325]),
                created_on: date.and_time(end_time).and_utc().min(until),
            }
        })
        .filter(|l| l.hours > 0.0)
        .collect();
    logs.sort_by_key(|l| (l.start_date, l.start_time, l.id));
    logs
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 6, 2, 10, 30, 0).unwrap()
    }

    fn small(seed: u64) -> Tenant {
        generate(
            seed,
            400,
            30,
            now(),
            "tech@demo.example",
            "mfa@demo.example",
            &TenantTables::standard(),
        )
    }

    fn fingerprint(t: &Tenant) -> Vec<String> {
        t.tickets
            .iter()
            .map(|r| {
                format!(
                    "{} {} {} {} {} {:?} {} {}",
                    r.id,
                    r.number,
                    r.title,
                    r.account_id,
                    r.status_id,
                    r.assignee_id,
                    r.open_date,
                    t.details_of(r)
                )
            })
            .collect()
    }

    #[test]
    fn same_seed_same_tenant_other_seed_differs() {
        let a = small(7);
        let b = small(7);
        let c = small(8);
        assert_eq!(fingerprint(&a), fingerprint(&b));
        assert_ne!(fingerprint(&a), fingerprint(&c));
        let an: Vec<_> = a.accounts.iter().map(|x| x.name.clone()).collect();
        let bn: Vec<_> = b.accounts.iter().map(|x| x.name.clone()).collect();
        assert_eq!(an, bn);
        let t = &a.tickets[17];
        assert_eq!(a.notes_of(t), b.notes_of(&b.tickets[17]));
    }

    #[test]
    fn location_names_repeat_across_accounts_with_distinct_ids() {
        let t = small(42);
        let mains: Vec<&LocationRec> = t
            .locations
            .iter()
            .filter(|l| l.name == "Main Office")
            .collect();
        assert!(mains.len() >= 5, "only {} Main Office", mains.len());
        let accounts: HashSet<i64> = mains.iter().map(|l| l.account_id).collect();
        let ids: HashSet<i64> = mains.iter().map(|l| l.id).collect();
        assert_eq!(accounts.len(), mains.len());
        assert_eq!(ids.len(), mains.len());
        for a in &t.accounts {
            assert!((1..=4).contains(&a.locations.len()));
            assert!(t.location(a.locations[0]).is_some_and(|l| l.is_main));
            for c in &a.contacts {
                let c = t.contact(*c).unwrap();
                assert!(a.locations.contains(&c.location_id));
            }
        }
        let names: HashSet<&str> = t.accounts.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(names.len(), t.accounts.len(), "account names are unique");
    }

    #[test]
    fn the_sla_mix_is_alike_whenever_the_tenant_is_made() {
        use chrono::TimeZone;
        // A Monday morning, a Wednesday afternoon, a Friday evening, a Saturday night.
        for (d, h, m) in [(2, 8, 5), (4, 14, 0), (6, 18, 30), (7, 23, 0)] {
            let at = Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap();
            let t = generate(
                7,
                600,
                30,
                at,
                "tech@demo.example",
                "mfa@demo.example",
                &TenantTables::standard(),
            );
            let open: Vec<&TicketRec> =
                t.tickets.iter().filter(|r| r.completed.is_none()).collect();
            let running: Vec<&&TicketRec> =
                open.iter().filter(|r| r.paused_since.is_none()).collect();
            let left = |r: &TicketRec| business_minutes(at, r.res_target);
            let breached = running.iter().filter(|r| left(r) < 0).count();
            let soon = running
                .iter()
                .filter(|r| (0..120).contains(&left(r)))
                .count();
            let share = breached as f64 / running.len() as f64;
            assert!(
                (0.05..0.35).contains(&share) && soon > 0,
                "{at}: {breached} of {} breached, {soon} due within 2 business hours",
                running.len()
            );
            assert!(
                open.iter()
                    .all(|r| r.open_date <= at && r.fr_target > r.open_date)
            );
        }
    }

    #[test]
    fn tickets_are_consistent_and_varied() {
        let t = small(42);
        assert_eq!(t.tickets.len(), 400);
        let mut numbers = HashSet::new();
        let mut statuses = HashSet::new();
        let (mut breached, mut soon, mut paused, mut demo) = (0, 0, 0, 0);
        for r in &t.tickets {
            assert!(numbers.insert(r.number.to_string()), "dup {}", r.number);
            assert!(
                r.number.starts_with('T') && r.number.len() == 14,
                "{}",
                r.number
            );
            let acc = t.account(r.account_id).unwrap();
            assert!(acc.locations.contains(&r.location_id));
            if let Some(c) = r.contact_id {
                assert_eq!(t.contact(c).unwrap().account_id, r.account_id);
            }
            assert!(r.queue_id.is_some() || r.assignee_id.is_some());
            let st = t.refs.status(r.status_id).unwrap();
            statuses.insert(st.name);
            assert_eq!(st.is_completed(), r.completed.is_some());
            assert_eq!(st.is_waiting(), r.paused_since.is_some());
            if !st.is_completed() {
                if r.res_target < now() {
                    breached += 1;
                } else if business_minutes(now(), r.res_target) < 120 {
                    soon += 1;
                }
            }
            if r.paused_since.is_some() {
                paused += 1;
            }
            if r.assignee_id == Some(DEMO_USER_ID) {
                demo += 1;
            }
            assert!(r.open_date <= now());
            assert!(r.last_activity >= r.open_date);
        }
        assert!(statuses.len() >= 7, "{statuses:?}");
        assert!(
            breached > 0 && soon > 0 && paused > 0,
            "{breached} {soon} {paused}"
        );
        assert!(demo >= 10, "demo user has {demo} tickets");
        // Order: newest open date first.
        let opens: Vec<_> = t
            .order
            .iter()
            .map(|&i| t.tickets[i as usize].open_date)
            .collect();
        assert!(opens.windows(2).all(|w| w[0] >= w[1]));
    }

    #[test]
    fn details_are_html_with_entities() {
        let t = small(42);
        let all: Vec<String> = t.tickets.iter().map(|r| t.details_of(r)).collect();
        assert!(all.iter().all(|d| d.starts_with("<p>")));
        assert!(all.iter().any(|d| d.contains("<ul><li>")));
        assert!(all.iter().any(|d| d.contains("<br>")));
        assert!(all.iter().any(|d| d.contains("&amp;")));
        assert!(all.iter().all(|d| !d.contains(" & ")), "raw ampersand");
    }

    #[test]
    fn notes_and_timelogs_are_generated_lazily_with_stable_ids() {
        let mut t = small(42);
        let worked = t
            .tickets
            .iter()
            .find(|r| t.refs.status(r.status_id).is_some_and(|s| s.is_completed()))
            .unwrap()
            .clone();
        let notes = t.notes_of(&worked);
        assert!(notes.len() >= 2);
        assert!(notes.iter().any(|n| n.is_internal) || notes.iter().any(|n| !n.is_internal));
        assert!(notes.windows(2).all(|w| w[0].created_on <= w[1].created_on));
        assert!(t.notes.is_empty(), "reading does not store");
        let stored = t.notes_mut(worked.id).clone();
        assert_eq!(stored, notes);
        let with_logs = t
            .tickets
            .iter()
            .filter(|r| !t.timelogs_of(r).is_empty())
            .count();
        assert!(with_logs > 50, "{with_logs}");
        for r in &t.tickets {
            let until = r.completed.unwrap_or(now());
            for l in t.timelogs_of(r) {
                assert!(l.end_time > l.start_time && l.hours > 0.0);
                let end = l.start_date.and_time(l.end_time).and_utc();
                assert!(
                    end <= until + Duration::minutes(15),
                    "log after the work ended"
                );
            }
            // Notes do not repeat the acknowledgement.
            let notes = t.notes_of(r);
            let acks = notes
                .iter()
                .filter(|n| n.details.contains("Thanks for getting in touch"))
                .count();
            assert!(acks <= 1, "{} acknowledgements on {}", acks, r.id);
        }
    }

    #[test]
    fn a_large_tenant_generates_whole() {
        // How fast is a benchmark's question (benches/perf.rs), not a test's: tests never
        // depend on the machine's speed.
        let t = generate(1, 100_000, 40, now(), "a", "b", &TenantTables::standard());
        assert_eq!(t.tickets.len(), 100_000);
    }
}
