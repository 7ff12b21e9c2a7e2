//! The worker: a tokio task that owns the API client. It turns [`Request`]s into API calls
//! and answers with [`Reply`] messages. Searches stream page by page; every reply to a
//! search or detail carries the generation it was asked with, and a newer request aborts
//! the older one, so the model can drop what is stale. Every server string is sanitized
//! here, before the model sees it.
//!
//! Writes go through the outbox ([`Actions::submit`]): one that cannot be delivered now is
//! answered with [`Reply::Queued`] and a background loop ([`outbox_loop`]) sends the queue
//! later, probes the link while it is down ([`Reply::Link`]) and reports the request budget
//! ([`Reply::Budget`]) and when a background refresh is due ([`Reply::RefreshDue`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use super::protocol::{BudgetLow, Changes, DetailData, Msg, NoteView, Reply, Request};
use super::settings::{AssigneeSel, ViewDef};
use super::text::html_to_text;
use crate::actions::{Actions, Outcome, WriteOp, WriteResult};
use crate::api::model::{
    Contact, Id, Location, LookupItem, Note, Ticket, TicketFilter, TicketRow, TimeLog, UserInfo,
};
use crate::api::retry::worth_keeping;
use crate::api::{ApiError, ApiResult, Client, LookupKind};
use crate::store::cache::{Cache, Cached, TicketSnapshot, after_failed_fetch, serve_cached};
use crate::store::details::{DetailStore, StoredDetail};
use crate::store::drafts::DraftKey;
use crate::text::{sanitize_in_place, sanitize_line, sanitize_name, sanitize_opt, sanitize_text};

type CacheRef = Arc<tokio::sync::Mutex<Cache>>;

/// Rows of the last list kept on disk for an instant start.
pub const SNAPSHOT_ROWS: usize = 2000;

impl DetailData {
    /// Made safe to draw from what the API gave (or the disk copy of it).
    fn build(
        mut ticket: Ticket,
        notes: Result<Vec<Note>, String>,
        time_logs: Result<Vec<TimeLog>, String>,
        fetched_at: DateTime<Utc>,
        offline_copy: bool,
    ) -> DetailData {
        clean_ticket(&mut ticket);
        let details_text = html_to_text(ticket.details.as_deref().unwrap_or(""));
        let (notes, notes_error) = match notes {
            Ok(ns) => {
                let mut ns: Vec<NoteView> = ns.iter().map(NoteView::from_note).collect();
                // Newest first: the note a technician just wrote (or is reading up on before a
                // call) is at the top of the thread, not below a screenful of history. Undated
                // notes go last; the sort is stable, so the server's order breaks ties.
                ns.sort_by_key(|n| std::cmp::Reverse(n.created_on));
                (ns, None)
            }
            Err(e) => (Vec::new(), Some(e)),
        };
        let (time_logs, time_error) = match time_logs {
            Ok(mut ls) => {
                for l in &mut ls {
                    clean_time_log(l);
                }
                (ls, None)
            }
            Err(e) => (Vec::new(), Some(e)),
        };
        DetailData {
            ticket,
            details_text,
            notes,
            notes_error,
            time_logs,
            time_error,
            fetched_at,
            offline_copy,
        }
    }
}

/// Timings of the worker's background loop.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// How often pending outbox items are sent again (and the link probed while it is down).
    pub flush_every: Duration,
    /// Background list refresh with budget to spare; slowed by
    /// [`Client::suggested_refresh_interval`]. `None`: no background refresh.
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

