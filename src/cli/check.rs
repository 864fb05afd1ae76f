//! `tonecheck check`: walk the paths, check every file in parallel, stream findings to the
//! chosen writer in path order.
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use super::args::{CheckArgs, ColorArg};
use super::settings::{self, ReadSettings};
use super::{report_pack_errors, EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS};
use crate::batch::{self, BatchOptions, FileReport};
use crate::input::walk;
use crate::output::{self, RunSummary, WriterOptions};

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
    let stdout = std::io::stdout();
    let color = match a.color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => stdout.is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let out: Box<dyn Write> = Box::new(std::io::BufWriter::new(stdout.lock()));
    let Some(mut writer) = output::make(
        &format,
        out,
        WriterOptions {
            color,
            ..Default::default()
        },
    ) else {
        eprintln!(
            "error: unknown format `{format}` (known: {})",
            output::names().join(", ")
        );
        return EXIT_ERROR;
    };
    let paths = if a.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        a.paths.clone()
    };
    let (files, walk_errors) = walk::collect(&paths);
    let mut summary = RunSummary::default();
    let mut io_error = None;
    for e in walk_errors {
        let r = FileReport {
            path: e.path.clone(),
            errors: vec![e],
            ..Default::default()
        };
        summary.add(&r);
        summary.files -= 1;
        if let Err(e) = writer.file(&r) {
            io_error.get_or_insert(e);
        }
    }
    let read_options = |p: &std::path::Path| read.for_path(p);
    let opts = BatchOptions {
        threads: a
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        keep_source: writer.wants_source(),
        read_options: &read_options,
    };
    batch::run(&files, &engine, &opts, |r| {
        summary.add(&r);
        if io_error.is_none() {
            if let Err(e) = writer.file(&r) {
                io_error = Some(e);
            }
        }
    });
    if io_error.is_none() {
        if let Err(e) = writer.finish(&summary) {
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
