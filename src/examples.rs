//! Runs every rule's own `examples`: each `flag` example must produce a finding of that rule
//! (checked alone) and each `pass` example none. Used by `rules test`, by the engine when it
//! loads a pack, and by the test suite.
use crate::engine::Engine;
use crate::input::{self, ReadOptions};
use crate::pack::PackError;
use crate::transcript::{Mode, Transcript};

#[derive(Debug, Clone)]
pub struct ExampleFailure {
    pub rule: String,
    pub origin: String,
    /// `flag` or `pass`, or `examples` for a rule with no `flag` example at all.
    pub kind: &'static str,
    pub example: String,
    pub reason: String,
}

impl ExampleFailure {
    /// Locates the failing example in its pack source, when the text is at hand.
    pub fn to_error(&self, pack_text: Option<&str>) -> PackError {
        let first_line = self.example.lines().next().unwrap_or("");
        let (mut line, mut column) = (0, 0);
        if let Some(text) = pack_text {
            let rule_line = text
                .lines()
                .position(|l| l.contains("id:") && l.contains(self.rule.as_str()));
            if self.example.is_empty() {
                if let Some(i) = rule_line {
                    let l = text.lines().nth(i).unwrap_or("");
                    (line, column) = (i + 1, l.find("id:").map_or(1, |c| c + 1));
                }
            }
            for (i, l) in text.lines().enumerate().skip(rule_line.unwrap_or(0)) {
                if let Some(c) = l.find(first_line).filter(|_| !first_line.is_empty()) {
                    line = i + 1;
                    column = l[..c].chars().count() + 1;
                    break;
                }
            }
        }
        PackError {
            origin: self.origin.clone(),
            line,
            column,
            message: self.to_string(),
        }
    }
}

impl std::fmt::Display for ExampleFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.kind == "examples" {
            return write!(f, "rule `{}` {}", self.rule, self.reason);
        }
        write!(
            f,
            "rule `{}`: {} example {:?} {}",
            self.rule, self.kind, self.example, self.reason
        )
    }
}

/// Reads an example: labelled lines make a conversation, otherwise agent-only script lines.
pub fn example_transcript(text: &str) -> Result<Transcript, String> {
    let opts = ReadOptions::default();
    let conv = input::plain::parse("example", text, &opts);
    match conv {
        Ok(t) => Ok(t),
        _ => {
            let script = ReadOptions {
                mode: Some(Mode::Script),
                ..Default::default()
            };
            input::plain::parse("example", text, &script).map_err(|e| e.message)
        }
    }
}

/// Runs the examples of every rule in the engine (or only those of `rules`, by id).
pub fn run_selected(engine: &Engine, only: Option<&[String]>) -> (usize, Vec<ExampleFailure>) {
    let mut failures = Vec::new();
    let mut count = 0;
    for (i, rule) in engine.rules().iter().enumerate() {
        let id = &rule.common.info.id;
        if only.is_some_and(|o| !o.iter().any(|x| x == id)) {
            continue;
        }
        // A rule that never shows what it flags is untested: refused, as the README says.
        let ex = match &rule.def.examples {
            Some(ex) if !ex.flag.is_empty() => ex,
            _ => {
                count += 1;
                failures.push(ExampleFailure {
                    rule: id.clone(),
                    origin: rule.pack_origin.clone(),
                    kind: "examples",
                    example: String::new(),
                    reason: "has no `flag` example: add `examples: {flag: [\"Agent: …\"], pass: [\"Agent: …\"]}` showing what it flags and what it lets through".into(),
                });
                continue;
            }
        };
        let todo = ex.todo.clone().unwrap_or_default();
        let cases: [(&'static str, &Vec<String>, bool); 4] = [
            ("flag", &ex.flag, true),
            ("pass", &ex.pass, false),
            // A known miss must still be missed, a known false alarm still raised: when one
            // changes, the rule got better (or worse) and the example must move.
            ("todo flag", &todo.flag, false),
            ("todo pass", &todo.pass, true),
        ];
        for (kind, list, want) in cases {
            for example in list {
                count += 1;
                let fail = |reason: String| ExampleFailure {
                    rule: id.clone(),
                    origin: rule.pack_origin.clone(),
                    kind,
                    example: example.clone(),
                    reason,
                };
                let t = match example_transcript(example) {
                    Ok(t) => t,
                    Err(e) => {
                        failures.push(fail(format!("cannot be read: {e}")));
                        continue;
                    }
                };
                let got = engine.check_rules(&t, Some(i)).findings;
                let todo = kind.starts_with("todo");
                match (want, got.first()) {
                    (true, None) if todo => failures.push(fail(
                        "is no longer flagged: the rule now passes it, so move it to `pass`".into(),
                    )),
                    (true, None) => failures.push(fail("was not flagged".into())),
                    (false, Some(f)) if todo => failures.push(fail(format!(
                        "is now flagged (at {:?}): the rule learned it, so move it to `flag`",
                        f.matched
                    ))),
                    (false, Some(f)) => {
                        failures.push(fail(format!("was flagged at {:?}", f.matched)))
                    }
                    _ => {}
                }
            }
        }
    }
    (count, failures)
}

/// The examples checked when an engine is built: those of packs loaded from files. The
/// embedded packs' examples are checked by the test suite (and `rules test`) before a binary
/// ships, so a start-up does not pay for them again (about 0.1 s of CPU with the built-in packs).
pub fn run_loaded(engine: &Engine) -> Vec<ExampleFailure> {
    let user: Vec<String> = engine
        .rules()
        .iter()
        .filter(|r| !r.pack_origin.starts_with("builtin:"))
        .map(|r| r.common.info.id.clone())
        .collect();
    if user.is_empty() {
        return Vec::new();
    }
    run_selected(engine, Some(&user)).1
}
