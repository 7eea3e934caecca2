//! The column decoder: for every line of a page, where (if anywhere) the right column starts.
//!
//! A PDF flattened line by line joins the n-th line of the left column and the n-th line of the
//! right column with a space; where one column has a paragraph gap or a heading, the other stands
//! alone. There are no coordinates, so the decoder reasons about text only:
//!
//! * width: a column line is at most about `W` long (measured in average-character units, see
//!   `measure`), and a wrapped line ends where the next word would not have fitted (word-wrap
//!   consistency);
//! * continuity: each column is a text stream; a line continues the previous line of its column
//!   (lowercase start, a known bigram, a hyphenated word) or starts a paragraph after a paragraph
//!   end (capital after `.`), a heading or a gap;
//! * the seam itself: the two words either side of a seam are not a real bigram (checked against
//!   the [`LanguageModel`] with the pair itself left out).
//!
//! A page is decoded as a whole with the Viterbi algorithm over lines; the state of a line is one
//! of its candidate splits (whole, left only, right only, or two columns at the k-th space). This
//! is repeated for a few left-column widths around an estimate; the column widths are then
//! measured on the best reading and the page decoded once more with tight tolerances. The
//! two-column reading is compared with the single-column one: a page is only split when the
//! two-column reading explains it clearly better.
//!
//! The weights below were set by hand and checked on generated pages (`examples/layout-eval.rs`,
//! `LAYOUT_EVAL_SEED_BASE=100` for documents the tests do not use) and on the three seed pages.

use std::cell::Cell;

use serde::Serialize;

use super::model::{CountedWord, LanguageModel};
use super::words::{
    char_len, ends_continuing, ends_terminal, starts_lower, starts_upper, words, Word,
};

/// How one line divides into columns. Offsets are bytes relative to the line start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ColumnSplit {
    /// A single-column line (the page or this stretch has one column).
    Whole,
    /// Only the left column has text on this line.
    LeftOnly,
    /// Only the right column has text on this line.
    RightOnly,
    /// Both columns: left text ends at `left_end`, right text starts at `right_start`.
    Two { left_end: usize, right_start: usize },
}

/// The decoder's summary of a page.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PageColumns {
    pub two_column: bool,
    /// Estimated widths in characters (left, right, full line).
    pub left_width: usize,
    pub right_width: usize,
    pub full_width: usize,
    /// Score margin of the chosen reading over the other one (larger = more certain).
    pub margin: f32,
}

// --- scoring weights (nats-like units; see module docs) ---
/// Widths are measured as a blend of estimated glyph advances (the reports are set in
/// proportional fonts: `MIVD 2022` is wider than `ill.`) and plain character counts (the real
/// font is unknown). 0.5–1.0 score alike on generated proportional pages.
const GLYPH_SHARE: f32 = 0.7;
const LM_WEIGHT: f32 = 0.6;
const SEAM_LM_WEIGHT: f32 = 0.8;
const SEAM_ASSOCIATION_CAP: f32 = 1.0;
const CLASS_WEIGHT: f32 = 0.35;
const OVERFLOW_PER_CHAR: f32 = 1.0;
const OVERFLOW_TOLERANCE: f32 = 4.0;
const REFINED_TOLERANCE: f32 = 0.5;
const REFINED_WRAP_TOLERANCE: f32 = 3.0;
const REFINED_WRAP_PER_CHAR: f32 = 0.8;
const REFINE_PERCENTILE: f32 = 0.9;
const REFINE_ROUNDS: usize = 1;
/// Splits whose columns overflow the widths by more than this are not considered at all.
const CANDIDATE_SLACK: f32 = 4.0;
/// Viterbi beam: states scoring this much below the best on their line are dropped.
const BEAM: f32 = 8.0;
/// The coarse passes only choose a width and a first reading to measure the columns on.
const COARSE_BEAM: f32 = 3.0;
/// A first reading whose measured column widths are this close to the ones it was decoded with
/// needs no other width guesses: the refined pass decodes again at the measured widths. (1
/// instead of 3 ran the other guesses on 61 % of pages, for 11 % more scan instructions and no
/// better reading on documents nobody tuned to.)
const WIDTH_CONFIRMED: usize = 3;
/// Left-column widths tried around the estimate in the first pass (the estimate first).
const COARSE_WIDTH_STEPS: [i32; 3] = [0, -4, 4];
const WRAP_TOLERANCE: f32 = 4.0;
const WRAP_PER_CHAR: f32 = 0.35;
const WRAP_CAP: f32 = 2.5;
const BAD_START: f32 = -2.5;
const BAD_END: f32 = -2.5;
const HEADING_END: f32 = -0.3;
const HEADING_MAX_WIDTH: f32 = 0.9;
/// A heading wrapped early: both of its lines are shorter than this share of the column.
const HEADING_GOES_ON_SHARE: f32 = 0.6;
/// The page's first text line holds only the right column: the left one would start lower.
const INITIAL_RIGHT_ONLY: f32 = -1.0;
const PARAGRAPH_WITHOUT_GAP: f32 = -0.2;
const PAGE_EDGE_FLOOR: f32 = -0.8;
const SPLIT_PRIOR: f32 = -0.4;
const BROKEN_PAIR: f32 = 1.5;
const DOUBLE_SPACE_SEAM: f32 = 0.8;
const CAPITAL_FUNCTION_WORD_SEAM: f32 = 0.8;
const WHOLE_IN_TWO_COLUMN: f32 = -1.0;
const LAYOUT_SWITCH: f32 = -2.0;
/// One column stops and the other resumes on the same line: two events at once.
const COLUMN_SWAP: f32 = -0.6;
/// A line holding one column only that starts a block (a heading, or a short line after a
/// sentence end), right below a sentence end of its own column: a new block follows a gap.
const HEADING_AFTER_SENTENCE_END: f32 = -0.6;
/// ... right below a lone line of the same column: the other column, which had the gap on that
/// line, more likely resumes with it.
const HEADING_BELOW_LONE_LINE: f32 = -1.0;
const TWO_COLUMN_MARGIN: f32 = 3.0;
/// A segment that ends its line without a trailing space, continued on the next line.
const HARD_END_CONTINUED: f32 = -1.5;
/// ... and its paragraph-end score is at least this.
const HARD_END_AS_PARAGRAPH_END: f32 = -0.5;

