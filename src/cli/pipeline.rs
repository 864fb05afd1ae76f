//! What `check` and `score` share: check the walked files in parallel, let the command adjust
//! each report (score it), and hand it to every writer in path order, with a progress bar on
//! a terminal for long batches.
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::collections::HashSet;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::args::{ColorArg, ModeArg, PackArgs, RoleArgs};
use super::settings::{self, Config, ReadSettings};
use super::{report_pack_errors, EXIT_ERROR};
use crate::batch::{self, BatchOptions, FileReport};
use crate::engine::Engine;
use crate::input::{walk, InputError};
use crate::output::{self, Render, RunSummary, Tally, Writer, WriterOptions};

/// Batches of at least this many files get a progress bar (when stderr is a terminal).
const PROGRESS_MIN_FILES: usize = 50;

/// What `check` and `score` both start from: the config, the compiled engine, and how to
/// read each file. Errors are printed; the `Err` is the exit code.
pub struct Setup {
    pub cfg: Config,
    /// Never dropped: the command ends the process right after, and freeing tens of
    /// thousands of compiled patterns one by one took ~5% of a small run's start-up.
    pub engine: std::mem::ManuallyDrop<Engine>,
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
        engine: std::mem::ManuallyDrop::new(engine),
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

/// The `--summary FILE` writer, or exit code 2 when the file cannot be created.
pub fn summary_writer(path: &Path) -> Result<Box<dyn Writer>, u8> {
    match std::fs::File::create(path) {
        Ok(f) => Ok(output::summary_writer(Box::new(std::io::BufWriter::new(f)))),
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
    /// `--group-by` keys the score summary is also totalled by.
    pub group_by: Vec<String>,
}

/// Exit code of a run ended by SIGINT (128 + 2, as shells report it).
pub const EXIT_INTERRUPTED: u8 = 130;

/// On the first SIGINT, raise `batch::INTERRUPTED` so the batch stops taking work and the
/// writers end on a whole line; a second SIGINT ends the process at once.
fn catch_interrupt() {
    extern "C" fn on_sigint(_: libc::c_int) {
        batch::INTERRUPTED.store(true, std::sync::atomic::Ordering::SeqCst);
        // Async-signal-safe: the next Ctrl-C gets the default action.
        unsafe {
            libc::signal(libc::SIGINT, libc::SIG_DFL);
        }
    }
    // SAFETY: the handler only stores to an atomic and resets the disposition, both
    // async-signal-safe.
    unsafe {
        libc::signal(
            libc::SIGINT,
            on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t,
        );
    }
}

/// Standard input when it is a JSON Lines stream (forced with `--input-format jsonl`, or
/// its first non-empty line is a JSON object with `turns`), ready to read from the start;
/// otherwise the bytes of whatever it holds, to read as one file. The first line is
/// read to decide; a stream of one endless line is cut at the one-file limit.
enum Stdin {
    Lines(Box<dyn BufRead + Send>),
    Whole(Result<Vec<u8>, String>),
}

fn stdin_error(message: String) -> FileReport {
    FileReport {
        path: "-".into(),
        errors: vec![InputError {
            path: "-".into(),
            line: None,
            message,
        }],
        ..Default::default()
    }
}

fn open_stdin(format: Option<&str>) -> Stdin {
    use std::io::Read;
    let mut input = std::io::BufReader::with_capacity(1 << 16, std::io::stdin());
    if format == Some("jsonl") {
        return Stdin::Lines(Box::new(input));
    }
    let limit = crate::input::MAX_FILE_BYTES;
    let mut head = Vec::new();
    let jsonl = if format.is_none() {
        loop {
            let start = head.len();
            match (&mut input).take(limit + 1).read_until(b'\n', &mut head) {
                Ok(0) => break false,
                Ok(_) => {}
                Err(e) => return Stdin::Whole(Err(format!("cannot read: {e}"))),
            }
            let line = &head[start..];
            if line.iter().all(u8::is_ascii_whitespace) && head.len() as u64 <= limit {
                continue;
            }
            break serde_json::from_slice::<serde_json::Value>(line)
                .is_ok_and(|v| v.get("turns").is_some());
        }
    } else {
        false
    };
    if jsonl {
        return Stdin::Lines(Box::new(std::io::Cursor::new(head).chain(input)));
    }
    let mut bytes = head;
    let got = (&mut input)
        .take((limit + 1).saturating_sub(bytes.len() as u64))
        .read_to_end(&mut bytes);
    Stdin::Whole(match got {
        Err(e) => Err(format!("cannot read: {e}")),
        Ok(_) if bytes.len() as u64 > limit => Err(format!(
            "larger than the {} MiB limit for one input file; not checked (split it)",
            limit >> 20
        )),
        Ok(_) => Ok(bytes),
    })
}

/// What a command does to each report before it is counted and written.
pub enum Each<'a> {
    /// A step that depends on the report alone (`check --min-severity`). It runs on the
    /// worker that checked the file; when every writer has a renderer, the worker then also
    /// renders the file for each writer and counts it, and only bytes and counts reach the
    /// writer thread.
    Alone(&'a (dyn Fn(&mut FileReport) + Sync)),
    /// A step in two parts (`score`): `first` depends on the report alone and runs on the
    /// worker that checked the file (scoring it); `then` keeps state over the run (the
    /// counts behind the exit code) and runs on the writer thread, once per file in path
    /// order. The writers are handed the reports.
    InOrder {
        first: &'a (dyn Fn(&mut FileReport) + Sync),
        then: &'a mut dyn FnMut(&mut FileReport),
    },
}

impl Each<'_> {
    fn apply(&mut self, r: &mut FileReport) {
        match self {
            Each::Alone(step) => step(r),
            Each::InOrder { first, then } => {
                first(r);
                then(r);
            }
        }
    }
}

/// One file as a worker leaves it when every writer has a renderer: what the writer thread
/// still needs of the report, and each writer's rendering of it.
struct Rendered {
    errors: Vec<InputError>,
    warnings: Vec<InputError>,
    tally: Tally,
    /// Per writer: the bytes and how rendering ended.
    outputs: Vec<(Vec<u8>, std::io::Result<()>)>,
}

impl Rendered {
    fn new(r: FileReport, renderers: &[Arc<dyn Render>]) -> Rendered {
        let outputs = renderers
            .iter()
            .map(|render| {
                let mut bytes = Vec::new();
                let res = render.render(&r, &mut bytes);
                (bytes, res)
            })
            .collect();
        Rendered {
            tally: Tally::of(&r),
            outputs,
            errors: r.errors,
            warnings: r.warnings,
        }
    }
}

/// Warnings go to stderr before the file's output, whatever the format.
fn print_warnings(warnings: &[InputError]) {
    if warnings.is_empty() {
        return;
    }
    let mut err = std::io::stderr().lock();
    for w in warnings {
        let _ = match w.line {
            Some(l) => writeln!(err, "{}:{l}: warning: {}", w.path, w.message),
            None => writeln!(err, "{}: warning: {}", w.path, w.message),
        };
    }
}

/// Hands a report to every writer. False once the output failed (or was closed), and from
/// then on: the batch can stop.
fn emit(
    r: &FileReport,
    writers: &mut [Box<dyn Writer>],
    io_error: &mut Option<std::io::Error>,
) -> bool {
    write_each(&r.warnings, writers.iter_mut().map(|w| w.file(r)), io_error)
}

/// `emit` of a file the workers rendered.
fn emit_rendered(
    r: Rendered,
    writers: &mut [Box<dyn Writer>],
    io_error: &mut Option<std::io::Error>,
) -> bool {
    let errors = &r.errors;
    let writes = writers
        .iter_mut()
        .zip(r.outputs)
        .map(|(w, (bytes, res))| w.rendered(errors, &bytes).and(res));
    write_each(&r.warnings, writes, io_error)
}

/// A file's warnings, then each writer's write (lazily, in order) until one fails; false
/// once the output failed, now or before.
fn write_each(
    warnings: &[InputError],
    writes: impl Iterator<Item = std::io::Result<()>>,
    io_error: &mut Option<std::io::Error>,
) -> bool {
    if io_error.is_some() {
        return false;
    }
    print_warnings(warnings);
    for res in writes {
        if let Err(e) = res {
            *io_error = Some(e);
            return false;
        }
    }
    true
}

/// `emit` under the progress bar, if there is one.
fn with_progress(progress: &Option<ProgressBar>, emit: impl FnOnce() -> bool) -> bool {
    match progress {
        Some(pb) => {
            let ok = pb.suspend(emit);
            pb.inc(1);
            ok
        }
        None => emit(),
    }
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
    mut each: Each,
) -> Result<RunSummary, u8> {
    catch_interrupt();
    let mut summary = RunSummary::grouped(&b.group_by);
    let mut io_error = None;
    for e in walk_errors {
        let r = FileReport {
            path: e.path.clone(),
            errors: vec![e],
            ..Default::default()
        };
        summary.add(&r);
        summary.files -= 1;
        emit(&r, writers, &mut io_error);
    }
    let read_options = |p: &Path| b.read.for_path(p);
    let threads = b
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let keep_source = writers.iter().any(|w| w.wants_source());
    let stdin_only = files.len() == 1 && files[0].as_os_str() == "-";
    let suppress = crate::suppress::Settings {
        known_rules: b.known_rules,
        report_unused: b.report_unused_ignores,
    };
    let mut read_error = None;
    if stdin_only {
        let path = Path::new("-");
        let opts = b.read.for_path(path);
        let mut one = |mut r: FileReport, writers: &mut [Box<dyn Writer>]| -> bool {
            each.apply(&mut r);
            summary.add(&r);
            emit(&r, writers, &mut io_error)
        };
        match open_stdin(opts.format.as_deref()) {
            // One transcript per line: each result leaves as soon as it and every earlier
            // line are done, and nothing accumulates but the summary.
            Stdin::Lines(input) if !keep_source => {
                let end = batch::run_lines(
                    input,
                    "-",
                    b.engine,
                    &opts,
                    threads,
                    &batch::INTERRUPTED,
                    |r| one(r, writers),
                );
                if let batch::StreamEnd::ReadError(e) = end {
                    read_error = Some(e.to_string());
                }
                // A stream is one input, whatever its number of lines.
                summary.files = 1;
            }
            Stdin::Lines(mut input) => {
                // A writer that shows source lines needs the whole text.
                let mut bytes = Vec::new();
                let r = match std::io::Read::read_to_end(&mut input, &mut bytes) {
                    Ok(_) => batch::check_bytes(
                        path,
                        bytes,
                        b.engine,
                        &opts,
                        keep_source,
                        Some(&suppress),
                    ),
                    Err(e) => stdin_error(format!("cannot read: {e}")),
                };
                one(r, writers);
            }
            Stdin::Whole(Ok(bytes)) => {
                one(
                    batch::check_bytes(path, bytes, b.engine, &opts, keep_source, Some(&suppress)),
                    writers,
                );
            }
            Stdin::Whole(Err(message)) => {
                one(stdin_error(message), writers);
            }
        }
    } else {
        let opts = BatchOptions {
            threads,
            keep_source,
            read_options: &read_options,
            suppress: Some(suppress),
        };
        // Each sink returns false once the output is gone: the batch stops starting files.
        match each {
            Each::Alone(step) => {
                let renderers: Option<Vec<Arc<dyn Render>>> =
                    writers.iter().map(|w| w.renderer()).collect();
                match renderers {
                    Some(renderers) => batch::run_with(
                        files,
                        b.engine,
                        &opts,
                        |mut r| {
                            step(&mut r);
                            Rendered::new(r, &renderers)
                        },
                        |r| {
                            summary.add_tally(&r.tally);
                            with_progress(&progress, || emit_rendered(r, writers, &mut io_error))
                        },
                    ),
                    None => batch::run_with(
                        files,
                        b.engine,
                        &opts,
                        |mut r| {
                            step(&mut r);
                            r
                        },
                        |r| {
                            summary.add(&r);
                            with_progress(&progress, || emit(&r, writers, &mut io_error))
                        },
                    ),
                }
            }
            Each::InOrder { first, then } => batch::run_with(
                files,
                b.engine,
                &opts,
                |mut r| {
                    first(&mut r);
                    r
                },
                |mut r| {
                    then(&mut r);
                    summary.add(&r);
                    with_progress(&progress, || emit(&r, writers, &mut io_error))
                },
            ),
        }
    }
    if let Some(e) = read_error {
        eprintln!("-: error: reading standard input failed: {e}; the lines before it were checked");
        summary.errors += 1;
    }
    summary.interrupted = batch::INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst);
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
        _ if summary.interrupted => {
            eprintln!(
                "interrupted: stopped after {} transcript{}; the output holds only whole results, and no summary line (the batch is incomplete)",
                summary.transcripts,
                if summary.transcripts == 1 { "" } else { "s" }
            );
            Err(EXIT_INTERRUPTED)
        }
        _ => Ok(summary),
    }
}
