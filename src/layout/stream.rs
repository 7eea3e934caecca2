//! Reading-order streams: the column segments of a page grouped into paragraphs, each with a
//! source map from every stream byte back to the analysed buffer (through which its text is
//! read).

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;

use super::columns::{ColumnSplit, PageColumns};
use super::hyphen::{self, HyphenDecision};
use super::lines::LineRole;
use super::model::LanguageModel;
use super::words::{char_len, ends_terminal, starts_lower, starts_upper, words};
use crate::text::{narrow, widen};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Column {
    Left,
    Right,
    Whole,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ParagraphKind {
    Heading,
    Body,
}

/// `stream` bytes of a paragraph's text come from `source` bytes of the buffer. A joiner space
/// inserted between two lines maps to an empty `source` range (a point) at the end of the line
/// before it; a hyphen removed when joining a word has no stream bytes at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Piece {
    pub stream: Range<usize>,
    pub source: Range<usize>,
}

/// A [`Piece`] as a paragraph body keeps it, in 32-bit offsets: a layout holds a piece (or
/// two) for every column line of a document, and with `usize` ranges they took nearly as much
/// memory as the document's text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct StoredPiece {
    stream: Range<u32>,
    source: Range<u32>,
}

impl StoredPiece {
    fn new(stream: Range<usize>, source: Range<usize>) -> StoredPiece {
        StoredPiece { stream: narrow(stream), source: narrow(source) }
    }

    fn stream(&self) -> Range<usize> {
        widen(&self.stream)
    }

    fn source(&self) -> Range<usize> {
        widen(&self.source)
    }
}

/// A word broken by a hyphen at a column line end, and what was done with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HyphenBreak {
    /// The first half, including its hyphen (`organisatie-`).
    pub first: Range<usize>,
    /// The token that continues it on the next line of the column (`ontwikkeling`).
    pub second: Range<usize>,
    pub decision: HyphenDecision,
    /// The word as the stream reads it (`organisatieontwikkeling`, `operationeel-tactische`).
    pub resolved: String,
    /// The other reading (kept hyphen for a join, joined for a kept hyphen).
    pub alternative: String,
}

/// A paragraph as found in the buffer: where it starts and what it is. The body is shared and
/// holds every range relative to the paragraph's first buffer byte, so a paragraph that moves
/// (text was inserted before it) is the same body at another place: moving it costs nothing,
/// and caches keyed by the body stay valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    /// The paragraph's first buffer byte (the start of [`Paragraph::source_span`]).
    at: usize,
    body: Arc<ParagraphBody>,
}

/// What a paragraph is, independent of its place in the buffer. Its text is not kept: it is
/// the buffer's text of its pieces (see [`Paragraph::text`]), and a workspace's paragraph texts
/// would be a second copy of the corpus in memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParagraphBody {
    pub kind: ParagraphKind,
    pub column: Column,
    /// Source ranges relative to the paragraph's start (made absolute by [`Paragraph`]).
    pieces: Vec<StoredPiece>,
    hyphens: Vec<HyphenBreak>,
    /// Source ranges of the column segments (one per line) in reading order.
    segments: Vec<Range<u32>>,
    /// A hash of `text` (memos keyed by a paragraph's text use it).
    text_hash: u64,
    /// A hash of everything in the body: equal shapes, equal findings (moved).
    shape_hash: u64,
    /// A heading's text, trimmed (document symbols list them; they are short and few).
    heading: Option<Box<str>>,
    /// What merging paragraphs across breaks reads of the first and last words.
    starts_lower: bool,
    ends_open: bool,
    ends_hyphen: bool,
}

impl std::ops::Deref for Paragraph {
    type Target = ParagraphBody;
    fn deref(&self) -> &ParagraphBody {
        &self.body
    }
}

/// A hyphen break placed in the buffer (see [`HyphenBreak`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedHyphen<'a> {
    pub first: Range<usize>,
    pub second: Range<usize>,
    pub decision: HyphenDecision,
    pub resolved: &'a str,
    pub alternative: &'a str,
}

