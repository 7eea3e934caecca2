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
use crate::text::SharedText;

/// A language model over `texts` (the layout decoder's word statistics).
pub fn build_model<'a>(texts: impl IntoIterator<Item = &'a str>) -> LanguageModel {
    // Counting is order-free: each core counts a share of the texts, then the counts are added.
    let texts: Vec<&str> = texts.into_iter().collect();
    let total: usize = texts.iter().map(|t| t.len()).sum();
    let shares = crate::parallel::threads().min(total / crate::parallel::PARALLEL_MIN_BYTES).max(1);
    let mut groups: Vec<Vec<&str>> = vec![Vec::new(); shares];
    let mut filled = 0;
    for text in texts {
        // Contiguous groups of about equal size.
        let group = (filled * shares / total.max(1)).min(shares - 1);
        groups[group].push(text);
        filled += text.len();
    }
    let models = crate::parallel::map(&groups, |group| {
        let mut model = LanguageModel::new();
        for text in group {
            model.add_text(text);
        }
        model
    });
    models.into_iter().reduce(LanguageModel::merged).unwrap_or_default()
}

/// Analyse documents on all cores, each with its model (or one of its own when `None`); the
/// results are in the order of `docs`. Holds no lock: callers fetch the models first.
pub fn analyze_all(
    docs: &[(SharedText, Option<Arc<LanguageModel>>)],
) -> Vec<Arc<DocumentAnalysis>> {
    crate::parallel::map(docs, |(text, model)| analyze_one(text, model.as_deref()))
}

/// One document's analysis as the index keeps it, with its model (or one of its own).
pub fn analyze_one(text: &SharedText, model: Option<&LanguageModel>) -> Arc<DocumentAnalysis> {
    let analysis = DocumentAnalysis::with_optional_model(text, model);
    // Queries across the workspace (references, a term's other documents) read every
    // document's facts: made here, on all cores, not at the first such request.
    analysis.facts();
    Arc::new(analysis)
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
    let mut docs: Vec<(DocKey, SharedText)> = Vec::new();
    let mut paths = Vec::new();
    for path in files {
        match read_text(path, config.max_file_size) {
            Ok(text) => {
                docs.push((DocKey::from_path(path), Arc::new(text)));
                paths.push(path.clone());
            }
            Err(reason) => skipped.push((path.clone(), reason)),
        }
    }
    let model = build_model(docs.iter().map(|(_, text)| text.as_str()));
    index.set_model(model, docs.iter().map(|(key, _)| key.clone()).collect());
    let jobs: Vec<_> =
        docs.iter().map(|(key, text)| (text.clone(), index.model_for(key))).collect();
    let analyses = analyze_all(&jobs);
    for (((key, text), analysis), path) in docs.into_iter().zip(analyses).zip(paths) {
        index.upsert(key, Some(path), text, analysis, None);
    }
    (index, skipped, glossary_errors)
}

#[cfg(test)]
mod model_tests {
    use super::*;

    #[test]
    fn a_model_counted_on_all_cores_equals_one_counted_in_turn() {
        let pages: Vec<String> = (0..6000)
            .map(|n| {
                format!("De dienst {n} werkt samen met partners.\nHet rapport {} volgt.\n", n % 7)
            })
            .collect();
        let texts: Vec<&str> = pages.iter().map(String::as_str).collect();
        assert!(
            texts.iter().map(|t| t.len()).sum::<usize>() > 2 * crate::parallel::PARALLEL_MIN_BYTES
        );
        let mut in_turn = LanguageModel::new();
        for text in &texts {
            in_turn.add_text(text);
        }
        let parallel = build_model(texts.iter().copied());
        assert!(parallel == in_turn);
        assert_eq!(parallel.fingerprint(), in_turn.fingerprint());
        assert!(build_model(std::iter::empty()) == LanguageModel::new());
    }
}
