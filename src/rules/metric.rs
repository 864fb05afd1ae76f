//! `metric`: a measured quantity of the conversation compared with `min`/`max`.
//! Timing metrics apply only to transcripts that carry turn times (start and end of every
//! turn); without them the rule does not apply, and a scorecard item of it is N/A.
use super::{Compiler, Index, RuleCommon, RuleError, RuleKind};
use crate::engine::{MatcherId, Scan};
use crate::finding::Finding;
use crate::transcript::{Role, Transcript};

/// The metrics a rule may name, with what each measures (shown by `rules explain`).
pub const METRICS: &[(&str, &str)] = &[
    (
        "agent_talk_share",
        "share of all spoken words that are the agent's, 0.0–1.0",
    ),
    (
        "longest_agent_turn_words",
        "words in the agent's longest turn",
    ),
    (
        "interruptions",
        "agent turns that start more than `tolerance` seconds before the customer's turn has ended (needs times)",
    ),
    (
        "max_silence_seconds",
        "gaps between the end of one turn and the start of the next (needs times); with `max:`, every longer gap is a finding unless the agent's turn before it matches `unless` (an announced hold)",
    ),
    (
        "agent_talk_time_share",
        "share of the speaking time that is the agent's, 0.0–1.0 (needs times)",
    ),
    (
        "agent_words_per_minute",
        "agent words per minute of agent speaking time (needs times)",
    ),
    (
        "customer_sentiment_shift",
        "sentiment of the customer's last turn after the agent first spoke minus that of their first turn of 4 words or more, -2.0–2.0 (VADER compound scores; turns scoring 0 are skipped; `unless` matching the last turn excuses it, `unless_start` matching the first turn means no calm start)",
    ),
];

/// `agent_talk_share` applies only when the customer spoke in at least this many turns.
const MIN_CUSTOMER_TURNS_FOR_SHARE: usize = 2;

/// `customer_sentiment_shift` starts from the customer's first turn of at least this many
/// words: shorter ones are greetings and one-word answers, whose lexicon score ("good
/// morning" is positive) says nothing about how the customer came in.
const MIN_OPENING_WORDS: usize = 4;

#[derive(Clone, Copy)]
enum Metric {
    TalkShare,
    LongestTurn,
    Interruptions,
    MaxSilence,
    TalkTimeShare,
    WordsPerMinute,
    SentimentShift,
}

struct MetricRule {
    metric: Metric,
    min: Option<f64>,
    max: Option<f64>,
    tolerance: f64,
    /// `customer_sentiment_shift`: a start turn this matches is no calm start.
    unless_start: Option<MatcherId>,
}

