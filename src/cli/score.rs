//! `tonecheck score`: check every file in parallel, score each transcript against the
//! scorecard, and stream the scored reports to the chosen writer (and the HTML report).
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Arc;

use super::args::{ColorArg, ScoreArgs};
use super::settings::{self, ReadSettings};
use super::{report_pack_errors, EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use crate::batch::{self, BatchOptions, FileReport};
use crate::input::walk;
use crate::output::{self, RunSummary, Writer, WriterOptions};
use crate::score::Scorecard;

/// Batches of at least this many files get a progress bar (when stderr is a terminal).
const PROGRESS_MIN_FILES: usize = 50;

pub fn run(a: ScoreArgs) -> u8 {
    let cfg = match settings::load_config(&a.packs) {
        Ok(c) => c,
        Err(e) => return report_pack_errors(&e),
    };
    let engine = match settings::build_engine(&a.packs, &cfg) {
        Ok(e) => e,
        Err(e) => return report_pack_errors(&e),
    };
    let card = settings::scorecard_source(a.scorecard.as_deref(), &cfg)
        .map_err(|e| vec![e])
        .and_then(|src| Scorecard::compile(&src, &engine, &settings::disabled_rules(&cfg)));
    let card = match card {
        Ok(c) => Arc::new(c),
        Err(e) => return report_pack_errors(&e),
    };
    let read = match ReadSettings::new(&cfg, a.mode, a.input_format.clone()) {
        Ok(r) => r,
        Err(e) => return report_pack_errors(&e),
    };
    if let Some(n) = a.min_score {
        if !(0.0..=100.0).contains(&n) {
            eprintln!("error: --min-score must be between 0 and 100, not {n}");
            return EXIT_ERROR;
        }
    }
    let paths = if a.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        a.paths.clone()
    };
    let (files, walk_errors) = walk::collect(&paths);
    let stdout = std::io::stdout();
    let progress = (std::io::stderr().is_terminal() && files.len() >= PROGRESS_MIN_FILES)
        .then(|| progress_bar(files.len() as u64));
    let color = match a.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let opts = WriterOptions {
        color,
        scorecard: Some(card.clone()),
    };
    // Under a progress bar, output to the same terminal must reach it before the bar is
    // redrawn, so stdout stays line-buffered there rather than block-buffered.
    let out: Box<dyn Write> = if progress.is_some() && stdout.is_terminal() {
        Box::new(stdout.lock())
    } else {
        Box::new(std::io::BufWriter::new(stdout.lock()))
    };
    let format = a.format.clone().unwrap_or_else(|| "pretty".into());
    let Some(main) = output::make(&format, out, opts.clone()) else {
        eprintln!(
            "error: unknown format `{format}` (known: {})",
            output::names().join(", ")
        );
        return EXIT_ERROR;
    };
    let mut writers: Vec<Box<dyn Writer>> = vec![main];
    if let Some(path) = &a.html {
        let file = match std::fs::File::create(path) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                return EXIT_ERROR;
            }
        };
        let html = output::make("html", Box::new(std::io::BufWriter::new(file)), opts)
            .expect("the html writer is registered");
        writers.push(html);
    }

    let mut summary = RunSummary::default();
    let mut io_error = None;
    let mut below_min = 0usize;
    let mut emit = |r: &FileReport, writers: &mut Vec<Box<dyn Writer>>| {
        for w in writers.iter_mut() {
            if let Err(e) = w.file(r) {
                io_error.get_or_insert(e);
                break;
            }
        }
    };
    for e in walk_errors {
        let r = FileReport {
            path: e.path.clone(),
            errors: vec![e],
            ..Default::default()
        };
        summary.add(&r);
        summary.files -= 1;
        emit(&r, &mut writers);
    }
    let read_options = |p: &std::path::Path| read.for_path(p);
    let bopts = BatchOptions {
        threads: a
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        keep_source: writers.iter().any(|w| w.wants_source()),
        read_options: &read_options,
    };
    batch::run(&files, &engine, &bopts, |mut r| {
        for t in &mut r.transcripts {
            let s = card.score(&t.checked);
            if let (Some(min), Some(score)) = (a.min_score, s.score) {
                if score < min {
                    below_min += 1;
                }
            }
            t.score = Some(s);
        }
        summary.add(&r);
        match &progress {
            Some(pb) => {
                pb.suspend(|| emit(&r, &mut writers));
                pb.inc(1);
            }
            None => emit(&r, &mut writers),
        }
    });
    if let Some(pb) = &progress {
        pb.finish_and_clear();
    }
    for w in writers.iter_mut() {
        if io_error.is_some() {
            break;
        }
        if let Err(e) = w.finish(&summary) {
            io_error = Some(e);
        }
    }
    if let Some(e) = io_error {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            eprintln!("error: cannot write output: {e}");
            return EXIT_ERROR;
        }
    }
    if summary.errors > 0 {
        EXIT_ERROR
    } else if below_min > 0 {
        if let Some(min) = a.min_score {
            eprintln!(
                "{below_min} transcript{} scored below --min-score {min}",
                if below_min == 1 { "" } else { "s" }
            );
        }
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}

fn progress_bar(len: u64) -> ProgressBar {
    let pb = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template(
            "{spinner} scoring [{bar:30}] {pos}/{len} files ({percent}%), eta {eta}",
        )
        .expect("valid progress template")
        .progress_chars("=> "),
    );
    pb
}
