//! The ticket list: rows as loaded, the view's local refinement, sort, fuzzy filter,
//! selection and marks. Rows are only appended or replaced in place (deleted ones are hidden),
//! so row indices stay valid for background filter jobs.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use nucleo::pattern::Pattern;

use super::fuzzy::{self, FilterJob, HayStore};
use super::settings::{AssigneeSel, Column, Sort, ViewDef};
use crate::api::model::{Id, TicketRow};

/// Lists up to this size are filtered on the key path; larger ones on a blocking thread.
pub const SYNC_FILTER_LIMIT: usize = 20_000;
/// While pages stream in, re-sort at most this often (the last page always sorts).
const RESORT_EVERY_MS: i64 = 250;

/// The view's refinements applied locally (server name filters may match loosely).
#[derive(Debug, Clone, Default)]
pub struct LocalFilter {
    status: Vec<String>,
    queue: Vec<String>,
    priority: Vec<String>,
    assignee: Option<AssigneeSel>,
    unassigned: bool,
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
    sorted_at: Option<DateTime<Utc>>,
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
        self.offset = 0;
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
        self.order_dirty = true;
        if let Some(&i) = self.by_id.get(&r.id) {
            self.hay.set(i as usize, &haystack(&r));
            self.alive[i as usize] = true;
            self.rows[i as usize] = r;
            return i;
        }
        let i = self.rows.len() as u32;
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

    fn compare(&self, a: u32, b: u32) -> Ordering {
        let (ra, rb) = (&self.rows[a as usize], &self.rows[b as usize]);
        let s = |x: &Option<String>| x.as_deref().unwrap_or("").to_string();
        let ci = |x: &str, y: &str| {
            x.chars()
                .flat_map(char::to_lowercase)
                .cmp(y.chars().flat_map(char::to_lowercase))
        };
        let rank = |m: &HashMap<Id, u32>, id: Option<Id>| id.and_then(|i| m.get(&i).copied());
        let ord = match self.sort.column {
            Column::Number => ra
                .id
                .cmp(&rb.id)
                .then_with(|| ra.ticket_number.cmp(&rb.ticket_number)),
            Column::Title => ci(&ra.title, &rb.title),
            Column::Account => ci(&s(&ra.account_name), &s(&rb.account_name)),
            Column::Assignee => ci(&s(&ra.assignee_name), &s(&rb.assignee_name)),
            Column::Status => rank(&self.status_rank, ra.status_id)
                .unwrap_or(u32::MAX)
                .cmp(&rank(&self.status_rank, rb.status_id).unwrap_or(u32::MAX))
                .then_with(|| ci(&s(&ra.status_name), &s(&rb.status_name))),
            Column::Priority => rank(&self.priority_rank, ra.priority_id)
                .unwrap_or(u32::MAX)
                .cmp(&rank(&self.priority_rank, rb.priority_id).unwrap_or(u32::MAX))
                .then_with(|| ci(&s(&ra.priority_name), &s(&rb.priority_name))),
            // Ascending age = newest first.
            Column::Age => rb
                .open_date
                .or(rb.created_on)
                .cmp(&ra.open_date.or(ra.created_on)),
        };
        let ord = if self.sort.desc { ord.reverse() } else { ord };
        ord.then_with(|| rb.id.cmp(&ra.id))
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
            let mut order: Vec<u32> = (0..self.rows.len() as u32)
                .filter(|&i| {
                    let r = &self.rows[i as usize];
                    self.alive[i as usize]
                        && (self.pinned.contains(&r.id) || self.local.accepts(r, me.as_deref()))
                })
                .collect();
            order.sort_by(|&a, &b| self.compare(a, b));
            self.order = Arc::new(order);
            self.order_version += 1;
            let job = self.refilter();
            self.restore_selection();
            return job;
        }
        None
    }

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
        self.query = q.to_string();
        let p = fuzzy::pattern(q);
        self.pattern = (!fuzzy::is_empty(&p)).then_some(p);
        if self.pattern.is_none() {
            self.query.clear();
        }
        let job = self.refilter();
        self.restore_selection();
        job
    }

    fn refilter(&mut self) -> Option<FilterJob> {
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
                    && !self.shown_query.is_empty()
                    && self.query.starts_with(&self.shown_query)
                    && !self.query.contains('!') =>
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
        Some(FilterJob {
            seq: self.filter_gen,
            pattern,
            hay: self.hay.clone(),
            candidates,
        })
    }

    /// A background filter finished.
    pub fn filtered(&mut self, seq: u64, rows: Vec<u32>) -> Option<FilterJob> {
        self.filter_in_flight = false;
        if seq == self.filter_gen {
            self.shown = Some(Arc::new(rows));
            self.shown_query = self.query.clone();
            self.shown_version = self.order_version;
            self.restore_selection();
        }
        if self.filter_dirty || seq != self.filter_gen {
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
pub fn effective_offset(offset: usize, sel: usize, height: usize, len: usize) -> usize {
    if height == 0 {
        return 0;
    }
    let mut off = offset.min(len.saturating_sub(height));
    if sel < off {
        off = sel;
    } else if sel >= off + height {
        off = sel + 1 - height;
    }
    off
}
