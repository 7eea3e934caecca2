//! Finding uses of acronyms: capitalised tokens like `AIVD`, `I&V`, `MQ-9`, the acronym inside
//! a compound (`EU-ministers`, `I&V-systeem`, `NAVO-landen`), and mixed-case forms (`Wiv`,
//! `KMar`) when the caller knows them from a definition or glossary.

use std::ops::Range;

use super::text::char_before;

/// One use of an acronym in the analysed text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AcronymUse {
    /// The acronym as written (`EU` for `EU-ministers`, `NGO` for `NGOs`).
    pub short: String,
    /// Byte range of the acronym in the analysed text.
    pub range: Range<usize>,
}

/// Acronym-like tokens in `text`: at least two characters, starting with a capital, at least
/// two capitals and no lower-case letters (a plural `s` is allowed and left out: `NGOs` is a
/// use of `NGO`); digits and an inner `&` are allowed (`I&V`, `G20`); a hyphen followed by
/// digits stays part of the token (`MQ-9`, `COVID-19`). Compounds are split at hyphens, so
/// `EU-ministers` gives `EU`. Tokens on shouting lines (only capitals, with a word of six or
/// more letters, as in headings) are left out. Mixed-case forms are never found here: see
/// [`find_known_uses`].
pub fn find_uses(text: &str) -> Vec<AcronymUse> {
    scan(text, None)
}

/// Like [`find_uses`], and also every token (or compound part) for which `known` returns true,
/// whatever its shape (`Wiv`, `KMar`, `JenV`, `J2`); on shouting lines only known tokens are
/// returned. `known` is called only for tokens with at least one capital.
pub fn find_known_uses(text: &str, known: &dyn Fn(&str) -> bool) -> Vec<AcronymUse> {
    scan(text, Some(known))
}

fn scan(text: &str, known: Option<&dyn Fn(&str) -> bool>) -> Vec<AcronymUse> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    // The line holding the current word and whether it is shouting, computed per line.
    let mut line: Range<usize> = 0..0;
    let mut shouting = false;
    let mut i = 0;
    while i < bytes.len() {
        // Jump to the next capital or non-ASCII byte: only words holding one can be uses.
        let Some(off) = bytes[i..].iter().position(|&b| b.is_ascii_uppercase() || b >= 0x80) else {
            break;
        };
        let hit = i + off;
        if word_char_len(text, hit) == 0 {
            i = hit + if bytes[hit] < 0x80 { 1 } else { utf8_len(bytes[hit]) };
            continue;
        }
        // The whole word around it (letters, digits, `&`, `-`).
        let mut start = hit;
        while let Some(c) = char_before(text, start) {
            if c.is_alphanumeric() || c == '&' || c == '-' {
                start -= c.len_utf8();
            } else {
                break;
            }
        }
        let mut end = hit;
        loop {
            let len = word_char_len(text, end);
            if len == 0 {
                break;
            }
            end += len;
        }
        i = end;
        if start >= line.end || line.end == 0 {
            let line_start = bytes[..start].iter().rposition(|&c| c == b'\n').map_or(0, |p| p + 1);
            let line_end =
                bytes[end..].iter().position(|&c| c == b'\n').map_or(bytes.len(), |p| end + p);
            line = line_start..line_end;
            shouting = is_shouting(&text[line.clone()]);
        }
        word_uses(text, start, end, shouting, known, &mut out);
    }
    out
}

/// Length in bytes of the word char (letter, digit, `&`, `-`) at byte `i`, or 0.
#[inline]
fn word_char_len(text: &str, i: usize) -> usize {
    let Some(&b) = text.as_bytes().get(i) else {
        return 0;
    };
    if b < 0x80 {
        return usize::from(b.is_ascii_alphanumeric() || b == b'&' || b == b'-');
    }
    match text.get(i..).and_then(|s| s.chars().next()) {
        Some(c) if c.is_alphanumeric() => c.len_utf8(),
        _ => 0,
    }
}

