//! Turns a turn's text into the tokens the rule language matches: lower-case words with
//! contractions expanded ("don't" → do not), variant spellings made canonical (apologise →
//! apologize), numbers, and punctuation marks. Every token keeps the byte span of the source
//! text it came from, so a match maps back to the original line and column.
//!
//! Normalisation happens once per turn, here, so no pattern has to list both "don't" and
//! "do not", or "apologise" and "apologize". Buffers are reused between turns.

/// What kind of token this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Letters (and digits mixed with letters, like `3rd`).
    Word,
    /// Digits, possibly with `.`, `,` or `:` inside (`10:30`, `1,000`).
    Num,
    /// A punctuation mark or symbol; `norm` is the mark itself (`?`, `,`, `%`...).
    Punct,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte span in the source text.
    pub start: u32,
    pub end: u32,
    /// Byte span of the normalised form in `Tokens::norm`.
    norm: (u32, u32),
    /// A second reading for an ambiguous contraction: `'s` → is / has, `'d` → would / had.
    pub alt: Option<&'static str>,
    pub kind: Kind,
    /// A full stop that ends a title ("Mr.", "Dr."), not a sentence (`is_hard_stop`).
    pub title_stop: bool,
    /// `lexicon::word_hash` of the normalised form and of `alt` (0 without one).
    pub hash: u64,
    pub alt_hash: u64,
}

/// The tokens of one text, with the normalised forms they point into.
#[derive(Debug, Default, Clone)]
pub struct Tokens {
    norm: String,
    pub toks: Vec<Token>,
    lower: String,
    /// Different for every `tokenize` call in the process, so a cache of what a turn's
    /// tokens contain (`group::GroupScratch`) knows when it is stale.
    stamp: u64,
}

/// `Tokens::stamp`s: each thread takes a block of 2^40 from `BLOCKS` and counts within it,
/// so tokenising touches no shared memory.
static BLOCKS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

thread_local! {
    static NEXT_STAMP: std::cell::Cell<u64> = std::cell::Cell::new(
        BLOCKS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) << 40,
    );
}

fn next_stamp() -> u64 {
    NEXT_STAMP.with(|n| {
        let s = n.get() + 1;
        n.set(s);
        s
    })
}

/// Ends a sentence: gaps never cross these, `^` and `$` are placed by them.
#[inline]
pub fn is_hard_stop(t: &Token, toks: &Tokens) -> bool {
    t.kind == Kind::Punct
        && !t.title_stop
        && matches!(toks.text(t).as_bytes()[0], b'.' | b'!' | b'?' | b';')
}

/// Titles written with a full stop before a name: that stop ends no sentence ("I've asked
/// Mr. Osei to call you" is one sentence). Lower case.
const TITLES: &[&[u8]] = &[b"dr", b"mr", b"mrs", b"ms", b"mx", b"prof"];

/// Whether the byte at `i` of `b` is a full stop right after a whole word that is a title
/// (`TITLES`, any case): the tokenizer and the rule kinds' sentence index both ask.
pub fn is_title_stop(b: &[u8], i: usize) -> bool {
    if b.get(i) != Some(&b'.') {
        return false;
    }
    // The letters before it, looked at no further back than the longest title and one more
    // (a full stop after a long word costs no scan of the word).
    let from = i.saturating_sub(5);
    let start = b[from..i]
        .iter()
        .rposition(|c| !c.is_ascii_alphabetic())
        .map_or(from, |p| from + p + 1);
    // A whole word: not the end of "e-mail.Dr", "Fedr" or a word with non-ASCII letters.
    let whole = start == 0 || !(b[start - 1].is_ascii_alphanumeric() || b[start - 1] >= 0x80);
    whole && i - start <= 4 && TITLES.iter().any(|t| t.eq_ignore_ascii_case(&b[start..i]))
}

impl Tokens {
    pub fn len(&self) -> usize {
        self.toks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.toks.is_empty()
    }

    /// Which `tokenize` call produced the tokens (never 0).
    pub fn stamp(&self) -> u64 {
        self.stamp
    }

    /// The normalised text of a token.
    #[inline]
    pub fn text(&self, t: &Token) -> &str {
        &self.norm[t.norm.0 as usize..t.norm.1 as usize]
    }

    #[inline]
    pub fn word(&self, i: usize) -> &str {
        self.text(&self.toks[i])
    }

