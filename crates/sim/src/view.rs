//! Turns tenant records into the simulator's own reply types (`super::wire`, the spec's
//! schemas): names resolved from ids, times on the tenant's wall clock, flags as the spec
//! types them (`HasMetSLA` and `IsSLAPaused` are integers, `IsInternal` a boolean).

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use super::refdata::DEMO_USER_FULL_NAME;
use super::tenant::{NoteRec, Tenant, TicketRec, TimeLogRec};
use super::wire::{
    Stamp, TicketListDto, TicketNoteOutputDto, TicketOutputDto, TicketSLAInfoOutputDto,
    TicketTimeEntryOutputDto,
};

pub const TENANT_NAME: &str = "Demo MSP";

pub fn user_name(t: &Tenant, id: i64) -> Option<String> {
    t.refs.user(id).map(|u| u.name.clone())
}

fn s(v: &str) -> Option<String> {
    Some(v.to_string())
}

/// What a ticket's list row and its whole form share: the names and flags its ids stand for.
pub(crate) struct Resolved {
    pub account_name: Option<String>,
    pub account_code: Option<String>,
    pub location_name: Option<String>,
    pub contact_name: Option<String>,
    pub queue_name: Option<String>,
    pub status_name: Option<String>,
    pub status_color: Option<String>,
    pub status_fore_color: Option<String>,
    pub status_order: i64,
    pub priority_name: Option<String>,
    pub priority_color: Option<String>,
    pub type_name: Option<String>,
    pub issue_type_name: Option<String>,
    pub assignee_name: Option<String>,
    pub work_type_name: Option<String>,
    pub sla_name: Option<String>,
    pub is_scheduled: i64,
    pub first_response_minutes: Option<i64>,
    pub resolution_minutes: Option<i64>,
    pub created_by_name: Option<String>,
}

pub(crate) fn resolve(t: &Tenant, r: &TicketRec) -> Resolved {
    let refs = &t.refs;
    let account = t.account(r.account_id);
    let status = refs.status(r.status_id);
    let priority = refs.priority(r.priority_id);
    let minutes = |a: Option<DateTime<Utc>>| a.map(|a| (a - r.open_date).num_minutes());
    Resolved {
        account_name: account.map(|a| a.name.clone()),
        account_code: account.map(|a| a.code.clone()),
        location_name: t.location(r.location_id).and_then(|l| s(l.name)),
        contact_name: r.contact_id.and_then(|c| t.contact(c)).map(|c| c.name()),
        queue_name: r
            .queue_id
            .and_then(|q| refs.queue(q))
            .and_then(|q| s(q.name)),
        status_name: status.and_then(|x| s(x.name)),
        status_color: status.and_then(|x| s(x.color)),
        status_fore_color: status.and_then(|x| s(x.font_color)),
        status_order: status.map_or(0, |x| x.order),
        priority_name: priority.and_then(|p| s(p.name)),
        priority_color: priority.and_then(|p| s(p.color)),
        type_name: refs.ticket_type(r.type_id).and_then(|x| s(x.name)),
        issue_type_name: r
            .issue_type_id
            .and_then(|i| refs.issue_type(i))
            .and_then(|i| s(i.name)),
        assignee_name: r.assignee_id.and_then(|a| user_name(t, a)),
        work_type_name: r
            .work_type_id
            .and_then(|w| refs.work_type(w))
            .and_then(|w| s(w.name)),
        sla_name: r.sla_id.and_then(|x| refs.sla(x)).and_then(|x| s(x.name)),
        is_scheduled: i64::from(status.is_some_and(|x| x.name == "Scheduled")),
        first_response_minutes: minutes(r.fr_actual),
        resolution_minutes: minutes(r.res_actual),
        created_by_name: user_name(t, r.created_by),
    }
}

