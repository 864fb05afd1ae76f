//! CSV (and TSV) exports with one row per turn, grouped into transcripts by a call id
//! column: help-desk chat exports, speech analytics dumps. Column names are recognised
//! (`call_id`/`ticket_id`/`conversation_id`, `speaker`/`author`/`sender`, `text`/`message`/
//! `body`, `start`/`timestamp`, `end`, `role`/`author_type`, `agent`) or set with `csv:` in
//! tonecheck.yaml. A bad row drops its call with an error; the other calls are checked.
use std::collections::HashMap;

use serde::Deserialize;

use super::{check_times, finish, id_from_path, roles, InputError, ReadOptions, Reader, Source};
use crate::transcript::{Role, Segment, Transcript, Turn};

pub const READER: Reader = Reader {
    name: "csv",
    extensions: &["csv", "tsv"],
    description: "one row per turn: call_id, speaker, text[, start, end, role, agent]",
    accepts,
    read,
};

/// Column names from the config (`csv:`), each overriding the recognised names.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    pub call_id: Option<String>,
    pub speaker: Option<String>,
    pub text: Option<String>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub role: Option<String>,
    pub agent: Option<String>,
}

const CALL_ID: &[&str] = &[
    "callid",
    "conversationid",
    "ticketid",
    "chatid",
    "sessionid",
    "transcriptid",
    "interactionid",
    "contactid",
    "threadid",
    "caseid",
    "ticket",
    "conversation",
    "call",
    "chat",
    "id",
];
const SPEAKER: &[&str] = &[
    "speaker",
    "author",
    "sender",
    "from",
    "authorname",
    "sendername",
    "speakername",
    "speakerlabel",
    "participant",
    "name",
];
const TEXT: &[&str] = &[
    "text",
    "message",
    "body",
    "content",
    "comment",
    "utterance",
    "transcript",
    "messagetext",
    "plainbody",
    "commentbody",
];
const START: &[&str] = &[
    "start",
    "starttime",
    "startseconds",
    "timestamp",
    "time",
    "createdat",
    "sentat",
    "begin",
    "offset",
];
const END: &[&str] = &["end", "endtime", "endseconds"];
const ROLE: &[&str] = &[
    "role",
    "authortype",
    "sendertype",
    "speakerrole",
    "participantrole",
    "usertype",
    "participanttype",
];
const AGENT: &[&str] = &["agent", "agentname", "assignee", "assigneename"];

