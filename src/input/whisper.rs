//! Whisper-family output: WhisperX (`segments[].speaker` after diarisation), faster-whisper
//! and OpenAI's `verbose_json` (`segments[]` of `{text, start, end}`). Plain Whisper does not
//! diarise; such a file is read only in script mode, and the error says why.
use super::jsonval::Node;
use super::{
    check_times, finish, id_from_path, json_array, json_str, json_time, json_turn,
    merge_same_speaker, InputError, ReadOptions, Reader, Source,
};
use crate::transcript::{Mode, Role, Transcript};

pub const READER: Reader = Reader {
    name: "whisper",
    extensions: &["json"],
    description:
        "WhisperX / faster-whisper / OpenAI verbose_json: segments[] with speaker, text, start, end",
    accepts,
    read,
};

fn accepts(src: &Source) -> bool {
    src.json_if_any()
        .and_then(|r| r.get("segments"))
        .and_then(Node::as_array)
        .is_some_and(|s| s.first().is_none_or(|x| x.get("text").is_some()))
}

fn read(
    src: &Source,
    opts: &ReadOptions,
    _: &mut Vec<InputError>,
) -> Result<Vec<Transcript>, InputError> {
    let root = src.json()?;
    let segments = json_array(src, root, "segments", "the Whisper output")?;
    let diarised = segments.iter().any(|s| s.get("speaker").is_some());
    let script = opts.mode == Some(Mode::Script);
    if !diarised && !script {
        return Err(src.error(
            Some(1),
            "no speaker labels: Whisper output (`segments[]` without `speaker`) is not diarised, so the agent cannot be told from the customer; diarise it (WhisperX `assign_word_speakers` adds `segments[].speaker`), or use --mode script for agent-only speech".into(),
        ));
    }
    let mut t = Transcript::new(id_from_path(src.path));
    if let Some(l) = root.get("language").and_then(Node::scalar_text) {
        t.metadata.extra.insert("language".into(), l);
    }
    let mut turns = Vec::new();
    // Diarisation leaves some segments without a speaker: they continue the one before.
    let mut speaker = if script { "Agent" } else { "Unknown" }.to_string();
    for (i, s) in segments.iter().enumerate() {
        let w = format!("segments[{i}]");
        if let Some(n) = s.get("speaker") {
            speaker = n.scalar_text().ok_or_else(|| {
                src.error_at(
                    n.at,
                    format!("`speaker` of {w} must be a string, not {}", n.kind()),
                )
            })?;
        }
        let text = json_str(src, s, "text", &w)?;
        let start = json_time(src, s, "start", 1.0, &w)?;
        let end = json_time(src, s, "end", 1.0, &w)?;
        turns.push(json_turn(src, &speaker, Role::Other, text, start, end));
    }
    turns.retain(|x| !x.text.is_empty());
    if turns.is_empty() {
        return Err(src.error(None, "no segments with text: nothing to check".into()));
    }
    check_times(src, &turns, "segment")?;
    t.turns = merge_same_speaker(turns);
    finish(&mut t, opts);
    Ok(vec![t])
}
