//! Amazon Transcribe Call Analytics output: `Transcript[]` of `{ParticipantRole, Content,
//! BeginOffsetMillis, EndOffsetMillis, Sentiment}`. The participant role decides the role.
use super::jsonval::Node;
use super::{
    check_times, finish, id_from_path, json_array, json_str, json_time, json_turn,
    merge_same_speaker, InputError, ReadOptions, Reader, Source,
};
use crate::transcript::{Role, Transcript};

pub const READER: Reader = Reader {
    name: "aws-call-analytics",
    extensions: &["json"],
    description: "Amazon Transcribe Call Analytics: Transcript[] with ParticipantRole, Content, BeginOffsetMillis",
    accepts,
    read,
};

fn accepts(src: &Source) -> bool {
    src.json_if_any()
        .and_then(|r| r.get("Transcript"))
        .and_then(Node::as_array)
        .is_some_and(|a| {
            a.first()
                .is_some_and(|x| x.get("ParticipantRole").is_some())
        })
}

fn read(
    src: &Source,
    opts: &ReadOptions,
    _: &mut Vec<InputError>,
) -> Result<Vec<Transcript>, InputError> {
    let root = src.json()?;
    let items = json_array(src, root, "Transcript", "the Call Analytics output")?;
    let mut t = Transcript::new(id_from_path(src.path));
    if let Some(name) = root.get("JobName").and_then(Node::scalar_text) {
        t.metadata.call_id = Some(name);
    }
    for key in ["Channel", "LanguageCode"] {
        if let Some(v) = root.get(key).and_then(Node::scalar_text) {
            t.metadata.extra.insert(key.to_string(), v);
        }
    }
    let mut turns = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let w = format!("Transcript[{i}]");
        let role_node = json_str(src, item, "ParticipantRole", &w)?;
        let label = role_node.as_str().unwrap_or("");
        let role = match label.to_ascii_uppercase().as_str() {
            "AGENT" => Role::Agent,
            "CUSTOMER" => Role::Customer,
            _ => Role::Other,
        };
        let text = json_str(src, item, "Content", &w)?;
        let start = json_time(src, item, "BeginOffsetMillis", 0.001, &w)?;
        let end = json_time(src, item, "EndOffsetMillis", 0.001, &w)?;
        turns.push(json_turn(src, label, role, text, start, end));
    }
    if turns.is_empty() {
        return Err(src.error(None, "`Transcript` is empty: nothing to check".into()));
    }
    check_times(src, &turns, "Transcript item")?;
    t.turns = merge_same_speaker(turns);
    finish(&mut t, opts);
    Ok(vec![t])
}
