//! The TUI on the configured tenant (the demo's TUI on a simulator is `simulate::demo`).

use super::args::GlobalOpts;
use super::context::Ctx;
use super::error::{CliError, CliResult};
use bmsdesk_tui::{self as tui, TuiContext};

/// `bmsdesk` with no command: sign in (prompting before the screen is taken), then the TUI.
pub async fn tui_on_tenant(global: &GlobalOpts) -> CliResult<()> {
    let ctx = Ctx::open_for_tui(global).await?;
    let profile = ctx.profile.clone();
    tui::run(TuiContext {
        actions: ctx.actions.clone(),
        settings: ctx.config.tui.clone(),
        sla: ctx.config.sla.clone(),
        state_dir: profile.state_dir.clone(),
        cache_path: profile.cache_file.clone(),
        profile: profile.name.clone(),
        note_type: profile.note_type,
        demo: false,
    })
    .await
    .map_err(|e| CliError::Local(format!("{e:#}")))
}
