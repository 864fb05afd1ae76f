//! A small JSON parser that keeps where every value starts, so that findings in JSON
//! transcripts point back at the line and column of the text they were found in.
//! Strings without escapes borrow from the source, so a document costs little more than its
//! tree of nodes; nesting is limited, so no input can overflow the stack.
use std::borrow::Cow;

/// Deeper nesting than any transcript format needs; beyond it the file is rejected.
const MAX_DEPTH: usize = 128;

/// A JSON value and the byte offset where it starts in the source.
#[derive(Debug, Clone, PartialEq)]
pub struct Node<'a> {
    pub at: usize,
    pub val: Val<'a>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Val<'a> {
    Null,
    Bool(bool),
    Num(f64),
    Str(Cow<'a, str>),
    Arr(Vec<Node<'a>>),
    Obj(Vec<(Cow<'a, str>, Node<'a>)>),
}

/// A syntax error at a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    pub at: usize,
    pub message: String,
}

impl<'a> Node<'a> {
    /// A member of an object (the first, if the key repeats).
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        match &self.val {
            Val::Obj(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Follows object keys: `n.path(&["results", "utterances"])`.
    pub fn path(&self, keys: &[&str]) -> Option<&Node<'a>> {
        keys.iter().try_fold(self, |n, k| n.get(k))
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.val {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Node<'a>]> {
        match &self.val {
            Val::Arr(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_object(&self) -> bool {
        matches!(self.val, Val::Obj(_))
    }

    /// A number, or a string holding one (Amazon Transcribe writes `"start_time": "4.87"`).
    pub fn as_number(&self) -> Option<f64> {
        match &self.val {
            Val::Num(n) => Some(*n),
            Val::Str(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
            _ => None,
        }
    }

    /// Scalars as text (ids and metadata values may be numbers or booleans).
    pub fn scalar_text(&self) -> Option<String> {
        match &self.val {
            Val::Str(s) => Some(s.to_string()),
            Val::Num(n) if n.fract() == 0.0 && n.abs() < 1e15 => Some(format!("{n:.0}")),
            Val::Num(n) => Some(n.to_string()),
            Val::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// What kind of value this is, for error messages.
    pub fn kind(&self) -> &'static str {
        match self.val {
            Val::Null => "null",
            Val::Bool(_) => "a boolean",
            Val::Num(_) => "a number",
            Val::Str(_) => "a string",
            Val::Arr(_) => "an array",
            Val::Obj(_) => "an object",
        }
    }
}

/// Parses a whole document (one value, then only whitespace).
pub fn parse(text: &str) -> Result<Node<'_>, JsonError> {
    parse_range(text, 0..text.len())
}

/// Parses one value in `text[range]` (a line of a JSONL file); offsets stay file offsets.
pub fn parse_range(text: &str, range: std::ops::Range<usize>) -> Result<Node<'_>, JsonError> {
    let mut p = Parser {
        s: &text.as_bytes()[..range.end],
        text,
        i: range.start,
    };
    p.ws();
    let v = p.value(0)?;
    p.ws();
    if p.i < p.s.len() {
        return Err(p.err("unexpected text after the JSON value"));
    }
    Ok(v)
}

/// Where byte `decoded` of a string value's text is in the source: `open` is the offset of
/// the string's opening quote, and an escape (`\n`, `\u00e9`) counts as the character it
/// stands for. Without escapes this is `open + 1 + decoded`.
pub fn string_offset(text: &str, open: usize, decoded: usize) -> usize {
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        i: open + 1,
    };
    let mut d = 0;
    while d < decoded {
        let c = match p.s.get(p.i) {
            None | Some(b'"') => break,
            Some(b'\\') => match p.escape(open) {
                Ok(c) => c,
                Err(_) => break,
            },
            Some(_) => {
                let c = text[p.i..].chars().next().expect("inside the text");
                p.i += c.len_utf8();
                c
            }
        };
        d += c.len_utf8();
    }
    p.i
}

/// The elements of a top-level array, parsed one at a time, so that a large array of
/// transcripts never exists as one tree: each element's tree is dropped once it is read.
/// `None` when the text is not an array; a syntax error ends the iteration.
pub fn array_items(text: &str) -> Option<impl Iterator<Item = Result<Node<'_>, JsonError>>> {
    let mut p = Parser {
        s: text.as_bytes(),
        text,
        i: 0,
    };
    p.ws();
    if p.s.get(p.i) != Some(&b'[') {
        return None;
    }
    p.i += 1;
    let mut state = 0u8; // 0: before the first element, 1: after an element, 2: done
    Some(std::iter::from_fn(move || {
        if state == 2 {
            return None;
        }
        p.ws();
        if state == 1 {
            match p.s.get(p.i) {
                Some(b',') => {
                    p.i += 1;
                    p.ws();
                }
                Some(b']') => {
                    state = 2;
                    p.i += 1;
                    p.ws();
                    return (p.i < p.s.len())
                        .then(|| Err(p.err("unexpected text after the JSON value")));
                }
                None => {
                    state = 2;
                    return Some(Err(p.eof()));
                }
                _ => {
                    state = 2;
                    return Some(Err(p.err("expected `,` or `]` in the array")));
                }
            }
        } else if p.s.get(p.i) == Some(&b']') {
            state = 2;
            return None;
        }
        match p.value(1) {
            Ok(v) => {
                state = 1;
                Some(Ok(v))
            }
            Err(e) => {
                state = 2;
                Some(Err(e))
            }
        }
    }))
}

struct Parser<'a> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
}

impl<'a> Parser<'a> {
    fn err(&self, message: &str) -> JsonError {
        JsonError {
            at: self.i,
            message: message.to_string(),
        }
    }

    fn eof(&self) -> JsonError {
        JsonError {
            at: self.s.len(),
            message: "unexpected end of file (truncated JSON?)".into(),
        }
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node<'a>, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.err(&format!("nested deeper than {MAX_DEPTH} levels")));
        }
        let at = self.i;
        let val = match self.s.get(self.i) {
            None => return Err(self.eof()),
            Some(b'{') => {
                self.i += 1;
                let mut members = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b'}') {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        if self.s.get(self.i) != Some(&b'"') {
                            return Err(if self.i >= self.s.len() {
                                self.eof()
                            } else {
                                self.err("expected a quoted object key")
                            });
                        }
                        let key = self.string()?;
                        self.ws();
                        match self.s.get(self.i) {
                            Some(b':') => self.i += 1,
                            None => return Err(self.eof()),
                            _ => return Err(self.err("expected `:` after the object key")),
                        }
                        self.ws();
                        let v = self.value(depth + 1)?;
                        members.push((key, v));
                        self.ws();
                        match self.s.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(b'}') => {
                                self.i += 1;
                                break;
                            }
                            None => return Err(self.eof()),
                            _ => return Err(self.err("expected `,` or `}` in the object")),
                        }
                    }
                }
                Val::Obj(members)
            }
            Some(b'[') => {
                self.i += 1;
                let mut items = Vec::new();
                self.ws();
                if self.s.get(self.i) == Some(&b']') {
                    self.i += 1;
                } else {
                    loop {
                        self.ws();
                        items.push(self.value(depth + 1)?);
                        self.ws();
                        match self.s.get(self.i) {
                            Some(b',') => self.i += 1,
                            Some(b']') => {
                                self.i += 1;
                                break;
                            }
                            None => return Err(self.eof()),
                            _ => return Err(self.err("expected `,` or `]` in the array")),
                        }
                    }
                }
                Val::Arr(items)
            }
            Some(b'"') => Val::Str(self.string()?),
            Some(b't') => self.word("true", Val::Bool(true))?,
            Some(b'f') => self.word("false", Val::Bool(false))?,
            Some(b'n') => self.word("null", Val::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => return Err(self.err("expected a JSON value")),
        };
        Ok(Node { at, val })
    }

    fn word(&mut self, w: &str, v: Val<'a>) -> Result<Val<'a>, JsonError> {
        if self.s[self.i..].starts_with(w.as_bytes()) {
            self.i += w.len();
            Ok(v)
        } else {
            Err(self.err("expected a JSON value"))
        }
    }

    fn number(&mut self) -> Result<Val<'a>, JsonError> {
        let start = self.i;
        while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') = self.s.get(self.i) {
            self.i += 1;
        }
        let text = &self.text[start..self.i];
        match text.parse::<f64>() {
            Ok(n) if n.is_finite() && !text.starts_with('+') && !text.ends_with('.') => {
                Ok(Val::Num(n))
            }
            _ => {
                self.i = start;
                Err(self.err(&format!("`{text}` is not a JSON number")))
            }
        }
    }

    /// A string starting at the opening quote; borrowed when it has no escapes.
    fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        let open = self.i;
        self.i += 1;
        let start = self.i;
        loop {
            match self.s.get(self.i) {
                None => {
                    return Err(JsonError {
                        at: open,
                        message: "string never closed (truncated JSON?)".into(),
                    })
                }
                Some(b'"') => {
                    let s = &self.text[start..self.i];
                    self.i += 1;
                    return Ok(Cow::Borrowed(s));
                }
                Some(b'\\') => break,
                Some(&b) if b < 0x20 => {
                    return Err(self.err("control character (such as a raw newline) in a string"))
                }
                Some(_) => self.i += 1,
            }
        }
        let mut out = String::from(&self.text[start..self.i]);
        loop {
            match self.s.get(self.i) {
                None => {
                    return Err(JsonError {
                        at: open,
                        message: "string never closed (truncated JSON?)".into(),
                    })
                }
                Some(b'"') => {
                    self.i += 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => out.push(self.escape(open)?),
                Some(&b) if b < 0x20 => {
                    return Err(self.err("control character (such as a raw newline) in a string"))
                }
                Some(_) => {
                    // Copy a run of ordinary bytes (always ends on a char boundary: `"`, `\`
                    // and control bytes are ASCII).
                    let from = self.i;
                    while let Some(&b) = self.s.get(self.i) {
                        if b == b'"' || b == b'\\' || b < 0x20 {
                            break;
                        }
                        self.i += 1;
                    }
                    out.push_str(&self.text[from..self.i]);
                }
            }
        }
    }

    /// The character an escape at `self.i` stands for (`open`: the string's opening quote).
    fn escape(&mut self, open: usize) -> Result<char, JsonError> {
        let esc = self.s.get(self.i + 1).copied();
        self.i += 2;
        Ok(match esc {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let hi = self.hex4()?;
                let c = if (0xD800..0xDC00).contains(&hi) && self.s[self.i..].starts_with(b"\\u") {
                    self.i += 2;
                    let lo = self.hex4()?;
                    (0xDC00..0xE000).contains(&lo).then_some(()).and_then(|_| {
                        char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                    })
                } else {
                    char::from_u32(hi)
                };
                c.unwrap_or('\u{FFFD}')
            }
            None => {
                return Err(JsonError {
                    at: open,
                    message: "string never closed (truncated JSON?)".into(),
                })
            }
            Some(_) => {
                self.i -= 2;
                return Err(self.err("invalid escape in a string"));
            }
        })
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let h = self
            .text
            .get(self.i..self.i + 4)
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .ok_or_else(|| self.err("invalid \\u escape in a string"))?;
        self.i += 4;
        Ok(h)
    }
}

