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

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::Arc;

use crate::batch::FileReport;
use crate::finding::{Finding, RuleInfo, Severity};
use crate::input::InputError;
use crate::score::{CallScore, MergeError, ScoreSummary, Scorecard};
use crate::transcript::{Metadata, Role};

/// Totals over a run, accumulated as files stream through. Every figure is a count, so the
/// summaries of shards merge (`merge`) into exactly the summary of one run over all of them.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RunSummary {
    #[serde(default)]
    pub files: usize,
    pub transcripts: usize,
    pub findings: usize,
    pub errors: usize,
    pub by_severity: BTreeMap<Severity, usize>,
    pub by_rule: BTreeMap<String, usize>,
    /// Score figures, when the run scored its transcripts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<ScoreSummary>,
    /// The `--group-by` keys the score figures are also totalled by.
    #[serde(skip)]
    pub group_by: Vec<String>,
    /// True when the run was interrupted (SIGINT) before its input ended.
    #[serde(skip)]
    pub interrupted: bool,
}

/// The summary as `jsonl` writes it on its last line and `tonecheck summarize` reads and
/// writes it: everything but `files`, which means nothing once a batch is split into shards.
#[derive(Serialize)]
struct MergeableSummary<'a> {
    transcripts: usize,
    findings: usize,
    errors: usize,
    by_severity: &'a BTreeMap<Severity, usize>,
    by_rule: &'a BTreeMap<String, usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<&'a ScoreSummary>,
}

impl RunSummary {
    /// An empty summary whose score figures are also totalled by `group_by`'s keys.
    pub fn grouped(group_by: &[String]) -> RunSummary {
        RunSummary {
            group_by: group_by.to_vec(),
            ..Default::default()
        }
    }

    pub fn add(&mut self, r: &FileReport) {
        self.files += 1;
        self.errors += r.errors.len();
        for t in &r.transcripts {
            self.transcripts += 1;
            for f in &t.checked.findings {
                self.add_finding(&f.rule.id, f.severity);
            }
            if let Some(s) = &t.score {
                self.score_mut().add(&t.transcript, &t.checked, s);
            }
        }
    }

    /// Adds a file as `add` does, from its tally.
    pub fn add_tally(&mut self, t: &Tally) {
        self.files += 1;
        self.errors += t.errors;
        self.transcripts += t.transcripts;
        for (rule, severity, n) in &t.findings {
            self.add_findings(&rule.id, *severity, *n);
        }
    }

    pub fn add_finding(&mut self, rule: &str, severity: Severity) {
        self.add_findings(rule, severity, 1);
    }

    fn add_findings(&mut self, rule: &str, severity: Severity, n: usize) {
        self.findings += n;
        *self.by_severity.entry(severity).or_default() += n;
        match self.by_rule.get_mut(rule) {
            Some(count) => *count += n,
            None => {
                self.by_rule.insert(rule.to_string(), n);
            }
        }
    }

    /// The score figures, created (with this run's grouping) on first use.
    pub fn score_mut(&mut self) -> &mut ScoreSummary {
        let group_by = &self.group_by;
        self.score
            .get_or_insert_with(|| ScoreSummary::grouped(group_by))
    }

    /// Adds another shard's summary.
    pub fn merge(&mut self, o: &RunSummary) -> Result<(), MergeError> {
        if let Some(theirs) = &o.score {
            match &mut self.score {
                Some(mine) => mine.merge(theirs)?,
                None => {
                    let mut mine = ScoreSummary::grouped(&self.group_by);
                    mine.merge(theirs)?;
                    self.score = Some(mine);
                }
            }
        }
        self.files += o.files;
        self.transcripts += o.transcripts;
        self.findings += o.findings;
        self.errors += o.errors;
        for (k, v) in &o.by_severity {
            *self.by_severity.entry(*k).or_default() += v;
        }
        for (k, v) in &o.by_rule {
            *self.by_rule.entry(k.clone()).or_default() += v;
        }
        Ok(())
    }

    /// The `{"summary": …}` line: the same bytes for one run and for its shards merged.
    pub fn summary_line(&self) -> Vec<u8> {
        #[derive(Serialize)]
        struct Line<'a> {
            summary: MergeableSummary<'a>,
        }
        let line = Line {
            summary: MergeableSummary {
                transcripts: self.transcripts,
                findings: self.findings,
                errors: self.errors,
                by_severity: &self.by_severity,
                by_rule: &self.by_rule,
                score: self.score.as_ref(),
            },
        };
        let mut v = serde_json::to_vec(&line).expect("a summary always serialises");
        v.push(b'\n');
        v
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
    /// `jsonl` leaves out its summary line (`--summary FILE` takes it instead).
    pub no_summary_line: bool,
    /// `--html-dir DIR`: the HTML report also writes one page per call there.
    pub html_dir: Option<std::path::PathBuf>,
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
    /// A streaming format's renderer (see `Render`): the batch's workers may run it on each
    /// report and hand this writer the bytes through `rendered` instead of the report
    /// through `file`. `None` for formats that need more than one report at a time.
    fn renderer(&self) -> Option<Arc<dyn Render>> {
        None
    }
    /// Writes what this writer's renderer made of the next file, as `file` would have
    /// written that file: `errors` are the file's input errors, `bytes` the rendering.
    /// Called only on writers that have a renderer.
    fn rendered(&mut self, errors: &[InputError], bytes: &[u8]) -> io::Result<()> {
        let _ = (errors, bytes);
        unreachable!("only a writer with a renderer is handed rendered bytes")
    }
}

