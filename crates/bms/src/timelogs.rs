//! Time logs on a ticket.

use crate::client::Client;
use bmsdesk_core::error::{ApiError, ApiResult};
use bmsdesk_core::model::{Id, TimeLog, TimeLogInput};

impl Client {
    pub async fn time_logs(&self, ticket_id: Id) -> ApiResult<Vec<TimeLog>> {
        self.get_all(
            &format!("/v2/servicedesk/tickets/{ticket_id}/timelogs"),
            &[],
        )
        .await
    }

    pub async fn add_time_log(&self, ticket_id: Id, input: &TimeLogInput) -> ApiResult<TimeLog> {
        let body = self.encode(input).await?;
        self.post::<Option<TimeLog>>(
            &format!("/v2/servicedesk/tickets/{ticket_id}/timelogs"),
            body,
        )
        .await?
        .result
        .ok_or_else(|| ApiError::Decode("adding the time log returned nothing".into()))
    }
}
