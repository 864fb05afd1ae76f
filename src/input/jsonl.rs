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

/// Non-empty lines as (1-based number, byte range).
fn lines(text: &str) -> impl Iterator<Item = (usize, std::ops::Range<usize>)> + '_ {
    let mut at = 0;
    text.split_inclusive('\n')
        .enumerate()
        .filter_map(move |(i, l)| {
            let start = at;
            at += l.len();
            (!l.trim().is_empty()).then(|| (i + 1, start..start + l.trim_end().len()))
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
    }
}
