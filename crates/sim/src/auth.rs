//! Sign-in (`/v2/security/authenticate`), refresh (`/v2/security/refreshtoken`), the bearer
//! check every other endpoint goes through, and `userinfo`.

use std::collections::HashMap;

use super::DEMO_TENANT;
use super::envelope::{Fields, SimError, SimResult, ok_record};
use super::state::SimState;
use super::wire::{Stamp, TokenOutputDto, UserInfoOutputDto};
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Offset, TimeZone, Utc};
use fastrand::Rng;

/// The signed-in user of a request, put there by [`require_bearer`].
#[derive(Debug, Clone, Copy)]
pub struct CurrentUser(pub i64);

struct Session {
    user_id: i64,
    expires: DateTime<Utc>,
}

struct RefreshGrant {
    user_id: i64,
    access_token: String,
    expires: DateTime<Utc>,
}

/// Issued tokens. Tokens are random (not derived from the tenant seed).
pub struct AuthStore {
    access: HashMap<String, Session>,
    refresh: HashMap<String, RefreshGrant>,
    rng: Rng,
}

impl Default for AuthStore {
    fn default() -> Self {
        AuthStore {
            access: HashMap::new(),
            refresh: HashMap::new(),
            rng: Rng::new(),
        }
    }
}

pub struct Issued {
    pub access_token: String,
    pub refresh_token: String,
    pub access_expires: DateTime<Utc>,
    pub refresh_expires: DateTime<Utc>,
}

impl AuthStore {
    fn token(&mut self, kind: &str) -> String {
        format!(
            "sim{kind}.{:032x}{:032x}",
            self.rng.u128(..),
            self.rng.u128(..)
        )
    }

    pub fn issue(
        &mut self,
        user_id: i64,
        now: DateTime<Utc>,
        access_ttl: chrono::Duration,
        refresh_ttl: chrono::Duration,
    ) -> Issued {
        // Forget long-dead tokens so a long run does not grow without bound.
        let horizon = now - chrono::Duration::hours(1);
        self.access.retain(|_, s| s.expires > horizon);
        self.refresh.retain(|_, g| g.expires > horizon);
        let access_token = self.token("at");
        let refresh_token = self.token("rt");
        let access_expires = now + access_ttl;
        let refresh_expires = now + refresh_ttl;
        self.access.insert(
            access_token.clone(),
            Session {
                user_id,
                expires: access_expires,
            },
        );
        self.refresh.insert(
            refresh_token.clone(),
            RefreshGrant {
                user_id,
                access_token: access_token.clone(),
                expires: refresh_expires,
            },
        );
        Issued {
            access_token,
            refresh_token,
            access_expires,
            refresh_expires,
        }
    }

    /// The user of a valid access token.
    pub fn check(&self, token: &str, now: DateTime<Utc>) -> SimResult<i64> {
        match self.access.get(token) {
            None => Err(SimError::unauthorized(
                "Security Error: the access token is not valid",
            )),
            Some(s) if s.expires <= now => Err(SimError::unauthorized(
                "Security Error: the access token has expired",
            )),
            Some(s) => Ok(s.user_id),
        }
    }

    /// Trades a refresh token (with its access token) for a new pair; the old pair dies.
    pub fn redeem(
        &mut self,
        access_token: &str,
        refresh_token: &str,
        now: DateTime<Utc>,
    ) -> SimResult<i64> {
        let grant = match self.refresh.get(refresh_token) {
            Some(g) if g.expires > now => g,
            _ => {
                return Err(SimError::unauthorized(
                    "Security Error: the refresh token is not valid or has expired",
                ));
            }
        };
        if grant.access_token != access_token {
            return Err(SimError::unauthorized(
                "Security Error: the access token does not belong to this refresh token",
            ));
        }
        let user = grant.user_id;
        self.refresh.remove(refresh_token);
        self.access.remove(access_token);
        Ok(user)
    }

    pub fn expire_access(&mut self, now: DateTime<Utc>) {
        for s in self.access.values_mut() {
            s.expires = s.expires.min(now);
        }
    }

    pub fn expire_refresh(&mut self, now: DateTime<Utc>) {
        for g in self.refresh.values_mut() {
            g.expires = g.expires.min(now);
        }
    }
}

