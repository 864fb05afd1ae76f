//! The token pattern language of rule packs (docs/rule-language.md): parsing a pattern
//! string, expanding word classes and inflections, and matching the result against the
//! tokens of a turn.
//!
//! A pattern compiles to one or more flat element sequences (alternatives with several words
//! are distributed into separate sequences), each anchored at its rarest required word. The
//! engine looks each word of a turn up among the anchors and verifies around each hit, so the
//! cost of a rule is the length of the attempted match, never the length of the turn.
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::tokens::{Kind, Tokens};

/// Most sequences one pattern may expand into (alternatives × optional groups).
pub const MAX_EXPANSIONS: usize = 2048;
/// Widest gap a pattern may ask for, in words.
pub const MAX_GAP: u8 = 30;
/// Work allowed per verification, so no pattern can be made slow by its input.
const STEP_BUDGET: u32 = 20_000;

/// A word, prefix or mark of a `Test`: borrowed from the embedded table of a built-in pack
/// (a copy of each word of the ~4,300 tests built at every start, ~14,000 words, was an
/// allocation each), owned when compiled at run time.
pub type Word = std::borrow::Cow<'static, str>;

/// What one token must be.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Test {
    /// Normalised words, sorted.
    pub words: Vec<Word>,
    /// Word prefixes (`frustrat*`).
    pub prefixes: Vec<Word>,
    /// Punctuation marks.
    pub puncts: Vec<Word>,
    /// Any word (`*`).
    pub any: bool,
    /// Any number (`#num`).
    pub num: bool,
    /// Any code or identifier (`#code`): a token of four or more ASCII letters and digits
    /// holding a digit (`4410`, `SK4471203`, `K7XQ2M`).
    pub code: bool,
    /// Inverts the test (`!word`): any word that is not one of these.
    pub negated: bool,
    /// How the pattern wrote it, for traces: `sorry`, `@apology`, `handle~`.
    pub label: Box<str>,
    /// `words` as a hash set, built on first use when the list is long (a class of
    /// hundreds of words is one look-up instead of a binary search of string compares).
    index: Memo<WordIndex>,
    /// `rarity()`, computed once: a class test is shared by every sequence it expands into.
    rarity: Memo<usize>,
}

/// `Test::words` by `lexicon::word_hash`: a short list is scanned, a long one looked up;
/// a hash that matches is confirmed on the string, so a collision cannot match.
#[derive(Debug)]
enum WordIndex {
    Few(Box<[u64]>),
    Many(HashMap<u64, u32, crate::lexicon::PreHashed>),
}

/// A value computed on first use that takes no part in comparing tests.
/// A copy starts empty: the copy may be changed (`union`) before it is used.
struct Memo<T>(std::sync::OnceLock<T>);

impl<T> Default for Memo<T> {
    fn default() -> Memo<T> {
        Memo(std::sync::OnceLock::new())
    }
}

impl<T> Clone for Memo<T> {
    fn clone(&self) -> Memo<T> {
        Memo::default()
    }
}

impl<T> PartialEq for Memo<T> {
    fn eq(&self, _: &Memo<T>) -> bool {
        true
    }
}

impl<T> std::fmt::Debug for Memo<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("_")
    }
}

impl Test {
    fn word(w: &str, label: &str) -> Test {
        Test {
            words: vec![Word::Owned(w.into())],
            label: label.into(),
            ..Default::default()
        }
    }

    fn union(&mut self, o: &Test) {
        self.words.extend(o.words.iter().cloned());
        self.prefixes.extend(o.prefixes.iter().cloned());
        self.puncts.extend(o.puncts.iter().cloned());
        self.any |= o.any;
        self.num |= o.num;
        self.code |= o.code;
        self.words.sort();
        self.words.dedup();
    }

    fn finish(&mut self) {
        self.words.sort();
        self.words.dedup();
        self.prefixes.sort();
        self.prefixes.dedup();
    }

    /// Whether a punctuation mark can satisfy this test (then soft marks are not skipped).
    #[inline]
    /// A test of plain words only: a token passes it exactly when its word or its second
    /// reading is one of `words`.
    pub(crate) fn plain(&self) -> bool {
        !self.words.is_empty()
            && self.prefixes.is_empty()
            && self.puncts.is_empty()
            && !self.any
            && !self.num
            && !self.code
            && !self.negated
    }

    /// A test of marks only, every one a symbol outside ASCII (an emoji): such a mark is
    /// looked up like a word, so the test can anchor a pattern. ASCII marks (`?`, `!`, `,`)
    /// are too common to anchor on.
    pub(crate) fn anchors_on_symbols(&self) -> bool {
        !self.puncts.is_empty()
            && self.words.is_empty()
            && self.prefixes.is_empty()
            && !(self.any || self.num || self.code || self.negated)
            && self.puncts.iter().all(|p| !p.is_ascii())
    }

    fn takes_punct(&self) -> bool {
        !self.puncts.is_empty()
    }

    #[inline]
    pub fn matches(&self, toks: &Tokens, i: usize) -> bool {
        let t = &toks.toks[i];
        let w = toks.text(t);
        let hit = match t.kind {
            Kind::Punct => self.puncts.iter().any(|p| &**p == w),
            Kind::Word | Kind::Num => {
                self.any
                    || (self.num && w.as_bytes()[0].is_ascii_digit())
                    || (self.code && is_code(w))
                    || self.has_word(w, t.hash)
                    || t.alt.is_some_and(|a| self.has_word(a, t.alt_hash))
                    || self.prefixes.iter().any(|p| w.starts_with(&**p))
            }
        };
        if self.negated {
            t.kind != Kind::Punct && !hit
        } else {
            hit
        }
    }

    /// Whether a test can be looked for in a turn by its words alone (the group prefilter,
    /// src/group.rs): a test of plain words only. (Prefix tests were tried: looking for a
    /// prefix takes a pass over the turn's tokens and cost more than it saved.)
    pub fn filters(&self) -> bool {
        !(self.any || self.negated || self.num || self.code)
            && self.puncts.is_empty()
            && self.prefixes.is_empty()
            && !self.words.is_empty()
    }

    fn index(&self) -> &WordIndex {
        self.index.0.get_or_init(|| {
            let hashes = self.words.iter().map(|w| crate::lexicon::word_hash(w));
            if self.words.len() <= 8 {
                WordIndex::Few(hashes.collect())
            } else {
                WordIndex::Many(hashes.zip(0..).collect())
            }
        })
    }

    /// Whether `w` (whose `word_hash` is `h`) is one of the words.
    #[inline]
    fn has_word(&self, w: &str, h: u64) -> bool {
        if self.words.is_empty() {
            return false;
        }
        let at = match self.index() {
            WordIndex::Few(hs) => hs.iter().position(|&x| x == h),
            WordIndex::Many(map) => map.get(&h).map(|&i| i as usize),
        };
        at.is_some_and(|i| crate::lexicon::same_word(&self.words[i], w))
    }

    /// How good an anchor this test is: higher is rarer. Zero means it cannot anchor.
    pub(crate) fn rarity(&self) -> usize {
        *self.rarity.0.get_or_init(|| self.compute_rarity())
    }

    fn compute_rarity(&self) -> usize {
        if self.anchors_on_symbols() {
            // Emoji and other symbols outside ASCII ("😭", "🤬") are rarer than most words.
            return 150 * 1000 / (1000 + self.puncts.len().min(1000));
        }
        if self.any || self.num || self.code || self.negated || !self.puncts.is_empty() {
            return 0;
        }
        if self.words.is_empty() && self.prefixes.is_empty() {
            return 0;
        }
        let w = self.words.iter().map(|w| word_rarity(w));
        let p = self
            .prefixes
            .iter()
            .map(|p| if p.len() >= 4 { 50 + p.len() } else { p.len() });
        let base = w.chain(p).min().unwrap_or(0);
        // Fewer alternatives make fewer anchor hits to verify.
        let n = self.words.len() + self.prefixes.len();
        base * 1000 / (1000 + n.min(1000))
    }
}

