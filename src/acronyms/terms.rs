//! Multiword proper names (`Team Caribisch Gebied`, `Joint Sigint Cyber Unit`, `Wiv 2017`,
//! `Universiteit Leiden`), for linking documents that name the same thing.
//!
//! A name is a run of capitalised words, with lower-case connectors inside (`van`, `de`, `en`,
//! `of`, `the`, ... : `Raad van State`, `Binnenlandse Zaken en Koninkrijksrelaties`) and an
//! optional trailing number or year. It needs at least two title-case words (a capital followed
//! by lower case), or one title-case word and a year. Words in capitals (`SIGINT`) may stand
//! inside a name but not at its ends. A common sentence starter at a sentence start is dropped
//! (`In Den Haag` gives `Den Haag`), as is a leading nationality adjective (`Europese Strategisch
//! Kompas` gives `Strategisch Kompas`). Where a name has connectors, the parts on either side of
//! a connector are returned too when they are names themselves: `The Hague Campus van de
//! Universiteit Leiden` also gives `The Hague Campus` and `Universiteit Leiden`.

use std::ops::Range;

use super::text::{is_sentence_end, is_year};

/// A multiword proper name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NamedTerm {
    /// Lower-case, single-spaced: `joint sigint cyber unit`.
    pub key: String,
    /// Byte range in the analysed text.
    pub range: Range<usize>,
}

/// Lower-case words allowed inside a name.
const CONNECTORS: &[&str] = &[
    "van", "de", "der", "den", "het", "voor", "en", "op", "of", "the", "for", "and", "ter", "tot",
    "'s", "des", "du", "la", "le", "von", "aan",
];

/// Capitalised words that usually just start a sentence.
const SENTENCE_STARTERS: &[&str] = &[
    // Dutch
    "De",
    "Het",
    "Een",
    "Dit",
    "Deze",
    "Dat",
    "Die",
    "In",
    "Op",
    "Met",
    "Voor",
    "Bij",
    "Van",
    "Naar",
    "Uit",
    "Door",
    "Over",
    "Om",
    "Als",
    "Zo",
    "Ook",
    "Er",
    "Daarnaast",
    "Daarom",
    "Hierdoor",
    "Hiermee",
    "Hierbij",
    "Hiervoor",
    "Verder",
    "Binnen",
    "Tijdens",
    "Na",
    "Sinds",
    "Vanwege",
    "Wij",
    "We",
    "Zij",
    "Hij",
    "Ze",
    "Ons",
    "Onze",
    "Waar",
    "Wanneer",
    "Omdat",
    "Hoewel",
    "Toen",
    "Nu",
    "Maar",
    "En",
    "Of",
    "Dus",
    "Geen",
    "Alle",
    "Veel",
    "Bovendien",
    "Tevens",
    "Echter",
    "Volgens",
    "Ondanks",
    "Tot",
    "Tegen",
    "Ter",
    "Zowel",
    "Niet",
    "Wel",
    "Ieder",
    "Iedere",
    "Elke",
    "Welke",
    "Wat",
    "Wie",
    "Hoe",
    "Vooral",
    "Mede",
    "Aan",
    "Onder",
    "Tussen",
    "Zonder",
    "Dankzij",
    "Namens",
    "Conform",
    "Ten",
    "Al",
    "Andere",
    "Beide",
    // English
    "The",
    "A",
    "An",
    "This",
    "That",
    "These",
    "Those",
    "In",
    "On",
    "At",
    "For",
    "With",
    "By",
    "From",
    "Of",
    "To",
    "As",
    "It",
    "Its",
    "We",
    "Our",
    "They",
    "Their",
    "He",
    "She",
    "However",
    "Although",
    "When",
    "While",
    "After",
    "Before",
    "Since",
    "During",
    "Furthermore",
    "Moreover",
    "Also",
    "But",
    "And",
    "Or",
    "All",
    "Some",
    "Many",
    "Most",
    "Each",
    "Every",
    "No",
    "Not",
    "There",
    "Here",
    "If",
    "Because",
    "Thus",
    "Therefore",
    "Both",
    "Under",
    "Between",
    "Within",
];

