//! Which anchor words wake the most pattern verifications on a corpus: for tuning packs.
//! `cargo run --release --example anchor_load -- DIR` prints the top anchors by
//! (occurrences in DIR) x (pattern sequences anchored there).
use std::collections::HashMap;

fn main() {
    let dir = std::env::args().nth(1).expect("usage: anchor_load DIR");
    let engine = tonecheck::engine::EngineBuilder::new()
        .packs(tonecheck::pack::PackSource::all_builtin())
        .check_examples(false)
        .build()
        .expect("built-in packs compile");
    let load: HashMap<String, usize> = engine.anchor_load().into_iter().collect();
    let mut text = String::new();
    for e in std::fs::read_dir(&dir).expect("dir") {
        let p = e.expect("entry").path();
        if let Ok(t) = std::fs::read_to_string(&p) {
            text.push_str(&t.to_lowercase());
            text.push('\n');
        }
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for w in text.split(|c: char| !c.is_alphanumeric() && c != '\'') {
        if load.contains_key(w) {
            *counts.entry(w).or_default() += 1;
        }
    }
    let mut rows: Vec<(usize, usize, &str)> =
        counts.iter().map(|(w, c)| (c * load[*w], *c, *w)).collect();
    rows.sort_unstable_by(|a, b| b.cmp(a));
    for (cost, c, w) in rows.iter().take(40) {
        println!("{cost:>9} {c:>7} x {:>4}  {w}", load[*w]);
    }
}
