//! Benchmarks at MSP scale (divan). Run all: `cargo bench --bench perf`; one group:
//! `cargo bench --bench perf -- frame`. Numbers and the machine they came from: BENCHMARKS.md.
//!
//! Fixtures are the simulator's generated tenant (`sim::generated_rows`), so titles, names and
//! SLA fields look like a real service desk's. Not part of `cargo test` (no timing asserts).
#![allow(clippy::unwrap_used, reason = "benchmarks: a panic is a failed run")]

use std::sync::OnceLock;

use bmsdesk_core::domain::{metrics, sla::SlaEngine, sla_settings::SlaSettings};
use bmsdesk_core::model::TicketRow;
use bmsdesk_tui::app::Model;
use bmsdesk_tui::fuzzy;
use bmsdesk_tui::list::TicketList;
use bmsdesk_tui::settings::{Column, Sort};
use bmsdesk_tui::testkit;
use bmsdesk_tui::theme::Theme;
use bmsdesk_tui::views;
use chrono::{DateTime, TimeZone, Utc};
use divan::{Bencher, black_box};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn main() {
    // `cargo test --all-targets` runs each bench once without `--bench`: keep that quick.
    QUICK.get_or_init(|| !std::env::args().any(|a| a == "--bench"));
    divan::main();
}

static QUICK: OnceLock<bool> = OnceLock::new();

const MAX: usize = 200_000;
const SIZES: [usize; 4] = [1_000, 10_000, 100_000, 200_000];

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 6, 2, 10, 0, 0).unwrap()
}

/// 200k generated rows, built once; smaller fixtures are prefixes (newest first).
fn rows(n: usize) -> Vec<TicketRow> {
    static ROWS: OnceLock<Vec<TicketRow>> = OnceLock::new();
    let max = if *QUICK.get().unwrap_or(&false) {
        2_000
    } else {
        MAX
    };
    let all = ROWS.get_or_init(|| bmsdesk_sim::generated_rows(42, max, now()));
    all[..n.min(all.len())].to_vec()
}

/// A model as the TUI has it after loading `n` tickets, on a 200x50 terminal.
fn model(n: usize) -> Model {
    let mut m = testkit::loaded(rows(n));
    m.theme = Theme::colored();
    m.now = now();
    m.size = (200, 50);
    m.prepare();
    m
}

fn terminal(m: &Model) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(200, 50)).unwrap();
    t.draw(|f| views::render(m, f)).unwrap();
    t
}

/// Runs a background filter job inline until the list settles.
fn settle(list: &mut TicketList, mut job: Option<fuzzy::FilterJob>) {
    while let Some(j) = job {
        let out = j.run();
        job = list.filtered(j.filter_gen, out);
    }
}

/// Render + diff of one frame at 200x50 through the real views (`Terminal::draw` on a
/// `TestBackend`): the selection moves every iteration so the diff always has work.
mod frame {
    use super::*;

    #[divan::bench(args = SIZES, sample_count = 200)]
    fn move_and_draw(b: Bencher, n: usize) {
        let mut m = model(n);
        let mut t = terminal(&m);
        let mut down = true;
        b.bench_local(|| {
            m.list.move_by(if down { 1 } else { -1 });
            down = !down;
            m.prepare();
            t.draw(|f| views::render(&m, f)).unwrap();
        });
    }

    /// Same with a `/` filter active (match highlighting on every visible row).
    #[divan::bench(args = SIZES, sample_count = 200)]
    fn filtered_move_and_draw(b: Bencher, n: usize) {
        let mut m = model(n);
        let job = m.list.set_query("print");
        settle(&mut m.list, job);
        m.prepare();
        let mut t = terminal(&m);
        let mut down = true;
        b.bench_local(|| {
            m.list.move_by(if down { 1 } else { -1 });
            down = !down;
            m.prepare();
            t.draw(|f| views::render(&m, f)).unwrap();
        });
    }

    /// A key through `Model::update` (the pure part of key → screen) and the frame.
    #[divan::bench(args = SIZES, sample_count = 200)]
    fn key_update_and_draw(b: Bencher, n: usize) {
        let mut m = model(n);
        let mut t = terminal(&m);
        let mut down = true;
        b.bench_local(|| {
            let _ = m.update(testkit::key(if down { 'j' } else { 'k' }));
            down = !down;
            t.draw(|f| views::render(&m, f)).unwrap();
        });
    }
}

/// The list rebuild (local view filter + sort) that runs on the UI thread, at most every
/// 250 ms while pages stream in and once at the end.
mod list {
    use super::*;

    #[divan::bench(args = SIZES, sample_count = 20)]
    fn resort(b: Bencher, n: usize) {
        let mut m = model(n);
        b.bench_local(|| {
            m.list.invalidate();
            black_box(m.list.prepare(now()));
        });
    }

