//! Fault injection: the client's retries, and what it must not retry.

use crate::common;

use std::time::{Duration, Instant};

use bmsdesk_core::model::NoteInput;
use bmsdesk_core::{error::ApiError, lookups::LookupKind};
use bmsdesk_sim::{self as sim, Faults};
use common::*;
use reqwest::Method;
use serde_json::{Value, json};

const STATUSES: &str = "GET /v2/system/statuses/lookup";
const NOTES: &str = "POST /v2/servicedesk/tickets/{id}/notes";

fn gets_only(f: Faults) -> Faults {
    Faults {
        methods: vec!["GET".into()],
        ..f
    }
}

fn note() -> NoteInput {
    NoteInput {
        details: "<p>Fault test</p>".into(),
        is_internal: true,
        type_id: 1,
        note_date: bmsdesk_core::clock::now(),
        status_id: None,
    }
}

#[tokio::test]
async fn rate_limit_with_retry_after_is_ridden_out_on_gets() {
    let h = start(small()).await;
    let c = client(&h);
    c.login().await.unwrap();
    h.state().set_faults(gets_only(Faults {
        rate_limit: 1.0,
        limit: Some(2),
        retry_after_secs: 1,
        ..Default::default()
    }));
    let started = Instant::now();
    let statuses = c.lookup(LookupKind::Statuses).await.unwrap();
    assert_eq!(statuses.len(), 8);
    assert!(
        started.elapsed() >= Duration::from_millis(1900),
        "Retry-After was not honoured: {:?}",
        started.elapsed()
    );
    let stats = h.state().stats();
    assert_eq!(stats.count(STATUSES), 3);
    assert_eq!(stats.faults.get("rateLimited"), Some(&2));

    // The raw reply: 429, Retry-After, and the error envelope.
    h.state().set_faults(Faults {
        rate_limit_every: 1,
        retry_after_secs: 7,
        ..Default::default()
    });
    let token_free = reqwest::get(format!("{}/v2/system/statuses/lookup", h.base_url()))
        .await
        .unwrap();
    assert_eq!(token_free.status().as_u16(), 429);
    assert_eq!(
        token_free
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("7")
    );
    let v: Value = token_free.json().await.unwrap();
    assert_eq!(v["success"], false);
    assert!(!message(&v).is_empty());
}

#[tokio::test]
async fn every_nth_request_rate_limited_still_completes_a_search() {
    let h = start(sim::SimConfig {
        tickets: 1200,
        ..small()
    })
    .await;
    let c = client(&h);
    c.login().await.unwrap();
    h.state().set_faults(Faults {
        rate_limit_every: 3,
        retry_after_secs: 0,
        path_contains: Some("/tickets/search".into()),
        ..Default::default()
    });
    let rows = c
        .search_tickets(&bmsdesk_core::model::TicketFilter::default())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1200);
    let ids: std::collections::HashSet<i64> = rows.iter().map(|r| r.id).collect();
    assert_eq!(ids.len(), 1200);
    assert!(h.state().stats().faults["rateLimited"] >= 3);
}

#[tokio::test]
async fn service_unavailable_and_server_errors_are_retried_on_gets() {
    let h = start(small()).await;
    let c = client(&h);
    c.login().await.unwrap();
    h.state().set_faults(gets_only(Faults {
        unavailable: 1.0,
        retry_after_secs: 0,
        limit: Some(2),
        ..Default::default()
    }));
    assert!(!c.lookup(LookupKind::Statuses).await.unwrap().is_empty());
    assert_eq!(h.state().stats().count(STATUSES), 3);

    h.state().reset_stats();
    h.state().set_faults(gets_only(Faults {
        server_error: 1.0,
        limit: Some(1),
        ..Default::default()
    }));
    assert!(!c.lookup(LookupKind::Statuses).await.unwrap().is_empty());
    assert_eq!(h.state().stats().count(STATUSES), 2);

    // More failures than retries: the error comes back typed, not as a panic.
    h.state().set_faults(gets_only(Faults {
        unavailable: 1.0,
        retry_after_secs: 0,
        ..Default::default()
    }));
    let err = c.lookup(LookupKind::Statuses).await.unwrap_err();
    assert!(matches!(err, ApiError::Http { status: 503, .. }), "{err:?}");
    assert!(err.is_transient());
}

