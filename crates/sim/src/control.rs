//! `/_sim/*`: the simulator's own control endpoints (never faulted, no bearer token).
//!
//! * `GET /_sim/faults`, `POST /_sim/faults` (JSON [`Faults`], replaces the active set; may
//!   also carry `"expireTokens": true` / `"expireRefreshTokens": true`)
//! * `POST /_sim/expire-tokens` (`{"refresh": true}` also kills refresh tokens)
//! * `GET /_sim/stats`, `POST /_sim/stats/reset`

use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use serde_json::Value;

use axum::http::StatusCode;
use serde::Serialize;
use serde_json::json;

use super::envelope::{SimError, SimResult, json_response};
use super::faults::Faults;
use super::state::SimState;
use bmsdesk_core::wire::normalize_keys;

/// The control replies' own envelope: camelCase always, whatever the API's reply shape, and
/// their keys (request counters' `"GET /v2/…"`) left as they are.
fn ok<T: Serialize>(result: T) -> SimResult<Response> {
    let result = serde_json::to_value(result)
        .map_err(|e| SimError::bad_request(format!("cannot encode the reply: {e}")))?;
    Ok(json_response(
        StatusCode::OK,
        &json!({"success": true, "error": null, "result": result}),
    ))
}

fn json_body(body: &[u8]) -> SimResult<Value> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_slice::<Value>(body)
        .map(normalize_keys)
        .map_err(|e| SimError::bad_request(format!("The request body is not valid JSON: {e}")))
}

fn take_flag(v: &mut Value, key: &str) -> bool {
    v.as_object_mut()
        .and_then(|m| m.remove(key))
        .is_some_and(|f| f.as_bool().unwrap_or(false))
}

pub async fn get_faults(State(st): State<SimState>) -> SimResult<Response> {
    ok(st.faults())
}

pub async fn set_faults(State(st): State<SimState>, body: Bytes) -> SimResult<Response> {
    let mut v = json_body(&body)?;
    let expire = take_flag(&mut v, "expireTokens");
    let expire_refresh = take_flag(&mut v, "expireRefreshTokens");
    let faults: Faults = serde_json::from_value(v)
        .map_err(|e| SimError::bad_request(format!("Not a valid faults object: {e}")))?;
    st.set_faults(faults);
    if expire {
        st.expire_access_tokens();
    }
    if expire_refresh {
        st.expire_refresh_tokens();
    }
    ok(st.faults())
}

pub async fn expire_tokens(State(st): State<SimState>, body: Bytes) -> SimResult<Response> {
    let mut v = json_body(&body)?;
    st.expire_access_tokens();
    if take_flag(&mut v, "refresh") {
        st.expire_refresh_tokens();
    }
    ok(Value::Null)
}

pub async fn stats(State(st): State<SimState>) -> SimResult<Response> {
    ok(st.stats())
}

pub async fn reset_stats(State(st): State<SimState>) -> SimResult<Response> {
    st.reset_stats();
    ok(Value::Null)
}
