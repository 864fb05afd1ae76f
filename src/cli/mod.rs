//! The command-line program: parse arguments, resolve settings, run a command, and map the
//! outcome to an exit code (0 clean, 1 findings at or above --fail-on, 2 usage/config/input).
pub mod args;
mod check;
mod pipe;
mod pipeline;
mod rules_cmd;
mod score;
pub mod settings;

use clap::Parser;
use std::process::ExitCode;

use crate::pack::PackError;
use args::{Cli, Command};

pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() {
                EXIT_ERROR
            } else {
                EXIT_CLEAN
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let code = match cli.command {
        Command::Check(a) => check::run(a),
        Command::Score(a) => score::run(a),
        Command::Rules(r) => rules_cmd::run(r),
        Command::Init { force } => init(force),
    };
    ExitCode::from(code)
}

/// Prints pack/config errors as `file:line:col: error: …` and returns exit code 2.
/// A message's later lines (a regex with its caret) follow on lines of their own.
pub fn report_pack_errors(errors: &[PackError]) -> u8 {
    for e in errors {
        let mut lines = e.message.lines();
        let first = lines.next().unwrap_or("");
        if e.line > 0 {
            eprintln!("{}:{}:{}: error: {first}", e.origin, e.line, e.column);
        } else {
            eprintln!("{}: error: {first}", e.origin);
        }
        for l in lines {
            let pad = if l.starts_with(' ') { "" } else { "    " };
            eprintln!("{pad}{l}");
        }
    }
    EXIT_ERROR
}

fn init(force: bool) -> u8 {
    let path = std::path::Path::new("tonecheck.yaml");
    if path.exists() && !force {
        eprintln!("tonecheck.yaml already exists; use --force to overwrite it");
        return EXIT_ERROR;
    }
    let packs: String = crate::pack::BUILTIN_PACKS
        .iter()
        .map(|(n, _)| format!("  - builtin:{n}\n"))
        .collect();
    let text = crate::pack::config::STARTER.replace("{packs}", &packs);
    match std::fs::write(path, text) {
        Ok(()) => {
            pipe::print("wrote tonecheck.yaml\n");
            EXIT_CLEAN
        }
        Err(e) => {
            eprintln!("cannot write tonecheck.yaml: {e}");
            EXIT_ERROR
        }
    }
}
