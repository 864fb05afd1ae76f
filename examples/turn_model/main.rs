//! Learned agent-turn classifiers experiment (2026-11-27; RESULTS.md beside this file): one L2
//! logistic regression per agent-turn rule (the complaint scorer's trainer and features,
//! `../complaint_model/scorer.rs`), trained on every annotated transcript in `corpora/`, to
//! see whether a learned classifier generalises to unseen blind batches better than the
//! enumerated patterns of the built-in packs. Nothing in `src/` or `rules/` uses it.
//!
//! Usage: cargo run --release --example turn_model -- COMMAND
//!
//! - `stats`: training agent turns and positives per rule.
//! - `cv`: 5-fold cross-validation over training FILES (folds by a seeded FNV hash of the
//!   file's path): per rule, every (L2, context on/off) setting's out-of-fold scores, and the
//!   (setting, threshold) with the best out-of-fold F1 of the MODEL ALONE. Prints the grid
//!   and writes the choices to `examples/turn_model/choices.tsv`.
//! - `pick DIR...`: the third operating point, chosen on blind batches the model never trained
//!   on (thirteenth session): per rule, the threshold whose added findings (those the rules do
//!   not make) gain most at a price of `TURN_MODEL_PICK_COST` (default 3) correct findings
//!   per false one; writes `examples/turn_model/picked.tsv` (or `TURN_MODEL_PICKED`), which
//!   `eval` reads. Aggregate counts only.
//! - `eval SET...`: trains each rule's model on all training files with its chosen setting
//!   and prints, per set and for the sets together, per-rule tp/fp/fn/P/R of (a) the built-in
//!   rules alone, (b) the model alone, (c) rules OR model, (d) rules OR model at the second
//!   operating point fixed by `cv` (the F1 threshold raised until out-of-fold precision
//!   reaches 0.9; the rule left to the rules alone when none does), (e) rules OR model at
//!   `pick`'s threshold (rules alone where `pick` chose none). A SET is a folder of
//!   annotated transcripts (`NAME.txt` + `NAME.expected.yaml`) or `dev` (the DEV half of
//!   `corpora/real-labels`; the test half is never read), `devA` or `devB` (its two folds, as
//!   `examples/dev_misses.rs` splits them). With `TURN_MODEL_TRAIN_DEV=A` (or `B`) that dev
//!   fold's files join the training set (real turns, for the model's precision on real text,
//!   measured on the other fold). Only aggregate counts are printed: run on the blind
//!   batches, nothing per file or per turn comes out.
//!
//! Unit: an agent turn. For rule R, the rows are the agent turns of every training file that
//! labels R (not in its `unlabelled:`); a row is positive when (R, turn) is in the file's
//! `findings:` or `known_misses:`. Features: the scorer's unit-norm words, bigrams and cues of
//! the agent turn, and optionally ("context") those of the last customer turn before it,
//! prefixed `c:`, the two blocks weighted 0.7 / 0.3 of the squared norm.
#[allow(dead_code)]
#[path = "../complaint_model/emb.rs"]
mod emb;
#[allow(dead_code)]
#[path = "../complaint_model/scorer.rs"]
mod scorer;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use scorer::{features, train, Model, Train};
use tonecheck::engine::{Engine, EngineBuilder};
use tonecheck::input::{read_path, ReadOptions};
use tonecheck::labels::{half_of, load_labels, seeded_hash, Counts, Half, LABELLED_RULES};
use tonecheck::pack::PackSource;
use tonecheck::transcript::{Role, Transcript};

