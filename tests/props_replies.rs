//! Every reply the client decodes, generated from the spec (`tests/data/bms-openapi.json`):
//! for each endpoint it reads, the reply schema is turned into random JSON — random values of
//! each type and format over their whole range, `null` in a random subset of the nullable
//! fields (nested ones too), and in every one of them; documented fields left out at random —
//! with its keys in PascalCase (the spec) and in camelCase (the live server). Nothing the
//! spec allows may fail to decode with the decoder and DTO the client uses for that endpoint,
//! and both casings must decode to the same value.
//!
//! Fixed seeds: a failure is the same failure on every run.

use bmsdesk_bms::envelope::decode;
use bmsdesk_core::model::*;
use bmsdesk_core::wire::dotnet_camel;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::{Map, Value, json};
use std::sync::OnceLock;

// The conformance checker's schema reader (`tests/spec`), to check the generator with.
use crate::spec::schema;

fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/bms-openapi.json");
        let bytes = std::fs::read(path).expect("the spec copy in tests/data");
        serde_json::from_slice(&bytes).expect("the spec is JSON")
    })
}

fn resolve(s: &'static Value) -> &'static Value {
    match s.get("$ref").and_then(Value::as_str) {
        Some(r) => spec()
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("unresolvable {r}")),
        None => s,
    }
}

// ---- the client's decoders, one per endpoint ---------------------------------------------

/// Decodes a body the way the client does on one endpoint; `Ok(the result, as Debug text)`
/// so two decodes can be compared.
type Decoder = fn(&[u8]) -> Result<String, String>;

fn list<T: serde::de::DeserializeOwned + std::fmt::Debug>(body: &[u8]) -> Result<String, String> {
    decode::<Option<Vec<T>>>(200, body)
        .map(|r| format!("{:?} total {:?}", r.result, r.total))
        .map_err(|e| e.to_string())
}

fn one<T: serde::de::DeserializeOwned + std::fmt::Debug>(body: &[u8]) -> Result<String, String> {
    decode::<Option<T>>(200, body)
        .map(|r| format!("{:?}", r.result))
        .map_err(|e| e.to_string())
}

fn tokens(body: &[u8]) -> Result<String, String> {
    bmsdesk_bms::auth::decode_token_reply(200, body)
        .map(|t| format!("{t:?}"))
        .map_err(|e| e.to_string())
}

/// Every read of `bmsdesk::api`: method, spec path, the decoder of the client's result type.
const READS: &[(&str, &str, Decoder)] = &[
    ("post", "/v2/security/authenticate", tokens),
    ("post", "/v2/security/refreshtoken", tokens),
    ("get", "/v2/security/userinfo", one::<UserInfo>),
    ("post", "/v2/servicedesk/tickets/search", list::<TicketRow>),
    ("get", "/v2/servicedesk/tickets/{ticketId}", one::<Ticket>),
    ("post", "/v2/servicedesk/tickets", one::<Ticket>),
    ("patch", "/v2/servicedesk/tickets/{ticketId}", one::<Ticket>),
    (
        "get",
        "/v2/servicedesk/tickets/{ticketId}/notes",
        list::<Note>,
    ),
    (
        "post",
        "/v2/servicedesk/tickets/{ticketId}/notes",
        one::<Note>,
    ),
    (
        "get",
        "/v2/servicedesk/tickets/{ticketId}/notes/{noteId}",
        one::<Note>,
    ),
    (
        "put",
        "/v2/servicedesk/tickets/{ticketId}/notes/{noteId}",
        one::<Note>,
    ),
    (
        "get",
        "/v2/servicedesk/tickets/{ticketId}/timelogs",
        list::<TimeLog>,
    ),
    (
        "post",
        "/v2/servicedesk/tickets/{ticketId}/timelogs",
        one::<TimeLog>,
    ),
    (
        "get",
        "/v2/servicedesk/tickets/{ticketId}/slainfo",
        one::<SlaInfo>,
    ),
    ("get", "/v2/crm/accounts/lookup", list::<Account>),
    (
        "get",
        "/v2/crm/accounts/{accountId}/locations/lookup",
        list::<Location>,
    ),
    (
        "get",
        "/v2/crm/accounts/{accountId}/contacts/lookup",
        list::<Contact>,
    ),
    ("get", "/v2/system/statuses/lookup", list::<LookupItem>),
    ("get", "/v2/system/priorities/lookup", list::<LookupItem>),
    ("get", "/v2/system/queues/lookup", list::<LookupItem>),
    ("get", "/v2/system/issuetypes/lookup", list::<LookupItem>),
    ("get", "/v2/system/worktypes/lookup", list::<LookupItem>),
    ("get", "/v2/system/roles/lookup", list::<LookupItem>),
    ("get", "/v2/system/lookup/{tableName}", list::<LookupItem>),
    ("get", "/v2/hr/assignees/lookup", list::<LookupItem>),
    ("get", "/v2/hr/employees/lookup", list::<LookupItem>),
    (
        "get",
        "/v2/servicedesk/templates/tickets/lookup",
        list::<TicketTemplateSummary>,
    ),
    (
        "get",
        "/v2/servicedesk/templates/tickets/{templateId}",
        one::<TicketTemplate>,
    ),
    (
        "get",
        "/v2/servicedesk/templates/notes/lookup",
        list::<NoteTemplate>,
    ),
    (
        "get",
        "/v2/servicedesk/templates/notes/{templateId}/{ticketId}",
        list::<NoteTemplateBody>,
    ),
    (
        "get",
        "/v2/servicedesk/templates/timelogs/lookup",
        list::<TimeLogTemplate>,
    ),
];

