//! The terminal UI: a k9s-style service-desk console.
//!
//! Data flows one way (see `shared/DESIGN.md`): input, worker replies and timers become
//! [`protocol::Msg`]s, [`app::Model::update`] turns them into [`protocol::Cmd`]s, the
//! [`event_loop`] runs those and draws [`views::render`] when something changed.

pub mod app;
pub mod draft_writer;
pub mod event_loop;
pub mod forms;
pub mod fuzzy;
pub mod keymap;
pub mod layout;
pub mod list;
pub mod offline_list;
pub mod picker;
pub mod polling;
pub mod protocol;
pub mod settings;
pub mod sla;
pub mod testkit;
pub mod text;
pub mod theme;
pub mod timer;
pub mod views;
pub mod worker;

#[cfg(test)]
mod tests;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Once;

use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste, EventStream};
use crossterm::terminal::{
    BeginSynchronizedUpdate, EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen,
    disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use bmsdesk_core::actions::Actions;
use bmsdesk_core::model::Id;
use bmsdesk_core::store::cache::Cache;
use bmsdesk_core::store::drafts::DraftStore;

pub use app::Model;
pub use event_loop::EventLoop;
pub use protocol::{Cmd, Msg};
pub use settings::Settings;

/// What `main` hands the TUI.
pub struct TuiContext {
    /// Audited writes, and the client they (and every read) go through.
    pub actions: Actions,
    /// The `[tui]` table of the config (keys, views); empty for defaults.
    pub settings: toml::Table,
    /// The `[sla]` table of the config (business hours, targets, workflow rules).
    pub sla: toml::Table,
    /// Drafts and other local state live here.
    pub state_dir: PathBuf,
    /// The profile's cache file (accounts, lookups, templates, last ticket list).
    pub cache_path: PathBuf,
    pub profile: String,
    /// The profile's `note_type` (see `domain::note_type`).
    pub note_type: Option<Id>,
    pub demo: bool,
}

/// Puts the terminal back the way we found it. Safe to call more than once.
pub fn restore_terminal() {
    let _ = disable_raw_mode();
    let mut out = io::stdout();
    let _ = execute!(
        out,
        EndSynchronizedUpdate,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = out.flush();
}

fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            prev(info);
        }));
    });
}

fn enter_terminal() -> io::Result<()> {
    enable_raw_mode()?;
    execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableBracketedPaste,
        cursor::Hide
    )
}

struct RealHost;

impl event_loop::Host for RealHost {
    fn suspend(&mut self) -> io::Result<()> {
        restore_terminal();
        Ok(())
    }
    fn resume(&mut self) -> io::Result<()> {
        enter_terminal()
    }
    fn begin_frame(&mut self) {
        let _ = execute!(io::stdout(), BeginSynchronizedUpdate);
    }
    fn end_frame(&mut self) {
        let _ = execute!(io::stdout(), EndSynchronizedUpdate);
    }
}

/// Restores the terminal when dropped (normal exit, `?` errors, unwinding).
struct Guard;
impl Drop for Guard {
    fn drop(&mut self) {
        restore_terminal();
    }
}

fn recent_path(state_dir: &Path) -> PathBuf {
    state_dir.join("tui-recent-accounts.json")
}

pub fn load_recent_accounts(state_dir: &Path) -> Vec<Id> {
    std::fs::read(recent_path(state_dir))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

pub fn drafts_dir(state_dir: &Path) -> PathBuf {
    state_dir.join("drafts")
}

/// Runs the TUI until the user quits.
pub async fn run(ctx: TuiContext) -> anyhow::Result<()> {
    let mut settings = Settings::parse(&ctx.settings);
    settings.sla = ctx.sla.clone();
    let drafts = DraftStore::new(drafts_dir(&ctx.state_dir));
    let saved = drafts.list();
    let mut model = Model::new(settings, &ctx.profile, ctx.demo);
    model.recent_accounts = load_recent_accounts(&ctx.state_dir);
    model.note_type = ctx.note_type;
    model.timer = timer::load(&ctx.state_dir);
    let cache = Cache::load(&ctx.cache_path);
    let snapshot = worker::load_snapshot(&cache, model.current_view());
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let worker = worker::spawn(ctx.actions.clone(), cache, tx.clone());
    let mut init = model.init(saved);
    if let Some(s) = snapshot {
        init.extend(model.show_cached(s.rows, s.fetched_at, s.total));
    }

    install_panic_hook();
    enter_terminal()?;
    let _guard = Guard;
    let terminal = Terminal::new(CrosstermBackend::new(io::stdout()))?;
    // No `terminal.clear()`: it asks the terminal for the cursor position, which a slow link
    // (or a terminal that never answers) turns into a start-up failure. The alternate screen
    // is blank already.
    let size = terminal.size()?;
    model.size = (size.width, size.height);
    let mut lp = EventLoop::new(
        terminal,
        model,
        rx,
        tx,
        worker,
        drafts,
        ctx.state_dir.clone(),
        Box::new(RealHost),
    );
    lp.exec(init);
    let result = lp.run(EventStream::new).await;
    restore_terminal();
    result
}
