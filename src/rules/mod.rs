//! Rule kinds. Each kind is one file with a compiler (YAML → compiled rule) and an
//! evaluator (hits → findings); `REGISTRY` is the only place that lists them.
mod conditional;
mod metric;
mod phrase;
mod repeat;
mod required;
pub mod sentiment;
mod sequence;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::engine::{Hit, MatcherBuilder, MatcherId, Scan};
use crate::finding::{Finding, RuleInfo, Severity};
use crate::pack::{KindName, MatcherDef, RuleDef, SpeakerSel, WindowDef};
use crate::transcript::{Role, Transcript, Turn};

pub use metric::METRICS;
pub use sentiment::SentimentCondition;

/// What every kind's compiler gets: the rule, and a way to register its matchers.
pub struct Compiler<'a> {
    pub def: &'a RuleDef,
    lists: &'a BTreeMap<String, Vec<String>>,
    builder: &'a mut MatcherBuilder,
    /// Every matcher compiled for the rule, by field, for `rules trace`.
    fields: Vec<(&'static str, MatcherId)>,
    /// Whose turns the kind reads the hits of the next matcher in (`required_in`): the
    /// engine verifies a matcher's patterns only in turns some rule reads its hits in.
    reads: SpeakerSel,
    /// The matcher beside whose hits alone the kind asks whether the rule's `unless`
    /// excuses them (`unless_beside`).
    excuses: Option<MatcherId>,
}

