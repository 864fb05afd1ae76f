//! `tonecheck summarize FILES…`: merges what shards of a batch wrote (`score -f jsonl`
//! result lines, their `{"summary": …}` lines, `--summary` files or `json` documents) into
//! the summary one run over all of them gives, byte for byte. A file's summary lines win
//! over its result lines (they also count input errors); a file without one is summarised
//! from its result lines. Memory stays flat: only the summaries accumulate.
use serde::de::IgnoredAny;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::{BufRead, Read};

use super::args::SummarizeArgs;
use super::pipeline;
use super::{EXIT_CLEAN, EXIT_ERROR};
use crate::finding::Severity;
use crate::output::{self, RunSummary, WriterOptions};
use crate::score::CallScore;
use crate::transcript::Metadata;

/// Any line tonecheck's machine formats write: a result (`findings`, maybe `score`) or a
/// summary (`summary`, in a `jsonl` line or a `json` document).
#[derive(Deserialize)]
struct AnyLine {
    summary: Option<RunSummary>,
    #[serde(default)]
    metadata: BTreeMap<String, serde_json::Value>,
    findings: Option<Vec<FindingIn>>,
    score: Option<CallScore>,
    #[allow(dead_code)]
    id: Option<IgnoredAny>,
}

#[derive(Deserialize)]
struct FindingIn {
    rule: String,
    severity: Severity,
}

fn metadata(map: BTreeMap<String, serde_json::Value>) -> Metadata {
    let mut m = Metadata::default();
    for (k, v) in map {
        let v = match v {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        };
        match k.as_str() {
            "agent" => m.agent = Some(v),
            "customer" => m.customer = Some(v),
            "call_id" => m.call_id = Some(v),
            "date" => m.date = Some(v),
            "queue" => m.queue = Some(v),
            _ => {
                m.extra.insert(k, v);
            }
        }
    }
    m
}

/// One input's summary: from its summary lines if it has any, else from its result lines.
/// Problems are `line: reason`.
fn summarize_file(
    input: &mut dyn BufRead,
    group_by: &[String],
    problems: &mut Vec<(usize, String)>,
) -> Result<RunSummary, String> {
    let mut from_summaries: Option<RunSummary> = None;
    let mut from_results = RunSummary::grouped(group_by);
    let mut buf = Vec::new();
    let mut n = 0usize;
    loop {
        buf.clear();
        let limit = crate::input::MAX_FILE_BYTES + 1;
        match input.take(limit).read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => return Err(format!("cannot read: {e}")),
        }
        n += 1;
        if buf.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let line: AnyLine = match serde_json::from_slice(&buf) {
            Ok(l) => l,
            Err(e) => {
                problems.push((n, format!("not a tonecheck result or summary line: {e}")));
                continue;
            }
        };
        if let Some(s) = line.summary {
            let merged = from_summaries.get_or_insert_with(RunSummary::default);
            if let Err(e) = merged.merge(&s) {
                problems.push((n, e.to_string()));
            }
            continue;
        }
        let Some(findings) = line.findings else {
            problems.push((
                n,
                "not a tonecheck result or summary line (no `findings` or `summary`)".into(),
            ));
            continue;
        };
        from_results.transcripts += 1;
        for f in &findings {
            from_results.add_finding(&f.rule, f.severity);
        }
        if let Some(score) = &line.score {
            let meta = metadata(line.metadata);
            from_results.score_mut().add_call(
                &meta,
                findings.iter().map(|f| (f.rule.as_str(), f.severity)),
                score,
            );
        }
    }
    Ok(from_summaries.unwrap_or(from_results))
}

pub fn run(a: SummarizeArgs) -> u8 {
    let format = match pipeline::format(&Some(a.format.clone().unwrap_or_else(|| "jsonl".into()))) {
        Ok(f) => f,
        Err(code) => return code,
    };
    if !["jsonl", "json", "pretty"].contains(&format.as_str()) {
        eprintln!("error: summarize writes jsonl, json or pretty, not `{format}`");
        return EXIT_ERROR;
    }
    let mut total = RunSummary::grouped(&a.group_by);
    let mut failed = false;
    for path in &a.files {
        let shown = crate::input::walk::display(path);
        let mut input: Box<dyn BufRead> = if path.as_os_str() == "-" {
            Box::new(std::io::BufReader::new(std::io::stdin()))
        } else {
            match std::fs::File::open(path) {
                Ok(f) => Box::new(std::io::BufReader::with_capacity(1 << 16, f)),
                Err(e) => {
                    eprintln!("{shown}: error: cannot open: {e}");
                    failed = true;
                    continue;
                }
            }
        };
        let mut problems = Vec::new();
        match summarize_file(&mut input, &a.group_by, &mut problems) {
            Ok(s) => {
                if let Err(e) = total.merge(&s) {
                    eprintln!("{shown}: error: cannot merge: {e}");
                    failed = true;
                }
            }
            Err(e) => {
                eprintln!("{shown}: error: {e}");
                failed = true;
            }
        }
        for (line, message) in problems {
            let message = crate::output::escape::terminal(&message);
            eprintln!("{shown}:{line}: error: {message}");
            failed = true;
        }
    }
    let opts = WriterOptions {
        color: pipeline::use_color(a.color),
        ..Default::default()
    };
    let mut writers =
        vec![output::make(&format, pipeline::stdout(false), opts.clone())
            .expect("format checked above")];
    if let Some(path) = &a.html {
        match pipeline::html_writer(path, opts) {
            Ok(w) => writers.push(w),
            Err(code) => return code,
        }
    }
    for w in &mut writers {
        if let Err(e) = w.finish(&total) {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("error: cannot write output: {e}");
                return EXIT_ERROR;
            }
        }
    }
    if failed {
        EXIT_ERROR
    } else {
        EXIT_CLEAN
    }
}
