//! The ticket list: rows as loaded, the view's local refinement, sort, fuzzy filter,
//! selection and marks. Rows are only appended or replaced in place (deleted ones are hidden),
//! so row indices stay valid for background filter jobs.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use nucleo::pattern::Pattern;

use super::fuzzy::{self, FilterJob, HayStore};
use super::settings::{AssigneeSel, Column, Sort, ViewDef};
use bmsdesk_core::domain::sla::SlaState;
use bmsdesk_core::model::{Id, TicketRow};
use bmsdesk_core::name::Name;

/// Lists up to this size are filtered on the key path; larger ones on a blocking thread.
pub const SYNC_FILTER_LIMIT: usize = 20_000;
/// While pages stream in, re-sort at most this often (the last page always sorts).
const RESORT_EVERY_MS: i64 = 250;
/// An incremental refresh asks for activity from this long before the last sync started
/// (pages of a load are fetched concurrently, and clocks differ a little).
pub const REFRESH_OVERLAP_SECS: i64 = 300;

/// The view's refinements applied locally (server name filters may match loosely).
#[derive(Debug, Clone, Default)]
pub struct LocalFilter {
    status: Vec<String>,
    queue: Vec<String>,
    priority: Vec<String>,
    assignee: Option<AssigneeSel>,
    unassigned: bool,
    due_within: Option<i64>,
}

impl LocalFilter {
    pub fn from_view(v: &ViewDef) -> LocalFilter {
        let low = |xs: &[String]| xs.iter().map(|s| s.to_lowercase()).collect();
        LocalFilter {
            status: low(&v.status),
            queue: low(&v.queue),
            priority: low(&v.priority),
            assignee: v.assignee.clone(),
            unassigned: v.unassigned,
            due_within: v.due_within,
        }
    }

    /// The view filters on SLA states (they must be current before the order is built).
    pub fn uses_sla(&self) -> bool {
        self.due_within.is_some()
    }

    /// The SLA part of the filter; a ticket without a state yet is let through.
    pub fn accepts_sla(&self, s: Option<&SlaState>) -> bool {
        match (self.due_within, s) {
            (Some(m), Some(s)) => s.breaching_within(m),
            _ => true,
        }
    }

    fn one_of(list: &[String], v: Option<&str>) -> bool {
        list.is_empty() || v.is_some_and(|v| list.iter().any(|x| x.eq_ignore_ascii_case(v)))
    }

    pub fn accepts(&self, r: &TicketRow, me: Option<&str>) -> bool {
        if self.unassigned && r.assignee_id.is_some_and(|i| i > 0) {
            return false;
        }
        let assignee_ok = match &self.assignee {
            None => true,
            Some(AssigneeSel::Me) => match me {
                Some(me) => r
                    .assignee_name
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(me)),
                None => true,
            },
            Some(AssigneeSel::Name(n)) => r
                .assignee_name
                .as_deref()
                .is_some_and(|a| a.to_lowercase().contains(&n.to_lowercase())),
        };
        assignee_ok
            && Self::one_of(&self.status, r.status_name.as_deref())
            && Self::one_of(&self.queue, r.queue_name.as_deref())
            && Self::one_of(&self.priority, r.priority_name.as_deref())
    }
}

/// Whether `a` and `b` sort, pass the view's local filter and match a search alike (every
/// field `TicketList::sort_keys`, `LocalFilter::accepts` and `haystack` read).
fn same_place(a: &TicketRow, b: &TicketRow) -> bool {
    a.id == b.id
        && a.ticket_number == b.ticket_number
        && a.title == b.title
        && a.account_name == b.account_name
        && a.assignee_id == b.assignee_id
        && a.assignee_name == b.assignee_name
        && a.status_id == b.status_id
        && a.status_name == b.status_name
        && a.priority_id == b.priority_id
        && a.priority_name == b.priority_name
        && a.queue_name == b.queue_name
        && a.open_date == b.open_date
        && a.created_on == b.created_on
}

