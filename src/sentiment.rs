//! The sentiment of a turn: VADER's compound score (Hutto & Gilbert, ICWSM 2014), from -1.0
//! (most negative) to 1.0 (most positive), for the `sentiment_below` / `sentiment_above`
//! matcher conditions, the `customer_sentiment_shift` metric, the HTML report and `rules trace`.
//!
//! This is `SentimentIntensityAnalyzer.polarity_scores(text)["compound"]` of the MIT
//! `vaderSentiment` 3.3.2 package, re-implemented step by step, quirks included (the `but`
//! rule rescales the first equal score rather than each position; a token of three characters
//! or fewer keeps its punctuation), because a signal people compare with the Python tool must
//! give the same number: `tests/sentiment.rs` checks equality on ~240 real sentences. The
//! lexicon and emoji table are `data/vader_lexicon.txt` and `data/vader_emoji.txt`, generated
//! from the wheel by `tools/gen-vader.py` (`data/LICENSE.vaderSentiment`): build.rs turns the
//! lexicon into a static hash table, the emoji table is parsed on first use.
//!
//! The score is deterministic (no randomness, no locale, no floating-point reordering) and,
//! like the reference, rounded to four decimals.
use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::HashMap;
use std::sync::OnceLock;

use crate::lexicon::Fnv;
use crate::transcript::Transcript;

static EMOJI: &str = include_str!("../data/vader_emoji.txt");

/// Mean rating increase of a booster word, and decrease of a dampener.
const B_INCR: f64 = 0.293;
const B_DECR: f64 = -0.293;
/// Rating increase of a word in capitals among words that are not.
const C_INCR: f64 = 0.733;
/// The factor a negation applies.
const N_SCALAR: f64 = -0.74;
/// `normalize`'s alpha: approximately the largest expected sum.
const ALPHA: f64 = 15.0;

const NEGATE: &[&str] = &[
    "aint",
    "arent",
    "cannot",
    "cant",
    "couldnt",
    "darent",
    "didnt",
    "doesnt",
    "ain't",
    "aren't",
    "can't",
    "couldn't",
    "daren't",
    "didn't",
    "doesn't",
    "dont",
    "hadnt",
    "hasnt",
    "havent",
    "isnt",
    "mightnt",
    "mustnt",
    "neither",
    "don't",
    "hadn't",
    "hasn't",
    "haven't",
    "isn't",
    "mightn't",
    "mustn't",
    "neednt",
    "needn't",
    "never",
    "none",
    "nope",
    "nor",
    "not",
    "nothing",
    "nowhere",
    "oughtnt",
    "shant",
    "shouldnt",
    "uhuh",
    "wasnt",
    "werent",
    "oughtn't",
    "shan't",
    "shouldn't",
    "uh-uh",
    "wasn't",
    "weren't",
    "without",
    "wont",
    "wouldnt",
    "won't",
    "wouldn't",
    "rarely",
    "seldom",
    "despite",
];

/// Degree adverbs: boosters raise the intensity of the word they precede, dampeners lower it.
fn booster(word: &str) -> Option<f64> {
    Some(match word {
        "absolutely" | "amazingly" | "awfully" | "completely" | "considerable" | "considerably"
        | "decidedly" | "deeply" | "effing" | "enormous" | "enormously" | "entirely"
        | "especially" | "exceptional" | "exceptionally" | "extreme" | "extremely"
        | "fabulously" | "flipping" | "flippin" | "frackin" | "fracking" | "fricking"
        | "frickin" | "frigging" | "friggin" | "fully" | "fuckin" | "fucking" | "fuggin"
        | "fugging" | "greatly" | "hella" | "highly" | "hugely" | "incredible" | "incredibly"
        | "intensely" | "major" | "majorly" | "more" | "most" | "particularly" | "purely"
        | "quite" | "really" | "remarkably" | "so" | "substantially" | "thoroughly" | "total"
        | "totally" | "tremendous" | "tremendously" | "uber" | "unbelievably" | "unusually"
        | "utter" | "utterly" | "very" => B_INCR,
        "almost" | "barely" | "hardly" | "just enough" | "kind of" | "kinda" | "kindof"
        | "kind-of" | "less" | "little" | "marginal" | "marginally" | "occasional"
        | "occasionally" | "partly" | "scarce" | "scarcely" | "slight" | "slightly"
        | "somewhat" | "sort of" | "sorta" | "sortof" | "sort-of" => B_DECR,
        _ => return None,
    })
}

