//! Named terms: multiword proper names (`Team Caribisch Gebied`, `Strategisch Kompas`,
//! `Wiv 2017`) that link passages across documents like acronyms do.

use std::ops::Range;

use super::text::tokens_in;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedTerm {
    /// Lower case, single spaces: the same name however it is written.
    pub key: String,
    pub range: Range<usize>,
}

/// Lowercase words allowed inside a name (`Wet op de inlichtingen`, `Universiteit van Amsterdam`).
const CONNECTORS: &[&str] =
    &["van", "de", "der", "den", "het", "en", "voor", "op", "of", "and", "for"];

/// Capitalised words that start sentences rather than names.
const SENTENCE_STARTERS: &[&str] = &[
    "De",
    "Het",
    "Een",
    "In",
    "Op",
    "Met",
    "Zo",
    "Ook",
    "Daarnaast",
    "Binnen",
    "Bij",
    "Hierdoor",
    "Hiermee",
    "Voor",
    "Dit",
    "Deze",
    "Dat",
    "Die",
    "Wij",
    "We",
    "Waar",
    "Geen",
    "Verder",
    "Tijdens",
    "Na",
    "Als",
    "Om",
    "Door",
    "Uit",
    "Over",
    "Aan",
    "Sinds",
    "Tot",
    "Hierbij",
    "The",
    "A",
    "An",
    "This",
    "These",
    "In",
    "On",
    "For",
    "Our",
    "It",
];

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Capitalised,
    Acronym,
    Connector,
    Number,
    Other,
}

fn kind(word: &str) -> Kind {
    let first = word.chars().next();
    if CONNECTORS.contains(&word) {
        Kind::Connector
    } else if word.chars().all(|c| c.is_ascii_digit()) && !word.is_empty() {
        Kind::Number
    } else if first.is_some_and(char::is_uppercase) && word.chars().any(char::is_lowercase) {
        Kind::Capitalised
    } else if word.chars().filter(|c| c.is_uppercase()).count() >= 2
        && !word.chars().any(char::is_lowercase)
    {
        Kind::Acronym
    } else {
        Kind::Other
    }
}

fn is_sentence_start(text: &str, at: usize) -> bool {
    let before = text[..at].trim_end();
    before.is_empty() || before.ends_with(['.', '!', '?', ':'])
}

pub fn find_named_terms(text: &str) -> Vec<NamedTerm> {
    // Words with their punctuation trimmed; a word that ends in punctuation closes a name.
    // (range, kind, closes a name, opens with punctuation such as `(`)
    let mut words: Vec<(Range<usize>, Kind, bool, bool)> = Vec::new();
    for r in tokens_in(text, 0..text.len()) {
        let slice = &text[r.clone()];
        let lead = slice.len() - slice.trim_start_matches(|c: char| !c.is_alphanumeric()).len();
        let core = slice[lead..].trim_end_matches(|c: char| !c.is_alphanumeric() && c != '-');
        let closes = core.len() + lead < slice.len() || core.ends_with('-');
        let range = r.start + lead..r.start + lead + core.len();
        words.push((range.clone(), kind(&text[range]), closes, lead > 0));
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let (range, k, _, _) = &words[i];
        if *k != Kind::Capitalised
            || (is_sentence_start(text, range.start)
                && SENTENCE_STARTERS.contains(&&text[range.clone()]))
        {
            i += 1;
            continue;
        }
        // Extend: capitalised words and acronyms, connectors between them, a closing number.
        let mut end = i;
        let mut capitalised = 1;
        let mut j = i;
        while !words[j].2 && j + 1 < words.len() && !words[j + 1].3 {
            let next = words[j + 1].1;
            match next {
                Kind::Capitalised | Kind::Acronym => {
                    j += 1;
                    end = j;
                    if next == Kind::Capitalised {
                        capitalised += 1;
                    }
                }
                Kind::Connector => {
                    // At most two connectors, and a capitalised word after them.
                    let after =
                        (j + 2..(j + 4).min(words.len())).find(|&n| words[n].1 != Kind::Connector);
                    match after {
                        Some(n)
                            if words[n].1 == Kind::Capitalised
                                && (j + 1..n).all(|m| !words[m].2)
                                && (j + 1..=n).all(|m| !words[m].3) =>
                        {
                            j = n;
                            end = j;
                            capitalised += 1;
                        }
                        _ => break,
                    }
                }
                Kind::Number => {
                    j += 1;
                    end = j;
                    break;
                }
                _ => break,
            }
        }
        let total_words = end - i + 1;
        let has_number = words[end].1 == Kind::Number;
        if total_words >= 2 && (capitalised >= 2 || has_number) {
            let range = words[i].0.start..words[end].0.end;
            let key =
                text[range.clone()].split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
            out.push(NamedTerm { key, range });
        }
        i = end + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        find_named_terms(text).into_iter().map(|t| t.key).collect()
    }

    #[test]
    fn names_across_line_breaks_with_connectors_and_years() {
        assert_eq!(
            keys("in het Team Caribisch\nGebied (TCG). De gezamenlijke Unit Contraproliferatie verricht"),
            vec!["team caribisch gebied", "unit contraproliferatie"]
        );
        assert_eq!(keys("staan beschreven in de Wiv 2017. Daarnaast"), vec!["wiv 2017"]);
        assert_eq!(keys("de Joint SIGINT Cyber Unit en"), vec!["joint sigint cyber unit"]);
        assert_eq!(
            keys("The Hague Campus van de Universiteit Leiden."),
            vec!["hague campus van de universiteit leiden"]
        );
    }

    #[test]
    fn sentence_starters_and_single_words_are_not_names() {
        assert!(keys("De MIVD werkt. Het Kabinet besluit.").is_empty());
        assert_eq!(keys("het Team Caribisch Gebied (TCG) en"), vec!["team caribisch gebied"]);
    }
}
