//! `doctor --write-test TICKET`: one internal note added to a ticket the user names, read
//! back, its date checked against the clock, and deleted — each step a report line, each
//! write through the audited actions (`Actions::run`: audited, checked before any resend,
//! never left in the outbox to be sent later).

use chrono::{DateTime, SubsecRound, TimeDelta, Utc};
use serde_json::json;

use super::report::{Check, Mark, Report};
use crate::cli::context::Ctx;
use bmsdesk_bms::measure::zone_like_offset;
use bmsdesk_core::domain::note_type::{NoteTypes, pick};
use bmsdesk_core::model::{Id, LookupItem, NoteInput, UserInfo};
use bmsdesk_core::ops::WriteOp;
use bmsdesk_core::{error::ApiError, ops::WriteResult};

const WRITE: &str = "Write test";

/// A date read back this close to what was sent (or to the server's clock) is right.
const CLOSE: TimeDelta = TimeDelta::seconds(120);

pub async fn run(
    ctx: &Ctx,
    r: &mut Report,
    ticket_id: Id,
    me: &UserInfo,
    note_types: Option<&[LookupItem]>,
) {
    let client = ctx.client.clone();
    let ticket = match client.ticket(ticket_id).await {
        Ok(t) => t,
        Err(e) => {
            r.add(
                Check::new(
                    WRITE,
                    "write-test.ticket",
                    Mark::Fail,
                    format!("ticket {ticket_id}: {e}"),
                )
                .action("name a ticket that exists (and that you may write to)"),
            );
            return;
        }
    };
    r.ok(
        WRITE,
        "write-test.ticket",
        format!(
            "ticket {} \"{}\"",
            ticket.row.ticket_number, ticket.row.title
        ),
    );
    let types = match note_types {
        Some(items) => NoteTypes::Known(items),
        None => NoteTypes::Unknown("the tenant gave no note-type list"),
    };
    let type_id = match pick(None, ctx.profile.note_type, types) {
        Ok(id) => id,
        Err(e) => {
            r.add(Check::new(
                WRITE,
                "write-test.add",
                Mark::Fail,
                format!("not tried: {e}"),
            ));
            return;
        }
    };

    // Whole seconds: what the wire carries, so the date can be compared exactly.
    let sent: DateTime<Utc> = bmsdesk_core::clock::now().trunc_subsecs(0);
    let marker = format!(
        "bmsdesk doctor write test at {}: checks that notes can be written; deleted again at once",
        sent.format("%Y-%m-%d %H:%M:%S UTC")
    );
    let add = WriteOp::AddNote {
        ticket_id,
        input: NoteInput {
            details: bmsdesk_core::text::html::from_text(&marker),
            is_internal: true,
            type_id,
            note_date: sent,
            status_id: None,
        },
    };
    let note = match ctx.actions.run(add).await {
        Ok(WriteResult::Note(n)) => *n,
        Ok(other) => {
            r.add(Check::new(
                WRITE,
                "write-test.add",
                Mark::Fail,
                format!("the server answered without the note ({other:?})"),
            ));
            return;
        }
        Err(e) => {
            r.add(
                Check::new(
                    WRITE,
                    "write-test.add",
                    Mark::Fail,
                    format!("adding the note failed: {e}"),
                )
                .action(add_action(&e)),
            );
            return;
        }
    };
    r.add(
        Check::new(
            WRITE,
            "write-test.add",
            Mark::Ok,
            format!("added internal note {} (type {type_id}), audited", note.id),
        )
        .values(json!({"note_id": note.id, "type_id": type_id})),
    );

    read_back(ctx, r, ticket_id, note.id, sent, &marker, me).await;

    let delete = WriteOp::DeleteNote {
        ticket_id,
        note_id: note.id,
    };
    let by_hand = format!(
        "delete it by hand: bmsdesk notes delete {ticket_id} {} --yes",
        note.id
    );
    if let Err(e) = ctx.actions.run(delete).await {
        r.add(
            Check::new(
                WRITE,
                "write-test.delete",
                Mark::Fail,
                format!("deleting note {} failed: {e}", note.id),
            )
            .action(by_hand),
        );
        return;
    }
    r.ok(
        WRITE,
        "write-test.delete",
        format!("deleted note {}, audited", note.id),
    );
    match client.note(ticket_id, note.id).await {
        Err(ApiError::NotFound(_)) => r.ok(WRITE, "write-test.gone", "the note is gone"),
        Ok(_) => r.add(
            Check::new(
                WRITE,
                "write-test.gone",
                Mark::Fail,
                format!(
                    "note {} can still be read after its delete was confirmed",
                    note.id
                ),
            )
            .action(by_hand),
        ),
        Err(e) => r.add(
            Check::new(
                WRITE,
                "write-test.gone",
                Mark::Warn,
                format!("could not check: {e}"),
            )
            .action(format!(
                "see that ticket {ticket_id} has no note {} left",
                note.id
            )),
        ),
    }
}

