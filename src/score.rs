//! Scorecards: a compiled scorecard turns one transcript's findings into a 0–100 call score,
//! and `ScoreSummary` accumulates a batch's figures in a form that merges across shards.
//!
//! An item passes when none of its rules fired (kudos never fail), is N/A when none of its
//! rules applied, and fails otherwise. A section scores passed / applicable items; the call
//! scores the weighted mean of its applicable sections. A failed `autofail` item fails the
//! call whatever its score. Scores are rounded to hundredths once, here, and every figure
//! downstream (pass, summaries, outputs) uses the rounded value so they all agree.
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};
use std::collections::BTreeMap;

use crate::engine::{Checked, Engine};
use crate::finding::Severity;
use crate::pack::scorecard::{column_of, parse_scorecard, ScorecardSource};
use crate::pack::PackError;
use crate::transcript::Transcript;

/// A scorecard resolved against the loaded rules; immutable and shared by every writer.
#[derive(Debug, Clone)]
pub struct Scorecard {
    pub name: String,
    pub description: String,
    pub origin: String,
    pub pass_mark: f64,
    pub sections: Vec<Section>,
    /// Problems that do not stop scoring, e.g. an item left with no loaded rule because
    /// the config's `packs:` leaves out the pack that defines them (the item is then N/A).
    pub warnings: Vec<PackError>,
}

#[derive(Debug, Clone)]
pub struct Section {
    pub name: String,
    pub weight: f64,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone)]
pub struct Item {
    pub name: String,
    /// The item's rule ids that are loaded, with their index in `Engine::rules()`.
    pub rules: Vec<(String, usize)>,
    pub autofail: bool,
}

impl Scorecard {
    /// Resolves a scorecard's rule ids against `engine`. In a user's scorecard an unknown id
    /// is an error at its file:line:col, unless `disabled` (rules turned off in the config)
    /// names it; a built-in scorecard skips ids the loaded packs lack.
    pub fn compile(
        src: &ScorecardSource,
        engine: &Engine,
        disabled: &[String],
    ) -> Result<Scorecard, Vec<PackError>> {
        let (def, lines) = parse_scorecard(src)?;
        let mut errors = Vec::new();
        let mut warnings = Vec::new();
        let mut sections = Vec::with_capacity(def.sections.len());
        for (si, sd) in def.sections.iter().enumerate() {
            let mut items = Vec::with_capacity(sd.items.len());
            for (ii, id) in sd.items.iter().enumerate() {
                let item_line = lines.sections[si].1[ii];
                let mut rules = Vec::new();
                let mut not_loaded = Vec::new();
                for rule in &id.rules {
                    match engine.rule_index(rule) {
                        Some(i) => rules.push((rule.clone(), i)),
                        None if disabled.contains(rule) => {}
                        None if src.builtin => not_loaded.push(rule.as_str()),
                        None => {
                            let (line, column) = rule_position(&src.text, item_line, rule);
                            let hint = crate::pack::suggest::did_you_mean(
                                rule,
                                engine.rules().iter().map(|r| r.common.info.id.as_str()),
                            );
                            errors.push(PackError {
                                origin: src.origin.clone(),
                                line,
                                column,
                                message: format!(
                                    "item `{}`: unknown rule `{rule}`{hint} (`tonecheck rules list` shows the loaded rules)",
                                    id.name
                                ),
                            });
                        }
                    }
                }
                if rules.is_empty() && !not_loaded.is_empty() {
                    warnings.push(PackError {
                        origin: src.origin.clone(),
                        line: item_line,
                        column: column_of(&src.text, item_line, &id.name),
                        message: format!(
                            "item `{}` has none of its rules loaded ({}): it will be N/A in every call; add the pack that defines {} to `packs:`",
                            id.name,
                            not_loaded.join(", "),
                            if not_loaded.len() == 1 { "it" } else { "them" }
                        ),
                    });
                }
                items.push(Item {
                    name: id.name.clone(),
                    rules,
                    autofail: id.autofail,
                });
            }
            sections.push(Section {
                name: sd.name.clone(),
                weight: sd.weight,
                items,
            });
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Scorecard {
            name: def.scorecard,
            description: def.description,
            origin: src.origin.clone(),
            pass_mark: def.pass_mark,
            sections,
            warnings,
        })
    }

