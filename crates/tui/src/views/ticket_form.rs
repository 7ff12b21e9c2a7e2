//! The new-ticket form (fields by name, title, details) and its review screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::super::app::Model;
use super::super::forms::{FormFocus, NewTicket, text_of};
use super::super::picker::Field;
use super::super::text::truncate;
use bmsdesk_core::lookups::LookupKind;

const FIELDS: [Field; 9] = [
    Field::Account,
    Field::Location,
    Field::Contact,
    Field::Status,
    Field::Priority,
    Field::Type,
    Field::Source,
    Field::Queue,
    Field::Assignee,
];

/// The display value of a field, `None` when unset.
pub fn field_value(m: &Model, nt: &NewTicket, f: Field) -> Option<String> {
    let d = &nt.draft;
    let id = nt.value(f)?;
    let name = match f {
        Field::Account => m.data.account_name(Some(id)).map(str::to_string),
        Field::Location => m
            .data
            .location_name(d.account_id, Some(id))
            .map(str::to_string),
        Field::Contact => m
            .data
            .contact(d.account_id, Some(id))
            .map(|c| c.name.clone()),
        Field::Status => m
            .data
            .lookup_name(LookupKind::Statuses, Some(id))
            .map(str::to_string),
        Field::Priority => m
            .data
            .lookup_name(LookupKind::Priorities, Some(id))
            .map(str::to_string),
        Field::Type => m
            .data
            .lookup_name(LookupKind::Types, Some(id))
            .map(str::to_string)
            .or_else(|| {
                m.list
                    .rows
                    .iter()
                    .find(|r| r.type_id == Some(id))
                    .and_then(|r| r.type_name.as_deref().map(str::to_string))
            }),
        Field::Source => m
            .data
            .lookup_name(LookupKind::Sources, Some(id))
            .map(str::to_string),
        Field::Queue => m
            .data
            .lookup_name(LookupKind::Queues, Some(id))
            .map(str::to_string),
        Field::Assignee => m
            .data
            .lookup_name(LookupKind::Assignees, Some(id))
            .map(str::to_string),
        _ => None,
    };
    Some(name.unwrap_or_else(|| format!("#{id}")))
}

fn is_required(nt: &NewTicket, f: Field) -> bool {
    match f {
        Field::Queue | Field::Assignee => {
            nt.draft.queue_id.is_none() && nt.draft.assignee_id.is_none()
        }
        Field::Contact => false,
        _ => true,
    }
}

fn field_line<'a>(m: &Model, nt: &NewTicket, f: Field, width: usize) -> Line<'a> {
    let t = &m.theme;
    let focused = nt.focus == FormFocus::Field(f);
    let label_style = if focused { t.selected } else { t.label };
    let (value, vstyle) = match field_value(m, nt, f) {
        Some(v) => (v, if focused { t.selected } else { t.base }),
        None if is_required(nt, f) => (
            "— required".to_string(),
            if focused { t.selected } else { t.missing },
        ),
        None => ("—".to_string(), if focused { t.selected } else { t.dim }),
    };
    Line::from(vec![
        Span::styled(format!("{:<9}", f.label()), label_style),
        Span::styled(truncate(&value, width.saturating_sub(9)), vstyle),
    ])
}

