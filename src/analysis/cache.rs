//! What an open document's analysis keeps from one version to the next: the last version
//! analysed (the next one starts from it, see `analysis::incremental`), and memos that answer
//! for the pages and paragraphs an edit changed when their text was seen before (an undo, a
//! retyped word): page layouts and page findings keyed by the page's text (and the language
//! model), paragraph facts and sentences keyed by the paragraph's text, paragraph findings by
//! the paragraph's shape and the text its findings read.

use std::collections::HashMap;
use std::hash::Hash;
use std::ops::Range;
use std::sync::Arc;

use crate::finding::Finding;
use crate::layout::{PageLayout, Paragraph};
use crate::text::SharedText;

use super::facts::{DefinitionFact, ParagraphFacts};

/// Results of a pure function, keyed by (a hash of) its input. Each analysis is one round:
/// entries not asked for during a round are dropped at the next, so the memo never outgrows
/// the document. Entries carry the round they were last used in, so a round moves nothing
/// (an earlier version moved every entry between two tables on every edit).
#[derive(Debug)]
pub(crate) struct Memo<K, V: ?Sized> {
    entries: HashMap<K, (u32, Arc<V>), foldhash::fast::FixedState>,
    round: u32,
    /// The last round that analysed the whole text.
    whole_round: u32,
    /// How many entries there were after the last whole round or sweep (about what one
    /// version of the document needs).
    whole: usize,
}

impl<K, V: ?Sized> Default for Memo<K, V> {
    fn default() -> Self {
        Memo { entries: HashMap::default(), round: 0, whole_round: 0, whole: 0 }
    }
}

impl<K: Hash + Eq + Copy, V: ?Sized> Memo<K, V> {
    /// Drops the entries the last round did not use, and starts a new one.
    pub(crate) fn start_round(&mut self) {
        let last = self.round;
        self.entries.retain(|_, (used, _)| *used == last);
        self.whole = self.entries.len();
        self.round = last.wrapping_add(1);
        self.whole_round = self.round;
    }

    /// Starts a round that asks only for what an edit changed (the rest comes from the
    /// previous analysis). Kept: what the last whole round used, and what the last few
    /// rounds did (an undo finds its pages); swept when a few dozen entries (an eighth more,
    /// for a large document) have piled up since the last sweep.
    pub(crate) fn start_edit_round(&mut self) {
        const RECENT: u32 = 8;
        // A few dozen, or an eighth of a large document's entries: a sweep reads them all, so
        // it comes once per many edits whatever the size (p99 of edits on 10 MB).
        let slack = 64.max(self.whole / 8);
        let round = self.round.wrapping_add(1);
        if self.entries.len() > self.whole + slack {
            let whole_round = self.whole_round;
            self.entries
                .retain(|_, (used, _)| *used == whole_round || round.wrapping_sub(*used) <= RECENT);
            self.whole = self.entries.len();
        }
        self.round = round;
    }

    pub(crate) fn contains(&self, key: &K) -> bool {
        self.entries.contains_key(key)
    }

    /// The value of `key`, without marking it used.
    pub(crate) fn peek(&self, key: &K) -> Option<&Arc<V>> {
        self.entries.get(key).map(|(_, value)| value)
    }

    pub(crate) fn insert(&mut self, key: K, value: Arc<V>) {
        self.entries.insert(key, (self.round, value));
    }

