//! Every write the app makes, as data: what `actions` sends (and audits), and what the outbox
//! stores on disk when it cannot be sent yet. Serialized as our own JSON (`kind` plus the
//! inputs), readable back whatever key casing the inputs were written in.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::error::ApiResult;
use crate::model::{
    AssignInput, Id, Note, NoteInput, PatchOp, Ticket, TicketInput, TimeLog, TimeLogInput,
};
use crate::psa::Psa;
use crate::text::html;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum WriteOp {
    CreateTicket {
        #[serde(with = "any_case")]
        input: TicketInput,
    },
    PatchTicket {
        ticket_id: Id,
        ops: Vec<PatchOp>,
    },
    AssignTicket {
        ticket_id: Id,
        #[serde(with = "any_case")]
        input: AssignInput,
    },
    DeleteTicket {
        ticket_id: Id,
    },
    AddNote {
        ticket_id: Id,
        #[serde(with = "any_case")]
        input: NoteInput,
    },
    UpdateNote {
        ticket_id: Id,
        note_id: Id,
        #[serde(with = "any_case")]
        input: NoteInput,
    },
    DeleteNote {
        ticket_id: Id,
        note_id: Id,
    },
    AddTimeLog {
        ticket_id: Id,
        #[serde(with = "any_case")]
        input: TimeLogInput,
    },
}

/// What a write gave back.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum WriteResult {
    Ticket(Box<Ticket>),
    Note(Box<Note>),
    TimeLog(Box<TimeLog>),
    /// Writes that return nothing (assign, delete).
    Done,
}

impl WriteResult {
    /// Reads back a result of `op` stored in its `Serialize` form (an outbox receipt):
    /// `null` is [`WriteResult::Done`], anything else the kind of value `op` gives back.
    pub fn from_stored(op: &WriteOp, value: serde_json::Value) -> serde_json::Result<Self> {
        if value.is_null() {
            return Ok(WriteResult::Done);
        }
        Ok(match op {
            WriteOp::CreateTicket { .. } | WriteOp::PatchTicket { .. } => {
                WriteResult::Ticket(Box::new(serde_json::from_value(value)?))
            }
            WriteOp::AddNote { .. } | WriteOp::UpdateNote { .. } => {
                WriteResult::Note(Box::new(serde_json::from_value(value)?))
            }
            WriteOp::AddTimeLog { .. } => {
                WriteResult::TimeLog(Box::new(serde_json::from_value(value)?))
            }
            WriteOp::AssignTicket { .. }
            | WriteOp::DeleteTicket { .. }
            | WriteOp::DeleteNote { .. } => WriteResult::Done,
        })
    }

    /// The id of what the write created (a ticket, a note, a time log).
    pub fn created_id(&self) -> Option<Id> {
        match self {
            WriteResult::Ticket(t) => Some(t.row.id),
            WriteResult::Note(n) => Some(n.id),
            WriteResult::TimeLog(l) => Some(l.id),
            WriteResult::Done => None,
        }
    }

    pub fn ticket(self) -> Option<Ticket> {
        match self {
            WriteResult::Ticket(t) => Some(*t),
            _ => None,
        }
    }
    pub fn note(self) -> Option<Note> {
        match self {
            WriteResult::Note(n) => Some(*n),
            _ => None,
        }
    }
    pub fn time_log(self) -> Option<TimeLog> {
        match self {
            WriteResult::TimeLog(t) => Some(*t),
            _ => None,
        }
    }
}

