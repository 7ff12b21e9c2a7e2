//! The ticket list flow: loading a view (page by page, a refresh of only what changed), the
//! cached list until the fresh one arrives, moving, marking, sorting, the `/` filter, saved
//! views and the dashboard in the list's place. The rows themselves live in `tui::list`.

use chrono::{DateTime, Utc};

use crossterm::event::{KeyCode, KeyModifiers};

use super::{Focus, Model};
use crate::keymap::{Action, Key};
use crate::list::LocalFilter;
use crate::protocol::{Cmd, Reply, Request};
use crate::sla::Dashboard;
use bmsdesk_core::model::TicketRow;

impl Model {
    /// The list's keys: move, mark, sort, filter, refresh, views, the dashboard.
    pub(super) fn list_action(&mut self, a: Action) -> Vec<Cmd> {
        let page = self.list_height().max(1) as isize;
        match a {
            Action::Up => self.list.move_by(-1),
            Action::Down => self.list.move_by(1),
            Action::PageUp => self.list.move_by(-page),
            Action::PageDown => self.list.move_by(page),
            Action::Top => self.list.select(0),
            Action::Bottom => self.list.select(usize::MAX),
            Action::Back => {
                if self.dashboard.is_some() {
                    self.dashboard = None;
                } else if self.focus == Focus::Detail {
                    self.focus = Focus::List;
                } else if !self.list.query.is_empty() {
                    return self
                        .list
                        .set_query("")
                        .map(Cmd::Filter)
                        .into_iter()
                        .collect();
                } else if !self.list.marked.is_empty() {
                    self.list.marked.clear();
                } else {
                    self.status.error = None;
                    self.status.info = None;
                    self.status.warn = None;
                }
            }
            Action::Filter => {
                self.filter_input = true;
                self.focus = Focus::List;
            }
            Action::Refresh => {
                let mut cmds = self.refresh_list();
                cmds.push(Cmd::Api(Request::Warmup {
                    recent_accounts: self.recent_accounts.clone(),
                    refresh: true,
                }));
                if self.detail_visible()
                    && let Some(id) = self.list.sel_id
                {
                    cmds.extend(self.request_detail(id, true));
                }
                self.info("refreshing…");
                return cmds;
            }
            Action::Mark => {
                self.list.toggle_mark();
                self.list.move_by(1);
            }
            Action::SortNext => {
                self.list.sort.column = self.list.sort.column.next();
                self.list.sort.desc = false;
                self.list.invalidate();
            }
            Action::SortReverse => {
                self.list.sort.desc = !self.list.sort.desc;
                self.list.invalidate();
            }
            Action::Dashboard => {
                self.dashboard = match self.dashboard {
                    Some(_) => None,
                    None => Some(Dashboard::default()),
                };
            }
            Action::View(n) => {
                if let Some(i) = self.views.iter().position(|v| v.key == n) {
                    self.view = i;
                    self.focus = Focus::List;
                    self.apply_view_settings();
                    let search = self.current_view().search.clone().unwrap_or_default();
                    let mut cmds = self.start_search(false);
                    cmds.extend(self.list.set_query(&search).map(Cmd::Filter));
                    self.list.select(0);
                    self.follow_top = true;
                    return cmds;
                }
            }
            _ => {}
        }
        Vec::new()
    }

