//! English word forms for the rule language: every inflection of a lemma (`pick~` matches
//! pick, picks, picked, picking; `be~` matches am, is, are, was, were...) and the American
//! spelling of a British or variant spelling (apologise → apologize, cancelled → canceled).
//!
//! The data is not hand-written. `tools/gen-lexicon.py` reads the look-up tables of the
//! `lemminflect` 0.2.3 wheel on PyPI (MIT, `data/LICENSE.lemminflect`), which are derived from
//! the NLM SPECIALIST Lexicon (`data/NOTICE.specialist`), and writes two sorted text files:
//!
//! - `data/inflections.txt`: `lemma form form ...`, one line per lemma, the lemma first;
//! - `data/spellings.txt`: `variant canonical`, one line per variant spelling, derived from the
//!   same lexicon (a British pattern such as -ise, -our, -tre, -lled is kept only when the
//!   American spelling is a lemma of the lexicon in the same part of speech).
//!
//! Both files are embedded with `include_str!` and searched in place by binary search over
//! their lines, so there is nothing to build or parse at start-up. Regenerating: see
//! `data/README.md`.

static INFLECTIONS: &str = include_str!("../data/inflections.txt");
static SPELLINGS: &str = include_str!("../data/spellings.txt");

/// Every surface form of `lemma` (lower-case), the lemma itself first, across parts of speech
/// (verb forms, noun plural, adjective and adverb comparative and superlative), from the
/// embedded lexicon; just `[lemma]` when the lexicon knows no other form of it.
///
/// The returned forms borrow from the embedded data (`'static`) or, for the lemma itself,
/// from the argument. Look-up is by exact bytes: pass the lemma in lower case.
pub fn forms(lemma: &str) -> Vec<&str> {
    match find_line(INFLECTIONS, lemma) {
        Some(line) => line.split(' ').collect(),
        None => vec![lemma],
    }
}

/// The canonical (American) spelling of a lower-case word form when it is a British or
/// variant spelling (apologise → apologize, apologised → apologized, colour → color,
/// cancelled → canceled, centre → center, organisation → organization); `None` when the word
/// is already canonical or unknown.
pub fn canonical_spelling(word: &str) -> Option<&'static str> {
    let line = find_line(SPELLINGS, word)?;
    line.split_once(' ').map(|(_, canonical)| canonical)
}

/// The variant spellings whose canonical form is `word` (apologize → apologise), for the
/// anchor automaton, which sees the text before normalisation. Only called while rule packs
/// compile, for anchor words; the reverse index is built on the first call (a scan of the
/// table per call cost over a second for packs with large word classes, called once per
/// word of every anchor).
pub fn variants(word: &str) -> Vec<&'static str> {
    use std::collections::HashMap;
    use std::sync::OnceLock;
    static BY_CANONICAL: OnceLock<HashMap<&'static str, Vec<&'static str>>> = OnceLock::new();
    let index = BY_CANONICAL.get_or_init(|| {
        let mut m: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
        for (v, c) in SPELLINGS.lines().filter_map(|l| l.split_once(' ')) {
            m.entry(c).or_default().push(v);
        }
        m
    });
    index.get(word).cloned().unwrap_or_default()
}

