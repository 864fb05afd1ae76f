//! `csv`: for spreadsheets. Scoring, one row per transcript — path, id, agent, score, pass,
//! autofail, one column per scorecard section, and counts per severity. Checking, one row
//! per finding with the JSON finding's fields. Input errors go to stderr.
use std::io::{self, Write};
use std::sync::Arc;

use super::escape::csv_cell;
use super::{stream, FindingRecord, Render, Writer, WriterOptions};
use crate::batch::FileReport;
use crate::finding::Severity;
use crate::score::Scorecard;

const SEVERITIES: [Severity; 4] = [
    Severity::Error,
    Severity::Warning,
    Severity::Info,
    Severity::Kudos,
];

const FINDING_COLUMNS: &[&str] = &[
    "path",
    "transcript",
    "rule",
    "pack",
    "category",
    "severity",
    "message",
    "turn",
    "speaker",
    "role",
    "line",
    "column",
    "start",
    "end",
    "time",
    "match",
    "why",
    "fix",
];

struct Csv {
    scorecard: Option<Arc<Scorecard>>,
}

pub(super) fn make(out: Box<dyn Write>, opts: WriterOptions) -> Box<dyn Writer> {
    stream(
        out,
        Csv {
            scorecard: opts.scorecard,
        },
    )
}

fn num(x: Option<f64>) -> String {
    x.map_or(String::new(), |x| format!("{x:.2}"))
}

/// Writes one row with every text cell neutralised against formula injection. Numbers are
/// tonecheck's own and written as they are.
fn write_row<W: Write>(out: &mut csv::Writer<W>, row: &[String]) -> io::Result<()> {
    out.write_record(row.iter().map(|c| csv_cell(c).into_owned()))
        .map_err(csv_error)
}

/// A CSV error as an I/O error, keeping the kind of an I/O failure (a closed pipe is a
/// `BrokenPipe`, which ends the run quietly).
fn csv_error(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

impl Render for Csv {
    fn begin(&self, out: &mut Vec<u8>) -> io::Result<()> {
        let row: Vec<String> = match &self.scorecard {
            Some(card) => ["path", "id", "agent", "score", "pass", "autofail"]
                .iter()
                .map(|s| s.to_string())
                .chain(card.sections.iter().map(|s| s.name.clone()))
                .chain(
                    ["errors", "warnings", "info", "kudos"]
                        .iter()
                        .map(|s| s.to_string()),
                )
                .collect(),
            None => FINDING_COLUMNS.iter().map(|s| s.to_string()).collect(),
        };
        let mut w = csv::Writer::from_writer(out);
        write_row(&mut w, &row)?;
        w.flush()
    }

    fn render(&self, r: &FileReport, out: &mut Vec<u8>) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(out);
        let res = self.rows(r, &mut w);
        w.flush().and(res)
    }
}

impl Csv {
    fn rows(&self, r: &FileReport, out: &mut csv::Writer<&mut Vec<u8>>) -> io::Result<()> {
        for t in &r.transcripts {
            match (&self.scorecard, &t.score) {
                (Some(_), Some(s)) => {
                    let mut row = vec![
                        r.path.clone(),
                        t.transcript.id.clone(),
                        t.transcript.metadata.agent.clone().unwrap_or_default(),
                        num(s.score),
                        s.pass.to_string(),
                        s.autofail.to_string(),
                    ];
                    row.extend(s.sections.iter().map(|x| num(x.score)));
                    for sev in SEVERITIES {
                        let n = t
                            .checked
                            .findings
                            .iter()
                            .filter(|f| f.severity == sev)
                            .count();
                        row.push(n.to_string());
                    }
                    write_row(out, &row)?;
                }
                _ => {
                    for f in &t.checked.findings {
                        let x = FindingRecord::new(&r.path, &t.transcript.id, f);
                        let row = [
                            x.path.to_string(),
                            x.transcript.to_string(),
                            x.rule.to_string(),
                            x.pack.to_string(),
                            x.category.to_string(),
                            x.severity.to_string(),
                            x.message.to_string(),
                            x.turn.to_string(),
                            x.speaker.to_string(),
                            x.role.as_str().to_string(),
                            x.line.to_string(),
                            x.column.to_string(),
                            x.start.to_string(),
                            x.end.to_string(),
                            x.time.map_or(String::new(), |t| t.to_string()),
                            x.matched.to_string(),
                            x.why.to_string(),
                            x.fix.to_string(),
                        ];
                        write_row(out, &row)?;
                    }
                }
            }
        }
        Ok(())
    }
}
