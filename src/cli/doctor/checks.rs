//! The read-only checks after the sign-in, section by section, each turned into report lines
//! and into fields of the tenant's capabilities.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};

use super::SIGN_IN;
use super::report::{Check, Mark, Report};
use bmsdesk_bms::auth::REFRESH_MARGIN_SECS;
use bmsdesk_core::capabilities::LookupTables;
use bmsdesk_core::guesses::{HOURLY_LIMIT, TICKET_SOURCES};
use bmsdesk_core::text::thousands;

use crate::cli::context::Ctx;
use bmsdesk_bms::client::Client;
use bmsdesk_bms::measure::{self, CommaVerdict, PageProbe, SortVerdict, Table};
use bmsdesk_core::model::{Id, LookupItem, Ticket, UserInfo};
use bmsdesk_core::{
    capabilities::Capabilities, error::ApiError, lookups::LookupKind, tenant_time::TenantZone,
};

const TIME: &str = "Time";
const LOOKUPS: &str = "Lookups";
const PAGING: &str = "Paging and filters";
const BUDGET: &str = "Request budget";

/// The page asked for to find a cap: at least this many rows, or the configured size when
/// larger (a cap above what bmsdesk asks for changes nothing).
const PROBE_PAGE: u32 = 500;

/// Two clocks this close are "the same" for every use bmsdesk has for them.
const CLOSE: TimeDelta = TimeDelta::seconds(120);

/// Everything after the sign-in. Stops early (with a ✗) when the API itself is refused.
pub async fn measure(
    ctx: &mut Ctx,
    r: &mut Report,
    caps: &mut Capabilities,
    write_test: Option<Id>,
    fresh_sign_in: bool,
) {
    let client = ctx.client.clone();
    let me = match client.user_info().await {
        Ok(me) => me,
        Err(e) => {
            let (name, action) = refused_or_failed(&e, "userinfo");
            r.add(Check::new(SIGN_IN, name, Mark::Fail, format!("userinfo: {e}")).action(action));
            return;
        }
    };
    r.ok(
        SIGN_IN,
        "user",
        format!("{} (user id {})", me.full_name, me.user_id),
    );
    caps.user_id = Some(me.user_id);
    // The probe search is the first service-desk request: it also shows the role may use
    // the API.
    let asked = client.page_size().max(PROBE_PAGE);
    let probe = match measure::page_size(&client, asked).await {
        Ok(p) => p,
        Err(e) => {
            let (name, action) = refused_or_failed(&e, "ticket-search");
            r.add(
                Check::new(SIGN_IN, name, Mark::Fail, format!("the ticket search: {e}"))
                    .action(action),
            );
            return;
        }
    };
    r.ok(
        SIGN_IN,
        "api-access",
        "the ticket search answers: the user's role may use the API",
    );
    if fresh_sign_in {
        token(&client, r, caps).await;
    }

    let ticket = time(ctx, r, caps, &me, &probe).await;
    let note_types = lookups(ctx, r, caps, &probe, ticket.as_ref()).await;
    // Read fresh anyway: cached, a note written later while the server cannot be reached
    // still gets its type (as after `login`).
    if let Some(items) = &note_types {
        ctx.cache.set_lookup(LookupKind::NoteTypes, items.clone());
        if let Err(e) = ctx.cache.save() {
            tracing::warn!(error = %e, "could not save the cache");
        }
    }
    paging(&client, r, caps, &probe).await;
    if let Some(id) = write_test {
        super::write_test::run(ctx, r, id, &me, note_types.as_deref()).await;
    }
}

/// A failure of the first requests after a fresh sign-in: the API refusing this user (its
/// role), or the request failing.
fn refused_or_failed(e: &ApiError, what: &'static str) -> (&'static str, &'static str) {
    let refused = matches!(e, ApiError::Unauthorized(_))
        || matches!(
            e,
            ApiError::Api { status: 403, .. } | ApiError::Http { status: 403, .. }
        );
    if refused {
        (
            "api-access",
            "signed in, but the API refuses this user: its security role needs Admin > Special Features > Has API Access (an API Employee user is the usual choice)",
        )
    } else {
        (
            what,
            "bmsdesk cannot work without it; run doctor again later, and if it persists check api_base and the server's status",
        )
    }
}

