//! Amazon Transcribe standard job output: `results.items` (words and punctuation with
//! `start_time`/`end_time` as strings), speakers from `speaker_label` (diarisation),
//! `channel_label` (channel identification) or `results.speaker_labels.segments`; when
//! `results.audio_segments` carry speakers, their `transcript`s are the turns.
use std::collections::HashMap;

use super::jsonval::Node;
use super::{
    check_times, finish, id_from_path, json_array, json_time, json_turn, merge_same_speaker,
    InputError, ReadOptions, Reader, Source, WordTurn,
};
use crate::transcript::{Mode, Role, Transcript, Turn};

pub const READER: Reader = Reader {
    name: "aws-transcribe",
    extensions: &["json"],
    description:
        "Amazon Transcribe job output: results.items with speaker_labels or channel_labels",
    accepts,
    read,
};

fn accepts(src: &Source) -> bool {
    src.json_if_any()
        .and_then(|r| r.path(&["results", "items"]))
        .is_some_and(|s| s.as_array().is_some())
}

fn speaker_of<'n>(n: &'n Node) -> Option<&'n str> {
    n.get("speaker_label")
        .or_else(|| n.get("channel_label"))
        .and_then(Node::as_str)
}

fn read(
    src: &Source,
    opts: &ReadOptions,
    _: &mut Vec<InputError>,
) -> Result<Vec<Transcript>, InputError> {
    let root = src.json()?;
    let results = root
        .get("results")
        .ok_or_else(|| src.error(Some(1), "no `results` object".into()))?;
    let mut t = Transcript::new(id_from_path(src.path));
    if let Some(name) = root.get("jobName").and_then(Node::scalar_text) {
        t.metadata.call_id = Some(name);
    }
    let segments = results.get("audio_segments").and_then(Node::as_array);
    let turns = match segments {
        Some(segs) if !segs.is_empty() && segs.iter().all(|s| speaker_of(s).is_some()) => {
            let mut turns = Vec::new();
            for (i, s) in segs.iter().enumerate() {
                let w = format!("audio_segments[{i}]");
                let text = super::json_str(src, s, "transcript", &w)?;
                let start = json_time(src, s, "start_time", 1.0, &w)?;
                let end = json_time(src, s, "end_time", 1.0, &w)?;
                let label = speaker_of(s).unwrap_or("");
                turns.push(json_turn(src, label, Role::Other, text, start, end));
            }
            turns
        }
        _ => from_items(src, results, opts)?,
    };
    let mut turns: Vec<Turn> = turns.into_iter().filter(|x| !x.text.is_empty()).collect();
    if turns.is_empty() {
        return Err(src.error(
            None,
            "`results.items` has no words: nothing to check".into(),
        ));
    }
    check_times(src, &turns, "turn")?;
    turns = merge_same_speaker(turns);
    t.turns = turns;
    finish(&mut t, opts);
    Ok(vec![t])
}

/// Words to turns: a new turn whenever the speaker changes.
fn from_items(src: &Source, results: &Node, opts: &ReadOptions) -> Result<Vec<Turn>, InputError> {
    let items = json_array(src, results, "items", "`results`")?;
    // Older outputs keep speakers apart from the words: start time → speaker.
    let mut by_start: HashMap<String, String> = HashMap::new();
    let segs = results
        .path(&["speaker_labels", "segments"])
        .and_then(Node::as_array)
        .unwrap_or(&[]);
    for seg in segs {
        for it in seg.get("items").and_then(Node::as_array).unwrap_or(&[]) {
            if let (Some(s), Some(l)) = (
                it.get("start_time").and_then(Node::scalar_text),
                speaker_of(it),
            ) {
                by_start.insert(s, l.to_string());
            }
        }
    }
    let script = opts.mode == Some(Mode::Script);
    let mut turns = Vec::new();
    let mut cur = WordTurn::default();
    let mut speaker: Option<String> = None;
    for (i, it) in items.iter().enumerate() {
        let w = format!("results.items[{i}]");
        let word = it
            .get("alternatives")
            .and_then(Node::as_array)
            .and_then(|a| a.first())
            .and_then(|a| a.get("content"));
        let Some(word) = word.filter(|n| n.as_str().is_some()) else {
            return Err(src.error_at(it.at, format!("{w} has no `alternatives[0].content`")));
        };
        let start = json_time(src, it, "start_time", 1.0, &w)?;
        let end = json_time(src, it, "end_time", 1.0, &w)?;
        let who = speaker_of(it).map(str::to_string).or_else(|| {
            it.get("start_time")
                .and_then(Node::scalar_text)
                .and_then(|s| by_start.get(&s).cloned())
        });
        if let Some(who) = who {
            if speaker.as_ref() != Some(&who) {
                if let Some(turn) = cur.take() {
                    turns.push(turn);
                }
                speaker = Some(who);
            }
        }
        let label = match (&speaker, script) {
            (Some(s), _) => s.clone(),
            (None, true) => "Agent".to_string(),
            (None, false) => {
                return Err(src.error_at(
                    it.at,
                    "no speaker labels: the job ran without speaker diarisation (ShowSpeakerLabels) or channel identification, so the agent cannot be told from the customer; re-run it with one of them, or use --mode script for agent-only audio".into(),
                ))
            }
        };
        if cur.pause_before(start) {
            turns.extend(cur.take());
        }
        cur.push(src, &label, word, start, end);
    }
    if let Some(turn) = cur.take() {
        turns.push(turn);
    }
    Ok(turns)
}
