//! Script-mode lines of Markdown and plain-text macro files: which lines are agent speech,
//! and the words of each with Markdown syntax, code, `{{placeholders}}` and link targets
//! taken out — while every kept piece remembers its source column, so findings still point
//! at the right place in the file.
use crate::transcript::Segment;

/// Line-to-line state: inside a fenced code block (its fence character and length), or in an
/// HTML comment that spans lines.
#[derive(Debug, Default)]
pub struct Blocks {
    fence: Option<(char, usize)>,
    comment: bool,
}

/// One line's speech: the text and where each piece of it starts in the source.
#[derive(Debug, PartialEq)]
pub struct Speech {
    pub text: String,
    pub segments: Vec<Segment>,
}

/// The agent speech on source line `n`, or `None` for a line that is not speech (blank,
/// heading, comment, rule, fence or inside a code block, table ruling).
pub fn speech(line: &str, n: usize, blocks: &mut Blocks) -> Option<Speech> {
    let trimmed = line.trim_start();
    if let Some((c, len)) = blocks.fence {
        let run = trimmed.chars().take_while(|&x| x == c).count();
        if run >= len && trimmed[run * c.len_utf8()..].trim().is_empty() {
            blocks.fence = None;
        }
        return None;
    }
    if blocks.comment {
        if trimmed.contains("-->") {
            blocks.comment = false;
        }
        return None;
    }
    for c in ['`', '~'] {
        let run = trimmed.chars().take_while(|&x| x == c).count();
        if run >= 3 {
            blocks.fence = Some((c, run));
            return None;
        }
    }
    if trimmed.starts_with("<!--") {
        blocks.comment = !trimmed.contains("-->");
        return None;
    }
    if trimmed.is_empty() || is_heading(trimmed) || trimmed.starts_with("//") || is_ruling(trimmed)
    {
        return None;
    }
    // Block markers: quotes, list bullets and numbers, task boxes.
    let mut at = line.len() - trimmed.len();
    loop {
        let rest = &line[at..];
        let skip = if let Some(r) = rest.strip_prefix('>') {
            rest.len() - r.trim_start().len()
        } else {
            list_marker(rest).unwrap_or_default()
        };
        if skip == 0 {
            break;
        }
        at += skip;
    }
    let body = &line[at..];
    let col0 = line[..at].chars().count() + 1;
    let s = inline(body, n, col0);
    if s.text.trim().is_empty() {
        None
    } else {
        Some(s)
    }
}

/// `#`-headings (`# Title`, `## Title`, a lone `#`).
fn is_heading(t: &str) -> bool {
    let hashes = t.bytes().take_while(|&b| b == b'#').count();
    (1..=6).contains(&hashes) && t[hashes..].chars().next().is_none_or(char::is_whitespace)
}

/// Thematic breaks, setext underlines and table rulings: only `-=*_|:+` and spaces.
fn is_ruling(t: &str) -> bool {
    t.chars().filter(|c| !c.is_whitespace()).count() >= 3
        && t.chars().all(|c| "-=*_|:+ \t".contains(c))
}

/// Length of a list marker (with the spaces after it) at the start of `s`.
fn list_marker(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = match b.first()? {
        b'-' | b'*' | b'+' => 1,
        b'0'..=b'9' => {
            let d = b.iter().take_while(|c| c.is_ascii_digit()).count();
            if d > 9 || !matches!(b.get(d), Some(b'.' | b')')) {
                return None;
            }
            d + 1
        }
        _ => return None,
    };
    // The marker must be followed by a space (or end the line).
    match b.get(i) {
        None => return Some(i),
        Some(b' ' | b'\t') => {}
        _ => return None,
    }
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    for box_ in ["[ ] ", "[x] ", "[X] "] {
        if s[i..].starts_with(box_) {
            i += box_.len();
        }
    }
    Some(i)
}