pub fn haystack(r: &TicketRow) -> String {
    format!(
        "{} {} {} {}",
        r.ticket_number,
        r.title,
        r.account_name.as_deref().unwrap_or(""),
        r.assignee_name.as_deref().unwrap_or("")
    )
}

#[derive(Default)]
pub struct TicketList {
    pub rows: Vec<TicketRow>,
    pub by_id: HashMap<Id, u32>,
    alive: Vec<bool>,
    pub hay: HayStore,
    order: Arc<Vec<u32>>,
    order_version: u64,
    order_dirty: bool,
    pub sort: Sort,
    pub local: LocalFilter,
    pub me: Option<String>,
    /// Status and priority ranks (lookup order) for sorting.
    pub status_rank: HashMap<Id, u32>,
    pub priority_rank: HashMap<Id, u32>,
    pub query: String,
    pub pattern: Option<Pattern>,
    shown: Option<Arc<Vec<u32>>>,
    shown_query: String,
    shown_version: u64,
    filter_gen: u64,
    filter_in_flight: bool,
    /// Query and order version of the job in flight (its result may still narrow a newer query).
    in_flight: (String, u64),
    filter_dirty: bool,
    pub sync_limit: usize,
    pub sel: usize,
    pub sel_id: Option<Id>,
    pub offset: usize,
    pub marked: HashSet<Id>,
    /// Shown even if the view's local filter would hide them (just created here).
    pub pinned: HashSet<Id>,
    pub loading: bool,
    pub total: Option<u64>,
    pub loaded_at: Option<DateTime<Utc>>,
    pub from_cache: bool,
    /// The cached rows are not the view's own last list but what other lists kept that fits
    /// it (offline; see `offline_list`).
    pub cache_partial: bool,
    sorted_at: Option<DateTime<Utc>>,
    /// When the load (full or incremental) in flight started, by our clock.
    sync_started: Option<DateTime<Utc>>,
    /// When the last complete load from the server started: the rows are current as of then.
    synced_at: Option<DateTime<Utc>>,
    /// SLA state of each row (same index as `rows`), kept current by the model from
    /// `sla_stale`; may be shorter than `rows` until then.
    pub sla: Vec<SlaState>,
    /// Rows added or replaced since their SLA state was computed.
    pub sla_stale: Vec<u32>,
}

impl TicketList {
    pub fn new() -> TicketList {
        TicketList {
            sync_limit: SYNC_FILTER_LIMIT,
            ..Default::default()
        }
    }

    /// Forget the rows (a new view or a full reload), keep sort/filter settings.
    pub fn clear(&mut self) {
        self.rows.clear();
        self.by_id.clear();
        self.alive.clear();
        self.hay.clear();
        self.order = Arc::new(Vec::new());
        self.order_version += 1;
        self.shown = None;
        self.filter_gen += 1;
        self.marked.clear();
        self.pinned.clear();
        self.total = None;
        self.order_dirty = true;
        // Nothing is shown now: the cursor goes to the top (`sel_id` stays, so the next
        // order puts it back on its ticket if that comes again).
        self.sel = 0;
        self.offset = 0;
        self.from_cache = false;
        self.cache_partial = false;
        self.sla.clear();
        self.sla_stale.clear();
        self.synced_at = None;
    }

    /// Changes whenever the display order is rebuilt.
    pub fn version(&self) -> u64 {
        self.order_version
    }

    /// A load from the server starts (the rows will be current as of `now`).
    pub fn begin_sync(&mut self, now: DateTime<Utc>) {
        self.sync_started = Some(now);
    }

    /// The load that `begin_sync` announced ended; `ok` = every page arrived.
    pub fn end_sync(&mut self, ok: bool) {
        let started = self.sync_started.take();
        if ok {
            self.synced_at = started;
        }
    }