/// Form fields of a sign-in/refresh body: urlencoded (what clients send), multipart (what
/// the spec declares) or JSON.
fn form_fields(headers: &HeaderMap, body: &[u8]) -> SimResult<Fields> {
    let ctype = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if ctype.contains("json") {
        return Fields::from_json_bytes(body);
    }
    if ctype.starts_with("multipart/form-data") {
        // The boundary's case matters: take it from the original header.
        let original = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        let boundary = original
            .split(';')
            .find_map(|p| {
                let p = p.trim();
                p.get(..9)
                    .filter(|k| k.eq_ignore_ascii_case("boundary="))
                    .map(|_| p[9..].trim_matches('"').to_string())
            })
            .ok_or_else(|| SimError::bad_request("multipart body without a boundary"))?;
        return Ok(parse_multipart(body, &boundary));
    }
    Ok(Fields::from_urlencoded(body))
}

/// A minimal multipart/form-data reader for text fields.
fn parse_multipart(body: &[u8], boundary: &str) -> Fields {
    let text = String::from_utf8_lossy(body);
    let delimiter = format!("--{boundary}");
    let mut pairs: Vec<(String, String)> = Vec::new();
    for part in text.split(&delimiter) {
        let part = part.trim_start_matches("\r\n");
        let Some((head, value)) = part.split_once("\r\n\r\n") else {
            continue;
        };
        let name = head.lines().find_map(|l| {
            let lower = l.to_ascii_lowercase();
            if !lower.starts_with("content-disposition") {
                return None;
            }
            let start = lower.find("name=\"")? + 6;
            let end = l[start..].find('"')? + start;
            Some(l[start..end].to_string())
        });
        if let Some(name) = name {
            pairs.push((name, value.trim_end_matches("\r\n").to_string()));
        }
    }
    let encoded = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish();
    Fields::from_urlencoded(encoded.as_bytes())
}

/// A Windows-style display name, as BMS shows zones: `(UTC-05:00) America/New_York`.
fn zone_display_name(zone: chrono_tz::Tz, now: DateTime<Utc>) -> String {
    let offset = zone.offset_from_utc_datetime(&now.naive_utc()).fix();
    if offset.local_minus_utc() == 0 {
        format!("(UTC) {}", zone.name())
    } else {
        format!("(UTC{offset}) {}", zone.name())
    }
}

/// An instant on the tenant's wall clock, as every naive time of a reply.
fn stamp(st: &SimState, at: DateTime<Utc>) -> Stamp {
    Stamp(at.with_timezone(&st.shared().zone).naive_local())
}

/// The token reply; its expiry times are naive tenant-zone times like every other.
fn token_reply(st: &SimState, t: Issued) -> SimResult<Response> {
    ok_record(&TokenOutputDto {
        AccessToken: Some(t.access_token),
        RefreshToken: Some(t.refresh_token),
        AccessTokenExpireOn: stamp(st, t.access_expires),
        RefreshTokenExpireOn: stamp(st, t.refresh_expires),
    })
}

/// `POST /v2/security/authenticate`.
pub async fn authenticate(
    State(st): State<SimState>,
    headers: HeaderMap,
    body: Bytes,
) -> SimResult<Response> {
    let f = form_fields(&headers, &body)?;
    let grant = f.req_str("GrantType")?;
    if !grant.trim().eq_ignore_ascii_case("password") {
        return Err(SimError::bad_request(format!(
            "Unsupported grant type '{grant}'"
        )));
    }
    let user = f.req_str("UserName")?;
    let password = f.req_str("Password")?;
    let tenant = f.req_str("Tenant")?;
    let (user_id, needs_mfa) = {
        let t = st.tenant();
        match t.refs.user_by_email(&user) {
            Some(u)
                if password == st.shared().password
                    && tenant.trim().eq_ignore_ascii_case(DEMO_TENANT) =>
            {
                (u.id, u.mfa)
            }
            _ => {
                return Err(SimError::bad_request(
                    "Invalid user name, password or tenant",
                ));
            }
        }
    };
    if needs_mfa {
        match f.text("MFACode")? {
            None => return Err(SimError::bad_request("MFA code is required")),
            Some(code) if code != st.shared().mfa_code => {
                return Err(SimError::bad_request("Invalid MFA code"));
            }
            Some(_) => {}
        }
    }
    let shared = st.shared();
    let issued = st.auth().issue(
        user_id,
        bmsdesk_core::clock::now(),
        shared.access_ttl,
        shared.refresh_ttl,
    );
    token_reply(&st, issued)
}

/// `POST /v2/security/refreshtoken`: rotates both tokens.
pub async fn refresh(
    State(st): State<SimState>,
    headers: HeaderMap,
    body: Bytes,
) -> SimResult<Response> {
    let f = form_fields(&headers, &body)?;
    let access = f.req_str("AccessToken")?;
    let refresh = f.req_str("RefreshToken")?;
    let now = bmsdesk_core::clock::now();
    let shared = st.shared();
    let mut auth = st.auth();
    let user = auth.redeem(&access, &refresh, now)?;
    let issued = auth.issue(user, now, shared.access_ttl, shared.refresh_ttl);
    drop(auth);
    token_reply(&st, issued)
}

