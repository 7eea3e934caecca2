//! The analysis of an open document's next version: what an edit left unchanged is taken from
//! the previous version's analysis, and only the edited pages, and the paragraphs that hold or
//! touch them, are analysed again (through the memos of [`PageCache`], which also answer for
//! text seen before, as after an undo).
//!
//! Work per edit: the edited pages and paragraphs, and copies of the analysis' lists of pages
//! and paragraphs (pointers and offsets, shared bodies); and, unless the editor's changes say
//! what changed, a comparison of the two texts from both ends.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use crate::chunked::ChunkedList;
use crate::finding::FindingChunk;
use crate::layout::{self, LanguageModel, PageLayout, Paragraph};
use crate::text::Unchanged;

use super::cache::{self, hash_text, PageCache, PageKey};
use super::facts::{self, DefinitionFact, ParagraphFacts};
use super::{DocumentAnalysis, Intrinsic, PagesCut};

/// The facts, relative definitions and findings of one paragraph.
struct ParagraphUnits {
    facts: Arc<ParagraphFacts>,
    definitions: Arc<[DefinitionFact]>,
    findings: FindingChunk,
}

/// Analyses `text` whole, through the memos of `cache`.
pub(super) fn analyse_all(
    text: &str,
    model: &LanguageModel,
    cache: &mut PageCache,
) -> DocumentAnalysis {
    cache.start_round();
    let fingerprint = model.fingerprint();
    let (ranges, split) = layout::split_pages(text);
    let keys = page_keys(text, &ranges, fingerprint);
    let (pages, page_findings) = pages_of(text, &ranges, &keys, model, cache);
    let layout = layout::assemble_with(pages, &mut |parts| {
        merge_cached(text, parts, model, fingerprint, cache)
    });
    let cut = PagesCut { split, keys };
    fill_paragraph_memos(text, &layout, &ranges, &cut.keys, cache);
    let mut paragraph_facts = Vec::with_capacity(layout.paragraphs.len());
    let mut definitions = Vec::with_capacity(layout.paragraphs.len());
    let mut paragraph_findings = Vec::with_capacity(layout.paragraphs.len());
    for p in &layout.paragraphs {
        let units = paragraph_units(text, &p, &ranges, &cut.keys, cache);
        paragraph_facts.push(units.facts);
        definitions.push(units.definitions);
        paragraph_findings.push(units.findings);
    }
    let intrinsic = Intrinsic { pages: page_findings, paragraphs: paragraph_findings.into() };
    let units = (paragraph_facts.into(), definitions.into());
    let analysis =
        DocumentAnalysis::from_units(layout, units, Some(intrinsic), Some(cut), fingerprint);
    // Placed now (a fraction of the analysis), the definitions are carried from version to
    // version by the edits after this one (see `analyse_edit`), and the workspace index
    // replaces only the entries of those an edit changed.
    analysis.definitions();
    analysis
}

