//! The tower-lsp backend: message handlers, document lifecycle, workspace indexing and the
//! diagnostics pipeline.
//!
//! Concurrency rules (tower-lsp runs handlers concurrently):
//! - document edits are applied synchronously, before a handler's first `.await`, so they keep
//!   arrival order; versions that are not newer than the stored one are dropped;
//! - handlers never wait on the client while holding state; requests to the client
//!   (`workspace/configuration`, progress, registration) run in their own tasks;
//! - analysis runs on the blocking pool; a result for an older version is dropped.

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use dashmap::mapref::entry::Entry;
use dashmap::DashMap;

use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};
use tracing::{debug, error, info, warn};

use super::documents::{doc_key, ChangeOutcome, DocumentStore, OpenDocument};
use super::publish::{DiagnosticsFrame, DiagnosticsPublisher};
use super::{convert, features};
use crate::acronyms::{self, DefinitionHint};
use crate::analysis::{self, DocumentAnalysis, PageCache, Revision};
use crate::config::Config;
use crate::finding::Finding;
use crate::layout::LanguageModel;
use crate::text::{LineIndex, PositionEncoding, SharedText, Spare, TextChange};
use crate::workspace::{self, query, DocKey, FileFilter, IndexedDoc, WorkspaceIndex};

/// The `source.fixAll` kind scoped to this server, as VS Code's `editor.codeActionsOnSave` uses.
const FIX_ALL_KIND: &str = "source.fixAll.scholion";
const WATCHER_REGISTRATION_ID: &str = "scholion-watched-files";

/// What the client told us in `initialize`.
#[derive(Debug, Clone, Default)]
struct Session {
    encoding: PositionEncoding,
    roots: Vec<PathBuf>,
    /// The client pulls diagnostics (`textDocument/diagnostic`); we then do not push.
    pull_diagnostics: bool,
    diagnostic_refresh: bool,
    work_done_progress: bool,
    watch_dynamic: bool,
    configuration_pull: bool,
}

/// What an open document's analyses keep from one version to the next.
#[derive(Debug, Default)]
struct OpenAnalysisState {
    /// The opening ([`OpenDocument::opened`]) this was kept for.
    opened: u64,
    pages: PageCache,
    /// The language model of a document outside the workspace model, fixed at its first
    /// analysis so that pages stay reusable.
    own_model: Option<Arc<LanguageModel>>,
    /// The texts of the last versions indexed, newest last. The older one becomes a later
    /// version's text, patched in place, once the index and the page cache have let it go.
    recent_texts: VecDeque<Spare>,
}

impl OpenAnalysisState {
    /// The state of the document as opened by `opened`: what an earlier opening of it left
    /// (versions numbered anew, another text) is dropped.
    fn of_opening(&mut self, opened: u64) -> &mut Self {
        if self.opened != opened {
            *self = OpenAnalysisState { opened, ..OpenAnalysisState::default() };
        }
        self
    }

    /// A text for [`Document::snapshot`] to patch: the older of the last two indexed.
    fn take_spare(&mut self) -> Option<Spare> {
        (self.recent_texts.len() >= 2).then(|| self.recent_texts.pop_front()).flatten()
    }

    fn keep_text(&mut self, version: i32, text: SharedText) {
        self.recent_texts.push_back(Spare { version, text });
        while self.recent_texts.len() > 2 {
            self.recent_texts.pop_front();
        }
    }

    /// The model must stay the same across edits for pages to be reused: the workspace's, or
    /// for a document outside it one learnt from its first version.
    fn model(&mut self, workspace: Option<Arc<LanguageModel>>, text: &str) -> Arc<LanguageModel> {
        match workspace {
            Some(model) => model,
            None => self
                .own_model
                .get_or_insert_with(|| Arc::new(LanguageModel::from_text(text)))
                .clone(),
        }
    }
}

/// State shared with background tasks.
struct Shared {
    client: Client,
    /// Diagnostics go out through here, not through `client` (see [`super::publish`]).
    publisher: DiagnosticsPublisher,
    documents: DocumentStore,
    session: RwLock<Session>,
    config: RwLock<Arc<Config>>,
    index: RwLock<WorkspaceIndex>,
    /// Bumped by every workspace scan, so an older scan stops early.
    scan_generation: AtomicU64,
    /// The index's `explained_generation` when the open documents' diagnostics were last
    /// brought up to date with it.
    explained_seen: AtomicU64,
    /// Page layouts of each open document's last analysis.
    page_caches: DashMap<DocKey, Arc<Mutex<OpenAnalysisState>>>,
    /// Open documents with an analysis running; `true` when another was asked for meanwhile.
    analysing: DashMap<DocKey, bool>,
    /// Documents whose pulled diagnostics were the early ones: the client is asked to pull
    /// again once the whole document is analysed.
    refresh_after: dashmap::DashSet<DocKey>,
    /// The files the running scan has read and may not have indexed yet: a question can have
    /// the ones it needs indexed first.
    scanned_texts: RwLock<Option<Arc<ScannedTexts>>>,
}

/// Files read from disk: key, path and text.
type FileTexts = Vec<(DocKey, PathBuf, SharedText)>;

struct ScannedTexts {
    generation: u64,
    texts: Arc<FileTexts>,
    /// Acronyms already looked for (each search reads every text once).
    asked: Mutex<std::collections::HashSet<String>>,
}

/// At most this many files are indexed ahead of the scan for one question.
const AHEAD_OF_SCAN_MAX_FILES: usize = 16;

/// Forgets a document's running analysis if its job ends abnormally (a panic), so that later
/// edits are analysed again.
struct AnalysisGuard<'a> {
    shared: &'a Shared,
    key: &'a DocKey,
    armed: bool,
}

impl Drop for AnalysisGuard<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.shared.analysing.remove(self.key);
        }
    }
}

pub struct Backend {
    shared: Arc<Shared>,
    /// Set by the `shutdown` request: the process's exit code depends on it.
    shutdown_requested: Arc<AtomicBool>,
}

impl Backend {
    /// A backend that sets `shutdown_requested` when the client sends `shutdown` and publishes
    /// diagnostics through `publisher`.
    pub fn new(
        client: Client,
        shutdown_requested: Arc<AtomicBool>,
        publisher: DiagnosticsPublisher,
    ) -> Self {
        Backend {
            shutdown_requested,
            shared: Arc::new(Shared {
                client,
                publisher,
                documents: DocumentStore::default(),
                session: RwLock::new(Session::default()),
                config: RwLock::new(Arc::new(Config::default())),
                index: RwLock::new(WorkspaceIndex::new()),
                scan_generation: AtomicU64::new(0),
                explained_seen: AtomicU64::new(0),
                page_caches: DashMap::new(),
                analysing: DashMap::new(),
                refresh_after: dashmap::DashSet::new(),
                scanned_texts: RwLock::new(None),
            }),
        }
    }
}

impl Shared {
    fn session(&self) -> Session {
        self.session.read().map(|s| s.clone()).unwrap_or_default()
    }

    fn encoding(&self) -> PositionEncoding {
        self.session.read().map(|s| s.encoding).unwrap_or_default()
    }

    fn config(&self) -> Arc<Config> {
        self.config.read().map(|c| c.clone()).unwrap_or_default()
    }

    fn set_config(&self, config: Config) -> Arc<Config> {
        let config = Arc::new(config);
        if let Ok(mut slot) = self.config.write() {
            *slot = config.clone();
        }
        config
    }

    /// The document for `key` as the index holds it, analysed at the editor's current version
    /// (analysing it now if the background job has not caught up). Blocking: call it from the
    /// blocking pool. `None` for a document that is neither open nor in the workspace.
    fn current(&self, key: &DocKey) -> Option<IndexedDoc> {
        let open = self.documents.get(key);
        if let Ok(index) = self.index.read() {
            if let Some(doc) = index.get(key) {
                if doc.version == open.as_ref().map(|o| o.doc.version) {
                    return Some(doc.clone());
                }
            }
        }
        Some(self.index_open(key, &open?))
    }