/// The incremental refresh: two searches with `LastActivityUpdateFrom` (the view's filter,
/// and no filter, so tickets that moved out of the view are seen too) and a one-row page of
/// the view for its total.
pub async fn changes_since(
    client: &Client,
    view_filter: &TicketFilter,
    since: DateTime<Utc>,
) -> ApiResult<Changes> {
    let in_view = TicketFilter {
        last_activity_update_from: Some(since),
        ..view_filter.clone()
    };
    let any = TicketFilter {
        last_activity_update_from: Some(since),
        exclude_completed: 0,
        ..TicketFilter::default()
    };
    let (rows, changed, count) = tokio::join!(
        client.search_tickets(&in_view),
        client.search_tickets(&any),
        client.search_tickets_page(view_filter, 1, 1),
    );
    let mut rows = rows?;
    rows.iter_mut().for_each(clean_row);
    let kept: std::collections::HashSet<Id> = rows.iter().map(|r| r.id).collect();
    let left = changed?
        .into_iter()
        .map(|r| r.id)
        .filter(|id| !kept.contains(id))
        .collect();
    Ok(Changes {
        rows,
        left,
        total: count?.total,
    })
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

pub fn err_text(e: &ApiError) -> String {
    sanitize_line(&e.to_string())
}

pub fn clean_row(r: &mut TicketRow) {
    sanitize_in_place(&mut r.ticket_number);
    sanitize_in_place(&mut r.title);
    for s in [
        &mut r.account_name,
        &mut r.account_code,
        &mut r.location_name,
        &mut r.contact_name,
        &mut r.queue_name,
        &mut r.status_name,
        &mut r.priority_name,
        &mut r.type_name,
        &mut r.issue_type_name,
        &mut r.assignee_name,
        &mut r.sla_name,
        &mut r.created_by_name,
    ] {
        sanitize_name(s);
    }
}

pub fn clean_ticket(t: &mut Ticket) {
    clean_row(&mut t.row);
    for s in [
        &mut t.source_name,
        &mut t.contact_phone,
        &mut t.contact_email,
        &mut t.location_phone,
        &mut t.work_type_name,
    ] {
        sanitize_opt(s);
    }
}

pub fn clean_contact(c: &mut Contact) {
    sanitize_in_place(&mut c.name);
    for s in [&mut c.location_name, &mut c.phone, &mut c.email_address] {
        sanitize_opt(s);
    }
}

fn clean_time_log(l: &mut TimeLog) {
    sanitize_opt(&mut l.employee_name);
    sanitize_opt(&mut l.work_type_name);
    sanitize_opt(&mut l.role_name);
    if let Some(n) = l.notes.as_mut() {
        *n = sanitize_text(n);
    }
}

fn clean_lookup(items: &mut [LookupItem]) {
    for i in items {
        i.name = sanitize_line(&i.name);
        sanitize_opt(&mut i.email_address);
        sanitize_opt(&mut i.job_title);
    }
}

/// The server-side filter of a saved view. `me` resolves `assignee = "me"`.
pub fn view_filter(view: &ViewDef, me: Option<&UserInfo>) -> TicketFilter {
    let join = |v: &[String]| (!v.is_empty()).then(|| v.join(","));
    TicketFilter {
        status_names: join(&view.status),
        queue_names: join(&view.queue),
        priority_names: join(&view.priority),
        assignee_name: match &view.assignee {
            Some(AssigneeSel::Me) => me.map(|m| m.full_name.clone()),
            Some(AssigneeSel::Name(n)) => Some(n.clone()),
            None => None,
        },
        exclude_completed: if view.status.is_empty() { 1 } else { 0 },
        ..Default::default()
    }
}

/// Sends what the disk holds for `view` as [`Reply::Cached`] (see `offline_list`); false
/// when it holds nothing for it.
async fn serve_offline(
    cache: &tokio::sync::Mutex<Cache>,
    details: &DetailStore,
    view: &ViewDef,
    me: &MeCell,
    seq: u64,
    tx: &MsgTx,
) -> bool {
    let cache = cache.lock().await.clone();
    let details = details.clone();
    let view = view.clone();
    let me = me.lock().await.as_ref().map(|u| u.full_name.clone());
    let found = tokio::task::spawn_blocking(move || {
        super::offline_list::for_view(&cache, &details, &view, me.as_deref())
    })
    .await
    .ok()
    .flatten();
    match found {
        Some(mut list) => {
            list.rows.iter_mut().for_each(clean_row);
            send(tx, Reply::Cached { seq, list });
            true
        }
        None => false,
    }
}

/// The server could not be reached or is down (as opposed to answering with a refusal):
/// what turns the TUI's "offline" banner on.
pub fn unreachable(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::Transport(_)
            | ApiError::Http {
                status: 502..=504,
                ..
            }
    )
}

/// Whether the server answers, as the last requests found. Starts online; the first request
/// that cannot reach the server turns it off, the first answer turns it on again (and wakes
/// the outbox loop so the queue goes out at once).
struct Link {
    online: AtomicBool,
    wake: tokio::sync::Notify,
    tx: MsgTx,
}

