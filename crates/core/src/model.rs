//! Wire DTOs of the BMS v2 API (field names from the spec, `shared/bms-api.md`).
//!
//! Output types deserialize from the normalised (.NET camelCase) keys produced by
//! `bmsdesk_bms::envelope::decode` and serialize back to camelCase (the simulator sends them that way,
//! as the live server does). Input types serialize to the spec's PascalCase. Unknown keys are
//! ignored everywhere; missing ones default.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::name::{self, Name};
use crate::wire::{datetime, flexible_bool, opt_datetime, opt_day};

pub type Id = i64;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Account {
    pub id: Id,
    pub name: String,
    pub tenant_name: Option<String>,
    #[serde(deserialize_with = "flexible_bool::deserialize")]
    pub is_active: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Location {
    pub id: Id,
    pub name: String,
    pub account_id: Id,
    #[serde(deserialize_with = "flexible_bool::deserialize")]
    pub is_main: Option<bool>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Contact {
    pub id: Id,
    pub name: String,
    pub location_id: Option<Id>,
    pub location_name: Option<String>,
    pub phone: Option<String>,
    pub email_address: Option<String>,
}

/// One row of a lookup list (statuses, priorities, queues, types, sources, assignees...). The
/// endpoints share `{Id, Name}` and differ in a few optional extras, kept here together.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct LookupItem {
    pub id: Id,
    pub name: String,
    #[serde(
        deserialize_with = "flexible_bool::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_active: Option<bool>,
    #[serde(
        deserialize_with = "flexible_bool::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub is_default: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_order: Option<i64>,
    /// For statuses: the status type (open / in progress / waiting / complete, tenant-defined).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_title: Option<String>,
}

/// A ticket as the list/search endpoints return it (`TicketListDto`, the fields we use).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TicketRow {
    pub id: Id,
    pub ticket_number: String,
    pub title: String,
    pub account_id: Option<Id>,
    #[serde(with = "name::opt")]
    pub account_name: Option<Name>,
    #[serde(with = "name::opt")]
    pub account_code: Option<Name>,
    pub location_id: Option<Id>,
    #[serde(with = "name::opt")]
    pub location_name: Option<Name>,
    pub contact_id: Option<Id>,
    #[serde(with = "name::opt")]
    pub contact_name: Option<Name>,
    pub queue_id: Option<Id>,
    #[serde(with = "name::opt")]
    pub queue_name: Option<Name>,
    pub status_id: Option<Id>,
    #[serde(with = "name::opt")]
    pub status_name: Option<Name>,
    pub priority_id: Option<Id>,
    #[serde(with = "name::opt")]
    pub priority_name: Option<Name>,
    pub type_id: Option<Id>,
    #[serde(with = "name::opt")]
    pub type_name: Option<Name>,
    pub issue_type_id: Option<Id>,
    #[serde(with = "name::opt")]
    pub issue_type_name: Option<Name>,
    pub source_id: Option<Id>,
    pub assignee_id: Option<Id>,
    #[serde(with = "name::opt")]
    pub assignee_name: Option<Name>,
    pub sla_id: Option<Id>,
    #[serde(with = "name::opt")]
    pub sla_name: Option<Name>,
    /// .NET spells it `HasMetSLA`, camelCased `hasMetSLA` (not `hasMetSla`).
    #[serde(rename = "hasMetSLA", deserialize_with = "flexible_bool::deserialize")]
    pub has_met_sla: Option<bool>,
    #[serde(
        rename = "isSLAPaused",
        deserialize_with = "flexible_bool::deserialize"
    )]
    pub is_sla_paused: Option<bool>,
    #[serde(with = "opt_datetime")]
    pub open_date: Option<DateTime<Utc>>,
    #[serde(with = "opt_datetime")]
    pub due_date: Option<DateTime<Utc>>,
    #[serde(with = "opt_datetime")]
    pub completed_date: Option<DateTime<Utc>>,
    #[serde(with = "opt_datetime")]
    pub last_activity_update: Option<DateTime<Utc>>,
    #[serde(with = "opt_datetime")]
    pub first_response_target_time: Option<DateTime<Utc>>,
    #[serde(with = "opt_datetime")]
    pub first_response_actual_time: Option<DateTime<Utc>>,
    #[serde(with = "opt_datetime")]
    pub resolution_target_time: Option<DateTime<Utc>>,
    #[serde(with = "opt_datetime")]
    pub resolution_actual_time: Option<DateTime<Utc>>,
    /// `SLALastPausedTime` (normalised to `slaLastPausedTime`).
    #[serde(with = "opt_datetime")]
    pub sla_last_paused_time: Option<DateTime<Utc>>,
    /// `SLALastResumedTime`.
    #[serde(with = "opt_datetime")]
    pub sla_last_resumed_time: Option<DateTime<Utc>>,
    /// `ActualPauseMinutes`: SLA pause time accumulated so far.
    pub actual_pause_minutes: Option<i64>,
    #[serde(with = "opt_datetime")]
    pub last_status_update: Option<DateTime<Utc>>,
    #[serde(with = "opt_datetime")]
    pub created_on: Option<DateTime<Utc>>,
    #[serde(with = "opt_datetime")]
    pub modified_on: Option<DateTime<Utc>>,
    #[serde(with = "name::opt")]
    pub created_by_name: Option<Name>,
}