impl crate::chunked::Shift for Paragraph {
    fn shifted(&self, delta: isize) -> Self {
        Paragraph::shifted(self, delta)
    }
}

impl Paragraph {
    /// The buffer ranges of the column segments (one per line) in reading order.
    pub fn segments(&self) -> impl ExactSizeIterator<Item = Range<usize>> + '_ {
        self.body.segments.iter().map(|r| self.place(&widen(r)))
    }

    /// The source map, in stream order, in buffer ranges.
    pub fn pieces(&self) -> impl ExactSizeIterator<Item = Piece> + '_ {
        self.body
            .pieces
            .iter()
            .map(|p| Piece { stream: p.stream(), source: self.place(&p.source()) })
    }

    /// The hyphenated line breaks, in buffer ranges.
    pub fn hyphens(&self) -> impl ExactSizeIterator<Item = PlacedHyphen<'_>> + '_ {
        self.body.hyphens.iter().map(|h| PlacedHyphen {
            first: self.place(&h.first),
            second: self.place(&h.second),
            decision: h.decision,
            resolved: &h.resolved,
            alternative: &h.alternative,
        })
    }

    fn place(&self, r: &Range<usize>) -> Range<usize> {
        self.at + r.start..self.at + r.end
    }

    /// The buffer ranges that the stream range `stream` came from, in stream order; touching
    /// ranges are merged. Joiners (points) are left out unless the range lies inside one.
    pub fn source_ranges(&self, stream: Range<usize>) -> Vec<Range<usize>> {
        let mut ranges = self.body.source_ranges(stream);
        for r in &mut ranges {
            *r = self.place(r);
        }
        ranges
    }

    /// From the first to the last buffer byte that the stream range `stream` came from (it
    /// may cover text of the other column); `None` for a range outside the paragraph.
    /// Like the hull of [`Paragraph::source_ranges`], without collecting them.
    pub fn source_bounds(&self, stream: Range<usize>) -> Option<Range<usize>> {
        self.body.source_bounds(stream).map(|r| self.place(&r))
    }

    /// The paragraph's text in reading order (its stream), read from `doc`, the buffer the
    /// paragraph was found in: its pieces' text, a space for each joiner. Borrowed from `doc`
    /// when the paragraph is one piece.
    pub fn text<'d>(&self, doc: &'d str) -> Cow<'d, str> {
        if let [only] = self.body.pieces.as_slice() {
            if !only.source.is_empty() {
                return Cow::Borrowed(doc.get(self.place(&only.source())).unwrap_or(""));
            }
        }
        let mut text = String::with_capacity(self.stream_len());
        self.text_into(doc, &mut text);
        Cow::Owned(text)
    }

    /// [`Paragraph::text`] written into `out` (emptied first): a caller reading many
    /// paragraphs reuses one buffer.
    pub fn text_into(&self, doc: &str, out: &mut String) {
        out.clear();
        for piece in &self.body.pieces {
            let source = piece.source();
            if source.is_empty() {
                // A joiner (one space), or a piece emptied by a joined hyphen (none).
                out.extend(std::iter::repeat_n(' ', piece.stream().len()));
            } else {
                out.push_str(doc.get(self.place(&source)).unwrap_or(""));
            }
        }
    }

    /// A heading's text (trimmed); `None` for a body paragraph.
    pub fn heading(&self) -> Option<&str> {
        self.body.heading.as_deref()
    }

    /// The length of [`Paragraph::text`] in bytes.
    pub fn stream_len(&self) -> usize {
        self.body.pieces.last().map_or(0, |p| p.stream.end as usize)
    }

    /// The smallest buffer range covering the whole paragraph.
    pub fn source_span(&self) -> Range<usize> {
        let end = self.body.segments.iter().map(|r| r.end as usize).max().unwrap_or(0);
        self.at..self.at + end
    }

    /// The buffer text the paragraph's findings read: from its first source byte to the end
    /// of the line of its last one.
    pub fn context_span(&self, doc: &str) -> Range<usize> {
        let span = self.source_span();
        let end = doc
            .get(span.end..)
            .and_then(|rest| memchr::memchr2(b'\n', b'\r', rest.as_bytes()))
            .map_or(doc.len(), |i| span.end + i);
        span.start..end
    }

    /// A hash of everything about the paragraph that does not move with it (its body) and of
    /// `context`: any hash that is equal only when the buffer text of the
    /// [`Paragraph::context_span`] is (for a span inside one page, the page's text hash and
    /// the span's place in the page will do, and cost no pass over the text). Equal
    /// fingerprints, equal findings (moved).
    pub fn fingerprint_with(&self, context: u64) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = crate::text::hash::TextHasher::default();
        (self.body.shape_hash, context).hash(&mut h);
        h.finish()
    }

    /// The same paragraph `delta` bytes further on.
    pub fn shifted(&self, delta: isize) -> Paragraph {
        Paragraph { at: self.at.saturating_add_signed(delta), body: self.body.clone() }
    }

    /// Whether this body paragraph stops mid-sentence and `next` reads as its continuation
    /// (it starts lowercase, or this one ends with a hyphen).
    pub fn continues_into(&self, next: &Paragraph) -> bool {
        self.kind == ParagraphKind::Body
            && next.kind == ParagraphKind::Body
            && self.ends_open
            && (next.starts_lower || self.ends_hyphen)
    }
}

