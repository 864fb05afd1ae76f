//! The YAML shape of a scorecard (sections, weights, items mapped to rule ids, `autofail`,
//! `pass_mark`) and its structural checks; `score` resolves the rule ids against an engine.
use serde::Deserialize;
use std::path::Path;

use super::{find_key_value, Locator, PackError};

/// The scorecards compiled into the binary. The first is the default for the built-in packs.
pub const BUILTIN_SCORECARDS: &[(&str, &str)] = &[(
    "service-recovery",
    include_str!("../../scorecards/service-recovery.yaml"),
)];

/// The pass mark when a scorecard gives none.
pub const DEFAULT_PASS_MARK: f64 = 80.0;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScorecardDef {
    pub scorecard: String,
    #[serde(default)]
    pub description: String,
    /// Lowest call score (0–100) that passes.
    #[serde(default = "default_pass_mark")]
    pub pass_mark: f64,
    pub sections: Vec<SectionDef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionDef {
    pub name: String,
    /// Relative weight in the call score; default 1.
    #[serde(default = "default_weight")]
    pub weight: f64,
    pub items: Vec<ItemDef>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemDef {
    pub name: String,
    pub rules: Vec<String>,
    /// A failed autofail item fails the whole call, whatever its score.
    #[serde(default)]
    pub autofail: bool,
}

fn default_pass_mark() -> f64 {
    DEFAULT_PASS_MARK
}

fn default_weight() -> f64 {
    1.0
}

/// Where a scorecard came from (`builtin:NAME` or a path) and its text.
#[derive(Debug, Clone)]
pub struct ScorecardSource {
    pub origin: String,
    pub text: String,
    /// Built-in scorecards tolerate rule ids the loaded packs lack (packs can be narrowed
    /// by config); a user's scorecard naming an unknown rule is an error (likely a typo).
    pub builtin: bool,
}

impl ScorecardSource {
    pub fn default_builtin() -> ScorecardSource {
        let (name, _) = BUILTIN_SCORECARDS[0];
        ScorecardSource::builtin(name).expect("the first built-in scorecard exists")
    }

    pub fn builtin(name: &str) -> Option<ScorecardSource> {
        BUILTIN_SCORECARDS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, text)| ScorecardSource {
                origin: format!("builtin:{n}"),
                text: (*text).to_string(),
                builtin: true,
            })
    }

    pub fn from_file(path: &Path) -> Result<ScorecardSource, PackError> {
        let text = super::yaml::read_file(path, "scorecard")?;
        Ok(ScorecardSource {
            origin: path.display().to_string(),
            text,
            builtin: false,
        })
    }

    /// Resolves `builtin:NAME` or a path relative to `base`.
    pub fn resolve(spec: &str, base: &Path) -> Result<ScorecardSource, PackError> {
        if let Some(name) = spec.strip_prefix("builtin:") {
            return ScorecardSource::builtin(name).ok_or_else(|| PackError {
                origin: spec.to_string(),
                line: 0,
                column: 0,
                message: format!(
                    "no built-in scorecard named `{name}` (built-in scorecards: {})",
                    BUILTIN_SCORECARDS
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
        ScorecardSource::from_file(&base.join(spec))
    }
}

/// Line numbers of each section's and item's `name:` in the source, for pointing errors.
#[derive(Debug, Clone, Default)]
pub struct ScorecardLines {
    /// Per section: its name line and each item's name line.
    pub sections: Vec<(usize, Vec<usize>)>,
}

/// Parses a scorecard and checks its structure (not its rule ids, which need an engine).
pub fn parse_scorecard(
    src: &ScorecardSource,
) -> Result<(ScorecardDef, ScorecardLines), Vec<PackError>> {
    let def: ScorecardDef = super::yaml::from_str(&src.origin, &src.text).map_err(|e| vec![e])?;
    let loc = Locator::for_text(&src.text);
    let mut errors = Vec::new();
    let err = |(line, column): (usize, usize), message: String| PackError {
        origin: src.origin.clone(),
        line,
        column,
        message,
    };
    if !(0.0..=100.0).contains(&def.pass_mark) {
        let pos = loc.anywhere("pass_mark:", 1).unwrap_or((1, 1));
        errors.push(err(
            pos,
            format!(
                "`pass_mark` must be between 0 and 100, not {}",
                def.pass_mark
            ),
        ));
    }
    if def.sections.is_empty() {
        let pos = loc.anywhere("sections:", 1).unwrap_or((1, 1));
        errors.push(err(pos, "a scorecard needs at least one section".into()));
    }
    let mut lines = ScorecardLines::default();
    let mut from = 1;
    let mut names: Vec<&str> = Vec::new();
    for s in &def.sections {
        let s_line = find_key_value(&src.text, "name", &s.name, from).unwrap_or(from);
        let s_pos = (s_line, column_of(&src.text, s_line, &s.name));
        from = s_line + 1;
        if names.contains(&s.name.as_str()) {
            errors.push(err(s_pos, format!("duplicate section name `{}`", s.name)));
        }
        names.push(&s.name);
        if !(s.weight.is_finite() && s.weight > 0.0) {
            let pos = loc.anywhere("weight:", s_line).unwrap_or(s_pos);
            errors.push(err(
                pos,
                format!(
                    "section `{}`: `weight` must be a positive number, not {}",
                    s.name, s.weight
                ),
            ));
        }
        if s.items.is_empty() {
            errors.push(err(s_pos, format!("section `{}` has no items", s.name)));
        }
        let mut item_lines = Vec::new();
        for it in &s.items {
            let i_line = find_key_value(&src.text, "name", &it.name, from).unwrap_or(from);
            from = i_line + 1;
            item_lines.push(i_line);
            if it.rules.is_empty() {
                errors.push(err(
                    (i_line, column_of(&src.text, i_line, &it.name)),
                    format!("item `{}` names no rules", it.name),
                ));
            }
        }
        lines.sections.push((s_line, item_lines));
    }
    if errors.is_empty() {
        Ok((def, lines))
    } else {
        Err(errors)
    }
}

/// 1-based column of `needle` on 1-based `line`, or 1.
pub fn column_of(text: &str, line: usize, needle: &str) -> usize {
    text.lines()
        .nth(line.saturating_sub(1))
        .and_then(|l| l.find(needle).map(|c| l[..c].chars().count() + 1))
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(text: &str) -> ScorecardSource {
        ScorecardSource {
            origin: "card.yaml".into(),
            text: text.into(),
            builtin: false,
        }
    }

    #[test]
    fn builtin_scorecards_parse() {
        for (name, _) in BUILTIN_SCORECARDS {
            let s = ScorecardSource::builtin(name).unwrap();
            parse_scorecard(&s).unwrap();
        }
    }

    #[test]
    fn unknown_key_is_located() {
        let e = parse_scorecard(&src(
            "scorecard: x\nsections:\n  - name: A\n    wieght: 2\n    items: []\n",
        ))
        .unwrap_err();
        assert_eq!((e[0].line, e[0].column), (4, 5), "{:?}", e);
        assert!(e[0].message.contains("wieght"), "{}", e[0].message);
    }

    #[test]
    fn bad_weight_and_pass_mark_are_located() {
        let e = parse_scorecard(&src(
            "scorecard: x\npass_mark: 120\nsections:\n  - name: A\n    weight: 0\n    items:\n      - name: B\n        rules: []\n",
        ))
        .unwrap_err();
        let at: Vec<(usize, usize)> = e.iter().map(|e| (e.line, e.column)).collect();
        assert_eq!(at, vec![(2, 1), (5, 5), (7, 15)], "{e:?}");
    }
}
