//! Property tests: whatever a server, a proxy or a hand-edited file gives us, decoding never
//! panics. The envelope/model decoders on arbitrary JSON (shaped like BMS replies and not)
//! and arbitrary bytes; the config parser on arbitrary text and TOML-like text; stored outbox
//! items; date and `Retry-After` parsing.

use bmsdesk_bms::envelope::decode;
use bmsdesk_core::config::{Config, Dirs};
use bmsdesk_core::model::*;
use bmsdesk_core::ops::WriteOp;
use bmsdesk_core::retry::parse_retry_after;
use bmsdesk_core::store::outbox::OutboxItem;
use bmsdesk_core::wire::parse_datetime;
use proptest::prelude::*;
use serde_json::{Value, json};

/// Keys the decoders look for, in both casings, so generated objects hit real fields.
const KEYS: &[&str] = &[
    "success",
    "Success",
    "error",
    "Error",
    "result",
    "Result",
    "totalRecords",
    "TotalRecords",
    "message",
    "Message",
    "code",
    "details",
    "Details",
    "subErrors",
    "id",
    "Id",
    "ID",
    "title",
    "Title",
    "ticketNumber",
    "name",
    "Name",
    "accountId",
    "AccountID",
    "openDate",
    "OpenDate",
    "dueDate",
    "createdOn",
    "modifiedOn",
    "isInternal",
    "IsInternal",
    "isSLAPaused",
    "IsSLAPaused",
    "hasMetSLA",
    "slaId",
    "SLAId",
    "isActive",
    "isMain",
    "isDefault",
    "statusId",
    "priorityId",
    "typeId",
    "assigneeId",
    "queueId",
    "startDate",
    "startTime",
    "endTime",
    "timespent",
    "notes",
    "userId",
    "fullName",
    "respondGoal",
    "kind",
    "ticket_id",
    "note_id",
    "input",
    "ops",
    "op",
    "path",
    "value",
    "seq",
    "state",
    "created_at",
    "attempts",
    "maybe_sent",
];

const ODD_STRINGS: &[&str] = &[
    "",
    "2025-01-15T14:00:00",
    "2025-01-15T14:00:00.1234567",
    "2025-01-15",
    "0000-00-00T00:00:00",
    "9999-12-31T23:59:59Z",
    "-262143-01-01T00:00:00Z",
    "+262142-12-31T23:59:59Z",
    "1900-01-01T00:00:00+14:00",
    "true",
    "1",
    "NaN",
    "\u{1b}[2J",
    "<p>x</p>",
    "add_note",
    "create_ticket",
    "replace",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(KEYS).prop_map(String::from),
        1 => "[A-Za-z]{0,10}",
    ]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        prop::sample::select(ODD_STRINGS).prop_map(|s| Value::String(s.into())),
        any::<String>().prop_map(Value::String),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(4, 96, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key(), inner), 0..10)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// A reply shaped like the BMS envelope, with anything inside.
fn envelope() -> impl Strategy<Value = Value> {
    (
        prop::option::of(any::<bool>()),
        json_value(),
        json_value(),
        json_value(),
        any::<bool>(),
    )
        .prop_map(|(success, result, error, total, pascal)| {
            let mut m = serde_json::Map::new();
            let k = |c: &str, p: &str| if pascal { p.to_string() } else { c.to_string() };
            if let Some(s) = success {
                m.insert(k("success", "Success"), json!(s));
            }
            m.insert(k("result", "Result"), result);
            m.insert(k("error", "Error"), error);
            m.insert(k("totalRecords", "TotalRecords"), total);
            Value::Object(m)
        })
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        Just(200u16),
        Just(201),
        Just(204),
        Just(400),
        Just(401),
        Just(404),
        Just(429),
        Just(500),
        Just(503),
        0u16..1000,
    ]
}

/// Decoding into every model type the client reads.
fn decode_all(status: u16, body: &[u8]) {
    macro_rules! each {
        ($($t:ty),* $(,)?) => { $( let _ = decode::<$t>(status, body); )* };
    }
    each!(
        Value,
        (),
        Ticket,
        TicketRow,
        Vec<TicketRow>,
        Option<Vec<TicketRow>>,
        Option<Ticket>,
        Note,
        Option<Vec<Note>>,
        Account,
        Vec<Location>,
        Contact,
        Vec<LookupItem>,
        TimeLog,
        Option<Vec<TimeLog>>,
        UserInfo,
        SlaInfo,
        TicketTemplate,
        Vec<TicketTemplateSummary>,
        NoteTemplate,
        NoteTemplateBody,
        TimeLogTemplate,
    );
}

fn toml_value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "\"us\"",
            "\"emea\"",
            "\"http://example.com\"",
            "\"http://127.0.0.1:1\"",
            "\"https://x\"",
            "\"~/x\"",
            "\"~\"",
            "\"\"",
            "\"../../etc\"",
            "0",
            "-1",
            "1",
            "5001",
            "99999999999999999999",
            "3.5",
            "nan",
            "true",
            "[]",
            "[1, \"a\"]",
            "{ a = 1 }",
            "1979-05-27T07:32:00Z",
            "\"\"\"multi\nline\"\"\"",
        ])
        .prop_map(String::from),
        any::<i64>().prop_map(|n| n.to_string()),
        "\"[^\"\\\\\\n]{0,12}\"",
    ]
}

