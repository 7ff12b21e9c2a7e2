//! Accounts, locations (always account-scoped) and contacts.

use crate::client::{Client, q};
use bmsdesk_core::error::ApiResult;
use bmsdesk_core::model::{Account, Contact, Id, Location};

impl Client {
    /// `GET /v2/crm/accounts/lookup`, every page.
    pub async fn accounts(&self) -> ApiResult<Vec<Account>> {
        self.get_all("/v2/crm/accounts/lookup", &[]).await
    }

    /// `GET /v2/crm/accounts/{accountId}/locations/lookup`.
    pub async fn locations(&self, account_id: Id) -> ApiResult<Vec<Location>> {
        let reply = self
            .get::<Option<Vec<Location>>>(
                &format!("/v2/crm/accounts/{account_id}/locations/lookup"),
                &[],
            )
            .await?;
        let mut locations = reply.result.unwrap_or_default();
        // The lookup row may omit the account; a location is always keyed by (account, id).
        for l in &mut locations {
            l.account_id = account_id;
        }
        Ok(locations)
    }

    /// `GET /v2/crm/accounts/{accountId}/contacts/lookup`, every page.
    pub async fn contacts(&self, account_id: Id, name: Option<&str>) -> ApiResult<Vec<Contact>> {
        let mut query = Vec::new();
        if let Some(n) = name {
            query.push(q("Filter.Name", n));
        }
        self.get_all(
            &format!("/v2/crm/accounts/{account_id}/contacts/lookup"),
            &query,
        )
        .await
    }
}
