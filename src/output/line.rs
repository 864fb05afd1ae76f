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
        // Pieces pushed one by one: the dense corpus writes a line for most turns, and
        // `writeln!` spent more instructions on its format machinery than on the bytes.
        for t in &r.transcripts {
            for f in &t.checked.findings {
                out.extend_from_slice(path.as_bytes());
                out.push(b':');
                push_number(out, f.line);
                out.push(b':');
                push_number(out, f.column);
                out.extend_from_slice(b": ");
                out.extend_from_slice(f.severity.as_str().as_bytes());
                out.push(b'[');
                out.extend_from_slice(terminal(&f.rule.id).as_bytes());
                out.extend_from_slice(b"] ");
                out.extend_from_slice(terminal(&f.message).as_bytes());
                out.push(b'\n');
            }
        }
        Ok(())
    }
}

/// `n` in decimal, as `{}` prints it.
fn push_number(out: &mut Vec<u8>, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
}

#[cfg(test)]
mod tests {
    use super::push_number;

    #[test]
    fn numbers_are_written_as_display_writes_them() {
        for n in [0, 1, 9, 10, 99, 100, 12_345, usize::MAX] {
            let mut out = Vec::new();
            push_number(&mut out, n);
            assert_eq!(out, n.to_string().as_bytes());
        }
    }
}
