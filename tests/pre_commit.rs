//! The pre-commit hook, for real: a temporary git repository of macros whose
//! `.pre-commit-config.yaml` points at a snapshot of this checkout; pre-commit builds the hook
//! with `cargo install` and must block a commit that adds a non-apology and let a clean one
//! through. Needs `pre-commit` (installed by `.ci/run`); without it the test is skipped
//! locally and fails under CI=true, so CI can never pass by skipping it.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(cmd: &mut Command) -> Output {
    let shown = format!("{cmd:?}");
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {shown}: {e}"))
}

fn ok(cmd: &mut Command) -> String {
    let shown = format!("{cmd:?}");
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{shown} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// git with a fixed identity and no user or system config, in `dir`.
fn git(dir: &Path) -> Command {
    let mut c = Command::new("git");
    c.current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "tonecheck test")
        .env("GIT_AUTHOR_EMAIL", "test@example.invalid")
        .env("GIT_COMMITTER_NAME", "tonecheck test")
        .env("GIT_COMMITTER_EMAIL", "test@example.invalid");
    c
}

/// A one-commit git repository holding the checkout's files as they are now (tracked and
/// new, not ignored), so the hook under test is the working tree, committed or not.
fn snapshot(into: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let list = ok(git(root).args([
        "ls-files",
        "-z",
        "--cached",
        "--others",
        "--exclude-standard",
    ]));
    for rel in list.split('\0').filter(|s| !s.is_empty()) {
        let from = root.join(rel);
        if !from.is_file() {
            continue; // deleted in the working tree
        }
        let to = into.join(rel);
        std::fs::create_dir_all(to.parent().expect("a file has a parent")).expect("mkdir");
        std::fs::copy(&from, &to).expect("copy");
    }
    ok(git(into).args(["init", "-q"]));
    ok(git(into).args(["add", "-A"]));
    ok(git(into).args(["commit", "-q", "-m", "snapshot"]));
    ok(git(into).args(["rev-parse", "HEAD"])).trim().to_string()
}

fn pre_commit() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("pre-commit"))
        .find(|p| p.is_file())
}

#[test]
fn hook_blocks_a_non_apology_and_passes_a_clean_macro() {
    let Some(pre_commit) = pre_commit() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "pre-commit is not installed, and CI=true: .ci/run must install it (pip install pre-commit)"
        );
        eprintln!("skipped: pre-commit is not installed (pip install pre-commit)");
        return;
    };
    let tmp = tempfile::tempdir().expect("temp dir");
    let hook_repo = tmp.path().join("tonecheck");
    let rev = snapshot(&hook_repo);

    let macros = tmp.path().join("macros");
    std::fs::create_dir_all(&macros).expect("mkdir");
    ok(git(&macros).args(["init", "-q"]));
    std::fs::write(
        macros.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: tonecheck\n",
            hook_repo.display()
        ),
    )
    .expect("write config");
    // Builds share one target folder across runs, so only the first run compiles the
    // dependencies; pre-commit's own cache is private to this test.
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pre-commit-hook");
    let with_env = |mut c: Command| {
        for (k, _) in std::env::vars_os() {
            let k = k.to_string_lossy().into_owned();
            if k.starts_with("CARGO_") && k != "CARGO_HOME" {
                c.env_remove(&k);
            }
        }
        // The hook's speed is not under test: an unoptimised build compiles several times
        // faster than a release one, which keeps this test's first run short.
        c.env("PRE_COMMIT_HOME", tmp.path().join("pre-commit-home"))
            .env("CARGO_TARGET_DIR", &target)
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
            .env("CARGO_PROFILE_RELEASE_DEBUG", "0")
            .env("CARGO_PROFILE_RELEASE_INCREMENTAL", "true")
            .env_remove("RUSTFLAGS");
        c
    };
    let mut install = with_env(Command::new(&pre_commit));
    install.current_dir(&macros).args(["install"]);
    ok(&mut install);

    std::fs::write(
        macros.join("refund.md"),
        "---\ntitle: Refund approved\n---\n# Refund approved\n\n- Hi {{first_name}}, thank you for your patience.\n- I've issued the refund; you'll see it within 3 days.\n",
    )
    .expect("write macro");
    ok(git(&macros).args(["add", "-A"]));
    let mut commit = with_env(git(&macros));
    commit.args(["commit", "-m", "clean macro"]);
    let out = run(&mut commit);
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "a clean macro must commit:\n{log}");
    assert!(log.contains("tonecheck"), "the hook ran:\n{log}");

    std::fs::write(
        macros.join("complaint.md"),
        "# Complaint reply\n\n- I'm sorry if you feel that way.\n",
    )
    .expect("write macro");
    ok(git(&macros).args(["add", "-A"]));
    let mut commit = with_env(git(&macros));
    commit.args(["commit", "-m", "bad macro"]);
    let out = run(&mut commit);
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !out.status.success(),
        "the non-apology must block the commit:\n{log}"
    );
    assert!(
        log.contains("complaint.md:3:") && log.contains("non-apology"),
        "the hook names the file, position and rule:\n{log}"
    );
    let head = ok(git(&macros).args(["log", "--format=%s"]));
    assert_eq!(head.trim(), "clean macro", "the bad commit was not made");
}
