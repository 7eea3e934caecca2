//! Evaluation helpers shared by `tests/` and `examples/layout-eval.rs`: the seed truth, the
//! two-column page generator and the scores.
#![allow(dead_code)]

use std::path::PathBuf;

use scholion::layout::sentences::sentences;

pub fn testdata(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/layout").join(rel)
}

pub fn read(rel: &str) -> String {
    std::fs::read_to_string(testdata(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

pub const SEEDS: [&str; 3] = ["000", "003", "004"];

/// One seed page: its text, its sentences in reading order and the 1-based line numbers that
/// hold two columns.
pub struct Seed {
    pub name: String,
    pub text: String,
    pub sentences: Vec<String>,
    pub two_column_lines: Vec<usize>,
}

pub fn seeds() -> Vec<Seed> {
    SEEDS
        .iter()
        .map(|name| Seed {
            name: name.to_string(),
            text: read(&format!("seeds/{name}.txt")),
            sentences: read(&format!("seeds/{name}.sentences"))
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_string)
                .collect(),
            two_column_lines: read(&format!("seeds/{name}.seams"))
                .lines()
                .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
                .filter_map(|l| l.split('\t').next()?.parse().ok())
                .collect(),
        })
        .collect()
}

fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// (sentences found whole and in order, total). A sentence counts when it occurs verbatim
/// (whitespace normalised) in `output` and belongs to the longest in-order chain of found ones.
pub fn sentence_score(output: &str, truth: &[String]) -> (usize, usize) {
    let out = normalize(output);
    // Longest chain of truth sentences found in increasing output positions. A sentence that
    // occurs several times (prose repeats itself) may use any of its occurrences: candidates are
    // fed to the patience-sorting LIS in decreasing order so that one sentence counts once.
    let mut tails: Vec<usize> = Vec::new();
    for s in truth {
        let s = normalize(s);
        if s.is_empty() {
            continue;
        }
        let mut positions: Vec<usize> = out.match_indices(s.as_str()).map(|(p, _)| p).collect();
        positions.reverse();
        for p in positions {
            match tails.binary_search(&p) {
                Ok(_) => {}
                Err(i) if i == tails.len() => tails.push(p),
                Err(i) => tails[i] = p,
            }
        }
    }
    (tails.len(), truth.len())
}

/// Which lines (1-based) the analysis flags as holding two columns.
pub fn flagged_lines(text: &str) -> Vec<usize> {
    let model = scholion::layout::LanguageModel::from_text(text);
    let layout = scholion::layout::analyze(text, &model);
    let found = scholion::layout::findings(text, &layout);
    let starts: Vec<usize> =
        scholion::layout::lines::line_ranges(text).iter().map(|r| r.start).collect();
    found
        .iter()
        .filter(|f| f.rule == "interleaved-columns")
        .filter_map(|f| starts.iter().position(|&s| s == f.range.start).map(|i| i + 1))
        .collect()
}

/// (true positives, flagged, truth) for the interleaved-columns lines.
pub fn line_counts(flagged: &[usize], truth: &[usize]) -> (usize, usize, usize) {
    let tp = flagged.iter().filter(|l| truth.contains(l)).count();
    (tp, flagged.len(), truth.len())
}

// ---------------------------------------------------------------------------------------------
// Generator

/// xorshift64*: deterministic, dependency-free.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn range(&mut self, lo: usize, hi_inclusive: usize) -> usize {
        lo + (self.next() % (hi_inclusive - lo + 1) as u64) as usize
    }
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() % 10_000) as f64 / 10_000.0 < p
    }
}

#[derive(Clone, Debug)]
pub enum Block {
    Heading(String),
    Paragraph(String),
}

/// Reads prose: paragraphs separated by blank lines, headings prefixed with `# `.
pub fn prose(rel: &str) -> Vec<Block> {
    read(rel)
        .split("\n\n")
        .map(str::trim)
        .filter(|b| !b.is_empty())
        .map(|b| match b.strip_prefix("# ") {
            Some(h) => Block::Heading(h.to_string()),
            None => Block::Paragraph(normalize(b)),
        })
        .collect()
}

