pub mod api;
pub mod config;
pub mod domain;
pub mod logging;
pub mod store;
pub mod tui;
