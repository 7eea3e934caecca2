//! Facts about one document that other documents can refer to: acronym definitions and uses,
//! named terms and headings, found on the reading-order streams of the layout model and
//! reported in buffer byte ranges.

use std::ops::Range;
use std::sync::Arc;

use crate::acronyms;
use crate::chunked::ChunkedList;
use crate::layout::{self, Layout, Paragraph, ParagraphKind};

/// `short (long)` or `long (short)` found in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionFact {
    /// Shared with the paragraph's cached facts (an edit copies no strings).
    pub short: Arc<str>,
    pub long: Arc<str>,
    /// Where the short form is written in the buffer.
    pub short_range: Range<usize>,
    /// Where the long form starts and ends in the buffer (it may cross a column break, so the
    /// range can cover text of the other column too).
    pub long_range: Range<usize>,
    /// The sentence that holds the definition, in reading order.
    pub sentence: Arc<str>,
}

impl crate::chunked::Shift for DefinitionFact {
    fn shifted(&self, delta: isize) -> Self {
        let moved = |r: &Range<usize>| {
            r.start.saturating_add_signed(delta)..r.end.saturating_add_signed(delta)
        };
        DefinitionFact {
            short_range: moved(&self.short_range),
            long_range: moved(&self.long_range),
            ..self.clone()
        }
    }
}

/// One mention of an acronym (or of a named term) in the buffer.
#[derive(Debug, Clone, Eq)]
pub struct Mention {
    /// The acronym's short form, or a named term's normalised key (shared by every version
    /// of the paragraph it was found in).
    pub key: Arc<str>,
    pub range: Range<usize>,
}

impl PartialEq for Mention {
    /// Ranges first (cheap, and mostly different); keys shared between analyses by pointer.
    fn eq(&self, other: &Self) -> bool {
        self.range == other.range && (Arc::ptr_eq(&self.key, &other.key) || self.key == other.key)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadingFact {
    pub text: String,
    pub range: Range<usize>,
}

#[derive(Debug, Clone, Default)]
pub struct DocumentFacts {
    pub definitions: Vec<DefinitionFact>,
    /// Acronym-like tokens (all capitals, `I&V`, `MQ-9`) and uses of the document's own
    /// mixed-case definitions (`Wiv`), in buffer order.
    pub uses: Vec<Mention>,
    /// Multiword proper names (`Team Caribisch Gebied`).
    pub terms: Vec<Mention>,
    pub headings: Vec<HeadingFact>,
}

/// Map a stream range of `paragraph` to one buffer range from its first to its last byte.
fn to_buffer(paragraph: &Paragraph, stream: Range<usize>) -> Option<Range<usize>> {
    paragraph.source_bounds(stream)
}

/// The sentence of `text` (split into `sentences`) that holds the start of `at`.
fn sentence_around<'a>(text: &'a str, sentences: &[Range<usize>], at: Range<usize>) -> &'a str {
    let sentence = sentences
        .iter()
        .find(|s| s.start <= at.start && at.start < s.end.max(s.start + 1))
        .cloned()
        .unwrap_or(at);
    text.get(sentence).unwrap_or("")
}

/// A definition found in a paragraph's text, in stream offsets.
#[derive(Debug, Clone)]
struct ParagraphDefinition {
    short: Arc<str>,
    long: Arc<str>,
    short_range: Range<usize>,
    long_range: Range<usize>,
    sentence: Arc<str>,
}

/// What the acronym and term finders see in one paragraph's text, in stream offsets: a pure
/// function of the text, so a cache can keep it while the paragraph is unchanged.
#[derive(Debug, Clone, Default)]
pub struct ParagraphFacts {
    /// Definitions, in stream offsets.
    definitions: Vec<ParagraphDefinition>,
    uses: Vec<(Arc<str>, Range<usize>)>,
    /// The distinct short forms of `uses` (the uses of one share its string).
    use_keys: Vec<Arc<str>>,
    terms: Vec<(Arc<str>, Range<usize>)>,
}

