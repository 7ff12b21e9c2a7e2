//! The wire side of the simulator: response envelopes, errors, and case-insensitive access to
//! request bodies, forms and query strings. Bad input becomes a 400 here, never a panic.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::shape;
use super::wire::Wire;
use bmsdesk_core::wire::{normalize_keys, parse_datetime};

/// Error code the real server uses for "401 Security Error" (bms-api.md §3.4).
pub const CODE_SECURITY: i64 = 978001;
pub const CODE_VALIDATION: i64 = 400;
pub const CODE_NOT_FOUND: i64 = 404;

/// A failed request, answered with the error envelope.
#[derive(Debug, Clone, PartialEq)]
pub struct SimError {
    pub status: StatusCode,
    pub code: i64,
    pub message: String,
}

impl SimError {
    pub fn bad_request(message: impl Into<String>) -> Self {
        SimError {
            status: StatusCode::BAD_REQUEST,
            code: CODE_VALIDATION,
            message: message.into(),
        }
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        SimError {
            status: StatusCode::NOT_FOUND,
            code: CODE_NOT_FOUND,
            message: message.into(),
        }
    }
    pub fn unauthorized(message: impl Into<String>) -> Self {
        SimError {
            status: StatusCode::UNAUTHORIZED,
            code: CODE_SECURITY,
            message: message.into(),
        }
    }
    pub fn required(field: &str) -> Self {
        SimError::bad_request(format!("{field} is required"))
    }
}

pub type SimResult<T> = Result<T, SimError>;

impl IntoResponse for SimError {
    fn into_response(self) -> Response {
        let body = json!({
            "success": false,
            "error": {"code": self.code, "message": self.message, "details": null,
                      "stackStrace": null, "subErrors": null},
            "result": null,
        });
        json_response(self.status, &shape::finish(body))
    }
}

/// A JSON reply with the given status.
pub fn json_response(status: StatusCode, body: &Value) -> Response {
    let bytes = serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec());
    let mut resp = (status, bytes).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    resp
}

/// `{"success":true,"error":null,"result":…}` (`result` a `shape::record` or several), in the
/// server's key case.
pub fn ok<T: Serialize>(result: T) -> SimResult<Response> {
    let result = serde_json::to_value(result)
        .map_err(|e| SimError::bad_request(format!("cannot encode the reply: {e}")))?;
    Ok(json_response(
        StatusCode::OK,
        &shape::finish(json!({"success": true, "error": null, "result": result})),
    ))
}

/// One record as the reply's `result`.
pub fn ok_record<T: Wire>(x: &T) -> SimResult<Response> {
    ok(shape::record(x))
}

/// Records as the reply's `result`.
pub fn ok_records<T: Wire>(xs: &[T]) -> SimResult<Response> {
    ok(shape::records(xs))
}

/// The paged envelope: `result` plus `totalRecords`.
pub fn paged(result: Vec<Value>, total: usize) -> SimResult<Response> {
    Ok(json_response(
        StatusCode::OK,
        &shape::finish(
            json!({"success": true, "error": null, "result": result, "totalRecords": total}),
        ),
    ))
}

/// A 200 with no body: what the spec documents for deletes and `assignticket`.
pub fn empty() -> SimResult<Response> {
    Ok(StatusCode::OK.into_response())
}

/// Parses a path id (`/tickets/{ticketId}`): not a number is a 400 like ASP.NET binding.
pub fn path_id(raw: &str, what: &str) -> SimResult<i64> {
    raw.trim()
        .parse::<i64>()
        .map_err(|_| SimError::bad_request(format!("The value '{raw}' is not a valid {what} id")))
}

/// Named input fields with case-insensitive keys: a JSON object body, a form, or a query
/// string. Names passed to the getters are the spec's PascalCase; they are also what error
/// messages show.
#[derive(Debug, Clone, Default)]
pub struct Fields {
    map: Map<String, Value>,
}

fn lower_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), lower_keys(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(lower_keys).collect()),
        other => other,
    }
}

impl Fields {
    /// A JSON object body. Keys go through the client's `normalize_keys` and are then
    /// lower-cased, so `Title`, `title`, `TITLE` and `issueTypeID` all bind (as ASP.NET does).
    pub fn from_json_bytes(body: &[u8]) -> SimResult<Fields> {
        match parse_json(body)? {
            Value::Object(map) => Ok(Fields { map }),
            Value::Null => Ok(Fields::default()),
            _ => Err(SimError::bad_request(
                "The request body must be a JSON object",
            )),
        }
    }

