//! tonecheck: checks customer-service conversations against YAML rule packs.
//! Data flows one way: input → transcript → engine (rules) → findings → score → output.
pub mod batch;
pub mod cli;
pub mod engine;
pub mod examples;
pub mod finding;
pub mod fuzzing;
/// Static tables build.rs writes from `data/` (nothing to build at run time): the VADER
/// lexicon (src/sentiment.rs) and the reverse spelling table (src/lexicon.rs).
mod generated {
    include!(concat!(env!("OUT_DIR"), "/vader_table.rs"));
    include!(concat!(env!("OUT_DIR"), "/spelling_variants.rs"));
}
pub mod group;
pub mod input;
pub mod labels;
pub mod learned;
pub mod lexicon;
pub mod output;
pub mod pack;
pub mod pattern;
pub mod rules;
pub mod score;
pub mod sentiment;
pub mod suppress;
pub mod tokens;
pub mod transcript;