    #[inline]
    pub fn hard_stop(&self, i: usize) -> bool {
        is_hard_stop(&self.toks[i], self)
    }

    /// Punctuation that patterns step over unless they name it: commas, quotes, brackets,
    /// dashes, colons, symbols. Sentence ends are not soft.
    #[inline]
    pub fn soft(&self, i: usize) -> bool {
        let t = &self.toks[i];
        t.kind == Kind::Punct && !is_hard_stop(t, self)
    }

    /// Source byte span of tokens `a..b`, widened to whole source words: a match that starts
    /// at the `not` of "doesn't" reports "doesn't", not "n't". (Two word tokens touch only
    /// when they are parts of one source word.)
    pub fn source_span(&self, a: usize, b: usize) -> (u32, u32) {
        let joined = |i: usize| {
            let (x, y) = (&self.toks[i - 1], &self.toks[i]);
            x.end == y.start && x.kind != Kind::Punct && y.kind != Kind::Punct
        };
        let mut a = a;
        while a > 0 && joined(a) {
            a -= 1;
        }
        let mut b = b;
        while b < self.toks.len() && joined(b) {
            b += 1;
        }
        (self.toks[a].start, self.toks[b - 1].end)
    }

    /// The first token after `i` that is not a soft mark (what a pattern's next word
    /// element would look at).
    #[inline]
    pub fn next_word(&self, i: usize) -> Option<usize> {
        let mut j = i + 1;
        while j < self.toks.len() && self.soft(j) {
            j += 1;
        }
        (j < self.toks.len()).then_some(j)
    }

    /// The last token before `i` that is not a soft mark.
    #[inline]
    pub fn prev_word(&self, i: usize) -> Option<usize> {
        let mut j = i;
        while j > 0 && self.soft(j - 1) {
            j -= 1;
        }
        j.checked_sub(1)
    }

    /// Index of the first token whose source span ends after `offset`.
    pub fn at_offset(&self, offset: usize) -> usize {
        self.toks.partition_point(|t| (t.end as usize) <= offset)
    }

    /// Tokenises `text`, replacing the previous contents.
    pub fn tokenize(&mut self, text: &str) {
        self.stamp = next_stamp();
        self.norm.clear();
        self.toks.clear();
        let b = text.as_bytes();
        let n = b.len();
        let mut i = 0;
        while i < n {
            let c = b[i];
            if c.is_ascii_whitespace() {
                i += 1;
                continue;
            }
            if c.is_ascii_digit() {
                let s = i;
                while i < n
                    && (b[i].is_ascii_digit()
                        || (matches!(b[i], b'.' | b',' | b':')
                            && i + 1 < n
                            && b[i + 1].is_ascii_digit()))
                {
                    i += 1;
                }
                if i < n && (b[i].is_ascii_alphabetic() || b[i] >= 0x80 && starts_alpha(text, i)) {
                    // `3rd`, `24h`, `2fa`: one word that starts with a digit.
                    i = word_end(text, i);
                    self.source_word(text, s, i);
                } else {
                    self.push(s, i, &text[s..i], Kind::Num, None);
                }
                continue;
            }
            if matches!(c, b'h' | b'H' | b'w' | b'W') {
                if let Some(e) = url_end(text, i) {
                    // A web address is one word: its dots and slashes are not sentence ends
                    // or gaps, and the words inside it are not the agent's words.
                    let mut lower = std::mem::take(&mut self.lower);
                    lower.clear();
                    lower.push_str(&text[i..e]);
                    lower.make_ascii_lowercase();
                    self.push(i, e, &lower, Kind::Word, None);
                    self.lower = lower;
                    i = e;
                    continue;
                }
            }
            if c.is_ascii_alphabetic() {
                if let Some(e) = self.plain_word(text, i) {
                    i = e;
                    continue;
                }
            }
            if c.is_ascii_alphabetic()
                || (c >= 0x80 && starts_alpha(text, i))
                || (c == b'_' && underscored_word(text, i))
            {
                let s = i;
                i = word_end(text, i);
                self.source_word(text, s, i);
                continue;
            }
            // Punctuation, symbols, non-ASCII spaces.
            let ch = text[i..].chars().next().unwrap_or(' ');
            let len = ch.len_utf8();
            if ch.is_whitespace() || is_emoji_modifier(ch) {
                // (An emoji's presentation selector, skin tone or joiner is no token of its
                // own: "☹️" is "☹", "👍🏽" is "👍".)
                i += len;
                continue;
            }
            if c == b'-' && i > 0 && i + 1 < n && is_word_byte(b[i - 1]) && is_word_byte(b[i + 1]) {
                // A hyphen inside a word joins its parts like a space: "short-staffed" is
                // "short staffed".
                i += 1;
                continue;
            }
            let mark: &str = match ch {
                '\u{2018}' | '\u{2019}' | '`' => "'",
                '\u{201C}' | '\u{201D}' => "\"",
                '\u{2013}' | '\u{2014}' => "-",
                '\u{2026}' => ".",
                _ => &text[i..i + len],
            };
            self.push(i, i + len, mark, Kind::Punct, None);
            if c == b'.' && is_title_stop(b, i) {
                if let Some(t) = self.toks.last_mut() {
                    t.title_stop = true;
                }
            }
            i += len;
        }
    }

