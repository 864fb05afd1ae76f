//! The compiled rule set. Every rule's patterns are anchored at their rarest required word;
//! the patterns with one anchor test form a group (src/group.rs). A transcript's turns are
//! tokenised once each (the tokenizer normalises contractions, spelling variants and case,
//! and hashes each word); each word is looked up once among the anchors of all rules, and
//! the groups anchored there are verified token by token around it, so the cost of a rule is
//! the length of the attempted match. Regexes (the escape hatch) run only on turns holding a
//! literal they require, found by one aho-corasick pass over the transcript. Rule kinds then
//! judge the hits.
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::sync::OnceLock;

use crate::finding::{Finding, RuleInfo, Severity};
use crate::group::{Group, GroupScratch};
use crate::pack::{self, Locator, MatcherDef, PackError, PackSource, WindowDef};
use crate::pattern::{self, Classes, Flat};
pub use crate::pattern::{contrast_frame, negated_frame};
use crate::rules::sentiment::ConditionHits;
use crate::rules::{self, RuleCommon, RuleError, RuleKind};
use crate::sentiment::TurnSentiment;
use crate::tokens::Tokens;
use crate::transcript::Transcript;

pub type MatcherId = u32;

/// One place where a matcher matched: byte offsets into the turn's original text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Hit {
    pub matcher: MatcherId,
    pub turn: u32,
    pub start: u32,
    pub end: u32,
}

/// A regex's claim on an automaton entry: run regex `regex` on the turn.
#[derive(Debug, Clone, Copy)]
struct Trigger {
    regex: u32,
    word_start: bool,
    word_end: bool,
}

/// Where the pattern groups are anchored, looked up once per word of a turn: the tokenizer
/// has already normalised the word (contractions, spelling variants, case) and hashed it, so
/// one look-up finds every group whose anchor test lists it.
#[derive(Debug, Default)]
struct Anchors {
    /// Word hash → the anchor words with that hash (two words with one hash stay apart).
    /// (The map gives the run of `list` holding them: start and length.)
    words: HashMap<u64, (u32, u32), crate::lexicon::PreHashed>,
    list: Vec<Anchor>,
    /// First byte → the anchor prefixes starting with it: empty, or 256 lists.
    prefixes: Vec<Vec<Anchor>>,
}

/// An anchor word or prefix and the groups anchored at it.
#[derive(Debug)]
struct Anchor {
    /// `text` for the look-up's comparison (`lexicon::WordKey`), kept beside the groups.
    key: crate::lexicon::WordKey,
    text: Box<str>,
    groups: Box<[u32]>,
    /// Which of `groups` an occurrence in a turn of each role (`role_bit`'s order: agent,
    /// customer, other) wakes, by its neighbour words; built on first use. A group that does
    /// not read the turn's role is left out here rather than tested per occurrence: on the
    /// dense and real samples 43% of the groups an anchor woke were of the other role.
    /// (Boxed: three `Wakes` inline made each anchor ~430 bytes, and building the anchor
    /// table moved them about.)
    wakes: [OnceLock<Box<Wakes>>; 3],
}

/// The groups of an `Anchor` split by what wakes them (`Group::neighbours`): a group none
/// of whose members is verified at every occurrence is verified only when a word next to
/// the anchor is one a member needs there (most occurrences of a common anchor wake none).
#[derive(Debug, Default)]
struct Wakes {
    always: Vec<u32>,
    next: crate::group::Keyed,
    prev: crate::group::Keyed,
}

impl Anchor {
    fn new(text: &str, groups: Vec<u32>) -> Anchor {
        Anchor {
            key: crate::lexicon::WordKey::of(text),
            text: text.into(),
            groups: groups.into_boxed_slice(),
            wakes: Default::default(),
        }
    }

    /// Appends to `woke` the groups this occurrence (token `k`, in a turn of role `role`, a
    /// `role_bit`) may wake.
    #[inline]
    fn wake(&self, m: &Matchers, toks: &Tokens, k: usize, role: u8, woke: &mut Vec<u32>) {
        let w = self.wakes[role.trailing_zeros() as usize].get_or_init(|| {
            let mut always = Vec::new();
            let (mut next, mut prev) = (Vec::new(), Vec::new());
            for &gi in self.groups.iter() {
                if m.gates[gi as usize].reads & role == 0 {
                    continue;
                }
                let n = m.groups[gi as usize].neighbours(&m.flats);
                if n.always {
                    always.push(gi);
                }
                next.extend(n.next.iter().map(|&h| (h, gi)));
                prev.extend(n.prev.iter().map(|&h| (h, gi)));
            }
            Box::new(Wakes {
                always,
                next: crate::group::Keyed::new(next),
                prev: crate::group::Keyed::new(prev),
            })
        });
        woke.extend_from_slice(&w.always);
        for (map, nb) in [(&w.next, toks.next_word(k)), (&w.prev, toks.prev_word(k))] {
            let Some(nb) = nb.filter(|_| !map.is_empty()) else {
                continue;
            };
            let tok = &toks.toks[nb];
            let alt = tok.alt.map(|_| tok.alt_hash);
            for h in std::iter::once(tok.hash).chain(alt) {
                woke.extend_from_slice(map.get(h));
            }
        }
    }
}

impl Anchors {
    fn new(groups: &[Group]) -> Anchors {
        // One run of `list` per word hash, within it one anchor per word (in order), each
        // with its groups in order. The (run, group, word) entries are put in run order by
        // counting, not sorted: groups are visited in order, so each run's groups come out
        // in order (sorting the ~15,000 entries was half of building this table).
        let mut out = Anchors::default();
        let n: usize = groups.iter().map(|g| g.anchor().words.len()).sum();
        out.words.reserve(n / 2);
        let mut entries: Vec<(u32, u32, &str)> = Vec::with_capacity(n);
        let mut runs: Vec<u32> = Vec::new();
        let mut prefixes: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        for (gi, g) in groups.iter().enumerate() {
            let t = g.anchor();
            // Emoji anchors (`Test::anchors_on_symbols`) are looked up like words.
            let symbols = t.puncts.iter().filter(|_| t.anchors_on_symbols());
            for w in t.words.iter().chain(symbols) {
                let next = runs.len() as u32;
                let run = out
                    .words
                    .entry(crate::lexicon::word_hash(w))
                    .or_insert((next, 0))
                    .0;
                if run == next {
                    runs.push(0);
                }
                runs[run as usize] += 1;
                entries.push((run, gi as u32, w));
            }
            for p in t.prefixes.iter().filter(|p| !p.is_empty()) {
                prefixes.entry(p).or_default().push(gi as u32);
            }
        }
        // Each run's first entry, then the entries in run order (stable: groups in order).
        let mut at = 0u32;
        for n in runs.iter_mut() {
            (*n, at) = (at, at + *n);
        }
        let mut sorted: Vec<(u32, &str)> = vec![(0, ""); entries.len()];
        for &(run, gi, w) in &entries {
            let slot = &mut runs[run as usize];
            sorted[*slot as usize] = (gi, w);
            *slot += 1;
        }
        // `runs[r]` is now the end of run `r`.
        let mut run_at: Vec<(u32, u32)> = Vec::with_capacity(runs.len());
        out.list.reserve(entries.len());
        let mut from = 0usize;
        for &end in &runs {
            let of_hash = &mut sorted[from..end as usize];
            from = end as usize;
            let at = out.list.len() as u32;
            // (Words of one pack's table share their text: equal addresses first.)
            let first = of_hash[0].1;
            let same = |w: &str| std::ptr::eq(w, first) || w == first;
            if !of_hash.iter().all(|x| same(x.1)) {
                // Two words with one hash: words in order, each with its groups in order.
                of_hash.sort_by(|a, b| a.1.cmp(b.1));
            }
            for of_word in of_hash.chunk_by(|a, b| std::ptr::eq(a.1, b.1) || a.1 == b.1) {
                let gs: Vec<u32> = of_word.iter().map(|x| x.0).collect();
                out.list.push(Anchor::new(of_word[0].1, gs));
            }
            run_at.push((at, out.list.len() as u32 - at));
        }
        for v in out.words.values_mut() {
            *v = run_at[v.0 as usize];
        }
        if !prefixes.is_empty() {
            out.prefixes.resize_with(256, Vec::new);
            for (p, gs) in prefixes {
                out.prefixes[p.as_bytes()[0] as usize].push(Anchor::new(p, gs));
            }
        }
        out
    }

    /// Appends to `woke` the groups anchored at token `k` (in a turn of role `role`, a
    /// `role_bit`) that read that role and that its neighbour words may wake, each once.
    #[inline]
    fn wake(&self, m: &Matchers, toks: &Tokens, k: usize, role: u8, woke: &mut Vec<u32>) {
        let t = &toks.toks[k];
        let w = toks.text(t);
        if t.kind == crate::tokens::Kind::Punct && w.is_ascii() {
            // Only marks outside ASCII (emoji) can anchor.
            return;
        }
        let alt = t.alt.map(|a| (t.alt_hash, a));
        for (h, w) in std::iter::once((t.hash, w)).chain(alt) {
            let run = self
                .words
                .get(&h)
                .map_or(0..0, |&(at, n)| at as usize..(at + n) as usize);
            for a in &self.list[run] {
                if a.key.is(w).unwrap_or_else(|| *a.text == *w) {
                    a.wake(m, toks, k, role, woke);
                }
            }
        }
        if let Some(ps) = w
            .as_bytes()
            .first()
            .and_then(|&b| self.prefixes.get(b as usize))
        {
            for a in ps {
                if w.starts_with(&*a.text) {
                    a.wake(m, toks, k, role, woke);
                }
            }
        }
        if woke.len() > 1 {
            // A group may be woken by its anchor's word and a neighbour, or twice.
            woke.sort_unstable();
            woke.dedup();
        }
    }

    /// Every anchor word and prefix with its groups, words first, each in order.
    fn all(&self) -> Vec<(&str, &[u32], bool)> {
        let mut out: Vec<(&str, &[u32], bool)> = self
            .list
            .iter()
            .map(|a| (&*a.text, &*a.groups, false))
            .collect();
        out.sort_unstable();
        let mut ps: Vec<(&str, &[u32], bool)> = self
            .prefixes
            .iter()
            .flatten()
            .map(|a| (&*a.text, &*a.groups, true))
            .collect();
        ps.sort_unstable();
        out.extend(ps);
        out
    }
}

/// A literal every match of a regex contains, with the word boundaries the regex puts
/// around it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Literal {
    text: String,
    word_start: bool,
    word_end: bool,
}

/// Where a flat pattern came from, for `rules trace`.
#[derive(Debug, Clone)]
pub struct Origin {
    pub matcher: MatcherId,
    /// A match of the matcher, or of one of its exclusions.
    pub role: Role,
    /// `pattern: sorry if @you`, `phrase: i am sorry`, `negated: ...`; shared by the
    /// sequences of one source (a pattern can expand into hundreds).
    pub source: Arc<str>,
}

/// What a flat pattern's match means for its matcher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    Match,
    /// An `except` pattern: a match it overlaps is dropped.
    Except,
    /// A `not_near` pattern: a match within its distance is dropped.
    NotNear,
}

/// Exclusions of one matcher. Their flat patterns are anchored like the matches (role
/// `Except` / `NotNear`), so a turn's exclusion matches come from the same pass as its
/// matches; these lists of them serve `rules trace`.
#[derive(Debug, Default)]
struct Extras {
    /// Each sequence's pattern and its index in `Matchers::flats`.
    except: Vec<(Arc<str>, u32)>,
    not_near: Vec<(Arc<str>, u32)>,
    within: usize,
}

/// Collects the patterns and regexes of all matchers while packs are compiled.
#[derive(Default)]
pub struct MatcherBuilder {
    /// Matchers of the current pack with their definition (`add`).
    shared: Vec<(MatcherDef, MatcherId)>,
    /// Per matcher, the matcher its hits count for: itself, or the matcher whose `any_of`
    /// it is an alternative of.
    report_as: Vec<MatcherId>,
    flats: Vec<Flat>,
    origins: Vec<Origin>,
    extras: Vec<Extras>,
    regexes: Vec<String>,
    regex_index: HashMap<String, usize>,
    /// `regexes`, each compiled on its first use.
    compiled: Vec<LazyRegex>,
    regex_targets: Vec<Vec<MatcherId>>,
    /// Sentiment conditions, by matcher (ascending).
    conditions: Vec<rules::SentimentCondition>,
    count: MatcherId,
    /// Per matcher, the roles (`role_bit`) of the turns some rule reads its hits in
    /// (`read_in`); a matcher no rule named is read in every turn.
    reads: Vec<u8>,
    /// Per matcher, which of its hits its rules read (`read_first`).
    needs: Vec<Needs>,
}

/// Which hits of a matcher its rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Needs {
    /// No rule said (every hit is found).
    #[default]
    Unsaid,
    All,
    /// Only those up to the end of the first turn of a `when` role that a later turn of a
    /// `by` role follows (a `conditional` rule with `trigger: first`: the first complaint
    /// the agent had a chance to answer). Role masks as `role_bit`.
    FirstAnswered {
        when: u8,
        by: u8,
    },
    /// Only those in the first `within` turns of a `by` role after the first answered hit of
    /// matcher `trigger` (read `FirstAnswered`), and in every turn before it: a `conditional`
    /// rule's `expect` after a first trigger.
    Answers {
        trigger: MatcherId,
        within: u32,
        by: u8,
    },
    /// Only those in turns holding a hit of matcher `of` (a rule's `unless`, asked only
    /// whether it excuses such a hit).
    Beside {
        of: MatcherId,
    },
}

/// In a `Gate`'s `first`, `answer` or `beside`: no such limit.
const UNGATED: u32 = u32::MAX;

