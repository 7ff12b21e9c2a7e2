#![allow(dead_code)]

//! A scripted HTTP server on loopback for hostile-server tests: every request is recorded and
//! answered by a closure (status, headers, body), so a test can play a server that redirects,
//! sends control characters, or lies.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Hit {
    pub method: String,
    pub path: String,
    pub authorization: Option<String>,
    pub body: String,
}

/// What to answer: status, extra headers, body.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    pub fn json(status: u16, body: serde_json::Value) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
        }
    }
    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply {
            status,
            headers: vec![("location".into(), location.into())],
            body: String::new(),
        }
    }
    pub fn text(status: u16, body: &str) -> Reply {
        Reply {
            status,
            headers: vec![("content-type".into(), "text/plain".into())],
            body: body.into(),
        }
    }
}

type Responder = Arc<dyn Fn(&Hit) -> Reply + Send + Sync>;

#[derive(Clone)]
struct Shared {
    hits: Arc<Mutex<Vec<Hit>>>,
    respond: Responder,
}

pub struct FakeServer {
    pub addr: SocketAddr,
    hits: Arc<Mutex<Vec<Hit>>>,
    task: tokio::task::JoinHandle<()>,
}

impl FakeServer {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
    pub fn hits(&self) -> Vec<Hit> {
        self.hits.lock().map(|h| h.clone()).unwrap_or_default()
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn handle(
    State(s): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let hit = Hit {
        method: method.to_string(),
        path: uri.path().to_string(),
        authorization: headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let reply = (s.respond)(&hit);
    s.hits.lock().expect("hits").push(hit);
    let mut map = HeaderMap::new();
    for (k, v) in reply.headers {
        map.insert(
            HeaderName::try_from(k).expect("header name"),
            HeaderValue::try_from(v).expect("header value"),
        );
    }
    (
        StatusCode::from_u16(reply.status).expect("status"),
        map,
        reply.body,
    )
        .into_response()
}

/// Serves `respond` on a free loopback port in the current runtime.
pub async fn spawn(respond: impl Fn(&Hit) -> Reply + Send + Sync + 'static) -> FakeServer {
    // Replies carry dates: the same pinned clock as the client under test.
    bmsdesk_core::clock::pin_for_tests();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let hits = Arc::new(Mutex::new(Vec::new()));
    let shared = Shared {
        hits: hits.clone(),
        respond: Arc::new(respond),
    };
    let app = axum::Router::new().fallback(handle).with_state(shared);
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    FakeServer { addr, hits, task }
}

/// A sign-in reply with these tokens, valid for an hour.
pub fn token_reply(access: &str, refresh: &str) -> Reply {
    let until = (bmsdesk_core::clock::now() + chrono::Duration::hours(1)).to_rfc3339();
    Reply::json(
        200,
        serde_json::json!({"success": true, "result": {
            "accessToken": access, "refreshToken": refresh,
            "accessTokenExpireOn": until, "refreshTokenExpireOn": until,
        }}),
    )
}