/// Facts about one word that the scores use, computed once per line.
#[derive(Debug, Clone)]
struct WordFacts {
    word: Word,
    /// Start and width of the word in layout units (see `measure`).
    x: f32,
    w: f32,
    /// Vocabulary key and count in the model (see `LanguageModel::association_counted`).
    counted: CountedWord,
    left_class: u64,
    right_class: u64,
    upper: bool,
    lower: bool,
    terminal: bool,
    continuing: bool,
    hyphen_end: bool,
    suspension_conjunction: bool,
    starts_with_closing: bool,
    /// Ends a sentence (`.`, `!`, `?`, not an abbreviation such as `o.a.`).
    sentence_end: bool,
    function_word: bool,
    closed_class: bool,
    section_number: bool,
    /// `(Wiv` — a bracket opened and not closed in this word.
    opens_paren: bool,
    /// `2002),` — closes a bracket opened before this word.
    closes_paren: bool,
    /// Number of whitespace characters before this word (seam hint when 2+).
    gap_before: usize,
}

struct LineData {
    words: Vec<WordFacts>,
    /// Width of the whole line in layout units.
    chars: f32,
    blank: bool,
    /// In-line pairs that read as a sentence end followed by a lowercase word.
    broken_pairs: usize,
    /// How many copies of this line the language model has seen (at least 1: itself).
    copies: u32,
    /// The extractor left whitespace after the last word. Extractors that keep the PDF's
    /// spaces end a soft-wrapped line with one and a paragraph's last line without.
    trailing_space: bool,
}

/// Layout units: about one per average character (see `GLYPH_SHARE`).
fn measure(s: &str) -> f32 {
    measure_counted(s, char_len(s))
}

/// [`measure`] of `s` whose length in characters is known.
fn measure_counted(s: &str, chars: usize) -> f32 {
    GLYPH_SHARE * super::words::text_width(s) + (1.0 - GLYPH_SHARE) * chars as f32
}

impl LineData {
    fn new(text: &str, model: &LanguageModel) -> Self {
        let ws = words(text);
        let keyed: Vec<(u64, (u64, u64))> = ws
            .iter()
            .map(|w| super::words::key_and_classes(text.get(w.start..w.end).unwrap_or("")))
            .collect();
        // The words' counts in a loop of their own: the lookups are independent, so the
        // processor can overlap their cache misses (a workspace's vocabulary table is
        // megabytes; inside the loop below, each miss stalled a word).
        let counted: Vec<CountedWord> = keyed.iter().map(|&(k, _)| model.counted(k)).collect();
        let mut facts = Vec::with_capacity(ws.len());
        let mut previous_end_char = 0usize;
        let mut last_end_byte = 0usize;
        let mut x = 0.0f32;
        for (i, ((w, &(word_key, classes)), &counted)) in
            ws.iter().zip(&keyed).zip(&counted).enumerate()
        {
            let t = text.get(w.start..w.end).unwrap_or("");
            let gap = text.get(last_end_byte..w.start).unwrap_or("");
            x += measure_counted(gap, w.char_start.saturating_sub(previous_end_char));
            let width = measure_counted(t, w.char_len);
            // One pass over the (short) word instead of a memchr per bracket.
            let parens = t.bytes().any(|b| b == b'(' || b == b')');
            last_end_byte = w.end;
            facts.push(WordFacts {
                word: *w,
                x,
                w: width,
                counted,
                left_class: classes.0,
                right_class: classes.1,
                upper: starts_upper(t),
                lower: starts_lower(t),
                terminal: ends_terminal(t),
                continuing: ends_continuing(t),
                hyphen_end: t.len() > 1 && t.ends_with('-'),
                suspension_conjunction: super::hyphen::is_suspension_conjunction_key(word_key),
                starts_with_closing: t.starts_with([',', '.', ';', ':', ')', ']', '!', '?']),
                sentence_end: t.ends_with(['!', '?'])
                    || (t.ends_with('.') && !super::sentences::is_abbreviation(t)),
                function_word: super::words::is_function_word_key(word_key),
                closed_class: super::words::is_closed_class_key(word_key),
                section_number: super::words::is_section_number(t),
                opens_paren: parens && t.matches('(').count() > t.matches(')').count(),
                closes_paren: parens && t.matches(')').count() > t.matches('(').count(),
                gap_before: if i == 0 { 0 } else { w.char_start.saturating_sub(previous_end_char) },
            });
            previous_end_char = w.char_start + w.char_len;
            x += width;
        }
        let chars = x;
        let broken_pairs = facts.windows(2).filter(|w| Scorer::broken_pair(&w[0], &w[1])).count();
        LineData {
            copies: model.line_copies_at_least_one(text),
            broken_pairs,
            trailing_space: text.ends_with(char::is_whitespace),
            blank: facts.is_empty(),
            words: facts,
            chars,
        }
    }
}

/// A stretch of words `first..=last` of one line: one column's text on that line.
#[derive(Debug, Clone, Copy)]
struct Seg {
    line: usize,
    first: usize,
    last: usize,
}

/// A segment with the facts the transition scores use, computed once per decode.
#[derive(Debug, Clone, Copy)]
struct SegFacts {
    seg: Seg,
    /// The segment starts at the line's first word / ends with its last word.
    starts_line: bool,
    ends_line: bool,
    hard_end: bool,
    chars: f32,
    start: f32,
    end: f32,
    last_terminal: bool,
    first_lower: bool,
    first_width: f32,
    /// Short, capitalised, without a sentence end: see [`HEADING_END`].
    heading_like: bool,
}

