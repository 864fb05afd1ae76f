//! Batches past one machine: `score -f jsonl -` streams JSON Lines from standard input, its
//! last line is the batch summary, and `tonecheck summarize` merges the outputs of any split
//! of a corpus into exactly (byte for byte) the summary of one run over all of it. Also: a
//! closed pipe, a full disk and SIGINT end a stream cleanly, on a whole line.
use std::io::{Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_tonecheck");

const AGENT: &[&str] = &[
    "Thank you for calling, my name is Dana, how can I help?",
    "I'm sorry if you feel that way.",
    "I'm sorry, but our system doesn't allow that.",
    "That's not true, the bill was sent on time.",
    "I'm sorry we got that wrong, I'll fix it now.",
    "I'll call you back within twenty minutes.",
    "You'll have to call the other department.",
    "That sounds really frustrating.",
    "Thanks for your patience.",
];
const CUSTOMER: &[&str] = &[
    "My bill is wrong again.",
    "The parcel never arrived and I'm upset.",
    "Okay, thanks.",
    "This is ridiculous, I've waited an hour.",
];

/// A deterministic JSONL corpus of `n` calls over several agents, queues and days, with
/// one malformed line and one line whose roles cannot be told apart.
fn corpus(n: usize) -> String {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |m: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % m as u64) as usize
    };
    let mut out = String::new();
    for i in 0..n {
        if i == 7 {
            out.push_str("{\"id\": \"broken\", \"turns\": [\n");
            continue;
        }
        if i == 11 {
            out.push_str("{\"id\":\"mono\",\"turns\":[{\"speaker\":\"spk_0\",\"text\":\"hello\"},{\"speaker\":\"spk_1\",\"text\":\"hi\"}]}\n");
            continue;
        }
        let turns: Vec<serde_json::Value> = (0..2 + next(6))
            .map(|t| {
                let (who, pool) = if t % 2 == 0 {
                    ("Customer", CUSTOMER)
                } else {
                    ("Agent", AGENT)
                };
                serde_json::json!({"speaker": who, "text": pool[next(pool.len())]})
            })
            .collect();
        let agent = ["Ana", "Ben", "Cy", "Dee"][next(4)];
        let queue = ["billing", "delivery", "repairs"][next(3)];
        let date = format!("2026-10-{:02}", 1 + next(20));
        let mut meta = serde_json::json!({"agent": agent, "queue": queue, "date": date});
        if i % 5 != 0 {
            meta["team"] = serde_json::json!(["north", "south"][next(2)]);
        }
        let rec =
            serde_json::json!({"id": format!("call-{i:03}"), "metadata": meta, "turns": turns});
        out.push_str(&rec.to_string());
        out.push('\n');
    }
    out
}

fn run(args: &[&str], stdin: &[u8], dir: &Path) -> Output {
    let mut child = Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tonecheck");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait");
    feeder.join().expect("feeder");
    out
}

const SCORE: &[&str] = &[
    "score",
    "--no-config",
    "-f",
    "jsonl",
    "--group-by",
    "queue",
    "--group-by",
    "team",
    "--group-by",
    "date:week",
];

fn score(stdin: &str, threads: &str, dir: &Path) -> Output {
    let mut args = SCORE.to_vec();
    args.extend(["-j", threads, "-"]);
    run(&args, stdin.as_bytes(), dir)
}

fn text(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 output")
}

