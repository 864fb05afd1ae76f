//! The pattern sequences that share one anchor test, verified together.
//!
//! A common anchor ("sorry", "thank", "waiting") can wake a hundred sequences, most of them
//! expansions of the same pattern that differ in one optional word or one alternative. Checked
//! one by one, each repeats the same token tests. Here the sequences with the same anchor test
//! (the word `sorry`, or the class `@apology`) form one group: the anchor is tested once, and
//! the sequences are merged into two tries of elements — what follows the anchor and,
//! reversed, what precedes it — so one depth-first walk per side tests every shared prefix
//! once. Each anchor word or prefix lists the groups it wakes (src/engine.rs).
//!
//! The walk gives every sequence exactly the match `Flat::verify` gives it: each sequence
//! meets its own choices (optional word taken or not, gap lengths) in the same order as its
//! own backtracking would, and keeps the first boundary at which its last element is passed.
use std::collections::HashMap;
use std::sync::Arc;

use crate::lexicon::{Fnv, PreHashed};
use crate::pattern::{self, Dir, Elem, Flat, Test};
use crate::tokens::Tokens;

/// Required tests looked for per member (`Built::reqs`).
const REQS_PER_MEMBER: usize = 2;

/// Node visits allowed per side of one anchor occurrence, so no input can make a walk slow.
const WALK_BUDGET: u32 = 50_000;

/// A trie node while the trie is built (`Trie::insert`); `Trie::seal` lays the nodes out
/// as `Node`s.
#[derive(Debug, Default)]
struct BuildNode {
    elem: Option<Elem>,
    children: Vec<u32>,
    /// Members whose side ends at this node.
    ends: Vec<u32>,
    /// Optional words and gaps on the path from the root to here (see `Node::branching`).
    branching: u8,
}

/// A node of a sealed trie, one cache line: the walk reads a node's children one after
/// the other, so `seal` numbers them consecutively, and the node's lists live in the
/// trie's shared arrays rather than in allocations of their own.
#[derive(Debug)]
#[repr(align(64))]
struct Node {
    elem: Option<Elem>,
    /// Members whose side passes through or ends at this node, as a bit mask over member
    /// indices starting at word `first`: the walk skips a subtree once none of them is
    /// still wanted. `below_one` holds the mask when it is one word (`below_len` 0), else
    /// it is `Trie::below[below_at..][..below_len]`.
    below_one: u64,
    first: u32,
    below_at: u32,
    below_len: u32,
    /// The children: nodes `kids..kids + kids_len`.
    kids: u32,
    kids_len: u32,
    /// Members whose side ends here: `Trie::ends[ends_at..][..ends_len]`.
    ends_at: u32,
    ends_len: u32,
    /// Optional words and gaps on the path from the root to here, this node's included.
    /// With two or more, two paths can reach this node at the same boundary, and the walk
    /// remembers where it has been; with fewer, every arrival has its own boundary.
    branching: u8,
}

// One cache line, as `Node`'s comment says.
const _: () = assert!(std::mem::size_of::<Node>() == 64);

#[derive(Debug, Default)]
struct Trie {
    /// While building: the nodes as inserted (root first). `seal` moves them into `nodes`.
    building: Vec<BuildNode>,
    /// Sealed: the root first, each node's children consecutive, in insertion order.
    nodes: Vec<Node>,
    ends: Vec<u32>,
    below: Vec<u64>,
}

impl Trie {
    fn new() -> Trie {
        Trie {
            building: vec![BuildNode::default()],
            ..Default::default()
        }
    }