/// In a `Gate`'s `beside`: an exclusion group, verified where matcher `x & !OWN` itself
/// (not the matcher it reports as) matched.
const OWN: u32 = 1 << 31;

/// Where the scan verifies a group (all its members' matchers are read alike; see
/// `Needs`). Groups are keyed by their gate as well as their anchor test.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Gate {
    /// The roles (`role_bit`) of the turns it is verified in.
    reads: u8,
    /// Its matcher's index in `Matchers::firsts`: it stops at that matcher's first
    /// answered hit.
    first: u32,
    /// Its matcher's index in `Matchers::answers`: it stops after the answers to a first
    /// trigger.
    answer: u32,
    /// The matcher beside whose hits alone it is verified, after the turn's other groups
    /// (`OWN | m` for an exclusion of matcher `m`).
    beside: u32,
}

/// A turn's role as a bit of a matcher's `reads` mask.
fn role_bit(r: crate::transcript::Role) -> u8 {
    match r {
        crate::transcript::Role::Agent => 1,
        crate::transcript::Role::Customer => 2,
        crate::transcript::Role::Other => 4,
    }
}

/// The roles a speaker selection reads, as `role_bit`s.
fn speaker_bits(sel: pack::SpeakerSel) -> u8 {
    match sel {
        pack::SpeakerSel::Agent => 1,
        pack::SpeakerSel::Customer => 2,
        pack::SpeakerSel::Any => 7,
    }
}

/// Why a matcher could not be compiled; `needle` is text to point the error at.
#[derive(Debug)]
pub struct MatcherError {
    pub needle: Option<String>,
    pub message: String,
}

fn merr(needle: &str, message: String) -> MatcherError {
    MatcherError {
        needle: Some(needle.to_string()),
        message,
    }
}

impl MatcherBuilder {
    /// Registers a matcher and returns its id. `classes` are the pack's lists and classes.
    pub fn add(&mut self, def: &MatcherDef, classes: &Classes) -> Result<MatcherId, MatcherError> {
        // Rules that share a matcher (a YAML anchor such as `&complaint`) get one: its
        // patterns are compiled, anchored and verified once, not once per rule.
        // (Compared field by field: a pack has tens of matchers, most different in their
        // first field; formatting each definition as a key cost more.)
        if let Some((_, id)) = self.shared.iter().find(|(d, _)| d == def) {
            return Ok(*id);
        }
        let id = self.add_new(def, classes)?;
        self.shared.push((def.clone(), id));
        Ok(id)
    }

    /// Notes that a rule reads the hits of matcher `id` in the turns of `speaker` (a shared
    /// matcher is read in the turns of every rule that names it).
    pub fn read_in(&mut self, id: MatcherId, speaker: pack::SpeakerSel) {
        self.note_reader(id, speaker, Needs::All);
    }

    /// Notes that a rule reads only the hits of matcher `id` up to its first hit in a turn
    /// of `when` that a later turn of `by` follows (see `Needs::FirstAnswered`): once that
    /// turn is scanned, the matcher's patterns are not looked for in the rest of the
    /// transcript, unless another rule reads more of its hits.
    pub fn read_first(&mut self, id: MatcherId, when: pack::SpeakerSel, by: pack::SpeakerSel) {
        let needs = Needs::FirstAnswered {
            when: speaker_bits(when),
            by: speaker_bits(by),
        };
        self.note_reader(id, when, needs);
    }

    /// Notes that a rule reads the hits of matcher `id` only in turns of `speaker` up to the
    /// `within`-th after the first answered hit of `trigger` (`Needs::Answers`).
    pub fn read_answers(
        &mut self,
        id: MatcherId,
        speaker: pack::SpeakerSel,
        trigger: MatcherId,
        within: usize,
    ) {
        let needs = Needs::Answers {
            trigger,
            within: within.min(u32::MAX as usize) as u32,
            by: speaker_bits(speaker),
        };
        self.note_reader(id, speaker, needs);
    }

    /// Notes that a rule reads the hits of matcher `id` in turns of `speaker` that hold a
    /// hit of matcher `of` (`Needs::Beside`).
    pub fn read_beside(&mut self, id: MatcherId, speaker: pack::SpeakerSel, of: MatcherId) {
        self.note_reader(id, speaker, Needs::Beside { of });
    }

    fn note_reader(&mut self, id: MatcherId, speaker: pack::SpeakerSel, needs: Needs) {
        let i = id as usize;
        if self.reads.len() <= i {
            self.reads.resize(i + 1, 0);
            self.needs.resize(i + 1, Needs::Unsaid);
        }
        self.reads[i] |= speaker_bits(speaker);
        let was = self.needs[i];
        self.needs[i] = if was == Needs::Unsaid || was == needs {
            needs
        } else {
            Needs::All
        };
    }

    /// Starts the matchers of another pack: its classes may differ, so no matcher of an
    /// earlier pack is shared with it.
    pub fn new_pack(&mut self) {
        self.shared.clear();
    }

    /// Room for `n` more sequences, reserved once for all packs (a pack's own reservation,
    /// counted per use of a pattern while equal matchers are compiled once, overshot and
    /// made a later pack double both vectors, copying 5 MB at every start).
    pub fn reserve(&mut self, n: usize) {
        self.flats.reserve(n);
        self.origins.reserve(n);
    }

    fn add_new(&mut self, def: &MatcherDef, classes: &Classes) -> Result<MatcherId, MatcherError> {
        // A matcher that fails leaves no sequences behind.
        let (flats, origins) = (self.flats.len(), self.origins.len());
        let r = self.add_new_inner(def, classes);
        if r.is_err() {
            self.flats.truncate(flats);
            self.origins.truncate(origins);
        }
        r
    }

    /// Notes the origin of the last `n` sequences: matches of matcher `id` from `source`.
    fn matched(&mut self, id: MatcherId, source: String, n: usize) {
        let source: Arc<str> = source.into();
        self.origins.extend(std::iter::repeat_n(
            Origin {
                matcher: id,
                role: Role::Match,
                source,
            },
            n,
        ));
    }

    /// Compiles pattern `p` of matcher `id` into the sequences, from `source`.
    fn pattern(
        &mut self,
        id: MatcherId,
        p: &str,
        source: String,
        classes: &Classes,
    ) -> Result<(), MatcherError> {
        let n = pattern::compile_into(p, classes, &mut self.flats)
            .map_err(|m| merr(p, format!("pattern `{p}`: {m}")))?;
        self.matched(id, source, n);
        Ok(())
    }

    fn add_new_inner(
        &mut self,
        def: &MatcherDef,
        classes: &Classes,
    ) -> Result<MatcherId, MatcherError> {
        let id = self.count;
        // The matches' sequences go straight into `flats` (each source's in turn, as
        // written), then the exclusions'.
        // (Counted as sources: one that compiles to no sequence still makes it non-empty.)
        let mut sources = 0usize;
        for raw in &def.phrases {
            let n = pattern::compile_literal_into(raw, &mut self.flats)
                .map_err(|m| merr(raw, format!("phrase `{raw}`: {m}")))?;
            self.matched(id, format!("phrase: {raw}"), n);
            sources += 1;
        }
        for name in &def.list {
            if !classes.contains_key(name) {
                return Err(merr(name, unknown(name, "list", classes)));
            }
            let src = format!("@{name}");
            let n =
                pattern::compile_into(&src, classes, &mut self.flats).map_err(|m| merr(name, m))?;
            self.matched(id, format!("list: {name}"), n);
            sources += 1;
        }
        for p in &def.patterns {
            self.pattern(id, p, format!("pattern: {p}"), classes)?;
            sources += 1;
        }
        for n in &def.near {
            let [a, b] = n.all.as_slice() else {
                return Err(MatcherError {
                    needle: Some("near".into()),
                    message: "`near:` takes `all:` with exactly two patterns".into(),
                });
            };
            let w = n.within;
            let label = format!("near: {a} / {b} within {w}");
            for p in pattern::near_patterns(a, b, w) {
                self.pattern(id, &p, label.clone(), classes)?;
                sources += 1;
            }
        }
        for n in &def.negated {
            let (s, v, w) = (&n.subject, &n.verb, n.window);
            let label = format!("negated: {s} / {v}");
            for p in negated_frame(s, v, w) {
                self.pattern(id, &p, label.clone(), classes)?;
                sources += 1;
            }
        }
        for c in &def.contrast {
            let label = format!("contrast: {} / not {}", c.yes, c.no);
            for p in contrast_frame(&c.yes, &c.no) {
                self.pattern(id, &p, label.clone(), classes)?;
                sources += 1;
            }
        }
        // Exclusions: each pattern's sequences, added after the matches' below.
        let mut excluded: Vec<(Role, &String, Vec<Flat>)> = Vec::new();
        for p in &def.except {
            let f =
                pattern::compile(p, classes).map_err(|m| merr(p, format!("except `{p}`: {m}")))?;
            excluded.push((Role::Except, p, f));
        }
        let mut extras = Extras::default();
        if let Some(nn) = &def.not_near {
            extras.within = nn.within as usize;
            for p in &nn.patterns {
                let f = pattern::compile(p, classes)
                    .map_err(|m| merr(p, format!("not_near `{p}`: {m}")))?;
                excluded.push((Role::NotNear, p, f));
            }
        }
        let has_text = sources > 0 || !def.regex.is_empty();
        if !has_text && !def.uses_sentiment() && def.any_of.is_empty() {
            return Err(MatcherError {
                needle: None,
                message: "matcher is empty: give at least one of `phrases`, `patterns`, `list`, `near`, `negated`, `contrast`, `regex`, `any_of` or `sentiment_below` / `sentiment_above`".into(),
            });
        }
        if let Some(g) = rules::SentimentCondition::of(id, def).map_err(|m| {
            merr(
                if def.sentiment_below.is_some() {
                    "sentiment_below"
                } else {
                    "sentiment_above"
                },
                m,
            )
        })? {
            self.conditions.push(g);
        }
        for (role, src, fs) in excluded {
            let source: Arc<str> = src.as_str().into();
            let list = match role {
                Role::Except => &mut extras.except,
                _ => &mut extras.not_near,
            };
            for f in fs {
                list.push((source.clone(), self.flats.len() as u32));
                self.flats.push(f);
                self.origins.push(Origin {
                    matcher: id,
                    role,
                    source: source.clone(),
                });
            }
        }
        self.extras.push(extras);
        for re in &def.regex {
            let idx = match self.regex_index.get(re) {
                Some(&i) => i,
                None => {
                    // Checked alone, so a bad regex is reported on its own. Full compilation
                    // waits for the regex's first use (see `LazyRegex`).
                    regex_syntax::ParserBuilder::new()
                        .case_insensitive(true)
                        .build()
                        .parse(re)
                        .map_err(|e| merr(re, format!("invalid regex `{re}`:\n{e}")))?;
                    let i = self.regexes.len();
                    self.compiled.push(LazyRegex::new(re));
                    self.regexes.push(re.clone());
                    self.regex_index.insert(re.clone(), i);
                    self.regex_targets.push(Vec::new());
                    i
                }
            };
            if !self.regex_targets[idx].contains(&id) {
                self.regex_targets[idx].push(id);
            }
        }
        self.count += 1;
        self.report_as.push(id);
        // Alternatives: matchers of their own (their exclusions apply to them alone) whose
        // hits are reported as this matcher's.
        for alt in &def.any_of {
            if alt.uses_sentiment() {
                return Err(MatcherError {
                    needle: Some("any_of".into()),
                    message: "`sentiment_below` / `sentiment_above` go on the matcher itself, not on an `any_of` alternative".into(),
                });
            }
            let first = self.count;
            let alt_id = self.add_new(alt, classes)?;
            debug_assert_eq!(alt_id, first);
            for r in &mut self.report_as[first as usize..] {
                *r = id;
            }
        }
        Ok(id)
    }

