//! `bmsdesk tickets …`

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::args::{AssignArgs, CreateArgs, TicketFilterArgs, TicketsCmd};
use super::context::Ctx;
use super::error::{CliError, CliResult, usage};
use super::output::{self, Table, age, opt, when};
use super::text_input::read_text;
use bmsdesk_core::actions::{WriteOp, WriteResult};
use bmsdesk_core::domain::sla::breach_order;
use bmsdesk_core::error::ApiError;
use bmsdesk_core::model::{AssignInput, NoteInput, PatchOp, Ticket, TicketFilter, TicketRow};
use bmsdesk_core::text::html;
use bmsdesk_core::{draft::TicketDraft, lookups::LookupKind};

pub async fn run(ctx: &mut Ctx, cmd: TicketsCmd) -> CliResult<()> {
    match cmd {
        TicketsCmd::List(f) => list(ctx, f).await,
        TicketsCmd::Get { id, notes } => get(ctx, id, notes).await,
        TicketsCmd::Create(args) => create(ctx, *args).await,
        TicketsCmd::Patch { id, pairs } => patch(ctx, id, pairs).await,
        TicketsCmd::Assign(args) => assign(ctx, args).await,
        TicketsCmd::Escalate { id, reason, status } => {
            escalate(ctx, id, &reason, status.as_deref()).await
        }
        TicketsCmd::Delete { id, yes } => delete(ctx, id, yes).await,
    }
}

pub async fn build_filter(ctx: &mut Ctx, f: &TicketFilterArgs) -> CliResult<TicketFilter> {
    let mut filter = TicketFilter {
        exclude_completed: if f.include_completed { 0 } else { 1 },
        title: f.search.clone().filter(|s| !s.trim().is_empty()),
        ..Default::default()
    };
    if let Some(s) = &f.status {
        filter.status_names = Some(ctx.canonical_names(LookupKind::Statuses, s).await?);
    }
    if let Some(q) = &f.queue {
        filter.queue_names = Some(ctx.canonical_names(LookupKind::Queues, q).await?);
    }
    if let Some(p) = &f.priority {
        filter.priority_names = Some(ctx.canonical_names(LookupKind::Priorities, p).await?);
    }
    if let Some(a) = &f.assignee {
        filter.assignee_name = Some(if a.trim().eq_ignore_ascii_case("me") {
            ctx.me().await?.full_name
        } else {
            a.trim().to_string()
        });
    }
    if let Some(a) = &f.account {
        let account = ctx.resolve_account(a).await?;
        filter.account_ids = Some(account.id.to_string());
    }
    Ok(filter)
}

async fn list(ctx: &mut Ctx, f: TicketFilterArgs) -> CliResult<()> {
    let filter = build_filter(ctx, &f).await?;
    let by_due = f.sort == "due";
    let rows: Vec<TicketRow> = match f.limit {
        Some(0) => Vec::new(),
        // Without a sort of our own, the first page is the answer; sorting by due needs all.
        Some(n) if !by_due && n as u32 <= ctx.client.page_size() => {
            ctx.client
                .search_tickets_first(&filter, n as u32)
                .await?
                .result
        }
        _ => ctx.client.search_tickets(&filter).await?,
    };
    let now = bmsdesk_core::clock::now();
    let engine = ctx.sla_engine().await?;
    let states = engine.states(&rows, now);
    let mut order: Vec<usize> = if by_due {
        breach_order(&states)
    } else {
        (0..rows.len()).collect()
    };
    if let Some(n) = f.limit {
        order.truncate(n);
    }
    if ctx.json {
        let sorted: Vec<&TicketRow> = order.iter().map(|&i| &rows[i]).collect();
        return output::json(&sorted);
    }
    if order.is_empty() {
        output::note("no tickets match");
        return Ok(());
    }
    let mut t = Table::new(vec![
        "ID", "NUMBER", "TITLE", "ACCOUNT", "STATUS", "PRIORITY", "ASSIGNEE", "AGE", "DUE",
    ])
    .flex(2);
    for &i in &order {
        let r = &rows[i];
        t.row(vec![
            r.id.to_string(),
            r.ticket_number.clone(),
            r.title.clone(),
            opt(&r.account_name),
            opt(&r.status_name),
            opt(&r.priority_name),
            r.assignee_name.as_deref().unwrap_or("-").to_string(),
            age(r.open_date, now),
            states[i].column(),
        ]);
    }
    t.print()?;
    output::note(format!("{} ticket(s)", order.len()));
    Ok(())
}