    /// Analyse an open document and put it in the index unless a newer version is there.
    /// A document opened with the text the workspace scan indexed keeps that analysis (its
    /// first diagnostics need no layout work); its first edit starts from it.
    fn index_open(&self, key: &DocKey, open: &OpenDocument) -> IndexedDoc {
        let started = Instant::now();
        let state = self.page_cache(key);
        // Not waiting for another analysis of the document: a spare only saves a copy.
        let spare = state.try_lock().ok().and_then(|mut s| s.of_opening(open.opened).take_spare());
        let text = open.doc.snapshot(spare);
        let copied = started.elapsed();
        let (workspace_model, previous) = match self.index.read() {
            Ok(index) => (index.model_for(key), index.get(key).cloned()),
            Err(_) => (None, None),
        };
        // The scan's analysis, when the document was opened as it is on disk.
        let scanned = previous.as_ref().filter(|d| d.version.is_none() && *d.text == *text);
        let analysis = match scanned {
            Some(doc) => doc.analysis.clone(),
            None => {
                let mut state = lock(&state);
                let state = state.of_opening(open.opened);
                let model = state.model(workspace_model, &text);
                // An edit of a document the scan analysed, before its page cache was filled:
                // it starts from the scan's analysis (the index's, at the version opened).
                if let Some(indexed) = previous.as_ref().filter(|p| p.version.is_some()) {
                    let (text, analysis) = (indexed.text.clone(), indexed.analysis.clone());
                    state.pages.start_from(text, analysis, indexed.version);
                }
                let unchanged_since = |version| open.doc.unchanged_since(version);
                let revision =
                    Revision { version: open.doc.version, unchanged_since: &unchanged_since };
                DocumentAnalysis::with_cache_at(&text, &model, &mut state.pages, Some(revision))
            }
        };
        let analysed = started.elapsed();
        let path = open.uri.to_file_path().map(|p| p.into_owned());
        let version = Some(open.doc.version);
        // The line index of the version before, when the editor's changes since are known.
        let edited = previous.and_then(|p| Some((open.doc.unchanged_since(p.version?)?, p)));
        let doc = match edited {
            Some((unchanged, previous)) if unchanged.fits(&previous.text, &text) => {
                IndexedDoc::edited(&previous, text, unchanged, analysis, version)
            }
            _ => IndexedDoc::new(key.clone(), path, text, analysis, version),
        };
        if let Ok(mut state) = state.try_lock() {
            state.of_opening(open.opened).keep_text(open.doc.version, doc.text.clone());
        }
        let lines = started.elapsed();
        let replaced = match self.index.write() {
            Ok(mut index) => {
                let stored = index.get(key).and_then(|d| d.version);
                let newer = stored.is_none_or(|v| v < open.doc.version);
                (newer && self.documents.get(key).is_some()).then(|| index.insert(doc.clone()))
            }
            Err(_) => None,
        };
        // Freeing a large document's analysis takes milliseconds: not on the way to its
        // diagnostics.
        drop_in_background(replaced);
        debug!(
            "{} v{}: text copied {copied:?}, analysed {:?}, lines {:?}, indexed {:?}",
            key.as_str(),
            open.doc.version,
            analysed - copied,
            lines - analysed,
            started.elapsed() - lines
        );
        doc
    }

    /// The page cache of an open document. The map's shard lock is released before the caller
    /// locks the cache for a (long) analysis.
    fn page_cache(&self, key: &DocKey) -> Arc<Mutex<OpenAnalysisState>> {
        self.page_caches.entry(key.clone()).or_default().value().clone()
    }

    /// Lets go of the text kept to be patched into the next version of an idle document:
    /// the next edit copies its text instead (a millisecond for 10 MB), and until then the
    /// document's text is held once besides its rope.
    fn release_spare(&self, key: &DocKey) {
        let Some(state) = self.page_caches.get(key).map(|state| state.clone()) else { return };
        let spare = state.try_lock().ok().and_then(|mut state| state.take_spare());
        drop(spare); // not under the lock
    }

    /// Analyses an open document that the workspace scan analysed, and no edit since, through
    /// a page cache of its own, without holding the lock its edits take: an edit meanwhile
    /// starts from the scan's analysis, and this one is dropped. Otherwise the cache becomes
    /// the document's, and its edits need not decode again the pages next to them whose own
    /// paragraphs the scan let go. Blocking; run when the document is idle. Not for a
    /// document over [`WARM_MAX_BYTES`]: its edits decode what they need as they go.
    fn warm_page_cache(&self, doc: &IndexedDoc) {
        if doc.version.is_none() || self.documents.version(&doc.key) != doc.version {
            return; // closed or edited meanwhile
        }
        if doc.text.len() > WARM_MAX_BYTES {
            return;
        }
        let workspace_model = self.index.read().ok().and_then(|index| index.model_for(&doc.key));
        let state = self.page_cache(&doc.key);
        let model = match state.try_lock() {
            Ok(mut state) if state.pages.is_empty() => state.model(workspace_model, &doc.text),
            _ => return, // analysed through the cache already, or right now
        };
        let mut pages = PageCache::default();
        // The version, so that the next edit's analysis is told what changed since.
        let revision = doc.version.map(|version| Revision { version, unchanged_since: &|_| None });
        let warm = DocumentAnalysis::with_cache_at(&doc.text, &model, &mut pages, revision);
        // It replaces the scan's in the index (same text, same facts): the next edit starts
        // from it and shares its parts.
        warm.use_counts();
        warm.facts();
        let mut state = lock(&state);
        if !state.pages.is_empty() || self.documents.version(&doc.key) != doc.version {
            drop_in_background((warm, pages));
            return;
        }
        state.pages = pages;
        let replaced = match self.index.write() {
            Ok(mut index) => {
                let current = index
                    .get(&doc.key)
                    .is_some_and(|d| d.version == doc.version && Arc::ptr_eq(&d.text, &doc.text));
                current.then(|| index.insert(IndexedDoc { analysis: warm, ..doc.clone() }))
            }
            Err(_) => None,
        };
        drop(state);
        drop_in_background(replaced);
    }

    /// Whether `path` lies under a workspace folder and matches the include/exclude globs.
    fn in_workspace(&self, path: &Path) -> bool {
        let Ok(filter) = FileFilter::new(&self.config()) else { return false };
        self.session()
            .roots
            .iter()
            .any(|root| path.strip_prefix(root).is_ok_and(|relative| filter.accepts(relative)))
    }

    /// The findings of a document, with cross-document knowledge from the index.
    fn findings_for(&self, doc: &IndexedDoc) -> Vec<Finding> {
        let config = self.config();
        let Ok(index) = self.index.read() else { return Vec::new() };
        index.findings_for(doc, &config)
    }

    fn diagnostics_for(&self, doc: &IndexedDoc, uri: &Uri) -> Vec<Diagnostic> {
        self.to_diagnostics(doc, uri, &self.findings_for(doc))
    }

    /// The diagnostics to publish first, and whether they are complete: a large document
    /// whose findings are not computed yet (opened after the workspace scan indexed it) shows
    /// the first ones at once and counts the rest afterwards.
    fn first_diagnostics(&self, doc: &IndexedDoc, uri: &Uri) -> (Vec<Diagnostic>, bool) {
        let started = Instant::now();
        let config = self.config();
        let leading = match self.index.read() {
            Ok(index) => index.leading_findings_for(doc, &config),
            Err(_) => None,
        };
        let (findings, complete) = match leading {
            Some(findings) => (findings, false),
            None => (self.findings_for(doc), true),
        };
        let found = started.elapsed();
        let diagnostics = self.to_diagnostics(doc, uri, &findings);
        debug!(
            "{}: findings {found:?}, converted {:?}",
            doc.key.as_str(),
            started.elapsed() - found
        );
        (diagnostics, complete)
    }

    fn to_diagnostics(&self, doc: &IndexedDoc, uri: &Uri, findings: &[Finding]) -> Vec<Diagnostic> {
        self.diagnostics_in(&doc.lines(), uri, findings)
    }

    /// `findings` as LSP diagnostics, positions in the negotiated encoding.
    fn diagnostics_in(
        &self,
        lines: &LineIndex,
        uri: &Uri,
        findings: &[Finding],
    ) -> Vec<Diagnostic> {
        let encoding = self.encoding();
        findings.iter().map(|f| convert::diagnostic(lines, uri, f, encoding)).collect()
    }

