//! The one place that sends requests: base URL, bearer token (refreshed before expiry and once
//! on a 401), bounded retries with backoff, envelope decoding.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::auth::{self, TokenSet, TokenStore};
use crate::body::{self, BodyError};
use crate::budget::{BudgetSnapshot, HOURLY_LIMIT, RequestBudget, WINDOW};
use crate::envelope::{Reply, decode};
use crate::paging::Keyed;
use crate::server_clock::ServerClock;
use bmsdesk_core::capabilities::Capabilities;
use bmsdesk_core::error::{ApiError, ApiResult};
use bmsdesk_core::model::UserInfo;
use bmsdesk_core::retry::{RetryPolicy, Sent, parse_http_date, parse_retry_after};
use bmsdesk_core::secret::Credentials;
use bmsdesk_core::tenant_time::{self, TenantZone};

pub use bmsdesk_core::base_url::{REGIONS, path_template, resolve_base_url};

#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Region name or URL (see [`resolve_base_url`]).
    pub base_url: String,
    pub credentials: Option<Credentials>,
    pub token_store: Option<TokenStore>,
    /// Rows asked for per page on paged endpoints.
    pub page_size: u32,
    /// Pages fetched at once when the total is known.
    pub concurrency: usize,
    pub timeout: Duration,
    /// Extra attempts for a request that failed for a transient reason.
    pub max_retries: u32,
    /// First backoff step; doubles each attempt, with jitter.
    pub backoff: Duration,
    /// Extra attempts after a 429/503 refusal (each waits the server's `Retry-After`).
    /// `max_retries = 0` turns these off too.
    pub max_refusals: u32,
    /// Check-then-resend rounds for a write whose outcome is unknown (see `actions`).
    pub write_rounds: u32,
    /// How long the server's reads may lag behind a write ([`RetryPolicy::check_window`]).
    pub check_window: Duration,
    /// Largest reply body read; a bigger one is an error (`max_reply_mb`).
    pub max_reply_bytes: u64,
    /// Most rows one listing reads (`max_rows`); see `paging`.
    pub max_rows: u64,
    /// Requests per endpoint per hour the server allows (the request budget; BMS: 1,500).
    pub hourly_limit: u32,
    /// The zone naive server times are in, when the profile says (`tenant_timezone`);
    /// otherwise it is learnt from `userinfo` at sign-in (see `tenant_time`).
    pub tenant_zone: Option<TenantZone>,
    /// What `bmsdesk doctor` measured on this tenant (see `capabilities`): the page size the
    /// server honours, whether it splits comma-joined filters, its zone until `userinfo`
    /// answers. Used only when measured on this base URL and tenant.
    pub capabilities: Capabilities,
}

impl ClientOptions {
    /// The retry policy these options describe.
    pub fn retry_policy(&self) -> RetryPolicy {
        RetryPolicy {
            max_retries: self.max_retries,
            max_refusals: if self.max_retries == 0 {
                0
            } else {
                self.max_refusals
            },
            base: self.backoff,
            write_rounds: self.write_rounds,
            check_window: self.check_window,
            ..RetryPolicy::default()
        }
    }
}

impl ClientOptions {
    pub fn new(base_url: impl Into<String>) -> Self {
        ClientOptions {
            base_url: base_url.into(),
            credentials: None,
            token_store: None,
            page_size: bmsdesk_core::guesses::DEFAULT_PAGE_SIZE,
            concurrency: bmsdesk_core::config::defaults::CONCURRENCY,
            timeout: bmsdesk_core::config::defaults::TIMEOUT,
            max_retries: RetryPolicy::default().max_retries,
            backoff: RetryPolicy::default().base,
            max_refusals: RetryPolicy::default().max_refusals,
            write_rounds: RetryPolicy::default().write_rounds,
            check_window: RetryPolicy::default().check_window,
            max_reply_bytes: body::DEFAULT_MAX_REPLY_BYTES,
            max_rows: crate::paging::DEFAULT_MAX_ROWS,
            hourly_limit: HOURLY_LIMIT,
            tenant_zone: None,
            capabilities: Capabilities::default(),
        }
    }
}

pub(crate) enum Body {
    None,
    Json(Value),
    JsonPatch(Value),
}

