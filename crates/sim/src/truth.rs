//! The server's records in the client's types, for tests: `SimState::ticket`, `notes`,
//! `time_logs` and the benches' `generated_rows`. Tests compare what the client decoded
//! with these, so they speak the client's types.
//!
//! This is the one file of the simulator that names `bmsdesk_core::model`, and only to build
//! values by hand from the records, field by field: nothing here goes through the client's
//! serde (that would mirror a decoding mistake instead of catching it), and no reply is
//! built from it (replies are `super::wire` types, built in `super::view`). A source test
//! (`sim_source_test` below) keeps it that way. The values are the records themselves, not a
//! reply: no `null` drawn by `SimConfig::null_rate` is applied.

use std::sync::Arc;

pub use bmsdesk_core::model::{Note, Ticket, TicketRow, TimeLog};
use bmsdesk_core::name::Name;

use super::tenant::{NoteRec, Tenant, TicketRec, TimeLogRec};
use super::view::{resolve, user_name};

fn name(s: Option<String>) -> Option<Name> {
    s.map(|s| Arc::from(s.as_str()))
}

pub fn ticket_row(t: &Tenant, r: &TicketRec) -> TicketRow {
    let n = resolve(t, r);
    TicketRow {
        id: r.id,
        ticket_number: r.number.to_string(),
        title: r.title.to_string(),
        account_id: Some(r.account_id),
        account_name: name(n.account_name),
        account_code: name(n.account_code),
        location_id: Some(r.location_id),
        location_name: name(n.location_name),
        contact_id: r.contact_id,
        contact_name: name(n.contact_name),
        queue_id: r.queue_id,
        queue_name: name(n.queue_name),
        status_id: Some(r.status_id),
        status_name: name(n.status_name),
        priority_id: Some(r.priority_id),
        priority_name: name(n.priority_name),
        type_id: Some(r.type_id),
        type_name: name(n.type_name),
        issue_type_id: r.issue_type_id,
        issue_type_name: name(n.issue_type_name),
        source_id: Some(r.source_id),
        assignee_id: r.assignee_id,
        assignee_name: name(n.assignee_name),
        sla_id: r.sla_id,
        sla_name: name(n.sla_name),
        has_met_sla: r.has_met_sla(),
        is_sla_paused: Some(r.paused_since.is_some()),
        sla_last_paused_time: r.paused_since,
        sla_last_resumed_time: None,
        actual_pause_minutes: Some(r.paused_minutes),
        last_status_update: Some(r.last_status_update),
        open_date: Some(r.open_date),
        due_date: r.due_date,
        completed_date: r.completed,
        last_activity_update: Some(r.last_activity),
        first_response_target_time: Some(r.fr_target),
        first_response_actual_time: r.fr_actual,
        resolution_target_time: Some(r.res_target),
        resolution_actual_time: r.res_actual,
        created_on: Some(r.created_on),
        modified_on: Some(r.modified_on),
        created_by_name: name(n.created_by_name),
    }
}

pub fn ticket(t: &Tenant, r: &TicketRec) -> Ticket {
    let contact = r.contact_id.and_then(|c| t.contact(c));
    let hours = t.timelogs_of(r).iter().fold(0.0, |sum, l| sum + l.hours);
    Ticket {
        row: ticket_row(t, r),
        details: Some(t.details_of(r)),
        source_name: t.refs.source(r.source_id).map(|s| s.name.to_string()),
        contact_phone: contact.map(|c| c.phone.clone()),
        contact_email: contact.map(|c| c.email.clone()),
        location_phone: t.location(r.location_id).map(|l| l.phone.clone()),
        work_type_id: r.work_type_id,
        work_type_name: r
            .work_type_id
            .and_then(|w| t.refs.work_type(w))
            .map(|w| w.name.to_string()),
        total_time_spent: Some(hours),
    }
}

pub fn note(t: &Tenant, n: &NoteRec) -> Note {
    Note {
        id: n.id,
        details: n.details.clone(),
        is_internal: Some(n.is_internal),
        type_id: Some(n.type_id),
        type_name: t.refs.note_type(n.type_id).map(|x| x.name.to_string()),
        created_by_name: Some(n.author_name.clone()),
        created_by_email: n.author_email.clone(),
        created_by: n.created_by,
        created_on: Some(n.created_on),
        modified_on: Some(n.modified_on),
    }
}

pub fn time_log(t: &Tenant, l: &TimeLogRec) -> TimeLog {
    TimeLog {
        id: l.id,
        start_date: Some(l.start_date),
        start_time: Some(l.start_time.format("%H:%M:%S").to_string()),
        end_time: Some(l.end_time.format("%H:%M:%S").to_string()),
        timespent: Some(l.hours),
        notes: l.notes.clone(),
        internal_notes: l.internal_notes.clone(),
        user_id: Some(l.user_id),
        employee_name: user_name(t, l.user_id),
        work_type_id: Some(l.work_type_id),
        work_type_name: t.refs.work_type(l.work_type_id).map(|w| w.name.to_string()),
        role_id: Some(l.role_id),
        role_name: t.refs.role(l.role_id).map(|r| r.name.to_string()),
    }
}

#[cfg(test)]
mod sim_source_test {
    use std::path::Path;

    /// No reply of the simulator may be built from the desk's types: only this file
    /// (test-facing, hand-mapped) may name the core's `model`. (The BMS client crate is
    /// not a dependency at all: `crates/sim/Cargo.toml`.)
    #[test]
    fn only_truth_rs_names_the_clients_dtos() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut offenders = Vec::new();
        let mut stack = vec![dir.clone()];
        let mut seen = 0;
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).expect("src is readable") {
                let path = entry.expect("a directory entry").path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") || path.ends_with("truth.rs") {
                    continue;
                }
                seen += 1;
                let text = std::fs::read_to_string(&path).expect("a source file");
                if text.contains("core::model") || text.contains("crate::model") {
                    offenders.push(path.display().to_string());
                }
            }
        }
        assert!(seen > 10, "the walk found the simulator's sources ({seen})");
        assert!(
            offenders.is_empty(),
            "the simulator must not use the client's DTOs: {offenders:?}"
        );
    }
}
