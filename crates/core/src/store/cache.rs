//! A disk cache of the slow-changing lists (accounts, locations and contacts per account, lookups,
//! templates; 24 h by default) plus the last ticket list, so the UI can start before the network
//! answers.
//!
//! The cache is only ever an optimisation: a missing, unreadable, corrupt or outdated file is
//! logged and rebuilt, never an error. It is tied to one tenant (`scope`): pointing a profile
//! at another tenant drops the old data instead of offering its accounts.

use std::borrow::Borrow;
use std::collections::BTreeMap;
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, TimeDelta, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize};

use super::fsutil;
use crate::config::Profile;
use crate::model::{
    Account, Contact, Id, Location, LookupItem, NoteTemplate, TicketRow, TicketTemplateSummary,
    TimeLogTemplate,
};
use crate::psa::Psa;
use crate::{error::ApiError, error::ApiResult, lookups::LookupKind};

/// Bump when the stored shape changes; older files are then discarded.
pub const CACHE_VERSION: u32 = 1;

pub const DEFAULT_TTL: TimeDelta = TimeDelta::hours(24);

/// A cached value and when it was fetched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cached<T> {
    pub fetched_at: DateTime<Utc>,
    pub value: T,
}

impl<T> Cached<T> {
    pub fn new(value: T) -> Self {
        Cached {
            fetched_at: crate::clock::now(),
            value,
        }
    }

    pub fn age(&self, now: DateTime<Utc>) -> TimeDelta {
        now - self.fetched_at
    }

    /// Younger than `ttl`. A fetch time in the future (the clock was moved back) is not fresh:
    /// otherwise the entry could stay "fresh" for as long as the clock was off.
    pub fn is_fresh_at(&self, ttl: TimeDelta, now: DateTime<Utc>) -> bool {
        let age = self.age(now);
        age >= TimeDelta::zero() && age < ttl
    }

    pub fn is_fresh(&self, ttl: TimeDelta) -> bool {
        self.is_fresh_at(ttl, crate::clock::now())
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct CacheData {
    version: u32,
    #[serde(default)]
    scope: Option<String>,
    // Each part is read on its own: a part that no longer decodes is dropped, the rest kept.
    #[serde(default, deserialize_with = "lenient")]
    accounts: Option<Cached<Vec<Account>>>,
    #[serde(default, deserialize_with = "lenient")]
    locations: BTreeMap<Id, Cached<Vec<Location>>>,
    #[serde(default, deserialize_with = "lenient")]
    contacts: BTreeMap<Id, Cached<Vec<Contact>>>,
    #[serde(default, deserialize_with = "lenient")]
    lookups: BTreeMap<LookupKind, Cached<Vec<LookupItem>>>,
    #[serde(default, deserialize_with = "lenient")]
    ticket_templates: Option<Cached<Vec<TicketTemplateSummary>>>,
    #[serde(default, deserialize_with = "lenient")]
    note_templates: Option<Cached<Vec<NoteTemplate>>>,
    #[serde(default, deserialize_with = "lenient")]
    timelog_templates: Option<Cached<Vec<TimeLogTemplate>>>,
}

fn lenient<'de, D: Deserializer<'de>, T: DeserializeOwned + Default>(d: D) -> Result<T, D::Error> {
    let v = serde_json::Value::deserialize(d)?;
    Ok(serde_json::from_value(v).unwrap_or_else(|e| {
        tracing::info!(error = %e, "dropping a cache part that no longer decodes");
        T::default()
    }))
}

/// The last list of one view: for an instant start, and for the view while offline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TicketSnapshot {
    pub fetched_at: DateTime<Utc>,
    /// Which list it is (a saved view's name or a filter description), so that a different
    /// view is not shown by mistake.
    #[serde(default)]
    pub view: Option<String>,
    #[serde(default)]
    pub total: Option<u64>,
    pub rows: Vec<TicketRow>,
}

#[derive(Serialize, Deserialize)]
struct SnapshotFile {
    version: u32,
    #[serde(default)]
    scope: Option<String>,
    snapshot: TicketSnapshot,
}

/// The cache of one profile. Reads are in memory; [`Cache::save`] writes the file
/// (atomically, mode 0600). The ticket snapshots live in files of their own beside it (one
/// per view in `<name>.tickets/`), since they are large and change on a different rhythm.
#[derive(Debug, Clone)]
pub struct Cache {
    path: PathBuf,
    ttl: TimeDelta,
    data: CacheData,
}

impl Cache {
    /// Reads the cache at `path`; anything wrong with the file gives an empty cache.
    pub fn load(path: impl Into<PathBuf>) -> Cache {
        let path = path.into();
        let data = read_json(&path)
            .and_then(|v| {
                let version = v.get("version").and_then(serde_json::Value::as_u64);
                if version != Some(u64::from(CACHE_VERSION)) {
                    tracing::info!(path = %path.display(), ?version, "discarding a cache of another version");
                    return None;
                }
                serde_json::from_value::<CacheData>(v)
                    .map_err(|e| tracing::warn!(path = %path.display(), error = %e, "ignoring a damaged cache"))
                    .ok()
            })
            .unwrap_or_default();
        Cache {
            path,
            ttl: DEFAULT_TTL,
            data,
        }
    }