/// Length of the UTF-8 sequence starting with byte `b` (1 for a stray continuation byte).
#[inline]
fn utf8_len(b: u8) -> usize {
    match b {
        0xF0..=0xFF => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// A line of capitals only (at least two words, one of six or more letters): a heading set in
/// capitals, whose words are not acronyms.
fn is_shouting(line: &str) -> bool {
    let mut words = 0;
    let mut long_caps = false;
    for w in line.split(|c: char| !c.is_alphabetic()) {
        if w.is_empty() {
            continue;
        }
        if w.chars().any(char::is_lowercase) {
            return false;
        }
        words += 1;
        if w.chars().count() >= 6 {
            long_caps = true;
        }
    }
    words >= 2 && long_caps
}

/// The uses inside the word `text[start..end]` (letters, digits, `&` and `-`).
fn word_uses(
    text: &str,
    mut start: usize,
    mut end: usize,
    shouting: bool,
    known: Option<&dyn Fn(&str) -> bool>,
    out: &mut Vec<AcronymUse>,
) {
    // Trim hyphens and ampersands at the ends.
    let trim = |c: char| c == '-' || c == '&';
    let word = &text[start..end];
    let trimmed_start = word.len() - word.trim_start_matches(trim).len();
    start += trimmed_start;
    end -= word.len() - word.trim_end_matches(trim).len();
    if end <= start {
        return;
    }
    // A word glued to a preceding `.` or `/` (`o.a.`, URLs, `km/h`) is not checked.
    if matches!(char_before(text, start), Some('.' | '/' | '@' | '_')) {
        return;
    }
    let word = &text[start..end];
    // `MQ-9`, `COVID-19`, `F-35`: letters, one hyphen, digits.
    if let Some((letters, digits)) = word.split_once('-') {
        let model = !digits.is_empty()
            && digits.chars().all(|c| c.is_ascii_digit())
            && !letters.contains('-')
            && letters.chars().next().is_some_and(char::is_uppercase);
        if model {
            let is_use = if acronym_like(letters) && !shouting {
                true
            } else {
                known.is_some_and(|k| k(word))
            };
            if is_use {
                out.push(AcronymUse { short: word.to_string(), range: start..end });
                return;
            }
        }
    }
    let mut part_start = start;
    for part in word.split('-') {
        let part_end = part_start + part.len();
        if let Some(u) = part_use(text, part_start..part_end, shouting, known) {
            out.push(u);
        }
        part_start = part_end + 1;
    }
}

/// Is `text[range]` (no hyphens) a use?
fn part_use(
    text: &str,
    range: Range<usize>,
    shouting: bool,
    known: Option<&dyn Fn(&str) -> bool>,
) -> Option<AcronymUse> {
    let part = &text[range.clone()];
    let part = part.trim_matches('&');
    if part.is_empty() || !part.chars().any(char::is_uppercase) {
        return None;
    }
    let start = range.start
        + (text[range.clone()].len() - text[range.clone()].trim_start_matches('&').len());
    let make = |s: &str| AcronymUse { short: s.to_string(), range: start..start + s.len() };
    let is_known = |s: &str| known.is_some_and(|k| k(s));
    if is_known(part) {
        return Some(make(part));
    }
    if shouting {
        return None;
    }
    if acronym_like(part) {
        return Some(make(part));
    }
    // Plural: `NGOs`, `CDs`.
    if let Some(stem) = part.strip_suffix('s') {
        if acronym_like(stem) {
            return Some(make(stem));
        }
    }
    None
}

/// Two or more characters, a capital first, at least two capitals, no lower-case letters;
/// letters, digits and inner `&` only.
fn acronym_like(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    if !first.is_uppercase() || s.ends_with('&') {
        return false;
    }
    let mut upper = 0;
    for c in s.chars() {
        if c.is_uppercase() {
            upper += 1;
        } else if c.is_lowercase() || !(c.is_alphanumeric() || c == '&') {
            return false;
        }
    }
    upper >= 2
}

/// Measurement units that look like acronyms.
const UNITS: &[&str] = &[
    "KB", "MB", "GB", "TB", "PB", "EB", "KiB", "MiB", "GiB", "TiB", "Kb", "Mb", "Gb", "MHz", "GHz",
    "KHz", "THz", "MW", "GW", "TW", "KW", "MWh", "GWh", "TWh", "KWh", "MWH", "GWH", "TWH", "KWH",
    "PJ", "GJ", "MJ", "TJ", "EJ", "KM", "KG", "CM", "MM", "ML", "MG", "DB", "DPI", "FPS", "RPM",
    "KBPS", "MBPS", "GBPS", "Mbps", "Gbps", "Kbps", "MVA", "KV", "MV", "GT", "MT", "KT",
];

/// Tokens in capitals that are not acronyms to be defined.
const NOT_ACRONYMS: &[&str] = &["OK", "NB", "PS"];

/// Could `token` be an acronym that a reader needs defined? For the "undefined acronym"
/// diagnostic, on top of [`find_uses`]: 2 to 8 characters, at least two capitals; not a Roman
/// numeral (`II`, `XIV`), not a unit (`KB`, `MHz`, `MW`), not a model or staff designation
/// (a digit with fewer than three letters: `F35`, `F-35`, `J2`, `MQ-9`, `G7`; `COVID-19`
/// passes), not `OK`/`NB`/`PS`.
pub fn is_plausible_acronym(token: &str) -> bool {
    let n = token.chars().count();
    if !(2..=8).contains(&n) {
        return false;
    }
    if !token.chars().all(|c| c.is_alphanumeric() || c == '&' || c == '-') {
        return false;
    }
    let upper = token.chars().filter(|c| c.is_uppercase()).count();
    if upper < 2 {
        return false;
    }
    if is_roman_numeral(token) {
        return false;
    }
    if UNITS.contains(&token) || NOT_ACRONYMS.contains(&token) {
        return false;
    }
    let letters = token.chars().filter(|c| c.is_alphabetic()).count();
    let digits = token.chars().filter(|c| c.is_ascii_digit()).count();
    if digits > 0 && letters < 3 {
        return false;
    }
    true
}

/// Roman numerals written with I, V and X (1 to 39), as used for chapters and parts.
fn is_roman_numeral(s: &str) -> bool {
    if s.is_empty() || !s.chars().all(|c| matches!(c, 'I' | 'V' | 'X')) {
        return false;
    }
    (1..40).any(|n| roman(n) == s)
}

fn roman(mut n: u32) -> String {
    let mut out = String::new();
    for (value, digits) in [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")] {
        while n >= value {
            out.push_str(digits);
            n -= value;
        }
    }
    out
}
