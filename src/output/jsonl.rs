//! `jsonl`: one JSON object per transcript (the `json` document's transcript shape, with its
//! `score` when scoring), one per line, written as each file finishes in path order — the
//! streaming form for pipes and distributed job runners. Input errors go to stderr. The last
//! line is `{"summary": …}`, the batch's mergeable counts (`tonecheck summarize` merges the
//! summary lines of shards), unless `--summary FILE` takes it or the run was interrupted.
//! Each line is written whole, so a reader never sees half a line.
use std::io::{self, Write};

use super::{print_errors, transcript_records, RunSummary, Writer, WriterOptions};
use crate::batch::FileReport;

struct JsonLines {
    out: Box<dyn Write>,
    summary_line: bool,
    line: Vec<u8>,
}

pub(super) fn make(out: Box<dyn Write>, opts: WriterOptions) -> Box<dyn Writer> {
    Box::new(JsonLines {
        out,
        summary_line: !opts.no_summary_line,
        line: Vec::new(),
    })
}

impl Writer for JsonLines {
    fn file(&mut self, r: &FileReport) -> io::Result<()> {
        print_errors(r);
        for rec in transcript_records(r) {
            self.line.clear();
            serde_json::to_writer(&mut self.line, &rec)?;
            self.line.push(b'\n');
            self.out.write_all(&self.line)?;
        }
        // Each file's lines leave at once, so a downstream reader sees results as they come.
        self.out.flush()
    }

    fn finish(&mut self, summary: &RunSummary) -> io::Result<()> {
        if self.summary_line && !summary.interrupted {
            self.out.write_all(&summary.summary_line())?;
        }
        self.out.flush()
    }
}

/// Writes only the summary line (`--summary FILE`).
struct SummaryOnly {
    out: Box<dyn Write>,
}

pub(super) fn summary_only(out: Box<dyn Write>) -> Box<dyn Writer> {
    Box::new(SummaryOnly { out })
}

impl Writer for SummaryOnly {
    fn file(&mut self, _: &FileReport) -> io::Result<()> {
        Ok(())
    }

    fn finish(&mut self, summary: &RunSummary) -> io::Result<()> {
        if !summary.interrupted {
            self.out.write_all(&summary.summary_line())?;
        }
        self.out.flush()
    }
}
