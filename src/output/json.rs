//! `json`: one document, `{"version":1,"transcripts":[…],"errors":[…],"summary":{…}}`.
//! Transcripts are written as they arrive, so memory stays flat on large batches.
use serde::Serialize;
use std::io::{self, Write};

use super::{transcript_records, RunSummary, Writer, WriterOptions};
use crate::batch::FileReport;
use crate::input::InputError;

struct Json {
    out: Box<dyn Write>,
    started: bool,
    any: bool,
    errors: Vec<ErrorRecord>,
}

#[derive(Serialize)]
struct ErrorRecord {
    path: String,
    line: Option<usize>,
    message: String,
}

impl From<&InputError> for ErrorRecord {
    fn from(e: &InputError) -> Self {
        ErrorRecord {
            path: e.path.clone(),
            line: e.line,
            message: e.message.clone(),
        }
    }
}

pub(super) fn make(out: Box<dyn Write>, _: WriterOptions) -> Box<dyn Writer> {
    Box::new(Json {
        out,
        started: false,
        any: false,
        errors: Vec::new(),
    })
}

impl Json {
    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            self.out.write_all(b"{\"version\":1,\"transcripts\":[")?;
        }
        Ok(())
    }
}

impl Writer for Json {
    fn file(&mut self, r: &FileReport) -> io::Result<()> {
        self.start()?;
        self.errors.extend(r.errors.iter().map(ErrorRecord::from));
        for rec in transcript_records(r) {
            if self.any {
                self.out.write_all(b",")?;
            }
            self.any = true;
            serde_json::to_writer(&mut self.out, &rec)?;
        }
        Ok(())
    }

    fn finish(&mut self, summary: &RunSummary) -> io::Result<()> {
        self.start()?;
        self.out.write_all(b"],\"errors\":")?;
        serde_json::to_writer(&mut self.out, &self.errors)?;
        self.out.write_all(b",\"summary\":")?;
        serde_json::to_writer(&mut self.out, summary)?;
        self.out.write_all(b"}\n")?;
        self.out.flush()
    }
}
