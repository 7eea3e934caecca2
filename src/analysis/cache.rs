//! What an open document's analysis keeps from one version to the next, so that the work after
//! an edit grows with the edit: page layouts and page findings keyed by the page's text (and the
//! language model), paragraph facts and sentences keyed by the paragraph's text.

use std::collections::HashMap;
use std::hash::Hash;
use std::ops::Range;
use std::sync::Arc;

use crate::finding::Finding;
use crate::layout::PageLayout;

use super::facts::ParagraphFacts;

/// Results of a pure function, keyed by (a hash of) its input. Each analysis is one round:
/// entries not asked for during a round are dropped at the next, so the memo never outgrows
/// the document.
#[derive(Debug)]
pub(crate) struct Memo<K, V: ?Sized> {
    current: HashMap<K, Arc<V>>,
    previous: HashMap<K, Arc<V>>,
}

impl<K, V: ?Sized> Default for Memo<K, V> {
    fn default() -> Self {
        Memo { current: HashMap::new(), previous: HashMap::new() }
    }
}

impl<K: Hash + Eq + Copy, V: ?Sized> Memo<K, V> {
    pub(crate) fn start_round(&mut self) {
        self.previous = std::mem::take(&mut self.current);
    }

    pub(crate) fn contains(&self, key: &K) -> bool {
        self.current.contains_key(key) || self.previous.contains_key(key)
    }

    /// The remembered value, without computing.
    pub(crate) fn get(&mut self, key: K) -> Option<Arc<V>> {
        if let Some(v) = self.current.get(&key) {
            return Some(v.clone());
        }
        let v = self.previous.remove(&key)?;
        self.current.insert(key, v.clone());
        Some(v)
    }

    pub(crate) fn insert(&mut self, key: K, value: Arc<V>) {
        self.current.insert(key, value);
    }

    pub(crate) fn get_or(&mut self, key: K, compute: impl FnOnce() -> Arc<V>) -> Arc<V> {
        if let Some(v) = self.get(key) {
            return v;
        }
        let v = compute();
        self.current.insert(key, v.clone());
        v
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.current.is_empty() && self.previous.is_empty()
    }
}

/// What a page's layout depends on: the hash of its text, the language model's fingerprint, and
/// whether it is a later page of its document (see [`crate::layout::lines::classify`]).
pub(crate) type PageKey = (u64, u64, bool);

/// The caches of one open document (see the module docs).
#[derive(Debug, Default)]
pub struct PageCache {
    /// Page layouts with their paragraphs, at the offset they were decoded at.
    pub(crate) pages: Memo<PageKey, PageLayout>,
    /// Page-local findings (layout and characters), relative to the page start.
    pub(crate) page_findings: Memo<PageKey, [Finding]>,
    pub(crate) paragraph_facts: Memo<u64, ParagraphFacts>,
    pub(crate) sentences: Memo<u64, [Range<usize>]>,
    /// Paragraph findings by [`crate::layout::Paragraph::fingerprint`], relative to the start
    /// of the paragraph's context span.
    pub(crate) paragraph_findings: Memo<u64, [Finding]>,
    /// Pages reused and decoded, over the cache's life (for tests and benchmarks).
    pub hits: usize,
    pub misses: usize,
}

impl PageCache {
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }

    pub(crate) fn start_round(&mut self) {
        self.pages.start_round();
        self.page_findings.start_round();
        self.paragraph_facts.start_round();
        self.sentences.start_round();
        self.paragraph_findings.start_round();
    }
}

pub(crate) use crate::text::hash::hash_text;