/// The commonest words of conversation, most frequent first (counted on the real support
/// conversations of `../shared/corpora-real`): poor anchors, and the more frequent the
/// poorer, so a pattern made only of common words is anchored at its least frequent one.
const COMMON: &[&str] = &[
    "the", "to", "i", "you", "and", "it", "for", "we", "a", "this", "my", "us", "your", "on", "in",
    "can", "is", "are", "that", "not", "have", "with", "please", "of", "here", "if", "know",
    "there", "will", "be", "our", "let", "me", "'s", "so", "any", "do", "but", "out", "what", "or",
    "as", "s", "more", "get", "how", "need", "would", "about", "an", "when", "am", "all", "at",
    "just", "no", "from", "one", "been", "was", "like", "back", "they", "see", "now", "has", "by",
    "could", "them", "up", "some", "does", "which", "want", "again", "day", "did", "go", "going",
    "got", "had", "he", "her", "his", "its", "ok", "okay", "really", "she", "their", "then",
    "thing", "time", "very", "well", "were", "yes",
];

fn word_rarity(w: &str) -> usize {
    static RANK: std::sync::OnceLock<HashMap<&'static str, usize, crate::lexicon::Fnv>> =
        std::sync::OnceLock::new();
    let rank = RANK.get_or_init(|| COMMON.iter().enumerate().map(|(i, w)| (*w, i)).collect());
    match rank.get(w) {
        // 1 for the most frequent word up to 99 for the least.
        Some(&i) => 1 + i * 98 / COMMON.len(),
        None => 100 + w.len().min(20),
    }
}

/// One element of a flat sequence.
#[derive(Debug, Clone, PartialEq)]
pub enum Elem {
    // Shared: expanding alternatives copies sequences, not word lists.
    Tok(Arc<Test>),
    Opt(Arc<Test>),
    /// Between `min` and `max` words, within the sentence.
    Gap(u8, u8),
    /// `^`: the start of a sentence.
    Start,
    /// `$`: the end of a sentence.
    End,
}

/// A pattern after expansion: a flat sequence with its anchor.
#[derive(Debug, Clone)]
pub struct Flat {
    /// The anchor's test, and its position in the sequence.
    anchor_test: Arc<Test>,
    pub anchor: u32,
    /// The elements before the anchor, reversed (nearest first, for matching leftwards),
    /// then the elements after it: `anchor` of them are left of it. A precompiled pattern
    /// (`use_precompiled`) reads them on first use: most sequences of a run are never
    /// verified, because their anchor never occurs.
    /// (Narrow fields: a start-up builds ~70,000 sequences, 72 bytes each before.)
    elems: std::sync::OnceLock<Box<[Elem]>>,
    /// Where a precompiled pattern's elements are: its table and their offset.
    stored: Option<(&'static Table, u32)>,
    /// Most tokens a match can span (for windows around hits).
    pub max_width: u32,
}

/// One token matched by one element, for `rules trace`.
#[derive(Debug, Clone)]
pub struct Step {
    pub token: usize,
    pub label: String,
}

impl Flat {
    fn new(elems: Vec<Elem>) -> Result<Flat, String> {
        if matches!(elems.first(), Some(Elem::Gap(..)))
            || matches!(elems.last(), Some(Elem::Gap(..)))
        {
            return Err("a pattern cannot start or end with a gap".into());
        }
        let anchor = elems
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e {
                Elem::Tok(t) => Some((t.rarity(), i)).filter(|(r, _)| *r > 0),
                _ => None,
            })
            .max_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)))
            .map(|(_, i)| i)
            .ok_or("a pattern needs at least one required word or emoji to anchor on (not only `*`, `#num`, `#code`, ASCII marks or optional words)")?;
        let Elem::Tok(anchor_test) = elems[anchor].clone() else {
            unreachable!("anchors are always required tokens")
        };
        let max_width = elems
            .iter()
            .map(|e| match e {
                Elem::Gap(_, m) => *m as usize,
                Elem::Start | Elem::End => 0,
                _ => 1,
            })
            .sum::<usize>()
            * 2;
        let mut elems = elems;
        elems.remove(anchor);
        elems[..anchor].reverse();
        Ok(Flat {
            anchor_test,
            anchor: anchor as u32,
            elems: elems.into_boxed_slice().into(),
            stored: None,
            max_width: max_width as u32,
        })
    }

    fn elems(&self) -> &[Elem] {
        self.elems.get_or_init(|| match &self.stored {
            Some((table, at)) => table.elems(*at as usize).into_boxed_slice(),
            None => Box::default(),
        })
    }

    fn left(&self) -> &[Elem] {
        &self.elems()[..self.anchor as usize]
    }

    fn right(&self) -> &[Elem] {
        &self.elems()[self.anchor as usize..]
    }

    /// The words one of which must be the first word after the anchor for the sequence to
    /// match, and the same before it; `None` for a side where any token may come first.
    /// A side's words are those of its leading optional plain-word elements and of the first
    /// required one (the first word is one of them whether the optional words are taken or
    /// not); a gap, a mark, a prefix, a wildcard, a negation or a side that may be empty
    /// makes it `None`. (Marks between words are skipped the same way the walk skips them.)
    /// The engine keys sequences on these words, so it verifies only those whose neighbour
    /// word is there.
    pub fn neighbour_words(&self) -> (Option<Vec<&str>>, Option<Vec<&str>>) {
        /// Each element as whether it is optional and its test (`None`: not a test).
        fn first<'a>(
            elems: impl Iterator<Item = (bool, Option<&'a Test>)>,
        ) -> Option<Vec<&'a str>> {
            let mut out: Vec<&str> = Vec::new();
            for e in elems {
                match e {
                    (true, Some(t)) if t.plain() => out.extend(t.words.iter().map(|w| &**w)),
                    (false, Some(t)) if t.plain() => {
                        out.extend(t.words.iter().map(|w| &**w));
                        out.sort_unstable();
                        out.dedup();
                        return Some(out);
                    }
                    _ => return None,
                }
            }
            None
        }
        // A precompiled sequence whose elements are not read yet is read in place: most
        // groups an anchor word wakes are asked only for these words, never verified.
        if let (Some((table, at)), None) = (&self.stored, self.elems.get()) {
            let (at, anchor) = (*at as usize, self.anchor as usize);
            let len = table.w(at);
            let view = |k: usize| {
                let w = table.w(at + 1 + k);
                match w & 7 {
                    0 => (false, Some(&**table.test_ref(w >> 3))),
                    1 => (true, Some(&**table.test_ref(w >> 3))),
                    _ => (false, None),
                }
            };
            return (first((anchor..len).map(view)), first((0..anchor).map(view)));
        }
        fn view(e: &Elem) -> (bool, Option<&Test>) {
            match e {
                Elem::Tok(t) => (false, Some(&**t)),
                Elem::Opt(t) => (true, Some(&**t)),
                _ => (false, None),
            }
        }
        (
            first(self.right().iter().map(view)),
            first(self.left().iter().map(view)),
        )
    }

    pub(crate) fn anchor_arc(&self) -> &Arc<Test> {
        &self.anchor_test
    }

    /// The elements after the anchor, in order.
    pub(crate) fn right_elems(&self) -> &[Elem] {
        self.right()
    }

    /// The elements before the anchor, nearest first.
    pub(crate) fn left_elems(&self) -> &[Elem] {
        self.left()
    }

    pub fn anchor_test(&self) -> &Test {
        &self.anchor_test
    }

    /// The match whose anchor is token `k`: token range `[start, end)`.
    pub fn verify(&self, toks: &Tokens, k: usize) -> Option<(usize, usize)> {
        if !self.anchor_test().matches(toks, k) {
            return None;
        }
        let mut budget = STEP_BUDGET;
        let s = go(self.left(), toks, k, Dir::Back, &mut budget, &mut None)?;
        let e = go(self.right(), toks, k + 1, Dir::Fwd, &mut budget, &mut None)?;
        Some((s, e))
    }

    /// Like `verify`, recording which element matched which token.
    pub fn verify_traced(&self, toks: &Tokens, k: usize) -> Option<((usize, usize), Vec<Step>)> {
        if !self.anchor_test().matches(toks, k) {
            return None;
        }
        let mut budget = STEP_BUDGET;
        let mut left = Some(Vec::new());
        let mut right = Some(Vec::new());
        let s = go(self.left(), toks, k, Dir::Back, &mut budget, &mut left)?;
        let e = go(self.right(), toks, k + 1, Dir::Fwd, &mut budget, &mut right)?;
        let mut steps: Vec<Step> = left.unwrap_or_default();
        steps.reverse();
        steps.push(Step {
            token: k,
            label: self.anchor_test().label.to_string(),
        });
        steps.extend(right.unwrap_or_default());
        Some(((s, e), steps))
    }

    /// Every match starting at any token of `from..to` (for exclusions and traces, which
    /// do not go through the anchor look-up). The anchor of such a match may lie after
    /// `to`, up to the pattern's width.
    pub fn find_in(&self, toks: &Tokens, from: usize, to: usize) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for k in self.anchor_range(toks, from, to) {
            if let Some(m) = self.verify(toks, k) {
                if (from..to).contains(&m.0) && !out.contains(&m) {
                    out.push(m);
                }
            }
        }
        out
    }

    /// Tokens where the anchor of a match starting in `from..to` can be: up to the
    /// pattern's width past `to`.
    fn anchor_range(&self, toks: &Tokens, from: usize, to: usize) -> std::ops::Range<usize> {
        from..to.saturating_add(self.max_width as usize).min(toks.len())
    }
}

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Dir {
    Fwd,
    Back,
}

