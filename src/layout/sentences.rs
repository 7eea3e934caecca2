//! Dutch sentence segmentation of a reading-order stream.
//!
//! A sentence ends at `.`, `!` or `?` (closing brackets and quotes may follow) when the next word
//! starts like a sentence (capital, digit, opening bracket or quote). A period does not end a
//! sentence after a known abbreviation (`o.a.`, `bijv.`, `t.o.v.`, `mr.`; `data/abbreviations-nl.txt`),
//! after an initial (`B.`) or inside a token (`3.4`, `MQ-9`, `I&V-systeem`).

use std::collections::HashSet;
use std::ops::Range;
use std::sync::OnceLock;

use super::words::{first_letter, words};

const ABBREVIATIONS: &str =
    include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/data/abbreviations-nl.txt"));

/// The known abbreviations (without their final period), and the most characters one has.
fn abbreviations() -> &'static (HashSet<String>, usize) {
    static SET: OnceLock<(HashSet<String>, usize)> = OnceLock::new();
    SET.get_or_init(|| {
        let set: HashSet<String> = ABBREVIATIONS
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_string)
            .collect();
        let longest = set.iter().map(|a| a.chars().count()).max().unwrap_or(0);
        (set, longest)
    })
}

/// Is this token (with its final period) an abbreviation rather than a sentence end?
pub fn is_abbreviation(token: &str) -> bool {
    let t = token.trim_start_matches(['(', '[', '"', '\'', '‘', '“']);
    let Some(body) = t.strip_suffix('.') else {
        return false;
    };
    if body.is_empty() {
        return false;
    }
    // Most tokens with a period end a sentence and are longer than any abbreviation
    // (lowercasing never makes a word shorter in characters): no copy to look up then.
    let (known, longest) = abbreviations();
    let chars = body.chars().count();
    if chars <= *longest && known.contains(&body.to_lowercase()) {
        return true;
    }
    // An initial: `B.` in `Bob B. de Graaff`.
    if chars == 1 && body.chars().all(char::is_alphabetic) {
        return true;
    }
    // Dotted abbreviations such as `a.s.` or `N.B.`: every part one or two letters.
    body.contains('.')
        && body
            .split('.')
            .all(|p| !p.is_empty() && p.chars().count() <= 2 && p.chars().all(char::is_alphabetic))
}

fn ends_sentence(token: &str) -> bool {
    let t = token.trim_end_matches([')', '"', '\'', '’', '”', '»', ']']);
    if t.ends_with(['!', '?']) {
        return true;
    }
    t.ends_with('.') && !t.ends_with("..") && !is_abbreviation(t) || t.ends_with("...")
    // an ellipsis ends a sentence when a capital follows
}

fn starts_sentence(token: &str) -> bool {
    let t = token.trim_start_matches(['(', '[', '"', '\'', '‘', '“', '„']);
    match t.chars().next() {
        Some(c) if c.is_uppercase() || c.is_ascii_digit() => true,
        Some(_) => false,
        None => first_letter(token).is_some_and(char::is_uppercase),
    }
}

/// Byte ranges of the sentences of `text` (trimmed; never empty).
pub fn sentences(text: &str) -> Vec<Range<usize>> {
    let ws = words(text);
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, w) in ws.iter().enumerate() {
        if start.is_none() {
            start = Some(w.start);
        }
        let token = text.get(w.start..w.end).unwrap_or("");
        let boundary = match ws.get(i + 1) {
            None => true,
            Some(next) => {
                let next_token = text.get(next.start..next.end).unwrap_or("");
                ends_sentence(token) && starts_sentence(next_token)
            }
        };
        if boundary {
            if let Some(s) = start.take() {
                out.push(s..w.end);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        sentences(text).into_iter().map(|r| &text[r]).collect()
    }

    #[test]
    fn dutch_abbreviations_and_numbers() {
        assert_eq!(
            split("Zij werkt met o.a. het DCC. Daarnaast t.o.v. de AIVD, d.w.z. nauw. Zie 3.4 Meer openheid."),
            [
                "Zij werkt met o.a. het DCC.",
                "Daarnaast t.o.v. de AIVD, d.w.z. nauw.",
                "Zie 3.4 Meer openheid."
            ]
        );
        assert_eq!(
            split("Het MQ-9 Reaper squadron vloog (zie bijv. Mr. Jansen). In 2022. Prof. B. de Graaff schreef e.d. Ook dat."),
            [
                "Het MQ-9 Reaper squadron vloog (zie bijv. Mr. Jansen).",
                "In 2022.",
                "Prof. B. de Graaff schreef e.d. Ook dat."
            ]
        );
        assert!(split("").is_empty());
        assert_eq!(split("m.b.t. 😀 𝔘."), ["m.b.t. 😀 𝔘."]);
    }
}