/// A whole ticket (`TicketOutputDto`): the list row plus the detail-only fields.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Ticket {
    #[serde(flatten)]
    pub row: TicketRow,
    /// HTML on the wire; see `domain::html` for display.
    pub details: Option<String>,
    pub source_name: Option<String>,
    pub contact_phone: Option<String>,
    pub contact_email: Option<String>,
    pub location_phone: Option<String>,
    pub work_type_id: Option<Id>,
    pub work_type_name: Option<String>,
    pub total_time_spent: Option<f64>,
}

/// `TicketNoteOutputDto`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Note {
    pub id: Id,
    /// HTML on the wire.
    pub details: String,
    #[serde(deserialize_with = "flexible_bool::deserialize")]
    pub is_internal: Option<bool>,
    pub type_id: Option<i64>,
    pub type_name: Option<String>,
    pub created_by_name: Option<String>,
    pub created_by_email: Option<String>,
    /// The author's user id (`CreatedBy`; taken to be `userinfo`'s `UserId`: a guess, see
    /// `guesses`).
    pub created_by: Option<Id>,
    #[serde(with = "opt_datetime")]
    pub created_on: Option<DateTime<Utc>>,
    #[serde(with = "opt_datetime")]
    pub modified_on: Option<DateTime<Utc>>,
}

/// `TicketNotePostInputDto` / `TicketNotePutInputDto` (the required four plus a status change).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "PascalCase", deserialize = "camelCase"))]
pub struct NoteInput {
    pub details: String,
    pub is_internal: bool,
    pub type_id: i64,
    #[serde(with = "datetime")]
    pub note_date: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub status_id: Option<Id>,
}

/// `AssignTicketInputDto`: assigning always writes a note and sets a status.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "PascalCase", deserialize = "camelCase"))]
pub struct AssignInput {
    pub details: String,
    pub is_internal: bool,
    pub type_id: i64,
    pub status_id: Id,
    #[serde(with = "datetime")]
    pub note_date: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub assignee_id: Option<Id>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub queue_id: Option<Id>,
}

/// `TicketInputDto` for create (POST) and replace (PUT).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "PascalCase", deserialize = "camelCase"))]
pub struct TicketInput {
    pub title: String,
    pub details: String,
    pub account_id: Id,
    pub location_id: Id,
    pub status_id: Id,
    pub priority_id: Id,
    pub type_id: Id,
    pub source_id: Id,
    #[serde(with = "datetime")]
    pub open_date: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub contact_id: Option<Id>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub queue_id: Option<Id>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub assignee_id: Option<Id>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub issue_type_id: Option<Id>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub sub_issue_type_id: Option<Id>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub work_type_id: Option<Id>,
    #[serde(
        skip_serializing_if = "Option::is_none",
        with = "opt_datetime",
        default
    )]
    pub due_date: Option<DateTime<Utc>>,
}

/// One JSON-Patch operation (`[{op, path, value}]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatchOp {
    pub op: String,
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub value: Option<serde_json::Value>,
}

impl PatchOp {
    pub fn replace(path: impl Into<String>, value: serde_json::Value) -> Self {
        let path = path.into();
        let path = if path.starts_with('/') {
            path
        } else {
            format!("/{path}")
        };
        PatchOp {
            op: "replace".into(),
            path,
            value: Some(value),
        }
    }
}

