//! Document text: line structure, position encodings and edits.
//!
//! This is the only place that converts between byte offsets and line/column positions; the LSP
//! layer and the command line both go through it.

pub mod document;
pub mod hash;
pub mod lines;
pub mod position;

pub use document::{Document, EditError, EditHistory, SharedText, Spare, TextChange, Unchanged};
pub use lines::{LineIndex, Lines};
pub use position::{Position, PositionEncoding};

/// A byte range kept in 32 bits, for the many ranges an analysis holds (a paragraph's pieces
/// and segments). Offsets past 4 GiB, which no analysed text reaches, are cut to `u32::MAX`.
pub fn narrow(range: std::ops::Range<usize>) -> std::ops::Range<u32> {
    narrow_offset(range.start)..narrow_offset(range.end)
}

/// One byte offset kept in 32 bits (see [`narrow`]).
pub fn narrow_offset(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

/// The byte range that [`narrow`] kept.
pub fn widen(range: &std::ops::Range<u32>) -> std::ops::Range<usize> {
    range.start as usize..range.end as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrowed_ranges_come_back_whole_and_huge_ones_are_cut() {
        for range in [0..0, 3..17, 0..u32::MAX as usize] {
            assert_eq!(widen(&narrow(range.clone())), range);
        }
        let huge = u32::MAX as usize + 1;
        assert_eq!(narrow(5..huge), 5..u32::MAX);
        assert_eq!(narrow_offset(huge), u32::MAX);
    }
}