    /// Re-analyse an open document off the message loop and publish its diagnostics, unless a
    /// newer version arrived meanwhile. Also refreshes the document's entry in the index.
    ///
    /// At most one analysis per document runs at a time: a request made while one runs is
    /// remembered, and the running job goes again, at the newest version, when it is done. A
    /// burst of edits thus costs two analyses, not one per edit running side by side (each
    /// holding its own copy of the text), and a document's diagnostics are published in
    /// version order.
    fn schedule_analysis(self: &Arc<Self>, key: DocKey) {
        match self.analysing.entry(key.clone()) {
            Entry::Occupied(mut running) => {
                *running.get_mut() = true;
                return;
            }
            Entry::Vacant(slot) => {
                slot.insert(false);
            }
        }
        let shared = self.clone();
        tokio::spawn(async move {
            let mut guard = AnalysisGuard { shared: &shared, key: &key, armed: true };
            loop {
                shared.analyse_and_publish(&key).await;
                match shared.analysing.entry(key.clone()) {
                    Entry::Occupied(mut running) if *running.get() => *running.get_mut() = false,
                    Entry::Occupied(running) => {
                        running.remove();
                        break;
                    }
                    Entry::Vacant(_) => break,
                }
            }
            guard.armed = false;
        });
    }

    /// One analysis of an open document at its current version, then its diagnostics.
    async fn analyse_and_publish(self: &Arc<Self>, key: &DocKey) {
        let Some(snapshot) = self.documents.get(key) else {
            return;
        };
        let version = snapshot.doc.version;
        let worker = self.clone();
        let job_key = key.clone();
        let job = tokio::task::spawn_blocking(move || {
            debug!("analysing {} v{version}", job_key.as_str());
            // Superseded before we started: a newer version will be analysed anyway.
            if worker.documents.version(&job_key) != Some(version) {
                return None;
            }
            let started = Instant::now();
            worker.publish_early(&job_key, &snapshot);
            // Reuses the index's analysis when it is already at this version.
            let doc = match worker.current(&job_key) {
                Some(doc) if doc.version == Some(version) => doc,
                _ => worker.index_open(&job_key, &snapshot),
            };
            let analysed = started.elapsed();
            // Read before the diagnostics are made: when it is still current afterwards, they
            // are up to date with what the workspace explains.
            let explained = worker.index.read().map(|i| i.explained_generation()).ok();
            // Serialised here, off the message loop (see `super::publish`).
            let frame = (!worker.session().pull_diagnostics).then(|| {
                let (diagnostics, complete) = worker.first_diagnostics(&doc, &snapshot.uri);
                let converted = started.elapsed();
                let frame = DiagnosticsFrame::new(&snapshot.uri, &diagnostics, Some(version));
                (frame, complete, started.elapsed() - converted)
            });
            debug!(
                "{} v{version}: analysis {analysed:?}, then diagnostics {:?} (of which \
                 serialising {:?}, {} bytes)",
                job_key.as_str(),
                started.elapsed() - analysed,
                frame.as_ref().map_or(Default::default(), |f| f.2),
                frame.as_ref().map_or(0, |f| f.0.len()),
            );
            let frame = frame.map(|(frame, complete, _)| (frame, complete));
            Some((snapshot.uri.clone(), frame, doc, explained))
        });
        match job.await {
            Ok(Some((uri, frame, doc, explained))) => {
                // This version defines an acronym nothing else explains, or no longer does:
                // the other open documents' undefined acronyms change (this one's diagnostics
                // were made with the change, unless another came meanwhile). `Some(except)`
                // then.
                let others = self
                    .explained_change()
                    .map(|now| (explained == Some(now)).then(|| key.clone()));
                // A pulling client that got this document's early diagnostics pulls again.
                let pulled_early = self.refresh_after.remove(key).is_some();
                if others.is_some() || pulled_early {
                    let worker = self.clone();
                    tokio::spawn(async move {
                        worker.refresh_pulled().await;
                        if let Some(except) = others {
                            worker.reanalyse_open(except.as_ref());
                        }
                    });
                }
                if let Some((frame, complete)) = frame {
                    self.publish_if_current(key, frame, version);
                    if !complete {
                        // Now all of them, for the count in the summary (before this
                        // document's next analysis, which waits for this one).
                        let worker = self.clone();
                        let doc = doc.clone();
                        let all = tokio::task::spawn_blocking(move || {
                            let all = worker.diagnostics_for(&doc, &uri);
                            DiagnosticsFrame::new(&uri, &all, Some(version))
                        });
                        if let Ok(all) = all.await {
                            self.publish_if_current(key, all, version);
                        }
                    }
                }
                // What hover and references read, made once the user pauses rather than at
                // the first request; then the page cache of a document the scan analysed.
                // Not while edits keep coming: it would compete with their analyses.
                // Waiting holds the key, not the analysis: the versions a burst of edits
                // leaves behind are freed at once.
                let worker = self.clone();
                let (key, version) = (doc.key.clone(), doc.version);
                drop(doc);
                tokio::spawn(async move {
                    tokio::time::sleep(IDLE_BEFORE_FACTS).await;
                    if worker.documents.version(&key) != version {
                        return;
                    }
                    let _ = tokio::task::spawn_blocking(move || {
                        worker.release_spare(&key);
                        let indexed = worker.index.read().ok().and_then(|i| i.get(&key).cloned());
                        let Some(doc) = indexed.filter(|d| d.version == version) else { return };
                        if worker.documents.version(&key) == version {
                            doc.analysis.facts();
                        }
                        worker.warm_page_cache(&doc);
                    })
                    .await;
                });
            }
            Ok(None) => {}
            // The runtime is shutting down.
            Err(err) if err.is_cancelled() => debug!("analysis of {} cancelled", key.as_str()),
            Err(err) => error!("analysis of {} v{version} failed: {err}", key.as_str()),
        }
    }

    /// For a large document that nothing has analysed yet (opened from outside the
    /// workspace, or before the scan reached it), the first findings from its first pages,
    /// published before the whole document is analysed (see [`analysis::early_findings`]).
    fn publish_early(&self, key: &DocKey, open: &OpenDocument) {
        // Runs before every analysis: the cheap tests first.
        if open.doc.rope.len_bytes() < analysis::EARLY_MIN_BYTES || self.session().pull_diagnostics
        {
            return;
        }
        if let Some(diagnostics) = self.early_diagnostics(key, open, true) {
            let frame = DiagnosticsFrame::new(&open.uri, &diagnostics, Some(open.doc.version));
            self.publish_if_current(key, frame, open.doc.version);
        }
    }

    /// The early diagnostics of `open` (see [`Shared::publish_early`]); `None` when the
    /// usual way is as quick: the document is small, in the index, or has an analysis to
    /// start from. Without `wait`, a running analysis does not hold this up: the document's
    /// language model is then counted here too.
    fn early_diagnostics(
        &self,
        key: &DocKey,
        open: &OpenDocument,
        wait: bool,
    ) -> Option<Vec<Diagnostic>> {
        let started = Instant::now();
        if open.doc.rope.len_bytes() < analysis::EARLY_MIN_BYTES {
            return None;
        }
        let index = self.index.read().ok()?;
        let (workspace_model, indexed) = (index.model_for(key), index.get(key).is_some());
        drop(index);
        if indexed {
            return None;
        }
        let text = open.doc.snapshot(None);
        let state = self.page_cache(key);
        let locked = match wait {
            true => Some(lock(&state)),
            false => state.try_lock().ok(),
        };
        let model = match locked {
            Some(mut state) => match state.of_opening(open.opened) {
                state if !state.pages.is_empty() => return None,
                state => state.model(workspace_model, &text),
            },
            // Busy: most likely with the document's first analysis, which learns the same
            // model from the same text (anything else only makes the early ones differ).
            None => workspace_model.unwrap_or_else(|| Arc::new(LanguageModel::from_text(&text))),
        };
        let modelled = started.elapsed();
        let findings = analysis::early_findings(&text, &model, &self.config())?;
        let found = started.elapsed();
        let diagnostics = self.diagnostics_in(&LineIndex::new(&text), &open.uri, &findings);
        debug!(
            "{}: {} early diagnostics in {:?} (model {modelled:?}, findings {:?})",
            key.as_str(),
            diagnostics.len(),
            started.elapsed(),
            found - modelled
        );
        Some(diagnostics)
    }

