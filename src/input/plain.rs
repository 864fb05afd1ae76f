//! Plain-text transcripts: optional YAML front matter, `Speaker: text` lines with optional
//! timestamps, continuation lines, inline `tonecheck: ignore` directives, and script mode.
use super::{id_from_path, markdown, roles, InputError, ReadOptions, Reader, Source};
use crate::transcript::{Metadata, Mode, Role, Segment, Suppression, Transcript, Turn};

const MAX_LABEL_BYTES: usize = 40;
const MAX_LABEL_WORDS: usize = 4;
/// Front matter is a few lines of call metadata; more than this is refused.
const MAX_FRONT_MATTER_BYTES: usize = 1 << 20;

pub const READER: Reader = Reader {
    name: "plain",
    extensions: &["txt", "md", "text"],
    description: "`Speaker: text` lines",
    accepts: |_| true,
    read,
};

fn read(
    src: &Source,
    opts: &ReadOptions,
    _: &mut Vec<InputError>,
) -> Result<Vec<Transcript>, InputError> {
    parse(src.path, src.text, opts).map(|t| vec![t])
}

/// Parses one plain-text transcript; `path` is used for the id and in errors.
pub fn parse(path: &str, text: &str, opts: &ReadOptions) -> Result<Transcript, InputError> {
    let err = |line: Option<usize>, message: String| InputError {
        path: path.to_string(),
        line,
        message,
    };
    let mut t = Transcript::new(id_from_path(path));
    let mut lines = split_lines(text)
        .enumerate()
        .map(|(i, l)| (i + 1, l))
        .peekable();
    // Front matter.
    let mut fm_mode = None;
    if lines.peek().is_some_and(|(_, l)| l.trim_end() == "---") {
        lines.next();
        let mut yaml = String::new();
        let mut closed = false;
        for (n, l) in lines.by_ref() {
            if l.trim_end() == "---" || l.trim_end() == "..." {
                closed = true;
                break;
            }
            yaml.push_str(l);
            yaml.push('\n');
            if yaml.len() > MAX_FRONT_MATTER_BYTES {
                return Err(err(
                    Some(n),
                    format!(
                        "front matter is larger than the {} KiB limit",
                        MAX_FRONT_MATTER_BYTES >> 10
                    ),
                ));
            }
        }
        if !closed {
            return Err(err(
                Some(1),
                "front matter opened with `---` is never closed".into(),
            ));
        }
        fm_mode = front_matter(&yaml, &mut t).map_err(|(line, m)| err(Some(line + 1), m))?;
    }
    t.mode = opts.mode.or(fm_mode).unwrap_or_default();
    let mut pending_ignore: Option<Vec<String>> = None;
    let mut first_unlabelled: Option<usize> = None;
    let mut blocks = markdown::Blocks::default();
    // Directives are rare: one search of the file says whether any line needs looking at.
    let directives = memchr::memmem::find(text.as_bytes(), DIRECTIVE.as_bytes()).is_some();
    for (n, raw) in lines {
        let mut line = raw.trim_end();
        if line.trim().is_empty() {
            continue;
        }
        if let Some((content, directive)) = directives.then(|| split_directive(line)).flatten() {
            match directive {
                Directive::NextLine(rules) => {
                    pending_ignore = Some(rules);
                    if content.trim().is_empty() {
                        continue;
                    }
                }
                Directive::ThisLine(rules) => t.suppressions.push(Suppression { line: n, rules }),
                Directive::File(rules) => t.suppressions.push(Suppression { line: 0, rules }),
            }
            if content.trim().is_empty() {
                continue;
            }
            line = content;
        } else if let Some(rules) = pending_ignore.take() {
            t.suppressions.push(Suppression { line: n, rules });
        }
        if t.mode == Mode::Script {
            // Markdown and plain-text macros: headings, comments, code and markup are not speech.
            if let Some(s) = markdown::speech(line, n, &mut blocks) {
                let mut turn = Turn::new("Agent", Role::Agent, s.text, n);
                turn.segments = s.segments;
                t.turns.push(turn);
            }
            continue;
        }
        let (time, until, rest_at) = timestamp(line);
        let rest = &line[rest_at..];
        match label(rest) {
            Some((speaker, text_at)) => {
                let body = rest[text_at..].trim();
                let after = &rest[text_at..];
                let col = line[..rest_at + text_at].chars().count()
                    + after[..after.len() - after.trim_start().len()]
                        .chars()
                        .count()
                    + 1;
                let mut turn = Turn::new(speaker, Role::Other, body, n);
                turn.segments[0].column = col;
                turn.start = time;
                turn.end = until;
                t.turns.push(turn);
            }
            None => match t.turns.last_mut() {
                // A timestamp alone (`[00:00:05]`, `00:01 --`) adds nothing to the turn.
                Some(_) if rest.trim().is_empty() => {}
                Some(turn) => {
                    let body = rest.trim();
                    let col = line[..rest_at].chars().count()
                        + rest[..rest.len() - rest.trim_start().len()].chars().count()
                        + 1;
                    if turn.text.is_empty() {
                        turn.segments[0] = Segment {
                            offset: 0,
                            line: n,
                            column: col,
                        };
                    } else {
                        turn.text.push(' ');
                        turn.segments.push(Segment {
                            offset: turn.text.len(),
                            line: n,
                            column: col,
                        });
                    }
                    turn.text.push_str(body);
                }
                None => {
                    first_unlabelled.get_or_insert(n);
                }
            },
        }
    }
    if t.turns.is_empty() {
        // A macro file with nothing to say yet (or only headings and code) is fine.
        if t.mode == Mode::Script {
            return Ok(t);
        }
        return Err(match (t.mode, first_unlabelled) {
            (Mode::Conversation, Some(line)) => err(
                Some(line),
                "no speaker labels found: expected lines like `Agent: text` (use --mode script for agent-only scripts)".into(),
            ),
            _ => err(None, "empty transcript: no turns to check".into()),
        });
    }
    // Turns end where the next begins, when times are known and no end was given.
    for i in 0..t.turns.len().saturating_sub(1) {
        if t.turns[i].start.is_some() && t.turns[i].end.is_none() {
            t.turns[i].end = t.turns[i + 1].start;
        }
    }
    for (i, turn) in t.turns.iter().enumerate() {
        if let Some((s, e)) = turn.start.zip(turn.end).filter(|(s, e)| e < s) {
            return Err(err(
                Some(turn.line()),
                format!(
                    "turn {} ends at {e:.2} s, before it starts at {s:.2} s",
                    i + 1
                ),
            ));
        }
    }
    if t.mode == Mode::Conversation {
        roles::resolve(&mut t, &opts.roles);
    }
    Ok(t)
}

