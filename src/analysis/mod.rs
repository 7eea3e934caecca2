//! The analysis core's entry point: the layout, facts and findings of one document.
//!
//! Pure: text in, facts and findings with byte ranges out. No LSP types, no async, no I/O.
//! Cross-document knowledge (which acronyms the workspace defines) comes in as a function.

pub mod cache;
pub mod facts;
mod incremental;

use std::borrow::Cow;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use crate::chunked::ChunkedList;
use crate::config::Config;
use crate::finding::{Edit, Finding, FindingChunk, Fix, Located, Severity};

use crate::layout::{self, LanguageModel, Layout, PageLayout, PageSplit};
use crate::rules;
use crate::text::{SharedText, Unchanged};

pub use cache::PageCache;
use cache::{hash_text, PageKey};
use facts::ParagraphFacts;
pub use facts::{DefinitionFact, DocumentFacts, HeadingFact, Mention};

/// Which version of an open document a text is, and what the edits since earlier versions
/// left unchanged (see [`crate::text::Document::unchanged_since`]).
pub struct Revision<'a> {
    pub version: i32,
    pub unchanged_since: &'a dyn Fn(i32) -> Option<Unchanged>,
}

/// Everything derived from one version of a document's text.
#[derive(Debug)]
pub struct DocumentAnalysis {
    pub layout: Layout,
    /// The facts of each paragraph of `layout.paragraphs` (same index), in stream offsets.
    paragraph_facts: ChunkedList<Arc<ParagraphFacts>>,
    /// The definitions of each paragraph, relative to its start (shared while it is unchanged).
    paragraph_definitions: ChunkedList<Arc<[DefinitionFact]>>,
    /// The document's definitions in buffer ranges, made when first asked for (or from the
    /// previous version's by an edit).
    definitions: OnceLock<ChunkedList<DefinitionFact>>,
    /// Every fact in buffer ranges, made when first asked for (see [`facts::materialize`]).
    facts: OnceLock<DocumentFacts>,
    /// How often each short form is used (carried from version to version by an edit).
    use_counts: OnceLock<facts::UseCounts>,
    /// Findings that depend on this text alone (layout and characters), per page and
    /// paragraph; computed on first use, or with the cache when there is one.
    intrinsic: OnceLock<Intrinsic>,
    /// How the text was cut into pages, when analysed through a cache (the next version's
    /// analysis starts from this one).
    pages_cut: Option<PagesCut>,
    /// The fingerprint of the language model it was made with.
    model_fingerprint: u64,
}

/// The facts and (relative) definitions of each paragraph.
type ParagraphLists = (ChunkedList<Arc<ParagraphFacts>>, ChunkedList<Arc<[DefinitionFact]>>);

/// The findings of each page and each paragraph (same indices as the layout's).
#[derive(Debug, Clone, Default)]
struct Intrinsic {
    pages: Vec<FindingChunk>,
    paragraphs: ChunkedList<FindingChunk>,
}

impl Intrinsic {
    /// Every finding, page by page and then paragraph by paragraph.
    fn findings(&self) -> impl Iterator<Item = Located<'_>> {
        let paragraphs = self
            .paragraphs
            .runs()
            .flat_map(|(run, delta)| run.iter().flat_map(move |chunk| chunk.iter_moved(delta)));
        self.pages.iter().flat_map(FindingChunk::iter).chain(paragraphs)
    }

    /// How many findings there are, with `count` of each chunk (whose findings do not move).
    fn total(&self, count: impl Fn(&FindingChunk) -> usize) -> usize {
        let paragraphs = self.paragraphs.runs().flat_map(|(run, _)| run.iter());
        self.pages.iter().chain(paragraphs).map(count).sum()
    }
}

/// How a text was cut into pages, with what each page's layout depends on (the keys hold
/// the fingerprint of the analysis' model).
#[derive(Debug, Clone)]
struct PagesCut {
    split: PageSplit,
    keys: Vec<PageKey>,
}

impl DocumentAnalysis {
    /// Analyse `text` with a language model learnt from the text itself.
    pub fn new(text: &str) -> Self {
        let model = LanguageModel::from_text(text);
        Self::with_model(text, &model)
    }

    /// Analyse with a workspace model when there is one that has read this document.
    pub fn with_optional_model(text: &str, model: Option<&LanguageModel>) -> Self {
        match model {
            Some(model) => Self::with_model(text, model),
            None => Self::new(text),
        }
    }

    pub fn with_model(text: &str, model: &LanguageModel) -> Self {
        let layout = layout::analyze(text, model);
        let paragraph_facts = facts::paragraphs_facts(text, &layout);
        let definitions = layout
            .paragraphs
            .iter()
            .zip(&paragraph_facts)
            .map(|(p, found)| facts::definitions_of(&p, &found))
            .collect();
        let units = (paragraph_facts, definitions);
        Self::from_units(layout, units, None, None, model.fingerprint())
    }

    /// Like [`DocumentAnalysis::with_model`] for a version of a document whose earlier
    /// version went through `cache`: what the edit left unchanged is reused (see
    /// `analysis::incremental`), and everything else is looked up in the cache's memos by its text,
    /// so only the edited page is decoded again. Also computes the document's findings
    /// (which a caller then needs).
    pub fn with_cache(
        text: &SharedText,
        model: &LanguageModel,
        cache: &mut PageCache,
    ) -> Arc<Self> {
        Self::with_cache_at(text, model, cache, None)
    }

