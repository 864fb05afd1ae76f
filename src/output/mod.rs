//! Output writers. Each format is one file implementing `Writer`; `REGISTRY` maps format
//! names to constructors. Writers only read reports — they never influence checking.
mod csv;
pub mod escape;
mod github;
mod html;
mod json;
mod jsonl;
mod line;
mod pretty;
mod sarif;
mod statistics;

use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::Arc;

use crate::batch::FileReport;
use crate::finding::{Finding, Severity};
use crate::score::{CallScore, ScoreSummary, Scorecard};
use crate::transcript::{Metadata, Role};

/// Totals over a run, accumulated as files stream through.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RunSummary {
    pub files: usize,
    pub transcripts: usize,
    pub findings: usize,
    pub errors: usize,
    pub by_severity: BTreeMap<Severity, usize>,
    pub by_rule: BTreeMap<String, usize>,
    /// Score figures, when the run scored its transcripts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<ScoreSummary>,
}

impl RunSummary {
    pub fn add(&mut self, r: &FileReport) {
        self.files += 1;
        self.errors += r.errors.len();
        for t in &r.transcripts {
            self.transcripts += 1;
            for f in &t.checked.findings {
                self.findings += 1;
                *self.by_severity.entry(f.severity).or_default() += 1;
                *self.by_rule.entry(f.rule.id.clone()).or_default() += 1;
            }
            if let Some(s) = &t.score {
                self.score.get_or_insert_with(ScoreSummary::default).add(
                    &t.transcript,
                    &t.checked,
                    s,
                );
            }
        }
    }

    /// The worst severity seen, if any finding was reported.
    pub fn worst(&self) -> Option<Severity> {
        self.by_severity.keys().next_back().copied()
    }
}

/// Settings every writer may use.
#[derive(Debug, Clone, Default)]
pub struct WriterOptions {
    pub color: bool,
    /// Findings only: no explanations, kudos or summary (`--quiet`).
    pub quiet: bool,
    /// A rule's why/fix under every finding instead of its first only (`--explain`).
    pub explain: bool,
    /// The scorecard in force when the run scores transcripts (`tonecheck score`); writers
    /// use it for layout known before the first transcript (CSV columns, report sections).
    pub scorecard: Option<Arc<Scorecard>>,
}

pub trait Writer {
    /// Called once per input file, in deterministic (path) order.
    fn file(&mut self, report: &FileReport) -> io::Result<()>;
    /// Called once at the end.
    fn finish(&mut self, summary: &RunSummary) -> io::Result<()>;
    /// Whether this writer prints source lines (so reports must keep the file text).
    fn wants_source(&self) -> bool {
        false
    }
}

type MakeFn = fn(Box<dyn Write>, WriterOptions) -> Box<dyn Writer>;

/// The formats of `--format`. A new format is one file plus one line here.
pub const REGISTRY: &[(&str, MakeFn)] = &[
    ("pretty", pretty::make),
    ("line", line::make),
    ("json", json::make),
    ("jsonl", jsonl::make),
    ("csv", csv::make),
    ("html", html::make),
    ("sarif", sarif::make),
    ("github", github::make),
];

pub fn names() -> Vec<&'static str> {
    REGISTRY.iter().map(|(n, _)| *n).collect()
}

/// `--statistics`: a count per rule instead of the findings.
pub fn make_statistics(out: Box<dyn Write>, opts: WriterOptions) -> Box<dyn Writer> {
    statistics::make(out, opts)
}

pub fn make(format: &str, out: Box<dyn Write>, opts: WriterOptions) -> Option<Box<dyn Writer>> {
    REGISTRY
        .iter()
        .find(|(n, _)| *n == format)
        .map(|(_, f)| f(out, opts))
}

/// A finding as every structured format shows it (DESIGN.md "JSON finding").
#[derive(Debug, Serialize)]
pub struct FindingRecord<'a> {
    pub path: &'a str,
    pub transcript: &'a str,
    pub rule: &'a str,
    pub pack: &'a str,
    pub category: &'a str,
    pub severity: Severity,
    pub message: &'a str,
    pub turn: usize,
    pub speaker: &'a str,
    pub role: Role,
    pub line: usize,
    pub column: usize,
    pub start: usize,
    pub end: usize,
    pub time: Option<f64>,
    #[serde(rename = "match")]
    pub matched: &'a str,
    pub why: &'a str,
    pub fix: &'a str,
}

impl<'a> FindingRecord<'a> {
    pub fn new(path: &'a str, transcript: &'a str, f: &'a Finding) -> FindingRecord<'a> {
        FindingRecord {
            path,
            transcript,
            rule: &f.rule.id,
            pack: &f.rule.pack,
            category: &f.rule.category,
            severity: f.severity,
            message: &f.message,
            turn: f.turn,
            speaker: &f.speaker,
            role: f.role,
            line: f.line,
            column: f.column,
            start: f.start,
            end: f.end,
            time: f.time,
            matched: &f.matched,
            why: &f.rule.why,
            fix: &f.rule.fix,
        }
    }
}

/// A transcript as the structured formats show it.
#[derive(Debug, Serialize)]
pub struct TranscriptRecord<'a> {
    pub path: &'a str,
    pub id: &'a str,
    pub metadata: &'a Metadata,
    pub findings: Vec<FindingRecord<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<&'a CallScore>,
    /// The file name's exact bytes, only when they are not UTF-8 (`path` escapes them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path_bytes: Option<&'a [u8]>,
}

pub fn transcript_records(r: &FileReport) -> Vec<TranscriptRecord<'_>> {
    r.transcripts
        .iter()
        .map(|t| TranscriptRecord {
            path: &r.path,
            id: &t.transcript.id,
            metadata: &t.transcript.metadata,
            findings: t
                .checked
                .findings
                .iter()
                .map(|f| FindingRecord::new(&r.path, &t.transcript.id, f))
                .collect(),
            score: t.score.as_ref(),
            path_bytes: r.path_bytes.as_deref(),
        })
        .collect()
}

/// Where a finding's match ends in the source: (line, column after its last character).
/// A finding with no span in the turn text (an unused suppression) ends with its `match`.
pub fn match_end(t: &crate::batch::TranscriptReport, f: &Finding) -> (usize, usize) {
    match t.transcript.turns.get(f.turn) {
        Some(turn) if f.end > f.start => {
            let (l, c) = turn.position(f.end);
            if l > f.line || (l == f.line && c > f.column) {
                return (l, c);
            }
            (f.line, f.column + f.matched.chars().count().max(1))
        }
        _ => (f.line, f.column + f.matched.chars().count().max(1)),
    }
}

/// Input errors go to standard error in the human formats, as `path:line: error: reason`,
/// with control characters from file names and contents escaped.
pub fn print_errors(r: &FileReport) {
    use escape::terminal;
    let mut err = io::stderr().lock();
    for e in &r.errors {
        let (path, message) = (terminal(&e.path), terminal(&e.message));
        let _ = match e.line {
            Some(l) => writeln!(err, "{path}:{l}: error: {message}"),
            None => writeln!(err, "{path}: error: {message}"),
        };
    }
}
