//! The built-in simulators: `bmsdesk sim` (the simulator alone, for scripts, tests and trying
//! the CLI) and `bmsdesk demo` (the real TUI on an in-process simulator).

use std::time::Duration;

use super::args::{DemoArgs, GlobalOpts, SimArgs};
use super::error::{CliError, CliResult};
use bmsdesk_bms::{auth::TokenStore, client::Client, client::ClientOptions};
use bmsdesk_core::secret::{Credentials, Secret};
use bmsdesk_sim::{self as sim, SimConfig};
use bmsdesk_tui::{self as tui, TuiContext};

/// `bmsdesk sim`: serves until Ctrl-C, printing how to point the CLI at it.
pub async fn sim(args: &SimArgs) -> CliResult<()> {
    let mut cfg = SimConfig {
        seed: args.seed,
        tickets: args.tickets,
        port: args.port,
        access_ttl: Duration::from_secs(args.access_ttl_secs.max(1)),
        null_rate: args.null_rate,
        pascal_case: args.pascal_case,
        ..SimConfig::default()
    };
    if args.no_note_types {
        cfg.note_types = None;
    }
    if args.no_ticket_types {
        cfg.ticket_types = None;
    }
    cfg.faults.latency_ms = args.latency_ms;
    let handle = sim::spawn(cfg)
        .await
        .map_err(|e| CliError::Local(format!("cannot listen on 127.0.0.1:{}: {e}", args.port)))?;
    let base = handle.base_url();
    println!(
        "BMS simulator listening on {base} ({} tickets, seed {})",
        args.tickets, args.seed
    );
    println!("Point bmsdesk at it with:");
    println!(
        "  export BMS_API_BASE={base} BMS_TENANT='{}' BMS_USERNAME='{}' BMS_PASSWORD='{}'",
        sim::DEMO_TENANT,
        sim::DEMO_USER,
        sim::DEMO_PASSWORD
    );
    println!(
        "MFA user: {} (code {}). Fault injection: POST {base}/_sim/faults. Ctrl-C stops.",
        sim::MFA_USER,
        sim::MFA_CODE
    );
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| CliError::Local(format!("cannot wait for Ctrl-C: {e}")))?;
    handle.shutdown().await;
    Ok(())
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
        .and_then(|c| c.state_base(&bmsdesk_core::config::process_env).ok())
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
    let audit = bmsdesk_core::store::audit::AuditLog::new(state_dir.join("audit"));
    let actions = bmsdesk_core::actions::Actions::new(client.clone(), Some(audit))
        .with_outbox(bmsdesk_core::store::outbox::Outbox::new(
            state_dir.join("outbox"),
        ))
        .with_drafts(bmsdesk_core::store::drafts::DraftStore::new(
            tui::drafts_dir(&state_dir),
        ));
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
