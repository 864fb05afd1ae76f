//! Hardening (issue 13): inputs an attacker or a careless user would try. Every test runs the
//! real binary and asserts the outcome: no crash, no stall, no silently skipped file, and
//! output that cannot inject formulas or terminal escapes. Long adversarial inputs are built
//! here; they finish in well under a second with the linear algorithms and would take
//! minutes with the old quadratic or cubic ones. Nothing is timed.
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tonecheck"))
}

fn run(dir: &Path, args: &[&str]) -> Output {
    bin()
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run tonecheck")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

fn write(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, text).unwrap();
    p
}

/// A pack with one rule of every kind that looks inside turns, each with an `unless`.
const PACK: &str = r#"pack: hard
rules:
  - id: apology-but
    kind: sequence
    severity: warning
    message: 'Apology taken back: "{match}".'
    first: { phrases: ["sorry"] }
    then: { phrases: ["but"] }
    max_words: 3
    examples: { flag: ["Agent: sorry but no"] }
  - id: apology-but-next
    kind: sequence
    severity: info
    message: 'Next sentence takes it back.'
    first: { phrases: ["regret"] }
    then: { phrases: ["however"] }
    scope: next_sentence
    max_words: 1000000
    examples: { flag: ["Agent: I regret it. However, no."] }
  - id: feel
    severity: error
    message: 'Non-apology "{match}".'
    match: { phrases: ["if you feel"] }
    unless: { phrases: ["kidding"] }
    examples: { flag: ["Agent: sad if you feel so"] }
  - id: thanks
    kind: required
    severity: warning
    message: 'No thanks.'
    expect: { phrases: ["thanks"] }
    unless: { phrases: ["for nothing"] }
    where: { last_seconds: 100000 }
    examples: { flag: ["Agent: hello"] }
  - id: answer
    kind: conditional
    severity: warning
    message: 'Unanswered "{match}".'
    when: { phrases: ["problem"] }
    expect: { phrases: ["fix"] }
    unless: { phrases: ["cannot"] }
    within_turns: 18446744073709551615
    examples: { flag: ["Customer: a problem\nAgent: ok"] }
"#;

