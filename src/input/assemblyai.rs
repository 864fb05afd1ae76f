//! AssemblyAI transcripts: `utterances[]` of `{speaker, text, start, end}` with times in
//! milliseconds (present when the request set `speaker_labels` or `multichannel`).
use super::jsonval::{Node, Val};
use super::{
    check_times, finish, id_from_path, json_str, json_time, json_turn, merge_same_speaker,
    InputError, ReadOptions, Reader, Source,
};
use crate::transcript::{Role, Transcript};

pub const READER: Reader = Reader {
    name: "assemblyai",
    extensions: &["json"],
    description: "AssemblyAI: utterances[] with speaker, text, start/end in ms",
    accepts,
    read,
};

fn accepts(src: &Source) -> bool {
    src.json_if_any().is_some_and(|r| {
        r.get("utterances").is_some_and(|u| u.as_array().is_some())
            || (r.get("words").is_some() && r.get("audio_url").is_some())
    })
}

fn read(
    src: &Source,
    opts: &ReadOptions,
    _: &mut Vec<InputError>,
) -> Result<Vec<Transcript>, InputError> {
    let root = src.json()?;
    let utterances = match root.get("utterances") {
        Some(Node { val: Val::Arr(u), .. }) if !u.is_empty() => u,
        _ => {
            return Err(src.error(
                Some(1),
                "AssemblyAI transcript without `utterances`: it was made without speaker labels, so the agent cannot be told from the customer; request it with `speaker_labels: true` (or `multichannel: true`)".into(),
            ))
        }
    };
    let mut t = Transcript::new(id_from_path(src.path));
    if let Some(id) = root.get("id").and_then(Node::scalar_text) {
        t.metadata.call_id = Some(id);
    }
    let mut turns = Vec::new();
    for (i, u) in utterances.iter().enumerate() {
        let w = format!("utterances[{i}]");
        let label = match u.get("speaker").or_else(|| u.get("channel")) {
            Some(n) => n.scalar_text().ok_or_else(|| {
                src.error_at(
                    n.at,
                    format!("`speaker` of {w} must be a string, not {}", n.kind()),
                )
            })?,
            None => return Err(src.error_at(u.at, format!("{w} has no `speaker`"))),
        };
        let text = json_str(src, u, "text", &w)?;
        let start = json_time(src, u, "start", 0.001, &w)?;
        let end = json_time(src, u, "end", 0.001, &w)?;
        turns.push(json_turn(src, &label, Role::Other, text, start, end));
    }
    check_times(src, &turns, "utterance")?;
    t.turns = merge_same_speaker(turns);
    finish(&mut t, opts);
    Ok(vec![t])
}
