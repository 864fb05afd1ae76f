//! WebVTT captions (Zoom, Teams, Meet exports): cues with `start --> end` timings, the
//! speaker in a `<v Name>` voice tag or a `Name:` prefix. Also the cue model SRT shares:
//! cues become turns, consecutive cues of one speaker one turn.
use super::{finish, id_from_path, merge_same_speaker, InputError, ReadOptions, Reader, Source};
use crate::transcript::{Role, Segment, Transcript, Turn};

pub const READER: Reader = Reader {
    name: "vtt",
    extensions: &["vtt"],
    description: "WebVTT captions with `<v Name>` voice tags or `Name:` prefixes",
    accepts: |s| s.text.trim_start().starts_with("WEBVTT"),
    read,
};

/// A caption cue: its timing and its text lines (1-based line number, the line).
pub(super) struct Cue<'a> {
    pub line: usize,
    pub start: f64,
    pub end: f64,
    pub lines: Vec<(usize, &'a str)>,
}

fn read(
    src: &Source,
    opts: &ReadOptions,
    _: &mut Vec<InputError>,
) -> Result<Vec<Transcript>, InputError> {
    let text = src.text;
    if !text.trim_start().starts_with("WEBVTT") {
        return Err(src.error(
            Some(1),
            "not WebVTT: the file must start with `WEBVTT`".into(),
        ));
    }
    let mut cues = Vec::new();
    for block in blocks(text).skip(1) {
        let (first_no, first) = block[0];
        if ["NOTE", "STYLE", "REGION"]
            .iter()
            .any(|k| first.trim_start().starts_with(k))
        {
            continue;
        }
        // An optional cue identifier, then the timing line.
        let timing = block.iter().take(2).position(|(_, l)| l.contains("-->"));
        let Some(ti) = timing else {
            return Err(src.error(
                Some(first_no),
                "cue has no timing line (expected `00:00:01.000 --> 00:00:04.000`)".into(),
            ));
        };
        let (tline, tl) = block[ti];
        let (start, end) = timing_line(tl)
            .ok_or_else(|| src.error(Some(tline), format!("bad cue timing `{}`", tl.trim())))?;
        cues.push(Cue {
            line: tline,
            start,
            end,
            lines: block[ti + 1..].to_vec(),
        });
    }
    let t = cues_to_transcript(src, cues, opts, "cue")?;
    Ok(vec![t])
}

/// Blank-line separated blocks of (line number, line), trailing whitespace removed.
pub(super) fn blocks(text: &str) -> impl Iterator<Item = Vec<(usize, &str)>> {
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim_end()));
    std::iter::from_fn(move || {
        let mut block = Vec::new();
        for (n, l) in lines.by_ref() {
            if l.trim().is_empty() {
                if block.is_empty() {
                    continue;
                }
                return Some(block);
            }
            block.push((n, l));
        }
        (!block.is_empty()).then_some(block)
    })
}

/// `00:00:01.000 --> 00:00:04.000 [settings]` (SRT writes `,` before the milliseconds).
pub(super) fn timing_line(l: &str) -> Option<(f64, f64)> {
    let (a, b) = l.split_once("-->")?;
    let b = b.split_whitespace().next()?;
    Some((clock(a.trim())?, clock(b)?))
}

/// `hh:mm:ss.ttt` or `mm:ss.ttt` (`,` accepted for `.`).
fn clock(s: &str) -> Option<f64> {
    let parts: Vec<&str> = s.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let mut secs = 0.0;
    for (i, p) in parts.iter().enumerate() {
        let v: f64 = if i + 1 == parts.len() {
            let (whole, frac) = p.split_once([',', '.']).unwrap_or((p, ""));
            if whole.is_empty() || !(whole.bytes().chain(frac.bytes())).all(|b| b.is_ascii_digit())
            {
                return None;
            }
            let mut v = whole.parse::<u32>().ok()? as f64;
            let mut scale = 0.1;
            for d in frac.bytes() {
                v += f64::from(d - b'0') * scale;
                scale /= 10.0;
            }
            v
        } else {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            p.parse::<u32>().ok()? as f64
        };
        secs = secs * 60.0 + v;
    }
    Some(secs)
}

