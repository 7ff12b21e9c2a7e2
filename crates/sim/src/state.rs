//! Shared server state, and the inspection/control surface tests use through the handle.

use std::collections::{BTreeMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use chrono::{DateTime, Duration, Utc};

use super::auth::AuthStore;
use super::faults::{FaultState, Faults};
use super::record::{Exchange, Recorder};
use super::shape::Shape;
use super::tenant::Tenant;
use super::truth;
use bmsdesk_core::tenant_time::{self, TenantZone, ZoneGuard};

/// A record id (the spec's `int32`s, held wide).
type Id = i64;

/// Request and fault counters (`GET /_sim/stats`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SimStats {
    /// `"METHOD /path"` with numeric segments as `{id}` (the client's `usage()` key, e.g.
    /// `"GET /v2/servicedesk/tickets/{id}"`) -> requests that reached a route.
    pub requests: BTreeMap<String, u64>,
    /// Fault kind -> times injected.
    pub faults: BTreeMap<String, u64>,
    pub total: u64,
}

impl SimStats {
    /// Requests counted for `key` (`"GET /v2/servicedesk/tickets/{id}/notes"`).
    pub fn count(&self, key: &str) -> u64 {
        self.requests.get(key).copied().unwrap_or(0)
    }
}

/// A recent search result: (filter key, tenant version, matching ticket indexes).
pub(crate) type CachedSearch = (String, u64, Arc<Vec<u32>>);

pub(crate) struct Shared {
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
    pub default_page_size: u32,
    pub max_page_size: u32,
    pub tenant: RwLock<Tenant>,
    pub auth: Mutex<AuthStore>,
    pub faults: Mutex<FaultState>,
    pub stats: Mutex<SimStats>,
    /// Sign-in secrets ([`super::SimConfig::password`], [`super::SimConfig::mfa_code`]).
    pub password: String,
    pub mfa_code: String,
    /// [`super::SimConfig::tenant_zone`].
    pub zone: chrono_tz::Tz,
    /// [`super::SimConfig::splits_commas`].
    pub splits_commas: bool,
    /// [`super::SimConfig::sort_accepted`].
    pub sort_accepted: bool,
    /// Key case and `null`s of every API reply ([`super::SimConfig::pascal_case`],
    /// [`super::SimConfig::null_rate`]).
    pub shape: Shape,
    /// Bumped on every write access to the tenant (invalidates `searches`).
    pub version: AtomicU64,
    pub searches: Mutex<Vec<CachedSearch>>,
    /// Records written under [`Faults::read_lag_ms`], hidden from lists until their time.
    pub lagging: Mutex<Vec<Lagging>>,
    /// [`super::SimConfig::record`]: every exchange, for conformance tests.
    pub recorder: Recorder,
}

/// What kind of record a read-lag entry hides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LagKind {
    Ticket,
    Note,
    TimeLog,
}

/// One record that lists and searches do not show yet.
#[derive(Debug, Clone, Copy)]
pub struct Lagging {
    kind: LagKind,
    id: Id,
    until: tokio::time::Instant,
}

/// A lock on the tenant that also holds the tenant's zone for naive times (a lock guard is
/// never held across an `.await`, so neither is the zone).
pub(crate) struct TenantGuard<G> {
    // Declared first: the lock is released before the zone is restored.
    guard: G,
    #[allow(dead_code)]
    zone: ZoneGuard,
}

impl<G: std::ops::Deref<Target = Tenant>> std::ops::Deref for TenantGuard<G> {
    type Target = Tenant;
    fn deref(&self) -> &Tenant {
        &self.guard
    }
}

impl<G: std::ops::DerefMut<Target = Tenant>> std::ops::DerefMut for TenantGuard<G> {
    fn deref_mut(&mut self) -> &mut Tenant {
        &mut self.guard
    }
}

/// How many distinct recent searches are kept.
const SEARCH_CACHE: usize = 16;

