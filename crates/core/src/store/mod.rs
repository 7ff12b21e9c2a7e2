//! Local state on disk: cache (and the last copy of opened tickets), audit log, drafts and
//! outbox. Knows nothing of the terminal.

pub mod audit;
pub mod cache;
pub mod details;
pub mod drafts;
pub mod fsutil;
pub mod outbox;