    /// [`DocumentAnalysis::with_cache`] for the version `revision` of an open document: when
    /// it says what changed since the version the cache analysed last, the two texts are not
    /// compared to find out.
    pub fn with_cache_at(
        text: &SharedText,
        model: &LanguageModel,
        cache: &mut PageCache,
        revision: Option<Revision>,
    ) -> Arc<Self> {
        let previous = cache.previous.take();
        let edited = previous.as_ref().and_then(|old| {
            cache.start_edit_round();
            let unchanged = old
                .version
                .zip(revision.as_ref())
                .and_then(|(version, revision)| (revision.unchanged_since)(version))
                .filter(|unchanged| unchanged.fits(&old.text, text));
            cache.told += usize::from(unchanged.is_some());
            incremental::analyse_edit(&old.text, &old.analysis, text, unchanged, model, cache)
        });
        let analysis = match edited {
            Some(analysis) => {
                cache.from_previous += 1;
                analysis
            }
            None => {
                cache.whole += 1;
                incremental::analyse_all(text, model, cache)
            }
        };
        let analysis = Arc::new(analysis);
        let version = revision.map(|r| r.version);
        cache.previous =
            Some(cache::Previous { text: text.clone(), analysis: analysis.clone(), version });
        analysis
    }

    fn from_units(
        layout: Layout,
        (paragraph_facts, paragraph_definitions): ParagraphLists,
        intrinsic: Option<Intrinsic>,
        pages_cut: Option<PagesCut>,
        model_fingerprint: u64,
    ) -> Self {
        DocumentAnalysis {
            layout,
            paragraph_facts,
            paragraph_definitions,
            definitions: OnceLock::new(),
            facts: OnceLock::new(),
            use_counts: OnceLock::new(),
            intrinsic: intrinsic.map_or_else(OnceLock::new, OnceLock::from),
            pages_cut,
            model_fingerprint,
        }
    }

    /// The document's acronym definitions, in reading order of their paragraphs.
    pub fn definitions(&self) -> &ChunkedList<DefinitionFact> {
        self.definitions
            .get_or_init(|| facts::place_definitions(&self.layout, &self.paragraph_definitions))
    }

    /// Every fact about the document in buffer ranges (made on first use).
    pub fn facts(&self) -> &DocumentFacts {
        self.facts.get_or_init(|| {
            facts::materialize(&self.layout, &self.paragraph_facts, self.definitions())
        })
    }

    /// Whether `other` (another version of the document) defines the same acronyms with the
    /// same long forms, in the same order; cheap when their paragraphs' definitions are shared.
    pub fn same_definitions(&self, other: &DocumentAnalysis) -> bool {
        facts::same_definitions(&self.paragraph_definitions, &other.paragraph_definitions)
    }

    /// How often each short form is used here, without placing the uses in the buffer.
    pub fn use_counts(&self) -> &facts::UseCounts {
        self.use_counts.get_or_init(|| facts::use_counts(&self.paragraph_facts))
    }

    /// Whether `other` (another version of the document) uses the same acronyms, in the same
    /// order; cheap when their paragraphs' facts are shared.
    pub fn same_uses(&self, other: &DocumentAnalysis) -> bool {
        facts::same_uses(&self.paragraph_facts, &other.paragraph_facts)
    }

    /// The findings that depend on the document's text alone (everything but undefined
    /// acronyms, which depend on the workspace), before rule settings, in no particular order
    /// ([`findings`] sorts them by position).
    pub fn intrinsic_findings(&self, text: &str) -> impl Iterator<Item = Located<'_>> {
        self.intrinsic(text).findings()
    }

    /// The intrinsic findings whose range holds `offset`, with absolute ranges.
    pub fn intrinsic_findings_at(&self, text: &str, offset: usize) -> Vec<Finding> {
        self.intrinsic_findings(text)
            .filter(|f| f.range().contains(&offset) || f.range().end == offset)
            .map(|f| f.to_finding())
            .collect()
    }

    fn intrinsic(&self, text: &str) -> &Intrinsic {
        self.intrinsic.get_or_init(|| Intrinsic::of(text, &self.layout))
    }
}

impl Intrinsic {
    /// The findings of every page and paragraph of `layout`, the layout of `text`.
    fn of(text: &str, layout: &Layout) -> Intrinsic {
        // Pages and paragraphs are independent: a large document uses all cores.
        let pages = crate::parallel::map_text(text.len(), &layout.pages, |page| {
            FindingChunk::absolute(page.range.start, own_page_findings(text, page))
        });
        let paragraphs: Vec<_> = layout.paragraphs.iter().collect();
        let paragraphs = crate::parallel::map_text(text.len(), &paragraphs, |p| {
            let sentences = layout::sentences::sentences(&p.text(text));
            let found = layout::rules::findings_of_paragraph(text, p, &sentences);
            FindingChunk::absolute(p.source_span().start, found)
        });
        Intrinsic { pages, paragraphs: paragraphs.into() }
    }
}

/// A hash equal only when the buffer text of `span` is: for a span inside one page, its page's
/// text hash (`keys`, by page `ranges`) and its place in the page, without reading the text.
fn context_hash(text: &str, span: &Range<usize>, ranges: &[Range<usize>], keys: &[PageKey]) -> u64 {
    use std::hash::{Hash, Hasher};
    let page = ranges.partition_point(|r| r.start <= span.start).checked_sub(1);
    let inside = page.filter(|&i| ranges.get(i).is_some_and(|r| span.end <= r.end));
    let mut h = crate::text::hash::TextHasher::default();
    match inside.and_then(|i| Some((ranges.get(i)?, keys.get(i)?))) {
        Some((page, key)) => (0u8, key.0, span.start - page.start, span.len()).hash(&mut h),
        None => (1u8, hash_text(text.get(span.clone()).unwrap_or(""))).hash(&mut h),
    }
    h.finish()
}

