//! Safe YAML reading for everything tonecheck parses as YAML (rule packs, tonecheck.yaml,
//! scorecards, transcript front matter): documented size, nesting and alias-expansion
//! limits, checked before the document is built, so a hostile file is one located error.
use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::cell::Cell;
use std::fmt;
use std::io::Read;
use std::path::Path;

use super::PackError;

/// Largest YAML file read (packs, config, scorecards). Bigger ones, and endless streams
/// such as `/dev/zero`, are refused after reading this much.
pub const MAX_FILE_BYTES: u64 = 16 << 20;
/// Deepest flow (`[` / `{`) nesting accepted; serde_yaml stops at 128 levels of any kind.
pub const MAX_DEPTH: usize = 64;
/// Aliases may repeat parts of a document, but the expanded document may hold at most this
/// many bytes of scalars and nodes per byte of source (with a 1 MiB floor).
pub const MAX_EXPANSION: usize = 8;
const EXPANSION_FLOOR: usize = 1 << 20;

/// Reads a YAML file, refusing one larger than `MAX_FILE_BYTES` (or an endless device).
pub fn read_file(path: &Path, what: &str) -> Result<String, PackError> {
    let err = |message: String| PackError {
        origin: path.display().to_string(),
        line: 0,
        column: 0,
        message,
    };
    let f = std::fs::File::open(path).map_err(|e| err(format!("cannot read {what}: {e}")))?;
    let mut bytes = Vec::new();
    f.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| err(format!("cannot read {what}: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(err(format!(
            "{what} is larger than the {} MiB limit; not read",
            MAX_FILE_BYTES >> 20
        )));
    }
    String::from_utf8(bytes).map_err(|e| err(format!("cannot read {what}: {e}")))
}

/// `serde_yaml::from_str`, after the nesting and alias-expansion checks. Errors carry
/// serde's line and column.
pub fn from_str<T: DeserializeOwned>(origin: &str, text: &str) -> Result<T, PackError> {
    check(origin, text)?;
    serde_yaml::from_str(text).map_err(|e| super::yaml_error(origin, text, &e))
}

/// The nesting and expansion checks alone.
pub fn check(origin: &str, text: &str) -> Result<(), PackError> {
    flow_depth(text).map_err(|(line, column)| PackError {
        origin: origin.to_string(),
        line,
        column,
        message: format!("YAML nested deeper than {MAX_DEPTH} levels"),
    })?;
    if !text.contains('*') {
        // No alias, so nothing expands: the document is no bigger than its text. (Most
        // files, and every transcript's front matter, are read once instead of twice.)
        return Ok(());
    }
    let budget = Cell::new(
        text.len()
            .saturating_mul(MAX_EXPANSION)
            .max(EXPANSION_FLOOR),
    );
    for doc in serde_yaml::Deserializer::from_str(text) {
        if let Err(e) = (Measure { budget: &budget }).deserialize(doc) {
            return Err(super::yaml_error(origin, text, &e));
        }
    }
    Ok(())
}

/// Finds the first place where flow collections nest deeper than `MAX_DEPTH`, by a lexical
/// pass; (line, column), 1-based. libyaml's own cost is quadratic in flow depth, so this runs
/// before it. Quoted scalars and comments are skipped, and outside a flow collection a
/// bracket opens one only where a value starts (after `:`, `-`, `?` or at a line's start), so
/// brackets inside plain text do not count.
fn flow_depth(text: &str) -> Result<(), (usize, usize)> {
    let mut depth = 0usize;
    for (n, line) in text.lines().enumerate() {
        if depth == 0 && !line.contains(['[', '{']) {
            continue;
        }
        let mut quote: Option<char> = None;
        // The previous character, and the previous one that is not a space ('\n': none).
        let (mut prev, mut sig) = (' ', '\n');
        let mut chars = line.char_indices();
        while let Some((i, c)) = chars.next() {
            match quote {
                Some('\'') if c == '\'' => quote = None,
                Some('"') if c == '\\' => {
                    chars.next();
                }
                Some('"') if c == '"' => quote = None,
                Some(_) => {}
                None => match c {
                    '#' if prev.is_whitespace() => break,
                    '"' | '\'' if prev.is_whitespace() || "[{,:".contains(prev) => quote = Some(c),
                    '[' | '{' if depth > 0 || "\n:-?".contains(sig) => {
                        depth += 1;
                        if depth > MAX_DEPTH {
                            return Err((n + 1, line[..i].chars().count() + 1));
                        }
                    }
                    ']' | '}' if depth > 0 => depth -= 1,
                    _ => {}
                },
            }
            prev = c;
            if !c.is_whitespace() {
                sig = c;
            }
        }
    }
    Ok(())
}

