//! The compiled rule set. Every phrase of every loaded rule lives in ONE aho-corasick
//! automaton, together with the literals each regex requires (prefix or suffix, found by
//! regex-syntax), so each turn is scanned once however many rules are loaded; a regex runs
//! only on the turns where one of its literals occurred. Rule kinds then judge the hits.
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::sync::OnceLock;

use crate::finding::{Finding, RuleInfo, Severity};
use crate::pack::{self, Locator, MatcherDef, PackError, PackSource, WindowDef};
use crate::rules::{self, RuleCommon, RuleError, RuleKind};
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

/// A phrase as it goes into the automaton, with the word-boundary checks its ends need.
/// The same string may also be a literal some regexes require (`regexes`): an occurrence
/// makes those regexes run on the turn.
#[derive(Debug)]
struct Pattern {
    targets: Vec<MatcherId>,
    regexes: Vec<Trigger>,
    word_start: bool,
    word_end: bool,
}

/// A literal's claim on a regex: run regex `regex` when the literal occurs, if it is not
/// preceded (`word_start`) or followed (`word_end`) by an ASCII word character — set when
/// the regex has `\b` there.
#[derive(Debug, Clone, Copy)]
struct Trigger {
    regex: u32,
    word_start: bool,
    word_end: bool,
}

/// A literal every match of a regex contains, with the word boundaries the regex puts
/// around it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Literal {
    text: String,
    word_start: bool,
    word_end: bool,
}

/// Collects the phrases and regexes of all matchers while packs are compiled.
#[derive(Default)]
pub struct MatcherBuilder {
    phrases: Vec<String>,
    phrase_index: HashMap<String, usize>,
    patterns: Vec<Pattern>,
    regexes: Vec<String>,
    regex_index: HashMap<String, usize>,
    /// `regexes`, each compiled on its first use.
    compiled: Vec<LazyRegex>,
    regex_targets: Vec<Vec<MatcherId>>,
    count: MatcherId,
}

/// Why a matcher could not be compiled; `needle` is text to point the error at.
#[derive(Debug)]
pub struct MatcherError {
    pub needle: Option<String>,
    pub message: String,
}

impl MatcherBuilder {
    /// Registers a matcher and returns its id. `lists` are the pack's named lists.
    pub fn add(
        &mut self,
        def: &MatcherDef,
        lists: &BTreeMap<String, Vec<String>>,
    ) -> Result<MatcherId, MatcherError> {
        let id = self.count;
        let mut phrases: Vec<&str> = def.phrases.iter().map(String::as_str).collect();
        for name in &def.list {
            let list = lists.get(name).ok_or_else(|| MatcherError {
                needle: Some(name.clone()),
                message: format!(
                    "unknown list `{name}` (this pack defines: {})",
                    if lists.is_empty() {
                        "no lists".to_string()
                    } else {
                        lists.keys().cloned().collect::<Vec<_>>().join(", ")
                    }
                ),
            })?;
            phrases.extend(list.iter().map(String::as_str));
        }
        if phrases.is_empty() && def.regex.is_empty() {
            return Err(MatcherError {
                needle: None,
                message: "matcher is empty: give at least one of `phrases`, `regex` or `list`"
                    .into(),
            });
        }
        for raw in phrases {
            let phrase = normalize_phrase(raw);
            if phrase.is_empty() {
                return Err(MatcherError {
                    needle: Some(raw.to_string()),
                    message: "empty phrase".into(),
                });
            }
            let idx = self.pattern(phrase);
            if !self.patterns[idx].targets.contains(&id) {
                self.patterns[idx].targets.push(id);
            }
        }
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
                        .map_err(|e| MatcherError {
                            needle: Some(re.clone()),
                            message: format!("invalid regex `{re}`: {}", one_line(&e.to_string())),
                        })?;
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
        Ok(id)
    }

