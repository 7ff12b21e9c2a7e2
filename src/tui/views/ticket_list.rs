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
use super::{age, highlighted};

struct Widths {
    number: u16,
    account: u16,
    status: u16,
    priority: u16,
    assignee: u16,
    age: u16,
}

fn widths(total: u16) -> Widths {
    if total >= 140 {
        Widths {
            number: 10,
            account: 24,
            status: 14,
            priority: 10,
            assignee: 18,
            age: 4,
        }
    } else if total >= 100 {
        Widths {
            number: 10,
            account: 18,
            status: 12,
            priority: 9,
            assignee: 14,
            age: 4,
        }
    } else {
        Widths {
            number: 9,
            account: 12,
            status: 9,
            priority: 7,
            assignee: 9,
            age: 4,
        }
    }
}

pub fn render(m: &Model, f: &mut Frame, area: Rect) {
    let t = &m.theme;
    let list = &m.list;
    let w = widths(area.width);
    let fixed = 1 + w.number + w.account + w.status + w.priority + w.assignee + w.age + 7;
    let title_w = area.width.saturating_sub(fixed).max(8);
    let height = area.height.saturating_sub(1) as usize;
    let vis = list.visible();

    let arrow = |c: Column| {
        if list.sort.column == c {
            if list.sort.desc { "▼" } else { "▲" }
        } else {
            ""
        }
    };
    let header = Row::new(
        [
            ("", None),
            ("Number", Some(Column::Number)),
            ("Title", Some(Column::Title)),
            ("Account", Some(Column::Account)),
            ("Status", Some(Column::Status)),
            (
                if w.priority < 8 { "Prio" } else { "Priority" },
                Some(Column::Priority),
            ),
            ("Assignee", Some(Column::Assignee)),
            ("Age", Some(Column::Age)),
        ]
        .map(|(h, c)| Cell::from(format!("{h}{}", c.map(arrow).unwrap_or("")))),
    )
    .style(t.header);

    if vis.is_empty() {
        let msg = if list.loading {
            "Loading tickets…".to_string()
        } else if !list.query.is_empty() {
            format!("No ticket matches “{}”", list.query)
        } else {
            "No tickets in this view".to_string()
        };
        let table = Table::new(Vec::<Row>::new(), [Constraint::Fill(1)]).header(header);
        f.render_widget(table, area);
        if area.height > 2 {
            let r = Rect::new(area.x + 1, area.y + 2, area.width.saturating_sub(2), 1);
            f.render_widget(Paragraph::new(Span::styled(msg, t.dim)), r);
        }
        return;
    }

    let offset = effective_offset(list.offset, list.sel, height, vis.len());
    let end = (offset + height).min(vis.len());
    let focused = m.focus == Focus::List || m.wide();
    let mut rows = Vec::with_capacity(end - offset);
    for (pos, &ri) in vis[offset..end].iter().enumerate() {
        let r = &list.rows[ri as usize];
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
        let mut row = Row::new(vec![
            Cell::from(if marked { "●" } else { " " }),
            cell(&r.ticket_number, w.number, 0, base),
            cell(&r.title, title_w, n_num, base),
            cell(account, w.account, n_num + n_title, base),
            cell(
                r.status_name.as_deref().unwrap_or(""),
                w.status,
                u32::MAX / 2,
                base,
            ),
            cell(
                r.priority_name.as_deref().unwrap_or(""),
                w.priority,
                u32::MAX / 2,
                prio_style,
            ),
            cell(
                assignee,
                w.assignee,
                n_num + n_title + n_acc,
                if assignee.is_empty() { t.dim } else { base },
            ),
            Cell::from(Span::styled(
                age(m.now, r.open_date.or(r.created_on)),
                t.dim,
            )),
        ]);
        if selected {
            row = row.style(if focused {
                t.selected
            } else {
                t.selected_unfocused
            });
        }
        rows.push(row);
    }
    let table = Table::new(
        rows,
        [
            Constraint::Length(1),
            Constraint::Length(w.number),
            Constraint::Length(title_w),
            Constraint::Length(w.account),
            Constraint::Length(w.status),
            Constraint::Length(w.priority),
            Constraint::Length(w.assignee),
            Constraint::Length(w.age),
        ],
    )
    .header(header)
    .column_spacing(1);
    f.render_widget(table, area);
}
