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
//! their bytes, so there is nothing to build or parse at start-up. The only precomputed
//! structure is a small bit-set filter over the variant spellings (const-evaluated by the
//! compiler from the 40 KB file), so that the per-word spelling look-up of ordinary words
//! costs one hash. Regenerating: see `data/README.md`.

static INFLECTIONS: &str = include_str!("../data/inflections.txt");
static SPELLINGS: &str = include_str!("../data/spellings.txt");

/// Bloom filter (64 Ki bits, two bits per key from the low 32 bits of its `word_hash`) over
/// every variant spelling, so that `canonical_spelling` of a word that is not a variant
/// (almost every word of a turn) costs two bit tests on the hash the tokenizer has already
/// computed, instead of a search. With ~1,700 keys about 0.3% of other words pass it and
/// pay for the search.
static SPELLING_FILTER: [u64; 1024] = key_filter(SPELLINGS);

/// The two filter bits of a `word_hash`: its low two 16-bit halves.
const fn filter_bits(hash: u64) -> [u32; 2] {
    [(hash & 0xffff) as u32, ((hash >> 16) & 0xffff) as u32]
}

/// Sets the two filter bits of `hash` in `filter`.
pub(crate) const fn filter_add(filter: &mut [u64; 1024], hash: u64) {
    let bits = filter_bits(hash);
    filter[(bits[0] / 64) as usize] |= 1 << (bits[0] % 64);
    filter[(bits[1] / 64) as usize] |= 1 << (bits[1] % 64);
}

/// False when no key added to `filter` has the word hash `hash`.
#[inline]
pub(crate) fn filter_has(filter: &[u64; 1024], hash: u64) -> bool {
    let bits = filter_bits(hash);
    filter[(bits[0] / 64) as usize] & (1 << (bits[0] % 64)) != 0
        && filter[(bits[1] / 64) as usize] & (1 << (bits[1] % 64)) != 0
}

const fn key_filter(table: &str) -> [u64; 1024] {
    let bytes = table.as_bytes();
    let mut filter = [0u64; 1024];
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        while bytes[i] != b' ' && bytes[i] != b'\n' {
            i += 1;
        }
        filter_add(&mut filter, word_hash_of(bytes, start, i));
        while bytes[i] != b'\n' {
            i += 1;
        }
        i += 1;
    }
    filter
}

/// False when `word` is certainly not a variant spelling.
pub(crate) fn may_be_variant(word: &str) -> bool {
    may_be_variant_hash(word_hash(word))
}

/// `may_be_variant` of the word whose `word_hash` is `hash`.
#[inline]
pub(crate) fn may_be_variant_hash(hash: u64) -> bool {
    filter_has(&SPELLING_FILTER, hash)
}

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
    if !may_be_variant(word) {
        return None;
    }
    let line = find_line(SPELLINGS, word)?;
    line.split_once(' ').map(|(_, canonical)| canonical)
}

/// The variant spellings whose canonical form is `word` (apologize → apologise), for the
/// raw anchor strings of `rules anchors` (the text before normalisation, which the
/// throughput bench gives rg). A static table (build.rs): nothing is built at run time.
pub fn variants(word: &str) -> Vec<&'static str> {
    // The reverse of `data/spellings.txt` (canonical → variants, in file order), by build.rs.
    use crate::generated::{SPELLING_VARIANTS, SPELLING_VARIANT_SLOTS};
    table_find(&SPELLING_VARIANT_SLOTS, word, |i| SPELLING_VARIANTS[i].0)
        .map_or_else(Vec::new, |i| SPELLING_VARIANTS[i].1.to_vec())
}

/// The first slot of `word` in a static open-addressing table of `2^bits` slots (build.rs
/// writes such tables, with this function, for the spelling variants and the VADER lexicon).
pub(crate) fn table_slot(word: &str, bits: u32) -> usize {
    (word_hash(word).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - bits)) as usize
}

