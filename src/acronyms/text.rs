//! Small character and word helpers shared by the acronym analyses.
//!
//! Everything works on `&str` and byte offsets into it; nothing here allocates per character.

use std::ops::Range;

/// Is `word` (compared case-insensitively) a Dutch or English function word? These are
/// skipped by the long-form matcher, not counted in its word window, never a short form, and
/// allowed inside multiword names.
pub(crate) fn is_function_word(word: &str) -> bool {
    let b = word.as_bytes();
    if b.is_empty() || b.len() > 6 {
        return false;
    }
    let mut buf = [0u8; 6];
    for (d, s) in buf.iter_mut().zip(b) {
        *d = s.to_ascii_lowercase();
    }
    matches!(
        &buf[..b.len()],
        // Dutch
        b"de" | b"het" | b"een" | b"van" | b"en" | b"voor" | b"op" | b"in" | b"met" | b"aan"
            | b"bij" | b"te" | b"tot" | b"door" | b"om" | b"of" | b"uit" | b"naar" | b"over"
            | b"als" | b"die" | b"dat" | b"der" | b"den" | b"des" | b"ter" | b"'t" | b"'s"
            | b"zijn" | b"is" | b"wordt" | b"worden" | b"na" | b"onder" | b"tegen" | b"zoals"
            | b"ook" | b"niet"
            // English
            | b"the" | b"a" | b"an" | b"and" | b"for" | b"on" | b"to" | b"by" | b"with" | b"at"
            | b"from" | b"or" | b"as" | b"into" | b"its" | b"their" | b"was" | b"were" | b"be"
            | b"are" | b"this" | b"that"
    )
}

/// Lower-case a char to a single char (good enough for matching letters; multi-char lower
/// cases, which do not occur in Dutch or English, keep their first char).
#[inline]
pub(crate) fn fold(c: char) -> char {
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        c.to_lowercase().next().unwrap_or(c)
    }
}

/// Is `s` a four-digit year between 1800 and 2099?
pub(crate) fn is_year(s: &str) -> bool {
    s.len() == 4
        && s.bytes().all(|b| b.is_ascii_digit())
        && (s.starts_with("18") || s.starts_with("19") || s.starts_with("20"))
}

/// The whitespace-separated tokens of `text[range]`, as absolute byte ranges.
pub(crate) fn tokens_in(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let base = range.start;
    let Some(slice) = text.get(range) else {
        return out;
    };
    let mut start: Option<usize> = None;
    for (i, c) in slice.char_indices() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                out.push(base + s..base + i);
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(base + s..base + slice.len());
    }
    out
}

/// The first whitespace-separated token of `text[range]`.
pub(crate) fn first_token_in(text: &str, range: Range<usize>) -> Option<Range<usize>> {
    let slice = text.get(range.clone())?;
    let start = slice.find(|c: char| !c.is_whitespace())?;
    let len = slice[start..].find(char::is_whitespace).unwrap_or(slice.len() - start);
    Some(range.start + start..range.start + start + len)
}

/// The last whitespace-separated token of `text[range]`.
pub(crate) fn last_token_in(text: &str, range: Range<usize>) -> Option<Range<usize>> {
    let slice = text.get(range.clone())?;
    let trimmed = slice.trim_end();
    if trimmed.is_empty() {
        return None;
    }
    let start = trimmed
        .rfind(char::is_whitespace)
        .map_or(0, |p| p + trimmed[p..].chars().next().map_or(1, char::len_utf8));
    Some(range.start + start..range.start + trimmed.len())
}

/// Collapse every run of whitespace to one space and trim.
pub(crate) fn normalize_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The char before byte offset `i` in `text`, if any.
#[inline]
pub(crate) fn char_before(text: &str, i: usize) -> Option<char> {
    text.get(..i).and_then(|s| s.chars().next_back())
}

/// The char at byte offset `i` in `text`, if any.
#[inline]
pub(crate) fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..).and_then(|s| s.chars().next())
}