/// Walks a document as serde_yaml replays it (aliases expanded), charging every node and
/// every scalar byte to `budget`, and stops when it runs out.
struct Measure<'a> {
    budget: &'a Cell<usize>,
}

impl Measure<'_> {
    fn charge<E: serde::de::Error>(&self, n: usize) -> Result<(), E> {
        match self.budget.get().checked_sub(n.saturating_add(1)) {
            Some(left) => {
                self.budget.set(left);
                Ok(())
            }
            None => Err(E::custom(format!(
                "YAML aliases expand to more than {MAX_EXPANSION} times the document's size"
            ))),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Measure<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Measure<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        self.charge(0)
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        self.charge(0)
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        self.charge(0)
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        self.charge(0)
    }
    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<(), E> {
        self.charge(s.len())
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        self.charge(0)
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<(), E> {
        self.charge(0)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.charge(0)?;
        while seq
            .next_element_seed(Measure {
                budget: self.budget,
            })?
            .is_some()
        {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.charge(0)?;
        while map
            .next_key_seed(Measure {
                budget: self.budget,
            })?
            .is_some()
        {
            map.next_value_seed(Measure {
                budget: self.budget,
            })?;
        }
        Ok(())
    }
    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        // A tagged value (`!tag x`): charge the tag and walk the value.
        use serde::de::VariantAccess;
        let ((), v) = data.variant_seed(Measure {
            budget: self.budget,
        })?;
        v.newtype_variant_seed(Measure {
            budget: self.budget,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by cargo-fuzz (pack, scorecard and config loaders): libyaml counts U+0085 and
    /// U+2028 as line ends, so an error after one was reported lines below where an editor
    /// shows it, past the end of the file.
    #[test]
    fn errors_are_placed_on_the_lines_an_editor_shows() {
        let text = "a: \"odd\u{85}line\u{2028}breaks\"\nb: [1,\n  c: {";
        let e = from_str::<serde_yaml::Value>("p.yaml", text).unwrap_err();
        assert_eq!((e.line, e.column), (3, 7), "{e}");
        let raw = serde_yaml::from_str::<serde_yaml::Value>(text).unwrap_err();
        assert_eq!(raw.location().unwrap().line(), 6, "libyaml's own count");
        let e = from_str::<serde_yaml::Value>("p.yaml", "a: [1,\n  é: {").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
    }

    #[test]
    fn alias_bombs_are_refused_and_ordinary_aliases_pass() {
        let bomb = format!(
            "a: &s \"{}\"\nb: [{}]\n",
            "x".repeat(100_000),
            vec!["*s"; 100_000].join(",")
        );
        let e = check("bomb.yaml", &bomb).unwrap_err();
        assert!(e.message.contains("aliases expand"), "{e}");
        // serde_yaml reports the position of the anchored value being repeated.
        assert_eq!(e.line, 1);
        let ok = "a: &l [x, y]\nb: *l\nc: *l\n";
        check("ok.yaml", ok).unwrap();
    }

    #[test]
    fn deep_flow_nesting_is_refused_with_its_position() {
        let deep = format!("rules: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
        let e = check("deep.yaml", &deep).unwrap_err();
        assert_eq!((e.line, e.column), (1, 8 + MAX_DEPTH));
        // Brackets inside quotes and comments do not count.
        let quoted = format!(
            "a: '{}'\nb: \"{}\" # {}\nc: see {}\n",
            "[".repeat(200),
            "{".repeat(200),
            "[".repeat(200),
            "[x".repeat(200)
        );
        check("q.yaml", &quoted).unwrap();
        // Nesting spread over lines still counts.
        let lines = format!("a:\n{}", "  [\n".repeat(100));
        assert_eq!(check("l.yaml", &lines).unwrap_err().line, 2 + MAX_DEPTH);
    }
}
