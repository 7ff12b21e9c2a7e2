//! Measurements of what the spec leaves open and the client otherwise guesses
//! (`api::guesses`), made on the user's own tenant by `bmsdesk doctor`. Each one is read-only,
//! costs a request or three, and returns what it saw; the caller reports it and stores it as
//! the tenant's [`Capabilities`](super::Capabilities).
//!
//! Every probe sends exactly the request it names (one page, never the client's multi-search
//! or paging logic), so what it measures is the server, not bmsdesk.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::{Value, json};

use crate::client::Client;
use bmsdesk_core::error::{ApiError, ApiResult};
use bmsdesk_core::lookups::LookupKind;
use bmsdesk_core::model::{Id, LookupItem, TicketFilter, TicketRow};

const SEARCH: &str = "/v2/servicedesk/tickets/search";

/// Every ticket, completed ones included: the largest set a probe can page through.
fn all_tickets() -> TicketFilter {
    TicketFilter {
        exclude_completed: 0,
        ..TicketFilter::default()
    }
}

/// What one search page of `asked` rows brought back.
#[derive(Debug, Clone)]
pub struct PageProbe {
    pub asked: u32,
    /// Rows on page 1.
    pub served: u32,
    /// The `totalRecords` the server announced.
    pub total: Option<u64>,
    /// The largest page the server serves, when it served fewer than asked although more
    /// rows exist: bmsdesk must ask for no more than this.
    pub cap: Option<u32>,
    /// Page 1's rows (newest first), reused by the other probes instead of asking again.
    pub rows: Vec<TicketRow>,
}

impl PageProbe {
    /// Whether the whole tenant fitted in the page (so no cap could show above `served`).
    pub fn saw_everything(&self) -> bool {
        self.cap.is_none() && self.served < self.asked
    }
}

/// Asks the ticket search for one page of `asked` rows. A page shorter than asked while the
/// total says there is more is a cap; with no total, page 2 is asked once to tell a cap from
/// the end of the data.
pub async fn page_size(client: &Client, asked: u32) -> ApiResult<PageProbe> {
    let filter = all_tickets();
    let first = client.search_tickets_page(&filter, 1, asked).await?;
    let served = u32::try_from(first.result.len()).unwrap_or(u32::MAX);
    let total = first.total;
    let cap = if served == 0 || served >= asked {
        None
    } else {
        match total {
            Some(t) => (t > u64::from(served)).then_some(served),
            None => {
                let second = client.search_tickets_page(&filter, 2, asked).await?;
                let new = second
                    .result
                    .iter()
                    .any(|r| !first.result.iter().any(|f| f.id == r.id));
                new.then_some(served)
            }
        }
    };
    Ok(PageProbe {
        asked,
        served,
        total,
        cap,
        rows: first.result,
    })
}

/// Whether the server splits a comma-joined name filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommaVerdict {
    /// `"A,B"` found the tickets of both names.
    Split,
    /// `"A,B"` found nothing although both names have tickets: it is taken as one name.
    NotSplit,
    /// The answers did not say (the reason).
    Inconclusive(String),
}

/// How `StatusNames` answered for two names apart and joined.
#[derive(Debug, Clone)]
pub struct CommaProbe {
    /// The two status names tried (the most common ones among `rows`).
    pub names: Vec<String>,
    /// Tickets found for each name alone, then for both joined (`totalRecords`, else the
    /// rows of one page).
    pub alone: Vec<u64>,
    pub joined: u64,
    pub verdict: CommaVerdict,
}

/// The two most common status names among `rows` (none with a comma in it, which could not
/// be told from a list). Fewer when fewer statuses have tickets.
pub fn two_statuses(rows: &[TicketRow]) -> Vec<String> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for r in rows {
        if let Some(n) = r.status_name.as_deref().map(str::trim)
            && !n.is_empty()
            && !n.contains(',')
        {
            *counts.entry(n).or_default() += 1;
        }
    }
    let mut by_count: Vec<(&str, usize)> = counts.into_iter().collect();
    by_count.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    by_count
        .into_iter()
        .take(2)
        .map(|(n, _)| n.to_string())
        .collect()
}

/// Compares `StatusNames = "A,B"` with A and B apart (three one-page searches), for the two
/// most common statuses among `rows`.
pub async fn comma_split(client: &Client, rows: &[TicketRow]) -> ApiResult<CommaProbe> {
    let names = two_statuses(rows);
    if names.len() < 2 {
        return Ok(CommaProbe {
            names,
            alone: Vec::new(),
            joined: 0,
            verdict: CommaVerdict::Inconclusive(
                "fewer than two statuses have tickets to compare".into(),
            ),
        });
    }
    // A page of this many rows shows which statuses a joined search found even without a
    // total.
    const PAGE: u32 = 50;
    let search = |names: String| async move {
        let filter = TicketFilter {
            status_names: Some(names),
            ..all_tickets()
        };
        let page = client.search_tickets_page(&filter, 1, PAGE).await?;
        let found = page.total.unwrap_or(page.result.len() as u64);
        Ok::<_, ApiError>((found, page.result))
    };
    let (a, _) = search(names[0].clone()).await?;
    let (b, _) = search(names[1].clone()).await?;
    let (joined, joined_rows) = search(names.join(",")).await?;
    let has = |name: &str| {
        joined_rows
            .iter()
            .any(|r| r.status_name.as_deref().map(str::trim) == Some(name))
    };
    let verdict = if a == 0 || b == 0 {
        CommaVerdict::Inconclusive(
            "a status had no tickets when asked alone (tickets moved meanwhile?)".into(),
        )
    } else if joined == 0 {
        CommaVerdict::NotSplit
    } else if has(&names[0]) && has(&names[1]) {
        CommaVerdict::Split
    } else {
        CommaVerdict::Inconclusive(format!(
            "the joined filter found {joined} tickets, not both statuses' ({a} + {b})"
        ))
    };
    Ok(CommaProbe {
        names,
        alone: vec![a, b],
        joined,
        verdict,
    })
}

