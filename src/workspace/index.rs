//! The cross-document index: every workspace document's text and the facts the analyzers derive
//! from it, updated one document at a time.
//!
//! Open documents are indexed from the editor's buffer, all others from disk; an open document
//! is never re-read from disk.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Identifies a document: its absolute path for files, its URI for anything else.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocKey(String);

impl DocKey {
    pub fn from_path(path: &Path) -> Self {
        DocKey(path.to_string_lossy().into_owned())
    }

    /// A document that is not a file (an unsaved buffer): keyed by its URI.
    pub fn other(uri: &str) -> Self {
        DocKey(uri.to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone)]
pub struct IndexedDoc {
    pub key: DocKey,
    pub path: Option<PathBuf>,
    pub text: Arc<str>,
    /// True while an editor holds the document open (its text then comes from the editor).
    pub open: bool,
}

#[derive(Debug, Default)]
pub struct WorkspaceIndex {
    docs: BTreeMap<DocKey, IndexedDoc>,
    /// Bumped on every change, so callers can tell whether cached answers are stale.
    generation: u64,
}

impl WorkspaceIndex {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn upsert(&mut self, key: DocKey, path: Option<PathBuf>, text: Arc<str>, open: bool) {
        self.generation += 1;
        self.docs.insert(key.clone(), IndexedDoc { key, path, text, open });
    }

    pub fn remove(&mut self, key: &DocKey) -> Option<IndexedDoc> {
        self.generation += 1;
        self.docs.remove(key)
    }

    pub fn get(&self, key: &DocKey) -> Option<&IndexedDoc> {
        self.docs.get(key)
    }

    pub fn is_open(&self, key: &DocKey) -> bool {
        self.docs.get(key).is_some_and(|doc| doc.open)
    }

    pub fn docs(&self) -> impl Iterator<Item = &IndexedDoc> {
        self.docs.values()
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Drop every document that is not open (before a full re-scan).
    pub fn retain_open(&mut self) {
        self.generation += 1;
        self.docs.retain(|_, doc| doc.open);
    }
}