#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: String,
    auth: tokio::sync::Mutex<AuthState>,
    page_size: u32,
    concurrency: usize,
    retry: RetryPolicy,
    usage: Mutex<HashMap<String, u64>>,
    budget: Mutex<RequestBudget>,
    clock: ServerClock,
    max_reply_bytes: u64,
    max_rows: u64,
    /// Warnings for the user that did not stop the request (see [`Client::take_notices`]).
    notices: Mutex<Vec<String>>,
    /// The profile's `tenant_timezone`, which wins over what the server says.
    zone_override: Option<TenantZone>,
    /// The tenant zone once known (override, saved sign-in or `userinfo`).
    zone: Mutex<Option<TenantZone>>,
    /// Held while `userinfo` is asked for the zone, so concurrent first requests ask once.
    zone_learning: tokio::sync::Mutex<()>,
    /// What `doctor` measured on this tenant (empty when nothing was, or it was measured
    /// on another server or tenant).
    capabilities: Capabilities,
    /// The signed-in user's id, once `userinfo` has told it.
    user_id: Mutex<Option<bmsdesk_core::model::Id>>,
    /// Per endpoint, the largest page size seen served whole in this process (see `paging`).
    full_pages: Mutex<HashMap<String, u32>>,
}

struct AuthState {
    tokens: Option<TokenSet>,
    credentials: Option<Credentials>,
    store: Option<TokenStore>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base", &self.inner.base)
            .finish()
    }
}

pub(crate) fn transport_error(e: reqwest::Error) -> ApiError {
    // reqwest's text names the URL; ours carry no secrets (tokens go in headers/forms).
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "connection dropped while reading the reply"
    } else {
        "request failed"
    };
    let mut source = std::error::Error::source(&e);
    let mut detail = String::new();
    while let Some(s) = source {
        detail = s.to_string();
        source = s.source();
    }
    if detail.is_empty() {
        ApiError::Transport(kind.to_string())
    } else {
        ApiError::Transport(format!("{kind}: {detail}"))
    }
}