/// Common abbreviations that end in a period without ending a sentence.
const NON_FINAL_ABBREVIATIONS: &[&str] = &[
    "o.a", "bijv", "bv", "e.g", "i.e", "etc", "vs", "al", "fig", "figs", "dr", "mr", "mrs", "ms",
    "prof", "nr", "no", "art", "ca", "resp", "approx", "ref", "refs", "st", "jr", "sr", "dhr",
    "mw", "mevr", "drs", "ir", "ing", "zgn", "z.g", "m.b.t", "t.a.v", "i.v.m", "e.d", "d.w.z",
    "incl", "excl", "vol", "p", "pp", "ed", "eds", "sp", "spp", "cf", "viz", "jan", "feb", "mar",
    "apr", "jun", "jul", "aug", "sep", "sept", "oct", "okt", "nov", "dec",
];

/// Does a sentence end at the period (or `?`/`!`) at byte `i`? Looks at the word before it and
/// at what follows (whitespace, then an upper-case letter, digit or opening punctuation).
pub(crate) fn is_sentence_end(text: &str, i: usize) -> bool {
    let Some(c) = char_at(text, i) else {
        return false;
    };
    if !matches!(c, '.' | '?' | '!') {
        return false;
    }
    let after = &text[i + c.len_utf8()..];
    let mut rest = after.chars();
    match rest.next() {
        None => return true,
        Some(w) if w.is_whitespace() => {}
        Some(_) => return false,
    }
    let next = after.trim_start().chars().next();
    match next {
        None => return true,
        Some(n) if n.is_uppercase() || n.is_ascii_digit() || "\"'“‘([".contains(n) => {}
        Some(_) => return false,
    }
    if c != '.' {
        return true;
    }
    // The word before the period.
    let before = &text[..i];
    let word_start = before.rfind(|ch: char| ch.is_whitespace() || ch == '(').map_or(0, |p| p + 1);
    let word = &before[word_start..];
    if word.is_empty() {
        return true;
    }
    if word.len() <= 6 && NON_FINAL_ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(word)) {
        return false;
    }
    // Single letters (initials like "J. Smith") do not end a sentence.
    let mut wc = word.chars();
    if let (Some(f), None) = (wc.next(), wc.next()) {
        if f.is_alphabetic() {
            return false;
        }
    }
    true
}

/// Byte offset where the clause containing byte `pos` starts (search backwards, at most
/// `limit` bytes). Sentence ends, `;`, `: `, blank lines and brackets count as boundaries; a
/// bracket group glued to a word (`E(2)`, `benz(a)anthracene`, `(GABA)-induced`) does not.
pub(crate) fn clause_start(text: &str, pos: usize, limit: usize) -> usize {
    let floor = pos.saturating_sub(limit);
    let bytes = text.as_bytes();
    let mut i = pos;
    while i > floor {
        i -= 1;
        let b = bytes[i];
        match b {
            b')' | b']' => match glued_group_start(bytes, i, floor) {
                Some(open) => i = open,
                None => return i + 1,
            },
            b';' | b'(' | b'[' => return i + 1,
            b':' if bytes.get(i + 1).is_some_and(|n| n.is_ascii_whitespace()) => return i + 1,
            b'.' | b'?' | b'!' if is_sentence_end(text, i) => return i + 1,
            b'\n' => {
                // blank line = paragraph break
                let mut j = i;
                while j > floor && matches!(bytes[j - 1], b' ' | b'\t' | b'\r') {
                    j -= 1;
                }
                if j > floor && bytes[j - 1] == b'\n' {
                    return i + 1;
                }
            }
            _ => {}
        }
    }
    ceil_boundary(text, floor)
}

/// If the bracket closing at `close` belongs to a group glued to a word on either side
/// (`E(2)`, `(GABA)-induced`), the index of its opening bracket.
fn glued_group_start(bytes: &[u8], close: usize, floor: usize) -> Option<usize> {
    let (open_b, close_b) = if bytes[close] == b')' { (b'(', b')') } else { (b'[', b']') };
    let mut depth = 0usize;
    let mut k = close + 1;
    while k > floor {
        k -= 1;
        if bytes[k] == close_b {
            depth += 1;
        } else if bytes[k] == open_b {
            depth -= 1;
            if depth == 0 {
                let glued_before = k > 0 && is_word_byte(bytes[k - 1]);
                let glued_after =
                    bytes.get(close + 1).is_some_and(|&n| is_word_byte(n) || n == b'-');
                return (glued_before || glued_after).then_some(k);
            }
        }
    }
    None
}

/// A byte that continues a word: ASCII alphanumeric or part of a multi-byte char.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b >= 0x80
}

/// The smallest char boundary of `text` at or after byte `i`.
pub(crate) fn ceil_boundary(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i.min(text.len())
}
