//! The quick-note editor: a textarea with the visibility switch and draft state.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::super::app::Model;
use super::super::forms::{NoteEditor, NoteMode, note_kind_text};
use super::super::text::truncate;
use super::centered;
use bmsdesk_core::domain::workflow::NoteKind;
use bmsdesk_core::lookups::LookupKind;

pub fn render(m: &Model, e: &NoteEditor, f: &mut Frame, area: Rect) {
    let t = &m.theme;
    let w = if area.width < 100 { area.width } else { 100 };
    let h = area.height.saturating_sub(1).min(24);
    let r = centered(area, w, h);
    f.render_widget(Clear, r);
    let title = match &e.mode {
        NoteMode::Note => format!(" Note on {} ", e.ticket_label),
        NoteMode::Assign { target_label, .. } => {
            format!(
                " Assign {} to {} — note required ",
                e.ticket_label, target_label
            )
        }
        NoteMode::Status {
            status_name, kind, ..
        } => match kind {
            NoteKind::Escalation => format!(" Escalate {} → {} ", e.ticket_label, status_name),
            NoteKind::Resolution => format!(" {} → {} ", e.ticket_label, status_name),
        },
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(t.border_focus)
        .title(Span::styled(
            truncate(&title, w.saturating_sub(4) as usize),
            t.title,
        ));
    let inner = block.inner(r);
    f.render_widget(block, r);
    let [top, text, bottom, keys] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let vis = if e.is_internal {
        Span::styled(
            " INTERNAL ",
            t.internal.add_modifier(ratatui::style::Modifier::REVERSED),
        )
    } else {
        Span::styled(
            " EXTERNAL — visible to the client ",
            t.external.add_modifier(ratatui::style::Modifier::REVERSED),
        )
    };
    let mut top_spans = vec![vis];
    match &e.mode {
        NoteMode::Status { kind, .. } => {
            top_spans.push(Span::styled(format!("  {}", note_kind_text(*kind)), t.warn));
        }
        NoteMode::Note => {
            if let Some(st) = e.status_id {
                let name = m
                    .data
                    .lookup_name(LookupKind::Statuses, Some(st))
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("#{st}"));
                top_spans.push(Span::styled(format!("  status → {name}"), t.warn));
            }
        }
        NoteMode::Assign { .. } => {}
    }
    if let Some(tid) = e.template_id {
        let name = m
            .data
            .note_templates
            .as_ref()
            .and_then(|ts| ts.iter().find(|x| x.id == tid))
            .map(|x| x.name.clone())
            .unwrap_or_else(|| format!("#{tid}"));
        top_spans.push(Span::styled(format!("  template: {name}"), t.dim));
    }
    f.render_widget(Paragraph::new(Line::from(top_spans)), top);
    f.render_widget(&e.text, text);
    let status = if e.sending().is_some() {
        Span::styled("sending…", t.info)
    } else if let Some(err) = e.error() {
        Span::styled(format!("✗ {err}"), t.error)
    } else if let Some(n) = &e.notice {
        Span::styled(n.clone(), t.info)
    } else if !e.keeps_draft() {
        Span::styled(
            match e.mode {
                NoteMode::Assign { .. } => "assignment note (not kept as a draft)",
                _ => "one note for each ticket, sent with the change (not kept as a draft)",
            },
            t.dim,
        )
    } else if let Some(at) = e.saved_at {
        Span::styled(
            format!(
                "draft saved {}{}",
                m.fmt_time(Some(at)),
                if e.dirty { " · editing" } else { "" }
            ),
            t.dim,
        )
    } else {
        Span::styled("drafts are saved as you type", t.dim)
    };
    f.render_widget(Paragraph::new(Line::from(status)), bottom);
    let mut hints = vec![("ctrl-s", "send"), ("ctrl-t", "internal/external")];
    if e.keeps_draft() {
        hints.push(("ctrl-o", "template"));
        hints.push(("ctrl-g", "$EDITOR"));
    }
    hints.push((
        "esc",
        if e.keeps_draft() {
            "close (keeps draft)"
        } else {
            "cancel"
        },
    ));
    let mut spans = Vec::new();
    for (k, d) in hints {
        spans.push(Span::styled(k, t.key));
        spans.push(Span::styled(format!(" {d}  "), t.dim));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), keys);
}
