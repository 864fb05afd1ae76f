//! The learned detector: a logistic-regression model per rule that scores an agent turn from
//! its words, word pairs and a few cues (and, for some rules, the customer turn before it),
//! trained on the annotated transcripts of `corpora/` by `examples/turn_model` (`export`).
//! A rule opts in with `learned: {threshold: T}`; the engine then adds a finding on an agent
//! turn the rule's patterns do not flag when the model's score reaches T
//! (docs/rule-language.md, "Learned detector").
//!
//! The features are exactly those the experiment trained on (`examples/complaint_model/
//! scorer.rs`): the tokenizer's normalised words (`w:WORD`, numbers as `#num`) and adjacent
//! pairs within a sentence (`b:WORD WORD`), the VADER compound score (`cue:vader`, and
//! `cue:vader_neg` at or below -0.05), and whether the turn has a negation, a `?` or a `!`;
//! binary, then scaled to unit length. With context, the agent turn's block is scaled to
//! squared length 0.7 and the last customer turn's block (names prefixed `c:`) to 0.3. Here
//! names are hashed as they are produced (`table::Key`), never built as strings.
pub mod table;

use std::sync::{Arc, OnceLock};

use crate::finding::Finding;
use crate::sentiment::TurnSentiment;
use crate::tokens::{Kind, Tokens};
use crate::transcript::{Role, Transcript};
use table::Key;

/// The words the negation cue looks for (the tokenizer has already expanded "don't").
const NEGATIONS: &[&str] = &[
    "not", "no", "never", "nothing", "nobody", "none", "nowhere", "neither", "nor", "without",
];
/// Share of the squared length the customer turn before gets in a context model.
const CONTEXT_SHARE: f64 = 0.3;

/// The built-in models' table, written by build.rs from `rules/models/turn-models.tsv`.
static BUILTIN: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/turn-models.bin"));

/// One model of a table.
#[derive(Debug, Clone)]
pub struct ModelInfo {
    pub name: String,
    /// The last customer turn before the agent turn is part of the input.
    pub context: bool,
    pub bias: f64,
}

/// A weight table read in place (see `table` for the layout).
pub struct Table<'a> {
    b: &'a [u8],
    models: Vec<ModelInfo>,
    rows: usize,
    slots: usize,
    slots_at: usize,
    weights_at: usize,
    offsets_at: usize,
    names_at: usize,
}

fn u32_at(b: &[u8], at: usize) -> Result<u32, String> {
    b.get(at..at + 4)
        .map(|x| u32::from_le_bytes(x.try_into().unwrap_or_default()))
        .ok_or_else(|| "table cut short".to_string())
}

impl<'a> Table<'a> {
    /// Reads the header of a table; the rest is read in place when scoring.
    pub fn read(b: &'a [u8]) -> Result<Table<'a>, String> {
        if b.get(..8) != Some(&table::MAGIC[..]) {
            return Err("not a learned-model table".into());
        }
        let (n, rows, slots) = (
            u32_at(b, 8)? as usize,
            u32_at(b, 12)? as usize,
            u32_at(b, 16)? as usize,
        );
        if !slots.is_power_of_two() {
            return Err("table slots are not a power of two".into());
        }
        let mut at = 20;
        let mut models = Vec::with_capacity(n);
        for _ in 0..n {
            let len = u32_at(b, at)? as usize;
            let name = b
                .get(at + 4..at + 4 + len)
                .and_then(|x| std::str::from_utf8(x).ok())
                .ok_or("table cut short")?;
            at += 4 + len;
            let context = *b.get(at).ok_or("table cut short")? == 1;
            let bias = b
                .get(at + 1..at + 9)
                .map(|x| f64::from_le_bytes(x.try_into().unwrap_or_default()))
                .ok_or("table cut short")?;
            at += 9;
            models.push(ModelInfo {
                name: name.to_string(),
                context,
                bias,
            });
        }
        let slots_at = at;
        let weights_at = slots_at + slots * 12;
        let offsets_at = weights_at + rows * n * 4;
        let names_at = offsets_at + (rows + 1) * 4;
        let names_len = u32_at(b, offsets_at + rows * 4)? as usize;
        if b.len() != names_at + names_len {
            return Err("table length does not match its header".into());
        }
        Ok(Table {
            b,
            models,
            rows,
            slots,
            slots_at,
            weights_at,
            offsets_at,
            names_at,
        })
    }

    pub fn models(&self) -> &[ModelInfo] {
        &self.models
    }

    /// A model's index by name.
    pub fn model(&self, name: &str) -> Option<usize> {
        self.models.iter().position(|m| m.name == name)
    }

    /// The row of a feature key.
    #[inline]
    fn row(&self, key: u64) -> Option<u32> {
        let mut s = key as usize & (self.slots - 1);
        loop {
            let at = self.slots_at + s * 12;
            let k = u64::from_le_bytes(self.b[at..at + 8].try_into().unwrap_or_default());
            if k == key {
                return Some(u32::from_le_bytes(
                    self.b[at + 8..at + 12].try_into().unwrap_or_default(),
                ));
            }
            if k == 0 {
                return None;
            }
            s = (s + 1) & (self.slots - 1);
        }
    }

    #[inline]
    fn weight(&self, row: u32, model: usize) -> f64 {
        let at = self.weights_at + (row as usize * self.models.len() + model) * 4;
        f64::from(f32::from_le_bytes(
            self.b[at..at + 4].try_into().unwrap_or_default(),
        ))
    }

    fn name(&self, row: u32) -> &'a str {
        let r = row as usize;
        let (a, b) = (
            u32_at(self.b, self.offsets_at + r * 4).unwrap_or(0) as usize,
            u32_at(self.b, self.offsets_at + r * 4 + 4).unwrap_or(0) as usize,
        );
        std::str::from_utf8(&self.b[self.names_at + a..self.names_at + b]).unwrap_or("")
    }

