//! JSON Lines: one tonecheck JSON transcript per line, the streaming form for pipes and job
//! runners (`-` reads standard input). A bad line is reported with its number; the other
//! lines are still checked.
use super::jsonval::parse_range;
use super::{id_from_path, native, InputError, ReadOptions, Reader, Source};
use crate::transcript::Transcript;

pub const READER: Reader = Reader {
    name: "jsonl",
    extensions: &["jsonl", "ndjson"],
    description: "one tonecheck JSON transcript per line",
    accepts,
    read,
};

/// Non-blank lines as (1-based number, byte range). Blank is JSON's whitespace only, as
/// `score -` judges a streamed line (`batch::run_lines`): a line of no-break spaces is a bad
/// line, not a skipped one.
fn lines(text: &str) -> impl Iterator<Item = (usize, std::ops::Range<usize>)> + '_ {
    let mut at = 0;
    text.split_inclusive('\n')
        .enumerate()
        .filter_map(move |(i, l)| {
            let start = at;
            at += l.len();
            (!l.trim_ascii().is_empty()).then(|| (i + 1, start..start + l.trim_end().len()))
        })
}

fn accepts(src: &Source) -> bool {
    lines(src.text)
        .next()
        .is_some_and(|(_, r)| parse_range(src.text, r).is_ok_and(|n| n.get("turns").is_some()))
}

fn read(
    src: &Source,
    opts: &ReadOptions,
    errors: &mut Vec<InputError>,
) -> Result<Vec<Transcript>, InputError> {
    let stem = id_from_path(src.path);
    let mut out = Vec::new();
    for (n, range) in lines(src.text) {
        let what = format!("line {n}");
        let node = match parse_range(src.text, range.clone()) {
            Ok(node) => node,
            Err(e) => {
                let (_, col) = src.lines().line_col(e.at);
                errors.push(src.error(
                    Some(n),
                    format!("invalid JSON at line {n}, column {col}: {}", e.message),
                ));
                continue;
            }
        };
        match native::transcript(src, &node, &format!("{stem}:{n}"), opts, &what) {
            Ok(t) => out.push(t),
            Err(e) => errors.push(e),
        }
    }
    if out.is_empty() && errors.is_empty() {
        return Err(src.error(None, "no transcripts".into()));
    }
    Ok(out)
}

/// Reads line `n` (1-based) of a JSON Lines stream on its own, for `score -`/`check -`,
/// which check standard input one line at a time: the transcript gets the id, line numbers
/// and errors it would get if the whole stream had been read at once.
pub fn read_line(
    path: &str,
    n: usize,
    bytes: &[u8],
    opts: &ReadOptions,
) -> Result<Transcript, InputError> {
    let err = |message: String| InputError {
        path: path.to_string(),
        line: Some(n),
        message,
    };
    if bytes.contains(&0) {
        return Err(err("binary data (a NUL byte) on this line; skipped".into()));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        err(format!(
            "invalid UTF-8 at line {n}, byte {} of the line; save the input as UTF-8",
            e.valid_up_to() + 1
        ))
    })?;
    let text = if n == 1 {
        text.strip_prefix('\u{FEFF}').unwrap_or(text)
    } else {
        text
    };
    let text = text.trim_end();
    let src = Source::new(path, text);
    let node = parse_range(text, 0..text.len()).map_err(|e| {
        let (_, col) = src.lines().line_col(e.at);
        err(format!(
            "invalid JSON at line {n}, column {col}: {}",
            e.message
        ))
    })?;
    let stem = id_from_path(path);
    let what = format!("line {n}");
    let mut t = native::transcript(&src, &node, &format!("{stem}:{n}"), opts, &what)
        .map_err(|e| err(e.message))?;
    // The line was read alone, as line 1 of its own source.
    for turn in &mut t.turns {
        for seg in &mut turn.segments {
            seg.line += n - 1;
        }
    }
    for s in &mut t.suppressions {
        s.line += n - 1;
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_lines_are_reported_and_the_rest_read() {
        let text = "{\"id\":\"a\",\"turns\":[{\"speaker\":\"Agent\",\"text\":\"hi\"},{\"speaker\":\"Customer\",\"text\":\"yo\"}]}\n\n{\"id\":\"b\",\"turns\":[\n{\"id\":\"c\",\"turns\":[{\"speaker\":\"Agent\",\"text\":5}]}\n";
        let src = Source::new("x.jsonl", text);
        assert!(accepts(&src));
        let mut errors = Vec::new();
        let ts = read(&src, &ReadOptions::default(), &mut errors).unwrap();
        assert_eq!(ts.len(), 1);
        assert_eq!(ts[0].id, "a");
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0].line, Some(3));
        assert!(errors[0].message.contains("truncated"), "{}", errors[0]);
        assert_eq!(errors[1].line, Some(4));
        // Line by line, as `-` streams it: the same transcripts, ids, lines and errors.
        let opts = ReadOptions::default();
        let by_line: Vec<Result<Transcript, InputError>> = text
            .split_inclusive('\n')
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| read_line("x.jsonl", i + 1, l.as_bytes(), &opts))
            .collect();
        assert_eq!(by_line[0].as_ref().unwrap(), &ts[0]);
        let lines: Vec<Option<usize>> = by_line[1..]
            .iter()
            .map(|r| r.as_ref().unwrap_err().line)
            .collect();
        assert_eq!(lines, [Some(3), Some(4)]);
        assert_eq!(by_line[1].as_ref().unwrap_err().message, errors[0].message);
        assert_eq!(by_line[2].as_ref().unwrap_err().message, errors[1].message);
    }

    /// Found by fuzzing: `score -` and reading the file disagreed on a line of Unicode
    /// blanks (skipped by one, an error in the other) and on a byte-order mark alone on the
    /// first line (an error when streamed).
    #[test]
    fn streamed_and_whole_file_reads_agree_on_blank_lines() {
        use crate::batch::{check_bytes, run_lines};
        use crate::engine::EngineBuilder;
        use std::sync::atomic::AtomicBool;
        static NEVER: AtomicBool = AtomicBool::new(false);
        let engine = EngineBuilder::new().build().unwrap();
        let opts = ReadOptions {
            format: Some("jsonl".into()),
            ..Default::default()
        };
        let ok = "{\"turns\": [{\"speaker\": \"Agent\", \"text\": \"hi\"}, {\"speaker\": \"Customer\", \"text\": \"yo\"}]}";
        for text in [
            format!("{ok}\n \u{a0}\n{ok}\n"),
            format!("\u{feff}\n{ok}\n"),
        ] {
            let whole = check_bytes(
                std::path::Path::new("-"),
                text.clone().into_bytes(),
                &engine,
                &opts,
                false,
                None,
            );
            let (mut ts, mut errors) = (Vec::new(), Vec::new());
            let input = Box::new(std::io::Cursor::new(text.clone().into_bytes()));
            run_lines(input, "-", &engine, &opts, 1, &NEVER, |r| {
                ts.extend(r.transcripts.into_iter().map(|t| t.transcript));
                errors.extend(r.errors);
                true
            });
            let whole_ts: Vec<Transcript> = whole
                .transcripts
                .into_iter()
                .map(|t| t.transcript)
                .collect();
            assert_eq!(whole_ts, ts, "{text:?}");
            assert_eq!(whole.errors, errors, "{text:?}");
        }
    }
}
