//! Rule packs: the built-in YAML packs embedded in the binary, loading packs from files,
//! and turning every problem in a pack into an error with file, line and column.
pub mod config;
pub mod schema;
pub mod scorecard;
pub mod suggest;
pub mod yaml;

use std::fmt;
use std::path::Path;

pub use schema::{KindName, MatcherDef, PackDef, RuleDef, Scope, SpeakerSel, Trigger, WindowDef};

/// The built-in packs as JSON, converted by build.rs from the same YAML: read at start-up
/// instead of the YAML (serde_json is about ten times cheaper than serde_yaml); see
/// `PackSource::embedded`.
const BUILTIN_JSON: &[(&str, &str)] = &[
    (
        "service-recovery",
        include_str!(concat!(env!("OUT_DIR"), "/service-recovery.json")),
    ),
    (
        "forbidden-phrases",
        include_str!(concat!(env!("OUT_DIR"), "/forbidden-phrases.json")),
    ),
    (
        "respect",
        include_str!(concat!(env!("OUT_DIR"), "/respect.json")),
    ),
    (
        "kudos",
        include_str!(concat!(env!("OUT_DIR"), "/kudos.json")),
    ),
    (
        "timing",
        include_str!(concat!(env!("OUT_DIR"), "/timing.json")),
    ),
];

/// The patterns of the built-in packs, compiled by build.rs (`pattern::PrecompileWriter`)
/// from the same YAML as `BUILTIN_JSON`, in the same order.
const BUILTIN_PATTERNS: &[&[u8]] = &[
    include_bytes!(concat!(env!("OUT_DIR"), "/service-recovery.patterns")),
    include_bytes!(concat!(env!("OUT_DIR"), "/forbidden-phrases.patterns")),
    include_bytes!(concat!(env!("OUT_DIR"), "/respect.patterns")),
    include_bytes!(concat!(env!("OUT_DIR"), "/kudos.patterns")),
    include_bytes!(concat!(env!("OUT_DIR"), "/timing.patterns")),
];

/// The precompiled patterns of a pack embedded in the binary (see `BUILTIN_PATTERNS`):
/// `pattern::use_precompiled` reads them instead of compiling the pack's pattern strings.
pub fn precompiled_patterns(src: &PackSource) -> Option<&'static [u8]> {
    let json = src.embedded?;
    let i = BUILTIN_JSON
        .iter()
        .position(|(_, j)| std::ptr::eq(j.as_ptr(), json.as_ptr()))?;
    BUILTIN_PATTERNS.get(i).copied()
}

/// The packs compiled into the binary, in load order. A new built-in pack is one YAML file
/// in `rules/` plus one line here (and one in `BUILTIN_JSON`).
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
    ("timing", include_str!("../../rules/timing.yaml")),
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

/// Stable ids the built-in packs leave out for now (none: every one is built).
pub const NOT_YET_BUILT_RULE_IDS: &[&str] = &[];

/// Where a pack came from: `builtin:NAME` or a file path. Used in every error.
#[derive(Debug, Clone)]
pub struct PackSource {
    pub origin: String,
    /// The pack's YAML: borrowed for a built-in pack (copying the embedded text of every
    /// pack cost a megabyte of copying at every start).
    pub text: std::borrow::Cow<'static, str>,
    /// For a pack embedded in the binary, its JSON form (build.rs): read instead of the
    /// YAML, and trusted (tested at build time), so the hostile-input guards are skipped.
    /// `None` for every pack read at run time, whatever its name.
    pub embedded: Option<&'static str>,
}

impl PackSource {
    /// A pack read at run time (a file, a test's text): never trusted.
    pub fn new(origin: impl Into<String>, text: impl Into<String>) -> PackSource {
        PackSource {
            origin: origin.into(),
            text: std::borrow::Cow::Owned(text.into()),
            embedded: None,
        }
    }

    pub fn builtin(name: &str) -> Option<PackSource> {
        let (n, yaml) = BUILTIN_PACKS.iter().find(|(n, _)| *n == name)?;
        Some(PackSource {
            origin: format!("builtin:{n}"),
            text: std::borrow::Cow::Borrowed(yaml),
            embedded: BUILTIN_JSON.iter().find(|(j, _)| j == n).map(|p| p.1),
        })
    }

    pub fn all_builtin() -> Vec<PackSource> {
        BUILTIN_PACKS
            .iter()
            .filter_map(|(n, _)| PackSource::builtin(n))
            .collect()
    }