/// The index of `word` in a static open-addressing table: `slots` (a power of two of them)
/// hold 1 + an index, 0 for an empty slot, probed linearly from `table_slot`; `key(i)` is
/// the word at index `i`.
pub(crate) fn table_find<'a>(
    slots: &[u16],
    word: &str,
    key: impl Fn(usize) -> &'a str,
) -> Option<usize> {
    let mask = slots.len() - 1;
    let mut s = table_slot(word, slots.len().trailing_zeros());
    loop {
        let i = slots[s] as usize;
        if i == 0 {
            return None;
        }
        if key(i - 1) == word {
            return Some(i - 1);
        }
        s = (s + 1) & mask;
    }
}

/// The line (without its newline) of `table` whose first word is `key`, by binary search
/// over byte offsets: the middle byte of the range is moved back to the start of its line.
/// `table` is sorted by first word in byte order, each line ending in `\n`. About 15 probes
/// for the inflection table; no index is built, so there is no start-up or compile-time cost.
fn find_line(table: &'static str, key: &str) -> Option<&'static str> {
    let bytes = table.as_bytes();
    // Invariant: `lo` and `hi` are line starts (or the end), and the key, if present, is on a
    // line starting in `lo..hi`.
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
        let first = line.split_once(' ').map_or(line, |(first, _)| first);
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

    /// The static reverse spelling table gives every canonical spelling of
    /// `data/spellings.txt` its variants in file order, and other words none.
    #[test]
    fn variants_reverse_the_spelling_table() {
        let mut reverse: std::collections::HashMap<&str, Vec<&str>> = Default::default();
        for (v, c) in SPELLINGS.lines().filter_map(|l| l.split_once(' ')) {
            reverse.entry(c).or_default().push(v);
        }
        for (c, vs) in &reverse {
            assert_eq!(&variants(c), vs, "{c}");
        }
        assert_eq!(reverse.len(), crate::generated::SPELLING_VARIANTS.len());
        for w in ["", "apologise", "sorry", "zzz"] {
            assert_eq!(
                variants(w),
                reverse.get(w).cloned().unwrap_or_default(),
                "{w}"
            );
        }
        assert_eq!(variants("apologize"), ["apologise"]);
    }

    fn has_all(lemma: &str, expected: &[&str]) {
        let got = forms(lemma);
        assert_eq!(got[0], lemma, "lemma first in {got:?}");
        for want in expected {
            assert!(got.contains(want), "{lemma}~ lacks {want}: {got:?}");
        }
    }

    /// `same_word` agrees with `==` for every pair of strings of up to 20 bytes that differ
    /// in one byte at any position, or in length, or not at all.
    #[test]
    fn same_word_is_string_equality() {
        let base = "abcdefghijklmnopqrst";
        for n in 0..=base.len() {
            let a = &base[..n];
            assert!(same_word(a, a), "{a}");
            for m in 0..=base.len() {
                assert_eq!(same_word(a, &base[..m]), n == m, "{a} vs {}", &base[..m]);
            }
            for i in 0..n {
                let mut b = a.as_bytes().to_vec();
                b[i] = b'X';
                let b = String::from_utf8(b).unwrap();
                assert!(!same_word(a, &b), "{a} vs {b}");
            }
        }
        assert!(same_word("café", "café") && !same_word("café", "cafe"));
    }

    /// `WordKey::is` agrees with `==` wherever it answers, and answers for every word of up
    /// to 16 bytes; the cases as for `same_word`.
    #[test]
    fn word_key_is_string_equality() {
        let base = "abcdefghijklmnopqrst";
        let agrees = |a: &str, b: &str| {
            let got = WordKey::of(a).is(b);
            assert!(
                got.is_some() || (a.len() > 16 && a.len() == b.len()),
                "{a} vs {b}"
            );
            assert!(got.is_none_or(|g| g == (a == b)), "{a} vs {b}");
        };
        for n in 0..=base.len() {
            let a = &base[..n];
            for m in 0..=base.len() {
                agrees(a, &base[..m]);
            }
            for i in 0..n {
                let mut b = a.as_bytes().to_vec();
                b[i] = b'X';
                agrees(a, &String::from_utf8(b).unwrap());
            }
        }
        agrees("café", "café");
        agrees("café", "cafe");
        agrees("né", "ne\u{301}");
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
    fn modals_have_only_their_modal_forms() {
        // Not the homographs' forms: a can, cans, canned; a will, willing; a must, musts.
        assert_eq!(forms("can"), ["can", "could"]);
        assert_eq!(forms("will"), ["will", "would"]);
        assert_eq!(forms("may"), ["may", "might"]);
        assert_eq!(forms("shall"), ["shall", "should"]);
        assert_eq!(forms("must"), ["must"]);
        has_all("dare", &["dares", "dared", "daring"]);
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

    /// The filter is what keeps the per-word look-up cheap: it must pass every variant (checked
    /// below) and stop nearly all other words.
    #[test]
    fn spelling_filter_stops_other_words() {
        let others: Vec<&str> = INFLECTIONS
            .split([' ', '\n'])
            .filter(|w| !w.is_empty() && find_line(SPELLINGS, w).is_none())
            .collect();
        let passed = others.iter().filter(|w| may_be_variant(w)).count();
        assert!(others.len() > 40_000, "{}", others.len());
        assert!(
            passed * 100 < others.len(),
            "{passed} of {} other words pass the filter",
            others.len()
        );
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
                    // Every variant passes the filter and is found.
                    assert_eq!(canonical_spelling(words[0]), Some(words[1]), "{line}");
                }
                assert!(previous < words[0], "{name}:{}: not sorted", n + 1);
                previous = words[0];
                // Every entry is reachable by the binary search.
                assert_eq!(find_line(table, words[0]), Some(line), "{name}:{}", n + 1);
            }
        }
        // A canonical spelling is final: it never maps on.
        for line in SPELLINGS.lines() {
            let (_, canonical) = line.split_once(' ').unwrap();
            assert_eq!(canonical_spelling(canonical), None, "{line}");
        }
    }
}

