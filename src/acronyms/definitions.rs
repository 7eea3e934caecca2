//! Finding acronym definitions in running text: `long form (SF)` and `SF (long form)`.
//!
//! The algorithm is Schwartz & Hearst (2003), "A simple algorithm for identifying abbreviation
//! definitions in biomedical text", extended for Dutch government prose:
//!
//! * A parenthesis holding one or two tokens is a short-form candidate; its long form is looked
//!   for in the text before it, within the same clause (a sentence end, `;`, `: `, a bracket or
//!   a blank line ends the search). Commas do not end it, so
//!   `Joint Intelligence, Surveillance, Target Acquisition & Reconnaissance Commando (JISTARC)`
//!   is found whole.
//! * The short form's letters and digits are matched backwards, case-insensitively, against the
//!   text before the parenthesis; only its FIRST character must start a word. Letters may come
//!   from inside Dutch compounds: `Unit Veiligheidsonderzoeken (UVO)`,
//!   `multidomein optreden (MDO)`. `&`, `-`, `/` and other symbols in the short form are
//!   skipped (`I&V`, `MQ-9`).
//! * The long form is the SHORTEST span the match supports, extended to the start of the
//!   whitespace-delimited token holding its first letter. So
//!   `Netherlands Special Operations Command (SOCOM)` gives `Special Operations Command`: a
//!   leading word that contributes no letter is never part of the long form.
//! * Window: the long form may have at most `min(n + 5, 2n)` content words (n = letters and
//!   digits of the short form); Dutch and English function words (`de`, `van`, `en`, `of`,
//!   `the`, ...) are not counted.
//! * A year after the short form is not part of it: `... veiligheidsdiensten 2002 (Wiv 2002)`
//!   defines `Wiv` as `Wet op de inlichtingen- en veiligheidsdiensten`. A trailing year is also
//!   dropped from the long form when the short form has no digits.
//! * Reversed definitions: when the parenthesis holds two or more words and no short form, the
//!   acronym-like token right before it is tried as the short form and the parenthesised text
//!   as its long form (`MIVD (Militaire Inlichtingen- en Veiligheidsdienst)`); the long form must
//!   then start at the first word of the parenthesis (leading function words aside).
//! * Rejected: short forms of one character, more than ten letters/digits, no letter, a function
//!   word (`(en werken)`), more than two tokens; years and numbers; long forms that contain the
//!   short form as a word, are shorter than it, or end in a function word.
//!
//! Every match is returned, also when one short form gets several different long forms.

use std::ops::Range;

use super::text::{
    ceil_boundary, char_before, clause_start, fold, is_function_word, is_year, normalize_ws,
    tokens_in,
};

/// One definition of a short form in the analysed text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Definition {
    /// The short form as written (without a trailing year): `MIVD`, `I&V`, `Wiv`.
    pub short: String,
    /// The long form with every whitespace run (line breaks included) collapsed to one space.
    pub long: String,
    /// Byte range of the short form in the analysed text.
    pub short_range: Range<usize>,
    /// Byte range of the long form in the analysed text (the exact source bytes).
    pub long_range: Range<usize>,
    /// True for `SF (long form)`, false for `long form (SF)`.
    pub reversed: bool,
}

/// How far back (in bytes) a long form may start before its parenthesis.
const MAX_LOOKBACK: usize = 400;
/// How far a parenthesis may run before it is considered unclosed.
const MAX_PAREN: usize = 300;

/// All acronym definitions in `text`, in text order.
pub fn find_definitions(text: &str) -> Vec<Definition> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let Some(off) = bytes[i..].iter().position(|&b| b == b'(' || b == b'[') else {
            break;
        };
        let open = i + off;
        i = open + 1;
        let Some(close) = matching_close(bytes, open) else {
            continue;
        };
        if let Some(def) = forward_definition(text, open, close) {
            out.push(def);
        } else if let Some(def) = reversed_definition(text, open, close) {
            out.push(def);
        }
    }
    out
}