/// The lifetime of the token this run signed in with (a saved one tells only what is left).
async fn token(client: &Client, r: &mut Report, caps: &mut Capabilities) {
    let Some(t) = client.tokens().await else {
        return;
    };
    let server_now = client.server_time(bmsdesk_core::clock::now());
    let secs = (t.access_token_expire_on - server_now).num_seconds();
    let mut check = if secs <= 2 * REFRESH_MARGIN_SECS {
        Check::new(
            SIGN_IN,
            "token-lifetime",
            Mark::Warn,
            format!("the access token lasts {secs} s"),
        )
        .action(format!(
            "bmsdesk renews a token {REFRESH_MARGIN_SECS} s before it runs out, so it renews on nearly every request"
        ))
    } else {
        Check::new(
            SIGN_IN,
            "token-lifetime",
            Mark::Ok,
            format!("the access token lasts about {}", human(secs)),
        )
        .action(format!(
            "bmsdesk renews it {REFRESH_MARGIN_SECS} s before it runs out"
        ))
    };
    if t.refresh_token.is_empty() {
        check = Check::new(
            SIGN_IN,
            "token-lifetime",
            Mark::Warn,
            format!("{}, with no refresh token", check.found),
        )
        .action("each time it runs out bmsdesk signs in again with the password (and an MFA code, if one is needed)");
    }
    r.add(check.values(json!({"access_secs": secs, "refresh_token": !t.refresh_token.is_empty()})));
    caps.token_lifetime_secs = Some(secs);
}

/// Rounded to the nearest unit: the offset is measured from a `Date` header in whole seconds
/// plus travel time, so 599 s is "10 min", not "9 min".
fn human(secs: i64) -> String {
    match secs {
        s if s < 120 => format!("{s} s"),
        s if s < 2 * 3600 => format!("{} min", (s + 30) / 60),
        s => format!("{} h", (s + 1800) / 3600),
    }
}

/// "10 min ahead of", "3 s behind", "level with" (this machine's clock).
fn signed(d: TimeDelta) -> String {
    match d.num_seconds() {
        0 => "level with".into(),
        s if s > 0 => format!("{} ahead of", human(s)),
        s => format!("{} behind", human(-s)),
    }
}