    /// Adds a side; `paths` collects, per node, the members below it, and `children`
    /// finds a node's child by element while building.
    fn insert(&mut self, elems: &[Elem], member: u32, b: &mut Building) {
        let mut at = 0usize;
        let mark = |at: usize, paths: &mut Vec<Vec<u32>>| {
            if paths.len() <= at {
                paths.resize_with(at + 1, Vec::new);
            }
            paths[at].push(member);
        };
        mark(0, &mut b.paths);
        for e in elems {
            let key = (at as u32, b.key(e));
            let found = b.children.get(&key).and_then(|cands| {
                cands.iter().copied().find(|&c| {
                    self.building[c as usize]
                        .elem
                        .as_ref()
                        .is_some_and(|x| same(x, e))
                })
            });
            at = match found {
                Some(c) => c as usize,
                None => {
                    let branching = self.building[at].branching
                        + u8::from(matches!(e, Elem::Gap(..) | Elem::Opt(_)));
                    self.building.push(BuildNode {
                        elem: Some(e.clone()),
                        branching: branching.min(2),
                        ..Default::default()
                    });
                    let c = self.building.len() - 1;
                    self.building[at].children.push(c as u32);
                    b.children.entry(key).or_default().push(c as u32);
                    c
                }
            };
            mark(at, &mut b.paths);
        }
        self.building[at].ends.push(member);
    }

    /// Lays the built nodes out breadth first (each node's children consecutive, in the
    /// order they were added, which is the order the walk tries them) and turns the member
    /// lists of `insert` into the nodes' bit masks.
    fn seal(&mut self, mut paths: Vec<Vec<u32>>) {
        let mut built = std::mem::take(&mut self.building);
        paths.resize_with(built.len(), Vec::new);
        // order[new] = old; kids of the node placed at `new` get the next free numbers.
        let mut order = Vec::with_capacity(built.len());
        order.push(0u32);
        let mut first_kid = Vec::with_capacity(built.len());
        let mut next = 1u32;
        let mut x = 0;
        while x < order.len() {
            let old = order[x] as usize;
            first_kid.push(next);
            for &c in &built[old].children {
                order.push(c);
                next += 1;
            }
            x += 1;
        }
        self.nodes.reserve_exact(order.len());
        for (new, &old) in order.iter().enumerate() {
            let n = &mut built[old as usize];
            let members = &paths[old as usize];
            let lo = members.iter().min().map_or(0, |m| m / 64);
            let hi = members.iter().max().map_or(0, |m| m / 64);
            let (below_one, below_at, below_len) = if lo == hi {
                (members.iter().fold(0, |mask, m| mask | 1 << (m % 64)), 0, 0)
            } else {
                let at = self.below.len();
                self.below.resize(at + (hi - lo + 1) as usize, 0);
                for m in members {
                    self.below[at + (m / 64 - lo) as usize] |= 1 << (m % 64);
                }
                (0, at as u32, hi - lo + 1)
            };
            let ends_at = self.ends.len() as u32;
            self.ends.extend_from_slice(&n.ends);
            self.nodes.push(Node {
                elem: n.elem.take(),
                below_one,
                first: lo,
                below_at,
                below_len,
                kids: first_kid[new],
                kids_len: n.children.len() as u32,
                ends_at,
                ends_len: n.ends.len() as u32,
                branching: n.branching,
            });
        }
    }
}

/// What building one trie needs besides the trie.
#[derive(Default)]
struct Building {
    paths: Vec<Vec<u32>>,
    /// (node, element key) → children with that key.
    children: HashMap<(u32, u64), Vec<u32>, Fnv>,
    /// Content keys of tests seen, by pointer (class tests are shared, literal words not).
    keys: HashMap<u64, u64, PreHashed>,
}

impl Building {
    /// A key equal for elements that are `same` (cheap: how the test was written and its
    /// sizes; `same` settles equality).
    fn key(&mut self, e: &Elem) -> u64 {
        let test = |keys: &mut HashMap<u64, u64, PreHashed>, t: &Arc<Test>| {
            *keys.entry(ptr_key(t)).or_insert_with(|| {
                let sizes = (t.words.len() as u64) << 40
                    ^ (t.prefixes.len() as u64) << 20
                    ^ t.puncts.len() as u64
                    ^ u64::from(t.any) << 60
                    ^ u64::from(t.num) << 61
                    ^ u64::from(t.code) << 59
                    ^ u64::from(t.negated) << 62;
                crate::lexicon::word_hash(&t.label) ^ sizes
            })
        };
        match e {
            Elem::Tok(t) => test(&mut self.keys, t) ^ 1,
            Elem::Opt(t) => test(&mut self.keys, t) ^ 2,
            Elem::Gap(a, b) => 3 | u64::from(*a) << 8 | u64::from(*b) << 16,
            Elem::Start => 4,
            Elem::End => 5,
        }
    }
}

