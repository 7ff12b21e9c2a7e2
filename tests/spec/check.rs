//! One recorded exchange against the spec's operations.
//!
//! Request side: the path matches a template and the method is documented there, path
//! parameters have their types, every query parameter is documented (names compared
//! case-insensitively, as the server binds them) with its type and none is repeated unless
//! it is an array, required ones are present, the content type is documented and the body
//! follows its schema (a urlencoded form is read as the form fields it carries).
//! Reply side: the status is documented, a 200 documented without content has an empty
//! body, otherwise the content type is documented and the body follows its schema.

use bmsdesk_sim::Exchange;
use serde_json::{Map, Value, json};

use super::schema::{Checker, Finding, Side, is_date_time};

/// A divergence of one exchange from the spec. `key()` identifies it without values, so the
/// same divergence on many requests is one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Divergence {
    /// `"GET /v2/servicedesk/tickets/{ticketId}"`, or the path as sent when no template fits.
    pub endpoint: String,
    pub side: Side,
    pub at: String,
    pub kind: String,
    pub detail: String,
}

impl Divergence {
    pub fn key(&self) -> String {
        format!("{} {} {}: {}", self.endpoint, self.side, self.at, self.kind)
    }
}

impl std::fmt::Display for Divergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.key())?;
        if !self.detail.is_empty() {
            write!(f, " ({})", self.detail)?;
        }
        Ok(())
    }
}

enum Seg {
    Lit(String),
    Param(String),
}

/// One operation of the spec.
pub struct Operation {
    pub method: String,
    pub template: String,
    segs: Vec<Seg>,
    path_item: Value,
    pub op: Value,
}

impl Operation {
    pub fn endpoint(&self) -> String {
        format!("{} {}", self.method, self.template)
    }

    fn params(&self) -> impl Iterator<Item = &Value> {
        let own = self.op.get("parameters").and_then(Value::as_array);
        let shared = self.path_item.get("parameters").and_then(Value::as_array);
        own.into_iter().chain(shared).flatten()
    }

