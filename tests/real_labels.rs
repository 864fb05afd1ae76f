//! The hand-labelled real set (`corpora/real-labels/labels.yaml`, guideline in
//! `docs/labelling.md`) as a regression guard: the built-in packs must not fall below today's
//! precision and recall on the dev half. The test half is only reported
//! (`cargo run --release --example accuracy`), never guarded or tuned on.
//!
//! The conversations live outside the repository, in
//! `$CARGO_MANIFEST_DIR/../shared/corpora-real/conversations`. Without them the test fails when
//! CI=true and is skipped with a note otherwise.
use std::collections::BTreeMap;
use std::path::PathBuf;
use tonecheck::engine::EngineBuilder;
use tonecheck::input::{read_path, ReadOptions};
use tonecheck::labels::{half_of, load_labels, score, FileLabels, Half, LABELLED_RULES};
use tonecheck::pack::PackSource;
use tonecheck::transcript::Role;

/// Dev-half floors: (rule, precision floor, recall floor), each today's value (2026-11-26,
/// the packs before the rule-language rewrite) rounded down to two places. `None` where the
/// ratio is undefined today: precision when the rule never fired on the dev half, recall when
/// it was never expected there. Raise a floor when a rule improves; never lower one to let a
/// change through.
const DEV_FLOORS: &[(&str, Option<f64>, Option<f64>)] = &[
    ("non-apology", None, None),
    // Raised with issue 9: excuses without a connective (apology-then-explanation),
    // complaints with a culprit and an apology just before the complaint (missing-apology),
    // two agent turns before a thank-you is owed (missing-thank-you).
    ("apology-then-explanation", Some(1.00), Some(1.00)),
    // Raised again with issue 9 item 4: more neutral reports in the complaint concept;
    // recall raised with its third pass (2026-11-26) and again when the culprit test was
    // scoped to neutral reports with any_of (2026-11-26, dev P 0.941 R 0.964).
    ("missing-apology", Some(0.94), Some(0.96)),
    ("missing-thank-you", Some(1.00), Some(1.00)),
    ("blame-shifting", None, None),
    // Bare refusals without a real alternative (issue 9 item 4).
    ("policy-without-alternative", Some(1.00), Some(0.80)),
    ("repeat-request", None, Some(0.00)),
    ("over-promise", None, None),
    // Raised with issue 9's third pass: the guideline's stated feelings and empathy
    // wordings; a vague time ("asap", "as more info becomes available") for follow-ups.
    ("missing-empathy", Some(1.00), Some(0.75)),
    ("missing-timeline", Some(0.80), Some(1.00)),
    // Raised from recall 0.37 by the rewrite of forbidden-phrases.yaml (packs-respect).
    ("forbidden-phrase", Some(1.00), Some(1.00)),
    ("customer-is-wrong", None, None),
    ("accusing-customer", None, None),
    ("dismissive-language", None, None),
    // Raised with the kudos pack's rewrite in the token rule language.
    ("kudos-sincere-apology", Some(1.00), Some(1.00)),
    // Raised with issue 9's third pass: an excuse spoils empathy as it spoils an apology.
    ("kudos-empathy", Some(1.00), Some(1.00)),
    ("kudos-thanks", Some(1.00), Some(1.00)),
    ("kudos-ownership", Some(1.00), Some(1.00)),
];

/// Dev-half micro F1 over the eight core rules: 0.362 with the baseline packs, 0.890 after
/// issue 9's missing-thank-you, missing-apology and apology-then-explanation work, 0.930
/// after its item 4 (refusals, deflection, contradiction, more problem reports), 0.947 after
/// its third pass (more complaint wordings, excuses, refusals), 0.961 with the culprit test
/// scoped to neutral reports (any_of); rounded down.
const DEV_CORE_F1_FLOOR: f64 = 0.96;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn labels() -> BTreeMap<String, FileLabels> {
    load_labels(&root().join("corpora/real-labels/labels.yaml")).unwrap_or_else(|e| panic!("{e}"))
}