/// One read: what it is called, the reply (envelope) schema and its decoder.
struct Read {
    what: String,
    reply: &'static Value,
    decoder: Decoder,
}

fn reads() -> Vec<Read> {
    READS
        .iter()
        .map(|&(method, path, decoder)| {
            let op = &spec()["paths"][path][method];
            let reply = resolve(&op["responses"]["200"]["content"]["application/json"]["schema"]);
            assert!(
                reply["properties"]["Result"].is_object(),
                "{method} {path}: no Result in the spec's reply"
            );
            Read {
                what: format!("{} {path}", method.to_uppercase()),
                reply,
                decoder,
            }
        })
        .collect()
}

// ---- JSON from a schema ------------------------------------------------------------------

/// Where `null` goes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Nulls {
    /// In a random subset of the nullable fields (and, the spec's reading in
    /// `tests/spec/schema.rs`, of the `$ref` objects), documented fields left out at random.
    Random,
    /// In every field the spec marks nullable, every other field present.
    Every,
    /// Nowhere, every field present, every list non-empty (a base to put one null into).
    Never,
}

/// Nesting beyond this gets empty objects and arrays (the spec's DTOs are not recursive, but
/// some nest deep).
const DEPTH: u32 = 4;

fn is_nullable(s: &Value) -> bool {
    s.get("nullable").and_then(Value::as_bool) == Some(true)
}

fn digits(n: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(0u8..10, n).prop_map(|d| d.iter().map(|x| char::from(b'0' + x)).collect())
}

/// A `date-time` the spec allows: naive or with `Z`/an offset, with or without fractions,
/// any year .NET can write.
fn date_time() -> impl Strategy<Value = String> {
    let fraction = prop_oneof![
        Just(String::new()),
        (1usize..=7)
            .prop_flat_map(digits)
            .prop_map(|d| format!(".{d}"))
    ];
    let offset = prop_oneof![
        Just(String::new()),
        Just("Z".to_string()),
        (
            any::<bool>(),
            0u32..=14,
            prop::sample::select(vec![0u32, 30, 45])
        )
            .prop_map(|(neg, h, m)| format!("{}{h:02}:{m:02}", if neg { '-' } else { '+' })),
    ];
    (
        1i32..=9999,
        1u32..=12,
        1u32..=28,
        0u32..24,
        0u32..60,
        0u32..60,
        fraction,
        offset,
    )
        .prop_map(|(y, mo, d, h, mi, s, f, o)| {
            format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{f}{o}")
        })
}

/// A .NET `TimeSpan`: `[-][d.]hh:mm:ss[.fffffff]`.
fn date_span() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop::option::of(0u32..30),
        0u32..24,
        0u32..60,
        0u32..60,
        prop::option::of((1usize..=7).prop_flat_map(digits)),
    )
        .prop_map(|(neg, d, h, m, s, f)| {
            let mut out = String::new();
            if neg {
                out.push('-');
            }
            if let Some(d) = d {
                out.push_str(&format!("{d}."));
            }
            out.push_str(&format!("{h:02}:{m:02}:{s:02}"));
            if let Some(f) = f {
                out.push_str(&format!(".{f}"));
            }
            out
        })
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(any::<char>(), 0..12).prop_map(String::from_iter),
        "[a-zA-Z0-9 ]{0,12}",
    ]
}

