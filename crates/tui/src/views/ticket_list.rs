//! The ticket table. Only the rows inside the viewport are built, so a frame costs the same
//! with 100 or 100,000 tickets.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::super::app::{Focus, Model};
use super::super::fuzzy;
use super::super::list::{effective_offset, haystack};
use super::super::settings::Column;
use super::super::text::width_of;
use super::super::theme::Theme;
use super::{age, highlighted};
use bmsdesk_core::domain::sla::{DueBand, SlaState, format_deadline};

/// A column of the ticket table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    Mark,
    Number,
    Title,
    Account,
    Status,
    Priority,
    Assignee,
    Age,
    /// The nearer pending SLA deadline.
    Due,
    /// First response and resolution apart (wide lists).
    Respond,
    Resolve,
}

const DUE_W: u16 = 7;
const SPLIT_DUE_W: u16 = 8;

/// Column widths for a table `total` cells wide whose longest ticket number is `number_w`
/// wide. Numbers are never cut and the due column is always there; the title gets what is
/// left after the other columns, which shrink first (account, assignee, status, priority)
/// and then drop out (age, assignee, account, priority, status) to keep the title readable.
pub fn plan(total: u16, number_w: u16) -> Vec<(Col, u16)> {
    let title_min = (total * 3 / 10).max(16);
    let (acc, st, asg) = match total {
        140.. => (24, 14, 18),
        100.. => (18, 12, 14),
        _ => (16, 11, 12),
    };
    // (column, width, narrowest)
    let mut opt: Vec<(Col, u16, u16)> = vec![
        (Col::Account, acc, 10),
        (Col::Status, st, 9),
        (Col::Priority, 9, 8),
        (Col::Assignee, asg, 10),
        (Col::Age, 4, 4),
    ];
    let fixed = 1 + number_w.max(7) + DUE_W;
    let title_w = |opt: &[(Col, u16, u16)]| -> i32 {
        let cols = 3 + opt.len() as i32 + 1;
        total as i32 - fixed as i32 - opt.iter().map(|c| c.1 as i32).sum::<i32>() - (cols - 1)
    };
    for shrink in [Col::Account, Col::Assignee, Col::Status, Col::Priority] {
        let short = title_min as i32 - title_w(&opt);
        if short <= 0 {
            break;
        }
        if let Some(c) = opt.iter_mut().find(|c| c.0 == shrink) {
            let cut = (short as u16).min(c.1 - c.2);
            c.1 -= cut;
        }
    }
    for drop in [
        Col::Age,
        Col::Assignee,
        Col::Account,
        Col::Priority,
        Col::Status,
    ] {
        if title_w(&opt) >= title_min as i32 {
            break;
        }
        opt.retain(|c| c.0 != drop);
    }
    let mut title = title_w(&opt).max(1) as u16;
    let split =
        title as i32 - (2 * SPLIT_DUE_W as i32 + 1 - DUE_W as i32) >= (title_min as i32).max(40);
    let mut out = vec![(Col::Mark, 1), (Col::Number, number_w.max(7))];
    out.push((Col::Title, 0));
    for (c, w, _) in &opt {
        if *c != Col::Age {
            out.push((*c, *w));
        }
    }
    if opt.iter().any(|c| c.0 == Col::Age) {
        out.push((Col::Age, 4));
    }
    if split {
        title -= 2 * SPLIT_DUE_W + 1 - DUE_W;
        out.push((Col::Respond, SPLIT_DUE_W));
        out.push((Col::Resolve, SPLIT_DUE_W));
    } else {
        out.push((Col::Due, DUE_W));
    }
    out[2].1 = title;
    out
}

fn due_style(t: &Theme, breached: bool, soon: bool, quiet: bool) -> Style {
    if breached {
        t.error
    } else if soon {
        t.warn
    } else if quiet {
        t.dim
    } else {
        Style::default()
    }
}