    fn build(self) -> Result<Matchers, String> {
        // Sequences with equal anchor tests form one group (tests shared by pointer are
        // equal; others are compared by content once per distinct pointer).
        // (Keyed by an address and four integers: `Mix` takes one multiply per integer.)
        let mut by_ptr: HashMap<(*const pattern::Test, Gate), usize, crate::lexicon::Mix> =
            HashMap::default();
        // (Keyed by the test's words, prefixes and marks: an emoji test has only marks, and
        // two different emoji sets must not share a group.) And by the roles whose turns
        // its matchers' hits are read in, so that a group is verified only in those turns
        // (most rules read the agent's turns, a complaint trigger the customer's).
        let reads = |m: MatcherId| {
            let m = self.report_as[m as usize] as usize;
            match self.reads.get(m) {
                Some(&bits) if bits != 0 => bits,
                _ => 7,
            }
        };
        // A matcher whose rules read only its first answered hit has groups of its own, so
        // they can stop once that hit is found (`Needs::FirstAnswered`).
        let mut firsts: Vec<(u8, u8)> = Vec::new();
        let first_of: Vec<u32> = (0..self.count as usize)
            .map(|m| match self.needs.get(m) {
                Some(&Needs::FirstAnswered { when, by }) => {
                    firsts.push((when, by));
                    firsts.len() as u32 - 1
                }
                _ => UNGATED,
            })
            .collect();
        // And a matcher read only in the answers to such a trigger, so they can stop once
        // enough answers have passed (`Needs::Answers`).
        let mut answers: Vec<(u32, u32, u8)> = Vec::new();
        let answer_of: Vec<u32> = (0..self.count as usize)
            .map(|m| match self.needs.get(m) {
                Some(&Needs::Answers {
                    trigger,
                    within,
                    by,
                }) => match first_of[self.report_as[trigger as usize] as usize] {
                    UNGATED => UNGATED,
                    f => {
                        answers.push((f, within, by));
                        answers.len() as u32 - 1
                    }
                },
                _ => UNGATED,
            })
            .collect();
        // And a matcher read only beside another's hits, so it is verified only in turns
        // where the scan found one (`Needs::Beside`). Not beside a matcher some of whose
        // hits come from elsewhere (a regex, a sentiment condition), or one read only
        // beside yet another.
        let derived: HashSet<MatcherId> = self
            .regex_targets
            .iter()
            .flatten()
            .chain(self.conditions.iter().map(|c| &c.matcher))
            .map(|&m| self.report_as[m as usize])
            .collect();
        let beside_of: Vec<u32> = (0..self.count as usize)
            .map(|m| match self.needs.get(m) {
                Some(&Needs::Beside { of }) => {
                    let of = self.report_as[of as usize];
                    let plain = !derived.contains(&of)
                        && !matches!(self.needs.get(of as usize), Some(Needs::Beside { .. }));
                    if plain {
                        of
                    } else {
                        UNGATED
                    }
                }
                _ => UNGATED,
            })
            .collect();
        // Keyed by content (`TestContent`: hashed on a sample of the words, compared whole).
        let mut by_content: HashMap<TestContent, usize, crate::lexicon::Mix> = HashMap::default();
        // Each flat's group, and each group's size: the member lists are then allocated at
        // their final size (pushing into ~15,000 small vectors as they grew was a tenth of a
        // small call's start-up in reallocation and copying).
        let mut group_of: Vec<u32> = Vec::with_capacity(self.flats.len());
        let mut sizes: Vec<u32> = Vec::new();
        let mut gates: Vec<Gate> = Vec::new();
        let mut last: Option<((*const pattern::Test, Gate), usize)> = None;
        const RECENT: usize = 1024;
        let none = Gate {
            reads: 0,
            first: 0,
            answer: 0,
            beside: 0,
        };
        let mut recent = vec![((std::ptr::null::<pattern::Test>(), none), 0usize); RECENT];
        by_ptr.reserve(self.flats.len() / 8);
        by_content.reserve(self.flats.len() / 8);
        // The gate of the previous flat's matcher and role (a matcher's flats come together).
        let mut gate_of: Option<((MatcherId, Role), Gate)> = None;
        for (f, o) in self.flats.iter().zip(&self.origins) {
            let t = f.anchor_arc();
            let gate = match gate_of {
                Some((k, g)) if k == (o.matcher, o.role) => g,
                _ => {
                    let m = self.report_as[o.matcher as usize] as usize;
                    let g = Gate {
                        reads: reads(m as MatcherId),
                        first: first_of[m],
                        answer: answer_of[m],
                        // An exclusion (`except`, `not_near`) only drops its own matcher's
                        // matches: it is verified only where that matcher (the alternative
                        // itself) matched.
                        beside: match o.role {
                            Role::Match => beside_of[m],
                            _ => OWN | o.matcher,
                        },
                    };
                    gate_of = Some(((o.matcher, o.role), g));
                    g
                }
            };
            // The expansions of one pattern come one after the other and mostly share their
            // anchor test: the previous flat's group is looked up only when it differs.
            let key = (Arc::as_ptr(t), gate);
            // And the groups of recent keys are kept by address, a look-up in front of the
            // map (a pattern's expansions cycle among a few anchor tests).
            let slot = (key.0 as usize >> 4) % RECENT;
            let gi = match last {
                Some((k, gi)) if k == key => gi,
                _ if recent[slot].0 == key => recent[slot].1,
                _ => *by_ptr.entry(key).or_insert_with(|| {
                    *by_content
                        .entry(TestContent(&t.words, &t.prefixes, &t.puncts, gate))
                        .or_insert_with(|| {
                            sizes.push(0);
                            gates.push(gate);
                            sizes.len() - 1
                        })
                }),
            };
            last = Some((key, gi));
            recent[slot] = (key, gi);
            sizes[gi] += 1;
            group_of.push(gi as u32);
        }
        let mut members: Vec<Vec<u32>> = sizes
            .iter()
            .map(|&n| Vec::with_capacity(n as usize))
            .collect();
        for (fi, &gi) in group_of.iter().enumerate() {
            members[gi as usize].push(fi as u32);
        }
        let groups: Vec<Group> = members
            .into_iter()
            .enumerate()
            .map(|(gi, m)| Group::new(gi as u32, m, &self.flats))
            .collect();
        let anchors = Anchors::new(&groups);
        // Regexes with required literals run only when one occurs; the rest run on every
        // turn. Their literals are the only strings of the automaton.
        let mut strings: Vec<String> = Vec::new();
        let mut index: HashMap<String, usize, crate::lexicon::Fnv> = HashMap::default();
        let mut entries: Vec<Vec<Trigger>> = Vec::new();
        let mut always = Vec::new();
        for ri in 0..self.regexes.len() {
            match required_literals(&self.regexes[ri]) {
                Some(lits) => {
                    for lit in lits {
                        let e = *index.entry(lit.text.clone()).or_insert_with(|| {
                            strings.push(lit.text);
                            entries.push(Vec::new());
                            entries.len() - 1
                        });
                        entries[e].push(Trigger {
                            regex: ri as u32,
                            word_start: lit.word_start,
                            word_end: lit.word_end,
                        });
                    }
                }
                None => always.push(ri as u32),
            }
        }
        // Start with the automaton that builds fastest (a small pre-commit run scans a few
        // kilobytes); the DFA, faster to search, is built once a batch has scanned enough
        // text to pay for it (see `Matchers::automaton`).
        let automaton = if strings.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::ContiguousNFA))
                    .build(&strings)
                    .or_else(|_| {
                        AhoCorasick::builder()
                            .ascii_case_insensitive(true)
                            .build(&strings)
                    })
                    .map_err(|e| e.to_string())?,
            )
        };
        let mut counts = vec![0usize; self.count as usize];
        for o in self.origins.iter().filter(|o| o.role == Role::Match) {
            counts[o.matcher as usize] += 1;
        }
        let mut by_matcher: Vec<Vec<u32>> = counts.iter().map(|&n| Vec::with_capacity(n)).collect();
        for (i, o) in self.origins.iter().enumerate() {
            if o.role == Role::Match {
                by_matcher[o.matcher as usize].push(i as u32);
            }
        }
        let mut family: Vec<Vec<MatcherId>> = (0..self.count).map(|m| vec![m]).collect();
        for (m, &to) in self.report_as.iter().enumerate() {
            if to != m as MatcherId {
                family[to as usize].push(m as MatcherId);
            }
        }
        let report_as = self.report_as;
        let regex_targets: Vec<Vec<MatcherId>> = self
            .regex_targets
            .into_iter()
            .map(|ts| {
                let mut ts: Vec<MatcherId> =
                    ts.into_iter().map(|t| report_as[t as usize]).collect();
                ts.dedup();
                ts
            })
            .collect();
        Ok(Matchers {
            automaton,
            dfa: OnceLock::new(),
            scanned: std::sync::atomic::AtomicUsize::new(0),
            strings,
            entries,
            anchors,
            uid: {
                static ENGINES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
                ENGINES.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            },
            groups,
            gates,
            first_of,
            firsts,
            answers,
            registry: Default::default(),
            flats: self.flats,
            origins: self.origins,
            by_matcher,
            extras: self.extras,
            regexes: self.compiled,
            regex_targets,
            report_as,
            family,
            always,
            conditions: self.conditions,
        })
    }
}

/// A group's key by content: an anchor test's words, prefixes and marks, and its gate.
/// Hashed on the lengths and the first and last entry of each list (FNV over every word
/// of every anchor class, some of hundreds of words, was a tenth of a small call's
/// start-up); compared whole, so keys that hash alike stay apart unless equal.
#[derive(PartialEq, Eq)]
struct TestContent<'a>(
    &'a [pattern::Word],
    &'a [pattern::Word],
    &'a [pattern::Word],
    Gate,
);

impl std::hash::Hash for TestContent<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        // A word as its length and first eight bytes: one integer each for `Mix`.
        let word = |w: &str| {
            let b = w.as_bytes();
            let mut x = [0u8; 8];
            let n = b.len().min(8);
            x[..n].copy_from_slice(&b[..n]);
            u64::from_le_bytes(x) ^ (b.len() as u64) << 56
        };
        for list in [self.0, self.1, self.2] {
            h.write_usize(list.len());
            if let (Some(a), Some(b)) = (list.first(), list.last()) {
                h.write_u64(word(a));
                h.write_u64(word(b));
            }
        }
        let g = self.3;
        h.write_u64(u64::from(g.reads) << 32 | u64::from(g.first));
        h.write_u64(u64::from(g.answer) << 32 | u64::from(g.beside));
    }
}

fn unknown(name: &str, what: &str, classes: &Classes) -> String {
    let near = crate::pack::suggest::did_you_mean(name, classes.keys().map(String::as_str));
    format!(
        "unknown {what} `{name}`{near}; this pack defines: {}",
        if classes.is_empty() {
            "no lists or classes".to_string()
        } else {
            classes.keys().cloned().collect::<Vec<_>>().join(", ")
        }
    )
}

/// Literals of which every match of `pattern` contains at least one, lower-cased; `None`
/// when there is no such finite set of ASCII literals of two bytes or more. Candidates are
/// the possible prefixes and suffixes of the whole pattern and of each part of its top-level
/// concatenation (every match contains a match of every part); the rarest set wins, so a
/// regex like `(?:it|this)'s not (?:right|correct)` waits for "right" or "correct", not "it".
/// The pattern is read case-sensitively to keep the sets small; the automaton is ASCII
/// case-insensitive, which covers the case-insensitive regex.
fn required_literals(pattern: &str) -> Option<Vec<Literal>> {
    let hir = regex_syntax::ParserBuilder::new()
        .build()
        .parse(pattern)
        .ok()?;
    required_in(&hir, 0)
}

/// `required_literals` of one expression; an alternation (as a whole or as a part) also
/// offers the union of its branches' own sets, as every match goes through one branch.
fn required_in(hir: &regex_syntax::hir::Hir, depth: usize) -> Option<Vec<Literal>> {
    use regex_syntax::hir::literal::{ExtractKind, Extractor};
    use regex_syntax::hir::{Hir, HirKind, Look};
    let is_boundary = |h: Option<&Hir>| {
        h.is_some_and(|h| matches!(h.kind(), HirKind::Look(Look::WordUnicode | Look::WordAscii)))
    };
    // Each candidate part with whether `\b` comes just before and just after it.
    let mut parts: Vec<(&Hir, bool, bool)> = vec![(hir, false, false)];
    let mut top = hir;
    while let HirKind::Capture(c) = top.kind() {
        top = &c.sub;
    }
    if let HirKind::Concat(children) = top.kind() {
        for (i, child) in children.iter().enumerate() {
            let before = i.checked_sub(1).and_then(|j| children.get(j));
            parts.push((child, is_boundary(before), is_boundary(children.get(i + 1))));
        }
    }
    let mut best: Option<(usize, Vec<Literal>)> = None;
    let mut offer = |v: Vec<Literal>| {
        let score = v.iter().map(|l| rarity(&l.text)).min().unwrap_or(0);
        let better = match &best {
            None => true,
            Some((bs, bv)) => score > *bs || (score == *bs && v.len() < bv.len()),
        };
        if better {
            best = Some((score, v));
        }
    };
    for (part, bound_before, bound_after) in parts {
        let mut inner = part;
        while let HirKind::Capture(c) = inner.kind() {
            inner = &c.sub;
        }
        if let (HirKind::Alternation(branches), true) = (inner.kind(), depth < 3) {
            let sets: Option<Vec<Vec<Literal>>> =
                branches.iter().map(|b| required_in(b, depth + 1)).collect();
            if let Some(sets) = sets {
                let mut v: Vec<Literal> = sets.into_iter().flatten().collect();
                v.sort();
                v.dedup();
                offer(v);
            }
        }
        for kind in [ExtractKind::Prefix, ExtractKind::Suffix] {
            let prefix = matches!(kind, ExtractKind::Prefix);
            let seq = Extractor::new().kind(kind).extract(part);
            let Some(lits) = seq.literals() else { continue };
            if lits.is_empty()
                || lits
                    .iter()
                    .any(|l| l.as_bytes().len() < 2 || !l.as_bytes().is_ascii())
            {
                continue;
            }
            let word = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
            let mut v: Vec<Literal> = lits
                .iter()
                .map(|l| {
                    let b = l.as_bytes();
                    Literal {
                        text: String::from_utf8_lossy(b).to_ascii_lowercase(),
                        // A prefix starts where the part starts; a suffix ends where it ends
                        // (and only an exact literal is the whole part).
                        word_start: bound_before && (prefix || l.is_exact()) && word(b.first()),
                        word_end: bound_after && (!prefix || l.is_exact()) && word(b.last()),
                    }
                })
                .collect();
            v.sort();
            v.dedup();
            offer(v);
        }
    }
    best.map(|(_, v)| v)
}

/// How rarely a literal occurs in conversation: a literal with a word that is not one of the
/// commonest English words beats any without one; then longer is rarer.
fn rarity(lit: &str) -> usize {
    const COMMON: &[&str] = &[
        "a", "about", "all", "am", "an", "and", "any", "are", "as", "at", "be", "been", "but",
        "by", "can", "could", "did", "do", "for", "from", "get", "go", "had", "has", "have", "he",
        "her", "his", "how", "i", "if", "in", "is", "it", "its", "just", "know", "let", "ll", "m",
        "me", "my", "no", "not", "now", "of", "ok", "on", "or", "our", "re", "s", "she", "so",
        "some", "t", "that", "the", "them", "then", "there", "they", "this", "to", "up", "us",
        "ve", "was", "we", "what", "when", "which", "will", "with", "would", "you", "your",
    ];
    lit.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && !COMMON.contains(w))
        .map(|w| 100 + w.len())
        .max()
        .unwrap_or_else(|| lit.trim().len())
}