/// Reads front matter into metadata; returns the `mode:` it sets, or (0-based line, message).
fn front_matter(yaml: &str, t: &mut Transcript) -> Result<Option<Mode>, (usize, String)> {
    if yaml.trim().is_empty() {
        return Ok(None);
    }
    let value: serde_yaml::Value =
        crate::pack::yaml::from_str("front matter", yaml).map_err(|e| {
            (
                e.line.max(1),
                format!("front matter is not valid YAML: {}", e.message),
            )
        })?;
    let serde_yaml::Value::Mapping(map) = value else {
        return Err((
            1,
            "front matter must be a mapping of `key: value` lines".into(),
        ));
    };
    let mut md = Metadata::default();
    let mut mode = None;
    for (k, v) in map {
        let key = scalar(&k);
        let val = scalar(&v);
        match key.as_str() {
            "id" => t.id = val,
            "agent" => md.agent = Some(val),
            "customer" => md.customer = Some(val),
            "call_id" => md.call_id = Some(val),
            "date" => md.date = Some(val),
            "queue" => md.queue = Some(val),
            "mode" => {
                mode = Some(match val.as_str() {
                    "script" => Mode::Script,
                    "conversation" => Mode::Conversation,
                    other => {
                        let line = crate::pack::find_key_value(yaml, "mode", other, 1);
                        return Err((
                            line.unwrap_or(1),
                            format!(
                                "front matter `mode: {other}` must be `script` or `conversation`"
                            ),
                        ));
                    }
                })
            }
            _ => {
                md.extra.insert(key, val);
            }
        }
    }
    t.metadata = md;
    Ok(mode)
}

fn scalar(v: &serde_yaml::Value) -> String {
    match v {
        serde_yaml::Value::String(s) => s.clone(),
        serde_yaml::Value::Null => String::new(),
        serde_yaml::Value::Bool(b) => b.to_string(),
        serde_yaml::Value::Number(n) => n.to_string(),
        // `tags: [refunds, billing]` in a Markdown macro's front matter reads as a list.
        serde_yaml::Value::Sequence(items) => {
            items.iter().map(scalar).collect::<Vec<_>>().join(", ")
        }
        other => serde_yaml::to_string(other)
            .unwrap_or_default()
            .trim()
            .to_string(),
    }
}

