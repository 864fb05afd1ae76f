//! Sentiment conditions in matchers (`sentiment_below`, `sentiment_above`): not a rule kind
//! but one more alternative every matcher may hold, so every kind can use it (a `when:`
//! trigger, an `unless:`, a `match:`). Like the other alternatives it adds hits: after the
//! text scan, each turn whose score passes is a hit of the matcher, as a whole. Turns are
//! scored on demand (see `sentiment::TurnSentiment`), and only in transcripts checked by a
//! pack that uses a condition: the text scan itself never scores anything.
use crate::engine::{Hit, MatcherId};
use crate::pack::MatcherDef;
use crate::sentiment::TurnSentiment;
use crate::transcript::Transcript;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SentimentGate {
    pub matcher: MatcherId,
    below: Option<f64>,
    above: Option<f64>,
}

impl SentimentGate {
    /// The gate of matcher `def`, if it has sentiment conditions; an error names a bad bound.
    pub fn of(matcher: MatcherId, def: &MatcherDef) -> Result<Option<SentimentGate>, String> {
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
        Ok(Some(SentimentGate {
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

/// Adds the hits of `gates` (one per turn that passes) to the hits of one scanned
/// transcript, which stay sorted.
pub fn apply(gates: &[SentimentGate], t: &Transcript, s: &TurnSentiment, hits: &mut Vec<Hit>) {
    let before = hits.len();
    for g in gates {
        for (i, turn) in t.turns.iter().enumerate() {
            if !turn.text.trim().is_empty() && g.admits(s.turn(i)) {
                hits.push(Hit {
                    matcher: g.matcher,
                    turn: i as u32,
                    start: 0,
                    end: turn.text.len() as u32,
                });
            }
        }
    }
    if hits.len() > before {
        hits.sort_unstable();
        hits.dedup();
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
        assert!(SentimentGate::of(0, &def(None, None)).unwrap().is_none());
        assert!(SentimentGate::of(0, &def(Some(-3.0), None)).is_err());
        assert!(SentimentGate::of(0, &def(Some(-0.5), Some(0.2))).is_err());
        let g = SentimentGate::of(0, &def(Some(0.2), Some(-0.5)))
            .unwrap()
            .unwrap();
        assert!(g.admits(0.0) && !g.admits(0.2) && !g.admits(-0.5) && !g.admits(-0.9));
        assert_eq!(g.describe(), "sentiment_below: 0.2, sentiment_above: -0.5");
    }

    #[test]
    fn conditions_add_the_turns_that_pass_as_hits() {
        let mut t = Transcript::new("t");
        t.turns
            .push(Turn::new("Customer", Role::Customer, "This is awful.", 1));
        t.turns
            .push(Turn::new("Customer", Role::Customer, "This is great.", 2));
        t.turns.push(Turn::new("Customer", Role::Customer, " ", 3));
        let s = TurnSentiment::new(&t);
        let hit = |matcher, turn, end| Hit {
            matcher,
            turn,
            start: 0,
            end,
        };
        // Matcher 0 has text hits in both turns and a condition; 1 is a condition alone;
        // 2 has none.
        let mut hits = vec![hit(0, 0, 4), hit(0, 1, 4), hit(2, 1, 4)];
        let gates = [
            SentimentGate::of(0, &def(Some(-0.3), None))
                .unwrap()
                .unwrap(),
            SentimentGate::of(1, &def(None, Some(0.3)))
                .unwrap()
                .unwrap(),
        ];
        apply(&gates, &t, &s, &mut hits);
        assert_eq!(
            hits,
            vec![
                hit(0, 0, 4),
                hit(0, 0, 14),
                hit(0, 1, 4),
                hit(1, 1, 14),
                hit(2, 1, 4)
            ]
        );
    }
}
