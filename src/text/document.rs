//! An open document: its text in a rope, its version, and incremental edits.

use std::fmt;
use std::ops::Range;

use ropey::Rope;

use super::position::{to_offset, Position, PositionEncoding};

/// One content change as the client sends it: a range edit, or the whole new text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextChange {
    /// `None` replaces the whole document.
    pub range: Option<(Position, Position)>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditError {
    /// The change's end lies before its start.
    InvertedRange { start: Position, end: Position },
}

impl fmt::Display for EditError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EditError::InvertedRange { start, end } => write!(
                f,
                "edit range ends ({}:{}) before it starts ({}:{})",
                end.line, end.character, start.line, start.character
            ),
        }
    }
}

impl std::error::Error for EditError {}

#[derive(Debug, Clone)]
pub struct Document {
    pub rope: Rope,
    /// The client's version number; increases with every change (not always by one).
    pub version: i32,
    pub language_id: String,
}

impl Document {
    pub fn new(text: &str, version: i32, language_id: impl Into<String>) -> Self {
        Document { rope: Rope::from_str(text), version, language_id: language_id.into() }
    }

    /// Apply one change; positions are read in `encoding` and clamped into the text.
    /// Returns the byte range of the new text in the document.
    pub fn apply(
        &mut self,
        change: &TextChange,
        encoding: PositionEncoding,
    ) -> Result<Range<usize>, EditError> {
        let Some((start, end)) = change.range else {
            self.rope = Rope::from_str(&change.text);
            return Ok(0..change.text.len());
        };
        if end < start {
            return Err(EditError::InvertedRange { start, end });
        }
        let start_byte = to_offset(&self.rope, start, encoding);
        let end_byte = to_offset(&self.rope, end, encoding).max(start_byte);
        let start_char = self.rope.byte_to_char(start_byte);
        let end_char = self.rope.byte_to_char(end_byte);
        self.rope.remove(start_char..end_char);
        self.rope.insert(start_char, &change.text);
        Ok(start_byte..start_byte + change.text.len())
    }

    pub fn text(&self) -> String {
        // Chunk by chunk into one allocation of the right size (`Rope::to_string` goes through
        // the formatting machinery and grows its buffer as it goes).
        let mut text = String::with_capacity(self.rope.len_bytes());
        for chunk in self.rope.chunks() {
            text.push_str(chunk);
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(sl: u32, sc: u32, el: u32, ec: u32, text: &str) -> TextChange {
        TextChange {
            range: Some((Position::new(sl, sc), Position::new(el, ec))),
            text: text.to_string(),
        }
    }

    #[test]
    fn utf16_edit_after_non_bmp_character() {
        let mut doc = Document::new("x😀y\nzz", 1, "plaintext");
        // UTF-16: x=0, 😀=1..3, y=3.
        doc.apply(&edit(0, 3, 0, 4, "Y"), PositionEncoding::Utf16).unwrap();
        assert_eq!(doc.text(), "x😀Y\nzz");
        doc.apply(&edit(0, 2, 1, 1, "-"), PositionEncoding::Utf8).unwrap();
        // UTF-8 column 2 is inside 😀: snaps to its start.
        assert_eq!(doc.text(), "x-z");
    }

    #[test]
    fn edits_across_crlf_and_full_replacement() {
        let mut doc = Document::new("ab\r\ncd\ref", 1, "text");
        doc.apply(&edit(0, 1, 2, 1, "X"), PositionEncoding::Utf32).unwrap();
        assert_eq!(doc.text(), "aXf");
        doc.apply(&TextChange { range: None, text: "new".into() }, PositionEncoding::Utf16)
            .unwrap();
        assert_eq!(doc.text(), "new");
        assert!(doc.apply(&edit(1, 0, 0, 0, ""), PositionEncoding::Utf16).is_err());
    }
}