/// A search/list row (`TicketListDto`), `Details` included as the spec has it.
pub fn ticket_row(t: &Tenant, r: &TicketRec) -> TicketListDto {
    let n = resolve(t, r);
    TicketListDto {
        Id: r.id,
        CreatedBy: Some(r.created_by),
        CreatedOn: Some(t.stamp(r.created_on)),
        ModifiedBy: Some(r.modified_by),
        ModifiedOn: Some(t.stamp(r.modified_on)),
        TenantName: s(TENANT_NAME),
        TicketNumber: Some(r.number.to_string()),
        Title: Some(r.title.to_string()),
        Details: Some(t.details_of(r)),
        AccountId: Some(r.account_id),
        LocationId: Some(r.location_id),
        AccountCode: n.account_code,
        AccountName: n.account_name,
        LocationName: n.location_name,
        ContactId: r.contact_id,
        ContactName: n.contact_name,
        QueueId: r.queue_id,
        QueueName: n.queue_name,
        StatusId: r.status_id,
        StatusName: n.status_name,
        StatusColor: n.status_color,
        StatusForeColor: n.status_fore_color,
        StatusOrder: n.status_order,
        PriorityId: r.priority_id,
        PriorityName: n.priority_name,
        PriorityColor: n.priority_color,
        TypeId: Some(r.type_id),
        TypeName: n.type_name,
        IssueTypeId: r.issue_type_id,
        IssueTypeName: n.issue_type_name,
        AssigneeId: r.assignee_id,
        AssigneeName: n.assignee_name,
        WorkTypeId: r.work_type_id,
        WorkTypeName: n.work_type_name,
        SourceId: Some(r.source_id),
        SLAId: r.sla_id,
        SLAName: n.sla_name,
        IsScheduled: n.is_scheduled,
        HasMetSLA: r.has_met_sla().map(i64::from),
        ActualPauseMinutes: Some(r.paused_minutes),
        ActualFirstResponseMinutes: n.first_response_minutes,
        ActualResolutionMinutes: n.resolution_minutes,
        IsSLAPaused: Some(i64::from(r.paused_since.is_some())),
        OpenDate: Some(t.stamp(r.open_date)),
        DueDate: t.stamp_opt(r.due_date),
        CompletedDate: t.stamp_opt(r.completed),
        ReOpenedDate: t.stamp_opt(r.reopened),
        LastActivityUpdate: Some(t.stamp(r.last_activity)),
        ResolutionTargetTime: Some(t.stamp(r.res_target)),
        ResolutionActualTime: t.stamp_opt(r.res_actual),
        FirstResponseTargetTime: Some(t.stamp(r.fr_target)),
        FirstResponseActualTime: t.stamp_opt(r.fr_actual),
        SLALastPausedTime: t.stamp_opt(r.paused_since),
        LastStatusUpdate: Some(t.stamp(r.last_status_update)),
        CreatedByName: n.created_by_name,
        ..TicketListDto::default()
    }
}