    /// The profile's cache: its file, its TTL, bound to its tenant.
    pub fn open(profile: &Profile) -> Cache {
        Cache::load(&profile.cache_file)
            .with_ttl(profile.cache_ttl)
            .scoped(&scope_of(profile))
    }

    pub fn with_ttl(mut self, ttl: TimeDelta) -> Cache {
        self.ttl = ttl;
        self
    }

    /// Binds the cache to one tenant; data cached for another one is dropped.
    pub fn scoped(mut self, scope: &str) -> Cache {
        if self.data.scope.as_deref().is_some_and(|s| s != scope) {
            tracing::info!(path = %self.path.display(), "cache belonged to another tenant; starting afresh");
            self.data = CacheData::default();
        }
        self.data.scope = Some(scope.to_string());
        self
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The tenant this cache is bound to ([`Cache::scoped`]).
    pub fn scope(&self) -> Option<&str> {
        self.data.scope.as_deref()
    }

    pub fn ttl(&self) -> TimeDelta {
        self.ttl
    }

    pub fn save(&self) -> io::Result<()> {
        let mut data = self.data.clone();
        data.version = CACHE_VERSION;
        let json = serde_json::to_vec(&data).map_err(io::Error::other)?;
        fsutil::write_private_atomic(&self.path, &json)
    }

    /// Forgets everything (the file too, at the next save).
    pub fn clear(&mut self) {
        let scope = self.data.scope.take();
        self.data = CacheData {
            scope,
            ..CacheData::default()
        };
    }

    // ----- what is cached, with its age -----

    pub fn cached_accounts(&self) -> Option<&Cached<Vec<Account>>> {
        self.data.accounts.as_ref()
    }

    pub fn cached_locations(&self, account_id: Id) -> Option<&Cached<Vec<Location>>> {
        self.data.locations.get(&account_id)
    }

    pub fn cached_contacts(&self, account_id: Id) -> Option<&Cached<Vec<Contact>>> {
        self.data.contacts.get(&account_id)
    }

    pub fn cached_lookup(&self, kind: LookupKind) -> Option<&Cached<Vec<LookupItem>>> {
        self.data.lookups.get(&kind)
    }

    pub fn cached_ticket_templates(&self) -> Option<&Cached<Vec<TicketTemplateSummary>>> {
        self.data.ticket_templates.as_ref()
    }

    pub fn cached_note_templates(&self) -> Option<&Cached<Vec<NoteTemplate>>> {
        self.data.note_templates.as_ref()
    }

    pub fn cached_timelog_templates(&self) -> Option<&Cached<Vec<TimeLogTemplate>>> {
        self.data.timelog_templates.as_ref()
    }

    pub fn set_accounts(&mut self, accounts: Vec<Account>) {
        self.data.accounts = Some(Cached::new(accounts));
    }

    /// Stores an account's locations. Each is stamped with `account_id`, so two accounts'
    /// "Main Office" can never be mixed up.
    pub fn set_locations(&mut self, account_id: Id, mut locations: Vec<Location>) {
        for l in &mut locations {
            l.account_id = account_id;
        }
        self.data
            .locations
            .insert(account_id, Cached::new(locations));
    }

    pub fn set_contacts(&mut self, account_id: Id, contacts: Vec<Contact>) {
        self.data.contacts.insert(account_id, Cached::new(contacts));
    }

    pub fn set_lookup(&mut self, kind: LookupKind, items: Vec<LookupItem>) {
        self.data.lookups.insert(kind, Cached::new(items));
    }

    pub fn set_ticket_templates(&mut self, v: Vec<TicketTemplateSummary>) {
        self.data.ticket_templates = Some(Cached::new(v));
    }

    pub fn set_note_templates(&mut self, v: Vec<NoteTemplate>) {
        self.data.note_templates = Some(Cached::new(v));
    }

    pub fn set_timelog_templates(&mut self, v: Vec<TimeLogTemplate>) {
        self.data.timelog_templates = Some(Cached::new(v));
    }

    // ----- cache or fetch -----
    //
    // Each returns the cached list while it is fresh, else fetches, stores and saves it.
    // `refresh` always fetches. When a fetch fails for a transient reason (network, 429, 5xx)
    // and `refresh` is not set, stale data is returned rather than nothing: an offline
    // technician still gets the account picker.

    pub async fn accounts(&mut self, client: &dyn Psa, refresh: bool) -> ApiResult<Vec<Account>> {
        self.get_or_fetch(
            "accounts",
            refresh,
            |d| d.accounts.as_ref(),
            |d, v| d.accounts = Some(v),
            client.accounts(),
        )
        .await
    }

    pub async fn locations(
        &mut self,
        client: &dyn Psa,
        account_id: Id,
        refresh: bool,
    ) -> ApiResult<Vec<Location>> {
        let mut list = self
            .get_or_fetch(
                "locations",
                refresh,
                |d| d.locations.get(&account_id),
                |d, mut v: Cached<Vec<Location>>| {
                    for l in &mut v.value {
                        l.account_id = account_id;
                    }
                    d.locations.insert(account_id, v);
                },
                client.locations(account_id),
            )
            .await?;
        for l in &mut list {
            l.account_id = account_id;
        }
        Ok(list)
    }

    pub async fn lookup(
        &mut self,
        client: &dyn Psa,
        kind: LookupKind,
        refresh: bool,
    ) -> ApiResult<Vec<LookupItem>> {
        self.get_or_fetch(
            kind.name(),
            refresh,
            |d| d.lookups.get(&kind),
            |d, v| {
                d.lookups.insert(kind, v);
            },
            client.lookup(kind),
        )
        .await
    }

    pub async fn ticket_templates(
        &mut self,
        client: &dyn Psa,
        refresh: bool,
    ) -> ApiResult<Vec<TicketTemplateSummary>> {
        self.get_or_fetch(
            "ticket templates",
            refresh,
            |d| d.ticket_templates.as_ref(),
            |d, v| d.ticket_templates = Some(v),
            client.ticket_templates(),
        )
        .await
    }

    pub async fn note_templates(
        &mut self,
        client: &dyn Psa,
        refresh: bool,
    ) -> ApiResult<Vec<NoteTemplate>> {
        self.get_or_fetch(
            "note templates",
            refresh,
            |d| d.note_templates.as_ref(),
            |d, v| d.note_templates = Some(v),
            client.note_templates(),
        )
        .await
    }

    pub async fn timelog_templates(
        &mut self,
        client: &dyn Psa,
        refresh: bool,
    ) -> ApiResult<Vec<TimeLogTemplate>> {
        self.get_or_fetch(
            "time log templates",
            refresh,
            |d| d.timelog_templates.as_ref(),
            |d, v| d.timelog_templates = Some(v),
            client.timelog_templates(),
        )
        .await
    }

    /// The one cache-or-fetch rule behind the functions above. `fetch` is a future, so no
    /// request is sent unless it is awaited.
    async fn get_or_fetch<T: Clone>(
        &mut self,
        what: &str,
        refresh: bool,
        get: impl Fn(&CacheData) -> Option<&Cached<T>>,
        put: impl FnOnce(&mut CacheData, Cached<T>),
        fetch: impl Future<Output = ApiResult<T>>,
    ) -> ApiResult<T> {
        if let Some(c) = get(&self.data).filter(|c| serve_cached(c, self.ttl, refresh)) {
            return Ok(c.value.clone());
        }
        match fetch.await {
            Ok(value) => {
                put(&mut self.data, Cached::new(value.clone()));
                if let Err(e) = self.save() {
                    tracing::warn!(path = %self.path.display(), error = %e, "cannot save the cache");
                }
                Ok(value)
            }
            Err(e) => {
                after_failed_fetch(what, get(&self.data), refresh, e).map(|c| c.value.clone())
            }
        }
    }

    // ----- the ticket list snapshots -----

    /// The folder of the saved ticket lists, one file per view (`cache.json` →
    /// `cache.tickets/<hash of the view>.json`).
    pub fn tickets_dir(&self) -> PathBuf {
        self.beside(".tickets")
    }

    fn tickets_path(&self, view: &str) -> PathBuf {
        self.tickets_dir()
            .join(format!("{:016x}.json", stable_hash(view)))
    }

    /// A path next to the cache file for data of its own (`cache.json` → `cache<suffix>`).
    pub fn beside(&self, suffix: &str) -> PathBuf {
        let mut name = self
            .path
            .file_stem()
            .map(|s| s.to_os_string())
            .unwrap_or_else(|| "cache".into());
        name.push(suffix);
        self.path.with_file_name(name)
    }

    /// The last saved list of `view` (its `ViewDef::cache_key`) of this tenant, if readable.
    pub fn load_tickets(&self, view: &str) -> Option<TicketSnapshot> {
        self.read_snapshot(&self.tickets_path(view))
            .filter(|s| s.view.as_deref() == Some(view))
    }

    /// Every saved list of this tenant (for a view with none of its own: what the rows kept
    /// for the others can show).
    pub fn all_tickets(&self) -> Vec<TicketSnapshot> {
        let Ok(rd) = std::fs::read_dir(self.tickets_dir()) else {
            return Vec::new();
        };
        rd.flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".json"))
            .filter_map(|e| self.read_snapshot(&e.path()))
            .collect()
    }

