//! Every input format, through the real binary: the fixtures in tests/fixtures/formats/ hold
//! the same call in each vendor's documented shape (generate.py writes them). Each must give
//! the same turns, roles and times, with findings pointing back into its own file; every
//! malformed input must give an error with its path and line while the batch goes on.
mod common;
use common::json::{FindingOut, Report};
use common::run::Out;
use std::path::{Path, PathBuf};

/// Rules that each fire once on the fixture call, at a known turn and speaker.
const PACK: &str = r#"pack: formats-test
rules:
  - id: fmt-greeting
    category: thanks
    severity: info
    message: 'Greeting "{match}".'
    match: { phrases: ["thank you for calling"] }
    examples: { flag: ["Agent: Thank you for calling."] }
  - id: fmt-complaint
    category: complaint
    severity: info
    speaker: customer
    message: 'Complaint "{match}".'
    match: { phrases: ["arrived broken"] }
    examples: { flag: ["Agent: hi\nCustomer: it arrived broken"] }
  - id: fmt-non-apology
    category: apology
    severity: error
    message: 'Non-apology "{match}".'
    match: { phrases: ["sorry if you feel"] }
    examples: { flag: ["Agent: I'm sorry if you feel that way."] }
"#;

const CONFIG: &str = "packs: [builtin:timing, pack.yaml]\n";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats")
}

struct Env {
    dir: tempfile::TempDir,
}

trait ReportOf {
    fn report(&self) -> Report;
}

impl ReportOf for Out {
    fn report(&self) -> Report {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "not a JSON report ({e}):\n{}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }
}

impl Env {
    fn new() -> Env {
        let env = Env {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        env.write("pack.yaml", PACK);
        env.write("tonecheck.yaml", CONFIG);
        env
    }

    fn write(&self, rel: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let p = self.dir.path().join(rel);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&p, contents).expect("write");
        p
    }

    fn run(&self, args: &[&str], stdin: Option<&[u8]>) -> Out {
        common::run::tonecheck(self.dir.path(), args, stdin)
    }

    fn check(&self, paths: &[&Path], extra: &[&str]) -> Out {
        let mut args: Vec<String> = vec!["check".into(), "--format".into(), "json".into()];
        args.extend(extra.iter().map(|s| s.to_string()));
        args.extend(paths.iter().map(|p| p.display().to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.run(&args, None)
    }
}

/// 1-based line and column (in characters) of `target` inside the first `context` of `text`.
fn locate(text: &str, context: &str, target: &str) -> (usize, usize) {
    let c = text
        .find(context)
        .unwrap_or_else(|| panic!("{context:?} not in fixture"));
    let at = c + text[c..].find(target).expect("target inside context");
    let line = text[..at].matches('\n').count() + 1;
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..at].chars().count() + 1)
}

fn one<'a>(findings: &'a [&FindingOut], rule: &str) -> &'a FindingOut {
    let hits: Vec<&&FindingOut> = findings.iter().filter(|f| f.rule == rule).collect();
    assert_eq!(
        hits.len(),
        1,
        "want one {rule}, got {hits:#?} among {findings:#?}"
    );
    hits[0]
}

/// The fixture call: greeting (turn 0, 0.0 s), complaint (turn 1, 3.8 s), the agent talks
/// over it with a non-apology (turn 2, 8.9 s), 38 s of silence, the agent again (turn 3,
/// 50.0 s). `context`/`target` find where the non-apology's text is in the file; `labels`
/// are the (agent, customer) speaker labels the format gives.
struct Case {
    file: &'static str,
    context: &'static str,
    target: &'static str,
    labels: (&'static str, &'static str),
}

