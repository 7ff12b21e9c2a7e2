//! Sign-in: password grant, refresh, and the token file (mode 0600).

use std::fmt;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use bmsdesk_core::error::{ApiError, ApiResult};
use bmsdesk_core::secret::Credentials;
use bmsdesk_core::tenant_time::TenantZone;
use bmsdesk_core::wire::opt_datetime;

use crate::envelope::decode;

/// The tokens we keep between runs. Stored as our own JSON (not the wire shape) together with
/// whom and where they are for, so a token is never sent to another tenant or host.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
pub struct TokenSet {
    pub access_token: String,
    pub refresh_token: String,
    pub access_token_expire_on: DateTime<Utc>,
    pub refresh_token_expire_on: Option<DateTime<Utc>>,
    #[serde(default)]
    pub base_url: String,
    #[serde(default)]
    pub tenant: String,
    #[serde(default)]
    pub username: String,
    /// The tenant zone learnt from `userinfo` at sign-in (see `tenant_time`), so a run that
    /// starts from a saved sign-in knows it before its first request.
    #[serde(default)]
    pub tenant_zone: Option<String>,
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("access_token", &"***")
            .field("refresh_token", &"***")
            .field("access_token_expire_on", &self.access_token_expire_on)
            .field("refresh_token_expire_on", &self.refresh_token_expire_on)
            .field("base_url", &self.base_url)
            .field("tenant", &self.tenant)
            .field("username", &self.username)
            .field("tenant_zone", &self.tenant_zone)
            .finish()
    }
}

/// Refresh this long before the access token runs out.
pub const REFRESH_MARGIN_SECS: i64 = 60;

impl TokenSet {
    pub fn access_expiring(&self, now: DateTime<Utc>) -> bool {
        self.access_token_expire_on - Duration::seconds(REFRESH_MARGIN_SECS) <= now
    }
    pub fn refresh_usable(&self, now: DateTime<Utc>) -> bool {
        self.refresh_token_expire_on.is_none_or(|t| t > now)
    }
    pub fn belongs_to(&self, base_url: &str, tenant: Option<&str>, username: Option<&str>) -> bool {
        self.base_url.trim_end_matches('/') == base_url.trim_end_matches('/')
            && tenant.is_none_or(|t| t.eq_ignore_ascii_case(&self.tenant))
            && username.is_none_or(|u| u.eq_ignore_ascii_case(&self.username))
    }
}

/// `TokenOutputDto` on the wire. Both tokens are `nullable` in the spec: a reply without an
/// access token is a refused sign-in (see [`into_token_set`]), one without a refresh token
/// just cannot be refreshed.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct WireTokens {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    refresh_token: Option<String>,
    #[serde(default, with = "opt_datetime")]
    access_token_expire_on: Option<DateTime<Utc>>,
    #[serde(default, with = "opt_datetime")]
    refresh_token_expire_on: Option<DateTime<Utc>>,
}

/// Whether a failed sign-in means "an MFA code is needed". The real server's wording is not
/// documented: the words are a guess (`guesses::MFA_WORDS`).
pub fn is_mfa_required_message(message: &str) -> bool {
    use bmsdesk_core::guesses::{MFA_ASKS, MFA_WORDS};
    let m = message.to_ascii_lowercase();
    MFA_WORDS.iter().any(|w| m.contains(w)) && MFA_ASKS.iter().any(|w| m.contains(w))
}

/// A token reply is a few kilobytes; anything near this is not one.
const TOKEN_REPLY_CAP: u64 = 1024 * 1024;

/// The security endpoints take form bodies (not JSON) and answer with `TokenOutputDto`.
async fn post_token_form(
    http: &reqwest::Client,
    url: &str,
    form: &[(&str, &str)],
    zone: TenantZone,
) -> ApiResult<crate::envelope::Reply<WireTokens>> {
    // Urlencoded, not the spec's multipart: the one known divergence (see `guesses`).
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(form)
        .finish();
    let resp = http
        .post(url)
        .header("Accept", "application/json")
        .header(
            reqwest::header::CONTENT_TYPE,
            bmsdesk_core::guesses::SIGN_IN_CONTENT_TYPE,
        )
        .body(body)
        .send()
        .await
        .map_err(crate::client::transport_error)?;
    let status = resp.status().as_u16();
    let location = resp.headers().get("location").and_then(|v| v.to_str().ok());
    if let Some(e) = crate::redirect::refused(status, location, resp.url()) {
        return Err(e);
    }
    let body = crate::body::read_capped(resp, TOKEN_REPLY_CAP, "the sign-in")
        .await
        .map_err(|e| match e {
            crate::body::BodyError::TooLarge(e) => e,
            crate::body::BodyError::Transport(e) => crate::client::transport_error(e),
        })?;
    // The expiry times are naive server times too; before the first sign-in the zone is a
    // guess that the client corrects once `userinfo` has answered.
    bmsdesk_core::tenant_time::scoped(zone, || decode_tokens(status, &body))
}

