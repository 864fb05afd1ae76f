//! Entry points for the fuzz targets in `fuzz/` and the property tests in
//! `tests/fuzz_properties.rs`: each takes arbitrary bytes, runs one reader or loader the way
//! the CLI does, and panics only when an invariant breaks (a located error must point inside
//! the file; a turn's positions must point at its text; a finding must point at a real line
//! and byte range). Not part of the stable API.
#![doc(hidden)]
use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::sync::OnceLock;

use crate::batch::{self, FileReport};
use crate::engine::{Engine, EngineBuilder};
use crate::input::{self, InputError, ReadOptions};
use crate::pack::scorecard::ScorecardSource;
use crate::pack::{config, PackError, PackSource};
use crate::score::Scorecard;
use crate::suppress;
use crate::transcript::{Mode, Turn};

fn builtin_engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        EngineBuilder::new()
            .packs(PackSource::all_builtin())
            .build()
            .expect("built-in packs compile")
    })
}

fn located(errors: &[PackError], text: &str) {
    for e in errors {
        // libyaml puts errors at the end of the stream on the line after the last one.
        assert!(
            e.line <= SourceLines::new(text, true).count() + 1,
            "{e} points past the end"
        );
        assert!(!e.message.is_empty());
    }
}

/// One input reader, every way the command line reaches it: by each extension it claims
/// (content detection included) and forced with `--input-format`, in conversation and in
/// script mode; JSON Lines also as `score -` streams it. The file goes through the batch
/// path (`batch::check_bytes`: reading, roles, the built-in rules, inline suppressions), and
/// every transcript, finding and error is held to the invariants in `check_report`.
/// `name` is a reader name from `input::READERS`.
pub fn reader(name: &str, data: &[u8]) {
    let r = input::READERS
        .iter()
        .find(|r| r.name == name)
        .expect("fuzz targets name registered readers");
    for mode in [None, Some(Mode::Script)] {
        for ext in r.extensions {
            let opts = ReadOptions {
                mode,
                ..Default::default()
            };
            check_file(&format!("fuzz.{ext}"), data, &opts);
        }
        let forced = ReadOptions {
            mode,
            format: Some(name.to_string()),
            ..Default::default()
        };
        check_file(&format!("fuzz.{}", r.extensions[0]), data, &forced);
    }
    if name == "jsonl" {
        stream_matches_file(data);
    }
}

fn known_rules() -> &'static HashSet<String> {
    static KNOWN: OnceLock<HashSet<String>> = OnceLock::new();
    KNOWN.get_or_init(|| {
        builtin_engine()
            .rules()
            .iter()
            .map(|r| r.common.info.id.clone())
            .chain(crate::pack::STABLE_RULE_IDS.iter().map(|s| s.to_string()))
            .chain([crate::suppress::UNUSED_IGNORE.to_string()])
            .collect()
    })
}

fn check_file(path: &str, data: &[u8], opts: &ReadOptions) {
    let suppress = suppress::Settings {
        known_rules: known_rules(),
        report_unused: true,
    };
    let report = batch::check_bytes(
        Path::new(path),
        data.to_vec(),
        builtin_engine(),
        opts,
        false,
        Some(&suppress),
    );
    check_report(path, data, opts, &report);
}

