//! Word-level helpers shared by the layout stages: splitting a line into words, the
//! case and punctuation facts the decoder scores, and the hash used as a vocabulary key.

use std::collections::HashSet;
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;

/// One whitespace-delimited word of a line. Offsets are bytes relative to the line start;
/// `char_start`/`char_len` count characters, which is what column widths are measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Word {
    pub start: usize,
    pub end: usize,
    pub char_start: usize,
    pub char_len: usize,
}

/// Splits `line` at whitespace. Never panics; returns no words for blank input.
pub fn words(line: &str) -> Vec<Word> {
    // About one word per six bytes of prose: one allocation for most lines.
    let mut out = Vec::with_capacity(line.len() / 6 + 1);
    if line.is_ascii() {
        // Most lines: bytes are characters, and whitespace is a byte test.
        let bytes = line.as_bytes();
        let mut i = 0;
        loop {
            while bytes.get(i).is_some_and(|&b| is_ascii_white(b)) {
                i += 1;
            }
            if i >= bytes.len() {
                return out;
            }
            let start = i;
            while bytes.get(i).is_some_and(|&b| !is_ascii_white(b)) {
                i += 1;
            }
            if i == start {
                return out; // unreachable (a byte that is not white was found), but never loops
            }
            out.push(Word { start, end: i, char_start: start, char_len: i - start });
        }
    }
    let mut at = Cursor { byte: 0, char_index: 0 };
    loop {
        while at.next_is(line, true) {}
        if at.byte >= line.len() {
            return out;
        }
        let (start, char_start) = (at.byte, at.char_index);
        while at.next_is(line, false) {}
        if at.byte == start {
            return out; // unreachable (see `Cursor::next_is`), but never loops
        }
        out.push(Word { start, end: at.byte, char_start, char_len: at.char_index - char_start });
    }
}

/// `char::is_whitespace` of an ASCII byte.
fn is_ascii_white(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// A place in a line, in bytes and characters.
struct Cursor {
    byte: usize,
    char_index: usize,
}

impl Cursor {
    /// Steps over the next character if its being whitespace is `white`.
    #[inline]
    fn next_is(&mut self, line: &str, white: bool) -> bool {
        let Some(&b) = line.as_bytes().get(self.byte) else {
            return false;
        };
        // ASCII is tested by byte: the scan reads every line of a workspace through here.
        let (is_white, len) = if b.is_ascii() {
            (is_ascii_white(b), 1)
        } else {
            match line.get(self.byte..).and_then(|rest| rest.chars().next()) {
                Some(c) => (c.is_whitespace(), c.len_utf8()),
                None => return false, // unreachable: the cursor stays on character boundaries
            }
        };
        if is_white != white {
            return false;
        }
        self.byte += len;
        self.char_index += 1;
        true
    }
}

/// Approximate advance width of a character in a proportional text font, in units of an
/// average character (Helvetica-like metrics / 520). Column widths are measured in these units:
/// `MIVD 2022` takes more room than `ill.` although both have the same number of characters.
pub fn advance(c: char) -> f32 {
    match ASCII_ADVANCE.get(c as usize) {
        Some(&width) => width,
        None if c.is_uppercase() => f32::from(UPPERCASE) / EM,
        None => f32::from(OTHER) / EM,
    }
}

const EM: f32 = 520.0;
const UPPERCASE: u16 = 667;
const OTHER: u16 = 556;

/// [`advance`] of the ASCII characters, looked up instead of matched (every character of a
/// workspace is measured).
const ASCII_ADVANCE: [f32; 128] = {
    let mut table = [0.0; 128];
    let mut i = 0;
    while i < 128 {
        table[i] = ascii_thousandths(i as u8) as f32 / EM;
        i += 1;
    }
    table
};

const fn ascii_thousandths(b: u8) -> u16 {
    match b {
        b'i' | b'j' | b'l' | b'\'' | b'|' => 222,
        b'f' | b't' | b'I' | b' ' | b'.' | b',' | b':' | b';' | b'!' | b'/' => 278,
        b'r' | b'(' | b')' | b'-' | b'[' | b']' | b'"' => 333,
        b'k' | b'c' | b's' | b'v' | b'x' | b'y' | b'z' | b'J' => 500,
        b'm' | b'M' => 833,
        b'w' => 722,
        b'W' => 944,
        b'C' | b'D' | b'H' | b'N' | b'R' | b'U' => 722,
        b'G' | b'O' | b'Q' => 778,
        b'F' | b'T' | b'Z' => 611,
        b'L' => 556,
        b'A'..=b'Z' | b'&' => UPPERCASE,
        _ => OTHER,
    }
}

/// Width of `s` in average-character units (see [`advance`]).
pub fn text_width(s: &str) -> f32 {
    s.chars().map(advance).sum()
}

pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// The word without surrounding punctuation (`(MIVD),` → `MIVD`); internal hyphens stay.
pub fn core(word: &str) -> &str {
    // Most words start and end with an ASCII letter or digit: nothing to trim, no character
    // to decode (every word of a workspace is keyed, twice).
    let bytes = word.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(a), Some(z)) if a.is_ascii_alphanumeric() && z.is_ascii_alphanumeric() => word,
        _ => word.trim_matches(|c: char| !c.is_alphanumeric()),
    }
}