    fn publish_if_current(&self, key: &DocKey, frame: DiagnosticsFrame, version: i32) {
        if self.documents.version(key) == Some(version) {
            self.publisher.send(frame);
        } else {
            debug!("dropping diagnostics of {} v{version}: superseded", key.as_str());
        }
    }

    /// Index every file of the workspace folders, reporting progress to the client.
    async fn scan_workspace(self: Arc<Self>) {
        let generation = self.scan_generation.fetch_add(1, Ordering::SeqCst) + 1;
        let session = self.session();
        let config = self.config();
        let filter = match FileFilter::new(&config) {
            Ok(filter) => filter,
            Err(err) => {
                self.client.show_message(MessageType::ERROR, format!("scholion: {err}")).await;
                return;
            }
        };
        let progress = if session.work_done_progress {
            let token = ProgressToken::String(format!("scholion-index-{generation}"));
            match self.client.create_work_done_progress(token.clone()).await {
                Ok(()) => Some(
                    self.client
                        .progress(token, "Scholion: indexing")
                        .with_percentage(0)
                        .begin()
                        .await,
                ),
                Err(err) => {
                    warn!("client refused a progress token: {err}");
                    None
                }
            }
        } else {
            None
        };
        let roots = session.roots.clone();
        let lister = filter.clone();
        let files = tokio::task::spawn_blocking(move || {
            roots.iter().flat_map(|root| workspace::discover(root, &lister)).collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        if let Ok(mut index) = self.index.write() {
            index.retain_open();
        }
        self.reload_glossaries().await;
        let total = files.len();
        let started = Instant::now();
        // Read every file first: the layout's language model learns from the whole workspace
        // (open documents in their editor version), then each document is analysed with it.
        let mut texts: FileTexts = Vec::new();
        let mut skipped = 0usize;
        const BATCH: usize = 64;
        for (batch_number, batch) in files.chunks(BATCH).enumerate() {
            if self.scan_generation.load(Ordering::SeqCst) != generation {
                info!("workspace scan {generation} superseded");
                return;
            }
            let batch = batch.to_vec();
            let worker = self.clone();
            let max = config.max_file_size;
            let (read, bad) = tokio::task::spawn_blocking(move || read_files(&worker, &batch, max))
                .await
                .unwrap_or_default();
            texts.extend(read);
            skipped += bad;
            if let Some(progress) = &progress {
                let done = ((batch_number + 1) * BATCH).min(total);
                let percent = (done * 50).checked_div(total).unwrap_or(50) as u32;
                progress.report_with_message(format!("read {done}/{total} files"), percent).await;
            }
        }
        let read_in = started.elapsed();
        let worker = self.clone();
        let texts = Arc::new(texts);
        self.set_scanned_texts(generation, Some(texts.clone()));
        let model_texts = texts.clone();
        let _ = tokio::task::spawn_blocking(move || {
            let open: Vec<(DocKey, SharedText)> = worker
                .documents
                .keys()
                .into_iter()
                .filter_map(|key| worker.documents.get(&key).map(|o| (key, o.doc.snapshot(None))))
                .collect();
            let model = workspace::build_model(
                model_texts
                    .iter()
                    .map(|(_, _, t)| t.as_str())
                    .chain(open.iter().map(|(_, t)| t.as_str())),
            );
            let keys = model_texts
                .iter()
                .map(|(k, _, _)| k.clone())
                .chain(open.into_iter().map(|(k, _)| k));
            if let Ok(mut index) = worker.index.write() {
                index.set_model(model, keys.collect());
            }
        })
        .await;
        let modelled_in = started.elapsed();
        let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel();
        let worker = self.clone();
        let analysed = texts.clone();
        let analysis = tokio::task::spawn_blocking(move || {
            let current = || worker.scan_generation.load(Ordering::SeqCst) == generation;
            let report = |done: usize| {
                let _ = done_tx.send(done);
            };
            analyze_files_as_done(&worker, &analysed, Replace::Yes, &current, &report)
        });
        // Ends when the analysis is done (it drops the sender). Threads may tell their counts
        // out of order: only a higher one is news.
        let mut reported = 0;
        while let Some(done) = done_rx.recv().await {
            if done <= reported {
                continue;
            }
            reported = done;
            if let Some(progress) = &progress {
                let percent = 50 + (done * 50).checked_div(texts.len()).unwrap_or(50) as u32;
                progress
                    .report_with_message(format!("analysed {done}/{} files", texts.len()), percent)
                    .await;
            }
        }
        let indexed = analysis.await.unwrap_or(0);
        if self.scan_generation.load(Ordering::SeqCst) != generation {
            info!("workspace scan {generation} superseded");
            return;
        }
        self.set_scanned_texts(generation, None);
        let summary = format!("indexed {indexed} files, skipped {skipped}");
        info!(
            "{summary} in {:?} (read by {read_in:?}, language model by {modelled_in:?})",
            started.elapsed()
        );
        if let Some(progress) = progress {
            progress.finish_with_message(summary).await;
        }
        self.after_index_change().await;
    }

    /// Share (or with `None`, withdraw) the texts scan `generation` has read; a newer scan's
    /// texts are not withdrawn by an older one.
    fn set_scanned_texts(&self, generation: u64, texts: Option<Arc<FileTexts>>) {
        if let Ok(mut slot) = self.scanned_texts.write() {
            match texts {
                Some(texts) => {
                    let asked = Mutex::default();
                    *slot = Some(Arc::new(ScannedTexts { generation, texts, asked }));
                }
                None if slot.as_ref().is_some_and(|s| s.generation == generation) => *slot = None,
                None => {}
            }
        }
    }

    /// While a scan runs, a question about an acronym that no indexed text defines yet first
    /// indexes the files that may define it (it stands next to a bracket there), so that its
    /// answer does not wait for the whole workspace. Blocking.
    fn index_definitions_ahead_of_scan(&self, doc: &IndexedDoc, offset: usize) {
        let Some(scanned) = self.scanned_texts.read().ok().and_then(|slot| slot.clone()) else {
            return;
        };
        let Some((short, _)) = query::acronym_at(doc, offset) else { return };
        let first_time = scanned.asked.lock().is_ok_and(|mut asked| asked.insert(short.clone()));
        if !first_time {
            return;
        }
        let candidates: Vec<_> = {
            let Ok(index) = self.index.read() else { return };
            if !index.definitions_of(&short).is_empty() {
                return;
            }
            let mut hinted: Vec<_> = scanned
                .texts
                .iter()
                .filter(|(key, _, _)| index.get(key).is_none())
                .map(|file| (acronyms::definition_hint(&file.2, &short), file))
                .filter(|(hint, _)| *hint > DefinitionHint::Absent)
                .collect();
            // Likely definitions first, each kind in scan order.
            hinted.sort_by_key(|(hint, _)| std::cmp::Reverse(*hint));
            hinted.into_iter().take(AHEAD_OF_SCAN_MAX_FILES).map(|(_, f)| f.clone()).collect()
        };
        if !candidates.is_empty() {
            debug!("indexing {} files ahead of the scan for {short}", candidates.len());
            analyze_files(self, &candidates, Replace::No);
        }
    }

    /// Tell the client that cross-document results changed.
    /// Open documents' diagnostics depend on the whole workspace (an acronym defined
    /// elsewhere), so they are published again; pulling clients are asked to refresh.
    async fn after_index_change(self: &Arc<Self>) {
        if let Ok(index) = self.index.read() {
            self.explained_seen.store(index.explained_generation(), Ordering::SeqCst);
        }
        self.refresh_pulled().await;
        self.reanalyse_open(None);
    }

    /// Ask a pulling client to pull diagnostics again (the workspace report covers every
    /// indexed file).
    async fn refresh_pulled(self: &Arc<Self>) {
        if self.session().diagnostic_refresh {
            if let Err(err) = self.client.workspace_diagnostic_refresh().await {
                debug!("diagnostic refresh refused: {err}");
            }
        }
    }

    /// Analyse every open document again (but `except`) and publish its diagnostics.
    fn reanalyse_open(self: &Arc<Self>, except: Option<&DocKey>) {
        for key in self.documents.keys() {
            if Some(&key) != except {
                self.schedule_analysis(key);
            }
        }
    }

    /// The index's `explained_generation` when it moved since last asked (or since
    /// [`Shared::after_index_change`]): only then can a document's new version, or its
    /// closing, change another's diagnostics (its undefined acronyms).
    fn explained_change(&self) -> Option<u64> {
        let generation = self.index.read().ok()?.explained_generation();
        (self.explained_seen.swap(generation, Ordering::SeqCst) != generation).then_some(generation)
    }

    /// Read the workspace's glossary files again; problems are shown to the user.
    async fn reload_glossaries(self: &Arc<Self>) {
        let roots = self.session().roots;
        let config = self.config();
        let loaded = tokio::task::spawn_blocking(move || {
            workspace::glossaries::load(&workspace::glossaries::glossary_paths(&roots, &config))
        })
        .await;
        let Ok((glossaries, errors)) = loaded else { return };
        info!("{} glossary files loaded", glossaries.files().len());
        if let Ok(mut index) = self.index.write() {
            index.set_glossaries(glossaries);
        }
        for error in errors {
            warn!("{error}");
            self.client.show_message(MessageType::WARNING, format!("scholion: {error}")).await;
        }
    }

    /// Ask the client for the `scholion` section and apply it. Returns whether the set of
    /// indexed files may have changed.
    async fn pull_configuration(self: &Arc<Self>) -> bool {
        let items = vec![ConfigurationItem { scope_uri: None, section: Some("scholion".into()) }];
        match self.client.configuration(items).await {
            Ok(values) => {
                let value = values.into_iter().next().unwrap_or(Value::Null);
                self.apply_configuration(&value).await
            }
            Err(err) => {
                warn!("workspace/configuration failed: {err}");
                false
            }
        }
    }

    /// Apply new settings and re-analyse open documents. Returns whether the set of indexed
    /// files may have changed (the caller then re-scans).
    async fn apply_configuration(self: &Arc<Self>, value: &Value) -> bool {
        let (config, warnings) = Config::from_json(value);
        for warning in &warnings {
            warn!("{warning}");
            self.client.show_message(MessageType::WARNING, format!("scholion: {warning}")).await;
        }
        let old = self.config();
        let new = self.set_config(config);
        let files_changed = old.include != new.include
            || old.exclude != new.exclude
            || old.max_file_size != new.max_file_size;
        if !files_changed {
            if old.glossaries != new.glossaries {
                self.reload_glossaries().await;
            }
            self.after_index_change().await;
        }
        files_changed
    }

    /// Diagnostics of one document (open or indexed), for pull requests.
    fn document_diagnostics(&self, key: &DocKey, uri: &Uri) -> Option<Vec<Diagnostic>> {
        if let Some(early) = self.early_for_pull(key) {
            return Some(early);
        }
        let doc = self.current(key)?;
        Some(self.diagnostics_for(&doc, uri))
    }

    /// The early diagnostics of a large open document that nothing has analysed, for a client
    /// that pulls them and can be asked to pull again (which the analysis job does once the
    /// whole document is analysed, see [`Shared::analyse_and_publish`]).
    fn early_for_pull(&self, key: &DocKey) -> Option<Vec<Diagnostic>> {
        if !self.session().diagnostic_refresh {
            return None;
        }
        let open = self.documents.get(key)?;
        let analysed = || {
            let index = self.index.read();
            index.is_ok_and(|index| {
                index.get(key).is_some_and(|d| d.version == Some(open.doc.version))
            })
        };
        if open.doc.rope.len_bytes() < analysis::EARLY_MIN_BYTES || analysed() {
            return None;
        }
        // Asked for before looking again: either the job sees this once it has indexed the
        // document, or the second look sees the job's result.
        self.refresh_after.insert(key.clone());
        let early = match analysed() {
            true => None,
            false => self.early_diagnostics(key, &open, false),
        };
        if early.is_none() {
            self.refresh_after.remove(key);
        }
        early
    }
}

/// Read one file into the index unless it is open in the editor. Returns false when skipped.
fn index_file(shared: &Shared, path: &Path, max_size: u64) -> bool {
    let (read, _) = read_files(shared, &[path.to_path_buf()], max_size);
    let ok = !read.is_empty() || shared.documents.get(&DocKey::from_path(path)).is_some();
    analyze_files(shared, &read, Replace::Yes);
    ok
}

/// Read files that are not open in the editor; unreadable ones are dropped from the index
/// (with a logged reason) and counted.
fn read_files(shared: &Shared, paths: &[PathBuf], max_size: u64) -> (FileTexts, usize) {
    let mut read = Vec::new();
    let mut skipped = 0;
    for path in paths {
        let key = DocKey::from_path(path);
        if shared.documents.get(&key).is_some() {
            continue;
        }
        if path.to_str().is_none() {
            // URIs would carry it lossily: two such files could share one, and requests on it
            // would name a file that does not exist.
            info!("not indexing {}: file name is not valid UTF-8", path.display());
            skipped += 1;
            continue;
        }
        match workspace::read_text(path, max_size) {
            Ok(text) => read.push((key, path.clone(), Arc::new(text))),
            Err(reason) => {
                info!("not indexing {}: {reason}", path.display());
                if let Ok(mut index) = shared.index.write() {
                    index.remove(&key);
                }
                skipped += 1;
            }
        }
    }
    (read, skipped)
}

/// Whether [`analyze_files`] replaces a file the index holds already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Replace {
    Yes,
    /// Indexing ahead of the scan: the scan's own analysis of a file wins.
    No,
}

/// How many analysed files [`analyze_files_as_done`] puts into the index at a time.
const INSERT_GROUP: usize = 16;

/// Analyse files read from disk (on all cores) and put them in the index, unless the editor
/// opened them meanwhile (the editor's text wins). Returns how many were indexed.
fn analyze_files(
    shared: &Shared,
    files: &[(DocKey, PathBuf, SharedText)],
    replace: Replace,
) -> usize {
    analyze_files_as_done(shared, files, replace, &|| true, &|_| {})
}

/// [`analyze_files`] that puts files into the index as they are done, a group at a time: no
/// core waits for a batch's last file, and the index is filled while the analysis goes on.
/// Once `keep_going` says no, starts no file and inserts no group; tells `progress` how many
/// are done after each group.
fn analyze_files_as_done(
    shared: &Shared,
    files: &[(DocKey, PathBuf, SharedText)],
    replace: Replace,
    keep_going: &(dyn Fn() -> bool + Sync),
    progress: &(dyn Fn(usize) + Sync),
) -> usize {
    let models: Vec<_> = match shared.index.read() {
        Ok(index) => files.iter().map(|(k, _, _)| index.model_for(k)).collect(),
        Err(_) => return 0,
    };
    let pending = Mutex::new(Vec::with_capacity(INSERT_GROUP));
    let (indexed, done) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let insert = |group: Vec<(usize, Arc<DocumentAnalysis>)>| {
        let count = group.len();
        // A newer scan may have indexed these files since (with its own model): leave them.
        if !keep_going() {
            return;
        }
        if let Ok(mut index) = shared.index.write() {
            for (i, analysis) in group {
                let (key, path, text) = &files[i];
                let held = replace == Replace::No && index.get(key).is_some();
                if !index.is_open(key) && !held {
                    index.upsert(key.clone(), Some(path.clone()), text.clone(), analysis, None);
                    indexed.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
        progress(done.fetch_add(count, Ordering::Relaxed) + count);
    };
    // Largest first: a large file taken last would leave the other cores idle meanwhile.
    let mut jobs: Vec<usize> = (0..files.len()).collect();
    jobs.sort_by_key(|&i| std::cmp::Reverse(files[i].2.len()));
    crate::parallel::map(&jobs, |&i| {
        if !keep_going() {
            return;
        }
        let (key, _, text) = &files[i];
        // One file's failure costs that file only (the others are analysed and indexed).
        let analyzed =
            catch_unwind(AssertUnwindSafe(|| workspace::analyze_one(text, models[i].as_deref())));
        let Ok(analysis) = analyzed else {
            error!("not indexing {}: its analysis panicked", key.as_str());
            return;
        };
        let full = {
            let mut pending = lock(&pending);
            pending.push((i, analysis));
            (pending.len() >= INSERT_GROUP).then(|| std::mem::take(&mut *pending))
        };
        if let Some(group) = full {
            insert(group);
        }
    });
    let rest = std::mem::take(&mut *lock(&pending));
    if !rest.is_empty() {
        insert(rest);
    }
    indexed.into_inner()
}

/// Run `work`, turning a panic into a JSON-RPC error that names the request.
fn guarded<T>(what: &str, uri: &Uri, work: impl FnOnce() -> T) -> Result<T> {
    catch_unwind(AssertUnwindSafe(work)).map_err(|panic| {
        let detail = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        error!("{what} on {} panicked: {detail}", uri.as_str());
        Error {
            code: ErrorCode::InternalError,
            message: format!("scholion: {what} failed: {detail}").into(),
            data: None,
        }
    })
}

fn unknown_document(uri: &Uri) -> Error {
    Error::invalid_params(format!(
        "unknown document {}: open it or add it to the workspace",
        uri.as_str()
    ))
}

fn client_supports_pull(params: &InitializeParams) -> bool {
    params.capabilities.text_document.as_ref().and_then(|t| t.diagnostic.as_ref()).is_some()
}

fn workspace_roots(params: &InitializeParams) -> Vec<PathBuf> {
    let mut roots: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|folder| folder.uri.to_file_path().map(|p| p.into_owned()))
        .collect();
    #[allow(deprecated)] // rootUri is still what older clients send
    if roots.is_empty() {
        if let Some(path) = params.root_uri.as_ref().and_then(|uri| uri.to_file_path()) {
            roots.push(path.into_owned());
        }
    }
    roots
}

/// Parameters and result of the test-only `scholion/documentText` request.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentTextParams {
    pub text_document: TextDocumentIdentifier,
    /// Also return the text the index holds for an open document's current version
    /// (analysing it now if needed), which the server makes without reading the editor's.
    #[serde(default)]
    pub indexed: bool,
}

#[derive(Debug, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DocumentTextResult {
    pub version: Option<i32>,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub indexed_text: Option<String>,
}

impl Backend {
    pub async fn document_text(&self, params: DocumentTextParams) -> Result<DocumentTextResult> {
        let uri = params.text_document.uri;
        let key = doc_key(&uri);
        if let Some(open) = self.shared.documents.get(&key) {
            let indexed_text = match params.indexed {
                true => {
                    let shared = self.shared.clone();
                    let indexed = tokio::task::spawn_blocking(move || shared.current(&key)).await;
                    indexed
                        .ok()
                        .flatten()
                        .filter(|doc| doc.version == Some(open.doc.version))
                        .map(|doc| doc.text.to_string())
                }
                false => None,
            };
            return Ok(DocumentTextResult {
                version: Some(open.doc.version),
                text: open.doc.text(),
                indexed_text,
            });
        }
        let index = self.shared.index.read().map_err(|_| internal("index unavailable"))?;
        let doc = index.get(&key).ok_or_else(|| unknown_document(&uri))?;
        Ok(DocumentTextResult { version: None, text: doc.text.to_string(), indexed_text: None })
    }