/// Matches `elems` from boundary `b` in direction `dir`; returns the far boundary. Forward,
/// a boundary is the index of the next token; backward, it is the index of the last token
/// consumed. Optional elements are greedy, gaps lazy.
fn go(
    elems: &[Elem],
    toks: &Tokens,
    b: usize,
    dir: Dir,
    budget: &mut u32,
    trace: &mut Option<Vec<Step>>,
) -> Option<usize> {
    if *budget == 0 {
        return None;
    }
    *budget -= 1;
    let Some((e, rest)) = elems.split_first() else {
        return Some(b);
    };
    let mark = trace.as_ref().map_or(0, Vec::len);
    let undo = |trace: &mut Option<Vec<Step>>| {
        if let Some(t) = trace {
            t.truncate(mark);
        }
    };
    match e {
        Elem::Tok(t) => {
            let (b2, at) = step(t, toks, b, dir)?;
            record(trace, at, t);
            let r = go(rest, toks, b2, dir, budget, trace);
            if r.is_none() {
                undo(trace);
            }
            r
        }
        Elem::Opt(t) => {
            if let Some((b2, at)) = step(t, toks, b, dir) {
                record(trace, at, t);
                if let Some(r) = go(rest, toks, b2, dir, budget, trace) {
                    return Some(r);
                }
                undo(trace);
            }
            go(rest, toks, b, dir, budget, trace)
        }
        Elem::Gap(min, max) => {
            let mut cur = b;
            for i in 0..=*max {
                if i >= *min {
                    if let Some(r) = go(rest, toks, cur, dir, budget, trace) {
                        return Some(r);
                    }
                    undo(trace);
                }
                cur = skip_word(toks, cur, dir)?;
            }
            None
        }
        Elem::Start => at_start(toks, b, dir)
            .then(|| go(rest, toks, b, dir, budget, trace))
            .flatten(),
        Elem::End => at_end(toks, b, dir)
            .then(|| go(rest, toks, b, dir, budget, trace))
            .flatten(),
    }
}

fn record(trace: &mut Option<Vec<Step>>, token: usize, t: &Test) {
    if let Some(tr) = trace {
        tr.push(Step {
            token,
            label: t.label.to_string(),
        });
    }
}

/// Consumes one token matching `t` (stepping over soft marks unless `t` takes marks).
/// Returns the new boundary and the token index consumed.
#[inline]
pub(crate) fn step(t: &Test, toks: &Tokens, b: usize, dir: Dir) -> Option<(usize, usize)> {
    let n = toks.len();
    match dir {
        Dir::Fwd => {
            let mut i = b;
            if !t.takes_punct() {
                while i < n && toks.soft(i) {
                    i += 1;
                }
            }
            (i < n && t.matches(toks, i)).then_some((i + 1, i))
        }
        Dir::Back => {
            let mut i = b;
            if !t.takes_punct() {
                while i > 0 && toks.soft(i - 1) {
                    i -= 1;
                }
            }
            (i > 0 && t.matches(toks, i - 1)).then_some((i - 1, i - 1))
        }
    }
}

/// Steps over one word (any token but a sentence end) for a gap.
pub(crate) fn skip_word(toks: &Tokens, b: usize, dir: Dir) -> Option<usize> {
    let n = toks.len();
    match dir {
        Dir::Fwd => {
            let mut i = b;
            while i < n && toks.soft(i) {
                i += 1;
            }
            (i < n && !toks.hard_stop(i)).then_some(i + 1)
        }
        Dir::Back => {
            let mut i = b;
            while i > 0 && toks.soft(i - 1) {
                i -= 1;
            }
            (i > 0 && !toks.hard_stop(i - 1)).then_some(i - 1)
        }
    }
}

/// Is the boundary at a sentence start? (Backward boundaries point at the last token
/// consumed, i.e. the sentence starts at that token.)
pub(crate) fn at_start(toks: &Tokens, b: usize, dir: Dir) -> bool {
    // The first token of the match is `b` going backward, `b` (next) going forward.
    let mut i = b;
    let _ = dir;
    while i > 0 && toks.soft(i - 1) {
        i -= 1;
    }
    i == 0 || toks.hard_stop(i - 1)
}

pub(crate) fn at_end(toks: &Tokens, b: usize, dir: Dir) -> bool {
    // Going forward `b` is the next token; going backward the match ends before `b`... an
    // end marker only makes sense after the anchor, so treat both the same.
    let _ = dir;
    let n = toks.len();
    let mut i = b;
    while i < n && toks.soft(i) {
        i += 1;
    }
    i == n || toks.hard_stop(i)
}

/// The two patterns of `near: {all: [a, b], within: w}`: either order.
pub fn near_patterns(a: &str, b: &str, w: u8) -> [String; 2] {
    [format!("[{a}] ~0-{w} [{b}]"), format!("[{b}] ~0-{w} [{a}]")]
}

/// Auxiliaries that carry a negation: "we do not", "we can not", "we are not".
const NEG_AUX: &str = "[do|does|did|can|could|will|would|should|am|is|are|was|were|have|has|had|shall|may|might|must]";

/// The patterns of a negated frame: SUBJECT does not / never VERB, and "not something
/// SUBJECT VERB" ("that is not something we handle").
pub fn negated_frame(subject: &str, verb: &str, window: u8) -> Vec<String> {
    let w = window;
    vec![
        format!("[{subject}] {NEG_AUX}? [not|never] ~0-{w} [{verb}]"),
        format!("[{subject}] {NEG_AUX}? no longer ~0-{w} [{verb}]"),
        format!("[not|nothing|never] [something|anything|a thing|one of the things|stuff|what|an area|a department]? [that|which]? [{subject}] ~0-2 [{verb}]"),
    ]
}

/// The patterns of a contrast frame: YES, not NO / not NO, YES / YES does, NO do not.
pub fn contrast_frame(yes: &str, no: &str) -> Vec<String> {
    vec![
        format!("[{yes}] ~0-8 , [and|but]? not [{no}]"),
        format!("[{yes}] ~0-8 [rather|instead] than [{no}]"),
        format!("^ not [{no}] , [but|it is|that is]? [{yes}]"),
        // Only where the clause ends at "not": "the bank decides, we don't." but not "the
        // bank approved it, I don't see a problem".
        format!("[{yes}] ~0-6 , [{no}] {NEG_AUX} not [$|,]"),
    ]
}

// ---------------------------------------------------------------------------------------
// Parsing

/// A parsed pattern, before classes and alternatives are expanded.
#[derive(Debug, Clone)]
enum Ast {
    Test(Test),
    Class(String),
    Group(Vec<Vec<Ast>>),
    Opt(Box<Ast>),
    Not(Box<Ast>),
    Gap(u8, u8),
    Start,
    End,
}

/// Word classes visible to a pattern: name → entries (each a small pattern).
pub type Classes = BTreeMap<String, Vec<String>>;

/// Compiles a pattern string into its flat sequences.
pub fn compile(src: &str, classes: &Classes) -> Result<Vec<Flat>, String> {
    let mut out = Vec::new();
    compile_into(src, classes, &mut out)?;
    Ok(out)
}

/// Appends freshly compiled sequences to `out` (taking them whole when `out` is empty).
fn append(out: &mut Vec<Flat>, fresh: Vec<Flat>) {
    if out.is_empty() {
        *out = fresh;
    } else {
        out.extend(fresh);
    }
}

