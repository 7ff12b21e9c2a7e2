//! The command line, as clap sees it. `--help` on every level is the reference.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "bmsdesk",
    version,
    about = "A fast, keyboard-driven console for Kaseya BMS / Pulseway PSA service desks",
    long_about = "A fast, keyboard-driven console for Kaseya BMS / Pulseway PSA service desks.\n\n\
        With no command, opens the terminal UI on the configured tenant. `bmsdesk demo` opens it \
        on a built-in simulated tenant (no account needed). Every read and write of the UI is \
        also a command below; add --json for scripts.",
    after_help = "Configuration: ~/.config/bmsdesk/config.toml (see config.example.toml), \
        overridden by BMS_TENANT, BMS_USERNAME, BMS_PASSWORD, BMS_MFA_CODE, BMS_API_BASE, \
        BMS_TOKEN_FILE, BMS_CACHE_FILE.\nExit codes: 0 ok, 1 API error, 2 usage error, 3 sign-in error.\n\
        Writes are audited to ~/.bms-actions/YYYY-MM-DD.jsonl (secrets redacted). A write that \
        cannot reach BMS is kept in the outbox (exit 1, \"queued as outbox item N\"); \
        `bmsdesk outbox retry` sends it later."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Args)]
pub struct GlobalOpts {
    /// Config profile (tenant) to use [env: BMS_PROFILE]
    #[arg(long, global = true, value_name = "NAME")]
    pub profile: Option<String>,
    /// Config file instead of the default location [env: BMS_CONFIG]
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Print machine-readable JSON instead of tables
    #[arg(long, global = true)]
    pub json: bool,
    /// Refetch cached lists (accounts, locations, lookups, templates) instead of using the cache
    #[arg(long, global = true)]
    pub refresh: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the terminal UI on a simulated tenant (no account needed)
    #[cfg(feature = "demo")]
    Demo(DemoArgs),
    /// Run the BMS simulator (the v2 REST API over a generated tenant) on loopback
    #[cfg(feature = "demo")]
    Sim(SimArgs),
    /// Sign in, test the connection and store the token
    Login {
        /// One-time MFA code, or `-` to read it from stdin (a code on the command line is
        /// visible to `ps`); otherwise asked for when the server requires one [env: BMS_MFA_CODE]
        #[arg(long, value_name = "CODE")]
        mfa_code: Option<String>,
    },
    /// Check this profile's tenant: sign-in, clocks and zone, lookup tables, paging and
    /// filters, request budget; stores what it measured for every later command
    #[command(long_about = DOCTOR_ABOUT)]
    Doctor(DoctorArgs),
    /// Forget the stored token
    Logout,
    /// Show who you are signed in as, where, and until when
    Whoami,
    /// List accounts (cached 24 h)
    Accounts {
        /// Only accounts whose name contains this
        #[arg(long, short = 's')]
        search: Option<String>,
    },
    /// List an account's locations (cached 24 h)
    Locations {
        /// Account id or name
        #[arg(long, short = 'a')]
        account: String,
    },
    /// List an account's contacts
    Contacts {
        /// Account id or name
        #[arg(long, short = 'a')]
        account: String,
        /// Only contacts whose name contains this
        #[arg(long, short = 's')]
        search: Option<String>,
    },
    /// Tickets: list, get, create, patch, assign, delete
    #[command(subcommand)]
    Tickets(TicketsCmd),
    /// Ticket notes: list, get, add, update, delete
    #[command(subcommand)]
    Notes(NotesCmd),
    /// Lookup lists: statuses, priorities, types, sources, queues, assignees, employees,
    /// notetypes, issuetypes, worktypes, roles
    Lookup {
        /// Which list
        kind: String,
    },
    /// Ticket, note and time-log templates (read-only)
    #[command(subcommand)]
    Templates(TemplatesCmd),
    /// Time logs on a ticket
    #[command(subcommand)]
    Time(TimeCmd),
    /// Writes waiting to reach BMS (queued during an outage): list, retry, drop
    #[command(subcommand)]
    Outbox(OutboxCmd),
    /// SLA and workload figures over a ticket set: distributions, compliance, per-queue pulse
    Metrics(TicketFilterArgs),
}

