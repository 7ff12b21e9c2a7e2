//! [`Client`] as the core's [`Psa`]: each method is the client's own, so the CLI (which
//! also uses BMS-only calls: sign-in, doctor) and the desk read the same code.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use bmsdesk_core::budget::BudgetSnapshot;
use bmsdesk_core::error::ApiResult;
use bmsdesk_core::lookups::LookupKind;
use bmsdesk_core::model::{
    Account, AssignInput, Contact, Id, Location, LookupItem, Note, NoteInput, NoteTemplate,
    PatchOp, SlaInfo, Ticket, TicketFilter, TicketInput, TicketRow, TicketTemplate,
    TicketTemplateSummary, TimeLog, TimeLogInput, TimeLogTemplate, UserInfo,
};
use bmsdesk_core::psa::{OnPage, Psa, Reply};
use bmsdesk_core::retry::RetryPolicy;
use bmsdesk_core::tenant_time::TenantZone;

use crate::client::Client;

#[async_trait::async_trait]
impl Psa for Client {
    async fn user_info(&self) -> ApiResult<UserInfo> {
        Client::user_info(self).await
    }
    async fn user_id(&self) -> Option<Id> {
        Client::user_id(self).await
    }
    async fn signed_in_username(&self) -> Option<String> {
        Client::tokens(self).await.map(|t| t.username)
    }
    async fn tenant_zone(&self) -> ApiResult<TenantZone> {
        Client::tenant_zone(self).await
    }
    fn server_time(&self, local: DateTime<Utc>) -> DateTime<Utc> {
        Client::server_time(self, local)
    }
    fn server_offset(&self) -> Option<TimeDelta> {
        Client::server_offset(self)
    }
    fn retry_policy(&self) -> RetryPolicy {
        Client::retry_policy(self).clone()
    }
    fn budget(&self) -> BudgetSnapshot {
        Client::budget(self)
    }
    fn suggested_refresh_interval(&self, base: Duration) -> Duration {
        Client::suggested_refresh_interval(self, base)
    }
    fn take_notices(&self) -> Vec<String> {
        Client::take_notices(self)
    }
    async fn search_tickets_streamed(
        &self,
        filter: &TicketFilter,
        on_page: &mut OnPage<'_>,
    ) -> ApiResult<u64> {
        Client::search_tickets_streamed(self, filter, on_page).await
    }
    async fn search_tickets(&self, filter: &TicketFilter) -> ApiResult<Vec<TicketRow>> {
        Client::search_tickets(self, filter).await
    }
    async fn search_tickets_first(
        &self,
        filter: &TicketFilter,
        n: u32,
    ) -> ApiResult<Reply<Vec<TicketRow>>> {
        Client::search_tickets_first(self, filter, n).await
    }
    async fn ticket(&self, id: Id) -> ApiResult<Ticket> {
        Client::ticket(self, id).await
    }
    async fn sla_info(&self, id: Id) -> ApiResult<SlaInfo> {
        Client::sla_info(self, id).await
    }
    async fn create_ticket(&self, input: &TicketInput) -> ApiResult<Ticket> {
        Client::create_ticket(self, input).await
    }
    async fn patch_ticket(&self, id: Id, ops: &[PatchOp]) -> ApiResult<Ticket> {
        Client::patch_ticket(self, id, ops).await
    }
    async fn assign_ticket(&self, id: Id, input: &AssignInput) -> ApiResult<()> {
        Client::assign_ticket(self, id, input).await
    }
    async fn delete_ticket(&self, id: Id) -> ApiResult<()> {
        Client::delete_ticket(self, id).await
    }
    async fn notes(&self, ticket_id: Id) -> ApiResult<Vec<Note>> {
        Client::notes(self, ticket_id).await
    }
    async fn note(&self, ticket_id: Id, note_id: Id) -> ApiResult<Note> {
        Client::note(self, ticket_id, note_id).await
    }
    async fn add_note(&self, ticket_id: Id, input: &NoteInput) -> ApiResult<Note> {
        Client::add_note(self, ticket_id, input).await
    }
    async fn update_note(&self, ticket_id: Id, note_id: Id, input: &NoteInput) -> ApiResult<Note> {
        Client::update_note(self, ticket_id, note_id, input).await
    }
    async fn delete_note(&self, ticket_id: Id, note_id: Id) -> ApiResult<()> {
        Client::delete_note(self, ticket_id, note_id).await
    }
    async fn time_logs(&self, ticket_id: Id) -> ApiResult<Vec<TimeLog>> {
        Client::time_logs(self, ticket_id).await
    }
    async fn add_time_log(&self, ticket_id: Id, input: &TimeLogInput) -> ApiResult<TimeLog> {
        Client::add_time_log(self, ticket_id, input).await
    }
    async fn lookup(&self, kind: LookupKind) -> ApiResult<Vec<LookupItem>> {
        Client::lookup(self, kind).await
    }
    async fn accounts(&self) -> ApiResult<Vec<Account>> {
        Client::accounts(self).await
    }
    async fn locations(&self, account_id: Id) -> ApiResult<Vec<Location>> {
        Client::locations(self, account_id).await
    }
    async fn contacts(&self, account_id: Id, name: Option<&str>) -> ApiResult<Vec<Contact>> {
        Client::contacts(self, account_id, name).await
    }
    async fn ticket_templates(&self) -> ApiResult<Vec<TicketTemplateSummary>> {
        Client::ticket_templates(self).await
    }
    async fn ticket_template(&self, id: Id) -> ApiResult<TicketTemplate> {
        Client::ticket_template(self, id).await
    }
    async fn note_templates(&self) -> ApiResult<Vec<NoteTemplate>> {
        Client::note_templates(self).await
    }
    async fn note_template_body(&self, template_id: Id, ticket_id: Id) -> ApiResult<String> {
        Client::note_template_body(self, template_id, ticket_id).await
    }
    async fn timelog_templates(&self) -> ApiResult<Vec<TimeLogTemplate>> {
        Client::timelog_templates(self).await
    }
}

