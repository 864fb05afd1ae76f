//! `pretty`: for people at a terminal — each finding with its source line, the match
//! underlined, and the rule's `why` and `fix`, like a compiler diagnostic.
use std::collections::HashSet;
use std::io::{self, Write};

use super::escape::terminal;
use super::{print_errors, RunSummary, Writer, WriterOptions};
use crate::batch::FileReport;
use crate::batch::TranscriptReport;
use crate::finding::{Finding, Severity};
use crate::score::{AgentTotals, CallScore, ItemResult, ScoreSummary, BUCKETS};

struct Pretty {
    out: Box<dyn Write>,
    color: bool,
    quiet: bool,
    explain: bool,
    /// Rules whose why/fix were already printed in this run: a rule explains itself once.
    explained: HashSet<String>,
}

pub(super) fn make(out: Box<dyn Write>, opts: WriterOptions) -> Box<dyn Writer> {
    Box::new(Pretty {
        out,
        color: opts.color,
        quiet: opts.quiet,
        explain: opts.explain,
        explained: HashSet::new(),
    })
}

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const BLUE: &str = "\x1b[34m";
const DIM: &str = "\x1b[2m";

fn severity_color(s: Severity) -> &'static str {
    match s {
        Severity::Error => "\x1b[1;31m",
        Severity::Warning => "\x1b[1;33m",
        Severity::Info => "\x1b[1;36m",
        Severity::Kudos => "\x1b[1;32m",
    }
}

impl Pretty {
    fn paint<'a>(&self, code: &'a str) -> &'a str {
        if self.color {
            code
        } else {
            ""
        }
    }

    fn finding(
        &mut self,
        r: &FileReport,
        lines: &[usize],
        f: &Finding,
        turn_text: &str,
        speaker: &str,
    ) -> io::Result<()> {
        let (sev, bold, blue, reset) = (
            self.paint(severity_color(f.severity)),
            self.paint(BOLD),
            self.paint(BLUE),
            self.paint(RESET),
        );
        writeln!(
            self.out,
            "{sev}{}[{}]{reset}{bold}: {}{reset}",
            f.severity,
            terminal(&f.rule.id),
            terminal(&f.message)
        )?;
        writeln!(
            self.out,
            "  {blue}-->{reset} {}:{}:{}",
            terminal(&r.path),
            f.line,
            f.column
        )?;
        let (before, matched, after) = excerpt(r, lines, f, turn_text, speaker);
        // Shown escaped, so the caret goes under the escaped text.
        let (before, matched, after) = (terminal(&before), terminal(&matched), terminal(&after));
        let col = before.chars().count();
        let width = matched.chars().count().max(1);
        let gutter = f.line.to_string().len();
        writeln!(self.out, "{blue}{:gutter$} |{reset}", "")?;
        writeln!(
            self.out,
            "{blue}{} |{reset} {}",
            f.line,
            format!("{before}{matched}{after}").trim_end()
        )?;
        writeln!(
            self.out,
            "{blue}{:gutter$} |{reset} {}{sev}{}{reset}",
            "",
            " ".repeat(col),
            "^".repeat(width)
        )?;
        let explain = !self.quiet && (self.explain || self.explained.insert(f.rule.id.clone()));
        if explain && !f.rule.why.is_empty() {
            writeln!(
                self.out,
                "{blue}{:gutter$} = {reset}{bold}why{reset}: {}",
                "",
                terminal(&one_line(&f.rule.why))
            )?;
        }
        if explain && !f.rule.fix.is_empty() {
            writeln!(
                self.out,
                "{blue}{:gutter$} = {reset}{bold}fix{reset}: {}",
                "",
                terminal(&one_line(&f.rule.fix))
            )?;
        }
        writeln!(self.out)
    }
}

/// Source lines longer than this are shown as an excerpt around the finding, so a finding
/// on a megabyte-long line prints a line, not the megabyte.
const MAX_SHOWN_LINE_BYTES: usize = 400;
/// Bytes of context on each side of the match in an excerpt.
const EXCERPT_CONTEXT: usize = 60;

/// The source line of a finding split into (before the match, the match, after it): the
/// file's own line when it is short, otherwise an excerpt of the turn around the match.
fn excerpt(
    r: &FileReport,
    lines: &[usize],
    f: &Finding,
    turn_text: &str,
    speaker: &str,
) -> (String, String, String) {
    let source_line = r.source.as_deref().and_then(|s| {
        let start = *lines.get(f.line.checked_sub(1)?)?;
        let end = lines.get(f.line).map_or(s.len(), |&e| e);
        Some(s[start..end].trim_end_matches(['\n', '\r']))
    });
    if let Some(l) = source_line.filter(|l| l.len() <= MAX_SHOWN_LINE_BYTES) {
        let l = l.replace('\t', " ");
        let at = l
            .char_indices()
            .nth(f.column.saturating_sub(1))
            .map_or(l.len(), |(i, _)| i);
        let end = l[at..]
            .char_indices()
            .nth(f.matched.chars().count())
            .map_or(l.len(), |(i, _)| at + i);
        return (
            l[..at].to_string(),
            l[at..end].to_string(),
            l[end..].to_string(),
        );
    }
    let t = turn_text;
    let start = floor_char(t, f.start.min(t.len()));
    let end = floor_char(t, f.end.clamp(start, t.len()));
    let from = floor_char(t, start.saturating_sub(EXCERPT_CONTEXT));
    let to = floor_char(t, end.saturating_add(EXCERPT_CONTEXT).min(t.len()));
    let to = if to < end { end } else { to };
    let mut before = if source_line.is_none() && from == 0 {
        format!("{speaker}: ")
    } else {
        String::new()
    };
    if from > 0 {
        before.push('…');
    }
    before.push_str(&t[from..start]);
    let mut after = t[end..to].to_string();
    if to < t.len() {
        after.push('…');
    }
    (before, t[start..end].to_string(), after)
}