    fn read_snapshot(&self, path: &Path) -> Option<TicketSnapshot> {
        // Straight from the bytes (no `Value` tree): this is on the way to the first frame.
        let file: SnapshotFile = serde_json::from_slice(&read_bytes(path)?)
            .map_err(|e| tracing::warn!(path = %path.display(), error = %e, "ignoring a damaged ticket snapshot"))
            .ok()?;
        (file.version == CACHE_VERSION && file.scope == self.data.scope).then_some(file.snapshot)
    }

    /// Saves the list as the one of its view (`snapshot.view`).
    pub fn save_tickets(&self, snapshot: &TicketSnapshot) -> io::Result<()> {
        let file = SnapshotFile {
            version: CACHE_VERSION,
            scope: self.data.scope.clone(),
            snapshot: snapshot.clone(),
        };
        let json = serde_json::to_vec(&file).map_err(io::Error::other)?;
        let path = self.tickets_path(snapshot.view.as_deref().unwrap_or(""));
        fsutil::write_private_atomic(&path, &json)?;
        // The single snapshot file of earlier versions: its tickets are not left lying about.
        let legacy = self.beside(".tickets.json");
        if let Err(e) = std::fs::remove_file(&legacy)
            && e.kind() != io::ErrorKind::NotFound
        {
            tracing::warn!(path = %legacy.display(), error = %e, "cannot remove the old ticket snapshot");
        }
        Ok(())
    }
}