    /// Run `work` on the blocking pool with the current analysis of `uri`'s document, the
    /// index, and the byte offset of `position`. Unknown documents and panics become errors.
    async fn on_document<T: Send + 'static>(
        &self,
        what: &'static str,
        uri: Uri,
        position: Option<Position>,
        work: impl FnOnce(&Shared, &WorkspaceIndex, &IndexedDoc, usize) -> T + Send + 'static,
    ) -> Result<T> {
        let shared = self.shared.clone();
        tokio::task::spawn_blocking(move || {
            let key = doc_key(&uri);
            let doc = shared.current(&key).ok_or_else(|| unknown_document(&uri))?;
            let encoding = shared.encoding();
            let offset =
                position.map(|p| convert::to_offset(&doc.lines(), p, encoding)).unwrap_or(0);
            if position.is_some() {
                shared.index_definitions_ahead_of_scan(&doc, offset);
            }
            let index = shared.index.read().map_err(|_| internal("index unavailable"))?;
            guarded(what, &uri, || work(&shared, &index, &doc, offset))
        })
        .await
        .map_err(|err| internal(&format!("{what} failed: {err}")))?
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let offered: Vec<String> = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .map(|encodings| encodings.iter().map(|e| e.as_str().to_string()).collect())
            .unwrap_or_default();
        let encoding = PositionEncoding::negotiate(&offered);
        let workspace_caps = params.capabilities.workspace.as_ref();
        let session = Session {
            encoding,
            roots: workspace_roots(&params),
            pull_diagnostics: client_supports_pull(&params),
            diagnostic_refresh: workspace_caps
                .and_then(|w| w.diagnostics.as_ref())
                .and_then(|d| d.refresh_support)
                .unwrap_or(false),
            work_done_progress: params
                .capabilities
                .window
                .as_ref()
                .and_then(|w| w.work_done_progress)
                .unwrap_or(false),
            watch_dynamic: workspace_caps
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            configuration_pull: workspace_caps.and_then(|w| w.configuration).unwrap_or(false),
        };
        info!(
            "initialize: encoding {}, roots {:?}, pull diagnostics {}",
            encoding.as_str(),
            session.roots,
            session.pull_diagnostics
        );
        let pull = session.pull_diagnostics;
        if let Ok(mut slot) = self.shared.session.write() {
            *slot = session;
        }
        if let Some(options) = &params.initialization_options {
            let (config, warnings) = Config::from_json(options);
            for warning in warnings {
                warn!("initializationOptions: {warning}");
            }
            self.shared.set_config(config);
        }

        let capabilities = ServerCapabilities {
            position_encoding: Some(PositionEncodingKind::from(encoding.as_str().to_string())),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..TextDocumentSyncOptions::default()
                },
            )),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::QUICKFIX,
                    CodeActionKind::REFACTOR_REWRITE,
                    CodeActionKind::SOURCE_FIX_ALL,
                    CodeActionKind::from(FIX_ALL_KIND),
                ]),
                ..CodeActionOptions::default()
            })),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            definition_provider: Some(OneOf::Left(true)),
            references_provider: Some(OneOf::Left(true)),
            document_symbol_provider: Some(OneOf::Left(true)),
            workspace_symbol_provider: Some(OneOf::Left(true)),
            diagnostic_provider: pull.then(|| {
                DiagnosticServerCapabilities::Options(DiagnosticOptions {
                    identifier: Some("scholion".into()),
                    inter_file_dependencies: true,
                    workspace_diagnostics: true,
                    ..DiagnosticOptions::default()
                })
            }),
            ..ServerCapabilities::default()
        };
        Ok(InitializeResult {
            capabilities,
            server_info: Some(ServerInfo {
                name: "scholion".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let shared = self.shared.clone();
        let session = shared.session();
        // Each of these waits on the client, so each runs in its own task.
        if session.watch_dynamic {
            let watcher = shared.clone();
            tokio::spawn(async move {
                let config = watcher.config();
                let watchers = config
                    .include
                    .iter()
                    .chain(std::iter::once(&format!(
                        "**/{}",
                        workspace::glossaries::WORKSPACE_GLOSSARY
                    )))
                    .chain(config.glossaries.iter())
                    .map(|glob| FileSystemWatcher {
                        glob_pattern: GlobPattern::String(glob.clone()),
                        kind: None,
                    })
                    .collect();
                let options = DidChangeWatchedFilesRegistrationOptions { watchers };
                let registration = Registration {
                    id: WATCHER_REGISTRATION_ID.into(),
                    method: "workspace/didChangeWatchedFiles".into(),
                    register_options: serde_json::to_value(options).ok(),
                };
                if let Err(err) = watcher.client.register_capability(vec![registration]).await {
                    warn!("could not register a file watcher: {err}");
                }
            });
        }
        if session.configuration_pull {
            let puller = shared.clone();
            tokio::spawn(async move {
                puller.pull_configuration().await;
                puller.scan_workspace().await;
            });
        } else {
            tokio::spawn(shared.scan_workspace());
        }
    }

    async fn shutdown(&self) -> Result<()> {
        info!("shutdown");
        self.shutdown_requested.store(true, Ordering::SeqCst);
        // Stop a running scan.
        self.shared.scan_generation.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        debug!("didOpen {} v{}: {} bytes", doc.uri.as_str(), doc.version, doc.text.len());
        let key = doc_key(&doc.uri);
        self.shared.documents.open(doc.uri, &doc.text, doc.version, &doc.language_id);
        self.shared.schedule_analysis(key);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        // Synchronous up to the end: this keeps edits in arrival order.
        let changes: Vec<TextChange> = params
            .content_changes
            .into_iter()
            .map(|c| TextChange {
                range: c.range.map(|r| {
                    (convert::from_lsp_position(r.start), convert::from_lsp_position(r.end))
                }),
                text: c.text,
            })
            .collect();
        let uri = params.text_document.uri;
        let version = params.text_document.version;
        let encoding = self.shared.encoding();
        match self.shared.documents.change(&uri, version, &changes, encoding) {
            ChangeOutcome::Applied => {
                debug!("didChange {} v{version} applied", uri.as_str());
                self.shared.schedule_analysis(doc_key(&uri))
            }
            ChangeOutcome::Stale { stored } => {
                warn!("ignoring change to {} v{version}: already at v{stored}", uri.as_str())
            }
            ChangeOutcome::UnknownDocument => {
                warn!("change to {} which is not open", uri.as_str())
            }
            ChangeOutcome::Failed(err) => error!("change to {} v{version}: {err}", uri.as_str()),
        }
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        // The buffer already holds the saved text; re-run so the index is current.
        self.shared.schedule_analysis(doc_key(&params.text_document.uri));
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let key = doc_key(&uri);
        let closed = self.shared.documents.close(&uri);
        let state = self.shared.page_caches.remove(&key);
        self.shared.refresh_after.remove(&key);
        let path = uri.to_file_path().map(|p| p.into_owned());
        let in_workspace = path.as_ref().is_some_and(|path| self.shared.in_workspace(path));
        // Drop the editor's text now; the file on disk, if it belongs to the workspace, is read
        // back in the background and is the truth again for cross-document features.
        let removed = self.shared.index.write().ok().and_then(|mut index| {
            if !in_workspace {
                // A scan read it while it was open; opened again, perhaps with other text, it
                // learns a model of its own.
                index.forget_model_of(&key);
            }
            index.remove(&key)
        });
        // Not here: the next message is read only after this returns (notifications are
        // handled in order), and that is often the next document's `didOpen`.
        drop_later((closed, state, removed));
        let shared = self.shared.clone();
        tokio::spawn(async move {
            let max = shared.config().max_file_size;
            let worker = shared.clone();
            let _ = tokio::task::spawn_blocking(move || {
                if let Some(path) = path.filter(|p| p.is_file() && worker.in_workspace(p)) {
                    index_file(&worker, &path, max);
                }
            })
            .await;
            if !shared.session().pull_diagnostics {
                shared.publisher.send(DiagnosticsFrame::new(&uri, &[], None));
            }
            // The closed document's own report changes (it is the file on disk now, or gone);
            // other open documents' diagnostics only when what the workspace explains does.
            shared.refresh_pulled().await;
            if shared.explained_change().is_some() {
                shared.reanalyse_open(None);
            }
        });
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let shared = self.shared.clone();
        tokio::spawn(async move {
            let config = shared.config();
            let worker = shared.clone();
            let glossary_changed = tokio::task::spawn_blocking(move || {
                let mut glossary_changed = false;
                for change in params.changes {
                    let Some(path) = change.uri.to_file_path().map(|p| p.into_owned()) else {
                        continue;
                    };
                    if workspace::glossaries::is_glossary_path(&path, &config) {
                        glossary_changed = true;
                        continue;
                    }
                    let included = worker.in_workspace(&path);
                    let key = DocKey::from_path(&path);
                    if worker.documents.get(&key).is_some() {
                        continue; // the editor's buffer wins over the disk
                    }
                    if change.typ == FileChangeType::DELETED || !path.is_file() || !included {
                        if let Ok(mut index) = worker.index.write() {
                            index.remove(&key);
                        }
                    } else {
                        index_file(&worker, &path, config.max_file_size);
                    }
                }
                glossary_changed
            })
            .await
            .unwrap_or(false);
            if glossary_changed {
                shared.reload_glossaries().await;
            }
            shared.after_index_change().await;
        });
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let shared = self.shared.clone();
        tokio::spawn(async move {
            let files_changed = if shared.session().configuration_pull {
                shared.pull_configuration().await
            } else {
                shared.apply_configuration(&params.settings).await
            };
            if files_changed {
                shared.scan_workspace().await;
            }
        });
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let uri = params.text_document.uri.clone();
        let range = params.range;
        let only = params.context.only.clone();
        self.on_document(
            "codeAction",
            uri.clone(),
            Some(range.start),
            move |shared, index, doc, start| {
                let encoding = shared.encoding();
                let lines = doc.lines();
                let end = convert::to_offset(&lines, range.end, encoding).max(start);
                // Findings are recomputed, so actions work whether or not the client sends its
                // diagnostics in the request context.
                let findings = index.findings_for(doc, &shared.config());
                let wants = |kind: &CodeActionKind| {
                    only.as_ref().is_none_or(|kinds| {
                        kinds.iter().any(|k| kind.as_str().starts_with(k.as_str()))
                    })
                };
                let mut actions = Vec::new();
                if wants(&CodeActionKind::QUICKFIX) {
                    for finding in findings.iter().filter(|f| overlaps(&f.range, start, end)) {
                        for fix in &finding.fixes {
                            actions.push(CodeActionOrCommand::CodeAction(convert::quick_fix(
                                &lines, &uri, finding, fix, encoding,
                            )));
                        }
                    }
                }
                if wants(&CodeActionKind::REFACTOR_REWRITE) {
                    for action in features::rewrite_actions(index, doc, &uri, start, encoding) {
                        actions.push(CodeActionOrCommand::CodeAction(action));
                    }
                }
                if wants(&CodeActionKind::from(FIX_ALL_KIND)) {
                    if let Some(action) = fix_all(&lines, &uri, &findings, encoding) {
                        actions.push(CodeActionOrCommand::CodeAction(action));
                    }
                }
                Some(actions)
            },
        )
        .await
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let at = params.text_document_position_params;
        self.on_document(
            "hover",
            at.text_document.uri,
            Some(at.position),
            |shared, index, doc, offset| features::hover(index, doc, offset, shared.encoding()),
        )
        .await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        let at = params.text_document_position_params;
        self.on_document(
            "definition",
            at.text_document.uri,
            Some(at.position),
            |shared, index, doc, offset| {
                let findings = || doc.analysis.intrinsic_findings_at(&doc.text, offset);
                features::definition(index, doc, offset, findings, shared.encoding())
            },
        )
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let at = params.text_document_position;
        let include_declaration = params.context.include_declaration;
        self.on_document(
            "references",
            at.text_document.uri,
            Some(at.position),
            move |shared, index, doc, offset| {
                features::references(index, doc, offset, include_declaration, shared.encoding())
            },
        )
        .await
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        self.on_document("documentSymbol", params.text_document.uri, None, |shared, _, doc, _| {
            Some(DocumentSymbolResponse::Nested(features::document_symbols(doc, shared.encoding())))
        })
        .await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        let shared = self.shared.clone();
        tokio::task::spawn_blocking(move || {
            // Open documents at the editor's version: the background analysis may not have
            // caught up with the last edit, and stale ranges can lie outside the new text.
            for key in shared.documents.keys() {
                let _ = shared.current(&key);
            }
            let index = shared.index.read().map_err(|_| internal("index unavailable"))?;
            let symbols = features::workspace_symbols(&index, &params.query, shared.encoding());
            Ok(Some(WorkspaceSymbolResponse::Flat(symbols)))
        })
        .await
        .map_err(|err| internal(&format!("workspace symbols failed: {err}")))?
    }

    async fn diagnostic(
        &self,
        params: DocumentDiagnosticParams,
    ) -> Result<DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let key = doc_key(&uri);
        let shared = self.shared.clone();
        let job_uri = uri.clone();
        let items =
            tokio::task::spawn_blocking(move || shared.document_diagnostics(&key, &job_uri))
                .await
                .map_err(|err| internal(&format!("diagnostics failed: {err}")))?;
        let Some(items) = items else {
            return Err(unknown_document(&uri));
        };
        Ok(DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
            RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport {
                    result_id: None,
                    items,
                },
            },
        )))
    }

    async fn workspace_diagnostic(
        &self,
        _: WorkspaceDiagnosticParams,
    ) -> Result<WorkspaceDiagnosticReportResult> {
        let shared = self.shared.clone();
        // tower-lsp drops this future when the client cancels the request; the guard then tells
        // the blocking job to stop instead of working on for nobody.
        let cancelled = CancelOnDrop::default();
        let stop = cancelled.flag.clone();
        let items = tokio::task::spawn_blocking(move || {
            let docs: Vec<(DocKey, Option<PathBuf>)> = match shared.index.read() {
                Ok(index) => index.docs().map(|d| (d.key.clone(), d.path.clone())).collect(),
                Err(_) => Vec::new(),
            };
            let total = docs.len();
            let mut items = Vec::new();
            for (done, (key, path)) in docs.into_iter().enumerate() {
                if stop.load(Ordering::Relaxed) {
                    info!("workspace diagnostics cancelled after {done} of {total} documents");
                    break;
                }
                let open = shared.documents.get(&key);
                let uri = match (&open, path) {
                    (Some(open), _) => open.uri.clone(),
                    (None, Some(path)) => match Uri::from_file_path(&path) {
                        Some(uri) => uri,
                        None => continue,
                    },
                    (None, None) => continue,
                };
                let Some(diagnostics) = shared.document_diagnostics(&key, &uri) else {
                    continue;
                };
                items.push(WorkspaceDocumentDiagnosticReport::Full(
                    WorkspaceFullDocumentDiagnosticReport {
                        uri,
                        version: open.map(|o| i64::from(o.doc.version)),
                        full_document_diagnostic_report: FullDocumentDiagnosticReport {
                            result_id: None,
                            items: diagnostics,
                        },
                    },
                ));
            }
            items
        })
        .await
        .map_err(|err| internal(&format!("workspace diagnostics failed: {err}")))?;
        drop(cancelled);
        Ok(WorkspaceDiagnosticReportResult::Report(WorkspaceDiagnosticReport { items }))
    }
}