/// The server's clock, the tenant's zone, and a ticket's times read back. Returns the
/// newest ticket read by id (for the lookups' checks).
async fn time(
    ctx: &Ctx,
    r: &mut Report,
    caps: &mut Capabilities,
    me: &UserInfo,
    probe: &PageProbe,
) -> Option<Ticket> {
    let client = &ctx.client;
    match client.server_offset() {
        None => r.add(
            Check::new(TIME, "server-clock", Mark::Warn, "the server's replies carry no Date header")
                .action("bmsdesk compares the server's times with this machine's clock"),
        ),
        Some(o) if o.abs() <= CLOSE => r.add(
            Check::new(
                TIME,
                "server-clock",
                Mark::Ok,
                format!("the server's clock is {} this machine's", signed(o)),
            )
            .values(json!({"offset_secs": o.num_seconds()})),
        ),
        Some(o) => r.add(
            Check::new(
                TIME,
                "server-clock",
                Mark::Warn,
                format!("the server's clock is {} this machine's", signed(o)),
            )
            .action("bmsdesk reads the server's times against the server's clock (its Date header), so nothing breaks; set this machine's clock right (NTP) anyway")
            .values(json!({"offset_secs": o.num_seconds()})),
        ),
    }

    // The zone.
    let server_zone = me.tenant_zone();
    let named = me.olson_time_zone_name.as_deref().unwrap_or("");
    let value = me
        .time_zone_value
        .map(|v| format!("TimeZoneValue {v}"))
        .unwrap_or_else(|| "no TimeZoneValue".into());
    let server_now = client.server_time(bmsdesk_core::clock::now());
    let values = json!({
        "olson_time_zone_name": me.olson_time_zone_name,
        "time_zone_name": me.time_zone_name,
        "time_zone_value": me.time_zone_value,
        "profile_tenant_timezone": ctx.profile.tenant_zone.map(|z| z.to_string()),
    });
    let mut zone_check = match server_zone {
        Some(TenantZone::Named(tz)) => {
            let offset = TenantZone::Named(tz).offset_at(server_now).local_minus_utc();
            let agrees = me
                .time_zone_value
                .is_some_and(|v| (v * bmsdesk_core::guesses::TIME_ZONE_VALUE_SECS).round() as i32 == offset);
            let note = if me.time_zone_value.is_none() || agrees {
                format!("{value} agrees")
            } else {
                format!(
                    "{value} does not match its offset now ({:+}h); it is only used when the name is missing",
                    f64::from(offset) / 3600.0
                )
            };
            Check::new(
                TIME,
                "tenant-zone",
                Mark::Ok,
                format!("{tz} (userinfo names it; {note})"),
            )
            .action("bmsdesk reads and writes the server's times in this zone")
        }
        Some(z @ TenantZone::Fixed(_)) => Check::new(
            TIME,
            "tenant-zone",
            Mark::Warn,
            format!("userinfo names no known zone ({named:?}); {value} is taken as UTC{z}, which knows no daylight saving"),
        )
        .action("set tenant_timezone = \"Area/City\" (the tenant's IANA zone) in the profile"),
        None => Check::new(
            TIME,
            "tenant-zone",
            Mark::Warn,
            "userinfo names no zone: the server's times are read as UTC",
        )
        .action("set tenant_timezone = \"Area/City\" (the tenant's IANA zone) in the profile if that is wrong"),
    };
    if let Some(ours) = ctx.profile.tenant_zone
        && Some(ours) != server_zone
    {
        zone_check = Check::new(
            TIME,
            "tenant-zone",
            Mark::Warn,
            format!(
                "the profile's tenant_timezone {ours} is used; the server says {}",
                server_zone.map_or("nothing".to_string(), |z| z.to_string())
            ),
        )
        .action("remove tenant_timezone from the profile unless the server's zone is wrong");
    }
    r.add(zone_check.values(values));
    caps.tenant_zone = server_zone.map(|z| z.to_string());

    // A ticket's times, by search and by id.
    let Some(newest) = probe.rows.first() else {
        r.add(Check::new(
            TIME,
            "ticket-times",
            Mark::Info,
            "the tenant has no tickets to read times from",
        ));
        return None;
    };
    let by_id = match client.ticket(newest.id).await {
        Ok(t) => Some(t),
        Err(e) => {
            r.add(Check::new(
                TIME,
                "ticket-times",
                Mark::Warn,
                format!("ticket {} could not be read by id: {e}", newest.id),
            ));
            return None;
        }
    };
    let zone = client
        .tenant_zone()
        .await
        .map(|z| z.to_string())
        .unwrap_or_default();
    let mut problems = Vec::new();
    if let Some((id, at, by)) = measure::in_the_future(&probe.rows, server_now)
        && by > CLOSE
    {
        problems.push(format!(
            "ticket {id} has a time ({}) {} in the server's future: the server's times seem to be in a zone east of {zone}",
            fmt(at),
            human(by.num_seconds())
        ));
    }
    if let Some(t) = &by_id {
        for (what, a, b) in [
            ("CreatedOn", newest.created_on, t.row.created_on),
            ("OpenDate", newest.open_date, t.row.open_date),
        ] {
            if let (Some(a), Some(b)) = (a, b)
                && a != b
            {
                problems.push(format!(
                    "ticket {}'s {what} reads {} in the search and {} by id",
                    newest.id,
                    fmt(a),
                    fmt(b)
                ));
            }
        }
    }
    if problems.is_empty() {
        r.ok(
            TIME,
            "ticket-times",
            format!(
                "ticket {}'s times read the same by search and by id, and no ticket's time is in the server's future",
                newest.ticket_number
            ),
        );
    } else {
        r.add(
            Check::new(TIME, "ticket-times", Mark::Warn, problems.join("; "))
                .action("set tenant_timezone in the profile to the zone the server's times are in, then run doctor again"),
        );
    }
    by_id
}

