//! Ticket search (all pages, concurrently once the total is known), get, create, patch,
//! assign and delete; plus the draft a form or CLI fills before a create.

use std::collections::HashSet;
use std::sync::Mutex;

use futures_util::stream::{self, StreamExt, TryStreamExt};
use serde_json::{Value, json};

use crate::client::Client;
use crate::envelope::Reply;
use bmsdesk_core::error::{ApiError, ApiResult};
use bmsdesk_core::guesses::{ASSUME_COMMAS_SPLIT, FIRST_PAGE};
use bmsdesk_core::model::{
    AssignInput, Id, PatchOp, SlaInfo, Ticket, TicketFilter, TicketInput, TicketRow,
};

/// The ticket search's budget key.
const SEARCH: &str = "POST /v2/servicedesk/tickets/search";

/// Most searches one multi-value filter may take (see [`Client::searches_for`]).
pub const MAX_SEARCHES: usize = 32;

/// The values of a comma-joined filter field, each once, in the order given; `[None]` for
/// an unset field.
fn values(field: &Option<String>) -> Vec<Option<String>> {
    let Some(s) = field else {
        return vec![None];
    };
    let mut out: Vec<Option<String>> = Vec::new();
    for v in s.split(',').map(str::trim).filter(|v| !v.is_empty()) {
        if !out.iter().flatten().any(|o| o.eq_ignore_ascii_case(v)) {
            out.push(Some(v.to_string()));
        }
    }
    if out.is_empty() {
        // Blank: sent as it was (the server's answer to it is the server's).
        out.push(Some(s.clone()));
    }
    out
}

/// `filter` as one filter per combination of single values of its comma-joined fields, the
/// first field's values outermost.
pub fn one_value_each(filter: &TicketFilter) -> Vec<TicketFilter> {
    type Field = fn(&mut TicketFilter) -> &mut Option<String>;
    let fields: [Field; 5] = [
        |f| &mut f.status_names,
        |f| &mut f.queue_names,
        |f| &mut f.priority_names,
        |f| &mut f.ticket_type_names,
        |f| &mut f.account_ids,
    ];
    let mut out = vec![filter.clone()];
    for field in fields {
        let vals = values(field(&mut filter.clone()));
        if vals.len() < 2 {
            for f in &mut out {
                *field(f) = vals[0].clone();
            }
            continue;
        }
        out = out
            .into_iter()
            .flat_map(|f| {
                vals.iter().map(move |v| {
                    let mut g = f.clone();
                    *field(&mut g) = v.clone();
                    g
                })
            })
            .collect();
    }
    out
}

impl Client {
    /// One page of `POST /v2/servicedesk/tickets/search` (`PageNumber` is 1-based).
    pub async fn search_tickets_page(
        &self,
        filter: &TicketFilter,
        page: u32,
        page_size: u32,
    ) -> ApiResult<Reply<Vec<TicketRow>>> {
        let filter = self.encode(filter).await?;
        let body = json!({
            "PageSize": page_size,
            "PageNumber": page,
            "Filter": filter,
        });
        let reply: Reply<Option<Vec<TicketRow>>> =
            self.post("/v2/servicedesk/tickets/search", body).await?;
        Ok(Reply {
            result: reply.result.unwrap_or_default(),
            total: reply.total,
        })
    }

