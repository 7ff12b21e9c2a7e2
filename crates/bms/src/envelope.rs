//! The BMS v2 response envelope (`success`/`error`/`result`/`totalRecords`, either casing):
//! how one HTTP reply becomes a typed result or a typed error carrying the server's message.
//! The generic wire forms (key casing, dates) are the core's `wire` module.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use bmsdesk_core::error::ApiError;
use bmsdesk_core::text::sanitize_line;
use bmsdesk_core::wire::normalize_keys;
/// `Error` inside the envelope (`ErrorInfo` in the spec).
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ErrorInfo {
    pub code: Option<i64>,
    pub message: Option<String>,
    pub details: Option<String>,
    pub sub_errors: Option<Vec<String>>,
}

impl ErrorInfo {
    /// The most useful human text the server gave, sanitized (it ends up on a terminal).
    pub fn text(&self) -> String {
        let clean = |s: &str| Some(sanitize_line(s)).filter(|s| !s.is_empty());
        let mut parts: Vec<String> = Vec::new();
        if let Some(m) = self.message.as_deref().and_then(clean) {
            parts.push(m);
        }
        if let Some(d) = self.details.as_deref().and_then(clean)
            && !parts.contains(&d)
        {
            parts.push(d);
        }
        if let Some(subs) = &self.sub_errors {
            parts.extend(subs.iter().filter_map(|s| clean(s)));
        }
        if parts.is_empty() {
            match self.code {
                Some(code) => format!("server error code {code}"),
                None => "the server reported an error without a message".to_string(),
            }
        } else {
            parts.join("; ")
        }
    }
}

pub use bmsdesk_core::psa::Reply;

const ENVELOPE_KEYS: [&str; 4] = ["success", "error", "result", "totalRecords"];

/// Decodes one HTTP reply. Failures become typed errors carrying the server's message; a
/// reply that is not wrapped in the envelope (a few GETs are documented that way) is taken
/// whole as the result.
pub fn decode<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<Reply<T>, ApiError> {
    let parsed: Option<Value> = if body.trim_ascii().is_empty() {
        None
    } else {
        // Straight from the bytes (valid UTF-8 is the norm); a body with broken UTF-8 gets
        // a second, lenient try with replacement characters.
        let parsed = serde_json::from_slice::<Value>(body)
            .or_else(|_| serde_json::from_str::<Value>(&String::from_utf8_lossy(body)));
        match parsed {
            Ok(v) => Some(normalize_keys(v)),
            Err(e) => {
                if (200..300).contains(&status) {
                    return Err(ApiError::Decode(format!(
                        "the reply is not valid JSON ({e})"
                    )));
                }
                None
            }
        }
    };

    let (success, error, result, total) = match parsed {
        Some(Value::Object(mut map)) if ENVELOPE_KEYS.iter().any(|k| map.contains_key(*k)) => {
            let success = map.get("success").and_then(Value::as_bool);
            let error = match map.remove("error") {
                Some(Value::Null) | None => None,
                Some(Value::String(s)) => Some(ErrorInfo {
                    message: Some(s),
                    ..Default::default()
                }),
                Some(v) => serde_json::from_value::<ErrorInfo>(v).ok(),
            };
            let total = map.get("totalRecords").and_then(Value::as_u64);
            let result = map.remove("result").unwrap_or(Value::Null);
            (success, error, result, total)
        }
        Some(mut other) => {
            // Not wrapped: the top level is the result itself, and its nulls go too.
            if let Value::Object(map) = &mut other {
                map.retain(|_, v| !v.is_null());
            }
            (None, None, other, None)
        }
        None => (None, None, Value::Null, None),
    };

    let failed = !(200..300).contains(&status) || success == Some(false);
    if failed {
        let message = error
            .as_ref()
            .map(ErrorInfo::text)
            .unwrap_or_else(|| short_body(&String::from_utf8_lossy(body), status));
        return Err(ApiError::from_status(
            status,
            error.and_then(|e| e.code),
            message,
        ));
    }
    let result = serde_json::from_value::<T>(result)
        .map_err(|e| ApiError::Decode(format!("unexpected shape in the reply: {e}")))?;
    Ok(Reply { result, total })
}

/// The start of a body without an envelope (a gateway's error page), sanitized.
fn short_body(text: &str, status: u16) -> String {
    let clean: String = sanitize_line(text).chars().take(200).collect();
    if clean.is_empty() {
        format!("HTTP {status} with an empty body")
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase")]
    struct Row {
        id: i64,
        ticket_number: String,
    }

    #[test]
    fn decodes_camel_and_pascal_envelopes_alike() {
        let camel = json!({"success": true, "error": null, "result": [{"id": 1, "ticketNumber": "T1"}], "totalRecords": 7});
        let pascal = json!({"Success": true, "Error": null, "Result": [{"Id": 1, "TicketNumber": "T1"}], "TotalRecords": 7});
        for body in [camel, pascal] {
            let reply: Reply<Vec<Row>> = decode(200, body.to_string().as_bytes()).unwrap();
            assert_eq!(reply.total, Some(7));
            assert_eq!(
                reply.result,
                vec![Row {
                    id: 1,
                    ticket_number: "T1".into()
                }]
            );
        }
    }

    #[test]
    fn failure_inside_200_is_an_error_with_the_server_message() {
        let body = json!({"success": false, "error": {"code": 42, "message": "Title is required"}});
        let err = decode::<Value>(200, body.to_string().as_bytes()).unwrap_err();
        assert!(
            matches!(err, ApiError::Api { code: Some(42), .. }),
            "{err:?}"
        );
        assert!(err.to_string().contains("Title is required"));
    }

    #[test]
    fn http_statuses_map_to_typed_errors() {
        let e = decode::<Value>(
            404,
            br#"{"success":false,"error":{"message":"Ticket 9 not found"}}"#,
        )
        .unwrap_err();
        assert!(
            matches!(e, ApiError::NotFound(ref m) if m.contains("Ticket 9")),
            "{e:?}"
        );
        let e = decode::<Value>(401, b"").unwrap_err();
        assert!(matches!(e, ApiError::Unauthorized(_)), "{e:?}");
        let e = decode::<Value>(503, b"<html>busy</html>").unwrap_err();
        assert!(matches!(e, ApiError::Http { status: 503, .. }), "{e:?}");
    }

    #[test]
    fn malformed_success_body_is_a_decode_error_not_a_panic() {
        let e = decode::<Value>(200, b"{\"success\": tru").unwrap_err();
        assert!(matches!(e, ApiError::Decode(_)));
    }

    #[test]
    fn broken_utf8_in_a_body_is_replaced_not_fatal() {
        let mut body = br#"{"success": true, "result": {"Id": 3, "TicketNumber": "X"#.to_vec();
        body.push(0xff);
        body.extend_from_slice(br#""}}"#);
        let reply: Reply<Row> = decode(200, &body).unwrap();
        assert_eq!(reply.result.ticket_number, "X\u{fffd}");
    }

    #[test]
    fn unwrapped_result_is_accepted() {
        let reply: Reply<Row> = decode(200, br#"{"Id": 3, "TicketNumber": "X"}"#).unwrap();
        assert_eq!(reply.result.id, 3);
    }

    #[test]
    fn empty_body_decodes_to_unit() {
        let reply: Reply<()> = decode(200, b"").unwrap();
        assert_eq!(reply.total, None);
    }
}
