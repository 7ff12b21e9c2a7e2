//! Where things go on the screen, as pure geometry: the model asks it how many list rows
//! fit and how far the detail pane scrolls, the views where to draw. It knows neither the
//! model nor the views (they hand it plain values), so both can use it without importing
//! each other.

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;

use super::text::width_of;

/// Terminal width from which list and detail sit side by side.
pub const WIDE: u16 = 120;

/// What of the screen's state decides its layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Panes {
    /// The filter prompt's row is shown (typing, or a filter is set).
    pub prompt: bool,
    /// The dashboard replaces list and detail.
    pub dashboard: bool,
    /// List and detail side by side (the terminal is [`WIDE`]).
    pub wide: bool,
    /// The detail pane has the focus (a narrow terminal shows it alone).
    pub detail_focus: bool,
}

/// The areas of the main screen (an overlay goes on top of them).
pub struct MainLayout {
    pub tabs: Rect,
    pub list: Rect,
    pub detail: Option<Rect>,
    /// The dashboard in place of list and detail.
    pub dashboard: Option<Rect>,
    pub prompt: Option<Rect>,
    pub status: Rect,
}

pub fn main_layout(area: Rect, p: Panes) -> MainLayout {
    let prompt_rows = u16::from(p.prompt);
    let [tabs, body, prompt, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(0),
        Constraint::Length(prompt_rows),
        Constraint::Length(1),
    ])
    .areas(area);
    let prompt = (prompt_rows > 0).then_some(prompt);
    if p.dashboard {
        MainLayout {
            tabs,
            list: Rect::new(body.x, body.y, body.width, 0),
            detail: None,
            dashboard: Some(body),
            prompt,
            status,
        }
    } else if p.wide {
        let [list, detail] =
            Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)])
                .areas(body);
        MainLayout {
            tabs,
            list,
            detail: Some(detail),
            dashboard: None,
            prompt,
            status,
        }
    } else if p.detail_focus {
        MainLayout {
            tabs,
            list: Rect::new(body.x, body.y, body.width, 0),
            detail: Some(body),
            dashboard: None,
            prompt,
            status,
        }
    } else {
        MainLayout {
            tabs,
            list: body,
            detail: None,
            dashboard: None,
            prompt,
            status,
        }
    }
}

/// A `w`×`h` rectangle centred in `area` (clipped to it).
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Rows these lines take when wrapped to `width`.
pub fn wrapped_height(lines: &[Line], width: u16) -> usize {
    let w = width.max(1) as usize;
    lines
        .iter()
        .map(|l| {
            let lw: usize = l.spans.iter().map(|s| width_of(&s.content)).sum();
            lw.div_ceil(w).max(1)
        })
        .sum()
}