/// The lines of `text`, ended by `\n`, `\r\n` or a lone `\r` (old Mac files and some
/// exports), without their ends. Directives are found on these lines, so `suppress` splits
/// the same way.
pub(crate) fn split_lines(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (line, next) = match memchr::memchr2(b'\n', b'\r', rest.as_bytes()) {
            Some(i) => {
                let skip = if rest.as_bytes()[i..].starts_with(b"\r\n") {
                    2
                } else {
                    1
                };
                (&rest[..i], &rest[i + skip..])
            }
            None => (rest, ""),
        };
        rest = next;
        Some(line)
    })
}

/// What starts a directive comment.
const DIRECTIVE: &str = "tonecheck:";

enum Directive {
    ThisLine(Vec<String>),
    NextLine(Vec<String>),
    File(Vec<String>),
}

/// Finds `tonecheck: ignore[-next-line|-file] [RULE …]`; returns the line without it (and
/// without the comment marker before it) and the directive.
fn split_directive(line: &str) -> Option<(&str, Directive)> {
    let at = line.find(DIRECTIVE)?;
    let rest = line[at + DIRECTIVE.len()..].trim_start();
    let (kind, ids) = if let Some(r) = rest.strip_prefix("ignore-next-line") {
        (1, r)
    } else if let Some(r) = rest.strip_prefix("ignore-file") {
        (2, r)
    } else if let Some(r) = rest.strip_prefix("ignore") {
        (0, r)
    } else {
        return None;
    };
    let rules = ids
        .trim_end_matches("-->")
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let mut content = line[..at].trim_end();
    for marker in ["<!--", "//", "#", "--"] {
        if let Some(c) = content.strip_suffix(marker) {
            content = c.trim_end();
            break;
        }
    }
    Some((
        content,
        match kind {
            1 => Directive::NextLine(rules),
            2 => Directive::File(rules),
            _ => Directive::ThisLine(rules),
        },
    ))
}

/// Parses a leading timestamp: `[00:01:23]`, `00:01:23`, `(1:23)`, `[1:23.5]`, or a range
/// in brackets, `[0:05-0:09]` / `[00:00:05 --> 00:00:09]`, that also gives the end time.
/// Returns the start and end in seconds and the byte index where the rest of the line starts.
fn timestamp(line: &str) -> (Option<f64>, Option<f64>, usize) {
    let (start, at) = single_timestamp(line);
    if start.is_some() || !line.trim_start().starts_with('[') {
        return (start, None, at);
    }
    let lead = line.len() - line.trim_start().len();
    let Some(close) = line[lead..].find(']') else {
        return (None, None, 0);
    };
    let inner = &line[lead + 1..lead + close];
    let Some((a, b)) = inner.split_once("-->").or_else(|| inner.split_once('-')) else {
        return (None, None, 0);
    };
    match (parse_clock(a.trim()), parse_clock(b.trim())) {
        (Some(s), Some(e)) => {
            let at = lead + close + 1;
            let rest = &line[at..];
            let skipped = rest.len() - rest.trim_start_matches([' ', '\t', '-']).len();
            (Some(s), Some(e), at + skipped)
        }
        _ => (None, None, 0),
    }
}

fn single_timestamp(line: &str) -> (Option<f64>, usize) {
    let lead = line.len() - line.trim_start().len();
    let s = &line[lead..];
    let (open, close) = match s.as_bytes().first() {
        Some(b'[') => (1, Some(']')),
        Some(b'(') => (1, Some(')')),
        _ => (0, None),
    };
    let body = &s[open..];
    let end = body
        .find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.' || c == ','))
        .unwrap_or(body.len());
    let stamp = &body[..end];
    let Some(secs) = parse_clock(stamp) else {
        return (None, 0);
    };
    let mut at = lead + open + end;
    if let Some(c) = close {
        if !line[at..].starts_with(c) {
            return (None, 0);
        }
        at += 1;
    } else if !line[at..].starts_with([' ', '\t']) {
        return (None, 0);
    }
    let rest = &line[at..];
    let skipped = rest.len() - rest.trim_start_matches([' ', '\t', '-']).len();
    (Some(secs), at + skipped)
}

