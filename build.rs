//! Converts the built-in rule packs (`rules/*.yaml`) to JSON in `OUT_DIR`: the binary reads
//! its embedded packs with serde_json, about ten times cheaper than YAML at every start.
//! The YAML stays embedded too, for error positions and `rules doc`; a test checks that both
//! read to the same pack.
//!
//! It also compiles every pattern string of each pack (`NAME.patterns`, see
//! `pattern::PrecompileWriter`) with the crate's own pattern compiler, included below: the
//! binary reads a built-in pack's parsed and expanded patterns instead of compiling them at
//! every start. A pattern missing from the table is compiled at run time as before (the test
//! `builtin_patterns_are_all_precompiled` checks that none is).
use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

// The pattern compiler and what it uses, as in the library.
#[allow(dead_code, unused_imports)]
#[path = "src/lexicon.rs"]
mod lexicon;
#[allow(dead_code, unused_imports)]
#[path = "src/pattern.rs"]
mod pattern;
#[allow(dead_code, unused_imports)]
#[path = "src/tokens.rs"]
mod tokens;
// The learned models' table format (`rules/models/turn-models.tsv` → `turn-models.bin`).
#[allow(dead_code)]
#[path = "src/learned/table.rs"]
mod learned_table;
/// What `lexicon` reads from the tables this script writes (src/lib.rs includes them); not
/// used here.
mod generated {
    pub(crate) static SPELLING_VARIANTS: [(&str, &[&str]); 0] = [];
    pub(crate) static SPELLING_VARIANT_SLOTS: [u16; 2] = [0; 2];
}
/// `pattern` names `pack::suggest` for "did you mean" in its errors, which are not kept here.
mod pack {
    pub mod suggest {
        pub fn closest<'a>(
            _word: &str,
            _candidates: impl IntoIterator<Item = &'a str>,
        ) -> Option<&'a str> {
            None
        }
    }
}

fn main() {
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    for entry in std::fs::read_dir("rules").expect("rules/ exists") {
        let path = entry.expect("readable rules/").path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_stem().expect("a file name");
        let target = Path::new(&out).join(name);
        let text = std::fs::read_to_string(&path).expect("a readable pack");
        // A pack that is not valid YAML is left for the YAML reader to report (with its line
        // and column) when the pack is loaded; no JSON is written for it, and an empty
        // pattern table.
        let Ok(value) = serde_yaml::from_str::<serde_yaml::Value>(&text) else {
            // An empty JSON file, not the last good one: a stale copy would be loaded
            // instead of the pack as written (a duplicate key left by a merge did that).
            std::fs::write(target.with_extension("json"), "").expect("OUT_DIR is writable");
            std::fs::write(target.with_extension("patterns"), precompile(&Value::Null))
                .expect("OUT_DIR is writable");
            continue;
        };
        let json = serde_json::to_string(&value).expect("pack keys are strings");
        std::fs::write(target.with_extension("json"), &json).expect("OUT_DIR is writable");
        let value: Value = serde_json::from_str(&json).expect("JSON just written");
        std::fs::write(target.with_extension("patterns"), precompile(&value))
            .expect("OUT_DIR is writable");
    }
    println!("cargo:rerun-if-changed=rules");
    vader_table(&Path::new(&out).join("vader_table.rs"));
    spelling_variants(&Path::new(&out).join("spelling_variants.rs"));
    turn_models(&Path::new(&out).join("turn-models.bin"));
    println!("cargo:rerun-if-changed=data/vader_lexicon.txt");
    for f in [
        "src/pattern.rs",
        "src/tokens.rs",
        "src/lexicon.rs",
        "data/inflections.txt",
        "data/spellings.txt",
    ] {
        println!("cargo:rerun-if-changed={f}");
    }
}

