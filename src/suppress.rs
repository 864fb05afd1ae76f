//! Inline suppressions after checking: `tonecheck: ignore …`, `ignore-next-line …` and
//! `ignore-file …` drop the findings they cover; a directive naming a rule id nobody knows is
//! a warning (with the closest known id); with `--report-unused-ignores`, a directive that
//! drops nothing is itself reported, as ruff's RUF100 does for `noqa`.
use std::collections::HashSet;
use std::sync::{Arc, LazyLock};

use crate::finding::{Finding, RuleInfo, Severity};
use crate::input::InputError;
use crate::transcript::{Role, Suppression, Transcript};

/// The rule behind unused-suppression findings.
pub const UNUSED_IGNORE: &str = "unused-ignore";

static UNUSED_RULE: LazyLock<Arc<RuleInfo>> = LazyLock::new(|| {
    Arc::new(RuleInfo {
        id: UNUSED_IGNORE.into(),
        pack: "tonecheck".into(),
        category: "suppression".into(),
        severity: Severity::Error,
        message: "`tonecheck: ignore` suppresses nothing".into(),
        why: "A suppression that no longer suppresses anything would silently hide the next real finding on that line.".into(),
        fix: "Remove the directive, or the rule ids in it that no longer fire.".into(),
    })
});

/// What the suppression pass needs to know about the run.
pub struct Settings<'a> {
    /// Every rule id a directive may name (loaded, disabled by the config, or built-in).
    pub known_rules: &'a HashSet<String>,
    pub report_unused: bool,
}

/// The directive text on a source line and its 1-based column.
fn directive_at<'a>(source: &[&'a str], line: usize) -> Option<(usize, &'a str)> {
    let l = *source.get(line.checked_sub(1)?)?;
    let at = l.find("tonecheck:")?;
    let end = l[at..].find("-->").map_or(l.len(), |e| at + e);
    Some((l[..at].chars().count() + 1, l[at..end].trim_end()))
}

/// Where a suppression was written: its own line, the line above for `ignore-next-line`,
/// or anywhere for `ignore-file` (line 0).
fn written_at(source: &[&str], s: &Suppression) -> Option<(usize, usize, String)> {
    let candidates: Vec<usize> = if s.line == 0 {
        (1..=source.len()).collect()
    } else {
        (1..=s.line).rev().take(3).collect()
    };
    for n in candidates {
        if let Some((col, text)) = directive_at(source, n) {
            let file_wide = text.contains("ignore-file");
            let next = text.contains("ignore-next-line");
            let fits = if s.line == 0 {
                file_wide
            } else if n == s.line {
                !next && !file_wide
            } else {
                next
            };
            if fits {
                return Some((n, col, text.to_string()));
            }
        }
    }
    None
}

/// Drops the findings the transcript's directives cover; returns warnings about unknown ids,
/// and adds unused-ignore findings when asked. `source` is the file's text as the reader saw
/// it (`input::decode`).
pub fn apply(
    path: &str,
    source: &str,
    t: &Transcript,
    findings: &mut Vec<Finding>,
    settings: &Settings,
) -> Vec<InputError> {
    let mut warnings = Vec::new();
    if t.suppressions.is_empty() {
        return warnings;
    }
    let mut used: Vec<Vec<bool>> = t
        .suppressions
        .iter()
        .map(|s| vec![false; s.rules.len().max(1)])
        .collect();
    // Directives by line, so a directive on every line of a long file stays linear.
    let mut by_line: std::collections::HashMap<usize, Vec<usize>> = Default::default();
    for (si, s) in t.suppressions.iter().enumerate() {
        by_line.entry(s.line).or_default().push(si);
    }
    let no_directives = Vec::new();
    findings.retain(|f| {
        let mut keep = true;
        let here = by_line.get(&f.line).unwrap_or(&no_directives);
        let file_wide = by_line.get(&0).unwrap_or(&no_directives);
        for &si in here.iter().chain(file_wide) {
            let s = &t.suppressions[si];
            if !s.covers(f.line, &f.rule.id) {
                continue;
            }
            keep = false;
            match s.rules.iter().position(|r| *r == f.rule.id) {
                Some(ri) => used[si][ri] = true,
                None => used[si][0] = true,
            }
        }
        keep
    });
    // Numbered as the plain-text reader numbers them (a lone `\r` ends a line).
    let lines: Vec<&str> = crate::input::plain::split_lines(source).collect();
    let mut report_any = false;
    for (si, s) in t.suppressions.iter().enumerate() {
        let place = written_at(&lines, s);
        let line = place.as_ref().map_or(s.line.max(1), |p| p.0);
        let mut unused = Vec::new();
        for (ri, id) in s.rules.iter().enumerate() {
            if !settings.known_rules.contains(id) {
                let hint = crate::pack::suggest::did_you_mean(
                    id,
                    settings.known_rules.iter().map(String::as_str),
                );
                warnings.push(InputError {
                    path: path.to_string(),
                    line: Some(line),
                    message: format!("`tonecheck: ignore` names unknown rule `{id}`{hint}"),
                });
            } else if !used[si][ri] {
                unused.push(id.as_str());
            }
        }
        if s.rules.is_empty() && !used[si][0] {
            unused.push("");
        }
        if !settings.report_unused || unused.is_empty() {
            continue;
        }
        let (column, matched) = place.map_or((1, String::new()), |p| (p.1, p.2));
        let what = if unused == [""] || unused.len() == s.rules.len() {
            "suppresses nothing".to_string()
        } else {
            format!(
                "suppresses nothing for {}",
                unused
                    .iter()
                    .map(|u| format!("`{u}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        // The finding belongs to the turn at (or just before) the directive's line.
        let Some(turn) = t
            .turns
            .iter()
            .rposition(|x| x.line() <= line)
            .or(if t.turns.is_empty() { None } else { Some(0) })
        else {
            warnings.push(InputError {
                path: path.to_string(),
                line: Some(line),
                message: format!("`{matched}` {what}"),
            });
            continue;
        };
        report_any = true;
        findings.push(Finding {
            rule: UNUSED_RULE.clone(),
            severity: Severity::Error,
            message: format!("`{matched}` {what}"),
            turn,
            speaker: t.turns[turn].speaker.clone(),
            role: Role::Other,
            line,
            column,
            // No span in the turn text; placed after the turn's own findings.
            start: t.turns[turn].text.len(),
            end: t.turns[turn].text.len(),
            time: None,
            matched,
        });
    }
    if report_any {
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::{read_bytes, ReadOptions};

    /// Found by fuzzing: in a file with lone `\r` line ends (or a byte-order mark, or in
    /// UTF-16) an unused directive was placed by `\n` lines of the raw bytes, past the end of
    /// the line the reader had numbered.
    #[test]
    fn unused_directives_are_placed_on_the_readers_lines() {
        let known: HashSet<String> = ["non-apology".to_string()].into();
        let settings = Settings {
            known_rules: &known,
            report_unused: true,
        };
        let text = "Agent: hi\rCustomer: yo # tonecheck: ignore non-apology\r";
        let t = read_bytes("x.txt", text.as_bytes(), &ReadOptions::default())
            .unwrap()
            .remove(0);
        let mut findings = Vec::new();
        apply("x.txt", text, &t, &mut findings, &settings);
        assert_eq!((findings[0].line, findings[0].column), (2, 16));
    }
}