/// The candidate agent-turn rules (the brief's twelve, then the other agent-turn rules of the
/// annotations); a rule is modelled when training has `MIN_POS` positive agent turns.
const CANDIDATES: &[&str] = &[
    "kudos-thanks",
    "kudos-empathy",
    "kudos-sincere-apology",
    "kudos-ownership",
    "forbidden-phrase",
    "blame-shifting",
    "customer-is-wrong",
    "policy-without-alternative",
    "apology-then-explanation",
    "missing-timeline",
    "non-apology",
    "dismissive-language",
    "missing-thank-you",
    "over-promise",
    "repeat-request",
    "accusing-customer",
];
const MIN_POS: usize = 25;
const INFO: &[&str] = &[
    "missing-open-question",
    "missing-paraphrase",
    "customer-sentiment-drop",
    "agent-talks-too-much",
];
const FOLDS: u64 = 5;
const FOLD_SEED: &str = "tonecheck-turn-model-cv-1";
const L2S: &[f64] = &[0.00001, 0.00003, 0.0001, 0.0003, 0.001];
/// Weight of a positive row against a negative one (the positives are 2-19% of the rows).
const POS_WEIGHTS: &[f64] = &[1.0, 4.0];
const CONTEXT_SHARE: f64 = 0.3;
const ITERATIONS: usize = 3000;
const HIGH_P: f64 = 0.9;
const CHOICES: &str = "examples/turn_model/choices.tsv";
/// Where `pick` writes its thresholds and `eval` reads them (`TURN_MODEL_PICKED` overrides).
fn picked_path() -> String {
    std::env::var("TURN_MODEL_PICKED").unwrap_or_else(|_| "examples/turn_model/picked.tsv".into())
}
/// `pick`'s price of an added false finding in added correct ones: a threshold must add more
/// than this many correct findings per false one over the rules alone (3: marginal precision
/// above 0.75, question 3; `TURN_MODEL_PICK_COST` overrides).
fn pick_cost() -> usize {
    std::env::var("TURN_MODEL_PICK_COST")
        .ok()
        .map(|v| v.parse().expect("TURN_MODEL_PICK_COST: a whole number"))
        .unwrap_or(3)
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn thresholds() -> Vec<f64> {
    let mut t = vec![0.02, 0.03];
    t.extend((1..20).map(|i| f64::from(i) * 0.05));
    t
}

/// One annotated transcript: its name (path relative to the crate, or the real file name),
/// the transcript, the true (rule, turn) labels and the rules it leaves unlabelled.
struct Doc {
    name: String,
    t: Transcript,
    want: BTreeSet<(String, usize)>,
    unlabelled: BTreeSet<String>,
    /// A file of the real labelled set.
    real: bool,
}

impl Doc {
    fn labels(&self, rule: &str) -> bool {
        // The real set labels LABELLED_RULES only; the annotated batches label every rule but
        // the info rules (as scripts/score_batch.py scores them) and their `unlabelled:`.
        !self.unlabelled.contains(rule)
            && if self.real {
                LABELLED_RULES.contains(&rule)
            } else {
                !INFO.contains(&rule)
            }
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else if p.to_string_lossy().ends_with(".expected.yaml") {
            out.push(p);
        }
    }
}

fn list(v: &serde_yaml::Value, key: &str) -> Vec<serde_yaml::Value> {
    v.get(key)
        .and_then(|f| f.as_sequence())
        .cloned()
        .unwrap_or_default()
}

/// Every annotated transcript under `dir` (recursively), read as `tests/corpora_accuracy.rs`
/// reads them.
fn load_dir(dir: &Path) -> Vec<Doc> {
    let mut files = Vec::new();
    walk(dir, &mut files);
    files
        .into_iter()
        .map(|y| {
            let txt = PathBuf::from(y.to_string_lossy().replace(".expected.yaml", ".txt"));
            let v: serde_yaml::Value =
                serde_yaml::from_str(&std::fs::read_to_string(&y).unwrap()).unwrap();
            let mut want = BTreeSet::new();
            for key in ["findings", "known_misses"] {
                for f in list(&v, key) {
                    want.insert((
                        f.get("rule").unwrap().as_str().unwrap().to_string(),
                        f.get("turn").unwrap().as_u64().unwrap() as usize,
                    ));
                }
            }
            let unlabelled = list(&v, "unlabelled")
                .iter()
                .map(|r| r.as_str().unwrap().to_string())
                .collect();
            let t = read_path(&txt, &ReadOptions::default())
                .unwrap_or_else(|e| panic!("{}: {e:?}", txt.display()))
                .remove(0);
            let name = txt
                .strip_prefix(root())
                .unwrap_or(&txt)
                .to_string_lossy()
                .into_owned();
            Doc {
                name,
                t,
                want,
                unlabelled,
                real: false,
            }
        })
        .collect()
}

/// Training: every annotated transcript in `corpora/` (real-labels has none), never a file of
/// a blind batch still in `held-out/` (batches 23 and 24 when this was first run; they were
/// fixed and moved into `corpora/` later, and are training data now).
fn load_training() -> Vec<Doc> {
    let docs = load_dir(&root().join("corpora"));
    let held: std::collections::HashSet<String> = std::fs::read_dir(root().join("held-out"))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().is_dir())
        .flat_map(|e| std::fs::read_dir(e.path()).into_iter().flatten().flatten())
        .map(|f| f.file_name().to_string_lossy().into_owned())
        .collect();
    for d in &docs {
        let base = d.name.rsplit('/').next().unwrap();
        assert!(
            !held.contains(base),
            "a file of a held-out batch is in corpora/: {}",
            d.name
        );
    }
    docs
}

/// The DEV half of the real labelled set (the test half is filtered out before any read).
fn load_dev() -> Vec<Doc> {
    let corpus = root().join("../shared/corpora-real/conversations");
    let labels = load_labels(&root().join("corpora/real-labels/labels.yaml")).unwrap();
    labels
        .into_iter()
        .filter(|(n, _)| half_of(n) == Half::Dev)
        .map(|(name, l)| {
            let t = read_path(&corpus.join(&name), &ReadOptions::default())
                .unwrap()
                .remove(0);
            // Only LABELLED_RULES are labelled there: every other rule is unlabelled.
            Doc {
                name,
                t,
                want: l.expect.into_iter().map(|l| (l.rule, l.turn)).collect(),
                unlabelled: BTreeSet::new(),
                real: true,
            }
        })
        .collect()
}