    /// `application/x-www-form-urlencoded` body or a query string.
    pub fn from_urlencoded(raw: &[u8]) -> Fields {
        let mut map = Map::new();
        for (k, v) in url::form_urlencoded::parse(raw) {
            map.insert(k.to_ascii_lowercase(), Value::String(v.into_owned()));
        }
        Fields { map }
    }

    pub fn from_query(raw: Option<&str>) -> Fields {
        Fields::from_urlencoded(raw.unwrap_or_default().as_bytes())
    }

    /// The sub-object `name` of a JSON body (`Filter`), or the `Name.`-prefixed keys of a
    /// query string (`Filter.Name=x`).
    pub fn section(&self, name: &str) -> Fields {
        let key = name.to_ascii_lowercase();
        if let Some(Value::Object(map)) = self.map.get(&key) {
            return Fields { map: map.clone() };
        }
        let prefix = format!("{key}.");
        let map = self
            .map
            .iter()
            .filter_map(|(k, v)| k.strip_prefix(&prefix).map(|s| (s.to_string(), v.clone())))
            .collect();
        Fields { map }
    }

    /// A stable text form of the fields (keys are lower-cased), for caching by input.
    pub fn cache_key(&self) -> String {
        let mut pairs: Vec<(&String, &Value)> = self.map.iter().collect();
        pairs.sort_by(|a, b| a.0.cmp(b.0));
        serde_json::to_string(&pairs).unwrap_or_default()
    }

    fn raw(&self, name: &str) -> Option<&Value> {
        self.map
            .get(&name.to_ascii_lowercase())
            .filter(|v| !v.is_null())
    }

    /// A string field; numbers are accepted and rendered as text.
    pub fn str(&self, name: &str) -> SimResult<Option<String>> {
        match self.raw(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(Value::Bool(b)) => Ok(Some(b.to_string())),
            Some(_) => Err(SimError::bad_request(format!("{name} must be a string"))),
        }
    }

