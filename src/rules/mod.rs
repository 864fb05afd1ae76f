//! Rule kinds. Each kind is one file with a compiler (YAML → compiled rule) and an
//! evaluator (hits → findings); `REGISTRY` is the only place that lists them.
mod conditional;
mod metric;
mod phrase;
mod required;
mod sequence;

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::engine::{Hit, MatcherBuilder, MatcherId, Scan};
use crate::finding::{Finding, RuleInfo, Severity};
use crate::pack::{KindName, MatcherDef, RuleDef, SpeakerSel, WindowDef};
use crate::transcript::{Role, Transcript, Turn};

pub use metric::METRICS;

/// What every kind's compiler gets: the rule, and a way to register its matchers.
pub struct Compiler<'a> {
    pub def: &'a RuleDef,
    lists: &'a BTreeMap<String, Vec<String>>,
    builder: &'a mut MatcherBuilder,
    /// Every matcher compiled for the rule, by field, for `rules trace`.
    fields: Vec<(&'static str, MatcherId)>,
}

impl Compiler<'_> {
    /// Compiles the matcher in `field`, which the kind requires.
    pub fn required(
        &mut self,
        field: &'static str,
        m: &Option<MatcherDef>,
    ) -> Result<MatcherId, RuleError> {
        match m {
            Some(m) => self.matcher(field, m),
            None => Err(RuleError::at(
                None,
                format!("kind `{}` needs `{field}:`", self.def.kind.as_str()),
            )),
        }
    }

    pub fn optional(
        &mut self,
        field: &'static str,
        m: &Option<MatcherDef>,
    ) -> Result<Option<MatcherId>, RuleError> {
        m.as_ref().map(|m| self.matcher(field, m)).transpose()
    }

    fn matcher(&mut self, field: &'static str, m: &MatcherDef) -> Result<MatcherId, RuleError> {
        let id = self.builder.add(m, self.lists).map_err(|e| RuleError {
            field: Some(field),
            needle: e.needle,
            message: format!("in `{field}`: {}", e.message),
        })?;
        self.fields.push((field, id));
        Ok(id)
    }

    /// Rejects kind-specific fields that this kind does not use, so a misplaced key is not
    /// silently ignored.
    pub fn only_fields(&self, allowed: &[&str]) -> Result<(), RuleError> {
        let d = self.def;
        let present = [
            ("match", d.match_.is_some()),
            ("where", d.window.is_some()),
            ("first", d.first.is_some()),
            ("then", d.then.is_some()),
            ("max_words", d.max_words.is_some()),
            ("scope", d.scope.is_some()),
            ("expect", d.expect.is_some()),
            ("when", d.when.is_some()),
            ("when_speaker", d.when_speaker.is_some()),
            ("within_turns", d.within_turns.is_some()),
            ("trigger", d.trigger.is_some()),
            ("metric", d.metric.is_some()),
            ("min", d.min.is_some()),
            ("max", d.max.is_some()),
        ];
        for (name, set) in present {
            if set && !allowed.contains(&name) {
                return Err(RuleError {
                    field: Some(name),
                    needle: None,
                    message: format!(
                        "`{name}` does not apply to kind `{}` (it takes: {})",
                        d.kind.as_str(),
                        allowed.join(", ")
                    ),
                });
            }
        }
        Ok(())
    }
}

/// A rule problem found at compile time; the pack loader turns it into file:line:col.
#[derive(Debug)]
pub struct RuleError {
    /// The YAML key to point at when there is no better needle.
    pub field: Option<&'static str>,
    /// Text to search for in the rule's YAML to point at.
    pub needle: Option<String>,
    pub message: String,
}

impl RuleError {
    pub fn at(field: Option<&'static str>, message: String) -> RuleError {
        RuleError {
            field,
            needle: None,
            message,
        }
    }
}

/// A compiled kind: judges one scanned transcript.
pub trait RuleKind: Send + Sync {
    /// Kinds that judge the conversation as a whole (required, conditional, metric) do not
    /// apply to agent-only scripts.
    fn conversation_level(&self) -> bool;

    /// Appends findings; returns whether the rule applied to this transcript at all.
    fn evaluate(&self, rule: &RuleCommon, scan: &Scan, out: &mut Vec<Finding>) -> bool;
}

type CompileFn = fn(&mut Compiler) -> Result<Box<dyn RuleKind>, RuleError>;

/// The rule kinds. A new kind is one file plus one line here.
const REGISTRY: &[(KindName, CompileFn)] = &[
    (KindName::Phrase, phrase::compile),
    (KindName::Sequence, sequence::compile),
    (KindName::Required, required::compile),
    (KindName::Conditional, conditional::compile),
    (KindName::Metric, metric::compile),
];

