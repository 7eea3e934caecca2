//! The cross-document index: every workspace document's text and analysis, and tables over all
//! of them (who defines which acronym, how often each is used), updated one document at a time.
//!
//! Open documents are indexed from the editor's buffer, all others from disk; an open document
//! is never re-read from disk.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::acronyms::Glossary;
use crate::analysis::{DefinitionFact, DocumentAnalysis};
use crate::chunked::ChunkedList;
use crate::layout::LanguageModel;
use crate::text::lines::{shared_line_starts, splice_line_starts, LineIndex, LineStart};
use crate::text::{SharedText, Unchanged};
use crate::workspace::glossaries::GlossarySet;

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
    pub text: SharedText,
    pub analysis: Arc<DocumentAnalysis>,
    /// The editor's version while the document is open (its text then comes from the editor);
    /// `None` for a file read from disk.
    pub version: Option<i32>,
    /// Where each line of `text` starts, computed once for all position conversions.
    pub line_starts: ChunkedList<LineStart>,
}

impl IndexedDoc {
    pub fn new(
        key: DocKey,
        path: Option<PathBuf>,
        text: SharedText,
        analysis: Arc<DocumentAnalysis>,
        version: Option<i32>,
    ) -> Self {
        let line_starts = shared_line_starts(&text);
        IndexedDoc { key, path, text, analysis, version, line_starts }
    }

    /// Another version of `previous`'s document that shares `unchanged` with it: its line
    /// index is spliced, not read again.
    pub fn edited(
        previous: &IndexedDoc,
        text: SharedText,
        unchanged: Unchanged,
        analysis: Arc<DocumentAnalysis>,
        version: Option<i32>,
    ) -> Self {
        let old = (&previous.line_starts, previous.text.len());
        let line_starts = splice_line_starts(old.0, old.1, &text, unchanged);
        let (key, path) = (previous.key.clone(), previous.path.clone());
        IndexedDoc { key, path, text, analysis, version, line_starts }
    }

    /// A document read from `/ws/{name}.txt` and analysed on its own (for tests).
    #[cfg(test)]
    pub(crate) fn for_test(name: &str, text: &str) -> Self {
        let path = PathBuf::from(format!("/ws/{name}.txt"));
        let analysis = Arc::new(DocumentAnalysis::new(text));
        IndexedDoc::new(
            DocKey::from_path(&path),
            Some(path),
            Arc::new(text.to_string()),
            analysis,
            None,
        )
    }

    /// The text's lines, for converting byte ranges to positions.
    pub fn lines(&self) -> LineIndex<'_> {
        LineIndex::with_starts(&self.text, &self.line_starts)
    }

    /// A short name for messages: the file name, or the key.
    pub fn name(&self) -> String {
        self.path
            .as_deref()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| self.key.as_str().to_string())
    }
}

/// Above this many definitions changed (one at a time), replacing all of a document's is
/// cheaper (one block per acronym and long form).
const CHANGED_DEFINITIONS_MAX: usize = 256;

/// A text definition somewhere in the workspace.
#[derive(Debug, Clone)]
pub struct DefinitionRef<'a> {
    pub doc: &'a IndexedDoc,
    pub definition: Cow<'a, DefinitionFact>,
}

#[derive(Debug)]
pub struct WorkspaceIndex {
    docs: BTreeMap<DocKey, IndexedDoc>,
    /// Short form → long form (lower case) → (document, index into its definitions), in
    /// document order: conflicting definitions stay apart.
    definitions: HashMap<String, BTreeMap<String, Vec<(DocKey, usize)>>>,
    /// Short form → number of uses across the workspace.
    use_counts: HashMap<String, usize>,
    glossaries: Arc<GlossarySet>,
    /// Word statistics learnt from the whole workspace (the layout model's language signal),
    /// and the documents whose text it has read.
    model: Arc<LanguageModel>,
    model_docs: HashSet<DocKey>,
    /// Changes whenever the set of acronyms the workspace explains does (see
    /// [`WorkspaceIndex::explained_generation`]).
    explained_generation: u64,
}

impl Default for WorkspaceIndex {
    fn default() -> Self {
        WorkspaceIndex {
            docs: BTreeMap::new(),
            definitions: HashMap::new(),
            use_counts: HashMap::new(),
            glossaries: Arc::new(GlossarySet::default()),
            model: Arc::new(LanguageModel::new()),
            model_docs: HashSet::new(),
            explained_generation: 0,
        }
    }
}