    fn push(
        &mut self,
        start: usize,
        end: usize,
        norm: &str,
        kind: Kind,
        alt: Option<&'static str>,
    ) {
        let ns = self.norm.len() as u32;
        self.norm.push_str(norm);
        self.toks.push(Token {
            start: start as u32,
            end: end as u32,
            norm: (ns, self.norm.len() as u32),
            alt,
            hash: crate::lexicon::word_hash(norm),
            alt_hash: alt.map_or(0, crate::lexicon::word_hash),
            kind,
            title_stop: false,
        });
    }

    /// The common word, in one pass: ASCII letters and digits from `s`, ended by anything
    /// that cannot continue a word (not an apostrophe before a letter, not a non-ASCII
    /// character), with no whole-word expansion and no variant spelling. Pushes it, lower-cased
    /// and hashed while its end is found, and returns its end; `None` (nothing pushed) for
    /// every other word, which `source_word` takes.
    #[inline]
    fn plain_word(&mut self, text: &str, s: usize) -> Option<usize> {
        use crate::lexicon::{word_hash_step, WORD_HASH_START};
        let b = text.as_bytes();
        let mut h = WORD_HASH_START;
        let mut e = s;
        // One table look-up per byte gives both whether it continues the word and its lower
        // case (0: it does not).
        while let Some(&l) = b.get(e).map(|&c| &PLAIN_WORD_LOWER[c as usize]) {
            if l == 0 {
                break;
            }
            h = word_hash_step(h, l);
            e += 1;
        }
        let ends = match b.get(e) {
            None => true,
            Some(&(b'\'' | b'`')) => !b.get(e + 1).is_some_and(u8::is_ascii_alphabetic),
            Some(&c) => c < 0x80,
        };
        if !ends || is_whole_word_key(h) || crate::lexicon::may_be_variant_hash(h) {
            return None;
        }
        let ns = self.norm.len();
        self.norm.push_str(&text[s..e]);
        self.norm[ns..].make_ascii_lowercase();
        self.toks.push(Token {
            start: s as u32,
            end: e as u32,
            norm: (ns as u32, self.norm.len() as u32),
            alt: None,
            hash: h,
            alt_hash: 0,
            kind: Kind::Word,
            title_stop: false,
        });
        Some(e)
    }

    /// One source word (letters, digits, inner apostrophes), lower-cased, split into its
    /// contraction parts and given its canonical spelling.
    fn source_word(&mut self, text: &str, s: usize, e: usize) {
        // (The common word, plain ASCII with no expansion, never gets here: `plain_word`
        // took it.)
        let raw = &text[s..e];
        let mut lower = std::mem::take(&mut self.lower);
        lower.clear();
        if raw.is_ascii() {
            lower.push_str(raw);
            lower.make_ascii_lowercase();
            if raw.contains('`') {
                lower = lower.replace('`', "'");
            }
        } else {
            for ch in raw.chars() {
                match ch {
                    '\u{2019}' | '\u{2018}' | '`' => lower.push('\''),
                    _ => lower.extend(ch.to_lowercase()),
                }
            }
        }
        self.word_parts(&lower, raw, s, e);
        self.lower = lower;
    }