/// A rule regex compiled the first time a turn needs it. Compiling the built-in packs'
/// regexes is most of the start-up cost, and a small run (a pre-commit hook over a few
/// scripts) wakes only a few of them. Syntax is checked when the pack loads.
struct LazyRegex {
    pattern: String,
    cell: OnceLock<Option<regex::Regex>>,
}

impl LazyRegex {
    fn new(pattern: &str) -> LazyRegex {
        LazyRegex {
            pattern: pattern.to_string(),
            cell: OnceLock::new(),
        }
    }

    fn get(&self) -> Option<&regex::Regex> {
        self.cell
            .get_or_init(|| {
                match regex::RegexBuilder::new(&self.pattern)
                    .case_insensitive(true)
                    .size_limit(pack::REGEX_SIZE_LIMIT)
                    .build()
                {
                    Ok(r) => Some(r),
                    Err(e) => {
                        // Only a size limit can fail after the syntax check at load time.
                        eprintln!(
                            "warning: regex `{}` cannot be compiled and is skipped: {}",
                            self.pattern,
                            one_line(&e.to_string())
                        );
                        None
                    }
                }
            })
            .as_ref()
    }
}

/// Phrase text (all packs together) up to which the automaton is a DFA.
const DFA_MAX_PHRASE_BYTES: usize = 256 << 10;

struct Matchers {
    /// The automaton of the literals regexes require, as first built (a contiguous NFA:
    /// ~5x faster to build); `None` when no regex requires one.
    automaton: Option<AhoCorasick>,
    /// The same strings as a DFA, built once `scanned` passes `DFA_AFTER_BYTES`; `None`
    /// when the DFA would be too large.
    dfa: OnceLock<Option<AhoCorasick>>,
    scanned: std::sync::atomic::AtomicUsize,
    /// The automaton's strings (regex literals), and the regexes each wakes.
    strings: Vec<String>,
    entries: Vec<Vec<Trigger>>,
    /// The groups anchored at each word.
    anchors: Anchors,
    /// This engine's number in the process (from 1): the per-thread scan buffers are
    /// reset when they were last used by another engine.
    uid: u64,
    groups: Vec<Group>,
    /// Per group, where it is verified.
    gates: Vec<Gate>,
    /// Per matcher, its index in `firsts` (`UNGATED`: not read only up to a first hit).
    first_of: Vec<u32>,
    /// The (`when`, `by`) role masks of each matcher read only up to its first answered hit.
    firsts: Vec<(u8, u8)>,
    /// (index in `firsts`, `within`, `by` roles) of each matcher read only in the answers.
    answers: Vec<(u32, u32, u8)>,
    /// The word tests the groups' sequences require (src/group.rs).
    registry: crate::group::Registry,
    flats: Vec<Flat>,
    origins: Vec<Origin>,
    /// Per matcher, its flat patterns.
    by_matcher: Vec<Vec<u32>>,
    extras: Vec<Extras>,
    regexes: Vec<LazyRegex>,
    regex_targets: Vec<Vec<MatcherId>>,
    /// Per matcher, the matcher its hits count for (`any_of` alternatives report as their
    /// parent), and per matcher itself with its alternatives (for traces).
    report_as: Vec<MatcherId>,
    family: Vec<Vec<MatcherId>>,
    /// Regexes without required literals: run on every turn.
    always: Vec<u32>,
    /// Sentiment conditions of matchers, whose hits `Scan` adds when a rule asks (none: no
    /// sentiment work).
    conditions: Vec<rules::SentimentCondition>,
}

/// Buffers reused across turns and transcripts on one thread, so the scan allocates nothing
/// per turn once warmed up.
#[derive(Default)]
struct Scratch {
    /// The `Matchers::uid` of the engine `group` was last used for.
    owner: u64,
    /// All turns of a transcript, each followed by a newline: one pass of the regex-literal
    /// automaton (when some regex has literals).
    block: String,
    starts: Vec<usize>,
    /// The groups anchored at the current token.
    woke: Vec<u32>,
    /// (turn, regex) regexes woken by their literals.
    fired: Vec<(u32, u32)>,
    toks: Tokens,
    group: GroupScratch,
    /// (matcher, role, first token, end token) matches in the current turn.
    found: Vec<(MatcherId, Role, u32, u32)>,
    norm: String,
    map: Vec<u32>,
    hits: Vec<Hit>,
    /// Per turn, the roles of the turns after it (`role_bit`s).
    later: Vec<u8>,
    /// Per `Matchers::firsts` entry, whether its first answered hit has been found.
    done: Vec<bool>,
    /// Per `Matchers::answers` entry, the turns of its `by` roles since that hit.
    answered: Vec<u32>,
    /// (group, token) wakes of groups read only beside another matcher's hits, verified
    /// once the turn's other groups have been; and the matchers that matched in the turn.
    deferred: Vec<(u32, u32)>,
    matched: Vec<MatcherId>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

#[inline]
fn word_before(b: &[u8], at: usize) -> bool {
    at > 0 && {
        let c = b[at - 1];
        if c.is_ascii() {
            c.is_ascii_alphanumeric() || c == b'_'
        } else {
            is_word_before(b, at)
        }
    }
}

#[inline]
fn word_after(b: &[u8], at: usize) -> bool {
    at < b.len() && {
        let c = b[at];
        if c.is_ascii() {
            // "do" in "don't" ends a word: the tokenizer splits off "n't".
            (c.is_ascii_alphanumeric() || c == b'_')
                && !((c == b'n' || c == b'N')
                    && matches!(b.get(at + 1), Some(&b'\'') | Some(&b'`') | Some(&0xE2)))
        } else {
            is_word_after(b, at)
        }
    }
}

/// Bytes scanned with the quick-to-build automaton before the DFA is built.
const DFA_AFTER_BYTES: usize = 2 << 20;

impl Matchers {
    /// The regex-literal automaton to scan transcript `t` with (`None`, at no cost, when no
    /// regex needs one).
    fn automaton(&self, t: &Transcript) -> Option<&AhoCorasick> {
        use std::sync::atomic::Ordering;
        let nfa = self.automaton.as_ref()?;
        if let Some(d) = self.dfa.get() {
            return Some(d.as_ref().unwrap_or(nfa));
        }
        let len = t.turns.iter().map(|t| t.text.len() + 1).sum();
        if self.scanned.fetch_add(len, Ordering::Relaxed) < DFA_AFTER_BYTES {
            return Some(nfa);
        }
        let dfa = self.dfa.get_or_init(|| {
            // A DFA's memory grows with the string bytes times the alphabet (a 1.6 MB
            // phrase set took 700 MB): past `DFA_MAX_PHRASE_BYTES` keep the NFA.
            let bytes: usize = self.strings.iter().map(String::len).sum();
            if bytes > DFA_MAX_PHRASE_BYTES {
                return None;
            }
            AhoCorasick::builder()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::DFA))
                .build(&self.strings)
                .ok()
        });
        Some(dfa.as_ref().unwrap_or(nfa))
    }

    /// Scans a transcript, appending hits (in original byte offsets) to `hits`.
    fn scan(&self, t: &Transcript, s: &mut Scratch) {
        if s.owner != self.uid {
            // The group buffers hold what this engine's groups and required tests found
            // (numbered per engine): another engine's are no use, and wrong.
            s.group = GroupScratch::default();
            s.owner = self.uid;
        }
        let Scratch {
            owner: _,
            block,
            starts,
            woke,
            fired,
            toks,
            group: gs,
            found,
            norm,
            map,
            hits,
            later,
            done,
            answered,
            deferred,
            matched,
        } = s;
        hits.clear();
        fired.clear();
        if let Some(automaton) = self.automaton(t) {
            // Regex literals: one automaton pass over all turns.
            block.clear();
            starts.clear();
            for turn in &t.turns {
                starts.push(block.len());
                block.push_str(&turn.text);
                block.push('\n');
            }
            let bytes = block.as_bytes();
            let mut turn = 0usize;
            for m in automaton.find_overlapping_iter(block.as_str()) {
                while turn + 1 < starts.len() && starts[turn + 1] <= m.start() {
                    turn += 1;
                }
                let before = word_before(bytes, m.start());
                let after = word_after(bytes, m.end());
                for tr in &self.entries[m.pattern().as_usize()] {
                    if (tr.word_start && before) || (tr.word_end && after) {
                        continue;
                    }
                    fired.push((turn as u32, tr.regex));
                }
            }
        }
        // Patterns: each turn is tokenised once, each word looked up among the anchors, and
        // the groups anchored there verified around it.
        if !self.groups.is_empty() {
            later.clear();
            later.resize(t.turns.len(), 0);
            let mut after = 0;
            for (i, turn) in t.turns.iter().enumerate().rev() {
                later[i] = after;
                after |= role_bit(turn.role);
            }
            done.clear();
            done.resize(self.firsts.len(), false);
            answered.clear();
            answered.resize(self.answers.len(), 0);
            for (ti, turn) in t.turns.iter().enumerate() {
                toks.tokenize(&turn.text);
                found.clear();
                deferred.clear();
                let role = role_bit(turn.role);
                for (a, &(f, _, by)) in self.answers.iter().enumerate() {
                    if done[f as usize] && role & by != 0 {
                        answered[a] += 1;
                    }
                }
                for k in 0..toks.len() {
                    woke.clear();
                    self.anchors.wake(self, toks, k, role, woke);
                    for &gi in woke.iter() {
                        let g = self.gates[gi as usize];
                        // (`wake` gave only groups that read this turn's role.)
                        debug_assert!(g.reads & role != 0);
                        if (g.first != UNGATED && done[g.first as usize])
                            || (g.answer != UNGATED
                                && answered[g.answer as usize] > self.answers[g.answer as usize].1)
                        {
                            continue;
                        }
                        if g.beside != UNGATED {
                            deferred.push((gi, k as u32));
                            continue;
                        }
                        self.groups[gi as usize].verify_anchored(
                            &self.flats,
                            &self.registry,
                            toks,
                            k,
                            gs,
                            |fi, a, b| {
                                let o = &self.origins[fi as usize];
                                found.push((o.matcher, o.role, a as u32, b as u32));
                            },
                        );
                    }
                }
                // Groups read only beside another matcher's hits: verified now, where that
                // matcher matched in this turn (a match its exclusions drop still counts:
                // the hits are a superset of what the rule asks about).
                // Then the exclusions, where their own matcher matched (an `unless` included).
                for exclusions in [false, true] {
                    if deferred.is_empty() || found.is_empty() {
                        break;
                    }
                    matched.clear();
                    for f in found.iter().filter(|f| f.1 == Role::Match) {
                        matched.push(if exclusions {
                            OWN | f.0
                        } else {
                            self.report_as[f.0 as usize]
                        });
                    }
                    matched.sort_unstable();
                    matched.dedup();
                    for &(gi, k) in deferred.iter() {
                        let of = self.gates[gi as usize].beside;
                        if (of & OWN != 0) != exclusions || matched.binary_search(&of).is_err() {
                            continue;
                        }
                        self.groups[gi as usize].verify_anchored(
                            &self.flats,
                            &self.registry,
                            toks,
                            k as usize,
                            gs,
                            |fi, a, b| {
                                let o = &self.origins[fi as usize];
                                found.push((o.matcher, o.role, a as u32, b as u32));
                            },
                        );
                    }
                }
                if found.is_empty() {
                    continue;
                }
                // Matches first, then each matcher's exclusions; a match survives when none
                // of its matcher's exclusions in this turn reaches it.
                found.sort_unstable();
                found.dedup();
                let from = hits.len();
                for of_m in found.chunk_by(|a, b| a.0 == b.0) {
                    let m = of_m[0].0;
                    let within = self.extras[m as usize].within as u32;
                    for &(_, role, a, b) in of_m {
                        if role != Role::Match {
                            continue;
                        }
                        let excluded = of_m.iter().any(|&(_, r, s, e)| match r {
                            Role::Match => false,
                            Role::Except => s < b && e > a,
                            Role::NotNear => e + within >= a && s <= b + within,
                        });
                        if !excluded {
                            let (start, end) = toks.source_span(a as usize, b as usize);
                            hits.push(Hit {
                                matcher: self.report_as[m as usize],
                                turn: ti as u32,
                                start,
                                end,
                            });
                        }
                    }
                }
                // A matcher read only up to its first answered hit is done with this turn.
                for h in &hits[from..] {
                    let f = self.first_of[h.matcher as usize];
                    if f != UNGATED {
                        let (when, by) = self.firsts[f as usize];
                        if role & when != 0 && later[ti] & by != 0 {
                            done[f as usize] = true;
                        }
                    }
                }
            }
        }
        // Regexes: those woken by a literal, per turn, and those that always run.
        fired.sort_unstable();
        fired.dedup();
        let mut run = |ti: usize, ri: usize, hits: &mut Vec<Hit>| {
            let Some(re) = self.regexes[ri].get() else {
                return;
            };
            let turn_text = &t.turns[ti].text;
            let identity = !normalize_text(turn_text, norm, map, false);
            let text: &str = if identity { turn_text } else { norm };
            for m in re.find_iter(text) {
                if m.start() == m.end() {
                    continue;
                }
                let (s, e) = if identity {
                    (m.start() as u32, m.end() as u32)
                } else {
                    (map[m.start()], map[m.end()])
                };
                for &matcher in &self.regex_targets[ri] {
                    hits.push(Hit {
                        matcher,
                        turn: ti as u32,
                        start: s,
                        end: e,
                    });
                }
            }
        };
        for &(ti, ri) in fired.iter() {
            run(ti as usize, ri as usize, hits);
        }
        for ti in 0..t.turns.len() {
            for &ri in &self.always {
                run(ti, ri as usize, hits);
            }
        }
        hits.sort_unstable();
        hits.dedup();
    }
}

