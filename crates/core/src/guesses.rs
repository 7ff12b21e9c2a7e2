//! Every remaining guess about the real BMS API, in one place.
//!
//! The public spec (`bms-openapi.json`) and the working public clients (`shared/bms-api.md`)
//! leave some things open. What bmsdesk assumes about each is written here, once, with why it
//! is a guess and what measures it on a real tenant. `bmsdesk doctor` measures what it can
//! and stores it per profile (`api::capabilities`); the client prefers a measurement to the
//! guess below. Code elsewhere refers to these items instead of repeating the values.
//!
//! Not guesses, because the client accepts every form a server might use: key casing
//! (PascalCase or camelCase, `wire::dotnet_camel`), naive or offset timestamps
//! (`wire::parse_datetime`), `null` in any nullable field (`wire::decode`), a missing or
//! lying `totalRecords` (`paging`), `Retry-After` as seconds or a date (`retry`).

use chrono::Duration;

// ---- hosts -------------------------------------------------------------------------------

/// A named region: what a profile's `api_base` may say instead of a URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    /// The canonical name.
    pub name: &'static str,
    /// Other names accepted for it (lower case).
    pub aliases: &'static [&'static str],
    /// The API base URL.
    pub api_base: &'static str,
    /// The API host is inferred, not documented: see the region's comment.
    pub inferred: bool,
}

/// GUESS: the API hosts of the named regions. US, EMEA, APAC and Pulseway PSA are named by
/// vendor documentation and used by working clients (bms-api.md §1); the NA1 preview
/// region's UI host (`na1bmspreview.kaseya.com`) is documented but its API host is only
/// inferred from the rule "prefix the UI host with `api.`" one integrator states.
/// Measured by: signing in (`bmsdesk login`, `bmsdesk doctor`); a wrong host fails to
/// connect. A full `https://` URL in `api_base` always works instead.
pub const REGIONS: &[Region] = &[
    Region {
        name: "us",
        aliases: &["", "na", "bms", "default"],
        api_base: "https://api.bms.kaseya.com",
        inferred: false,
    },
    Region {
        name: "emea",
        aliases: &["eu"],
        api_base: "https://api.bmsemea.kaseya.com",
        inferred: false,
    },
    Region {
        name: "apac",
        aliases: &["au"],
        api_base: "https://api.bmsapac.kaseya.com",
        inferred: false,
    },
    Region {
        name: "pulseway",
        aliases: &["psa", "pulseway-psa"],
        api_base: "https://api.psa.pulseway.com",
        inferred: false,
    },
    // The host is inferred (see above): the only region here not seen working.
    Region {
        name: "na1bmspreview",
        aliases: &["preview", "na1preview", "na1-preview"],
        api_base: "https://api.na1bmspreview.kaseya.com",
        inferred: true,
    },
];

// ---- sign-in -----------------------------------------------------------------------------

/// GUESS (a known, deliberate divergence from the spec): the sign-in and refresh forms are
/// sent `application/x-www-form-urlencoded`. The spec declares `multipart/form-data`; six
/// working public clients send urlencoded and ASP.NET form binding reads both (bms-api.md
/// §3.1). Measured by: signing in at all (`bmsdesk doctor` reports the sign-in path).
pub const SIGN_IN_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// GUESS: a refused sign-in means "an MFA code is needed" when its message names MFA (one of
/// these words) and asks for it (one of [`MFA_ASKS`]). The server's wording and error codes
/// are not documented (bms-api.md §3.5). Measured by: `bmsdesk doctor` with an MFA user
/// (it reports the sign-in path); nothing measures the wording automatically.
pub const MFA_WORDS: &[&str] = &["mfa", "two-factor", "2fa", "one-time"];
/// See [`MFA_WORDS`].
pub const MFA_ASKS: &[&str] = &["required", "missing", "provide", "enter"];

/// GUESS: an access token whose reply names no expiry lasts an hour (what the Go CLI assumes;
/// tokens are "short-lived", bms-api.md §3.4). A 401 renews it early in any case.
/// Measured by: `bmsdesk doctor` (token lifetime, `Capabilities::token_lifetime_secs`).
pub const ASSUMED_TOKEN_LIFETIME: Duration = Duration::hours(1);

// ---- request budget ----------------------------------------------------------------------

/// GUESS: the server allows 1,500 requests per hour per endpoint (Kaseya's and Pulseway's
/// documentation for v2; an older article says 500). Which requests share an "endpoint" is
/// not documented either: we count per path template, ids replaced (`client::path_template`),
/// so every `GET /tickets/{id}` shares one budget. No rate-limit headers are documented and
/// whether the server answers 429 is unknown (bms-api.md §5). Measured by: nothing yet;
/// `bmsdesk doctor` shows what its own run sent per endpoint (each process counts its own)
/// and what a TUI session polls (`tui::polling`).
pub const HOURLY_LIMIT: u32 = 1500;

// ---- paging ------------------------------------------------------------------------------

/// GUESS: `PageSize` 100 is a size every list endpoint serves whole (what working clients
/// page by, bms-api.md §4). Measured by: `bmsdesk doctor` (largest page size honoured,
/// `Capabilities::max_page_size`, which lowers the size asked for when smaller).
pub const DEFAULT_PAGE_SIZE: u32 = 100;

/// GUESS: the largest `PageSize` worth asking for. The maximum is undocumented (one client
/// asks for 3,000, unverified); a `page_size` above this is refused in the config.
/// Measured by: `bmsdesk doctor` (`Capabilities::max_page_size`).
pub const MAX_PAGE_SIZE: u32 = 5000;

