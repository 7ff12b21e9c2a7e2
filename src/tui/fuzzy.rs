//! Fuzzy matching with nucleo's matcher: ranking for pickers (small lists, on the key path),
//! order-preserving filtering for the ticket list (incremental, and moved to a blocking
//! thread when the list is large), and match positions for highlighting visible rows.

use std::cell::RefCell;
use std::sync::Arc;

use nucleo::pattern::{CaseMatching, Normalization, Pattern};
use nucleo::{Config, Matcher, Utf32Str, Utf32String};

thread_local! {
    static MATCHER: RefCell<Matcher> = RefCell::new(Matcher::new(Config::DEFAULT));
}

pub fn pattern(query: &str) -> Pattern {
    Pattern::parse(query, CaseMatching::Smart, Normalization::Smart)
}

pub fn is_empty(p: &Pattern) -> bool {
    p.atoms.is_empty()
}

/// Positions (char indices, sorted, unique) of `p` in `text`, for highlighting.
pub fn indices(p: &Pattern, text: &str) -> Vec<u32> {
    if p.atoms.is_empty() {
        return Vec::new();
    }
    MATCHER.with(|m| {
        let mut m = m.borrow_mut();
        let mut buf = Vec::new();
        let mut idx = Vec::new();
        if p.indices(Utf32Str::new(text, &mut buf), &mut m, &mut idx)
            .is_none()
        {
            return Vec::new();
        }
        idx.sort_unstable();
        idx.dedup();
        idx
    })
}

/// Indices of `labels` that match, best first (ties keep the input order).
pub fn rank<'a>(labels: impl Iterator<Item = &'a str>, query: &str) -> Vec<u32> {
    let p = pattern(query);
    if p.atoms.is_empty() {
        return labels.enumerate().map(|(i, _)| i as u32).collect();
    }
    MATCHER.with(|m| {
        let mut m = m.borrow_mut();
        let mut buf = Vec::new();
        let mut scored: Vec<(u32, u32)> = labels
            .enumerate()
            .filter_map(|(i, s)| {
                p.score(Utf32Str::new(s, &mut buf), &mut m)
                    .map(|score| (i as u32, score))
            })
            .collect();
        scored.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.into_iter().map(|(i, _)| i).collect()
    })
}

const CHUNK: usize = 256;

/// Search text of each ticket row, in fixed-size shared chunks so a snapshot for a background
/// filter costs a few `Arc` clones, not a copy of every string.
#[derive(Clone, Default)]
pub struct HayStore {
    chunks: Vec<Arc<Vec<Utf32String>>>,
    len: usize,
}

impl HayStore {
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    pub fn clear(&mut self) {
        self.chunks.clear();
        self.len = 0;
    }
    pub fn push(&mut self, text: &str) {
        if self.len.is_multiple_of(CHUNK) {
            self.chunks.push(Arc::new(Vec::with_capacity(CHUNK)));
        }
        let last = self.chunks.last_mut().expect("chunk");
        Arc::make_mut(last).push(Utf32String::from(text));
        self.len += 1;
    }
    pub fn set(&mut self, i: usize, text: &str) {
        if i < self.len {
            Arc::make_mut(&mut self.chunks[i / CHUNK])[i % CHUNK] = Utf32String::from(text);
        }
    }
    pub fn get(&self, i: usize) -> Option<&Utf32String> {
        self.chunks.get(i / CHUNK)?.get(i % CHUNK)
    }
}

/// A filter run: keep the `candidates` (row indices, in display order) whose text matches.
pub struct FilterJob {
    pub seq: u64,
    pub pattern: Pattern,
    pub hay: HayStore,
    pub candidates: Arc<Vec<u32>>,
}

impl FilterJob {
    pub fn run(&self) -> Vec<u32> {
        filter(&self.hay, &self.candidates, &self.pattern)
    }
}

pub fn filter(hay: &HayStore, candidates: &[u32], p: &Pattern) -> Vec<u32> {
    if p.atoms.is_empty() {
        return candidates.to_vec();
    }
    MATCHER.with(|m| {
        let mut m = m.borrow_mut();
        candidates
            .iter()
            .copied()
            .filter(|&i| {
                hay.get(i as usize)
                    .is_some_and(|h| p.score(h.slice(..), &mut m).is_some())
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_prefers_better_matches() {
        let items = [
            "Contoso Ltd",
            "Acme Corp",
            "Acme Corporation Holdings",
            "Northwind",
        ];
        let r = rank(items.iter().copied(), "acme");
        assert_eq!(r.len(), 2);
        assert_eq!(items[r[0] as usize], "Acme Corp");
        assert_eq!(rank(items.iter().copied(), "").len(), 4);
    }

    #[test]
    fn filter_keeps_order() {
        let mut h = HayStore::default();
        for s in ["printer down", "email", "Printer jam", "vpn"] {
            h.push(s);
        }
        let order = vec![3, 2, 1, 0];
        assert_eq!(filter(&h, &order, &pattern("prn")), vec![2, 0]);
        h.set(1, "printer email");
        assert_eq!(filter(&h, &order, &pattern("prn")), vec![2, 1, 0]);
        assert_eq!(indices(&pattern("pj"), "Printer jam"), vec![0, 8]);
    }

    #[test]
    fn haystore_spans_chunks() {
        let mut h = HayStore::default();
        for i in 0..600 {
            h.push(&format!("t{i}"));
        }
        assert_eq!(h.len(), 600);
        assert_eq!(h.get(599).unwrap().to_string(), "t599");
        let snap = h.clone();
        h.set(300, "changed");
        assert_eq!(snap.get(300).unwrap().to_string(), "t300");
        assert_eq!(h.get(300).unwrap().to_string(), "changed");
    }
}
