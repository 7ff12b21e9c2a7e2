//! `bmsdesk metrics`: the dashboard's figures for scripts and reports.

use super::args::TicketFilterArgs;
use super::context::Ctx;
use super::error::CliResult;
use super::output::{self, Table};
use super::tickets::build_filter;
use bmsdesk_core::domain::metrics::{self, NameCount, Pulse};

pub async fn run(ctx: &mut Ctx, f: TicketFilterArgs) -> CliResult<()> {
    let filter = build_filter(ctx, &f).await?;
    let rows = ctx.client.search_tickets(&filter).await?;
    let engine = ctx.sla_engine().await?;
    let states = engine.states(&rows, bmsdesk_core::clock::now());
    let m = metrics::compute(&rows, &states, engine.calendar());
    if ctx.json {
        return output::json(&m);
    }
    let pct = |v: Option<f64>| {
        v.map(|p| format!("{p:.1}%"))
            .unwrap_or_else(|| "n/a".into())
    };
    let hours = |v: Option<f64>| {
        v.map(|m| format!("{:.1} h", m / 60.0))
            .unwrap_or_else(|| "n/a".into())
    };
    output::fields(&[
        ("Tickets", m.total.to_string()),
        ("Open", m.open.to_string()),
        ("Completed", m.completed.to_string()),
        ("Paused", m.paused.to_string()),
        ("Breached", m.breached.to_string()),
        (
            "Escalated",
            format!(
                "{} (L1 {}, L2 {}, L3 {})",
                m.escalated,
                m.escalated_by_level[0],
                m.escalated_by_level[1],
                m.escalated_by_level[2]
            ),
        ),
        (
            "SLA compliance",
            format!("{} {}", pct(m.sla_compliance_pct), m.compliance_basis()),
        ),
        (
            "Avg resolution",
            format!(
                "{} ({} business)",
                hours(m.avg_resolution_minutes),
                hours(m.avg_resolution_business_minutes)
            ),
        ),
    ])?;
    for (title, counts) in [
        ("STATUS", &m.by_status),
        ("PRIORITY", &m.by_priority),
        ("ASSIGNEE (open)", &m.open_by_assignee),
        ("QUEUE (open)", &m.open_by_queue),
    ] {
        output::text("")?;
        counts_table(title, counts)?;
    }
    output::text("")?;
    let mut t = Table::new(vec![
        "QUEUE", "BREACHED", "<1H", "1-4H", "4-24H", "LATER", "PAUSED", "NONE",
    ])
    .flex(0);
    let cells = |p: &Pulse| {
        [
            p.breached,
            p.under_1h,
            p.within_4h,
            p.within_24h,
            p.later,
            p.paused,
            p.no_deadline,
        ]
        .iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
    };
    for q in &m.pulse {
        let mut row = vec![q.queue.clone()];
        row.extend(cells(&q.pulse));
        t.row(row);
    }
    let mut total = vec!["(all)".to_string()];
    total.extend(cells(&m.pulse_total));
    t.row(total);
    t.print()
}

fn counts_table(title: &'static str, counts: &[NameCount]) -> CliResult<()> {
    let max = counts.iter().map(|c| c.count).max().unwrap_or(0).max(1);
    let mut t = Table::new(vec![title, "COUNT", ""]).flex(0);
    for c in counts {
        let bar = "█".repeat((c.count * 30).div_ceil(max).min(30));
        t.row(vec![c.name.clone(), c.count.to_string(), bar]);
    }
    t.print()
}
