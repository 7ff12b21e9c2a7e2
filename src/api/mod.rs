//! BMS v2 REST client. Knows nothing of the terminal.

pub mod auth;
pub(crate) mod body;
pub mod budget;
pub mod capabilities;
pub mod client;
pub mod crm;
pub mod error;
pub mod guesses;
pub mod lookups;
pub mod measure;
pub mod model;
pub mod name;
pub mod notes;
pub mod ops;
pub mod paging;
pub mod redirect;
pub mod retry;
pub mod send_state;
pub mod server_clock;
pub mod templates;
pub mod tenant_time;
pub mod tickets;
pub mod timelogs;
pub mod wire;

pub use auth::{Credentials, Secret, TokenSet, TokenStore};
pub use budget::{BudgetSnapshot, EndpointBudget};
pub use capabilities::Capabilities;
pub use client::{Client, ClientOptions, resolve_base_url};
pub use error::{ApiError, ApiResult};
pub use lookups::LookupKind;
pub use ops::{WriteOp, WriteResult};
pub use retry::RetryPolicy;
pub use tenant_time::TenantZone;
pub use tickets::TicketDraft;

use model::UserInfo;

impl Client {
    /// `GET /v2/security/userinfo`.
    pub async fn user_info(&self) -> ApiResult<UserInfo> {
        let info = self
            .get::<Option<UserInfo>>("/v2/security/userinfo", &[])
            .await?
            .result
            .ok_or_else(|| ApiError::Decode("userinfo returned nothing".into()))?;
        self.learn_user(&info);
        Ok(info)
    }
}