    /// Scores one checked transcript.
    pub fn score(&self, checked: &Checked) -> CallScore {
        let mut sections = Vec::with_capacity(self.sections.len());
        let (mut weighted, mut weights) = (0.0, 0.0);
        let mut autofail = false;
        for s in &self.sections {
            let mut items = Vec::with_capacity(s.items.len());
            let (mut passed, mut failed, mut na) = (0usize, 0usize, 0usize);
            for it in &s.items {
                let findings: Vec<usize> = checked
                    .findings
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| {
                        f.severity != Severity::Kudos
                            && it.rules.iter().any(|(id, _)| *id == f.rule.id)
                    })
                    .map(|(i, _)| i)
                    .collect();
                let applies = it
                    .rules
                    .iter()
                    .any(|(_, i)| checked.applicable.get(*i).copied().unwrap_or(false));
                let result = if !findings.is_empty() {
                    failed += 1;
                    autofail |= it.autofail;
                    ItemResult::Fail
                } else if applies {
                    passed += 1;
                    ItemResult::Pass
                } else {
                    na += 1;
                    ItemResult::Na
                };
                // Each fired rule once, in order of its first finding.
                let mut rules: Vec<String> = Vec::new();
                for &i in &findings {
                    let id = &checked.findings[i].rule.id;
                    if !rules.contains(id) {
                        rules.push(id.clone());
                    }
                }
                items.push(ItemScore {
                    name: it.name.clone(),
                    result,
                    autofail: it.autofail,
                    findings,
                    rules,
                });
            }
            let applicable = passed + failed;
            let score = (applicable > 0).then(|| passed as f64 / applicable as f64);
            if let Some(x) = score {
                weighted += s.weight * x;
                weights += s.weight;
            }
            sections.push(SectionScore {
                name: s.name.clone(),
                weight: s.weight,
                score: score.map(|x| round2(100.0 * x)),
                passed,
                failed,
                na,
                items,
            });
        }
        let score = (weights > 0.0).then(|| round2(100.0 * weighted / weights));
        let pass = !autofail && score.is_none_or(|s| s >= self.pass_mark);
        CallScore {
            scorecard: self.name.clone(),
            score,
            pass,
            pass_mark: self.pass_mark,
            autofail,
            sections,
        }
    }
}

/// Where rule id `rule` is written at or after `from_line` (its item's `name:` line).
fn rule_position(text: &str, from_line: usize, rule: &str) -> (usize, usize) {
    for (i, line) in text.lines().enumerate().skip(from_line.saturating_sub(1)) {
        let hit = line.match_indices(rule).find(|(c, _)| {
            let before = line[..*c].chars().next_back();
            let after = line[c + rule.len()..].chars().next();
            let sep = |ch: Option<char>| ch.is_none_or(|ch| !(ch.is_alphanumeric() || ch == '-'));
            sep(before) && sep(after)
        });
        if hit.is_some() {
            return (i + 1, column_of(text, i + 1, rule));
        }
    }
    (from_line, 1)
}

/// Rounds to hundredths: the precision every score is reported and compared at.
pub fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemResult {
    Pass,
    Fail,
    Na,
}

impl ItemResult {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemResult::Pass => "pass",
            ItemResult::Fail => "fail",
            ItemResult::Na => "n/a",
        }
    }
}

