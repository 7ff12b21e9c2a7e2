//! `bmsdesk time …`

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike};

use super::args::{TimeAddArgs, TimeCmd};
use super::context::Ctx;
use super::error::{CliResult, usage};
use super::output::{self, Table, opt};
use super::resolve::resolve;
use bmsdesk_core::domain::timelog::{self, TimeEntry};
use bmsdesk_core::lookups::LookupKind;
use bmsdesk_core::model::Id;
use bmsdesk_core::text::html;

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
                    l.start_date.map(|d| d.to_string()).unwrap_or_default(),
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

/// Start and end of the entry from whichever of --start/--end/--minutes were given, on `date`
/// (the start's day). An end earlier than the start is on the next day: 23:30-00:30 is an
/// hour across midnight.
pub fn span(
    date: NaiveDate,
    start: Option<NaiveTime>,
    end: Option<NaiveTime>,
    minutes: Option<u32>,
    now: NaiveDateTime,
) -> CliResult<(NaiveDateTime, NaiveDateTime)> {
    let trim = |t: NaiveTime| t.with_nanosecond(0).unwrap_or(t);
    let at = |t: NaiveTime| date.and_time(trim(t));
    let now = now.with_nanosecond(0).unwrap_or(now);
    let dur = minutes.map(|m| TimeDelta::minutes(m as i64));
    let after = |s: NaiveDateTime, e: NaiveTime| {
        let e = at(e);
        if e <= s { e + TimeDelta::days(1) } else { e }
    };
    let (s, e) = match (start, end, dur) {
        (Some(s), Some(e), _) => (at(s), after(at(s), e)),
        (Some(s), None, Some(d)) => (at(s), at(s) + d),
        (Some(s), None, None) => (at(s), now),
        (None, Some(e), Some(d)) => (at(e) - d, at(e)),
        (None, None, Some(d)) => (now - d, now),
        (None, _, None) => return Err(usage("give --start (and --end) or --minutes")),
    };
    if e <= s {
        return Err(usage("the end must be after the start"));
    }
    if e - s > TimeDelta::minutes(timelog::MAX_ENTRY_MINUTES) {
        return Err(usage(format!(
            "{}–{} is {} h; check --start and --end (at most {} h at once)",
            s.format("%Y-%m-%d %H:%M"),
            e.format("%Y-%m-%d %H:%M"),
            (e - s).num_minutes() / 60,
            timelog::MAX_ENTRY_MINUTES / 60
        )));
    }
    Ok((s, e))
}

async fn default_item(ctx: &mut Ctx, kind: LookupKind) -> CliResult<Option<Id>> {
    let items = ctx.lookup_or_empty(kind).await?;
    Ok(timelog::default_item(&items))
}

async fn add(ctx: &mut Ctx, a: TimeAddArgs) -> CliResult<()> {
    let now = bmsdesk_core::clock::local_now();
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
    let (start, end) = span(date, start, end, a.minutes, now.naive_local())?;
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
    // The span is the laptop's wall clock; the server's is the tenant's.
    let zone = ctx.client.tenant_zone().await?;
    let on_server = |n| zone.to_naive(bmsdesk_core::clock::from_local(n));
    let (start, end) = (on_server(start), on_server(end));
    // The API takes one day per entry: a span across midnight is one entry per day.
    let parts = timelog::day_parts(start, end);
    let mut logged = Vec::new();
    for (n, (day, from, to)) in parts.iter().enumerate() {
        let entry = TimeEntry {
            date: *day,
            start: *from,
            end: *to,
            work_type_id,
            role_id,
            notes: a.notes.clone(),
            internal_notes: a.internal_notes.clone(),
            user_id: Some(me.user_id),
            template: template.as_ref(),
        };
        let hours = entry.hours();
        let input = entry.input().map_err(|e| usage(e.to_string()))?;
        let written = ctx
            .write(bmsdesk_core::actions::WriteOp::AddTimeLog {
                ticket_id: a.ticket,
                input: input.clone(),
            })
            .await;
        let log = match written {
            Ok(r) => r.time_log().ok_or_else(|| {
                bmsdesk_core::error::ApiError::Decode("the server returned no time log".into())
            })?,
            Err(e) if n > 0 => {
                output::note(format!(
                    "the entry for {} was logged; the one for {day} was not",
                    parts[0].0
                ));
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        if !ctx.json {
            output::text(&format!(
                "logged {:.2} h on ticket {} ({day} {}–{}, time log {})",
                hours, a.ticket, input.start_time, input.end_time, log.id
            ))?;
        }
        logged.push(log);
    }
    if ctx.json {
        // One entry as before; several (across midnight) as a list.
        return match logged.as_slice() {
            [one] => output::json(one),
            all => output::json(&all),
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn spans() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 5).unwrap();
        let on = |d: &NaiveDate, h, m| d.and_time(t(h, m));
        let next = day.succ_opt().unwrap();
        let now = on(&day, 15, 0);
        assert_eq!(
            span(day, Some(t(9, 0)), Some(t(9, 30)), None, now).unwrap(),
            (on(&day, 9, 0), on(&day, 9, 30))
        );
        assert_eq!(
            span(day, Some(t(9, 0)), None, Some(45), now).unwrap(),
            (on(&day, 9, 0), on(&day, 9, 45))
        );
        assert_eq!(
            span(day, None, None, Some(30), now).unwrap(),
            (on(&day, 14, 30), on(&day, 15, 0))
        );
        assert_eq!(
            span(day, None, Some(t(12, 0)), Some(60), now).unwrap(),
            (on(&day, 11, 0), on(&day, 12, 0))
        );
        // Across midnight: an end before the start is the next day.
        assert_eq!(
            span(day, Some(t(23, 30)), Some(t(0, 30)), None, now).unwrap(),
            (on(&day, 23, 30), on(&next, 0, 30))
        );
        let just_after = on(&next, 0, 20);
        assert_eq!(
            span(next, None, None, Some(50), just_after).unwrap(),
            (on(&day, 23, 30), on(&next, 0, 20))
        );
        assert!(span(day, None, None, None, now).is_err());
        assert!(
            span(day, Some(t(16, 0)), None, None, now).is_err(),
            "starts after now"
        );
        let swapped = span(day, Some(t(10, 0)), Some(t(9, 0)), None, now).unwrap_err();
        assert!(
            swapped.to_string().contains("check --start and --end"),
            "{swapped}"
        );
    }
}
