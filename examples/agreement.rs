//! Inter-annotator agreement on the test half of the real labelled set: the second, blind
//! labels (`corpora/real-labels/labels-second.yaml`) against the original ones
//! (`corpora/real-labels/labels.yaml`), on the files the second labeller covered.
//!
//! A (rule, turn) pair of a file is counted once: both labellers have it (tp), only the
//! original has it (fn: the second missed it), only the second has it (fp). With the original
//! as the reference, P, R and F1 are those of the second labeller; F1 is also the positive
//! (specific) agreement, symmetric in the two labellers. Per file: how often the two lists
//! are identical, over all labelled rules and over the core 8. Ends with every disagreement.
//!
//! `cargo run --release --example agreement`
use std::collections::BTreeSet;
use std::path::Path;
use tonecheck::labels::{
    half_of, load_labels, Counts, Half, Label, Scores, CORE_RULES, LABELLED_RULES,
};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpora/real-labels");
    let original = load_labels(&root.join("labels.yaml")).unwrap_or_else(|e| panic!("{e}"));
    let second = load_labels(&root.join("labels-second.yaml")).unwrap_or_else(|e| panic!("{e}"));

    let mut scores = Scores::default();
    let rules = scores.rules.entry(Half::Test).or_default();
    for r in LABELLED_RULES {
        rules.insert((*r).to_string(), Counts::default());
    }
    let (mut files, mut same_all, mut same_core) = (0, 0, 0);
    let mut disagreements = Vec::new();
    // Core-8 counts per file, for the bootstrap interval below.
    let mut per_file_core: Vec<Counts> = Vec::new();
    for (name, b) in &second {
        assert_eq!(half_of(name), Half::Test, "{name} is not in the test half");
        let a = &original
            .get(name)
            .unwrap_or_else(|| panic!("{name} has no original labels"))
            .expect;
        let b = &b.expect;
        files += 1;
        let core = |s: &BTreeSet<Label>| -> BTreeSet<Label> {
            s.iter()
                .filter(|l| CORE_RULES.contains(&l.rule.as_str()))
                .cloned()
                .collect()
        };
        same_all += usize::from(a == b);
        same_core += usize::from(core(a) == core(b));
        let (ca, cb) = (core(a), core(b));
        per_file_core.push(Counts {
            tp: ca.intersection(&cb).count(),
            fp: cb.difference(&ca).count(),
            fn_: ca.difference(&cb).count(),
        });
        for l in a.union(b) {
            let c = rules.entry(l.rule.clone()).or_default();
            match (a.contains(l), b.contains(l)) {
                (true, true) => c.tp += 1,
                (true, false) => {
                    c.fn_ += 1;
                    disagreements.push(format!("{name}  {} @{}  only original", l.rule, l.turn));
                }
                (false, true) => {
                    c.fp += 1;
                    disagreements.push(format!("{name}  {} @{}  only second", l.rule, l.turn));
                }
                (false, false) => unreachable!("from the union"),
            }
        }
    }
    scores.files.insert(Half::Test, files);
    let all = LABELLED_RULES.iter().fold(Counts::default(), |mut acc, r| {
        acc.add(scores.rule(Half::Test, r));
        acc
    });

    println!(
        "Second labeller vs original (reference); tp = both, fp = only second, fn = only original"
    );
    print!("{}", scores.table(Half::Test));
    println!("{}", all.row("all 18 (micro)"));
    println!();
    println!(
        "files with identical labels: {same_all}/{files} ({:.0}%) over all labelled rules, {same_core}/{files} ({:.0}%) over the core 8",
        100.0 * same_all as f64 / files as f64,
        100.0 * same_core as f64 / files as f64
    );
    let (lo, hi) = bootstrap_f1(&per_file_core, 2000);
    println!(
        "core 8 F1 95% bootstrap interval over files (2000 resamples, fixed seed): {lo:.2}-{hi:.2}"
    );
    println!();
    println!("disagreements ({}):", disagreements.len());
    for d in disagreements {
        println!("  {d}");
    }
}

/// Percentile bootstrap over files of the pooled F1: resample the files with replacement
/// (a fixed-seed xorshift, so the output is reproducible) and take the 2.5th and 97.5th
/// percentiles.
fn bootstrap_f1(files: &[Counts], rounds: usize) -> (f64, f64) {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut f1s: Vec<f64> = (0..rounds)
        .map(|_| {
            let mut c = Counts::default();
            for _ in 0..files.len() {
                c.add(files[(next() % files.len() as u64) as usize]);
            }
            c.f1().unwrap_or(0.0)
        })
        .collect();
    f1s.sort_by(|a, b| a.total_cmp(b));
    let at = |q: f64| f1s[((rounds as f64 - 1.0) * q).round() as usize];
    (at(0.025), at(0.975))
}
