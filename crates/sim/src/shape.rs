//! How a reply goes out, the way real servers differ: the case of every JSON key (camelCase
//! like the live server, or PascalCase exactly as the spec spells it) and `null` in the
//! fields the spec marks nullable, drawn at a rate per record and field from the tenant's
//! seed (the same record always has the same `null`s).
//!
//! Replies are built in camelCase (the live server's spelling, and the cheap path); a
//! PascalCase server's keys are rewritten on the way out.
//!
//! The shape of the server ([`super::SimConfig::pascal_case`], [`super::SimConfig::null_rate`])
//! is put in a task-local by `faults::inject_faults` around every API request, so the
//! envelope and error builders need no state passed to them.

use std::future::Future;

use serde_json::{Map, Value};

use super::wire::Wire;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Shape {
    /// Every key PascalCase (the spec's spelling) instead of camelCase.
    pub pascal: bool,
    /// Chance that a nullable field of a record is `null`.
    pub null_rate: f64,
    pub seed: u64,
}

tokio::task_local! {
    static SHAPE: Shape;
}

/// Runs `f` (one request) with replies shaped as `shape`.
pub async fn scoped<F: Future>(shape: Shape, f: F) -> F::Output {
    SHAPE.scope(shape, f).await
}

/// The shape of the reply being built (the plain one outside a request: benches, fixtures).
pub fn current() -> Shape {
    SHAPE.try_with(|s| *s).unwrap_or_default()
}

/// Fields never drawn `null`, though the spec allows it, because the server cannot lack
/// them for a record it returns: what the input DTO requires was stored when the record
/// was written (a ticket's title, account, location, type, source and open date; a note's
/// text and type; a time entry's day, times, work type and role), the server makes the
/// ticket number, a sign-in that succeeded has its tokens, and a row of a named list has
/// its name. Everything else nullable may be `null` on a real tenant, and is here.
fn always_set(schema: &str, field: &str) -> bool {
    match schema {
        "TicketListDto" | "TicketOutputDto" => matches!(
            field,
            "TicketNumber"
                | "Title"
                | "Details"
                | "AccountId"
                | "LocationId"
                | "TypeId"
                | "SourceId"
                | "OpenDate"
        ),
        "TicketNoteOutputDto" => matches!(field, "Details" | "TypeId"),
        "TicketTimeEntryOutputDto" => {
            matches!(
                field,
                "StartDate" | "StartTime" | "EndTime" | "WorkTypeId" | "RoleId"
            )
        }
        "TokenOutputDto" => true,
        "TicketNoteTemplateDetailsOutputDto" => field == "Details",
        _ => field == "Name",
    }
}

/// A number in `[0, 1)` fixed by the seed, the schema, the record and the field
/// (FNV-1a, then a splitmix64 finaliser so neighbouring ids are unrelated).
fn draw(seed: u64, schema: &str, key: i64, field: &str) -> f64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in schema
        .bytes()
        .chain([0])
        .chain(key.to_le_bytes())
        .chain(field.bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^= h >> 31;
    (h >> 11) as f64 / (1u64 << 53) as f64
}

/// Whether `field` of the record `key` of `schema` is sent as `null` under `shape`.
pub fn is_nulled(shape: &Shape, schema: &str, key: i64, field: &str) -> bool {
    shape.null_rate > 0.0
        && !always_set(schema, field)
        && draw(shape.seed, schema, key, field) < shape.null_rate
}

/// A record as JSON in the server's key case, with its `null`s drawn by its own id.
pub fn record<T: Wire>(x: &T) -> Value {
    record_keyed(x, x.key())
}

/// [`record`] for a schema without an id of its own (a ticket's SLA info: the ticket's).
pub fn record_keyed<T: Wire>(x: &T, key: i64) -> Value {
    let mut v = serde_json::to_value(x).unwrap_or(Value::Null);
    let shape = current();
    let Value::Object(map) = &mut v else {
        return v;
    };
    if shape.null_rate > 0.0 {
        for field in T::NULLABLE {
            if is_nulled(&shape, T::SCHEMA, key, field)
                && let Some(slot) = map.get_mut(&camel(field))
            {
                *slot = Value::Null;
            }
        }
    }
    if shape.pascal {
        let mut spec = Map::new();
        for field in T::FIELDS {
            if let Some(value) = map.remove(&camel(field)) {
                spec.insert((*field).to_string(), value);
            }
        }
        return Value::Object(spec);
    }
    v
}