    /// A page, the cached list, the end of a load or a refresh's changes (stale loads dropped).
    pub(super) fn on_list_reply(&mut self, r: Reply) -> Vec<Cmd> {
        match r {
            Reply::Page {
                search_gen,
                rows,
                total,
            } => {
                if search_gen != self.search_gen {
                    return Vec::new();
                }
                if self.replace_on_page {
                    self.replace_on_page = false;
                    let marked = std::mem::take(&mut self.list.marked);
                    self.list.clear();
                    self.list.marked = marked;
                }
                self.list.upsert(rows);
                self.list.total = total;
            }
            Reply::Cached { search_gen, list } => {
                // Only while nothing fresher is shown for this load.
                if search_gen != self.search_gen
                    || (self.list.len_from_server() > 0 && !self.list.from_cache)
                {
                    return Vec::new();
                }
                let cmds = self.show_cached(list.rows, list.fetched_at, list.total);
                self.list.cache_partial = list.partial;
                return cmds;
            }
            Reply::SearchDone {
                search_gen,
                result,
                at,
            } => {
                if search_gen != self.search_gen {
                    return Vec::new();
                }
                self.list.loading = false;
                self.list.end_sync(result.is_ok());
                match result {
                    Ok(_) => {
                        if self.replace_on_page {
                            // The refresh found nothing.
                            self.replace_on_page = false;
                            self.list.clear();
                        }
                        self.list.loaded_at = Some(at);
                        self.list.from_cache = false;
                        self.list.cache_partial = false;
                        if self.status.info.as_deref() == Some("refreshing…") {
                            self.status.info = None;
                        }
                    }
                    Err(e) => {
                        self.replace_on_page = false;
                        if self.outbox.offline.is_some() {
                            self.warn(if self.list.cache_partial {
                                "offline — the cached tickets that fit this view (some may be missing)"
                                    .to_string()
                            } else if self.list.from_cache {
                                "working from the cache".to_string()
                            } else {
                                format!("offline — {e}")
                            });
                        } else {
                            self.error(format!("loading tickets failed: {e}"));
                        }
                    }
                }
            }
            Reply::Changed {
                search_gen,
                result,
                at,
            } => {
                if search_gen != self.search_gen {
                    return Vec::new();
                }
                match result {
                    Ok(c) => {
                        self.list.merge_changes(c.rows, &c.left);
                        if c.total
                            .is_some_and(|t| t != self.list.len_from_server() as u64)
                        {
                            // Something went that no dated search shows (deleted): reload.
                            self.list.end_sync(false);
                            return self.start_search(true);
                        }
                        self.list.end_sync(true);
                        self.list.total = c.total.or(self.list.total);
                        self.list.loaded_at = Some(at);
                        if self.status.info.as_deref() == Some("refreshing…") {
                            self.status.info = None;
                        }
                    }
                    Err(e) => {
                        self.list.end_sync(false);
                        self.error(format!("loading tickets failed: {e}"));
                    }
                }
            }
            _ => {}
        }
        Vec::new()
    }

    /// Shows the list saved at the end of the last run until the fresh one arrives (rows
    /// made safe to draw by whoever read them from the disk: `worker::load_snapshot`).
    pub fn show_cached(
        &mut self,
        rows: Vec<TicketRow>,
        at: DateTime<Utc>,
        total: Option<u64>,
    ) -> Vec<Cmd> {
        self.list.upsert(rows);
        self.list.total = total;
        self.list.from_cache = true;
        self.list.loaded_at = Some(at);
        self.replace_on_page = true;
        self.prepare()
    }

    pub(super) fn apply_view_settings(&mut self) {
        let v = self.current_view().clone();
        self.list.local = LocalFilter::from_view(&v);
        if let Some(s) = v.sort {
            self.list.sort = s;
        }
        self.list.invalidate();
    }

    pub(super) fn start_search(&mut self, refresh: bool) -> Vec<Cmd> {
        self.search_gen += 1;
        self.list.loading = true;
        if refresh {
            self.replace_on_page = true;
        } else {
            self.replace_on_page = false;
            self.list.clear();
        }
        self.list.begin_sync(self.now);
        vec![Cmd::Api(Request::Search {
            search_gen: self.search_gen,
            view: self.current_view().clone(),
        })]
    }

    /// `r`, the background refresh and the return from an outage: only what changed since
    /// the last load when that load is known to be complete
    /// (see `TicketList::refresh_since`), else everything again.
    pub(super) fn refresh_list(&mut self) -> Vec<Cmd> {
        let Some(since) = self.list.refresh_since() else {
            return self.start_search(true);
        };
        self.search_gen += 1;
        self.list.begin_sync(self.now);
        vec![Cmd::Api(Request::Refresh {
            search_gen: self.search_gen,
            view: self.current_view().clone(),
            since,
        })]
    }

    pub(super) fn key_filter(&mut self, key: Key) -> Vec<Cmd> {
        let ctrl = key.mods.contains(KeyModifiers::CONTROL);
        let mut q = self.list.query.clone();
        match key.code {
            KeyCode::Esc => {
                self.filter_input = false;
                q.clear();
            }
            KeyCode::Enter => {
                self.filter_input = false;
                return Vec::new();
            }
            KeyCode::Up => {
                self.list.move_by(-1);
                return Vec::new();
            }
            KeyCode::Down => {
                self.list.move_by(1);
                return Vec::new();
            }
            KeyCode::Backspace => {
                q.pop();
            }
            KeyCode::Char('u') if ctrl => q.clear(),
            KeyCode::Char('w') if ctrl => {
                let t = q.trim_end().to_string();
                q.truncate(t.rfind(' ').map(|i| i + 1).unwrap_or(0));
            }
            KeyCode::Char(c) if !ctrl => q.push(c),
            _ => return Vec::new(),
        }
        self.list
            .set_query(&q)
            .map(Cmd::Filter)
            .into_iter()
            .collect()
    }
}
