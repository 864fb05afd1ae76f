//! The linter side for script libraries (issue 11): Markdown macros in script mode, SARIF and
//! GitHub output, suppressions, terminal-sized output options, `score` exit codes, authoring
//! errors and closed pipes — the real binary, in a temporary folder, with its own pack.
mod common;
use common::run::Out;
use std::path::Path;
use std::process::{Command, Stdio};

const PACK: &str = r#"pack: lint-test
rules:
  - id: conditional-apology
    category: apology
    severity: error
    message: 'Non-apology "{match}".'
    why: It apologises for the feeling, not the failure.
    fix: 'Say "I am sorry we got this wrong." instead.'
    match: { phrases: ["sorry if you feel"] }
    examples:
      flag: ["Agent: I'm sorry if you feel that way."]
      pass: ["Agent: I'm sorry we got it wrong."]
  - id: hold-on
    category: forbidden
    severity: warning
    message: 'Say what you are doing instead of "{match}".'
    why: Silence without a reason feels like being ignored.
    fix: Let me check that; it takes a minute.
    match: { phrases: ["hold on"] }
    examples:
      flag: ["Agent: hold on"]
      pass: ["Agent: one moment while I check"]
  - id: thanks-kudos
    category: thanks
    severity: kudos
    message: 'Good: "{match}".'
    why: Thanks builds goodwill.
    fix: Keep doing it.
    match: { phrases: ["thank you"] }
    examples:
      flag: ["Agent: thank you"]
      pass: ["Agent: hello"]
"#;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let env = Env {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        env.write("lint.yaml", PACK);
        env
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }

    fn run(&self, args: &[&str]) -> Out {
        common::run::tonecheck(self.dir.path(), args, None)
    }

    /// `check` with only the test pack, no config, plus `args`.
    fn check(&self, args: &[&str]) -> Out {
        let mut all = vec![
            "check",
            "--no-config",
            "--no-default-packs",
            "--rules",
            "lint.yaml",
        ];
        all.extend_from_slice(args);
        self.run(&all)
    }
}

/// 1-based column of `needle` in `line` (in characters).
fn col(line: &str, needle: &str) -> usize {
    line[..line.find(needle).expect("needle in line")]
        .chars()
        .count()
        + 1
}