/// One call's scorecard, as every format shows it (`score` in the JSON transcript).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CallScore {
    pub scorecard: String,
    /// 0–100, hundredths; `None` when no section applied (nothing to judge).
    pub score: Option<f64>,
    pub pass: bool,
    pub pass_mark: f64,
    /// True when a failed `autofail` item failed the call.
    pub autofail: bool,
    pub sections: Vec<SectionScore>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SectionScore {
    pub name: String,
    pub weight: f64,
    /// 0–100; `None` when every item is N/A.
    pub score: Option<f64>,
    pub passed: usize,
    pub failed: usize,
    pub na: usize,
    pub items: Vec<ItemScore>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ItemScore {
    pub name: String,
    pub result: ItemResult,
    pub autofail: bool,
    /// Indices into the transcript's `findings` of the findings that failed the item.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<usize>,
    /// The rules that fired, in finding order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
}

/// Number of histogram buckets: 0–10, 10–20, … 90–100 (100 falls in the last).
pub const BUCKETS: usize = 10;

/// Per-agent totals.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgentTotals {
    pub calls: u64,
    /// Sum of scores in hundredths, so sums merge exactly in any order.
    pub hundredths: u64,
    pub passed: u64,
}

impl AgentTotals {
    pub fn mean(&self) -> f64 {
        if self.calls == 0 {
            0.0
        } else {
            (self.hundredths as f64 / self.calls as f64).round() / 100.0
        }
    }
}

/// A batch's score figures. It keeps only counts: a score's hundredths → calls (at most
/// 10,001 keys), per-agent totals and per-rule hit counts, so memory stays flat however
/// large the batch, and `merge` of shard summaries gives exactly the figures of one run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScoreSummary {
    /// Transcripts with a score.
    pub scored: u64,
    /// Transcripts where no section applied.
    pub unscored: u64,
    pub passed: u64,
    pub failed: u64,
    pub autofailed: u64,
    pub counts: BTreeMap<u32, u64>,
    pub agents: BTreeMap<String, AgentTotals>,
    /// Non-kudos findings per rule over every scored transcript.
    pub rule_hits: BTreeMap<String, u64>,
}

/// The agent label used when a transcript's metadata names none.
pub const UNKNOWN_AGENT: &str = "(unknown)";

impl ScoreSummary {
    pub fn add(&mut self, t: &Transcript, checked: &Checked, s: &CallScore) {
        for f in &checked.findings {
            if f.severity == Severity::Kudos {
                continue;
            }
            // Look up before inserting so a known rule costs no allocation.
            match self.rule_hits.get_mut(&f.rule.id) {
                Some(n) => *n += 1,
                None => {
                    self.rule_hits.insert(f.rule.id.clone(), 1);
                }
            }
        }
        if s.pass {
            self.passed += 1;
        } else {
            self.failed += 1;
        }
        if s.autofail {
            self.autofailed += 1;
        }
        let Some(score) = s.score else {
            self.unscored += 1;
            return;
        };
        let h = (score * 100.0).round() as u32;
        self.scored += 1;
        *self.counts.entry(h).or_default() += 1;
        let agent = t.metadata.agent.as_deref().unwrap_or(UNKNOWN_AGENT);
        let a = self.agents.entry(agent.to_string()).or_default();
        a.calls += 1;
        a.hundredths += u64::from(h);
        a.passed += u64::from(s.pass);
    }

    /// Adds another shard's figures.
    pub fn merge(&mut self, o: &ScoreSummary) {
        self.scored += o.scored;
        self.unscored += o.unscored;
        self.passed += o.passed;
        self.failed += o.failed;
        self.autofailed += o.autofailed;
        for (k, v) in &o.counts {
            *self.counts.entry(*k).or_default() += v;
        }
        for (k, v) in &o.agents {
            let a = self.agents.entry(k.clone()).or_default();
            a.calls += v.calls;
            a.hundredths += v.hundredths;
            a.passed += v.passed;
        }
        for (k, v) in &o.rule_hits {
            *self.rule_hits.entry(k.clone()).or_default() += v;
        }
    }

    pub fn mean(&self) -> Option<f64> {
        (self.scored > 0).then(|| {
            let sum: u64 = self.counts.iter().map(|(h, n)| u64::from(*h) * n).sum();
            (sum as f64 / self.scored as f64).round() / 100.0
        })
    }