impl Compiler<'_> {
    /// Compiles the matcher in `field`, which the kind requires. Its hits are read in the
    /// turns of the rule's speaker (`required_in` names other turns).
    pub fn required(
        &mut self,
        field: &'static str,
        m: &Option<MatcherDef>,
    ) -> Result<MatcherId, RuleError> {
        self.required_in(field, m, self.reads)
    }

    /// `required`, for a matcher whose hits the kind reads in the turns of `speaker`
    /// (a `conditional` trigger, in the customer's turns).
    pub fn required_in(
        &mut self,
        field: &'static str,
        m: &Option<MatcherDef>,
        speaker: SpeakerSel,
    ) -> Result<MatcherId, RuleError> {
        self.required_read(field, m, |b, id| b.read_in(id, speaker))
    }

    /// Compiles the required matcher in `field`, and says (`read`) which of its hits the
    /// kind reads.
    fn required_read(
        &mut self,
        field: &'static str,
        m: &Option<MatcherDef>,
        read: impl FnOnce(&mut MatcherBuilder, MatcherId),
    ) -> Result<MatcherId, RuleError> {
        let Some(m) = m else {
            return Err(RuleError::at(
                None,
                format!("kind `{}` needs `{field}:`", self.def.kind.as_str()),
            ));
        };
        let id = self.matcher(field, m)?;
        read(self.builder, id);
        Ok(id)
    }

    pub fn optional(
        &mut self,
        field: &'static str,
        m: &Option<MatcherDef>,
    ) -> Result<Option<MatcherId>, RuleError> {
        m.as_ref()
            .map(|m| {
                let id = self.matcher(field, m)?;
                self.builder.read_in(id, self.reads);
                Ok(id)
            })
            .transpose()
    }

    /// `required`, for a matcher of which the kind reads only the first hit in a turn of
    /// `when` that a later turn of `by` follows, and the hits before it (a `conditional`
    /// rule with `trigger: first` judges the first complaint the agent could answer).
    pub fn required_first(
        &mut self,
        field: &'static str,
        m: &Option<MatcherDef>,
        when: SpeakerSel,
        by: SpeakerSel,
    ) -> Result<MatcherId, RuleError> {
        self.required_read(field, m, |b, id| b.read_first(id, when, by))
    }

    /// `required`, for a matcher the kind reads only in the turns of the rule's speaker
    /// before the first answered hit of `trigger` (a `required_first` matcher) and in the
    /// `within` such turns after it: the answers a `conditional` rule judges.
    pub fn required_answers(
        &mut self,
        field: &'static str,
        m: &Option<MatcherDef>,
        trigger: MatcherId,
        within: usize,
    ) -> Result<MatcherId, RuleError> {
        let reads = self.reads;
        self.required_read(field, m, |b, id| b.read_answers(id, reads, trigger, within))
    }

    /// Says that the kind asks about the rule's `unless` only in turns holding a hit of
    /// matcher `id` (to excuse that hit): the engine then looks for the `unless` only in
    /// those turns.
    pub fn unless_beside(&mut self, id: MatcherId) {
        self.excuses = Some(id);
    }

    /// For kinds that read their matchers' hits in any speaker's turns, or in turns that
    /// are not the rule's speaker's (a metric's `unless` on the customer's last turn): the
    /// matchers compiled so far, and every later one, are verified in every turn.
    pub fn read_in_every_turn(&mut self) {
        self.reads = SpeakerSel::Any;
        for &(_, id) in &self.fields {
            self.builder.read_in(id, SpeakerSel::Any);
        }
    }

    fn matcher(&mut self, field: &'static str, m: &MatcherDef) -> Result<MatcherId, RuleError> {
        let id = self.builder.add(m, self.lists).map_err(|e| RuleError {
            field: Some(field),
            needle: e.needle,
            message: format!("in `{field}`: {}", e.message),
        })?;
        self.fields.push((field, id));
        Ok(id)
    }

    /// Rejects kind-specific fields that this kind does not use, so a misplaced key is not
    /// silently ignored.
    pub fn only_fields(&self, allowed: &[&str]) -> Result<(), RuleError> {
        let d = self.def;
        let present = [
            ("match", d.match_.is_some()),
            ("where", d.window.is_some()),
            ("first", d.first.is_some()),
            ("then", d.then.is_some()),
            ("max_words", d.max_words.is_some()),
            ("scope", d.scope.is_some()),
            ("expect", d.expect.is_some()),
            ("when", d.when.is_some()),
            ("when_speaker", d.when_speaker.is_some()),
            ("within_turns", d.within_turns.is_some()),
            ("trigger", d.trigger.is_some()),
            ("min_turns", d.min_turns.is_some()),
            ("before_turns", d.before_turns.is_some()),
            ("metric", d.metric.is_some()),
            ("min", d.min.is_some()),
            ("max", d.max.is_some()),
            ("tolerance", d.tolerance.is_some()),
            ("unless_start", d.unless_start.is_some()),
            ("items", d.items.is_some()),
            ("excuse", d.excuse.is_some()),
        ];
        for (name, set) in present {
            if set && !allowed.contains(&name) {
                return Err(RuleError {
                    field: Some(name),
                    needle: None,
                    message: format!(
                        "`{name}` does not apply to kind `{}` (it takes: {})",
                        d.kind.as_str(),
                        allowed.join(", ")
                    ),
                });
            }
        }
        Ok(())
    }
}

/// A rule problem found at compile time; the pack loader turns it into file:line:col.
#[derive(Debug)]
pub struct RuleError {
    /// The YAML key to point at when there is no better needle.
    pub field: Option<&'static str>,
    /// Text to search for in the rule's YAML to point at.
    pub needle: Option<String>,
    pub message: String,
}

impl RuleError {
    pub fn at(field: Option<&'static str>, message: String) -> RuleError {
        RuleError {
            field,
            needle: None,
            message,
        }
    }
}

/// A compiled kind: judges one scanned transcript.
pub trait RuleKind: Send + Sync {
    /// Kinds that judge the conversation as a whole (required, conditional, metric) do not
    /// apply to agent-only scripts.
    fn conversation_level(&self) -> bool;

    /// Appends findings; returns whether the rule applied to this transcript at all.
    fn evaluate(&self, rule: &RuleCommon, scan: &Scan, out: &mut Vec<Finding>) -> bool;
}

type CompileFn = fn(&mut Compiler) -> Result<Box<dyn RuleKind>, RuleError>;

/// The rule kinds. A new kind is one file plus one line here.
const REGISTRY: &[(KindName, CompileFn)] = &[
    (KindName::Phrase, phrase::compile),
    (KindName::Sequence, sequence::compile),
    (KindName::Required, required::compile),
    (KindName::Conditional, conditional::compile),
    (KindName::Metric, metric::compile),
    (KindName::Repeat, repeat::compile),
];

