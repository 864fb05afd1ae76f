//! Reader throughput in bytes per second, one bench per input format: the same generated
//! calls (the generator of `benches/throughput.sh`) written in every format, read from
//! memory into transcripts (detection, parsing, roles; no rules). Run with
//! `cargo bench --bench formats`.
use divan::counter::BytesCount;
use divan::Bencher;

use tonecheck::input::{read_bytes, ReadOptions};
use tonecheck::transcript::{Role, Transcript};

#[allow(dead_code)]
#[path = "../examples/gen_corpus.rs"]
mod gen_corpus;

/// About 2–8 MB per format, depending on how verbose the format is.
const CALLS: usize = 300;

/// The generated calls as transcripts, with times: each turn lasts 0.4 s a word.
fn calls() -> Vec<Transcript> {
    let mut rng = gen_corpus::Rng(7);
    let opts = ReadOptions::default();
    (0..CALLS)
        .map(|n| {
            let mut s = String::new();
            gen_corpus::call(&mut rng, n, &mut s);
            let mut t = read_bytes("call.txt", s.as_bytes(), &opts)
                .expect("generated call parses")
                .remove(0);
            let mut clock = 0.0;
            for turn in &mut t.turns {
                turn.start = Some(clock);
                clock += 0.4 * turn.word_count() as f64;
                turn.end = Some(clock);
                clock += 0.5;
            }
            t
        })
        .collect()
}

fn json_str(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialise")
}

fn label(role: Role) -> &'static str {
    if role == Role::Agent {
        "Agent"
    } else {
        "Customer"
    }
}