/// A key for a shared test: its address.
fn ptr_key(t: &Arc<Test>) -> u64 {
    Arc::as_ptr(t) as usize as u64
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
        && x.code == y.code
        && x.negated == y.negated
}

/// All sequences anchored at one anchor test.
#[derive(Debug)]
pub struct Group {
    /// The group's index in the engine: its slot in `GroupScratch::lives`.
    id: u32,
    /// The anchor test all members share.
    anchor: Arc<Test>,
    /// Members: indices into the engine's flat patterns.
    pub members: Vec<u32>,
    /// The tries, built on the group's first occurrence: a small run (one macro in a
    /// pre-commit hook) builds only the groups its text wakes.
    built: std::sync::OnceLock<Built>,
    neighbours: std::sync::OnceLock<Neighbours>,
}

#[derive(Debug)]
struct Built {
    /// Members whose element right after (`next`) or before (`prev`) the anchor is a set of
    /// plain words: woken only when the neighbouring token is one of them. Keyed by
    /// `lexicon::word_hash`: a collision only wakes a member the walk then rejects.
    next: Keyed,
    prev: Keyed,
    right: Trie,
    left: Trie,
    /// The word tests members require (elements that are neither optional nor any word),
    /// by their ids in the engine's `Registry` (the members requiring each are in
    /// `req_masks`). A member whose required word occurs nowhere in the turn is not woken: most
    /// occurrences of a common anchor ("you", "can") are in turns without the rest of the
    /// pattern.
    reqs: Vec<u32>,
    /// The members requiring each of `reqs`, as bit masks of the group's mask length, one
    /// after the other (one allocation, read in order per turn).
    req_masks: Vec<u64>,
    /// One more than the largest registry id in `reqs` (0 without any).
    req_end: u32,
    /// Members verified at every occurrence, as a bit mask.
    always_mask: Box<[u64]>,
    has_always: bool,
    members: u32,
}

impl Built {
    fn new(members: &[u32], flats: &[Flat], registry: &Registry) -> Built {
        let mut g = Built {
            next: Keyed::default(),
            prev: Keyed::default(),
            right: Trie::new(),
            left: Trie::new(),
            reqs: Vec::new(),
            req_masks: Vec::new(),
            always_mask: vec![0; members.len().div_ceil(64)].into_boxed_slice(),
            has_always: false,
            members: members.len() as u32,
            req_end: 0,
        };
        let (mut rb, mut lb) = (Building::default(), Building::default());
        let (mut next_keys, mut prev_keys) = (Vec::new(), Vec::new());
        let mut req_at: HashMap<u64, usize, PreHashed> = HashMap::default();
        let words = members.len().div_ceil(64);
        for (i, &fi) in members.iter().enumerate() {
            let f = &flats[fi as usize];
            let i = i as u32;
            // The member's two rarest required tests: a common word filters little and
            // costs a look-up per turn.
            let mut tests: Vec<&Arc<Test>> = f
                .right_elems()
                .iter()
                .chain(f.left_elems())
                .filter_map(|e| match e {
                    Elem::Tok(t) if t.filters() => Some(t),
                    _ => None,
                })
                .collect();
            tests.sort_by_key(|t| std::cmp::Reverse(t.rarity()));
            for t in tests.into_iter().take(REQS_PER_MEMBER) {
                let at = *req_at.entry(ptr_key(t)).or_insert_with(|| {
                    let id = registry.id(t);
                    g.reqs.iter().position(|&r| r == id).unwrap_or_else(|| {
                        g.reqs.push(id);
                        g.req_masks.resize(g.req_masks.len() + words, 0);
                        g.reqs.len() - 1
                    })
                });
                g.req_masks[at * words + (i / 64) as usize] |= 1 << (i % 64);
            }
            g.right.insert(f.right_elems(), i, &mut rb);
            g.left.insert(f.left_elems(), i, &mut lb);
            let (next, prev) = f.neighbour_words();
            let (keys, words) = match (next, prev) {
                (Some(w), _) => (&mut next_keys, w),
                (None, Some(w)) => (&mut prev_keys, w),
                (None, None) => {
                    g.always_mask[(i / 64) as usize] |= 1 << (i % 64);
                    g.has_always = true;
                    continue;
                }
            };
            keys.extend(words.iter().map(|w| (crate::lexicon::word_hash(w), i)));
        }
        g.next = Keyed::new(next_keys);
        g.prev = Keyed::new(prev_keys);
        g.req_end = g.reqs.iter().map(|r| r + 1).max().unwrap_or(0);
        g.right.seal(rb.paths);
        g.left.seal(lb.paths);
        g
    }
}

