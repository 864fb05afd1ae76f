//! Entry points for the fuzz targets in `fuzz/` and the property tests in
//! `tests/fuzz_properties.rs`: each takes arbitrary bytes, runs one loader the way the CLI
//! does, and panics only when an invariant breaks (a located error must point inside the
//! file; a finding must point at a real line and byte range). Not part of the stable API.
#![doc(hidden)]
use std::sync::OnceLock;

use crate::engine::{Engine, EngineBuilder};
use crate::input::{self, ReadOptions};
use crate::pack::scorecard::ScorecardSource;
use crate::pack::{config, PackError, PackSource};
use crate::score::Scorecard;
use crate::transcript::Mode;

fn builtin_engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        EngineBuilder::new()
            .packs(PackSource::all_builtin())
            .build()
            .expect("built-in packs compile")
    })
}

fn lines_in(text: &str) -> usize {
    text.split(['\n', '\r']).count().max(1)
}

fn located(errors: &[PackError], text: &str) {
    for e in errors {
        // libyaml puts errors at the end of the stream on the line after the last one.
        assert!(e.line <= lines_in(text) + 1, "{e} points past the end");
        assert!(!e.message.is_empty());
    }
}

/// The plain reader (and UTF-16, front matter, directives), then the built-in rules.
pub fn plain_reader(data: &[u8]) {
    for mode in [None, Some(Mode::Script)] {
        let opts = ReadOptions {
            mode,
            ..Default::default()
        };
        let Ok(transcripts) = input::read_bytes("fuzz.txt", data, &opts) else {
            continue;
        };
        for t in transcripts {
            let checked = builtin_engine().check(&t);
            for f in &checked.findings {
                let turn = &t.turns[f.turn];
                assert!(f.start <= f.end && f.end <= turn.text.len());
                assert!(turn.text.is_char_boundary(f.start) && turn.text.is_char_boundary(f.end));
                assert!(f.line >= 1 && f.column >= 1);
            }
        }
    }
}

/// A rule pack from a file, compiled with its examples checked.
pub fn pack_loader(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let src = PackSource {
        origin: "fuzz.yaml".into(),
        text: text.to_string(),
    };
    if let Err(errors) = EngineBuilder::new().pack(src).build() {
        located(&errors, text);
    }
}

/// A scorecard, resolved against the built-in packs.
pub fn scorecard_loader(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let src = ScorecardSource {
        origin: "fuzz.yaml".into(),
        text: text.to_string(),
        builtin: false,
    };
    if let Err(errors) = Scorecard::compile(&src, builtin_engine(), &[]) {
        located(&errors, text);
    }
}

/// A `tonecheck.yaml`.
pub fn config_loader(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = config::parse_config("tonecheck.yaml", text) {
        located(&[e], text);
    }
}
