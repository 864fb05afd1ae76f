//! Resolved settings: defaults, then tonecheck.yaml, then flags. Only these reach the engine.
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};

use super::args::{ModeArg, PackArgs, RoleArgs};
use crate::engine::{Engine, EngineBuilder, LearnedOverride, RuleOverride};
use crate::finding::Severity;
use crate::input::{ReadOptions, RoleMap};
use crate::pack::config::LearnedSetting;
use crate::pack::config::{parse_config, ConfigDef};
use crate::pack::scorecard::ScorecardSource;
use crate::pack::{PackError, PackSource};
use crate::transcript::{Mode, Role};

pub const CONFIG_NAMES: &[&str] = &["tonecheck.yaml", "tonecheck.yml", ".tonecheck.yaml"];

/// The config in force and where it came from.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub path: Option<PathBuf>,
    pub def: ConfigDef,
    /// The file's text, to point errors found after parsing at their line.
    pub text: String,
}

impl Config {
    /// How errors name the config: its path, or `config`.
    pub fn origin(&self) -> String {
        self.path
            .as_ref()
            .map_or("config".to_string(), |p| p.display().to_string())
    }

    /// (origin, line, column) of the first occurrence of `needle` in the config file.
    pub fn position_of(&self, needle: &str) -> Option<(String, usize, usize)> {
        let (line, column) = crate::pack::Locator::for_text(&self.text).anywhere(needle, 1)?;
        Some((self.origin(), line, column))
    }

    /// Folder that relative paths in the config are resolved against.
    pub fn base(&self) -> PathBuf {
        self.path
            .as_ref()
            .and_then(|p| p.parent())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    }
}

/// Finds and parses the config: `--config`, else the nearest tonecheck.yaml upwards.
pub fn load_config(args: &PackArgs) -> Result<Config, Vec<PackError>> {
    if args.no_config {
        return Ok(Config::default());
    }
    let path = match &args.config {
        Some(p) => Some(p.clone()),
        None => find_config(),
    };
    let Some(path) = path else {
        return Ok(Config::default());
    };
    let text = crate::pack::yaml::read_file(&path, "config").map_err(|e| vec![e])?;
    let def = parse_config(&path.display().to_string(), &text).map_err(|e| vec![e])?;
    Ok(Config {
        path: Some(path),
        def,
        text,
    })
}

fn find_config() -> Option<PathBuf> {
    let mut dir = std::env::current_dir().ok()?;
    loop {
        for name in CONFIG_NAMES {
            let p = dir.join(name);
            if p.is_file() {
                return Some(p);
            }
        }
        if !dir.pop() {
            return None;
        }
    }
}