/// Analyses `text`, a later version of `old_text` (analysed as `old`), reusing what the edit
/// left `unchanged` (found by comparing the texts when not given). `None` when that cannot
/// be known without reading the whole text: `old` was analysed with another model, the
/// document is one page, or the edit changes how the document is cut into pages.
///
/// `old` may come from [`DocumentAnalysis::with_model`] (the workspace scan's analysis of a
/// document then opened and edited): how it cut the text into pages is found again, and the
/// pages whose own paragraphs it let go are decoded again where an edit merges them anew.
pub(super) fn analyse_edit(
    old_text: &str,
    old: &DocumentAnalysis,
    text: &str,
    unchanged: Option<Unchanged>,
    model: &LanguageModel,
    cache: &mut PageCache,
) -> Option<DocumentAnalysis> {
    let fingerprint = model.fingerprint();
    let old_pages = &old.layout.pages;
    if old.model_fingerprint != fingerprint {
        return None;
    }
    let found_again;
    let cut = match old.pages_cut.as_ref() {
        Some(cut) => cut,
        None => {
            found_again = cut_again(old_text, old_pages, fingerprint)?;
            &found_again
        }
    };
    if cut.keys.len() != old_pages.len() {
        return None;
    }
    let old_findings = old.intrinsic(old_text);
    let Unchanged { prefix, suffix } =
        unchanged.unwrap_or_else(|| common_ends(old_text.as_bytes(), text.as_bytes()));
    // What changed: `old_text[prefix..old_end]` became `text[prefix..new_end]`.
    let old_end = old_text.len() - suffix;
    let delta = text.len() as isize - old_text.len() as isize;
    let shift = |at: usize| at.saturating_add_signed(delta);
    // The pages the edit touches, `first..last` (a page that merely ends or starts where the
    // edit does counts: the edit may join it to the next).
    let first = old_pages.partition_point(|p| p.range.end < prefix);
    let last = old_pages.partition_point(|p| p.range.start <= old_end);
    if first >= last {
        return None;
    }
    // A paragraph's findings read up to the end of its last line, which can lie on the next
    // page only when that page holds no line break: then the reach of the edit is unclear.
    if let Some(before) = first.checked_sub(1).and_then(|i| old_pages.get(i)) {
        let page = old_text.as_bytes().get(before.range.clone())?;
        memchr::memchr2(b'\n', b'\r', page)?;
    }
    let region = old_pages[first].range.start..shift(old_pages[last - 1].range.end);
    let outside = old_pages.len() - (last - first);
    let new_ranges = layout::resplit_pages(text, region, cut.split, outside)?;
    let new_keys = page_keys(text, &new_ranges, fingerprint);
    let (new_pages, new_page_findings) = pages_of(text, &new_ranges, &new_keys, model, cache);
    cache.hits += outside;

    // Pages: those before the edit as they were, the edited ones anew, the rest moved.
    let mut pages = splice(old_pages, first..last, new_pages, |p| p.moved_to(shift(p.range.start)));
    let keys: Vec<PageKey> = splice(&cut.keys, first..last, new_keys, |k| *k);
    let page_findings =
        splice(&old_findings.pages, first..last, new_page_findings, |c| c.shifted(delta));
    let ranges: Vec<Range<usize>> = pages.iter().map(|p| p.range.clone()).collect();

    // The pages' own paragraphs in page order: the edited pages' are `window_start..
    // window_end` of them (old numbering), `window_start..new_window_end` (new). Paragraph
    // groups (merged across breaks) that hold or border on them are merged again.
    let count = |pages: &[PageLayout]| pages.iter().map(PageLayout::paragraph_count).sum::<usize>();
    let window_start = count(&old_pages[..first]);
    let window_end = window_start + count(&old_pages[first..last]);
    let new_window_end = window_start + count(&pages[first..first + new_ranges.len()]);
    let groups = Groups(&old.layout.merged_from);
    let again = groups.to_merge_again(window_start..window_end);
    let (first_group, end_group) = (again.groups.start, again.groups.end);
    let (from, to) = (again.parts.start, again.parts.end);
    let new_to = to - window_end + new_window_end;
    // The pages' own paragraphs to merge again: those of the edited pages, and on either side
    // those of the group that borders on them. A bordering group of one paragraph is that
    // paragraph, as the reading order holds it; the parts of a larger one are read from their
    // pages, decoded again when their own paragraphs were let go.
    let single = |group: usize, start: usize| {
        let group_start = groups.start_of(group);
        let size = groups.start_of(group + 1) - group_start;
        (size == 1 && group_start == start).then(|| old.layout.paragraphs.get(group))
    };
    let mut own = |wanted: Range<usize>, cache: &mut PageCache| {
        own_paragraphs(&mut pages, wanted, text, &keys, model, cache)
    };
    let mut remerged = match (from < window_start).then(|| single(first_group, from)) {
        Some(Some(Some(p))) => vec![p.into_owned()],
        _ => own(from..window_start, cache),
    };
    remerged.extend(own(window_start..new_window_end, cache));
    match (new_window_end < new_to).then(|| single(end_group - 1, window_end)) {
        Some(Some(Some(p))) => remerged.push(p.shifted(delta)),
        _ => remerged.extend(own(new_window_end..new_to, cache)),
    }
    let (regrouped, regrouped_sizes) =
        layout::merge_continuations(remerged.into_iter(), &mut |parts| {
            merge_cached(text, parts, model, fingerprint, cache)
        });

    // The regrouped paragraphs' facts, definitions and findings (memo first), in their place;
    // the other paragraphs' as they were, moved.
    let mut new_facts = Vec::with_capacity(regrouped.len());
    let mut new_definitions = Vec::with_capacity(regrouped.len());
    let mut new_findings = Vec::with_capacity(regrouped.len());
    for p in &regrouped {
        let units = paragraph_units(text, p, &ranges, &keys, cache);
        new_facts.push(units.facts);
        new_definitions.push(units.definitions);
        new_findings.push(units.findings);
    }
    let regrouped_count = regrouped.len();
    let again = first_group..end_group;
    let paragraphs = old.layout.paragraphs.splice(again.clone(), regrouped, delta);
    let merged_from = groups.0.splice(again.clone(), regrouped_sizes, 0);
    let paragraph_facts = old.paragraph_facts.splice(again.clone(), new_facts, 0);
    let definitions = old.paragraph_definitions.splice(again.clone(), new_definitions, 0);
    let mut paragraph_findings = old_findings.paragraphs.splice(again, new_findings, delta);
    // Paragraphs before the edit whose findings read into it (up to the end of their last
    // line): only those ending on the page before the edited ones can.
    let page_before_starts = first.checked_sub(1).map_or(0, |i| count(&old_pages[..i]));
    let mut group = first_group;
    // The findings of the paragraphs from `group` to the regrouped ones, backwards.
    let mut before: Vec<FindingChunk> = Vec::new();
    let mut refound = false;
    while group > 0 && groups.start_of(group) > page_before_starts {
        group -= 1;
        let (Some(p), Some(found)) = (paragraphs.get(group), paragraph_findings.get(group)) else {
            break;
        };
        match p.context_span(text).end >= prefix {
            true => {
                refound = true;
                before.push(paragraph_units(text, &p, &ranges, &keys, cache).findings);
            }
            false => before.push(found.into_owned()),
        }
    }
    if refound {
        let from = first_group - before.len();
        before.reverse();
        paragraph_findings = paragraph_findings.splice(from..first_group, before, 0);
    }

    // The use counts, when the old version has them: less the regrouped paragraphs' old
    // uses, plus their new ones.
    let use_counts = old.use_counts.get().map(|counts| {
        let mut counts = counts.clone();
        let added = paragraph_facts.range(first_group..first_group + regrouped_count);
        let removed = old.paragraph_facts.range(first_group..end_group);
        facts::adjust_use_counts(&mut counts, removed, added);
        counts
    });
    // The definitions in buffer ranges, when the old version has them: its list with the
    // regrouped paragraphs' replaced and the rest moved.
    let placed = old.definitions.get().map(|old_placed| {
        let count = |range: Range<usize>| -> usize {
            old.paragraph_definitions.stored(range).map(|defs| defs.len()).sum()
        };
        let before = count(0..first_group);
        let replaced = before..before + count(first_group..end_group);
        let regrouped = first_group..first_group + regrouped_count;
        let new: Vec<DefinitionFact> = paragraphs
            .range(regrouped.clone())
            .zip(definitions.stored(regrouped))
            .flat_map(|(p, defs)| facts::placed(&p, defs).collect::<Vec<_>>())
            .collect();
        old_placed.splice(replaced, new, delta)
    });
    let layout = layout::Layout { pages, paragraphs, merged_from };
    let intrinsic = Intrinsic { pages: page_findings, paragraphs: paragraph_findings };
    let cut = PagesCut { split: cut.split, keys };
    let units = (paragraph_facts, definitions);
    let analysis =
        DocumentAnalysis::from_units(layout, units, Some(intrinsic), Some(cut), fingerprint);
    if let Some(counts) = use_counts {
        let _ = analysis.use_counts.set(counts);
    }
    if let Some(placed) = placed {
        let _ = analysis.definitions.set(placed);
    }
    Some(analysis)
}

