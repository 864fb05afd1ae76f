//! Checking many files in parallel and handing each file's report to a sink in path order,
//! so `-j 1` and `-j 8` produce byte-identical output and memory stays flat.
use std::collections::BTreeMap;
use std::io::{BufRead, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Condvar, Mutex};
use std::time::Duration;

use crate::engine::{Checked, Engine};
use crate::input::{self, walk, InputError, ReadOptions};
use crate::score::CallScore;
use crate::suppress;
use crate::transcript::{Mode, Role, Transcript};

/// One transcript with what the engine found in it.
#[derive(Debug, Clone)]
pub struct TranscriptReport {
    pub transcript: Transcript,
    pub checked: Checked,
    /// The call's scorecard, filled in by `tonecheck score` (never by `check`).
    pub score: Option<CallScore>,
}

/// Everything about one input file.
#[derive(Debug, Clone, Default)]
pub struct FileReport {
    pub path: String,
    pub transcripts: Vec<TranscriptReport>,
    /// Problems that kept (part of) the file from being checked; they make the exit code 2.
    pub errors: Vec<InputError>,
    /// Problems that did not stop checking (an unknown rule id in a suppression); stderr only.
    pub warnings: Vec<InputError>,
    /// The file's text, kept only when a writer shows source lines.
    pub source: Option<Arc<str>>,
    /// The exact bytes of the file's name when they are not UTF-8 (`path` shows them
    /// escaped), so machine-readable output still names the file.
    pub path_bytes: Option<Vec<u8>>,
}

/// How a batch reads and checks files.
pub struct BatchOptions<'a> {
    pub threads: usize,
    /// Keep each file's text in its report (for writers that print source lines).
    pub keep_source: bool,
    /// Read options for a path (config overrides may differ per folder).
    pub read_options: &'a (dyn Fn(&Path) -> ReadOptions + Sync),
    /// How inline suppressions are checked; `None` leaves them to the engine.
    pub suppress: Option<suppress::Settings<'a>>,
}

/// Raised by the SIGINT handler of the command line: batches stop taking new work, hand
/// on what is done, and the run ends cleanly.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Reads and checks one file. Never panics on bad input: every problem becomes an error.
pub fn check_file(
    path: &Path,
    engine: &Engine,
    opts: &ReadOptions,
    keep_source: bool,
    suppress: Option<&suppress::Settings>,
) -> FileReport {
    match input::read_file_bytes(path) {
        Ok(bytes) => check_bytes(path, bytes, engine, opts, keep_source, suppress),
        Err(message) => {
            let mut report = empty_report(path);
            report.errors.push(InputError {
                path: report.path.clone(),
                line: None,
                message,
            });
            report
        }
    }
}

fn empty_report(path: &Path) -> FileReport {
    FileReport {
        path: walk::display(path),
        path_bytes: path.to_str().is_none().then(|| walk::raw_bytes(path)),
        ..Default::default()
    }
}

/// Checks the bytes read from `path`.
pub fn check_bytes(
    path: &Path,
    bytes: Vec<u8>,
    engine: &Engine,
    opts: &ReadOptions,
    keep_source: bool,
    suppress: Option<&suppress::Settings>,
) -> FileReport {
    let mut report = empty_report(path);
    let shown = report.path.clone();
    let (transcripts, errors) = input::read_all(&report.path, &bytes, opts);
    report.errors = errors;
    for mut t in transcripts {
        if t.mode == Mode::Conversation && !t.roles_resolved() {
            report.errors.push(unresolved(&shown, &t));
            continue;
        }
        let checked = match suppress {
            Some(s) if !t.suppressions.is_empty() => {
                // Checked without its directives, so that each can be judged.
                let directives = std::mem::take(&mut t.suppressions);
                let mut checked = engine.check(&t);
                t.suppressions = directives;
                // The text the reader saw (decoded, without a byte-order mark).
                let source = input::decode(&shown, &bytes, opts)
                    .unwrap_or_else(|_| String::from_utf8_lossy(&bytes));
                report.warnings.extend(suppress::apply(
                    &shown,
                    &source,
                    &t,
                    &mut checked.findings,
                    s,
                ));
                checked
            }
            _ => engine.check(&t),
        };
        report.transcripts.push(TranscriptReport {
            transcript: t,
            checked,
            score: None,
        });
    }
    if keep_source {
        report.source = String::from_utf8(bytes).ok().map(Arc::from);
    }
    report
}