impl Link {
    fn online(&self) -> bool {
        self.online.load(Ordering::SeqCst)
    }

    fn saw<T>(&self, r: &ApiResult<T>) {
        match r {
            Err(e) if unreachable(e) => self.down(err_text(e)),
            // Not an answer about the link: sign-in needed, local trouble.
            Err(e) if e.is_auth() || matches!(e, ApiError::Config(_)) => {}
            _ => self.up(),
        }
    }

    fn up(&self) {
        if !self.online.swap(true, Ordering::SeqCst) {
            send(
                &self.tx,
                Reply::Link {
                    online: true,
                    reason: None,
                },
            );
            self.wake.notify_one();
        }
    }

    fn down(&self, reason: String) {
        if self.online.swap(false, Ordering::SeqCst) {
            send(
                &self.tx,
                Reply::Link {
                    online: false,
                    reason: Some(reason),
                },
            );
        }
    }
}

/// Sanitizes what a write gave back.
fn clean_result(r: WriteResult) -> WriteResult {
    match r {
        WriteResult::Ticket(mut t) => {
            clean_ticket(&mut t);
            WriteResult::Ticket(t)
        }
        WriteResult::TimeLog(mut l) => {
            clean_time_log(&mut l);
            WriteResult::TimeLog(l)
        }
        other => other,
    }
}

/// What the outbox loop and the write handlers share.
#[derive(Clone)]
struct Shared {
    actions: Actions,
    tx: MsgTx,
    link: Arc<Link>,
    /// The outbox as last reported (so it is sent only when it changed).
    seen: Arc<std::sync::Mutex<Option<Vec<OutboxKey>>>>,
}

type OutboxKey = (u64, crate::store::outbox::ItemState, Option<String>);

impl Shared {
    /// Sends the outbox to the model if it changed since last time.
    fn report_outbox(&self) {
        let items = self.actions.outbox_items();
        // What the model shows of an item; attempt counts and times alone are not news.
        let key: Vec<OutboxKey> = items
            .iter()
            .map(|i| (i.seq, i.state, i.last_error.clone()))
            .collect();
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.as_ref() != Some(&key) {
            *seen = Some(key);
            send(&self.tx, Reply::Outbox(items));
        }
    }

    /// Sends `op` through the outbox. `Some(result)` when it was delivered or refused;
    /// `None` when it was queued (the model got [`Reply::Queued`]). A note typed in `draft` clears it when delivered.
    async fn submit(
        &self,
        req: u64,
        op: WriteOp,
        draft: Option<DraftKey>,
    ) -> Option<Result<WriteResult, String>> {
        let r = match draft {
            Some(key) => self.actions.submit_from_draft(op.clone(), key).await,
            None => self.actions.submit(op.clone()).await,
        };
        let out = match r {
            Ok(Outcome::Done(res)) => {
                self.link.up();
                Some(Ok(clean_result(res)))
            }
            Ok(Outcome::Queued {
                seq,
                reason,
                needs_sign_in,
            }) => {
                send(
                    &self.tx,
                    Reply::Queued {
                        req,
                        seq,
                        op: Box::new(op),
                        reason: sanitize_line(&reason),
                        needs_sign_in,
                    },
                );
                None
            }
            Err(e) => {
                self.link.saw::<()>(&Err(e.clone()));
                Some(Err(err_text(&e)))
            }
        };
        self.report_outbox();
        out
    }

    /// Sends the pending outbox items, reports each delivery and conflict.
    async fn flush(&self) {
        let ops: std::collections::HashMap<u64, WriteOp> = self
            .actions
            .outbox_items()
            .into_iter()
            .map(|i| (i.seq, i.op))
            .collect();
        for (seq, result) in self.actions.flush_outbox().await {
            let op = Box::new(
                ops.get(&seq)
                    .cloned()
                    .unwrap_or(WriteOp::DeleteTicket { ticket_id: 0 }),
            );
            self.report_item(seq, op, result);
        }
        self.report_outbox();
    }

