//! Everything about the BMS wire format that is not a field list: key casing, the response
//! envelope and date formats. The real API's details are partly unknown (see
//! `shared/bms-api.md` §2), so every guess about them lives here and nowhere else.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use crate::tenant_time::TenantZone;
use serde::{Deserialize, Deserializer, Serializer};
use serde_json::Value;

/// The .NET camelCase of a key, as System.Text.Json produces it: the leading run of capitals is
/// lower-cased except a capital that starts the next word ("SLAId" -> "slaId",
/// "IsSLAPaused" -> "isSLAPaused", "ID" -> "id"). Applying it to a camelCase key is a no-op, so
/// PascalCase (the spec) and camelCase (the live server) both end up as one spelling.
pub fn dotnet_camel(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.first().is_none_or(|c| !c.is_uppercase()) {
        return key.to_string();
    }
    let mut out = chars.clone();
    for i in 0..chars.len() {
        if i == 1 && !chars[i].is_uppercase() {
            break;
        }
        let next_is_upper = chars.get(i + 1).map(|c| c.is_uppercase());
        if i > 0 && next_is_upper == Some(false) {
            break;
        }
        out[i] = chars[i].to_lowercase().next().unwrap_or(chars[i]);
    }
    out.into_iter().collect()
}

/// Rewrites every object key in `value` (recursively) to its .NET camelCase spelling, and
/// drops the keys whose value is `null` from every object below the top level.
///
/// Why drop them: the spec marks most fields `nullable` (titles, names, note text, the token
/// pair…) and every reply DTO defaults a missing field, so a `null` decodes as that default
/// (an empty title, `None`) instead of failing the whole reply. One null must never break a
/// list. The top level (the envelope) keeps its nulls: there `result: null` means "nothing".
pub fn normalize_keys(mut value: Value) -> Value {
    normalize_in_place(&mut value, false);
    value
}

/// Keys already in camelCase (the live server's spelling) are left where they are: an
/// object is only rebuilt when one of its keys starts with a capital.
fn normalize_in_place(value: &mut Value, drop_nulls: bool) {
    match value {
        Value::Object(map) => {
            if drop_nulls {
                map.retain(|_, v| !v.is_null());
            }
            if map
                .keys()
                .any(|k| k.starts_with(|c: char| c.is_uppercase()))
            {
                let old = std::mem::take(map);
                for (k, mut v) in old {
                    normalize_in_place(&mut v, true);
                    map.insert(dotnet_camel(&k), v);
                }
            } else {
                map.values_mut().for_each(|v| normalize_in_place(v, true));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| normalize_in_place(v, true)),
        _ => {}
    }
}

/// The years a date sent to or taken from the server may have. The API documents no range;
/// outside this one a date is a typo (`9999`, `0001`), and date arithmetic on it (SLA
/// targets, day ranges) could overflow. Notes, time logs and the simulator all check it.
pub const DATE_YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// Parses the date-time spellings seen on the wire: naive (`2025-01-15T14:00:00`, with or
/// without fractions, or a bare date for its midnight) or with `Z`/offset. A value with an
/// offset is taken as given; a naive one is a wall time in the tenant's zone of the current
/// [`tenant_time`](crate::tenant_time) scope (the one rule, bms-api.md §2.4).
pub fn parse_datetime(s: &str) -> Option<DateTime<Utc>> {
    parse_datetime_in(s, crate::tenant_time::current())
}

/// [`parse_datetime`] with naive values in `zone`.
pub fn parse_datetime_in(s: &str, zone: TenantZone) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.with_timezone(&Utc));
    }
    parse_naive(s).map(|n| zone.to_instant(n))
}

/// The naive spellings: date-time with or without fractions or seconds, or a date.
pub fn parse_naive(s: &str) -> Option<NaiveDateTime> {
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
    ] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(naive);
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

/// The spelling we send: naive, in the tenant's zone of the current scope (as the spec's
/// examples and most clients send it; UTC outside a scope).
pub fn format_datetime(dt: &DateTime<Utc>) -> String {
    format_naive(&crate::tenant_time::current().to_naive(*dt))
}

