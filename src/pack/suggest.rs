//! "Did you mean" for authoring errors: the closest known name to a misspelt key, rule id,
//! list or value, so that an error points at the fix instead of listing every choice.

/// The candidate closest to `word`, when it is close enough to be a likely typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word_l = word.to_lowercase();
    let mut best: Option<(f64, &str)> = None;
    for c in candidates {
        if c == word {
            continue;
        }
        let score = strsim::jaro_winkler(&word_l, &c.to_lowercase());
        // Case-only or one-edit differences score above 0.9; unrelated short words rarely
        // pass 0.8.
        if score >= 0.8 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, c));
        }
    }
    best.map(|(_, c)| c)
}

/// ` (did you mean `X`?)` when a candidate is close to `word`, else an empty string.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(word, candidates).map_or(String::new(), |c| format!(" (did you mean `{c}`?)"))
}

/// Rewrites serde's "unknown field `x`, expected one of `a`, `b`, …" (and the same for
/// variants) into "unknown field `x`: did you mean `a`?" when one candidate is close; the
/// full list stays when none is.
pub fn improve_serde_message(message: &str) -> String {
    for what in ["unknown field `", "unknown variant `"] {
        let Some(at) = message.find(what) else {
            continue;
        };
        let rest = &message[at + what.len()..];
        let Some(end) = rest.find('`') else {
            continue;
        };
        let word = &rest[..end];
        let tail = &rest[end + 1..];
        let candidates: Vec<&str> = tail.split('`').skip(1).step_by(2).collect();
        if let Some(c) = closest(word, candidates.iter().copied()) {
            return format!(
                "{}{word}`: did you mean `{c}`?",
                &message[..at + what.len()]
            );
        }
    }
    message.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_find_their_word_and_strangers_find_none() {
        let ids = ["non-apology", "dismissive-language", "forbidden-phrase"];
        assert_eq!(
            closest("dismisive-language", ids.iter().copied()),
            Some("dismissive-language")
        );
        assert_eq!(
            closest("nonapology", ids.iter().copied()),
            Some("non-apology")
        );
        assert_eq!(closest("zzz", ids.iter().copied()), None);
        assert_eq!(did_you_mean("qqq", ids.iter().copied()), "");
    }

    #[test]
    fn serde_lists_become_one_suggestion() {
        let m = "rules[0]: unknown field `severty`, expected one of `id`, `kind`, `severity`, `speaker`";
        assert_eq!(
            improve_serde_message(m),
            "rules[0]: unknown field `severty`: did you mean `severity`?"
        );
        let v = "unknown variant `eror`, expected one of `kudos`, `info`, `warning`, `error`";
        assert_eq!(
            improve_serde_message(v),
            "unknown variant `eror`: did you mean `error`?"
        );
        let far = "unknown field `colour`, expected `files` or `mode`";
        assert_eq!(improve_serde_message(far), far);
    }
}