impl Client {
    pub fn new(opts: ClientOptions) -> ApiResult<Self> {
        let base = resolve_base_url(&opts.base_url)?;
        let retry = opts.retry_policy();
        let http = reqwest::Client::builder()
            .timeout(opts.timeout)
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("bmsdesk/", env!("CARGO_PKG_VERSION")))
            .redirect(crate::redirect::policy())
            .https_only(base.starts_with("https://"))
            .build()
            .map_err(|e| ApiError::Config(format!("cannot build HTTP client: {e}")))?;
        let saved = match &opts.token_store {
            Some(store) => store.load_checked()?,
            None => None,
        };
        let tokens = saved.filter(|t| {
            t.belongs_to(
                &base,
                opts.credentials.as_ref().map(|c| c.tenant.as_str()),
                opts.credentials.as_ref().map(|c| c.username.as_str()),
            )
        });
        let mut notices = Vec::new();
        let mut capabilities = opts.capabilities;
        notices.extend(capabilities.load_warning.take());
        let tenant = opts.credentials.as_ref().map(|c| c.tenant.as_str());
        if !capabilities.is_empty() && !capabilities.applies_to(&base, tenant) {
            tracing::info!("capabilities measured on another server or tenant: not used");
            notices.push("the tenant capabilities on file were measured on another server or tenant and are not used; run `bmsdesk doctor` again".into());
            capabilities = Capabilities::default();
        }
        // The measured zone stands in until `userinfo` answers (the sign-in asks it).
        let zone = opts.tenant_zone.or_else(|| {
            tokens
                .as_ref()
                .and_then(|t| t.tenant_zone.as_deref())
                .and_then(TenantZone::parse)
                .or_else(|| capabilities.zone())
        });
        let page_size = capabilities.page_size(
            opts.page_size
                .clamp(1, bmsdesk_core::guesses::MAX_PAGE_SIZE),
        );
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                auth: tokio::sync::Mutex::new(AuthState {
                    tokens,
                    credentials: opts.credentials,
                    store: opts.token_store,
                }),
                page_size,
                concurrency: opts.concurrency.clamp(1, 16),
                retry,
                usage: Mutex::new(HashMap::new()),
                budget: Mutex::new(RequestBudget::new(opts.hourly_limit, WINDOW)),
                clock: ServerClock::default(),
                max_reply_bytes: opts.max_reply_bytes.max(1),
                max_rows: opts.max_rows.max(1),
                notices: Mutex::new(notices),
                zone_override: opts.tenant_zone,
                zone: Mutex::new(zone),
                zone_learning: tokio::sync::Mutex::new(()),
                capabilities,
                user_id: Mutex::new(None),
                full_pages: Mutex::new(HashMap::new()),
            }),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    pub fn page_size(&self) -> u32 {
        self.inner.page_size
    }

    /// What `doctor` measured on this tenant (empty when nothing applies).
    pub fn capabilities(&self) -> &Capabilities {
        &self.inner.capabilities
    }

    pub(crate) fn concurrency(&self) -> usize {
        self.inner.concurrency
    }

    pub(crate) fn max_rows(&self) -> u64 {
        self.inner.max_rows
    }

    /// Whether `endpoint` is known to serve pages of `size` rows whole: measured by `doctor`,
    /// or seen in this process (a full page of that size or more).
    pub(crate) fn serves_whole(&self, endpoint: &str, size: u32) -> bool {
        self.inner.capabilities.serves_whole(size)
            || self
                .inner
                .full_pages
                .lock()
                .ok()
                .and_then(|m| m.get(endpoint).copied())
                .is_some_and(|seen| size <= seen)
    }

    /// `endpoint` served a full page of `size` rows.
    pub(crate) fn saw_full_page(&self, endpoint: &str, size: u32) {
        if let Ok(mut m) = self.inner.full_pages.lock() {
            let seen = m.entry(endpoint.to_string()).or_default();
            *seen = (*seen).max(size);
        }
    }

    /// Records a warning for the user: something went wrong that did not stop the request
    /// (a sign-in that could not be saved, a list cut short by its server). Repeats are kept
    /// once and the list is bounded.
    pub(crate) fn notice(&self, message: String) {
        tracing::warn!(%message, "notice");
        if let Ok(mut n) = self.inner.notices.lock()
            && !n.contains(&message)
            && n.len() < 32
        {
            n.push(message);
        }
    }

    /// The warnings recorded since the last call (the CLI prints them on stderr, the TUI in
    /// its status bar).
    pub fn take_notices(&self) -> Vec<String> {
        self.inner
            .notices
            .lock()
            .map(|mut n| std::mem::take(&mut *n))
            .unwrap_or_default()
    }

    /// Requests sent so far, per endpoint template (ids replaced by `{id}`).
    pub fn usage(&self) -> HashMap<String, u64> {
        self.inner
            .usage
            .lock()
            .map(|u| u.clone())
            .unwrap_or_default()
    }

    /// The retry policy every request follows (and `actions` uses for writes).
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// Requests per endpoint over the last hour against BMS's ~1,500/hour/endpoint limit,
    /// tightest first (for a status bar, and to slow background refresh; see
    /// [`BudgetSnapshot::suggested_refresh_interval`]).
    pub fn budget(&self) -> BudgetSnapshot {
        self.inner
            .budget
            .lock()
            .map(|mut b| b.snapshot(Instant::now()))
            .unwrap_or_default()
    }

    /// The server's time at local time `local`, as its replies' `Date` headers tell (the local
    /// time until a reply told it).
    pub fn server_time(
        &self,
        local: chrono::DateTime<chrono::Utc>,
    ) -> chrono::DateTime<chrono::Utc> {
        self.inner.clock.server_time(local)
    }

    /// Server time minus local time, once known.
    pub fn server_offset(&self) -> Option<chrono::TimeDelta> {
        self.inner.clock.offset()
    }

    /// How often background refresh should run given it would run every `base` with budget
    /// to spare (see [`BudgetSnapshot::suggested_refresh_interval`]).
    pub fn suggested_refresh_interval(&self, base: Duration) -> Duration {
        self.budget().suggested_refresh_interval(base)
    }

    /// Sets (or replaces) the one-time MFA code used by the next sign-in.
    pub async fn set_mfa_code(&self, code: Option<bmsdesk_core::secret::Secret>) {
        let mut st = self.inner.auth.lock().await;
        if let Some(c) = st.credentials.as_mut() {
            c.mfa_code = code;
        }
    }

    pub async fn has_credentials(&self) -> bool {
        self.inner.auth.lock().await.credentials.is_some()
    }

    /// Signs in with the password grant now (even if a token is saved) and stores the tokens.
    pub async fn login(&self) -> ApiResult<TokenSet> {
        let mut st = self.inner.auth.lock().await;
        let creds = st.credentials.clone().ok_or_else(|| {
            ApiError::Config("no credentials: set tenant and username in the config (or BMS_TENANT/BMS_USERNAME) and a password".into())
        })?;
        let tokens = self.sign_in(&creds).await?;
        self.keep(&mut st, tokens.clone());
        Ok(tokens)
    }

    /// Forgets the saved tokens (memory and disk).
    pub async fn logout(&self) {
        let mut st = self.inner.auth.lock().await;
        st.tokens = None;
        if let Some(s) = &st.store {
            s.clear();
        }
    }

    /// The current tokens, if any (for `whoami`/status; never printed).
    pub async fn tokens(&self) -> Option<TokenSet> {
        self.inner.auth.lock().await.tokens.clone()
    }

    /// Takes new tokens into use. Failing to save them (full disk, a file where the folder
    /// should be) only costs the next run a sign-in: it is a notice, never the command's error.
    fn keep(&self, st: &mut AuthState, tokens: TokenSet) {
        if let Some(store) = &st.store
            && let Err(e) = store.save(&tokens)
        {
            self.notice(format!(
                "signed in, but the sign-in could not be saved ({e}); this command goes on, the next one will sign in again"
            ));
        }
        st.tokens = Some(tokens);
    }

    /// A valid access token: the saved one, a refreshed one, or a fresh sign-in.
    async fn bearer(&self) -> ApiResult<String> {
        let mut st = self.inner.auth.lock().await;
        if let Some(t) = &st.tokens
            && !t.access_expiring(bmsdesk_core::clock::now())
        {
            return Ok(t.access_token.clone());
        }
        self.renew(&mut st).await
    }

    /// After a 401 with `rejected`: renew unless another request already did.
    async fn renew_after_401(&self, rejected: &str) -> ApiResult<String> {
        let mut st = self.inner.auth.lock().await;
        if let Some(t) = &st.tokens
            && t.access_token != rejected
            && !t.access_expiring(bmsdesk_core::clock::now())
        {
            return Ok(t.access_token.clone());
        }
        // Force a renewal even when the clock says the token is still good.
        if let Some(t) = st.tokens.as_mut() {
            t.access_token_expire_on = bmsdesk_core::clock::now();
        }
        self.renew(&mut st).await
    }

    async fn renew(&self, st: &mut AuthState) -> ApiResult<String> {
        let now = bmsdesk_core::clock::now();
        if let Some(old) = st.tokens.clone()
            && !old.refresh_token.is_empty()
            && old.refresh_usable(now)
        {
            let zone = self.known_zone().unwrap_or_default();
            match auth::refresh(&self.inner.http, &self.inner.base, &old, zone).await {
                Ok(new) => {
                    tracing::info!("access token refreshed");
                    let token = new.access_token.clone();
                    self.keep(st, new);
                    return Ok(token);
                }
                // A redirect (Config) is not a refusal: signing in would meet it too.
                Err(e) if e.is_transient() || matches!(e, ApiError::Config(_)) => return Err(e),
                Err(e) => tracing::info!(error = %e, "refresh refused; signing in again"),
            }
        }
        st.tokens = None;
        let Some(creds) = st.credentials.clone() else {
            return Err(ApiError::Unauthorized(
                "the saved sign-in has expired and no password is configured: run `bmsdesk login`"
                    .into(),
            ));
        };
        let new = self.sign_in(&creds).await?;
        let token = new.access_token.clone();
        self.keep(st, new);
        Ok(token)
    }

    /// The password grant, then `userinfo` with the new token for the tenant's zone (unless
    /// the profile names it): the token's expiry, read before the zone was known, is read
    /// again in it, and the zone is kept with the token.
    async fn sign_in(&self, creds: &Credentials) -> ApiResult<TokenSet> {
        let guess = self.known_zone().unwrap_or_default();
        let mut tokens =
            auth::authenticate(&self.inner.http, &self.inner.base, creds, guess).await?;
        let zone = match self.inner.zone_override {
            Some(z) => Some(z),
            None => self.zone_with(&tokens.access_token).await,
        };
        if let Some(zone) = zone {
            tokens.access_token_expire_on = zone.reinterpret(tokens.access_token_expire_on, guess);
            tokens.refresh_token_expire_on = tokens
                .refresh_token_expire_on
                .map(|t| zone.reinterpret(t, guess));
            tokens.tenant_zone = Some(zone.to_string());
            self.set_zone(zone);
        }
        Ok(tokens)
    }

    /// `userinfo` asked with `token` directly (right after sign-in, before the token's expiry
    /// can be trusted); `None` when it did not answer with a zone (the next request asks
    /// again through [`Client::tenant_zone`]).
    async fn zone_with(&self, token: &str) -> Option<TenantZone> {
        let key = Self::endpoint_key(&Method::GET, USERINFO);
        self.count(&key);
        let (status, bytes) = self
            .attempt(&Method::GET, USERINFO, &[], &Body::None, token)
            .await
            .ok()?;
        let info = decode::<Option<UserInfo>>(status, &bytes).ok()?.result?;
        self.learn_user(&info);
        info.tenant_zone()
    }

    /// Keeps what `userinfo` said about the signed-in user (its id).
    pub(crate) fn learn_user(&self, info: &UserInfo) {
        if info.user_id > 0
            && let Ok(mut u) = self.inner.user_id.lock()
        {
            *u = Some(info.user_id);
        }
    }

    /// The signed-in user's id, when `userinfo` has told it in this process.
    pub fn known_user_id(&self) -> Option<bmsdesk_core::model::Id> {
        self.inner.user_id.lock().ok().and_then(|u| *u)
    }

    /// The signed-in user's id: known, else asked now (`userinfo`); `None` when the server
    /// cannot say. The lost-reply check knows its own notes by it.
    pub async fn user_id(&self) -> Option<bmsdesk_core::model::Id> {
        if let Some(id) = self.known_user_id() {
            return Some(id);
        }
        match self.user_info().await {
            Ok(info) => self
                .known_user_id()
                .or(Some(info.user_id).filter(|id| *id > 0)),
            Err(e) => {
                tracing::info!(error = %e, "userinfo failed; the user id is unknown");
                None
            }
        }
    }

    fn known_zone(&self) -> Option<TenantZone> {
        self.inner.zone.lock().ok().and_then(|z| *z)
    }

    fn set_zone(&self, zone: TenantZone) {
        if let Ok(mut z) = self.inner.zone.lock() {
            *z = Some(zone);
        }
    }

    /// The zone naive server times are in (see `tenant_time`): the profile's
    /// `tenant_timezone`, else the one kept with the sign-in, else `userinfo`'s (asked now).
    /// A server whose `userinfo` names no zone is taken as UTC, with a notice; a `userinfo`
    /// that cannot be reached is the caller's error, so no time is sent in a guessed zone.
    pub async fn tenant_zone(&self) -> ApiResult<TenantZone> {
        if let Some(z) = self.known_zone() {
            return Ok(z);
        }
        let _one = self.inner.zone_learning.lock().await;
        if let Some(z) = self.known_zone() {
            return Ok(z);
        }
        // Boxed: `send` asks this before every request but userinfo's.
        let info = match Box::pin(self.get::<Option<UserInfo>>(USERINFO, &[])).await {
            Ok(r) => r.result,
            Err(e)
                if e.is_transient()
                    || matches!(
                        e,
                        ApiError::Unauthorized(_)
                            | ApiError::AuthFailed(_)
                            | ApiError::MfaRequired
                            | ApiError::Config(_)
                    ) =>
            {
                return Err(e);
            }
            Err(e) => {
                self.notice(format!("userinfo failed ({e}): server times are read as UTC; set tenant_timezone in the profile if that is wrong"));
                None
            }
        };
        if let Some(info) = &info {
            self.learn_user(info);
        }
        let zone = match info.as_ref().and_then(UserInfo::tenant_zone) {
            Some(z) => z,
            None => {
                if info.is_some() {
                    self.notice("the server's userinfo names no time zone: server times are read as UTC; set tenant_timezone in the profile if that is wrong".into());
                }
                TenantZone::UTC
            }
        };
        self.set_zone(zone);
        let mut st = self.inner.auth.lock().await;
        if let Some(mut t) = st.tokens.clone()
            && t.tenant_zone.is_none()
        {
            t.tenant_zone = Some(zone.to_string());
            self.keep(&mut st, t);
        }
        Ok(zone)
    }

    /// `body` as JSON with its date-times written in the tenant's zone.
    pub(crate) async fn encode<B: Serialize + ?Sized>(&self, body: &B) -> ApiResult<Value> {
        let zone = self.tenant_zone().await?;
        tenant_time::scoped(zone, || serde_json::to_value(body))
            .map_err(|e| ApiError::Invalid(e.to_string()))
    }

    /// `"METHOD /path/{id}"`: the key of [`Client::usage`] and [`Client::budget`].
    pub(crate) fn endpoint_key(method: &Method, path: &str) -> String {
        format!("{method} {}", path_template(path))
    }

    pub(crate) fn count(&self, key: &str) {
        if let Ok(mut u) = self.inner.usage.lock() {
            *u.entry(key.to_string()).or_default() += 1;
        }
        if let Ok(mut b) = self.inner.budget.lock() {
            b.record(key, Instant::now());
        }
    }

    pub(crate) async fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Body,
    ) -> ApiResult<Reply<T>> {
        let policy = &self.inner.retry;
        let key = Self::endpoint_key(&method, path);
        // The zone is known before the first request that reads or writes a time.
        let zone = if path == USERINFO {
            self.known_zone().unwrap_or_default()
        } else {
            self.tenant_zone().await?
        };
        let mut token = self.bearer().await?;
        let mut renewed = false;
        // Failures worth another try, and explicit refusals, each have their own bound.
        let mut failures = 0u32;
        let mut refusals = 0u32;
        let mut waited = Duration::ZERO;
        loop {
            self.count(&key);
            let outcome = self.attempt(&method, path, query, &body, &token).await;
            let (err, sent) = match outcome {
                Ok((status, bytes)) => {
                    if status == 401 && !renewed {
                        // Not acted on: renew the token (refresh, else sign in) and resend.
                        renewed = true;
                        token = self.renew_after_401(&token).await?;
                        continue;
                    }
                    match tenant_time::scoped(zone, || decode::<T>(status, &bytes)) {
                        // 429/503 never get here (`attempt` turns them into `Refused`): a 5xx
                        // here means the server may have acted, so only reads are sent again.
                        Err(e) if e.is_transient() => (e, Sent::Unknown),
                        other => return other,
                    }
                }
                Err(AttemptError::NotSent(e)) => (e, Sent::No),
                Err(AttemptError::Refused(e)) => (e, Sent::Refused),
                Err(AttemptError::Unknown(e)) => (e, Sent::Unknown),
                // Sending it again would not change the answer (a redirect not
                // followed, a reply too large to read).
                Err(AttemptError::Final(e)) => return Err(e),
            };
            let (count, bound) = match sent {
                Sent::Refused => (&mut refusals, policy.max_refusals),
                _ => (&mut failures, policy.max_retries),
            };
            if *count >= bound || !policy.may_resend_to(&method, path, sent) {
                return Err(err);
            }
            let wait = policy.backoff(*count, err.retry_after());
            if waited + wait > policy.max_total_wait {
                return Err(err);
            }
            waited += wait;
            *count += 1;
            tracing::warn!(%method, path, error = %err, ?sent, ?wait, "request failed; retrying");
            tokio::time::sleep(wait).await;
        }
    }

    async fn attempt(
        &self,
        method: &Method,
        path: &str,
        query: &[(String, String)],
        body: &Body,
        token: &str,
    ) -> Result<(u16, Vec<u8>), AttemptError> {
        let url = format!("{}{}", self.inner.base, path);
        let mut req = self
            .inner
            .http
            .request(method.clone(), &url)
            .bearer_auth(token)
            .header("Accept", "application/json");
        if !query.is_empty() {
            req = req.query(query);
        }
        req = match body {
            Body::None => req,
            Body::Json(v) => req.json(v),
            Body::JsonPatch(v) => req
                .header("Content-Type", "application/json-patch+json")
                .body(v.to_string()),
        };
        let started = std::time::Instant::now();
        let resp = req.send().await.map_err(|e| {
            if e.is_connect() {
                AttemptError::NotSent(transport_error(e))
            } else {
                AttemptError::Unknown(transport_error(e))
            }
        })?;
        let status = resp.status().as_u16();
        let location = resp.headers().get("location").and_then(|v| v.to_str().ok());
        if let Some(e) = crate::redirect::refused(status, location, resp.url()) {
            return Err(AttemptError::Final(e));
        }
        let date = resp
            .headers()
            .get(reqwest::header::DATE)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_http_date);
        if let Some(date) = date {
            self.inner.clock.observe(date, bmsdesk_core::clock::now());
        }
        // A `Retry-After` date is in the server's clock: measured against its own `Date`.
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, date.unwrap_or_else(bmsdesk_core::clock::now)));
        let what = format!("{method} {}", path_template(path));
        let bytes = body::read_capped(resp, self.inner.max_reply_bytes, &what)
            .await
            .map_err(|e| match e {
                BodyError::TooLarge(e) => AttemptError::Final(e),
                BodyError::Transport(e) => AttemptError::Unknown(transport_error(e)),
            })?;
        tracing::debug!(%method, path, status, elapsed_ms = started.elapsed().as_millis() as u64, "api call");
        if matches!(status, 429 | 503) {
            // An explicit refusal: the server did not act on it.
            let message = if status == 429 {
                if let Ok(mut b) = self.inner.budget.lock() {
                    b.throttled(
                        &Self::endpoint_key(method, path),
                        retry_after,
                        Instant::now(),
                    );
                }
                "rate limited"
            } else {
                "service unavailable"
            };
            return Err(AttemptError::Refused(ApiError::Http {
                status,
                message: message.into(),
                retry_after,
            }));
        }
        Ok((status, bytes))
    }

    // ----- small typed helpers used by the per-area files -----

    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(String, String)],
    ) -> ApiResult<Reply<T>> {
        self.send(Method::GET, path, query, Body::None).await
    }

    pub(crate) async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: Value,
    ) -> ApiResult<Reply<T>> {
        self.send(Method::POST, path, &[], Body::Json(body)).await
    }

    pub(crate) async fn put<T: DeserializeOwned>(
        &self,
        path: &str,
        body: Value,
    ) -> ApiResult<Reply<T>> {
        self.send(Method::PUT, path, &[], Body::Json(body)).await
    }

    pub(crate) async fn patch<T: DeserializeOwned>(
        &self,
        path: &str,
        body: Value,
    ) -> ApiResult<Reply<T>> {
        self.send(Method::PATCH, path, &[], Body::JsonPatch(body))
            .await
    }

    pub(crate) async fn delete(&self, path: &str) -> ApiResult<()> {
        self.send::<Value>(Method::DELETE, path, &[], Body::None)
            .await
            .map(|_| ())
    }

    /// A GET list endpoint the spec documents without paging (no `PageSize`/`PageNumber`
    /// among its parameters): one request, the whole list, no paging parameters sent.
    pub(crate) async fn get_list<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(String, String)],
    ) -> ApiResult<Vec<T>> {
        let reply: Reply<Option<Vec<T>>> = self.get(path, query).await?;
        Ok(reply.result.unwrap_or_default())
    }

    /// Every page of a GET list endpoint (`PageSize`/`PageNumber` in the query), through
    /// [`Client::read_pages`] like every other paged read.
    pub(crate) async fn get_all<T: DeserializeOwned + Keyed>(
        &self,
        path: &str,
        query: &[(String, String)],
    ) -> ApiResult<Vec<T>> {
        let endpoint = Self::endpoint_key(&Method::GET, path);
        let mut out: Vec<T> = Vec::new();
        self.read_pages(
            &endpoint,
            |page, size| {
                let mut q = query.to_vec();
                q.push(("PageSize".into(), size.to_string()));
                q.push(("PageNumber".into(), page.to_string()));
                async move {
                    let reply: Reply<Option<Vec<T>>> = self.get(path, &q).await?;
                    Ok(Reply {
                        result: reply.result.unwrap_or_default(),
                        total: reply.total,
                    })
                }
            },
            |rows, _| out.extend(rows),
        )
        .await?;
        Ok(out)
    }
}