pub fn paragraph_facts(text: &str) -> ParagraphFacts {
    let definitions = acronyms::find_definitions(text);
    let own_mixed_case: Vec<String> = definitions
        .iter()
        .filter(|d| d.short.chars().any(char::is_lowercase))
        .map(|d| d.short.clone())
        .collect();
    // `find_known_uses` returns every acronym-like token plus the known mixed-case forms.
    let known = |token: &str| own_mixed_case.iter().any(|s| s == token);
    // Split once, and only for a paragraph that defines something.
    let sentences =
        if definitions.is_empty() { Vec::new() } else { layout::sentences::sentences(text) };
    let mut use_keys: Vec<Arc<str>> = Vec::new();
    let uses = acronyms::find_known_uses(text, &known)
        .into_iter()
        .map(|u| {
            let key = match use_keys.iter().find(|k| ***k == *u.short) {
                Some(key) => key.clone(),
                None => {
                    use_keys.push(Arc::from(u.short));
                    use_keys[use_keys.len() - 1].clone()
                }
            };
            (key, u.range)
        })
        .collect();
    ParagraphFacts {
        definitions: definitions
            .into_iter()
            .map(|def| {
                let at = def.long_range.start.min(def.short_range.start)..def.short_range.end;
                ParagraphDefinition {
                    sentence: Arc::from(sentence_around(text, &sentences, at)),
                    short: Arc::from(def.short),
                    long: Arc::from(def.long),
                    short_range: def.short_range,
                    long_range: def.long_range,
                }
            })
            .collect(),
        uses,
        use_keys,
        terms: acronyms::find_named_terms(text)
            .into_iter()
            .map(|t| (Arc::from(t.key), t.range))
            .collect(),
    }
}

/// The facts of every paragraph of `layout` (the layout of `text`), by index.
pub fn paragraphs_facts(text: &str, layout: &Layout) -> ChunkedList<Arc<ParagraphFacts>> {
    layout.paragraphs.iter().map(|p| Arc::new(paragraph_facts(&p.text(text)))).collect()
}

/// The definitions of `paragraph` (whose facts are `found`), with ranges relative to the
/// paragraph's start: they stay valid wherever the paragraph moves.
pub fn paragraph_definitions(paragraph: &Paragraph, found: &ParagraphFacts) -> Vec<DefinitionFact> {
    let at = paragraph.source_span().start;
    let relative = |r: Range<usize>| r.start - at..r.end - at;
    found
        .definitions
        .iter()
        .filter_map(|def| {
            Some(DefinitionFact {
                sentence: def.sentence.clone(),
                short: def.short.clone(),
                long: def.long.clone(),
                short_range: relative(to_buffer(paragraph, def.short_range.clone())?),
                long_range: relative(to_buffer(paragraph, def.long_range.clone())?),
            })
        })
        .collect()
}

/// Whether a paragraph's facts hold any definition (most do not: they share one empty list).
pub fn defines_anything(found: &ParagraphFacts) -> bool {
    !found.definitions.is_empty()
}

/// [`paragraph_definitions`], shared: a paragraph that defines nothing gets the one empty list.
pub fn definitions_of(paragraph: &Paragraph, found: &ParagraphFacts) -> Arc<[DefinitionFact]> {
    match defines_anything(found) {
        true => paragraph_definitions(paragraph, found).into(),
        false => no_definitions(),
    }
}

/// The definitions of a paragraph that defines nothing: one list for all of them.
pub fn no_definitions() -> Arc<[DefinitionFact]> {
    static EMPTY: std::sync::LazyLock<Arc<[DefinitionFact]>> =
        std::sync::LazyLock::new(|| Arc::from(Vec::new()));
    EMPTY.clone()
}