fn check_json(dir: &Path, file: &str) -> (i32, serde_json::Value) {
    let o = run(
        dir,
        &[
            "check",
            "--no-config",
            "--no-default-packs",
            "--rules",
            "pack.yaml",
            "-f",
            "json",
            file,
        ],
    );
    assert!(o.status.code().is_some(), "killed: {}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("bad JSON ({e}): {}", stderr(&o)));
    (code(&o), v)
}

fn rule_counts(v: &serde_json::Value) -> std::collections::BTreeMap<String, usize> {
    let mut m = std::collections::BTreeMap::new();
    for t in v["transcripts"].as_array().unwrap() {
        for x in t["findings"].as_array().unwrap() {
            *m.entry(x["rule"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
    }
    m
}

/// Item 2: one enormous turn with no full stop and a hit every few words. Each `unless`
/// question used to search the whole turn for its sentence (quadratic), and the sequence
/// rule counted words from every `first` to every `then` (cubic).
#[test]
fn long_turns_without_full_stops_are_judged_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pack.yaml", PACK);
    let n = 40_000;
    let mut text = String::from("Customer: there is a problem\n[00:00:01] Agent: ");
    for _ in 0..n {
        text.push_str("sorry if you feel x ");
    }
    for _ in 0..n {
        text.push_str("x y z w ");
    }
    text.push_str("but regret ");
    text.push_str(&"so ".repeat(n));
    text.push_str("however kidding thanks\n");
    write(dir.path(), "long.txt", &text);
    let (rc, v) = check_json(dir.path(), "long.txt");
    let counts = rule_counts(&v);
    // Warnings and infos only: below the default `--fail-on error`.
    assert_eq!(rc, 0, "{counts:?}");
    // The single `kidding` excuses nothing: it is in the same (only) sentence as every
    // `if you feel`. So no finding, and `regret … however` is in the same sentence.
    assert_eq!(counts.get("feel"), None, "{counts:?}");
    assert_eq!(
        counts.get("apology-but"),
        None,
        "`but` is 4n words after the last sorry"
    );
    assert_eq!(counts.get("apology-but-next"), Some(&1));
    assert_eq!(counts.get("thanks"), None);
    // The agent never says "fix": the one trigger is unanswered.
    assert_eq!(counts.get("answer"), Some(&1));

    // Without the excuse, every `if you feel` is a finding at its own column.
    let text = text.replace("kidding", "okay");
    write(dir.path(), "long2.txt", &text);
    let (rc, v) = check_json(dir.path(), "long2.txt");
    let counts = rule_counts(&v);
    assert_eq!(rc, 1, "{counts:?}");
    assert_eq!(counts.get("feel"), Some(&n));
    let last = v["transcripts"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .rfind(|f| f["rule"] == "feel")
        .unwrap()
        .clone();
    // "[00:00:01] Agent: " is 18 characters; each repetition is 20.
    assert_eq!(last["line"], 2);
    assert_eq!(last["column"], 19 + 20 * (n - 1) + "sorry ".len());
}

/// Item 2: many sorry/but pairs in one turn, each pair a finding; and a conversation of many
/// turns with a trigger in each and a `within_turns` larger than the call.
#[test]
fn many_hits_and_many_turns_stay_linear() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "pack.yaml", PACK);
    let n = 30_000;
    let mut text = String::from("Customer: problem\nAgent: ");
    text.push_str(&"sorry, but ".repeat(n));
    text.push_str("thanks\n");
    for _ in 0..n {
        text.push_str("[00:01:00] Customer: another problem\n");
    }
    text.push_str("Agent: we will fix it\n");
    write(dir.path(), "many.txt", &text);
    let (_, v) = check_json(dir.path(), "many.txt");
    let counts = rule_counts(&v);
    assert_eq!(counts.get("apology-but"), Some(&n));
    // The window is unlimited, so the agent's final turn ("fix") answers every trigger.
    assert_eq!(counts.get("answer"), None, "{counts:?}");
}

fn alias_bomb_lines() -> String {
    format!(
        "a: &s \"{}\"\nb: [{}]\n",
        "x".repeat(100_000),
        vec!["*s"; 100_000].join(",")
    )
}

/// Item 1: an alias bomb in front matter is that file's error; the rest of the batch runs.
/// In tonecheck.yaml or a `--rules` pack it is a located error, exit 2, no abort.
#[test]
fn yaml_alias_bombs_are_one_error_not_an_abort() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "calls/a-bomb.txt",
        format!("---\n{}---\nAgent: hi\nCustomer: yo\n", alias_bomb_lines()),
    );
    write(
        d,
        "calls/b-fine.txt",
        "Customer: hi\nAgent: I'm sorry if you feel that way\n",
    );
    let o = run(d, &["check", "--no-config", "-f", "line", "calls"]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("calls/a-bomb.txt:2: error: front matter is not valid YAML"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("aliases expand"));
    assert!(
        stdout(&o).contains("calls/b-fine.txt:2:"),
        "the other file is still checked"
    );

    write(
        d,
        "bomb-pack.yaml",
        format!(
            "pack: p\nlists:\n  {}",
            alias_bomb_lines().replace('\n', "\n  ")
        ),
    );
    let o = run(
        d,
        &[
            "check",
            "--no-config",
            "--rules",
            "bomb-pack.yaml",
            "calls/b-fine.txt",
        ],
    );
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).starts_with("bomb-pack.yaml:3:"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("aliases expand"));

    write(
        d,
        "tonecheck.yaml",
        format!(
            "fail_on: error\nroles:\n  {}",
            alias_bomb_lines().replace('\n', "\n  ")
        ),
    );
    let o = run(d, &["check", "calls/b-fine.txt"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("tonecheck.yaml:") && stderr(&o).contains("aliases expand"),
        "{}",
        stderr(&o)
    );
}

/// Item 4: deep nesting, too many rules and huge phrase packs fail fast at file:line:col.
#[test]
fn pack_limits_fail_fast_at_their_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a.txt", "Customer: hi\nAgent: hello\n");
    write(
        d,
        "deep.yaml",
        format!(
            "pack: x\nrules: {}{}\n",
            "[".repeat(200_000),
            "]".repeat(200_000)
        ),
    );
    let o = run(
        d,
        &["check", "--no-config", "--rules", "deep.yaml", "a.txt"],
    );
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o).trim(),
        "deep.yaml:2:72: error: YAML nested deeper than 64 levels"
    );

    // 30,000 rules: over the limit, reported at the first rule past it. Loading is linear,
    // so the error comes at once (this took 32 s when locating rules was quadratic).
    let mut pack = String::from("pack: big\nrules:\n");
    for i in 0..30_000 {
        pack.push_str(&format!("  - id: r{i}\n    severity: info\n    message: m\n    match: {{phrases: [\"zq{i}\"]}}\n"));
    }
    write(d, "many.yaml", &pack);
    let o = run(
        d,
        &["check", "--no-config", "--rules", "many.yaml", "a.txt"],
    );
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).starts_with(&format!(
            "many.yaml:{}:5: error: a pack may hold at most 5000 rules",
            3 + 4 * 5000
        )),
        "{}",
        stderr(&o)
    );

    let mut pack = String::from("pack: words\nlists:\n  l:\n");
    for i in 0..100_001 {
        pack.push_str(&format!("    - w{i}\n"));
    }
    write(d, "phrases.yaml", &pack);
    let o = run(
        d,
        &["check", "--no-config", "--rules", "phrases.yaml", "a.txt"],
    );
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).starts_with("phrases.yaml:3:3: error: a pack may hold at most 100000 phrases"),
        "{}",
        stderr(&o)
    );

    // A regex that compiles too big is refused when the pack loads, not skipped at scan time.
    write(d, "re.yaml", "pack: re\nrules:\n  - id: huge\n    severity: info\n    message: m\n    match:\n      regex: ['\\w{1000}\\w{1000}\\w{1000}']\n");
    let o = run(d, &["check", "--no-config", "--rules", "re.yaml", "a.txt"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).starts_with("re.yaml:7:7: error: rule `huge`: a regex compiles to more than"),
        "{}",
        stderr(&o)
    );
}

