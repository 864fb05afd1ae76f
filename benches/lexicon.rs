//! Cost of the lexicon look-ups the rule compiler and the per-turn spelling normalisation make.
//! Run with `cargo bench --bench lexicon`. Before the divan table it prints the cost of the very
//! first look-up in the process (the embedded tables are not parsed or indexed at start-up, so
//! this is the page faults of about 15 binary-search probes, not a set-up step).
use std::hint::black_box;
use std::time::Instant;

use tonecheck::lexicon::{canonical_spelling, forms};

fn main() {
    let start = Instant::now();
    let first = forms(black_box("take"));
    let forms_first = start.elapsed();
    let start = Instant::now();
    let spelling = canonical_spelling(black_box("colour"));
    let spelling_first = start.elapsed();
    eprintln!(
        "first use in this process: forms(\"take\") {} ns ({} forms), canonical_spelling(\"colour\") {} ns ({spelling:?})",
        forms_first.as_nanos(),
        first.len(),
        spelling_first.as_nanos(),
    );
    divan::main();
}

/// An irregular verb near the middle of the table, a regular one, a British lemma and a miss.
#[divan::bench(args = ["be", "handle", "apologise", "zyxwv"])]
fn forms_of(lemma: &str) -> usize {
    forms(black_box(lemma)).len()
}

/// A hit, a canonical word (the common case when normalising a turn) and a miss.
#[divan::bench(args = ["cancelled", "canceled", "the", "zyxwv"])]
fn canonical_spelling_of(word: &str) -> Option<&'static str> {
    canonical_spelling(black_box(word))
}