fn fmt(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

fn items_json(items: &[LookupItem]) -> Value {
    Value::Array(
        items
            .iter()
            .map(|i| json!({"id": i.id, "name": i.name, "default": i.is_default == Some(true)}))
            .collect(),
    )
}

fn names(items: &[LookupItem]) -> String {
    let list: Vec<String> = items
        .iter()
        .map(|i| {
            let star = if i.is_default == Some(true) {
                " (default)"
            } else {
                ""
            };
            format!("{} {}{star}", i.id, i.name)
        })
        .collect();
    list.join(", ")
}

/// The ids and names `pairs` use, once each, sorted by id.
fn seen(pairs: impl Iterator<Item = (Option<Id>, Option<String>)>) -> Vec<LookupItem> {
    let mut out: Vec<LookupItem> = Vec::new();
    for (id, name) in pairs {
        if let Some(id) = id
            && !out.iter().any(|i| i.id == id)
        {
            out.push(LookupItem {
                id,
                name: name.unwrap_or_default(),
                ..Default::default()
            });
        }
    }
    out.sort_by_key(|i| i.id);
    out
}

/// Note types, ticket types, sources. Returns the note types found (for the write test).
async fn lookups(
    ctx: &Ctx,
    r: &mut Report,
    caps: &mut Capabilities,
    probe: &PageProbe,
    ticket: Option<&Ticket>,
) -> Option<Vec<LookupItem>> {
    let client = &ctx.client;
    let mut tables = LookupTables::default();

    // Note types.
    let note_types = match measure::table(client, LookupKind::NoteTypes).await {
        Ok(Table::Present(items)) if !items.is_empty() => {
            tables.note_types = Some(true);
            r.add(
                Check::new(
                    LOOKUPS,
                    "note-types",
                    Mark::Ok,
                    format!("{}: {}", items.len(), names(&items)),
                )
                .action(match ctx.profile.note_type {
                    Some(id) => {
                        format!("notes get the profile's note_type = {id} unless one is chosen")
                    }
                    None => {
                        "notes get the default type (else the first) unless one is chosen".into()
                    }
                })
                .values(items_json(&items)),
            );
            Some(items)
        }
        Ok(found) => {
            let why = match found {
                Table::Absent(why) => {
                    tables.note_types = Some(false);
                    format!("no note-type table ({why})")
                }
                Table::Present(_) => {
                    tables.note_types = Some(true);
                    "the note-type table is empty".into()
                }
            };
            // What notes on the tenant use, as a hint for the profile's note_type.
            let used = match ticket {
                Some(t) => client
                    .notes(t.row.id)
                    .await
                    .map(|notes| seen(notes.into_iter().map(|n| (n.type_id, n.type_name))))
                    .unwrap_or_default(),
                None => Vec::new(),
            };
            let hint = if used.is_empty() {
                String::new()
            } else {
                format!(
                    "; notes on ticket {} use {}",
                    ticket.map_or(0, |t| t.row.id),
                    names(&used)
                )
            };
            match ctx.profile.note_type {
                Some(id) => r.add(
                    Check::new(LOOKUPS, "note-types", Mark::Warn, format!("{why}{hint}"))
                        .action(format!("notes get the profile's note_type = {id} unless one is chosen"))
                        .values(items_json(&used)),
                ),
                None => r.add(
                    Check::new(LOOKUPS, "note-types", Mark::Fail, format!("{why}{hint}"))
                        .action("notes are refused until a type is named: set note_type = ID in the profile (or pass --type to every note)")
                        .values(items_json(&used)),
                ),
            }
            None
        }
        Err(e) => {
            r.add(
                Check::new(
                    LOOKUPS,
                    "note-types",
                    Mark::Warn,
                    format!("could not be read: {e}"),
                )
                .action("run doctor again later"),
            );
            None
        }
    };

    // Ticket types.
    match measure::table(client, LookupKind::Types).await {
        Ok(Table::Present(items)) if !items.is_empty() => {
            tables.ticket_types = Some(true);
            r.add(
                Check::new(
                    LOOKUPS,
                    "ticket-types",
                    Mark::Ok,
                    format!("{}: {}", items.len(), names(&items)),
                )
                .values(items_json(&items)),
            );
        }
        Ok(found) => {
            let why = match found {
                Table::Absent(why) => {
                    tables.ticket_types = Some(false);
                    format!("no ticket-type table ({why})")
                }
                Table::Present(_) => {
                    tables.ticket_types = Some(true);
                    "the ticket-type table is empty".into()
                }
            };
            let used = seen(
                probe
                    .rows
                    .iter()
                    .map(|t| (t.type_id, t.type_name.as_deref().map(str::to_string))),
            );
            let hint = if used.is_empty() {
                String::new()
            } else {
                format!("; tickets use {}", names(&used))
            };
            r.add(
                Check::new(LOOKUPS, "ticket-types", Mark::Warn, format!("{why}{hint}"))
                    .action("give ticket types by id (`tickets create --type ID`), or create tickets from templates")
                    .values(items_json(&used)),
            );
        }
        Err(e) => r.add(
            Check::new(
                LOOKUPS,
                "ticket-types",
                Mark::Warn,
                format!("could not be read: {e}"),
            )
            .action("run doctor again later"),
        ),
    }

    // Sources: no endpoint lists them; the fixed list is checked against a ticket.
    let fixed: Vec<LookupItem> = TICKET_SOURCES
        .iter()
        .map(|(id, name)| LookupItem {
            id: *id,
            name: (*name).to_string(),
            ..Default::default()
        })
        .collect();
    let listed = format!("the fixed list ({}: {})", fixed.len(), names(&fixed));
    let on_ticket = ticket.and_then(|t| t.row.source_id.map(|id| (t, id)));
    match on_ticket {
        Some((t, id)) => {
            let ours = fixed.iter().find(|s| s.id == id).map(|s| s.name.as_str());
            let theirs = t
                .source_name
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty());
            match (ours, theirs) {
                (Some(a), Some(b)) if a.eq_ignore_ascii_case(b) => r.add(
                    Check::new(
                        LOOKUPS,
                        "sources",
                        Mark::Ok,
                        format!("{listed}; ticket {} has source {id} \"{b}\", as in the list", t.row.ticket_number),
                    )
                    .values(items_json(&fixed)),
                ),
                (None, _) | (Some(_), None) => r.add(
                    Check::new(
                        LOOKUPS,
                        "sources",
                        Mark::Ok,
                        format!("{listed}; ticket {} has source {id}{}", t.row.ticket_number, theirs.map(|n| format!(" \"{n}\"")).unwrap_or_default()),
                    )
                    .values(items_json(&fixed)),
                ),
                (Some(a), Some(b)) => r.add(
                    Check::new(
                        LOOKUPS,
                        "sources",
                        Mark::Warn,
                        format!("{listed}; but ticket {} names source {id} \"{b}\", the list \"{a}\"", t.row.ticket_number),
                    )
                    .action("the tenant's sources differ from the fixed list: give sources by id (`--source ID`)")
                    .values(items_json(&fixed)),
                ),
            }
        }
        None => r.add(
            Check::new(
                LOOKUPS,
                "sources",
                Mark::Info,
                format!("{listed}; no ticket to compare it with"),
            )
            .values(items_json(&fixed)),
        ),
    }
    caps.lookups = tables;
    note_types
}