const CASES: &[Case] = &[
    Case {
        file: "teams.vtt",
        context: "sorry if you feel",
        target: "sorry",
        labels: ("Dana Reyes", "Chris Lee"),
    },
    Case {
        file: "zoom.vtt",
        context: "sorry if you feel",
        target: "sorry",
        labels: ("Dana Reyes", "Chris Lee"),
    },
    Case {
        file: "call.srt",
        context: "sorry if you feel",
        target: "sorry",
        labels: ("Agent", "Customer"),
    },
    Case {
        file: "ranges.txt",
        context: "sorry if you feel",
        target: "sorry",
        labels: ("Agent", "Customer"),
    },
    Case {
        file: "native.json",
        context: "sorry if you feel",
        target: "sorry",
        labels: ("Dana", "Chris"),
    },
    Case {
        file: "aws-call-analytics.json",
        context: "\"Content\": \"I'm sorry if",
        target: "sorry",
        labels: ("AGENT", "CUSTOMER"),
    },
    Case {
        file: "aws-transcribe.json",
        context: "\"content\": \"sorry\"",
        target: "sorry",
        labels: ("spk_1", "spk_0"),
    },
    Case {
        file: "aws-transcribe-channels.json",
        context: "\"transcript\": \"I'm sorry if",
        target: "sorry",
        labels: ("ch_0", "ch_1"),
    },
    Case {
        file: "aws-pca.json",
        context: "\"DisplayText\": \"I'm sorry if",
        target: "sorry",
        labels: ("Agent", "Customer"),
    },
    Case {
        file: "deepgram-utterances.json",
        context: "\"transcript\": \"I'm sorry if",
        target: "sorry",
        labels: ("Speaker 0", "Speaker 1"),
    },
    Case {
        file: "deepgram-words.json",
        context: "\"punctuated_word\": \"sorry\"",
        target: "sorry",
        labels: ("Speaker 0", "Speaker 1"),
    },
    Case {
        file: "assemblyai.json",
        context: "\"text\": \"I'm sorry if",
        target: "sorry",
        labels: ("A", "B"),
    },
    Case {
        file: "whisperx.json",
        context: "\"text\": \" I'm sorry if",
        target: "sorry",
        labels: ("SPEAKER_01", "SPEAKER_00"),
    },
    Case {
        file: "calls.csv",
        context: "sorry if you feel",
        target: "sorry",
        labels: ("Agent", "Customer"),
    },
];

#[test]
fn every_format_gives_the_same_call_with_findings_in_its_own_file() {
    let env = Env::new();
    let dir = fixtures();
    for case in CASES {
        let path = dir.join(case.file);
        let text = std::fs::read_to_string(&path).expect("fixture");
        let out = env.check(&[&path], &[]);
        let report = out.report();
        assert!(
            report.errors.is_empty(),
            "{}: {:?}",
            case.file,
            report.errors
        );
        assert_eq!(report.transcripts.len(), 1, "{}", case.file);
        let findings = report.findings();
        let (agent, customer) = case.labels;

        let greet = one(&findings, "fmt-greeting");
        assert_eq!(
            (greet.turn, greet.role.as_str(), greet.speaker.as_str()),
            (0, "agent", agent),
            "{}",
            case.file
        );
        assert_eq!(greet.time, Some(0.0), "{}", case.file);

        let complaint = one(&findings, "fmt-complaint");
        assert_eq!(
            (
                complaint.turn,
                complaint.role.as_str(),
                complaint.speaker.as_str()
            ),
            (1, "customer", customer),
            "{}",
            case.file
        );
        assert_eq!(complaint.time, Some(3.8), "{}", case.file);

        let sorry = one(&findings, "fmt-non-apology");
        assert_eq!(
            (sorry.turn, sorry.role.as_str()),
            (2, "agent"),
            "{}",
            case.file
        );
        assert_eq!(sorry.time, Some(8.9), "{}", case.file);
        assert_eq!(
            (sorry.line, sorry.column),
            locate(&text, case.context, case.target),
            "{}: the finding must point at the words in the file",
            case.file
        );

        let cut = one(&findings, "interruption");
        assert_eq!((cut.turn, cut.time), (2, Some(8.9)), "{}", case.file);
        let silence = one(&findings, "long-silence");
        assert_eq!(silence.turn, 3, "{}", case.file);
        assert_eq!(silence.time, Some(50.0), "{}", case.file);
        assert!(
            silence.message.starts_with("38"),
            "{}: {}",
            case.file,
            silence.message
        );
        assert_eq!(out.code, 1, "{}: an error-severity finding", case.file);
    }
}