impl ParagraphBody {
    /// A paragraph's text hash (see [`Paragraph`]'s memos).
    pub fn text_hash(&self) -> u64 {
        self.text_hash
    }

    /// A hash of the whole body: its text, kind, column, and source map and hyphen breaks
    /// relative to the paragraph's start.
    pub fn shape_hash(&self) -> u64 {
        self.shape_hash
    }
}

/// A paragraph being built from segments, with buffer (or page) ranges, and its text so far
/// (which deciding hyphen breaks and paragraph breaks reads, and the finished body does not
/// keep).
struct Draft {
    body: ParagraphBody,
    text: String,
}

impl Draft {
    fn new(column: Column) -> Self {
        let body = ParagraphBody {
            kind: ParagraphKind::Body,
            column,
            pieces: Vec::new(),
            hyphens: Vec::new(),
            segments: Vec::new(),
            text_hash: 0,
            shape_hash: 0,
            heading: None,
            starts_lower: false,
            ends_open: false,
            ends_hyphen: false,
        };
        Draft { body, text: String::new() }
    }

    /// The finished paragraph: ranges made relative to its first byte, hashes and word flags
    /// computed once, spare capacity released (layouts of a whole workspace stay in memory).
    /// `source` is the text the segments' ranges point into.
    fn finish(self, source: &str) -> Paragraph {
        let Draft { mut body, text } = self;
        let at = body.segments.iter().map(|r| r.start).min().unwrap_or(0);
        let mv = |r: &mut Range<u32>| {
            r.start = r.start.saturating_sub(at);
            r.end = r.end.saturating_sub(at);
        };
        for p in &mut body.pieces {
            mv(&mut p.source);
        }
        for s in &mut body.segments {
            mv(s);
        }
        let at = at as usize;
        for h in &mut body.hyphens {
            for r in [&mut h.first, &mut h.second] {
                r.start = r.start.saturating_sub(at);
                r.end = r.end.saturating_sub(at);
            }
        }
        body.pieces.shrink_to_fit();
        body.hyphens.shrink_to_fit();
        body.segments.shrink_to_fit();
        let first = text.split_whitespace().next().unwrap_or("");
        let last = text.split_whitespace().next_back().unwrap_or("");
        body.starts_lower = starts_lower(first);
        body.ends_open = !ends_terminal(last);
        body.ends_hyphen = last.ends_with('-');
        body.text_hash = crate::text::hash::hash_text(&text);
        if body.kind == ParagraphKind::Heading {
            body.heading = Some(text.trim().into());
        }
        body.shape_hash = body.shape();
        let paragraph = Paragraph { at, body: Arc::new(body) };
        debug_assert_eq!(paragraph.text(source), text, "a paragraph's text read back");
        paragraph
    }
}