/// Item 3: a named stream (here `/dev/stdin` on a pipe, as `<(cmd)` gives `/dev/fd/63`) is
/// read, not silently dropped; an endless device is refused after the size cap, as an input
/// and as a pack, config or scorecard.
#[test]
fn streams_are_read_and_endless_devices_refused() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut child = bin()
        .args(["check", "--no-config", "-f", "line", "/dev/stdin"])
        .current_dir(d)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"Customer: hi\nAgent: I'm sorry if you feel that way\n")
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    assert!(stdout(&o).contains("/dev/stdin:2:"), "{}", stdout(&o));

    if !Path::new("/dev/zero").exists() {
        return;
    }
    // A finding on line 2 of a.txt (a single reply owes no thank-you, so a phrase rule).
    write(
        d,
        "a.txt",
        "Customer: hi\nAgent: I'm sorry if you feel that way\n",
    );
    let o = run(
        d,
        &["check", "--no-config", "-f", "line", "/dev/zero", "a.txt"],
    );
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("/dev/zero: error: larger than the 128 MiB limit"),
        "{}",
        stderr(&o)
    );
    assert!(
        stdout(&o).contains("a.txt:2:"),
        "the rest of the batch runs"
    );
    for (flag, what) in [("--rules", "rule pack"), ("--config", "config")] {
        let o = run(d, &["check", flag, "/dev/zero", "a.txt"]);
        assert_eq!(code(&o), 2);
        assert_eq!(
            stderr(&o).trim(),
            format!("/dev/zero: error: {what} is larger than the 16 MiB limit; not read")
        );
    }
    let o = run(
        d,
        &["score", "--no-config", "--scorecard", "/dev/zero", "a.txt"],
    );
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("scorecard is larger than the 16 MiB limit"),
        "{}",
        stderr(&o)
    );
}

