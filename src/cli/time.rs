//! `bmsdesk time …`

use chrono::{NaiveDate, NaiveTime, Timelike};

use super::args::{TimeAddArgs, TimeCmd};
use super::context::Ctx;
use super::error::{CliResult, usage};
use super::output::{self, Table, opt, when};
use super::resolve::resolve;
use crate::api::LookupKind;
use crate::api::model::Id;
use crate::domain::html;
use crate::domain::timelog::{self, TimeEntry};

pub async fn run(ctx: &mut Ctx, cmd: TimeCmd) -> CliResult<()> {
    match cmd {
        TimeCmd::List { ticket } => {
            let logs = ctx.client.time_logs(ticket).await?;
            if ctx.json {
                return output::json(&logs);
            }
            if logs.is_empty() {
                output::note("no time logged");
                return Ok(());
            }
            let mut t = Table::new(vec![
                "ID",
                "DATE",
                "FROM",
                "TO",
                "HOURS",
                "BY",
                "WORK TYPE",
                "NOTES",
            ])
            .flex(7);
            let mut total = 0.0;
            for l in &logs {
                total += l.timespent.unwrap_or(0.0);
                t.row(vec![
                    l.id.to_string(),
                    when(l.start_date).chars().take(10).collect(),
                    opt(&l.start_time),
                    opt(&l.end_time),
                    l.timespent.map(|h| format!("{h:.2}")).unwrap_or_default(),
                    opt(&l.employee_name),
                    opt(&l.work_type_name),
                    html::to_text(l.notes.as_deref().unwrap_or("")),
                ]);
            }
            t.print()?;
            output::note(format!("total {total:.2} h"));
            Ok(())
        }
        TimeCmd::Add(a) => add(ctx, a).await,
    }
}

fn parse_hm(what: &str, s: &str) -> CliResult<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M")
        .or_else(|_| NaiveTime::parse_from_str(s.trim(), "%H:%M:%S"))
        .map_err(|_| usage(format!("{what} {s:?} is not a time (use HH:MM)")))
}

/// Start and end of the entry from whichever of --start/--end/--minutes were given.
pub fn span(
    start: Option<NaiveTime>,
    end: Option<NaiveTime>,
    minutes: Option<u32>,
    now: NaiveTime,
) -> CliResult<(NaiveTime, NaiveTime)> {
    let dur = minutes.map(|m| chrono::Duration::minutes(m as i64));
    let (s, e) = match (start, end, dur) {
        (Some(s), Some(e), _) => (s, e),
        (Some(s), None, Some(d)) => (s, s + d),
        (Some(s), None, None) => (s, now),
        (None, Some(e), Some(d)) => (e - d, e),
        (None, None, Some(d)) => (now - d, now),
        (None, _, None) => return Err(usage("give --start (and --end) or --minutes")),
    };
    if e <= s {
        return Err(usage(
            "the end must be after the start (split entries that cross midnight)",
        ));
    }
    Ok((
        s.with_nanosecond(0).unwrap_or(s),
        e.with_nanosecond(0).unwrap_or(e),
    ))
}

async fn default_item(ctx: &mut Ctx, kind: LookupKind) -> CliResult<Option<Id>> {
    let items = ctx.lookup_or_empty(kind).await?;
    Ok(timelog::default_item(&items))
}

async fn add(ctx: &mut Ctx, a: TimeAddArgs) -> CliResult<()> {
    let now = chrono::Local::now();
    let date = match &a.date {
        Some(d) => NaiveDate::parse_from_str(d, "%Y-%m-%d")
            .map_err(|_| usage(format!("--date {d:?} is not a date (YYYY-MM-DD)")))?,
        None => now.date_naive(),
    };
    let start = a
        .start
        .as_deref()
        .map(|s| parse_hm("--start", s))
        .transpose()?;
    let end = a.end.as_deref().map(|s| parse_hm("--end", s)).transpose()?;
    let (start, end) = span(start, end, a.minutes, now.time())?;
    let template = match &a.template {
        Some(t) => {
            let templates = ctx.client.timelog_templates().await?;
            let id = resolve("time-log template", t, &templates)?.id;
            templates.into_iter().find(|x| x.id == id)
        }
        None => None,
    };
    let work_type_id = match &a.work_type {
        Some(w) => Some(ctx.resolve_lookup(LookupKind::WorkTypes, w).await?.id),
        None => match template.as_ref().and_then(|t| t.work_type_id) {
            Some(id) => Some(id),
            None => default_item(ctx, LookupKind::WorkTypes).await?,
        },
    };
    let role_id = match &a.role {
        Some(r) => Some(ctx.resolve_lookup(LookupKind::Roles, r).await?.id),
        None => match template.as_ref().and_then(|t| t.role_id) {
            Some(id) => Some(id),
            None => default_item(ctx, LookupKind::Roles).await?,
        },
    };
    if work_type_id.is_none() || role_id.is_none() {
        return Err(usage(
            "a time log needs a work type and a role: pass --work-type and --role",
        ));
    }
    let me = ctx.me().await?;
    let entry = TimeEntry {
        date,
        start,
        end,
        work_type_id,
        role_id,
        notes: a.notes.clone(),
        internal_notes: a.internal_notes.clone(),
        user_id: Some(me.user_id),
        template: template.as_ref(),
    };
    let hours = entry.hours();
    let input = entry.input().map_err(|e| usage(e.to_string()))?;
    let log = ctx
        .write(crate::actions::WriteOp::AddTimeLog {
            ticket_id: a.ticket,
            input: input.clone(),
        })
        .await?
        .time_log()
        .ok_or_else(|| crate::api::ApiError::Decode("the server returned no time log".into()))?;
    if ctx.json {
        return output::json(&log);
    }
    output::text(&format!(
        "logged {:.2} h on ticket {} ({}–{}, time log {})",
        hours, a.ticket, input.start_time, input.end_time, log.id
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn spans() {
        let now = t(15, 0);
        assert_eq!(
            span(Some(t(9, 0)), Some(t(9, 30)), None, now).unwrap(),
            (t(9, 0), t(9, 30))
        );
        assert_eq!(
            span(Some(t(9, 0)), None, Some(45), now).unwrap(),
            (t(9, 0), t(9, 45))
        );
        assert_eq!(
            span(None, None, Some(30), now).unwrap(),
            (t(14, 30), t(15, 0))
        );
        assert_eq!(
            span(None, Some(t(12, 0)), Some(60), now).unwrap(),
            (t(11, 0), t(12, 0))
        );
        assert!(span(None, None, None, now).is_err());
        assert!(span(Some(t(10, 0)), Some(t(9, 0)), None, now).is_err());
    }
}