/// `compile`, appending the sequences to `out` and returning how many: a precompiled
/// pattern's go straight into the engine's list, without a vector of their own.
pub fn compile_into(src: &str, classes: &Classes, out: &mut Vec<Flat>) -> Result<usize, String> {
    let before = out.len();
    if !precompiled_into(PRE_PATTERN, src, out) {
        append(out, compile_fresh(src, classes)?);
    }
    Ok(out.len() - before)
}

/// `compile_literal` appending to `out`, as `compile_into`.
pub fn compile_literal_into(src: &str, out: &mut Vec<Flat>) -> Result<usize, String> {
    let before = out.len();
    if !precompiled_into(PRE_LITERAL, src, out) {
        append(out, compile_literal_fresh(src)?);
    }
    Ok(out.len() - before)
}

/// `compile` of a pattern not in the precompiled table.
fn compile_fresh(src: &str, classes: &Classes) -> Result<Vec<Flat>, String> {
    // Packs repeat patterns across rules (a shared matcher, the same frame twice): within
    // one pack (its classes do not change) each pattern string compiles once.
    if !CACHING.with(std::cell::Cell::get) {
        return flatten(&parse(src)?, classes);
    }
    // Most patterns occur once: a pattern's sequences are kept (copied) only when it comes
    // a second time, so the common case pays no copy.
    let seen = PATTERN_CACHE.with(|c| match c.borrow().get(src) {
        Some(Some(hit)) => Err(hit.clone()),
        Some(None) => Ok(true),
        None => Ok(false),
    });
    let seen = match seen {
        Err(hit) => return Ok(hit),
        Ok(seen) => seen,
    };
    let flats = flatten(&parse(src)?, classes)?;
    let keep = seen.then(|| flats.clone());
    PATTERN_CACHE.with(|c| c.borrow_mut().insert(src.to_string(), keep));
    Ok(flats)
}

/// Compiles a literal phrase (no operators: every word and mark is matched as written).
pub fn compile_literal(src: &str) -> Result<Vec<Flat>, String> {
    let mut out = Vec::new();
    compile_literal_into(src, &mut out)?;
    Ok(out)
}

/// `compile_literal` of a phrase not in the precompiled table.
fn compile_literal_fresh(src: &str) -> Result<Vec<Flat>, String> {
    let mut toks = Tokens::default();
    toks.tokenize(src);
    if toks.is_empty() {
        return Err("empty phrase".into());
    }
    let ast: Vec<Ast> = (0..toks.len())
        .map(|i| Ast::Test(literal_test(&toks, i)))
        .collect();
    flatten(&ast, &Classes::new())
}

fn literal_test(toks: &Tokens, i: usize) -> Test {
    let w = toks.word(i);
    if toks.toks[i].kind == Kind::Punct {
        Test {
            puncts: vec![Word::Owned(w.into())],
            label: w.into(),
            ..Default::default()
        }
    } else {
        Test::word(w, w)
    }
}

fn flatten(ast: &[Ast], classes: &Classes) -> Result<Vec<Flat>, String> {
    let seqs = expand(ast, classes, 0)?;
    seqs.into_iter().map(Flat::new).collect()
}

fn parse(src: &str) -> Result<Vec<Ast>, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut p = Parser { c: &chars, i: 0 };
    let seq = p.seq(0)?;
    if p.i < chars.len() {
        return Err(format!("unexpected `{}`", chars[p.i]));
    }
    if seq.is_empty() {
        return Err("empty pattern".into());
    }
    Ok(seq)
}

struct Parser<'a> {
    c: &'a [char],
    i: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.c.get(self.i).copied()
    }

    /// A sequence up to `]`, `|` or the end.
    fn seq(&mut self, depth: usize) -> Result<Vec<Ast>, String> {
        let mut out = Vec::new();
        loop {
            while self.peek().is_some_and(char::is_whitespace) {
                self.i += 1;
            }
            match self.peek() {
                None | Some(']') | Some('|') => return Ok(out),
                _ => out.extend(self.atom(depth)?),
            }
        }
    }

    fn chunk(&mut self) -> String {
        let s = self.i;
        while self
            .peek()
            .is_some_and(|c| !c.is_whitespace() && !matches!(c, '[' | ']' | '|'))
        {
            self.i += 1;
        }
        self.c[s..self.i].iter().collect()
    }

    fn optional_mark(&mut self, a: Ast) -> Ast {
        if self.peek() == Some('?') {
            self.i += 1;
            Ast::Opt(Box::new(a))
        } else {
            a
        }
    }

    fn atom(&mut self, depth: usize) -> Result<Vec<Ast>, String> {
        if depth > 8 {
            return Err("brackets nested too deeply".into());
        }
        match self.peek() {
            Some('[') => {
                self.i += 1;
                let mut branches = vec![self.seq(depth + 1)?];
                while self.peek() == Some('|') {
                    self.i += 1;
                    branches.push(self.seq(depth + 1)?);
                }
                if self.peek() != Some(']') {
                    return Err("`[` without its closing `]`".into());
                }
                self.i += 1;
                if branches.iter().any(Vec::is_empty) {
                    return Err("empty alternative in `[...]`".into());
                }
                Ok(vec![self.optional_mark(Ast::Group(branches))])
            }
            // `!word` negates; a `!` before a space, `]` or `|` is the exclamation mark.
            Some('!')
                if self
                    .c
                    .get(self.i + 1)
                    .is_some_and(|c| !c.is_whitespace() && !matches!(c, ']' | '|')) =>
            {
                self.i += 1;
                let inner = self.atom(depth + 1)?;
                match inner.as_slice() {
                    [a] => Ok(vec![Ast::Not(Box::new(a.clone()))]),
                    _ => Err("`!` applies to one word or class".into()),
                }
            }
            _ => {
                let chunk = self.chunk();
                word_chunk(&chunk)
            }
        }
    }
}

/// A code or identifier (`#code`): four or more ASCII letters and digits, one a digit.
fn is_code(w: &str) -> bool {
    let b = w.as_bytes();
    b.len() >= 4 && b.iter().all(u8::is_ascii_alphanumeric) && b.iter().any(u8::is_ascii_digit)
}

/// One whitespace-separated chunk: `word`, `word~`, `pre*`, `word?`, `@class`, `~0-3`,
/// `^`, `$`, `#num`, `#code`, `*`, or marks.
fn word_chunk(chunk: &str) -> Result<Vec<Ast>, String> {
    match chunk {
        "^" => return Ok(vec![Ast::Start]),
        "$" => return Ok(vec![Ast::End]),
        "*" | "*?" => {
            let any = Ast::Test(Test {
                any: true,
                label: "*".into(),
                ..Default::default()
            });
            return Ok(vec![if chunk == "*?" {
                Ast::Opt(Box::new(any))
            } else {
                any
            }]);
        }
        "#num" => {
            return Ok(vec![Ast::Test(Test {
                num: true,
                label: "#num".into(),
                ..Default::default()
            })])
        }
        "#code" => {
            return Ok(vec![Ast::Test(Test {
                code: true,
                label: "#code".into(),
                ..Default::default()
            })])
        }
        _ => {}
    }
    if let Some(g) = chunk.strip_prefix('~') {
        if g.is_empty() {
            return Err("`~` needs a gap size, e.g. `~3` or `~1-4`".into());
        }
        let (min, max) = match g.split_once('-') {
            Some((a, b)) => (a, b),
            None => ("0", g),
        };
        let min: u8 = min
            .parse()
            .map_err(|_| format!("bad gap `{chunk}`: use `~N` or `~N-M`"))?;
        let max: u8 = max
            .parse()
            .map_err(|_| format!("bad gap `{chunk}`: use `~N` or `~N-M`"))?;
        if min > max || max > MAX_GAP {
            return Err(format!("bad gap `{chunk}`: need N <= M <= {MAX_GAP}"));
        }
        return Ok(vec![Ast::Gap(min, max)]);
    }
    let (body, opt) = match chunk.strip_suffix('?') {
        Some(b) if !b.is_empty() => (b, true),
        _ => (chunk, false),
    };
    let wrap = |a: Ast| if opt { Ast::Opt(Box::new(a)) } else { a };
    // `*?`, `#num?` and `#code?`: an optional any-word, number or code, not an optional
    // literal `*`.
    if let "*" | "#num" | "#code" = body {
        return Ok(word_chunk(body)?.into_iter().map(wrap).collect());
    }
    if let Some(name) = body.strip_prefix('@') {
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        {
            return Err(format!("bad class name `{body}`"));
        }
        return Ok(vec![wrap(Ast::Class(name.to_string()))]);
    }
    let (core, infl, prefix) = if let Some(c) = body.strip_suffix('~') {
        (c, true, false)
    } else if let Some(c) = body.strip_suffix('*').filter(|c| !c.is_empty()) {
        (c, false, true)
    } else {
        (body, false, false)
    };
    // The possessive token as the docs write it (`billing 's`); alone, the tokenizer would
    // read `'s` as a quote mark and the word `s`.
    if let "'s" | "\u{2019}s" = core {
        return Ok(vec![wrap(Ast::Test(Test::word("'s", "'s")))]);
    }
    // One token buffer per thread: a pack's word chunks number in the tens of thousands.
    CHUNK_TOKENS.with(|cell| {
        let toks = &mut *cell.borrow_mut();
        chunk_tests(chunk, core, infl, prefix, opt, toks, wrap)
    })
}