/// The definitions of every paragraph of `layout` (`relative`, by index, as
/// [`paragraph_definitions`] gives them), in buffer ranges.
pub fn place_definitions(
    layout: &Layout,
    relative: &ChunkedList<Arc<[DefinitionFact]>>,
) -> ChunkedList<DefinitionFact> {
    let mut definitions = Vec::with_capacity(relative.iter().map(|d| d.len()).sum());
    for (paragraph, defs) in layout.paragraphs.iter().zip(relative.stored(0..relative.len())) {
        definitions.extend(placed(&paragraph, defs));
    }
    definitions.into()
}

/// The definitions of `paragraph` (relative to its start, as [`paragraph_definitions`] gives
/// them) in buffer ranges.
pub fn placed<'a>(
    paragraph: &Paragraph,
    relative: &'a [DefinitionFact],
) -> impl Iterator<Item = DefinitionFact> + 'a {
    let at = paragraph.source_span().start as isize;
    relative.iter().map(move |def| crate::chunked::Shift::shifted(def, at))
}

/// All facts of a document, in buffer ranges, from the facts of each paragraph of `layout`
/// (`found`) and their `definitions`. Moving every use and term to the buffer touches the whole
/// document, so an analysis does it when a query first needs it, not after every edit.
pub fn materialize(
    layout: &Layout,
    found: &ChunkedList<Arc<ParagraphFacts>>,
    definitions: &ChunkedList<DefinitionFact>,
) -> DocumentFacts {
    let mut facts = DocumentFacts {
        definitions: definitions.iter().map(std::borrow::Cow::into_owned).collect(),
        uses: Vec::with_capacity(found.iter().map(|f| f.uses.len()).sum()),
        terms: Vec::with_capacity(found.iter().map(|f| f.terms.len()).sum()),
        headings: Vec::new(),
    };
    for (paragraph, found) in layout.paragraphs.iter().zip(found) {
        if paragraph.kind == ParagraphKind::Heading {
            facts.headings.push(HeadingFact {
                text: paragraph.heading().unwrap_or("").to_string(),
                range: paragraph.source_span(),
            });
        }
        for (key, range) in &found.uses {
            if let Some(range) = to_buffer(&paragraph, range.clone()) {
                facts.uses.push(Mention { key: key.clone(), range });
            }
        }
        for (key, range) in &found.terms {
            if let Some(range) = to_buffer(&paragraph, range.clone()) {
                facts.terms.push(Mention { key: key.clone(), range });
            }
        }
    }
    sort_mentions(&mut facts.uses);
    facts.uses.dedup();
    sort_mentions(&mut facts.terms);
    facts
}

