//! What `check` and `score` share: check the walked files in parallel, let the command adjust
//! each report (score it), and hand it to every writer in path order, with a progress bar on
//! a terminal for long batches.
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::args::{ColorArg, ModeArg, PackArgs, RoleArgs};
use super::settings::{self, Config, ReadSettings};
use super::{report_pack_errors, EXIT_ERROR};
use crate::batch::{self, BatchOptions, FileReport};
use crate::engine::Engine;
use crate::input::{walk, InputError};
use crate::output::{self, RunSummary, Writer, WriterOptions};

/// Batches of at least this many files get a progress bar (when stderr is a terminal).
const PROGRESS_MIN_FILES: usize = 50;

/// What `check` and `score` both start from: the config, the compiled engine, and how to
/// read each file. Errors are printed; the `Err` is the exit code.
pub struct Setup {
    pub cfg: Config,
    pub engine: Engine,
    pub read: ReadSettings,
    /// Rule ids an inline suppression may name: loaded, turned off in the config, built-in.
    pub known_rules: HashSet<String>,
}

pub fn setup(
    packs: &PackArgs,
    mode: Option<ModeArg>,
    input_format: Option<String>,
    roles: &RoleArgs,
) -> Result<Setup, u8> {
    if let Some(f) = &input_format {
        if !crate::input::reader_names().contains(&f.as_str()) {
            eprintln!(
                "error: unknown input format `{f}` (known: {})",
                crate::input::reader_names().join(", ")
            );
            return Err(EXIT_ERROR);
        }
    }
    let cfg = settings::load_config(packs).map_err(|e| report_pack_errors(&e))?;
    let engine = settings::build_engine(packs, &cfg).map_err(|e| report_pack_errors(&e))?;
    let read =
        ReadSettings::new(&cfg, mode, input_format, roles).map_err(|e| report_pack_errors(&e))?;
    let known_rules = engine
        .rules()
        .iter()
        .map(|r| r.common.info.id.clone())
        .chain(cfg.def.rules.keys().cloned())
        .chain(crate::pack::STABLE_RULE_IDS.iter().map(|s| s.to_string()))
        .chain([crate::suppress::UNUSED_IGNORE.to_string()])
        .collect();
    Ok(Setup {
        cfg,
        engine,
        read,
        known_rules,
    })
}

/// The `--format` asked for (default `pretty`), or exit code 2 for an unknown one.
pub fn format(asked: &Option<String>) -> Result<String, u8> {
    let format = asked.clone().unwrap_or_else(|| "pretty".into());
    if output::names().contains(&format.as_str()) {
        Ok(format)
    } else {
        eprintln!(
            "error: unknown format `{format}` (known: {})",
            output::names().join(", ")
        );
        Err(EXIT_ERROR)
    }
}

/// The files under the given paths (default: the current folder), and walk errors. The
/// run's own outputs (standard output redirected to a file, the `--html` report) are never
/// read: a walked one is left out, and a named one is refused with exit code 2 before
/// anything is written (`check x.txt --html x.txt` would otherwise overwrite the input).
pub fn files(
    paths: &[PathBuf],
    html: Option<&Path>,
) -> Result<(Vec<PathBuf>, Vec<InputError>), u8> {
    let (mut files, errors) = if paths.is_empty() {
        walk::collect(&[PathBuf::from(".")])
    } else {
        walk::collect(paths)
    };
    let outputs: Vec<(FileId, String)> = stdout_id()
        .map(|id| (id, "standard output".to_string()))
        .into_iter()
        .chain(html.and_then(|p| Some((file_id(p)?, format!("--html {}", p.display())))))
        .collect();
    if outputs.is_empty() {
        return Ok((files, errors));
    }
    let named: Vec<Option<FileId>> = paths.iter().map(|p| file_id(p)).collect();
    for f in &files {
        let Some(id) = file_id(f) else { continue };
        if let Some((_, what)) = outputs.iter().find(|(o, _)| *o == id) {
            if named.contains(&Some(id)) {
                eprintln!(
                    "error: {} is both an input and the output ({what}); write the output elsewhere",
                    walk::display(f)
                );
                return Err(EXIT_ERROR);
            }
        }
    }
    files.retain(|f| file_id(f).is_none_or(|id| outputs.iter().all(|(o, _)| *o != id)));
    Ok((files, errors))
}

/// Which file a path is, whatever it is called (device and inode on Unix).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct FileId(u64, u64);

#[cfg(unix)]
fn file_id(p: &Path) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(p).ok()?;
    m.is_file().then(|| FileId(m.dev(), m.ino()))
}