/// The words of `body` (starting at 1-based column `col0` of line `n`) with inline code,
/// placeholders, link and image targets, autolinks, bare URLs, HTML tags and emphasis marks
/// taken out. A removed stretch between words leaves one space.
fn inline(body: &str, n: usize, col0: usize) -> Speech {
    let mut out = Speech {
        text: String::with_capacity(body.len()),
        segments: Vec::new(),
    };
    let mut piece_open = false;
    let mut i = 0;
    let bytes = body.as_bytes();
    let col_at = |i: usize| col0 + body[..i].chars().count();
    // Closes the current piece: the next kept text opens a new segment.
    let gap = |out: &mut Speech, piece_open: &mut bool, space: bool| {
        if space && !out.text.is_empty() && !out.text.ends_with(' ') {
            out.text.push(' ');
        }
        *piece_open = false;
    };
    while i < bytes.len() {
        let rest = &body[i..];
        let skip = skip_len(rest, i == 0 || !is_word_byte(bytes[i - 1]));
        if let Some((len, space)) = skip {
            gap(&mut out, &mut piece_open, space);
            i += len;
            continue;
        }
        let c = rest.chars().next().expect("i is inside body");
        if !piece_open {
            out.segments.push(Segment {
                offset: out.text.len(),
                line: n,
                column: col_at(i),
            });
            piece_open = true;
        }
        out.text.push(c);
        i += c.len_utf8();
    }
    let trimmed = out.text.trim_end().len();
    out.text.truncate(trimmed);
    // A piece that was only trailing blanks is gone with them.
    out.segments.retain(|s| s.offset == 0 || s.offset < trimmed);
    if out.segments.is_empty() {
        out.segments.push(Segment {
            offset: 0,
            line: n,
            column: col0,
        });
    }
    out
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// What to take out at the start of `s`: (bytes, whether it separated words).
fn skip_len(s: &str, word_start: bool) -> Option<(usize, bool)> {
    let b = s.as_bytes();
    match b[0] {
        b'`' => {
            let run = b.iter().take_while(|&&c| c == b'`').count();
            let fence = &s[..run];
            let close = s[run..].find(fence)?;
            Some((run + close + run, true))
        }
        b'{' if s.starts_with("{{") => {
            let close = s.find("}}")?;
            let extra = s[close + 2..].starts_with('}') as usize;
            Some((close + 2 + extra, true))
        }
        b'!' if s.starts_with("![") => {
            let (_, total) = link(&s[1..])?;
            Some((1 + total, true))
        }
        // `[text](target)`: the text stays, the brackets and the target go.
        b'[' => link(s).map(|_| (1, false)),
        b']' if s.starts_with("](") => {
            let close = s.find(')')?;
            Some((close + 1, false))
        }
        b'<' => {
            let close = s.find('>')?;
            let inner = &s[1..close];
            let tag = inner.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/')
                && !inner.contains(' ')
                || inner.contains("://")
                || inner.starts_with("br")
                || inner.contains('@');
            tag.then_some((close + 1, true))
        }
        b'h' if word_start && (s.starts_with("http://") || s.starts_with("https://")) => {
            let end = s.find(|c: char| c.is_whitespace()).unwrap_or(s.len());
            // A sentence's full stop after a URL is not part of it.
            let end = s[..end]
                .trim_end_matches(['.', ',', ')', ';', ':', '!', '?'])
                .len();
            Some((end, true))
        }
        b'*' => Some((b.iter().take_while(|&&c| c == b'*').count(), false)),
        b'_' if word_start || s[1..].chars().next().is_none_or(|c| !c.is_alphanumeric()) => {
            let run = b.iter().take_while(|&&c| c == b'_').count();
            // Only emphasis marks: `__init__`-like words keep their underscores.
            (run <= 2).then_some((run, false))
        }
        _ => None,
    }
}

/// For `[text](target)` at the start of `s`: (length of `[text]`, whole length).
fn link(s: &str) -> Option<(usize, usize)> {
    let close = s.find(']')?;
    if s[1..close].contains('[') {
        return None;
    }
    let after = &s[close + 1..];
    if !after.starts_with('(') {
        return None;
    }
    let end = after.find(')')?;
    Some((close + 1, close + 1 + end + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Option<String> {
        speech(line, 1, &mut Blocks::default()).map(|s| s.text)
    }

    #[test]
    fn markers_headings_and_rules_are_not_speech() {
        assert_eq!(one("- No."), Some("No.".into()));
        assert_eq!(
            one("  12. Sorry about that"),
            Some("Sorry about that".into())
        );
        assert_eq!(one("> - [x] Thanks!"), Some("Thanks!".into()));
        assert_eq!(one("## Refunds"), None);
        assert_eq!(one("#hashtag works"), Some("#hashtag works".into()));
        assert_eq!(one("---"), None);
        assert_eq!(one("| --- | :-: |"), None);
        assert_eq!(one("<!-- note -->"), None);
        assert_eq!(one("-5 degrees out"), Some("-5 degrees out".into()));
    }

    #[test]
    fn code_placeholders_and_link_targets_are_taken_out() {
        assert_eq!(
            one("Hi {{first_name}}, see [our policy](https://x.y/you-are-wrong) or `calm down`."),
            Some("Hi , see our policy or .".into())
        );
        assert_eq!(
            one("**Sorry** for the _delay_"),
            Some("Sorry for the delay".into())
        );
        assert_eq!(
            one("Visit https://a.b/c. Thanks"),
            Some("Visit . Thanks".into())
        );
        assert_eq!(
            one("keep snake_case_words"),
            Some("keep snake_case_words".into())
        );
        assert_eq!(one("`only code`"), None);
    }

    #[test]
    fn columns_point_into_the_source() {
        let line = "- Hi {{name}}, I'm sorry if you feel that way.";
        let s = speech(line, 7, &mut Blocks::default()).unwrap();
        let t = crate::transcript::Turn {
            segments: s.segments.clone(),
            ..crate::transcript::Turn::new(
                "Agent",
                crate::transcript::Role::Agent,
                s.text.clone(),
                7,
            )
        };
        let at = s.text.find("sorry").unwrap();
        let col = line.find("sorry").unwrap() + 1;
        assert_eq!(t.position(at), (7, col));
        assert_eq!(t.position(0), (7, 3));
    }

    /// Found by fuzzing: a blank piece at the end of a line (after an image or code) kept
    /// its position after the blank was trimmed: a position past the end of the text.
    #[test]
    fn trailing_blank_pieces_leave_no_position() {
        let s = speech("Sorry![img](a.png) `code` ", 1, &mut Blocks::default()).unwrap();
        assert_eq!(s.text, "Sorry");
        assert!(
            s.segments.iter().all(|seg| seg.offset < s.text.len()),
            "{s:?}"
        );
    }

    #[test]
    fn fenced_blocks_are_skipped() {
        let mut b = Blocks::default();
        let lines = ["Sorry.", "```text", "calm down", "```", "Thanks."];
        let got: Vec<_> = lines
            .iter()
            .enumerate()
            .filter_map(|(i, l)| speech(l, i + 1, &mut b).map(|s| s.text))
            .collect();
        assert_eq!(got, ["Sorry.", "Thanks."]);
    }
}
