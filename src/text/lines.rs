//! Line structure of a text, for `&str` (files on disk) and `Rope` (open documents).
//!
//! Line breaks are `\n`, `\r\n` and a lone `\r`, as the LSP specification defines them.

use std::borrow::Cow;
use std::ops::Range;

use ropey::Rope;

use super::Unchanged;

/// What position conversion needs from a text: its lines as byte ranges.
pub trait Lines {
    /// Total length in bytes.
    fn len_bytes(&self) -> usize;
    /// Number of lines; a text ending in a line break has an empty last line.
    fn line_count(&self) -> usize;
    /// Byte range of line `line`'s content, without its line break. `None` past the last line.
    fn line_content(&self, line: usize) -> Option<Range<usize>>;
    /// The line holding byte `offset` (offsets past the end map to the last line).
    fn line_of(&self, offset: usize) -> usize;
    /// The text of a byte range, which must lie on character boundaries.
    fn slice(&self, range: Range<usize>) -> Cow<'_, str>;
}

/// Line starts of a string, computed once (or borrowed from a cache, see
/// [`LineIndex::with_starts`]).
#[derive(Debug, Clone)]
pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset where each line starts.
    starts: Cow<'a, [usize]>,
}

/// Byte offsets where the lines of `text` start (the first is always 0).
pub fn line_starts(text: &str) -> Vec<usize> {
    // memchr finds the breaks many bytes at a time (this runs over the whole text after every
    // edit).
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    for i in memchr::memchr2_iter(b'\n', b'\r', bytes) {
        match bytes[i] {
            // The `\n` of a CRLF: its line started after the `\r` already.
            b'\n' if i > 0 && bytes[i - 1] == b'\r' => {
                if let Some(last) = starts.last_mut() {
                    *last = i + 1;
                }
            }
            _ => starts.push(i + 1),
        }
    }
    starts
}

/// The line starts of `text`, a later version of a text `old_len` bytes long whose line starts
/// were `old` and which shares `unchanged` with it. Reads only the changed part of `text` (a
/// large document's line index is otherwise read again after every edit).
pub fn splice_line_starts(
    old: &[usize],
    old_len: usize,
    text: &str,
    unchanged: Unchanged,
) -> Vec<usize> {
    let Unchanged { prefix, suffix } = unchanged;
    let old_end = old_len.saturating_sub(suffix);
    let new_end = text.len().saturating_sub(suffix);
    // Whether `s` starts a line depends on the bytes at `s - 1` and `s` (a `\r` before a `\n`
    // ends no line): the starts before `prefix` and after `old_end` are as they were.
    let kept_before = old.partition_point(|&s| s < prefix.max(1));
    let kept_after = old.partition_point(|&s| s <= old_end);
    let mut starts = Vec::with_capacity(kept_before + old.len().saturating_sub(kept_after) + 16);
    starts.push(0);
    starts.extend(old.get(1..kept_before).unwrap_or_default());
    let bytes = text.as_bytes();
    let from = prefix.max(1) - 1;
    let changed = bytes.get(from..new_end).unwrap_or_default();
    for i in memchr::memchr2_iter(b'\n', b'\r', changed).map(|i| i + from) {
        if bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n') {
            starts.push(i + 1);
        }
    }
    let moved = old.get(kept_after..).unwrap_or_default();
    starts.extend(moved.iter().map(|&s| s - old_end + new_end));
    starts
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        LineIndex { text, starts: Cow::Owned(line_starts(text)) }
    }

    /// An index over line starts computed earlier by [`line_starts`] for this same text.
    pub fn with_starts(text: &'a str, starts: &'a [usize]) -> Self {
        LineIndex { text, starts: Cow::Borrowed(starts) }
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Byte offset where `line` starts.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.starts.get(line).copied()
    }
}

/// The largest character boundary at or before `offset`.
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Length of the line break that ends `content_end..next_start` (0, 1 or 2 bytes).
fn content_end(bytes_before_next: &[u8]) -> usize {
    match bytes_before_next {
        [.., b'\r', b'\n'] => bytes_before_next.len() - 2,
        [.., b'\n'] | [.., b'\r'] => bytes_before_next.len() - 1,
        _ => bytes_before_next.len(),
    }
}

