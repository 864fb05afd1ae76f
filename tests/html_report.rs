//! The HTML report in a real browser: headless Chromium loads a report built from
//! transcripts carrying script-injection payloads, with no console message (no error, no
//! blocked script), the payloads shown as text and never as elements, and a screenshot
//! written for a person to look at (target/tmp/html_report/report.png).
//!
//! Needs Debian's `chromium` package (.ci/run installs it). Without it the test fails when
//! CI=true and is skipped with a note otherwise.
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const PACK: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/scoring-pack.yaml"
);
const CHROMIUM: &str = "/usr/bin/chromium";

const SCRIPT: &str = "<script>alert(1)</script>";
const IMG: &str = "\"><img src=x onerror=alert(1)>";
/// Would rename the page if it ever ran.
const TITLE: &str = "<script>document.title='PWNED'</script>";

const CARD: &str = include_str!("fixtures/scoring-card.yaml");

fn chromium() -> Option<PathBuf> {
    let p = PathBuf::from(CHROMIUM);
    if p.exists() {
        return Some(p);
    }
    let msg =
        format!("headless Chromium not found at {CHROMIUM}; install Debian's `chromium` package");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{msg} (required when CI=true)");
    }
    eprintln!("note: skipping the browser test: {msg}");
    None
}

/// Runs Chromium headless on `page` with `extra` flags, killing it after a minute.
fn run_chromium(bin: &Path, page: &Path, extra: &[String]) -> Output {
    let profile = tempfile::tempdir().expect("profile dir");
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--no-first-run",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    // Read both pipes on threads so a full pipe never stalls the browser.
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = std::io::Read::read_to_end(&mut out, &mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = std::io::Read::read_to_end(&mut err, &mut v);
        v
    });
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait for chromium") {
            break s;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("chromium did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output {
        status,
        stdout: t_out.join().expect("stdout reader"),
        stderr: t_err.join().expect("stderr reader"),
    }
}

/// Writes the transcripts and the report into `dir`; returns the report's path.
fn build_report(dir: &Path) -> PathBuf {
    let calls = dir.join("calls");
    std::fs::create_dir_all(&calls).unwrap();
    std::fs::write(dir.join("card.yaml"), CARD).unwrap();
    std::fs::write(
        calls.join("angry-customer.txt"),
        format!(
            "---\nagent: Dana Reyes\nqueue: billing\n---\n[00:00:02] Customer: My order arrived broken. {SCRIPT}\n[00:00:09] Agent: Per our policy you're wrong {IMG} and that is final.\n[00:00:15] Customer: {TITLE} Unbelievable.\n[00:00:21] Agent: Bye.\n"
        ),
    )
    .unwrap();
    std::fs::write(
        calls.join("good-call.txt"),
        "---\nagent: Sam Okafor\n---\nCustomer: The parcel came broken.\nAgent: I'm so sorry, that is on us. Great question about the refund, too.\nCustomer: Thanks.\nAgent: Thank you for your patience, it is on its way today.\n",
    )
    .unwrap();
    std::fs::write(
        calls.join("payload-agent.txt"),
        format!("---\nagent: \"{SCRIPT}\"\n---\nCustomer: Hello {IMG}\nAgent: Thank you, per our policy I can help.\n"),
    )
    .unwrap();
    // A file name that is itself an injection attempt.
    std::fs::write(
        calls.join(format!("{}.txt", IMG.replace('/', ""))),
        "Customer: Hi.\nAgent: Thank you for calling.\n",
    )
    .unwrap();
    let report = dir.join("report.html");
    let o = Command::new(env!("CARGO_BIN_EXE_tonecheck"))
        .current_dir(dir)
        .args([
            "score",
            "--no-config",
            "--no-default-packs",
            "--rules",
            PACK,
        ])
        .args(["--scorecard", "card.yaml", "--format", "json", "--html"])
        .arg(&report)
        .arg("calls")
        .output()
        .expect("run tonecheck");
    // One call autofails, so `score` exits 1 (README, exit codes); the report is still written.
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    report
}

#[test]
fn report_renders_payloads_as_text_in_chromium() {
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html_report");
    let _ = std::fs::remove_dir_all(&out_dir);
    std::fs::create_dir_all(&out_dir).unwrap();
    let report = build_report(&out_dir);
    let html = std::fs::read_to_string(&report).unwrap();
    // Self-contained: nothing to fetch, no script of our own.
    for banned in [
        "<script",
        "<img",
        "<link",
        "src=\"http",
        "href=\"http",
        "@import",
        "url(",
    ] {
        assert!(!html.contains(banned), "report contains {banned:?}");
    }
    let Some(bin) = chromium() else { return };

    let dom = run_chromium(&bin, &report, &["--dump-dom".into()]);
    assert!(
        dom.status.success(),
        "chromium --dump-dom failed: {}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    let log = String::from_utf8_lossy(&dom.stderr);
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(
        console.is_empty(),
        "console messages while loading the report:\n{}",
        console.join("\n")
    );
    // The live DOM has no element the payloads would have created...
    assert!(
        !dom_text.contains("<script"),
        "a <script> element exists in the DOM"
    );
    assert!(
        !dom_text.contains("<img"),
        "an <img> element exists in the DOM"
    );
    assert!(
        dom_text.contains("<title>tonecheck report</title>"),
        "the page title changed"
    );
    // ...and shows them as text (the serialiser escapes < > & in text nodes).
    assert!(
        dom_text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "script payload not shown as text"
    );
    assert!(
        dom_text.contains("\"&gt;&lt;img src=x onerror=alert(1)&gt;"),
        "img payload not shown as text"
    );
    assert!(dom_text.contains("&lt;script&gt;document.title='PWNED'&lt;/script&gt;"));
    // The report has its parts: dashboard charts, every call, highlighted findings.
    for part in [
        "Score distribution",
        "Rules hit most",
        "Agents",
        "angry-customer.txt",
        "good-call.txt",
        "<mark class=\"error\"",
        "Say instead:",
    ] {
        assert!(dom_text.contains(part), "report lacks {part:?}");
    }

    let shot = out_dir.join("report.png");
    let o = run_chromium(
        &bin,
        &report,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,2000".into(),
            "--hide-scrollbars".into(),
        ],
    );
    assert!(
        o.status.success(),
        "chromium --screenshot failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 20_000,
        "not a real screenshot"
    );
    eprintln!(
        "report: {}\nscreenshot: {}",
        report.display(),
        shot.display()
    );
}
