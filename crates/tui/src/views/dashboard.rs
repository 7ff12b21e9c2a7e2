//! The dashboard (`D`): the figures of `bmsdesk metrics` for the tickets of the current view —
//! headline SLA numbers, the per-queue SLA pulse, and status / priority / assignee bars.
//! Reads the metrics the model computed; draws at 80x24 and up.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};

use super::super::app::Model;
use super::super::text::{truncate, width_of};
use bmsdesk_core::domain::metrics::{Metrics, NameCount, Pulse};
use bmsdesk_core::text::thousands;

fn section<'a>(m: &Model, title: String) -> Block<'a> {
    Block::default()
        .borders(Borders::TOP)
        .border_style(m.theme.border)
        .title(Span::styled(title, m.theme.title))
}

pub fn render(m: &Model, f: &mut Frame, area: Rect) {
    let t = &m.theme;
    let view = &m.current_view().name;
    let Some(x) = m.dashboard.as_ref().and_then(|d| d.metrics.as_ref()) else {
        f.render_widget(
            Paragraph::new(Span::styled("Computing…", t.dim))
                .block(section(m, " Dashboard ".into())),
            area,
        );
        return;
    };
    let title = format!(
        " Dashboard · {view} · {} ticket{}{} ",
        thousands(x.total as u64),
        if x.total == 1 { "" } else { "s" },
        if m.list.loading { " (loading…)" } else { "" }
    );
    if x.total == 0 {
        let msg = if m.list.loading {
            "Loading tickets…"
        } else {
            "No tickets in this view"
        };
        f.render_widget(
            Paragraph::new(Span::styled(msg, t.dim)).block(section(m, title)),
            area,
        );
        return;
    }
    let pulse_rows = (x.pulse.len() as u16 + 3).min(area.height.saturating_sub(8).max(4));
    let [head, pulse, charts] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(pulse_rows),
        Constraint::Min(0),
    ])
    .areas(area);
    render_head(m, x, title, f, head);
    render_pulse(m, x, f, pulse);
    let n: u16 = if charts.width >= 60 { 3 } else { 2 };
    // Bars wider than this are no easier to read.
    let col_w = (charts.width.saturating_sub(n - 1) / n).min(64);
    let cols = Layout::horizontal(vec![Constraint::Length(col_w); n as usize])
        .spacing(1)
        .split(charts);
    bars(m, " Status ", &x.by_status, f, cols[0]);
    bars(m, " Priority ", &x.by_priority, f, cols[1]);
    if n == 3 {
        bars(m, " Load (open) ", &x.open_by_assignee, f, cols[2]);
    }
}

fn render_head(m: &Model, x: &Metrics, title: String, f: &mut Frame, area: Rect) {
    let t = &m.theme;
    let num = |n: usize, style: Style| Span::styled(thousands(n as u64), style);
    let label = |s: &str| Span::styled(s.to_string(), t.label);
    let alarm = |n: usize| if n > 0 { t.error } else { t.ok };
    let pct = x
        .sla_compliance_pct
        .map(|p| format!("{p:.1}%"))
        .unwrap_or_else(|| "n/a".into());
    let hours = |v: Option<f64>| {
        v.map(|m| format!("{:.1} h", m / 60.0))
            .unwrap_or_else(|| "n/a".into())
    };
    let l1 = Line::from(vec![
        label("Open "),
        num(x.open, t.base),
        label("  Breached "),
        num(x.breached, alarm(x.breached)),
        label("  Escalated "),
        num(x.escalated, alarm(x.escalated)),
        Span::styled(
            format!(
                " (L1 {} · L2 {} · L3 {})",
                x.escalated_by_level[0], x.escalated_by_level[1], x.escalated_by_level[2]
            ),
            t.dim,
        ),
        label("  Paused "),
        num(x.paused, t.base),
    ]);
    let mut l2 = vec![
        label("SLA compliance "),
        Span::styled(
            pct,
            match x.sla_compliance_pct {
                Some(p) if p < 90.0 => t.warn,
                Some(_) => t.ok,
                None => t.dim,
            },
        ),
        Span::styled(format!(" {}", x.compliance_basis()), t.dim),
        label("  Done "),
        num(x.completed, t.base),
    ];
    if x.avg_resolution_minutes.is_some() {
        l2.push(label(", avg "));
        l2.push(Span::raw(hours(x.avg_resolution_minutes)));
        l2.push(Span::styled(
            format!(" ({} business)", hours(x.avg_resolution_business_minutes)),
            t.dim,
        ));
    }
    let l2 = Line::from(l2);
    f.render_widget(Paragraph::new(vec![l1, l2]).block(section(m, title)), area);
}

