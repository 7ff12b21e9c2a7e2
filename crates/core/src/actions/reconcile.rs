//! Sending one write so that it lands exactly once, although BMS has no idempotency keys.
//!
//! The client resends a write only when the server cannot have acted (see
//! [`crate::retry`]). When a write was sent and no usable answer came back (the link
//! dropped, the reply timed out or was cut off, a 5xx), its outcome is unknown. Then, before
//! anything is sent again, the server is asked what happened.
//!
//! What identifies a write's result on the server: just before every attempt, what the server
//! holds where the write adds something is recorded (its [`Baseline`]: the ticket's note or
//! time-log ids, the ids of tickets a create's search finds, plus what this profile's own
//! recent writes created), durably with the attempt. The check then takes only something
//! *new* for the write's result:
//!
//! * note add / assign: a note not in the baseline, with the same text and visibility, not
//!   written by someone else (assigning always writes its note: that note is the evidence);
//! * ticket create: a ticket not in the baseline with the same title and account;
//! * time log: an entry not in the baseline with the same date, times and text;
//! * delete: a 404 on re-read means done;
//! * replace (patch, note update): sending it again has the same effect, no check needed.
//!
//! So two identical notes written back to back are two notes, whatever fails. The server's
//! reads may lag behind its writes: "not there" counts only once asked at least
//! [`RetryPolicy::check_window`] after the attempt (the check is repeated with backoff until
//! then). Times in the server's terms (a create's "created since" search) come from its clock
//! as its `Date` header tells ([`Client::server_time`]).
//!
//! If ours is there, that is the result; if it is not, it is sent again (bounded by
//! [`RetryPolicy::write_rounds`]); if the server cannot be asked, the outcome stays unknown
//! and the caller keeps the write (the outbox) with `maybe_sent` set, so the check runs first
//! next time, in this process or another one after a crash.

use std::time::Duration as StdDuration;

use chrono::{DateTime, Duration, Utc};

use crate::model::{Id, Note, TicketFilter, TicketInput, TimeLog};
use crate::ops::{WriteOp, WriteResult};
use crate::psa::Psa;
use crate::retry::{Delivery, RetryPolicy, delivery};
pub use crate::send_state::{Baseline, Scope, SendState};
use crate::text::html;
use crate::{error::ApiError, error::ApiResult};

/// For a write without a baseline (stored by an older bmsdesk, or sent by another process):
/// how far before its first attempt a server-side timestamp may be and still be ours.
pub const CLOCK_SLACK_SECS: i64 = 120;

/// How far back (server clock) a create's search looks for tickets like it.
const CREATE_LOOKBACK: Duration = Duration::minutes(10);
/// The same while the server's clock is not known yet (no reply with a `Date` so far).
const CREATE_LOOKBACK_BLIND: Duration = Duration::days(1);