async fn paging(client: &Client, r: &mut Report, caps: &mut Capabilities, probe: &PageProbe) {
    let configured = client.page_size();
    let total = probe.total.map(|t| format!(" of {t}")).unwrap_or_default();
    let values = json!({"asked": probe.asked, "served": probe.served, "total": probe.total, "cap": probe.cap});
    match probe.cap {
        Some(cap) if cap < configured => r.add(
            Check::new(
                PAGING,
                "page-size",
                Mark::Warn,
                format!("asked for {}, served {}{total}: the server serves at most {cap} rows a page", probe.asked, probe.served),
            )
            .action(format!("bmsdesk asks for {cap} rows a page from now on (page_size = {configured} in the config), so no list is cut short"))
            .values(values),
        ),
        Some(cap) => r.add(
            Check::new(
                PAGING,
                "page-size",
                Mark::Ok,
                format!("asked for {}, served {}{total}: the server serves at most {cap} rows a page", probe.asked, probe.served),
            )
            .action(format!("bmsdesk's page size ({configured}) is within it"))
            .values(values),
        ),
        None if probe.saw_everything() => r.ok(
            PAGING,
            "page-size",
            format!("asked for {}, served all {} tickets in one page (no cap below that)", probe.asked, probe.served),
        ),
        None => r.ok(
            PAGING,
            "page-size",
            format!("asked for {}, served {}{total}: pages of {} are served whole", probe.asked, probe.served, probe.asked),
        ),
    }
    caps.max_page_size = probe.cap;
    // The sizes known to be served whole: up to what was asked, or, when the tenant's tickets
    // ran out first, only up to what came (a cap between the two could not show).
    caps.page_size_tried = Some(if probe.saw_everything() {
        probe.served
    } else {
        probe.asked
    })
    .filter(|&n| n > 0);

    match measure::comma_split(client, &probe.rows).await {
        Ok(c) => {
            let counts = if c.alone.len() == 2 {
                format!(
                    "StatusNames \"{}\" found {}, \"{}\" {}, and \"{}\" {}",
                    c.names[0],
                    c.alone[0],
                    c.names[1],
                    c.alone[1],
                    c.names.join(","),
                    c.joined
                )
            } else {
                String::new()
            };
            let values = json!({"names": c.names, "alone": c.alone, "joined": c.joined});
            match c.verdict {
                CommaVerdict::Split => {
                    caps.splits_commas = Some(true);
                    r.add(
                        Check::new(
                            PAGING,
                            "comma-filters",
                            Mark::Ok,
                            format!("split: {counts}"),
                        )
                        .action("bmsdesk sends several names in one search")
                        .values(values),
                    );
                }
                CommaVerdict::NotSplit => {
                    caps.splits_commas = Some(false);
                    r.add(
                        Check::new(PAGING, "comma-filters", Mark::Warn, format!("not split (taken as one name): {counts}"))
                            .action("bmsdesk sends one search per name and merges them (a view of several statuses costs a search each)")
                            .values(values),
                    );
                }
                CommaVerdict::Inconclusive(why) => r.add(
                    Check::new(
                        PAGING,
                        "comma-filters",
                        Mark::Warn,
                        format!(
                            "not measured: {why}{}",
                            if counts.is_empty() {
                                String::new()
                            } else {
                                format!(" ({counts})")
                            }
                        ),
                    )
                    .action("bmsdesk assumes they are not split: one search per name")
                    .values(values),
                ),
            }
        }
        Err(e) => r.add(
            Check::new(
                PAGING,
                "comma-filters",
                Mark::Warn,
                format!("not measured: {e}"),
            )
            .action("bmsdesk assumes they are not split: one search per name"),
        ),
    }

    match measure::sort(client).await {
        Ok(SortVerdict::Accepted) => {
            caps.sort_accepted = Some(true);
            r.ok(
                PAGING,
                "sort",
                format!("a search with Sort = \"{}\" is accepted; bmsdesk sorts lists itself and does not send it", measure::SORT_PROBE),
            );
        }
        Ok(SortVerdict::Refused(why)) => {
            caps.sort_accepted = Some(false);
            r.ok(
                PAGING,
                "sort",
                format!("a search with Sort = \"{}\" is refused ({why}); bmsdesk sorts lists itself and never sends it", measure::SORT_PROBE),
            );
        }
        Err(e) => r.add(
            Check::new(PAGING, "sort", Mark::Info, format!("not measured: {e}"))
                .action("nothing to do: bmsdesk does not send Sort"),
        ),
    }
}

