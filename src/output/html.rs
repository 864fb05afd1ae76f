//! `html` (and `--html FILE`): one self-contained report a reviewer reads in a browser —
//! inline CSS and SVG, no scripts, nothing fetched — with a batch dashboard and every call's
//! scorecard beside its transcript, findings highlighted at their turns.
//!
//! Calls are written as they arrive, so memory stays flat; the dashboard, known only at the
//! end, is written last and shown first with CSS `order`. Every piece of text that comes from
//! an input, a pack or a scorecard goes through `esc`, and a Content-Security-Policy that
//! forbids scripts backs that up.
use std::fmt::Write as _;
use std::io::{self, Write};
use std::sync::Arc;

use super::{RunSummary, Writer, WriterOptions};
use crate::batch::{FileReport, TranscriptReport};
use crate::finding::{Finding, Severity};
use crate::score::{CallScore, ItemResult, ScoreSummary, Scorecard, BUCKETS};

/// How many of the lowest-scoring calls the dashboard lists (a bounded list, not every call).
const REVIEW_FIRST: usize = 15;
/// How many rules the per-rule chart shows.
const TOP_RULES: usize = 12;

struct Html {
    out: Box<dyn Write>,
    scorecard: Option<Arc<Scorecard>>,
    started: bool,
    calls: usize,
    /// The lowest-scoring calls so far: (score, anchor, path, id, agent).
    lowest: Vec<(f64, usize, String, String, String)>,
    errors: Vec<String>,
}

pub(super) fn make(out: Box<dyn Write>, opts: WriterOptions) -> Box<dyn Writer> {
    Box::new(Html {
        out,
        scorecard: opts.scorecard,
        started: false,
        calls: 0,
        lowest: Vec::new(),
        errors: Vec::new(),
    })
}

/// Escapes text for HTML element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

fn sev_class(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
        Severity::Kudos => "kudos",
    }
}

fn fmt_score(x: Option<f64>) -> String {
    x.map_or("n/a".into(), |x| {
        if x.fract() == 0.0 {
            format!("{x:.0}")
        } else {
            format!("{x:.2}")
        }
    })
}