thread_local! {
    static CHUNK_TOKENS: RefCell<Tokens> = RefCell::new(Tokens::default());
}

/// The tests of a word chunk's words (`word_chunk` after its operators are read).
fn chunk_tests(
    chunk: &str,
    core: &str,
    infl: bool,
    prefix: bool,
    opt: bool,
    toks: &mut Tokens,
    wrap: impl Fn(Ast) -> Ast,
) -> Result<Vec<Ast>, String> {
    if matches!(core, "'s" | "\u{2019}s") {
        // The possessive token, as the tokenizer leaves it after a noun ("billing's" →
        // billing 's); alone, "'s" would read as a quote mark and an `s`.
        toks.tokenize("x's");
        toks.toks.remove(0);
    } else {
        toks.tokenize(core);
    }
    if toks.is_empty() {
        return Err(format!("`{chunk}` has no word in it"));
    }
    let n = toks.len();
    let mut seq = Vec::with_capacity(n);
    for i in 0..n {
        let w = toks.word(i);
        let last = i + 1 == n;
        let t = if last && infl {
            let mut t = Test {
                label: format!("{w}~").into(),
                ..Default::default()
            };
            for f in crate::lexicon::forms(w) {
                t.words.push(Word::Owned(f.into()));
            }
            if !t.words.iter().any(|x| &**x == w) {
                t.words.push(Word::Owned(w.into()));
            }
            t.finish();
            t
        } else if last && prefix {
            Test {
                prefixes: vec![Word::Owned(w.into())],
                label: format!("{w}*").into(),
                ..Default::default()
            }
        } else {
            literal_test(toks, i)
        };
        seq.push(Ast::Test(t));
    }
    if opt {
        if seq.len() == 1 {
            return Ok(vec![wrap(seq.pop().expect("one element"))]);
        }
        return Ok(vec![Ast::Opt(Box::new(Ast::Group(vec![seq])))]);
    }
    Ok(seq)
}

// ---------------------------------------------------------------------------------------
// Expansion

/// Expands classes, alternatives and optional groups into flat sequences.
fn expand(ast: &[Ast], classes: &Classes, depth: usize) -> Result<Vec<Vec<Elem>>, String> {
    // The alternatives of every element first, then each sequence built once (the last
    // element's alternatives vary fastest), rather than copying every prefix at each step.
    let mut parts: Vec<Vec<Vec<Elem>>> = Vec::with_capacity(ast.len());
    let mut total = 1usize;
    for a in ast {
        let alts = expand_one(a, classes, depth)?;
        total = total.saturating_mul(alts.len());
        if total > MAX_EXPANSIONS {
            return Err(format!(
                "pattern expands into more than {MAX_EXPANSIONS} sequences; split it into several patterns or use a single-word class"
            ));
        }
        parts.push(alts);
    }
    if total == 0 {
        return Ok(Vec::new());
    }
    let mut out = Vec::with_capacity(total);
    let mut at = vec![0usize; parts.len()];
    loop {
        let len = parts.iter().zip(&at).map(|(p, &i)| p[i].len()).sum();
        let mut seq = Vec::with_capacity(len);
        for (p, &i) in parts.iter().zip(&at) {
            seq.extend(p[i].iter().cloned());
        }
        out.push(seq);
        let mut k = parts.len();
        loop {
            if k == 0 {
                return Ok(out);
            }
            k -= 1;
            at[k] += 1;
            if at[k] < parts[k].len() {
                break;
            }
            at[k] = 0;
        }
    }
}

/// The alternatives one element can be: each a sequence of elements.
fn expand_one(a: &Ast, classes: &Classes, depth: usize) -> Result<Vec<Vec<Elem>>, String> {
    if depth > 8 {
        return Err("classes refer to each other too deeply (a cycle?)".into());
    }
    Ok(match a {
        Ast::Test(t) => vec![vec![Elem::Tok(Arc::new(t.clone()))]],
        Ast::Gap(a, b) => vec![vec![Elem::Gap(*a, *b)]],
        Ast::Start => vec![vec![Elem::Start]],
        Ast::End => vec![vec![Elem::End]],
        Ast::Class(name) => {
            let entries = classes
                .get(name)
                .ok_or_else(|| unknown_class(name, classes))?;
            if let Some(hit) =
                CLASS_CACHE.with(|c| c.borrow().get(&class_key(name, entries)).cloned())
            {
                return Ok(hit);
            }
            let mut branches = Vec::new();
            for e in entries {
                branches
                    .push(parse(e).map_err(|m| format!("in class `@{name}`, entry `{e}`: {m}"))?);
            }
            let mut alts = group(&branches, classes, depth + 1)?;
            for alt in &mut alts {
                let single = alt.len() == 1;
                for el in alt.iter_mut() {
                    if let Elem::Tok(t) | Elem::Opt(t) = el {
                        Arc::make_mut(t).label = if single {
                            format!("@{name}")
                        } else {
                            format!("@{name}:{}", t.label)
                        }
                        .into();
                    }
                }
            }
            CLASS_CACHE.with(|c| {
                c.borrow_mut()
                    .insert(class_key(name, entries), alts.clone())
            });
            alts
        }
        Ast::Group(branches) => group(branches, classes, depth + 1)?,
        Ast::Opt(inner) => {
            let alts = expand_one(inner, classes, depth + 1)?;
            let mut out = Vec::new();
            for alt in alts {
                match alt.as_slice() {
                    [Elem::Tok(t)] => out.push(vec![Elem::Opt(t.clone())]),
                    _ => out.push(alt),
                }
            }
            if out.iter().any(|a| !matches!(a.as_slice(), [Elem::Opt(_)])) {
                out.push(Vec::new());
            }
            out
        }
        Ast::Not(inner) => {
            let alts = expand_one(inner, classes, depth + 1)?;
            let mut t = Test::default();
            for alt in &alts {
                match alt.as_slice() {
                    [Elem::Tok(x)] => t.union(x),
                    _ => return Err("`!` applies only to single words".into()),
                }
            }
            t.negated = true;
            t.label = "!".into();
            vec![vec![Elem::Tok(Arc::new(t))]]
        }
    })
}

/// Expanded classes by `class_key`: each class's alternatives as element sequences.
type ClassCache = HashMap<(String, usize, usize), Vec<Vec<Elem>>, crate::lexicon::Fnv>;

thread_local! {
    /// Expanded classes, so a class used by many patterns is parsed and expanded once.
    static CLASS_CACHE: RefCell<ClassCache> = RefCell::new(HashMap::default());
}

/// A class's cache key: its name and the identity of its entry list, which lives (and does
/// not move) for as long as the pack that owns it is compiled; `clear_class_cache` runs
/// before each pack.
fn class_key(name: &str, entries: &[String]) -> (String, usize, usize) {
    (name.to_string(), entries.as_ptr() as usize, entries.len())
}