/// A whole ticket (`TicketOutputDto`).
pub fn ticket_full(t: &Tenant, r: &TicketRec) -> TicketOutputDto {
    let n = resolve(t, r);
    let contact = r.contact_id.and_then(|c| t.contact(c));
    let hours = t.timelogs_of(r).iter().fold(0.0, |sum, l| sum + l.hours);
    TicketOutputDto {
        Id: r.id,
        CreatedBy: Some(r.created_by),
        CreatedOn: Some(t.stamp(r.created_on)),
        ModifiedBy: Some(r.modified_by),
        ModifiedOn: Some(t.stamp(r.modified_on)),
        TicketNumber: Some(r.number.to_string()),
        Title: Some(r.title.to_string()),
        Details: Some(t.details_of(r)),
        AccountId: Some(r.account_id),
        AccountCode: n.account_code,
        AccountName: n.account_name,
        LocationId: Some(r.location_id),
        LocationName: n.location_name,
        LocationPhone: t.location(r.location_id).map(|l| l.phone.clone()),
        ContactId: r.contact_id,
        ContactName: n.contact_name,
        ContactPhone: contact.map(|c| c.phone.clone()),
        ContactEmail: contact.map(|c| c.email.clone()),
        HasVsaAgent: Some(0),
        StatusId: r.status_id,
        StatusName: n.status_name,
        StatusColor: n.status_color,
        StatusForeColor: n.status_fore_color,
        StatusOrder: n.status_order,
        PriorityId: r.priority_id,
        PriorityName: n.priority_name,
        PriorityColor: n.priority_color,
        TypeId: Some(r.type_id),
        TypeName: n.type_name,
        IssueTypeId: r.issue_type_id,
        IssueTypeName: n.issue_type_name,
        WorkTypeId: r.work_type_id,
        WorkTypeName: n.work_type_name,
        SourceId: Some(r.source_id),
        SourceName: t.refs.source(r.source_id).and_then(|x| s(x.name)),
        OpenDate: Some(t.stamp(r.open_date)),
        DueDate: t.stamp_opt(r.due_date),
        CompletedDate: t.stamp_opt(r.completed),
        LastActivityUpdate: Some(t.stamp(r.last_activity)),
        LastStatusUpdate: Some(t.stamp(r.last_status_update)),
        CCs: Some(Vec::new()),
        SLAName: n.sla_name,
        HasMetSLA: r.has_met_sla().map(i64::from),
        FirstResponseTargetTime: Some(t.stamp(r.fr_target)),
        FirstResponseActualTime: t.stamp_opt(r.fr_actual),
        ResolutionActualTime: t.stamp_opt(r.res_actual),
        ResolutionTargetTime: Some(t.stamp(r.res_target)),
        TenantId: super::refdata::TENANT_ID,
        QueueId: r.queue_id,
        QueueName: n.queue_name,
        AssigneeId: r.assignee_id,
        AssigneeName: n.assignee_name,
        SLAId: r.sla_id,
        IsScheduled: n.is_scheduled,
        ActualPauseMinutes: Some(r.paused_minutes),
        ActualFirstResponseMinutes: n.first_response_minutes,
        ActualResolutionMinutes: n.resolution_minutes,
        IsSLAPaused: Some(i64::from(r.paused_since.is_some())),
        ReOpenedDate: t.stamp_opt(r.reopened),
        SLALastPausedTime: t.stamp_opt(r.paused_since),
        HasPostedEntries: false,
        SecondaryAssignees: Some(Vec::new()),
        CreatedByName: n.created_by_name,
        TotalTimeSpent: Some(hours),
        IsReadOnly: false,
        OpenDateLocked: false,
        ..TicketOutputDto::default()
    }
}

pub fn note(t: &Tenant, n: &NoteRec) -> TicketNoteOutputDto {
    TicketNoteOutputDto {
        Id: n.id,
        CreatedBy: n.created_by,
        CreatedOn: Some(t.stamp(n.created_on)),
        ModifiedBy: None,
        ModifiedOn: Some(t.stamp(n.modified_on)),
        Details: Some(n.details.clone()),
        IsInternal: n.is_internal,
        TypeId: Some(n.type_id),
        TypeName: t.refs.note_type(n.type_id).and_then(|x| s(x.name)),
        CreatedByName: Some(n.author_name.clone()),
        CreatedByEmail: n.author_email.clone(),
        ModifiedByName: n.modified_by_name.clone(),
        Attachments: Some(Vec::new()),
    }
}

fn midnight(d: NaiveDate) -> Stamp {
    Stamp(d.and_hms_opt(0, 0, 0).unwrap_or_default())
}