/// Checks one transcript into `report`, or reports it when its roles stay unknown.
fn check_into(report: &mut FileReport, t: Transcript, engine: &Engine) {
    if t.mode == Mode::Conversation && !t.roles_resolved() {
        report.errors.push(unresolved(&report.path, &t));
        return;
    }
    let checked = engine.check(&t);
    report.transcripts.push(TranscriptReport {
        transcript: t,
        checked,
        score: None,
    });
}

/// Labels listed in an "unresolved speakers" error; the rest are counted.
const MAX_LISTED_LABELS: usize = 10;

/// The report for a transcript whose roles stay unknown: it is not scored as if they were.
/// The hint names the real labels and never guesses which one is the agent. Linear in the
/// number of turns, and at most `MAX_LISTED_LABELS` labels long, however many there are.
fn unresolved(path: &str, t: &Transcript) -> InputError {
    use std::collections::HashSet;
    // Each label once, and each (label, role) pair once, in order of first appearance.
    let (mut seen, mut seen_pairs) = (HashSet::new(), HashSet::new());
    let (mut labels, mut pairs): (Vec<&str>, Vec<(&str, Role)>) = (Vec::new(), Vec::new());
    for turn in &t.turns {
        if seen.insert(turn.speaker.as_str()) {
            labels.push(&turn.speaker);
        }
        if seen_pairs.insert((turn.speaker.as_str(), turn.role)) {
            pairs.push((&turn.speaker, turn.role));
        }
    }
    let list = |items: Vec<&str>| {
        let more = items.len().saturating_sub(MAX_LISTED_LABELS);
        let mut shown: Vec<String> = items
            .iter()
            .take(MAX_LISTED_LABELS)
            .map(|l| format!("`{l}`"))
            .collect();
        if more > 0 {
            shown.push(format!("and {more} more"));
        }
        shown.join(", ")
    };
    let with_role = |role: Role| {
        pairs
            .iter()
            .filter(|(_, r)| *r == role)
            .map(|(l, _)| *l)
            .collect::<Vec<_>>()
    };
    let (agents, customers) = (with_role(Role::Agent), with_role(Role::Customer));
    let missing = if agents.is_empty() {
        "agent"
    } else {
        "customer"
    };
    let what = if t.id.is_empty()
        || Some(t.id.as_str())
            == std::path::Path::new(path)
                .file_stem()
                .and_then(|s| s.to_str())
    {
        String::new()
    } else {
        format!("transcript `{}`: ", t.id)
    };
    let message = if labels.len() == 1 {
        format!(
            "{what}only one speaker (`{}`) in this transcript, so there is no telling the {missing} apart (no diarisation, or one side missing); pass --agent LABEL / --customer LABEL, or use --mode script for agent-only text; not checked",
            labels[0]
        )
    } else {
        let known = if !agents.is_empty() {
            format!("; agent: {}", list(agents))
        } else if !customers.is_empty() {
            format!("; customer: {}", list(customers))
        } else {
            String::new()
        };
        format!(
            "{what}could not tell which speaker is the {missing} (speakers: {}{known}; no greeting such as \"thank you for calling\" in the first turns); name the {missing} with --{missing} LABEL, or `roles:` in tonecheck.yaml for labels that never change; not checked",
            list(labels)
        )
    };
    InputError {
        path: path.to_string(),
        line: Some(t.turns.first().map_or(1, |x| x.line())),
        message,
    }
}

/// Most worker threads a batch starts, whatever `-j` asks: more only adds memory and
/// scheduling (and `-j 18446744073709551615` used to overflow the queue's capacity).
pub const MAX_THREADS: usize = 256;

/// Checks `files` on `opts.threads` workers and calls `sink` once per file, in the order of
/// `files`, until `sink` returns false (its output went away): then no further file is
/// started. Workers take files in order from a shared counter, so only the few files
/// finished ahead of a slow one wait in memory.
pub fn run(
    files: &[PathBuf],
    engine: &Engine,
    opts: &BatchOptions,
    sink: impl FnMut(FileReport) -> bool,
) {
    run_with(files, engine, opts, |r| r, sink)
}