    /// Where an incremental refresh can start, or `None` when only a full load will do (the
    /// rows came from the disk cache, or no load from the server finished yet). The earlier
    /// of "a little before the last sync started" and the newest activity seen in the rows
    /// (the server's clock), so neither clock skew nor a change during the load is missed.
    pub fn refresh_since(&self) -> Option<DateTime<Utc>> {
        let synced = self.synced_at?;
        if self.from_cache || self.loading {
            return None;
        }
        let since = synced - chrono::Duration::seconds(REFRESH_OVERLAP_SECS);
        let newest = self
            .rows
            .iter()
            .zip(&self.alive)
            .filter(|(_, alive)| **alive)
            .filter_map(|(r, _)| r.last_activity_update)
            .max();
        Some(newest.map_or(since, |n| n.min(since)))
    }

    /// Merges an incremental refresh: changed tickets of the view replace theirs or join;
    /// those that left the view go.
    pub fn merge_changes(&mut self, rows: Vec<TicketRow>, left: &[Id]) {
        for &id in left {
            if !self.pinned.contains(&id) {
                self.remove(id);
            }
        }
        self.upsert(rows);
    }

    /// Rows the server sent (not the placeholders of tickets still in the outbox).
    pub fn len_from_server(&self) -> usize {
        self.by_id.keys().filter(|&&id| id > 0).count()
    }

    pub fn len_loaded(&self) -> usize {
        self.by_id.len()
    }

    /// Adds rows or replaces those already present (same id).
    pub fn upsert(&mut self, rows: Vec<TicketRow>) {
        for r in rows {
            self.upsert_one(r);
        }
    }

    pub fn upsert_one(&mut self, r: TicketRow) -> u32 {
        if let Some(&i) = self.by_id.get(&r.id) {
            self.sla_stale.push(i);
            let old = &self.rows[i as usize];
            // A fresh copy of a row (a detail fetch, a refresh) that sorts, filters and
            // searches the same leaves the order alone: no re-sort of 100k rows for it. (An
            // order or filter by SLA state follows the state: `SlaBoard::refresh` says when
            // a replaced row's state changed.)
            if !same_place(old, &r) {
                self.order_dirty = true;
                self.hay.set(i as usize, &haystack(&r));
            }
            self.alive[i as usize] = true;
            self.rows[i as usize] = r;
            return i;
        }
        self.order_dirty = true;
        let i = self.rows.len() as u32;
        self.sla_stale.push(i);
        self.hay.push(&haystack(&r));
        self.by_id.insert(r.id, i);
        self.rows.push(r);
        self.alive.push(true);
        i
    }

    pub fn remove(&mut self, id: Id) {
        if let Some(i) = self.by_id.remove(&id) {
            self.alive[i as usize] = false;
            self.marked.remove(&id);
            self.order_dirty = true;
        }
    }

    pub fn get(&self, id: Id) -> Option<&TicketRow> {
        self.by_id.get(&id).map(|&i| &self.rows[i as usize])
    }

    pub fn get_mut(&mut self, id: Id) -> Option<&mut TicketRow> {
        let i = *self.by_id.get(&id)?;
        self.order_dirty = true;
        self.sla_stale.push(i);
        Some(&mut self.rows[i as usize])
    }

    pub fn invalidate(&mut self) {
        self.order_dirty = true;
    }

    /// Row indices in display order (filtered when a filter is active and computed).
    pub fn visible(&self) -> &[u32] {
        match (&self.shown, self.query.is_empty()) {
            (Some(s), false) => s,
            _ => &self.order,
        }
    }

    pub fn visible_len(&self) -> usize {
        self.visible().len()
    }

    pub fn selected_row(&self) -> Option<&TicketRow> {
        let i = *self.visible().get(self.sel)?;
        self.rows.get(i as usize)
    }

    pub fn filter_pending(&self) -> bool {
        !self.query.is_empty() && (self.filter_in_flight || self.shown.is_none())
    }

