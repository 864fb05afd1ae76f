//! The YAML shapes of rule packs, as serde structs that reject unknown keys, so that a typo
//! in a pack is an error at its line and column rather than a silently ignored rule.
use serde::Deserialize;
use std::collections::BTreeMap;

use crate::finding::Severity;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackDef {
    pub pack: String,
    #[serde(default)]
    pub description: String,
    /// Named phrase lists (literal phrases). Also usable in patterns as `@name`.
    #[serde(default)]
    pub lists: BTreeMap<String, Vec<String>>,
    /// Named word classes: words and short patterns (`handle~`, `"deal~ with"`), used in
    /// patterns as `@name`. Lists and classes share one namespace.
    #[serde(default)]
    pub classes: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub rules: Vec<RuleDef>,
}

/// Which speaker's turns a rule (or a trigger) looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SpeakerSel {
    #[default]
    Agent,
    Customer,
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum KindName {
    #[default]
    Phrase,
    Sequence,
    Required,
    Conditional,
    Metric,
    Repeat,
}

impl KindName {
    pub fn as_str(self) -> &'static str {
        match self {
            KindName::Phrase => "phrase",
            KindName::Sequence => "sequence",
            KindName::Required => "required",
            KindName::Conditional => "conditional",
            KindName::Metric => "metric",
            KindName::Repeat => "repeat",
        }
    }
}

/// One rule. The fields of every kind live here (rather than in a free-form map) so that
/// serde can point at the exact line of an unknown or mistyped key; each kind's compiler
/// rejects the fields it does not use.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub id: String,
    #[serde(default)]
    pub kind: KindName,
    #[serde(default)]
    pub category: Option<String>,
    pub severity: Severity,
    #[serde(default)]
    pub speaker: SpeakerSel,
    pub message: String,
    #[serde(default)]
    pub why: String,
    #[serde(default)]
    pub fix: String,
    #[serde(default, rename = "match")]
    pub match_: Option<MatcherDef>,
    #[serde(default)]
    pub unless: Option<MatcherDef>,
    #[serde(default, rename = "where")]
    pub window: Option<WindowDef>,
    // sequence
    #[serde(default)]
    pub first: Option<MatcherDef>,
    #[serde(default)]
    pub then: Option<MatcherDef>,
    #[serde(default)]
    pub max_words: Option<usize>,
    #[serde(default)]
    pub scope: Option<Scope>,
    // required / conditional
    #[serde(default)]
    pub expect: Option<MatcherDef>,
    #[serde(default)]
    pub when: Option<MatcherDef>,
    #[serde(default)]
    pub when_speaker: Option<SpeakerSel>,
    #[serde(default)]
    pub within_turns: Option<usize>,
    #[serde(default)]
    pub trigger: Option<Trigger>,
    /// `required`: the speaker's eligible turns below which the rule does not apply (a
    /// single-reply thread owes no thank-you).
    #[serde(default)]
    pub min_turns: Option<usize>,
    /// `conditional`: the responder's turns just before the trigger whose `expect` hit also
    /// answers it (an apology given just before the complaint).
    #[serde(default)]
    pub before_turns: Option<usize>,
    // metric
    #[serde(default)]
    pub metric: Option<String>,
    #[serde(default)]
    pub min: Option<f64>,
    #[serde(default)]
    pub max: Option<f64>,
    /// Seconds of overlap or gap a timing metric lets pass (`interruptions`).
    #[serde(default)]
    pub tolerance: Option<f64>,
    /// `customer_sentiment_shift`: a customer start turn that matches is no calm start, so
    /// no drop is measured from it (the lexicon reads "yelled at my mother ... Is this how
    /// you treat people?" as positive).
    #[serde(default)]
    pub unless_start: Option<MatcherDef>,
    // repeat
    /// `repeat`: named things a customer can give (an order number, a booking reference),
    /// each with how the customer gives it and how the agent asks for it.
    #[serde(default)]
    pub items: Option<BTreeMap<String, RepeatItemDef>>,
    /// `repeat`: the agent gives a reason to ask again (the value was incomplete, or not
    /// found) or reads it back: an item ask in an agent turn where this hits is no repeat.
    #[serde(default)]
    pub excuse: Option<MatcherDef>,
    /// Rule ids this rule gives way to: a finding of this rule is dropped where one of
    /// theirs is on the same turn (an apology taken back by its excuse earns no kudos).
    #[serde(default)]
    pub yields_to: Vec<String>,
    /// The learned detector (src/learned): a built-in model scores the agent turns this
    /// rule does not flag and adds a finding where the score reaches `threshold`.
    #[serde(default)]
    pub learned: Option<LearnedDef>,
    #[serde(default)]
    pub examples: Option<Examples>,
}

/// `learned:` on a rule: which built-in model (the rule's id when not given) and the score
/// (0 to 1, exclusive of 0) from which it flags an agent turn.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LearnedDef {
    #[serde(default)]
    pub model: Option<String>,
    pub threshold: f64,
}