/// Paragraph groups: how many of the pages' own paragraphs (in page order) each paragraph
/// was merged from.
struct Groups<'a>(&'a ChunkedList<u32>);

/// Paragraph groups to merge again, and the pages' own paragraphs they cover.
struct MergeAgain {
    groups: Range<usize>,
    parts: Range<usize>,
}

impl Groups<'_> {
    /// Where group `group` starts among the pages' own paragraphs (their total for `len`).
    /// Whole chunks of groups are summed at a time.
    fn start_of(&self, group: usize) -> usize {
        let mut start = 0;
        let mut seen = 0;
        for (sizes, _) in self.0.runs() {
            let take = (group - seen).min(sizes.len());
            start += sizes[..take].iter().map(|&n| n as usize).sum::<usize>();
            seen += take;
            if seen == group {
                break;
            }
        }
        start
    }

    /// The group holding page paragraph `i`; `len` when `i` lies after every group.
    fn group_of(&self, i: usize) -> usize {
        let mut start = 0;
        let mut group = 0;
        for (sizes, _) in self.0.runs() {
            let size: usize = sizes.iter().map(|&n| n as usize).sum();
            if start + size <= i {
                start += size;
                group += sizes.len();
                continue;
            }
            for &n in sizes {
                start += n as usize;
                if i < start {
                    return group;
                }
                group += 1;
            }
        }
        group
    }

    /// The groups that hold or border on the page paragraphs `window`: the group holding the
    /// paragraph before it (it may now join the window's first) through the group holding
    /// the paragraph after it. Whether two paragraphs join depends on those two alone, so
    /// the groups outside keep their bounds.
    fn to_merge_again(&self, window: Range<usize>) -> MergeAgain {
        let len = self.0.len();
        let total = self.start_of(len);
        let first = if window.start == 0 { 0 } else { self.group_of(window.start - 1) };
        let end = if window.end >= total { len } else { self.group_of(window.end) + 1 };
        let from = self.start_of(first.min(len)).min(window.start);
        let to = self.start_of(end.min(len)).max(window.end);
        MergeAgain { groups: first..end, parts: from..to }
    }
}

