//! Pickers and the reference data they offer: what a picker lists (accounts, locations,
//! contacts, lookups, templates), filling pickers that waited for their data, the keys of
//! an open picker, where a pick goes (each flow handles its own), and the command palette.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::{Layer, Model};
use crate::keymap::{Action, Key};
use crate::picker::{Field, PickItem, PickKey, Picker, Purpose, Reaction, Source};
use crate::protocol::{Cmd, Reply, Request};
use crate::settings::default_views;
use bmsdesk_core::lookups::LookupKind;
use bmsdesk_core::model::{
    Account, Contact, Id, Location, LookupItem, NoteTemplate, TicketTemplateSummary,
    TimeLogTemplate, UserInfo,
};

/// Reference data: accounts, locations, contacts, lookups, templates, who I am.
#[derive(Default)]
pub struct RefData {
    pub accounts: Option<Vec<Account>>,
    pub accounts_at: Option<DateTime<Utc>>,
    pub locations: HashMap<Id, Result<Vec<Location>, String>>,
    pub contacts: HashMap<Id, Result<Vec<Contact>, String>>,
    pub lookups: HashMap<LookupKind, Vec<LookupItem>>,
    pub failed: HashSet<String>,
    pub ticket_templates: Option<Vec<TicketTemplateSummary>>,
    pub note_templates: Option<Vec<NoteTemplate>>,
    pub timelog_templates: Option<Vec<TimeLogTemplate>>,
    pub me: Option<UserInfo>,
}

impl RefData {
    pub fn lookup_name(&self, kind: LookupKind, id: Option<Id>) -> Option<&str> {
        let id = id?;
        self.lookups
            .get(&kind)?
            .iter()
            .find(|i| i.id == id)
            .map(|i| i.name.as_str())
    }
    pub fn account_name(&self, id: Option<Id>) -> Option<&str> {
        let id = id?;
        self.accounts
            .as_ref()?
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.name.as_str())
    }
    pub fn location_name(&self, account: Option<Id>, id: Option<Id>) -> Option<&str> {
        let (account, id) = (account?, id?);
        self.locations
            .get(&account)?
            .as_ref()
            .ok()?
            .iter()
            .find(|l| l.id == id)
            .map(|l| l.name.as_str())
    }
    pub fn contact(&self, account: Option<Id>, id: Option<Id>) -> Option<&Contact> {
        let (account, id) = (account?, id?);
        let cs = self.contacts.get(&account)?.as_ref().ok()?;
        cs.iter().find(|c| c.id == id)
    }
}

