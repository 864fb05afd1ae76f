//! What the engine reports: one `Finding` per rule hit, carrying enough of its rule
//! (through a shared `RuleInfo`) that every writer can print it without the rule set.
use serde::{Deserialize, Serialize};
use std::fmt;
use std::sync::Arc;

use crate::transcript::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Praise: never lowers a score, never fails a run.
    Kudos,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Kudos => "kudos",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "kudos" => Some(Severity::Kudos),
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The documentation side of a rule, shared by all its findings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleInfo {
    pub id: String,
    pub pack: String,
    pub category: String,
    pub severity: Severity,
    pub message: String,
    pub why: String,
    pub fix: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: Arc<RuleInfo>,
    /// Severity after config overrides (may differ from `rule.severity`).
    pub severity: Severity,
    pub message: String,
    /// 0-based turn index.
    pub turn: usize,
    pub speaker: String,
    pub role: Role,
    /// 1-based line and column in the source file.
    pub line: usize,
    pub column: usize,
    /// Byte offsets in the turn text.
    pub start: usize,
    pub end: usize,
    pub time: Option<f64>,
    pub matched: String,
}

impl Finding {
    /// The order every writer uses: by position, then rule id.
    pub fn sort_key(&self) -> (usize, usize, usize, &str) {
        (self.turn, self.start, self.end, self.rule.id.as_str())
    }
}
