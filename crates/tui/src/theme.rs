//! Styles in one place. With `NO_COLOR` set (to anything non-empty) only modifiers are used.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone)]
pub struct Theme {
    pub color: bool,
    pub base: Style,
    pub dim: Style,
    pub header: Style,
    pub title: Style,
    pub selected: Style,
    pub selected_unfocused: Style,
    pub marked: Style,
    pub matched: Style,
    pub border: Style,
    pub border_focus: Style,
    pub tab: Style,
    pub tab_active: Style,
    pub error: Style,
    pub warn: Style,
    pub ok: Style,
    pub info: Style,
    pub key: Style,
    pub label: Style,
    pub internal: Style,
    pub external: Style,
    pub missing: Style,
    pub priority_high: Style,
    /// The running timer and call, pinned in the status bar.
    pub timer: Style,
    pub call: Style,
    /// Bars of the dashboard charts.
    pub bar: Style,
}

impl Theme {
    pub fn from_env() -> Theme {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        if no_color {
            Theme::mono()
        } else {
            Theme::colored()
        }
    }

    pub fn colored() -> Theme {
        let b = Style::default();
        Theme {
            color: true,
            base: b,
            dim: b.fg(Color::DarkGray),
            header: b.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            title: b.fg(Color::Cyan).add_modifier(Modifier::BOLD),
            selected: b
                .bg(Color::Blue)
                .fg(Color::White)
                .add_modifier(Modifier::BOLD),
            selected_unfocused: b.bg(Color::DarkGray).fg(Color::White),
            marked: b.fg(Color::Magenta).add_modifier(Modifier::BOLD),
            matched: b
                .fg(Color::LightYellow)
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            border: b.fg(Color::DarkGray),
            border_focus: b.fg(Color::Cyan),
            tab: b.fg(Color::Gray),
            tab_active: b
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            error: b.fg(Color::LightRed).add_modifier(Modifier::BOLD),
            warn: b.fg(Color::Yellow),
            ok: b.fg(Color::Green),
            info: b.fg(Color::Cyan),
            key: b.fg(Color::Cyan).add_modifier(Modifier::BOLD),
            label: b.fg(Color::Gray),
            internal: b.fg(Color::Yellow).add_modifier(Modifier::BOLD),
            external: b.fg(Color::Green).add_modifier(Modifier::BOLD),
            missing: b.fg(Color::LightRed),
            priority_high: b.fg(Color::LightRed),
            timer: b
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD),
            call: b
                .fg(Color::Black)
                .bg(Color::LightGreen)
                .add_modifier(Modifier::BOLD),
            bar: b.fg(Color::Cyan),
        }
    }

    pub fn mono() -> Theme {
        let b = Style::default();
        Theme {
            color: false,
            base: b,
            dim: b,
            header: b.add_modifier(Modifier::BOLD),
            title: b.add_modifier(Modifier::BOLD),
            selected: b.add_modifier(Modifier::REVERSED),
            selected_unfocused: b.add_modifier(Modifier::UNDERLINED),
            marked: b.add_modifier(Modifier::BOLD),
            matched: b.add_modifier(Modifier::UNDERLINED),
            border: b,
            border_focus: b.add_modifier(Modifier::BOLD),
            tab: b,
            tab_active: b.add_modifier(Modifier::REVERSED),
            error: b.add_modifier(Modifier::BOLD),
            warn: b,
            ok: b,
            info: b,
            key: b.add_modifier(Modifier::BOLD),
            label: b,
            internal: b.add_modifier(Modifier::BOLD),
            external: b.add_modifier(Modifier::BOLD),
            missing: b.add_modifier(Modifier::BOLD),
            priority_high: b.add_modifier(Modifier::BOLD),
            timer: b.add_modifier(Modifier::REVERSED),
            call: b.add_modifier(Modifier::REVERSED | Modifier::BOLD),
            bar: b,
        }
    }
}
