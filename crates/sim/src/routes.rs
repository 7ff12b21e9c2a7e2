//! The router: every path the client calls, under the same templates as the real API.

use axum::Router;
use axum::extract::Request;
use axum::middleware::from_fn_with_state;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use super::envelope::SimError;
use super::state::SimState;
use super::{auth, control, crm, faults, lookups, notes, record, templates, tickets, timelogs};

async fn no_route(req: Request) -> Response {
    SimError::not_found(format!(
        "No endpoint {} {} in the simulator",
        req.method(),
        req.uri().path()
    ))
    .into_response()
}

pub fn router(st: SimState) -> Router {
    const T: &str = "/v2/servicedesk/tickets/{ticketId}";
    let protected = Router::new()
        .route("/v2/security/userinfo", get(auth::userinfo))
        .route("/v2/crm/accounts/lookup", get(crm::accounts))
        .route(
            "/v2/crm/accounts/{accountId}/locations/lookup",
            get(crm::locations),
        )
        .route(
            "/v2/crm/accounts/{accountId}/contacts/lookup",
            get(crm::contacts),
        )
        .route(
            "/v2/servicedesk/tickets",
            get(tickets::list).post(tickets::create),
        )
        .route("/v2/servicedesk/tickets/search", post(tickets::search))
        .route(
            T,
            get(tickets::get)
                .put(tickets::replace)
                .patch(tickets::patch)
                .delete(tickets::delete),
        )
        .route(&format!("{T}/assignticket"), post(tickets::assign))
        .route(&format!("{T}/slainfo"), get(tickets::sla_info))
        .route(&format!("{T}/notes"), get(notes::list).post(notes::create))
        .route(
            &format!("{T}/notes/{{noteId}}"),
            get(notes::get).put(notes::update).delete(notes::delete),
        )
        .route(
            &format!("{T}/timelogs"),
            get(timelogs::list).post(timelogs::create),
        )
        .route("/v2/system/statuses/lookup", get(lookups::statuses))
        .route("/v2/system/priorities/lookup", get(lookups::priorities))
        .route("/v2/system/queues/lookup", get(lookups::queues))
        .route("/v2/system/issuetypes/lookup", get(lookups::issue_types))
        .route("/v2/system/worktypes/lookup", get(lookups::work_types))
        .route("/v2/system/roles/lookup", get(lookups::roles))
        .route("/v2/system/slas/lookup", get(lookups::slas))
        .route("/v2/system/lookup/{tableName}", get(lookups::system_table))
        .route("/v2/hr/assignees/lookup", get(lookups::assignees))
        .route("/v2/hr/employees/lookup", get(lookups::employees))
        .route(
            "/v2/servicedesk/templates/tickets/lookup",
            get(templates::ticket_lookup),
        )
        .route(
            "/v2/servicedesk/templates/tickets/{templateId}",
            get(templates::ticket_template),
        )
        .route(
            "/v2/servicedesk/templates/notes/lookup",
            get(templates::note_lookup),
        )
        .route(
            "/v2/servicedesk/templates/notes/{templateId}/{ticketId}",
            get(templates::note_body),
        )
        .route(
            "/v2/servicedesk/templates/timelogs/lookup",
            get(templates::timelog_lookup),
        )
        .route(
            "/v2/servicedesk/templates/timelogs/{templateId}/{ticketId}",
            get(templates::timelog_body),
        )
        .route_layer(from_fn_with_state(st.clone(), auth::require_bearer));

    let api = Router::new()
        .route("/v2/security/authenticate", post(auth::authenticate))
        .route("/v2/security/refreshtoken", post(auth::refresh))
        .merge(protected)
        // Outermost last: count, then fault, then authenticate.
        .route_layer(from_fn_with_state(st.clone(), faults::inject_faults))
        .route_layer(from_fn_with_state(st.clone(), faults::count_requests));

    let control = Router::new()
        .route(
            "/_sim/faults",
            get(control::get_faults).post(control::set_faults),
        )
        .route("/_sim/expire-tokens", post(control::expire_tokens))
        .route("/_sim/stats", get(control::stats))
        .route("/_sim/stats/reset", post(control::reset_stats));

    api.merge(control)
        .fallback(no_route)
        // Over everything, the fallback included: a request to a path the simulator lacks is
        // recorded too.
        .layer(from_fn_with_state(st.clone(), record::record))
        .with_state(st)
}
