//! Finding where a long form is written out in full.

use std::ops::Range;

use super::text::{char_at, char_before, fold};

/// Every place in `text` where `long` is written, compared case-insensitively, with any run of
/// whitespace (line breaks included) in the text matching any run of whitespace in `long`, on
/// word boundaries: `Joint SIGINT Cyber Unit` matches `Joint Sigint Cyber Unit` and
/// `Joint\nSIGINT Cyber Unit`, not `Joint Sigint Cyber Units`. Matches do not overlap.
pub fn find_long_form_mentions(text: &str, long: &str) -> Vec<Range<usize>> {
    let words: Vec<&str> = long.split_whitespace().collect();
    let mut out = Vec::new();
    let Some(first) = words.first().and_then(|w| w.chars().next()) else {
        return out;
    };
    let first = fold(first);
    let mut pos = 0;
    while pos < text.len() {
        let Some(c) = char_at(text, pos) else {
            break;
        };
        let at_boundary = !char_before(text, pos).is_some_and(char::is_alphanumeric);
        if at_boundary && fold(c) == first {
            if let Some(end) = match_words(text, pos, &words) {
                out.push(pos..end);
                pos = end;
                continue;
            }
        }
        pos += c.len_utf8();
    }
    out
}

/// If the words match at `start`, the end of the match.
fn match_words(text: &str, start: usize, words: &[&str]) -> Option<usize> {
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
