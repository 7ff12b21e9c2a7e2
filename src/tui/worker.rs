//! The worker: a tokio task that owns the API client. It turns [`Request`]s into API calls
//! and answers with [`Reply`] messages. Searches stream page by page; every reply to a
//! search or detail carries the generation it was asked with, and a newer request aborts
//! the older one, so the model can drop what is stale. Every server string is sanitized
//! here, before the model sees it.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use super::app::Msg;
use super::settings::{AssigneeSel, ViewDef};
use super::text::{html_to_text, sanitize_line, sanitize_opt, sanitize_text};
use crate::actions::Actions;
use crate::api::model::{
    Account, AssignInput, Id, Location, LookupItem, Note, NoteInput, NoteTemplate, PatchOp, Ticket,
    TicketFilter, TicketRow, TicketTemplate, TicketTemplateSummary, TimeLog, UserInfo,
};
use crate::api::{ApiError, ApiResult, Client, LookupKind, TicketDraft};
use crate::store::cache::{Cache, Cached, TicketSnapshot};

type CacheRef = Arc<tokio::sync::Mutex<Cache>>;

/// Rows of the last list kept on disk for an instant start.
pub const SNAPSHOT_ROWS: usize = 2000;

/// What the UI asks of the worker.
#[derive(Debug, Clone)]
pub enum Request {
    /// Who am I, accounts, lookups, templates, and locations of these accounts.
    Warmup {
        recent_accounts: Vec<Id>,
        refresh: bool,
    },
    Search {
        seq: u64,
        view: ViewDef,
    },
    Detail {
        seq: u64,
        id: Id,
    },
    Locations {
        account_id: Id,
    },
    TicketTemplate {
        id: Id,
    },
    NoteTemplateBody {
        template_id: Id,
        ticket_id: Id,
    },
    Create {
        req: u64,
        draft: TicketDraft,
    },
    AddNote {
        req: u64,
        ticket_id: Id,
        input: NoteInput,
    },
    Patch {
        req: u64,
        ticket_id: Id,
        what: &'static str,
        ops: Vec<PatchOp>,
    },
    Assign {
        req: u64,
        ticket_id: Id,
        input: AssignInput,
    },
    Delete {
        req: u64,
        ticket_id: Id,
    },
}

/// A ticket with everything the detail pane shows, already made safe to draw.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DetailData {
    pub ticket: Ticket,
    pub details_text: String,
    pub notes: Vec<NoteView>,
    pub notes_error: Option<String>,
    pub time_logs: Vec<TimeLog>,
    pub time_error: Option<String>,
    pub fetched_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NoteView {
    pub id: Id,
    pub text: String,
    pub is_internal: Option<bool>,
    pub author: String,
    pub type_name: Option<String>,
    pub created_on: Option<DateTime<Utc>>,
}

impl NoteView {
    pub fn from_note(n: &Note) -> NoteView {
        NoteView {
            id: n.id,
            text: html_to_text(&n.details),
            is_internal: n.is_internal,
            author: sanitize_line(
                n.created_by_name
                    .as_deref()
                    .or(n.created_by_email.as_deref())
                    .unwrap_or("?"),
            ),
            type_name: n.type_name.as_deref().map(sanitize_line),
            created_on: n.created_on,
        }
    }
}

