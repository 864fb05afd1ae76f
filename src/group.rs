//! The pattern sequences that share one anchor string, verified together.
//!
//! A common anchor ("sorry", "thank", "waiting") can wake a hundred sequences, most of them
//! expansions of the same pattern that differ in one optional word or one alternative. Checked
//! one by one, each repeats the same token tests. Here the sequences of one anchor string are
//! merged into two tries of elements — what follows the anchor and, reversed, what precedes
//! it — and one depth-first walk per side tests every shared prefix once.
//!
//! The walk gives every sequence exactly the match `Flat::verify` gives it: each sequence
//! meets its own choices (optional word taken or not, gap lengths) in the same order as its
//! own backtracking would, and keeps the first boundary at which its last element is passed.
use std::collections::HashMap;
use std::sync::Arc;

use crate::lexicon::Fnv;
use crate::pattern::{self, Dir, Elem, Flat, Test};
use crate::tokens::Tokens;

/// Node visits allowed per side of one anchor occurrence, so no input can make a walk slow.
const WALK_BUDGET: u32 = 50_000;

/// A sequence's claim on the group: where its anchor may sit relative to word boundaries.
#[derive(Debug, Clone, Copy)]
pub struct Member {
    /// Index into the engine's flat patterns.
    pub flat: u32,
    pub word_start: bool,
    pub word_end: bool,
}

#[derive(Debug, Default)]
struct Node {
    elem: Option<Elem>,
    children: Vec<u32>,
    /// Members whose side ends at this node.
    ends: Vec<u32>,
    /// Members whose side passes through or ends at this node: the walk skips a subtree
    /// once none of them is still wanted.
    below: Vec<u32>,
}

#[derive(Debug, Default)]
struct Trie {
    nodes: Vec<Node>,
}

impl Trie {
    fn new() -> Trie {
        Trie {
            nodes: vec![Node::default()],
        }
    }

    fn insert(&mut self, elems: &[Elem], member: u32) {
        let mut at = 0usize;
        self.nodes[0].below.push(member);
        for e in elems {
            let found = self.nodes[at].children.iter().copied().find(|&c| {
                self.nodes[c as usize]
                    .elem
                    .as_ref()
                    .is_some_and(|x| same(x, e))
            });
            at = match found {
                Some(c) => c as usize,
                None => {
                    self.nodes.push(Node {
                        elem: Some(e.clone()),
                        ..Default::default()
                    });
                    let c = self.nodes.len() - 1;
                    self.nodes[at].children.push(c as u32);
                    c
                }
            };
            self.nodes[at].below.push(member);
        }
        self.nodes[at].ends.push(member);
    }
}

/// Elements are the same when they test the same thing (shared class tests compare by
/// pointer first, so building stays cheap).
fn same(a: &Elem, b: &Elem) -> bool {
    match (a, b) {
        (Elem::Tok(x), Elem::Tok(y)) | (Elem::Opt(x), Elem::Opt(y)) => {
            Arc::ptr_eq(x, y) || same_test(x, y)
        }
        _ => a == b,
    }
}

fn same_test(x: &Test, y: &Test) -> bool {
    x.words == y.words
        && x.prefixes == y.prefixes
        && x.puncts == y.puncts
        && x.any == y.any
        && x.num == y.num
        && x.negated == y.negated
}

/// All sequences anchored at one automaton string.
#[derive(Debug, Default)]
pub struct Group {
    pub members: Vec<Member>,
    /// Distinct anchor tests, and each member's.
    tests: Vec<Arc<Test>>,
    test_of: Vec<u32>,
    /// Members verified at every occurrence.
    always: Vec<u32>,
    /// Members whose element right after (`next`) or before (`prev`) the anchor is a set of
    /// plain words: woken only when the neighbouring token is one of them.
    next: HashMap<Box<str>, Vec<u32>, Fnv>,
    prev: HashMap<Box<str>, Vec<u32>, Fnv>,
    right: Trie,
    left: Trie,
}

impl Group {
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Builds the group of `members` (indices into `flats`).
    pub fn new(members: Vec<Member>, flats: &[Flat]) -> Group {
        let mut g = Group {
            right: Trie::new(),
            left: Trie::new(),
            ..Default::default()
        };
        let mut test_ix: HashMap<*const Test, u32> = HashMap::new();
        for (i, m) in members.iter().enumerate() {
            let f = &flats[m.flat as usize];
            let i = i as u32;
            let t = f.anchor_arc();
            let ti = *test_ix.entry(Arc::as_ptr(t)).or_insert_with(|| {
                g.tests.push(t.clone());
                g.tests.len() as u32 - 1
            });
            g.test_of.push(ti);
            g.right.insert(f.right_elems(), i);
            g.left.insert(f.left_elems(), i);
            let (next, prev) = f.neighbour_words();
            let (map, words) = match (next, prev) {
                (Some(w), _) => (&mut g.next, w),
                (None, Some(w)) => (&mut g.prev, w),
                (None, None) => {
                    g.always.push(i);
                    continue;
                }
            };
            for w in words {
                map.entry(w.clone()).or_default().push(i);
            }
        }
        g.members = members;
        g
    }

