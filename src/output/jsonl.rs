//! `jsonl`: one JSON object per transcript (the `json` document's transcript shape, with its
//! `score` when scoring), one per line, written as each file finishes in path order — the
//! streaming form for pipes and distributed job runners. Input errors go to stderr. The last
//! line is `{"summary": …}`, the batch's mergeable counts (`tonecheck summarize` merges the
//! summary lines of shards), unless `--summary FILE` takes it or the run was interrupted.
//! Each line is written whole, so a reader never sees half a line.
use std::io::{self, Write};

use super::{stream, transcript_records, Render, RunSummary, Writer, WriterOptions};
use crate::batch::FileReport;

struct JsonLines {
    summary_line: bool,
}

pub(super) fn make(out: Box<dyn Write>, opts: WriterOptions) -> Box<dyn Writer> {
    stream(
        out,
        JsonLines {
            summary_line: !opts.no_summary_line,
        },
    )
}

impl Render for JsonLines {
    fn render(&self, r: &FileReport, out: &mut Vec<u8>) -> io::Result<()> {
        for rec in transcript_records(r) {
            let start = out.len();
            if let Err(e) = serde_json::to_writer(&mut *out, &rec) {
                // Only whole lines are written.
                out.truncate(start);
                return Err(e.into());
            }
            out.push(b'\n');
        }
        Ok(())
    }

    // Each file's lines leave at once, so a downstream reader sees results as they come.
    fn flush_each_file(&self) -> bool {
        true
    }

    fn finish(&self, summary: &RunSummary, out: &mut dyn Write) -> io::Result<()> {
        if self.summary_line && !summary.interrupted {
            out.write_all(&summary.summary_line())?;
        }
        Ok(())
    }
}

/// Writes only the summary line (`--summary FILE`).
struct SummaryOnly;

pub(super) fn summary_only(out: Box<dyn Write>) -> Box<dyn Writer> {
    stream(out, SummaryOnly)
}

impl Render for SummaryOnly {
    fn render(&self, _: &FileReport, _: &mut Vec<u8>) -> io::Result<()> {
        Ok(())
    }

    fn errors_to_stderr(&self) -> bool {
        false
    }

    fn finish(&self, summary: &RunSummary, out: &mut dyn Write) -> io::Result<()> {
        if !summary.interrupted {
            out.write_all(&summary.summary_line())?;
        }
        Ok(())
    }
}