/// Byte offset → 1-based line and column (in characters), for one source text.
pub struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Lines<'a> {
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Lines { text, starts }
    }

    pub fn line_col(&self, at: usize) -> (usize, usize) {
        let at = at.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= at);
        let start = self.starts[line - 1];
        let col = self
            .text
            .get(start..at)
            .map_or(1, |s| s.chars().count() + 1);
        (line, col)
    }

    pub fn line(&self, at: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= at.min(self.text.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_positions() {
        let src = "{\n  \"a\": [1, -2.5e1, true, null],\n  \"b\": \"x\\u00e9\\n\"\n}";
        let v = parse(src).unwrap();
        let a = v.get("a").unwrap().as_array().unwrap();
        assert_eq!(a[1].val, Val::Num(-25.0));
        assert_eq!(Lines::new(src).line_col(a[0].at), (2, 9));
        assert_eq!(v.get("b").unwrap().as_str(), Some("xé\n"));
    }

    #[test]
    fn array_items_one_at_a_time() {
        let items: Vec<_> = array_items(" [1, {\"a\": 2} , \"x\"] ").unwrap().collect();
        assert_eq!(items.len(), 3);
        assert_eq!(items[1].as_ref().unwrap().at, 5);
        let items: Vec<_> = array_items("[1, 2").unwrap().collect();
        assert!(items[1].is_ok() && items[2].as_ref().unwrap_err().message.contains("truncated"));
        assert_eq!(array_items("[]").unwrap().count(), 0);
        assert!(array_items("{}").is_none());
        assert!(array_items("[1] x").unwrap().last().unwrap().is_err());
    }

    #[test]
    fn string_offsets_count_escapes_as_written() {
        let src = r#"{"t": "\n\u0020 hi\"x"}"#;
        let open = src.find("\"\\n").unwrap();
        // "\n", "\u0020" and " " decode to 3 bytes and are written in 9.
        assert_eq!(&src[string_offset(src, open, 3)..][..2], "hi");
        assert_eq!(string_offset("\"abc\"", 0, 2), 3);
        // Past the end of the string, the closing quote.
        assert_eq!(string_offset("\"ab\" ", 0, 9), 3);
    }

    #[test]
    fn surrogate_pairs() {
        let v = parse(r#""\ud83d\ude00""#).unwrap();
        assert_eq!(v.as_str(), Some("😀"));
    }

    #[test]
    fn errors_say_where() {
        let e = parse("{\"a\": [1, 2").unwrap_err();
        assert!(e.message.contains("truncated"), "{e:?}");
        let e = parse("{\"a\" 1}").unwrap_err();
        assert_eq!(e.at, 5);
        assert!(parse("[1,]").is_err());
        assert!(parse("01x").is_err());
        assert!(parse("\"abc").unwrap_err().message.contains("never closed"));
        assert!(parse("[1] 2").is_err());
        assert!(parse(&"[".repeat(1000))
            .unwrap_err()
            .message
            .contains("nested"));
        assert!(parse("\"\\x\"").is_err());
        assert!(parse("[1.]").is_err());
    }
}
