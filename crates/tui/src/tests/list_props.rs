//! The list's selection stays inside what is shown, whatever arrives in whatever order:
//! filter typing and clearing (inline and in the background), sort, view switches, pages and
//! refresh replies that add or remove rows. Each step is rendered to a `TestBackend`.

use chrono::Duration;
use crossterm::event::KeyCode;
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::super::app::Model;
use super::super::fuzzy::FilterJob;
use super::super::protocol::{Changes, Cmd, Msg, Reply};
use super::super::testkit::*;
use super::super::views;
use bmsdesk_core::model::TicketRow;

/// Rows whose titles share letters in varying amounts, so each query narrows differently.
fn rows(ids: impl IntoIterator<Item = i64>) -> Vec<TicketRow> {
    let words = [
        "quiz", "qq zz", "queue", "fizz", "jazz", "aqua", "zq", "plain",
    ];
    ids.into_iter()
        .map(|i| {
            let mut r = row(
                i,
                &format!(
                    "{} {}",
                    words[(i % 8) as usize],
                    words[(i * 3 % 8) as usize]
                ),
                "Acme",
                (
                    1 + i % 3,
                    ["New", "In Progress", "Waiting"][(i % 3) as usize],
                ),
                (1 + i % 4, "Low"),
                (i % 2 == 0).then_some("Alice Smith"),
            );
            r.open_date = Some(now() - Duration::minutes(i));
            r
        })
        .collect()
}

/// The invariant: the selection is a shown row (or there is nothing to select).
fn check(m: &Model) {
    let len = m.list.visible_len();
    if len == 0 {
        assert_eq!(m.list.sel, 0, "no rows, no selection");
    } else {
        assert!(m.list.sel < len, "sel {} of {len} rows", m.list.sel);
        assert_eq!(m.list.sel_id, m.list.selected_row().map(|r| r.id));
    }
}

fn render(t: &mut Terminal<TestBackend>, m: &Model) {
    t.draw(|f| views::render(m, f)).expect("draws");
}

/// What the event loop would do with the commands: background filter jobs are held (they
/// land later, in an order the test picks).
fn absorb(cmds: Vec<Cmd>, jobs: &mut Vec<FilterJob>, search: &mut Option<u64>) {
    for c in cmds {
        match c {
            Cmd::Filter(j) => jobs.push(j),
            Cmd::Api(super::super::protocol::Request::Search {
                search_gen: seq, ..
            })
            | Cmd::Api(super::super::protocol::Request::Refresh {
                search_gen: seq, ..
            }) => *search = Some(seq),
            _ => {}
        }
    }
}

#[test]
fn typing_a_narrower_filter_while_a_background_run_is_out_keeps_the_selection_in_range() {
    // The report: 100k tickets, `G`, `/`, then `qqqzzz` in one write. A small list with a
    // small inline limit is the same path: the first run goes to the background, its result
    // narrows inline to the typed query.
    let mut m = loaded(rows(1..=400));
    // All 400 rows go to the background; the ~350 matching `q` are narrowed inline.
    m.list.sync_limit = 399;
    let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let (mut jobs, mut search): (Vec<FilterJob>, _) = (Vec::new(), None);
    let cmds = send(&mut m, [key('G'), key('/')]);
    absorb(cmds, &mut jobs, &mut search);
    let cmds = send(&mut m, typed("qqqzzz"));
    absorb(cmds, &mut jobs, &mut search);
    assert_eq!(jobs.len(), 1, "one background run for `q`");
    let job = jobs.remove(0);
    let cmds = m.update(Msg::Filtered {
        filter_gen: job.filter_gen,
        rows: job.run(),
    });
    absorb(cmds, &mut jobs, &mut search);
    render(&mut t, &m);
    check(&m);
}

#[derive(Debug, Clone)]
enum Step {
    Key(char),
    Burst(String),
    Code(KeyCode),
    /// Land the `n`th held background filter job (if any).
    LandFilter(usize),
    /// A page of rows `lo..lo+n` for the search in flight.
    Page(i64, i64),
    /// The search in flight ends.
    Done,
    /// A refresh reply: rows `lo..lo+n` changed or joined, `gone` left.
    Changed(i64, i64, Vec<i64>),
    Resize(u16, u16),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => prop::sample::select(vec!['q', 'z', 'a', 'u', 'i', ' ', '!', '\'']).prop_map(Step::Key),
        // A burst typed in one write: `G`, `/` and a query.
        2 => "[qzau]{1,6}".prop_map(Step::Burst),
        2 => prop::sample::select(vec!['/', 'G', 'g', 'j', 'k', 'o', 'O', '1', '2', '3', 'r', ' '])
            .prop_map(Step::Key),
        2 => prop::sample::select(vec![
            KeyCode::Backspace,
            KeyCode::Esc,
            KeyCode::Enter,
            KeyCode::Up,
            KeyCode::Down,
            KeyCode::PageDown,
        ])
        .prop_map(Step::Code),
        2 => (0usize..4).prop_map(Step::LandFilter),
        2 => (1i64..500, 0i64..200).prop_map(|(lo, n)| Step::Page(lo, n)),
        1 => Just(Step::Done),
        2 => (1i64..500, 0i64..50, prop::collection::vec(1i64..600, 0..40))
            .prop_map(|(lo, n, gone)| Step::Changed(lo, n, gone)),
        1 => (20u16..200, 5u16..60).prop_map(|(w, h)| Step::Resize(w, h)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn the_selection_is_always_a_shown_row_and_the_screen_renders(
        start in 0i64..300,
        limit in 1usize..400,
        steps in prop::collection::vec(step(), 1..80),
    ) {
        let mut m = loaded(rows(1..=start));
        m.list.sync_limit = limit;
        let mut t = Terminal::new(TestBackend::new(120, 40)).unwrap();
        let (mut jobs, mut search): (Vec<FilterJob>, _) = (Vec::new(), None);
        for s in steps {
            let cmds = match s {
                Step::Key(c) => m.update(key(c)),
                Step::Burst(q) => send(&mut m, [key('G'), key('/')].into_iter().chain(typed(&q))),
                Step::Code(c) => m.update(code(c)),
                Step::LandFilter(i) if !jobs.is_empty() => {
                    let job = jobs.remove(i % jobs.len());
                    m.update(Msg::Filtered { filter_gen: job.filter_gen, rows: job.run() })
                }
                Step::LandFilter(_) => Vec::new(),
                Step::Page(lo, n) => match search {
                    Some(seq) => m.update(api(Reply::Page {
                        search_gen: seq,
                        rows: rows(lo..lo + n),
                        total: None,
                    })),
                    None => Vec::new(),
                },
                Step::Done => match search {
                    Some(seq) => m.update(api(Reply::SearchDone { search_gen: seq, result: Ok(0), at: now() })),
                    None => Vec::new(),
                },
                Step::Changed(lo, n, gone) => match search {
                    Some(seq) => m.update(api(Reply::Changed {
                        search_gen: seq,
                        result: Ok(Changes { rows: rows(lo..lo + n), left: gone, total: None }),
                        at: now(),
                    })),
                    None => Vec::new(),
                },
                Step::Resize(w, h) => {
                    t.backend_mut().resize(w, h);
                    m.update(Msg::Resize(w, h))
                }
            };
            absorb(cmds, &mut jobs, &mut search);
            check(&m);
            render(&mut t, &m);
        }
    }
}