thread_local! {
    /// Compiled patterns of the pack being compiled, while `pack_cache(true)` is on: one
    /// pack's patterns all see the same classes.
    /// `None`: seen once, not kept (see `compile`).
    static PATTERN_CACHE: RefCell<HashMap<String, Option<Vec<Flat>>, crate::lexicon::Fnv>> =
        RefCell::new(HashMap::default());
    static CACHING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Starts (`true`) or ends (`false`) the compilation of one pack's patterns, all against
/// the same classes: a pattern string repeated within it compiles once.
pub fn pack_cache(on: bool) {
    clear_class_cache();
    use_precompiled(None);
    CACHING.with(|c| c.set(on));
}

/// Forgets expanded classes and compiled patterns.
pub fn clear_class_cache() {
    CLASS_CACHE.with(|c| c.borrow_mut().clear());
    PATTERN_CACHE.with(|c| c.borrow_mut().clear());
}

/// Alternatives: single-token branches merge into one test; longer ones stay separate.
fn group(branches: &[Vec<Ast>], classes: &Classes, depth: usize) -> Result<Vec<Vec<Elem>>, String> {
    let mut single: Option<Test> = None;
    let mut out = Vec::new();
    let mut empty = false;
    for b in branches {
        for alt in expand(b, classes, depth)? {
            match alt.as_slice() {
                [Elem::Tok(t)] if !t.negated => match &mut single {
                    Some(s) => s.union(t),
                    None => single = Some((**t).clone()),
                },
                [] => empty = true,
                _ => out.push(alt),
            }
        }
    }
    if let Some(mut s) = single {
        s.finish();
        if branches.len() > 1 && !s.label.starts_with('@') {
            let mut labels: Vec<String> = Vec::new();
            for b in branches {
                if let [Ast::Test(t)] = b.as_slice() {
                    labels.push(t.label.to_string());
                }
            }
            if !labels.is_empty() {
                s.label = format!("[{}]", labels.join("|")).into();
            }
        }
        out.insert(0, vec![Elem::Tok(Arc::new(s))]);
    }
    if empty {
        out.push(Vec::new());
    }
    Ok(out)
}

fn unknown_class(name: &str, classes: &Classes) -> String {
    let known: Vec<&str> = classes.keys().map(String::as_str).collect();
    let near = crate::pack::suggest::closest(name, known.iter().copied())
        .map(|k| format!(" (did you mean `@{k}`?)"))
        .unwrap_or_default();
    format!(
        "unknown class `@{name}`{near}; this pack defines: {}",
        if known.is_empty() {
            "no classes".to_string()
        } else {
            known.join(", ")
        }
    )
}

// ---------------------------------------------------------------------------------------
// Precompiled patterns of the built-in packs

/// What a precompiled entry was compiled with: `compile` or `compile_literal`.
pub const PRE_PATTERN: u8 = 0;
pub const PRE_LITERAL: u8 = 1;

/// Writes the compiled patterns of one pack into the compact form the binary embeds
/// (build.rs, for the built-in packs): every distinct test once (tests equal in every field,
/// label included, become one shared test: nothing compares tests by address but to skip
/// comparing them), every distinct string once, then every pattern string's sequences as
/// test indices. The binary then reads a built-in pack's patterns instead of parsing and
/// expanding them.
#[derive(Default)]
pub struct PrecompileWriter {
    /// Tests, each encoded as `u32` words: flags, label, then the counts and strings of
    /// words, prefixes and marks (a string is its index in `strings`).
    tests: Vec<u32>,
    test_offsets: Vec<u32>,
    by_ptr: HashMap<*const Test, u32>,
    by_content: HashMap<Vec<u32>, u32>,
    /// Keeps every written test alive, so that no address is reused for another test.
    alive: Vec<Arc<Test>>,
    strings: String,
    string_ranges: Vec<(u32, u32)>,
    string_ids: HashMap<String, u32>,
    entries: BTreeMap<Vec<u8>, Vec<u32>>,
    /// The sequences of every use of the entries (`add`'s `uses`): what the engine
    /// reserves room for.
    used_sequences: u64,
}

impl PrecompileWriter {
    fn string(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.string_ids.get(s) {
            return i;
        }
        let i = self.string_ranges.len() as u32;
        let at = self.strings.len() as u32;
        self.strings.push_str(s);
        self.string_ranges.push((at, s.len() as u32));
        self.string_ids.insert(s.to_string(), i);
        i
    }

    fn test(&mut self, t: &Arc<Test>) -> u32 {
        if let Some(&i) = self.by_ptr.get(&Arc::as_ptr(t)) {
            return i;
        }
        let mut rec = vec![
            u32::from(t.any)
                | u32::from(t.num) << 1
                | u32::from(t.negated) << 2
                | u32::from(t.code) << 3,
            self.string(&t.label),
        ];
        for list in [&t.words, &t.prefixes, &t.puncts] {
            rec.push(list.len() as u32);
            for w in list {
                let s = self.string(w);
                rec.push(s);
            }
        }
        let i = match self.by_content.get(&rec) {
            Some(&i) => i,
            None => {
                let i = self.test_offsets.len() as u32;
                self.test_offsets.push(self.tests.len() as u32);
                self.tests.extend_from_slice(&rec);
                self.by_content.insert(rec, i);
                i
            }
        };
        self.by_ptr.insert(Arc::as_ptr(t), i);
        self.alive.push(t.clone());
        i
    }

    /// An element as one word: the kind in the low 3 bits, then the test or the gap.
    fn elem(&mut self, e: &Elem) -> u32 {
        match e {
            Elem::Tok(t) => self.test(t) << 3,
            Elem::Opt(t) => self.test(t) << 3 | 1,
            Elem::Gap(a, b) => u32::from(*a) << 3 | u32::from(*b) << 11 | 2,
            Elem::Start => 3,
            Elem::End => 4,
        }
    }

    /// Records the sequences `src` compiles to (`kind`: `PRE_PATTERN` or `PRE_LITERAL`),
    /// which the pack names `uses` times.
    pub fn add(&mut self, kind: u8, src: &str, flats: &[Flat], uses: u32) {
        self.used_sequences += u64::from(uses) * flats.len() as u64;
        let mut key = vec![kind];
        key.extend_from_slice(src.as_bytes());
        if self.entries.contains_key(&key) {
            return;
        }
        let mut out = vec![flats.len() as u32];
        for f in flats {
            let a = self.test(&f.anchor_test);
            let elems = f.elems();
            out.extend([a, f.anchor, f.max_width, elems.len() as u32]);
            for e in elems {
                let e = self.elem(e);
                out.push(e);
            }
        }
        self.entries.insert(key, out);
    }

    /// The blob, all little-endian `u32` words but the text: `n_strings`, string ranges
    /// (offset into the text, length), `n_tests`, test offsets, the tests, `n_entries`, the
    /// entry index (key offset and length into the text, record offset; sorted by key), the
    /// records, the sequences of all uses (`used_sequences`), then the text (strings and
    /// keys).
    pub fn finish(mut self) -> Vec<u8> {
        let entries = std::mem::take(&mut self.entries);
        let mut keys = Vec::new();
        for key in entries.keys() {
            let at = self.strings.len() as u32;
            // Keys are a kind byte and a pattern string: valid UTF-8 together.
            self.strings
                .push_str(std::str::from_utf8(key).expect("keys are text"));
            keys.push((at, key.len() as u32));
        }
        let mut w: Vec<u32> = vec![self.string_ranges.len() as u32];
        for (a, n) in &self.string_ranges {
            w.extend([*a, *n]);
        }
        w.push(self.test_offsets.len() as u32);
        let tests_at = w.len() + self.test_offsets.len();
        w.extend(self.test_offsets.iter().map(|o| o + tests_at as u32));
        w.extend_from_slice(&self.tests);
        w.push(entries.len() as u32);
        let index_at = w.len();
        w.resize(index_at + 3 * entries.len(), 0);
        for (i, rec) in entries.values().enumerate() {
            w[index_at + 3 * i] = keys[i].0;
            w[index_at + 3 * i + 1] = keys[i].1;
            w[index_at + 3 * i + 2] = w.len() as u32;
            w.extend_from_slice(rec);
        }
        w.push(u32::try_from(self.used_sequences).unwrap_or(u32::MAX));
        let mut out = Vec::with_capacity(4 + 4 * w.len() + self.strings.len());
        out.extend_from_slice(&(w.len() as u32).to_le_bytes());
        for x in w {
            out.extend_from_slice(&x.to_le_bytes());
        }
        out.extend_from_slice(self.strings.as_bytes());
        out
    }
}

/// A built-in pack's precompiled patterns (`PrecompileWriter`), read in place: a test is
/// built on its first use and then shared, a sequence's elements on their first use.
pub(crate) struct Table {
    /// The `u32` words of the blob (little-endian).
    words: &'static [u8],
    /// The blob's length in bytes (with its address, its key in `Table::of`).
    len: usize,
    text: &'static str,
    tests: Vec<std::sync::OnceLock<Arc<Test>>>,
    /// Where the test offsets and the entry index start in `words`.
    tests_at: usize,
    index_at: usize,
    n_entries: usize,
}

impl std::fmt::Debug for Table {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Table")
    }
}

