//! `phrase`: every occurrence of `match` in an eligible turn is a finding, unless an
//! `unless` hit shares its sentence.
use super::{merged_spans, Compiler, Index, RuleCommon, RuleError, RuleKind};
use crate::engine::{MatcherId, Scan};
use crate::finding::Finding;

struct Phrase {
    matcher: MatcherId,
}

pub(super) fn compile(c: &mut Compiler) -> Result<Box<dyn RuleKind>, RuleError> {
    c.only_fields(&["match", "where"])?;
    let matcher = c.required("match", &c.def.match_.clone())?;
    c.unless_beside(matcher);
    Ok(Box::new(Phrase { matcher }))
}

impl RuleKind for Phrase {
    fn conversation_level(&self) -> bool {
        false
    }

    fn evaluate(&self, rule: &RuleCommon, scan: &Scan, out: &mut Vec<Finding>) -> bool {
        let hits = scan.hits(self.matcher);
        if hits.is_empty() {
            return true;
        }
        let ix = &mut Index::new(scan);
        for (turn, s, e) in merged_spans(hits) {
            if rule.eligible(ix, turn) && !rule.excused(ix, turn, s, e) {
                out.push(rule.finding(ix, turn, s, e, None));
            }
        }
        true
    }
}
