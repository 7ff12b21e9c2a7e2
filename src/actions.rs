//! Audited writes, shared by the CLI and the TUI worker: each one calls the API and appends
//! one line to the audit log with what is needed to undo it (`revert_info`).

use std::future::Future;
use std::sync::Arc;

use serde::Serialize;
use serde_json::{Value, json};

use crate::api::model::{AssignInput, Id, Note, NoteInput, PatchOp, Ticket, TimeLog, TimeLogInput};
use crate::api::wire::dotnet_camel;
use crate::api::{ApiResult, Client, TicketDraft};
use crate::store::audit::{AuditEntry, AuditLog};

#[derive(Clone)]
pub struct Actions {
    client: Client,
    audit: Option<Arc<AuditLog>>,
}

impl std::fmt::Debug for Actions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Actions")
            .field("client", &self.client)
            .finish()
    }
}

impl Actions {
    pub fn new(client: Client, audit: Option<AuditLog>) -> Self {
        Actions {
            client,
            audit: audit.map(Arc::new),
        }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    async fn audited<T: Serialize>(
        &self,
        command: &str,
        args: Value,
        revert: Option<Value>,
        call: impl Future<Output = ApiResult<T>>,
    ) -> ApiResult<T> {
        let outcome = call.await;
        if let Some(log) = &self.audit {
            let mut entry = match &outcome {
                Ok(v) => AuditEntry::ok(
                    command,
                    args,
                    serde_json::to_value(v).unwrap_or(Value::Null),
                ),
                Err(e) => AuditEntry::failed(command, args, e.to_string()),
            };
            if let Some(r) = revert {
                entry = entry.with_revert(r);
            }
            if let Err(e) = log.record(&entry) {
                // The write itself happened (or failed) already; report, don't pretend otherwise.
                tracing::error!(command, error = %e, "could not append to the audit log");
            }
        }
        outcome
    }

    /// Validates the draft (nothing is sent or logged when fields are missing), then creates.
    pub async fn create_ticket(&self, draft: &TicketDraft) -> ApiResult<Ticket> {
        let input = draft.validate()?;
        let args = serde_json::to_value(&input).unwrap_or(Value::Null);
        let created = self
            .audited(
                "tickets.create",
                args,
                None,
                self.client.create_ticket(&input),
            )
            .await?;
        Ok(created)
    }

    /// JSON-Patch a ticket; the previous values of the patched fields go to `revert_info`.
    pub async fn patch_ticket(&self, id: Id, ops: &[PatchOp]) -> ApiResult<Ticket> {
        let before = self.client.ticket(id).await.ok();
        let revert = before.as_ref().map(|t| previous_values(t, ops));
        let args = json!({"ticket_id": id, "ops": ops});
        self.audited(
            "tickets.patch",
            args,
            revert,
            self.client.patch_ticket(id, ops),
        )
        .await
    }

    pub async fn set_status(&self, id: Id, status_id: Id) -> ApiResult<Ticket> {
        self.patch_ticket(id, &[PatchOp::replace("/StatusId", json!(status_id))])
            .await
    }

    pub async fn set_priority(&self, id: Id, priority_id: Id) -> ApiResult<Ticket> {
        self.patch_ticket(id, &[PatchOp::replace("/PriorityId", json!(priority_id))])
            .await
    }

    pub async fn assign(&self, id: Id, input: &AssignInput) -> ApiResult<()> {
        let before = self.client.ticket(id).await.ok();
        let revert = before.map(|t| {
            json!({"ticket_id": id, "assignee_id": t.row.assignee_id, "queue_id": t.row.queue_id, "status_id": t.row.status_id})
        });
        let args = json!({"ticket_id": id, "input": input});
        self.audited(
            "tickets.assign",
            args,
            revert,
            self.client.assign_ticket(id, input),
        )
        .await
    }

    /// Deletes a ticket; the whole ticket as it was goes to `revert_info`.
    pub async fn delete_ticket(&self, id: Id) -> ApiResult<()> {
        let before = self.client.ticket(id).await?;
        let revert = serde_json::to_value(&before).ok();
        self.audited(
            "tickets.delete",
            json!({"ticket_id": id}),
            revert,
            self.client.delete_ticket(id),
        )
        .await
    }

    pub async fn add_note(&self, ticket_id: Id, input: &NoteInput) -> ApiResult<Note> {
        let args = json!({"ticket_id": ticket_id, "note": input});
        self.audited(
            "notes.add",
            args,
            None,
            self.client.add_note(ticket_id, input),
        )
        .await
    }

    pub async fn update_note(
        &self,
        ticket_id: Id,
        note_id: Id,
        input: &NoteInput,
    ) -> ApiResult<Note> {
        let before = self.client.note(ticket_id, note_id).await?;
        let revert = json!({"ticket_id": ticket_id, "note_id": note_id, "details": before.details, "is_internal": before.is_internal, "type_id": before.type_id});
        let args = json!({"ticket_id": ticket_id, "note_id": note_id, "note": input});
        self.audited(
            "notes.update",
            args,
            Some(revert),
            self.client.update_note(ticket_id, note_id, input),
        )
        .await
    }

    /// Deletes a note; its text goes to `revert_info`.
    pub async fn delete_note(&self, ticket_id: Id, note_id: Id) -> ApiResult<()> {
        let before = self.client.note(ticket_id, note_id).await?;
        let revert = json!({"ticket_id": ticket_id, "note_id": note_id, "details": before.details, "is_internal": before.is_internal, "type_id": before.type_id, "created_on": before.created_on});
        let args = json!({"ticket_id": ticket_id, "note_id": note_id});
        self.audited(
            "notes.delete",
            args,
            Some(revert),
            self.client.delete_note(ticket_id, note_id),
        )
        .await
    }

    pub async fn add_time_log(&self, ticket_id: Id, input: &TimeLogInput) -> ApiResult<TimeLog> {
        let args = json!({"ticket_id": ticket_id, "time_log": input});
        self.audited(
            "time.add",
            args,
            None,
            self.client.add_time_log(ticket_id, input),
        )
        .await
    }
}

/// `{"ticket_id": …, "previous": {"/StatusId": 49951, …}}` for the paths a patch touches.
fn previous_values(ticket: &Ticket, ops: &[PatchOp]) -> Value {
    let current = serde_json::to_value(ticket).unwrap_or(Value::Null);
    let mut previous = serde_json::Map::new();
    for op in ops {
        let key = op.path.trim_start_matches('/');
        let value = current
            .get(dotnet_camel(key))
            .cloned()
            .or_else(|| {
                current.as_object().and_then(|m| {
                    m.iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(key))
                        .map(|(_, v)| v.clone())
                })
            })
            .unwrap_or(Value::Null);
        previous.insert(op.path.clone(), value);
    }
    json!({"ticket_id": ticket.row.id, "previous": previous})
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::TicketRow;

    #[test]
    fn previous_values_reads_patched_fields() {
        let t = Ticket {
            row: TicketRow {
                id: 7,
                status_id: Some(49951),
                priority_id: Some(3),
                ..Default::default()
            },
            ..Default::default()
        };
        let ops = [
            PatchOp::replace("/StatusId", json!(1)),
            PatchOp::replace("/priorityid", json!(2)),
        ];
        let v = previous_values(&t, &ops);
        assert_eq!(v["previous"]["/StatusId"], json!(49951));
        assert_eq!(v["previous"]["/priorityid"], json!(3));
        assert_eq!(v["ticket_id"], json!(7));
    }
}