impl Table {
    fn new(blob: &'static [u8]) -> Option<Table> {
        let (words, text) = blob_parts(blob)?;
        let text = std::str::from_utf8(text).ok()?;
        let mut t = Table {
            words,
            len: blob.len(),
            text,
            tests: Vec::new(),
            tests_at: 0,
            index_at: 0,
            n_entries: 0,
        };
        let n_strings = t.w(0);
        let n_tests = t.w(1 + 2 * n_strings);
        let tests_at = 2 + 2 * n_strings;
        let n_entries_at = if n_tests == 0 {
            tests_at
        } else {
            // The tests end where the entry count is: after the last test's record.
            let mut at = t.w(tests_at + n_tests - 1) + 2;
            for _ in 0..3 {
                at += 1 + t.w(at);
            }
            at
        };
        t.n_entries = t.w(n_entries_at);
        t.index_at = n_entries_at + 1;
        t.tests_at = tests_at;
        t.tests = (0..n_tests).map(|_| std::sync::OnceLock::new()).collect();
        Some(t)
    }

    /// The table of `blob`, read once per process and kept: its sequences point into it
    /// by reference (a reference count per sequence, 69,000 of them, was an atomic add
    /// each at every start), and the engines of one process share its tests.
    fn of(blob: &'static [u8]) -> Option<&'static Table> {
        static TABLES: std::sync::Mutex<Vec<(usize, &'static Table)>> =
            std::sync::Mutex::new(Vec::new());
        let mut tables = TABLES.lock().unwrap_or_else(|e| e.into_inner());
        let key = blob.as_ptr() as usize;
        if let Some(&(_, t)) = tables
            .iter()
            .find(|(k, t)| *k == key && t.len == blob.len())
        {
            return Some(t);
        }
        let t: &'static Table = Box::leak(Box::new(Table::new(blob)?));
        tables.push((key, t));
        Some(t)
    }

    /// Word `i`.
    #[inline]
    fn w(&self, i: usize) -> usize {
        let b = &self.words[4 * i..4 * i + 4];
        u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize
    }

    fn string(&self, i: usize) -> &'static str {
        let at = 1 + 2 * i;
        let (a, n) = (self.w(at), self.w(at + 1));
        &self.text[a..a + n]
    }

    fn strings(&self, at: &mut usize) -> Vec<Word> {
        let n = self.w(*at);
        let out = (*at + 1..*at + 1 + n)
            .map(|k| Word::Borrowed(self.string(self.w(k))))
            .collect();
        *at += 1 + n;
        out
    }

    fn test(&self, i: usize) -> Arc<Test> {
        self.test_ref(i).clone()
    }

    /// Test `i`, built on first use.
    fn test_ref(&self, i: usize) -> &Arc<Test> {
        self.tests[i].get_or_init(|| {
            let mut at = self.w(self.tests_at + i);
            let flags = self.w(at);
            let label = self.string(self.w(at + 1)).into();
            at += 2;
            Arc::new(Test {
                any: flags & 1 != 0,
                num: flags & 2 != 0,
                negated: flags & 4 != 0,
                code: flags & 8 != 0,
                label,
                words: self.strings(&mut at),
                prefixes: self.strings(&mut at),
                puncts: self.strings(&mut at),
                ..Default::default()
            })
        })
    }

    /// The entry of `src`, when it was precompiled: its record's offset.
    fn find(&self, kind: u8, src: &str) -> Option<usize> {
        let want = (kind, src.as_bytes());
        let (mut lo, mut hi) = (0, self.n_entries);
        while lo < hi {
            let mid = (lo + hi) / 2;
            let e = self.index_at + 3 * mid;
            let (k, n) = (self.w(e), self.w(e + 1));
            let key = &self.text.as_bytes()[k..k + n];
            match (key[0], &key[1..]).cmp(&want) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(self.w(e + 2)),
            }
        }
        None
    }

    /// Appends the sequences of the record at `at` to `flats`, their elements left to be
    /// read on first use.
    fn flats_into(&'static self, mut at: usize, flats: &mut Vec<Flat>) {
        let n = self.w(at);
        at += 1;
        flats.reserve(n);
        for _ in 0..n {
            flats.push(Flat {
                anchor_test: self.test(self.w(at)),
                anchor: self.w(at + 1) as u32,
                max_width: self.w(at + 2) as u32,
                elems: std::sync::OnceLock::new(),
                stored: Some((self, (at + 3) as u32)),
            });
            at += 4 + self.w(at + 3);
        }
    }

    /// The elements of a sequence, stored at `at` (their count, then each element).
    fn elems(&self, at: usize) -> Vec<Elem> {
        let len = self.w(at);
        (at + 1..at + 1 + len)
            .map(|k| {
                let w = self.w(k);
                match w & 7 {
                    0 => Elem::Tok(self.test(w >> 3)),
                    1 => Elem::Opt(self.test(w >> 3)),
                    2 => Elem::Gap((w >> 3) as u8, (w >> 11) as u8),
                    3 => Elem::Start,
                    _ => Elem::End,
                }
            })
            .collect()
    }
}

