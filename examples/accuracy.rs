//! Accuracy of the built-in packs on the hand-labelled real set (`corpora/real-labels/`,
//! guideline in `docs/labelling.md`): per-rule true/false/missed findings, precision, recall
//! and F1 on the dev half and the test half, and the pooled F1 of the eight core rules.
//!
//! Usage: cargo run --release --example accuracy [-- CORPUS_DIR]
//! CORPUS_DIR defaults to `../shared/corpora-real/conversations` beside the crate.
use std::path::PathBuf;
use std::process::ExitCode;
use tonecheck::engine::EngineBuilder;
use tonecheck::labels::{load_labels, score, Half};
use tonecheck::pack::PackSource;

fn main() -> ExitCode {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let corpus = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/corpora-real/conversations"));
    let labels = match load_labels(&root.join("corpora/real-labels/labels.yaml")) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let engine = match EngineBuilder::new()
        .packs(PackSource::all_builtin())
        .build()
    {
        Ok(e) => e,
        Err(errs) => {
            for e in errs {
                eprintln!("error: {e}");
            }
            return ExitCode::FAILURE;
        }
    };
    match score(&engine, &corpus, &labels) {
        Ok(s) => {
            println!("{}", s.table(Half::Dev));
            println!("{}", s.table(Half::Test));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
