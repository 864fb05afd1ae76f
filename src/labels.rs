//! The hand-labelled real set (`corpora/real-labels/labels.yaml`, guideline in
//! `docs/labelling.md`): loading the labels, the fixed dev/test split, and scoring an engine
//! against them. Shared by `examples/accuracy.rs` (the report) and `tests/real_labels.rs` (the
//! regression guard on the dev half), so both count a finding the same way.
//!
//! A finding matches a label when file, rule id and 0-based turn are equal. Only the rules in
//! [`LABELLED_RULES`] are scored; findings of other rules (the info rules) are ignored.
use crate::engine::Engine;
use crate::input::{read_path, ReadOptions};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every error, warning and kudos rule of the built-in packs: the rules the labels cover.
/// The info rules (`missing-paraphrase`, `missing-open-question`, `agent-talks-too-much`,
/// `customer-sentiment-drop`) are not labelled.
pub const LABELLED_RULES: &[&str] = &[
    "non-apology",
    "apology-then-explanation",
    "missing-apology",
    "missing-thank-you",
    "blame-shifting",
    "policy-without-alternative",
    "repeat-request",
    "over-promise",
    "missing-empathy",
    "missing-timeline",
    "forbidden-phrase",
    "customer-is-wrong",
    "accusing-customer",
    "dismissive-language",
    "kudos-sincere-apology",
    "kudos-empathy",
    "kudos-thanks",
    "kudos-ownership",
];

/// The eight core rules whose pooled (micro) F1 issue 9 tracks.
pub const CORE_RULES: &[&str] = &[
    "non-apology",
    "apology-then-explanation",
    "missing-apology",
    "missing-thank-you",
    "customer-is-wrong",
    "blame-shifting",
    "policy-without-alternative",
    "dismissive-language",
];

/// Seed of the dev/test split. Changing it reshuffles the halves and voids the promise that
/// the test half was never tuned on: never change it.
pub const SPLIT_SEED: &str = "tonecheck-real-labels-1";

/// One half of the labelled set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Half {
    /// Tuned on, and guarded by `cargo test`.
    Dev,
    /// Only reported on.
    Test,
}

impl Half {
    pub fn as_str(self) -> &'static str {
        match self {
            Half::Dev => "dev",
            Half::Test => "test",
        }
    }
}

/// The half a file belongs to: FNV-1a 64 of `SPLIT_SEED` followed by the file name; even
/// hashes are dev, odd ones test.
pub fn half_of(file_name: &str) -> Half {
    if split_hash(file_name).is_multiple_of(2) {
        Half::Dev
    } else {
        Half::Test
    }
}

fn split_hash(file_name: &str) -> u64 {
    seeded_hash(SPLIT_SEED, file_name)
}

/// The dev half's two folds for cross-validation inside it (`A` or `B`, by a second seeded
/// hash of the file name), as `examples/dev_misses.rs` and `examples/turn_model` use them.
pub fn dev_fold(file_name: &str) -> char {
    if (seeded_hash("tonecheck-dev-fold-1", file_name) >> 40).is_multiple_of(2) {
        'A'
    } else {
        'B'
    }
}

/// FNV-1a 64 of `seed` followed by `name`: the split above, and the folds the tuning
/// examples cut the dev half into (with seeds of their own). For a fold, use the high bits:
/// FNV-1a's low bit is the parity of the bytes, the same for any seed.
pub fn seeded_hash(seed: &str, name: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in seed.bytes().chain(name.bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A precision, recall or F1 as the report tables print it: two decimals, `-` when undefined.
pub fn shown(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), |v| format!("{v:.2}"))
}

/// One expected finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Label {
    pub rule: String,
    pub turn: usize,
}

/// A file's entry: the expected findings, or those plus a note on a hard call.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Entry {
    Plain(Vec<Label>),
    Noted(Noted),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Noted {
    note: String,
    expect: Vec<Label>,
}

/// The labels of one conversation file.
#[derive(Debug, Clone)]
pub struct FileLabels {
    pub expect: BTreeSet<Label>,
    pub note: Option<String>,
}