#[test]
fn markdown_macros_skip_markup_and_keep_columns() {
    let env = Env::new();
    let last = "1. **I’m sorry if you feel** that way.";
    let text = format!(
        "---\ntitle: Refund\ntags: [refunds, billing]\n---\n# Sorry if you feel\n\
         - Hi {{{{sorry if you feel}}}}, see [the policy](https://x.y/sorry-if-you-feel) and `sorry if you feel`.\n\
         ```text\nsorry if you feel\n```\n<!-- sorry if you feel -->\n> - [ ] https://x.y/sorry-if-you-feel\n{last}\n"
    );
    env.write("m.md", &text);
    let out = env.check(&["--mode", "script", "--format", "line", "m.md"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(
        out.stdout,
        format!(
            "m.md:12:{}: error[conditional-apology] Non-apology \"sorry if you feel\".\n",
            col(last, "sorry")
        )
    );
    // Front matter lists read as text.
    let out = env.check(&["--mode", "script", "--format", "jsonl", "m.md"]);
    // The first line is the transcript; the last is the batch summary.
    let first = out.stdout.lines().next().unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(first).expect("jsonl");
    assert_eq!(v["metadata"]["tags"], "refunds, billing");
    assert_eq!(v["metadata"]["title"], "Refund");
}

#[test]
fn an_empty_macro_is_fine_but_an_empty_transcript_is_not() {
    let env = Env::new();
    env.write("empty.md", "");
    env.write("only-heading.md", "# Nothing yet\n\n```\ncode\n```\n");
    let out = env.check(&["--mode", "script", "empty.md", "only-heading.md"]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout
            .contains("Checked 2 transcripts in 2 files: 0 findings"),
        "{}",
        out.stdout
    );
    let out = env.check(&["empty.md"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("empty.md: error: empty file"),
        "{}",
        out.stderr
    );
}

/// Validates a SARIF log against the OASIS schema with Python's `jsonschema`; skips when the
/// schema or the validator is missing, except under CI=true.
fn validate_sarif(log: &str) {
    let schema =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/schemas/sarif-schema-2.1.0.json");
    let ci = std::env::var("CI").as_deref() == Ok("true");
    let have_validator = Command::new("python3")
        .args(["-c", "import jsonschema"])
        .status()
        .is_ok_and(|s| s.success());
    if !schema.is_file() || !have_validator {
        assert!(
            !ci,
            "CI=true: the SARIF schema ({}) and python3 jsonschema are required",
            schema.display()
        );
        eprintln!("skipped SARIF schema validation: schema or jsonschema missing");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let log_path = dir.path().join("log.sarif");
    std::fs::write(&log_path, log).expect("write log");
    let out = Command::new("python3")
        .args([
            "-c",
            "import json,sys,jsonschema; jsonschema.Draft4Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2])))",
        ])
        .arg(&schema)
        .arg(&log_path)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "SARIF log does not validate:\n{}\n{log}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn sarif_validates_and_carries_rules_regions_fixes_and_stable_fingerprints() {
    let env = Env::new();
    let line = "- Oh, I’m sorry if you feel that way. Hold on.";
    env.write("macros/a b.md", &format!("# Reply\n{line}\n{line}\n"));
    env.write("bad.md", "ok\u{0}");
    let out = env.check(&["--mode", "script", "--format", "sarif", "macros", "bad.md"]);
    assert_eq!(out.code, 2, "the unreadable file sets the exit code");
    validate_sarif(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("SARIF is JSON");
    let run = &v["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    let apology = rules
        .iter()
        .find(|r| r["id"] == "conditional-apology")
        .expect("rule listed");
    assert_eq!(apology["help"]["text"], "It apologises for the feeling, not the failure.\nSay instead: Say \"I am sorry we got this wrong.\" instead.");
    assert_eq!(apology["defaultConfiguration"]["level"], "error");
    let results = run["results"].as_array().expect("results");
    assert_eq!(results.len(), 4, "two rules on each of two lines");
    let first = &results[0];
    assert_eq!(first["ruleId"], "conditional-apology");
    assert_eq!(
        rules[first["ruleIndex"].as_u64().unwrap() as usize]["id"],
        "conditional-apology"
    );
    let loc = &first["locations"][0]["physicalLocation"];
    assert_eq!(loc["artifactLocation"]["uri"], "macros/a%20b.md");
    let start = col(line, "sorry");
    assert_eq!(loc["region"]["startLine"], 2);
    assert_eq!(loc["region"]["startColumn"], start);
    assert_eq!(
        loc["region"]["endColumn"],
        start + "sorry if you feel".len()
    );
    // The quoted rewrite replaces the sentence holding the match.
    let fix = &first["fixes"][0]["artifactChanges"][0]["replacements"][0];
    assert_eq!(
        fix["insertedContent"]["text"],
        "I am sorry we got this wrong."
    );
    assert_eq!(fix["deletedRegion"]["startColumn"], col(line, "Oh,"));
    assert_eq!(fix["deletedRegion"]["endColumn"], col(line, " Hold"));
    let notes = &run["invocations"][0]["toolExecutionNotifications"];
    assert!(
        notes[0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("binary"),
        "{notes}"
    );
    // Fingerprints: distinct for the repeated line, unchanged when lines are added above.
    let prints = |s: &str| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_str(s).expect("JSON");
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                r["partialFingerprints"]["tonecheckLine/v1"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect()
    };
    let before = prints(&out.stdout);
    assert_ne!(
        before[0], before[2],
        "the same finding on two lines has two fingerprints"
    );
    env.write(
        "macros/a b.md",
        &format!("# Reply\n\nA new first line.\n{line}\n{line}\n"),
    );
    let after = env.check(&["--mode", "script", "--format", "sarif", "macros"]);
    assert_eq!(prints(&after.stdout), before);
}

#[test]
fn github_annotations_are_escaped_and_leave_out_kudos() {
    let env = Env::new();
    env.write("a,b.md", "Thank you. Sorry if you feel that way.\n");
    let out = env.check(&["--mode", "script", "--format", "github", "a,b.md"]);
    assert_eq!(out.code, 1);
    let c = col("Thank you. Sorry if you feel that way.", "Sorry");
    assert_eq!(
        out.stdout,
        format!(
            "::error file=a%2Cb.md,line=1,endLine=1,col={c},endColumn={},title=error[conditional-apology]::Non-apology \"Sorry if you feel\".%0ASay instead: Say \"I am sorry we got this wrong.\" instead.\n",
            c + 17
        )
    );
}

#[test]
fn suppressions_warn_on_unknown_ids_cover_files_and_report_unused() {
    let env = Env::new();
    env.write(
        "a.md",
        "Sorry if you feel so. <!-- tonecheck: ignore conditional-apology -->\nHold on. <!-- tonecheck: ignore hold-onn -->\nFine. <!-- tonecheck: ignore hold-on -->\n",
    );
    env.write(
        "b.md",
        "<!-- tonecheck: ignore-file hold-on -->\nHold on.\nHold on.\n",
    );
    let out = env.check(&["--mode", "script", "--format", "line", "a.md", "b.md"]);
    assert_eq!(
        out.stdout,
        "a.md:2:1: warning[hold-on] Say what you are doing instead of \"Hold on\".\n"
    );
    assert!(
        out.stderr.contains("a.md:2: warning: `tonecheck: ignore` names unknown rule `hold-onn` (did you mean `hold-on`?)"),
        "{}",
        out.stderr
    );
    assert_eq!(out.code, 0, "warnings do not fail the run");
    let out = env.check(&[
        "--mode",
        "script",
        "--format",
        "line",
        "--report-unused-ignores",
        "a.md",
        "b.md",
    ]);
    assert_eq!(out.code, 1);
    assert!(
        out.stdout.contains(&format!(
            "a.md:3:{}: error[unused-ignore] `tonecheck: ignore hold-on` suppresses nothing\n",
            col("Fine. <!-- tonecheck: ignore hold-on -->", "tonecheck:")
        )),
        "{}",
        out.stdout
    );
    assert_eq!(
        out.stdout.lines().count(),
        2,
        "used directives are not reported:\n{}",
        out.stdout
    );
}

#[test]
fn output_fits_a_terminal() {
    let env = Env::new();
    env.write(
        "a.md",
        "Thank you for waiting.\nSorry if you feel so.\nSorry if you feel that.\nHold on.\n",
    );
    let base = ["--mode", "script", "a.md"];
    let out = env.check(&base);
    assert_eq!(
        out.stdout.matches("= why:").count(),
        2,
        "why once per rule:\n{}",
        out.stdout
    );
    assert_eq!(out.stdout.matches("= fix:").count(), 2);
    // Kudos come after the problems, apart.
    let kudos = out.stdout.find("went well in a.md").expect("kudos block");
    assert!(
        out.stdout.rfind("warning[hold-on]").unwrap() < kudos,
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("  + Good: \"Thank you\". (1:1, thanks-kudos)"),
        "{}",
        out.stdout
    );

    let out = env.check(&[&base[..], &["--explain"]].concat());
    assert_eq!(
        out.stdout.matches("= why:").count(),
        3,
        "every problem explains itself"
    );

    let out = env.check(&[&base[..], &["--quiet"]].concat());
    assert!(
        !out.stdout.contains("= why")
            && !out.stdout.contains("Checked")
            && !out.stdout.contains("went well")
    );
    assert_eq!(out.stdout.matches("error[conditional-apology]").count(), 2);

    let out = env.check(&[&base[..], &["--statistics"]].concat());
    assert_eq!(
        out.stdout,
        "2  error    conditional-apology  apology\n1  warning  hold-on              forbidden\n1  kudos    thanks-kudos         thanks\nFound 4 findings in 1 file.\n"
    );

    let out = env.check(&[
        "--mode",
        "script",
        "--min-severity",
        "warning",
        "--fail-on",
        "warning",
        "--format",
        "line",
        "a.md",
    ]);
    assert_eq!(out.code, 1);
    assert_eq!(out.stdout.lines().count(), 3, "{}", out.stdout);
    env.write("b.md", "Thank you. Hold on.\n");
    let out = env.check(&[
        "--mode",
        "script",
        "--min-severity",
        "error",
        "--fail-on",
        "warning",
        "b.md",
    ]);
    assert_eq!(out.code, 0, "hidden findings do not fail the run");
}

#[test]
fn score_exits_1_on_autofail_and_on_fail_on() {
    let env = Env::new();
    env.write(
        "card.yaml",
        "scorecard: t\npass_mark: 10\nsections:\n  - name: Tone\n    items:\n      - name: Sincere apology\n        rules: [conditional-apology]\n        autofail: true\n      - name: No hold-on\n        rules: [hold-on]\n",
    );
    env.write(
        "bad.txt",
        "Agent: I'm sorry if you feel that way.\nCustomer: hm\n",
    );
    env.write("meh.txt", "Agent: hold on.\nCustomer: hm\n");
    let score = |args: &[&str]| {
        let mut all = vec![
            "score",
            "--no-config",
            "--no-default-packs",
            "--rules",
            "lint.yaml",
            "--scorecard",
            "card.yaml",
        ];
        all.extend_from_slice(args);
        env.run(&all)
    };
    let out = score(&["bad.txt"]);
    assert_eq!(out.code, 1, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("1 transcript autofailed"),
        "{}",
        out.stderr
    );
    let out = score(&["meh.txt"]);
    assert_eq!(
        out.code, 0,
        "a 50-point call above the pass mark: {}",
        out.stderr
    );
    let out = score(&["--fail-on", "warning", "meh.txt"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .contains("1 finding at or above --fail-on warning"),
        "{}",
        out.stderr
    );
    let out = score(&["--min-score", "60", "meh.txt"]);
    assert_eq!(out.code, 1);
}

#[test]
fn trimming_packs_warns_about_scorecard_items_left_without_rules() {
    let env = Env::new();
    env.write("tonecheck.yaml", "packs: [builtin:respect, lint.yaml]\n");
    env.write("c.txt", "Agent: Thank you for calling.\nCustomer: hi\n");
    let out = env.run(&["score", "c.txt"]);
    assert_ne!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("builtin:service-recovery:")
            && out.stderr.contains(": warning: item `"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("has none of its rules loaded"),
        "{}",
        out.stderr
    );
}

#[test]
fn authoring_errors_point_at_the_fix() {
    let env = Env::new();
    env.write(
        "typo.yaml",
        &PACK.replacen("pack: lint-test", "pack: typo", 1).replacen(
            "    severity: warning\n",
            "    severity: warnign\n",
            1,
        ),
    );
    let out = env.run(&["rules", "test", "--no-config", "typo.yaml"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("typo.yaml:15:15: error: rules[1].severity: unknown variant `warnign`: did you mean `warning`?"), "{}", out.stderr);
    env.write(
        "key.yaml",
        &PACK.replacen("    category: forbidden\n", "    categroy: forbidden\n", 1),
    );
    let out = env.run(&["rules", "test", "--no-config", "key.yaml"]);
    assert!(
        out.stderr.contains(
            "key.yaml:14:5: error: rules[1]: unknown field `categroy`: did you mean `category`?"
        ),
        "{}",
        out.stderr
    );
    // A config error found while testing a pack names the config's file, line and column.
    env.write(
        "tonecheck.yaml",
        "packs: [lint.yaml]\nrules:\n  hold-onn: { severity: info }\n",
    );
    let out = env.run(&["rules", "test"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("tonecheck.yaml:3:3: error: `rules:` names unknown rule `hold-onn` (did you mean `hold-on`?)"), "{}", out.stderr);
    env.write(
        "tonecheck.yaml",
        "packs: [lint.yaml]\nrules:\n  forbidden-phrase: { disabled: true }\n",
    );
    let out = env.run(&["check", "--mode", "script", "lint.yaml"]);
    assert!(out.stderr.contains("tonecheck.yaml:3:3: error: `rules:` names rule `forbidden-phrase`, which is in `builtin:forbidden-phrases`"), "{}", out.stderr);
}

#[test]
fn config_errors_name_the_config_line() {
    let env = Env::new();
    env.write("c.md", "Hello.\n");
    env.write(
        "tonecheck.yaml",
        "mode: script\npacks: [lint.yaml, rules/missing.yaml]\n",
    );
    let out = env.run(&["check", "c.md"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains(
            "tonecheck.yaml:2:20: error: in `packs:`: `rules/missing.yaml`: cannot read rule pack"
        ),
        "{}",
        out.stderr
    );
    env.write(
        "tonecheck.yaml",
        "packs: [lint.yaml]\nscorecard: cards/missing.yaml\n",
    );
    let out = env.run(&["score", "c.md"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("tonecheck.yaml:2:12: error: in `scorecard:`: `cards/missing.yaml`: cannot read scorecard"),
        "{}",
        out.stderr
    );
    env.write("tonecheck.yaml", "mode: scirpt\n");
    let out = env.run(&["check", "c.md"]);
    assert!(
        out.stderr.contains(
            "tonecheck.yaml:1:7: error: mode: unknown variant `scirpt`: did you mean `script`?"
        ),
        "{}",
        out.stderr
    );
    env.write(
        "tonecheck.yaml",
        "overrides:\n  - files: \"a/[b\"\n    mode: script\n",
    );
    let out = env.run(&["check", "c.md"]);
    assert!(
        out.stderr
            .contains("tonecheck.yaml:2:13: error: bad glob `a/[b`"),
        "{}",
        out.stderr
    );
}

#[test]
fn closed_pipes_end_quietly() {
    let env = Env::new();
    for args in [
        &["rules", "doc", "--no-config"][..],
        &["rules", "list", "--no-config"][..],
        &["rules", "explain", "non-apology", "--no-config"][..],
    ] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tonecheck"))
            .args(args)
            .current_dir(env.dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        drop(child.stdout.take()); // the reader goes away before the first write
        let out = child.wait_with_output().expect("wait");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(
            !err.contains("panicked") && err.is_empty(),
            "{args:?}: {err}"
        );
    }
}

/// Errors inside an `any_of` alternative point at the alternative's text, and sentiment
/// conditions are refused there (they belong to the matcher).
#[test]
fn any_of_alternatives_are_checked_like_matchers() {
    let env = Env::new();
    let pack = |alt: &str| {
        format!(
            "pack: alts\nrules:\n  - id: broke\n    severity: warning\n    message: broken\n    match:\n      any_of:\n        - patterns: [\"still broken\"]\n        - {alt}\n"
        )
    };
    let refused = |file: &str, alt: &str, wants: &[&str]| {
        env.write(file, &pack(alt));
        let out = env.run(&["rules", "test", "--no-config", file]);
        assert_eq!(out.code, 2);
        for want in wants {
            assert!(out.stderr.contains(want), "{want}\n{}", out.stderr);
        }
    };
    refused(
        "bad-class.yaml",
        "patterns: [\"@nope broken\"]",
        &[
            "bad-class.yaml:9:23: error: rule `broke`: in `match`:",
            "@nope",
        ],
    );
    refused(
        "mood.yaml",
        "{patterns: [\"broken\"], sentiment_below: -0.3}",
        &["go on the matcher itself, not on an `any_of` alternative"],
    );
}

#[test]
fn a_rule_gives_way_on_the_turns_where_the_rule_it_yields_to_fires() {
    let env = Env::new();
    let pack = PACK.replacen(
        "    match: { phrases: [\"thank you\"] }\n    examples:\n      flag: [\"Agent: thank you\"]\n      pass: [\"Agent: hello\"]\n",
        "    yields_to: [hold-on]\n    match: { phrases: [\"thank you\"] }\n    examples:\n      flag: [\"Agent: thank you\"]\n      pass: [\"Agent: hello\", \"Agent: thank you, hold on\"]\n",
        1,
    );
    assert_ne!(pack, PACK);
    env.write("lint.yaml", &pack);
    // The examples run the rule alone: the rule it yields to is evaluated for it.
    let out = env.run(&["rules", "test", "--no-config", "lint.yaml"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    env.write(
        "call.txt",
        "Customer: hi\nAgent: Thank you, hold on.\nCustomer: ok\nAgent: Thank you for waiting.\n",
    );
    // "call.txt:LINE:COL: severity[rule] message" as "rule@LINE".
    let found = |out: &Out| {
        out.stdout
            .lines()
            .filter_map(|l| {
                let line = l.split(':').nth(1)?;
                let rule = l.split('[').nth(1)?.split(']').next()?;
                Some(format!("{rule}@{line}"))
            })
            .collect::<Vec<_>>()
    };
    let out = env.run(&[
        "check",
        "--no-config",
        "--no-default-packs",
        "--rules",
        "lint.yaml",
        "--format",
        "line",
        "call.txt",
    ]);
    let lines = found(&out);
    assert!(lines.iter().any(|l| l == "hold-on@2"), "{lines:?}");
    assert!(lines.iter().any(|l| l == "thanks-kudos@4"), "{lines:?}");
    assert!(!lines.iter().any(|l| l == "thanks-kudos@2"), "{lines:?}");
    // `rules trace` says why the match on turn 1 left no finding.
    let out = env.run(&[
        "rules",
        "trace",
        "thanks-kudos",
        "call.txt",
        "--no-config",
        "--no-default-packs",
        "--rules",
        "lint.yaml",
    ]);
    assert!(
        out.stdout
            .contains("gives way to `hold-on` (yields_to), which fires on turn 1"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("findings: 1"), "{}", out.stdout);
    // Switched off in the config, the rule yielded to shows nothing, and still takes the
    // other's finding away (the excuse is there whether or not its warning is wanted).
    env.write(
        "tonecheck.yaml",
        "packs: [lint.yaml]\nrules:\n  hold-on: { disabled: true }\n",
    );
    let out = env.run(&["check", "--format", "line", "call.txt"]);
    assert_eq!(found(&out), ["thanks-kudos@4"], "{}", out.stderr);
    std::fs::remove_file(env.dir.path().join("tonecheck.yaml")).expect("rm");
    // A misspelt or circular `yields_to` is an authoring error at its place in the pack.
    for (file, id, message) in [
        (
            "typo.yaml",
            "hold-onn",
            "names unknown rule `hold-onn` (did you mean `hold-on`?)",
        ),
        ("self.yaml", "thanks-kudos", "names the rule itself"),
    ] {
        env.write(
            file,
            &pack.replacen("yields_to: [hold-on]", &format!("yields_to: [{id}]"), 1),
        );
        let out = env.run(&["rules", "test", "--no-config", file]);
        assert_eq!(out.code, 2);
        let want = format!("{file}:29:17: error: rule `thanks-kudos`: `yields_to` {message}");
        assert!(out.stderr.contains(&want), "{}", out.stderr);
    }
}
