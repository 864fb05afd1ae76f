//! Reading input files into transcripts: byte-level checks (binary, UTF-8, empty), format
//! detection, and one reader per format. A new format is one file plus one `READERS` line.
pub mod assemblyai;
pub mod aws_analytics;
pub mod aws_pca;
pub mod aws_transcribe;
pub mod csv;
pub mod deepgram;
pub mod jsonl;
pub mod jsonval;
pub mod markdown;
pub mod native;
pub mod plain;
pub mod roles;
pub mod srt;
pub mod vtt;
pub mod walk;
pub mod whisper;

use std::borrow::Cow;
use std::cell::OnceCell;
use std::fmt;
use std::path::Path;

pub use roles::RoleMap;

use crate::transcript::{Mode, Role, Segment, Transcript, Turn};
use jsonval::{JsonError, Lines, Node};

/// A problem with one input file. It never stops the batch: the file is reported and the
/// rest are still checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub path: String,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "{}:{}: {}", self.path, l, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

impl std::error::Error for InputError {}

/// How to read files: from config and flags.
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Forces script or conversation mode; otherwise front matter decides, then conversation.
    pub mode: Option<Mode>,
    /// Forces a reader by name (`--input-format`).
    pub format: Option<String>,
    /// The user's label → role map: `--agent`/`--customer` over the config's `roles:`.
    pub roles: RoleMap,
    /// Column names for CSV exports, where they are not the recognised ones.
    pub csv: csv::Columns,
}

/// One input file's text, with its JSON tree parsed at most once (several readers look at it
/// to decide whether the file is theirs).
pub struct Source<'a> {
    pub path: &'a str,
    pub text: &'a str,
    json: OnceCell<Result<Node<'a>, JsonError>>,
    lines: OnceCell<Lines<'a>>,
}

impl<'a> Source<'a> {
    pub fn new(path: &'a str, text: &'a str) -> Source<'a> {
        Source {
            path,
            text,
            json: OnceCell::new(),
            lines: OnceCell::new(),
        }
    }

    /// The file as one JSON document, or an error with the line and column of the problem.
    pub fn json(&self) -> Result<&Node<'a>, InputError> {
        self.json
            .get_or_init(|| jsonval::parse(self.text))
            .as_ref()
            .map_err(|e| {
                let (line, col) = self.lines().line_col(e.at);
                self.error(
                    Some(line),
                    format!("invalid JSON at line {line}, column {col}: {}", e.message),
                )
            })
    }

    /// The JSON tree when the text looks like and parses as JSON (for detection).
    pub fn json_if_any(&self) -> Option<&Node<'a>> {
        if !self.text.trim_start().starts_with(['{', '[']) {
            return None;
        }
        // The raw result: a failed parse is not worth locating here.
        self.json
            .get_or_init(|| jsonval::parse(self.text))
            .as_ref()
            .ok()
    }

    pub fn lines(&self) -> &Lines<'a> {
        self.lines.get_or_init(|| Lines::new(self.text))
    }

    pub fn error(&self, line: Option<usize>, message: String) -> InputError {
        InputError {
            path: self.path.to_string(),
            line,
            message,
        }
    }

    /// An error about the JSON value starting at byte `at`.
    pub fn error_at(&self, at: usize, message: String) -> InputError {
        self.error(Some(self.lines().line(at)), message)
    }
}

type ReadFn =
    fn(&Source, &ReadOptions, &mut Vec<InputError>) -> Result<Vec<Transcript>, InputError>;

/// A format reader: its name (for `--input-format`), the extensions it claims, whether a
/// file's content is in its format, and its parser. A reader may report a problem with part
/// of a file (one bad line of a JSONL file, one call of a CSV export) in the error list and
/// still return the rest.
pub struct Reader {
    pub name: &'static str,
    pub extensions: &'static [&'static str],
    /// One line for `--input-format` errors and docs.
    pub description: &'static str,
    pub accepts: fn(&Source) -> bool,
    pub read: ReadFn,
}

