//! `?`: every binding as currently mapped, plus the fixed keys of pickers and editors.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::super::app::Model;
use super::super::keymap::Action;
use super::centered;

pub fn help_lines<'a>(m: &Model) -> Vec<Line<'a>> {
    let t = &m.theme;
    let mut out = vec![Line::from(Span::styled("Tickets", t.header))];
    let row = |k: String, d: String| {
        Line::from(vec![
            Span::styled(format!("  {k:<16}"), t.key),
            Span::raw(d),
        ])
    };
    for &a in Action::ALL {
        if let Action::View(n) = a {
            match m.views.iter().find(|v| v.key == n) {
                Some(v) => out.push(row(m.keymap.label(a), format!("view: {}", v.name))),
                None => continue,
            }
            continue;
        }
        let label = m.keymap.label(a);
        out.push(row(
            if label.is_empty() {
                format!(":{}", a.name())
            } else {
                label
            },
            a.describe(),
        ));
    }
    out.push(Line::raw(""));
    out.push(Line::from(Span::styled("Pickers and palette", t.header)));
    for (k, d) in [
        ("type", "narrow (fuzzy)"),
        ("↑/↓ ctrl-p/n", "move"),
        ("enter", "pick"),
        ("esc", "back out"),
    ] {
        out.push(row(k.into(), d.into()));
    }
    out.push(Line::raw(""));
    out.push(Line::from(Span::styled("Note editor", t.header)));
    for (k, d) in [
        ("ctrl-s", "send the note"),
        ("ctrl-t", "internal / external"),
        ("ctrl-o", "insert a note template"),
        ("ctrl-g", "continue in $EDITOR"),
        ("esc", "close; the draft is kept on disk"),
    ] {
        out.push(row(k.into(), d.into()));
    }
    out.push(Line::raw(""));
    out.push(Line::from(Span::styled(
        "Time-log form (when a timer or call stops)",
        t.header,
    )));
    for (k, d) in [
        ("tab/shift-tab", "next / previous field"),
        ("enter", "on template, work type, role: pick"),
        ("ctrl-s / f2", "log the time"),
        ("esc", "discard the time (asks first)"),
    ] {
        out.push(row(k.into(), d.into()));
    }
    out.push(Line::raw(""));
    out.push(Line::from(Span::styled("New ticket form", t.header)));
    for (k, d) in [
        ("tab/shift-tab", "next / previous field"),
        ("enter", "on a field: pick a value"),
        ("ctrl-s / f2", "review, then enter to create"),
        ("esc", "discard (asks first)"),
    ] {
        out.push(row(k.into(), d.into()));
    }
    out
}

pub fn render(m: &Model, scroll: u16, f: &mut Frame, area: Rect) {
    let t = &m.theme;
    let lines = help_lines(m);
    let w = area.width.saturating_sub(4).min(76);
    let h = (lines.len() as u16 + 2).min(area.height);
    let r = centered(area, w, h);
    f.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border_focus)
        .title(Span::styled(" Help ", t.title))
        .title_bottom(
            Line::from(Span::styled(" j/k scroll · any other key closes ", t.dim)).right_aligned(),
        );
    let max = (lines.len() as u16).saturating_sub(h.saturating_sub(2));
    f.render_widget(
        Paragraph::new(lines)
            .scroll((scroll.min(max), 0))
            .block(block),
        r,
    );
}
