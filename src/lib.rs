pub mod api;
pub mod config;
pub mod domain;
pub mod store;
