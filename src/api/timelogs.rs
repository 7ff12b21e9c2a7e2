//! Time logs on a ticket.

use super::client::Client;
use super::error::{ApiError, ApiResult};
use super::model::{Id, TimeLog, TimeLogInput};

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