pub fn render(m: &Model, f: &mut Frame, area: Rect) {
    let Some(nt) = m.new_ticket.as_ref() else {
        return;
    };
    let t = &m.theme;
    f.render_widget(Clear, area);
    let title = match &nt.template {
        Some((_, name)) => format!(" New ticket · template: {name} "),
        None => " New ticket ".to_string(),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border_focus)
        .title(Span::styled(
            truncate(&title, area.width.saturating_sub(4) as usize),
            t.title,
        ));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if nt.review {
        render_review(m, nt, f, inner);
        return;
    }
    // Left column one longer: account, location, contact belong together.
    let split = FIELDS.len().div_ceil(2);
    let [fields, title_r, details_r, msg, keys] = Layout::vertical([
        Constraint::Length(split as u16),
        Constraint::Length(3),
        Constraint::Min(3),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(fields);
    let lw = left.width as usize;
    let rw = right.width as usize;
    f.render_widget(
        Paragraph::new(
            FIELDS[..split]
                .iter()
                .map(|x| field_line(m, nt, *x, lw))
                .collect::<Vec<_>>(),
        ),
        left,
    );
    f.render_widget(
        Paragraph::new(
            FIELDS[split..]
                .iter()
                .map(|x| field_line(m, nt, *x, rw))
                .collect::<Vec<_>>(),
        ),
        right,
    );
    let boxed = |name: &str, focused: bool, empty: bool| {
        let mut title = vec![Span::styled(
            format!(" {name} "),
            if focused { t.title } else { t.label },
        )];
        if empty {
            title.push(Span::styled("required ", t.missing));
        }
        Block::default()
            .borders(Borders::ALL)
            .border_style(if focused { t.border_focus } else { t.border })
            .title(Line::from(title))
    };
    let title_empty = text_of(&nt.title).trim().is_empty();
    let details_empty = text_of(&nt.details).trim().is_empty();
    let tb = boxed("Title", nt.focus == FormFocus::Title, title_empty);
    let ti = tb.inner(title_r);
    f.render_widget(tb, title_r);
    let db = boxed("Details", nt.focus == FormFocus::Details, details_empty);
    let di = db.inner(details_r);
    f.render_widget(db, details_r);
    let mut ta = nt.title.clone();
    let mut da = nt.details.clone();
    if nt.focus != FormFocus::Title {
        ta.set_cursor_style(Style::default());
    }
    if nt.focus != FormFocus::Details {
        da.set_cursor_style(Style::default());
    }
    f.render_widget(&ta, ti);
    f.render_widget(&da, di);
    let message = match nt.state.error() {
        Some(e) => Span::styled(format!("✗ {e}"), t.error),
        None => {
            let missing = nt.missing();
            if missing.is_empty() {
                Span::styled("ready — ctrl-s to review", t.ok)
            } else {
                Span::styled(format!("missing: {}", missing.join(", ")), t.warn)
            }
        }
    };
    f.render_widget(Paragraph::new(Line::from(message)), msg);
    let mut spans = Vec::new();
    for (k, d) in [
        ("tab", "next"),
        ("enter", "pick field"),
        ("ctrl-s", "review"),
        ("esc", "discard"),
    ] {
        spans.push(Span::styled(k, t.key));
        spans.push(Span::styled(format!(" {d}  "), t.dim));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), keys);
}

fn render_review(m: &Model, nt: &NewTicket, f: &mut Frame, area: Rect) {
    let t = &m.theme;
    let mut lines = vec![Line::from(Span::styled("Review", t.header)), Line::raw("")];
    let title = text_of(&nt.title);
    lines.push(Line::from(vec![
        Span::styled(format!("{:<9}", "Title"), t.label),
        if title.trim().is_empty() {
            Span::styled("— required", t.missing)
        } else {
            Span::raw(title)
        },
    ]));
    for fld in FIELDS {
        lines.push(field_line(m, nt, fld, area.width as usize));
    }
    lines.push(Line::raw(""));
    lines.push(Line::from(Span::styled("Details", t.label)));
    let details = text_of(&nt.details);
    if details.trim().is_empty() {
        lines.push(Line::from(Span::styled("— required", t.missing)));
    } else {
        for l in details.lines().take(6) {
            lines.push(Line::raw(format!("  {l}")));
        }
    }
    lines.push(Line::raw(""));
    let missing = nt.missing();
    if let Some(e) = nt.state.error() {
        lines.push(Line::from(Span::styled(format!("✗ {e}"), t.error)));
    } else if !missing.is_empty() {
        lines.push(Line::from(Span::styled(
            format!("cannot create yet: missing {}", missing.join(", ")),
            t.error,
        )));
    }
    if nt.state.sending().is_some() {
        lines.push(Line::from(Span::styled("creating…", t.info)));
    } else {
        lines.push(Line::from(vec![
            Span::styled("enter", t.key),
            Span::styled(" create  ", t.dim),
            Span::styled("esc", t.key),
            Span::styled(" back to the form", t.dim),
        ]));
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