    /// Number of distinct feature names with a weight in any model.
    pub fn rows(&self) -> usize {
        self.rows
    }
}

/// The built-in models (the table build.rs embedded).
pub fn builtin() -> &'static Table<'static> {
    static T: OnceLock<Table<'static>> = OnceLock::new();
    T.get_or_init(|| Table::read(BUILTIN).expect("build.rs writes a valid table"))
}

/// Where a turn's features go: `parts` concatenated are the feature's name.
pub trait Sink {
    fn feature(&mut self, parts: &[&[u8]], value: f64);
}

/// Hands the features of `text` (its `compound` sentiment given) to `sink`, prefixed by
/// `prefix`: binary words and pairs (possibly more than once: the sink keeps one), then the
/// cues. Values are raw; `unit` scales them.
pub fn features(toks: &mut Tokens, text: &str, compound: f64, prefix: &[u8], sink: &mut impl Sink) {
    toks.tokenize(text);
    let (mut neg, mut q, mut excl) = (false, false, false);
    let mut prev: Option<usize> = None;
    for i in 0..toks.len() {
        let t = &toks.toks[i];
        match t.kind {
            Kind::Punct => {
                match toks.word(i) {
                    "?" => q = true,
                    "!" => excl = true,
                    _ => {}
                }
                if toks.hard_stop(i) {
                    prev = None;
                }
                continue;
            }
            Kind::Num | Kind::Word => {}
        }
        let w = word_of(toks, i);
        if NEGATIONS.contains(&w) {
            neg = true;
        }
        sink.feature(&[prefix, b"w:", w.as_bytes()], 1.0);
        if let Some(p) = prev {
            sink.feature(
                &[
                    prefix,
                    b"b:",
                    word_of(toks, p).as_bytes(),
                    b" ",
                    w.as_bytes(),
                ],
                1.0,
            );
        }
        prev = Some(i);
    }
    if compound != 0.0 {
        sink.feature(&[prefix, b"cue:vader"], compound);
    }
    if compound <= -0.05 {
        sink.feature(&[prefix, b"cue:vader_neg"], 1.0);
    }
    for (on, name) in [
        (neg, &b"cue:negation"[..]),
        (q, b"cue:question"),
        (excl, b"cue:exclamation"),
    ] {
        if on {
            sink.feature(&[prefix, name], 1.0);
        }
    }
}

fn word_of(toks: &Tokens, i: usize) -> &str {
    if toks.toks[i].kind == Kind::Num {
        "#num"
    } else {
        toks.word(i)
    }
}

/// A sink that keeps each feature once by its hashed name.
#[derive(Default)]
struct Keys(Vec<(u64, f64)>);

impl Sink for Keys {
    fn feature(&mut self, parts: &[&[u8]], value: f64) {
        let key = parts.iter().fold(Key::START, |k, p| k.feed(p)).get();
        self.0.push((key, value));
    }
}

/// A sink that keeps each feature once by its name, as text (tests, the export's check).
#[derive(Default, Debug)]
pub struct Names(pub std::collections::BTreeMap<String, f64>);

