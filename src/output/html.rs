//! `html` (and `--html FILE`): one self-contained report a reviewer reads in a browser —
//! inline CSS and SVG, no scripts, nothing fetched — with a batch dashboard and every call's
//! scorecard beside its transcript, findings highlighted at their turns.
//!
//! The page stays small however large the batch: the dashboard (figures, trend, groups,
//! sections, agent × rule grid, rules by severity) is built from the summary's counts, the
//! worst `FULL_CALLS` calls are shown in full and the next `LISTED_CALLS` as one row each;
//! `--html-dir DIR` also writes every call as its own page there, as it arrives. Memory
//! stays flat: only those bounded lists are kept until the end. Every piece of text that
//! comes from an input, a pack or a scorecard goes through `esc`, and a
//! Content-Security-Policy that forbids scripts backs that up.
use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::Arc;

use super::{RunSummary, Writer, WriterOptions};
use crate::batch::{FileReport, TranscriptReport};
use crate::finding::{Finding, Severity};
use crate::score::{
    group_value, AgentTotals, CallScore, ItemResult, ScoreSummary, Scorecard, BUCKETS, NO_DATE,
};
use std::collections::BTreeMap;

/// How many of the worst calls (lowest score; most serious findings when not scoring) the
/// report shows in full.
pub const FULL_CALLS: usize = 10;
/// How many more of the worst calls it lists, one row each.
pub const LISTED_CALLS: usize = 500;
/// How many rules the rule table and the coaching grid show.
const TOP_RULES: usize = 12;
/// How many agents (most calls first) the coaching grid shows.
const GRID_AGENTS: usize = 40;
/// Rows of a group table before the rest are summed into one line.
const GROUP_ROWS: usize = 60;
/// How many errors the report lists.
const ERRORS_SHOWN: usize = 200;

/// One of the worst calls so far: its rank key (lower is worse), number, row of the
/// compact list, and its full HTML while it is among the `FULL_CALLS` worst.
struct Worst {
    key: f64,
    n: usize,
    row: String,
    full: Option<String>,
}

struct Html {
    out: Box<dyn Write>,
    scorecard: Option<Arc<Scorecard>>,
    calls: usize,
    worst: Vec<Worst>,
    errors: Vec<String>,
    error_count: usize,
    /// `--html-dir`: every call's own page goes there.
    pages: Option<PathBuf>,
    page_error: Option<io::Error>,
}