/// Header name → comparable form: `Ticket ID`, `ticket_id`, `ticket-id` → `ticketid`.
fn norm(h: &str) -> String {
    h.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

struct Layout {
    call_id: Option<usize>,
    speaker: Option<usize>,
    text: usize,
    start: Option<usize>,
    end: Option<usize>,
    role: Option<usize>,
    agent: Option<usize>,
}

fn layout(headers: &[String], cols: &Columns) -> Result<Layout, String> {
    let normed: Vec<String> = headers.iter().map(|h| norm(h)).collect();
    let find = |_: &[String], configured: &Option<String>, known: &[&str]| match configured {
        Some(c) => headers.iter().position(|h| h.trim() == c.trim()),
        None => known
            .iter()
            .find_map(|k| normed.iter().position(|h| h == k)),
    };
    let missing = |name: &str, configured: &Option<String>, known: &[&str]| {
        match configured {
        Some(c) => format!("no `{c}` column (set as the {name} column in `csv:` of tonecheck.yaml); columns: {}", headers.join(", ")),
        None => format!(
            "no {name} column: expected one named {} (or name it with `csv: {{{name}: COLUMN}}` in tonecheck.yaml); columns: {}",
            known.iter().take(6).copied().collect::<Vec<_>>().join(", "),
            headers.join(", ")
        ),
    }
    };
    let text = find(headers, &cols.text, TEXT).ok_or_else(|| missing("text", &cols.text, TEXT))?;
    let speaker = find(headers, &cols.speaker, SPEAKER);
    let role = find(headers, &cols.role, ROLE);
    if speaker.is_none() && role.is_none() {
        return Err(missing("speaker", &cols.speaker, SPEAKER));
    }
    let opt = |configured: &Option<String>, known: &[&str], name: &str| match configured {
        Some(_) => find(headers, configured, known)
            .map(Some)
            .ok_or_else(|| missing(name, configured, known)),
        None => Ok(find(headers, configured, known)),
    };
    Ok(Layout {
        call_id: opt(&cols.call_id, CALL_ID, "call_id")?,
        speaker,
        text,
        start: opt(&cols.start, START, "start")?,
        end: opt(&cols.end, END, "end")?,
        role,
        agent: opt(&cols.agent, AGENT, "agent")?,
    })
}

fn delimiter(path: &str) -> u8 {
    if path.to_ascii_lowercase().ends_with(".tsv") {
        b'\t'
    } else {
        b','
    }
}

/// A header line with recognised text and speaker columns (run on every plain-text file
/// during detection, so it splits the first line by hand rather than building a CSV parser).
fn accepts(src: &Source) -> bool {
    let delim = delimiter(src.path) as char;
    let first = src.text.lines().next().unwrap_or("");
    if !first.contains(delim) {
        return false;
    }
    let headers: Vec<String> = first
        .split(delim)
        .map(|h| h.trim().trim_matches('"').to_string())
        .collect();
    layout(&headers, &Columns::default()).is_ok()
}

/// One call being gathered: its transcript, or the error that dropped it.
struct Call {
    t: Transcript,
    error: Option<InputError>,
}

fn read(
    src: &Source,
    opts: &ReadOptions,
    errors: &mut Vec<InputError>,
) -> Result<Vec<Transcript>, InputError> {
    let mut reader = ::csv::ReaderBuilder::new()
        .delimiter(delimiter(src.path))
        .flexible(true)
        .from_reader(src.text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| src.error(Some(1), format!("cannot read the CSV header: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    let lay = layout(&headers, &opts.csv).map_err(|m| src.error(Some(1), m))?;
    let stem = id_from_path(src.path);
    let mut order: Vec<String> = Vec::new();
    let mut calls: HashMap<String, Call> = HashMap::new();
    // Date-time columns give absolute times; each call's times start from its first row.
    let mut dated: HashMap<String, f64> = HashMap::new();
    for (row_no, rec) in reader.records().enumerate() {
        let row = row_no + 2; // 1-based, after the header row
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e
                    .position()
                    .map_or(row, |p| src.lines().line(record_start(src.text, p.byte())));
                errors.push(src.error(Some(line), format!("row {row}: {e}")));
                continue;
            }
        };
        let pos = record_start(src.text, rec.position().map_or(0, |p| p.byte()));
        let line = src.lines().line(pos);
        let call_id = match lay.call_id {
            Some(i) => rec.get(i).unwrap_or("").trim().to_string(),
            None => stem.clone(),
        };
        if !calls.contains_key(&call_id) {
            let mut t = Transcript::new(if lay.call_id.is_some() {
                call_id.clone()
            } else {
                stem.clone()
            });
            t.metadata.call_id = lay.call_id.map(|_| call_id.clone());
            order.push(call_id.clone());
            calls.insert(call_id.clone(), Call { t, error: None });
        }
        let call = calls.get_mut(&call_id).expect("inserted above");
        if call.error.is_some() {
            continue;
        }
        let fail = |m: String| {
            Some(src.error(
                Some(line),
                format!("row {row} (call `{call_id}`): {m}; this call is not checked"),
            ))
        };
        if rec.len() < headers.len() {
            let missing: Vec<&str> = headers[rec.len()..].iter().map(String::as_str).collect();
            call.error = fail(format!(
                "has {} fields, the header has {} (missing {})",
                rec.len(),
                headers.len(),
                missing.join(", ")
            ));
            continue;
        }
        let field = |i: usize| rec.get(i).unwrap_or("").trim();
        let text = field(lay.text);
        if text.is_empty() {
            continue;
        }
        let role = lay.role.map_or(Role::Other, |i| role_value(field(i)));
        let speaker = match lay.speaker.map(field).filter(|s| !s.is_empty()) {
            Some(s) => s.to_string(),
            None => lay.role.map(field).unwrap_or("").to_string(),
        };
        if speaker.is_empty() {
            call.error = fail("no speaker".into());
            continue;
        }
        if let Some(a) = lay.agent.map(field).filter(|a| !a.is_empty()) {
            call.t.metadata.agent.get_or_insert_with(|| a.to_string());
        }
        let mut time = |i: Option<usize>, name: &str| -> Result<Option<f64>, String> {
            let Some(v) = i.map(field).filter(|v| !v.is_empty()) else {
                return Ok(None);
            };
            match parse_time(v) {
                Some((secs, absolute)) => {
                    if absolute {
                        let base = *dated.entry(call_id.clone()).or_insert(secs);
                        Ok(Some(secs - base))
                    } else {
                        Ok(Some(secs))
                    }
                }
                None => Err(format!(
                    "{name} `{v}` is not a time (seconds, 00:01:23 or 2024-05-01T10:00:00Z)"
                )),
            }
        };
        let (start, end) = match (time(lay.start, "start"), time(lay.end, "end")) {
            (Ok(s), Ok(e)) => (s, e),
            (Err(m), _) | (_, Err(m)) => {
                call.error = fail(m);
                continue;
            }
        };
        // Place the turn at its text in the source: past the cell's quote and blanks.
        let at = field_start(src.text, pos, delimiter(src.path), lay.text);
        let raw = rec.get(lay.text).unwrap_or("");
        let lead = raw.len() - raw.trim_start().len();
        let (l, c) = src.lines().line_col(cell_offset(src.text, at, lead));
        let mut turn = Turn::new(speaker, role, text, l);
        turn.segments[0].column = c;
        // A quoted cell may hold line breaks: each later line of it starts at column 1.
        for (n, (k, _)) in text.match_indices('\n').enumerate() {
            turn.segments.push(Segment {
                offset: k + 1,
                line: l + n + 1,
                column: 1,
            });
        }
        turn.start = start;
        turn.end = end;
        call.t.turns.push(turn);
    }
    let mut out = Vec::new();
    for id in order {
        let Call { mut t, error } = calls.remove(&id).expect("every id was inserted");
        if let Some(e) = error {
            errors.push(e);
            continue;
        }
        if t.turns.is_empty() {
            errors.push(src.error(None, format!("call `{id}` has no text")));
            continue;
        }
        if let Err(e) = check_times(src, &t.turns, &format!("call `{id}`: row of turn")) {
            errors.push(e);
            continue;
        }
        // Chat exports give one time per message: a turn ends where the next begins.
        for i in 0..t.turns.len().saturating_sub(1) {
            if t.turns[i].end.is_none() && t.turns[i].start.is_some() {
                t.turns[i].end = t.turns[i + 1].start;
            }
        }
        finish(&mut t, opts);
        out.push(t);
    }
    if out.is_empty() && errors.is_empty() {
        return Err(src.error(None, "no rows: nothing to check".into()));
    }
    Ok(out)
}

/// A role column's value: built-in names plus help-desk words (`end-user`, `requester`).
fn role_value(v: &str) -> Role {
    match norm(v).as_str() {
        "enduser" | "requester" | "visitor" | "contact" | "consumer" | "shopper" => Role::Customer,
        "admin" | "humanagent" | "employee" => Role::Agent,
        "bot" | "system" | "automation" => Role::Other,
        _ => roles::builtin(v).unwrap_or(Role::Other),
    }
}

/// Seconds from `83.5`, `1:23`, `00:01:23.5`, or an ISO date-time (`absolute` = true).
/// Negative and endless (`1e308:1e308`) times are not times.
fn parse_time(v: &str) -> Option<(f64, bool)> {
    parse_time_any(v).filter(|&(secs, absolute)| secs.is_finite() && (absolute || secs >= 0.0))
}

fn parse_time_any(v: &str) -> Option<(f64, bool)> {
    if let Ok(n) = v.parse::<f64>() {
        return Some((n, false));
    }
    if v.len() >= 19 && v.as_bytes().get(4) == Some(&b'-') {
        return datetime(v).map(|s| (s, true));
    }
    let mut secs = 0.0;
    let parts: Vec<&str> = v.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    for p in parts {
        secs = secs * 60.0 + p.parse::<f64>().ok().filter(|x| *x >= 0.0)?;
    }
    Some((secs, false))
}

/// A number written in ASCII digits only (no sign).
fn digits(s: &str) -> Option<i64> {
    s.bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| s.parse().ok())
        .flatten()
}

/// `YYYY-MM-DD[T ]HH:MM:SS[.fff][Z|±HH:MM]` → seconds since 1970 (UTC).
fn datetime(v: &str) -> Option<f64> {
    let num = |r: std::ops::Range<usize>| digits(v.get(r)?);
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !matches!(v.as_bytes()[10], b'T' | b' ') {
        return None;
    }
    let (h, mi, s) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &v[19..];
    let mut frac = 0.0;
    if let Some(r) = rest.strip_prefix('.') {
        let digits = r.bytes().take_while(u8::is_ascii_digit).count();
        frac = format!("0.{}", &r[..digits]).parse().ok()?;
        rest = &r[digits..];
    }
    let offset = match rest {
        "" | "Z" | "z" => 0,
        r if r.len() == 6 && (r.starts_with('+') || r.starts_with('-')) => {
            let sign = if r.starts_with('-') { -1 } else { 1 };
            sign * (digits(r.get(1..3)?)? * 3600 + digits(r.get(4..6)?)? * 60)
        }
        _ => return None,
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + h * 3600 + mi * 60 + s - offset) as f64 + frac)
}

