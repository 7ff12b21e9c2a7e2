//! Lookup lists. The paths for statuses, priorities, queues, assignees and employees are in
//! the spec; ticket types and note types have no documented endpoint and sources look like a
//! fixed enum (bms-api.md §9). Those guesses are in `api::guesses`, used by
//! [`LookupKind::source`].

use crate::client::Client;
use bmsdesk_core::error::ApiResult;
pub use bmsdesk_core::lookups::LookupKind;
use bmsdesk_core::model::LookupItem;

/// Where a lookup list comes from.
pub enum LookupSource {
    /// A GET path returning `Result[]` of `{Id, Name, ...}`.
    Path(&'static str),
    /// A list built into the client because the API has no endpoint for it.
    Fixed(&'static [(i64, &'static str)]),
}

/// Ticket sources: the fixed system enum seen across clients (a guess: see `guesses`).
pub use bmsdesk_core::guesses::TICKET_SOURCES;

pub fn source(kind: LookupKind) -> LookupSource {
    match kind {
        LookupKind::Statuses => LookupSource::Path("/v2/system/statuses/lookup"),
        LookupKind::Priorities => LookupSource::Path("/v2/system/priorities/lookup"),
        LookupKind::Queues => LookupSource::Path("/v2/system/queues/lookup"),
        LookupKind::Types => LookupSource::Path(bmsdesk_core::guesses::TICKET_TYPE_LOOKUP),
        LookupKind::Sources => LookupSource::Fixed(TICKET_SOURCES),
        LookupKind::Assignees => LookupSource::Path("/v2/hr/assignees/lookup"),
        LookupKind::Employees => LookupSource::Path("/v2/hr/employees/lookup"),
        LookupKind::NoteTypes => LookupSource::Path(bmsdesk_core::guesses::NOTE_TYPE_LOOKUP),
        LookupKind::IssueTypes => LookupSource::Path("/v2/system/issuetypes/lookup"),
        LookupKind::WorkTypes => LookupSource::Path("/v2/system/worktypes/lookup"),
        LookupKind::Roles => LookupSource::Path("/v2/system/roles/lookup"),
    }
}

/// Whether the spec documents `PageSize`/`PageNumber` for the kind's endpoint. The
/// others (statuses, priorities, queues, issue/work types, roles, the lookup tables)
/// take no paging parameters: they are read in one request and none is sent.
pub fn paged(kind: LookupKind) -> bool {
    matches!(kind, LookupKind::Assignees | LookupKind::Employees)
}

impl Client {
    /// One lookup list, every page.
    pub async fn lookup(&self, kind: LookupKind) -> ApiResult<Vec<LookupItem>> {
        match source(kind) {
            LookupSource::Fixed(items) => Ok(items
                .iter()
                .map(|(id, name)| LookupItem {
                    id: *id,
                    name: (*name).to_string(),
                    ..Default::default()
                })
                .collect()),
            LookupSource::Path(path) => {
                let mut items: Vec<LookupItem> = if paged(kind) {
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