impl ParagraphBody {
    /// Hashes the body (with its relative ranges); see [`Paragraph::fingerprint_with`].
    fn shape(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = crate::text::hash::TextHasher::default();
        (self.text_hash, self.kind, self.column as u8).hash(&mut h);
        for piece in &self.pieces {
            piece.hash(&mut h);
        }
        for b in &self.hyphens {
            (b.first.clone(), b.second.clone(), &b.resolved, &b.alternative).hash(&mut h);
            (b.decision as u8).hash(&mut h);
        }
        h.finish()
    }
}

impl Draft {
    fn push_segment(&mut self, doc: &str, source: Range<usize>, model: &LanguageModel) {
        let Some(segment) = doc.get(source.clone()) else {
            return;
        };
        if segment.is_empty() {
            return;
        }
        self.body.segments.push(narrow(source.clone()));
        if self.text.is_empty() {
            self.push_piece(segment, source);
            return;
        }
        let last_token_start = self.text.rfind(char::is_whitespace).map(|i| i + 1).unwrap_or(0);
        let broken = {
            let last_token = self.text.get(last_token_start..).unwrap_or("");
            last_token.len() > 1
                && last_token.ends_with('-')
                && last_token
                    .trim_end_matches('-')
                    .chars()
                    .last()
                    .is_some_and(char::is_alphanumeric)
        };
        // Most lines do not end with a broken word: nothing more to read or copy then.
        let first_word = if broken { words(segment).first().copied() } else { None };
        if let Some(fw) = first_word {
            let last_token = self.text.get(last_token_start..).unwrap_or("").to_string();
            let second_token = segment.get(fw.start..fw.end).unwrap_or("");
            let decision = hyphen::decide(&last_token, second_token, model);
            let first_source = self.body.source_ranges(last_token_start..self.text.len());
            let first = match (first_source.first(), first_source.last()) {
                (Some(a), Some(b)) if a.start <= b.end => a.start..b.end,
                // The token's parts come from lines out of buffer order (a paragraph merged
                // across columns): keep the part that holds the hyphen.
                (_, Some(b)) => b.clone(),
                _ => source.start..source.start,
            };
            let second = source.start + fw.start..source.start + fw.end;
            let head = last_token.trim_end_matches('-');
            let joined = format!("{head}{second_token}");
            let hyphenated = format!("{head}-{second_token}");
            match decision {
                HyphenDecision::Join => {
                    // Drop the hyphen from the stream; its source byte is no longer mapped.
                    self.text.pop();
                    if let Some(piece) = self.body.pieces.last_mut() {
                        piece.stream.end = piece.stream.end.saturating_sub(1);
                        piece.source.end = piece.source.end.saturating_sub(1);
                    }
                    self.push_piece(segment, source);
                }
                HyphenDecision::KeepHyphen => self.push_piece(segment, source),
                HyphenDecision::Suspended => {
                    self.push_joiner();
                    self.push_piece(segment, source);
                }
            }
            if decision != HyphenDecision::Suspended {
                let (resolved, alternative) = if decision == HyphenDecision::Join {
                    (joined, hyphenated)
                } else {
                    (hyphenated, joined)
                };
                self.body.hyphens.push(HyphenBreak {
                    first,
                    second,
                    decision,
                    resolved,
                    alternative,
                });
            }
            return;
        }
        self.push_joiner();
        self.push_piece(segment, source);
    }

    fn push_piece(&mut self, segment: &str, source: Range<usize>) {
        let start = self.text.len();
        self.text.push_str(segment);
        self.body.pieces.push(StoredPiece::new(start..self.text.len(), source));
    }

    fn push_joiner(&mut self) {
        let at = self.body.pieces.last().map(|p| p.source().end).unwrap_or(0);
        let start = self.text.len();
        self.text.push(' ');
        self.body.pieces.push(StoredPiece::new(start..start + 1, at..at));
    }
}