    /// The middle score (the mean of the two middle ones for an even count).
    pub fn median(&self) -> Option<f64> {
        if self.scored == 0 {
            return None;
        }
        let nth = |k: u64| -> u32 {
            let mut seen = 0;
            for (h, n) in &self.counts {
                seen += n;
                if seen > k {
                    return *h;
                }
            }
            0
        };
        let n = self.scored;
        let m = if n % 2 == 1 {
            f64::from(nth(n / 2))
        } else {
            (f64::from(nth(n / 2 - 1)) + f64::from(nth(n / 2))) / 2.0
        };
        Some(m.round() / 100.0)
    }

    pub fn min(&self) -> Option<f64> {
        self.counts.keys().next().map(|h| f64::from(*h) / 100.0)
    }

    pub fn max(&self) -> Option<f64> {
        self.counts
            .keys()
            .next_back()
            .map(|h| f64::from(*h) / 100.0)
    }

    /// Share of judged calls (scored or not) that passed, 0–100.
    pub fn pass_rate(&self) -> Option<f64> {
        let n = self.passed + self.failed;
        (n > 0).then(|| round2(100.0 * self.passed as f64 / n as f64))
    }

    /// Calls per 10-point bucket; a score of exactly 100 counts in the last bucket.
    pub fn histogram(&self) -> [u64; BUCKETS] {
        let mut b = [0u64; BUCKETS];
        for (h, n) in &self.counts {
            let i = (*h as usize / 1000).min(BUCKETS - 1);
            b[i] += n;
        }
        b
    }

    /// Rules by hit count, most first (ties by id).
    pub fn top_rules(&self) -> Vec<(&str, u64)> {
        let mut v: Vec<(&str, u64)> = self
            .rule_hits
            .iter()
            .map(|(k, n)| (k.as_str(), *n))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        v
    }
}

