//! Writes a deterministic corpus of plain-text call transcripts for the throughput benchmark
//! (`benches/throughput.sh`). Same arguments, same bytes, on any machine: the generator is a
//! fixed-seed xorshift, not the `rand` crate, so no dependency can change the output.
//!
//! Usage: cargo run --release --example gen_corpus -- OUT_DIR [MEGABYTES] [SEED]
//!
//! With OUT ending in `.jsonl` (or `-` for standard output) it writes the same calls as JSON
//! Lines instead, one native transcript per line with a `date` spread over eight weeks: the
//! streaming input of `tonecheck score -f jsonl -` and of the Spark test (docs/scale.md).
use std::fmt::Write as _;
use std::path::PathBuf;

/// What agents say: mostly neutral service talk, with the habits the rule packs look for
/// mixed in at realistic rates (non-apologies, "but" after sorry, forbidden phrases, thanks).
const AGENT: &[&str] = &[
    "Thank you for calling Northwind Energy, my name is Priya, how can I help you today?",
    "Thanks for calling, this is Marcus in billing. What can I do for you?",
    "I'm sorry we got that wrong. Let me put it right for you now.",
    "I'm sorry, but our system doesn't allow refunds after thirty days.",
    "I'm sorry if you feel that way.",
    "I apologize if you were upset by the letter.",
    "Could you give me the account number so I can pull up your details?",
    "Let me just check that for you, it will take about a minute.",
    "I can see the payment went through on the third of the month.",
    "That sounds really frustrating, especially after waiting so long.",
    "I understand how stressful it is when the heating stops working.",
    "So what I'm hearing is that the engineer never arrived on Tuesday, is that right?",
    "How do you see us resolving this today?",
    "I don't know why that happened.",
    "We can't change the tariff until the contract ends.",
    "You'll have to call the other department for that.",
    "Hold on, just a second.",
    "It's our policy, I'm afraid.",
    "That's not true, the bill was sent on time.",
    "You must have misread the email.",
    "The warehouse team messed up your order, not me.",
    "I'll call you back within twenty minutes with an update.",
    "I guarantee this will never happen again.",
    "Please calm down so I can help you.",
    "As I already said, the refund takes five working days.",
    "I'll take care of this personally and email you the confirmation.",
    "Thank you for your patience while I looked into that.",
    "Is there anything else I can help you with today?",
    "I've credited twenty pounds to your account for the trouble.",
    "Your new card should arrive in three to five working days.",
    "I've raised a ticket with reference NW-48213 so you can follow it up.",
    "Can I confirm the address is still 14 Elm Road?",
    "Thanks for raising this with us, it helps us fix it for everyone.",
    "I appreciate you bearing with me.",
    "My apologies, I put you on the wrong line there.",
    "Sorry about that, the reason is that the courier changed depots.",
    "No, that isn't something we offer.",
    "Let me see what I can do for you.",
    "I completely understand, I would be annoyed too.",
    "Whatever you prefer is fine.",
];

const CUSTOMER: &[&str] = &[
    "Hi, I'm calling because my bill is twice what it normally is.",
    "My order was supposed to arrive last week and it still hasn't come.",
    "This is the third time I've called about the same problem.",
    "I've been on hold for forty minutes, this is ridiculous.",
    "The engineer didn't turn up and nobody told me.",
    "Okay, thank you, that's really helpful.",
    "The account number is 7731 2290 4418.",
    "I already gave my details to the last person I spoke to.",
    "I'm really disappointed with how this has been handled.",
    "Can you tell me when the refund will go through?",
    "That's not good enough, I want to speak to a manager.",
    "Great, thanks so much for sorting that out.",
    "Yes, that's right, the address hasn't changed.",
    "I don't understand why I was charged twice.",
    "Fine. Whatever.",
    "No, that's everything, thanks.",
    "I'm not happy about this at all, it's unacceptable.",
    "Could you send me that in writing please?",
    "I was told someone would call me back and nobody did.",
    "Sorry, could you repeat that? The line is bad.",
];

const NAMES: &[&str] = &[
    "Priya", "Marcus", "Dana", "Tom", "Aisha", "Lee", "Sofia", "Ben",
];
const QUEUES: &[&str] = &["billing", "delivery", "repairs", "accounts"];

