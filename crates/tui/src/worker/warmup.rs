//! Reference data: who I am (and the tenant's time zone), accounts, lookups, templates, and
//! the locations and contacts of recent accounts, each from the disk cache while fresh
//! (`store::cache`'s rule) or the server, made safe to draw, then handed to the model — or
//! the failure, for the model to show or to fall back on.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::clean::{clean_contact, clean_lookup, err_text};
use super::writes::Link;
use super::{CacheRef, MsgTx, send};
use crate::protocol::Reply;
use bmsdesk_core::model::{Contact, Id, Location, UserInfo};
use bmsdesk_core::psa::{Psa, SharedPsa};
use bmsdesk_core::store::cache::{Cache, Cached, after_failed_fetch, serve_cached};
use bmsdesk_core::text::{sanitize_line, sanitize_text};
use bmsdesk_core::{error::ApiError, error::ApiResult, lookups::LookupKind};

/// Who I am, once known (asked again after a failure: the start may have been offline).
pub(super) type MeCell = Arc<tokio::sync::Mutex<Option<UserInfo>>>;

pub(super) async fn who_am_i(
    client: &dyn Psa,
    cell: &MeCell,
    tx: &MsgTx,
    link: &Link,
) -> Option<UserInfo> {
    let mut me = cell.lock().await;
    if me.is_none() {
        let r = client.user_info().await;
        link.saw(&r);
        match r {
            Ok(mut u) => {
                u.full_name = sanitize_line(&u.full_name);
                send(tx, Reply::Me(u.clone()));
                *me = Some(u);
                // Known by now (the client asks userinfo before its first request).
                match client.tenant_zone().await {
                    Ok(z) => send(tx, Reply::TenantZone(z)),
                    Err(e) => send(
                        tx,
                        Reply::Failed {
                            what: "the tenant's time zone".into(),
                            error: err_text(&e),
                        },
                    ),
                }
            }
            Err(e) => send(
                tx,
                Reply::Failed {
                    what: "who am I".into(),
                    error: err_text(&e),
                },
            ),
        }
    }
    me.clone()
}

/// `store::cache`'s cache-or-fetch rule without holding the cache lock over the network.
pub(super) async fn cached<T: Clone>(
    what: &str,
    cache: &CacheRef,
    refresh: bool,
    get: impl Fn(&Cache) -> Option<&Cached<T>>,
    put: impl FnOnce(&mut Cache, T),
    fetch: impl std::future::Future<Output = ApiResult<T>>,
) -> ApiResult<(T, DateTime<Utc>)> {
    let (hit, ttl) = {
        let c = cache.lock().await;
        (get(&c).cloned(), c.ttl())
    };
    if let Some(h) = &hit
        && serve_cached(h, ttl, refresh)
    {
        return Ok((h.value.clone(), h.fetched_at));
    }
    match fetch.await {
        Ok(v) => {
            let mut c = cache.lock().await;
            put(&mut c, v.clone());
            if let Err(e) = c.save() {
                tracing::warn!(error = %e, "cannot save the cache");
            }
            Ok((v, bmsdesk_core::clock::now()))
        }
        Err(e) => after_failed_fetch(what, hit, refresh, e).map(|h| (h.value, h.fetched_at)),
    }
}

/// What [`cached`] gave, made safe to draw (the cache keeps what the server sent).
pub(super) fn cleaned<T>(
    got: ApiResult<(T, DateTime<Utc>)>,
    clean: impl FnOnce(&mut T),
) -> Result<T, String> {
    let (mut value, _) = got.map_err(|e| err_text(&e))?;
    clean(&mut value);
    Ok(value)
}

pub(super) async fn locations(
    client: &dyn Psa,
    cache: &CacheRef,
    account_id: Id,
    refresh: bool,
) -> Result<Vec<Location>, String> {
    let got = cached(
        "locations",
        cache,
        refresh,
        |c| c.cached_locations(account_id),
        |c, v| c.set_locations(account_id, v),
        client.locations(account_id),
    );
    cleaned(got.await, |ls| {
        for l in ls {
            l.name = sanitize_line(&l.name);
            l.account_id = account_id;
        }
    })
}

pub(super) async fn contacts(
    client: &dyn Psa,
    cache: &CacheRef,
    account_id: Id,
    refresh: bool,
) -> Result<Vec<Contact>, String> {
    let got = cached(
        "contacts",
        cache,
        refresh,
        |c| c.cached_contacts(account_id),
        |c, v| c.set_contacts(account_id, v),
        client.contacts(account_id, None),
    );
    cleaned(got.await, |cs| cs.iter_mut().for_each(clean_contact))
}