/// The byte index of the bracket closing the one at `open`, if it comes soon enough.
fn matching_close(bytes: &[u8], open: usize) -> Option<usize> {
    let (open_b, close_b) = if bytes[open] == b'(' { (b'(', b')') } else { (b'[', b']') };
    let mut depth = 0usize;
    let end = (open + MAX_PAREN).min(bytes.len());
    for (k, &b) in bytes.iter().enumerate().take(end).skip(open) {
        if b == open_b {
            depth += 1;
        } else if b == close_b {
            depth -= 1;
            if depth == 0 {
                return Some(k);
            }
        } else if b == b'\n' && bytes.get(k + 1) == Some(&b'\n') {
            return None;
        }
    }
    None
}

/// Trim whitespace from both ends of `text[range]`, returning the narrowed range.
fn trim_range(text: &str, range: Range<usize>) -> Range<usize> {
    let s = &text[range.clone()];
    let start = range.start + (s.len() - s.trim_start().len());
    let end = range.start + s.trim_end().len();
    if end < start {
        start..start
    } else {
        start..end
    }
}

/// The parts of `text[range]` separated by `, ` or `; `, trimmed, empty ones left out.
fn separator_parts(text: &str, range: Range<usize>) -> Vec<Range<usize>> {
    let b = text.as_bytes();
    let mut parts = Vec::new();
    let mut start = range.start;
    for k in range.clone() {
        if (b[k] == b',' || b[k] == b';') && b.get(k + 1).is_some_and(|n| n.is_ascii_whitespace()) {
            parts.push(trim_range(text, start..k));
            start = k + 1;
        }
    }
    parts.push(trim_range(text, start..range.end));
    parts.retain(|r| !r.is_empty());
    parts
}

/// Letters and digits of a short form, folded to lower case.
fn short_chars(sf: &str) -> Vec<char> {
    sf.chars().filter(|c| c.is_alphanumeric()).map(fold).collect()
}

/// Basic validity of a short form (Schwartz & Hearst's `isValidShortForm` plus length checks).
/// Single letters are handled separately.
fn valid_short(sf: &str) -> bool {
    let alnum = sf.chars().filter(|c| c.is_alphanumeric()).count();
    if !(2..=10).contains(&alnum) {
        return false;
    }
    let Some(first) = sf.chars().next() else {
        return false;
    };
    if !first.is_alphanumeric() {
        return false;
    }
    if !sf.chars().any(char::is_alphabetic) {
        return false;
    }
    // A lower-case function word (`(en werken)`); `ALS`, `DES` are fine.
    if sf.split_whitespace().any(|w| is_function_word(w) && !w.chars().any(char::is_uppercase)) {
        return false;
    }
    true
}

/// `long form (SF)`: the first part of the parenthesis (split at `, ` and `; `) that works.
fn forward_definition(text: &str, open: usize, close: usize) -> Option<Definition> {
    let inner = trim_range(text, open + 1..close);
    separator_parts(text, inner).into_iter().find_map(|part| forward_with_short(text, open, part))
}

fn forward_with_short(text: &str, open: usize, part: Range<usize>) -> Option<Definition> {
    let toks = tokens_in(text, part.clone());
    let (short_range, year) = match toks.as_slice() {
        [one] => (one.clone(), None),
        [first, second] => {
            let second_text = &text[second.clone()];
            if is_year(second_text) {
                (first.clone(), Some(second_text))
            } else {
                (part.clone(), None)
            }
        }
        _ => return None,
    };
    let short = &text[short_range.clone()];
    let sf_chars = short_chars(short);
    let single_letter = sf_chars.len() == 1 && short.chars().count() == 1;
    if !single_letter && !valid_short(short) {
        return None;
    }
    let region_start = clause_start(text, open, MAX_LOOKBACK);
    let mut lf_end = trim_range(text, region_start..open).end;
    // Drop a trailing year from the long form: the one repeated in the parenthesis, or any year
    // when the short form has no digits.
    let sf_has_digit = short.chars().any(|c| c.is_ascii_digit());
    if let Some(last) = tokens_in(text, region_start..lf_end).last() {
        let last_text = &text[last.clone()];
        if year == Some(last_text) || (!sf_has_digit && is_year(last_text)) {
            lf_end = trim_range(text, region_start..last.start).end;
        }
    }
    let region = region_start..lf_end;
    let lf_start = if single_letter {
        single_letter_long_form(text, sf_chars[0], region)?
    } else {
        let words = region_words(text, region.clone(), 2 * sf_chars.len() + 8);
        match initials_match(&sf_chars, &words, sf_chars.len(), words.len()) {
            Some(w) => words[w].start,
            None => match_long_form(text, &sf_chars, region)?,
        }
    };
    let long_range = lf_start..lf_end;
    let long = &text[long_range.clone()];
    if !valid_pair(short, &sf_chars, long) {
        return None;
    }
    Some(Definition {
        short: short.to_string(),
        long: normalize_ws(long),
        short_range,
        long_range,
        reversed: false,
    })
}