    /// Verifies the group's members with their anchor at token `k`, whose automaton match
    /// had a word character `before` it / `after` it; calls `found(flat, start, end)` for
    /// every member that matches (token range `[start, end)`).
    pub fn verify(
        &self,
        toks: &Tokens,
        k: usize,
        before: bool,
        after: bool,
        s: &mut GroupScratch,
        mut found: impl FnMut(u32, usize, usize),
    ) {
        s.prepare(self.members.len(), self.tests.len());
        let wake = |i: u32, s: &mut GroupScratch| {
            let m = &self.members[i as usize];
            if (m.word_start && before) || (m.word_end && after) || s.state[i as usize] != 0 {
                return;
            }
            let ti = self.test_of[i as usize] as usize;
            let ok = match s.test_ok[ti] {
                0 => {
                    let ok = self.tests[ti].matches(toks, k);
                    s.test_ok[ti] = if ok { 1 } else { 2 };
                    s.tests_touched.push(ti as u32);
                    ok
                }
                v => v == 1,
            };
            if ok {
                s.state[i as usize] = WANTED;
                s.touched.push(i);
            }
        };
        for &i in &self.always {
            wake(i, s);
        }
        for (map, nb) in [
            (&self.next, toks.next_word(k)),
            (&self.prev, toks.prev_word(k)),
        ] {
            let Some(nb) = nb.filter(|_| !map.is_empty()) else {
                continue;
            };
            let tok = &toks.toks[nb];
            for w in std::iter::once(toks.text(tok)).chain(tok.alt) {
                for &i in map.get(w).map_or(&[][..], Vec::as_slice) {
                    wake(i, s);
                }
            }
        }
        if !s.touched.is_empty() {
            // What follows the anchor, then what precedes it for those that got that far.
            let mut budget = WALK_BUDGET;
            walk(&self.right, 0, toks, k + 1, Dir::Fwd, s, &mut budget);
            let mut any = false;
            for &i in &s.touched {
                let st = &mut s.state[i as usize];
                if *st == DONE {
                    *st = WANTED;
                    any = true;
                } else {
                    *st = DROPPED;
                }
            }
            if any {
                std::mem::swap(&mut s.end, &mut s.start);
                let mut budget = WALK_BUDGET;
                walk(&self.left, 0, toks, k, Dir::Back, s, &mut budget);
                std::mem::swap(&mut s.end, &mut s.start);
                for &i in &s.touched {
                    if s.state[i as usize] == DONE {
                        found(
                            self.members[i as usize].flat,
                            s.start[i as usize] as usize,
                            s.end[i as usize] as usize,
                        );
                    }
                }
            }
        }
        s.reset();
    }
}

const WANTED: u8 = 1;
const DONE: u8 = 2;
const DROPPED: u8 = 3;

/// Per-thread buffers for `Group::verify`, reused across occurrences.
#[derive(Debug, Default)]
pub struct GroupScratch {
    /// Per member: 0 asleep, `WANTED`, `DONE` (its side matched), `DROPPED`.
    state: Vec<u8>,
    /// Per member, the far boundary its side reached (the walk writes `end`; the left walk
    /// runs with `start` swapped in).
    end: Vec<u32>,
    start: Vec<u32>,
    touched: Vec<u32>,
    /// Per distinct anchor test: 0 not yet tested, 1 matches, 2 does not.
    test_ok: Vec<u8>,
    tests_touched: Vec<u32>,
}

impl GroupScratch {
    fn prepare(&mut self, members: usize, tests: usize) {
        if self.state.len() < members {
            self.state.resize(members, 0);
            self.end.resize(members, 0);
            self.start.resize(members, 0);
        }
        if self.test_ok.len() < tests {
            self.test_ok.resize(tests, 0);
        }
    }

    fn reset(&mut self) {
        for &i in &self.touched {
            self.state[i as usize] = 0;
        }
        self.touched.clear();
        for &t in &self.tests_touched {
            self.test_ok[t as usize] = 0;
        }
        self.tests_touched.clear();
    }
}

