//! `bmsdesk notes …`

use serde_json::json;

use super::args::{NoteWriteArgs, NotesCmd};
use super::context::Ctx;
use super::error::{CliResult, usage};
use super::output::{self, Table, when};
use super::text_input::read_text;
use super::tickets::note_type;
use bmsdesk_core::actions::{WriteOp, WriteResult};
use bmsdesk_core::model::{Note, NoteInput};
use bmsdesk_core::text::html;
use bmsdesk_core::{error::ApiError, lookups::LookupKind};

pub async fn run(ctx: &mut Ctx, cmd: NotesCmd) -> CliResult<()> {
    match cmd {
        NotesCmd::List { ticket } => list(ctx, ticket).await,
        NotesCmd::Get { ticket, note } => {
            let n = ctx.client.note(ticket, note).await?;
            if ctx.json {
                return output::json(&n);
            }
            show(&n)
        }
        NotesCmd::Add(w) => {
            let input = note_input(ctx, &w).await?;
            let note = expect_note(
                ctx.write(WriteOp::AddNote {
                    ticket_id: w.ticket,
                    input,
                })
                .await?,
            )?;
            if ctx.json {
                return output::json(&note);
            }
            output::text(&format!("added note {} to ticket {}", note.id, w.ticket))
        }
        NotesCmd::Update { write, note } => {
            let input = note_input(ctx, &write).await?;
            let updated = expect_note(
                ctx.write(WriteOp::UpdateNote {
                    ticket_id: write.ticket,
                    note_id: note,
                    input,
                })
                .await?,
            )?;
            if ctx.json {
                return output::json(&updated);
            }
            output::text(&format!("updated note {note} on ticket {}", write.ticket))
        }
        NotesCmd::Delete { ticket, note, yes } => {
            let existing = ctx.client.note(ticket, note).await?;
            if !yes {
                let first = html::to_text(&existing.details);
                let first = first.lines().next().unwrap_or("");
                ctx.confirm(&format!(
                    "Delete note {note} on ticket {ticket} (\"{}\")?",
                    bmsdesk_core::text::sanitize_line(first)
                ))?;
            }
            ctx.write(WriteOp::DeleteNote {
                ticket_id: ticket,
                note_id: note,
            })
            .await?;
            if ctx.json {
                return output::json(&json!({"deleted": note, "ticket": ticket}));
            }
            output::text(&format!("deleted note {note} on ticket {ticket}"))
        }
    }
}

async fn list(ctx: &mut Ctx, ticket: i64) -> CliResult<()> {
    let notes = ctx.client.notes(ticket).await?;
    if ctx.json {
        return output::json(&notes);
    }
    if notes.is_empty() {
        output::note("no notes");
        return Ok(());
    }
    let mut t = Table::new(vec!["ID", "DATE", "BY", "VISIBILITY", "TEXT"]).flex(4);
    for n in &notes {
        let text = html::to_text(&n.details).replace('\n', " ⏎ ");
        t.row(vec![
            n.id.to_string(),
            when(n.created_on),
            n.created_by_name.clone().unwrap_or_default(),
            visibility(n).into(),
            text,
        ]);
    }
    t.print()
}

fn expect_note(r: WriteResult) -> CliResult<Note> {
    r.note()
        .ok_or_else(|| ApiError::Decode("the server returned no note".into()).into())
}

fn visibility(n: &Note) -> &'static str {
    if n.is_internal.unwrap_or(true) {
        "internal"
    } else {
        "external"
    }
}

fn show(n: &Note) -> CliResult<()> {
    output::fields(&[
        ("Note", n.id.to_string()),
        ("Date", when(n.created_on)),
        ("By", n.created_by_name.clone().unwrap_or_default()),
        ("Visibility", visibility(n).into()),
        ("Type", n.type_name.clone().unwrap_or_default()),
    ])?;
    output::text(&format!("\n{}", html::to_text(&n.details)))
}

async fn note_input(ctx: &mut Ctx, w: &NoteWriteArgs) -> CliResult<NoteInput> {
    let text = read_text(w.message.as_deref(), w.file.as_deref())?;
    let note_date = match &w.note_date {
        Some(d) => bmsdesk_core::wire::parse_datetime(d)
            .ok_or_else(|| usage(format!("--note-date {d:?} is not a date")))?,
        None => bmsdesk_core::clock::now(),
    };
    let status_id = match &w.status {
        Some(s) => {
            let to = ctx.resolve_lookup(LookupKind::Statuses, s).await?;
            ctx.check_status_change(w.ticket, &to, Some(&text)).await?;
            Some(to.id)
        }
        None => None,
    };
    Ok(NoteInput {
        details: if w.html { text } else { html::from_text(&text) },
        is_internal: !w.external,
        type_id: note_type(ctx, w.note_type.as_deref()).await?,
        note_date,
        status_id,
    })
}