/// The readers, in detection order. Plain text is the fallback for any extension.
pub const READERS: &[Reader] = &[
    plain::READER,
    vtt::READER,
    srt::READER,
    native::READER,
    jsonl::READER,
    aws_analytics::READER,
    aws_transcribe::READER,
    aws_pca::READER,
    deepgram::READER,
    assemblyai::READER,
    whisper::READER,
    csv::READER,
];

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
}

/// Extensions the directory walk picks up (explicitly named files are read whatever their name).
pub fn is_transcript_path(path: &Path) -> bool {
    extension(path).is_some_and(|e| READERS.iter().any(|r| r.extensions.contains(&e.as_str())))
}

/// Every extension some reader claims, for messages.
pub fn known_extensions() -> Vec<&'static str> {
    let mut v: Vec<&str> = Vec::new();
    for e in READERS.iter().flat_map(|r| r.extensions.iter().copied()) {
        if !v.contains(&e) {
            v.push(e);
        }
    }
    v
}

pub fn reader_names() -> Vec<&'static str> {
    READERS.iter().map(|r| r.name).collect()
}

/// Picks the reader for a file: `--input-format`, else the readers claiming the extension
/// that accept the content, else (for text and unknown extensions) whichever reader
/// recognises the content, falling back to plain text.
fn choose(src: &Source, opts: &ReadOptions) -> Result<&'static Reader, InputError> {
    if let Some(name) = &opts.format {
        return READERS.iter().find(|r| r.name == name).ok_or_else(|| {
            src.error(
                None,
                format!(
                    "unknown input format `{name}` (known: {})",
                    reader_names().join(", ")
                ),
            )
        });
    }
    let ext = extension(Path::new(src.path)).unwrap_or_default();
    let claimed: Vec<&'static Reader> = READERS
        .iter()
        .filter(|r| r.extensions.contains(&ext.as_str()))
        .collect();
    let plain_like = claimed.is_empty() || claimed.iter().any(|r| r.name == "plain");
    if plain_like {
        if let Some(r) = READERS.iter().skip(1).find(|r| (r.accepts)(src)) {
            return Ok(r);
        }
        if src.json_if_any().is_some() {
            // JSON that no reader knows: `Agent: text` advice would point the wrong way.
            let json: Vec<&Reader> = READERS
                .iter()
                .filter(|r| r.extensions.contains(&"json"))
                .collect();
            return Err(unknown_shape(src, &json));
        }
        return Ok(&READERS[0]);
    }
    if let [only] = claimed.as_slice() {
        // The one reader of this extension; its own parser says best what is wrong.
        return Ok(only);
    }
    if let Some(r) = claimed.iter().find(|r| (r.accepts)(src)) {
        return Ok(r);
    }
    // Several formats share the extension (JSON): say which shapes were expected.
    if ext == "json" {
        src.json()?;
    }
    Err(unknown_shape(src, &claimed))
}

/// The name of the reader that reads `text` (as `decode` gives it) from `path`, or the error
/// that says no reader does.
pub fn reader_for(path: &str, text: &str, opts: &ReadOptions) -> Result<&'static str, InputError> {
    choose(&Source::new(path, text), opts).map(|r| r.name)
}

fn unknown_shape(src: &Source, expected: &[&Reader]) -> InputError {
    src.error(
        None,
        format!(
            "not a transcript format tonecheck knows; expected one of: {} (or force one with --input-format)",
            expected
                .iter()
                .map(|r| format!("{} ({})", r.name, r.description))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    )
}

/// Reads one file's bytes into transcripts; the first problem fails the whole file.
pub fn read_bytes(
    path: &str,
    bytes: &[u8],
    opts: &ReadOptions,
) -> Result<Vec<Transcript>, InputError> {
    let (transcripts, errors) = read_all(path, bytes, opts);
    match errors.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(transcripts),
    }
}