#[test]
fn help_desk_csv_groups_rows_into_tickets() {
    let env = Env::new();
    let path = fixtures().join("helpdesk.csv");
    let text = std::fs::read_to_string(&path).expect("fixture");
    let report = env.check(&[&path], &[]).report();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let ids: Vec<&str> = report.transcripts.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["4471", "4472"]);
    let f = report.transcripts[0]
        .findings
        .iter()
        .find(|f| f.rule == "fmt-non-apology")
        .expect("non-apology in ticket 4471");
    assert_eq!((f.speaker.as_str(), f.role.as_str()), ("Dana", "agent"));
    assert_eq!(f.turn, 2);
    // Created At is a date-time: times count from the ticket's first message.
    assert_eq!(f.time, Some(70.0));
    // Inside a quoted cell: the column is the text's, after the opening quote.
    assert_eq!((f.line, f.column), locate(&text, "I'm sorry if", "sorry"));
    let c = report.transcripts[0]
        .findings
        .iter()
        .find(|f| f.rule == "fmt-complaint")
        .expect("complaint");
    assert_eq!((c.speaker.as_str(), c.role.as_str()), ("Chris", "customer"));
}

#[test]
fn csv_column_names_come_from_the_config() {
    let env = Env::new();
    env.write(
        "tonecheck.yaml",
        "packs: [pack.yaml]\ncsv: {call_id: Conv, speaker: Who, text: Said}\n",
    );
    let csv = env.write(
        "export.csv",
        "Conv,Who,Said\nk1,Agent,Thank you for calling.\nk1,Customer,It arrived broken.\n",
    );
    let report = env.check(&[&csv], &[]).report();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.transcripts[0].id, "k1");
    let mut rules = report.rules();
    rules.sort();
    assert_eq!(rules, ["fmt-complaint", "fmt-greeting"]);
    // A configured column that is not there is an error naming it.
    env.write(
        "tonecheck.yaml",
        "packs: [pack.yaml]\ncsv: {text: Message}\n",
    );
    let out = env.check(&[&csv], &[]);
    assert_eq!(out.code, 2);
    let report = out.report();
    assert!(
        report.errors[0].message.contains("no `Message` column"),
        "{:?}",
        report.errors
    );
}

#[test]
fn jsonl_reads_each_line_and_stdin() {
    let env = Env::new();
    let path = fixtures().join("calls.jsonl");
    let out = env.check(&[&path], &[]);
    assert_eq!(
        out.code, 2,
        "a transcript with unknown roles is an input problem"
    );
    let report = out.report();
    let ids: Vec<&str> = report.transcripts.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["call-1", "call-2"]);
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].line, Some(3));
    assert!(
        report.errors[0].message.contains("`call-3`"),
        "{:?}",
        report.errors
    );
    // Each line's findings point at that line.
    for (t, line) in report.transcripts.iter().zip([1, 2]) {
        assert!(
            t.findings.iter().all(|f| f.line == line),
            "{:?}",
            t.findings
        );
    }
    // `-` reads the same from standard input; --agent names call-3's agent.
    let bytes = std::fs::read(&path).expect("fixture");
    let out = env.run(
        &["check", "--format", "json", "--agent", "Ann", "-"],
        Some(&bytes),
    );
    let report = out.report();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(report.transcripts.len(), 3);
    assert_eq!(report.transcripts[0].path, "-");
}

