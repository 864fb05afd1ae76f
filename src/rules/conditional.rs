//! `conditional`: after each `when` hit (in turns of `when_speaker`, default customer),
//! `expect` must occur within the next `within_turns` turns of the rule's speaker; otherwise
//! a finding at the trigger. `trigger: first` judges only the first trigger. `unless` hits
//! void an `expect` hit in their sentence (a non-apology is not an apology).
//! `before_turns: N`: an `expect` hit in the responder's N turns just before the trigger
//! answers it too (an apology given just before the complaint).
use super::{speaker_matches, Compiler, Index, RuleCommon, RuleError, RuleKind};
use crate::engine::{MatcherId, Scan};
use crate::finding::Finding;
use crate::pack::{SpeakerSel, Trigger};

const DEFAULT_WITHIN_TURNS: usize = 2;

struct Conditional {
    when: MatcherId,
    expect: MatcherId,
    when_speaker: SpeakerSel,
    within: usize,
    /// Responder turns before the trigger that also count (default 0).
    before: usize,
    trigger: Trigger,
}

pub(super) fn compile(c: &mut Compiler) -> Result<Box<dyn RuleKind>, RuleError> {
    c.only_fields(&[
        "when",
        "expect",
        "when_speaker",
        "within_turns",
        "trigger",
        "before_turns",
        "where",
    ])?;
    let def = c.def.clone();
    let when_speaker = def.when_speaker.unwrap_or(SpeakerSel::Customer);
    // With `trigger: first` (and no window to skip triggers by) the rule reads the first
    // trigger the responder had a chance to answer and nothing after it, and `expect` only
    // in the responder's turns before it and up to `within_turns` after it.
    let within = def.within_turns.unwrap_or(DEFAULT_WITHIN_TURNS);
    let (when, expect) = if def.trigger == Some(Trigger::First) && def.window.is_none() {
        let when = c.required_first("when", &def.when, when_speaker, def.speaker)?;
        (
            when,
            c.required_answers("expect", &def.expect, when, within)?,
        )
    } else {
        let when = c.required_in("when", &def.when, when_speaker)?;
        (when, c.required("expect", &def.expect)?)
    };
    // `unless` voids an `expect` hit in its sentence.
    c.unless_beside(expect);
    if def.within_turns == Some(0) {
        return Err(RuleError::at(
            Some("within_turns"),
            "`within_turns` must be at least 1".into(),
        ));
    }
    Ok(Box::new(Conditional {
        when,
        expect,
        when_speaker,
        within,
        before: def.before_turns.unwrap_or(0),
        trigger: def.trigger.unwrap_or_default(),
    }))
}

impl RuleKind for Conditional {
    fn conversation_level(&self) -> bool {
        true
    }

    fn evaluate(&self, rule: &RuleCommon, scan: &Scan, out: &mut Vec<Finding>) -> bool {
        let t = scan.transcript;
        let whens = scan.hits(self.when);
        if whens.is_empty() {
            return false;
        }
        let ix = &mut Index::new(scan);
        // The responder's turns, and how many of the first k hold an `expect` hit that no
        // `unless` voids: each trigger is then answered or not in O(log n), however long
        // the call and however large `within_turns`.
        let replies: Vec<usize> = (0..t.turns.len())
            .filter(|&i| rule.speaks(t.turns[i].role))
            .collect();
        let mut answered_before = Vec::with_capacity(replies.len() + 1);
        answered_before.push(0usize);
        for &r in &replies {
            let ok = scan
                .turn_hits(self.expect, r)
                .iter()
                .any(|e| !rule.excused(ix, r, e.start as usize, e.end as usize));
            answered_before.push(answered_before.last().copied().unwrap_or(0) + usize::from(ok));
        }
        let mut applied = false;
        let mut last_turn = None;
        for h in whens {
            let turn = h.turn as usize;
            let tr = &t.turns[turn];
            if last_turn == Some(turn)
                || !speaker_matches(self.when_speaker, tr.role)
                || rule.window.is_some_and(|w| !super::in_window(ix, turn, &w))
            {
                continue;
            }
            last_turn = Some(turn);
            // The responder's next turns after the trigger; none means the call ended first.
            let first = replies.partition_point(|&r| r <= turn);
            let last = first.saturating_add(self.within).min(replies.len());
            if first == last {
                continue;
            }
            applied = true;
            // Counting from `before` responder turns earlier: an answer given just before
            // the trigger also answers it.
            let from = first.saturating_sub(self.before);
            if answered_before[last] == answered_before[from] {
                out.push(rule.finding(ix, turn, h.start as usize, h.end as usize, None));
            }
            if self.trigger == Trigger::First {
                break;
            }
        }
        applied
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::{Engine, EngineBuilder};
    use crate::examples::example_transcript;
    use crate::pack::PackSource;

    fn engine(extra: &str) -> Result<Engine, String> {
        let text = format!(
            "pack: t\nrules:\n  - id: answer\n    kind: conditional\n    severity: error\n    \
             message: unanswered\n    trigger: first\n    within_turns: 1\n    \
             when: {{phrases: [broken]}}\n    expect: {{phrases: [sorry]}}\n{extra}"
        );
        crate::engine::test_engine(&text, false)
    }

    fn findings(e: &Engine, text: &str) -> usize {
        e.check(&example_transcript(text).unwrap()).findings.len()
    }

    #[test]
    fn before_turns_counts_an_answer_just_before_the_trigger() {
        let early =
            "Customer: hi\nAgent: Sorry for the wait.\nCustomer: it is broken\nAgent: Let me look.";
        let e = engine("").unwrap();
        assert_eq!(findings(&e, early), 1, "by default only later turns count");
        let e = engine("    before_turns: 1\n").unwrap();
        assert_eq!(findings(&e, early), 0);
        // Only the responder's last turn before the trigger counts, not an older one.
        let older = "Customer: hi\nAgent: Sorry for the wait.\nCustomer: ok\nAgent: Go on.\n\
                     Customer: it is broken\nAgent: Let me look.";
        assert_eq!(findings(&e, older), 1);
        let e = engine("    before_turns: 2\n").unwrap();
        assert_eq!(findings(&e, older), 0);
        // An answer after the trigger still counts as before.
        let after = "Customer: it is broken\nAgent: So sorry.";
        assert_eq!(findings(&e, after), 0);
    }

    #[test]
    fn before_turns_is_refused_on_other_kinds() {
        let text = "pack: t\nrules:\n  - id: p\n    severity: info\n    message: m\n    \
                    match: {phrases: [x]}\n    before_turns: 1\n";
        let err = EngineBuilder::new()
            .pack(PackSource::new("t.yaml", text))
            .build()
            .err()
            .unwrap();
        assert!(
            err[0].to_string().contains("`before_turns` does not apply"),
            "{}",
            err[0]
        );
    }
}
