//! Integration tests of `tonecheck check`, `rules` and `init`: the real binary, run in a
//! temporary folder, with a rule pack the test writes itself (`--no-default-packs --rules`),
//! so they do not depend on the built-in packs' evolving wording. JSON output is parsed back
//! into structs that reject unknown fields, so the format cannot drift silently.
mod common;
use common::json::Report;
use common::run::Out;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::SystemTime;

/// The test pack. Line numbers in it are asserted by the malformed-pack tests, which
/// append to it, so keep its shape stable.
const PACK: &str = r#"pack: test-pack
description: Rules for the integration tests.
lists:
  apology: ["i'm sorry", "i am sorry", "sorry about that"]
rules:
  - id: conditional-apology
    category: apology
    severity: error
    message: 'Non-apology "{match}".'
    why: It apologises for the feeling, not the failure.
    fix: "I'm sorry we got this wrong."
    match:
      phrases: ["sorry if you feel", "sorry you feel that way"]
      regex: ['\bapologi[sz]e if you (?:were|felt)\b']
    examples:
      flag: ["Agent: I'm sorry if you feel that way."]
      pass: ["Agent: I'm sorry we sent the wrong part."]
  - id: not-my-job
    category: ownership
    severity: warning
    message: '"{match}" refuses ownership.'
    why: Customers want one person to own the problem.
    fix: "Let me find out who can do this and stay with you."
    match:
      phrases: ["that's not my job"]
    examples:
      flag: ["Agent: Sorry, that's not my job."]
      pass: ["Agent: I'll sort it out for you."]
  - id: hold-on
    category: forbidden
    severity: info
    message: 'Say what you are doing instead of "{match}".'
    why: Silence without a reason feels like being ignored.
    fix: "Let me check that; it will take about a minute."
    match:
      phrases: ["hold on"]
    examples:
      flag: ["Agent: hold on"]
      pass: ["Agent: one moment while I check"]
  - id: apology-but
    category: apology
    kind: sequence
    severity: warning
    message: 'The "but" in "{match}" takes back the apology.'
    why: An excuse straight after sorry cancels it.
    fix: "I'm sorry. Let me put this right."
    first: { list: apology }
    then: { phrases: ["but"] }
    max_words: 6
    examples:
      flag: ["Agent: I'm sorry, but that is our policy."]
      pass: ["Agent: I'm sorry. Let me fix it."]
  - id: missing-thanks
    category: thanks
    kind: required
    severity: warning
    message: The agent never thanked the customer.
    why: Thanks turns a complaint into a favour.
    fix: "Thank you for letting us know."
    expect: { phrases: ["thank you", "thanks"] }
    examples:
      flag: ["Agent: Hello, how can I help?"]
      pass: ["Agent: Thanks for calling."]
  - id: thanks-kudos
    category: thanks
    severity: kudos
    message: 'Good: "{match}".'
    why: Thanking the customer builds goodwill.
    fix: Keep doing it.
    match:
      phrases: ["thank you for calling"]
    examples:
      flag: ["Agent: Thank you for calling."]
      pass: ["Agent: Hello."]
"#;

/// A call that triggers conditional-apology, apology-but and not-my-job, and has thanks.
const CALL: &str = "---
agent: Sam
call_id: C-42
queue: billing
priority: high
---
[00:00:01] Agent: Thank you for calling, how can I help?
[00:00:05] Customer: My parcel never came.
[00:00:09] Agent: I\u{2019}m sorry if   you feel that way,
  but that\u{2019}s not my job.
";

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let env = Env {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        env.write("pack.yaml", PACK);
        env
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.path(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, contents).expect("write file");
        p
    }

    /// Runs the binary in the temp folder with exactly `args`.
    fn run(&self, args: &[&str]) -> Out {
        self.run_in(self.dir.path(), args)
    }

    fn run_in(&self, cwd: &Path, args: &[&str]) -> Out {
        common::run::tonecheck(cwd, args, None)
    }

    /// `tonecheck check` with only the test pack and no config, plus `args`.
    fn check(&self, args: &[&str]) -> Out {
        let mut all = vec![
            "check",
            "--no-config",
            "--no-default-packs",
            "--rules",
            "pack.yaml",
        ];
        all.extend_from_slice(args);
        self.run(&all)
    }

    fn check_json(&self, args: &[&str]) -> (Out, Report) {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        let out = self.check(&all);
        let report = parse_report(&out.stdout);
        (out, report)
    }
}

fn parse_report(s: &str) -> Report {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("bad JSON ({e}):\n{s}"))
}

