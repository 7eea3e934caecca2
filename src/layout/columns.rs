//! The column decoder: for every line of a page, where (if anywhere) the right column starts.
//!
//! A PDF flattened line by line joins the n-th line of the left column and the n-th line of the
//! right column with a space; where one column has a paragraph gap or a heading, the other stands
//! alone. There are no coordinates, so the decoder reasons about text only:
//!
//! * width: a column line is at most about `W` characters long, and a wrapped line ends where the
//!   next word would not have fitted (word-wrap consistency);
//! * continuity: each column is a text stream; a line continues the previous line of its column
//!   (lowercase start, a known bigram, a hyphenated word) or starts a paragraph after a paragraph
//!   end (capital after `.`), a heading or a gap;
//! * the seam itself: the two words either side of a seam are not a real bigram (checked against
//!   the [`LanguageModel`] with the pair itself left out).
//!
//! A page is decoded as a whole with the Viterbi algorithm over lines; the state of a line is one
//! of its candidate splits (whole, left only, right only, or two columns at the k-th space). This
//! is repeated for a few left-column widths around an estimate, and the best two-column decode
//! is compared with the best single-column decode: a page is only split when the two-column
//! reading explains it clearly better.

use serde::Serialize;

use super::model::LanguageModel;
use super::words::{
    char_len, ends_continuing, ends_terminal, key, starts_lower, starts_upper, words, Word,
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
const LM_WEIGHT: f32 = 0.6;
const SEAM_LM_WEIGHT: f32 = 0.8;
const OVERFLOW_PER_CHAR: f32 = 1.5;
const OVERFLOW_TOLERANCE: f32 = 3.0;
const WRAP_TOLERANCE: f32 = 4.0;
const WRAP_PER_CHAR: f32 = 0.35;
const WRAP_CAP: f32 = 6.0;
const BAD_START: f32 = -2.5;
const BAD_END: f32 = -2.5;
const HEADING_END: f32 = -0.5;
const PARAGRAPH_WITHOUT_GAP: f32 = -0.7;
const PAGE_EDGE_FLOOR: f32 = -0.8;
const SPLIT_PRIOR: f32 = -0.4;
const WHOLE_IN_TWO_COLUMN: f32 = -1.0;
const LAYOUT_SWITCH: f32 = -2.0;
const TWO_COLUMN_MARGIN: f32 = 3.0;

/// Facts about one word that the scores use, computed once per line.
#[derive(Debug, Clone)]
struct WordFacts {
    word: Word,
    key: u64,
    upper: bool,
    lower: bool,
    terminal: bool,
    continuing: bool,
    hyphen_end: bool,
    suspension_conjunction: bool,
    starts_with_closing: bool,
    /// Number of whitespace characters before this word (seam hint when 2+).
    gap_before: usize,
}

struct LineData {
    words: Vec<WordFacts>,
    chars: usize,
    blank: bool,
}

impl LineData {
    fn new(text: &str) -> Self {
        let ws = words(text);
        let mut facts = Vec::with_capacity(ws.len());
        let mut previous_end_char = 0usize;
        for (i, w) in ws.iter().enumerate() {
            let t = text.get(w.start..w.end).unwrap_or("");
            let core = super::words::core(t).to_lowercase();
            facts.push(WordFacts {
                word: *w,
                key: key(t),
                upper: starts_upper(t),
                lower: starts_lower(t),
                terminal: ends_terminal(t),
                continuing: ends_continuing(t),
                hyphen_end: t.len() > 1 && t.ends_with('-'),
                suspension_conjunction: matches!(core.as_str(), "en" | "of" | "tot" | "als"),
                starts_with_closing: t.starts_with([',', '.', ';', ':', ')', ']', '!', '?']),
                gap_before: if i == 0 { 0 } else { w.char_start.saturating_sub(previous_end_char) },
            });
            previous_end_char = w.char_start + w.char_len;
        }
        let chars = ws.last().map(|w| w.char_start + w.char_len).unwrap_or(0);
        LineData { blank: facts.is_empty(), words: facts, chars }
    }
}

/// A stretch of words `first..=last` of one line: one column's text on that line.
#[derive(Debug, Clone, Copy)]
struct Seg {
    line: usize,
    first: usize,
    last: usize,
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

struct Scorer<'a> {
    lines: &'a [LineData],
    model: &'a LanguageModel,
    left_width: f32,
    right_width: f32,
    full_width: f32,
}

impl Scorer<'_> {
    fn word(&self, line: usize, index: usize) -> Option<&WordFacts> {
        self.lines.get(line).and_then(|l| l.words.get(index))
    }

    fn seg_chars(&self, seg: Seg) -> f32 {
        match (self.word(seg.line, seg.first), self.word(seg.line, seg.last)) {
            (Some(a), Some(b)) => {
                (b.word.char_start + b.word.char_len).saturating_sub(a.word.char_start) as f32
            }
            _ => 0.0,
        }
    }

    fn start_score(&self, seg: Seg) -> f32 {
        match self.word(seg.line, seg.first) {
            Some(w) if w.upper => 0.0,
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
            && seg.last - seg.first < 12
            && self.seg_chars(seg) < 0.75 * width;
        if heading_like {
            HEADING_END
        } else {
            BAD_END
        }
    }

    /// `cur` directly follows `prev` in the same column.
    fn junction(&self, prev: Seg, cur: Seg, width: f32) -> f32 {
        let (Some(p), Some(c)) = (self.word(prev.line, prev.last), self.word(cur.line, cur.first))
        else {
            return 0.0;
        };
        let mut cont = LM_WEIGHT * self.model.association_keys(p.key, c.key, false);
        // Word-wrap consistency: the next word would not have fitted on this line.
        let slack = width - self.seg_chars(prev) - (c.word.char_len as f32 + 1.0);
        if slack > WRAP_TOLERANCE {
            cont -= (WRAP_PER_CHAR * (slack - WRAP_TOLERANCE)).min(WRAP_CAP);
        }
        if p.hyphen_end {
            if c.lower && !c.suspension_conjunction {
                cont += 1.0;
            }
        } else if p.terminal {
            cont += if c.upper { 0.3 } else { -1.5 };
        } else if p.continuing {
            cont += if c.lower { 0.3 } else { -0.2 };
        } else {
            cont += if c.lower { 0.3 } else { -0.4 };
        }
        let new_paragraph =
            self.end_score(prev, width) + self.start_score(cur) + PARAGRAPH_WITHOUT_GAP;
        cont.max(new_paragraph)
    }

    fn stream(&self, prev: Option<Seg>, cur: Option<Seg>, width: f32) -> f32 {
        match (prev, cur) {
            (Some(p), Some(c)) => self.junction(p, c, width),
            (Some(p), None) => self.end_score(p, width),
            (None, Some(c)) => self.start_score(c),
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

    fn overflow(chars: f32, width: f32) -> f32 {
        let excess = chars - width - OVERFLOW_TOLERANCE;
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
        let chars = data.chars as f32;
        match cand {
            Cand::Blank => 0.0,
            Cand::Whole => {
                if two_column {
                    WHOLE_IN_TWO_COLUMN
                } else {
                    0.0
                }
            }
            Cand::Left => Self::overflow(chars, self.left_width),
            Cand::Right => Self::overflow(chars, self.right_width),
            Cand::Split(k) => {
                let (Some(a), Some(b)) = (data.words.get(k), data.words.get(k + 1)) else {
                    return f32::NEG_INFINITY;
                };
                let left_chars = (a.word.char_start + a.word.char_len) as f32;
                let right_chars = chars - b.word.char_start as f32;
                let mut score = SPLIT_PRIOR
                    + Self::overflow(left_chars, self.left_width)
                    + Self::overflow(right_chars, self.right_width);
                let seam_pair = self.model.association_keys(a.key, b.key, true);
                score -= SEAM_LM_WEIGHT * seam_pair.max(0.0);
                if b.starts_with_closing {
                    score -= 6.0;
                }
                if a.hyphen_end {
                    score += if b.suspension_conjunction { -4.0 } else { 0.5 };
                }
                if b.gap_before >= 2 {
                    score += 0.3;
                }
                score
            }
        }
    }

    /// Transition score from `a` on line `p` to `b` on line `c` (the next line).
    fn transition(&self, p: usize, a: Cand, c: usize, b: Cand) -> f32 {
        let whole_a = self.whole_seg(p, a);
        let whole_b = self.whole_seg(c, b);
        let mut score = 0.0;
        match (whole_a, whole_b) {
            (Some(x), Some(y)) => return self.junction(x, y, self.full_width),
            (Some(x), None) => {
                score += self.end_score(x, self.full_width);
                if b != Cand::Blank {
                    score += LAYOUT_SWITCH;
                }
            }
            (None, Some(y)) => {
                score += self.start_score(y);
                if a != Cand::Blank {
                    score += LAYOUT_SWITCH;
                }
            }
            (None, None) => {}
        }
        score += self.stream(self.left_seg(p, a), self.left_seg(c, b), self.left_width);
        score += self.stream(self.right_seg(p, a), self.right_seg(c, b), self.right_width);
        score
    }

    /// A page may start in the middle of a paragraph (continued from the previous page).
    fn initial(&self, b: Cand) -> f32 {
        let mut score = 0.0;
        for seg in
            [self.left_seg(0, b), self.right_seg(0, b), self.whole_seg(0, b)].into_iter().flatten()
        {
            score += self.start_score(seg).max(PAGE_EDGE_FLOOR);
        }
        score
    }

    fn last(&self, line: usize, a: Cand) -> f32 {
        let mut score = 0.0;
        let widths = [self.left_width, self.right_width, self.full_width];
        let segs = [self.left_seg(line, a), self.right_seg(line, a), self.whole_seg(line, a)];
        for (seg, width) in segs.into_iter().zip(widths) {
            if let Some(seg) = seg {
                score += self.end_score(seg, width).max(PAGE_EDGE_FLOOR);
            }
        }
        score
    }

    fn candidates(&self, line: usize, two_column: bool) -> Vec<Cand> {
        let Some(data) = self.lines.get(line) else {
            return Vec::new();
        };
        if data.blank {
            return vec![Cand::Blank];
        }
        if !two_column {
            return vec![Cand::Whole];
        }
        let mut out = vec![Cand::Whole, Cand::Left, Cand::Right];
        let chars = data.chars as f32;
        for k in 0..data.words.len().saturating_sub(1) {
            let (Some(a), Some(b)) = (data.words.get(k), data.words.get(k + 1)) else {
                continue;
            };
            let left_chars = (a.word.char_start + a.word.char_len) as f32;
            let right_chars = chars - b.word.char_start as f32;
            // Far outside the widths the overflow penalty decides anyway; skip those states.
            if left_chars <= self.left_width + 12.0 && right_chars <= self.right_width + 12.0 {
                out.push(Cand::Split(k));
            }
        }
        out
    }

    /// Viterbi over the page. Returns the best score and the chosen candidate per line.
    fn decode(&self, two_column: bool) -> (f32, Vec<Cand>) {
        let n = self.lines.len();
        if n == 0 {
            return (0.0, Vec::new());
        }
        let cands: Vec<Vec<Cand>> = (0..n).map(|i| self.candidates(i, two_column)).collect();
        let mut score: Vec<Vec<f32>> = Vec::with_capacity(n);
        let mut back: Vec<Vec<usize>> = Vec::with_capacity(n);
        score.push(
            cands[0].iter().map(|&c| self.initial(c) + self.emission(0, c, two_column)).collect(),
        );
        back.push(vec![0; cands[0].len()]);
        for i in 1..n {
            let mut row = Vec::with_capacity(cands[i].len());
            let mut row_back = Vec::with_capacity(cands[i].len());
            for &b in &cands[i] {
                let emit = self.emission(i, b, two_column);
                let mut best = f32::NEG_INFINITY;
                let mut best_j = 0;
                for (j, &a) in cands[i - 1].iter().enumerate() {
                    let s = score[i - 1][j] + self.transition(i - 1, a, i, b);
                    if s > best {
                        best = s;
                        best_j = j;
                    }
                }
                row.push(best + emit);
                row_back.push(best_j);
            }
            score.push(row);
            back.push(row_back);
        }
        let mut best = f32::NEG_INFINITY;
        let mut best_j = 0;
        for (j, &a) in cands[n - 1].iter().enumerate() {
            let s = score[n - 1][j] + self.last(n - 1, a);
            if s > best {
                best = s;
                best_j = j;
            }
        }
        let mut path = vec![Cand::Blank; n];
        let mut j = best_j;
        for i in (0..n).rev() {
            path[i] = cands[i][j];
            j = back[i][j];
        }
        (best, path)
    }
}

fn percentile(sorted: &[usize], q: f32) -> usize {
    if sorted.is_empty() {
        return 0;
    }
    let index = ((sorted.len() - 1) as f32 * q).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// Decodes the column structure of one page. `lines` are the texts of the page's text lines in
/// order (furniture already removed; blank lines may be included as empty strings).
pub fn decode_page(lines: &[&str], model: &LanguageModel) -> (PageColumns, Vec<ColumnSplit>) {
    let data: Vec<LineData> = lines.iter().map(|t| LineData::new(t)).collect();
    let mut lengths: Vec<usize> = data.iter().filter(|d| !d.blank).map(|d| d.chars).collect();
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
        model,
        left_width: full as f32,
        right_width: full as f32,
        full_width: full as f32,
    };
    // Too little text, or lines too short to hold two columns of real prose.
    if lengths.len() < 3 || full < 30 {
        return (summary, single(&data));
    }
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
    for delta in [-6i32, -4, -2, 0, 2, 4, 6] {
        let left = (estimate as i32 + delta).max(8) as usize;
        let right = full.saturating_sub(left + 1).max(estimate.saturating_sub(4)).max(8) + 2;
        let scorer = Scorer {
            lines: &data,
            model,
            left_width: left as f32,
            right_width: right as f32,
            full_width: full as f32,
        };
        let (score, path) = scorer.decode(true);
        if best.as_ref().is_none_or(|b| score > b.0) {
            best = Some((score, left, right, path));
        }
    }
    let Some((two_score, left, right, path)) = best else {
        return (summary, single(&data));
    };
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
    let _ = char_len;
    (summary, out)
}