/// Item 5: formula-looking ids, paths, agent names and matches are written with a leading
/// `'` in check and score CSV (OWASP CSV injection).
#[test]
fn csv_cells_cannot_be_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "pack.yaml", "pack: csv\nrules:\n  - id: feel\n    severity: error\n    message: '{match}'\n    match: { regex: ['=HYPERLINK\\(\"[^\"]*\"\\)'] }\n    examples: { flag: ['Agent: =HYPERLINK(\"x\")'] }\n");
    write(
        d,
        "=cmd.txt",
        "---\nid: \"+cmd|' /C calc'!A0\"\nagent: \"@SUM(1+1)*cmd|' /C calc'!A0\"\n---\nCustomer: hi\nAgent: =HYPERLINK(\"http://evil\")\n",
    );
    let o = run(
        d,
        &[
            "check",
            "--no-config",
            "--no-default-packs",
            "--rules",
            "pack.yaml",
            "-f",
            "csv",
            "=cmd.txt",
        ],
    );
    assert_eq!(code(&o), 1, "{}", stderr(&o));
    let mut rows = csv_rows(&o.stdout);
    assert_eq!(rows.len(), 2, "{rows:?}");
    let row = rows.pop().unwrap();
    assert_eq!(row[0], "'=cmd.txt");
    assert_eq!(row[1], "'+cmd|' /C calc'!A0");
    assert_eq!(row[6], "'=HYPERLINK(\"http://evil\")");
    assert_eq!(row[15], "'=HYPERLINK(\"http://evil\")");
    assert!(
        row.iter()
            .all(|c| !c.starts_with(['=', '+', '-', '@', '\t', '\r'])),
        "{row:?}"
    );

    let o = run(d, &["score", "--no-config", "-f", "csv", "=cmd.txt"]);
    let rows = csv_rows(&o.stdout);
    assert_eq!(rows.len(), 2, "{}", stderr(&o));
    assert_eq!(
        &rows[1][..3],
        [
            "'=cmd.txt",
            "'+cmd|' /C calc'!A0",
            "'@SUM(1+1)*cmd|' /C calc'!A0"
        ]
    );
}

/// A minimal RFC 4180 reader, enough for the tests' CSV.
fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = String::from_utf8_lossy(bytes);
    let (mut rows, mut row, mut cell) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    rows
}

/// Item 6: control characters from transcripts and file names are escaped in the human
/// formats, even with `--color never`; a newline in a file name does not split a `line`
/// finding; a file name that is not UTF-8 is still named exactly in JSON.
#[test]
fn terminal_escapes_are_shown_not_obeyed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "pack.yaml", PACK);
    let name = "odd\nname\x1b[2J.txt";
    write(
        d,
        name,
        "Customer: hi\x1b]0;pwned\x07\nAgent: \x1b[31mI'm sorry\r, but if you feel\u{9b} it\n",
    );
    let args = [
        "check",
        "--no-config",
        "--no-default-packs",
        "--rules",
        "pack.yaml",
        "--color",
        "never",
    ];
    for format in ["pretty", "line"] {
        let mut a = args.to_vec();
        a.extend(["-f", format, name]);
        let o = run(d, &a);
        let out = stdout(&o);
        assert_eq!(code(&o), 1, "{}", stderr(&o));
        assert!(
            !out.contains(['\x1b', '\x07', '\r', '\u{9b}']),
            "{format}: {out:?}"
        );
        assert!(
            out.contains("odd\\nname\\u{1b}[2J.txt:2:"),
            "{format}: {out}"
        );
        if format == "line" {
            assert_eq!(out.lines().count(), 3, "one line per finding: {out}");
            assert!(out.lines().all(|l| l.starts_with("odd\\nname")), "{out}");
        } else {
            assert!(out.contains("\\u{1b}[31mI'm sorry\\r, but"), "{out}");
        }
    }

    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let raw = b"caf\xe9.txt";
        let p = d.join(std::ffi::OsStr::from_bytes(raw));
        std::fs::write(&p, "Customer: hi\nAgent: I'm sorry, but no\n").unwrap();
        let o = bin()
            .args(&args[..5])
            .args(["-f", "json"])
            .arg(std::ffi::OsStr::from_bytes(raw))
            .current_dir(d)
            .output()
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let t = &v["transcripts"][0];
        assert_eq!(t["path"], "caf\\xe9.txt");
        let bytes: Vec<u8> = t["path_bytes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_u64().unwrap() as u8)
            .collect();
        assert_eq!(bytes, raw);
    }
}

