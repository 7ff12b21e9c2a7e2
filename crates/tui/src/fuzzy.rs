//! Fuzzy matching with nucleo's matcher: ranking for pickers (small lists, on the key path),
//! order-preserving filtering for the ticket list (incremental, and moved to a blocking
//! thread when the list is large), and match positions for highlighting visible rows.

use std::cell::RefCell;
use std::sync::Arc;

use nucleo::pattern::{Atom, AtomKind, CaseMatching, Normalization, Pattern};
use nucleo::{Config, Matcher, Utf32Str, Utf32String};

thread_local! {
    static MATCHER: RefCell<Matcher> = RefCell::new(Matcher::new(Config::DEFAULT));
}

pub fn pattern(query: &str) -> Pattern {
    let mut p = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
    // nucleo-matcher 0.3.1 checks a case-sensitive `^prefix` or `postfix$` on ASCII text
    // against the whole text, so `^T2025` matched nothing. Such atoms match ignoring case.
    for atom in &mut p.atoms {
        if matches!(atom.kind, AtomKind::Prefix | AtomKind::Postfix)
            && let Utf32Str::Ascii(needle) = atom.needle_text()
            && needle.iter().any(u8::is_ascii_uppercase)
        {
            let needle = String::from_utf8_lossy(needle).into_owned();
            let negative = atom.negative;
            *atom = Atom::new(
                &needle,
                CaseMatching::Ignore,
                Normalization::Smart,
                atom.kind,
                false,
            );
            atom.negative = negative;
        }
    }
    p
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
    let labels: Vec<&str> = labels.collect();
    let all: Vec<u32> = (0..labels.len() as u32).collect();
    rank_among(&labels, &all, &p)
}

/// Whether the matches of `new` are a subset of those of `old` (typing on at the end of a
/// plain query), so a filter or ranking can start from the old matches.
pub fn narrows(old: &str, new: &str) -> bool {
    !old.trim().is_empty() && new.starts_with(old) && !new.contains(['!', '\'', '^', '$', '\\'])
}

/// Lists at least this long are matched on several threads.
const PARALLEL_FROM: usize = 30_000;

fn threads_for(n: usize) -> usize {
    if n < PARALLEL_FROM {
        return 1;
    }
    std::thread::available_parallelism()
        .map(|p| p.get())
        .unwrap_or(1)
        .clamp(1, 4)
}

/// `f` over `items` in order-preserving chunks, on several threads when the list is long.
fn chunked<T: Sync, R: Send>(items: &[T], f: impl Fn(&[T]) -> Vec<R> + Sync) -> Vec<R> {
    let threads = threads_for(items.len());
    if threads <= 1 {
        return f(items);
    }
    let size = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let f = &f;
        let rest: Vec<_> = items[size..]
            .chunks(size)
            .map(|c| s.spawn(move || f(c)))
            .collect();
        let mut out = f(&items[..size]);
        for h in rest {
            out.extend(h.join().expect("fuzzy worker"));
        }
        out
    })
}

/// The `candidates` (indices into `labels`) that match `p`, best first, ties in index order.
pub fn rank_among(labels: &[&str], candidates: &[u32], p: &Pattern) -> Vec<u32> {
    let mut keyed: Vec<u64> = chunked(candidates, |chunk| {
        MATCHER.with(|m| {
            let mut m = m.borrow_mut();
            let mut buf = Vec::new();
            chunk
                .iter()
                .filter_map(|&i| {
                    let s = labels.get(i as usize)?;
                    // Best score first, then the lower index: one integer to sort.
                    p.score(Utf32Str::new(s, &mut buf), &mut m)
                        .map(|score| (u64::from(u32::MAX - score) << 32) | u64::from(i))
                })
                .collect()
        })
    });
    keyed.sort_unstable();
    keyed.into_iter().map(|k| k as u32).collect()
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
    pub filter_gen: u64,
    pub pattern: Pattern,
    pub hay: HayStore,
    pub candidates: Arc<Vec<u32>>,
}

impl FilterJob {
    pub fn run(&self) -> Vec<u32> {
        filter(&self.hay, &self.candidates, &self.pattern)
    }
}

/// A pattern made only of plain fuzzy atoms with ASCII needles. On an ASCII text such a
/// pattern matches exactly when every needle is a subsequence of the text (the check nucleo
/// itself makes before scoring), so a filter that needs no score can stop there. A needle
/// with a capital is case-sensitive (smart case), as in nucleo.
struct Quick(Vec<(Vec<u8>, bool)>);