thread_local! {
    /// The precompiled patterns of the built-in pack being compiled (`use_precompiled`).
    static PRECOMPILED: RefCell<Option<&'static Table>> = const { RefCell::new(None) };
    /// Patterns compiled while a precompiled table was in use but not found in it.
    static PRECOMPILED_MISSES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Makes `compile` and `compile_literal` read the patterns of the pack about to be compiled
/// from `blob` (build.rs, built-in packs only), or stop doing so (`None`). The blob must
/// come from the same pack text and classes: build.rs writes both from one YAML file.
pub fn use_precompiled(blob: Option<&'static [u8]>) {
    PRECOMPILED.with(|p| *p.borrow_mut() = blob.and_then(Table::of));
}

/// A `PrecompileWriter` blob's `u32` words and its text (the count of words comes first).
fn blob_parts(blob: &[u8]) -> Option<(&[u8], &[u8])> {
    let n = u32::from_le_bytes(blob.get(..4)?.try_into().ok()?) as usize;
    Some((blob.get(4..4 + 4 * n)?, &blob[4 + 4 * n..]))
}

/// How many sequences a precompiled pack's uses of its pattern strings compile to (its
/// `PrecompileWriter` blob's last word; 0 without one or for a blob too short to hold it):
/// room the engine reserves before compiling the packs. Read without building the table.
pub fn precompiled_sequences(blob: Option<&[u8]>) -> usize {
    blob.and_then(blob_parts)
        .and_then(|(words, _)| words.len().checked_sub(4).map(|at| &words[at..]))
        .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
}

/// How many patterns were compiled, while a precompiled table was in use, because the
/// table lacked them (tests: the built-in packs should have none).
pub fn precompiled_misses() -> usize {
    PRECOMPILED_MISSES.with(std::cell::Cell::get)
}

/// Appends the precompiled sequences of `src` to `out`: whether the table held it (a miss
/// is counted).
fn precompiled_into(kind: u8, src: &str, out: &mut Vec<Flat>) -> bool {
    PRECOMPILED.with(|p| {
        let Some(table): Option<&'static Table> = *p.borrow() else {
            return false;
        };
        match table.find(kind, src) {
            Some(at) => {
                table.flats_into(at, out);
                true
            }
            None => {
                PRECOMPILED_MISSES.with(|m| m.set(m.get() + 1));
                false
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_words_rank_by_frequency_below_every_other_word() {
        let mut sorted = COMMON.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), COMMON.len(), "a word is listed twice");
        assert!(word_rarity("the") < word_rarity("please"));
        assert!(word_rarity("please") < word_rarity("yes"));
        assert!(word_rarity("yes") < word_rarity("refund"));
        assert!(word_rarity("'s") < word_rarity("refund"));
    }

    fn matches(pattern: &str, text: &str) -> Option<String> {
        let mut classes = Classes::new();
        classes.insert(
            "third_party".into(),
            vec!["billing".into(), "courier".into(), "warehouse team".into()],
        );
        classes.insert("us".into(), vec!["we".into(), "us".into()]);
        let flats = compile(pattern, &classes).unwrap();
        let mut toks = Tokens::default();
        toks.tokenize(text);
        for f in &flats {
            for k in 0..toks.len() {
                if let Some((s, e)) = f.verify(&toks, k) {
                    let (a, b) = (toks.toks[s].start as usize, toks.toks[e - 1].end as usize);
                    return Some(text[a..b].to_string());
                }
            }
        }
        None
    }

    #[test]
    fn words_classes_gaps_and_options() {
        assert_eq!(
            matches("sorry if you", "I'm Sorry, if you say so").as_deref(),
            Some("Sorry, if you")
        );
        assert_eq!(
            matches("@third_party ~0-3 handle~", "billing handles refunds").as_deref(),
            Some("billing handles")
        );
        assert_eq!(
            matches(
                "@third_party ~0-3 handle~",
                "The warehouse team usually handled it"
            )
            .as_deref(),
            Some("warehouse team usually handled")
        );
        assert!(matches(
            "@third_party ~0-1 handle~",
            "billing, as you know, handles it"
        )
        .is_none());
        assert_eq!(
            matches("you typed? wrong", "you wrong").as_deref(),
            Some("you wrong")
        );
        assert_eq!(
            matches("we do not deal~ with", "We don't deal with that").as_deref(),
            Some("We don't deal with")
        );
        assert!(
            matches("sorry ~0-5 but", "I'm sorry. But").is_none(),
            "gaps stop at sentence ends"
        );
        assert_eq!(
            matches("frustrat*", "so FRUSTRATING").as_deref(),
            Some("FRUSTRATING")
        );
        assert_eq!(matches("^ no", "No. We can't").as_deref(), Some("No"));
        assert!(matches("^ no", "there is no way").is_none());
        assert_eq!(
            matches("sorry !if", "sorry about that").as_deref(),
            Some("sorry about")
        );
        assert!(matches("sorry !if", "sorry if").is_none());
        assert_eq!(
            matches("[not us|@third_party] , not @us", "billing, not us").as_deref(),
            Some("billing, not us")
        );
        assert_eq!(
            matches("the * 's fault", "It's the courier's fault").as_deref(),
            Some("the courier's fault")
        );
        assert_eq!(
            matches("* 's? fault", "It is billing fault").as_deref(),
            Some("billing fault")
        );
        assert!(matches("the * 's fault", "the courier s fault").is_none());
        assert_eq!(
            matches("is the *? fault", "it is the fault").as_deref(),
            Some("is the fault")
        );
        assert_eq!(
            matches("is the *? fault", "it is the bank fault").as_deref(),
            Some("is the bank fault")
        );
        assert_eq!(
            matches("after #num? days", "after 3 days").as_deref(),
            Some("after 3 days")
        );
        assert_eq!(
            matches("why ~0-8 ? ?", "why is it late??").as_deref(),
            Some("why is it late??")
        );
        // `*?` is an optional word, not a literal star.
        assert_eq!(
            matches("try another *? then", "try another shop then").as_deref(),
            Some("try another shop then")
        );
        assert_eq!(
            matches("try another *? then", "try another, then").as_deref(),
            Some("try another, then")
        );
        // Marks as alternatives: `!` before `|` or `]` is the exclamation mark.
        assert_eq!(
            matches("it happens [.|!]", "Well it happens!").as_deref(),
            Some("it happens!")
        );
        assert_eq!(
            matches("it happens [!|.]", "it happens.").as_deref(),
            Some("it happens.")
        );
        assert!(matches("it happens [.|!]", "it happens?").is_none());
    }

    #[test]
    fn find_in_sees_a_match_whose_anchor_lies_past_the_range() {
        let flats = compile("can not ~0-4 zebrafish", &Classes::new()).unwrap();
        let mut toks = Tokens::default();
        toks.tokenize("We can't feed the zebrafish today");
        // Anchored at the rare word "zebrafish" (token 5), starting at "can" (token 1).
        assert_eq!(flats[0].find_in(&toks, 0, 3), vec![(1, 6)]);
        assert_eq!(flats[0].find_in(&toks, 2, 3), vec![]);
    }

    #[test]
    fn a_lone_possessive_s_is_the_possessive_token() {
        assert_eq!(
            matches("@third_party 's been down", "Billing's been down all day").as_deref(),
            Some("Billing's been down")
        );
        assert_eq!(
            matches("courier 's [fault|job]", "It's the courier\u{2019}s job").as_deref(),
            Some("courier\u{2019}s job")
        );
        assert!(matches("courier 's", "the courier s").is_none());
    }

    #[test]
    fn an_exclamation_mark_inside_alternatives_is_a_mark() {
        assert_eq!(
            matches("why ~0-8 ? [?|!]", "why is it late?!").as_deref(),
            Some("why is it late?!")
        );
        assert_eq!(
            matches(", sorry [.|!|$]", "I asked twice, sorry!").as_deref(),
            Some(", sorry!")
        );
        assert!(matches(", sorry [.|!]", "I asked twice, sorry about it").is_none());
        assert!(matches("sorry [!|?]", "sorry.").is_none());
    }

    #[test]
    fn find_in_finds_matches_whose_anchor_lies_past_the_window() {
        let flats = compile("the zygote", &Classes::new()).unwrap();
        let f = &flats[0];
        assert_eq!(f.anchor, 1, "anchored at the rare word");
        let mut toks = Tokens::default();
        toks.tokenize("see the zygote now");
        assert_eq!(
            f.find_in(&toks, 0, 2),
            vec![(1, 3)],
            "starts at 1, anchor at 2"
        );
        assert!(
            f.find_in(&toks, 2, 4).is_empty(),
            "starts before the window"
        );
    }

    #[test]
    fn codes_are_identifiers_of_letters_and_digits() {
        for (text, want) in [
            ("order SK4471203 came", Some("order SK4471203")),
            ("order #88213 came", Some("order #88213")),
            ("order K7XQ2M came", Some("order K7XQ2M")),
            ("order 4410", Some("order 4410")),
            ("order 123 came", None),
            ("order 1,000 came", None),
            ("order came", None),
            ("order today", None),
        ] {
            assert_eq!(matches("order #code", text).as_deref(), want, "{text}");
        }
        assert_eq!(
            matches("pnr #code? please", "PNR please").as_deref(),
            Some("PNR please")
        );
    }

    #[test]
    fn optional_any_word_and_number() {
        assert_eq!(
            matches("thanks *? for", "Thanks Sam, for the photo").as_deref(),
            Some("Thanks Sam, for")
        );
        assert_eq!(
            matches("thanks *? for", "thanks for it").as_deref(),
            Some("thanks for")
        );
        assert!(matches("thanks *? for", "thanks a lot for").is_none());
        assert_eq!(
            matches("wait #num? minutes", "wait 5 minutes").as_deref(),
            Some("wait 5 minutes")
        );
        assert_eq!(
            matches("wait #num? minutes", "wait minutes").as_deref(),
            Some("wait minutes")
        );
    }

    #[test]
    fn the_possessive_is_written_apart() {
        assert_eq!(
            matches("billing 's fault", "It's billing's fault").as_deref(),
            Some("billing's fault")
        );
        assert_eq!(
            matches("billing 's? fault", "a billing fault").as_deref(),
            Some("billing fault")
        );
    }

    #[test]
    fn marks_are_alternatives_in_brackets() {
        assert_eq!(
            matches("^ sorry [.|!]", "Sorry! Fixed").as_deref(),
            Some("Sorry!")
        );
        assert_eq!(
            matches("^ sorry [!|.]", "Sorry. Fixed").as_deref(),
            Some("Sorry.")
        );
        assert!(matches("^ sorry [.|!]", "Sorry? What?").is_none());
        assert!(
            matches("sorry [!|!if]", "sorry about").is_some(),
            "`!if` still negates"
        );
    }

    #[test]
    fn bad_patterns_say_why() {
        let c = Classes::new();
        assert!(compile("~2 sorry", &c).unwrap_err().contains("gap"));
        assert!(compile("[a|b", &c).unwrap_err().contains("`]`"));
        assert!(compile("@nope", &c).unwrap_err().contains("unknown class"));
        assert!(compile("* *", &c).unwrap_err().contains("anchor"));
        assert!(compile("~1-99 x", &c).is_err());
    }
}