/// One warm-up list: from the cache or the server ([`cached`]), made safe to draw by `clean`,
/// then handed to the UI — or the failure, named `what`.
#[allow(clippy::too_many_arguments)]
pub(super) async fn warm_list<T: Clone>(
    cache: &CacheRef,
    refresh: bool,
    get: impl Fn(&Cache) -> Option<&Cached<T>>,
    put: impl FnOnce(&mut Cache, T),
    fetch: impl std::future::Future<Output = ApiResult<T>>,
    clean: impl FnOnce(&mut T),
    deliver: impl FnOnce(T) -> Reply,
    tx: &MsgTx,
    what: &str,
) {
    match cleaned(cached(what, cache, refresh, get, put, fetch).await, clean) {
        Ok(value) => send(tx, deliver(value)),
        Err(error) => send(
            tx,
            Reply::Failed {
                what: what.to_string(),
                error,
            },
        ),
    }
}

pub(super) async fn warmup(
    client: SharedPsa,
    cache: CacheRef,
    tx: MsgTx,
    me: MeCell,
    link: Arc<Link>,
    recent: Vec<Id>,
    refresh: bool,
) {
    let fail = |what: &str, e: ApiError| {
        send(
            &tx,
            Reply::Failed {
                what: what.to_string(),
                error: err_text(&e),
            },
        )
    };
    let accounts = async {
        let got = cached(
            "accounts",
            &cache,
            refresh,
            |c| c.cached_accounts(),
            |c, v| c.set_accounts(v),
            client.accounts(),
        )
        .await;
        match got {
            Ok((mut items, fetched_at)) => {
                for a in &mut items {
                    a.name = sanitize_line(&a.name);
                }
                items.sort_by_cached_key(|a| a.name.to_lowercase());
                send(&tx, Reply::Accounts { items, fetched_at });
            }
            Err(e) => fail("accounts", e),
        }
    };
    let lookups = async {
        for kind in [
            LookupKind::Statuses,
            LookupKind::Priorities,
            LookupKind::Queues,
            LookupKind::Types,
            LookupKind::Sources,
            LookupKind::Assignees,
            LookupKind::NoteTypes,
            LookupKind::WorkTypes,
            LookupKind::Roles,
        ] {
            warm_list(
                &cache,
                refresh,
                |c| c.cached_lookup(kind),
                |c, v| c.set_lookup(kind, v),
                client.lookup(kind),
                |items| clean_lookup(items),
                |items| Reply::Lookup { kind, items },
                &tx,
                kind.name(),
            )
            .await;
        }
    };
    let templates = async {
        warm_list(
            &cache,
            refresh,
            |c| c.cached_ticket_templates(),
            |c, v| c.set_ticket_templates(v),
            client.ticket_templates(),
            |t| t.iter_mut().for_each(|x| x.name = sanitize_line(&x.name)),
            Reply::TicketTemplates,
            &tx,
            "ticket templates",
        )
        .await;
        warm_list(
            &cache,
            refresh,
            |c| c.cached_note_templates(),
            |c, v| c.set_note_templates(v),
            client.note_templates(),
            |t| t.iter_mut().for_each(|x| x.name = sanitize_line(&x.name)),
            Reply::NoteTemplates,
            &tx,
            "note templates",
        )
        .await;
        warm_list(
            &cache,
            refresh,
            |c| c.cached_timelog_templates(),
            |c, v| c.set_timelog_templates(v),
            client.timelog_templates(),
            |t| {
                for x in t.iter_mut() {
                    x.name = sanitize_line(&x.name);
                    if let Some(n) = x.notes.as_mut() {
                        *n = sanitize_text(n);
                    }
                    if let Some(n) = x.internal_notes.as_mut() {
                        *n = sanitize_text(n);
                    }
                }
            },
            Reply::TimeLogTemplates,
            &tx,
            "time-log templates",
        )
        .await;
    };
    let locs = async {
        for account_id in recent.into_iter().take(8) {
            let result = locations(&*client, &cache, account_id, refresh).await;
            send(&tx, Reply::Locations { account_id, result });
            let result = contacts(&*client, &cache, account_id, refresh).await;
            send(&tx, Reply::Contacts { account_id, result });
        }
    };
    let who = who_am_i(&*client, &me, &tx, &link);
    tokio::join!(who, accounts, lookups, templates, locs);
}
