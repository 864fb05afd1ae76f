//! `required`: `expect` must occur at least once in the eligible turns (speaker and `where:`
//! window); one finding when it never does. `unless` hits void an `expect` hit in their
//! sentence ("thanks for nothing" is not a thank-you). `min_turns: N`: with fewer than N
//! eligible turns the rule does not apply (N/A in scorecards): a single-reply thread owes no
//! thank-you.
use super::{Compiler, Index, RuleCommon, RuleError, RuleKind};
use crate::engine::{MatcherId, Scan};
use crate::finding::Finding;

struct Required {
    expect: MatcherId,
    /// Eligible turns the speaker needs before the rule applies (at least 1).
    min_turns: usize,
}

pub(super) fn compile(c: &mut Compiler) -> Result<Box<dyn RuleKind>, RuleError> {
    c.only_fields(&["expect", "where", "min_turns"])?;
    let expect = c.required("expect", &c.def.expect.clone())?;
    c.unless_beside(expect);
    if c.def.min_turns == Some(0) {
        return Err(RuleError::at(
            Some("min_turns"),
            "`min_turns` must be at least 1".into(),
        ));
    }
    Ok(Box::new(Required {
        expect,
        min_turns: c.def.min_turns.unwrap_or(1),
    }))
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
        if eligible.len() < self.min_turns {
            // The speaker never spoke in the window, or too little to owe the phrase.
            return false;
        }
        let Some(&last) = eligible.last() else {
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

#[cfg(test)]
mod tests {
    use crate::engine::Engine;
    use crate::examples::example_transcript;

    fn engine(extra: &str) -> Result<Engine, String> {
        let text = format!(
            "pack: t\nrules:\n  - id: thanks\n    kind: required\n    severity: warning\n    \
             message: no thanks\n    expect: {{phrases: [thanks]}}\n{extra}"
        );
        crate::engine::test_engine(&text, false)
    }

    /// (findings, applied) for one transcript.
    fn run(e: &Engine, text: &str) -> (usize, bool) {
        let c = e.check(&example_transcript(text).unwrap());
        (c.findings.len(), c.applicable[0])
    }

    #[test]
    fn min_turns_makes_short_threads_not_applicable() {
        let e = engine("    min_turns: 2\n").unwrap();
        // One agent reply: the rule does not apply at all (N/A, not a pass).
        assert_eq!(run(&e, "Customer: hi\nAgent: Done."), (0, false));
        // Two agent turns without thanks: a finding on the last one.
        let two = "Customer: hi\nAgent: Done.\nCustomer: ok\nAgent: Bye.";
        assert_eq!(run(&e, two), (1, true));
        let c = e.check(&example_transcript(two).unwrap());
        assert_eq!(c.findings[0].turn, 3);
        // Two agent turns with thanks: applies and passes.
        assert_eq!(
            run(
                &e,
                "Customer: hi\nAgent: Done.\nCustomer: ok\nAgent: thanks"
            ),
            (0, true)
        );
        // Without `min_turns`, one reply is enough to owe it.
        let e = engine("").unwrap();
        assert_eq!(run(&e, "Customer: hi\nAgent: Done."), (1, true));
    }

    #[test]
    fn min_turns_zero_is_refused() {
        let err = engine("    min_turns: 0\n").err().unwrap();
        assert!(err.contains("`min_turns` must be at least 1"), "{err}");
    }
}