    /// Index of the automaton pattern for `phrase` (already normalised), added if new.
    fn pattern(&mut self, phrase: String) -> usize {
        if let Some(&i) = self.phrase_index.get(&phrase) {
            return i;
        }
        let i = self.phrases.len();
        self.patterns.push(Pattern {
            targets: Vec::new(),
            regexes: Vec::new(),
            word_start: phrase.chars().next().is_some_and(is_word_char),
            word_end: phrase.chars().next_back().is_some_and(is_word_char),
        });
        self.phrase_index.insert(phrase.clone(), i);
        self.phrases.push(phrase);
        i
    }

    fn build(mut self) -> Result<Matchers, String> {
        // Regexes with required literals run only when one occurs; the rest run on every turn.
        let mut always = Vec::new();
        for ri in 0..self.regexes.len() {
            match required_literals(&self.regexes[ri]) {
                Some(lits) => {
                    for lit in lits {
                        let idx = self.pattern(lit.text);
                        self.patterns[idx].regexes.push(Trigger {
                            regex: ri as u32,
                            word_start: lit.word_start,
                            word_end: lit.word_end,
                        });
                    }
                }
                None => always.push(ri as u32),
            }
        }
        // Phrases with non-ASCII letters need the text lower-cased beyond ASCII.
        let unicode_case = self.phrases.iter().any(|p| !p.is_ascii());
        // A DFA is the fastest scan, but its memory grows with the phrase text times the
        // alphabet (a 1.6 MB phrase set took 700 MB); past `DFA_MAX_PHRASE_BYTES` the crate's
        // own choice (a compact NFA) keeps memory near the phrase text's size.
        let phrase_bytes: usize = self.phrases.iter().map(String::len).sum();
        let kind = (phrase_bytes <= DFA_MAX_PHRASE_BYTES).then_some(AhoCorasickKind::DFA);
        let automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(kind)
            .build(&self.phrases)
            .or_else(|_| {
                // A very large phrase set can exceed the DFA's size limit; let the crate choose.
                AhoCorasick::builder()
                    .ascii_case_insensitive(true)
                    .build(&self.phrases)
            })
            .map_err(|e| e.to_string())?;
        let regexes = self.compiled;
        Ok(Matchers {
            automaton,
            patterns: self.patterns,
            regexes,
            regex_targets: self.regex_targets,
            always,
            unicode_case,
        })
    }
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
    automaton: AhoCorasick,
    patterns: Vec<Pattern>,
    regexes: Vec<LazyRegex>,
    regex_targets: Vec<Vec<MatcherId>>,
    /// Regexes without required literals: run on every turn.
    always: Vec<u32>,
    /// Some phrase has non-ASCII letters, so non-ASCII text is lower-cased before the scan.
    unicode_case: bool,
}