/// The findings about one page alone: its layout (furniture, interleaved lines) and its
/// characters (garbled text works line by line).
fn own_page_findings(text: &str, page: &PageLayout) -> Vec<Finding> {
    let mut found = layout::rules::page_findings(text, page);
    let page_text = text.get(page.range.clone()).unwrap_or("");
    let start = page.range.start as isize;
    found.extend(crate::garbled::check(page_text).iter().map(|f| f.shifted(start)));
    found
}

/// Whether an acronym is explained somewhere: in the workspace's text or a glossary.
pub type IsDefined<'a> = &'a dyn Fn(&str) -> bool;

/// All findings for a document, shaped by the user's rule settings.
pub fn findings(
    text: &str,
    analysis: &DocumentAnalysis,
    is_defined: IsDefined,
    config: &Config,
) -> Vec<Finding> {
    let rules = RuleFilter::new(config);
    let enabled = |f: &Located| rules.enabled(f.finding.rule);
    let all_enabled = rules.all_enabled();
    let count = |chunk: &FindingChunk| match all_enabled {
        true => chunk.findings.len(),
        false => chunk.iter().filter(enabled).count(),
    };
    let intrinsic = analysis.intrinsic(text);
    let show_undefined = rules.enabled(UNDEFINED_ACRONYM);
    let mut undefined = UndefinedKeys::new(is_defined);
    // Counted from the document's use counts, by short form.
    let undefined_total: usize = match show_undefined {
        true => {
            let mut keep = undefined.keep();
            analysis.use_counts().iter().filter(|(key, _)| keep(key)).map(|(_, n)| n).sum()
        }
        false => 0,
    };
    let intrinsic_total = intrinsic.total(count);
    let total = intrinsic_total + undefined_total;
    let cap = config.max_diagnostics_per_file;
    // Walk the units (pages, and paragraphs with their uses of undefined acronyms, placed in
    // the buffer only when the walk reaches them) in order of where their findings can
    // start, until more than the cap of findings are known to start before every unit left:
    // the ones shown are among those seen, the rest are only counted. Few of the (memoised)
    // findings are touched.
    let mut seen: Vec<Located> = Vec::new();
    let mut seen_undefined: Vec<(u32, Range<usize>)> = Vec::new();
    let mut walked = 0;
    let mut templates = UndefinedTemplates::default();
    // The findings of a unit, into `seen` or `seen_undefined`; returns where they start.
    let mut walk = |unit| -> Vec<usize> {
        let (chunk, delta, paragraph) = match unit {
            Unit::Chunk(chunk) => (chunk, 0, None),
            Unit::Paragraph(i, chunk, delta) => (chunk, delta, Some(i)),
        };
        walked += count(chunk);
        let from = seen.len();
        seen.extend(chunk.iter_moved(delta).filter(enabled));
        let mut starts: Vec<usize> = seen[from..].iter().map(|f| f.range().start).collect();
        let facts = paragraph.and_then(|i| {
            Some((analysis.layout.paragraphs.get(i)?, analysis.paragraph_facts.stored_at(i)?.0))
        });
        if let Some((paragraph, found)) = facts.filter(|_| show_undefined) {
            let uses = facts::paragraph_uses_where(&paragraph, found, &mut undefined.keep());
            starts.extend(uses.iter().map(|(_, range)| range.start));
            seen_undefined.extend(
                uses.into_iter().map(|(key, range)| (templates.of(key, range.len()), range)),
            );
        }
        starts
    };
    let mut order = UnitOrder::new(&intrinsic.pages, &intrinsic.paragraphs);
    // (Without the summary rule, the cap does not apply.)
    if total > cap && config.rule(rules::TOO_MANY_FINDINGS).enabled {
        let mut pending = std::collections::BinaryHeap::new();
        let mut settled = 0;
        while let Some(unit) = order.next() {
            pending.extend(walk(unit).into_iter().map(std::cmp::Reverse));
            let next = order.next_start().unwrap_or(usize::MAX);
            while pending.peek().is_some_and(|s| s.0 < next) {
                pending.pop();
                settled += 1;
            }
            if settled > cap {
                break;
            }
        }
    } else {
        for unit in order.all() {
            walk(unit);
        }
    }
    let unseen_undefined = undefined_total.saturating_sub(seen_undefined.len());
    let unseen = intrinsic_total - walked + unseen_undefined;
    let undefined_found = seen_undefined.iter().filter_map(|(template, range)| {
        Some(Located {
            base: range.start as isize,
            finding: templates.list.get(*template as usize)?,
        })
    });
    rules::apply_settings_with_unseen(seen.into_iter().chain(undefined_found), unseen, config)
}

/// What [`findings`] shows, by where its findings can start.
enum Unit<'a> {
    /// A page's findings.
    Chunk(&'a FindingChunk),
    /// A paragraph (by index) with its findings and how far they have moved; its undefined
    /// acronyms are found on the way.
    Paragraph(usize, &'a FindingChunk, isize),
}

/// The units of [`findings`] in order of where their findings can start, made as they are
/// asked for. Pages come in text order; paragraphs in reading order, which runs page by page,
/// so only the few read ahead wait in the heap, and a walk that stops after a few pages
/// costs a few pages (plus one pass for the smallest start after each paragraph).
struct UnitOrder<'a> {
    pages: &'a [FindingChunk],
    paragraphs: &'a ChunkedList<FindingChunk>,
    next_page: usize,
    next_paragraph: usize,
    /// For each paragraph, the smallest start of it and the paragraphs after it.
    later_min: Vec<usize>,
    /// Units read ahead: (start, pages before paragraphs, index).
    heap: std::collections::BinaryHeap<std::cmp::Reverse<(usize, usize)>>,
}

