//! docs/rule-language.md shows every primitive of the rule language with a flagged and a
//! passing example: this test loads each `yaml` block of the page that is a rule pack and
//! runs its examples through the real binary (`tonecheck rules test`), so the page cannot
//! drift from the engine.
use std::path::PathBuf;
use std::process::Command;

#[test]
fn every_pack_in_the_language_doc_passes_its_examples() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let doc = std::fs::read_to_string(root.join("docs/rule-language.md")).expect("doc exists");
    let mut packs = Vec::new();
    let mut block: Option<String> = None;
    for line in doc.lines() {
        match (&mut block, line.trim_end()) {
            (None, "```yaml") => block = Some(String::new()),
            (Some(b), "```") => {
                if b.starts_with("pack:") {
                    packs.push(b.clone());
                }
                block = None;
            }
            (Some(b), l) => {
                b.push_str(l);
                b.push('\n');
            }
            _ => {}
        }
    }
    assert!(!packs.is_empty(), "the doc has a pack to run");
    let dir = tempfile::tempdir().expect("temp dir");
    for (i, pack) in packs.iter().enumerate() {
        let path = dir.path().join(format!("doc-{i}.yaml"));
        std::fs::write(&path, pack).expect("write pack");
        let out = Command::new(env!("CARGO_BIN_EXE_tonecheck"))
            .args(["rules", "test", "--no-config"])
            .arg(&path)
            .output()
            .expect("run tonecheck");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "pack {i} of docs/rule-language.md failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Every rule of the tour runs at least one flag and one pass example.
        let rules = pack.matches("\n  - id: ").count();
        let passed: usize = stdout
            .lines()
            .find_map(|l| l.strip_suffix(" passed, 0 failed"))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        assert!(
            passed >= 2 * rules,
            "{passed} examples for {rules} rules:\n{stdout}"
        );
    }
}

#[test]
fn rules_trace_shows_tokens_classes_exclusions_and_findings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let pack = dir.path().join("p.yaml");
    std::fs::write(
        &pack,
        "pack: p\nclasses:\n  third_party: [courier, billing]\nrules:\n  - id: blame\n    severity: warning\n    message: m\n    match: {patterns: [\"@third_party lose~ it\"], except: [\"if the? @third_party\"]}\n    examples: {flag: [\"Agent: The courier lost it.\"], pass: [\"Agent: If the courier lost it, I'll fix it.\"]}\n",
    )
    .expect("write pack");
    let call = dir.path().join("c.txt");
    std::fs::write(
        &call,
        "Customer: Where is it?\nAgent: Billing's fine. The courier lost it, I'm afraid. If the courier lost it we refund.\n",
    )
    .expect("write call");
    let out = Command::new(env!("CARGO_BIN_EXE_tonecheck"))
        .args([
            "rules",
            "trace",
            "blame",
            "--no-config",
            "--no-default-packs",
            "--rules",
        ])
        .arg(&pack)
        .arg(&call)
        .output()
        .expect("run tonecheck");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The normalised tokens: contraction expanded, possessive split off.
    assert!(
        stdout.contains("tokens: billing 's fine . the courier lost it , i am afraid . if"),
        "{stdout}"
    );
    // Which class and which inflection each matched token came from.
    assert!(stdout.contains("courier ← @third_party"), "{stdout}");
    assert!(stdout.contains("lost ← lose~"), "{stdout}");
    // The exclusion tried on each match, and its verdict.
    assert!(
        stdout.contains("tried except `if the? @third_party`: no"),
        "{stdout}"
    );
    assert!(
        stdout.contains("tried except `if the? @third_party`: overlaps, match dropped"),
        "{stdout}"
    );
    assert!(stdout.contains("findings: 1"), "{stdout}");
}

#[test]
fn rules_trace_shows_the_sentiment_of_every_turn_for_sentiment_rules() {
    let dir = tempfile::tempdir().expect("temp dir");
    let call = dir.path().join("c.txt");
    std::fs::write(
        &call,
        "Customer: hi can i freeze my membership for 2 months\nAgent: only with a doctors note\nCustomer: will i still be charged this month\nAgent: yes\nCustomer: thats annoying\n",
    )
    .expect("write call");
    let trace = |rule: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_tonecheck"))
            .args(["rules", "trace", rule, "--no-config"])
            .arg(&call)
            .output()
            .expect("run tonecheck");
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let drop = trace("customer-sentiment-drop");
    assert!(drop.contains("sentiment per turn"), "{drop}");
    assert!(
        drop.contains("turn 4 (Customer, customer): -0.40\n"),
        "{drop}"
    );
    assert!(
        drop.contains("turn 1 (Agent, agent):  0.00  passes unless (sentiment_above: -0.05)"),
        "{drop}"
    );
    assert!(drop.contains("findings: 1"), "{drop}");
    // A rule without sentiment prints no scores.
    assert!(!trace("missing-apology").contains("sentiment per turn"));
}