    fn word_parts(&mut self, w: &str, raw: &str, s: usize, e: usize) {
        if let Some(parts) = whole_word_expansion(w) {
            // "dont", "cannot", "im": the parts share the source span in proportion.
            let mut at = s;
            for (k, p) in parts.iter().enumerate() {
                let end = if k + 1 == parts.len() {
                    e
                } else {
                    // Split on a character boundary of the source ("y’all").
                    let mut end = (at + p.len()).min(e);
                    while !raw.is_char_boundary(end - s) {
                        end += 1;
                    }
                    end
                };
                self.push(at, end, p, Kind::Word, None);
                at = end;
            }
            return;
        }
        if let Some(q) = w.rfind('\'') {
            let (base, suffix) = (&w[..q], &w[q + 1..]);
            // Source offset of the apostrophe (raw may use a 3-byte curly one).
            let raw_q = raw.rfind(['\'', '\u{2019}', '\u{2018}', '`']).unwrap_or(q);
            let q_src = s + raw_q;
            if suffix == "t" && base.ends_with('n') && base.len() > 1 {
                // n't: "don't" → do not, "can't" → can not, "won't" → will not.
                let stem = &base[..base.len() - 1];
                let stem = match stem {
                    "ca" => "can",
                    "wo" => "will",
                    "sha" => "shall",
                    "ai" => "is",
                    _ => stem,
                };
                let split = q_src - 1; // the `n` belongs to "n't"
                self.canonical_push(s, split.max(s), stem);
                self.push(split.max(s), e, "not", Kind::Word, None);
                return;
            }
            let expansion: Option<(&str, Option<&'static str>)> = match suffix {
                "re" => Some(("are", None)),
                "ve" => Some(("have", None)),
                "ll" => Some(("will", None)),
                "m" => Some(("am", None)),
                "d" => Some(("would", Some("had"))),
                "s" if base == "let" => Some(("us", None)),
                "s" if S_IS.contains(&base) => Some(("is", Some("has"))),
                "s" => Some(("'s", None)),
                _ => None,
            };
            if let Some((exp, alt)) = expansion {
                self.canonical_push(s, q_src, base);
                self.push(q_src, e, exp, Kind::Word, alt);
                return;
            }
        }
        self.canonical_push(s, e, w);
    }

    fn canonical_push(&mut self, s: usize, e: usize, w: &str) {
        match crate::lexicon::canonical_spelling(w) {
            Some(c) => self.push(s, e, c, Kind::Word, None),
            None => self.push(s, e, w, Kind::Word, None),
        }
    }
}

/// Words whose `'s` is "is" (or "has"), not a possessive.
const S_IS: &[&str] = &[
    "it",
    "that",
    "what",
    "there",
    "here",
    "who",
    "where",
    "how",
    "he",
    "she",
    "when",
    "why",
    "this",
    "everything",
    "nothing",
    "something",
    "someone",
    "everyone",
    "anything",
    "one",
    // Issue 9, batch 26: "nobody's come", "somebody's taken it", "everybody's been told".
    // ("anyone" and "anybody" stay possessive-only: "anyone's guess".)
    "nobody",
    "somebody",
    "everybody",
];

/// Contractions written without an apostrophe, as chat and ASR text has them, and a few
/// chat spellings, with what they expand to; sorted, for a binary search per word. Only
/// forms that are not ordinary words ("its", "ill", "were") are here ("wont" in the sense of
/// "custom" is rare enough). `raw_forms` reads the same table backwards for the anchors.
/// Issue 9, batch 24: Scots negatives ("cannae", "didnae") and Irish plural "ye" ("ye've"),
/// as speech-to-text writes them.
const WHOLE_WORDS: &[(&str, &[&str])] = &[
    ("ain't", &["is", "not"]),
    ("aint", &["is", "not"]),
    ("arent", &["are", "not"]),
    ("cannae", &["can", "not"]),
    ("cannot", &["can", "not"]),
    ("cant", &["can", "not"]),
    ("couldnae", &["could", "not"]),
    ("couldnt", &["could", "not"]),
    ("didnae", &["did", "not"]),
    ("didnt", &["did", "not"]),
    ("dinnae", &["do", "not"]),
    ("doesnae", &["does", "not"]),
    ("doesnt", &["does", "not"]),
    ("dont", &["do", "not"]),
    ("gonna", &["going", "to"]),
    ("gotta", &["got", "to"]),
    ("hadnt", &["had", "not"]),
    ("hasnae", &["has", "not"]),
    ("hasnt", &["has", "not"]),
    ("havenae", &["have", "not"]),
    ("havent", &["have", "not"]),
    ("heres", &["here", "is"]),
    ("im", &["i", "am"]),
    ("isnae", &["is", "not"]),
    ("isnt", &["is", "not"]),
    ("ive", &["i", "have"]),
    ("mustnt", &["must", "not"]),
    ("pls", &["please"]),
    ("plz", &["please"]),
    ("shes", &["she", "is"]),
    ("shouldnae", &["should", "not"]),
    ("shouldnt", &["should", "not"]),
    ("thats", &["that", "is"]),
    ("theres", &["there", "is"]),
    ("theyre", &["they", "are"]),
    ("theyve", &["they", "have"]),
    ("u", &["you"]),
    ("ur", &["your"]),
    ("wanna", &["want", "to"]),
    ("wasnae", &["was", "not"]),
    ("wasnt", &["was", "not"]),
    ("werent", &["were", "not"]),
    ("weve", &["we", "have"]),
    ("whats", &["what", "is"]),
    ("wont", &["will", "not"]),
    ("wouldnae", &["would", "not"]),
    ("wouldnt", &["would", "not"]),
    ("y'all", &["you", "all"]),
    ("yall", &["you", "all"]),
    ("ye", &["you"]),
    ("ye'll", &["you", "will"]),
    ("ye're", &["you", "are"]),
    ("ye've", &["you", "have"]),
    ("youll", &["you", "will"]),
    ("youre", &["you", "are"]),
    ("yous", &["you"]),
    ("youse", &["you"]),
    ("youve", &["you", "have"]),
];