/// The line of `table` whose first word is `key`, by binary search over the byte offsets of
/// the lines. `table` is sorted by first word in byte order, one entry per line, each line
/// ending in `\n`.
fn find_line(table: &'static str, key: &str) -> Option<&'static str> {
    let bytes = table.as_bytes();
    // Invariant: `lo` is the start of a line and `hi` is the start of a line (or the end);
    // the key, if present, is on a line starting in `lo..hi`.
    let (mut lo, mut hi) = (0, bytes.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = bytes[lo..mid]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(lo, |i| lo + i + 1);
        let end = bytes[start..hi]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(hi, |i| start + i);
        let line = &table[start..end];
        let first = line.split(' ').next().unwrap_or(line);
        match key.cmp(first) {
            std::cmp::Ordering::Equal => return Some(line),
            std::cmp::Ordering::Less => hi = start,
            std::cmp::Ordering::Greater => lo = end + 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_all(lemma: &str, expected: &[&str]) {
        let got = forms(lemma);
        assert_eq!(got[0], lemma, "lemma first in {got:?}");
        for want in expected {
            assert!(got.contains(want), "{lemma}~ lacks {want}: {got:?}");
        }
    }

    #[test]
    fn irregular_and_auxiliary_verbs() {
        has_all("be", &["am", "is", "are", "was", "were", "been", "being"]);
        has_all("have", &["has", "had", "having"]);
        has_all("do", &["does", "did", "done", "doing"]);
        has_all("go", &["goes", "went", "gone", "going"]);
        has_all("leave", &["leaves", "left", "leaving"]);
        has_all("take", &["takes", "took", "taken", "taking"]);
        has_all("deal", &["deals", "dealt", "dealing"]);
        has_all("mistake", &["mistakes", "mistook", "mistaken", "mistaking"]);
    }

    #[test]
    fn regular_verbs() {
        has_all("pick", &["picks", "picked", "picking"]);
        has_all("handle", &["handles", "handled", "handling"]);
        has_all("apologize", &["apologizes", "apologized", "apologizing"]);
        // No stray forms from other lemmas.
        assert!(!forms("pick").contains(&"picket"));
    }

    #[test]
    fn nouns_and_adjectives() {
        has_all("child", &["children"]);
        // The lexicon lists "people" as a lemma of its own, not as the plural of "person".
        assert_eq!(forms("person"), ["person", "persons"]);
        has_all("good", &["better", "best"]);
        has_all("bad", &["worse", "worst"]);
        has_all("mistake", &["mistakes"]);
        has_all("mouse", &["mice"]);
    }

    #[test]
    fn forms_are_distinct() {
        for lemma in ["be", "leave", "good", "cancel", "have"] {
            let got = forms(lemma);
            let mut unique = got.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(unique.len(), got.len(), "{got:?}");
        }
    }

    #[test]
    fn unknown_and_non_lower_case_words_are_themselves() {
        assert_eq!(forms("zyxwv"), ["zyxwv"]);
        assert_eq!(forms(""), [""]);
        assert_eq!(forms("Take"), ["Take"]);
        assert_eq!(forms("take off"), ["take off"]);
        // The first and last lines of the table are found too.
        let first = INFLECTIONS.lines().next().unwrap();
        let last = INFLECTIONS.lines().last().unwrap();
        for line in [first, last] {
            let lemma = line.split(' ').next().unwrap();
            assert_eq!(forms(lemma).join(" "), line);
        }
    }

    #[test]
    fn variants_are_the_reverse_of_canonical_spelling() {
        assert_eq!(variants("apologize"), ["apologise"]);
        assert_eq!(variants("canceled"), ["cancelled"]);
        assert!(variants("zyxwv").is_empty());
        assert!(variants("apologise").is_empty());
        for (v, c) in SPELLINGS.lines().filter_map(|l| l.split_once(' ')) {
            assert!(variants(c).contains(&v), "{v} -> {c}");
        }
    }

    #[test]
    fn british_spellings_map_to_american() {
        for (british, american) in [
            ("apologise", "apologize"),
            ("apologised", "apologized"),
            ("apologises", "apologizes"),
            ("apologising", "apologizing"),
            ("colour", "color"),
            ("colours", "colors"),
            ("coloured", "colored"),
            ("favourite", "favorite"),
            ("behaviour", "behavior"),
            ("cancelled", "canceled"),
            ("cancelling", "canceling"),
            ("travelled", "traveled"),
            ("centre", "center"),
            ("realise", "realize"),
            ("organisation", "organization"),
            ("organisations", "organizations"),
            ("licence", "license"),
            ("judgement", "judgment"),
            ("programme", "program"),
            ("enrolment", "enrollment"),
        ] {
            assert_eq!(canonical_spelling(british), Some(american), "{british}");
        }
    }

    #[test]
    fn canonical_and_unknown_words_have_no_other_spelling() {
        for word in [
            "apologize",
            "color",
            "canceled",
            "center",
            "organization",
            "controlled",
            "surprise",
            "advertise",
            "filling",
            "poet",
            "hello",
            "zyxwv",
            "",
            "Colour",
        ] {
            assert_eq!(canonical_spelling(word), None, "{word}");
        }
    }

    /// The binary search relies on this shape; a regenerated file that breaks it fails here.
    #[test]
    fn data_files_are_sorted_lower_case_words() {
        for (name, table, arity) in [
            ("inflections.txt", INFLECTIONS, None),
            ("spellings.txt", SPELLINGS, Some(2)),
        ] {
            assert!(table.ends_with('\n'), "{name} ends with a newline");
            let mut previous = "";
            for (n, line) in table.lines().enumerate() {
                let words: Vec<&str> = line.split(' ').collect();
                assert!(
                    words
                        .iter()
                        .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase())),
                    "{name}:{}: {line:?}",
                    n + 1
                );
                assert!(words.len() >= 2, "{name}:{}: {line:?}", n + 1);
                if let Some(arity) = arity {
                    assert_eq!(words.len(), arity, "{name}:{}: {line:?}", n + 1);
                }
                assert!(previous < words[0], "{name}:{}: not sorted", n + 1);
                previous = words[0];
            }
        }
        // A canonical spelling is final: it never maps on.
        for line in SPELLINGS.lines() {
            let (_, canonical) = line.split_once(' ').unwrap();
            assert_eq!(canonical_spelling(canonical), None, "{line}");
        }
    }
}