/// Where a record the CSV parser places at byte `at` begins: after a `\r\n` line end the
/// parser places the next record at the `\n`, and counts it on the line before.
fn record_start(text: &str, at: u64) -> usize {
    let at = usize::try_from(at).map_or(text.len(), |a| a.min(text.len()));
    text.len() - text[at..].trim_start_matches(['\r', '\n']).len()
}

/// Byte offset where field `index` of the record starting at `pos` begins (at its opening
/// quote, if it has one), so the turn points at its text cell.
fn field_start(text: &str, pos: usize, delim: u8, index: usize) -> usize {
    let b = text.as_bytes();
    let mut i = pos;
    for _ in 0..index {
        if b.get(i) == Some(&b'"') {
            i += 1;
            while i < b.len() {
                if b[i] == b'"' {
                    if b.get(i + 1) == Some(&b'"') {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
        }
        while i < b.len() && b[i] != delim && b[i] != b'\n' {
            i += 1;
        }
        if b.get(i) == Some(&delim) {
            i += 1;
        }
    }
    i.min(text.len())
}

/// Where byte `decoded` of the value of the cell starting at `at` is in the source, read as
/// the csv parser reads a cell: an opening quote, `""` for a quote inside the quotes, and
/// after the closing quote the rest as it is (`"" "padded"` is ` "padded"`).
fn cell_offset(text: &str, at: usize, decoded: usize) -> usize {
    let b = text.as_bytes();
    let mut i = at;
    let mut quoted = b.get(i) == Some(&b'"');
    i += usize::from(quoted);
    let mut d = 0;
    loop {
        let closing = quoted && b.get(i) == Some(&b'"') && b.get(i + 1) != Some(&b'"');
        if closing {
            quoted = false;
            i += 1;
            continue;
        }
        if d >= decoded || i >= b.len() {
            break;
        }
        let step = if quoted && b[i] == b'"' { 2 } else { 1 };
        i += step;
        d += 1;
    }
    i.min(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_rows_by_call_and_places_turns() {
        let text = "Ticket ID,Author,Author Type,Body,Created At\nT1,Ana,agent,\"Hi, how can I help?\",2024-05-01T10:00:00Z\nT2,Bo,end-user,hello,2024-05-01T11:00:00Z\nT1,Cy,end-user,My bill is wrong,2024-05-01T10:00:30Z\n";
        let src = Source::new("x.csv", text);
        assert!(accepts(&src));
        let mut errors = Vec::new();
        let ts = read(&src, &ReadOptions::default(), &mut errors).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(ts.len(), 2);
        assert_eq!(ts[0].id, "T1");
        assert_eq!(ts[0].turns.len(), 2);
        assert_eq!(ts[0].turns[0].role, Role::Agent);
        assert_eq!(ts[0].turns[1].role, Role::Customer);
        assert_eq!(ts[0].turns[1].start, Some(30.0));
        assert_eq!(ts[0].turns[0].end, Some(30.0));
        assert_eq!(ts[0].turns[0].position(0), (2, 15));
        assert_eq!(ts[0].turns[1].position(3), (4, 19));
    }

    #[test]
    fn a_short_row_drops_its_call_only() {
        let text = "call_id,speaker,text\nA,Agent,hi\nB,Agent\nA,Customer,yo\nB,Customer,x\n";
        let src = Source::new("x.csv", text);
        let mut errors = Vec::new();
        let ts = read(&src, &ReadOptions::default(), &mut errors).unwrap();
        assert_eq!(ts.len(), 1);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, Some(3));
        assert!(errors[0].message.contains("missing text"), "{}", errors[0]);
    }

    /// Found by fuzzing: with `\r\n` line ends, every turn pointed at the end of the line
    /// before its row, and row errors named that line.
    #[test]
    fn crlf_rows_are_placed_on_their_own_line() {
        let text = "call_id,speaker,text\r\nA,Agent,hi there\r\nA,Customer\r\nB,Agent,yo\r\n";
        let src = Source::new("x.csv", text);
        let mut errors = Vec::new();
        let ts = read(&src, &ReadOptions::default(), &mut errors).unwrap();
        assert_eq!(ts[0].id, "B");
        assert_eq!(ts[0].turns[0].position(0), (4, 9));
        assert_eq!(errors[0].line, Some(3), "{}", errors[0]);
        let src = Source::new("x.csv", "call_id,speaker,text\r\nA,Agent,hi there\r\n");
        let ts = read(&src, &ReadOptions::default(), &mut Vec::new()).unwrap();
        assert_eq!(ts[0].turns[0].position(0), (2, 9));
    }

    /// Found by fuzzing: a cell with line breaks was one position, so a finding on a later
    /// line of it was placed on the cell's first line at a column past that line's end.
    #[test]
    fn each_line_of_a_multi_line_cell_is_placed() {
        let text = "call_id,speaker,text\nA,Agent,\"Hello,\nI'm sorry if\r\n  you\"\n";
        let src = Source::new("x.csv", text);
        let ts = read(&src, &ReadOptions::default(), &mut Vec::new()).unwrap();
        let turn = &ts[0].turns[0];
        assert_eq!(turn.position(0), (2, 10));
        assert_eq!(turn.position(turn.text.find("sorry").unwrap()), (3, 5));
        assert_eq!(turn.position(turn.text.find("you").unwrap()), (4, 3));
    }

    /// Found by fuzzing: after an empty quoted part (`"" "padded"`) the turn was placed one
    /// character early, on the blank before its text.
    #[test]
    fn text_after_a_closed_quote_is_placed_at_its_first_character() {
        let text = "call_id,speaker,text\nA,Agent,\"\" \"padded\" no\nA,Customer,\" \"\"hi\"\"\"\n";
        let src = Source::new("x.csv", text);
        let ts = read(&src, &ReadOptions::default(), &mut Vec::new()).unwrap();
        assert_eq!(ts[0].turns[0].text, "\"padded\" no");
        assert_eq!(ts[0].turns[0].position(0), (2, 12));
        assert_eq!(ts[0].turns[1].text, "\"hi\"");
        assert_eq!(ts[0].turns[1].position(0), (3, 14));
        assert_eq!(cell_offset("\" \"x", 0, 1), 3);
    }

    #[test]
    fn times() {
        assert_eq!(parse_time("83.5"), Some((83.5, false)));
        assert_eq!(parse_time("01:23"), Some((83.0, false)));
        assert_eq!(
            parse_time("1970-01-02T00:00:01.5+01:00"),
            Some((86_401.5 - 3600.0, true))
        );
        assert_eq!(parse_time("soon"), None);
        // Found by fuzzing: these were read as times (the last as infinity).
        assert_eq!(parse_time("-5"), None);
        assert_eq!(parse_time("inf"), None);
        assert_eq!(parse_time("1e308:1e308"), None);
        // A multi-byte character in the zone offset panicked (a slice inside it).
        assert_eq!(parse_time("2024-05-01T10:00:00+0é00"), None);
        assert_eq!(parse_time("2024-+5-01T10:00:00Z"), None);
        assert_eq!(
            parse_time("1969-12-31T23:59:59Z"),
            Some((-1.0, true)),
            "a date before 1970 is still a date"
        );
    }
}