/// Answers from the worker. `Err` strings are sanitized and safe to show.
#[derive(Debug, Clone)]
pub enum Reply {
    Me(UserInfo),
    Accounts {
        items: Vec<Account>,
        fetched_at: DateTime<Utc>,
    },
    Locations {
        account_id: Id,
        result: Result<Vec<Location>, String>,
    },
    Lookup {
        kind: LookupKind,
        items: Vec<LookupItem>,
    },
    TicketTemplates(Vec<TicketTemplateSummary>),
    NoteTemplates(Vec<NoteTemplate>),
    TicketTemplate {
        id: Id,
        result: Result<TicketTemplate, String>,
    },
    NoteTemplateBody {
        template_id: Id,
        ticket_id: Id,
        result: Result<String, String>,
    },
    Page {
        seq: u64,
        rows: Vec<TicketRow>,
        total: Option<u64>,
    },
    SearchDone {
        seq: u64,
        result: Result<u64, String>,
        at: DateTime<Utc>,
    },
    Detail {
        seq: u64,
        id: Id,
        result: Result<Arc<DetailData>, String>,
    },
    Created {
        req: u64,
        result: Result<Ticket, String>,
    },
    NoteAdded {
        req: u64,
        ticket_id: Id,
        result: Result<Note, String>,
    },
    Patched {
        req: u64,
        ticket_id: Id,
        what: &'static str,
        result: Result<Ticket, String>,
    },
    Assigned {
        req: u64,
        ticket_id: Id,
        result: Result<Option<Ticket>, String>,
    },
    Deleted {
        req: u64,
        ticket_id: Id,
        result: Result<(), String>,
    },
    /// A background load failed (warm-up, lookups).
    Failed {
        what: String,
        error: String,
    },
}

pub fn err_text(e: &ApiError) -> String {
    sanitize_line(&e.to_string())
}

pub fn clean_row(r: &mut TicketRow) {
    r.ticket_number = sanitize_line(&r.ticket_number);
    r.title = sanitize_line(&r.title);
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
        sanitize_opt(s);
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

/// The writes, in one place, all through the audited [`Actions`].
mod writes {
    use super::*;

    pub async fn create(a: &Actions, draft: &TicketDraft) -> ApiResult<Ticket> {
        a.create_ticket(draft).await
    }
    pub async fn add_note(a: &Actions, ticket_id: Id, input: &NoteInput) -> ApiResult<Note> {
        a.add_note(ticket_id, input).await
    }
    pub async fn patch(a: &Actions, ticket_id: Id, ops: &[PatchOp]) -> ApiResult<Ticket> {
        a.patch_ticket(ticket_id, ops).await
    }
    pub async fn assign(a: &Actions, ticket_id: Id, input: &AssignInput) -> ApiResult<()> {
        a.assign(ticket_id, input).await
    }
    pub async fn delete(a: &Actions, ticket_id: Id) -> ApiResult<()> {
        a.delete_ticket(ticket_id).await
    }
}

/// Cache or fetch without holding the cache lock over the network: the fresh cached value,
/// else a fetch (stored and saved), else on a transient failure the stale value.
async fn cached<T: Clone>(
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
        && !refresh
        && h.is_fresh(ttl)
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
            Ok((v, Utc::now()))
        }
        Err(e) if !refresh && e.is_transient() => match hit {
            Some(h) => Ok((h.value, h.fetched_at)),
            None => Err(e),
        },
        Err(e) => Err(e),
    }
}

async fn locations(
    client: &Client,
    cache: &CacheRef,
    account_id: Id,
    refresh: bool,
) -> Result<Vec<Location>, String> {
    cached(
        cache,
        refresh,
        |c| c.cached_locations(account_id),
        |c, v| c.set_locations(account_id, v),
        client.locations(account_id),
    )
    .await
    .map(|(mut ls, _)| {
        for l in &mut ls {
            l.name = sanitize_line(&l.name);
            l.account_id = account_id;
        }
        ls
    })
    .map_err(|e| err_text(&e))
}

pub type MsgTx = mpsc::UnboundedSender<Msg>;

struct Worker {
    client: Client,
    actions: Actions,
    cache: CacheRef,
    tx: MsgTx,
    me: Arc<tokio::sync::OnceCell<Option<UserInfo>>>,
    search: Option<AbortHandle>,
    detail: Option<AbortHandle>,
}

