//! `line`: one finding per line, `path:line:col: severity[rule] message` — for editors,
//! grep and pre-commit.
use std::io::{self, Write};

use super::escape::terminal;
use super::{print_errors, RunSummary, Writer, WriterOptions};
use crate::batch::FileReport;

struct Line {
    out: Box<dyn Write>,
}

pub(super) fn make(out: Box<dyn Write>, _: WriterOptions) -> Box<dyn Writer> {
    Box::new(Line { out })
}

impl Writer for Line {
    fn file(&mut self, r: &FileReport) -> io::Result<()> {
        print_errors(r);
        // A newline in a file name must not split a finding over two lines.
        let path = terminal(&r.path);
        for t in &r.transcripts {
            for f in &t.checked.findings {
                writeln!(
                    self.out,
                    "{}:{}:{}: {}[{}] {}",
                    path,
                    f.line,
                    f.column,
                    f.severity,
                    terminal(&f.rule.id),
                    terminal(&f.message)
                )?;
            }
        }
        Ok(())
    }

    fn finish(&mut self, _: &RunSummary) -> io::Result<()> {
        self.out.flush()
    }
}
