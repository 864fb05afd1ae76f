//! Converts the built-in rule packs (`rules/*.yaml`) to JSON in `OUT_DIR`: the binary reads
//! its embedded packs with serde_json, about ten times cheaper than YAML at every start.
//! The YAML stays embedded too, for error positions and `rules doc`; a test checks that both
//! read to the same pack.
use std::path::Path;

fn main() {
    let out = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    for entry in std::fs::read_dir("rules").expect("rules/ exists") {
        let path = entry.expect("readable rules/").path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).expect("a readable pack");
        // A pack that is not valid YAML is left for the YAML reader to report (with its line
        // and column) when the pack is loaded; no JSON is written for it.
        let Ok(value) = serde_yaml::from_str::<serde_yaml::Value>(&text) else {
            continue;
        };
        let json = serde_json::to_string(&value).expect("pack keys are strings");
        let name = path.file_stem().expect("a file name");
        std::fs::write(Path::new(&out).join(name).with_extension("json"), json)
            .expect("OUT_DIR is writable");
    }
    println!("cargo:rerun-if-changed=rules");
}