fn string(s: &Value) -> BoxedStrategy<Value> {
    let min = s.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    match s.get("format").and_then(Value::as_str) {
        Some("date-time") => date_time().prop_map(Value::String).boxed(),
        Some("date") => (1i32..=9999, 1u32..=12, 1u32..=28)
            .prop_map(|(y, m, d)| json!(format!("{y:04}-{m:02}-{d:02}")))
            .boxed(),
        Some("date-span") => date_span().prop_map(Value::String).boxed(),
        Some("uuid") => "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
            .prop_map(Value::String)
            .boxed(),
        _ => any_text()
            .prop_map(move |t| {
                let pad = min.saturating_sub(t.chars().count());
                Value::String(format!("{t}{}", "x".repeat(pad)))
            })
            .boxed(),
    }
}

fn integer(s: &Value) -> BoxedStrategy<Value> {
    let (lo, hi) = match s.get("format").and_then(Value::as_str) {
        Some("int64") => (i64::MIN, i64::MAX),
        _ => (i32::MIN as i64, i32::MAX as i64),
    };
    let lo = s
        .get("minimum")
        .and_then(Value::as_f64)
        .map_or(lo, |m| m.ceil() as i64);
    let hi = s
        .get("maximum")
        .and_then(Value::as_f64)
        .map_or(hi, |m| m.floor() as i64);
    // Small values (the usual ids and flags) as often as the whole range.
    let small = (lo.max(-3)..=hi.min(3).max(lo.max(-3))).boxed();
    prop_oneof![small, lo..=hi].prop_map(Value::from).boxed()
}

fn number(s: &Value) -> BoxedStrategy<Value> {
    let float = s.get("format").and_then(Value::as_str) == Some("float");
    let finite = if float {
        any::<f32>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(|x| x as f64)
            .boxed()
    } else {
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .boxed()
    };
    // .NET writes a whole double without a fraction (`0`, `2`): an integer token.
    prop_oneof![
        finite.prop_map(|x| serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)),
        (-1000i64..1000).prop_map(Value::from),
        (-1000i64..1000).prop_map(|x| json!(x as f64 / 4.0)),
    ]
    .boxed()
}

/// A value of schema `s`: `null` where `nulls` puts it (a `$ref` object may be null too,
/// the spec's reading in `tests/spec/schema.rs`).
fn value(s: &'static Value, nulls: Nulls, depth: u32) -> BoxedStrategy<Value> {
    value_in(s, nulls, depth, true)
}

/// `ref_may_be_null`: false for array items (the reading covers properties only).
fn value_in(
    s: &'static Value,
    nulls: Nulls,
    depth: u32,
    ref_may_be_null: bool,
) -> BoxedStrategy<Value> {
    let may_be_null = is_nullable(s)
        || (nulls == Nulls::Random
            && ref_may_be_null
            && s.get("$ref").is_some()
            && resolve(s).get("properties").is_some());
    let s_resolved = resolve(s);
    let inner = non_null(s_resolved, nulls, depth);
    match (may_be_null, nulls) {
        (true, Nulls::Every) if is_nullable(s) => Just(Value::Null).boxed(),
        (true, Nulls::Random) => prop_oneof![1 => Just(Value::Null), 2 => inner].boxed(),
        _ => inner,
    }
}

fn non_null(s: &'static Value, nulls: Nulls, depth: u32) -> BoxedStrategy<Value> {
    if let Some(options) = s.get("enum").and_then(Value::as_array) {
        return prop::sample::select(options.clone()).boxed();
    }
    match s.get("type").and_then(Value::as_str) {
        Some("string") => string(s),
        Some("integer") => integer(s),
        Some("number") => number(s),
        Some("boolean") => any::<bool>().prop_map(Value::Bool).boxed(),
        Some("array") => {
            if depth >= DEPTH {
                return Just(json!([])).boxed();
            }
            let item = s.get("items").map_or_else(
                || Just(json!("x")).boxed(),
                |i| value_in(i, nulls, depth + 1, false),
            );
            let min = usize::from(nulls == Nulls::Never);
            prop::collection::vec(item, min..3)
                .prop_map(Value::Array)
                .boxed()
        }
        _ if s.get("properties").is_some() || s.get("additionalProperties").is_some() => {
            object(s, nulls, depth)
        }
        // Untyped (`{"nullable": true}`): any small JSON value.
        _ => prop_oneof![
            Just(Value::Null),
            any::<i32>().prop_map(Value::from),
            any_text().prop_map(Value::String),
        ]
        .boxed(),
    }
}