const DOCTOR_ABOUT: &str = "Check this profile's tenant and store what it measured.\n\n\
    Signs in (afresh when a password is available) and reports, each with what bmsdesk will do \
    about it: the sign-in path (password, MFA), the user id, whether the user's role may use the \
    API, the token lifetime; the server's clock against this machine's, the tenant's time zone, \
    whether ticket times read back consistently; which lookup tables exist (note types, ticket \
    types, sources) and their values; the largest page the server serves, whether comma-joined \
    name filters are split, whether `Sort` is accepted; the requests this run used and what a \
    TUI session polls. Read-only, about a dozen requests (the limit is 1,500 per hour per \
    endpoint), unless --write-test is given.\n\n\
    What it measured is saved as the tenant's capabilities (capabilities.json in the profile's \
    state folder) and used by every later command of the profile: the page size asked for, one \
    search per name where commas are not split, the tenant's zone, whether notes can find a \
    note type.\n\n\
    Marks: ✓ fine, ! works with a caveat (read the line under it), ✗ blocks normal use, · \
    information.\n\
    Blocking (✗, exit 1; exit 3 when the sign-in itself fails): the sign-in fails (wrong \
    password, tenant or user name, an MFA code needed and none given, the server unreachable); \
    the server refuses the signed-in user's requests (the role lacks API access); `userinfo` or \
    the ticket search fails; notes cannot get a note type (no note-type table and no \
    `note_type` in the profile); any step of --write-test fails. Anything else exits 0.";