/// Capitalised adjectives of nationality that precede names without being part of them.
const NATIONALITIES: &[&str] = &[
    "Nederlandse",
    "Nederlands",
    "Europese",
    "Europees",
    "Russische",
    "Chinese",
    "Amerikaanse",
    "Duitse",
    "Franse",
    "Britse",
    "Belgische",
    "Iraanse",
    "Turkse",
    "Oekraïense",
    "Syrische",
    "Noord-Koreaanse",
    "Westerse",
    "Israëlische",
    "Irakese",
    "Afghaanse",
    "Malinese",
    "Libische",
    "Marokkaanse",
    "Poolse",
    "Italiaanse",
    "Spaanse",
    "Japanse",
    "Indiase",
    "Pakistaanse",
    "Caribische",
    "Antilliaanse",
    "Surinaamse",
    "Wit-Russische",
    "Belarussische",
    "Dutch",
    "European",
    "Russian",
    "American",
    "British",
    "German",
    "French",
    "Chinese",
    "Iranian",
];

/// Month and day names: `June 2022` is a date, not a name.
const DATE_WORDS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Januari",
    "Februari",
    "Maart",
    "Mei",
    "Juni",
    "Juli",
    "Augustus",
    "Oktober",
    "Maandag",
    "Dinsdag",
    "Woensdag",
    "Donderdag",
    "Vrijdag",
    "Zaterdag",
    "Zondag",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// `Team`, `Wiv`: a capital, then lower case.
    Title,
    /// `SIGINT`, `I&V`: capitals only.
    Caps,
    /// `2017`
    Number,
    /// `van`, `de`
    Connector,
    Other,
}

#[derive(Debug)]
struct Tok {
    range: Range<usize>,
    kind: Kind,
    /// First word of a sentence?
    sentence_start: bool,
}

/// All multiword proper names in `text`, in text order (nested parts right after their name).
pub fn find_named_terms(text: &str) -> Vec<NamedTerm> {
    let toks = tokenize(text);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if !matches!(toks[i].kind, Kind::Title | Kind::Caps) {
            i += 1;
            continue;
        }
        // Extend the run: name words, connectors followed by a name word, a trailing number.
        let mut j = i + 1;
        let mut last_name = i;
        while j < toks.len() && adjacent(text, &toks[j - 1], toks.get(j)) {
            match toks[j].kind {
                Kind::Title | Kind::Caps if !toks[j].sentence_start => last_name = j,
                // `en de`, `and the`: a list of two names, not one name.
                Kind::Connector if is_list_break(text, &toks[j - 1], &toks[j]) => break,
                Kind::Connector => {}
                _ => break,
            }
            j += 1;
        }
        let mut end = last_name;
        if let Some(next) = toks.get(end + 1) {
            if next.kind == Kind::Number && adjacent(text, &toks[end], Some(next)) {
                end += 1;
            }
        }
        emit(text, &toks[i..=end], &mut out);
        i = end + 1;
    }
    out
}

/// Is `conj` an article after `en`/`and` (`Unit Contraproliferatie en de Joint Sigint Cyber
/// Unit`)?
fn is_list_break(text: &str, prev: &Tok, conj: &Tok) -> bool {
    let p = &text[prev.range.clone()];
    let c = &text[conj.range.clone()];
    matches!(p, "en" | "and") && matches!(c, "de" | "het" | "the" | "een" | "a")
}

/// Are two tokens separated by whitespace only (no punctuation, no paragraph break)?
fn adjacent(text: &str, a: &Tok, b: Option<&Tok>) -> bool {
    let Some(b) = b else {
        return false;
    };
    let gap = &text[a.range.end..b.range.start];
    !gap.is_empty() && gap.chars().all(char::is_whitespace) && !gap.contains("\n\n")
}

/// Trim a run to a name and push it (and its parts around connectors).
fn emit(text: &str, run: &[Tok], out: &mut Vec<NamedTerm>) {
    let Some(run) = trim_run(text, run) else {
        return;
    };
    out.push(term(text, run));
    if run.len() < 4 {
        return;
    }
    for (k, t) in run.iter().enumerate() {
        if t.kind != Kind::Connector || run[k - 1].kind == Kind::Connector {
            continue;
        }
        let mut after = k;
        while after < run.len() && run[after].kind == Kind::Connector {
            after += 1;
        }
        for part in [&run[..k], &run[after..]] {
            if let Some(p) = trim_run(text, part) {
                if p.len() < run.len() {
                    out.push(term(text, p));
                }
            }
        }
    }
}

fn term(text: &str, run: &[Tok]) -> NamedTerm {
    let range = run[0].range.start..run[run.len() - 1].range.end;
    NamedTerm { key: term_key(&text[range.clone()]), range }
}

/// A name's key: lower case, its words single-spaced (one string built, not one per word).
pub(super) fn term_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        if !key.is_empty() {
            key.push(' ');
        }
        if word.is_ascii() {
            key.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            key.push_str(&word.to_lowercase());
        }
    }
    key
}

