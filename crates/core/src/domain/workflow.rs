//! Status transition rules, checked before a status change is sent (TUI and CLI alike).
//!
//! Rules come from `[sla.rules]` (see [`super::sla_settings::EXAMPLE_TOML`]). Defaults:
//! completing needs a resolution note, escalating needs a reason note, starting work with
//! nobody assigned and reopening a completed ticket are allowed with a warning.

use serde::Serialize;

use super::sla_settings::{same_name, squashed_contains};
use crate::model::{LookupItem, TicketRow};

/// One refused transition; `from`/`to` are status names, `"*"` matches any.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeniedTransition {
    pub from: String,
    pub to: String,
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowRules {
    pub require_resolution_note: bool,
    pub require_escalation_note: bool,
    /// A status whose name contains one of these (squashed) is an escalation.
    pub escalation_statuses: Vec<String>,
    pub warn_unassigned_in_progress: bool,
    /// A status whose name contains one of these (squashed) means work has started.
    pub in_progress_statuses: Vec<String>,
    pub warn_reopen: bool,
    /// Shortest acceptable note, in characters after trimming and tag stripping.
    pub min_note_chars: usize,
    /// Exact (case-insensitive) names of the complete statuses; copied from `[sla]`.
    pub complete_statuses: Vec<String>,
    pub deny: Vec<DeniedTransition>,
}

impl Default for WorkflowRules {
    fn default() -> Self {
        WorkflowRules::with_complete_statuses(
            ["Completed", "Closed", "Resolved"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
        )
    }
}

impl WorkflowRules {
    /// The default rules around the given complete statuses.
    pub fn with_complete_statuses(complete_statuses: Vec<String>) -> Self {
        WorkflowRules {
            require_resolution_note: true,
            require_escalation_note: true,
            escalation_statuses: vec!["Escalated".into(), "Escalation".into()],
            warn_unassigned_in_progress: true,
            in_progress_statuses: vec!["In Progress".into()],
            warn_reopen: true,
            min_note_chars: 1,
            complete_statuses,
            deny: Vec::new(),
        }
    }

    pub fn is_complete(&self, status: &str) -> bool {
        self.complete_statuses.iter().any(|c| same_name(c, status))
    }

    pub fn is_escalation(&self, status: &str) -> bool {
        self.escalation_statuses
            .iter()
            .any(|p| squashed_contains(status, p))
    }

    pub fn is_in_progress(&self, status: &str) -> bool {
        self.in_progress_statuses
            .iter()
            .any(|p| squashed_contains(status, p))
    }
}

/// Which note a transition is waiting for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    Resolution,
    Escalation,
}

/// The verdict on a status change. `Allowed` and `Warn` may go ahead (show the warning);
/// `NeedsNote` may go ahead once a note is given; `Refused` may not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum TransitionCheck {
    Allowed,
    Warn { message: String },
    NeedsNote { kind: NoteKind, message: String },
    Refused { message: String },
}

impl TransitionCheck {
    /// True when the change may be sent as it is (`Allowed` or `Warn`).
    pub fn may_proceed(&self) -> bool {
        matches!(
            self,
            TransitionCheck::Allowed | TransitionCheck::Warn { .. }
        )
    }

    /// The message to show, if any.
    pub fn message(&self) -> Option<&str> {
        match self {
            TransitionCheck::Allowed => None,
            TransitionCheck::Warn { message }
            | TransitionCheck::NeedsNote { message, .. }
            | TransitionCheck::Refused { message } => Some(message),
        }
    }
}

