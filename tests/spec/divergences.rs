//! Every known divergence between what crosses the wire in the tests and
//! `tests/data/bms-openapi.json`, in one place, each with its reason. The conformance checks
//! fail on any divergence not listed here.

use super::check::Divergence;
use super::schema::Side;

/// A known divergence: `endpoint`, `at` and `kind` as in [`Divergence::key`]; `"*"` matches
/// anything, and an `at` ending in `*` matches by prefix.
pub struct Known {
    pub endpoint: &'static str,
    pub side: Side,
    pub at: &'static str,
    pub kind: &'static str,
    pub reason: &'static str,
}

impl Known {
    pub fn matches(&self, d: &Divergence) -> bool {
        let at_ok = match self.at.strip_suffix('*') {
            Some(prefix) => d.at.starts_with(prefix),
            None => self.at == d.at,
        };
        (self.endpoint == "*" || self.endpoint == d.endpoint)
            && self.side == d.side
            && at_ok
            && (self.kind == "*" || self.kind == d.kind)
    }
}

const FORM_REASON: &str = "the spec declares multipart/form-data for the sign-in forms; six \
    working public clients (CIPP, the Python and PowerShell samples, Power BI M, the C# \
    sample, Helpdesk Buttons) send application/x-www-form-urlencoded and the server takes it \
    (bms-api.md §3.1). The fields themselves are still checked against the form schema.";

/// The client's deliberate divergences.
pub const DELIBERATE: &[Known] = &[
    Known {
        endpoint: "POST /v2/security/authenticate",
        side: Side::Request,
        at: "content-type",
        kind: "application/x-www-form-urlencoded not documented",
        reason: FORM_REASON,
    },
    // The refresh form is the same sign-in form family, sent the same way for the same reason.
    Known {
        endpoint: "POST /v2/security/refreshtoken",
        side: Side::Request,
        at: "content-type",
        kind: "application/x-www-form-urlencoded not documented",
        reason: FORM_REASON,
    },
];

/// How the checker reads what the spec cannot say. These are rules in `schema.rs`/`check.rs`,
/// not entries to match; they are listed here so every allowance is in one place.
pub const SPEC_READINGS: &[(&str, &str)] = &[
    (
        "property names match case-insensitively in requests; in replies a key is the spec's \
         PascalCase name or its System.Text.Json camelCase",
        "the spec writes PascalCase; the live server sends camelCase and binds input in any \
         case (bms-api.md §2.2)",
    ),
    (
        "a property that is a $ref to an object schema may be null (an array item may not)",
        "OpenAPI 3.0 cannot mark a $ref nullable, and every envelope has `error: null` on \
         success or `result: null` on failure",
    ),
    (
        "date-time: RFC 3339 with an offset, or naive (`2025-01-15T14:00:00[.fffffff]`); a \
         date-time query filter may also be a bare date",
        "the spec has no examples; .NET writes DateTimes of unspecified kind without an \
         offset, and clients send both (bms-api.md §2.4)",
    ),
    (
        "a status >= 400 the spec does not list is an error reply: empty, or the envelope \
         {success:false, error: ErrorInfo, result: null}",
        "every operation documents only 200, yet the server answers 401 on an expired token \
         (bms-api.md §4) and the simulator also 400/404/409/429/503",
    ),
];

/// The entry that explains `d`, if any.
pub fn explain(d: &Divergence) -> Option<&'static Known> {
    DELIBERATE.iter().find(|k| k.matches(d))
}