/// The acronym uses of `found` (the facts of each paragraph of `layout`) for which `keep`
/// holds, in buffer ranges and buffer order, as [`materialize`] would list them; without
/// touching the other uses' ranges.
pub fn uses_where<'a>(
    layout: &Layout,
    found: &'a ChunkedList<Arc<ParagraphFacts>>,
    keep: &mut dyn FnMut(&'a str) -> bool,
) -> Vec<(&'a Arc<str>, Range<usize>)> {
    let mut kept: Vec<(&'a Arc<str>, Range<usize>)> = Vec::new();
    // (Facts never move: their runs are borrowed for as long as the list is.)
    let found = found.runs().flat_map(|(facts, _)| facts.iter());
    for (paragraph, found) in layout.paragraphs.iter().zip(found) {
        kept.extend(paragraph_uses_where(&paragraph, found, keep));
    }
    sort_uses(&mut kept);
    kept
}

/// The acronym uses of one paragraph (`found` are its facts) for which `keep` holds, in
/// buffer ranges and buffer order.
pub fn paragraph_uses_where<'a>(
    paragraph: &Paragraph,
    found: &'a ParagraphFacts,
    keep: &mut dyn FnMut(&'a str) -> bool,
) -> Vec<(&'a Arc<str>, Range<usize>)> {
    // Asked once per short form of the paragraph (its uses share the key's string).
    let kept_keys: Vec<bool> = found.use_keys.iter().map(|key| keep(key)).collect();
    if !kept_keys.contains(&true) {
        return Vec::new();
    }
    let mut kept: Vec<(&'a Arc<str>, Range<usize>)> = found
        .uses
        .iter()
        .filter(|(key, _)| key_kept(&found.use_keys, &kept_keys, key))
        .filter_map(|(key, range)| Some((key, to_buffer(paragraph, range.clone())?)))
        .collect();
    sort_uses(&mut kept);
    kept
}

/// Whether `key` (one of `keys`, by address) is kept (`kept`, by the same index).
fn key_kept(keys: &[Arc<str>], kept: &[bool], key: &Arc<str>) -> bool {
    keys.iter().position(|k| Arc::ptr_eq(k, key)).is_some_and(|i| kept[i])
}

/// Buffer order, then by key where ranges are equal; equal uses once.
fn sort_uses(uses: &mut Vec<(&Arc<str>, Range<usize>)>) {
    uses.sort_unstable_by(|a, b| (a.1.start, a.1.end, a.0).cmp(&(b.1.start, b.1.end, b.0)));
    uses.dedup_by(|a, b| a.1 == b.1 && a.0 == b.0);
}

/// Orders ranges by start, then length (for [`radix_sort`]).
fn range_key(r: &Range<usize>) -> u64 {
    (r.start as u64) << 16 | r.len().min(0xFFFF) as u64
}

/// How often each short form is used in a document.
pub type UseCounts = foldhash::HashMap<Arc<str>, usize>;

/// How often each short form is used in `found`.
pub fn use_counts(found: &ChunkedList<Arc<ParagraphFacts>>) -> UseCounts {
    let mut counts = UseCounts::default();
    adjust_use_counts(&mut counts, std::iter::empty(), found.iter());
    counts
}

/// `counts` without the uses of `removed` and with those of `added` (paragraph facts).
pub fn adjust_use_counts<F: std::ops::Deref<Target = Arc<ParagraphFacts>>>(
    counts: &mut UseCounts,
    removed: impl Iterator<Item = F>,
    added: impl Iterator<Item = F>,
) {
    for found in removed {
        for (key, _) in &found.uses {
            if let Some(count) = counts.get_mut(key) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    counts.remove(key);
                }
            }
        }
    }
    for found in added {
        for (key, _) in &found.uses {
            match counts.get_mut(key) {
                Some(count) => *count += 1,
                None => {
                    counts.insert(key.clone(), 1);
                }
            }
        }
    }
}

/// Whether two lists of paragraph facts hold the same acronym uses (by key, in order).
pub fn same_uses(
    a: &ChunkedList<Arc<ParagraphFacts>>,
    b: &ChunkedList<Arc<ParagraphFacts>>,
) -> bool {
    same_by_paragraph(a, b, |f| &f.uses, |x, y| same_str(&x.0, &y.0))
}

/// Whether two lists of paragraph definitions (as [`paragraph_definitions`] gives them) hold
/// the same acronyms and long forms in the same order.
pub fn same_definitions(
    a: &ChunkedList<Arc<[DefinitionFact]>>,
    b: &ChunkedList<Arc<[DefinitionFact]>>,
) -> bool {
    same_by_paragraph(
        a,
        b,
        |d| d,
        |x, y| same_str(&x.short, &y.short) && same_str(&x.long, &y.long),
    )
}

/// Strings shared between analyses compare by pointer first.
fn same_str(a: &Arc<str>, b: &Arc<str>) -> bool {
    Arc::ptr_eq(a, b) || a == b
}