pub fn first_letter(word: &str) -> Option<char> {
    word.chars().find(|c| c.is_alphanumeric())
}

/// Starts like a new sentence or heading: a capital, a digit, or an opening bracket/quote
/// followed by one.
pub fn starts_upper(word: &str) -> bool {
    match first_letter(word) {
        Some(c) => c.is_uppercase() || c.is_ascii_digit(),
        None => false,
    }
}

pub fn starts_lower(word: &str) -> bool {
    match word.chars().next() {
        Some(c) if c.is_lowercase() => true,
        // `(adviseren` continues a sentence like a lowercase word does.
        Some('(') | Some('\'') | Some('"') | Some('‘') | Some('“') => {
            first_letter(word).is_some_and(|c| c.is_lowercase())
        }
        _ => false,
    }
}

/// Ends with sentence-final punctuation, allowing closing brackets and quotes after it.
pub fn ends_terminal(word: &str) -> bool {
    // By byte (every word of every page is asked): the closing marks are `)`, `"`, `'` and
    // the UTF-8 sequences of `’`, `”` and `»`.
    let mut rest = word.as_bytes();
    loop {
        rest = match rest {
            [before @ .., b')' | b'"' | b'\''] => before,
            [before @ .., 0xE2, 0x80, 0x99 | 0x9D] | [before @ .., 0xC2, 0xBB] => before,
            _ => break,
        };
    }
    matches!(rest.last(), Some(b'.' | b'!' | b'?' | b':'))
}

/// Ends with punctuation that says the text goes on (`,`, `;`, `-` without being a word).
pub fn ends_continuing(word: &str) -> bool {
    word.ends_with([',', ';', '('])
}

/// Short Dutch and English function words: a heading or a paragraph rarely ends with one.
const FUNCTION_WORDS: &[&str] = &[
    "de", "het", "een", "van", "en", "in", "op", "te", "met", "voor", "aan", "bij", "om", "tot",
    "naar", "door", "of", "dat", "die", "als", "uit", "over", "the", "a", "an", "and", "to", "for",
    "with", "on", "at", "by", "from", "that", "or",
];

/// A small fixed set of vocabulary keys (function words and the like). Most words asked about
/// are not in it: a 1024-bit filter on the key's top bits answers most of those without
/// probing the table (four such questions are asked of every word the decoder reads).
pub(crate) struct KeySet {
    filter: [u64; 16],
    keys: HashSet<u64, BuildHasherDefault<super::model::KeyHasher>>,
}

impl KeySet {
    fn filter_bit(key: u64) -> (usize, u64) {
        let bit = (key >> 54) as usize; // 10 bits: keys are hashes, their top bits well mixed
        (bit >> 6, 1 << (bit & 63))
    }

    pub(crate) fn contains(&self, key: &u64) -> bool {
        let (word, mask) = Self::filter_bit(*key);
        self.filter[word] & mask != 0 && self.keys.contains(key)
    }
}

