//! The learned detector (`learned:` on a rule, src/learned): off unless asked for, adds a
//! finding only on an agent turn the patterns do not flag, says so in its message, is
//! switched and tuned from the command line and the config, and a bad `learned:` is refused
//! with its file, line and column. The models are the built-in ones (rules/models).
mod common;
use common::run::{tonecheck, Out};
use std::path::Path;
use tonecheck::engine::EngineBuilder;
use tonecheck::input::{read_path, ReadOptions};
use tonecheck::pack::PackSource;

/// A rule whose pattern never matches the test call, with the built-in `blame-shifting`
/// model at `threshold`, and a second rule whose pattern does match the blaming turn.
fn pack(threshold: &str, extra: &str) -> String {
    format!(
        r#"pack: learned-test
rules:
  - id: blame
    severity: warning
    message: '"{{match}}" blames someone else.'
    why: One company.
    fix: Own it.
    match:
      phrases: ["not our department at all"]
    learned: {{model: blame-shifting, threshold: {threshold}}}
    examples:
      flag: ["Agent: That is not our department at all, ask the warehouse lads."]
      pass: ["Agent: I will sort it out for you myself today."]
{extra}"#
    )
}

const CALL: &str = "Customer: My order came with the wrong size again, this is the second time.\n\
Agent: Honestly that part is down to the warehouse lads, they pack everything and they keep mixing the labels up.\n\
Customer: Can you just send the right one?\n\
Agent: I can send a new one today, it'll be with you Thursday.\n";

fn setup(pack_text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("pack.yaml"), pack_text).unwrap();
    std::fs::write(dir.path().join("call.txt"), CALL).unwrap();
    dir
}

fn check(dir: &Path, args: &[&str]) -> Out {
    let mut all = vec![
        "check",
        "--no-default-packs",
        "--rules",
        "pack.yaml",
        "--format",
        "line",
        "call.txt",
    ];
    all.extend_from_slice(args);
    tonecheck(dir, &all, None)
}

#[test]
fn off_by_default_and_on_with_the_flag() {
    let dir = setup(&pack("0.40", ""));
    let off = check(dir.path(), &["--no-config"]);
    assert_eq!(off.code, 0, "{off:?}");
    assert!(!off.stdout.contains("[blame]"), "{}", off.stdout);
    let on = check(dir.path(), &["--no-config", "--learned"]);
    assert_eq!(on.code, 0, "{on:?}");
    let lines: Vec<&str> = on
        .stdout
        .lines()
        .filter(|l| l.contains("[blame]"))
        .collect();
    assert_eq!(lines.len(), 1, "{}", on.stdout);
    // Line 2, after "Agent: "; quoting the sentence that weighs most, and saying it is learned.
    assert!(
        lines[0].starts_with("call.txt:2:8: warning[blame]"),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("warehouse lads"), "{}", lines[0]);
    assert!(
        lines[0].contains("(learned detector, score 0."),
        "{}",
        lines[0]
    );
}

#[test]
fn the_threshold_decides() {
    // The turn scores between these two (0.63 when written).
    let high = setup(&pack("0.95", ""));
    let out = check(high.path(), &["--no-config", "--learned"]);
    assert!(!out.stdout.contains("[blame]"), "{}", out.stdout);
    let low = setup(&pack("0.30", ""));
    let out = check(low.path(), &["--no-config", "--learned"]);
    assert!(out.stdout.contains("[blame]"), "{}", out.stdout);
}

#[test]
fn a_turn_the_patterns_flag_gets_no_second_finding() {
    let dir = setup(&pack("0.40", "").replace(
        "phrases: [\"not our department at all\"]",
        "phrases: [\"warehouse lads\"]",
    ));
    let out = check(dir.path(), &["--no-config", "--learned"]);
    let lines: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.contains("[blame]"))
        .collect();
    assert_eq!(lines.len(), 1, "{}", out.stdout);
    assert!(!lines[0].contains("learned detector"), "{}", lines[0]);
    assert!(lines[0].contains("\"warehouse lads\""), "{}", lines[0]);
}

#[test]
fn the_config_switches_and_tunes_it() {
    let dir = setup(&pack("0.40", ""));
    let cfg = dir.path().join("tonecheck.yaml");
    // On for every rule from the config; `--no-learned` wins over it.
    std::fs::write(&cfg, "learned: true\n").unwrap();
    assert!(check(dir.path(), &[]).stdout.contains("[blame]"));
    assert!(!check(dir.path(), &["--no-learned"])
        .stdout
        .contains("[blame]"));
    // On for one rule, at the pack's threshold or another.
    std::fs::write(&cfg, "rules:\n  blame:\n    learned: true\n").unwrap();
    assert!(check(dir.path(), &[]).stdout.contains("[blame]"));
    std::fs::write(&cfg, "rules:\n  blame:\n    learned: 0.99\n").unwrap();
    let out = check(dir.path(), &[]);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(!out.stdout.contains("[blame]"), "{}", out.stdout);
    // Off for one rule though on for all.
    std::fs::write(
        &cfg,
        "learned: true\nrules:\n  blame:\n    learned: false\n",
    )
    .unwrap();
    assert!(!check(dir.path(), &[]).stdout.contains("[blame]"));
}