/// `load_dev` restricted to one fold (`devA`, `devB`).
fn load_dev_fold(fold: char) -> Vec<Doc> {
    load_dev()
        .into_iter()
        .filter(|d| tonecheck::labels::dev_fold(&d.name) == fold)
        .collect()
}

/// The dev fold `TURN_MODEL_TRAIN_DEV` (`A` or `B`) names, added to `eval`'s training set (a
/// model that has seen real turns, to measure its precision on the other fold).
fn train_dev_fold() -> Option<char> {
    match std::env::var("TURN_MODEL_TRAIN_DEV").ok()?.as_str() {
        "A" => Some('A'),
        "B" => Some('B'),
        other => panic!("TURN_MODEL_TRAIN_DEV must be A or B, not {other:?}"),
    }
}

fn fold_of(name: &str) -> u64 {
    (seeded_hash(FOLD_SEED, name) >> 40) % FOLDS
}

type Feats = Vec<(String, f64)>;

/// The features of agent turn `i`: its own block, plus (with `context`) the last customer
/// turn before it, prefixed `c:`.
fn turn_features(t: &Transcript, i: usize, context: bool) -> Feats {
    if !context {
        return features(&t.turns[i].text);
    }
    let a = (1.0 - CONTEXT_SHARE).sqrt();
    let mut f: Feats = features(&t.turns[i].text)
        .into_iter()
        .map(|(k, v)| (k, a * v))
        .collect();
    if let Some(c) = t.turns[..i].iter().rev().find(|x| x.role == Role::Customer) {
        let b = CONTEXT_SHARE.sqrt();
        f.extend(
            features(&c.text)
                .into_iter()
                .map(|(k, v)| (format!("c:{k}"), b * v)),
        );
    }
    f
}

/// One agent turn of a training file, with its features with and without context.
struct Row {
    doc: usize,
    turn: usize,
    fold: u64,
    feats: [Feats; 2],
}

fn agent_rows(docs: &[Doc]) -> Vec<Row> {
    let mut out = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        for (i, turn) in doc.t.turns.iter().enumerate() {
            if turn.role == Role::Agent {
                out.push(Row {
                    doc: d,
                    turn: i,
                    fold: fold_of(&doc.name),
                    feats: [
                        turn_features(&doc.t, i, false),
                        turn_features(&doc.t, i, true),
                    ],
                });
            }
        }
    }
    out
}

fn cfg(l2: f64, pos_weight: f64) -> Train {
    Train {
        l2,
        min_count: 2,
        pos_weight,
        iterations: ITERATIONS,
        dense_std: 0,
    }
}

/// The rows of `rule`: the agent turns of files that label it, with their label.
fn rule_rows<'a>(rule: &str, docs: &[Doc], rows: &'a [Row]) -> Vec<(&'a Row, bool)> {
    rows.iter()
        .filter(|r| docs[r.doc].labels(rule))
        .map(|r| (r, docs[r.doc].want.contains(&(rule.to_string(), r.turn))))
        .collect()
}

fn fit(rows: &[(&Row, bool)], ctx: usize, l2: f64, pw: f64) -> Model {
    let data: Vec<(Feats, bool)> = rows
        .iter()
        .map(|(r, y)| (r.feats[ctx].clone(), *y))
        .collect();
    train(&data, cfg(l2, pw))
}

fn counts_at(scored: &[(f64, bool)], t: f64) -> Counts {
    let mut c = Counts::default();
    for &(s, y) in scored {
        match (s >= t, y) {
            (true, true) => c.tp += 1,
            (true, false) => c.fp += 1,
            (false, true) => c.fn_ += 1,
            _ => {}
        }
    }
    c
}

fn builtin_engine() -> Engine {
    EngineBuilder::new()
        .packs(PackSource::all_builtin())
        .build()
        .unwrap()
}

/// The built-in rules' findings on a file, (rule, turn), labelled rules only.
fn rule_findings(engine: &Engine, d: &Doc) -> BTreeSet<(String, usize)> {
    engine
        .check(&d.t)
        .findings
        .into_iter()
        .filter(|f| d.labels(&f.rule.id))
        .map(|f| (f.rule.id.clone(), f.turn))
        .collect()
}

fn stats() {
    let docs = load_training();
    let rows = agent_rows(&docs);
    println!(
        "training: {} annotated files in corpora/, {} agent turns",
        docs.len(),
        rows.len()
    );
    let mut by_role: BTreeMap<String, [usize; 3]> = BTreeMap::new();
    for d in &docs {
        for (r, t) in &d.want {
            let role = d.t.turns.get(*t).map(|x| x.role);
            let k = match role {
                Some(Role::Agent) => 0,
                Some(Role::Customer) => 1,
                _ => 2,
            };
            by_role.entry(r.clone()).or_default()[k] += 1;
        }
    }
    println!(
        "{:<28} {:>6} {:>6} {:>6} {:>6}",
        "rule", "rows", "agent", "cust", "other"
    );
    for (r, c) in &by_role {
        let n = rule_rows(r, &docs, &rows).len();
        println!("{r:<28} {n:>6} {:>6} {:>6} {:>6}", c[0], c[1], c[2]);
    }
}

