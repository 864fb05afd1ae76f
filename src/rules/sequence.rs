//! `sequence`: `first` followed by `then` within `max_words` words in the same turn (or, with
//! `scope: next_sentence`, in the same or the following sentence) — e.g. an apology at once
//! erased by an explanation.
use super::{merged_spans, Compiler, Index, RuleCommon, RuleError, RuleKind};
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
    // A sequence is excused in the turn of its `first` hit.
    c.unless_beside(first);
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
        let firsts = scan.hits(self.first);
        if firsts.is_empty() {
            return true;
        }
        let ix = &mut Index::new(scan);
        let mut last_end: Option<(usize, usize)> = None;
        for (turn, fs, fe) in merged_spans(firsts) {
            if last_end.is_some_and(|(lt, le)| lt == turn && fs < le) || !rule.eligible(ix, turn) {
                continue;
            }
            let limit = match self.scope {
                Scope::SameTurn => scan.transcript.turns[turn].text.len(),
                Scope::NextSentence => {
                    let (_, e1) = ix.sentence(turn, fs, fe);
                    ix.sentence(turn, e1, e1).1
                }
            };
            // `then` hits are sorted by start, and the words between `fe` and a start only
            // grow with it: walk from the first hit at or after `fe` and stop at the first
            // one too far away. Only hits that cover the byte at `limit` are passed over, and
            // how many can cover one byte depends on the matcher's patterns, not on the turn.
            let thens = scan.turn_hits(self.then, turn);
            let from = thens.partition_point(|h| (h.start as usize) < fe);
            let mut then = None;
            for h in &thens[from..] {
                let (hs, he) = (h.start as usize, h.end as usize);
                if hs > limit || ix.words_between(turn, fe, hs) > self.max_words {
                    break;
                }
                if he <= limit {
                    then = Some(he);
                    break;
                }
            }
            if let Some(he) = then {
                if !rule.excused(ix, turn, fs, he) {
                    out.push(rule.finding(ix, turn, fs, he, None));
                    last_end = Some((turn, he));
                }
            }
        }
        true
    }
}
