//! `tonecheck score` end to end: the real binary on temp-dir transcripts with a test-only
//! rule pack (tests/fixtures/scoring-pack.yaml), so the expected scores are computed by hand
//! and do not move when the built-in packs' wording changes.
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PACK: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/scoring-pack.yaml"
);

/// Respect 50 (rude is autofail), Courtesy 30 (thanks; a kudos-only item), Recovery 20.
const CARD: &str = include_str!("fixtures/scoring-card.yaml");

/// Respect 1/2, Courtesy 1/2, Recovery 0/1: (50*50 + 30*50 + 20*0) / 100 = 40.
const CALL_40: &str = "---\nagent: Dana\n---\nCustomer: My order arrived broken.\nAgent: Per our policy we cannot refund. Great question.\nCustomer: ok\nAgent: Bye.\n";
/// Respect 1/2, Courtesy 2/2, Recovery 1/1: (2500 + 3000 + 2000) / 100 = 75, autofail.
const CALL_75: &str = "---\nagent: Eli\n---\nCustomer: It arrived broken.\nAgent: I'm sorry, and you're wrong about the date. Thank you.\n";
/// Respect 2/2, Courtesy 2/2, Recovery N/A (no complaint): (5000 + 3000) / 80 = 100.
const CALL_100: &str = "---\nagent: Dana\n---\nCustomer: A question about my bill.\nAgent: Thank you. Great question, let me check.\n";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    version: u32,
    transcripts: Vec<TranscriptOut>,
    errors: Vec<serde_json::Value>,
    summary: Summary,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TranscriptOut {
    path: String,
    id: String,
    metadata: BTreeMap<String, String>,
    findings: Vec<serde_json::Value>,
    score: Option<Score>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Score {
    scorecard: String,
    score: Option<f64>,
    pass: bool,
    pass_mark: f64,
    autofail: bool,
    sections: Vec<SectionOut>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SectionOut {
    name: String,
    weight: f64,
    score: Option<f64>,
    passed: usize,
    failed: usize,
    na: usize,
    items: Vec<ItemOut>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ItemOut {
    name: String,
    result: String,
    autofail: bool,
    #[serde(default)]
    findings: Vec<usize>,
    #[serde(default)]
    rules: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Summary {
    transcripts: usize,
    score: ScoreSummaryOut,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScoreSummaryOut {
    scored: u64,
    unscored: u64,
    passed: u64,
    failed: u64,
    autofailed: u64,
    pass_rate: Option<f64>,
    mean: Option<f64>,
    median: Option<f64>,
    min: Option<f64>,
    max: Option<f64>,
    distribution: Vec<Bucket>,
    agents: Vec<AgentOut>,
    rules: Vec<RuleHits>,
    scores: BTreeMap<String, u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Bucket {
    from: u32,
    to: u32,
    count: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentOut {
    agent: String,
    calls: u64,
    mean: f64,
    passed: u64,
    total: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleHits {
    rule: String,
    hits: u64,
}

/// A temp folder with the scorecard and the given transcripts.
fn setup(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("card.yaml"), CARD).unwrap();
    let calls = dir.path().join("calls");
    std::fs::create_dir(&calls).unwrap();
    for (name, text) in files {
        std::fs::write(calls.join(name), text).unwrap();
    }
    dir
}

fn score(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tonecheck"))
        .current_dir(dir)
        .args([
            "score",
            "--no-config",
            "--no-default-packs",
            "--rules",
            PACK,
        ])
        .args(["--scorecard", "card.yaml"])
        .args(args)
        .output()
        .expect("run tonecheck")
}

fn three_calls() -> tempfile::TempDir {
    setup(&[("a.txt", CALL_40), ("b.txt", CALL_75), ("c.txt", CALL_100)])
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 output")
}

#[test]
fn json_scores_match_hand_computed_values() {
    let dir = three_calls();
    let o = score(dir.path(), &["-f", "json", "calls"]);
    // b.txt autofails, so score exits 1.
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let doc: Doc = serde_json::from_str(&stdout(&o)).expect("json matches the schema");
    assert_eq!(doc.version, 1);
    assert!(doc.errors.is_empty());
    let got: Vec<(&str, Option<f64>, bool, bool)> = doc
        .transcripts
        .iter()
        .map(|t| {
            let s = t.score.as_ref().expect("every transcript is scored");
            (t.path.as_str(), s.score, s.pass, s.autofail)
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("calls/a.txt", Some(40.0), false, false),
            ("calls/b.txt", Some(75.0), false, true),
            ("calls/c.txt", Some(100.0), true, false),
        ]
    );
    let a = doc.transcripts[0].score.as_ref().unwrap();
    assert_eq!(a.scorecard, "test");
    assert_eq!(a.pass_mark, 70.0);
    let secs: Vec<(&str, f64, Option<f64>)> = a
        .sections
        .iter()
        .map(|s| (s.name.as_str(), s.weight, s.score))
        .collect();
    assert_eq!(
        secs,
        vec![
            ("Respect", 50.0, Some(50.0)),
            ("Courtesy", 30.0, Some(50.0)),
            ("Recovery", 20.0, Some(0.0))
        ]
    );
    // The failed item points at the finding that failed it; kudos never fail an item.
    let thanked = &a.sections[1].items[0];
    assert_eq!(
        (thanked.name.as_str(), thanked.result.as_str()),
        ("Thanked", "fail")
    );
    assert_eq!(thanked.rules, vec!["t-thanks"]);
    let f = &doc.transcripts[0].findings[thanked.findings[0]];
    assert_eq!(f["rule"], "t-thanks");
    assert_eq!(a.sections[1].items[1].result, "pass");
    // The N/A section of the 100 call: not a pass, and left out of the mean.
    let c = doc.transcripts[2].score.as_ref().unwrap();
    let rec = &c.sections[2];
    assert_eq!((rec.score, rec.passed, rec.failed, rec.na), (None, 0, 0, 1));
    assert_eq!(rec.items[0].result, "na");
    assert!(!rec.items[0].autofail);
    // The autofail item of the 75 call.
    let b = doc.transcripts[1].score.as_ref().unwrap();
    let rude = &b.sections[0].items[0];
    assert!(rude.autofail && rude.result == "fail");
    assert_eq!(doc.transcripts[1].metadata["agent"], "Eli");
    assert_eq!(doc.transcripts[1].id, "b");

    // Summary: mean (40 + 75 + 100) / 3 = 71.67, median 75, 1 of 3 passed.
    let s = &doc.summary.score;
    assert_eq!(doc.summary.transcripts, 3);
    assert_eq!(
        (s.scored, s.unscored, s.passed, s.failed, s.autofailed),
        (3, 0, 1, 2, 1)
    );
    assert_eq!(
        (s.mean, s.median, s.pass_rate),
        (Some(71.67), Some(75.0), Some(33.33))
    );
    assert_eq!((s.min, s.max), (Some(40.0), Some(100.0)));
    let counts: Vec<u64> = s.distribution.iter().map(|b| b.count).collect();
    assert_eq!(counts, vec![0, 0, 0, 0, 1, 0, 0, 1, 0, 1]);
    assert_eq!((s.distribution[9].from, s.distribution[9].to), (90, 100));
    let agents: Vec<(&str, u64, f64, u64)> = s
        .agents
        .iter()
        .map(|a| (a.agent.as_str(), a.calls, a.mean, a.passed))
        .collect();
    assert_eq!(agents, vec![("Dana", 2, 70.0, 1), ("Eli", 1, 75.0, 0)]);
    assert_eq!(s.agents[0].total, 140.0);
    // Kudos are not counted as rule hits.
    let rules: Vec<(&str, u64)> = s.rules.iter().map(|r| (r.rule.as_str(), r.hits)).collect();
    assert_eq!(
        rules,
        vec![
            ("t-apology", 1),
            ("t-jargon", 1),
            ("t-rude", 1),
            ("t-thanks", 1)
        ]
    );
    assert_eq!(s.scores["75.00"], 1);
}

#[test]
fn min_score_fails_below_the_threshold() {
    let dir = three_calls();
    // a scores 40 and c 100; neither autofails (b does, which alone exits 1).
    let ac = ["calls/a.txt", "calls/c.txt"];
    let o = score(
        dir.path(),
        &[&["-f", "json", "--min-score", "40"][..], &ac].concat(),
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let o = score(
        dir.path(),
        &[&["-f", "json", "--min-score", "40.01"][..], &ac].concat(),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("1 transcript scored below --min-score"));
    assert_eq!(
        score(dir.path(), &["--min-score", "101", "calls"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn input_errors_exit_2_and_the_rest_is_scored() {
    let dir = setup(&[("a.txt", CALL_40), ("bad.txt", "")]);
    std::fs::write(dir.path().join("calls/bin.txt"), [0u8, 159, 146, 150, 0, 1]).unwrap();
    let o = score(dir.path(), &["-f", "json", "calls"]);
    assert_eq!(o.status.code(), Some(2));
    let doc: Doc = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc.transcripts.len(), 1);
    assert_eq!(doc.transcripts[0].score.as_ref().unwrap().score, Some(40.0));
    assert!(!doc.errors.is_empty());
}

#[test]
fn jsonl_streams_one_scored_object_per_transcript_in_path_order() {
    let files: Vec<(String, &str)> = (0..24)
        .map(|i| {
            let text = [CALL_40, CALL_75, CALL_100][i % 3];
            (format!("call-{i:02}.txt"), text)
        })
        .collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    let dir = setup(&refs);
    let one = score(dir.path(), &["-f", "jsonl", "-j", "1", "calls"]);
    let four = score(dir.path(), &["-f", "jsonl", "-j", "4", "calls"]);
    assert_eq!(one.status.code(), Some(1), "every third call autofails");
    assert_eq!(
        one.stdout, four.stdout,
        "output is the same whatever the thread count"
    );
    let lines: Vec<TranscriptOut> = stdout(&one)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one transcript object"))
        .collect();
    assert_eq!(lines.len(), 24);
    for (i, t) in lines.iter().enumerate() {
        assert_eq!(t.path, format!("calls/call-{i:02}.txt"));
        let want = [40.0, 75.0, 100.0][i % 3];
        assert_eq!(t.score.as_ref().unwrap().score, Some(want));
    }
    // Piped stderr never gets a progress bar: only the exit-code reason.
    assert!(
        one.stderr == b"8 transcripts autofailed\n",
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
}

#[test]
fn csv_has_one_row_per_transcript_with_section_columns() {
    let dir = three_calls();
    let o = score(dir.path(), &["-f", "csv", "calls"]);
    assert_eq!(o.status.code(), Some(1)); // b.txt autofails: exit 1
    let mut r = csv::Reader::from_reader(o.stdout.as_slice());
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        header,
        [
            "path", "id", "agent", "score", "pass", "autofail", "Respect", "Courtesy", "Recovery",
            "errors", "warnings", "info", "kudos"
        ]
    );
    let rows: Vec<Vec<String>> = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(
        rows,
        vec![
            vec![
                "calls/a.txt",
                "a",
                "Dana",
                "40.00",
                "false",
                "false",
                "50.00",
                "50.00",
                "0.00",
                "1",
                "2",
                "0",
                "1"
            ],
            vec![
                "calls/b.txt",
                "b",
                "Eli",
                "75.00",
                "false",
                "true",
                "50.00",
                "100.00",
                "100.00",
                "1",
                "0",
                "0",
                "0"
            ],
            vec![
                "calls/c.txt",
                "c",
                "Dana",
                "100.00",
                "true",
                "false",
                "100.00",
                "100.00",
                "",
                "0",
                "0",
                "0",
                "1"
            ],
        ]
    );
}

#[test]
fn pretty_shows_sections_items_and_the_batch_summary() {
    let dir = three_calls();
    let o = score(dir.path(), &["--color", "never", "calls"]);
    assert_eq!(o.status.code(), Some(1)); // b.txt autofails: exit 1
    let out = stdout(&o);
    for want in [
        "FAIL 40.00 / 100",
        "✗ Plain words",
        "warning[t-jargon] calls/a.txt:5:8",
        "– Apologised (n/a)",
        "✗ Not rude (autofail)",
        "PASS 100.00 / 100",
        "mean 71.67, median 75.00, 1 of 3 passed (33.33%)",
        "Dana   70.00",
        "Top rules",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
}

#[test]
fn script_mode_leaves_conversation_items_na() {
    // Script: t-thanks and t-apology do not apply. Respect 1/2, Courtesy 1/1 (kudos item):
    // (2500 + 3000) / 80 = 68.75.
    let dir = setup(&[(
        "macro.txt",
        "Per our policy we cannot refund.\nGreat question.\n",
    )]);
    let o = score(dir.path(), &["-f", "json", "--mode", "script", "calls"]);
    let doc: Doc = serde_json::from_str(&stdout(&o)).unwrap();
    let s = doc.transcripts[0].score.as_ref().unwrap();
    assert_eq!(s.score, Some(68.75));
    assert_eq!(s.sections[1].items[0].result, "na");
}

#[test]
fn unknown_rule_in_a_scorecard_is_an_error_at_its_line() {
    let dir = three_calls();
    std::fs::write(
        dir.path().join("card.yaml"),
        CARD.replace("rules: [t-jargon]", "rules: [t-jargn]"),
    )
    .unwrap();
    let o = score(dir.path(), &["calls"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("card.yaml:14:17: error: item `Plain words`: unknown rule `t-jargn`"),
        "{err}"
    );
}

#[test]
fn scorecard_comes_from_the_config_file() {
    let dir = three_calls();
    let card = dir.path().join("qa");
    std::fs::create_dir(&card).unwrap();
    std::fs::rename(dir.path().join("card.yaml"), card.join("card.yaml")).unwrap();
    std::fs::write(
        dir.path().join("tonecheck.yaml"),
        format!("packs: [\"{PACK}\"]\nscorecard: qa/card.yaml\n"),
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_tonecheck"))
        .current_dir(dir.path().join("calls"))
        .args(["score", "-f", "json", "."])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let doc: Doc = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(doc.transcripts[0].score.as_ref().unwrap().scorecard, "test");
}

#[test]
fn builtin_scorecard_scores_with_the_builtin_packs() {
    let dir = tempfile::tempdir().unwrap();
    let p: PathBuf = dir.path().join("call.txt");
    std::fs::write(
        &p,
        "Customer: Hi, my parcel is late.\nAgent: Thank you for calling, let me check.\n",
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_tonecheck"))
        .current_dir(dir.path())
        .args(["score", "--no-config", "-f", "json", "call.txt"])
        .output()
        .unwrap();
    assert_ne!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let doc: Doc = serde_json::from_str(&stdout(&o)).unwrap();
    let s = doc.transcripts[0].score.as_ref().unwrap();
    assert_eq!(s.scorecard, "service-recovery");
    assert!(s.score.is_some_and(|x| (0.0..=100.0).contains(&x)));
}

#[test]
fn check_writes_jsonl_csv_and_html_without_scores() {
    let dir = three_calls();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_tonecheck"))
            .current_dir(dir.path())
            .args([
                "check",
                "--no-config",
                "--no-default-packs",
                "--rules",
                PACK,
            ])
            .args(args)
            .output()
            .expect("run tonecheck")
    };
    let jsonl = run(&["-f", "jsonl", "calls"]);
    assert_eq!(jsonl.status.code(), Some(1), "errors were found");
    let lines: Vec<TranscriptOut> = stdout(&jsonl)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert!(lines.iter().all(|t| t.score.is_none()));
    let csv_out = run(&["-f", "csv", "--html", "report.html", "calls"]);
    let mut r = csv::Reader::from_reader(csv_out.stdout.as_slice());
    assert_eq!(&r.headers().unwrap()[2], "rule");
    let rules: Vec<String> = r.records().map(|x| x.unwrap()[2].to_string()).collect();
    // One row per finding, kudos included: a.txt has 4, b.txt 1, c.txt 1.
    assert_eq!(rules.len(), 6, "{rules:?}");
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert_eq!(html.matches("<article class=\"call\"").count(), 3);
    assert!(html.contains("Findings report") && !html.contains("Score distribution"));
}

#[test]
fn progress_bar_only_on_a_terminal_for_long_batches() {
    // `script` (util-linux) runs the command on a pseudo-terminal: stderr is a terminal there.
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("note: skipping: `script` (util-linux) is not installed");
        return;
    }
    let files: Vec<(String, &str)> = (0..60).map(|i| (format!("c{i:02}.txt"), CALL_40)).collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), *t)).collect();
    let dir = setup(&refs);
    let cmd = format!(
        "{} score --no-config --no-default-packs --rules {PACK} --scorecard card.yaml -f jsonl calls > out.jsonl",
        env!("CARGO_BIN_EXE_tonecheck")
    );
    let o = Command::new("script")
        .current_dir(dir.path())
        .args(["-qec", &cmd, "/dev/null"])
        .output()
        .expect("run script");
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let tty = String::from_utf8_lossy(&o.stdout);
    assert!(
        tty.contains("scoring [") && tty.contains("/60 files"),
        "no progress bar on the terminal: {tty:?}"
    );
    let out = std::fs::read_to_string(dir.path().join("out.jsonl")).unwrap();
    assert_eq!(out.lines().count(), 60, "the bar never reaches the data");
    assert!(!out.contains("scoring ["));
    // Piped stderr: no bar.
    let piped = score(dir.path(), &["-f", "jsonl", "calls"]);
    assert!(
        piped.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&piped.stderr)
    );
}
