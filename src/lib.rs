pub mod api;
pub mod store;
pub mod tui;