/// Per rule: (setting, threshold) chosen by out-of-fold F1 of the model alone.
struct Choice {
    rule: String,
    l2: f64,
    pw: f64,
    ctx: usize,
    t: f64,
    cv: Counts,
    /// The second, pre-registered operating point: the chosen threshold raised to the lowest
    /// one whose out-of-fold precision of the model alone is at least `HIGH_P` (same setting),
    /// if any.
    t_hp: Option<f64>,
    cv_hp: Counts,
    /// The third operating point, chosen by `pick` on blind batches the model never trained
    /// on (`picked_path()`), if `pick` chose one for this rule.
    t_pick: Option<f64>,
}

fn cv() {
    let docs = load_training();
    let rows = agent_rows(&docs);
    let engine = builtin_engine();
    let found: Vec<BTreeSet<(String, usize)>> =
        docs.iter().map(|d| rule_findings(&engine, d)).collect();
    let mut per_fold = [0usize; FOLDS as usize];
    for d in &docs {
        per_fold[fold_of(&d.name) as usize] += 1;
    }
    println!(
        "training: {} files, {} agent turns; files per fold {per_fold:?}; {ITERATIONS} iterations",
        docs.len(),
        rows.len()
    );
    let mut choices = Vec::new();
    let mut or_total = [Counts::default(), Counts::default()];
    for rule in CANDIDATES {
        let rr = rule_rows(rule, &docs, &rows);
        let pos = rr.iter().filter(|r| r.1).count();
        if pos < MIN_POS {
            println!("\n{rule}: {pos} positive agent turns < {MIN_POS}: not modelled");
            continue;
        }
        println!("\n{rule}: {} rows, {pos} positive", rr.len());
        println!(
            "  {:>7} {:>3} {:>4} {:>5} {:>5} {:>5} {:>5} {:>5}",
            "l2", "pw", "ctx", "t", "tp", "fp", "fn", "F1"
        );
        let mut best: Option<(f64, Choice, Vec<f64>)> = None;
        for (&l2, &pw, ctx) in L2S
            .iter()
            .flat_map(|l| POS_WEIGHTS.iter().map(move |p| (l, p)))
            .flat_map(|(l, p)| (0..2).map(move |c| (l, p, c)))
        {
            {
                let mut oof = vec![0.0; rr.len()];
                for k in 0..FOLDS {
                    let tr: Vec<(&Row, bool)> =
                        rr.iter().filter(|r| r.0.fold != k).copied().collect();
                    let m = fit(&tr, ctx, l2, pw);
                    for (j, r) in rr.iter().enumerate() {
                        if r.0.fold == k {
                            oof[j] = m.score_features(&r.0.feats[ctx]);
                        }
                    }
                }
                let scored: Vec<(f64, bool)> =
                    oof.iter().zip(&rr).map(|(s, r)| (*s, r.1)).collect();
                let (mut bt, mut bc) = (0.5, Counts::default());
                let mut bf = -1.0;
                for t in thresholds() {
                    let c = counts_at(&scored, t);
                    let f = c.f1().unwrap_or(0.0);
                    if f > bf + 1e-12 {
                        (bf, bt, bc) = (f, t, c);
                    }
                }
                println!(
                    "  {l2:>7} {pw:>3} {ctx:>4} {bt:>5.2} {:>5} {:>5} {:>5} {bf:>5.3}",
                    bc.tp, bc.fp, bc.fn_
                );
                if best.as_ref().is_none_or(|b| bf > b.0 + 1e-12) {
                    best = Some((
                        bf,
                        Choice {
                            rule: rule.to_string(),
                            l2,
                            pw,
                            ctx,
                            t: bt,
                            cv: bc,
                            t_hp: None,
                            cv_hp: Counts::default(),
                            t_pick: None,
                        },
                        oof,
                    ));
                }
            }
        }
        let (_, mut ch, oof) = best.unwrap();
        let scored: Vec<(f64, bool)> = oof.iter().zip(&rr).map(|(s, r)| (*s, r.1)).collect();
        if let Some(t) = thresholds().into_iter().filter(|&t| t >= ch.t).find(|&t| {
            let c = counts_at(&scored, t);
            c.tp > 0 && c.precision().unwrap_or(0.0) >= HIGH_P
        }) {
            ch.t_hp = Some(t);
            ch.cv_hp = counts_at(&scored, t);
        }
        // For information: rules alone and rules OR model (out-of-fold) on the training
        // files; the rules were fixed on these very files, so both are in-sample for them.
        let mut c = [Counts::default(), Counts::default()];
        for (j, (r, y)) in rr.iter().enumerate() {
            let by_rules = found[r.doc].contains(&(rule.to_string(), r.turn));
            for (k, hit) in [by_rules, by_rules || oof[j] >= ch.t]
                .into_iter()
                .enumerate()
            {
                match (hit, *y) {
                    (true, true) => c[k].tp += 1,
                    (true, false) => c[k].fp += 1,
                    (false, true) => c[k].fn_ += 1,
                    _ => {}
                }
            }
        }
        println!(
            "  chosen l2 {} pw {} ctx {} t {:.2}: model alone {}",
            ch.l2,
            ch.pw,
            ch.ctx,
            ch.t,
            ch.cv.row("")
        );
        match ch.t_hp {
            Some(t) => println!(
                "  at P >= {HIGH_P}: t {t:.2}: model alone {}",
                ch.cv_hp.row("")
            ),
            None => println!("  no threshold reaches out-of-fold precision {HIGH_P}"),
        }
        println!("  rules alone (in-sample)        {}", c[0].row(""));
        println!("  rules OR model (oof model)     {}", c[1].row(""));
        or_total[0].add(c[0]);
        or_total[1].add(c[1]);
        choices.push(ch);
    }
    let mut total = Counts::default();
    let mut s = String::from(
        "# Chosen by `cargo run --release --example turn_model -- cv` (5-fold CV over corpora/ files,\n# best out-of-fold F1 of the model alone): rule, l2, positive weight, context (0/1), threshold,\n# cv tp, fp, fn; threshold at out-of-fold precision >= 0.9 (- if none), its cv tp, fp, fn\n",
    );
    for c in &choices {
        total.add(c.cv);
        s.push_str(&format!(
            "{}\t{}\t{}\t{}\t{:.2}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            c.rule,
            c.l2,
            c.pw,
            c.ctx,
            c.t,
            c.cv.tp,
            c.cv.fp,
            c.cv.fn_,
            c.t_hp.map_or("-".to_string(), |t| format!("{t:.2}")),
            c.cv_hp.tp,
            c.cv_hp.fp,
            c.cv_hp.fn_
        ));
    }
    println!(
        "\nall modelled rules, out-of-fold: model alone {}",
        total.row("")
    );
    println!("rules alone (in-sample)          {}", or_total[0].row(""));
    println!("rules OR model                   {}", or_total[1].row(""));
    std::fs::write(root().join(CHOICES), s).unwrap();
    println!("wrote {CHOICES}");
}