/// Checks moving `ticket` to status `to` with an optional note (plain text or HTML).
pub fn check_transition(
    ticket: &TicketRow,
    to: &LookupItem,
    note: Option<&str>,
    rules: &WorkflowRules,
) -> TransitionCheck {
    let label = ticket_label(ticket);
    let from = ticket.status_name.as_deref().unwrap_or("").trim();
    let to_name = to.name.trim();

    if to.is_active == Some(false) {
        return TransitionCheck::Refused {
            message: format!("status \"{to_name}\" is inactive; pick another"),
        };
    }
    let same_id = to.id != 0 && ticket.status_id == Some(to.id);
    if same_id || (!from.is_empty() && same_name(from, to_name)) {
        return TransitionCheck::Refused {
            message: format!("{label} is already \"{to_name}\""),
        };
    }
    let matches = |pattern: &str, name: &str| pattern == "*" || same_name(pattern, name);
    if let Some(d) = rules
        .deny
        .iter()
        .find(|d| matches(&d.from, from) && matches(&d.to, to_name))
    {
        let message = d.message.clone().unwrap_or_else(|| {
            format!(
                "moving {label} from \"{from}\" to \"{to_name}\" is not allowed (sla.rules.deny)"
            )
        });
        return TransitionCheck::Refused { message };
    }

    let note_ok = note.is_some_and(|n| note_len(n) >= rules.min_note_chars);
    let too_short = |what: &str| {
        if rules.min_note_chars > 1 {
            format!("{what} (at least {} characters)", rules.min_note_chars)
        } else {
            what.to_string()
        }
    };
    // Completed -> Closed is bookkeeping, not a second resolution.
    let already_complete = !from.is_empty() && rules.is_complete(from);
    if rules.require_resolution_note && rules.is_complete(to_name) && !already_complete && !note_ok
    {
        return TransitionCheck::NeedsNote {
            kind: NoteKind::Resolution,
            message: too_short(&format!(
                "moving {label} to \"{to_name}\" needs a resolution note"
            )),
        };
    }
    if rules.require_escalation_note && rules.is_escalation(to_name) && !note_ok {
        return TransitionCheck::NeedsNote {
            kind: NoteKind::Escalation,
            message: too_short(&format!(
                "escalating {label} to \"{to_name}\" needs a note giving the reason"
            )),
        };
    }

    let unassigned = ticket.assignee_id.is_none_or(|id| id <= 0)
        && ticket
            .assignee_name
            .as_deref()
            .is_none_or(|n| n.trim().is_empty());
    if rules.warn_unassigned_in_progress && unassigned && rules.is_in_progress(to_name) {
        return TransitionCheck::Warn {
            message: format!("{label} has no assignee; moving it to \"{to_name}\" anyway"),
        };
    }
    if rules.warn_reopen
        && !from.is_empty()
        && rules.is_complete(from)
        && !rules.is_complete(to_name)
    {
        return TransitionCheck::Warn {
            message: format!(
                "reopening {label} (\"{from}\" to \"{to_name}\"); its SLA clock restarts"
            ),
        };
    }
    TransitionCheck::Allowed
}

fn ticket_label(t: &TicketRow) -> String {
    if t.ticket_number.trim().is_empty() {
        format!("ticket {}", t.id)
    } else {
        t.ticket_number.trim().to_string()
    }
}