impl Group {
    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The anchor test of the group's members.
    pub fn anchor(&self) -> &Test {
        &self.anchor
    }

    /// When a member of the group can match at an anchor: which members are verified at
    /// every occurrence, and the neighbour words that wake the others (as `Built::new` keys
    /// them: the words one of which must come first after the anchor, else before it; see
    /// `Flat::neighbour_words`). The engine skips an occurrence that wakes none.
    /// Worked out on first use and kept: a group anchored at a class is listed under each
    /// of the class's words, and each anchor word asks once per role.
    pub fn neighbours(&self, flats: &[Flat]) -> &Neighbours {
        self.neighbours
            .get_or_init(|| Group::find_neighbours(&self.members, flats))
    }

    fn find_neighbours(members: &[u32], flats: &[Flat]) -> Neighbours {
        let mut n = Neighbours::default();
        for &fi in members {
            let hashes = match flats[fi as usize].neighbour_words() {
                (Some(w), _) => (&mut n.next, w),
                (None, Some(w)) => (&mut n.prev, w),
                (None, None) => {
                    n.always = true;
                    continue;
                }
            };
            hashes
                .0
                .extend(hashes.1.iter().map(|w| crate::lexicon::word_hash(w)));
        }
        for v in [&mut n.next, &mut n.prev] {
            v.sort_unstable();
            v.dedup();
        }
        n
    }

    /// The group of `members` (indices into `flats`), whose anchor tests are equal.
    pub fn new(id: u32, members: Vec<u32>, flats: &[Flat]) -> Group {
        Group {
            id,
            anchor: flats[members[0] as usize].anchor_arc().clone(),
            members,
            built: std::sync::OnceLock::new(),
            neighbours: std::sync::OnceLock::new(),
        }
    }

    /// Verifies the group's members with their anchor at token `k`; calls
    /// `found(flat, start, end)` for every member that matches (token range `[start, end)`).
    pub fn verify(
        &self,
        flats: &[Flat],
        registry: &Registry,
        toks: &Tokens,
        k: usize,
        s: &mut GroupScratch,
        found: impl FnMut(u32, usize, usize),
    ) {
        if self.anchor.matches(toks, k) {
            self.verify_anchored(flats, registry, toks, k, s, found);
        }
    }

