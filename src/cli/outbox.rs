//! `bmsdesk outbox list | retry [ID] | drop ID`: writes that wait to reach BMS.

use bmsdesk_bms::ProfileExt;
use serde_json::{Value, json};

use super::args::{GlobalOpts, OutboxCmd};
use super::context::{Ctx, load_profile};
use super::error::{CliError, CliResult};
use super::output::{self, Table, when};
use bmsdesk_bms::client::Client;
use bmsdesk_core::actions::{Actions, WriteResult};
use bmsdesk_core::config::Profile;
use bmsdesk_core::retry::worth_keeping;
use bmsdesk_core::store::audit::AuditLog;
use bmsdesk_core::store::drafts::DraftStore;
use bmsdesk_core::store::outbox::{ItemState, Outbox, OutboxItem};
use bmsdesk_core::{error::ApiError, error::ApiResult};

pub async fn run(global: &GlobalOpts, cmd: OutboxCmd) -> CliResult<()> {
    match cmd {
        OutboxCmd::List => list(global),
        OutboxCmd::Retry { id } => retry(global, id).await,
        OutboxCmd::Drop { id } => drop_item(global, id).await,
    }
}

fn state_name(item: &OutboxItem) -> &'static str {
    match item.state {
        ItemState::Pending => "pending",
        ItemState::Conflict => "conflict",
    }
}

/// An item as `--json` shows it.
pub fn item_json(item: &OutboxItem) -> Value {
    json!({
        "id": item.seq,
        "state": state_name(item),
        "operation": item.op.summary(),
        "command": item.op.command(),
        "ticket_id": item.op.ticket_id(),
        "created_at": item.created_at,
        "attempts": item.attempts,
        "last_attempt_at": item.last_attempt_at,
        "last_error": item.last_error,
        "maybe_sent": item.maybe_sent,
        "op": item.op,
    })
}

fn list(global: &GlobalOpts) -> CliResult<()> {
    let (_, profile) = load_profile(global)?;
    let items = Outbox::new(profile.outbox_dir()).list();
    if global.json {
        return output::json(&items.iter().map(item_json).collect::<Vec<_>>());
    }
    if items.is_empty() {
        output::note("the outbox is empty: every write has reached BMS");
        return Ok(());
    }
    let mut t = Table::new(vec![
        "ID",
        "QUEUED",
        "STATE",
        "TRIES",
        "OPERATION",
        "LAST ERROR",
    ])
    .flex(4);
    for i in &items {
        t.row(vec![
            i.seq.to_string(),
            when(Some(i.created_at)),
            state_name(i).into(),
            i.attempts.to_string(),
            i.op.summary(),
            i.last_error.clone().unwrap_or_default(),
        ]);
    }
    t.print()?;
    let pending = items.iter().filter(|i| i.is_pending()).count();
    output::note(format!(
        "{pending} pending, {} conflict(s); `bmsdesk outbox retry` sends, `bmsdesk outbox drop ID` removes",
        items.len() - pending
    ));
    Ok(())
}

fn status_of(result: &ApiResult<WriteResult>) -> &'static str {
    match result {
        Ok(_) => "delivered",
        Err(e) if worth_keeping(e) => "pending",
        Err(_) => "conflict",
    }
}

async fn retry(global: &GlobalOpts, id: Option<u64>) -> CliResult<()> {
    let ctx = Ctx::open(global).await?;
    let outbox = ctx
        .actions
        .outbox()
        .cloned()
        .ok_or_else(|| CliError::Local("no outbox".into()))?;
    let before: Vec<OutboxItem> = outbox.list();
    let results: Vec<(u64, ApiResult<WriteResult>)> = match id {
        Some(seq) => match ctx.actions.retry_outbox_item(seq).await {
            Err(ApiError::Invalid(m)) => return Err(super::error::usage(m)),
            r => vec![(seq, r)],
        },
        None => {
            let r = ctx.actions.flush_outbox().await;
            if r.is_empty() && !outbox.pending().is_empty() {
                return Err(CliError::Local(
                    "another bmsdesk is sending the outbox right now; try again in a moment".into(),
                ));
            }
            r
        }
    };
    let summary = |seq: u64| {
        before
            .iter()
            .find(|i| i.seq == seq)
            .map(|i| i.op.summary())
            .unwrap_or_default()
    };
    let remaining = outbox.list();
    if ctx.json {
        let rows: Vec<Value> = results
            .iter()
            .map(|(seq, r)| {
                json!({
                    "id": seq,
                    "operation": summary(*seq),
                    "status": status_of(r),
                    "result": r.as_ref().ok(),
                    "error": r.as_ref().err().map(|e| e.to_string()),
                })
            })
            .collect();
        output::json(&json!({
            "results": rows,
            "remaining": remaining.iter().map(item_json).collect::<Vec<_>>(),
        }))?;
    } else if results.is_empty() {
        output::note("nothing pending in the outbox");
    } else {
        for (seq, r) in &results {
            let line = match r {
                Ok(_) => format!("outbox item {seq} delivered: {}", summary(*seq)),
                Err(e) if worth_keeping(e) => {
                    format!("outbox item {seq} still pending ({e}): {}", summary(*seq))
                }
                Err(e) => format!(
                    "outbox item {seq} refused by the server ({e}); kept as a conflict: {} — `bmsdesk outbox drop {seq}` removes it",
                    summary(*seq)
                ),
            };
            output::text(&line)?;
        }
    }
    let failed: Vec<&(u64, ApiResult<WriteResult>)> =
        results.iter().filter(|(_, r)| r.is_err()).collect();
    match failed.first() {
        None => Ok(()),
        Some((seq, Err(e))) => {
            let waiting = remaining.iter().filter(|i| i.is_pending()).count();
            Err(CliError::Local(format!(
                "outbox item {seq} was not delivered ({e}); {waiting} pending, {} conflict(s) remain",
                remaining.len() - waiting
            )))
        }
        Some(_) => Ok(()),
    }
}

/// Actions that only touch local files: the outbox and the audit log (no sign-in needed).
fn offline_actions(profile: &Profile) -> CliResult<Actions> {
    let client = Client::new(profile.client_options(None))?;
    let audit = AuditLog::new(profile.audit_dir.clone())
        .with_secrets(profile.known_secrets())
        .with_profile(profile.name.clone());
    Ok(Actions::new(client, Some(audit))
        .with_outbox(Outbox::new(profile.outbox_dir()))
        .with_drafts(DraftStore::new(profile.drafts_dir())))
}

async fn drop_item(global: &GlobalOpts, id: u64) -> CliResult<()> {
    let (_, profile) = load_profile(global)?;
    let actions = offline_actions(&profile)?;
    let item = match actions.drop_outbox_item(id).await {
        Err(ApiError::Invalid(m)) => return Err(super::error::usage(m)),
        other => other?,
    };
    if global.json {
        return output::json(&json!({"dropped": item_json(&item)}));
    }
    output::text(&format!("dropped outbox item {id}: {}", item.op.summary()))?;
    if item.maybe_sent {
        output::note(format!(
            "it may have reached BMS before the connection failed{}; check there",
            item.op
                .ticket_id()
                .map(|t| format!(" (ticket {t})"))
                .unwrap_or_default()
        ));
    }
    Ok(())
}