impl Lines for LineIndex<'_> {
    fn len_bytes(&self) -> usize {
        self.text.len()
    }

    fn line_count(&self) -> usize {
        self.starts.len()
    }

    fn line_content(&self, line: usize) -> Option<Range<usize>> {
        let start = *self.starts.get(line)?;
        let next = self.starts.get(line + 1).copied().unwrap_or(self.text.len());
        let end = start + content_end(&self.text.as_bytes()[start..next]);
        Some(start..end)
    }

    fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        }
    }

    fn slice(&self, range: Range<usize>) -> Cow<'_, str> {
        let end = floor_char_boundary(self.text, range.end.min(self.text.len()));
        let start = floor_char_boundary(self.text, range.start.min(end));
        Cow::Borrowed(&self.text[start..end])
    }
}

/// Ropey (built with only `cr_lines`) breaks lines exactly at `\n`, `\r\n` and `\r`.
impl Lines for Rope {
    fn len_bytes(&self) -> usize {
        Rope::len_bytes(self)
    }

    fn line_count(&self) -> usize {
        self.len_lines()
    }

    fn line_content(&self, line: usize) -> Option<Range<usize>> {
        if line >= self.len_lines() {
            return None;
        }
        let start = self.line_to_byte(line);
        let next = if line + 1 < self.len_lines() {
            self.line_to_byte(line + 1)
        } else {
            Rope::len_bytes(self)
        };
        // A line break is at most two bytes; look only at the tail (byte by byte: a slice
        // there could cut a character).
        let tail_start = next.saturating_sub(2).max(start);
        let tail: Vec<u8> = (tail_start..next).map(|i| self.byte(i)).collect();
        Some(start..tail_start + content_end(&tail))
    }

    fn line_of(&self, offset: usize) -> usize {
        self.byte_to_line(offset.min(Rope::len_bytes(self)))
    }

    fn slice(&self, range: Range<usize>) -> Cow<'_, str> {
        // Snap to character boundaries: `byte_slice` panics inside a character.
        let end = self.char_to_byte(self.byte_to_char(range.end.min(Rope::len_bytes(self))));
        let start = self.char_to_byte(self.byte_to_char(range.start.min(end)));
        Cow::from(self.byte_slice(start..end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contents(lines: &dyn Lines) -> Vec<String> {
        (0..lines.line_count())
            .map(|l| lines.slice(lines.line_content(l).unwrap()).into_owned())
            .collect()
    }

    #[test]
    fn all_three_line_breaks_and_a_trailing_empty_line() {
        let text = "a\nb\r\nc\rd\n";
        let expected = vec!["a", "b", "c", "d", ""];
        assert_eq!(contents(&LineIndex::new(text)), expected);
        assert_eq!(contents(&Rope::from_str(text)), expected);
    }

    #[test]
    fn line_starts_of_runs_of_breaks() {
        assert_eq!(line_starts(""), vec![0]);
        assert_eq!(line_starts("\r\r\n\n\r"), vec![0, 1, 3, 4, 5]);
        assert_eq!(line_starts("\r\n"), vec![0, 2]);
        assert_eq!(line_starts("\n\r\n"), vec![0, 1, 3]);
        assert_eq!(line_starts("ï\r\nb\rc\n"), vec![0, 4, 6, 8]);
    }

    proptest::proptest! {
        /// Splicing the line starts after an edit gives those of the edited text, whatever
        /// line breaks the edit cuts, joins or makes (a `\r` typed before a `\n`).
        #[test]
        fn spliced_line_starts_equal_fresh_ones(
            old in "[a\r\n]{0,40}",
            at in 0..41usize,
            removed in 0..6usize,
            insert in "[b\r\n]{0,4}",
        ) {
            let start = at.min(old.len());
            let end = (start + removed).min(old.len());
            let text = format!("{}{insert}{}", &old[..start], &old[end..]);
            let unchanged = Unchanged::around(start..end, old.len());
            let spliced = splice_line_starts(&line_starts(&old), old.len(), &text, unchanged);
            proptest::prop_assert_eq!(spliced, line_starts(&text));
        }
    }

    #[test]
    fn line_of_agrees_between_rope_and_str() {
        let text = "één\r\n😀x\rlast";
        let index = LineIndex::new(text);
        let rope = Rope::from_str(text);
        for offset in 0..=text.len() {
            if text.is_char_boundary(offset) {
                assert_eq!(index.line_of(offset), rope.line_of(offset), "offset {offset}");
            }
        }
    }
}
