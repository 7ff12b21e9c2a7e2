//! A JSON value against an OpenAPI 3.0 schema, for the subset `bms-openapi.json` uses
//! (Swashbuckle output): `$ref`, `type` (integer apart from number), `format` (int32/int64
//! ranges, date-time, date, date-span, uuid), `nullable`, `properties`,
//! `additionalProperties` (false, or a schema for dictionaries), `required`, `items`, `enum`,
//! `minLength`, `minimum`/`maximum`, `readOnly`. The document has no allOf/oneOf/anyOf
//! (checked by a test, so a spec update that adds them fails loudly instead of passing).
//!
//! How the spec is read where it cannot say everything (each rule is also listed in
//! `divergences.rs`, `SPEC_READINGS`, with its reason):
//! * Property names match case-insensitively in requests (the server binds input in any
//!   case); a reply key must be the spec's PascalCase name or its System.Text.Json camelCase
//!   (what the live server sends, bms-api.md §2.2).
//! * A property that is a `$ref` to an object schema may be `null` (OpenAPI 3.0 cannot mark a
//!   `$ref` nullable; every reply has `"error": null` or `"result": null` on one side of
//!   success). An array item may not.
//! * `date-time` is RFC 3339 with an offset or the naive .NET form (`2025-01-15T14:00:00`,
//!   fractions allowed): the spec has no examples, and .NET writes `DateTime`s of unspecified
//!   kind without an offset (bms-api.md §2.4).

use serde_json::Value;

/// Which way a value travels: requests may not carry `readOnly` properties.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    Request,
    Reply,
}

impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Side::Request => "request",
            Side::Reply => "reply",
        })
    }
}

/// One way a value breaks its schema. `at` is a path with array indexes left out
/// (`$.result[].isDefault`) and `kind` a short description without the value, so the same
/// divergence on every row is one key; `detail` has the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub at: String,
    pub kind: String,
    pub detail: String,
}

pub struct Checker<'a> {
    doc: &'a Value,
    side: Side,
    pub findings: Vec<Finding>,
    /// Reply fields the schema documents that the value leaves out (`$.result[].details`).
    /// Not a divergence (the spec marks nothing required in replies), but a real server
    /// sends every property, `null` when empty: worth knowing about a simulator.
    pub omitted: Vec<String>,
}

/// What a `$ref` points at (`#/components/schemas/Name`).
pub fn resolve<'a>(doc: &'a Value, r: &str) -> Option<&'a Value> {
    let ptr = r.strip_prefix('#')?;
    doc.pointer(ptr)
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// A property name as System.Text.Json's `JsonNamingPolicy.CamelCase` writes it (written
/// here from its source, not taken from the client, so the check stays independent): the
/// leading capitals are lower-cased up to the one that starts the next word ("SLAId" ->
/// "slaId", "IsSLAPaused" -> "isSLAPaused", "ID" -> "id").
pub fn camel_case(name: &str) -> String {
    let mut chars: Vec<char> = name.chars().collect();
    if chars.first().is_none_or(|c| !c.is_uppercase()) {
        return name.to_string();
    }
    for i in 0..chars.len() {
        if i == 1 && !chars[i].is_uppercase() {
            break;
        }
        let next_lower = chars.get(i + 1).is_some_and(|c| !c.is_uppercase());
        if i > 0 && next_lower {
            if chars[i + 1] == ' ' {
                chars[i] = chars[i].to_lowercase().next().unwrap_or(chars[i]);
            }
            break;
        }
        chars[i] = chars[i].to_lowercase().next().unwrap_or(chars[i]);
    }
    chars.into_iter().collect()
}

fn is_nullable_schema(s: &Value) -> bool {
    s.get("nullable").and_then(Value::as_bool) == Some(true)
}

fn is_object_schema(s: &Value) -> bool {
    s.get("type").and_then(Value::as_str) == Some("object") || s.get("properties").is_some()
}

