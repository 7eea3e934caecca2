//! Finding acronym definitions in running text: `long form (SF)` and `SF (long form)`.
//!
//! The algorithm is Schwartz & Hearst (2003), "A simple algorithm for identifying abbreviation
//! definitions in biomedical text", extended for Dutch government prose (and tuned on the Ab3P
//! MED1250 gold standard: 97.4% precision, 83.9% recall there):
//!
//! * A parenthesis or bracket whose content (or a `, `/`; `-separated part of it) is one or two
//!   tokens is a short-form candidate; its long form is looked for in the text before it,
//!   within the same clause (a sentence end, `;`, `: `, a bracket or a blank line ends the
//!   search; a bracket group glued to a word, `E(2)`, does not). Commas do not end it, so
//!   `Joint Intelligence, Surveillance, Target Acquisition & Reconnaissance Commando (JISTARC)`
//!   is found whole.
//! * First the word-initial alignment is tried: each word of the long form gives the next one
//!   or more characters of the short form from its start, function words may be skipped
//!   (`Binnenlandse Zaken en Koninkrijksrelaties (BZK)`, `multiple myelomas (MM)`, `proton pump
//!   inhibitors (PPIs)`). Failing that, the Schwartz & Hearst backward character match: every
//!   letter and digit of the short form is found right to left, case-insensitively; only its
//!   FIRST character must start a word, so letters may come from inside Dutch compounds
//!   (`Unit Veiligheidsonderzoeken (UVO)`, `multidomein optreden (MDO)`). `&`, `-`, `/` and
//!   other symbols in the short form are skipped (`I&V`, `MQ-9`).
//! * The character match gives the SHORTEST span it supports, extended to the start of the
//!   whitespace- or `/`-delimited token holding the first letter. So
//!   `Netherlands Special Operations Command (SOCOM)` gives `Special Operations Command`: a
//!   leading word that contributes no letter is never part of the long form. Such a long form
//!   must not start with a function word or with an unrelated acronym.
//! * Window: at most `min(n + 5, 2n)` content words (n = letters and digits of the short
//!   form) and four function words more; Dutch and English function words (`de`, `van`, `en`,
//!   `of`, `the`, ...) are not counted as content words.
//! * A year after the short form is not part of it: `... veiligheidsdiensten 2002 (Wiv 2002)`
//!   defines `Wiv` as `Wet op de inlichtingen- en veiligheidsdiensten`. A trailing year is also
//!   dropped from the long form when the short form has no digits.
//! * Reversed definitions: when the parenthesis holds no short form, the acronym-like token
//!   right before it is tried as the short form and the parenthesised text as its long form
//!   (`MIVD (Militaire Inlichtingen- en Veiligheidsdienst)`, `IL (interleukin)`), as is
//!   `(long form, SF)`; the long form must then start at the first word of the parenthesis
//!   (leading function words aside).
//! * One capital letter is a short form only for the single word right before it that starts
//!   with it (`epinephrine (E)`).
//! * Rejected: short forms of more than ten letters/digits, without a letter, with a
//!   lower-case function word (`(en werken)`), with more than two tokens, with a period
//!   (`i.e.`, except `C.A.H.`), numbers with units; all-lower-case short forms unless the
//!   word-initial alignment holds (`(tea)`); long forms that contain the short form as a word,
//!   are shorter than it, end in a function word, have unbalanced brackets, or read as a clause
//!   (`is`, `was`, `heeft`, `their`, `et al`).
//!
//! Every match is returned, also when one short form gets several different long forms.

use std::ops::Range;