/// Sets its flag when dropped: a request handler's future is dropped when the request is
/// cancelled, and blocking work it started watches the flag.
#[derive(Default)]
struct CancelOnDrop {
    flag: Arc<AtomicBool>,
}

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.flag.store(true, Ordering::Relaxed);
    }
}

/// How long a document stays unedited before its facts are made in the background.
const IDLE_BEFORE_FACTS: Duration = Duration::from_millis(250);

/// The largest document whose page cache is filled when it is idle (see
/// [`Shared::warm_page_cache`]): 2 MB take about 0.2 s of both cores, 10 MB 0.75 s, which
/// slowed edits typed meanwhile from about 4 to 8 ms (p50).
const WARM_MAX_BYTES: usize = 2 << 20;

/// Drops `value` on a background thread. Freeing the analysis of a large document (tens of
/// thousands of allocations) would otherwise delay the next diagnostics.
fn drop_in_background<T: Send + 'static>(value: T) {
    send_to_drop(value, false);
}

/// How long a closed document's analyses are kept before they are freed: an editor that
/// closes one document often opens or edits another at once, and freeing a megabyte's
/// analyses takes milliseconds of a core (and of the allocator) that its diagnostics need.
const CLOSED_FREED_AFTER: Duration = Duration::from_secs(1);