/// A static open-addressing table of `2^bits` slots over `keys` (src/lexicon.rs,
/// `table_find`): each slot 1 + the index of its key, 0 when empty, probed linearly.
fn slots(keys: &[&str], bits: u32) -> Vec<u16> {
    let size = 1usize << bits;
    assert!(keys.len() * 2 < size && keys.len() < u16::MAX as usize);
    let mut slots = vec![0u16; size];
    for (i, k) in keys.iter().enumerate() {
        let mut s = lexicon::table_slot(k, bits);
        while slots[s] != 0 {
            s = (s + 1) & (size - 1);
        }
        slots[s] = i as u16 + 1;
    }
    slots
}

/// The VADER lexicon (`data/vader_lexicon.txt`) as a static table (src/sentiment.rs,
/// `lexicon_valence`): nothing to build at run time. Read as the lexicon reader did
/// (`word<TAB>value` lines, the last of a repeated word wins), values kept to the bit.
/// The learned detector's built-in models (`rules/models/turn-models.tsv`, written by
/// `examples/turn_model export`) as the table `learned::Table` reads in place.
fn turn_models(path: &Path) {
    let src = "rules/models/turn-models.tsv";
    println!("cargo:rerun-if-changed={src}");
    let tsv = std::fs::read_to_string(src).expect("rules/models/turn-models.tsv exists");
    let bytes = learned_table::build(&tsv).unwrap_or_else(|e| panic!("{src}: {e}"));
    std::fs::write(path, bytes).expect("OUT_DIR is writable");
}

fn vader_table(path: &Path) {
    let text = std::fs::read_to_string("data/vader_lexicon.txt").expect("the VADER lexicon");
    let mut words: Vec<(&str, u64)> = Vec::new();
    let mut at: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for l in text.lines() {
        let Some((word, value)) = l.split_once('\t') else {
            continue;
        };
        let v: f64 = value.parse().expect("data/vader_lexicon.txt holds numbers");
        match at.get(word) {
            Some(&i) => words[i].1 = v.to_bits(),
            None => {
                at.insert(word, words.len());
                words.push((word, v.to_bits()));
            }
        }
    }
    let rows: Vec<(&str, String)> = words.iter().map(|(w, v)| (*w, format!("{v:#x}"))).collect();
    let doc = "The VADER lexicon: (word, valence as f64 bits).";
    write_keyed_table(
        path,
        doc,
        ("VADER_WORDS", "u64"),
        &rows,
        ("VADER_SLOTS", 14),
    );
}

/// Writes `rows` as a static table `[(&str, TYPE); N]` (`table`: its name and value type)
/// and its slot index by key for `lexicon::table_find` (`slots`: its name and size in bits).
fn write_keyed_table(
    path: &Path,
    doc: &str,
    table: (&str, &str),
    rows: &[(&str, String)],
    slots_of: (&str, u32),
) {
    let (name, ty) = table;
    let mut out = format!(
        "/// {doc}\npub(crate) static {name}: [(&str, {ty}); {}] = [\n",
        rows.len()
    );
    for (k, v) in rows {
        out.push_str(&format!("({k:?}, {v}),\n"));
    }
    let keys: Vec<&str> = rows.iter().map(|r| r.0).collect();
    let (slot_name, bits) = slots_of;
    out.push_str(&format!(
        "];\n/// `{name}` by key (`lexicon::table_find`).\npub(crate) static {slot_name}: [u16; {}] = {:?};\n",
        1usize << bits,
        slots(&keys, bits)
    ));
    std::fs::write(path, out).expect("OUT_DIR is writable");
}

/// The reverse of `data/spellings.txt` (`variant canonical` lines): each canonical spelling
/// with its variants in file order, as a static table (src/lexicon.rs, `variants`).
fn spelling_variants(path: &Path) {
    let text = std::fs::read_to_string("data/spellings.txt").expect("the spelling table");
    let mut canon: Vec<(&str, Vec<&str>)> = Vec::new();
    let mut at: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (v, c) in text.lines().filter_map(|l| l.split_once(' ')) {
        match at.get(c) {
            Some(&i) => canon[i].1.push(v),
            None => {
                at.insert(c, canon.len());
                canon.push((c, vec![v]));
            }
        }
    }
    let rows: Vec<(&str, String)> = canon
        .iter()
        .map(|(c, vs)| (*c, format!("&{vs:?}")))
        .collect();
    let doc = "Canonical spellings with their variants.";
    let table = ("SPELLING_VARIANTS", "&[&str]");
    write_keyed_table(path, doc, table, &rows, ("SPELLING_VARIANT_SLOTS", 12));
}