/// Phrases holding a lexicon word whose valence they replace.
fn special_case(phrase: &str) -> Option<f64> {
    Some(match phrase {
        "the shit" => 3.0,
        "the bomb" => 3.0,
        "bad ass" => 1.5,
        "badass" => 1.5,
        "bus stop" => 0.0,
        "yeah right" => -2.0,
        "kiss of death" => -1.5,
        "to die for" => 3.0,
        "beating heart" => 3.5,
        _ => return None,
    })
}

// The lexicon as a static table build.rs writes from `data/vader_lexicon.txt`: nothing to
// parse or build at run time (building a map of its 7,500 words was a tenth of start-up).
use crate::generated::{VADER_SLOTS, VADER_WORDS};

/// The lexicon valence of a lower-cased word, when it is in the lexicon.
fn lexicon_valence(word: &str) -> Option<f64> {
    crate::lexicon::table_find(&VADER_SLOTS, word, |i| VADER_WORDS[i].0)
        .map(|i| f64::from_bits(VADER_WORDS[i].1))
}

fn emojis() -> &'static HashMap<char, &'static str, Fnv> {
    static MAP: OnceLock<HashMap<char, &'static str, Fnv>> = OnceLock::new();
    MAP.get_or_init(|| {
        EMOJI
            .lines()
            .filter_map(|l| {
                let (e, description) = l.split_once('\t')?;
                let mut cs = e.chars();
                let c = cs.next().filter(|_| cs.next().is_none())?;
                Some((c, description))
            })
            .collect()
    })
}

