//! The bottom line: what is loading, messages (errors win), counts and freshness.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::app::Model;
use super::super::text::{truncate, width_of};
use super::ago;

pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What is in flight, shortest first.
pub fn loading_text(m: &Model) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(p) = m.pending.values().next() {
        parts.push(format!("{p}…"));
    }
    if m.list.loading {
        let n = m.list.len_loaded() as u64;
        parts.push(match m.list.total {
            Some(t) if t > 0 => format!("loading tickets {}/{}", thousands(n), thousands(t)),
            _ => "loading tickets…".into(),
        });
    }
    if m.detail.loading.is_some() {
        parts.push("loading ticket…".into());
    }
    if m.data.accounts.is_none() && !m.data.failed.contains("accounts") {
        parts.push("warming up…".into());
    }
    (!parts.is_empty()).then(|| parts.join(" · "))
}

pub fn right_text(m: &Model) -> String {
    let loaded = m.list.len_loaded() as u64;
    let shown = m.list.visible_len() as u64;
    let mut s = if shown == loaded {
        format!("{} tickets", thousands(loaded))
    } else {
        format!("{}/{} tickets", thousands(shown), thousands(loaded))
    };
    if !m.list.marked.is_empty() {
        s.push_str(&format!(" · {} marked", m.list.marked.len()));
    }
    if !m.drafts.is_empty() {
        s.push_str(&format!(
            " · {} draft{}",
            m.drafts.len(),
            if m.drafts.len() == 1 { "" } else { "s" }
        ));
    }
    if let Some(at) = m.list.loaded_at {
        let word = if m.list.from_cache {
            "cached"
        } else {
            "updated"
        };
        s.push_str(&format!(" · {word} {}", ago(m.now, at)));
    }
    s
}

pub fn render(m: &Model, f: &mut Frame, area: Rect) {
    let t = &m.theme;
    let right = format!("{} ", right_text(m));
    let rw = width_of(&right);
    let avail = (area.width as usize).saturating_sub(rw + 1);
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    if let Some(l) = loading_text(m) {
        let s = truncate(&format!("⟳ {l}  "), avail.saturating_sub(used));
        used += width_of(&s);
        spans.push(Span::styled(s, t.info));
    }
    let (msg, style) = if let Some(e) = &m.status.error {
        (Some(format!("✗ {e}")), t.error)
    } else if let Some(i) = &m.status.info {
        (Some(i.clone()), t.ok)
    } else if let Some(w) = m.status.warnings.first() {
        (Some(format!("config: {w}")), t.warn)
    } else {
        (None, t.base)
    };
    if let Some(msg) = msg {
        let s = truncate(&msg, avail.saturating_sub(used));
        used += width_of(&s);
        spans.push(Span::styled(s, style));
    }
    let pad = (area.width as usize).saturating_sub(used + rw);
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(right, t.dim));
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
