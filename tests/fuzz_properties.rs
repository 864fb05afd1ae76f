//! The fuzz targets' entry points (`tonecheck::fuzzing`, also run by `fuzz/` under
//! cargo-fuzz) as property tests: random inputs assembled from the fragments that matter to
//! each reader and loader (cue timings, voice tags, subtitle numbers, vendor JSON field names,
//! CSV quoting, YAML syntax, anchors and aliases, labels, timestamps, directives), the format
//! fixtures with random edits (values swapped for huge, negative or mistyped ones, text cut
//! or inserted, nesting past the limit), whole-file changes (line ends, byte-order marks,
//! UTF-16, invalid UTF-8) and raw bytes. A panic or a broken invariant fails the test, and
//! proptest shrinks the input to a small reproduction. `PROPTEST_CASES=20000` runs longer.
use proptest::prelude::*;
use tonecheck::fuzzing;

const TRANSCRIPT: &[&str] = &[
    "Agent: ",
    "Customer: ",
    "spk_0: ",
    "Speaker 1: ",
    "[00:00:05] ",
    "(1:23) ",
    "00:01:02,5 ",
    "---\n",
    "...\n",
    "mode: script\n",
    "mode: chat\n",
    "id: x\n",
    "agent: &a Sam\n",
    "b: *a\n",
    "sorry if you feel that way",
    "I'm sorry, but",
    "thank you for calling",
    "no",
    ". ",
    "; ",
    "? ",
    " ",
    "\t",
    "\n",
    "\r",
    "\r\n",
    "\u{feff}",
    "\u{1b}[31m",
    "é",
    "—",
    "\u{202e}",
    "#",
    "# tonecheck: ignore",
    "<!-- tonecheck: ignore-next-line non-apology -->",
    ":",
    "[",
    "{",
    "[0:05-0:09] ",
    "[00:00:05 --> 00:00:09.5] ",
    "[99999999999:00] ",
    "\u{a0}",
    "\u{3000}",
    "\u{2028}",
    "- ",
    "> ",
    "1. ",
    "**",
    "_",
    "`",
    "```\n",
    "{{name}}",
    "[our policy](https://x.y/z)",
    "![img](a.png)",
    "https://a.b/c. ",
    "<br>",
    "<!--",
    "-->",
    "WEBVTT\n\n",
    "00:00:01,000 --> 00:00:02,000\n",
    "call_id,speaker,text\n",
    "{\"turns\": []}",
];

const YAML: &[&str] = &[
    "pack: p\n",
    "rules:\n",
    "  - id: r\n",
    "    severity: error\n",
    "    severity: kudos\n",
    "    message: '{match}'\n",
    "    kind: sequence\n",
    "    kind: required\n",
    "    kind: conditional\n",
    "    kind: metric\n",
    "    metric: agent_talk_share\n",
    "    max: 0.5\n",
    "    match: { phrases: [sorry] }\n",
    "    first: { phrases: [sorry] }\n",
    "    then: { regex: ['\\bbut\\b'] }\n",
    "    expect: { list: l }\n",
    "    unless: { phrases: [kidding] }\n",
    "    where: { first_turns: 2 }\n",
    "    within_turns: 0\n",
    "    examples: { flag: ['Agent: sorry'], pass: ['Agent: hi'] }\n",
    "lists:\n",
    "  l: &l [thanks, cheers]\n",
    "  m: *l\n",
    "scorecard: s\n",
    "pass_mark: 80\n",
    "sections:\n",
    "  - name: S\n",
    "    weight: 1\n",
    "    items:\n",
    "      - name: I\n",
    "        rules: [non-apology]\n",
    "        autofail: true\n",
    "packs: [builtin:respect]\n",
    "roles: { spk_0: agent }\n",
    "fail_on: warning\n",
    "overrides:\n",
    "  - files: '[z'\n",
    "[",
    "]",
    "{",
    "}",
    "&x ",
    "*x",
    "*y",
    "!!str ",
    "? ",
    ": ",
    "- ",
    "'",
    "\"",
    "\t",
    "\n",
];

fn assembled(parts: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => prop::collection::vec(prop::sample::select(parts), 0..60)
            .prop_map(|v| v.concat().into_bytes()),
        1 => prop::collection::vec(any::<u8>(), 0..400),
    ]
}

