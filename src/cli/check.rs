//! `tonecheck check`: walk the paths, check every file in parallel, stream findings to the
//! chosen writer in path order.
use super::args::CheckArgs;
use super::pipeline::{self, Batch};
use super::settings;
use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use crate::output::{self, WriterOptions};

pub fn run(a: CheckArgs) -> u8 {
    let pipeline::Setup { cfg, engine, read } =
        match pipeline::setup(&a.packs, a.mode, a.input_format.clone(), &a.roles) {
            Ok(s) => s,
            Err(code) => return code,
        };
    let fail_on = settings::fail_on(a.fail_on, &cfg);
    let format = match pipeline::format(&a.format) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let (files, walk_errors) = match pipeline::files(&a.paths, a.html.as_deref()) {
        Ok(f) => f,
        Err(code) => return code,
    };
    let progress = pipeline::progress_bar(files.len(), "checking");
    let opts = WriterOptions {
        color: pipeline::use_color(a.color),
        ..Default::default()
    };
    let mut writers = Vec::new();
    if let Some(path) = &a.html {
        match pipeline::html_writer(path, opts.clone()) {
            Ok(w) => writers.push(w),
            Err(code) => return code,
        }
    }
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
    let summary = match pipeline::run(&files, walk_errors, &batch, &mut writers, progress, |_| {}) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if summary.errors > 0 {
        EXIT_ERROR
    } else if summary
        .by_severity
        .iter()
        .any(|(s, n)| *n > 0 && *s >= fail_on && *s != crate::finding::Severity::Kudos)
    {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}
