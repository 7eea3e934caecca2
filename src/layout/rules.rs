//! Findings about the layout: interleaved columns, hyphenated words, page furniture and
//! sentences split across distant lines. Source `scholion`; codes are stable.

use std::ops::Range;

use crate::finding::{Edit, Finding, Fix, Related, Severity};

use super::columns::ColumnSplit;
use super::hyphen::HyphenDecision;
use super::lines::line_end_with_terminator;
use super::sentences::sentences;
use super::words::char_len;
use super::{Layout, LineLayout, PageLayout, Paragraph};

pub const SOURCE: &str = "scholion";

fn excerpt(text: &str, max_words: usize) -> String {
    text.split_whitespace().take(max_words).collect::<Vec<_>>().join(" ")
}

/// All layout findings for `text` analysed as `layout`, sorted by position.
pub fn findings(text: &str, layout: &Layout) -> Vec<Finding> {
    let mut out: Vec<Finding> =
        layout.pages.iter().flat_map(|page| page_findings(text, page)).collect();
    out.extend(paragraph_findings(text, layout, &mut |t| sentences(t).into()));
    out.sort_by_key(|f| (f.range.start, f.range.end));
    out
}

/// The findings that depend on one page alone (page furniture, interleaved columns), in
/// buffer ranges: a page cache can keep them with the page.
pub fn page_findings(text: &str, page: &PageLayout) -> Vec<Finding> {
    let mut out = Vec::new();
    let lines: Vec<LineLayout> = page.lines().collect();
    furniture(text, &lines, &mut out);
    interleaved(text, &lines, &mut out);
    out
}

/// The findings about the reading-order paragraphs (hyphenated words, split sentences).
/// `sentences_of` segments a paragraph's text (a cache can answer for texts it has seen).
pub fn paragraph_findings(
    text: &str,
    layout: &Layout,
    sentences_of: &mut dyn FnMut(&str) -> std::sync::Arc<[Range<usize>]>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for p in &layout.paragraphs {
        out.extend(findings_of_paragraph(text, &p, &sentences_of(&p.text(text))));
    }
    out
}

/// The findings about one paragraph, given its sentences. They read the buffer only inside
/// [`Paragraph::context_span`], so a cache may keep them while that text is unchanged.
pub fn findings_of_paragraph(
    text: &str,
    p: &Paragraph,
    sentences: &[Range<usize>],
) -> Vec<Finding> {
    let mut out = Vec::new();
    hyphenated(text, p, &mut out);
    split_sentences(text, p, sentences, &mut out);
    out
}

fn furniture(text: &str, lines: &[LineLayout], out: &mut Vec<Finding>) {
    for line in lines {
        if !line.role.is_furniture() {
            continue;
        }
        let what = match line.role {
            super::LineRole::RunningHeader => "running header",
            super::LineRole::PageNumber => "page number",
            _ => "chapter number",
        };
        let shown = text.get(line.range.clone()).unwrap_or("").trim();
        out.push(Finding {
            rule: "page-furniture",
            severity: Severity::Hint,
            message: format!("{what} in the text flow: `{shown}`"),
            range: line.range.clone(),
            fixes: vec![Fix {
                title: format!("Remove the {what}"),
                edits: vec![Edit {
                    range: line.range.start..line_end_with_terminator(text, line.range.end),
                    new_text: String::new(),
                }],
                safe: true,
                preferred: true,
            }],
            related: Vec::new(),
        });
    }
}

fn interleaved(text: &str, lines: &[LineLayout], out: &mut Vec<Finding>) {
    for line in lines {
        let (ColumnSplit::Two { right_start, .. }, Some(seam)) = (line.split, line.seam()) else {
            continue;
        };
        let line_text = text.get(line.range.clone()).unwrap_or("");
        let column = char_len(line_text.get(..right_start).unwrap_or("")) + 1;
        let right = excerpt(line_text.get(right_start..).unwrap_or(""), 3);
        out.push(Finding {
            rule: "interleaved-columns",
            severity: Severity::Warning,
            message: format!(
                "two columns on one line: the right column starts at column {column} (`{right}`)"
            ),
            range: line.range.clone(),
            fixes: vec![Fix {
                title: format!("Split the line at column {column}"),
                edits: vec![Edit { range: seam, new_text: "\n".to_string() }],
                safe: false,
                preferred: true,
            }],
            related: Vec::new(),
        });
    }
}

