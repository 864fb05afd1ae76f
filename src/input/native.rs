//! tonecheck's own JSON: `{"id", "metadata", "turns": [{"speaker", "text", "start", "end"}]}`,
//! or an array of such objects. Optional per turn: `role` (`agent`, `customer`, `other`).
use super::jsonval::{array_items, Node, Val};
use super::{
    check_times, finish, id_from_path, json_array, json_str, json_time, json_turn, InputError,
    ReadOptions, Reader, Source,
};
use crate::transcript::{Metadata, Mode, Role, Transcript};

pub const READER: Reader = Reader {
    name: "json",
    extensions: &["json"],
    description: "tonecheck JSON: {\"id\", \"metadata\", \"turns\": [{\"speaker\", \"text\", \"start\", \"end\"}]}",
    accepts,
    read,
};

fn is_native(n: &Node) -> bool {
    n.get("turns").is_some_and(|t| t.as_array().is_some())
}

fn accepts(src: &Source) -> bool {
    // An array is judged by its first element, without parsing the rest.
    match array_items(src.text) {
        Some(mut items) => items.next().is_some_and(|i| i.is_ok_and(|n| is_native(&n))),
        None => src.json_if_any().is_some_and(is_native),
    }
}

fn read(
    src: &Source,
    opts: &ReadOptions,
    errors: &mut Vec<InputError>,
) -> Result<Vec<Transcript>, InputError> {
    let stem = id_from_path(src.path);
    // An array of transcripts is read one element at a time (memory stays at one element's
    // tree); a bad one is reported, the others are checked.
    let Some(items) = array_items(src.text) else {
        let root = src.json()?;
        return Ok(vec![transcript(src, root, &stem, opts, "the transcript")?]);
    };
    let mut out = Vec::new();
    for (i, item) in items.enumerate() {
        let item = match item {
            Ok(item) => item,
            Err(e) => {
                let (line, col) = src.lines().line_col(e.at);
                errors.push(src.error(
                    Some(line),
                    format!("invalid JSON at line {line}, column {col}: {}", e.message),
                ));
                break;
            }
        };
        let id = format!("{stem}#{}", i + 1);
        match transcript(src, &item, &id, opts, &format!("transcript [{i}]")) {
            Ok(t) => out.push(t),
            Err(e) => errors.push(e),
        }
    }
    if out.is_empty() && errors.is_empty() {
        return Err(src.error(Some(1), "empty array: no transcripts".into()));
    }
    Ok(out)
}

/// One native transcript object. `what` names it in errors ("line 3", "transcript [2]").
pub fn transcript(
    src: &Source,
    obj: &Node,
    default_id: &str,
    opts: &ReadOptions,
    what: &str,
) -> Result<Transcript, InputError> {
    if !obj.is_object() {
        return Err(src.error_at(
            obj.at,
            format!("{what} must be an object with `turns`, not {}", obj.kind()),
        ));
    }
    let mut t = Transcript::new(default_id);
    if let Some(id) = obj.get("id").and_then(Node::scalar_text) {
        t.id = id;
    }
    if let Some(md) = obj.get("metadata") {
        t.metadata = metadata(src, md, what)?;
    }
    if let Some(m) = obj.get("mode") {
        t.mode = match m.as_str() {
            Some("script") => Mode::Script,
            Some("conversation") => Mode::Conversation,
            _ => {
                return Err(src.error_at(
                    m.at,
                    format!("`mode` of {what} must be \"script\" or \"conversation\""),
                ))
            }
        };
    }
    let turns = json_array(src, obj, "turns", what)?;
    if turns.is_empty() {
        return Err(src.error_at(obj.at, format!("{what} has no turns")));
    }
    for (i, turn) in turns.iter().enumerate() {
        let w = format!("turns[{i}]");
        if !turn.is_object() {
            return Err(src.error_at(
                turn.at,
                format!("{w} must be an object, not {}", turn.kind()),
            ));
        }
        let speaker = match turn.get("speaker") {
            Some(n) => n.scalar_text().ok_or_else(|| {
                src.error_at(
                    n.at,
                    format!("`speaker` of {w} must be a string, not {}", n.kind()),
                )
            })?,
            None => return Err(src.error_at(turn.at, format!("{w} has no `speaker`"))),
        };
        let role = match turn.get("role") {
            None => Role::Other,
            Some(n) => match n.as_str().map(str::to_ascii_lowercase).as_deref() {
                Some("agent") => Role::Agent,
                Some("customer") => Role::Customer,
                Some("other") => Role::Other,
                _ => {
                    return Err(src.error_at(
                        n.at,
                        format!("`role` of {w} must be \"agent\", \"customer\" or \"other\""),
                    ))
                }
            },
        };
        let text = json_str(src, turn, "text", &w)?;
        let start = json_time(src, turn, "start", 1.0, &w)?;
        let end = json_time(src, turn, "end", 1.0, &w)?;
        t.turns
            .push(json_turn(src, &speaker, role, text, start, end));
    }
    check_times(src, &t.turns, "turn")?;
    finish(&mut t, opts);
    Ok(t)
}

