//! Making text from transcripts, packs and file names safe to show: no terminal control
//! sequences in the human formats, no spreadsheet formulas in CSV.
use std::borrow::Cow;
use std::fmt::Write;

/// Characters a terminal acts on instead of showing: C0 controls (ESC, BEL, CR, LF, …), DEL,
/// C1 controls, and the bidirectional overrides that make text read differently from how it
/// is stored ("Trojan Source").
fn is_unsafe(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `s` with every unsafe character written as a visible escape (`\n`, `\r`, `\t`, `\u{1b}`),
/// so a finding is always one line and cannot recolour, retitle or rewrite a terminal.
pub fn terminal(s: &str) -> Cow<'_, str> {
    // Printable ASCII (most text) needs no look at characters.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) || !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// A CSV cell that a spreadsheet will not run as a formula: text starting with `=`, `+`,
/// `-`, `@`, tab or carriage return gets a leading `'`, as OWASP's CSV-injection guidance
/// advises (quoting of separators and quotes is left to the CSV writer).
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_visible() {
        assert_eq!(terminal("plain – text"), "plain – text");
        assert!(matches!(
            terminal("plain ASCII, ~all~ printable!"),
            Cow::Borrowed(_)
        ));
        assert_eq!(terminal("tab\there, del\x7f"), "tab\\there, del\\u{7f}");
        assert_eq!(
            terminal("a\x1b]0;pwned\x07b\r\nc\u{9b}\u{202e}"),
            "a\\u{1b}]0;pwned\\u{7}b\\r\\nc\\u{9b}\\u{202e}"
        );
    }

    #[test]
    fn formulas_are_neutralised() {
        for bad in [
            "=HYPERLINK(\"x\")",
            "+cmd|' /C calc'!A0",
            "-2+3",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(csv_cell(bad), format!("'{bad}"));
        }
        assert_eq!(csv_cell("calls/a.txt"), "calls/a.txt");
        assert_eq!(csv_cell(""), "");
    }
}
