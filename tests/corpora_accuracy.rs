//! Accuracy of the built-in packs on the annotated corpora: runs the real binary over
//! `corpora/`, compares its JSON findings with every `NAME.expected.yaml`, prints a per-rule
//! precision/recall table and fails when any rule drops below precision 0.95 or recall 0.90.
//! An annotation may list `known_misses:` — findings a reviewer should see that no rule kind
//! can find yet (documented in docs/accuracy.md). They are printed, kept out of the bar, and
//! fail the test as soon as the tool finds one, so it is moved to `findings:` then.
//! An annotation may also list `unlabelled: [rule ids]`, rules its writer did not label
//! (batch 21 follows docs/labelling.md in leaving the four info rules unlabelled): findings
//! of those rules in that file are neither true nor false, and none is a miss; the file may
//! not list such a rule in `findings:` or `known_misses:`.
mod common;
use common::json::Report;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

const MIN_PRECISION: f64 = 0.95;
const MIN_RECALL: f64 = 0.90;

use tonecheck::pack::{NOT_YET_BUILT_RULE_IDS as NOT_YET_BUILT, STABLE_RULE_IDS as DESIGN_IDS};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    findings: Vec<ExpectedFinding>,
    #[serde(default)]
    known_misses: Vec<ExpectedFinding>,
    #[serde(default)]
    unlabelled: Vec<String>,
    /// A free-text note on the calls another reader might make differently (batch 23 on);
    /// read and ignored.
    #[serde(default, rename = "note")]
    _note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectedFinding {
    rule: String,
    turn: usize,
}

/// (transcript path relative to the crate, rule id, turn)
type Key = (String, String, usize);

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn is_transcript(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("txt" | "md"))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn rel(p: &Path) -> String {
    p.strip_prefix(root())
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/")
}

/// (transcript path relative to the crate, rule id) for a rule the file leaves unlabelled.
type Unlabelled = BTreeSet<(String, String)>;

/// Reads every `NAME.expected.yaml` (its findings, its known misses and the rules it leaves
/// unlabelled); each transcript must have one and vice versa.
fn expected() -> (BTreeSet<Key>, BTreeSet<Key>, Unlabelled) {
    let mut files = Vec::new();
    walk(&root().join("corpora"), &mut files);
    let mut keys = BTreeSet::new();
    let mut known = BTreeSet::new();
    let mut unlabelled = BTreeSet::new();
    let mut transcripts = 0;
    for f in &files {
        let name = f.to_string_lossy();
        if let Some(stem) = name.strip_suffix(".expected.yaml") {
            let txt = PathBuf::from(format!("{stem}.txt"));
            assert!(
                txt.exists(),
                "{} has no transcript beside it ({})",
                rel(f),
                rel(&txt)
            );
            let text = std::fs::read_to_string(f).expect("expected file is readable");
            let exp: Expected = serde_yaml::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: bad expected file: {e}", rel(f)));
            for e in exp.findings {
                keys.insert((rel(&txt), e.rule, e.turn));
            }
            for e in exp.known_misses {
                known.insert((rel(&txt), e.rule, e.turn));
            }
            for r in exp.unlabelled {
                assert!(
                    !keys
                        .iter()
                        .chain(known.iter())
                        .any(|k| k.0 == rel(&txt) && k.1 == r),
                    "{}: rule {r} is listed as unlabelled and also labelled",
                    rel(f)
                );
                unlabelled.insert((rel(&txt), r));
            }
        } else if is_transcript(f) {
            transcripts += 1;
            let exp = f.with_extension("expected.yaml");
            assert!(
                exp.exists(),
                "{} has no expected-findings file ({})",
                rel(f),
                rel(&exp)
            );
        }
    }
    assert!(
        transcripts >= 60,
        "corpora/ should hold at least 60 annotated transcripts, found {transcripts}"
    );
    (keys, known, unlabelled)
}

/// Runs `tonecheck check corpora/ --format json` and returns what it found.
fn found() -> (BTreeSet<Key>, BTreeSet<String>) {
    let out = Command::new(env!("CARGO_BIN_EXE_tonecheck"))
        .current_dir(root())
        .args(["check", "corpora/", "--format", "json"])
        .output()
        .expect("the tonecheck binary runs");
    assert_ne!(
        out.status.code(),
        Some(2),
        "tonecheck reported bad usage, config, pack or input: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "tonecheck did not print one JSON document ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(doc.version, 1);
    assert!(
        doc.errors.is_empty(),
        "corpus files could not be read: {:?}",
        doc.errors
            .iter()
            .map(|e| format!("{}: {}", e.path, e.message))
            .collect::<Vec<_>>()
    );
    let mut keys = BTreeSet::new();
    let mut paths = BTreeSet::new();
    for t in doc.transcripts {
        paths.insert(t.path.replace('\\', "/"));
        for f in t.findings {
            assert_eq!(f.path, t.path, "a finding carries its transcript's path");
            keys.insert((f.path.replace('\\', "/"), f.rule, f.turn));
        }
    }
    (keys, paths)
}

/// The ids of every built-in rule, from the library.
fn builtin_rule_ids() -> Vec<String> {
    let engine = tonecheck::engine::EngineBuilder::new()
        .packs(tonecheck::pack::PackSource::all_builtin())
        .build()
        .unwrap_or_else(|e| panic!("built-in packs load: {e:?}"));
    engine
        .rules()
        .iter()
        .map(|r| r.common.info.id.clone())
        .collect()
}

#[derive(Default, Clone, Copy)]
struct Counts {
    tp: usize,
    fp: usize,
    fn_: usize,
}

impl Counts {
    fn precision(&self) -> f64 {
        if self.tp + self.fp == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fp) as f64
        }
    }
    fn recall(&self) -> f64 {
        if self.tp + self.fn_ == 0 {
            1.0
        } else {
            self.tp as f64 / (self.tp + self.fn_) as f64
        }
    }
}

