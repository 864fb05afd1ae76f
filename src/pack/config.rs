//! The `tonecheck.yaml` config file: which packs, rule overrides, speaker roles, mode,
//! per-folder overrides, scorecard and failure threshold.
use serde::Deserialize;
use std::collections::BTreeMap;

use super::PackError;
use crate::finding::Severity;
use crate::transcript::{Mode, Role};

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ConfigDef {
    /// `builtin:NAME` or paths relative to the config file; default: every built-in pack.
    #[serde(default)]
    pub packs: Option<Vec<String>>,
    #[serde(default)]
    pub rules: BTreeMap<String, RuleOverrideDef>,
    /// Speaker label → role (`agent`, `customer`, `other`).
    #[serde(default)]
    pub roles: BTreeMap<String, Role>,
    #[serde(default)]
    pub mode: Option<Mode>,
    #[serde(default)]
    pub fail_on: Option<Severity>,
    /// Use the learned detectors of rules that have one (off by default; `--learned`).
    #[serde(default)]
    pub learned: Option<bool>,
    #[serde(default)]
    pub scorecard: Option<String>,
    #[serde(default)]
    pub overrides: Vec<OverrideDef>,
    /// Column names of CSV exports, where they are not the recognised ones.
    #[serde(default)]
    pub csv: crate::input::csv::Columns,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RuleOverrideDef {
    #[serde(default)]
    pub severity: Option<Severity>,
    #[serde(default)]
    pub disabled: bool,
    /// The rule's learned detector: `false` turns it off, a number is its threshold.
    #[serde(default)]
    pub learned: Option<LearnedSetting>,
}

/// `learned:` in a config's rule entry: on/off, or the score from which it flags (0 to 1).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum LearnedSetting {
    Switch(bool),
    Threshold(f64),
}

/// Settings for files matching `files` (globs relative to the config file's folder).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OverrideDef {
    pub files: OneOrMany,
    #[serde(default)]
    pub mode: Option<Mode>,
    #[serde(default)]
    pub roles: BTreeMap<String, Role>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn items(&self) -> Vec<String> {
        match self {
            OneOrMany::One(s) => vec![s.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

pub fn parse_config(origin: &str, text: &str) -> Result<ConfigDef, PackError> {
    if text.trim().is_empty() {
        return Ok(ConfigDef::default());
    }
    super::yaml::from_str(origin, text)
}

/// The commented starter file written by `tonecheck init`.
pub const STARTER: &str = r#"# tonecheck configuration. Found by walking up from the current folder;
# `--config FILE` picks another. Every key is optional.

# Rule packs: built-in ones by name, your own by path (relative to this file).
packs:
{packs}#  - rules/our-house-style.yaml

# Change a rule's severity (error | warning | info | kudos) or turn it off.
# Rules with a learned detector take `learned: true` (use it at the pack's
# threshold), `learned: 0.8` (use it at that threshold: higher is fewer, surer
# findings) or `learned: false`.
rules:
#  missing-thank-you:
#    severity: info
#  forbidden-phrase:
#    disabled: true
#  blame-shifting:
#    learned: true

# Learned detectors for every rule that has one (off by default; see
# docs/rule-language.md, "Learned detector").
# learned: true

# Map your transcripts' speaker labels to roles when they are not the usual
# Agent/Customer names (labels compare case-insensitively). Diarised labels
# (spk_0, A, Speaker 1) are usually better left to the per-call greeting check.
roles:
#  Dana: agent

# Column names of CSV exports, when they are not the usual ones.
# csv:
#   call_id: Ticket
#   speaker: Author
#   text: Message

# `script` reads every line as agent speech (macros, call scripts).
# mode: conversation

# Lowest severity that makes `tonecheck check` exit 1.
fail_on: error

# Per-folder settings.
overrides:
#  - files: "scripts/**"
#    mode: script
"#;