fn corpus() -> Option<PathBuf> {
    let dir = root().join("../shared/corpora-real/conversations");
    if dir.is_dir() {
        return Some(dir);
    }
    let msg = format!("the real conversations are not at {}", dir.display());
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{msg} (required when CI=true)");
    }
    eprintln!("note: skipping the real labelled set: {msg}");
    None
}

#[test]
fn every_labelled_rule_has_a_floor() {
    let floored: Vec<&str> = DEV_FLOORS.iter().map(|f| f.0).collect();
    assert_eq!(floored, LABELLED_RULES);
}

#[test]
fn labels_follow_the_guideline_conventions() {
    let Some(dir) = corpus() else { return };
    let labels = labels();
    assert_eq!(labels.len(), 337, "all 337 conversations are labelled");
    for (name, file) in &labels {
        let ts = read_path(&dir.join(name), &ReadOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let t = &ts[0];
        let agent: Vec<usize> = (0..t.turns.len())
            .filter(|&i| t.turns[i].role == Role::Agent)
            .collect();
        for l in &file.expect {
            let role = t.turns[l.turn].role;
            match l.rule.as_str() {
                // Conversation-level findings on the complaint or feeling sit on the customer.
                "missing-apology" | "missing-empathy" => assert_eq!(
                    role,
                    Role::Customer,
                    "{name}: {} sits on the customer's turn",
                    l.rule
                ),
                // Owed only when the agent spoke at least twice; sits on their last turn.
                "missing-thank-you" => {
                    assert!(
                        agent.len() >= 2,
                        "{name}: single-reply thread owes no thanks"
                    );
                    assert_eq!(Some(&l.turn), agent.last(), "{name}: agent's last turn");
                }
                _ => assert_eq!(role, Role::Agent, "{name}: {} is on an agent turn", l.rule),
            }
            let once = ["missing-apology", "missing-empathy", "missing-thank-you"];
            if once.contains(&l.rule.as_str()) {
                let n = file.expect.iter().filter(|m| m.rule == l.rule).count();
                assert_eq!(n, 1, "{name}: {} is one finding per conversation", l.rule);
            }
        }
    }
}

#[test]
fn the_split_puts_165_conversations_in_dev() {
    let labels = labels();
    let dev = labels.keys().filter(|n| half_of(n) == Half::Dev).count();
    assert_eq!((dev, labels.len() - dev), (165, 172), "docs/labelling.md");
}

#[test]
fn builtin_packs_hold_their_dev_half_accuracy() {
    let Some(dir) = corpus() else { return };
    let engine = EngineBuilder::new()
        .packs(PackSource::all_builtin())
        .build()
        .unwrap_or_else(|e| panic!("built-in packs load: {e:?}"));
    let scores = score(&engine, &dir, &labels()).unwrap_or_else(|e| panic!("{e}"));
    eprintln!("{}", scores.table(Half::Dev));

    let mut failures = Vec::new();
    for &(rule, p_floor, r_floor) in DEV_FLOORS {
        let c = scores.rule(Half::Dev, rule);
        // An undefined precision (the rule no longer fires) is left to the recall floor.
        if let (Some(floor), Some(p)) = (p_floor, c.precision()) {
            if p + 1e-9 < floor {
                failures.push(format!("{rule}: dev precision {p:.3} < floor {floor:.2}"));
            }
        }
        if let Some(floor) = r_floor {
            let r = c.recall().unwrap_or(0.0);
            if r + 1e-9 < floor {
                failures.push(format!("{rule}: dev recall {r:.3} < floor {floor:.2}"));
            }
        }
    }
    let f1 = scores.core(Half::Dev).f1().unwrap_or(0.0);
    if f1 + 1e-9 < DEV_CORE_F1_FLOOR {
        failures.push(format!(
            "core 8 rules: dev micro F1 {f1:.3} < floor {DEV_CORE_F1_FLOOR:.2}"
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
