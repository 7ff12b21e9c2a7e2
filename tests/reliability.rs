//! Writes under fault injection, through `Actions` (the path the CLI and the TUI use): each
//! lands exactly once or waits in the outbox; nothing is lost, nothing is duplicated.

use crate::common;

use std::time::{Duration, Instant};

use bmsdesk_bms::{client::Client, client::ClientOptions};
use bmsdesk_core::actions::{Actions, Outcome, WriteOp, WriteResult};
use bmsdesk_core::error::ApiError;
use bmsdesk_core::model::{AssignInput, Id, NoteInput, PatchOp, TicketInput, TimeLogInput};
use bmsdesk_core::retry::worth_keeping;
use bmsdesk_core::store::audit::AuditLog;
use bmsdesk_core::store::outbox::{ItemState, Outbox, Receipt};
use bmsdesk_sim::{self as sim, Faults, SimConfig, SimHandle};
use chrono::NaiveDate;
use common::*;
use serde_json::json;

const NOTES_POST: &str = "POST /v2/servicedesk/tickets/{id}/notes";
const TICKETS_POST: &str = "POST /v2/servicedesk/tickets";

struct Rig {
    h: SimHandle,
    client: Client,
    actions: Actions,
    dir: tempfile::TempDir,
}

fn opts(h: &SimHandle) -> ClientOptions {
    let mut o = options(h, sim::DEMO_USER);
    o.timeout = Duration::from_secs(2);
    o
}

async fn rig_with(cfg: SimConfig, tweak: impl FnOnce(&mut ClientOptions)) -> Rig {
    let h = start(cfg).await;
    let mut o = opts(&h);
    tweak(&mut o);
    let client = Client::new(o).unwrap();
    client.login().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let actions = Actions::new(
        client.clone(),
        Some(AuditLog::new(dir.path().join("audit"))),
    )
    .with_outbox(Outbox::new(dir.path().join("outbox")));
    Rig {
        h,
        client,
        actions,
        dir,
    }
}

async fn rig() -> Rig {
    rig_with(small(), |_| {}).await
}

impl Rig {
    fn ticket(&self, n: usize) -> Id {
        self.h.state().read(|t| t.tickets[n].id)
    }
    fn outbox(&self) -> Outbox {
        Outbox::new(self.dir.path().join("outbox"))
    }
    fn copies(&self, ticket: Id, marker: &str) -> usize {
        self.h
            .state()
            .notes(ticket)
            .iter()
            .filter(|n| n.details.contains(marker))
            .count()
    }
    fn audit(&self) -> Vec<serde_json::Value> {
        let log = AuditLog::new(self.dir.path().join("audit"));
        log.read_day(bmsdesk_core::clock::local_now().date_naive())
            .unwrap()
            .into_iter()
            .map(|e| serde_json::to_value(e).unwrap())
            .collect()
    }
}

fn add_note(ticket: Id, marker: &str) -> WriteOp {
    WriteOp::AddNote {
        ticket_id: ticket,
        input: NoteInput {
            details: format!("<p>{marker}</p>"),
            is_internal: true,
            type_id: 1,
            note_date: bmsdesk_core::clock::now(),
            status_id: None,
        },
    }
}

fn create_op(h: &SimHandle, title: &str) -> WriteOp {
    let input = h.state().read(|t| {
        let a = &t.accounts[1];
        TicketInput {
            title: title.into(),
            details: "<p>Created under faults</p>".into(),
            account_id: a.id,
            location_id: a.locations[0],
            status_id: t.refs.status_id("New"),
            priority_id: t.refs.priority_id("Low"),
            type_id: t.refs.ticket_type_id("Incident"),
            source_id: 0,
            open_date: bmsdesk_core::clock::now(),
            contact_id: None,
            queue_id: Some(t.refs.queue_id("Help Desk")),
            assignee_id: None,
            issue_type_id: None,
            sub_issue_type_id: None,
            work_type_id: None,
            due_date: None,
        }
    });
    WriteOp::CreateTicket { input }
}

fn titled(h: &SimHandle, title: &str) -> usize {
    h.state().read(|t| {
        t.tickets
            .iter()
            .filter(|r| !r.deleted && &*r.title == title)
            .count()
    })
}

/// `f` for writes under `path` only (not the ticket search, a read sent as POST).
fn posts_only(path: &str, f: Faults) -> Faults {
    Faults {
        methods: vec!["POST".into()],
        path_contains: Some(path.into()),
        path_excludes: Some("/search".into()),
        ..f
    }
}

async fn done(actions: &Actions, op: WriteOp) -> WriteResult {
    match actions.submit(op).await.unwrap() {
        Outcome::Done(r) => r,
        q => panic!("expected the write to land, got {q:?}"),
    }
}

#[tokio::test]
async fn a_note_whose_reply_is_dropped_lands_once_and_is_not_resent() {
    let r = rig().await;
    let t = r.ticket(0);
    // The server adds the note, then the connection drops mid-reply.
    r.h.state().set_faults(posts_only(
        "/notes",
        Faults {
            drop: 1.0,
            limit: Some(1),
            ..Default::default()
        },
    ));
    let note = done(&r.actions, add_note(t, "drop-7a1"))
        .await
        .note()
        .unwrap();
    assert!(note.details.contains("drop-7a1"));
    assert_eq!(r.copies(t, "drop-7a1"), 1);
    let stats = r.h.state().stats();
    assert_eq!(stats.faults.get("dropped"), Some(&1));
    assert_eq!(
        stats.count(NOTES_POST),
        1,
        "found by re-reading, not sent again"
    );
    assert!(
        r.outbox().list().is_empty(),
        "delivered items leave the outbox"
    );
}