impl Sink for Names {
    fn feature(&mut self, parts: &[&[u8]], value: f64) {
        let name: String = parts.iter().map(|p| String::from_utf8_lossy(p)).collect();
        self.0.insert(name, value);
    }
}

/// A turn's binary features (words, pairs, the negation and punctuation cues) as table
/// rows, `rows[start..end]` of the scorer's arena, and how many there were (features the
/// table has no weight for still count in the scaling). The sentiment cues are added when
/// scoring, and computed only where they could matter (`Scorer::score_above`).
#[derive(Clone, Copy)]
struct Block {
    start: u32,
    end: u32,
    n: u32,
}

/// The rows of the sentiment cues, with and without the context prefix.
struct CueRows {
    vader: [Option<u32>; 2],
    neg: [Option<u32>; 2],
}

/// Scores agent turns of one transcript, computing each turn's features once.
pub struct Scorer<'t, 'a> {
    table: &'a Table<'a>,
    t: &'t Transcript,
    sentiment: &'a TurnSentiment<'t>,
    toks: Tokens,
    keys: Keys,
    rows: Vec<u32>,
    /// Per turn: its block as an agent turn (0) and as the customer turn before one (1).
    blocks: Vec<[Option<Block>; 2]>,
    /// Per turn: the last customer turn before it (a context model's second block).
    customer_before: Vec<Option<usize>>,
    cues: CueRows,
}

/// A block a model reads for an agent turn: the block, its turn, 0 (own) or 1 (context),
/// and its share of the squared length.
type Part = (Block, usize, usize, f64);

impl<'t, 'a> Scorer<'t, 'a> {
    pub fn new(table: &'a Table<'a>, t: &'t Transcript, sentiment: &'a TurnSentiment<'t>) -> Self {
        let row = |name: &str| table.row(table::key_of(name));
        Scorer {
            table,
            t,
            sentiment,
            toks: Tokens::default(),
            keys: Keys::default(),
            rows: Vec::new(),
            blocks: vec![[None; 2]; t.turns.len()],
            customer_before: t
                .turns
                .iter()
                .enumerate()
                .scan(None, |last, (i, x)| {
                    let before = *last;
                    if x.role == Role::Customer {
                        *last = Some(i);
                    }
                    Some(before)
                })
                .collect(),
            cues: CueRows {
                vader: [row("cue:vader"), row("c:cue:vader")],
                neg: [row("cue:vader_neg"), row("c:cue:vader_neg")],
            },
        }
    }

    /// Turn `turn`'s block, as an agent turn (`ctx` 0) or as context (1, names `c:`).
    fn block(&mut self, turn: usize, ctx: usize) -> Block {
        if let Some(b) = self.blocks[turn][ctx] {
            return b;
        }
        self.keys.0.clear();
        let prefix: &[u8] = if ctx == 1 { b"c:" } else { b"" };
        // Sentiment 0: no sentiment cue here (see `block_z`).
        features(
            &mut self.toks,
            &self.t.turns[turn].text,
            0.0,
            prefix,
            &mut self.keys,
        );
        let k = &mut self.keys.0;
        k.sort_unstable_by_key(|&(key, _)| key);
        k.dedup_by_key(|&mut (key, _)| key);
        let start = self.rows.len() as u32;
        let table = self.table;
        self.rows
            .extend(k.iter().filter_map(|&(key, _)| table.row(key)));
        let b = Block {
            start,
            end: self.rows.len() as u32,
            n: k.len() as u32,
        };
        self.blocks[turn][ctx] = Some(b);
        b
    }

    /// The sum of `model`'s weights over a block's binary features.
    fn sum(&self, b: Block, model: usize) -> f64 {
        self.rows[b.start as usize..b.end as usize]
            .iter()
            .map(|&r| self.table.weight(r, model))
            .sum()
    }

    fn cue_weight(&self, row: Option<u32>, model: usize) -> f64 {
        row.map_or(0.0, |r| self.table.weight(r, model))
    }

    /// A block's part of the score (before its share of the squared length): the weights
    /// of its features over its length, with sentiment `v`.
    fn block_z(&self, b: Block, ctx: usize, model: usize, v: f64) -> f64 {
        let neg = v <= -0.05;
        let num = self.sum(b, model)
            + v * self.cue_weight(self.cues.vader[ctx], model)
            + if neg {
                self.cue_weight(self.cues.neg[ctx], model)
            } else {
                0.0
            };
        let len2 = f64::from(b.n) + v * v + if neg { 1.0 } else { 0.0 };
        if len2 > 0.0 {
            num / len2.sqrt()
        } else {
            num
        }
    }