/// Buffers reused across turns and transcripts on one thread, so the scan allocates nothing
/// per turn once warmed up.
#[derive(Default)]
struct Scratch {
    norm: String,
    map: Vec<u32>,
    hits: Vec<Hit>,
    /// Regexes to run on the current turn.
    fired: Vec<u32>,
    /// Per regex, the turn generation in which it was last put in `fired`.
    stamp: Vec<u32>,
    generation: u32,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl Matchers {
    /// Scans every turn once, appending hits (in original byte offsets) to `hits`.
    fn scan(&self, t: &Transcript, scratch: &mut Scratch) {
        let Scratch {
            norm,
            map,
            hits,
            fired,
            stamp,
            generation,
        } = scratch;
        hits.clear();
        if stamp.len() != self.regexes.len() {
            stamp.clear();
            stamp.resize(self.regexes.len(), 0);
            *generation = 0;
        }
        for (ti, turn) in t.turns.iter().enumerate() {
            *generation = generation.wrapping_add(1);
            if *generation == 0 {
                stamp.iter_mut().for_each(|s| *s = 0);
                *generation = 1;
            }
            fired.clear();
            let identity = !normalize_text(&turn.text, norm, map, self.unicode_case);
            let text: &str = if identity { &turn.text } else { norm };
            let orig = |i: usize| -> u32 {
                if identity {
                    i as u32
                } else {
                    map[i]
                }
            };
            let bytes = text.as_bytes();
            for m in self.automaton.find_overlapping_iter(text) {
                let p = &self.patterns[m.pattern().as_usize()];
                for tr in &p.regexes {
                    let s = &mut stamp[tr.regex as usize];
                    if *s == *generation
                        || (tr.word_start && m.start() > 0 && is_ascii_word(bytes[m.start() - 1]))
                        || (tr.word_end && m.end() < bytes.len() && is_ascii_word(bytes[m.end()]))
                    {
                        continue;
                    }
                    *s = *generation;
                    fired.push(tr.regex);
                }
                if p.targets.is_empty() {
                    continue;
                }
                if p.word_start && m.start() > 0 && is_word_before(bytes, m.start()) {
                    continue;
                }
                if p.word_end && m.end() < bytes.len() && is_word_after(bytes, m.end()) {
                    continue;
                }
                let (s, e) = (orig(m.start()), orig(m.end()));
                for &matcher in &p.targets {
                    hits.push(Hit {
                        matcher,
                        turn: ti as u32,
                        start: s,
                        end: e,
                    });
                }
            }
            for &ri in fired.iter().chain(&self.always) {
                let ri = ri as usize;
                let Some(re) = self.regexes[ri].get() else {
                    continue;
                };
                for m in re.find_iter(text) {
                    if m.start() == m.end() {
                        continue;
                    }
                    let (s, e) = (orig(m.start()), orig(m.end()));
                    for &matcher in &self.regex_targets[ri] {
                        hits.push(Hit {
                            matcher,
                            turn: ti as u32,
                            start: s,
                            end: e,
                        });
                    }
                }
            }
        }
        hits.sort_unstable();
    }
}

/// What rules see of one scanned transcript: the transcript and every hit, grouped by matcher.
pub struct Scan<'a> {
    pub transcript: &'a Transcript,
    hits: &'a [Hit],
}

impl<'a> Scan<'a> {
    /// Builds a scan from hits sorted by (matcher, turn, start) — used by tests of rule kinds.
    pub fn new(transcript: &'a Transcript, hits: &'a [Hit]) -> Scan<'a> {
        Scan { transcript, hits }
    }

    /// All hits of matcher `m`, ordered by turn then start.
    pub fn hits(&self, m: MatcherId) -> &'a [Hit] {
        let lo = self.hits.partition_point(|h| h.matcher < m);
        let hi = self.hits.partition_point(|h| h.matcher <= m);
        &self.hits[lo..hi]
    }

    /// Hits of matcher `m` in one turn.
    pub fn turn_hits(&self, m: MatcherId, turn: usize) -> &'a [Hit] {
        let all = self.hits(m);
        let t = turn as u32;
        let lo = all.partition_point(|h| h.turn < t);
        let hi = all.partition_point(|h| h.turn <= t);
        &all[lo..hi]
    }
}

/// A compiled rule: its shared parts and its kind's logic.
pub struct CompiledRule {
    pub common: RuleCommon,
    pub kind: Box<dyn RuleKind>,
    pub def: pack::RuleDef,
    pub pack_origin: String,
    /// The pack's named lists, for documentation (`rules explain`).
    pub lists: Arc<BTreeMap<String, Vec<String>>>,
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

    /// Checks one transcript against every rule.
    pub fn check(&self, t: &Transcript) -> Checked {
        self.check_rules(t, None)
    }