#[tokio::test]
async fn a_note_whose_connection_is_reset_before_acting_is_sent_again_once() {
    let r = rig().await;
    let t = r.ticket(1);
    r.h.state().set_faults(posts_only(
        "/notes",
        Faults {
            reset: 1.0,
            limit: Some(1),
            ..Default::default()
        },
    ));
    done(&r.actions, add_note(t, "reset-3c9")).await;
    assert_eq!(r.copies(t, "reset-3c9"), 1);
    assert_eq!(r.h.state().stats().count(NOTES_POST), 2);
}

#[tokio::test]
async fn a_reply_that_times_out_after_the_server_acted_is_not_duplicated() {
    let r = rig_with(small(), |o| o.timeout = Duration::from_millis(700)).await;
    let t = r.ticket(2);
    r.h.state().set_faults(posts_only(
        "/notes",
        Faults {
            stall: 1.0,
            stall_ms: 2_000,
            limit: Some(1),
            ..Default::default()
        },
    ));
    done(&r.actions, add_note(t, "stall-5e2")).await;
    assert_eq!(r.copies(t, "stall-5e2"), 1);
    assert_eq!(r.h.state().stats().count(NOTES_POST), 1);
}

#[tokio::test]
async fn notes_under_random_drops_and_resets_each_land_exactly_once() {
    let r = rig().await;
    let t = r.ticket(3);
    // Every kind of failure, on writes and reads alike.
    r.h.state().set_faults(Faults {
        drop: 0.2,
        reset: 0.2,
        unavailable: 0.05,
        malformed: 0.05,
        retry_after_secs: 0,
        seed: Some(11),
        ..Default::default()
    });
    let mut queued = 0;
    for i in 0..24 {
        match r
            .actions
            .submit(add_note(t, &format!("mix-{i:02}-q")))
            .await
        {
            Ok(Outcome::Done(_)) => {}
            Ok(Outcome::Queued { .. }) => queued += 1,
            Err(e) => panic!("note {i} refused: {e}"),
        }
    }
    r.h.state().clear_faults();
    // Items queued early may have gone out ahead of later submits already.
    let pending = r.outbox().pending().len();
    assert!(pending <= queued);
    let flushed = r.actions.flush_outbox().await;
    assert_eq!(flushed.len(), pending);
    assert!(flushed.iter().all(|(_, res)| res.is_ok()), "{flushed:?}");
    assert!(r.outbox().list().is_empty());
    for i in 0..24 {
        assert_eq!(r.copies(t, &format!("mix-{i:02}-q")), 1, "note {i}");
    }
    let s = r.h.state().stats();
    assert!(
        s.faults.values().sum::<u64>() > 5,
        "faults were injected: {s:?}"
    );
}

#[tokio::test]
async fn a_rate_limit_storm_is_ridden_out() {
    let r = rig().await;
    let t = r.ticket(4);
    r.h.state().set_faults(Faults {
        rate_limit_every: 1,
        retry_after_secs: 0,
        limit: Some(4),
        ..Default::default()
    });
    done(&r.actions, add_note(t, "storm-1f0")).await;
    assert_eq!(r.copies(t, "storm-1f0"), 1);
    assert_eq!(r.h.state().stats().faults.get("rateLimited"), Some(&4));

    // A longer storm than the client waits out: queued, then delivered once it passes.
    r.h.state().set_faults(Faults {
        rate_limit_every: 1,
        retry_after_secs: 0,
        limit: Some(40),
        ..Default::default()
    });
    let Outcome::Queued {
        item: seq, reason, ..
    } = r.actions.submit(add_note(t, "storm-2a8")).await.unwrap()
    else {
        panic!("expected queued");
    };
    assert!(reason.contains("429"), "{reason}");
    let item = r.outbox().get(seq).unwrap();
    assert!(
        !item.maybe_sent,
        "a refused write is known not to have landed"
    );
    r.h.state().clear_faults();
    let flushed = r.actions.flush_outbox().await;
    assert_eq!(flushed.len(), 1);
    assert!(flushed[0].1.is_ok());
    assert_eq!(r.copies(t, "storm-2a8"), 1);
}

#[tokio::test]
async fn retry_after_as_an_http_date_is_honoured() {
    // Also from a server whose clock is off: the date is read against its own `Date`.
    for skew in [0, -300, 300] {
        let r = rig().await;
        r.h.state().set_faults(Faults {
            rate_limit: 1.0,
            retry_after_secs: 2,
            retry_after_as_date: true,
            limit: Some(1),
            methods: vec!["GET".into()],
            clock_skew_secs: skew,
            ..Default::default()
        });
        let started = Instant::now();
        r.client
            .lookup(bmsdesk_core::lookups::LookupKind::Priorities)
            .await
            .unwrap();
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(1900) && waited < Duration::from_secs(30),
            "{waited:?} with the server clock {skew}s off"
        );
    }
}

