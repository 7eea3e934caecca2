//! Finding where a long form is written out in full.

use std::ops::Range;

use super::text::{char_at, char_before, fold};

/// Every place in `text` where `long` is written, compared case-insensitively, with any run of
/// whitespace (line breaks included) in the text matching any run of whitespace in `long`, on
/// word boundaries: `Joint SIGINT Cyber Unit` matches `Joint Sigint Cyber Unit` and
/// `Joint\nSIGINT Cyber Unit`, not `Joint Sigint Cyber Units`. Matches do not overlap.
pub fn find_long_form_mentions(text: &str, long: &str) -> Vec<Range<usize>> {
    LongForm::new(long).mentions_in(text)
}

/// A long form prepared for [`find_long_form_mentions`] in many texts (a query reads every
/// paragraph of the workspace).
pub struct LongForm<'a> {
    words: Vec<&'a str>,
    /// The first letter, folded (`None` for a long form without words).
    first: Option<char>,
}

impl<'a> LongForm<'a> {
    pub fn new(long: &'a str) -> Self {
        let words: Vec<&str> = long.split_whitespace().collect();
        let first = words.first().and_then(|w| w.chars().next()).map(fold);
        LongForm { words, first }
    }

    /// [`find_long_form_mentions`] of this long form in `text`.
    pub fn mentions_in(&self, text: &str) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let Some(first) = self.first else {
            return out;
        };
        let ascii = text.is_ascii();
        let mut pos = 0;
        while let Some(start) = next_start(text, ascii, pos, first) {
            let at_boundary = !char_before(text, start).is_some_and(char::is_alphanumeric);
            let matched = if at_boundary { match_words(text, start, &self.words) } else { None };
            match matched {
                Some(end) => {
                    out.push(start..end);
                    pos = end;
                }
                None => pos = start + 1,
            }
        }
        out
    }
}

/// The first byte at or after `from` where a character folding to `first` starts in `text`
/// (`ascii`: whether `text` is all ASCII).
fn next_start(text: &str, ascii: bool, from: usize, first: char) -> Option<usize> {
    let bytes = text.as_bytes().get(from..)?;
    if first.is_ascii() && ascii {
        // Most paragraphs: the letter in either case, found many bytes at a time.
        let upper = first.to_ascii_uppercase() as u8;
        return memchr::memchr2(first as u8, upper, bytes).map(|i| from + i);
    }
    // Byte by byte: a character is decoded only where it may start one (an ASCII byte is its
    // own character, a continuation byte starts none; a few other letters fold to ASCII ones,
    // such as the Kelvin sign to `k`).
    bytes
        .iter()
        .enumerate()
        .find(|&(i, &b)| match b {
            0..=0x7f => char::from(b).to_ascii_lowercase() == first,
            0xc0.. => char_at(text, from + i).is_some_and(|c| fold(c) == first),
            _ => false,
        })
        .map(|(i, _)| from + i)
}

/// If the words match at `start`, the end of the match.
pub(super) fn match_words(text: &str, start: usize, words: &[&str]) -> Option<usize> {
    let mut pos = start;
    for (k, word) in words.iter().enumerate() {
        if k > 0 {
            // At least one whitespace char between words.
            let rest = &text[pos..];
            let trimmed = rest.trim_start();
            if trimmed.len() == rest.len() {
                return None;
            }
            pos += rest.len() - trimmed.len();
        }
        let mut chars = text[pos..].chars();
        for wc in word.chars() {
            let tc = chars.next()?;
            if fold(tc) != fold(wc) {
                return None;
            }
            pos += tc.len_utf8();
        }
    }
    // Word boundary at the end (a long form ending in a hyphen or comma needs none).
    let last_alnum = words.last().and_then(|w| w.chars().last()).is_some_and(char::is_alphanumeric);
    if last_alnum && char_at(text, pos).is_some_and(char::is_alphanumeric) {
        return None;
    }
    Some(pos)
}