/// Cue fragments shared by WebVTT and SubRip.
const CUES: &[&str] = &[
    "WEBVTT\n\n",
    "WEBVTT - Zoom\n",
    "NOTE a note\n\n",
    "STYLE\n::cue { color: red }\n\n",
    "REGION\n",
    "1\n",
    "2\n",
    "cue-id\n",
    "00:00:01.000 --> 00:00:02.000\n",
    "00:00:01,000 --> 00:00:02,000\n",
    "00:01.000 --> 00:02.000 align:start position:10%\n",
    "00:00:05.000 --> 00:00:01.000\n",
    "99:59:59.999 --> 4294967295:00:00.000\n",
    "4294967296:00:00.000 --> 00:00:01.000\n",
    "00:00:0x.000 --> 00:00:01.000\n",
    "-00:00:01.000 --> 00:00:02.000\n",
    "00:00:01.5 --> \n",
    "-->",
    " --> ",
    "<v Agent>",
    "<v Customer>",
    "<v.loud Agent Kim>",
    "<v\tSpeaker 1>",
    "<v >",
    "<v",
    "</v>",
    "<i>",
    "</i>",
    "<b>",
    "<00:00:01.500>",
    "<",
    ">",
    "&amp;",
    "&lt;",
    "&gt;",
    "&nbsp;",
    "&#39;",
    "&",
    "Agent: ",
    "Customer: ",
    "Speaker 1: ",
    "sorry if you feel that way",
    "thank you for calling",
    "I'm sorry, but",
    "no",
    ". ",
    " ",
    "\t",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    "\u{feff}",
    "\u{a0}",
    "\u{3000}",
    "é",
    "—",
];

const CSV_HEADERS: &[&str] = &[
    "call_id,speaker,text,start,end\n",
    "call_id,speaker,text\n",
    "Ticket ID,Author,Author Type,Body,Created At\n",
    "conversation_id,sender,message,timestamp,role,agent\n",
    "id,role,content\n",
    "\"call_id\",\"speaker\",\"text\",\"start\"\n",
    "call_id\tspeaker\ttext\tstart\tend\n",
    "text,speaker,text\n",
    "speaker,text\r\n",
    "\u{feff}call_id,speaker,text\n",
];

const CSV: &[&str] = &[
    "c1,",
    "c2,",
    ",",
    ",,",
    "\t",
    "Agent,",
    "Customer,",
    "agent,",
    "end-user,",
    "bot,",
    "Dana,",
    "hello",
    "sorry if you feel that way",
    "\"Hi, how can I help?\"",
    "\"say \"\"hi\"\"\"",
    "\"two\nlines\"",
    "\"crlf\r\nin a cell\"",
    "\"unclosed",
    "\"",
    "\"\"",
    " \"padded\" ",
    "  leading",
    "\u{a0}nbsp",
    "\u{3000}wide",
    "0",
    "1.5",
    "-5",
    "-0",
    "1e308",
    "1e308:1e308",
    "1e308:1e308:1e308",
    "NaN",
    "inf",
    "01:23",
    "1:-2",
    "00:01:23.5",
    "2024-05-01T10:00:00Z",
    "2024-05-01 10:00:30.250+02:00",
    "2024-05-01T10:00:00+0é00",
    "2024-05-01T10:00:00é",
    "9999-99-99T99:99:99Z",
    "\n",
    "\r\n",
    "\r",
    "é",
];

/// Field names of the JSON formats (tests/fixtures/formats), for assembled JSON.
const JSON_KEYS: &[&str] = &[
    "turns",
    "speaker",
    "text",
    "start",
    "end",
    "role",
    "id",
    "metadata",
    "mode",
    "agent",
    "results",
    "items",
    "alternatives",
    "content",
    "start_time",
    "end_time",
    "speaker_label",
    "channel_label",
    "speaker_labels",
    "segments",
    "audio_segments",
    "transcript",
    "jobName",
    "SpeechSegments",
    "SegmentSpeaker",
    "DisplayText",
    "OriginalText",
    "SegmentStartTime",
    "SegmentEndTime",
    "ConversationAnalytics",
    "SpeakerLabels",
    "Speaker",
    "Transcript",
    "ParticipantRole",
    "Content",
    "BeginOffsetMillis",
    "EndOffsetMillis",
    "utterances",
    "channels",
    "channel",
    "words",
    "word",
    "punctuated_word",
    "audio_url",
    "language",
    "request_id",
];

