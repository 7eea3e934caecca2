//! Line structure of a text, for `&str` (files on disk) and `Rope` (open documents).
//!
//! Line breaks are `\n`, `\r\n` and a lone `\r`, as the LSP specification defines them.

use std::borrow::Cow;
use std::ops::Range;

use ropey::Rope;

use super::Unchanged;
use crate::chunked::{ChunkedList, Shift};

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
    starts: Starts<'a>,
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

/// Where a line starts, in a [`ChunkedList`] that versions of a document share: a line start
/// after an edit moves with the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineStart(pub usize);

impl Shift for LineStart {
    fn shifted(&self, delta: isize) -> Self {
        LineStart(self.0.saturating_add_signed(delta))
    }
}

/// The line starts of `text`, for sharing between versions (see [`splice_line_starts`]).
pub fn shared_line_starts(text: &str) -> ChunkedList<LineStart> {
    line_starts(text).into_iter().map(LineStart).collect()
}

/// The line starts of `text`, a later version of a text `old_len` bytes long whose line starts
/// were `old` and which shares `unchanged` with it. Reads only the changed part of `text`, and
/// shares the chunks of line starts before and after it with `old` (a large document's line
/// index is otherwise read again, or copied, after every edit).
pub fn splice_line_starts(
    old: &ChunkedList<LineStart>,
    old_len: usize,
    text: &str,
    unchanged: Unchanged,
) -> ChunkedList<LineStart> {
    let Unchanged { prefix, suffix } = unchanged;
    let old_end = old_len.saturating_sub(suffix);
    let new_end = text.len().saturating_sub(suffix);
    // Whether `s` starts a line depends on the bytes at `s - 1` and `s` (a `\r` before a `\n`
    // ends no line): the starts before `prefix` and after `old_end` are as they were (the
    // first, 0, always stays).
    let kept_before = old.partition_point(|s| s.0 < prefix.max(1)).max(1);
    let kept_after = old.partition_point(|s| s.0 <= old_end).max(kept_before);
    let bytes = text.as_bytes();
    let from = prefix.max(1) - 1;
    let changed = bytes.get(from..new_end).unwrap_or_default();
    let new: Vec<LineStart> = memchr::memchr2_iter(b'\n', b'\r', changed)
        .map(|i| i + from)
        .filter(|&i| bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n'))
        .map(|i| LineStart(i + 1))
        .collect();
    let delta = new_end as isize - old_end as isize;
    match old.is_empty() {
        true => shared_line_starts(text),
        false => old.splice(kept_before..kept_after, new, delta),
    }
}

/// Line starts as a [`LineIndex`] reads them.
#[derive(Debug, Clone)]
enum Starts<'a> {
    Flat(Cow<'a, [usize]>),
    Shared(&'a ChunkedList<LineStart>),
}

impl Starts<'_> {
    fn len(&self) -> usize {
        match self {
            Starts::Flat(starts) => starts.len(),
            Starts::Shared(starts) => starts.len(),
        }
    }

    fn get(&self, line: usize) -> Option<usize> {
        match self {
            Starts::Flat(starts) => starts.get(line).copied(),
            Starts::Shared(starts) => starts.get(line).map(|s| s.0),
        }
    }

    /// How many lines start at or before `offset`.
    fn at_or_before(&self, offset: usize) -> usize {
        match self {
            Starts::Flat(starts) => starts.partition_point(|&s| s <= offset),
            Starts::Shared(starts) => starts.partition_point(|s| s.0 <= offset),
        }
    }
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        LineIndex { text, starts: Starts::Flat(Cow::Owned(line_starts(text))) }
    }

    /// An index over line starts computed earlier for this same text ([`shared_line_starts`],
    /// or [`splice_line_starts`] from an earlier version's).
    pub fn with_starts(text: &'a str, starts: &'a ChunkedList<LineStart>) -> Self {
        LineIndex { text, starts: Starts::Shared(starts) }
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    /// Byte offset where `line` starts.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.starts.get(line)
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
        let start = self.starts.get(line)?;
        let next = self.starts.get(line + 1).unwrap_or(self.text.len());
        let end = start + content_end(&self.text.as_bytes()[start..next]);
        Some(start..end)
    }

    fn line_of(&self, offset: usize) -> usize {
        self.starts.at_or_before(offset).saturating_sub(1)
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
            old in "[a\r\n]{0,600}",
            edits in proptest::collection::vec((0..601usize, 0..6usize, "[b\r\n]{0,4}"), 1..4),
        ) {
            // Several edits in a row: later ones splice lists whose chunks have moved (a text
            // of up to 600 bytes has several chunks of line starts).
            let (mut text, mut starts) = (old.clone(), shared_line_starts(&old));
            for (at, removed, insert) in edits {
                let start = (at.min(text.len())..).find(|&i| text.is_char_boundary(i)).unwrap_or(0);
                let end = (start + removed).min(text.len());
                let edited = format!("{}{insert}{}", &text[..start], &text[end..]);
                let unchanged = Unchanged::around(start..end, text.len());
                starts = splice_line_starts(&starts, text.len(), &edited, unchanged);
                text = edited;
                let spliced: Vec<usize> = starts.iter().map(|s| s.0).collect();
                proptest::prop_assert_eq!(spliced, line_starts(&text));
            }
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