impl Model {
    /// Items of a picker source, `None` while the data is not loaded yet.
    pub fn items_for(&self, source: &Source) -> Option<Vec<PickItem>> {
        let lookup = |kind: LookupKind| -> Option<Vec<PickItem>> {
            let items = self.data.lookups.get(&kind).filter(|v| !v.is_empty());
            match items {
                Some(items) => Some(
                    items
                        .iter()
                        .filter(|i| i.is_active != Some(false))
                        .map(|i| {
                            let item = PickItem::new(PickKey::Id(i.id), i.name.clone());
                            match (&i.email_address, i.is_default) {
                                (Some(e), _) => item.hint(e.clone()),
                                (None, Some(true)) => item.hint("default"),
                                _ => item,
                            }
                        })
                        .collect(),
                ),
                None if kind == LookupKind::Types => {
                    // No documented endpoint: fall back to the types seen on tickets.
                    let mut seen = BTreeMap::new();
                    for r in &self.list.rows {
                        if let (Some(id), Some(n)) = (r.type_id, r.type_name.as_ref()) {
                            seen.entry(id).or_insert_with(|| n.to_string());
                        }
                    }
                    (!seen.is_empty() || self.data.failed.contains(kind.name())).then(|| {
                        seen.into_iter()
                            .map(|(id, n)| {
                                PickItem::new(PickKey::Id(id), n).hint("seen on tickets")
                            })
                            .collect()
                    })
                }
                None if self.data.failed.contains(kind.name()) => Some(Vec::new()),
                None => None,
            }
        };
        match source {
            Source::Static => None,
            Source::Accounts => self.data.accounts.as_ref().map(|a| {
                a.iter()
                    .filter(|a| a.is_active != Some(false))
                    .map(|a| PickItem::new(PickKey::Id(a.id), a.name.clone()))
                    .collect()
            }),
            Source::Locations(acc) => match self.data.locations.get(acc)? {
                Ok(ls) => Some(
                    ls.iter()
                        .map(|l| {
                            let i = PickItem::new(PickKey::Id(l.id), l.name.clone());
                            if l.is_main == Some(true) {
                                i.hint("main")
                            } else {
                                i
                            }
                        })
                        .collect(),
                ),
                Err(_) => Some(Vec::new()),
            },
            Source::Contacts(acc) => {
                let mut v = vec![PickItem::new(PickKey::None, "(no contact)")];
                // A failed load still offers "(no contact)": the error is in the status bar.
                if let Ok(cs) = self.data.contacts.get(acc)? {
                    v.extend(cs.iter().map(|c| {
                        let reach = c.phone.as_deref().or(c.email_address.as_deref());
                        let hint: Vec<&str> = reach
                            .into_iter()
                            .chain(c.location_name.as_deref())
                            .filter(|s| !s.is_empty())
                            .collect();
                        PickItem::new(PickKey::Id(c.id), c.name.clone()).hint(hint.join(" · "))
                    }));
                }
                Some(v)
            }
            Source::Lookup(kind) => lookup(*kind),
            Source::TicketTemplates => self.data.ticket_templates.as_ref().map(|ts| {
                let mut v = vec![PickItem::new(PickKey::None, "(blank ticket)")];
                v.extend(
                    ts.iter()
                        .map(|t| PickItem::new(PickKey::Id(t.id), t.name.clone())),
                );
                v
            }),
            Source::NoteTemplates => self.data.note_templates.as_ref().map(|ts| {
                ts.iter()
                    .map(|t| {
                        let vis = match t.is_internal {
                            Some(true) => "internal",
                            Some(false) => "external",
                            None => "",
                        };
                        PickItem::new(PickKey::Id(t.id), t.name.clone()).hint(vis)
                    })
                    .collect()
            }),
            Source::TimeLogTemplates => self.data.timelog_templates.as_ref().map(|ts| {
                let mut v = vec![PickItem::new(PickKey::None, "(no template)")];
                v.extend(ts.iter().map(|t| {
                    let item = PickItem::new(PickKey::Id(t.id), t.name.clone());
                    match t.timespent {
                        Some(h) if h > 0.0 => item.hint(format!("{h:.2} h")),
                        _ => item,
                    }
                }));
                v
            }),
            Source::AssignTargets => {
                let people = self.data.lookups.get(&LookupKind::Assignees);
                let queues = self.data.lookups.get(&LookupKind::Queues);
                if people.is_none() && queues.is_none() {
                    return None;
                }
                let mut v: Vec<PickItem> = queues
                    .into_iter()
                    .flatten()
                    .filter(|q| q.is_active != Some(false))
                    .map(|q| PickItem::new(PickKey::Queue(q.id), q.name.clone()).hint("queue"))
                    .collect();
                v.extend(people.into_iter().flatten().map(|p| {
                    PickItem::new(PickKey::Assignee(p.id), p.name.clone()).hint("person")
                }));
                Some(v)
            }
        }
    }

    pub(super) fn open_picker(&mut self, mut p: Picker) -> Vec<Cmd> {
        let mut cmds = Vec::new();
        if p.source != Source::Static {
            match self.items_for(&p.source) {
                Some(items) => p.set_items(items),
                None => match p.source {
                    Source::Locations(acc) => {
                        cmds.push(Cmd::Api(Request::Locations { account_id: acc }));
                    }
                    Source::Contacts(acc) => {
                        cmds.push(Cmd::Api(Request::Contacts { account_id: acc }));
                    }
                    _ => {}
                },
            }
        }
        self.layers.push(Layer::Picker(p));
        cmds
    }

