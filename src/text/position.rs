//! Conversion between byte offsets and line/column positions in a negotiated encoding.
//!
//! LSP counts columns in UTF-16 code units unless client and server agree on UTF-8 or UTF-32.
//! Out-of-range positions are clamped (to the end of the line, or the end of the text), as the
//! LSP specification asks, and positions inside a character snap to its start.

use std::ops::Range;

use serde::Serialize;

use super::lines::Lines;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PositionEncoding {
    Utf8,
    #[default]
    Utf16,
    Utf32,
}

impl PositionEncoding {
    /// The LSP name of the encoding (`utf-8`, `utf-16`, `utf-32`).
    pub fn as_str(self) -> &'static str {
        match self {
            PositionEncoding::Utf8 => "utf-8",
            PositionEncoding::Utf16 => "utf-16",
            PositionEncoding::Utf32 => "utf-32",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "utf-8" => Some(PositionEncoding::Utf8),
            "utf-16" => Some(PositionEncoding::Utf16),
            "utf-32" => Some(PositionEncoding::Utf32),
            _ => None,
        }
    }

    /// Pick from the client's offered encodings: UTF-8 whenever offered (our native offsets),
    /// else the first one we know in the client's order of preference, else UTF-16, which every
    /// client must support.
    pub fn negotiate(offered: &[String]) -> Self {
        if offered.iter().any(|name| name == "utf-8") {
            return PositionEncoding::Utf8;
        }
        offered.iter().find_map(|name| Self::from_name(name)).unwrap_or(PositionEncoding::Utf16)
    }

    /// Width of `c` in this encoding's units.
    fn width(self, c: char) -> usize {
        match self {
            PositionEncoding::Utf8 => c.len_utf8(),
            PositionEncoding::Utf16 => c.len_utf16(),
            PositionEncoding::Utf32 => 1,
        }
    }
}

/// A zero-based line and a column in some encoding's units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Position {
    pub line: u32,
    pub character: u32,
}

impl Position {
    pub fn new(line: u32, character: u32) -> Self {
        Position { line, character }
    }
}

/// Byte offset of `position` in `text`, clamped into the text.
pub fn to_offset(text: &dyn Lines, position: Position, encoding: PositionEncoding) -> usize {
    let Some(content) = text.line_content(position.line as usize) else {
        return text.len_bytes();
    };
    let line = text.slice(content.clone());
    let mut units = 0usize;
    let target = position.character as usize;
    for (byte, c) in line.char_indices() {
        let next = units + encoding.width(c);
        if next > target {
            return content.start + byte;
        }
        units = next;
    }
    content.end
}

/// Line/column of byte `offset` in `text`. Offsets inside a character count from its start.
pub fn to_position(text: &dyn Lines, offset: usize, encoding: PositionEncoding) -> Position {
    let offset = offset.min(text.len_bytes());
    let line = text.line_of(offset);
    let content = text.line_content(line).unwrap_or(offset..offset);
    let upto = offset.clamp(content.start, content.end);
    let prefix = text.slice(content.start..upto);
    let mut units = 0usize;
    let mut consumed = 0usize;
    for c in prefix.chars() {
        consumed += c.len_utf8();
        if content.start + consumed > upto {
            break;
        }
        units += encoding.width(c);
    }
    Position::new(saturating_u32(line), saturating_u32(units))
}

/// A byte range as a pair of positions.
pub fn to_positions(
    text: &dyn Lines,
    range: Range<usize>,
    encoding: PositionEncoding,
) -> (Position, Position) {
    (to_position(text, range.start, encoding), to_position(text, range.end, encoding))
}

fn saturating_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::LineIndex;
    use ropey::Rope;

    const TEXT: &str = "a😀b𝔘c\r\nïx\rlast";

    #[test]
    fn non_bmp_columns_in_each_encoding() {
        let index = LineIndex::new(TEXT);
        let b = TEXT.find('b').unwrap();
        let c = TEXT.find('c').unwrap();
        assert_eq!(to_position(&index, b, PositionEncoding::Utf16), Position::new(0, 3));
        assert_eq!(to_position(&index, b, PositionEncoding::Utf8), Position::new(0, 5));
        assert_eq!(to_position(&index, b, PositionEncoding::Utf32), Position::new(0, 2));
        assert_eq!(to_position(&index, c, PositionEncoding::Utf16), Position::new(0, 6));
        let x = TEXT.find('x').unwrap();
        assert_eq!(to_position(&index, x, PositionEncoding::Utf16), Position::new(1, 1));
        assert_eq!(to_position(&index, x, PositionEncoding::Utf8), Position::new(1, 2));
    }

    #[test]
    fn round_trip_every_boundary_in_every_encoding() {
        let rope = Rope::from_str(TEXT);
        let index = LineIndex::new(TEXT);
        for enc in [PositionEncoding::Utf8, PositionEncoding::Utf16, PositionEncoding::Utf32] {
            for offset in (0..=TEXT.len()).filter(|&o| TEXT.is_char_boundary(o)) {
                // Offsets inside a CRLF pair have no position of their own.
                if TEXT.as_bytes().get(offset.wrapping_sub(1)) == Some(&b'\r')
                    && TEXT.as_bytes().get(offset) == Some(&b'\n')
                {
                    continue;
                }
                let p = to_position(&index, offset, enc);
                assert_eq!(p, to_position(&rope, offset, enc));
                assert_eq!(to_offset(&index, p, enc), offset, "{enc:?} {offset}");
                assert_eq!(to_offset(&rope, p, enc), offset, "{enc:?} {offset}");
            }
        }
    }

    #[test]
    fn out_of_range_and_mid_character_positions_clamp() {
        let index = LineIndex::new(TEXT);
        assert_eq!(to_offset(&index, Position::new(99, 0), PositionEncoding::Utf16), TEXT.len());
        let line0_end = TEXT.find('\r').unwrap();
        assert_eq!(to_offset(&index, Position::new(0, 500), PositionEncoding::Utf16), line0_end);
        // Column 2 in UTF-16 is the middle of 😀's surrogate pair: snap to its start.
        assert_eq!(to_offset(&index, Position::new(0, 2), PositionEncoding::Utf16), 1);
    }

    #[test]
    fn negotiation_prefers_utf8_then_utf16() {
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(
            PositionEncoding::negotiate(&names(&["utf-16", "utf-8"])),
            PositionEncoding::Utf8
        );
        assert_eq!(PositionEncoding::negotiate(&names(&[])), PositionEncoding::Utf16);
        assert_eq!(PositionEncoding::negotiate(&names(&["utf-32"])), PositionEncoding::Utf32);
        assert_eq!(
            PositionEncoding::negotiate(&names(&["utf-16", "utf-32"])),
            PositionEncoding::Utf16
        );
        assert_eq!(PositionEncoding::negotiate(&names(&["latin-1"])), PositionEncoding::Utf16);
    }
}