#[tokio::test]
async fn the_budget_counts_per_endpoint_and_a_429_empties_it() {
    let r = rig_with(small(), |o| o.max_retries = 0).await;
    for _ in 0..3 {
        r.client.ticket(r.ticket(0)).await.unwrap();
    }
    let b = r.client.budget();
    let get = b.get("GET /v2/servicedesk/tickets/{id}").unwrap();
    assert_eq!((get.used, get.remaining, get.limit), (3, 1497, 1500));
    assert_eq!(
        b.suggested_refresh_interval(Duration::from_secs(30)),
        Duration::from_secs(30)
    );
    r.h.state().set_faults(Faults {
        rate_limit: 1.0,
        retry_after_secs: 120,
        path_contains: Some("/statuses".into()),
        ..Default::default()
    });
    let err = r
        .client
        .lookup(bmsdesk_core::lookups::LookupKind::Statuses)
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Http { status: 429, .. }), "{err:?}");
    let b = r.client.budget();
    let tight = b.tightest().unwrap();
    assert_eq!(tight.endpoint, "GET /v2/system/statuses/lookup");
    assert_eq!(tight.remaining, 0);
    assert!(tight.throttled_for.unwrap() > Duration::from_secs(100));
    assert!(b.suggested_refresh_interval(Duration::from_secs(30)) > Duration::from_secs(100));
    assert!(
        r.client.suggested_refresh_interval(Duration::from_secs(30)) > Duration::from_secs(100)
    );
}

#[tokio::test]
async fn token_expiry_mid_session_is_invisible() {
    let r = rig_with(
        SimConfig {
            access_ttl: Duration::from_secs(2),
            ..small()
        },
        |_| {},
    )
    .await;
    let t = r.ticket(5);
    done(&r.actions, add_note(t, "tok-1")).await;
    // Every access token revoked by the server.
    r.h.state().expire_access_tokens();
    done(&r.actions, add_note(t, "tok-2")).await;
    // A write answered 401 (as an expired token is): renewed and sent again.
    r.h.state().set_faults(posts_only(
        "/notes",
        Faults {
            unauthorized: 1.0,
            limit: Some(1),
            ..Default::default()
        },
    ));
    done(&r.actions, add_note(t, "tok-3")).await;
    // Access and refresh tokens both gone: a fresh sign-in with the password.
    r.h.state().clear_faults();
    r.h.state().expire_all_tokens();
    done(&r.actions, add_note(t, "tok-4")).await;
    // The short lifetime runs out on its own.
    tokio::time::sleep(Duration::from_millis(2100)).await;
    done(&r.actions, add_note(t, "tok-5")).await;
    for m in ["tok-1", "tok-2", "tok-3", "tok-4", "tok-5"] {
        assert_eq!(r.copies(t, m), 1, "{m}");
    }
}

#[tokio::test]
async fn a_create_with_an_unknown_outcome_is_not_duplicated() {
    let r = rig().await;
    let before = r.h.state().ticket_count();
    // The reply to the create is cut off after the ticket was made.
    r.h.state().set_faults(Faults {
        drop: 1.0,
        limit: Some(1),
        methods: vec!["POST".into()],
        path_contains: Some("/servicedesk/tickets".into()),
        path_excludes: Some("/search".into()),
        ..Default::default()
    });
    let t = done(&r.actions, create_op(&r.h, "Unknown outcome 4d1"))
        .await
        .ticket()
        .unwrap();
    assert_eq!(t.row.title, "Unknown outcome 4d1");
    assert_eq!(titled(&r.h, "Unknown outcome 4d1"), 1);
    assert_eq!(r.h.state().ticket_count(), before + 1);
    assert_eq!(r.h.state().stats().count(TICKETS_POST), 1);

    // A garbled 200 (the server acted): same.
    r.h.state().set_faults(Faults {
        malformed: 1.0,
        limit: Some(1),
        methods: vec!["POST".into()],
        path_contains: Some("/servicedesk/tickets".into()),
        path_excludes: Some("/search".into()),
        ..Default::default()
    });
    done(&r.actions, create_op(&r.h, "Garbled reply 8b2")).await;
    assert_eq!(titled(&r.h, "Garbled reply 8b2"), 1);

    // A 500 after which the server had done nothing: checked, then sent again once.
    r.h.state().set_faults(Faults {
        server_error: 1.0,
        limit: Some(1),
        methods: vec!["POST".into()],
        path_contains: Some("/servicedesk/tickets".into()),
        path_excludes: Some("/search".into()),
        ..Default::default()
    });
    r.h.state().reset_stats();
    done(&r.actions, create_op(&r.h, "After a 500 c3e")).await;
    assert_eq!(titled(&r.h, "After a 500 c3e"), 1);
    assert_eq!(r.h.state().stats().count(TICKETS_POST), 2);
}

#[tokio::test]
async fn assign_delete_patch_and_time_survive_dropped_replies() {
    let r = rig().await;
    let drop_once = |method: &str| Faults {
        drop: 1.0,
        limit: Some(1),
        methods: vec![method.into()],
        path_contains: Some("/servicedesk/tickets/".into()),
        ..Default::default()
    };
    let t = r.ticket(6);
    let queue = r.h.state().read(|x| x.refs.queue_id("Help Desk"));

    r.h.state().set_faults(drop_once("POST"));
    done(&r.actions, assign_op(&r, t, "assign-9d3")).await;
    assert_eq!(r.copies(t, "assign-9d3"), 1, "one assignment note");
    assert_eq!(r.h.state().ticket(t).unwrap().row.queue_id, Some(queue));

    r.h.state().set_faults(drop_once("POST"));
    let log = done(&r.actions, time_log_op(&r, t, "time-2b7"))
        .await
        .time_log()
        .unwrap();
    assert!(log.id > 0);
    assert_eq!(time_logs_marked(&r, t, "time-2b7"), 1);

    r.h.state().set_faults(drop_once("PATCH"));
    let high = r.h.state().read(|x| x.refs.priority_id("High"));
    let patched = done(
        &r.actions,
        WriteOp::PatchTicket {
            ticket_id: t,
            ops: vec![PatchOp::replace("/PriorityId", json!(high))],
        },
    )
    .await
    .ticket()
    .unwrap();
    assert_eq!(patched.row.priority_id, Some(high));

    r.h.state().set_faults(drop_once("DELETE"));
    done(&r.actions, WriteOp::DeleteTicket { ticket_id: t }).await;
    assert!(r.h.state().ticket(t).is_none());
    r.h.state().clear_faults();
    // Undo information was read before the delete.
    let audit = r.audit();
    let del = audit
        .iter()
        .find(|e| e["command"] == "tickets.delete")
        .unwrap();
    assert_eq!(del["status"], "ok");
    assert_eq!(del["revert_info"]["id"], json!(t));
}

