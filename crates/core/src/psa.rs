//! The interface the desk uses to talk to a PSA: every read and write the CLI, the TUI and
//! the actions make, in the desk's own types ([`crate::model`]). A backend crate implements
//! it (Kaseya BMS / Pulseway PSA v2: `bmsdesk_bms::Client`; Autotask next, as a sibling), so
//! nothing above this line knows which PSA it talks to.
//!
//! Errors are [`ApiError`]s: their kinds (not found, conflict, refused, transport, unknown
//! outcome) are what [`crate::retry::delivery`] and the outbox decide by, whatever the PSA.
//! Sign-in, token files and diagnostics are the backend's own (`bmsdesk doctor`, `login`):
//! they differ between PSAs and are not part of this interface.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use crate::budget::BudgetSnapshot;
use crate::error::ApiResult;
use crate::lookups::LookupKind;
use crate::model::{
    Account, AssignInput, Contact, Id, Location, LookupItem, Note, NoteInput, NoteTemplate,
    PatchOp, SlaInfo, Ticket, TicketFilter, TicketInput, TicketRow, TicketTemplate,
    TicketTemplateSummary, TimeLog, TimeLogInput, TimeLogTemplate, UserInfo,
};
use crate::retry::RetryPolicy;
use crate::tenant_time::TenantZone;

/// One page of a listing: its rows and, when the PSA tells, how many match in all.
#[derive(Debug, Clone)]
pub struct Reply<T> {
    pub result: T,
    pub total: Option<u64>,
}

/// What a listing streams to: each page's new rows, in order, and the total so far.
pub type OnPage<'a> = dyn FnMut(Vec<TicketRow>, Option<u64>) + Send + 'a;

/// A connection to one PSA tenant, shared by the worker tasks (`Arc<dyn Psa>`).
#[async_trait::async_trait]
pub trait Psa: Send + Sync {
    // --- who and where
    /// The signed-in user, as the PSA describes them.
    async fn user_info(&self) -> ApiResult<UserInfo>;
    /// The signed-in user's id: known, else asked now; `None` when the PSA cannot say.
    async fn user_id(&self) -> Option<Id>;
    /// The name signed in with, when a sign-in is held (the lost-reply check's author).
    async fn signed_in_username(&self) -> Option<String>;
    /// The zone the PSA's naive times are in.
    async fn tenant_zone(&self) -> ApiResult<TenantZone>;
    /// `local` on the PSA's clock (its `Date` headers tell the offset).
    fn server_time(&self, local: DateTime<Utc>) -> DateTime<Utc>;
    /// The PSA's clock minus ours, once measured.
    fn server_offset(&self) -> Option<TimeDelta>;

    // --- pacing and diagnostics
    fn retry_policy(&self) -> RetryPolicy;
    fn budget(&self) -> BudgetSnapshot;
    /// How often a background refresh should run, given it would run every `base` with
    /// budget to spare.
    fn suggested_refresh_interval(&self, base: Duration) -> Duration {
        self.budget().suggested_refresh_interval(base)
    }
    /// Things the user should be told once (a page cap met, a guess that failed).
    fn take_notices(&self) -> Vec<String>;

    // --- tickets
    /// Every matching ticket, each page to `on_page` as it lands; returns the rows read.
    async fn search_tickets_streamed(
        &self,
        filter: &TicketFilter,
        on_page: &mut OnPage<'_>,
    ) -> ApiResult<u64>;
    /// Every matching ticket, collected.
    async fn search_tickets(&self, filter: &TicketFilter) -> ApiResult<Vec<TicketRow>>;
    /// The first `n` matching tickets and the total.
    async fn search_tickets_first(
        &self,
        filter: &TicketFilter,
        n: u32,
    ) -> ApiResult<Reply<Vec<TicketRow>>>;
    async fn ticket(&self, id: Id) -> ApiResult<Ticket>;
    async fn sla_info(&self, id: Id) -> ApiResult<SlaInfo>;
    async fn create_ticket(&self, input: &TicketInput) -> ApiResult<Ticket>;
    async fn patch_ticket(&self, id: Id, ops: &[PatchOp]) -> ApiResult<Ticket>;
    async fn assign_ticket(&self, id: Id, input: &AssignInput) -> ApiResult<()>;
    async fn delete_ticket(&self, id: Id) -> ApiResult<()>;

    // --- notes and time
    async fn notes(&self, ticket_id: Id) -> ApiResult<Vec<Note>>;
    async fn note(&self, ticket_id: Id, note_id: Id) -> ApiResult<Note>;
    async fn add_note(&self, ticket_id: Id, input: &NoteInput) -> ApiResult<Note>;
    async fn update_note(&self, ticket_id: Id, note_id: Id, input: &NoteInput) -> ApiResult<Note>;
    async fn delete_note(&self, ticket_id: Id, note_id: Id) -> ApiResult<()>;
    async fn time_logs(&self, ticket_id: Id) -> ApiResult<Vec<TimeLog>>;
    async fn add_time_log(&self, ticket_id: Id, input: &TimeLogInput) -> ApiResult<TimeLog>;

    // --- reference data
    async fn lookup(&self, kind: LookupKind) -> ApiResult<Vec<LookupItem>>;
    async fn accounts(&self) -> ApiResult<Vec<Account>>;
    async fn locations(&self, account_id: Id) -> ApiResult<Vec<Location>>;
    async fn contacts(&self, account_id: Id, name: Option<&str>) -> ApiResult<Vec<Contact>>;
    async fn ticket_templates(&self) -> ApiResult<Vec<TicketTemplateSummary>>;
    async fn ticket_template(&self, id: Id) -> ApiResult<TicketTemplate>;
    async fn note_templates(&self) -> ApiResult<Vec<NoteTemplate>>;
    async fn note_template_body(&self, template_id: Id, ticket_id: Id) -> ApiResult<String>;
    async fn timelog_templates(&self) -> ApiResult<Vec<TimeLogTemplate>>;
}

/// The shared handle the actions and the TUI's worker hold.
pub type SharedPsa = Arc<dyn Psa>;
