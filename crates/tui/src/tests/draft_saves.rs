//! How soon typed text is on disk (what a `kill -9` can lose) and what it costs in writes.

use std::time::Duration;

use super::super::app::DRAFT_DEBOUNCE;
use super::super::protocol::{Cmd, Msg};
use super::super::testkit::*;

/// Types `text` at one key every `gap`, delivering each `DraftDue` timer when it falls due
/// (virtual time). Returns (draft writes, the longest any typed key stayed unsaved).
fn type_sentence(text: &str, gap: Duration) -> (usize, Duration) {
    let mut m = loaded(sample_rows());
    m.update(key('a'));
    let start = m.now;
    let at = |k: usize| start + chrono::Duration::from_std(gap * k as u32).unwrap();
    // Keys typed and not on disk yet, by when they were typed.
    let mut unsaved: Vec<chrono::DateTime<chrono::Utc>> = Vec::new();
    let mut timers: Vec<chrono::DateTime<chrono::Utc>> = Vec::new();
    let (mut writes, mut worst) = (0usize, chrono::Duration::zero());
    let mut absorb = |cmds: Vec<Cmd>,
                      now: chrono::DateTime<chrono::Utc>,
                      unsaved: &mut Vec<_>,
                      timers: &mut Vec<_>| {
        for c in cmds {
            match c {
                Cmd::SaveDraft(_) => {
                    writes += 1;
                    for t in unsaved.drain(..) {
                        worst = worst.max(now - t);
                    }
                }
                Cmd::After(d, Msg::DraftDue) => {
                    timers.push(now + chrono::Duration::from_std(d).unwrap())
                }
                _ => {}
            }
        }
    };
    let chars: Vec<char> = text.chars().collect();
    for (k, c) in chars.iter().enumerate() {
        let now = at(k);
        // Timers due before this key fire first.
        timers.sort();
        while timers.first().is_some_and(|t| *t <= now) {
            let t = timers.remove(0);
            m.now = t;
            let cmds = m.update(Msg::DraftDue);
            absorb(cmds, t, &mut unsaved, &mut timers);
        }
        m.now = now;
        unsaved.push(now);
        let cmds = m.update(key(*c));
        absorb(cmds, now, &mut unsaved, &mut timers);
    }
    while !timers.is_empty() {
        timers.sort();
        let t = timers.remove(0);
        m.now = t;
        let cmds = m.update(Msg::DraftDue);
        absorb(cmds, t, &mut unsaved, &mut timers);
    }
    assert!(unsaved.is_empty(), "everything typed ends on disk");
    (writes, worst.to_std().unwrap())
}

#[test]
fn typed_text_is_on_disk_within_the_draft_interval_at_a_bounded_cost() {
    let sentence = "Rebooted the switch in the server room, user confirms VPN is back";
    // 120 ms a key: a quick typist (about 100 words a minute).
    let (writes, worst) = type_sentence(sentence, Duration::from_millis(120));
    eprintln!(
        "{} keys at 120 ms: {writes} draft writes, worst unsaved {worst:?}",
        sentence.len()
    );
    assert!(
        worst <= Duration::from_millis(250),
        "a kill -9 loses at most 250 ms of typing; {worst:?}"
    );
    assert!(worst <= DRAFT_DEBOUNCE);
    // Not a write per key: the interval batches them.
    assert!(writes * 2 <= sentence.len() + 2, "{writes} writes");
    // A single key after a pause is on disk at once.
    let (writes, worst) = type_sentence("x", Duration::from_millis(120));
    assert_eq!((writes, worst), (1, Duration::ZERO));
}

/// The event loop with `model`, drafts saved under `drafts_dir` (no worker behind it).
fn event_loop(
    model: super::super::app::Model,
    drafts_dir: &std::path::Path,
    state_dir: &std::path::Path,
) -> (
    super::super::event_loop::EventLoop<ratatui::backend::TestBackend>,
    tokio::sync::mpsc::Receiver<super::super::protocol::Request>,
) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let (wtx, wrx) = tokio::sync::mpsc::channel(64);
    let mut lp = super::super::event_loop::EventLoop::new(
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap(),
        model,
        rx,
        tx,
        wtx,
        bmsdesk_core::store::drafts::DraftStore::new(drafts_dir),
        state_dir.to_path_buf(),
        Box::new(super::super::event_loop::NoHost),
    );
    lp.clock = Some(now());
    (lp, wrx)
}

fn ev(c: char) -> crossterm::event::Event {
    match key(c) {
        Msg::Key(k) => crossterm::event::Event::Key(k),
        _ => unreachable!(),
    }
}

#[tokio::test]
async fn a_draft_the_disk_refuses_is_flagged_in_memory_only_and_q_warns() {
    let dir = tempfile::tempdir().unwrap();
    // A file where the drafts folder should be: every save fails (like a full disk).
    let drafts = dir.path().join("drafts");
    std::fs::write(&drafts, b"not a folder").unwrap();
    let (mut lp, _worker) = event_loop(loaded(sample_rows()), &drafts, dir.path());
    let mut keys = vec![ev('a')];
    keys.extend("only copy".chars().map(ev));
    keys.push(crossterm::event::Event::Key(
        crossterm::event::KeyEvent::from(crossterm::event::KeyCode::Esc),
    ));
    lp.run_until_idle(keys, Duration::from_millis(300))
        .await
        .unwrap();
    assert!(
        lp.model.unsaved_drafts.contains_key(&1),
        "the failure is known"
    );
    lp.run_until_idle([ev('q')], Duration::from_millis(50))
        .await
        .unwrap();
    assert!(!lp.model.quit, "q asks first");
    let s = lp.terminal.backend().to_string();
    assert!(s.contains("NOT saved"), "{s}");
}

#[tokio::test]
async fn drafts_are_saved_by_the_writer_while_typing() {
    let dir = tempfile::tempdir().unwrap();
    let drafts = dir.path().join("drafts");
    let (mut lp, _worker) = event_loop(loaded(sample_rows()), &drafts, dir.path());
    let mut keys = vec![ev('a')];
    keys.extend("kept text".chars().map(ev));
    lp.run_until_idle(keys, Duration::from_millis(300))
        .await
        .unwrap();
    assert!(lp.model.unsaved_drafts.is_empty());
    let store = bmsdesk_core::store::drafts::DraftStore::new(&drafts);
    assert_eq!(
        store.load(1).map(|d| d.text).as_deref(),
        Some("kept text"),
        "saved while typing"
    );
}
