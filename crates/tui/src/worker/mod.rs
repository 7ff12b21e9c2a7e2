//! The worker: a tokio task that owns the API client. It turns [`Request`]s into API calls
//! and answers with [`Reply`] messages. Searches stream page by page; every reply to a
//! search or detail carries the generation it was asked with, and a newer request aborts
//! the older one, so the model can drop what is stale. Every server string is sanitized
//! here, before the model sees it.
//!
//! This module routes requests and makes the newest read win; the rest is one file per job:
//! `reads` (refresh, filters, offline fallbacks), `writes` (the outbox, the link, the
//! background loop), `warmup` (reference data through the disk cache), `clean` (making what
//! the server sent safe to draw).

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use super::protocol::{Msg, Reply, Request};
use super::settings::{AssigneeSel, ViewDef};
use bmsdesk_core::actions::Actions;
use bmsdesk_core::model::TicketRow;
use bmsdesk_core::psa::{Psa, SharedPsa};
use bmsdesk_core::retry::worth_keeping;
use bmsdesk_core::store::cache::{Cache, TicketSnapshot};
use bmsdesk_core::store::details::DetailStore;
use bmsdesk_core::text::html;

mod clean;
mod reads;
mod warmup;
mod writes;

use clean::err_text;
pub use clean::{clean_contact, clean_row};
pub use reads::{SEARCHES_PER_REFRESH, changes_since, view_filter};
use reads::{detail_reply, serve_offline};
use warmup::{MeCell, contacts, locations, warmup, who_am_i};
use writes::{Link, Shared, outbox_loop, unreachable, write};

type CacheRef = Arc<tokio::sync::Mutex<Cache>>;

/// Rows of the last list kept on disk for an instant start.
pub const SNAPSHOT_ROWS: usize = 2000;

/// Timings of the worker's background loop.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// How often pending outbox items are sent again (and the link probed while it is down).
    pub flush_every: Duration,
    /// Background list refresh with budget to spare; slowed by
    /// [`Psa::suggested_refresh_interval`]. `None`: no background refresh.
    pub refresh_base: Option<Duration>,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            flush_every: Duration::from_secs(12),
            refresh_base: Some(Duration::from_secs(120)),
        }
    }
}

/// Hands the memory freed after a big load (page bodies and JSON trees decoded on the
/// worker threads, the sort buffers of the list) back to the system, so the resident size
/// is what the list holds rather than the high-water mark of loading it.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim has no preconditions; it only walks glibc's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The list of `view` saved at the end of the last run, made safe to draw (the disk holds
/// what the server sent), for the screen to show until the fresh one arrives.
pub fn load_snapshot(cache: &Cache, view: &ViewDef) -> Option<TicketSnapshot> {
    let mut s = cache.load_tickets(&view.cache_key())?;
    s.rows.iter_mut().for_each(clean_row);
    Some(s)
}

pub type MsgTx = mpsc::UnboundedSender<Msg>;

struct Worker {
    client: SharedPsa,
    cache: CacheRef,
    tx: MsgTx,
    me: MeCell,
    shared: Shared,
    search: Option<AbortHandle>,
    detail: Option<AbortHandle>,
    details: Arc<DetailStore>,
}

/// Starts the worker; requests go in on the returned channel, replies come out on `tx`.
pub fn spawn(actions: Actions, cache: Cache, tx: MsgTx) -> mpsc::Sender<Request> {
    spawn_with(actions, cache, tx, WorkerOptions::default())
}

