//! `sarif`: one SARIF 2.1.0 log for code-scanning services (GitHub, GitLab, Azure DevOps).
//! Each rule that fired is described once (its `why` as help text); each finding is a result
//! with a precise region (columns in Unicode code points), a fingerprint that survives lines
//! being added above it, and the rule's `fix` as a suggested rewrite of the sentence.
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::sync::Arc;

use super::{RunSummary, Writer, WriterOptions};
use crate::batch::{FileReport, TranscriptReport};
use crate::finding::{Finding, RuleInfo, Severity};

const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

struct Sarif {
    out: Box<dyn Write>,
    /// Rules in order of first finding; a result's `ruleIndex` points into this list.
    rules: Vec<Arc<RuleInfo>>,
    rule_index: HashMap<String, usize>,
    any_result: bool,
    notifications: Vec<Value>,
}

pub(super) fn make(out: Box<dyn Write>, _: WriterOptions) -> Box<dyn Writer> {
    Box::new(Sarif {
        out,
        rules: Vec::new(),
        rule_index: HashMap::new(),
        any_result: false,
        notifications: Vec::new(),
    })
}

/// SARIF's `level` for a severity; kudos are notes (praise, never a failure).
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Kudos => "note",
    }
}

/// A relative path as a URI reference (`/` separators, reserved bytes percent-encoded);
/// an absolute path as a `file://` URI.
pub fn uri(path: &str) -> String {
    let slashed = path.replace('\\', "/");
    let mut s = String::with_capacity(slashed.len());
    for b in slashed.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    if slashed.starts_with('/') {
        format!("file://{s}")
    } else {
        s
    }
}

/// FNV-1a, 64 bits: a fingerprint hash that stays the same across builds and platforms.
fn fnv1a(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0u8)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// The words to say instead, when the rule's `fix` quotes exactly one sentence ("…" or “…”,
/// three words or more). Fixes that are advice, or list several rewrites for several
/// phrasings, give no single rewrite and so no SARIF fix.
fn quoted_rewrite(fix: &str) -> Option<&str> {
    let mut found = None;
    for (open, close) in [('"', '"'), ('“', '”')] {
        let mut rest = fix;
        while let Some(a) = rest.find(open) {
            let after = &rest[a + open.len_utf8()..];
            let Some(b) = after.find(close) else { break };
            let q = after[..b].trim();
            if q.split_whitespace().count() >= 3 {
                if found.is_some() {
                    return None;
                }
                found = Some(q);
            }
            rest = &after[b + close.len_utf8()..];
        }
    }
    found
}