fn ticket_fields(t: &Ticket) -> Vec<(&'static str, String)> {
    let r = &t.row;
    vec![
        ("Ticket", format!("{} (id {})", r.ticket_number, r.id)),
        ("Title", r.title.clone()),
        ("Account", opt(&r.account_name)),
        ("Location", opt(&r.location_name)),
        ("Contact", opt(&r.contact_name)),
        ("Status", opt(&r.status_name)),
        ("Priority", opt(&r.priority_name)),
        ("Type", opt(&r.type_name)),
        ("Source", opt(&t.source_name)),
        ("Queue", opt(&r.queue_name)),
        ("Assignee", opt(&r.assignee_name)),
        ("Opened", when(r.open_date)),
        ("Due", when(r.due_date)),
        ("Resolve by", when(r.resolution_target_time)),
        ("Completed", when(r.completed_date)),
        ("Last activity", when(r.last_activity_update)),
    ]
}

async fn get(ctx: &mut Ctx, id: i64, with_notes: bool) -> CliResult<()> {
    let ticket = ctx.client.ticket(id).await?;
    let notes = if with_notes {
        Some(ctx.client.notes(id).await?)
    } else {
        None
    };
    if ctx.json {
        return match notes {
            Some(n) => output::json(&json!({"ticket": ticket, "notes": n})),
            None => output::json(&ticket),
        };
    }
    output::fields(&ticket_fields(&ticket))?;
    let details = html::to_text(ticket.details.as_deref().unwrap_or(""));
    if !details.is_empty() {
        output::text(&format!("\n{details}"))?;
    }
    if let Some(notes) = notes {
        for n in notes {
            let vis = if n.is_internal.unwrap_or(true) {
                "internal"
            } else {
                "external"
            };
            output::text(&format!(
                "\n── note {} · {} · {} · {}\n{}",
                n.id,
                when(n.created_on),
                bmsdesk_core::text::sanitize_line(n.created_by_name.as_deref().unwrap_or("")),
                vis,
                html::to_text(&n.details)
            ))?;
        }
    }
    Ok(())
}

fn parse_date(what: &str, s: &str) -> CliResult<DateTime<Utc>> {
    bmsdesk_core::wire::parse_datetime(s).ok_or_else(|| {
        usage(format!(
            "{what} {s:?} is not a date (use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS)"
        ))
    })
}