    /// The same sorted by account name (text compare, case-insensitive).
    #[divan::bench(args = [10_000, 100_000], sample_count = 10)]
    fn resort_by_account(b: Bencher, n: usize) {
        let mut m = model(n);
        m.list.sort = Sort {
            column: Column::Account,
            desc: false,
        };
        b.bench_local(|| {
            m.list.invalidate();
            black_box(m.list.prepare(now()));
        });
    }

    /// Sorted by SLA time to breach (the default of the Open view).
    #[divan::bench(args = [10_000, 100_000], sample_count = 10)]
    fn resort_by_due(b: Bencher, n: usize) {
        let mut m = model(n);
        m.list.sort = Sort {
            column: Column::Due,
            desc: false,
        };
        b.bench_local(|| {
            m.list.invalidate();
            black_box(m.list.prepare(now()));
        });
    }

    /// Adding one 100-row page to a list of `n` (search text, index, row).
    #[divan::bench(args = SIZES, sample_count = 50)]
    fn upsert_page(b: Bencher, n: usize) {
        let all = rows(MAX);
        let mut list = TicketList::new();
        list.upsert(all[..n.min(all.len())].to_vec());
        let start = n.min(all.len() - 100);
        let page: Vec<TicketRow> = all[start..start + 100].to_vec();
        b.with_inputs(|| page.clone())
            .bench_local_values(|p| list.upsert(p));
    }
}

/// The `/` filter over the ticket list and the pickers (nucleo).
mod filter {
    use super::*;

    const QUERIES: [&str; 4] = ["p", "print", "printer offline", "acme vpn"];

    fn hay(n: usize) -> (fuzzy::HayStore, Vec<u32>) {
        let mut h = fuzzy::HayStore::default();
        for r in rows(n) {
            h.push(&bmsdesk_tui::list::haystack(&r));
        }
        let len = h.len() as u32;
        (h, (0..len).collect())
    }

    /// One full filter pass over 100k tickets (a background job: the time to settle).
    #[divan::bench(args = QUERIES, sample_count = 30)]
    fn job_100k(b: Bencher, q: &str) {
        let (h, cand) = hay(100_000);
        let p = fuzzy::pattern(q);
        b.bench_local(|| black_box(fuzzy::filter(&h, &cand, &p)));
    }

    /// The largest filter run inline on a key press (`SYNC_FILTER_LIMIT` candidates).
    #[divan::bench(sample_count = 50)]
    fn inline_limit(b: Bencher) {
        let n = bmsdesk_tui::list::SYNC_FILTER_LIMIT;
        let (h, cand) = hay(n);
        let p = fuzzy::pattern("print");
        b.bench_local(|| black_box(fuzzy::filter(&h, &cand, &p)));
    }

    /// What a key press costs the UI thread in `/` at 100k (hands the job off).
    #[divan::bench(sample_count = 100)]
    fn key_path_100k(b: Bencher) {
        let mut m = model(100_000);
        let mut i = 0usize;
        b.bench_local(|| {
            let q = if i.is_multiple_of(2) {
                "print"
            } else {
                "printe"
            };
            i += 1;
            let job = m.list.set_query(q);
            if let Some(j) = job {
                // Mark it done without running it: only the hand-off is measured.
                let seq = j.filter_gen;
                drop(j);
                black_box(m.list.filtered(seq, Vec::new()));
            }
        });
    }

    /// Typing "printer" one key at a time at 100k, each job run to completion: the total
    /// work until the list settles (incremental narrowing after the first key).
    #[divan::bench(sample_count = 20)]
    fn type_printer_100k(b: Bencher) {
        let mut m = model(100_000);
        b.bench_local(|| {
            for k in 1..="printer".len() {
                let job = m.list.set_query(&"printer"[..k]);
                settle(&mut m.list, job);
            }
            black_box(m.list.visible_len());
            let job = m.list.set_query("");
            settle(&mut m.list, job);
        });
    }

    /// Ranking all labels with `fuzzy::rank` (what a picker's ranking runs).
    #[divan::bench(args = [1_000, 10_000, 100_000], sample_count = 30)]
    fn picker_rank(b: Bencher, n: usize) {
        let labels: Vec<String> = rows(n).into_iter().map(|r| r.title).collect();
        b.bench_local(|| black_box(fuzzy::rank(labels.iter().map(String::as_str), "prn off")));
    }
}

/// Pickers: from `picker::BACKGROUND_FROM` (20k) items a key press only hands a ranking
/// job off; below that it ranks inline.
mod picker {
    use super::*;
    use bmsdesk_tui::picker::{PickItem, PickKey, Picker, Purpose, Source};