pub(crate) fn key_set(list: &[&str]) -> KeySet {
    let mut set = KeySet { filter: [0; 16], keys: HashSet::default() };
    for k in list.iter().map(|w| key(w)) {
        let (word, mask) = KeySet::filter_bit(k);
        set.filter[word] |= mask;
        set.keys.insert(k);
    }
    set
}

pub fn is_function_word(word: &str) -> bool {
    is_function_word_key(key(word))
}

/// [`is_function_word`] by vocabulary key.
pub fn is_function_word_key(word_key: u64) -> bool {
    static SET: OnceLock<KeySet> = OnceLock::new();
    SET.get_or_init(|| key_set(FUNCTION_WORDS)).contains(&word_key)
}

/// Determiners, prepositions, conjunctions, pronouns, auxiliaries: a heading does not end with one.
pub fn is_closed_class(word: &str) -> bool {
    is_closed_class_key(key(word))
}

pub fn is_closed_class_key(k: u64) -> bool {
    static SET: OnceLock<KeySet> = OnceLock::new();
    SET.get_or_init(|| key_set(CLOSED_CLASS)).contains(&k)
}

/// Closed-class words that get a class of their own in the language model's class bigrams
/// (determiners, prepositions, conjunctions, pronouns, auxiliaries, adverbs; Dutch and English).
const CLOSED_CLASS: &[&str] = &[
    "de", "het", "een", "deze", "dit", "die", "dat", "onze", "ons", "hun", "haar", "zijn", "van",
    "in", "op", "te", "met", "voor", "aan", "bij", "om", "tot", "naar", "door", "uit", "over",
    "onder", "tussen", "tegen", "binnen", "na", "sinds", "zonder", "via", "en", "of", "maar",
    "want", "dus", "omdat", "als", "wanneer", "zodat", "terwijl", "hoe", "wat", "wie", "waar",
    "er", "ook", "niet", "geen", "nog", "al", "wel", "zo", "meer", "veel", "is", "was", "wordt",
    "werd", "worden", "werden", "heeft", "hebben", "had", "kan", "kunnen", "moet", "moeten", "zal",
    "zullen", "wij", "we", "zij", "ze", "hij", "u", "men", "elkaar", "zich", "ieder", "elke",
    "alle", "the", "a", "an", "and", "or", "but", "of", "to", "for", "with", "on", "at", "by",
    "from", "as", "that", "this", "these", "which", "it", "is", "are", "was", "were", "be", "been",
    "has", "have", "not", "can", "will", "you", "your", "if", "when", "also",
];

/// The class of a word for the class-bigram backoff: closed-class words are their own class,
/// other words fall into shape classes. `as_left` adds the word's final punctuation (what
/// follows `kende.` differs from what follows `kende`).
pub fn word_class(word: &str, as_left: bool) -> u64 {
    word_class_with_key(word, key(word), as_left)
}

/// [`word_class`] for a word whose [`key`] is already known.
pub fn word_class_with_key(word: &str, word_key: u64, as_left: bool) -> u64 {
    let (left, right) = word_classes(word, word_key);
    if as_left {
        left
    } else {
        right
    }
}

/// Both classes of a word at once: (as the left word of a pair, as the right word).
pub fn word_classes(word: &str, word_key: u64) -> (u64, u64) {
    classes_of_core(word, core(word), word_key)
}

/// The word's [`key`] and its [`word_classes`], trimming its punctuation once for both.
pub fn key_and_classes(word: &str) -> (u64, (u64, u64)) {
    let c = core(word);
    let word_key = key_of_core(c);
    (word_key, classes_of_core(word, c, word_key))
}