async fn create(ctx: &mut Ctx, a: CreateArgs) -> CliResult<()> {
    let mut draft = match &a.template {
        Some(t) => {
            let templates = ctx.client.ticket_templates().await?;
            let chosen = super::resolve::resolve("ticket template", t, &templates)?;
            let template = ctx.client.ticket_template(chosen.id).await?;
            TicketDraft::from_template(&template)
        }
        None => TicketDraft::default(),
    };
    let mut over = TicketDraft {
        title: a.title.clone(),
        ..Default::default()
    };
    if let Some(d) = &a.details {
        let text = read_text(Some(d.as_str()), None)?;
        over.details = Some(if a.html { text } else { html::from_text(&text) });
    }
    if let Some(acc) = &a.account {
        over.account_id = Some(ctx.resolve_account(acc).await?.id);
    }
    let account_id = over.account_id.or(draft.account_id);
    if let Some(loc) = &a.location {
        let Some(account_id) = account_id else {
            return Err(usage(
                "--location needs --account (locations belong to an account)",
            ));
        };
        let locations = ctx.locations(account_id).await?;
        over.location_id = Some(super::resolve::resolve("location", loc, &locations)?.id);
    } else if let Some(account_id) = account_id {
        let locations = ctx.locations(account_id).await?;
        let main = locations
            .iter()
            .find(|l| l.is_main == Some(true))
            .or(if locations.len() == 1 {
                locations.first()
            } else {
                None
            });
        if let Some(m) = main {
            over.location_id = Some(m.id);
        }
    }
    if let Some(c) = &a.contact {
        let Some(account_id) = account_id else {
            return Err(usage("--contact needs --account"));
        };
        let contacts = ctx.client.contacts(account_id, None).await?;
        over.contact_id = Some(super::resolve::resolve("contact", c, &contacts)?.id);
    }
    if let Some(s) = &a.status {
        over.status_id = Some(ctx.resolve_lookup(LookupKind::Statuses, s).await?.id);
    }
    if let Some(p) = &a.priority {
        over.priority_id = Some(ctx.resolve_lookup(LookupKind::Priorities, p).await?.id);
    }
    if let Some(t) = &a.ticket_type {
        over.type_id = Some(ctx.resolve_lookup(LookupKind::Types, t).await?.id);
    }
    if let Some(s) = &a.source {
        over.source_id = Some(ctx.resolve_lookup(LookupKind::Sources, s).await?.id);
    }
    if let Some(q) = &a.queue {
        over.queue_id = Some(ctx.resolve_lookup(LookupKind::Queues, q).await?.id);
    }
    if let Some(x) = &a.assignee {
        over.assignee_id = Some(ctx.resolve_assignee(x).await?.id);
    }
    if let Some(d) = &a.open_date {
        over.open_date = Some(parse_date("--open-date", d)?);
    }
    if let Some(d) = &a.due_date {
        over.due_date = Some(parse_date("--due-date", d)?);
    }
    draft = draft.overlay(&over);
    if draft.status_id.is_none() {
        // A new ticket starts in the tenant's first status (normally "New").
        let statuses = ctx.lookup_or_empty(LookupKind::Statuses).await?;
        draft.status_id = statuses
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case("new"))
            .or(statuses.first())
            .map(|s| s.id);
    }
    let missing = draft.missing();
    if !missing.is_empty() {
        return Err(usage(format!(
            "cannot create the ticket: missing {} (see `bmsdesk tickets create --help`)",
            missing.join(", ")
        )));
    }
    let input = draft.validate()?;
    let ticket = expect_ticket(ctx.write(WriteOp::CreateTicket { input }).await?)?;
    if ctx.json {
        return output::json(&ticket);
    }
    output::text(&format!(
        "created ticket {} (id {}): {}",
        ticket.row.ticket_number,
        ticket.row.id,
        bmsdesk_core::text::sanitize_line(&ticket.row.title)
    ))
}

fn expect_ticket(r: WriteResult) -> CliResult<Ticket> {
    r.ticket()
        .ok_or_else(|| ApiError::Decode("the server returned no ticket".into()).into())
}

/// Patch paths whose value may be given as a name.
fn lookup_for_path(path: &str) -> Option<LookupKind> {
    match path.trim_start_matches('/').to_ascii_lowercase().as_str() {
        "statusid" => Some(LookupKind::Statuses),
        "priorityid" => Some(LookupKind::Priorities),
        "queueid" => Some(LookupKind::Queues),
        "assigneeid" => Some(LookupKind::Assignees),
        "typeid" => Some(LookupKind::Types),
        "sourceid" => Some(LookupKind::Sources),
        _ => None,
    }
}

/// A patch value: JSON when it parses as JSON (numbers, true, null, "quoted"), else a string.
fn patch_value(raw: &str) -> Value {
    serde_json::from_str::<Value>(raw).unwrap_or_else(|_| Value::String(raw.to_string()))
}

async fn patch(ctx: &mut Ctx, id: i64, pairs: Vec<String>) -> CliResult<()> {
    if !pairs.len().is_multiple_of(2) {
        return Err(usage("patch takes PATH VALUE pairs, e.g. /StatusId 6"));
    }
    let mut ops = Vec::new();
    for pair in pairs.chunks(2) {
        let (path, raw) = (&pair[0], &pair[1]);
        if path.trim_start_matches('/').is_empty() {
            return Err(usage(format!("bad patch path {path:?}")));
        }
        let value = match lookup_for_path(path) {
            Some(kind) if raw.parse::<i64>().is_err() && raw != "null" => {
                let r = if kind == LookupKind::Assignees {
                    ctx.resolve_assignee(raw).await?
                } else {
                    ctx.resolve_lookup(kind, raw).await?
                };
                json!(r.id)
            }
            _ => patch_value(raw),
        };
        if lookup_for_path(path) == Some(LookupKind::Statuses)
            && let Some(to) = value.as_i64()
        {
            let to = super::resolve::Resolved { id: to, name: None };
            ctx.check_status_change(id, &to, None).await?;
        }
        ops.push(PatchOp::replace(path.clone(), value));
    }
    let ticket = expect_ticket(
        ctx.write(WriteOp::PatchTicket { ticket_id: id, ops })
            .await?,
    )?;
    if ctx.json {
        return output::json(&ticket);
    }
    output::text(&format!(
        "updated ticket {} (id {}): status {}, priority {}, assignee {}",
        ticket.row.ticket_number,
        id,
        opt(&ticket.row.status_name),
        opt(&ticket.row.priority_name),
        ticket
            .row
            .assignee_name
            .clone()
            .unwrap_or_else(|| "-".into())
    ))
}

