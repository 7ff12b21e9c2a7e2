//! The command palette: a picker over every action, drawn at the top like an editor's.

use ratatui::Frame;
use ratatui::layout::Rect;

use super::super::app::Model;
use super::super::picker::Picker;

pub fn render(m: &Model, p: &Picker, f: &mut Frame, area: Rect) {
    let w = area.width.saturating_sub(4).clamp(20, 64);
    let h = (p.matches.len() as u16 + 4).clamp(6, area.height.saturating_sub(2).clamp(6, 18));
    let r = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + 1.min(area.height),
        w,
        h.min(area.height),
    );
    super::picker::draw(m, p, f, r);
}