/// Whether `h` is the `word_hash` of a `WHOLE_WORDS` key (a hash set, built once).
/// Bloom filter over the `word_hash`es of `WHOLE_WORDS` (built by the compiler): a word
/// outside it certainly has no whole-word expansion.
static WHOLE_WORD_FILTER: [u64; 1024] = {
    let mut f = [0u64; 1024];
    let mut i = 0;
    while i < WHOLE_WORDS.len() {
        crate::lexicon::filter_add(&mut f, crate::lexicon::word_hash(WHOLE_WORDS[i].0));
        i += 1;
    }
    f
};

#[inline]
fn is_whole_word_key(h: u64) -> bool {
    crate::lexicon::filter_has(&WHOLE_WORD_FILTER, h)
}

fn whole_word_expansion(w: &str) -> Option<&'static [&'static str]> {
    WHOLE_WORDS
        .binary_search_by(|(raw, _)| (*raw).cmp(w))
        .ok()
        .map(|i| WHOLE_WORDS[i].1)
}

/// The raw spellings in which a normalised word can appear in source text, for the anchor
/// automaton: the word itself, and the contracted forms that the tokenizer expands to it.
/// Forms starting with `'` attach to the previous word (no word boundary before them).
pub fn raw_forms(word: &str) -> Vec<String> {
    let mut out = vec![word.to_string()];
    let mut add = |s: &str| {
        if !out.iter().any(|o| o == s) {
            out.push(s.to_string());
        }
    };
    match word {
        "not" => add("n't"),
        "are" => add("'re"),
        "have" => add("'ve"),
        "will" => {
            add("'ll");
            add("won't");
        }
        "am" => add("'m"),
        "would" | "had" => add("'d"),
        "is" | "has" => add("'s"),
        "us" => add("let's"),
        "can" => add("can't"),
        "shall" => add("shan't"),
        _ => {}
    }
    for (raw, parts) in WHOLE_WORDS {
        if parts.contains(&word) {
            add(raw);
        }
    }
    for v in crate::lexicon::variants(word) {
        add(v);
    }
    // The automaton folds ASCII case only: non-ASCII words also in upper and title case.
    if !word.is_ascii() {
        add(&word.to_uppercase());
        let mut c = word.chars();
        if let Some(f) = c.next() {
            add(&(f.to_uppercase().collect::<String>() + c.as_str()));
        }
    }
    // Every apostrophe form also in its curly spelling.
    let curly: Vec<String> = out
        .iter()
        .filter(|s| s.contains('\''))
        .map(|s| s.replace('\'', "\u{2019}"))
        .collect();
    out.extend(curly);
    out
}

/// Variation selectors (text or emoji presentation), the zero-width joiner and the skin-tone
/// modifiers: they change how an emoji is drawn, not which one it is.
fn is_emoji_modifier(c: char) -> bool {
    matches!(
        c,
        '\u{FE0E}' | '\u{FE0F}' | '\u{200D}' | '\u{1F3FB}'..='\u{1F3FF}'
    )
}