/// A naive date-time as the wire writes it (`2025-01-15T14:00:00`).
pub fn format_naive(n: &NaiveDateTime) -> String {
    use chrono::{Datelike, Timelike};
    // Written out: `format("%Y-%m-%dT%H:%M:%S")` re-parses the pattern on every call, and a
    // 10k-ticket `--json` list formats 140k dates.
    let (d, t) = (n.date(), n.time());
    let year = d.year();
    if (0..=9999).contains(&year) {
        format!(
            "{year:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            d.month(),
            d.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    } else {
        n.format("%Y-%m-%dT%H:%M:%S").to_string()
    }
}

/// serde helpers for `Option<DateTime<Utc>>` fields in wire structs.
pub mod opt_datetime {
    use super::*;

    pub fn serialize<S: Serializer>(v: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(dt) => s.serialize_str(&format_datetime(dt)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        let v = Option::<Value>::deserialize(d)?;
        Ok(match v {
            Some(Value::String(s)) => parse_datetime(&s),
            _ => None,
        })
    }
}

/// serde helpers for `Option<NaiveDate>` fields the server sends as a date-time (a time
/// log's `StartDate`): the tenant's calendar day. A naive value's own date; one with an
/// offset is the day in the tenant's zone at that instant.
pub mod opt_day {
    use super::*;

    pub fn serialize<S: Serializer>(v: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
        match v.and_then(|d| d.and_hms_opt(0, 0, 0)) {
            Some(n) => s.serialize_str(&format_naive(&n)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        let v = Option::<Value>::deserialize(d)?;
        let Some(Value::String(s)) = v else {
            return Ok(None);
        };
        let s = s.trim();
        Ok(parse_naive(s)
            .or_else(|| {
                DateTime::parse_from_rfc3339(s)
                    .ok()
                    .map(|t| super::super::tenant_time::current().to_naive(t.with_timezone(&Utc)))
            })
            .map(|n| n.date()))
    }
}

/// serde helpers for required `DateTime<Utc>` fields we send.
pub mod datetime {
    use super::*;

    pub fn serialize<S: Serializer>(v: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_datetime(v))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        parse_datetime(&s).ok_or_else(|| serde::de::Error::custom(format!("bad date-time {s:?}")))
    }
}

/// Accepts booleans that arrive as `true`/`false`, `0`/`1` or `"true"` (several flags are int32
/// 0/1 on the wire, bms-api.md §2.4).
pub mod flexible_bool {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
        let v = Option::<Value>::deserialize(d)?;
        Ok(match v {
            Some(Value::Bool(b)) => Some(b),
            Some(Value::Number(n)) => Some(n.as_i64().unwrap_or(0) != 0),
            Some(Value::String(s)) => match s.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => Some(true),
                "false" | "0" | "no" => Some(false),
                _ => None,
            },
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn dotnet_camel_matches_system_text_json() {
        assert_eq!(dotnet_camel("SLAId"), "slaId");
        assert_eq!(dotnet_camel("IsSLAPaused"), "isSLAPaused");
        assert_eq!(dotnet_camel("ID"), "id");
        assert_eq!(dotnet_camel("Id"), "id");
        assert_eq!(dotnet_camel("TicketNumber"), "ticketNumber");
        assert_eq!(dotnet_camel("ticketNumber"), "ticketNumber");
        assert_eq!(dotnet_camel("MFACode"), "mfaCode");
        assert_eq!(dotnet_camel(""), "");
        assert_eq!(dotnet_camel("URL"), "url");
    }

    #[test]
    fn datetimes_in_every_seen_spelling() {
        let expect = Utc.with_ymd_and_hms(2025, 1, 15, 14, 0, 0).unwrap();
        for s in [
            "2025-01-15T14:00:00",
            "2025-01-15T14:00:00.000Z",
            "2025-01-15T14:00:00.1234567",
            "2025-01-15T15:00:00+01:00",
        ] {
            let got = parse_datetime(s).unwrap();
            assert_eq!(got.timestamp(), expect.timestamp(), "{s}");
        }
        assert_eq!(parse_datetime("not a date"), None);
        assert_eq!(format_datetime(&expect), "2025-01-15T14:00:00");
        for dt in [
            Utc.with_ymd_and_hms(1, 2, 3, 4, 5, 6).unwrap(),
            Utc.with_ymd_and_hms(2025, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(-5, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(12345, 1, 1, 0, 0, 0).unwrap(),
            expect + chrono::Duration::milliseconds(999),
        ] {
            assert_eq!(
                format_datetime(&dt),
                dt.format("%Y-%m-%dT%H:%M:%S").to_string()
            );
        }
    }
}