/// `H:MM:SS`, `MM:SS` with optional `.fff` or `,fff` seconds; no allocation (runs per line).
fn parse_clock(s: &str) -> Option<f64> {
    // `H:MM:SS`, `MM:SS`, the last part with an optional `.` or `,` fraction; every part
    // an unsigned number (`u32`, an optional `+`). Read bytewise: it runs on every line.
    let b = s.as_bytes();
    let parts = memchr::memchr_iter(b':', b).count() + 1;
    if !(2..=3).contains(&parts) {
        return None;
    }
    let mut secs = 0.0;
    for (i, p) in b.split(|&c| c == b':').enumerate() {
        if p.is_empty() {
            return None;
        }
        let (whole, frac) = match p.iter().position(|&c| c == b'.' || c == b',') {
            Some(k) if i + 1 == parts => (&p[..k], &p[k + 1..]),
            _ => (p, &[][..]),
        };
        let mut v = f64::from(clock_number(whole)?);
        let mut scale = 0.1;
        for &d in frac {
            if !d.is_ascii_digit() {
                return None;
            }
            v += f64::from(d - b'0') * scale;
            scale /= 10.0;
        }
        secs = secs * 60.0 + v;
    }
    Some(secs)
}

/// What `str::parse::<u32>` accepts: digits, after an optional `+`, that fit.
fn clock_number(b: &[u8]) -> Option<u32> {
    let digits = b.strip_prefix(b"+").unwrap_or(b);
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u32, |v, &c| {
        c.is_ascii_digit()
            .then(|| v.checked_mul(10)?.checked_add(u32::from(c - b'0')))
            .flatten()
    })
}