#[test]
fn roles_are_decided_per_transcript_and_flags_beat_the_config() {
    let env = Env::new();
    // spk_0 is the agent in one call and the customer in the other.
    let a = env.write(
        "a.json",
        r#"{"turns": [
        {"speaker": "spk_0", "text": "Thank you for calling, how can I help?"},
        {"speaker": "spk_1", "text": "It arrived broken."}]}"#,
    );
    let b = env.write(
        "b.json",
        r#"{"turns": [
        {"speaker": "spk_0", "text": "Hello? It arrived broken."},
        {"speaker": "spk_1", "text": "Thank you for calling, how can I help?"}]}"#,
    );
    let report = env.check(&[&a, &b], &[]).report();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let complaint = |t: usize| {
        let f = report.transcripts[t]
            .findings
            .iter()
            .find(|f| f.rule == "fmt-complaint")
            .expect("complaint");
        (f.speaker.clone(), f.role.clone())
    };
    assert_eq!(complaint(0), ("spk_1".into(), "customer".into()));
    assert_eq!(complaint(1), ("spk_0".into(), "customer".into()));

    // The config says Ann is the customer; --agent/--customer win for this run.
    env.write(
        "tonecheck.yaml",
        "packs: [pack.yaml]\nroles: {Ann: customer, Bob: agent}\n",
    );
    let c = env.write(
        "c.json",
        r#"{"turns": [
        {"speaker": "Ann", "text": "Thank you for calling."},
        {"speaker": "Bob", "text": "It arrived broken."}]}"#,
    );
    let greet = |out: Out| {
        let r = out.report();
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        r.findings()
            .iter()
            .filter(|f| f.rule == "fmt-greeting")
            .count()
    };
    assert_eq!(greet(env.check(&[&c], &[])), 0);
    assert_eq!(
        greet(env.check(&[&c], &["--agent", "Ann", "--customer", "Bob"])),
        1
    );
}

#[test]
fn unknown_roles_are_reported_with_a_hint_that_guesses_nothing() {
    let env = Env::new();
    let one_voice = env.write(
        "mono.json",
        r#"{"turns": [{"speaker": "spk_0", "text": "My parcel arrived broken."}]}"#,
    );
    let two = env.write(
        "two.json",
        r#"{"turns": [{"speaker": "Ann", "text": "Hi."}, {"speaker": "Bob", "text": "Hello."}]}"#,
    );
    let out = env.check(&[&one_voice, &two], &[]);
    assert_eq!(out.code, 2);
    let report = out.report();
    assert!(
        report.transcripts.is_empty(),
        "not scored as if roles were known"
    );
    let msg = &report.errors[0].message;
    assert!(msg.contains("only one speaker (`spk_0`)"), "{msg}");
    assert!(
        !msg.contains("spk_0: agent"),
        "must not suggest the speaker is the agent: {msg}"
    );
    let msg = &report.errors[1].message;
    assert!(
        msg.contains("`Ann`, `Bob`") && msg.contains("--agent"),
        "{msg}"
    );
}

#[test]
fn speech_to_text_without_speakers_says_so() {
    let env = Env::new();
    let path = fixtures().join("openai-verbose.json");
    let out = env.check(&[&path], &[]);
    assert_eq!(out.code, 2);
    let report = out.report();
    assert!(
        report.errors[0].message.contains("not diarised"),
        "{:?}",
        report.errors
    );
    assert!(!report.errors[0].message.contains("Agent: text"));
    // In script mode the same file is agent speech.
    let report = env.check(&[&path], &["--mode", "script"]).report();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(one(&report.findings(), "fmt-non-apology").role, "agent");

    let dg = env.write(
        "dg.json",
        r#"{"metadata": {"request_id": "x"}, "results": {"channels": [{"alternatives": [{"transcript": "hi", "words": [{"word": "hi", "start": 0.1, "end": 0.3}]}]}]}}"#,
    );
    let report = env.check(&[&dg], &[]).report();
    assert!(
        report.errors[0]
            .message
            .contains("without speaker diarisation")
            && report.errors[0].message.contains("diarize=true"),
        "{:?}",
        report.errors
    );
}