fn clock(t: f64, sep: char) -> String {
    let ms = (t * 1000.0).round() as u64;
    format!(
        "{:02}:{:02}:{:02}{sep}{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// Each turn through `turn(index, turn)`, joined.
fn each(t: &Transcript, f: impl Fn(usize, &tonecheck::transcript::Turn) -> String) -> String {
    t.turns
        .iter()
        .enumerate()
        .map(|(i, x)| f(i, x))
        .collect::<Vec<_>>()
        .join("")
}

fn s(x: Option<f64>) -> f64 {
    x.unwrap_or(0.0)
}

/// One file per call in the given format: (file name, bytes).
fn files(format: &str) -> Vec<(String, String)> {
    let calls = calls();
    let one = |t: &Transcript| -> (String, String) {
        match format {
            "plain" => (
                "c.txt".into(),
                each(t, |_, x| format!("[{}] {}: {}\n", clock(s(x.start), '.'), label(x.role), x.text)),
            ),
            "vtt" => (
                "c.vtt".into(),
                format!(
                    "WEBVTT\n\n{}",
                    each(t, |_, x| format!(
                        "{} --> {}\n<v {}>{}</v>\n\n",
                        clock(s(x.start), '.'),
                        clock(s(x.end), '.'),
                        label(x.role),
                        x.text
                    ))
                ),
            ),
            "srt" => (
                "c.srt".into(),
                each(t, |i, x| format!(
                    "{}\n{} --> {}\n{}: {}\n\n",
                    i + 1,
                    clock(s(x.start), ','),
                    clock(s(x.end), ','),
                    label(x.role),
                    x.text
                )),
            ),
            "json" => (
                "c.json".into(),
                format!(
                    "{{\"id\": \"c\", \"turns\": [\n{}]}}",
                    turns_json(t, |x| format!(
                        "{{\"speaker\": \"{}\", \"text\": {}, \"start\": {}, \"end\": {}}}",
                        label(x.role),
                        json_str(&x.text),
                        s(x.start),
                        s(x.end)
                    ))
                ),
            ),
            "aws-call-analytics" => (
                "c.json".into(),
                format!(
                    "{{\"JobStatus\": \"COMPLETED\", \"Transcript\": [\n{}]}}",
                    turns_json(t, |x| format!(
                        "{{\"ParticipantRole\": \"{}\", \"Content\": {}, \"BeginOffsetMillis\": {}, \"EndOffsetMillis\": {}, \"Sentiment\": \"NEUTRAL\"}}",
                        label(x.role).to_uppercase(),
                        json_str(&x.text),
                        (s(x.start) * 1000.0) as u64,
                        (s(x.end) * 1000.0) as u64
                    ))
                ),
            ),
            "aws-transcribe" => {
                let mut items = Vec::new();
                for x in &t.turns {
                    let words: Vec<&str> = x.text.split_whitespace().collect();
                    let step = (s(x.end) - s(x.start)) / words.len().max(1) as f64;
                    for (i, w) in words.iter().enumerate() {
                        let a = s(x.start) + i as f64 * step;
                        items.push(format!(
                            "{{\"start_time\": \"{a:.3}\", \"end_time\": \"{:.3}\", \"alternatives\": [{{\"confidence\": \"0.99\", \"content\": {}}}], \"type\": \"pronunciation\", \"speaker_label\": \"spk_{}\"}}",
                            a + step,
                            json_str(w),
                            u8::from(x.role != Role::Agent)
                        ));
                    }
                }
                (
                    "c.json".into(),
                    format!("{{\"jobName\": \"c\", \"results\": {{\"items\": [\n{}]}}}}", items.join(",\n")),
                )
            }
            "deepgram" => (
                "c.json".into(),
                format!(
                    "{{\"metadata\": {{\"request_id\": \"c\"}}, \"results\": {{\"channels\": [], \"utterances\": [\n{}]}}}}",
                    turns_json(t, |x| format!(
                        "{{\"start\": {}, \"end\": {}, \"channel\": 0, \"transcript\": {}, \"speaker\": {}}}",
                        s(x.start),
                        s(x.end),
                        json_str(&x.text),
                        u8::from(x.role != Role::Agent)
                    ))
                ),
            ),
            "assemblyai" => (
                "c.json".into(),
                format!(
                    "{{\"id\": \"c\", \"status\": \"completed\", \"utterances\": [\n{}]}}",
                    turns_json(t, |x| format!(
                        "{{\"speaker\": \"{}\", \"text\": {}, \"start\": {}, \"end\": {}}}",
                        if x.role == Role::Agent { "A" } else { "B" },
                        json_str(&x.text),
                        (s(x.start) * 1000.0) as u64,
                        (s(x.end) * 1000.0) as u64
                    ))
                ),
            ),
            "whisper" => (
                "c.json".into(),
                format!(
                    "{{\"segments\": [\n{}]}}",
                    turns_json(t, |x| format!(
                        "{{\"start\": {}, \"end\": {}, \"text\": {}, \"speaker\": \"SPEAKER_0{}\"}}",
                        s(x.start),
                        s(x.end),
                        json_str(&x.text),
                        u8::from(x.role != Role::Agent)
                    ))
                ),
            ),
            "csv" => (
                "c.csv".into(),
                format!(
                    "call_id,speaker,text,start,end\n{}",
                    each(t, |_, x| format!(
                        "{},{},\"{}\",{},{}\n",
                        t.id,
                        label(x.role),
                        x.text.replace('"', "\"\""),
                        s(x.start),
                        s(x.end)
                    ))
                ),
            ),
            other => panic!("no generator for {other}"),
        }
    };
    if format == "jsonl" {
        // One file of every call, one per line.
        let lines: Vec<String> = calls.iter().map(files_json_line).collect();
        return vec![("c.jsonl".into(), lines.join("\n"))];
    }
    calls.iter().map(one).collect()
}

fn turns_json(t: &Transcript, f: impl Fn(&tonecheck::transcript::Turn) -> String) -> String {
    t.turns.iter().map(f).collect::<Vec<_>>().join(",\n")
}

fn files_json_line(t: &Transcript) -> String {
    format!(
        "{{\"id\": {}, \"turns\": [{}]}}",
        json_str(&t.id),
        t.turns
            .iter()
            .map(|x| format!(
                "{{\"speaker\": \"{}\", \"text\": {}, \"start\": {}, \"end\": {}}}",
                label(x.role),
                json_str(&x.text),
                s(x.start),
                s(x.end)
            ))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

#[divan::bench(args = [
    "plain", "vtt", "srt", "json", "jsonl", "aws-call-analytics", "aws-transcribe",
    "deepgram", "assemblyai", "whisper", "csv",
])]
fn read(b: Bencher, format: &str) {
    let files = files(format);
    let opts = ReadOptions::default();
    // Every generated file reads, and with both roles.
    for (name, text) in &files {
        let ts =
            read_bytes(name, text.as_bytes(), &opts).unwrap_or_else(|e| panic!("{format}: {e}"));
        assert!(ts.iter().all(|t| t.roles_resolved()), "{format}: roles");
    }
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    b.counter(BytesCount::new(bytes)).bench(|| {
        files
            .iter()
            .map(|(name, text)| {
                read_bytes(name, text.as_bytes(), &opts)
                    .expect("checked above")
                    .len()
            })
            .sum::<usize>()
    });
}

fn main() {
    divan::main();
}