    /// A string that must be present and not blank.
    pub fn req_str(&self, name: &str) -> SimResult<String> {
        match self.str(name)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            _ => Err(SimError::required(name)),
        }
    }

    /// A non-blank string or `None` (blank counts as absent, like an empty filter box).
    pub fn text(&self, name: &str) -> SimResult<Option<String>> {
        Ok(self
            .str(name)?
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()))
    }

    /// An integer field (JSON number or numeric string).
    pub fn int(&self, name: &str) -> SimResult<Option<i64>> {
        match self.raw(name) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
                .map(Some)
                .ok_or_else(|| SimError::bad_request(format!("{name} must be an integer"))),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| SimError::bad_request(format!("{name} must be an integer"))),
            Some(_) => Err(SimError::bad_request(format!("{name} must be an integer"))),
        }
    }

    /// An id that must be present and `>= min`.
    pub fn req_id(&self, name: &str, min: i64) -> SimResult<i64> {
        match self.int(name)? {
            None => Err(SimError::required(name)),
            Some(v) if v < min => Err(SimError::bad_request(format!(
                "{name} must be between {min} and 2147483647"
            ))),
            Some(v) => Ok(v),
        }
    }

    /// An optional id; when given it must be `>= 1`.
    pub fn opt_id(&self, name: &str) -> SimResult<Option<i64>> {
        match self.int(name)? {
            Some(v) if v < 1 => Err(SimError::bad_request(format!(
                "{name} must be between 1 and 2147483647"
            ))),
            other => Ok(other),
        }
    }

    pub fn float(&self, name: &str) -> SimResult<Option<f64>> {
        match self.raw(name) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64()),
            Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
            Some(Value::String(s)) => s
                .trim()
                .parse::<f64>()
                .map(Some)
                .map_err(|_| SimError::bad_request(format!("{name} must be a number"))),
            Some(_) => Err(SimError::bad_request(format!("{name} must be a number"))),
        }
    }

    /// A flag sent as `true`/`false`, `0`/`1` or their string forms.
    pub fn bool(&self, name: &str) -> SimResult<Option<bool>> {
        match self.raw(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::Number(n)) => Ok(Some(n.as_f64().unwrap_or(0.0) != 0.0)),
            Some(Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
                "" => Ok(None),
                "true" | "1" | "yes" => Ok(Some(true)),
                "false" | "0" | "no" => Ok(Some(false)),
                _ => Err(SimError::bad_request(format!(
                    "{name} must be true or false"
                ))),
            },
            Some(_) => Err(SimError::bad_request(format!(
                "{name} must be true or false"
            ))),
        }
    }

    pub fn req_bool(&self, name: &str) -> SimResult<bool> {
        self.bool(name)?.ok_or_else(|| SimError::required(name))
    }

    /// A date-time in any spelling the client sends (naive, `Z`, offset, date only).
    pub fn datetime(&self, name: &str) -> SimResult<Option<DateTime<Utc>>> {
        match self.text(name)? {
            None => Ok(None),
            Some(s) => parse_wire_datetime(&s, name).map(Some),
        }
    }

    /// An upper date bound: a date without a time covers that whole day.
    pub fn datetime_to(&self, name: &str) -> SimResult<Option<DateTime<Utc>>> {
        let Some(dt) = self.datetime(name)? else {
            return Ok(None);
        };
        let date_only = self.text(name)?.is_some_and(|s| s.len() == 10);
        Ok(Some(if date_only {
            dt + chrono::Duration::days(1) - chrono::Duration::seconds(1)
        } else {
            dt
        }))
    }

    pub fn req_datetime(&self, name: &str) -> SimResult<DateTime<Utc>> {
        self.datetime(name)?.ok_or_else(|| SimError::required(name))
    }

    /// A calendar date (`2025-01-15` or a date-time whose date part is taken).
    pub fn req_date(&self, name: &str) -> SimResult<NaiveDate> {
        use chrono::Datelike;
        let s = self.text(name)?.ok_or_else(|| SimError::required(name))?;
        // A naive value's own date; one with an offset is the tenant's date at that instant.
        let d = bmsdesk_core::wire::parse_naive(s.trim())
            .or_else(|| {
                parse_datetime(&s).map(|dt| bmsdesk_core::tenant_time::current().to_naive(dt))
            })
            .map(|n| n.date())
            .ok_or_else(|| SimError::bad_request(format!("{name} is not a valid date: {s:?}")))?;
        if !bmsdesk_core::wire::DATE_YEARS.contains(&d.year()) {
            return Err(SimError::bad_request(format!(
                "{name} is out of range: {s:?}"
            )));
        }
        Ok(d)
    }

    /// A comma-separated list of names, trimmed, lower-cased, blanks dropped.
    pub fn name_list(&self, name: &str) -> SimResult<Option<Vec<String>>> {
        Ok(self.text(name)?.map(|s| {
            s.split(',')
                .map(|p| p.trim().to_lowercase())
                .filter(|p| !p.is_empty())
                .collect()
        }))
    }

    /// A comma-separated list of integers.
    pub fn id_list(&self, name: &str) -> SimResult<Option<Vec<i64>>> {
        let Some(s) = self.text(name)? else {
            return Ok(None);
        };
        s.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| {
                p.parse::<i64>().map_err(|_| {
                    SimError::bad_request(format!("{name} must be a comma-separated list of ids"))
                })
            })
            .collect::<SimResult<Vec<_>>>()
            .map(Some)
    }
}

/// Parses a request date-time; years outside 1900..=2200 are refused, so date arithmetic
/// on them (SLA targets, day ranges) cannot overflow.
pub fn parse_wire_datetime(s: &str, name: &str) -> SimResult<DateTime<Utc>> {
    use chrono::Datelike;
    let dt = parse_datetime(s)
        .ok_or_else(|| SimError::bad_request(format!("{name} is not a valid date-time: {s:?}")))?;
    if !bmsdesk_core::wire::DATE_YEARS.contains(&dt.year()) {
        return Err(SimError::bad_request(format!(
            "{name} is out of range: {s:?}"
        )));
    }
    Ok(dt)
}

/// Parses a JSON body with keys made case-insensitive. Empty body is `Null`.
pub fn parse_json(body: &[u8]) -> SimResult<Value> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| SimError::bad_request(format!("The request body is not valid JSON: {e}")))?;
    Ok(lower_keys(normalize_keys(value)))
}