/// Middleware: a valid `Authorization: Bearer` token or a 401 envelope.
pub async fn require_bearer(State(st): State<SimState>, mut req: Request, next: Next) -> Response {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (scheme, token) = v.trim().split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_string())
        });
    let Some(token) = token.filter(|t| !t.is_empty()) else {
        return SimError::unauthorized("Authorization has been denied for this request.")
            .into_response();
    };
    let checked = st.auth().check(&token, bmsdesk_core::clock::now());
    match checked {
        Ok(user) => {
            req.extensions_mut().insert(CurrentUser(user));
            next.run(req).await
        }
        Err(e) => e.into_response(),
    }
}

/// `GET /v2/security/userinfo`.
pub async fn userinfo(
    State(st): State<SimState>,
    axum::Extension(CurrentUser(user)): axum::Extension<CurrentUser>,
) -> SimResult<Response> {
    let t = st.tenant();
    let u = t
        .refs
        .user(user)
        .ok_or_else(|| SimError::unauthorized("Security Error: unknown user"))?;
    let zone = st.shared().zone;
    let now = super::tenant::now();
    let offset = zone.offset_from_utc_datetime(&now.naive_utc()).fix();
    let info = UserInfoOutputDto {
        UserId: u.id,
        FullName: Some(u.name.clone()),
        EmailAddress: Some(u.email.clone()),
        TimeStamp: stamp(&st, now),
        // Hours east of UTC, a number (the spec's `float`).
        TimeZoneValue: f64::from(offset.local_minus_utc()) / 3600.0,
        TimeZoneName: Some(zone_display_name(zone, now)),
        OlsonTimeZoneName: Some(zone.name().to_string()),
        DateFormat: Some("yyyy-MM-dd".into()),
        TimeFormat: Some("HH:mm".into()),
        TimeFormatWithSeconds: Some("HH:mm:ss".into()),
        TenantId: super::refdata::TENANT_ID,
        AccountId: None,
        LocationId: None,
        ContactId: None,
        BusinessName: Some(DEMO_TENANT.into()),
        UserAccessRights: Some(Vec::new()),
        SpecialFeatures: Some(Vec::new()),
        ViewsMenus: Some(Vec::new()),
        QueuesMenus: Some(Vec::new()),
        CurrencyCode: Some("USD".into()),
        CultureCode: Some("en-US".into()),
        FilesVersionNumber: None,
        NewTicketingUI: true,
        IsUserSystemAdmin: false,
        ProductName: Some("Kaseya BMS".into()),
        PictureUrl: None,
        OpenIdRealmId: None,
    };
    ok_record(&info)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_expire_rotate_and_can_be_expired_early() {
        let mut a = AuthStore::default();
        let now = bmsdesk_core::clock::now();
        let ttl = chrono::Duration::seconds(60);
        let t = a.issue(7, now, ttl, ttl * 10);
        assert_eq!(a.check(&t.access_token, now).unwrap(), 7);
        assert!(a.check(&t.access_token, now + ttl).is_err());
        assert!(a.check("nope", now).is_err());
        // Wrong pairing is refused; the right one rotates.
        let other = a.issue(8, now, ttl, ttl);
        assert!(
            a.redeem(&other.access_token, &t.refresh_token, now)
                .is_err()
        );
        assert_eq!(a.redeem(&t.access_token, &t.refresh_token, now).unwrap(), 7);
        assert!(a.redeem(&t.access_token, &t.refresh_token, now).is_err());
        a.expire_access(now);
        assert!(a.check(&other.access_token, now).is_err());
        a.expire_refresh(now);
        assert!(
            a.redeem(&other.access_token, &other.refresh_token, now)
                .is_err()
        );
    }

    #[test]
    fn multipart_fields_are_read() {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"GrantType\"\r\n\r\npassword\r\n--XyZ\r\nContent-Disposition: form-data; name=\"UserName\"\r\n\r\na@b.c\r\n--XyZ--\r\n";
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            "multipart/form-data; boundary=XyZ".parse().unwrap(),
        );
        let f = form_fields(&h, body.as_bytes()).unwrap();
        assert_eq!(f.req_str("granttype").unwrap(), "password");
        assert_eq!(f.req_str("UserName").unwrap(), "a@b.c");
    }
}
