//! `pretty`: for people at a terminal — each finding with its source line, the match
//! underlined, and the rule's `why` and `fix`, like a compiler diagnostic.
use std::collections::HashSet;
use std::io::{self, Write};

use super::{print_errors, RunSummary, Writer, WriterOptions};
use crate::batch::FileReport;
use crate::batch::TranscriptReport;
use crate::finding::{Finding, Severity};
use crate::score::{CallScore, ItemResult, ScoreSummary, BUCKETS, UNKNOWN_AGENT};

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
        f: &Finding,
        turn_text: &str,
        speaker: &str,
    ) -> io::Result<()> {
        let (sev, bold, blue, dim, reset) = (
            self.paint(severity_color(f.severity)),
            self.paint(BOLD),
            self.paint(BLUE),
            self.paint(DIM),
            self.paint(RESET),
        );
        writeln!(
            self.out,
            "{sev}{}[{}]{reset}{bold}: {}{reset}",
            f.severity, f.rule.id, f.message
        )?;
        writeln!(
            self.out,
            "  {blue}-->{reset} {}:{}:{}",
            r.path, f.line, f.column
        )?;
        // The source line as written, or the turn rebuilt when the source is not at hand.
        let (src, col) = match r.source.as_deref().and_then(|s| s.lines().nth(f.line - 1)) {
            Some(l) => (l.replace('\t', " "), f.column),
            None => (
                format!("{speaker}: {turn_text}"),
                speaker.chars().count()
                    + 3
                    + turn_text[..f.start.min(turn_text.len())].chars().count(),
            ),
        };
        let gutter = f.line.to_string().len();
        let avail = src.chars().count().saturating_sub(col - 1).max(1);
        let width = f.matched.chars().count().clamp(1, avail);
        writeln!(self.out, "{blue}{:gutter$} |{reset}", "")?;
        writeln!(self.out, "{blue}{} |{reset} {}", f.line, src.trim_end())?;
        writeln!(
            self.out,
            "{blue}{:gutter$} |{reset} {}{sev}{}{reset}",
            "",
            " ".repeat(col - 1),
            "^".repeat(width)
        )?;
        let explain = !self.quiet && (self.explain || self.explained.insert(f.rule.id.clone()));
        if explain && !f.rule.why.is_empty() {
            writeln!(
                self.out,
                "{blue}{:gutter$} = {reset}{bold}why{reset}: {}",
                "",
                one_line(&f.rule.why)
            )?;
        }
        if explain && !f.rule.fix.is_empty() {
            writeln!(
                self.out,
                "{blue}{:gutter$} = {reset}{bold}fix{reset}: {}",
                "",
                one_line(&f.rule.fix)
            )?;
        }
        let _ = dim;
        writeln!(self.out)
    }
}

/// The scorecard view of `tonecheck score`.
impl Pretty {
    fn scorecard(&mut self, r: &FileReport, t: &TranscriptReport, s: &CallScore) -> io::Result<()> {
        let (bold, dim, reset) = (self.paint(BOLD), self.paint(DIM), self.paint(RESET));
        let (green, red) = (
            self.paint(severity_color(Severity::Kudos)),
            self.paint(severity_color(Severity::Error)),
        );
        let meta = &t.transcript.metadata;
        let mut head = format!("{bold}{}{reset}", r.path);
        if t.transcript.id != crate::input::id_from_path(&r.path) {
            head.push_str(&format!(" {dim}·{reset} {}", t.transcript.id));
        }
        if let Some(a) = &meta.agent {
            head.push_str(&format!(" {dim}· agent{reset} {a}"));
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
                sec.name, sec.weight
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
                writeln!(self.out, "    {mark} {}{tail}", it.name)?;
                for &i in &it.findings {
                    let f = &t.checked.findings[i];
                    let sev = self.paint(severity_color(f.severity));
                    writeln!(
                        self.out,
                        "        {sev}{}[{}]{reset} {dim}{}:{}:{}{reset} {}",
                        f.severity, f.rule.id, r.path, f.line, f.column, f.message
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
                    f.message, f.line, f.rule.id
                )?;
            }
        }
        writeln!(self.out)
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
            writeln!(self.out, "\n{bold}Agents{reset}")?;
            let w = s
                .agents
                .keys()
                .map(|k| k.chars().count())
                .max()
                .unwrap_or(0);
            for (name, a) in &s.agents {
                let name = if name == UNKNOWN_AGENT {
                    name.as_str()
                } else {
                    name
                };
                writeln!(
                    self.out,
                    "  {name:w$}  {:>6.2}  {dim}{} call{}, {} passed{reset}",
                    a.mean(),
                    a.calls,
                    if a.calls == 1 { "" } else { "s" },
                    a.passed
                )?;
            }
        }
        let top = s.top_rules();
        if !top.is_empty() && run.transcripts > 1 {
            writeln!(self.out, "\n{bold}Top rules{reset}")?;
            let w = top.iter().take(10).map(|(k, _)| k.len()).max().unwrap_or(0);
            for (rule, n) in top.into_iter().take(10) {
                writeln!(self.out, "  {rule:w$}  {n}")?;
            }
        }
        writeln!(self.out)
    }
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
        for t in &r.transcripts {
            if let Some(score) = &t.score {
                self.scorecard(r, t, score)?;
                continue;
            }
            // Problems first; what went well after them, apart and short.
            for f in &t.checked.findings {
                if f.severity == Severity::Kudos {
                    continue;
                }
                let turn = &t.transcript.turns[f.turn];
                self.finding(r, f, &turn.text, &turn.speaker)?;
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
                    r.path
                )?;
                for f in kudos {
                    writeln!(
                        self.out,
                        "  {green}+{reset} {} {dim}({}:{}, {}){reset}",
                        f.message, f.line, f.column, f.rule.id
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