impl WriteOp {
    /// The audit log's name for it ("notes.add").
    pub fn command(&self) -> &'static str {
        match self {
            WriteOp::CreateTicket { .. } => "tickets.create",
            WriteOp::PatchTicket { .. } => "tickets.patch",
            WriteOp::AssignTicket { .. } => "tickets.assign",
            WriteOp::DeleteTicket { .. } => "tickets.delete",
            WriteOp::AddNote { .. } => "notes.add",
            WriteOp::UpdateNote { .. } => "notes.update",
            WriteOp::DeleteNote { .. } => "notes.delete",
            WriteOp::AddTimeLog { .. } => "time.add",
        }
    }

    /// The ticket it is about (none for a create).
    pub fn ticket_id(&self) -> Option<Id> {
        match self {
            WriteOp::CreateTicket { .. } => None,
            WriteOp::PatchTicket { ticket_id, .. }
            | WriteOp::AssignTicket { ticket_id, .. }
            | WriteOp::DeleteTicket { ticket_id }
            | WriteOp::AddNote { ticket_id, .. }
            | WriteOp::UpdateNote { ticket_id, .. }
            | WriteOp::DeleteNote { ticket_id, .. }
            | WriteOp::AddTimeLog { ticket_id, .. } => Some(*ticket_id),
        }
    }

    /// Sending it twice has the effect of sending it once (replace, delete): no check is
    /// needed before sending it again, only for deletes the "already gone" answer counts.
    pub fn is_idempotent(&self) -> bool {
        match self {
            WriteOp::PatchTicket { ops, .. } => ops.iter().all(|o| o.op == "replace"),
            WriteOp::UpdateNote { .. }
            | WriteOp::DeleteTicket { .. }
            | WriteOp::DeleteNote { .. } => true,
            _ => false,
        }
    }

    pub fn is_delete(&self) -> bool {
        matches!(
            self,
            WriteOp::DeleteTicket { .. } | WriteOp::DeleteNote { .. }
        )
    }

    /// The arguments as the audit log records them.
    pub fn audit_args(&self) -> Value {
        match self {
            WriteOp::CreateTicket { input } => serde_json::to_value(input).unwrap_or(Value::Null),
            WriteOp::PatchTicket { ticket_id, ops } => json!({"ticket_id": ticket_id, "ops": ops}),
            WriteOp::AssignTicket { ticket_id, input } => {
                json!({"ticket_id": ticket_id, "input": input})
            }
            WriteOp::DeleteTicket { ticket_id } => json!({"ticket_id": ticket_id}),
            WriteOp::AddNote { ticket_id, input } => json!({"ticket_id": ticket_id, "note": input}),
            WriteOp::UpdateNote {
                ticket_id,
                note_id,
                input,
            } => json!({"ticket_id": ticket_id, "note_id": note_id, "note": input}),
            WriteOp::DeleteNote { ticket_id, note_id } => {
                json!({"ticket_id": ticket_id, "note_id": note_id})
            }
            WriteOp::AddTimeLog { ticket_id, input } => {
                json!({"ticket_id": ticket_id, "time_log": input})
            }
        }
    }

    /// One line for a person: "add note to ticket 123: Called the customer…".
    pub fn summary(&self) -> String {
        let text = |s: &str| {
            let t = html::to_text(s);
            let first = t
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .trim();
            let mut out: String = first.chars().take(60).collect();
            if first.chars().count() > 60 {
                out.push('…');
            }
            crate::text::sanitize_line(&out)
        };
        match self {
            WriteOp::CreateTicket { input } => format!(
                "create ticket \"{}\" for account {}",
                crate::text::sanitize_line(&input.title),
                input.account_id
            ),
            WriteOp::PatchTicket { ticket_id, ops } => {
                let fields: Vec<String> = ops
                    .iter()
                    .map(|o| {
                        let v = o.value.as_ref().map(|v| v.to_string()).unwrap_or_default();
                        crate::text::sanitize_line(&format!(
                            "{}={}",
                            o.path.trim_start_matches('/'),
                            v
                        ))
                    })
                    .collect();
                format!("update ticket {ticket_id}: {}", fields.join(", "))
            }
            WriteOp::AssignTicket { ticket_id, input } => {
                let mut to = Vec::new();
                if let Some(a) = input.assignee_id {
                    to.push(format!("assignee {a}"));
                }
                if let Some(q) = input.queue_id {
                    to.push(format!("queue {q}"));
                }
                format!("assign ticket {ticket_id} to {}", to.join(" and "))
            }
            WriteOp::DeleteTicket { ticket_id } => format!("delete ticket {ticket_id}"),
            WriteOp::AddNote { ticket_id, input } => {
                format!("add note to ticket {ticket_id}: {}", text(&input.details))
            }
            WriteOp::UpdateNote {
                ticket_id,
                note_id,
                input,
            } => format!(
                "update note {note_id} on ticket {ticket_id}: {}",
                text(&input.details)
            ),
            WriteOp::DeleteNote { ticket_id, note_id } => {
                format!("delete note {note_id} on ticket {ticket_id}")
            }
            WriteOp::AddTimeLog { ticket_id, input } => format!(
                "log time on ticket {ticket_id}: {} {}-{}",
                input.start_date, input.start_time, input.end_time
            ),
        }
    }

    /// Sends it once (with the client's own retries for refusals).
    pub async fn execute(&self, client: &dyn Psa) -> ApiResult<WriteResult> {
        Ok(match self {
            WriteOp::CreateTicket { input } => {
                WriteResult::Ticket(Box::new(client.create_ticket(input).await?))
            }
            WriteOp::PatchTicket { ticket_id, ops } => {
                WriteResult::Ticket(Box::new(client.patch_ticket(*ticket_id, ops).await?))
            }
            WriteOp::AssignTicket { ticket_id, input } => {
                client.assign_ticket(*ticket_id, input).await?;
                WriteResult::Done
            }
            WriteOp::DeleteTicket { ticket_id } => {
                client.delete_ticket(*ticket_id).await?;
                WriteResult::Done
            }
            WriteOp::AddNote { ticket_id, input } => {
                WriteResult::Note(Box::new(client.add_note(*ticket_id, input).await?))
            }
            WriteOp::UpdateNote {
                ticket_id,
                note_id,
                input,
            } => WriteResult::Note(Box::new(
                client.update_note(*ticket_id, *note_id, input).await?,
            )),
            WriteOp::DeleteNote { ticket_id, note_id } => {
                client.delete_note(*ticket_id, *note_id).await?;
                WriteResult::Done
            }
            WriteOp::AddTimeLog { ticket_id, input } => {
                WriteResult::TimeLog(Box::new(client.add_time_log(*ticket_id, input).await?))
            }
        })
    }
}