/// Python's `str.isspace`: Unicode white space plus the four ASCII separators.
fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.isupper`: at least one cased character, and no lower-case one.
fn is_upper(s: &str) -> bool {
    let mut cased = false;
    for c in s.chars() {
        if c.is_lowercase() {
            return false;
        }
        cased |= c.is_uppercase();
    }
    cased
}

/// One whitespace-separated token, as VADER sees it.
struct Word<'a> {
    /// Borrowed from the text when it is lower case already (most words), so scoring a
    /// turn allocates nothing per word.
    lower: Cow<'a, str>,
    upper: bool,
    /// The lexicon valence of `lower`, when it is in the lexicon.
    valence: Option<f64>,
}

impl<'a> Word<'a> {
    fn new(token: &'a str) -> Word<'a> {
        // `_strip_punc_if_word`: leading and trailing punctuation goes, unless that leaves
        // two characters or fewer (an emoticon such as ":)" or a word such as "ok.").
        let stripped = token.trim_matches(|c: char| c.is_ascii_punctuation());
        let token = if stripped.chars().count() <= 2 {
            token
        } else {
            stripped
        };
        let lower = if token.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80) {
            Cow::Owned(token.to_lowercase())
        } else {
            Cow::Borrowed(token)
        };
        Word {
            valence: lexicon_valence(&lower),
            upper: is_upper(token),
            lower,
        }
    }

    fn is(&self, w: &str) -> bool {
        self.lower == w
    }
}

fn negated(word: &str) -> bool {
    NEGATE.contains(&word) || word.contains("n't")
}

/// The compound sentiment score of `text`, -1.0 to 1.0, rounded to four decimals; 0.0 for a
/// text with no sentiment-bearing word.
pub fn compound(text: &str) -> f64 {
    let text = describe_emojis(text);
    let text = text.trim_matches(is_space);
    let words: Vec<Word> = text
        .split(is_space)
        .filter(|t| !t.is_empty())
        .map(Word::new)
        .collect();
    let capitals = words.iter().filter(|w| w.upper).count();
    // Capitals are emphasis only when some words are in capitals and others are not.
    let cap_diff = capitals > 0 && capitals < words.len();
    let mut scores = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        let modifier = booster(&w.lower).is_some()
            || (w.is("kind") && words.get(i + 1).is_some_and(|n| n.is("of")));
        scores.push(if modifier {
            0.0
        } else {
            valence(&words, i, cap_diff)
        });
    }
    but_check(&words, &mut scores);
    let compound = score(&scores, text);
    round4(compound)
}

/// `x` rounded to four decimals as the reference's `round(x, 4)` and `format!("{x:.4}")`
/// round it: to the decimal nearest the exact binary value, an exact tie (x = 1/32) to the
/// even last digit, the sign of a zero kept. Without formatting a string: `x * 10^4` is
/// split into the rounded product and its exact error (`mul_add`), which decides the cases
/// the rounded product alone cannot.
fn round4(x: f64) -> f64 {
    let p = x * 1e4;
    let err = x.mul_add(1e4, -p);
    let floor = p.floor();
    let frac = p - floor;
    let up = match frac.partial_cmp(&0.5) {
        Some(std::cmp::Ordering::Greater) => true,
        Some(std::cmp::Ordering::Less) => false,
        _ if err != 0.0 => err > 0.0,
        _ => floor % 2.0 != 0.0,
    };
    let n = if up { floor + 1.0 } else { floor };
    if n == 0.0 {
        return 0.0f64.copysign(x);
    }
    n / 1e4
}

/// Replaces each emoji by its description, as `polarity_scores` does before anything else.
fn describe_emojis(text: &str) -> std::borrow::Cow<'_, str> {
    if text.is_ascii() {
        return text.into();
    }
    let table = emojis();
    let mut out = String::with_capacity(text.len());
    let mut prev_space = true;
    for c in text.chars() {
        match table.get(&c) {
            Some(d) => {
                if !prev_space {
                    out.push(' ');
                }
                out.push_str(d);
                prev_space = false;
            }
            None => {
                out.push(c);
                prev_space = c == ' ';
            }
        }
    }
    out.into()
}

/// `sentiment_valence`: the valence of word `i` with the negations, boosters, capitals and
/// idioms around it.
fn valence(words: &[Word], i: usize, cap_diff: bool) -> f64 {
    let w = &words[i];
    let Some(base) = w.valence else {
        return 0.0;
    };
    let mut v = base;
    // "no" before another lexicon word negates it rather than counting itself.
    if w.is("no") && words.get(i + 1).is_some_and(|n| n.valence.is_some()) {
        v = 0.0;
    }
    if (i > 0 && words[i - 1].is("no"))
        || (i > 1 && words[i - 2].is("no"))
        || (i > 2 && words[i - 3].is("no") && (words[i - 1].is("or") || words[i - 1].is("nor")))
    {
        v = base * N_SCALAR;
    }
    if w.upper && cap_diff {
        v += if v > 0.0 { C_INCR } else { -C_INCR };
    }
    for start in 0..3 {
        if i > start && words[i - (start + 1)].valence.is_none() {
            let mut s = scalar_inc_dec(&words[i - (start + 1)], v, cap_diff);
            if start == 1 && s != 0.0 {
                s *= 0.95;
            }
            if start == 2 && s != 0.0 {
                s *= 0.9;
            }
            v += s;
            v = negation_check(v, words, start, i);
            if start == 2 {
                v = special_idioms_check(v, words, i);
            }
        }
    }
    least_check(v, words, i)
}

fn scalar_inc_dec(word: &Word, valence: f64, cap_diff: bool) -> f64 {
    let Some(b) = booster(&word.lower) else {
        return 0.0;
    };
    let mut scalar = if valence < 0.0 { -b } else { b };
    if word.upper && cap_diff {
        scalar += if valence > 0.0 { C_INCR } else { -C_INCR };
    }
    scalar
}

fn negation_check(v: f64, words: &[Word], start: usize, i: usize) -> f64 {
    let w = |k: usize| &*words[i - k].lower;
    let so_this = |s: &str| s == "so" || s == "this";
    match start {
        0 if negated(w(1)) => v * N_SCALAR,
        1 if w(2) == "never" && so_this(w(1)) => v * 1.25,
        1 if w(2) == "without" && w(1) == "doubt" => v,
        1 if negated(w(2)) => v * N_SCALAR,
        // As written in the reference: `a and b or c`, so "so" or "this" just before the
        // word boosts it whatever came three words before.
        2 if (w(3) == "never" && so_this(w(2))) || so_this(w(1)) => v * 1.25,
        2 if w(3) == "without" && (w(2) == "doubt" || w(1) == "doubt") => v,
        2 if negated(w(3)) => v * N_SCALAR,
        _ => v,
    }
}

fn special_idioms_check(mut v: f64, words: &[Word], i: usize) -> f64 {
    // Each n-gram is written into one buffer and looked up before the next is written.
    let mut buf = String::new();
    for ks in [
        &[i - 1, i][..],
        &[i - 2, i - 1, i],
        &[i - 2, i - 1],
        &[i - 3, i - 2, i - 1],
        &[i - 3, i - 2],
    ] {
        if let Some(x) = special_case(joined(&mut buf, words, ks)) {
            v = x;
            break;
        }
    }
    if words.len() - 1 > i {
        if let Some(x) = special_case(joined(&mut buf, words, &[i, i + 1])) {
            v = x;
        }
    }
    if words.len() - 1 > i + 1 {
        if let Some(x) = special_case(joined(&mut buf, words, &[i, i + 1, i + 2])) {
            v = x;
        }
    }
    for ks in [&[i - 3, i - 2, i - 1][..], &[i - 3, i - 2], &[i - 2, i - 1]] {
        if let Some(b) = booster(joined(&mut buf, words, ks)) {
            v += b;
        }
    }
    v
}

/// Words `ks` joined by single spaces, written into `buf`.
fn joined<'b>(buf: &'b mut String, words: &[Word], ks: &[usize]) -> &'b str {
    buf.clear();
    for (n, &k) in ks.iter().enumerate() {
        if n > 0 {
            buf.push(' ');
        }
        buf.push_str(&words[k].lower);
    }
    buf
}

fn least_check(v: f64, words: &[Word], i: usize) -> f64 {
    let least_before = |k: usize| words[k].valence.is_none() && words[k].is("least");
    if i > 1 && least_before(i - 1) {
        if !words[i - 2].is("at") && !words[i - 2].is("very") {
            return v * N_SCALAR;
        }
    } else if i > 0 && least_before(i - 1) {
        return v * N_SCALAR;
    }
    v
}

/// After a "but", scores before it count half and scores after it one and a half times.
/// As in the reference, each step rescales the FIRST score equal to the current one (Python's
/// `list.index`), not the score at the current position; kept, to give the same numbers.
fn but_check(words: &[Word], scores: &mut [f64]) {
    let Some(bi) = words.iter().position(|w| w.is("but")) else {
        return;
    };
    for k in 0..scores.len() {
        let v = scores[k];
        let si = scores.iter().position(|&x| x == v).unwrap_or(k);
        if si < bi {
            scores[si] = v * 0.5;
        } else if si > bi {
            scores[si] = v * 1.5;
        }
    }
}

/// `score_valence`'s compound: the sum, pushed away from zero by exclamation and question
/// marks, normalised into -1..1.
fn score(scores: &[f64], text: &str) -> f64 {
    if scores.is_empty() {
        return 0.0;
    }
    let mut sum = scores.iter().fold(0.0, |a, b| a + b);
    let ep = text.matches('!').count().min(4) as f64 * 0.292;
    let qm = match text.matches('?').count() {
        n @ 2..=3 => n as f64 * 0.18,
        n if n > 3 => 0.96,
        _ => 0.0,
    };
    let amplifier = ep + qm;
    if sum > 0.0 {
        sum += amplifier;
    } else if sum < 0.0 {
        sum -= amplifier;
    }
    (sum / (sum * sum + ALPHA).sqrt()).clamp(-1.0, 1.0)
}

/// Per-turn scores of one transcript, each computed on first use, so that a rule asking
/// about three customer turns scores three turns.
pub struct TurnSentiment<'t> {
    transcript: &'t Transcript,
    scores: OnceCell<Vec<OnceCell<f64>>>,
}

impl<'t> TurnSentiment<'t> {
    pub fn new(transcript: &'t Transcript) -> TurnSentiment<'t> {
        TurnSentiment {
            transcript,
            scores: OnceCell::new(),
        }
    }

    /// The compound score of turn `turn`.
    pub fn turn(&self, turn: usize) -> f64 {
        let cells = self
            .scores
            .get_or_init(|| vec![OnceCell::new(); self.transcript.turns.len()]);
        *cells[turn].get_or_init(|| compound(&self.transcript.turns[turn].text))
    }
}

/// A score for people: two decimals, with the sign ("+0.42", "-0.61", "0.00").
pub fn display(score: f64) -> String {
    if score.abs() < 0.005 {
        "0.00".into()
    } else {
        format!("{score:+.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The static table build.rs writes gives every word of the lexicon file its value (the
    /// last, for a repeated word), to the bit, and no value to other words.
    #[test]
    fn static_lexicon_equals_the_lexicon_file() {
        let mut file: HashMap<&str, f64> = HashMap::new();
        for l in include_str!("../data/vader_lexicon.txt").lines() {
            if let Some((w, v)) = l.split_once('\t') {
                file.insert(w, v.parse().unwrap());
            }
        }
        assert_eq!(file.len(), VADER_WORDS.len());
        for (w, v) in &file {
            assert_eq!(
                lexicon_valence(w).map(f64::to_bits),
                Some(v.to_bits()),
                "{w}"
            );
        }
        for w in ["", "tonecheck", "zzzz", "good!"] {
            assert_eq!(lexicon_valence(w), file.get(w).copied(), "{w}");
        }
    }

    /// `round4` gives what formatting to four decimals and parsing back gives, bit for bit
    /// (the sign of a zero included), on values spread over -1..1, exact ties (multiples of
    /// 1/32 and 1/64) and their neighbours one ulp away.
    #[test]
    fn round4_equals_formatting_to_four_decimals() {
        let reference = |x: f64| -> f64 { format!("{x:.4}").parse().unwrap() };
        let mut values = vec![0.0, -0.0, 1.0, -1.0, 0.00005, -0.00005, 0.99995, -0.99995];
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..200_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            values.push((state >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0);
        }
        for k in -64..=64 {
            for d in [32.0, 64.0] {
                let x = k as f64 / d;
                values.extend([
                    x,
                    f64::from_bits(x.to_bits() + 1),
                    f64::from_bits(x.to_bits().saturating_sub(1)),
                ]);
            }
        }
        for x in values.into_iter().filter(|x| x.abs() <= 1.0) {
            assert_eq!(round4(x).to_bits(), reference(x).to_bits(), "{x:e}");
        }
    }

    #[test]
    fn scores_follow_the_reference_on_its_own_examples() {
        // From vaderSentiment 3.3.2's demo (the full comparison is tests/sentiment.rs).
        assert_eq!(compound("VADER is smart, handsome, and funny."), 0.8316);
        assert_eq!(
            compound("VADER is not smart, handsome, nor funny."),
            -0.7424
        );
        assert_eq!(compound("The book was only kind of good."), 0.3832);
        assert_eq!(compound("Today SUX!"), -0.5461);
        assert_eq!(compound(""), 0.0);
        assert_eq!(compound("   "), 0.0);
    }

    #[test]
    fn negation_boosters_capitals_and_but_move_the_score() {
        let good = compound("The service was good.");
        assert!(good > 0.0);
        assert!(compound("The service was not good.") < 0.0);
        assert!(compound("The service was very good.") > good);
        assert!(compound("The service was GOOD.") > good);
        assert!(compound("The service was good!!") > good);
        // After "but" the second clause dominates.
        assert!(compound("The agent was nice but the refund is terrible.") < 0.0);
    }

    #[test]
    fn emojis_are_read_through_their_descriptions() {
        assert_eq!(compound("thanks 😢"), -0.0516);
        assert_eq!(compound("ok 😢"), -0.2263);
    }

    #[test]
    fn quirks_of_the_reference_are_kept() {
        // Python's `list.index` in the but-check: "fine" (0.8) is halved to 0.4 first, then
        // "yoyo" (0.4) finds it as the first equal score and halves it again instead of
        // being raised itself. The reference gives 0.1531, not 0.25.
        assert_eq!(compound("fine but yoyo"), 0.1531);
        // Three characters or fewer keep their punctuation: "ok." is not the lexicon's "ok".
        assert_eq!(compound("ok."), 0.0);
        assert!(compound("okay.") > 0.0);
    }

    #[test]
    fn turn_scores_are_computed_once_and_on_demand() {
        use crate::transcript::{Role, Turn};
        let mut t = Transcript::new("t");
        t.turns
            .push(Turn::new("Customer", Role::Customer, "This is awful.", 1));
        t.turns
            .push(Turn::new("Agent", Role::Agent, "I'm glad to help!", 2));
        let s = TurnSentiment::new(&t);
        assert!(s.scores.get().is_none());
        assert!(s.turn(0) < 0.0);
        let cells = s.scores.get().expect("initialised by the first question");
        assert!(cells[1].get().is_none(), "turn 1 was not asked about");
        assert!(s.turn(1) > 0.0);
        assert_eq!(display(-0.6124), "-0.61");
        assert_eq!(display(0.0), "0.00");
        assert_eq!(display(0.5), "+0.50");
    }
}