/// JSON values: wrong types, huge, negative and not-a-number times, escapes, odd strings.
const JSON_VALUES: &[&str] = &[
    "null",
    "true",
    "false",
    "0",
    "-1",
    "-0",
    "0.5",
    "1e308",
    "-1e308",
    "1e400",
    "4.9e-324",
    "123456789012345678901234567890",
    "01",
    "1.",
    "+1",
    "\"NaN\"",
    "\"-5\"",
    "\"4.87\"",
    "\"1e999\"",
    "\" 12 \"",
    "\"Agent\"",
    "\"Customer\"",
    "\"agent\"",
    "\"spk_0\"",
    "\"AGENT\"",
    "\"CUSTOMER\"",
    "\"A\"",
    "\"script\"",
    "\"conversation\"",
    "\"  sorry if you feel that way\"",
    "\"\\n\\t sorry, but\"",
    "\"\\u0020\\u00a0no\"",
    "\"\\u00e9\\ud83d\\ude00\"",
    "\"\\ud800\"",
    "\"\\u+123\"",
    "\"a\\\"b\\\\c\"",
    "\"é—\u{202e}\u{a0}\"",
    "\" \"",
    "\"\"",
    "\",\"",
    "\"\\\"",
    "[]",
    "{}",
    "[\"x\"]",
    "{\"content\": \"x\"}",
];

/// Pieces inserted anywhere into a fixture.
const EDITS: &[&str] = &[
    "\"",
    ",",
    ":",
    "{",
    "}",
    "[",
    "]",
    "\\",
    "\\u",
    "\n",
    "\r",
    "\r\n",
    "\u{feff}",
    "\u{a0}",
    " ",
    "<v Agent>",
    "&amp;",
    "-->",
    "Agent: ",
    "sorry if you feel that way",
];