/// One candidate of one line, ready for the Viterbi recursion.
#[derive(Debug, Clone, Copy)]
struct State {
    cand: Cand,
    left: Option<SegFacts>,
    right: Option<SegFacts>,
    whole: Option<SegFacts>,
    emit: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cand {
    Blank,
    Whole,
    Left,
    Right,
    /// Two columns; the left column ends with word `k`.
    Split(usize),
}

/// Width-independent scores of one page, computed on first use and shared by all decodes of
/// the page (NaN = not computed yet). One cell per word of the page in each table, line after
/// line (three allocations a page, not three a line).
struct PairCache {
    /// Where each line's words start in the tables (and, last, how many words the page has).
    line_start: Vec<usize>,
    /// Word `j` of line `i-1` continued by the first word of line `i`: at line `i-1`'s `j`.
    into_first: Vec<Cell<f32>>,
    /// The last word of line `i-1` continued by word `k` of line `i`: at line `i`'s `k`.
    from_last: Vec<Cell<f32>>,
    /// The language part of splitting line `i` after word `k`: at line `i`'s `k`.
    seam: Vec<Cell<f32>>,
}

impl PairCache {
    fn new(lines: &[LineData]) -> PairCache {
        let mut line_start = Vec::with_capacity(lines.len() + 1);
        let mut words = 0;
        for line in lines {
            line_start.push(words);
            words += line.words.len();
        }
        line_start.push(words);
        let cells = || (0..words).map(|_| Cell::new(f32::NAN)).collect::<Vec<_>>();
        PairCache { line_start, into_first: cells(), from_last: cells(), seam: cells() }
    }

    /// The cell of word `word` of line `line` in `table`, if the line has that word.
    fn cell<'c>(&self, table: &'c [Cell<f32>], line: usize, word: usize) -> Option<&'c Cell<f32>> {
        let (start, end) = (*self.line_start.get(line)?, *self.line_start.get(line + 1)?);
        table.get(start + word).filter(|_| start + word < end)
    }

    fn get_or(cell: Option<&Cell<f32>>, compute: impl FnOnce() -> f32) -> f32 {
        match cell {
            Some(c) if !c.get().is_nan() => c.get(),
            Some(c) => {
                let v = compute();
                c.set(v);
                v
            }
            None => compute(),
        }
    }
}

struct Scorer<'a> {
    lines: &'a [LineData],
    /// Enough lines of this page end with a space for a missing one to mean something.
    trailing_spaces_mean_wrap: bool,
    cache: Option<&'a PairCache>,
    /// Width of a space in layout units.
    space: f32,
    texts: &'a [&'a str],
    model: &'a LanguageModel,
    left_width: f32,
    right_width: f32,
    full_width: f32,
    /// Characters a line may exceed its column width before the overflow penalty starts.
    tolerance: f32,
    /// Word-wrap consistency: slack allowed, and penalty per character beyond it.
    wrap_tolerance: f32,
    wrap_per_char: f32,
    /// Viterbi beam (see [`BEAM`]).
    beam: f32,
}