/// What rules see of one scanned transcript: the transcript and every hit, grouped by matcher.
pub struct Scan<'a> {
    pub transcript: &'a Transcript,
    hits: &'a [Hit],
    /// Turn sentiment, scored only where a rule asks.
    pub sentiment: TurnSentiment<'a>,
    /// Hits of matchers with a sentiment condition, added when a rule asks for them.
    condition_hits: ConditionHits<'a>,
    /// Words per turn, counted on first use (several metric rules ask).
    word_counts: std::cell::OnceCell<Vec<usize>>,
}

impl<'a> Scan<'a> {
    /// Builds a scan from hits sorted by (matcher, turn, start) — used by tests of rule kinds.
    pub fn new(transcript: &'a Transcript, hits: &'a [Hit]) -> Scan<'a> {
        Scan {
            transcript,
            hits,
            sentiment: TurnSentiment::new(transcript),
            condition_hits: ConditionHits::new(&[], 0),
            word_counts: std::cell::OnceCell::new(),
        }
    }

    /// The number of words of turn `i` (`Turn::word_count`), counted once per transcript.
    pub fn word_count(&self, i: usize) -> usize {
        self.word_counts.get_or_init(|| {
            self.transcript
                .turns
                .iter()
                .map(|t| t.word_count())
                .collect()
        })[i]
    }

    /// All hits of matcher `m`, ordered by turn then start.
    pub fn hits(&self, m: MatcherId) -> &[Hit] {
        let text = self.text_hits(m);
        match self.condition_hits.index_of(m) {
            None => text,
            Some(g) => self
                .condition_hits
                .hits(g, text, self.transcript, &self.sentiment),
        }
    }

    /// Hits of matcher `m` in one turn.
    pub fn turn_hits(&self, m: MatcherId, turn: usize) -> &[Hit] {
        let all = self.text_hits(m);
        let t = turn as u32;
        let lo = all.partition_point(|h| h.turn < t);
        let hi = all.partition_point(|h| h.turn <= t);
        match self.condition_hits.index_of(m) {
            None => &all[lo..hi],
            Some(g) => self.condition_hits.turn_hits(
                g,
                turn,
                &all[lo..hi],
                self.transcript,
                &self.sentiment,
            ),
        }
    }

    /// The hits the text scan found for matcher `m`.
    fn text_hits(&self, m: MatcherId) -> &'a [Hit] {
        let lo = self.hits.partition_point(|h| h.matcher < m);
        let hi = self.hits.partition_point(|h| h.matcher <= m);
        &self.hits[lo..hi]
    }
}

/// One turn of `Engine::trace`.
#[derive(Debug, Clone)]
pub struct TurnTrace {
    pub turn: usize,
    /// The normalised tokens of the turn.
    pub tokens: Vec<String>,
    pub matches: Vec<TraceMatch>,
}

/// One match of one of a rule's patterns in a turn.
#[derive(Debug, Clone)]
pub struct TraceMatch {
    /// The rule field the matcher belongs to (`match`, `first`, `then`, `unless`...).
    pub field: &'static str,
    /// The pattern, phrase or frame it came from.
    pub source: String,
    /// Byte span in the turn text.
    pub span: (usize, usize),
    /// Each matched token (normalised) with the element that took it.
    pub steps: Vec<(String, String)>,
    /// Exclusions tried on this match, and whether they hit (dropping it).
    pub exclusions: Vec<(String, bool)>,
}

/// A compiled rule: its shared parts and its kind's logic.
pub struct CompiledRule {
    pub common: RuleCommon,
    pub kind: Box<dyn RuleKind>,
    pub def: pack::RuleDef,
    pub pack_origin: String,
    /// The pack's named lists and classes, for documentation (`rules explain`).
    pub lists: Arc<BTreeMap<String, Vec<String>>>,
    /// The rule's matchers by field (`match`, `first`, `unless`...), for `rules trace`.
    pub matchers: Vec<(&'static str, MatcherId)>,
    /// The rules this one gives way to on a turn where they fire (`yields_to:`), by index
    /// into the engine's rules and, past them, its shadow rules (`Engine::any_rule`).
    pub yields_to: Vec<usize>,
    /// The learned detector's model and threshold (`learned:`), unless switched off.
    pub learned: Option<crate::learned::Use>,
}

/// The result of checking one transcript.
#[derive(Debug, Clone, Default)]
pub struct Checked {
    /// Sorted by turn, start, end, rule id.
    pub findings: Vec<Finding>,
    /// Per rule (in `Engine::rules()` order): did the rule apply to this transcript?
    /// A conditional rule whose trigger never occurred, or a conversation rule on a script,
    /// does not apply.
    pub applicable: Vec<bool>,
}

pub struct Engine {
    matchers: Matchers,
    rules: Vec<CompiledRule>,
    by_id: HashMap<String, usize>,
    /// The rules with a `yields_to`, by index.
    yielding: Vec<usize>,
    /// Rules switched off that a rule yields to: run for that alone (numbered after
    /// `rules` in `CompiledRule::yields_to`).
    shadow: Vec<CompiledRule>,
    /// The rules with a learned detector switched on, by index.
    learned: Vec<usize>,
}

impl Engine {
    pub fn rules(&self) -> &[CompiledRule] {
        &self.rules
    }

    pub fn rule_index(&self, id: &str) -> Option<usize> {
        self.by_id.get(id).copied()
    }

    pub fn rule(&self, id: &str) -> Option<&CompiledRule> {
        self.rule_index(id).map(|i| &self.rules[i])
    }

    /// Why rule `rule` (by index) matched where it did in `t`: per turn, the normalised
    /// tokens, each pattern that matched with the element each token took, and the
    /// exclusions tried. For `tonecheck rules trace`.
    pub fn trace(&self, rule: usize, t: &Transcript) -> Vec<TurnTrace> {
        let r = &self.rules[rule];
        let mut out = Vec::new();
        let mut toks = Tokens::default();
        for (ti, turn) in t.turns.iter().enumerate() {
            toks.tokenize(&turn.text);
            let mut matches = Vec::new();
            for &(field, m) in &r.matchers {
                for (c, &fi) in self.matchers.family[m as usize].iter().flat_map(|&c| {
                    self.matchers.by_matcher[c as usize]
                        .iter()
                        .map(move |fi| (c, fi))
                }) {
                    let flat = &self.matchers.flats[fi as usize];
                    for k in 0..toks.len() {
                        let Some(((a, b), steps)) = flat.verify_traced(&toks, k) else {
                            continue;
                        };
                        let x = &self.matchers.extras[c as usize];
                        let mut exclusions = Vec::new();
                        let flats = &self.matchers.flats;
                        for (src, fi) in &x.except {
                            let f = &flats[*fi as usize];
                            let hit = f
                                .find_in(&toks, a.saturating_sub(f.max_width as usize), b)
                                .iter()
                                .any(|&(s, e)| s < b && e > a);
                            exclusions.push((format!("except `{src}`"), hit));
                        }
                        for (src, fi) in &x.not_near {
                            let f = &flats[*fi as usize];
                            let hit = f
                                .find_in(
                                    &toks,
                                    a.saturating_sub(f.max_width as usize + x.within),
                                    b + x.within,
                                )
                                .iter()
                                .any(|&(s, e)| e + x.within >= a && s <= b + x.within);
                            exclusions.push((format!("not_near `{src}` within {}", x.within), hit));
                        }
                        let span = (toks.toks[a].start as usize, toks.toks[b - 1].end as usize);
                        let m = TraceMatch {
                            field,
                            source: self.matchers.origins[fi as usize].source.to_string(),
                            span,
                            steps: steps
                                .into_iter()
                                .map(|st| (toks.word(st.token).to_string(), st.label))
                                .collect(),
                            exclusions,
                        };
                        if !matches.iter().any(|o: &TraceMatch| {
                            o.field == m.field && o.span == m.span && o.source == m.source
                        }) {
                            matches.push(m);
                        }
                    }
                }
                for (ri, targets) in self.matchers.regex_targets.iter().enumerate() {
                    if !targets.contains(&m) {
                        continue;
                    }
                    if let Some(re) = self.matchers.regexes[ri].get() {
                        for mm in re.find_iter(&turn.text) {
                            matches.push(TraceMatch {
                                field,
                                source: format!("regex: {}", self.matchers.regexes[ri].pattern),
                                span: (mm.start(), mm.end()),
                                steps: Vec::new(),
                                exclusions: Vec::new(),
                            });
                        }
                    }
                }
            }
            if !matches.is_empty() {
                out.push(TurnTrace {
                    turn: ti,
                    tokens: (0..toks.len()).map(|i| toks.word(i).to_string()).collect(),
                    matches,
                });
            }
        }
        out
    }

    /// Every string the scan looks for, as text: the anchor words of all patterns in every
    /// spelling the tokenizer reads as them (inflections, contractions, variants), anchor
    /// prefixes, and the literals regexes require. (`rules anchors`; the throughput bench
    /// gives rg this list.)
    pub fn anchor_strings(&self) -> Vec<String> {
        self.anchor_load().into_iter().map(|(s, _)| s).collect()
    }

    /// For each string of `anchor_strings`, how many pattern sequences it wakes (tuning the
    /// packs: a common word that wakes many sequences is where verification time goes).
    pub fn anchor_load(&self) -> Vec<(String, usize)> {
        let m = &self.matchers;
        let mut out: Vec<(String, usize)> = Vec::new();
        let mut at: HashMap<String, usize> = HashMap::new();
        let mut add = |s: String, n: usize, out: &mut Vec<(String, usize)>| match at.get(&s) {
            Some(&i) => out[i].1 += n,
            None => {
                at.insert(s.clone(), out.len());
                out.push((s, n));
            }
        };
        for (w, gs, prefix) in m.anchors.all() {
            let n = gs.iter().map(|&g| m.groups[g as usize].len()).sum();
            if prefix {
                add(w.to_string(), n, &mut out);
            } else {
                for raw in crate::tokens::raw_forms(w) {
                    add(raw, n, &mut out);
                }
            }
        }
        for s in &m.strings {
            add(s.clone(), 0, &mut out);
        }
        out
    }

    /// Regexes (the escape hatch) that require no literal of two bytes or more, so they run
    /// on every turn: (rule id, regex). `rules test` warns about them.
    pub fn unanchored_regexes(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for &ri in &self.matchers.always {
            let targets = &self.matchers.regex_targets[ri as usize];
            for r in &self.rules {
                if r.matchers.iter().any(|(_, m)| targets.contains(m)) {
                    out.push((
                        r.common.info.id.clone(),
                        self.matchers.regexes[ri as usize].pattern.clone(),
                    ));
                }
            }
        }
        out
    }

    /// Checks one transcript against every rule.
    pub fn check(&self, t: &Transcript) -> Checked {
        self.check_rules(t, None)
    }

    /// Checks one transcript against every rule, or only rule `only` (by index).
    pub fn check_rules(&self, t: &Transcript, only: Option<usize>) -> Checked {
        self.with_scan(t, |scan| {
            let mut findings = Vec::new();
            let mut applicable = vec![false; self.rules.len()];
            let script = t.mode == crate::transcript::Mode::Script;
            for (i, rule) in self.rules.iter().enumerate() {
                if only.is_some_and(|o| o != i) || (script && rule.kind.conversation_level()) {
                    continue;
                }
                applicable[i] = rule.kind.evaluate(&rule.common, scan, &mut findings);
            }
            if !self.learned.is_empty() {
                let uses: Vec<_> = self
                    .learned
                    .iter()
                    .filter(|&&i| only.is_none_or(|o| o == i))
                    .filter(|&&i| !(script && self.rules[i].kind.conversation_level()))
                    .filter_map(|&i| Some((&self.rules[i].common, self.rules[i].learned?)))
                    .collect();
                let before = findings.len();
                crate::learned::add_findings(&uses, t, &scan.sentiment, &mut findings);
                for f in &findings[before..] {
                    if let Some(&i) = self.by_id.get(&f.rule.id) {
                        applicable[i] = true;
                    }
                }
            }
            for &r in &self.yielding {
                self.give_way(r, only, scan, script, &mut findings);
            }
            if !t.suppressions.is_empty() {
                // By line, so a file with a directive on every line stays linear.
                let mut by_line: HashMap<usize, Vec<&crate::transcript::Suppression>> =
                    HashMap::new();
                for s in &t.suppressions {
                    by_line.entry(s.line).or_default().push(s);
                }
                findings.retain(|f| {
                    !by_line
                        .get(&f.line)
                        .is_some_and(|v| v.iter().any(|s| s.covers(f.line, &f.rule.id)))
                });
            }
            findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
            Checked {
                findings,
                applicable,
            }
        })
    }

    /// Scans `t` and hands the scan to `f` (the per-thread buffers are reused).
    fn with_scan<R>(&self, t: &Transcript, f: impl FnOnce(&Scan) -> R) -> R {
        SCRATCH.with(|cell| {
            let mut scratch = cell.borrow_mut();
            self.matchers.scan(t, &mut scratch);
            let scan = Scan {
                transcript: t,
                hits: &scratch.hits,
                sentiment: TurnSentiment::new(t),
                condition_hits: ConditionHits::new(&self.matchers.conditions, t.turns.len()),
                word_counts: std::cell::OnceCell::new(),
            };
            f(&scan)
        })
    }

    /// For `rules trace`: the rules rule `ri` yields to (`yields_to`) and the turns of `t`
    /// each fires on, switched off or not.
    pub fn yielded_to(&self, ri: usize, t: &Transcript) -> Vec<(String, Vec<usize>)> {
        let script = t.mode == crate::transcript::Mode::Script;
        self.with_scan(t, |scan| {
            self.rules[ri]
                .yields_to
                .iter()
                .map(|&y| {
                    let rule = self.any_rule(y);
                    let mut found = Vec::new();
                    if !(script && rule.kind.conversation_level()) {
                        rule.kind.evaluate(&rule.common, scan, &mut found);
                    }
                    let mut turns: Vec<usize> = found.iter().map(|f| f.turn).collect();
                    turns.dedup();
                    (rule.common.info.id.clone(), turns)
                })
                .collect()
        })
    }

