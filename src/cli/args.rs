//! What the user typed: clap definitions only. `settings` turns these into what runs.
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

use crate::finding::Severity;

#[derive(Parser, Debug)]
#[command(name = "tonecheck", version, about = "Checks customer-service conversations against YAML rule packs.", long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check transcripts and scripts and print findings, like a linter.
    Check(CheckArgs),
    /// Score transcripts against a QA scorecard and summarise the batch.
    Score(ScoreArgs),
    /// Merge the results or summaries of shards (`score -f jsonl` output) into the summary
    /// one run over all of them gives.
    Summarize(SummarizeArgs),
    /// Browse and test rules.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Write a commented starter tonecheck.yaml in the current folder.
    Init {
        /// Overwrite an existing tonecheck.yaml.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// List every loaded rule.
    List(PackArgs),
    /// Explain one rule: what it flags, why, what to say instead, examples.
    Explain {
        /// Rule id, e.g. non-apology.
        id: String,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// Run every rule's examples (of the given pack files, or of all loaded packs).
    Test {
        /// Pack files to test; default: the packs in use.
        files: Vec<PathBuf>,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// Print the Markdown rule reference (docs/rules.md is generated with this).
    Doc(PackArgs),
    /// Print every string the engine's one automaton pass looks for (the anchors of all
    /// patterns, with inflections and contracted spellings), one per line: the phrase list
    /// `benches/throughput.sh` gives `rg -F -f` so both search for the same strings.
    #[command(hide = true)]
    Anchors(PackArgs),
    /// Show why a rule matched in a file: the normalised tokens of each turn it hit, each
    /// pattern that matched with the class or word each token came from, the exclusions
    /// tried, and the rule's findings.
    Trace {
        /// Rule id, e.g. blame-shifting.
        id: String,
        /// A transcript or script file.
        file: PathBuf,
        #[command(flatten)]
        packs: PackArgs,
    },
}

/// Which packs to load and which config to read.
#[derive(Args, Debug, Clone, Default)]
pub struct PackArgs {
    /// Extra rule pack (YAML); repeat for more.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Use only the packs given with --rules, not the built-in or configured ones.
    #[arg(long)]
    pub no_default_packs: bool,
    /// Config file (default: tonecheck.yaml found by walking up from the current folder).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore any tonecheck.yaml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Use the learned detector of every rule that has one (`learned:` in its pack): more
    /// findings on wordings the patterns miss, a little less precise (docs/accuracy.md).
    #[arg(long, conflicts_with = "no_learned")]
    pub learned: bool,
    /// Patterns only, whatever the config says about learned detectors.
    #[arg(long)]
    pub no_learned: bool,
}

#[derive(Args, Debug, Clone)]
pub struct CheckArgs {
    /// Files or folders (default: the current folder). `-` reads standard input.
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub packs: PackArgs,
    /// Output format.
    #[arg(long, short = 'f', value_name = "FORMAT")]
    pub format: Option<String>,
    /// How to read the text: a conversation, or agent-only script lines.
    #[arg(long, value_enum)]
    pub mode: Option<ModeArg>,
    /// Force an input format instead of detecting it from the extension.
    #[arg(long, value_name = "FORMAT")]
    pub input_format: Option<String>,
    #[command(flatten)]
    pub roles: RoleArgs,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub fail_on: Option<Severity>,
    /// Also write a self-contained HTML report of every transcript and finding to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// Write the batch summary (mergeable with `tonecheck summarize`) to FILE; `jsonl` then
    /// leaves out its summary line.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Worker threads (default: number of cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// When to color the pretty output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorArg,
    /// Report `tonecheck: ignore` directives that suppress nothing (as errors).
    #[arg(long)]
    pub report_unused_ignores: bool,
    /// Show only findings at or above this severity (error, warning, info, kudos); hidden
    /// findings do not count towards the exit code either.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub min_severity: Option<Severity>,
    /// Print a count per rule instead of the findings.
    #[arg(long)]
    pub statistics: bool,
    /// Print findings only: no explanations, no kudos, no summary line.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Repeat each rule's why/fix under every finding (default: under its first finding only).
    #[arg(long, conflicts_with = "quiet")]
    pub explain: bool,
}

#[derive(Args, Debug, Clone)]
pub struct ScoreArgs {
    /// Files or folders (default: the current folder). `-` reads standard input.
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub packs: PackArgs,
    /// Scorecard YAML (default: `scorecard:` in tonecheck.yaml, else the built-in one).
    #[arg(long, value_name = "FILE")]
    pub scorecard: Option<PathBuf>,
    /// Output format: pretty, json, jsonl or csv.
    #[arg(long, short = 'f', value_name = "FORMAT")]
    pub format: Option<String>,
    /// Exit 1 when any transcript scores below N (0-100).
    #[arg(long, value_name = "N")]
    pub min_score: Option<f64>,
    /// Also exit 1 when any transcript has a finding at or above this severity.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub fail_on: Option<Severity>,
    /// Also write a self-contained HTML report to FILE: the batch dashboard, the worst calls
    /// in full and the next ones listed (grouped by `queue` unless --group-by says otherwise).
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// With --html: also write every call as its own page (call-N.html) into DIR.
    #[arg(long, value_name = "DIR", requires = "html")]
    pub html_dir: Option<PathBuf>,
    /// Also total the scores by KEY: `agent`, `queue`, any metadata key, or the call's date
    /// by `date` (day), `date:week` or `date:month`; repeat for more.
    #[arg(long = "group-by", value_name = "KEY", value_parser = parse_group_key)]
    pub group_by: Vec<String>,
    /// Write the batch summary (mergeable with `tonecheck summarize`) to FILE; `jsonl` then
    /// leaves out its summary line.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// How to read the text: a conversation, or agent-only script lines.
    #[arg(long, value_enum)]
    pub mode: Option<ModeArg>,
    /// Force an input format instead of detecting it from the extension.
    #[arg(long, value_name = "FORMAT")]
    pub input_format: Option<String>,
    #[command(flatten)]
    pub roles: RoleArgs,
    /// Worker threads (default: number of cores).
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// When to color the pretty output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorArg,
}

#[derive(Args, Debug, Clone)]
pub struct SummarizeArgs {
    /// `jsonl` result files or summary files of shards; `-` reads standard input.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Total the scores by KEY too (for files of result lines; summary lines keep the
    /// grouping they were scored with); repeat for more.
    #[arg(long = "group-by", value_name = "KEY", value_parser = parse_group_key)]
    pub group_by: Vec<String>,
    /// Output: jsonl (the summary line, default), json, pretty.
    #[arg(long, short = 'f', value_name = "FORMAT")]
    pub format: Option<String>,
    /// Also write the dashboard of the merged summary as an HTML report to FILE.
    #[arg(long, value_name = "FILE")]
    pub html: Option<PathBuf>,
    /// When to color the pretty output.
    #[arg(long, value_enum, default_value = "auto")]
    pub color: ColorArg,
}

/// Which speaker label is which side, for every file of the run (beats `roles:`).
#[derive(Args, Debug, Clone, Default)]
pub struct RoleArgs {
    /// Speaker label of the agent (e.g. `spk_0`, `Dana`); repeat for more.
    #[arg(long = "agent", value_name = "LABEL")]
    pub agent: Vec<String>,
    /// Speaker label of the customer; repeat for more.
    #[arg(long = "customer", value_name = "LABEL")]
    pub customer: Vec<String>,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModeArg {
    Conversation,
    Script,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorArg {
    Auto,
    Always,
    Never,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(s)
        .ok_or_else(|| format!("`{s}` is not a severity (error, warning, info, kudos)"))
}

fn parse_group_key(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        return Err("the key is empty".into());
    }
    match s.split_once(':') {
        Some(("date", "day" | "week" | "month")) | None => Ok(s.to_string()),
        _ => Err(format!(
            "`{s}` is not a key; dates group by `date` (day), `date:week` or `date:month`"
        )),
    }
}