/// Starts the worker; requests go in on the returned channel, replies come out on `tx`.
pub fn spawn(actions: Actions, cache: Cache, tx: MsgTx) -> mpsc::Sender<Request> {
    let (req_tx, mut req_rx) = mpsc::channel::<Request>(256);
    let mut w = Worker {
        client: actions.client().clone(),
        actions,
        cache: Arc::new(tokio::sync::Mutex::new(cache)),
        tx,
        me: Arc::new(tokio::sync::OnceCell::new()),
        search: None,
        detail: None,
    };
    tokio::spawn(async move {
        while let Some(req) = req_rx.recv().await {
            w.handle(req);
        }
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

async fn who_am_i(
    client: &Client,
    cell: &tokio::sync::OnceCell<Option<UserInfo>>,
    tx: &MsgTx,
) -> Option<UserInfo> {
    cell.get_or_init(|| async {
        match client.user_info().await {
            Ok(mut me) => {
                me.full_name = sanitize_line(&me.full_name);
                send(tx, Reply::Me(me.clone()));
                Some(me)
            }
            Err(e) => {
                send(
                    tx,
                    Reply::Failed {
                        what: "who am I".into(),
                        error: err_text(&e),
                    },
                );
                None
            }
        }
    })
    .await
    .clone()
}

impl Worker {
    fn handle(&mut self, req: Request) {
        let client = self.client.clone();
        let actions = self.actions.clone();
        let cache = self.cache.clone();
        let tx = self.tx.clone();
        match req {
            Request::Warmup {
                recent_accounts,
                refresh,
            } => {
                let me = self.me.clone();
                tokio::spawn(async move {
                    warmup(client, cache, tx, me, recent_accounts, refresh).await;
                });
            }
            Request::Search { seq, view } => {
                if let Some(h) = self.search.take() {
                    h.abort();
                }
                let me = self.me.clone();
                let h = tokio::spawn(async move {
                    let me = if matches!(view.assignee, Some(AssigneeSel::Me)) {
                        who_am_i(&client, &me, &tx).await
                    } else {
                        None
                    };
                    let filter = view_filter(&view, me.as_ref());
                    let mut keep: Vec<TicketRow> = Vec::new();
                    let mut total_seen = None;
                    let result = client
                        .search_tickets_streamed(&filter, |mut rows, total| {
                            rows.iter_mut().for_each(clean_row);
                            total_seen = total;
                            if keep.len() < SNAPSHOT_ROWS {
                                let n = (SNAPSHOT_ROWS - keep.len()).min(rows.len());
                                keep.extend_from_slice(&rows[..n]);
                            }
                            send(&tx, Reply::Page { seq, rows, total });
                        })
                        .await
                        .map_err(|e| err_text(&e));
                    if result.is_ok() {
                        let snap = TicketSnapshot {
                            fetched_at: Utc::now(),
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
                            at: Utc::now(),
                        },
                    );
                });
                self.search = Some(h.abort_handle());
            }
            Request::Detail { seq, id } => {
                if let Some(h) = self.detail.take() {
                    h.abort();
                }
                let h = tokio::spawn(async move {
                    let (t, n, l) =
                        tokio::join!(client.ticket(id), client.notes(id), client.time_logs(id));
                    let result = t.map_err(|e| err_text(&e)).map(|mut ticket| {
                        clean_ticket(&mut ticket);
                        let details_text = html_to_text(ticket.details.as_deref().unwrap_or(""));
                        let (notes, notes_error) = match n {
                            Ok(ns) => (ns.iter().map(NoteView::from_note).collect(), None),
                            Err(e) => (Vec::new(), Some(err_text(&e))),
                        };
                        let (time_logs, time_error) = match l {
                            Ok(mut ls) => {
                                for l in &mut ls {
                                    sanitize_opt(&mut l.employee_name);
                                    sanitize_opt(&mut l.work_type_name);
                                    sanitize_opt(&mut l.role_name);
                                    if let Some(n) = l.notes.as_mut() {
                                        *n = sanitize_text(n);
                                    }
                                }
                                (ls, None)
                            }
                            Err(e) => (Vec::new(), Some(err_text(&e))),
                        };
                        Arc::new(DetailData {
                            ticket,
                            details_text,
                            notes,
                            notes_error,
                            time_logs,
                            time_error,
                            fetched_at: Utc::now(),
                        })
                    });
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
            Request::Create { req, draft } => {
                tokio::spawn(async move {
                    let result = writes::create(&actions, &draft)
                        .await
                        .map(|mut t| {
                            clean_ticket(&mut t);
                            t
                        })
                        .map_err(|e| err_text(&e));
                    send(&tx, Reply::Created { req, result });
                });
            }
            Request::AddNote {
                req,
                ticket_id,
                input,
            } => {
                tokio::spawn(async move {
                    let result = writes::add_note(&actions, ticket_id, &input)
                        .await
                        .map_err(|e| err_text(&e));
                    send(
                        &tx,
                        Reply::NoteAdded {
                            req,
                            ticket_id,
                            result,
                        },
                    );
                });
            }
            Request::Patch {
                req,
                ticket_id,
                what,
                ops,
            } => {
                tokio::spawn(async move {
                    let result = writes::patch(&actions, ticket_id, &ops)
                        .await
                        .map(|mut t| {
                            clean_ticket(&mut t);
                            t
                        })
                        .map_err(|e| err_text(&e));
                    send(
                        &tx,
                        Reply::Patched {
                            req,
                            ticket_id,
                            what,
                            result,
                        },
                    );
                });
            }
            Request::Assign {
                req,
                ticket_id,
                input,
            } => {
                tokio::spawn(async move {
                    let result = match writes::assign(&actions, ticket_id, &input).await {
                        // The assign endpoint answers without a body: read the ticket back.
                        Ok(()) => Ok(client.ticket(ticket_id).await.ok().map(|mut t| {
                            clean_ticket(&mut t);
                            t
                        })),
                        Err(e) => Err(err_text(&e)),
                    };
                    send(
                        &tx,
                        Reply::Assigned {
                            req,
                            ticket_id,
                            result,
                        },
                    );
                });
            }
            Request::Delete { req, ticket_id } => {
                tokio::spawn(async move {
                    let result = writes::delete(&actions, ticket_id)
                        .await
                        .map_err(|e| err_text(&e));
                    send(
                        &tx,
                        Reply::Deleted {
                            req,
                            ticket_id,
                            result,
                        },
                    );
                });
            }
        }
    }
}

async fn warmup(
    client: Client,
    cache: CacheRef,
    tx: MsgTx,
    me: Arc<tokio::sync::OnceCell<Option<UserInfo>>>,
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
        ] {
            let got = cached(
                &cache,
                refresh,
                |c| c.cached_lookup(kind),
                |c, v| c.set_lookup(kind, v),
                client.lookup(kind),
            )
            .await;
            match got {
                Ok((mut items, _)) => {
                    clean_lookup(&mut items);
                    send(&tx, Reply::Lookup { kind, items });
                }
                Err(e) => fail(kind.name(), e),
            }
        }
    };
    let templates = async {
        let got = cached(
            &cache,
            refresh,
            |c| c.cached_ticket_templates(),
            |c, v| c.set_ticket_templates(v),
            client.ticket_templates(),
        )
        .await;
        match got {
            Ok((mut t, _)) => {
                for x in &mut t {
                    x.name = sanitize_line(&x.name);
                }
                send(&tx, Reply::TicketTemplates(t));
            }
            Err(e) => fail("ticket templates", e),
        }
        let got = cached(
            &cache,
            refresh,
            |c| c.cached_note_templates(),
            |c, v| c.set_note_templates(v),
            client.note_templates(),
        )
        .await;
        match got {
            Ok((mut t, _)) => {
                for x in &mut t {
                    x.name = sanitize_line(&x.name);
                }
                send(&tx, Reply::NoteTemplates(t));
            }
            Err(e) => fail("note templates", e),
        }
    };
    let locs = async {
        for account_id in recent.into_iter().take(8) {
            let result = locations(&client, &cache, account_id, refresh).await;
            send(&tx, Reply::Locations { account_id, result });
        }
    };
    let who = who_am_i(&client, &me, &tx);
    tokio::join!(who, accounts, lookups, templates, locs);
}
