//! The `[tui]` section of the config: key remaps (`[tui.keys]`) and saved views
//! (`[[tui.views]]`). Parsed leniently: anything unreadable becomes a warning shown in the
//! status bar, never a refusal to start.

use super::keymap::Keymap;

/// A sortable list column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Number,
    Title,
    Account,
    Status,
    Priority,
    Assignee,
    Age,
    /// SLA time to breach (the nearer pending deadline).
    Due,
}

impl Column {
    pub const ALL: [Column; 8] = [
        Column::Number,
        Column::Title,
        Column::Account,
        Column::Status,
        Column::Priority,
        Column::Assignee,
        Column::Age,
        Column::Due,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Column::Number => "number",
            Column::Title => "title",
            Column::Account => "account",
            Column::Status => "status",
            Column::Priority => "priority",
            Column::Assignee => "assignee",
            Column::Age => "age",
            Column::Due => "due",
        }
    }

    pub fn header(self) -> &'static str {
        match self {
            Column::Number => "Number",
            Column::Title => "Title",
            Column::Account => "Account",
            Column::Status => "Status",
            Column::Priority => "Priority",
            Column::Assignee => "Assignee",
            Column::Age => "Age",
            Column::Due => "Due in",
        }
    }

    pub fn parse(s: &str) -> Option<Column> {
        let s = s.trim().to_ascii_lowercase();
        Column::ALL.into_iter().find(|c| {
            c.name() == s
                || (s == "id" && *c == Column::Number)
                || (s == "ticket" && *c == Column::Number)
                || (s == "opened" && *c == Column::Age)
                || (s == "sla" && *c == Column::Due)
        })
    }

    pub fn next(self) -> Column {
        let i = Column::ALL.iter().position(|c| *c == self).unwrap_or(0);
        Column::ALL[(i + 1) % Column::ALL.len()]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: Column,
    /// For `Age`, ascending means newest first.
    pub desc: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort {
            column: Column::Age,
            desc: false,
        }
    }
}