/// A token reply. `Result` may be `null` (the spec cannot mark a `$ref` nullable, and nothing
/// says a server never sends it): that is a reply without tokens, refused by the caller like
/// one with a null access token, not a broken reply.
fn decode_tokens(status: u16, body: &[u8]) -> ApiResult<crate::envelope::Reply<WireTokens>> {
    let reply = decode::<Option<WireTokens>>(status, body)?;
    Ok(crate::envelope::Reply {
        result: reply.result.unwrap_or_default(),
        total: reply.total,
    })
}

/// A sign-in or refresh reply as the client reads it: whether it carries each token, and
/// their expiry times. For the property tests over the spec's `TokenOutputDto` (the wire type
/// itself stays private: it holds the tokens).
#[doc(hidden)]
#[derive(Debug, Clone, PartialEq)]
pub struct TokenReply {
    pub has_access_token: bool,
    pub has_refresh_token: bool,
    pub access_token_expire_on: Option<DateTime<Utc>>,
    pub refresh_token_expire_on: Option<DateTime<Utc>>,
}

/// Decodes a token reply as the client does (see [`TokenReply`]).
#[doc(hidden)]
pub fn decode_token_reply(status: u16, body: &[u8]) -> ApiResult<TokenReply> {
    let w = decode_tokens(status, body)?.result;
    Ok(TokenReply {
        has_access_token: w.access_token.is_some(),
        has_refresh_token: w.refresh_token.is_some(),
        access_token_expire_on: w.access_token_expire_on,
        refresh_token_expire_on: w.refresh_token_expire_on,
    })
}

pub(crate) async fn authenticate(
    http: &reqwest::Client,
    base: &str,
    creds: &Credentials,
    zone: TenantZone,
) -> ApiResult<TokenSet> {
    let mut form: Vec<(&str, &str)> = vec![
        ("GrantType", "password"),
        ("UserName", creds.username.as_str()),
        ("Password", creds.password.expose()),
        ("Tenant", creds.tenant.as_str()),
    ];
    if let Some(code) = creds.mfa_code.as_ref().filter(|c| !c.is_empty()) {
        form.push(("MFACode", code.expose()));
    }
    let wire = post_token_form(
        http,
        &format!("{base}/v2/security/authenticate"),
        &form,
        zone,
    )
    .await
    .map_err(|e| match e {
        ApiError::Api { message, .. } | ApiError::Unauthorized(message) => {
            if is_mfa_required_message(&message) {
                ApiError::MfaRequired
            } else {
                ApiError::AuthFailed(message)
            }
        }
        other => other,
    })?;
    into_token_set(wire.result, base, &creds.tenant, &creds.username).ok_or_else(|| {
        ApiError::AuthFailed("the server accepted the sign-in but sent no access token".into())
    })
}

pub(crate) async fn refresh(
    http: &reqwest::Client,
    base: &str,
    tokens: &TokenSet,
    zone: TenantZone,
) -> ApiResult<TokenSet> {
    let form = [
        ("AccessToken", tokens.access_token.as_str()),
        ("RefreshToken", tokens.refresh_token.as_str()),
    ];
    let wire = post_token_form(
        http,
        &format!("{base}/v2/security/refreshtoken"),
        &form,
        zone,
    )
    .await
    .map_err(|e| match e {
        ApiError::Api { message, .. } => ApiError::Unauthorized(message),
        other => other,
    })?;
    let mut new = into_token_set(wire.result, base, &tokens.tenant, &tokens.username);
    if let Some(t) = new.as_mut() {
        t.tenant_zone = tokens.tenant_zone.clone();
    }
    new.ok_or_else(|| {
        ApiError::Unauthorized("the server refreshed the sign-in but sent no access token".into())
    })
}

/// `None` when the reply carries no usable access token.
fn into_token_set(w: WireTokens, base: &str, tenant: &str, username: &str) -> Option<TokenSet> {
    let access_token = w.access_token.filter(|t| !t.trim().is_empty())?;
    Some(TokenSet {
        access_token,
        refresh_token: w.refresh_token.unwrap_or_default(),
        // No expiry given: the lifetime other clients assume (a guess, see `guesses`).
        access_token_expire_on: w.access_token_expire_on.unwrap_or_else(|| {
            bmsdesk_core::clock::now() + bmsdesk_core::guesses::ASSUMED_TOKEN_LIFETIME
        }),
        refresh_token_expire_on: w.refresh_token_expire_on,
        base_url: base.to_string(),
        tenant: tenant.to_string(),
        username: username.to_string(),
        tenant_zone: None,
    })
}