/// One random change to a fixture; positions are fractions of its length.
#[derive(Debug, Clone)]
enum Edit {
    Insert(u16, &'static str),
    Value(u16, &'static str),
    Delete(u16, u8),
    Duplicate(u16, u8),
    Truncate(u16),
    Nest(u16, u16),
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = any::<u16>();
    prop_oneof![
        3 => (at, prop::sample::select(EDITS)).prop_map(|(a, s)| Edit::Insert(a, s)),
        3 => (at, prop::sample::select(JSON_VALUES)).prop_map(|(a, s)| Edit::Value(a, s)),
        3 => (at, prop::sample::select(CSV)).prop_map(|(a, s)| Edit::Value(a, s)),
        2 => (at, any::<u8>()).prop_map(|(a, n)| Edit::Delete(a, n)),
        1 => (at, any::<u8>()).prop_map(|(a, n)| Edit::Duplicate(a, n)),
        1 => at.prop_map(Edit::Truncate),
        1 => (at, prop::sample::select(vec![1u16, 127, 128, 129, 130, 2000])).prop_map(|(a, n)| Edit::Nest(a, n)),
    ]
}

/// The char boundary at or before fraction `at` of `s`.
fn point(s: &str, at: u16) -> usize {
    let mut i = s.len() * usize::from(at) / usize::from(u16::MAX);
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply(mut s: String, e: &Edit) -> String {
    match *e {
        Edit::Insert(at, piece) => s.insert_str(point(&s, at), piece),
        // The value after the next `:`, `,`, tab or `>` (a JSON member, a CSV cell, a cue
        // timing) becomes `piece`.
        Edit::Value(at, piece) => {
            let from = point(&s, at);
            if let Some(k) = s[from..].find([':', ',', '\t', '>']) {
                let v = from + k + 1;
                let v = v + (s[v..].len() - s[v..].trim_start_matches(' ').len());
                let end = if s[v..].starts_with('"') {
                    // A whole JSON string (escapes skipped) or quoted cell.
                    let b = s.as_bytes();
                    let mut i = v + 1;
                    while i < b.len() && b[i] != b'"' {
                        i += if b[i] == b'\\' { 2 } else { 1 };
                    }
                    (i + 1).min(s.len())
                } else {
                    v + s[v..]
                        .find([',', '}', ']', '\n', '\t', ' '])
                        .unwrap_or(s.len() - v)
                };
                s.replace_range(v..end, piece);
            }
        }
        Edit::Delete(at, n) => {
            let from = point(&s, at);
            let mut to = (from + usize::from(n)).min(s.len());
            while !s.is_char_boundary(to) {
                to += 1;
            }
            s.replace_range(from..to, "");
        }
        Edit::Duplicate(at, n) => {
            let from = point(&s, at);
            let mut to = (from + usize::from(n)).min(s.len());
            while !s.is_char_boundary(to) {
                to += 1;
            }
            let copy = s[from..to].to_string();
            s.insert_str(to, &copy);
        }
        Edit::Truncate(at) => s.truncate(point(&s, at)),
        Edit::Nest(at, depth) => {
            let at = point(&s, at);
            let depth = usize::from(depth);
            s.insert_str(
                at,
                &format!("{}{}", "[{\"a\":".repeat(depth), "}]".repeat(depth)),
            );
        }
    }
    s
}

/// A fixture with up to four random edits.
fn edited(fixtures: &'static [&'static str]) -> impl Strategy<Value = String> {
    (
        prop::sample::select(fixtures),
        prop::collection::vec(edit(), 0..4),
    )
        .prop_map(|(f, edits)| edits.iter().fold(f.to_string(), apply))
}

fn pieces(parts: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(parts), 0..max).prop_map(|v| v.concat())
}

/// A JSON document assembled from vendor field names and awkward values.
fn json_doc() -> impl Strategy<Value = String> {
    let leaf = prop::sample::select(JSON_VALUES).prop_map(str::to_string);
    leaf.prop_recursive(6, 64, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec((prop::sample::select(JSON_KEYS), inner), 0..6).prop_map(|m| {
                let members: Vec<String> = m.iter().map(|(k, v)| format!("\"{k}\": {v}")).collect();
                format!("{{{}}}", members.join(",\n "))
            }),
        ]
    })
}

/// Whole-file changes: line ends, byte-order marks, UTF-16, a byte that is not UTF-8.
#[derive(Debug, Clone)]
enum Whole {
    AsIs,
    Crlf,
    LoneCr,
    Bom,
    Utf16(bool),
    BadByte(u16, u8),
}

fn whole(text: String, w: &Whole) -> Vec<u8> {
    match *w {
        Whole::AsIs => text.into_bytes(),
        Whole::Crlf => text.replace('\n', "\r\n").into_bytes(),
        Whole::LoneCr => text.replace('\n', "\r").into_bytes(),
        Whole::Bom => format!("\u{feff}{text}").into_bytes(),
        Whole::Utf16(le) => {
            let mut b = if le {
                vec![0xFF, 0xFE]
            } else {
                vec![0xFE, 0xFF]
            };
            for u in text.encode_utf16() {
                b.extend(if le { u.to_le_bytes() } else { u.to_be_bytes() });
            }
            b
        }
        Whole::BadByte(at, byte) => {
            let at = point(&text, at);
            let mut b = text.into_bytes();
            b.insert(at, byte | 0x80);
            b
        }
    }
}

/// A generated file, shown as an escaped byte string when a property fails.
#[derive(Clone)]
struct Bytes(Vec<u8>);

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "b\"{}\"", self.0.escape_ascii())
    }
}

impl std::ops::Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

/// Files for one reader: its generated text under a whole-file change, or raw bytes.
fn file(text: impl Strategy<Value = String>) -> impl Strategy<Value = Bytes> {
    let change = prop_oneof![
        12 => Just(Whole::AsIs),
        2 => Just(Whole::Crlf),
        1 => Just(Whole::LoneCr),
        2 => Just(Whole::Bom),
        1 => any::<bool>().prop_map(Whole::Utf16),
        1 => (any::<u16>(), any::<u8>()).prop_map(|(a, b)| Whole::BadByte(a, b)),
    ];
    prop_oneof![
        6 => (text, change).prop_map(|(t, c)| Bytes(whole(t, &c))),
        1 => prop::collection::vec(any::<u8>(), 0..400).prop_map(Bytes),
    ]
}