    /// Data arrived: fill the pickers that were waiting for it.
    pub(super) fn refresh_pickers(&mut self) -> Vec<Cmd> {
        let mut updates = Vec::new();
        for (i, l) in self.layers.iter().enumerate() {
            if let Layer::Picker(p) = l
                && p.loading()
                && p.source != Source::Static
                && let Some(items) = self.items_for(&p.source)
            {
                updates.push((i, items));
            }
        }
        for (i, items) in updates {
            if let Some(Layer::Picker(p)) = self.layers.get_mut(i) {
                p.set_items(items);
            }
        }
        // A chain location picker with a single choice picks itself.
        if let Some(Layer::Picker(p)) = self.layers.last()
            && matches!(
                p.purpose,
                Purpose::NewTicket {
                    field: Field::Location,
                    chain: true
                }
            )
            && !p.loading()
            && p.items.len() == 1
        {
            let key = p.items[0].key;
            let label = p.items[0].label.clone();
            self.layers.pop();
            self.info(format!("location: {label} (the only one)"));
            return self.picked_new_ticket(Field::Location, true, key);
        }
        Vec::new()
    }

    pub(super) fn key_picker(&mut self, key: Key) -> Vec<Cmd> {
        let Some(Layer::Picker(p)) = self.layers.last_mut() else {
            return Vec::new();
        };
        match p.key(key) {
            Reaction::None => Vec::new(),
            Reaction::Cancel => {
                let Some(Layer::Picker(p)) = self.layers.pop() else {
                    return Vec::new();
                };
                self.new_ticket_picker_closed(&p.purpose)
            }
            Reaction::Picked(k) => {
                let purpose = p.purpose.clone();
                self.picked(purpose, k)
            }
        }
    }

    pub(super) fn picked(&mut self, purpose: Purpose, key: PickKey) -> Vec<Cmd> {
        match purpose {
            Purpose::NewTicket { .. } => self.picked_for_new_ticket(purpose, key),
            Purpose::SetStatus(_) | Purpose::SetPriority(_) | Purpose::Assign(_) => {
                self.picked_triage(purpose, key)
            }
            Purpose::TimeLog(_) => self.picked_time(purpose, key),
            Purpose::NoteTemplate | Purpose::Drafts => self.picked_note(purpose, key),
            Purpose::Palette => self.picked_command(key),
            Purpose::Outbox => self.pick_outbox(key),
        }
    }

    /// Every action the palette offers, with its label.
    pub fn palette_actions(&self) -> Vec<(Action, String)> {
        Action::ALL
            .iter()
            .filter_map(|&a| match a {
                Action::View(n) => self
                    .views
                    .iter()
                    .find(|v| v.key == n)
                    .map(|v| (a, format!("view: {}", v.name))),
                _ => Some((a, a.describe())),
            })
            .collect()
    }

    /// `:`: every action by name; words after a command go to what it opens.
    pub(super) fn open_palette(&mut self) -> Vec<Cmd> {
        let items = self
            .palette_actions()
            .into_iter()
            .enumerate()
            .map(|(i, (a, label))| {
                PickItem::new(PickKey::Command(i), label).hint(self.keymap.label(a))
            })
            .collect();
        let p = Picker::new(
            "Command · then an argument: status resolved",
            Purpose::Palette,
            Source::Static,
        )
        .with_items(Some(items));
        self.layers.push(Layer::Picker(p));
        Vec::new()
    }

