//! Rule packs: the built-in YAML packs embedded in the binary, loading packs from files,
//! and turning every problem in a pack into an error with file, line and column.
pub mod config;
pub mod schema;
pub mod scorecard;
pub mod suggest;

use std::fmt;
use std::path::Path;

pub use schema::{KindName, MatcherDef, PackDef, RuleDef, Scope, SpeakerSel, Trigger, WindowDef};

/// The packs compiled into the binary, in load order. A new built-in pack is one YAML file
/// in `rules/` plus one line here.
pub const BUILTIN_PACKS: &[(&str, &str)] = &[
    (
        "service-recovery",
        include_str!("../../rules/service-recovery.yaml"),
    ),
    (
        "forbidden-phrases",
        include_str!("../../rules/forbidden-phrases.yaml"),
    ),
    ("respect", include_str!("../../rules/respect.yaml")),
    ("kudos", include_str!("../../rules/kudos.yaml")),
];

/// The stable built-in rule ids DESIGN.md promises ("Built-in rule ids"); users and tests
/// depend on them, and none is ever renamed.
pub const STABLE_RULE_IDS: &[&str] = &[
    "non-apology",
    "apology-then-explanation",
    "missing-apology",
    "missing-thank-you",
    "customer-is-wrong",
    "blame-shifting",
    "forbidden-phrase",
    "dismissive-language",
    "policy-without-alternative",
    "repeat-request",
    "over-promise",
    "missing-empathy",
    "missing-paraphrase",
    "missing-open-question",
    "missing-timeline",
    "agent-talks-too-much",
    "interruption",
    "long-silence",
    "customer-sentiment-drop",
    "kudos-sincere-apology",
    "kudos-empathy",
    "kudos-thanks",
    "kudos-ownership",
];

/// Stable ids the built-in packs leave out for now: `interruption` and `long-silence` need
/// turn end times, which plain-text transcripts (and so rule examples) cannot carry, and
/// `customer-sentiment-drop` needs a sentiment metric the engine does not have yet.
pub const NOT_YET_BUILT_RULE_IDS: &[&str] =
    &["interruption", "long-silence", "customer-sentiment-drop"];

/// Where a pack came from: `builtin:NAME` or a file path. Used in every error.
#[derive(Debug, Clone)]
pub struct PackSource {
    pub origin: String,
    pub text: String,
}

impl PackSource {
    pub fn builtin(name: &str) -> Option<PackSource> {
        BUILTIN_PACKS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, src)| PackSource {
                origin: format!("builtin:{n}"),
                text: (*src).to_string(),
            })
    }

    pub fn all_builtin() -> Vec<PackSource> {
        BUILTIN_PACKS
            .iter()
            .map(|(n, src)| PackSource {
                origin: format!("builtin:{n}"),
                text: (*src).to_string(),
            })
            .collect()
    }

    pub fn from_file(path: &Path) -> Result<PackSource, PackError> {
        let text = std::fs::read_to_string(path).map_err(|e| PackError {
            origin: path.display().to_string(),
            line: 0,
            column: 0,
            message: format!("cannot read rule pack: {e}"),
        })?;
        Ok(PackSource {
            origin: path.display().to_string(),
            text,
        })
    }

    /// Resolves `builtin:NAME` or a path.
    pub fn resolve(spec: &str, base: &Path) -> Result<PackSource, PackError> {
        if let Some(name) = spec.strip_prefix("builtin:") {
            return PackSource::builtin(name).ok_or_else(|| PackError {
                origin: spec.to_string(),
                line: 0,
                column: 0,
                message: format!(
                    "no built-in pack named `{name}` (built-in packs: {})",
                    BUILTIN_PACKS
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        PackSource::from_file(&base.join(spec))
    }
}

/// A problem in a rule pack, pointing at the YAML that caused it. `line`/`column` are 1-based;
/// 0 means the position is unknown (for example, the file could not be read).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackError {
    pub origin: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for PackError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.origin, self.line, self.column, self.message
            )
        } else {
            write!(f, "{}: {}", self.origin, self.message)
        }
    }
}

impl std::error::Error for PackError {}