/// `old` with `old[range]` replaced by `new`, and `after` applied to the kept items after it
/// (for the lists by page: a document has a few hundred pages, and tens of thousands of
/// paragraphs, which are kept in a [`ChunkedList`]).
fn splice<T: Clone>(
    old: &[T],
    range: Range<usize>,
    new: Vec<T>,
    after: impl Fn(&T) -> T,
) -> Vec<T> {
    let mut out = Vec::with_capacity(old.len() - range.len() + new.len());
    out.extend_from_slice(&old[..range.start]);
    out.extend(new);
    out.extend(old[range.end..].iter().map(after));
    out
}

/// How `text` (analysed as `pages` with the model of `fingerprint`, without a cache) is cut
/// into pages, found again; `None` when it is not how those pages lie.
fn cut_again(text: &str, pages: &[PageLayout], fingerprint: u64) -> Option<PagesCut> {
    let (ranges, split) = layout::split_pages(text);
    let same = ranges.len() == pages.len() && ranges.iter().zip(pages).all(|(r, p)| *r == p.range);
    same.then(|| PagesCut { split, keys: page_keys(text, &ranges, fingerprint) })
}

/// The pages' own paragraphs numbered `wanted` in page order, placed in the buffer. A page
/// whose own paragraphs were let go is decoded again (through the cache) and replaced by that
/// decoding, which holds them.
fn own_paragraphs(
    pages: &mut [PageLayout],
    wanted: Range<usize>,
    text: &str,
    keys: &[PageKey],
    model: &LanguageModel,
    cache: &mut PageCache,
) -> Vec<Paragraph> {
    let mut out = Vec::with_capacity(wanted.len());
    let mut at = 0;
    for (page, key) in pages.iter_mut().zip(keys) {
        let n = page.paragraph_count();
        if at + n > wanted.start && at < wanted.end {
            if page.paragraphs_released() {
                let range = std::slice::from_ref(&page.range);
                let (decoded, _) = pages_of(text, range, std::slice::from_ref(key), model, cache);
                if let Some(decoded) = decoded.into_iter().next() {
                    *page = decoded;
                }
            }
            let skip = wanted.start.saturating_sub(at);
            let take = (wanted.end - at).min(n) - skip;
            out.extend(page.paragraphs().skip(skip).take(take));
        }
        at += n;
        if at >= wanted.end {
            break;
        }
    }
    out
}