/// FNV-1a as a `BuildHasher`: short words hash faster than with the default SipHash, and
/// the keys (rule words) are ours, not an attacker's.
#[derive(Default, Clone, Copy, Debug)]
pub struct Fnv;

/// The hasher `Fnv` builds.
pub struct FnvHasher(u64);

/// FNV-1a of a word: tokens carry it, so a pattern's word test compares numbers, not strings.
#[inline]
pub const fn word_hash(w: &str) -> u64 {
    word_hash_of(w.as_bytes(), 0, w.len())
}

/// `word_hash` of `bytes[start..end]` (const: the filters are built by the compiler).
const fn word_hash_of(bytes: &[u8], start: usize, end: usize) -> u64 {
    let mut h = WORD_HASH_START;
    let mut i = start;
    while i < end {
        h = word_hash_step(h, bytes[i]);
        i += 1;
    }
    h
}

/// `word_hash` one byte at a time (the tokenizer hashes a word while it finds its end):
/// start from `WORD_HASH_START`, then `word_hash_step` each byte.
pub(crate) const WORD_HASH_START: u64 = 0xcbf2_9ce4_8422_2325;

#[inline]
pub(crate) const fn word_hash_step(h: u64, b: u8) -> u64 {
    (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
}

/// Whether two words are equal: for the short strings words are, a few word-sized loads
/// instead of a call to the C library's `memcmp` (which the scan made millions of times,
/// each after the hashes already agreed).
#[inline]
pub fn same_word(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let u64_at = |s: &[u8], i: usize| u64::from_le_bytes(s[i..i + 8].try_into().expect("8 bytes"));
    let u32_at = |s: &[u8], i: usize| u32::from_le_bytes(s[i..i + 4].try_into().expect("4 bytes"));
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=7 => u32_at(a, 0) == u32_at(b, 0) && u32_at(a, n - 4) == u32_at(b, n - 4),
        8..=16 => u64_at(a, 0) == u64_at(b, 0) && u64_at(a, n - 8) == u64_at(b, n - 8),
        _ => a == b,
    }
}

