//! The lookup lists the desk knows (statuses, priorities, queues, ...): their names, in the
//! CLI's and the config's spelling. Where each comes from on a PSA is the backend's business
//! (`bmsdesk_bms::lookups::source`).

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
