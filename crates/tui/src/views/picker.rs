//! Fuzzy picker popup: query line, ranked matches with highlights, counts.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::super::app::Model;
use super::super::fuzzy;
use super::super::picker::Picker;
use super::super::text::{truncate, width_of};
use super::{centered, highlighted};

pub fn render(m: &Model, p: &Picker, f: &mut Frame, area: Rect) {
    let w = area.width.saturating_sub(4).clamp(20, 72);
    let want = p.matches.len().max(1) as u16 + 4;
    let h = want.clamp(7, area.height.saturating_sub(2).max(7));
    let r = centered(area, w, h);
    draw(m, p, f, r);
}

pub fn draw(m: &Model, p: &Picker, f: &mut Frame, r: Rect) {
    let t = &m.theme;
    f.render_widget(Clear, r);
    let count = if p.loading() {
        " loading… ".to_string()
    } else {
        let more = if p.ranking() { "…" } else { "" };
        format!(" {}/{}{more} ", p.matches.len(), p.items.len())
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border_focus)
        .title(Span::styled(format!(" {} ", p.title), t.title))
        .title(Line::from(Span::styled(count, t.dim)).right_aligned())
        .title_bottom(Line::from(Span::styled(" enter pick · esc back ", t.dim)).right_aligned());
    let inner = block.inner(r);
    f.render_widget(block, r);
    if inner.height == 0 {
        return;
    }
    let mut lines = vec![Line::from(vec![
        Span::styled("> ", t.key),
        Span::raw(p.query.clone()),
        Span::styled("▏", t.key),
    ])];
    let rows = inner.height.saturating_sub(1) as usize;
    if let Some(e) = p.error() {
        lines.push(Line::from(Span::styled(
            truncate(e, inner.width as usize),
            t.error,
        )));
    } else if p.loading() {
        lines.push(Line::from(Span::styled("loading…", t.dim)));
    } else if p.matches.is_empty() {
        lines.push(Line::from(Span::styled(
            if p.items.is_empty() {
                "nothing to pick"
            } else {
                "no match"
            },
            t.dim,
        )));
    } else {
        let pattern = fuzzy::pattern(&p.query);
        let off = super::super::list::effective_offset(0, p.sel, rows, p.matches.len());
        let end = (off + rows).min(p.matches.len());
        for (pos, &i) in p.matches[off..end].iter().enumerate() {
            let item = &p.items[i as usize];
            let selected = off + pos == p.sel;
            let style = if selected { t.selected } else { t.base };
            let hint_w = if item.hint.is_empty() {
                0
            } else {
                width_of(&item.hint).min(24) + 1
            };
            let label_w = (inner.width as usize).saturating_sub(hint_w + 2);
            let idx = fuzzy::indices(&pattern, &item.label);
            let mut spans = vec![Span::styled(if selected { "› " } else { "  " }, style)];
            let label = highlighted(&item.label, label_w, &idx, 0, style, t.matched);
            let lw: usize = label.iter().map(|s| width_of(&s.content)).sum();
            spans.extend(label);
            if hint_w > 0 {
                let pad = (inner.width as usize).saturating_sub(2 + lw + hint_w - 1);
                spans.push(Span::styled(" ".repeat(pad), style));
                spans.push(Span::styled(
                    truncate(&item.hint, 24),
                    if selected { style } else { t.dim },
                ));
            } else {
                let pad = (inner.width as usize).saturating_sub(2 + lw);
                spans.push(Span::styled(" ".repeat(pad), style));
            }
            lines.push(Line::from(spans));
        }
    }
    f.render_widget(Paragraph::new(lines), inner);
}