impl<'a> UnitOrder<'a> {
    fn new(pages: &'a [FindingChunk], paragraphs: &'a ChunkedList<FindingChunk>) -> Self {
        let mut later_min: Vec<usize> = paragraphs
            .runs()
            .flat_map(|(run, delta)| {
                run.iter().map(move |c| c.starts_at.saturating_add_signed(delta))
            })
            .collect();
        let mut min = usize::MAX;
        for slot in later_min.iter_mut().rev() {
            min = min.min(*slot);
            *slot = min;
        }
        let heap = std::collections::BinaryHeap::new();
        UnitOrder { pages, paragraphs, next_page: 0, next_paragraph: 0, later_min, heap }
    }

    /// Every unit, in no particular order.
    fn all(self) -> impl Iterator<Item = Unit<'a>> {
        let pages = self.pages.iter().filter(|chunk| !chunk.is_empty()).map(Unit::Chunk);
        let paragraphs =
            self.paragraphs.runs().flat_map(|(run, delta)| run.iter().map(move |c| (c, delta)));
        pages.chain(paragraphs.enumerate().map(|(i, (c, delta))| Unit::Paragraph(i, c, delta)))
    }

    /// The smallest start of the units not read ahead.
    fn unread_start(&self) -> usize {
        let page = self.pages.get(self.next_page).map_or(usize::MAX, |c| c.starts_at);
        page.min(self.later_min.get(self.next_paragraph).copied().unwrap_or(usize::MAX))
    }

    /// Where the next unit's findings can start.
    fn next_start(&self) -> Option<usize> {
        let read = self.heap.peek().map(|std::cmp::Reverse((start, _))| *start);
        let unread = Some(self.unread_start()).filter(|&s| s != usize::MAX);
        read.into_iter().chain(unread).min()
    }

    fn next(&mut self) -> Option<Unit<'a>> {
        loop {
            if let Some(&std::cmp::Reverse((start, index))) = self.heap.peek() {
                if start <= self.unread_start() {
                    self.heap.pop();
                    return Some(match index.checked_sub(self.pages.len()) {
                        None => Unit::Chunk(&self.pages[index]),
                        Some(i) => {
                            let (chunk, delta) = self.paragraphs.stored_at(i)?;
                            Unit::Paragraph(i, chunk, delta)
                        }
                    });
                }
            }
            // Read the unit that starts first of the next page and the next paragraph.
            let page = self.pages.get(self.next_page);
            let paragraph = self.paragraphs.get(self.next_paragraph);
            let (start, index) = match (page, paragraph) {
                (None, None) => return None,
                (Some(p), Some(q)) if q.starts_at < p.starts_at => {
                    (q.starts_at, self.pages.len() + self.next_paragraph)
                }
                (Some(p), _) => (p.starts_at, self.next_page),
                (None, Some(q)) => (q.starts_at, self.pages.len() + self.next_paragraph),
            };
            match index < self.pages.len() {
                true => self.next_page += 1,
                false => self.next_paragraph += 1,
            }
            let empty_page = index < self.pages.len() && self.pages[index].is_empty();
            if !empty_page {
                self.heap.push(std::cmp::Reverse((start, index)));
            }
        }
    }
}

const UNDEFINED_ACRONYM: &str = "undefined-acronym";

/// The findings a document shows first, computed from the start of the text only as far as
/// needed, when that saves work: for a document whose text-only findings are not computed yet
/// and that has more than `max_diagnostics_per_file` of them. The summary at the end then says
/// that more are not shown, without counting them ([`findings`] counts). `None` when the
/// complete findings are as cheap (they are computed already, or there are few).
///
/// Every finding of a page lies in the page and every finding of a paragraph starts at or
/// after the paragraph's first byte, so once the pages and paragraphs starting before
/// position `p` yield more than the cap of findings starting before `p`, the first ones in
/// text order are known.
pub fn leading_findings(
    text: &str,
    analysis: &DocumentAnalysis,
    is_defined: IsDefined,
    config: &Config,
) -> Option<Vec<Finding>> {
    if analysis.intrinsic.get().is_some() || text.len() < LEADING_MIN_BYTES {
        return None;
    }
    let cap = config.max_diagnostics_per_file;
    let rules = RuleFilter::new(config);
    let enabled = |f: &Finding| rules.enabled(f.rule);
    // In text order, as the uses are.
    let undefined: Vec<Finding> = UndefinedAcronyms::new(analysis, is_defined)
        .iter()
        .filter(|f| enabled(f.finding))
        .map(|f| f.to_finding())
        .collect();
    let mut found: Vec<Finding> = Vec::new();
    // Pages and paragraphs by the position where their findings can start.
    let mut units: Vec<(usize, Place<'_>)> = analysis
        .layout
        .pages
        .iter()
        .map(|page| (page.range.start, Place::Page(page)))
        .chain(
            analysis.layout.paragraphs.iter().map(|p| (p.source_span().start, Place::Paragraph(p))),
        )
        .collect();
    units.sort_by_key(|(start, _)| *start);
    for (i, (_, unit)) in units.iter().enumerate() {
        let new = match unit {
            Place::Page(page) => own_page_findings(text, page),
            Place::Paragraph(p) => layout::rules::findings_of_paragraph(
                text,
                p,
                &layout::sentences::sentences(&p.text(text)),
            ),
        };
        found.extend(new.into_iter().filter(|f| enabled(f)));
        // At the end: there are few findings, and the complete ones cost no more.
        let &(next_start, _) = units.get(i + 1)?;
        let settled = |f: &&Finding| f.range.start < next_start;
        let undefined = &undefined[..undefined.partition_point(|f| f.range.start < next_start)];
        if found.iter().filter(settled).count() + undefined.len() > cap {
            let located = found.iter().filter(settled).chain(undefined);
            return Some(first_of_more(located, config));
        }
    }
    None
}

/// The first of `findings` (more than the cap), with a summary that says more are not shown,
/// without counting them.
fn first_of_more<'a>(findings: impl Iterator<Item = &'a Finding>, config: &Config) -> Vec<Finding> {
    let mut shown = rules::apply_settings(findings.map(Located::absolute), config);
    if let Some(summary) = shown.last_mut().filter(|f| f.rule == rules::TOO_MANY_FINDINGS) {
        summary.message = rules::more_findings_message(None, config.max_diagnostics_per_file);
    }
    shown
}

