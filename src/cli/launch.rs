//! Long-running modes: the TUI on the configured tenant, the demo (TUI on an in-process
//! simulator) and the simulator alone.

use super::args::{DemoArgs, GlobalOpts};
use super::context::Ctx;
use super::error::{CliError, CliResult};
use crate::api::{Client, ClientOptions, Credentials, Secret, TokenStore};
use crate::sim::{self, SimConfig};
use crate::tui::{self, TuiContext};

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

/// `bmsdesk demo`: a generated tenant on loopback and the real TUI on it. Its state (token,
/// cache, drafts, audit) lives in a demo folder of its own, apart from any real tenant's.
pub async fn demo(global: &GlobalOpts, args: &DemoArgs) -> CliResult<()> {
    let handle = sim::spawn(SimConfig {
        seed: args.seed,
        tickets: args.tickets,
        port: 0,
        ..SimConfig::default()
    })
    .await
    .map_err(|e| CliError::Local(format!("cannot start the simulator: {e}")))?;
    // The user's config still applies (keys, views, SLA rules); a broken one must not stop
    // the demo, so it is simply not used.
    let cfg = super::context::load_config(global).ok();
    let state_dir = cfg
        .as_ref()
        .and_then(|c| c.state_base(&crate::config::process_env).ok())
        .unwrap_or_else(std::env::temp_dir)
        .join("demo");
    let mut opts = ClientOptions::new(handle.base_url());
    opts.credentials = Some(Credentials {
        tenant: sim::DEMO_TENANT.into(),
        username: sim::DEMO_USER.into(),
        password: Secret::new(sim::DEMO_PASSWORD),
        mfa_code: None,
    });
    opts.token_store = Some(TokenStore::new(state_dir.join("token.json")));
    let client = Client::new(opts)?;
    let audit = crate::store::audit::AuditLog::new(state_dir.join("audit"));
    let actions = crate::actions::Actions::new(client.clone(), Some(audit))
        .with_outbox(crate::store::outbox::Outbox::new(state_dir.join("outbox")))
        .with_drafts(crate::store::drafts::DraftStore::new(tui::drafts_dir(
            &state_dir,
        )));
    let result = tui::run(TuiContext {
        actions,
        settings: cfg.as_ref().map(|c| c.tui.clone()).unwrap_or_default(),
        sla: cfg.as_ref().map(|c| c.sla.clone()).unwrap_or_default(),
        cache_path: state_dir.join("cache.json"),
        state_dir,
        profile: "demo".into(),
        note_type: None,
        demo: true,
    })
    .await;
    handle.shutdown().await;
    result.map_err(|e| CliError::Local(format!("{e:#}")))
}