    /// `rows` in display order. The keys sit in an array by row index and the sort moves
    /// 4-byte indices; a stable sort, since rows mostly arrive in order already (pages come
    /// newest first) and it makes use of runs that are sorted.
    fn sorted(&self, rows: &[u32]) -> Vec<u32> {
        let mut order = rows.to_vec();
        if self.sort.column == Column::Due {
            // Breaches next first; rows without a state yet last. The id sits beside the key
            // so ties do not reach into the rows.
            let mut by_row = vec![((true, None), std::cmp::Reverse(0)); self.rows.len()];
            for &i in rows {
                let s = self.sla.get(i as usize);
                by_row[i as usize] = (
                    (s.is_none(), s.map(SlaState::time_to_breach)),
                    std::cmp::Reverse(self.rows[i as usize].id),
                );
            }
            if self.sort.desc {
                order.sort_by(|&a, &b| {
                    let (ka, ia) = &by_row[a as usize];
                    let (kb, ib) = &by_row[b as usize];
                    kb.cmp(ka).then_with(|| ia.cmp(ib))
                });
            } else {
                order.sort_by(|&a, &b| by_row[a as usize].cmp(&by_row[b as usize]));
            }
            return order;
        }
        let mut by_row = vec![(0i64, 0i64, std::cmp::Reverse(0)); self.rows.len()];
        for (p, s, id, i) in self.sort_keys(rows) {
            by_row[i as usize] = (p, s, id);
        }
        order.sort_by(|&a, &b| by_row[a as usize].cmp(&by_row[b as usize]));
        order
    }