#[derive(Clone, Copy, Debug)]
pub struct PageStyle {
    pub columns: usize,
    pub min_width: usize,
    pub max_width: usize,
    pub lines_per_page: usize,
    pub language: hypher::Lang,
    /// Like the seeds' extractor: a soft-wrapped column line keeps its final space, a
    /// paragraph's last line mostly does not. `false`: every trailing space is stripped (like
    /// `pdftotext`).
    pub trailing_spaces: bool,
}

pub struct Generated {
    pub text: String,
    pub sentences: Vec<String>,
    pub two_column_lines: Vec<usize>,
    /// (1-based line, what the line holds): `Some(byte offset of the right column)` for two
    /// columns, `None` for a left-only line; right-only lines are in `right_only`.
    pub seams: Vec<(usize, usize)>,
    pub left_only: Vec<usize>,
    pub right_only: Vec<usize>,
}

/// Advance width of a character in Times-Roman (1/1000 em) divided by the average lowercase
/// advance, so that widths stay comparable to character counts. The generator sets text in a
/// proportional font like the real reports (and not with the decoder's own metrics).
fn times_advance(c: char) -> f32 {
    let w: u16 = match c {
        'a' | 'c' | 'e' | 'z' => 444,
        'f' | 'r' | 'I' | '(' | ')' | '-' => 333,
        'i' | 'j' | 'l' | 't' => 278,
        's' => 389,
        'm' => 778,
        'w' => 722,
        ' ' | '.' | ',' | ':' | ';' | '\'' => 250,
        'A' | 'D' | 'G' | 'H' | 'K' | 'N' | 'O' | 'Q' | 'U' | 'V' | 'X' | 'Y' => 722,
        'B' | 'C' | 'R' => 667,
        'E' | 'L' | 'T' | 'Z' => 611,
        'F' | 'P' | 'S' => 556,
        'J' => 389,
        'M' => 889,
        'W' => 944,
        c if c.is_uppercase() => 667,
        _ => 500,
    };
    f32::from(w) / 450.0
}

fn times_width(s: &str) -> f32 {
    s.chars().map(times_advance).sum()
}