/// A word of up to 16 bytes held as its length and two integers, so that comparing a token
/// with it reads no string from elsewhere in memory: the anchor table keeps the key beside
/// each anchor, and a hit touches one cache line fewer than `same_word` on the stored text.
/// The integers are the bytes `same_word` compares, which for up to 16 bytes are all of them.
/// (`same_word` keeps its own short-circuiting comparison rather than building both words'
/// parts first: that costs 0.2% of the dense sample's instructions, measured.)
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WordKey {
    len: u32,
    lo: u64,
    hi: u64,
}

impl WordKey {
    #[inline]
    fn parts(b: &[u8]) -> (u64, u64) {
        let n = b.len();
        let u64_at = |i: usize| u64::from_le_bytes(b[i..i + 8].try_into().expect("8 bytes"));
        let u32_at = |i: usize| u32::from_le_bytes(b[i..i + 4].try_into().expect("4 bytes"));
        match n {
            1..=3 => (
                b[0] as u64 | (b[n / 2] as u64) << 8 | (b[n - 1] as u64) << 16,
                0,
            ),
            4..=7 => (u32_at(0) as u64, u32_at(n - 4) as u64),
            8..=16 => (u64_at(0), u64_at(n - 8)),
            _ => (0, 0),
        }
    }

    pub fn of(w: &str) -> WordKey {
        let (lo, hi) = WordKey::parts(w.as_bytes());
        WordKey {
            len: w.len().min(u32::MAX as usize) as u32,
            lo,
            hi,
        }
    }

    /// Whether `w` is the key's word: `Some` for a key of up to 16 bytes (or a length that
    /// differs), `None` when the caller must compare the strings.
    #[inline]
    pub fn is(&self, w: &str) -> Option<bool> {
        if w.len() != self.len as usize {
            return Some(false);
        }
        if w.len() > 16 {
            return None;
        }
        let (lo, hi) = WordKey::parts(w.as_bytes());
        Some(lo == self.lo && hi == self.hi)
    }
}

/// A `BuildHasher` for `u64` keys that are hashes (`word_hash`) or small numbers: one
/// multiply, no byte loop.
#[derive(Default, Clone, Copy, Debug)]
pub struct PreHashed;

/// The hasher `PreHashed` builds.
pub struct PreHashedHasher(u64);

impl std::hash::BuildHasher for PreHashed {
    type Hasher = PreHashedHasher;
    fn build_hasher(&self) -> PreHashedHasher {
        PreHashedHasher(0)
    }
}

impl std::hash::Hasher for PreHashedHasher {
    fn finish(&self) -> u64 {
        // The high half folded onto the low: a multiply keeps a key's trailing zero bits
        // (an aligned address), and the table picks buckets by the low bits.
        self.0 ^ (self.0 >> 32)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
        self.0 = self.0.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    fn write_u64(&mut self, n: u64) {
        // One multiply spreads keys that are small numbers over the high bits the table
        // uses too.
        self.0 = n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

impl std::hash::BuildHasher for Fnv {
    type Hasher = FnvHasher;
    fn build_hasher(&self) -> FnvHasher {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// A `BuildHasher` for keys made of a few integers (an address and some indices): each
/// integer is mixed in with one multiply, where FNV takes one per byte.
#[derive(Default, Clone, Copy, Debug)]
pub struct Mix;

/// The hasher `Mix` builds.
pub struct MixHasher(u64);

impl std::hash::BuildHasher for Mix {
    type Hasher = MixHasher;
    fn build_hasher(&self) -> MixHasher {
        MixHasher(0)
    }
}

impl MixHasher {
    #[inline]
    fn mix(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(26) ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

impl std::hash::Hasher for MixHasher {
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 32)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.mix(u64::from(b));
        }
    }
    fn write_u8(&mut self, n: u8) {
        self.mix(u64::from(n));
    }
    fn write_u32(&mut self, n: u32) {
        self.mix(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.mix(n);
    }
    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }
}
