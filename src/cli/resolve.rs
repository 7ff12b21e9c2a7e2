//! Names accepted where ids are: `--status Open`, `--assignee "Jane Doe"`, `--account Contoso`.

use super::error::{CliResult, usage};
use bmsdesk_core::model::{
    Account, Contact, Id, Location, LookupItem, NoteTemplate, TicketTemplateSummary,
    TimeLogTemplate,
};

/// Anything with an id and a display name.
pub trait Named {
    fn id(&self) -> Id;
    fn name(&self) -> &str;
}

macro_rules! named {
    ($($t:ty),*) => {$(
        impl Named for $t {
            fn id(&self) -> Id { self.id }
            fn name(&self) -> &str { &self.name }
        }
    )*};
}
named!(
    LookupItem,
    Account,
    Location,
    Contact,
    TicketTemplateSummary,
    NoteTemplate,
    TimeLogTemplate
);

/// Finds `input` (an id or a name) among `items`.
/// - a number matches an id; when the list is empty (the lookup is unavailable) it is taken as is;
/// - a name matches exactly (ignoring case), else as the one item containing it;
/// - none or several matches are usage errors that say what exists.
pub fn resolve<T: Named>(what: &str, input: &str, items: &[T]) -> CliResult<Resolved> {
    let input = input.trim();
    if input.is_empty() {
        return Err(usage(format!("empty {what}")));
    }
    if let Ok(id) = input.parse::<Id>() {
        if items.is_empty() {
            return Ok(Resolved { id, name: None });
        }
        return items
            .iter()
            .find(|i| i.id() == id)
            .map(|i| Resolved {
                id,
                name: Some(i.name().to_string()),
            })
            .ok_or_else(|| usage(format!("unknown {what} id {id}; {}", known(items))));
    }
    let lower = input.to_lowercase();
    let exact: Vec<&T> = items
        .iter()
        .filter(|i| i.name().to_lowercase() == lower)
        .collect();
    let candidates = if exact.is_empty() {
        items
            .iter()
            .filter(|i| i.name().to_lowercase().contains(&lower))
            .collect::<Vec<_>>()
    } else {
        exact
    };
    match candidates.as_slice() {
        [one] => Ok(Resolved {
            id: one.id(),
            name: Some(one.name().to_string()),
        }),
        [] => Err(usage(format!(
            "no {what} matches {input:?}; {}",
            known(items)
        ))),
        many => {
            let names: Vec<String> = many
                .iter()
                .take(10)
                .map(|i| format!("{} ({})", i.name(), i.id()))
                .collect();
            Err(usage(format!(
                "{input:?} matches {} {what} entries: {}{} — be more specific or use the id",
                many.len(),
                names.join(", "),
                if many.len() > 10 { ", …" } else { "" }
            )))
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub id: Id,
    pub name: Option<String>,
}

fn known<T: Named>(items: &[T]) -> String {
    if items.is_empty() {
        return "no entries are known".into();
    }
    let names: Vec<&str> = items.iter().take(12).map(|i| i.name()).collect();
    format!(
        "known: {}{}",
        names.join(", "),
        if items.len() > 12 { ", …" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items() -> Vec<LookupItem> {
        [
            "New",
            "In Progress",
            "Waiting Customer",
            "Waiting Materials",
        ]
        .iter()
        .enumerate()
        .map(|(i, n)| LookupItem {
            id: 100 + i as i64,
            name: n.to_string(),
            ..Default::default()
        })
        .collect()
    }

    #[test]
    fn by_id_name_and_unique_part() {
        let it = items();
        assert_eq!(resolve("status", "101", &it).unwrap().id, 101);
        assert_eq!(resolve("status", "new", &it).unwrap().id, 100);
        assert_eq!(resolve("status", "progress", &it).unwrap().id, 101);
        assert_eq!(resolve::<LookupItem>("status", "7", &[]).unwrap().id, 7);
    }

    #[test]
    fn ambiguous_and_unknown_are_clear_usage_errors() {
        let it = items();
        let e = resolve("status", "waiting", &it).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        let msg = e.to_string();
        assert!(
            msg.contains("Waiting Customer (102)") && msg.contains("Waiting Materials (103)"),
            "{msg}"
        );
        let e = resolve("status", "Closed", &it).unwrap_err().to_string();
        assert!(
            e.contains("no status matches \"Closed\"") && e.contains("known: New"),
            "{e}"
        );
        let e = resolve("status", "999", &it).unwrap_err().to_string();
        assert!(e.contains("unknown status id 999"), "{e}");
    }
}