    fn report_item(&self, seq: u64, op: Box<WriteOp>, result: ApiResult<WriteResult>) {
        match result {
            Ok(r) => {
                self.link.up();
                send(
                    &self.tx,
                    Reply::Delivered {
                        seq,
                        op,
                        result: Box::new(clean_result(r)),
                    },
                );
            }
            Err(e) if worth_keeping(&e) => self.link.saw::<()>(&Err(e)),
            Err(e) => {
                self.link.up();
                send(
                    &self.tx,
                    Reply::Conflict {
                        seq,
                        op,
                        error: err_text(&e),
                    },
                );
            }
        }
    }
}

/// Sends a write's ops in order through the outbox and answers each the server answered
/// with [`Reply::Written`] (a queued one was answered [`Reply::Queued`] by
/// [`Shared::submit`], and the ones after it queue behind it); a refusal stops the rest.
async fn write(
    sh: &Shared,
    client: &Client,
    req: u64,
    op: WriteOp,
    then: Vec<WriteOp>,
    draft: Option<DraftKey>,
) {
    for op in std::iter::once(op).chain(then) {
        let Some(result) = sh.submit(req, op.clone(), draft).await else {
            continue;
        };
        let result = match (&op, result) {
            // The assign endpoint answers without a body: read the ticket back.
            (WriteOp::AssignTicket { ticket_id, .. }, Ok(_)) => {
                Ok(match client.ticket(*ticket_id).await {
                    Ok(mut t) => {
                        clean_ticket(&mut t);
                        WriteResult::Ticket(Box::new(t))
                    }
                    Err(_) => WriteResult::Done,
                })
            }
            (_, r) => r,
        };
        let refused = result.is_err();
        send(
            &sh.tx,
            Reply::Written {
                req,
                op: Box::new(op),
                result,
            },
        );
        if refused {
            break;
        }
    }
}

/// The background loop: sends the outbox while anything is pending (every
/// `flush_every`, at once when the link comes back), probes the link while it is down,
/// reports the request budget and paces background refreshes by it.
async fn outbox_loop(sh: Shared, opts: WorkerOptions) {
    let client = sh.actions.client().clone();
    let pace = |base: Duration| client.suggested_refresh_interval(base);
    let mut next_refresh = opts
        .refresh_base
        .map(|b| tokio::time::Instant::now() + pace(b));
    let mut last_budget: Option<(Option<BudgetLow>, Duration)> = None;
    loop {
        if sh.tx.is_closed() {
            return;
        }
        let pending = sh.actions.outbox_items().iter().any(|i| i.is_pending());
        if pending {
            // The model learns what is queued (and the drafts it holds) before it is sent.
            sh.report_outbox();
            sh.flush().await;
        } else {
            if !sh.link.online() {
                let r = client.user_info().await;
                sh.link.saw(&r);
            }
            sh.report_outbox();
        }
        report_notices(&client, &sh.tx);
        let b = client.budget();
        let low = b
            .tightest()
            .filter(|t| t.remaining.saturating_mul(2) < t.limit)
            .map(|t| BudgetLow {
                endpoint: t.endpoint.clone(),
                remaining: t.remaining,
                limit: t.limit,
            });
        let every = pace(opts.refresh_base.unwrap_or(Duration::from_secs(120)));
        let budget = (low, every);
        if last_budget.as_ref() != Some(&budget) {
            // Nothing to say while the budget is plentiful and was never reported.
            if last_budget.is_some() || budget.0.is_some() {
                send(
                    &sh.tx,
                    Reply::Budget {
                        low: budget.0.clone(),
                        refresh_every: budget.1,
                    },
                );
            }
            last_budget = Some(budget);
        }
        if let (Some(base), Some(at)) = (opts.refresh_base, next_refresh)
            && tokio::time::Instant::now() >= at
        {
            if sh.link.online() {
                send(&sh.tx, Reply::RefreshDue);
            }
            next_refresh = Some(tokio::time::Instant::now() + pace(base));
        }
        let wait = match next_refresh {
            Some(at) => opts
                .flush_every
                .min(at.saturating_duration_since(tokio::time::Instant::now()))
                .max(Duration::from_millis(50)),
            None => opts.flush_every,
        };
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = sh.link.wake.notified() => {}
        }
    }
}

