//! `line`: one finding per line, `path:line:col: severity[rule] message` — for editors,
//! grep and pre-commit.
use std::io::{self, Write};

use super::escape::terminal;
use super::{stream, Render, Writer, WriterOptions};
use crate::batch::FileReport;

struct Line;

pub(super) fn make(out: Box<dyn Write>, _: WriterOptions) -> Box<dyn Writer> {
    stream(out, Line)
}

impl Render for Line {
    fn render(&self, r: &FileReport, out: &mut Vec<u8>) -> io::Result<()> {
        // A newline in a file name must not split a finding over two lines.
        let path = terminal(&r.path);
        for t in &r.transcripts {
            for f in &t.checked.findings {
                writeln!(
                    out,
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
}