/// `PageNumber` (1-based; 0 is taken as 1) and `PageSize` (capped at `max`).
pub fn page_params(fields: &Fields, default_size: u32, max: u32) -> SimResult<(usize, usize)> {
    let number = fields.int("PageNumber")?.unwrap_or(1);
    let size = fields.int("PageSize")?.unwrap_or(default_size as i64);
    if number < 0 {
        return Err(SimError::bad_request("PageNumber must not be negative"));
    }
    if size < 0 {
        return Err(SimError::bad_request("PageSize must not be negative"));
    }
    let size = if size == 0 { default_size as i64 } else { size };
    Ok((number.max(1) as usize, size.min(max.max(1) as i64) as usize))
}

/// The slice of `items` on a 1-based page.
pub fn page_of<T>(items: Vec<T>, page: usize, size: usize) -> Vec<T> {
    let start = page.saturating_sub(1).saturating_mul(size);
    items.into_iter().skip(start).take(size).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_case_insensitive_in_json_form_and_query() {
        for body in [
            r#"{"Title":"x","AccountId":5,"issueTypeID":7}"#,
            r#"{"title":"x","accountId":"5","ISSUETYPEID":7}"#,
        ] {
            let f = Fields::from_json_bytes(body.as_bytes()).unwrap();
            assert_eq!(f.req_str("Title").unwrap(), "x");
            assert_eq!(f.int("AccountId").unwrap(), Some(5));
            assert_eq!(f.int("IssueTypeId").unwrap(), Some(7));
        }
        let q = Fields::from_query(Some("filter.name=Acme%20Ltd&PAGESIZE=10"));
        assert_eq!(
            q.section("Filter").text("Name").unwrap().as_deref(),
            Some("Acme Ltd")
        );
        assert_eq!(q.int("PageSize").unwrap(), Some(10));
        let body =
            Fields::from_json_bytes(br#"{"FILTER":{"statusNames":"New, In Progress"}}"#).unwrap();
        assert_eq!(
            body.section("Filter").name_list("StatusNames").unwrap(),
            Some(vec!["new".to_string(), "in progress".to_string()])
        );
    }

    #[test]
    fn validation_messages_name_the_field() {
        let f =
            Fields::from_json_bytes(br#"{"Title":"  ","AccountId":"abc","LocationId":0}"#).unwrap();
        assert_eq!(f.req_str("Title").unwrap_err().message, "Title is required");
        assert_eq!(
            f.int("AccountId").unwrap_err().message,
            "AccountId must be an integer"
        );
        assert!(
            f.req_id("LocationId", 1)
                .unwrap_err()
                .message
                .contains("LocationId")
        );
        assert_eq!(
            f.req_id("StatusId", 1).unwrap_err().message,
            "StatusId is required"
        );
        assert!(Fields::from_json_bytes(b"[1,2]").is_err());
        assert!(Fields::from_json_bytes(b"{\"a\":").is_err());
    }

    #[test]
    fn paging_is_one_based_and_capped() {
        let f = Fields::from_query(Some("PageNumber=0&PageSize=5000"));
        assert_eq!(page_params(&f, 100, 1000).unwrap(), (1, 1000));
        let f = Fields::from_query(None);
        assert_eq!(page_params(&f, 100, 1000).unwrap(), (1, 100));
        assert_eq!(page_of((1..=10).collect(), 2, 4), vec![5, 6, 7, 8]);
        assert!(page_of((1..=10).collect::<Vec<i32>>(), 4, 4).is_empty());
        let f = Fields::from_query(Some("PageNumber=-1"));
        assert!(page_params(&f, 100, 1000).is_err());
    }

    #[test]
    fn date_only_upper_bound_covers_the_day() {
        let f = Fields::from_query(Some("To=2025-01-15&At=2025-01-15T10:00:00"));
        let to = f.datetime_to("To").unwrap().unwrap();
        assert_eq!(to.to_rfc3339(), "2025-01-15T23:59:59+00:00");
        let at = f.datetime_to("At").unwrap().unwrap();
        assert_eq!(at.to_rfc3339(), "2025-01-15T10:00:00+00:00");
        // Far-off years are refused before any arithmetic could overflow.
        let f = Fields::from_query(Some("To=9999-12-31&From=0001-01-01T00:00:00"));
        assert!(
            f.datetime_to("To")
                .unwrap_err()
                .message
                .contains("out of range")
        );
        assert!(f.datetime("From").is_err());
    }
}