/// The pattern table of one pack: every pattern string a matcher of the pack compiles
/// (src/engine.rs, `MatcherBuilder::add_new`), against the pack's lists and classes.
fn precompile(pack: &Value) -> Vec<u8> {
    let mut classes = pattern::Classes::new();
    for key in ["lists", "classes"] {
        if let Some(map) = pack.get(key).and_then(Value::as_object) {
            for (name, entries) in map {
                classes.insert(name.clone(), strings(Some(entries)));
            }
        }
    }
    // Each pattern string with how many times the pack names it (each use is compiled into
    // a matcher of its own, so the engine reserves room for every use's sequences).
    let mut todo: BTreeMap<(u8, String), u32> = BTreeMap::new();
    walk(pack, &mut todo);
    let mut w = pattern::PrecompileWriter::default();
    pattern::pack_cache(true);
    for ((kind, src), &uses) in &todo {
        let flats = if *kind == pattern::PRE_LITERAL {
            pattern::compile_literal(src)
        } else {
            pattern::compile(src, &classes)
        };
        // An error is left for the run-time compiler to report.
        if let Ok(flats) = flats {
            w.add(*kind, src, &flats, uses);
        }
    }
    pattern::pack_cache(false);
    w.finish()
}

/// A string or a list of strings (`one_or_many` in src/pack/schema.rs).
/// The entries of the array at `key` of `o` (none when it is missing or not an array).
fn items<'a>(o: &'a serde_json::Map<String, Value>, key: &str) -> impl Iterator<Item = &'a Value> {
    o.get(key).and_then(Value::as_array).into_iter().flatten()
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// Collects the pattern strings of every object shaped like a matcher, anywhere in the pack.
fn walk(v: &Value, todo: &mut BTreeMap<(u8, String), u32>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| walk(x, todo)),
        Value::Object(o) => {
            let mut pat = |p: String| {
                *todo.entry((pattern::PRE_PATTERN, p)).or_default() += 1;
            };
            for p in strings(o.get("patterns")) {
                pat(p);
            }
            for p in strings(o.get("except")) {
                pat(p);
            }
            for name in strings(o.get("list")) {
                pat(format!("@{name}"));
            }
            if let Some(nn) = o.get("not_near") {
                for p in strings(nn.get("patterns")) {
                    pat(p);
                }
            }
            for n in items(o, "near") {
                let all = strings(n.get("all"));
                let within = n.get("within").and_then(Value::as_u64).unwrap_or(5);
                if let ([a, b], Ok(w)) = (all.as_slice(), u8::try_from(within)) {
                    for p in pattern::near_patterns(a, b, w) {
                        pat(p);
                    }
                }
            }
            for n in items(o, "negated") {
                let (Some(s), Some(verb)) = (
                    n.get("subject").and_then(Value::as_str),
                    n.get("verb").and_then(Value::as_str),
                ) else {
                    continue;
                };
                let window = n.get("window").and_then(Value::as_u64).unwrap_or(3);
                if let Ok(w) = u8::try_from(window) {
                    for p in pattern::negated_frame(s, verb, w) {
                        pat(p);
                    }
                }
            }
            for c in items(o, "contrast") {
                if let (Some(yes), Some(no)) = (
                    c.get("yes").and_then(Value::as_str),
                    c.get("no").and_then(Value::as_str),
                ) {
                    for p in pattern::contrast_frame(yes, no) {
                        pat(p);
                    }
                }
            }
            for p in strings(o.get("phrases")) {
                *todo.entry((pattern::PRE_LITERAL, p)).or_default() += 1;
            }
            o.values().for_each(|x| walk(x, todo));
        }
        _ => {}
    }
}