impl ParagraphBody {
    /// The buffer ranges that the stream range `stream` came from, in stream order; touching
    /// ranges are merged. Joiners (points) are left out unless the range lies inside one.
    fn source_ranges(&self, stream: Range<usize>) -> Vec<Range<usize>> {
        let mut out: Vec<Range<usize>> = Vec::new();
        self.each_source_range(stream, |r| match out.last_mut() {
            Some(last) if last.end == r.start => last.end = r.end,
            _ => out.push(r),
        });
        out
    }

    /// From the first to the last buffer byte that the stream range `stream` came from (it
    /// may cover text of the other column); `None` for a range outside the paragraph.
    /// Like the hull of [`Paragraph::source_ranges`], without collecting them.
    fn source_bounds(&self, stream: Range<usize>) -> Option<Range<usize>> {
        let mut bounds: Option<Range<usize>> = None;
        self.each_source_range(stream, |r| match &mut bounds {
            Some(b) => b.end = r.end,
            None => bounds = Some(r),
        });
        bounds.map(|b| b.start..b.end.max(b.start))
    }

    /// Calls `visit` with each buffer range `stream` came from, piece by piece, in stream
    /// order.
    fn each_source_range(&self, stream: Range<usize>, mut visit: impl FnMut(Range<usize>)) {
        let mut any = false;
        // Pieces are in stream order: skip those that end before the range (binary search keeps
        // sentence lookups in long paragraphs cheap).
        let first =
            self.pieces.partition_point(|p| p.stream().end <= stream.start).saturating_sub(1);
        for stored in self.pieces.get(first..).unwrap_or(&[]) {
            let piece = Piece { stream: stored.stream(), source: stored.source() };
            if piece.stream.start >= stream.end {
                break;
            }
            let start = stream.start.max(piece.stream.start);
            let end = stream.end.min(piece.stream.end);
            if start >= end {
                continue;
            }
            if piece.source.is_empty() {
                if !any && stream.end <= piece.stream.end {
                    any = true;
                    visit(piece.source.clone());
                }
                continue;
            }
            any = true;
            let s = piece.source.start + (start - piece.stream.start);
            let e = piece.source.start + (end - piece.stream.start);
            visit(s..e);
        }
    }
}

/// Rebuilds a paragraph from the segments of `parts` in order (used to merge paragraphs that
/// continue across a column or page break).
pub fn merge(doc: &str, parts: &[&Paragraph], model: &LanguageModel) -> Paragraph {
    let column = parts.first().map(|p| p.column).unwrap_or(Column::Whole);
    let mut out = Draft::new(column);
    for part in parts {
        for seg in part.segments() {
            out.push_segment(doc, seg, model);
        }
    }
    out.finish(doc)
}

/// Is this paragraph text a heading? Short, starts like a title, no sentence punctuation.
pub fn looks_like_heading(text: &str) -> bool {
    const MAX_CHARS: usize = 120;
    const MAX_WORDS: usize = 14;
    let t = text.trim();
    // Called on whole paragraphs too: a long text is ruled out before it is read word by word.
    if t.len() > 4 * MAX_CHARS || char_len(t) > MAX_CHARS {
        return false;
    }
    let mut ws = t.split_whitespace();
    let Some(first) = ws.next() else {
        return false;
    };
    let last = ws.clone().next_back().unwrap_or(first);
    starts_upper(first)
        && ws.count() < MAX_WORDS // the words after `first`
        && !last.ends_with(['.', ',', ';', ':', '!', '?', '-'])
        && !super::words::is_closed_class(last)
}

/// Did the line holding `a` end on purpose (paragraph end, heading) rather than by wrapping,
/// given that `b` is the next segment in the same column?
fn deliberate_break(a: &str, b: &str, width: usize, paragraph_so_far: &str) -> bool {
    let Some(b_first) = b.split_whitespace().next() else {
        return true;
    };
    let Some(a_last) = a.split_whitespace().next_back() else {
        return true;
    };
    if starts_lower(b_first) {
        return false;
    }
    let slack = width as isize - char_len(a) as isize - char_len(b_first) as isize - 1;
    if slack <= 6 {
        return false;
    }
    // A heading may have wrapped over several short lines (`Samenwerking` / `en organisatie-` /
    // `ontwikkeling`): judge the paragraph so far, not only its last line.
    ends_terminal(a_last) || looks_like_heading(a) || looks_like_heading(paragraph_so_far)
}

