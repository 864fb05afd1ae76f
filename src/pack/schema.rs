//! The YAML shapes of rule packs, as serde structs that reject unknown keys, so that a typo
//! in a pack is an error at its line and column rather than a silently ignored rule.
use serde::Deserialize;
use std::collections::BTreeMap;

use crate::finding::Severity;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackDef {
    pub pack: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub lists: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub rules: Vec<RuleDef>,
}

/// Which speaker's turns a rule (or a trigger) looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SpeakerSel {
    #[default]
    Agent,
    Customer,
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum KindName {
    #[default]
    Phrase,
    Sequence,
    Required,
    Conditional,
    Metric,
}

impl KindName {
    pub fn as_str(self) -> &'static str {
        match self {
            KindName::Phrase => "phrase",
            KindName::Sequence => "sequence",
            KindName::Required => "required",
            KindName::Conditional => "conditional",
            KindName::Metric => "metric",
        }
    }
}

/// One rule. The fields of every kind live here (rather than in a free-form map) so that
/// serde can point at the exact line of an unknown or mistyped key; each kind's compiler
/// rejects the fields it does not use.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub id: String,
    #[serde(default)]
    pub kind: KindName,
    #[serde(default)]
    pub category: Option<String>,
    pub severity: Severity,
    #[serde(default)]
    pub speaker: SpeakerSel,
    pub message: String,
    #[serde(default)]
    pub why: String,
    #[serde(default)]
    pub fix: String,
    #[serde(default, rename = "match")]
    pub match_: Option<MatcherDef>,
    #[serde(default)]
    pub unless: Option<MatcherDef>,
    #[serde(default, rename = "where")]
    pub window: Option<WindowDef>,
    // sequence
    #[serde(default)]
    pub first: Option<MatcherDef>,
    #[serde(default)]
    pub then: Option<MatcherDef>,
    #[serde(default)]
    pub max_words: Option<usize>,
    #[serde(default)]
    pub scope: Option<Scope>,
    // required / conditional
    #[serde(default)]
    pub expect: Option<MatcherDef>,
    #[serde(default)]
    pub when: Option<MatcherDef>,
    #[serde(default)]
    pub when_speaker: Option<SpeakerSel>,
    #[serde(default)]
    pub within_turns: Option<usize>,
    #[serde(default)]
    pub trigger: Option<Trigger>,
    // metric
    #[serde(default)]
    pub metric: Option<String>,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    /// Seconds of overlap or gap a timing metric lets pass (`interruptions`).
    #[serde(default)]
    pub tolerance: Option<f64>,
    #[serde(default)]
    pub examples: Option<Examples>,
}

/// What text to look for. All three may be combined; a hit of any is a hit of the matcher.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct MatcherDef {
    #[serde(default)]
    pub phrases: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub regex: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub list: Vec<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WindowDef {
    pub first_turns: Option<usize>,
    pub last_turns: Option<usize>,
    pub first_seconds: Option<f64>,
    pub last_seconds: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// `then` must follow `first` in the same turn within `max_words` words.
    #[default]
    SameTurn,
    /// `then` may also open the sentence right after the one holding `first`.
    NextSentence,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// Every trigger is judged on its own.
    #[default]
    Each,
    /// Only the first trigger in the transcript is judged (one finding at most).
    First,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default)]
    pub flag: Vec<String>,
    #[serde(default)]
    pub pass: Vec<String>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}
