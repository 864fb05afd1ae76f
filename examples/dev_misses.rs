//! Tuning aid for the **dev half only** of the real labelled set: reads the packs from
//! `rules/*.yaml` on disk (no rebuild after a pack edit), checks only the dev-half files
//! (`labels::half_of`), and prints per-rule counts for the whole dev half and for its two
//! folds A and B (a second seeded hash, for 2-fold cross-validation inside dev), then every
//! false and missed finding of the rules named on the command line, with the turn text.
//! Test-half files are never opened.
//!
//! Usage: cargo run --release --example dev_misses -- [RULE...] [--fold A|B] [--tree DIR]
//!
//! `--tree DIR` reads the packs from `DIR/rules/*.yaml` instead of this tree's (a variant of
//! the packs, e.g. one complaint cue alone, scored without touching `rules/`).
//! `--learned` switches on every rule's learned detector at its pack's threshold;
//! `--learned-at FILE` (a `turn_model pick` file: rule, threshold) switches on those rules'
//! detectors at the file's thresholds and no other.
use std::collections::BTreeMap;
use std::path::PathBuf;
use tonecheck::engine::{EngineBuilder, LearnedOverride, RuleOverride};
use tonecheck::input::{read_path, ReadOptions};
use tonecheck::labels::{
    half_of, labelled_findings, load_labels, Counts, Half, CORE_RULES, LABELLED_RULES,
};
use tonecheck::pack::PackSource;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("../shared/corpora-real/conversations");
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut only_fold = None;
    if let Some(i) = args.iter().position(|a| a == "--fold") {
        only_fold = args.get(i + 1).and_then(|f| f.chars().next());
        args.drain(i..(i + 2).min(args.len()));
    }
    let mut tree = root.clone();
    if let Some(i) = args.iter().position(|a| a == "--tree") {
        if let Some(d) = args.get(i + 1) {
            tree = PathBuf::from(d);
        }
        args.drain(i..(i + 2).min(args.len()));
    }
    let learned = args.iter().any(|a| a == "--learned");
    args.retain(|a| a != "--learned");
    let mut learned_at: BTreeMap<String, f64> = BTreeMap::new();
    if let Some(i) = args.iter().position(|a| a == "--learned-at") {
        let file = args.get(i + 1).expect("--learned-at FILE").clone();
        args.drain(i..i + 2);
        for l in std::fs::read_to_string(&file).expect("a pick file").lines() {
            let f: Vec<&str> = l.split('\t').collect();
            if let (false, [rule, t, ..]) = (l.starts_with('#'), f.as_slice()) {
                learned_at.insert(rule.to_string(), t.parse().expect("a threshold"));
            }
        }
    }
    let packs = PackSource::builtin_from_tree(&tree).expect("rules/*.yaml readable");
    let mut builder = EngineBuilder::new().packs(packs.clone()).learned(learned);
    if !learned_at.is_empty() {
        for p in &packs {
            for r in tonecheck::pack::parse_pack(p).expect("a pack").rules {
                if r.learned.is_some() {
                    let o = match learned_at.get(&r.id) {
                        Some(&t) => LearnedOverride::Threshold(t),
                        None => LearnedOverride::Off,
                    };
                    builder = builder.override_rule(
                        &r.id,
                        RuleOverride {
                            learned: Some(o),
                            ..Default::default()
                        },
                    );
                }
            }
        }
    }
    let engine = match builder.build() {
        Ok(e) => e,
        Err(errs) => {
            for e in errs {
                eprintln!("error: {e}");
            }
            std::process::exit(1);
        }
    };
    let labels = load_labels(&root.join("corpora/real-labels/labels.yaml")).unwrap();
    let mut counts: BTreeMap<(char, String), Counts> = BTreeMap::new();
    let mut files = BTreeMap::new();
    let mut report = String::new();
    for (name, file) in &labels {
        if half_of(name) != Half::Dev {
            continue;
        }
        let fold = tonecheck::labels::dev_fold(name);
        *files.entry(fold).or_insert(0) += 1;
        let ts = read_path(&corpus.join(name), &ReadOptions::default()).unwrap();
        let t = &ts[0];
        let found = labelled_findings(&engine, t);
        for l in found.union(&file.expect) {
            let c = counts.entry((fold, l.rule.clone())).or_default();
            let (e, f) = (file.expect.contains(l), found.contains(l));
            match (e, f) {
                (true, true) => c.tp += 1,
                (false, true) => c.fp += 1,
                _ => c.fn_ += 1,
            }
            if (e != f) && args.contains(&l.rule) && only_fold.is_none_or(|o| o == fold) {
                let kind = if f { "FP" } else { "FN" };
                report.push_str(&format!(
                    "\n== {kind} {} turn {} [{fold}] {name}\n",
                    l.rule, l.turn
                ));
                if let Some(n) = &file.note {
                    report.push_str(&format!("   note: {n}\n"));
                }
                for (i, turn) in t.turns.iter().enumerate() {
                    let mark = if i == l.turn { ">>" } else { "  " };
                    report.push_str(&format!(
                        "{mark}{i} {:?}: {}\n",
                        turn.role,
                        turn.text.replace('\n', " ")
                    ));
                }
            }
        }
    }
    let fmt = |v: Option<f64>| format!("{:>4}", tonecheck::labels::shown(v));
    println!(
        "dev half only; folds A={:?} B={:?}",
        files.get(&'A'),
        files.get(&'B')
    );
    println!(
        "{:<27} {:>14} {:>14} {:>22}",
        "rule", "fold A tp/fp/fn", "fold B tp/fp/fn", "dev tp fp fn  P    R    F1"
    );
    let mut core = [Counts::default(); 3];
    for r in LABELLED_RULES {
        let a = counts
            .get(&('A', r.to_string()))
            .copied()
            .unwrap_or_default();
        let b = counts
            .get(&('B', r.to_string()))
            .copied()
            .unwrap_or_default();
        let mut d = a;
        d.add(b);
        if CORE_RULES.contains(r) {
            core[0].add(a);
            core[1].add(b);
            core[2].add(d);
        }
        println!(
            "{:<27} {:>4}/{:>3}/{:>3}   {:>4}/{:>3}/{:>3}   {:>3} {:>3} {:>3} {} {} {}",
            r,
            a.tp,
            a.fp,
            a.fn_,
            b.tp,
            b.fp,
            b.fn_,
            d.tp,
            d.fp,
            d.fn_,
            fmt(d.precision()),
            fmt(d.recall()),
            fmt(d.f1())
        );
    }
    println!(
        "core 8 F1: A {} B {} dev {} (P {} R {})",
        fmt(core[0].f1()),
        fmt(core[1].f1()),
        fmt(core[2].f1()),
        fmt(core[2].precision()),
        fmt(core[2].recall())
    );
    print!("{report}");
}