/// The first findings of a large document that has no analysis yet, from a layout of its first
/// pages alone (the layout of a whole megabyte takes a hundred milliseconds or more): those
/// that start before the last two pages read, when there are more than the cap of them, with
/// a summary that says more are not shown. Undefined acronyms are left to the complete
/// findings (a later page may define them). `None` for a document under `EARLY_MIN_BYTES`, or
/// when the first quarter of the document does not give the cap (the complete findings then
/// cost not much more).
///
/// A page's layout depends on its own text and the language model, and a paragraph's findings
/// on its own text up to the end of its last line, so findings that start two pages before
/// the end of the pages read are those of the whole document (a test checks this on
/// documents of several kinds).
pub fn early_findings(text: &str, model: &LanguageModel, config: &Config) -> Option<Vec<Finding>> {
    if text.len() < EARLY_MIN_BYTES {
        return None;
    }
    let cap = config.max_diagnostics_per_file;
    let rules = RuleFilter::new(config);
    let (ranges, _) = layout::split_pages(text);
    // Pages decoded in an earlier round are kept: a round decodes only the pages it adds.
    let mut decoded: Vec<PageLayout> = Vec::new();
    let mut pages = first_round_pages(cap);
    while pages + 2 < ranges.len() {
        let end = ranges[pages - 1].end;
        let settled_before = ranges[pages - 2].start;
        let prefix = text.get(..end)?;
        // On all cores: a page takes a fraction of a millisecond, enough to share out.
        let new = crate::parallel::map(&ranges[decoded.len()..pages], |r| {
            layout::analyze_page(prefix.get(r.clone()).unwrap_or(""), r.start, model)
        });
        decoded.extend(new);
        let layout = layout::assemble(prefix, decoded.clone(), model);
        let intrinsic = Intrinsic::of(prefix, &layout);
        let found: Vec<Finding> = intrinsic
            .findings()
            .filter(|f| f.range().start < settled_before && rules.enabled(f.finding.rule))
            .map(|f| f.to_finding())
            .collect();
        if found.len() > cap {
            return Some(first_of_more(found.iter(), config));
        }
        if end > text.len() / 4 {
            return None;
        }
        // As many pages again as the findings so far say the cap needs, and a quarter more.
        let settled_pages = pages - 2;
        let needed = (cap + 1) * settled_pages / found.len().max(1) + 2;
        pages = (needed + needed / 4).clamp(pages + 1, pages * 4);
    }
    None
}

/// Below this size the complete findings of a new document are computed at once: for 250 KB
/// from outside the workspace, first diagnostics in 33–50 ms (median 37 ms of nine opens).
pub const EARLY_MIN_BYTES: usize = 256 * 1024;

/// How many pages [`early_findings`] reads first: enough for `cap` findings at
/// [`EARLY_FINDINGS_PER_PAGE`], and the last two pages read, whose findings are not settled.
fn first_round_pages(cap: usize) -> usize {
    ((cap + 1).div_ceil(EARLY_FINDINGS_PER_PAGE) + 2).max(EARLY_MIN_FIRST_PAGES)
}

/// The findings a page gives that the first round of [`early_findings`] counts on. The seed
/// pages give about 40, a generated 1 MB document 36. Counting on fewer reads more pages at
/// first (a page takes about 0.2 ms of a core); on more, a second round is likelier, which
/// assembles and checks all the pages read again. (For that 1 MB document and 500 findings:
/// 8 pages and then 16 took 56 M instructions, 18 pages at once 53 M, 16 at once 48 M.)
const EARLY_FINDINGS_PER_PAGE: usize = 32;

/// The first round reads at least this many pages.
const EARLY_MIN_FIRST_PAGES: usize = 4;

/// Which rules the settings enable, remembered per rule: asked for every finding, and a
/// document has a handful of rules and thousands of findings.
struct RuleFilter<'c> {
    config: &'c Config,
    /// By the address of the rule's code (a `&'static str`; one code at two addresses only
    /// costs a second entry).
    known: std::cell::RefCell<Vec<(usize, bool)>>,
}

impl<'c> RuleFilter<'c> {
    fn new(config: &'c Config) -> Self {
        RuleFilter { config, known: Default::default() }
    }

    /// Whether the settings turn no rule off.
    fn all_enabled(&self) -> bool {
        self.config.rules.values().all(|setting| setting.enabled)
    }

