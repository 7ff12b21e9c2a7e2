//! Sending one write so that it lands exactly once, although BMS has no idempotency keys.
//!
//! The client resends a write only when the server cannot have acted (see
//! [`crate::api::retry`]). When a write was sent and no usable answer came back (the link
//! dropped, the reply timed out or was cut off, a 5xx), its outcome is unknown. Then, before
//! anything is sent again, the server is asked what happened:
//!
//! * note add / assign: list the ticket's notes and look for ours (same text and visibility,
//!   written by us, created since the first attempt or dated exactly with our note date);
//! * ticket create: search tickets by title and account created since the first attempt;
//! * time log: list the ticket's time logs and look for the same date and times;
//! * delete: a 404 on re-read means done;
//! * replace (patch, note update): sending it again has the same effect, no check needed.
//!
//! If ours is there, that is the result; if it is not, it is sent again (bounded by
//! [`RetryPolicy::write_rounds`]); if the server cannot be asked, the outcome stays unknown
//! and the caller keeps the write (the outbox) with `maybe_sent` set, so the check runs first
//! next time, in this process or another one after a crash.

use chrono::{DateTime, Duration, Utc};

use crate::api::model::{Id, Note, TicketFilter, TimeLog};
use crate::api::ops::{WriteOp, WriteResult};
use crate::api::retry::{Delivery, delivery};
use crate::api::{ApiError, ApiResult, Client};
use crate::domain::html;

/// How far before the first attempt a server-side timestamp may be and still be ours (clock
/// differences between this machine and the server).
pub const CLOCK_SLACK_SECS: i64 = 120;

/// How far the sending of one write got, carried across attempts (and, through the outbox,
/// across processes and crashes).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SendState {
    pub attempts: u32,
    /// An attempt may have reached the server.
    pub maybe_sent: bool,
    /// When the first such attempt started.
    pub sent_at: Option<DateTime<Utc>>,
}

/// Sends `op` until it is known to have landed once, or until it is known not to have (the
/// error is then returned with `state.maybe_sent` telling whether a check is still owed).
/// `before_send` runs before every attempt with the updated state, so the outbox can record
/// "maybe sent" durably first; if it fails, nothing is sent.
pub async fn perform<F>(
    client: &Client,
    op: &WriteOp,
    state: &mut SendState,
    mut before_send: F,
) -> ApiResult<WriteResult>
where
    F: FnMut(&SendState) -> std::io::Result<()>,
{
    let policy = client.retry_policy().clone();
    let mut rounds = 0u32;
    loop {
        if state.maybe_sent && (!op.is_idempotent() || op.is_delete()) {
            let since = state.sent_at.unwrap_or_else(crate::clock::now);
            match find_applied(client, op, since).await {
                Ok(Some(found)) => {
                    tracing::info!(
                        command = op.command(),
                        "an earlier attempt had landed; not sending again"
                    );
                    return Ok(found);
                }
                Ok(None) => {}
                // Cannot tell (the check failed): the outcome stays unknown. A 404 here
                // means the ticket is gone and the write cannot land any more.
                Err(e) => return Err(e),
            }
        }
        let was_maybe_sent = state.maybe_sent;
        state.attempts += 1;
        state.maybe_sent = true;
        state.sent_at.get_or_insert_with(crate::clock::now);
        if let Err(e) = before_send(state) {
            state.attempts -= 1;
            state.maybe_sent = was_maybe_sent;
            if !was_maybe_sent {
                state.sent_at = None;
            }
            return Err(ApiError::Config(format!(
                "cannot record the write in the outbox, so it was not sent: {e}"
            )));
        }
        let err = match op.execute(client).await {
            Ok(result) => return Ok(result),
            Err(e) => e,
        };
        match delivery(&err) {
            Delivery::NotApplied => {
                // This attempt did nothing; an earlier one still may have.
                state.maybe_sent = was_maybe_sent;
                if !was_maybe_sent {
                    state.sent_at = None;
                }
                return Err(err);
            }
            Delivery::Rejected => {
                if op.is_delete() && matches!(err, ApiError::NotFound(_)) && was_maybe_sent {
                    return Ok(WriteResult::Done);
                }
                state.maybe_sent = was_maybe_sent;
                return Err(err);
            }
            Delivery::Unknown => {
                if rounds >= policy.write_rounds {
                    return Err(err);
                }
                // Give a slow server a moment to finish before asking what it did.
                let wait = policy.backoff(rounds, err.retry_after());
                rounds += 1;
                tracing::warn!(command = op.command(), error = %err, ?wait, "write outcome unknown; checking before sending again");
                tokio::time::sleep(wait).await;
            }
        }
    }
}

