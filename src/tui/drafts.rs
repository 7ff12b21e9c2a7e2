//! Note drafts live in `store::drafts`; re-exported here for the TUI's modules.

pub use crate::store::drafts::{DraftStore, NoteDraft};