/// The token file. Written atomically with mode 0600; a file others can read is fixed (and
/// warned about) rather than trusted silently.
#[derive(Debug, Clone)]
pub struct TokenStore {
    path: PathBuf,
}

impl TokenStore {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        TokenStore { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved tokens, or `None` when there are none or the file is unreadable/corrupt
    /// (a bad token file only costs a fresh sign-in). See [`TokenStore::load_checked`].
    pub fn load(&self) -> Option<TokenSet> {
        self.load_checked().ok().flatten()
    }

    /// Like [`TokenStore::load`], but a token file that must not be used at all (a symbolic
    /// link someone planted, a FIFO that would hang the read) is an error saying so. Opened
    /// without following links; made 0600 through its descriptor when others could read it.
    pub fn load_checked(&self) -> ApiResult<Option<TokenSet>> {
        use bmsdesk_core::store::fsutil;
        let bytes = match fsutil::read_private(&self.path) {
            Ok(b) => b,
            Err(e) if fsutil::is_refusal(&e) => {
                return Err(ApiError::Config(format!("token file {e}")));
            }
            Err(e) => {
                tracing::warn!(path = %self.path.display(), error = %e, "cannot read the token file");
                None
            }
        };
        Ok(bytes.and_then(|b| match serde_json::from_slice::<TokenSet>(&b) {
            Ok(t) => Some(t),
            Err(e) => {
                tracing::warn!(path = %self.path.display(), error = %e, "ignoring unreadable token file");
                None
            }
        }))
    }

    pub fn save(&self, tokens: &TokenSet) -> ApiResult<()> {
        let json = serde_json::to_vec_pretty(tokens)
            .map_err(|e| ApiError::Config(format!("cannot encode tokens: {e}")))?;
        bmsdesk_core::store::fsutil::write_private_atomic(&self.path, &json).map_err(|e| {
            ApiError::Config(format!(
                "cannot write token file {}: {e}",
                self.path.display()
            ))
        })
    }

    pub fn clear(&self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both tokens are nullable in the spec: no access token is no sign-in, no refresh token
    /// is a sign-in that cannot be refreshed.
    #[test]
    fn null_tokens_decode_and_a_missing_access_token_is_no_sign_in() {
        let reply = |body: &str| decode_tokens(200, body.as_bytes()).map(|r| r.result);
        let w =
            reply(r#"{"success":true,"result":{"AccessToken":"a","RefreshToken":null}}"#).unwrap();
        let t = into_token_set(w, "https://x", "T", "u").unwrap();
        assert_eq!(
            (t.access_token.as_str(), t.refresh_token.as_str()),
            ("a", "")
        );
        for body in [
            r#"{"success":true,"result":{"AccessToken":null,"RefreshToken":"r"}}"#,
            r#"{"success":true,"result":{"AccessToken":" ","RefreshToken":"r"}}"#,
            // A null `Result` (a `$ref`, which the spec cannot mark nullable) is a reply
            // without tokens, not a broken reply.
            r#"{"success":true,"result":null}"#,
            r#"{"Success":true,"Error":null}"#,
        ] {
            let w = reply(body).unwrap();
            assert!(into_token_set(w, "https://x", "T", "u").is_none(), "{body}");
        }
    }

    #[test]
    fn secret_never_prints() {
        use bmsdesk_core::secret::Secret;
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?} {s}"), "Secret(***) ***");
        let t = TokenSet {
            access_token: "AAA-secret".into(),
            refresh_token: "RRR-secret".into(),
            access_token_expire_on: bmsdesk_core::clock::now(),
            refresh_token_expire_on: None,
            base_url: "x".into(),
            tenant: "t".into(),
            tenant_zone: None,
            username: "u".into(),
        };
        let dbg = format!("{t:?}");
        assert!(!dbg.contains("AAA-secret") && !dbg.contains("RRR-secret"));
    }

    #[test]
    fn mfa_detection() {
        assert!(is_mfa_required_message("MFA code is required"));
        assert!(is_mfa_required_message("Please enter your one-time code"));
        assert!(!is_mfa_required_message("Invalid user name or password"));
    }

    #[test]
    fn token_store_round_trip_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let store = TokenStore::new(dir.path().join("sub/token.json"));
        assert!(store.load().is_none());
        let t = TokenSet {
            access_token: "a".into(),
            refresh_token: "r".into(),
            access_token_expire_on: bmsdesk_core::clock::now(),
            refresh_token_expire_on: None,
            base_url: "http://127.0.0.1:1".into(),
            tenant: "T".into(),
            tenant_zone: None,
            username: "u".into(),
        };
        store.save(&t).unwrap();
        assert_eq!(store.load(), Some(t));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(store.path(), "{not json").unwrap();
        assert!(store.load().is_none());
    }
}