enum Item {
    Segment(Range<usize>),
    Gap,
}

/// Groups the lines of one page into paragraphs in reading order. `lines` are page-relative
/// ranges with their roles and column splits, and so are the paragraphs' places.
pub fn page_paragraphs(
    page: &str,
    lines: &[(Range<usize>, LineRole, ColumnSplit)],
    columns: &PageColumns,
    model: &LanguageModel,
) -> Vec<Paragraph> {
    // Bands: runs of single-column lines and runs of two-column lines, in page order.
    let mut bands: Vec<(bool, Vec<usize>)> = Vec::new();
    for (i, (_, role, split)) in lines.iter().enumerate() {
        if role.is_furniture() {
            continue;
        }
        let two = columns.two_column && *split != ColumnSplit::Whole;
        let blank = *role == LineRole::Blank;
        match bands.last_mut() {
            Some((band_two, members)) if *band_two == two || blank => members.push(i),
            _ => bands.push((two, vec![i])),
        }
    }
    let trim = |r: Range<usize>| -> Range<usize> {
        let t = page.get(r.clone()).unwrap_or("");
        let lead = t.len() - t.trim_start().len();
        let tail = t.len() - t.trim_end().len();
        if lead + tail >= t.len() {
            r.start..r.start
        } else {
            r.start + lead..r.end - tail
        }
    };
    let mut out = Vec::new();
    for (two, members) in bands {
        let mut streams: Vec<(Column, Vec<Item>, usize)> = if two {
            vec![
                (Column::Left, Vec::new(), columns.left_width),
                (Column::Right, Vec::new(), columns.right_width),
            ]
        } else {
            vec![(Column::Whole, Vec::new(), columns.full_width)]
        };
        for &i in &members {
            let (range, role, split) = &lines[i];
            if *role == LineRole::Blank {
                for s in &mut streams {
                    s.1.push(Item::Gap);
                }
                continue;
            }
            let (left, right) = match *split {
                ColumnSplit::Whole => (Some(range.clone()), None),
                ColumnSplit::LeftOnly => (Some(range.clone()), None),
                ColumnSplit::RightOnly => (None, Some(range.clone())),
                ColumnSplit::Two { left_end, right_start } => (
                    Some(range.start..range.start + left_end),
                    Some(range.start + right_start..range.end),
                ),
            };
            let parts = if two { vec![left, right] } else { vec![left] };
            for (stream, part) in streams.iter_mut().zip(parts) {
                match part.map(&trim) {
                    Some(r) if !r.is_empty() => stream.1.push(Item::Segment(r)),
                    _ => stream.1.push(Item::Gap),
                }
            }
        }
        for (column, items, width) in streams {
            let mut current: Option<Draft> = None;
            let mut previous_text: Option<&str> = None;
            for item in items {
                match item {
                    Item::Gap => {
                        if let Some(p) = current.take() {
                            out.push(p);
                        }
                        previous_text = None;
                    }
                    Item::Segment(r) => {
                        let text = page.get(r.clone()).unwrap_or("");
                        if let (Some(prev), Some(so_far)) = (previous_text, current.as_ref()) {
                            if deliberate_break(prev, text, width, &so_far.text) {
                                if let Some(p) = current.take() {
                                    out.push(p);
                                }
                            }
                        }
                        let p = current.get_or_insert_with(|| Draft::new(column));
                        p.push_segment(page, r, model);
                        previous_text = Some(text);
                    }
                }
            }
            if let Some(p) = current.take() {
                out.push(p);
            }
        }
    }
    out.into_iter()
        .map(|mut p| {
            if looks_like_heading(&p.text) {
                p.body.kind = ParagraphKind::Heading;
            }
            p.finish(page)
        })
        .collect()
}
