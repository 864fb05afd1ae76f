//! The parsed output of AWS's Post-Call Analytics solution: `SpeechSegments[]` of
//! `{SegmentSpeaker, SegmentStartTime, SegmentEndTime, DisplayText}`, with
//! `ConversationAnalytics.SpeakerLabels` naming each speaker (`spk_0` → `Agent`).
use std::collections::HashMap;

use super::jsonval::Node;
use super::{
    check_times, finish, id_from_path, json_array, json_str, json_time, json_turn,
    merge_same_speaker, roles, InputError, ReadOptions, Reader, Source,
};
use crate::transcript::{Role, Transcript};

pub const READER: Reader = Reader {
    name: "aws-pca",
    extensions: &["json"],
    description: "AWS Post-Call Analytics: SpeechSegments[] with SegmentSpeaker, DisplayText",
    accepts,
    read,
};

fn accepts(src: &Source) -> bool {
    src.json_if_any()
        .and_then(|r| r.get("SpeechSegments"))
        .is_some_and(|s| s.as_array().is_some())
}

fn read(
    src: &Source,
    opts: &ReadOptions,
    _: &mut Vec<InputError>,
) -> Result<Vec<Transcript>, InputError> {
    let root = src.json()?;
    let segments = json_array(
        src,
        root,
        "SpeechSegments",
        "the Post-Call Analytics output",
    )?;
    let mut t = Transcript::new(id_from_path(src.path));
    let mut names: HashMap<String, String> = HashMap::new();
    if let Some(ca) = root.get("ConversationAnalytics") {
        let set = |v: Option<&Node>| v.and_then(Node::scalar_text).filter(|s| s != "None");
        t.metadata.call_id = set(ca.get("GUID"));
        t.metadata.agent = set(ca.get("Agent"));
        t.metadata.date = set(ca.get("ConversationTime"));
        for l in ca
            .get("SpeakerLabels")
            .and_then(Node::as_array)
            .unwrap_or(&[])
        {
            if let (Some(s), Some(d)) = (
                l.get("Speaker").and_then(Node::as_str),
                l.get("DisplayText").and_then(Node::as_str),
            ) {
                names.insert(s.to_string(), d.to_string());
            }
        }
    }
    let mut turns = Vec::new();
    for (i, seg) in segments.iter().enumerate() {
        let w = format!("SpeechSegments[{i}]");
        let spk = json_str(src, seg, "SegmentSpeaker", &w)?
            .as_str()
            .unwrap_or("");
        // The solution's own label for the speaker (`Agent`, `Customer`) is its role.
        let label = names.get(spk).map_or(spk, String::as_str);
        let role = roles::builtin(label).unwrap_or(Role::Other);
        let text = match seg.get("DisplayText") {
            Some(n) if n.as_str().is_some() => n,
            _ => json_str(src, seg, "OriginalText", &w)?,
        };
        let start = json_time(src, seg, "SegmentStartTime", 1.0, &w)?;
        let end = json_time(src, seg, "SegmentEndTime", 1.0, &w)?;
        turns.push(json_turn(src, label, role, text, start, end));
    }
    turns.retain(|x| !x.text.is_empty());
    if turns.is_empty() {
        return Err(src.error(
            None,
            "`SpeechSegments` has no text: nothing to check".into(),
        ));
    }
    check_times(src, &turns, "speech segment")?;
    t.turns = merge_same_speaker(turns);
    finish(&mut t, opts);
    Ok(vec![t])
}