    /// A rule by its index in `CompiledRule::yields_to`: the engine's rules, then the
    /// shadow rules.
    fn any_rule(&self, i: usize) -> &CompiledRule {
        self.rules
            .get(i)
            .unwrap_or_else(|| &self.shadow[i - self.rules.len()])
    }

    /// Drops rule `r`'s findings on the turns where a rule it yields to fired (evaluated
    /// here when only `r` was checked, so its examples and `rules trace` see the result a
    /// full check gives).
    fn give_way(
        &self,
        r: usize,
        only: Option<usize>,
        scan: &Scan,
        script: bool,
        findings: &mut Vec<Finding>,
    ) {
        let info = &self.rules[r].common.info;
        if !findings.iter().any(|f| Arc::ptr_eq(&f.rule, info)) {
            return;
        }
        let targets = &self.rules[r].yields_to;
        let is_target = |f: &Finding| {
            targets
                .iter()
                .any(|&t| Arc::ptr_eq(&f.rule, &self.any_rule(t).common.info))
        };
        let mut turns: Vec<usize> = findings
            .iter()
            .filter(|f| is_target(f))
            .map(|f| f.turn)
            .collect();
        // Rules not evaluated above: all but `r` when only `r` was, and the shadow rules.
        let mut extra = Vec::new();
        for &t in targets {
            let rule = self.any_rule(t);
            let done = t < self.rules.len() && only.is_none();
            if !done && Some(t) != only && !(script && rule.kind.conversation_level()) {
                rule.kind.evaluate(&rule.common, scan, &mut extra);
            }
        }
        turns.extend(extra.iter().map(|f| f.turn));
        if !turns.is_empty() {
            findings.retain(|f| !(Arc::ptr_eq(&f.rule, info) && turns.contains(&f.turn)));
        }
    }
}

/// A `yields_to` entry waiting for every pack to be read: the yielding rule's index, the id
/// it names, its pack, and the id's place when it may be wrong.
type PendingYield = (usize, String, String, Option<(usize, usize)>);

/// Config-level changes to a rule.
#[derive(Debug, Clone, Default)]
pub struct RuleOverride {
    pub severity: Option<Severity>,
    pub disabled: bool,
    /// The rule's learned detector: off, or another threshold.
    pub learned: Option<LearnedOverride>,
}

/// A config's change to a rule's learned detector: off, on at the pack's threshold, or on at
/// another threshold (whatever the engine-wide switch says).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LearnedOverride {
    Off,
    On,
    Threshold(f64),
}

/// What is wrong with a rule's learned detector: in the pack (the text to point at, the
/// message) or in the config's entry for the rule.
enum LearnedError {
    Pack(String, String),
    Config(String),
}

/// Builds an `Engine` from packs and overrides; immutable once built.
#[derive(Default)]
pub struct EngineBuilder {
    packs: Vec<PackSource>,
    overrides: BTreeMap<String, RuleOverride>,
    check_examples: bool,
    /// Learned detectors switched on for every rule that has one (`--learned`); off by
    /// default (docs/accuracy.md, question 5).
    learned: bool,
    /// No learned detector at all, whatever the rule overrides say (`--no-learned`).
    patterns_only: bool,
}

impl EngineBuilder {
    pub fn new() -> EngineBuilder {
        EngineBuilder {
            check_examples: true,
            ..Default::default()
        }
    }

    pub fn pack(mut self, src: PackSource) -> Self {
        self.packs.push(src);
        self
    }

    pub fn packs(mut self, srcs: impl IntoIterator<Item = PackSource>) -> Self {
        self.packs.extend(srcs);
        self
    }

    pub fn override_rule(mut self, id: &str, o: RuleOverride) -> Self {
        self.overrides.insert(id.to_string(), o);
        self
    }

    /// Whether a rule whose own examples fail makes the build fail (on by default, as
    /// DESIGN.md asks; `rules test` turns it off to list every failure instead). Only packs
    /// loaded from files are checked here; the embedded packs are checked by the test suite.
    pub fn check_examples(mut self, yes: bool) -> Self {
        self.check_examples = yes;
        self
    }

    /// Whether rules with `learned:` use their learned detector unless a rule override
    /// says otherwise (off by default; `--learned` or the config's `learned: true`). A
    /// pack's `learned:` is checked either way.
    pub fn learned(mut self, yes: bool) -> Self {
        self.learned = yes;
        self
    }

    /// No learned detector for any rule, whatever the config's rule entries say.
    pub fn patterns_only(mut self, yes: bool) -> Self {
        self.patterns_only = yes;
        self
    }

    /// A rule's learned detector after the config's changes, or what is wrong with its
    /// `learned:` (in the pack, or in the config's entry for the rule).
    fn learned_use(
        &self,
        rd: &pack::RuleDef,
        ov: &RuleOverride,
    ) -> Result<Option<crate::learned::Use>, LearnedError> {
        let Some(l) = &rd.learned else {
            if ov.learned.is_some() {
                return Err(LearnedError::Config(format!(
                    "`rules:` entry for `{}` sets `learned`, but the rule has no learned detector",
                    rd.id
                )));
            }
            return Ok(None);
        };
        let name = l.model.as_deref().unwrap_or(&rd.id);
        let table = crate::learned::builtin();
        let Some(model) = table.model(name) else {
            let names = table.models().iter().map(|m| m.name.as_str());
            return Err(LearnedError::Pack(
                if l.model.is_some() { name } else { "learned:" }.to_string(),
                format!(
                    "`learned` names no built-in model `{name}`{}",
                    crate::pack::suggest::did_you_mean(name, names)
                ),
            ));
        };
        let (on, threshold) = match ov.learned {
            Some(LearnedOverride::Off) => (false, l.threshold),
            Some(LearnedOverride::On) => (true, l.threshold),
            Some(LearnedOverride::Threshold(t)) => (true, t),
            None => (self.learned, l.threshold),
        };
        if !(threshold > 0.0 && threshold <= 1.0) {
            let message = format!("`learned` threshold {threshold} is not above 0 and at most 1");
            return Err(match ov.learned {
                Some(_) => {
                    LearnedError::Config(format!("`rules:` entry for `{}`: {message}", rd.id))
                }
                None => LearnedError::Pack("threshold".into(), message),
            });
        }
        Ok((on && !self.patterns_only).then_some(crate::learned::Use { model, threshold }))
    }

    pub fn build(self) -> Result<Engine, Vec<PackError>> {
        let mut errors = Vec::new();
        let mut mb = MatcherBuilder::default();
        mb.reserve(
            self.packs
                .iter()
                .map(|s| pattern::precompiled_sequences(pack::precompiled_patterns(s)))
                .sum(),
        );
        let mut rules = Vec::new();
        let mut seen: HashMap<String, String> = HashMap::new();
        let mut pack_names: HashSet<String> = HashSet::new();
        // (rule index, rule id it yields to, pack, position of the id when it may be wrong).
        let mut yields: Vec<PendingYield> = Vec::new();
        // Rules switched off in the config that another rule yields to are still compiled
        // and run (`shadow`), without findings of their own: the excuse that takes an
        // apology back does so whether or not its own warning is wanted.
        let parsed: Vec<_> = self.packs.iter().map(pack::parse_pack).collect();
        let yielded: HashSet<&str> = parsed
            .iter()
            .flatten()
            .flat_map(|d| d.rules.iter().flat_map(|r| r.yields_to.iter()))
            .map(String::as_str)
            .collect();
        let mut shadow = Vec::new();
        for (src, parsed) in self.packs.iter().zip(&parsed) {
            let def = match parsed {
                Ok(d) => d,
                Err(e) => {
                    errors.push(e.clone());
                    continue;
                }
            };
            // Positions are needed only for errors: the locator is built on the first one.
            let loc_cell = std::cell::OnceCell::new();
            let loc = || loc_cell.get_or_init(|| Locator::new(&src.text, def));
            pattern::pack_cache(true);
            pattern::use_precompiled(pack::precompiled_patterns(src));
            mb.new_pack();
            // Lists and classes share one namespace, `@name` in patterns.
            let mut classes: Classes = def.lists.clone();
            for (name, entries) in &def.classes {
                if classes.insert(name.clone(), entries.clone()).is_some() {
                    let pos = loc().anywhere(&format!("{name}:"), 1).unwrap_or((1, 1));
                    errors.push(PackError {
                        origin: src.origin.clone(),
                        line: pos.0,
                        column: pos.1,
                        message: format!("`{name}` is both a list and a class"),
                    });
                }
            }
            // One copy, shared with the rules for `rules explain`.
            let lists = Arc::new(classes);
            let classes: &Classes = &lists;
            let err = |(line, column): (usize, usize), message: String| PackError {
                origin: src.origin.clone(),
                line,
                column,
                message,
            };
            if !pack_names.insert(def.pack.clone()) {
                let pos = loc().anywhere("pack:", 1).unwrap_or((1, 1));
                errors.push(err(pos, format!("pack `{}` is loaded twice", def.pack)));
                continue;
            }
            for (name, list) in classes {
                // `normalize_phrase(p)` is empty exactly when `p` is all white space (it only
                // straightens quotes and dashes and folds case), without building it.
                if list.iter().any(|p| p.trim().is_empty()) {
                    let pos = loc().anywhere(&format!("{name}:"), 1).unwrap_or((1, 1));
                    errors.push(err(pos, format!("list `{name}` has an empty phrase")));
                }
            }
            for (ri, rd) in def.rules.iter().enumerate() {
                if let Some(first) = seen.get(&rd.id) {
                    errors.push(err(
                        loc().rule(ri),
                        format!("duplicate rule id `{}` (already defined in {first})", rd.id),
                    ));
                    continue;
                }
                seen.insert(rd.id.clone(), src.origin.clone());
                if !valid_id(&rd.id) {
                    errors.push(err(
                        loc().rule(ri),
                        format!(
                            "rule id `{}` must be lower-case letters, digits and dashes",
                            rd.id
                        ),
                    ));
                    continue;
                }
                let ov = self.overrides.get(&rd.id).cloned().unwrap_or_default();
                if ov.disabled && !yielded.contains(rd.id.as_str()) {
                    continue;
                }
                let learned = match self.learned_use(rd, &ov) {
                    Ok(u) => u,
                    Err(LearnedError::Config(message)) => {
                        errors.push(PackError {
                            origin: "config".into(),
                            line: 0,
                            column: 0,
                            message,
                        });
                        continue;
                    }
                    Err(LearnedError::Pack(needle, message)) => {
                        let pos = loc().in_rule(ri, &needle);
                        errors.push(err(pos, format!("rule `{}`: {message}", rd.id)));
                        continue;
                    }
                };
                match rules::compile(rd, classes, &mut mb) {
                    Ok(kind) => {
                        let info = Arc::new(RuleInfo {
                            id: rd.id.clone(),
                            pack: def.pack.clone(),
                            category: rd.category.clone().unwrap_or_else(|| "general".into()),
                            severity: rd.severity,
                            message: rd.message.clone(),
                            why: rd.why.trim().to_string(),
                            fix: rd.fix.trim().to_string(),
                        });
                        let (unless, window, fields) = (kind.1, rd.window, kind.2);
                        let to = if ov.disabled { &mut shadow } else { &mut rules };
                        to.push(CompiledRule {
                            common: RuleCommon {
                                severity: ov.severity.unwrap_or(rd.severity),
                                info,
                                speaker: rd.speaker,
                                window: window.filter(|w| *w != WindowDef::default()),
                                unless,
                            },
                            kind: kind.0,
                            def: rd.clone(),
                            pack_origin: src.origin.clone(),
                            lists: lists.clone(),
                            matchers: fields,
                            yields_to: Vec::new(),
                            learned,
                        });
                        for target in &rd.yields_to {
                            // Positions are worked out now (the pack's text is at hand);
                            // whether the id exists is known once every pack is read.
                            let pos = if target == &rd.id || !seen.contains_key(target) {
                                let key = loc().in_rule(ri, "yields_to");
                                Some(loc().anywhere(target, key.0).unwrap_or(key))
                            } else {
                                None
                            };
                            let at = if ov.disabled {
                                usize::MAX - (shadow.len() - 1)
                            } else {
                                rules.len() - 1
                            };
                            yields.push((at, target.clone(), src.origin.clone(), pos));
                        }
                    }
                    Err(RuleError {
                        field,
                        needle,
                        message,
                    }) => {
                        let pos = match needle.as_deref() {
                            Some(n) => loc().in_rule(ri, n),
                            None => match field {
                                Some(f) => loc().in_rule(ri, &format!("{f}:")),
                                None => loc().rule(ri),
                            },
                        };
                        errors.push(err(pos, format!("rule `{}`: {message}", rd.id)));
                    }
                }
            }
        }
        pattern::pack_cache(false);
        let known: Vec<&str> = seen.keys().map(String::as_str).collect();
        for (r, target, origin, pos) in &yields {
            let own = match rules.get(*r) {
                Some(rule) => &rule.common.info.id,
                None => &shadow[usize::MAX - r].common.info.id,
            };
            let message = if target == own {
                format!("rule `{own}`: `yields_to` names the rule itself")
            } else if !seen.contains_key(target) {
                format!(
                    "rule `{own}`: `yields_to` names unknown rule `{target}`{}",
                    crate::pack::suggest::did_you_mean(target, known.iter().copied())
                )
            } else {
                continue;
            };
            let (line, column) = pos.unwrap_or((0, 0));
            errors.push(PackError {
                origin: origin.clone(),
                line,
                column,
                message,
            });
        }
        for id in self.overrides.keys() {
            if !seen.contains_key(id) {
                errors.push(PackError {
                    origin: "config".into(),
                    line: 0,
                    column: 0,
                    message: format!("`rules:` override names unknown rule `{id}`"),
                });
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let matchers = mb.build().map_err(|m| {
            vec![PackError {
                origin: "rule packs".into(),
                line: 0,
                column: 0,
                message: m,
            }]
        })?;
        let by_id: HashMap<String, usize> = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.common.info.id.clone(), i))
            .collect();
        // Indices past the rules are the shadow rules'; a shadow rule's own yields do not
        // matter (it has no findings to give up).
        let shadow_at: HashMap<&str, usize> = shadow
            .iter()
            .enumerate()
            .map(|(j, r)| (r.common.info.id.as_str(), rules.len() + j))
            .collect();
        for (r, target, ..) in yields {
            let t = by_id
                .get(&target)
                .or_else(|| shadow_at.get(target.as_str()));
            if let (Some(&t), Some(rule)) = (t, rules.get_mut(r)) {
                rule.yields_to.push(t);
            }
        }
        drop(shadow_at);
        let yielding = (0..rules.len())
            .filter(|&r| !rules[r].yields_to.is_empty())
            .collect();
        let learned = (0..rules.len())
            .filter(|&r| rules[r].learned.is_some())
            .collect();
        let engine = Engine {
            matchers,
            rules,
            by_id,
            yielding,
            shadow,
            learned,
        };
        if self.check_examples {
            let failures = crate::examples::run_loaded(&engine);
            if !failures.is_empty() {
                let texts: HashMap<&str, &str> = self
                    .packs
                    .iter()
                    .map(|p| (p.origin.as_str(), &*p.text))
                    .collect();
                return Err(failures
                    .iter()
                    .map(|f| f.to_error(texts.get(f.origin.as_str()).copied()))
                    .collect());
            }
        }
        Ok(engine)
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn is_word_before(bytes: &[u8], at: usize) -> bool {
    let b = bytes[at - 1];
    if b.is_ascii() {
        return b.is_ascii_alphanumeric() || b == b'_';
    }
    let mut i = at - 1;
    while i > 0 && (bytes[i] & 0xC0) == 0x80 {
        i -= 1;
    }
    std::str::from_utf8(&bytes[i..at])
        .ok()
        .and_then(|s| s.chars().next())
        .is_some_and(is_word_char)
}

fn is_word_after(bytes: &[u8], at: usize) -> bool {
    let b = bytes[at];
    if b.is_ascii() {
        return b.is_ascii_alphanumeric() || b == b'_';
    }
    let end = (at + 4).min(bytes.len());
    let s = match std::str::from_utf8(&bytes[at..end]) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&bytes[at..at + e.valid_up_to()]).unwrap_or(""),
    };
    s.chars().next().is_some_and(is_word_char)
}