    /// Every matching ticket. Page 1 tells the total; the other pages are then fetched several
    /// at a time ([`Client::read_pages`]). `on_page` sees each page in order as it lands (for
    /// streaming into a UI). A filter naming several statuses, queues, priorities, types or
    /// accounts is one search per combination unless the tenant splits comma lists
    /// ([`Client::searches_for`]); their rows are merged by id, each name's in the order
    /// the names were given, and `on_page` is told the sum of their totals.
    pub async fn search_tickets_streamed(
        &self,
        filter: &TicketFilter,
        mut on_page: impl FnMut(Vec<TicketRow>, Option<u64>),
    ) -> ApiResult<u64> {
        let searches = self.searches_for(filter)?;
        if let [one] = searches.as_slice() {
            return self
                .read_pages(
                    SEARCH,
                    |page, size| self.search_tickets_page(one, page, size),
                    on_page,
                )
                .await;
        }
        // Page 1 of every search first: their totals add up to the whole's (a ticket has one
        // status, queue, priority, type and account, so the searches do not overlap).
        let firsts = self.first_pages(&searches, self.page_size()).await?;
        let total = firsts
            .iter()
            .map(|r| r.total)
            .sum::<Option<u64>>()
            .map(|t| t.min(self.max_rows()));
        let mut seen: HashSet<Id> = HashSet::new();
        let mut rows = 0u64;
        for (f, first) in searches.iter().zip(firsts) {
            let first = Mutex::new(Some(first));
            self.read_pages(
                SEARCH,
                |page, size| {
                    let ready = if page == FIRST_PAGE {
                        first.lock().ok().and_then(|mut r| r.take())
                    } else {
                        None
                    };
                    async move {
                        match ready {
                            Some(r) => Ok(r),
                            None => self.search_tickets_page(f, page, size).await,
                        }
                    }
                },
                |page, _| {
                    let new: Vec<TicketRow> =
                        page.into_iter().filter(|r| seen.insert(r.id)).collect();
                    if !new.is_empty() {
                        rows += new.len() as u64;
                        on_page(new, total);
                    }
                },
            )
            .await?;
        }
        Ok(rows)
    }

    /// Every matching ticket, collected.
    pub async fn search_tickets(&self, filter: &TicketFilter) -> ApiResult<Vec<TicketRow>> {
        let mut all = Vec::new();
        self.search_tickets_streamed(filter, |rows, total| {
            if let Some(t) = total {
                all.reserve((t as usize).saturating_sub(all.len()).min(1_000_000));
            }
            all.extend(rows);
        })
        .await?;
        Ok(all)
    }

    /// The first `n` matching tickets and the total, in as few requests as the tenant allows
    /// (one per search of [`Client::searches_for`]; `n = 1` to count).
    pub async fn search_tickets_first(
        &self,
        filter: &TicketFilter,
        n: u32,
    ) -> ApiResult<Reply<Vec<TicketRow>>> {
        let searches = self.searches_for(filter)?;
        if let [one] = searches.as_slice() {
            return self.search_tickets_page(one, FIRST_PAGE, n).await;
        }
        let firsts = self.first_pages(&searches, n).await?;
        let total = firsts.iter().map(|r| r.total).sum::<Option<u64>>();
        let mut seen = HashSet::new();
        let mut result: Vec<TicketRow> = firsts
            .into_iter()
            .flat_map(|r| r.result)
            .filter(|r| seen.insert(r.id))
            .collect();
        result.truncate(n as usize);
        Ok(Reply { result, total })
    }

    /// Page 1 (of `size` rows) of each of `searches`, a few at a time, in order.
    async fn first_pages(
        &self,
        searches: &[TicketFilter],
        size: u32,
    ) -> ApiResult<Vec<Reply<Vec<TicketRow>>>> {
        // By index: a closure over `&TicketFilter` arguments makes the future not `Send`
        // for every lifetime, which the TUI's spawned tasks need.
        stream::iter(0..searches.len())
            .map(|i| self.search_tickets_page(&searches[i], FIRST_PAGE, size))
            .buffered(self.concurrency())
            .try_collect()
            .await
    }

    /// The searches `filter` needs: itself when the tenant splits comma-joined filters
    /// (`Capabilities::splits_commas`, else `guesses::ASSUME_COMMAS_SPLIT`) or it names one
    /// value per field, else one per combination of single values. Too many combinations
    /// is an error rather than a burst of searches.
    pub fn searches_for(&self, filter: &TicketFilter) -> ApiResult<Vec<TicketFilter>> {
        let splits = self
            .capabilities()
            .splits_commas
            .unwrap_or(ASSUME_COMMAS_SPLIT);
        if splits {
            return Ok(vec![filter.clone()]);
        }
        let searches = one_value_each(filter);
        if searches.len() > MAX_SEARCHES {
            return Err(ApiError::Invalid(format!(
                "the filter names {} combinations of statuses, queues, priorities, types and accounts; this tenant is not known to split comma lists, so each would be its own search (at most {MAX_SEARCHES}): narrow the filter, or run `bmsdesk doctor` to check whether the server splits them",
                searches.len()
            )));
        }
        Ok(searches)
    }

    /// `GET /v2/servicedesk/tickets/{ticketId}`.
    pub async fn ticket(&self, id: Id) -> ApiResult<Ticket> {
        let reply = self
            .get::<Option<Ticket>>(&format!("/v2/servicedesk/tickets/{id}"), &[])
            .await?;
        reply
            .result
            .ok_or_else(|| ApiError::NotFound(format!("ticket {id}")))
    }