impl WorkspaceIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// Insert or replace a document; `analysis` is computed by the caller, outside any lock.
    pub fn upsert(
        &mut self,
        key: DocKey,
        path: Option<PathBuf>,
        text: SharedText,
        analysis: Arc<DocumentAnalysis>,
        version: Option<i32>,
    ) {
        self.insert(IndexedDoc::new(key, path, text, analysis, version));
    }

    /// Insert or replace a document built by the caller; returns the version it replaced
    /// (a caller holding a lock can free it after letting go).
    pub fn insert(&mut self, doc: IndexedDoc) -> Option<IndexedDoc> {
        // A keystroke rarely changes what a document defines or which acronyms it uses; then
        // the tables (entries point at definitions by index) stay as they are. One typed into
        // an acronym changes only the use counts: the definitions, whose placing in a large
        // document reads every paragraph, stay.
        let (same_definitions, same_uses) = match self.docs.get(&doc.key) {
            Some(old) => (
                old.analysis.same_definitions(&doc.analysis),
                old.analysis.same_uses(&doc.analysis),
            ),
            None => (false, false),
        };
        if !same_definitions && !self.replace_changed_definitions(&doc) {
            self.remove_definitions(&doc.key);
            self.add_definitions(&doc);
        }
        if !same_uses {
            self.remove_use_counts(&doc.key);
            self.add_use_counts(&doc);
        }
        self.docs.insert(doc.key.clone(), doc)
    }

    pub fn remove(&mut self, key: &DocKey) -> Option<IndexedDoc> {
        self.remove_definitions(key);
        self.remove_use_counts(key);
        self.docs.remove(key)
    }

    /// Replaces the entries of the definitions that differ between the indexed version of
    /// `doc` and `doc` (another version that shares chunks of definitions with it, as after
    /// an edit): those of the chunks they do not share go, the new ones come, and the
    /// entries of the definitions after them move by the difference in number. `false`
    /// when that would not be cheaper than replacing all of them (nothing is changed then).
    fn replace_changed_definitions(&mut self, doc: &IndexedDoc) -> bool {
        let Some(old) = self.docs.get(&doc.key) else { return false };
        let (old, new) = (old.analysis.definitions(), doc.analysis.definitions());
        let (gone, came) = old.unshared(new);
        if gone.len().max(came.len()) > CHANGED_DEFINITIONS_MAX {
            return false;
        }
        let key = &doc.key;
        // Acronyms whose last definition went; one defined again below was not explained
        // differently for a moment.
        let mut vanished: Vec<Arc<str>> = Vec::new();
        for (i, def) in gone.clone().zip(old.stored(gone.clone())) {
            let Some(longs) = self.definitions.get_mut(&*def.short) else { continue };
            let long = def.long.to_lowercase();
            if let Some(entries) = longs.get_mut(&long) {
                if let Ok(at) = entries.binary_search_by(|(k, j)| (k, *j).cmp(&(key, i))) {
                    entries.remove(at);
                }
                if entries.is_empty() {
                    longs.remove(&long);
                }
            }
            if longs.is_empty() {
                self.definitions.remove(&*def.short);
                vanished.push(def.short.clone());
            }
        }
        let shift = came.len() as isize - gone.len() as isize;
        if shift != 0 {
            for entries in self.definitions.values_mut().flat_map(|longs| longs.values_mut()) {
                let from = entries.partition_point(|(k, j)| (k, *j) < (key, gone.end));
                for (_, j) in entries[from..].iter_mut().take_while(|(k, _)| k == key) {
                    *j = j.saturating_add_signed(shift);
                }
            }
        }
        for (i, def) in came.clone().zip(new.stored(came.clone())) {
            if !self.definitions.contains_key(&*def.short) {
                match vanished.iter().position(|short| *short == def.short) {
                    Some(again) => drop(vanished.swap_remove(again)),
                    None => self.explained_generation += 1,
                }
            }
            let longs = self.definitions.entry(def.short.to_string()).or_default();
            let entries = longs.entry(def.long.to_lowercase()).or_default();
            let at = entries.partition_point(|(k, j)| (k, *j) < (key, i));
            entries.insert(at, (key.clone(), i));
        }
        if !vanished.is_empty() {
            self.explained_generation += 1;
        }
        true
    }

    /// Adds a document's definitions; its old ones must be removed first. (What it reads is
    /// what [`DocumentAnalysis::same_definitions`] compares.)
    fn add_definitions(&mut self, doc: &IndexedDoc) {
        // Entries are sorted by document: this document's entries of one acronym and long form
        // go in as one block (one insert per block, not per definition, in vectors that hold
        // the whole workspace's definitions of that acronym).
        let mut blocks: BTreeMap<(&str, String), Vec<usize>> = BTreeMap::new();
        let definitions = doc.analysis.definitions();
        for (i, def) in definitions.stored(0..definitions.len()).enumerate() {
            blocks.entry((&*def.short, def.long.to_lowercase())).or_default().push(i);
        }
        for ((short, long), indices) in blocks {
            if !self.definitions.contains_key(short) {
                self.explained_generation += 1;
            }
            let longs = self.definitions.entry(short.to_string()).or_default();
            let entries = longs.entry(long).or_default();
            let at = entries.partition_point(|(key, _)| *key < doc.key);
            entries.splice(at..at, indices.into_iter().map(|i| (doc.key.clone(), i)));
        }
    }

    /// Adds a document's use counts; its old ones must be removed first.
    fn add_use_counts(&mut self, doc: &IndexedDoc) {
        for (short, count) in doc.analysis.use_counts() {
            *self.use_counts.entry(short.to_string()).or_insert(0) += count;
        }
    }

    fn remove_definitions(&mut self, key: &DocKey) {
        let Some(old) = self.docs.get(key) else { return };
        // Once per acronym: a long document defines the same one on many pages, and each pass
        // reads the acronym's entries from the whole workspace.
        let definitions = old.analysis.definitions();
        let shorts: std::collections::BTreeSet<&str> =
            definitions.stored(0..definitions.len()).map(|def| &*def.short).collect();
        for short in shorts {
            if let Some(longs) = self.definitions.get_mut(short) {
                for entries in longs.values_mut() {
                    // Entries are sorted by document: this one's are a block.
                    let from = entries.partition_point(|(k, _)| k < key);
                    let len = entries[from..].partition_point(|(k, _)| k == key);
                    entries.drain(from..from + len);
                }
                longs.retain(|_, entries| !entries.is_empty());
                if longs.is_empty() {
                    self.definitions.remove(short);
                    self.explained_generation += 1;
                }
            }
        }
    }

    fn remove_use_counts(&mut self, key: &DocKey) {
        let Some(old) = self.docs.get(key) else { return };
        for (short, count) in old.analysis.use_counts() {
            if let Some(total) = self.use_counts.get_mut(&**short) {
                *total = total.saturating_sub(*count);
                if *total == 0 {
                    self.use_counts.remove(&**short);
                }
            }
        }
    }

    pub fn get(&self, key: &DocKey) -> Option<&IndexedDoc> {
        self.docs.get(key)
    }

    pub fn is_open(&self, key: &DocKey) -> bool {
        self.docs.get(key).is_some_and(|doc| doc.version.is_some())
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
        let closed: Vec<DocKey> =
            self.docs.values().filter(|d| d.version.is_none()).map(|d| d.key.clone()).collect();
        for key in closed {
            self.remove(&key);
        }
    }

    /// Every text definition of `short`, in document order.
    pub fn definitions_of(&self, short: &str) -> Vec<DefinitionRef<'_>> {
        let mut all: Vec<(&DocKey, usize)> = self
            .definitions
            .get(short)
            .into_iter()
            .flat_map(|longs| longs.values().flatten())
            .map(|(key, i)| (key, *i))
            .collect();
        all.sort();
        all.into_iter().filter_map(|(key, i)| self.definition_ref(key, i)).collect()
    }

    /// One definition of `short` per distinct long form: the first one in `prefer` (the
    /// document asked from) when it has one, else the first in the workspace. Costs one lookup
    /// per long form, however many documents repeat the definition.
    pub fn distinct_definitions(
        &self,
        short: &str,
        prefer: Option<&DocKey>,
    ) -> Vec<DefinitionRef<'_>> {
        let Some(longs) = self.definitions.get(short) else { return Vec::new() };
        let mut chosen: Vec<DefinitionRef<'_>> = longs
            .values()
            .filter_map(|entries| {
                let preferred = prefer.and_then(|key| {
                    let at = entries.partition_point(|(k, _)| k < key);
                    entries.get(at).filter(|(k, _)| k == key)
                });
                let (key, i) = preferred.or(entries.first())?;
                self.definition_ref(key, *i)
            })
            .collect();
        // The most widely used long form first, then in document order.
        chosen.sort_by_key(|d| {
            let long = d.definition.long.to_lowercase();
            let count = longs.get(&long).map_or(0, Vec::len);
            (std::cmp::Reverse(count), d.doc.key.clone())
        });
        chosen
    }

    fn definition_ref(&self, key: &DocKey, i: usize) -> Option<DefinitionRef<'_>> {
        let doc = self.docs.get(key)?;
        Some(DefinitionRef { doc, definition: doc.analysis.definitions().get(i)? })
    }

    /// Every short form defined in the workspace's text.
    pub fn defined_shorts(&self) -> impl Iterator<Item = &str> {
        self.definitions.keys().map(String::as_str)
    }

    pub fn use_count(&self, short: &str) -> usize {
        self.use_counts.get(short).copied().unwrap_or(0)
    }

    /// The merged glossary: built-in entries overlaid by the user's files.
    pub fn glossary(&self) -> &Glossary {
        self.glossaries.merged()
    }

    pub fn glossaries(&self) -> &GlossarySet {
        &self.glossaries
    }

    pub fn set_glossaries(&mut self, glossaries: GlossarySet) {
        self.glossaries = Arc::new(glossaries);
        self.explained_generation += 1;
    }

    /// A number that changes whenever the set of acronyms the workspace explains (that some
    /// text defines, or a glossary) changes. Other documents' findings depend on the workspace
    /// through that set alone (see [`WorkspaceIndex::is_defined`]): while it stays, they stay.
    pub fn explained_generation(&self) -> u64 {
        self.explained_generation
    }

    /// Replace the workspace language model, built from the texts of `docs`.
    pub fn set_model(&mut self, model: LanguageModel, docs: HashSet<DocKey>) {
        self.model = Arc::new(model);
        self.model_docs = docs;
    }

    /// Has the workspace model no longer count as having read document `key`.
    pub fn forget_model_of(&mut self, key: &DocKey) {
        self.model_docs.remove(key);
    }

    /// The workspace model, if it has read (a version of) document `key`: the layout model
    /// expects the analysed document to be part of its model.
    pub fn model_for(&self, key: &DocKey) -> Option<Arc<LanguageModel>> {
        self.model_docs.contains(key).then(|| self.model.clone())
    }

    /// The findings of a workspace document: acronyms count as defined when any document or
    /// glossary of the workspace explains them.
    pub fn findings_for(
        &self,
        doc: &IndexedDoc,
        config: &crate::config::Config,
    ) -> Vec<crate::finding::Finding> {
        let is_defined = |short: &str| self.is_defined(short);
        crate::analysis::findings(&doc.text, &doc.analysis, &is_defined, config)
    }

    /// The findings a large document shows first, when computing them alone saves work (see
    /// [`crate::analysis::leading_findings`]).
    pub fn leading_findings_for(
        &self,
        doc: &IndexedDoc,
        config: &crate::config::Config,
    ) -> Option<Vec<crate::finding::Finding>> {
        let is_defined = |short: &str| self.is_defined(short);
        crate::analysis::leading_findings(&doc.text, &doc.analysis, &is_defined, config)
    }

    /// Whether `short` is explained by the workspace's text or a glossary.
    pub fn is_defined(&self, short: &str) -> bool {
        self.definitions.contains_key(short) || self.glossary().contains(short)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(name: &str, text: &str) -> IndexedDoc {
        IndexedDoc::for_test(name, text)
    }

    /// (acronym, long form, entries as (document, definition index)) and use counts, sorted.
    type Tables = (Vec<(String, String, Vec<(String, usize)>)>, Vec<(String, usize)>);

    fn tables(index: &WorkspaceIndex) -> Tables {
        let mut definitions: Vec<_> = index
            .definitions
            .iter()
            .flat_map(|(short, longs)| {
                longs.iter().map(move |(long, entries)| {
                    let entries =
                        entries.iter().map(|(k, i)| (k.as_str().to_string(), *i)).collect();
                    (short.clone(), long.clone(), entries)
                })
            })
            .collect();
        definitions.sort();
        let mut counts: Vec<_> = index.use_counts.iter().map(|(k, n)| (k.clone(), *n)).collect();
        counts.sort();
        (definitions, counts)
    }

    #[test]
    fn tables_after_replacing_and_removing_equal_tables_built_afresh() {
        let many = "De Militaire Inlichtingen- en Veiligheidsdienst (MIVD) werkt. De MIVD ook.\n\n"
            .repeat(5);
        let texts = [
            ("a", many.clone() + "Het Team Caribisch Gebied (TCG) helpt.\n"),
            ("b", "De MIVD en het TCG. De Joint Sigint Cyber Unit (JSCU) meldt.\n".to_string()),
            ("c", many.replace("MIVD", "MIVD2") + "De JSCU weer.\n"),
            ("d", "Geen afkortingen hier.\n".to_string()),
        ];
        let mut index = WorkspaceIndex::new();
        for (name, text) in &texts {
            index.insert(doc(name, text));
        }
        // `a` changes (one definition fewer), `c` goes, `b` is inserted again unchanged.
        let a_edited =
            many.replacen("(MIVD)", "MIVD", 1) + "Het Team Caribisch Gebied (TCG) helpt.\n";
        index.insert(doc("a", &a_edited));
        index.remove(&DocKey::from_path(Path::new("/ws/c.txt")));
        index.insert(doc("b", &texts[1].1));
        // Edits that keep the tables (`b`: other words), that change only a long form (`b`
        // again) and only the uses (`d`).
        let b_edited = texts[1].1.replace("meldt", "meldt vandaag");
        index.insert(doc("b", &b_edited));
        let b_edited = b_edited.replace("Cyber Unit", "Cyberunit");
        index.insert(doc("b", &b_edited));
        let d_edited = "Geen afkortingen hier, wel de NAVO.\n";
        index.insert(doc("d", d_edited));
        let mut fresh = WorkspaceIndex::new();
        for (name, text) in [("d", d_edited), ("b", &b_edited), ("a", &a_edited)] {
            fresh.insert(doc(name, text));
        }
        assert_eq!(tables(&index), tables(&fresh));
        // And the counts are those of the documents (the comparison above would not see a
        // table that is never filled).
        let (definitions, counts) = tables(&index);
        let mut expected: HashMap<String, usize> = HashMap::new();
        for (name, text) in [("d", d_edited), ("b", &b_edited), ("a", &a_edited)] {
            for (short, n) in doc(name, text).analysis.use_counts() {
                *expected.entry(short.to_string()).or_default() += n;
            }
        }
        let mut expected: Vec<(String, usize)> = expected.into_iter().collect();
        expected.sort();
        assert_eq!(counts, expected);
        assert!(counts.contains(&("NAVO".to_string(), 1)), "{counts:?}");
        let mivd: Vec<_> = definitions.iter().filter(|(short, ..)| short == "MIVD").collect();
        assert_eq!(mivd.len(), 1);
        assert_eq!(mivd[0].2.len(), 4, "{mivd:?}"); // five in `a`, one made a plain use
        assert!(!definitions.iter().any(|(short, ..)| short == "MIVD2"));
    }

    /// Versions of a document made by edits share chunks of definitions: the index replaces
    /// the entries of the changed ones only, and ends up as if built afresh, whether an edit
    /// changes a long form, removes a definition or adds one (the entries after it move).
    #[test]
    fn edits_replace_the_entries_of_the_definitions_they_change() {
        use crate::analysis::{PageCache, Revision};
        let paragraph = |i: usize| match i % 3 {
            0 => "Het Team Caribisch Gebied (TCG) werkt hier.\n\n",
            1 => "De Joint Sigint Cyber Unit (JSCU) meldt het.\n\n",
            _ => "Hier staat niets bijzonders in.\n\n",
        };
        // Pages (form feeds) of 25 paragraphs: an edit analyses its page again.
        let page = |p: usize| (p * 25..p * 25 + 25).map(paragraph).collect::<String>();
        let text: String = (0..16).map(page).collect::<Vec<_>>().join("\u{c}");
        let model = crate::layout::LanguageModel::from_text(&text);
        let mut cache = PageCache::default();
        let path = PathBuf::from("/ws/big.txt");
        let key = DocKey::from_path(&path);
        let other = "De Joint Sigint Cyber Unit (JSCU) elders.\n";
        let mut index = WorkspaceIndex::new();
        index.insert(doc("other", other));
        let mut version = 1;
        let mut current = text.clone();
        let mut analyse = |text: &str, unchanged: Option<Unchanged>| {
            let since = |v: i32| if v == version - 1 { unchanged } else { None };
            let revision = Revision { version, unchanged_since: &since };
            let text: SharedText = Arc::new(text.to_string());
            let analysis =
                DocumentAnalysis::with_cache_at(&text, &model, &mut cache, Some(revision));
            let doc =
                IndexedDoc::new(key.clone(), Some(path.clone()), text, analysis, Some(version));
            version += 1;
            doc
        };
        index.insert(analyse(&current, None));
        let middle = current.len() / 2;
        let tcg = middle + current[middle..].find("Team Caribisch").unwrap_or(0);
        let jscu = middle + current[middle..].find("(JSCU)").unwrap_or(0);
        let edits = [
            (tcg + 5, 9, "Centraal"),              // a long form changes
            (jscu + 1, 0, "e"),                    // a definition goes
            (jscu, 0, "Team Xenon Gebied (TXG) "), // one comes
            (10, 4, ""),                           // near the start
        ];
        for (at, len, insert) in edits {
            let unchanged = Unchanged { prefix: at, suffix: current.len() - at - len };
            current.replace_range(at..at + len, insert);
            let edited = analyse(&current, Some(unchanged));
            assert!(edited.analysis.definitions().len() > 256, "enough for several chunks");
            let explained = index.explained_generation();
            index.insert(edited);
            // Only the new acronym changes what the workspace explains (an acronym whose
            // definition goes while another explains it, or comes back, does not).
            let added = insert.contains("TXG");
            assert_eq!(index.explained_generation() != explained, added, "{insert:?}");
            let mut fresh = WorkspaceIndex::new();
            fresh.insert(doc("other", other));
            fresh.insert(doc("big", &current));
            assert_eq!(tables(&index), tables(&fresh), "after {insert:?} at {at}");
        }
        assert!(index.definitions_of("TXG").len() == 1);
    }

    /// A document's entries are a block among other documents' (entries are sorted by
    /// document): replacing and removing the one in the middle keeps the others'.
    #[test]
    fn entries_of_a_document_between_others_are_replaced_and_removed() {
        let once = "Het Quasi Xenon Team Gebied (QXTG) is opgericht.\n";
        let twice = once.repeat(2);
        let mut index = WorkspaceIndex::new();
        for name in ["a", "b", "c"] {
            index.insert(doc(name, once));
        }
        index.insert(doc("b", &twice));
        let mut fresh = WorkspaceIndex::new();
        for (name, text) in [("c", once), ("b", twice.as_str()), ("a", once)] {
            fresh.insert(doc(name, text));
        }
        assert_eq!(tables(&index), tables(&fresh));
        assert_eq!(index.definitions_of("QXTG").len(), 4);
        index.remove(&DocKey::from_path(Path::new("/ws/b.txt")));
        let mut fresh = WorkspaceIndex::new();
        for name in ["c", "a"] {
            fresh.insert(doc(name, once));
        }
        assert_eq!(tables(&index), tables(&fresh));
    }

    #[test]
    fn the_explained_generation_follows_the_set_of_explained_acronyms() {
        let mut index = WorkspaceIndex::new();
        let mut last = index.explained_generation();
        let mut changed = |index: &WorkspaceIndex| {
            let now = index.explained_generation();
            std::mem::replace(&mut last, now) != now
        };
        let defines = "Het Quasi Xenon Team Gebied (QXTG) is opgericht.\n";
        index.insert(doc("a", defines));
        assert!(changed(&index), "a new acronym is explained");
        index.insert(doc("b", defines));
        assert!(!changed(&index), "a second definition explains nothing new");
        index.insert(doc("c", "Het QXTG en de ZWPK werken samen.\n"));
        assert!(!changed(&index), "uses explain nothing");
        index.insert(doc("a", "Nu zonder definitie.\n"));
        assert!(!changed(&index), "b still defines it");
        index.remove(&doc("b", "").key);
        assert!(changed(&index), "nothing defines it any more");
        index.set_glossaries(GlossarySet::default());
        assert!(changed(&index), "glossaries may explain anything");
    }
}