/// A compiled rule's kind, its `unless` matcher, and every matcher by field.
pub type Compiled = (
    Box<dyn RuleKind>,
    Option<MatcherId>,
    Vec<(&'static str, MatcherId)>,
);

/// Compiles one rule.
pub fn compile(
    def: &RuleDef,
    lists: &BTreeMap<String, Vec<String>>,
    builder: &mut MatcherBuilder,
) -> Result<Compiled, RuleError> {
    let mut c = Compiler {
        def,
        lists,
        builder,
        fields: Vec::new(),
    };
    let unless = c.optional("unless", &def.unless)?;
    let compile = REGISTRY
        .iter()
        .find(|(k, _)| *k == def.kind)
        .map(|(_, f)| *f)
        .expect("every KindName has a registry entry");
    let kind = compile(&mut c)?;
    Ok((kind, unless, c.fields))
}

/// The parts every kind shares.
pub struct RuleCommon {
    pub info: Arc<RuleInfo>,
    pub severity: Severity,
    pub speaker: SpeakerSel,
    pub window: Option<WindowDef>,
    pub unless: Option<MatcherId>,
}

impl RuleCommon {
    pub fn speaks(&self, role: Role) -> bool {
        speaker_matches(self.speaker, role)
    }

    /// Does turn `idx` fall in the rule's `where:` window (and belong to its speaker)?
    pub fn eligible(&self, t: &Transcript, idx: usize) -> bool {
        self.speaks(t.turns[idx].role) && self.window.is_none_or(|w| in_window(t, idx, &w))
    }

    /// True when an `unless` hit lies in the same sentence as `start..end` of turn `turn`.
    pub fn excused(&self, scan: &Scan, turn: usize, start: usize, end: usize) -> bool {
        let Some(u) = self.unless else { return false };
        let hits = scan.turn_hits(u, turn);
        if hits.is_empty() {
            return false;
        }
        let text = &scan.transcript.turns[turn].text;
        let (s, e) = sentence_bounds(text, start, end);
        hits.iter()
            .any(|h| (h.start as usize) < e && (h.end as usize) > s)
    }

    /// A finding for `start..end` of turn `turn`; `value` fills `{value}` in the message.
    pub fn finding(
        &self,
        t: &Transcript,
        turn: usize,
        start: usize,
        end: usize,
        value: Option<&str>,
    ) -> Finding {
        let tr: &Turn = &t.turns[turn];
        let matched = tr.text.get(start..end).unwrap_or("").to_string();
        let (line, column) = tr.position(start);
        let mut message = self
            .info
            .message
            .replace("{match}", &matched)
            .replace("{speaker}", &tr.speaker);
        if let Some(v) = value {
            message = message.replace("{value}", v);
        }
        Finding {
            rule: self.info.clone(),
            severity: self.severity,
            message,
            turn,
            speaker: tr.speaker.clone(),
            role: tr.role,
            line,
            column,
            start,
            end,
            time: tr.start,
            matched,
        }
    }
}

pub fn speaker_matches(sel: SpeakerSel, role: Role) -> bool {
    match sel {
        SpeakerSel::Agent => role == Role::Agent,
        SpeakerSel::Customer => role == Role::Customer,
        SpeakerSel::Any => true,
    }
}

/// Whether turn `idx` lies inside a `where:` window. Turn counts are over the whole
/// conversation; a seconds window on a turn without times counts as inside.
pub fn in_window(t: &Transcript, idx: usize, w: &WindowDef) -> bool {
    let n = t.turns.len();
    if w.first_turns.is_some_and(|k| idx >= k) {
        return false;
    }
    if w.last_turns.is_some_and(|k| idx + k < n) {
        return false;
    }
    let start = t.turns[idx].start;
    if let (Some(s), Some(limit)) = (start, w.first_seconds) {
        let origin = t.turns.iter().find_map(|t| t.start).unwrap_or(0.0);
        if s - origin > limit {
            return false;
        }
    }
    if let (Some(s), Some(limit)) = (start, w.last_seconds) {
        let last = t
            .turns
            .iter()
            .filter_map(|t| t.end.or(t.start))
            .fold(f64::MIN, f64::max);
        if last - s > limit {
            return false;
        }
    }
    true
}

/// Byte range of the sentence holding `start..end`: from just after the previous `.`, `!`,
/// `?` or `;` that is followed by a space (or the start of the turn) to the next one.
pub fn sentence_bounds(text: &str, start: usize, end: usize) -> (usize, usize) {
    let b = text.as_bytes();
    let is_stop = |i: usize| {
        matches!(b[i], b'.' | b'!' | b'?' | b';')
            && b.get(i + 1).is_none_or(|c| c.is_ascii_whitespace())
    };
    let mut s = start.min(b.len());
    while s > 0 && !is_stop(s - 1) {
        s -= 1;
    }
    let mut e = end.min(b.len());
    while e < b.len() && !is_stop(e) {
        e += 1;
    }
    (s, (e + 1).min(b.len()))
}

/// Number of words in `text` (runs of non-space characters).
pub fn words(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// Merges overlapping hits of one matcher in one turn into single spans, so that
/// "sorry if you feel" and "if you feel that way" in one sentence give one finding.
pub fn merged_spans(hits: &[Hit]) -> Vec<(usize, usize, usize)> {
    let mut out: Vec<(usize, usize, usize)> = Vec::new();
    for h in hits {
        let (t, s, e) = (h.turn as usize, h.start as usize, h.end as usize);
        match out.last_mut() {
            Some(last) if last.0 == t && s < last.2 => last.2 = last.2.max(e),
            _ => out.push((t, s, e)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentence_bounds_split_on_stops() {
        let text = "Hello there. I'm sorry, but no. Bye";
        let i = text.find("sorry").unwrap();
        let (s, e) = sentence_bounds(text, i, i + 5);
        assert_eq!(&text[s..e], " I'm sorry, but no.");
    }

    #[test]
    fn words_ignore_punctuation_runs() {
        assert_eq!(words(" — well, you know "), 3);
    }
}