/// Drops `value` on the background thread once [`CLOSED_FREED_AFTER`] has passed.
fn drop_later<T: Send + 'static>(value: T) {
    send_to_drop(value, true);
}

/// Something to free, and from when on (`None`: at once).
type Garbage = (Option<Instant>, Box<dyn Send>);

fn send_to_drop<T: Send + 'static>(value: T, later: bool) {
    static BIN: OnceLock<Option<Mutex<std::sync::mpsc::Sender<Garbage>>>> = OnceLock::new();
    let bin = BIN.get_or_init(|| {
        let (sender, receiver) = std::sync::mpsc::channel::<Garbage>();
        let spawned =
            std::thread::Builder::new().name("scholion-drop".into()).spawn(move || free(receiver));
        spawned.ok().map(|_| Mutex::new(sender))
    });
    let at = later.then(|| Instant::now() + CLOSED_FREED_AFTER);
    // Without the thread (or once it is gone) the value is dropped here, as usual.
    if let Some(sender) = bin.as_ref().and_then(|sender| sender.lock().ok()) {
        let _ = sender.send((at, Box::new(value)));
    }
}

/// The drop thread: frees what comes at once, or when its time has come. Every delayed value
/// waits as long, so they come due in the order they came.
fn free(receiver: std::sync::mpsc::Receiver<Garbage>) {
    use std::sync::mpsc::RecvTimeoutError;
    let mut waiting: VecDeque<(Instant, Box<dyn Send>)> = VecDeque::new();
    loop {
        let next = match waiting.front() {
            Some(&(at, _)) => receiver.recv_timeout(at.saturating_duration_since(Instant::now())),
            None => receiver.recv().map_err(|_| RecvTimeoutError::Disconnected),
        };
        match next {
            Ok((Some(at), value)) if at > Instant::now() => waiting.push_back((at, value)),
            Ok((_, value)) => drop(value),
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return, // the rest goes with the thread
        }
        while waiting.front().is_some_and(|&(at, _)| at <= Instant::now()) {
            waiting.pop_front();
        }
    }
}