/// The input DTOs serialize in the wire's PascalCase and read camelCase; stored ops are read
/// back through the same key normalisation the wire uses, so both spellings load.
mod any_case {
    use serde::de::{DeserializeOwned, Error};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use serde_json::Value;

    pub fn serialize<T: Serialize, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }

    pub fn deserialize<'de, T: DeserializeOwned, D: Deserializer<'de>>(
        d: D,
    ) -> Result<T, D::Error> {
        let v = Value::deserialize(d)?;
        serde_json::from_value(crate::wire::normalize_keys(v)).map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone, Utc};

    fn ops() -> Vec<WriteOp> {
        let at = Utc.with_ymd_and_hms(2025, 3, 4, 5, 6, 7).unwrap();
        let note = NoteInput {
            details: "<p>Called <b>back</b></p>".into(),
            is_internal: true,
            type_id: 2,
            note_date: at,
            status_id: Some(4),
        };
        vec![
            WriteOp::CreateTicket {
                input: TicketInput {
                    title: "Printer".into(),
                    details: "<p>x</p>".into(),
                    account_id: 1,
                    location_id: 2,
                    status_id: 3,
                    priority_id: 4,
                    type_id: 5,
                    source_id: 0,
                    open_date: at,
                    contact_id: None,
                    queue_id: Some(6),
                    assignee_id: None,
                    issue_type_id: None,
                    sub_issue_type_id: None,
                    work_type_id: None,
                    due_date: Some(at),
                },
            },
            WriteOp::PatchTicket {
                ticket_id: 9,
                ops: vec![PatchOp::replace("/StatusId", json!(6))],
            },
            WriteOp::AssignTicket {
                ticket_id: 9,
                input: AssignInput {
                    details: "over".into(),
                    is_internal: true,
                    type_id: 1,
                    status_id: 2,
                    note_date: at,
                    assignee_id: Some(3),
                    queue_id: None,
                },
            },
            WriteOp::DeleteTicket { ticket_id: 9 },
            WriteOp::AddNote {
                ticket_id: 9,
                input: note.clone(),
            },
            WriteOp::UpdateNote {
                ticket_id: 9,
                note_id: 10,
                input: note,
            },
            WriteOp::DeleteNote {
                ticket_id: 9,
                note_id: 10,
            },
            WriteOp::AddTimeLog {
                ticket_id: 9,
                input: TimeLogInput {
                    start_date: NaiveDate::from_ymd_opt(2025, 3, 4).unwrap(),
                    start_time: "09:00:00".into(),
                    end_time: "09:30:00".into(),
                    work_type_id: 1,
                    role_id: 2,
                    timespent: Some(0.5),
                    notes: Some("n".into()),
                    internal_notes: None,
                    user_id: None,
                    status_id: None,
                },
            },
        ]
    }

    #[test]
    fn every_op_round_trips_through_json() {
        for op in ops() {
            let text = serde_json::to_string(&op).unwrap();
            let back: WriteOp = serde_json::from_str(&text).unwrap();
            assert_eq!(back, op, "{text}");
            assert!(!op.summary().is_empty());
            assert!(op.command().contains('.'));
        }
    }

    #[test]
    fn stored_results_read_back_as_the_same_result() {
        let mut ticket = Ticket::default();
        ticket.row.id = 41;
        ticket.row.title = "Printer".into();
        ticket.details = Some("<p>x</p>".into());
        let note = Note {
            id: 5,
            details: "Called back".into(),
            is_internal: Some(true),
            created_on: Some(Utc.with_ymd_and_hms(2025, 3, 4, 5, 6, 7).unwrap()),
            ..Default::default()
        };
        let log = TimeLog {
            id: 8,
            timespent: Some(0.5),
            ..Default::default()
        };
        let all = ops();
        let cases = [
            (&all[0], WriteResult::Ticket(Box::new(ticket.clone()))),
            (&all[1], WriteResult::Ticket(Box::new(ticket))),
            (&all[2], WriteResult::Done),
            (&all[3], WriteResult::Done),
            (&all[4], WriteResult::Note(Box::new(note.clone()))),
            (&all[5], WriteResult::Note(Box::new(note))),
            (&all[7], WriteResult::TimeLog(Box::new(log))),
        ];
        for (op, result) in cases {
            let stored = serde_json::to_value(&result).unwrap();
            let back = WriteResult::from_stored(op, stored).unwrap();
            assert_eq!(back, result, "{}", op.command());
        }
        assert!(WriteResult::from_stored(&all[4], json!("not a note")).is_err());
    }

    #[test]
    fn camel_case_inputs_load_too() {
        let v = json!({"kind": "add_note", "ticket_id": 3, "input": {"details": "d", "isInternal": false, "typeId": 1, "noteDate": "2025-01-01T00:00:00"}});
        let op: WriteOp = serde_json::from_value(v).unwrap();
        assert!(matches!(op, WriteOp::AddNote { ticket_id: 3, ref input } if !input.is_internal));
    }

    #[test]
    fn idempotence() {
        let all = ops();
        let names: Vec<(&str, bool)> = all
            .iter()
            .map(|o| (o.command(), o.is_idempotent()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("tickets.create", false),
                ("tickets.patch", true),
                ("tickets.assign", false),
                ("tickets.delete", true),
                ("notes.add", false),
                ("notes.update", true),
                ("notes.delete", true),
                ("time.add", false),
            ]
        );
        let add = WriteOp::PatchTicket {
            ticket_id: 1,
            ops: vec![PatchOp {
                op: "add".into(),
                path: "/x".into(),
                value: None,
            }],
        };
        assert!(!add.is_idempotent());
    }

    #[test]
    fn summaries_are_single_clean_lines() {
        let op = WriteOp::AddNote {
            ticket_id: 1,
            input: NoteInput {
                details: "<p>\u{1b}[31mred\u{1b}[0m line one</p><p>two</p>".into(),
                is_internal: true,
                type_id: 1,
                note_date: crate::clock::now(),
                status_id: None,
            },
        };
        let s = op.summary();
        assert!(!s.contains('\u{1b}') && !s.contains('\n'), "{s:?}");
        assert!(s.contains("line one"), "{s}");
    }
}
