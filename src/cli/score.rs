//! `tonecheck score`: check every file in parallel, score each transcript against the
//! scorecard, and stream the scored reports to the chosen writer (and the HTML report).
use std::sync::Arc;

use super::args::ScoreArgs;
use super::pipeline::{self, Batch};
use super::settings;
use super::{report_pack_errors, EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use crate::finding::Severity;
use crate::output::{self, Writer, WriterOptions};
use crate::score::Scorecard;

pub fn run(a: ScoreArgs) -> u8 {
    let pipeline::Setup {
        cfg,
        engine,
        read,
        known_rules,
    } = match pipeline::setup(&a.packs, a.mode, a.input_format.clone(), &a.roles) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let card = settings::scorecard_source(a.scorecard.as_deref(), &cfg)
        .map_err(|e| vec![e])
        .and_then(|src| Scorecard::compile(&src, &engine, &settings::disabled_rules(&cfg)));
    let card = match card {
        Ok(c) => Arc::new(c),
        Err(e) => return report_pack_errors(&e),
    };
    if let Some(n) = a.min_score {
        if !(0.0..=100.0).contains(&n) {
            eprintln!("error: --min-score must be between 0 and 100, not {n}");
            return EXIT_ERROR;
        }
    }
    let format = match pipeline::format(&a.format) {
        Ok(f) => f,
        Err(code) => return code,
    };
    for w in &card.warnings {
        eprintln!(
            "{}:{}:{}: warning: {}",
            w.origin, w.line, w.column, w.message
        );
    }
    let opts = WriterOptions {
        color: pipeline::use_color(a.color),
        scorecard: Some(card.clone()),
        no_summary_line: a.summary.is_some(),
        html_dir: a.html_dir.clone(),
        ..Default::default()
    };
    if let Some(dir) = &a.html_dir {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!("error: cannot create {}: {e}", dir.display());
            return EXIT_ERROR;
        }
    }
    // The dashboard's breakdown by queue, unless the user chose the groups.
    let group_by = if a.group_by.is_empty() && a.html.is_some() {
        vec!["queue".to_string()]
    } else {
        a.group_by.clone()
    };
    let (files, walk_errors) = match pipeline::files(&a.paths, a.html.as_deref()) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let mut writers: Vec<Box<dyn Writer>> = Vec::new();
    if let Some(path) = &a.summary {
        match pipeline::summary_writer(path) {
            Ok(w) => writers.push(w),
            Err(code) => return code,
        }
    }
    if let Some(path) = &a.html {
        match pipeline::html_writer(path, opts.clone()) {
            Ok(w) => writers.push(w),
            Err(code) => return code,
        }
    }
    let progress = pipeline::progress_bar(files.len(), "scoring");
    let out = pipeline::stdout(progress.is_some());
    writers.insert(
        0,
        output::make(&format, out, opts).expect("format checked above"),
    );
    let batch = Batch {
        engine: &engine,
        read: &read,
        threads: a.threads,
        group_by,
        known_rules: &known_rules,
        report_unused_ignores: false,
    };
    let (mut below_min, mut autofailed, mut failing_findings) = (0usize, 0usize, 0usize);
    // Scoring depends on the transcript alone, so it runs on the workers; the counts are
    // kept on the writer thread, in path order.
    let score_each = |r: &mut crate::batch::FileReport| {
        for t in &mut r.transcripts {
            t.score = Some(card.score(&t.checked));
        }
    };
    let mut count_each = |r: &mut crate::batch::FileReport| {
        for t in &r.transcripts {
            let Some(s) = &t.score else { continue };
            if a.min_score.zip(s.score).is_some_and(|(min, x)| x < min) {
                below_min += 1;
            }
            autofailed += usize::from(s.autofail);
            if let Some(level) = a.fail_on {
                failing_findings += t
                    .checked
                    .findings
                    .iter()
                    .filter(|f| f.severity >= level && f.severity != Severity::Kudos)
                    .count();
            }
        }
    };
    let scored = pipeline::run(
        &files,
        walk_errors,
        &batch,
        &mut writers,
        progress,
        pipeline::Each::InOrder {
            first: &score_each,
            then: &mut count_each,
        },
    );
    let summary = match scored {
        Ok(s) => s,
        Err(code) => return code,
    };
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    if autofailed > 0 {
        eprintln!("{autofailed} transcript{} autofailed", plural(autofailed));
    }
    if below_min > 0 {
        eprintln!(
            "{below_min} transcript{} scored below --min-score {}",
            plural(below_min),
            a.min_score.unwrap_or_default()
        );
    }
    if failing_findings > 0 {
        eprintln!(
            "{failing_findings} finding{} at or above --fail-on {}",
            plural(failing_findings),
            a.fail_on.map_or("", |s| s.as_str())
        );
    }
    if summary.errors > 0 {
        EXIT_ERROR
    } else if autofailed + below_min + failing_findings > 0 {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}
