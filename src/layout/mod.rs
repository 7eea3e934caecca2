//! Layout recovery for text extracted from two-column PDF pages.
//!
//! Pipeline (all pure, text in, facts with byte ranges out):
//! pages → line roles ([`lines`]) → column seams per line ([`columns`], a page-level Viterbi
//! decoder) → reading-order paragraphs with source maps ([`stream`], hyphenated breaks resolved by
//! [`hyphen`]) → sentences ([`sentences`]) → findings ([`rules`]) and reflowed text ([`reflow`]).
//!
//! Page-level work is independent of other pages (given the [`LanguageModel`]), so a caller can
//! cache [`PageLayout`]s keyed by a hash of the page text (and the model's version) and move them
//! with [`PageLayout::moved_to`].

pub mod columns;
pub mod hyphen;
pub mod lines;
pub mod model;
pub mod reflow;
pub mod rules;
pub mod sentences;
pub mod stream;
pub mod words;

use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;

use crate::chunked::ChunkedList;

pub use columns::{ColumnSplit, PageColumns};
pub use hyphen::HyphenDecision;
pub use lines::LineRole;
pub use model::LanguageModel;
pub use reflow::{reflow, reflow_paragraphs, reflow_with_model, ReflowParagraph};
pub use rules::findings;
pub use stream::{
    Column, HyphenBreak, Paragraph, ParagraphBody, ParagraphKind, Piece, PlacedHyphen,
};

/// One line of the buffer with its role and column split.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineLayout {
    /// The line without its terminator (absolute byte range).
    pub range: Range<usize>,
    pub role: LineRole,
    /// Offsets inside `split` are relative to `range.start`.
    pub split: ColumnSplit,
}

impl LineLayout {
    /// Absolute byte range of the whitespace between the columns, if the line holds two.
    pub fn seam(&self) -> Option<Range<usize>> {
        match self.split {
            ColumnSplit::Two { left_end, right_start } => {
                Some(self.range.start + left_end..self.range.start + right_start)
            }
            _ => None,
        }
    }
}

/// A [`LineLayout`] as a page keeps it: page-relative 32-bit offsets, 24 bytes where a
/// `LineLayout` takes 48 (a layout holds one for every line of a document).
#[derive(Debug, Clone, PartialEq)]
struct StoredLine {
    range: Range<u32>,
    role: LineRole,
    split: StoredSplit,
}

/// [`ColumnSplit`] in 32-bit offsets.
#[derive(Debug, Clone, Copy, PartialEq)]
enum StoredSplit {
    Whole,
    LeftOnly,
    RightOnly,
    Two { left_end: u32, right_start: u32 },
}

impl StoredLine {
    fn new(line: &LineLayout) -> StoredLine {
        let cut = crate::text::narrow_offset;
        let split = match line.split {
            ColumnSplit::Whole => StoredSplit::Whole,
            ColumnSplit::LeftOnly => StoredSplit::LeftOnly,
            ColumnSplit::RightOnly => StoredSplit::RightOnly,
            ColumnSplit::Two { left_end, right_start } => {
                StoredSplit::Two { left_end: cut(left_end), right_start: cut(right_start) }
            }
        };
        StoredLine { range: crate::text::narrow(line.range.clone()), role: line.role, split }
    }

    /// The line placed at page offset `at`.
    fn placed(&self, at: usize) -> LineLayout {
        let range = crate::text::widen(&self.range);
        let split = match self.split {
            StoredSplit::Whole => ColumnSplit::Whole,
            StoredSplit::LeftOnly => ColumnSplit::LeftOnly,
            StoredSplit::RightOnly => ColumnSplit::RightOnly,
            StoredSplit::Two { left_end, right_start } => {
                ColumnSplit::Two { left_end: left_end as usize, right_start: right_start as usize }
            }
        };
        LineLayout { range: at + range.start..at + range.end, role: self.role, split }
    }
}

/// One page of the buffer: where it lies and what it is (its body, shared by every version of
/// the document that holds the same page text, wherever it lies).
#[derive(Debug, Clone, PartialEq)]
pub struct PageLayout {
    pub range: Range<usize>,
    body: Arc<PageBody>,
}