/// The core's cache reading through a real BMS client (an HTTP stub behind it): each list
/// once, per account where it is per account, stale data in an outage.
#[cfg(test)]
mod cache_tests {
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};

    use bmsdesk_core::lookups::LookupKind;
    use bmsdesk_core::secret::{Credentials, Secret};
    use bmsdesk_core::store::cache::Cache;
    use chrono::TimeDelta;

    use crate::client::{Client, ClientOptions};

    #[derive(Default)]
    struct Stub {
        hits: Mutex<HashMap<String, usize>>,
        down: AtomicBool,
    }

    impl Stub {
        fn hit(&self, what: &str) {
            *self
                .hits
                .lock()
                .unwrap()
                .entry(what.to_string())
                .or_default() += 1;
        }
        fn hits(&self, what: &str) -> usize {
            self.hits.lock().unwrap().get(what).copied().unwrap_or(0)
        }
    }

    async fn start_stub() -> (Client, Arc<Stub>) {
        use axum::extract::{Path as UrlPath, State};
        use axum::http::StatusCode;
        use axum::response::{IntoResponse, Response};
        use axum::routing::{get, post};
        use axum::{Json, Router};
        use serde_json::json;

        type St = State<Arc<Stub>>;
        fn reply(stub: &Stub, what: &str, result: serde_json::Value) -> Response {
            stub.hit(what);
            if stub.down.load(Ordering::SeqCst) {
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            }
            Json(json!({"success": true, "result": result})).into_response()
        }

        let stub = Arc::new(Stub::default());
        let app = Router::new()
            .route(
                "/v2/security/authenticate",
                post(|| async {
                    Json(json!({"success": true, "result": {"accessToken": "tok", "refreshToken": "r",
                        "accessTokenExpireOn": "2099-01-01T00:00:00"}}))
                }),
            )
            .route(
                "/v2/crm/accounts/lookup",
                get(|State(s): St| async move {
                    reply(&s, "accounts", json!([{"id": 1, "name": "Acme"}, {"id": 2, "name": "Globex"}]))
                }),
            )
            .route(
                "/v2/crm/accounts/{id}/locations/lookup",
                get(|State(s): St, UrlPath(id): UrlPath<i64>| async move {
                    reply(&s, &format!("locations/{id}"), json!([{"id": id * 10, "name": "Main Office"}]))
                }),
            )
            .route(
                "/v2/system/statuses/lookup",
                get(|State(s): St| async move {
                    reply(&s, "statuses", json!([{"id": 5, "name": "New"}]))
                }),
            )
            .with_state(stub.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let mut opts = ClientOptions::new(format!("http://{addr}"));
        opts.credentials = Some(Credentials {
            tenant: "T".into(),
            username: "u".into(),
            password: Secret::new("pw"),
            mfa_code: None,
        });
        opts.max_retries = 0;
        // The stub serves each list whole on one page: as if `doctor` had measured that, so a
        // short page is the end and every fetch is one request (what these tests count).
        opts.capabilities.page_size_tried = Some(opts.page_size);
        (Client::new(opts).unwrap(), stub)
    }

    #[tokio::test]
    async fn fetches_once_then_serves_from_cache() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("cache.json");
        let (client, stub) = start_stub().await;
        let mut c = Cache::load(&path).scoped("s");

        let a = c.accounts(&client, false).await.unwrap();
        assert_eq!(a.len(), 2);
        let again = c.accounts(&client, false).await.unwrap();
        assert_eq!(again, a);
        assert_eq!(stub.hits("accounts"), 1);

        // Saved on fetch: a new process finds it too.
        let mut reloaded = Cache::load(&path).scoped("s");
        reloaded.accounts(&client, false).await.unwrap();
        assert_eq!(stub.hits("accounts"), 1);

        c.accounts(&client, true).await.unwrap();
        assert_eq!(stub.hits("accounts"), 2, "refresh always fetches");

        let mut expired = Cache::load(&path).scoped("s").with_ttl(TimeDelta::zero());
        expired.accounts(&client, false).await.unwrap();
        assert_eq!(stub.hits("accounts"), 3, "stale entries are refetched");

        let statuses = c
            .lookup(&client, LookupKind::Statuses, false)
            .await
            .unwrap();
        c.lookup(&client, LookupKind::Statuses, false)
            .await
            .unwrap();
        assert_eq!((statuses[0].id, stub.hits("statuses")), (5, 1));
    }

    #[tokio::test]
    async fn locations_are_cached_per_account() {
        let tmp = tempfile::tempdir().unwrap();
        let (client, stub) = start_stub().await;
        let mut c = Cache::load(tmp.path().join("cache.json")).scoped("s");
        let one = c.locations(&client, 1, false).await.unwrap();
        let two = c.locations(&client, 2, false).await.unwrap();
        assert_eq!((one[0].id, one[0].account_id), (10, 1));
        assert_eq!((two[0].id, two[0].account_id), (20, 2));
        assert_eq!(one[0].name, two[0].name);
        c.locations(&client, 1, false).await.unwrap();
        assert_eq!((stub.hits("locations/1"), stub.hits("locations/2")), (1, 1));
    }

    #[tokio::test]
    async fn outage_falls_back_to_stale_data_unless_refreshing() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("cache.json");
        let (client, stub) = start_stub().await;
        // Warm the sign-in while the server is up, so the outage only hits the list calls.
        let mut c = Cache::load(&path).scoped("s");
        c.accounts(&client, false).await.unwrap();
        stub.down.store(true, Ordering::SeqCst);

        let mut stale = Cache::load(&path).scoped("s").with_ttl(TimeDelta::zero());
        let fetched_at = stale.cached_accounts().unwrap().fetched_at;
        let got = stale.accounts(&client, false).await.unwrap();
        assert_eq!(got.len(), 2, "stale list while the server is down");
        assert_eq!(stale.cached_accounts().unwrap().fetched_at, fetched_at);
        assert_eq!(stub.hits("accounts"), 2, "it did try the server");

        let err = stale.accounts(&client, true).await.unwrap_err();
        assert!(err.is_transient(), "{err:?}");

        let mut empty = Cache::load(tmp.path().join("other.json"));
        assert!(empty.accounts(&client, false).await.is_err());
    }
}