/// What a search with `Sort` got.
#[derive(Debug, Clone, PartialEq)]
pub enum SortVerdict {
    Accepted,
    /// Refused, with the server's message.
    Refused(String),
}

/// The value sent as `Sort`: a bare field name, the least any grammar would take. What a
/// richer expression means stays unknown; bmsdesk sorts lists itself.
pub const SORT_PROBE: &str = "Id";

/// One search page of one row with `Sort` set. A refusal (4xx, `success: false`) is the
/// answer; a failure that says nothing about `Sort` (no connection, 5xx, sign-in) is an error.
pub async fn sort(client: &Client) -> ApiResult<SortVerdict> {
    let filter = client.encode(&all_tickets()).await?;
    let body = json!({"PageSize": 1, "PageNumber": 1, "Sort": SORT_PROBE, "Filter": filter});
    match client.post::<Value>(SEARCH, body).await {
        Ok(_) => Ok(SortVerdict::Accepted),
        Err(e @ (ApiError::Api { .. } | ApiError::NotFound(_))) => {
            Ok(SortVerdict::Refused(e.to_string()))
        }
        Err(e) => Err(e),
    }
}

/// A lookup table, as the tenant answered.
#[derive(Debug, Clone)]
pub enum Table {
    Present(Vec<LookupItem>),
    /// The server said there is no such table (404, or a refusal in the envelope).
    Absent(String),
}

/// Reads `kind`'s table. A refusal is [`Table::Absent`]; a failure that says nothing about
/// the table (no connection, 5xx, sign-in) is an error.
pub async fn table(client: &Client, kind: LookupKind) -> ApiResult<Table> {
    match client.lookup(kind).await {
        Ok(items) => Ok(Table::Present(items)),
        Err(e @ (ApiError::Api { .. } | ApiError::NotFound(_))) => Ok(Table::Absent(e.to_string())),
        Err(e) => Err(e),
    }
}

/// The latest time among `rows` (creation and last activity) that lies later than
/// `server_now`, by how much: times read in the wrong zone (a tenant east of the zone
/// assumed) land in the future.
pub fn in_the_future(
    rows: &[TicketRow],
    server_now: DateTime<Utc>,
) -> Option<(Id, DateTime<Utc>, TimeDelta)> {
    rows.iter()
        .flat_map(|r| {
            [r.created_on, r.last_activity_update, r.open_date]
                .into_iter()
                .flatten()
                .map(move |t| (r.id, t))
        })
        .max_by_key(|(_, t)| *t)
        .filter(|(_, t)| *t > server_now)
        .map(|(id, t)| (id, t, t - server_now))
}

/// How far `t` is from `reference` in whole hours, when it is (nearly) a whole number of
/// hours or half hours off and at least half an hour: the sign of a time read in the wrong
/// zone rather than a slow clock.
pub fn zone_like_offset(t: DateTime<Utc>, reference: DateTime<Utc>) -> Option<f64> {
    let secs = (t - reference).num_seconds();
    let half_hours = (secs as f64 / 1800.0).round();
    let near = (secs as f64 - half_hours * 1800.0).abs() <= 120.0;
    (near && half_hours != 0.0 && half_hours.abs() <= 28.0).then_some(half_hours / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn row(id: Id, status: &str) -> TicketRow {
        TicketRow {
            id,
            status_name: Some(status.into()),
            ..Default::default()
        }
    }

    #[test]
    fn the_two_most_common_statuses_without_commas() {
        let rows = [
            row(1, "New"),
            row(2, "In Progress"),
            row(3, "New"),
            row(4, "Waiting, customer"),
            row(5, "Waiting, customer"),
            row(6, "Waiting, customer"),
            row(7, "Closed"),
            row(8, "In Progress"),
        ];
        assert_eq!(two_statuses(&rows), vec!["In Progress", "New"]);
        assert_eq!(two_statuses(&rows[..1]), vec!["New"]);
    }

    #[test]
    fn future_times_and_zone_like_offsets() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let mut r = row(9, "New");
        r.created_on = Some(now - TimeDelta::hours(2));
        assert_eq!(in_the_future(std::slice::from_ref(&r), now), None);
        r.last_activity_update = Some(now + TimeDelta::hours(10));
        let (id, _, by) = in_the_future(&[r], now).unwrap();
        assert_eq!((id, by), (9, TimeDelta::hours(10)));

        assert_eq!(
            zone_like_offset(now + TimeDelta::hours(-5), now),
            Some(-5.0)
        );
        assert_eq!(
            zone_like_offset(now + TimeDelta::minutes(330) + TimeDelta::seconds(40), now),
            Some(5.5)
        );
        assert_eq!(zone_like_offset(now + TimeDelta::seconds(50), now), None);
        assert_eq!(zone_like_offset(now + TimeDelta::minutes(47), now), None);
    }
}