/// `store::cache`'s cache-or-fetch rule without holding the cache lock over the network.
async fn cached<T: Clone>(
    what: &str,
    cache: &CacheRef,
    refresh: bool,
    get: impl Fn(&Cache) -> Option<&Cached<T>>,
    put: impl FnOnce(&mut Cache, T),
    fetch: impl std::future::Future<Output = ApiResult<T>>,
) -> ApiResult<(T, DateTime<Utc>)> {
    let (hit, ttl) = {
        let c = cache.lock().await;
        (get(&c).cloned(), c.ttl())
    };
    if let Some(h) = &hit
        && serve_cached(h, ttl, refresh)
    {
        return Ok((h.value.clone(), h.fetched_at));
    }
    match fetch.await {
        Ok(v) => {
            let mut c = cache.lock().await;
            put(&mut c, v.clone());
            if let Err(e) = c.save() {
                tracing::warn!(error = %e, "cannot save the cache");
            }
            Ok((v, crate::clock::now()))
        }
        Err(e) => after_failed_fetch(what, hit, refresh, e).map(|h| (h.value, h.fetched_at)),
    }
}

/// What [`cached`] gave, made safe to draw (the cache keeps what the server sent).
fn cleaned<T>(got: ApiResult<(T, DateTime<Utc>)>, clean: impl FnOnce(&mut T)) -> Result<T, String> {
    let (mut value, _) = got.map_err(|e| err_text(&e))?;
    clean(&mut value);
    Ok(value)
}

async fn locations(
    client: &Client,
    cache: &CacheRef,
    account_id: Id,
    refresh: bool,
) -> Result<Vec<Location>, String> {
    let got = cached(
        "locations",
        cache,
        refresh,
        |c| c.cached_locations(account_id),
        |c, v| c.set_locations(account_id, v),
        client.locations(account_id),
    );
    cleaned(got.await, |ls| {
        for l in ls {
            l.name = sanitize_line(&l.name);
            l.account_id = account_id;
        }
    })
}

async fn contacts(
    client: &Client,
    cache: &CacheRef,
    account_id: Id,
    refresh: bool,
) -> Result<Vec<Contact>, String> {
    let got = cached(
        "contacts",
        cache,
        refresh,
        |c| c.cached_contacts(account_id),
        |c, v| c.set_contacts(account_id, v),
        client.contacts(account_id, None),
    );
    cleaned(got.await, |cs| cs.iter_mut().for_each(clean_contact))
}

pub type MsgTx = mpsc::UnboundedSender<Msg>;

struct Worker {
    client: Client,
    cache: CacheRef,
    tx: MsgTx,
    me: MeCell,
    shared: Shared,
    search: Option<AbortHandle>,
    detail: Option<AbortHandle>,
    details: Arc<DetailStore>,
}

/// The detail pane's data from the three replies. A complete answer is also kept on disk; when
/// the server cannot be reached, that copy is shown instead (marked as such).
async fn detail_reply(
    store: &Arc<DetailStore>,
    id: Id,
    ticket: ApiResult<Ticket>,
    notes: ApiResult<Vec<Note>>,
    time_logs: ApiResult<Vec<TimeLog>>,
) -> Result<DetailData, String> {
    let now = crate::clock::now();
    match ticket {
        Ok(ticket) => {
            if let (Ok(notes), Ok(time_logs)) = (&notes, &time_logs) {
                let stored = StoredDetail {
                    ticket: ticket.clone(),
                    notes: notes.clone(),
                    time_logs: time_logs.clone(),
                    fetched_at: now,
                };
                let store = store.clone();
                tokio::task::spawn_blocking(move || {
                    if let Err(e) = store.save(&stored) {
                        tracing::warn!(id, error = %e, "cannot keep the ticket for offline use");
                    }
                });
            }
            Ok(DetailData::build(
                ticket,
                notes.map_err(|e| err_text(&e)),
                time_logs.map_err(|e| err_text(&e)),
                now,
                false,
            ))
        }
        Err(e) if e.is_transient() => {
            let store = store.clone();
            match tokio::task::spawn_blocking(move || store.load(id)).await {
                Ok(Some(d)) => Ok(DetailData::build(
                    d.ticket,
                    Ok(d.notes),
                    Ok(d.time_logs),
                    d.fetched_at,
                    true,
                )),
                _ => Err(err_text(&e)),
            }
        }
        Err(e) => Err(err_text(&e)),
    }
}