/// `TicketTimeEntryOutputDto`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TimeLog {
    pub id: Id,
    /// The tenant's calendar day the entry is on (its times are that day's wall clock).
    #[serde(with = "opt_day")]
    pub start_date: Option<NaiveDate>,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    /// Hours.
    pub timespent: Option<f64>,
    pub notes: Option<String>,
    pub internal_notes: Option<String>,
    pub user_id: Option<Id>,
    pub employee_name: Option<String>,
    pub work_type_id: Option<Id>,
    pub work_type_name: Option<String>,
    pub role_id: Option<Id>,
    pub role_name: Option<String>,
}

/// `TicketTimeEntryInputDto`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "PascalCase", deserialize = "camelCase"))]
pub struct TimeLogInput {
    pub start_date: NaiveDate,
    /// `HH:MM:SS` (a .NET TimeSpan).
    pub start_time: String,
    pub end_time: String,
    pub work_type_id: Id,
    pub role_id: Id,
    /// Hours.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub timespent: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub notes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub internal_notes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub user_id: Option<Id>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub status_id: Option<Id>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TicketTemplateSummary {
    pub id: Id,
    pub name: String,
}

/// `GET /v2/servicedesk/templates/tickets/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TicketTemplate {
    pub id: Id,
    pub name: String,
    pub title: Option<String>,
    pub details: Option<String>,
    pub issue_type_id: Option<Id>,
    pub sub_issue_type_id: Option<Id>,
    pub priority_id: Option<Id>,
    pub queue_id: Option<Id>,
    pub account_id: Option<Id>,
    pub account_name: Option<String>,
    pub assignee_id: Option<Id>,
    pub assignee_name: Option<String>,
    pub ticket_type_id: Option<Id>,
    pub work_type_id: Option<Id>,
    pub expected_time_to_resolve: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NoteTemplate {
    pub id: Id,
    pub name: String,
    pub type_id: Option<i64>,
    pub status_id: Option<Id>,
    #[serde(deserialize_with = "flexible_bool::deserialize")]
    pub is_internal: Option<bool>,
}

/// A note template rendered for one ticket.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NoteTemplateBody {
    pub id: Id,
    pub details: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TimeLogTemplate {
    pub id: Id,
    pub name: String,
    pub notes: Option<String>,
    pub internal_notes: Option<String>,
    pub role_id: Option<Id>,
    pub work_type_id: Option<Id>,
    pub status_id: Option<Id>,
    pub timespent: Option<f64>,
}

/// `GET /v2/security/userinfo` (the fields we use).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct UserInfo {
    pub user_id: Id,
    pub full_name: String,
    pub email_address: Option<String>,
    pub tenant_id: Option<Id>,
    pub business_name: Option<String>,
    pub time_zone_name: Option<String>,
    pub olson_time_zone_name: Option<String>,
    /// A number in the spec (no unit; taken as hours east of UTC, see `tenant_time`).
    #[serde(deserialize_with = "lenient_f64")]
    pub time_zone_value: Option<f64>,
}

impl UserInfo {
    /// The tenant zone this user's `userinfo` describes (see `tenant_time`).
    pub fn tenant_zone(&self) -> Option<crate::tenant_time::TenantZone> {
        crate::tenant_time::TenantZone::from_userinfo(
            self.olson_time_zone_name.as_deref(),
            self.time_zone_value,
        )
    }
}

