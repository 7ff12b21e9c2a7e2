//! The detail pane: fields by name, details, the notes thread and time logs. Scrolls on its own.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::super::app::{Focus, Model, detail_lines};
use super::super::layout::wrapped_height;
use super::ago;

pub fn render(m: &Model, f: &mut Frame, area: Rect) {
    let t = &m.theme;
    let focused = m.focus == Focus::Detail;
    let id = m.detail.id;
    let data = id.and_then(|id| m.detail.cache.get(&id));
    let title = match (data, id.and_then(|i| m.list.get(i))) {
        (Some(d), _) => format!(" {} ", d.ticket.row.ticket_number),
        (None, Some(r)) => format!(" {} ", r.ticket_number),
        _ => " Ticket ".into(),
    };
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(if focused { t.border_focus } else { t.border })
        .title(Span::styled(title, t.title));
    if let Some(d) = data {
        let fresh = if m.detail.fetch.loading() == id {
            "refreshing…".to_string()
        } else if d.offline_copy {
            format!("offline copy · {}", ago(m.now, d.fetched_at))
        } else {
            ago(m.now, d.fetched_at)
        };
        block = block
            .title_bottom(Line::from(Span::styled(format!(" {fresh} "), t.dim)).right_aligned());
    }
    let inner = block.inner(area);
    let body: Vec<Line> = match (id, data) {
        (None, _) => vec![Line::from(Span::styled("No ticket selected", t.dim))],
        (Some(_), Some(d)) => detail_lines(m, d),
        (Some(id), None) => match m.detail.fetch.error_for(id) {
            Some(e) => {
                vec![Line::from(Span::styled(format!("✗ {e}"), t.error))]
            }
            _ => match m.list.get(id) {
                Some(r) => vec![
                    Line::from(Span::styled(r.title.clone(), t.title)),
                    Line::raw(""),
                    Line::from(Span::styled("Loading…", t.dim)),
                ],
                None => vec![Line::from(Span::styled("Loading…", t.dim))],
            },
        },
    };
    let total = wrapped_height(&body, inner.width);
    let max_scroll = total.saturating_sub(inner.height as usize) as u16;
    let scroll = m.detail.scroll.min(max_scroll);
    f.render_widget(
        Paragraph::new(body)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0))
            .block(block),
        area,
    );
}