    fn enabled(&self, rule: &'static str) -> bool {
        let address = rule.as_ptr() as usize;
        if let Some(&(_, on)) = self.known.borrow().iter().find(|(a, _)| *a == address) {
            return on;
        }
        let on = self.config.rule(rule).enabled;
        self.known.borrow_mut().push((address, on));
        on
    }
}

/// Below this size the complete findings take a few milliseconds.
const LEADING_MIN_BYTES: usize = 64 * 1024;

/// Where [`leading_findings`] looks for findings.
enum Place<'a> {
    Page(&'a PageLayout),
    Paragraph(Cow<'a, layout::Paragraph>),
}

/// The `undefined-acronym` findings: one finding per acronym (and length of its uses), placed
/// at each use through [`Located`], so a document with thousands of uses of an undefined
/// acronym formats its message once.
struct UndefinedAcronyms {
    /// The uses of undefined acronyms, in text order, with their template.
    uses: Vec<(u32, Range<usize>)>,
    templates: UndefinedTemplates,
}

impl UndefinedAcronyms {
    fn new(analysis: &DocumentAnalysis, is_defined: IsDefined) -> Self {
        let mut undefined = UndefinedKeys::new(is_defined);
        // Only the undefined ones' uses are placed in the buffer.
        let kept =
            facts::uses_where(&analysis.layout, &analysis.paragraph_facts, &mut undefined.keep());
        let mut templates = UndefinedTemplates::default();
        let uses =
            kept.into_iter().map(|(key, range)| (templates.of(key, range.len()), range)).collect();
        UndefinedAcronyms { uses, templates }
    }

    /// In text order, as the uses are.
    fn iter(&self) -> impl Iterator<Item = Located<'_>> {
        self.uses.iter().filter_map(|(template, range)| {
            Some(Located {
                base: range.start as isize,
                finding: self.templates.list.get(*template as usize)?,
            })
        })
    }
}

/// Which short forms are undefined (plausible acronyms that nothing defines), decided once each.
struct UndefinedKeys<'a, 'k> {
    is_defined: IsDefined<'a>,
    decided: foldhash::HashMap<&'k str, bool>,
}

impl<'a, 'k> UndefinedKeys<'a, 'k> {
    fn new(is_defined: IsDefined<'a>) -> Self {
        UndefinedKeys { is_defined, decided: Default::default() }
    }