/// The lengths of the longest common prefix of `a` and `b`, and of the longest common suffix
/// of what is left after it (so the two never overlap), both on character boundaries when `a`
/// and `b` are UTF-8.
fn common_ends(a: &[u8], b: &[u8]) -> Unchanged {
    const BLOCK: usize = 256;
    let shorter = a.len().min(b.len());
    let mut prefix = 0;
    // Whole blocks compare as slices (vectorised), the last one byte by byte.
    while prefix + BLOCK <= shorter && a[prefix..prefix + BLOCK] == b[prefix..prefix + BLOCK] {
        prefix += BLOCK;
    }
    while prefix < shorter && a[prefix] == b[prefix] {
        prefix += 1;
    }
    let room = shorter - prefix;
    let mut suffix = 0;
    while suffix + BLOCK <= room
        && a[a.len() - suffix - BLOCK..a.len() - suffix]
            == b[b.len() - suffix - BLOCK..b.len() - suffix]
    {
        suffix += BLOCK;
    }
    while suffix < room && a[a.len() - suffix - 1] == b[b.len() - suffix - 1] {
        suffix += 1;
    }
    // Back to character boundaries: a byte shared inside a multi-byte character is not a
    // character shared.
    while prefix > 0 && is_continuation(a.get(prefix)) {
        prefix -= 1;
    }
    while suffix > 0 && is_continuation(a.get(a.len() - suffix)) {
        suffix -= 1;
    }
    Unchanged { prefix, suffix }
}

fn is_continuation(byte: Option<&u8>) -> bool {
    byte.is_some_and(|b| (b & 0xC0) == 0x80)
}

/// What each page's layout depends on (see [`PageKey`]).
fn page_keys(text: &str, ranges: &[Range<usize>], fingerprint: u64) -> Vec<PageKey> {
    ranges
        .iter()
        .map(|r| (hash_text(text.get(r.clone()).unwrap_or("")), fingerprint, r.start > 0))
        .collect()
}

/// The page layouts and page findings of `ranges` of `text`: from the memo where their text
/// (and model) was seen, else decoded (on all cores when there are many).
fn pages_of(
    text: &str,
    ranges: &[Range<usize>],
    keys: &[PageKey],
    model: &LanguageModel,
    cache: &mut PageCache,
) -> (Vec<PageLayout>, Vec<FindingChunk>) {
    let mut seen = std::collections::HashSet::new();
    let (missing_keys, missing_ranges): (Vec<PageKey>, Vec<_>) = ranges
        .iter()
        .zip(keys)
        .filter(|(_, key)| !cache.pages.contains(key) && seen.insert(**key))
        .map(|(range, key)| (*key, range.clone()))
        .unzip();
    cache.misses += missing_keys.len();
    cache.hits += ranges.len() - missing_keys.len();
    let decoded = layout::analyze_pages(text, &missing_ranges, model);
    for (key, page) in missing_keys.into_iter().zip(decoded) {
        cache.pages.insert(key, Arc::new(page));
    }
    // The findings of new pages on all cores too (`get_or` below then finds them).
    let mut seen = std::collections::HashSet::new();
    let missing: Vec<(PageKey, Range<usize>)> = ranges
        .iter()
        .zip(keys)
        .filter(|(_, key)| !cache.page_findings.contains(key) && seen.insert(**key))
        .map(|(range, key)| (*key, range.clone()))
        .collect();
    let pages_cached = &cache.pages;
    let found = spread(&missing, |(key, range)| {
        let page = pages_cached.peek(key)?.moved_to(range.start);
        let found = super::own_page_findings(text, &page);
        Some(found.iter().map(|f| f.shifted(-(range.start as isize))).collect())
    });
    // (A page not in the memo is left to `get_or` below.)
    for ((key, _), found) in missing.into_iter().zip(found) {
        if let Some(found) = found {
            cache.page_findings.insert(key, found);
        }
    }
    let mut pages = Vec::with_capacity(ranges.len());
    let mut findings = Vec::with_capacity(ranges.len());
    for (range, &key) in ranges.iter().zip(keys) {
        let page_text = text.get(range.clone()).unwrap_or("");
        let page = cache.pages.get_or(key, || {
            // Unreachable (every key was decoded above), but cheap to handle.
            cache.misses += 1;
            Arc::new(layout::analyze_page(page_text, range.start, model))
        });
        let page = page.moved_to(range.start);
        let found = cache.page_findings.get_or(key, || {
            let relative = -(range.start as isize);
            super::own_page_findings(text, &page).iter().map(|f| f.shifted(relative)).collect()
        });
        findings.push(FindingChunk::new(range.start, found));
        pages.push(page);
    }
    (pages, findings)
}

