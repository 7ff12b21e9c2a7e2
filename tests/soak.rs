//! Soak test (not part of `cargo test`): scripted use against a faulty simulator on loopback
//! for a while, then every write is checked on the server: zero lost, zero duplicated.
//!
//! ```sh
//! BMSDESK_SOAK_SECS=600 cargo test --release --test it soak:: -- --ignored --nocapture
//! ```
//!
//! Two writers (like the TUI and a script in another pane) share one outbox folder, each with
//! its own `Actions`, while the fault mix changes every few seconds: random drops, resets,
//! stalls past the client's timeout, 429 storms, 5xx, garbled replies, 401s, full outages,
//! revoked tokens, a server clock minutes off and reads that lag behind writes. Each writer
//! adds notes, creates tickets, logs time and changes priorities (every note, ticket and time
//! log carries a unique marker; now and then the very same write is made twice in a row, and
//! both must land), flushing the outbox now and then. At the end the faults stop, the outbox
//! is drained, and each marker must exist exactly as often as it was written.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bmsdesk_bms::{client::Client, client::ClientOptions};
use bmsdesk_core::actions::{Actions, Outcome, WriteOp};
use bmsdesk_core::model::{Id, NoteInput, PatchOp, TicketInput, TimeLogInput};
use bmsdesk_core::store::audit::AuditLog;
use bmsdesk_core::store::outbox::Outbox;
use bmsdesk_core::{secret::Credentials, secret::Secret};
use bmsdesk_sim::{self as sim, Faults, SimConfig, SimHandle};
use chrono::NaiveDate;
use serde_json::json;
use tokio::sync::Mutex;

