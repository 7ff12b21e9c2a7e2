//! The one paging mechanism every list read goes through ([`Client::read_pages`]): the
//! ticket search (a total, pages fetched several at once) and every GET list (no total, one
//! page after another).
//!
//! The server is not trusted to end a listing. A listing ends at a short or empty page, at the
//! announced total, or at a page that brings no row not already read (a server that ignores
//! `PageNumber` sends page 1 forever). A short *first* page without a total ends it only when
//! the size asked is known to be served whole (measured by `doctor`, or a full page of that
//! size seen from the endpoint): a server that caps pages below the size asked would
//! otherwise cut every list at its cap, so the next page is asked for, by the size served, to
//! be sure (`guesses`: the short-page rule). It is cut with an error — never silently shortened —
//! when it would read more than `max_rows` rows, or spend more requests than the endpoint's
//! hourly budget has left ([`crate::budget`]). A total the pages contradict is not followed
//! past the data, and the user is told ([`Client::notice`]).

use std::collections::HashSet;
use std::future::Future;

use futures_util::stream::{self, StreamExt};

use crate::client::Client;
use crate::envelope::Reply;
use bmsdesk_core::error::{ApiError, ApiResult};
use bmsdesk_core::guesses::FIRST_PAGE;
use bmsdesk_core::model::{
    Account, Contact, Id, LookupItem, Note, NoteTemplate, TicketRow, TicketTemplateSummary,
    TimeLog, TimeLogTemplate,
};

pub use bmsdesk_core::config::defaults::MAX_ROWS as DEFAULT_MAX_ROWS;

/// A row of a paged list, known by its id (repeated pages are found by their ids).
pub trait Keyed {
    fn key(&self) -> Id;
}

macro_rules! keyed_by_id {
    ($($t:ty),*) => { $( impl Keyed for $t { fn key(&self) -> Id { self.id } } )* };
}
keyed_by_id!(
    Account,
    Contact,
    LookupItem,
    Note,
    NoteTemplate,
    TicketRow,
    TicketTemplateSummary,
    TimeLog,
    TimeLogTemplate
);

/// How a run of pages ended.
enum End {
    /// The data ran out (short or empty page, or the total reached).
    Done,
    /// A page held only rows already read.
    Repeated { page: u32 },
    /// The last page allowed was read and was full.
    Cut,
}