/// Turns from cues: each text line that names a speaker starts a part, the lines after it
/// continue it; a cue that names no one continues the previous speaker.
pub(super) fn cues_to_transcript(
    src: &Source,
    cues: Vec<Cue>,
    opts: &ReadOptions,
    what: &str,
) -> Result<Transcript, InputError> {
    if cues.is_empty() {
        return Err(src.error(None, format!("no {what}s: nothing to check")));
    }
    let mut prev_start = 0.0f64;
    let mut turns: Vec<Turn> = Vec::new();
    let mut current: Option<String> = None;
    let mut named_any = false;
    for (n, cue) in cues.iter().enumerate() {
        if cue.end < cue.start {
            return Err(src.error(
                Some(cue.line),
                format!(
                    "{what} {} ends at {:.3} s, before it starts at {:.3} s",
                    n + 1,
                    cue.end,
                    cue.start
                ),
            ));
        }
        if cue.start < prev_start {
            return Err(src.error(
                Some(cue.line),
                format!(
                    "times go backwards: {what} {} starts at {:.3} s, before the {what} before it ({:.3} s)",
                    n + 1,
                    cue.start,
                    prev_start
                ),
            ));
        }
        prev_start = cue.start;
        let mut in_cue = false;
        for &(line_no, raw) in &cue.lines {
            let lead = raw.len() - raw.trim_start().len();
            let (speaker, body_at) = match speaker_of(&raw[lead..]) {
                Some((name, at)) => (Some(name), lead + at),
                None => (None, 0),
            };
            let col0 = raw[..body_at].chars().count() + 1;
            let new_part = speaker.is_some() || !in_cue;
            if let Some(s) = speaker {
                named_any = true;
                current = Some(s.to_string());
            }
            let label = current.clone().unwrap_or_else(|| "Unknown".to_string());
            if new_part {
                let mut t = Turn::new(label, Role::Other, "", line_no);
                t.segments.clear();
                t.start = Some(cue.start);
                t.end = Some(cue.end);
                turns.push(t);
            }
            let turn = turns.last_mut().expect("a part was started");
            push_text(turn, &raw[body_at..], line_no, col0);
            in_cue = true;
        }
    }
    if !named_any {
        return Err(src.error(
            Some(cues[0].line),
            format!("no speaker names in the {what}s: expected `<v Name>` voice tags or `Name:` at the start of a {what}'s text (captions without speakers cannot tell the agent from the customer)"),
        ));
    }
    turns.retain(|t| !t.text.is_empty());
    for t in &mut turns {
        if t.segments.is_empty() {
            t.segments.push(Segment {
                offset: 0,
                line: 1,
                column: 1,
            });
        }
    }
    let mut t = Transcript::new(id_from_path(src.path));
    t.turns = merge_same_speaker(turns);
    finish(&mut t, opts);
    Ok(t)
}

/// `<v Name>` / `<v.loud Name>` voice tag, or a `Name:` label; returns the name and the byte
/// index where the spoken text starts.
fn speaker_of(s: &str) -> Option<(&str, usize)> {
    if let Some(rest) = s.strip_prefix("<v") {
        if rest.starts_with([' ', '.', '\t']) {
            let close = rest.find('>')?;
            let inner = &rest[..close];
            // Skip the classes (`.loud`) up to the first space.
            let name = inner
                .trim_start_matches(|c: char| c != ' ' && c != '\t')
                .trim();
            if !name.is_empty() {
                let at = 2 + close + 1;
                let skipped = s[at..].len() - s[at..].trim_start().len();
                return Some((name, at + skipped));
            }
        }
        return None;
    }
    let (name, after) = super::plain::label(s)?;
    let skipped = s[after..].len() - s[after..].trim_start().len();
    Some((name, after + skipped))
}

/// Appends a caption line's text without its tags (`<i>`, `</v>`, `<00:00:01.000>`) and with
/// the common entities decoded, adding a segment wherever the source position jumps.
fn push_text(turn: &mut Turn, raw: &str, line: usize, col0: usize) {
    let joined = !turn.text.is_empty();
    if joined {
        turn.text.push(' ');
    }
    let before = turn.text.len();
    let mut col = col0;
    let mut i = 0;
    while i < raw.len() {
        let rest = &raw[i..];
        // A run of plain text, copied at once.
        let run_len = rest.find(['<', '&']).unwrap_or(rest.len());
        if run_len > 0 {
            let mut run = &rest[..run_len];
            if turn.text.len() == before {
                // Leading blanks (after a tag at the start of the line).
                let kept = run.trim_start();
                col += run[..run.len() - kept.len()].chars().count();
                run = kept;
            }
            if !run.is_empty() {
                turn.segments.push(Segment {
                    offset: turn.text.len(),
                    line,
                    column: col,
                });
                turn.text.push_str(run);
            }
            col += run.chars().count();
            i += run_len;
            continue;
        }
        if rest.starts_with('<') {
            if let Some(j) = rest.find('>') {
                col += rest[..=j].chars().count();
                i += j + 1;
                continue;
            }
        }
        // `&`: an entity, or a lone ampersand; or a `<` that opens no tag.
        let (piece, len) = ENTITIES
            .iter()
            .find(|(e, _)| rest.starts_with(e))
            .map_or((&rest[..1], 1), |(e, r)| (*r, e.len()));
        let piece = if turn.text.len() == before {
            piece.trim_start()
        } else {
            piece
        };
        if !piece.is_empty() {
            turn.segments.push(Segment {
                offset: turn.text.len(),
                line,
                column: col,
            });
            turn.text.push_str(piece);
        }
        col += rest[..len].chars().count();
        i += len;
    }
    if joined && turn.text.len() == before {
        turn.text.pop();
    }
    let kept = turn.text.trim_end().len();
    turn.text.truncate(kept);
    // A piece that was only trailing blanks (`&nbsp;`) is gone with them.
    turn.segments.retain(|s| s.offset == 0 || s.offset < kept);
}

