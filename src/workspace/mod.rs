//! The workspace: which files belong to it and the cross-document index built from them.

pub mod discover;
pub mod glossaries;
pub mod index;
pub mod query;

pub use discover::{discover, read_text, FileFilter, SkipReason};
pub use index::{DocKey, IndexedDoc, WorkspaceIndex};

use std::path::PathBuf;
use std::sync::Arc;

use crate::analysis::DocumentAnalysis;
use crate::config::Config;

/// Read and analyse `files` into an index (the command line's workspace), with the glossaries
/// of `roots`. Files that cannot be indexed are returned with the reason; glossary problems are
/// returned as messages.
pub fn load_index(
    files: &[PathBuf],
    roots: &[PathBuf],
    config: &Config,
) -> (WorkspaceIndex, Vec<(PathBuf, SkipReason)>, Vec<String>) {
    let mut index = WorkspaceIndex::new();
    let (glossary_set, glossary_errors) =
        glossaries::load(&glossaries::glossary_paths(roots, config));
    index.set_glossaries(glossary_set);
    let mut skipped = Vec::new();
    for path in files {
        match read_text(path, config.max_file_size) {
            Ok(text) => {
                let analysis = Arc::new(DocumentAnalysis::new(&text));
                index.upsert(
                    DocKey::from_path(path),
                    Some(path.clone()),
                    Arc::from(text),
                    analysis,
                    None,
                );
            }
            Err(reason) => skipped.push((path.clone(), reason)),
        }
    }
    (index, skipped, glossary_errors)
}