/// Colour band of a score against the pass mark.
fn band(score: Option<f64>, pass_mark: f64) -> &'static str {
    match score {
        None => "na",
        Some(s) if s >= pass_mark => "good",
        Some(s) if s >= pass_mark - 15.0 => "fair",
        Some(_) => "poor",
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn clock(t: f64) -> String {
    let s = t.max(0.0).round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

const CSS: &str = r#"
:root{--ink:#1f2733;--muted:#5d6b7e;--line:#e3e8ef;--bg:#f5f7fa;--card:#fff;--accent:#3d5afe;
--good:#1e8e5a;--good-bg:#e3f5ec;--fair:#b7791f;--fair-bg:#fdf3df;--poor:#c53030;--poor-bg:#fde8e8;
--error:#c53030;--error-bg:#fde2e2;--warning:#b7791f;--warning-bg:#fcefcf;--info:#2b6cb0;--info-bg:#e1edfa;
--kudos:#1e8e5a;--kudos-bg:#dcf3e6;--agent:#eef2ff;--customer:#f6f7f9}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
header.top{background:#1f2a44;color:#fff;padding:18px 32px;display:flex;align-items:baseline;gap:16px;flex-wrap:wrap}
header.top h1{margin:0;font-size:20px;letter-spacing:.3px}
header.top .sub{color:#c4cde0;font-size:14px}
main{display:flex;flex-direction:column;gap:28px;max-width:1240px;margin:0 auto;padding:24px 24px 60px}
.dashboard{order:-1}
h2{font-size:18px;margin:0 0 12px}
h3{font-size:15px;margin:0 0 10px;color:var(--muted);font-weight:600;text-transform:uppercase;letter-spacing:.6px}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:18px 20px;box-shadow:0 1px 2px rgba(16,24,40,.04)}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:14px;margin-bottom:18px}
.kpi .v{font-size:28px;font-weight:700;line-height:1.1}
.kpi .l{color:var(--muted);font-size:13px}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:18px;margin-bottom:18px}
@media (max-width:900px){.grid2,.call-body{grid-template-columns:1fr!important}}
svg{display:block;max-width:100%;height:auto}
svg text{font:12px system-ui,"DejaVu Sans",sans-serif;fill:#5d6b7e}
table{border-collapse:collapse;width:100%;font-size:14px}
th{text-align:left;color:var(--muted);font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.5px;border-bottom:1px solid var(--line);padding:6px 8px}
td{border-bottom:1px solid var(--line);padding:7px 8px;vertical-align:middle}
.scroll{max-height:440px;overflow-y:auto}
.scroll th{position:sticky;top:0;background:var(--card)}
tr:last-child td{border-bottom:none}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.meter{display:inline-block;width:90px;height:8px;border-radius:4px;background:var(--line);vertical-align:middle;margin-left:8px;overflow:hidden}
.meter i{display:block;height:100%}
.good{color:var(--good)}.fair{color:var(--fair)}.poor{color:var(--poor)}
.meter i.good{background:var(--good)}.meter i.fair{background:var(--fair)}.meter i.poor{background:var(--poor)}.meter i.na{background:transparent}
a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
.call{background:var(--card);border:1px solid var(--line);border-radius:12px;margin-bottom:22px;overflow:hidden;box-shadow:0 1px 2px rgba(16,24,40,.04)}
.call-head{display:flex;align-items:center;gap:16px;padding:14px 20px;border-bottom:1px solid var(--line);flex-wrap:wrap}
.call-head .title{flex:1;min-width:240px}
.call-head .path{font-weight:650;font-size:16px;word-break:break-all}
.chips{display:flex;gap:6px;flex-wrap:wrap;margin-top:4px}
.chip{font-size:12px;background:var(--bg);border:1px solid var(--line);border-radius:999px;padding:1px 9px;color:var(--muted)}
.badge{min-width:92px;text-align:center;border-radius:10px;padding:6px 12px}
.badge .s{font-size:26px;font-weight:750;line-height:1.1}
.badge .p{font-size:12px;font-weight:700;letter-spacing:.8px}
.badge.good{background:var(--good-bg)}.badge.fair{background:var(--fair-bg)}.badge.poor{background:var(--poor-bg)}.badge.na{background:var(--bg);color:var(--muted)}
.tag{font-size:11px;font-weight:700;letter-spacing:.5px;text-transform:uppercase;border-radius:4px;padding:1px 6px}
.tag.autofail{background:var(--poor);color:#fff}
.tag.autofail-off{border:1px solid #d5dbe5;color:var(--muted);font-weight:600}
.call-body{display:grid;grid-template-columns:minmax(260px,330px) 1fr}
.sheet{padding:16px 20px;border-right:1px solid var(--line);background:#fbfcfe}
.sec{margin-bottom:14px}
.sec-head{display:flex;justify-content:space-between;align-items:center;font-weight:650}
.sec-head .w{color:var(--muted);font-weight:400;font-size:12px;margin-left:6px}
.items{list-style:none;margin:6px 0 0;padding:0}
.items li{display:flex;gap:8px;padding:2px 0;font-size:14px}
.items .m{width:18px;flex:none;text-align:center;font-weight:700}
.items .pass .m{color:var(--good)}.items .fail .m{color:var(--poor)}.items .na{color:var(--muted)}
.items .by{font-size:12px}
.turns{padding:10px 20px 16px}
.turn{display:grid;grid-template-columns:110px 1fr;gap:12px;padding:8px 0;border-bottom:1px dashed var(--line)}
.turn:last-child{border-bottom:none}
.who{font-size:13px;font-weight:650;color:var(--muted);text-align:right;padding-top:6px;word-break:break-word}
.who .t{display:block;font-weight:400;font-size:11px}
.bubble{border-radius:10px;padding:7px 12px;white-space:pre-wrap;word-wrap:break-word}
.agent .bubble{background:var(--agent)}.customer .bubble{background:var(--customer)}.other .bubble{background:#fff;border:1px solid var(--line)}
.agent .who{color:#3446b4}
mark{border-radius:3px;padding:0 2px;color:inherit}
mark.error{background:var(--error-bg);box-shadow:inset 0 -2px 0 var(--error)}
mark.warning{background:var(--warning-bg);box-shadow:inset 0 -2px 0 var(--warning)}
mark.info{background:var(--info-bg);box-shadow:inset 0 -2px 0 var(--info)}
mark.kudos{background:var(--kudos-bg);box-shadow:inset 0 -2px 0 var(--kudos)}
.note{margin:6px 0 0;border-left:3px solid var(--line);padding:4px 10px;font-size:13.5px;background:#fff;border-radius:0 6px 6px 0}
.note.error{border-color:var(--error)}.note.warning{border-color:var(--warning)}.note.info{border-color:var(--info)}.note.kudos{border-color:var(--kudos)}
.note .sev{font-weight:700;text-transform:uppercase;font-size:11px;letter-spacing:.5px;margin-right:6px}
.note.error .sev{color:var(--error)}.note.warning .sev{color:var(--warning)}.note.info .sev{color:var(--info)}.note.kudos .sev{color:var(--kudos)}
.note code{font-size:12px;background:var(--bg);padding:0 4px;border-radius:3px}
.note .why{color:var(--muted);margin-top:2px}
.note .fix{margin-top:2px}.note .fix b{color:var(--good)}
.empty{color:var(--muted);font-style:italic}
.errors li{font-family:ui-monospace,monospace;font-size:13px}
footer{color:var(--muted);font-size:12px;text-align:center;padding:20px}
@media print{body{background:#fff}.call{break-inside:avoid-page;box-shadow:none}}
"#;

impl Html {
    fn start(&mut self) -> io::Result<()> {
        if self.started {
            return Ok(());
        }
        self.started = true;
        let sub = match &self.scorecard {
            Some(c) => format!(
                "Scorecard <b>{}</b> · pass mark {}",
                esc(&c.name),
                fmt_score(Some(c.pass_mark))
            ),
            None => "Findings report".to_string(),
        };
        write!(
            self.out,
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
<title>tonecheck report</title><style>{CSS}</style></head><body>\
<header class=\"top\"><h1>tonecheck report</h1><span class=\"sub\">{sub}</span></header>\n<main>\n<section class=\"calls\" id=\"calls\"><h2>Calls</h2>\n"
        )
    }

    fn call(&mut self, path: &str, t: &TranscriptReport) -> io::Result<()> {
        self.calls += 1;
        let n = self.calls;
        let tr = &t.transcript;
        let meta = &tr.metadata;
        let mut h = String::with_capacity(4096);
        let _ = write!(h, "<article class=\"call\" id=\"call-{n}\"><div class=\"call-head\"><div class=\"title\"><div class=\"path\">{}</div><div class=\"chips\">", esc(path));
        let mut chip = |k: &str, v: &str| {
            let _ = write!(h, "<span class=\"chip\">{}: {}</span>", esc(k), esc(v));
        };
        chip("id", &tr.id);
        for (k, v) in [
            ("agent", &meta.agent),
            ("customer", &meta.customer),
            ("call", &meta.call_id),
            ("date", &meta.date),
            ("queue", &meta.queue),
        ] {
            if let Some(v) = v {
                chip(k, v);
            }
        }
        for (k, v) in &meta.extra {
            chip(k, v);
        }
        let counts = |sev: Severity| {
            t.checked
                .findings
                .iter()
                .filter(|f| f.severity == sev)
                .count()
        };
        let _ = write!(
            h,
            "<span class=\"chip\">{} · {} · {} · {} kudos</span></div></div>",
            plural(tr.turns.len(), "turn"),
            plural(counts(Severity::Error), "error"),
            plural(counts(Severity::Warning), "warning"),
            counts(Severity::Kudos)
        );
        if let Some(s) = &t.score {
            let b = if s.pass {
                band(s.score, s.pass_mark)
            } else {
                "poor"
            };
            if s.autofail {
                h.push_str("<span class=\"tag autofail\">autofail</span>");
            }
            let _ = write!(
                h,
                "<div class=\"badge {b}\"><div class=\"s {b}\">{}</div><div class=\"p {}\">{}</div></div>",
                fmt_score(s.score),
                if s.pass { "good" } else { "poor" },
                if s.pass { "PASS" } else { "FAIL" }
            );
            if let Some(score) = s.score {
                self.note_lowest(score, n, path, t);
            }
        }
        h.push_str("</div><div class=\"call-body\"");
        if t.score.is_none() {
            h.push_str(" style=\"grid-template-columns:1fr\"");
        }
        h.push('>');
        if let Some(s) = &t.score {
            scorecard(&mut h, n, s, &t.checked.findings);
        }
        transcript(&mut h, n, t);
        h.push_str("</div></article>\n");
        self.out.write_all(h.as_bytes())
    }

    fn note_lowest(&mut self, score: f64, n: usize, path: &str, t: &TranscriptReport) {
        let full = self.lowest.len() >= REVIEW_FIRST;
        if full && self.lowest.last().is_some_and(|l| l.0 <= score) {
            return;
        }
        let row = (
            score,
            n,
            path.to_string(),
            t.transcript.id.clone(),
            t.transcript.metadata.agent.clone().unwrap_or_default(),
        );
        let at = self.lowest.partition_point(|l| l.0 <= score);
        self.lowest.insert(at, row);
        self.lowest.truncate(REVIEW_FIRST);
    }

    fn dashboard(&self, run: &RunSummary) -> String {
        let mut h = String::with_capacity(8192);
        h.push_str("<section class=\"dashboard\" id=\"dashboard\">");
        let pass_mark = self.scorecard.as_ref().map_or(80.0, |c| c.pass_mark);
        let kpi = |h: &mut String, v: String, l: &str, class: &str| {
            let _ = write!(
                h,
                "<div class=\"card kpi\"><div class=\"v {class}\">{v}</div><div class=\"l\">{}</div></div>",
                esc(l)
            );
        };
        h.push_str("<div class=\"kpis\">");
        match &run.score {
            Some(s) => {
                kpi(&mut h, s.scored.to_string(), "calls scored", "");
                kpi(
                    &mut h,
                    fmt_score(s.mean()),
                    "mean score",
                    band(s.mean(), pass_mark),
                );
                kpi(
                    &mut h,
                    fmt_score(s.median()),
                    "median score",
                    band(s.median(), pass_mark),
                );
                kpi(
                    &mut h,
                    s.pass_rate()
                        .map_or("n/a".into(), |p| format!("{}%", fmt_score(Some(p)))),
                    "pass rate",
                    "",
                );
                kpi(
                    &mut h,
                    s.autofailed.to_string(),
                    "autofailed",
                    if s.autofailed > 0 { "poor" } else { "" },
                );
            }
            None => kpi(&mut h, run.transcripts.to_string(), "transcripts", ""),
        }
        kpi(&mut h, run.findings.to_string(), "findings", "");
        h.push_str("</div>");
        h.push_str("<div class=\"grid2\">");
        if let Some(s) = &run.score {
            h.push_str("<div class=\"card\"><h3>Score distribution</h3>");
            histogram(&mut h, s, pass_mark);
            h.push_str("</div>");
        }
        h.push_str("<div class=\"card\"><h3>Rules hit most</h3>");
        let rules: Vec<(String, u64)> = match &run.score {
            Some(s) => s
                .top_rules()
                .into_iter()
                .map(|(k, n)| (k.to_string(), n))
                .collect(),
            None => {
                let mut v: Vec<(String, u64)> = run
                    .by_rule
                    .iter()
                    .map(|(k, n)| (k.clone(), *n as u64))
                    .collect();
                v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                v
            }
        };
        rule_chart(&mut h, &rules);
        h.push_str("</div></div>");
        if let Some(s) = &run.score {
            h.push_str("<div class=\"grid2\"><div class=\"card\"><h3>Agents</h3>");
            agents(&mut h, s, pass_mark);
            h.push_str("</div><div class=\"card\"><h3>Review first: lowest scores</h3>");
            if self.lowest.is_empty() {
                h.push_str("<p class=\"empty\">No scored calls.</p>");
            } else {
                h.push_str(
                    "<table><tr><th>Call</th><th>Agent</th><th class=\"num\">Score</th></tr>",
                );
                for (score, n, path, id, agent) in &self.lowest {
                    let label = if *id == crate::input::id_from_path(path) || id.is_empty() {
                        path.clone()
                    } else {
                        format!("{path} · {id}")
                    };
                    let _ = write!(
                        h,
                        "<tr><td><a href=\"#call-{n}\">{}</a></td><td>{}</td><td class=\"num {}\">{}</td></tr>",
                        esc(&label),
                        esc(agent),
                        band(Some(*score), pass_mark),
                        fmt_score(Some(*score))
                    );
                }
                h.push_str("</table>");
            }
            h.push_str("</div></div>");
        }
        if !self.errors.is_empty() {
            h.push_str(
                "<div class=\"card\"><h3>Inputs that could not be read</h3><ul class=\"errors\">",
            );
            for e in &self.errors {
                let _ = write!(h, "<li>{}</li>", esc(e));
            }
            h.push_str("</ul></div>");
        }
        h.push_str("</section>\n");
        h
    }
}

/// The call's scorecard column: sections with their score and each item's result.
fn scorecard(h: &mut String, n: usize, s: &CallScore, findings: &[Finding]) {
    h.push_str("<div class=\"sheet\">");
    for sec in &s.sections {
        let b = band(sec.score, s.pass_mark);
        let width = sec.score.unwrap_or(0.0);
        let _ = write!(
            h,
            "<div class=\"sec\"><div class=\"sec-head\"><span>{}<span class=\"w\">×{}</span></span><span class=\"{b}\">{}<span class=\"meter\"><i class=\"{b}\" style=\"width:{width:.0}%\"></i></span></span></div><ul class=\"items\">",
            esc(&sec.name),
            fmt_score(Some(sec.weight)),
            fmt_score(sec.score),
        );
        for it in &sec.items {
            let (class, mark) = match it.result {
                ItemResult::Pass => ("pass", "✓"),
                ItemResult::Fail => ("fail", "✗"),
                ItemResult::Na => ("na", "–"),
            };
            let _ = write!(
                h,
                "<li class=\"{class}\"><span class=\"m\">{mark}</span><span>{}",
                esc(&it.name)
            );
            if it.autofail {
                let c = if it.result == ItemResult::Fail {
                    "autofail"
                } else {
                    "autofail-off"
                };
                let _ = write!(h, " <span class=\"tag {c}\">autofail</span>");
            }
            if it.result == ItemResult::Na {
                h.push_str(" <span class=\"by\">(n/a)</span>");
            }
            if !it.findings.is_empty() {
                h.push_str("<br><span class=\"by\">");
                for (k, &i) in it.findings.iter().enumerate() {
                    let f = &findings[i];
                    let _ = write!(
                        h,
                        "{}<a href=\"#c{n}-f{i}\">{} · line {}</a>",
                        if k > 0 { ", " } else { "" },
                        esc(&f.rule.id),
                        f.line
                    );
                }
                h.push_str("</span>");
            }
            h.push_str("</span></li>");
        }
        h.push_str("</ul></div>");
    }
    h.push_str("</div>");
}

/// The transcript column: every turn, its findings highlighted and explained under it.
fn transcript(h: &mut String, n: usize, t: &TranscriptReport) {
    h.push_str("<div class=\"turns\">");
    let findings = &t.checked.findings;
    for (ti, turn) in t.transcript.turns.iter().enumerate() {
        let here: Vec<(usize, &Finding)> = findings
            .iter()
            .enumerate()
            .filter(|(_, f)| f.turn == ti)
            .collect();
        let time = turn
            .start
            .map(|s| format!("<span class=\"t\">{}</span>", clock(s)))
            .unwrap_or_default();
        let _ = write!(
            h,
            "<div class=\"turn {}\"><div class=\"who\">{}{time}</div><div><div class=\"bubble\">",
            turn.role.as_str(),
            esc(&turn.speaker)
        );
        highlight(h, &turn.text, &here);
        h.push_str("</div>");
        for (i, f) in &here {
            let c = sev_class(f.severity);
            let _ = write!(
                h,
                "<div class=\"note {c}\" id=\"c{n}-f{i}\"><span class=\"sev\">{}</span><code>{}</code> {}",
                c,
                esc(&f.rule.id),
                esc(&f.message)
            );
            if !f.rule.why.is_empty() {
                let _ = write!(h, "<div class=\"why\">{}</div>", esc(&f.rule.why));
            }
            if !f.rule.fix.is_empty() && f.severity != Severity::Kudos {
                let _ = write!(
                    h,
                    "<div class=\"fix\"><b>Say instead:</b> {}</div>",
                    esc(&f.rule.fix)
                );
            }
            h.push_str("</div>");
        }
        h.push_str("</div></div>");
    }
    if t.transcript.turns.is_empty() {
        h.push_str("<p class=\"empty\">No turns.</p>");
    }
    h.push_str("</div>");
}

/// Writes `text` escaped, with each finding's span wrapped in `<mark>` (the worst severity
/// wins where spans overlap).
fn highlight(h: &mut String, text: &str, here: &[(usize, &Finding)]) {
    let spans: Vec<(usize, usize, Severity, String)> = here
        .iter()
        .filter(|(_, f)| {
            f.start < f.end
                && f.end <= text.len()
                && text.is_char_boundary(f.start)
                && text.is_char_boundary(f.end)
        })
        .map(|(_, f)| (f.start, f.end, f.severity, f.rule.id.clone()))
        .collect();
    if spans.is_empty() {
        h.push_str(&esc(text));
        return;
    }
    let mut cuts: Vec<usize> = vec![0, text.len()];
    for s in &spans {
        cuts.push(s.0);
        cuts.push(s.1);
    }
    cuts.sort_unstable();
    cuts.dedup();
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let piece = esc(&text[a..b]);
        let cover: Vec<&(usize, usize, Severity, String)> =
            spans.iter().filter(|s| s.0 <= a && s.1 >= b).collect();
        match cover.iter().map(|s| s.2).max() {
            Some(sev) => {
                let mut ids: Vec<&str> = cover.iter().map(|s| s.3.as_str()).collect();
                ids.dedup();
                let _ = write!(
                    h,
                    "<mark class=\"{}\" title=\"{}\">{piece}</mark>",
                    sev_class(sev),
                    esc(&ids.join(", "))
                );
            }
            None => h.push_str(&piece),
        }
    }
}

/// Score histogram: ten 10-point buckets, bars coloured by band.
fn histogram(h: &mut String, s: &ScoreSummary, pass_mark: f64) {
    let counts = s.histogram();
    let most = counts.iter().copied().max().unwrap_or(0).max(1);
    let (w, ht, left, bottom, top) = (520.0, 220.0, 34.0, 26.0, 36.0);
    let plot_h = ht - bottom - top;
    let bw = (w - left - 18.0) / BUCKETS as f64;
    let _ = write!(
        h,
        "<svg viewBox=\"0 0 {w} {ht}\" role=\"img\" aria-label=\"Score distribution\">"
    );
    let ticks = most.min(4);
    for k in 0..=ticks {
        let y = top + plot_h - plot_h * k as f64 / ticks as f64;
        let v = (most as f64 * k as f64 / ticks as f64).round();
        let _ = write!(
            h,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e3e8ef\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{v}</text>",
            w - 18.0,
            left - 6.0,
            y + 4.0
        );
    }
    for (i, c) in counts.iter().enumerate() {
        let x = left + bw * i as f64;
        let bh = plot_h * *c as f64 / most as f64;
        let mid = i as f64 * 10.0 + 5.0;
        let color = match band(Some(mid), pass_mark) {
            "good" => "#1e8e5a",
            "fair" => "#d69e2e",
            _ => "#e05252",
        };
        let _ = write!(
            h,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" rx=\"3\" fill=\"{color}\"><title>{}–{}: {c}</title></rect>",
            x + 3.0,
            top + plot_h - bh,
            bw - 6.0,
            i * 10,
            i * 10 + 10
        );
        if *c > 0 {
            let _ = write!(
                h,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" style=\"fill:#1f2733;font-weight:600\">{c}</text>",
                x + bw / 2.0,
                top + plot_h - bh - 4.0
            );
        }
        let _ = write!(
            h,
            "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            ht - 8.0,
            i * 10
        );
    }
    let _ = write!(
        h,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">100</text>",
        left + bw * BUCKETS as f64,
        ht - 8.0
    );
    let px = left + bw * pass_mark / 10.0;
    let _ = write!(
        h,
        "<line x1=\"{px:.1}\" x2=\"{px:.1}\" y1=\"16\" y2=\"{:.1}\" stroke=\"#1f2a44\" stroke-dasharray=\"4 3\"/><text x=\"{px:.1}\" y=\"11\" text-anchor=\"middle\" style=\"fill:#1f2a44;font-weight:600\">pass mark {}</text></svg>",
        top + plot_h,
        fmt_score(Some(pass_mark))
    );
}

/// Horizontal bars of rule hit counts.
fn rule_chart(h: &mut String, rules: &[(String, u64)]) {
    if rules.is_empty() {
        h.push_str("<p class=\"empty\">No rule fired.</p>");
        return;
    }
    let shown = &rules[..rules.len().min(TOP_RULES)];
    let most = shown.iter().map(|r| r.1).max().unwrap_or(1).max(1);
    let (w, row, label) = (520.0, 24.0, 190.0);
    let ht = row * shown.len() as f64 + 6.0;
    let _ = write!(
        h,
        "<svg viewBox=\"0 0 {w} {ht}\" role=\"img\" aria-label=\"Rule hits\">"
    );
    for (i, (rule, n)) in shown.iter().enumerate() {
        let y = 3.0 + row * i as f64;
        let bw = (w - label - 50.0) * *n as f64 / most as f64;
        let _ = write!(
            h,
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" style=\"fill:#1f2733\">{}</text><rect x=\"{label}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{:.1}\" rx=\"3\" fill=\"#5c6bc0\"/><text x=\"{:.1}\" y=\"{:.1}\">{n}</text>",
            label - 8.0,
            y + 15.0,
            esc(rule),
            y + 3.0,
            row - 8.0,
            label + bw + 6.0,
            y + 15.0
        );
    }
    h.push_str("</svg>");
}

fn agents(h: &mut String, s: &ScoreSummary, pass_mark: f64) {
    if s.agents.is_empty() {
        h.push_str("<p class=\"empty\">No scored calls.</p>");
        return;
    }
    // Many agents scroll inside the card rather than stretching the dashboard.
    h.push_str("<div class=\"scroll\"><table><tr><th>Agent</th><th class=\"num\">Calls</th><th class=\"num\">Mean score</th><th class=\"num\">Passed</th></tr>");
    for (name, a) in &s.agents {
        let m = a.mean();
        let b = band(Some(m), pass_mark);
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\"><span class=\"{b}\">{}</span><span class=\"meter\"><i class=\"{b}\" style=\"width:{m:.0}%\"></i></span></td><td class=\"num\">{} of {}</td></tr>",
            esc(name),
            a.calls,
            fmt_score(Some(m)),
            a.passed,
            a.calls
        );
    }
    h.push_str("</table></div>");
}

impl Writer for Html {
    fn file(&mut self, r: &FileReport) -> io::Result<()> {
        self.start()?;
        for e in &r.errors {
            self.errors.push(e.to_string());
        }
        for t in &r.transcripts {
            self.call(&r.path, t)?;
        }
        Ok(())
    }

    fn finish(&mut self, run: &RunSummary) -> io::Result<()> {
        self.start()?;
        if self.calls == 0 {
            self.out
                .write_all(b"<p class=\"empty\">No transcripts.</p>")?;
        }
        self.out.write_all(b"</section>\n")?;
        let dash = self.dashboard(run);
        self.out.write_all(dash.as_bytes())?;
        writeln!(
            self.out,
            "</main><footer>Generated by tonecheck {} · works offline, no scripts</footer></body></html>",
            env!("CARGO_PKG_VERSION")
        )?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("\"><img src=x onerror=alert(1)> & 'x'"),
            "&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &#39;x&#39;"
        );
    }
}
