//! Rendering: reads the model, draws a frame. No I/O, no locks, nothing awaited.

pub mod dashboard;
pub mod detail;
pub mod help;
pub mod note_editor;
pub mod palette;
pub mod picker;
pub mod status_bar;
pub mod ticket_form;
pub mod ticket_list;
pub mod time_log;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::app::{Layer, Model};
// The helpers every view uses, in scope for the view modules below as `super::…`.
use super::layout::{centered, main_layout};
use super::text::{age, ago, truncate, width_of};

pub fn render(m: &Model, f: &mut Frame) {
    let area = f.area();
    let l = main_layout(area, m.panes());
    render_tabs(m, f, l.tabs);
    if l.list.height > 0 {
        ticket_list::render(m, f, l.list);
    }
    if let Some(d) = l.detail {
        detail::render(m, f, d);
    }
    if let Some(d) = l.dashboard {
        dashboard::render(m, f, d);
    }
    if let Some(p) = l.prompt {
        render_prompt(m, f, p);
    }
    status_bar::render(m, f, l.status);
    let body = Rect::new(
        area.x,
        area.y + 1,
        area.width,
        area.height.saturating_sub(2),
    );
    for layer in &m.layers {
        match layer {
            Layer::Picker(p) => {
                if p.purpose == super::picker::Purpose::Palette {
                    palette::render(m, p, f, body);
                } else {
                    picker::render(m, p, f, body);
                }
            }
            Layer::Help { scroll } => help::render(m, *scroll, f, body),
            Layer::Confirm(c) => render_confirm(m, &c.prompt, f, body),
            Layer::Note(e) => note_editor::render(m, e, f, body),
            Layer::Form => ticket_form::render(m, f, body),
            Layer::TimeLog(form) => time_log::render(m, form, f, body),
        }
    }
}

fn render_tabs(m: &Model, f: &mut Frame, area: Rect) {
    let t = &m.theme;
    let mut right = vec![];
    if m.demo {
        right.push(Span::styled(" DEMO ", t.tab_active));
        right.push(Span::raw(" "));
    }
    right.push(Span::styled(m.profile.clone(), t.dim));
    right.push(Span::styled(" · ", t.dim));
    right.push(Span::styled(
        format!("{} help", m.keymap.hint(super::keymap::Action::Help)),
        t.dim,
    ));
    right.push(Span::raw(" "));
    let right_w: usize = right.iter().map(|s| width_of(&s.content)).sum();
    let mut spans = Vec::new();
    let mut used = 0usize;
    let avail = (area.width as usize).saturating_sub(right_w + 1);
    let full = |v: &super::settings::ViewDef| format!(" {} {} ", v.key, v.name);
    // Names while they fit, in order (the active one always); the rest show their keys.
    let mut named: Vec<bool> = (0..m.views.len()).map(|i| i == m.view).collect();
    let width = |named: &[bool]| -> usize {
        m.views
            .iter()
            .zip(named)
            .map(|(v, &n)| {
                if n {
                    width_of(&full(v)) + 1
                } else {
                    format!(" {} ", v.key).len() + 1
                }
            })
            .sum()
    };
    for i in 0..named.len() {
        if !named[i] {
            named[i] = true;
            if width(&named) > avail {
                named[i] = false;
                break;
            }
        }
    }
    for (i, v) in m.views.iter().enumerate() {
        let label = if named[i] {
            full(v)
        } else {
            format!(" {} ", v.key)
        };
        let w = width_of(&label) + 1;
        if used + w > avail {
            break;
        }
        let style = if i == m.view { t.tab_active } else { t.tab };
        spans.push(Span::styled(label, style));
        spans.push(Span::raw(" "));
        used += w;
    }
    let pad = (area.width as usize).saturating_sub(used + right_w);
    spans.push(Span::raw(" ".repeat(pad)));
    spans.extend(right);
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_prompt(m: &Model, f: &mut Frame, area: Rect) {
    let t = &m.theme;
    let count = if m.list.filter_pending() {
        "filtering…".to_string()
    } else {
        format!(
            "{} match{}",
            m.list.visible_len(),
            if m.list.visible_len() == 1 { "" } else { "es" }
        )
    };
    let mut spans = vec![Span::styled("/", t.key), Span::raw(m.list.query.clone())];
    if m.filter_input {
        spans.push(Span::styled("▏", t.key));
    }
    spans.push(Span::styled(format!("  {count}"), t.dim));
    if !m.filter_input {
        spans.push(Span::styled(
            format!("  ({} clears)", m.keymap.hint(super::keymap::Action::Back)),
            t.dim,
        ));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn render_confirm(m: &Model, prompt: &str, f: &mut Frame, area: Rect) {
    let w = (width_of(prompt) as u16 + 4).clamp(20, area.width.saturating_sub(4).max(20));
    // A long prompt (what quitting leaves behind) wraps: a line more for word breaks.
    let inner = usize::from(w.saturating_sub(2)).max(1);
    let lines = (width_of(prompt).div_ceil(inner) + 1).max(2) as u16;
    let r = centered(area, w, 3 + lines);
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(m.theme.border_focus)
        .title(Span::styled(" Confirm ", m.theme.title));
    f.render_widget(
        Paragraph::new(vec![
            Line::raw(""),
            Line::styled(prompt.to_string(), m.theme.warn),
        ])
        .wrap(Wrap { trim: true })
        .block(block),
        r,
    );
}

/// `text` cut to `width` with the chars at `matched` (offset by `base`) highlighted.
pub fn highlighted<'a>(
    text: &str,
    width: usize,
    matched: &[u32],
    base: u32,
    style: Style,
    hl: Style,
) -> Vec<Span<'a>> {
    let shown = truncate(text, width);
    if matched.is_empty() {
        return vec![Span::styled(shown, style)];
    }
    let mut spans = Vec::new();
    let mut cur = String::new();
    let mut cur_hl = false;
    for (i, c) in shown.chars().enumerate() {
        let is = c != '…' && matched.binary_search(&(base + i as u32)).is_ok();
        if is != cur_hl && !cur.is_empty() {
            spans.push(Span::styled(
                std::mem::take(&mut cur),
                if cur_hl { style.patch(hl) } else { style },
            ));
        }
        cur_hl = is;
        cur.push(c);
    }
    if !cur.is_empty() {
        spans.push(Span::styled(
            cur,
            if cur_hl { style.patch(hl) } else { style },
        ));
    }
    spans
}
