//! SubRip subtitles (`.srt`): numbered cues with `00:00:01,000 --> 00:00:04,000` timings and
//! the speaker as a `Name:` prefix (or a `<v Name>` tag). Cues become turns as in WebVTT.
use super::vtt::{blocks, cues_to_transcript, timing_line, Cue};
use super::{InputError, ReadOptions, Reader, Source};
use crate::transcript::Transcript;

pub const READER: Reader = Reader {
    name: "srt",
    extensions: &["srt"],
    description: "SubRip subtitles with `Name:` prefixes",
    accepts,
    read,
};

/// A first block of a cue number and a timing line.
fn accepts(src: &Source) -> bool {
    blocks(src.text).next().is_some_and(|b| {
        b.len() >= 2
            && b[0].1.trim().bytes().all(|c| c.is_ascii_digit())
            && timing_line(b[1].1).is_some()
    })
}

fn read(
    src: &Source,
    opts: &ReadOptions,
    _: &mut Vec<InputError>,
) -> Result<Vec<Transcript>, InputError> {
    let mut cues = Vec::new();
    for block in blocks(src.text) {
        // The cue number is optional in practice; the timing line is not.
        let ti = block.iter().take(2).position(|(_, l)| l.contains("-->"));
        let Some(ti) = ti else {
            return Err(src.error(
                Some(block[0].0),
                "subtitle has no timing line (expected `00:00:01,000 --> 00:00:04,000`)".into(),
            ));
        };
        if ti == 1 && !block[0].1.trim().bytes().all(|c| c.is_ascii_digit()) {
            return Err(src.error(
                Some(block[0].0),
                format!("expected a subtitle number, found `{}`", block[0].1.trim()),
            ));
        }
        let (tline, tl) = block[ti];
        let (start, end) = timing_line(tl).ok_or_else(|| {
            src.error(Some(tline), format!("bad subtitle timing `{}`", tl.trim()))
        })?;
        cues.push(Cue {
            line: tline,
            start,
            end,
            lines: block[ti + 1..].to_vec(),
        });
    }
    Ok(vec![cues_to_transcript(src, cues, opts, "subtitle")?])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::Role;

    #[test]
    fn cues_and_errors() {
        let text = "1\n00:00:01,000 --> 00:00:02,500\nAgent: Hello, thanks for calling.\n\n2\n00:00:03,000 --> 00:00:05,000\nCaller: Hi.\n";
        let src = Source::new("a.srt", text);
        assert!(accepts(&src));
        let t = read(&src, &ReadOptions::default(), &mut Vec::new())
            .unwrap()
            .remove(0);
        assert_eq!(t.turns.len(), 2);
        assert_eq!(t.turns[0].text, "Hello, thanks for calling.");
        assert_eq!(t.turns[0].end, Some(2.5));
        assert_eq!(t.turns[0].position(0), (3, 8));
        assert_eq!(t.turns[1].role, Role::Customer);
        let bad = Source::new("a.srt", "1\nAgent: hi\n");
        let e = read(&bad, &ReadOptions::default(), &mut Vec::new()).unwrap_err();
        assert_eq!(e.line, Some(1));
        assert!(e.message.contains("no timing line"));
    }
}