    /// `verify` for a token `k` the caller knows passes the group's anchor test (the
    /// engine's anchor look-up finds exactly those).
    pub fn verify_anchored(
        &self,
        flats: &[Flat],
        registry: &Registry,
        toks: &Tokens,
        k: usize,
        s: &mut GroupScratch,
        mut found: impl FnMut(u32, usize, usize),
    ) {
        let g = self
            .built
            .get_or_init(|| Built::new(&self.members, flats, registry));
        s.prepare(self.members.len());
        // Which members' required words the turn has (`GroupScratch::live`): known once the
        // group has been looked at in this turn; worked out now when some members are
        // verified at every occurrence, else only once a neighbour wakes one.
        let mut live = s.fresh_live(self.id, toks);
        if live.is_none() && g.has_always && !g.reqs.is_empty() {
            live = Some(s.live(self.id, g, toks, registry));
        }
        if live.is_some() && !s.any_live(self.id) {
            return; // no member can match anywhere in this turn
        }
        let alive = |i: u32, s: &GroupScratch| {
            live.is_none_or(|l| s.masks[l + (i / 64) as usize] & 1 << (i % 64) != 0)
        };
        let wake = |i: u32, s: &mut GroupScratch| {
            if s.state[i as usize] == 0 && alive(i, s) {
                s.want(i);
                s.touched.push(i);
            }
        };
        for w in 0..g.always_mask.len() {
            let mut bits = g.always_mask[w] & live.map_or(!0, |l| s.masks[l + w]);
            while bits != 0 {
                wake(w as u32 * 64 + bits.trailing_zeros(), s);
                bits &= bits - 1;
            }
        }
        for (map, nb) in [(&g.next, toks.next_word(k)), (&g.prev, toks.prev_word(k))] {
            let Some(nb) = nb.filter(|_| !map.is_empty()) else {
                continue;
            };
            let tok = &toks.toks[nb];
            let alt = tok.alt.map(|_| tok.alt_hash);
            for h in std::iter::once(tok.hash).chain(alt) {
                for &i in map.get(h) {
                    wake(i, s);
                }
            }
        }
        if live.is_none() && !s.touched.is_empty() && !g.reqs.is_empty() {
            // Put back to sleep the members a required word of which the turn lacks.
            let l = s.live(self.id, g, toks, registry);
            let mut x = 0;
            while x < s.touched.len() {
                let i = s.touched[x];
                if s.masks[l + (i / 64) as usize] & 1 << (i % 64) == 0 {
                    s.state[i as usize] = 0;
                    s.wanted[(i / 64) as usize] &= !(1 << (i % 64));
                    s.touched.swap_remove(x);
                } else {
                    x += 1;
                }
            }
        }
        if !s.touched.is_empty() {
            // What follows the anchor, then what precedes it for those that got that far.
            let mut budget = WALK_BUDGET;
            s.seen.clear();
            walk(&g.right, 0, toks, k + 1, Dir::Fwd, s, &mut budget);
            let mut any = false;
            for x in 0..s.touched.len() {
                let i = s.touched[x];
                if s.state[i as usize] == DONE {
                    s.want(i);
                    any = true;
                } else {
                    s.state[i as usize] = DROPPED;
                }
            }
            if any {
                std::mem::swap(&mut s.end, &mut s.start);
                let mut budget = WALK_BUDGET;
                s.seen.clear();
                walk(&g.left, 0, toks, k, Dir::Back, s, &mut budget);
                std::mem::swap(&mut s.end, &mut s.start);
                for &i in &s.touched {
                    if s.state[i as usize] == DONE {
                        found(
                            self.members[i as usize],
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

/// Numbers keyed by a word hash, each key's numbers in one run of a single array (one
/// pointer less per look-up than a map of vectors).
#[derive(Debug, Default)]
pub struct Keyed {
    runs: HashMap<u64, (u32, u32), PreHashed>,
    items: Vec<u32>,
}

impl Keyed {
    /// From (key, number) pairs; a key's numbers keep their order.
    pub fn new(mut pairs: Vec<(u64, u32)>) -> Keyed {
        pairs.sort_by_key(|p| p.0);
        let mut k = Keyed::default();
        for run in pairs.chunk_by(|a, b| a.0 == b.0) {
            k.runs
                .insert(run[0].0, (k.items.len() as u32, run.len() as u32));
            k.items.extend(run.iter().map(|p| p.1));
        }
        k
    }

    #[inline]
    pub fn get(&self, key: u64) -> &[u32] {
        self.runs.get(&key).map_or(&[][..], |&(at, n)| {
            &self.items[at as usize..(at + n) as usize]
        })
    }

    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }
}

/// See `Group::neighbours`.
#[derive(Debug, Default)]
pub struct Neighbours {
    /// Some member is verified at every occurrence.
    pub always: bool,
    /// `lexicon::word_hash`es of the words after / before the anchor that wake a member.
    pub next: Vec<u64>,
    pub prev: Vec<u64>,
}

/// Ids for the word tests sequences require, equal for equal tests whichever group
/// requires them, so a turn looks for each once (`GroupScratch::refresh`). Filled as groups
/// are built.
#[derive(Debug, Default)]
pub struct Registry {
    ids: std::sync::Mutex<Ids>,
}

/// Ids by content, and by the address of a shared test already seen (an expanded class
/// test is one `Arc` in every sequence it appears in; the engine keeps them all alive).
#[derive(Debug, Default)]
struct Ids {
    by_content: HashMap<TestKey, u32>,
    by_ptr: HashMap<u64, u32, PreHashed>,
    /// The test of each id.
    tests: Vec<Arc<Test>>,
}

type TestKey = (
    Vec<pattern::Word>,
    Vec<pattern::Word>,
    Vec<pattern::Word>,
    (bool, bool),
);

impl Registry {
    fn id(&self, t: &Arc<Test>) -> u32 {
        let mut ids = self.ids.lock().unwrap_or_else(|e| e.into_inner());
        let ptr = ptr_key(t);
        if let Some(&id) = ids.by_ptr.get(&ptr) {
            return id;
        }
        let key = (
            t.words.clone(),
            t.prefixes.clone(),
            t.puncts.clone(),
            (t.num, t.code),
        );
        let next = ids.by_content.len() as u32;
        let id = *ids.by_content.entry(key).or_insert(next);
        if id == next {
            ids.tests.push(t.clone());
        }
        ids.by_ptr.insert(ptr, id);
        id
    }

    /// Adds the words of the tests registered since `from` to `index` (word hash → ids);
    /// returns how many tests are indexed now.
    fn index_into(&self, index: &mut HashMap<u64, Vec<u32>, PreHashed>, from: usize) -> usize {
        let ids = self.ids.lock().unwrap_or_else(|e| e.into_inner());
        for (id, t) in ids.tests.iter().enumerate().skip(from) {
            for w in &t.words {
                let ids = index.entry(crate::lexicon::word_hash(w)).or_default();
                if ids.last() != Some(&(id as u32)) {
                    ids.push(id as u32);
                }
            }
        }
        ids.tests.len()
    }
}

/// A group's mask of members that can match in a turn (`GroupScratch::live`).
#[derive(Debug, Clone, Copy)]
struct Live {
    /// The tokens the mask was worked out for.
    stamp: u64,
    /// Where the mask is in `GroupScratch::masks` (`u32::MAX`: not placed yet).
    at: u32,
    /// Whether any bit is set.
    any: bool,
}

impl Default for Live {
    fn default() -> Live {
        Live {
            stamp: 0,
            at: u32::MAX,
            any: false,
        }
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
    /// The `WANTED` members as bits, for the nodes' masks.
    wanted: Vec<u64>,
    /// Per member, the far boundary its side reached (the walk writes `end`; the left walk
    /// runs with `start` swapped in).
    end: Vec<u32>,
    start: Vec<u32>,
    touched: Vec<u32>,
    /// (node, boundary) pairs reached during the current walk.
    seen: std::collections::HashSet<u64, crate::lexicon::PreHashed>,
    /// Word hash → the registered tests with that word, for the first `indexed` tests.
    index: HashMap<u64, Vec<u32>, PreHashed>,
    indexed: usize,
    /// Per registered test, the tokens in which one of its words was last seen, and the
    /// tokens whose words were last looked up (`refresh`).
    seen_in: Vec<u64>,
    seen_of: u64,
    /// Per group (`Group::id`): see `Live`.
    lives: Vec<Live>,
    /// The groups' masks of members whose required tests all occur, each at its `Live::at`.
    masks: Vec<u64>,
}

impl GroupScratch {
    /// Brings the look-up of registered tests up to date for `toks`: afterwards
    /// `seen_in[id] == toks.stamp()` says whether a token of `toks` may pass the test
    /// registered as `id` (a word test; words compare by hash, so a collision can say yes
    /// where no token passes, never the reverse).
    fn refresh(&mut self, toks: &Tokens, registry: &Registry, need: usize) {
        if need > self.indexed {
            // Tests registered since the index was last brought up to date (a group built
            // in this turn): index them, and look the turn's words up again.
            self.indexed = registry.index_into(&mut self.index, self.indexed);
            self.seen_in.resize(self.indexed, 0);
            self.seen_of = 0;
        }
        if self.seen_of != toks.stamp() {
            // Once per turn: every registered test one of whose words the turn has.
            let stamp = toks.stamp();
            for tok in &toks.toks {
                let alt = tok.alt.map(|_| tok.alt_hash);
                for h in std::iter::once(tok.hash).chain(alt) {
                    for &i in self.index.get(&h).map_or(&[][..], Vec::as_slice) {
                        self.seen_in[i as usize] = stamp;
                    }
                }
            }
            self.seen_of = stamp;
        }
    }

    /// Where in `masks` group `id`'s mask of members that can match in `toks` is (the
    /// members whose required tests all occur), computed on the group's first occurrence in
    /// the turn.
    fn live(&mut self, id: u32, g: &Built, toks: &Tokens, registry: &Registry) -> usize {
        let at = id as usize;
        if self.lives.len() <= at {
            self.lives.resize(at + 1, Live::default());
        }
        let words = g.always_mask.len();
        if self.lives[at].at == u32::MAX {
            self.lives[at].at = self.masks.len() as u32;
            self.masks.resize(self.masks.len() + words, 0);
        }
        let from = self.lives[at].at as usize;
        if self.lives[at].stamp != toks.stamp() {
            self.refresh(toks, registry, g.req_end as usize);
            let stamp = toks.stamp();
            let mask = &mut self.masks[from..from + words];
            mask.fill(!0);
            if !g.members.is_multiple_of(64) {
                // Only the members' bits, so that "any bit set" means a member.
                mask[words - 1] = (1 << (g.members % 64)) - 1;
            }
            let any = if words == 1 {
                // Most groups: one word, and no need to look further once it is empty.
                let mut m = mask[0];
                for (&id, &members) in g.reqs.iter().zip(&g.req_masks) {
                    if self.seen_in[id as usize] != stamp {
                        m &= !members;
                        if m == 0 {
                            break;
                        }
                    }
                }
                mask[0] = m;
                m != 0
            } else {
                for (&id, members) in g.reqs.iter().zip(g.req_masks.chunks_exact(words)) {
                    if self.seen_in[id as usize] != stamp {
                        mask.iter_mut().zip(members).for_each(|(l, m)| *l &= !m);
                    }
                }
                mask.iter().any(|&w| w != 0)
            };
            self.lives[at].stamp = stamp;
            self.lives[at].any = any;
        }
        from
    }

    /// `live`'s place for group `id` if it was worked out for `toks` already.
    #[inline]
    fn fresh_live(&self, id: u32, toks: &Tokens) -> Option<usize> {
        self.lives
            .get(id as usize)
            .filter(|l| l.stamp == toks.stamp())
            .map(|l| l.at as usize)
    }

    /// Whether some member can match in the turn, for the mask at `at` (`live`).
    #[inline]
    fn any_live(&self, id: u32) -> bool {
        self.lives[id as usize].any
    }

    fn prepare(&mut self, members: usize) {
        if self.state.len() < members {
            self.state.resize(members, 0);
            self.wanted.resize(members.div_ceil(64), 0);
            self.end.resize(members, 0);
            self.start.resize(members, 0);
        }
    }

    #[inline]
    fn want(&mut self, i: u32) {
        self.state[i as usize] = WANTED;
        self.wanted[(i / 64) as usize] |= 1 << (i % 64);
    }

    #[inline]
    fn done(&mut self, i: u32, b: usize) {
        self.state[i as usize] = DONE;
        self.end[i as usize] = b as u32;
        self.wanted[(i / 64) as usize] &= !(1 << (i % 64));
    }

    fn reset(&mut self) {
        for &i in &self.touched {
            self.state[i as usize] = 0;
            self.wanted[(i / 64) as usize] = 0;
        }
        self.touched.clear();
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
    // A second arrival at the same node and boundary cannot match anything the first did
    // not: what is wanted only shrinks during a walk. (Without this, `~0-20 x? ~0-20 y`
    // would try 441 paths.)
    let n = &trie.nodes[node];
    if n.branching >= 2 && !s.seen.insert((node as u64) << 32 | b as u64) {
        return;
    }
    for &i in &trie.ends[n.ends_at as usize..(n.ends_at + n.ends_len) as usize] {
        if s.state[i as usize] == WANTED {
            s.done(i, b);
        }
    }
    for c in n.kids..n.kids + n.kids_len {
        let child = &trie.nodes[c as usize];
        if !wanted(trie, child, s) {
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
                    if !wanted(trie, child, s) {
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
                        if !wanted(trie, child, s) {
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
fn wanted(trie: &Trie, n: &Node, s: &GroupScratch) -> bool {
    if n.below_len == 0 {
        return s.wanted[n.first as usize] & n.below_one != 0;
    }
    let below = &trie.below[n.below_at as usize..(n.below_at + n.below_len) as usize];
    let words = &s.wanted[n.first as usize..n.first as usize + below.len()];
    below.iter().zip(words).any(|(m, w)| m & w != 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pattern::{compile, Classes};

    /// A group first used after another in the same turn registers required tests the
    /// turn's word look-up has not seen; its members must still match (and a member whose
    /// required word the turn lacks must not).
    #[test]
    fn required_words_registered_mid_turn_are_looked_up() {
        let classes = Classes::new();
        let mut flats = compile("sorry ~0-3 delay~", &classes).unwrap();
        let sorry: Vec<u32> = (0..flats.len() as u32).collect();
        flats.extend(compile("refund ~0-3 approved", &classes).unwrap());
        let refund: Vec<u32> = (sorry.len() as u32..flats.len() as u32).collect();
        for m in [&sorry, &refund] {
            let label = &flats[m[0] as usize].anchor_test().label;
            assert!(m
                .iter()
                .all(|&i| &flats[i as usize].anchor_test().label == label));
        }
        let g1 = Group::new(0, sorry, &flats);
        let g2 = Group::new(1, refund, &flats);
        let registry = Registry::default();
        let mut s = GroupScratch::default();
        let mut toks = Tokens::default();
        let mut run = |text: &str, toks: &mut Tokens| {
            toks.tokenize(text);
            let mut got = Vec::new();
            for k in 0..toks.len() {
                for g in [&g1, &g2] {
                    g.verify(&flats, &registry, toks, k, &mut s, |f, a, b| {
                        got.push((f, a, b))
                    });
                }
            }
            got.len()
        };
        assert_eq!(
            run("Sorry for the delays, your refund was approved.", &mut toks),
            2
        );
        assert_eq!(run("Sorry, your refund is pending.", &mut toks), 0);
        assert_eq!(run("Refund approved! Sorry about the delay.", &mut toks), 2);
    }

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
        let members: Vec<u32> = (0..flats.len() as u32)
            .filter(|&i| {
                let t = flats[i as usize].anchor_test();
                t.words.len() == 1 && &*t.words[0] == "thank"
            })
            .collect();
        assert!(members.len() > 20, "{} sequences", members.len());
        let group = Group::new(0, members.clone(), &flats);
        let registry = Registry::default();
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
                group.verify(&flats, &registry, &toks, k, &mut s, |f, a, b| {
                    got.push((f, a, b))
                });
                got.sort_unstable();
                let mut want: Vec<(u32, usize, usize)> = members
                    .iter()
                    .filter_map(|&m| {
                        let (a, b) = flats[m as usize].verify(&toks, k)?;
                        Some((m, a, b))
                    })
                    .collect();
                want.sort_unstable();
                assert_eq!(got, want, "{text:?} at token {k}");
                checked += want.len();
            }
        }
        assert!(checked > 10, "only {checked} matches compared");
    }
}