pub fn timelog(t: &Tenant, l: &TimeLogRec) -> TicketTimeEntryOutputDto {
    let monday =
        l.start_date - Duration::days(i64::from(l.start_date.weekday().num_days_from_monday()));
    TicketTimeEntryOutputDto {
        Id: l.id,
        CreatedBy: Some(l.user_id),
        CreatedOn: Some(t.stamp(l.created_on)),
        ModifiedBy: None,
        ModifiedOn: None,
        StartDate: Some(midnight(l.start_date)),
        StartTime: Some(l.start_time.format("%H:%M:%S").to_string()),
        EndTime: Some(l.end_time.format("%H:%M:%S").to_string()),
        Timespent: Some(l.hours),
        Notes: l.notes.clone(),
        UserId: l.user_id,
        InternalNotes: l.internal_notes.clone(),
        Approved: false,
        Billed: false,
        Posted: false,
        WorkTypeId: Some(l.work_type_id),
        RoleId: Some(l.role_id),
        EmployeeName: user_name(t, l.user_id),
        TimeSpentBy: user_name(t, l.user_id),
        WorkTypeName: t.refs.work_type(l.work_type_id).and_then(|w| s(w.name)),
        RoleName: t.refs.role(l.role_id).and_then(|r| s(r.name)),
        WeekStart: midnight(monday),
        WeekEnd: midnight(monday + Duration::days(6)),
        CustomFields: Some(Vec::new()),
    }
}

/// `GET …/slainfo`, in minutes. Stage: 0 awaiting first response, 1 awaiting resolution,
/// 2 paused (waiting), 3 resolved.
pub fn sla_info(t: &Tenant, r: &TicketRec, now: DateTime<Utc>) -> TicketSLAInfoOutputDto {
    let (respond_goal, resolve_goal) = t.refs.goals(r.priority_id, r.sla_id);
    let paused_now = r.paused_since.map_or(0, |p| (now - p).num_minutes().max(0));
    let respond_actual = (r.fr_actual.unwrap_or(now) - r.open_date).num_minutes();
    let resolve_actual =
        (r.res_actual.unwrap_or(now) - r.open_date).num_minutes() - r.paused_minutes - paused_now;
    let stage = if r.completed.is_some() {
        3
    } else if r.paused_since.is_some() {
        2
    } else if r.fr_actual.is_none() {
        0
    } else {
        1
    };
    let priority = t.refs.priority(r.priority_id);
    TicketSLAInfoOutputDto {
        SlaStage: stage,
        SlaName: r.sla_id.and_then(|x| t.refs.sla(x)).and_then(|x| s(x.name)),
        TicketPriorityName: priority.and_then(|p| s(p.name)),
        TicketPriorityColor: priority.and_then(|p| s(p.color)),
        RespondGoal: respond_goal as f64,
        RespondActual: respond_actual as f64,
        RespondRemaining: (respond_goal - respond_actual) as f64,
        ResolveGoal: resolve_goal as f64,
        ResolveActual: resolve_actual as f64,
        ResolveRemaining: (resolve_goal - resolve_actual) as f64,
        WaitingActual: (r.paused_minutes + paused_now) as f64,
        ReopenActual: 0.0,
        TimeTotalGoal: resolve_goal as f64,
        TimeTotalActual: resolve_actual as f64,
        TimeTotalRemaining: (resolve_goal - resolve_actual) as f64,
    }
}

/// Placeholders of note templates, expanded for one ticket.
pub fn expand_note_template(t: &Tenant, r: &TicketRec, body: &str, user_id: i64) -> String {
    use super::generate::html_escape;
    let contact = r.contact_id.and_then(|c| t.contact(c));
    let pairs = [
        ("{{TicketNumber}}", r.number.to_string()),
        ("{{TicketTitle}}", html_escape(&r.title)),
        (
            "{{ContactName}}",
            html_escape(&contact.map_or_else(|| "Customer".into(), |c| c.name())),
        ),
        (
            "{{ContactFirstName}}",
            html_escape(contact.map_or("there", |c| c.first)),
        ),
        (
            "{{AccountName}}",
            html_escape(t.account(r.account_id).map_or("", |a| a.name.as_str())),
        ),
        (
            "{{AssigneeName}}",
            html_escape(
                &r.assignee_id
                    .and_then(|a| user_name(t, a))
                    .unwrap_or_else(|| "Unassigned".into()),
            ),
        ),
        (
            "{{UserName}}",
            html_escape(&user_name(t, user_id).unwrap_or_else(|| DEMO_USER_FULL_NAME.into())),
        ),
    ];
    let mut out = body.to_string();
    for (k, v) in pairs {
        out = out.replace(k, &v);
    }
    out
}