impl Sort {
    /// "age", "-priority", "priority desc".
    pub fn parse(s: &str) -> Option<Sort> {
        let s = s.trim();
        let (name, desc) = if let Some(rest) = s.strip_prefix('-') {
            (rest, true)
        } else if let Some(rest) = s.strip_suffix(" desc") {
            (rest, true)
        } else {
            (s.strip_suffix(" asc").unwrap_or(s), false)
        };
        Some(Sort {
            column: Column::parse(name)?,
            desc,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssigneeSel {
    Me,
    Name(String),
}

/// A saved view: a server query plus local refinements.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ViewDef {
    pub name: String,
    pub key: u8,
    pub status: Vec<String>,
    pub queue: Vec<String>,
    pub priority: Vec<String>,
    pub assignee: Option<AssigneeSel>,
    pub unassigned: bool,
    /// Initial text of the fuzzy filter.
    pub search: Option<String>,
    pub sort: Option<Sort>,
    /// Only tickets breached or due within this many business minutes (SLA triage).
    pub due_within: Option<i64>,
}

impl ViewDef {
    pub fn named(name: &str, key: u8) -> ViewDef {
        ViewDef {
            name: name.to_string(),
            key,
            ..Default::default()
        }
    }

    /// A stable identity for caching the list of this view.
    pub fn cache_key(&self) -> String {
        format!(
            "s={};q={};p={};a={};u={}",
            self.status.join(","),
            self.queue.join(","),
            self.priority.join(","),
            match &self.assignee {
                None => String::new(),
                Some(AssigneeSel::Me) => "@me".into(),
                Some(AssigneeSel::Name(n)) => n.clone(),
            },
            self.unassigned
        )
    }
}

#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub keymap: Keymap,
    /// Views from the config; empty means "defaults" (see [`default_views`]).
    pub views: Vec<ViewDef>,
    pub warnings: Vec<String>,
    /// The `[sla]` table of the config (business hours, targets, workflow rules).
    pub sla: toml::Table,
    /// `[tui] call_template`: the ticket template a call on a new ticket starts from
    /// (blank when unset or not found).
    pub call_template: Option<String>,
}

/// Business minutes of the default "Breaching" view.
pub const BREACHING_MINUTES: i64 = 60;

/// 1 My tickets, 2 Open (breaches first), 3 Unassigned, 4 Breaching < 60 m, then one per
/// queue (up to 9).
pub fn default_views(queues: &[String]) -> Vec<ViewDef> {
    let by_due = Some(Sort {
        column: Column::Due,
        desc: false,
    });
    let mut views = vec![
        ViewDef {
            assignee: Some(AssigneeSel::Me),
            ..ViewDef::named("My tickets", 1)
        },
        ViewDef {
            sort: by_due,
            ..ViewDef::named("Open", 2)
        },
        ViewDef {
            unassigned: true,
            ..ViewDef::named("Unassigned", 3)
        },
        ViewDef {
            sort: by_due,
            due_within: Some(BREACHING_MINUTES),
            ..ViewDef::named(&format!("Breaching < {BREACHING_MINUTES}m"), 4)
        },
    ];
    for (i, q) in queues.iter().take(5).enumerate() {
        views.push(ViewDef {
            queue: vec![q.clone()],
            ..ViewDef::named(q, 5 + i as u8)
        });
    }
    views
}

/// "60", "60m", "90 min", "2h": minutes.
fn minutes_of(v: &toml::Value) -> Option<i64> {
    match v {
        toml::Value::Integer(n) if *n >= 0 => Some(*n),
        toml::Value::String(s) => {
            let s = s.trim().to_ascii_lowercase();
            let (num, mult) = if let Some(h) = s.strip_suffix('h') {
                (h, 60)
            } else if let Some(m) = s.strip_suffix("min") {
                (m, 1)
            } else {
                (s.strip_suffix('m').unwrap_or(&s), 1)
            };
            num.trim()
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .map(|n| n * mult)
        }
        _ => None,
    }
}

fn str_list(v: &toml::Value) -> Option<Vec<String>> {
    match v {
        toml::Value::String(s) => Some(
            s.split(',')
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect(),
        ),
        toml::Value::Array(a) => Some(
            a.iter()
                .filter_map(|x| x.as_str().map(|s| s.trim().to_string()))
                .filter(|p| !p.is_empty())
                .collect(),
        ),
        _ => None,
    }
}

impl Settings {
    pub fn parse(table: &toml::Table) -> Settings {
        let mut warnings = Vec::new();
        let mut overrides = Vec::new();
        if let Some(keys) = table.get("keys") {
            match keys.as_table() {
                Some(t) => {
                    for (action, v) in t {
                        match str_list(v) {
                            Some(list) => overrides.push((action.clone(), list)),
                            None => warnings.push(format!(
                                "[tui.keys] {action}: expected a key or a list of keys"
                            )),
                        }
                    }
                }
                None => warnings.push("[tui.keys] must be a table".into()),
            }
        }
        let (keymap, kw) = Keymap::with_overrides(&overrides);
        warnings.extend(kw);

        let mut views = Vec::new();
        if let Some(v) = table.get("views") {
            match v.as_array() {
                Some(arr) => {
                    for (i, item) in arr.iter().enumerate() {
                        match item.as_table() {
                            Some(t) => match parse_view(t, i) {
                                Ok(view) => views.push(view),
                                Err(e) => warnings.push(e),
                            },
                            None => warnings.push(format!("[[tui.views]] #{}: not a table", i + 1)),
                        }
                    }
                }
                None => warnings.push("tui.views must be an array of tables".into()),
            }
        }
        // Keys 1-9, unique: views without a valid key take the next free one.
        let mut used = [false; 10];
        for v in &views {
            if (1..=9).contains(&v.key) {
                if used[v.key as usize] {
                    warnings.push(format!(
                        "[[tui.views]] {:?}: key {} used twice",
                        v.name, v.key
                    ));
                }
                used[v.key as usize] = true;
            }
        }
        for v in &mut views {
            if !(1..=9).contains(&v.key) {
                match (1..=9u8).find(|k| !used[*k as usize]) {
                    Some(k) => {
                        used[k as usize] = true;
                        v.key = k;
                    }
                    None => v.key = 0,
                }
            }
        }
        views.retain(|v| v.key != 0);
        views.sort_by_key(|v| v.key);
        views.dedup_by_key(|v| v.key);
        let call_template = match table.get("call_template") {
            None => None,
            Some(v) => match v.as_str().map(str::trim) {
                Some(s) if !s.is_empty() => Some(s.to_string()),
                Some(_) => None,
                None => {
                    warnings.push("tui.call_template must be a template name".into());
                    None
                }
            },
        };
        Settings {
            keymap,
            views,
            warnings,
            sla: toml::Table::new(),
            call_template,
        }
    }
}

fn parse_view(t: &toml::Table, i: usize) -> Result<ViewDef, String> {
    let name = t
        .get("name")
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .ok_or_else(|| format!("[[tui.views]] #{}: missing name", i + 1))?;
    let mut view = ViewDef::named(&name, 0);
    if let Some(k) = t.get("key") {
        let key = match k {
            toml::Value::Integer(n) => *n,
            toml::Value::String(s) => s.trim().parse().unwrap_or(0),
            _ => 0,
        };
        if (1..=9).contains(&key) {
            view.key = key as u8;
        }
    }
    let filters = t.get("filters").and_then(|f| f.as_table()).unwrap_or(t);
    let list = |k: &str| filters.get(k).and_then(str_list).unwrap_or_default();
    view.status = list("status");
    view.queue = list("queue");
    view.priority = list("priority");
    if let Some(a) = filters.get("assignee").and_then(|v| v.as_str()) {
        let a = a.trim();
        view.assignee = if a.eq_ignore_ascii_case("me") || a == "@me" {
            Some(AssigneeSel::Me)
        } else if a.eq_ignore_ascii_case("none") || a.eq_ignore_ascii_case("unassigned") {
            view.unassigned = true;
            None
        } else if a.is_empty() {
            None
        } else {
            Some(AssigneeSel::Name(a.to_string()))
        };
    }
    if let Some(u) = filters.get("unassigned").and_then(|v| v.as_bool()) {
        view.unassigned |= u;
    }
    view.search = filters
        .get("search")
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .filter(|s| !s.is_empty());
    if let Some(v) = filters.get("due_within") {
        view.due_within = minutes_of(v);
        if view.due_within.is_none() {
            return Err(format!(
                "[[tui.views]] {name:?}: due_within must be minutes (60, \"60m\", \"2h\")"
            ));
        }
    }
    if let Some(s) = filters.get("sort").and_then(|v| v.as_str()) {
        view.sort = Sort::parse(s);
        if view.sort.is_none() {
            return Err(format!("[[tui.views]] {name:?}: unknown sort {s:?}"));
        }
    }
    Ok(view)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keymap::{Action, Key};

    #[test]
    fn empty_table_gives_defaults() {
        let s = Settings::parse(&toml::Table::new());
        assert!(s.views.is_empty());
        assert!(s.warnings.is_empty());
        let d = default_views(&["Help Desk".into(), "Projects".into()]);
        let names: Vec<_> = d.iter().map(|v| (v.key, v.name.as_str())).collect();
        assert_eq!(
            names,
            vec![
                (1, "My tickets"),
                (2, "Open"),
                (3, "Unassigned"),
                (4, "Breaching < 60m"),
                (5, "Help Desk"),
                (6, "Projects")
            ]
        );
        assert_eq!(d[0].assignee, Some(AssigneeSel::Me));
        assert!(d[2].unassigned);
        assert_eq!(d[1].sort.map(|s| s.column), Some(Column::Due));
        assert_eq!(d[3].due_within, Some(60));
        assert_eq!(d[3].sort.map(|s| s.column), Some(Column::Due));
    }

    /// The commented `[tui]` example of `config.example.toml` reads without a warning.
    #[test]
    fn example_config_reads_cleanly() {
        let text = include_str!("../../../config.example.toml");
        let block: String = text
            .lines()
            .skip_while(|l| *l != "# example-begin tui")
            .skip(1)
            .take_while(|l| *l != "# example-end tui")
            .map(|l| l.strip_prefix("# ").unwrap_or(l.trim_start_matches('#')))
            .collect::<Vec<_>>()
            .join("\n");
        let t: toml::Table = toml::from_str(&block).unwrap();
        let s = Settings::parse(t["tui"].as_table().unwrap());
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
        assert_eq!(s.views.len(), 4);
        assert_eq!(s.views[3].due_within, Some(120));
        assert_eq!(s.call_template.as_deref(), Some("Password reset"));
        assert_eq!(s.keymap.action(&Key::ctrl('r')), Some(Action::Refresh));
        assert_eq!(s.keymap.action(&Key::ch('x')), Some(Action::SetStatus));
    }

    #[test]
    fn parses_keys_and_views() {
        let t: toml::Table = toml::from_str(
            r#"
            [keys]
            status = "S"
            quit = ["Q", "ctrl-q"]
            [[views]]
            name = "Urgent"
            key = 2
            priority = "Critical,High"
            sort = "-priority"
            [[views]]
            name = "Mine"
            filters = { assignee = "me", status = ["New", "In Progress"], search = "printer" }
            [[views]]
            name = "Nobody"
            assignee = "none"
            [[views]]
            key = 4
            [[views]]
            name = "Hot"
            key = 9
            due_within = "2h"
            sort = "due"
            "#,
        )
        .unwrap();
        let s = Settings::parse(&t);
        assert_eq!(s.keymap.action(&Key::ch('S')), Some(Action::SetStatus));
        assert_eq!(s.keymap.action(&Key::ctrl('q')), Some(Action::Quit));
        assert_eq!(s.views.len(), 4);
        assert_eq!(s.views[0].name, "Mine");
        assert_eq!(s.views[0].key, 1);
        assert_eq!(s.views[0].status, vec!["New", "In Progress"]);
        assert_eq!(s.views[0].search.as_deref(), Some("printer"));
        assert_eq!(s.views[1].name, "Urgent");
        assert_eq!(s.views[1].priority, vec!["Critical", "High"]);
        assert_eq!(
            s.views[1].sort,
            Some(Sort {
                column: Column::Priority,
                desc: true
            })
        );
        assert!(s.views[2].unassigned);
        assert_eq!(s.views[3].due_within, Some(120));
        assert_eq!(s.views[3].sort.map(|s| s.column), Some(Column::Due));
        assert_eq!(s.warnings.len(), 1, "{:?}", s.warnings);
    }
}
