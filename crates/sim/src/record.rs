//! A recording of every API exchange (request and reply as they crossed the wire), for the
//! spec conformance tests: they check each recorded request and reply against the OpenAPI
//! document. Off unless [`super::SimConfig::record`] (or [`super::SimState::set_recording`])
//! turns it on; `/_sim/*` control requests are never recorded.
//!
//! Exchanges whose reply was broken on purpose (a fault from `faults.rs`, a hostile rewrite
//! from `rewrite.rs`) carry what was injected in [`Exchange::injected`], and requests a test
//! sends on purpose outside the client (say, a malformed body) carry the value of
//! [`NO_CHECK_HEADER`] in [`Exchange::no_check`], so a checker can leave both out.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::state::SimState;

/// A request header a test sets on a raw request it sends on purpose (a hostile or
/// deliberately wrong one): its value (the reason) is kept in [`Exchange::no_check`].
pub const NO_CHECK_HEADER: &str = "x-sim-no-check";

/// Bodies (either way) up to this size are kept whole; a larger one is kept empty with
/// [`Exchange::truncated`] set. Recording buffers bodies, so this also bounds memory.
const MAX_BODY: usize = 64 << 20;

/// One request and its reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    pub method: String,
    /// The path as sent (`/v2/servicedesk/tickets/12/notes`), without the query.
    pub path: String,
    /// The raw query string (without `?`), if any.
    pub query: Option<String>,
    pub request_content_type: Option<String>,
    pub request_body: Vec<u8>,
    pub status: u16,
    pub reply_content_type: Option<String>,
    /// Empty when the reply was injected (a broken body is not recorded).
    pub reply_body: Vec<u8>,
    /// What the simulator injected into this exchange on purpose (`"fault: dropped"`,
    /// `"rewrite"`), if anything.
    pub injected: Option<String>,
    /// The [`NO_CHECK_HEADER`] value of a request a test sent on purpose.
    pub no_check: Option<String>,
    /// A body was over the recording limit and is not kept.
    pub truncated: bool,
}

impl Exchange {
    /// Whether a conformance check should look at this exchange.
    pub fn checkable(&self) -> bool {
        self.injected.is_none() && self.no_check.is_none() && !self.truncated
    }
}

/// The marker `faults.rs` puts in a reply's extensions when it injected something.
#[derive(Debug, Clone)]
pub(crate) struct Injected(pub String);

#[derive(Debug, Default)]
pub(crate) struct Recorder {
    on: AtomicBool,
    exchanges: Mutex<Vec<Exchange>>,
}

impl Recorder {
    pub fn new(on: bool) -> Self {
        Recorder {
            on: AtomicBool::new(on),
            exchanges: Mutex::new(Vec::new()),
        }
    }

    pub fn set(&self, on: bool) {
        self.on.store(on, Ordering::SeqCst);
    }

    pub fn is_on(&self) -> bool {
        self.on.load(Ordering::SeqCst)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Exchange>> {
        self.exchanges.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn push(&self, e: Exchange) {
        self.lock().push(e);
    }

    pub fn snapshot(&self) -> Vec<Exchange> {
        self.lock().clone()
    }

    pub fn take(&self) -> Vec<Exchange> {
        std::mem::take(&mut *self.lock())
    }
}

fn content_type(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// Middleware (outermost, over every route and the fallback): records the exchange when
/// recording is on. It sees the request before any fault or rewrite touched it and the
/// reply after them.
pub async fn record(State(st): State<SimState>, req: Request, next: Next) -> Response {
    let rec = &st.shared().recorder;
    if !rec.is_on() || req.uri().path().starts_with("/_sim/") {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(request_body) = to_bytes(body, MAX_BODY).await else {
        // Only while recording: a body this large is not something the client sends.
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            "request body over the recorder's limit",
        )
            .into_response();
    };
    let mut ex = Exchange {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        request_content_type: content_type(&parts.headers),
        request_body: request_body.to_vec(),
        status: 0,
        reply_content_type: None,
        reply_body: Vec::new(),
        injected: None,
        no_check: parts
            .headers
            .get(NO_CHECK_HEADER)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned()),
        truncated: false,
    };
    let resp = next
        .run(Request::from_parts(parts, Body::from(request_body)))
        .await;
    ex.status = resp.status().as_u16();
    ex.reply_content_type = content_type(resp.headers());
    if let Some(Injected(what)) = resp.extensions().get::<Injected>() {
        // The body may be a failing or endless stream: leave it alone.
        ex.injected = Some(what.clone());
        rec.push(ex);
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let resp = match to_bytes(body, MAX_BODY).await {
        Ok(bytes) => {
            ex.reply_body = bytes.to_vec();
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(_) => {
            ex.truncated = true;
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "reply over the recorder's limit",
            )
                .into_response()
        }
    };
    rec.push(ex);
    resp
}