fn render_pulse(m: &Model, x: &Metrics, f: &mut Frame, area: Rect) {
    let t = &m.theme;
    let heads = [
        "Open", "Breached", "<1h", "1-4h", "4-24h", "Later", "Paused", "None",
    ];
    let cells = |p: &Pulse| {
        [
            p.total(),
            p.breached,
            p.under_1h,
            p.within_4h,
            p.within_24h,
            p.later,
            p.paused,
            p.no_deadline,
        ]
    };
    let style_of = |i: usize, n: usize| match (i, n) {
        (_, 0) => t.dim,
        (1, _) => t.error,
        (2, _) => t.warn,
        _ => Style::default(),
    };
    let row = |name: &str, p: &Pulse, bold: bool| {
        let mut v = vec![Cell::from(Span::styled(
            name.to_string(),
            if bold { t.header } else { t.base },
        ))];
        v.extend(cells(p).iter().enumerate().map(|(i, &n)| {
            Cell::from(Line::from(Span::styled(n.to_string(), style_of(i, n))).right_aligned())
        }));
        Row::new(v)
    };
    // Header, total and the block's title take three rows.
    let room = (area.height as usize).saturating_sub(3);
    let mut rows: Vec<Row> = Vec::new();
    let shown = if x.pulse.len() > room {
        room.saturating_sub(1)
    } else {
        x.pulse.len()
    };
    for q in &x.pulse[..shown] {
        rows.push(row(&q.queue, &q.pulse, false));
    }
    if shown < x.pulse.len() {
        let mut rest = Pulse::default();
        for q in &x.pulse[shown..] {
            let p = &q.pulse;
            rest.breached += p.breached;
            rest.under_1h += p.under_1h;
            rest.within_4h += p.within_4h;
            rest.within_24h += p.within_24h;
            rest.later += p.later;
            rest.paused += p.paused;
            rest.no_deadline += p.no_deadline;
        }
        rows.push(row(
            &format!("+{} more queues", x.pulse.len() - shown),
            &rest,
            false,
        ));
    }
    rows.push(row("All queues", &x.pulse_total, true));
    let num_w: Vec<u16> = heads.iter().map(|h| h.len().max(5) as u16).collect();
    let names_w = x
        .pulse
        .iter()
        .map(|q| width_of(&q.queue))
        .chain([16])
        .max()
        .unwrap_or(16)
        .min(32) as u16;
    let table_w = names_w + num_w.iter().sum::<u16>() + num_w.len() as u16;
    let area = Rect {
        width: area.width.min(table_w),
        ..area
    };
    let mut widths = vec![Constraint::Fill(1)];
    widths.extend(num_w.iter().map(|&w| Constraint::Length(w)));
    let mut header = vec![Cell::from("Queue")];
    header.extend(
        heads
            .iter()
            .map(|h| Cell::from(Line::from(*h).right_aligned())),
    );
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(t.header))
        .column_spacing(1)
        .block(section(
            m,
            " SLA pulse (open, business time to breach) ".into(),
        ));
    f.render_widget(table, area);
}

/// Horizontal bars: name, bar, count; the longest bar fills the width.
fn bars(m: &Model, title: &str, items: &[NameCount], f: &mut Frame, area: Rect) {
    let t = &m.theme;
    let block = section(m, title.to_string());
    let inner = block.inner(area);
    f.render_widget(block, area);
    let rows = inner.height as usize;
    if rows == 0 || inner.width < 8 {
        return;
    }
    if items.is_empty() {
        f.render_widget(Paragraph::new(Span::styled("none", t.dim)), inner);
        return;
    }
    let shown = if items.len() > rows {
        rows.saturating_sub(1)
    } else {
        items.len()
    };
    let max = items.iter().map(|c| c.count).max().unwrap_or(1).max(1);
    let count_w = thousands(max as u64).len();
    let w = inner.width as usize;
    let name_w = items[..shown]
        .iter()
        .map(|c| width_of(&c.name))
        .max()
        .unwrap_or(0)
        .min(w / 2)
        .max(4);
    let bar_w = w.saturating_sub(name_w + count_w + 2);
    let mut lines: Vec<Line> = items[..shown]
        .iter()
        .map(|c| {
            let len = if c.count == 0 {
                0
            } else {
                (c.count * bar_w).div_ceil(max).max(1)
            };
            Line::from(vec![
                Span::raw(format!("{:<name_w$} ", truncate(&c.name, name_w))),
                Span::styled("█".repeat(len), t.bar),
                Span::raw(" ".repeat(bar_w - len.min(bar_w) + 1)),
                Span::raw(format!("{:>count_w$}", thousands(c.count as u64))),
            ])
        })
        .collect();
    if shown < items.len() {
        let rest: usize = items[shown..].iter().map(|c| c.count).sum();
        lines.push(Line::from(Span::styled(
            format!("+{} more ({})", items.len() - shown, thousands(rest as u64)),
            t.dim,
        )));
    }
    f.render_widget(Paragraph::new(lines), inner);
}