/// Wraps a block's text into lines of at most `width` (average characters, proportional font,
/// minus a random 0–3 to vary the measure a little), hyphenating long words with the language's
/// patterns. Returns the lines.
fn wrap(text: &str, width: usize, rng: &mut Rng, lang: hypher::Lang) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut capacity = width as f32 - rng.range(0, 3) as f32;
    let mut queue: std::collections::VecDeque<String> =
        text.split_whitespace().map(str::to_string).collect();
    let space = times_width(" ");
    while let Some(word) = queue.pop_front() {
        let needed = if line.is_empty() {
            times_width(&word)
        } else {
            times_width(&line) + space + times_width(&word)
        };
        if needed <= capacity {
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&word);
            continue;
        }
        // Try to hyphenate: the longest prefix (plus `-`) that still fits.
        let room = capacity - if line.is_empty() { 0.0 } else { times_width(&line) + space };
        let mut placed = false;
        if word.chars().count() >= 7 && room >= 4.0 && rng.chance(0.8) {
            let dash =
                word.find('-').filter(|&d| times_width(&word[..=d]) <= room && d + 1 < word.len());
            if let Some(dash) = dash {
                // Break after an existing hyphen.
                let (a, b) = word.split_at(dash + 1);
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(a);
                queue.push_front(b.to_string());
                placed = true;
            } else if word.chars().all(char::is_alphabetic) {
                let lower = word.to_lowercase();
                let syllables: Vec<String> =
                    hypher::hyphenate(&lower, lang).map(str::to_string).collect();
                let total = word.chars().count();
                let mut best: Option<usize> = None;
                let mut chars = 0;
                for (i, syllable) in syllables.iter().enumerate() {
                    chars += syllable.chars().count();
                    let prefix: String = word.chars().take(chars).collect();
                    if i + 1 < syllables.len()
                        && chars >= 3
                        && times_width(&prefix) + times_width("-") <= room
                        && total - chars >= 3
                    {
                        best = Some(chars);
                    }
                }
                if let Some(cut) = best {
                    let byte = word.char_indices().nth(cut).map(|(b, _)| b).unwrap_or(word.len());
                    let (a, b) = word.split_at(byte);
                    if !line.is_empty() {
                        line.push(' ');
                    }
                    line.push_str(a);
                    line.push('-');
                    queue.push_front(b.to_string());
                    placed = true;
                }
            }
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            capacity = width as f32 - rng.range(0, 3) as f32;
        }
        if !placed {
            line = word;
        } else {
            capacity = width as f32 - rng.range(0, 3) as f32;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Lays prose out as pages of one or two columns with headers, page numbers, paragraph gaps,
/// headings and hyphenated breaks, flattened line by line like a PDF text extractor does.
/// Text flows from the bottom of a column to the top of the next one (and the next page).
pub fn generate(blocks: &[Block], style: PageStyle, pages: usize, seed: u64) -> Generated {
    let mut rng = Rng::new(seed);
    let width = rng.range(style.min_width, style.max_width);
    let height = style.lines_per_page;
    let needed = pages * style.columns * height;
    // The column text as one flat list of lines; `None` is a gap (blank line in that column).
    let mut flow: Vec<Option<(String, bool)>> = Vec::new();
    let mut truth = Vec::new();
    let mut cursor = rng.range(0, blocks.len().saturating_sub(1));
    while flow.len() < needed {
        match &blocks[cursor % blocks.len()] {
            Block::Heading(h) => {
                if flow.last().is_some_and(|l| l.is_some()) {
                    flow.push(None);
                }
                for l in wrap(h, width, &mut rng, style.language) {
                    flow.push(Some((l, false)));
                }
                truth.push(h.clone());
            }
            Block::Paragraph(p) => {
                let lines = wrap(p, width, &mut rng, style.language);
                let n = lines.len();
                for (i, l) in lines.into_iter().enumerate() {
                    flow.push(Some((l, i + 1 < n)));
                }
                flow.push(None);
                for s in sentences(p) {
                    truth.push(p[s].to_string());
                }
            }
        }
        cursor += 1;
    }
    let title = if matches!(style.language, hypher::Lang::English) {
        "Annual Report of the Service"
    } else {
        "Jaarverslag van de Dienst"
    };
    let mut text = String::new();
    let mut two_column_lines = Vec::new();
    let mut seams = Vec::new();
    let mut left_only = Vec::new();
    let mut right_only = Vec::new();
    let mut line_no = 0usize;
    let mut rest = flow.into_iter().peekable();
    let mut page = 0;
    while rest.peek().is_some() {
        let mut columns: Vec<Vec<Option<(String, bool)>>> = vec![Vec::new(); style.columns];
        for column in columns.iter_mut() {
            // No gap at the top of a column.
            while rest.peek().is_some_and(|l| l.is_none()) {
                rest.next();
            }
            while column.len() < height {
                match rest.next() {
                    Some(l) => column.push(l),
                    None => break,
                }
            }
        }
        if page > 0 {
            text.push('\u{c}');
        }
        let header = if page % 2 == 0 {
            format!("{title} {}", 10 + page)
        } else {
            format!("{}     {title}", 10 + page)
        };
        text.push_str(&header);
        text.push('\n');
        line_no += 1;
        let rows = columns.iter().map(Vec::len).max().unwrap_or(0);
        for row in 0..rows {
            let cell = |c: usize| columns.get(c).and_then(|col| col.get(row)).cloned().flatten();
            let render = |cell: &(String, bool), rng: &mut Rng| {
                let mut s = cell.0.clone();
                let wrapped = cell.1;
                if style.trailing_spaces && (wrapped || rng.chance(0.3)) {
                    s.push(' ');
                }
                s
            };
            let line = match (cell(0), cell(1)) {
                (Some(l), Some(r)) => {
                    let sep = if rng.chance(0.2) { "  " } else { " " };
                    let l = l.0.trim_end().to_string();
                    two_column_lines.push(line_no + 1);
                    seams.push((line_no + 1, l.len() + sep.len()));
                    format!("{l}{sep}{}", render(&r, &mut rng))
                }
                (Some(l), None) => {
                    if style.columns == 2 {
                        left_only.push(line_no + 1);
                    }
                    render(&l, &mut rng)
                }
                (None, Some(r)) => {
                    right_only.push(line_no + 1);
                    render(&r, &mut rng)
                }
                (None, None) => continue,
            };
            text.push_str(&line);
            text.push('\n');
            line_no += 1;
        }
        if page % 3 == 2 {
            text.push_str(&format!("{}\n", 10 + page));
            line_no += 1;
        }
        page += 1;
    }
    Generated { text, sentences: truth, two_column_lines, seams, left_only, right_only }
}

/// The generated evaluation suites: (name, prose file, page style).
pub fn generated_suites() -> Vec<(&'static str, &'static str, PageStyle)> {
    vec![
        (
            "dutch-2col",
            "prose/debian-nl.txt",
            PageStyle {
                columns: 2,
                min_width: 58,
                max_width: 74,
                lines_per_page: 45,
                language: hypher::Lang::Dutch,
                trailing_spaces: true,
            },
        ),
        (
            "english-2col",
            "prose/debian-faq-en.txt",
            PageStyle {
                columns: 2,
                min_width: 58,
                max_width: 74,
                lines_per_page: 45,
                language: hypher::Lang::English,
                trailing_spaces: true,
            },
        ),
        (
            "dutch-narrow",
            "prose/debian-nl.txt",
            PageStyle {
                columns: 2,
                min_width: 30,
                max_width: 42,
                lines_per_page: 50,
                language: hypher::Lang::Dutch,
                trailing_spaces: true,
            },
        ),
        (
            "dutch-2col-trimmed",
            "prose/debian-nl.txt",
            PageStyle {
                columns: 2,
                min_width: 58,
                max_width: 74,
                lines_per_page: 45,
                language: hypher::Lang::Dutch,
                trailing_spaces: false,
            },
        ),
        (
            "dutch-1col",
            "prose/debian-nl.txt",
            PageStyle {
                columns: 1,
                min_width: 70,
                max_width: 100,
                lines_per_page: 45,
                language: hypher::Lang::Dutch,
                trailing_spaces: true,
            },
        ),
    ]
}

/// Line-level decoder accuracy on a generated document: (correct, total) over two-column lines
/// (exact seam) and single-column lines of two-column pages (correct side).
pub fn decoder_accuracy(g: &Generated) -> ((usize, usize), (usize, usize)) {
    use scholion::layout::ColumnSplit;
    let model = scholion::layout::LanguageModel::from_text(&g.text);
    let layout = scholion::layout::analyze(&g.text, &model);
    let lines: Vec<scholion::layout::LineLayout> = layout.lines().collect();
    let all = scholion::layout::lines::line_ranges(&g.text);
    let by_line = |n: usize| -> Option<ColumnSplit> {
        let r = all.get(n - 1)?;
        lines.iter().find(|l| l.range.start == r.start).map(|l| l.split)
    };
    let mut seam_ok = 0;
    for &(n, off) in &g.seams {
        if let Some(ColumnSplit::Two { right_start, .. }) = by_line(n) {
            if right_start == off {
                seam_ok += 1;
            }
        }
    }
    let mut side_ok = 0;
    for &n in &g.left_only {
        if by_line(n) == Some(ColumnSplit::LeftOnly) {
            side_ok += 1;
        }
    }
    for &n in &g.right_only {
        if by_line(n) == Some(ColumnSplit::RightOnly) {
            side_ok += 1;
        }
    }
    ((seam_ok, g.seams.len()), (side_ok, g.left_only.len() + g.right_only.len()))
}

/// Prints the two-column lines whose seam was missed (for tuning).
pub fn print_seam_errors(g: &Generated, limit: usize) {
    print_seam_errors_in(&g.text, &g.seams, limit)
}

pub fn print_seam_errors_in(text: &str, seams: &[(usize, usize)], limit: usize) {
    use scholion::layout::ColumnSplit;
    let model = scholion::layout::LanguageModel::from_text(text);
    let layout = scholion::layout::analyze(text, &model);
    let lines: Vec<scholion::layout::LineLayout> = layout.lines().collect();
    let all = scholion::layout::lines::line_ranges(text);
    let mut shown = 0;
    for p in &layout.pages {
        println!("page widths: {:?}", p.columns());
    }
    for &(n, off) in seams {
        let Some(r) = all.get(n - 1) else { continue };
        let Some(l) = lines.iter().find(|l| l.range.start == r.start) else {
            continue;
        };
        let t = &text[r.clone()];
        let ok = matches!(l.split, ColumnSplit::Two { right_start, .. } if right_start == off);
        if !ok && shown < limit {
            shown += 1;
            let prev = all.get(n.saturating_sub(2)).map(|r| &text[r.clone()]).unwrap_or("");
            let next = all.get(n).map(|r| &text[r.clone()]).unwrap_or("");
            println!(
                "line {n}: truth |{}|{}| (left {} chars)",
                &t[..off],
                &t[off..],
                t[..off].trim_end().chars().count()
            );
            match l.split {
                ColumnSplit::Two { right_start, .. } => {
                    println!("   got   |{}|{}|", &t[..right_start], &t[right_start..])
                }
                other => println!("   got {other:?}"),
            }
            println!("   prev  {prev}\n   next  {next}");
            if std::env::var("EXPLAIN").is_ok() {
                // Explain within the page: lines of the page that holds line n.
                let page = layout.pages.iter().find(|p| p.range.contains(&r.start)).unwrap();
                let page_text = &text[page.range.clone()];
                let page_lines: Vec<&str> = page
                    .lines()
                    .filter(|l| !l.role.is_furniture())
                    .map(|l| {
                        let t = &text[l.range.clone()];
                        if l.role == scholion::layout::LineRole::Blank {
                            ""
                        } else {
                            t
                        }
                    })
                    .collect();
                let idx = page
                    .lines()
                    .filter(|l| !l.role.is_furniture())
                    .position(|l| l.range.start == r.start)
                    .unwrap();
                let _ = page_text;
                println!(
                    "{}",
                    scholion::layout::columns::explain_seam(&page_lines, &model, idx, off)
                );
            }
        }
    }
}

/// Prints single-column lines of two-column pages put on the wrong side (for tuning).
pub fn print_side_errors(g: &Generated, limit: usize) {
    use scholion::layout::ColumnSplit;
    let model = scholion::layout::LanguageModel::from_text(&g.text);
    let layout = scholion::layout::analyze(&g.text, &model);
    let lines: Vec<scholion::layout::LineLayout> = layout.lines().collect();
    let all = scholion::layout::lines::line_ranges(&g.text);
    let mut shown = 0;
    let cases = g
        .left_only
        .iter()
        .map(|&n| (n, ColumnSplit::LeftOnly))
        .chain(g.right_only.iter().map(|&n| (n, ColumnSplit::RightOnly)));
    for (n, want) in cases {
        let Some(r) = all.get(n - 1) else { continue };
        let Some(l) = lines.iter().find(|l| l.range.start == r.start) else {
            continue;
        };
        if l.split != want && shown < limit {
            shown += 1;
            println!("line {n}: want {want:?} got {:?}", l.split);
            for k in n.saturating_sub(2)..=(n + 1).min(all.len()) {
                if let Some(rr) = all.get(k - 1) {
                    println!("   {k:>3} {}", &g.text[rr.clone()]);
                }
            }
        }
    }
}

/// Splits prose blocks in two halves by alternating paragraphs: the generator lays out one half,
/// the other half stands in for the rest of a workspace (other documents of the same kind).
pub fn split_prose(blocks: &[Block]) -> (Vec<Block>, String) {
    let mut layout = Vec::new();
    let mut workspace = String::new();
    let mut paragraph_index = 0;
    for b in blocks {
        match b {
            Block::Heading(_) => layout.push(b.clone()),
            Block::Paragraph(p) => {
                if paragraph_index % 2 == 0 {
                    layout.push(b.clone());
                } else {
                    workspace.push_str(p);
                    workspace.push('\n');
                }
                paragraph_index += 1;
            }
        }
    }
    (layout, workspace)
}

/// The seed's seam truth as (1-based line, byte offset of the right column).
pub fn seed_seams(name: &str) -> Vec<(usize, usize)> {
    read(&format!("seeds/{name}.seams"))
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut parts = l.split('\t');
            Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
        })
        .collect()
}