impl Scorer<'_> {
    fn word(&self, line: usize, index: usize) -> Option<&WordFacts> {
        self.lines.get(line).and_then(|l| l.words.get(index))
    }

    fn seg_chars(&self, seg: Seg) -> f32 {
        match (self.word(seg.line, seg.first), self.word(seg.line, seg.last)) {
            (Some(a), Some(b)) => (b.x + b.w - a.x).max(0.0),
            _ => 0.0,
        }
    }

    fn start_score(&self, seg: Seg) -> f32 {
        match self.word(seg.line, seg.first) {
            Some(w) if w.upper && !w.closes_paren => 0.0,
            _ => BAD_START,
        }
    }

    fn end_score(&self, seg: Seg, width: f32) -> f32 {
        let Some(last) = self.word(seg.line, seg.last) else {
            return 0.0;
        };
        if last.terminal {
            return 0.0;
        }
        let heading_like = self.word(seg.line, seg.first).is_some_and(|w| w.upper)
            && !last.continuing
            && !last.hyphen_end
            && !last.closed_class
            && seg.last - seg.first < 12
            && self.seg_chars(seg) < HEADING_MAX_WIDTH * width;
        if heading_like {
            HEADING_END
        } else {
            BAD_END
        }
    }

    /// `moge-` + `lijke`: does the word go on here? Joined forms known to the document or the
    /// Dutch lexicon are strong evidence; a lowercase word that does not join is weak evidence
    /// against.
    fn hyphen_join_score(&self, prev: Seg, cur: Seg) -> f32 {
        let (Some(head), Some(tail)) =
            (self.text(prev.line, prev.last), self.text(cur.line, cur.first))
        else {
            return 0.0;
        };
        let head = head.trim_end_matches('-');
        let head = head.rsplit('-').next().unwrap_or(head);
        let head = head.trim_start_matches(|c: char| !c.is_alphanumeric());
        let tail = tail.trim_end_matches(|c: char| !c.is_alphanumeric());
        if head.is_empty() || tail.is_empty() {
            return 0.0;
        }
        let joined = format!("{head}{tail}");
        if self.model.count(&joined) > 0 {
            return 2.5;
        }
        // A typesetter breaks words where the patterns allow; only then is the (slower)
        // lexicon consulted.
        if !super::hyphen::patterns_allow_break(&joined, head.chars().count()) {
            return -0.5;
        }
        if crate::lexicon::is_word(&joined) {
            2.5
        } else {
            0.3
        }
    }

    fn text(&self, line: usize, index: usize) -> Option<&str> {
        let w = self.word(line, index)?;
        self.texts.get(line)?.get(w.word.start..w.word.end)
    }

    /// The width-independent part of "`cur` continues `prev`": language model, class bigrams,
    /// case and punctuation, hyphenated words. Looked up in the page's cache when possible.
    fn cached_continuation(&self, prev: &SegFacts, cur: &SegFacts) -> f32 {
        let (p, c) = (prev.seg, cur.seg);
        if let Some(cache) = self.cache {
            if c.line == p.line + 1 {
                if cur.starts_line {
                    let cell = cache.cell(&cache.into_first, p.line, p.last);
                    return PairCache::get_or(cell, || self.continuation(p, c));
                }
                if prev.ends_line {
                    let cell = cache.cell(&cache.from_last, c.line, c.first);
                    return PairCache::get_or(cell, || self.continuation(p, c));
                }
            }
        }
        self.continuation(p, c)
    }

    fn continuation(&self, prev: Seg, cur: Seg) -> f32 {
        let (Some(p), Some(c)) = (self.word(prev.line, prev.last), self.word(cur.line, cur.first))
        else {
            return 0.0;
        };
        let word_pair = self.model.association_counted(p.counted, c.counted, 0);
        let class_pair = self.model.class_association(p.left_class, c.right_class, 0);
        let mut cont = LM_WEIGHT * word_pair + CLASS_WEIGHT * class_pair;
        if p.hyphen_end {
            if c.lower && !c.suspension_conjunction {
                cont += self.hyphen_join_score(prev, cur);
            }
        } else if p.terminal {
            cont += if c.upper { 0.3 } else { -1.5 };
        } else if p.continuing {
            cont += if c.lower { 0.3 } else { -0.2 };
        } else if c.upper && c.function_word {
            // `… in Debian Edu` + `Er bestaat …`: a capitalised function word starts a sentence.
            cont -= 1.2;
        } else {
            cont += if c.lower { 0.3 } else { -0.4 };
        }
        cont
    }

    /// The width-independent part of splitting line `line` after word `k`.
    fn seam_language(&self, line: usize, k: usize) -> f32 {
        let cell = self.cache.and_then(|c| c.cell(&c.seam, line, k));
        PairCache::get_or(cell, || self.seam_language_uncached(line, k))
    }

    fn seam_language_uncached(&self, line: usize, k: usize) -> f32 {
        let Some(data) = self.lines.get(line) else {
            return 0.0;
        };
        let (Some(a), Some(b)) = (data.words.get(k), data.words.get(k + 1)) else {
            return 0.0;
        };
        // A real bigram across the seam argues against it; a pair of frequent words
        // that never follow each other argues for it. The pair was counted when the model read
        // this very line (and any copies of it, when a workspace holds a document twice): those
        // occurrences are left out. Capped, as a safety net against near-copies.
        let own = data.copies;
        let mut score = -SEAM_LM_WEIGHT
            * self.model.association_counted(a.counted, b.counted, own).min(SEAM_ASSOCIATION_CAP);
        score -= CLASS_WEIGHT
            * self
                .model
                .class_association(a.left_class, b.right_class, own)
                .min(SEAM_ASSOCIATION_CAP);
        score
    }

    /// Precomputes what the transition scores need to know about a segment.
    fn seg_facts(&self, seg: Option<Seg>, width: f32) -> Option<SegFacts> {
        let seg = seg?;
        let first = self.word(seg.line, seg.first)?;
        let last = self.word(seg.line, seg.last)?;
        let line = self.lines.get(seg.line)?;
        // The line's last segment, with no space after it: the extractor says it ends a
        // paragraph (or a heading, or the page's text in this column).
        let ends_line = seg.last + 1 == line.words.len();
        let hard_end = self.trailing_spaces_mean_wrap && !line.trailing_space && ends_line;
        let mut end = self.end_score(seg, width);
        let heading_like = end == HEADING_END;
        if hard_end {
            end = end.max(HARD_END_AS_PARAGRAPH_END);
        }
        Some(SegFacts {
            seg,
            starts_line: seg.first == 0,
            ends_line,
            hard_end,
            chars: self.seg_chars(seg),
            start: self.start_score(seg),
            end,
            last_terminal: last.terminal,
            first_lower: first.lower,
            first_width: first.w,
            heading_like,
        })
    }

    fn state(&self, line: usize, cand: Cand, two_column: bool) -> State {
        State {
            cand,
            left: self.seg_facts(self.left_seg(line, cand), self.left_width),
            right: self.seg_facts(self.right_seg(line, cand), self.right_width),
            whole: self.seg_facts(self.whole_seg(line, cand), self.full_width),
            emit: self.emission(line, cand, two_column),
        }
    }

    /// `cur` directly follows `prev` in the same column. Of `cur` only its line, its first word
    /// and whether it is shorter than `HEADING_GOES_ON_SHARE` of `width` matter (see
    /// [`JunctionMemo`]).
    fn junction(&self, prev: &SegFacts, cur: &SegFacts, width: f32) -> f32 {
        self.junction_after(prev, cur, width, self.cached_continuation(prev, cur))
    }

    /// [`Scorer::junction`] given [`Scorer::cached_continuation`] of the two segments.
    fn junction_after(&self, prev: &SegFacts, cur: &SegFacts, width: f32, mut cont: f32) -> f32 {
        if prev.hard_end {
            cont += HARD_END_CONTINUED;
        }
        // Word-wrap consistency: the next word would not have fitted on this line.
        let slack = width - prev.chars - (cur.first_width + self.space);
        if slack > self.wrap_tolerance {
            cont -= (self.wrap_per_char * (slack - self.wrap_tolerance)).min(WRAP_CAP);
        }
        // After a paragraph end a new paragraph usually follows a gap; after a heading it
        // follows directly.
        let without_gap = if prev.last_terminal { PARAGRAPH_WITHOUT_GAP } else { 0.0 };
        let new_paragraph = prev.end + cur.start + without_gap;
        // A heading set in a large font wraps early: `Samenwerking` / `en organisatie-`.
        let heading_goes_on = prev.end == HEADING_END
            && cur.first_lower
            && cur.chars < HEADING_GOES_ON_SHARE * width
            && prev.chars < HEADING_GOES_ON_SHARE * width;
        if heading_goes_on {
            cont = cont.max(0.3);
        }
        cont.max(new_paragraph)
    }

    fn stream(&self, prev: Option<&SegFacts>, cur: Option<&SegFacts>, width: f32) -> f32 {
        match (prev, cur) {
            (Some(p), Some(c)) => self.junction(p, c, width),
            (Some(p), None) => p.end,
            (None, Some(c)) => c.start,
            (None, None) => 0.0,
        }
    }

    fn left_seg(&self, line: usize, cand: Cand) -> Option<Seg> {
        let n = self.lines.get(line)?.words.len();
        match cand {
            Cand::Left if n > 0 => Some(Seg { line, first: 0, last: n - 1 }),
            Cand::Split(k) => Some(Seg { line, first: 0, last: k }),
            _ => None,
        }
    }

    fn right_seg(&self, line: usize, cand: Cand) -> Option<Seg> {
        let n = self.lines.get(line)?.words.len();
        match cand {
            Cand::Right if n > 0 => Some(Seg { line, first: 0, last: n - 1 }),
            Cand::Split(k) if k + 1 < n => Some(Seg { line, first: k + 1, last: n - 1 }),
            _ => None,
        }
    }

    fn whole_seg(&self, line: usize, cand: Cand) -> Option<Seg> {
        let n = self.lines.get(line)?.words.len();
        match cand {
            Cand::Whole if n > 0 => Some(Seg { line, first: 0, last: n - 1 }),
            _ => None,
        }
    }

    fn broken_pair(a: &WordFacts, b: &WordFacts) -> bool {
        a.sentence_end && b.lower
    }

    /// Penalty for the in-line pairs that read as a sentence end followed by a lowercase word.
    fn broken_pairs(&self, line: usize) -> f32 {
        self.lines.get(line).map(|d| BROKEN_PAIR * d.broken_pairs as f32).unwrap_or(0.0)
    }

    fn overflow(&self, chars: f32, width: f32) -> f32 {
        let excess = chars - width - self.tolerance;
        if excess > 0.0 {
            -OVERFLOW_PER_CHAR * excess
        } else {
            0.0
        }
    }

    fn emission(&self, line: usize, cand: Cand, two_column: bool) -> f32 {
        let Some(data) = self.lines.get(line) else {
            return 0.0;
        };
        let chars = data.chars;
        match cand {
            Cand::Blank => 0.0,
            Cand::Whole => {
                if two_column {
                    WHOLE_IN_TWO_COLUMN
                } else {
                    0.0
                }
            }
            Cand::Left => self.overflow(chars, self.left_width) - self.broken_pairs(line),
            Cand::Right => self.overflow(chars, self.right_width) - self.broken_pairs(line),
            Cand::Split(k) => {
                let (Some(a), Some(b)) = (data.words.get(k), data.words.get(k + 1)) else {
                    return f32::NEG_INFINITY;
                };
                let left_chars = a.x + a.w;
                let right_chars = chars - b.x;
                let mut score = SPLIT_PRIOR
                    + self.overflow(left_chars, self.left_width)
                    + self.overflow(right_chars, self.right_width);
                score += self.seam_language(line, k);
                if a.opens_paren && b.closes_paren {
                    score -= 3.0;
                }
                if b.starts_with_closing {
                    score -= 6.0;
                }
                if a.hyphen_end {
                    // `Inlichtingen- en`: a suspended hyphen is not a seam (usually).
                    score += if b.suspension_conjunction { -1.5 } else { 0.5 };
                }
                if b.gap_before >= 2 {
                    score += DOUBLE_SPACE_SEAM;
                }
                // `niet. ondersteunt`: a sentence end followed by a lowercase word is a seam.
                score -= self.broken_pairs(line);
                if Self::broken_pair(a, b) {
                    score += BROKEN_PAIR;
                }
                // `op het einde | Een netinst-installatie`: a capitalised function word starts a
                // sentence; it does not end a line.
                if b.upper && b.function_word {
                    score += CAPITAL_FUNCTION_WORD_SEAM;
                }
                if a.upper && a.function_word && k > 0 {
                    score -= 2.0 * CAPITAL_FUNCTION_WORD_SEAM;
                }
                // `de 3.4 Meer openheid`: a section number starts a heading.
                if b.section_number {
                    score += 1.0;
                }
                if a.section_number {
                    score -= 1.5;
                }
                score
            }
        }
    }

    /// The right column's stream score from `a` to `b`. `memo` holds the continuation score of
    /// the last previous segment seen with `b` (it depends on that segment's last word only).
    fn right_stream(&self, a: &State, b: &State, memo: &mut Option<(Seg, f32)>) -> f32 {
        let (Some(p), Some(c)) = (a.right.as_ref(), b.right.as_ref()) else {
            return self.stream(a.right.as_ref(), b.right.as_ref(), self.right_width);
        };
        let cont = match *memo {
            Some((seg, cont)) if (seg.line, seg.last) == (p.seg.line, p.seg.last) => cont,
            _ => {
                let cont = self.cached_continuation(p, c);
                *memo = Some((p.seg, cont));
                cont
            }
        };
        self.junction_after(p, c, self.right_width, cont)
    }

    /// Transition score from state `a` on one line to state `b` on the next.
    fn transition(&self, a: &State, b: &State) -> f32 {
        let left = self.stream(a.left.as_ref(), b.left.as_ref(), self.left_width);
        let right = self.stream(a.right.as_ref(), b.right.as_ref(), self.right_width);
        self.transition_with_streams(a, b, left, right)
    }

    /// [`Scorer::transition`] with the columns' stream scores already known.
    fn transition_with_streams(&self, a: &State, b: &State, left: f32, right: f32) -> f32 {
        let mut score = 0.0;
        match (a.whole.as_ref(), b.whole.as_ref()) {
            (Some(x), Some(y)) => return self.junction(x, y, self.full_width),
            (Some(x), None) => {
                score += x.end;
                if b.cand != Cand::Blank {
                    score += LAYOUT_SWITCH;
                }
            }
            (None, Some(y)) => {
                score += y.start;
                if a.cand != Cand::Blank {
                    score += LAYOUT_SWITCH;
                }
            }
            (None, None) => {}
        }
        if matches!((a.cand, b.cand), (Cand::Left, Cand::Right) | (Cand::Right, Cand::Left)) {
            score += COLUMN_SWAP;
        }
        score += self.lone_heading(a, b);
        score += left;
        score += right;
        score
    }

    /// Which column a line holding only the start of a block belongs to: the one that had the
    /// gap (see [`HEADING_AFTER_SENTENCE_END`]).
    fn lone_heading(&self, a: &State, b: &State) -> f32 {
        let (prev, cur) = match b.cand {
            Cand::Left => (a.left.as_ref(), b.left.as_ref()),
            Cand::Right => (a.right.as_ref(), b.right.as_ref()),
            _ => return 0.0,
        };
        let (Some(prev), Some(cur)) = (prev, cur) else {
            return 0.0;
        };
        let width = if b.cand == Cand::Left { self.left_width } else { self.right_width };
        // A short line that starts after a sentence end: a heading ending in `?`, a lowercase
        // command name as a heading.
        let short_block = prev.last_terminal && cur.chars < HEADING_GOES_ON_SHARE * width;
        if !cur.heading_like && !short_block {
            return 0.0;
        }
        let mut score = 0.0;
        if prev.last_terminal {
            score += HEADING_AFTER_SENTENCE_END;
        }
        if a.cand == b.cand {
            score += HEADING_BELOW_LONE_LINE;
        }
        score
    }

    /// A page may start in the middle of a paragraph (continued from the previous page).
    fn initial(&self, b: &State) -> f32 {
        let right_only = if b.cand == Cand::Right { INITIAL_RIGHT_ONLY } else { 0.0 };
        right_only
            + [b.left, b.right, b.whole]
                .iter()
                .flatten()
                .map(|seg| seg.start.max(PAGE_EDGE_FLOOR))
                .sum::<f32>()
    }

    fn last(&self, a: &State) -> f32 {
        [a.left, a.right, a.whole].iter().flatten().map(|seg| seg.end.max(PAGE_EDGE_FLOOR)).sum()
    }

    /// The candidate splits of a line (into `out`, replacing what it held).
    fn candidates_into(&self, line: usize, two_column: bool, out: &mut Vec<Cand>) {
        out.clear();
        let Some(data) = self.lines.get(line) else {
            return;
        };
        if data.blank {
            out.push(Cand::Blank);
            return;
        }
        if !two_column {
            out.push(Cand::Whole);
            return;
        }
        out.extend([Cand::Whole, Cand::Left, Cand::Right]);
        let chars = data.chars;
        for (k, pair) in data.words.windows(2).enumerate() {
            let left_chars = pair[0].x + pair[0].w;
            let right_chars = chars - pair[1].x;
            // Far outside the widths the overflow penalty decides anyway; skip those states.
            if left_chars <= self.left_width + CANDIDATE_SLACK
                && right_chars <= self.right_width + CANDIDATE_SLACK
            {
                out.push(Cand::Split(k));
            }
        }
    }

    /// Viterbi over the page. Returns the best score and the chosen candidate per line.
    fn decode(&self, two_column: bool) -> (f32, Vec<Cand>) {
        self.decode_forced(two_column, None)
    }

    /// Viterbi with line `forced.0` restricted to candidate `forced.1` (for explanations).
    fn decode_forced(&self, two_column: bool, forced: Option<(usize, Cand)>) -> (f32, Vec<Cand>) {
        let n = self.lines.len();
        if n == 0 {
            return (0.0, Vec::new());
        }
        // All lines' states in one vector (`offsets[i]..offsets[i + 1]` are line i's), with
        // their scores and back pointers beside them: a page costs a handful of allocations.
        // The candidates first, so that the states (large) are written once, in place.
        let mut offsets: Vec<usize> = Vec::with_capacity(n + 1);
        let mut cands: Vec<Cand> = Vec::with_capacity(n * 8);
        let mut line_cands: Vec<Cand> = Vec::new();
        for i in 0..n {
            offsets.push(cands.len());
            match forced {
                Some((line, cand)) if line == i => cands.push(cand),
                _ => {
                    self.candidates_into(i, two_column, &mut line_cands);
                    cands.extend_from_slice(&line_cands);
                }
            }
        }
        offsets.push(cands.len());
        let mut states: Vec<State> = Vec::with_capacity(cands.len());
        for i in 0..n {
            states.extend(
                cands[offsets[i]..offsets[i + 1]].iter().map(|&c| self.state(i, c, two_column)),
            );
        }
        let mut score = vec![f32::NEG_INFINITY; states.len()];
        let mut back = vec![0usize; states.len()];
        for j in offsets[0]..offsets[1] {
            score[j] = self.initial(&states[j]) + states[j].emit;
        }
        let widest = offsets.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
        let mut alive: Vec<usize> = Vec::with_capacity(widest);
        let mut left_memo: Vec<JunctionMemo> = Vec::with_capacity(widest);
        for i in 1..n {
            let (prev, cur) = (offsets[i - 1]..offsets[i], offsets[i]..offsets[i + 1]);
            // Beam: previous states far behind the best one cannot win any more.
            let best_prev = score[prev.clone()].iter().copied().fold(f32::NEG_INFINITY, f32::max);
            alive.clear();
            alive.extend(prev.filter(|&j| score[j] >= best_prev - self.beam));
            left_memo.clear();
            left_memo.resize(alive.len(), JunctionMemo::EMPTY);
            for k in cur {
                let b = &states[k];
                // Every previous right segment ends its line: one continuation score serves all.
                let mut right_cont: Option<(Seg, f32)> = None;
                let mut best = f32::NEG_INFINITY;
                let mut best_j = alive.first().copied().unwrap_or(0);
                for (&j, memo) in alive.iter().zip(&mut left_memo) {
                    let a = &states[j];
                    // Every left segment starts the line, so a previous state's left junction
                    // takes one or two values whatever the split of this line.
                    let left = match (a.left.as_ref(), b.left.as_ref()) {
                        (Some(p), Some(c)) => {
                            memo.get_or(c, self.left_width, || self.junction(p, c, self.left_width))
                        }
                        (p, c) => self.stream(p, c, self.left_width),
                    };
                    let right = self.right_stream(a, b, &mut right_cont);
                    let s = score[j] + self.transition_with_streams(a, b, left, right);
                    if s > best {
                        best = s;
                        best_j = j;
                    }
                }
                score[k] = best + b.emit;
                back[k] = best_j;
            }
        }
        let mut best = f32::NEG_INFINITY;
        let mut best_j = offsets[n - 1];
        for j in offsets[n - 1]..offsets[n] {
            let s = score[j] + self.last(&states[j]);
            if s > best {
                best = s;
                best_j = j;
            }
        }
        let mut path = vec![Cand::Blank; n];
        let mut j = best_j;
        for slot in path.iter_mut().rev() {
            *slot = states[j].cand;
            j = back[j];
        }
        (best, path)
    }
}

