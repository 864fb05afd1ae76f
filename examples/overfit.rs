//! How far a rule's patterns reach beyond the files they were written for, on the **dev half
//! only** of the real labelled set (test-half files are never opened).
//!
//! The dev half is split in two by a seeded hash of the file name (`--seed`, default
//! `tonecheck-dev-fold-1`, the same folds A/B as `examples/dev_misses`). For each pattern of
//! the named rule's matcher field (default `when`), it counts the dev files of each fold where
//! the pattern matches a turn of the field's speaker without being excluded, and whether that
//! turn carries a label of the rule (a hit on a labelled turn "earns" its keep). It also counts
//! the files of `corpora/` (the project's own, written by the rule writers) it matches.
//!
//! A pattern that matches one real file and nothing else was most likely written for that
//! file; a family that never matches a fold it was not read from has not been shown to carry.
//!
//! Usage: cargo run --release --example overfit -- RULE [FIELD] [--seed S] [--all]
//!        [--entries CLASS[,CLASS...]] [--speaker customer|agent]
//! (`--all` prints every pattern, not only those that match some real dev file;
//! `--entries` also splits the named word classes of the rule's pack into one pattern per
//! entry, matched without the rule's exclusions, on turns of `--speaker`, default customer.)
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use tonecheck::engine::EngineBuilder;
use tonecheck::input::{read_path, ReadOptions};
use tonecheck::labels::{half_of, load_labels, Half};
use tonecheck::pack::PackSource;

fn fold_of(seed: &str, name: &str) -> char {
    if (tonecheck::labels::seeded_hash(seed, name) >> 40).is_multiple_of(2) {
        'A'
    } else {
        'B'
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|x| x == "txt") {
            out.push(p);
        }
    }
}

impl Row {
    /// Counts a match in dev file `name` (fold `fold`) on `turn`, given the file's labelled
    /// turns for the rule.
    fn count(&mut self, name: &str, fold: char, turn: usize, labelled: &BTreeSet<usize>) {
        let lab = usize::from(labelled.contains(&turn));
        if labelled.first().is_none_or(|&f| turn < f) {
            self.early.insert(name.to_string());
        }
        if fold == 'A' {
            self.a.insert(name.to_string());
            self.a_lab += lab;
        } else {
            self.b.insert(name.to_string());
            self.b_lab += lab;
        }
    }
}

