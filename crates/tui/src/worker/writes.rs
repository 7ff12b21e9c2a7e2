//! Writes and the link: every write goes through the outbox ([`Actions::submit`]); one
//! that cannot be delivered now is answered [`Reply::Queued`] and the background loop
//! ([`outbox_loop`]) sends the queue later — every `flush_every`, at once when the link comes
//! back — probes the link while it is down ([`Reply::Link`]), reports the request budget
//! ([`Reply::Budget`]) and when a background refresh is due ([`Reply::RefreshDue`]).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::clean::{clean_result, clean_ticket, err_text};
use super::{MsgTx, WorkerOptions, report_notices, send};
use crate::protocol::{BudgetLow, Reply};
use bmsdesk_core::actions::{Actions, Outcome, WriteOp, WriteResult};
use bmsdesk_core::psa::Psa;
use bmsdesk_core::retry::worth_keeping;
use bmsdesk_core::store::drafts::DraftKey;
use bmsdesk_core::text::sanitize_line;
use bmsdesk_core::{error::ApiError, error::ApiResult};

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
pub(super) struct Link {
    pub(super) online: AtomicBool,
    pub(super) wake: tokio::sync::Notify,
    pub(super) tx: MsgTx,
}

impl Link {
    pub(super) fn online(&self) -> bool {
        self.online.load(Ordering::SeqCst)
    }

    pub(super) fn saw<T>(&self, r: &ApiResult<T>) {
        match r {
            Err(e) if unreachable(e) => self.down(err_text(e)),
            // Not an answer about the link: sign-in needed, local trouble.
            Err(e) if e.is_auth() || matches!(e, ApiError::Config(_)) => {}
            _ => self.up(),
        }
    }

    pub(super) fn up(&self) {
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

    pub(super) fn down(&self, reason: String) {
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

/// What the outbox loop and the write handlers share.
#[derive(Clone)]
pub(super) struct Shared {
    pub(super) actions: Actions,
    pub(super) tx: MsgTx,
    pub(super) link: Arc<Link>,
    /// The outbox as last reported (so it is sent only when it changed).
    pub(super) seen: Arc<std::sync::Mutex<Option<Vec<OutboxKey>>>>,
}

pub(super) type OutboxKey = (u64, bmsdesk_core::store::outbox::ItemState, Option<String>);

impl Shared {
    /// Sends the outbox to the model if it changed since last time.
    pub(super) fn report_outbox(&self) {
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
    pub(super) async fn submit(
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
                item,
                reason,
                needs_sign_in,
            }) => {
                send(
                    &self.tx,
                    Reply::Queued {
                        req,
                        item,
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
    pub(super) async fn flush(&self) {
        let ops: std::collections::HashMap<u64, WriteOp> = self
            .actions
            .outbox_items()
            .into_iter()
            .map(|i| (i.seq, i.op))
            .collect();
        for (item, result) in self.actions.flush_outbox().await {
            let op = Box::new(
                ops.get(&item)
                    .cloned()
                    .unwrap_or(WriteOp::DeleteTicket { ticket_id: 0 }),
            );
            self.report_item(item, op, result);
        }
        self.report_outbox();
    }

    pub(super) fn report_item(&self, item: u64, op: Box<WriteOp>, result: ApiResult<WriteResult>) {
        match result {
            Ok(r) => {
                self.link.up();
                send(
                    &self.tx,
                    Reply::Delivered {
                        item,
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
                        item,
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
pub(super) async fn write(
    sh: &Shared,
    client: &dyn Psa,
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
pub(super) async fn outbox_loop(sh: Shared, opts: WorkerOptions) {
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
        report_notices(&*client, &sh.tx);
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
