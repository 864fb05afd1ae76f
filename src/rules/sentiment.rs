//! Sentiment conditions in matchers (`sentiment_below`, `sentiment_above`): not a rule kind
//! but one more alternative every matcher may hold, so every kind can use it (a `when:`
//! trigger, an `unless:`, a `match:`). Like the other alternatives it adds hits: each turn
//! whose score passes is a hit of the matcher, as a whole. The hits are added lazily, when a
//! rule asks for the matcher's hits (all of them, or one turn's), so a turn is scored only
//! when some rule's question needs it (see `sentiment::TurnSentiment`); the text scan itself
//! never scores anything, and packs without a condition never get here.
use std::cell::OnceCell;

use crate::engine::{Hit, MatcherId};
use crate::pack::MatcherDef;
use crate::sentiment::TurnSentiment;
use crate::transcript::Transcript;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SentimentCondition {
    pub matcher: MatcherId,
    below: Option<f64>,
    above: Option<f64>,
}

impl SentimentCondition {
    /// The condition of matcher `def`, if it has sentiment conditions; an error names a bad bound.
    pub fn of(matcher: MatcherId, def: &MatcherDef) -> Result<Option<SentimentCondition>, String> {
        if !def.uses_sentiment() {
            return Ok(None);
        }
        for (key, v) in [
            ("sentiment_below", def.sentiment_below),
            ("sentiment_above", def.sentiment_above),
        ] {
            if v.is_some_and(|v| !(-1.0..=1.0).contains(&v)) {
                return Err(format!(
                    "`{key}` is a sentiment score from -1.0 to 1.0 (VADER's compound score)"
                ));
            }
        }
        if let (Some(b), Some(a)) = (def.sentiment_below, def.sentiment_above) {
            if a >= b {
                return Err(format!(
                    "no score is below {b} and above {a}: `sentiment_above` must be lower than `sentiment_below`"
                ));
            }
        }
        Ok(Some(SentimentCondition {
            matcher,
            below: def.sentiment_below,
            above: def.sentiment_above,
        }))
    }

    /// Does a turn scoring `score` pass?
    pub fn admits(&self, score: f64) -> bool {
        self.below.is_none_or(|b| score < b) && self.above.is_none_or(|a| score > a)
    }

    /// The condition as written in a pack, for `rules trace`.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(b) = self.below {
            parts.push(format!("sentiment_below: {b}"));
        }
        if let Some(a) = self.above {
            parts.push(format!("sentiment_above: {a}"));
        }
        parts.join(", ")
    }
}

/// The hits of matchers with a sentiment condition, text hits and passing turns merged, built on first request:
/// per condition all of them (`hits`), or one turn's (`turn_hits`), whichever a rule asks for.
pub struct ConditionHits<'a> {
    conditions: &'a [SentimentCondition],
    all: Vec<OnceCell<Vec<Hit>>>,
    /// `conditions.len()` × turns cells, allocated on the first per-turn question.
    by_turn: OnceCell<Vec<OnceCell<Vec<Hit>>>>,
    turns: usize,
}