/// [`word_classes`] of `word`, whose [`core`] is `c`.
fn classes_of_core(word: &str, c: &str, word_key: u64) -> (u64, u64) {
    let first = c.chars().next();
    let base = if is_closed_class_key(word_key) {
        // `De` (starting a sentence) and `de` (inside one) are different contexts.
        let capital = first.is_some_and(char::is_uppercase);
        word_key.wrapping_add(u64::from(capital))
    } else {
        match first {
            None => 1,
            Some(ch) if ch.is_ascii_digit() => 2,
            Some(ch) if ch.is_uppercase() => {
                let mut letters = 0usize;
                let mut all_upper = true;
                for ch in c.chars().filter(|ch| ch.is_alphabetic()) {
                    letters += 1;
                    all_upper &= ch.is_uppercase();
                }
                if letters >= 2 && all_upper {
                    3
                } else {
                    4
                }
            }
            // Lowercase open-class words by their ending: Dutch morphology marks word classes
            // there (`-en` infinitives and plurals, `-e` inflected adjectives, `-ing`, `-heid`).
            Some(_) => {
                let mut h: u64 = 5;
                let mut suffix = [0u32; SUFFIX_CHARS];
                let mut n = 0;
                for ch in c.chars().rev().take(SUFFIX_CHARS) {
                    let lower = match ch.is_ascii() {
                        true => ch.to_ascii_lowercase(),
                        false => ch.to_lowercase().next().unwrap_or(ch),
                    };
                    suffix[n] = u32::from(lower);
                    n += 1;
                }
                for v in &suffix[..n] {
                    h = h.wrapping_mul(0x0100_0000_01b3) ^ u64::from(*v);
                }
                h | 0x8000_0000_0000_0000
            }
        }
    };
    // By byte: the marks are ASCII (or, opening, start with a known sequence), and the last
    // byte of a longer character is never ASCII.
    let left_punct = match word.as_bytes().last() {
        Some(b'.' | b'!' | b'?') => 10,
        Some(b',' | b';' | b':') => 20,
        Some(b'-') => 30,
        _ => 0,
    };
    let opens = matches!(word.as_bytes().first(), Some(b'(' | b'"' | b'\''))
        || word.starts_with(['‘', '“']);
    let right_punct = if opens { 40 } else { 0 };
    let base = base.wrapping_mul(64);
    (base.wrapping_add(left_punct), base.wrapping_add(right_punct))
}

/// How many final letters of a lowercase word make its class.
const SUFFIX_CHARS: usize = 2;