/// A one-letter short form is defined only by the single word right before it, which must
/// start with that letter: `epinephrine (E)`, `diopters (D)`.
fn single_letter_long_form(text: &str, letter: char, region: Range<usize>) -> Option<usize> {
    let last = tokens_in(text, region).pop()?;
    let word = &text[last.clone()];
    let first = word.chars().next()?;
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    let ok = fold(first) == letter
        && letters >= 3
        && word.chars().all(|c| c.is_alphabetic() || c == '-')
        && !is_function_word(word);
    ok.then_some(last.start)
}

/// A word of the long-form region: where its first letter or digit is and its folded letters
/// and digits.
struct Word {
    start: usize,
    chars: Vec<char>,
    function: bool,
}

/// The last `max` words of `text[region]`, split at whitespace, `-` and `/`.
fn region_words(text: &str, region: Range<usize>, max: usize) -> Vec<Word> {
    let slice = &text[region.clone()];
    let mut words = Vec::new();
    let mut cur: Option<Word> = None;
    let mut raw_start = 0;
    for (i, c) in slice.char_indices() {
        if c.is_whitespace() || c == '-' || c == '/' {
            if let Some(w) = cur.take() {
                words.push(finish_word(w, &slice[raw_start..i]));
            }
            continue;
        }
        let w = cur.get_or_insert_with(|| {
            raw_start = i;
            Word { start: usize::MAX, chars: Vec::new(), function: false }
        });
        if c.is_alphanumeric() {
            if w.start == usize::MAX {
                w.start = region.start + i;
            }
            w.chars.push(fold(c));
        }
    }
    if let Some(w) = cur.take() {
        words.push(finish_word(w, &slice[raw_start..]));
    }
    words.retain(|w| w.start != usize::MAX || w.chars.is_empty());
    let skip = words.len().saturating_sub(max);
    words.drain(..skip);
    words
}

fn finish_word(mut w: Word, raw: &str) -> Word {
    w.function = is_function_word(raw);
    w
}

/// Word-initial alignment: every word of the long form (function words may be skipped) gives
/// the next one or more characters of the short form from its start (`HIV-associated
/// nephropathy (HIVAN)`, `multiple myelomas (MM)`). Preferred over the character match, which
/// finds the shortest span. Returns the index of the long form's first word.
fn initials_match(sf: &[char], words: &[Word], k: usize, wi: usize) -> Option<usize> {
    if k == 0 {
        return Some(wi);
    }
    if wi == 0 {
        return None;
    }
    let w = &words[wi - 1];
    if w.chars.is_empty() {
        // `&` and other symbol-only tokens
        return initials_match(sf, words, k, wi - 1);
    }
    for m in (1..=k).rev() {
        let want = &sf[k - m..k];
        if w.chars.len() >= m && w.chars[..m] == *want {
            if let Some(s) = initials_match(sf, words, k - m, wi - 1) {
                return Some(s);
            }
        }
    }
    if w.function {
        return initials_match(sf, words, k, wi - 1);
    }
    None
}