#[tokio::test]
async fn a_refused_post_is_retried_but_a_failed_one_is_not() {
    let h = start(small()).await;
    let c = client(&h);
    c.login().await.unwrap();
    let id = h.state().read(|t| t.tickets[0].id);
    let before = h.state().note_count(id);

    // 503: the server did not act, so sending the note again is safe.
    h.state().set_faults(Faults {
        unavailable: 1.0,
        retry_after_secs: 0,
        limit: Some(1),
        methods: vec!["POST".into()],
        ..Default::default()
    });
    c.add_note(id, &note()).await.unwrap();
    assert_eq!(h.state().note_count(id), before + 1);
    assert_eq!(h.state().stats().count(NOTES), 2);

    // 500: the server may have acted; the client must not post the note twice.
    h.state().reset_stats();
    h.state().set_faults(Faults {
        server_error: 1.0,
        limit: Some(1),
        methods: vec!["POST".into()],
        ..Default::default()
    });
    let err = c.add_note(id, &note()).await.unwrap_err();
    assert!(matches!(err, ApiError::Http { status: 500, .. }), "{err:?}");
    assert_eq!(
        h.state().stats().count(NOTES),
        1,
        "a POST was retried after a 500"
    );
}

#[tokio::test]
async fn dropped_connections_are_retried_for_reads_only() {
    let h = start(small()).await;
    let c = client(&h);
    c.login().await.unwrap();
    h.state().set_faults(gets_only(Faults {
        drop: 1.0,
        limit: Some(1),
        ..Default::default()
    }));
    assert_eq!(c.lookup(LookupKind::Statuses).await.unwrap().len(), 8);
    let stats = h.state().stats();
    assert_eq!(stats.faults.get("dropped"), Some(&1));
    assert_eq!(stats.count(STATUSES), 2);

    // A dropped reply to a write: the server acted, the client reports a transport error
    // and does not send it again.
    let id = h.state().read(|t| t.tickets[1].id);
    let before = h.state().note_count(id);
    h.state().reset_stats();
    h.state().set_faults(Faults {
        drop: 1.0,
        limit: Some(1),
        methods: vec!["POST".into()],
        ..Default::default()
    });
    let err = c.add_note(id, &note()).await.unwrap_err();
    assert!(matches!(err, ApiError::Transport(_)), "{err:?}");
    assert_eq!(h.state().stats().count(NOTES), 1);
    assert_eq!(h.state().note_count(id), before + 1, "the server did act");
}

#[tokio::test]
async fn malformed_json_is_a_decode_error() {
    let h = start(small()).await;
    let c = client(&h);
    c.login().await.unwrap();
    h.state().set_faults(Faults {
        malformed: 1.0,
        path_contains: Some("statuses".into()),
        ..Default::default()
    });
    let err = c.lookup(LookupKind::Statuses).await.unwrap_err();
    assert!(matches!(err, ApiError::Decode(_)), "{err:?}");
    // Other paths are untouched.
    assert!(!c.lookup(LookupKind::Priorities).await.unwrap().is_empty());
    let id = h.state().read(|t| t.tickets[2].id);
    h.state().set_faults(Faults {
        malformed: 1.0,
        ..Default::default()
    });
    let err = c.ticket(id).await.unwrap_err();
    assert!(matches!(err, ApiError::Decode(_)), "{err:?}");
}