enum AttemptError {
    /// Never reached the server.
    NotSent(ApiError),
    /// The server explicitly refused (429/503) without acting.
    Refused(ApiError),
    /// Sent, but no complete reply: the server may have acted.
    Unknown(ApiError),
    /// An answer that asking again cannot change (a redirect that is not followed, a reply
    /// too large to read).
    Final(ApiError),
}

/// The endpoint that tells the signed-in user's time zone.
const USERINFO: &str = "/v2/security/userinfo";

pub(crate) fn q(key: &str, value: impl ToString) -> (String, String) {
    (key.to_string(), value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_rules() {
        assert_eq!(
            resolve_base_url("emea").unwrap(),
            "https://api.bmsemea.kaseya.com"
        );
        assert_eq!(resolve_base_url("").unwrap(), "https://api.bms.kaseya.com");
        assert_eq!(
            resolve_base_url("Pulseway").unwrap(),
            "https://api.psa.pulseway.com"
        );
        assert_eq!(
            resolve_base_url("https://api.example.com/").unwrap(),
            "https://api.example.com"
        );
        assert!(resolve_base_url("http://127.0.0.1:8080").is_ok());
        assert!(resolve_base_url("http://localhost:1").is_ok());
        assert!(resolve_base_url("http://[::1]:1").is_ok());
        assert!(matches!(
            resolve_base_url("http://api.example.com"),
            Err(ApiError::Config(_))
        ));
        assert!(matches!(
            resolve_base_url("ftp://x"),
            Err(ApiError::Config(_))
        ));
        assert!(matches!(resolve_base_url("mars"), Err(ApiError::Config(_))));
        // The preview region's host is inferred (guesses::REGIONS), but it is a name.
        assert_eq!(
            resolve_base_url("na1bmspreview").unwrap(),
            "https://api.na1bmspreview.kaseya.com"
        );
        assert_eq!(
            resolve_base_url("Preview").unwrap(),
            "https://api.na1bmspreview.kaseya.com"
        );
        let e = resolve_base_url("mars").unwrap_err().to_string();
        assert!(e.contains("na1bmspreview"), "{e}");
    }

    #[test]
    fn measured_capabilities_set_the_page_size_and_zone_on_their_own_tenant_only() {
        let caps = Capabilities {
            api_base: Some("http://127.0.0.1:9".into()),
            max_page_size: Some(25),
            tenant_zone: Some("Australia/Sydney".into()),
            ..Default::default()
        };
        let mut o = ClientOptions::new("http://127.0.0.1:9");
        o.capabilities = caps.clone();
        let c = Client::new(o).unwrap();
        assert_eq!(c.page_size(), 25);
        assert_eq!(c.known_zone().unwrap().to_string(), "Australia/Sydney");
        assert!(c.take_notices().is_empty());

        // A smaller configured size stays; the profile's zone wins.
        let mut o = ClientOptions::new("http://127.0.0.1:9");
        o.page_size = 10;
        o.tenant_zone = TenantZone::parse("Europe/Paris");
        o.capabilities = caps.clone();
        let c = Client::new(o).unwrap();
        assert_eq!(c.page_size(), 10);
        assert_eq!(c.known_zone().unwrap().to_string(), "Europe/Paris");

        // Measured on another server: not used, and the user is told.
        let mut o = ClientOptions::new("http://127.0.0.1:8");
        o.capabilities = caps;
        let c = Client::new(o).unwrap();
        assert_eq!((c.page_size(), c.known_zone()), (100, None));
        assert!(c.capabilities().is_empty());
        assert!(c.take_notices()[0].contains("doctor"));
    }

    #[test]
    fn a_capabilities_file_that_could_not_be_read_is_a_notice() {
        let mut o = ClientOptions::new("http://127.0.0.1:9");
        o.capabilities.load_warning = Some("capabilities.json: is not valid".into());
        let c = Client::new(o).unwrap();
        assert_eq!(c.take_notices(), vec!["capabilities.json: is not valid"]);
    }
}
