//! Domain logic of the service desk: pure Rust, no terminal or network code.

pub mod calendar;
pub mod metrics;
pub mod note_type;
pub mod sla;
pub mod sla_settings;
pub mod timelog;
pub mod workflow;