fn floor_char(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

impl Pretty {
    fn scorecard(&mut self, r: &FileReport, t: &TranscriptReport, s: &CallScore) -> io::Result<()> {
        let (bold, dim, reset) = (self.paint(BOLD), self.paint(DIM), self.paint(RESET));
        let (green, red) = (
            self.paint(severity_color(Severity::Kudos)),
            self.paint(severity_color(Severity::Error)),
        );
        let meta = &t.transcript.metadata;
        let mut head = format!("{bold}{}{reset}", terminal(&r.path));
        if t.transcript.id != crate::input::id_from_path(&r.path) {
            head.push_str(&format!(" {dim}·{reset} {}", terminal(&t.transcript.id)));
        }
        if let Some(a) = &meta.agent {
            head.push_str(&format!(" {dim}· agent{reset} {}", terminal(a)));
        }
        writeln!(self.out, "{head}")?;
        let verdict = if s.pass {
            format!("{green}PASS{reset}")
        } else {
            format!("{red}FAIL{reset}")
        };
        let score = s.score.map_or("n/a".to_string(), |x| format!("{x:.2}"));
        let mut why = format!("pass mark {}", s.pass_mark);
        if s.autofail {
            why.push_str(&format!(", {red}autofail{reset}"));
        }
        writeln!(
            self.out,
            "  {verdict} {bold}{score}{reset} / 100  {dim}({why}{dim}){reset}"
        )?;
        let width = s
            .sections
            .iter()
            .map(|x| x.name.chars().count())
            .max()
            .unwrap_or(0);
        for sec in &s.sections {
            let sc = sec.score.map_or("n/a".to_string(), |x| format!("{x:.2}"));
            writeln!(
                self.out,
                "  {bold}{:width$}{reset}  {sc:>6}  {dim}weight {}{reset}",
                terminal(&sec.name),
                sec.weight
            )?;
            for it in &sec.items {
                let (mark, tail) = match it.result {
                    ItemResult::Pass => (format!("{green}✓{reset}"), String::new()),
                    ItemResult::Fail => (
                        format!("{red}✗{reset}"),
                        if it.autofail {
                            format!(" {red}(autofail){reset}")
                        } else {
                            String::new()
                        },
                    ),
                    ItemResult::Na => (format!("{dim}–{reset}"), format!(" {dim}(n/a){reset}")),
                };
                writeln!(self.out, "    {mark} {}{tail}", terminal(&it.name))?;
                for &i in &it.findings {
                    let f = &t.checked.findings[i];
                    let sev = self.paint(severity_color(f.severity));
                    writeln!(
                        self.out,
                        "        {sev}{}[{}]{reset} {dim}{}:{}:{}{reset} {}",
                        f.severity,
                        terminal(&f.rule.id),
                        terminal(&r.path),
                        f.line,
                        f.column,
                        terminal(&f.message)
                    )?;
                }
            }
        }
        let kudos: Vec<&Finding> = t
            .checked
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Kudos)
            .collect();
        if !kudos.is_empty() {
            writeln!(self.out, "  {green}went well{reset}")?;
            for f in kudos {
                writeln!(
                    self.out,
                    "    {green}+{reset} {} {dim}(line {}, {}){reset}",
                    terminal(&f.message),
                    f.line,
                    terminal(&f.rule.id)
                )?;
            }
        }
        writeln!(self.out)
    }

    /// A titled table of calls, mean and passes per agent or group value.
    fn totals(
        &mut self,
        title: &str,
        rows: &std::collections::BTreeMap<String, AgentTotals>,
    ) -> io::Result<()> {
        let (bold, dim, reset) = (self.paint(BOLD), self.paint(DIM), self.paint(RESET));
        writeln!(self.out, "\n{bold}{title}{reset}")?;
        let w = rows.keys().map(|k| k.chars().count()).max().unwrap_or(0);
        for (name, a) in rows {
            let name = terminal(name);
            writeln!(
                self.out,
                "  {name:w$}  {:>6.2}  {dim}{} call{}, {} passed{reset}",
                a.mean(),
                a.calls,
                if a.calls == 1 { "" } else { "s" },
                a.passed
            )?;
        }
        Ok(())
    }

    fn score_summary(&mut self, run: &RunSummary, s: &ScoreSummary) -> io::Result<()> {
        let (bold, dim, reset) = (self.paint(BOLD), self.paint(DIM), self.paint(RESET));
        let fmt = |x: Option<f64>| x.map_or("n/a".to_string(), |x| format!("{x:.2}"));
        let judged = s.passed + s.failed;
        writeln!(
            self.out,
            "{bold}Scored {} of {} transcript{}: mean {}, median {}, {} of {} passed ({}%){}{}.{reset}",
            s.scored,
            run.transcripts,
            if run.transcripts == 1 { "" } else { "s" },
            fmt(s.mean()),
            fmt(s.median()),
            s.passed,
            judged,
            fmt(s.pass_rate()),
            if s.autofailed > 0 {
                format!(", {} autofailed", s.autofailed)
            } else {
                String::new()
            },
            if s.unscored > 0 {
                format!(", {} with nothing to score", s.unscored)
            } else {
                String::new()
            },
        )?;
        // A single call's breakdown is already above; batch figures start at two.
        if s.scored > 1 {
            writeln!(self.out, "\n{bold}Distribution{reset}")?;
            let h = s.histogram();
            let most = h.iter().copied().max().unwrap_or(1).max(1);
            for (i, n) in h.iter().enumerate() {
                let to = if i + 1 == BUCKETS { "100" } else { "" };
                let label = if to.is_empty() {
                    format!("{:>3}–{:<3}", i * 10, i * 10 + 10)
                } else {
                    format!("{:>3}–{to:<3}", i * 10)
                };
                let bar = "█".repeat(((n * 30).div_ceil(most)) as usize);
                writeln!(self.out, "  {dim}{label}{reset} {bar} {n}")?;
            }
            self.totals("Agents", &s.agents)?;
            for key in &s.group_by {
                if let Some(values) = s.groups.get(key) {
                    self.totals(&format!("By {}", terminal(key)), values)?;
                }
            }
        }
        let top = s.top_rules();
        if !top.is_empty() && run.transcripts > 1 {
            writeln!(self.out, "\n{bold}Top rules{reset}")?;
            let w = top.iter().take(10).map(|(k, _)| k.len()).max().unwrap_or(0);
            for (rule, n) in top.into_iter().take(10) {
                writeln!(self.out, "  {:w$}  {n}", terminal(rule))?;
            }
        }
        writeln!(self.out)
    }
}