/// Canonical form of a phrase: lower-case, straight quotes, single spaces.
pub fn normalize_phrase(p: &str) -> String {
    let mut out = String::with_capacity(p.len());
    let mut space = false;
    for c in p.trim().chars() {
        let c = straighten(c);
        if c.is_whitespace() {
            space = true;
            continue;
        }
        if space && !out.is_empty() {
            out.push(' ');
        }
        space = false;
        out.extend(c.to_lowercase());
    }
    out
}

#[inline]
fn straighten(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201B}' | '\u{2032}' | '`' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201F}' | '\u{2033}' => '"',
        '\u{2013}' | '\u{2014}' => '-',
        _ => c,
    }
}

/// Whether `normalize_text` would change `b`: tabs and line breaks, runs of spaces, the
/// backtick, and the lead bytes of non-ASCII spaces (U+00A0, U+1680, U+2000–U+205F, U+3000),
/// curly quotes and dashes (U+2018–U+201F, U+2013/4); with `unicode_case`, any non-ASCII.
#[inline]
fn needs_normalizing(b: &[u8], unicode_case: bool) -> bool {
    // Fast path for the common turn, printable ASCII: branch-free folds the compiler
    // vectorises, instead of a branch per byte.
    let printable = b.iter().fold(true, |ok, &c| {
        ok & ((0x20..0x7f).contains(&c) & (c != b'`'))
    });
    if printable {
        return b
            .iter()
            .zip(b.iter().skip(1))
            .fold(false, |any, (&x, &y)| any | ((x == b' ') & (y == b' ')));
    }
    let mut prev_space = false;
    for &c in b {
        match c {
            b' ' => {
                if prev_space {
                    return true;
                }
                prev_space = true;
                continue;
            }
            b'\t' | b'\n' | b'\r' | 0x0B | 0x0C | b'`' | 0xC2 | 0xE1 | 0xE2 | 0xE3 => return true,
            0x80.. if unicode_case => return true,
            _ => {}
        }
        prev_space = false;
    }
    false
}