/// What [`analyze_page`] finds on a page, with every range relative to the page's start.
#[derive(Debug)]
pub struct PageBody {
    columns: PageColumns,
    lines: Vec<StoredLine>,
    /// Paragraphs of this page in reading order (before merging across columns and pages).
    paragraphs: Vec<Paragraph>,
    /// How many: kept when the paragraphs are let go (an edit counts them).
    paragraph_count: usize,
}

/// Pages are equal when their columns and lines are: their own paragraphs are an intermediate
/// step (compare [`Layout::paragraphs`]), kept or let go depending on how a layout was made.
impl PartialEq for PageBody {
    fn eq(&self, other: &Self) -> bool {
        self.columns == other.columns && self.lines == other.lines
    }
}

impl PageLayout {
    /// The same page found at `offset` (for page caches): nothing is copied.
    pub fn moved_to(&self, offset: usize) -> PageLayout {
        PageLayout { range: offset..offset + self.range.len(), body: self.body.clone() }
    }

    pub fn columns(&self) -> &PageColumns {
        &self.body.columns
    }

    /// The page's lines, with buffer ranges.
    pub fn lines(&self) -> impl ExactSizeIterator<Item = LineLayout> + '_ {
        let at = self.range.start;
        self.body.lines.iter().map(move |line| line.placed(at))
    }

    /// The page's own paragraphs in reading order (before merging across columns and pages).
    pub fn paragraphs(&self) -> impl ExactSizeIterator<Item = Paragraph> + '_ {
        let at = self.range.start as isize;
        self.body.paragraphs.iter().map(move |p| p.shifted(at))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub pages: Vec<PageLayout>,
    /// The document's paragraphs in reading order, merged where a paragraph continues across a
    /// column or page break. Their bodies are shared with the pages' (see [`Paragraph`]).
    pub paragraphs: ChunkedList<Paragraph>,
    /// How many of the pages' own paragraphs (in page order) each paragraph was merged from.
    pub merged_from: ChunkedList<u32>,
}

impl Layout {
    pub fn lines(&self) -> impl Iterator<Item = LineLayout> + '_ {
        self.pages.iter().flat_map(|p| p.lines())
    }
}

/// Analyses one page (`page_text` is found at `page_offset` in the buffer).
pub fn analyze_page(page_text: &str, page_offset: usize, model: &LanguageModel) -> PageLayout {
    let ranges = lines::line_ranges(page_text);
    let roles = lines::classify(page_text, &ranges, page_offset > 0);
    // The decoder sees the text lines (blank lines kept as gaps, furniture removed).
    let mut decoded_index = Vec::new();
    let mut texts = Vec::new();
    for (i, r) in ranges.iter().enumerate() {
        if !roles[i].is_furniture() {
            decoded_index.push(i);
            let t = page_text.get(r.clone()).unwrap_or("");
            texts.push(if roles[i] == LineRole::Blank { "" } else { t });
        }
    }
    let (columns, splits) = columns::decode_page(&texts, model);
    let mut line_splits = vec![ColumnSplit::Whole; ranges.len()];
    for (k, &i) in decoded_index.iter().enumerate() {
        if let Some(s) = splits.get(k) {
            line_splits[i] = *s;
        }
    }
    let triples: Vec<(Range<usize>, LineRole, ColumnSplit)> = ranges
        .iter()
        .zip(&roles)
        .zip(&line_splits)
        .map(|((r, role), split)| (r.clone(), *role, *split))
        .collect();
    let paragraphs = stream::page_paragraphs(page_text, &triples, &columns, model);
    let mut lines: Vec<LineLayout> =
        triples.into_iter().map(|(range, role, split)| LineLayout { range, role, split }).collect();
    // A line that is a whole heading paragraph on its own gets the heading role.
    for p in &paragraphs {
        if p.kind != ParagraphKind::Heading {
            continue;
        }
        for seg in p.segments() {
            for line in &mut lines {
                if line.role == LineRole::Body
                    && line.range.start <= seg.start
                    && seg.end <= line.range.end
                    && !matches!(line.split, ColumnSplit::Two { .. })
                {
                    line.role = LineRole::Heading;
                }
            }
        }
    }
    let lines = lines.iter().map(StoredLine::new).collect();
    let body = PageBody { columns, lines, paragraph_count: paragraphs.len(), paragraphs };
    PageLayout { range: page_offset..page_offset + page_text.len(), body: Arc::new(body) }
}

