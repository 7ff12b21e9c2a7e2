//! One time rule against tenants in other zones than the laptop's: the simulator stores
//! instants and speaks naive wall-clock times of its tenant's zone (UTC-5 with DST, UTC+10
//! without); every time the client reads or sends must be the instant the server means.

use crate::common;

use bmsdesk_core::model::{NoteInput, TicketFilter, TicketRow};
use bmsdesk_core::tenant_time::TenantZone;
use bmsdesk_sim::{SimConfig, SimHandle};
use chrono::{DateTime, Duration, SubsecRound as _, Utc};
use chrono_tz::{America, Australia, Tz};

const NEW_YORK: Tz = America::New_York;
const BRISBANE: Tz = Australia::Brisbane;

fn tenant_in(zone: Tz) -> SimConfig {
    SimConfig {
        tickets: 150,
        accounts: 8,
        tenant_zone: zone,
        generated_at: Some(bmsdesk_core::clock::pin_for_tests()),
        null_rate: common::NULL_RATE,
        ..SimConfig::default()
    }
}

/// Whole hours `zone` is ahead of UTC at `at` (both test zones keep whole hours).
fn offset_hours(zone: Tz, at: DateTime<Utc>) -> i32 {
    use chrono::{Offset as _, TimeZone as _};
    zone.offset_from_utc_datetime(&at.naive_utc())
        .fix()
        .local_minus_utc()
        / 3600
}

/// The times of a row that SLA "due in", sorting by due and refresh depend on.
fn times(r: &TicketRow) -> [Option<DateTime<Utc>>; 6] {
    [
        r.open_date,
        r.due_date,
        r.last_activity_update,
        r.first_response_target_time,
        r.resolution_target_time,
        r.created_on,
    ]
}

async fn rows(h: &SimHandle, filter: &TicketFilter) -> Vec<TicketRow> {
    common::client(h)
        .search_tickets(filter)
        .await
        .expect("search")
}

/// What the server stores for ticket `id` (instants, not wire text).
fn truth(h: &SimHandle, id: i64) -> TicketRow {
    h.state().ticket(id).expect("ticket on the server").row
}

/// What a naive wall-clock time in `zone` can say of `t`: the same instant, except in the hour
/// that repeats when the clocks go back, where `01:30` names two instants and reads as the
/// earlier (the rule `api::tenant_time` documents; nothing on the wire tells them apart).
fn through_the_wall_clock(zone: Tz, t: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::TimeZone as _;
    zone.from_local_datetime(&t.with_timezone(&zone).naive_local())
        .earliest()
        .map_or(t, |l| l.with_timezone(&Utc))
}

/// [`truth`] as a search row sends it: without the times the server sends as `null`, each
/// time as its naive wall clock in the tenant's `zone` reads.
fn as_sent(h: &SimHandle, zone: Tz, id: i64) -> TicketRow {
    let mut r = truth(h, id);
    for t in [
        &mut r.open_date,
        &mut r.due_date,
        &mut r.last_activity_update,
        &mut r.first_response_target_time,
        &mut r.resolution_target_time,
        &mut r.created_on,
    ] {
        *t = t.map(|t| through_the_wall_clock(zone, t));
    }
    let nulled = |field: &str| h.state().nulled("TicketListDto", id, field);
    for (field, slot) in [
        ("DueDate", &mut r.due_date),
        ("LastActivityUpdate", &mut r.last_activity_update),
        ("FirstResponseTargetTime", &mut r.first_response_target_time),
        ("ResolutionTargetTime", &mut r.resolution_target_time),
        ("CreatedOn", &mut r.created_on),
    ] {
        if nulled(field) {
            *slot = None;
        }
    }
    r
}

async fn ticket_times_are_the_servers_instants(zone: Tz) {
    let h = common::start(tenant_in(zone)).await;
    let got = rows(&h, &TicketFilter::default()).await;
    assert!(got.len() > 100);
    for r in &got {
        assert_eq!(times(r), times(&as_sent(&h, zone, r.id)), "ticket {}", r.id);
    }
    // SLA "due in" and sort by due: the same targets, so the same order and the same time left.
    let now = bmsdesk_core::clock::now();
    let by_due = |mut v: Vec<TicketRow>| {
        v.sort_by_key(|r| (r.resolution_target_time, r.id));
        v.iter()
            .map(|r| {
                (
                    r.id,
                    r.resolution_target_time.map(|t| (t - now).num_minutes()),
                )
            })
            .collect::<Vec<_>>()
    };
    let server: Vec<TicketRow> = got.iter().map(|r| as_sent(&h, zone, r.id)).collect();
    assert_eq!(by_due(got), by_due(server));
}

#[tokio::test]
async fn ticket_times_agree_with_a_tenant_at_utc_minus_5() {
    ticket_times_are_the_servers_instants(NEW_YORK).await;
}

#[tokio::test]
async fn ticket_times_agree_with_a_tenant_at_utc_plus_10() {
    ticket_times_are_the_servers_instants(BRISBANE).await;
}

