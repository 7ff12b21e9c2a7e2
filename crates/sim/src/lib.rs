//! The built-in BMS simulator: an axum server on loopback speaking the BMS v2 REST API (same
//! paths, camelCase envelopes, case-insensitive input) over an in-memory tenant generated
//! from a seed, with fault injection for reliability tests.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use bmsdesk_sim::{self as sim, SimConfig};
//! let handle = sim::spawn(SimConfig { tickets: 2000, ..SimConfig::default() }).await?;
//! println!("BMS simulator on {}", handle.base_url());
//! // sign in with sim::DEMO_TENANT / sim::DEMO_USER / sim::DEMO_PASSWORD
//! handle.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! * Sign-in: [`DEMO_TENANT`] / [`DEMO_USER`] / [`DEMO_PASSWORD`]; [`MFA_USER`] also needs
//!   [`MFA_CODE`]. Every technician `first.last@demo.example` signs in with the same password.
//! * Control (no token, never faulted): `GET|POST /_sim/faults` (a JSON [`Faults`], camelCase
//!   or PascalCase keys, e.g. `{"latencyMs":200,"rateLimitEvery":5,"methods":["GET"]}`;
//!   `"expireTokens":true` expires every access token), `POST /_sim/expire-tokens`
//!   (`{"refresh":true}` also kills refresh tokens), `GET /_sim/stats`, `POST /_sim/stats/reset`.
//! * Status types (`typeId` of the status lookup): see [`status_type`].

mod auth;
mod control;
mod crm;
mod envelope;
mod faults;
mod filter;
mod generate;
mod lookups;
mod notes;
pub mod record;
pub mod refdata;
mod rewrite;
mod routes;
mod shape;
mod state;
mod templates;
pub mod tenant;
mod tickets;
mod timelogs;
mod truth;
mod view;
pub mod wire;
mod words;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use faults::{FaultKind, Faults};
pub use record::{Exchange, NO_CHECK_HEADER};
pub use refdata::{
    DEMO_USER_FULL_NAME, DEMO_USER_ID, MFA_USER_FULL_NAME, MFA_USER_ID, Named, status_type,
};
pub use state::{SimState, SimStats};
pub use tenant::Tenant;

/// Sign-in of the demo tenant.
pub const DEMO_TENANT: &str = "Demo MSP";
pub const DEMO_USER: &str = "tech@demo.example";
pub const DEMO_PASSWORD: &str = "demo";
/// A user whose sign-in also needs [`MFA_CODE`] (same tenant and password).
pub const MFA_USER: &str = "mfa@demo.example";
pub const MFA_CODE: &str = "123456";

