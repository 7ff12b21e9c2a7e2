//! Reference data of the simulated tenant: statuses, priorities, queues, types, users,
//! templates. Ids look like a real tenant's (large, tenant-specific numbers).

/// Status types (`typeId` in the status lookup). Tenant-defined in BMS; the simulator uses
/// these four.
pub mod status_type {
    pub const NEW: i64 = 1;
    pub const ACTIVE: i64 = 2;
    /// Waiting on someone else: the SLA clock is paused.
    pub const WAITING: i64 = 3;
    pub const COMPLETED: i64 = 4;
}

pub const DEMO_USER_ID: i64 = 51085;
pub const MFA_USER_ID: i64 = 51086;
pub const DEMO_USER_FULL_NAME: &str = "Jordan Blake";
pub const MFA_USER_FULL_NAME: &str = "Morgan Lee";
pub const TENANT_ID: i64 = 1207;

#[derive(Debug, Clone)]
pub struct Status {
    pub id: i64,
    pub name: &'static str,
    pub type_id: i64,
    pub order: i64,
    pub color: &'static str,
    pub font_color: &'static str,
}

impl Status {
    pub fn is_completed(&self) -> bool {
        self.type_id == status_type::COMPLETED
    }
    pub fn is_waiting(&self) -> bool {
        self.type_id == status_type::WAITING
    }
}

#[derive(Debug, Clone)]
pub struct Priority {
    pub id: i64,
    pub name: &'static str,
    pub color: &'static str,
    pub is_default: bool,
    /// SLA goals of the standard SLA, in minutes.
    pub respond_mins: i64,
    pub resolve_mins: i64,
}

/// A row of a named tenant list (queues, types, sources...).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Named {
    pub id: i64,
    pub name: &'static str,
    pub is_default: bool,
}

pub const fn named(id: i64, name: &'static str) -> Named {
    Named {
        id,
        name,
        is_default: false,
    }
}

#[derive(Debug, Clone)]
pub struct Sla {
    pub id: i64,
    pub name: &'static str,
    /// Goals are the priority's goals times this factor.
    pub factor: f64,
}

#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub job_title: &'static str,
    /// Appears in the assignee lookup (a technician).
    pub assignee: bool,
    /// Sign-in needs an MFA code.
    pub mfa: bool,
}

#[derive(Debug, Clone)]
pub struct TicketTemplateDef {
    pub id: i64,
    pub name: &'static str,
    pub title: &'static str,
    pub details: &'static str,
    pub priority: &'static str,
    pub queue: &'static str,
    pub ticket_type: &'static str,
    pub issue_type: &'static str,
    pub work_type: &'static str,
    pub expected_hours: f64,
}

#[derive(Debug, Clone)]
pub struct NoteTemplateDef {
    pub id: i64,
    pub name: &'static str,
    pub type_id: i64,
    pub status: Option<&'static str>,
    pub is_internal: bool,
    /// Placeholders: `{{TicketNumber}}`, `{{TicketTitle}}`, `{{ContactName}}`,
    /// `{{ContactFirstName}}`, `{{AccountName}}`, `{{AssigneeName}}`, `{{UserName}}`.
    pub body: &'static str,
}

#[derive(Debug, Clone)]
pub struct TimeLogTemplateDef {
    pub id: i64,
    pub name: &'static str,
    pub notes: &'static str,
    pub internal_notes: &'static str,
    pub role: &'static str,
    pub work_type: &'static str,
    pub status: Option<&'static str>,
    pub hours: f64,
}

/// All reference lists of the tenant.
#[derive(Debug, Clone)]
pub struct Refs {
    pub statuses: Vec<Status>,
    pub priorities: Vec<Priority>,
    pub queues: Vec<Named>,
    /// The tenant's ticket and note types: what `TypeId` is checked against and named by.
    pub ticket_types: Vec<Named>,
    pub note_types: Vec<Named>,
    /// Whether `GET /v2/system/lookup/NoteType` / `…/TicketType` serve them.
    pub note_type_table: bool,
    pub ticket_type_table: bool,
    /// The ticket sources `SourceId` is checked against and named by; `None`: any id is
    /// taken and none is named.
    pub sources: Option<Vec<Named>>,
    pub issue_types: Vec<Named>,
    pub work_types: Vec<Named>,
    pub roles: Vec<Named>,
    pub slas: Vec<Sla>,
    pub users: Vec<User>,
    pub ticket_templates: Vec<TicketTemplateDef>,
    pub note_templates: Vec<NoteTemplateDef>,
    pub timelog_templates: Vec<TimeLogTemplateDef>,
}