/// Byte range of the sentence holding `start..end` in `text`.
fn sentence(text: &str, start: usize, end: usize) -> (usize, usize) {
    let is_stop = |c: char| matches!(c, '.' | '!' | '?');
    let from = text[..start.min(text.len())]
        .char_indices()
        .rev()
        .find(|&(_, c)| is_stop(c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let from = from + (text[from..].len() - text[from..].trim_start().len());
    let to = text[end.min(text.len())..]
        .char_indices()
        .find(|&(_, c)| is_stop(c))
        .map_or(text.len(), |(i, c)| end + i + c.len_utf8());
    (from.min(start), to.max(end))
}

fn region(t: &TranscriptReport, f: &Finding, source_line: Option<&str>) -> Value {
    let (end_line, end_column) = super::match_end(t, f);
    let mut r = json!({
        "startLine": f.line,
        "startColumn": f.column,
        "endLine": end_line,
        "endColumn": end_column,
    });
    if let Some(l) = source_line {
        r["snippet"] = json!({ "text": l });
    }
    r
}

impl Sarif {
    fn result(
        &mut self,
        r: &FileReport,
        t: &TranscriptReport,
        f: &Finding,
        seen: &mut HashMap<String, usize>,
    ) -> Value {
        let next = self.rules.len();
        let index = *self.rule_index.entry(f.rule.id.clone()).or_insert(next);
        if index == next {
            self.rules.push(f.rule.clone());
        }
        let source_line = r
            .source
            .as_deref()
            .and_then(|s| s.lines().nth(f.line.saturating_sub(1)))
            .map(str::trim_end);
        let turn = &t.transcript.turns[f.turn];
        // Stable across edits elsewhere in the file: the rule, the file, the line's text and
        // which repeat of that (rule, text) pair this is; never the line number.
        let line_text = source_line.unwrap_or(&turn.text).trim();
        let key = format!("{}\u{0}{}", f.rule.id, line_text);
        let nth = seen.entry(key).and_modify(|n| *n += 1).or_insert(1);
        let fingerprint = fnv1a(&[&f.rule.id, &r.path, line_text, &nth.to_string()]);
        let location = json!({
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&r.path), "uriBaseId": "%SRCROOT%" },
                "region": region(t, f, source_line),
            }
        });
        let mut result = json!({
            "ruleId": f.rule.id,
            "ruleIndex": index,
            "level": level(f.severity),
            "message": { "text": f.message },
            "locations": [location],
            "partialFingerprints": { "tonecheckLine/v1": fingerprint },
            "properties": {
                "severity": f.severity.as_str(),
                "category": f.rule.category,
                "pack": f.rule.pack,
                "transcript": t.transcript.id,
                "turn": f.turn,
                "speaker": f.speaker,
                "match": f.matched,
            },
        });
        if f.severity != Severity::Kudos && f.end > f.start {
            if let Some(words) = quoted_rewrite(&f.rule.fix) {
                let (a, b) = sentence(&turn.text, f.start, f.end);
                let (sl, sc) = turn.position(a);
                let (el, ec) = turn.position(b);
                result["fixes"] = json!([{
                    "description": { "text": format!("Say instead: {}", one_line(&f.rule.fix)) },
                    "artifactChanges": [{
                        "artifactLocation": { "uri": uri(&r.path), "uriBaseId": "%SRCROOT%" },
                        "replacements": [{
                            "deletedRegion": {
                                "startLine": sl, "startColumn": sc,
                                "endLine": el, "endColumn": ec,
                            },
                            "insertedContent": { "text": words },
                        }],
                    }],
                }]);
            }
        }
        result
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn rule_descriptor(r: &RuleInfo) -> Value {
    let mut help_md = one_line(&r.why);
    if !r.fix.is_empty() {
        help_md.push_str(&format!("\n\n**Say instead:** {}", one_line(&r.fix)));
    }
    let mut help = one_line(&r.why);
    if !r.fix.is_empty() {
        help.push_str(&format!("\nSay instead: {}", one_line(&r.fix)));
    }
    let mut props = Map::new();
    props.insert("category".into(), json!(r.category));
    props.insert("pack".into(), json!(r.pack));
    let mut tags = vec![r.category.as_str()];
    if r.pack != r.category {
        tags.push(r.pack.as_str());
    }
    props.insert("tags".into(), json!(tags));
    if !r.fix.is_empty() {
        props.insert("fix".into(), json!(one_line(&r.fix)));
    }
    json!({
        "id": r.id,
        "name": r.id,
        "shortDescription": { "text": one_line(&r.message.replace("{match}", "…")) },
        "fullDescription": { "text": one_line(&r.why) },
        "help": { "text": help, "markdown": help_md },
        "defaultConfiguration": { "level": level(r.severity) },
        "properties": props,
    })
}

impl Writer for Sarif {
    fn wants_source(&self) -> bool {
        true
    }

    fn file(&mut self, r: &FileReport) -> io::Result<()> {
        for e in &r.errors {
            let mut region = Map::new();
            if let Some(l) = e.line {
                region.insert("startLine".into(), json!(l));
            }
            let mut loc = json!({ "physicalLocation": {
                "artifactLocation": { "uri": uri(&e.path), "uriBaseId": "%SRCROOT%" } } });
            if !region.is_empty() {
                loc["physicalLocation"]["region"] = Value::Object(region);
            }
            self.notifications.push(json!({
                "level": "error",
                "message": { "text": e.message },
                "locations": [loc],
            }));
        }
        let mut seen = HashMap::new();
        for t in &r.transcripts {
            for f in &t.checked.findings {
                let result = self.result(r, t, f, &mut seen);
                if !self.any_result {
                    write!(
                        self.out,
                        "{{\"$schema\":\"{SCHEMA}\",\"version\":\"2.1.0\",\"runs\":[{{\"results\":["
                    )?;
                } else {
                    self.out.write_all(b",")?;
                }
                self.any_result = true;
                serde_json::to_writer(&mut self.out, &result)?;
            }
        }
        Ok(())
    }

    fn finish(&mut self, summary: &RunSummary) -> io::Result<()> {
        if !self.any_result {
            write!(
                self.out,
                "{{\"$schema\":\"{SCHEMA}\",\"version\":\"2.1.0\",\"runs\":[{{\"results\":["
            )?;
        }
        let rules: Vec<Value> = self.rules.iter().map(|r| rule_descriptor(r)).collect();
        let tool = json!({ "driver": {
            "name": "tonecheck",
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "rules": rules,
        }});
        let mut counts = BTreeMap::new();
        for (s, n) in &summary.by_severity {
            counts.insert(s.as_str(), *n);
        }
        let invocation = json!({
            "executionSuccessful": summary.errors == 0,
            "toolExecutionNotifications": self.notifications,
        });
        self.out.write_all(b"],\"tool\":")?;
        serde_json::to_writer(&mut self.out, &tool)?;
        self.out.write_all(b",\"invocations\":")?;
        serde_json::to_writer(&mut self.out, &[invocation])?;
        self.out.write_all(b",\"columnKind\":\"unicodeCodePoints\",\"originalUriBaseIds\":{\"%SRCROOT%\":{\"description\":{\"text\":\"The folder tonecheck was run from.\"}}},\"properties\":")?;
        serde_json::to_writer(&mut self.out, &json!({ "findings": counts }))?;
        self.out.write_all(b"}]}\n")?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_encoded_and_fixes_are_the_quoted_words() {
        assert_eq!(uri("macros/refund reply.md"), "macros/refund%20reply.md");
        assert_eq!(uri("/abs/a#b.txt"), "file:///abs/a%23b.txt");
        assert_eq!(
            quoted_rewrite("Apologise for the failure: \"I'm sorry we sent the wrong part.\""),
            Some("I'm sorry we sent the wrong part.")
        );
        assert_eq!(quoted_rewrite("Keep doing it."), None);
        assert_eq!(
            quoted_rewrite("\"I don't know\" -> \"Let me find out.\" \"We can't\" -> \"What we can do is this.\""),
            None
        );
        let t = "Hello there. I'm sorry if you feel that way. Bye.";
        let at = t.find("sorry if").unwrap();
        let (a, b) = sentence(t, at, at + 8);
        assert_eq!(&t[a..b], "I'm sorry if you feel that way.");
        assert_ne!(fnv1a(&["a", "bc"]), fnv1a(&["ab", "c"]));
    }
}
