//! `jsonl`: one JSON object per transcript (the `json` document's transcript shape, with its
//! `score` when scoring), one per line, written as each file finishes in path order — the
//! streaming form for pipes and distributed job runners. Input errors go to stderr.
use std::io::{self, Write};

use super::{print_errors, transcript_records, RunSummary, Writer, WriterOptions};
use crate::batch::FileReport;

struct JsonLines {
    out: Box<dyn Write>,
}

pub(super) fn make(out: Box<dyn Write>, _: WriterOptions) -> Box<dyn Writer> {
    Box::new(JsonLines { out })
}

impl Writer for JsonLines {
    fn file(&mut self, r: &FileReport) -> io::Result<()> {
        print_errors(r);
        for rec in transcript_records(r) {
            serde_json::to_writer(&mut self.out, &rec)?;
            self.out.write_all(b"\n")?;
        }
        // Each file's lines leave at once, so a downstream reader sees results as they come.
        self.out.flush()
    }

    fn finish(&mut self, _: &RunSummary) -> io::Result<()> {
        self.out.flush()
    }
}