fn find<T>(items: &[T], id: i64, key: impl Fn(&T) -> i64) -> Option<&T> {
    items.iter().find(|i| key(i) == id)
}

fn id_of<T>(items: &[T], name: &str, key: impl Fn(&T) -> (i64, &str)) -> i64 {
    items
        .iter()
        .map(key)
        .find(|(_, n)| n.eq_ignore_ascii_case(name))
        .map(|(id, _)| id)
        .unwrap_or_default()
}

/// The ticket types of the standard simulated tenant.
pub fn standard_ticket_types() -> Vec<Named> {
    vec![
        Named {
            id: 8,
            name: "Incident",
            is_default: true,
        },
        named(28, "Service Request"),
        named(31, "Problem"),
        named(33, "Change"),
    ]
}

/// The note types of the standard simulated tenant (ids from 1; none is `0`).
pub fn standard_note_types() -> Vec<Named> {
    vec![
        Named {
            id: 1,
            name: "General",
            is_default: true,
        },
        named(2, "Email"),
        named(3, "Phone Call"),
        named(4, "Remote Session"),
        named(5, "Resolution"),
    ]
}

/// The ticket sources of the standard simulated tenant: the list public clients show
/// (bms-api.md §9). Tenant data here, like any other list: a test may give a tenant others.
pub fn standard_sources() -> Vec<Named> {
    vec![
        named(0, "Client Portal"),
        named(1, "Phone"),
        named(2, "In Person"),
        named(3, "On Site"),
        named(4, "Email"),
        named(5, "Monitoring System"),
        named(6, "Voice Mail"),
        named(7, "Verbal"),
        named(8, "Other"),
        named(9, "Recurring"),
    ]
}

/// The tenant lists a test may replace ([`super::SimConfig`]): `None` for a type table is a
/// tenant whose types are the standard ones but whose lookup table does not exist.
#[derive(Debug, Clone)]
pub struct TenantTables {
    pub note_types: Option<Vec<Named>>,
    pub ticket_types: Option<Vec<Named>>,
    pub sources: Option<Vec<Named>>,
}

impl TenantTables {
    /// The standard tenant: every table there, with the standard rows.
    pub fn standard() -> TenantTables {
        TenantTables {
            note_types: Some(standard_note_types()),
            ticket_types: Some(standard_ticket_types()),
            sources: Some(standard_sources()),
        }
    }
}

/// The row of `list` that stands where `standard[at]` stood (same position, wrapping), so
/// generated data keeps its mix of kinds whatever a tenant's own ids are.
fn same_place(list: &[Named], standard: &[Named], std_id: i64) -> i64 {
    let at = standard.iter().position(|n| n.id == std_id).unwrap_or(0);
    list.get(at % list.len().max(1)).map_or(std_id, |n| n.id)
}

impl Refs {
    /// The standard lists with `tables` put in.
    pub fn with_tables(mut self, tables: &TenantTables) -> Refs {
        if let Some(t) = &tables.note_types {
            self.note_types = t.clone();
        }
        self.note_type_table = tables.note_types.is_some();
        if let Some(t) = &tables.ticket_types {
            self.ticket_types = t.clone();
        }
        self.ticket_type_table = tables.ticket_types.is_some();
        self.sources = tables.sources.clone();
        self
    }

    /// The tenant's note type in place of the standard type `std_id` (generated notes).
    pub fn note_type_like(&self, std_id: i64) -> i64 {
        same_place(&self.note_types, &standard_note_types(), std_id)
    }

    /// The tenant's ticket type in place of the standard type named `name`.
    pub fn ticket_type_like(&self, name: &str) -> i64 {
        let standard = standard_ticket_types();
        let std_id = id_of(&standard, name, |n| (n.id, n.name));
        same_place(&self.ticket_types, &standard, std_id)
    }

    /// The tenant's source in place of the standard source `std_id` (itself without a list).
    pub fn source_like(&self, std_id: i64) -> i64 {
        match &self.sources {
            Some(list) => same_place(list, &standard_sources(), std_id),
            None => std_id,
        }
    }

    pub fn source(&self, id: i64) -> Option<&Named> {
        self.sources.as_deref().and_then(|s| find(s, id, |n| n.id))
    }

