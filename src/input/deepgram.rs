//! Deepgram pre-recorded output: `results.utterances[]` (`speaker`, `transcript`, `start`,
//! `end`) when the request asked for utterances, else the words of
//! `results.channels[].alternatives[0]`, grouped by `speaker` (diarize) or by channel
//! (multichannel). Without either there is no telling who spoke, and the error says so.
use super::jsonval::Node;
use super::{
    check_times, finish, id_from_path, json_array, json_str, json_time, json_turn,
    merge_same_speaker, InputError, ReadOptions, Reader, Source, WordTurn,
};
use crate::transcript::{Mode, Role, Transcript, Turn};

pub const READER: Reader = Reader {
    name: "deepgram",
    extensions: &["json"],
    description:
        "Deepgram: results.utterances[] or results.channels[].alternatives[].words with speaker",
    accepts,
    read,
};

const NO_DIARISATION: &str = "Deepgram output without speaker diarisation: no word or utterance has a `speaker` and there is one channel, so the agent cannot be told from the customer. Transcribe with `diarize=true` (or `multichannel=true` for stereo call recordings), or use --mode script to check it as agent-only speech";

fn accepts(src: &Source) -> bool {
    src.json_if_any()
        .and_then(|r| r.get("results"))
        .is_some_and(|r| r.get("channels").is_some() || r.get("utterances").is_some())
}

/// `speaker` (diarize) as `Speaker N`, else the channel when there are several.
fn label(n: &Node, channels: usize) -> Option<String> {
    if let Some(s) = n.get("speaker").and_then(Node::scalar_text) {
        return Some(format!("Speaker {s}"));
    }
    if channels > 1 {
        let c = n.get("channel").and_then(Node::scalar_text)?;
        return Some(format!("Channel {c}"));
    }
    None
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
    if let Some(id) = root
        .path(&["metadata", "request_id"])
        .and_then(Node::scalar_text)
    {
        t.metadata.call_id = Some(id);
    }
    let channels = results
        .get("channels")
        .and_then(Node::as_array)
        .unwrap_or(&[]);
    let script = opts.mode == Some(Mode::Script);
    let utterances = results
        .get("utterances")
        .and_then(Node::as_array)
        .unwrap_or(&[]);
    let mut turns = Vec::new();
    if !utterances.is_empty() {
        for (i, u) in utterances.iter().enumerate() {
            let w = format!("results.utterances[{i}]");
            let label = match label(u, channels.len()) {
                Some(l) => l,
                None if script => "Agent".into(),
                None => return Err(src.error_at(u.at, NO_DIARISATION.into())),
            };
            let text = json_str(src, u, "transcript", &w)?;
            let start = json_time(src, u, "start", 1.0, &w)?;
            let end = json_time(src, u, "end", 1.0, &w)?;
            turns.push(json_turn(src, &label, Role::Other, text, start, end));
        }
    } else {
        turns = from_words(src, results, channels.len(), script)?;
    }
    turns.retain(|x| !x.text.is_empty());
    if turns.is_empty() {
        return Err(src.error(
            None,
            "no words in the Deepgram output: nothing to check".into(),
        ));
    }
    check_times(src, &turns, "utterance")?;
    t.turns = merge_same_speaker(turns);
    finish(&mut t, opts);
    Ok(vec![t])
}

/// A word to place in time: sort key, speaker label, text node, start, end.
type Word<'n, 'a> = (f64, String, &'n Node<'a>, Option<f64>, Option<f64>);

/// Every channel's first alternative's words, in time order, a new turn at each change of
/// speaker (or channel).
fn from_words(
    src: &Source,
    results: &Node,
    n_channels: usize,
    script: bool,
) -> Result<Vec<Turn>, InputError> {
    let channels = json_array(src, results, "channels", "`results`")?;
    let mut words: Vec<Word> = Vec::new();
    for (c, ch) in channels.iter().enumerate() {
        let w = format!("results.channels[{c}]");
        let alt = json_array(src, ch, "alternatives", &w)?
            .first()
            .ok_or_else(|| src.error_at(ch.at, format!("{w} has no alternatives")))?;
        for (i, word) in json_array(src, alt, "words", &format!("{w}.alternatives[0]"))?
            .iter()
            .enumerate()
        {
            let ww = format!("{w}.alternatives[0].words[{i}]");
            let label = match word.get("speaker").and_then(Node::scalar_text) {
                Some(s) => format!("Speaker {s}"),
                None if n_channels > 1 => format!("Channel {c}"),
                None if script => "Agent".into(),
                None => return Err(src.error_at(word.at, NO_DIARISATION.into())),
            };
            let text = match word.get("punctuated_word") {
                Some(n) if n.as_str().is_some() => n,
                _ => json_str(src, word, "word", &ww)?,
            };
            let start = json_time(src, word, "start", 1.0, &ww)?;
            let end = json_time(src, word, "end", 1.0, &ww)?;
            words.push((start.unwrap_or(0.0), label, text, start, end));
        }
    }
    // Channels interleave in time (stable: words of one channel keep their order).
    words.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut turns = Vec::new();
    let mut cur = WordTurn::default();
    let mut speaker = String::new();
    for (_, label, text, start, end) in words {
        if label != speaker {
            if let Some(turn) = cur.take() {
                turns.push(turn);
            }
            speaker = label.clone();
        }
        if cur.pause_before(start) {
            turns.extend(cur.take());
        }
        cur.push(src, &label, text, start, end);
    }
    if let Some(turn) = cur.take() {
        turns.push(turn);
    }
    Ok(turns)
}