fn soak_secs() -> u64 {
    std::env::var("BMSDESK_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(600)
        .clamp(5, 3600)
}

/// How many copies of each marker were written (twice for a write made twice on purpose).
#[derive(Default)]
struct Expected {
    notes: BTreeMap<(Id, String), usize>,
    tickets: BTreeMap<String, usize>,
    time_logs: BTreeMap<(Id, String), usize>,
}

#[derive(Default)]
struct Tally {
    done: AtomicU64,
    queued: AtomicU64,
    flushed: AtomicU64,
}

fn phase(n: u64) -> (&'static str, Faults) {
    let mix = |seed| Faults {
        latency_ms: 0,
        jitter_ms: 30,
        drop: 0.05,
        reset: 0.05,
        rate_limit: 0.04,
        retry_after_secs: 0,
        unavailable: 0.03,
        server_error: 0.03,
        malformed: 0.02,
        stall: 0.02,
        stall_ms: 1_500,
        unauthorized: 0.02,
        // The server's clock five minutes off either way (or right), its lists a second late.
        clock_skew_secs: [-300, 0, 300][(seed % 3) as usize],
        read_lag_ms: 1_000,
        seed: Some(seed),
        ..Faults::default()
    };
    match n % 6 {
        0 | 2 | 4 => ("mixed faults", mix(n)),
        1 => (
            "outage",
            Faults {
                reset: 1.0,
                ..Faults::default()
            },
        ),
        3 => (
            "429 storm",
            Faults {
                rate_limit: 0.7,
                retry_after_secs: 0,
                seed: Some(n),
                ..Faults::default()
            },
        ),
        _ => ("calm", Faults::default()),
    }
}

fn actions(h: &SimHandle, outbox: &std::path::Path, audit: &std::path::Path) -> Actions {
    let mut o = ClientOptions::new(h.base_url());
    o.credentials = Some(Credentials {
        tenant: sim::DEMO_TENANT.into(),
        username: sim::DEMO_USER.into(),
        password: Secret::new(sim::DEMO_PASSWORD),
        mfa_code: None,
    });
    o.timeout = Duration::from_secs(1);
    o.backoff = Duration::from_millis(20);
    // Longer than the lists lag in the mix.
    o.check_window = Duration::from_secs(2);
    // Thirty thousand requests in ten minutes are far past a real tenant's hourly budget,
    // which the simulator does not enforce: the soak is about faults, so the client's own
    // budget guard is set out of the way (it is tested in api_hostile and api::retry).
    o.hourly_limit = 10_000_000;
    Actions::new(Client::new(o).unwrap(), Some(AuditLog::new(audit)))
        .with_outbox(Outbox::new(outbox))
        .with_outbox_lock_wait(Duration::from_secs(2))
}

#[allow(clippy::too_many_arguments)]
async fn writer(
    who: u64,
    a: Actions,
    h: Arc<SimHandle>,
    tickets: Arc<Vec<Id>>,
    expected: Arc<Mutex<Expected>>,
    tally: Arc<Tally>,
    stop: Arc<AtomicBool>,
) {
    let mut rng = fastrand::Rng::with_seed(who);
    let (account, location, new, low, high, incident, desk, work, role) = h.state().read(|t| {
        let acc = &t.accounts[(who as usize) % t.accounts.len()];
        (
            acc.id,
            acc.locations[0],
            t.refs.status_id("New"),
            t.refs.priority_id("Low"),
            t.refs.priority_id("High"),
            t.refs.ticket_type_id("Incident"),
            t.refs.queue_id("Help Desk"),
            t.refs.work_types[0].id,
            t.refs.roles[0].id,
        )
    });
    let mut n = 0u64;
    while !stop.load(Ordering::SeqCst) {
        n += 1;
        let marker = format!("soak-w{who}-{n}");
        let ticket = tickets[rng.usize(..tickets.len())];
        let op = match rng.u8(0..10) {
            0..=4 => WriteOp::AddNote {
                ticket_id: ticket,
                input: NoteInput {
                    details: format!("<p>{marker}</p>"),
                    is_internal: rng.bool(),
                    type_id: 1,
                    note_date: bmsdesk_core::clock::now(),
                    status_id: None,
                },
            },
            5 | 6 => WriteOp::CreateTicket {
                input: TicketInput {
                    title: marker.clone(),
                    details: "<p>soak</p>".into(),
                    account_id: account,
                    location_id: location,
                    status_id: new,
                    priority_id: low,
                    type_id: incident,
                    source_id: 0,
                    open_date: bmsdesk_core::clock::now(),
                    contact_id: None,
                    queue_id: Some(desk),
                    assignee_id: None,
                    issue_type_id: None,
                    sub_issue_type_id: None,
                    work_type_id: None,
                    due_date: None,
                },
            },
            7 => {
                let minute = (n * 7 + who * 3) % 1380;
                WriteOp::AddTimeLog {
                    ticket_id: ticket,
                    input: TimeLogInput {
                        start_date: NaiveDate::from_ymd_opt(2025, 2, 3).unwrap(),
                        start_time: format!("{:02}:{:02}:00", minute / 60, minute % 60),
                        end_time: format!("{:02}:{:02}:00", (minute + 5) / 60, (minute + 5) % 60),
                        work_type_id: work,
                        role_id: role,
                        timespent: None,
                        notes: Some(marker.clone()),
                        internal_notes: None,
                        user_id: None,
                        status_id: None,
                    },
                }
            }
            _ => WriteOp::PatchTicket {
                ticket_id: ticket,
                ops: vec![PatchOp::replace(
                    "/PriorityId",
                    json!(if rng.bool() { low } else { high }),
                )],
            },
        };
        // Now and then the very same write twice in a row (two callers, one template).
        let times = if n.is_multiple_of(9) { 2 } else { 1 };
        for _ in 0..times {
            match a.submit(op.clone()).await {
                Ok(outcome) => {
                    {
                        let mut e = expected.lock().await;
                        let m = marker.clone();
                        match &op {
                            WriteOp::AddNote { ticket_id, .. } => {
                                *e.notes.entry((*ticket_id, m)).or_default() += 1
                            }
                            WriteOp::CreateTicket { .. } => *e.tickets.entry(m).or_default() += 1,
                            WriteOp::AddTimeLog { ticket_id, .. } => {
                                *e.time_logs.entry((*ticket_id, m)).or_default() += 1
                            }
                            _ => {}
                        }
                    }
                    match outcome {
                        Outcome::Done(_) => tally.done.fetch_add(1, Ordering::Relaxed),
                        Outcome::Queued { .. } => tally.queued.fetch_add(1, Ordering::Relaxed),
                    };
                }
                Err(e) => panic!("writer {who}: a write was refused outright: {e} ({op:?})"),
            }
        }
        if n.is_multiple_of(10) {
            let flushed = a.flush_outbox().await;
            tally.flushed.fetch_add(
                flushed.iter().filter(|(_, r)| r.is_ok()).count() as u64,
                Ordering::Relaxed,
            );
        }
        tokio::time::sleep(Duration::from_millis(rng.u64(5..40))).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "soak test: BMSDESK_SOAK_SECS=600 cargo test --release --test it soak:: -- --ignored"]
async fn soak_no_write_lost_or_duplicated() {
    let secs = soak_secs();
    let h = Arc::new(
        sim::spawn(SimConfig {
            tickets: 300,
            accounts: 12,
            access_ttl: Duration::from_secs(20),
            ..SimConfig::default()
        })
        .await
        .unwrap(),
    );
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox");
    let audit = dir.path().join("audit");
    let tickets: Arc<Vec<Id>> = Arc::new(h.state().read(|t| {
        t.tickets
            .iter()
            .filter(|r| !r.deleted)
            .take(25)
            .map(|r| r.id)
            .collect()
    }));
    let expected = Arc::new(Mutex::new(Expected::default()));
    let tally = Arc::new(Tally::default());
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (1..=2)
        .map(|who| {
            tokio::spawn(writer(
                who,
                actions(&h, &outbox, &audit),
                h.clone(),
                tickets.clone(),
                expected.clone(),
                tally.clone(),
                stop.clone(),
            ))
        })
        .collect();

    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < Duration::from_secs(secs) {
        let (name, faults) = phase(n);
        eprintln!("[{:>4}s] {name}", started.elapsed().as_secs());
        h.state().set_faults(faults);
        match n % 5 {
            2 => h.state().expire_access_tokens(),
            4 => h.state().expire_all_tokens(),
            _ => {}
        }
        let left = Duration::from_secs(secs).saturating_sub(started.elapsed());
        tokio::time::sleep(left.min(Duration::from_secs(5))).await;
        n += 1;
    }
    stop.store(true, Ordering::SeqCst);
    for w in writers {
        w.await.expect("a writer panicked");
    }

    // Calm: drain what is left.
    h.state().clear_faults();
    let drain = actions(&h, &outbox, &audit);
    for _ in 0..20 {
        let flushed = drain.flush_outbox().await;
        tally.flushed.fetch_add(
            flushed.iter().filter(|(_, r)| r.is_ok()).count() as u64,
            Ordering::Relaxed,
        );
        if Outbox::new(&outbox).list().is_empty() {
            break;
        }
    }
    let left = Outbox::new(&outbox).list();
    assert!(left.is_empty(), "the outbox did not drain: {left:#?}");

    let e = expected.lock().await;
    let mut problems = Vec::new();
    let mut notes_by_ticket: BTreeMap<Id, Vec<String>> = BTreeMap::new();
    for (t, _) in e.notes.keys() {
        notes_by_ticket
            .entry(*t)
            .or_insert_with(|| h.state().notes(*t).into_iter().map(|n| n.details).collect());
    }
    for ((t, m), want) in &e.notes {
        let exact = format!("<p>{m}</p>");
        let count = notes_by_ticket[t].iter().filter(|d| **d == exact).count();
        if count != *want {
            problems.push(format!("note {m} on ticket {t}: {count} copies of {want}"));
        }
    }
    for (m, want) in &e.tickets {
        let count = h.state().read(|t| {
            t.tickets
                .iter()
                .filter(|r| !r.deleted && &*r.title == m)
                .count()
        });
        if count != *want {
            problems.push(format!("ticket {m}: {count} copies of {want}"));
        }
    }
    for ((t, m), want) in &e.time_logs {
        let count = h
            .state()
            .time_logs(*t)
            .iter()
            .filter(|l| l.notes.as_deref() == Some(m.as_str()))
            .count();
        if count != *want {
            problems.push(format!(
                "time log {m} on ticket {t}: {count} copies of {want}"
            ));
        }
    }
    let twice = e
        .notes
        .values()
        .chain(e.tickets.values())
        .chain(e.time_logs.values())
        .filter(|n| **n == 2)
        .count();
    let stats = h.state().stats();
    eprintln!(
        "soak: {secs}s, {} notes, {} tickets, {} time logs ({twice} of them written twice on purpose); done at once {}, queued {}, delivered from the outbox {}; {} requests, faults {:?}",
        e.notes.values().sum::<usize>(),
        e.tickets.values().sum::<usize>(),
        e.time_logs.values().sum::<usize>(),
        tally.done.load(Ordering::Relaxed),
        tally.queued.load(Ordering::Relaxed),
        tally.flushed.load(Ordering::Relaxed),
        stats.total,
        stats.faults
    );
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
    assert!(
        e.notes.len() + e.tickets.len() > 10,
        "the soak did some work"
    );
    assert!(
        stats.faults.values().sum::<u64>() > 0,
        "faults were injected"
    );
}