/// Per byte: its ASCII lower case when it continues a plain word (an ASCII letter, digit or
/// `_`), else 0.
static PLAIN_WORD_LOWER: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        if b.is_ascii_alphanumeric() || b == b'_' {
            t[c] = b.to_ascii_lowercase();
        }
        c += 1;
    }
    t
};

#[inline]
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// Whether the underscores at `i` lead into a word (`_sorry`); a run of underscores alone
/// (a blank to fill in, `____`) stays marks.
fn underscored_word(text: &str, i: usize) -> bool {
    let rest = text[i..].trim_start_matches('_');
    rest.chars().next().is_some_and(char::is_alphanumeric)
}

fn starts_alpha(text: &str, i: usize) -> bool {
    text[i..].chars().next().is_some_and(char::is_alphanumeric)
}

/// End of the web address starting at `i` (`http://`, `https://` or `www.`, up to the next
/// space, without the punctuation that closes the sentence or a bracket around it).
fn url_end(text: &str, i: usize) -> Option<usize> {
    let rest = &text.as_bytes()[i..];
    let prefix = |p: &[u8]| rest.len() > p.len() && rest[..p.len()].eq_ignore_ascii_case(p);
    if !(prefix(b"http://") || prefix(b"https://") || prefix(b"www.")) {
        return None;
    }
    let len = text[i..]
        .char_indices()
        .find(|&(_, ch)| ch.is_whitespace())
        .map_or(text.len() - i, |(k, _)| k);
    let url = text[i..i + len].trim_end_matches(|ch: char| {
        matches!(
            ch,
            '.' | ',' | ';' | ':' | '!' | '?' | ')' | ']' | '}' | '"' | '\'' | '>'
        ) || matches!(ch, '\u{2019}' | '\u{201D}' | '\u{2026}')
    });
    Some(i + url.len())
}