/// A number, or a string holding one; anything else is `None` (not an error: the field is
/// a fallback only).
fn lenient_f64<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Ok(match Option::<serde_json::Value>::deserialize(d)? {
        Some(serde_json::Value::Number(n)) => n.as_f64(),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

/// `GET …/{ticketId}/slainfo`. Units are undocumented (taken as minutes: `guesses::SLA_INFO_SECS`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SlaInfo {
    pub sla_stage: Option<i64>,
    pub sla_name: Option<String>,
    pub ticket_priority_name: Option<String>,
    pub respond_goal: Option<f64>,
    pub respond_actual: Option<f64>,
    pub respond_remaining: Option<f64>,
    pub resolve_goal: Option<f64>,
    pub resolve_actual: Option<f64>,
    pub resolve_remaining: Option<f64>,
}

/// `TicketFilterDto`: the search filters we expose. Names filters are comma-separated lists.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(
    rename_all(serialize = "PascalCase", deserialize = "camelCase"),
    default
)]
pub struct TicketFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_number: Option<String>,
    /// Account name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_ids: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignee_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_names: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue_names: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority_names: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ticket_type_names: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<Id>,
    /// Int flag, not nullable in the spec: 1 hides completed tickets.
    pub exclude_completed: i32,
    #[serde(skip_serializing_if = "Option::is_none", with = "opt_datetime")]
    pub last_activity_update_from: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none", with = "opt_datetime")]
    pub created_on_from: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none", with = "opt_datetime")]
    pub created_on_to: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reply's `result` in the desk's types, keys normalized as the BMS envelope decoder
    /// does (`crate::wire::normalize_keys`): what these tests check is the model's reading.
    fn decode<T: serde::de::DeserializeOwned>(
        _status: u16,
        body: &[u8],
    ) -> Result<crate::psa::Reply<T>, serde_json::Error> {
        let v: serde_json::Value = serde_json::from_slice(body)?;
        let result = crate::wire::normalize_keys(v)["result"].take();
        Ok(crate::psa::Reply {
            result: serde_json::from_value(result)?,
            total: None,
        })
    }
    use serde_json::json;

    #[test]
    fn ticket_row_decodes_from_pascal_and_camel() {
        let pascal = json!({"Success": true, "Result": {"Id": 5, "TicketNumber": "T20250001", "Title": "Printer",
            "SLAId": 3, "IsSLAPaused": 1, "HasMetSLA": 0, "OpenDate": "2025-01-15T14:00:00", "Details": "<p>x</p>"}});
        let camel = json!({"success": true, "result": {"id": 5, "ticketNumber": "T20250001", "title": "Printer",
            "slaId": 3, "isSLAPaused": true, "hasMetSLA": false, "openDate": "2025-01-15T14:00:00Z", "details": "<p>x</p>"}});
        let a = decode::<Ticket>(200, pascal.to_string().as_bytes())
            .unwrap()
            .result;
        let b = decode::<Ticket>(200, camel.to_string().as_bytes())
            .unwrap()
            .result;
        assert_eq!(a, b);
        assert_eq!(a.row.sla_id, Some(3));
        assert_eq!(a.row.is_sla_paused, Some(true));
        assert_eq!(a.row.has_met_sla, Some(false));
        assert_eq!(a.details.as_deref(), Some("<p>x</p>"));
    }

    #[test]
    fn ticket_row_decodes_sla_pause_fields() {
        let pascal = json!({"Success": true, "Result": {"Id": 5, "SLALastPausedTime": "2025-01-15T14:00:00",
            "SLALastResumedTime": "2025-01-15T15:30:00", "ActualPauseMinutes": 90,
            "LastStatusUpdate": "2025-01-15T14:00:00"}});
        let row = decode::<TicketRow>(200, pascal.to_string().as_bytes())
            .unwrap()
            .result;
        let at = |h, m| chrono::TimeZone::with_ymd_and_hms(&Utc, 2025, 1, 15, h, m, 0).unwrap();
        assert_eq!(row.sla_last_paused_time, Some(at(14, 0)));
        assert_eq!(row.sla_last_resumed_time, Some(at(15, 30)));
        assert_eq!(row.actual_pause_minutes, Some(90));
        assert_eq!(row.last_status_update, Some(at(14, 0)));
    }

    #[test]
    fn inputs_serialize_pascal_case() {
        let n = NoteInput {
            details: "hi".into(),
            is_internal: true,
            type_id: 1,
            note_date: chrono::TimeZone::with_ymd_and_hms(&Utc, 2025, 1, 2, 3, 4, 5).unwrap(),
            status_id: None,
        };
        let v = serde_json::to_value(&n).unwrap();
        assert_eq!(
            v,
            json!({"Details": "hi", "IsInternal": true, "TypeId": 1, "NoteDate": "2025-01-02T03:04:05"})
        );
    }

    #[test]
    fn patch_op_adds_leading_slash() {
        assert_eq!(PatchOp::replace("StatusId", json!(6)).path, "/StatusId");
    }
}