/// A speaker label at the start of `s`: up to 4 words before a colon that is followed by a
/// space or the end of the line. Returns the label and the byte index just after the colon.
pub(super) fn label(s: &str) -> Option<(&str, usize)> {
    let colon = s
        .as_bytes()
        .iter()
        .take(MAX_LABEL_BYTES + 1)
        .position(|&b| b == b':')?;
    let after = s.as_bytes().get(colon + 1);
    if after.is_some_and(|b| !b.is_ascii_whitespace()) {
        return None;
    }
    let name = s[..colon].trim();
    let first = name.chars().next()?;
    if !first.is_alphabetic()
        || name.split_whitespace().count() > MAX_LABEL_WORDS
        || !name.chars().all(|c| {
            c.is_alphanumeric() || matches!(c, ' ' | '_' | '-' | '.' | '\'' | '(' | ')' | '#')
        })
    {
        return None;
    }
    Some((name, colon + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(text: &str) -> Result<Transcript, InputError> {
        parse("calls/x.txt", text, &ReadOptions::default())
    }

    /// What the clock parser accepts (it replaced one built on `str::split` and
    /// `str::parse::<u32>`, and was checked against it on 3,000+ strings before it did).
    #[test]
    fn clock_parser_accepts_what_u32_parsing_accepts() {
        let cases: &[(&str, Option<f64>)] = &[
            ("01:02:03.5", Some(3723.5)),
            ("1:05", Some(65.0)),
            ("00:00:05,25", Some(5.25)),
            ("1:5.", Some(65.0)),
            ("+1:+2", Some(62.0)),
            ("4294967295:0", Some(4294967295.0 * 60.0)),
            ("4294967296:0", None),
            ("1:2:3:4", None),
            ("12", None),
            ("", None),
            (":", None),
            ("1:", None),
            ("1::2", None),
            ("1.5:2", None),
            ("1:.5", None),
            ("1:2.x", None),
            ("1:2.3.4", None),
            ("+:1", None),
            ("-1:2", None),
            ("1 :2", None),
            ("a:b", None),
            ("1:\u{e9}", None),
        ];
        for &(s, want) in cases {
            assert_eq!(parse_clock(s), want, "{s:?}");
        }
    }

    #[test]
    fn labels_timestamps_and_continuations() {
        let t = p("---\nagent: Sam\nqueue: billing\n---\n[00:00:05] Agent: Hello,\n  how can I help?\n(0:09) Customer: My bill.\nCustomer 2: hi\n").unwrap();
        assert_eq!(t.metadata.agent.as_deref(), Some("Sam"));
        assert_eq!(t.turns.len(), 3);
        assert_eq!(t.turns[0].text, "Hello, how can I help?");
        assert_eq!(t.turns[0].start, Some(5.0));
        assert_eq!(t.turns[0].end, Some(9.0));
        assert_eq!(t.turns[0].line(), 5);
        assert_eq!(t.turns[0].segments[0].column, 19);
        // "how" is on line 6, column 3.
        assert_eq!(t.turns[0].position(7), (6, 3));
        assert_eq!(t.turns[1].role, Role::Customer);
        assert_eq!(t.turns[1].start, Some(9.0));
    }

    /// Found by fuzzing: blanks wider than a byte (no-break space, ideographic space) before
    /// a turn's text were counted in bytes, so the column landed past the text's start.
    #[test]
    fn columns_count_unicode_blanks_as_one_character() {
        let t = p("Agent: \u{a0}\u{3000}sorry\n\u{a0} but\nCustomer: ok\n").unwrap();
        assert_eq!(t.turns[0].text, "sorry but");
        assert_eq!(t.turns[0].position(0), (1, 10));
        assert_eq!(t.turns[0].position(6), (2, 3));
    }

    /// Found by fuzzing: a line with only a timestamp added a blank to the turn before and
    /// a position with no text.
    #[test]
    fn a_timestamp_alone_adds_nothing() {
        let t = p("Agent: hi\n[00:00:05] --\nCustomer: yo\n").unwrap();
        assert_eq!(t.turns[0].text, "hi");
        assert_eq!(t.turns[0].segments.len(), 1);
    }

    #[test]
    fn no_labels_is_an_error_with_a_line() {
        let e = p("\nhello there\nmore\n").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(e.message.contains("no speaker labels"));
    }

    #[test]
    fn lone_carriage_returns_end_lines() {
        let t = p("Customer: hi\rAgent: hello\r\nCustomer: bye\r").unwrap();
        assert_eq!(t.turns.len(), 3);
        assert_eq!(t.turns[1].line(), 2);
        assert_eq!(t.turns[2].text, "bye");
        let lines: Vec<&str> = split_lines("a\n\nb\r\n\rc").collect();
        assert_eq!(lines, ["a", "", "b", "", "c"]);
    }

    #[test]
    fn bad_front_matter_mode_is_reported_at_its_line() {
        let e = p("---\nid: x\nagent: Sam\nmode: chat\n---\nAgent: hi\n").unwrap_err();
        assert_eq!(e.line, Some(4));
        assert!(e.message.contains("`mode: chat`"), "{}", e.message);
    }

    #[test]
    fn unclosed_front_matter() {
        assert!(p("---\nid: x\nAgent: hi")
            .unwrap_err()
            .message
            .contains("never closed"));
    }

    #[test]
    fn directives() {
        let t = p("Agent: sorry if you feel that way # tonecheck: ignore non-apology\n# tonecheck: ignore-next-line\nAgent: no\n").unwrap();
        assert_eq!(t.turns[0].text, "sorry if you feel that way");
        assert_eq!(
            t.suppressions,
            vec![
                Suppression {
                    line: 1,
                    rules: vec!["non-apology".into()]
                },
                Suppression {
                    line: 3,
                    rules: vec![]
                },
            ]
        );
    }

    #[test]
    fn script_mode_lines_are_agent_turns() {
        let opts = ReadOptions {
            mode: Some(Mode::Script),
            ..Default::default()
        };
        let t = parse(
            "s.md",
            "# Refund macro\n\n  Sorry about that.\nWe can't do that.\n",
            &opts,
        )
        .unwrap();
        assert_eq!(t.turns.len(), 2);
        assert_eq!(t.turns[0].role, Role::Agent);
        assert_eq!(t.turns[0].segments[0].column, 3);
    }

    #[test]
    fn urls_and_times_are_not_labels() {
        assert!(label("https://x.y/z").is_none());
        assert!(label("Note that: x").is_some());
        assert!(label("12: x").is_none());
        assert_eq!(timestamp("00:01:23 Agent: hi").0, Some(83.0));
        assert_eq!(
            timestamp("[0:05-0:09.5] Agent: hi"),
            (Some(5.0), Some(9.5), 14)
        );
        assert_eq!(timestamp("[00:00:05 --> 00:00:09] A: hi").1, Some(9.0));
        assert_eq!(timestamp("[0:05-x] Agent: hi").0, None);
        assert_eq!(timestamp("[1:23.5] Agent: hi").0, Some(83.5));
        assert_eq!(timestamp("[1:02:03,25] Agent: hi").0, Some(3723.25));
        assert_eq!(timestamp("[1:2.3.4] Agent: hi").0, None);
        assert_eq!(timestamp("[:12] Agent: hi").0, None);
    }
}