    /// A command picked in the palette: run it, and hand it the words typed after its name.
    pub(super) fn picked_command(&mut self, key: PickKey) -> Vec<Cmd> {
        let argument = match self.layers.pop() {
            Some(Layer::Picker(p)) => p.argument().map(str::to_string),
            _ => None,
        };
        let PickKey::Command(i) = key else {
            return Vec::new();
        };
        let Some(&(action, _)) = self.palette_actions().get(i) else {
            return Vec::new();
        };
        let depth = self.layers.len();
        let mut cmds = self.on_action(action);
        // The argument goes to what the command opened: its picker's query
        // (`:status resolved`), or the list filter (`:filter printer`).
        if let Some(arg) = argument {
            if action == Action::Filter {
                cmds.extend(self.list.set_query(&arg).map(Cmd::Filter));
            } else if self.layers.len() > depth
                && let Some(Layer::Picker(p)) = self.layers.last_mut()
            {
                p.set_query(&arg);
            }
        }
        cmds
    }

    /// Reference data arrived (who I am, the tenant's zone, accounts, lookups, templates) or failed: pickers waiting for it fill.
    pub(super) fn on_data_reply(&mut self, r: Reply) -> Vec<Cmd> {
        match r {
            Reply::Me(me) => {
                self.list.me = Some(me.full_name.clone());
                self.list.invalidate();
                self.data.me = Some(me);
            }
            Reply::TenantZone(z) => {
                self.tenant_zone = Some(z);
                self.sla.set_tenant_tz(z.tz().map(|t| t.name()));
                self.list.invalidate();
            }
            Reply::Accounts { items, fetched_at } => {
                self.data.accounts = Some(items);
                self.data.accounts_at = Some(fetched_at);
                return self.refresh_pickers();
            }
            Reply::Locations { account_id, result } => {
                if let Err(e) = &result {
                    self.error(format!("locations: {e}"));
                }
                self.data.locations.insert(account_id, result);
                return self.refresh_pickers();
            }
            Reply::Contacts { account_id, result } => {
                if let Err(e) = &result {
                    self.error(format!("contacts: {e}"));
                }
                self.data.contacts.insert(account_id, result);
                return self.refresh_pickers();
            }
            Reply::Lookup { kind, items } => {
                match kind {
                    LookupKind::Statuses => {
                        self.list.status_rank = items
                            .iter()
                            .enumerate()
                            .map(|(i, s)| (s.id, i as u32))
                            .collect();
                        self.list.invalidate();
                    }
                    LookupKind::Priorities => {
                        // Priorities usually come most urgent first.
                        self.list.priority_rank = items
                            .iter()
                            .enumerate()
                            .map(|(i, s)| (s.id, i as u32))
                            .collect();
                        self.list.invalidate();
                    }
                    _ => {}
                }
                let queues: Vec<String> = if kind == LookupKind::Queues {
                    items
                        .iter()
                        .filter(|q| q.is_active != Some(false))
                        .map(|q| q.name.clone())
                        .collect()
                } else {
                    Vec::new()
                };
                self.data.lookups.insert(kind, items);
                if matches!(kind, LookupKind::WorkTypes | LookupKind::Roles) {
                    self.timelog_defaults();
                }
                if kind == LookupKind::Queues && self.config_views.is_empty() {
                    let key = self.current_view().key;
                    self.views = default_views(&queues);
                    self.view = self.views.iter().position(|v| v.key == key).unwrap_or(0);
                }
                return self.refresh_pickers();
            }
            Reply::TicketTemplates(t) => {
                self.data.ticket_templates = Some(t);
                return self.refresh_pickers();
            }
            Reply::NoteTemplates(t) => {
                self.data.note_templates = Some(t);
                return self.refresh_pickers();
            }
            Reply::TimeLogTemplates(t) => {
                self.data.timelog_templates = Some(t);
                return self.refresh_pickers();
            }
            Reply::Failed { what, error } => {
                self.data.failed.insert(what.clone());
                let quiet = [
                    LookupKind::Types.name(),
                    LookupKind::NoteTypes.name(),
                    LookupKind::WorkTypes.name(),
                    LookupKind::Roles.name(),
                    "time-log templates",
                ];
                if !quiet.contains(&what.as_str()) && self.outbox.offline.is_none() {
                    self.error(format!("{what}: {error}"));
                }
                return self.refresh_pickers();
            }
            _ => {}
        }
        Vec::new()
    }
}