/// Item 7: `-j` is capped (a huge value used to overflow and panic).
#[test]
fn huge_thread_counts_are_capped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "a.txt",
        "Customer: hi\nAgent: I'm sorry if you feel that way\n",
    );
    write(d, "b.txt", "Customer: hi\nAgent: thanks\n");
    for j in ["18446744073709551615", "10000"] {
        let o = run(
            d,
            &[
                "check",
                "--no-config",
                "-f",
                "line",
                "-j",
                j,
                "a.txt",
                "b.txt",
            ],
        );
        assert_eq!(code(&o), 1, "{}", stderr(&o));
        assert!(stdout(&o).starts_with("a.txt:2:"), "{}", stdout(&o));
    }
}

/// Item 7: when the reader of the output goes away (`check … | head -1`), the batch stops:
/// the next input, a FIFO nobody writes to, is never opened. Were it opened, the run would
/// block on it, so the test unblocks it after a minute and then fails.
#[cfg(unix)]
#[test]
fn a_closed_pipe_stops_the_batch() {
    use std::io::{Read, Write};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "a.txt",
        format!(
            "Customer: hi\nAgent: {}\n",
            "sorry if you feel that way, ".repeat(20_000)
        ),
    );
    let fifo = d.join("z.txt");
    let ok = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        return;
    }
    for format in ["line", "pretty", "json", "jsonl", "csv"] {
        let mut child = bin()
            .args([
                "check",
                "--no-config",
                "-j",
                "1",
                "-f",
                format,
                "a.txt",
                "z.txt",
            ])
            .current_dir(d)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Read a little (JSON is one long line) and hang up.
        let mut first = [0u8; 100];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        let mut waited = 0;
        let status = loop {
            if let Some(s) = child.try_wait().unwrap() {
                break s;
            }
            waited += 1;
            if waited == 600 {
                // Unblock the stuck run so the test ends, then fail.
                let mut w = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
                let _ = w.write_all(b"Agent: hi\n");
                drop(w);
                let _ = child.wait();
                panic!("{format}: the batch went on to the next file after its output closed");
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        };
        let err = String::from_utf8_lossy(&child.wait_with_output().unwrap().stderr).into_owned();
        // A closed pipe is not an error: the exit status is that of the findings so far.
        assert_eq!(status.code(), Some(1), "{format}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("error"),
            "{format}: {err}"
        );
    }
}

/// Item 8: the run's own output files are never read as inputs, and an output that is a
/// named input is refused before anything is written.
#[cfg(unix)]
#[test]
fn output_files_are_never_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let call = "Customer: hi\nAgent: I'm sorry if you feel that way\n";
    write(d, "calls/a.txt", call);
    // `check calls -f line > calls/findings.txt`: the shell creates the file first.
    for _ in 0..2 {
        let out = std::fs::File::create(d.join("calls/findings.txt")).unwrap();
        let o = bin()
            .args(["check", "--no-config", "-f", "line", "calls"])
            .current_dir(d)
            .stdout(out)
            .output()
            .unwrap();
        assert_eq!(code(&o), 1, "{}", stderr(&o));
        assert_eq!(stderr(&o), "", "the findings file is not read");
        let written = std::fs::read_to_string(d.join("calls/findings.txt")).unwrap();
        assert!(
            written.lines().all(|l| l.starts_with("calls/a.txt:")),
            "{written}"
        );
    }
    std::fs::remove_file(d.join("calls/findings.txt")).unwrap();
    // `score calls --html calls/report.md`, run twice: the old report is not read.
    for _ in 0..2 {
        let o = run(
            d,
            &[
                "score",
                "--no-config",
                "-f",
                "json",
                "--html",
                "calls/report.md",
                "calls",
            ],
        );
        assert_ne!(code(&o), 2, "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["summary"]["files"], 1);
    }
    // Named inputs that are outputs are refused, and left alone.
    let o = run(
        d,
        &[
            "check",
            "--no-config",
            "calls/a.txt",
            "--html",
            "calls/a.txt",
        ],
    );
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o).trim(),
        "error: calls/a.txt is both an input and the output (--html calls/a.txt); write the output elsewhere"
    );
    let appended = std::fs::OpenOptions::new()
        .append(true)
        .open(d.join("calls/a.txt"))
        .unwrap();
    let o = bin()
        .args(["check", "--no-config", "-f", "line", "calls/a.txt"])
        .current_dir(d)
        .stdout(appended)
        .output()
        .unwrap();
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("(standard output)"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(d.join("calls/a.txt")).unwrap(),
        call
    );
}