#[tokio::test]
async fn latency_is_added() {
    let h = start(small()).await;
    let c = client(&h);
    c.login().await.unwrap();
    h.state().set_faults(Faults {
        latency_ms: 200,
        ..Default::default()
    });
    let started = Instant::now();
    c.lookup(LookupKind::Queues).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn control_endpoints_set_faults_expire_tokens_and_report_stats() {
    let h = start(small()).await;
    let http = reqwest::Client::new();
    let base = h.base_url();
    let v: Value = http
        .post(format!("{base}/_sim/faults"))
        .json(&json!({"RateLimitEvery": 2, "Methods": ["GET"], "RetryAfterSecs": 0, "Limit": 1}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["result"]["rateLimitEvery"], 2);
    let f = h.state().faults();
    assert_eq!(f.rate_limit_every, 2);
    assert_eq!(f.limit, Some(1));

    let token = raw_token(&h).await;
    let (s1, _) = raw_json(&h, &token, Method::GET, "/v2/system/roles/lookup", None).await;
    let (s2, _) = raw_json(&h, &token, Method::GET, "/v2/system/roles/lookup", None).await;
    let (s3, _) = raw_json(&h, &token, Method::GET, "/v2/system/roles/lookup", None).await;
    let (s4, _) = raw_json(&h, &token, Method::GET, "/v2/system/roles/lookup", None).await;
    assert_eq!(
        (s1, s2, s3, s4),
        (200, 429, 200, 200),
        "limit stops after one"
    );

    // Control paths are never faulted and not counted.
    h.state().set_faults(Faults {
        server_error: 1.0,
        ..Default::default()
    });
    let stats: Value = http
        .get(format!("{base}/_sim/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        stats["result"]["requests"]["GET /v2/system/roles/lookup"],
        4
    );
    assert_eq!(stats["result"]["faults"]["rateLimited"], 1);
    assert!(
        stats["result"]["requests"]
            .as_object()
            .unwrap()
            .keys()
            .all(|k| !k.contains("_sim"))
    );

    let cleared: Value = http
        .post(format!("{base}/_sim/faults"))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(cleared["result"]["serverError"], 0.0);
    let resp = http
        .post(format!("{base}/_sim/expire-tokens"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let (status, v) = raw_json(&h, &token, Method::GET, "/v2/system/roles/lookup", None).await;
    assert_eq!(status, 401);
    assert!(message(&v).contains("expired"));

    let bad = http
        .post(format!("{base}/_sim/faults"))
        .body("{nope")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
}

#[tokio::test]
async fn handle_shutdown_stops_the_server() {
    let h = start(small()).await;
    let url = h.base_url();
    reqwest::get(format!("{url}/_sim/stats")).await.unwrap();
    h.shutdown().await;
    let err = reqwest::Client::new()
        .get(format!("{url}/_sim/stats"))
        .timeout(Duration::from_secs(2))
        .send()
        .await;
    assert!(err.is_err());
    // Dropping a handle stops its server too.
    let h = start(small()).await;
    let url = h.base_url();
    drop(h);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(
        reqwest::Client::new()
            .get(format!("{url}/_sim/stats"))
            .timeout(Duration::from_secs(2))
            .send()
            .await
            .is_err()
    );
}

/// `success: false` with HTTP 200 is an error carrying the server's message, for a read.
#[tokio::test]
async fn a_soft_failure_on_a_read_is_an_error_with_the_servers_message() {
    let h = start(small()).await;
    let c = client(&h);
    let id = h.state().read(|t| t.tickets[0].id);
    c.login().await.unwrap();
    h.state().set_faults(sim::Faults {
        soft_failure: 1.0,
        limit: Some(1),
        path_contains: Some("/servicedesk/tickets/".into()),
        ..Default::default()
    });
    let err = c.ticket(id).await.unwrap_err();
    assert!(
        matches!(&err, ApiError::Api { status: 200, message, .. } if message.contains("soft failure")),
        "{err:?}"
    );
    assert!(!err.is_transient(), "the server answered: no retry");
    assert_eq!(
        h.state().stats().count("GET /v2/servicedesk/tickets/{id}"),
        1
    );
    // Once the server stops refusing, the same read works.
    assert_eq!(c.ticket(id).await.unwrap().row.id, id);
}