/// Whitespace-only text with exactly one line break between `a_end` and `b_start`.
fn adjacent_lines(text: &str, a_end: usize, b_start: usize) -> bool {
    if b_start < a_end {
        return false;
    }
    let Some(between) = text.get(a_end..b_start) else {
        return false;
    };
    let breaks = between.matches('\n').count() + between.matches('\r').count()
        - between.matches("\r\n").count();
    breaks == 1 && between.chars().all(char::is_whitespace)
}

fn hyphenated(text: &str, p: &Paragraph, out: &mut Vec<Finding>) {
    {
        for h in p.hyphens() {
            let first = text.get(h.first.clone()).unwrap_or("");
            let second = text.get(h.second.clone()).unwrap_or("");
            // The second half is removed together with the spaces after it (not a line break).
            let mut second_removal = h.second.clone();
            let rest = text.get(h.second.end..).unwrap_or("");
            second_removal.end += rest.len() - rest.trim_start_matches([' ', '\t']).len();
            let adjacent = adjacent_lines(text, h.first.end, h.second.start);
            let fix = |word: &str, preferred: bool, kind: &str| Fix {
                title: format!("{kind} `{word}`"),
                edits: vec![
                    Edit { range: h.first.clone(), new_text: word.to_string() },
                    Edit { range: second_removal.clone(), new_text: String::new() },
                ],
                safe: adjacent && preferred,
                preferred,
            };
            let (join_word, keep_word) = if h.decision == HyphenDecision::Join {
                (h.resolved, h.alternative)
            } else {
                (h.alternative, h.resolved)
            };
            let join_preferred = h.decision == HyphenDecision::Join;
            let mut fixes = vec![
                fix(join_word, join_preferred, "Join as"),
                fix(keep_word, !join_preferred, "Keep the hyphen:"),
            ];
            if !join_preferred {
                fixes.reverse();
            }
            let where_ = if adjacent {
                "on the next line".to_string()
            } else {
                "further on, in the same column".to_string()
            };
            out.push(Finding {
                rule: "hyphenated-word",
                severity: Severity::Information,
                message: format!(
                    "`{first}` is a word broken at a column line end; it continues with `{second}` {where_} and reads `{}`",
                    h.resolved
                ),
                range: h.first.clone(),
                fixes,
                related: vec![Related {
                    range: h.second.clone(),
                    message: format!("the word continues here: `{second}`"),
                }],
            });
        }
    }
}

fn split_sentences(text: &str, p: &Paragraph, sentences: &[Range<usize>], out: &mut Vec<Finding>) {
    {
        // Read from the buffer for the first finding's excerpt only: most paragraphs have none.
        let mut paragraph: Option<std::borrow::Cow<'_, str>> = None;
        for s in sentences {
            let ranges = p.source_ranges(s.clone());
            let mut breaks: Vec<Range<usize>> = Vec::new();
            for pair in ranges.windows(2) {
                let (a, b) = (&pair[0], &pair[1]);
                // A removed hyphen right before the line break still counts as adjacent.
                let a_end = if text.get(a.end..a.end + 1) == Some("-") { a.end + 1 } else { a.end };
                if !adjacent_lines(text, a_end, b.start) {
                    breaks.push(b.clone());
                }
            }
            let Some(first) = ranges.first() else {
                continue;
            };
            if breaks.is_empty() {
                continue;
            }
            let paragraph = paragraph.get_or_insert_with(|| p.text(text));
            let shown = excerpt(paragraph.get(s.clone()).unwrap_or(""), 6);
            out.push(Finding {
                rule: "split-sentence",
                severity: Severity::Information,
                message: format!(
                    "the sentence `{shown} …` does not continue on the next line of the file; it goes on {} time(s) elsewhere",
                    breaks.len()
                ),
                range: first.clone(),
                fixes: Vec::new(),
                related: breaks
                    .iter()
                    .take(8)
                    .map(|r| Related {
                        range: r.clone(),
                        message: format!(
                            "the sentence continues here: `{}`",
                            excerpt(text.get(r.clone()).unwrap_or(""), 4)
                        ),
                    })
                    .collect(),
            });
        }
    }
}
