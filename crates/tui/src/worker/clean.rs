//! Everything a server sends is made safe to draw here, before the model sees it: every
//! text field of tickets, contacts, time logs, lookups and write results goes through
//! [`bmsdesk_core::text`]'s sanitizer (escape sequences, controls, bidi and other format
//! characters dropped), notes and details are turned from HTML into terminal text.

use super::super::protocol::{DetailData, NoteView};
use bmsdesk_core::actions::WriteResult;
use bmsdesk_core::error::ApiError;
use bmsdesk_core::model::{Contact, LookupItem, Note, Ticket, TicketRow, TimeLog};
use bmsdesk_core::text::html;
use bmsdesk_core::text::{
    sanitize_in_place, sanitize_line, sanitize_name, sanitize_opt, sanitize_text,
};
use chrono::{DateTime, Utc};

impl DetailData {
    /// Made safe to draw from what the API gave (or the disk copy of it).
    pub(super) fn build(
        mut ticket: Ticket,
        notes: Result<Vec<Note>, String>,
        time_logs: Result<Vec<TimeLog>, String>,
        fetched_at: DateTime<Utc>,
        offline_copy: bool,
    ) -> DetailData {
        clean_ticket(&mut ticket);
        let details_text = html::to_text(ticket.details.as_deref().unwrap_or(""));
        let (notes, notes_error) = match notes {
            Ok(ns) => {
                let mut ns: Vec<NoteView> = ns.iter().map(NoteView::from_note).collect();
                // Newest first: the note a technician just wrote (or is reading up on before a
                // call) is at the top of the thread, not below a screenful of history. Undated
                // notes go last; the sort is stable, so the server's order breaks ties.
                ns.sort_by_key(|n| std::cmp::Reverse(n.created_on));
                (ns, None)
            }
            Err(e) => (Vec::new(), Some(e)),
        };
        let (time_logs, time_error) = match time_logs {
            Ok(mut ls) => {
                for l in &mut ls {
                    clean_time_log(l);
                }
                (ls, None)
            }
            Err(e) => (Vec::new(), Some(e)),
        };
        DetailData {
            ticket,
            details_text,
            notes,
            notes_error,
            time_logs,
            time_error,
            fetched_at,
            offline_copy,
        }
    }
}

pub fn err_text(e: &ApiError) -> String {
    sanitize_line(&e.to_string())
}

pub fn clean_row(r: &mut TicketRow) {
    sanitize_in_place(&mut r.ticket_number);
    sanitize_in_place(&mut r.title);
    for s in [
        &mut r.account_name,
        &mut r.account_code,
        &mut r.location_name,
        &mut r.contact_name,
        &mut r.queue_name,
        &mut r.status_name,
        &mut r.priority_name,
        &mut r.type_name,
        &mut r.issue_type_name,
        &mut r.assignee_name,
        &mut r.sla_name,
        &mut r.created_by_name,
    ] {
        sanitize_name(s);
    }
}

pub fn clean_ticket(t: &mut Ticket) {
    clean_row(&mut t.row);
    for s in [
        &mut t.source_name,
        &mut t.contact_phone,
        &mut t.contact_email,
        &mut t.location_phone,
        &mut t.work_type_name,
    ] {
        sanitize_opt(s);
    }
}

pub fn clean_contact(c: &mut Contact) {
    sanitize_in_place(&mut c.name);
    for s in [&mut c.location_name, &mut c.phone, &mut c.email_address] {
        sanitize_opt(s);
    }
}

pub(super) fn clean_time_log(l: &mut TimeLog) {
    sanitize_opt(&mut l.employee_name);
    sanitize_opt(&mut l.work_type_name);
    sanitize_opt(&mut l.role_name);
    if let Some(n) = l.notes.as_mut() {
        *n = sanitize_text(n);
    }
}

pub(super) fn clean_lookup(items: &mut [LookupItem]) {
    for i in items {
        i.name = sanitize_line(&i.name);
        sanitize_opt(&mut i.email_address);
        sanitize_opt(&mut i.job_title);
    }
}

/// Sanitizes what a write gave back.
pub(super) fn clean_result(r: WriteResult) -> WriteResult {
    match r {
        WriteResult::Ticket(mut t) => {
            clean_ticket(&mut t);
            WriteResult::Ticket(t)
        }
        WriteResult::TimeLog(mut l) => {
            clean_time_log(&mut l);
            WriteResult::TimeLog(l)
        }
        other => other,
    }
}

#[cfg(test)]
mod detail_tests {
    use super::*;

    #[test]
    pub(super) fn the_thread_is_newest_first_with_undated_notes_last() {
        let at = |m: i64| Some(bmsdesk_core::clock::now() - chrono::Duration::minutes(m));
        let note = |id, created_on| Note {
            id,
            details: format!("note {id}"),
            created_on,
            ..Default::default()
        };
        let notes = vec![
            note(1, at(90)),
            note(2, None),
            note(3, at(5)),
            note(4, at(30)),
        ];
        let d = DetailData::build(
            Ticket::default(),
            Ok(notes),
            Ok(Vec::new()),
            bmsdesk_core::clock::now(),
            false,
        );
        let ids: Vec<_> = d.notes.iter().map(|n| n.id).collect();
        assert_eq!(ids, [3, 4, 1, 2]);
    }
}

#[cfg(test)]
mod sanitize_tests {
    use super::*;

    const HOSTILE: &str = "A\x1b[2J\u{9b}1m\u{202e}B\u{200d}\u{feff}\u{e0041}C\u{7f}";

    pub(super) fn strings(v: &serde_json::Value, out: &mut Vec<String>) {
        match v {
            serde_json::Value::String(s) => out.push(s.clone()),
            serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
            serde_json::Value::Object(m) => m.values().for_each(|x| strings(x, out)),
            _ => {}
        }
    }

    /// Every text field of a ticket a hostile server sends is clean once the worker has it.
    #[test]
    pub(super) fn a_hostile_ticket_is_clean_before_the_model_stores_it() {
        let keys = [
            "ticketNumber",
            "title",
            "accountName",
            "accountCode",
            "locationName",
            "contactName",
            "queueName",
            "statusName",
            "priorityName",
            "typeName",
            "issueTypeName",
            "assigneeName",
            "slaName",
            "createdByName",
            "sourceName",
            "contactPhone",
            "contactEmail",
            "locationPhone",
            "workTypeName",
        ];
        let wire: serde_json::Map<String, serde_json::Value> = keys
            .iter()
            .map(|k| (k.to_string(), serde_json::Value::from(HOSTILE)))
            .chain([("id".to_string(), serde_json::Value::from(1))])
            .collect();
        let mut t: Ticket = serde_json::from_value(serde_json::Value::Object(wire)).unwrap();
        clean_ticket(&mut t);
        let mut seen = Vec::new();
        strings(&serde_json::to_value(&t).unwrap(), &mut seen);
        assert!(
            seen.iter().filter(|s| s.as_str() == "ABC").count() >= keys.len(),
            "{seen:?}"
        );
        for s in seen {
            assert!(!s.chars().any(bmsdesk_core::text::is_forbidden), "{s:?}");
        }
    }
}
