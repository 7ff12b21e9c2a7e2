//! Ticket, note and time-log templates (read-only).

use crate::client::Client;
use bmsdesk_core::error::{ApiError, ApiResult};
use bmsdesk_core::model::{
    Id, NoteTemplate, NoteTemplateBody, TicketTemplate, TicketTemplateSummary, TimeLogTemplate,
};

impl Client {
    pub async fn ticket_templates(&self) -> ApiResult<Vec<TicketTemplateSummary>> {
        self.get_list("/v2/servicedesk/templates/tickets/lookup", &[])
            .await
    }

    pub async fn ticket_template(&self, id: Id) -> ApiResult<TicketTemplate> {
        self.get::<Option<TicketTemplate>>(&format!("/v2/servicedesk/templates/tickets/{id}"), &[])
            .await?
            .result
            .ok_or_else(|| ApiError::NotFound(format!("ticket template {id}")))
    }

    pub async fn note_templates(&self) -> ApiResult<Vec<NoteTemplate>> {
        self.get_list("/v2/servicedesk/templates/notes/lookup", &[])
            .await
    }

    /// A note template's body rendered for one ticket.
    pub async fn note_template_body(&self, template_id: Id, ticket_id: Id) -> ApiResult<String> {
        let reply = self
            .get::<Option<Vec<NoteTemplateBody>>>(
                &format!("/v2/servicedesk/templates/notes/{template_id}/{ticket_id}"),
                &[],
            )
            .await?;
        Ok(reply
            .result
            .unwrap_or_default()
            .into_iter()
            .map(|b| b.details)
            .collect::<Vec<_>>()
            .join("\n"))
    }

    pub async fn timelog_templates(&self) -> ApiResult<Vec<TimeLogTemplate>> {
        self.get_list("/v2/servicedesk/templates/timelogs/lookup", &[])
            .await
    }
}