/// As `run`, but each report first goes through `work` on the worker that checked it, and
/// the sink gets what `work` made of it, in the order of `files`. Work that depends on the
/// report alone (rendering a streaming format, counting it) is thus spread over the
/// workers instead of queueing on the thread that writes, and the report is freed where
/// it was allocated.
pub fn run_with<T: Send>(
    files: &[PathBuf],
    engine: &Engine,
    opts: &BatchOptions,
    work: impl Fn(FileReport) -> T + Sync,
    mut sink: impl FnMut(T) -> bool,
) {
    let threads = opts.threads.clamp(1, MAX_THREADS).min(files.len().max(1));
    if threads == 1 {
        for f in files {
            if INTERRUPTED.load(Ordering::Relaxed) {
                break;
            }
            let report = check_file(
                f,
                engine,
                &(opts.read_options)(f),
                opts.keep_source,
                opts.suppress.as_ref(),
            );
            if !sink(work(report)) {
                return;
            }
        }
        return;
    }
    let next = AtomicUsize::new(0);
    // Bounded, so that when writing is slower than checking (a big output, a busy machine)
    // workers wait instead of queueing every report in memory.
    let (tx, rx) = mpsc::sync_channel::<Vec<(usize, T)>>(threads * 4);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool");
    std::thread::scope(|s| {
        let (next, work) = (&next, &work);
        s.spawn(move || {
            pool.scope(|scope| {
                for _ in 0..threads {
                    let tx = tx.clone();
                    scope.spawn(move |_| {
                        let mut done: Vec<(usize, T)> = Vec::new();
                        let mut since = std::time::Instant::now();
                        loop {
                            if INTERRUPTED.load(Ordering::Relaxed) {
                                break;
                            }
                            let i = next.fetch_add(1, Ordering::Relaxed);
                            let Some(f) = files.get(i) else { break };
                            let r = check_file(
                                f,
                                engine,
                                &(opts.read_options)(f),
                                opts.keep_source,
                                opts.suppress.as_ref(),
                            );
                            done.push((i, work(r)));
                            if done.len() >= HANDOFF_FILES || since.elapsed() >= HANDOFF_TIME {
                                if tx.send(std::mem::take(&mut done)).is_err() {
                                    return;
                                }
                                since = std::time::Instant::now();
                            }
                        }
                        if !done.is_empty() {
                            let _ = tx.send(done);
                        }
                    });
                }
                drop(tx);
            });
        });
        let mut pending = BTreeMap::new();
        let mut want = 0;
        'receive: for (i, r) in rx.into_iter().flatten() {
            pending.insert(i, r);
            while let Some(r) = pending.remove(&want) {
                if !sink(r) {
                    // No file after this one is started; dropping the receiver ends the
                    // workers' waits on a full queue.
                    next.store(files.len(), Ordering::Relaxed);
                    break 'receive;
                }
                want += 1;
            }
        }
    });
}

/// A worker hands its finished reports to the writer in bundles of this many files, or
/// sooner once this much time has passed since its last bundle: one wake-up of the writer
/// thread per file preempted a worker thousands of times a second on small files.
const HANDOFF_FILES: usize = 32;
const HANDOFF_TIME: std::time::Duration = std::time::Duration::from_millis(50);

/// How many lines may be read ahead of the oldest one not yet handed to the sink: with the
/// channels, this bounds the memory of a stream however long it runs.
const STREAM_WINDOW: usize = 256;

/// Why a stream stopped early.
#[derive(Debug)]
pub enum StreamEnd {
    /// The input ended (or the sink asked to stop): every line read was handed on.
    Done,
    /// `stop` was raised (SIGINT): the lines read so far were handed on, the rest not read.
    Interrupted,
    /// Reading the input failed; the lines before the failure were handed on.
    ReadError(std::io::Error),
}

