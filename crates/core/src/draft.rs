//! The ticket a form or the CLI fills before a create: every field optional until
//! [`TicketDraft::validate`] turns it into the input a PSA requires.

use chrono::{DateTime, Utc};

use crate::error::{ApiError, ApiResult};
use crate::model::{Id, TicketInput, TicketTemplate};

/// A ticket being put together (from flags, a template, or the TUI form). Every field is
/// optional until [`TicketDraft::validate`] turns it into the input the API requires.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TicketDraft {
    pub title: Option<String>,
    pub details: Option<String>,
    pub account_id: Option<Id>,
    pub location_id: Option<Id>,
    pub contact_id: Option<Id>,
    pub status_id: Option<Id>,
    pub priority_id: Option<Id>,
    pub type_id: Option<Id>,
    pub source_id: Option<Id>,
    pub queue_id: Option<Id>,
    pub assignee_id: Option<Id>,
    pub issue_type_id: Option<Id>,
    pub sub_issue_type_id: Option<Id>,
    pub work_type_id: Option<Id>,
    pub open_date: Option<DateTime<Utc>>,
    pub due_date: Option<DateTime<Utc>>,
}

impl TicketDraft {
    /// Template defaults (bms-api.md §10): the template has no status, source, location,
    /// contact or open date; those come from the user.
    pub fn from_template(t: &TicketTemplate) -> Self {
        TicketDraft {
            title: t.title.clone().filter(|s| !s.trim().is_empty()),
            details: t.details.clone().filter(|s| !s.trim().is_empty()),
            account_id: t.account_id.filter(|&i| i > 0),
            priority_id: t.priority_id.filter(|&i| i > 0),
            queue_id: t.queue_id.filter(|&i| i > 0),
            assignee_id: t.assignee_id.filter(|&i| i > 0),
            type_id: t.ticket_type_id.filter(|&i| i > 0),
            issue_type_id: t.issue_type_id.filter(|&i| i > 0),
            sub_issue_type_id: t.sub_issue_type_id.filter(|&i| i > 0),
            work_type_id: t.work_type_id.filter(|&i| i > 0),
            ..Default::default()
        }
    }

    /// `self` with every field `over` sets taking precedence.
    pub fn overlay(mut self, over: &TicketDraft) -> Self {
        macro_rules! take {
            ($($f:ident),*) => { $( if over.$f.is_some() { self.$f = over.$f.clone(); } )* };
        }
        take!(
            title,
            details,
            account_id,
            location_id,
            contact_id,
            status_id,
            priority_id,
            type_id,
            source_id,
            queue_id,
            assignee_id,
            issue_type_id,
            sub_issue_type_id,
            work_type_id,
            open_date,
            due_date
        );
        self
    }

    /// The names of required fields still missing (spec `required` list, plus the practical
    /// rule that a queue or an assignee must be set).
    pub fn missing(&self) -> Vec<&'static str> {
        let mut missing = Vec::new();
        if self.title.as_deref().is_none_or(|s| s.trim().is_empty()) {
            missing.push("title");
        }
        if self.details.as_deref().is_none_or(|s| s.trim().is_empty()) {
            missing.push("details");
        }
        let ids: [(&'static str, Option<Id>); 5] = [
            ("account", self.account_id),
            ("location", self.location_id),
            ("status", self.status_id),
            ("priority", self.priority_id),
            ("type", self.type_id),
        ];
        for (name, v) in ids {
            if v.is_none_or(|i| i < 1) {
                missing.push(name);
            }
        }
        if self.source_id.is_none_or(|i| i < 0) {
            missing.push("source");
        }
        if self.queue_id.is_none() && self.assignee_id.is_none() {
            missing.push("queue or assignee");
        }
        missing
    }

    pub fn validate(&self) -> ApiResult<TicketInput> {
        let missing = self.missing();
        if !missing.is_empty() {
            return Err(ApiError::Invalid(format!(
                "cannot create the ticket: missing {}",
                missing.join(", ")
            )));
        }
        let req = |v: Option<Id>| v.unwrap_or_default();
        Ok(TicketInput {
            title: self.title.clone().unwrap_or_default().trim().to_string(),
            details: self.details.clone().unwrap_or_default(),
            account_id: req(self.account_id),
            location_id: req(self.location_id),
            status_id: req(self.status_id),
            priority_id: req(self.priority_id),
            type_id: req(self.type_id),
            source_id: req(self.source_id),
            open_date: self.open_date.unwrap_or_else(crate::clock::now),
            contact_id: self.contact_id,
            queue_id: self.queue_id,
            assignee_id: self.assignee_id,
            issue_type_id: self.issue_type_id,
            sub_issue_type_id: self.sub_issue_type_id,
            work_type_id: self.work_type_id,
            due_date: self.due_date,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> TicketDraft {
        TicketDraft {
            title: Some("t".into()),
            details: Some("d".into()),
            account_id: Some(1),
            location_id: Some(2),
            status_id: Some(3),
            priority_id: Some(4),
            type_id: Some(5),
            source_id: Some(0),
            queue_id: Some(6),
            ..Default::default()
        }
    }

    #[test]
    fn complete_draft_validates_and_source_zero_is_allowed() {
        let input = full().validate().unwrap();
        assert_eq!(input.source_id, 0);
        assert_eq!(input.queue_id, Some(6));
    }

    #[test]
    fn missing_fields_are_named() {
        let mut d = full();
        d.title = Some("  ".into());
        d.location_id = None;
        d.queue_id = None;
        assert_eq!(d.missing(), vec!["title", "location", "queue or assignee"]);
        let err = d.validate().unwrap_err().to_string();
        assert!(err.contains("title, location, queue or assignee"), "{err}");
    }

    #[test]
    fn template_then_overrides() {
        let t = TicketTemplate {
            id: 1,
            name: "Printer".into(),
            title: Some("Printer offline".into()),
            priority_id: Some(9),
            queue_id: Some(7),
            ticket_type_id: Some(3),
            ..Default::default()
        };
        let over = TicketDraft {
            priority_id: Some(10),
            account_id: Some(5),
            ..Default::default()
        };
        let d = TicketDraft::from_template(&t).overlay(&over);
        assert_eq!(d.title.as_deref(), Some("Printer offline"));
        assert_eq!(d.priority_id, Some(10));
        assert_eq!(d.type_id, Some(3));
        assert_eq!(d.account_id, Some(5));
        assert_eq!(d.queue_id, Some(7));
    }
}