fn line_starts(s: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(s.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Writer for Pretty {
    fn wants_source(&self) -> bool {
        true
    }

    fn file(&mut self, r: &FileReport) -> io::Result<()> {
        print_errors(r);
        // Where each source line starts, built once per file for all its findings.
        let mut lines: Vec<usize> = Vec::new();
        for t in &r.transcripts {
            if let Some(score) = &t.score {
                self.scorecard(r, t, score)?;
                continue;
            }
            if lines.is_empty() && !t.checked.findings.is_empty() {
                lines = line_starts(r.source.as_deref().unwrap_or(""));
            }
            // Problems first; what went well after them, apart and short.
            for f in &t.checked.findings {
                if f.severity == Severity::Kudos {
                    continue;
                }
                let turn = &t.transcript.turns[f.turn];
                self.finding(r, &lines, f, &turn.text, &turn.speaker)?;
            }
            if self.quiet {
                continue;
            }
            let mut kudos = t
                .checked
                .findings
                .iter()
                .filter(|f| f.severity == Severity::Kudos)
                .peekable();
            if kudos.peek().is_some() {
                let (green, bold, dim, reset) = (
                    self.paint(severity_color(Severity::Kudos)),
                    self.paint(BOLD),
                    self.paint(DIM),
                    self.paint(RESET),
                );
                writeln!(
                    self.out,
                    "{green}went well{reset} {bold}in {}{reset}",
                    terminal(&r.path)
                )?;
                for f in kudos {
                    writeln!(
                        self.out,
                        "  {green}+{reset} {} {dim}({}:{}, {}){reset}",
                        terminal(&f.message),
                        f.line,
                        f.column,
                        f.rule.id
                    )?;
                }
                writeln!(self.out)?;
            }
        }
        Ok(())
    }

    fn finish(&mut self, s: &RunSummary) -> io::Result<()> {
        if let Some(scores) = &s.score {
            self.score_summary(s, scores)?;
        }
        if self.quiet {
            return self.out.flush();
        }
        let bold = self.paint(BOLD);
        let reset = self.paint(RESET);
        let count = |sev: Severity| s.by_severity.get(&sev).copied().unwrap_or(0);
        let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
        writeln!(
            self.out,
            "{bold}Checked {} in {}: {} ({}, {}, {} info, {} kudos){}.{reset}",
            plural(s.transcripts, "transcript"),
            plural(s.files, "file"),
            plural(s.findings, "finding"),
            plural(count(Severity::Error), "error"),
            plural(count(Severity::Warning), "warning"),
            count(Severity::Info),
            count(Severity::Kudos),
            if s.errors > 0 {
                format!("; {} could not be read", plural(s.errors, "input problem"))
            } else {
                String::new()
            },
        )?;
        self.out.flush()
    }
}