fn read_choices() -> Vec<Choice> {
    let picked = read_picked();
    std::fs::read_to_string(root().join(CHOICES))
        .expect("run `cv` first")
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Choice {
                rule: f[0].to_string(),
                l2: f[1].parse().unwrap(),
                pw: f[2].parse().unwrap(),
                ctx: f[3].parse().unwrap(),
                t: f[4].parse().unwrap(),
                cv: Counts {
                    tp: f[5].parse().unwrap(),
                    fp: f[6].parse().unwrap(),
                    fn_: f[7].parse().unwrap(),
                },
                t_hp: f[8].parse().ok(),
                cv_hp: Counts {
                    tp: f[9].parse().unwrap(),
                    fp: f[10].parse().unwrap(),
                    fn_: f[11].parse().unwrap(),
                },
                t_pick: picked.get(f[0]).copied(),
            }
        })
        .collect()
}

/// `picked_path()`'s thresholds by rule (empty before `pick` has run).
fn read_picked() -> BTreeMap<String, f64> {
    std::fs::read_to_string(root().join(picked_path()))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Some((f[0].to_string(), f.get(1)?.parse().ok()?))
        })
        .collect()
}

/// (a) rules alone, (b) model alone, (c) rules OR model, (d) rules OR model at the high-
/// precision threshold, (e) rules OR model at `pick`'s threshold: per rule counts over a set.
type Three = BTreeMap<String, [Counts; 5]>;