async fn assign(ctx: &mut Ctx, a: AssignArgs) -> CliResult<()> {
    if a.assignee.is_none() && a.queue.is_none() {
        return Err(usage("assign needs --assignee and/or --queue"));
    }
    if a.details.trim().is_empty() {
        return Err(usage(
            "assign needs a note (--details): BMS records one with every assignment",
        ));
    }
    let assignee_id = match &a.assignee {
        Some(x) => Some(ctx.resolve_assignee(x).await?.id),
        None => None,
    };
    let queue_id = match &a.queue {
        Some(q) => Some(ctx.resolve_lookup(LookupKind::Queues, q).await?.id),
        None => None,
    };
    let status_id = match &a.status {
        Some(s) => {
            let to = ctx.resolve_lookup(LookupKind::Statuses, s).await?;
            ctx.check_status_change(a.id, &to, Some(&a.details)).await?;
            to.id
        }
        // BMS wants the status with every assignment: keep the current one.
        None => match ctx.client.ticket(a.id).await {
            Ok(t) => t
                .row
                .status_id
                .ok_or_else(|| usage("the ticket has no status; pass --status"))?,
            Err(e) if e.is_transient() => {
                return Err(CliError::Local(format!(
                    "cannot read ticket {}'s current status now ({e}); pass --status to queue \
                     the assignment anyway",
                    a.id
                )));
            }
            Err(e) => return Err(e.into()),
        },
    };
    let type_id = note_type(ctx, a.note_type.as_deref()).await?;
    let input = AssignInput {
        details: html::from_text(&a.details),
        is_internal: !a.external,
        type_id,
        status_id,
        note_date: bmsdesk_core::clock::now(),
        assignee_id,
        queue_id,
    };
    ctx.write(WriteOp::AssignTicket {
        ticket_id: a.id,
        input,
    })
    .await?;
    // The assignment went through; a failed re-read must not make it look as if it had not.
    let Some(ticket) = reread(ctx, a.id, "assigned").await else {
        return Ok(());
    };
    if ctx.json {
        return output::json(&ticket);
    }
    output::text(&format!(
        "assigned ticket {} to {} (queue {})",
        ticket.row.ticket_number,
        ticket.row.assignee_name.as_deref().unwrap_or("-"),
        opt(&ticket.row.queue_name)
    ))
}

async fn escalate(ctx: &mut Ctx, id: i64, reason: &str, status: Option<&str>) -> CliResult<()> {
    if reason.trim().is_empty() {
        return Err(usage("escalating needs a reason (--reason)"));
    }
    let to = match status {
        Some(s) => ctx.resolve_lookup(LookupKind::Statuses, s).await?,
        None => {
            let engine = ctx.sla_engine().await?;
            let statuses = ctx.lookup_or_empty(LookupKind::Statuses).await?;
            let found = statuses
                .iter()
                .find(|s| engine.settings().rules.is_escalation(&s.name))
                .ok_or_else(|| usage("no escalation status found; pass --status"))?;
            super::resolve::Resolved {
                id: found.id,
                name: Some(found.name.clone()),
            }
        }
    };
    ctx.check_status_change(id, &to, Some(reason)).await?;
    let input = NoteInput {
        details: html::from_text(reason),
        is_internal: true,
        type_id: note_type(ctx, None).await?,
        note_date: bmsdesk_core::clock::now(),
        status_id: Some(to.id),
    };
    let note = ctx
        .write(WriteOp::AddNote {
            ticket_id: id,
            input,
        })
        .await?
        .note()
        .ok_or_else(|| ApiError::Decode("the server returned no note".into()))?;
    let Some(ticket) = reread(ctx, id, "escalated").await else {
        if ctx.json {
            return output::json(&json!({"ticket": null, "note": note}));
        }
        return Ok(());
    };
    if ctx.json {
        return output::json(&json!({"ticket": ticket, "note": note}));
    }
    output::text(&format!(
        "escalated ticket {} to {} (reason recorded as note {})",
        ticket.row.ticket_number,
        opt(&ticket.row.status_name),
        note.id
    ))
}