/// How a document is cut into pages (see [`split_pages`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageSplit {
    /// At form feeds (the document has at least one).
    FormFeeds,
    /// Before numbered running headers (at least two were found).
    Headers,
    /// One page.
    Whole,
}

impl PageSplit {
    /// Whether a document cut this way into `pages` pages would still be cut this way.
    fn holds(self, pages: usize) -> bool {
        match self {
            PageSplit::FormFeeds => pages > 1,
            PageSplit::Headers => pages >= 3,
            PageSplit::Whole => pages == 1,
        }
    }
}

/// Pages of `text`: form feeds when present, else pages that start at a numbered running header
/// (`Militaire Inlichtingen- en Veiligheidsdienst 37`) when at least two are found, else one page.
pub fn page_ranges(text: &str) -> Vec<Range<usize>> {
    split_pages(text).0
}

/// [`page_ranges`], and which rule cut them.
pub fn split_pages(text: &str) -> (Vec<Range<usize>>, PageSplit) {
    let form_feed_pages = lines::page_ranges(text);
    if form_feed_pages.len() > 1 {
        return (form_feed_pages, PageSplit::FormFeeds);
    }
    let starts = header_page_starts(text, 0);
    if starts.len() < 3 {
        return (std::iter::once(0..text.len()).collect(), PageSplit::Whole);
    }
    (ranges_from_starts(&starts, text.len()), PageSplit::Headers)
}

/// The pages of `text` in `region` (a run of whole pages of a document cut by `split` into
/// `pages_outside` pages besides them, changed by an edit), as [`split_pages`] would cut
/// them: each page is cut by what lies in it alone. `None` when the edit may have changed how
/// the whole document is cut (then [`split_pages`] must read all of it).
pub fn resplit_pages(
    text: &str,
    region: Range<usize>,
    split: PageSplit,
    pages_outside: usize,
) -> Option<Vec<Range<usize>>> {
    let bytes = text.as_bytes().get(region.clone())?;
    let form_feeds = memchr::memchr_iter(0x0c, bytes).map(|i| region.start + i);
    let ranges = match split {
        PageSplit::FormFeeds => {
            let mut start = region.start;
            let mut out = Vec::new();
            for i in form_feeds {
                out.push(start..i);
                start = i + 1;
            }
            out.push(start..region.end);
            out
        }
        PageSplit::Headers => {
            // A form feed would cut the whole document differently.
            if form_feeds.count() > 0 {
                return None;
            }
            let starts = header_page_starts(text.get(region.clone())?, region.start);
            // The region starts a page: the document's start, or a header line.
            if region.start > 0 && starts.first() != Some(&region.start) {
                return None;
            }
            ranges_from_starts(&starts, region.end)
        }
        PageSplit::Whole => return None,
    };
    split.holds(pages_outside + ranges.len()).then_some(ranges)
}

/// Where pages start in `text` (found at `offset` in the buffer) when they start at numbered
/// headers: the buffer's start, and each header line after it.
fn header_page_starts(text: &str, offset: usize) -> Vec<usize> {
    let mut starts = if offset == 0 { vec![0] } else { Vec::new() };
    for r in lines::line_ranges(text) {
        let t = text.get(r.clone()).unwrap_or("");
        if offset + r.start > 0 && lines::is_numbered_header(t) {
            starts.push(offset + r.start);
        }
    }
    starts
}

fn ranges_from_starts(starts: &[usize], end: usize) -> Vec<Range<usize>> {
    starts.iter().enumerate().map(|(i, &s)| s..starts.get(i + 1).copied().unwrap_or(end)).collect()
}

/// Analyses a whole document. `model` should include the document (see [`LanguageModel`]).
pub fn analyze(text: &str, model: &LanguageModel) -> Layout {
    let pages = analyze_pages(text, &page_ranges(text), model);
    let mut layout = assemble(text, pages, model);
    // No edit starts from this layout (see `analysis::incremental`, which keeps them): the
    // pages' own paragraphs, parts of merged ones among them, are let go.
    for page in &mut layout.pages {
        page.release_paragraphs();
    }
    layout
}

/// [`analyze_page`] for each of `ranges` of `text`, in order.
pub fn analyze_pages(
    text: &str,
    ranges: &[Range<usize>],
    model: &LanguageModel,
) -> Vec<PageLayout> {
    let page = |r: &Range<usize>| analyze_page(text.get(r.clone()).unwrap_or(""), r.start, model);
    let bytes: usize = ranges.iter().map(|r| r.len()).sum();
    crate::parallel::map_text_from(crate::parallel::PAGES_PARALLEL_MIN_BYTES, bytes, ranges, page)
}