    /// Whether a use of `key` is an undefined acronym.
    fn keep(&mut self) -> impl FnMut(&'k str) -> bool + '_ {
        |key| match self.decided.get(key) {
            Some(&undefined) => undefined,
            None => {
                let undefined =
                    crate::acronyms::is_plausible_acronym(key) && !(self.is_defined)(key);
                self.decided.insert(key, undefined);
                undefined
            }
        }
    }
}

/// One `undefined-acronym` finding per short form and use length, placed at each use through
/// [`Located`]: a document with thousands of uses of an undefined acronym formats its message
/// once.
#[derive(Default)]
struct UndefinedTemplates {
    list: Vec<Finding>,
    /// A paragraph's uses of one acronym share its string: looked up by its address first.
    by_address: foldhash::HashMap<(usize, usize), u32>,
    by_name: foldhash::HashMap<(String, usize), u32>,
}

impl UndefinedTemplates {
    /// The index of the template for a use of `key` that is `len` bytes long.
    fn of(&mut self, key: &Arc<str>, len: usize) -> u32 {
        let address = (Arc::as_ptr(key) as *const u8 as usize, len);
        if let Some(&index) = self.by_address.get(&address) {
            return index;
        }
        let list = &mut self.list;
        let index = *self.by_name.entry((key.to_string(), len)).or_insert_with(|| {
            list.push(undefined_acronym(key, len));
            list.len() as u32 - 1
        });
        self.by_address.insert(address, index);
        index
    }
}

/// The finding for an undefined acronym `key`, for a use `len` bytes long at offset 0.
fn undefined_acronym(key: &str, len: usize) -> Finding {
    Finding {
        rule: UNDEFINED_ACRONYM,
        severity: Severity::Information,
        message: format!(
            "`{key}` is not defined in any workspace document nor in a glossary; write its \
             expansion once as `Expansion ({key})` or add it to .scholion/glossary.toml"
        ),
        range: 0..len,
        fixes: Vec::new(),
        related: Vec::new(),
    }
}

/// `text` with its garbled and invisible characters repaired (safe fixes of the character
/// rules only), for reflowed output.
pub fn repair_characters(text: &str) -> String {
    crate::garbled::repair(text)
}

/// The edits of every finding's safe fix (its preferred one if several are safe), in text
/// order, leaving out any that would overlap an edit already taken.
pub fn safe_edits(findings: &[Finding]) -> Vec<Edit> {
    let mut chosen: Vec<&Fix> = findings
        .iter()
        .filter_map(|f| {
            let mut safe = f.fixes.iter().filter(|fix| fix.safe);
            let first = safe.clone().next();
            safe.find(|fix| fix.preferred).or(first)
        })
        .collect();
    chosen.sort_by_key(|fix| fix.edits.iter().map(|e| e.range.start).min().unwrap_or(0));
    let mut edits: Vec<Edit> = Vec::new();
    for fix in chosen {
        let clashes = fix.edits.iter().any(|e| edits.iter().any(|taken| overlap(e, taken)));
        if !clashes {
            edits.extend(fix.edits.iter().cloned());
        }
    }
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    edits
}

/// Two edits conflict when their ranges overlap, or when both insert at the same point.
fn overlap(a: &Edit, b: &Edit) -> bool {
    (a.range.start < b.range.end && b.range.start < a.range.end)
        || (a.range.start == b.range.start && (a.range.is_empty() || b.range.is_empty()))
}

/// Apply non-overlapping edits (as returned by [`safe_edits`]) to `text`.
pub fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for edit in edits {
        let valid = edit.range.start >= cursor
            && edit.range.start <= edit.range.end
            && text.is_char_boundary(edit.range.start)
            && text.is_char_boundary(edit.range.end);
        if !valid {
            continue;
        }
        out.push_str(&text[cursor..edit.range.start]);
        out.push_str(&edit.new_text);
        cursor = edit.range.end;
    }
    out.push_str(&text[cursor..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(start: usize, end: usize, text: &str) -> Edit {
        Edit { range: start..end, new_text: text.into() }
    }

    fn finding(fixes: Vec<Fix>) -> Finding {
        Finding {
            rule: "x",
            severity: Severity::Warning,
            message: String::new(),
            range: 0..0,
            fixes,
            related: vec![],
        }
    }

    fn fix(edits: Vec<Edit>, safe: bool, preferred: bool) -> Fix {
        Fix { title: String::new(), edits, safe, preferred }
    }

    #[test]
    fn safe_edits_prefer_preferred_skip_unsafe_and_overlaps() {
        let findings = vec![
            finding(vec![
                fix(vec![edit(0, 2, "a")], true, false),
                fix(vec![edit(0, 2, "b")], true, true),
            ]),
            finding(vec![fix(vec![edit(1, 3, "c")], true, true)]), // overlaps the first
            finding(vec![fix(vec![edit(5, 6, "d")], false, true)]), // unsafe
            finding(vec![fix(vec![edit(7, 7, "e"), edit(9, 10, "")], true, true)]),
        ];
        let edits = safe_edits(&findings);
        assert_eq!(edits, vec![edit(0, 2, "b"), edit(7, 7, "e"), edit(9, 10, "")]);
        assert_eq!(apply_edits("0123456789x", &edits), "b23456e78x");
    }

    use crate::finding::absolute_in_order as absolute;

    #[test]
    fn page_cache_decodes_only_the_edited_page() {
        let page = |n: usize| {
            format!("Kop van pagina {n}\nverder werkt de dienst samen met partners in Oekra\u{221a}\u{d8}ne. De Nationale Dienst\nvoor Toetsing (NDT) onderzoekt het werk van de NDT zorgvuldig. Het\n\nNieuwe alinea over de organisatie-\nontwikkeling en\n")
        };
        let text: String = (0..5).map(page).collect::<Vec<_>>().join("\u{c}");
        let model = LanguageModel::from_text(&text);
        let mut cache = PageCache::default();
        let first = DocumentAnalysis::with_cache(&Arc::new(text.to_string()), &model, &mut cache);
        assert_eq!((cache.hits, cache.misses), (0, 5));
        let edited = text.replacen("zorgvuldig", "heel zorgvuldig", 1);
        let second =
            DocumentAnalysis::with_cache(&Arc::new(edited.to_string()), &model, &mut cache);
        assert_eq!((cache.hits, cache.misses), (4, 6));
        // Same result as a full analysis, at the shifted offsets.
        let full = DocumentAnalysis::with_model(&edited, &model);
        assert_eq!(second.layout, full.layout);
        assert_eq!(first.facts().definitions.len(), 5);
        assert_eq!(second.facts().definitions, full.facts().definitions);
        assert_eq!(second.facts().uses, full.facts().uses);
        assert_eq!(second.facts().terms, full.facts().terms);
        // Findings from cached pages and paragraphs, moved, equal a fresh computation, and
        // per-page character findings equal those of the whole text.
        let fresh = absolute(full.intrinsic_findings(&edited));
        assert_eq!(absolute(second.intrinsic_findings(&edited)), fresh);
        let rules: Vec<&str> = fresh.iter().map(|f| f.rule).collect();
        for rule in ["garbled-character", "hyphenated-word", "split-sentence"] {
            assert!(rules.contains(&rule), "{rule} missing in {rules:?}");
        }
        let whole_text = crate::garbled::check(&edited);
        let per_page: Vec<_> = fresh.iter().filter(|f| f.rule.starts_with("garbled")).collect();
        assert_eq!(per_page, whole_text.iter().collect::<Vec<_>>());
    }

    #[test]
    fn leading_findings_are_the_first_of_all_findings() {
        // The seed pages (two columns, hyphenated breaks, split sentences, furniture), varied
        // and with garbled words, so every kind of unit contributes.
        let seeds: Vec<String> =
            ["000_9189eb5902b93f6a", "003_6e6cbfc847bdfa0c", "004_b2c0f30eae937bd6"]
                .iter()
                .map(|name| {
                    let path = format!("{}/seeds/{name}.txt", env!("CARGO_MANIFEST_DIR"));
                    std::fs::read_to_string(path).expect("seed page")
                })
                .collect();
        let page = |n: usize| {
            seeds[n % 3].replacen("dienst", &format!("dienst {n}"), 1).replacen(
                " de ",
                " Oekra\u{221a}\u{d8}ne ",
                2,
            )
        };
        let text: String = (0..40).map(page).collect::<Vec<_>>().join("\u{c}");
        assert!(text.len() > LEADING_MIN_BYTES);
        let analysis = DocumentAnalysis::new(&text);
        let mut cache = PageCache::default();
        let cached = DocumentAnalysis::with_cache(
            &Arc::new(text.to_string()),
            &LanguageModel::from_text(&text),
            &mut cache,
        );
        let defined = |short: &str| short == "NDT";
        for (cap, disabled) in [(50, None), (500, None), (120, Some("garbled-character"))] {
            let mut config = Config { max_diagnostics_per_file: cap, ..Config::default() };
            if let Some(rule) = disabled {
                let off = crate::config::RuleSetting { enabled: false, severity: None };
                config.rules.insert(rule.into(), off);
            }
            let fresh = DocumentAnalysis::new(&text);
            let leading = leading_findings(&text, &fresh, &defined, &config).expect("leading");
            let all = findings(&text, &analysis, &defined, &config);
            // The walk over chunks equals ordering every finding.
            let undefined = UndefinedAcronyms::new(&analysis, &defined);
            let every = analysis.intrinsic_findings(&text).chain(undefined.iter());
            assert_eq!(all, rules::apply_settings(every, &config), "cap {cap}");
            // Chunks relative to their page or paragraph give the same.
            assert_eq!(findings(&text, &cached, &defined, &config), all, "cap {cap}");
            assert_eq!(leading.len(), cap + 1);
            assert_eq!(leading[..cap], all[..cap], "cap {cap}");
            let (summary, counted) = (&leading[cap], &all[cap]);
            assert_eq!((summary.rule, &summary.range), (counted.rule, &counted.range));
            assert!(summary.message.starts_with("More findings"), "{}", summary.message);
            // Once the complete findings are known, they are used.
            fresh.intrinsic_findings(&text).count();
            assert!(leading_findings(&text, &fresh, &defined, &config).is_none());
        }
        let uncapped = Config { max_diagnostics_per_file: usize::MAX, ..Config::default() };
        let all = findings(&text, &analysis, &defined, &uncapped);
        // Without the summary rule the cap does not apply either.
        let mut no_summary = Config { max_diagnostics_per_file: 10, ..Config::default() };
        let off = crate::config::RuleSetting { enabled: false, severity: None };
        no_summary.rules.insert(rules::TOO_MANY_FINDINGS.into(), off);
        assert_eq!(findings(&text, &analysis, &defined, &no_summary), all);
        let rules: std::collections::HashSet<_> = all.iter().map(|f| f.rule).collect();
        for rule in [
            "garbled-character",
            "hyphenated-word",
            "undefined-acronym",
            "page-furniture",
            "interleaved-columns",
            "split-sentence",
        ] {
            assert!(rules.contains(rule), "{rule} missing in {rules:?}");
        }
    }

    #[test]
    fn units_come_in_order_of_their_start_whatever_the_paragraph_order() {
        let chunk = |start: usize, findings: usize| {
            FindingChunk::absolute(start, vec![finding(vec![]); findings])
        };
        // Pages in text order (one without findings); paragraphs out of order, as columns and
        // paragraphs continued from an earlier page make them.
        let pages = [chunk(0, 1), chunk(100, 0), chunk(200, 2)];
        let paragraphs = [chunk(5, 1), chunk(150, 1), chunk(120, 0), chunk(90, 1), chunk(240, 1)];
        // The last one moved 10 bytes on by an edit.
        let paragraphs = ChunkedList::from(paragraphs.to_vec()).splice(4..4, Vec::new(), 10);
        let mut order = UnitOrder::new(&pages, &paragraphs);
        let mut walked = Vec::new();
        while let Some(unit) = order.next() {
            let (start, name) = match unit {
                Unit::Chunk(c) => (c.starts_at, "page"),
                Unit::Paragraph(i, c, delta) => {
                    (c.starts_at.saturating_add_signed(delta), ["p0", "p1", "p2", "p3", "p4"][i])
                }
            };
            walked.push((start, name));
            // Nothing left starts before what was walked.
            assert!(order.next_start().is_none_or(|next| next >= start));
        }
        let expected = [
            (0, "page"),
            (5, "p0"),
            (90, "p3"),
            (120, "p2"),
            (150, "p1"),
            (200, "page"),
            (250, "p4"),
        ];
        assert_eq!(walked, expected);
        assert_eq!(UnitOrder::new(&pages, &paragraphs).all().count(), 7);
    }

    #[test]
    fn page_cache_handles_repeated_pages_and_large_documents() {
        // Repeated page texts share one cache entry; a document past the parallel threshold
        // gets the same layout as the sequential path.
        let page = |n: usize| {
            format!("Kop\nDe dienst werkt samen met partners in het land {}. De Nationale Dienst\nvoor Toetsing (NDT) onderzoekt het werk.\n", n % 3)
        };
        let text: String = (0..3000).map(page).collect::<Vec<_>>().join("\u{c}");
        assert!(text.len() > 200 * 1024);
        let model = LanguageModel::from_text(&text);
        let mut cache = PageCache::default();
        let cached = DocumentAnalysis::with_cache(&Arc::new(text.to_string()), &model, &mut cache);
        // Three page texts, and the first page apart (a first page is read as a text when short).
        assert_eq!((cache.hits, cache.misses), (2996, 4));
        let full = DocumentAnalysis::with_model(&text, &model);
        assert_eq!(cached.layout, full.layout);
        let sequential: Vec<_> = crate::layout::page_ranges(&text)
            .into_iter()
            .map(|r| crate::layout::analyze_page(&text[r.clone()], r.start, &model))
            .collect();
        assert_eq!(full.layout, crate::layout::assemble(&text, sequential, &model));
    }

    #[test]
    fn apply_edits_skips_edits_off_character_boundaries() {
        assert_eq!(apply_edits("é!", &[edit(1, 2, "x"), edit(2, 3, "?")]), "é?");
    }
}
