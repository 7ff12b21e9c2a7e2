//! Sign-in, token file, refresh and re-authentication: the real client against the simulator.

use crate::common;

use std::time::Duration;

use bmsdesk_bms::{auth::TokenStore, client::Client};
use bmsdesk_core::{error::ApiError, lookups::LookupKind, secret::Secret};
use bmsdesk_sim::{self as sim, SimConfig};
use common::*;
use serde_json::Value;

const AUTH: &str = "POST /v2/security/authenticate";
const REFRESH: &str = "POST /v2/security/refreshtoken";

#[tokio::test]
async fn login_writes_a_private_token_file_and_userinfo_is_the_demo_user() {
    let h = start(small()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cfg/token.json");
    let c = client_with_store(&h, &path);
    let tokens = c.login().await.unwrap();
    assert!(tokens.access_token_expire_on > bmsdesk_core::clock::now());
    assert!(tokens.refresh_token_expire_on.is_some());
    assert!(path.exists());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "token file mode {mode:o}");
    }
    let saved = TokenStore::new(&path).load().unwrap();
    assert_eq!(saved.access_token, tokens.access_token);
    assert_eq!(saved.username, sim::DEMO_USER);

    let me = c.user_info().await.unwrap();
    assert_eq!(me.user_id, sim::DEMO_USER_ID);
    assert_eq!(me.full_name, sim::DEMO_USER_FULL_NAME);
    assert_eq!(me.email_address.as_deref(), Some(sim::DEMO_USER));
    assert_eq!(me.business_name.as_deref(), Some(sim::DEMO_TENANT));
}

#[tokio::test]
async fn saved_token_is_reused_by_the_next_client() {
    let h = start(small()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token.json");
    client_with_store(&h, &path).login().await.unwrap();
    let second = client_with_store(&h, &path);
    second.lookup(LookupKind::Priorities).await.unwrap();
    assert_eq!(h.state().stats().count(AUTH), 1, "no second sign-in");
}

#[tokio::test]
async fn bad_credentials_are_auth_failed() {
    let h = start(small()).await;
    let mut o = options(&h, sim::DEMO_USER);
    if let Some(c) = o.credentials.as_mut() {
        c.password = Secret::new("wrong");
    }
    let err = Client::new(o).unwrap().login().await.unwrap_err();
    assert!(
        matches!(&err, ApiError::AuthFailed(m) if m.contains("Invalid user name, password or tenant")),
        "{err:?}"
    );
    assert!(err.is_auth());

    let mut o = options(&h, sim::DEMO_USER);
    if let Some(c) = o.credentials.as_mut() {
        c.tenant = "Other MSP".into();
    }
    let err = Client::new(o).unwrap().login().await.unwrap_err();
    assert!(matches!(err, ApiError::AuthFailed(_)), "{err:?}");

    // A call that needs a token surfaces the same refusal.
    let o = options(&h, "nobody@demo.example");
    let err = Client::new(o)
        .unwrap()
        .lookup(LookupKind::Statuses)
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::AuthFailed(_)), "{err:?}");
}

#[tokio::test]
async fn mfa_user_needs_the_code() {
    let h = start(small()).await;
    let c = Client::new(options(&h, sim::MFA_USER)).unwrap();
    let err = c.login().await.unwrap_err();
    assert_eq!(err, ApiError::MfaRequired);

    c.set_mfa_code(Some(Secret::new("000000"))).await;
    let err = c.login().await.unwrap_err();
    assert!(
        matches!(&err, ApiError::AuthFailed(m) if m.contains("Invalid MFA code")),
        "{err:?}"
    );

    c.set_mfa_code(Some(Secret::new(sim::MFA_CODE))).await;
    c.login().await.unwrap();
    let me = c.user_info().await.unwrap();
    assert_eq!(me.user_id, sim::MFA_USER_ID);
}