    /// Sort keys of `rows` for the current column (all but `Due`), so the sort compares
    /// integers: the primary/secondary key (text columns as the rank of their case-folded
    /// value), reversed for a descending sort, then the newest id first. Text is folded once
    /// per distinct value, not once per comparison.
    fn sort_keys<'a>(
        &'a self,
        rows: &'a [u32],
    ) -> impl Iterator<Item = (i64, i64, std::cmp::Reverse<Id>, u32)> + 'a {
        let row = |i: u32| &self.rows[i as usize];
        let text_rank = |f: &dyn Fn(&TicketRow) -> &str| -> Vec<i64> {
            let mut slot: HashMap<&str, u32> = HashMap::new();
            let slots: Vec<u32> = rows
                .iter()
                .map(|&i| {
                    let n = slot.len() as u32;
                    *slot.entry(f(row(i))).or_insert(n)
                })
                .collect();
            let mut distinct: Vec<(String, u32)> = slot
                .into_iter()
                .map(|(s, n)| (s.to_lowercase(), n))
                .collect();
            distinct.sort_unstable();
            let mut rank = vec![0i64; distinct.len()];
            let mut r = 0i64;
            for (k, (lower, n)) in distinct.iter().enumerate() {
                if k > 0 && distinct[k - 1].0 != *lower {
                    r += 1;
                }
                rank[*n as usize] = r;
            }
            slots.into_iter().map(|s| rank[s as usize]).collect()
        };
        fn opt(x: &Option<Name>) -> &str {
            x.as_deref().unwrap_or("")
        }
        let lookup = |m: &HashMap<Id, u32>, id: Option<Id>| {
            id.and_then(|i| m.get(&i).copied()).unwrap_or(u32::MAX) as i64
        };
        let ranks: Vec<i64> = match self.sort.column {
            Column::Title => text_rank(&|r| r.title.as_str()),
            Column::Account => text_rank(&|r| opt(&r.account_name)),
            Column::Assignee => text_rank(&|r| opt(&r.assignee_name)),
            Column::Status => text_rank(&|r| opt(&r.status_name)),
            Column::Priority => text_rank(&|r| opt(&r.priority_name)),
            Column::Number | Column::Age | Column::Due => Vec::new(),
        };
        // `!x` reverses the order of every i64 without overflow.
        let dir = |x: i64| if self.sort.desc { !x } else { x };
        rows.iter().enumerate().map(move |(k, &i)| {
            let r = row(i);
            let (primary, secondary) = match self.sort.column {
                Column::Number => (r.id, 0),
                Column::Title | Column::Account | Column::Assignee => (ranks[k], 0),
                Column::Status => (lookup(&self.status_rank, r.status_id), ranks[k]),
                Column::Priority => (lookup(&self.priority_rank, r.priority_id), ranks[k]),
                // Ascending age = newest first; no date last.
                Column::Age => (
                    r.open_date
                        .or(r.created_on)
                        .map_or(i64::MAX, |t| -t.timestamp_micros()),
                    0,
                ),
                // Sorted apart (`sorted`).
                Column::Due => (0, 0),
            };
            (dir(primary), dir(secondary), std::cmp::Reverse(r.id), i)
        })
    }

    /// Rebuilds the order if rows, sort or view changed; re-runs the filter if needed.
    /// Returns a background filter job when the list is too large to filter inline.
    pub fn prepare(&mut self, now: DateTime<Utc>) -> Option<FilterJob> {
        let throttled = self.loading
            && !self.order.is_empty()
            && self
                .sorted_at
                .is_some_and(|t| (now - t).num_milliseconds() < RESORT_EVERY_MS);
        if self.order_dirty && !throttled {
            self.sorted_at = Some(now);
            self.order_dirty = false;
            let me = self.me.clone();
            let order: Vec<u32> = (0..self.rows.len() as u32)
                .filter(|&i| {
                    let r = &self.rows[i as usize];
                    self.alive[i as usize]
                        && (self.pinned.contains(&r.id)
                            || (self.local.accepts(r, me.as_deref())
                                && self.local.accepts_sla(self.sla.get(i as usize))))
                })
                .collect();
            let order = self.sorted(&order);
            self.order = Arc::new(order);
            self.order_version += 1;
            return self.refilter();
        }
        None
    }

    /// Puts the selection back on its ticket, or the nearest row when the ticket is no longer
    /// shown. Called after every change of what is shown (the order, the filter's result).
    fn restore_selection(&mut self) {
        let vis = self.visible();
        if let Some(id) = self.sel_id
            && let Some(&row) = self.by_id.get(&id)
            && let Some(pos) = vis.iter().position(|&i| i == row)
        {
            self.sel = pos;
            return;
        }
        let len = vis.len();
        self.sel = self.sel.min(len.saturating_sub(1));
        self.sel_id = self.selected_row().map(|r| r.id);
    }

    pub fn set_query(&mut self, q: &str) -> Option<FilterJob> {
        if q == self.query {
            return None;
        }
        // Kept as typed even while it matches everything (a lone `'`, `!` or `^` that the
        // next key completes): the user's keystroke must not vanish.
        self.query = q.to_string();
        let p = fuzzy::pattern(q);
        self.pattern = (!fuzzy::is_empty(&p)).then_some(p);
        self.refilter()
    }

    /// Re-runs the filter over the current order and keeps the selection inside what is shown
    /// then: every path that changes the visible rows goes through here (or `filtered`).
    fn refilter(&mut self) -> Option<FilterJob> {
        let job = self.run_filter();
        self.restore_selection();
        job
    }

    fn run_filter(&mut self) -> Option<FilterJob> {
        let Some(pattern) = self.pattern.clone() else {
            self.shown = None;
            self.shown_query.clear();
            return None;
        };
        self.filter_gen += 1;
        // Narrowing the same order: only the previous matches can still match.
        let candidates = match &self.shown {
            Some(prev)
                if self.shown_version == self.order_version
                    && fuzzy::narrows(&self.shown_query, &self.query) =>
            {
                prev.clone()
            }
            _ => self.order.clone(),
        };
        if candidates.len() <= self.sync_limit {
            let out = fuzzy::filter(&self.hay, &candidates, &pattern);
            self.shown = Some(Arc::new(out));
            self.shown_query = self.query.clone();
            self.shown_version = self.order_version;
            self.filter_dirty = false;
            return None;
        }
        if self.filter_in_flight {
            self.filter_dirty = true;
            return None;
        }
        self.filter_in_flight = true;
        self.in_flight = (self.query.clone(), self.order_version);
        Some(FilterJob {
            filter_gen: self.filter_gen,
            pattern,
            hay: self.hay.clone(),
            candidates,
        })
    }

    /// A background filter finished.
    pub fn filtered(&mut self, filter_gen: u64, rows: Vec<u32>) -> Option<FilterJob> {
        self.filter_in_flight = false;
        let (job_query, job_version) = std::mem::take(&mut self.in_flight);
        if filter_gen == self.filter_gen {
            self.shown = Some(Arc::new(rows));
            self.shown_query = self.query.clone();
            self.shown_version = self.order_version;
            self.restore_selection();
        } else if job_version == self.order_version && fuzzy::narrows(&job_query, &self.query) {
            // Typed on while it ran: its matches are a superset of the new query's, so
            // show them until the narrower run lands, and narrow from them.
            self.shown = Some(Arc::new(rows));
            self.shown_query = job_query;
            self.shown_version = job_version;
            self.restore_selection();
        }
        if self.filter_dirty || filter_gen != self.filter_gen {
            self.filter_dirty = false;
            return self.refilter();
        }
        None
    }

    pub fn select(&mut self, pos: usize) {
        let len = self.visible_len();
        self.sel = pos.min(len.saturating_sub(1));
        self.sel_id = self.selected_row().map(|r| r.id);
    }

    pub fn move_by(&mut self, delta: isize) {
        let len = self.visible_len() as isize;
        if len == 0 {
            return;
        }
        let pos = (self.sel as isize + delta).clamp(0, len - 1);
        self.select(pos as usize);
    }

    /// Keeps the selection inside a viewport of `height` rows.
    pub fn scroll_into_view(&mut self, height: usize) {
        self.offset = effective_offset(self.offset, self.sel, height, self.visible_len());
    }

    pub fn toggle_mark(&mut self) {
        if let Some(id) = self.sel_id
            && !self.marked.remove(&id)
        {
            self.marked.insert(id);
        }
    }

    /// Marked tickets, or the selected one.
    pub fn targets(&self) -> Vec<Id> {
        if self.marked.is_empty() {
            self.sel_id.into_iter().collect()
        } else {
            let mut v: Vec<Id> = self.marked.iter().copied().collect();
            v.sort_unstable();
            v
        }
    }
}

