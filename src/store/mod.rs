//! Local state on disk: cache, audit log, drafts and outbox. Knows nothing of the terminal.

pub mod audit;
pub mod cache;
pub mod drafts;
pub mod fsutil;
pub mod outbox;
