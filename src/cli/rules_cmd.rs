//! `tonecheck rules list | explain ID | test [FILE…] | doc`: browse rules and run their examples.
use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::args::{PackArgs, RulesCommand};
use super::{pipe, settings};
use super::{report_pack_errors, EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use crate::engine::{CompiledRule, Engine};
use crate::examples;
use crate::pack::MatcherDef;

pub fn run(cmd: RulesCommand) -> u8 {
    match cmd {
        RulesCommand::List(p) => with_engine(&p, true, |e| {
            let mut s = String::new();
            let _ = writeln!(
                s,
                "{:<28} {:<18} {:<12} {:<8} {:<9} CATEGORY",
                "RULE", "PACK", "KIND", "SEVERITY", "SPEAKER"
            );
            for r in e.rules() {
                let i = &r.common.info;
                let _ = writeln!(
                    s,
                    "{:<28} {:<18} {:<12} {:<8} {:<9} {}",
                    i.id,
                    i.pack,
                    r.def.kind.as_str(),
                    r.common.severity.as_str(),
                    format!("{:?}", r.common.speaker).to_lowercase(),
                    i.category
                );
            }
            pipe::print(&s);
            EXIT_CLEAN
        }),
        RulesCommand::Explain { id, packs } => with_engine(&packs, true, |e| match e.rule(&id) {
            Some(r) => {
                pipe::print(&explain(r, false));
                EXIT_CLEAN
            }
            None => {
                eprintln!("error: no rule `{id}`; `tonecheck rules list` shows them all");
                EXIT_ERROR
            }
        }),
        RulesCommand::Anchors(p) => with_engine(&p, false, |e| {
            let mut out = String::new();
            for a in e.anchor_strings() {
                out.push_str(&a);
                out.push('\n');
            }
            print!("{out}");
            EXIT_CLEAN
        }),
        RulesCommand::Trace { id, file, packs } => with_engine(&packs, true, |e| {
            let Some(ri) = e.rule_index(&id) else {
                let near = crate::pack::suggest::did_you_mean(
                    &id,
                    e.rules().iter().map(|r| r.common.info.id.as_str()),
                );
                eprintln!("error: no rule `{id}`{near}; `tonecheck rules list` shows them all");
                return EXIT_ERROR;
            };
            let opts = match settings::load_config(&packs).and_then(|cfg| {
                settings::ReadSettings::new(&cfg, None, None, &super::args::RoleArgs::default())
            }) {
                Ok(rs) => rs.for_path(&file),
                Err(e) => return report_pack_errors(&e),
            };
            let transcripts = match crate::input::read_path(&file, &opts) {
                Ok(t) => t,
                Err(err) => {
                    eprintln!("error: {err}");
                    return EXIT_ERROR;
                }
            };
            for t in &transcripts {
                print!("{}", trace_text(e, ri, t, &file.display().to_string()));
            }
            EXIT_CLEAN
        }),
        RulesCommand::Doc(p) => with_engine(&p, true, |e| {
            pipe::print(&reference(e));
            EXIT_CLEAN
        }),
        RulesCommand::Test { files, mut packs } => {
            if !files.is_empty() {
                packs.no_default_packs = true;
                packs.rules.extend(files);
            }
            with_engine(&packs, false, |e| {
                for (rule, re) in e.unanchored_regexes() {
                    eprintln!(
                        "warning: rule `{rule}`: regex `{re}` requires no literal word, so it runs on every turn; anchor it on a word (or write it as a pattern)"
                    );
                }
                let (count, failures) = examples::run_selected(e, None);
                let mut s = String::new();
                for f in &failures {
                    let _ = writeln!(s, "FAIL {f}");
                }
                let _ = writeln!(
                    s,
                    "{} passed, {} failed",
                    count - failures.len(),
                    failures.len()
                );
                pipe::print(&s);
                if failures.is_empty() {
                    EXIT_CLEAN
                } else {
                    EXIT_FINDINGS
                }
            })
        }
    }
}

/// For a rule that uses sentiment (a `sentiment_below` / `sentiment_above` condition or the
/// `customer_sentiment_shift` metric): every turn's score, and which conditions it passes.
fn sentiment_trace(o: &mut String, d: &crate::pack::RuleDef, t: &crate::transcript::Transcript) {
    let fields = [
        ("match", &d.match_),
        ("first", &d.first),
        ("then", &d.then),
        ("when", &d.when),
        ("expect", &d.expect),
        ("unless", &d.unless),
    ];
    let conditions: Vec<(&str, crate::rules::SentimentCondition)> = fields
        .iter()
        .filter_map(|(f, m)| {
            let g = crate::rules::SentimentCondition::of(0, m.as_ref()?).ok()??;
            Some((*f, g))
        })
        .collect();
    let metric = d.metric.as_deref() == Some("customer_sentiment_shift");
    if conditions.is_empty() && !metric {
        return;
    }
    let _ = writeln!(o, "\nsentiment per turn (VADER compound score, -1 to +1):");
    for (i, turn) in t.turns.iter().enumerate() {
        let score = crate::sentiment::compound(&turn.text);
        let passes: Vec<String> = conditions
            .iter()
            .filter(|(_, g)| g.admits(score))
            .map(|(f, g)| format!("{f} ({})", g.describe()))
            .collect();
        let _ = writeln!(
            o,
            "  turn {i} ({}, {}): {:>5}{}",
            turn.speaker,
            turn.role.as_str(),
            crate::sentiment::display(score),
            if passes.is_empty() {
                String::new()
            } else {
                format!("  passes {}", passes.join(", "))
            }
        );
    }
}

/// The text of `rules trace` for one transcript.
pub fn trace_text(e: &Engine, ri: usize, t: &crate::transcript::Transcript, path: &str) -> String {
    let rule = &e.rules()[ri];
    let mut o = String::new();
    let _ = writeln!(
        o,
        "rule {} ({}, {}) on {path}",
        rule.common.info.id,
        rule.common.info.pack,
        rule.def.kind.as_str()
    );
    sentiment_trace(&mut o, &rule.def, t);
    let traces = e.trace(ri, t);
    if traces.is_empty() {
        let _ = writeln!(o, "  no pattern of this rule matched any turn");
    }
    for tt in &traces {
        let turn = &t.turns[tt.turn];
        let _ = writeln!(
            o,
            "\nturn {} ({}, {}, line {}): {}",
            tt.turn,
            turn.speaker,
            turn.role.as_str(),
            turn.line(),
            turn.text
        );
        let _ = writeln!(o, "  tokens: {}", tt.tokens.join(" "));
        for m in &tt.matches {
            let text = turn.text.get(m.span.0..m.span.1).unwrap_or("");
            let dropped = m.exclusions.iter().any(|(_, hit)| *hit);
            let _ = writeln!(
                o,
                "  {} {:?} by {}{}",
                m.field,
                text,
                m.source,
                if dropped {
                    " — dropped by an exclusion"
                } else {
                    ""
                }
            );
            if !m.steps.is_empty() {
                let steps: Vec<String> = m
                    .steps
                    .iter()
                    .map(|(tok, label)| {
                        if tok == label {
                            tok.clone()
                        } else {
                            format!("{tok} ← {label}")
                        }
                    })
                    .collect();
                let _ = writeln!(o, "    {}", steps.join(" · "));
            }
            for (x, hit) in &m.exclusions {
                let _ = writeln!(
                    o,
                    "    tried {x}: {}",
                    if *hit {
                        "overlaps, match dropped"
                    } else {
                        "no"
                    }
                );
            }
        }
    }
    for (id, turns) in e.yielded_to(ri, t) {
        let on: Vec<String> = turns.iter().map(usize::to_string).collect();
        let _ = writeln!(
            o,
            "\ngives way to `{id}` (yields_to), which fires on {}",
            if on.is_empty() {
                "no turn".to_string()
            } else {
                format!("turn {}", on.join(", "))
            }
        );
    }
    learned_trace(&mut o, e, ri, t);
    let found = e.check_rules(t, Some(ri)).findings;
    let _ = writeln!(o, "\nfindings: {}", found.len());
    for f in &found {
        let _ = writeln!(
            o,
            "  {path}:{}:{}: {}[{}] {}",
            f.line,
            f.column,
            f.severity.as_str(),
            f.rule.id,
            f.message
        );
    }
    o
}

/// The learned detector's part of `rules trace`: each agent turn's score (the highest three
/// and every one at the threshold), whether it flags the turn, and the features that weigh
/// most.
fn learned_trace(o: &mut String, e: &Engine, ri: usize, t: &crate::transcript::Transcript) {
    let rule = &e.rules()[ri];
    let Some(def) = &rule.def.learned else {
        return;
    };
    let table = crate::learned::builtin();
    let name = def.model.as_deref().unwrap_or(&rule.common.info.id);
    let Some(model) = table.model(name) else {
        return;
    };
    let threshold = rule.learned.map_or(def.threshold, |u| u.threshold);
    let _ = writeln!(
        o,
        "\nlearned detector (model `{name}`, threshold {threshold:.2}): {}",
        if rule.learned.is_some() {
            "on"
        } else {
            "off (`--learned`, or `learned: true` in the config, switches it on)"
        }
    );
    let sent = crate::sentiment::TurnSentiment::new(t);
    let mut sc = crate::learned::Scorer::new(table, t, &sent);
    let mut scored: Vec<(usize, f64)> = (0..t.turns.len())
        .filter(|&i| t.turns[i].role == crate::transcript::Role::Agent)
        .map(|i| (i, sc.score(model, i)))
        .collect();
    if scored.is_empty() {
        let _ = writeln!(o, "  no agent turn to score");
        return;
    }
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let flagged: Vec<usize> = e
        .trace(ri, t)
        .iter()
        .filter(|x| {
            x.matches
                .iter()
                .any(|m| m.field == "match" && !m.exclusions.iter().any(|(_, hit)| *hit))
        })
        .map(|x| x.turn)
        .collect();
    for (k, &(i, score)) in scored.iter().enumerate() {
        if k >= 3 && score < threshold {
            break;
        }
        let verdict = if score < threshold {
            "below the threshold"
        } else if flagged.contains(&i) {
            "at the threshold; a pattern matched this turn, so the patterns decide"
        } else {
            "at the threshold: flags the turn"
        };
        let _ = writeln!(o, "  turn {i}: score {score:.2}, {verdict}");
        let top: Vec<String> = sc
            .explain(model, i, 6)
            .into_iter()
            .map(|(f, c)| format!("{f} {c:+.2}"))
            .collect();
        let _ = writeln!(o, "    weighs most: {}", top.join(", "));
    }
}

fn with_engine(p: &PackArgs, check_examples: bool, f: impl FnOnce(&Engine) -> u8) -> u8 {
    let cfg = match settings::load_config(p) {
        Ok(c) => c,
        Err(e) => return report_pack_errors(&e),
    };
    match settings::build_engine_with(p, &cfg, check_examples) {
        Ok(e) => f(&e),
        Err(e) => report_pack_errors(&e),
    }
}

fn matcher_summary(m: &MatcherDef, lists: &BTreeMap<String, Vec<String>>) -> String {
    let mut parts = Vec::new();
    let quote = |v: &[String]| {
        v.iter()
            .map(|p| format!("\"{p}\""))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !m.phrases.is_empty() {
        parts.push(quote(&m.phrases));
    }
    for l in &m.list {
        parts.push(format!(
            "list `{l}` ({})",
            lists.get(l).map(|v| quote(v)).unwrap_or_default()
        ));
    }
    let ticks = |v: &[String]| {
        v.iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !m.patterns.is_empty() {
        parts.push(format!("patterns {}", ticks(&m.patterns)));
    }
    for n in &m.near {
        parts.push(format!("near {} within {}", ticks(&n.all), n.within));
    }
    for n in &m.negated {
        parts.push(format!("negated `{}` … `{}`", n.subject, n.verb));
    }
    for c in &m.contrast {
        parts.push(format!("contrast `{}`, not `{}`", c.yes, c.no));
    }
    for r in &m.regex {
        parts.push(format!("regex `{r}`"));
    }
    if !m.any_of.is_empty() {
        let alts: Vec<String> = m
            .any_of
            .iter()
            .map(|a| format!("({})", matcher_summary(a, lists)))
            .collect();
        parts.push(format!("any of {}", alts.join(" or ")));
    }
    match (m.sentiment_below, m.sentiment_above) {
        (Some(b), Some(a)) => parts.push(format!("a turn with sentiment between {a} and {b}")),
        (Some(b), None) => parts.push(format!("a turn with sentiment below {b}")),
        (None, Some(a)) => parts.push(format!("a turn with sentiment above {a}")),
        (None, None) => {}
    }
    if !m.except.is_empty() {
        parts.push(format!("except {}", ticks(&m.except)));
    }
    if let Some(n) = &m.not_near {
        parts.push(format!(
            "not within {} words of {}",
            n.within,
            ticks(&n.patterns)
        ));
    }
    parts.join("; ")
}

/// A rule's documentation, in the same shape for every rule (what, why, fix, examples).
pub fn explain(r: &CompiledRule, markdown: bool) -> String {
    let i = &r.common.info;
    let summary = |m: &MatcherDef| matcher_summary(m, &r.lists);
    let d = &r.def;
    let mut s = String::new();
    let h = if markdown { "### " } else { "" };
    let _ = writeln!(s, "{h}{} ({} pack)\n", i.id, i.pack);
    let _ = writeln!(
        s,
        "{} · {} · kind `{}` · speaker {}\n",
        r.common.severity,
        i.category,
        d.kind.as_str(),
        format!("{:?}", r.common.speaker).to_lowercase()
    );
    let what = match d.kind.as_str() {
        "phrase" => d.match_.as_ref().map(|m| format!("Flags: {}", summary(m))),
        "repeat" => Some(format!(
            "Flags: {}{}",
            d.match_
                .as_ref()
                .map(|m| format!("{}; and ", summary(m)))
                .unwrap_or_default(),
            format_args!(
                "an agent asking for something an earlier customer turn gave: {}",
                d.items
                    .iter()
                    .flat_map(|items| items.keys().map(String::as_str))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        )),
        "sequence" => Some(format!(
            "Flags: {} followed within {} words by {}",
            d.first.as_ref().map(summary).unwrap_or_default(),
            d.max_words.unwrap_or(6),
            d.then.as_ref().map(summary).unwrap_or_default()
        )),
        "required" => Some(format!(
            "Flags a conversation with none of: {}{}",
            d.expect.as_ref().map(summary).unwrap_or_default(),
            d.min_turns
                .map(|n| format!(" (applies from the speaker's turn {n})"))
                .unwrap_or_default()
        )),
        "conditional" => Some(
            format!(
                "When the {} says {}, expects within {} turns: {}",
                format!(
                    "{:?}",
                    d.when_speaker.unwrap_or(crate::pack::SpeakerSel::Customer)
                )
                .to_lowercase(),
                d.when.as_ref().map(summary).unwrap_or_default(),
                d.within_turns.unwrap_or(2),
                d.expect.as_ref().map(summary).unwrap_or_default()
            ) + &d
                .before_turns
                .map(|n| format!(" (or in the {n} turns before)"))
                .unwrap_or_default(),
        ),
        _ => d.metric.as_ref().map(|m| {
            let bound = |name: &str, v: Option<f64>| v.map(|v| format!("{name} {v}"));
            let bounds: Vec<String> = [bound("min", d.min), bound("max", d.max)]
                .into_iter()
                .flatten()
                .collect();
            format!("Measures `{m}` ({})", bounds.join(", "))
        }),
    };
    if let Some(w) = what {
        let _ = writeln!(s, "{w}\n");
    }
    if let Some(u) = &d.unless {
        let scope = if d.kind == crate::pack::KindName::Metric {
            "the turn it looks at"
        } else {
            "the same sentence"
        };
        let _ = writeln!(s, "Not when {scope} has: {}\n", summary(u));
    }
    if !d.yields_to.is_empty() {
        let ids: Vec<String> = d.yields_to.iter().map(|id| format!("`{id}`")).collect();
        let _ = writeln!(s, "Not on a turn where {} fires.\n", ids.join(" or "));
    }
    if let Some(l) = &d.learned {
        let _ = writeln!(
            s,
            "Learned detector: with `--learned` (or `learned: true` in the config), a model trained on the annotated corpora also flags an agent turn the patterns miss when its score reaches {:.2} (docs/rule-language.md, \"Learned detector\").\n",
            l.threshold
        );
    }
    let label = |t: &str| {
        if markdown {
            format!("**{t}**")
        } else {
            t.to_uppercase()
        }
    };
    let _ = writeln!(s, "{}\n{}\n", label("Why it matters"), i.why);
    let _ = writeln!(s, "{}\n{}\n", label("Say instead"), i.fix);
    if let Some(ex) = &d.examples {
        let _ = writeln!(s, "{}", label("Flagged"));
        for e in &ex.flag {
            let _ = writeln!(s, "- {}", e.replace('\n', " / "));
        }
        let _ = writeln!(s, "\n{}", label("Not flagged"));
        for e in &ex.pass {
            let _ = writeln!(s, "- {}", e.replace('\n', " / "));
        }
        let _ = writeln!(s);
    }
    s
}

/// The Markdown rule reference, generated from the packs (docs/rules.md).
pub fn reference(e: &Engine) -> String {
    let mut s = String::from("# Rule reference\n\nGenerated by `tonecheck rules doc` from the built-in packs; do not edit by hand.\n\n");
    let mut pack = String::new();
    for r in e.rules() {
        if r.common.info.pack != pack {
            pack = r.common.info.pack.clone();
            let _ = writeln!(s, "## Pack `{pack}`\n");
        }
        s.push_str(&explain(r, true));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_shows_any_of_alternatives_with_their_exclusions() {
        let m: MatcherDef = serde_yaml::from_str(
            "any_of:\n  - patterns: [\"still broken\"]\n  - patterns: [broken]\n    not_near: {patterns: [\"my dog\"], within: 6}\n",
        )
        .unwrap();
        assert_eq!(
            matcher_summary(&m, &BTreeMap::new()),
            "any of (patterns `still broken`) or (patterns `broken`; not within 6 words of `my dog`)"
        );
    }
}