/// Builds the document layout from page layouts (fresh or from a page cache, moved to their
/// offsets with [`PageLayout::moved_to`]): merges paragraphs that continue across column and
/// page breaks.
pub fn assemble(text: &str, pages: Vec<PageLayout>, model: &LanguageModel) -> Layout {
    assemble_with(pages, &mut |parts| merge_paragraphs(text, parts, model))
}

/// [`assemble`], with paragraphs that continue one another merged by `merge` (a cache, or
/// [`merge_paragraphs`]).
pub fn assemble_with(
    pages: Vec<PageLayout>,
    merge: &mut dyn FnMut(&[&Paragraph]) -> Paragraph,
) -> Layout {
    let page_paragraphs = pages.iter().flat_map(PageLayout::paragraphs);
    let (paragraphs, merged_from) = merge_continuations(page_paragraphs, merge);
    Layout { pages, paragraphs: paragraphs.into(), merged_from: merged_from.into() }
}

/// One paragraph from `parts` that continue one another, in order. Its text depends only on
/// the buffer text of the parts' segments, their places relative to one another, the first
/// part's column and the model.
pub fn merge_paragraphs(text: &str, parts: &[&Paragraph], model: &LanguageModel) -> Paragraph {
    stream::merge(text, parts, model)
}

/// Merges a body paragraph that stops mid-sentence at a column or page end with the next body
/// paragraph when that one starts lowercase (the sentence goes on). Returns the paragraphs and
/// how many of `paragraphs` each was merged from. Whether two paragraphs join depends on those
/// two alone, so a run of them can be merged again without the rest.
pub fn merge_continuations(
    paragraphs: impl Iterator<Item = Paragraph>,
    merge: &mut dyn FnMut(&[&Paragraph]) -> Paragraph,
) -> (Vec<Paragraph>, Vec<u32>) {
    let mut out: Vec<Paragraph> = Vec::with_capacity(paragraphs.size_hint().0);
    let mut sizes: Vec<u32> = Vec::with_capacity(paragraphs.size_hint().0);
    let mut group: Vec<Paragraph> = Vec::new();
    let mut flush = |group: &mut Vec<Paragraph>, out: &mut Vec<Paragraph>| {
        if group.is_empty() {
            return;
        }
        sizes.push(group.len() as u32);
        if group.len() > 1 {
            let parts: Vec<&Paragraph> = group.iter().collect();
            out.push(merge(&parts));
            group.clear();
        } else {
            out.append(group);
        }
    };
    for p in paragraphs {
        let continues = group.last().is_some_and(|prev| prev.continues_into(&p));
        if !continues {
            flush(&mut group, &mut out);
        }
        group.push(p);
    }
    flush(&mut group, &mut out);
    (out, sizes)
}

impl PageLayout {
    /// Lets go of the page's own paragraphs (the document's reading order holds them, or
    /// what they were merged into) when nothing else shares the page.
    fn release_paragraphs(&mut self) {
        if let Some(body) = Arc::get_mut(&mut self.body) {
            body.paragraphs = Vec::new();
        }
    }

    /// How many paragraphs of its own the page has.
    pub fn paragraph_count(&self) -> usize {
        self.body.paragraph_count
    }

    /// Whether the page's own paragraphs were let go (see [`analyze`]): it must be decoded
    /// again to read them.
    pub fn paragraphs_released(&self) -> bool {
        self.body.paragraphs.len() != self.body.paragraph_count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_lines_give_back_the_lines_they_store() {
        assert!(std::mem::size_of::<StoredLine>() <= 24);
        let splits = [
            ColumnSplit::Whole,
            ColumnSplit::LeftOnly,
            ColumnSplit::RightOnly,
            ColumnSplit::Two { left_end: 31, right_start: 33 },
        ];
        for (i, split) in splits.into_iter().enumerate() {
            let line = LineLayout { range: 10 * i..10 * i + 70, role: LineRole::Body, split };
            let placed = StoredLine::new(&line).placed(1000);
            assert_eq!(placed.range, 1000 + line.range.start..1000 + line.range.end);
            assert_eq!((placed.role, placed.split), (line.role, line.split));
        }
    }
}