#[test]
fn builtin_packs_are_accurate_on_the_annotated_corpora() {
    let (expected, known, unlabelled) = expected();
    let (found, paths) = found();
    // Findings of a rule the file leaves unlabelled are neither true nor false.
    let found: BTreeSet<Key> = found
        .into_iter()
        .filter(|k| !unlabelled.contains(&(k.0.clone(), k.1.clone())))
        .collect();
    let now_found: Vec<&Key> = known.intersection(&found).collect();
    assert!(
        now_found.is_empty(),
        "known misses now found: move them to `findings:` in their annotation: {now_found:?}"
    );

    // Every transcript the test expects was actually read by the binary.
    let expected_paths: BTreeSet<&String> = expected.iter().map(|k| &k.0).collect();
    for p in expected_paths {
        assert!(
            paths.contains(p),
            "tonecheck did not read {p} (it read {} transcripts)",
            paths.len()
        );
    }

    let mut per_rule: BTreeMap<String, Counts> = BTreeMap::new();
    for id in builtin_rule_ids() {
        per_rule.entry(id).or_default();
    }
    for k in expected.union(&found) {
        let c = per_rule.entry(k.1.clone()).or_default();
        match (expected.contains(k), found.contains(k)) {
            (true, true) => c.tp += 1,
            (false, true) => c.fp += 1,
            (true, false) => c.fn_ += 1,
            (false, false) => unreachable!("k comes from one of the sets"),
        }
    }

    let mut table = String::new();
    table.push_str(&format!(
        "\n{:<28} {:>4} {:>4} {:>4} {:>9} {:>7}\n",
        "rule", "tp", "fp", "fn", "precision", "recall"
    ));
    let mut failures = Vec::new();
    for (rule, c) in &per_rule {
        table.push_str(&format!(
            "{:<28} {:>4} {:>4} {:>4} {:>9.3} {:>7.3}\n",
            rule,
            c.tp,
            c.fp,
            c.fn_,
            c.precision(),
            c.recall()
        ));
        if c.tp + c.fp + c.fn_ == 0 {
            // Nothing to measure. The stable DESIGN.md rules must be exercised, though.
            if DESIGN_IDS.contains(&rule.as_str()) {
                failures.push(format!("{rule}: no annotated occurrence in corpora/"));
            }
            continue;
        }
        if c.precision() < MIN_PRECISION {
            failures.push(format!(
                "{rule}: precision {:.3} < {MIN_PRECISION}",
                c.precision()
            ));
        }
        if c.recall() < MIN_RECALL {
            failures.push(format!("{rule}: recall {:.3} < {MIN_RECALL}", c.recall()));
        }
    }
    let total = per_rule.values().fold(Counts::default(), |a, c| Counts {
        tp: a.tp + c.tp,
        fp: a.fp + c.fp,
        fn_: a.fn_ + c.fn_,
    });
    table.push_str(&format!(
        "{:<28} {:>4} {:>4} {:>4} {:>9.3} {:>7.3}\n",
        "ALL",
        total.tp,
        total.fp,
        total.fn_,
        total.precision(),
        total.recall()
    ));
    println!("{table}");

    let mut detail = String::new();
    for k in found.difference(&expected) {
        detail.push_str(&format!("  unexpected: {} turn {} {}\n", k.0, k.2, k.1));
    }
    for k in expected.difference(&found) {
        detail.push_str(&format!("  missed:     {} turn {} {}\n", k.0, k.2, k.1));
    }
    for k in &known {
        detail.push_str(&format!("  known miss: {} turn {} {}\n", k.0, k.2, k.1));
    }
    if !detail.is_empty() {
        println!("differences from the annotations:\n{detail}");
    }
    assert!(
        failures.is_empty(),
        "rules below the accuracy bar:\n  {}\n{table}\n{detail}",
        failures.join("\n  ")
    );
}

#[test]
fn every_design_rule_id_is_built_in_or_documented_as_not_yet_built() {
    let ids = builtin_rule_ids();
    let missing: Vec<&&str> = DESIGN_IDS
        .iter()
        .filter(|id| !ids.iter().any(|x| x == **id) && !NOT_YET_BUILT.contains(id))
        .collect();
    assert!(missing.is_empty(), "built-in rule ids missing: {missing:?}");
}