#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Seed of the generated tenant (same seed, same tenant).
    pub seed: u64,
    pub tickets: usize,
    pub accounts: usize,
    /// 0 = any free port.
    pub port: u16,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    /// Faults active from the start (change at runtime via the handle or `/_sim/faults`).
    pub faults: Faults,
    /// Largest `PageSize` honoured; bigger requests get this many rows.
    pub max_page_size: u32,
    /// Rows per page when a request gives no `PageSize`.
    pub default_page_size: u32,
    /// The "now" the tenant is generated around (SLA targets, ages). `None` = the real now.
    /// Fix it for reproducible data (snapshot tests); the server clock still runs.
    pub generated_at: Option<DateTime<Utc>>,
    /// The password every user signs in with (default [`DEMO_PASSWORD`]). Tests set a long,
    /// distinctive one so a scan can prove it never reaches a file or an output.
    pub password: String,
    /// The one-time code [`MFA_USER`] needs (default [`MFA_CODE`]).
    pub mfa_code: String,
    /// The tenant's time zone (default UTC): what `userinfo` reports, the zone of every naive
    /// time it writes and reads, and of its SLA business hours. It stores instants.
    pub tenant_zone: chrono_tz::Tz,
    /// Chance (0..=1) that a field the spec marks nullable is `null` in a reply, drawn per
    /// record and field from `seed` (the same record always has the same `null`s). Fields a
    /// record cannot lack (its title, a note's text…; see `sim::shape`) are never drawn.
    /// 0 for `bmsdesk demo`; the integration tests' rigs set a low rate.
    pub null_rate: f64,
    /// Every key of every API reply in PascalCase, as the spec spells them, instead of the
    /// live server's camelCase.
    pub pascal_case: bool,
    /// The tenant's note types, served by `GET /v2/system/lookup/NoteType`. `None`: the
    /// tenant has the standard types on its notes, but no such table (a 404). Note `TypeId`s
    /// are checked against the tenant's types either way.
    pub note_types: Option<Vec<Named>>,
    /// The tenant's ticket types, served by `GET /v2/system/lookup/TicketType`; `None` as for
    /// `note_types`.
    pub ticket_types: Option<Vec<Named>>,
    /// The ticket sources the tenant accepts as `SourceId` and names as `SourceName` (no
    /// endpoint lists them). `None`: any id is taken and none is named.
    pub sources: Option<Vec<Named>>,
    /// Record every API exchange (request and reply bodies included) for conformance checks:
    /// read them with [`SimState::exchanges`]. Off by default (it buffers every body).
    pub record: bool,
    /// Whether a comma-joined name filter (`StatusNames: "New,In Progress"`) is split into
    /// names (default). A tenant that does not split takes the whole string as one name.
    /// (A page cap below the size asked is `max_page_size`.)
    pub splits_commas: bool,
    /// Whether the ticket search accepts `Sort` (default); if not, a search that sends one is
    /// refused (`success: false`).
    pub sort_accepted: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 42,
            tickets: 500,
            accounts: 40,
            port: 0,
            access_ttl: Duration::from_secs(15 * 60),
            refresh_ttl: Duration::from_secs(24 * 60 * 60),
            faults: Faults::default(),
            max_page_size: 1000,
            default_page_size: 100,
            generated_at: None,
            password: DEMO_PASSWORD.to_string(),
            mfa_code: MFA_CODE.to_string(),
            tenant_zone: chrono_tz::Tz::UTC,
            null_rate: 0.0,
            pascal_case: false,
            note_types: Some(refdata::standard_note_types()),
            ticket_types: Some(refdata::standard_ticket_types()),
            sources: Some(refdata::standard_sources()),
            record: false,
            splits_commas: true,
            sort_accepted: true,
        }
    }
}

impl SimConfig {
    fn tables(&self) -> refdata::TenantTables {
        refdata::TenantTables {
            note_types: self.note_types.clone(),
            ticket_types: self.ticket_types.clone(),
            sources: self.sources.clone(),
        }
    }
}

fn chrono_duration(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::days(365))
}

/// Builds the state (generates the tenant) without serving it.
pub fn build_state(cfg: &SimConfig) -> SimState {
    let now = cfg.generated_at.unwrap_or_else(bmsdesk_core::clock::now);
    // SLA targets are counted in the tenant's business hours.
    let tables = cfg.tables();
    let mut tenant = bmsdesk_core::tenant_time::scoped(
        bmsdesk_core::tenant_time::TenantZone::Named(cfg.tenant_zone),
        || {
            generate::generate(
                cfg.seed,
                cfg.tickets,
                cfg.accounts,
                now,
                DEMO_USER,
                MFA_USER,
                &tables,
            )
        },
    );
    tenant.zone = cfg.tenant_zone;
    SimState(Arc::new(state::Shared {
        access_ttl: chrono_duration(cfg.access_ttl),
        refresh_ttl: chrono_duration(cfg.refresh_ttl),
        default_page_size: cfg.default_page_size.max(1),
        max_page_size: cfg.max_page_size.max(1),
        tenant: RwLock::new(tenant),
        auth: Mutex::new(auth::AuthStore::default()),
        faults: Mutex::new(faults::FaultState::new(cfg.faults.clone(), cfg.seed)),
        stats: Mutex::new(SimStats::default()),
        password: cfg.password.clone(),
        mfa_code: cfg.mfa_code.clone(),
        zone: cfg.tenant_zone,
        splits_commas: cfg.splits_commas,
        sort_accepted: cfg.sort_accepted,
        shape: shape::Shape {
            pascal: cfg.pascal_case,
            null_rate: cfg.null_rate.clamp(0.0, 1.0),
            seed: cfg.seed,
        },
        version: Default::default(),
        searches: Mutex::new(Vec::new()),
        lagging: Mutex::new(Vec::new()),
        recorder: record::Recorder::new(cfg.record),
    }))
}