/// End of the word starting at `i`: letters and digits, and an apostrophe (straight or
/// curly) with a letter after it.
fn word_end(text: &str, mut i: usize) -> usize {
    let b = text.as_bytes();
    let n = b.len();
    while i < n {
        let c = b[i];
        if PLAIN_WORD_LOWER[c as usize] != 0 {
            // An underscore joins (`sorry_msg`, `_sorry`): a phrase matches whole words only.
            i += 1;
        } else if c == b'\'' || c == b'`' {
            if i + 1 < n && b[i + 1].is_ascii_alphabetic() {
                i += 1;
            } else {
                break;
            }
        } else if c >= 0x80 {
            let ch = text[i..].chars().next().unwrap_or(' ');
            if ch.is_alphanumeric() {
                i += ch.len_utf8();
            } else if matches!(ch, '\u{2019}' | '\u{2018}')
                && text[i + 3..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphabetic)
            {
                i += 3;
            } else {
                break;
            }
        } else {
            break;
        }
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        let mut t = Tokens::default();
        t.tokenize(text);
        (0..t.len()).map(|i| t.word(i).to_string()).collect()
    }

    #[test]
    fn emoji_modifiers_are_not_tokens() {
        assert_eq!(
            words("sad \u{2639}\u{FE0F} now"),
            ["sad", "\u{2639}", "now"]
        );
        assert_eq!(words("ok \u{1F44D}\u{1F3FD}"), ["ok", "\u{1F44D}"]);
        assert_eq!(
            words("\u{1F468}\u{200D}\u{1F469}"),
            ["\u{1F468}", "\u{1F469}"]
        );
        assert_eq!(words("\u{1F62D}\u{1F62D}"), ["\u{1F62D}", "\u{1F62D}"]);
    }

    /// The full stop of a title before a name ends no sentence; any other full stop does,
    /// and "Dr" inside a longer word is no title.
    #[test]
    fn a_title_full_stop_is_not_a_sentence_end() {
        let stops = |text: &str| -> Vec<String> {
            let mut t = Tokens::default();
            t.tokenize(text);
            (0..t.len())
                .filter(|&i| t.hard_stop(i))
                .map(|i| text[..t.toks[i].start as usize].to_string())
                .collect()
        };
        assert_eq!(
            stops("Sorry, Mrs. Ortiz. We were busy."),
            ["Sorry, Mrs. Ortiz", "Sorry, Mrs. Ortiz. We were busy"]
        );
        assert_eq!(stops("Ask DR. Lee or prof. Obi"), Vec::<String>::new());
        assert_eq!(
            stops("Call Sam. Then Fedr. Then mr."),
            ["Call Sam", "Call Sam. Then Fedr"]
        );
        assert!(is_title_stop(b"Mr.", 2));
        assert!(!is_title_stop(b"Mr.", 1));
        assert!(!is_title_stop(b"\xc3\xa9dr.", 4));
        assert!(!is_title_stop(b"adr.", 3));
    }

    #[test]
    fn the_chat_spelling_table_is_sorted_for_its_binary_search() {
        assert!(WHOLE_WORDS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(raw_forms("you").contains(&"u".to_string()));
        assert!(raw_forms("not").contains(&"dont".to_string()));
    }

    #[test]
    fn contractions_expand() {
        assert_eq!(
            words("I don't know, it's NOT my fault!"),
            ["i", "do", "not", "know", ",", "it", "is", "not", "my", "fault", "!"]
        );
        assert_eq!(
            words("We can't, won't"),
            ["we", "can", "not", ",", "will", "not"]
        );
        assert_eq!(words("I\u{2019}m sorry"), ["i", "am", "sorry"]);
        assert_eq!(words("billing's job"), ["billing", "'s", "job"]);
        assert_eq!(
            words("dont worry im here"),
            ["do", "not", "worry", "i", "am", "here"]
        );
        assert_eq!(words("let's see"), ["let", "us", "see"]);
        // Scots negatives and Irish "ye", as speech-to-text writes them.
        assert_eq!(words("that cannae be"), ["that", "can", "not", "be"]);
        assert_eq!(
            words("ye\u{2019}ve taken it"),
            ["you", "have", "taken", "it"]
        );
    }

    #[test]
    fn spans_point_into_the_source() {
        let mut t = Tokens::default();
        let text = "Well, I don\u{2019}t know";
        t.tokenize(text);
        let not = t.toks.iter().find(|k| t.text(k) == "not").unwrap();
        assert_eq!(&text[not.start as usize..not.end as usize], "n\u{2019}t");
        let know = t.toks.last().unwrap();
        assert_eq!(&text[know.start as usize..know.end as usize], "know");
    }

    #[test]
    fn a_web_address_is_one_word() {
        assert_eq!(
            words("Please visit https://Example.com/help?q=1. We can't."),
            [
                "please",
                "visit",
                "https://example.com/help?q=1",
                ".",
                "we",
                "can",
                "not",
                "."
            ]
        );
        assert_eq!(
            words("(see www.shop.co.uk/returns), then"),
            ["(", "see", "www.shop.co.uk/returns", ")", ",", "then"]
        );
        // Only a real address: the word "http" and a "www" on its own stay words.
        assert_eq!(words("http is www"), ["http", "is", "www"]);
        let mut t = Tokens::default();
        let text = "go to https://x.org/a.";
        t.tokenize(text);
        let url = &t.toks[2];
        assert_eq!(
            &text[url.start as usize..url.end as usize],
            "https://x.org/a"
        );
        assert!(t.hard_stop(3));
    }

    #[test]
    fn split_words_keep_char_boundaries_and_whole_word_spans() {
        let mut t = Tokens::default();
        let text = "can\u{2019}t believe y\u{2019}all";
        t.tokenize(text);
        for k in &t.toks {
            assert!(text.get(k.start as usize..k.end as usize).is_some());
        }
        let you = t.toks.iter().position(|k| t.text(k) == "you").unwrap();
        let (s, e) = t.source_span(you, you + 1);
        assert_eq!(&text[s as usize..e as usize], "y\u{2019}all");
        let not = t.toks.iter().position(|k| t.text(k) == "not").unwrap();
        let (s, e) = t.source_span(not, not + 2);
        assert_eq!(&text[s as usize..e as usize], "can\u{2019}t believe");
        let (s, e) = t.source_span(not + 1, not + 2);
        assert_eq!(&text[s as usize..e as usize], "believe");
    }

    #[test]
    fn numbers_hyphens_and_marks() {
        assert_eq!(
            words("short-staffed at 10:30, 100% sure?!"),
            ["short", "staffed", "at", "10:30", ",", "100", "%", "sure", "?", "!"]
        );
        assert_eq!(
            words("the 3rd time \u{2014} again"),
            ["the", "3rd", "time", "-", "again"]
        );
    }
}
