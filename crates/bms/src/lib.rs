//! Kaseya BMS / Pulseway PSA v2: the REST client behind the core's [`Psa`] interface
//! (paths, envelope, sign-in, lookups, paging, the request budget). Knows nothing of the
//! terminal. Its guesses about the real API are in `bmsdesk_core::guesses`.

pub mod auth;
pub(crate) mod body;
pub mod budget;
pub mod client;
pub mod crm;
pub mod envelope;
pub mod lookups;
pub mod measure;
pub mod notes;
pub mod paging;
pub mod profile;
pub mod psa;
pub mod redirect;
pub mod server_clock;
pub mod templates;
pub mod tickets;
pub mod timelogs;

pub use auth::{TokenSet, TokenStore};
pub use bmsdesk_core::psa::Psa;
pub use budget::RequestBudget;
pub use client::{Client, ClientOptions};
pub use profile::ProfileExt;

use bmsdesk_core::error::{ApiError, ApiResult};
use bmsdesk_core::model::UserInfo;

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