    /// The most a block's part can be, whatever the turn's sentiment (-1 to 1); `None` when
    /// it has no binary feature (then the bound is not worth the trouble).
    fn block_bound(&self, b: Block, ctx: usize, model: usize) -> Option<f64> {
        if b.n == 0 {
            return None;
        }
        let top = self.sum(b, model)
            + self.cue_weight(self.cues.vader[ctx], model).abs()
            + self.cue_weight(self.cues.neg[ctx], model).max(0.0);
        let n = f64::from(b.n);
        Some(if top >= 0.0 {
            top / n.sqrt()
        } else {
            top / (n + 2.0).sqrt()
        })
    }

    fn shares(&self, model: usize) -> (f64, f64) {
        if self.table.models[model].context {
            ((1.0 - CONTEXT_SHARE).sqrt(), CONTEXT_SHARE.sqrt())
        } else {
            (1.0, 0.0)
        }
    }

    /// The blocks `model` reads for agent turn `turn`: its own, and the customer turn
    /// before it (for a context model), with their shares.
    fn parts(&mut self, model: usize, turn: usize) -> [Option<Part>; 2] {
        let (a, c) = self.shares(model);
        let own = Some((self.block(turn, 0), turn, 0, a));
        let before = self.customer_before[turn].filter(|_| self.table.models[model].context);
        [own, before.map(|ct| (self.block(ct, 1), ct, 1, c))]
    }

    /// The score of `model` on agent turn `turn` (0 to 1).
    pub fn score(&mut self, model: usize, turn: usize) -> f64 {
        self.score_above(model, turn, 0.0).unwrap_or(0.0)
    }

    /// The score of `model` on agent turn `turn` when it can reach `threshold`, else `None`:
    /// the turn's sentiment is computed only when the other features leave the score within
    /// reach of the threshold (most turns are far below it).
    pub fn score_above(&mut self, model: usize, turn: usize, threshold: f64) -> Option<f64> {
        let parts = self.parts(model, turn);
        let bias = self.table.models[model].bias;
        if threshold > 0.0 && threshold < 1.0 {
            let logit = (threshold / (1.0 - threshold)).ln();
            let bound = parts
                .iter()
                .flatten()
                .try_fold(bias, |z, &(b, _, ctx, share)| {
                    self.block_bound(b, ctx, model).map(|u| z + share * u)
                });
            if bound.is_some_and(|z| z < logit) {
                return None;
            }
        }
        let mut z = bias;
        for &(b, t, ctx, share) in parts.iter().flatten() {
            z += share * self.block_z(b, ctx, model, self.sentiment.turn(t));
        }
        let s = 1.0 / (1.0 + (-z).exp());
        (s >= threshold).then_some(s)
    }

    /// The `n` features of turn `turn` that weigh most in `model`'s score, with their
    /// contribution to it (before the sigmoid).
    pub fn explain(&mut self, model: usize, turn: usize, n: usize) -> Vec<(String, f64)> {
        let mut out: Vec<(String, f64)> = Vec::new();
        for (b, t, ctx, share) in self.parts(model, turn).into_iter().flatten() {
            let v = self.sentiment.turn(t);
            let neg = v <= -0.05;
            let len2 = f64::from(b.n) + v * v + if neg { 1.0 } else { 0.0 };
            let scale = share / if len2 > 0.0 { len2.sqrt() } else { 1.0 };
            let mut add = |row: Option<u32>, x: f64| {
                if let Some(r) = row {
                    let c = scale * x * self.table.weight(r, model);
                    if c != 0.0 {
                        out.push((self.table.name(r).to_string(), c));
                    }
                }
            };
            for &r in &self.rows[b.start as usize..b.end as usize] {
                add(Some(r), 1.0);
            }
            if v != 0.0 {
                add(self.cues.vader[ctx], v);
            }
            if neg {
                add(self.cues.neg[ctx], 1.0);
            }
        }
        out.sort_by(|x, y| y.1.abs().total_cmp(&x.1.abs()).then(x.0.cmp(&y.0)));
        out.truncate(n);
        out
    }