/// First visible row so that `sel` is inside `height` rows, moving as little as possible.
/// Never past the end, even for a selection that is (it is clamped to the last row).
pub fn effective_offset(offset: usize, sel: usize, height: usize, len: usize) -> usize {
    if height == 0 || len == 0 {
        return 0;
    }
    let sel = sel.min(len - 1);
    let mut off = offset.min(len.saturating_sub(height));
    if sel < off {
        off = sel;
    } else if sel >= off + height {
        off = sel + 1 - height;
    }
    off
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

    use super::*;
    use crate::testkit::row;

    /// The comparison the integer sort keys stand for, written out plainly.
    fn reference(l: &TicketList, a: u32, b: u32) -> Ordering {
        let (ra, rb) = (&l.rows[a as usize], &l.rows[b as usize]);
        let s = |x: &Option<Name>| x.as_deref().unwrap_or("").to_lowercase();
        let rank = |m: &HashMap<Id, u32>, id: Option<Id>| {
            id.and_then(|i| m.get(&i).copied()).unwrap_or(u32::MAX)
        };
        let ord = match l.sort.column {
            Column::Number => ra.id.cmp(&rb.id),
            Column::Title => ra.title.to_lowercase().cmp(&rb.title.to_lowercase()),
            Column::Account => s(&ra.account_name).cmp(&s(&rb.account_name)),
            Column::Assignee => s(&ra.assignee_name).cmp(&s(&rb.assignee_name)),
            Column::Status => rank(&l.status_rank, ra.status_id)
                .cmp(&rank(&l.status_rank, rb.status_id))
                .then_with(|| s(&ra.status_name).cmp(&s(&rb.status_name))),
            Column::Priority => rank(&l.priority_rank, ra.priority_id)
                .cmp(&rank(&l.priority_rank, rb.priority_id))
                .then_with(|| s(&ra.priority_name).cmp(&s(&rb.priority_name))),
            Column::Age => rb
                .open_date
                .or(rb.created_on)
                .cmp(&ra.open_date.or(ra.created_on)),
            Column::Due => {
                let key = |i: u32| {
                    let s = l.sla.get(i as usize);
                    (s.is_none(), s.map(SlaState::time_to_breach))
                };
                key(a).cmp(&key(b))
            }
        };
        let ord = if l.sort.desc { ord.reverse() } else { ord };
        ord.then_with(|| rb.id.cmp(&ra.id))
    }

    #[test]
    fn every_sort_matches_the_plain_comparison() {
        let names = ["acme", "Acme", "Contoso", "", "northwind", "Ørsted"];
        let mut l = TicketList::new();
        for i in 0..60i64 {
            let n = names[(i * 7 % 6) as usize];
            let mut r = row(
                i + 1,
                names[(i % 6) as usize],
                n,
                (i % 4, ["New", "new", "Open", "Closed"][(i % 4) as usize]),
                (i % 3, ["High", "Low", "low"][(i % 3) as usize]),
                (i % 5 != 0).then_some(names[(i * 5 % 6) as usize]),
            );
            if i % 9 == 0 {
                r.open_date = None;
            }
            if i % 11 == 0 {
                r.open_date = r.open_date.map(|_| crate::testkit::now());
            }
            l.upsert_one(r);
        }
        l.status_rank = [(1, 0), (0, 1)].into_iter().collect();
        l.priority_rank = [(2, 0), (1, 1)].into_iter().collect();
        for column in Column::ALL {
            for desc in [false, true] {
                l.sort = Sort { column, desc };
                l.invalidate();
                l.prepare(crate::testkit::now());
                let mut expect: Vec<u32> = (0..60).collect();
                expect.sort_by(|&a, &b| reference(&l, a, b));
                assert_eq!(l.visible(), &expect[..], "{column:?} desc={desc}");
            }
        }
    }

    #[test]
    fn refresh_starts_from_the_last_complete_load() {
        let now = crate::testkit::now();
        let mut l = TicketList::new();
        l.begin_sync(now);
        l.upsert(vec![row(1, "a", "x", (1, "New"), (1, "Low"), None)]);
        assert_eq!(l.refresh_since(), None, "nothing finished yet");
        l.end_sync(false);
        assert_eq!(l.refresh_since(), None, "a failed load proves nothing");
        l.begin_sync(now);
        l.end_sync(true);
        let overlap = chrono::Duration::seconds(REFRESH_OVERLAP_SECS);
        assert_eq!(l.refresh_since(), Some(now - overlap));
        // The server's newest activity is older than our clock says: trust the older.
        let old = now - chrono::Duration::hours(3);
        l.get_mut(1).unwrap().last_activity_update = Some(old);
        assert_eq!(l.refresh_since(), Some(old));
        l.from_cache = true;
        assert_eq!(l.refresh_since(), None, "rows from the disk cache: reload");
        l.from_cache = false;
        l.clear();
        assert_eq!(l.refresh_since(), None, "a cleared list: reload");
    }

    #[test]
    fn an_unchanged_row_does_not_resort_the_list() {
        let mut l = TicketList::new();
        l.upsert(
            (1..=3)
                .map(|i| row(i, "t", "x", (1, "New"), (1, "Low"), None))
                .collect(),
        );
        l.prepare(crate::testkit::now());
        let mut same = l.get(2).unwrap().clone();
        same.sla_name = Some("Gold".into());
        l.upsert_one(same);
        assert!(!l.order_dirty, "detail-only fields changed");
        let mut moved = l.get(2).unwrap().clone();
        moved.title = "other".into();
        l.upsert_one(moved);
        assert!(l.order_dirty);
    }
}