/// The summary as JSON: the figures, plus the raw `scores` counts (hundredths as keys) that
/// let a consumer merge shard summaries exactly.
impl Serialize for ScoreSummary {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        struct Buckets<'a>(&'a ScoreSummary);
        impl Serialize for Buckets<'_> {
            fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
                #[derive(Serialize)]
                struct B {
                    from: u32,
                    to: u32,
                    count: u64,
                }
                let h = self.0.histogram();
                ser.collect_seq((0..BUCKETS).map(|i| B {
                    from: i as u32 * 10,
                    to: i as u32 * 10 + 10,
                    count: h[i],
                }))
            }
        }
        struct Agents<'a>(&'a ScoreSummary);
        impl Serialize for Agents<'_> {
            fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
                #[derive(Serialize)]
                struct A<'a> {
                    agent: &'a str,
                    calls: u64,
                    mean: f64,
                    passed: u64,
                    /// Sum of the agent's scores, so shard summaries merge exactly.
                    total: f64,
                }
                ser.collect_seq(self.0.agents.iter().map(|(k, a)| A {
                    agent: k,
                    calls: a.calls,
                    mean: a.mean(),
                    passed: a.passed,
                    total: a.hundredths as f64 / 100.0,
                }))
            }
        }
        struct Rules<'a>(&'a ScoreSummary);
        impl Serialize for Rules<'_> {
            fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
                #[derive(Serialize)]
                struct R<'a> {
                    rule: &'a str,
                    hits: u64,
                }
                ser.collect_seq(
                    self.0
                        .top_rules()
                        .into_iter()
                        .map(|(rule, hits)| R { rule, hits }),
                )
            }
        }
        struct Counts<'a>(&'a BTreeMap<u32, u64>);
        impl Serialize for Counts<'_> {
            fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
                let mut m = ser.serialize_map(Some(self.0.len()))?;
                for (h, n) in self.0 {
                    m.serialize_entry(&format!("{}.{:02}", h / 100, h % 100), n)?;
                }
                m.end()
            }
        }
        let mut s = ser.serialize_struct("ScoreSummary", 14)?;
        s.serialize_field("scored", &self.scored)?;
        s.serialize_field("unscored", &self.unscored)?;
        s.serialize_field("passed", &self.passed)?;
        s.serialize_field("failed", &self.failed)?;
        s.serialize_field("autofailed", &self.autofailed)?;
        s.serialize_field("pass_rate", &self.pass_rate())?;
        s.serialize_field("mean", &self.mean())?;
        s.serialize_field("median", &self.median())?;
        s.serialize_field("min", &self.min())?;
        s.serialize_field("max", &self.max())?;
        s.serialize_field("distribution", &Buckets(self))?;
        s.serialize_field("agents", &Agents(self))?;
        s.serialize_field("rules", &Rules(self))?;
        s.serialize_field("scores", &Counts(&self.counts))?;
        s.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{EngineBuilder, RuleOverride};
    use crate::input::{plain, ReadOptions};
    use crate::pack::PackSource;
    use crate::transcript::Mode;

    const PACK: &str = include_str!("../tests/fixtures/scoring-pack.yaml");

    /// Respect 50 (rude is autofail), Courtesy 30 (thanks; a kudos-only item), Recovery 20.
    const CARD: &str = include_str!("../tests/fixtures/scoring-card.yaml");

    fn engine_with(b: EngineBuilder) -> Engine {
        b.pack(PackSource {
            origin: "scoring-pack.yaml".into(),
            text: PACK.into(),
        })
        .build()
        .expect("test pack compiles")
    }

    fn user(text: &str) -> ScorecardSource {
        ScorecardSource {
            origin: "card.yaml".into(),
            text: text.into(),
            builtin: false,
        }
    }

    fn score_with(engine: &Engine, card: &str, text: &str, mode: Option<Mode>) -> CallScore {
        let card = Scorecard::compile(&user(card), engine, &[]).expect("card compiles");
        let opts = ReadOptions {
            mode,
            ..Default::default()
        };
        let t = plain::parse("call.txt", text, &opts).expect("transcript parses");
        card.score(&engine.check(&t))
    }

    fn score(text: &str) -> CallScore {
        score_with(&engine_with(EngineBuilder::new()), CARD, text, None)
    }

    fn sections(s: &CallScore) -> Vec<Option<f64>> {
        s.sections.iter().map(|x| x.score).collect()
    }

    #[test]
    fn weighted_mean_of_sections() {
        // Respect 1/2, Courtesy 1/2 (no thanks; kudos passes), Recovery 0/1:
        // (50*50 + 30*50 + 20*0) / 100 = 40.
        let s = score(
            "Customer: My order arrived broken.\nAgent: Per our policy we cannot refund. Great question.\nCustomer: ok\nAgent: Bye.\n",
        );
        assert_eq!(sections(&s), vec![Some(50.0), Some(50.0), Some(0.0)]);
        assert_eq!(s.score, Some(40.0));
        assert!(!s.pass && !s.autofail);
        let courtesy = &s.sections[1].items;
        assert_eq!(courtesy[0].result, ItemResult::Fail);
        assert_eq!(courtesy[0].rules, vec!["t-thanks"]);
        assert_eq!(
            courtesy[1].result,
            ItemResult::Pass,
            "kudos never fails an item"
        );
    }

    #[test]
    fn na_section_is_left_out_of_the_mean() {
        // No complaint, so the conditional never triggers: Recovery is N/A, not a pass.
        // Respect 1/2, Courtesy 2/2: (50*50 + 30*100) / 80 = 68.75.
        let s = score(
            "Customer: A question about my bill.\nAgent: Thank you. Per our policy it is due.\n",
        );
        assert_eq!(sections(&s), vec![Some(50.0), Some(100.0), None]);
        assert_eq!(s.sections[2].na, 1);
        assert_eq!(s.sections[2].items[0].result, ItemResult::Na);
        assert_eq!(s.score, Some(68.75));
        assert!(!s.pass);
    }

    #[test]
    fn autofail_fails_a_call_above_the_pass_mark() {
        // Respect 1/2, Courtesy 2/2, Recovery 1/1: (2500 + 3000 + 2000) / 100 = 75 >= 70,
        // but the failed autofail item fails the call.
        let s = score(
            "Customer: It arrived broken.\nAgent: I'm sorry, and you're wrong about the date. Thank you.\n",
        );
        assert_eq!(s.score, Some(75.0));
        assert!(s.autofail);
        assert!(!s.pass);
        // The same call without the rude line passes with 100.
        let ok =
            score("Customer: It arrived broken.\nAgent: I'm sorry about the date. Thank you.\n");
        assert_eq!((ok.score, ok.pass, ok.autofail), (Some(100.0), true, false));
    }

    #[test]
    fn script_mode_makes_conversation_rules_na() {
        // Thanks (required) and apology (conditional) do not apply to scripts.
        // Respect 1/2, Courtesy: only the kudos item applies, 1/1; Recovery N/A:
        // (2500 + 3000) / 80 = 68.75.
        let s = score_with(
            &engine_with(EngineBuilder::new()),
            CARD,
            "Per our policy we cannot refund.\nIt arrived broken, sorry.\n",
            Some(Mode::Script),
        );
        let thanked = &s.sections[1].items[0];
        assert_eq!(thanked.result, ItemResult::Na);
        assert_eq!(sections(&s), vec![Some(50.0), Some(100.0), None]);
        assert_eq!(s.score, Some(68.75));
    }

    #[test]
    fn a_rule_turned_into_kudos_never_lowers_the_score() {
        let engine = engine_with(EngineBuilder::new().override_rule(
            "t-jargon",
            RuleOverride {
                severity: Some(Severity::Kudos),
                disabled: false,
            },
        ));
        let s = score_with(
            &engine,
            CARD,
            "Customer: A question.\nAgent: Thank you. Per our policy it is due.\n",
            None,
        );
        assert_eq!(sections(&s), vec![Some(100.0), Some(100.0), None]);
        assert_eq!(s.score, Some(100.0));
    }

    #[test]
    fn thirds_round_to_hundredths_and_nothing_applicable_is_unscored() {
        let card = "scorecard: thirds
sections:
  - name: All
    items:
      - { name: A, rules: [t-rude] }
      - { name: B, rules: [t-jargon] }
      - { name: C, rules: [t-hold] }
";
        let e = engine_with(EngineBuilder::new());
        let s = score_with(&e, card, "Customer: Hi.\nAgent: Hold on.\n", None);
        assert_eq!(s.score, Some(66.67));
        assert!(!s.pass, "below the default pass mark of 80");
        let only_conv = "scorecard: conv\nsections:\n  - name: S\n    items:\n      - { name: T, rules: [t-thanks] }\n";
        let s = score_with(&e, only_conv, "Hello.\n", Some(Mode::Script));
        assert_eq!((s.score, s.pass), (None, true));
    }

    #[test]
    fn an_item_lists_each_fired_rule_once_and_every_finding() {
        let card = "scorecard: x\nsections:\n  - name: S\n    items:\n      - { name: Both, rules: [t-rude, t-jargon] }\n";
        let e = engine_with(EngineBuilder::new());
        let s = score_with(
            &e,
            card,
            "Customer: Hi.\nAgent: You're wrong. Per our policy, you're wrong.\n",
            None,
        );
        let it = &s.sections[0].items[0];
        assert_eq!(it.rules, vec!["t-rude", "t-jargon"]);
        assert_eq!(it.findings.len(), 3);
        assert_eq!(s.score, Some(0.0));
    }

    #[test]
    fn unknown_rule_is_an_error_at_its_position() {
        let e = engine_with(EngineBuilder::new());
        let card = "scorecard: x\nsections:\n  - name: S\n    items:\n      - name: T\n        rules: [t-rude, t-rudee]\n";
        let err = Scorecard::compile(&user(card), &e, &[]).unwrap_err();
        assert_eq!(err.len(), 1);
        assert_eq!((err[0].line, err[0].column), (6, 25), "{err:?}");
        assert!(err[0].message.contains("unknown rule `t-rudee`"));
        // Rules disabled in the config are not typos.
        assert!(Scorecard::compile(&user(card), &e, &["t-rudee".into()]).is_ok());
        // Built-in scorecards skip rules the loaded packs lack.
        let mut b = user(card);
        b.builtin = true;
        let c = Scorecard::compile(&b, &e, &[]).unwrap();
        assert_eq!(c.sections[0].items[0].rules.len(), 1);
    }

    fn summary_of(scores: &[(Option<f64>, bool, &str)]) -> ScoreSummary {
        let mut sum = ScoreSummary::default();
        for (score, pass, agent) in scores {
            let mut t = Transcript::new("t");
            t.metadata.agent = Some(agent.to_string());
            let s = CallScore {
                scorecard: "x".into(),
                score: *score,
                pass: *pass,
                pass_mark: 80.0,
                autofail: false,
                sections: vec![],
            };
            sum.add(&t, &Checked::default(), &s);
        }
        sum
    }

    #[test]
    fn summary_figures_and_merge() {
        let all = [
            (Some(100.0), true, "Ana"),
            (Some(66.67), false, "Ben"),
            (Some(90.0), true, "Ana"),
            (Some(40.0), false, "Ben"),
            (None, true, "Ana"),
        ];
        let s = summary_of(&all);
        assert_eq!(s.scored, 4);
        assert_eq!(s.unscored, 1);
        // (100 + 66.67 + 90 + 40) / 4 = 74.1675 -> 74.17; median (66.67 + 90) / 2 = 78.335.
        assert_eq!(s.mean(), Some(74.17));
        assert_eq!(s.median(), Some(78.34));
        assert_eq!(s.pass_rate(), Some(60.0));
        assert_eq!(s.histogram(), [0, 0, 0, 0, 1, 0, 1, 0, 0, 2]);
        assert_eq!(s.agents["Ana"].mean(), 95.0);
        assert_eq!(s.agents["Ben"].mean(), 53.34);
        // Shards merge into the same figures as one run, in any split.
        let mut a = summary_of(&all[..2]);
        a.merge(&summary_of(&all[2..]));
        assert_eq!(a, s);
        let mut b = summary_of(&all[3..]);
        b.merge(&summary_of(&all[..3]));
        assert_eq!(b, s);
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["scores"]["66.67"], 1);
        assert_eq!(json["distribution"][9]["count"], 2);
    }

    #[test]
    fn builtin_scorecard_matches_the_builtin_packs() {
        use crate::pack::{NOT_YET_BUILT_RULE_IDS as PENDING, STABLE_RULE_IDS};
        // The stable ids that can fail a call (kudos never do).
        let stable: Vec<&str> = STABLE_RULE_IDS
            .iter()
            .copied()
            .filter(|id| !id.starts_with("kudos-"))
            .collect();
        let engine = EngineBuilder::new()
            .packs(PackSource::all_builtin())
            .build()
            .expect("built-in packs compile");
        let src = ScorecardSource::default_builtin();
        let (def, _) = parse_scorecard(&src).expect("built-in scorecard parses");
        let named: Vec<&str> = def
            .sections
            .iter()
            .flat_map(|s| &s.items)
            .flat_map(|i| &i.rules)
            .map(String::as_str)
            .collect();
        for id in &named {
            assert!(
                engine.rule_index(id).is_some() || PENDING.contains(id),
                "scorecards/service-recovery.yaml names `{id}`, which no built-in pack defines"
            );
            let kudos = engine
                .rule(id)
                .is_some_and(|r| r.common.severity == Severity::Kudos);
            assert!(!kudos, "`{id}` is a kudos rule: it can never fail an item");
        }
        for id in &stable {
            assert!(
                named.contains(id),
                "built-in rule `{id}` is on no item of scorecards/service-recovery.yaml"
            );
        }
        // Strict compilation (as for a user's scorecard) passes once the pending rules exist.
        let mut strict = src.clone();
        strict.builtin = false;
        if let Err(errs) = Scorecard::compile(&strict, &engine, &[]) {
            for e in &errs {
                assert!(
                    PENDING
                        .iter()
                        .any(|p| e.message.contains(&format!("`{p}`"))),
                    "{e}"
                );
            }
        }
    }
}