/// The packs in force: configured (or all built-in) unless `--no-default-packs`, plus `--rules`.
pub fn pack_sources(args: &PackArgs, cfg: &Config) -> Result<Vec<PackSource>, Vec<PackError>> {
    let mut out = Vec::new();
    let mut errors = Vec::new();
    if !args.no_default_packs {
        match &cfg.def.packs {
            Some(list) => {
                for spec in list {
                    match PackSource::resolve(spec, &cfg.base()) {
                        Ok(p) => out.push(p),
                        Err(mut e) => {
                            // A config's bad `packs:` entry is the config's error, at its line.
                            if let Some(at) = cfg.position_of(spec) {
                                e.message = format!("in `packs:`: `{spec}`: {}", e.message);
                                (e.origin, e.line, e.column) = at;
                            }
                            errors.push(e)
                        }
                    }
                }
            }
            None => out.extend(PackSource::all_builtin()),
        }
    }
    for f in &args.rules {
        match PackSource::from_file(f) {
            Ok(p) => out.push(p),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

pub fn engine_builder(cfg: &Config, packs: Vec<PackSource>) -> EngineBuilder {
    let mut b = EngineBuilder::new().packs(packs);
    for (id, o) in &cfg.def.rules {
        b = b.override_rule(
            id,
            RuleOverride {
                severity: o.severity,
                disabled: o.disabled,
                learned: o.learned.map(|l| match l {
                    LearnedSetting::Switch(true) => LearnedOverride::On,
                    LearnedSetting::Switch(false) => LearnedOverride::Off,
                    LearnedSetting::Threshold(t) => LearnedOverride::Threshold(t),
                }),
            },
        );
    }
    b
}

pub fn build_engine(args: &PackArgs, cfg: &Config) -> Result<Engine, Vec<PackError>> {
    build_engine_with(args, cfg, true)
}

/// The engine for the packs and overrides in force; `check_examples` off lets `rules test`
/// list every failing example instead of refusing the pack. Errors the engine finds in the
/// config's `rules:` come back at their config line, with the closest rule id.
pub fn build_engine_with(
    args: &PackArgs,
    cfg: &Config,
    check_examples: bool,
) -> Result<Engine, Vec<PackError>> {
    let packs = pack_sources(args, cfg)?;
    engine_builder(cfg, packs)
        .check_examples(check_examples)
        .learned(args.learned || cfg.def.learned == Some(true))
        .patterns_only(args.no_learned)
        .build()
        .map_err(|mut errs| {
            // The sources again, for a message only (not copied on every start).
            let packs = pack_sources(args, cfg).unwrap_or_default();
            for e in &mut errs {
                if e.origin != "config" {
                    continue;
                }
                e.origin = cfg.origin();
                // The rule id the message names after `marker`, placed at its `rules:` entry.
                let named = |e: &mut PackError, marker: &str| {
                    let id = e
                        .message
                        .split_once(marker)
                        .and_then(|(_, r)| r.split_once('`'))
                        .map(|(id, _)| id.to_string())?;
                    if let Some((_, line, column)) = cfg.position_of(&format!("{id}:")) {
                        (e.line, e.column) = (line, column);
                    }
                    Some(id)
                };
                if let Some(id) = named(e, "unknown rule `") {
                    e.message = unknown_rule_message(&id, &packs);
                }
                named(e, "entry for `");
            }
            errs
        })
}

/// Why a config's `rules:` entry names no loaded rule: a built-in pack left out of `packs:`,
/// or a typo (with the closest id of the loaded and built-in packs).
fn unknown_rule_message(id: &str, loaded: &[PackSource]) -> String {
    let ids_of = |p: &PackSource| -> Vec<String> {
        crate::pack::parse_pack(p)
            .map(|d| d.rules.into_iter().map(|r| r.id).collect())
            .unwrap_or_default()
    };
    for b in PackSource::all_builtin() {
        if !loaded.iter().any(|l| l.origin == b.origin) && ids_of(&b).iter().any(|r| r == id) {
            return format!(
                "`rules:` names rule `{id}`, which is in `{}`; add that pack to `packs:` or drop the entry",
                b.origin
            );
        }
    }
    let mut ids: Vec<String> = loaded.iter().flat_map(ids_of).collect();
    ids.extend(crate::pack::STABLE_RULE_IDS.iter().map(|s| s.to_string()));
    let hint = crate::pack::suggest::did_you_mean(id, ids.iter().map(String::as_str));
    format!(
        "`rules:` names unknown rule `{id}`{hint} (`tonecheck rules list` shows the loaded rules)"
    )
}

/// Per-file read options: the base ones, changed by the first matching `overrides:` entry.
pub struct ReadSettings {
    base: ReadOptions,
    root: PathBuf,
    overrides: Vec<(GlobSet, Option<Mode>, RoleMap)>,
}

impl ReadSettings {
    pub fn new(
        cfg: &Config,
        mode: Option<ModeArg>,
        input_format: Option<String>,
        flags: &RoleArgs,
    ) -> Result<ReadSettings, Vec<PackError>> {
        let mut roles = RoleMap::default();
        for (label, role) in &cfg.def.roles {
            roles.insert(label, *role);
        }
        // `--agent`/`--customer` beat the config, including its per-folder overrides.
        let flag_roles = |map: &mut RoleMap| {
            for l in &flags.agent {
                map.insert(l, Role::Agent);
            }
            for l in &flags.customer {
                map.insert(l, Role::Customer);
            }
        };
        flag_roles(&mut roles);
        let flag_mode = mode.map(|m| match m {
            ModeArg::Script => Mode::Script,
            ModeArg::Conversation => Mode::Conversation,
        });
        let base = ReadOptions {
            mode: flag_mode.or(cfg.def.mode),
            format: input_format,
            roles: roles.clone(),
            csv: cfg.def.csv.clone(),
        };
        let mut overrides = Vec::new();
        let origin = cfg.origin();
        for o in &cfg.def.overrides {
            let mut gs = GlobSetBuilder::new();
            for g in o.files.items() {
                let glob = Glob::new(&g).map_err(|e| {
                    let (_, line, column) = cfg.position_of(&g).unwrap_or_default();
                    vec![PackError {
                        origin: origin.clone(),
                        line,
                        column,
                        message: format!("bad glob `{g}` in overrides: {e}"),
                    }]
                })?;
                gs.add(glob);
            }
            let set = gs.build().map_err(|e| {
                vec![PackError {
                    origin: origin.clone(),
                    line: 0,
                    column: 0,
                    message: format!("bad overrides globs: {e}"),
                }]
            })?;
            let mut r = roles.clone();
            for (label, role) in &o.roles {
                r.insert(label, *role);
            }
            flag_roles(&mut r);
            // A --mode flag beats the config, including its per-folder overrides.
            overrides.push((
                set,
                if flag_mode.is_some() {
                    flag_mode
                } else {
                    o.mode
                },
                r,
            ));
        }
        let root = std::fs::canonicalize(cfg.base()).unwrap_or_else(|_| cfg.base());
        Ok(ReadSettings {
            base,
            root,
            overrides,
        })
    }

    pub fn for_path(&self, path: &Path) -> ReadOptions {
        if self.overrides.is_empty() {
            return self.base.clone();
        }
        let abs = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let rel = abs
            .strip_prefix(&self.root)
            .map(Path::to_path_buf)
            .unwrap_or(abs);
        for (set, mode, roles) in &self.overrides {
            if set.is_match(&rel) || set.is_match(path) {
                let mut o = self.base.clone();
                if mode.is_some() {
                    o.mode = *mode;
                }
                o.roles = roles.clone();
                return o;
            }
        }
        self.base.clone()
    }
}

pub fn fail_on(flag: Option<Severity>, cfg: &Config) -> Severity {
    flag.or(cfg.def.fail_on).unwrap_or(Severity::Error)
}

/// The scorecard in force: `--scorecard` (a path or `builtin:NAME`), else `scorecard:` in the
/// config (relative to the config file), else the built-in default.
pub fn scorecard_source(flag: Option<&Path>, cfg: &Config) -> Result<ScorecardSource, PackError> {
    match (flag, &cfg.def.scorecard) {
        (Some(p), _) if p.to_string_lossy().starts_with("builtin:") => {
            ScorecardSource::resolve(&p.to_string_lossy(), Path::new("."))
        }
        (Some(p), _) => ScorecardSource::from_file(p),
        (None, Some(spec)) => ScorecardSource::resolve(spec, &cfg.base()).map_err(|mut e| {
            // The config names it, so the config's line is where to fix it.
            if let Some(at) = cfg.position_of(spec) {
                e.message = format!("in `scorecard:`: `{spec}`: {}", e.message);
                (e.origin, e.line, e.column) = at;
            }
            e
        }),
        (None, None) => Ok(ScorecardSource::default_builtin()),
    }
}

/// Rule ids the config turns off: a scorecard may still name them.
pub fn disabled_rules(cfg: &Config) -> Vec<String> {
    cfg.def
        .rules
        .iter()
        .filter(|(_, o)| o.disabled)
        .map(|(id, _)| id.clone())
        .collect()
}