    /// The byte span of the sentence of agent turn `turn` whose words and pairs weigh most
    /// towards `model` (what a learned finding quotes).
    pub fn heaviest_sentence(&mut self, model: usize, turn: usize) -> (usize, usize) {
        let text = &self.t.turns[turn].text;
        self.toks.tokenize(text);
        let toks = &self.toks;
        let mut best: Option<(f64, usize, usize)> = None;
        let (mut sum, mut first, mut last) = (0.0, None::<usize>, 0);
        let mut prev: Option<usize> = None;
        let mut close = |sum: f64, first: Option<usize>, last: usize| {
            if let Some(f) = first {
                if best.is_none_or(|b| sum > b.0) {
                    best = Some((sum, f, last));
                }
            }
        };
        for i in 0..toks.len() {
            let t = &toks.toks[i];
            if t.kind == Kind::Punct {
                if toks.hard_stop(i) {
                    close(sum, first, last);
                    (sum, first, prev) = (0.0, None, None);
                }
                continue;
            }
            let w = word_of(toks, i);
            let wk = Key::START.feed(b"w:").feed(w.as_bytes()).get();
            sum += self
                .table
                .row(wk)
                .map_or(0.0, |r| self.table.weight(r, model));
            if let Some(p) = prev {
                let bk = Key::START
                    .feed(b"b:")
                    .feed(word_of(toks, p).as_bytes())
                    .feed(b" ")
                    .feed(w.as_bytes())
                    .get();
                sum += self
                    .table
                    .row(bk)
                    .map_or(0.0, |r| self.table.weight(r, model));
            }
            first.get_or_insert(i);
            last = i;
            prev = Some(i);
        }
        close(sum, first, last);
        match best {
            Some((_, a, b)) => {
                let (s, e) = toks.source_span(a, b + 1);
                (s as usize, e as usize)
            }
            None => (0, text.len()),
        }
    }
}

/// A rule's use of a model: which, and the score from which it flags a turn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Use {
    pub model: usize,
    pub threshold: f64,
}

