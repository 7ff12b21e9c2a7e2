//! The writer that saves note drafts (`store::drafts`) off the event loop's task.

use std::sync::mpsc;

use chrono::{DateTime, Utc};

use super::protocol::Msg;
use bmsdesk_core::model::Id;
use bmsdesk_core::store::drafts::{DraftStore, NoteDraft};

enum Job {
    Save(NoteDraft),
    Remove(Id),
    /// Answered once every job before it is done.
    Flush(tokio::sync::oneshot::Sender<()>),
}

/// Saves and removes drafts on a thread of its own, in the order asked (each save is an
/// fsync'd atomic write: it must not hold up keys or frames). A burst of saves of one ticket
/// is written once, with its newest text. Each save's outcome comes back as
/// [`Msg::DraftIo`]; [`DraftWriter::flush`] waits for everything asked so far (on quit).
pub struct DraftWriter {
    tx: mpsc::Sender<Job>,
}

impl DraftWriter {
    pub fn spawn(store: DraftStore, out: tokio::sync::mpsc::UnboundedSender<Msg>) -> Self {
        let (tx, rx) = mpsc::channel::<Job>();
        let spawned = std::thread::Builder::new()
            .name("draft-writer".into())
            .spawn(move || {
                while let Ok(first) = rx.recv() {
                    let mut batch = vec![first];
                    batch.extend(rx.try_iter());
                    run_batch(&store, batch, &out);
                }
            });
        if let Err(e) = spawned {
            // Without the thread every save reports this error through `DraftIo` (the
            // channel's receiver is gone), so `q` warns that the drafts are only in memory.
            tracing::error!("cannot start the draft writer: {e}");
        }
        DraftWriter { tx }
    }

    pub fn save(&self, d: NoteDraft, out: &tokio::sync::mpsc::UnboundedSender<Msg>) {
        let (ticket_id, at) = (d.ticket_id, d.updated_at);
        if self.tx.send(Job::Save(d)).is_err() {
            let _ = out.send(failed(ticket_id, at));
        }
    }

    pub fn remove(&self, id: Id) {
        if self.tx.send(Job::Remove(id)).is_err() {
            tracing::warn!("removing draft {id}: the draft writer is gone");
        }
    }

    /// Waits until every save and removal asked before is done.
    pub async fn flush(&self) {
        let (tx, rx) = tokio::sync::oneshot::channel();
        if self.tx.send(Job::Flush(tx)).is_ok() {
            let _ = rx.await;
        }
    }
}

fn failed(ticket_id: Id, at: DateTime<Utc>) -> Msg {
    Msg::DraftIo {
        ticket_id,
        at,
        result: Err("the draft writer is not running".into()),
    }
}

fn run_batch(store: &DraftStore, batch: Vec<Job>, out: &tokio::sync::mpsc::UnboundedSender<Msg>) {
    let ticket = |j: &Job| match j {
        Job::Save(d) => Some(d.ticket_id),
        Job::Remove(id) => Some(*id),
        Job::Flush(_) => None,
    };
    for (i, job) in batch.iter().enumerate() {
        // A later save or removal of the same ticket in this batch supersedes this one.
        let superseded = ticket(job)
            .is_some_and(|id| batch[i + 1..].iter().any(|later| ticket(later) == Some(id)));
        match job {
            Job::Save(d) if !superseded => {
                let result = store.save(d).map_err(|e| e.to_string());
                let _ = out.send(Msg::DraftIo {
                    ticket_id: d.ticket_id,
                    at: d.updated_at,
                    result,
                });
            }
            Job::Remove(id) if !superseded => {
                if let Err(e) = store.remove(*id) {
                    tracing::warn!("removing draft {id}: {e}");
                }
            }
            _ => {}
        }
    }
    for job in batch {
        if let Job::Flush(done) = job {
            let _ = done.send(());
        }
    }
}
