//! Expanding the user's paths into a sorted list of files: .gitignore and .ignore respected,
//! hidden files skipped, symlinks not followed (so loops are impossible).
use std::path::{Path, PathBuf};

use super::{is_transcript_path, known_extensions, InputError};

/// How many skipped files a "nothing to check" warning names.
const SKIPPED_SHOWN: usize = 3;

/// Files to check, sorted and de-duplicated, plus errors for paths that cannot be walked.
pub fn collect(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<InputError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for root in paths {
        if root.as_os_str() == "-" {
            files.push(root.clone());
            continue;
        }
        match std::fs::metadata(root) {
            // A named FIFO, device or process substitution (`<(cmd)`) is read as a stream;
            // only folders are walked.
            Ok(m) if !m.is_dir() => {
                files.push(root.clone());
                continue;
            }
            Ok(_) => {}
            Err(e) => {
                errors.push(InputError {
                    path: root.display().to_string(),
                    line: None,
                    message: format!("cannot read: {e}"),
                });
                continue;
            }
        }
        let walker = ignore::WalkBuilder::new(root)
            .hidden(true)
            .git_ignore(true)
            .git_global(false)
            .git_exclude(true)
            .require_git(false)
            .ignore(true)
            .parents(true)
            .follow_links(false)
            .sort_by_file_path(|a, b| a.cmp(b))
            .build();
        let before = files.len();
        let mut skipped: Vec<String> = Vec::new();
        let mut skipped_count = 0usize;
        for entry in walker {
            match entry {
                Ok(e) => {
                    if !e.file_type().is_some_and(|t| t.is_file()) {
                        continue;
                    }
                    if is_transcript_path(e.path()) {
                        files.push(e.into_path());
                    } else {
                        skipped_count += 1;
                        if skipped.len() < SKIPPED_SHOWN {
                            skipped.push(display(e.path()));
                        }
                    }
                }
                Err(err) => errors.push(InputError {
                    path: error_path(&err).unwrap_or_else(|| root.display().to_string()),
                    line: None,
                    message: format!("cannot walk: {}", err),
                }),
            }
        }
        // A folder with nothing to check must not pass a CI job silently.
        if files.len() == before {
            let exts = known_extensions()
                .iter()
                .map(|e| format!(".{e}"))
                .collect::<Vec<_>>()
                .join(" ");
            let found = match skipped_count {
                0 => "the folder has no files".to_string(),
                n => format!(
                    "{n} file{} skipped, none of them a transcript ({}{})",
                    if n == 1 { "" } else { "s" },
                    skipped.join(", "),
                    if n > skipped.len() { ", …" } else { "" }
                ),
            };
            errors.push(InputError {
                path: display(root),
                line: None,
                message: format!(
                    "nothing to check: {found}; transcripts are files ending in {exts} (hidden and .gitignored files are skipped)"
                ),
            });
        }
    }
    files.sort();
    files.dedup();
    (files, errors)
}

fn error_path(err: &ignore::Error) -> Option<String> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path.display().to_string()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

/// Shown path: relative paths as given, without a leading `./`. Bytes of a name that are not
/// UTF-8 are written `\xNN`, so the shown path still tells two such files apart (the JSON
/// formats add the exact bytes; see `raw_bytes`).
pub fn display(path: &Path) -> String {
    let s = match path.to_str() {
        Some(s) => s.to_string(),
        None => escape_bytes(&raw_bytes(path)),
    };
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// The bytes of a path's name as the operating system holds them.
pub fn raw_bytes(path: &Path) -> Vec<u8> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        path.as_os_str().as_bytes().to_vec()
    }
    #[cfg(not(unix))]
    {
        path.to_string_lossy().into_owned().into_bytes()
    }
}

fn escape_bytes(b: &[u8]) -> String {
    let mut out = String::new();
    for chunk in b.utf8_chunks() {
        out.push_str(chunk.valid());
        for x in chunk.invalid() {
            out.push_str(&format!("\\x{x:02x}"));
        }
    }
    out
}