#[test]
fn content_detection_and_input_format_override() {
    let env = Env::new();
    // SRT content in a .txt file: cue numbers and timings do not end up in the words.
    let srt = std::fs::read(fixtures().join("call.srt")).expect("fixture");
    let txt = env.write("call.txt", &srt);
    let report = env.check(&[&txt], &[]).report();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(one(&report.findings(), "fmt-non-apology").time, Some(8.9));
    // A file with a made-up extension, forced to a format.
    let vtt = std::fs::read(fixtures().join("teams.vtt")).expect("fixture");
    let cap = env.write("call.captions", &vtt);
    let report = env.check(&[&cap], &["--input-format", "vtt"]).report();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(one(&report.findings(), "interruption").turn, 2);
    // Forcing a reader that does not fit is that reader's error.
    let out = env.check(&[&cap], &["--input-format", "srt"]);
    assert_eq!(out.code, 2);
    // JSON of an unknown shape in a .txt file gets the JSON advice, not `Agent: text`.
    let odd = env.write("odd.txt", "{\"conversation\": [{\"who\": \"Agent\"}]}\n");
    let report = env.check(&[&odd], &[]).report();
    assert!(
        report.errors[0].message.contains("not a transcript format")
            && !report.errors[0].message.contains("Agent: text"),
        "{:?}",
        report.errors
    );
    // An unknown format name is a usage error listing the known ones.
    let out = env.check(&[&cap], &["--input-format", "docx"]);
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("known:") && out.stderr.contains("deepgram"),
        "{}",
        out.stderr
    );
}

#[test]
fn malformed_inputs_are_errors_with_a_line_and_the_batch_goes_on() {
    let env = Env::new();
    let bad = fixtures().join("bad");
    let good = fixtures().join("native.json");
    let out = env.check(&[&bad, &good], &[]);
    assert_eq!(out.code, 2);
    let report = out.report();
    let err = |name: &str| {
        report
            .errors
            .iter()
            .find(|e| e.path.ends_with(name))
            .unwrap_or_else(|| panic!("no error for {name}: {:?}", report.errors))
    };
    let e = err("truncated.json");
    assert!(e.message.contains("truncated"), "{e:?}");
    assert!(e.line.is_some());
    let e = err("wrong-type.json");
    assert_eq!(e.line, Some(4));
    assert!(
        e.message.contains("`start` of turns[1] must be a number"),
        "{e:?}"
    );
    let e = err("cue-without-time.vtt");
    assert_eq!(e.line, Some(7));
    assert!(e.message.contains("no timing line"), "{e:?}");
    let e = err("backwards.srt");
    assert_eq!(e.line, Some(6));
    assert!(e.message.contains("backwards"), "{e:?}");
    let e = err("missing-column.csv");
    assert_eq!(e.line, Some(3));
    assert!(e.message.contains("missing text"), "{e:?}");
    let e = err("unknown-shape.json");
    assert!(e.message.contains("not a transcript format"), "{e:?}");
    assert!(!e.message.contains("Agent: text"), "{e:?}");
    // The good file, and the good call of the CSV, were still checked.
    let paths: Vec<&str> = report.transcripts.iter().map(|t| t.path.as_str()).collect();
    assert!(
        paths.iter().any(|p| p.ends_with("native.json")),
        "{paths:?}"
    );
    let csv: Vec<&str> = report
        .transcripts
        .iter()
        .filter(|t| t.path.ends_with("missing-column.csv"))
        .map(|t| t.id.as_str())
        .collect();
    assert_eq!(csv, ["c2"]);
}

#[test]
fn a_json_array_of_transcripts_reports_the_bad_one_and_checks_the_rest() {
    let env = Env::new();
    let mut s = String::from("[\n");
    for i in 0..50 {
        let text = if i == 7 {
            "5"
        } else {
            "\"Thank you for calling.\""
        };
        s.push_str(&format!(
            "{{\"id\": \"t{i}\", \"turns\": [{{\"speaker\": \"Agent\", \"text\": {text}}}, {{\"speaker\": \"Customer\", \"text\": \"hi\"}}]}}{}\n",
            if i < 49 { "," } else { "" }
        ));
    }
    s.push_str("]\n");
    let p = env.write("many.json", &s);
    let report = env.check(&[&p], &[]).report();
    assert_eq!(report.transcripts.len(), 49);
    assert_eq!(report.errors.len(), 1);
    assert_eq!(report.errors[0].line, Some(9));
}

