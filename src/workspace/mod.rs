//! The workspace: which files belong to it and the cross-document index built from them.

pub mod discover;
pub mod index;
pub mod query;

pub use discover::{discover, read_text, FileFilter, SkipReason};
pub use index::{DocKey, IndexedDoc, WorkspaceIndex};