/// Characters of a note after dropping HTML tags, `&nbsp;` and surrounding blanks, so an
/// editor's empty `<p></p>` does not count as a note.
fn note_len(note: &str) -> usize {
    let mut text = String::with_capacity(note.len());
    let mut in_tag = false;
    for c in note.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&nbsp;", " ").trim().chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket(status: &str, assignee: Option<i64>) -> TicketRow {
        TicketRow {
            id: 42,
            ticket_number: "T20250042".into(),
            status_id: Some(1),
            status_name: Some(status.into()),
            assignee_id: assignee,
            assignee_name: assignee.map(|_| "Sam Tech".into()),
            ..Default::default()
        }
    }

    fn status(id: i64, name: &str) -> LookupItem {
        LookupItem {
            id,
            name: name.into(),
            ..Default::default()
        }
    }

    #[test]
    fn completing_needs_a_resolution_note() {
        let r = WorkflowRules::default();
        let t = ticket("In Progress", Some(7));
        let c = check_transition(&t, &status(9, "Completed"), None, &r);
        assert_eq!(
            c,
            TransitionCheck::NeedsNote {
                kind: NoteKind::Resolution,
                message: "moving T20250042 to \"Completed\" needs a resolution note".into()
            }
        );
        assert!(!c.may_proceed());
        // Blank and empty-HTML notes do not count.
        for blank in ["", "   ", "<p></p>", "<p>&nbsp;</p>"] {
            assert!(
                matches!(
                    check_transition(&t, &status(9, "closed"), Some(blank), &r),
                    TransitionCheck::NeedsNote {
                        kind: NoteKind::Resolution,
                        ..
                    }
                ),
                "{blank:?}"
            );
        }
        assert_eq!(
            check_transition(&t, &status(9, "Resolved"), Some("Replaced the toner"), &r),
            TransitionCheck::Allowed
        ); // Moving between complete statuses needs no second resolution note.
        assert_eq!(
            check_transition(&ticket("Resolved", Some(7)), &status(9, "Closed"), None, &r),
            TransitionCheck::Allowed
        );
    }

    #[test]
    fn escalating_needs_a_reason() {
        let r = WorkflowRules::default();
        let t = ticket("In Progress", Some(7));
        for name in ["Escalated", "Escalated - Tier 2", "ESCALATION"] {
            assert!(
                matches!(
                    check_transition(&t, &status(5, name), None, &r),
                    TransitionCheck::NeedsNote {
                        kind: NoteKind::Escalation,
                        ..
                    }
                ),
                "{name}"
            );
        }
        assert_eq!(
            check_transition(&t, &status(5, "Escalated"), Some("needs network team"), &r),
            TransitionCheck::Allowed
        );
    }

    #[test]
    fn in_progress_without_assignee_warns() {
        let r = WorkflowRules::default();
        let c = check_transition(&ticket("New", None), &status(3, "In-Progress"), None, &r);
        assert_eq!(
            c,
            TransitionCheck::Warn {
                message: "T20250042 has no assignee; moving it to \"In-Progress\" anyway".into()
            }
        );
        assert!(c.may_proceed());
        assert_eq!(
            check_transition(&ticket("New", Some(7)), &status(3, "In Progress"), None, &r),
            TransitionCheck::Allowed
        );
        let quiet = WorkflowRules {
            warn_unassigned_in_progress: false,
            ..WorkflowRules::default()
        };
        assert_eq!(
            check_transition(
                &ticket("New", None),
                &status(3, "In Progress"),
                None,
                &quiet
            ),
            TransitionCheck::Allowed
        );
    }

    #[test]
    fn refusals() {
        let r = WorkflowRules::default();
        let t = ticket("In Progress", Some(7));
        let same = check_transition(&t, &status(1, "Whatever"), None, &r);
        assert_eq!(same.message(), Some("T20250042 is already \"Whatever\""));
        let same_name = check_transition(&t, &status(99, "in progress"), None, &r);
        assert!(matches!(same_name, TransitionCheck::Refused { .. }));
        let inactive = LookupItem {
            is_active: Some(false),
            ..status(8, "Old Status")
        };
        assert_eq!(
            check_transition(&t, &inactive, None, &r),
            TransitionCheck::Refused {
                message: "status \"Old Status\" is inactive; pick another".into()
            }
        );
        let deny = WorkflowRules {
            deny: vec![
                DeniedTransition {
                    from: "Closed".into(),
                    to: "*".into(),
                    message: Some("Closed is final".into()),
                },
                DeniedTransition {
                    from: "*".into(),
                    to: "New".into(),
                    message: None,
                },
            ],
            ..WorkflowRules::default()
        };
        assert_eq!(
            check_transition(
                &ticket("closed", Some(7)),
                &status(3, "In Progress"),
                None,
                &deny
            ),
            TransitionCheck::Refused {
                message: "Closed is final".into()
            }
        );
        assert_eq!(
            check_transition(&t, &status(2, "New"), None, &deny).message(),
            Some(
                "moving T20250042 from \"In Progress\" to \"New\" is not allowed (sla.rules.deny)"
            )
        );
    }

    #[test]
    fn reopening_warns_and_min_length_is_enforced() {
        let r = WorkflowRules::default();
        let c = check_transition(
            &ticket("Completed", Some(7)),
            &status(3, "In Progress"),
            None,
            &r,
        );
        assert_eq!(
            c.message(),
            Some("reopening T20250042 (\"Completed\" to \"In Progress\"); its SLA clock restarts")
        );
        let strict = WorkflowRules {
            min_note_chars: 10,
            ..WorkflowRules::default()
        };
        let t = ticket("In Progress", Some(7));
        assert_eq!(
            check_transition(&t, &status(9, "Completed"), Some("done"), &strict).message(),
            Some(
                "moving T20250042 to \"Completed\" needs a resolution note (at least 10 characters)"
            )
        );
        assert_eq!(
            check_transition(
                &t,
                &status(9, "Completed"),
                Some("<b>Rebooted router</b>"),
                &strict
            ),
            TransitionCheck::Allowed
        );
    }

    #[test]
    fn rules_can_be_switched_off() {
        let r = WorkflowRules {
            require_resolution_note: false,
            require_escalation_note: false,
            ..WorkflowRules::default()
        };
        let t = ticket("In Progress", Some(7));
        assert_eq!(
            check_transition(&t, &status(9, "Completed"), None, &r),
            TransitionCheck::Allowed
        );
        assert_eq!(
            check_transition(&t, &status(5, "Escalated"), None, &r),
            TransitionCheck::Allowed
        );
    }
}