    pub fn standard(demo_email: &str, mfa_email: &str) -> Refs {
        use status_type::*;
        let statuses = vec![
            Status {
                id: 49951,
                name: "New",
                type_id: NEW,
                order: 1,
                color: "#2e86de",
                font_color: "#ffffff",
            },
            Status {
                id: 49952,
                name: "In Progress",
                type_id: ACTIVE,
                order: 2,
                color: "#10ac84",
                font_color: "#ffffff",
            },
            Status {
                id: 49953,
                name: "Waiting Customer",
                type_id: WAITING,
                order: 3,
                color: "#f6b93b",
                font_color: "#000000",
            },
            Status {
                id: 49954,
                name: "Waiting Materials",
                type_id: WAITING,
                order: 4,
                color: "#fa983a",
                font_color: "#000000",
            },
            Status {
                id: 49955,
                name: "Escalated",
                type_id: ACTIVE,
                order: 5,
                color: "#e55039",
                font_color: "#ffffff",
            },
            Status {
                id: 49956,
                name: "Scheduled",
                type_id: ACTIVE,
                order: 6,
                color: "#8e44ad",
                font_color: "#ffffff",
            },
            Status {
                id: 49957,
                name: "Completed",
                type_id: COMPLETED,
                order: 7,
                color: "#7f8c8d",
                font_color: "#ffffff",
            },
            Status {
                id: 49958,
                name: "Closed",
                type_id: COMPLETED,
                order: 8,
                color: "#34495e",
                font_color: "#ffffff",
            },
        ];
        let priorities = vec![
            Priority {
                id: 40481,
                name: "Critical",
                color: "#c0392b",
                is_default: false,
                respond_mins: 30,
                resolve_mins: 4 * 60,
            },
            Priority {
                id: 40482,
                name: "High",
                color: "#e67e22",
                is_default: false,
                respond_mins: 60,
                resolve_mins: 8 * 60,
            },
            Priority {
                id: 40483,
                name: "Medium",
                color: "#f1c40f",
                is_default: true,
                respond_mins: 4 * 60,
                resolve_mins: 24 * 60,
            },
            Priority {
                id: 40484,
                name: "Low",
                color: "#27ae60",
                is_default: false,
                respond_mins: 8 * 60,
                resolve_mins: 72 * 60,
            },
        ];
        let queues = vec![
            named(38401, "Help Desk"),
            named(38402, "Tier 2"),
            named(38403, "Network Operations"),
            named(38404, "Projects"),
            named(38405, "Onboarding"),
            named(38406, "Alerts"),
            named(38407, "Field Services"),
        ];
        let ticket_types = standard_ticket_types();
        let note_types = standard_note_types();
        let issue_types = vec![
            named(21001, "Hardware"),
            named(21002, "Software"),
            named(21003, "Network"),
            named(21004, "Email"),
            named(21005, "Security"),
            named(21006, "Printing"),
            named(21007, "Accounts & Access"),
            named(21008, "Backup"),
            named(21009, "Phone System"),
            named(21010, "Other"),
        ];
        let work_types = vec![
            Named {
                id: 19558,
                name: "Remote Support",
                is_default: true,
            },
            named(19559, "On-Site Support"),
            named(19560, "After Hours"),
            named(19561, "Project Work"),
            named(19562, "Travel"),
        ];
        let roles = vec![
            Named {
                id: 15324,
                name: "Service Desk",
                is_default: true,
            },
            named(15325, "Engineer"),
            named(15326, "Senior Engineer"),
            named(15327, "Project Manager"),
        ];
        let slas = vec![
            Sla {
                id: 601,
                name: "Standard Support",
                factor: 1.0,
            },
            Sla {
                id: 602,
                name: "Premium 24x7",
                factor: 0.5,
            },
        ];
        let mut users = vec![
            User {
                id: DEMO_USER_ID,
                name: DEMO_USER_FULL_NAME.into(),
                email: demo_email.into(),
                job_title: "Service Desk Technician",
                assignee: true,
                mfa: false,
            },
            User {
                id: MFA_USER_ID,
                name: MFA_USER_FULL_NAME.into(),
                email: mfa_email.into(),
                job_title: "Security Analyst",
                assignee: true,
                mfa: true,
            },
        ];
        let staff = super::words::TECHNICIANS
            .iter()
            .map(|t| (t, true))
            .chain(super::words::OFFICE_STAFF.iter().map(|t| (t, false)));
        for (i, ((name, title), assignee)) in staff.enumerate() {
            let email = format!(
                "{}@demo.example",
                name.to_ascii_lowercase().replace(' ', ".")
            );
            users.push(User {
                id: MFA_USER_ID + 1 + i as i64,
                name: (*name).into(),
                email,
                job_title: title,
                assignee,
                mfa: false,
            });
        }
        Refs {
            statuses,
            priorities,
            queues,
            ticket_types,
            note_types,
            note_type_table: true,
            ticket_type_table: true,
            sources: Some(standard_sources()),
            issue_types,
            work_types,
            roles,
            slas,
            users,
            ticket_templates: ticket_templates(),
            note_templates: note_templates(),
            timelog_templates: timelog_templates(),
        }
    }

