//! bmsdesk's core: the service desk as a technician sees it, whatever the PSA behind it.
//!
//! No terminal (ratatui, crossterm) and no HTTP server (axum) may be used here: the TUI and
//! the simulators are their own crates, and a PSA backend talks to its server behind
//! [`psa::Psa`]. Reading order: `model` (the desk's types) → `psa` (the interface) → `ops`
//! (a write as data) → `actions` (writes with audit, retries and the outbox) → `store`
//! (files) → `domain` (SLA, workflow, metrics) → `config`.

pub mod actions;
pub mod base_url;
pub mod budget;
pub mod capabilities;
pub mod clock;
pub mod config;
pub mod domain;
pub mod draft;
pub mod error;
pub mod guesses;
pub mod logging;
pub mod lookups;
pub mod model;
pub mod name;
pub mod ops;
pub mod psa;
pub mod retry;
pub mod secret;
pub mod send_state;
pub mod store;
pub mod tenant_time;
pub mod text;
pub mod wire;

pub use error::{ApiError, ApiResult};
pub use psa::{Psa, SharedPsa};
