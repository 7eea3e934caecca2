//! Mentions of a long form written out (`Joint SIGINT Cyber Unit`), whatever its case and
//! however it is broken across lines.

use std::ops::Range;

use super::text::{fold, tokens_in};

fn trim_punctuation(text: &str, range: Range<usize>) -> Range<usize> {
    let slice = &text[range.clone()];
    let lead =
        slice.len() - slice.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '&').len();
    let kept = slice.trim_end_matches(|c: char| !c.is_alphanumeric() && c != '&' && c != '-');
    range.start + lead..(range.start + kept.len()).max(range.start + lead)
}

fn same_word(a: &str, b: &str) -> bool {
    a.chars().map(fold).eq(b.chars().map(fold))
}

/// Byte ranges in `text` where `long` is written, case- and whitespace-insensitively, on word
/// boundaries.
pub fn find_long_form_mentions(text: &str, long: &str) -> Vec<Range<usize>> {
    let wanted: Vec<&str> = long.split_whitespace().collect();
    if wanted.is_empty() {
        return Vec::new();
    }
    let words: Vec<Range<usize>> =
        tokens_in(text, 0..text.len()).into_iter().map(|r| trim_punctuation(text, r)).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i + wanted.len() <= words.len() {
        let matches = wanted.iter().enumerate().all(|(k, w)| {
            let token = &text[words[i + k].clone()];
            let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '&' && c != '-');
            same_word(token, w)
        });
        if matches {
            out.push(words[i].start..words[i + wanted.len() - 1].end);
            i += wanted.len();
        } else {
            i += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_and_line_break_insensitive() {
        let text = "de gezamenlijke Joint\nSIGINT Cyber Unit, en (Joint Sigint Cyber Unit).";
        let found = find_long_form_mentions(text, "Joint Sigint Cyber Unit");
        assert_eq!(found.len(), 2);
        assert_eq!(&text[found[0].clone()], "Joint\nSIGINT Cyber Unit");
        assert_eq!(&text[found[1].clone()], "Joint Sigint Cyber Unit");
        assert!(find_long_form_mentions("Jointly Sigint", "Joint Sigint").is_empty());
    }
}