/// A cheap clone of the simulator's state. Handlers use it; tests reach it through
/// `SimHandle::state()` to look at or change the tenant and the faults.
#[derive(Clone)]
pub struct SimState(pub(crate) Arc<Shared>);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl SimState {
    pub(crate) fn shared(&self) -> &Shared {
        &self.0
    }

    /// The tenant, read. While it is held, naive times written and read are the tenant's
    /// zone's (see `api::tenant_time`): every reply is built and every request read under it.
    pub(crate) fn tenant(&self) -> TenantGuard<RwLockReadGuard<'_, Tenant>> {
        TenantGuard {
            zone: self.enter_zone(),
            guard: self.0.tenant.read().unwrap_or_else(|e| e.into_inner()),
        }
    }

    pub(crate) fn tenant_mut(&self) -> TenantGuard<RwLockWriteGuard<'_, Tenant>> {
        let zone = self.enter_zone();
        let guard = self.0.tenant.write().unwrap_or_else(|e| e.into_inner());
        self.0.version.fetch_add(1, Ordering::SeqCst);
        TenantGuard { guard, zone }
    }

    /// Naive times in the tenant's zone until the guard drops.
    pub(crate) fn enter_zone(&self) -> ZoneGuard {
        tenant_time::enter(TenantZone::Named(self.0.zone))
    }

    /// The tenant's write version (read it while holding the read lock).
    pub(crate) fn version(&self) -> u64 {
        self.0.version.load(Ordering::SeqCst)
    }

    /// A cached search result for `key` at `version`, or `compute`d and cached. Paging
    /// through 100k tickets then scans them once, not once per page.
    pub(crate) fn cached_search<E>(
        &self,
        key: String,
        version: u64,
        compute: impl FnOnce() -> Result<Vec<u32>, E>,
    ) -> Result<Arc<Vec<u32>>, E> {
        if let Some((_, _, hit)) = lock(&self.0.searches)
            .iter()
            .find(|(k, v, _)| *v == version && *k == key)
        {
            return Ok(hit.clone());
        }
        let ids = Arc::new(compute()?);
        let mut cache = lock(&self.0.searches);
        cache.retain(|(_, v, _)| *v == version);
        if cache.len() >= SEARCH_CACHE {
            cache.remove(0);
        }
        cache.push((key, version, ids.clone()));
        Ok(ids)
    }

    /// The server's clock: whole seconds, shifted by [`Faults::clock_skew_secs`].
    pub(crate) fn now(&self) -> DateTime<Utc> {
        super::tenant::now() + Duration::seconds(self.fault_state().faults.clock_skew_secs)
    }

    /// Hides a record just written from lists and searches for [`Faults::read_lag_ms`].
    pub(crate) fn hold_back(&self, kind: LagKind, id: Id) {
        let lag = self.fault_state().faults.read_lag_ms;
        if lag > 0 {
            let until = tokio::time::Instant::now() + std::time::Duration::from_millis(lag);
            lock(&self.0.lagging).push(Lagging { kind, id, until });
        }
    }

    /// Ids of `kind` that lists and searches must not show yet.
    pub(crate) fn hidden(&self, kind: LagKind) -> HashSet<Id> {
        let mut lagging = lock(&self.0.lagging);
        if lagging.is_empty() {
            return HashSet::new();
        }
        let now = tokio::time::Instant::now();
        lagging.retain(|l| l.until > now);
        lagging
            .iter()
            .filter(|l| l.kind == kind)
            .map(|l| l.id)
            .collect()
    }

    pub(crate) fn auth(&self) -> MutexGuard<'_, AuthStore> {
        lock(&self.0.auth)
    }

    pub(crate) fn fault_state(&self) -> MutexGuard<'_, FaultState> {
        lock(&self.0.faults)
    }

    pub(crate) fn stats_mut(&self) -> MutexGuard<'_, SimStats> {
        lock(&self.0.stats)
    }

    /// Runs `f` over the tenant (read-only).
    pub fn read<R>(&self, f: impl FnOnce(&Tenant) -> R) -> R {
        f(&self.tenant())
    }

    /// Runs `f` over the tenant with write access (test set-up).
    pub fn write<R>(&self, f: impl FnOnce(&mut Tenant) -> R) -> R {
        f(&mut self.tenant_mut())
    }

    /// A ticket as the server holds it, in the client's type (built by hand, see
    /// `sim::truth`; the `null`s a reply may carry are not applied).
    pub fn ticket(&self, id: Id) -> Option<truth::Ticket> {
        self.read(|t| t.ticket(id).map(|r| truth::ticket(t, r)))
    }

    /// Whether replies send `field` of record `key` of `schema` as `null` (drawn by
    /// [`super::SimConfig::null_rate`]; names as the spec spells them:
    /// `nulled("TicketListDto", id, "QueueName")`). Tests use it to tell a value the server
    /// left out from one the client lost.
    pub fn nulled(&self, schema: &str, key: i64, field: &str) -> bool {
        super::shape::is_nulled(&self.0.shape, schema, key, field)
    }

    /// Live tickets in the tenant.
    pub fn ticket_count(&self) -> usize {
        self.read(Tenant::ticket_count)
    }

    /// The ticket's notes as the server holds them (see [`SimState::ticket`]).
    pub fn notes(&self, ticket_id: Id) -> Vec<truth::Note> {
        self.read(|t| {
            t.ticket(ticket_id)
                .map(|r| t.notes_of(r).iter().map(|n| truth::note(t, n)).collect())
                .unwrap_or_default()
        })
    }

    pub fn note_count(&self, ticket_id: Id) -> usize {
        self.read(|t| t.ticket(ticket_id).map_or(0, |r| t.notes_of(r).len()))
    }

    /// The ticket's time entries as the server holds them (see [`SimState::ticket`]).
    pub fn time_logs(&self, ticket_id: Id) -> Vec<truth::TimeLog> {
        self.read(|t| {
            t.ticket(ticket_id)
                .map(|r| {
                    t.timelogs_of(r)
                        .iter()
                        .map(|l| truth::time_log(t, l))
                        .collect()
                })
                .unwrap_or_default()
        })
    }

    /// Replaces the active faults (counters and, if `faults.seed` is set, the RNG restart).
    pub fn set_faults(&self, faults: Faults) {
        self.fault_state().set(faults);
    }

    pub fn faults(&self) -> Faults {
        self.fault_state().faults.clone()
    }

    pub fn clear_faults(&self) {
        self.set_faults(Faults::default());
    }

    /// Every access token issued so far stops working now (refresh tokens still work).
    pub fn expire_access_tokens(&self) {
        self.auth().expire_access(bmsdesk_core::clock::now());
    }

    /// Every refresh token stops working now (a fresh sign-in is needed once the access
    /// token is gone too).
    pub fn expire_refresh_tokens(&self) {
        self.auth().expire_refresh(bmsdesk_core::clock::now());
    }

    /// Both of the above.
    pub fn expire_all_tokens(&self) {
        self.expire_access_tokens();
        self.expire_refresh_tokens();
    }

    pub fn stats(&self) -> SimStats {
        self.stats_mut().clone()
    }

    /// The largest `PageSize` served whole ([`super::SimConfig::max_page_size`]).
    pub fn max_page_size(&self) -> u32 {
        self.shared().max_page_size
    }

    pub fn reset_stats(&self) {
        *self.stats_mut() = SimStats::default();
    }

    /// Turns the recording of exchanges on or off (see [`super::SimConfig::record`]).
    pub fn set_recording(&self, on: bool) {
        self.0.recorder.set(on);
    }

    /// Every exchange recorded so far, oldest first.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.0.recorder.snapshot()
    }

    /// The exchanges recorded so far, removed from the recording.
    pub fn take_exchanges(&self) -> Vec<Exchange> {
        self.0.recorder.take()
    }
}
