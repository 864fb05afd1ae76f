//! `repeat`: the agent asks the customer for something they already gave. Two ways to tell:
//! `match` hits are explicit asks to repeat ("what was your postcode again?"), flagged as a
//! `phrase` rule flags them; and each of `items` (an order number, a booking reference) pairs
//! `given`, the customer stating it, with `asked`, the agent asking for it: an `asked` hit in
//! an eligible turn is a finding when an earlier customer turn holds a `given` hit of the same
//! item. `unless` drops either kind of finding when it hits the same sentence; `excuse`
//! drops an item ask when it hits anywhere in the ask's turn (the agent says why it asks
//! again, or reads the value back to check it).
use super::{merge_spans, merged_spans, Compiler, Index, RuleCommon, RuleError, RuleKind};
use crate::engine::{MatcherId, Scan};
use crate::finding::Finding;
use crate::pack::SpeakerSel;
use crate::transcript::Role;

struct Repeat {
    /// Explicit asks to repeat.
    matcher: Option<MatcherId>,
    /// (given, asked) per item.
    items: Vec<(MatcherId, MatcherId)>,
    /// Reasons to ask again, read in the asking turn.
    excuse: Option<MatcherId>,
}

pub(super) fn compile(c: &mut Compiler) -> Result<Box<dyn RuleKind>, RuleError> {
    c.only_fields(&["match", "items", "excuse", "where"])?;
    let def = c.def.clone();
    let matcher = c.optional("match", &def.match_)?;
    let items = def.items.unwrap_or_default();
    if matcher.is_none() && items.is_empty() {
        return Err(RuleError::at(
            None,
            "kind `repeat` needs `match:`, `items:` or both".into(),
        ));
    }
    let mut out = Vec::with_capacity(items.len());
    for (name, item) in &items {
        let missing = |field: &str| RuleError {
            field: Some("items"),
            needle: Some(format!("{name}:")),
            message: format!("item `{name}` of kind `repeat` needs `{field}:`"),
        };
        if item.given.is_none() {
            return Err(missing("given"));
        }
        if item.asked.is_none() {
            return Err(missing("asked"));
        }
        // The customer gives the item; the agent (the rule's speaker) asks for it.
        let given = c.required_in("given", &item.given, SpeakerSel::Customer)?;
        let asked = c.required("asked", &item.asked)?;
        out.push((given, asked));
    }
    let excuse = c.optional("excuse", &def.excuse)?;
    Ok(Box::new(Repeat {
        matcher,
        items: out,
        excuse,
    }))
}

impl RuleKind for Repeat {
    fn conversation_level(&self) -> bool {
        false
    }

    fn evaluate(&self, rule: &RuleCommon, scan: &Scan, out: &mut Vec<Finding>) -> bool {
        let t = scan.transcript;
        let mut spans: Vec<(usize, usize, usize)> = Vec::new();
        let ix = &mut Index::new(scan);
        if let Some(m) = self.matcher {
            for (turn, s, e) in merged_spans(scan.hits(m)) {
                if rule.eligible(ix, turn) && !rule.excused(ix, turn, s, e) {
                    spans.push((turn, s, e));
                }
            }
        }
        for &(given, asked) in &self.items {
            let asks = scan.hits(asked);
            if asks.is_empty() {
                continue;
            }
            // The first customer turn that gives the item (hits are in turn order): every
            // ask after it is a repeat.
            let Some(first) = scan
                .hits(given)
                .iter()
                .map(|h| h.turn as usize)
                .find(|&turn| t.turns[turn].role == Role::Customer)
            else {
                continue;
            };
            for (turn, s, e) in merged_spans(asks) {
                let excused = self
                    .excuse
                    .is_some_and(|x| !scan.turn_hits(x, turn).is_empty());
                if turn > first
                    && !excused
                    && rule.eligible(ix, turn)
                    && !rule.excused(ix, turn, s, e)
                {
                    spans.push((turn, s, e));
                }
            }
        }
        // One finding per stretch of text, however many items (or an explicit ask) hit it.
        spans.sort_unstable();
        for (turn, s, e) in merge_spans(spans) {
            out.push(rule.finding(ix, turn, s, e, None));
        }
        true
    }
}