#[tokio::test]
async fn an_outage_queues_writes_and_a_flush_delivers_them_in_order() {
    let r = rig().await;
    let t = r.ticket(7);
    // Nothing gets through: every connection is cut before the server acts.
    r.h.state().set_faults(Faults {
        reset: 1.0,
        ..Default::default()
    });
    let mut seqs = Vec::new();
    for i in 0..3 {
        match r
            .actions
            .submit(add_note(t, &format!("order-{i}-x")))
            .await
            .unwrap()
        {
            Outcome::Queued {
                item: seq, reason, ..
            } => {
                assert!(
                    reason.contains("cannot reach") || reason.contains("waiting for"),
                    "{reason}"
                );
                seqs.push(seq);
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(seqs, vec![1, 2, 3]);
    let items = r.outbox().list();
    assert_eq!(items.len(), 3);
    // Not even what the ticket held before could be read: known not to have been sent.
    assert!(!items[0].maybe_sent, "{:?}", items[0]);
    assert!(
        items[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("cannot reach")
    );
    // Later items waited behind the first instead of overtaking it.
    assert!(
        items[2]
            .last_error
            .as_deref()
            .unwrap()
            .contains("waiting for outbox item 1")
    );
    assert_eq!(r.copies(t, "order-"), 0);

    r.h.state().clear_faults();
    let flushed = r.actions.flush_outbox().await;
    let order: Vec<u64> = flushed.iter().map(|(s, _)| *s).collect();
    assert_eq!(order, vec![1, 2, 3]);
    assert!(flushed.iter().all(|(_, res)| res.is_ok()));
    let notes = r.h.state().notes(t);
    let texts: Vec<&str> = notes
        .iter()
        .filter(|n| n.details.contains("order-"))
        .map(|n| n.details.as_str())
        .collect();
    assert_eq!(texts.len(), 3, "{texts:?}");
    let ids: Vec<Id> = notes
        .iter()
        .filter(|n| n.details.contains("order-"))
        .map(|n| n.id)
        .collect();
    let mut sorted = ids.clone();
    sorted.sort();
    let by_id: Vec<String> = sorted
        .iter()
        .map(|id| notes.iter().find(|n| n.id == *id).unwrap().details.clone())
        .collect();
    assert!(
        by_id[0].contains("order-0")
            && by_id[1].contains("order-1")
            && by_id[2].contains("order-2")
    );
    assert!(r.outbox().list().is_empty());
    // The audit log tells the whole story: queued, then delivered.
    let audit = r.audit();
    let queued = audit
        .iter()
        .filter(|e| {
            e["status"] == "error"
                && e["error"]
                    .as_str()
                    .unwrap()
                    .contains("queued as outbox item")
        })
        .count();
    let delivered = audit
        .iter()
        .filter(|e| e["status"] == "ok" && e["args_sanitized"]["outbox_item"].is_u64())
        .count();
    assert_eq!((queued, delivered), (3, 3));
}

#[tokio::test]
async fn a_conflict_is_kept_with_the_server_message_until_dropped() {
    let r = rig().await;
    let (gone, alive) = (r.ticket(8), r.ticket(9));
    r.h.state().set_faults(Faults {
        reset: 1.0,
        ..Default::default()
    });
    let q1 = r
        .actions
        .submit(add_note(gone, "conflict-a"))
        .await
        .unwrap();
    let q2 = r
        .actions
        .submit(add_note(alive, "conflict-b"))
        .await
        .unwrap();
    assert!(
        matches!(q1, Outcome::Queued { item: 1, .. })
            && matches!(q2, Outcome::Queued { item: 2, .. })
    );
    r.h.state().clear_faults();
    // Meanwhile someone deletes the first ticket.
    r.client.delete_ticket(gone).await.unwrap();

    let flushed = r.actions.flush_outbox().await;
    assert_eq!(flushed.len(), 2, "a conflict does not block later items");
    let err = flushed[0].1.as_ref().unwrap_err();
    assert!(
        matches!(err, ApiError::NotFound(_)) && !worth_keeping(err),
        "{err:?}"
    );
    assert!(flushed[1].1.is_ok());
    assert_eq!(r.copies(alive, "conflict-b"), 1);

    let items = r.outbox().list();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].state, ItemState::Conflict);
    let msg = items[0].last_error.as_deref().unwrap();
    assert!(
        msg.contains(&gone.to_string()) && msg.to_lowercase().contains("not found"),
        "{msg}"
    );
    // Flushing again does not touch a conflict; retrying it explicitly still fails.
    assert!(r.actions.flush_outbox().await.is_empty());
    assert!(r.actions.retry_outbox_item(1).await.is_err());
    assert_eq!(r.outbox().get(1).unwrap().state, ItemState::Conflict);

    let dropped = r.actions.drop_outbox_item(1).await.unwrap();
    assert_eq!(dropped.seq, 1);
    assert!(r.outbox().list().is_empty());
    let audit = r.audit();
    assert!(audit.iter().any(|e| {
        e["command"] == "outbox.drop"
            && e["args_sanitized"]["outbox_item"] == 1
            && e["args_sanitized"]["args"]["note"]["Details"]
                .as_str()
                .is_some_and(|d| d.contains("conflict-a"))
    }));
    assert!(audit.iter().any(|e| {
        e["error"]
            .as_str()
            .is_some_and(|m| m.starts_with("conflict"))
    }));
}

#[tokio::test]
async fn a_refused_write_is_an_error_not_a_queued_item() {
    let r = rig().await;
    let err = r
        .actions
        .submit(add_note(999_999_999, "nowhere"))
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::NotFound(_)), "{err:?}");
    assert!(
        r.outbox().list().is_empty(),
        "the caller got the error; nothing lingers"
    );
}

