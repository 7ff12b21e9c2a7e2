//! Ticket notes: list, get, add, update, delete. `Details` is HTML on the wire.

use serde_json::Value;

use crate::client::Client;
use bmsdesk_core::error::{ApiError, ApiResult};
use bmsdesk_core::model::{Id, Note, NoteInput};

impl Client {
    /// `GET /v2/servicedesk/tickets/{ticketId}/notes`, every page, oldest first.
    pub async fn notes(&self, ticket_id: Id) -> ApiResult<Vec<Note>> {
        let mut notes: Vec<Note> = self
            .get_all(&format!("/v2/servicedesk/tickets/{ticket_id}/notes"), &[])
            .await?;
        notes.sort_by_key(|n| (n.created_on, n.id));
        Ok(notes)
    }

    pub async fn note(&self, ticket_id: Id, note_id: Id) -> ApiResult<Note> {
        self.get::<Option<Note>>(
            &format!("/v2/servicedesk/tickets/{ticket_id}/notes/{note_id}"),
            &[],
        )
        .await?
        .result
        .ok_or_else(|| ApiError::NotFound(format!("note {note_id} on ticket {ticket_id}")))
    }

    /// `POST …/notes`. Returns the created note.
    pub async fn add_note(&self, ticket_id: Id, input: &NoteInput) -> ApiResult<Note> {
        let body = self.encode(input).await?;
        self.post::<Option<Note>>(&format!("/v2/servicedesk/tickets/{ticket_id}/notes"), body)
            .await?
            .result
            .ok_or_else(|| ApiError::Decode("adding the note returned no note".into()))
    }

    /// `PUT …/notes/{noteId}`.
    pub async fn update_note(
        &self,
        ticket_id: Id,
        note_id: Id,
        input: &NoteInput,
    ) -> ApiResult<Note> {
        let body = self.encode(input).await?;
        let reply = self
            .put::<Option<Note>>(
                &format!("/v2/servicedesk/tickets/{ticket_id}/notes/{note_id}"),
                body,
            )
            .await?;
        match reply.result {
            Some(n) if n.id > 0 => Ok(n),
            _ => self.note(ticket_id, note_id).await,
        }
    }

    /// `DELETE …/notes/{noteId}`.
    pub async fn delete_note(&self, ticket_id: Id, note_id: Id) -> ApiResult<()> {
        self.send::<Value>(
            reqwest::Method::DELETE,
            &format!("/v2/servicedesk/tickets/{ticket_id}/notes/{note_id}"),
            &[],
            crate::client::Body::None,
        )
        .await
        .map(|_| ())
    }
}