fn score_set(docs: &[Doc], engine: &Engine, models: &[(Choice, Model)]) -> Three {
    let mut m: Three = BTreeMap::new();
    for d in docs {
        let found = rule_findings(engine, d);
        let mut by_model: BTreeSet<(String, usize)> = BTreeSet::new();
        let mut by_model_hp: BTreeSet<(String, usize)> = BTreeSet::new();
        let mut by_model_pick: BTreeSet<(String, usize)> = BTreeSet::new();
        for (ch, model) in models {
            if !d.labels(&ch.rule) {
                continue;
            }
            for (i, turn) in d.t.turns.iter().enumerate() {
                if turn.role != Role::Agent {
                    continue;
                }
                let s = model.score_features(&turn_features(&d.t, i, ch.ctx == 1));
                if s >= ch.t {
                    by_model.insert((ch.rule.clone(), i));
                }
                if ch.t_hp.is_some_and(|t| s >= t) {
                    by_model_hp.insert((ch.rule.clone(), i));
                }
                if ch.t_pick.is_some_and(|t| s >= t) {
                    by_model_pick.insert((ch.rule.clone(), i));
                }
            }
        }
        let modelled: BTreeSet<&str> = models.iter().map(|(c, _)| c.rule.as_str()).collect();
        let or: BTreeSet<(String, usize)> = found.union(&by_model).cloned().collect();
        let or_hp: BTreeSet<(String, usize)> = found.union(&by_model_hp).cloned().collect();
        let or_pick: BTreeSet<(String, usize)> = found.union(&by_model_pick).cloned().collect();
        let want: BTreeSet<(String, usize)> = d
            .want
            .iter()
            .filter(|(r, _)| d.labels(r))
            .cloned()
            .collect();
        for (k, got) in [&found, &by_model, &or, &or_hp, &or_pick]
            .into_iter()
            .enumerate()
        {
            for l in got.union(&want) {
                // The model predicts only its rules: other rules count for it only in (a), (c).
                if k == 1 && !modelled.contains(l.0.as_str()) {
                    continue;
                }
                let c = &mut m.entry(l.0.clone()).or_default()[k];
                match (want.contains(l), got.contains(l)) {
                    (true, true) => c.tp += 1,
                    (false, true) => c.fp += 1,
                    _ => c.fn_ += 1,
                }
            }
        }
    }
    m
}

fn cell(c: Counts) -> String {
    let p = tonecheck::labels::shown(c.precision());
    let r = tonecheck::labels::shown(c.recall());
    format!("{:>3} {:>3} {:>3} {:>4} {:>4}", c.tp, c.fp, c.fn_, p, r)
}

fn print_three(title: &str, n: usize, m: &Three, modelled: &[&str]) {
    println!("\n{title} ({n} files)");
    let head = [
        "(a) rules alone",
        "(b) model alone",
        "(c) rules OR model",
        "(d) OR, P>=.9 t",
        "(e) OR, picked t",
    ];
    let mut line = format!("{:<27}", "");
    for h in head {
        line.push_str(&format!(" | {h:^20}"));
    }
    println!("{line}");
    let mut line = format!("{:<27}", "rule");
    for _ in head {
        line.push_str(&format!(
            " | {:>3} {:>3} {:>3} {:>4} {:>4}",
            "tp", "fp", "fn", "P", "R"
        ));
    }
    println!("{line}");
    let row = |name: &str, c: &[Counts; 5], model: bool| {
        let mut line = format!("{name:<27}");
        for (k, x) in c.iter().enumerate() {
            if k == 1 && !model {
                line.push_str(&format!(" | {:^20}", ""));
            } else {
                line.push_str(&format!(" | {}", cell(*x)));
            }
        }
        println!("{line}");
    };
    let mut sums = [[Counts::default(); 5]; 2];
    for r in modelled {
        let c = m.get(*r).copied().unwrap_or_default();
        row(r, &c, true);
        for k in 0..5 {
            sums[0][k].add(c[k]);
        }
    }
    for (r, c) in m {
        if !modelled.contains(&r.as_str()) {
            for k in [0, 2, 3, 4] {
                sums[1][k].add(c[k]);
            }
        }
    }
    row("modelled rules", &sums[0], true);
    row("other rules (rules only)", &sums[1], false);
    let mut all = sums[0];
    for k in [0, 2, 3, 4] {
        all[k].add(sums[1][k]);
    }
    row("ALL (no info rules)", &all, false);
}

/// The file names (without folders) of `docs`: a set to check another set against.
fn base_names(docs: &[Doc]) -> BTreeSet<String> {
    docs.iter()
        .map(|d| d.name.rsplit('/').next().unwrap().to_string())
        .collect()
}

/// Each chosen rule's model, trained on all of `docs` with its chosen setting.
fn trained(choices: Vec<Choice>, docs: &[Doc], rows: &[Row]) -> Vec<(Choice, Model)> {
    choices
        .into_iter()
        .map(|ch| {
            let rr = rule_rows(&ch.rule, docs, rows);
            let m = fit(&rr, ch.ctx, ch.l2, ch.pw);
            (ch, m)
        })
        .collect()
}

