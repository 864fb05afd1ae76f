//! Reading input files into transcripts: byte-level checks (binary, UTF-8, empty), format
//! detection, and one reader per format. A new format is one file plus one `READERS` line.
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
    // UTF-16 with a byte-order mark (Windows "Unicode" exports) is decoded; without one it
    // is named, not called binary.
    if let Some(text) = utf16(bytes) {
        return match text {
            Ok(text) => read_bytes(path, text.as_bytes(), opts),
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
    if text.trim().is_empty() {
        return Err(err(None, "empty file: no conversation to check".into()));
    }
    let reader = pick_reader(path, opts)?;
    (reader.read)(path, text, opts)
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