/// Whether the `items` of two per-paragraph lists are `equal`, in order. Chunks and lists
/// shared by both (the paragraphs an edit left alone) are skipped by pointer: after an edit,
/// this compares the items of the chunks it rebuilt, even when it changed them.
fn same_by_paragraph<L: ?Sized, T>(
    a: &ChunkedList<Arc<L>>,
    b: &ChunkedList<Arc<L>>,
    items: impl Fn(&L) -> &[T],
    equal: impl Fn(&T, &T) -> bool,
) -> bool {
    let same_items =
        |x: &[T], y: &[T]| x.len() == y.len() && x.iter().zip(y).all(|(x, y)| equal(x, y));
    // The chunks both share hold the same lists in the same order.
    let (ours, theirs) = a.unshared(b);
    if ours.len() == theirs.len()
        && a.stored(ours.clone())
            .zip(b.stored(theirs.clone()))
            .all(|(x, y)| Arc::ptr_eq(x, y) || same_items(items(x), items(y)))
    {
        return true;
    }
    // Items may have moved between paragraphs: compare them all, in order.
    let mut xs = a.stored(ours).flat_map(|l| items(l).iter());
    let mut ys = b.stored(theirs).flat_map(|l| items(l).iter());
    loop {
        match (xs.next(), ys.next()) {
            (Some(x), Some(y)) if equal(x, y) => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

/// Buffer order, and by key where two mentions share a range (rare), so equal mentions end up
/// side by side. A radix sort of compact (position, index) pairs, then one move of each
/// mention: a comparison sort of the mentions themselves was a fifth of an edit's analysis.
fn sort_mentions(mentions: &mut [Mention]) {
    // Start, then length (ranges with one start order by their end); the radix sort is
    // stable, so equal ranges keep their order here.
    let order = radix_sort(
        mentions.iter().enumerate().map(|(i, m)| (range_key(&m.range), i as u32)).collect(),
    );
    // Out[i] = in[order[i]], by following each cycle of the permutation with swaps.
    let mut from: Vec<u32> = order.iter().map(|&(_, i)| i).collect();
    for i in 0..from.len() {
        let mut j = i;
        loop {
            let k = from[j] as usize;
            from[j] = j as u32;
            if k == i {
                break;
            }
            mentions.swap(j, k);
            j = k;
        }
    }
    for run in mentions.chunk_by_mut(|a, b| a.range == b.range) {
        if run.len() > 1 {
            run.sort_unstable_by(|a, b| a.key.cmp(&b.key));
        }
    }
}

/// Least-significant-digit radix sort by the key, stable, 11 bits per pass and only as many
/// passes as the largest key needs.
fn radix_sort(mut items: Vec<(u64, u32)>) -> Vec<(u64, u32)> {
    const BITS: u32 = 11;
    const BUCKETS: usize = 1 << BITS;
    let max = items.iter().map(|&(k, _)| k).max().unwrap_or(0);
    let mut scratch = vec![(0u64, 0u32); items.len()];
    let mut shift = 0;
    while shift < 64 && (max >> shift) > 0 {
        let digit = |k: u64| ((k >> shift) as usize) & (BUCKETS - 1);
        let mut starts = vec![0usize; BUCKETS + 1];
        for &(k, _) in &items {
            starts[digit(k) + 1] += 1;
        }
        for b in 0..BUCKETS {
            starts[b + 1] += starts[b];
        }
        for &item in &items {
            let slot = &mut starts[digit(item.0)];
            scratch[*slot] = item;
            *slot += 1;
        }
        std::mem::swap(&mut items, &mut scratch);
        shift += BITS;
    }
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_sort_by_range_then_key() {
        // A fixed pseudo-random sequence with repeated ranges and keys.
        let keys: Vec<Arc<str>> = ["NAVO", "AIVD", "MIVD"].iter().map(|k| Arc::from(*k)).collect();
        let mut state = 7u64;
        let mut next = |n: u64| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        let mut mentions: Vec<Mention> = (0..500)
            .map(|_| {
                let start = next(60) as usize;
                let len = 1 + next(3) as usize;
                Mention { key: keys[next(3) as usize].clone(), range: start..start + len }
            })
            .collect();
        let mut expected = mentions.clone();
        expected.sort_by(|a, b| {
            (a.range.start, a.range.end, &a.key).cmp(&(b.range.start, b.range.end, &b.key))
        });
        sort_mentions(&mut mentions);
        assert_eq!(mentions, expected);
        sort_mentions(&mut []);
    }
}