/// The standard tenant the benchmark fixtures below are drawn from.
fn bench_tenant(seed: u64, tickets: usize, now: DateTime<Utc>) -> Tenant {
    generate::generate(
        seed,
        tickets,
        40,
        now,
        DEMO_USER,
        MFA_USER,
        &refdata::TenantTables::standard(),
    )
}

/// Ticket rows of a generated tenant as the server holds them (newest first), in the
/// client's type, without serving anything: fixtures for benchmarks at MSP scale.
pub fn generated_rows(seed: u64, tickets: usize, now: DateTime<Utc>) -> Vec<truth::TicketRow> {
    let t = bench_tenant(seed, tickets, now);
    t.order
        .iter()
        .map(|&i| truth::ticket_row(&t, &t.tickets[i as usize]))
        .collect()
}

/// The same rows as the JSON objects the search endpoint puts in `result` (`TicketListDto`,
/// camelCase keys, `Details` included, no `null`s drawn).
pub fn generated_rows_json(
    seed: u64,
    tickets: usize,
    now: DateTime<Utc>,
) -> Vec<serde_json::Value> {
    let t = bench_tenant(seed, tickets, now);
    t.order
        .iter()
        .map(|&i| shape::finish(shape::record(&view::ticket_row(&t, &t.tickets[i as usize]))))
        .collect()
}

/// What [`SimHandle::on_drop`] runs (in a mutex so the handle stays `Sync`).
type DropHook = Mutex<Option<Box<dyn FnOnce(&SimState) + Send>>>;

/// A running simulator. Dropping it stops the server.
pub struct SimHandle {
    pub addr: SocketAddr,
    state: SimState,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    on_drop: DropHook,
}

impl SimHandle {
    /// `http://127.0.0.1:PORT` (what `ClientOptions::new` takes).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The server's state: inspect the tenant, set faults, expire tokens, read stats.
    pub fn state(&self) -> &SimState {
        &self.state
    }

    /// Runs `f` over the state when the handle is dropped or shut down: a test rig checks
    /// the recorded exchanges there (see [`SimConfig::record`]), so a test fails on a
    /// divergence without asking for the check itself.
    pub fn on_drop(&mut self, f: impl FnOnce(&SimState) + Send + 'static) {
        *self.on_drop.get_mut().unwrap_or_else(|e| e.into_inner()) = Some(Box::new(f));
    }

    /// Stops accepting, lets requests in flight finish (up to 5 s), then returns.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }

    /// Serves until `signal` completes (e.g. `tokio::signal::ctrl_c()`), then shuts down.
    pub async fn run_until<F: std::future::Future>(self, signal: F) {
        signal.await;
        self.shutdown().await;
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            task.abort();
        }
        // Last: a hook that panics (a failed check) leaves the server stopped.
        let hook = self
            .on_drop
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(hook) = hook {
            hook(&self.state);
        }
    }
}

/// Generates the tenant and serves it on `127.0.0.1:cfg.port` in a background task.
pub async fn spawn(cfg: SimConfig) -> std::io::Result<SimHandle> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", cfg.port)).await?;
    let addr = listener.local_addr()?;
    let state = tokio::task::spawn_blocking(move || build_state(&cfg))
        .await
        .map_err(std::io::Error::other)?;
    let app = routes::router(state.clone());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
        if let Err(e) = served {
            tracing::warn!(error = %e, "simulator stopped with an error");
        }
    });
    tracing::info!(%addr, "BMS simulator listening");
    Ok(SimHandle {
        addr,
        state,
        stop: Some(stop),
        task: Some(task),
        on_drop: Mutex::new(None),
    })
}
