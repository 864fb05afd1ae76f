//! The `--format json` document as the integration tests read it back: structs that reject
//! unknown fields, shared by every test that parses tonecheck's JSON.
#![allow(dead_code)]
use serde::Deserialize;
use std::collections::BTreeMap;

/// The document, exactly: any field added or renamed fails the tests.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    pub version: u32,
    pub transcripts: Vec<TranscriptOut>,
    pub errors: Vec<ErrorOut>,
    pub summary: Summary,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    pub files: usize,
    pub transcripts: usize,
    pub findings: usize,
    pub errors: usize,
    pub by_severity: BTreeMap<String, usize>,
    pub by_rule: BTreeMap<String, usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranscriptOut {
    pub path: String,
    pub id: String,
    pub metadata: BTreeMap<String, String>,
    pub findings: Vec<FindingOut>,
    /// DESIGN.md foresees a per-transcript score (`tonecheck score`); `check` has none.
    #[serde(default)]
    pub score: Option<serde_json::Value>,
    /// Only for file names that are not UTF-8: their exact bytes.
    #[serde(default)]
    pub path_bytes: Option<Vec<u8>>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct FindingOut {
    pub path: String,
    pub transcript: String,
    pub rule: String,
    pub pack: String,
    pub category: String,
    pub severity: String,
    pub message: String,
    pub turn: usize,
    pub speaker: String,
    pub role: String,
    pub line: usize,
    pub column: usize,
    pub start: usize,
    pub end: usize,
    pub time: Option<f64>,
    #[serde(rename = "match")]
    pub matched: String,
    pub why: String,
    pub fix: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorOut {
    pub path: String,
    pub line: Option<usize>,
    pub message: String,
}

impl Report {
    pub fn findings(&self) -> Vec<&FindingOut> {
        self.transcripts.iter().flat_map(|t| &t.findings).collect()
    }

    pub fn rules(&self) -> Vec<&str> {
        self.findings().iter().map(|f| f.rule.as_str()).collect()
    }
}