fn object(s: &'static Value, nulls: Nulls, depth: u32) -> BoxedStrategy<Value> {
    if depth >= DEPTH {
        return Just(json!({})).boxed();
    }
    let required: Vec<&str> = s
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let fields: Vec<BoxedStrategy<Option<(String, Value)>>> = s
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, prop)| {
            let name = name.clone();
            let v = value(prop, nulls, depth + 1);
            let keep = name.clone();
            let present = v.prop_map(move |v| Some((keep.clone(), v)));
            if nulls == Nulls::Random && !required.contains(&name.as_str()) {
                // The spec marks no reply field required: any may be left out.
                prop_oneof![6 => present, 1 => Just(None)].boxed()
            } else {
                present.boxed()
            }
        })
        .collect();
    let extra = match s.get("additionalProperties") {
        Some(a @ Value::Object(_)) => {
            prop::collection::vec(("[A-Za-z]{1,6}", value(a, nulls, depth + 1)), 0..3).boxed()
        }
        _ => Just(Vec::new()).boxed(),
    };
    (fields, extra)
        .prop_map(|(fields, extra)| {
            let mut m = Map::new();
            for (k, v) in fields.into_iter().flatten().chain(extra) {
                m.insert(k, v);
            }
            Value::Object(m)
        })
        .boxed()
}

/// A whole reply: the envelope of a success (`Success: true`; the other parts as the spec
/// allows), in the spec's PascalCase.
fn reply(r: &Read, nulls: Nulls) -> BoxedStrategy<Value> {
    let props = &r.reply["properties"];
    let result = value(&props["Result"], nulls, 0);
    let error = match nulls {
        Nulls::Every | Nulls::Never => Just(Value::Null).boxed(),
        Nulls::Random => {
            prop_oneof![3 => Just(Value::Null), 1 => value(&props["Error"], nulls, 1)].boxed()
        }
    };
    let total = props
        .get("TotalRecords")
        .map(|t| prop::option::of(value(t, nulls, 1)).boxed())
        .unwrap_or_else(|| Just(None).boxed());
    (result, error, total)
        .prop_map(|(result, error, total)| {
            let mut env = json!({"Success": true, "Error": error, "Result": result});
            if let Some(t) = total {
                env["TotalRecords"] = t;
            }
            env
        })
        .boxed()
}

/// `v` with every key in .NET camelCase (what the live server sends).
fn camel(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, v)| (dotnet_camel(k), camel(v))).collect())
        }
        Value::Array(a) => Value::Array(a.iter().map(camel).collect()),
        other => other.clone(),
    }
}

// ---- the properties ----------------------------------------------------------------------

/// Both casings of `v` decode, to the same value.
fn check(r: &Read, v: &Value) -> Result<(), String> {
    let pascal = (r.decoder)(v.to_string().as_bytes())
        .map_err(|e| format!("{} (PascalCase): {e}\nreply: {v}", r.what))?;
    let camel_v = camel(v);
    let camel = (r.decoder)(camel_v.to_string().as_bytes())
        .map_err(|e| format!("{} (camelCase): {e}\nreply: {camel_v}", r.what))?;
    if pascal != camel {
        return Err(format!(
            "{}: the casings decode differently\nPascalCase: {pascal}\ncamelCase:  {camel}\nreply: {v}",
            r.what
        ));
    }
    Ok(())
}

fn run(nulls: Nulls, cases: u32, seed: u8) {
    let failures = failures_in(&reads(), nulls, cases, seed);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn failures_in(reads: &[Read], nulls: Nulls, cases: u32, seed: u8) -> Vec<String> {
    let mut failures = Vec::new();
    for (i, r) in reads.iter().enumerate() {
        let config = Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        };
        let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[seed.wrapping_add(i as u8); 32]);
        let mut runner = TestRunner::new_with_rng(config, rng);
        let strategy = reply(r, nulls);
        let outcome = runner.run(&strategy, |v| {
            check(r, &v).map_err(proptest::test_runner::TestCaseError::fail)
        });
        if let Err(e) = outcome {
            failures.push(e.to_string());
        }
    }
    failures
}