/// Records as a JSON array.
pub fn records<T: Wire>(xs: &[T]) -> Value {
    Value::Array(xs.iter().map(record).collect())
}

/// The camelCase .NET (Newtonsoft's `CamelCaseNamingStrategy`) makes of a PascalCase name:
/// the leading capitals are lower-cased, except the last of a run that starts a word
/// (`SLAName` -> `slaName`, `HasMetSLA` -> `hasMetSLA`, `CCs` -> `cCs`, `Id` -> `id`).
/// Written here rather than borrowed from the client, so the two can disagree.
pub fn camel(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    let mut out = String::with_capacity(key.len());
    let mut lowering = true;
    for (i, c) in chars.iter().enumerate() {
        if lowering {
            let next_lower = chars.get(i + 1).is_some_and(|n| !n.is_uppercase());
            if !c.is_uppercase() || (i > 0 && next_lower) {
                lowering = false;
            }
        }
        if lowering {
            out.extend(c.to_lowercase());
        } else {
            out.push(*c);
        }
    }
    out
}

/// A key with a capital first letter: the envelope's and the error's keys for a PascalCase
/// server (records get theirs from their schema, [`record_keyed`]).
fn capitalised(key: &str) -> String {
    let mut c = key.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The reply body as it goes out: keys in the server's case (built in camelCase; for a
/// PascalCase server the records' keys are already the spec's, and the rest is capitalised).
pub fn finish(v: Value) -> Value {
    if current().pascal { pascal_keys(v) } else { v }
}

fn pascal_keys(v: Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (capitalised(&k), pascal_keys(v)))
                .collect::<Map<String, Value>>(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(pascal_keys).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camel_case_follows_dotnet() {
        for (pascal, camel_) in [
            ("Id", "id"),
            ("TicketNumber", "ticketNumber"),
            ("SLAName", "slaName"),
            ("SLALastPausedTime", "slaLastPausedTime"),
            ("HasMetSLA", "hasMetSLA"),
            ("IsSLAPaused", "isSLAPaused"),
            ("CCs", "cCs"),
            ("VSAAssetId", "vsaAssetId"),
            ("PictureURL", "pictureURL"),
            ("MFACode", "mfaCode"),
            ("ID", "id"),
            ("already", "already"),
        ] {
            assert_eq!(camel(pascal), camel_, "{pascal}");
        }
    }

    #[test]
    fn nulls_are_deterministic_and_near_the_rate() {
        let shape = Shape {
            pascal: false,
            null_rate: 0.1,
            seed: 7,
        };
        let hits = (0..10_000)
            .filter(|&id| is_nulled(&shape, "TicketListDto", id, "QueueName"))
            .count();
        assert!((800..1200).contains(&hits), "{hits}");
        let again = (0..10_000)
            .filter(|&id| is_nulled(&shape, "TicketListDto", id, "QueueName"))
            .count();
        assert_eq!(hits, again);
        // Another seed, other records.
        let other = Shape { seed: 8, ..shape };
        let differ = (0..1000)
            .filter(|&id| {
                is_nulled(&shape, "TicketListDto", id, "QueueName")
                    != is_nulled(&other, "TicketListDto", id, "QueueName")
            })
            .count();
        assert!(differ > 50, "{differ}");
        // Never the fields a record cannot lack.
        assert!((0..10_000).all(|id| !is_nulled(
            &Shape {
                null_rate: 1.0,
                ..shape
            },
            "TicketListDto",
            id,
            "Title"
        )));
        assert!(!is_nulled(
            &Shape {
                null_rate: 0.0,
                ..shape
            },
            "TicketListDto",
            1,
            "QueueName"
        ));
    }
}