const ENTITIES: &[(&str, &str)] = &[
    ("&amp;", "&"),
    ("&lt;", "<"),
    ("&gt;", ">"),
    ("&nbsp;", " "),
    ("&quot;", "\""),
    ("&#39;", "'"),
    ("&apos;", "'"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(text: &str) -> Result<Transcript, InputError> {
        let src = Source::new("c.vtt", text);
        read(&src, &ReadOptions::default(), &mut Vec::new()).map(|mut v| v.remove(0))
    }

    #[test]
    fn voice_tags_and_prefixes() {
        let t = read_str("WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.500\n<v Agent Kim>Thanks for calling, <i>how</i> can I help?</v>\n\n00:00:04.000 --> 00:00:06.000 align:start\nCustomer: My order &amp; my bill.\n\n00:00:06.000 --> 00:00:07.000\nare both wrong\n").unwrap();
        assert_eq!(t.turns.len(), 2);
        assert_eq!(t.turns[0].speaker, "Agent Kim");
        assert_eq!(t.turns[0].text, "Thanks for calling, how can I help?");
        assert_eq!(t.turns[0].start, Some(1.0));
        assert_eq!(t.turns[0].end, Some(3.5));
        assert_eq!(t.turns[0].position(0), (5, 14));
        // "how" is after `<i>`.
        assert_eq!(t.turns[0].position(20), (5, 37));
        assert_eq!(t.turns[1].text, "My order & my bill. are both wrong");
        assert_eq!(t.turns[1].end, Some(7.0));
        assert_eq!(t.turns[1].position(11), (8, 26));
        assert_eq!(t.turns[1].position(20), (11, 1));
        assert_eq!(t.turns[1].role, Role::Customer);
    }

    /// Found by fuzzing: a `<` with no `>` after it (a voice tag cut short) became `&`.
    #[test]
    fn a_lone_angle_bracket_is_kept() {
        let t =
            read_str("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nAgent: 3 < 4 <v Chris\n").unwrap();
        assert_eq!(t.turns[0].text, "3 < 4 <v Chris");
        assert_eq!(t.turns[0].position(2), (4, 10));
        assert_eq!(t.turns[0].position(6), (4, 14));
    }

    /// A trailing `&nbsp;` kept its position after the blank was trimmed, out of order with
    /// the next line's text once the two were joined.
    #[test]
    fn a_trailing_nbsp_leaves_no_position() {
        let t =
            read_str("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nAgent: hi &nbsp;\nthere\n").unwrap();
        assert_eq!(t.turns[0].text, "hi there");
        assert_eq!(t.turns[0].position(3), (5, 1));
        let offsets: Vec<usize> = t.turns[0].segments.iter().map(|s| s.offset).collect();
        assert!(offsets.windows(2).all(|w| w[0] < w[1]), "{offsets:?}");
    }

    #[test]
    fn malformed() {
        assert!(read_str("WEBVTT\n\n1\nhello\n")
            .unwrap_err()
            .message
            .contains("no timing line"));
        let e = read_str("WEBVTT\n\n00:00:05.000 --> 00:00:06.000\nA: x\n\n00:00:01.000 --> 00:00:02.000\nB: y\n").unwrap_err();
        assert_eq!(e.line, Some(6));
        assert!(e.message.contains("backwards"));
        assert!(read_str("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhello\n")
            .unwrap_err()
            .message
            .contains("no speaker names"));
        assert!(read_str("WEBVTT\n\n00:00:0x.000 --> 00:00:02.000\nA: hi\n")
            .unwrap_err()
            .message
            .contains("bad cue timing"));
    }
}
