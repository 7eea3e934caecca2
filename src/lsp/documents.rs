//! The open documents: ropes in a `DashMap`, keyed like the workspace index.

use std::sync::atomic::{AtomicU64, Ordering};

use dashmap::DashMap;
use tower_lsp_server::ls_types::Uri;

use crate::text::{Document, PositionEncoding, TextChange};
use crate::workspace::DocKey;

/// Key for a client URI: the file path for `file:` URIs (so differently escaped URIs of one file
/// meet), the URI itself otherwise.
pub fn doc_key(uri: &Uri) -> DocKey {
    if uri.scheme().as_str().eq_ignore_ascii_case("file") {
        if let Some(path) = uri.to_file_path() {
            return DocKey::from_path(&path);
        }
    }
    DocKey::other(uri.as_str())
}

#[derive(Debug, Clone)]
pub struct OpenDocument {
    /// The URI exactly as the client wrote it, to answer in its terms.
    pub uri: Uri,
    pub doc: Document,
    /// Which `didOpen` this is, unique per store: a document closed and opened again may
    /// count its versions anew, and what was kept for the earlier one must not be used.
    pub opened: u64,
}

#[derive(Debug, Default)]
pub struct DocumentStore {
    docs: DashMap<DocKey, OpenDocument>,
    opens: AtomicU64,
}

/// What happened to a change notification.
#[derive(Debug, PartialEq, Eq)]
pub enum ChangeOutcome {
    Applied,
    /// The version is not newer than the stored one: a duplicate or reordered message.
    Stale {
        stored: i32,
    },
    UnknownDocument,
    Failed(String),
}

impl DocumentStore {
    pub fn open(&self, uri: Uri, text: &str, version: i32, language_id: &str) {
        let key = doc_key(&uri);
        let doc = Document::new(text, version, language_id);
        let opened = self.opens.fetch_add(1, Ordering::Relaxed) + 1;
        self.docs.insert(key, OpenDocument { uri, doc, opened });
    }

    pub fn close(&self, uri: &Uri) -> Option<OpenDocument> {
        self.docs.remove(&doc_key(uri)).map(|(_, doc)| doc)
    }

    /// Apply a notification's changes in order, synchronously: callers run this before their
    /// first `.await`, which is what keeps edits in arrival order under tower-lsp's concurrency.
    pub fn change(
        &self,
        uri: &Uri,
        version: i32,
        changes: &[TextChange],
        encoding: PositionEncoding,
    ) -> ChangeOutcome {
        let Some(mut entry) = self.docs.get_mut(&doc_key(uri)) else {
            return ChangeOutcome::UnknownDocument;
        };
        if version <= entry.doc.version {
            return ChangeOutcome::Stale { stored: entry.doc.version };
        }
        match entry.doc.apply_all(version, changes, encoding) {
            Ok(()) => ChangeOutcome::Applied,
            Err(err) => ChangeOutcome::Failed(err.to_string()),
        }
    }

    /// A cheap snapshot (ropes share their chunks).
    pub fn get(&self, key: &DocKey) -> Option<OpenDocument> {
        self.docs.get(key).map(|entry| entry.clone())
    }

    pub fn version(&self, key: &DocKey) -> Option<i32> {
        self.docs.get(key).map(|entry| entry.doc.version)
    }

    pub fn keys(&self) -> Vec<DocKey> {
        self.docs.iter().map(|entry| entry.key().clone()).collect()
    }
}