#[derive(Default)]
struct Row {
    a: BTreeSet<String>,
    b: BTreeSet<String>,
    a_lab: usize,
    b_lab: usize,
    /// Dev files where it matches before the rule's first label, or in a file without one:
    /// a false finding if it were the only trigger.
    early: BTreeSet<String>,
    corpora: usize,
}

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("../shared/corpora-real/conversations");
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut seed = "tonecheck-dev-fold-1".to_string();
    if let Some(i) = args.iter().position(|a| a == "--seed") {
        seed = args.get(i + 1).cloned().unwrap_or(seed);
        args.drain(i..(i + 2).min(args.len()));
    }
    let mut entries: Vec<String> = Vec::new();
    if let Some(i) = args.iter().position(|a| a == "--entries") {
        entries = args
            .get(i + 1)
            .map(|s| s.split(',').map(String::from).collect())
            .unwrap_or_default();
        args.drain(i..(i + 2).min(args.len()));
    }
    let mut speaker = "customer".to_string();
    if let Some(i) = args.iter().position(|a| a == "--speaker") {
        speaker = args.get(i + 1).cloned().unwrap_or(speaker);
        args.drain(i..(i + 2).min(args.len()));
    }
    let all = args.iter().any(|a| a == "--all");
    args.retain(|a| a != "--all");
    let rule_id = args
        .first()
        .cloned()
        .unwrap_or_else(|| "missing-apology".into());
    let field = args.get(1).cloned().unwrap_or_else(|| "when".into());
    let packs = PackSource::builtin_from_tree(&root).expect("rules/*.yaml readable");
    let engine = EngineBuilder::new()
        .packs(packs)
        .build()
        .unwrap_or_else(|e| panic!("{e:?}"));
    let ri = engine.rule_index(&rule_id).expect("no such rule");
    // One rule per class entry, in a pack of its own that carries the rule pack's classes.
    let lists = engine.rules()[ri].lists.clone();
    let mut entry_rules = Vec::new();
    for c in &entries {
        for e in lists.get(c).unwrap_or_else(|| panic!("no class {c}")) {
            entry_rules.push(serde_json::json!({
                "id": format!("e{}", entry_rules.len()),
                "severity": "info",
                "speaker": speaker,
                "message": "m",
                "match": {"patterns": [e]},
            }));
        }
    }
    let entry_names: Vec<String> = entries
        .iter()
        .flat_map(|c| lists[c].iter().map(move |e| format!("@{c}: {e}")))
        .collect();
    let entry_engine = (!entry_rules.is_empty()).then(|| {
        let pack = serde_json::json!({"pack": "entries", "classes": &*lists, "rules": entry_rules});
        EngineBuilder::new()
            .packs([PackSource::new("entries", pack.to_string())])
            .check_examples(false)
            .build()
            .unwrap_or_else(|e| panic!("{e:?}"))
    });
    let entry_hits = |t: &tonecheck::transcript::Transcript| -> Vec<(usize, usize)> {
        let Some(en) = &entry_engine else {
            return Vec::new();
        };
        let mut v: Vec<(usize, usize)> = en
            .check(t)
            .findings
            .iter()
            .map(|f| (f.rule.id[1..].parse::<usize>().unwrap(), f.turn))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let labels = load_labels(&root.join("corpora/real-labels/labels.yaml")).unwrap();
    let mut rows: BTreeMap<String, Row> = BTreeMap::new();
    let mut nfiles = [0usize; 2];
    for (name, file) in &labels {
        if half_of(name) != Half::Dev {
            continue;
        }
        let fold = fold_of(&seed, name);
        nfiles[usize::from(fold == 'B')] += 1;
        let ts = read_path(&corpus.join(name), &ReadOptions::default()).unwrap();
        let t = &ts[0];
        let labelled: BTreeSet<usize> = file
            .expect
            .iter()
            .filter(|l| l.rule == rule_id)
            .map(|l| l.turn)
            .collect();
        let mut seen_e = BTreeSet::new();
        for (e, turn) in entry_hits(t) {
            if !seen_e.insert(e) {
                continue;
            }
            rows.entry(entry_names[e].clone())
                .or_default()
                .count(name, fold, turn, &labelled);
        }
        for tt in engine.trace(ri, t) {
            let mut seen = BTreeSet::new();
            for m in &tt.matches {
                if m.field != field || m.exclusions.iter().any(|(_, hit)| *hit) {
                    continue;
                }
                if !seen.insert(m.source.clone()) {
                    continue;
                }
                rows.entry(m.source.to_string())
                    .or_default()
                    .count(name, fold, tt.turn, &labelled);
            }
        }
    }
    let mut files = Vec::new();
    walk(&root.join("corpora"), &mut files);
    for p in &files {
        let Ok(ts) = read_path(p, &ReadOptions::default()) else {
            continue;
        };
        for t in &ts {
            let mut seen_e = BTreeSet::new();
            for (e, _) in entry_hits(t) {
                if seen_e.insert(e) {
                    rows.entry(entry_names[e].clone()).or_default().corpora += 1;
                }
            }
            let mut seen = BTreeSet::new();
            for tt in engine.trace(ri, t) {
                for m in &tt.matches {
                    if m.field == field
                        && !m.exclusions.iter().any(|(_, hit)| *hit)
                        && seen.insert(m.source.clone())
                    {
                        rows.entry(m.source.clone()).or_default().corpora += 1;
                    }
                }
            }
        }
    }
    for n in &entry_names {
        rows.entry(n.clone()).or_default();
    }
    println!(
        "rule {rule_id}, field {field}; dev folds (seed {seed:?}) A={} B={} files; corpora/ {} files",
        nfiles[0],
        nfiles[1],
        files.len()
    );
    println!(
        "{:>5} {:>5} {:>5} {:>5} {:>5} {:>7}  pattern",
        "A", "A lab", "B", "B lab", "early", "corpora"
    );
    let (mut one_fold, mut both, mut none, mut single) = (0, 0, 0, 0);
    for (src, r) in &rows {
        match (r.a.is_empty(), r.b.is_empty()) {
            (false, false) => both += 1,
            (true, true) => none += 1,
            _ => one_fold += 1,
        }
        if r.a.len() + r.b.len() == 1 {
            single += 1;
        }
        if all || !(r.a.is_empty() && r.b.is_empty()) {
            println!(
                "{:>5} {:>5} {:>5} {:>5} {:>5} {:>7}  {src}",
                r.a.len(),
                r.a_lab,
                r.b.len(),
                r.b_lab,
                r.early.len(),
                r.corpora
            );
        }
    }
    println!(
        "patterns matching: both folds {both}, one fold only {one_fold} (of which one single dev file {single}), \
         no dev file (corpora only) {none}"
    );
}