/// Reads one file's bytes into transcripts, with every check a batch needs to stay safe.
/// Returns what could be read and every problem (a JSONL file with one bad line still gives
/// its other transcripts).
pub fn read_all(
    path: &str,
    bytes: &[u8],
    opts: &ReadOptions,
) -> (Vec<Transcript>, Vec<InputError>) {
    match read_checked(path, bytes, opts) {
        Ok(r) => r,
        Err(e) => (Vec::new(), vec![e]),
    }
}

fn read_checked(
    path: &str,
    bytes: &[u8],
    opts: &ReadOptions,
) -> Result<(Vec<Transcript>, Vec<InputError>), InputError> {
    let text = decode(path, bytes, opts)?;
    let src = Source::new(path, &text);
    let reader = choose(&src, opts)?;
    let mut errors = Vec::new();
    let transcripts = (reader.read)(&src, opts, &mut errors)?;
    Ok((transcripts, errors))
}

/// A file's bytes as the text every reader sees (and every line and column counts in):
/// UTF-16 with a byte-order mark decoded, a UTF-8 byte-order mark dropped; binary, invalid
/// and (outside script mode) empty files are errors.
pub fn decode<'b>(
    path: &str,
    bytes: &'b [u8],
    opts: &ReadOptions,
) -> Result<Cow<'b, str>, InputError> {
    let err = |line: Option<usize>, message: String| InputError {
        path: path.to_string(),
        line,
        message,
    };
    // UTF-16 with a byte-order mark (Windows "Unicode" exports) is decoded; without one it
    // is named, not called binary.
    if let Some(text) = utf16(bytes) {
        return match text {
            Ok(text) => decode(path, text.as_bytes(), opts).map(|t| Cow::Owned(t.into_owned())),
            Err(at) => Err(err(
                None,
                format!("invalid UTF-16 after {at} characters; save the file as UTF-8"),
            )),
        };
    }
    if looks_like_utf16(bytes) {
        return Err(err(
            None,
            "looks like UTF-16 without a byte-order mark; save the file as UTF-8".into(),
        ));
    }
    if let Some(pos) = memchr::memchr(0, bytes) {
        let line = bytes[..pos].iter().filter(|&&b| b == b'\n').count() + 1;
        return Err(err(
            Some(line),
            "binary file (contains a NUL byte); skipped".into(),
        ));
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let line = good.iter().filter(|&&b| b == b'\n').count() + 1;
            // In characters, like every other column (`good` is valid UTF-8).
            let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            let col = std::str::from_utf8(&good[line_start..]).map_or(0, |s| s.chars().count()) + 1;
            return Err(err(
                Some(line),
                format!(
                    "invalid UTF-8 at line {line}, column {col} (byte {}); save the file as UTF-8",
                    e.valid_up_to()
                ),
            ));
        }
    };
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    // An empty macro file is fine in script mode; an empty transcript is a broken export.
    if text.trim().is_empty() && opts.mode != Some(Mode::Script) {
        return Err(err(None, "empty file: no conversation to check".into()));
    }
    Ok(Cow::Borrowed(text))
}

/// Largest input file read. A transcript takes several times its size in memory while it
/// is checked, so bigger files (and endless streams such as `/dev/zero`) are refused with an
/// error after reading this much; split them.
pub const MAX_FILE_BYTES: u64 = 128 << 20;

/// The bytes of a file, a FIFO or device (`<(cmd)`), or standard input for `-`, up to
/// `MAX_FILE_BYTES`; the error is the message to report.
pub fn read_file_bytes(path: &Path) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let mut buf = Vec::new();
    let got = if path.as_os_str() == "-" {
        std::io::stdin()
            .lock()
            .take(MAX_FILE_BYTES + 1)
            .read_to_end(&mut buf)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut buf))
    };
    match got {
        Err(e) => Err(format!("cannot read: {e}")),
        Ok(_) if buf.len() as u64 > MAX_FILE_BYTES => Err(format!(
            "larger than the {} MiB limit for one input file; not checked (split it)",
            MAX_FILE_BYTES >> 20
        )),
        Ok(_) => Ok(buf),
    }
}

