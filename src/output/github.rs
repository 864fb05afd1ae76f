//! `github`: GitHub Actions workflow commands (`::error file=…,line=…::message`), so each
//! finding shows as an annotation on the pull request's diff. Values are escaped as the
//! Actions toolkit does: `%`, CR and LF in messages; also `:` and `,` in properties. Kudos
//! are left out: annotations are for what needs changing (and GitHub caps them per step).
use std::io::{self, Write};

use super::{stream, Render, Writer, WriterOptions};
use crate::batch::FileReport;
use crate::finding::Severity;

struct Github;

pub(super) fn make(out: Box<dyn Write>, _: WriterOptions) -> Box<dyn Writer> {
    stream(out, Github)
}

/// Escapes a command's message (the part after `::`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property value (`file=`, `title=`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Kudos => "notice",
    }
}

impl Render for Github {
    // Input errors are annotations too.
    fn errors_to_stderr(&self) -> bool {
        false
    }

    fn render(&self, r: &FileReport, out: &mut Vec<u8>) -> io::Result<()> {
        for e in &r.errors {
            let line = e.line.map_or(String::new(), |l| format!(",line={l}"));
            writeln!(
                out,
                "::error file={}{line},title={}::{}",
                escape_property(&e.path),
                escape_property("tonecheck: input error"),
                escape_data(&e.message)
            )?;
        }
        for t in &r.transcripts {
            for f in &t.checked.findings {
                if f.severity == Severity::Kudos {
                    continue;
                }
                let (end_line, end_col) = super::match_end(t, f);
                let mut message = f.message.clone();
                if !f.rule.fix.is_empty() {
                    message.push_str("\nSay instead: ");
                    message.push_str(&f.rule.fix.split_whitespace().collect::<Vec<_>>().join(" "));
                }
                // Columns only on one-line matches: GitHub ignores them across lines.
                let cols = if end_line == f.line {
                    format!(",col={},endColumn={end_col}", f.column)
                } else {
                    String::new()
                };
                writeln!(
                    out,
                    "::{} file={},line={},endLine={end_line}{cols},title={}::{}",
                    command(f.severity),
                    escape_property(&r.path),
                    f.line,
                    escape_property(&format!("{}[{}]", f.severity, f.rule.id)),
                    escape_data(&message)
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_actions_toolkit() {
        assert_eq!(escape_data("50% off\r\nnow"), "50%25 off%0D%0Anow");
        assert_eq!(escape_property("a:b,c%"), "a%3Ab%2Cc%25");
    }
}
