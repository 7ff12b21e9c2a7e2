//! A view's list from the disk while the server cannot be reached (`Reply::Cached`).

use super::super::offline_list::OfflineList;
use super::*;

fn cached(seq: u64, rows: Vec<bmsdesk_core::model::TicketRow>, partial: bool) -> Msg {
    api(Reply::Cached {
        search_gen: seq,
        list: OfflineList {
            rows,
            fetched_at: now() - chrono::Duration::hours(2),
            total: None,
            partial,
        },
    })
}

fn status_line(m: &mut Model) -> String {
    let mut t = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 24)).unwrap();
    m.size = (100, 24);
    t.draw(|f| crate::views::render(m, f)).unwrap();
    t.backend().to_string()
}

#[test]
fn a_view_opened_offline_shows_the_cached_rows_marked_as_such() {
    let mut m = loaded(sample_rows());
    let seq = search_seq(&m.update(key('3'))).unwrap();
    m.update(cached(seq, sample_rows()[1..3].to_vec(), true));
    m.update(api(Reply::SearchDone {
        search_gen: seq,
        result: Err("cannot reach the server".into()),
        at: now(),
    }));
    assert!(m.list.from_cache && m.list.cache_partial);
    assert_eq!(m.list.len_loaded(), 2);
    let s = status_line(&mut m);
    assert!(s.contains("cached rows that fit the view, 2h ago"), "{s}");
    // Back online: the fresh list replaces them and the mark goes.
    let seq = search_seq(&m.update(key('3'))).unwrap();
    m.update(cached(seq, sample_rows()[1..3].to_vec(), true));
    m.update(api(Reply::Page {
        search_gen: seq,
        rows: sample_rows()[..1].to_vec(),
        total: Some(1),
    }));
    m.update(api(Reply::SearchDone {
        search_gen: seq,
        result: Ok(1),
        at: now(),
    }));
    assert_eq!(m.list.len_loaded(), 1);
    assert!(!m.list.from_cache && !m.list.cache_partial);
}

#[test]
fn cached_rows_never_replace_live_ones_or_land_in_another_load() {
    let mut m = loaded(sample_rows());
    let seq = search_seq(&m.update(key('2'))).unwrap();
    m.update(api(Reply::Page {
        search_gen: seq,
        rows: sample_rows()[..2].to_vec(),
        total: None,
    }));
    m.update(cached(seq, sample_rows(), false));
    assert_eq!(m.list.len_loaded(), 2, "live pages win");
    assert!(!m.list.from_cache);
    let next = search_seq(&m.update(key('3'))).unwrap();
    m.update(cached(seq, sample_rows(), false));
    assert_eq!(m.list.len_loaded(), 0, "an older load's answer is dropped");
    m.update(cached(next, sample_rows(), false));
    assert_eq!(m.list.len_loaded(), 5);
}
