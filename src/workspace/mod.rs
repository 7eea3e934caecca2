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
use crate::layout::LanguageModel;

/// A language model over `texts` (the layout decoder's word statistics).
pub fn build_model<'a>(texts: impl IntoIterator<Item = &'a str>) -> LanguageModel {
    let mut model = LanguageModel::new();
    for text in texts {
        model.add_text(text);
    }
    model
}

/// Analyse documents on all cores, each with its model (or one of its own when `None`); the
/// results are in the order of `docs`. Holds no lock: callers fetch the models first.
pub fn analyze_all(docs: &[(Arc<str>, Option<Arc<LanguageModel>>)]) -> Vec<Arc<DocumentAnalysis>> {
    crate::parallel::map(docs, |(text, model)| {
        Arc::new(DocumentAnalysis::with_optional_model(text, model.as_deref()))
    })
}

/// Read and analyse `files` into an index (the command line's workspace), with the glossaries
/// of `roots` and a language model learnt from all of them. Files that cannot be indexed are
/// returned with the reason; glossary problems are returned as messages.
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
    let mut docs: Vec<(DocKey, Arc<str>)> = Vec::new();
    let mut paths = Vec::new();
    for path in files {
        match read_text(path, config.max_file_size) {
            Ok(text) => {
                docs.push((DocKey::from_path(path), Arc::from(text)));
                paths.push(path.clone());
            }
            Err(reason) => skipped.push((path.clone(), reason)),
        }
    }
    let model = build_model(docs.iter().map(|(_, text)| &**text));
    index.set_model(model, docs.iter().map(|(key, _)| key.clone()).collect());
    let jobs: Vec<_> =
        docs.iter().map(|(key, text)| (text.clone(), index.model_for(key))).collect();
    let analyses = analyze_all(&jobs);
    for (((key, text), analysis), path) in docs.into_iter().zip(analyses).zip(paths) {
        index.upsert(key, Some(path), text, analysis, None);
    }
    (index, skipped, glossary_errors)
}