/// Decodes UTF-16 that starts with a byte-order mark; `None` when there is none, `Err` with
/// the number of characters before a broken code unit.
fn utf16(bytes: &[u8]) -> Option<Result<String, usize>> {
    let le = match bytes {
        [0xFF, 0xFE, ..] => true,
        [0xFE, 0xFF, ..] => false,
        _ => return None,
    };
    let body = &bytes[2..];
    if body.len() % 2 == 1 {
        return Some(Err(body.len() / 2));
    }
    let units = body.chunks_exact(2).map(|c| {
        if le {
            u16::from_le_bytes([c[0], c[1]])
        } else {
            u16::from_be_bytes([c[0], c[1]])
        }
    });
    let mut out = String::with_capacity(body.len() / 2);
    for (i, c) in char::decode_utf16(units).enumerate() {
        match c {
            Ok(c) => out.push(c),
            Err(_) => return Some(Err(i)),
        }
    }
    Some(Ok(out))
}

/// Text in UTF-16 without a mark: most characters are ASCII, so every other byte is NUL.
fn looks_like_utf16(bytes: &[u8]) -> bool {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 8 {
        return false;
    }
    let zeros = |offset: usize| {
        sample
            .iter()
            .skip(offset)
            .step_by(2)
            .filter(|&&b| b == 0)
            .count()
    };
    let half = sample.len() / 2;
    let (even, odd) = (zeros(0), zeros(1));
    (odd * 10 >= half * 9 && even == 0) || (even * 10 >= half * 9 && odd == 0)
}

/// Reads a file from disk (or standard input for `-`).
pub fn read_path(path: &Path, opts: &ReadOptions) -> Result<Vec<Transcript>, InputError> {
    let shown = path.display().to_string();
    let bytes = read_file_bytes(path).map_err(|message| InputError {
        path: shown.clone(),
        line: None,
        message,
    })?;
    read_bytes(&shown, &bytes, opts)
}

/// A transcript id from a path: the file name without its extension.
pub fn id_from_path(path: &str) -> String {
    Path::new(path)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(path)
        .to_string()
}

/// What every reader does last: mode, then roles (per transcript).
pub fn finish(t: &mut Transcript, opts: &ReadOptions) {
    if let Some(m) = opts.mode {
        t.mode = m;
    }
    match t.mode {
        Mode::Conversation => roles::resolve(t, &opts.roles),
        Mode::Script => {
            for turn in &mut t.turns {
                turn.role = Role::Agent;
            }
        }
    }
}

/// The JSON string `text` trimmed, and the line and column where that trimmed text starts in
/// the source (exact up to its first escape: leading escaped blanks such as `\n ` are
/// skipped as written).
fn json_text<'n>(src: &Source, text: &'n Node) -> (&'n str, usize, usize) {
    let raw = text.as_str().unwrap_or("");
    let lead = raw.len() - raw.trim_start().len();
    let at = jsonval::string_offset(src.text, text.at, lead);
    let (line, col) = src.lines().line_col(at);
    (raw.trim(), line, col)
}

/// A turn whose text is the JSON string `text` (trimmed), placed at that string in the source.
pub fn json_turn(
    src: &Source,
    speaker: &str,
    role: Role,
    text: &Node,
    start: Option<f64>,
    end: Option<f64>,
) -> Turn {
    let (body, line, col) = json_text(src, text);
    let mut turn = Turn::new(speaker, role, body, line);
    turn.segments[0].column = col;
    turn.start = start;
    turn.end = end;
    turn
}

/// Builds a turn word by word (vendor outputs that give words, not sentences): each word is
/// a segment placed at its JSON string, so a finding points at the word it starts in.
#[derive(Default)]
pub struct WordTurn {
    pub turn: Option<Turn>,
}

