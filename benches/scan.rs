//! Engine throughput in bytes per second, on an in-memory corpus built by the same generator
//! as `benches/throughput.sh` (no disk, no output): the reader, the scan + rules, and both.
//! Run with `cargo bench --bench scan`.
use divan::counter::BytesCount;
use divan::Bencher;

use tonecheck::engine::{Engine, EngineBuilder};
use tonecheck::input::{read_bytes, ReadOptions};
use tonecheck::pack::PackSource;
use tonecheck::transcript::Transcript;

#[allow(dead_code)]
#[path = "../examples/gen_corpus.rs"]
mod gen_corpus;

/// About 8 MB of calls: big enough to leave the CPU caches, small enough to build quickly.
const CALLS: usize = 1_200;

fn corpus() -> Vec<String> {
    let mut rng = gen_corpus::Rng(42);
    (0..CALLS)
        .map(|n| {
            let mut s = String::new();
            gen_corpus::call(&mut rng, n, &mut s);
            s
        })
        .collect()
}

fn engine() -> Engine {
    // Examples are the test suite's business; the bench measures scanning only.
    EngineBuilder::new()
        .packs(PackSource::all_builtin())
        .check_examples(false)
        .build()
        .expect("built-in packs compile")
}

fn bytes(files: &[String]) -> usize {
    files.iter().map(String::len).sum()
}

fn parse(files: &[String]) -> Vec<Transcript> {
    let opts = ReadOptions::default();
    files
        .iter()
        .flat_map(|f| read_bytes("call.txt", f.as_bytes(), &opts).expect("generated call parses"))
        .collect()
}

/// Plain-text reader only: bytes → transcripts.
#[divan::bench]
fn read(b: Bencher) {
    let files = corpus();
    b.counter(BytesCount::new(bytes(&files)))
        .bench(|| divan::black_box(parse(&files)).len());
}

/// Scan and rule evaluation on already-read transcripts.
#[divan::bench]
fn check(b: Bencher) {
    let files = corpus();
    let transcripts = parse(&files);
    let engine = engine();
    b.counter(BytesCount::new(bytes(&files))).bench(|| {
        transcripts
            .iter()
            .map(|t| engine.check(t).findings.len())
            .sum::<usize>()
    });
}

/// Read and check, one thread: what one worker of `tonecheck check` does per file.
#[divan::bench]
fn read_and_check(b: Bencher) {
    let files = corpus();
    let engine = engine();
    let opts = ReadOptions::default();
    b.counter(BytesCount::new(bytes(&files))).bench(|| {
        files
            .iter()
            .map(|f| {
                read_bytes("call.txt", f.as_bytes(), &opts)
                    .expect("generated call parses")
                    .iter()
                    .map(|t| engine.check(t).findings.len())
                    .sum::<usize>()
            })
            .sum::<usize>()
    });
}

fn main() {
    divan::main();
}
