//! `conditional`: after each `when` hit (in turns of `when_speaker`, default customer),
//! `expect` must occur within the next `within_turns` turns of the rule's speaker; otherwise
//! a finding at the trigger. `trigger: first` judges only the first trigger. `unless` hits
//! void an `expect` hit in their sentence (a non-apology is not an apology).
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
    trigger: Trigger,
}

pub(super) fn compile(c: &mut Compiler) -> Result<Box<dyn RuleKind>, RuleError> {
    c.only_fields(&[
        "when",
        "expect",
        "when_speaker",
        "within_turns",
        "trigger",
        "where",
    ])?;
    let def = c.def.clone();
    let when = c.required("when", &def.when)?;
    let expect = c.required("expect", &def.expect)?;
    if def.within_turns == Some(0) {
        return Err(RuleError::at(
            Some("within_turns"),
            "`within_turns` must be at least 1".into(),
        ));
    }
    Ok(Box::new(Conditional {
        when,
        expect,
        when_speaker: def.when_speaker.unwrap_or(SpeakerSel::Customer),
        within: def.within_turns.unwrap_or(DEFAULT_WITHIN_TURNS),
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
            if answered_before[last] == answered_before[first] {
                out.push(rule.finding(ix, turn, h.start as usize, h.end as usize, None));
            }
            if self.trigger == Trigger::First {
                break;
            }
        }
        applied
    }
}