/// Reads `labels.yaml`: file name → labels. Rejects rule ids outside [`LABELLED_RULES`] and
/// a file listing the same finding twice.
pub fn load_labels(path: &Path) -> Result<BTreeMap<String, FileLabels>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let raw: BTreeMap<String, Entry> =
        serde_yaml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = BTreeMap::new();
    for (file, entry) in raw {
        let (list, note) = match entry {
            Entry::Plain(l) => (l, None),
            Entry::Noted(n) => (n.expect, Some(n.note)),
        };
        let mut expect = BTreeSet::new();
        for l in list {
            if !LABELLED_RULES.contains(&l.rule.as_str()) {
                return Err(format!(
                    "{}: {file}: `{}` is not a labelled rule id",
                    path.display(),
                    l.rule
                ));
            }
            let shown = format!("{} at turn {}", l.rule, l.turn);
            if !expect.insert(l) {
                return Err(format!(
                    "{}: {file}: {shown} is listed twice",
                    path.display()
                ));
            }
        }
        out.insert(file, FileLabels { expect, note });
    }
    Ok(out)
}

/// True, false and missed findings of one rule.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Counts {
    /// One line of a report table: name, tp, fp, fn, P, R, F1 (`-` where undefined).
    pub fn row(&self, name: &str) -> String {
        format!(
            "{:<28} {:>4} {:>4} {:>4} {:>5} {:>5} {:>5}",
            name,
            self.tp,
            self.fp,
            self.fn_,
            shown(self.precision()),
            shown(self.recall()),
            shown(self.f1())
        )
    }

    /// `None` when the rule neither fired nor was expected to.
    pub fn precision(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fp)
    }
    pub fn recall(&self) -> Option<f64> {
        ratio(self.tp, self.tp + self.fn_)
    }
    pub fn f1(&self) -> Option<f64> {
        ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn_)
    }
    pub fn add(&mut self, o: Counts) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
    }
}

fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}

/// Per-half, per-rule counts (every rule of [`LABELLED_RULES`] present, zero when unused).
#[derive(Debug, Clone, Default)]
pub struct Scores {
    pub files: BTreeMap<Half, usize>,
    pub rules: BTreeMap<Half, BTreeMap<String, Counts>>,
}

impl Scores {
    pub fn rule(&self, half: Half, rule: &str) -> Counts {
        self.rules
            .get(&half)
            .and_then(|m| m.get(rule))
            .copied()
            .unwrap_or_default()
    }

    /// Pooled counts over [`CORE_RULES`].
    pub fn core(&self, half: Half) -> Counts {
        let mut c = Counts::default();
        for r in CORE_RULES {
            c.add(self.rule(half, r));
        }
        c
    }

    /// The report table of one half.
    pub fn table(&self, half: Half) -> String {
        let mut s = format!(
            "{} half ({} conversations)\n{:<28} {:>4} {:>4} {:>4} {:>5} {:>5} {:>5}\n",
            half.as_str(),
            self.files.get(&half).copied().unwrap_or(0),
            "rule",
            "tp",
            "fp",
            "fn",
            "P",
            "R",
            "F1"
        );
        let mut row = |name: &str, c: Counts| {
            s.push_str(&c.row(name));
            s.push('\n');
        };
        for r in LABELLED_RULES {
            row(r, self.rule(half, r));
        }
        row("core 8 (micro)", self.core(half));
        s
    }
}

/// Checks every labelled file in `corpus` with `engine` and scores the findings against the
/// labels. Fails when a labelled file is missing or unreadable, when the corpus holds a file
/// with no labels, or when a label points past the file's last turn.
/// The findings of [`LABELLED_RULES`] on one transcript, as labels (rule, turn).
pub fn labelled_findings(
    engine: &crate::engine::Engine,
    t: &crate::transcript::Transcript,
) -> BTreeSet<Label> {
    engine
        .check(t)
        .findings
        .into_iter()
        .filter(|f| LABELLED_RULES.contains(&f.rule.id.as_str()))
        .map(|f| Label {
            rule: f.rule.id.clone(),
            turn: f.turn,
        })
        .collect()
}