/// The result of `op` if the server shows it was carried out by an attempt since `since`;
/// `None` if it shows it was not (sending it again is then safe).
pub async fn find_applied(
    client: &Client,
    op: &WriteOp,
    since: DateTime<Utc>,
) -> ApiResult<Option<WriteResult>> {
    let me = client.tokens().await.map(|t| t.username);
    let me = me.as_deref();
    match op {
        WriteOp::AddNote { ticket_id, input } => {
            let notes = client.notes(*ticket_id).await?;
            Ok(find_note(
                &notes,
                &input.details,
                input.is_internal,
                input.note_date,
                since,
                me,
            )
            .map(|n| WriteResult::Note(Box::new(n.clone()))))
        }
        WriteOp::AssignTicket { ticket_id, input } => {
            // Assigning always writes its note: that note is the evidence.
            let notes = client.notes(*ticket_id).await?;
            Ok(find_note(
                &notes,
                &input.details,
                input.is_internal,
                input.note_date,
                since,
                me,
            )
            .map(|_| WriteResult::Done))
        }
        WriteOp::CreateTicket { input } => {
            let filter = TicketFilter {
                title: Some(input.title.clone()),
                account_ids: Some(input.account_id.to_string()),
                created_on_from: Some(since - Duration::minutes(10)),
                exclude_completed: 0,
                ..Default::default()
            };
            let rows = client.search_tickets(&filter).await?;
            let slack = since - Duration::seconds(CLOCK_SLACK_SECS);
            let found = rows
                .iter()
                .filter(|r| {
                    r.title.trim() == input.title.trim()
                        && r.account_id == Some(input.account_id)
                        && (r.created_on.is_some_and(|c| c >= slack)
                            || (r.created_on.is_none()
                                && same_second(r.open_date, input.open_date)))
                })
                .map(|r| r.id)
                .min();
            match found {
                Some(id) => Ok(Some(WriteResult::Ticket(Box::new(
                    client.ticket(id).await?,
                )))),
                None => Ok(None),
            }
        }
        WriteOp::AddTimeLog { ticket_id, input } => {
            let logs = client.time_logs(*ticket_id).await?;
            Ok(logs
                .into_iter()
                .rev()
                .find(|l| same_time_log(l, input))
                .map(|l| WriteResult::TimeLog(Box::new(l))))
        }
        WriteOp::DeleteTicket { ticket_id } => match client.ticket(*ticket_id).await {
            Err(ApiError::NotFound(_)) => Ok(Some(WriteResult::Done)),
            Err(e) => Err(e),
            Ok(_) => Ok(None),
        },
        WriteOp::DeleteNote { ticket_id, note_id } => match client.note(*ticket_id, *note_id).await
        {
            Err(ApiError::NotFound(_)) => Ok(Some(WriteResult::Done)),
            Err(e) => Err(e),
            Ok(_) => Ok(None),
        },
        // Replacing is idempotent: sending again is the check.
        WriteOp::PatchTicket { .. } | WriteOp::UpdateNote { .. } => Ok(None),
    }
}

