//! Conformance to `tests/data/bms-openapi.json` (a copy of the BMS v2 OpenAPI document):
//! `check.rs` checks one recorded exchange (`bmsdesk_sim::Exchange`, recorded by a
//! simulator started with `SimConfig::record`), `schema.rs` one JSON value against a schema,
//! `divergences.rs` lists the known divergences with their reasons.
//!
//! One copy in the test binary (`tests/runner.rs` declares it); test modules use it as
//! `crate::spec` (or through `tests/common`, whose rig checks every exchange of a test when
//! the test ends).
#![allow(dead_code, unused_imports)]

pub mod check;
pub mod divergences;
pub mod schema;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use bmsdesk_sim::Exchange;

pub use check::{Divergence, Spec};
pub use schema::Side;

/// The spec, parsed once per test binary.
pub fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/bms-openapi.json");
        let text = std::fs::read_to_string(path).expect("tests/data/bms-openapi.json");
        Spec::parse(&text)
    })
}

/// What checking a recording found.
#[derive(Debug, Default)]
pub struct Report {
    /// Exchanges checked.
    pub checked: usize,
    /// Left out: injected on purpose, a test's own raw request, or a body too large to keep.
    pub skipped: usize,
    /// Endpoints (`"GET /v2/..."`) checked, with how many exchanges each.
    pub endpoints: BTreeMap<String, usize>,
    /// Divergences no list explains: key -> (count, first example).
    pub unexplained: BTreeMap<String, (usize, Divergence)>,
    /// Divergences a list explains: key -> count.
    pub explained: BTreeMap<String, usize>,
    /// Documented reply fields left out (not divergences; see `Checker::omitted`): key ->
    /// count.
    pub omitted: BTreeMap<String, usize>,
}

/// `sim::spawn` with every exchange recorded and checked by [`check_recording`] when the
/// handle goes: what each test rig starts its simulator with.
pub async fn spawn_checked(cfg: bmsdesk_sim::SimConfig) -> std::io::Result<bmsdesk_sim::SimHandle> {
    let mut h = bmsdesk_sim::spawn(bmsdesk_sim::SimConfig {
        record: true,
        ..cfg
    })
    .await?;
    h.on_drop(check_recording);
    Ok(h)
}

/// The check a test rig runs when its simulator goes (`SimHandle::on_drop`): every
/// recorded exchange, failing the test on a divergence no list explains (unless the test is
/// failing already: a second panic would abort).
pub fn check_recording(st: &bmsdesk_sim::SimState) {
    let exchanges = st.take_exchanges();
    if std::thread::panicking() {
        return;
    }
    Report::of(&exchanges).assert_conforms();
}

impl Report {
    pub fn add(&mut self, exchanges: &[Exchange]) {
        let spec = spec();
        for ex in exchanges {
            if !ex.checkable() {
                self.skipped += 1;
                continue;
            }
            self.checked += 1;
            let endpoint = spec
                .operation(&ex.method, &ex.path)
                .map(|o| o.endpoint())
                .unwrap_or_else(|d| d.endpoint);
            *self.endpoints.entry(endpoint).or_default() += 1;
            for o in spec.omissions(ex) {
                *self.omitted.entry(o).or_default() += 1;
            }
            for d in spec.check(ex) {
                let key = d.key();
                if divergences::explain(&d).is_some() {
                    *self.explained.entry(key).or_default() += 1;
                } else {
                    self.unexplained.entry(key).or_insert((0, d)).0 += 1;
                }
            }
        }
    }

    pub fn of(exchanges: &[Exchange]) -> Report {
        let mut r = Report::default();
        r.add(exchanges);
        r
    }

    /// The unexplained divergences, one per line, grouped by endpoint (the key starts with it).
    pub fn listing(&self) -> String {
        let mut out = String::new();
        for (key, (n, d)) in &self.unexplained {
            out.push_str(&format!("  {key}  [x{n}]"));
            if !d.detail.is_empty() {
                out.push_str(&format!("  e.g. {}", d.detail));
            }
            out.push('\n');
        }
        out
    }

    /// Fails on an unexplained divergence; with `BMSDESK_SPEC_REPORT=FILE` it appends them
    /// to FILE instead (one key a line: a survey of every test binary in one run).
    #[track_caller]
    pub fn assert_conforms(&self) {
        if let Some(file) = std::env::var_os("BMSDESK_SPEC_REPORT") {
            use std::io::Write;
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(file)
                .expect("BMSDESK_SPEC_REPORT file");
            for (key, (n, d)) in &self.unexplained {
                let _ = writeln!(f, "{key}\t{n}\t{}", d.detail);
            }
            for (key, n) in &self.omitted {
                let _ = writeln!(f, "omitted: {key}\t{n}");
            }
            return;
        }
        assert!(
            self.unexplained.is_empty(),
            "{} exchange(s) checked against tests/data/bms-openapi.json; divergences not listed \
             in tests/spec/divergences.rs:\n{}",
            self.checked,
            self.listing()
        );
    }
}