    fn param(&self, place: &str, name: &str) -> Option<&Value> {
        self.params().find(|p| {
            p.get("in").and_then(Value::as_str) == Some(place)
                && p.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    }
}

pub struct Spec {
    pub doc: Value,
    pub ops: Vec<Operation>,
}

fn segments(path: &str) -> Vec<&str> {
    path.trim_end_matches('/').split('/').collect()
}

/// `application/json; charset=utf-8` -> `application/json`.
fn media_type(ct: &str) -> String {
    ct.split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

impl Spec {
    pub fn parse(text: &str) -> Spec {
        let doc: Value = serde_json::from_str(text).expect("the spec is JSON");
        let mut ops = Vec::new();
        if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
            for (template, item) in paths {
                for m in METHODS {
                    if let Some(op) = item.get(m) {
                        ops.push(Operation {
                            method: m.to_ascii_uppercase(),
                            template: template.clone(),
                            segs: segments(template)
                                .into_iter()
                                .map(|s| {
                                    match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                                        Some(name) => Seg::Param(name.to_string()),
                                        None => Seg::Lit(s.to_string()),
                                    }
                                })
                                .collect(),
                            path_item: item.clone(),
                            op: op.clone(),
                        });
                    }
                }
            }
        }
        Spec { doc, ops }
    }

    /// The templates `path` fits, most literal segments first (`/tickets/search` before
    /// `/tickets/{ticketId}`).
    fn templates_for(&self, path: &str) -> Vec<&Operation> {
        let segs = segments(path);
        let mut fits: Vec<(usize, &Operation)> = self
            .ops
            .iter()
            .filter(|o| {
                o.segs.len() == segs.len()
                    && o.segs.iter().zip(&segs).all(|(t, s)| match t {
                        Seg::Lit(l) => l == s,
                        Seg::Param(_) => !s.is_empty(),
                    })
            })
            .map(|o| {
                let lits = o.segs.iter().filter(|s| matches!(s, Seg::Lit(_))).count();
                (lits, o)
            })
            .collect();
        fits.sort_by_key(|f| std::cmp::Reverse(f.0));
        let best = fits.first().map(|f| f.0);
        fits.into_iter()
            .filter(|f| Some(f.0) == best)
            .map(|f| f.1)
            .collect()
    }

    /// The operation an exchange called, or the divergence that it is not in the spec.
    pub fn operation(&self, method: &str, path: &str) -> Result<&Operation, Divergence> {
        let fits = self.templates_for(path);
        let method = method.to_ascii_uppercase();
        if let Some(op) = fits.iter().find(|o| o.method == method) {
            return Ok(op);
        }
        let (endpoint, kind) = match fits.first() {
            Some(o) => (
                format!("{method} {}", o.template),
                "method not documented for this path".to_string(),
            ),
            None => (
                format!("{method} {path}"),
                "path not in the spec".to_string(),
            ),
        };
        Err(Divergence {
            endpoint,
            side: Side::Request,
            at: "path".into(),
            kind,
            detail: String::new(),
        })
    }

    fn schema_check(&self, side: Side, schema: &Value, v: &Value, at: &str) -> Vec<Finding> {
        let mut c = Checker::new(&self.doc, side);
        c.check(schema, v, at);
        c.findings
    }

    /// The documented reply fields a successful JSON reply leaves out (see
    /// [`Checker::omitted`]), as `"GET /v2/... $.result.details"`.
    pub fn omissions(&self, ex: &Exchange) -> Vec<String> {
        let Ok(op) = self.operation(&ex.method, &ex.path) else {
            return Vec::new();
        };
        let schema = op.op.pointer(&format!(
            "/responses/{}/content/application~1json/schema",
            ex.status
        ));
        let (Some(schema), Ok(v)) = (schema, serde_json::from_slice::<Value>(&ex.reply_body))
        else {
            return Vec::new();
        };
        if v.get("success").or_else(|| v.get("Success")) == Some(&Value::Bool(false)) {
            return Vec::new();
        }
        let mut c = Checker::new(&self.doc, Side::Reply);
        c.check(schema, &v, "$");
        let endpoint = op.endpoint();
        c.omitted
            .into_iter()
            // The envelope's own optional parts say nothing about the DTO.
            .filter(|at| !matches!(at.as_str(), "$.Error" | "$.Result" | "$.TotalRecords"))
            .map(|at| format!("{endpoint} {at}"))
            .collect()
    }

    /// Every divergence of one exchange (request and reply).
    pub fn check(&self, ex: &Exchange) -> Vec<Divergence> {
        let op = match self.operation(&ex.method, &ex.path) {
            Ok(op) => op,
            Err(d) => return vec![d],
        };
        let endpoint = op.endpoint();
        let mut out = Vec::new();
        let mut add = |side: Side, f: Finding| {
            out.push(Divergence {
                endpoint: endpoint.clone(),
                side,
                at: f.at,
                kind: f.kind,
                detail: f.detail,
            })
        };
        for f in self.request_findings(op, ex) {
            add(Side::Request, f);
        }
        for f in self.reply_findings(op, ex) {
            add(Side::Reply, f);
        }
        out
    }

    fn request_findings(&self, op: &Operation, ex: &Exchange) -> Vec<Finding> {
        let mut out = Vec::new();
        let finding = |at: &str, kind: &str, detail: String| Finding {
            at: at.to_string(),
            kind: kind.to_string(),
            detail,
        };
        // Path parameters.
        for (t, s) in op.segs.iter().zip(segments(&ex.path)) {
            if let Seg::Param(name) = t {
                let value = percent_decode(s);
                match op.param("path", name) {
                    Some(p) => out.extend(self.param_value(p, &value, &format!("path.{name}"))),
                    None => out.push(finding(
                        &format!("path.{name}"),
                        "path parameter not declared",
                        String::new(),
                    )),
                }
            }
        }
        // Query parameters.
        let pairs: Vec<(String, String)> = ex
            .query
            .as_deref()
            .map(|q| {
                url::form_urlencoded::parse(q.as_bytes())
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect()
            })
            .unwrap_or_default();
        let mut seen: Vec<String> = Vec::new();
        for (name, value) in &pairs {
            let at = format!("query.{name}");
            let Some(p) = op.param("query", name) else {
                out.push(finding(
                    &at,
                    "query parameter not documented",
                    value.clone(),
                ));
                continue;
            };
            let declared = p.get("name").and_then(Value::as_str).unwrap_or(name);
            let is_array =
                self.param_schema(p).get("type").and_then(Value::as_str) == Some("array");
            if seen.iter().any(|s| s.eq_ignore_ascii_case(declared)) && !is_array {
                out.push(finding(&at, "query parameter repeated", value.clone()));
            }
            seen.push(declared.to_string());
            if declared != name {
                // Bound case-insensitively by the server: fine, but keep to the spec's name.
                out.push(finding(
                    &at,
                    &format!("spelled differently from {declared}"),
                    String::new(),
                ));
            }
            out.extend(self.param_value(p, value, &at));
        }
        for p in op.params() {
            let required = p.get("required").and_then(Value::as_bool) == Some(true);
            let place = p.get("in").and_then(Value::as_str);
            let name = p.get("name").and_then(Value::as_str).unwrap_or_default();
            if required
                && place == Some("query")
                && !seen.iter().any(|s| s.eq_ignore_ascii_case(name))
            {
                out.push(finding(
                    &format!("query.{name}"),
                    "required query parameter missing",
                    String::new(),
                ));
            }
        }
        // Body.
        let body = &ex.request_body;
        let Some(rb) = op.op.get("requestBody") else {
            if !body.is_empty() {
                out.push(finding(
                    "body",
                    "body sent to an operation that takes none",
                    snippet(body),
                ));
            }
            return out;
        };
        if body.is_empty() {
            if rb.get("required").and_then(Value::as_bool) == Some(true) {
                out.push(finding("body", "required body missing", String::new()));
            }
            return out;
        }
        let content = rb.get("content").and_then(Value::as_object);
        let sent = ex
            .request_content_type
            .as_deref()
            .map(media_type)
            .unwrap_or_default();
        let documented: Vec<&String> = content.map(|c| c.keys().collect()).unwrap_or_default();
        let schema = match content.and_then(|c| c.get(&sent)) {
            Some(media) => media.get("schema"),
            None => {
                out.push(finding(
                    "content-type",
                    &format!("{sent} not documented"),
                    format!(
                        "documented: {}",
                        documented
                            .iter()
                            .map(|s| s.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
                // Still check the fields: a urlencoded form against the documented form
                // schema, JSON against the documented JSON one.
                let fallback = if sent.contains("form") {
                    documented.iter().find(|k| k.contains("form"))
                } else {
                    documented.iter().find(|k| k.contains("json"))
                };
                fallback
                    .and_then(|k| content.and_then(|c| c.get(k.as_str())))
                    .and_then(|m| m.get("schema"))
            }
        };
        let value = if sent == "application/x-www-form-urlencoded" {
            match form_object(body) {
                Ok(v) => Some(v),
                Err(dup) => {
                    out.push(finding("body", "form field repeated", dup));
                    None
                }
            }
        } else if sent == "multipart/form-data" {
            // The client sends none; if it ever does, this checker has to learn to read it.
            out.push(finding(
                "body",
                "multipart body (not readable by this checker)",
                String::new(),
            ));
            None
        } else {
            match serde_json::from_slice::<Value>(body) {
                Ok(v) => Some(v),
                Err(e) => {
                    out.push(finding("body", "not JSON", e.to_string()));
                    None
                }
            }
        };
        if let (Some(schema), Some(value)) = (schema, value) {
            out.extend(self.schema_check(Side::Request, schema, &value, "$"));
        }
        out
    }

    fn param_schema<'a>(&'a self, p: &'a Value) -> &'a Value {
        let s = p.get("schema").unwrap_or(&Value::Null);
        match s.get("$ref").and_then(Value::as_str) {
            Some(r) => super::schema::resolve(&self.doc, r).unwrap_or(s),
            None => s,
        }
    }

    /// A parameter's text value against its schema: numbers and booleans as the server's
    /// model binding reads them.
    fn param_value(&self, p: &Value, text: &str, at: &str) -> Vec<Finding> {
        let schema = self.param_schema(p);
        let schema = match schema.get("type").and_then(Value::as_str) {
            Some("array") => schema
                .get("items")
                .map(|i| match i.get("$ref").and_then(Value::as_str) {
                    Some(r) => super::schema::resolve(&self.doc, r).unwrap_or(i),
                    None => i,
                })
                .unwrap_or(schema),
            _ => schema,
        };
        let ty = schema.get("type").and_then(Value::as_str);
        let value = match ty {
            Some("integer") => match text.trim().parse::<i64>() {
                Ok(i) => json!(i),
                Err(_) => {
                    return vec![Finding {
                        at: at.into(),
                        kind: "not an integer".into(),
                        detail: text.into(),
                    }];
                }
            },
            Some("number") => match text.trim().parse::<f64>() {
                Ok(x) => json!(x),
                Err(_) => {
                    return vec![Finding {
                        at: at.into(),
                        kind: "not a number".into(),
                        detail: text.into(),
                    }];
                }
            },
            Some("boolean") => match text.to_ascii_lowercase().as_str() {
                "true" => json!(true),
                "false" => json!(false),
                _ => {
                    return vec![Finding {
                        at: at.into(),
                        kind: "not a boolean".into(),
                        detail: text.into(),
                    }];
                }
            },
            _ => json!(text),
        };
        // A date filter may be a bare date (bms-api.md §2.4); a date-time otherwise.
        if schema.get("format").and_then(Value::as_str) == Some("date-time")
            && !is_date_time(text)
            && chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_err()
        {
            return vec![Finding {
                at: at.into(),
                kind: "not a date-time".into(),
                detail: text.into(),
            }];
        }
        let mut schema = schema.clone();
        if let Some(m) = schema.as_object_mut()
            && m.get("format").and_then(Value::as_str) == Some("date-time")
        {
            // Checked just above, bare dates included.
            m.remove("format");
        }
        self.schema_check(Side::Request, &schema, &value, at)
    }

    fn reply_findings(&self, op: &Operation, ex: &Exchange) -> Vec<Finding> {
        let mut out = Vec::new();
        let finding = |at: &str, kind: &str, detail: String| Finding {
            at: at.to_string(),
            kind: kind.to_string(),
            detail,
        };
        let responses = op.op.get("responses");
        let status = ex.status.to_string();
        let documented = responses.and_then(|r| r.get(&status).or_else(|| r.get("default")));
        let body = &ex.reply_body;
        let Some(resp) = documented else {
            if ex.status >= 400 {
                // Reading (divergences.rs, SPEC_READINGS): the spec documents only 200s; an
                // error status carries the error envelope, or nothing.
                if !body.is_empty() {
                    match serde_json::from_slice::<Value>(body) {
                        Ok(v) => {
                            out.extend(self.schema_check(Side::Reply, &error_envelope(), &v, "$"))
                        }
                        Err(e) => {
                            out.push(finding("body", "error reply is not JSON", e.to_string()))
                        }
                    }
                }
            } else {
                out.push(finding(
                    "status",
                    &format!("status {status} not documented"),
                    String::new(),
                ));
            }
            return out;
        };
        let Some(content) = resp.get("content").and_then(Value::as_object) else {
            if !body.is_empty() {
                out.push(finding(
                    "body",
                    "body where the spec documents none",
                    snippet(body),
                ));
            }
            return out;
        };
        let sent = ex
            .reply_content_type
            .as_deref()
            .map(media_type)
            .unwrap_or_default();
        let media = match content.get(&sent) {
            Some(m) => m,
            None => {
                out.push(finding(
                    "content-type",
                    &format!("{sent:?} not documented"),
                    String::new(),
                ));
                match content.get("application/json") {
                    Some(m) => m,
                    None => return out,
                }
            }
        };
        match serde_json::from_slice::<Value>(body) {
            Ok(v) => {
                if let Some(schema) = media.get("schema") {
                    out.extend(self.schema_check(Side::Reply, schema, &v, "$"));
                }
            }
            Err(e) => out.push(finding("body", "not JSON", e.to_string())),
        }
        out
    }
}

/// The envelope of an error reply: `ErrorInfo` in `Error`, no `Result` (or `null`).
fn error_envelope() -> Value {
    json!({
        "type": "object",
        "required": ["Success", "Error"],
        "properties": {
            "Success": {"type": "boolean", "enum": [false]},
            "Error": {"$ref": "#/components/schemas/ErrorInfo"},
            "Result": {"type": "object", "nullable": true, "additionalProperties": false},
            "TotalRecords": {"type": "integer", "format": "int32"}
        },
        "additionalProperties": false
    })
}

fn snippet(body: &[u8]) -> String {
    String::from_utf8_lossy(body).chars().take(80).collect()
}

fn percent_decode(s: &str) -> String {
    // A path keeps `+` literal; only `%XX` escapes are decoded.
    let s = s.replace('+', "%2B");
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_string())
}

/// A urlencoded form as an object of string fields; a repeated field is an error.
fn form_object(body: &[u8]) -> Result<Value, String> {
    let mut map = Map::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        if map.keys().any(|m| m.eq_ignore_ascii_case(&k)) {
            return Err(k.into_owned());
        }
        map.insert(k.into_owned(), Value::String(v.into_owned()));
    }
    Ok(Value::Object(map))
}