fn toml_text() -> impl Strategy<Value = String> {
    let key = prop::sample::select(vec![
        "api_base",
        "tenant",
        "username",
        "password_command",
        "mfa_command",
        "token_file",
        "cache_file",
        "state_dir",
        "log_file",
        "default_profile",
        "page_size",
        "concurrency",
        "timeout_secs",
        "max_retries",
        "dir",
        "ttl_hours",
        "refresh_secs",
        "theme",
        "timezone",
        "business_hours",
        "warn_minutes",
        "paused_statuses",
        "name",
        "status",
        "key",
        "unknown_key",
    ]);
    let header = prop::sample::select(vec![
        "",
        "[profiles.a]",
        "[profiles.b]",
        "[profiles.\"x y\"]",
        "[audit]",
        "[cache]",
        "[sla]",
        "[tui]",
        "[tui.keys]",
        "[[tui.views]]",
        "[profiles]",
        "[[profiles.a]]",
    ]);
    prop::collection::vec(
        prop_oneof![
            (key, toml_value()).prop_map(|(k, v)| format!("{k} = {v}")),
            header.prop_map(String::from),
            "\\PC{0,30}",
        ],
        0..16,
    )
    .prop_map(|lines| lines.join("\n"))
}

fn check_config(text: &str) {
    let tmp = std::env::temp_dir().join("bmsdesk-props");
    let Ok(cfg) = Config::from_toml(text, None, Dirs::under(&tmp)) else {
        return;
    };
    let no_env = |_: &str| None;
    let _ = cfg.resolve(None, &no_env);
    for name in cfg.profile_names() {
        let _ = cfg.resolve(Some(&name), &no_env);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn decoding_any_envelope_never_panics(status in status(), v in envelope()) {
        bmsdesk_core::clock::pin_for_tests();
        decode_all(status, v.to_string().as_bytes());
    }

    #[test]
    fn decoding_any_json_never_panics(status in status(), v in json_value()) {
        bmsdesk_core::clock::pin_for_tests();
        decode_all(status, v.to_string().as_bytes());
    }

    #[test]
    fn decoding_any_bytes_never_panics(status in status(), bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        bmsdesk_core::clock::pin_for_tests();
        decode_all(status, &bytes);
    }

    #[test]
    fn decoding_truncated_or_corrupted_replies_never_panics(
        status in status(),
        v in envelope(),
        cut in any::<prop::sample::Index>(),
        flip in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        bmsdesk_core::clock::pin_for_tests();
        let mut body = v.to_string().into_bytes();
        let cut_at = cut.index(body.len() + 1);
        body.truncate(cut_at);
        decode_all(status, &body);
        if !body.is_empty() {
            let i = flip.index(body.len());
            body[i] = byte;
            decode_all(status, &body);
        }
    }

    #[test]
    fn a_failed_reply_is_always_an_error(status in 300u16..1000, v in envelope()) {
        bmsdesk_core::clock::pin_for_tests();
        prop_assert!(decode::<Value>(status, v.to_string().as_bytes()).is_err());
    }

    #[test]
    fn config_parser_never_panics_on_any_text(text in "\\PC{0,400}") {
        bmsdesk_core::clock::pin_for_tests();
        check_config(&text);
    }

    #[test]
    fn config_parser_never_panics_on_toml_like_text(text in toml_text()) {
        bmsdesk_core::clock::pin_for_tests();
        check_config(&text);
    }

    #[test]
    fn stored_outbox_items_load_or_fail_cleanly(v in json_value()) {
        bmsdesk_core::clock::pin_for_tests();
        let _ = serde_json::from_value::<WriteOp>(v.clone());
        let _ = serde_json::from_value::<OutboxItem>(v);
    }

    #[test]
    fn a_line_kept_as_clean_is_exactly_what_sanitizing_makes_of_it(
        s in r"[ -~]{0,30}|\PC{0,30}|[ \t\x1b\[a-z\u{202e}\u{a0}]{0,20}"
    ) {
        bmsdesk_core::clock::pin_for_tests();
        let clean = bmsdesk_core::text::sanitize_line(&s);
        prop_assert_eq!(bmsdesk_core::text::is_clean_line(&s), clean == s, "{:?}", s);
        prop_assert!(bmsdesk_core::text::is_clean_line(&clean), "{:?} -> {:?}", s, clean);
    }

    #[test]
    fn dates_and_retry_after_parse_or_fail_cleanly(s in "\\PC{0,40}", pick in prop::sample::select(ODD_STRINGS)) {
        bmsdesk_core::clock::pin_for_tests();
        let _ = parse_datetime(&s);
        let _ = parse_datetime(pick);
        let _ = parse_retry_after(&s, bmsdesk_core::clock::now());
        let _ = parse_retry_after(pick, bmsdesk_core::clock::now());
        let _ = parse_retry_after(&format!("{s}, 01 Jan 9999 00:00:00 GMT"), bmsdesk_core::clock::now());
    }
}

#[test]
fn the_generators_reach_real_fields() {
    bmsdesk_core::clock::pin_for_tests();
    // A decoded ticket from a generated-looking reply: the generators are not all noise.
    let body = json!({"Success": true, "Result": {"Id": 7, "Title": "t", "IsSLAPaused": "1", "OpenDate": "2025-01-15"}});
    let t = decode::<Ticket>(200, body.to_string().as_bytes())
        .unwrap()
        .result;
    assert_eq!((t.row.id, t.row.is_sla_paused), (7, Some(true)));
    assert!(t.row.open_date.is_some());
}

// `null` in every nullable field of every reply the client reads, PascalCase and camelCase
// keys, random values from the spec's schemas: `tests/props_replies.rs`.