/// Parses a pack's YAML. Syntax errors, unknown keys and wrong types come back with serde's
/// own line and column.
pub fn parse_pack(src: &PackSource) -> Result<PackDef, PackError> {
    serde_yaml::from_str::<PackDef>(&src.text).map_err(|e| yaml_error(&src.origin, &e))
}

/// Converts a serde_yaml error into a located `PackError` (shared with config and scorecards).
pub fn yaml_error(origin: &str, e: &serde_yaml::Error) -> PackError {
    let (line, column) = e.location().map_or((0, 0), |l| (l.line(), l.column()));
    // serde_yaml appends "at line X column Y" to its message; we print the position ourselves.
    let mut message = e.to_string();
    if let Some(idx) = message.find(" at line ") {
        message.truncate(idx);
    }
    PackError {
        origin: origin.to_string(),
        line,
        column,
        message: suggest::improve_serde_message(&message),
    }
}

/// Finds positions in a pack's source text for errors found after parsing (a bad regex,
/// a duplicate id, an unknown list), which serde cannot locate for us.
pub struct Locator<'a> {
    text: &'a str,
    /// 1-based line of each rule's `id:` key, in rule order.
    rule_lines: Vec<usize>,
}

impl<'a> Locator<'a> {
    pub fn new(text: &'a str, def: &PackDef) -> Locator<'a> {
        let mut rule_lines = Vec::with_capacity(def.rules.len());
        let mut from = 1;
        for rule in &def.rules {
            let line = find_key_value(text, "id", &rule.id, from).unwrap_or(from);
            rule_lines.push(line);
            from = line + 1;
        }
        Locator { text, rule_lines }
    }

    /// A locator over any YAML text (a scorecard, a config) that has no rules to index.
    pub fn for_text(text: &'a str) -> Locator<'a> {
        Locator {
            text,
            rule_lines: Vec::new(),
        }
    }

    /// (line, column) of the rule's `id:` value.
    pub fn rule(&self, idx: usize) -> (usize, usize) {
        let line = self.rule_lines.get(idx).copied().unwrap_or(1);
        let col = self.line_text(line).find("id:").map_or(1, |c| c + 1);
        (line, col)
    }

    /// The first occurrence of `needle` inside rule `idx` (from its id line to the next rule),
    /// or the rule's own position when it cannot be found.
    pub fn in_rule(&self, idx: usize, needle: &str) -> (usize, usize) {
        let start = self.rule_lines.get(idx).copied().unwrap_or(1);
        let end = self.rule_lines.get(idx + 1).copied().unwrap_or(usize::MAX);
        self.search(needle, start, end)
            .unwrap_or_else(|| self.rule(idx))
    }

    /// The first occurrence of `needle` anywhere from `from_line` on.
    pub fn anywhere(&self, needle: &str, from_line: usize) -> Option<(usize, usize)> {
        self.search(needle, from_line, usize::MAX)
    }

    fn search(&self, needle: &str, start: usize, end: usize) -> Option<(usize, usize)> {
        if needle.is_empty() {
            return None;
        }
        for (i, line) in self.text.lines().enumerate() {
            let n = i + 1;
            if n < start {
                continue;
            }
            if n >= end {
                break;
            }
            if let Some(c) = line.find(needle) {
                return Some((n, line[..c].chars().count() + 1));
            }
        }
        None
    }

    fn line_text(&self, line: usize) -> &str {
        self.text.lines().nth(line.saturating_sub(1)).unwrap_or("")
    }
}

/// Line (1-based) of `key: value` at or after `from`, tolerating quotes around the value.
pub(crate) fn find_key_value(text: &str, key: &str, value: &str, from: usize) -> Option<usize> {
    for (i, line) in text.lines().enumerate() {
        if i + 1 < from {
            continue;
        }
        let t = line.trim_start().trim_start_matches('-').trim_start();
        if let Some(rest) = t
            .strip_prefix(key)
            .and_then(|r| r.trim_start().strip_prefix(':'))
        {
            let v = rest.trim().trim_matches(|c| c == '"' || c == '\'');
            if v == value {
                return Some(i + 1);
            }
        }
    }
    None
}