#[test]
fn a_50_mb_json_array_cut_short_is_one_clear_error() {
    let env = Env::new();
    // Read one element at a time: the complete ones are checked, the cut one is reported.
    let item = r#"{"id": "x", "turns": [{"speaker": "Agent", "text": "Hello, this is the parcel desk."}, {"speaker": "Customer", "text": "Hi, I am calling about a delivery."}]}"#;
    let mut s = String::with_capacity(51 << 20);
    s.push_str("[\n");
    let mut lines = 1;
    while s.len() < 50 << 20 {
        s.push_str(item);
        s.push_str(",\n");
        lines += 1;
    }
    s.push_str(&item[..40]);
    let p = env.write("huge.json", &s);
    let out = env.run(&["check", "--format", "line", "huge.json"], None);
    assert_eq!(out.code, 2, "{}", out.stderr);
    let all = format!("{}{}", out.stdout, out.stderr);
    let want = format!(
        "huge.json:{}: error: invalid JSON at line {}",
        lines + 1,
        lines + 1
    );
    assert!(all.contains(&want), "{want} not in {all}");
    assert!(all.contains("truncated"), "{all}");
    assert_eq!(all.matches("error:").count(), 1, "{all}");
    drop(p);
}

#[test]
fn a_folder_with_nothing_to_check_fails_and_names_what_it_skipped() {
    let env = Env::new();
    env.write("exports/call.docx", "x");
    env.write("exports/notes.pdf", "x");
    let out = env.run(&["check", "--format", "json", "exports"], None);
    assert_eq!(out.code, 2, "{}", out.stdout);
    let report = out.report();
    assert_eq!(report.errors.len(), 1);
    let msg = &report.errors[0].message;
    assert!(msg.contains("nothing to check"), "{msg}");
    assert!(msg.contains("call.docx") && msg.contains(".vtt"), "{msg}");
    // A folder of the new formats is walked.
    let out = env.run(
        &[
            "check",
            "--format",
            "json",
            &fixtures().display().to_string(),
        ],
        None,
    );
    let report = out.report();
    assert!(
        report.transcripts.len() >= CASES.len(),
        "{}",
        report.transcripts.len()
    );
}

#[test]
fn timing_rules_are_na_without_times() {
    let env = Env::new();
    // The built-in packs and scorecard.
    env.write("tonecheck.yaml", "fail_on: error\n");
    let timed = env.write(
        "timed.txt",
        std::fs::read(fixtures().join("ranges.txt")).expect("fixture"),
    );
    let plain = env.write(
        "call.txt",
        "Agent: Thank you for calling.\nCustomer: It arrived broken.\nAgent: I'm sorry if you feel that way.\n",
    );
    let out = env.run(
        &[
            "score",
            "--format",
            "json",
            &plain.display().to_string(),
            &timed.display().to_string(),
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("json");
    let result = |t: usize, name: &str| {
        v["transcripts"][t]["score"]["sections"]
            .as_array()
            .expect("sections")
            .iter()
            .flat_map(|s| s["items"].as_array().expect("items"))
            .find(|i| i["name"] == name)
            .unwrap_or_else(|| panic!("no item {name}"))["result"]
            .clone()
    };
    // Sorted by path: call.txt (no times) first, then timed.txt.
    assert_eq!(result(0, "Kept the call moving"), "na");
    assert_eq!(result(1, "Kept the call moving"), "fail");
}

/// No reader panics, whatever the damage: every fixture cut short at many points and with
/// bytes replaced by JSON, CSV and caption punctuation, read in-process under its own name.
#[test]
fn damaged_fixtures_never_panic_a_reader() {
    use tonecheck::input::{read_all, ReadOptions};
    let opts = ReadOptions::default();
    let mut read = 0usize;
    for entry in std::fs::read_dir(fixtures()).expect("fixtures") {
        let path = entry.expect("entry").path();
        if !path.is_file() || path.extension().is_some_and(|e| e == "py") {
            continue;
        }
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .to_string();
        let bytes = std::fs::read(&path).expect("fixture");
        let step = (bytes.len() / 60).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            let _ = read_all(&name, &bytes[..cut], &opts);
            read += 1;
        }
        for (i, at) in (0..bytes.len()).step_by(step).enumerate() {
            let mut b = bytes.clone();
            b[at] = b"\"{}[],:-<>\n\\0"[i % 13];
            let _ = read_all(&name, &b, &opts);
            read += 1;
        }
    }
    assert!(read > 1000, "only {read} damaged inputs were read");
}