#[tokio::test]
async fn short_lived_access_token_is_refreshed_transparently() {
    let h = start(SimConfig {
        access_ttl: Duration::from_secs(1),
        ..small()
    })
    .await;
    let c = client(&h);
    let first = c.login().await.unwrap();
    tokio::time::sleep(Duration::from_millis(1300)).await;

    // The old token is really dead on the server...
    let (status, body) = raw_json(
        &h,
        &first.access_token,
        reqwest::Method::GET,
        "/v2/system/queues/lookup",
        None,
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(body["success"], Value::Bool(false));
    assert!(message(&body).contains("expired"), "{body}");

    // ...but the client carries on.
    assert!(!c.lookup(LookupKind::Queues).await.unwrap().is_empty());
    let stats = h.state().stats();
    assert_eq!(stats.count(AUTH), 1);
    assert!(stats.count(REFRESH) >= 1);
    let now = c.tokens().await.unwrap();
    assert_ne!(now.access_token, first.access_token);
    assert_ne!(now.refresh_token, first.refresh_token, "refresh rotates");
}

#[tokio::test]
async fn server_side_expiry_is_ridden_out_with_a_refresh() {
    let h = start(small()).await;
    let c = client(&h);
    c.lookup(LookupKind::Priorities).await.unwrap();
    h.state().expire_access_tokens();
    c.lookup(LookupKind::Priorities).await.unwrap();
    let stats = h.state().stats();
    assert_eq!(stats.count(AUTH), 1);
    assert_eq!(stats.count(REFRESH), 1);
    // First call, the refused one, and its replay.
    assert_eq!(stats.count("GET /v2/system/priorities/lookup"), 3);
}

#[tokio::test]
async fn dead_refresh_token_falls_back_to_the_password() {
    let h = start(small()).await;
    let c = client(&h);
    c.lookup(LookupKind::Priorities).await.unwrap();
    h.state().expire_all_tokens();
    c.lookup(LookupKind::Priorities).await.unwrap();
    let stats = h.state().stats();
    assert_eq!(stats.count(REFRESH), 1, "refresh tried and refused");
    assert_eq!(stats.count(AUTH), 2, "then a fresh sign-in");
}

#[tokio::test]
async fn refresh_token_past_its_lifetime_means_signing_in_again() {
    let h = start(SimConfig {
        access_ttl: Duration::from_secs(1),
        refresh_ttl: Duration::from_secs(2),
        ..small()
    })
    .await;
    let c = client(&h);
    c.login().await.unwrap();
    tokio::time::sleep(Duration::from_millis(2600)).await;
    c.lookup(LookupKind::Roles).await.unwrap();
    assert_eq!(h.state().stats().count(AUTH), 2);
}

#[tokio::test]
async fn without_a_password_an_expired_sign_in_is_unauthorized() {
    let h = start(small()).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token.json");
    client_with_store(&h, &path).login().await.unwrap();
    h.state().expire_all_tokens();
    let mut o = bmsdesk_bms::ClientOptions::new(h.base_url());
    o.token_store = Some(TokenStore::new(&path));
    let c = Client::new(o).unwrap();
    let err = c.lookup(LookupKind::Roles).await.unwrap_err();
    assert!(matches!(err, ApiError::Unauthorized(_)), "{err:?}");
}

#[tokio::test]
async fn raw_refresh_rotates_and_old_refresh_token_is_refused() {
    let h = start(small()).await;
    let http = reqwest::Client::new();
    let auth: Value = http
        .post(format!("{}/v2/security/authenticate", h.base_url()))
        // Any casing binds.
        .form(&[
            ("grantType", "password"),
            ("username", sim::DEMO_USER),
            ("PASSWORD", sim::DEMO_PASSWORD),
            ("tenant", "demo msp"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r = &auth["result"];
    let at = r["accessToken"].as_str().unwrap();
    let rt = r["refreshToken"].as_str().unwrap();
    let exp = r["accessTokenExpireOn"].as_str().unwrap();
    assert_eq!(exp.len(), 19, "naive YYYY-MM-DDTHH:MM:SS: {exp}");
    assert!(bmsdesk_core::wire::parse_datetime(exp).is_some());

    let refresh = |a: String, r: String| {
        let http = http.clone();
        let url = format!("{}/v2/security/refreshtoken", h.base_url());
        async move {
            let resp = http
                .post(url)
                .form(&[("AccessToken", a), ("RefreshToken", r)])
                .send()
                .await
                .unwrap();
            (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
        }
    };
    let (status, fresh) = refresh(at.into(), rt.into()).await;
    assert_eq!(status, 200, "{fresh}");
    assert_ne!(fresh["result"]["refreshToken"].as_str(), Some(rt));
    let (status, again) = refresh(at.into(), rt.into()).await;
    assert_eq!(status, 401, "{again}");
    assert_eq!(again["success"], Value::Bool(false));
    // The old access token died with the rotation; the new one works.
    let (status, _) = raw_json(&h, at, reqwest::Method::GET, "/v2/security/userinfo", None).await;
    assert_eq!(status, 401);
    let new_at = fresh["result"]["accessToken"].as_str().unwrap();
    let (status, me) = raw_json(
        &h,
        new_at,
        reqwest::Method::GET,
        "/v2/security/userinfo",
        None,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(me["result"]["userId"], sim::DEMO_USER_ID);
}

#[tokio::test]
async fn missing_or_unknown_bearer_is_a_401_envelope() {
    let h = start(small()).await;
    let resp = reqwest::get(format!("{}/v2/system/statuses/lookup", h.base_url()))
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 401);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["success"], Value::Bool(false));
    assert_eq!(v["result"], Value::Null);
    assert!(v["error"]["code"].as_i64().is_some());
    let (status, v) = raw_json(
        &h,
        "not-a-token",
        reqwest::Method::GET,
        "/v2/system/statuses/lookup",
        None,
    )
    .await;
    assert_eq!(status, 401);
    assert!(!message(&v).is_empty());
}

#[tokio::test]
async fn sign_in_validation_and_mfa_messages() {
    let h = start(small()).await;
    let post = |form: Vec<(&'static str, &'static str)>| {
        let url = format!("{}/v2/security/authenticate", h.base_url());
        async move {
            // Incomplete forms on purpose: not the client's requests.
            let resp = reqwest::Client::new()
                .post(url)
                .header(sim::NO_CHECK_HEADER, "invalid sign-in forms on purpose")
                .form(&form)
                .send()
                .await
                .unwrap();
            (resp.status().as_u16(), resp.json::<Value>().await.unwrap())
        }
    };
    let (status, v) = post(vec![("UserName", sim::DEMO_USER)]).await;
    assert_eq!(status, 400);
    assert_eq!(message(&v), "GrantType is required");
    let base = vec![
        ("GrantType", "password"),
        ("UserName", sim::MFA_USER),
        ("Password", sim::DEMO_PASSWORD),
        ("Tenant", sim::DEMO_TENANT),
    ];
    let (status, v) = post(base.clone()).await;
    assert_eq!(status, 400);
    assert!(bmsdesk_bms::auth::is_mfa_required_message(&message(&v)));
    let mut with_code = base.clone();
    with_code.push(("mfacode", sim::MFA_CODE));
    let (status, v) = post(with_code).await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["success"], Value::Bool(true));
}

// ----- redirects (a hostile or misconfigured server must not get the password re-posted) -----

use crate::cli_support::fake;

/// A server that answers everything with a valid sign-in and records what it got: where a
/// redirect would send the password or the tokens.
async fn collector() -> fake::FakeServer {
    fake::spawn(|_| fake::token_reply("stolen-access", "stolen-refresh")).await
}

fn options_for(base: &str) -> bmsdesk_bms::client::ClientOptions {
    let mut o = bmsdesk_bms::ClientOptions::new(base);
    o.credentials = Some(creds(sim::DEMO_USER));
    o.backoff = Duration::from_millis(10);
    o.max_retries = 0;
    o.timeout = Duration::from_secs(10);
    o
}

#[tokio::test]
async fn a_redirected_sign_in_is_refused_and_never_re_posts_the_password() {
    for status in [307, 308] {
        let thief = collector().await;
        let target = format!("{}/v2/security/authenticate", thief.base_url());
        let redirector = fake::spawn(move |_| fake::Reply::redirect(status, &target)).await;
        let c = Client::new(options_for(&redirector.base_url())).unwrap();
        let err = c.login().await.unwrap_err();
        assert!(thief.hits().is_empty(), "{status}: {:?}", thief.hits());
        assert!(c.tokens().await.is_none(), "{status}: no token was taken");
        let text = err.to_string();
        assert!(
            text.contains(&thief.addr.to_string()) && text.contains("redirect"),
            "{status}: the error names the target: {text}"
        );
    }
}

#[tokio::test]
async fn a_redirected_refresh_never_sends_the_tokens_elsewhere() {
    let thief = collector().await;
    let target = format!("{}/v2/security/refreshtoken", thief.base_url());
    let redirector = fake::spawn(move |hit| {
        if hit.path.ends_with("/refreshtoken") {
            fake::Reply::redirect(308, &target)
        } else {
            fake::Reply::json(401, serde_json::json!({"success": false}))
        }
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let store = TokenStore::new(dir.path().join("token.json"));
    store
        .save(&bmsdesk_bms::auth::TokenSet {
            access_token: "old-access".into(),
            refresh_token: "old-refresh-secret".into(),
            access_token_expire_on: bmsdesk_core::clock::now() - chrono::Duration::minutes(5),
            refresh_token_expire_on: None,
            base_url: redirector.base_url(),
            tenant: sim::DEMO_TENANT.into(),
            tenant_zone: None,
            username: sim::DEMO_USER.into(),
        })
        .unwrap();
    let mut o = bmsdesk_bms::ClientOptions::new(redirector.base_url());
    o.token_store = Some(store);
    o.max_retries = 0;
    let c = Client::new(o).unwrap();
    let err = c.lookup(LookupKind::Roles).await.unwrap_err();
    assert!(thief.hits().is_empty(), "{:?}", thief.hits());
    assert!(err.to_string().contains("redirect"), "{err}");
}

#[tokio::test]
async fn data_requests_follow_redirects_only_within_the_origin() {
    let thief =
        fake::spawn(|_| fake::Reply::json(200, serde_json::json!({"success": true, "result": []})))
            .await;
    let elsewhere = format!("{}/v2/system/roles/lookup", thief.base_url());
    let server = fake::spawn(move |hit| match hit.path.as_str() {
        "/v2/security/authenticate" => fake::token_reply("the-access-token", "r"),
        // Asked once for the tenant's zone before anything dated is read.
        "/v2/security/userinfo" => fake::Reply::json(
            200,
            serde_json::json!({"success": true, "result": {"userId": 1, "fullName": "T", "olsonTimeZoneName": "UTC"}}),
        ),
        // Moved within the same server: followed.
        "/v2/system/priorities/lookup" => {
            fake::Reply::redirect(307, "/v2/system/priorities/lookup-moved")
        }
        "/v2/system/priorities/lookup-moved" => fake::Reply::json(
            200,
            serde_json::json!({"success": true, "result": [{"id": 1, "name": "High"}]}),
        ),
        // To another origin: refused, the bearer token stays here.
        _ => fake::Reply::redirect(307, &elsewhere),
    })
    .await;
    let c = Client::new(options_for(&server.base_url())).unwrap();
    let same = c.lookup(LookupKind::Priorities).await.unwrap();
    assert_eq!(same.len(), 1, "a same-origin redirect is followed");
    let err = c.lookup(LookupKind::Roles).await.unwrap_err();
    assert!(thief.hits().is_empty(), "{:?}", thief.hits());
    let text = err.to_string();
    assert!(
        text.contains(&thief.addr.to_string()) && text.contains("redirect"),
        "{text}"
    );
    assert!(!err.is_transient(), "not retried: {err:?}");
}
