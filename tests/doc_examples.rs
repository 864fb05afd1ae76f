//! Every YAML example in the README and docs/ runs, so the documentation cannot drift from
//! the program: each pack example passes `rules test` (with at least one example), each
//! config example is accepted by `check`, `rules test` and `score` (its `packs:` paths
//! resolve to the documented packs, written where it expects them), and each scorecard
//! example scores a call under the documented config.
use std::path::{Path, PathBuf};
use std::process::Command;

/// (file, first line, text) of every ```yaml block in the README and docs/*.md.
fn yaml_blocks() -> Vec<(String, usize, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .expect("docs/")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("read doc");
        let mut block: Option<(usize, String)> = None;
        for (i, line) in text.lines().enumerate() {
            match &mut block {
                None if line.trim_start().starts_with("```yaml") => {
                    block = Some((i + 2, String::new()))
                }
                Some((start, body)) if line.trim_start().starts_with("```") => {
                    let name = f.strip_prefix(root).unwrap_or(&f).display().to_string();
                    out.push((name, *start, std::mem::take(body)));
                    block = None;
                }
                Some((_, body)) => {
                    body.push_str(line);
                    body.push('\n');
                }
                None => {}
            }
        }
    }
    out
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tonecheck"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("run tonecheck");
    (
        out.status.code().expect("exit code"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const CALL: &str = "Agent: Thank you for calling, how can I help?\nCustomer: My parcel arrived broken.\nAgent: I'm sorry, but that's our policy.\n";

#[test]
fn every_documented_yaml_example_runs() {
    let blocks = yaml_blocks();
    assert!(
        blocks.len() >= 3,
        "the README documents a pack, a config and a scorecard"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let d = dir.path();
    std::fs::create_dir_all(d.join("rules")).expect("mkdir");
    std::fs::write(d.join("call.txt"), CALL).expect("write call");
    let (mut packs, mut configs, mut cards, mut hooks) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (file, line, text) in &blocks {
        let first_key = text
            .lines()
            .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .and_then(|l| l.split(':').next())
            .unwrap_or("")
            .trim()
            .to_string();
        let at = format!("{file}:{line}");
        match first_key.as_str() {
            "pack" => {
                let name = text
                    .lines()
                    .next()
                    .and_then(|l| l.strip_prefix("pack:"))
                    .map(str::trim);
                let name =
                    name.unwrap_or_else(|| panic!("{at}: a pack example starts with `pack:`"));
                let path = d.join("rules").join(format!("{name}.yaml"));
                std::fs::write(&path, text).expect("write pack");
                packs.push((at, path));
            }
            _ if text.lines().any(|l| l.starts_with("sections:")) => cards.push((at, text.clone())),
            "repos" => hooks.push((at, text.clone())),
            // docs/rule-language.md shows matcher fragments; tests/rule_language.rs runs them.
            _ if file.ends_with("rule-language.md") => {}
            // Anything else is a tonecheck.yaml: an unknown key fails the run below.
            _ => configs.push((at, text.clone())),
        }
    }
    // A pre-commit snippet may only name hooks the repository defines.
    let defined = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .expect(".pre-commit-hooks.yaml");
    let ids = |t: &str| -> Vec<String> {
        t.lines()
            .filter_map(|l| {
                l.trim_start()
                    .trim_start_matches('#')
                    .trim_start()
                    .strip_prefix("- id:")
            })
            .map(|id| id.split('#').next().unwrap_or("").trim().to_string())
            .collect()
    };
    for (at, text) in &hooks {
        assert!(!ids(text).is_empty(), "{at}: the snippet names a hook");
        for id in ids(text) {
            assert!(
                ids(&defined).contains(&id),
                "{at}: no hook `{id}` in .pre-commit-hooks.yaml"
            );
        }
    }
    for (at, path) in &packs {
        let p = path.to_string_lossy();
        let (code, out, err) = run(d, &["rules", "test", "--no-config", &p]);
        assert_eq!(
            code, 0,
            "{at}: the documented pack fails `rules test`:\n{out}{err}"
        );
        assert!(
            out.contains(" passed, 0 failed") && !out.starts_with("0 passed"),
            "{at}: {out}"
        );
    }
    assert!(!configs.is_empty(), "the README documents a config");
    for (at, text) in &configs {
        std::fs::write(d.join("tonecheck.yaml"), text).expect("write config");
        for args in [&["check", "call.txt"][..], &["rules", "test"][..]] {
            let (code, out, err) = run(d, args);
            assert!(
                code != 2 && !err.contains("error"),
                "{at}: the documented config fails `tonecheck {}`:\n{out}{err}",
                args.join(" ")
            );
        }
        for (card_at, card) in &cards {
            std::fs::write(d.join("scorecard.yaml"), card).expect("write scorecard");
            let (code, out, err) = run(d, &["score", "--scorecard", "scorecard.yaml", "call.txt"]);
            assert!(
                code != 2 && !err.contains("error") && !err.contains("warning"),
                "{card_at}: the documented scorecard fails under the config at {at}:\n{out}{err}"
            );
            assert!(
                out.contains("/ 100"),
                "{card_at}: a score is printed:\n{out}"
            );
        }
    }
}