impl Client {
    /// Reads every page of `endpoint` (`"METHOD /path"`, its budget key) with `fetch(page,
    /// size)`, handing each page's new rows to `on_page` in order with the announced total
    /// (never more than `max_rows`).
    /// Returns the number of rows handed over. See the module notes for when it stops.
    pub(crate) async fn read_pages<T, F, Fut>(
        &self,
        endpoint: &str,
        fetch: F,
        mut on_page: impl FnMut(Vec<T>, Option<u64>),
    ) -> ApiResult<u64>
    where
        T: Keyed,
        F: Fn(u32, u32) -> Fut,
        Fut: Future<Output = ApiResult<Reply<Vec<T>>>>,
    {
        let asked = self.page_size();
        let first = fetch(FIRST_PAGE, asked).await?;
        let total = first.total;
        let first_len = first.result.len() as u64;
        let mut seen: HashSet<Id> = first.result.iter().map(Keyed::key).collect();
        let mut rows = first_len;
        // What is handed on is at most `max_rows`: callers size buffers by it, and a lying
        // total must not make them reserve for a trillion rows.
        let max_rows = self.max_rows();
        let shown = total.map(|t| t.min(max_rows));
        on_page(first.result, shown);

        if first_len >= asked as u64 {
            self.saw_full_page(endpoint, asked);
        }
        // Without a total, a short first page may be the server's cap rather than the end.
        let unsure = total.is_none()
            && first_len > 0
            && first_len < asked as u64
            && !self.serves_whole(endpoint, asked);
        let more = match total {
            Some(t) => first_len > 0 && t > first_len,
            None => first_len >= asked as u64 || unsure,
        };
        if !more {
            return Ok(rows);
        }
        // A short first page with more to come (or maybe more) means the server may cap the
        // page size below what was asked: page by the size it actually serves.
        let size = if first_len < asked as u64 {
            first_len as u32
        } else {
            asked
        };
        let row_pages = max_rows.div_ceil(size as u64).max(1);
        let budget_left = self
            .budget()
            .get(endpoint)
            .map(|e| e.remaining as u64)
            .unwrap_or(u64::MAX);
        if unsure && budget_left == 0 {
            self.notice(format!(
                "{endpoint}: the server sent {first_len} rows when asked for {asked} and the request budget leaves none to check for more; the list may be cut short"
            ));
            return Ok(rows);
        }
        let allowed = row_pages.min(budget_left.saturating_add(1));
        let last = u32::try_from(allowed).unwrap_or(u32::MAX);
        // The pages the total announces are fetched several at a time. Past them (no total,
        // or rows that moved while paging left some unread) each page decides whether there
        // is a next one: one at a time, so nothing is asked for past the end.
        let announced = total.map_or(1, |t| t.div_ceil(size as u64).min(allowed));
        let announced = u32::try_from(announced).unwrap_or(u32::MAX);
        let fetch_page = |p: u32| {
            let page = fetch(p, size);
            async move { (p, page.await) }
        };
        let pages = stream::iter(2..=announced)
            .map(fetch_page)
            .buffered(self.concurrency())
            .chain(stream::iter(announced.saturating_add(1)..=last).then(fetch_page));
        let mut pages = std::pin::pin!(pages);
        let mut end = End::Cut;
        while let Some((p, page)) = pages.next().await {
            let items = page?.result;
            let got = items.len() as u64;
            if got == 0 {
                end = End::Done;
                break;
            }
            let new: Vec<T> = items.into_iter().filter(|i| seen.insert(i.key())).collect();
            if new.is_empty() {
                end = End::Repeated { page: p };
                break;
            }
            if unsure && p == FIRST_PAGE + 1 {
                // The short first page was the server's cap: it serves `size` at a time.
                self.saw_full_page(endpoint, size);
                self.notice(format!(
                    "{endpoint}: the server sends at most {size} rows per page (asked for {asked}); read on {size} at a time. `bmsdesk doctor` stores its page size so lists need no extra request to check"
                ));
            }
            rows += new.len() as u64;
            on_page(new, shown);
            // A short page ends the data, except among the announced ones (a server may
            // serve fewer than asked there and still have more).
            if total.is_some_and(|t| rows >= t) || (got < size as u64 && p >= announced) {
                end = End::Done;
                break;
            }
        }

        let short_of_total = total.filter(|&t| rows < t);
        match end {
            End::Done => {
                if let Some(t) = short_of_total {
                    self.notice(format!(
                        "{endpoint}: the server announced {t} rows but sent {rows}; the list ends there"
                    ));
                }
                Ok(rows)
            }
            End::Repeated { page } => {
                let said = format!(
                    "{endpoint}: page {page} brought only rows already read (the server seems to ignore paging)"
                );
                match short_of_total {
                    Some(t) => Err(ApiError::Paging(format!(
                        "{said}; stopped after {rows} of the {t} rows it announced"
                    ))),
                    None => {
                        self.notice(format!("{said}; the list ends at {rows} rows"));
                        Ok(rows)
                    }
                }
            }
            End::Cut => {
                let of = total.map(|t| format!(" of {t}")).unwrap_or_default();
                if row_pages <= allowed {
                    return Err(ApiError::Paging(format!(
                        "{endpoint}: stopped after {rows}{of} rows, the most one list reads (max_rows = {max_rows} in the config); narrow the search or raise max_rows"
                    )));
                }
                // Out of budget is a "later", not a "no": a write whose check needed this list
                // waits in the outbox instead of being taken for refused.
                Err(ApiError::Budget({
                    let limit = self
                        .budget()
                        .get(endpoint)
                        .map(|e| e.limit)
                        .unwrap_or_default();
                    format!(
                        "{endpoint}: stopped after {rows}{of} rows: its request budget ({limit} per hour) is used up; try again later or narrow the search"
                    )
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::ClientOptions;

    fn client(page_size: u32) -> Client {
        let mut o = ClientOptions::new("http://127.0.0.1:9");
        o.page_size = page_size;
        Client::new(o).unwrap()
    }

    fn rows(ids: std::ops::Range<Id>) -> Vec<Account> {
        ids.map(|id| Account {
            id,
            ..Default::default()
        })
        .collect()
    }

    /// Pages served by a fake server: `pages[n - 1]` for page n, empty past the end.
    async fn read(c: &Client, pages: &[Vec<Account>], total: Option<u64>) -> ApiResult<Vec<Id>> {
        let mut got = Vec::new();
        c.read_pages(
            "GET /x",
            |p, _| {
                let page = pages.get(p as usize - 1).cloned().unwrap_or_default();
                async move {
                    Ok(Reply {
                        result: page,
                        total,
                    })
                }
            },
            |rows, _| got.extend(rows.iter().map(|r| r.id)),
        )
        .await?;
        Ok(got)
    }

    #[tokio::test]
    async fn rows_that_moved_into_the_next_page_are_kept_once() {
        // A ticket created while paging pushes row 3 onto page 2 as well.
        let c = client(3);
        let pages = [rows(1..4), rows(3..6), rows(6..7)];
        assert_eq!(
            read(&c, &pages, None).await.unwrap(),
            vec![1, 2, 3, 4, 5, 6]
        );
        assert_eq!(
            read(&c, &pages, Some(6)).await.unwrap(),
            vec![1, 2, 3, 4, 5, 6]
        );
        assert!(c.take_notices().is_empty());
    }

    #[tokio::test]
    async fn a_short_first_page_with_more_announced_pages_by_the_size_served() {
        // Asked for 5, the server serves 2 at a time.
        let c = client(5);
        let pages = [rows(1..3), rows(3..5), rows(5..6)];
        assert_eq!(
            read(&c, &pages, Some(5)).await.unwrap(),
            vec![1, 2, 3, 4, 5]
        );
    }

    /// Like `read`, also counting the requests and the sizes asked.
    async fn read_counted(
        c: &Client,
        pages: &[Vec<Account>],
        total: Option<u64>,
    ) -> (Vec<Id>, Vec<(u32, u32)>) {
        let asked = std::sync::Mutex::new(Vec::new());
        let mut got = Vec::new();
        c.read_pages(
            "GET /x",
            |p, size| {
                asked.lock().unwrap().push((p, size));
                let page = pages.get(p as usize - 1).cloned().unwrap_or_default();
                async move {
                    Ok(Reply {
                        result: page,
                        total,
                    })
                }
            },
            |rows, _| got.extend(rows.iter().map(|r| r.id)),
        )
        .await
        .unwrap();
        (got, asked.into_inner().unwrap())
    }

    #[tokio::test]
    async fn a_server_that_caps_pages_without_a_total_is_read_to_the_end_and_said_so() {
        // Asked for 5, the server serves 2 at a time and tells no total.
        let c = client(5);
        let pages = [rows(1..3), rows(3..5), rows(5..6)];
        let (got, asked) = read_counted(&c, &pages, None).await;
        assert_eq!(got, vec![1, 2, 3, 4, 5]);
        assert_eq!(
            asked,
            vec![(1, 5), (2, 2), (3, 2)],
            "paged by the size served"
        );
        let notices = c.take_notices();
        assert!(
            notices
                .iter()
                .any(|n| n.contains("at most 2 rows per page")),
            "{notices:?}"
        );
        // The endpoint is now known to serve pages of 2 whole; a 5-row ask still is not.
        assert!(c.serves_whole("GET /x", 2) && !c.serves_whole("GET /x", 5));
    }

    #[tokio::test]
    async fn a_short_first_page_of_an_unmeasured_server_is_checked_once() {
        let c = client(5);
        let (got, asked) = read_counted(&c, &[rows(1..4)], None).await;
        assert_eq!(got, vec![1, 2, 3]);
        assert_eq!(asked, vec![(1, 5), (2, 3)], "one request to be sure");
        assert!(c.take_notices().is_empty(), "nothing was cut");
    }

    #[tokio::test]
    async fn a_short_first_page_is_the_end_where_the_size_is_known_to_be_served() {
        // Measured by doctor: no cap up to 1000.
        let mut o = ClientOptions::new("http://127.0.0.1:9");
        o.page_size = 5;
        o.capabilities.page_size_tried = Some(1000);
        let c = Client::new(o).unwrap();
        let (_, asked) = read_counted(&c, &[rows(1..4)], None).await;
        assert_eq!(asked, vec![(1, 5)]);

        // Seen in this process: a full page of 5 from the endpoint.
        let c = client(5);
        let (got, _) = read_counted(&c, &[rows(1..6), rows(6..8)], None).await;
        assert_eq!(got.len(), 7);
        let (_, asked) = read_counted(&c, &[rows(1..4)], None).await;
        assert_eq!(asked, vec![(1, 5)]);
    }

    #[tokio::test]
    async fn a_short_first_page_with_no_budget_left_to_check_is_a_warning() {
        let mut o = ClientOptions::new("http://127.0.0.1:9");
        o.page_size = 5;
        o.hourly_limit = 1;
        let c = Client::new(o).unwrap();
        // Spend the endpoint's one request of the hour.
        c.count("GET /x");
        let (got, asked) = read_counted(&c, &[rows(1..4)], None).await;
        assert_eq!((got.len(), asked.len()), (3, 1));
        let notices = c.take_notices();
        assert!(
            notices.iter().any(|n| n.contains("may be cut short")),
            "{notices:?}"
        );
    }
}
