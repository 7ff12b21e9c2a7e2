//! The time-log form offered when a timer or call stops: template, work type, role, minutes
//! and a note.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::super::app::Model;
use super::super::forms::{LogFocus, TimeLogForm};
use super::super::text::truncate;
use super::centered;
use bmsdesk_core::lookups::LookupKind;

pub fn render(m: &Model, fm: &TimeLogForm, f: &mut Frame, area: Rect) {
    let t = &m.theme;
    let w = area.width.min(90);
    let h = area.height.saturating_sub(1).min(18);
    let r = centered(area, w, h);
    f.render_widget(Clear, r);
    let title = format!(" Log time on {} ", fm.ticket_label);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border_focus)
        .title(Span::styled(
            truncate(&title, w.saturating_sub(4) as usize),
            t.title,
        ));
    let inner = block.inner(r);
    f.render_widget(block, r);
    let [fields, notes_label, notes, status, keys] = Layout::vertical([
        Constraint::Length(4),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let template = fm.template_id.map(|id| {
        m.data
            .timelog_templates
            .as_ref()
            .and_then(|ts| ts.iter().find(|x| x.id == id))
            .map(|x| x.name.clone())
            .unwrap_or_else(|| format!("#{id}"))
    });
    let lookup = |kind: LookupKind, id: Option<i64>| {
        id.map(|i| {
            m.data
                .lookup_name(kind, Some(i))
                .map(str::to_string)
                .unwrap_or_else(|| format!("#{i}"))
        })
    };
    let end = fm.end.with_timezone(&m.tz);
    let minutes = fm.minutes();
    let span_text = match minutes {
        Some(mins) => {
            let start = end - chrono::Duration::minutes(mins);
            format!(
                "  {}–{} ({:.2} h)",
                start.format("%H:%M"),
                end.format("%H:%M"),
                mins as f64 / 60.0
            )
        }
        None => String::new(),
    };
    let row = |focus: LogFocus, label: &str, value: Option<String>, hint: &str| {
        let on = fm.focus == focus;
        let mut spans = vec![
            Span::styled(if on { "› " } else { "  " }, t.key),
            Span::styled(format!("{label:<10}"), if on { t.header } else { t.label }),
        ];
        match value {
            Some(v) if !v.is_empty() => spans.push(Span::raw(v)),
            _ => spans.push(Span::styled(hint.to_string(), t.missing)),
        }
        Line::from(spans)
    };
    let mut min_line = row(
        LogFocus::Minutes,
        "Minutes",
        Some(format!(
            "{}{}",
            fm.minutes,
            if fm.focus == LogFocus::Minutes {
                "▏"
            } else {
                ""
            }
        )),
        "",
    );
    min_line.spans.push(Span::styled(span_text, t.dim));
    let lines = vec![
        row(
            LogFocus::Template,
            "Template",
            template.or_else(|| Some("(none)".into())),
            "",
        ),
        row(
            LogFocus::WorkType,
            "Work type",
            lookup(LookupKind::WorkTypes, fm.work_type_id),
            "required — enter to pick",
        ),
        row(
            LogFocus::Role,
            "Role",
            lookup(LookupKind::Roles, fm.role_id),
            "required — enter to pick",
        ),
        min_line,
    ];
    f.render_widget(Paragraph::new(lines), fields);
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(
                if fm.focus == LogFocus::Notes {
                    "› "
                } else {
                    "  "
                },
                t.key,
            ),
            Span::styled(
                "Note",
                if fm.focus == LogFocus::Notes {
                    t.header
                } else {
                    t.label
                },
            ),
        ])),
        notes_label,
    );
    let notes_area = Rect::new(
        notes.x + 2,
        notes.y,
        notes.width.saturating_sub(2),
        notes.height,
    );
    f.render_widget(&fm.notes, notes_area);
    let st = if fm.state.sending().is_some() {
        Span::styled("sending…", t.info)
    } else if let Some(e) = fm.state.error() {
        Span::styled(format!("✗ {e}"), t.error)
    } else if let Some(n) = &fm.notice {
        Span::styled(n.clone(), t.info)
    } else {
        Span::styled("the timer is kept until the time is logged", t.dim)
    };
    f.render_widget(Paragraph::new(Line::from(st)), status);
    let mut spans = Vec::new();
    for (k, d) in [
        ("ctrl-s", "log"),
        ("tab", "next field"),
        ("enter", "pick"),
        ("esc", "discard"),
    ] {
        spans.push(Span::styled(k, t.key));
        spans.push(Span::styled(format!(" {d}  "), t.dim));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), keys);
}