/// `n` cases, unless `PROPTEST_CASES` asks for another number (a long run).
fn cases(n: u32) -> ProptestConfig {
    let mut c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = n;
    }
    c
}

macro_rules! fixtures {
    ($($name:literal),*) => {
        &[$(include_str!(concat!("fixtures/formats/", $name))),*]
    };
}

const PLAIN_FILES: &[&str] = fixtures!["ranges.txt"];
const VTT_FILES: &[&str] = fixtures!["zoom.vtt", "teams.vtt"];
const SRT_FILES: &[&str] = fixtures!["call.srt"];
const CSV_FILES: &[&str] = fixtures!["calls.csv", "helpdesk.csv"];
const JSONL_FILES: &[&str] = fixtures!["calls.jsonl"];
const NATIVE_FILES: &[&str] = fixtures!["native.json"];
const AWS_ANALYTICS_FILES: &[&str] = fixtures!["aws-call-analytics.json"];
const AWS_TRANSCRIBE_FILES: &[&str] =
    fixtures!["aws-transcribe.json", "aws-transcribe-channels.json"];
const AWS_PCA_FILES: &[&str] = fixtures!["aws-pca.json"];
const DEEPGRAM_FILES: &[&str] = fixtures!["deepgram-words.json", "deepgram-utterances.json"];
const ASSEMBLYAI_FILES: &[&str] = fixtures!["assemblyai.json"];
const WHISPER_FILES: &[&str] = fixtures!["whisperx.json", "openai-verbose.json"];

fn json_file(fixtures: &'static [&'static str]) -> impl Strategy<Value = Bytes> {
    file(prop_oneof![3 => edited(fixtures), 1 => json_doc()])
}

/// What a caption line holds: voice tags, markup, entities, labels and words.
const CUE_TEXT: &[&str] = &[
    "<v Agent>",
    "<v Customer>",
    "<v.loud Agent Kim>",
    "<v\tSpeaker 1>",
    "<v >",
    "<v",
    "</v>",
    "<i>",
    "</i>",
    "<00:00:01.500>",
    "<",
    ">",
    "&amp;",
    "&lt;",
    "&nbsp;",
    "&",
    "Agent: ",
    "Customer: ",
    "Agent: ",
    "Customer: ",
    "sorry if you feel that way",
    "thank you for calling",
    "I'm sorry, but",
    "no",
    ". ",
    " ",
    "\t",
    "\r",
    "\u{a0}",
    "\u{3000}",
    "é",
    "-->",
];

const TIMINGS: &[&str] = &[
    "00:00:01.000 --> 00:00:02.000",
    "00:00:02,500 --> 00:00:04,000",
    "00:03.000 --> 00:04.000 align:start position:10%",
    "00:00:00.000 --> 00:00:00.000",
];

const BAD_TIMINGS: &[&str] = &[
    "00:00:05.000 --> 00:00:01.000",
    "99:59:59.999 --> 4294967295:00:00.000",
    "4294967296:00:00.000 --> 00:00:01.000",
    "00:00:0x.000 --> 00:00:01.000",
    "-00:00:01.000 --> 00:00:02.000",
    "00:00:01.5 -->",
    "-->",
];

/// Captions: a header, then cues of an optional number or id, a timing line (now and then a
/// bad one) and text lines made of cue fragments; or cue fragments alone.
fn cues(header: &'static str) -> impl Strategy<Value = String> {
    let cue = (
        prop_oneof![
            8 => prop::sample::select(&["", "1\n", "2\n"][..]),
            1 => prop::sample::select(&["cue-id\n", "NOTE x\n", "x\n"][..]),
        ],
        prop_oneof![12 => prop::sample::select(TIMINGS), 1 => prop::sample::select(BAD_TIMINGS)],
        prop::collection::vec(pieces(CUE_TEXT, 8), 0..3),
        prop::sample::select(&["\n\n", "\n\n", "\n", "\r\n\r\n", "\n \n"][..]),
    )
        .prop_map(|(id, timing, lines, end)| format!("{id}{timing}\n{}{end}", lines.join("\n")));
    let start = prop_oneof![16 => Just(header), 1 => Just(""), 1 => Just("\u{feff}")];
    prop_oneof![
        4 => (start, prop::collection::vec(cue, 1..6))
            .prop_map(|(h, cues)| h.to_string() + &cues.concat()),
        1 => pieces(CUES, 60),
    ]
}