    pub fn status(&self, id: i64) -> Option<&Status> {
        find(&self.statuses, id, |s| s.id)
    }
    pub fn priority(&self, id: i64) -> Option<&Priority> {
        find(&self.priorities, id, |p| p.id)
    }
    pub fn queue(&self, id: i64) -> Option<&Named> {
        find(&self.queues, id, |n| n.id)
    }
    pub fn ticket_type(&self, id: i64) -> Option<&Named> {
        find(&self.ticket_types, id, |n| n.id)
    }
    pub fn note_type(&self, id: i64) -> Option<&Named> {
        find(&self.note_types, id, |n| n.id)
    }
    pub fn issue_type(&self, id: i64) -> Option<&Named> {
        find(&self.issue_types, id, |n| n.id)
    }
    pub fn work_type(&self, id: i64) -> Option<&Named> {
        find(&self.work_types, id, |n| n.id)
    }
    pub fn role(&self, id: i64) -> Option<&Named> {
        find(&self.roles, id, |n| n.id)
    }
    pub fn sla(&self, id: i64) -> Option<&Sla> {
        find(&self.slas, id, |s| s.id)
    }
    pub fn user(&self, id: i64) -> Option<&User> {
        find(&self.users, id, |u| u.id)
    }
    pub fn assignee(&self, id: i64) -> Option<&User> {
        self.user(id).filter(|u| u.assignee)
    }
    pub fn user_by_email(&self, email: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.email.eq_ignore_ascii_case(email.trim()))
    }

    pub fn status_id(&self, name: &str) -> i64 {
        id_of(&self.statuses, name, |s| (s.id, s.name))
    }
    pub fn priority_id(&self, name: &str) -> i64 {
        id_of(&self.priorities, name, |p| (p.id, p.name))
    }
    pub fn queue_id(&self, name: &str) -> i64 {
        id_of(&self.queues, name, |n| (n.id, n.name))
    }
    pub fn ticket_type_id(&self, name: &str) -> i64 {
        id_of(&self.ticket_types, name, |n| (n.id, n.name))
    }
    pub fn issue_type_id(&self, name: &str) -> i64 {
        id_of(&self.issue_types, name, |n| (n.id, n.name))
    }
    pub fn work_type_id(&self, name: &str) -> i64 {
        id_of(&self.work_types, name, |n| (n.id, n.name))
    }
    pub fn role_id(&self, name: &str) -> i64 {
        id_of(&self.roles, name, |n| (n.id, n.name))
    }

    /// `(respond, resolve)` goals in minutes for a priority under an SLA.
    pub fn goals(&self, priority_id: i64, sla_id: Option<i64>) -> (i64, i64) {
        let (respond, resolve) = self
            .priority(priority_id)
            .map(|p| (p.respond_mins, p.resolve_mins))
            .unwrap_or((240, 1440));
        let factor = sla_id.and_then(|s| self.sla(s)).map_or(1.0, |s| s.factor);
        (
            (respond as f64 * factor).round() as i64,
            (resolve as f64 * factor).round() as i64,
        )
    }
}

fn ticket_templates() -> Vec<TicketTemplateDef> {
    vec![
        TicketTemplateDef {
            id: 901,
            name: "Password reset",
            title: "Password reset",
            details: "<p>User is locked out and needs a password reset.</p><ul><li>Verify identity (call back on the number on file)</li><li>Reset &amp; force change at next sign-in</li></ul>",
            priority: "Medium",
            queue: "Help Desk",
            ticket_type: "Service Request",
            issue_type: "Accounts & Access",
            work_type: "Remote Support",
            expected_hours: 0.25,
        },
        TicketTemplateDef {
            id: 902,
            name: "New starter onboarding",
            title: "New starter onboarding",
            details: "<p>New starter checklist:</p><ul><li>Create Microsoft 365 account &amp; assign licence</li><li>Add to security groups and shared mailboxes</li><li>Prepare laptop, enrol in MDM</li><li>Send welcome pack to the manager</li></ul>",
            priority: "Medium",
            queue: "Onboarding",
            ticket_type: "Service Request",
            issue_type: "Accounts & Access",
            work_type: "Remote Support",
            expected_hours: 3.0,
        },
        TicketTemplateDef {
            id: 903,
            name: "Printer offline",
            title: "Printer offline",
            details: "<p>Printer reported offline.</p><p>Check: power, network cable, IP address, print queue on the server.</p>",
            priority: "Medium",
            queue: "Help Desk",
            ticket_type: "Incident",
            issue_type: "Printing",
            work_type: "Remote Support",
            expected_hours: 0.5,
        },
        TicketTemplateDef {
            id: 904,
            name: "Backup failure",
            title: "Backup job failed",
            details: "<p>Backup job failed.</p><ul><li>Check job log for the failing volume</li><li>Re-run the job</li><li>Confirm the next scheduled run succeeds</li></ul>",
            priority: "High",
            queue: "Alerts",
            ticket_type: "Incident",
            issue_type: "Backup",
            work_type: "Remote Support",
            expected_hours: 1.0,
        },
        TicketTemplateDef {
            id: 905,
            name: "VPN access request",
            title: "VPN access request",
            details: "<p>Please grant VPN access.</p><p>Manager approval is required before access is enabled.<br>Install the VPN client and test the connection with the user.</p>",
            priority: "Low",
            queue: "Help Desk",
            ticket_type: "Service Request",
            issue_type: "Network",
            work_type: "Remote Support",
            expected_hours: 0.5,
        },
    ]
}

