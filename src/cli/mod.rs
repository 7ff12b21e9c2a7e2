//! The scriptable CLI: every read and write the TUI can do, with tables or `--json`.

pub mod args;
pub mod context;
pub mod doctor;
pub mod error;
pub mod launch;
pub mod metrics;
pub mod notes;
pub mod outbox;
pub mod output;
pub mod reference;
pub mod resolve;
pub mod session;
/// `demo` and `sim`: the built-in simulators (the default `demo` feature).
#[cfg(feature = "demo")]
pub mod simulate;
pub mod text_input;
pub mod tickets;
pub mod time;

use std::process::ExitCode;

use clap::Parser;

pub use args::Cli;
use args::Command;
use context::Ctx;
pub use error::{CliError, CliResult};

/// Parses the command line, runs it, and maps the outcome to an exit code.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    // Logs go to a file, never the terminal (the TUI owns it). A broken config still logs to
    // the default place; the command itself then reports the config problem.
    let log_file = bmsdesk_core::config::Config::load(
        cli.global.config.as_deref(),
        &bmsdesk_core::config::process_env,
    )
    .ok()
    .and_then(|c| c.log_file(&bmsdesk_core::config::process_env).ok());
    let _log = bmsdesk_core::logging::init(log_file, "info").inspect_err(|e| {
        // A planted link or FIFO at the log path is refused: say so (other failures only
        // cost the log, as before).
        if let bmsdesk_core::logging::LogError::Open { source, .. } = e
            && bmsdesk_core::store::fsutil::is_refusal(source)
        {
            eprintln!("warning: log file {source}; nothing is logged this run");
        }
    });
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Error messages quote the server: never raw on the terminal.
            eprintln!(
                "error: {}",
                bmsdesk_core::text::sanitize_text(&e.to_string())
            );
            ExitCode::from(e.exit_code())
        }
    }
}

pub async fn run(cli: Cli) -> CliResult<()> {
    let global = cli.global;
    let Some(command) = cli.command else {
        return launch::tui_on_tenant(&global).await;
    };
    match command {
        #[cfg(feature = "demo")]
        Command::Demo(args) => simulate::demo(&global, &args).await,
        #[cfg(feature = "demo")]
        Command::Sim(args) => simulate::sim(&args).await,
        Command::Login { mfa_code } => {
            let code = match mfa_code.as_deref() {
                Some("-") => Some(session::read_code_from_stdin()?),
                _ => mfa_code.or_else(|| std::env::var("BMS_MFA_CODE").ok()),
            };
            session::login(&global, code).await
        }
        Command::Doctor(args) => doctor::run(&global, args).await,
        Command::Logout => session::logout(&global).await,
        Command::Whoami => session::whoami(&global).await,
        Command::Accounts { search } => {
            reference::accounts(&mut Ctx::open(&global).await?, search).await
        }
        Command::Locations { account } => {
            reference::locations(&mut Ctx::open(&global).await?, &account).await
        }
        Command::Contacts { account, search } => {
            reference::contacts(&mut Ctx::open(&global).await?, &account, search).await
        }
        Command::Tickets(cmd) => tickets::run(&mut Ctx::open(&global).await?, cmd).await,
        Command::Notes(cmd) => notes::run(&mut Ctx::open(&global).await?, cmd).await,
        Command::Lookup { kind } => reference::lookup(&mut Ctx::open(&global).await?, &kind).await,
        Command::Templates(cmd) => reference::templates(&mut Ctx::open(&global).await?, cmd).await,
        Command::Time(cmd) => time::run(&mut Ctx::open(&global).await?, cmd).await,
        Command::Outbox(cmd) => outbox::run(&global, cmd).await,
        Command::Metrics(f) => metrics::run(&mut Ctx::open(&global).await?, f).await,
    }
}
