//! `bmsdesk sim`: the simulator alone, for scripts, tests and trying the CLI.

use std::time::Duration;

use super::args::SimArgs;
use super::error::{CliError, CliResult};
use crate::sim::{self, SimConfig};

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