/// A compiled rule's kind, its `unless` matcher, and every matcher by field.
pub type Compiled = (
    Box<dyn RuleKind>,
    Option<MatcherId>,
    Vec<(&'static str, MatcherId)>,
);

/// Compiles one rule.
pub fn compile(
    def: &RuleDef,
    lists: &BTreeMap<String, Vec<String>>,
    builder: &mut MatcherBuilder,
) -> Result<Compiled, RuleError> {
    let mut c = Compiler {
        def,
        lists,
        builder,
        fields: Vec::new(),
        reads: def.speaker,
        excuses: None,
    };
    // Compiled first (its errors come first), said whose turns it is read in once the
    // kind has said how it reads it.
    let unless = match &def.unless {
        Some(m) => Some(c.matcher("unless", m)?),
        None => None,
    };
    let compile = REGISTRY
        .iter()
        .find(|(k, _)| *k == def.kind)
        .map(|(_, f)| *f)
        .expect("every KindName has a registry entry");
    let kind = compile(&mut c)?;
    if let Some(u) = unless {
        match c.excuses {
            Some(beside) => c.builder.read_beside(u, c.reads, beside),
            None => c.builder.read_in(u, c.reads),
        }
    }
    Ok((kind, unless, c.fields))
}

/// The parts every kind shares.
pub struct RuleCommon {
    pub info: Arc<RuleInfo>,
    pub severity: Severity,
    pub speaker: SpeakerSel,
    pub window: Option<WindowDef>,
    pub unless: Option<MatcherId>,
}

impl RuleCommon {
    pub fn speaks(&self, role: Role) -> bool {
        speaker_matches(self.speaker, role)
    }

    /// Does turn `idx` fall in the rule's `where:` window (and belong to its speaker)?
    pub fn eligible(&self, ix: &mut Index, idx: usize) -> bool {
        self.speaks(ix.transcript().turns[idx].role)
            && self.window.is_none_or(|w| in_window(ix, idx, &w))
    }

    /// True when an `unless` hit lies in the same sentence as `start..end` of turn `turn`.
    pub fn excused(&self, ix: &mut Index, turn: usize, start: usize, end: usize) -> bool {
        let Some(u) = self.unless else { return false };
        if ix.scan.turn_hits(u, turn).is_empty() {
            return false;
        }
        let (s, e) = ix.sentence(turn, start, end);
        ix.overlaps(u, turn, s, e)
    }

    /// A finding for `start..end` of turn `turn`; `value` fills `{value}` in the message.
    pub fn finding(
        &self,
        ix: &mut Index,
        turn: usize,
        start: usize,
        end: usize,
        value: Option<&str>,
    ) -> Finding {
        let at = ix.position(turn, start);
        let tr: &Turn = &ix.transcript().turns[turn];
        self.finding_at(tr, turn, at, (start, end), |m| {
            fill_message(&self.info.message, m, &tr.speaker, value)
        })
    }

    /// The finding for `span` of turn `turn` (`tr`), at source position `at`, its message
    /// made from the matched text.
    fn finding_at(
        &self,
        tr: &Turn,
        turn: usize,
        (line, column): (usize, usize),
        (start, end): (usize, usize),
        message: impl FnOnce(&str) -> String,
    ) -> Finding {
        let matched = tr.text.get(start..end).unwrap_or("").to_string();
        Finding {
            rule: self.info.clone(),
            severity: self.severity,
            message: message(&matched),
            turn,
            speaker: tr.speaker.clone(),
            role: tr.role,
            line,
            column,
            start,
            end,
            time: tr.start,
            matched,
        }
    }
}

impl RuleCommon {
    /// A finding the learned detector adds (`crate::learned`): `start..end` of turn `turn`,
    /// the sentence that weighed most, its message saying it came from the model's score.
    pub fn learned_finding(
        &self,
        t: &crate::transcript::Transcript,
        turn: usize,
        start: usize,
        end: usize,
        score: f64,
    ) -> Finding {
        let tr: &Turn = &t.turns[turn];
        let (line, column) = match tr.segments.binary_search_by(|s| s.offset.cmp(&start)) {
            Ok(i) => (tr.segments[i].line, tr.segments[i].column),
            Err(0) => (tr.line(), 1),
            Err(i) => {
                let seg = tr.segments[i - 1];
                let from = seg.offset.min(tr.text.len());
                let to = start.min(tr.text.len()).max(from);
                (
                    seg.line,
                    seg.column + chars_in(&tr.text.as_bytes()[from..to]),
                )
            }
        };
        self.finding_at(tr, turn, (line, column), (start, end), |m| {
            let filled = fill_message(&self.info.message, m, &tr.speaker, None);
            format!("{filled} (learned detector, score {score:.2})")
        })
    }
}

/// A rule's message with `{match}`, `{speaker}` and (when given) `{value}` filled in, in one
/// pass: the filled-in text is not searched again, so a transcript that says "{speaker}"
/// is quoted as it is.
fn fill_message(template: &str, matched: &str, speaker: &str, value: Option<&str>) -> String {
    let mut out = String::with_capacity(template.len() + matched.len());
    let mut rest = template;
    while let Some(at) = rest.find('{') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let fill = [
            ("{match}", Some(matched)),
            ("{speaker}", Some(speaker)),
            ("{value}", value),
        ]
        .into_iter()
        .find_map(|(key, v)| Some((key, v?)).filter(|_| rest.starts_with(key)));
        match fill {
            Some((key, v)) => {
                out.push_str(v);
                rest = &rest[key.len()..];
            }
            None => {
                out.push('{');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

pub fn speaker_matches(sel: SpeakerSel, role: Role) -> bool {
    match sel {
        SpeakerSel::Agent => role == Role::Agent,
        SpeakerSel::Customer => role == Role::Customer,
        SpeakerSel::Any => true,
    }
}

/// Whether turn `idx` lies inside a `where:` window. Turn counts are over the whole
/// conversation; a seconds window on a turn without times counts as inside.
pub fn in_window(ix: &mut Index, idx: usize, w: &WindowDef) -> bool {
    let t = ix.transcript();
    let n = t.turns.len();
    if w.first_turns.is_some_and(|k| idx >= k) {
        return false;
    }
    if w.last_turns.is_some_and(|k| idx.saturating_add(k) < n) {
        return false;
    }
    let Some(start) = t.turns[idx].start else {
        return true;
    };
    if w.first_seconds.is_none() && w.last_seconds.is_none() {
        return true;
    }
    let (origin, last) = ix.span();
    if w.first_seconds.is_some_and(|limit| start - origin > limit) {
        return false;
    }
    !w.last_seconds.is_some_and(|limit| last - start > limit)
}

/// Per-turn indexes over one scanned transcript, each built on first use by one linear pass
/// over the turn: after that, every question a rule asks about a turn (which sentence holds
/// a span, how many words lie between two offsets, which column an offset is in, whether an
/// `unless` hit touches a sentence) is a binary search. This keeps every rule kind linear
/// (up to a log factor) in turn length, however many hits a long turn holds.
pub struct Index<'s> {
    pub scan: &'s Scan<'s>,
    turns: HashMap<usize, TurnIndex>,
    /// (first start, last end or start) over the transcript, for seconds windows.
    span: Option<(f64, f64)>,
}

#[derive(Default)]
struct TurnIndex {
    /// Byte offsets of sentence stops (see `is_stop`), ascending.
    stops: Option<Vec<u32>>,
    words: Option<WordIndex>,
    /// Characters before every `COLUMN_STEP`-th byte, for columns on long lines.
    chars: Option<Vec<u32>>,
    /// Per `unless` matcher: the running maximum of hit ends, in hit order.
    unless_ends: Option<(MatcherId, Vec<u32>)>,
}

/// Alphanumeric characters of a turn, for counting words between two offsets exactly as
/// `words` does on the slice between them.
struct WordIndex {
    /// Byte offset of every alphanumeric character, ascending.
    alnum: Vec<u32>,
    /// `leading[k]`: how many of `alnum[..k]` are the first alphanumeric of their
    /// whitespace-separated token.
    leading: Vec<u32>,
}

const COLUMN_STEP: usize = 4096;

impl<'s> Index<'s> {
    pub fn new(scan: &'s Scan<'s>) -> Index<'s> {
        Index {
            scan,
            turns: HashMap::new(),
            span: None,
        }
    }

    pub fn transcript(&self) -> &'s Transcript {
        self.scan.transcript
    }

    fn text(&self, turn: usize) -> &'s str {
        &self.scan.transcript.turns[turn].text
    }

    fn stops(&mut self, turn: usize) -> &[u32] {
        let text = self.text(turn);
        self.turns
            .entry(turn)
            .or_default()
            .stops
            .get_or_insert_with(|| {
                let b = text.as_bytes();
                (0..b.len())
                    .filter(|&i| is_stop(b, i))
                    .map(|i| i as u32)
                    .collect()
            })
    }

    /// Byte range of the sentence holding `start..end` of `turn`; the same answer as
    /// `sentence_bounds`, in O(log n) once the turn is indexed.
    pub fn sentence(&mut self, turn: usize, start: usize, end: usize) -> (usize, usize) {
        let len = self.text(turn).len();
        let stops = self.stops(turn);
        let start = start.min(len);
        let end = end.min(len);
        // The last stop `i` with `i + 1 <= start`, and the first stop at or after `end`.
        let k = stops.partition_point(|&i| (i as usize) < start);
        let s = if k == 0 { 0 } else { stops[k - 1] as usize + 1 };
        let j = stops.partition_point(|&i| (i as usize) < end);
        let e = stops.get(j).map_or(len, |&i| i as usize);
        (s, (e + 1).min(len))
    }

    /// `words(&text[a..b])` for `turn`, in O(log n) once the turn is indexed.
    pub fn words_between(&mut self, turn: usize, a: usize, b: usize) -> usize {
        if a >= b {
            return 0;
        }
        let text = self.text(turn);
        let w = self
            .turns
            .entry(turn)
            .or_default()
            .words
            .get_or_insert_with(|| WordIndex::new(text));
        let i = w.alnum.partition_point(|&p| (p as usize) < a);
        let j = w.alnum.partition_point(|&p| (p as usize) < b);
        if i >= j {
            return 0;
        }
        let leading = (w.leading[j] - w.leading[i]) as usize;
        // A token cut by `a` still counts once when its first alphanumeric lies before `a`.
        let first_is_leading = w.leading[i + 1] > w.leading[i];
        leading + usize::from(!first_is_leading)
    }

    /// 1-based (line, column) of byte `offset` of `turn` in its source file; the same answer
    /// as `Turn::position` without counting characters from the start of a long line.
    pub fn position(&mut self, turn: usize, offset: usize) -> (usize, usize) {
        let tr = &self.scan.transcript.turns[turn];
        let seg = match tr.segments.binary_search_by(|s| s.offset.cmp(&offset)) {
            Ok(i) => tr.segments[i],
            Err(0) => return (tr.line(), 1),
            Err(i) => tr.segments[i - 1],
        };
        let text = tr.text.as_bytes();
        let (from, to) = (seg.offset.min(text.len()), offset.min(text.len()));
        if to - from < COLUMN_STEP {
            return (seg.line, seg.column + chars_in(&text[from..to]));
        }
        let marks = self
            .turns
            .entry(turn)
            .or_default()
            .chars
            .get_or_insert_with(|| {
                let mut n = 0u32;
                let mut v = Vec::with_capacity(text.len() / COLUMN_STEP + 1);
                for chunk in text.chunks(COLUMN_STEP) {
                    v.push(n);
                    n += chars_in(chunk) as u32;
                }
                v.push(n);
                v
            });
        let before =
            |x: usize| marks[x / COLUMN_STEP] as usize + chars_in(&text[x - x % COLUMN_STEP..x]);
        (seg.line, seg.column + before(to) - before(from))
    }

    /// Does any hit of `unless` in `turn` overlap `s..e`? O(log n) per question.
    fn overlaps(&mut self, unless: MatcherId, turn: usize, s: usize, e: usize) -> bool {
        let hits = self.scan.turn_hits(unless, turn);
        let entry = self.turns.entry(turn).or_default();
        if entry.unless_ends.as_ref().is_none_or(|(m, _)| *m != unless) {
            let mut max = 0;
            let ends = hits
                .iter()
                .map(|h| {
                    max = max.max(h.end);
                    max
                })
                .collect();
            entry.unless_ends = Some((unless, ends));
        }
        let ends = &entry.unless_ends.as_ref().expect("set above").1;
        // Hits are sorted by start: those starting before `e` are a prefix; one of them
        // overlaps when the furthest end among them passes `s`.
        let k = hits.partition_point(|h| (h.start as usize) < e);
        k > 0 && ends[k - 1] as usize > s
    }

    /// (first turn start, last turn end) of the transcript, computed once.
    fn span(&mut self) -> (f64, f64) {
        let t = self.scan.transcript;
        *self.span.get_or_insert_with(|| {
            let origin = t.turns.iter().find_map(|t| t.start).unwrap_or(0.0);
            let last = t
                .turns
                .iter()
                .filter_map(|t| t.end.or(t.start))
                .fold(f64::MIN, f64::max);
            (origin, last)
        })
    }
}