pub struct Rng(pub u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, v: &[&'a str]) -> &'a str {
        v[self.below(v.len())]
    }
}

/// One call: front matter, then 20–80 alternating turns with timestamps, some of them
/// spread over two lines (continuations) and some with several sentences.
pub fn call(rng: &mut Rng, n: usize, out: &mut String) {
    let _ = writeln!(
        out,
        "---\ncall_id: C-{n:07}\nagent: {}\nqueue: {}\n---",
        rng.pick(NAMES),
        rng.pick(QUEUES)
    );
    let turns = 20 + rng.below(61);
    let mut secs = 0;
    for i in 0..turns {
        let agent = i % 2 == 0;
        let pool = if agent { AGENT } else { CUSTOMER };
        let label = if agent { "Agent" } else { "Customer" };
        let _ = write!(
            out,
            "[{:02}:{:02}:{:02}] {label}: {}",
            secs / 3600,
            secs / 60 % 60,
            secs % 60,
            if i == 0 {
                AGENT[rng.below(2)]
            } else {
                rng.pick(pool)
            }
        );
        for _ in 0..rng.below(3) {
            out.push(' ');
            out.push_str(rng.pick(pool));
        }
        if rng.below(5) == 0 {
            out.push('\n');
            out.push_str("  ");
            out.push_str(rng.pick(pool));
        }
        out.push('\n');
        secs += 3 + rng.below(25);
    }
}

/// The plain call text as one native JSON transcript (one line, no newline).
fn to_json_line(text: &str, n: usize) -> String {
    let mut meta = serde_json::Map::new();
    let mut turns: Vec<serde_json::Value> = Vec::new();
    let mut body = false;
    for line in text.lines() {
        if line == "---" {
            body = !meta.is_empty() || body;
            continue;
        }
        if !body {
            if let Some((k, v)) = line.split_once(": ") {
                meta.insert(k.into(), v.into());
            }
            continue;
        }
        if let Some(cont) = line.strip_prefix("  ") {
            if let Some(serde_json::Value::String(t)) =
                turns.last_mut().and_then(|t| t.get_mut("text"))
            {
                t.push(' ');
                t.push_str(cont);
            }
            continue;
        }
        let (stamp, rest) = line.split_at(10);
        let secs: f64 = stamp[1..9]
            .split(':')
            .fold(0.0, |a, x| a * 60.0 + x.parse::<f64>().expect("hh:mm:ss"));
        let (speaker, said) = rest.trim_start().split_once(": ").expect("Label: text");
        turns.push(serde_json::json!({"speaker": speaker, "text": said, "start": secs}));
    }
    // Eight weeks from Monday 2026-09-28, a few calls a day each.
    let day = n % 56;
    let date = if day < 3 {
        format!("2026-09-{:02}", 28 + day)
    } else if day < 34 {
        format!("2026-10-{:02}", day - 2)
    } else {
        format!("2026-11-{:02}", day - 33)
    };
    meta.insert("date".into(), date.into());
    serde_json::json!({"id": format!("C-{n:07}"), "metadata": meta, "turns": turns}).to_string()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: gen_corpus OUT_DIR [MEGABYTES] [SEED]");
        std::process::exit(2);
    };
    let mb: usize = args.next().map_or(300, |s| s.parse().expect("MEGABYTES"));
    let seed: u64 = args.next().map_or(42, |s| s.parse().expect("SEED"));
    let mut rng = Rng(seed.max(1));
    let target = mb * 1_000_000;
    let (mut total, mut n) = (0usize, 0usize);
    let mut text = String::new();
    let name = dir.to_string_lossy();
    if name == "-" || name.ends_with(".jsonl") {
        use std::io::Write;
        let out: Box<dyn Write> = if name == "-" {
            Box::new(std::io::stdout().lock())
        } else {
            Box::new(std::fs::File::create(&dir).expect("create the JSONL file"))
        };
        let mut out = std::io::BufWriter::new(out);
        while total < target {
            text.clear();
            call(&mut rng, n, &mut text);
            let line = to_json_line(&text, n);
            writeln!(out, "{line}").expect("write a line");
            total += line.len() + 1;
            n += 1;
        }
        out.flush().expect("flush");
        eprintln!("{n} calls, {total} bytes in {name}");
        return;
    }
    while total < target {
        text.clear();
        call(&mut rng, n, &mut text);
        // 500 calls per folder keeps directories a realistic size.
        let sub = dir.join(format!("{:04}", n / 500));
        if n % 500 == 0 {
            std::fs::create_dir_all(&sub).expect("create corpus folder");
        }
        std::fs::write(sub.join(format!("call-{n:07}.txt")), &text).expect("write call");
        total += text.len();
        n += 1;
    }
    println!("{n} files, {total} bytes in {}", dir.display());
}