#[test]
fn a_decoder_that_gets_a_type_or_nullability_wrong_is_caught() {
    bmsdesk_core::clock::pin_for_tests();
    // The properties can fail: a time log read with `Timespent` as an integer (the spec says
    // number), and one that requires `Timespent`, which the spec lets be null or absent.
    #[derive(Debug, serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    #[allow(dead_code)]
    struct IntTimespent {
        #[serde(default)]
        timespent: Option<i64>,
    }
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct NoDefault {
        timespent: f64,
    }
    let op = &spec()["paths"]["/v2/servicedesk/tickets/{ticketId}/timelogs"]["get"];
    let reply = resolve(&op["responses"]["200"]["content"]["application/json"]["schema"]);
    for decoder in [list::<IntTimespent> as Decoder, list::<NoDefault>] {
        let wrong = [Read {
            what: "a wrong time-log DTO".into(),
            reply,
            decoder,
        }];
        let failures = failures_in(&wrong, Nulls::Random, 48, 5);
        assert_eq!(failures.len(), 1, "not caught");
        assert!(
            failures[0].contains("Timespent") || failures[0].contains("timespent"),
            "{failures:?}"
        );
    }
}

#[test]
fn every_read_is_in_the_spec() {
    bmsdesk_core::clock::pin_for_tests();
    let reads = reads();
    assert_eq!(reads.len(), READS.len());
    // The generator reaches nullable fields: the spec copy is the real one.
    let nullable = reads
        .iter()
        .filter_map(|r| {
            let result = resolve(&r.reply["properties"]["Result"]);
            let row = resolve(result.get("items").unwrap_or(result));
            row["properties"].as_object()
        })
        .flatten()
        .filter(|(_, s)| is_nullable(s))
        .count();
    assert!(nullable > 100, "{nullable} nullable fields");
}

#[test]
fn random_replies_with_random_nulls_decode_in_both_casings() {
    bmsdesk_core::clock::pin_for_tests();
    run(Nulls::Random, 48, 1);
}

#[test]
fn random_replies_with_every_nullable_field_null_decode_in_both_casings() {
    bmsdesk_core::clock::pin_for_tests();
    run(Nulls::Every, 16, 101);
}

#[test]
fn the_generator_makes_what_the_checker_accepts() {
    bmsdesk_core::clock::pin_for_tests();
    // The generator and the conformance checker read the spec alike: every generated reply
    // conforms (so a decode failure above is the client's, not a generator's invention).
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases: 8,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    for r in reads() {
        for nulls in [Nulls::Random, Nulls::Every] {
            let strategy = reply(&r, nulls);
            for _ in 0..8 {
                let v = strategy.new_tree(&mut runner).unwrap().current();
                for body in [v.clone(), camel(&v)] {
                    let mut c = schema::Checker::new(spec(), schema::Side::Reply);
                    c.check(r.reply, &body, "$");
                    assert!(
                        c.findings.is_empty(),
                        "{}: {:?}\n{body}",
                        r.what,
                        c.findings
                    );
                }
            }
        }
    }
}

#[test]
fn each_nullable_field_of_a_row_alone_decodes() {
    bmsdesk_core::clock::pin_for_tests();
    // Deterministic and exhaustive where the random runs sample: one full reply per read,
    // then each nullable field of its row set to null alone (in the middle of a list).
    let mut runner = TestRunner::new_with_rng(
        Config {
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &[3; 32]),
    );
    let mut failures = Vec::new();
    let mut tried = 0;
    for r in reads() {
        let full = reply(&r, Nulls::Never)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        let result = resolve(&r.reply["properties"]["Result"]);
        let row_schema = resolve(result.get("items").unwrap_or(result));
        let fields: Vec<&String> = row_schema["properties"]
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(_, s)| is_nullable(s))
            .map(|(k, _)| k)
            .collect();
        for f in fields {
            let mut v = full.clone();
            let row = match &mut v["Result"] {
                Value::Array(rows) => {
                    let mid = rows.len() / 2;
                    &mut rows[mid]
                }
                one => one,
            };
            row[f.as_str()] = Value::Null;
            tried += 1;
            if let Err(e) = check(&r, &v) {
                failures.push(format!("{f}: {e}"));
            }
        }
    }
    assert!(tried > 100, "{tried} fields tried");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