/// What a reader promises about a file it read, or failed to read.
fn check_report(path: &str, data: &[u8], opts: &ReadOptions, report: &FileReport) {
    let decoded = input::decode(path, data, opts);
    let text = match &decoded {
        Ok(text) => text.as_ref(),
        Err(_) => {
            assert!(
                report.transcripts.is_empty(),
                "{path}: undecodable, yet read"
            );
            let lossy = String::from_utf8_lossy(data);
            let lines = SourceLines::new(&lossy, false);
            for e in report.errors.iter().chain(&report.warnings) {
                check_error(path, e, &lines);
            }
            return;
        }
    };
    let reader = input::reader_for(path, text, opts).ok();
    // Plain text also ends lines at a lone `\r`; the other formats count `\n` only.
    let lines = SourceLines::new(text, reader == Some("plain"));
    for e in report.errors.iter().chain(&report.warnings) {
        check_error(path, e, &lines);
    }
    let escapes: &[char] = match reader {
        Some("plain") => &[],
        Some("vtt" | "srt") => &['&'],
        Some("csv") => &['"'],
        _ => &['\\'],
    };
    for tr in &report.transcripts {
        let t = &tr.transcript;
        for (i, turn) in t.turns.iter().enumerate() {
            check_turn(&format!("{path}: turn {i}"), turn, &lines, escapes);
        }
        for f in &tr.checked.findings {
            let turn = &t.turns[f.turn];
            assert!(f.start <= f.end && f.end <= turn.text.len());
            assert!(turn.text.is_char_boundary(f.start) && turn.text.is_char_boundary(f.end));
            assert!(
                lines.offset(f.line, f.column).is_some(),
                "{path}: finding `{}` at {}:{} is outside the file",
                f.rule.id,
                f.line,
                f.column
            );
        }
    }
}

/// A turn's times and its text's source positions: each segment lies inside the file, and
/// the rest of that line reads as the segment's text, up to the first escape (`\"`,
/// `&amp;`, `""`), after which the text is decoded and no longer the same bytes.
fn check_turn(what: &str, turn: &Turn, lines: &SourceLines, escapes: &[char]) {
    for t in [turn.start, turn.end].into_iter().flatten() {
        assert!(t.is_finite() && t >= 0.0, "{what}: time {t}");
    }
    if let (Some(s), Some(e)) = (turn.start, turn.end) {
        assert!(s <= e, "{what}: ends at {e} before it starts at {s}");
    }
    let segs = &turn.segments;
    assert!(!segs.is_empty(), "{what}: no source position");
    assert_eq!(segs[0].offset, 0, "{what}: text before its first position");
    for (k, seg) in segs.iter().enumerate() {
        let end = segs.get(k + 1).map_or(turn.text.len(), |n| n.offset);
        // In order, each with text of its own (only an empty turn's one position has none).
        let own = seg.offset < end || (seg.offset == 0 && end == 0);
        assert!(
            own && end <= turn.text.len() && turn.text.is_char_boundary(seg.offset),
            "{what}: segment {k} at byte {} of {:?} (segments {segs:?})",
            seg.offset,
            turn.text
        );
        let Some(at) = lines.offset(seg.line, seg.column) else {
            panic!(
                "{what}: segment {k} at {}:{} is outside the file ({} lines)",
                seg.line,
                seg.column,
                lines.count()
            );
        };
        // The piece of text from this position to the next, on this one source line.
        let piece = turn.text[seg.offset..end].trim_end();
        let source = &lines.text[at..lines.spans[seg.line - 1].1];
        let mut chars = source.chars();
        for c in piece.chars() {
            match chars.next() {
                Some(s) if s == c => {}
                Some(s) if escapes.contains(&s) => break,
                other => panic!(
                    "{what}: segment {k} at {}:{} reads {source:?} in the file, not {piece:?} (found {other:?} for {c:?})",
                    seg.line, seg.column,
                ),
            }
        }
    }
}

/// An error points at a line of the file and, when its message names one, a column of it.
fn check_error(path: &str, e: &InputError, lines: &SourceLines) {
    assert_eq!(e.path, path);
    assert!(!e.message.is_empty());
    let Some(line) = e.line else { return };
    assert!(
        (1..=lines.count()).contains(&line),
        "{e}: line {line} of {}",
        lines.count()
    );
    if let Some(col) = e
        .message
        .split_once(&format!("line {line}, column "))
        .and_then(|(_, rest)| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse::<usize>().ok())
    {
        assert!(lines.offset(line, col).is_some(), "{e}: no column {col}");
    }
}

/// Line starts of a source text, to turn a (line, column) back into a byte offset.
struct SourceLines<'a> {
    text: &'a str,
    /// (start, end) byte offsets of each line's content, without its line break.
    spans: Vec<(usize, usize)>,
}