#[test]
fn config_errors_name_the_entry() {
    let extra = r#"  - id: plain
    severity: info
    message: plain
    why: w
    fix: f
    match:
      phrases: ["zzq"]
    examples:
      flag: ["Agent: zzq"]
      pass: ["Agent: hello"]
"#;
    let dir = setup(&pack("0.40", extra));
    let cfg = dir.path().join("tonecheck.yaml");
    std::fs::write(
        &cfg,
        "fail_on: error\nrules:\n  plain:\n    learned: true\n",
    )
    .unwrap();
    let out = check(dir.path(), &[]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("tonecheck.yaml:3:"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("`plain` sets `learned`, but the rule has no learned detector"),
        "{}",
        out.stderr
    );
    std::fs::write(&cfg, "rules:\n  blame:\n    learned: 1.5\n").unwrap();
    let out = check(dir.path(), &[]);
    assert_eq!(out.code, 2, "{out:?}");
    assert!(out.stderr.contains("tonecheck.yaml:2:"), "{}", out.stderr);
    assert!(out.stderr.contains("threshold 1.5"), "{}", out.stderr);
}

#[test]
fn bad_learned_entries_in_a_pack_are_located() {
    let refused = |text: String| -> String {
        let dir = setup(&text);
        let out = check(dir.path(), &["--no-config"]);
        assert_eq!(out.code, 2, "{out:?}");
        out.stderr
    };
    // An unknown model, with the closest name; the line and column of the name.
    let err = refused(pack("0.40", "").replace("model: blame-shifting", "model: blame-shiftin"));
    assert!(err.contains("pack.yaml:10:"), "{err}");
    assert!(err.contains("no built-in model `blame-shiftin`"), "{err}");
    assert!(err.contains("blame-shifting"), "{err}");
    // A rule without `model:` uses its own id, which names no model here.
    let err = refused(pack("0.40", "").replace("model: blame-shifting, ", ""));
    assert!(err.contains("no built-in model `blame`"), "{err}");
    // A threshold out of range.
    let err = refused(pack("0", ""));
    assert!(err.contains("pack.yaml:10:"), "{err}");
    assert!(err.contains("not above 0 and at most 1"), "{err}");
    // A misspelt key.
    let err = refused(pack("0.40", "").replace("threshold:", "treshold:"));
    assert!(err.contains("pack.yaml:10:"), "{err}");
    assert!(err.contains("treshold"), "{err}");
}

#[test]
fn trace_shows_scores_and_the_features_that_weigh_most() {
    let dir = setup(&pack("0.40", ""));
    let args = [
        "rules",
        "trace",
        "blame",
        "call.txt",
        "--no-config",
        "--no-default-packs",
        "--rules",
        "pack.yaml",
    ];
    let off = tonecheck(dir.path(), &args, None);
    assert!(
        off.stdout
            .contains("learned detector (model `blame-shifting`, threshold 0.40): off"),
        "{}",
        off.stdout
    );
    let mut on_args = args.to_vec();
    on_args.push("--learned");
    let on = tonecheck(dir.path(), &on_args, None);
    assert!(on.stdout.contains("threshold 0.40): on"), "{}", on.stdout);
    assert!(
        on.stdout.contains("turn 1: score 0.") && on.stdout.contains("flags the turn"),
        "{}",
        on.stdout
    );
    assert!(on.stdout.contains("weighs most: w:"), "{}", on.stdout);
    assert!(
        on.stdout
            .contains("turn 3: score 0.00, below the threshold"),
        "{}",
        on.stdout
    );
}

/// Every built-in rule's `learned:` names a built-in model, and every built-in model is used
/// by a rule (no weights ship that nothing reads); with the detectors on, the engine builds
/// and flags the call above with the built-in `blame-shifting`.
#[test]
fn builtin_rules_and_models_match() {
    let engine = EngineBuilder::new()
        .packs(PackSource::all_builtin())
        .learned(true)
        .build()
        .unwrap();
    let table = tonecheck::learned::builtin();
    let mut used = Vec::new();
    for r in engine.rules() {
        if let Some(l) = &r.def.learned {
            let name = l.model.clone().unwrap_or_else(|| r.common.info.id.clone());
            assert!(table.model(&name).is_some(), "{name}");
            assert!(r.learned.is_some(), "{name} is on with .learned(true)");
            used.push(name);
        }
    }
    for m in table.models() {
        assert!(
            used.contains(&m.name),
            "model {} is used by no rule",
            m.name
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("call.txt");
    std::fs::write(&path, CALL).unwrap();
    let t = read_path(&path, &ReadOptions::default()).unwrap().remove(0);
    let learned: Vec<_> = engine
        .check(&t)
        .findings
        .into_iter()
        .filter(|f| f.rule.id == "blame-shifting")
        .collect();
    assert_eq!(learned.len(), 1, "{learned:?}");
    assert!(learned[0].message.contains("learned detector"));
    // Off by default.
    let plain = EngineBuilder::new()
        .packs(PackSource::all_builtin())
        .build()
        .unwrap();
    assert!(plain.rules().iter().all(|r| r.learned.is_none()));
}
