//! `tonecheck score`: check every file in parallel, score each transcript against the
//! scorecard, and stream the scored reports to the chosen writer (and the HTML report).
use std::sync::Arc;

use super::args::ScoreArgs;
use super::pipeline::{self, Batch};
use super::settings;
use super::{report_pack_errors, EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use crate::output::{self, Writer, WriterOptions};
use crate::score::Scorecard;

pub fn run(a: ScoreArgs) -> u8 {
    let pipeline::Setup { cfg, engine, read } =
        match pipeline::setup(&a.packs, a.mode, a.input_format.clone(), &a.roles) {
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
    let opts = WriterOptions {
        color: pipeline::use_color(a.color),
        scorecard: Some(card.clone()),
    };
    let (files, walk_errors) = match pipeline::files(&a.paths, a.html.as_deref()) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let mut writers: Vec<Box<dyn Writer>> = Vec::new();
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
    };
    let mut below_min = 0usize;
    let scored = pipeline::run(&files, walk_errors, &batch, &mut writers, progress, |r| {
        for t in &mut r.transcripts {
            let s = card.score(&t.checked);
            if a.min_score.zip(s.score).is_some_and(|(min, x)| x < min) {
                below_min += 1;
            }
            t.score = Some(s);
        }
    });
    let summary = match scored {
        Ok(s) => s,
        Err(code) => return code,
    };
    if summary.errors > 0 {
        EXIT_ERROR
    } else if below_min > 0 {
        eprintln!(
            "{below_min} transcript{} scored below --min-score {}",
            if below_min == 1 { "" } else { "s" },
            a.min_score.unwrap_or_default()
        );
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}
