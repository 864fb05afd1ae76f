//! A real engine: a local Spark job (`local[2]`) pipes a JSON Lines corpus through
//! `tonecheck score -f jsonl -` with `RDD.pipe`, one process per partition, and
//! `tonecheck summarize` merges what the partitions printed into exactly the summary of
//! one run over the whole corpus.
//!
//! Needs Python with `pyspark` (PyPI) and Java 17+. The Python is `$TONECHECK_PYTHON`, else
//! `python3`. Without pyspark the test fails when CI=true (.ci/run installs it) and is
//! skipped with a note otherwise.
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_tonecheck");

fn python_with_pyspark() -> Option<String> {
    let python = std::env::var("TONECHECK_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&python)
        .args(["-c", "import pyspark"])
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        return Some(python);
    }
    let msg = format!("`{python}` cannot import pyspark; `pip install pyspark` (and Java 17)");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{msg} (required when CI=true)");
    }
    eprintln!("note: skipping the Spark test: {msg}");
    None
}

/// A deterministic corpus: `n` calls over agents, queues and days.
fn corpus(n: usize) -> String {
    const AGENT: &[&str] = &[
        "Thank you for calling, my name is Dana, how can I help?",
        "I'm sorry if you feel that way.",
        "I'm sorry, but our system doesn't allow that.",
        "I'm sorry we got that wrong, I'll fix it now.",
        "You'll have to call the other department.",
        "That sounds really frustrating.",
        "I'll call you back within twenty minutes.",
    ];
    const CUSTOMER: &[&str] = &[
        "My bill is wrong again.",
        "The parcel never arrived and I'm upset.",
        "Okay, thanks.",
    ];
    let mut x: u64 = 88_172_645_463_325_252;
    let mut next = |m: usize| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % m as u64) as usize
    };
    let mut out = String::new();
    for i in 0..n {
        let turns: Vec<serde_json::Value> = (0..2 + next(8))
            .map(|t| {
                let (who, pool) = if t % 2 == 0 {
                    ("Customer", CUSTOMER)
                } else {
                    ("Agent", AGENT)
                };
                serde_json::json!({"speaker": who, "text": pool[next(pool.len())]})
            })
            .collect();
        let agent = ["Ana", "Ben", "Cy"][next(3)];
        let queue = ["billing", "delivery"][next(2)];
        let date = format!("2026-10-{:02}", 1 + next(28));
        let meta = serde_json::json!({"agent": agent, "queue": queue, "date": date});
        out.push_str(
            &serde_json::json!({"id": format!("call-{i:04}"), "metadata": meta, "turns": turns})
                .to_string(),
        );
        out.push('\n');
    }
    out
}

fn summary_of(dir: &Path, args: &[&str], stdin: &Path) -> String {
    let o = Command::new(BIN)
        .current_dir(dir)
        .args(args)
        .stdin(std::fs::File::open(stdin).unwrap())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{o:?}");
    let out = String::from_utf8(o.stdout).unwrap();
    format!("{}\n", out.lines().last().unwrap())
}

#[test]
fn spark_pipe_partitions_merge_into_the_single_run_summary() {
    let Some(python) = python_with_pyspark() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let corpus_path = dir.path().join("calls.jsonl");
    std::fs::write(&corpus_path, corpus(400)).unwrap();
    let group = ["--group-by", "queue", "--group-by", "date:week"];
    let mut args = vec!["score", "--no-config", "-f", "jsonl"];
    args.extend(group);
    args.push("-");
    let want = summary_of(dir.path(), &args, &corpus_path);
    let job = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/spark/pipe_job.py");
    let o = Command::new(&python)
        .current_dir(dir.path())
        .arg(job)
        .arg(&corpus_path)
        .arg(BIN)
        .arg(dir.path().join("out"))
        .arg("4")
        .args(group)
        .output()
        .expect("run the Spark job");
    assert!(
        o.status.success(),
        "Spark job failed:\n{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let stats = String::from_utf8_lossy(&o.stdout);
    eprintln!("spark local[2]: {}", stats.trim());
    let mut parts: Vec<_> = std::fs::read_dir(dir.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("part-")
        })
        .collect();
    parts.sort();
    assert!(parts.len() >= 4, "{parts:?}");
    // Every partition ended on its own summary line.
    let summaries: usize = parts
        .iter()
        .map(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .lines()
                .filter(|l| l.starts_with("{\"summary\":"))
                .count()
        })
        .sum();
    assert_eq!(summaries, parts.len());
    let merged = Command::new(BIN)
        .arg("summarize")
        .args(&parts)
        .output()
        .unwrap();
    assert_eq!(merged.status.code(), Some(0), "{merged:?}");
    assert_eq!(String::from_utf8(merged.stdout).unwrap(), want);
}