fn add_action(e: &ApiError) -> String {
    match e {
        ApiError::Unauthorized(_) | ApiError::Api { status: 403, .. } => {
            "the user's role may read but not add notes: it needs Service Desk > Tickets modify rights".into()
        }
        ApiError::Api { .. } => {
            "the server refused the note: if it names the type, set note_type = ID in the profile".into()
        }
        _ => "nothing was left behind unless the audit log says otherwise; run doctor again later".into(),
    }
}

/// Whose note it reads back as: the lost-reply check (`actions::reconcile`) knows bmsdesk's
/// own notes by `CreatedBy` = the user id (`api::guesses`, note authorship), so this
/// measures that guess.
fn author(r: &mut Report, created_by: Option<Id>, email: Option<&str>, me: &UserInfo) {
    let values =
        json!({"created_by": created_by, "created_by_email": email, "user_id": me.user_id});
    let check = match created_by {
        Some(id) if id == me.user_id => Check::new(
            WRITE,
            "write-test.author",
            Mark::Ok,
            format!("CreatedBy is your user id ({id})"),
        )
        .action("a note whose reply was lost is recognised as bmsdesk's by it, not sent twice"),
        Some(id) => Check::new(
            WRITE,
            "write-test.author",
            Mark::Warn,
            format!("CreatedBy is {id}, not your user id ({})", me.user_id),
        )
        .action("a note whose reply was lost may not be recognised as bmsdesk's and could be sent twice; please report this"),
        None => Check::new(
            WRITE,
            "write-test.author",
            Mark::Warn,
            format!(
                "the note carries no CreatedBy{}",
                email.map(|e| format!(" (CreatedByEmail {e})")).unwrap_or_default()
            ),
        )
        .action("bmsdesk knows its own notes by the author's email only when the sign-in name is an email; otherwise a note whose reply was lost could be sent twice"),
    };
    r.add(check.values(values));
}

/// Reads the note back: its text, that it is internal, its date against what was sent and
/// its modification time against the server's clock (a zone mistake shows as whole hours).
async fn read_back(
    ctx: &Ctx,
    r: &mut Report,
    ticket_id: Id,
    note_id: Id,
    sent: DateTime<Utc>,
    marker: &str,
    me: &UserInfo,
) {
    let client = &ctx.client;
    let note = match client.note(ticket_id, note_id).await {
        Ok(n) => n,
        Err(e) => {
            r.add(Check::new(
                WRITE,
                "write-test.read",
                Mark::Fail,
                format!("note {note_id} could not be read back: {e}"),
            ));
            return;
        }
    };
    let mut problems = Vec::new();
    if !bmsdesk_core::text::html::to_text(&note.details).contains(marker) {
        problems.push("its text came back changed".to_string());
    }
    if note.is_internal == Some(false) {
        problems.push("it came back as visible to the customer".to_string());
    }
    if problems.is_empty() {
        r.ok(WRITE, "write-test.read", "read back as written, internal");
    } else {
        r.add(Check::new(
            WRITE,
            "write-test.read",
            Mark::Fail,
            problems.join("; "),
        ));
    }
    author(r, note.created_by, note.created_by_email.as_deref(), me);

    let server_now = client.server_time(bmsdesk_core::clock::now());
    let mut dates = Vec::new();
    let mut wrong_zone = false;
    let mut judge =
        |what: &str, got: Option<DateTime<Utc>>, against: DateTime<Utc>, label: &str| {
            let Some(got) = got else {
                dates.push(format!("no {what}"));
                return;
            };
            let off = got - against;
            if off.abs() <= CLOSE {
                return;
            }
            match zone_like_offset(got, against) {
                Some(h) => {
                    wrong_zone = true;
                    dates.push(format!("{what} reads {h:+} h off {label}"));
                }
                None => dates.push(format!("{what} reads {} s off {label}", off.num_seconds())),
            }
        };
    judge(
        "its date (CreatedOn)",
        note.created_on,
        sent,
        "the NoteDate sent",
    );
    judge(
        "its ModifiedOn",
        note.modified_on,
        server_now,
        "the server's clock",
    );
    let values = json!({
        "sent": sent,
        "created_on": note.created_on,
        "modified_on": note.modified_on,
        "server_now": server_now,
    });
    if dates.is_empty() {
        r.add(
            Check::new(
                WRITE,
                "write-test.date",
                Mark::Ok,
                "its date reads back as sent and its modification time matches the server's clock",
            )
            .values(values),
        );
    } else {
        let action = if wrong_zone {
            "the server's times are in another zone than bmsdesk uses: set tenant_timezone in the profile to the tenant's zone (see tenant-zone above)"
        } else {
            "compare the note's time in the BMS web UI; if it is wrong there too, report it"
        };
        r.add(
            Check::new(WRITE, "write-test.date", Mark::Warn, dates.join("; "))
                .action(action)
                .values(values),
        );
    }
}