impl WordTurn {
    /// Adds a word; punctuation (`,` `.` `?` …) joins the previous word without a space.
    pub fn push(
        &mut self,
        src: &Source,
        speaker: &str,
        word: &Node,
        start: Option<f64>,
        end: Option<f64>,
    ) {
        let (w, line, col) = json_text(src, word);
        if w.is_empty() {
            return;
        }
        let turn = self.turn.get_or_insert_with(|| {
            let mut t = Turn::new(speaker, Role::Other, "", line);
            t.segments.clear();
            t.start = start;
            t
        });
        let punct = w.chars().all(|c| c.is_ascii_punctuation());
        if !turn.text.is_empty() && !punct {
            turn.text.push(' ');
        }
        turn.segments.push(Segment {
            offset: turn.text.len(),
            line,
            column: col,
        });
        turn.text.push_str(w);
        if turn.start.is_none() && turn.end.is_none() {
            turn.start = start;
        }
        if end.is_some() {
            turn.end = end;
        }
    }

    pub fn take(&mut self) -> Option<Turn> {
        self.turn.take().filter(|t| !t.text.is_empty())
    }

    /// Whether a word starting at `start` comes after a pause long enough to end the turn.
    pub fn pause_before(&self, start: Option<f64>) -> bool {
        self.turn
            .as_ref()
            .and_then(|t| t.end)
            .zip(start)
            .is_some_and(|(e, s)| s - e > MERGE_MAX_GAP_SECONDS)
    }
}

/// Consecutive segments of one speaker further apart than this stay separate turns, so that
/// the silence between them is still seen.
const MERGE_MAX_GAP_SECONDS: f64 = 2.0;

/// Joins consecutive turns of the same speaker (speech-to-text output splits one turn into
/// sentences or segments; the rules count turns as a listener hears them).
pub fn merge_same_speaker(turns: Vec<Turn>) -> Vec<Turn> {
    let mut out: Vec<Turn> = Vec::with_capacity(turns.len());
    for t in turns {
        let close = |prev: &Turn| {
            prev.end
                .zip(t.start)
                .is_none_or(|(e, s)| s - e <= MERGE_MAX_GAP_SECONDS)
        };
        match out.last_mut() {
            Some(prev) if prev.speaker == t.speaker && prev.role == t.role && close(prev) => {
                let shift = prev.text.len() + 1;
                prev.text.push(' ');
                prev.text.push_str(&t.text);
                prev.segments
                    .extend(t.segments.into_iter().map(|s| Segment {
                        offset: s.offset + shift,
                        ..s
                    }));
                // A start taken from the later part only when the earlier had no time at
                // all: after an end without a start, it would start after it ends.
                if prev.start.is_none() && prev.end.is_none() {
                    prev.start = t.start;
                }
                if t.end.is_some() {
                    prev.end = t.end;
                }
            }
            _ => out.push(t),
        }
    }
    out
}

/// Rejects times that go backwards: a turn ending before it starts, or starting (or, without
/// a start, ending) before the turn before it started. `what` names the turns for the message ("utterance", "cue").
pub fn check_times(src: &Source, turns: &[Turn], what: &str) -> Result<(), InputError> {
    let mut prev: Option<f64> = None;
    for (i, t) in turns.iter().enumerate() {
        if let (Some(s), Some(e)) = (t.start, t.end) {
            if e < s {
                return Err(src.error(
                    Some(t.line()),
                    format!(
                        "{what} {} ends at {e:.2} s, before it starts at {s:.2} s",
                        i + 1
                    ),
                ));
            }
        }
        if let (Some(p), Some(s)) = (prev, t.start) {
            if s < p {
                return Err(src.error(
                    Some(t.line()),
                    format!(
                        "times go backwards: {what} {} starts at {s:.2} s, before the one before it ({p:.2} s)",
                        i + 1
                    ),
                ));
            }
        }
        // A turn with only an end may not end before the one before it started: joined
        // with that turn (same speaker), it would end before it starts.
        if let (Some(p), None, Some(e)) = (prev, t.start, t.end) {
            if e < p {
                return Err(src.error(
                    Some(t.line()),
                    format!(
                        "times go backwards: {what} {} ends at {e:.2} s, before the one before it starts ({p:.2} s)",
                        i + 1
                    ),
                ));
            }
        }
        if t.start.is_some() {
            prev = t.start;
        }
    }
    Ok(())
}

