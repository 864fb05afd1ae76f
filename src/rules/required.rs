//! `required`: `expect` must occur at least once in the eligible turns (speaker and `where:`
//! window); one finding when it never does. `unless` hits void an `expect` hit in their
//! sentence ("thanks for nothing" is not a thank-you).
use super::{Compiler, Index, RuleCommon, RuleError, RuleKind};
use crate::engine::{MatcherId, Scan};
use crate::finding::Finding;

struct Required {
    expect: MatcherId,
}

pub(super) fn compile(c: &mut Compiler) -> Result<Box<dyn RuleKind>, RuleError> {
    c.only_fields(&["expect", "where"])?;
    let expect = c.required("expect", &c.def.expect.clone())?;
    Ok(Box::new(Required { expect }))
}

impl RuleKind for Required {
    fn conversation_level(&self) -> bool {
        true
    }

    fn evaluate(&self, rule: &RuleCommon, scan: &Scan, out: &mut Vec<Finding>) -> bool {
        let t = scan.transcript;
        let ix = &mut Index::new(scan);
        let eligible: Vec<usize> = (0..t.turns.len())
            .filter(|&i| rule.eligible(ix, i))
            .collect();
        let Some(&last) = eligible.last() else {
            // The speaker never spoke in the window: nothing to judge.
            return false;
        };
        let found = scan.hits(self.expect).iter().any(|h| {
            let turn = h.turn as usize;
            eligible.binary_search(&turn).is_ok()
                && !rule.excused(ix, turn, h.start as usize, h.end as usize)
        });
        if !found {
            // Point at the turn where the phrase was due: the opening for a window on the
            // first turns, otherwise the speaker's last turn (the close of the call).
            let at = match rule.window {
                Some(w) if w.first_turns.is_some() || w.first_seconds.is_some() => eligible[0],
                _ => last,
            };
            out.push(rule.finding(ix, at, 0, 0, None));
        }
        true
    }
}
