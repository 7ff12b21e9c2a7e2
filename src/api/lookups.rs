//! Lookup lists. The paths for statuses, priorities, queues, assignees and employees are in
//! the spec; ticket types and note types have no documented endpoint and sources look like a
//! fixed enum (bms-api.md §9). Those guesses are all in [`LookupKind::source`].

use super::client::Client;
use super::error::ApiResult;
use super::model::LookupItem;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum LookupKind {
    Statuses,
    Priorities,
    Queues,
    Types,
    Sources,
    Assignees,
    Employees,
    NoteTypes,
    IssueTypes,
    WorkTypes,
    Roles,
}

/// Where a lookup list comes from.
pub enum LookupSource {
    /// A GET path returning `Result[]` of `{Id, Name, ...}`.
    Path(&'static str),
    /// A list built into the client because the API has no endpoint for it.
    Fixed(&'static [(i64, &'static str)]),
}

/// Ticket sources: the fixed system enum seen across clients (bms-api.md §9).
pub const TICKET_SOURCES: &[(i64, &str)] = &[
    (0, "Client Portal"),
    (1, "Phone"),
    (2, "In Person"),
    (3, "On Site"),
    (4, "Email"),
    (5, "Monitoring System"),
    (6, "Voice Mail"),
    (7, "Verbal"),
    (8, "Other"),
    (9, "Recurring"),
];

impl LookupKind {
    pub const ALL: [LookupKind; 11] = [
        LookupKind::Statuses,
        LookupKind::Priorities,
        LookupKind::Queues,
        LookupKind::Types,
        LookupKind::Sources,
        LookupKind::Assignees,
        LookupKind::Employees,
        LookupKind::NoteTypes,
        LookupKind::IssueTypes,
        LookupKind::WorkTypes,
        LookupKind::Roles,
    ];

    pub fn source(self) -> LookupSource {
        match self {
            LookupKind::Statuses => LookupSource::Path("/v2/system/statuses/lookup"),
            LookupKind::Priorities => LookupSource::Path("/v2/system/priorities/lookup"),
            LookupKind::Queues => LookupSource::Path("/v2/system/queues/lookup"),
            // Unknown in the real API: the generic system table, most likely name.
            LookupKind::Types => LookupSource::Path("/v2/system/lookup/TicketType"),
            LookupKind::Sources => LookupSource::Fixed(TICKET_SOURCES),
            LookupKind::Assignees => LookupSource::Path("/v2/hr/assignees/lookup"),
            LookupKind::Employees => LookupSource::Path("/v2/hr/employees/lookup"),
            // Unknown in the real API: the generic system table, most likely name.
            LookupKind::NoteTypes => LookupSource::Path("/v2/system/lookup/NoteType"),
            LookupKind::IssueTypes => LookupSource::Path("/v2/system/issuetypes/lookup"),
            LookupKind::WorkTypes => LookupSource::Path("/v2/system/worktypes/lookup"),
            LookupKind::Roles => LookupSource::Path("/v2/system/roles/lookup"),
        }
    }

    /// Whether the spec documents `PageSize`/`PageNumber` for the kind's endpoint. The
    /// others (statuses, priorities, queues, issue/work types, roles, the lookup tables)
    /// take no paging parameters: they are read in one request and none is sent.
    pub fn paged(self) -> bool {
        matches!(self, LookupKind::Assignees | LookupKind::Employees)
    }

    pub fn name(self) -> &'static str {
        match self {
            LookupKind::Statuses => "statuses",
            LookupKind::Priorities => "priorities",
            LookupKind::Queues => "queues",
            LookupKind::Types => "types",
            LookupKind::Sources => "sources",
            LookupKind::Assignees => "assignees",
            LookupKind::Employees => "employees",
            LookupKind::NoteTypes => "notetypes",
            LookupKind::IssueTypes => "issuetypes",
            LookupKind::WorkTypes => "worktypes",
            LookupKind::Roles => "roles",
        }
    }

    /// Singular, for messages ("unknown status ...").
    pub fn singular(self) -> &'static str {
        match self {
            LookupKind::Statuses => "status",
            LookupKind::Priorities => "priority",
            LookupKind::Queues => "queue",
            LookupKind::Types => "ticket type",
            LookupKind::Sources => "source",
            LookupKind::Assignees => "assignee",
            LookupKind::Employees => "employee",
            LookupKind::NoteTypes => "note type",
            LookupKind::IssueTypes => "issue type",
            LookupKind::WorkTypes => "work type",
            LookupKind::Roles => "role",
        }
    }

    pub fn parse(s: &str) -> Option<LookupKind> {
        let s = s.trim().to_ascii_lowercase().replace(['-', '_', ' '], "");
        LookupKind::ALL.into_iter().find(|k| {
            k.name() == s
                || k.singular().replace(' ', "") == s
                || (s == "employees" && *k == LookupKind::Employees)
        })
    }
}

impl Client {
    /// One lookup list, every page.
    pub async fn lookup(&self, kind: LookupKind) -> ApiResult<Vec<LookupItem>> {
        match kind.source() {
            LookupSource::Fixed(items) => Ok(items
                .iter()
                .map(|(id, name)| LookupItem {
                    id: *id,
                    name: (*name).to_string(),
                    ..Default::default()
                })
                .collect()),
            LookupSource::Path(path) => {
                let mut items: Vec<LookupItem> = if kind.paged() {
                    self.get_all(path, &[]).await?
                } else {
                    self.get_list(path, &[]).await?
                };
                if kind == LookupKind::Statuses {
                    items.sort_by_key(|i| (i.status_order.unwrap_or(i64::MAX), i.id));
                }
                Ok(items)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_kinds() {
        assert_eq!(LookupKind::parse("statuses"), Some(LookupKind::Statuses));
        assert_eq!(LookupKind::parse("status"), Some(LookupKind::Statuses));
        assert_eq!(LookupKind::parse("note-types"), Some(LookupKind::NoteTypes));
        assert_eq!(LookupKind::parse("Types"), Some(LookupKind::Types));
        assert_eq!(LookupKind::parse("nope"), None);
    }
}
