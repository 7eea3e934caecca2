//! Word-level helpers shared by the layout stages: splitting a line into words, the
//! case and punctuation facts the decoder scores, and the hash used as a vocabulary key.

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
    let mut out = Vec::new();
    let mut current: Option<(usize, usize, usize)> = None; // (byte start, char start, char len)
    for (char_index, (byte_index, c)) in line.char_indices().enumerate() {
        if c.is_whitespace() {
            if let Some((start, char_start, char_len)) = current.take() {
                out.push(Word { start, end: byte_index, char_start, char_len });
            }
        } else {
            match current.as_mut() {
                Some(word) => word.2 += 1,
                None => current = Some((byte_index, char_index, 1)),
            }
        }
    }
    if let Some((start, char_start, char_len)) = current {
        out.push(Word { start, end: line.len(), char_start, char_len });
    }
    out
}

pub fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// The word without surrounding punctuation (`(MIVD),` → `MIVD`); internal hyphens stay.
pub fn core(word: &str) -> &str {
    word.trim_matches(|c: char| !c.is_alphanumeric())
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
    let trimmed = word.trim_end_matches([')', '"', '\'', '’', '”', '»']);
    trimmed.ends_with(['.', '!', '?', ':'])
}

/// Ends with punctuation that says the text goes on (`,`, `;`, `-` without being a word).
pub fn ends_continuing(word: &str) -> bool {
    word.ends_with([',', ';', '('])
}

/// FNV-1a over the lowercased core of a word: the vocabulary key of the language model.
pub fn key(word: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for c in core(word).chars() {
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

    #[test]
    fn splits_words_with_offsets() {
        let w = words("  ab  😀c d");
        assert_eq!(w.len(), 3);
        assert_eq!(w[1].start, 6);
        assert_eq!(w[1].char_start, 6);
        assert_eq!(w[1].char_len, 2);
        assert!(words("   ").is_empty());
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