/// One paragraph from `parts`, which continue one another (see [`layout::merge_paragraphs`]),
/// from the memo when their text and relative places were seen.
fn merge_cached(
    text: &str,
    parts: &[&Paragraph],
    model: &LanguageModel,
    fingerprint: u64,
    cache: &mut PageCache,
) -> Paragraph {
    let anchor = parts.first().and_then(|p| p.segments().next()).map_or(0, |s| s.start);
    let key = cache::merge_key(text, parts, anchor, fingerprint);
    let merged = cache
        .merged
        .get_or(key, || Arc::new((anchor, layout::merge_paragraphs(text, parts, model))));
    let (at, paragraph) = &*merged;
    paragraph.shifted(anchor as isize - *at as isize)
}

/// `f` of each of `items` (pieces of a text, with their lengths), on all cores when they are
/// long enough together.
fn spread<T: Sync, R: Send>(
    items: &[(T, Range<usize>)],
    f: impl Fn(&(T, Range<usize>)) -> R + Sync,
) -> Vec<R> {
    let bytes = items.iter().map(|(_, range)| range.len()).sum();
    crate::parallel::map_text_from(crate::parallel::PAGES_PARALLEL_MIN_BYTES, bytes, items, f)
}

/// The facts, sentences and findings of the paragraphs of `layout` that the memos lack,
/// computed on all cores, so that [`paragraph_units`] then finds them all: a new document
/// lacks every one.
fn fill_paragraph_memos(
    text: &str,
    layout: &layout::Layout,
    ranges: &[Range<usize>],
    keys: &[PageKey],
    cache: &mut PageCache,
) {
    let mut seen = std::collections::HashSet::new();
    // Each with its findings key and anchor, and its span (for the work's size).
    type Missing<'l> = ((Cow<'l, Paragraph>, (u64, usize)), Range<usize>);
    let missing: Vec<Missing<'_>> = layout
        .paragraphs
        .iter()
        .map(|p| {
            let key = findings_key(text, &p, ranges, keys);
            let span = p.source_span();
            ((p, key), span)
        })
        .filter(|((p, (key, _)), _)| {
            !(cache.paragraph_facts.contains(&p.text_hash())
                && cache.paragraph_findings.contains(key))
                && seen.insert(*key)
        })
        .collect();
    let computed = spread(&missing, |((p, (_, anchor)), _)| {
        let own = p.text(text);
        let facts = Arc::new(facts::paragraph_facts(&own));
        let sentences: Arc<[Range<usize>]> = layout::sentences::sentences(&own).into();
        let found = layout::rules::findings_of_paragraph(text, p, &sentences)
            .iter()
            .map(|f| f.shifted(-(*anchor as isize)))
            .collect();
        (facts, sentences, found)
    });
    for (((p, (key, _)), _), (facts, sentences, found)) in missing.iter().zip(computed) {
        cache.paragraph_facts.insert(p.text_hash(), facts);
        cache.sentences.insert(p.text_hash(), sentences);
        cache.paragraph_findings.insert(*key, found);
    }
}

/// A paragraph's key in the memo of paragraph findings, and the offset its findings are
/// kept relative to (the start of its context span).
fn findings_key(
    text: &str,
    p: &Paragraph,
    ranges: &[Range<usize>],
    keys: &[PageKey],
) -> (u64, usize) {
    let span = p.context_span(text);
    (p.fingerprint_with(super::context_hash(text, &span, ranges, keys)), span.start)
}

