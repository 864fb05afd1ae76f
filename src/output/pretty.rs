//! `pretty`: for people at a terminal — each finding with its source line, the match
//! underlined, and the rule's `why` and `fix`, like a compiler diagnostic.
use std::io::{self, Write};

use super::{print_errors, RunSummary, Writer, WriterOptions};
use crate::batch::FileReport;
use crate::finding::{Finding, Severity};

struct Pretty {
    out: Box<dyn Write>,
    color: bool,
}

pub(super) fn make(out: Box<dyn Write>, opts: WriterOptions) -> Box<dyn Writer> {
    Box::new(Pretty {
        out,
        color: opts.color,
    })
}

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const BLUE: &str = "\x1b[34m";
const DIM: &str = "\x1b[2m";

fn severity_color(s: Severity) -> &'static str {
    match s {
        Severity::Error => "\x1b[1;31m",
        Severity::Warning => "\x1b[1;33m",
        Severity::Info => "\x1b[1;36m",
        Severity::Kudos => "\x1b[1;32m",
    }
}

impl Pretty {
    fn paint<'a>(&self, code: &'a str) -> &'a str {
        if self.color {
            code
        } else {
            ""
        }
    }

    fn finding(
        &mut self,
        r: &FileReport,
        f: &Finding,
        turn_text: &str,
        speaker: &str,
    ) -> io::Result<()> {
        let (sev, bold, blue, dim, reset) = (
            self.paint(severity_color(f.severity)),
            self.paint(BOLD),
            self.paint(BLUE),
            self.paint(DIM),
            self.paint(RESET),
        );
        writeln!(
            self.out,
            "{sev}{}[{}]{reset}{bold}: {}{reset}",
            f.severity, f.rule.id, f.message
        )?;
        writeln!(
            self.out,
            "  {blue}-->{reset} {}:{}:{}",
            r.path, f.line, f.column
        )?;
        // The source line as written, or the turn rebuilt when the source is not at hand.
        let (src, col) = match r.source.as_deref().and_then(|s| s.lines().nth(f.line - 1)) {
            Some(l) => (l.replace('\t', " "), f.column),
            None => (
                format!("{speaker}: {turn_text}"),
                speaker.chars().count()
                    + 3
                    + turn_text[..f.start.min(turn_text.len())].chars().count(),
            ),
        };
        let gutter = f.line.to_string().len();
        let avail = src.chars().count().saturating_sub(col - 1).max(1);
        let width = f.matched.chars().count().clamp(1, avail);
        writeln!(self.out, "{blue}{:gutter$} |{reset}", "")?;
        writeln!(self.out, "{blue}{} |{reset} {}", f.line, src.trim_end())?;
        writeln!(
            self.out,
            "{blue}{:gutter$} |{reset} {}{sev}{}{reset}",
            "",
            " ".repeat(col - 1),
            "^".repeat(width)
        )?;
        if !f.rule.why.is_empty() {
            writeln!(
                self.out,
                "{blue}{:gutter$} = {reset}{bold}why{reset}: {}",
                "",
                one_line(&f.rule.why)
            )?;
        }
        if !f.rule.fix.is_empty() {
            writeln!(
                self.out,
                "{blue}{:gutter$} = {reset}{bold}fix{reset}: {}",
                "",
                one_line(&f.rule.fix)
            )?;
        }
        let _ = dim;
        writeln!(self.out)
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Writer for Pretty {
    fn wants_source(&self) -> bool {
        true
    }

    fn file(&mut self, r: &FileReport) -> io::Result<()> {
        print_errors(r);
        for t in &r.transcripts {
            for f in &t.checked.findings {
                let turn = &t.transcript.turns[f.turn];
                self.finding(r, f, &turn.text, &turn.speaker)?;
            }
        }
        Ok(())
    }

    fn finish(&mut self, s: &RunSummary) -> io::Result<()> {
        let bold = self.paint(BOLD);
        let reset = self.paint(RESET);
        let count = |sev: Severity| s.by_severity.get(&sev).copied().unwrap_or(0);
        let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        writeln!(
            self.out,
            "{bold}Checked {} in {}: {} ({}, {}, {} info, {} kudos){}.{reset}",
            plural(s.transcripts, "transcript"),
            plural(s.files, "file"),
            plural(s.findings, "finding"),
            plural(count(Severity::Error), "error"),
            plural(count(Severity::Warning), "warning"),
            count(Severity::Info),
            count(Severity::Kudos),
            if s.errors > 0 {
                format!("; {} could not be read", plural(s.errors, "input problem"))
            } else {
                String::new()
            },
        )?;
        self.out.flush()
    }
}