/// `pick SET...`: the third operating point, chosen on blind batches the model never trained
/// on. Per modelled rule, over the agent turns of SET's files that label it: the threshold
/// whose model findings the rules do not already make add the most (added correct minus
/// `pick_cost()` times added false; ties to the higher threshold), kept only when that is
/// above zero. Prints aggregate counts per rule and writes `picked_path()`, which `eval` reads
/// as column (e). Models are trained on `corpora/` alone.
fn pick(sets: &[String]) {
    let docs = load_training();
    let rows = agent_rows(&docs);
    let models = trained(read_choices(), &docs, &rows);
    let engine = builtin_engine();
    let train_names = base_names(&docs);
    let cost = pick_cost();
    let picked = picked_path();
    let mut set_docs = Vec::new();
    for set in sets {
        set_docs.extend(load_dir(&root().join(set)));
    }
    assert!(
        set_docs
            .iter()
            .all(|d| !train_names.contains(d.name.rsplit('/').next().unwrap())),
        "a file of the pick sets is training data"
    );
    let found: Vec<BTreeSet<(String, usize)>> =
        set_docs.iter().map(|d| rule_findings(&engine, d)).collect();
    println!(
        "models trained on {} files; picking on {} files of {}; cost of an added false finding: {cost}",
        docs.len(),
        set_docs.len(),
        sets.join(" + ")
    );
    println!(
        "{:<28} {:>4} {:>4} {:>4} | {:>5} {:>6} {:>6}",
        "rule", "tp", "fp", "fn", "t", "+tp", "+fp"
    );
    let mut out = String::from(
        "# Chosen by `cargo run --release --example turn_model -- pick SET...` on blind batches the\n# model never trained on: rule, threshold, added correct, added false (rules OR model).\n",
    );
    for (ch, model) in &models {
        // (score, labelled, found by the rules) of every agent turn of a file labelling it.
        let mut turns = Vec::new();
        let mut alone = Counts::default();
        for (d, f) in set_docs.iter().zip(&found) {
            if !d.labels(&ch.rule) {
                continue;
            }
            for (i, turn) in d.t.turns.iter().enumerate() {
                let key = (ch.rule.clone(), i);
                let (y, hit) = (d.want.contains(&key), f.contains(&key));
                match (y, hit) {
                    (true, true) => alone.tp += 1,
                    (false, true) => alone.fp += 1,
                    (true, false) => alone.fn_ += 1,
                    _ => {}
                }
                if turn.role == Role::Agent && !hit {
                    let s = model.score_features(&turn_features(&d.t, i, ch.ctx == 1));
                    turns.push((s, y));
                }
            }
        }
        let mut best: Option<(i64, f64, usize, usize)> = None;
        for t in thresholds() {
            let add_tp = turns.iter().filter(|(s, y)| *s >= t && *y).count();
            let add_fp = turns.iter().filter(|(s, y)| *s >= t && !*y).count();
            let net = add_tp as i64 - (cost * add_fp) as i64;
            if net > 0 && best.is_none_or(|b| net >= b.0) {
                best = Some((net, t, add_tp, add_fp));
            }
        }
        let shown = best.map_or("-".to_string(), |b| format!("{:.2}", b.1));
        let (add_tp, add_fp) = best.map_or((0, 0), |b| (b.2, b.3));
        println!(
            "{:<28} {:>4} {:>4} {:>4} | {shown:>5} {add_tp:>6} {add_fp:>6}",
            ch.rule, alone.tp, alone.fp, alone.fn_
        );
        if let Some(b) = best {
            out.push_str(&format!("{}\t{:.2}\t{add_tp}\t{add_fp}\n", ch.rule, b.1));
        }
    }
    std::fs::write(root().join(&picked), out).unwrap();
    println!("wrote {picked}");
}