impl WordIndex {
    fn new(text: &str) -> WordIndex {
        let mut alnum = Vec::new();
        let mut leading = vec![0u32];
        let mut in_token_seen = false;
        for (i, c) in text.char_indices() {
            if c.is_whitespace() {
                in_token_seen = false;
            } else if c.is_alphanumeric() {
                alnum.push(i as u32);
                let n = *leading.last().expect("starts with 0");
                leading.push(n + u32::from(!in_token_seen));
                in_token_seen = true;
            }
        }
        WordIndex { alnum, leading }
    }
}

fn chars_in(b: &[u8]) -> usize {
    b.iter().filter(|&&c| (c as i8) >= -0x40).count()
}

fn is_stop(b: &[u8], i: usize) -> bool {
    matches!(b[i], b'.' | b'!' | b'?' | b';')
        && b.get(i + 1).is_none_or(|c| c.is_ascii_whitespace())
        && !crate::tokens::is_title_stop(b, i)
}

/// Merges overlapping hits of one matcher in one turn into single spans, so that
/// "sorry if you feel" and "if you feel that way" in one sentence give one finding.
pub fn merged_spans(hits: &[Hit]) -> Vec<(usize, usize, usize)> {
    merge_spans(
        hits.iter()
            .map(|h| (h.turn as usize, h.start as usize, h.end as usize)),
    )
}

