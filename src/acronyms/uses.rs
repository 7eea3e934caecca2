//! Uses of acronyms: acronym-like tokens in running text.

use std::ops::Range;

use super::text::is_word_char;

/// One acronym-like token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcronymUse {
    pub short: String,
    pub range: Range<usize>,
}

/// Units and other all-capital tokens that are not acronyms to explain.
const NOT_ACRONYMS: &[&str] = &[
    "KB", "MB", "GB", "TB", "PB", "KW", "MW", "GW", "KWH", "MWH", "GWH", "HZ", "KHZ", "MHZ", "GHZ",
    "PH", "OK", "TV", "CV", "PS", "NB", "AM", "PM",
];

fn is_roman_numeral(token: &str) -> bool {
    token.chars().all(|c| matches!(c, 'I' | 'V' | 'X' | 'L' | 'C' | 'D' | 'M'))
}

/// An acronym-like shape: at least two capitals, no lowercase, letters first, `&`, digits and
/// one `-digits` tail (`MQ-9`) allowed.
fn acronym_shape(token: &str) -> bool {
    let capitals = token.chars().filter(|c| c.is_uppercase()).count();
    let starts_with_letter = token.chars().next().is_some_and(char::is_alphabetic);
    let body_ok =
        token.chars().all(|c| c.is_uppercase() || c.is_ascii_digit() || c == '&' || c == '-');
    let hyphen_ok = match token.split_once('-') {
        None => true,
        Some((head, tail)) => {
            !head.is_empty() && !tail.is_empty() && tail.chars().all(|c| c.is_ascii_digit())
        }
    };
    capitals >= 2 && starts_with_letter && body_ok && hyphen_ok && !token.ends_with('&')
}

/// Whether an acronym-like token is worth explaining (for the `undefined-acronym` rule): not a
/// roman numeral, unit or model number, and not too long to be an abbreviation.
pub fn is_plausible_acronym(token: &str) -> bool {
    acronym_shape(token)
        && token.chars().count() <= 8
        && !is_roman_numeral(token)
        && !NOT_ACRONYMS.contains(&token)
        && !token.chars().any(|c| c.is_ascii_digit())
}

/// Word tokens of `text`: runs of letters, digits, `&` and inner hyphens.
fn word_tokens(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut last_end = 0;
    for (i, c) in text.char_indices() {
        let inner_hyphen = c == '-' && start.is_some();
        if is_word_char(c) || inner_hyphen {
            if start.is_none() {
                start = Some(i);
            }
            last_end = i + c.len_utf8();
        } else if let Some(s) = start.take() {
            out.push(s..last_end);
        }
    }
    if let Some(s) = start {
        out.push(s..last_end);
    }
    // A token never ends in a hyphen (`organisatie-`).
    for r in &mut out {
        while text[r.clone()].ends_with('-') {
            r.end -= 1;
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

/// The parts of a hyphenated token worth testing: the token itself and, split at hyphens,
/// its pieces (`EU-ministers` → `EU`; `I&V-systeem` → `I&V`).
fn candidates(text: &str, token: Range<usize>) -> Vec<Range<usize>> {
    let mut out = vec![token.clone()];
    let slice = &text[token.clone()];
    if slice.contains('-') {
        let mut offset = token.start;
        for part in slice.split('-') {
            out.push(offset..offset + part.len());
            offset += part.len() + 1;
        }
    }
    out
}

/// A text shouting in capitals (a heading in caps) holds no acronyms we can tell apart.
fn mostly_capitals(text: &str) -> bool {
    let letters = text.chars().filter(|c| c.is_alphabetic()).count();
    let capitals = text.chars().filter(|c| c.is_uppercase()).count();
    letters >= 20 && capitals * 10 > letters * 6
}

/// Every acronym-like token in `text`.
pub fn find_uses(text: &str) -> Vec<AcronymUse> {
    if mostly_capitals(text) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for token in word_tokens(text) {
        for candidate in candidates(text, token) {
            let slice = &text[candidate.clone()];
            if acronym_shape(slice) && slice.chars().count() <= 12 {
                out.push(AcronymUse { short: slice.to_string(), range: candidate });
                break; // the whole token, or its first acronym part
            }
        }
    }
    out
}

/// Every token (or hyphen part) for which `known` says yes: uses of mixed-case short forms
/// such as `Wiv` that only a definition or glossary makes an acronym.
pub fn find_known_uses(text: &str, known: &dyn Fn(&str) -> bool) -> Vec<AcronymUse> {
    let mut out = Vec::new();
    for token in word_tokens(text) {
        for candidate in candidates(text, token) {
            let slice = &text[candidate.clone()];
            if known(slice) {
                out.push(AcronymUse { short: slice.to_string(), range: candidate });
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shorts(text: &str) -> Vec<String> {
        find_uses(text).into_iter().map(|u| u.short).collect()
    }

    #[test]
    fn finds_acronyms_inside_compounds_and_with_ampersands_and_digits() {
        assert_eq!(
            shorts("De MIVD en de AIVD (JSCU) werken met EU-ministers, het I&V-systeem en de MQ-9 van CLSK."),
            vec!["MIVD", "AIVD", "JSCU", "EU", "I&V", "MQ-9", "CLSK"]
        );
        let u = &find_uses("bij de NAVO.")[0];
        assert_eq!(u.range, 7..11);
    }

    #[test]
    fn skips_words_capitals_headings_and_filters_implausible_ones() {
        assert!(shorts("Een Gewoon woord, organisatie- ontwikkeling").is_empty());
        assert!(shorts("JAARVERSLAG VAN DE DIENST OVER HET AFGELOPEN JAAR").is_empty());
        assert!(!is_plausible_acronym("XIV"));
        assert!(!is_plausible_acronym("MHZ"));
        assert!(!is_plausible_acronym("MQ-9"));
        assert!(!is_plausible_acronym("ABCDEFGHIJ"));
        assert!(is_plausible_acronym("NCTV"));
        assert!(is_plausible_acronym("I&V"));
    }

    #[test]
    fn known_mixed_case_uses() {
        let uses = find_known_uses("de Wiv 2017 en de Wiv-regels; Wivv niet", &|t| t == "Wiv");
        assert_eq!(uses.len(), 2);
        assert_eq!(uses[1].range, 18..21);
    }
}