    /// The built-in packs as their YAML files in a source tree (`root/rules/NAME.yaml`) are
    /// now, compiled at run time like any pack: for tuning tools (examples/) that must see an
    /// edit without rebuilding the binary.
    pub fn builtin_from_tree(root: &Path) -> std::io::Result<Vec<PackSource>> {
        BUILTIN_PACKS
            .iter()
            .map(|(n, _)| {
                let text = std::fs::read_to_string(root.join(format!("rules/{n}.yaml")))?;
                Ok(PackSource::new(format!("builtin:{n}"), text))
            })
            .collect()
    }

    pub fn from_file(path: &Path) -> Result<PackSource, PackError> {
        let text = yaml::read_file(path, "rule pack")?;
        Ok(PackSource::new(path.display().to_string(), text))
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
    let json = |j| schema::trusted(|| serde_json::from_str::<PackDef>(j));
    let def: PackDef = match src.embedded.map(json) {
        Some(Ok(def)) => def,
        // Cannot happen for a pack build.rs converted; the YAML reader then says where.
        Some(Err(_)) => {
            serde_yaml::from_str(&src.text).map_err(|e| yaml_error(&src.origin, &src.text, &e))?
        }
        None => yaml::from_str(&src.origin, &src.text)?,
    };
    limits(src, &def)?;
    Ok(def)
}

/// Most rules one pack may hold.
pub const MAX_RULES: usize = 5_000;
/// Most phrases one pack may hold (its lists plus every rule's inline phrases).
pub const MAX_PHRASES: usize = 100_000;
/// Most bytes of phrases one pack may hold.
pub const MAX_PHRASE_BYTES: usize = 4 << 20;
/// Largest compiled size of one rule regex (the `regex` crate's size limit). Generous, so
/// that the large alternations rule packs use always compile.
pub const REGEX_SIZE_LIMIT: usize = 64 << 20;

/// The documented pack limits (rules, phrases, regex size), each failing fast at the YAML
/// that breaks it. Built-in packs are tested instead, so their regexes stay lazily compiled.
fn limits(src: &PackSource, def: &PackDef) -> Result<(), PackError> {
    let err = |(line, column): (usize, usize), message: String| PackError {
        origin: src.origin.clone(),
        line,
        column,
        message,
    };
    // Positions are needed only for errors: the locator is built on the first one.
    let loc_cell = std::cell::OnceCell::new();
    let loc = || loc_cell.get_or_init(|| Locator::new(&src.text, def));
    if def.rules.len() > MAX_RULES {
        return Err(err(
            loc().rule(MAX_RULES),
            format!("a pack may hold at most {MAX_RULES} rules; split it into several packs"),
        ));
    }
    let (mut phrases, mut bytes) = (0usize, 0usize);
    let mut add = |list: &[String]| {
        phrases += list.len();
        bytes += list.iter().map(String::len).sum::<usize>();
        phrases > MAX_PHRASES || bytes > MAX_PHRASE_BYTES
    };
    let too_many = || {
        format!("a pack may hold at most {MAX_PHRASES} phrases and {} MiB of phrase text; split it into several packs", MAX_PHRASE_BYTES >> 20)
    };
    for (name, list) in &def.lists {
        if add(list) {
            let pos = loc().anywhere(&format!("{name}:"), 1).unwrap_or((1, 1));
            return Err(err(pos, too_many()));
        }
    }
    for (ri, rule) in def.rules.iter().enumerate() {
        let matchers = [
            &rule.match_,
            &rule.unless,
            &rule.first,
            &rule.then,
            &rule.expect,
            &rule.when,
        ];
        for m in matchers.into_iter().flatten() {
            if add(&m.phrases) {
                return Err(err(loc().in_rule(ri, "phrases:"), too_many()));
            }
            if src.embedded.is_some() {
                continue;
            }
            for re in &m.regex {
                if let Err(regex::Error::CompiledTooBig(limit)) = regex::RegexBuilder::new(re)
                    .case_insensitive(true)
                    .size_limit(REGEX_SIZE_LIMIT)
                    .build()
                {
                    return Err(err(
                        loc().in_rule(ri, "regex"),
                        format!(
                            "rule `{}`: a regex compiles to more than the {} MiB limit; simplify it or split it into phrases",
                            rule.id,
                            limit >> 20
                        ),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Converts a serde_yaml error into a located `PackError` (shared with config and scorecards).
pub fn yaml_error(origin: &str, text: &str, e: &serde_yaml::Error) -> PackError {
    // libyaml also ends lines at U+0085, U+2028 and U+2029, which editors (and the rest of
    // tonecheck) do not: the position is recounted from the error's byte offset.
    let (line, column) = e
        .location()
        .map_or((0, 0), |l| line_column(text, l.index()));
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
    /// Byte offset where each line starts, so that looking at a line costs nothing.
    line_starts: Vec<usize>,
}

impl<'a> Locator<'a> {
    pub fn new(text: &'a str, def: &PackDef) -> Locator<'a> {
        // One pass over the lines, looking for each rule's `id:` after the previous one's.
        let mut rule_lines = Vec::with_capacity(def.rules.len());
        let mut lines = text.lines().enumerate();
        let mut from = 1;
        for rule in &def.rules {
            let found = lines
                .by_ref()
                .find(|(_, l)| is_key_value(l, "id", &rule.id))
                .map(|(i, _)| i + 1);
            let line = found.unwrap_or(from);
            rule_lines.push(line);
            from = line + 1;
            if found.is_none() {
                // Not found (an id written in a form we do not recognise): search the rest
                // again for the next rule.
                lines = text.lines().enumerate();
                lines.by_ref().take(from - 1).for_each(drop);
            }
        }
        let line_starts = line_starts(text);
        Locator {
            text,
            rule_lines,
            line_starts,
        }
    }

    /// A locator over any YAML text (a scorecard, a config) that has no rules to index.
    pub fn for_text(text: &'a str) -> Locator<'a> {
        Locator {
            text,
            rule_lines: Vec::new(),
            line_starts: line_starts(text),
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
        let first = start.max(1);
        let last = end.min(self.line_starts.len() + 1);
        (first..last).find_map(|n| {
            let line = self.line_text(n);
            line.find(needle)
                .map(|c| (n, line[..c].chars().count() + 1))
        })
    }

    fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self.line_starts.get(line).map_or(self.text.len(), |&e| e);
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }
}

/// 1-based line (ended by `\n`) and column (in characters) of byte `at` of `text`.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text[..at];
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[start..].chars().count() + 1,
    )
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .filter(|&i| i < text.len())
        .collect()
}

/// Line (1-based) of `key: value` at or after `from`, tolerating quotes around the value.
pub(crate) fn find_key_value(text: &str, key: &str, value: &str, from: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .skip(from.saturating_sub(1))
        .find(|(_, l)| is_key_value(l, key, value))
        .map(|(i, _)| i + 1)
}

/// Is `line` `key: value` (in a list item or not, value quoted or not)?
fn is_key_value(line: &str, key: &str, value: &str) -> bool {
    let t = line.trim_start().trim_start_matches('-').trim_start();
    t.strip_prefix(key)
        .and_then(|r| r.trim_start().strip_prefix(':'))
        .is_some_and(|rest| rest.trim().trim_matches(|c| c == '"' || c == '\'') == value)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The source tree's rules/*.yaml are the packs built into this binary (the tuning
    /// examples read them from there), as run-time packs with the built-in names.
    #[test]
    fn builtin_from_tree_reads_the_embedded_packs() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let packs = PackSource::builtin_from_tree(root).expect("rules/*.yaml");
        assert_eq!(packs.len(), BUILTIN_PACKS.len());
        for (p, (name, yaml)) in packs.iter().zip(BUILTIN_PACKS) {
            assert_eq!(p.origin, format!("builtin:{name}"));
            assert_eq!(p.text, *yaml);
            assert!(p.embedded.is_none(), "compiled at run time");
        }
        assert!(PackSource::builtin_from_tree(&root.join("no-such-dir")).is_err());
    }

    /// The JSON that build.rs makes of each built-in pack reads to exactly the pack its YAML
    /// reads to, and is what `parse_pack` uses.
    #[test]
    fn builtin_json_reads_like_the_yaml() {
        assert_eq!(BUILTIN_JSON.len(), BUILTIN_PACKS.len());
        for (name, yaml) in BUILTIN_PACKS {
            let src = PackSource::builtin(name).unwrap();
            let json = src.embedded.expect("every built-in pack has its JSON");
            let from_yaml: PackDef = serde_yaml::from_str(yaml).unwrap();
            let from_json: PackDef = serde_json::from_str(json).unwrap();
            assert_eq!(format!("{from_yaml:?}"), format!("{from_json:?}"), "{name}");
            assert!(!from_yaml.rules.is_empty(), "{name}");
        }
        // A pack read at run time is never trusted, whatever its name.
        let file = std::env::temp_dir().join("tonecheck-builtin-name-test.yaml");
        std::fs::write(&file, "pack: other\nrules: []\n").unwrap();
        assert!(PackSource::from_file(&file).unwrap().embedded.is_none());
    }
}