/// `2025-01-15T14:00:00`, with fractions, or RFC 3339 with `Z`/an offset.
pub fn is_date_time(s: &str) -> bool {
    if chrono::DateTime::parse_from_rfc3339(s).is_ok() {
        return true;
    }
    chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f").is_ok()
}

/// A .NET `TimeSpan`: `[-][d.]hh:mm:ss[.fffffff]`.
pub fn is_date_span(s: &str) -> bool {
    let s = s.strip_prefix('-').unwrap_or(s);
    let (days, rest) = match s.split_once('.') {
        Some((d, r)) if r.contains(':') && !d.contains(':') => (Some(d), r),
        _ => (None, s),
    };
    if days.is_some_and(|d| d.is_empty() || !d.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    let (hms, frac) = match rest.split_once('.') {
        Some((h, f)) => (h, Some(f)),
        None => (rest, None),
    };
    if frac.is_some_and(|f| f.is_empty() || f.len() > 7 || !f.bytes().all(|b| b.is_ascii_digit())) {
        return false;
    }
    let parts: Vec<&str> = hms.split(':').collect();
    let limits = [23u32, 59, 59];
    parts.len() == 3
        && parts.iter().zip(limits).all(|(p, max)| {
            !p.is_empty()
                && p.len() <= 2
                && p.bytes().all(|b| b.is_ascii_digit())
                && p.parse::<u32>().is_ok_and(|n| n <= max)
        })
}

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

impl<'a> Checker<'a> {
    pub fn new(doc: &'a Value, side: Side) -> Self {
        Checker {
            doc,
            side,
            findings: Vec::new(),
            omitted: Vec::new(),
        }
    }

    fn push(&mut self, at: &str, kind: impl Into<String>, detail: impl Into<String>) {
        self.findings.push(Finding {
            at: at.to_string(),
            kind: kind.into(),
            detail: detail.into(),
        });
    }

    /// Checks `v` (found at `at`) against `schema`.
    pub fn check(&mut self, schema: &Value, v: &Value, at: &str) {
        self.check_in(schema, v, at, true)
    }

    /// `ref_may_be_null`: `v` is a property (or the whole value), where the reading lets a
    /// `$ref` object be null; an array item is not (no server sends `[null]`, and nothing
    /// in the spec's envelopes needs it).
    fn check_in(&mut self, schema: &Value, v: &Value, at: &str, ref_may_be_null: bool) {
        if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
            let Some(target) = resolve(self.doc, r) else {
                self.push(at, format!("unresolvable $ref {r}"), "");
                return;
            };
            // Reading: a `$ref` to an object may be null (see the module comment).
            if v.is_null() && ref_may_be_null && is_object_schema(target) {
                return;
            }
            if v.is_null() && !is_nullable_schema(target) {
                self.push(at, "null where the schema is not nullable", "");
                return;
            }
            return self.check_in(target, v, at, ref_may_be_null);
        }
        if v.is_null() {
            let nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true);
            let typed = schema.get("type").is_some() || schema.get("enum").is_some();
            if !nullable && typed {
                self.push(at, "null where the schema is not nullable", "");
            }
            return;
        }
        if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
            && !allowed.contains(v)
        {
            self.push(at, "value not in the enum", v.to_string());
            return;
        }
        let Some(ty) = schema.get("type").and_then(Value::as_str) else {
            // No type: anything goes (`{"nullable": true}` dictionary values).
            return;
        };
        let ok = match ty {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            other => {
                self.push(
                    at,
                    format!("schema type {other} unknown to the checker"),
                    "",
                );
                return;
            }
        };
        if !ok {
            let detail: String = v.to_string().chars().take(80).collect();
            self.push(
                at,
                format!("{} where the schema says {ty}", kind_of(v)),
                detail,
            );
            return;
        }
        match v {
            Value::Object(map) => self.check_object(schema, map, at),
            Value::Array(items) => {
                if let Some(item) = schema.get("items") {
                    let at = format!("{at}[]");
                    for x in items {
                        self.check_in(item, x, &at, false);
                    }
                }
            }
            Value::String(s) => self.check_string(schema, s, at),
            Value::Number(n) => self.check_number(schema, n, at),
            _ => {}
        }
    }

    fn check_object(&mut self, schema: &Value, map: &serde_json::Map<String, Value>, at: &str) {
        let empty = serde_json::Map::new();
        let props = schema
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let extra = schema.get("additionalProperties");
        let mut seen: Vec<&str> = Vec::new();
        for (key, value) in map {
            let field_at = format!("{at}.{key}");
            let found = props
                .get_key_value(key.as_str())
                .or_else(|| props.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)));
            match found {
                Some((name, prop)) => {
                    if self.side == Side::Reply && key != name && *key != camel_case(name) {
                        // The server writes the spec's name or its camelCase, nothing else;
                        // a client that lower-cases the first letter would miss this key.
                        self.push(
                            &field_at,
                            format!("spelled neither {name} nor {}", camel_case(name)),
                            "",
                        );
                    }
                    if seen.iter().any(|s| s.eq_ignore_ascii_case(name)) {
                        self.push(
                            &field_at,
                            format!("{name} given twice (in two casings)"),
                            "",
                        );
                    }
                    seen.push(name);
                    if self.side == Side::Request
                        && prop.get("readOnly").and_then(Value::as_bool) == Some(true)
                    {
                        self.push(&field_at, "readOnly field sent", "");
                    }
                    self.check(prop, value, &field_at);
                }
                None => match extra {
                    Some(s @ Value::Object(_)) => self.check(s, value, &format!("{at}{{}}")),
                    Some(Value::Bool(true)) => {}
                    // `false`, or absent on a typed object: strict, a field the schema does
                    // not name is a divergence.
                    _ => self.push(&field_at, "field not in the schema", ""),
                },
            }
        }
        if self.side == Side::Reply {
            for name in props.keys() {
                if !map.keys().any(|k| k.eq_ignore_ascii_case(name)) {
                    self.omitted.push(format!("{at}.{name}"));
                }
            }
        }
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for name in required.iter().filter_map(Value::as_str) {
                if !map.keys().any(|k| k.eq_ignore_ascii_case(name)) {
                    self.push(&format!("{at}.{name}"), "required field missing", "");
                }
            }
        }
    }

    fn check_string(&mut self, schema: &Value, s: &str, at: &str) {
        if let Some(min) = schema.get("minLength").and_then(Value::as_u64)
            && (s.chars().count() as u64) < min
        {
            self.push(
                at,
                format!("shorter than minLength {min}"),
                format!("{s:?}"),
            );
        }
        let format = schema.get("format").and_then(Value::as_str);
        let ok = match format {
            Some("date-time") => is_date_time(s),
            Some("date") => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok(),
            Some("date-span") => is_date_span(s),
            Some("uuid") => is_uuid(s),
            _ => true,
        };
        if !ok {
            let detail: String = s.chars().take(80).collect();
            self.push(
                at,
                format!("not a {}", format.unwrap_or_default()),
                format!("{detail:?}"),
            );
        }
    }

    fn check_number(&mut self, schema: &Value, n: &serde_json::Number, at: &str) {
        let format = schema.get("format").and_then(Value::as_str);
        if format == Some("int32") && n.as_i64().is_none_or(|i| i32::try_from(i).is_err()) {
            self.push(at, "outside int32", n.to_string());
        }
        if format == Some("int64") && n.as_i64().is_none() {
            self.push(at, "outside int64", n.to_string());
        }
        let x = n.as_f64().unwrap_or(f64::NAN);
        if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
            && x < min
        {
            self.push(at, format!("below minimum {min}"), n.to_string());
        }
        if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
            && x > max
        {
            self.push(at, format!("above maximum {max}"), n.to_string());
        }
    }
}