#[test]
fn stdin_streams_one_line_per_transcript_in_order_then_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(60);
    let one = score(&input, "1", dir.path());
    let four = score(&input, "4", dir.path());
    assert_eq!(one.status.code(), Some(2), "two lines are input errors");
    assert_eq!(
        one.stdout, four.stdout,
        "same bytes whatever the thread count"
    );
    let out = text(&one);
    let lines: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("every line is whole JSON"))
        .collect();
    let (summary, results) = lines.split_last().unwrap();
    // Input order, skipping the two bad lines.
    let ids: Vec<&str> = results.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let want: Vec<String> = (0..60)
        .filter(|i| *i != 7 && *i != 11)
        .map(|i| format!("call-{i:03}"))
        .collect();
    assert_eq!(ids, want);
    assert!(results.iter().all(|r| r["score"]["score"].is_number()));
    let s = &summary["summary"];
    assert_eq!(s["transcripts"], 58);
    assert_eq!(s["errors"], 2);
    assert_eq!(s["score"]["scored"], 58);
    assert_eq!(
        s["score"]["group_by"],
        serde_json::json!(["queue", "team", "date:week"])
    );
    let teams: Vec<&str> = s["score"]["groups"]["team"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["value"].as_str().unwrap())
        .collect();
    assert_eq!(teams, ["(none)", "north", "south"]);
    let weeks = s["score"]["groups"]["date:week"].as_array().unwrap();
    assert!(weeks
        .iter()
        .all(|w| w["value"].as_str().unwrap().starts_with("2026-W4")));
    // The errors name stdin and the line.
    let err = String::from_utf8_lossy(&one.stderr);
    assert!(err.contains("-:8: error: invalid JSON at line 8"), "{err}");
    assert!(err.contains("-:12: error:"), "{err}");
    // The same transcripts read as a file give the same result lines.
    std::fs::write(dir.path().join("calls.jsonl"), &input).unwrap();
    let mut args = SCORE.to_vec();
    args.push("calls.jsonl");
    let file = run(&args, b"", dir.path());
    let from_file = text(&file);
    let strip = |s: &str| {
        s.replace("\"path\":\"calls.jsonl\"", "\"path\":\"-\"")
            .replace("calls:", "-:")
    };
    assert_eq!(
        strip(&from_file).lines().count(),
        out.lines().count(),
        "{from_file}"
    );
    for (a, b) in strip(&from_file).lines().zip(out.lines()) {
        assert_eq!(a, b);
    }
    // `--summary FILE` takes the summary line.
    let mut args = SCORE.to_vec();
    args.extend(["--summary", "sum.json", "-"]);
    let o = run(&args, input.as_bytes(), dir.path());
    assert_eq!(text(&o).lines().count(), 58);
    let sum = std::fs::read_to_string(dir.path().join("sum.json")).unwrap();
    assert_eq!(sum, format!("{}\n", out.lines().last().unwrap()));
}

/// Splits `lines` into `k` shards: contiguous, round-robin, or by a hash of the line.
fn split(lines: &[&str], k: usize, how: usize) -> Vec<String> {
    let mut shards = vec![String::new(); k];
    let per = lines.len().div_ceil(k);
    for (i, l) in lines.iter().enumerate() {
        let s = match how {
            0 => i / per,
            1 => i % k,
            _ => {
                l.bytes()
                    .fold(7usize, |h, b| h.wrapping_mul(31).wrapping_add(b as usize))
                    % k
            }
        };
        shards[s].push_str(l);
        shards[s].push('\n');
    }
    shards
}

#[test]
fn summarize_merges_any_split_into_the_single_run_summary_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(90);
    let whole = score(&input, "2", dir.path());
    let whole_out = text(&whole);
    let want = format!("{}\n", whole_out.lines().last().unwrap());
    assert!(want.starts_with("{\"summary\":"));
    let lines: Vec<&str> = input.lines().collect();
    for k in [1, 2, 3, 5] {
        for how in 0..3 {
            let shards = split(&lines, k, how);
            let mut files = Vec::new();
            let mut results_only = Vec::new();
            for (i, shard) in shards.iter().enumerate() {
                let o = score(shard, "2", dir.path());
                let name = format!("shard-{k}-{how}-{i}.jsonl");
                std::fs::write(dir.path().join(&name), &o.stdout).unwrap();
                files.push(name);
                // The same shard's result lines without their summary line.
                let body: String = text(&o)
                    .lines()
                    .filter(|l| !l.starts_with("{\"summary\":"))
                    .map(|l| format!("{l}\n"))
                    .collect();
                let name = format!("results-{k}-{how}-{i}.jsonl");
                std::fs::write(dir.path().join(&name), body).unwrap();
                results_only.push(name);
            }
            let mut args = vec!["summarize"];
            args.extend(files.iter().map(String::as_str));
            let merged = run(&args, b"", dir.path());
            assert_eq!(merged.status.code(), Some(0), "{merged:?}");
            assert_eq!(text(&merged), want, "k={k} split={how}");
            // From result lines alone the figures are the same, but the input errors
            // (which only the summary lines count) are not known.
            let mut args = vec![
                "summarize",
                "--group-by",
                "queue",
                "--group-by",
                "team",
                "--group-by",
                "date:week",
            ];
            args.extend(results_only.iter().map(String::as_str));
            let rebuilt = run(&args, b"", dir.path());
            assert_eq!(rebuilt.status.code(), Some(0), "{rebuilt:?}");
            assert_eq!(
                text(&rebuilt),
                want.replace("\"errors\":2", "\"errors\":0"),
                "k={k} split={how}"
            );
        }
    }
    // A summary line read from standard input merges too; mixed groupings are refused.
    let piped = run(&["summarize", "-"], want.as_bytes(), dir.path());
    assert_eq!(text(&piped), want);
    let plain = run(
        &["score", "--no-config", "-f", "jsonl", "-"],
        input.as_bytes(),
        dir.path(),
    );
    std::fs::write(dir.path().join("plain.jsonl"), &plain.stdout).unwrap();
    std::fs::write(dir.path().join("grouped.jsonl"), &want).unwrap();
    let mixed = run(
        &["summarize", "grouped.jsonl", "plain.jsonl"],
        b"",
        dir.path(),
    );
    assert_eq!(mixed.status.code(), Some(2));
    let err = String::from_utf8_lossy(&mixed.stderr);
    assert!(
        err.contains("plain.jsonl") && err.contains("--group-by"),
        "{err}"
    );
    // A line that is neither is reported with its place.
    std::fs::write(dir.path().join("junk.jsonl"), "{\"x\":1}\nnot json\n").unwrap();
    let junk = run(&["summarize", "junk.jsonl"], b"", dir.path());
    assert_eq!(junk.status.code(), Some(2));
    let err = String::from_utf8_lossy(&junk.stderr);
    assert!(
        err.contains("junk.jsonl:1: error:") && err.contains("junk.jsonl:2: error:"),
        "{err}"
    );
}

