//! `tonecheck check`: walk the paths, check every file in parallel, stream findings to the
//! chosen writer in path order.
use std::path::PathBuf;

use super::args::CheckArgs;
use super::pipeline::{self, Batch};
use super::settings::{self, ReadSettings};
use super::{report_pack_errors, EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use crate::input::walk;
use crate::output::{self, WriterOptions};

pub fn run(a: CheckArgs) -> u8 {
    let cfg = match settings::load_config(&a.packs) {
        Ok(c) => c,
        Err(e) => return report_pack_errors(&e),
    };
    let engine = match settings::build_engine(&a.packs, &cfg) {
        Ok(e) => e,
        Err(e) => return report_pack_errors(&e),
    };
    let read = match ReadSettings::new(&cfg, a.mode, a.input_format.clone()) {
        Ok(r) => r,
        Err(e) => return report_pack_errors(&e),
    };
    let fail_on = settings::fail_on(a.fail_on, &cfg);
    let format = a.format.clone().unwrap_or_else(|| "pretty".into());
    if !output::names().contains(&format.as_str()) {
        eprintln!(
            "error: unknown format `{format}` (known: {})",
            output::names().join(", ")
        );
        return EXIT_ERROR;
    }
    let paths = if a.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        a.paths.clone()
    };
    let (files, walk_errors) = walk::collect(&paths);
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