    /// `POST /v2/servicedesk/tickets`. Returns the created ticket.
    pub async fn create_ticket(&self, input: &TicketInput) -> ApiResult<Ticket> {
        let body = self.encode(input).await?;
        let reply = self
            .post::<Option<Ticket>>("/v2/servicedesk/tickets", body)
            .await?;
        let ticket = reply
            .result
            .ok_or_else(|| ApiError::Decode("create returned no ticket".into()))?;
        if ticket.row.id <= 0 {
            return Err(ApiError::Decode("create returned no ticket id".into()));
        }
        Ok(ticket)
    }

    /// `PATCH /v2/servicedesk/tickets/{ticketId}` with a JSON-Patch array.
    pub async fn patch_ticket(&self, id: Id, ops: &[PatchOp]) -> ApiResult<Ticket> {
        let body = self.encode(ops).await?;
        let reply = self
            .patch::<Option<Ticket>>(&format!("/v2/servicedesk/tickets/{id}"), body)
            .await?;
        match reply.result {
            Some(t) if t.row.id > 0 => Ok(t),
            _ => self.ticket(id).await,
        }
    }

    /// `POST /v2/servicedesk/tickets/{ticketId}/assignticket` (writes a note, sets a status).
    pub async fn assign_ticket(&self, id: Id, input: &AssignInput) -> ApiResult<()> {
        let body = self.encode(input).await?;
        self.post::<Value>(&format!("/v2/servicedesk/tickets/{id}/assignticket"), body)
            .await
            .map(|_| ())
    }

    /// `DELETE /v2/servicedesk/tickets/{ticketId}`.
    pub async fn delete_ticket(&self, id: Id) -> ApiResult<()> {
        self.delete(&format!("/v2/servicedesk/tickets/{id}")).await
    }

    /// `GET /v2/servicedesk/tickets/{ticketId}/slainfo`.
    pub async fn sla_info(&self, id: Id) -> ApiResult<SlaInfo> {
        let reply = self
            .get::<Option<SlaInfo>>(&format!("/v2/servicedesk/tickets/{id}/slainfo"), &[])
            .await?;
        Ok(reply.result.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_multi_value_filter_is_one_filter_per_combination_in_the_order_given() {
        let f = TicketFilter {
            status_names: Some("New, In Progress,new".into()),
            queue_names: Some("Help Desk,Projects".into()),
            priority_names: Some("High".into()),
            title: Some("printer".into()),
            exclude_completed: 1,
            ..Default::default()
        };
        let all = one_value_each(&f);
        let pairs: Vec<(&str, &str)> = all
            .iter()
            .map(|g| {
                (
                    g.status_names.as_deref().unwrap(),
                    g.queue_names.as_deref().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            pairs,
            vec![
                ("New", "Help Desk"),
                ("New", "Projects"),
                ("In Progress", "Help Desk"),
                ("In Progress", "Projects"),
            ]
        );
        // The other fields go along unchanged; one value stays one filter.
        assert!(
            all.iter()
                .all(|g| g.priority_names.as_deref() == Some("High")
                    && g.title.as_deref() == Some("printer")
                    && g.exclude_completed == 1)
        );
        let single = TicketFilter {
            status_names: Some("New".into()),
            ..Default::default()
        };
        assert_eq!(one_value_each(&single), vec![single.clone()]);
        assert_eq!(one_value_each(&TicketFilter::default()).len(), 1);
    }

    #[test]
    fn too_many_combinations_are_refused_and_a_splitting_tenant_needs_one_search() {
        let many = TicketFilter {
            status_names: Some("a,b,c,d,e,f".into()),
            queue_names: Some("q,r,s,t,u,v".into()),
            ..Default::default()
        };
        let c = Client::new(crate::ClientOptions::new("http://127.0.0.1:9")).unwrap();
        let e = c.searches_for(&many).unwrap_err().to_string();
        assert!(e.contains("36 combinations") && e.contains("doctor"), "{e}");
        let mut o = crate::ClientOptions::new("http://127.0.0.1:9");
        o.capabilities.splits_commas = Some(true);
        let c = Client::new(o).unwrap();
        assert_eq!(c.searches_for(&many).unwrap(), vec![many]);
    }
}