/// Sends `op` until it is known to have landed once, or until it is known not to have (the
/// error is then returned with `state.maybe_sent` telling whether a check is still owed).
/// `ours`: ids this profile's earlier writes created in the write's [`Scope`], never to be
/// taken for this one's result (they may not show in the server's lists yet).
/// `before_send` runs before every attempt with the updated state, so the outbox can record
/// "maybe sent" and the baseline durably first; if it fails, nothing is sent.
pub async fn perform<F>(
    client: &dyn Psa,
    op: &WriteOp,
    state: &mut SendState,
    ours: &[Id],
    mut before_send: F,
) -> ApiResult<WriteResult>
where
    F: FnMut(&SendState) -> std::io::Result<()>,
{
    let policy = client.retry_policy().clone();
    let mut rounds = 0u32;
    loop {
        if state.maybe_sent && needs_check(op) {
            // Cannot tell (the check failed): the outcome stays unknown. A 404 here means
            // the ticket is gone and the write cannot land any more.
            if let Some(found) = settle(client, op, state, &policy).await? {
                tracing::info!(
                    command = op.command(),
                    "an earlier attempt had landed; not sending again"
                );
                return Ok(found);
            }
        }
        // Nothing of ours is on the server now (nothing was sent, or the check just said
        // so): whatever is there is someone else's, and a later check must not take it.
        state.baseline = take_baseline(client, op, ours).await?;
        let before = state.clone();
        let now = crate::clock::now();
        state.attempts += 1;
        state.maybe_sent = true;
        state.sent_at.get_or_insert(now);
        state.unsure_since = Some(now);
        if let Err(e) = before_send(state) {
            *state = before;
            return Err(ApiError::Config(format!(
                "cannot record the write in the outbox, so it was not sent: {e}"
            )));
        }
        let err = match op.execute(client).await {
            Ok(result) => return Ok(result),
            Err(e) => e,
        };
        let forget_attempt = |state: &mut SendState| {
            state.maybe_sent = before.maybe_sent;
            state.sent_at = before.sent_at;
            state.unsure_since = before.unsure_since;
        };
        match delivery(&err) {
            Delivery::NotApplied => {
                // This attempt did nothing; an earlier one still may have.
                forget_attempt(state);
                return Err(err);
            }
            Delivery::Rejected => {
                if op.is_delete() && matches!(err, ApiError::NotFound(_)) && before.maybe_sent {
                    return Ok(WriteResult::Done);
                }
                forget_attempt(state);
                return Err(err);
            }
            Delivery::Unknown => {
                // The server may have acted until now: its reads may lag from here.
                state.unsure_since = Some(crate::clock::now());
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

/// Whether a write whose outcome is unknown must be looked for before it is sent again
/// (anything but a replace: sending that again is its own check).
fn needs_check(op: &WriteOp) -> bool {
    !op.is_idempotent() || op.is_delete()
}

/// Asks the server whether `op` landed, again and again (with backoff) until a "no" can be
/// trusted ([`recheck_in`]).
async fn settle(
    client: &dyn Psa,
    op: &WriteOp,
    state: &SendState,
    policy: &RetryPolicy,
) -> ApiResult<Option<WriteResult>> {
    let since = state.sent_at.unwrap_or_else(crate::clock::now);
    let mut round = 0u32;
    loop {
        let asked_at = crate::clock::now();
        if let Some(found) = find_applied(client, op, state.baseline.as_ref(), since).await? {
            return Ok(Some(found));
        }
        match recheck_in(state, policy, asked_at, crate::clock::now(), round) {
            Some(wait) => {
                tracing::debug!(
                    command = op.command(),
                    ?wait,
                    "not visible yet; asking again"
                );
                tokio::time::sleep(wait).await;
                round += 1;
            }
            None => return Ok(None),
        }
    }
}

/// After the server said "not there" to a question asked at `asked_at`: how long to wait
/// before asking again, or `None` when the answer can be trusted — it was asked at least
/// [`RetryPolicy::check_window`] after the last attempt that may have reached the server
/// (`state.unsure_since`), so a lagging read would show the write by then.
pub fn recheck_in(
    state: &SendState,
    policy: &RetryPolicy,
    asked_at: DateTime<Utc>,
    now: DateTime<Utc>,
    round: u32,
) -> Option<StdDuration> {
    let from = state.unsure_since.or(state.sent_at)?;
    let trusted_from = from + Duration::from_std(policy.check_window).ok()?;
    if asked_at >= trusted_from {
        return None;
    }
    let left = (trusted_from - now).to_std().unwrap_or(StdDuration::ZERO);
    // At most about ten questions per window, however short the backoff's first steps.
    let step = policy.backoff(round, None).max(policy.check_window / 10);
    Some(step.min(left))
}

/// The ticket search a create's baseline and checks ask: same title and account, created
/// since `from` (server clock).
fn create_search(input: &TicketInput, from: DateTime<Utc>) -> TicketFilter {
    TicketFilter {
        title: Some(input.title.clone()),
        account_ids: Some(input.account_id.to_string()),
        created_on_from: Some(from),
        exclude_completed: 0,
        ..Default::default()
    }
}

/// What the server holds where `op` adds something, plus `ours` (see [`perform`]); `None`
/// for a write that adds nothing.
pub async fn take_baseline(
    client: &dyn Psa,
    op: &WriteOp,
    ours: &[Id],
) -> ApiResult<Option<Baseline>> {
    let mut b = Baseline::default();
    match (Scope::of(op), op) {
        (Some(Scope::Notes(t)), _) => b.ids = client.notes(t).await?.iter().map(|n| n.id).collect(),
        (Some(Scope::TimeLogs(t)), _) => {
            b.ids = client.time_logs(t).await?.iter().map(|l| l.id).collect()
        }
        (Some(Scope::Tickets), WriteOp::CreateTicket { input }) => {
            let lookback = if client.server_offset().is_some() {
                CREATE_LOOKBACK
            } else {
                CREATE_LOOKBACK_BLIND
            };
            let from = client.server_time(crate::clock::now()) - lookback;
            let rows = client.search_tickets(&create_search(input, from)).await?;
            b.ids = rows.iter().map(|r| r.id).collect();
            b.created_from = Some(from);
        }
        _ => return Ok(None),
    }
    b.ids.extend(ours.iter().copied());
    Ok(Some(b))
}

/// What makes something on the server new enough to be a write's result.
#[derive(Debug, Clone, Copy)]
pub enum Fresh<'a> {
    /// It was not there before the write's first attempt.
    NotIn(&'a Baseline),
    /// Without a baseline: dated since this time (server clock) less [`CLOCK_SLACK_SECS`],
    /// as each kind of thing is dated.
    Since(DateTime<Utc>),
}

impl Fresh<'_> {
    /// Whether `id` may be ours; `dated_since` decides for [`Fresh::Since`] given its bound.
    fn admits(&self, id: Id, dated_since: impl FnOnce(DateTime<Utc>) -> bool) -> bool {
        match self {
            Fresh::NotIn(b) => b.is_new(id),
            Fresh::Since(t) => dated_since(*t - Duration::seconds(CLOCK_SLACK_SECS)),
        }
    }
}

/// The result of `op` if the server shows it was carried out by one of its attempts; `None`
/// if it shows it was not (sending it again is then safe). `baseline`: what was there before
/// the first attempt; without one, what is dated since `since` (local clock) counts.
pub async fn find_applied(
    client: &dyn Psa,
    op: &WriteOp,
    baseline: Option<&Baseline>,
    since: DateTime<Utc>,
) -> ApiResult<Option<WriteResult>> {
    let sign_in = client.signed_in_username().await;
    let me = Author {
        user_id: client.user_id().await,
        sign_in: sign_in.as_deref(),
    };
    let since = client.server_time(since);
    let fresh = baseline.map_or(Fresh::Since(since), Fresh::NotIn);
    match op {
        WriteOp::AddNote { ticket_id, input } => {
            let notes = client.notes(*ticket_id).await?;
            Ok(find_note(
                &notes,
                &input.details,
                input.is_internal,
                input.note_date,
                fresh,
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
                fresh,
                me,
            )
            .map(|_| WriteResult::Done))
        }
        WriteOp::CreateTicket { input } => {
            let from = baseline
                .and_then(|b| b.created_from)
                .unwrap_or(since - CREATE_LOOKBACK);
            let rows = client.search_tickets(&create_search(input, from)).await?;
            let found = rows
                .iter()
                .filter(|r| {
                    r.title.trim() == input.title.trim()
                        && r.account_id == Some(input.account_id)
                        && fresh.admits(r.id, |slack| {
                            r.created_on.is_some_and(|c| c >= slack)
                                || (r.created_on.is_none()
                                    && same_second(r.open_date, input.open_date))
                        })
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
            // Time logs carry no creation time: without a baseline any match counts.
            Ok(logs
                .into_iter()
                .rev()
                .find(|l| fresh.admits(l.id, |_| true) && same_time_log(l, input))
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

/// Who this profile writes as, to tell its notes from others'.
#[derive(Debug, Clone, Copy, Default)]
pub struct Author<'a> {
    /// `userinfo`'s `UserId`, when known.
    pub user_id: Option<Id>,
    /// The sign-in user name (`api`, `powerbi`, or an email).
    pub sign_in: Option<&'a str>,
}

impl Author<'_> {
    /// Whether `n` may be this author's. By user id when both sides carry one (a note's
    /// `CreatedBy`: see `guesses`); else by email, only when the sign-in name is one (an API
    /// user signs in as `api` and writes as its email); else it cannot be told, and the
    /// note may be ours.
    pub fn may_have_written(&self, n: &Note) -> bool {
        if let (Some(me), Some(by)) = (self.user_id, n.created_by) {
            return me == by;
        }
        match (
            self.sign_in.filter(|s| s.contains('@')),
            n.created_by_email.as_deref(),
        ) {
            (Some(me), Some(by)) => me.trim().eq_ignore_ascii_case(by.trim()),
            _ => true,
        }
    }
}

/// The newest note that is ours: [`Fresh`], same text and visibility, not someone else's
/// ([`Author::may_have_written`]). Without a baseline it must be created since the first
/// attempt or carry exactly our note date; a note without a creation time is then never
/// taken as ours (a duplicate is better than a lost note).
pub fn find_note<'a>(
    notes: &'a [Note],
    details: &str,
    is_internal: bool,
    note_date: DateTime<Utc>,
    fresh: Fresh<'_>,
    me: Author<'_>,
) -> Option<&'a Note> {
    notes.iter().rev().find(|n| {
        let mine = me.may_have_written(n);
        let new = fresh.admits(n.id, |slack| {
            n.created_on
                .is_some_and(|c| c >= slack || same_second(Some(c), note_date))
        });
        mine && new
            && n.is_internal.unwrap_or(is_internal) == is_internal
            && same_text(&n.details, details)
    })
}

fn hhmm(s: &str) -> String {
    s.trim().chars().take(5).collect()
}

fn same_time_log(l: &TimeLog, input: &crate::model::TimeLogInput) -> bool {
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

    fn by_email(sign_in: &str) -> Author<'_> {
        Author {
            user_id: None,
            sign_in: Some(sign_in),
        }
    }

    #[test]
    fn a_note_is_ours_by_user_id_whatever_the_sign_in_name() {
        let t0 = Utc.with_ymd_and_hms(2026, 1, 5, 9, 0, 0).unwrap();
        let by = |id, created_by: Option<Id>, email: &str| Note {
            created_by,
            ..note(id, "<p>Reset the password</p>", t0, Some(email))
        };
        let api = Author {
            user_id: Some(7),
            sign_in: Some("api"),
        };
        let find = |notes: &[Note], me: Author<'_>| {
            find_note(notes, "Reset the password", true, t0, Fresh::Since(t0), me).map(|n| n.id)
        };
        // Signed in as `api`, the note carries the user's email: ours by id.
        let notes = vec![by(1, Some(7), "robot@acme.example")];
        assert_eq!(find(&notes, api), Some(1));
        // Another user's note with the same words is not, whatever its email.
        let others = vec![by(2, Some(8), "api")];
        assert_eq!(find(&others, api), None);
        // No user id known: a sign-in name that is not an email cannot rule a note out...
        let no_id = Author {
            user_id: None,
            ..api
        };
        assert_eq!(find(&notes, no_id), Some(1));
        // ...and one that is an email still can.
        assert_eq!(find(&notes, by_email("me@acme.example")), None);
    }

    #[test]
    fn with_a_baseline_only_a_new_note_is_ours_whatever_its_date() {
        let t0 = Utc.with_ymd_and_hms(2026, 12, 4, 8, 0, 0).unwrap();
        // The same words, same author, same note date: the first was there before.
        let notes = vec![
            note(1, "<p>Left voicemail</p>", t0, Some("me@x")),
            note(
                2,
                "<p>Left voicemail</p>",
                t0 - Duration::hours(5),
                Some("me@x"),
            ),
        ];
        let before = Baseline {
            ids: [1].into(),
            created_from: None,
        };
        let find = |b: &Baseline| {
            find_note(
                &notes,
                "Left voicemail",
                true,
                t0,
                Fresh::NotIn(b),
                by_email("me@x"),
            )
            .map(|n| n.id)
        };
        // Note 2 is new (its clock-skewed date does not matter); note 1 is never ours.
        assert_eq!(find(&before), Some(2));
        let both = Baseline {
            ids: [1, 2].into(),
            created_from: None,
        };
        assert_eq!(find(&both), None);
    }

    #[test]
    fn a_no_counts_only_once_asked_a_window_after_the_attempt() {
        let t0 = Utc.with_ymd_and_hms(2026, 3, 29, 0, 59, 50).unwrap();
        let policy = RetryPolicy {
            base: StdDuration::from_millis(100),
            check_window: StdDuration::from_secs(5),
            ..RetryPolicy::default()
        };
        let state = SendState {
            maybe_sent: true,
            sent_at: Some(t0 - Duration::seconds(30)),
            unsure_since: Some(t0),
            ..SendState::default()
        };
        let s = |secs| t0 + Duration::seconds(secs);
        let wait = recheck_in(&state, &policy, s(1), s(1), 0).unwrap();
        assert_eq!(
            wait,
            StdDuration::from_millis(500),
            "a tenth of the window at least"
        );
        // Never past the window's end.
        let late = recheck_in(&state, &policy, s(4), s(4), 10).unwrap();
        assert!(late <= StdDuration::from_secs(1), "{late:?}");
        assert_eq!(recheck_in(&state, &policy, s(5), s(5), 3), None);
        // Hours later (a restart): one answer is enough.
        assert_eq!(recheck_in(&state, &policy, s(7200), s(7200), 0), None);
        // An item of an older bmsdesk: from its first attempt.
        let old = SendState {
            unsure_since: None,
            ..state
        };
        assert_eq!(recheck_in(&old, &policy, s(-25), s(-25), 0), None);
        assert!(recheck_in(&old, &policy, s(-26), s(-26), 0).is_some());
    }

    #[test]
    fn without_a_baseline_our_note_is_found_by_text_time_and_author() {
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
            find_note(
                notes,
                "Rebooted the printer",
                true,
                typed,
                Fresh::Since(t0),
                by_email("ME@x"),
            )
            .map(|n| n.id)
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