impl<'a> SourceLines<'a> {
    fn new(text: &'a str, lone_cr: bool) -> SourceLines<'a> {
        let b = text.as_bytes();
        let mut spans = Vec::new();
        let (mut start, mut i) = (0, 0);
        while i < b.len() {
            let brk = match b[i] {
                b'\n' => 1,
                b'\r' if lone_cr => 1 + usize::from(b.get(i + 1) == Some(&b'\n')),
                _ => 0,
            };
            if brk > 0 {
                spans.push((start, i));
                i += brk;
                start = i;
            } else {
                i += 1;
            }
        }
        spans.push((start, b.len()));
        SourceLines { text, spans }
    }

    fn count(&self) -> usize {
        self.spans.len()
    }

    /// The byte offset of 1-based `line` and `column` (in characters; one past the last
    /// character of the line is still on it).
    fn offset(&self, line: usize, column: usize) -> Option<usize> {
        let &(start, end) = self.spans.get(line.checked_sub(1)?)?;
        let content = &self.text[start..end];
        let skip = column.checked_sub(1)?;
        match content.char_indices().nth(skip) {
            Some((i, _)) => Some(start + i),
            None => (skip == content.chars().count()).then_some(end),
        }
    }
}

/// `score -` reads JSON Lines one line at a time (`batch::run_lines`): it must give the
/// transcripts, findings and errors that reading the whole file gives.
fn stream_matches_file(data: &[u8]) {
    static NEVER: AtomicBool = AtomicBool::new(false);
    let opts = ReadOptions {
        format: Some("jsonl".into()),
        ..Default::default()
    };
    // Whole-file problems (not UTF-8, UTF-16, empty) are the stream's per-line problems.
    match input::decode("-", data, &opts) {
        Ok(std::borrow::Cow::Borrowed(_)) => {}
        _ => return,
    }
    let whole = batch::check_bytes(
        Path::new("-"),
        data.to_vec(),
        builtin_engine(),
        &opts,
        false,
        None,
    );
    let mut streamed = FileReport::default();
    let input = Box::new(std::io::Cursor::new(data.to_vec()));
    batch::run_lines(input, "-", builtin_engine(), &opts, 1, &NEVER, |r| {
        streamed.transcripts.extend(r.transcripts);
        streamed.errors.extend(r.errors);
        true
    });
    let same = |a: &batch::TranscriptReport, b: &batch::TranscriptReport| {
        a.transcript == b.transcript && a.checked.findings == b.checked.findings
    };
    assert!(
        whole.transcripts.len() == streamed.transcripts.len()
            && whole
                .transcripts
                .iter()
                .zip(&streamed.transcripts)
                .all(|(a, b)| same(a, b)),
        "streamed transcripts differ: {:?} vs {:?}",
        whole
            .transcripts
            .iter()
            .map(|t| &t.transcript.id)
            .collect::<Vec<_>>(),
        streamed
            .transcripts
            .iter()
            .map(|t| &t.transcript.id)
            .collect::<Vec<_>>()
    );
    let sorted = |errors: &[InputError]| {
        let mut v: Vec<String> = errors.iter().map(ToString::to_string).collect();
        v.sort();
        v
    };
    // A file with no line to read at all is one whole-file error; the stream has nothing.
    if !(streamed.transcripts.is_empty() && streamed.errors.is_empty()) {
        assert_eq!(sorted(&whole.errors), sorted(&streamed.errors));
    }
}

/// A rule pack from a file, compiled with its examples checked.
pub fn pack_loader(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let src = PackSource::new("fuzz.yaml", text.to_string());
    if let Err(errors) = EngineBuilder::new().pack(src).build() {
        located(&errors, text);
    }
}

/// A scorecard, resolved against the built-in packs.
pub fn scorecard_loader(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let src = ScorecardSource {
        origin: "fuzz.yaml".into(),
        text: text.to_string(),
        builtin: false,
    };
    if let Err(errors) = Scorecard::compile(&src, builtin_engine(), &[]) {
        located(&errors, text);
    }
}

/// A `tonecheck.yaml`.
pub fn config_loader(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = config::parse_config("tonecheck.yaml", text) {
        located(&[e], text);
    }
}
