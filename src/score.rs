//! Scorecards: a compiled scorecard turns one transcript's findings into a 0–100 call score,
//! and `ScoreSummary` accumulates a batch's figures in a form that merges across shards.
//!
//! An item passes when none of its rules fired (kudos never fail), is N/A when none of its
//! rules applied, and fails otherwise. A section scores passed / applicable items; the call
//! scores the weighted mean of its applicable sections. A failed `autofail` item fails the
//! call whatever its score. Scores are rounded to hundredths once, here, and every figure
//! downstream (pass, summaries, outputs) uses the rounded value so they all agree.
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Deserialize, Serialize, Serializer};
use std::collections::BTreeMap;

use crate::engine::{Checked, Engine};
use crate::finding::Severity;
use crate::pack::scorecard::{column_of, parse_scorecard, ScorecardSource};
use crate::pack::PackError;
use crate::transcript::{Metadata, Transcript};

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ItemScore {
    pub name: String,
    pub result: ItemResult,
    pub autofail: bool,
    /// Indices into the transcript's `findings` of the findings that failed the item.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub findings: Vec<usize>,
    /// The rules that fired, in finding order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
}

/// Number of histogram buckets: 0–10, 10–20, … 90–100 (100 falls in the last).
pub const BUCKETS: usize = 10;

/// Calls, score total and passes of one agent, group value, day or section.
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

    fn add(&mut self, h: u32, pass: bool) {
        self.calls += 1;
        self.hundredths += u64::from(h);
        self.passed += u64::from(pass);
    }

    fn merge(&mut self, o: &AgentTotals) {
        self.calls += o.calls;
        self.hundredths += o.hundredths;
        self.passed += o.passed;
    }
}

/// One scorecard section over a batch: the calls where it applied and their section scores,
/// plus item results over every call.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SectionTotals {
    pub name: String,
    /// Calls where the section applied (had a score) and the sum of those scores.
    pub scored: AgentTotals,
    pub items_passed: u64,
    pub items_failed: u64,
    pub items_na: u64,
}

/// What a `--group-by` key reads from a call's metadata: `agent`, `queue`, any metadata key,
/// or the call's `date` by `date:day` (also plain `date`), `date:week` (ISO) or `date:month`.
pub fn group_value(key: &str, m: &Metadata) -> String {
    let date = |f: fn(i64, u32, u32) -> String| {
        m.date
            .as_deref()
            .and_then(parse_day)
            .map_or_else(|| NO_DATE.to_string(), |(y, mo, d)| f(y, mo, d))
    };
    match key {
        "date" | "date:day" => date(|y, m, d| format!("{y:04}-{m:02}-{d:02}")),
        "date:week" => date(iso_week),
        "date:month" => date(|y, m, _| format!("{y:04}-{m:02}")),
        "agent" => m.agent.as_deref().unwrap_or(UNKNOWN_AGENT).to_string(),
        _ => metadata_value(m, key).unwrap_or(NO_VALUE).to_string(),
    }
}

/// A metadata field by its name as written in the transcript.
pub fn metadata_value<'m>(m: &'m Metadata, key: &str) -> Option<&'m str> {
    match key {
        "agent" => m.agent.as_deref(),
        "customer" => m.customer.as_deref(),
        "call_id" => m.call_id.as_deref(),
        "date" => m.date.as_deref(),
        "queue" => m.queue.as_deref(),
        _ => m.extra.get(key).map(String::as_str),
    }
}

/// The group of calls whose metadata lacks the key.
pub const NO_VALUE: &str = "(none)";
/// The day of calls with no readable `date` (ISO `YYYY-MM-DD`, optionally with a time).
pub const NO_DATE: &str = "(no date)";

