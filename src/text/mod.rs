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
