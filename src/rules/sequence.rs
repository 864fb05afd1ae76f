//! `sequence`: `first` followed by `then` within `max_words` words in the same turn (or, with
//! `scope: next_sentence`, in the same or the following sentence) — e.g. an apology at once
//! erased by an explanation.
use super::{merged_spans, sentence_bounds, words, Compiler, RuleCommon, RuleError, RuleKind};
use crate::engine::{MatcherId, Scan};
use crate::finding::Finding;
use crate::pack::Scope;

const DEFAULT_MAX_WORDS: usize = 6;

struct Sequence {
    first: MatcherId,
    then: MatcherId,
    max_words: usize,
    scope: Scope,
}

pub(super) fn compile(c: &mut Compiler) -> Result<Box<dyn RuleKind>, RuleError> {
    c.only_fields(&["first", "then", "max_words", "scope", "where"])?;
    let def = c.def.clone();
    let first = c.required("first", &def.first)?;
    let then = c.required("then", &def.then)?;
    Ok(Box::new(Sequence {
        first,
        then,
        max_words: def.max_words.unwrap_or(DEFAULT_MAX_WORDS),
        scope: def.scope.unwrap_or_default(),
    }))
}

impl RuleKind for Sequence {
    fn conversation_level(&self) -> bool {
        false
    }

    fn evaluate(&self, rule: &RuleCommon, scan: &Scan, out: &mut Vec<Finding>) -> bool {
        let t = scan.transcript;
        let firsts = scan.hits(self.first);
        if firsts.is_empty() {
            return true;
        }
        let mut last_end: Option<(usize, usize)> = None;
        for (turn, fs, fe) in merged_spans(firsts) {
            if !rule.eligible(t, turn) || last_end.is_some_and(|(lt, le)| lt == turn && fs < le) {
                continue;
            }
            let text = &t.turns[turn].text;
            let limit = match self.scope {
                Scope::SameTurn => text.len(),
                Scope::NextSentence => {
                    let (_, e1) = sentence_bounds(text, fs, fe);
                    let (_, e2) = sentence_bounds(text, e1.min(text.len()), e1.min(text.len()));
                    e2
                }
            };
            let then = scan.turn_hits(self.then, turn).iter().find(|h| {
                let (hs, he) = (h.start as usize, h.end as usize);
                hs >= fe && he <= limit && words(&text[fe..hs]) <= self.max_words
            });
            if let Some(h) = then {
                let he = h.end as usize;
                if !rule.excused(scan, turn, fs, he) {
                    out.push(rule.finding(t, turn, fs, he, None));
                    last_end = Some((turn, he));
                }
            }
        }
        true
    }
}