#[test]
fn group_by_reaches_the_json_document_and_pretty_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(30);
    let o = run(
        &[
            "score",
            "--no-config",
            "-f",
            "json",
            "--group-by",
            "queue",
            "-",
        ],
        input.as_bytes(),
        dir.path(),
    );
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let queues = doc["summary"]["score"]["groups"]["queue"]
        .as_array()
        .unwrap();
    let calls: u64 = queues.iter().map(|q| q["calls"].as_u64().unwrap()).sum();
    assert_eq!(calls, doc["summary"]["score"]["scored"].as_u64().unwrap());
    let o = run(
        &[
            "score",
            "--no-config",
            "-f",
            "pretty",
            "--color",
            "never",
            "--group-by",
            "queue",
            "-",
        ],
        input.as_bytes(),
        dir.path(),
    );
    let out = text(&o);
    assert!(out.contains("By queue"), "{out}");
    for q in ["billing", "delivery", "repairs"] {
        assert!(out.contains(q), "{out}");
    }
    let bad = run(&["score", "--group-by", "date:year", "-"], b"", dir.path());
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn a_full_disk_and_a_closed_pipe_end_the_stream_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(200);
    if Path::new("/dev/full").exists() {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let mut child = Command::new(BIN)
            .args(["score", "--no-config", "-f", "jsonl", "-"])
            .stdin(Stdio::piped())
            .stdout(full)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let data = input.clone();
        let feeder = std::thread::spawn(move || {
            let _ = stdin.write_all(data.as_bytes());
        });
        let o = child.wait_with_output().unwrap();
        feeder.join().unwrap();
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("No space left on device"), "{err}");
    }
    // A reader that takes one line and leaves: no error, no hang.
    let mut child = Command::new(BIN)
        .current_dir(dir.path())
        .args(["score", "--no-config", "-f", "jsonl", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let data = input.repeat(20);
    let feeder = std::thread::spawn(move || {
        let _ = stdin.write_all(data.as_bytes());
    });
    let mut first = [0u8; 1];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );
}

#[test]
fn sigint_mid_stream_ends_on_a_whole_line_without_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let input = corpus(40);
    let mut child = Command::new(BIN)
        .current_dir(dir.path())
        .args(["score", "--no-config", "-f", "jsonl", "-j", "2", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // Half the lines, then wait for their results, interrupt, and keep the pipe open
    // (as a terminal would be).
    let half: String = input.lines().take(20).map(|l| format!("{l}\n")).collect();
    stdin.write_all(half.as_bytes()).unwrap();
    stdin.flush().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    // 18 results (two of the first 20 lines are bad).
    while got.iter().filter(|b| **b == b'\n').count() < 18 {
        let n = stdout.read(&mut buf).unwrap();
        assert!(n > 0, "output ended early");
        got.extend_from_slice(&buf[..n]);
    }
    let pid = child.id() as i32;
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    stdout.read_to_end(&mut got).unwrap();
    let o = child.wait_with_output().unwrap();
    drop(stdin);
    assert_eq!(o.status.code(), Some(130), "{o:?}");
    let out = String::from_utf8(got).unwrap();
    assert!(out.ends_with('\n'), "no partial line");
    assert_eq!(out.lines().count(), 18);
    assert!(out
        .lines()
        .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()));
    assert!(
        !out.contains("\"summary\""),
        "an interrupted batch has no summary line"
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("interrupted"), "{err}");
}