/// `YYYY-MM-DD` (or `YYYY/MM/DD`) at the start of a date or timestamp.
fn parse_day(s: &str) -> Option<(i64, u32, u32)> {
    let b = s.trim().as_bytes();
    if b.len() < 10 || !matches!(b[4], b'-' | b'/') || b[7] != b[4] {
        return None;
    }
    if b.len() > 10 && b[10].is_ascii_digit() {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let t = std::str::from_utf8(&b[r]).ok()?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    ((1..=12).contains(&m) && d >= 1 && d <= days[m as usize - 1]).then_some((i64::from(y), m, d))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The ISO 8601 week of a date, as `2026-W05`: weeks start on Monday and belong to the year
/// of their Thursday.
fn iso_week(y: i64, m: u32, d: u32) -> String {
    let days = days_from_civil(y, m, d);
    let monday_based = (days + 3).rem_euclid(7);
    let thursday = days - monday_based + 3;
    // The Thursday's year: it is y - 1, y or y + 1.
    let year = (y - 1..=y + 1)
        .rev()
        .find(|&c| days_from_civil(c, 1, 1) <= thursday)
        .unwrap_or(y);
    let week = (thursday - days_from_civil(year, 1, 1)) / 7 + 1;
    format!("{year:04}-W{week:02}")
}

/// A batch's score figures. It keeps only counts: a score's hundredths → calls (at most
/// 10,001 keys), totals per agent, per day, per section and per value of each `--group-by`
/// key, and hits per rule and per agent × rule, so memory stays flat however large the batch,
/// and `merge` of shard summaries gives exactly the figures of one run (median and
/// percentiles included: they are read off the exact score counts).
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
    /// The severity each hit rule reported at (after config overrides).
    pub rule_severity: BTreeMap<String, Severity>,
    /// Per scorecard section, in scorecard order.
    pub sections: Vec<SectionTotals>,
    /// Scored calls per day of their `date` (the trend).
    pub days: BTreeMap<String, AgentTotals>,
    /// The `--group-by` keys, in the order given.
    pub group_by: Vec<String>,
    /// key → value → totals, for each `group_by` key.
    pub groups: BTreeMap<String, BTreeMap<String, AgentTotals>>,
    /// agent → rule → non-kudos hits: the coaching grid.
    pub coaching: BTreeMap<String, BTreeMap<String, u64>>,
    /// The scorecard's pass mark (of the first call added).
    pub pass_mark: Option<f64>,
}

/// The agent label used when a transcript's metadata names none.
pub const UNKNOWN_AGENT: &str = "(unknown)";

/// Why two summaries cannot be merged.
#[derive(Debug, Clone, PartialEq)]
pub struct MergeError(pub String);

impl std::fmt::Display for MergeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl ScoreSummary {
    /// An empty summary that also totals calls by each of `group_by`'s keys.
    pub fn grouped(group_by: &[String]) -> ScoreSummary {
        ScoreSummary {
            group_by: group_by.to_vec(),
            ..Default::default()
        }
    }

    pub fn add(&mut self, t: &Transcript, checked: &Checked, s: &CallScore) {
        let findings = checked
            .findings
            .iter()
            .map(|f| (f.rule.id.as_str(), f.severity));
        self.add_call(&t.metadata, findings, s);
    }

    /// Adds one scored call from its metadata, its findings' (rule, severity) and its score:
    /// all a summary needs, so result lines read back give the same figures as the run.
    pub fn add_call<'f>(
        &mut self,
        meta: &Metadata,
        findings: impl IntoIterator<Item = (&'f str, Severity)>,
        s: &CallScore,
    ) {
        let agent = meta.agent.as_deref().unwrap_or(UNKNOWN_AGENT);
        let mut hit: Vec<&str> = Vec::new();
        for (rule, severity) in findings {
            if severity == Severity::Kudos {
                continue;
            }
            // Look up before inserting so a known rule costs no allocation.
            match self.rule_hits.get_mut(rule) {
                Some(n) => *n += 1,
                None => {
                    self.rule_hits.insert(rule.to_string(), 1);
                    self.rule_severity.insert(rule.to_string(), severity);
                }
            }
            hit.push(rule);
        }
        if !hit.is_empty() {
            if !self.coaching.contains_key(agent) {
                self.coaching.insert(agent.to_string(), BTreeMap::new());
            }
            let row = self.coaching.get_mut(agent).expect("inserted above");
            for rule in hit {
                match row.get_mut(rule) {
                    Some(n) => *n += 1,
                    None => {
                        row.insert(rule.to_string(), 1);
                    }
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
        self.pass_mark.get_or_insert(s.pass_mark);
        if self.sections.is_empty() {
            self.sections = s
                .sections
                .iter()
                .map(|x| SectionTotals {
                    name: x.name.clone(),
                    ..Default::default()
                })
                .collect();
        }
        for (tot, x) in self.sections.iter_mut().zip(&s.sections) {
            tot.items_passed += x.passed as u64;
            tot.items_failed += x.failed as u64;
            tot.items_na += x.na as u64;
            if let Some(score) = x.score {
                tot.scored.add(hundredths(score), s.pass);
            }
        }
        let Some(score) = s.score else {
            self.unscored += 1;
            return;
        };
        let h = hundredths(score);
        self.scored += 1;
        *self.counts.entry(h).or_default() += 1;
        entry(&mut self.agents, agent).add(h, s.pass);
        entry(&mut self.days, &group_value("date:day", meta)).add(h, s.pass);
        for key in &self.group_by {
            let values = self.groups.entry(key.clone()).or_default();
            entry(values, &group_value(key, meta)).add(h, s.pass);
        }
    }

    /// Adds another shard's figures. Shards must group by the same keys and use the same
    /// scorecard sections; otherwise the merged figures would mean nothing.
    pub fn merge(&mut self, o: &ScoreSummary) -> Result<(), MergeError> {
        // An empty summary takes the grouping of the first one merged into it.
        if self.scored + self.unscored == 0 && self.groups.is_empty() {
            self.group_by.clone_from(&o.group_by);
        }
        if self.group_by != o.group_by {
            return Err(MergeError(format!(
                "grouped by [{}] in one summary and [{}] in another; score every shard with the same --group-by",
                self.group_by.join(", "),
                o.group_by.join(", ")
            )));
        }
        let names = |s: &ScoreSummary| {
            s.sections
                .iter()
                .map(|x| x.name.clone())
                .collect::<Vec<_>>()
        };
        if !self.sections.is_empty() && !o.sections.is_empty() && names(self) != names(o) {
            return Err(MergeError(format!(
                "scorecard sections differ ([{}] and [{}]); score every shard with the same scorecard",
                names(self).join(", "),
                names(o).join(", ")
            )));
        }
        if self.pass_mark.is_none() {
            self.pass_mark = o.pass_mark;
        }
        self.scored += o.scored;
        self.unscored += o.unscored;
        self.passed += o.passed;
        self.failed += o.failed;
        self.autofailed += o.autofailed;
        for (k, v) in &o.counts {
            *self.counts.entry(*k).or_default() += v;
        }
        merge_totals(&mut self.agents, &o.agents);
        merge_totals(&mut self.days, &o.days);
        for (k, v) in &o.groups {
            merge_totals(self.groups.entry(k.clone()).or_default(), v);
        }
        for (k, v) in &o.rule_hits {
            *self.rule_hits.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &o.rule_severity {
            self.rule_severity.entry(k.clone()).or_insert(*v);
        }
        for (agent, row) in &o.coaching {
            let mine = self.coaching.entry(agent.clone()).or_default();
            for (rule, n) in row {
                *mine.entry(rule.clone()).or_default() += n;
            }
        }
        if self.sections.is_empty() {
            self.sections = o.sections.clone();
        } else {
            for (a, b) in self.sections.iter_mut().zip(&o.sections) {
                a.scored.merge(&b.scored);
                a.items_passed += b.items_passed;
                a.items_failed += b.items_failed;
                a.items_na += b.items_na;
            }
        }
        Ok(())
    }

    pub fn mean(&self) -> Option<f64> {
        (self.scored > 0).then(|| {
            let sum: u64 = self.counts.iter().map(|(h, n)| u64::from(*h) * n).sum();
            (sum as f64 / self.scored as f64).round() / 100.0
        })
    }

    /// The `k`-th smallest score (0-based), in hundredths.
    fn nth(&self, k: u64) -> u32 {
        let mut seen = 0;
        for (h, n) in &self.counts {
            seen += n;
            if seen > k {
                return *h;
            }
        }
        0
    }

    /// The middle score (the mean of the two middle ones for an even count).
    pub fn median(&self) -> Option<f64> {
        if self.scored == 0 {
            return None;
        }
        let n = self.scored;
        let m = if n % 2 == 1 {
            f64::from(self.nth(n / 2))
        } else {
            (f64::from(self.nth(n / 2 - 1)) + f64::from(self.nth(n / 2))) / 2.0
        };
        Some(m.round() / 100.0)
    }

    /// The `p`th percentile (0 < p ≤ 100) by nearest rank: the smallest score with at least
    /// p% of the scored calls at or below it. Exact, because every score is counted.
    pub fn percentile(&self, p: u32) -> Option<f64> {
        if self.scored == 0 {
            return None;
        }
        let rank = (u64::from(p) * self.scored).div_ceil(100).max(1);
        Some(f64::from(self.nth(rank - 1)) / 100.0)
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

    /// Rules by severity (errors first), then hit count, then id: what to coach first.
    pub fn rules_by_severity(&self) -> Vec<(&str, Severity, u64)> {
        let mut v: Vec<(&str, Severity, u64)> = self
            .rule_hits
            .iter()
            .map(|(k, n)| {
                let sev = self.rule_severity.get(k).copied().unwrap_or(Severity::Info);
                (k.as_str(), sev, *n)
            })
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.0.cmp(b.0)));
        v
    }
}

fn hundredths(score: f64) -> u32 {
    (score * 100.0).round() as u32
}

fn entry<'m>(m: &'m mut BTreeMap<String, AgentTotals>, key: &str) -> &'m mut AgentTotals {
    if !m.contains_key(key) {
        m.insert(key.to_string(), AgentTotals::default());
    }
    m.get_mut(key).expect("inserted above")
}

fn merge_totals(a: &mut BTreeMap<String, AgentTotals>, b: &BTreeMap<String, AgentTotals>) {
    for (k, v) in b {
        entry(a, k).merge(v);
    }
}

/// A row of totals as JSON: `name_field` names what the row is of (`agent`, `value`, `day`).
struct TotalsRows<'a>(&'static str, &'a BTreeMap<String, AgentTotals>);

impl Serialize for TotalsRows<'_> {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        struct Row<'a>(&'static str, &'a str, &'a AgentTotals);
        impl Serialize for Row<'_> {
            fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
                let mut m = ser.serialize_map(Some(5))?;
                m.serialize_entry(self.0, self.1)?;
                m.serialize_entry("calls", &self.2.calls)?;
                m.serialize_entry("mean", &self.2.mean())?;
                m.serialize_entry("passed", &self.2.passed)?;
                // Sum of the scores, so shard summaries merge exactly.
                m.serialize_entry("total", &(self.2.hundredths as f64 / 100.0))?;
                m.end()
            }
        }
        ser.collect_seq(self.1.iter().map(|(k, t)| Row(self.0, k, t)))
    }
}