/// `SF (long form)`.
fn reversed_definition(text: &str, open: usize, close: usize) -> Option<Definition> {
    let inner = trim_range(text, open + 1..close);
    let inner = separator_parts(text, inner).into_iter().next()?;
    let inner_tokens = tokens_in(text, inner.clone());
    if inner_tokens.len() < 2 {
        return None;
    }
    // The token right before the parenthesis.
    let before = trim_range(text, ceil_boundary(text, open.saturating_sub(40))..open);
    let short_range = tokens_in(text, before).pop()?;
    let short = &text[short_range.clone()];
    if !valid_short(short) || short.split_whitespace().count() != 1 || !acronym_shaped(short) {
        return None;
    }
    // The long form must not run on past sentence punctuation at its end.
    let mut lf_end = inner.end;
    while let Some(c) = char_before(text, lf_end) {
        if matches!(c, '.' | ',' | ';' | ':') {
            lf_end -= c.len_utf8();
        } else {
            break;
        }
    }
    let sf_chars = short_chars(short);
    let lf_start = match_long_form(text, &sf_chars, inner.start..lf_end)?;
    // Only function words may precede the long form inside the parenthesis.
    let skipped = tokens_in(text, inner.start..lf_start);
    if !skipped.iter().all(|t| is_function_word(&text[t.clone()])) {
        return None;
    }
    let long_range = lf_start..lf_end;
    let long = &text[long_range.clone()];
    if !valid_pair(short, &sf_chars, long) {
        return None;
    }
    Some(Definition {
        short: short.to_string(),
        long: normalize_ws(long),
        short_range,
        long_range,
        reversed: true,
    })
}

/// Does a token look enough like an acronym to be the short form of a reversed definition?
/// Two capitals (`MIVD`, `KMar`, `I&V`), a capital and a digit (`F16`), or a short
/// capitalised word (`Wiv`, `Awb`).
fn acronym_shaped(token: &str) -> bool {
    let upper = token.chars().filter(|c| c.is_uppercase()).count();
    let digits = token.chars().filter(|c| c.is_ascii_digit()).count();
    let len = token.chars().count();
    let first_upper = token.chars().next().is_some_and(char::is_uppercase);
    upper >= 2 || (upper >= 1 && digits >= 1) || (first_upper && (3..=4).contains(&len))
}

/// Schwartz & Hearst's backward match: every letter and digit of the short form, right to left,
/// is found in `text[region]` right to left; the first one must start a word. Returns the byte
/// offset where the long form starts (the match of the first character), or `None`.
fn match_long_form(text: &str, sf_chars: &[char], region: Range<usize>) -> Option<usize> {
    if sf_chars.is_empty() || region.is_empty() {
        return None;
    }
    let slice = &text[region.clone()];
    let chars: Vec<(usize, char)> = slice.char_indices().collect();
    let mut li = chars.len();
    let mut first_pos = None;
    for (k, &sc) in sf_chars.iter().enumerate().rev() {
        loop {
            if li == 0 {
                return None;
            }
            li -= 1;
            let (_, c) = chars[li];
            if fold(c) != sc {
                continue;
            }
            if k == 0 {
                let word_start = li == 0 || !chars[li - 1].1.is_alphanumeric();
                if !word_start {
                    continue;
                }
            }
            break;
        }
        if k == 0 {
            first_pos = Some(li);
        }
    }
    let first = first_pos?;
    Some(region.start + chars[first].0)
}

/// Schwartz & Hearst's final checks on a (short, long) pair, plus function-word rules.
fn valid_pair(short: &str, sf_chars: &[char], long: &str) -> bool {
    let n = sf_chars.len();
    if n == 0 || n > 10 {
        return false;
    }
    if long.chars().count() <= short.chars().count() && n > 1 {
        return false;
    }
    let words: Vec<&str> =
        long.split(|c: char| c.is_whitespace() || c == '-').filter(|w| !w.is_empty()).collect();
    if words.iter().any(|w| *w == short) {
        return false;
    }
    // A long form starting with another acronym (`AML, were treated with cytarabine (Ara-C)`).
    if let Some(first) = words.first() {
        let upper = first.chars().filter(|c| c.is_uppercase()).count();
        if upper >= 2 && !first.chars().any(char::is_lowercase) && !short.starts_with(first) {
            return false;
        }
    }
    if let Some(last) = words.last() {
        if is_function_word(last) {
            return false;
        }
    }
    let content = words.iter().filter(|w| !is_function_word(w)).count();
    let limit = (n + 5).min(2 * n);
    if content > limit || words.len() > limit + 4 {
        return false;
    }
    true
}