impl<'a> ConditionHits<'a> {
    /// `conditions` sorted by matcher; `turns`: the transcript's number of turns.
    pub fn new(conditions: &'a [SentimentCondition], turns: usize) -> ConditionHits<'a> {
        ConditionHits {
            conditions,
            all: conditions.iter().map(|_| OnceCell::new()).collect(),
            by_turn: OnceCell::new(),
            turns,
        }
    }

    /// The index of matcher `m`'s condition, if it has one.
    pub fn index_of(&self, m: MatcherId) -> Option<usize> {
        if self.conditions.is_empty() {
            return None;
        }
        self.conditions.binary_search_by_key(&m, |g| g.matcher).ok()
    }

    /// All hits of condition `g`'s matcher: `text` (its text hits, sorted) and every passing turn.
    pub fn hits(&self, g: usize, text: &[Hit], t: &Transcript, s: &TurnSentiment) -> &[Hit] {
        self.all[g].get_or_init(|| {
            let mut v = text.to_vec();
            for i in 0..t.turns.len() {
                v.extend(self.turn_hit(g, i, t, s));
            }
            v.sort_unstable();
            v.dedup();
            v
        })
    }

    /// The hits of condition `g`'s matcher in turn `turn`: `text` (its text hits there) and the
    /// whole turn when it passes.
    pub fn turn_hits(
        &self,
        g: usize,
        turn: usize,
        text: &[Hit],
        t: &Transcript,
        s: &TurnSentiment,
    ) -> &[Hit] {
        if let Some(all) = self.all[g].get() {
            let lo = all.partition_point(|h| (h.turn as usize) < turn);
            let hi = all.partition_point(|h| (h.turn as usize) <= turn);
            return &all[lo..hi];
        }
        let cells = self.by_turn.get_or_init(|| {
            (0..self.conditions.len() * self.turns)
                .map(|_| OnceCell::new())
                .collect()
        });
        cells[g * self.turns + turn].get_or_init(|| {
            let mut v = text.to_vec();
            if let Some(h) = self.turn_hit(g, turn, t, s) {
                v.push(h);
                v.sort_unstable();
                v.dedup();
            }
            v
        })
    }

    fn turn_hit(&self, g: usize, i: usize, t: &Transcript, s: &TurnSentiment) -> Option<Hit> {
        let condition = &self.conditions[g];
        let text = &t.turns[i].text;
        (!text.trim().is_empty() && condition.admits(s.turn(i))).then_some(Hit {
            matcher: condition.matcher,
            turn: i as u32,
            start: 0,
            end: text.len() as u32,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::{Role, Turn};

    fn def(below: Option<f64>, above: Option<f64>) -> MatcherDef {
        MatcherDef {
            sentiment_below: below,
            sentiment_above: above,
            ..MatcherDef::default()
        }
    }

    #[test]
    fn bounds_are_checked() {
        assert!(SentimentCondition::of(0, &def(None, None))
            .unwrap()
            .is_none());
        assert!(SentimentCondition::of(0, &def(Some(-3.0), None)).is_err());
        assert!(SentimentCondition::of(0, &def(Some(-0.5), Some(0.2))).is_err());
        let g = SentimentCondition::of(0, &def(Some(0.2), Some(-0.5)))
            .unwrap()
            .unwrap();
        assert!(g.admits(0.0) && !g.admits(0.2) && !g.admits(-0.5) && !g.admits(-0.9));
        assert_eq!(g.describe(), "sentiment_below: 0.2, sentiment_above: -0.5");
    }

    #[test]
    fn conditions_add_the_turns_that_pass_as_hits_on_demand() {
        let mut t = Transcript::new("t");
        t.turns
            .push(Turn::new("Customer", Role::Customer, "This is awful.", 1));
        t.turns
            .push(Turn::new("Customer", Role::Customer, "This is great.", 2));
        t.turns.push(Turn::new("Customer", Role::Customer, " ", 3));
        let hit = |matcher, turn, end| Hit {
            matcher,
            turn,
            start: 0,
            end,
        };
        // Matcher 0 has text hits in both turns and a condition; 1 is a condition alone.
        let text = [hit(0, 0, 4), hit(0, 1, 4)];
        let conditions = [
            SentimentCondition::of(0, &def(Some(-0.3), None))
                .unwrap()
                .unwrap(),
            SentimentCondition::of(1, &def(None, Some(0.3)))
                .unwrap()
                .unwrap(),
        ];
        let s = TurnSentiment::new(&t);
        let g = ConditionHits::new(&conditions, t.turns.len());
        assert_eq!(g.index_of(1), Some(1));
        assert_eq!(g.index_of(2), None);
        // One turn's question scores that turn only.
        assert_eq!(g.turn_hits(1, 1, &[], &t, &s), &[hit(1, 1, 14)]);
        assert!(g.turn_hits(1, 2, &[], &t, &s).is_empty());
        assert_eq!(
            g.hits(0, &text, &t, &s),
            &[hit(0, 0, 4), hit(0, 0, 14), hit(0, 1, 4)]
        );
        assert_eq!(
            g.turn_hits(0, 0, &text[..1], &t, &s),
            &[hit(0, 0, 4), hit(0, 0, 14)]
        );
        assert_eq!(g.hits(1, &[], &t, &s), &[hit(1, 1, 14)]);
    }
}
