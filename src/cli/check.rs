//! `tonecheck check`: walk the paths, check every file in parallel, stream findings to the
//! chosen writer in path order.
use super::args::CheckArgs;
use super::pipeline::{self, Batch};
use super::settings;
use super::{EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use crate::output::{self, WriterOptions};

pub fn run(a: CheckArgs) -> u8 {
    let pipeline::Setup {
        cfg,
        engine,
        read,
        known_rules,
    } = match pipeline::setup(&a.packs, a.mode, a.input_format.clone(), &a.roles) {
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
        no_summary_line: a.summary.is_some(),
        quiet: a.quiet,
        explain: a.explain,
        ..Default::default()
    };
    let mut writers = Vec::new();
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
    let out = pipeline::stdout(progress.is_some());
    let main = if a.statistics {
        output::make_statistics(out, opts)
    } else {
        output::make(&format, out, opts).expect("format checked above")
    };
    writers.insert(0, main);
    let batch = Batch {
        engine: &engine,
        read: &read,
        threads: a.threads,
        group_by: Vec::new(),
        known_rules: &known_rules,
        report_unused_ignores: a.report_unused_ignores,
    };
    // Depends on the report alone, so it runs on the workers (`Each::Alone`).
    let shown = |r: &mut crate::batch::FileReport| {
        if let Some(min) = a.min_severity {
            for t in &mut r.transcripts {
                t.checked.findings.retain(|f| f.severity >= min);
            }
        }
    };
    let summary = match pipeline::run(
        &files,
        walk_errors,
        &batch,
        &mut writers,
        progress,
        pipeline::Each::Alone(&shown),
    ) {
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
