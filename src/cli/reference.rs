//! Read-only lists: accounts, locations, contacts, lookups, templates.

use super::args::{ListOnly, TemplatesCmd, TicketTemplatesCmd};
use super::context::Ctx;
use super::error::{CliResult, usage};
use super::output::{self, Table, opt};
use bmsdesk_core::lookups::LookupKind;
use bmsdesk_core::text::html;

pub async fn accounts(ctx: &mut Ctx, search: Option<String>) -> CliResult<()> {
    let mut accounts = ctx.accounts().await?;
    if let Some(s) = search {
        let s = s.to_lowercase();
        accounts.retain(|a| a.name.to_lowercase().contains(&s));
    }
    if ctx.json {
        return output::json(&accounts);
    }
    let mut t = Table::new(vec!["ID", "NAME"]).flex(1);
    for a in &accounts {
        t.row(vec![a.id.to_string(), a.name.clone()]);
    }
    t.print()
}

pub async fn locations(ctx: &mut Ctx, account: &str) -> CliResult<()> {
    let acc = ctx.resolve_account(account).await?;
    let locations = ctx.locations(acc.id).await?;
    if ctx.json {
        return output::json(&locations);
    }
    let mut t = Table::new(vec!["ID", "NAME", "MAIN"]).flex(1);
    for l in &locations {
        t.row(vec![
            l.id.to_string(),
            l.name.clone(),
            if l.is_main == Some(true) {
                "yes".into()
            } else {
                String::new()
            },
        ]);
    }
    t.print()
}

pub async fn contacts(ctx: &mut Ctx, account: &str, search: Option<String>) -> CliResult<()> {
    let acc = ctx.resolve_account(account).await?;
    let contacts = ctx.client.contacts(acc.id, search.as_deref()).await?;
    if ctx.json {
        return output::json(&contacts);
    }
    let mut t = Table::new(vec!["ID", "NAME", "LOCATION", "EMAIL", "PHONE"]).flex(1);
    for c in &contacts {
        t.row(vec![
            c.id.to_string(),
            c.name.clone(),
            opt(&c.location_name),
            opt(&c.email_address),
            opt(&c.phone),
        ]);
    }
    t.print()
}

pub async fn lookup(ctx: &mut Ctx, kind: &str) -> CliResult<()> {
    let Some(kind) = LookupKind::parse(kind) else {
        let names: Vec<&str> = LookupKind::ALL.iter().map(|k| k.name()).collect();
        return Err(usage(format!(
            "unknown lookup {kind:?}; one of: {}",
            names.join(", ")
        )));
    };
    let items = ctx.lookup(kind).await?;
    if ctx.json {
        return output::json(&items);
    }
    let mut t = Table::new(vec!["ID", "NAME", "DEFAULT", "ACTIVE"]).flex(1);
    for i in &items {
        t.row(vec![
            i.id.to_string(),
            i.name.clone(),
            if i.is_default == Some(true) {
                "yes".into()
            } else {
                String::new()
            },
            match i.is_active {
                Some(false) => "no".into(),
                _ => String::new(),
            },
        ]);
    }
    t.print()
}

pub async fn templates(ctx: &mut Ctx, cmd: TemplatesCmd) -> CliResult<()> {
    match cmd {
        TemplatesCmd::Tickets(TicketTemplatesCmd::List) => {
            let items = ctx.client.ticket_templates().await?;
            if ctx.json {
                return output::json(&items);
            }
            let mut t = Table::new(vec!["ID", "NAME"]).flex(1);
            for i in &items {
                t.row(vec![i.id.to_string(), i.name.clone()]);
            }
            t.print()
        }
        TemplatesCmd::Tickets(TicketTemplatesCmd::Get { id }) => {
            let tpl = ctx.client.ticket_template(id).await?;
            if ctx.json {
                return output::json(&tpl);
            }
            output::fields(&[
                ("Template", format!("{} (id {})", tpl.name, tpl.id)),
                ("Title", opt(&tpl.title)),
                ("Account", opt(&tpl.account_name)),
                ("Assignee", opt(&tpl.assignee_name)),
                ("Priority id", opt(&tpl.priority_id)),
                ("Queue id", opt(&tpl.queue_id)),
                ("Type id", opt(&tpl.ticket_type_id)),
            ])?;
            let details = html::to_text(tpl.details.as_deref().unwrap_or(""));
            if details.is_empty() {
                Ok(())
            } else {
                output::text(&format!("\n{details}"))
            }
        }
        TemplatesCmd::Notes(ListOnly::List) => {
            let items = ctx.client.note_templates().await?;
            if ctx.json {
                return output::json(&items);
            }
            let mut t = Table::new(vec!["ID", "NAME", "VISIBILITY"]).flex(1);
            for i in &items {
                t.row(vec![
                    i.id.to_string(),
                    i.name.clone(),
                    match i.is_internal {
                        Some(false) => "external".into(),
                        _ => "internal".into(),
                    },
                ]);
            }
            t.print()
        }
        TemplatesCmd::Timelogs(ListOnly::List) => {
            let items = ctx.client.timelog_templates().await?;
            if ctx.json {
                return output::json(&items);
            }
            let mut t = Table::new(vec!["ID", "NAME", "HOURS", "NOTES"]).flex(3);
            for i in &items {
                t.row(vec![
                    i.id.to_string(),
                    i.name.clone(),
                    opt(&i.timespent),
                    html::to_text(i.notes.as_deref().unwrap_or("")),
                ]);
            }
            t.print()
        }
    }
}