    /// Checks one transcript against every rule, or only rule `only` (by index).
    pub fn check_rules(&self, t: &Transcript, only: Option<usize>) -> Checked {
        SCRATCH.with(|cell| {
            let mut scratch = cell.borrow_mut();
            self.matchers.scan(t, &mut scratch);
            let scan = Scan {
                transcript: t,
                hits: &scratch.hits,
            };
            let mut findings = Vec::new();
            let mut applicable = vec![false; self.rules.len()];
            let script = t.mode == crate::transcript::Mode::Script;
            for (i, rule) in self.rules.iter().enumerate() {
                if only.is_some_and(|o| o != i) || (script && rule.kind.conversation_level()) {
                    continue;
                }
                applicable[i] = rule.kind.evaluate(&rule.common, &scan, &mut findings);
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
}

/// Config-level changes to a rule.
#[derive(Debug, Clone, Default)]
pub struct RuleOverride {
    pub severity: Option<Severity>,
    pub disabled: bool,
}

/// Builds an `Engine` from packs and overrides; immutable once built.
#[derive(Default)]
pub struct EngineBuilder {
    packs: Vec<PackSource>,
    overrides: BTreeMap<String, RuleOverride>,
    check_examples: bool,
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

    pub fn build(self) -> Result<Engine, Vec<PackError>> {
        let mut errors = Vec::new();
        let mut mb = MatcherBuilder::default();
        let mut rules = Vec::new();
        let mut seen: HashMap<String, String> = HashMap::new();
        let mut pack_names: HashSet<String> = HashSet::new();
        for src in &self.packs {
            let def = match pack::parse_pack(src) {
                Ok(d) => d,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let loc = Locator::new(&src.text, &def);
            let lists = Arc::new(def.lists.clone());
            let err = |(line, column): (usize, usize), message: String| PackError {
                origin: src.origin.clone(),
                line,
                column,
                message,
            };
            if !pack_names.insert(def.pack.clone()) {
                let pos = loc.anywhere("pack:", 1).unwrap_or((1, 1));
                errors.push(err(pos, format!("pack `{}` is loaded twice", def.pack)));
                continue;
            }
            for (name, list) in &def.lists {
                if list.iter().any(|p| normalize_phrase(p).is_empty()) {
                    let pos = loc.anywhere(&format!("{name}:"), 1).unwrap_or((1, 1));
                    errors.push(err(pos, format!("list `{name}` has an empty phrase")));
                }
            }
            for (ri, rd) in def.rules.iter().enumerate() {
                if let Some(first) = seen.get(&rd.id) {
                    errors.push(err(
                        loc.rule(ri),
                        format!("duplicate rule id `{}` (already defined in {first})", rd.id),
                    ));
                    continue;
                }
                seen.insert(rd.id.clone(), src.origin.clone());
                if !valid_id(&rd.id) {
                    errors.push(err(
                        loc.rule(ri),
                        format!(
                            "rule id `{}` must be lower-case letters, digits and dashes",
                            rd.id
                        ),
                    ));
                    continue;
                }
                let ov = self.overrides.get(&rd.id).cloned().unwrap_or_default();
                if ov.disabled {
                    continue;
                }
                match rules::compile(rd, &def.lists, &mut mb) {
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
                        let (unless, window) = (kind.1, rd.window);
                        rules.push(CompiledRule {
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
                        });
                    }
                    Err(RuleError {
                        field,
                        needle,
                        message,
                    }) => {
                        let pos = match needle.as_deref() {
                            Some(n) => loc.in_rule(ri, n),
                            None => match field {
                                Some(f) => loc.in_rule(ri, &format!("{f}:")),
                                None => loc.rule(ri),
                            },
                        };
                        errors.push(err(pos, format!("rule `{}`: {message}", rd.id)));
                    }
                }
            }
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
        let by_id = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.common.info.id.clone(), i))
            .collect();
        let engine = Engine {
            matchers,
            rules,
            by_id,
        };
        if self.check_examples {
            let failures = crate::examples::run_loaded(&engine);
            if !failures.is_empty() {
                let texts: HashMap<&str, &str> = self
                    .packs
                    .iter()
                    .map(|p| (p.origin.as_str(), p.text.as_str()))
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

#[inline]
fn is_ascii_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn phrase_normal_form() {
        assert_eq!(normalize_phrase("  I\u{2019}M   Sorry "), "i'm sorry");
    }
}
