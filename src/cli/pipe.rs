//! Standard output for the commands that print text directly: a reader that goes away
//! (`tonecheck rules doc | head -1`) ends the output quietly instead of panicking as
//! `println!` does. Other write errors are reported once on stderr.
use std::io::{ErrorKind, Write};

/// Writes `text` to standard output and flushes it. A closed pipe is not an error.
pub fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    let result = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    if let Err(e) = result {
        if e.kind() != ErrorKind::BrokenPipe {
            eprintln!("error: cannot write output: {e}");
        }
    }
}