/// Writes a normalised copy of `text` (straight quotes, single spaces, and with
/// `unicode_case` lower case beyond ASCII) into `out` with `map` from each output byte to its
/// source byte. Returns false, touching nothing, when the text is already normal — the common
/// case, which costs one pass over the bytes.
fn normalize_text(text: &str, out: &mut String, map: &mut Vec<u32>, unicode_case: bool) -> bool {
    if !needs_normalizing(text.as_bytes(), unicode_case) {
        return false;
    }
    out.clear();
    map.clear();
    let mut prev_space = false;
    for (i, c) in text.char_indices() {
        let c = straighten(c);
        if c.is_whitespace() {
            if prev_space {
                continue;
            }
            prev_space = true;
            out.push(' ');
            map.push(i as u32);
            continue;
        }
        prev_space = false;
        let before = out.len();
        if unicode_case && !c.is_ascii() {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
        // Output bytes map to the same source bytes when the lengths agree, else to the
        // character's start (matches only ever begin and end on character boundaries).
        let same = out.len() - before == c.len_utf8();
        for k in 0..out.len() - before {
            map.push((i + if same { k } else { 0 }) as u32);
        }
    }
    map.push(text.len() as u32);
    true
}

/// An engine of one pack given as text, for unit tests: pack errors as strings.
#[cfg(test)]
pub(crate) fn test_engine(text: &str, check_examples: bool) -> Result<Engine, String> {
    EngineBuilder::new()
        .pack(PackSource::new("t.yaml", text))
        .check_examples(check_examples)
        .build()
        .map_err(|e| {
            e.iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The turns of matcher `m`'s hits when `e` scans `text` (an example transcript).
    fn hit_turns(e: &Engine, text: &str, m: MatcherId) -> Vec<u32> {
        let t = crate::examples::example_transcript(text).unwrap();
        let mut s = Scratch::default();
        e.matchers.scan(&t, &mut s);
        s.hits
            .iter()
            .filter(|h| h.matcher == m)
            .map(|h| h.turn)
            .collect()
    }

    /// The built-in packs read their patterns from the table build.rs precompiled: every
    /// pattern string is in it, and reading it gives exactly the sequences (and origins)
    /// compiling the same packs from their YAML gives.
    #[test]
    fn builtin_patterns_are_all_precompiled() {
        let before = pattern::precompiled_misses();
        let pre = EngineBuilder::new()
            .packs(PackSource::all_builtin())
            .build()
            .expect("built-in packs compile");
        assert_eq!(
            pattern::precompiled_misses(),
            before,
            "patterns missing from the table"
        );
        let fresh = EngineBuilder::new()
            .packs(
                PackSource::all_builtin()
                    .into_iter()
                    .map(|s| PackSource::new(s.origin, s.text)),
            )
            .build()
            .expect("built-in packs compile from YAML");
        let (a, b) = (&pre.matchers, &fresh.matchers);
        assert_eq!(a.flats.len(), b.flats.len());
        // Compared through what the engine reads of a sequence (a precompiled one reads its
        // elements on first use).
        let seen = |f: &Flat| {
            format!(
                "{:?} {} {} {:?} {:?}",
                f.anchor_test(),
                f.anchor,
                f.max_width,
                f.left_elems(),
                f.right_elems()
            )
        };
        for (x, y) in a.flats.iter().zip(&b.flats) {
            assert_eq!(seen(x), seen(y));
        }
        assert_eq!(format!("{:?}", a.origins), format!("{:?}", b.origins));
        let extras = |m: &Matchers| {
            m.extras
                .iter()
                .map(|x| {
                    let l = |v: &[(Arc<str>, u32)]| {
                        v.iter()
                            .map(|(s, f)| format!("{s} {}", seen(&m.flats[*f as usize])))
                            .collect::<Vec<_>>()
                    };
                    (l(&x.except), l(&x.not_near), x.within)
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(extras(a), extras(b));
        assert_eq!(a.strings, b.strings);
    }

    /// Two engines used one after the other on one thread: the per-thread scan buffers hold
    /// what one engine's groups and required-word tests found in a turn, and must not answer
    /// for the other's (whose groups and tests are numbered from zero too).
    #[test]
    fn engines_on_one_thread_keep_their_scan_state_apart() {
        let rule = |id: &str, pattern: &str| {
            format!(
                "  - id: {id}\n    severity: warning\n    message: m\n    why: w\n    fix: f\n    match: {{ patterns: [\"{pattern}\"] }}\n"
            )
        };
        // Engine `a`: many groups with required words the text lacks.
        let mut a = String::from("pack: a\nrules:\n");
        for (i, w) in ["zebra", "yak", "walrus", "vole", "urchin", "tapir", "stoat"]
            .iter()
            .enumerate()
        {
            a.push_str(&rule(&format!("a-{i}"), &format!("the {w} was ~0-3 sorry")));
        }
        let b = format!(
            "pack: b\nrules:\n{}",
            rule("b-late", "the parcel was ~0-3 late")
        );
        let (a, b) = (
            test_engine(&a, false).unwrap(),
            test_engine(&b, false).unwrap(),
        );
        let text = "Agent: the parcel was very late and I am sorry to say so";
        let t = crate::examples::example_transcript(text).unwrap();
        for _ in 0..2 {
            assert!(a.check(&t).findings.is_empty());
            let found = b.check(&t).findings;
            assert_eq!(found.len(), 1, "engine b after engine a: {found:?}");
        }
    }

    /// The anchor look-up finds a pattern's anchor word in every reading the tokenizer
    /// gives it: upper case, a curly-apostrophe contraction, a British spelling, the second
    /// reading of "'s", and a prefix at the start of a longer word.
    #[test]
    fn anchor_lookup_finds_every_reading_of_the_anchor() {
        let rule = |id: &str, pattern: &str, flag: &str, pass: &str| {
            format!(
                "  - id: {id}\n    severity: warning\n    message: m\n    why: w\n    fix: f\n    match: {{ patterns: [\"{pattern}\"] }}\n    examples: {{ flag: [\"Agent: {flag}\"], pass: [\"Agent: {pass}\"] }}\n"
            )
        };
        let pack = [
            "pack: t\nrules:\n".to_string(),
            rule(
                "t-upper",
                "refund~ declined",
                "REFUNDS DECLINED",
                "refunds approved",
            ),
            rule(
                "t-curly",
                "we can not",
                "We can\u{2019}t, sorry",
                "We can, gladly",
            ),
            rule(
                "t-spelling",
                "apologize for",
                "I apologise for that",
                "I apologize to you",
            ),
            rule("t-has", "it has gone", "it's gone missing", "it is here"),
            rule("t-prefix", "so frustrat*", "so frustrating", "so calm"),
        ]
        .concat();
        // check_examples: every flag example must be flagged and every pass example not.
        test_engine(&pack, true).unwrap_or_else(|e| panic!("{e}"));
    }

    /// An emoji anchors a pattern on its own (it is looked up like a word), alone or after
    /// words; an ASCII mark alone still cannot anchor one.
    #[test]
    fn emoji_anchor_patterns_and_ascii_marks_do_not() {
        let pack = |pattern: &str, flag: &str, pass: &str| {
            format!(
                "pack: t\nrules:\n  - id: t-emoji\n    severity: warning\n    message: m\n    why: w\n    fix: f\n    match: {{ patterns: [\"{pattern}\"] }}\n    examples: {{ flag: [\"Agent: {flag}\"], pass: [\"Agent: {pass}\"] }}\n"
            )
        };
        for (pattern, flag, pass) in [
            (
                "[\u{1f62d}|\u{1f92c}]",
                "lost it all \u{1f62d}",
                "lost it all \u{1f602}",
            ),
            ("\u{1f62d}", "\u{1f62d}\u{1f62d} again", "again"),
            (
                "so tired \u{1f62d}",
                "so tired, \u{1f62d}",
                "so tired \u{1f602}",
            ),
        ] {
            test_engine(&pack(pattern, flag, pass), true)
                .unwrap_or_else(|e| panic!("{pattern}: {e}"));
        }
        let err = test_engine(&pack("[?|!]", "what?", "what"), false)
            .err()
            .expect("ASCII marks alone cannot anchor");
        assert!(err.contains("to anchor on"), "{err}");
    }

    /// Two patterns anchored on different emoji sets are two groups: they were once grouped
    /// by their (empty) words and prefixes alone, so the second set was looked for as the
    /// first ("💀" in an `unless` never excused anything in a pack that also had "😭").
    #[test]
    fn different_emoji_anchors_are_different_groups() {
        let pack = "pack: t\nrules:\n  - id: t-cry\n    severity: warning\n    message: m\n    why: w\n    fix: f\n    match: { patterns: [\"[\u{1f62d}|\u{1f92c}]\"] }\n    examples: { flag: [\"Agent: oh \u{1f62d}\"], pass: [\"Agent: oh \u{1f480}\"] }\n  - id: t-laugh\n    severity: warning\n    message: m\n    why: w\n    fix: f\n    match: { patterns: [\"[\u{1f602}|\u{1f480}]\"] }\n    examples: { flag: [\"Agent: oh \u{1f480}\", \"Agent: ha \u{1f602}\"], pass: [\"Agent: oh \u{1f62d}\"] }\n";
        test_engine(pack, true).unwrap_or_else(|e| panic!("{e}"));
    }

    /// A matcher is verified only in the turns of the roles some rule reads its hits in:
    /// an agent rule's phrase is not looked for in the customer's turns, a `conditional`
    /// trigger only in the `when_speaker`'s, a matcher two rules share (a YAML anchor) in
    /// both rules' turns, and a metric's `unless` in every turn.
    #[test]
    fn matchers_are_verified_only_in_turns_their_rules_read() {
        let pack = r#"
pack: t
rules:
  - id: t-agent
    severity: warning
    message: m
    match: { phrases: [refund] }
  - id: t-any
    severity: warning
    speaker: any
    message: m
    match: { phrases: [money back] }
  - id: t-answer
    kind: conditional
    severity: error
    message: m
    when: { phrases: [broken] }
    expect: { phrases: [sorry] }
  - id: t-shared-agent
    severity: warning
    message: m
    match: &shared { phrases: [voucher] }
  - id: t-shared-customer
    severity: warning
    speaker: customer
    message: m
    match: *shared
  - id: t-drop
    kind: metric
    severity: info
    message: m
    metric: customer_sentiment_shift
    min: -0.5
    unless: { phrases: [lol] }
"#;
        let e = test_engine(pack, false).unwrap_or_else(|e| panic!("{e}"));
        let text = "Customer: refund money back broken sorry voucher lol\n\
             Agent: refund money back broken sorry voucher lol";
        let turns = |rule: &str, field: &str| -> Vec<u32> {
            let (_, m) = *e
                .rule(rule)
                .unwrap()
                .matchers
                .iter()
                .find(|(f, _)| *f == field)
                .unwrap();
            hit_turns(&e, text, m)
        };
        assert_eq!(turns("t-agent", "match"), [1]);
        assert_eq!(turns("t-any", "match"), [0, 1]);
        assert_eq!(turns("t-answer", "when"), [0]);
        assert_eq!(turns("t-answer", "expect"), [1]);
        assert_eq!(turns("t-shared-agent", "match"), [0, 1]);
        assert_eq!(turns("t-drop", "unless"), [0, 1]);
    }

    /// A `conditional` rule with `trigger: first` reads its trigger's hits only up to the
    /// first one the agent had a chance to answer: the scan stops looking for it after that
    /// turn, and goes on for a trigger judged at every hit, or one another rule reads too.
    #[test]
    fn a_first_trigger_is_not_looked_for_after_its_first_answered_turn() {
        let rule = |id: &str, trigger: &str, when: &str| {
            format!(
                "  - id: {id}\n    kind: conditional\n    severity: error\n    message: m\n    \
                 trigger: {trigger}\n    when: {when}\n    expect: {{ phrases: [sorry] }}\n"
            )
        };
        let pack = format!(
            "pack: t\nrules:\n{}{}{}{}  - id: t-phrase\n    severity: warning\n    \
             speaker: customer\n    message: m\n    match: *shared\n",
            rule("t-first", "first", "{ phrases: [late] }"),
            rule("t-each", "each", "{ phrases: [broken] }"),
            rule("t-first-shared", "first", "&shared { phrases: [refund] }"),
            rule("t-first-later", "first", "{ phrases: [lost] }"),
        );
        let e = test_engine(&pack, false).unwrap_or_else(|e| panic!("{e}"));
        // Turn 0 has no agent turn after it to answer it; turn 1 has.
        let text = "Customer: hello\nCustomer: late late broken refund\nAgent: ok\n\
             Customer: late broken refund lost\nAgent: ok\nCustomer: late lost";
        let turns = |rule: &str| -> Vec<u32> {
            let (_, m) = e.rule(rule).unwrap().matchers[0];
            hit_turns(&e, text, m)
        };
        assert_eq!(turns("t-first"), [1, 1]);
        assert_eq!(turns("t-each"), [1, 3]);
        assert_eq!(turns("t-first-shared"), [1, 3]);
        assert_eq!(turns("t-first-later"), [3]);
        // And the rule judges that first trigger as before: answered or not.
        let t = crate::examples::example_transcript(text).unwrap();
        let f = e.check(&t).findings;
        assert!(f.iter().any(|f| f.rule.id == "t-first" && f.turn == 1));
    }

    /// The `expect` of such a rule is read only in the responder's turns before the first
    /// answered trigger and in the `within_turns` after it: the scan stops looking for it
    /// after those, unless another rule reads it too.
    #[test]
    fn an_answer_is_not_looked_for_after_the_answers_a_first_trigger_reads() {
        let pack = "pack: t\nrules:\n  - id: t-answer\n    kind: conditional\n    \
                    severity: error\n    message: m\n    trigger: first\n    within_turns: 2\n    \
                    when: { phrases: [late] }\n    expect: { phrases: [sorry] }\n  \
                    - id: t-each\n    kind: conditional\n    severity: error\n    message: m\n    \
                    within_turns: 2\n    when: { phrases: [late, delayed] }\n    expect: { phrases: [oops] }\n";
        let e = test_engine(pack, false).unwrap_or_else(|e| panic!("{e}"));
        let text = "Agent: sorry oops\nCustomer: late\nAgent: sorry oops\nCustomer: hm\n\
             Agent: sorry oops\nAgent: sorry oops\nCustomer: late";
        let turns = |rule: &str| -> Vec<u32> {
            let (_, m) = e.rule(rule).unwrap().matchers[1];
            hit_turns(&e, text, m)
        };
        assert_eq!(turns("t-answer"), [0, 2, 4]);
        assert_eq!(turns("t-each"), [0, 2, 4, 5]);
    }

    /// A rule's `unless` is looked for only in the turns where the hits it may excuse are
    /// (a phrase rule's `match`), unless another rule reads it more widely.
    #[test]
    fn an_unless_is_looked_for_only_beside_the_hits_it_excuses() {
        let pack = r#"
pack: t
rules:
  - id: t-phrase
    severity: warning
    message: m
    match: { phrases: [policy] }
    unless: { phrases: [instead] }
  - id: t-shared
    severity: warning
    message: m
    match: { phrases: [rules] }
    unless: &shared { phrases: [however] }
  - id: t-drop
    kind: metric
    severity: info
    message: m
    metric: customer_sentiment_shift
    min: -0.5
    unless: *shared
"#;
        let e = test_engine(pack, false).unwrap_or_else(|e| panic!("{e}"));
        let text = "Customer: hi\nAgent: policy, instead however\nCustomer: ok\n\
             Agent: instead however rules\nCustomer: bye";
        let turns = |rule: &str| -> Vec<u32> {
            let m = e.rule(rule).unwrap().common.unless.unwrap();
            hit_turns(&e, text, m)
        };
        assert_eq!(turns("t-phrase"), [1]);
        assert_eq!(turns("t-shared"), [1, 3]);
    }

    /// A matcher's exclusions are grouped apart from its matches and verified only in turns
    /// where the matcher itself matched; there they still drop the matches they overlap.
    #[test]
    fn exclusions_are_verified_only_where_their_matcher_matched() {
        let pack = r#"
pack: t
rules:
  - id: t-refund
    severity: warning
    message: m
    match:
      phrases: [no refund]
      except: [no refund needed]
"#;
        let e = test_engine(pack, false).unwrap_or_else(|e| panic!("{e}"));
        let m = &e.matchers;
        for (gi, g) in m.groups.iter().enumerate() {
            for &fi in &g.members {
                let o = &m.origins[fi as usize];
                let want = match o.role {
                    Role::Match => UNGATED,
                    _ => OWN | o.matcher,
                };
                assert_eq!(m.gates[gi].beside, want, "{}", o.source);
            }
        }
        let t = crate::examples::example_transcript(
            "Customer: no refund needed\nAgent: no refund, sorry\nCustomer: ok\n\
             Agent: no refund needed then",
        )
        .unwrap();
        let turns: Vec<usize> = e.check(&t).findings.iter().map(|f| f.turn).collect();
        assert_eq!(turns, [1]);
    }

    /// A pattern anchored at "not" finds the contracted "n't" ("can't" is read as can + not).
    #[test]
    fn anchor_at_not_finds_contractions() {
        let pack = r#"
pack: t
rules:
  - id: t-cannot
    severity: warning
    message: '"{match}"'
    why: w
    fix: f
    match: { patterns: ["i can not"] }
    examples: { flag: ["Agent: I can't do that.", "Agent: i cannot", "Agent: I can not"], pass: ["Agent: I can do that."] }
"#;
        let e = test_engine(pack, true).unwrap_or_else(|e| panic!("{e}"));
        let f = e.rule("t-cannot").unwrap();
        let (_, m) = f.matchers[0];
        let flat = &e.matchers.flats[e.matchers.by_matcher[m as usize][0] as usize];
        assert_eq!(
            &*flat.anchor_test().words[0],
            "not",
            "the test needs `not` as the anchor"
        );
    }

    #[test]
    fn normalizes_quotes_and_spaces_with_offsets() {
        let (mut out, mut map) = (String::new(), Vec::new());
        let text = "I\u{2019}m  sorry";
        assert!(normalize_text(text, &mut out, &mut map, false));
        assert_eq!(out, "I'm sorry");
        // "sorry" starts at byte 4 in the normalised text and byte 7 in the source.
        assert_eq!(map[4], 7);
        assert_eq!(map[out.len()] as usize, text.len());
        assert!(!normalize_text("plain text", &mut out, &mut map, false));
        assert!(normalize_text("a\u{a0}b", &mut out, &mut map, false));
        assert_eq!(out, "a b");
        assert!(normalize_text("D\u{c9}SOL\u{c9}", &mut out, &mut map, true));
        assert_eq!(out, "D\u{e9}SOL\u{e9}");
        assert!(!normalize_text(
            "D\u{c9}SOL\u{c9}",
            &mut out,
            &mut map,
            false
        ));
    }

    #[test]
    fn contrast_frame_needs_the_clause_to_end_at_not() {
        let mut classes = pattern::Classes::new();
        classes.insert("tp".into(), vec!["bank".into(), "billing".into()]);
        classes.insert("us".into(), vec!["we".into(), "us".into(), "i".into()]);
        let flats: Vec<pattern::Flat> = contrast_frame("@tp", "@us")
            .iter()
            .flat_map(|p| pattern::compile(p, &classes).unwrap())
            .collect();
        let hit = |text: &str| {
            let mut toks = crate::tokens::Tokens::default();
            toks.tokenize(text);
            flats
                .iter()
                .any(|f| (0..toks.len()).any(|k| f.verify(&toks, k).is_some()))
        };
        assert!(hit("The bank decides that, we don't."));
        assert!(hit("The bank decides, we don't, sorry."));
        assert!(hit("Billing handles refunds, not us."));
        assert!(!hit("Your bank has approved it, I don't see any problem."));
    }

    #[test]
    fn builtin_sequences_fit_the_room_reserved_for_them() {
        // `EngineBuilder::build` reserves room for the packs' sequences once, from their
        // precompiled tables: the count must cover every sequence (a shortfall grows both
        // vectors by doubling, copying them at every start) without being far over it.
        let packs = PackSource::all_builtin();
        let reserved: usize = packs
            .iter()
            .map(|s| pattern::precompiled_sequences(pack::precompiled_patterns(s)))
            .sum();
        let e = EngineBuilder::new()
            .packs(packs)
            .build()
            .expect("built-in packs compile");
        let n = e.matchers.flats.len();
        assert!(n > 0 && n <= reserved, "{n} sequences, room for {reserved}");
        assert!(reserved < 2 * n, "{n} sequences, room for {reserved}");
        assert_eq!(pattern::precompiled_sequences(None), 0);
        assert_eq!(pattern::precompiled_sequences(Some(&[1, 0])), 0);
    }

    #[test]
    fn builtin_groups_verify_as_their_sequences_do() {
        // Every group of the built-in packs, at every token its anchor passes, finds exactly
        // what its members' own `Flat::verify` finds (the small-group test in src/group.rs,
        // on the real groups: hundreds of members, masks over several words).
        let e = EngineBuilder::new()
            .packs(PackSource::all_builtin())
            .build()
            .expect("built-in packs compile");
        let m = &e.matchers;
        let texts = [
            "I'm sorry about that, but honestly I'll fix it before you hang up.",
            "so sorry about that the tap is dripping because the washer we fitted was the wrong size that one is on us i'll send someone today",
            "Sorry about that, the reason is our depot changed its software last week.",
            "I'm so sorry, but rest assured we will have it sorted today.",
        ];
        let mut s = crate::group::GroupScratch::default();
        let mut toks = Tokens::default();
        let mut compared = 0;
        for text in texts {
            toks.tokenize(text);
            for g in &m.groups {
                for k in 0..toks.len() {
                    let mut got = Vec::new();
                    g.verify(&m.flats, &m.registry, &toks, k, &mut s, |f, a, b| {
                        got.push((f, a, b))
                    });
                    got.sort_unstable();
                    let mut want: Vec<(u32, usize, usize)> = if g.anchor().matches(&toks, k) {
                        g.members
                            .iter()
                            .filter_map(|&f| {
                                let (a, b) = m.flats[f as usize].verify(&toks, k)?;
                                Some((f, a, b))
                            })
                            .collect()
                    } else {
                        Vec::new()
                    };
                    want.sort_unstable();
                    assert_eq!(got, want, "{text:?} at token {k}");
                    compared += want.len();
                }
            }
        }
        assert!(compared > 20, "only {compared} matches compared");
    }

    #[test]
    fn phrase_normal_form() {
        assert_eq!(normalize_phrase("  I\u{2019}M   Sorry "), "i'm sorry");
    }
}