/// Checks a JSON Lines stream (standard input for `-`) one line at a time on `threads`
/// workers and calls `sink` once per non-empty line, in input order, with a report of
/// that line's transcript (or error). Results leave as soon as every earlier line is done,
/// and memory stays flat in the number of lines. `sink` returns false to stop (the output
/// is closed or failing); `stop` is polled to end early on an interrupt.
pub fn run_lines(
    input: Box<dyn BufRead + Send>,
    path: &str,
    engine: &Engine,
    opts: &ReadOptions,
    threads: usize,
    stop: &'static AtomicBool,
    mut sink: impl FnMut(FileReport) -> bool,
) -> StreamEnd {
    let threads = threads.max(1);
    type Line = (usize, usize, Vec<u8>);
    let (line_tx, line_rx) = mpsc::sync_channel::<Line>(threads * 4);
    let (done_tx, done_rx) = mpsc::sync_channel::<(usize, FileReport)>(threads * 4);
    // (lines handed to the sink, reader finished), with a condvar the reader waits on.
    let progress = Arc::new((Mutex::new(0usize), Condvar::new()));
    let read_count = Arc::new(AtomicUsize::new(0));
    let halt = Arc::new(AtomicBool::new(false));
    let read_error: Arc<Mutex<Option<std::io::Error>>> = Arc::default();
    // The reader is not scoped: on an interrupt it may sit in a read of a terminal, and the
    // run must end without it.
    {
        let (progress, read_count, halt, read_error) = (
            progress.clone(),
            read_count.clone(),
            halt.clone(),
            read_error.clone(),
        );
        std::thread::spawn(move || {
            let mut input = input;
            let mut n = 0usize;
            let mut i = 0usize;
            loop {
                if stop.load(Ordering::Relaxed) || halt.load(Ordering::Relaxed) {
                    break;
                }
                let mut buf = Vec::new();
                // A line longer than the one-file limit is refused (and the stream with it)
                // rather than read without end.
                let limit = crate::input::MAX_FILE_BYTES + 1;
                match (&mut input).take(limit).read_until(b'\n', &mut buf) {
                    Ok(0) => break,
                    Ok(_) if buf.len() as u64 >= limit && buf.last() != Some(&b'\n') => {
                        *read_error.lock().expect("lock") = Some(std::io::Error::other(format!(
                            "line {} is longer than the {} MiB limit for one transcript",
                            n + 1,
                            crate::input::MAX_FILE_BYTES >> 20
                        )));
                        break;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        *read_error.lock().expect("lock") = Some(e);
                        break;
                    }
                }
                n += 1;
                // A byte-order mark starts the stream, not a line (as when a file is read).
                let content = match buf.strip_prefix(b"\xEF\xBB\xBF") {
                    Some(rest) if n == 1 => rest,
                    _ => &buf[..],
                };
                if content.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                // Wait while the window is full (the sink is behind a slow line).
                let (lock, cv) = &*progress;
                let mut handed = lock.lock().expect("lock");
                while i >= *handed + STREAM_WINDOW
                    && !stop.load(Ordering::Relaxed)
                    && !halt.load(Ordering::Relaxed)
                {
                    handed = cv
                        .wait_timeout(handed, Duration::from_millis(50))
                        .expect("lock")
                        .0;
                }
                drop(handed);
                read_count.fetch_add(1, Ordering::SeqCst);
                if line_tx.send((i, n, buf)).is_err() {
                    break;
                }
                i += 1;
            }
        });
    }
    let line_rx = Mutex::new(line_rx);
    let mut ended_by_sink = false;
    std::thread::scope(|s| {
        for _ in 0..threads {
            let done_tx = done_tx.clone();
            let line_rx = &line_rx;
            let halt = &halt;
            s.spawn(move || loop {
                if halt.load(Ordering::Relaxed) {
                    break;
                }
                let got = line_rx
                    .lock()
                    .expect("lock")
                    .recv_timeout(Duration::from_millis(50));
                let (i, n, bytes) = match got {
                    Ok(x) => x,
                    Err(mpsc::RecvTimeoutError::Timeout) => continue,
                    Err(mpsc::RecvTimeoutError::Disconnected) => break,
                };
                let mut report = FileReport {
                    path: path.to_string(),
                    ..Default::default()
                };
                match crate::input::jsonl::read_line(path, n, &bytes, opts) {
                    Ok(t) => check_into(&mut report, t, engine),
                    Err(e) => report.errors.push(e),
                }
                if done_tx.send((i, report)).is_err() {
                    break;
                }
            });
        }
        drop(done_tx);
        let mut pending = BTreeMap::new();
        let mut want = 0usize;
        loop {
            match done_rx.recv_timeout(Duration::from_millis(50)) {
                Ok((i, r)) => {
                    pending.insert(i, r);
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
            while let Some(r) = pending.remove(&want) {
                want += 1;
                if !sink(r) {
                    ended_by_sink = true;
                    halt.store(true, Ordering::SeqCst);
                    break;
                }
                let (lock, cv) = &*progress;
                *lock.lock().expect("lock") = want;
                cv.notify_one();
            }
            if ended_by_sink {
                break;
            }
            // Interrupted: once every line read has been handed on, stop waiting for the
            // reader (it may be blocked on a terminal).
            if stop.load(Ordering::Relaxed) && want == read_count.load(Ordering::SeqCst) {
                break;
            }
        }
        // Workers finish the line in hand and stop; drain what they send so none blocks.
        halt.store(true, Ordering::SeqCst);
        while done_rx.recv().is_ok() {}
    });
    if let Some(e) = read_error.lock().expect("lock").take() {
        return StreamEnd::ReadError(e);
    }
    if stop.load(Ordering::Relaxed) && !ended_by_sink {
        return StreamEnd::Interrupted;
    }
    StreamEnd::Done
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EngineBuilder;
    use crate::pack::PackSource;

    fn files(n: usize) -> (tempfile::TempDir, Vec<PathBuf>) {
        let dir = tempfile::tempdir().unwrap();
        let paths = (0..n)
            .map(|i| {
                let p = dir.path().join(format!("call-{i:03}.txt"));
                // Every seventh file is large, so workers finish out of order.
                let body = if i % 7 == 0 {
                    "Agent: How can I help?\n".repeat(400)
                } else {
                    String::new()
                };
                std::fs::write(
                    &p,
                    format!("Customer: My order {i} never came.\n{body}Agent: Sorry about that.\n"),
                )
                .unwrap();
                p
            })
            .collect();
        (dir, paths)
    }

    fn paths_seen(files: &[PathBuf], threads: usize, stop_after: usize) -> Vec<String> {
        let engine = EngineBuilder::new()
            .packs(PackSource::all_builtin())
            .build()
            .unwrap();
        let read = |_: &Path| ReadOptions::default();
        let opts = BatchOptions {
            threads,
            keep_source: false,
            read_options: &read,
            suppress: None,
        };
        let mut seen = Vec::new();
        run(files, &engine, &opts, |r| {
            seen.push(r.path.clone());
            seen.len() < stop_after
        });
        seen
    }

    /// Workers hand reports over in bundles (`HANDOFF_FILES`); the sink still sees every
    /// file once, in the order given, whatever the thread count, and nothing after it
    /// returned false.
    #[test]
    fn reports_reach_the_sink_in_order_and_stop_when_asked() {
        let (_dir, files) = files(3 * HANDOFF_FILES + 5);
        let want: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
        for threads in [1, 2, 3] {
            assert_eq!(
                paths_seen(&files, threads, usize::MAX),
                want,
                "{threads} threads"
            );
            assert_eq!(
                paths_seen(&files, threads, 40),
                want[..40],
                "{threads} threads, stop at 40"
            );
        }
    }

    /// `run_with`'s work runs once per file, on the workers when there are several (never
    /// on the thread of the sink), and what it made reaches the sink in the order given.
    #[test]
    fn work_runs_on_the_workers_and_its_results_arrive_in_order() {
        let (_dir, files) = files(2 * HANDOFF_FILES + 3);
        let engine = EngineBuilder::new()
            .packs(PackSource::all_builtin())
            .build()
            .unwrap();
        let read = |_: &Path| ReadOptions::default();
        let want: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
        for threads in [1, 2, 3] {
            let opts = BatchOptions {
                threads,
                keep_source: false,
                read_options: &read,
                suppress: None,
            };
            let sink_thread = std::thread::current().id();
            let mut seen = Vec::new();
            run_with(
                &files,
                &engine,
                &opts,
                |r| (r.path.clone(), std::thread::current().id()),
                |(path, worker)| {
                    assert_eq!(worker == sink_thread, threads == 1, "{threads} threads");
                    seen.push(path);
                    true
                },
            );
            assert_eq!(seen, want, "{threads} threads");
        }
    }
}
