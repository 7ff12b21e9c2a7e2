//! Hostile-server faults that rewrite a request or its reply instead of failing it: a lying
//! `totalRecords`, no total, `PageNumber` ignored, `null` in chosen fields, and an oversized
//! body. Set through [`super::Faults`]; applied by `faults::inject_faults` to every eligible
//! request.

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, Uri, header};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::Value;

use super::faults::Faults;

/// Request bodies the simulator reads here are small (a search filter).
const MAX_REQUEST: usize = 1 << 20;
/// Oversized bodies are produced in chunks of this size, never held whole.
const CHUNK: usize = 64 * 1024;

#[derive(Debug, Clone, Default)]
pub struct Rewrite {
    total: Option<u64>,
    hide_total: bool,
    repeat_pages: bool,
    nulls: Vec<String>,
    oversize: u64,
    chunked: bool,
}

impl Rewrite {
    /// The rewrites `f` asks for, or `None` when it asks for none.
    pub fn of(f: &Faults) -> Option<Rewrite> {
        let rw = Rewrite {
            total: f.total_records,
            hide_total: f.hide_total,
            repeat_pages: f.repeat_pages,
            nulls: f.null_fields.clone(),
            oversize: f.oversize_bytes,
            chunked: f.oversize_chunked,
        };
        let any = rw.total.is_some()
            || rw.hide_total
            || rw.repeat_pages
            || !rw.nulls.is_empty()
            || rw.oversize > 0;
        any.then_some(rw)
    }

    pub async fn apply(&self, req: Request, next: Next) -> Response {
        let req = if self.repeat_pages {
            first_page(req).await
        } else {
            req
        };
        let resp = next.run(req).await;
        if self.oversize > 0 {
            return oversized(resp, self.oversize, self.chunked);
        }
        if self.total.is_none() && !self.hide_total && self.nulls.is_empty() {
            return resp;
        }
        let (mut parts, body) = resp.into_parts();
        let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
        let Ok(mut v) = serde_json::from_slice::<Value>(&bytes) else {
            return Response::from_parts(parts, Body::from(bytes));
        };
        self.edit(&mut v);
        parts.headers.remove(header::CONTENT_LENGTH);
        Response::from_parts(parts, Body::from(v.to_string()))
    }

    fn edit(&self, v: &mut Value) {
        let Value::Object(env) = v else { return };
        let is_list = env.get("result").is_some_and(Value::is_array);
        if self.hide_total || (self.total.is_some() && is_list) {
            env.retain(|k, _| !k.eq_ignore_ascii_case("totalRecords"));
        }
        if let Some(t) = self.total.filter(|_| is_list && !self.hide_total) {
            env.insert("totalRecords".into(), Value::from(t));
        }
        match env.get_mut("result") {
            Some(Value::Array(rows)) => rows.iter_mut().for_each(|r| self.null_out(r)),
            Some(row) => self.null_out(row),
            None => {}
        }
    }

    /// Sets each named field of `row` to `null` (adding it when the row lacks it).
    fn null_out(&self, row: &mut Value) {
        let Value::Object(map) = row else { return };
        for name in &self.nulls {
            let key = map
                .keys()
                .find(|k| k.eq_ignore_ascii_case(name))
                .cloned()
                .unwrap_or_else(|| name.clone());
            map.insert(key, Value::Null);
        }
    }
}

/// The request with `PageNumber` (query or JSON body, any case) set to 1.
async fn first_page(req: Request) -> Request {
    let (mut parts, body) = req.into_parts();
    if let Some(query) = parts.uri.query() {
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| {
                let v = if k.eq_ignore_ascii_case("pagenumber") {
                    "1".into()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        let query = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(pairs)
            .finish();
        if let Ok(uri) = format!("{}?{query}", parts.uri.path()).parse::<Uri>() {
            parts.uri = uri;
        }
    }
    let mut bytes = to_bytes(body, MAX_REQUEST).await.unwrap_or_default();
    if parts.method == Method::POST
        && let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(&bytes)
    {
        for (k, v) in map.iter_mut() {
            if k.eq_ignore_ascii_case("pagenumber") {
                *v = Value::from(1);
            }
        }
        bytes = Bytes::from(Value::Object(map).to_string());
        if let Ok(len) = HeaderValue::from_str(&bytes.len().to_string()) {
            parts.headers.insert(header::CONTENT_LENGTH, len);
        }
    }
    Request::from_parts(parts, Body::from(bytes))
}

/// `resp` with its body replaced by a valid JSON reply of `size` bytes or a little more,
/// produced chunk by chunk.
fn oversized(resp: Response, size: u64, chunked: bool) -> Response {
    let (mut parts, _) = resp.into_parts();
    const HEAD: &[u8] = br#"{"success":true,"result":""#;
    const TAIL: &[u8] = br#""}"#;
    let filler = size.saturating_sub((HEAD.len() + TAIL.len()) as u64);
    let total = HEAD.len() as u64 + filler + TAIL.len() as u64;
    let chunks = futures_util::stream::unfold((0u8, filler), |(stage, left)| async move {
        let out = match stage {
            0 => (Bytes::from_static(HEAD), (1, left)),
            1 if left > 0 => {
                let n = left.min(CHUNK as u64);
                (Bytes::from(vec![b'x'; n as usize]), (1, left - n))
            }
            1 => (Bytes::from_static(TAIL), (2, 0)),
            _ => return None,
        };
        Some((Ok::<_, std::io::Error>(out.0), out.1))
    });
    parts.headers.remove(header::CONTENT_LENGTH);
    if !chunked && let Ok(v) = HeaderValue::from_str(&total.to_string()) {
        parts.headers.insert(header::CONTENT_LENGTH, v);
    }
    Response::from_parts(parts, Body::from_stream(chunks))
}