/// What text to look for (docs/rule-language.md). Every kind of alternative may be
/// combined; a hit of any is a hit of the matcher. `except` and `not_near` then drop hits.
#[derive(Debug, Clone, PartialEq, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct MatcherDef {
    /// Literal phrases, matched word by word after normalisation.
    #[serde(default)]
    pub phrases: Vec<String>,
    /// Token patterns: words, `word~` inflections, `@class`, `[a|b c]`, `x?`, `~N-M` gaps,
    /// `*`, `pre*`, `#num`, `^`, `$`, `!word`, marks.
    #[serde(default, deserialize_with = "one_or_many")]
    pub patterns: Vec<String>,
    /// Two patterns in either order within `within` words of one sentence.
    #[serde(default)]
    pub near: Vec<NearDef>,
    /// A negated frame: `subject` does not / never `verb` ("we don't control that",
    /// "not something we handle").
    #[serde(default)]
    pub negated: Vec<NegatedDef>,
    /// A contrast frame: `yes` and not `no` ("billing handles that, not us", "not us,
    /// billing", "billing decides, we don't").
    #[serde(default)]
    pub contrast: Vec<ContrastDef>,
    /// Escape hatch: Rust regexes, case-insensitive, run only where a literal they need occurs.
    #[serde(default, deserialize_with = "one_or_many")]
    pub regex: Vec<String>,
    #[serde(default, deserialize_with = "one_or_many")]
    pub list: Vec<String>,
    /// Antipatterns: a hit that one of these patterns overlaps is dropped.
    #[serde(default, deserialize_with = "one_or_many")]
    pub except: Vec<String>,
    /// A hit with one of these patterns within `within` words is dropped.
    #[serde(default)]
    pub not_near: Option<NotNearDef>,
    /// A sentiment condition, one more alternative: every turn whose VADER compound score
    /// (-1 to 1) is below `sentiment_below` (and above `sentiment_above`, when both are
    /// given) is a hit, as a whole.
    #[serde(default)]
    pub sentiment_below: Option<f64>,
    #[serde(default)]
    pub sentiment_above: Option<f64>,
    /// Alternatives, each a matcher of its own whose `except` / `not_near` apply to it
    /// alone (Semgrep's `pattern-either`): a hit of any is a hit of this matcher.
    #[serde(default)]
    pub any_of: Vec<MatcherDef>,
}

impl MatcherDef {
    /// Does this matcher look at the sentiment of turns?
    pub fn uses_sentiment(&self) -> bool {
        self.sentiment_below.is_some() || self.sentiment_above.is_some()
    }
}

/// One item of a `repeat` rule: `given` hits where the customer states it, `asked` where
/// the agent asks for it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepeatItemDef {
    #[serde(default)]
    pub given: Option<MatcherDef>,
    #[serde(default)]
    pub asked: Option<MatcherDef>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NearDef {
    /// Exactly two patterns.
    pub all: Vec<String>,
    #[serde(default = "default_within")]
    pub within: u8,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NegatedDef {
    pub subject: String,
    pub verb: String,
    /// Words allowed between the negation and the verb.
    #[serde(default = "default_window")]
    pub window: u8,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContrastDef {
    pub yes: String,
    pub no: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotNearDef {
    #[serde(deserialize_with = "one_or_many")]
    pub patterns: Vec<String>,
    #[serde(default = "default_within")]
    pub within: u8,
}

fn default_within() -> u8 {
    5
}

fn default_window() -> u8 {
    3
}

#[derive(Debug, Clone, Copy, Deserialize, Default, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WindowDef {
    pub first_turns: Option<usize>,
    pub last_turns: Option<usize>,
    pub first_seconds: Option<f64>,
    pub last_seconds: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// `then` must follow `first` in the same turn within `max_words` words.
    #[default]
    SameTurn,
    /// `then` may also open the sentence right after the one holding `first`.
    NextSentence,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// Every trigger is judged on its own.
    #[default]
    Each,
    /// Only the first trigger in the transcript is judged (one finding at most).
    First,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default)]
    pub flag: Vec<String>,
    #[serde(default)]
    pub pass: Vec<String>,
    /// Known mistakes, kept so they cannot change silently: `flag` lines the rule should flag
    /// and does not yet, `pass` lines it should pass and still flags. When one starts to
    /// behave, the test fails and asks for it to be moved to the real examples.
    #[serde(default)]
    pub todo: Option<TodoExamples>,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct TodoExamples {
    #[serde(default)]
    pub flag: Vec<String>,
    #[serde(default)]
    pub pass: Vec<String>,
}

thread_local! {
    /// Set while an embedded pack's JSON is read (`trusted`).
    static TRUSTED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` (reading the JSON build.rs made of a built-in pack) with `one_or_many` reading
/// strings directly: the untagged enum buffers each value and tries its variants in turn
/// (4% of a small call's start-up). A pack read at run time keeps the untagged enum, and so
/// its error messages and positions.
pub(crate) fn trusted<R>(f: impl FnOnce() -> R) -> R {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            TRUSTED.with(|t| t.set(false));
        }
    }
    TRUSTED.with(|t| t.set(true));
    let _reset = Reset;
    f()
}

/// A string or a list of strings, read without buffering (`trusted`).
struct OneOrManyVisitor;

impl<'de> serde::de::Visitor<'de> for OneOrManyVisitor {
    type Value = Vec<String>;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a string or a list of strings")
    }
    fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Vec<String>, E> {
        Ok(vec![s.to_string()])
    }
    fn visit_string<E: serde::de::Error>(self, s: String) -> Result<Vec<String>, E> {
        Ok(vec![s])
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Vec<String>, A::Error> {
        let mut out = Vec::with_capacity(a.size_hint().unwrap_or(0));
        while let Some(s) = a.next_element::<String>()? {
            out.push(s);
        }
        Ok(out)
    }
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    if TRUSTED.with(std::cell::Cell::get) {
        return d.deserialize_any(OneOrManyVisitor);
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match OneOrMany::deserialize(d)? {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}