/// Item 9, the smaller ones: lone-CR line ends, UTF-16, the front-matter `mode:` line, a huge
/// `last_turns`, and many distinct speaker labels (linear, with a bounded error line).
#[test]
fn smaller_input_problems() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let call = "Customer: hi\r\nAgent: I'm sorry if you feel that way\r\n";
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(call.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    write(d, "utf16.txt", &utf16);
    write(d, "utf16-nobom.txt", &utf16[2..]);
    write(d, "cr.txt", call.replace("\r\n", "\r"));
    write(
        d,
        "mode.txt",
        "---\nid: x\nagent: Sam\nmode: chat\n---\nAgent: hi\n",
    );
    let o = run(
        d,
        &[
            "check",
            "--no-config",
            "-f",
            "line",
            "cr.txt",
            "mode.txt",
            "utf16-nobom.txt",
            "utf16.txt",
        ],
    );
    assert_eq!(code(&o), 2);
    let out = stdout(&o);
    assert!(out.contains("cr.txt:2:12: error[non-apology]"), "{out}");
    assert!(out.contains("utf16.txt:2:12: error[non-apology]"), "{out}");
    let err = stderr(&o);
    assert!(
        err.contains("mode.txt:4: error: front matter `mode: chat`"),
        "{err}"
    );
    assert!(
        err.contains("utf16-nobom.txt: error: looks like UTF-16 without a byte-order mark"),
        "{err}"
    );

    write(d, "pack.yaml", "pack: w\nrules:\n  - id: close\n    kind: required\n    severity: warning\n    message: m\n    expect: { phrases: [bye] }\n    where: { last_turns: 18446744073709551615 }\n    examples: { flag: ['Agent: hello'], pass: ['Agent: bye'] }\n");
    write(d, "bye.txt", "Customer: hi\nAgent: hello\n");
    let o = run(
        d,
        &[
            "check",
            "--no-config",
            "--no-default-packs",
            "--rules",
            "pack.yaml",
            "-f",
            "line",
            "bye.txt",
        ],
    );
    assert_eq!(
        stdout(&o),
        "bye.txt:2:8: warning[close] m\n",
        "{}",
        stderr(&o)
    );

    // 200,000 distinct labels: no role can be told, one error of bounded length.
    let labels: String = (0..200_000).map(|i| format!("Spk{i}: hello\n")).collect();
    write(d, "labels.txt", labels);
    let o = run(d, &["check", "--no-config", "-f", "line", "labels.txt"]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.len() < 1000, "{} bytes", err.len());
    assert!(
        err.contains("`Spk0`, `Spk1`") && err.contains("`Spk9`, and 199990 more"),
        "{err}"
    );
}

/// Item 1 and 2 leftovers: a directive on every one of many lines stays linear (findings
/// were matched against every directive), and front matter over 1 MiB is that file's error.
#[test]
fn many_directives_and_huge_front_matter() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "pack.yaml", PACK);
    let n = 100_000;
    let mut text = String::from("Customer: hi thanks\n");
    for i in 0..n {
        let rule = if i % 2 == 0 { "feel" } else { "other-rule" };
        text.push_str(&format!("Agent: if you feel # tonecheck: ignore {rule}\n"));
    }
    write(d, "sup.txt", &text);
    let (_, v) = check_json(d, "sup.txt");
    assert_eq!(rule_counts(&v).get("feel"), Some(&(n / 2)));

    let fm = format!(
        "---\n{}---\nAgent: hi\nCustomer: yo\n",
        "k: v\n".repeat(300_000)
    );
    write(d, "fm.txt", fm);
    let o = run(d, &["check", "--no-config", "-f", "line", "fm.txt"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("fm.txt:209717: error: front matter is larger than the 1024 KiB limit"),
        "{}",
        stderr(&o)
    );
}