/// Depth-first walk of `trie` from `node` at boundary `b`: every wanted member whose side
/// ends at a node reached is done, with the boundary of its first arrival.
fn walk(
    trie: &Trie,
    node: usize,
    toks: &Tokens,
    b: usize,
    dir: Dir,
    s: &mut GroupScratch,
    budget: &mut u32,
) {
    if *budget == 0 {
        return;
    }
    *budget -= 1;
    let n = &trie.nodes[node];
    for &i in &n.ends {
        if s.state[i as usize] == WANTED {
            s.state[i as usize] = DONE;
            s.end[i as usize] = b as u32;
        }
    }
    for &c in &n.children {
        let child = &trie.nodes[c as usize];
        if !wanted(child, s) {
            continue;
        }
        match child.elem.as_ref().expect("only the root has no element") {
            Elem::Tok(t) => {
                if let Some((b2, _)) = pattern::step(t, toks, b, dir) {
                    walk(trie, c as usize, toks, b2, dir, s, budget);
                }
            }
            Elem::Opt(t) => {
                if let Some((b2, _)) = pattern::step(t, toks, b, dir) {
                    walk(trie, c as usize, toks, b2, dir, s, budget);
                    if !wanted(child, s) {
                        continue;
                    }
                }
                walk(trie, c as usize, toks, b, dir, s, budget);
            }
            Elem::Gap(min, max) => {
                let mut cur = b;
                for i in 0..=*max {
                    if i >= *min {
                        walk(trie, c as usize, toks, cur, dir, s, budget);
                        if !wanted(child, s) {
                            break;
                        }
                    }
                    match pattern::skip_word(toks, cur, dir) {
                        Some(n) => cur = n,
                        None => break,
                    }
                }
            }
            Elem::Start => {
                if pattern::at_start(toks, b, dir) {
                    walk(trie, c as usize, toks, b, dir, s, budget);
                }
            }
            Elem::End => {
                if pattern::at_end(toks, b, dir) {
                    walk(trie, c as usize, toks, b, dir, s, budget);
                }
            }
        }
    }
}

#[inline]
fn wanted(n: &Node, s: &GroupScratch) -> bool {
    n.below.iter().any(|&i| s.state[i as usize] == WANTED)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::{compile, Classes};

    /// The group walk finds, for every member, exactly the match `Flat::verify` finds.
    #[test]
    fn group_walk_agrees_with_verifying_each_sequence() {
        let mut classes = Classes::new();
        classes.insert(
            "more".into(),
            vec![
                "so much".into(),
                "very much".into(),
                "a lot".into(),
                "again".into(),
            ],
        );
        classes.insert(
            "who".into(),
            vec![
                "billing".into(),
                "the courier".into(),
                "our warehouse team".into(),
            ],
        );
        let patterns = [
            "thank @more? @more? *? for",
            "thank you",
            "[thank|thanks] ~0-3 for [your|the] patience",
            "^ thank",
            "that is [@who|them] ~1-4 , not us",
            "@more ~0-2 thank $",
            "no thank",
            "!no thank",
            "[very|so]? much? thank @more?",
        ];
        let mut flats = Vec::new();
        for p in patterns {
            flats.extend(compile(p, &classes).unwrap());
        }
        let members: Vec<Member> = (0..flats.len() as u32)
            .filter(|&i| {
                flats[i as usize]
                    .anchor_test()
                    .words
                    .iter()
                    .any(|w| &**w == "thank")
            })
            .map(|flat| Member {
                flat,
                word_start: true,
                word_end: true,
            })
            .collect();
        assert!(members.len() > 20, "{} sequences", members.len());
        let group = Group::new(members.clone(), &flats);
        let texts = [
            "Thank you so much for your patience.",
            "thank you very much again a lot for the patience, really",
            "Well, thank you, thank you for everything",
            "no thank you",
            "a lot thank",
            "very much thank a lot",
            "Thanks for the patience and thank you for calling, that is billing and the courier , not us.",
            "Thank, for. Thank",
        ];
        let mut s = GroupScratch::default();
        let mut toks = Tokens::default();
        let mut checked = 0;
        for text in texts {
            toks.tokenize(text);
            for k in 0..toks.len() {
                let mut got = Vec::new();
                group.verify(&toks, k, false, false, &mut s, |f, a, b| {
                    got.push((f, a, b))
                });
                got.sort_unstable();
                let mut want: Vec<(u32, usize, usize)> = members
                    .iter()
                    .filter_map(|m| {
                        let (a, b) = flats[m.flat as usize].verify(&toks, k)?;
                        Some((m.flat, a, b))
                    })
                    .collect();
                want.sort_unstable();
                assert_eq!(got, want, "{text:?} at token {k}");
                checked += want.len();
            }
        }
        assert!(checked > 10, "only {checked} matches compared");
        // Word boundaries: an occurrence inside a longer word wakes no member.
        toks.tokenize("thank you");
        let mut got = 0;
        group.verify(&toks, 0, true, false, &mut s, |_, _, _| got += 1);
        assert_eq!(got, 0);
    }
}