/// A note type id from an id/name, or the tenant's first note type (0 when unknown).
/// The ticket as it is after a write that went through, for the report. When it cannot be
/// read now, says so (the write itself is done) and gives `None`.
async fn reread(ctx: &mut Ctx, id: i64, done: &str) -> Option<Ticket> {
    match ctx.client.ticket(id).await {
        Ok(ticket) => Some(ticket),
        Err(e) => {
            output::note(format!(
                "{done} ticket {id}; it cannot be read back now ({e})"
            ));
            None
        }
    }
}

/// The note type for a note written from the command line: `--type` (a name or id), else
/// the one rule of `domain::note_type` (the profile's `note_type`, the tenant's list); a
/// tenant whose note types are unknown refuses the note with what to do (exit 2).
pub async fn note_type(ctx: &mut Ctx, input: Option<&str>) -> CliResult<i64> {
    use bmsdesk_core::domain::note_type::{NoteTypes, pick};
    if let Some(t) = input {
        return Ok(ctx.resolve_lookup(LookupKind::NoteTypes, t).await?.id);
    }
    if let Some(id) = ctx.profile.note_type {
        return Ok(id);
    }
    let measured_absent = ctx.client.capabilities().lookups.note_types == Some(false);
    let (items, why) = if measured_absent {
        (
            None,
            "`bmsdesk doctor` found no note-type list on this tenant".to_string(),
        )
    } else {
        match ctx.lookup(LookupKind::NoteTypes).await {
            Ok(items) => (Some(items), String::new()),
            Err(CliError::Api(e)) if e.is_auth() => return Err(CliError::Api(e)),
            Err(CliError::Api(e)) if e.is_transient() => (
                None,
                format!("the note-type list cannot be read now, and none is cached: {e}"),
            ),
            Err(CliError::Api(e)) => (None, format!("the tenant gave no note-type list: {e}")),
            Err(e) => return Err(e),
        }
    };
    let types = match &items {
        Some(items) => NoteTypes::Known(items),
        None => NoteTypes::Unknown(&why),
    };
    pick(None, None, types).map_err(|e| usage(e.to_string()))
}

async fn delete(ctx: &mut Ctx, id: i64, yes: bool) -> CliResult<()> {
    // With --yes an unreachable server does not stop the delete from being queued.
    let number = match ctx.client.ticket(id).await {
        Ok(ticket) => {
            if !yes {
                ctx.confirm(&format!(
                    "Delete ticket {} \"{}\"?",
                    ticket.row.ticket_number,
                    bmsdesk_core::text::sanitize_line(&ticket.row.title)
                ))?;
            }
            ticket.row.ticket_number
        }
        Err(e) if yes && e.is_transient() => format!("#{id}"),
        Err(e) => return Err(e.into()),
    };
    ctx.write(WriteOp::DeleteTicket { ticket_id: id }).await?;
    if ctx.json {
        return output::json(&json!({"deleted": id}));
    }
    output::text(&format!("deleted ticket {number} (id {id})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patch_values_and_paths() {
        assert_eq!(patch_value("6"), json!(6));
        assert_eq!(patch_value("null"), Value::Null);
        assert_eq!(patch_value("Printer down"), json!("Printer down"));
        assert_eq!(patch_value("\"42\""), json!("42"));
        assert_eq!(lookup_for_path("/StatusId"), Some(LookupKind::Statuses));
        assert_eq!(lookup_for_path("priorityid"), Some(LookupKind::Priorities));
        assert_eq!(lookup_for_path("/Title"), None);
    }
}