#[tokio::test]
async fn a_second_sender_queues_behind_the_first() {
    let r = rig().await;
    let t = r.ticket(10);
    let other = r.outbox();
    let held = other.try_lock().unwrap().unwrap();
    let actions = r
        .actions
        .clone()
        .with_outbox_lock_wait(Duration::from_millis(200));
    let out = actions.submit(add_note(t, "behind-1")).await.unwrap();
    assert!(matches!(out, Outcome::Queued { item: 1, .. }), "{out:?}");
    assert_eq!(r.copies(t, "behind-1"), 0);
    assert!(
        actions.flush_outbox().await.is_empty(),
        "busy: nothing sent"
    );
    drop(held);
    let flushed = actions.flush_outbox().await;
    assert_eq!(flushed.len(), 1);
    assert_eq!(r.copies(t, "behind-1"), 1);
}

/// Starts `op` through `actions` while the test holds the outbox lock (another sender is
/// busy), and returns once the write is stored as item `seq` and waiting for the lock.
async fn submit_behind_lock(
    r: &Rig,
    op: WriteOp,
) -> (tokio::task::JoinHandle<Result<Outcome, ApiError>>, u64) {
    let actions = r
        .actions
        .clone()
        .with_outbox_lock_wait(Duration::from_secs(20));
    let task = tokio::spawn(async move { actions.submit(op).await });
    let ob = r.outbox();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(item) = ob.list().first() {
            return (task, item.seq);
        }
        assert!(Instant::now() < deadline, "the write was never stored");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_write_another_sender_delivered_meanwhile_gets_that_senders_answer() {
    let r = rig().await;
    let t = r.ticket(12);
    let ob = r.outbox();
    let held = ob.try_lock().unwrap().unwrap();
    let op = add_note(t, "relay-1");
    let (task, seq) = submit_behind_lock(&r, op.clone()).await;
    // The other sender delivers it and says so, as `flush_outbox` does.
    let sent = op.execute(&r.client).await.unwrap();
    let result = serde_json::to_value(&sent).unwrap();
    ob.finish(seq, &Receipt::Delivered { result }).unwrap();
    r.h.state().reset_stats();
    drop(held);

    let out = task.await.unwrap().unwrap();
    assert_eq!(out, Outcome::Done(sent.clone()), "the server's own answer");
    assert!(matches!(sent, WriteResult::Note(ref n) if n.id > 0));
    assert_eq!(r.copies(t, "relay-1"), 1);
    assert_eq!(
        r.h.state().stats().total,
        0,
        "no resend and no server check were needed"
    );
    assert_eq!(ob.take_receipt(seq), None, "the receipt was taken");
}

#[tokio::test]
async fn a_queued_write_flushed_by_another_sender_leaves_a_receipt() {
    let r = rig().await;
    let t = r.ticket(13);
    let ob = r.outbox();
    let item = ob.enqueue(add_note(t, "relay-2")).unwrap();
    let flushed = r.actions.flush_outbox().await;
    let Ok(WriteResult::Note(note)) = &flushed[0].1 else {
        panic!("delivered: {flushed:?}")
    };
    match ob.take_receipt(item.seq) {
        Some(Receipt::Delivered { result }) => {
            let back = WriteResult::from_stored(&item.op, result).unwrap();
            assert_eq!(back, WriteResult::Note(note.clone()));
        }
        other => panic!("expected a delivery receipt, got {other:?}"),
    }
    assert!(ob.list().is_empty());
}

#[tokio::test]
async fn a_write_dropped_by_the_user_meanwhile_is_reported_as_dropped() {
    let r = rig().await;
    let t = r.ticket(14);
    let ob = r.outbox();
    let held = ob.try_lock().unwrap().unwrap();
    let (task, seq) = submit_behind_lock(&r, add_note(t, "relay-3")).await;
    ob.finish(seq, &Receipt::Dropped).unwrap();
    drop(held);
    let err = task.await.unwrap().unwrap_err();
    assert!(err.to_string().contains("dropped"), "{err}");
    assert_eq!(r.copies(t, "relay-3"), 0);
}

#[tokio::test]
async fn without_a_receipt_the_server_check_rides_out_an_outage() {
    // No retries inside the client: each failed check reaches `submit`, which must wait and
    // ask again rather than report a delivered write as failed (found by the soak test).
    let r = rig_with(small(), |o| o.max_retries = 0).await;
    let t = r.ticket(15);
    let ob = r.outbox();
    let held = ob.try_lock().unwrap().unwrap();
    let op = add_note(t, "relay-4");
    let (task, seq) = submit_behind_lock(&r, op.clone()).await;
    op.execute(&r.client).await.unwrap();
    ob.remove(seq).unwrap();
    r.h.state().set_faults(Faults {
        reset: 1.0,
        methods: vec!["GET".into()],
        path_contains: Some("/notes".into()),
        limit: Some(2),
        ..Faults::default()
    });
    drop(held);
    let out = task.await.unwrap().unwrap();
    assert!(
        matches!(out, Outcome::Done(WriteResult::Note(ref n)) if n.details.contains("relay-4")),
        "{out:?}"
    );
    assert_eq!(r.copies(t, "relay-4"), 1, "found, not sent again");
    let faults: u64 = r.h.state().stats().faults.values().sum();
    assert_eq!(faults, 2, "both failed checks happened");
}

#[tokio::test]
async fn an_item_left_maybe_sent_by_a_crash_is_checked_before_it_is_sent() {
    let r = rig().await;
    let t = r.ticket(11);
    // What a killed process leaves: the item, marked "maybe sent", and the note on the
    // server (it landed just before the kill).
    let ob = r.outbox();
    let op = add_note(t, "crash-6f1");
    let mut item = ob.enqueue(op.clone()).unwrap();
    item.maybe_sent = true;
    item.sent_at = Some(bmsdesk_core::clock::now());
    item.attempts = 1;
    ob.save(&item).unwrap();
    op.execute(&r.client).await.unwrap();
    r.h.state().reset_stats();

    let flushed = r.actions.flush_outbox().await;
    assert_eq!(flushed.len(), 1);
    assert!(flushed[0].1.is_ok());
    assert_eq!(r.copies(t, "crash-6f1"), 1);
    assert_eq!(r.h.state().stats().count(NOTES_POST), 0, "not sent again");
    assert!(ob.list().is_empty());

    // And one that had not landed is sent.
    let op = add_note(t, "crash-6f2");
    let mut item = ob.enqueue(op).unwrap();
    item.maybe_sent = true;
    item.sent_at = Some(bmsdesk_core::clock::now());
    ob.save(&item).unwrap();
    assert!(r.actions.flush_outbox().await[0].1.is_ok());
    assert_eq!(r.copies(t, "crash-6f2"), 1);
}

// ----- write identity: only what this write produced is taken for it -------------------

/// The next POST under `path` has its connection cut before the server acts.
fn reset_next_post(path: &str) -> Faults {
    posts_only(
        path,
        Faults {
            reset: 1.0,
            limit: Some(1),
            ..Default::default()
        },
    )
}

/// The next POST under `path` is carried out, then its reply is lost; the server's clock is
/// `skew_secs` off.
fn drop_next_post(path: &str, skew_secs: i64) -> Faults {
    posts_only(
        path,
        Faults {
            drop: 1.0,
            limit: Some(1),
            clock_skew_secs: skew_secs,
            ..Default::default()
        },
    )
}

fn time_log_op(r: &Rig, ticket: Id, marker: &str) -> WriteOp {
    let (work, role) =
        r.h.state()
            .read(|x| (x.refs.work_types[0].id, x.refs.roles[0].id));
    WriteOp::AddTimeLog {
        ticket_id: ticket,
        input: TimeLogInput {
            start_date: NaiveDate::from_ymd_opt(2025, 2, 3).unwrap(),
            start_time: "09:00:00".into(),
            end_time: "09:15:00".into(),
            work_type_id: work,
            role_id: role,
            timespent: None,
            notes: Some(marker.into()),
            internal_notes: None,
            user_id: None,
            status_id: None,
        },
    }
}

fn assign_op(r: &Rig, ticket: Id, marker: &str) -> WriteOp {
    let (queue, status) = r.h.state().read(|x| {
        (
            x.refs.queue_id("Help Desk"),
            x.refs.status_id("In Progress"),
        )
    });
    WriteOp::AssignTicket {
        ticket_id: ticket,
        input: AssignInput {
            details: format!("<p>{marker}</p>"),
            is_internal: true,
            type_id: 1,
            status_id: status,
            note_date: bmsdesk_core::clock::now(),
            assignee_id: None,
            queue_id: Some(queue),
        },
    }
}

fn time_logs_marked(r: &Rig, ticket: Id, marker: &str) -> usize {
    r.h.state()
        .time_logs(ticket)
        .iter()
        .filter(|l| l.notes.as_deref() == Some(marker))
        .count()
}

#[tokio::test]
async fn an_identical_note_written_again_is_not_taken_for_the_first() {
    let r = rig().await;
    let t = r.ticket(16);
    // The very same write twice (same text, same note date), the second one cut off before
    // the server acted: the first note on the server is not the second one's.
    let op = add_note(t, "Left voicemail for the user");
    let first = done(&r.actions, op.clone()).await.note().unwrap();
    r.h.state().set_faults(reset_next_post("/notes"));
    let second = done(&r.actions, op).await.note().unwrap();
    assert_ne!(first.id, second.id, "the second got its own note");
    assert_eq!(r.copies(t, "Left voicemail for the user"), 2);
    assert_eq!(r.h.state().stats().faults.get("reset"), Some(&1));
    // A third, whose reply is lost after the server acted: found as itself, not resent.
    r.h.state().set_faults(drop_next_post("/notes", 0));
    let third = done(&r.actions, add_note(t, "Left voicemail for the user"))
        .await
        .note()
        .unwrap();
    assert!(third.id != first.id && third.id != second.id);
    assert_eq!(r.copies(t, "Left voicemail for the user"), 3);
}

#[tokio::test]
async fn an_identical_ticket_created_again_is_not_taken_for_the_first() {
    let r = rig().await;
    // Two callers, one template: same title, same account.
    let op = create_op(&r.h, "Printer offline (template) 7e2");
    let first = done(&r.actions, op.clone()).await.ticket().unwrap();
    r.h.state()
        .set_faults(reset_next_post("/servicedesk/tickets"));
    let second = done(&r.actions, op).await.ticket().unwrap();
    assert_ne!(first.row.id, second.row.id);
    assert_eq!(titled(&r.h, "Printer offline (template) 7e2"), 2);
    assert_eq!(r.h.state().stats().faults.get("reset"), Some(&1));
    assert_eq!(
        r.h.state().stats().count(TICKETS_POST),
        3,
        "cut, then sent again"
    );
}

#[tokio::test]
async fn an_identical_time_log_written_again_is_not_taken_for_the_first() {
    let r = rig().await;
    let t = r.ticket(17);
    let op = time_log_op(&r, t, "same-span-4c1");
    let first = done(&r.actions, op.clone()).await.time_log().unwrap();
    r.h.state().set_faults(reset_next_post("/timelogs"));
    let second = done(&r.actions, op).await.time_log().unwrap();
    assert_ne!(first.id, second.id);
    assert_eq!(time_logs_marked(&r, t, "same-span-4c1"), 2);
    assert_eq!(r.h.state().stats().faults.get("reset"), Some(&1));
}

#[tokio::test]
async fn an_identical_assignment_written_again_is_not_taken_for_the_first() {
    let r = rig().await;
    let t = r.ticket(18);
    let op = assign_op(&r, t, "assign-again-5d0");
    done(&r.actions, op.clone()).await;
    r.h.state().set_faults(reset_next_post("/assignticket"));
    done(&r.actions, op).await;
    assert_eq!(
        r.copies(t, "assign-again-5d0"),
        2,
        "both assignments wrote their note"
    );
    assert_eq!(r.h.state().stats().faults.get("reset"), Some(&1));
}

#[tokio::test]
async fn a_server_clock_minutes_or_hours_off_does_not_duplicate_a_write_whose_reply_was_lost() {
    for skew in [-300, 300, -7200] {
        let r = rig().await;
        let t = r.ticket(19);
        let note = format!("skewed-note {skew}");
        r.h.state().set_faults(drop_next_post("/notes", skew));
        done(&r.actions, add_note(t, &note)).await;
        assert_eq!(r.copies(t, &note), 1, "note, server clock {skew}s off");
        let offset = r.client.server_offset().expect("measured from Date");
        // Within the reply's travel time (loose: a loaded machine is slow, not wrong).
        assert!(
            (offset.num_seconds() - skew).abs() <= 30,
            "{offset:?} for {skew}"
        );

        let title = format!("Skewed create {skew}");
        r.h.state()
            .set_faults(drop_next_post("/servicedesk/tickets", skew));
        done(&r.actions, create_op(&r.h, &title)).await;
        assert_eq!(titled(&r.h, &title), 1, "ticket, server clock {skew}s off");

        let marker = format!("skewed-log {skew}");
        r.h.state().set_faults(drop_next_post("/timelogs", skew));
        done(&r.actions, time_log_op(&r, t, &marker)).await;
        assert_eq!(time_logs_marked(&r, t, &marker), 1, "time log, {skew}s");
        assert_eq!(r.h.state().stats().faults.get("dropped"), Some(&3));
    }
}

#[tokio::test]
async fn writes_that_reads_show_only_5s_later_are_not_sent_twice() {
    let r = rig_with(small(), |o| o.check_window = Duration::from_secs(8)).await;
    let t = r.ticket(20);
    let lagging = |path: &str| Faults {
        read_lag_ms: 5_000,
        ..drop_next_post(path, 0)
    };
    r.h.state().set_faults(lagging("/notes"));
    done(&r.actions, add_note(t, "lagging-note-8a3")).await;
    assert_eq!(r.copies(t, "lagging-note-8a3"), 1);
    assert_eq!(
        r.h.state().stats().count(NOTES_POST),
        1,
        "found, not resent"
    );

    r.h.state().set_faults(lagging("/servicedesk/tickets"));
    done(&r.actions, create_op(&r.h, "Lagging create 8a4")).await;
    assert_eq!(titled(&r.h, "Lagging create 8a4"), 1);
}

#[tokio::test]
async fn under_read_lag_an_identical_note_written_again_still_lands_twice() {
    // The first note is not in the lists yet when the second one's "before" is read: the
    // outbox remembers what its own writes created.
    let r = rig_with(small(), |o| o.check_window = Duration::from_secs(3)).await;
    let t = r.ticket(21);
    let op = add_note(t, "lag-twice-2f9");
    r.h.state().set_faults(Faults {
        read_lag_ms: 2_000,
        ..Default::default()
    });
    done(&r.actions, op.clone()).await;
    r.h.state().set_faults(Faults {
        read_lag_ms: 2_000,
        ..reset_next_post("/notes")
    });
    done(&r.actions, op).await;
    assert_eq!(r.copies(t, "lag-twice-2f9"), 2);
}

#[tokio::test]
async fn whoever_delivers_a_note_clears_the_draft_it_was_sent_from() {
    use bmsdesk_core::store::drafts::{DraftStore, NoteDraft};
    let r = rig().await;
    let t = r.ticket(22);
    let drafts = DraftStore::new(r.dir.path().join("drafts"));
    // A TUI queued the note from its draft (and died); `outbox retry` in a shell sends it.
    let sent = NoteDraft::new(t, "draft-note-6b2");
    drafts.save(&sent).unwrap();
    r.outbox()
        .enqueue_from(add_note(t, "draft-note-6b2"), Some(sent.key()))
        .unwrap();
    let other = t + 1;
    let mut newer = NoteDraft::new(other, "typed after the send");
    newer.updated_at = sent.updated_at + chrono::TimeDelta::seconds(3);
    drafts.save(&newer).unwrap();
    r.outbox()
        .enqueue_from(
            add_note(other, "sent earlier"),
            Some(bmsdesk_core::store::drafts::DraftKey {
                ticket_id: other,
                saved_at: sent.updated_at,
            }),
        )
        .unwrap();
    let shell = r.actions.clone().with_drafts(drafts.clone());
    let flushed = shell.flush_outbox().await;
    assert!(flushed.iter().all(|(_, res)| res.is_ok()), "{flushed:?}");
    assert_eq!(r.copies(t, "draft-note-6b2"), 1);
    assert!(
        drafts.load(t).is_none(),
        "the delivered note's draft is gone"
    );
    assert_eq!(
        drafts.load(other).map(|d| d.text),
        Some("typed after the send".to_string()),
        "a newer draft on the same ticket stays"
    );
}

#[tokio::test]
async fn a_dropped_note_by_a_user_whose_sign_in_is_not_an_email_is_found_by_its_user_id() {
    let h = start(small()).await;
    let set_email = |email: &str| {
        h.state().write(|t| {
            let u = t
                .refs
                .users
                .iter_mut()
                .find(|u| u.id == sim::DEMO_USER_ID)
                .expect("the demo user");
            u.email = email.into();
        })
    };
    // A real API user: it signs in as `api`, and its notes carry its email.
    set_email("api");
    let mut o = options(&h, "api");
    o.timeout = Duration::from_secs(2);
    let client = Client::new(o).unwrap();
    client.login().await.unwrap();
    set_email("robot@demo.example");
    let dir = tempfile::tempdir().unwrap();
    let actions =
        Actions::new(client.clone(), None).with_outbox(Outbox::new(dir.path().join("outbox")));
    let t = h.state().read(|t| t.tickets[0].id);
    h.state().set_faults(posts_only(
        "/notes",
        Faults {
            drop: 1.0,
            limit: Some(1),
            ..Default::default()
        },
    ));
    let note = done(&actions, add_note(t, "api-user-3c9"))
        .await
        .note()
        .unwrap();
    assert_eq!(note.created_by, Some(sim::DEMO_USER_ID));
    assert_eq!(note.created_by_email.as_deref(), Some("robot@demo.example"));
    let copies = h
        .state()
        .notes(t)
        .iter()
        .filter(|n| n.details.contains("api-user-3c9"))
        .count();
    assert_eq!(copies, 1, "found by its user id, not sent again");
    assert_eq!(h.state().stats().count(NOTES_POST), 1);
}

/// `success: false` with HTTP 200: the server refused the write in the envelope. The caller
/// gets the server's message as an error, the write is not queued as "maybe sent" (nothing
/// to check or resend), and nothing landed.
#[tokio::test]
async fn a_soft_failure_is_a_refusal_not_a_write_that_may_have_landed() {
    let r = rig().await;
    let t = r.ticket(12);
    r.h.state().set_faults(posts_only(
        "/notes",
        Faults {
            soft_failure: 1.0,
            ..Default::default()
        },
    ));
    let err = r.actions.submit(add_note(t, "soft-1")).await.unwrap_err();
    assert!(
        matches!(&err, ApiError::Api { status: 200, message, .. } if message.contains("soft failure")),
        "{err:?}"
    );
    assert_eq!(
        bmsdesk_core::retry::delivery(&err),
        bmsdesk_core::retry::Delivery::Rejected
    );
    assert!(!worth_keeping(&err));
    assert!(r.outbox().list().is_empty(), "refused, not kept to resend");
    assert_eq!(r.copies(t, "soft-1"), 0);
    let stats = r.h.state().stats();
    assert_eq!(stats.faults.get("softFailure"), Some(&1));
    assert_eq!(stats.count(NOTES_POST), 1, "sent once, not resent");

    // An item already queued (the link was down) that the server then refuses this way
    // becomes a conflict with the server's message, not a pending "maybe sent" item.
    r.h.state().set_faults(Faults {
        reset: 1.0,
        ..Default::default()
    });
    let q = r.actions.submit(add_note(t, "soft-2")).await.unwrap();
    assert!(matches!(q, Outcome::Queued { .. }), "{q:?}");
    r.h.state().set_faults(posts_only(
        "/notes",
        Faults {
            soft_failure: 1.0,
            ..Default::default()
        },
    ));
    let flushed = r.actions.flush_outbox().await;
    assert_eq!(flushed.len(), 1);
    assert!(flushed[0].1.is_err());
    let items = r.outbox().list();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].state, ItemState::Conflict);
    assert!(!items[0].maybe_sent, "{:?}", items[0]);
    assert!(
        items[0]
            .last_error
            .as_deref()
            .is_some_and(|m| m.contains("soft failure")),
        "{:?}",
        items[0].last_error
    );
    assert_eq!(r.copies(t, "soft-2"), 0);
}