/// Adds the learned findings of `rules` (those with a `Use`) to `findings`: on each agent
/// turn of `t` a rule does not already flag, where its model's score reaches its threshold,
/// a finding quoting the sentence that weighs most.
pub fn add_findings(
    rules: &[(&crate::rules::RuleCommon, Use)],
    t: &Transcript,
    sentiment: &TurnSentiment,
    findings: &mut Vec<Finding>,
) {
    if rules.is_empty() || !t.turns.iter().any(|x| x.role == Role::Agent) {
        return;
    }
    let table = builtin();
    let mut scorer = Scorer::new(table, t, sentiment);
    for &(common, u) in rules.iter().filter(|(c, _)| c.speaks(Role::Agent)) {
        // The turns the rule's patterns flag (the findings so far are the rules' own).
        let flagged: Vec<usize> = findings
            .iter()
            .filter(|f| Arc::ptr_eq(&f.rule, &common.info))
            .map(|f| f.turn)
            .collect();
        for (i, turn) in t.turns.iter().enumerate() {
            if turn.role != Role::Agent || flagged.contains(&i) {
                continue;
            }
            let Some(s) = scorer.score_above(u.model, i, u.threshold) else {
                continue;
            };
            let (start, end) = scorer.heaviest_sentence(u.model, i);
            findings.push(common.learned_finding(t, i, start, end, s));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(text: &str, prefix: &str) -> Vec<(String, f64)> {
        let mut n = Names::default();
        let c = crate::sentiment::compound(text);
        features(&mut Tokens::default(), text, c, prefix.as_bytes(), &mut n);
        n.0.into_iter().collect()
    }

    #[test]
    fn features_are_words_pairs_within_a_sentence_and_cues() {
        let f = names("You didn't pay 3 times. Why?", "");
        let keys: Vec<&str> = f.iter().map(|(k, _)| k.as_str()).collect();
        for want in [
            "w:you",
            "w:did",
            "w:not",
            "w:#num",
            "b:did not",
            "b:pay #num",
            "b:#num times",
            "w:why",
            "cue:negation",
            "cue:question",
        ] {
            assert!(keys.contains(&want), "{want} missing from {keys:?}");
        }
        // No pair across the full stop, no exclamation cue.
        assert!(!keys.contains(&"b:times why"), "{keys:?}");
        assert!(!keys.contains(&"cue:exclamation"), "{keys:?}");
        let c = names("Thank you so much, wonderful!", "c:");
        assert!(
            c.iter().any(|(k, v)| k == "c:cue:vader" && *v > 0.5),
            "{c:?}"
        );
        assert!(c.iter().all(|(k, _)| k.starts_with("c:")), "{c:?}");
    }

    #[test]
    fn a_table_built_from_weights_scores_as_the_sum_of_its_features() {
        let tsv = "# test\nmodel\tm\tcontext\t0\nbias\t-1.0\nw:wrong\t2.0\nb:are wrong\t1.0\n\
                   model\tn\tcontext\t1\nbias\t0.5\nc:w:broken\t-3.0\n";
        let bytes = table::build(tsv).unwrap();
        let tb = Table::read(&bytes).unwrap();
        assert_eq!(tb.models().len(), 2);
        assert_eq!(tb.rows(), 3);
        let mut t = Transcript::new("t");
        t.turns.push(crate::transcript::Turn::new(
            "C",
            Role::Customer,
            "It is broken",
            1,
        ));
        t.turns.push(crate::transcript::Turn::new(
            "A",
            Role::Agent,
            "You are wrong",
            2,
        ));
        let s = TurnSentiment::new(&t);
        let mut sc = Scorer::new(&tb, &t, &s);
        // "You are wrong": 5 features (3 words, 2 pairs) plus the negative sentiment cues.
        let f = names("You are wrong", "");
        let norm = f.iter().map(|(_, x)| x * x).sum::<f64>().sqrt();
        let want = 1.0 / (1.0 + (-(-1.0 + 3.0 / norm)).exp());
        assert!(
            (sc.score(0, 1) - want).abs() < 1e-6,
            "{} vs {want}",
            sc.score(0, 1)
        );
        // Model n reads the customer turn before: "broken" weighs against.
        let fc = names("It is broken", "c:");
        let nc = fc.iter().map(|(_, x)| x * x).sum::<f64>().sqrt();
        let z = 0.5 + CONTEXT_SHARE.sqrt() * (-3.0 / nc);
        assert!((sc.score(1, 1) - 1.0 / (1.0 + (-z).exp())).abs() < 1e-6);
        let top = sc.explain(0, 1, 1);
        assert_eq!(top[0].0, "w:wrong");
        assert_eq!(sc.heaviest_sentence(0, 1), (0, "You are wrong".len()));
    }

    #[test]
    fn bad_weight_files_are_refused_with_their_line() {
        assert!(table::build("bias\t1\n").unwrap_err().contains("line 1"));
        assert!(table::build("model\tm\tcontext\t2\n")
            .unwrap_err()
            .contains("line 1"));
        assert!(table::build("model\tm\tcontext\t0\nw:x\tone\n")
            .unwrap_err()
            .contains("line 2"));
        assert!(table::build("model\tm\tcontext\t0\nw:x\t1\n")
            .unwrap_err()
            .contains("no bias"));
        assert!(Table::read(b"nope").is_err());
    }

    /// The bound that spares the sentiment score never drops a turn that reaches the
    /// threshold, nor keeps one that does not.
    #[test]
    fn the_bound_agrees_with_the_exact_score() {
        let mut t = Transcript::new("t");
        let lines = [
            (
                Role::Customer,
                "This is the third time the parcel has not come. I am furious!",
            ),
            (
                Role::Agent,
                "That's down to the courier, they handle deliveries, not us.",
            ),
            (Role::Customer, "Can you at least tell me where it is?"),
            (
                Role::Agent,
                "Our records show it was delivered, so you must have missed it.",
            ),
            (
                Role::Agent,
                "I'm so sorry. That's on me, I'll rebook it myself today by 5pm.",
            ),
            (Role::Agent, "Sorry?"),
            (Role::Agent, ""),
        ];
        for (i, (role, text)) in lines.iter().enumerate() {
            t.turns
                .push(crate::transcript::Turn::new("x", *role, *text, i + 1));
        }
        let s = TurnSentiment::new(&t);
        let table = builtin();
        let mut sc = Scorer::new(table, &t, &s);
        let mut reached = 0;
        for m in 0..table.models().len() {
            for i in (0..t.turns.len()).filter(|&i| t.turns[i].role == Role::Agent) {
                let exact = sc.score(m, i);
                for k in 1..20 {
                    let th = f64::from(k) * 0.05;
                    let got = sc.score_above(m, i, th);
                    assert_eq!(got.is_some(), exact >= th, "model {m} turn {i} at {th}");
                    reached += usize::from(got.is_some());
                }
            }
        }
        assert!(reached > 0, "some turn reaches some threshold");
    }

    #[test]
    fn the_builtin_table_reads_and_names_its_models() {
        let t = builtin();
        assert!(!t.models().is_empty());
        for m in t.models() {
            assert!(t.model(&m.name).is_some());
        }
        assert!(t.rows() > 100);
    }
}