/// A lock that a panic elsewhere did not poison for good: the state it guards is kept from
/// one analysis to the next, and each use checks what it finds.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn internal(message: &str) -> Error {
    error!("{message}");
    Error { code: ErrorCode::InternalError, message: message.to_string().into(), data: None }
}

fn overlaps(range: &std::ops::Range<usize>, start: usize, end: usize) -> bool {
    range.start <= end && start <= range.end
}

/// One action applying every safe fix whose edits do not overlap an earlier one.
fn fix_all(
    lines: &LineIndex,
    uri: &Uri,
    findings: &[Finding],
    encoding: PositionEncoding,
) -> Option<CodeAction> {
    let edits = crate::analysis::safe_edits(findings);
    if edits.is_empty() {
        return None;
    }
    let fix = crate::finding::Fix {
        title: format!("Fix all safe Scholion findings ({})", edits.len()),
        edits,
        safe: true,
        preferred: false,
    };
    Some(CodeAction {
        title: fix.title.clone(),
        kind: Some(CodeActionKind::from(FIX_ALL_KIND)),
        edit: Some(convert::workspace_edit(lines, uri, &fix, encoding)),
        ..CodeAction::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> SharedText {
        Arc::new(s.to_string())
    }

    /// The spare is the older of the last two texts kept, and goes with a new opening.
    #[test]
    fn the_spare_is_the_older_of_the_last_two_texts_of_one_opening() {
        let mut state = OpenAnalysisState::default();
        let state = state.of_opening(1);
        state.keep_text(1, text("one"));
        assert!(state.take_spare().is_none(), "the only text is the index's");
        state.keep_text(2, text("two"));
        state.keep_text(3, text("three"));
        let spare = state.take_spare().map(|spare| (spare.version, spare.text.to_string()));
        assert_eq!(spare, Some((2, "two".to_string())));
        assert!(state.take_spare().is_none());
        state.keep_text(4, text("four"));
        let reopened = state.of_opening(2);
        assert!(reopened.recent_texts.is_empty() && reopened.pages.is_empty());
    }

    /// What is dropped later waits its time; what is dropped in the background meanwhile does
    /// not wait for it.
    #[test]
    fn values_dropped_later_wait_and_do_not_hold_up_the_others() {
        struct Flag(Arc<AtomicBool>);
        impl Drop for Flag {
            fn drop(&mut self) {
                self.0.store(true, Ordering::SeqCst);
            }
        }
        let wait_for = |flag: &AtomicBool| {
            let deadline = Instant::now() + Duration::from_secs(10);
            while !flag.load(Ordering::SeqCst) && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(5));
            }
            flag.load(Ordering::SeqCst)
        };
        let (later, now) = (Arc::new(AtomicBool::new(false)), Arc::new(AtomicBool::new(false)));
        let sent = Instant::now();
        drop_later(Flag(later.clone()));
        drop_in_background(Flag(now.clone()));
        assert!(wait_for(&now));
        if sent.elapsed() < CLOSED_FREED_AFTER {
            assert!(!later.load(Ordering::SeqCst), "dropped before its time");
        }
        assert!(wait_for(&later));
        assert!(sent.elapsed() >= CLOSED_FREED_AFTER);
    }
}
