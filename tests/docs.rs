//! The rule reference in docs/rules.md is generated from the built-in packs and must match
//! them: regenerate with `cargo run --release -- rules doc --no-config > docs/rules.md`.
use std::process::Command;

#[test]
fn rule_reference_is_current() {
    let out = Command::new(env!("CARGO_BIN_EXE_tonecheck"))
        .args(["rules", "doc", "--no-config"])
        .output()
        .expect("run tonecheck");
    assert!(
        out.status.success(),
        "rules doc failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let generated = String::from_utf8(out.stdout).expect("utf-8");
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/rules.md");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        generated == committed,
        "docs/rules.md is stale: run `cargo run --release -- rules doc --no-config > docs/rules.md`"
    );
}