pub(super) fn make(out: Box<dyn Write>, opts: WriterOptions) -> Box<dyn Writer> {
    Box::new(Html {
        out,
        scorecard: opts.scorecard,
        calls: 0,
        worst: Vec::new(),
        errors: Vec::new(),
        error_count: 0,
        pages: opts.html_dir,
        page_error: None,
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
.senti{display:flex;justify-content:flex-end;align-items:center;gap:4px;margin-top:3px;font-weight:400;font-size:11px;font-variant-numeric:tabular-nums}
.senti .track{position:relative;width:36px;height:6px;border-radius:3px;background:var(--line)}
.senti .bar{position:absolute;top:0;height:6px}
.senti .pos{left:50%;background:var(--good);border-radius:0 3px 3px 0}.senti .neg{right:50%;background:var(--poor);border-radius:3px 0 0 3px}
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
.sev{font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.5px}
.sev.error{color:var(--error)}.sev.warning{color:var(--warning)}.sev.info{color:var(--info)}
.meter i.bar{background:#5c6bc0}
.dim{color:var(--muted);font-size:12px}
table.grid td.cell{text-align:center;font-variant-numeric:tabular-nums;font-size:13px;border:1px solid #fff}
table.grid th.rot{height:150px;vertical-align:bottom;padding:4px 2px;text-transform:none;letter-spacing:0}
table.grid th.rot span{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap}
.scroll.tall{max-height:520px}
table.list td{font-size:13px;padding:4px 8px}
table.list td.rules{color:var(--muted);font-size:12px}
@media print{body{background:#fff}.call{break-inside:avoid-page;box-shadow:none}}
"#;

fn page_head(sub: &str, title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
<title>{title}</title><style>{CSS}</style></head><body>\
<header class=\"top\"><h1>tonecheck report</h1><span class=\"sub\">{sub}</span></header>\n<main>\n"
    )
}

fn page_foot() -> String {
    format!(
        "</main><footer>Generated by tonecheck {} · works offline, no scripts</footer></body></html>\n",
        env!("CARGO_PKG_VERSION")
    )
}

impl Html {
    fn subtitle(&self) -> String {
        match &self.scorecard {
            Some(c) => format!(
                "Scorecard <b>{}</b> · pass mark {}",
                esc(&c.name),
                fmt_score(Some(c.pass_mark))
            ),
            None => "Findings report".to_string(),
        }
    }

    /// The call's article, numbered `n`.
    fn call(&self, n: usize, path: &str, t: &TranscriptReport) -> String {
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
        h
    }

    /// One call of the compact list: a link to it (in the page, or to its own page), its
    /// agent, queue and date, its score and the rules it broke.
    fn row(&self, n: usize, path: &str, t: &TranscriptReport, in_page: bool) -> String {
        let tr = &t.transcript;
        let label = if tr.id == crate::input::id_from_path(path) || tr.id.is_empty() {
            path.to_string()
        } else {
            format!("{path} · {}", tr.id)
        };
        let link = match (&self.pages, in_page) {
            (_, true) => Some(format!("#call-{n}")),
            (Some(dir), false) => Some(format!("{}/call-{n}.html", dir.display())),
            _ => None,
        };
        let mut h = String::with_capacity(256);
        match link {
            Some(href) => {
                let _ = write!(
                    h,
                    "<tr><td><a href=\"{}\">{}</a></td>",
                    esc(&href),
                    esc(&label)
                );
            }
            None => {
                let _ = write!(h, "<tr><td>{}</td>", esc(&label));
            }
        }
        let m = &tr.metadata;
        let _ = write!(
            h,
            "<td>{}</td><td>{}</td><td>{}</td>",
            esc(m.agent.as_deref().unwrap_or("")),
            esc(m.queue.as_deref().unwrap_or("")),
            esc(m.date.as_deref().unwrap_or(""))
        );
        let mut rules: Vec<&str> = Vec::new();
        for f in &t.checked.findings {
            if f.severity != Severity::Kudos && !rules.contains(&f.rule.id.as_str()) {
                rules.push(&f.rule.id);
            }
        }
        let shown = rules.len().min(4);
        let more = if rules.len() > shown {
            format!(" +{}", rules.len() - shown)
        } else {
            String::new()
        };
        match &t.score {
            Some(s) => {
                let _ = write!(
                    h,
                    "<td class=\"num {}\">{}</td>",
                    if s.pass {
                        band(s.score, s.pass_mark)
                    } else {
                        "poor"
                    },
                    fmt_score(s.score)
                );
            }
            None => {
                let _ = write!(h, "<td class=\"num\">{}</td>", t.checked.findings.len());
            }
        }
        let _ = write!(
            h,
            "<td class=\"rules\">{}{more}</td></tr>",
            esc(&rules[..shown].join(", "))
        );
        h
    }

    /// Keeps the call if it is among the worst so far.
    fn offer(&mut self, path: &str, t: &TranscriptReport) {
        let n = self.calls;
        // Lower is worse: the score; without one, the weight of the findings.
        let key = match &t.score {
            Some(s) => s.score.unwrap_or(101.0) - if s.pass { 0.0 } else { 0.001 },
            None => {
                let w = t.checked.findings.iter().map(|f| match f.severity {
                    Severity::Error => 10_000.0,
                    Severity::Warning => 100.0,
                    Severity::Info => 1.0,
                    Severity::Kudos => 0.0,
                });
                -w.sum::<f64>()
            }
        };
        let cap = FULL_CALLS + LISTED_CALLS;
        if self.worst.len() >= cap && self.worst.last().is_some_and(|w| w.key <= key) {
            return;
        }
        let at = self.worst.partition_point(|w| w.key <= key);
        let full = (at < FULL_CALLS).then(|| self.call(n, path, t));
        let row = self.row(n, path, t, full.is_some());
        self.worst.insert(at, Worst { key, n, row, full });
        self.worst.truncate(cap);
        // The call pushed out of the full set keeps only its row (linking to its page).
        if let Some(w) = self.worst.get_mut(FULL_CALLS) {
            if w.full.take().is_some() {
                w.row = match &self.pages {
                    Some(dir) => w.row.replacen(
                        &format!("href=\"#call-{}\"", w.n),
                        &format!(
                            "href=\"{}\"",
                            esc(&format!("{}/call-{}.html", dir.display(), w.n))
                        ),
                        1,
                    ),
                    None => unlink(&w.row),
                };
            }
        }
    }

    /// Writes the call's own page into `--html-dir`.
    fn page(&mut self, path: &str, t: &TranscriptReport) {
        let Some(dir) = &self.pages else { return };
        if self.page_error.is_some() {
            return;
        }
        let mut h = page_head(&self.subtitle(), &format!("tonecheck · {}", esc(path)));
        h.push_str(&self.call(self.calls, path, t));
        h.push_str(&page_foot());
        let file = dir.join(format!("call-{}.html", self.calls));
        if let Err(e) = std::fs::write(&file, h) {
            self.page_error = Some(io::Error::new(e.kind(), format!("{}: {e}", file.display())));
        }
    }

    fn dashboard(&self, run: &RunSummary) -> String {
        let mut h = String::with_capacity(8192);
        h.push_str("<section class=\"dashboard\" id=\"dashboard\">");
        let pass_mark = self
            .scorecard
            .as_ref()
            .map(|c| c.pass_mark)
            .or_else(|| run.score.as_ref().and_then(|s| s.pass_mark))
            .unwrap_or(80.0);
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
            h.push_str("</div><div class=\"card\">");
            trend(&mut h, s, pass_mark);
            h.push_str("</div>");
        }
        h.push_str(
            "</div><div class=\"grid2\"><div class=\"card\"><h3>Rules by severity, then hits</h3>",
        );
        let rules: Vec<(String, Option<Severity>, u64)> = match &run.score {
            Some(s) => s
                .rules_by_severity()
                .into_iter()
                .map(|(k, sev, n)| (k.to_string(), Some(sev), n))
                .collect(),
            None => {
                let mut v: Vec<(String, Option<Severity>, u64)> = run
                    .by_rule
                    .iter()
                    .map(|(k, n)| (k.clone(), None, *n as u64))
                    .collect();
                v.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
                v
            }
        };
        rule_table(&mut h, &rules);
        h.push_str("</div>");
        if let Some(s) = &run.score {
            h.push_str("<div class=\"card\"><h3>Sections</h3>");
            sections(&mut h, s, pass_mark);
            h.push_str("</div>");
        }
        h.push_str("</div>");
        if let Some(s) = &run.score {
            h.push_str("<div class=\"grid2\"><div class=\"card\"><h3>Agents</h3>");
            agents(&mut h, s, pass_mark);
            h.push_str("</div>");
            for key in &s.group_by {
                let Some(values) = s.groups.get(key) else {
                    continue;
                };
                let _ = write!(h, "<div class=\"card\"><h3>By {}</h3>", esc(key));
                group_table(&mut h, key, values, pass_mark);
                h.push_str("</div>");
            }
            h.push_str("</div><div class=\"card\"><h3>Coaching grid: non-kudos hits per agent and rule</h3>");
            coaching(&mut h, s);
            h.push_str("</div>");
        }
        if !self.errors.is_empty() {
            h.push_str(
                "<div class=\"card\"><h3>Inputs that could not be read</h3><ul class=\"errors\">",
            );
            for e in &self.errors {
                let _ = write!(h, "<li>{}</li>", esc(e));
            }
            h.push_str("</ul>");
            if self.error_count > self.errors.len() {
                let _ = write!(
                    h,
                    "<p class=\"empty\">… and {} more (all are on standard error).</p>",
                    self.error_count - self.errors.len()
                );
            }
            h.push_str("</div>");
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
            "<div class=\"turn {}\"><div class=\"who\">{}{time}{}</div><div><div class=\"bubble\">",
            turn.role.as_str(),
            esc(&turn.speaker),
            sentiment_figure(&turn.text)
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

/// A turn's sentiment (VADER's compound score, `crate::sentiment`): the number and a small
/// bar from the middle, right and green when positive, left and red when negative. Plain
/// elements and an inline width, nothing the report's CSP forbids; empty for an empty turn.
fn sentiment_figure(text: &str) -> String {
    if text.trim().is_empty() {
        return String::new();
    }
    let score = crate::sentiment::compound(text);
    let (class, width) = (if score < 0.0 { "neg" } else { "pos" }, score.abs() * 50.0);
    format!(
        "<span class=\"senti\" title=\"Sentiment {0}: the VADER lexicon's score of this turn, from -1 (negative) to +1 (positive)\">{0}<span class=\"track\"><span class=\"bar {class}\" style=\"width:{width:.0}%\"></span></span></span>",
        crate::sentiment::display(score)
    )
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

/// Rules, errors first, then by hits, with a bar of their hits.
fn rule_table(h: &mut String, rules: &[(String, Option<Severity>, u64)]) {
    if rules.is_empty() {
        h.push_str("<p class=\"empty\">No rule fired.</p>");
        return;
    }
    let most = rules.iter().map(|r| r.2).max().unwrap_or(1).max(1);
    h.push_str("<table><tr><th>Rule</th><th>Severity</th><th class=\"num\">Hits</th></tr>");
    for (rule, sev, n) in rules.iter().take(TOP_RULES) {
        let sev = sev.map_or("", sev_class);
        let w = 100 * n / most;
        let _ = write!(
            h,
            "<tr><td>{}</td><td><span class=\"sev {sev}\">{sev}</span></td><td class=\"num\">{n}<span class=\"meter\"><i class=\"bar\" style=\"width:{w}%\"></i></span></td></tr>",
            esc(rule)
        );
    }
    h.push_str("</table>");
    if rules.len() > TOP_RULES {
        let _ = write!(
            h,
            "<p class=\"empty\">… and {} more rules with fewer hits.</p>",
            rules.len() - TOP_RULES
        );
    }
}

/// Mean score per day (per ISO week when the batch spans more than six weeks), as bars
/// with the call count above each.
fn trend(h: &mut String, s: &ScoreSummary, pass_mark: f64) {
    let dated: Vec<(&String, &AgentTotals)> = s
        .days
        .iter()
        .filter(|(d, _)| d.as_str() != NO_DATE)
        .collect();
    let undated = s.days.get(NO_DATE).map_or(0, |t| t.calls);
    let mut weeks: BTreeMap<String, AgentTotals> = BTreeMap::new();
    let by_week = dated.len() > 42;
    let periods: Vec<(String, AgentTotals)> = if by_week {
        for (d, t) in &dated {
            let m = crate::transcript::Metadata {
                date: Some((*d).clone()),
                ..Default::default()
            };
            let w = weeks.entry(group_value("date:week", &m)).or_default();
            w.calls += t.calls;
            w.hundredths += t.hundredths;
            w.passed += t.passed;
        }
        weeks.into_iter().collect()
    } else {
        dated
            .iter()
            .map(|(d, t)| ((*d).clone(), (*t).clone()))
            .collect()
    };
    let _ = write!(
        h,
        "<h3>Trend: mean score by {}</h3>",
        if by_week { "week" } else { "day" }
    );
    if periods.is_empty() {
        h.push_str("<p class=\"empty\">No call has a <code>date</code>; add one to the metadata to see the trend.</p>");
        return;
    }
    let (w, ht, left, bottom, top) = (520.0, 220.0, 34.0, 40.0, 20.0);
    let plot_h = ht - bottom - top;
    let bw = (w - left - 8.0) / periods.len() as f64;
    let _ = write!(
        h,
        "<svg viewBox=\"0 0 {w} {ht}\" role=\"img\" aria-label=\"Trend\">"
    );
    for v in [0.0, 50.0, 100.0] {
        let y = top + plot_h - plot_h * v / 100.0;
        let _ = write!(
            h,
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e3e8ef\"/><text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{v}</text>",
            w - 8.0,
            left - 6.0,
            y + 4.0
        );
    }
    let label_every = (periods.len() / 8).max(1);
    for (i, (p, t)) in periods.iter().enumerate() {
        let m = t.mean();
        let x = left + bw * i as f64;
        let bh = plot_h * m / 100.0;
        let color = match band(Some(m), pass_mark) {
            "good" => "#1e8e5a",
            "fair" => "#d69e2e",
            _ => "#e05252",
        };
        let _ = write!(
            h,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{bh:.1}\" rx=\"2\" fill=\"{color}\"><title>{}: mean {} over {}</title></rect>",
            x + bw * 0.12,
            top + plot_h - bh,
            bw * 0.76,
            esc(p),
            fmt_score(Some(m)),
            plural(t.calls as usize, "call")
        );
        if i % label_every == 0 {
            // `W40` for weeks, `10-03` for days: the year is in the range below.
            let short = p.get(5..).unwrap_or(p);
            let _ = write!(
                h,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                x + bw / 2.0,
                ht - 22.0,
                esc(short)
            );
        }
    }
    let px = top + plot_h - plot_h * pass_mark / 100.0;
    let _ = write!(
        h,
        "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{px:.1}\" y2=\"{px:.1}\" stroke=\"#1f2a44\" stroke-dasharray=\"4 3\"/><text x=\"{left}\" y=\"{:.1}\">{} to {}{}</text></svg>",
        w - 8.0,
        ht - 4.0,
        esc(&periods[0].0),
        esc(&periods[periods.len() - 1].0),
        if undated > 0 { format!(" · {} without a date", plural(undated as usize, "call")) } else { String::new() }
    );
}

/// Section averages over the calls where each section applied.
fn sections(h: &mut String, s: &ScoreSummary, pass_mark: f64) {
    if s.sections.is_empty() {
        h.push_str("<p class=\"empty\">No sections.</p>");
        return;
    }
    h.push_str("<table><tr><th>Section</th><th class=\"num\">Calls</th><th class=\"num\">Mean</th><th class=\"num\">Items failed</th></tr>");
    for sec in &s.sections {
        let m = (sec.scored.calls > 0).then(|| sec.scored.mean());
        let b = band(m, pass_mark);
        let judged = sec.items_passed + sec.items_failed;
        let _ = write!(
            h,
            "<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\"><span class=\"{b}\">{}</span><span class=\"meter\"><i class=\"{b}\" style=\"width:{:.0}%\"></i></span></td><td class=\"num\">{} of {judged}</td></tr>",
            esc(&sec.name),
            sec.scored.calls,
            fmt_score(m),
            m.unwrap_or(0.0),
            sec.items_failed
        );
    }
    h.push_str("</table>");
}

/// Calls, mean and passes per value of a `--group-by` key (the largest groups first when
/// there are many).
fn group_table(h: &mut String, key: &str, values: &BTreeMap<String, AgentTotals>, pass_mark: f64) {
    let mut rows: Vec<(&String, &AgentTotals)> = values.iter().collect();
    if rows.len() > GROUP_ROWS {
        rows.sort_by(|a, b| b.1.calls.cmp(&a.1.calls).then(a.0.cmp(b.0)));
    }
    let _ = write!(
        h,
        "<div class=\"scroll\"><table><tr><th>{}</th><th class=\"num\">Calls</th><th class=\"num\">Mean score</th><th class=\"num\">Passed</th></tr>",
        esc(key)
    );
    let mut rest = AgentTotals::default();
    for (i, (name, a)) in rows.iter().enumerate() {
        if i >= GROUP_ROWS {
            rest.calls += a.calls;
            rest.hundredths += a.hundredths;
            rest.passed += a.passed;
            continue;
        }
        totals_row(h, name, a, pass_mark);
    }
    if rest.calls > 0 {
        totals_row(
            h,
            &format!("{} more", rows.len() - GROUP_ROWS),
            &rest,
            pass_mark,
        );
    }
    h.push_str("</table></div>");
}

fn totals_row(h: &mut String, name: &str, a: &AgentTotals, pass_mark: f64) {
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

/// Agents × rules: each cell is the agent's hits of the rule, shaded by hits per call, so
/// a coach sees who to talk to about what.
fn coaching(h: &mut String, s: &ScoreSummary) {
    let rules: Vec<&str> = s
        .rules_by_severity()
        .into_iter()
        .take(TOP_RULES)
        .map(|r| r.0)
        .collect();
    if rules.is_empty() || s.coaching.is_empty() {
        h.push_str("<p class=\"empty\">No rule fired.</p>");
        return;
    }
    let mut agents: Vec<(&String, u64)> = s
        .coaching
        .keys()
        .map(|a| (a, s.agents.get(a).map_or(0, |t| t.calls)))
        .collect();
    agents.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let rate =
        |agent: &str, n: u64| n as f64 / s.agents.get(agent).map_or(1, |t| t.calls).max(1) as f64;
    let top_rate = agents
        .iter()
        .take(GRID_AGENTS)
        .flat_map(|(a, _)| {
            rules
                .iter()
                .map(|r| rate(a, s.coaching[*a].get(*r).copied().unwrap_or(0)))
        })
        .fold(0.0f64, f64::max)
        .max(f64::MIN_POSITIVE);
    h.push_str("<div class=\"scroll\"><table class=\"grid\"><tr><th>Agent</th>");
    for r in &rules {
        let _ = write!(h, "<th class=\"rot\"><span>{}</span></th>", esc(r));
    }
    h.push_str("</tr>");
    for (agent, calls) in agents.iter().take(GRID_AGENTS) {
        let row = &s.coaching[*agent];
        let _ = write!(
            h,
            "<tr><td>{} <span class=\"dim\">({calls})</span></td>",
            esc(agent)
        );
        for r in &rules {
            let n = row.get(*r).copied().unwrap_or(0);
            if n == 0 {
                h.push_str("<td class=\"cell\"></td>");
                continue;
            }
            let rate = rate(agent, n);
            // Shaded against the highest rate in the grid: the darkest cell is the habit to
            // coach first.
            let alpha = 0.06 + 0.84 * rate / top_rate;
            let _ = write!(
                h,
                "<td class=\"cell\" style=\"background:rgba(197,48,48,{alpha:.2})\" title=\"{:.2} per call\">{n}</td>",
                rate
            );
        }
        h.push_str("</tr>");
    }
    h.push_str("</table></div>");
    if agents.len() > GRID_AGENTS {
        let _ = write!(
            h,
            "<p class=\"empty\">Showing the {GRID_AGENTS} agents with the most calls of {}.</p>",
            agents.len()
        );
    }
}

/// A compact-list row without its link (its call is no longer shown in full).
fn unlink(row: &str) -> String {
    match (row.find("<a href="), row.find("</a>")) {
        (Some(a), Some(b)) => {
            let text_start = row[a..].find('>').map_or(a, |i| a + i + 1);
            format!("{}{}{}", &row[..a], &row[text_start..b], &row[b + 4..])
        }
        _ => row.to_string(),
    }
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
        for e in &r.errors {
            self.error_count += 1;
            if self.errors.len() < ERRORS_SHOWN {
                self.errors.push(e.to_string());
            }
        }
        for t in &r.transcripts {
            self.calls += 1;
            self.page(&r.path, t);
            self.offer(&r.path, t);
        }
        match self.page_error.take() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn finish(&mut self, run: &RunSummary) -> io::Result<()> {
        let mut h = page_head(&self.subtitle(), "tonecheck report");
        h.push_str(&self.dashboard(run));
        let full: Vec<&Worst> = self.worst.iter().filter(|w| w.full.is_some()).collect();
        let scoring = self.scorecard.is_some();
        let _ = writeln!(
            h,
            "<section class=\"calls\" id=\"calls\"><h2>{}</h2>",
            if self.calls == 0 {
                "Calls".to_string()
            } else if full.len() == self.calls {
                format!("All {}", plural(self.calls, "call"))
            } else if scoring {
                format!("The {} lowest-scoring of {} calls", full.len(), self.calls)
            } else {
                format!(
                    "The {} calls with the most serious findings, of {}",
                    full.len(),
                    self.calls
                )
            }
        );
        if self.calls == 0 {
            h.push_str("<p class=\"empty\">No transcripts.</p>");
        }
        self.out.write_all(h.as_bytes())?;
        for w in &full {
            self.out
                .write_all(w.full.as_deref().unwrap_or("").as_bytes())?;
        }
        self.out.write_all(b"</section>\n")?;
        let listed: Vec<&Worst> = self.worst.iter().filter(|w| w.full.is_none()).collect();
        if !listed.is_empty() {
            let mut h = String::with_capacity(256 * (listed.len() + 2));
            let _ = write!(
                h,
                "<section class=\"card\" id=\"more\"><h3>The next {} worst</h3><div class=\"scroll tall\"><table class=\"list\"><tr><th>Call</th><th>Agent</th><th>Queue</th><th>Date</th><th class=\"num\">{}</th><th>Rules</th></tr>",
                listed.len(),
                if scoring { "Score" } else { "Findings" }
            );
            for w in &listed {
                h.push_str(&w.row);
            }
            h.push_str("</table></div>");
            let rest = self.calls - self.worst.len();
            if rest > 0 {
                let _ = write!(
                    h,
                    "<p class=\"empty\">{} more not listed here{}.</p>",
                    plural(rest, "call"),
                    match &self.pages {
                        Some(d) => format!("; every call has its page in {}", esc(&d.display().to_string())),
                        None => "; `--html-dir DIR` writes a page for every call, and `--format jsonl` lists them all".to_string(),
                    }
                );
            }
            h.push_str("</section>\n");
            self.out.write_all(h.as_bytes())?;
        }
        self.out.write_all(page_foot().as_bytes())?;
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_turn_shows_its_sentiment_as_a_number_and_a_bar() {
        let neg = sentiment_figure("thats annoying");
        assert!(neg.contains(">-0.40<"), "{neg}");
        assert!(
            neg.contains("class=\"bar neg\" style=\"width:20%\""),
            "{neg}"
        );
        let pos = sentiment_figure("Thank you, that is great!");
        assert!(pos.contains("class=\"bar pos\""), "{pos}");
        assert_eq!(sentiment_figure("  "), "");
    }
    use crate::engine::EngineBuilder;
    use crate::input::{plain, ReadOptions};
    use crate::pack::scorecard::ScorecardSource;
    use crate::pack::PackSource;

    /// A shared buffer the writer owns a handle to.
    #[derive(Clone, Default)]
    struct Buf(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn a_report_of_100000_calls_stays_under_2_mb() {
        let engine = EngineBuilder::new()
            .pack(PackSource::new(
                "scoring-pack.yaml",
                include_str!("../../tests/fixtures/scoring-pack.yaml"),
            ))
            .build()
            .expect("test pack compiles");
        let src = ScorecardSource {
            origin: "card.yaml".into(),
            text: include_str!("../../tests/fixtures/scoring-card.yaml").into(),
            builtin: false,
        };
        let card = Arc::new(Scorecard::compile(&src, &engine, &[]).expect("card compiles"));
        let bodies = [
            "Customer: My order arrived broken.\nAgent: Per our policy we cannot refund. Great question.\nCustomer: ok\nAgent: Bye.\n",
            "Customer: It arrived broken.\nAgent: I'm sorry, and you're wrong about the date. Thank you.\n",
            "Customer: A question about my bill.\nAgent: Thank you. Great question, let me check.\n",
            "Customer: It arrived broken.\nAgent: I'm sorry about the date. Thank you.\n",
        ];
        let buf = Buf::default();
        let opts = WriterOptions {
            scorecard: Some(card.clone()),
            ..Default::default()
        };
        let mut w = make(Box::new(buf.clone()), opts);
        let mut run = RunSummary::grouped(&["queue".into(), "date:week".into()]);
        let read = ReadOptions::default();
        const CALLS: usize = 100_000;
        for i in 0..CALLS {
            let text = format!(
                "---\nagent: Agent {:03}\nqueue: q{}\ndate: 2026-{:02}-{:02}\n---\n{}",
                i * 7 % 300,
                i % 5,
                1 + i % 3,
                1 + i % 28,
                bodies[i % bodies.len()]
            );
            let t = plain::parse(&format!("calls/{i:06}.txt"), &text, &read).expect("parses");
            let checked = engine.check(&t);
            let score = Some(card.score(&checked));
            let r = FileReport {
                path: format!("calls/{i:06}.txt"),
                transcripts: vec![TranscriptReport {
                    transcript: t,
                    checked,
                    score,
                }],
                ..Default::default()
            };
            run.add(&r);
            w.file(&r).unwrap();
        }
        w.finish(&run).unwrap();
        let html = String::from_utf8(buf.0.borrow().clone()).unwrap();
        assert!(html.len() < 2_000_000, "{} bytes", html.len());
        eprintln!("report of {CALLS} calls: {} bytes", html.len());
        assert_eq!(html.matches("<article class=\"call\"").count(), FULL_CALLS);
        assert_eq!(
            html.matches("<tr><td>calls/").count() + html.matches("<tr><td><a").count(),
            LISTED_CALLS,
            "one row per listed call"
        );
        assert!(html.contains(&format!(
            "{} more not listed here",
            plural(CALLS - FULL_CALLS - LISTED_CALLS, "call")
        )));
        // Trend by week (84 days), every queue, the grid capped at 40 agents.
        assert!(html.contains("Trend: mean score by week"));
        assert!(html.contains("2026-W01"));
        for q in 0..5 {
            assert!(html.contains(&format!("<td>q{q}</td>")));
        }
        assert!(
            html.contains("Showing the 40 agents with the most calls of 150"),
            "half the agents broke a rule"
        );
    }

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("\"><img src=x onerror=alert(1)> & 'x'"),
            "&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; &#39;x&#39;"
        );
    }
}
