pub mod api;
pub mod store;