/// The summary as JSON: the figures, plus the raw counts (`scores` with hundredths as keys,
/// `total`s, hits) that let `tonecheck summarize` merge shard summaries exactly.
impl Serialize for ScoreSummary {
    fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct B {
            from: u32,
            to: u32,
            count: u64,
        }
        #[derive(Serialize)]
        struct R<'a> {
            rule: &'a str,
            severity: Severity,
            hits: u64,
        }
        #[derive(Serialize)]
        struct Sec<'a> {
            name: &'a str,
            calls: u64,
            mean: Option<f64>,
            total: f64,
            passed: u64,
            items_passed: u64,
            items_failed: u64,
            items_na: u64,
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
        struct Groups<'a>(&'a BTreeMap<String, BTreeMap<String, AgentTotals>>);
        impl Serialize for Groups<'_> {
            fn serialize<S: Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
                let mut m = ser.serialize_map(Some(self.0.len()))?;
                for (k, v) in self.0 {
                    m.serialize_entry(k, &TotalsRows("value", v))?;
                }
                m.end()
            }
        }
        let h = self.histogram();
        let distribution: Vec<B> = (0..BUCKETS)
            .map(|i| B {
                from: i as u32 * 10,
                to: i as u32 * 10 + 10,
                count: h[i],
            })
            .collect();
        let rules: Vec<R> = self
            .rules_by_severity()
            .into_iter()
            .map(|(rule, severity, hits)| R {
                rule,
                severity,
                hits,
            })
            .collect();
        let sections: Vec<Sec> = self
            .sections
            .iter()
            .map(|x| Sec {
                name: &x.name,
                calls: x.scored.calls,
                mean: (x.scored.calls > 0).then(|| x.scored.mean()),
                total: x.scored.hundredths as f64 / 100.0,
                passed: x.scored.passed,
                items_passed: x.items_passed,
                items_failed: x.items_failed,
                items_na: x.items_na,
            })
            .collect();
        let percentiles: BTreeMap<String, Option<f64>> = [10, 25, 75, 90]
            .iter()
            .map(|p| (format!("p{p}"), self.percentile(*p)))
            .collect();
        let mut s = ser.serialize_struct("ScoreSummary", 21)?;
        s.serialize_field("pass_mark", &self.pass_mark)?;
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
        s.serialize_field("percentiles", &percentiles)?;
        s.serialize_field("distribution", &distribution)?;
        s.serialize_field("agents", &TotalsRows("agent", &self.agents))?;
        s.serialize_field("rules", &rules)?;
        s.serialize_field("sections", &sections)?;
        s.serialize_field("trend", &TotalsRows("day", &self.days))?;
        s.serialize_field("group_by", &self.group_by)?;
        s.serialize_field("groups", &Groups(&self.groups))?;
        s.serialize_field("coaching", &self.coaching)?;
        s.serialize_field("scores", &Counts(&self.counts))?;
        s.end()
    }
}