impl Quick {
    fn new(p: &Pattern) -> Option<Quick> {
        p.atoms
            .iter()
            .map(|a| match (a.negative, a.kind, a.needle_text()) {
                (false, AtomKind::Fuzzy, Utf32Str::Ascii(n)) if !n.is_empty() => {
                    Some((n.to_vec(), !n.iter().any(u8::is_ascii_uppercase)))
                }
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(Quick)
    }

    fn matches(&self, text: &[u8]) -> bool {
        self.0
            .iter()
            .all(|(needle, ignore_case)| subsequence(text, needle, *ignore_case))
    }
}

fn subsequence(text: &[u8], needle: &[u8], ignore_case: bool) -> bool {
    if needle.len() > text.len() {
        return false;
    }
    let mut rest = text.iter();
    'next: for &n in needle {
        for &c in rest.by_ref() {
            if c == n || (ignore_case && c.to_ascii_lowercase() == n) {
                continue 'next;
            }
        }
        return false;
    }
    true
}

/// The `candidates` (row indices, in display order) whose text matches `p`, in order.
pub fn filter(hay: &HayStore, candidates: &[u32], p: &Pattern) -> Vec<u32> {
    if p.atoms.is_empty() {
        return candidates.to_vec();
    }
    let quick = Quick::new(p);
    chunked(candidates, |chunk| {
        MATCHER.with(|m| {
            let mut m = m.borrow_mut();
            chunk
                .iter()
                .copied()
                .filter(|&i| match (hay.get(i as usize), &quick) {
                    (Some(Utf32String::Ascii(text)), Some(q)) => q.matches(text.as_bytes()),
                    (Some(h), _) => p.score(h.slice(..), &mut m).is_some(),
                    (None, _) => false,
                })
                .collect()
        })
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
    fn prefix_and_postfix_atoms_match_whatever_their_case() {
        let mut h = HayStore::default();
        for s in ["T20250001 Printer jam", "T20250002 VPN down", "X1 Printer"] {
            h.push(s);
        }
        let order = vec![0, 1, 2];
        assert_eq!(filter(&h, &order, &pattern("^T2025")), vec![0, 1]);
        assert_eq!(filter(&h, &order, &pattern("^t2025")), vec![0, 1]);
        assert_eq!(filter(&h, &order, &pattern("DOWN$")), vec![1]);
        assert_eq!(filter(&h, &order, &pattern("!^T2025")), vec![2]);
        assert_eq!(filter(&h, &order, &pattern("'T20250002")), vec![1]);
        assert_eq!(
            indices(&pattern("^T2025"), "T20250001 x"),
            vec![0, 1, 2, 3, 4]
        );
        assert_eq!(rank(["X1", "T20250001"].into_iter(), "^T2"), vec![1]);
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
    fn quick_filter_agrees_with_nucleo() {
        let texts = [
            "T20250601.0001 Printer offline - Main Office Harbor Dental Group Alice Smith",
            "T20250601.0002 Outlook keeps asking for password Summit Logistics",
            "T20250601.0003 VPN drops every hour Café Müller Bob Jones",
            "T20250601.0004 PRINTER jam Acme",
            "short",
            "",
        ];
        let mut h = HayStore::default();
        for t in texts {
            h.push(t);
        }
        let all: Vec<u32> = (0..texts.len() as u32).collect();
        for q in [
            "p",
            "prn",
            "printer off",
            "PRINTER",
            "Printer",
            "vpn hour",
            "cafe",
            "café",
            "x",
            "'jam",
            "!vpn",
            "^T2025",
            "Smith$",
            "pr 0002",
            "a b c d e f g h",
        ] {
            let p = pattern(q);
            let expect: Vec<u32> = MATCHER.with(|m| {
                let mut m = m.borrow_mut();
                all.iter()
                    .copied()
                    .filter(|&i| {
                        p.score(h.get(i as usize).unwrap().slice(..), &mut m)
                            .is_some()
                    })
                    .collect()
            });
            assert_eq!(filter(&h, &all, &p), expect, "query {q:?}");
        }
    }

    #[test]
    fn narrowing_only_for_plain_extensions() {
        assert!(narrows("pri", "prin"));
        assert!(narrows("pri", "pri x"));
        assert!(!narrows("", "p"));
        assert!(!narrows("prin", "pri"));
        assert!(!narrows("pri", "pri !x"));
        assert!(!narrows("'", "'pr"));
        assert!(!narrows("pr", "pr$"));
    }

    #[test]
    fn large_lists_rank_the_same_on_threads() {
        let labels: Vec<String> = (0..40_000).map(|i| format!("item {i} printer")).collect();
        let refs: Vec<&str> = labels.iter().map(String::as_str).collect();
        let r = rank(refs.iter().copied(), "9 prn");
        let p = pattern("9 prn");
        let single = MATCHER.with(|m| {
            let mut m = m.borrow_mut();
            let mut v: Vec<(u32, u32)> = refs
                .iter()
                .enumerate()
                .filter_map(|(i, s)| {
                    let mut buf = Vec::new();
                    p.score(Utf32Str::new(s, &mut buf), &mut m)
                        .map(|sc| (i as u32, sc))
                })
                .collect();
            v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            v.into_iter().map(|(i, _)| i).collect::<Vec<u32>>()
        });
        assert_eq!(r, single);
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
