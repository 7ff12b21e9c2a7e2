//! The one integration-test binary (`cargo test --test it`): every file under `tests/` is a
//! module of this crate, not a binary of its own. Why: each test binary links the whole
//! library and its dependencies, so 25 of them were relinked after every change to `src/`;
//! one binary is linked once (BENCHMARKS.md, "Build and relink"). The pattern is jj's
//! `cli/tests/runner.rs`.
//!
//! Run one area with its module path as the filter: `cargo test --test it api_auth::`.
//!
//! The modules share one process now. So a test must not change process-wide state that
//! another could see: environment variables go to the child processes a test starts (never
//! `std::env::set_var`), and every test that asks `bmsdesk_core::clock` the time pins it first
//! (`bmsdesk_core::clock::pin_for_tests()`, which every rig in `common`/`cli_support` does):
//! `pin_for_tests` refuses, loudly, once the process has read the wall clock unpinned.
//!
//! `Cargo.toml` sets `autotests = false`, so a test file not listed below would silently
//! never build or run; `no_forgotten_test_files` fails instead.
#![allow(clippy::unwrap_used, reason = "tests: a panic is a failed test")]

// Shared rigs and the conformance checker: one copy each, used as `crate::common` etc.
mod cli_support;
mod common;
mod spec;

mod api_auth;
mod api_faults;
mod api_hostile;
mod api_lookups;
mod api_notes;
mod api_server_variants;
mod api_tickets;
mod cli_auth;
mod cli_disk;
mod cli_doctor;
mod cli_notes_time;
mod cli_outbox;
mod cli_reference;
mod cli_tenant_tables;
mod cli_tickets;
mod conformance;
mod props;
mod props_replies;
mod reliability;
mod security;
mod soak;
mod tenant_time;
mod tui_pty;
mod tui_refresh;
mod tui_render;
mod tui_sim;

/// Every `.rs` file under `tests/` is declared as a module by its parent (this file for the
/// top level, `<dir>/mod.rs` inside a folder): with `autotests = false` an undeclared file
/// would be dead weight that looks like coverage.
#[test]
fn no_forgotten_test_files() {
    use std::path::{Path, PathBuf};

    fn declares(parent: &Path, name: &str) -> bool {
        let text = std::fs::read_to_string(parent).unwrap_or_default();
        text.lines().any(|l| {
            let l = l.trim();
            let l = l.strip_prefix("pub ").unwrap_or(l);
            l.strip_prefix("mod ").and_then(|r| r.strip_suffix(';')) == Some(name)
        })
    }
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let entries = std::fs::read_dir(dir).expect("tests/ is readable");
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let runner = root.join("runner.rs");
    let mut files = Vec::new();
    walk(&root, &mut files);
    let mut forgotten = Vec::new();
    for f in files {
        if f == runner {
            continue;
        }
        let stem = f.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
        let dir = f.parent().expect("a file under tests/ has a folder");
        // `d/mod.rs` is module `d`, declared by d's parent; `d/x.rs` is declared by `d/mod.rs`.
        let (name, parent_dir) = if stem == "mod" {
            let name = dir.file_name().and_then(|s| s.to_str()).unwrap_or_default();
            (name, dir.parent().expect("tests/ has a parent"))
        } else {
            (stem, dir)
        };
        let parent = if parent_dir == root {
            runner.clone()
        } else {
            parent_dir.join("mod.rs")
        };
        if !declares(&parent, name) {
            forgotten.push(f.strip_prefix(&root).unwrap_or(&f).display().to_string());
        }
    }
    assert!(
        forgotten.is_empty(),
        "test files no module declares (add `mod NAME;` to tests/runner.rs or the folder's mod.rs): {forgotten:?}"
    );
}