/// GUESS: `PageNumber` counts from 1 (four working clients do; what 0 means is unknown).
/// Measured by: nothing; a server that took 0 as the first page would repeat page 1 and be
/// caught by `paging`'s repeated-page check.
pub const FIRST_PAGE: u32 = 1;

// GUESS: a page shorter than asked ends a list that has no `totalRecords` (lookups, notes,
// time logs). A server that caps pages below the size asked would make that cut lists
// short, so `paging` believes a short *first* page only when the size asked is known to be
// served (measured) and otherwise asks for one more page to be sure, and warns when a list
// may be cut. Measured by: `bmsdesk doctor` (`Capabilities::max_page_size`).

// ---- filters -----------------------------------------------------------------------------

/// GUESS: whether the server splits a comma-joined name filter (`StatusNames: "New,In
/// Progress"`) into names. The spec types these fields as one string and says nothing of
/// commas (one client's docs assert it). Unless measured, bmsdesk assumes it does *not* and
/// sends one search per name, merged by id: correct either way, at the cost of a search per
/// name. Measured by: `bmsdesk doctor` (`Capabilities::splits_commas`).
pub const ASSUME_COMMAS_SPLIT: bool = false;

// GUESS (by leaving it out): the ticket search is sent without `Sort`: its grammar is
// undocumented and no public client uses it, so lists are sorted here. Measured by:
// `bmsdesk doctor` (whether a search with `Sort = "Id"` is refused,
// `Capabilities::sort_accepted`; what any richer expression means stays unknown); the client
// does not use it.

// ---- lookups -----------------------------------------------------------------------------

/// GUESS: ticket types come from the generic system table `TicketType`. The spec has no
/// ticket-type endpoint; `GET /v2/system/lookup/{tableName}` exists and its table names are
/// not listed anywhere (bms-api.md §9). Measured by: `bmsdesk doctor` (lookup tables present,
/// `Capabilities::lookups`).
pub const TICKET_TYPE_LOOKUP: &str = "/v2/system/lookup/TicketType";

/// GUESS: note types come from the generic system table `NoteType` (same reasons as
/// [`TICKET_TYPE_LOOKUP`]). Measured by: `bmsdesk doctor` (`Capabilities::lookups`). When the
/// table is absent, see [`NOTE_TYPE_FALLBACK`].
pub const NOTE_TYPE_LOOKUP: &str = "/v2/system/lookup/NoteType";

/// Not a guess any more: `TypeId` is required on a note (spec: int, minimum 0) and no
/// document says what any value means, `0` included. So there is no fallback id: when the
/// tenant's note types are unknown (no table, nothing cached, no `note_type` in the profile)
/// a note is refused with a message saying how to name one (`domain::note_type`).
pub const NOTE_TYPE_FALLBACK: Option<i64> = None;

/// GUESS: ticket sources are this fixed system list on every tenant (seen across clients,
/// high confidence, not vendor-documented; bms-api.md §9). Measured by: `bmsdesk doctor`
/// (whether the tenant answers a sources table, `Capabilities::lookups`).
pub const TICKET_SOURCES: &[(i64, &str)] = &[
    (0, "Client Portal"),
    (1, "Phone"),
    (2, "In Person"),
    (3, "On Site"),
    (4, "Email"),
    (5, "Monitoring System"),
    (6, "Voice Mail"),
    (7, "Verbal"),
    (8, "Other"),
    (9, "Recurring"),
];

// ---- time --------------------------------------------------------------------------------

// GUESS: naive timestamps the server sends and reads are wall-clock times in the tenant's
// zone, the zone `userinfo` names (`OlsonTimeZoneName`); the zone of naive values is
// undocumented (bms-api.md §2.4). The rule and its DST-gap reading are `tenant_time`'s
// (GUESS 1 and 3 there; GUESS 2 is `TIME_ZONE_VALUE_SECS` below). Measured by: `bmsdesk
// doctor` (a ticket's timestamps read back against the server's `Date`; the zone is stored
// as `Capabilities::tenant_zone`).

/// GUESS: `userinfo`'s `TimeZoneValue` (a number, no unit in the spec) is hours east of UTC;
/// used only when `OlsonTimeZoneName` is missing (`tenant_time` GUESS 2). Measured by:
/// `bmsdesk doctor` (it shows both fields side by side).
pub const TIME_ZONE_VALUE_SECS: f64 = 3600.0;
/// The largest `TimeZoneValue` taken as an offset (real offsets stay within ±14 h).
pub const TIME_ZONE_VALUE_MAX: f64 = 14.0;

/// GUESS: `slainfo`'s goals and actuals (doubles, no unit in the spec) are minutes.
/// Measured by: nothing yet (compare a ticket's `slainfo` with its SLA in the web UI).
pub const SLA_INFO_SECS: f64 = 60.0;

// ---- who wrote it ------------------------------------------------------------------------

// GUESS: a note's `CreatedBy` (int, `TicketNoteOutputDto`) is the author's user id, the id
// `userinfo` reports as `UserId`, so the lost-reply check (`actions::reconcile::find_note`)
// knows its own notes by id (a sign-in name such as `api` is often not the author's email).
// The spec does not say which id it is. When a note carries no `CreatedBy`, its
// `CreatedByEmail` is compared with the sign-in name, and only when that name is an email.
// Measured by: `bmsdesk doctor --write-test` (the note it adds must read back with the user
// id).