#[derive(Debug, Clone, Args)]
pub struct DoctorArgs {
    /// Also write: add one internal note to ticket TICKET, read it back, check its date
    /// against the clock, delete it (each step printed and audited)
    #[arg(long, value_name = "TICKET")]
    pub write_test: Option<i64>,
    /// One-time MFA code for the sign-in, or `-` to read it from stdin [env: BMS_MFA_CODE]
    #[arg(long, value_name = "CODE")]
    pub mfa_code: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum OutboxCmd {
    /// Show queued writes (pending, and conflicts the server refused), oldest first
    List,
    /// Send pending writes now, in order (or only item ID, a conflict included)
    Retry {
        /// Outbox item number
        id: Option<u64>,
    },
    /// Remove an item without sending it (recorded in the audit log)
    Drop {
        /// Outbox item number
        id: u64,
    },
}

#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Number of generated tickets
    #[arg(long, default_value_t = 500)]
    pub tickets: usize,
    /// Seed of the generated tenant (same seed, same tenant)
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

#[derive(Debug, Clone, Args)]
pub struct SimArgs {
    /// Port on 127.0.0.1 (0 = any free port)
    #[arg(long, default_value_t = 8089)]
    pub port: u16,
    /// Number of generated tickets
    #[arg(long, default_value_t = 500)]
    pub tickets: usize,
    /// Seed of the generated tenant
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Access-token lifetime in seconds (short values exercise refresh)
    #[arg(long, default_value_t = 900)]
    pub access_ttl_secs: u64,
    /// Added latency per request, in milliseconds
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Share (0..1) of nullable reply fields sent as null, as a real server leaves them
    #[arg(long, default_value_t = 0.0)]
    pub null_rate: f64,
    /// Every reply key in PascalCase (the spec's spelling) instead of camelCase
    #[arg(long)]
    pub pascal_case: bool,
    /// A tenant without the NoteType lookup table (its lookup answers 404)
    #[arg(long)]
    pub no_note_types: bool,
    /// A tenant without the TicketType lookup table (its lookup answers 404)
    #[arg(long)]
    pub no_ticket_types: bool,
}

#[derive(Debug, Clone, Args, Default)]
pub struct TicketFilterArgs {
    /// Status name(s), comma-separated (e.g. "New,In Progress")
    #[arg(long)]
    pub status: Option<String>,
    /// Assignee name (part of it is enough), or "me"
    #[arg(long)]
    pub assignee: Option<String>,
    /// Account name or id
    #[arg(long)]
    pub account: Option<String>,
    /// Queue name(s), comma-separated
    #[arg(long)]
    pub queue: Option<String>,
    /// Priority name(s), comma-separated
    #[arg(long)]
    pub priority: Option<String>,
    /// Text in the title
    #[arg(long, short = 's')]
    pub search: Option<String>,
    /// Include completed tickets (hidden by default)
    #[arg(long)]
    pub include_completed: bool,
    /// Show at most this many tickets (all pages are fetched unless a limit is given)
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Order: "due" (time to SLA breach, breached first) or "server" (newest first)
    #[arg(long, default_value = "server", value_parser = ["server", "due"])]
    pub sort: String,
}

#[derive(Debug, Subcommand)]
pub enum TicketsCmd {
    /// List tickets (all pages), newest first
    List(TicketFilterArgs),
    /// Show one ticket with its details text
    Get {
        /// Ticket id
        id: i64,
        /// Also show the notes
        #[arg(long)]
        notes: bool,
    },
    /// Create a ticket from flags, or from a template with flags as overrides
    Create(Box<CreateArgs>),
    /// Change fields with JSON-Patch pairs: `tickets patch 123 /StatusId 6 /PriorityId High`
    Patch {
        /// Ticket id
        id: i64,
        /// PATH VALUE pairs; ids of status/priority/queue/assignee/type/source may be names
        #[arg(required = true, num_args = 2.., value_names = ["PATH", "VALUE"])]
        pairs: Vec<String>,
    },
    /// Assign to a technician and/or queue (writes the required note)
    Assign(AssignArgs),
    /// Escalate: move to the escalation status with the required reason note
    Escalate {
        /// Ticket id
        id: i64,
        /// Why (required; written as an internal note)
        #[arg(long, short = 'm')]
        reason: String,
        /// Escalation status id or name (default: the first status named in [sla.rules] escalation_statuses)
        #[arg(long)]
        status: Option<String>,
    },
    /// Delete a ticket (asks to confirm unless --yes)
    Delete {
        /// Ticket id
        id: i64,
        /// Do not ask
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

#[derive(Debug, Clone, Args, Default)]
pub struct CreateArgs {
    /// Start from this ticket template (id or name); flags below override its fields
    #[arg(long, visible_alias = "template-id", value_name = "ID|NAME")]
    pub template: Option<String>,
    #[arg(long)]
    pub title: Option<String>,
    /// Details text (plain text; use --html to send HTML as is). "-" reads stdin
    #[arg(long)]
    pub details: Option<String>,
    /// Send --details as HTML without escaping
    #[arg(long)]
    pub html: bool,
    /// Account id or name
    #[arg(long, visible_alias = "account-id")]
    pub account: Option<String>,
    /// Location id or name within the account (default: the account's main location)
    #[arg(long, visible_alias = "location-id")]
    pub location: Option<String>,
    /// Contact id or name within the account
    #[arg(long, visible_alias = "contact-id")]
    pub contact: Option<String>,
    /// Status id or name (default: the first status, usually New)
    #[arg(long, visible_alias = "status-id")]
    pub status: Option<String>,
    #[arg(long, visible_alias = "priority-id")]
    pub priority: Option<String>,
    /// Ticket type id or name
    #[arg(long = "type", visible_alias = "type-id")]
    pub ticket_type: Option<String>,
    /// Source id or name (Phone, Email, ...)
    #[arg(long, visible_alias = "source-id")]
    pub source: Option<String>,
    #[arg(long, visible_alias = "queue-id")]
    pub queue: Option<String>,
    /// Assignee id or name, or "me"
    #[arg(long, visible_alias = "assignee-id")]
    pub assignee: Option<String>,
    /// Open date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, UTC; default now)
    #[arg(long)]
    pub open_date: Option<String>,
    /// Due date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, UTC)
    #[arg(long)]
    pub due_date: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct AssignArgs {
    /// Ticket id
    pub id: i64,
    /// Assignee id or name, or "me"
    #[arg(long, visible_alias = "assignee-id")]
    pub assignee: Option<String>,
    /// Queue id or name
    #[arg(long, visible_alias = "queue-id")]
    pub queue: Option<String>,
    /// The note written with the assignment (required by BMS)
    #[arg(long, short = 'm', visible_alias = "message")]
    pub details: String,
    /// Note type id or name (default: the first note type)
    #[arg(long = "type", visible_alias = "type-id")]
    pub note_type: Option<String>,
    /// Status id or name after assignment (default: unchanged)
    #[arg(long, visible_alias = "status-id")]
    pub status: Option<String>,
    /// Make the note visible to the customer (internal by default)
    #[arg(long)]
    pub external: bool,
}

#[derive(Debug, Subcommand)]
pub enum NotesCmd {
    /// List a ticket's notes, oldest first
    List { ticket: i64 },
    /// Show one note
    Get { ticket: i64, note: i64 },
    /// Add a note (text from --message, --file, or stdin)
    Add(NoteWriteArgs),
    /// Replace a note's text
    Update {
        #[command(flatten)]
        write: NoteWriteArgs,
        /// Note id
        #[arg(long)]
        note: i64,
    },
    /// Delete a note (asks to confirm unless --yes)
    Delete {
        ticket: i64,
        note: i64,
        #[arg(long, short = 'y')]
        yes: bool,
    },
}

#[derive(Debug, Clone, Args)]
pub struct NoteWriteArgs {
    /// Ticket id
    pub ticket: i64,
    /// Note text (plain text, escaped to HTML)
    #[arg(long, short = 'm', visible_alias = "details")]
    pub message: Option<String>,
    /// Read the note text from a file ("-" = stdin)
    #[arg(long, short = 'f')]
    pub file: Option<PathBuf>,
    /// Visible to the customer (internal by default)
    #[arg(long)]
    pub external: bool,
    /// Note type id or name
    #[arg(long = "type", visible_alias = "type-id")]
    pub note_type: Option<String>,
    /// Also change the ticket's status (id or name)
    #[arg(long, visible_alias = "status-id")]
    pub status: Option<String>,
    /// Note date (default now)
    #[arg(long)]
    pub note_date: Option<String>,
    /// Send the text as HTML without escaping
    #[arg(long)]
    pub html: bool,
}

#[derive(Debug, Subcommand)]
pub enum TemplatesCmd {
    /// Ticket templates
    #[command(subcommand)]
    Tickets(TicketTemplatesCmd),
    /// Note templates
    #[command(subcommand)]
    Notes(ListOnly),
    /// Time-log templates
    #[command(subcommand)]
    Timelogs(ListOnly),
}

#[derive(Debug, Subcommand)]
pub enum TicketTemplatesCmd {
    List,
    Get { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum ListOnly {
    List,
}

#[derive(Debug, Subcommand)]
pub enum TimeCmd {
    /// List a ticket's time logs
    List { ticket: i64 },
    /// Log time on a ticket
    Add(TimeAddArgs),
}

#[derive(Debug, Clone, Args)]
pub struct TimeAddArgs {
    /// Ticket id
    pub ticket: i64,
    /// Start time HH:MM (default: --minutes before --end / now)
    #[arg(long)]
    pub start: Option<String>,
    /// End time HH:MM (default now). Earlier than --start means the next day: the entry is
    /// split at midnight, one per day (with --json, a list of the entries)
    #[arg(long)]
    pub end: Option<String>,
    /// Duration in minutes (with --start or --end, or alone to end now)
    #[arg(long)]
    pub minutes: Option<u32>,
    /// Date of the start, YYYY-MM-DD (default today)
    #[arg(long)]
    pub date: Option<String>,
    /// Work type id or name (default from --template, else the default work type)
    #[arg(long)]
    pub work_type: Option<String>,
    /// Role id or name (default from --template, else the default role)
    #[arg(long)]
    pub role: Option<String>,
    /// Notes (customer-visible)
    #[arg(long, short = 'm')]
    pub notes: Option<String>,
    #[arg(long)]
    pub internal_notes: Option<String>,
    /// Time-log template id or name
    #[arg(long)]
    pub template: Option<String>,
}