/// [`spawn`] with the background loop's timings.
pub fn spawn_with(
    actions: Actions,
    cache: Cache,
    tx: MsgTx,
    opts: WorkerOptions,
) -> mpsc::Sender<Request> {
    let (req_tx, mut req_rx) = mpsc::channel::<Request>(256);
    let shared = Shared {
        actions: actions.clone(),
        tx: tx.clone(),
        link: Arc::new(Link {
            online: AtomicBool::new(true),
            wake: tokio::sync::Notify::new(),
            tx: tx.clone(),
        }),
        seen: Arc::new(std::sync::Mutex::new(None)),
    };
    let details = Arc::new(DetailStore::beside(&cache));
    let mut w = Worker {
        details,
        client: actions.client().clone(),
        cache: Arc::new(tokio::sync::Mutex::new(cache)),
        tx,
        me: Arc::new(tokio::sync::Mutex::new(None)),
        shared: shared.clone(),
        search: None,
        detail: None,
    };
    let background = tokio::spawn(outbox_loop(shared, opts));
    tokio::spawn(async move {
        while let Some(req) = req_rx.recv().await {
            w.handle(req);
        }
        background.abort();
        if let Some(h) = w.search.take() {
            h.abort();
        }
        if let Some(h) = w.detail.take() {
            h.abort();
        }
    });
    req_tx
}

fn send(tx: &MsgTx, r: Reply) {
    let _ = tx.send(Msg::Api(Box::new(r)));
}

/// Passes the client's warnings on to the status bar.
fn report_notices(client: &dyn Psa, tx: &MsgTx) {
    for n in client.take_notices() {
        send(tx, Reply::Notice(n));
    }
}

