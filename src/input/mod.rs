//! Reading input files into transcripts: byte-level checks (binary, UTF-8, empty), format
//! detection, and one reader per format. A new format is one file plus one `READERS` line.
pub mod markdown;
pub mod plain;
pub mod roles;
pub mod walk;

use std::fmt;
use std::path::Path;

pub use roles::RoleMap;

use crate::transcript::{Mode, Transcript};

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
    pub roles: RoleMap,
}

type ReadFn = fn(&str, &str, &ReadOptions) -> Result<Vec<Transcript>, InputError>;

/// A format reader: its name, the extensions it claims, and its parser.
pub struct Reader {
    pub name: &'static str,
    pub extensions: &'static [&'static str],
    pub read: ReadFn,
}

/// The readers, in detection order. Plain text is the fallback for any extension.
pub const READERS: &[Reader] = &[Reader {
    name: "plain",
    extensions: &["txt", "md", "text"],
    read: plain::read,
}];

/// Extensions the directory walk picks up (explicitly named files are read whatever their name).
pub fn is_transcript_path(path: &Path) -> bool {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    ext.is_some_and(|e| READERS.iter().any(|r| r.extensions.contains(&e.as_str())))
}

pub fn reader_names() -> Vec<&'static str> {
    READERS.iter().map(|r| r.name).collect()
}

fn pick_reader(path: &str, opts: &ReadOptions) -> Result<&'static Reader, InputError> {
    if let Some(name) = &opts.format {
        return READERS
            .iter()
            .find(|r| r.name == name)
            .ok_or_else(|| InputError {
                path: path.to_string(),
                line: None,
                message: format!(
                    "unknown input format `{name}` (known: {})",
                    reader_names().join(", ")
                ),
            });
    }
    let ext = Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    Ok(ext
        .and_then(|e| READERS.iter().find(|r| r.extensions.contains(&e.as_str())))
        .unwrap_or(&READERS[0]))
}

/// Reads one file's bytes into transcripts, with every check a batch needs to stay safe.
pub fn read_bytes(
    path: &str,
    bytes: &[u8],
    opts: &ReadOptions,
) -> Result<Vec<Transcript>, InputError> {
    let err = |line: Option<usize>, message: String| InputError {
        path: path.to_string(),
        line,
        message,
    };
    if let Some(pos) = bytes.iter().position(|&b| b == 0) {
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
    let reader = pick_reader(path, opts)?;
    (reader.read)(path, text, opts)
}

/// Reads a file from disk (or standard input for `-`).
pub fn read_path(path: &Path, opts: &ReadOptions) -> Result<Vec<Transcript>, InputError> {
    let shown = path.display().to_string();
    let bytes = if shown == "-" {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut buf).map(|_| buf)
    } else {
        std::fs::read(path)
    };
    let bytes = bytes.map_err(|e| InputError {
        path: shown.clone(),
        line: None,
        message: format!("cannot read: {e}"),
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