fn eval(sets: &[String]) {
    let choices = read_choices();
    let mut docs = load_training();
    let extra = train_dev_fold();
    if let Some(f) = extra {
        assert!(
            !sets.iter().any(|s| s == "dev" || *s == format!("dev{f}")),
            "dev fold {f} is training data here: evaluate on the other fold"
        );
        docs.extend(load_dev_fold(f));
    }
    let rows = agent_rows(&docs);
    let models = trained(choices, &docs, &rows);
    let modelled: Vec<&str> = models.iter().map(|(c, _)| c.rule.as_str()).collect();
    println!(
        "models trained on {} files ({} agent turns{}): {}",
        docs.len(),
        rows.len(),
        extra.map_or(String::new(), |f| format!(", real dev fold {f} included")),
        models
            .iter()
            .map(|(c, _)| {
                format!(
                    "{} (l2 {}, pw {}, ctx {}, t {:.2}, t at P>=.9 {})",
                    c.rule,
                    c.l2,
                    c.pw,
                    c.ctx,
                    c.t,
                    c.t_hp.map_or("-".to_string(), |t| format!("{t:.2}"))
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    );
    let engine = builtin_engine();
    let train_names = base_names(&docs);
    let mut together: Three = BTreeMap::new();
    let mut n_together = 0;
    let is_dev = |s: &str| matches!(s, "dev" | "devA" | "devB");
    let dirs: Vec<&String> = sets.iter().filter(|s| !is_dev(s)).collect();
    for set in sets {
        let set_docs = match set.as_str() {
            "dev" => load_dev(),
            "devA" => load_dev_fold('A'),
            "devB" => load_dev_fold('B'),
            _ => load_dir(&root().join(set)),
        };
        let overlap = set_docs
            .iter()
            .filter(|d| train_names.contains(d.name.rsplit('/').next().unwrap()))
            .count();
        let labels: usize = set_docs
            .iter()
            .map(|d| d.want.iter().filter(|(r, _)| d.labels(r)).count())
            .sum();
        let m = score_set(&set_docs, &engine, &models);
        let title = format!(
            "{set}: {labels} labelled findings (info rules excluded), {overlap} file names also in training"
        );
        print_three(&title, set_docs.len(), &m, &modelled);
        if !is_dev(set) {
            n_together += set_docs.len();
            for (r, c) in m {
                let e = together.entry(r).or_default();
                for k in 0..5 {
                    e[k].add(c[k]);
                }
            }
        }
    }
    if dirs.len() > 1 {
        let names: Vec<&str> = dirs.iter().map(|s| s.as_str()).collect();
        print_three(&names.join(" + "), n_together, &together, &modelled);
    }
}

/// Where `export` writes the shipped models (build.rs embeds them).
const EXPORTED: &str = "rules/models/turn-models.tsv";

/// `export`: trains the model of each rule `pick` chose a threshold for (`picked_path()`) on
/// all of `corpora/` with its `cv` setting, writes the weights the engine embeds
/// (`EXPORTED`), and checks that the engine's learned detector (`tonecheck::learned`, its
/// hashed features and f32 table) gives every training agent turn the score this example's
/// scorer gives it. The thresholds themselves live in the packs (`learned: {threshold}`).
fn export() {
    let docs = load_training();
    let rows = agent_rows(&docs);
    let picked = read_picked();
    let choices: Vec<Choice> = read_choices()
        .into_iter()
        .filter(|c| picked.contains_key(&c.rule))
        .collect();
    let models = trained(choices, &docs, &rows);
    let mut out = format!(
        "# The learned detector's built-in models, one per rule with `learned:` in the packs.\n\
         # Written by `cargo run --release --example turn_model -- export` (do not edit): each\n\
         # trained on the {} annotated transcripts of corpora/ ({} agent turns) with the\n\
         # setting of examples/turn_model/choices.tsv; thresholds chosen on unseen batches\n\
         # ({}) are in the packs. Lines: `model NAME context 0|1`, `bias W`, `FEATURE W`.\n",
        docs.len(),
        rows.len(),
        picked_path()
    );
    for (ch, m) in &models {
        out.push_str(&format!("model\t{}\tcontext\t{}\n", ch.rule, ch.ctx));
        out.push_str(&format!("bias\t{}\n", m.bias));
        for (k, w) in &m.weights {
            let w = *w as f32;
            if w != 0.0 {
                out.push_str(&format!("{k}\t{w}\n"));
            }
        }
    }
    // The engine's reading of the same weights must score as this scorer does.
    let bytes = tonecheck::learned::table::build(&out).expect("a valid weights file");
    let table = tonecheck::learned::Table::read(&bytes).unwrap();
    let (mut worst, mut checked) = (0.0f64, 0usize);
    for (ch, m) in &models {
        let mi = table.model(&ch.rule).unwrap();
        for r in rows.iter().filter(|r| docs[r.doc].labels(&ch.rule)) {
            let t = &docs[r.doc].t;
            let want = m.score_features(&r.feats[ch.ctx]);
            let sent = tonecheck::sentiment::TurnSentiment::new(t);
            let got = tonecheck::learned::Scorer::new(&table, t, &sent).score(mi, r.turn);
            worst = worst.max((want - got).abs());
            checked += 1;
        }
    }
    // And the names: the engine's feature names of every agent turn are the scorer's.
    for r in &rows {
        let text = &docs[r.doc].t.turns[r.turn].text;
        let mut names = tonecheck::learned::Names::default();
        tonecheck::learned::features(
            &mut tonecheck::tokens::Tokens::default(),
            text,
            tonecheck::sentiment::compound(text),
            b"",
            &mut names,
        );
        let theirs: BTreeSet<String> = features(text).into_iter().map(|(k, _)| k).collect();
        let ours: BTreeSet<String> = names.0.into_keys().collect();
        assert_eq!(ours, theirs, "feature names differ on {}", docs[r.doc].name);
    }
    assert!(
        worst < 1e-4,
        "the engine's scores differ from the scorer's by up to {worst}"
    );
    std::fs::write(root().join(EXPORTED), &out).unwrap();
    println!(
        "{} models, {} feature rows, {} bytes as a table; {checked} training scores checked, largest difference {worst:.2e}; wrote {EXPORTED}",
        models.len(),
        table.rows(),
        bytes.len()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("stats") => stats(),
        Some("cv") => cv(),
        Some("eval") if args.len() > 1 => eval(&args[1..]),
        Some("pick") if args.len() > 1 => pick(&args[1..]),
        Some("export") => export(),
        _ => {
            eprintln!(
                "usage: turn_model stats | cv | pick DIR... | eval SET... | export (SET: a folder, `dev`, `devA` or `devB`; \
                 TURN_MODEL_TRAIN_DEV=A|B adds that dev fold to eval's training)"
            );
            std::process::exit(2);
        }
    }
}