/// A section number such as `3.4` or `2.1.3` (a heading starts with it).
pub fn is_section_number(word: &str) -> bool {
    if !word.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    let parts: Vec<&str> = word.trim_end_matches('.').split('.').collect();
    parts.len() >= 2
        && parts.len() <= 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// FNV-1a over the lowercased core of a word: the vocabulary key of the language model.
pub fn key(word: &str) -> u64 {
    key_of_core(core(word))
}

/// [`key`] of a word already trimmed to its [`core`].
fn key_of_core(core: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    if core.is_ascii() {
        // Fast path: ASCII lowercase is a byte operation.
        for byte in core.bytes() {
            hash ^= u64::from(byte.to_ascii_lowercase());
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        return hash;
    }
    for c in core.chars() {
        for lower in c.to_lowercase() {
            let mut buf = [0u8; 4];
            for byte in lower.encode_utf8(&mut buf).as_bytes() {
                hash ^= u64::from(*byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain definition `words` must agree with.
    fn words_by_chars(line: &str) -> Vec<Word> {
        let mut out = Vec::new();
        let mut current: Option<Word> = None;
        for (char_index, (byte, c)) in line.char_indices().enumerate() {
            if c.is_whitespace() {
                out.extend(current.take().map(|w| Word { end: byte, ..w }));
            } else {
                let w = current.get_or_insert(Word {
                    start: byte,
                    end: 0,
                    char_start: char_index,
                    char_len: 0,
                });
                w.char_len += 1;
            }
        }
        out.extend(current.map(|w| Word { end: line.len(), ..w }));
        out
    }

    #[test]
    fn words_agree_with_splitting_by_characters() {
        let pieces = [
            "ab", " ", "  ", "\t", "\u{b}", "\u{c}", "\r", "x-", "(MIVD)", "\u{a0}", "\u{2003}",
            "\u{85}", "é", "😀", "𝔘", "\u{3000}", "ĳ",
        ];
        // All pieces, and the ASCII ones alone (lines that take the byte path).
        for pieces in [&pieces[..], &pieces[..9]] {
            let mut seed = 7u64;
            for _ in 0..2000 {
                let mut line = String::new();
                for _ in 0..12 {
                    seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                    line.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
                }
                assert_eq!(words(&line), words_by_chars(&line), "{line:?}");
            }
        }
    }

    #[test]
    fn advances_of_common_characters() {
        for (c, thousandths) in
            [('i', 222), ('m', 833), ('W', 944), ('B', 667), ('7', 556), (' ', 278)]
        {
            assert_eq!(advance(c), f32::from(thousandths as u16) / 520.0, "{c}");
        }
        // Outside ASCII: capitals are wide, the rest average.
        assert_eq!(advance('É'), 667.0 / 520.0);
        assert_eq!(advance('é'), 556.0 / 520.0);
        assert_eq!(advance('😀'), 556.0 / 520.0);
    }

    #[test]
    fn splits_words_with_offsets() {
        let w = words("  ab  😀c d");
        assert_eq!(w.len(), 3);
        assert_eq!(w[1].start, 6);
        assert_eq!(w[1].char_start, 6);
        assert_eq!(w[1].char_len, 2);
        assert!(words("   ").is_empty());
    }

    /// `core` and `key_and_classes` as first written (by characters), which the byte-level
    /// shortcuts must agree with.
    fn core_by_chars(word: &str) -> &str {
        word.trim_matches(|c: char| !c.is_alphanumeric())
    }

    fn punct_by_chars(word: &str) -> (u64, u64) {
        let left = if word.ends_with(['.', '!', '?']) {
            10
        } else if word.ends_with([',', ';', ':']) {
            20
        } else if word.ends_with('-') {
            30
        } else {
            0
        };
        (left, if word.starts_with(['(', '"', '\'', '‘', '“']) { 40 } else { 0 })
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config::with_cases(5000))]
        #[test]
        fn byte_shortcuts_agree_with_the_character_definitions(
            pieces in proptest::collection::vec(proptest::sample::select(vec![
                "a", "Z", "7", "é", "É", "ĳ", "😀", "𝔘", ".", ",", ";", ":", "!", "?", "-", "(",
                ")", "\"", "'", "‘", "“", "’", "”", "»", "«", "›", "’’", "&", "\u{a0}", "٣",
            ]), 1..9),
        ) {
            let word = pieces.concat();
            proptest::prop_assert_eq!(core(&word), core_by_chars(&word), "{:?}", word);
            let closed = word.trim_end_matches([')', '"', '\'', '’', '”', '»']);
            let terminal = closed.ends_with(['.', '!', '?', ':']);
            proptest::prop_assert_eq!(ends_terminal(&word), terminal, "{:?}", word);
            let (_, (left, right)) = key_and_classes(&word);
            let (base_left, base_right) = (left & !63, right & !63);
            proptest::prop_assert_eq!(base_left, base_right, "{:?}", word);
            let punct = (left - base_left, right - base_right);
            proptest::prop_assert_eq!(punct, punct_by_chars(&word), "{:?}", word);
        }
    }

    #[test]
    fn key_sets_hold_their_words_and_only_those() {
        let set = key_set(FUNCTION_WORDS);
        assert!(FUNCTION_WORDS.iter().all(|w| set.contains(&key(w))));
        let others = ["dienst", "MIVD", "Oekraïne", "inlichtingen", "2023", "zijn", "wordt"];
        assert!(others.iter().all(|w| !set.contains(&key(w))));
        // The filter lets some keys through to the table, and the table says no.
        let passed = (0..10_000u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .filter(|k| !set.keys.contains(k))
            .filter(|&k| {
                let (word, mask) = KeySet::filter_bit(k);
                set.filter[word] & mask != 0
            })
            .inspect(|k| assert!(!set.contains(k)))
            .count();
        assert!(passed > 0 && passed < 2_000, "{passed} of 10,000 passed the filter");
    }

    #[test]
    fn case_and_punctuation() {
        assert!(starts_upper("(MIVD)"));
        assert!(starts_lower("(adviseren"));
        assert!(ends_terminal("elkaar."));
        assert!(ends_terminal("(TCG)."));
        assert!(!ends_terminal("MQ-9"));
        assert_eq!(key("De"), key("de,"));
    }
}
