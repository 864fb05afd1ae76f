//! Running the real binary from an integration test: one way to start it (no colour, the
//! given folder, optional standard input) and one shape for what it printed.
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// What one run of `tonecheck` gave.
#[derive(Debug)]
pub struct Out {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `tonecheck ARGS` in `cwd` with `NO_COLOR`, feeding `stdin` when given (else none).
pub fn tonecheck(cwd: &Path, args: &[&str], stdin: Option<&[u8]>) -> Out {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tonecheck"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run tonecheck");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("piped")
            .write_all(input)
            .expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait for tonecheck");
    Out {
        code: out.status.code().expect("exit code"),
        stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
    }
}