/// `merged_spans` of (turn, start, end) spans sorted by turn then start.
pub fn merge_spans(
    spans: impl IntoIterator<Item = (usize, usize, usize)>,
) -> Vec<(usize, usize, usize)> {
    let mut out: Vec<(usize, usize, usize)> = Vec::new();
    for (t, s, e) in spans {
        match out.last_mut() {
            Some(last) if last.0 == t && s < last.2 => last.2 = last.2.max(e),
            _ => out.push((t, s, e)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_filled_in_one_pass() {
        assert_eq!(
            fill_message(
                "{speaker} said \"{match}\" ({value}) {other} {",
                "a {speaker}",
                "Agent",
                Some("3")
            ),
            "Agent said \"a {speaker}\" (3) {other} {"
        );
        assert_eq!(fill_message("x {value} y", "m", "s", None), "x {value} y");
        assert_eq!(fill_message("", "m", "s", None), "");
    }

    /// The plain definitions `Index` must agree with.
    fn sentence_bounds(text: &str, start: usize, end: usize) -> (usize, usize) {
        let b = text.as_bytes();
        let mut s = start.min(b.len());
        while s > 0 && !is_stop(b, s - 1) {
            s -= 1;
        }
        let mut e = end.min(b.len());
        while e < b.len() && !is_stop(b, e) {
            e += 1;
        }
        (s, (e + 1).min(b.len()))
    }

    /// Number of words in `text` (runs of non-space characters).
    fn words(text: &str) -> usize {
        text.split_whitespace()
            .filter(|w| w.chars().any(char::is_alphanumeric))
            .count()
    }

    #[test]
    fn sentence_bounds_split_on_stops() {
        let text = "Hello there. I'm sorry, but no. Bye";
        let i = text.find("sorry").unwrap();
        let (s, e) = sentence_bounds(text, i, i + 5);
        assert_eq!(&text[s..e], " I'm sorry, but no.");
    }

    #[test]
    fn words_ignore_punctuation_runs() {
        assert_eq!(words(" — well, you know "), 3);
    }

    /// Texts over an alphabet of stops, spaces, letters, punctuation and multi-byte
    /// characters, from a fixed-seed generator, so every edge case of the indexes shows up.
    fn texts() -> Vec<String> {
        let alphabet = [
            'a', 'b', ' ', '.', '!', ';', ',', '\u{e9}', '\u{2014}', '\n', '7', '?',
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut out = vec![String::new(), ".".into(), "a".into(), " . ".into()];
        for len in 1..60 {
            let mut t = String::new();
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                t.push(alphabet[(seed % alphabet.len() as u64) as usize]);
            }
            out.push(t);
        }
        out
    }

    fn with_index(text: &str, hits: &[Hit], f: impl FnOnce(&mut Index)) {
        let mut t = Transcript::new("t");
        t.turns.push(Turn::new("Agent", Role::Agent, text, 1));
        let scan = Scan::new(&t, hits);
        f(&mut Index::new(&scan));
    }

    fn boundaries(text: &str) -> Vec<usize> {
        (0..=text.len())
            .filter(|&i| text.is_char_boundary(i))
            .collect()
    }

    #[test]
    fn index_sentences_and_words_agree_with_the_plain_definitions() {
        for text in texts() {
            with_index(&text, &[], |ix| {
                let cuts = boundaries(&text);
                for &a in &cuts {
                    for &b in cuts.iter().filter(|&&b| b >= a) {
                        assert_eq!(
                            ix.sentence(0, a, b),
                            sentence_bounds(&text, a, b),
                            "{text:?} {a}..{b}"
                        );
                        assert_eq!(
                            ix.words_between(0, a, b),
                            words(&text[a..b]),
                            "{text:?} {a}..{b}"
                        );
                    }
                }
            });
        }
    }

    #[test]
    fn index_columns_agree_with_turn_positions_on_long_lines() {
        let text = "caf\u{e9} \u{2014} x ".repeat(3000);
        let mut t = Transcript::new("t");
        let mut turn = Turn::new("Agent", Role::Agent, text.as_str(), 3);
        turn.segments.push(crate::transcript::Segment {
            offset: 9001,
            line: 4,
            column: 2,
        });
        t.turns.push(turn);
        let scan = Scan::new(&t, &[]);
        let mut ix = Index::new(&scan);
        for off in boundaries(&text).into_iter().step_by(97) {
            assert_eq!(
                ix.position(0, off),
                t.turns[0].position(off),
                "offset {off}"
            );
        }
    }

    #[test]
    fn unless_overlap_matches_a_linear_search() {
        let text = "x".repeat(64);
        let mut hits = Vec::new();
        let mut seed = 7u32;
        for _ in 0..20 {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let s = (seed >> 8) % 60;
            let len = 1 + (seed >> 20) % 9;
            hits.push(Hit {
                matcher: 0,
                turn: 0,
                start: s,
                end: (s + len).min(64),
            });
        }
        hits.sort();
        with_index(&text, &hits, |ix| {
            for s in 0..64 {
                for e in s..=64 {
                    let want = hits
                        .iter()
                        .any(|h| (h.start as usize) < e && (h.end as usize) > s);
                    assert_eq!(ix.overlaps(0, 0, s, e), want, "{s}..{e}");
                }
            }
        });
    }
}