// The cache-or-fetch rule, in two halves so that a caller can fetch without holding the cache
// (the TUI worker does) and still follow it: serve a fresh copy unless asked to refresh; fetch
// otherwise; when that fails for a reason that passes, fall back on the stale copy.

/// Whether `hit` is served without asking the server.
pub fn serve_cached<T>(hit: &Cached<T>, ttl: TimeDelta, refresh: bool) -> bool {
    !refresh && hit.is_fresh(ttl)
}

/// What to give after the fetch of `what` failed with `e`: the stale copy when the failure
/// may pass (offline, overloaded) and the user did not ask for fresh data, else the error.
pub fn after_failed_fetch<C: Borrow<Cached<T>>, T>(
    what: &str,
    stale: Option<C>,
    refresh: bool,
    e: ApiError,
) -> ApiResult<C> {
    match stale {
        Some(stale) if !refresh && e.is_transient() => {
            tracing::warn!(what, error = %e, fetched_at = %stale.borrow().fetched_at, "fetch failed; using stale cache");
            Ok(stale)
        }
        _ => Err(e),
    }
}

/// The tenant a profile's cached data belongs to.
fn scope_of(profile: &Profile) -> String {
    format!(
        "{}|{}",
        profile.base_url.to_ascii_lowercase(),
        profile.tenant.as_deref().unwrap_or("").to_lowercase()
    )
}

/// The bytes of `path`, or `None` (logged unless the file simply does not exist).
/// FNV-1a: the same on every build and platform (file names must not change between runs).
fn stable_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn read_bytes(path: &Path) -> Option<Vec<u8>> {
    fsutil::read_if_present(path, "cache (rebuilding it)")
}

/// The JSON in `path`, or `None` (logged unless the file simply does not exist).
fn read_json(path: &Path) -> Option<serde_json::Value> {
    let bytes = read_bytes(path)?;
    serde_json::from_slice(&bytes)
        .map_err(|e| tracing::warn!(path = %path.display(), error = %e, "cache is not valid JSON; rebuilding it"))
        .ok()
}

#[cfg(test)]
mod tests;