#[cfg(unix)]
fn stdout_id() -> Option<FileId> {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let fd = std::io::stdout().as_fd().try_clone_to_owned().ok()?;
    let m = std::fs::File::from(fd).metadata().ok()?;
    m.is_file().then(|| FileId(m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn file_id(_: &Path) -> Option<FileId> {
    None
}

#[cfg(not(unix))]
fn stdout_id() -> Option<FileId> {
    None
}

/// Whether the pretty output is colored.
pub fn use_color(arg: ColorArg) -> bool {
    match arg {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    }
}

/// A bar for `files` files when stderr is a terminal and the batch is long; never when piped.
pub fn progress_bar(files: usize, verb: &str) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() || files < PROGRESS_MIN_FILES {
        return None;
    }
    let pb = ProgressBar::with_draw_target(Some(files as u64), ProgressDrawTarget::stderr());
    let template = format!(
        "{{spinner}} {verb} [{{bar:30}}] {{pos}}/{{len}} files ({{percent}}%), eta {{eta}}"
    );
    pb.set_style(
        ProgressStyle::with_template(&template)
            .expect("valid progress template")
            .progress_chars("=> "),
    );
    Some(pb)
}

/// Standard output for the writers. Under a progress bar on the same terminal, output must
/// reach it before the bar is redrawn, so it stays line-buffered there.
pub fn stdout(progress: bool) -> Box<dyn Write> {
    let out = std::io::stdout();
    if progress && out.is_terminal() {
        Box::new(out.lock())
    } else {
        Box::new(std::io::BufWriter::new(out.lock()))
    }
}

/// The `--html FILE` writer, or exit code 2 when the file cannot be created.
pub fn html_writer(path: &Path, opts: WriterOptions) -> Result<Box<dyn Writer>, u8> {
    match std::fs::File::create(path) {
        Ok(f) => {
            let out = Box::new(std::io::BufWriter::new(f));
            Ok(output::make("html", out, opts).expect("html is registered"))
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", path.display());
            Err(EXIT_ERROR)
        }
    }
}

/// How the files are checked.
pub struct Batch<'a> {
    pub engine: &'a Engine,
    pub read: &'a ReadSettings,
    pub threads: Option<usize>,
    pub known_rules: &'a HashSet<String>,
    /// `--report-unused-ignores`: a suppression that drops nothing is a finding.
    pub report_unused_ignores: bool,
}

/// Runs the batch: walk errors first, then every file in path order through `each` and on to
/// every writer, then `finish`. Returns the run's summary, or exit code 2 when the output
/// could not be written (reported here; a closed pipe is not an error).
pub fn run(
    files: &[PathBuf],
    walk_errors: Vec<InputError>,
    b: &Batch,
    writers: &mut [Box<dyn Writer>],
    progress: Option<ProgressBar>,
    mut each: impl FnMut(&mut FileReport),
) -> Result<RunSummary, u8> {
    let mut summary = RunSummary::default();
    let mut io_error = None;
    // Returns false once the output fails (a closed pipe: `check … | head -1`), so the
    // batch stops instead of checking files nobody will see.
    let mut emit = |r: &FileReport, writers: &mut [Box<dyn Writer>]| {
        if io_error.is_some() {
            return false;
        }
        let mut err = std::io::stderr().lock();
        for w in &r.warnings {
            let _ = match w.line {
                Some(l) => writeln!(err, "{}:{l}: warning: {}", w.path, w.message),
                None => writeln!(err, "{}: warning: {}", w.path, w.message),
            };
        }
        drop(err);
        for w in writers.iter_mut() {
            if let Err(e) = w.file(r) {
                io_error = Some(e);
                return false;
            }
        }
        true
    };
    for e in walk_errors {
        let r = FileReport {
            path: e.path.clone(),
            errors: vec![e],
            ..Default::default()
        };
        summary.add(&r);
        summary.files -= 1;
        emit(&r, writers);
    }
    let read_options = |p: &Path| b.read.for_path(p);
    let opts = BatchOptions {
        threads: b
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
        keep_source: writers.iter().any(|w| w.wants_source()),
        read_options: &read_options,
        suppress: Some(crate::suppress::Settings {
            known_rules: b.known_rules,
            report_unused: b.report_unused_ignores,
        }),
    };
    batch::run(files, b.engine, &opts, |mut r| {
        each(&mut r);
        summary.add(&r);
        match &progress {
            Some(pb) => {
                let ok = pb.suspend(|| emit(&r, writers));
                pb.inc(1);
                ok
            }
            None => emit(&r, writers),
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
    match io_error {
        Some(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            eprintln!("error: cannot write output: {e}");
            Err(EXIT_ERROR)
        }
        _ => Ok(summary),
    }
}