/// Text and style of the due cell(s) of a row.
fn due_cells(t: &Theme, s: Option<&SlaState>, col: Col) -> (String, Style) {
    let Some(s) = s else {
        return (String::new(), t.dim);
    };
    match col {
        Col::Respond | Col::Resolve => {
            let d = if col == Col::Respond {
                &s.first_response
            } else {
                &s.resolution
            };
            let soon = d.is_pending() && !s.paused && d.remaining_minutes.is_some_and(|m| m < 60);
            let quiet = s.paused || d.met.is_some() || d.remaining_minutes.is_none();
            (
                format_deadline(d, s.paused && d.met.is_none()),
                due_style(t, d.is_breached(), soon, quiet),
            )
        }
        _ => {
            let band = s.band();
            (
                s.column(),
                due_style(
                    t,
                    band == DueBand::Breached || (s.stopped && s.verdict() == Some(false)),
                    band == DueBand::Under1h,
                    matches!(
                        band,
                        DueBand::Paused | DueBand::Stopped | DueBand::NoDeadline
                    ),
                ),
            )
        }
    }
}

pub fn render(m: &Model, f: &mut Frame, area: Rect) {
    let t = &m.theme;
    let list = &m.list;
    let height = area.height.saturating_sub(1) as usize;
    let vis = list.visible();
    let offset = effective_offset(list.offset, list.sel, height, vis.len());
    let end = (offset + height).min(vis.len());
    let number_w = vis[offset..end]
        .iter()
        .map(|&i| width_of(&list.rows[i as usize].ticket_number) as u16)
        .max()
        .unwrap_or(0);
    let cols = plan(area.width, number_w);

    let arrow = |c: Column| {
        if list.sort.column == c {
            if list.sort.desc { "▼" } else { "▲" }
        } else {
            ""
        }
    };
    let header = Row::new(cols.iter().map(|&(c, _)| {
        let (h, sort) = match c {
            Col::Mark => ("", None),
            Col::Number => ("Number", Some(Column::Number)),
            Col::Title => ("Title", Some(Column::Title)),
            Col::Account => ("Account", Some(Column::Account)),
            Col::Status => ("Status", Some(Column::Status)),
            Col::Priority => ("Priority", Some(Column::Priority)),
            Col::Assignee => ("Assignee", Some(Column::Assignee)),
            Col::Age => ("Age", Some(Column::Age)),
            Col::Due => ("Due in", Some(Column::Due)),
            Col::Respond => ("Respond", Some(Column::Due)),
            Col::Resolve => ("Resolve", None),
        };
        Cell::from(format!("{h}{}", sort.map(arrow).unwrap_or("")))
    }))
    .style(t.header);
    let widths: Vec<Constraint> = cols.iter().map(|&(_, w)| Constraint::Length(w)).collect();

    if vis.is_empty() {
        let msg = if list.loading {
            "Loading tickets…".to_string()
        } else if !list.query.is_empty() {
            format!("No ticket matches “{}”", list.query)
        } else {
            "No tickets in this view".to_string()
        };
        let table = Table::new(Vec::<Row>::new(), widths)
            .header(header)
            .column_spacing(1);
        f.render_widget(table, area);
        if area.height > 2 {
            let r = Rect::new(area.x + 1, area.y + 2, area.width.saturating_sub(2), 1);
            f.render_widget(Paragraph::new(Span::styled(msg, t.dim)), r);
        }
        return;
    }

    let focused = m.focus == Focus::List || m.wide();
    let mut rows = Vec::with_capacity(end - offset);
    for (pos, &ri) in vis[offset..end].iter().enumerate() {
        let r = &list.rows[ri as usize];
        let sla = list.sla.get(ri as usize);
        let selected = offset + pos == list.sel;
        let marked = list.marked.contains(&r.id);
        let base = if marked { t.marked } else { Style::default() };
        let matched = match &list.pattern {
            Some(p) if !list.query.is_empty() => fuzzy::indices(p, &haystack(r)),
            _ => Vec::new(),
        };
        let n_num = r.ticket_number.chars().count() as u32 + 1;
        let n_title = r.title.chars().count() as u32 + 1;
        let account = r.account_name.as_deref().unwrap_or("");
        let n_acc = account.chars().count() as u32 + 1;
        let assignee = r.assignee_name.as_deref().unwrap_or("");
        let cell = |text: &str, width: u16, base_idx: u32, style: Style| {
            Cell::from(Line::from(highlighted(
                text,
                width as usize,
                &matched,
                base_idx,
                style,
                t.matched,
            )))
        };
        let prio_style = match r.priority_id.and_then(|p| list.priority_rank.get(&p)) {
            Some(0) => base.patch(t.priority_high),
            _ => base,
        };
        let cells = cols.iter().map(|&(c, w)| match c {
            Col::Mark => match m.outbox.ticket_state(r.id) {
                // A write for this ticket waits in the outbox (or was refused).
                Some(bmsdesk_core::store::outbox::ItemState::Pending) => {
                    Cell::from(Span::styled("⧗", t.warn))
                }
                Some(bmsdesk_core::store::outbox::ItemState::Conflict) => {
                    Cell::from(Span::styled("!", t.error))
                }
                None => Cell::from(if marked { "●" } else { " " }),
            },
            Col::Number => cell(&r.ticket_number, w, 0, base),
            Col::Title => cell(&r.title, w, n_num, base),
            Col::Account => cell(account, w, n_num + n_title, base),
            Col::Status => cell(
                r.status_name.as_deref().unwrap_or(""),
                w,
                u32::MAX / 2,
                base,
            ),
            Col::Priority => cell(
                r.priority_name.as_deref().unwrap_or(""),
                w,
                u32::MAX / 2,
                prio_style,
            ),
            Col::Assignee => cell(
                assignee,
                w,
                n_num + n_title + n_acc,
                if assignee.is_empty() { t.dim } else { base },
            ),
            Col::Age => Cell::from(Span::styled(
                age(m.now, r.open_date.or(r.created_on)),
                t.dim,
            )),
            Col::Due | Col::Respond | Col::Resolve => {
                let (text, style) = due_cells(t, sla, c);
                Cell::from(Span::styled(text, style))
            }
        });
        let mut row = Row::new(cells);
        if selected {
            row = row.style(if focused {
                t.selected
            } else {
                t.selected_unfocused
            });
        }
        rows.push(row);
    }
    let table = Table::new(rows, widths).header(header).column_spacing(1);
    f.render_widget(table, area);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn widths(total: u16, number_w: u16) -> Vec<(Col, u16)> {
        let p = plan(total, number_w);
        let used: u16 = p.iter().map(|c| c.1).sum::<u16>() + p.len() as u16 - 1;
        assert!(used <= total, "{total}: {p:?} uses {used}");
        p
    }

    fn has(p: &[(Col, u16)], c: Col) -> bool {
        p.iter().any(|x| x.0 == c)
    }

    #[test]
    fn numbers_whole_due_always_title_gets_the_room() {
        for total in [40, 60, 69, 80, 92, 100, 116, 140, 200, 300] {
            let p = widths(total, 14);
            let w = |c: Col| p.iter().find(|x| x.0 == c).map(|x| x.1);
            assert_eq!(w(Col::Number), Some(14), "{total}: whole numbers");
            assert!(
                has(&p, Col::Due) || has(&p, Col::Respond),
                "{total}: due shown"
            );
            if total >= 60 {
                assert!(w(Col::Title).unwrap() >= 16, "{total}: {p:?}");
            }
        }
        // The list beside the detail pane at 120 columns: account and assignee give way.
        let p = widths(69, 14);
        assert!(has(&p, Col::Status) && has(&p, Col::Priority));
        assert!(!has(&p, Col::Assignee) && !has(&p, Col::Account), "{p:?}");
        // 80 columns: the account stays, at its narrowest.
        let p = widths(80, 14);
        assert!(p.contains(&(Col::Account, 10)), "{p:?}");
        // Wide: everything, and both deadlines apart.
        let p = widths(300, 14);
        assert!(has(&p, Col::Assignee) && has(&p, Col::Age));
        assert!(has(&p, Col::Respond) && has(&p, Col::Resolve) && !has(&p, Col::Due));
    }
}