/// Reads a summary back from its JSON (the raw counts; the derived figures are recomputed),
/// so `tonecheck summarize` can merge the summaries of shards.
impl<'de> Deserialize<'de> for ScoreSummary {
    fn deserialize<D: serde::Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        #[derive(Deserialize)]
        struct Row {
            #[serde(alias = "agent", alias = "day")]
            value: String,
            calls: u64,
            passed: u64,
            total: f64,
        }
        #[derive(Deserialize)]
        struct R {
            rule: String,
            severity: Severity,
            hits: u64,
        }
        #[derive(Deserialize)]
        struct Sec {
            name: String,
            calls: u64,
            total: f64,
            passed: u64,
            items_passed: u64,
            items_failed: u64,
            items_na: u64,
        }
        #[derive(Deserialize)]
        struct In {
            scored: u64,
            unscored: u64,
            passed: u64,
            failed: u64,
            autofailed: u64,
            agents: Vec<Row>,
            rules: Vec<R>,
            #[serde(default)]
            sections: Vec<Sec>,
            #[serde(default)]
            trend: Vec<Row>,
            #[serde(default)]
            group_by: Vec<String>,
            #[serde(default)]
            groups: BTreeMap<String, Vec<Row>>,
            #[serde(default)]
            coaching: BTreeMap<String, BTreeMap<String, u64>>,
            scores: BTreeMap<String, u64>,
            #[serde(default)]
            pass_mark: Option<f64>,
        }
        let cents = |x: f64| (x * 100.0).round() as u64;
        let totals = |rows: Vec<Row>| -> BTreeMap<String, AgentTotals> {
            rows.into_iter()
                .map(|r| {
                    let t = AgentTotals {
                        calls: r.calls,
                        hundredths: cents(r.total),
                        passed: r.passed,
                    };
                    (r.value, t)
                })
                .collect()
        };
        let i = In::deserialize(de)?;
        let mut counts = BTreeMap::new();
        for (k, n) in i.scores {
            let x: f64 = k
                .parse()
                .map_err(|_| D::Error::custom(format!("`scores` key `{k}` is not a score")))?;
            if !(0.0..=100.0).contains(&x) {
                return Err(D::Error::custom(format!("`scores` key `{k}` is not 0-100")));
            }
            counts.insert(hundredths(x), n);
        }
        Ok(ScoreSummary {
            scored: i.scored,
            unscored: i.unscored,
            passed: i.passed,
            failed: i.failed,
            autofailed: i.autofailed,
            counts,
            agents: totals(i.agents),
            rule_hits: i.rules.iter().map(|r| (r.rule.clone(), r.hits)).collect(),
            rule_severity: i
                .rules
                .iter()
                .map(|r| (r.rule.clone(), r.severity))
                .collect(),
            sections: i
                .sections
                .into_iter()
                .map(|s| SectionTotals {
                    name: s.name,
                    scored: AgentTotals {
                        calls: s.calls,
                        hundredths: cents(s.total),
                        passed: s.passed,
                    },
                    items_passed: s.items_passed,
                    items_failed: s.items_failed,
                    items_na: s.items_na,
                })
                .collect(),
            days: totals(i.trend),
            group_by: i.group_by,
            groups: i.groups.into_iter().map(|(k, v)| (k, totals(v))).collect(),
            coaching: i.coaching,
            pass_mark: i.pass_mark,
        })
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
        b.pack(PackSource::new("scoring-pack.yaml", PACK))
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
                learned: None,
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
        a.merge(&summary_of(&all[2..])).unwrap();
        assert_eq!(a, s);
        let mut b = summary_of(&all[3..]);
        b.merge(&summary_of(&all[..3])).unwrap();
        assert_eq!(b, s);
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["scores"]["66.67"], 1);
        assert_eq!(json["distribution"][9]["count"], 2);
        // Nearest rank over 40, 66.67, 90, 100.
        assert_eq!(s.percentile(25), Some(40.0));
        assert_eq!(s.percentile(75), Some(90.0));
        assert_eq!(s.percentile(90), Some(100.0));
        // The JSON carries every raw count: read back, it is the same summary.
        let back: ScoreSummary = serde_json::from_value(json).unwrap();
        assert_eq!(back, s);
    }

    #[test]
    fn groups_days_weeks_and_mismatched_merges() {
        let mut m = Metadata::default();
        assert_eq!(group_value("date", &m), NO_DATE);
        assert_eq!(group_value("queue", &m), NO_VALUE);
        assert_eq!(group_value("agent", &m), UNKNOWN_AGENT);
        m.date = Some("2026-01-01T09:30:00Z".into());
        m.extra.insert("company".into(), "Acme".into());
        assert_eq!(group_value("date:day", &m), "2026-01-01");
        assert_eq!(group_value("date:month", &m), "2026-01");
        assert_eq!(group_value("company", &m), "Acme");
        // ISO weeks: 2026-01-01 is a Thursday (week 1); 2027-01-01 a Friday (2026-W53);
        // 2024-12-30 a Monday in 2025-W01.
        assert_eq!(group_value("date:week", &m), "2026-W01");
        for (d, w) in [
            ("2027-01-01", "2026-W53"),
            ("2024-12-30", "2025-W01"),
            ("2026-11-26", "2026-W48"),
            ("2021-01-03", "2020-W53"),
        ] {
            m.date = Some(d.into());
            assert_eq!(group_value("date:week", &m), w, "{d}");
        }
        for bad in [
            "2026-02-30",
            "26-01-01",
            "2026-1-01",
            "20260101",
            "2026-01-011",
        ] {
            m.date = Some(bad.into());
            assert_eq!(group_value("date", &m), NO_DATE, "{bad}");
        }
        let meta = Metadata {
            queue: Some("billing".into()),
            ..Default::default()
        };
        let call = CallScore {
            scorecard: "x".into(),
            score: Some(50.0),
            pass: false,
            pass_mark: 80.0,
            autofail: false,
            sections: vec![],
        };
        let mut a = ScoreSummary::grouped(&["queue".into()]);
        a.add_call(&meta, [], &call);
        let mut b = ScoreSummary::default();
        b.add_call(&meta, [], &call);
        assert!(a.merge(&b).unwrap_err().0.contains("--group-by"));
        // An empty summary takes the grouping of what is merged into it.
        let mut c = ScoreSummary::default();
        c.merge(&a).unwrap();
        assert_eq!(c, a);
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