pub(super) fn compile(c: &mut Compiler) -> Result<Box<dyn RuleKind>, RuleError> {
    c.only_fields(&["metric", "min", "max", "tolerance", "unless_start"])?;
    // `unless` matches the agent's turn before a silence, or the customer's last turn;
    // `unless_start` the customer's first.
    c.read_in_every_turn();
    let d = c.def;
    let name = d
        .metric
        .as_deref()
        .ok_or_else(|| RuleError::at(None, "kind `metric` needs `metric:`".into()))?;
    let metric = match name {
        "agent_talk_share" => Metric::TalkShare,
        "longest_agent_turn_words" => Metric::LongestTurn,
        "interruptions" => Metric::Interruptions,
        "max_silence_seconds" => Metric::MaxSilence,
        "agent_talk_time_share" => Metric::TalkTimeShare,
        "agent_words_per_minute" => Metric::WordsPerMinute,
        "customer_sentiment_shift" => Metric::SentimentShift,
        other => {
            return Err(RuleError {
                field: Some("metric"),
                needle: Some(other.to_string()),
                message: format!(
                    "unknown metric `{other}` (known: {})",
                    METRICS
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
        }
    };
    if d.min.is_none() && d.max.is_none() {
        return Err(RuleError::at(
            Some("metric"),
            "a metric rule needs `min:` or `max:`".into(),
        ));
    }
    let tolerance = d.tolerance.unwrap_or(0.0);
    if !(tolerance.is_finite() && tolerance >= 0.0) {
        return Err(RuleError::at(
            Some("tolerance"),
            "`tolerance` must be a number of seconds, 0 or more".into(),
        ));
    }
    if d.tolerance.is_some() && !matches!(metric, Metric::Interruptions) {
        return Err(RuleError::at(
            Some("tolerance"),
            "`tolerance` applies only to `metric: interruptions`".into(),
        ));
    }
    if d.unless_start.is_some() && !matches!(metric, Metric::SentimentShift) {
        return Err(RuleError::at(
            Some("unless_start"),
            "`unless_start` applies only to `metric: customer_sentiment_shift`".into(),
        ));
    }
    let unless_start = c.optional("unless_start", &d.unless_start)?;
    Ok(Box::new(MetricRule {
        metric,
        min: d.min,
        max: d.max,
        tolerance,
        unless_start,
    }))
}

impl MetricRule {
    fn out_of_range(&self, v: f64) -> bool {
        self.min.is_some_and(|m| v < m) || self.max.is_some_and(|m| v > m)
    }
}

fn fmt_value(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

fn timed(t: &Transcript) -> bool {
    t.turns.iter().all(|x| x.start.is_some() && x.end.is_some())
}

impl RuleKind for MetricRule {
    fn conversation_level(&self) -> bool {
        true
    }

    fn evaluate(&self, rule: &RuleCommon, scan: &Scan, out: &mut Vec<Finding>) -> bool {
        let t = scan.transcript;
        let ix = &mut Index::new(scan);
        let agent_turns: Vec<usize> = (0..t.turns.len())
            .filter(|&i| t.turns[i].role == Role::Agent)
            .collect();
        let Some(&first_agent) = agent_turns.first() else {
            return false;
        };
        match self.metric {
            Metric::TalkShare => {
                // One message and one reply is not a conversation anyone could listen in:
                // the share only means something once the customer has spoken twice.
                let customer_turns = t.turns.iter().filter(|x| x.role == Role::Customer).count();
                if customer_turns < MIN_CUSTOMER_TURNS_FOR_SHARE {
                    return false;
                }
                let agent: usize = agent_turns.iter().map(|&i| scan.word_count(i)).sum();
                let all: usize = (0..t.turns.len()).map(|i| scan.word_count(i)).sum();
                if all == 0 {
                    return false;
                }
                let share = agent as f64 / all as f64;
                if self.out_of_range(share) {
                    out.push(rule.finding(
                        ix,
                        first_agent,
                        0,
                        0,
                        Some(&format!("{:.0}%", share * 100.0)),
                    ));
                }
            }
            Metric::LongestTurn => {
                let (&i, n) = agent_turns
                    .iter()
                    .map(|i| (i, scan.word_count(*i)))
                    .max_by_key(|(i, n)| (*n, std::cmp::Reverse(**i)))
                    .expect("agent_turns is not empty");
                if self.out_of_range(n as f64) {
                    out.push(rule.finding(ix, i, 0, 0, Some(&n.to_string())));
                }
            }
            Metric::Interruptions => {
                if !timed(t) {
                    return false;
                }
                // An agent turn that starts while the customer's last turn before it is
                // still going (by more than the tolerance: back-channel overlaps are normal).
                let cuts: Vec<usize> = (1..t.turns.len())
                    .filter(|&i| {
                        let cur = &t.turns[i];
                        let prev = t.turns[..i].iter().rev().find(|x| x.role != Role::Agent);
                        cur.role == Role::Agent
                            && prev.is_some_and(|p| {
                                p.role == Role::Customer
                                    && cur
                                        .start
                                        .zip(p.end)
                                        .is_some_and(|(s, e)| s + self.tolerance < e)
                            })
                    })
                    .collect();
                if self.out_of_range(cuts.len() as f64) {
                    let n = cuts.len().to_string();
                    for i in cuts {
                        out.push(rule.finding(ix, i, 0, 0, Some(&n)));
                    }
                }
            }
            Metric::MaxSilence => {
                if !timed(t) {
                    return false;
                }
                // A gap after an announced hold ("let me put you on hold for two minutes")
                // is excused: `unless` matches the agent's last turn before it.
                let announced = |i: usize| {
                    rule.unless.is_some_and(|u| {
                        t.turns[..i]
                            .iter()
                            .rposition(|x| x.role == Role::Agent)
                            .is_some_and(|a| !scan.turn_hits(u, a).is_empty())
                    })
                };
                let gaps: Vec<(usize, f64)> = (1..t.turns.len())
                    .filter_map(|i| Some((i, t.turns[i].start? - t.turns[i - 1].end?)))
                    .filter(|&(i, _)| !announced(i))
                    .collect();
                if self.max.is_some() {
                    for &(i, g) in gaps.iter().filter(|(_, g)| self.out_of_range(*g)) {
                        out.push(rule.finding(ix, i, 0, 0, Some(&fmt_value(g))));
                    }
                } else if let Some(&(i, g)) = gaps.iter().max_by(|a, b| a.1.total_cmp(&b.1)) {
                    if self.out_of_range(g) {
                        out.push(rule.finding(ix, i, 0, 0, Some(&fmt_value(g))));
                    }
                }
            }
            Metric::TalkTimeShare => {
                if !timed(t) {
                    return false;
                }
                let secs = |role: Option<Role>| -> f64 {
                    t.turns
                        .iter()
                        .filter(|x| role.is_none_or(|r| x.role == r))
                        .map(|x| (x.end.unwrap_or(0.0) - x.start.unwrap_or(0.0)).max(0.0))
                        .sum()
                };
                let customer_turns = t.turns.iter().filter(|x| x.role == Role::Customer).count();
                let all = secs(None);
                if customer_turns < MIN_CUSTOMER_TURNS_FOR_SHARE || all <= 0.0 {
                    return false;
                }
                let share = secs(Some(Role::Agent)) / all;
                if self.out_of_range(share) {
                    out.push(rule.finding(
                        ix,
                        first_agent,
                        0,
                        0,
                        Some(&format!("{:.0}%", share * 100.0)),
                    ));
                }
            }
            Metric::WordsPerMinute => {
                if !timed(t) {
                    return false;
                }
                let (words, secs) = agent_turns.iter().fold((0usize, 0.0f64), |(w, s), &i| {
                    let x = &t.turns[i];
                    (
                        w + scan.word_count(i),
                        s + (x.end.unwrap_or(0.0) - x.start.unwrap_or(0.0)).max(0.0),
                    )
                });
                if secs <= 0.0 {
                    return false;
                }
                let wpm = words as f64 * 60.0 / secs;
                if self.out_of_range(wpm) {
                    out.push(rule.finding(ix, first_agent, 0, 0, Some(&format!("{wpm:.0}"))));
                }
            }
            Metric::SentimentShift => {
                // How the customer came in: their first turn that carries any sentiment.
                // How they left: their last such turn once the agent has spoken. Turns that
                // score exactly 0 (an order number, "PS4") say nothing about either, and a
                // customer who never spoke again after the agent's first turn cannot have
                // been moved by it.
                let felt = |i: usize| {
                    t.turns[i].role == Role::Customer
                        && !t.turns[i].text.trim().is_empty()
                        && scan.sentiment.turn(i) != 0.0
                };
                // A greeting ("Hello, good morning!") is not how the customer came in:
                // the start is a turn of at least `MIN_OPENING_WORDS` words.
                let Some(first) = (0..t.turns.len())
                    .find(|&i| scan.word_count(i) >= MIN_OPENING_WORDS && felt(i))
                else {
                    return false;
                };
                // A customer who came in angry (`unless_start` matches the start turn; the
                // built-in rule lists staff who yelled at or hung up on them) gave no calm
                // start to drop from, whatever the lexicon made of the words.
                if self
                    .unless_start
                    .is_some_and(|u| !scan.turn_hits(u, first).is_empty())
                {
                    return false;
                }
                let Some(last) = (first_agent.max(first) + 1..t.turns.len())
                    .rev()
                    .find(|&i| felt(i))
                else {
                    return false;
                };
                let (start, end) = (scan.sentiment.turn(first), scan.sentiment.turn(last));
                let shift = end - start;
                // `unless` matching the customer's last turn excuses the drop (a closing
                // thank-you that the lexicon reads as negative: "I can't thank you enough").
                let excused = rule
                    .unless
                    .is_some_and(|u| !scan.turn_hits(u, last).is_empty());
                if self.out_of_range(shift) && !excused {
                    let value = format!(
                        "{} ({} at the start, {} at the end)",
                        crate::sentiment::display(shift),
                        crate::sentiment::display(start),
                        crate::sentiment::display(end)
                    );
                    out.push(rule.finding(ix, last, 0, 0, Some(&value)));
                }
            }
        }
        true
    }
}