/// The requests this run sent and what a TUI session would poll.
pub fn budget(ctx: &Ctx, r: &mut Report, sign_ins: u32) {
    let usage = ctx.client.usage();
    let mut by: Vec<(String, u64)> = usage.into_iter().collect();
    by.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let total: u64 = by.iter().map(|(_, n)| n).sum::<u64>() + u64::from(sign_ins);
    let most = by
        .first()
        .map(|(e, n)| {
            format!(
                "; the most on one endpoint: {n} of its {} an hour ({e})",
                thousands(u64::from(HOURLY_LIMIT))
            )
        })
        .unwrap_or_default();
    let mut endpoints = serde_json::Map::new();
    for (e, n) in &by {
        endpoints.insert(e.clone(), json!(n));
    }
    if sign_ins > 0 {
        endpoints.insert("POST /v2/security/authenticate".into(), json!(sign_ins));
    }
    r.add(
        Check::new(
            BUDGET,
            "this-run",
            Mark::Info,
            format!("{total} requests{most}"),
        )
        .values(Value::Object(endpoints)),
    );
    r.add(Check::new(
        BUDGET,
        "this-hour",
        Mark::Info,
        format!(
            "bmsdesk counts requests in each process against {} per endpoint per hour; other sessions' requests this hour are not in this count, and the server reports none",
            thousands(u64::from(HOURLY_LIMIT))
        ),
    ));
    let plan = bmsdesk_tui::polling::plan(&bmsdesk_tui::worker::WorkerOptions::default());
    let text: Vec<String> = plan
        .iter()
        .map(|p| format!("{} ~{}/h ({})", p.endpoint, p.per_hour, p.when))
        .collect();
    r.add(
        Check::new(
            BUDGET,
            "tui-polling",
            Mark::Info,
            format!(
                "a TUI session polls {}; opening a ticket reads it, its notes and time logs once",
                text.join("; ")
            ),
        )
        .values(serde_json::to_value(&plan).unwrap_or(Value::Null)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_offsets_read_well() {
        assert_eq!(thousands(1500), "1,500");
        assert_eq!(thousands(15), "15");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(signed(TimeDelta::seconds(600)), "10 min ahead of");
        assert_eq!(signed(TimeDelta::seconds(598)), "10 min ahead of");
        assert_eq!(signed(TimeDelta::seconds(-5370)), "90 min behind");
        assert_eq!(signed(TimeDelta::seconds(-3)), "3 s behind");
        assert_eq!(signed(TimeDelta::zero()), "level with");
        assert_eq!(human(3 * 3600), "3 h");
    }
}