impl Worker {
    fn handle(&mut self, req: Request) {
        let client = self.client.clone();
        let sh = self.shared.clone();
        let link = sh.link.clone();
        let cache = self.cache.clone();
        let tx = self.tx.clone();
        match req {
            Request::Warmup {
                recent_accounts,
                refresh,
            } => {
                let me = self.me.clone();
                tokio::spawn(async move {
                    warmup(client, cache, tx, me, link, recent_accounts, refresh).await;
                });
            }
            Request::Search { search_gen, view } => {
                if let Some(h) = self.search.take() {
                    h.abort();
                }
                let me = self.me.clone();
                let details = self.details.clone();
                let h = tokio::spawn(async move {
                    // Known to be down: the disk's list at once (the search still tries).
                    let served = !link.online()
                        && serve_offline(&cache, &details, &view, &me, search_gen, &tx).await;
                    let me_cell = me.clone();
                    let me = if matches!(view.assignee, Some(AssigneeSel::Me)) {
                        who_am_i(&*client, &me, &tx, &link).await
                    } else {
                        None
                    };
                    let filter = view_filter(&view, me.as_ref());
                    let mut keep: Vec<TicketRow> = Vec::new();
                    let mut total_seen = None;
                    let mut pages = 0usize;
                    let result = client
                        .search_tickets_streamed(&filter, &mut |mut rows: Vec<TicketRow>, total| {
                            rows.iter_mut().for_each(clean_row);
                            total_seen = total;
                            if keep.len() < SNAPSHOT_ROWS {
                                let n = (SNAPSHOT_ROWS - keep.len()).min(rows.len());
                                keep.extend_from_slice(&rows[..n]);
                            }
                            pages += 1;
                            send(
                                &tx,
                                Reply::Page {
                                    search_gen,
                                    rows,
                                    total,
                                },
                            );
                        })
                        .await;
                    link.saw(&result);
                    report_notices(&*client, &tx);
                    if let Err(e) = &result
                        && unreachable(e)
                        && pages == 0
                        && !served
                    {
                        serve_offline(&cache, &details, &view, &me_cell, search_gen, &tx).await;
                    }
                    let result = result.map_err(|e| err_text(&e));
                    release_freed_memory();
                    if result.is_ok() {
                        let snap = TicketSnapshot {
                            fetched_at: bmsdesk_core::clock::now(),
                            view: Some(view.cache_key()),
                            total: total_seen,
                            rows: keep,
                        };
                        let c = cache.lock().await;
                        if let Err(e) = c.save_tickets(&snap) {
                            tracing::warn!(error = %e, "cannot save the ticket snapshot");
                        }
                    }
                    send(
                        &tx,
                        Reply::SearchDone {
                            search_gen,
                            result,
                            at: bmsdesk_core::clock::now(),
                        },
                    );
                });
                self.search = Some(h.abort_handle());
            }
            Request::Refresh {
                search_gen,
                view,
                since,
            } => {
                if let Some(h) = self.search.take() {
                    h.abort();
                }
                let me = self.me.clone();
                let h = tokio::spawn(async move {
                    let me = if matches!(view.assignee, Some(AssigneeSel::Me)) {
                        who_am_i(&*client, &me, &tx, &link).await
                    } else {
                        None
                    };
                    let filter = view_filter(&view, me.as_ref());
                    let result = changes_since(&*client, &filter, since).await;
                    link.saw(&result);
                    let result = result.map_err(|e| err_text(&e));
                    send(
                        &tx,
                        Reply::Changed {
                            search_gen,
                            result,
                            at: bmsdesk_core::clock::now(),
                        },
                    );
                });
                self.search = Some(h.abort_handle());
            }
            Request::Detail { detail_gen, id } => {
                if let Some(h) = self.detail.take() {
                    h.abort();
                }
                let store = self.details.clone();
                let h = tokio::spawn(async move {
                    let (t, n, l) =
                        tokio::join!(client.ticket(id), client.notes(id), client.time_logs(id));
                    link.saw(&t);
                    let result = detail_reply(&store, id, t, n, l).await.map(Arc::new);
                    send(
                        &tx,
                        Reply::Detail {
                            detail_gen,
                            id,
                            result,
                        },
                    );
                });
                self.detail = Some(h.abort_handle());
            }
            Request::Locations { account_id } => {
                tokio::spawn(async move {
                    let result = locations(&*client, &cache, account_id, false).await;
                    send(&tx, Reply::Locations { account_id, result });
                });
            }
            Request::Contacts { account_id } => {
                tokio::spawn(async move {
                    let result = contacts(&*client, &cache, account_id, false).await;
                    send(&tx, Reply::Contacts { account_id, result });
                });
            }
            Request::TicketTemplate { id } => {
                tokio::spawn(async move {
                    let result = client.ticket_template(id).await.map_err(|e| err_text(&e));
                    send(&tx, Reply::TicketTemplate { id, result });
                });
            }
            Request::NoteTemplateBody {
                template_id,
                ticket_id,
            } => {
                tokio::spawn(async move {
                    let result = client
                        .note_template_body(template_id, ticket_id)
                        .await
                        .map(|h| html::to_text(&h))
                        .map_err(|e| err_text(&e));
                    send(
                        &tx,
                        Reply::NoteTemplateBody {
                            template_id,
                            ticket_id,
                            result,
                        },
                    );
                });
            }
            Request::Write {
                req,
                op,
                then,
                draft,
            } => {
                tokio::spawn(async move { write(&sh, &*client, req, op, then, draft).await });
            }
            Request::OutboxFlush => {
                tokio::spawn(async move { sh.flush().await });
            }
            Request::OutboxRetry { item } => {
                tokio::spawn(async move {
                    let op = sh
                        .actions
                        .outbox_items()
                        .into_iter()
                        .find(|i| i.seq == item);
                    let Some(found) = op else {
                        let error = format!("there is no outbox item {item}");
                        return send(&tx, Reply::OutboxFailed { item, error });
                    };
                    let result = sh.actions.retry_outbox_item(item).await;
                    match result {
                        Err(e) if worth_keeping(&e) => {
                            sh.link.saw::<()>(&Err(e.clone()));
                            let error = format!("still not delivered: {}", err_text(&e));
                            send(&tx, Reply::OutboxFailed { item, error });
                        }
                        r => sh.report_item(item, Box::new(found.op), r),
                    }
                    sh.report_outbox();
                });
            }
            Request::OutboxDrop { item } => {
                tokio::spawn(async move {
                    match sh.actions.drop_outbox_item(item).await {
                        Ok(_) => send(&tx, Reply::Dropped { item }),
                        Err(e) => send(
                            &tx,
                            Reply::OutboxFailed {
                                item,
                                error: err_text(&e),
                            },
                        ),
                    }
                    sh.report_outbox();
                });
            }
        }
    }
}