fn note_templates() -> Vec<NoteTemplateDef> {
    vec![
        NoteTemplateDef {
            id: 951,
            name: "Acknowledge",
            type_id: 2,
            status: Some("In Progress"),
            is_internal: false,
            body: "<p>Hi {{ContactFirstName}},</p><p>Thank you for contacting us. Your ticket {{TicketNumber}} ({{TicketTitle}}) has been picked up by {{UserName}}.</p>",
        },
        NoteTemplateDef {
            id: 952,
            name: "Waiting on customer",
            type_id: 2,
            status: Some("Waiting Customer"),
            is_internal: false,
            body: "<p>Hi {{ContactFirstName}},</p><p>We need a little more information to continue with {{TicketNumber}}. Could you reply with a good time to call?</p>",
        },
        NoteTemplateDef {
            id: 953,
            name: "Resolved - please confirm",
            type_id: 5,
            status: Some("Completed"),
            is_internal: false,
            body: "<p>Hi {{ContactFirstName}},</p><p>We believe ticket {{TicketNumber}} is resolved. If anything is still not right, just reply and we will reopen it.</p><p>Kind regards,<br>{{UserName}}</p>",
        },
        NoteTemplateDef {
            id: 954,
            name: "Escalation to Tier 2",
            type_id: 1,
            status: Some("Escalated"),
            is_internal: true,
            body: "<p>Escalating {{TicketNumber}} for {{AccountName}}.</p><ul><li>Tried: </li><li>Result: </li></ul>",
        },
    ]
}

fn timelog_templates() -> Vec<TimeLogTemplateDef> {
    vec![
        TimeLogTemplateDef {
            id: 971,
            name: "Quick fix (15 min)",
            notes: "Resolved remotely.",
            internal_notes: "",
            role: "Service Desk",
            work_type: "Remote Support",
            status: None,
            hours: 0.25,
        },
        TimeLogTemplateDef {
            id: 972,
            name: "Remote session (1 h)",
            notes: "Remote session with the user.",
            internal_notes: "See internal notes on the ticket.",
            role: "Engineer",
            work_type: "Remote Support",
            status: Some("In Progress"),
            hours: 1.0,
        },
        TimeLogTemplateDef {
            id: 973,
            name: "Site visit",
            notes: "On-site visit.",
            internal_notes: "Travel time logged separately.",
            role: "Engineer",
            work_type: "On-Site Support",
            status: None,
            hours: 2.0,
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_resolve_to_ids_and_back() {
        let r = Refs::standard("a@x", "b@x");
        let id = r.status_id("waiting customer");
        assert_eq!(r.status(id).map(|s| s.name), Some("Waiting Customer"));
        assert!(r.status(id).is_some_and(Status::is_waiting));
        assert_eq!(r.priority_id("Critical"), 40481);
        assert!(r.user(DEMO_USER_ID).is_some_and(|u| u.assignee && !u.mfa));
        assert!(r.user(MFA_USER_ID).is_some_and(|u| u.mfa));
        let techs = r.users.iter().filter(|u| u.assignee).count();
        assert!(techs >= 12, "{techs}");
        assert!(r.users.iter().any(|u| !u.assignee));
        for t in &r.ticket_templates {
            assert!(r.priority_id(t.priority) > 0 && r.queue_id(t.queue) > 0);
            assert!(r.ticket_type_id(t.ticket_type) > 0 && r.issue_type_id(t.issue_type) > 0);
        }
        assert_eq!(r.goals(40481, Some(602)), (15, 120));
    }
}