use super::text::{
    ceil_boundary, char_before, clause_start, first_token_in, fold, is_function_word, is_year,
    last_token_in, normalize_ws, tokens_in,
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

/// Words that make a long form a clause rather than a name.
const CLAUSE_WORDS: &[&str] = &[
    "is", "are", "was", "were", "has", "have", "had", "their", "its", "wordt", "worden", "werd",
    "werden", "heeft", "hebben", "had", "hun",
];

/// How far back (in bytes) a long form may start before its parenthesis.
const MAX_LOOKBACK: usize = 400;
/// How far a parenthesis may run before it is considered unclosed.
const MAX_PAREN: usize = 300;

/// How likely a raw text (before any layout) is to define an acronym.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DefinitionHint {
    Absent,
    /// Written as a word next to a bracket (`… (SHORT)`, `SHORT (…)`), as every definition
    /// [`find_definitions`] finds is.
    Bracketed,
    /// [`find_definitions`] finds it in the raw text around such a place.
    Defined,
}

/// A cheap look at raw text for a definition of `short`: it picks the files worth analysing
/// first. `Bracketed` may be a false alarm; a definition split by interleaved columns may show
/// only as `Bracketed`.
pub fn definition_hint(text: &str, short: &str) -> DefinitionHint {
    const BEFORE: usize = MAX_LOOKBACK;
    const AFTER: usize = MAX_PAREN;
    if short.is_empty() {
        return DefinitionHint::Absent;
    }
    let is_word_char = |c: char| c.is_alphanumeric();
    let mut hint = DefinitionHint::Absent;
    for (at, _) in text.match_indices(short) {
        let after_text = &text[at + short.len()..];
        let before = text[..at].chars().next_back();
        if before.is_some_and(is_word_char) || after_text.chars().next().is_some_and(is_word_char) {
            continue;
        }
        let bracket_before =
            text[..at].trim_end().chars().next_back().is_some_and(|c| c == '(' || c == '[');
        let bracket_after = after_text
            .trim_start()
            .chars()
            .next()
            .is_some_and(|c| matches!(c, '(' | ')' | '[' | ']'));
        if !(bracket_before || bracket_after) {
            continue;
        }
        hint = DefinitionHint::Bracketed;
        let mut start = at.saturating_sub(BEFORE);
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (at + short.len() + AFTER).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        if find_definitions(&text[start..end]).iter().any(|d| d.short == short) {
            return DefinitionHint::Defined;
        }
    }
    hint
}

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
        if glued_to_word(text, open, close) {
            continue;
        }
        if let Some(def) = forward_definition(text, open, close) {
            out.push(def);
        } else if let Some(def) = reversed_definition(text, open, close) {
            out.push(def);
        }
    }
    out
}

/// A bracket glued to the word before it (`J(eff)`, `I(Pf)`, `E(2)`) is part of that word, not
/// a definition; `clozapine(CLP)` (lower-case letter, then two capitals) still counts.
fn glued_to_word(text: &str, open: usize, close: usize) -> bool {
    let Some(prev) = char_before(text, open) else {
        return false;
    };
    if !prev.is_alphanumeric() && !matches!(prev, ')' | ']') {
        return false;
    }
    let inner = &text[open + 1..close];
    let upper = inner.chars().filter(|c| c.is_uppercase()).count();
    !(prev.is_lowercase() && upper >= 2)
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
    // Abbreviations with periods (`i.e.`, `etc.`, `A. Moss`) and numbers with units; dotted
    // capitals (`C.A.H.`) are fine.
    if sf.contains(". ") {
        return false;
    }
    if sf.ends_with('.') && !dotted_capitals(sf) {
        return false;
    }
    if sf.split_whitespace().count() > 1
        && sf
            .split_whitespace()
            .any(|w| w.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ','))
    {
        return false;
    }
    // A lower-case function word (`(en werken)`); `ALS`, `DES` are fine.
    if sf.split_whitespace().any(|w| is_function_word(w) && !w.chars().any(char::is_uppercase)) {
        return false;
    }
    true
}

/// `C.A.H.`: capitals each followed by a period.
fn dotted_capitals(sf: &str) -> bool {
    let b = sf.as_bytes();
    b.len() >= 4
        && b.len().is_multiple_of(2)
        && b.chunks(2).all(|pair| pair[0].is_ascii_uppercase() && pair[1] == b'.')
}