/// Drop leading sentence starters and nationality adjectives, connectors and capitals at the
/// ends; check what is left is a name.
fn trim_run<'a>(text: &str, mut run: &'a [Tok]) -> Option<&'a [Tok]> {
    loop {
        let first = run.first()?;
        let word = &text[first.range.clone()];
        let drop = match first.kind {
            Kind::Connector | Kind::Caps | Kind::Number | Kind::Other => true,
            Kind::Title => {
                (first.sentence_start && SENTENCE_STARTERS.contains(&word))
                    || NATIONALITIES.contains(&word)
            }
        };
        if !drop {
            break;
        }
        run = &run[1..];
    }
    while let Some(last) = run.last() {
        let dangling = text[last.range.clone()].ends_with('-');
        if matches!(last.kind, Kind::Connector | Kind::Caps) || dangling {
            run = &run[..run.len() - 1];
        } else {
            break;
        }
    }
    let titles = run.iter().filter(|t| t.kind == Kind::Title).count();
    let last = run.last()?;
    let ok = if last.kind == Kind::Number {
        let year = is_year(&text[last.range.clone()]);
        let first_word = &text[run[0].range.clone()];
        titles >= 2 || (titles == 1 && year && !DATE_WORDS.contains(&first_word))
    } else {
        titles >= 2 && !run.iter().all(|t| DATE_WORDS.contains(&&text[t.range.clone()]))
    };
    ok.then_some(run)
}

/// Words (letters, digits, `&`, `-`, `'`) with their kind and whether they start a sentence.
fn tokenize(text: &str) -> Vec<Tok> {
    // About one token per six bytes of prose: grown once or not at all.
    let mut toks = Vec::with_capacity(text.len() / 6 + 1);
    let mut start: Option<usize> = None;
    let mut sentence_start = true;
    let mut last_end = 0;
    let mut push = |s: usize, e: usize, toks: &mut Vec<Tok>, sentence_start: &mut bool| {
        let gap = &text[last_end..s];
        let word = text[s..e].trim_end_matches(['\'', '’']);
        let e = s + word.len();
        if word.is_empty() {
            return;
        }
        // A line break starts a sentence when a paragraph ends there or when the next line
        // starts like a sentence (after a heading); otherwise it only wraps a line.
        if gap.len() > 1
            && (gap.contains("\n\n")
                || gap.contains(": ")
                || (gap.contains('\n') && SENTENCE_STARTERS.contains(&word)))
            || gap == "\n" && SENTENCE_STARTERS.contains(&word)
        {
            *sentence_start = true;
        }
        toks.push(Tok { range: s..e, kind: kind(word), sentence_start: *sentence_start });
        *sentence_start = false;
        last_end = e;
    };
    for (i, c) in text.char_indices() {
        let in_word = c.is_alphanumeric() || c == '&' || c == '-' || c == '\'' || c == '’';
        if in_word {
            if start.is_none() {
                start = Some(i);
            }
            continue;
        }
        if let Some(s) = start.take() {
            push(s, i, &mut toks, &mut sentence_start);
        }
        if matches!(c, '.' | '?' | '!') && is_sentence_end(text, i) {
            sentence_start = true;
        }
    }
    if let Some(s) = start.take() {
        push(s, text.len(), &mut toks, &mut sentence_start);
    }
    toks
}

fn kind(word: &str) -> Kind {
    let Some(&b) = word.as_bytes().first() else {
        return Kind::Other;
    };
    if b.is_ascii_lowercase() || b == b'\'' {
        return if word.len() <= 4 && CONNECTORS.contains(&word) {
            Kind::Connector
        } else {
            Kind::Other
        };
    }
    if word.chars().all(|c| c.is_ascii_digit()) {
        return if word.len() <= 4 { Kind::Number } else { Kind::Other };
    }
    let mut chars = word.chars();
    let Some(first) = chars.next() else {
        return Kind::Other;
    };
    if !first.is_uppercase() {
        return Kind::Other;
    }
    // `EU-ministers`, `NAVO-landen`: a compound ending in a common noun.
    if let Some(tail) = word.rsplit('-').next() {
        if tail.chars().next().is_some_and(char::is_lowercase) {
            return Kind::Other;
        }
    }
    let lower = word.chars().filter(|c| c.is_lowercase()).count();
    let upper = word.chars().filter(|c| c.is_uppercase()).count();
    if lower == 0 {
        if upper >= 2 {
            Kind::Caps
        } else {
            Kind::Other
        }
    } else {
        Kind::Title
    }
}