    pub(crate) fn get_or(&mut self, key: K, compute: impl FnOnce() -> Arc<V>) -> Arc<V> {
        let round = self.round;
        let (used, value) = self.entries.entry(key).or_insert_with(|| (round, compute()));
        *used = round;
        value.clone()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// What a page's layout depends on: the hash of its text, the language model's fingerprint, and
/// whether it is a later page of its document (see [`crate::layout::lines::classify`]).
pub(crate) type PageKey = (u64, u64, bool);

/// The caches of one open document (see the module docs).
#[derive(Debug, Default)]
pub struct PageCache {
    /// Page layouts with their paragraphs, at the offset they were decoded at (a page found
    /// elsewhere is the same body, moved).
    pub(crate) pages: Memo<PageKey, PageLayout>,
    /// Page-local findings (layout and characters), relative to the page start.
    pub(crate) page_findings: Memo<PageKey, [Finding]>,
    pub(crate) paragraph_facts: Memo<u64, ParagraphFacts>,
    /// A paragraph's definitions relative to its start, by the paragraph's shape.
    pub(crate) paragraph_definitions: Memo<u64, [DefinitionFact]>,
    /// Paragraphs merged across column and page breaks, by [`merge_key`], with the anchor
    /// they were merged at.
    pub(crate) merged: Memo<u64, (usize, Paragraph)>,
    pub(crate) sentences: Memo<u64, [Range<usize>]>,
    /// Paragraph findings by [`crate::layout::Paragraph::fingerprint_with`], relative to the start
    /// of the paragraph's context span.
    pub(crate) paragraph_findings: Memo<u64, [Finding]>,
    /// The last version analysed through the cache, which the next one starts from.
    pub(crate) previous: Option<Previous>,
    /// Pages reused and decoded, over the cache's life (for tests and benchmarks).
    pub hits: usize,
    pub misses: usize,
    /// Analyses that started from the previous version's, and those that read the whole text.
    pub from_previous: usize,
    pub whole: usize,
    /// Analyses told what changed since the previous version (not comparing the texts).
    pub told: usize,
}

/// The last text analysed through a cache, its analysis, and which version of the document
/// it was (when the caller said).
#[derive(Debug)]
pub(crate) struct Previous {
    pub text: SharedText,
    pub analysis: Arc<super::DocumentAnalysis>,
    pub version: Option<i32>,
}

impl PageCache {
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
    }

    /// Has the next analysis start from `analysis` of `text` (version `version` of the
    /// document, when known), unless one went through the cache already: the workspace scan's
    /// analysis of a document opened since, so that its first edit analyses the edited page,
    /// not the whole text.
    pub fn start_from(
        &mut self,
        text: SharedText,
        analysis: Arc<super::DocumentAnalysis>,
        version: Option<i32>,
    ) {
        if self.previous.is_none() {
            self.previous = Some(Previous { text, analysis, version });
        }
    }

    pub(crate) fn start_round(&mut self) {
        self.memos().into_iter().for_each(|memo| memo.start_round());
    }

    /// See [`Memo::start_edit_round`].
    pub(crate) fn start_edit_round(&mut self) {
        self.memos().into_iter().for_each(|memo| memo.start_edit_round());
    }

    /// Every memo, for what all of them do each round.
    fn memos(&mut self) -> [&mut dyn Rounds; 7] {
        [
            &mut self.pages,
            &mut self.page_findings,
            &mut self.paragraph_facts,
            &mut self.paragraph_definitions,
            &mut self.merged,
            &mut self.sentences,
            &mut self.paragraph_findings,
        ]
    }
}

/// A memo's rounds, whatever it holds.
trait Rounds {
    fn start_round(&mut self);
    fn start_edit_round(&mut self);
}

impl<K: Hash + Eq + Copy, V: ?Sized> Rounds for Memo<K, V> {
    fn start_round(&mut self) {
        Memo::start_round(self);
    }

    fn start_edit_round(&mut self) {
        Memo::start_edit_round(self);
    }
}

pub(crate) use crate::text::hash::hash_text;

/// What a merge of `parts` depends on (see [`crate::layout::merge_paragraphs`]): the buffer
/// text of their segments and their places relative to `anchor`, the first part's column, and
/// the language model (`model_fingerprint`).
pub(crate) fn merge_key(
    text: &str,
    parts: &[&Paragraph],
    anchor: usize,
    model_fingerprint: u64,
) -> u64 {
    use std::hash::Hasher;
    let mut h = crate::text::hash::TextHasher::default();
    h.write_u64(model_fingerprint);
    h.write_u64(parts.first().map_or(0, |p| p.column as u64));
    for part in parts {
        let segments = part.segments();
        h.write_usize(segments.len());
        for segment in segments {
            h.write_usize(segment.start.wrapping_sub(anchor));
            h.write(text.get(segment).unwrap_or("").as_bytes());
        }
    }
    h.finish()
}