pub fn score(
    engine: &Engine,
    corpus: &Path,
    labels: &BTreeMap<String, FileLabels>,
) -> Result<Scores, String> {
    let mut on_disk = BTreeSet::new();
    let dir = std::fs::read_dir(corpus).map_err(|e| format!("{}: {e}", corpus.display()))?;
    for entry in dir {
        let name = entry.map_err(|e| e.to_string())?.file_name();
        let name = name.to_string_lossy().into_owned();
        if name.ends_with(".txt") {
            on_disk.insert(name);
        }
    }
    if let Some(extra) = on_disk.iter().find(|n| !labels.contains_key(*n)) {
        return Err(format!("{extra} in {} has no labels", corpus.display()));
    }
    let mut scores = Scores::default();
    for half in [Half::Dev, Half::Test] {
        scores.files.insert(half, 0);
        let m = scores.rules.entry(half).or_default();
        for r in LABELLED_RULES {
            m.insert((*r).to_string(), Counts::default());
        }
    }
    for (name, file) in labels {
        let path = corpus.join(name);
        let transcripts = read_path(&path, &ReadOptions::default()).map_err(|e| e.to_string())?;
        let [t] = transcripts.as_slice() else {
            return Err(format!("{name}: expected one conversation"));
        };
        if let Some(l) = file.expect.iter().find(|l| l.turn >= t.turns.len()) {
            return Err(format!(
                "{name}: {} at turn {} but the file has {} turns",
                l.rule,
                l.turn,
                t.turns.len()
            ));
        }
        let found = labelled_findings(engine, t);
        let half = half_of(name);
        *scores.files.entry(half).or_default() += 1;
        let m = scores.rules.entry(half).or_default();
        for l in found.union(&file.expect) {
            let c = m.entry(l.rule.clone()).or_default();
            match (file.expect.contains(l), found.contains(l)) {
                (true, true) => c.tp += 1,
                (false, true) => c.fp += 1,
                (true, false) => c.fn_ += 1,
                (false, false) => unreachable!("from the union"),
            }
        }
    }
    Ok(scores)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_folds_split_names_about_evenly_and_stably() {
        let names: Vec<String> = (0..400)
            .map(|i| format!("ibm-cdp-dev-{i:05}.txt"))
            .collect();
        let a = names.iter().filter(|n| dev_fold(n) == 'A').count();
        assert!((150..=250).contains(&a), "{a} of 400 in fold A");
        assert!(names.iter().all(|n| matches!(dev_fold(n), 'A' | 'B')));
    }

    #[test]
    fn the_split_is_fixed_by_seed_and_name() {
        // Reference values from an independent FNV-1a 64 (a few lines of Python), so a change
        // to the hash or the seed shows up here.
        assert_eq!(split_hash("abcd-3592.txt"), 0xe2dd_aa06_1825_5bba);
        assert_eq!(split_hash("abcd-3647.txt"), 0xcdc1_878e_111a_7b8d);
        assert_eq!(half_of("abcd-3592.txt"), Half::Dev);
        assert_eq!(half_of("abcd-3647.txt"), Half::Test);
        let names: Vec<String> = (0..200).map(|i| format!("f{i}.txt")).collect();
        let dev = names.iter().filter(|n| half_of(n) == Half::Dev).count();
        assert!(
            (70..=130).contains(&dev),
            "split is far from even: {dev}/200"
        );
    }

    #[test]
    fn counts_leave_undefined_ratios_undefined() {
        let c = Counts::default();
        assert_eq!(c.precision(), None);
        assert_eq!(c.recall(), None);
        let c = Counts {
            tp: 3,
            fp: 1,
            fn_: 2,
        };
        assert_eq!(c.precision(), Some(0.75));
        assert_eq!(c.recall(), Some(0.6));
        assert!((c.f1().unwrap() - 6.0 / 9.0).abs() < 1e-12);
    }

    #[test]
    fn labels_reject_unknown_rules_and_duplicates() {
        let dir = std::env::temp_dir().join(format!("tc-labels-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("l.yaml");
        std::fs::write(&p, "a.txt:\n  - {rule: missing-apology, turn: 0}\nb.txt: []\nc.txt:\n  note: hard\n  expect: []\n").unwrap();
        let l = load_labels(&p).unwrap();
        assert_eq!(l.len(), 3);
        assert_eq!(l["c.txt"].note.as_deref(), Some("hard"));
        std::fs::write(&p, "a.txt:\n  - {rule: missing-paraphrase, turn: 0}\n").unwrap();
        assert!(load_labels(&p).unwrap_err().contains("not a labelled rule"));
        std::fs::write(
            &p,
            "a.txt:\n  - {rule: kudos-thanks, turn: 1}\n  - {rule: kudos-thanks, turn: 1}\n",
        )
        .unwrap();
        assert!(load_labels(&p).unwrap_err().contains("listed twice"));
        std::fs::remove_dir_all(&dir).ok();
    }
}
