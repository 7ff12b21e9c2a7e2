//! What the disk can show for a view while the server cannot be reached: the view's own last
//! list when it has one, else the rows kept for the other views and the stored tickets (the
//! last 300 opened) that fit the view — marked partial, since tickets never seen here are
//! missing.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::list::LocalFilter;
use super::settings::{AssigneeSel, ViewDef};
use bmsdesk_core::model::{Id, TicketRow};
use bmsdesk_core::store::cache::Cache;
use bmsdesk_core::store::details::DetailStore;

#[derive(Debug, Clone, PartialEq)]
pub struct OfflineList {
    pub rows: Vec<TicketRow>,
    /// As old as this (the oldest source its rows came from).
    pub fetched_at: DateTime<Utc>,
    pub total: Option<u64>,
    /// Put together from other lists, not the view's own.
    pub partial: bool,
}

/// Whether a cached row belongs in `view` as the server would decide it: its local filter
/// (status, queue, priority, assignee, unassigned) and, for a view without statuses, no
/// completed tickets (the search's `ExcludeCompleted`). "Mine" needs to know who I am.
fn fits(view: &ViewDef, filter: &LocalFilter, me: Option<&str>, r: &TicketRow) -> bool {
    if matches!(view.assignee, Some(AssigneeSel::Me)) && me.is_none() {
        return false;
    }
    if view.status.is_empty() && r.completed_date.is_some() {
        return false;
    }
    filter.accepts(r, me)
}

/// The list to show for `view` from the disk, if anything fits (blocking file reads: call it
/// off the async threads).
pub fn for_view(
    cache: &Cache,
    details: &DetailStore,
    view: &ViewDef,
    me: Option<&str>,
) -> Option<OfflineList> {
    if let Some(s) = cache.load_tickets(&view.cache_key()) {
        return Some(OfflineList {
            rows: s.rows,
            fetched_at: s.fetched_at,
            total: s.total,
            partial: false,
        });
    }
    // Every copy of every ticket, the newest copy of each winning.
    let mut best: HashMap<Id, (DateTime<Utc>, TicketRow)> = HashMap::new();
    let mut offer = |at: DateTime<Utc>, r: TicketRow| {
        if best.get(&r.id).is_none_or(|(t, _)| *t < at) {
            best.insert(r.id, (at, r));
        }
    };
    for s in cache.all_tickets() {
        for r in s.rows {
            offer(s.fetched_at, r);
        }
    }
    for d in details.list() {
        offer(d.fetched_at, d.ticket.row);
    }
    let filter = LocalFilter::from_view(view);
    let mut kept: Vec<(DateTime<Utc>, TicketRow)> = best
        .into_values()
        .filter(|(_, r)| fits(view, &filter, me, r))
        .collect();
    let fetched_at = kept.iter().map(|(t, _)| *t).min()?;
    // Newest first, as the server pages them.
    kept.sort_by_key(|(_, r)| std::cmp::Reverse(r.id));
    Some(OfflineList {
        rows: kept.into_iter().map(|(_, r)| r).collect(),
        fetched_at,
        total: None,
        partial: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{now, row};
    use bmsdesk_core::model::Ticket;
    use bmsdesk_core::store::cache::TicketSnapshot;
    use bmsdesk_core::store::details::StoredDetail;

    fn view(name: &str, f: impl FnOnce(&mut ViewDef)) -> ViewDef {
        let mut v = ViewDef::named(name, 2);
        f(&mut v);
        v
    }

    #[test]
    fn a_view_gets_its_own_list_else_the_kept_rows_that_fit_it() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = Cache::load(tmp.path().join("cache.json")).scoped("t");
        let details = DetailStore::beside(&cache);
        let open = view("Open", |_| {});
        let waiting = view("Waiting", |v| v.status = vec!["Waiting".into()]);
        let mine = view("Mine", |v| v.assignee = Some(AssigneeSel::Me));
        assert_eq!(
            for_view(&cache, &details, &open, None),
            None,
            "nothing kept"
        );
        let earlier = now() - chrono::Duration::hours(2);
        let mut done = row(3, "done", "Acme", (4, "Closed"), (1, "Low"), None);
        done.completed_date = Some(earlier);
        cache
            .save_tickets(&TicketSnapshot {
                fetched_at: earlier,
                view: Some(open.cache_key()),
                total: Some(40),
                rows: vec![
                    row(1, "a", "Acme", (1, "New"), (1, "Low"), Some("Alice Smith")),
                    row(2, "b", "Acme", (3, "Waiting"), (1, "Low"), None),
                    done,
                ],
            })
            .unwrap();
        // A ticket opened later, now waiting: its stored copy is newer than the list's.
        let t = Ticket {
            row: row(
                1,
                "a",
                "Acme",
                (3, "Waiting"),
                (1, "Low"),
                Some("Alice Smith"),
            ),
            ..Default::default()
        };
        details
            .save(&StoredDetail {
                ticket: t,
                notes: Vec::new(),
                time_logs: Vec::new(),
                fetched_at: now(),
            })
            .unwrap();
        let own = for_view(&cache, &details, &open, None).unwrap();
        assert!(!own.partial);
        assert_eq!((own.rows.len(), own.total), (3, Some(40)));
        let w = for_view(&cache, &details, &waiting, None).unwrap();
        assert!(w.partial);
        let ids: Vec<Id> = w.rows.iter().map(|r| r.id).collect();
        assert_eq!(ids, vec![2, 1], "both waiting ones, newest copy of 1");
        assert_eq!(w.fetched_at, earlier, "as old as its oldest source");
        assert_eq!(
            for_view(&cache, &details, &mine, None),
            None,
            "who am I unknown"
        );
        let m = for_view(&cache, &details, &mine, Some("alice smith")).unwrap();
        assert_eq!(m.rows.iter().map(|r| r.id).collect::<Vec<_>>(), vec![1]);
    }
}