/// An optional time field of a JSON object, in seconds (`scale` 0.001 for milliseconds);
/// a value of the wrong type is an error naming the field and its line.
pub fn json_time(
    src: &Source,
    obj: &Node,
    key: &str,
    scale: f64,
    what: &str,
) -> Result<Option<f64>, InputError> {
    match obj.get(key) {
        None => Ok(None),
        Some(n) if n.val == jsonval::Val::Null => Ok(None),
        Some(n) => match n.as_number() {
            Some(v) if v >= 0.0 => Ok(Some(v * scale)),
            Some(v) => Err(src.error_at(n.at, format!("`{key}` of {what} is negative ({v})"))),
            None => Err(src.error_at(
                n.at,
                format!("`{key}` of {what} must be a number, not {}", n.kind()),
            )),
        },
    }
}

/// A required string field of a JSON object.
pub fn json_str<'n, 'a>(
    src: &Source,
    obj: &'n Node<'a>,
    key: &str,
    what: &str,
) -> Result<&'n Node<'a>, InputError> {
    match obj.get(key) {
        Some(n) if n.as_str().is_some() => Ok(n),
        Some(n) => Err(src.error_at(
            n.at,
            format!("`{key}` of {what} must be a string, not {}", n.kind()),
        )),
        None => Err(src.error_at(obj.at, format!("{what} has no `{key}`"))),
    }
}

/// A required array field of a JSON object.
pub fn json_array<'n, 'a>(
    src: &Source,
    obj: &'n Node<'a>,
    key: &str,
    what: &str,
) -> Result<&'n [Node<'a>], InputError> {
    match obj.get(key) {
        Some(n) => n.as_array().ok_or_else(|| {
            src.error_at(
                n.at,
                format!("`{key}` of {what} must be an array, not {}", n.kind()),
            )
        }),
        None => Err(src.error_at(obj.at, format!("{what} has no `{key}`"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by fuzzing (aws-pca): a segment with an end but no start, earlier than the
    /// segment before it, was joined to it (same speaker), and the joined turn ended at 0 s
    /// after starting at 8.9 s.
    #[test]
    fn an_end_without_a_start_may_not_go_back_in_time() {
        let seg = |start: &str, end: &str| {
            format!("{{\"SegmentSpeaker\": \"spk_0\", \"DisplayText\": \"hi\"{start}, \"SegmentEndTime\": {end}}}")
        };
        let text = format!(
            "{{\"SpeechSegments\": [\n{},\n{}]}}",
            seg(", \"SegmentStartTime\": 8.9", "12.0"),
            seg("", "0")
        );
        let e = read_bytes("x.json", text.as_bytes(), &ReadOptions::default()).unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        assert!(
            e.message
                .contains("ends at 0.00 s, before the one before it starts (8.90 s)"),
            "{e}"
        );
        let text = text.replace("\"SegmentEndTime\": 0}", "\"SegmentEndTime\": 13}");
        let t = read_bytes("x.json", text.as_bytes(), &ReadOptions::default()).unwrap();
        assert_eq!(
            (t[0].turns[0].start, t[0].turns[0].end),
            (Some(8.9), Some(13.0))
        );
    }

    /// Found by cargo-fuzz (whisper, aws-call-analytics, aws-transcribe targets): a segment
    /// with an end but no start, joined with the next segment of its speaker, took that
    /// segment's later start and ended before it started (3.8 s to 3.2 s).
    #[test]
    fn a_joined_turn_never_starts_after_it_ends() {
        let text = r#"{"segments": [
            {"speaker": "A", "text": "hi", "end": 3.2},
            {"speaker": "A", "text": "there", "start": 3.8},
            {"speaker": "B", "text": "yo", "start": 5}]}"#;
        let t = read_bytes("x.json", text.as_bytes(), &ReadOptions::default()).unwrap();
        let turn = &t[0].turns[0];
        assert_eq!(turn.text, "hi there");
        assert_eq!((turn.start, turn.end), (None, Some(3.2)));
    }
}