fn cue_file(
    fixtures: &'static [&'static str],
    header: &'static str,
) -> impl Strategy<Value = Bytes> {
    file(prop_oneof![1 => edited(fixtures), 3 => cues(header)])
}

proptest! {
    #![proptest_config(cases(1000))]

    #[test]
    fn plain_reader_never_panics(data in file(prop_oneof![
        2 => pieces(TRANSCRIPT, 60),
        1 => edited(PLAIN_FILES),
    ])) {
        fuzzing::reader("plain", &data);
    }

    #[test]
    fn pack_loader_never_panics(data in assembled(YAML)) {
        fuzzing::pack_loader(&data);
    }

    #[test]
    fn scorecard_loader_never_panics(data in assembled(YAML)) {
        fuzzing::scorecard_loader(&data);
    }

    #[test]
    fn config_loader_never_panics(data in assembled(YAML)) {
        fuzzing::config_loader(&data);
    }
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn vtt_reader_never_panics(data in cue_file(VTT_FILES, "WEBVTT\n\n")) {
        fuzzing::reader("vtt", &data);
    }

    #[test]
    fn srt_reader_never_panics(data in cue_file(SRT_FILES, "")) {
        fuzzing::reader("srt", &data);
    }

    #[test]
    fn csv_reader_never_panics(data in file(prop_oneof![
        1 => edited(CSV_FILES),
        2 => (prop::sample::select(CSV_HEADERS), pieces(CSV, 40)).prop_map(|(h, b)| h.to_string() + &b),
    ])) {
        fuzzing::reader("csv", &data);
    }

    #[test]
    fn jsonl_reader_never_panics(data in file(prop_oneof![
        2 => edited(JSONL_FILES),
        1 => prop::collection::vec((json_doc(), prop::sample::select(&["\n", "\r\n", "\n\n", "\n \u{a0}\n", "\u{feff}\n"][..])), 0..4)
            .prop_map(|v| v.into_iter().map(|(d, end)| d.replace('\n', " ") + end).collect()),
    ])) {
        fuzzing::reader("jsonl", &data);
    }

    #[test]
    fn json_reader_never_panics(data in json_file(NATIVE_FILES)) {
        fuzzing::reader("json", &data);
    }

    #[test]
    fn aws_call_analytics_reader_never_panics(data in json_file(AWS_ANALYTICS_FILES)) {
        fuzzing::reader("aws-call-analytics", &data);
    }

    #[test]
    fn aws_transcribe_reader_never_panics(data in json_file(AWS_TRANSCRIBE_FILES)) {
        fuzzing::reader("aws-transcribe", &data);
    }

    #[test]
    fn aws_pca_reader_never_panics(data in json_file(AWS_PCA_FILES)) {
        fuzzing::reader("aws-pca", &data);
    }

    #[test]
    fn deepgram_reader_never_panics(data in json_file(DEEPGRAM_FILES)) {
        fuzzing::reader("deepgram", &data);
    }

    #[test]
    fn assemblyai_reader_never_panics(data in json_file(ASSEMBLYAI_FILES)) {
        fuzzing::reader("assemblyai", &data);
    }

    #[test]
    fn whisper_reader_never_panics(data in json_file(WHISPER_FILES)) {
        fuzzing::reader("whisper", &data);
    }
}

/// Every registered reader has a property above (and a target in fuzz/).
#[test]
fn every_reader_is_fuzzed() {
    let this = include_str!("fuzz_properties.rs");
    let targets = include_str!("../fuzz/Cargo.toml");
    for name in tonecheck::input::reader_names() {
        assert!(
            this.contains(&format!("fuzzing::reader(\"{name}\"")),
            "no property for {name}"
        );
        let bin = format!("name = \"{}_reader\"", name.replace('-', "_"));
        assert!(targets.contains(&bin), "no fuzz target for {name}");
    }
}