/// Byte content and modification time, to prove inputs are never modified.
fn snapshot(paths: &[PathBuf]) -> Vec<(Vec<u8>, SystemTime)> {
    paths
        .iter()
        .map(|p| {
            let m = std::fs::metadata(p).expect("metadata");
            (
                std::fs::read(p).expect("read"),
                m.modified().expect("mtime"),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Output forms
// ---------------------------------------------------------------------------------------

#[test]
fn pretty_output_shows_location_source_line_underline_and_rule_docs() {
    let env = Env::new();
    env.write("calls/c1.txt", CALL);
    let out = env.check(&["--format", "pretty", "calls"]);
    assert_eq!(out.code, 1, "{out:?}");
    let s = &out.stdout;
    // The non-apology: header, location, source line as written, underline under the match.
    let expected = "\
error[conditional-apology]: Non-apology \"sorry if   you feel\".
  --> calls/c1.txt:9:23
  |
9 | [00:00:09] Agent: I\u{2019}m sorry if   you feel that way,
  |                       ^^^^^^^^^^^^^^^^^^^
  = why: It apologises for the feeling, not the failure.
  = fix: I'm sorry we got this wrong.
";
    assert!(s.contains(expected), "pretty output:\n{s}");
    // A match on a continuation line points into that line.
    let expected = "\
warning[not-my-job]: \"that\u{2019}s not my job\" refuses ownership.
  --> calls/c1.txt:10:7
   |
10 |   but that\u{2019}s not my job.
   |       ^^^^^^^^^^^^^^^^^
   = why: Customers want one person to own the problem.
   = fix: Let me find out who can do this and stay with you.
";
    assert!(s.contains(expected), "pretty output:\n{s}");
    assert!(s.contains("warning[apology-but]"), "{s}");
    // Kudos are listed apart, after the file's problems.
    assert!(
        s.contains("went well in calls/c1.txt\n  + Good: \"Thank you for calling\". (7:19, thanks-kudos)\n"),
        "{s}"
    );
    assert!(
        s.contains(
            "Checked 1 transcript in 1 file: 4 findings (1 error, 2 warnings, 0 info, 1 kudos)."
        ),
        "{s}"
    );
    assert!(
        !s.contains('\x1b'),
        "no color codes when not a terminal: {s}"
    );
}

#[test]
fn color_always_paints_and_never_does_not() {
    let env = Env::new();
    env.write("c1.txt", CALL);
    let painted = env.check(&["--format", "pretty", "--color", "always", "c1.txt"]);
    assert!(
        painted
            .stdout
            .contains("\x1b[1;31merror[conditional-apology]"),
        "{painted:?}"
    );
    let plain = env.check(&["--format", "pretty", "--color", "never", "c1.txt"]);
    assert!(!plain.stdout.contains('\x1b'));
}

#[test]
fn line_format_is_one_finding_per_line() {
    let env = Env::new();
    env.write("calls/c1.txt", CALL);
    let out = env.check(&["--format", "line", "calls"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(
        out.stdout,
        "\
calls/c1.txt:7:19: kudos[thanks-kudos] Good: \"Thank you for calling\".
calls/c1.txt:9:19: warning[apology-but] The \"but\" in \"I\u{2019}m sorry if   you feel that way, but\" takes back the apology.
calls/c1.txt:9:23: error[conditional-apology] Non-apology \"sorry if   you feel\".
calls/c1.txt:10:7: warning[not-my-job] \"that\u{2019}s not my job\" refuses ownership.
"
    );
    assert_eq!(out.stderr, "");
}

#[test]
fn json_has_every_finding_field() {
    let env = Env::new();
    env.write("calls/c1.txt", CALL);
    let (out, r) = env.check_json(&["calls"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(r.version, 1);
    assert!(r.errors.is_empty());
    assert_eq!(r.transcripts.len(), 1);
    let t = &r.transcripts[0];
    assert_eq!(t.path, "calls/c1.txt");
    assert_eq!(t.id, "c1");
    assert!(t.score.is_none(), "check prints findings, not scores");
    let f = t
        .findings
        .iter()
        .find(|f| f.rule == "conditional-apology")
        .expect("non-apology finding");
    assert_eq!(f.path, "calls/c1.txt");
    assert_eq!(f.transcript, "c1");
    assert_eq!(f.pack, "test-pack");
    assert_eq!(f.category, "apology");
    assert_eq!(f.severity, "error");
    assert_eq!(f.message, "Non-apology \"sorry if   you feel\".");
    assert_eq!(
        (f.turn, f.speaker.as_str(), f.role.as_str()),
        (2, "Agent", "agent")
    );
    assert_eq!((f.line, f.column), (9, 23));
    // Byte offsets into the turn text (which starts at "I’m", a 3-byte quote).
    assert_eq!((f.start, f.end), (6, 25));
    assert_eq!(f.time, Some(9.0));
    assert_eq!(f.matched, "sorry if   you feel");
    assert_eq!(f.why, "It apologises for the feeling, not the failure.");
    assert_eq!(f.fix, "I'm sorry we got this wrong.");
    // Sorted by position; the sequence finding spans two source lines.
    assert_eq!(
        r.rules(),
        [
            "thanks-kudos",
            "apology-but",
            "conditional-apology",
            "not-my-job"
        ]
    );
    let seq = &t.findings[1];
    assert_eq!(seq.matched, "I\u{2019}m sorry if   you feel that way, but");
    assert_eq!(
        (
            r.summary.files,
            r.summary.transcripts,
            r.summary.findings,
            r.summary.errors
        ),
        (1, 1, 4, 0)
    );
    assert_eq!(r.summary.by_severity["warning"], 2);
    assert_eq!(r.summary.by_rule["not-my-job"], 1);
}

#[test]
fn json_carries_front_matter_metadata() {
    let env = Env::new();
    env.write("c1.txt", CALL);
    env.write(
        "c2.txt",
        "---\nid: call-two\nagent: Lee\ncustomer: Ana\ndate: 2024-05-01\n---\nAgent: Thanks.\nCustomer: Bye.\n",
    );
    let (_, r) = env.check_json(&["c1.txt", "c2.txt"]);
    let md = &r.transcripts[0].metadata;
    assert_eq!(md["agent"], "Sam");
    assert_eq!(md["call_id"], "C-42");
    assert_eq!(md["queue"], "billing");
    assert_eq!(md["priority"], "high");
    let t2 = &r.transcripts[1];
    assert_eq!(t2.id, "call-two");
    assert_eq!(t2.metadata["customer"], "Ana");
    assert_eq!(t2.metadata["date"], "2024-05-01");
    assert!(t2.findings.is_empty());
}

/// Calls of uneven size (so workers finish out of order, and hand over bundles of several
/// files), an unreadable file, a file whose speakers stay unknown and a suppression that
/// names no rule (a warning on stderr).
fn uneven_calls(env: &Env) {
    for i in 0..50 {
        // Sizes vary so workers finish out of order.
        let mut call = String::from("Agent: Hello.\nCustomer: Hi.\n");
        for k in 0..(i * 7 % 23) * 40 {
            call.push_str(&format!("Customer: line {k}\nAgent: thanks, hold on.\n"));
        }
        call.push_str(&format!("Agent: I'm sorry if you feel that way ({i}).\n"));
        env.write(&format!("calls/{}/call-{i:02}.txt", i % 4), call);
    }
    env.write("calls/broken.txt", b"Agent: \xff\n");
    env.write(
        "calls/1/one-speaker.txt",
        "Bob: hold on\nBob: sorry if you feel that way\n",
    );
    env.write(
        "calls/2/warned.txt",
        "Customer: Hi.\nAgent: hold on # tonecheck: ignore[no-such-rule]\n",
    );
}

/// Every format, streaming ones (rendered on the workers) and whole-batch ones alike, writes
/// the same bytes to stdout and stderr whatever the thread count.
#[test]
fn output_is_identical_whatever_the_thread_count() {
    let env = Env::new();
    uneven_calls(&env);
    for format in ["line", "jsonl", "github", "csv", "json", "sarif", "pretty"] {
        let one = env.check(&["--format", format, "-j", "1", "calls"]);
        assert_eq!(one.code, 2, "{format}");
        assert!(one.stderr.contains("warning:"), "{format}: {}", one.stderr);
        for j in ["2", "3", "4"] {
            let more = env.check(&["--format", format, "-j", j, "calls"]);
            assert_eq!(one.stdout, more.stdout, "{format}: -j1 vs -j{j}");
            assert_eq!(one.stderr, more.stderr, "{format}: stderr, -j1 vs -j{j}");
            assert_eq!(one.code, more.code, "{format}: exit code, -j1 vs -j{j}");
        }
    }
    let (_, r) = env.check_json(&["-j", "2", "calls"]);
    let paths: Vec<&str> = r.transcripts.iter().map(|t| t.path.as_str()).collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted, "sorted by path");
    assert_eq!(r.transcripts.len(), 51);
    assert_eq!(r.errors.len(), 2);
}

/// The streaming formats, which the workers render file by file, say what the `json`
/// document (written whole by the writer thread) says, in its order: a finding missing,
/// repeated or out of place, or a summary count off, fails here at any thread count.
#[test]
fn streamed_formats_match_the_json_document() {
    let env = Env::new();
    uneven_calls(&env);
    for j in ["1", "2", "3"] {
        let (doc_out, doc) = env.check_json(&["-j", j, "calls"]);
        let want: String = doc
            .findings()
            .iter()
            .map(|f| {
                format!(
                    "{}:{}:{}: {}[{}] {}\n",
                    f.path, f.line, f.column, f.severity, f.rule, f.message
                )
            })
            .collect();
        assert!(want.lines().count() > 100, "{want}");
        let line = env.check(&["--format", "line", "-j", j, "calls"]);
        assert_eq!(line.stdout, want, "line, -j{j}");
        assert_eq!(line.code, doc_out.code);
        let errors: Vec<String> = doc
            .errors
            .iter()
            .map(|e| match e.line {
                Some(l) => format!("{}:{l}: error: {}", e.path, e.message),
                None => format!("{}: error: {}", e.path, e.message),
            })
            .collect();
        let stderr_errors: Vec<&str> = line
            .stderr
            .lines()
            .filter(|l| l.contains(": error: "))
            .collect();
        assert_eq!(stderr_errors, errors, "line's stderr, -j{j}");

        let jsonl = env.check(&["--format", "jsonl", "-j", j, "calls"]);
        let lines: Vec<serde_json::Value> = jsonl
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let whole: serde_json::Value = serde_json::from_str(&doc_out.stdout).unwrap();
        let (summary, transcripts) = lines.split_last().unwrap();
        assert_eq!(
            transcripts,
            whole["transcripts"].as_array().unwrap().as_slice(),
            "jsonl, -j{j}"
        );
        let mut counts = whole["summary"].clone();
        counts.as_object_mut().unwrap().remove("files");
        assert_eq!(summary["summary"], counts, "jsonl's summary line, -j{j}");

        // The summary of a run whose only writers render on the workers (`line` and
        // `--summary FILE`) is counted from their tallies.
        let line = env.check(&[
            "--format",
            "line",
            "--summary",
            "sum.json",
            "-j",
            j,
            "calls",
        ]);
        assert_eq!(line.stdout, want, "line with --summary, -j{j}");
        let written: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(env.path("sum.json")).unwrap()).unwrap();
        assert_eq!(written["summary"], counts, "--summary FILE, -j{j}");
    }
}

// ---------------------------------------------------------------------------------------
// Walking
// ---------------------------------------------------------------------------------------

#[test]
fn walk_respects_gitignore_skips_hidden_and_survives_symlink_loops() {
    let env = Env::new();
    let bad = "Agent: I'm sorry if you feel that way.\nCustomer: ok\n";
    env.write("calls/.gitignore", "ignored/\nskip-*.txt\n");
    env.write("calls/kept.txt", bad);
    env.write("calls/sub/kept2.md", bad);
    env.write("calls/ignored/a.txt", bad);
    env.write("calls/skip-me.txt", bad);
    env.write("calls/.hidden.txt", bad);
    env.write("calls/.secret/b.txt", bad);
    env.write("calls/notes.pdf", bad);
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(env.path("calls"), env.path("calls/sub/loop")).unwrap();
        std::os::unix::fs::symlink("..", env.path("calls/sub/up")).unwrap();
    }
    let (out, r) = env.check_json(&["calls"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let paths: Vec<&str> = r.transcripts.iter().map(|t| t.path.as_str()).collect();
    assert_eq!(paths, ["calls/kept.txt", "calls/sub/kept2.md"]);
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    // A file named explicitly is checked even when ignored.
    let (_, r) = env.check_json(&["calls/ignored/a.txt"]);
    assert_eq!(r.transcripts.len(), 1);
}

// ---------------------------------------------------------------------------------------
// Exit codes
// ---------------------------------------------------------------------------------------

#[test]
fn exit_codes_follow_fail_on() {
    let env = Env::new();
    env.write(
        "clean.txt",
        "Agent: Thank you for calling.\nCustomer: Hi.\n",
    );
    env.write(
        "warn.txt",
        "Agent: Thanks. Hold on.\nCustomer: Hi.\nAgent: I'm sorry, but no.\n",
    );
    env.write(
        "err.txt",
        "Agent: Thanks, I'm sorry if you feel that way.\nCustomer: Hi.\n",
    );
    env.write("info.txt", "Agent: Thanks. Hold on.\nCustomer: Hi.\n");
    let code = |args: &[&str]| env.check(args).code;
    // A kudos finding alone is clean.
    assert_eq!(code(&["clean.txt"]), 0);
    assert_eq!(
        code(&["--fail-on", "kudos", "clean.txt"]),
        0,
        "kudos never fail a run"
    );
    assert_eq!(code(&["warn.txt"]), 0, "default --fail-on is error");
    assert_eq!(code(&["--fail-on", "warning", "warn.txt"]), 1);
    assert_eq!(code(&["err.txt"]), 1);
    assert_eq!(code(&["--fail-on", "info", "info.txt"]), 1);
    assert_eq!(code(&["--fail-on", "warning", "info.txt"]), 0);
    // Bad usage: unknown flag, unknown format, bad severity, missing pack, missing path.
    assert_eq!(code(&["--frobnicate", "clean.txt"]), 2);
    let out = env.check(&["--format", "xml", "clean.txt"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("unknown format `xml`"),
        "{}",
        out.stderr
    );
    assert_eq!(code(&["--fail-on", "fatal", "clean.txt"]), 2);
    let out = env.run(&["check", "--no-config", "--rules", "nope.yaml", "clean.txt"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("nope.yaml"), "{}", out.stderr);
    let out = env.check(&["missing.txt", "clean.txt"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("missing.txt: error: cannot read"),
        "{}",
        out.stderr
    );
    assert_eq!(env.run(&["--help"]).code, 0);
    assert_eq!(env.run(&["--version"]).code, 0);
    assert_eq!(env.run(&[]).code, 2, "a subcommand is required");
}

// ---------------------------------------------------------------------------------------
// Bad input never aborts the batch
// ---------------------------------------------------------------------------------------

#[test]
fn bad_inputs_are_reported_and_the_rest_is_checked() {
    let env = Env::new();
    let good = "Agent: Thanks. I'm sorry if you feel that way.\nCustomer: ok\n";
    let files = vec![
        env.write("in/a-good.txt", good),
        env.write("in/binary.txt", b"Agent: hi\nCustomer: \x00\x01\x02\n"),
        env.write("in/latin1.txt", b"Agent: hi\nCustomer: caf\xe9 ok\n"),
        // The column counts characters: "Customer: \u{2019}\u{2019} " is 13 of them.
        env.write(
            "in/latin1b.txt",
            b"Agent: hi\nCustomer: \xe2\x80\x99\xe2\x80\x99 \xff\n",
        ),
        env.write("in/empty.txt", ""),
        env.write("in/blank.txt", "  \n\n\t\n"),
        env.write("in/nolabels.txt", "\nhello there\nno speaker labels\n"),
        env.write(
            "in/roles.txt",
            "Ann: hello\nBob: sorry if you feel that way\n",
        ),
        env.write(
            "in/frontmatter.txt",
            "---\nagent: [unclosed\n---\nAgent: hi\nCustomer: yo\n",
        ),
        env.write("in/z-good.txt", good),
    ];
    // A folder that looks like a transcript and a dangling symlink, named explicitly.
    std::fs::create_dir_all(env.path("in/folder.txt")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("gone.txt", env.path("dangling.txt")).unwrap();
    let before = snapshot(&files);

    let (out, r) = env.check_json(&["in", "dangling.txt"]);
    assert_eq!(out.code, 2, "input problems exit 2: {out:?}");
    let good_paths: Vec<&str> = r.transcripts.iter().map(|t| t.path.as_str()).collect();
    assert_eq!(good_paths, ["in/a-good.txt", "in/z-good.txt"]);
    assert!(r.rules().contains(&"conditional-apology"));
    let errors: BTreeMap<&str, (Option<usize>, &str)> = r
        .errors
        .iter()
        .map(|e| (e.path.as_str(), (e.line, e.message.as_str())))
        .collect();
    let expect = |path: &str, line: Option<usize>, needle: &str| {
        let (l, m) = errors
            .get(path)
            .unwrap_or_else(|| panic!("no error for {path}: {:?}", r.errors));
        assert_eq!(*l, line, "{path}: {m}");
        assert!(m.contains(needle), "{path}: {m}");
    };
    expect("in/binary.txt", Some(2), "binary");
    expect("in/latin1.txt", Some(2), "invalid UTF-8");
    expect("in/empty.txt", None, "empty");
    expect("in/blank.txt", None, "empty");
    expect("in/nolabels.txt", Some(2), "no speaker labels");
    expect("in/roles.txt", Some(1), "roles:");
    // serde_yaml notices the unclosed list where the front matter ends.
    expect(
        "in/frontmatter.txt",
        Some(3),
        "front matter is not valid YAML",
    );
    #[cfg(unix)]
    expect("dangling.txt", None, "cannot read");
    assert_eq!(r.summary.errors, r.errors.len());

    // The human formats name each bad file on standard error, with its line.
    let out = env.check(&["--format", "line", "in", "dangling.txt"]);
    assert_eq!(out.code, 2);
    for needle in [
        "in/binary.txt:2: error: binary file",
        "in/latin1.txt:2: error: invalid UTF-8 at line 2, column 14",
        "in/latin1b.txt:2: error: invalid UTF-8 at line 2, column 14",
        "in/empty.txt: error: empty file",
        "in/nolabels.txt:2: error: no speaker labels",
        "in/roles.txt:1: error: could not tell which speaker is the agent",
    ] {
        assert!(
            out.stderr.contains(needle),
            "missing {needle:?} in:\n{}",
            out.stderr
        );
    }
    assert_eq!(out.stdout.lines().count(), 2, "{}", out.stdout);
    assert!(out.stdout.contains("in/z-good.txt:1:"));
    let pretty = env.check(&["--format", "pretty", "in"]);
    assert!(
        pretty.stdout.contains("input problems could not be read"),
        "{}",
        pretty.stdout
    );

    assert_eq!(before, snapshot(&files), "inputs must never be modified");
}

#[test]
fn crlf_bom_and_tabs_are_read() {
    let env = Env::new();
    env.write(
        "win.txt",
        "\u{FEFF}Agent:\tThanks, hold on.\r\nCustomer: ok\r\n",
    );
    let (out, r) = env.check_json(&["win.txt"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let f = r.findings()[0].clone();
    assert_eq!((f.rule.as_str(), f.line, f.column), ("hold-on", 1, 16));
}

#[test]
fn standard_input_is_read_with_dash() {
    let env = Env::new();
    let out = Command::new(env!("CARGO_BIN_EXE_tonecheck"))
        .args([
            "check",
            "--no-config",
            "--no-default-packs",
            "--rules",
            "pack.yaml",
            "--format",
            "line",
            "-",
        ])
        .current_dir(env.dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin
                .take()
                .unwrap()
                .write_all(b"Agent: Thanks, hold on.\nCustomer: ok\n")?;
            c.wait_with_output()
        })
        .expect("run tonecheck");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "-:1:16: info[hold-on] Say what you are doing instead of \"hold on\".\n"
    );
}

// ---------------------------------------------------------------------------------------
// Rule packs
// ---------------------------------------------------------------------------------------

/// Checks that a pack made of PACK plus `extra` is refused with `pack.yaml:LINE:COL:` and a
/// message containing `needle`, by both `check` and `rules list`.
fn assert_pack_refused(extra: &str, line_col: &str, needle: &str) {
    let env = Env::new();
    env.write("pack.yaml", format!("{PACK}{extra}"));
    env.write("c.txt", "Agent: Thanks.\nCustomer: ok\n");
    for args in [
        &[
            "check",
            "--no-config",
            "--no-default-packs",
            "--rules",
            "pack.yaml",
            "c.txt",
        ][..],
        &[
            "rules",
            "list",
            "--no-config",
            "--no-default-packs",
            "--rules",
            "pack.yaml",
        ][..],
    ] {
        let out = env.run(args);
        assert_eq!(out.code, 2, "{args:?} {out:?}");
        let want = format!("pack.yaml:{line_col}: error: ");
        assert!(
            out.stderr.contains(&want) && out.stderr.contains(needle),
            "{args:?}: want {want:?} and {needle:?}, got:\n{}",
            out.stderr
        );
        assert_eq!(out.stdout, "", "nothing is checked with a broken pack");
    }
}

const PACK_LINES: usize = 74;

#[test]
fn test_pack_has_the_expected_length() {
    assert_eq!(
        PACK.lines().count(),
        PACK_LINES,
        "update the positions below"
    );
}

#[test]
fn yaml_syntax_error_is_located() {
    let l = PACK_LINES + 4;
    assert_pack_refused(
        "  - id: broken\n    severity: error\n    message: m\n    match: {phrases: [x]\n",
        &format!("{}:1", l + 1),
        "did not find expected",
    );
}

#[test]
fn unknown_key_is_located() {
    let l = PACK_LINES + 4;
    assert_pack_refused(
        "  - id: typo\n    severity: error\n    message: m\n    colour: red\n    match: {phrases: [x]}\n",
        &format!("{l}:5"),
        "unknown field `colour`",
    );
}

#[test]
fn bad_regex_is_located() {
    let l = PACK_LINES + 5;
    assert_pack_refused(
        "  - id: bad-regex\n    severity: error\n    message: m\n    match:\n      regex: ['sorry (if']\n",
        &format!("{l}:16"),
        "invalid regex `sorry (if`",
    );
}

#[test]
fn duplicate_id_is_located() {
    let l = PACK_LINES + 1;
    assert_pack_refused(
        "  - id: hold-on\n    severity: error\n    message: m\n    match: {phrases: [x]}\n",
        &format!("{l}:5"),
        "duplicate rule id `hold-on`",
    );
}

#[test]
fn unknown_list_is_located() {
    let l = PACK_LINES + 4;
    assert_pack_refused(
        "  - id: no-list\n    severity: error\n    message: m\n    match: {list: apologies}\n",
        &format!("{l}:19"),
        "unknown list `apologies` (did you mean `apology`?); this pack defines: apology",
    );
}

#[test]
fn failing_example_is_located() {
    let l = PACK_LINES + 6;
    assert_pack_refused(
        "  - id: says-no\n    severity: error\n    message: m\n    match: {phrases: [\"no\"]}\n    examples:\n      flag: [\"Agent: nope, never\"]\n",
        &format!("{l}:15"),
        "rule `says-no`: flag example \"Agent: nope, never\" was not flagged",
    );
}

#[test]
fn misplaced_kind_field_and_bad_severity_are_refused() {
    let l = PACK_LINES + 4;
    assert_pack_refused(
        "  - id: wrong-field\n    severity: error\n    message: m\n    max_words: 3\n    match: {phrases: [x]}\n",
        &format!("{l}:5"),
        "`max_words` does not apply to kind `phrase`",
    );
    assert_pack_refused(
        "  - id: bad-severity\n    severity: fatal\n    message: m\n    match: {phrases: [x]}\n",
        &format!("{}:15", PACK_LINES + 2),
        "unknown variant `fatal`",
    );
}

#[test]
fn unless_start_belongs_to_the_sentiment_shift_metric() {
    let l = PACK_LINES + 7;
    assert_pack_refused(
        "  - id: talk-start\n    kind: metric\n    severity: info\n    message: m\n    metric: agent_talk_share\n    max: 0.7\n    unless_start: {patterns: [\"yelled at me\"]}\n",
        &format!("{l}:5"),
        "`unless_start` applies only to `metric: customer_sentiment_shift`",
    );
    assert_pack_refused(
        "  - id: phrase-start\n    severity: info\n    message: m\n    match: {phrases: [x]}\n    unless_start: {patterns: [\"yelled at me\"]}\n",
        &format!("{}:5", PACK_LINES + 5),
        "`unless_start` does not apply to kind `phrase`",
    );
}

#[test]
fn repeat_kind_misuse_is_located() {
    // An item without its ask: pointed at the item.
    assert_pack_refused(
        "  - id: rep-no-ask\n    kind: repeat\n    severity: info\n    message: m\n    items:\n      order:\n        given: {patterns: [\"order #code\"]}\n",
        &format!("{}:7", PACK_LINES + 6),
        "item `order` of kind `repeat` needs `asked:`",
    );
    // A misspelt key inside an item: serde's position.
    assert_pack_refused(
        "  - id: rep-typo\n    kind: repeat\n    severity: info\n    message: m\n    items:\n      order:\n        given: {patterns: [\"order #code\"]}\n        ask: {patterns: [\"order number\"]}\n",
        &format!("{}:9", PACK_LINES + 8),
        "unknown field `ask`: did you mean `asked`?",
    );
    // `items` on another kind, and a repeat rule with nothing to look for.
    assert_pack_refused(
        "  - id: rep-phrase\n    severity: info\n    message: m\n    match: {phrases: [x]}\n    items: {}\n",
        &format!("{}:5", PACK_LINES + 5),
        "`items` does not apply to kind `phrase`",
    );
    assert_pack_refused(
        "  - id: rep-empty\n    kind: repeat\n    severity: info\n    message: m\n",
        &format!("{}:5", PACK_LINES + 1),
        "kind `repeat` needs `match:`, `items:` or both",
    );
}

#[test]
fn rules_flag_is_repeatable() {
    let env = Env::new();
    env.write(
        "extra.yaml",
        "pack: extra\nrules:\n  - id: whatever\n    severity: error\n    message: Dismissive.\n    match: {phrases: [whatever]}\n    examples: {flag: [\"Agent: whatever\"]}\n",
    );
    env.write("c.txt", "Agent: Thanks, whatever, hold on.\nCustomer: ok\n");
    let (out, r) = env.check_json(&["--rules", "extra.yaml", "c.txt"]);
    assert_eq!(out.code, 1);
    assert_eq!(r.rules(), ["whatever", "hold-on"]);
    assert_eq!(r.findings()[0].pack, "extra");
    // The same pack twice is an error, not a double report.
    let out = env.check(&["--rules", "pack.yaml", "c.txt"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("loaded twice"), "{}", out.stderr);
}

#[test]
fn rules_list_and_explain() {
    let env = Env::new();
    let base = ["--no-config", "--no-default-packs", "--rules", "pack.yaml"];
    let list = env.run(&[&["rules", "list"][..], &base].concat());
    assert_eq!(list.code, 0, "{list:?}");
    let ids: Vec<&str> = list
        .stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        ids,
        [
            "conditional-apology",
            "not-my-job",
            "hold-on",
            "apology-but",
            "missing-thanks",
            "thanks-kudos"
        ]
    );
    assert!(list.stdout.lines().any(|l| l.starts_with("apology-but")
        && l.contains("test-pack")
        && l.contains("sequence")
        && l.contains("warning")));

    let ex = env.run(&[&["rules", "explain", "conditional-apology"][..], &base].concat());
    assert_eq!(ex.code, 0);
    for needle in [
        "conditional-apology (test-pack pack)",
        "error",
        "\"sorry if you feel\"",
        "It apologises for the feeling, not the failure.",
        "I'm sorry we got this wrong.",
        "Agent: I'm sorry if you feel that way.",
        "Agent: I'm sorry we sent the wrong part.",
    ] {
        assert!(
            ex.stdout.contains(needle),
            "missing {needle:?} in:\n{}",
            ex.stdout
        );
    }
    let seq = env.run(&[&["rules", "explain", "apology-but"][..], &base].concat());
    assert!(
        seq.stdout.contains("\"i'm sorry\""),
        "list contents shown: {}",
        seq.stdout
    );

    let missing = env.run(&[&["rules", "explain", "no-such-rule"][..], &base].concat());
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("no rule `no-such-rule`"));
}

#[test]
fn rules_test_reports_each_failing_example() {
    let env = Env::new();
    env.write(
        "bad.yaml",
        r#"pack: bad
rules:
  - id: says-no
    severity: error
    message: m
    match: {phrases: ["no"]}
    examples:
      flag: ["Agent: No, we can't.", "Agent: nope"]
      pass: ["Agent: I know.", "Agent: no way"]
  - id: says-yes
    severity: info
    message: m
    match: {phrases: ["yes"]}
    examples:
      flag: ["Agent: yes"]
"#,
    );
    let out = env.run(&["rules", "test", "--no-config", "bad.yaml"]);
    assert_eq!(out.code, 1, "{out:?}");
    let fails: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("FAIL"))
        .collect();
    assert_eq!(fails.len(), 2, "{}", out.stdout);
    assert!(
        fails[0].contains("says-no")
            && fails[0].contains("\"Agent: nope\"")
            && fails[0].contains("not flagged")
    );
    assert!(
        fails[1].contains("says-no")
            && fails[1].contains("\"Agent: no way\"")
            && fails[1].contains("was flagged")
    );
    assert!(out.stdout.contains("3 passed, 2 failed"), "{}", out.stdout);

    let ok = env.run(&["rules", "test", "--no-config", "pack.yaml"]);
    assert_eq!(ok.code, 0, "{ok:?}");
    assert!(ok.stdout.contains("12 passed, 0 failed"), "{}", ok.stdout);

    // A rule without examples is refused, not passed with `0 passed`.
    env.write(
        "none.yaml",
        "pack: none\nrules:\n  - id: untested\n    severity: error\n    message: m\n    match: {phrases: [x]}\n",
    );
    let out = env.run(&["rules", "test", "--no-config", "none.yaml"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.stdout
            .contains("FAIL rule `untested` has no `flag` example")
            && out.stdout.contains("0 passed, 1 failed"),
        "{}",
        out.stdout
    );
    let out = env.run(&["check", "--no-config", "--rules", "none.yaml", "pack.yaml"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("none.yaml:3:5: error: rule `untested` has no `flag` example"),
        "{}",
        out.stderr
    );
}

// ---------------------------------------------------------------------------------------
// Reading transcripts
// ---------------------------------------------------------------------------------------

#[test]
fn inline_suppression() {
    let env = Env::new();
    env.write(
        "c.txt",
        "Agent: Thanks, hold on. # tonecheck: ignore hold-on\n\
         Customer: ok\n\
         <!-- tonecheck: ignore-next-line hold-on -->\n\
         Agent: hold on again\n\
         Agent: hold on, that's not my job // tonecheck: ignore not-my-job\n\
         Agent: hold on a third time # tonecheck: ignore\n",
    );
    let (out, r) = env.check_json(&["c.txt"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let got: Vec<(&str, usize)> = r
        .findings()
        .iter()
        .map(|f| (f.rule.as_str(), f.line))
        .collect();
    assert_eq!(got, [("hold-on", 5)]);
}

#[test]
fn script_mode_from_flag_and_front_matter() {
    let env = Env::new();
    let script = "# Refund macro\n\nI'm sorry if you feel that way.\n  Hold on while I check.\n";
    env.write("macro.md", script);
    env.write(
        "fm.md",
        format!("---\nmode: script\nagent: macro-bot\n---\n{script}"),
    );
    // Without script mode the macro has no speaker labels.
    let out = env.check(&["macro.md"]);
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("no speaker labels"), "{}", out.stderr);

    let (out, r) = env.check_json(&["--mode", "script", "macro.md"]);
    assert_eq!(out.code, 1, "{}", out.stderr);
    let got: Vec<(&str, usize, usize)> = r
        .findings()
        .iter()
        .map(|f| (f.rule.as_str(), f.line, f.column))
        .collect();
    // Every line is an agent turn; conversation-level rules (missing-thanks) do not apply.
    assert_eq!(got, [("conditional-apology", 3, 5), ("hold-on", 4, 3)]);
    assert_eq!(r.findings()[0].role, "agent");

    let (_, r2) = env.check_json(&["fm.md"]);
    let got2: Vec<(&str, usize)> = r2
        .findings()
        .iter()
        .map(|f| (f.rule.as_str(), f.line))
        .collect();
    assert_eq!(got2, [("conditional-apology", 7), ("hold-on", 8)]);
    assert_eq!(r2.transcripts[0].metadata["agent"], "macro-bot");
}

#[test]
fn diarised_labels_resolve_by_greeting() {
    let env = Env::new();
    env.write(
        "d.txt",
        "spk_1: hello?\nspk_0: Thank you for calling Acme, how can I help? Hold on.\nspk_1: my bill\n",
    );
    let (out, r) = env.check_json(&["d.txt"]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let f = r
        .findings()
        .into_iter()
        .find(|f| f.rule == "hold-on")
        .expect("hold-on");
    assert_eq!((f.speaker.as_str(), f.role.as_str()), ("spk_0", "agent"));
}

// ---------------------------------------------------------------------------------------
// Phrase matching
// ---------------------------------------------------------------------------------------

#[test]
fn phrases_match_whole_words_any_case_curly_quotes_and_spaces() {
    let env = Env::new();
    env.write(
        "words.yaml",
        "pack: words\nrules:\n  - id: sorry\n    severity: error\n    speaker: any\n    message: '{match}'\n    match: {phrases: [sorry, \"don't know\", \"c'est la vie\", \"p.s.\"]}\n    examples: {flag: [\"Agent: sorry\"], pass: [\"Agent: sorrys\"]}\n",
    );
    let text = "Agent: sorrys unsorry _sorry sorry_ sorry1 \u{e9}sorry sorry\u{e9}\n\
                Customer: SORRY, Sorry! (sorry) \u{201c}sorry\u{201d} sorry.\n\
                Agent: I don\u{2019}t   know. I DON'T\tKNOW. I don`t know. I dont know.\n\
                Agent: c\u{2019}est la vie, p.s. and p.s.x\n\
                Agent: don't\n  know\n\
                Agent: sorry\u{a0}about that and don't\u{a0}know\n";
    env.write("w.txt", text);
    let out = env.run(&[
        "check",
        "--no-config",
        "--no-default-packs",
        "--rules",
        "words.yaml",
        "--format",
        "json",
        "w.txt",
    ]);
    let r = parse_report(&out.stdout);
    let got: Vec<(usize, usize, &str)> = r
        .findings()
        .iter()
        .map(|f| (f.line, f.column, f.matched.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (2, 11, "SORRY"),
            (2, 18, "Sorry"),
            (2, 26, "sorry"),
            (2, 34, "sorry"),
            (2, 41, "sorry"),
            (3, 10, "don\u{2019}t   know"),
            (3, 26, "DON'T\tKNOW"),
            (3, 40, "don`t know"),
            // Contractions written without an apostrophe are the same words.
            (3, 54, "dont know"),
            (4, 8, "c\u{2019}est la vie"),
            (4, 22, "p.s."),
            // A phrase ending in punctuation needs no word boundary after it.
            (4, 31, "p.s."),
            // Continuation lines join the turn with one space.
            (5, 8, "don't know"),
            (7, 8, "sorry"),
            (7, 29, "don't\u{a0}know"),
        ],
        "{}",
        out.stdout
    );
}

#[test]
fn phrases_are_case_insensitive_beyond_ascii() {
    let env = Env::new();
    env.write(
        "fr.yaml",
        "pack: fr\nrules:\n  - id: desole\n    severity: error\n    message: '{match}'\n    match: {phrases: [\"désolé\", \"ÉCOUTEZ\"]}\n    examples: {flag: [\"Agent: Désolé.\"]}\n",
    );
    env.write(
        "fr.txt",
        "Agent: DÉSOLÉ. Désolé. désolés. Écoutez, écoutez.\nCustomer: ok\n",
    );
    let out = env.run(&[
        "check",
        "--no-config",
        "--no-default-packs",
        "--rules",
        "fr.yaml",
        "--format",
        "json",
        "fr.txt",
    ]);
    let r = parse_report(&out.stdout);
    let got: Vec<&str> = r.findings().iter().map(|f| f.matched.as_str()).collect();
    assert_eq!(
        got,
        ["DÉSOLÉ", "Désolé", "Écoutez", "écoutez"],
        "{}",
        out.stdout
    );
}

// ---------------------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------------------

#[test]
fn config_overrides_severity_disables_rules_maps_roles_and_sets_fail_on() {
    let env = Env::new();
    env.write(
        "proj/tonecheck.yaml",
        "packs: [../pack.yaml]\n\
         rules:\n  hold-on: {severity: error}\n  not-my-job: {disabled: true}\n\
         roles:\n  Sarah: agent\n  Bob: customer\n\
         fail_on: warning\n\
         overrides:\n  - files: \"scripts/**\"\n    mode: script\n",
    );
    env.write(
        "proj/calls/a.txt",
        "Sarah: Thanks, hold on, that's not my job.\nBob: ok\n",
    );
    env.write("proj/scripts/m.txt", "Hold on.\nThat's not my job.\n");
    env.write(
        "proj/calls/sub/b.txt",
        "Sarah: Thanks, I'm sorry, but no.\nBob: hmm\n",
    );
    let cwd = env.path("proj");
    let out = env.run_in(&cwd, &["check", "--format", "line"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert_eq!(
        out.stdout,
        "calls/a.txt:1:16: error[hold-on] Say what you are doing instead of \"hold on\".\n\
         calls/sub/b.txt:1:16: warning[apology-but] The \"but\" in \"I'm sorry, but\" takes back the apology.\n\
         scripts/m.txt:1:1: error[hold-on] Say what you are doing instead of \"Hold on\".\n"
    );
    // fail_on: warning from the config; the flag wins over it.
    let sub = env.run_in(&cwd.join("calls/sub"), &["check", "--format", "line", "."]);
    assert_eq!(sub.code, 1, "config found by walking up: {sub:?}");
    assert_eq!(sub.stdout, "b.txt:1:16: warning[apology-but] The \"but\" in \"I'm sorry, but\" takes back the apology.\n");
    let flag = env.run_in(
        &cwd.join("calls/sub"),
        &["check", "--fail-on", "error", "."],
    );
    assert_eq!(flag.code, 0);
    // --config picks a file; --no-config ignores it (then Sarah/Bob cannot be resolved).
    let explicit = env.run(&[
        "check",
        "--config",
        "proj/tonecheck.yaml",
        "--format",
        "line",
        "proj/calls/a.txt",
    ]);
    assert_eq!(explicit.code, 1, "{explicit:?}");
    let none = env.run_in(
        &cwd,
        &[
            "check",
            "--no-config",
            "--no-default-packs",
            "--rules",
            "../pack.yaml",
            "calls/a.txt",
        ],
    );
    assert_eq!(none.code, 2);
    assert!(
        none.stderr.contains("could not tell which speaker"),
        "{}",
        none.stderr
    );
}

#[test]
fn bad_config_is_refused_with_position() {
    let env = Env::new();
    env.write("c.txt", "Agent: Thanks.\nCustomer: ok\n");
    env.write(
        "tonecheck.yaml",
        "packs: [pack.yaml]\nfail_on: warning\nrulez:\n  hold-on: {disabled: true}\n",
    );
    let out = env.run(&["check", "c.txt"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr
            .contains("tonecheck.yaml:3:1: error: unknown field `rulez`"),
        "{}",
        out.stderr
    );
    env.write(
        "tonecheck.yaml",
        "packs: [pack.yaml]\nrules:\n  no-such-rule: {severity: info}\n",
    );
    let out = env.run(&["check", "c.txt"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("unknown rule `no-such-rule`"),
        "{}",
        out.stderr
    );
}

#[test]
fn init_writes_a_config_that_check_accepts() {
    let env = Env::new();
    let proj = env.path("proj");
    std::fs::create_dir_all(&proj).unwrap();
    let out = env.run_in(&proj, &["init"]);
    assert_eq!(out.code, 0, "{out:?}");
    let text = std::fs::read_to_string(proj.join("tonecheck.yaml")).unwrap();
    assert!(text.contains("builtin:service-recovery"), "{text}");
    assert!(text.contains("fail_on:"));
    let again = env.run_in(&proj, &["init"]);
    assert_eq!(again.code, 2, "never overwrites without --force");
    assert_eq!(
        std::fs::read_to_string(proj.join("tonecheck.yaml")).unwrap(),
        text
    );
    assert_eq!(env.run_in(&proj, &["init", "--force"]).code, 0);
    std::fs::write(
        proj.join("c.txt"),
        "Agent: Thank you for calling.\nCustomer: Thanks.\n",
    )
    .unwrap();
    let check = env.run_in(&proj, &["check", "--format", "json", "c.txt"]);
    assert!(check.code < 2, "starter config is valid: {check:?}");
    parse_report(&check.stdout);
}

// ---------------------------------------------------------------------------------------
// The built-in packs (smoke test only; tests/builtin_packs.rs covers them)
// ---------------------------------------------------------------------------------------

#[test]
fn builtin_packs_smoke() {
    let env = Env::new();
    env.write(
        "call.txt",
        "Agent: Thank you for calling, how can I help?\nCustomer: You sent the wrong part.\nAgent: I'm sorry if you feel that way.\n",
    );
    let (out, r) = {
        let out = env.run(&["check", "--no-config", "--format", "json", "call.txt"]);
        let r = parse_report(&out.stdout);
        (out, r)
    };
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(r.rules().contains(&"non-apology"), "{:?}", r.rules());
    let list = env.run(&["rules", "list", "--no-config"]);
    assert_eq!(list.code, 0, "{}", list.stderr);
    for id in [
        "non-apology",
        "apology-then-explanation",
        "missing-thank-you",
        "customer-is-wrong",
    ] {
        assert!(
            list.stdout
                .lines()
                .any(|l| l.starts_with(&format!("{id} "))),
            "{id} listed"
        );
    }
}
