//! The conversation model every reader produces and every rule consumes.
//! A `Transcript` is a list of `Turn`s with resolved speaker roles and source positions.
use serde::Serialize;
use std::collections::BTreeMap;

/// Who is speaking, as far as the rules care.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, PartialOrd, Ord,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Agent,
    Customer,
    Other,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Customer => "customer",
            Role::Other => "other",
        }
    }
}

/// How the text should be read: a two-sided conversation, or agent-only script lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Conversation,
    Script,
}

/// Where a stretch of turn text begins in the source file, so that a byte offset in the
/// turn's text can be turned back into a 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// Byte offset in `Turn::text` where this segment starts.
    pub offset: usize,
    /// 1-based source line.
    pub line: usize,
    /// 1-based column (in characters) of the segment's first character.
    pub column: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    /// The label as written (`Agent`, `spk_0`, `Speaker 1`).
    pub speaker: String,
    pub role: Role,
    pub text: String,
    pub start: Option<f64>,
    pub end: Option<f64>,
    /// Source positions of the text; never empty for turns read from a file.
    pub segments: Vec<Segment>,
}

impl Turn {
    pub fn new(
        speaker: impl Into<String>,
        role: Role,
        text: impl Into<String>,
        line: usize,
    ) -> Turn {
        Turn {
            speaker: speaker.into(),
            role,
            text: text.into(),
            start: None,
            end: None,
            segments: vec![Segment {
                offset: 0,
                line,
                column: 1,
            }],
        }
    }

    /// 1-based line where the turn begins in its source.
    pub fn line(&self) -> usize {
        self.segments.first().map_or(1, |s| s.line)
    }

    /// Maps a byte offset in `text` to a 1-based (line, column) in the source file.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let idx = match self.segments.binary_search_by(|s| s.offset.cmp(&offset)) {
            Ok(i) => i,
            Err(0) => return (self.line(), 1),
            Err(i) => i - 1,
        };
        let seg = self.segments[idx];
        let from = seg.offset.min(self.text.len());
        let to = offset.min(self.text.len());
        let chars = self.text.get(from..to).map_or(0, |s| s.chars().count());
        (seg.line, seg.column + chars)
    }

    pub fn word_count(&self) -> usize {
        let b = self.text.as_bytes();
        if !b.is_ascii() {
            return self.text.split_whitespace().count();
        }
        // The same count for ASCII text, without decoding characters: a word starts where
        // a non-space follows a space (`char::is_whitespace` in ASCII) or the start.
        // (Counted over pairs of neighbours in runs of 255, summed in bytes, which the
        // compiler vectorises. `\t` `\n` `\x0B` `\x0C` `\r` are 9 to 13.)
        let space = |c: u8| c == b' ' || c.wrapping_sub(9) < 5;
        let first = b.first().is_some_and(|&c| !space(c));
        let tail = &b[1.min(b.len())..];
        let later: usize = b
            .chunks(255)
            .zip(tail.chunks(255))
            .map(|(xs, ys)| {
                let n = xs
                    .iter()
                    .zip(ys)
                    .fold(0u8, |n, (&x, &y)| n + u8::from(space(x) & !space(y)));
                usize::from(n)
            })
            .sum();
        usize::from(first) + later
    }
}

/// Call-level facts from front matter or the source format.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Metadata {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub call_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queue: Option<String>,
    /// Any other key, kept as text.
    #[serde(flatten)]
    pub extra: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Transcript {
    pub id: String,
    pub metadata: Metadata,
    pub mode: Mode,
    pub turns: Vec<Turn>,
    /// Inline `tonecheck: ignore` directives found in the source.
    pub suppressions: Vec<Suppression>,
}

/// `tonecheck: ignore RULE-ID` (or `ignore-next-line`): findings on `line` for the listed
/// rules (all rules when the list is empty) are dropped. Line 0 is `ignore-file`: the whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    pub line: usize,
    pub rules: Vec<String>,
}

impl Suppression {
    pub fn covers(&self, line: usize, rule: &str) -> bool {
        (self.line == 0 || self.line == line)
            && (self.rules.is_empty() || self.rules.iter().any(|r| r == rule))
    }
}

impl Transcript {
    pub fn new(id: impl Into<String>) -> Transcript {
        Transcript {
            id: id.into(),
            metadata: Metadata::default(),
            mode: Mode::Conversation,
            turns: Vec::new(),
            suppressions: Vec::new(),
        }
    }

    /// True when at least one turn is the agent's and, in a conversation, one is the customer's.
    pub fn roles_resolved(&self) -> bool {
        let agent = self.turns.iter().any(|t| t.role == Role::Agent);
        match self.mode {
            Mode::Script => agent,
            Mode::Conversation => agent && self.turns.iter().any(|t| t.role == Role::Customer),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ASCII fast path counts exactly as `split_whitespace` does.
    #[test]
    fn word_count_matches_split_whitespace() {
        for text in [
            "",
            "  ",
            "one",
            " two  words ",
            "tab\tand\nnew\x0Bline\x0C\r end",
            "non\u{a0}breaking space",
            "caf\u{e9} au lait\u{2003}em",
        ] {
            let t = Turn::new("Agent", Role::Agent, text, 1);
            assert_eq!(t.word_count(), text.split_whitespace().count(), "{text:?}");
        }
        // Long turns are counted in runs of 255 byte pairs: words across the joins.
        let mut long = String::new();
        for i in 0..700 {
            long.push_str(["ab", " ", "c", "\t\t", "word", "\n", "x  "][i % 7]);
        }
        for end in [254, 255, 256, 511, 512, 1000, long.len()] {
            let text = &long[..end];
            let t = Turn::new("Agent", Role::Agent, text, 1);
            assert_eq!(t.word_count(), text.split_whitespace().count(), "{end}");
        }
    }
}