/// Text compared as a reader sees it: the server may re-encode the HTML we sent.
pub fn same_text(a: &str, b: &str) -> bool {
    let norm = |s: &str| {
        html::to_text(s)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    norm(a) == norm(b)
}

fn same_second(a: Option<DateTime<Utc>>, b: DateTime<Utc>) -> bool {
    a.is_some_and(|a| (a - b).num_seconds().abs() <= 1)
}

/// The newest note that is ours: same text and visibility, not someone else's, and either
/// created since the first attempt or carrying exactly our note date. A note without a
/// creation time is never taken as ours (a duplicate is better than a lost note).
pub fn find_note<'a>(
    notes: &'a [Note],
    details: &str,
    is_internal: bool,
    note_date: DateTime<Utc>,
    since: DateTime<Utc>,
    me: Option<&str>,
) -> Option<&'a Note> {
    let slack = since - Duration::seconds(CLOCK_SLACK_SECS);
    notes.iter().rev().find(|n| {
        let mine = match (me, n.created_by_email.as_deref()) {
            (Some(me), Some(by)) => me.trim().eq_ignore_ascii_case(by.trim()),
            _ => true,
        };
        let recent = n
            .created_on
            .is_some_and(|c| c >= slack || same_second(Some(c), note_date));
        mine && recent
            && n.is_internal.unwrap_or(is_internal) == is_internal
            && same_text(&n.details, details)
    })
}

fn hhmm(s: &str) -> String {
    s.trim().chars().take(5).collect()
}

fn same_time_log(l: &TimeLog, input: &crate::api::model::TimeLogInput) -> bool {
    l.start_date == Some(input.start_date)
        && l.start_time.as_deref().map(hhmm) == Some(hhmm(&input.start_time))
        && l.end_time.as_deref().map(hhmm) == Some(hhmm(&input.end_time))
        && same_text(
            l.notes.as_deref().unwrap_or(""),
            input.notes.as_deref().unwrap_or(""),
        )
}

/// For tests and the TUI: the ticket a write is about, to refresh after it lands.
pub fn affected_ticket(op: &WriteOp, result: &WriteResult) -> Option<Id> {
    op.ticket_id().or(match result {
        WriteResult::Ticket(t) => Some(t.row.id),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn note(id: Id, details: &str, at: DateTime<Utc>, by: Option<&str>) -> Note {
        Note {
            id,
            details: details.into(),
            is_internal: Some(true),
            created_on: Some(at),
            created_by_email: by.map(String::from),
            ..Default::default()
        }
    }

    #[test]
    fn our_note_is_found_by_text_time_and_author() {
        let t0 = Utc.with_ymd_and_hms(2025, 5, 1, 12, 0, 0).unwrap();
        let typed = t0 - Duration::hours(3);
        let notes = vec![
            // The same words an hour earlier: someone else's day, not our attempt.
            note(
                1,
                "<p>Rebooted the printer</p>",
                t0 - Duration::hours(1),
                Some("me@x"),
            ),
            note(2, "<p>Other text</p>", t0, Some("me@x")),
            note(
                3,
                "<p>Rebooted   the printer</p>",
                t0 + Duration::seconds(5),
                Some("other@x"),
            ),
        ];
        let find = |notes: &[Note]| {
            find_note(notes, "Rebooted the printer", true, typed, t0, Some("ME@x")).map(|n| n.id)
        };
        assert_eq!(find(&notes), None);
        let mut with_ours = notes.clone();
        with_ours.push(note(
            4,
            "<p>Rebooted the printer</p>",
            t0 + Duration::seconds(2),
            Some("me@x"),
        ));
        assert_eq!(find(&with_ours), Some(4));
        // Dated with our note date (a server that keeps NoteDate as the creation time).
        let mut dated = notes.clone();
        dated.push(note(5, "Rebooted the printer", typed, None));
        assert_eq!(find(&dated), Some(5));
        // Visibility must match.
        let mut external = notes;
        let mut n = note(6, "Rebooted the printer", t0, Some("me@x"));
        n.is_internal = Some(false);
        external.push(n);
        assert_eq!(find(&external), None);
    }

    #[test]
    fn text_is_compared_as_read() {
        assert!(same_text("<p>a &amp; b</p>", "a & b"));
        assert!(same_text("<p>one</p><p>two</p>", "one\ntwo"));
        assert!(!same_text("one", "one two"));
    }
}