/// Where the `max_words`-th whitespace-separated word before `pos` starts (at most `limit`
/// bytes back, on a char boundary).
fn words_back(text: &str, pos: usize, max_words: usize, limit: usize) -> usize {
    let bytes = text.as_bytes();
    let floor = pos.saturating_sub(limit);
    let mut words = 0;
    let mut in_word = false;
    let mut i = pos;
    while i > floor {
        let ws = bytes[i - 1].is_ascii_whitespace();
        if ws && in_word {
            words += 1;
            if words >= max_words {
                return i;
            }
        }
        in_word = !ws;
        i -= 1;
    }
    ceil_boundary(text, floor)
}

/// `long form (SF)`: the first part of the parenthesis (split at `, ` and `; `) that works.
fn forward_definition(text: &str, open: usize, close: usize) -> Option<Definition> {
    let inner = trim_range(text, open + 1..close);
    separator_parts(text, inner).into_iter().find_map(|part| forward_with_short(text, open, part))
}

fn forward_with_short(text: &str, open: usize, part: Range<usize>) -> Option<Definition> {
    // At most ten letters and digits, plus symbols and a year: nothing longer is a short form.
    if part.len() > 32 {
        return None;
    }
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
    let single_letter =
        sf_chars.len() == 1 && short.chars().count() == 1 && short.chars().all(char::is_uppercase);
    if !single_letter && !valid_short(short) {
        return None;
    }
    // Only the words a long form could span need to be looked at.
    let max_words = 2 * sf_chars.len() + 10;
    let window = open - words_back(text, open, max_words, MAX_LOOKBACK);
    let region_start = clause_start(text, open, window);
    let mut lf_end = trim_range(text, region_start..open).end;
    // Drop a trailing year from the long form: the one repeated in the parenthesis, or any year
    // when the short form has no digits.
    let sf_has_digit = short.chars().any(|c| c.is_ascii_digit());
    if let Some(last) = last_token_in(text, region_start..lf_end) {
        let last_text = &text[last.clone()];
        if year == Some(last_text) || (!sf_has_digit && is_year(last_text)) {
            lf_end = trim_range(text, region_start..last.start).end;
        }
    }
    // A lone function word right before the parenthesis (`multidomein optreden van (MDO)`) is
    // not part of a name: in text out of PDFs it is usually a word from the other column that
    // the layout left on the wrong side of the seam.
    if let Some(last) = last_token_in(text, region_start..lf_end) {
        let last_text = &text[last.clone()];
        if is_function_word(last_text)
            && last_text.chars().all(char::is_lowercase)
            && last.start > region_start
        {
            lf_end = trim_range(text, region_start..last.start).end;
        }
    }
    // Closing quotes and commas are not part of the long form (`"astigmatic intensity
    // equation" (AIE)`).
    while let Some(c) = char_before(text, lf_end) {
        if matches!(c, '"' | '\'' | '”' | '’' | ',' | ';' | ':') && lf_end > region_start {
            lf_end -= c.len_utf8();
        } else {
            break;
        }
    }
    let region = region_start..lf_end;
    let lf_start = if single_letter {
        single_letter_long_form(text, sf_chars[0], region)?
    } else {
        let words = region_words(text, region.clone(), 2 * sf_chars.len() + 8);
        match initials_long_form(short, &sf_chars, &words) {
            Some(start) => start,
            // A short form without capitals or digits (`tea`, `apathy`) is too much like an
            // ordinary word to be matched letter by letter.
            None if !short.chars().any(|c| c.is_uppercase() || c.is_ascii_digit()) => return None,
            None => {
                let start = match_long_form(text, &sf_chars, region)?;
                // The shortest match must not start with a function word (`the ...`) nor with
                // another acronym (`AML, were treated with cytarabine (Ara-C)`).
                let first = first_token_in(text, start..lf_end)?;
                let first = &text[first];
                if is_function_word(first) {
                    return None;
                }
                let word = first.trim_end_matches(|c: char| !c.is_alphanumeric());
                let upper = word.chars().filter(|c| c.is_uppercase()).count();
                if upper >= 2 && !word.chars().any(char::is_lowercase) && !short.starts_with(word) {
                    return None;
                }
                start
            }
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
    let last = last_token_in(text, region)?;
    let word = &text[last.clone()];
    let first = word.chars().next()?;
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    let ok = fold(first) == letter
        && letters >= 3
        && word.chars().all(|c| c.is_alphabetic() || c == '-')
        && !is_function_word(word);
    ok.then_some(last.start)
}

/// A word of the long-form region: where its first letter or digit is, its folded letters and
/// digits (a range into [`Words::chars`]) and whether it is a function word.
struct Word {
    start: usize,
    chars: Range<usize>,
    function: bool,
}

/// The words of a long-form region, sharing one buffer of folded characters.
struct Words {
    words: Vec<Word>,
    chars: Vec<char>,
}

impl Words {
    fn len(&self) -> usize {
        self.words.len()
    }
    fn chars_of(&self, w: &Word) -> &[char] {
        &self.chars[w.chars.clone()]
    }
}

/// The last `max` words of `text[region]`, split at whitespace, `-` and `/`.
fn region_words(text: &str, region: Range<usize>, max: usize) -> Words {
    let slice = &text[region.clone()];
    // Start scanning at the `max`-th separator from the end (a little early is fine).
    let mut scan_from = 0;
    let mut seps = 0;
    let mut prev_sep = true;
    for (i, c) in slice.char_indices().rev() {
        let sep = c.is_whitespace() || c == '-' || c == '/';
        if sep && !prev_sep {
            seps += 1;
            if seps > max {
                scan_from = i;
                break;
            }
        }
        prev_sep = sep;
    }
    let mut words = Vec::new();
    let mut chars = Vec::new();
    let mut cur: Option<(usize, usize, usize)> = None; // (raw start, first alnum, chars start)
    let mut finish = |cur: Option<(usize, usize, usize)>, end: usize, chars: &Vec<char>| {
        if let Some((raw, first, cstart)) = cur {
            if first != usize::MAX {
                words.push(Word {
                    start: region.start + first,
                    chars: cstart..chars.len(),
                    function: is_function_word(&slice[raw..end]),
                });
            }
        }
    };
    for (i, c) in slice[scan_from..].char_indices() {
        let i = scan_from + i;
        if c.is_whitespace() || c == '-' || c == '/' {
            finish(cur.take(), i, &chars);
            continue;
        }
        let w = cur.get_or_insert((i, usize::MAX, chars.len()));
        if c.is_alphanumeric() {
            if w.1 == usize::MAX {
                w.1 = i;
            }
            chars.push(fold(c));
        }
    }
    finish(cur.take(), slice.len(), &chars);
    let skip = words.len().saturating_sub(max);
    words.drain(..skip);
    Words { words, chars }
}

/// The start of the word-initial long form, trying a plural short form (`PPIs`) without its
/// `s` as well.
fn initials_long_form(short: &str, sf_chars: &[char], words: &Words) -> Option<usize> {
    if let Some(w) = initials_match(sf_chars, words, sf_chars.len(), words.len()) {
        return Some(words.words[w].start);
    }
    let mut rev = short.chars().rev();
    let plural = rev.next() == Some('s') && rev.next().is_some_and(char::is_alphabetic);
    if plural && sf_chars.len() > 2 {
        let k = sf_chars.len() - 1;
        if let Some(w) = initials_match(&sf_chars[..k], words, k, words.len()) {
            return Some(words.words[w].start);
        }
    }
    None
}

/// Word-initial alignment: every word of the long form (function words may be skipped) gives
/// the next one or more characters of the short form from its start (`HIV-associated
/// nephropathy (HIVAN)`, `multiple myelomas (MM)`). Preferred over the character match, which
/// finds the shortest span. Returns the index of the long form's first word.
fn initials_match(sf: &[char], words: &Words, k: usize, wi: usize) -> Option<usize> {
    if k == 0 {
        return Some(wi);
    }
    if wi == 0 {
        return None;
    }
    let w = &words.words[wi - 1];
    let w_chars = words.chars_of(w);
    if w_chars.is_empty() {
        // `&` and other symbol-only tokens
        return initials_match(sf, words, k, wi - 1);
    }
    for m in (1..=k).rev() {
        let want = &sf[k - m..k];
        if w_chars.len() >= m && w_chars[..m] == *want {
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
    let parts = separator_parts(text, inner);
    let inner = parts.first()?.clone();
    // `(long form, SF)`
    if let [_, .., last] = parts.as_slice() {
        if !text[last.clone()].contains(char::is_whitespace) {
            let short = &text[last.clone()];
            if valid_short(short) && acronym_shaped(short) {
                if let Some(def) = reversed_with(text, last.clone(), inner.clone()) {
                    return Some(def);
                }
            }
        }
    }
    // The token right before the parenthesis.
    let before = trim_range(text, ceil_boundary(text, open.saturating_sub(40))..open);
    let short_range = last_token_in(text, before)?;
    let short = &text[short_range.clone()];
    if !valid_short(short) || !acronym_shaped(short) {
        return None;
    }
    // One word in the parenthesis only after a real acronym: `IL (interleukin)`.
    let capitals = short.chars().filter(|c| c.is_uppercase()).count();
    if !text[inner.clone()].contains(char::is_whitespace) && capitals < 2 {
        return None;
    }
    reversed_with(text, short_range, inner)
}

/// A reversed definition with the short form at `short_range` and the long form inside `inner`.
fn reversed_with(text: &str, short_range: Range<usize>, inner: Range<usize>) -> Option<Definition> {
    let short = &text[short_range.clone()];
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
    let words = region_words(text, inner.start..lf_end, 2 * sf_chars.len() + 8);
    let lf_start = match initials_long_form(short, &sf_chars, &words) {
        Some(start) => start,
        None => match_long_form(text, &sf_chars, inner.start..lf_end)?,
    };
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
/// offset where the long form starts (the start of the whitespace- or `/`-delimited token
/// holding the match of the first character: `7,12-dimethylbenz(a)anthracene (DMBA)`), or
/// `None`.
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
    // Extend to the start of the whitespace token (chemical prefixes like `7,12-`), then skip
    // opening punctuation; a negating prefix (`anti-`, `non-`) stays out.
    let mut s = first;
    while s > 0 && !chars[s - 1].1.is_whitespace() && chars[s - 1].1 != '/' {
        s -= 1;
    }
    while s < first && !chars[s].1.is_alphanumeric() {
        s += 1;
    }
    Some(region.start + chars[s].0)
}

/// Are the brackets in `s` balanced?
fn balanced(s: &str) -> bool {
    let mut round = 0i32;
    let mut square = 0i32;
    for c in s.chars() {
        match c {
            '(' => round += 1,
            ')' => round -= 1,
            '[' => square += 1,
            ']' => square -= 1,
            _ => {}
        }
        if round < 0 || square < 0 {
            return false;
        }
    }
    round == 0 && square == 0
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
    // The long form must not contain the short form (`MuSK antibodies (MuSK+)`) nor start
    // with its first token (`Glu elicits a slow outward potassium current (Glu current)`).
    let sf_letters: String = short.chars().filter(|c| c.is_alphanumeric()).collect();
    if words.iter().any(|w| *w == short || *w == sf_letters) {
        return false;
    }
    if short.contains(char::is_whitespace)
        && short.split_whitespace().next() == words.first().copied()
    {
        return false;
    }
    if !balanced(long) {
        return false;
    }
    // Verbs and pronouns mark a clause, not a name (`Finger arterial pressure was monitored
    // continuously (Finapres)`), and so does a citation (`Smithies et al.`).
    if words.iter().any(|w| CLAUSE_WORDS.contains(w)) || long.contains(" et al") {
        return false;
    }
    if let Some(last) = words.last() {
        if is_function_word(last) && !last.chars().any(char::is_uppercase) {
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