/// How a streaming format turns one file's report into its output. It sees nothing but
/// that report (and the options it was made with), so the batch's workers run it, each
/// into its own buffer, and the writer thread only writes the buffers in path order (as
/// ripgrep's printers do): the output is the same bytes as when the writer renders each
/// report itself, whatever the thread count. A streaming format is one `Render` and
/// `stream(out, render)` in its file.
pub trait Render: Send + Sync {
    /// Appends the file's output to `out`. On an error, what was appended is written and the
    /// run stops there.
    fn render(&self, r: &FileReport, out: &mut Vec<u8>) -> io::Result<()>;
    /// Written once, before the first file's bytes (or at the end if no file came): a header.
    fn begin(&self, _out: &mut Vec<u8>) -> io::Result<()> {
        Ok(())
    }
    /// Written once at the end, before the output is flushed.
    fn finish(&self, _summary: &RunSummary, _out: &mut dyn Write) -> io::Result<()> {
        Ok(())
    }
    /// Whether input errors go to standard error (`print_errors`); otherwise `render`
    /// shows them in the output.
    fn errors_to_stderr(&self) -> bool {
        true
    }
    /// Whether each file's output is flushed as soon as it is written, so a reader at the
    /// other end of a pipe sees results as they come.
    fn flush_each_file(&self) -> bool {
        false
    }
}

/// The writer of a streaming format: it renders a report itself when it is handed one
/// (`file`), or writes what a worker rendered (`rendered`), the same bytes either way.
struct Stream {
    out: Box<dyn Write>,
    render: Arc<dyn Render>,
    begun: bool,
    buf: Vec<u8>,
}

/// The writer of a streaming format rendered by `render`.
pub fn stream(out: Box<dyn Write>, render: impl Render + 'static) -> Box<dyn Writer> {
    Box::new(Stream {
        out,
        render: Arc::new(render),
        begun: false,
        buf: Vec::new(),
    })
}

impl Stream {
    fn begin(&mut self) -> io::Result<()> {
        if !self.begun {
            self.begun = true;
            let mut head = Vec::new();
            let res = self.render.begin(&mut head);
            self.out.write_all(&head)?;
            res?;
        }
        Ok(())
    }
}

impl Writer for Stream {
    fn file(&mut self, r: &FileReport) -> io::Result<()> {
        let mut buf = std::mem::take(&mut self.buf);
        buf.clear();
        let res = self.render.render(r, &mut buf);
        let written = self.rendered(&r.errors, &buf);
        self.buf = buf;
        written.and(res)
    }

    fn rendered(&mut self, errors: &[InputError], bytes: &[u8]) -> io::Result<()> {
        if self.render.errors_to_stderr() {
            print_input_errors(errors);
        }
        self.begin()?;
        self.out.write_all(bytes)?;
        if self.render.flush_each_file() {
            self.out.flush()?;
        }
        Ok(())
    }

    fn renderer(&self) -> Option<Arc<dyn Render>> {
        Some(self.render.clone())
    }

    fn finish(&mut self, summary: &RunSummary) -> io::Result<()> {
        self.begin()?;
        self.render.finish(summary, &mut self.out)?;
        self.out.flush()
    }
}

/// What one file adds to a run's summary (`RunSummary::add_tally`), counted on the worker
/// that checked it so that the report can be freed there. Files with a score are
/// summarised from the report itself (`RunSummary::add`).
#[derive(Debug, Default)]
pub struct Tally {
    errors: usize,
    transcripts: usize,
    /// Findings per rule and severity.
    findings: Vec<(Arc<RuleInfo>, Severity, usize)>,
}

impl Tally {
    pub fn of(r: &FileReport) -> Tally {
        let mut tally = Tally {
            errors: r.errors.len(),
            transcripts: r.transcripts.len(),
            findings: Vec::new(),
        };
        for t in &r.transcripts {
            debug_assert!(t.score.is_none(), "a scored file is summarised by `add`");
            for f in &t.checked.findings {
                match tally
                    .findings
                    .iter_mut()
                    .find(|(rule, s, _)| Arc::ptr_eq(rule, &f.rule) && *s == f.severity)
                {
                    Some((_, _, n)) => *n += 1,
                    None => tally.findings.push((f.rule.clone(), f.severity, 1)),
                }
            }
        }
        tally
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

/// The writer of `--summary FILE`: only the summary line, at the end of a complete run.
pub fn summary_writer(out: Box<dyn Write>) -> Box<dyn Writer> {
    jsonl::summary_only(out)
}

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
    print_input_errors(&r.errors);
}

/// `print_errors` of a file's errors.
pub fn print_input_errors(errors: &[InputError]) {
    use escape::terminal;
    if errors.is_empty() {
        return;
    }
    let mut err = io::stderr().lock();
    for e in errors {
        let (path, message) = (terminal(&e.path), terminal(&e.message));
        let _ = match e.line {
            Some(l) => writeln!(err, "{path}:{l}: error: {message}"),
            None => writeln!(err, "{path}: error: {message}"),
        };
    }
}
