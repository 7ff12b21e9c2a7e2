//! The bottom line: what is loading, messages (errors win), counts and freshness.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::super::app::Model;
use super::super::text::{truncate, width_of};
use super::super::timer::fmt_elapsed;
use super::ago;
use bmsdesk_core::text::thousands;

/// What is in flight, shortest first.
pub fn loading_text(m: &Model) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(p) = m.in_flight.values().next() {
        parts.push(format!("{}…", p.desc));
    }
    if m.list.loading {
        let n = m.list.len_loaded() as u64;
        parts.push(match m.list.total {
            Some(t) if t > 0 => format!("loading tickets {}/{}", thousands(n), thousands(t)),
            _ => "loading tickets…".into(),
        });
    }
    if m.detail.fetch.loading().is_some() {
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
        let word = if m.list.cache_partial {
            "cached rows that fit the view,"
        } else if m.list.from_cache {
            "cached"
        } else {
            "updated"
        };
        s.push_str(&format!(" · {word} {}", ago(m.now, at)));
    }
    s
}

/// The pinned timer / call: "CALL T20250001 0:12", "TIMER …", "UNLOGGED …".
pub fn timer_text(m: &Model) -> Option<String> {
    let tm = m.timer.as_ref()?;
    let what = if !tm.running() {
        "UNLOGGED"
    } else if tm.call {
        "CALL"
    } else {
        "TIMER"
    };
    Some(format!(
        " {what} {} {} ",
        tm.label(),
        fmt_elapsed(tm.elapsed_secs(m.now))
    ))
}

/// The link and the outbox, always shown first: " OFFLINE ", "2 pending", "API 412/1500".
pub fn link_text(m: &Model) -> Option<String> {
    let mut parts = Vec::new();
    if m.outbox.offline.is_some() {
        parts.push("OFFLINE".to_string());
    }
    if let Some(s) = m.outbox.summary() {
        parts.push(s);
    }
    if let Some(b) = m.outbox.budget_text() {
        parts.push(b);
    }
    (!parts.is_empty()).then(|| format!(" {} ", parts.join(" · ")))
}

pub fn render(m: &Model, f: &mut Frame, area: Rect) {
    let t = &m.theme;
    let right = format!("{} ", right_text(m));
    let mut rw = width_of(&right);
    let mut spans = vec![];
    let mut used = 0;
    if let Some(lt) = link_text(m) {
        let lt = truncate(&lt, (area.width as usize).saturating_sub(2));
        used += width_of(&lt);
        let bad = m.outbox.offline.is_some() || m.outbox.conflicts() > 0;
        spans.push(Span::styled(lt, if bad { t.error } else { t.warn }));
    }
    if let Some(tt) = timer_text(m) {
        let call = m.timer.as_ref().is_some_and(|x| x.call);
        let tt = truncate(&tt, (area.width as usize).saturating_sub(2));
        used += width_of(&tt);
        spans.push(Span::styled(tt, if call { t.call } else { t.timer }));
    }
    // The counts give way to the pinned timer and messages on narrow screens.
    if used + rw + 20 > area.width as usize {
        rw = 0;
    }
    let avail = (area.width as usize).saturating_sub(rw + 1);
    spans.push(Span::raw(" "));
    used += 1;
    if let Some(l) = loading_text(m) {
        let s = truncate(&format!("⟳ {l}  "), avail.saturating_sub(used));
        used += width_of(&s);
        spans.push(Span::styled(s, t.info));
    }
    let (msg, style) = if let Some(e) = &m.status.error {
        (Some(format!("✗ {e}")), t.error)
    } else if let Some(w) = &m.status.warn {
        (Some(format!("⚠ {w}")), t.warn)
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
    if rw > 0 {
        spans.push(Span::styled(right, t.dim));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