/// `LastActivityUpdateFrom` (the TUI's incremental refresh) selects what the server has
/// changed since that instant, not since that instant shifted by the tenant's offset.
async fn incremental_refresh_selects_the_servers_changes(zone: Tz) {
    let h = common::start(tenant_in(zone)).await;
    let all = rows(&h, &TicketFilter::default()).await;
    // Whole seconds, as the wire carries them: the pinned clock runs on from its instant, and a
    // `since` with a fraction would be sent truncated, taking in a ticket changed on the second.
    let since = (bmsdesk_core::clock::now() - Duration::hours(3)).trunc_subsecs(0);
    let mut expected: Vec<i64> = all
        .iter()
        .filter(|r| {
            truth(&h, r.id)
                .last_activity_update
                .is_some_and(|t| t >= since)
        })
        .map(|r| r.id)
        .collect();
    let filter = TicketFilter {
        last_activity_update_from: Some(since),
        ..TicketFilter::default()
    };
    let mut got: Vec<i64> = rows(&h, &filter).await.iter().map(|r| r.id).collect();
    expected.sort_unstable();
    got.sort_unstable();
    assert!(
        !expected.is_empty() && expected.len() < all.len(),
        "a telling window"
    );
    assert_eq!(got, expected);
}

#[tokio::test]
async fn incremental_refresh_agrees_with_a_tenant_at_utc_minus_5() {
    incremental_refresh_selects_the_servers_changes(NEW_YORK).await;
}

#[tokio::test]
async fn incremental_refresh_agrees_with_a_tenant_at_utc_plus_10() {
    incremental_refresh_selects_the_servers_changes(BRISBANE).await;
}

/// A note's date goes out as the tenant's wall clock and comes back as the same instant.
#[tokio::test]
async fn note_dates_agree_with_tenants_in_other_zones() {
    for zone in [NEW_YORK, BRISBANE] {
        let h = common::start(tenant_in(zone)).await;
        let c = common::client(&h);
        let id = rows(&h, &TicketFilter::default()).await[0].id;
        let at = bmsdesk_core::clock::now() - Duration::minutes(90);
        let at = at - Duration::nanoseconds(i64::from(at.timestamp_subsec_nanos()));
        let input = NoteInput {
            details: "Called the user back".into(),
            is_internal: true,
            type_id: 1,
            note_date: at,
            status_id: None,
        };
        let note = c.add_note(id, &input).await.expect("note added");
        assert_eq!(note.created_on, Some(at), "{zone}: the reply");
        let stored = h.state().notes(id);
        let stored = stored.iter().find(|n| n.id == note.id).expect("stored");
        assert_eq!(
            stored.created_on,
            Some(at),
            "{zone}: what the server stored"
        );
    }
}

/// The zone comes from `userinfo` at sign-in and is kept with the token; the token's own
/// expiry (a naive time too) is read in it.
#[tokio::test]
async fn the_zone_is_learnt_at_sign_in_and_the_token_expiry_read_in_it() {
    let h = common::start(tenant_in(NEW_YORK)).await;
    let dir = tempfile::tempdir().unwrap();
    let c = common::client_with_store(&h, &dir.path().join("token.json"));
    c.login().await.expect("sign-in");
    assert_eq!(
        c.tenant_zone().await.expect("zone"),
        TenantZone::Named(NEW_YORK)
    );
    let t = c.tokens().await.expect("tokens");
    assert_eq!(t.tenant_zone.as_deref(), Some("America/New_York"));
    let left = t.access_token_expire_on - bmsdesk_core::clock::now();
    assert!(
        (Duration::minutes(14)..=Duration::minutes(16)).contains(&left),
        "access token lives {left} (the simulator's is 15 min)"
    );
    let info = c.user_info().await.expect("userinfo");
    assert_eq!(
        info.olson_time_zone_name.as_deref(),
        Some("America/New_York")
    );
    // The offset New York has now (-5 in winter, -4 in summer): the pinned date may be either.
    let hours_now = f64::from(offset_hours(NEW_YORK, bmsdesk_core::clock::now()));
    assert_eq!(info.time_zone_value, Some(hours_now));
    // A second client from the saved sign-in knows the zone before any request.
    let again = common::client_with_store(&h, &dir.path().join("token.json"));
    h.state().reset_stats();
    assert_eq!(
        again.tenant_zone().await.unwrap(),
        TenantZone::Named(NEW_YORK)
    );
    assert_eq!(h.state().stats().total, 0, "no request needed");
}

/// The profile's `tenant_timezone` wins over what the server says.
#[tokio::test]
async fn the_profile_override_wins() {
    let h = common::start(tenant_in(NEW_YORK)).await;
    let mut o = common::options(&h, bmsdesk_sim::DEMO_USER);
    o.tenant_zone = Some(TenantZone::Named(BRISBANE));
    let c = bmsdesk_bms::Client::new(o).unwrap();
    assert_eq!(c.tenant_zone().await.unwrap(), TenantZone::Named(BRISBANE));
    let r = &c.search_tickets(&TicketFilter::default()).await.unwrap()[0];
    let (read, real) = (r.open_date.unwrap(), truth(&h, r.id).open_date.unwrap());
    // The server wrote New York's wall clock; read as Brisbane's it is 14 or 15 hours early
    // (Brisbane's +10 less New York's offset at that moment).
    let apart = offset_hours(BRISBANE, real) - offset_hours(NEW_YORK, real);
    assert_eq!(real - read, Duration::hours(i64::from(apart)));
}
