//! Prints the file names of the real conversations in the test half of the labelled set
//! (`tonecheck::labels::half_of`), one a line, sorted. Used to list the files for the second,
//! blind labeller (docs/labelling.md, "Inter-annotator agreement").
//!
//! `cargo run --release --example test_half [DIR]` (default `../shared/corpora-real/conversations`).
use tonecheck::labels::{half_of, Half};

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/corpora-real/conversations".to_string());
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".txt") && half_of(n) == Half::Test)
        .collect();
    names.sort();
    for n in names {
        println!("{n}");
    }
}