    fn picker(n: usize) -> Picker {
        let items: Vec<PickItem> = rows(n)
            .into_iter()
            .map(|r| PickItem::new(PickKey::Id(r.id), r.title))
            .collect();
        Picker::new("Pick", Purpose::NoteTemplate, Source::Static).with_items(Some(items))
    }

    /// Runs the picker's pending ranking inline, as the blocking thread would.
    fn settle(p: &mut Picker) {
        while let Some(job) = p.take_job() {
            let m = job.run();
            p.ranked(job.rank_gen, m);
        }
    }

    /// What the first key costs the UI thread (inline ranking, or the hand-off).
    #[divan::bench(args = [1_000, 10_000, 100_000], sample_count = 30)]
    fn first_key(b: Bencher, n: usize) {
        let mut p = picker(n);
        b.bench_local(|| {
            p.query.push('p');
            p.rematch();
            black_box(p.take_job().map(|j| p.ranked(j.rank_gen, Vec::new())));
            p.query.clear();
            p.rematch();
        });
    }

    /// One ranking of every item for the first key, wherever it runs (time to settle).
    #[divan::bench(args = [1_000, 10_000, 100_000], sample_count = 30)]
    fn first_key_settled(b: Bencher, n: usize) {
        let mut p = picker(n);
        b.bench_local(|| {
            p.query.push('p');
            p.rematch();
            settle(&mut p);
            black_box(p.matches.len());
            p.query.clear();
            p.rematch();
        });
    }

    /// Typing "prn off" a key at a time, each ranking run to completion (narrowing from the
    /// previous matches after the first key): the total for the 7 keys.
    #[divan::bench(args = [10_000, 100_000], sample_count = 20)]
    fn type_query_settled(b: Bencher, n: usize) {
        let mut p = picker(n);
        b.bench_local(|| {
            for c in "prn off".chars() {
                p.query.push(c);
                p.rematch();
                settle(&mut p);
            }
            black_box(p.matches.len());
            p.query.clear();
            p.rematch();
        });
    }
}

/// JSON decode of one search page (`api::wire::decode`), as the simulator sends it.
mod decode {
    use super::*;

    #[divan::bench(args = [100, 1000], sample_count = 50)]
    fn page(b: Bencher, n: usize) {
        let result = bmsdesk_sim::generated_rows_json(7, n, now());
        let body = serde_json::to_vec(&serde_json::json!({
            "success": true, "error": null, "result": result, "totalRecords": n,
        }))
        .unwrap();
        b.counter(divan::counter::BytesCount::new(body.len()))
            .bench(|| {
                black_box(
                    bmsdesk_bms::envelope::decode::<Option<Vec<TicketRow>>>(200, black_box(&body))
                        .unwrap(),
                )
            });
    }
}

/// SLA state of every ticket and the metrics over them.
mod sla {
    use super::*;

    #[divan::bench(args = [10_000, 100_000], sample_count = 20)]
    fn states(b: Bencher, n: usize) {
        let rows = rows(n);
        let engine = SlaEngine::new(SlaSettings::default());
        b.bench(|| black_box(engine.states(&rows, now())));
    }

    fn due_sorted(n: usize) -> Model {
        let mut m = model(n);
        m.list.sort = Sort {
            column: Column::Due,
            desc: false,
        };
        m.list.invalidate();
        m.prepare();
        m
    }

    /// The 30 s clock tick: what the turn of the loop that receives it costs (the whole
    /// pass below `SWEEP_ROWS` rows, its first step above).
    #[divan::bench(args = [10_000, 100_000], sample_count = 20)]
    fn tick_turn(b: Bencher, n: usize) {
        let mut m = due_sorted(n);
        b.bench_local(|| {
            let _ = m.update(bmsdesk_tui::protocol::Msg::Tick);
        });
    }

    /// The whole pass after a tick, over every turn it takes, and the re-sort by time to
    /// breach at its end (list sorted by time to breach).
    #[divan::bench(args = [10_000, 100_000], sample_count = 20)]
    fn tick_whole_pass(b: Bencher, n: usize) {
        let mut m = due_sorted(n);
        b.bench_local(|| {
            let _ = m.update(bmsdesk_tui::protocol::Msg::Tick);
            while m.sla.sweeping() {
                let _ = m.update(bmsdesk_tui::protocol::Msg::SlaStep);
            }
        });
    }

    #[divan::bench(args = [10_000, 100_000], sample_count = 20)]
    fn metrics(b: Bencher, n: usize) {
        let rows = rows(n);
        let engine = SlaEngine::new(SlaSettings::default());
        let states = engine.states(&rows, now());
        b.bench(|| black_box(metrics::compute(&rows, &states, engine.calendar())));
    }
}
