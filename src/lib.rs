pub mod actions;
pub mod api;
pub mod cli;
pub mod config;
pub mod domain;
pub mod logging;
pub mod sim;
pub mod store;