/// The junction scores of one previous segment with the segments of the next line, by what
/// [`Scorer::junction`] reads of the next segment: its first word, and whether it is short.
#[derive(Clone, Copy)]
struct JunctionMemo {
    /// `(first word, score)` for long and short next segments; `usize::MAX` = not computed.
    slots: [(usize, f32); 2],
}

impl JunctionMemo {
    const EMPTY: JunctionMemo = JunctionMemo { slots: [(usize::MAX, 0.0); 2] };

    fn get_or(&mut self, cur: &SegFacts, width: f32, compute: impl FnOnce() -> f32) -> f32 {
        let short = cur.chars < HEADING_GOES_ON_SHARE * width;
        let slot = &mut self.slots[usize::from(short)];
        if slot.0 != cur.seg.first {
            *slot = (cur.seg.first, compute());
        }
        slot.1
    }
}

fn percentile(sorted: &[usize], q: f32) -> usize {
    if sorted.is_empty() {
        return 0;
    }
    let index = ((sorted.len() - 1) as f32 * q).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// Column capacities measured on a decoded page: a high percentile of the lengths of the
/// segments that look wrapped (long ones), per column.
fn refine_widths(data: &[LineData], path: &[Cand], left: usize, right: usize) -> (usize, usize) {
    let mut lefts = Vec::with_capacity(data.len());
    let mut rights = Vec::with_capacity(data.len());
    for (d, cand) in data.iter().zip(path) {
        let n = d.words.len();
        let span = |a: usize, b: usize| -> Option<usize> {
            let first = d.words.get(a)?;
            let last = d.words.get(b)?;
            Some((last.x + last.w - first.x).max(0.0).round() as usize)
        };
        match *cand {
            Cand::Split(k) => {
                lefts.extend(span(0, k));
                rights.extend(span(k + 1, n.saturating_sub(1)));
            }
            Cand::Left => lefts.extend(span(0, n.saturating_sub(1))),
            Cand::Right => rights.extend(span(0, n.saturating_sub(1))),
            _ => {}
        }
    }
    let measure = |mut v: Vec<usize>, fallback: usize| -> usize {
        // Only the long segments say something about the capacity.
        v.retain(|&l| l as f32 >= 0.75 * fallback as f32);
        if v.len() < 4 {
            return fallback;
        }
        v.sort_unstable();
        percentile(&v, REFINE_PERCENTILE)
    };
    (measure(lefts, left), measure(rights, right))
}

/// Does this extractor keep the space at the end of wrapped lines? Only then does a line
/// without one say "paragraph end".
fn trailing_spaces_mean_wrap(data: &[LineData]) -> bool {
    let content = data.iter().filter(|d| !d.blank).count();
    let spaced = data.iter().filter(|d| !d.blank && d.trailing_space).count();
    content >= 5 && spaced * 5 >= content
}

/// Decodes the column structure of one page. `lines` are the texts of the page's text lines in
/// order (furniture already removed; blank lines may be included as empty strings).
pub fn decode_page(lines: &[&str], model: &LanguageModel) -> (PageColumns, Vec<ColumnSplit>) {
    let data: Vec<LineData> = lines.iter().map(|t| LineData::new(t, model)).collect();
    let trailing_spaces_mean_wrap = trailing_spaces_mean_wrap(&data);
    let mut lengths: Vec<usize> =
        data.iter().filter(|d| !d.blank).map(|d| d.chars.round() as usize).collect();
    lengths.sort_unstable();
    let full = percentile(&lengths, 0.95).max(1);
    let single = |data: &[LineData]| -> Vec<ColumnSplit> {
        data.iter().map(|_| ColumnSplit::Whole).collect()
    };
    let mut summary = PageColumns {
        two_column: false,
        left_width: full,
        right_width: 0,
        full_width: full,
        margin: 0.0,
    };
    let scorer_single = Scorer {
        lines: &data,
        trailing_spaces_mean_wrap,
        texts: lines,
        cache: None,
        space: measure(" "),
        model,
        left_width: full as f32,
        right_width: full as f32,
        full_width: full as f32,
        tolerance: OVERFLOW_TOLERANCE,
        wrap_tolerance: WRAP_TOLERANCE,
        wrap_per_char: WRAP_PER_CHAR,
        beam: BEAM,
    };
    // Too little text, or lines too short to hold two columns of real prose.
    if lengths.len() < 3 || full < 30 {
        return (summary, single(&data));
    }
    let cache = Some(PairCache::new(&data));
    let scorer_single = Scorer { cache: cache.as_ref(), ..scorer_single };
    let (single_score, _) = scorer_single.decode(false);

    // Column width estimate: lines holding one column cluster a little under half the full width.
    let half: Vec<usize> = lengths
        .iter()
        .copied()
        .filter(|&l| (l as f32) >= 0.3 * full as f32 && (l as f32) <= 0.62 * full as f32)
        .collect();
    let estimate =
        if half.len() >= 2 { percentile(&half, 0.85) } else { full.saturating_sub(1) / 2 };
    let mut best: Option<(f32, usize, usize, Vec<Cand>)> = None;
    for delta in COARSE_WIDTH_STEPS {
        let left = (estimate as i32 + delta).max(8) as usize;
        let right = full.saturating_sub(left + 1).max(estimate.saturating_sub(4)).max(8) + 2;
        let scorer = Scorer {
            lines: &data,
            trailing_spaces_mean_wrap,
            texts: lines,
            cache: cache.as_ref(),
            space: measure(" "),
            model,
            left_width: left as f32,
            right_width: right as f32,
            full_width: full as f32,
            tolerance: OVERFLOW_TOLERANCE,
            wrap_tolerance: WRAP_TOLERANCE,
            wrap_per_char: WRAP_PER_CHAR,
            beam: COARSE_BEAM,
        };
        let (score, path) = scorer.decode(true);
        // The reading at the estimate measures the same widths: the other guesses would only
        // confirm it (they are for pages whose estimate is off).
        let confirmed = delta == 0 && {
            let (l, r) = refine_widths(&data, &path, left, right);
            l.abs_diff(left) <= WIDTH_CONFIRMED && r.abs_diff(right) <= WIDTH_CONFIRMED
        };
        if best.as_ref().is_none_or(|b| score > b.0) {
            best = Some((score, left, right, path));
        }
        if confirmed {
            break;
        }
    }
    let Some((coarse_score, coarse_left, coarse_right, coarse_path)) = best else {
        return (summary, single(&data));
    };
    // Second pass: measure the column widths on the first reading (the longest column lines
    // are close to the real capacity) and decode again with a tight overflow tolerance.
    let mut left = coarse_left;
    let mut right = coarse_right;
    let mut path = coarse_path;
    let mut refined_score = coarse_score;
    for _ in 0..REFINE_ROUNDS {
        let (l, r) = refine_widths(&data, &path, left, right);
        if (l, r) == (left, right) && refined_score != coarse_score {
            break;
        }
        left = l;
        right = r;
        let scorer = Scorer {
            lines: &data,
            trailing_spaces_mean_wrap,
            texts: lines,
            cache: cache.as_ref(),
            space: measure(" "),
            model,
            left_width: left as f32,
            right_width: right as f32,
            full_width: full as f32,
            tolerance: REFINED_TOLERANCE,
            wrap_tolerance: REFINED_WRAP_TOLERANCE,
            wrap_per_char: REFINED_WRAP_PER_CHAR,
            beam: BEAM,
        };
        let (score, p) = scorer.decode(true);
        refined_score = score;
        path = p;
    }
    let two_score = refined_score.max(coarse_score);
    let splits = path.iter().filter(|c| matches!(c, Cand::Split(_))).count();
    summary.margin = two_score - single_score;
    if two_score - single_score < TWO_COLUMN_MARGIN || splits < 2 {
        return (summary, single(&data));
    }
    summary.two_column = true;
    summary.left_width = left;
    summary.right_width = right;
    let out = path
        .iter()
        .zip(&data)
        .map(|(cand, d)| match *cand {
            Cand::Blank | Cand::Whole => ColumnSplit::Whole,
            Cand::Left => ColumnSplit::LeftOnly,
            Cand::Right => ColumnSplit::RightOnly,
            Cand::Split(k) => match (d.words.get(k), d.words.get(k + 1)) {
                (Some(a), Some(b)) => {
                    ColumnSplit::Two { left_end: a.word.end, right_start: b.word.start }
                }
                _ => ColumnSplit::Whole,
            },
        })
        .collect();
    (summary, out)
}

/// Debugging aid: why did the decoder not choose `right_start` (byte offset in line `line`) as
/// the seam? Prints both paths' per-line scores where they differ.
#[doc(hidden)]
pub fn explain_seam(
    lines: &[&str],
    model: &LanguageModel,
    line: usize,
    right_start: usize,
) -> String {
    let data: Vec<LineData> = lines.iter().map(|t| LineData::new(t, model)).collect();
    let trailing_spaces_mean_wrap = trailing_spaces_mean_wrap(&data);
    let (summary, _) = decode_page(lines, model);
    let scorer = Scorer {
        lines: &data,
        trailing_spaces_mean_wrap,
        texts: lines,
        cache: None,
        space: measure(" "),
        model,
        left_width: summary.left_width as f32,
        right_width: summary.right_width as f32,
        full_width: summary.full_width as f32,
        tolerance: REFINED_TOLERANCE,
        wrap_tolerance: REFINED_WRAP_TOLERANCE,
        wrap_per_char: REFINED_WRAP_PER_CHAR,
        beam: BEAM,
    };
    let Some(d) = data.get(line) else {
        return String::from("no such line");
    };
    let forced = match d.words.iter().position(|w| w.word.start == right_start) {
        Some(0) => Cand::Right,
        Some(k) => Cand::Split(k - 1),
        None => Cand::Left,
    };
    let (free_score, free) = scorer.decode(true);
    let (forced_score, forced_path) = scorer.decode_forced(true, Some((line, forced)));
    let mut out = format!("widths {summary:?}\nfree {free_score:.2} forced {forced_score:.2}\n");
    let describe = |i: usize, c: Cand| -> String {
        let t = lines.get(i).copied().unwrap_or("");
        match c {
            Cand::Split(k) => {
                let at = data[i].words.get(k + 1).map(|w| w.word.start).unwrap_or(0);
                format!("{}|{}", t.get(..at).unwrap_or(""), t.get(at..).unwrap_or(""))
            }
            other => format!("{other:?}: {t}"),
        }
    };
    for i in 0..data.len() {
        let (a, b) = (free[i], forced_path[i]);
        let prev_differs = i > 0 && free[i - 1] != forced_path[i - 1];
        if a == b && !prev_differs {
            continue;
        }
        let trans = |path: &[Cand]| {
            let cur = scorer.state(i, path[i], true);
            if i == 0 {
                scorer.initial(&cur)
            } else {
                scorer.transition(&scorer.state(i - 1, path[i - 1], true), &cur)
            }
        };
        out.push_str(&format!(
            "line {i}: free emit {:.2} trans {:.2}  {}\n        forced emit {:.2} trans {:.2}  {}\n",
            scorer.emission(i, a, true),
            trans(&free),
            describe(i, a),
            scorer.emission(i, b, true),
            trans(&forced_path),
            describe(i, b),
        ));
    }
    out
}