fn metadata(src: &Source, md: &Node, what: &str) -> Result<Metadata, InputError> {
    let Val::Obj(members) = &md.val else {
        if md.val == Val::Null {
            return Ok(Metadata::default());
        }
        return Err(src.error_at(
            md.at,
            format!("`metadata` of {what} must be an object, not {}", md.kind()),
        ));
    };
    let mut out = Metadata::default();
    for (k, v) in members {
        let Some(val) = v.scalar_text() else {
            if v.val == Val::Null {
                continue;
            }
            return Err(src.error_at(
                v.at,
                format!(
                    "metadata `{k}` must be a string, number or boolean, not {}",
                    v.kind()
                ),
            ));
        };
        match k.as_ref() {
            "agent" => out.agent = Some(val),
            "customer" => out.customer = Some(val),
            "call_id" => out.call_id = Some(val),
            "date" => out.date = Some(val),
            "queue" => out.queue = Some(val),
            other => {
                out.extra.insert(other.to_string(), val);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(text: &str) -> Result<Vec<Transcript>, InputError> {
        read(
            &Source::new("n.json", text),
            &ReadOptions::default(),
            &mut Vec::new(),
        )
    }

    #[test]
    fn reads_turns_roles_and_positions() {
        let text = "{\"id\": \"c1\", \"metadata\": {\"agent\": \"Dana\", \"queue\": 7},\n \"turns\": [\n  {\"speaker\": \"Dana\", \"text\": \"  Hi there\", \"start\": 0, \"end\": 2.5},\n  {\"speaker\": \"Bo\", \"text\": \"hello\", \"start\": 3}\n]}";
        let t = read_str(text).unwrap().remove(0);
        assert_eq!(t.id, "c1");
        assert_eq!(t.metadata.queue.as_deref(), Some("7"));
        assert_eq!(t.turns[0].role, Role::Agent);
        assert_eq!(t.turns[1].role, Role::Customer);
        assert_eq!(t.turns[0].text, "Hi there");
        assert_eq!(t.turns[0].position(3), (3, 37));
        assert_eq!(t.turns[1].end, None);
    }

    /// Found by fuzzing: the column skipped the decoded length of escaped leading blanks, so
    /// it pointed inside the escapes, not at the first word.
    #[test]
    fn text_after_escaped_blanks_is_placed_at_its_first_word() {
        let text = "{\"turns\": [{\"speaker\": \"Agent\", \"text\": \"\\n\\t sorry, but\"}]}";
        let t = read_str(text).unwrap().remove(0);
        assert_eq!(t.turns[0].text, "sorry, but");
        let col = text.find("sorry").unwrap() + 1;
        assert_eq!(t.turns[0].position(0), (1, col));
    }

    #[test]
    fn wrong_types_and_backwards_times() {
        let e = read_str("{\"turns\": [\n{\"speaker\": \"A\", \"text\": 5}]}").unwrap_err();
        assert_eq!(e.line, Some(2));
        assert!(
            e.message.contains("`text` of turns[0] must be a string"),
            "{e}"
        );
        let e = read_str(
            "{\"turns\": [{\"speaker\": \"A\", \"text\": \"x\", \"start\": 5, \"end\": 1}]}",
        )
        .unwrap_err();
        assert!(e.message.contains("before it starts"), "{e}");
        let e =
            read_str("{\"turns\": [{\"speaker\": \"A\", \"text\": \"x\", \"start\": \"soon\"}]}")
                .unwrap_err();
        assert!(e.message.contains("must be a number"), "{e}");
    }
}