/// The facts, definitions and findings of paragraph `p` of `text` (cut into pages `ranges`
/// with `keys`), from the memos where its text (and context) was seen.
fn paragraph_units(
    text: &str,
    p: &Paragraph,
    ranges: &[Range<usize>],
    keys: &[PageKey],
    cache: &mut PageCache,
) -> ParagraphUnits {
    let found = cache
        .paragraph_facts
        .get_or(p.text_hash(), || Arc::new(facts::paragraph_facts(&p.text(text))));
    // Keyed by the body's shape (the definitions' ranges are relative to the paragraph).
    let definitions = match facts::defines_anything(&found) {
        true => {
            cache.paragraph_definitions.get_or(p.shape_hash(), || facts::definitions_of(p, &found))
        }
        false => facts::no_definitions(),
    };
    let (fingerprint, anchor) = findings_key(text, p, ranges, keys);
    let found_here = cache.paragraph_findings.get_or(fingerprint, || {
        let sentences = cache
            .sentences
            .get_or(p.text_hash(), || layout::sentences::sentences(&p.text(text)).into());
        layout::rules::findings_of_paragraph(text, p, &sentences)
            .iter()
            .map(|f| f.shifted(-(anchor as isize)))
            .collect()
    });
    ParagraphUnits { facts: found, definitions, findings: FindingChunk::new(anchor, found_here) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_bordering_on_the_window_are_merged_again() {
        // Groups of 1, 2, 1 and 3 page paragraphs: 0 | 1 2 | 3 | 4 5 6.
        let sizes = ChunkedList::from(vec![1, 2, 1, 3]);
        let groups = Groups(&sizes);
        assert_eq!((0..=4).map(|g| groups.start_of(g)).collect::<Vec<_>>(), [0, 1, 3, 4, 7]);
        assert_eq!(
            (0..=7).map(|i| groups.group_of(i)).collect::<Vec<_>>(),
            [0, 1, 1, 2, 3, 3, 3, 4]
        );
        let again = |window| {
            let a = groups.to_merge_again(window);
            (a.groups, a.parts)
        };
        // Paragraph 3 edited: from the group before it through the group after it.
        assert_eq!(again(3..4), (1..4, 1..7));
        // The last of a group: that group and the group of the paragraph after it.
        assert_eq!(again(2..3), (1..3, 1..4));
        assert_eq!(again(1..2), (0..2, 0..3));
        // Empty windows (pages without paragraphs) at the start, the end and in between.
        assert_eq!(again(0..0), (0..1, 0..1));
        assert_eq!(again(7..7), (3..4, 4..7));
        assert_eq!(again(3..3), (1..3, 1..4));
    }

    /// Over many chunks (some of them spliced), where groups start and which group holds a
    /// paragraph agree with counting one by one.
    #[test]
    fn groups_are_found_across_chunks() {
        let plain: Vec<u32> = (0..1000).map(|i| 1 + (i * 7 % 5) as u32).collect();
        let sizes =
            ChunkedList::from(plain[..600].to_vec()).splice(600..600, plain[600..].to_vec(), 0);
        let groups = Groups(&sizes);
        let mut start = 0;
        for (g, &n) in plain.iter().enumerate() {
            assert_eq!(groups.start_of(g), start);
            for i in start..start + n as usize {
                assert_eq!(groups.group_of(i), g);
            }
            start += n as usize;
        }
        assert_eq!((groups.start_of(plain.len()), groups.group_of(start)), (start, plain.len()));
    }

    #[test]
    fn common_ends_stop_at_the_change_and_at_character_boundaries() {
        let ends = |prefix, suffix| Unchanged { prefix, suffix };
        let long = "a".repeat(1000);
        let a = format!("{long}é{long}");
        let b = format!("{long}è{long}");
        // `é` and `è` share their first byte: the prefix stops before the character.
        assert_eq!(common_ends(a.as_bytes(), b.as_bytes()), ends(1000, 1000));
        assert_eq!(common_ends(b"abc", b"abc"), ends(3, 0));
        assert_eq!(common_ends(b"abc", b"abxc"), ends(2, 1));
        // A repeated letter: the suffix leaves room for the prefix.
        assert_eq!(common_ends(b"aaa", b"aaaa"), ends(3, 0));
        assert_eq!(common_ends(b"", b"x"), ends(0, 0));
    }
}