/// Who I am, once known (asked again after a failure: the start may have been offline).
type MeCell = Arc<tokio::sync::Mutex<Option<UserInfo>>>;

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
fn report_notices(client: &Client, tx: &MsgTx) {
    for n in client.take_notices() {
        send(tx, Reply::Notice(n));
    }
}

async fn who_am_i(client: &Client, cell: &MeCell, tx: &MsgTx, link: &Link) -> Option<UserInfo> {
    let mut me = cell.lock().await;
    if me.is_none() {
        let r = client.user_info().await;
        link.saw(&r);
        match r {
            Ok(mut u) => {
                u.full_name = sanitize_line(&u.full_name);
                send(tx, Reply::Me(u.clone()));
                *me = Some(u);
                // Known by now (the client asks userinfo before its first request).
                match client.tenant_zone().await {
                    Ok(z) => send(tx, Reply::TenantZone(z)),
                    Err(e) => send(
                        tx,
                        Reply::Failed {
                            what: "the tenant's time zone".into(),
                            error: err_text(&e),
                        },
                    ),
                }
            }
            Err(e) => send(
                tx,
                Reply::Failed {
                    what: "who am I".into(),
                    error: err_text(&e),
                },
            ),
        }
    }
    me.clone()
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
            Request::Search { seq, view } => {
                if let Some(h) = self.search.take() {
                    h.abort();
                }
                let me = self.me.clone();
                let details = self.details.clone();
                let h = tokio::spawn(async move {
                    // Known to be down: the disk's list at once (the search still tries).
                    let served = !link.online()
                        && serve_offline(&cache, &details, &view, &me, seq, &tx).await;
                    let me_cell = me.clone();
                    let me = if matches!(view.assignee, Some(AssigneeSel::Me)) {
                        who_am_i(&client, &me, &tx, &link).await
                    } else {
                        None
                    };
                    let filter = view_filter(&view, me.as_ref());
                    let mut keep: Vec<TicketRow> = Vec::new();
                    let mut total_seen = None;
                    let mut pages = 0usize;
                    let result = client
                        .search_tickets_streamed(&filter, |mut rows, total| {
                            rows.iter_mut().for_each(clean_row);
                            total_seen = total;
                            if keep.len() < SNAPSHOT_ROWS {
                                let n = (SNAPSHOT_ROWS - keep.len()).min(rows.len());
                                keep.extend_from_slice(&rows[..n]);
                            }
                            pages += 1;
                            send(&tx, Reply::Page { seq, rows, total });
                        })
                        .await;
                    link.saw(&result);
                    report_notices(&client, &tx);
                    if let Err(e) = &result
                        && unreachable(e)
                        && pages == 0
                        && !served
                    {
                        serve_offline(&cache, &details, &view, &me_cell, seq, &tx).await;
                    }
                    let result = result.map_err(|e| err_text(&e));
                    release_freed_memory();
                    if result.is_ok() {
                        let snap = TicketSnapshot {
                            fetched_at: crate::clock::now(),
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
                            seq,
                            result,
                            at: crate::clock::now(),
                        },
                    );
                });
                self.search = Some(h.abort_handle());
            }
            Request::Refresh { seq, view, since } => {
                if let Some(h) = self.search.take() {
                    h.abort();
                }
                let me = self.me.clone();
                let h = tokio::spawn(async move {
                    let me = if matches!(view.assignee, Some(AssigneeSel::Me)) {
                        who_am_i(&client, &me, &tx, &link).await
                    } else {
                        None
                    };
                    let filter = view_filter(&view, me.as_ref());
                    let result = changes_since(&client, &filter, since).await;
                    link.saw(&result);
                    let result = result.map_err(|e| err_text(&e));
                    send(
                        &tx,
                        Reply::Changed {
                            seq,
                            result,
                            at: crate::clock::now(),
                        },
                    );
                });
                self.search = Some(h.abort_handle());
            }
            Request::Detail { seq, id } => {
                if let Some(h) = self.detail.take() {
                    h.abort();
                }
                let store = self.details.clone();
                let h = tokio::spawn(async move {
                    let (t, n, l) =
                        tokio::join!(client.ticket(id), client.notes(id), client.time_logs(id));
                    link.saw(&t);
                    let result = detail_reply(&store, id, t, n, l).await.map(Arc::new);
                    send(&tx, Reply::Detail { seq, id, result });
                });
                self.detail = Some(h.abort_handle());
            }
            Request::Locations { account_id } => {
                tokio::spawn(async move {
                    let result = locations(&client, &cache, account_id, false).await;
                    send(&tx, Reply::Locations { account_id, result });
                });
            }
            Request::Contacts { account_id } => {
                tokio::spawn(async move {
                    let result = contacts(&client, &cache, account_id, false).await;
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
                        .map(|h| html_to_text(&h))
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
                tokio::spawn(async move { write(&sh, &client, req, op, then, draft).await });
            }
            Request::OutboxFlush => {
                tokio::spawn(async move { sh.flush().await });
            }
            Request::OutboxRetry { seq } => {
                tokio::spawn(async move {
                    let op = sh.actions.outbox_items().into_iter().find(|i| i.seq == seq);
                    let Some(item) = op else {
                        let error = format!("there is no outbox item {seq}");
                        return send(&tx, Reply::OutboxFailed { seq, error });
                    };
                    let result = sh.actions.retry_outbox_item(seq).await;
                    match result {
                        Err(e) if worth_keeping(&e) => {
                            sh.link.saw::<()>(&Err(e.clone()));
                            let error = format!("still not delivered: {}", err_text(&e));
                            send(&tx, Reply::OutboxFailed { seq, error });
                        }
                        r => sh.report_item(seq, Box::new(item.op), r),
                    }
                    sh.report_outbox();
                });
            }
            Request::OutboxDrop { seq } => {
                tokio::spawn(async move {
                    match sh.actions.drop_outbox_item(seq).await {
                        Ok(_) => send(&tx, Reply::Dropped { seq }),
                        Err(e) => send(
                            &tx,
                            Reply::OutboxFailed {
                                seq,
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

/// One warm-up list: from the cache or the server ([`cached`]), made safe to draw by `clean`,
/// then handed to the UI — or the failure, named `what`.
#[allow(clippy::too_many_arguments)]
async fn warm_list<T: Clone>(
    cache: &CacheRef,
    refresh: bool,
    get: impl Fn(&Cache) -> Option<&Cached<T>>,
    put: impl FnOnce(&mut Cache, T),
    fetch: impl std::future::Future<Output = ApiResult<T>>,
    clean: impl FnOnce(&mut T),
    deliver: impl FnOnce(T) -> Reply,
    tx: &MsgTx,
    what: &str,
) {
    match cleaned(cached(what, cache, refresh, get, put, fetch).await, clean) {
        Ok(value) => send(tx, deliver(value)),
        Err(error) => send(
            tx,
            Reply::Failed {
                what: what.to_string(),
                error,
            },
        ),
    }
}

async fn warmup(
    client: Client,
    cache: CacheRef,
    tx: MsgTx,
    me: MeCell,
    link: Arc<Link>,
    recent: Vec<Id>,
    refresh: bool,
) {
    let fail = |what: &str, e: ApiError| {
        send(
            &tx,
            Reply::Failed {
                what: what.to_string(),
                error: err_text(&e),
            },
        )
    };
    let accounts = async {
        let got = cached(
            "accounts",
            &cache,
            refresh,
            |c| c.cached_accounts(),
            |c, v| c.set_accounts(v),
            client.accounts(),
        )
        .await;
        match got {
            Ok((mut items, fetched_at)) => {
                for a in &mut items {
                    a.name = sanitize_line(&a.name);
                }
                items.sort_by_cached_key(|a| a.name.to_lowercase());
                send(&tx, Reply::Accounts { items, fetched_at });
            }
            Err(e) => fail("accounts", e),
        }
    };
    let lookups = async {
        for kind in [
            LookupKind::Statuses,
            LookupKind::Priorities,
            LookupKind::Queues,
            LookupKind::Types,
            LookupKind::Sources,
            LookupKind::Assignees,
            LookupKind::NoteTypes,
            LookupKind::WorkTypes,
            LookupKind::Roles,
        ] {
            warm_list(
                &cache,
                refresh,
                |c| c.cached_lookup(kind),
                |c, v| c.set_lookup(kind, v),
                client.lookup(kind),
                |items| clean_lookup(items),
                |items| Reply::Lookup { kind, items },
                &tx,
                kind.name(),
            )
            .await;
        }
    };
    let templates = async {
        warm_list(
            &cache,
            refresh,
            |c| c.cached_ticket_templates(),
            |c, v| c.set_ticket_templates(v),
            client.ticket_templates(),
            |t| t.iter_mut().for_each(|x| x.name = sanitize_line(&x.name)),
            Reply::TicketTemplates,
            &tx,
            "ticket templates",
        )
        .await;
        warm_list(
            &cache,
            refresh,
            |c| c.cached_note_templates(),
            |c, v| c.set_note_templates(v),
            client.note_templates(),
            |t| t.iter_mut().for_each(|x| x.name = sanitize_line(&x.name)),
            Reply::NoteTemplates,
            &tx,
            "note templates",
        )
        .await;
        warm_list(
            &cache,
            refresh,
            |c| c.cached_timelog_templates(),
            |c, v| c.set_timelog_templates(v),
            client.timelog_templates(),
            |t| {
                for x in t.iter_mut() {
                    x.name = sanitize_line(&x.name);
                    if let Some(n) = x.notes.as_mut() {
                        *n = sanitize_text(n);
                    }
                    if let Some(n) = x.internal_notes.as_mut() {
                        *n = sanitize_text(n);
                    }
                }
            },
            Reply::TimeLogTemplates,
            &tx,
            "time-log templates",
        )
        .await;
    };
    let locs = async {
        for account_id in recent.into_iter().take(8) {
            let result = locations(&client, &cache, account_id, refresh).await;
            send(&tx, Reply::Locations { account_id, result });
            let result = contacts(&client, &cache, account_id, refresh).await;
            send(&tx, Reply::Contacts { account_id, result });
        }
    };
    let who = who_am_i(&client, &me, &tx, &link);
    tokio::join!(who, accounts, lookups, templates, locs);
}

#[cfg(test)]
mod detail_tests {
    use super::*;

    #[test]
    fn the_thread_is_newest_first_with_undated_notes_last() {
        let at = |m: i64| Some(crate::clock::now() - chrono::Duration::minutes(m));
        let note = |id, created_on| Note {
            id,
            details: format!("note {id}"),
            created_on,
            ..Default::default()
        };
        let notes = vec![
            note(1, at(90)),
            note(2, None),
            note(3, at(5)),
            note(4, at(30)),
        ];
        let d = DetailData::build(
            Ticket::default(),
            Ok(notes),
            Ok(Vec::new()),
            crate::clock::now(),
            false,
        );
        let ids: Vec<_> = d.notes.iter().map(|n| n.id).collect();
        assert_eq!(ids, [3, 4, 1, 2]);
    }
}

#[cfg(test)]
mod sanitize_tests {
    use super::*;

    const HOSTILE: &str = "A\x1b[2J\u{9b}1m\u{202e}B\u{200d}\u{feff}\u{e0041}C\u{7f}";

    fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            serde_json::Value::Object(m) => m.values().for_each(|x| strings(x, out)),
            _ => {}
        }
    }

    /// Every text field of a ticket a hostile server sends is clean once the worker has it.
    #[test]
    fn a_hostile_ticket_is_clean_before_the_model_stores_it() {
        let keys = [
            "ticketNumber",
            "title",
            "accountName",
            "accountCode",
            "locationName",
            "contactName",
            "queueName",
            "statusName",
            "priorityName",
            "typeName",
            "issueTypeName",
            "assigneeName",
            "slaName",
            "createdByName",
            "sourceName",
            "contactPhone",
            "contactEmail",
            "locationPhone",
            "workTypeName",
        ];
        let wire: serde_json::Map<String, serde_json::Value> = keys
            .iter()
            .map(|k| (k.to_string(), serde_json::Value::from(HOSTILE)))
            .chain([("id".to_string(), serde_json::Value::from(1))])
            .collect();
        let mut t: Ticket = serde_json::from_value(serde_json::Value::Object(wire)).unwrap();
        clean_ticket(&mut t);
        let mut seen = Vec::new();
        strings(&serde_json::to_value(&t).unwrap(), &mut seen);
        assert!(
            seen.iter().filter(|s| s.as_str() == "ABC").count() >= keys.len(),
            "{seen:?}"
        );
        for s in seen {
            assert!(!s.chars().any(crate::text::is_forbidden), "{s:?}");
        }
    }
}
