//! What the reads do besides asking: the incremental refresh (what changed since the last
//! load, and what left the view), a view's server-side filter, the offline fallbacks (a
//! view's list and a ticket's detail from the disk while the server cannot be reached) and
//! keeping a complete detail on disk for them. The worker's `handle` starts the reads and
//! makes the newest win.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::clean::{clean_row, err_text};
use super::warmup::MeCell;
use super::{MsgTx, send};
use crate::protocol::{Changes, DetailData, Reply};
use crate::settings::{AssigneeSel, ViewDef};
use bmsdesk_core::error::ApiResult;
use bmsdesk_core::model::{Id, Note, Ticket, TicketFilter, TimeLog, UserInfo};
use bmsdesk_core::psa::Psa;
use bmsdesk_core::store::cache::Cache;
use bmsdesk_core::store::details::{DetailStore, StoredDetail};

/// Searches one incremental refresh sends (each at least one request; see [`changes_since`]):
/// what `bmsdesk doctor` counts against the request budget (`tui::polling`).
pub const SEARCHES_PER_REFRESH: u32 = 3;

/// The incremental refresh: two searches with `LastActivityUpdateFrom` (the view's filter,
/// and no filter, so tickets that moved out of the view are seen too) and a one-row page of
/// the view for its total ([`SEARCHES_PER_REFRESH`]).
pub async fn changes_since(
    client: &dyn Psa,
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
        client.search_tickets_first(view_filter, 1),
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
pub(super) async fn serve_offline(
    cache: &tokio::sync::Mutex<Cache>,
    details: &DetailStore,
    view: &ViewDef,
    me: &MeCell,
    search_gen: u64,
    tx: &MsgTx,
) -> bool {
    let cache = cache.lock().await.clone();
    let details = details.clone();
    let view = view.clone();
    let me = me.lock().await.as_ref().map(|u| u.full_name.clone());
    let found = tokio::task::spawn_blocking(move || {
        crate::offline_list::for_view(&cache, &details, &view, me.as_deref())
    })
    .await
    .ok()
    .flatten();
    match found {
        Some(mut list) => {
            list.rows.iter_mut().for_each(clean_row);
            send(tx, Reply::Cached { search_gen, list });
            true
        }
        None => false,
    }
}

/// The detail pane's data from the three replies. A complete answer is also kept on disk; when
/// the server cannot be reached, that copy is shown instead (marked as such).
pub(super) async fn detail_reply(
    store: &Arc<DetailStore>,
    id: Id,
    ticket: ApiResult<Ticket>,
    notes: ApiResult<Vec<Note>>,
    time_logs: ApiResult<Vec<TimeLog>>,
) -> Result<DetailData, String> {
    let now = bmsdesk_core::clock::now();
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
